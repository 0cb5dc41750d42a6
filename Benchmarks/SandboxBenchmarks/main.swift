// Sandbox serving rate: each emulator, started in-process with N seeded records, serves full
// pages of its main list (the request and page size its connector uses) over loopback to
// AsyncHTTPClient (keep-alive connections); a pass reads every page of the list. Prints
// records/s per emulator: the first (cold) pass, then the median of several passes. The
// cold pass counts each body's records with a byte scan (no JSON tree); the timed passes read
// bodies whole and count the records the cold pass found per page, so both figures are the
// emulator's, not the client's JSON decoding.
//
// Then, with M records per resource (default 1,000,000), the latency of the filtered and
// sorted requests the connectors send (the first request, which builds an index, and the
// median of the following ones).
//
//   REALTYHUB_BENCHMARKS=1 swift build -c release --product realtyhub-sandbox-benchmarks --scratch-path .build-release
//   .build-release/release/realtyhub-sandbox-benchmarks [records] [runs] [concurrency] [latency records] [latency runs]
import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import RealtyModel
import Sandbox
import Synchronization

import struct ConnectorKit.VendorHTTPConfiguration

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let records = max(1, arguments.first ?? 10_000)
let runs = max(1, arguments.dropFirst().first ?? 5)
let concurrency = max(1, arguments.dropFirst(2).first ?? 4)
let latencyRecords = max(0, arguments.dropFirst(3).first ?? 1_000_000)
let latencyRuns = max(1, arguments.dropFirst(4).first ?? 20)

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

let http = VendorHTTPConfiguration.standard.makeClient()

/// Sends one request; the status and the whole body.
func fetch(_ url: String, method: HTTPMethod = .GET, headers: [(String, String)] = [], body: String? = nil) async throws
    -> (status: UInt, body: ByteBuffer)
{
    var request = HTTPClientRequest(url: url)
    request.method = method
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body { request.body = .bytes(ByteBuffer(string: body)) }
    let response = try await http.execute(request, timeout: .seconds(60))
    let buffer = try await response.body.collect(upTo: 256 * 1024 * 1024)
    return (response.status.code, buffer)
}

func json(_ buffer: ByteBuffer) throws -> JSONValue {
    try JSONValue(parsing: Data(buffer.readableBytesView))
}

/// Reads pages `0..<pages` with at most `concurrency` requests in flight; the records served.
func readPages(_ pages: Int, _ page: @escaping @Sendable (Int) async throws -> Int) async throws -> Int {
    try await withThrowingTaskGroup(of: Int.self) { group in
        var next = 0
        var total = 0
        while next < min(concurrency, pages) {
            let index = next
            group.addTask { try await page(index) }
            next += 1
        }
        while let served = try await group.next() {
            total += served
            if next < pages {
                let index = next
                group.addTask { try await page(index) }
                next += 1
            }
        }
        return total
    }
}

/// One emulator to measure: how to prepare (log in) and how to run one full pass; `cold`
/// passes decode each body and count its records, the others count what the cold pass found.
struct Subject {
    var vendor: SandboxVendor
    var what: String
    var pass: @Sendable (_ cold: Bool) async throws -> Int
}

/// Records per page as the cold pass counted them (pages are the same on every pass).
final class PageCounts: Sendable {
    private let counts = Mutex([Int: Int]())

    func record(_ page: Int, _ count: Int) -> Int {
        counts.withLock { $0[page] = count }
        return count
    }

    func count(_ page: Int) -> Int { counts.withLock { $0[page] ?? 0 } }
}

/// A page's records: counted from the body on a cold pass (the elements of the top-level
/// array member `member`, by one scan of the bytes: no tree, so the pass times the emulator
/// rather than the client's decoding), else as the cold pass counted them.
func served(_ counts: PageCounts, page: Int, cold: Bool, body: ByteBuffer, member: String) throws -> Int {
    guard cold else { return counts.count(page) }
    guard let count = countElements(body, member: member) else {
        throw BenchmarkError("page \(page): no \(member) array in the answer")
    }
    return counts.record(page, count)
}

