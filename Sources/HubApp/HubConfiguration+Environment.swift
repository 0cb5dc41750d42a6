import Foundation

extension HubConfiguration {
    /// Reads the configuration from a CLI option and the environment.
    ///
    /// Keys:
    /// - `REALTYHUB_DATA_DIR`: the data folder when `dataDirectory` is nil (default `./realtyhub-data`).
    /// - `REALTYHUB_SECRET_KEY`: the secret key (base64 of 32 bytes, or 64 hex digits); several
    ///   keys separated by commas rotate (the first seals). Without it the data folder's
    ///   `secret.key` file is used, created with mode 0600 on first use.
    /// - `REALTYHUB_DATABASE_URL`: `postgres://USER:PASSWORD@HOST:PORT/DB[?sslmode=...]` selects
    ///   the PostgreSQL store when `databaseURL` is nil; without either, the data folder's SQLite.
    /// - `REALTYHUB_ALLOW_PRIVATE_WEBHOOK_TARGETS`: `1` or `true` lets webhooks go to loopback,
    ///   private and link-local addresses.
    public init(dataDirectory: String?, environment: [String: String], databaseURL: String? = nil) {
        let path = dataDirectory ?? environment["REALTYHUB_DATA_DIR"] ?? "realtyhub-data"
        let expanded = (path as NSString).expandingTildeInPath
        let key = environment["REALTYHUB_SECRET_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        let database = (databaseURL ?? environment["REALTYHUB_DATABASE_URL"]).flatMap { $0.isEmpty ? nil : DatabaseURL($0) }
        self.init(dataDirectory: URL(fileURLWithPath: expanded).standardizedFileURL, secretKeyText: key, database: database)
        let allow = environment["REALTYHUB_ALLOW_PRIVATE_WEBHOOK_TARGETS"]?.lowercased()
        allowPrivateWebhookTargets = allow == "1" || allow == "true" || allow == "yes"
    }
}
