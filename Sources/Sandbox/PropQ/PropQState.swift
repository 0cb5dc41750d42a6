import Foundation
import RealtyModel

/// The state of the PropQ emulator: API clients, issued tokens, developments and their units.
///
/// Field names follow the vendor's prefixed PascalCase (`Unt*`, `Dev*`). The seed documents only
/// `UntName`, `UntStatus`, `UntPrice`, `UntDirections` and `DevStatus`; the other fields
/// (`UntId`, `DevId`, `DevName`, `DevLocation`, `UntUpdatedAt`, `DevUpdatedAt`) are this emulator's
/// reading, in the same style, so that the control API can show the whole state.
actor PropQState {
    /// An OAuth2 client of the API.
    struct Client: Sendable {
        var id: Int
        var secret: String
        var name: String
        var email: String
    }

    /// An issued bearer token.
    struct Token: Sendable {
        var clientID: Int
        var expiresAt: Date
    }

    /// A unit of a development, updated by its name.
    struct Unit: Sendable {
        var id: Int
        var name: String
        /// 1 AVAILABLE, 2 HOLD, 4 SOLD, 8 RESERVED (the seed's enum).
        var status: Int
        /// Kept as the number the client sent (integer or decimal).
        var price: JSONValue
        /// The element type is not documented (the sample is an empty array); values are kept as sent.
        var directions: [JSONValue]
        var updatedAt: Date
    }

    /// A new-build development project.
    struct Development: Sendable {
        var id: String
        var name: String
        var location: String
        var ownerClientID: Int
        var units: [Unit]
        /// When the last publish was requested; `nil` when never published.
        var publishRequestedAt: Date?
        var updatedAt: Date
    }

    /// The documented unit statuses and their names.
    static let unitStatuses: [Int: String] = [1: "AVAILABLE", 2: "HOLD", 4: "SOLD", 8: "RESERVED"]

    /// Directions used for seeded units; clients may send any strings or numbers.
    static let seededDirections = [
        "North", "North East", "East", "South East", "South", "South West", "West", "North West",
    ]

    /// The demo client: the PHP example in the seed uses client id 5.
    static let demoClientID = 5
    /// A second client that owns one development, so that 403 can be exercised.
    static let otherClientID = 6
    /// The development owned by ``otherClientID``.
    static let otherClientDevelopmentID = "9001"

    private let settings: EmulatorSettings
    private let clock: SandboxClock
    /// When the data was seeded; `reset` restores exactly that state, timestamps included.
    private let seededAt: Date
    private var clients: [Int: Client] = [:]
    private var tokens: [String: Token] = [:]
    private var developments: [Development] = []
    private var nextUnitID = 1
    private var nextDevelopmentNumber = 1001
    private var controlGenerator: SeededGenerator

    init(settings: EmulatorSettings, clock: SandboxClock) {
        self.settings = settings
        self.clock = clock
        self.controlGenerator = SeededGenerator(seed: settings.seed, stream: "propq/control")
        let start = clock.now
        self.seededAt = start
        let seeded = Self.seed(settings: settings, now: start)
        self.clients = seeded.clients
        self.developments = seeded.developments
        self.nextUnitID = seeded.nextUnitID
        self.nextDevelopmentNumber = seeded.nextDevelopmentNumber
    }

    // MARK: - Seeding

    private struct Seeded {
        var clients: [Int: Client]
        var developments: [Development]
        var nextUnitID: Int
        var nextDevelopmentNumber: Int
    }

    /// The secret of a seeded client, derived from the run seed so it is stable per seed.
    static func secret(clientID: Int, seed: UInt64) -> String {
        var generator = SeededGenerator(seed: seed, stream: "propq/secret/\(clientID)")
        return generator.hexToken(bytes: 20)
    }

    /// Most developments seeded, whatever `records` asks for. A developer account holds a handful
    /// of developments (each with its few units), so PropQ keeps its seeded set in memory and
    /// bounded instead of deriving records on demand as the other emulators do.
    static let maxSeededDevelopments = 1_000

    private static func seed(settings: EmulatorSettings, now: Date) -> Seeded {
        let clients: [Int: Client] = [
            demoClientID: Client(
                id: demoClientID, secret: secret(clientID: demoClientID, seed: settings.seed),
                name: "RealtyHub Demo Developer", email: "developer@example.com"),
            otherClientID: Client(
                id: otherClientID, secret: secret(clientID: otherClientID, seed: settings.seed),
                name: "Other Developer", email: "other.developer@example.org"),
        ]
        var generator = SeededGenerator(seed: settings.seed, stream: "propq/developments")
        var developments: [Development] = []
        var nextUnitID = 1
        var number = 1001
        for index in 0..<min(max(settings.records, 0), maxSeededDevelopments) {
            var development = makeDevelopment(
                id: String(number), owner: demoClientID, nextUnitID: &nextUnitID, now: now, using: &generator)
            // Two thirds of the seeded developments have been published long ago.
            if index % 3 != 2 {
                development.publishRequestedAt = now.addingTimeInterval(-86_400 * Double(1 + index))
            }
            developments.append(development)
            number += 1
        }
        let other = makeDevelopment(
            id: otherClientDevelopmentID, owner: otherClientID, nextUnitID: &nextUnitID, now: now, using: &generator)
        developments.append(other)
        return Seeded(clients: clients, developments: developments, nextUnitID: nextUnitID, nextDevelopmentNumber: number)
    }

    private static func makeDevelopment(
        id: String, owner: Int, nextUnitID: inout Int, now: Date, using generator: inout SeededGenerator
    ) -> Development {
        let spanish = FakeData.cities.filter { $0.country == "ES" }
        let city = FakeData.pick(spanish, using: &generator)?.city ?? "Marbella"
        let street = FakeData.pick(FakeData.streets, using: &generator) ?? "Avenida del Mar"
        let suffix = FakeData.pick(["Residences", "Heights", "Gardens", "Views", "Collection"], using: &generator) ?? "Residences"
        let unitCount = Int.random(in: 3...8, using: &generator)
        var units: [Unit] = []
        for position in 0..<unitCount {
            units.append(makeUnit(id: nextUnitID, name: unitName(position: position), now: now, using: &generator))
            nextUnitID += 1
        }
        return Development(
            id: id, name: "\(street) \(suffix)", location: city, ownerClientID: owner, units: units,
            publishRequestedAt: nil, updatedAt: now)
    }

    /// Unit names such as `A-101`, `A-102`, ..., `B-101`: a block letter, a floor and a door.
    static func unitName(position: Int) -> String {
        let blocks = Array("ABCDEFGHJK")
        let block = blocks[(position / 12) % blocks.count]
        let floor = 1 + (position % 12) / 4
        let door = 1 + position % 4
        let suffix = position >= 12 * blocks.count ? "-\(position / (12 * blocks.count))" : ""
        return "\(block)-\(floor)0\(door)\(suffix)"
    }

    private static func makeUnit(id: Int, name: String, now: Date, using generator: inout SeededGenerator) -> Unit {
        let statuses = [1, 1, 1, 2, 4, 8]
        let directionCount = Int.random(in: 1...2, using: &generator)
        var directions: [JSONValue] = []
        for _ in 0..<directionCount {
            if let direction = FakeData.pick(seededDirections, using: &generator), !directions.contains(.string(direction)) {
                directions.append(.string(direction))
            }
        }
        return Unit(
            id: id, name: name, status: FakeData.pick(statuses, using: &generator) ?? 1,
            price: .int(FakeData.price(in: 180_000...2_500_000, using: &generator)),
            directions: directions, updatedAt: now)
    }

    // MARK: - Clients and tokens

    /// The credentials of a client, for `demoCredentials` and tests.
    nonisolated static func credentials(clientID: Int, seed: UInt64) -> (id: Int, secret: String) {
        (clientID, secret(clientID: clientID, seed: seed))
    }

    /// Checks a client's credentials.
    func authenticate(clientID: Int, secret: String) -> Client? {
        guard let client = clients[clientID], Self.constantTimeEquals(client.secret, secret) else { return nil }
        return client
    }

    /// Issues a bearer token to a client; returns the token and its lifetime in seconds.
    func issueToken(for client: Client) -> (token: String, expiresIn: Int) {
        // The seed: "Currently, this value always be 2592000 (30 days)". Bounded to a century so
        // an extreme setting cannot overflow the token's `exp`.
        let lifetime = min(settings.tokenTTL?.timeInterval ?? 2_592_000, 3_153_600_000)
        let expiresIn = max(Int(lifetime.rounded(.down)), 1)
        let now = clock.now
        let token = Self.makeAccessToken(clientID: client.id, issuedAt: now, expiresIn: expiresIn)
        // Drop expired tokens so the table does not grow without end.
        tokens = tokens.filter { $0.value.expiresAt > now }
        tokens[token] = Token(clientID: client.id, expiresAt: now.addingTimeInterval(TimeInterval(expiresIn)))
        return (token, expiresIn)
    }

    /// Forgets every issued token (revoked before expiry); returns how many there were.
    func revokeAllTokens() -> Int {
        defer { tokens.removeAll() }
        return tokens.count
    }

    /// The client a bearer token belongs to, when the token is known and not expired.
    func client(forToken token: String) -> Client? {
        guard let stored = tokens[token], stored.expiresAt > clock.now else { return nil }
        return clients[stored.clientID]
    }

    /// A JWT-shaped access token (the vendor issues RS256 JWTs). The emulator does not sign it:
    /// the third segment is random, and tokens are checked by lookup, never by signature.
    private static func makeAccessToken(clientID: Int, issuedAt: Date, expiresIn: Int) -> String {
        var random = SystemRandomNumberGenerator()
        let jti = ByteEncoding.hex((0..<20).map { _ in UInt8.random(in: 0...255, using: &random) })
        let iat = Int(issuedAt.timeIntervalSince1970)
        let header: JSONValue = ["typ": "JWT", "alg": "RS256"]
        let payload: JSONValue = [
            "aud": .string(String(clientID)), "jti": .string(jti), "iat": .int(iat), "nbf": .int(iat),
            "exp": .int(iat + expiresIn), "sub": "", "scopes": [],
        ]
        let signature = Data((0..<64).map { _ in UInt8.random(in: 0...255, using: &random) })
        return [Data(header.jsonText.utf8), Data(payload.jsonText.utf8), signature].map(ByteEncoding.base64URL).joined(separator: ".")
    }

    private static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }

    // MARK: - Developments

    /// Why a development operation was refused.
    enum Refusal: Error, Equatable {
        case developmentNotFound
        case forbidden
        case unitNotFound
    }

    /// The publish status of a development at `now`: `UNPUBLISHED` before any publish request,
    /// `PUBLISHING` for `publishDuration` after the last request, then `PUBLISHED`.
    ///
    /// The seed shows only `PUBLISHING`; `PUBLISHED` and `UNPUBLISHED` are this emulator's reading.
    /// The status is computed from the elapsed time on the sandbox clock, never from a timer.
    func publishStatus(of development: Development, at now: Date) -> String {
        guard let requested = development.publishRequestedAt else { return "UNPUBLISHED" }
        return now < requested.addingTimeInterval(settings.publishDuration.timeInterval) ? "PUBLISHING" : "PUBLISHED"
    }

    private func indexOfDevelopment(_ id: String, for clientID: Int) throws(Refusal) -> Int {
        guard let index = developments.firstIndex(where: { $0.id == id }) else { throw .developmentNotFound }
        guard developments[index].ownerClientID == clientID else { throw .forbidden }
        return index
    }

    /// Updates a unit found by its name; returns the unit as the API answers it.
    func updateUnit(
        developmentID: String, clientID: Int, update: PropQUnitUpdate
    ) throws(Refusal) -> JSONValue {
        let index = try indexOfDevelopment(developmentID, for: clientID)
        guard let unitIndex = developments[index].units.firstIndex(where: { $0.name == update.name }) else {
            throw .unitNotFound
        }
        let now = clock.now
        developments[index].units[unitIndex].status = update.status
        developments[index].units[unitIndex].price = update.price
        developments[index].units[unitIndex].directions = update.directions
        developments[index].units[unitIndex].updatedAt = now
        developments[index].updatedAt = now
        return Self.render(developments[index].units[unitIndex], developmentID: developmentID)
    }

    /// Requests publication of a development.
    ///
    /// Reading: a publish request while the development is still `PUBLISHING` does not restart
    /// the run, so a client that retries after a lost answer does not delay the outcome.
    func publish(developmentID: String, clientID: Int) throws(Refusal) -> String {
        let index = try indexOfDevelopment(developmentID, for: clientID)
        let now = clock.now
        if publishStatus(of: developments[index], at: now) != "PUBLISHING" {
            developments[index].publishRequestedAt = now
            developments[index].updatedAt = now
        }
        return publishStatus(of: developments[index], at: now)
    }

    /// The publish status of a development.
    func publishStatus(developmentID: String, clientID: Int) throws(Refusal) -> String {
        let index = try indexOfDevelopment(developmentID, for: clientID)
        return publishStatus(of: developments[index], at: clock.now)
    }

    // MARK: - Rendering

    static func render(_ unit: Unit, developmentID: String) -> JSONValue {
        [
            "UntId": .int(unit.id),
            "UntName": .string(unit.name),
            "UntStatus": .int(unit.status),
            "UntPrice": unit.price,
            "UntDirections": .array(unit.directions),
            "DevId": .string(developmentID),
            "UntUpdatedAt": .string(PropQFormat.timestamp(unit.updatedAt)),
        ]
    }

    private func render(_ development: Development, now: Date) -> JSONValue {
        [
            "DevId": .string(development.id),
            "DevName": .string(development.name),
            "DevLocation": .string(development.location),
            "DevStatus": .string(publishStatus(of: development, at: now)),
            "DevUpdatedAt": .string(PropQFormat.timestamp(development.updatedAt)),
            "ClientId": .int(development.ownerClientID),
            "Units": .array(development.units.map { Self.render($0, developmentID: development.id) }),
        ]
    }

    // MARK: - Control operations

    /// The resources the control API knows.
    static let controlResources = ["developments", "units"]

    func control(_ request: ControlRequest) throws -> ControlResponse {
        let now = clock.now
        switch request {
        case .list(let resource):
            switch resource {
            case "developments":
                return ControlResponse(ids: developments.map(\.id), records: developments.map { render($0, now: now) })
            case "units":
                let pairs = developments.flatMap { development in development.units.map { (development.id, $0) } }
                return ControlResponse(
                    ids: pairs.map { String($0.1.id) }, records: pairs.map { Self.render($0.1, developmentID: $0.0) })
            default:
                throw ControlError.unknownResource(resource, known: Self.controlResources)
            }
        case .mutate(let resource, let count):
            return try mutate(resource: resource, count: count, now: now)
        case .insert(let resource, let count):
            return try insert(resource: resource, count: count, now: now)
        case .delete(let resource, let count):
            return try delete(resource: resource, count: count)
        case .reset:
            let seeded = Self.seed(settings: settings, now: seededAt)
            clients = seeded.clients
            developments = seeded.developments
            nextUnitID = seeded.nextUnitID
            nextDevelopmentNumber = seeded.nextDevelopmentNumber
            tokens = [:]
            controlGenerator = SeededGenerator(seed: settings.seed, stream: "propq/control")
            return ControlResponse()
        case .custom:
            throw ControlError.unsupported(request)
        }
    }

    /// All (development index, unit index) pairs, in order.
    private var unitPositions: [(Int, Int)] {
        developments.indices.flatMap { d in developments[d].units.indices.map { (d, $0) } }
    }

    private func mutate(resource: String, count: Int, now: Date) throws -> ControlResponse {
        switch resource {
        case "developments":
            var ids: [String] = []
            for index in Self.choose(count, from: developments.count, using: &controlGenerator) {
                let base = developments[index].name.components(separatedBy: " (phase ").first ?? developments[index].name
                let phase = Int.random(in: 2...9, using: &controlGenerator)
                developments[index].name = "\(base) (phase \(phase))"
                developments[index].updatedAt = now
                ids.append(developments[index].id)
            }
            return ControlResponse(ids: ids)
        case "units":
            var ids: [String] = []
            let positions = unitPositions
            for pick in Self.choose(count, from: positions.count, using: &controlGenerator) {
                let (d, u) = positions[pick]
                let oldPrice = developments[d].units[u].price.strictDouble ?? 0
                let newPrice = Int((oldPrice * 1.05 / 1000).rounded()) * 1000
                developments[d].units[u].price = .int(newPrice == Int(oldPrice) ? newPrice + 1000 : newPrice)
                developments[d].units[u].updatedAt = now
                developments[d].updatedAt = now
                ids.append(String(developments[d].units[u].id))
            }
            return ControlResponse(ids: ids)
        default:
            throw ControlError.unknownResource(resource, known: Self.controlResources)
        }
    }

    private func insert(resource: String, count: Int, now: Date) throws -> ControlResponse {
        switch resource {
        case "developments":
            var ids: [String] = []
            for _ in 0..<count {
                let development = Self.makeDevelopment(
                    id: String(nextDevelopmentNumber), owner: Self.demoClientID, nextUnitID: &nextUnitID, now: now,
                    using: &controlGenerator)
                nextDevelopmentNumber += 1
                developments.append(development)
                ids.append(development.id)
            }
            return ControlResponse(ids: ids)
        case "units":
            guard !developments.isEmpty || count == 0 else {
                throw ControlError(.invalidRequest, "there is no development to add units to")
            }
            var ids: [String] = []
            for _ in 0..<count {
                let index = Int.random(in: 0..<developments.count, using: &controlGenerator)
                let existing = Set(developments[index].units.map(\.name))
                var position = developments[index].units.count
                while existing.contains(Self.unitName(position: position)) { position += 1 }
                let unit = Self.makeUnit(
                    id: nextUnitID, name: Self.unitName(position: position), now: now, using: &controlGenerator)
                nextUnitID += 1
                developments[index].units.append(unit)
                developments[index].updatedAt = now
                ids.append(String(unit.id))
            }
            return ControlResponse(ids: ids)
        default:
            throw ControlError.unknownResource(resource, known: Self.controlResources)
        }
    }

    private func delete(resource: String, count: Int) throws -> ControlResponse {
        switch resource {
        case "developments":
            let chosen = Set(Self.choose(count, from: developments.count, using: &controlGenerator))
            let ids = developments.indices.filter(chosen.contains).map { developments[$0].id }
            developments = developments.indices.filter { !chosen.contains($0) }.map { developments[$0] }
            return ControlResponse(ids: ids)
        case "units":
            let positions = unitPositions
            let chosen = Self.choose(count, from: positions.count, using: &controlGenerator).map { positions[$0] }
            let ids = chosen.map { String(developments[$0.0].units[$0.1].id) }
            let removed = Set(ids)
            for index in developments.indices {
                developments[index].units.removeAll { removed.contains(String($0.id)) }
            }
            return ControlResponse(ids: ids)
        default:
            throw ControlError.unknownResource(resource, known: Self.controlResources)
        }
    }

    /// `count` distinct indices of `0..<total` (all of them when `count >= total`), in ascending order.
    static func choose(_ count: Int, from total: Int, using generator: inout SeededGenerator) -> [Int] {
        guard count < total else { return Array(0..<total) }
        var indices = Array(0..<total)
        indices.shuffle(using: &generator)
        return indices.prefix(max(count, 0)).sorted()
    }
}

/// The validated body of `update-by-name`.
struct PropQUnitUpdate: Sendable, Equatable {
    var name: String
    var status: Int
    var price: JSONValue
    var directions: [JSONValue]
}

/// Date rendering of the PropQ emulator (UTC, `yyyy-MM-dd HH:mm:ss`, as Laravel serialises).
enum PropQFormat {
    private static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? .current
        return calendar
    }()

    static func timestamp(_ date: Date) -> String {
        let parts = utcCalendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1,
            parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
    }
}
