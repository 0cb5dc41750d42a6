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
    /// The PostgreSQL database to use instead of the data folder's SQLite file (`--database`,
    /// `REALTYHUB_DATABASE_URL`); nil for SQLite. The data folder may still hold the key file.
    public var database: DatabaseURL?
    /// Whether webhooks may go to loopback, private and link-local addresses
    /// (`--allow-private-webhook-targets`, `REALTYHUB_ALLOW_PRIVATE_WEBHOOK_TARGETS=1`; the
    /// demo turns it on). Off, such targets are refused when subscribing and when sending.
    public var allowPrivateWebhookTargets = false
    /// How long a webhook receiver has to answer before the attempt counts as failed
    /// (`--webhook-timeout-seconds`, default 10).
    public var webhookTimeout: TimeInterval = 10

    /// The key file's name inside the data folder.
    public static let keyFileName = "secret.key"

    public init(dataDirectory: URL, secretKeyText: String? = nil, database: DatabaseURL? = nil) {
        self.dataDirectory = dataDirectory
        self.secretKeyText = secretKeyText
        self.database = database
    }

    /// The key file's location.
    public var keyFile: URL { dataDirectory.appendingPathComponent(Self.keyFileName) }
}

/// The version the CLI reports.
public enum RealtyHubVersion {
    public static let current = "0.1.0"
}
