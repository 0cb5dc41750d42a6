public import Foundation
public import HubStore

#if canImport(Glibc)
    import Glibc
    import CDispatch
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where the secret key came from.
public enum SecretKeySource: Sendable, Hashable, CustomStringConvertible {
    case environment
    case keyFile(URL)

    public var description: String {
        switch self {
        case .environment: return "REALTYHUB_SECRET_KEY"
        case .keyFile(let url): return url.path
        }
    }
}

/// Loads the keys that seal credentials: from `REALTYHUB_SECRET_KEY`, or from the data folder's
/// key file (created with mode 0600, holding one base64 key per line, current first).
public enum SecretKeyLoader {
    /// Loads the keys.
    /// - Parameter create: whether to create the key file when it is missing.
    /// - Throws: ``StoreError/secretKey(_:)`` with what is wrong (unreadable, loose permissions,
    ///   malformed); the key itself never appears in the message.
    public static func load(_ configuration: HubConfiguration, create: Bool) throws -> (SecretBox, SecretKeySource) {
        if let text = configuration.secretKeyText {
            let keys = try text.split(separator: ",").map { try SecretKey(encoded: String($0)) }
            return (try SecretBox(keys: keys), .environment)
        }
        let file = configuration.keyFile
        if !FileManager.default.fileExists(atPath: file.path) {
            guard create else {
                throw StoreError.secretKey(
                    "no key: REALTYHUB_SECRET_KEY is not set and \(file.path) does not exist (run `realtyhub migrate` to create it)")
            }
            try createKeyFile(at: file)
        }
        try checkPermissions(of: file)
        let contents: String
        do {
            contents = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw StoreError.secretKey("cannot read the key file \(file.path)")
        }
        let lines = contents.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard !lines.isEmpty else { throw StoreError.secretKey("the key file \(file.path) holds no key") }
        var keys: [SecretKey] = []
        for (index, line) in lines.enumerated() {
            do {
                keys.append(try SecretKey(encoded: line))
            } catch {
                throw StoreError.secretKey("line \(index + 1) of \(file.path) is not a valid key (base64 of 32 bytes)")
            }
        }
        return (try SecretBox(keys: keys), .keyFile(file))
    }

    /// Creates a key file holding one new random key, readable by its owner only.
    static func createKeyFile(at file: URL) throws {
        do {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw StoreError.secretKey("cannot create the data folder \(file.deletingLastPathComponent().path)")
        }
        let (_, encoded) = try SecretKey.generate()
        let descriptor = open(file.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw StoreError.secretKey("cannot create the key file \(file.path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let bytes = Array((encoded + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw StoreError.secretKey("cannot write the key file \(file.path)")
        }
    }

    /// Refuses a key file others can read or write.
    static func checkPermissions(of file: URL) throws {
        var info = stat()
        guard stat(file.path, &info) == 0 else {
            throw StoreError.secretKey("cannot read the key file \(file.path)")
        }
        if info.st_mode & 0o077 != 0 {
            throw StoreError.secretKey(
                "the key file \(file.path) is readable by other users (mode \(String(info.st_mode & 0o777, radix: 8))); run `chmod 600 \(file.path)`"
            )
        }
    }
}
