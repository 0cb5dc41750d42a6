import ApimoConnector
import BostonLogicConnector
import ConnectorKit
import Foundation
import PFExpertConnector
import RealtyModel
import ResalesOnlineConnector
import Testing

@Suite struct KitErrorClassificationTests {
    @Test func statusesMapToKinds() {
        let table: [(Int, ConnectorError.Kind?)] = [
            (200, nil), (201, nil), (204, nil), (302, .configuration), (400, .validation), (401, .auth),
            (403, .permission), (404, .notFound), (408, .retryable), (409, .conflict), (410, .notFound),
            (419, .rejected), (422, .validation), (429, .rateLimited), (500, .retryable), (502, .retryable),
            (503, .retryable),
        ]
        for (status, kind) in table {
            #expect(HTTPErrorClassifier.kind(forStatus: status) == kind, "HTTP \(status)")
        }
        #expect(ConnectorError.Kind.retryable.isRetryable)
        #expect(ConnectorError.Kind.rateLimited.isRetryable)
        #expect(!ConnectorError.Kind.auth.isRetryable)
    }

    @Test func classifyQuotesARedactedExcerptOfTheBody() throws {
        let response = TransportResponse(status: 401, body: Data(#"{"error":"bad key k-123456789","token":"abcdef"}"#.utf8))
        let error = try #require(HTTPErrorClassifier.classify(response, vendor: .apimo, redactor: Redactor(secrets: ["k-123456789"])))
        #expect(error.kind == .auth)
        #expect(error.httpStatus == 401)
        #expect(!error.description.contains("k-123456789"))
        #expect(!error.description.contains("abcdef"))
    }

    @Test func decodingErrorsBecomeInvalidResponseWithThePath() throws {
        struct User: Decodable {
            var id: Int
            var email: String
        }
        struct Page: Decodable { var users: [User] }
        let data = Data(#"{"users":[{"id":1,"email":"a@b.c"},{"id":"two","email":"d@e.f"}]}"#.utf8)
        do {
            _ = try JSONDecoder().decode(Page.self, from: data)
            Issue.record("decoding should fail")
        } catch {
            let wrapped = ConnectorError.invalidResponse(decoding: error, vendor: .pfExpert, what: "the users page", httpStatus: 200)
            #expect(wrapped.kind == .invalidResponse)
            #expect(wrapped.message.contains("users[1].id"))
            #expect(wrapped.message.contains("the users page"))
        }
        do {
            _ = try JSONDecoder().decode(Page.self, from: Data(#"{"users":[{"id":1}]}"#.utf8))
        } catch {
            #expect(DecodingErrorDescription.describe(error).contains("users[0].email: required key is missing"))
        }
    }

    @Test func descriptionsAreOneLineAndSafe() {
        let error = ConnectorError(
            .validation, vendor: .bostonLogic, message: "Office not created", httpStatus: 422, vendorCode: "failure",
            fieldErrors: [FieldError(field: "OfficeName", message: "must be unique")], retryAfter: nil,
            connectionID: "c-9", operation: "POST /api/v2/offices")
        #expect(
            error.description
                == "boston-logic validation (connection c-9, POST /api/v2/offices, HTTP 422, failure): Office not created [OfficeName: must be unique]"
        )
        #expect(error.shortDescription == "boston-logic.validation")
        #expect(error.hubError.code == .validationFailed)
        #expect(error.hubError.details.count == 1)
        let limited = ConnectorError(.rateLimited, vendor: .apimo, message: "slow down", retryAfter: .seconds(90))
        #expect(limited.description.hasSuffix("retry after 90 s"))
        let unsupported = ConnectorError.unsupported(.propq, "read Member records")
        #expect(unsupported.kind == .configuration)
        #expect(unsupported.message.hasPrefix("this connection cannot read Member records"))
    }
}
