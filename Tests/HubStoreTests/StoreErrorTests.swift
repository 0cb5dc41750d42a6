import HubStore
import Testing

/// Store errors are values with stable codes: the factories keep the old case names, the
/// description keeps its wording, and the underlying cause shows only in `debugDescription`.
@Suite struct StoreErrorTests {
    struct DriverError: Error, CustomStringConvertible {
        var description: String { "driver detail" }
    }

    @Test func factoriesCarryTheirCodeAndTheOldWording() {
        let cases: [(StoreError, StoreError.Code, String)] = [
            (.notFound("tenant t9"), .notFound, "not found: tenant t9"),
            (.conflict("tenant t1 exists"), .conflict, "conflict: tenant t1 exists"),
            (.invalidQuery("sort"), .invalidQuery, "invalid query: sort"),
            (.invalidTransition("delivery d1 is done"), .invalidTransition, "invalid delivery transition: delivery d1 is done"),
            (.schemaTooNew("m9"), .schemaTooNew, "database schema is newer than this binary: m9"),
            (.secretKey("wrong key"), .secretKey, "secret key: wrong key"),
            (.storage("disk full"), .storage, "storage: disk full"),
        ]
        for (error, code, description) in cases {
            #expect(error.code == code)
            #expect(error.description == description)
            #expect(error.shortDescription == code.rawValue)
        }
        #expect(Set(cases.map(\.1.rawValue)).count == cases.count, "codes are distinct")
    }

    @Test func theUnderlyingCauseStaysOutOfTheDescription() {
        let error = StoreError.storage("SQLite error 13", underlying: DriverError())
        #expect(error.description == "storage: SQLite error 13")
        #expect(!error.description.contains("driver detail"))
        #expect(error.debugDescription.contains("driver detail"))
        #expect(error == StoreError.storage("SQLite error 13"), "the cause is not part of equality")
    }
}
