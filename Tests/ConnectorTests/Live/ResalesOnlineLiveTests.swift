import ConnectorKit
import Foundation
import RealtyModel
import ResalesOnlineConnector
import Sandbox
import Testing

/// The PropQ connector against the PropQ emulator over loopback.
@Suite struct ResalesOnlineLiveTests {
    static let tokenPath = "/oauth/token"
    static let quickRetry = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20), maxDelay: .milliseconds(100))

    /// A development of the demo client and the names of its units, from the emulator's state.
    struct Owned {
        var developmentIDs: [String]
        var unitNames: [String: [String]]
    }

    static func owned(_ live: LiveSandbox) async throws -> Owned {
        let clientID = try Int(live.info(.propq).credentials["client_id"] ?? "")
        let list = try await live.emulator(.propq).control(.list(resource: "developments"))
        var owned = Owned(developmentIDs: [], unitNames: [:])
        for record in list.records ?? [] {
            guard case .object(let object) = record, case .string(let id)? = object["DevId"],
                case .number(let owner)? = object["ClientId"], owner.int64Value.map(Int.init) == clientID
            else { continue }
            owned.developmentIDs.append(id)
            if case .array(let units)? = object["Units"] {
                owned.unitNames[id] = units.compactMap { unit in
                    if case .object(let fields) = unit, case .string(let name)? = fields["UntName"] { return name }
                    return nil
                }
            }
        }
        return owned
    }

    static func propq(_ connector: any Connector) throws -> ResalesOnlineConnector {
        guard let propq = connector as? ResalesOnlineConnector else { throw LiveHarnessError("not a PropQ connector") }
        return propq
    }

    /// The registry passes the tracked developments through the `development_ids` option; the
    /// read returns one record per known development (an unknown id is left out) over two pages.
    @Test func developmentsReadFromTheConfiguredOption() async throws {
        try await withLiveSandbox([.propq]) { live in
            let owned = try await Self.owned(live)
            try #require(!owned.developmentIDs.isEmpty)
            let known = Array(owned.developmentIDs.prefix(20))
            let unknown = (1...10).map { "NOPE-\($0)" }
            let connector = try live.connector(.propq) {
                $0.options["development_ids"] = (known + unknown).joined(separator: ", ")
            }
            #expect(connector.capabilities.read(.development) != nil)
            let read = try await connector.readAll(Development.self)
            #expect(read.pages == 2)
            #expect(read.records.count == known.count)
            #expect(Set(read.records.compactMap(\.metadata.sourceKey)) == Set(known))

            let untracked = try live.connector(.propq)
            #expect(untracked.capabilities.read(.development) == nil)
            let error = await connectorError { _ = try await untracked.readAll(Development.self) }
            #expect(error?.kind == .configuration)
        }
    }

    /// `updateUnit` changes the unit at the vendor, once, and answers the updated unit.
    @Test func updateUnitRoundTrip() async throws {
        try await withLiveSandbox([.propq]) { live in
            let owned = try await Self.owned(live)
            let development = try #require(owned.developmentIDs.first)
            let unit = try #require(owned.unitNames[development]?.first)
            let connector = try Self.propq(try live.connector(.propq))
            let answer = try await connector.updateUnit(
                development: development, unitName: unit,
                changes: UnitChanges(status: .sold, price: 123_000, directions: ["North"]))
            #expect(answer?["UntName"] == .string(unit))
            let writes = live.sandbox.writeLog.entries(vendor: .propq, resource: "units", operation: .update)
            #expect(writes.count == 1)
            let units = try await live.emulator(.propq).control(.list(resource: "units")).records ?? []
            let stored = units.first { record in
                if case .object(let fields) = record, fields["UntName"] == .string(unit), fields["DevId"] == .string(development) {
                    return true
                }
                return false
            }
            if case .object(let fields)? = stored {
                #expect(fields["UntPrice"]?.doubleValue == 123_000)
                #expect(fields["UntStatus"] == .int(UnitStatus.sold.rawValue))
            } else {
                Issue.record("the updated unit is not in the emulator")
            }
        }
    }

    /// Publishing runs in the background: `PUBLISHING` until the publish duration has passed on
    /// the vendor's clock, then `PUBLISHED`.
    @Test func publishSettlesToPublished() async throws {
        let clock = SandboxClock.manual()
        try await withLiveSandbox([.propq], settings: EmulatorSettings(publishDuration: .seconds(120)), clock: clock) { live in
            let development = try #require(try await Self.owned(live).developmentIDs.first)
            let connector = try Self.propq(try live.connector(.propq))
            try await connector.publish(development: development)
            #expect(try await connector.publishStatus(development: development) == .publishing)
            clock.advance(by: .seconds(60))
            #expect(try await connector.publishStatus(development: development).isInProgress)
            clock.advance(by: .seconds(61))
            #expect(try await connector.publishStatus(development: development) == .published)
            #expect(live.sandbox.writeLog.entries(vendor: .propq, resource: "developments", operation: "publish").count == 1)
        }
    }

    /// The vendor's 422 names the refused fields; an unknown development is `.notFound`.
    @Test func validationAndNotFoundAreClassified() async throws {
        try await withLiveSandbox([.propq]) { live in
            let development = try #require(try await Self.owned(live).developmentIDs.first)
            let connector = try Self.propq(try live.connector(.propq))
            let changes = UnitChanges(status: .available, price: 1000, directions: [])

            let unknownUnit = await connectorError {
                try await connector.updateUnit(development: development, unitName: "No Such Unit 999", changes: changes)
            }
            #expect(unknownUnit?.kind == .validation)
            #expect(unknownUnit?.httpStatus == 422)
            #expect(unknownUnit?.fieldErrors.contains { $0.field == "UntName" } == true)

            let longName = await connectorError {
                try await connector.updateUnit(development: development, unitName: String(repeating: "x", count: 300), changes: changes)
            }
            #expect(longName?.kind == .validation)
            #expect(longName?.fieldErrors.contains { $0.field == "UntName" } == true)

            // A negative price is refused before anything is sent, with the vendor's field name.
            let before = live.traffic.count(pathPrefix: "/v1/developments")
            let badPrice = await connectorError {
                try await connector.updateUnit(
                    development: development, unitName: "A", changes: UnitChanges(status: .available, price: -1, directions: []))
            }
            #expect(badPrice?.kind == .validation)
            #expect(badPrice?.fieldErrors.contains { $0.field == "UntPrice" } == true)
            #expect(live.traffic.count(pathPrefix: "/v1/developments") == before)

            let missing = await connectorError { _ = try await connector.publishStatus(development: "NO-SUCH-DEV") }
            #expect(missing?.kind == .notFound)
            #expect(missing?.httpStatus == 404)
            let missingPublish = await connectorError { try await connector.publish(development: "NO-SUCH-DEV") }
            #expect(missingPublish?.kind == .notFound)
            #expect(live.sandbox.writeLog.entries(vendor: .propq).isEmpty)
        }
    }

    /// 500, 502, 503, 429 and a reset on the status read are retried; so is a unit update whose
    /// answer was lost (setting a unit to a state is idempotent).
    @Test(arguments: [FaultKind.serverError(500), .serverError(502), .serverError(503), .rateLimited, .reset])
    func retryableFaultsAreRecovered(kind: FaultKind) async throws {
        try await withLiveSandbox([.propq]) { live in
            let development = try #require(try await Self.owned(live).developmentIDs.first)
            let connector = try Self.propq(try live.connector(.propq) { $0.retry = Self.quickRetry })
            let expected = try await connector.publishStatus(development: development)
            try live.faults(.propq).enqueue([FaultInjection(kind: kind, count: 2, path: "/v1/developments", retryAfter: 0)])
            #expect(try await connector.publishStatus(development: development) == expected)
            #expect(try live.faults(.propq).injectedCounts[kind.name] == 2)
        }
    }

    @Test func lostUnitUpdateIsResent() async throws {
        try await withLiveSandbox([.propq]) { live in
            let owned = try await Self.owned(live)
            let development = try #require(owned.developmentIDs.first)
            let unit = try #require(owned.unitNames[development]?.first)
            let connector = try Self.propq(try live.connector(.propq) { $0.retry = Self.quickRetry })
            try live.faults(.propq).enqueue([FaultInjection(kind: .lost, method: "POST", path: "/v1/developments")])
            try await connector.updateUnit(
                development: development, unitName: unit, changes: UnitChanges(status: .reserved, price: 5000, directions: []))
            #expect(live.sandbox.writeLog.entries(vendor: .propq, resource: "units", operation: .update).count == 2)
        }
    }

    /// A vendor that never answers, resets on every attempt, or sends a truncated body: each a
    /// classified error.
    @Test func unrecoverableFaultsAreClassified() async throws {
        let settings = EmulatorSettings(faults: FaultPlan(timeoutHold: .seconds(5)))
        try await withLiveSandbox([.propq], settings: settings) { live in
            let development = try #require(try await Self.owned(live).developmentIDs.first)
            let connector = try Self.propq(
                try live.connector(.propq) {
                    $0.retry = RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10), maxDelay: .milliseconds(20))
                    $0.timeouts = .init(request: .seconds(1))
                })
            try await connector.verify()
            let faults = try live.faults(.propq)

            faults.enqueue([FaultInjection(kind: .timeout, count: 2, path: "/v1/developments")])
            let timeout = await connectorError { _ = try await connector.publishStatus(development: development) }
            #expect(timeout?.kind == .retryable)
            #expect(timeout?.vendor == .propq)

            faults.enqueue([FaultInjection(kind: .reset, count: 2, path: "/v1/developments")])
            let reset = await connectorError { _ = try await connector.publishStatus(development: development) }
            #expect(reset?.kind == .retryable)

            faults.enqueue([FaultInjection(kind: .garbage, path: "/v1/developments")])
            let garbage = await connectorError { _ = try await connector.publishStatus(development: development) }
            #expect(garbage?.kind == .invalidResponse)
        }
    }

    /// The token expires between two pages of a development read (the vendor's clock moves past
    /// the token's lifetime): one renewal, and the read completes.
    @Test func tokenExpiringMidPaginationIsRenewed() async throws {
        let clock = SandboxClock.manual()
        try await withLiveSandbox([.propq], settings: EmulatorSettings(tokenTTL: .seconds(3600)), clock: clock) { live in
            let owned = try await Self.owned(live)
            let known = Array(owned.developmentIDs.prefix(5))
            let ids = (1...25).map { "NOPE-\($0)" } + known
            let connector = try live.connector(.propq) { $0.options["development_ids"] = ids.joined(separator: ",") }
            var records = 0
            var pages = 0
            for try await page in connector.read(Development.self, mode: .full, after: nil) {
                records += page.records.count
                pages += 1
                if pages == 1 { clock.advance(by: .seconds(7200)) }
            }
            #expect(pages == 2)
            #expect(records == known.count)
            #expect(live.traffic.count(path: Self.tokenPath) == 2)
        }
    }

    /// Concurrent calls on a new connection share one token request; after the tokens expire at
    /// the vendor, concurrent calls share one renewal.
    @Test func concurrentRequestsShareOneRenewal() async throws {
        let clock = SandboxClock.manual()
        try await withLiveSandbox([.propq], settings: EmulatorSettings(tokenTTL: .seconds(3600)), clock: clock) { live in
            let development = try #require(try await Self.owned(live).developmentIDs.first)
            let connector = try Self.propq(try live.connector(.propq))
            try await Self.concurrentStatus(connector, development, times: 8)
            #expect(live.traffic.count(path: Self.tokenPath) == 1)
            clock.advance(by: .seconds(7200))
            try await Self.concurrentStatus(connector, development, times: 8)
            #expect(live.traffic.count(path: Self.tokenPath) == 2)
        }
    }

    static func concurrentStatus(_ connector: ResalesOnlineConnector, _ development: String, times: Int) async throws {
        try await withThrowingTaskGroup(of: PublishStatus.self) { group in
            for _ in 0..<times { group.addTask { try await connector.publishStatus(development: development) } }
            var statuses: Set<PublishStatus> = []
            for try await status in group { statuses.insert(status) }
            #expect(statuses.count == 1)
        }
    }

    /// A 429 with `Retry-After: 1` makes the call wait about a second, then it succeeds.
    @Test func retryAfterIsHonoured() async throws {
        try await withLiveSandbox([.propq]) { live in
            let development = try #require(try await Self.owned(live).developmentIDs.first)
            let connector = try Self.propq(try live.connector(.propq))
            let expected = try await connector.publishStatus(development: development)
            try live.faults(.propq).enqueue([FaultInjection(kind: .rateLimited, path: "/v1/developments", retryAfter: 1)])
            let started = ContinuousClock.now
            #expect(try await connector.publishStatus(development: development) == expected)
            let elapsed = ContinuousClock.now - started
            #expect(elapsed >= .milliseconds(950))
            #expect(elapsed < .seconds(8))
        }
    }
}
