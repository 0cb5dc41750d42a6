import ConnectorKit
import Connectors
import Foundation
public import Logging

/// A probe request that cannot be built: what to fix, with no secret in it.
public struct ProbeSetupError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, naming the option or key.
    public var message: String
    public var description: String { message }
}

extension ProbeRequest {
    /// The environment variable that may hold the credentials JSON.
    public static let credentialsVariable = "REALTYHUB_CREDENTIALS"

    /// Builds a probe request from command-line values and the environment.
    ///
    /// Keys:
    /// - `vendorName`: `pf-expert`, `propq`, `mycrm`, `apimo` or `boston-logic`.
    /// - `baseURL`, `authURL`: http(s) URLs with a host and no user info.
    /// - `credentialsFile`: a JSON file with the vendor's own key names; without it, the
    ///   `REALTYHUB_CREDENTIALS` environment variable holds the JSON.
    /// - `timeoutSeconds`: the per-request deadline (default: the vendor profile's).
    ///
    /// - Parameters:
    ///   - vendorName: the vendor's CLI name.
    ///   - baseURL: the API base URL.
    ///   - authURL: the auth host's base URL.
    ///   - credentialsFile: the credentials file path (`~` expanded).
    ///   - connectionID: the connection id named in logs and errors.
    ///   - timeoutSeconds: the per-request deadline.
    ///   - environment: the process environment.
    ///   - warn: receives warnings (a credentials file others can read).
    /// - Throws: ``ProbeSetupError`` naming what to fix; never echoing a secret.
    public init(
        vendorName: String, baseURL: String, authURL: String?, credentialsFile: String?, connectionID: String,
        timeoutSeconds: Double?, environment: [String: String], warn: (String) -> Void = { _ in }
    ) throws {
        guard let vendor = ConnectorRegistry.vendor(named: vendorName.lowercased()) else {
            throw ProbeSetupError(
                message: "unknown vendor \"\(vendorName)\"; use one of \(ConnectorRegistry.vendors.map(\.rawValue).joined(separator: ", "))"
            )
        }
        func url(_ text: String, _ option: String) throws -> URL {
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                url.host?.isEmpty == false
            else {
                throw ProbeSetupError(message: "\(option) must be an http or https URL with a host, e.g. https://api.example.com")
            }
            guard url.user == nil, url.password == nil else {
                throw ProbeSetupError(message: "\(option) must not carry credentials; put them in the credentials file")
            }
            return url
        }
        let base = try url(baseURL, "--base-url")
        let auth = try authURL.map { try url($0, "--auth-url") }
        let data: Data
        if let credentialsFile {
            let path = (credentialsFile as NSString).expandingTildeInPath
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw ProbeSetupError(message: "cannot read the credentials file \(path)")
            }
            if let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0
            {
                warn("warning: \(path) can be read by other users (mode \(String(mode, radix: 8))); chmod 600 it")
            }
            data = contents
        } else if let variable = environment[Self.credentialsVariable], !variable.isEmpty {
            data = Data(variable.utf8)
        } else {
            throw ProbeSetupError(
                message: "no credentials: give --credentials-file FILE or set \(Self.credentialsVariable) to the JSON "
                    + "(\(vendor.rawValue) needs \(ConnectorRegistry.credentialKeys(for: vendor)))")
        }
        let credentials: any VendorCredentials
        do {
            credentials = try ConnectorRegistry.credentials(for: vendor, json: data)
        } catch let error as ConnectorError {
            throw ProbeSetupError(message: error.message)
        }
        var timeouts = ConnectorConfiguration.Timeouts()
        if let timeoutSeconds {
            guard timeoutSeconds > 0, timeoutSeconds.isFinite else {
                throw ProbeSetupError(message: "--timeout must be a positive number of seconds")
            }
            timeouts.request = .seconds(clamping: timeoutSeconds)
        }
        self.init(
            vendor: vendor, baseURL: base, authURL: auth, credentials: credentials,
            connectionID: connectionID.isEmpty ? "probe" : connectionID, timeouts: timeouts)
    }
}

extension HubApp {
    /// A logger writing to standard error: warnings and worse, or everything from debug up.
    ///
    /// - Parameters:
    ///   - label: the logger label.
    ///   - verbose: whether to include debug messages (each vendor request).
    public static func consoleLogger(label: String, verbose: Bool) -> Logger {
        var logger = Logger(label: label, factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = verbose ? .debug : .warning
        return logger
    }
}
