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
        // 8-4-4-4-12 hex digits, written straight into the key's 36 bytes (a key is made for
        // every record a sync inserts).
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 36) { text in
            var position = 0
            for index in 0..<16 {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    text[position] = UInt8(ascii: "-")
                    position += 1
                }
                text[position] = digits.utf8Start[Int(bytes[index] >> 4)]
                text[position + 1] = digits.utf8Start[Int(bytes[index] & 0x0f)]
                position += 2
            }
            return position
        }
    }
}
