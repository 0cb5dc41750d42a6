import Crypto
import Foundation

/// The `accessKey` parameter of `login`: the lowercase hex MD5 of the challenge token followed
/// by the user's access key (`md5(TOKENSTRING + <ACCESSKEY>)`; the server compares it with
/// `strcmp`, so the case of the hex digits matters).
enum MyCRMLoginKey {
    /// - Parameters:
    ///   - token: the `token` from `getchallenge`.
    ///   - accessKey: the user's access key (from "My Preferences" in the CRM).
    /// - Returns: 32 lowercase hex digits.
    static func compute(token: String, accessKey: String) -> String {
        let digest = Insecure.MD5.hash(data: Data((token + accessKey).utf8))
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for byte in digest {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
