// Sandbox serving rate: each emulator, started in-process with N seeded records, serves full
// pages of its main list over loopback to AsyncHTTPClient; a pass reads every page of the list.
// Prints records/s per emulator, the median of several passes. Bodies are read whole but not
// decoded beyond what paging needs, so the figure is the emulator's ceiling, not a client's.
//
//   REALTYHUB_BENCHMARKS=1 swift build -c release --product realtyhub-sandbox-benchmarks --scratch-path .build-release
//   .build-release/release/realtyhub-sandbox-benchmarks [records] [runs] [concurrency]
import AsyncHTTPClient
import struct ConnectorKit.VendorHTTPConfiguration
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import RealtyModel
import Sandbox

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let records = max(1, arguments.first ?? 10_000)
let runs = max(1, arguments.dropFirst().first ?? 5)
let concurrency = max(1, arguments.dropFirst(2).first ?? 4)

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

/// One emulator to measure: how to prepare (log in) and how to run one full pass.
struct Subject {
    var vendor: SandboxVendor
    var what: String
    var pass: @Sendable () async throws -> Int
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
    return Subject(vendor: .pfExpert, what: "GET /users?per_page=100 (\(count) users)") {
        try await readPages(pages) { index in
            let reply = try await fetch(info.baseURL + "/users?per_page=100&page=\(index + 1)", headers: auth)
            guard reply.status == 200 else { throw BenchmarkError("pf-expert: page \(index + 1) answered \(reply.status)") }
            return try json(reply.body)["users"]?.arrayValue?.count ?? 0
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
    @Sendable func query(_ vtql: String) async throws -> JSONValue {
        let reply = try await fetch(service + "?operation=query&sessionName=\(session)&query=\(percentEncoded(vtql))")
        let body = try json(reply.body)
        guard body["success"] == .bool(true) else { throw BenchmarkError("mycrm: \(vtql) failed") }
        return body
    }
    let counted = try await query("select count(*) from Leads;")
    guard let countValue = counted["result"]?.arrayValue?.first?["count"],
        let count = countValue.intValue.map(Int.init)
    else { throw BenchmarkError("mycrm: no count") }
    let pages = (count + 99) / 100
    return Subject(vendor: .mycrm, what: "query select * from Leads limit o, 100; (\(count) leads)") {
        try await readPages(pages) { index in
            try await query("select * from Leads limit \(index * 100), 100;")["result"]?.arrayValue?.count ?? 0
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
    return Subject(vendor: .apimo, what: "GET /agencies/\(agency)/contacts?limit=1000 (\(count) contacts)") {
        try await readPages(pages) { index in
            let reply = try await fetch(base + "?limit=1000&offset=\(index * 1000)", headers: auth)
            guard reply.status == 200 else { throw BenchmarkError("apimo: page \(index) answered \(reply.status)") }
            return try json(reply.body)["contacts"]?.arrayValue?.count ?? 0
        }
    }
}

func bostonLogic(_ info: EmulatorInfo) async throws -> Subject {
    let headers = [("Content-Type", "application/json"), ("X-BL-API-Key", info.credentials["api_key"] ?? "")]
    let url = info.baseURL + "/api/v2/leads"
    let first = try await fetch(url, headers: headers)
    guard first.status == 200, let count = try json(first.body)["data"]?.arrayValue?.count else {
        throw BenchmarkError("boston-logic: leads answered \(first.status)")
    }
    // The index is not paged: one request answers every lead; a pass reads it `concurrency` times.
    return Subject(vendor: .bostonLogic, what: "GET /api/v2/leads (\(count) leads, unpaged)") {
        try await readPages(concurrency) { _ in
            let reply = try await fetch(url, headers: headers)
            guard reply.status == 200 else { throw BenchmarkError("boston-logic: leads answered \(reply.status)") }
            return try json(reply.body)["data"]?.arrayValue?.count ?? 0
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
            _ = try await subject.pass()  // warm-up
            var rates: [Double] = []
            var served = 0
            for _ in 0..<runs {
                let clock = ContinuousClock()
                let start = clock.now
                served = try await subject.pass()
                let elapsed = start.duration(to: clock.now)
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                rates.append(Double(served) / max(seconds, 1e-9))
            }
            print(
                "\(vendor.rawValue): \(formatted(median(rates))) records/s (median; min \(formatted(rates.min() ?? 0)), max \(formatted(rates.max() ?? 0)); \(served) records per pass) — \(subject.what)"
            )
        }
    }
} catch {
    print("benchmark failed: \(error)")
}
try await http.shutdown()
