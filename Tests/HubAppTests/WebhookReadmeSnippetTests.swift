import Foundation
import RealtyModel
import SyncEngine
import Testing

/// README.md's signature verification snippets, taken from between their marker comments and
/// run with python3 and node against messages the hub signed: a message verifies (also with a
/// rotation's two signatures); another secret, other bytes and a timestamp six minutes away do
/// not. python3 missing fails the test; node missing skips the JavaScript one.
@Suite struct WebhookReadmeSnippetTests {
    static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("README.md")

    /// The code between `<!-- webhook-verify-<name>:start -->` and `...:end -->`, without the
    /// code fence.
    static func snippet(_ name: String) throws -> String {
        let text = try String(contentsOf: readme, encoding: .utf8)
        let start = try #require(text.range(of: "<!-- webhook-verify-\(name):start -->"), "README.md has no \(name) snippet")
        let end = try #require(text.range(of: "<!-- webhook-verify-\(name):end -->", range: start.upperBound..<text.endIndex))
        let lines = text[start.upperBound..<end.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
        return lines.filter { !$0.hasPrefix("```") }.joined(separator: "\n")
    }

    /// An executable on PATH.
    static func executable(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Messages signed by the hub's own code, and what a correct verifier says of each.
    static func cases() throws -> (json: Data, expected: [String]) {
        let secret = WebhookSecret.generate()
        let now = Date()
        let stamp = Int64(now.timeIntervalSince1970)
        let message = WebhookMessage.message(
            id: "evt_42", type: "contacts.created", timestamp: now,
            data: ["ResourceRecordKey": "k-1", "FirstName": "Zoë", "note": "a \"quoted\" line\nbreak"])
        func item(_ body: Data, _ headers: [(String, String)], secret: WebhookSecret = secret) -> [String: Any] {
            [
                "secret": secret.text, "body": body.base64EncodedString(),
                "headers": Dictionary(headers, uniquingKeysWith: { $1 }),
            ]
        }
        let cases: [([String: Any], String)] = [
            (item(message.body, message.headers(timestamp: stamp, secrets: [secret])), "verified"),
            (item(message.body, message.headers(timestamp: stamp, secrets: [WebhookSecret.generate(), secret])), "verified"),
            (item(message.body, message.headers(timestamp: stamp, secrets: [WebhookSecret.generate()])), "refused: signature mismatch"),
            (item(message.body + Data(" ".utf8), message.headers(timestamp: stamp, secrets: [secret])), "refused: signature mismatch"),
            (item(message.body, message.headers(timestamp: stamp - 360, secrets: [secret])), "refused: timestamp outside tolerance"),
            (item(message.body, message.headers(timestamp: stamp + 360, secrets: [secret])), "refused: timestamp outside tolerance"),
        ]
        return (try JSONSerialization.data(withJSONObject: cases.map(\.0), options: [.sortedKeys]), cases.map(\.1))
    }

    /// Runs `program` (the snippet and a driver over the cases) with `interpreter`; its output lines.
    static func run(_ interpreter: URL, program: String, suffix: String) throws -> (lines: [String], errors: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-snippets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (json, _) = try cases()
        let casesFile = directory.appendingPathComponent("cases.json")
        let programFile = directory.appendingPathComponent("verify" + suffix)
        try json.write(to: casesFile)
        try Data(program.utf8).write(to: programFile)
        let result = try CLITests.run(executable: interpreter, [programFile.path, casesFile.path])
        return (result.stdout.split(separator: "\n").map(String.init), result.stderr)
    }

    @Test func pythonSnippetVerifiesTheHubsSignatures() throws {
        guard let python = Self.executable("python3") else {
            Issue.record("python3 is not installed: README.md's Python snippet cannot be checked")
            return
        }
        let driver = """

            import json, sys
            for case in json.load(open(sys.argv[1])):
                try:
                    verify(case["secret"], case["headers"], base64.b64decode(case["body"]))
                    print("verified")
                except ValueError as error:
                    print("refused:", error)
            """
        let (lines, errors) = try Self.run(python, program: try Self.snippet("python") + "\n" + driver, suffix: ".py")
        #expect(lines == (try Self.cases().expected), "\(errors)")
    }

    @Test(.enabled(if: executable("node") != nil, "node is not installed: README.md's JavaScript snippet is not checked"))
    func javaScriptSnippetVerifiesTheHubsSignatures() throws {
        let node = try #require(Self.executable("node"))
        let driver = """

            const fs = require("node:fs");
            for (const item of JSON.parse(fs.readFileSync(process.argv[2], "utf8"))) {
              try {
                verify(item.secret, item.headers, Buffer.from(item.body, "base64"));
                console.log("verified");
              } catch (error) {
                console.log("refused: " + error.message);
              }
            }
            """
        let (lines, errors) = try Self.run(node, program: try Self.snippet("node") + "\n" + driver, suffix: ".cjs")
        #expect(lines == (try Self.cases().expected), "\(errors)")
    }
}
