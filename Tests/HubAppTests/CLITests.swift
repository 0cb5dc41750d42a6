import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

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
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
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
}
