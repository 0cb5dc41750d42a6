public import Foundation

/// How the hub is set up: where its data lives and which key seals its secrets.
///
/// Built once at the edge (CLI options and environment, see `HubConfiguration+Environment.swift`)
/// and passed down; nothing deeper reads the environment.
public struct HubConfiguration: Sendable {
    /// The data folder holding the SQLite database and, by default, the key file.
    public var dataDirectory: URL
    /// The secret key(s) given in the environment (`REALTYHUB_SECRET_KEY`), current first,
    /// comma-separated; when nil the data folder's key file is used.
    public var secretKeyText: String?

    /// The key file's name inside the data folder.
    public static let keyFileName = "secret.key"

    public init(dataDirectory: URL, secretKeyText: String? = nil) {
        self.dataDirectory = dataDirectory
        self.secretKeyText = secretKeyText
    }

    /// The key file's location.
    public var keyFile: URL { dataDirectory.appendingPathComponent(Self.keyFileName) }
}

/// The version the CLI reports.
public enum RealtyHubVersion {
    public static let current = "0.1.0"
}
