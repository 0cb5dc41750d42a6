import Foundation
import HubStore
import HubStorePostgres
import HubStoreSQLite

/// A health check of a data folder: each part checked and reported, nothing changed.
public struct DoctorReport: Sendable, Codable {
    /// One check's outcome.
    public struct Check: Sendable, Codable {
        public enum Status: String, Sendable, Codable {
            case ok
            case warning
            case failed
        }

        public var name: String
        public var status: Status
        public var message: String
    }

    public var checks: [Check]

    /// Whether every check passed (warnings allowed).
    public var healthy: Bool { !checks.contains { $0.status == .failed } }
}

extension HubApp {
    /// Checks the store (the data folder, or the PostgreSQL database when one is configured),
    /// the secret key, the schema and that the key opens the store's secrets, without creating
    /// or migrating anything. The database password never appears in the report.
    public static func doctor(_ configuration: HubConfiguration) async -> DoctorReport {
        if let database = configuration.database { return await doctor(configuration, database: database) }
        return doctorDataFolder(configuration)
    }

    private static func doctorDataFolder(_ configuration: HubConfiguration) -> DoctorReport {
        var checks: [DoctorReport.Check] = []
        let directory = configuration.dataDirectory
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
            if !isDirectory.boolValue {
                checks.append(.init(name: "data folder", status: .failed, message: "\(directory.path) is not a folder"))
            } else if !FileManager.default.isWritableFile(atPath: directory.path) {
                checks.append(.init(name: "data folder", status: .failed, message: "\(directory.path) is not writable"))
            } else {
                checks.append(.init(name: "data folder", status: .ok, message: directory.path))
            }
        } else {
            checks.append(
                .init(
                    name: "data folder", status: .failed,
                    message: "\(directory.path) does not exist; run `realtyhub migrate --data-dir \(directory.path)`"))
        }

        let box = Self.secretKeyCheck(configuration, into: &checks)

        do {
            let inspection = try SQLiteHubStore.inspect(directory: directory)
            if let schema = inspection.schema {
                checks.append(Self.schemaCheck(schema, migrate: "`realtyhub migrate`"))
                if let box { checks.append(Self.keyCheck(sealedWith: inspection.keyIDs, box: box, place: "folder")) }
            } else {
                checks.append(
                    .init(
                        name: "schema", status: .failed,
                        message: "no database in \(directory.path); run `realtyhub migrate --data-dir \(directory.path)`"))
            }
        } catch {
            checks.append(.init(name: "schema", status: .failed, message: String(describing: error)))
        }
        return DoctorReport(checks: checks)
    }

    /// Loads the secret key (never creating one) and records how that went.
    private static func secretKeyCheck(_ configuration: HubConfiguration, into checks: inout [DoctorReport.Check]) -> SecretBox? {
        do {
            let (loaded, source) = try SecretKeyLoader.load(configuration, create: false)
            checks.append(.init(name: "secret key", status: .ok, message: "key id \(loaded.currentKeyID) from \(source)"))
            return loaded
        } catch {
            checks.append(.init(name: "secret key", status: .failed, message: String(describing: error)))
            return nil
        }
    }

    private static func doctor(_ configuration: HubConfiguration, database: DatabaseURL) async -> DoctorReport {
        var checks: [DoctorReport.Check] = []
        let box = Self.secretKeyCheck(configuration, into: &checks)
        let inspection: PostgresHubStore.Inspection
        do {
            inspection = try await PostgresHubStore.inspect(try database.postgresConfiguration(), logger: quietLogger)
            checks.append(
                .init(
                    name: "database", status: .ok, message: "\(database.redacted) (PostgreSQL \(inspection.serverVersion))"))
        } catch {
            checks.append(.init(name: "database", status: .failed, message: "\(database.redacted): \(error)"))
            return DoctorReport(checks: checks)
        }
        let migrate = "run `realtyhub migrate --database <url>`"
        guard let schema = inspection.schema else {
            checks.append(.init(name: "schema", status: .failed, message: "the database has no realtyhub schema; \(migrate)"))
            return DoctorReport(checks: checks)
        }
        checks.append(Self.schemaCheck(schema, migrate: migrate))
        if let box { checks.append(Self.keyCheck(sealedWith: inspection.keyIDs, box: box, place: "database")) }
        return DoctorReport(checks: checks)
    }

    /// Whether the schema is current, behind (`migrate` says how to catch up) or ahead of this binary.
    static func schemaCheck(_ schema: SchemaStatus, migrate: String) -> DoctorReport.Check {
        let unknown = schema.applied.filter { !schema.known.contains($0) }
        if !unknown.isEmpty {
            return .init(
                name: "schema", status: .failed,
                message: "the database has migrations this binary does not know (\(unknown.joined(separator: ", "))); upgrade realtyhub")
        }
        if schema.isCurrent {
            return .init(
                name: "schema", status: .ok,
                message: "version \(schema.applied.count) of \(schema.known.count) (\(schema.applied.last ?? "none"))")
        }
        return .init(
            name: "schema", status: .warning,
            message: "\(schema.applied.count) of \(schema.known.count) migrations applied; they run on the next open (or \(migrate))")
    }

    /// Whether the configured keys open the secrets sealed in this `place` (folder or database).
    static func keyCheck(sealedWith keyIDs: [String], box: SecretBox, place: String) -> DoctorReport.Check {
        if keyIDs.isEmpty {
            return .init(name: "key matches data", status: .warning, message: "no secret sealed yet")
        }
        if keyIDs.contains(where: { id in box.keys.contains { $0.id == id } }) {
            return .init(name: "key matches data", status: .ok, message: "the configured key opens this \(place)'s secrets")
        }
        return .init(
            name: "key matches data", status: .failed,
            message:
                "this \(place)'s secrets were sealed with key id \(keyIDs.joined(separator: ", ")), but the configured key id is \(box.currentKeyID): wrong key"
        )
    }
}
