import ConnectorKit
import Foundation
import RealtyModel
import Testing

@testable import ApimoConnector

@Suite struct ApimoMediaTests {
    /// The seed's user sample carries `picture`: one Member photo keyed by the user id.
    @Test func seedUserPictureIsMemberMedia() throws {
        let page = try #require(ApimoListPage(json: try ApimoSamples.json(ApimoSamples.users), collection: "users"))
        let media = try #require(ApimoMapping.media(from: page.items[0], list: .users, connectionID: "c2"))
        #expect(media.count == 1)
        let photo = try #require(media.first)
        #expect(photo.metadata.sourceKey == "user-9-picture")
        #expect(photo.metadata.sourceSystemName == "apimo")
        #expect(photo.metadata.connectionID == "c2")
        #expect(photo.metadata.raw == ["picture": "https://api.apimo.pro/uploads/user/9/picture_200.jpg"])
        #expect(photo.resourceName == "Member")
        #expect(photo.resourceRecordSourceKey == "9")
        #expect(photo.resourceRecordKey == nil)
        #expect(photo.mediaURL == "https://api.apimo.pro/uploads/user/9/picture_200.jpg")
        #expect(photo.mediaCategory == "Photo")
        #expect(photo.order == nil)
        #expect(photo.shortDescription == nil)
        #expect(photo.imageWidth == nil)
        #expect(photo.imageHeight == nil)
        #expect(photo.mediaModificationTimestamp == nil)
        #expect(photo.validate().isEmpty)
    }

    /// `pictures[{id, rank, url, width_max, height_max, ..., comments[]}]` as the properties
    /// page documents them, ids and numbers as strings (or numbers).
    @Test func propertyPicturesAreMedia() throws {
        let record = try #require(
            ApimoRecord(
                json: try ApimoSamples.json(
                    #"""
                    {"id":"233030","reference":"REF-1","pictures":[
                      {"id":"5551","rank":"1","url":"https://api.apimo.pro/uploads/property/233030/5551.jpg","width_max":"1600",
                       "height_max":"1200","internet":true,"print":true,"panorama":false,"child":null,"reference":null,
                       "comments":[{"language":"fr","comment":"Séjour"},{"language":"en","comment":"Living room"}]},
                      {"id":5552,"rank":2,"url":"https://api.apimo.pro/uploads/property/233030/5552.jpg","width_max":1200,
                       "height_max":1600,"comments":[]},
                      {"id":"5553","rank":"3","url":null},
                      {"rank":"4","url":"https://api.apimo.pro/uploads/property/233030/extra.jpg"},
                      {"id":"5551","rank":"5","url":"https://api.apimo.pro/uploads/property/233030/again.jpg"}
                    ]}
                    """#)))
        let media = try #require(ApimoMapping.media(from: record, list: .properties, connectionID: "c1"))
        #expect(media.map(\.metadata.sourceKey) == ["5551", "5552", "property-233030-picture-4"])
        let first = media[0]
        #expect(first.resourceName == "Property")
        #expect(first.resourceRecordSourceKey == "233030")
        #expect(first.mediaURL == "https://api.apimo.pro/uploads/property/233030/5551.jpg")
        #expect(first.mediaCategory == "Photo")
        #expect(first.order == 1)
        #expect(first.imageWidth == 1600)
        #expect(first.imageHeight == 1200)
        #expect(first.shortDescription == "Living room")
        #expect(first.metadata.connectionID == "c1")
        #expect(first.metadata.raw?["print"] == .bool(true))
        #expect(first.validate().isEmpty)
        let second = media[1]
        #expect(second.order == 2)
        #expect(second.imageWidth == 1200)
        #expect(second.imageHeight == 1600)
        #expect(second.shortDescription == nil)
        #expect(media[2].order == 4)
        #expect(media[2].imageWidth == nil)
    }

    @Test func otherListsCarryNoMedia() throws {
        let record = ApimoRecord(fields: ["id": "1", "picture": "https://example.com/a.jpg"])
        #expect(ApimoMapping.media(from: record, list: .contacts, connectionID: nil) == nil)
        #expect(ApimoMapping.media(from: record, list: .agencies, connectionID: nil) == nil)
        #expect(ApimoMapping.media(from: ApimoRecord(fields: ["id": "2"]), list: .users, connectionID: nil) == [])
        #expect(ApimoMapping.media(from: ApimoRecord(fields: ["id": "3", "pictures": []]), list: .properties, connectionID: nil) == [])
    }
}