/// The number of elements of the array member `member` of a JSON body's top-level object,
/// found by one scan of the bytes (strings skipped with their escapes), or `nil` when there is
/// no such array.
func countElements(_ buffer: ByteBuffer, member: String) -> Int? {
    let key = Array("\"\(member)\"".utf8)
    return buffer.withUnsafeReadableBytes { bytes -> Int? in
        let end = bytes.count
        var depth = 0
        var target = -1
        var count = 0
        var expecting = true
        var index = 0
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0a || byte == 0x0d || byte == 0x09 }
        while index < end {
            let byte = bytes[index]
            if depth == target, expecting, !isSpace(byte), byte != UInt8(ascii: ","), byte != UInt8(ascii: "]") {
                count += 1
                expecting = false
            }
            switch byte {
            case UInt8(ascii: "\""):
                let start = index
                index += 1
                while index < end, bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                if target < 0, depth == 1, index - start + 1 == key.count, index < end,
                    bytes[start...index].elementsEqual(key)
                {
                    var next = index + 1
                    while next < end, isSpace(bytes[next]) { next += 1 }
                    guard next < end, bytes[next] == UInt8(ascii: ":") else { break }
                    next += 1
                    while next < end, isSpace(bytes[next]) { next += 1 }
                    if next < end, bytes[next] == UInt8(ascii: "[") {
                        depth = 2
                        target = 2
                        index = next
                    }
                }
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if target >= 0, depth < target { return count }
            case UInt8(ascii: ","): if depth == target { expecting = true }
            default: break
            }
            index += 1
        }
        return nil
    }
}

