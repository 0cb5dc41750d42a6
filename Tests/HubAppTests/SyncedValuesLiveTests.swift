import Foundation
import HubStore
import HubStoreSQLite
import RealtyModel
import Sandbox
import SyncEngine
import Testing

/// Values, not counts, through the whole pull path: MyCRM contacts synced by the pull runner into
/// the SQLite store and read back, compared with the emulator's records. The seed's Contacts
/// fields land in their RESO columns (`Pager`, `HomeAddress2`, `SpousePartnerName` among them),
/// and the identity fields are sealed inside `raw`, in no column.
@Suite struct SyncedValuesLiveTests {
    @Test func myCRMContactsAreStoredWithTheEmulatorsValuesAndSealedIdentityFields() async throws {
        let harness = try await SyncEngineLiveTests.Harness.start(.mycrm, records: 24)
        defer { Task { try? await harness.shutdown() } }
        let run = try await harness.runner().run(
            tenant: harness.tenant, connectionID: harness.connectionID, resource: .contacts, mode: .full)
        #expect(run.status == .succeeded, "\(run.error ?? "")")

        let emulated = try #require(try await harness.sandbox.emulator(.mycrm)?.control(.list(resource: "contacts")).records)
        let page = try await harness.store.list(Contact.self, tenant: harness.tenant, query: ListQuery(perPage: 1000))
        let keys = Dictionary(page.records.map { ($0.metadata.sourceKey ?? "", $0.metadata.key ?? "") }) { first, _ in first }
        #expect(emulated.count == 24)

        var filled: Set<String> = []
        for record in emulated {
            func text(_ name: String) -> String? {
                guard case .string(let value)? = record[name], !value.isEmpty else { return nil }
                return value
            }
            let id = try #require(text("id"))
            let key = try #require(keys[id], "\(id) was not stored")
            let stored = try #require(try await harness.store.record(Contact.self, tenant: harness.tenant, key: key))
            #expect(stored.pager == text("pager"), "\(id) Pager")
            #expect(stored.homeAddress2 == text("apart"), "\(id) HomeAddress2")
            #expect(stored.spousePartnerName == text("spouse_name"), "\(id) SpousePartnerName")
            #expect(stored.company == text("business_name"), "\(id) Company")
            #expect(stored.officePhone == text("phone"), "\(id) OfficePhone")
            #expect(stored.birthdate == text("birthday"), "\(id) Birthdate")
            for name in ["pager", "apart", "spouse_name"] where text(name) != nil { filled.insert(name) }

            let raw = try #require(stored.metadata.raw)
            for name in ["ssn", "dl_license", "dl_expdate"] {
                let secret = try #require(text(name), "\(id) has no \(name)")
                #expect(SealedField.isEnvelope(try #require(raw[name])), "\(id) \(name) sealed in raw")
                #expect(!raw.jsonText.contains(secret), "\(id) \(name) in clear in raw")
                for field in Contact.fields {
                    if case .string(let value) = field.value(in: stored) {
                        #expect(!value.contains(secret), "\(id) \(name) in \(field.name)")
                    }
                }
            }
            // What has no RESO column is kept, in clear, in raw.
            #expect(raw["csg_number"] == record["csg_number"])
            #expect(raw["mailingpobox"] == record["mailingpobox"])
        }
        #expect(filled == ["pager", "apart", "spouse_name"], "the sample covers every new column")
    }
}
