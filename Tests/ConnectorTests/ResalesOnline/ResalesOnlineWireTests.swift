import Foundation
import RealtyModel
import Testing

@testable import ResalesOnlineConnector

@Suite struct ResalesOnlineWireTests {
    /// The request sample of `update-by-name`, field for field.
    @Test func unitUpdateBodyMatchesTheDocumentSample() throws {
        let body = UnitUpdateBody(unitName: "Test", changes: UnitChanges(status: .available, price: 123456, directions: []))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(body), as: UTF8.self)
        #expect(text == #"{"UntDirections":[],"UntName":"Test","UntPrice":123456,"UntStatus":1}"#)
    }

    @Test func unitStatusNumbers() {
        #expect(UnitStatus.allCases.map(\.rawValue) == [1, 2, 4, 8])
        #expect(UnitStatus.allCases.map(\.name) == ["AVAILABLE", "HOLD", "SOLD", "RESERVED"])
        for status in UnitStatus.allCases {
            #expect(UnitStatus(standardStatus: status.standardStatus) == status)
        }
        #expect(UnitStatus(standardStatus: "Withdrawn") == nil)
    }

    @Test func unitChangesValidation() {
        let changes = UnitChanges(status: .sold, price: -1, directions: ["South"])
        #expect(changes.validate(unitName: " ").map(\.field) == ["UntName", "UntPrice"])
        #expect(UnitChanges(status: .hold, price: 10, directions: []).validate(unitName: "A-1").isEmpty)
        #expect(UnitChanges(status: .hold, price: .nan, directions: []).validate(unitName: "A-1").map(\.field) == ["UntPrice"])
    }

    /// The response sample of `publish-status`.
    @Test func publishStatusFromTheDocumentSample() throws {
        let json = try JSONDecoder().decode(JSONValue.self, from: Data(#"{"DevStatus": "PUBLISHING"}"#.utf8))
        let body = try PublishStatusBody(json: json)
        #expect(body.status == .publishing)
        #expect(body.status.isInProgress)
        #expect(!PublishStatus.published.isInProgress)
        #expect(PublishStatus(rawValue: "QUEUED").rawValue == "QUEUED")
        #expect(throws: ResalesOnlineWireError.self) { try PublishStatusBody(json: .object([:])) }
    }

    @Test func laravelValidationBody() throws {
        let body = try #require(
            ResalesOnlineErrorBody(
                data: Data(
                    #"""
                    {"message": "The given data was invalid.",
                     "errors": {"UntPrice": ["The unt price must be a number."], "UntName": ["The unt name field is required.", "Unknown unit."]}}
                    """#.utf8)))
        #expect(body.message == "The given data was invalid.")
        #expect(
            body.fieldErrors == [
                FieldError(field: "UntName", message: "The unt name field is required."),
                FieldError(field: "UntName", message: "Unknown unit."),
                FieldError(field: "UntPrice", message: "The unt price must be a number."),
            ])
        let list = try #require(
            ResalesOnlineErrorBody(data: Data(#"{"errors": ["bad", {"field": "UntStatus", "message": "invalid"}]}"#.utf8)))
        #expect(list.fieldErrors == [FieldError(field: "", message: "bad"), FieldError(field: "UntStatus", message: "invalid")])
        #expect(ResalesOnlineErrorBody(data: Data("<html>".utf8)) == nil)
        let oauth = try #require(
            ResalesOnlineErrorBody(data: Data(#"{"error": "invalid_client", "error_description": "Client authentication failed"}"#.utf8)))
        #expect(oauth.message == "invalid_client")
    }
}