func pfExpert(_ info: EmulatorInfo) async throws -> Subject {
    guard let authURL = info.authURL else { throw BenchmarkError("pf-expert: no auth URL") }
    let basic = Data("\(info.credentials["api_key"] ?? ""):\(info.credentials["api_secret"] ?? "")".utf8).base64EncodedString()
    let reply = try await fetch(
        authURL, method: .POST, headers: [("Authorization", "Basic \(basic)"), ("Content-Type", "application/json")],
        body: #"{"scope":"openid","grant_type":"client_credentials"}"#)
    guard reply.status == 200, let token = try json(reply.body)["access_token"]?.stringValue else {
        throw BenchmarkError("pf-expert: token request answered \(reply.status)")
    }
    let auth = [("Authorization", "Bearer \(token)")]
    let first = try json(try await fetch(info.baseURL + "/users?per_page=100&page=1", headers: auth).body)
    guard let count = first["count"]?.intValue.map(Int.init) else { throw BenchmarkError("pf-expert: no count") }
    let pages = (count + 99) / 100
    let counts = PageCounts()
    // The connector's full pass: `sort=id&sort_order=asc`, 100 a page.
    return Subject(vendor: .pfExpert, what: "GET /users?per_page=100&sort=id&sort_order=asc (\(count) users)") { cold in
        try await readPages(pages) { index in
            let reply = try await fetch(info.baseURL + "/users?page=\(index + 1)&per_page=100&sort=id&sort_order=asc", headers: auth)
            guard reply.status == 200 else { throw BenchmarkError("pf-expert: page \(index + 1) answered \(reply.status)") }
            return try served(counts, page: index, cold: cold, body: reply.body, member: "users")
        }
    }
}

func md5Hex(_ text: String) -> String {
    Insecure.MD5.hash(data: Data(text.utf8)).map { byte in
        let hex = String(byte, radix: 16)
        return byte < 16 ? "0" + hex : hex
    }.joined()
}

func percentEncoded(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
}

func myCRM(_ info: EmulatorInfo) async throws -> Subject {
    let service = info.baseURL + "/webservice.php"
    let user = info.credentials["username"] ?? ""
    let challenge = try json(try await fetch(service + "?operation=getchallenge&username=\(percentEncoded(user))").body)
    guard let token = challenge["result"]?["token"]?.stringValue else { throw BenchmarkError("mycrm: no challenge") }
    let hash = md5Hex(token + (info.credentials["access_key"] ?? ""))
    let login = try json(
        try await fetch(
            service, method: .POST, headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: "operation=login&username=\(percentEncoded(user))&accessKey=\(hash)"
        ).body)
    guard let session = login["result"]?["sessionName"]?.stringValue else { throw BenchmarkError("mycrm: login failed") }
    @Sendable func queryBody(_ vtql: String) async throws -> ByteBuffer {
        let reply = try await fetch(service + "?operation=query&sessionName=\(session)&query=\(percentEncoded(vtql))")
        guard reply.status == 200 else { throw BenchmarkError("mycrm: \(vtql) answered \(reply.status)") }
        return reply.body
    }
    @Sendable func query(_ vtql: String) async throws -> JSONValue {
        let body = try json(try await queryBody(vtql))
        guard body["success"] == .bool(true) else { throw BenchmarkError("mycrm: \(vtql) failed") }
        return body
    }
    let counted = try await query("select count(*) from Leads;")
    guard let countValue = counted["result"]?.arrayValue?.first?["count"],
        let count = countValue.intValue.map(Int.init)
    else { throw BenchmarkError("mycrm: no count") }
    let pages = (count + 99) / 100
    let counts = PageCounts()
    // The connector's full pass: `order by id`, 100 a page.
    return Subject(vendor: .mycrm, what: "query select * from Leads order by id limit o, 100; (\(count) leads)") { cold in
        try await readPages(pages) { index in
            let body = try await queryBody("select * from Leads order by id limit \(index * 100), 100;")
            return try served(counts, page: index, cold: cold, body: body, member: "result")
        }
    }
}

func apimo(_ info: EmulatorInfo) async throws -> Subject {
    guard let agency = info.credentials["agency_ids"]?.split(separator: ",").first else {
        throw BenchmarkError("apimo: no agency")
    }
    let basic = Data("\(info.credentials["provider"] ?? ""):\(info.credentials["token"] ?? "")".utf8).base64EncodedString()
    let auth = [("Authorization", "Basic \(basic)")]
    let base = info.baseURL + "/agencies/\(agency)/contacts"
    let first = try await fetch(base + "?limit=1", headers: auth)
    guard first.status == 200, let count = try json(first.body)["total_items"]?.intValue.map(Int.init) else {
        throw BenchmarkError("apimo: contacts answered \(first.status)")
    }
    let pages = (count + 999) / 1000
    let counts = PageCounts()
    return Subject(vendor: .apimo, what: "GET /agencies/\(agency)/contacts?limit=1000 (\(count) contacts)") { cold in
        try await readPages(pages) { index in
            let reply = try await fetch(base + "?limit=1000&offset=\(index * 1000)", headers: auth)
            guard reply.status == 200 else { throw BenchmarkError("apimo: page \(index) answered \(reply.status)") }
            return try served(counts, page: index, cold: cold, body: reply.body, member: "contacts")
        }
    }
}

func bostonLogic(_ info: EmulatorInfo) async throws -> Subject {
    let headers = [("Content-Type", "application/json"), ("X-BL-API-Key", info.credentials["api_key"] ?? "")]
    let url = info.baseURL + "/api/v2/leads"
    // The index is not paged: one request answers every lead. The cold pass reads it once (no
    // request before it, so every lead is rendered for the first time); the others read it
    // `concurrency` times.
    let counts = PageCounts()
    return Subject(vendor: .bostonLogic, what: "GET /api/v2/leads (\(records) leads, unpaged)") { cold in
        try await readPages(cold ? 1 : concurrency) { index in
            let reply = try await fetch(url, headers: headers)
            guard reply.status == 200 else { throw BenchmarkError("boston-logic: leads answered \(reply.status)") }
            return try served(counts, page: cold ? index : 0, cold: cold, body: reply.body, member: "data")
        }
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func formatted(_ value: Double) -> String {
    let number = Int(value.rounded())
    var digits = String(number)
    var groups: [String] = []
    while digits.count > 3 {
        groups.insert(String(digits.suffix(3)), at: 0)
        digits.removeLast(3)
    }
    groups.insert(digits, at: 0)
    return groups.joined(separator: ",")
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

let settings = EmulatorSettings(records: records, apimoRatePerSecond: 1_000_000, apimoDailyQuota: 1_000_000_000)
let options = SandboxOptions(vendors: [.pfExpert, .mycrm, .apimo, .bostonLogic], settings: settings)
print("sandbox serving rate: \(records) records per resource, \(runs) passes, \(concurrency) requests in flight")
print("(PropQ has no list endpoint: units are only written, so it is not measured)")
do {
    try await SandboxRunner.withSandbox(options) { sandbox in
        for vendor in [SandboxVendor.pfExpert, .mycrm, .apimo, .bostonLogic] {
            guard let info = sandbox.info(vendor) else { continue }
            let subject: Subject
            switch vendor {
            case .pfExpert: subject = try await pfExpert(info)
            case .mycrm: subject = try await myCRM(info)
            case .apimo: subject = try await apimo(info)
            default: subject = try await bostonLogic(info)
            }
            let clock = ContinuousClock()
            let coldStart = clock.now
            var served = try await subject.pass(true) // cold: counts every page's records (byte scan)
            let cold = Double(served) / max(seconds(coldStart.duration(to: clock.now)), 1e-9)
            let coldRecords = served
            var rates: [Double] = []
            for _ in 0..<runs {
                let start = clock.now
                served = try await subject.pass(false)
                rates.append(Double(served) / max(seconds(start.duration(to: clock.now)), 1e-9))
            }
            print(
                "\(vendor.rawValue): \(formatted(median(rates))) records/s (median; min \(formatted(rates.min() ?? 0)), max \(formatted(rates.max() ?? 0)); cold pass \(formatted(cold)), \(coldRecords) records; \(served) records per pass) — \(subject.what)"
            )
        }
    }
} catch {
    print("benchmark failed: \(error)")
}

/// One request the connectors send, timed at `latencyRecords` records per resource.
struct Probe {
    var name: String
    var url: String
    var method: HTTPMethod = .GET
    var headers: [(String, String)]
    var body: String? = nil
    /// Timed runs after the first (`nil`: the command line's); lookups still answered by a scan
    /// take seconds at a million records and run fewer times.
    var runs: Int? = nil
}

func latencyProbes(_ sandbox: RunningSandbox) async throws -> [Probe] {
    var probes: [Probe] = []
    if let info = sandbox.info(.pfExpert), let authURL = info.authURL {
        let basic = Data("\(info.credentials["api_key"] ?? ""):\(info.credentials["api_secret"] ?? "")".utf8).base64EncodedString()
        let reply = try await fetch(
            authURL, method: .POST, headers: [("Authorization", "Basic \(basic)"), ("Content-Type", "application/json")],
            body: #"{"scope":"openid","grant_type":"client_credentials"}"#)
        let token = try json(reply.body)["access_token"]?.stringValue ?? ""
        let auth = [("Authorization", "Bearer \(token)")]
        let base = info.baseURL
        let sample = try json(try await fetch(base + "/users/\(max(1, latencyRecords / 2))", headers: auth).body)
        let pfEmail = sample["user"]?["email"]?.stringValue?.uppercased() ?? "nobody@example.com"
        probes += [
            Probe(
                name: "pf-expert properties, newest first (incremental)",
                url: base + "/properties?page=1&per_page=100&sort=updated_at&sort_order=desc", headers: auth),
            Probe(
                name: "pf-expert leads, newest first, page 2", url: base + "/leads?page=2&per_page=100&sort=updated_at&sort_order=desc",
                headers: auth),
            Probe(
                name: "pf-expert calltrackings, filters[date][from] (incremental)",
                url: base + "/calltrackings?page=1&per_page=100&sort=id&sort_order=asc&filters%5Bdate%5D%5Bfrom%5D=2024-10-20",
                headers: auth),
            Probe(
                name: "pf-expert properties, filters[reference] (lookup before a create)",
                url: base + "/properties?page=1&per_page=100&filters%5Breference%5D=RH-\(max(1, latencyRecords / 2))", headers: auth),
            Probe(
                name: "pf-expert users, filters[email] of a seeded user (lookup before a create)",
                url: base + "/users?page=1&per_page=100&filters%5Bemail%5D=\(percentEncoded(pfEmail))", headers: auth),
            Probe(
                name: "pf-expert users, filters[email] matching nobody (lookup before a create)",
                url: base + "/users?page=1&per_page=100&filters%5Bemail%5D=nobody%40example.com", headers: auth),
            Probe(
                name: "pf-expert users, filters[email] and filters[status] (not indexed: the scan every lookup was)",
                url: base + "/users?page=1&per_page=100&filters%5Bemail%5D=nobody%40example.com&filters%5Bstatus%5D=active",
                headers: auth, runs: 2),
            Probe(
                name: "pf-expert locations, filters[string]=Marina Tower 12 (search before a create)",
                url: base + "/locations?filters%5Bstring%5D=Marina%20Tower%2012&page=1&per_page=100", headers: auth),
            Probe(
                name: "pf-expert locations, filters[string]=Tower 7, page 3",
                url: base + "/locations?filters%5Bstring%5D=Tower%207&page=3&per_page=100", headers: auth),
            Probe(
                name: "pf-expert users, id order, last page (full)",
                url: base + "/users?page=\(max(1, latencyRecords / 100))&per_page=100&sort=id&sort_order=asc", headers: auth),
        ]
    }
    if let info = sandbox.info(.mycrm) {
        let service = info.baseURL + "/webservice.php"
        let user = info.credentials["username"] ?? ""
        let challenge = try json(try await fetch(service + "?operation=getchallenge&username=\(percentEncoded(user))").body)
        let token = challenge["result"]?["token"]?.stringValue ?? ""
        let login = try json(
            try await fetch(
                service, method: .POST, headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: "operation=login&username=\(percentEncoded(user))&accessKey=\(md5Hex(token + (info.credentials["access_key"] ?? "")))"
            ).body)
        let session = login["result"]?["sessionName"]?.stringValue ?? ""
        let dayAgo = Int(Date().timeIntervalSince1970) - 86_400
        func column(_ statement: String, _ name: String) async throws -> String {
            let reply = try json(
                try await fetch(service + "?operation=query&sessionName=\(session)&query=" + percentEncoded(statement)).body)
            return reply["result"]?.arrayValue?.first?[name]?.stringValue ?? "nobody"
        }
        let middle = max(0, latencyRecords / 2)
        let leadEmail = try await column("select email from Leads limit \(middle), 1;", "email")
        let contactMobile = try await column("select mobile from Contacts limit \(middle), 1;", "mobile")
        probes += [
            Probe(
                name: "mycrm sync Leads, modifiedTime one day ago (incremental)",
                url: service + "?operation=sync&sessionName=\(session)&modifiedTime=\(dayAgo)&elementType=Leads&syncType=application",
                headers: []),
            Probe(
                name: "mycrm sync Leads from the start (incremental, first call)",
                url: service + "?operation=sync&sessionName=\(session)&modifiedTime=0&elementType=Leads&syncType=application", headers: []),
            Probe(
                name: "mycrm query Leads order by id, last page (full)",
                url: service + "?operation=query&sessionName=\(session)&query="
                    + percentEncoded("select * from Leads order by id limit \(max(0, latencyRecords - 100)), 100;"), headers: []),
            Probe(
                name: "mycrm query Leads where email, a seeded lead (lookup before a create)",
                url: service + "?operation=query&sessionName=\(session)&query="
                    + percentEncoded("select * from Leads where email = '\(leadEmail)' limit 1;"), headers: []),
            Probe(
                name: "mycrm query Leads where email, nobody (lookup before a create)",
                url: service + "?operation=query&sessionName=\(session)&query="
                    + percentEncoded("select * from Leads where email = 'nobody@example.com' limit 1;"), headers: []),
            Probe(
                name: "mycrm query Contacts where phone/mobile/homephone = a seeded mobile (lookup without email)",
                url: service + "?operation=query&sessionName=\(session)&query="
                    + percentEncoded(
                        "select * from Contacts where phone = '\(contactMobile)' or mobile = '\(contactMobile)' or homephone = '\(contactMobile)' limit 1;"
                    ), headers: []),
            Probe(
                name: "mycrm query Leads where email or lastname like (not indexed: the scan every lookup was)",
                url: service + "?operation=query&sessionName=\(session)&query="
                    + percentEncoded("select * from Leads where email = 'nobody@example.com' or lastname like 'zz%' limit 1;"),
                headers: [], runs: 2),
        ]
    }
    if let info = sandbox.info(.apimo), let agency = info.credentials["agency_ids"]?.split(separator: ",").first {
        let basic = Data("\(info.credentials["provider"] ?? ""):\(info.credentials["token"] ?? "")".utf8).base64EncodedString()
        let auth = [("Authorization", "Basic \(basic)")]
        let base = info.baseURL + "/agencies/\(agency)/contacts"
        let dayAgo = Int(Date().timeIntervalSince1970) - 86_400
        probes += [
            Probe(name: "apimo contacts, first page (full; total and timestamp)", url: base + "?limit=1000&offset=0", headers: auth),
            Probe(
                name: "apimo contacts, timestamp one day ago (incremental)", url: base + "?limit=1000&offset=0&timestamp=\(dayAgo)",
                headers: auth),
            Probe(
                name: "apimo contacts, timestamp 0 (every record), offset 500,000", url: base + "?limit=1000&offset=500000&timestamp=0",
                headers: auth),
        ]
    }
    if let info = sandbox.info(.bostonLogic) {
        let headers = [("X-BL-API-Key", info.credentials["api_key"] ?? "")]
        let base = info.baseURL + "/api/v2"
        let sample = try json(try await fetch(base + "/leads/\(max(1, latencyRecords / 2))", headers: headers).body)
        let email = sample["data"]?["email"]?.stringValue ?? "nobody@example.com"
        probes += [
            Probe(
                name: "boston-logic leads, email= a seeded lead (lookup before a create)",
                url: base + "/leads?email=\(percentEncoded(email))", headers: headers),
            Probe(
                name: "boston-logic agents, active_status=all&email= nobody (member lookup)",
                url: base + "/agents?active_status=all&email=nobody%40example.com", headers: headers),
            Probe(
                name: "boston-logic leads, status= (not indexed: the scan every lookup was)",
                url: base + "/leads?status=nothing", headers: headers, runs: 2),
        ]
    }
    return probes
}

if latencyRecords > 0 {
    let big = EmulatorSettings(records: latencyRecords, apimoRatePerSecond: 1_000_000, apimoDailyQuota: 1_000_000_000)
    print("")
    print(
        "latency of the connectors' filtered and sorted requests: \(latencyRecords) records per resource, \(latencyRuns) runs after the first"
    )
    do {
        try await SandboxRunner.withSandbox(SandboxOptions(vendors: [.pfExpert, .mycrm, .apimo, .bostonLogic], settings: big)) { sandbox in
            for probe in try await latencyProbes(sandbox) {
                let clock = ContinuousClock()
                var times: [Double] = []
                var status: UInt = 0
                var bytes = 0
                for _ in 0...(probe.runs ?? latencyRuns) {
                    let start = clock.now
                    let reply = try await fetch(probe.url, method: probe.method, headers: probe.headers, body: probe.body)
                    times.append(seconds(start.duration(to: clock.now)) * 1000)
                    status = reply.status
                    bytes = reply.body.readableBytes
                }
                let first = times.removeFirst()
                func ms(_ value: Double) -> String { String(format: "%.1f", value) }
                print(
                    "\(probe.name): median \(ms(median(times))) ms (min \(ms(times.min() ?? 0)), max \(ms(times.max() ?? 0)); "
                        + "first request \(ms(first)) ms; status \(status), \(bytes) bytes)")
            }
        }
    } catch {
        print("latency benchmark failed: \(error)")
    }
}
try await http.shutdown()
