import ODataQuery
import RealtyModel

/// The RESO Web API's `$metadata` (CSDL XML and JSON) and service document, built once from the
/// model and served from memory (docs/reso-web-api.md §2–§4, Q2).
enum ODataMetadata {
    /// CSDL XML (`application/xml`), built once from the model.
    static let xml: [UInt8] = []
    /// JSON CSDL (`application/json`), built once.
    static let json: [UInt8] = []
    /// The entity set names served, in metadata order.
    static let entitySets: [String] = ResourceName.allCases.map(\.rawValue) + ["EntityEvent"]

    /// The service document for a service root URL such as `http://127.0.0.1:8080/odata/`.
    static func serviceDocument(root: String) -> [UInt8] { [] }
}
