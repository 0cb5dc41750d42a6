import Foundation
import HTTPTypes
import RealtyModel
import Testing

@testable import Sandbox

/// `POST` and `DELETE` of a property's pictures: the picture joins the property's `pictures[]`
/// with a new id and its rank, the property's `updated_at` moves (incremental reads see it), and
/// the write is logged; bad bodies are 400, unknown properties and pictures 404.
@Suite struct ApimoEmulatorPictureTests {
    @Test func aPictureIsAddedToItsPropertyThenRemovedAndBothAreLogged() async throws {
        let harness = ApimoHarness(records: 3)
        try await harness.run { client in
            let list = try await client.get("/agencies/14/properties")
            let before = try #require(list["properties"]?.arrayValue?.first)
            let id = try #require(before["id"]?.strictString)
            let seeded = before["pictures"]?.arrayValue ?? []
            harness.clock.advance(by: .seconds(90))

            let added = try await client.send(
                .post, "/agencies/14/properties/\(id)/pictures",
                body: ["url": "https://cdn.example.com/p.jpg", "comments": [["language": "en", "comment": "Garden"]]])
            #expect(added.status == .created)
            let pictureID = try #require(added["id"]?.strictString)
            #expect(added["rank"] == .string(String(seeded.count + 1)))
            #expect(added["url"] == "https://cdn.example.com/p.jpg")
            #expect(added["comments"] == [["language": "en", "comment": "Garden"]])

            let after = try #require(
                try await client.get("/agencies/14/properties")["properties"]?.arrayValue?.first { $0["id"] == before["id"] })
            #expect(after["pictures"]?.arrayValue?.last == added.json)
            #expect(after["updated_at"] != before["updated_at"])

            // A rank given moves the pictures at or after it down one.
            let first = try await client.send(
                .post, "/agencies/14/properties/\(id)/pictures", body: ["url": "https://cdn.example.com/q.jpg", "rank": 1])
            #expect(first["rank"] == "1")
            let ranks = try await client.get("/agencies/14/properties")["properties"]?.arrayValue?.first { $0["id"] == before["id"] }?[
                "pictures"]?
                .arrayValue?.compactMap { $0["rank"]?.strictString }
            #expect(ranks == (1...(seeded.count + 2)).map(String.init))

            let removed = try await client.send(.delete, "/agencies/14/properties/\(id)/pictures/\(pictureID)")
            #expect(removed.status == .noContent)
            let again = try await client.send(.delete, "/agencies/14/properties/\(id)/pictures/\(pictureID)")
            #expect(again.status == .notFound)
            let left = try await client.get("/agencies/14/properties")["properties"]?.arrayValue?.first { $0["id"] == before["id"] }
            #expect(left?["pictures"]?.arrayValue?.contains { $0["id"] == .string(pictureID) } == false)
        }
        let creates = harness.writeLog.entries(vendor: .apimo, resource: "pictures", operation: .create)
        #expect(creates.count == 2)
        #expect(creates.first?.keys["url"] == "https://cdn.example.com/p.jpg")
        #expect(harness.writeLog.entries(vendor: .apimo, resource: "pictures", operation: .delete).count == 1)
    }

    @Test func badPicturesAre400UnknownOnes404AndNothingIsLogged() async throws {
        let harness = ApimoHarness(records: 3)
        try await harness.run { client in
            let list = try await client.get("/agencies/14/properties")
            let id = try #require(list["properties"]?.arrayValue?.first?["id"]?.strictString)
            let path = "/agencies/14/properties/\(id)/pictures"
            let noURL = try await client.send(.post, path, body: ["rank": 1])
            #expect(noURL.status == .badRequest && noURL["error"] == "Bad Request: url is required")
            let relative = try await client.send(.post, path, body: ["url": "/uploads/p.jpg"])
            #expect(relative["error"] == "Bad Request: url must be an absolute http or https URL")
            let rank = try await client.send(.post, path, body: ["url": "https://cdn.example.com/p.jpg", "rank": 0])
            #expect(rank["error"] == "Bad Request: rank must be an integer from 1")
            let comments = try await client.send(.post, path, body: ["url": "https://cdn.example.com/p.jpg", "comments": ["Garden"]])
            #expect(comments["error"] == "Bad Request: comments must be a list of {language, comment} objects")
            let flag = try await client.send(.post, path, body: ["url": "https://cdn.example.com/p.jpg", "print": "yes"])
            #expect(flag["error"] == "Bad Request: print must be a boolean")

            let property = try await client.send(
                .post, "/agencies/14/properties/999999/pictures", body: ["url": "https://cdn.example.com/p.jpg"])
            #expect(property.status == .notFound)
            let picture = try await client.send(.delete, "\(path)/123")
            #expect(picture.status == .notFound)
            let otherAgency = try await client.send(
                .post, "/agencies/38/properties/\(id)/pictures", body: ["url": "https://cdn.example.com/p.jpg"])
            #expect(otherAgency.status == .forbidden)
            let update = try await client.send(.put, "\(path)/123", body: ["url": "https://cdn.example.com/p.jpg"])
            #expect(update.status == .methodNotAllowed && update.headers[.allow] == "DELETE")
        }
        #expect(harness.writeLog.entries(vendor: .apimo, resource: "pictures").isEmpty)
    }
}
