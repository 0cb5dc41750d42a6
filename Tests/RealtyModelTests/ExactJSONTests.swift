import Foundation
import RealtyModel
import Testing

@Suite struct ExactJSONTests {
    /// Numbers as vendors send them that a Double cannot hold.
    static let exactNumbers = [
        "12345678901234567890123", "-9223372036854775809", "9007199254740993", "1234567.123456789012345678901",
        "0.1000000000000000055511151231257827", "-0.000000000000000000000000000000000000012345",
        "123456789012345678901234567890123456789012345678901234567890", "1e400", "-2.5E-7", "0", "-0",
    ]

    @Test func parserKeepsEveryNumberDigitForDigit() throws {
        for literal in Self.exactNumbers {
            let value = try JSONValue(parsing: #"{"external_ref":\#(literal),"list":[\#(literal)]}"#)
            #expect(value["external_ref"] == .number(try #require(JSONNumber(text: literal))))
            #expect(value.jsonText == #"{"external_ref":\#(literal),"list":[\#(literal)]}"#, "\(literal)")
        }
    }

    @Test func storedTextRoundTripsThroughTheParser() throws {
        let text = #"{"a":[1,2.50,"x",{"k":[]}],"b":{"c":null,"d":true,"e":false},"s":"é \"q\" \\ \n \u0001 😀"}"#
        let value = try JSONValue(parsing: text)
        #expect(value["a"]?.arrayValue?[1] == .number(try #require(JSONNumber(text: "2.50"))), "trailing zeros kept")
        #expect(value["s"] == .string("é \"q\" \\ \n \u{01} 😀"))
        #expect(try JSONValue(parsing: value.jsonText) == value)
        #expect(try JSONValue(parsing: #""\ud83d\ude00 \u00e9""#) == .string("😀 é"))
    }

    @Test func apiEncodingKeepsIntegersBeyond2To53AndLongDecimals() throws {
        // What JSONEncoder writes (the API's responses) is exact up to 38 significant digits.
        let text = #"{"external_ref":12345678901234567890123,"price":1234567.1234567890123456789,"id":9007199254740993}"#
        let value = try JSONValue(parsing: text)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let encoded = String(decoding: try encoder.encode(value), as: UTF8.self)
        #expect(encoded == #"{"external_ref":12345678901234567890123,"id":9007199254740993,"price":1234567.1234567890123456789}"#)
        // JSONDecoder reading such a body (API requests) keeps them too.
        let decoded = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(decoded["external_ref"]?.numberValue?.text == "12345678901234567890123")
        #expect(decoded["price"]?.numberValue?.text == "1234567.1234567890123456789")
        #expect(decoded["id"]?.numberValue?.text == "9007199254740993")
    }

    @Test func numberAccessorsConvertOnlyWhenExact() throws {
        let big = try #require(JSONNumber(text: "12345678901234567890123"))
        #expect(big.int64Value == nil)
        #expect(JSONValue.number(big).stringValue == "12345678901234567890123")
        #expect(JSONNumber(text: "9223372036854775807")?.int64Value == Int64.max)
        #expect(JSONNumber(text: "-9223372036854775808")?.int64Value == Int64.min)
        #expect(JSONNumber(text: "2e3")?.int64Value == 2000)
        #expect(JSONNumber(text: "1.0")?.int64Value == 1)
        #expect(JSONNumber(text: "1.5")?.int64Value == nil)
        #expect(JSONNumber(text: "1e400")?.doubleValue == .infinity)
        #expect(JSONNumber(text: "1e400")?.decimalValue == nil)
        #expect(JSONNumber(text: "0.25")?.decimalValue == Decimal(string: "0.25"))
        #expect(JSONNumber(Double(0.1))?.text == "0.1")
        #expect(JSONNumber(Double(3.0))?.text == "3")
        #expect(JSONNumber(Double.nan) == nil)
        #expect(JSONNumber(Double.infinity) == nil)
        // A number too big for the model's integer fields is not silently truncated.
        #expect(FieldValue.from(json: .number(big), as: .integer) == nil)
        #expect(FieldValue.from(json: .number(try #require(JSONNumber(text: "-9223372036854775808"))), as: .integer) == nil)
    }

    @Test func literalsOutsideTheJSONGrammarAreRefused() {
        for bad in ["", "-", "01", "1.", ".5", "+1", "1e", "1e+", "0x10", "NaN", "Infinity", "1 ", " 1", "1.5.2", "--1"] {
            #expect(JSONNumber(text: bad) == nil, "\(bad)")
        }
    }

    @Test func malformedTextsFailWithTheOffset() {
        let cases: [(String, Int)] = [
            ("", 0), ("{", 1), (#"{"a":}"#, 5), (#"{"a" 1}"#, 5), ("[1,]", 3), ("[1 2]", 3), ("tru", 0), ("nul", 0),
            (#""abc"#, 4), (#""\x""#, 2), (#""\u12""#, 3), (#""\ud800""#, 7), (#""\udc00""#, 7), ("01", 1), ("1 2", 2),
            ("\"a\u{01}\"", 2), ("-", 1), ("{\"a\":1,}", 7), ("[1e]", 3),
        ]
        for (text, offset) in cases {
            do {
                _ = try JSONValue(parsing: text)
                Issue.record("\(text) parsed")
            } catch {
                #expect(error.offset == offset, "\(text): \(error)")
            }
        }
        // Invalid UTF-8 inside a string.
        #expect(throws: JSONParseError.self) { _ = try JSONValue(parsing: Data([0x22, 0x61, 0xFF, 0x22])) }
    }

    @Test func nestingIsBoundedInsteadOfExhaustingTheStack() throws {
        let deep = String(repeating: "[", count: JSONValue.maximumDepth) + String(repeating: "]", count: JSONValue.maximumDepth)
        _ = try JSONValue(parsing: deep)
        let tooDeep = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParseError.self) { _ = try JSONValue(parsing: tooDeep) }
        #expect(throws: JSONParseError.self) { _ = try JSONValue(parsing: String(repeating: #"{"a":"#, count: JSONValue.maximumDepth + 1)) }
    }

    @Test func duplicateKeysKeepTheLastValue() throws {
        #expect(try JSONValue(parsing: #"{"a":1,"a":2}"#) == .object(["a": .number(2)]))
    }
}

@Suite struct SensitiveFieldsTests {
    @Test func namesMatchIgnoringCaseAndPunctuation() {
        let fields = SensitiveFields(["passport_number", "ssn"])
        #expect(fields.contains("passport_number"))
        #expect(fields.contains("PassportNumber"))
        #expect(fields.contains("SSN"))
        #expect(fields.contains("password") && fields.contains("Access_Key") && fields.contains("accessKey"))
        #expect(!fields.contains("passport"))
        #expect(!fields.contains("email"))
        #expect(!SensitiveFields.standard.contains("ssn"))
    }

    @Test func redactionReplacesEveryEnvelopeAtAnyDepth() {
        let raw: JSONValue = [
            "ssn": ["$sealed": "abcd:AAAA"], "name": "Ann",
            "nested": ["items": [["password": ["$sealed": "abcd:BBBB"]]]],
            "notAnEnvelope": ["$sealed": "x", "other": 1],
        ]
        let redacted = SealedField.redacted(raw)
        #expect(redacted["ssn"] == ["$sealed": true])
        #expect(redacted["nested"]?["items"]?.arrayValue?.first?["password"] == ["$sealed": true])
        #expect(redacted["name"] == "Ann")
        #expect(redacted["notAnEnvelope"] == raw["notAnEnvelope"])
        #expect(!redacted.jsonText.contains("AAAA") && !redacted.jsonText.contains("BBBB"))
    }
}
