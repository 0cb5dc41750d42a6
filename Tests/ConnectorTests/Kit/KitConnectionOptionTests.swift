import ConnectorKit
import Connectors
import Foundation
import ResalesOnlineConnector
import Testing

/// Connection options as vendors declare them: PropQ's `development_ids`, checked once in
/// Swift and stated as the same rule in the pattern the API document carries.
@Suite struct KitConnectionOptionTests {
    static let spec = ResalesOnlineConnector.developmentIDsSpec

    @Test func vendorsDeclareTheirOptions() {
        #expect(ConnectorRegistry.optionSpecs(for: .propq).map(\.key) == ["development_ids"])
        for vendor in ConnectorRegistry.vendors where vendor != .propq {
            #expect(ConnectorRegistry.optionSpecs(for: vendor).isEmpty, "\(vendor.rawValue) takes no options")
        }
    }

    @Test func developmentIDsAreNormalized() throws {
        #expect(try Self.spec.normalized("1001") == "1001")
        #expect(try Self.spec.normalized(" 1001 ,1002,  R-7.b_2 ") == "1001,1002,R-7.b_2")
        let most = (1...200).map(String.init).joined(separator: ",")
        #expect(try Self.spec.normalized(most) == most)
    }

    @Test func malformedDevelopmentIDsAreRefusedWithTheReason() {
        let rule =
            "development_ids must be 1 to 200 distinct ids separated by commas (spaces around them allowed), each 1 to 64 ASCII letters, digits, '.', '_' or '-' beginning with a letter or digit: "
        let cases: [(String, String)] = [
            ("", "an empty id (a comma at an end, or two in a row)"),
            ("1001,", "an empty id (a comma at an end, or two in a row)"),
            ("1001,,1002", "an empty id (a comma at an end, or two in a row)"),
            ("10/01", "\"10/01\" is not an id (1 to 64 ASCII letters, digits, '.', '_' or '-', beginning with a letter or digit)"),
            ("..", "\"..\" is not an id (1 to 64 ASCII letters, digits, '.', '_' or '-', beginning with a letter or digit)"),
            ("1001\t", "\"1001\t\" is not an id (1 to 64 ASCII letters, digits, '.', '_' or '-', beginning with a letter or digit)"),
            ("1001,1002, 1001", "\"1001\" is given twice"),
            ((1...201).map(String.init).joined(separator: ","), "more than 200 ids"),
        ]
        for (value, reason) in cases {
            #expect(throws: ConnectionOptionError(key: "development_ids", message: rule + reason)) {
                try Self.spec.normalized(value)
            }
        }
        #expect(throws: ConnectionOptionError.self) { try Self.spec.normalized(String(repeating: "7", count: 65)) }
    }

    @Test func unknownKeysAreRefusedNamingTheVendorsOptions() {
        #expect(
            throws: ConnectionOptionError(
                key: "agency", message: "unknown option agency; this vendor's options: development_ids", isUnknownKey: true)
        ) {
            try ConnectionOptionSpec.check(["agency": "1", "development_ids": "1"], against: [Self.spec])
        }
        #expect(
            throws: ConnectionOptionError(
                key: "development_ids", message: "unknown option development_ids: this vendor's connections take no options",
                isUnknownKey: true)
        ) {
            try ConnectionOptionSpec.check(["development_ids": "1"], against: [])
        }
        #expect((try? ConnectionOptionSpec.check(["development_ids": "2, 1"], against: [Self.spec])) == ["development_ids": "2,1"])
    }

    /// The document's pattern accepts exactly what the Swift check accepts.
    @Test func thePatternStatesTheSameRule() throws {
        let expression = try NSRegularExpression(pattern: Self.spec.pattern)
        var samples: [String] = [
            "1", "1001", "1001,1002", " 1001 , 1002 ", "a.b_c-d", "1001,1001", "1001, 1001", "1001,10010", "10010,1001", "1,2,3,2",
            "", ",", "1,", ",1", "1,,2", "-1", ".1", "1/2", "1 2", "1\t", "1\n", "ü", "1;2", "a,b,A", "x1,x1 ,y",
        ]
        let numbers = (1...201).map { String($0) }
        samples += [
            String(repeating: "9", count: 64), String(repeating: "9", count: 65), numbers.prefix(200).joined(separator: ","),
            numbers.joined(separator: ","), numbers.prefix(199).joined(separator: ",") + ",5",
        ]
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("12ab ,._-/")
        for _ in 0..<2000 {
            samples.append(
                String((0..<Int.random(in: 0...9, using: &generator)).map { _ in alphabet.randomElement(using: &generator) ?? "1" }))
        }
        for sample in samples {
            let range = NSRange(location: 0, length: (sample as NSString).length)
            let matches = expression.firstMatch(in: sample, range: range) != nil
            let accepted = (try? Self.spec.normalized(sample)) != nil
            #expect(matches == accepted, "\(sample.debugDescription): pattern \(matches), check \(accepted)")
        }
    }
}
