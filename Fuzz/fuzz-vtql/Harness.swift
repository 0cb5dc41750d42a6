import FuzzSupport
import Sandbox

/// The MyCRM emulator's VTQL: lexer, parser and evaluator (on a small Contacts table). The input
/// is the statement text, as the `query` parameter carries it.
@main
enum Harness {
    static func main() {
        FuzzDriver.run { bytes in
            _ = SandboxParsers.runVTQL(String(decoding: bytes, as: UTF8.self))
        }
    }
}
