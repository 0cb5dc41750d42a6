import ConnectorKit
import Connectors
import Foundation
import Logging
import MyCRMConnector
import RealtyModel
import Sandbox
import Synchronization
import Testing

/// The MyCRM connector against the MyCRM emulator over loopback: paging, `sync`, writes, faults,
/// session expiry and the address service.
@Suite struct MyCRMLiveTests {
    // MARK: - Reading

    @Test func fullPassesPageLeadsContactsAndUsersWithExactCounts() async throws {
        try await withLiveSandbox([.mycrm], settings: EmulatorSettings(records: 230)) { live in
            let (connector, operations) = try MyCRMLive.connector(live)
            let contacts = try await connector.readAll(Contact.self)
            let leads = try await emulatorCount(live, .mycrm, "leads")
            let stored = try await emulatorCount(live, .mycrm, "contacts")
            #expect(leads == 230 && stored == 230)
            #expect(contacts.records.count == leads + stored)
            #expect(Set(contacts.records.compactMap(\.metadata.sourceKey)).count == leads + stored)
            #expect(contacts.records.filter { $0.contactType == "Lead" }.count == leads)
            // 230 rows a module in pages of at most 100: 3 full or short pages each, and an
            // empty page ends a module (the server may drop unreadable rows from any page).
            #expect(contacts.pages >= 6)

            let members = try await connector.readAll(Member.self)
            #expect(members.records.count == (try await emulatorCount(live, .mycrm, "users")))

            let statements = operations.parameters(of: "query").compactMap { $0["query"] }
            #expect(!statements.isEmpty)
            #expect(statements.allSatisfy { $0.hasSuffix(";") }, "VTQL statements end with ;")
            #expect(operations.count("login") == 1)
        }
    }

