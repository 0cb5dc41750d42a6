import ConnectorKit
import Connectors
import ResalesOnlineConnector
import Foundation
import FuzzSupport

/// PropQ's (Resales Online) page decoding and mapping, through `ConnectorRegistry.make` and
/// `read`: the token request gets the document's success answer, every API request the fuzzed page.
@main
enum Harness {
    static func main() {
        FuzzDriver.run { bytes in
            PageHarness.run(bytes, signIn: { request in
                guard request.url.path.hasSuffix("/oauth/token") else { return nil }
                return PageTransport.json(#"{"token_type":"Bearer","expires_in":3600,"access_token":"fuzz-token"}"#)
            }, make: { transport, clock, logger in
                try ConnectorRegistry.make(
                    vendor: .propq,
                    configuration: PageHarness.configuration(.propq(clientID: 5, clientSecret: "fuzz-secret")),
                    transport: transport, clock: clock, logger: logger)
            })
        }
    }
}
