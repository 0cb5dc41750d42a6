import Foundation
import RealtyModel
import Testing

@Suite struct ByteEncodingTests {
    @Test func hexRoundTripsEveryByte() throws {
        let bytes = (0...255).map { UInt8($0) }
        let text = ByteEncoding.hex(bytes)
        #expect(text.count == 512)
        #expect(text.hasPrefix("000102"))
        #expect(text.hasSuffix("fdfeff"))
        #expect(ByteEncoding.bytes(hex: text) == bytes)
        #expect(ByteEncoding.bytes(hex: text.uppercased()) == bytes)
    }

    @Test func hexRefusesOddLengthsAndNonDigits() {
        #expect(ByteEncoding.bytes(hex: "abc") == nil)
        #expect(ByteEncoding.bytes(hex: "zz") == nil)
        #expect(ByteEncoding.bytes(hex: "") == [])
    }

    @Test func base64URLHasNoPaddingAndNoStandardAlphabetSymbols() throws {
        // 0xfb 0xff encodes to "+/8=" in standard base64.
        #expect(ByteEncoding.base64URL(Data([0xfb, 0xff])) == "-_8")
        #expect(ByteEncoding.data(base64URL: "-_8") == Data([0xfb, 0xff]))
        #expect(ByteEncoding.data(base64URL: "-_8=") == Data([0xfb, 0xff]))
        #expect(ByteEncoding.data(base64URL: "+/8=") == nil)
        #expect(ByteEncoding.base64URL(Data("hello".utf8)) == "aGVsbG8")
        #expect(ByteEncoding.data(base64URL: "aGVsbG8") == Data("hello".utf8))
    }
}
