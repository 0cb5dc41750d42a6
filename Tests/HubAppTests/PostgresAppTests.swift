import Foundation
import HubApp
import HubStore
import HubTestSupport
import Testing

/// The CLI and HubApp on the PostgreSQL store: migrate, doctor and the key check, with the
/// database password never printed. Runs only when REALTYHUB_TEST_DATABASE_URL is set.
@Suite(.enabled(if: PostgresTestDatabase.isConfigured, "REALTYHUB_TEST_DATABASE_URL is not set"))
struct PostgresAppTests {
    @Test func migrateDoctorAndWrongKeyWithoutThePassword() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-pgapp-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await PostgresTestDatabase.withSchemaURL { _, url in
            let password = try #require(URLComponents(string: url)?.password)

            let migrate = try CLITests.run(["migrate", "--data-dir", directory.path, "--database", url])
            #expect(migrate.status == 0, "\(migrate.stderr)")
            #expect(migrate.stdout.contains("database: postgres://") && migrate.stdout.contains("***"))
            #expect(!(migrate.stdout + migrate.stderr).contains(password), "migrate printed the password")

            let doctor = try CLITests.run(["doctor", "--data-dir", directory.path], environment: ["REALTYHUB_DATABASE_URL": url])
            #expect(doctor.status == 0, "\(doctor.stdout)\(doctor.stderr)")
            #expect(doctor.stdout.contains("[ok  ] database:") && doctor.stdout.contains("[ok  ] schema:"))
            #expect(!(doctor.stdout + doctor.stderr).contains(password), "doctor printed the password")

            // Another key: the store refuses to open and doctor says why.
            let (_, otherKey) = try SecretKey.generate()
            let wrong = HubConfiguration(
                dataDirectory: directory.path, environment: ["REALTYHUB_SECRET_KEY": otherKey], databaseURL: url)
            await #expect(throws: StoreError.self) { _ = try await HubApp.openStore(wrong) }
            let report = await HubApp.doctor(wrong)
            #expect(!report.healthy)
            #expect(report.checks.contains { $0.name == "key matches data" && $0.status == .failed })
            #expect(!String(describing: wrong).contains(password) && !String(reflecting: wrong).contains(password))

            // A wrong password is a clear error, without the password.
            var components = try #require(URLComponents(string: url))
            components.password = "not-the-password-42"
            let refused = try CLITests.run(["doctor", "--data-dir", directory.path, "--database", try #require(components.string)])
            #expect(refused.status != 0)
            #expect(!(refused.stdout + refused.stderr).contains("not-the-password-42"))
        }
    }
}
