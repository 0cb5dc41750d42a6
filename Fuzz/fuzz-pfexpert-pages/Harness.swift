import ConnectorKit
import Connectors
import PFExpertConnector
import Foundation
import FuzzSupport

/// PF Expert's page decoding and mapping, through `ConnectorRegistry.make` and `read`: the token
/// request gets the document's success answer, every API request the fuzzed page.
@main
enum Harness {
    static func main() {
        FuzzDriver.run { bytes in
            PageHarness.run(bytes, signIn: { request in
                guard request.url.path.hasSuffix("/token") else { return nil }
                return PageTransport.json(#"{"access_token":"fuzz-token","token_type":"Bearer","expires_in":1800}"#)
            }, make: { transport, clock, logger in
                try ConnectorRegistry.make(
                    vendor: .pfExpert,
                    configuration: PageHarness.configuration(.pfExpert(apiKey: "fuzz.key", apiSecret: "fuzz-secret")),
                    transport: transport, clock: clock, logger: logger)
            })
        }
    }
}