    /// The webservice keeps one challenge per user: clients logging in as one user at once
    /// replace each other's challenge, and a login with a replaced one is refused as wrong
    /// credentials. Each client asks for a new challenge and all get sessions (three at once:
    /// what one hub process has, its pulls, its deliveries and an address check, each with a
    /// session of its own), in every one of 10 rounds.
    @Test func clientsLoggingInAsOneUserAtOnceAllGetSessions() async throws {
        let faults = try FaultPlan(spec: "latency=20ms")
        try await withLiveSandbox([.mycrm], settings: EmulatorSettings(records: 5, faults: faults)) { live in
            for _ in 0..<10 {
                let connectors = try (0..<3).map { _ in try live.connector(.mycrm) }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for connector in connectors { group.addTask { try await connector.verify() } }
                    try await group.waitForAll()
                }
            }
        }
    }

    @Test func incrementalSyncReturnsExactlyTheChangedRecordsAndTheDeletions() async throws {
        let clock = SandboxClock.manual()
        try await withLiveSandbox([.mycrm], settings: EmulatorSettings(records: 120), clock: clock) { live in
            let (connector, operations) = try MyCRMLive.connector(live)
            // The first incremental read catches up with everything: every user's records, so
            // `syncType=application` is sent (without it only the admin's own records come back).
            let first = try await connector.readAll(Contact.self, mode: .incremental)
            #expect(first.records.count == 240)
            let syncs = operations.parameters(of: "sync")
            #expect(!syncs.isEmpty && syncs.allSatisfy { $0["syncType"] == "application" })

            clock.advance(by: .seconds(10))
            let emulator = try live.emulator(.mycrm)
            let mutated = try await emulator.control(.mutate(resource: "leads", count: 3)).ids
            let deleted = try await emulator.control(.delete(resource: "contacts", count: 1)).ids
            let inserted = try await emulator.control(.insert(resource: "contacts", count: 2)).ids
            #expect(mutated.count == 3 && deleted.count == 1 && inserted.count == 2)

            var changed: [Contact] = []
            var removed: [String] = []
            var cursor: String?
            for try await page in connector.read(Contact.self, mode: .incremental, after: first.cursor) {
                changed += page.records
                removed += page.deletedSourceKeys
                cursor = page.cursor ?? cursor
            }
            #expect(Set(changed.compactMap(\.metadata.sourceKey)) == Set(mutated + inserted))
            #expect(changed.count == 5)
            #expect(removed == deleted)

            // Nothing changed since: the next incremental read is empty.
            let again = try await connector.readAll(Contact.self, mode: .incremental, after: cursor)
            #expect(again.records.isEmpty)
        }
    }

    // MARK: - Writing

    @Test func createdLeadIsWrittenOnceFoundByEmailThenRevisedTwice() async throws {
        try await withLiveSandbox([.mycrm], settings: EmulatorSettings(records: 20)) { live in
            let (connector, _) = try MyCRMLive.connector(live)
            var lead = Contact()
            lead.firstName = "Ada"
            lead.lastName = "Lovelace"
            lead.email = "ada.lovelace@example.com"
            lead.mobilePhone = "+1 305 555 0101"
            lead.contactType = "Lead"
            let created = try await connector.create(lead)
            #expect(created.remoteID.hasPrefix("10x"), "Leads ids carry the Leads prefix")

            let creates = live.sandbox.writeLog.entries(vendor: .mycrm, resource: "Leads", operation: .create)
            #expect(creates.count == 1)
            #expect(creates.first?.id == created.remoteID)
            #expect(creates.first?.keys["email"] == "ada.lovelace@example.com")
            #expect(try await connector.lookup(lead) == created.remoteID)

            var renamed = lead
            renamed.lastName = "King"
            let updated = try await connector.update(renamed, remoteID: created.remoteID)
            #expect(updated.remoteID == created.remoteID)
            // An update is a partial revise: the whole-record `update` (which would echo the
            // vendor's own fields back) is never sent.
            #expect(live.sandbox.writeLog.entries(vendor: .mycrm, resource: "Leads", operation: .update).isEmpty)
            #expect(live.sandbox.writeLog.entries(vendor: .mycrm, resource: "Leads", operation: "revise").count == 1)

            let mycrm = try #require(connector as? MyCRMConnector)
            var note = Contact()
            note.notes = "Prefers e-mail."
            note.contactType = "Lead"
            _ = try await mycrm.revise(note, remoteID: created.remoteID)
            #expect(live.sandbox.writeLog.entries(vendor: .mycrm, resource: "Leads", operation: "revise").count == 2)

            let listed = try await live.emulator(.mycrm).control(.list(resource: "leads"))
            let record = try #require(listed.records?.first { $0["id"]?.stringValue == created.remoteID })
            #expect(record["lastname"]?.stringValue == "King")
            #expect(record["description"]?.stringValue == "Prefers e-mail.")
            #expect(record["email"]?.stringValue == "ada.lovelace@example.com", "revise leaves other fields alone")
        }
    }

    // MARK: - Faults

    @Test(arguments: ["500", "502", "503", "429"])
    func retryableFaultsOnReadsAreRecovered(kind: String) async throws {
        try await withLiveSandbox([.mycrm], settings: EmulatorSettings(records: 30)) { live in
            let (connector, _) = try MyCRMLive.connector(live)
            try await connector.verify()
            let fault = try #require(FaultKind(name: kind))
            try live.faults(.mycrm).enqueue([FaultInjection(kind: fault, count: 2, method: "GET", retryAfter: 0)])
            let members = try await connector.readAll(Member.self)
            #expect(members.records.count == (try await emulatorCount(live, .mycrm, "users")))
            #expect(try live.faults(.mycrm).injectedCounts[kind] == 2)
        }
    }

    @Test func timeoutIsRetriedThenFailsRetryableNamingTheOperation() async throws {
        try await withLiveSandbox([.mycrm], settings: EmulatorSettings(records: 10), readTimeout: .seconds(5)) { live in
            let (connector, _) = try MyCRMLive.connector(live) { configuration in
                // Long enough for an unfaulted request on a loaded machine, well short of the hold.
                configuration.timeouts = .init(request: .milliseconds(1500))
                configuration.retry = RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10), maxDelay: .milliseconds(20))
            }
            try await connector.verify()
            let injector = try live.faults(.mycrm)
            injector.setPlan(try FaultPlan(spec: "timeout=4s"))
            // One timeout: the read is resent and completes.
            injector.enqueue([FaultInjection(kind: .timeout, count: 1, method: "GET")])
            let users = try await emulatorCount(live, .mycrm, "users")
            #expect(try await connector.readAll(Member.self).records.count == users)
            // Every attempt times out: a retryable error naming the operation, not a bare transport error.
            injector.enqueue([FaultInjection(kind: .timeout, count: 2, method: "GET")])
            let error = await connectorError { _ = try await connector.readAll(Member.self) }
            #expect(error?.kind == .retryable)
            #expect(error?.vendor == .mycrm)
            #expect(error?.operation == "GET query")
        }
    }

    @Test func resetConnectionsFailRetryableAndGarbageFailsAsInvalidResponse() async throws {
        try await withLiveSandbox([.mycrm], settings: EmulatorSettings(records: 10)) { live in
            let (connector, _) = try MyCRMLive.connector(live) { configuration in
                configuration.retry = RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10), maxDelay: .milliseconds(20))
            }
            try await connector.verify()
            let injector = try live.faults(.mycrm)
            let users = try await emulatorCount(live, .mycrm, "users")
            injector.enqueue([FaultInjection(kind: .reset, count: 1, method: "GET")])
            #expect(try await connector.readAll(Member.self).records.count == users, "one dropped connection is recovered")

            injector.enqueue([FaultInjection(kind: .reset, count: 2, method: "GET")])
            let reset = await connectorError { _ = try await connector.readAll(Member.self) }
            #expect(reset?.kind == .retryable)

            injector.enqueue([FaultInjection(kind: .garbage, count: 1, method: "GET")])
            let garbage = await connectorError { _ = try await connector.readAll(Member.self) }
            #expect(garbage?.kind == .invalidResponse)
            #expect(garbage?.httpStatus == 200)
        }
    }

    @Test func lostCreateIsNotResentBlindlyAndLookupFindsIt() async throws {
        try await withLiveSandbox([.mycrm], settings: EmulatorSettings(records: 10)) { live in
            let (connector, operations) = try MyCRMLive.connector(live)
            try await connector.verify()
            try live.faults(.mycrm).enqueue([FaultInjection(kind: .lost, count: 1, method: "POST")])
            var lead = Contact()
            lead.contactType = "Lead"
            lead.firstName = "Grace"
            lead.lastName = "Hopper"
            lead.email = "grace.hopper@example.com"
            let error = await connectorError { _ = try await connector.create(lead) }
            // The write happened but its answer was lost: a retryable failure, sent once only.
            #expect(error?.kind == .retryable)
            #expect(error?.httpStatus == 500)
            #expect(operations.count("create") == 1)
            let creates = live.sandbox.writeLog.entries(vendor: .mycrm, resource: "Leads", operation: .create)
            #expect(creates.count == 1)
            // The delivery worker looks the record up before creating it again.
            #expect(try await connector.lookup(lead) == creates.first?.id)
        }
    }

    // MARK: - Sessions

    @Test func sessionLeftIdleMidPaginationLogsInOnceAndCompletesTheRead() async throws {
        let clock = SandboxClock.manual()
        try await withLiveSandbox([.mycrm], settings: EmulatorSettings(records: 250), clock: clock) { live in
            let (connector, operations) = try MyCRMLive.connector(live)
            var records: [Contact] = []
            var pages = 0
            for try await page in connector.read(Contact.self, mode: .full, after: nil) {
                records += page.records
                pages += 1
                // Past the 30-minute idle limit between the first and second page.
                if pages == 1 { clock.advance(by: .seconds(31 * 60)) }
            }
            #expect(records.count == 500)
            #expect(Set(records.compactMap(\.metadata.sourceKey)).count == 500)
            #expect(operations.count("getchallenge") == 2)
            #expect(operations.count("login") == 2)
        }
    }

    @Test func shortSessionTTLExpiresBetweenPagesAndIsRenewedOnce() async throws {
        let clock = SandboxClock.manual()
        let settings = EmulatorSettings(records: 150, tokenTTL: .seconds(60))
        try await withLiveSandbox([.mycrm], settings: settings, clock: clock) { live in
            let (connector, operations) = try MyCRMLive.connector(live)
            var count = 0
            var pages = 0
            for try await page in connector.read(Contact.self, mode: .full, after: nil) {
                count += page.records.count
                pages += 1
                if pages == 2 { clock.advance(by: .seconds(61)) }
            }
            #expect(count == 300)
            #expect(operations.count("login") == 2)
        }
    }

    @Test func concurrentRequestsShareOneLogin() async throws {
        try await withLiveSandbox([.mycrm], settings: EmulatorSettings(records: 20)) { live in
            let (connector, operations) = try MyCRMLive.connector(live)
            let users = try await emulatorCount(live, .mycrm, "users")
            let found = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        if index.isMultiple(of: 2) { return try await connector.readAll(Member.self).records.count }
                        var contact = Contact()
                        contact.email = "nobody\(index)@example.com"
                        return try await connector.lookup(contact) == nil ? 0 : 1
                    }
                }
                var total = 0
                for try await value in group { total += value }
                return total
            }
            #expect(found == 4 * users)
            #expect(operations.count("getchallenge") == 1)
            #expect(operations.count("login") == 1)
        }
    }

    // MARK: - Address check

    @Test func addressCheckReadsTheAddressService() async throws {
        try await withLiveSandbox([.mycrm], settings: EmulatorSettings(records: 5)) { live in
            let (connector, _) = try MyCRMLive.connector(live)
            let mycrm = try #require(connector as? MyCRMConnector)
            let answer = try await mycrm.checkAddress(street: "100 Ocean Dr", city: "Miami Beach", state: "FL")
            #expect(answer.statusCode == 200)
            #expect(answer.resultCount == answer.locations.count)
            #expect(!answer.locations.isEmpty)
            #expect(answer.locations.allSatisfy { !$0.providers.isEmpty })
            #expect(answer.locations.flatMap(\.providers).allSatisfy { $0.providerName?.isEmpty == false })
            // The same address finds the same locations and providers.
            let again = try await mycrm.checkAddress(street: "100 Ocean Dr", city: "Miami Beach", state: "FL")
            #expect(again.locations == answer.locations)

            // Without "city, state" the service refuses the address.
            let refused = await connectorError { _ = try await mycrm.checkAddress("somewhere without a state") }
            #expect(refused?.kind == .validation)
            #expect(refused?.httpStatus == 400)
        }
    }
}

