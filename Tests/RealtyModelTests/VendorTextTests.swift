import Foundation
import RealtyModel
import Testing

/// Keeping a vendor item's own JSON text beside its parsed value, and rewriting member values in
/// such a text without a tree.
@Suite struct VendorTextTests {
    @Test func aListAnswerKeepsEachElementsTextByteForByte() throws {
        let answer =
            #"{"count": 3, "leads" : [ {"id":1, "name":"A\u00e9\"b"} ,{"id":2,"tags":[1, [2]]},"#
            + "\n\t" + #"{ "id" : 3 , "n": 1.50e3 } ], "page":1}"#
        let (value, texts) = try JSONValue.parsingList(Data(answer.utf8), member: "leads")
        #expect(texts == [#"{"id":1, "name":"A\u00e9\"b"}"#, #"{"id":2,"tags":[1, [2]]}"#, #"{ "id" : 3 , "n": 1.50e3 }"#])
        #expect(value == (try JSONValue(parsing: answer)))
        let elements = try #require(value["leads"]?.arrayValue)
        #expect(try texts.map { try JSONValue(parsing: $0) } == elements)
    }

    @Test func onlyTheNamedMemberOfTheRootObjectIsKept() throws {
        // Nested members of the same name, a missing member, and a member that is not a list.
        #expect(try JSONValue.parsingList(Data(#"{"x":{"leads":[1,2]}}"#.utf8), member: "leads").elementTexts == [])
        #expect(try JSONValue.parsingList(Data(#"{"users":[1]}"#.utf8), member: "leads").elementTexts == [])
        #expect(try JSONValue.parsingList(Data(#"{"leads":null}"#.utf8), member: "leads").elementTexts == [])
        #expect(try JSONValue.parsingList(Data(#"[{"leads":[1]}]"#.utf8), member: "leads").elementTexts == [])
        #expect(try JSONValue.parsingList(Data(#"{"leads":[]}"#.utf8), member: "leads").elementTexts == [])
        // The last of a repeated member is its value, and its texts are the ones kept.
        #expect(try JSONValue.parsingList(Data(#"{"leads":[1],"leads":[2,3]}"#.utf8), member: "leads").elementTexts == ["2", "3"])
        #expect(try JSONValue.parsingList(Data(#"{"leads":[1],"leads":"none"}"#.utf8), member: "leads").elementTexts == [])
    }

    @Test func aBrokenListAnswerIsRefusedAsAnyText() {
        #expect(throws: JSONParseError.self) { _ = try JSONValue.parsingList(Data(#"{"leads":[{"id":1},]}"#.utf8), member: "leads") }
        #expect(throws: JSONParseError.self) { _ = try JSONValue.parsingList(Data(#"{"leads":["\ud800"]}"#.utf8), member: "leads") }
    }

    @Test func rewritingReplacesMatchedValuesAtAnyDepthAndKeepsEveryOtherByte() throws {
        let text = #"{ "a":"x{\"ssn\":1}", "ssn" : "1-2" ,"n":[{"SSN":{"d":[1,"]"]}},{"s\u0073n":true}],"ssn_note":"k","z":null}"#
        var seen: [String] = []
        let rewritten = JSONMemberRewriter.replacingValues(
            in: text, where: { name in String(decoding: name, as: UTF8.self).lowercased() == "ssn" },
            with: { name, value in
                seen.append("\(name)=\(value)")
                return "\"*\""
            })
        #expect(seen == [#"ssn="1-2""#, #"SSN={"d":[1,"]"]}"#, "ssn=true"])
        #expect(rewritten == #"{ "a":"x{\"ssn\":1}", "ssn" : "*" ,"n":[{"SSN":"*"},{"s\u0073n":"*"}],"ssn_note":"k","z":null}"#)
        #expect(try JSONValue(parsing: try #require(rewritten))["n"]?.arrayValue?.count == 2)
    }

    @Test func rewritingNothingGivesNil() {
        #expect(JSONMemberRewriter.replacingValues(in: #"{"a":1,"b":[{"c":"d"}]}"#, where: { _ in false }, with: { _, _ in "0" }) == nil)
        #expect(JSONMemberRewriter.replacingValues(in: #"{"a":1}"#, where: { _ in true }, with: { _, _ in nil }) == nil)
        // A matched member's value is kept whole when not replaced: nothing inside it is offered.
        var offered: [String] = []
        _ = JSONMemberRewriter.replacingValues(
            in: #"{"a":{"a":1}}"#, where: { _ in true },
            with: { _, value in
                offered.append(value)
                return nil
            })
        #expect(offered == [#"{"a":1}"#])
        // Not JSON at all: no crash, and nothing to replace.
        for broken in ["", "{", #"{"a""#, #"{"a":"#, #"{"a":"x"#, "\\", #"[{"a":1}"#] {
            _ = JSONMemberRewriter.replacingValues(in: broken, where: { _ in true }, with: { _, _ in "0" })
        }
    }

    @Test func keptTextIsDroppedWhenRawChangesAndIsNotPartOfEquality() throws {
        let text = #"{ "id" : 1 }"#
        var metadata = RecordMetadata(raw: try JSONValue(parsing: text))
        let plain = metadata
        metadata.keepRawText(text)
        #expect(metadata.rawText == text)
        #expect(metadata == plain && metadata.hashValue == plain.hashValue)
        metadata.raw?["id"] = 2
        #expect(metadata.rawText == nil)
    }

    @Test func byteNamesMatchAsStringNames() {
        let fields = SensitiveFields(["passport_number", "SSN", "Paßwort"])
        let names = [
            "password", "Pass_Word", "PASSPORT-number", "passportnumber1", "ssn", "s.s.n", "ss", "", "__", "accessKey",
            "paßwort", "PAßWORT", "pass✓word", "email", "passport", "Passport Number",
        ]
        for var name in names {
            let byBytes = name.withUTF8 { fields.contains(utf8: UnsafeRawBufferPointer($0)) }
            let kept = name.lowercased().unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) }
            let folded = String(String.UnicodeScalarView(kept))
            #expect(byBytes == fields.names.contains(folded), "\(name)")
            #expect(byBytes == fields.contains(name), "\(name)")
        }
    }
}
