import FuzzSupport
import HubServer
import RealtyModel

/// The hub's list parameters and filters (`GET /v1/<resource>?…`): query parsing, projection,
/// expansions and the store's ListPlan. The first byte picks the resource; the rest is the query
/// string after `?`.
@main
enum Harness {
    static func main() {
        FuzzDriver.run { bytes in
            guard let selector = bytes.first else { return }
            let resources = ResourceName.allCases
            let resource = resources[Int(selector) % resources.count]
            let query = String(decoding: bytes.dropFirst(), as: UTF8.self)
            let outcome = ListRequestCheck.check(resource, target: "/v1/\(resource.pathName)?" + query)
            // Anything but a plan must be a client error: a 5xx here would be a parsing bug.
            if case .rejected(let status, _, let message) = outcome, !(400..<500).contains(status) {
                fatalError("list query answered \(status): \(message)")
            }
        }
    }
}
