import FuzzSupport
import Sandbox

/// The PropQ emulator's form bodies: `application/x-www-form-urlencoded` and
/// `multipart/form-data`. The input's first line is the Content-Type header value, the rest is the
/// body (so the fuzzer varies boundaries and parameters as well as bodies).
@main
enum Harness {
    static func main() {
        FuzzDriver.run { bytes in
            let newline = bytes.firstIndex(of: UInt8(ascii: "\n"))
            let contentType = newline.map { String(decoding: bytes[..<$0], as: UTF8.self) }
            let body = newline.map { Array(bytes[($0 + 1)...]) } ?? Array(bytes)
            _ = SandboxParsers.parseForm(contentType: contentType, body: body)
        }
    }
}
