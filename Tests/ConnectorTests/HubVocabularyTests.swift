import ConnectorKit
import RealtyModel
import Testing

@testable import BostonLogicConnector
@testable import MyCRMConnector
@testable import PFExpertConnector

/// Every connector's ContactStatus and LeadSource tables map onto the hub's one vocabulary, so a
/// value means the same thing whichever vendor a lead comes from or goes to
/// (`docs/vocabularies.md`).
@Suite struct HubVocabularyTests {
    static let contactStatusTables: [(String, [String])] = [
        ("pf-expert", PFExpertMapping.leadStatuses.hubValues),
        ("boston-logic", BostonLogicMapping.leadStatuses.hubValues),
        ("mycrm", MyCRMVocabulary.leadStatus.hubValues),
    ]
    static let leadSourceTables: [(String, [String])] = [
        ("pf-expert", PFExpertMapping.leadSources.hubValues),
        ("boston-logic", BostonLogicMapping.leadSources.hubValues),
        ("mycrm", MyCRMVocabulary.leadSource.accepted),
    ]

    @Test func everyVendorsContactStatusIsAHubValue() {
        for (vendor, values) in Self.contactStatusTables {
            let outside = values.filter { !HubVocabulary.contactStatuses.contains($0) }
            #expect(outside.isEmpty, "\(vendor) maps to ContactStatus values the hub does not define: \(outside)")
        }
    }

    @Test func everyVendorsLeadSourceIsAHubValue() {
        for (vendor, values) in Self.leadSourceTables {
            let outside = values.filter { !HubVocabulary.leadSources.contains($0) }
            #expect(outside.isEmpty, "\(vendor) maps to LeadSource values the hub does not define: \(outside)")
        }
    }

    /// One hub value means one thing: the vendors that share a source name it alike.
    @Test func sharedWordsMapToTheSameHubValue() {
        #expect(PFExpertMapping.leadSources.vendorValue("Website") == "website")
        #expect(BostonLogicMapping.leadSources.vendorValue("Website") == "website")
        #expect(MyCRMVocabulary.leadSource.vendorValue("Website") == "Web Site")
        #expect(PFExpertMapping.leadSources.vendorValue("Referral") == "referral")
        #expect(BostonLogicMapping.leadSources.vendorValue("Referral") == "referral")
        #expect(PFExpertMapping.leadStatuses.vendorValue("Qualified") == "qualified")
        #expect(BostonLogicMapping.leadStatuses.vendorValue("Qualified") == "qualified")
        #expect(MyCRMVocabulary.leadStatus.hubValue("Pre Qualified") == "Qualified")
        #expect(MyCRMVocabulary.leadStatus.hubValue("Junk Lead") == "Lost")
        #expect(MyCRMVocabulary.leadStatus.hubValue("Custom stage") == "Custom stage", "an unknown vendor word is kept")
    }

    /// A value the vendor has no word for is refused naming what that vendor accepts.
    @Test func aHubValueAVendorLacksIsAFieldErrorNamingItsValues() {
        var contact = Contact()
        contact.leadSource = "ColdCall"
        let problems = PFExpertMapping.leadWrites(contact, fields: ["LeadSource"], creating: false).problems
        #expect(problems.map(\.field) == ["LeadSource"])
        #expect(problems.first?.message.contains("Website, Referral, WalkIn, PropertyFinder, Bayut") == true)
    }
}