/// Helpers of the MyCRM live tests.
enum MyCRMLive {
    /// The MyCRM connector of `live`, built through the registry from the emulator's published
    /// credentials, with quick retries and no request-rate limit, and a transport that records
    /// the webservice operations it sends.
    static func connector(
        _ live: LiveSandbox, adjust: (inout ConnectorConfiguration) -> Void = { _ in }
    ) throws -> (any Connector, MyCRMOperationLog) {
        var configuration = try live.configuration(.mycrm)
        configuration.retry = RetryPolicy(
            maxAttempts: 4, baseDelay: .milliseconds(10), maxDelay: .milliseconds(100), maxRetryAfter: .seconds(5))
        configuration.limits = .init(requestsPerSecond: 0)
        adjust(&configuration)
        let operations = MyCRMOperationLog(base: live.transport)
        var logger = Logger(label: "realtyhub.live-test.mycrm")
        logger.logLevel = .critical
        let connector = try ConnectorRegistry.make(
            vendor: .mycrm, configuration: configuration, transport: operations, logger: logger)
        return (connector, operations)
    }
}

/// A transport recording each webservice.php request's `operation` and parameters (query string
/// of a GET, form body of a POST) before forwarding it.
final class MyCRMOperationLog: HTTPTransport {
    private let base: any HTTPTransport
    private let sent = Mutex<[[String: String]]>([])

    init(base: any HTTPTransport) { self.base = base }

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        var parameters: [String: String] = [:]
        for item in URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems ?? [] {
            parameters[item.name] = item.value ?? ""
        }
        if request.method == .post, let body = request.body {
            var components = URLComponents()
            components.percentEncodedQuery = String(decoding: body, as: UTF8.self).replacingOccurrences(of: "+", with: "%20")
            for item in components.queryItems ?? [] { parameters[item.name] = item.value ?? "" }
        }
        sent.withLock { $0.append(parameters) }
        return try await base.send(request)
    }

    /// The parameters of every request of `operation`, in order.
    func parameters(of operation: String) -> [[String: String]] {
        sent.withLock { $0.filter { $0["operation"] == operation } }
    }

    /// How many requests of `operation` were sent.
    func count(_ operation: String) -> Int { parameters(of: operation).count }
}
