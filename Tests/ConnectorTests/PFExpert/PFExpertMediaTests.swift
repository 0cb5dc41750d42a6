import ConnectorKit
import Foundation
import RealtyModel
import Testing

@testable import PFExpertConnector

@Suite struct PFExpertMediaTests {
    /// A property's `images[]` read as the create body's shape, `{"image": {..., "order": n}}`,
    /// with the stored image's `id` and `url`; unwrapped items are read the same way.
    @Test func propertyImagesAreMedia() throws {
        let json = try pfJSON(
            #"""
            {"id": 42, "reference": "RH-00042", "images": [
              {"image": {"id": 421, "order": 1, "url": "https://media.mycrm.com/property/42/421.jpg"}},
              {"image": {"id": 422, "order": 2, "url": "https://media.mycrm.com/property/42/422.jpg"}},
              {"image": {"id": 423, "order": 3, "token": "upload-token-without-url"}},
              {"order": 4, "url": "https://media.mycrm.com/property/42/plain.jpg"}
            ]}
            """#)
        let media = PFExpertMapping.media(ofProperty: json, connectionID: "pf")
        #expect(media.map(\.metadata.sourceKey) == ["421", "422", "property-42-image-4"])
        let first = try #require(media.first)
        #expect(first.metadata.sourceSystemName == "pf-expert")
        #expect(first.metadata.connectionID == "pf")
        #expect(first.metadata.raw == json["images"]?.arrayValue?.first)
        #expect(first.resourceName == "Property")
        #expect(first.resourceRecordSourceKey == "42")
        #expect(first.resourceRecordKey == nil)
        #expect(first.mediaURL == "https://media.mycrm.com/property/42/421.jpg")
        #expect(first.mediaCategory == "Photo")
        #expect(first.order == 1)
        #expect(first.shortDescription == nil)
        #expect(first.imageWidth == nil)
        #expect(first.imageHeight == nil)
        #expect(first.mediaModificationTimestamp == nil)
        #expect(first.validate().isEmpty)
        #expect(media[1].order == 2)
        #expect(media[2].mediaURL == "https://media.mycrm.com/property/42/plain.jpg")
        #expect(media[2].order == 4)
    }

    @Test func propertyWithoutImagesHasNone() throws {
        #expect(PFExpertMapping.media(ofProperty: try pfJSON(#"{"id": 7}"#), connectionID: nil).isEmpty)
        #expect(PFExpertMapping.media(ofProperty: try pfJSON(#"{"id": 7, "images": []}"#), connectionID: nil).isEmpty)
    }
}
