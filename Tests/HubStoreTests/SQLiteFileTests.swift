import Foundation
import GRDB
import HubStore
import HubTestSupport
import RealtyModel
import Testing

@testable import HubStoreSQLite

/// Behaviour that depends on the database being a real file: reopening, migrations across
/// versions, and what is (not) written to disk.
@Suite struct SQLiteFileTests {
    static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-tests-\(UUID().uuidString)")
    }

    @Test func migratesFreshThenReopensExisting() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let box = try SecretBox(keys: [SecretKey.generate().key])
        do {
            let store = try SQLiteHubStore(directory: directory, secretBox: box)
            let status = try await store.schemaStatus()
            #expect(status.isCurrent)
            #expect(status.applied == SQLiteHubStore.knownMigrations)
            _ = try await store.createTenant(id: "t1", name: "One")
        }
        let reopened = try SQLiteHubStore(directory: directory, secretBox: box)
        #expect(try await reopened.schemaStatus().isCurrent)
        #expect(try await reopened.tenant(id: "t1")?.name == "One")
        let inspection = try SQLiteHubStore.inspect(directory: directory)
        #expect(inspection.exists && inspection.schema?.isCurrent == true)
    }

    @Test func refusesDatabaseFromNewerBinary() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let box = try SecretBox(keys: [SecretKey.generate().key])
        do {
            let store = try SQLiteHubStore(directory: directory, secretBox: box)
            try await store.writer.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('2099-01-01-from-the-future')")
            }
        }
        #expect {
            _ = try SQLiteHubStore(directory: directory, secretBox: box)
        } throws: { error in
            guard let error = error as? StoreError, error.code == .schemaTooNew else { return false }
            return error.message.contains("2099-01-01-from-the-future")
        }
    }

    @Test func wrongKeyIsAClearError() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let right = try SecretBox(keys: [SecretKey.generate().key])
        let store = try SQLiteHubStore(directory: directory, secretBox: right)
        try await store.checkSecretKey()
        _ = try await store.createTenant(id: "t1", name: "One")
        let now = Date()
        _ = try await store.saveConnection(
            Connection(id: "c1", tenantID: "t1", vendor: "apimo", name: "A", baseURL: "http://x", createdAt: now, updatedAt: now),
            credentials: Data("token".utf8))

        let wrong = try SecretBox(keys: [SecretKey.generate().key])
        let wrongStore = try SQLiteHubStore(directory: directory, secretBox: wrong)
        await #expect {
            try await wrongStore.checkSecretKey()
        } throws: { error in
            guard let error = error as? StoreError, error.code == .secretKey else { return false }
            return error.message.contains("wrong key") && error.message.contains(right.currentKeyID)
        }
        await #expect {
            _ = try await wrongStore.credentials(connectionID: "c1", tenant: "t1")
        } throws: { error in
            (error as? StoreError)?.code == .secretKey
        }
        // Rotation: the new key first, the old one still configured, opens old secrets.
        let rotated = try SecretBox(keys: wrong.keys + right.keys)
        let rotatedStore = try SQLiteHubStore(directory: directory, secretBox: rotated)
        try await rotatedStore.checkSecretKey()
        #expect(try await rotatedStore.credentials(connectionID: "c1", tenant: "t1") == Data("token".utf8))
    }

    /// A delivery written before record writes existed reads back with none of their fields.
    @Test func deliveriesFromBeforeRecordWritesReadBack() async throws {
        let queue = try DatabaseQueue()
        try SQLiteMigrations.migrator.migrate(queue, upTo: "2026-12-04-2-connection-options")
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'One', '2026-12-01T00:00:00.000Z');
                    INSERT INTO deliveries (id, tenant_id, connection_id, kind, payload, state, attempts, max_attempts,
                        last_error, created_at, updated_at, completed_at)
                    VALUES ('d1', 't1', 'c1', 'lead.create', X'7B7D', 'dead', 3, 3, 'HTTP 503',
                        '2026-12-01T00:00:00.000Z', '2026-12-01T00:01:00.000Z', '2026-12-01T00:01:00.000Z');
                    """)
        }
        let store = try SQLiteHubStore(writer: queue, secretBox: SecretBox(keys: [SecretKey.generate().key]))
        #expect(try await store.schemaStatus().applied == SQLiteHubStore.knownMigrations)
        let old = try #require(try await store.delivery(id: "d1", tenant: "t1"))
        #expect(old.state == .dead && old.lastError == "HTTP 503" && old.payload == Data("{}".utf8))
        #expect(old.recordKey == nil && old.errorCode == nil && old.conflict == nil && old.force == false)
        let retried = try await store.retryDelivery(id: "d1", tenant: "t1", force: true, now: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(retried.state == .pending && retried.force && retried.attempts == 0)
    }

    @Test func rawDatabaseFileDoesNotContainTheSecret() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let secret = "pf-api-secret-\(UUID().uuidString)"
        do {
            let store = try SQLiteHubStore(directory: directory, secretBox: SecretBox(keys: [SecretKey.generate().key]))
            _ = try await store.createTenant(id: "t1", name: "One")
            let now = Date()
            _ = try await store.saveConnection(
                Connection(id: "c1", tenantID: "t1", vendor: "pf-expert", name: "PF", baseURL: "http://x", createdAt: now, updatedAt: now),
                credentials: Data(#"{"api_key":"k","api_secret":"\#(secret)"}"#.utf8))
            // A webhook signing secret is sealed the same way.
            try await store.createWebhook(
                WebhookSubscription(
                    id: "wh_1", tenantID: "t1", clientID: nil, url: "https://hooks.example.com/", events: ["*"], scopes: ["*:read"],
                    cursor: 0, createdAt: now),
                secret: "whsec_\(secret)")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(!files.isEmpty)
        for file in files {
            let bytes = try Data(contentsOf: directory.appendingPathComponent(file))
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(file) holds the secret in clear")
        }
    }

    @Test func everyModelFieldHasAColumn() async throws {
        let store = try SQLiteHubStore.inMemory(secretBox: SecretBox(keys: [SecretKey.generate().key]))
        func columns(_ table: String) async throws -> Set<String> {
            try await store.writer.read { db in Set(try db.columns(in: table).map(\.name)) }
        }
        func expectColumns<R: HubRecord>(_ type: R.Type) async throws {
            let present = try await columns(R.resource.rawValue)
            let wanted = R.fields.map(\.name) + MetadataFieldNames(R.resource).all
            for name in wanted {
                #expect(present.contains(name), "\(R.resource.rawValue) lacks a column for \(name)")
            }
        }
        try await expectColumns(Member.self)
        try await expectColumns(Office.self)
        try await expectColumns(Team.self)
        try await expectColumns(TeamMember.self)
        try await expectColumns(Contact.self)
        try await expectColumns(Property.self)
        try await expectColumns(Development.self)
        try await expectColumns(Activity.self)
    }
}

@Suite struct DeliveryStateMachineTests {
    @Test func everyTransition() {
        let allowed: [DeliveryState: [DeliveryTransition: DeliveryState]] = [
            .pending: [.claim: .inFlight],
            .retryWait: [.claim: .inFlight],
            .inFlight: [.claim: .inFlight, .succeed: .done, .failRetryable: .retryWait, .failPermanently: .dead, .conflict: .conflict],
            .dead: [.retry: .pending],
            .conflict: [.retry: .pending],
            .done: [:],
        ]
        let transitions: [DeliveryTransition] = [.claim, .succeed, .failRetryable, .failPermanently, .conflict, .retry]
        for state in DeliveryState.allCases {
            for transition in transitions {
                #expect(
                    DeliveryTransition.next(from: state, on: transition) == allowed[state]?[transition],
                    "\(state) on \(transition)")
            }
        }
    }
}

@Suite struct SecretBoxTests {
    @Test func sealOpenRoundTripAndContextBinding() throws {
        let box = try SecretBox(keys: [SecretKey.generate().key])
        let sealed = try box.seal(Data("hunter2".utf8), context: "connection:a")
        #expect(try box.open(sealed, context: "connection:a") == Data("hunter2".utf8))
        #expect(throws: StoreError.self) { try box.open(sealed, context: "connection:b") }
        var tampered = sealed
        tampered.combined[tampered.combined.count - 1] ^= 0xff
        #expect(throws: StoreError.self) { try box.open(tampered, context: "connection:a") }
    }

    @Test func parsesKeysAndRejectsBadOnes() throws {
        let (key, encoded) = try SecretKey.generate()
        #expect(try SecretKey(encoded: encoded).id == key.id)
        #expect(try SecretKey(encoded: String(repeating: "ab", count: 32)).id.count == 16)
        #expect(throws: StoreError.self) { try SecretKey(encoded: "short") }
        #expect(throws: StoreError.self) { try SecretKey(encoded: Data(count: 16).base64EncodedString()) }
        #expect(throws: StoreError.self) { try SecretBox(keys: []) }
    }
}
