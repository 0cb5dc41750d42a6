public import Foundation
import RealtyModel

/// Hub keys: time-ordered UUIDs (version 7 layout), lowercase. Ordered keys keep inserts at the
/// end of the primary-key index instead of scattering them, which matters for bulk syncs.
public enum HubKey {
    /// A new key whose leading bits are `date` in milliseconds, followed by random bits.
    public static func make(at date: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        let random = generator.next() as UInt64
        let random2 = generator.next() as UInt64
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: millis >> UInt64(8 * (5 - index))) }
        for index in 6..<16 { bytes[index] = UInt8(truncatingIfNeeded: (index < 11 ? random : random2) >> UInt64(8 * (index % 8))) }
        bytes[6] = (bytes[6] & 0x0f) | 0x70
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        // 8-4-4-4-12 hex digits.
        return [0..<4, 4..<6, 6..<8, 8..<10, 10..<16].map { ByteEncoding.hex(bytes[$0]) }.joined(separator: "-")
    }
}
