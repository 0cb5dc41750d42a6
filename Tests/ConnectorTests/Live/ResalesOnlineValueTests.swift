import ConnectorKit
import Foundation
import RealtyModel
import ResalesOnlineConnector
import Sandbox
import Testing

/// PropQ's connector compared field by field with the PropQ emulator's developments.
///
/// The document (`seeds/001`) gives a development only its id and its publish status
/// (`GET /v1/developments/{id}/publish-status` → `{"DevStatus": …}`), so a development record
/// carries the id as its name and the status, and nothing else: the emulator's `DevName`,
/// `DevLocation` and units are not served by any documented read and must stay empty.
@Suite struct ResalesOnlineValueTests {
    @Test func developmentsCarryTheEmulatorsPublishStatus() async throws {
        // A still clock: the publishing development stays `PUBLISHING` between the two readings.
        try await withLiveSandbox([.propq], clock: .manual()) { live in
            let owned = try await ResalesOnlineLiveTests.owned(live)
            let tracked = valueSample(owned.developmentIDs)
            try #require(!tracked.isEmpty)
            // One development publishing, so more than one status is compared.
            let connector = try live.connector(.propq) { $0.options["development_ids"] = tracked.joined(separator: ",") }
            let propq = try ResalesOnlineLiveTests.propq(connector)
            _ = try await propq.publish(development: tracked[0])
            let read = try await connector.readAll(Development.self).records
            let stored = byID(try await emulatorRecords(live, .propq, "developments"), key: "DevId")
            #expect(read.count == tracked.count)
            for development in read {
                let id = try #require(development.metadata.sourceKey)
                #expect(tracked.contains(id))
                let record = try #require(stored[id])
                var expected = ExpectedValues()
                expected.text("DevelopmentName", id)
                expected.text("DevelopmentStatus", VendorJSON.text(record, "DevStatus"))
                expectValues(development, expected, source: ("propq", id))
                #expect(development.metadata.raw?["DevStatus"] == record["DevStatus"])
            }
            #expect(Set(read.compactMap(\.developmentStatus)).count >= 2, "the published development and the others differ")
        }
    }
}
