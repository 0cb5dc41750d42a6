import Foundation
import HubStore
import HubStoreSQLite
import HubTestSupport
import Testing

@Suite struct SQLiteContractTests {
    static func newStore() throws -> SQLiteHubStore {
        try SQLiteHubStore.inMemory(secretBox: SecretBox(keys: [SecretKey.generate().key]))
    }

    @Test(arguments: StoreContract.checks.map(\.name))
    func contract(_ name: String) async throws {
        let check = try #require(StoreContract.checks.first { $0.name == name })
        try await check.run(try Self.newStore())
    }
}
