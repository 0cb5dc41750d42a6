import FuzzSupport
import Sandbox

/// The MyCRM emulator's query-string and form-body decoding (the sandbox's `URLEncodedForm`).
@main
enum Harness {
    static func main() {
        FuzzDriver.run { bytes in
            _ = SandboxParsers.decodeMyCRMForm(String(decoding: bytes, as: UTF8.self))
        }
    }
}
