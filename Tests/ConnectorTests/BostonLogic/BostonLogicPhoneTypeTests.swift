import ConnectorKit
import Foundation
import RealtyModel
import Testing

@testable import BostonLogicConnector

/// A lead's single `phone` is the number its `phone_type` (a lead enumeration) names, read and
/// written that way.
@Suite struct BostonLogicPhoneTypeTests {
    @Test(arguments: [
        ("mobile", "MobilePhone"), ("Home", "HomePhone"), ("work", "OfficePhone"), ("", "MobilePhone"), ("pager", "MobilePhone"),
    ])
    func theLeadsPhoneGoesWhereItsTypeSays(type: String, field: String) throws {
        let json = try blJSON(#"{"id": 7, "first_name": "Ann", "phone": "617-555-0123", "phone_type": "\#(type)"}"#)
        let contact = BostonLogicMapping.contact(try BLLead(json: json))
        for name in ["MobilePhone", "HomePhone", "OfficePhone"] {
            let value = Contact.fields.first { $0.name == name }?.value(in: contact)
            #expect(value == (name == field ? .string("617-555-0123") : .null), "\(name)")
        }
    }

    @Test func aLeadWithOnlyAHomeNumberIsWrittenAsHomeAndReadBackSo() throws {
        var contact = Contact()
        contact.firstName = "Ann"
        contact.homePhone = "617-555-0150"
        guard case .object(var body) = BostonLogicMapping.leadBody(contact) else {
            Issue.record("the lead body is not an object")
            return
        }
        #expect(body["phone"] == .string("617-555-0150"))
        #expect(body["phone_type"] == .string("home"))
        body["id"] = .number(1)
        let back = BostonLogicMapping.contact(try BLLead(json: .object(body)))
        #expect(back.homePhone == "617-555-0150")
        #expect(back.mobilePhone == nil)
    }

    @Test func aMobileNumberIsWrittenAsMobile() {
        var contact = Contact()
        contact.mobilePhone = "617-555-0101"
        contact.officePhone = "617-555-0103"
        guard case .object(let body) = BostonLogicMapping.leadBody(contact) else {
            Issue.record("the lead body is not an object")
            return
        }
        #expect(body["phone"] == .string("617-555-0101"))
        #expect(body["phone_type"] == .string("mobile"))
        #expect(body["work_phone"] == .string("617-555-0103"))
    }
}
