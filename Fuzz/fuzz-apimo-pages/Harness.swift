import ConnectorKit
import Connectors
import ApimoConnector
import FuzzSupport

/// Apimo's list pages and their mapping, through `ConnectorRegistry.make` and `read` (Apimo signs
/// every request with Basic credentials, so there is no sign-in exchange).
@main
enum Harness {
    static func main() {
        FuzzDriver.run { bytes in
            PageHarness.run(bytes, signIn: { _ in nil }, make: { transport, clock, logger in
                try ConnectorRegistry.make(
                    vendor: .apimo,
                    configuration: PageHarness.configuration(.apimo(provider: "4242", token: "fuzz-token", agencyIDs: ["14"])),
                    transport: transport, clock: clock, logger: logger)
            })
        }
    }
}
