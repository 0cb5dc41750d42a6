import ConnectorKit
import Connectors
import MyCRMConnector
import Foundation
import FuzzSupport

/// MyCRM's webservice answers (envelope, query and sync results) and their mapping, through
/// `ConnectorRegistry.make` and `read`: `getchallenge` and `login` get the document's success
/// answers, every other operation the fuzzed body.
@main
enum Harness {
    static func main() {
        FuzzDriver.run { bytes in
            PageHarness.run(bytes, signIn: { request in
                let query = request.url.query ?? ""
                let form = request.body.map { String(decoding: $0, as: UTF8.self) } ?? ""
                if query.contains("operation=getchallenge") {
                    return PageTransport.json(#"{"success":true,"result":{"token":"5f1b2c3d4e","serverTime":1714550000,"expireTime":1714550300}}"#)
                }
                if form.contains("operation=login") {
                    return PageTransport.json(#"{"success":true,"result":{"sessionName":"fuzzsession1","userId":"19x1","version":"0.22","vtigerVersion":"5.4.0"}}"#)
                }
                return nil
            }, make: { transport, clock, logger in
                try ConnectorRegistry.make(
                    vendor: .mycrm,
                    configuration: PageHarness.configuration(.mycrm(username: "admin", accessKey: "fuzz-access-key")),
                    transport: transport, clock: clock, logger: logger)
            })
        }
    }
}
