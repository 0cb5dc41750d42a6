import ConnectorKit
import Connectors
import BostonLogicConnector
import FuzzSupport

/// Boston Logic's envelopes and list pages and their mapping, through `ConnectorRegistry.make`
/// and `read` (an API key header signs every request, so there is no sign-in exchange).
@main
enum Harness {
    static func main() {
        FuzzDriver.run { bytes in
            PageHarness.run(bytes, signIn: { _ in nil }, make: { transport, clock, logger in
                try ConnectorRegistry.make(
                    vendor: .bostonLogic,
                    configuration: PageHarness.configuration(.bostonLogic(apiKey: "fuzz-api-key", host: "agency.example")),
                    transport: transport, clock: clock, logger: logger)
            })
        }
    }
}
