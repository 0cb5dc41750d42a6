import Foundation
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Drives the built `realtyhub` executable the way a user does.
@Suite struct CLITests {
    /// The `realtyhub` binary built beside this test bundle.
    static func binary() throws -> URL {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            bundleDirectory.appendingPathComponent("realtyhub"),
            bundleDirectory.deletingLastPathComponent().appendingPathComponent("realtyhub"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/debug/realtyhub"),
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw CLIError(message: "realtyhub binary not found near \(bundleDirectory.path); run `swift build` first")
        }
        return found
    }

    struct CLIError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Runs the binary to completion and returns its exit status and output.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        try run(executable: try binary(), arguments, environment: environment)
    }

    /// Runs `executable` to completion and returns its exit status and output.
    static func run(
        executable: URL, _ arguments: [String], environment: [String: String] = [:]
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        let (process, out, err) = piped(executable: executable, arguments, environment: environment)
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    /// A process of `executable` (not started) with the environment and `environment` over
    /// it, its standard output and error on pipes.
    static func piped(executable: URL, _ arguments: [String], environment: [String: String]) -> (Process, out: Pipe, err: Pipe) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        return (process, out, err)
    }

    /// Starts the binary in the background, its output discarded.
    static func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test func servePublicURLMustBeHTTP() throws {
        for bad in ["ftp://hub.example.com", "hub.example.com", "https://"] {
            let refused = try Self.run(["serve", "--public-url", bad, "--data-dir", "/nonexistent-realtyhub"])
            #expect(refused.status != 0, "\(bad)")
            #expect(refused.stderr.contains("--public-url must be an http or https URL with a host"), "\(bad): \(refused.stderr)")
        }
    }

    @Test func versionHelpMigrateDoctor() throws {
        let version = try Self.run(["--version"])
        #expect(version.status == 0 && version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
        let help = try Self.run(["--help"])
        #expect(help.status == 0 && help.stdout.contains("migrate") && help.stdout.contains("doctor") && help.stdout.contains("sandbox"))

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let before = try Self.run(["doctor", "--data-dir", directory.path])
        #expect(before.status != 0, "doctor fails on a missing folder")
        let migrate = try Self.run(["migrate", "--data-dir", directory.path])
        #expect(migrate.status == 0, "\(migrate.stderr)")
        let doctor = try Self.run(["doctor", "--data-dir", directory.path, "--json"])
        #expect(doctor.status == 0)
        let report = try JSONSerialization.jsonObject(with: Data(doctor.stdout.utf8)) as? [String: Any]
        #expect((report?["checks"] as? [[String: Any]])?.count == 4)
        let bad = try Self.run(["migrate", "--data-dir", directory.path], environment: ["REALTYHUB_SECRET_KEY": "nope"])
        #expect(bad.status != 0 && bad.stderr.contains("secret key"))
        let unknown = try Self.run(["no-such-command"])
        #expect(unknown.status != 0)
    }

    @Test func sandboxPrintsOneJSONDocumentAndStopsOnSIGTERM() async throws {
        let process = Process()
        process.executableURL = try Self.binary()
        process.arguments = ["sandbox", "--json", "--records", "5"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // Read until the JSON document is complete (the command prints it once every emulator listens).
        var buffer = Data()
        var document: [String: Any]?
        let deadline = Date().addingTimeInterval(60)
        while document == nil, Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            document = try? JSONSerialization.jsonObject(with: buffer) as? [String: Any]
        }
        let emulators = try #require(document?["emulators"] as? [[String: Any]])
        #expect(Set(emulators.compactMap { $0["vendor"] as? String }) == ["pf-expert", "propq", "mycrm", "apimo", "boston-logic"])
        for emulator in emulators {
            let control = try #require(emulator["control_url"] as? String)
            let (_, response) = try await URLSession.shared.data(from: try #require(URL(string: control + "/health")))
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            #expect(emulator["credentials"] as? [String: Any] != nil)
        }
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "SIGTERM stops the sandbox cleanly")
    }

    /// `realtyhub demo` with standard output on a pipe (as under `| tee demo.log`) writes its
    /// lines as they happen: the hub's URL and token are read from the pipe while the demo is
    /// still running, within a bound, and work. (Block-buffered output held them until exit.)
    /// The demo connects PF Expert with the token URL the sandbox prints, and that sync succeeds.
    @Test func demoWritesItsURLToAPipeWhileRunning() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-demo-pipe-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = Process()
        process.executableURL = try Self.binary()
        process.arguments = ["demo", "--port", "0", "--records", "5", "--data-dir", directory.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // Read the pipe on its own thread (a read blocks until data or end of file), and wait
        // for the URL line with a deadline.
        let received = ReceivedBytes()
        let handle = out.fileHandleForReading
        let reader = Thread {
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { return }
                received.bytes.withLock { $0.append(chunk) }
            }
        }
        reader.start()
        let marker = "RealtyHub demo is running at "
        var text = ""
        let deadline = Date().addingTimeInterval(240)
        while Date() < deadline, process.isRunning {
            text = String(decoding: received.bytes.withLock { $0 }, as: UTF8.self)
            if text.contains(marker), text.contains("Ctrl-C stops the hub") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(process.isRunning, "the demo is still running while its output is read")
        let line = try #require(
            text.split(separator: "\n").first { $0.contains(marker) }, "no URL line within the bound; output so far: \(text)")
        let url = try #require(line.components(separatedBy: marker).last?.split(separator: " ").first.map(String.init))
        #expect(url.hasPrefix("http://127.0.0.1:"))
        let health = try await URLSession.shared.data(from: try #require(URL(string: url + "/health")))
        #expect((health.1 as? HTTPURLResponse)?.statusCode == 200)

        // The printed token works.
        let tokenLine = try #require(
            text.split(separator: "\n").first { $0.contains("Authorization: Bearer ") && $0.contains("/v1/contacts") })
        let token = try #require(
            tokenLine.components(separatedBy: "Authorization: Bearer ").last?.split(separator: "'").first.map(String.init))
        var request = URLRequest(url: try #require(URL(string: url + "/v1/contacts?per_page=1")))
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let contacts = try await URLSession.shared.data(for: request)
        #expect((contacts.1 as? HTTPURLResponse)?.statusCode == 200)

        // PF Expert was connected with the sandbox's printed token URL and synced without failures.
        let pfLine = try #require(text.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("pf-expert") })
        #expect(!pfLine.contains("failed"), "\(pfLine)")
        #expect(!pfLine.contains(" 0 records"), "\(pfLine)")

        process.interrupt()
        let stopBy = Date().addingTimeInterval(60)
        while process.isRunning, Date() < stopBy { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!process.isRunning, "SIGINT stops the demo")
        if !process.isRunning { #expect(process.terminationStatus == 0) }
    }
}

/// Bytes read from a pipe on another thread.
final class ReceivedBytes: Sendable {
    let bytes = Mutex(Data())
}
