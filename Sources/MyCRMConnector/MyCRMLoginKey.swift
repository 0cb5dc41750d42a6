import Crypto
import Foundation
import RealtyModel

/// The `accessKey` parameter of `login`: the lowercase hex MD5 of the challenge token followed
/// by the user's access key (`md5(TOKENSTRING + <ACCESSKEY>)`; the server compares it with
/// `strcmp`, so the case of the hex digits matters).
enum MyCRMLoginKey {
    /// - Parameters:
    ///   - token: the `token` from `getchallenge`.
    ///   - accessKey: the user's access key (from "My Preferences" in the CRM).
    /// - Returns: 32 lowercase hex digits.
    static func compute(token: String, accessKey: String) -> String {
        ByteEncoding.hex(Insecure.MD5.hash(data: Data((token + accessKey).utf8)))
    }
}
