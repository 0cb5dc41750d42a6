import Foundation
import HubApp
import HubStore
import Testing

@Suite struct HubAppTests {
    static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-app-\(UUID().uuidString)")
    }

    @Test func migrateCreatesKeyFileOwnerOnlyAndDoctorIsHealthy() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = HubConfiguration(dataDirectory: directory.path, environment: [:])
        let report = try await HubApp.migrate(configuration)
        #expect(!report.applied.isEmpty)
        let attributes = try FileManager.default.attributesOfItem(atPath: configuration.keyFile.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let doctor = await HubApp.doctor(configuration)
        #expect(doctor.healthy, "\(doctor.checks)")
        #expect(doctor.checks.map(\.name) == ["data folder", "secret key", "schema", "key matches data"])
        // Migrating again changes nothing and still works.
        #expect(try await HubApp.migrate(configuration).applied == report.applied)
    }

    @Test func doctorReportsWrongKeyAndMissingFolder() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try await HubApp.migrate(HubConfiguration(dataDirectory: directory.path, environment: [:]))
        let wrongKey = Data((0..<32).map { UInt8($0) }).base64EncodedString()
        let wrong = HubConfiguration(dataDirectory: directory.path, environment: ["REALTYHUB_SECRET_KEY": wrongKey])
        let report = await HubApp.doctor(wrong)
        #expect(!report.healthy)
        #expect(report.checks.first { $0.name == "key matches data" }?.status == .failed)
        await #expect(throws: StoreError.self) { _ = try await HubApp.openStore(wrong) }

        let missing = await HubApp.doctor(HubConfiguration(dataDirectory: directory.appendingPathComponent("nope").path, environment: [:]))
        #expect(!missing.healthy)
        #expect(missing.checks.first?.status == .failed)
    }

    @Test func looseKeyFilePermissionsAreRefused() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = HubConfiguration(dataDirectory: directory.path, environment: [:])
        _ = try await HubApp.migrate(configuration)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: configuration.keyFile.path)
        await #expect {
            _ = try await HubApp.openStore(configuration)
        } throws: { error in
            String(describing: error).contains("chmod 600")
        }
    }

    @Test func malformedEnvironmentKeyIsAClearError() async throws {
        let configuration = HubConfiguration(
            dataDirectory: Self.temporaryDirectory().path, environment: ["REALTYHUB_SECRET_KEY": "not-a-key"])
        await #expect {
            _ = try await HubApp.openStore(configuration)
        } throws: { error in
            let text = String(describing: error)
            return text.contains("neither base64") && !text.contains("not-a-key")
        }
    }
}
