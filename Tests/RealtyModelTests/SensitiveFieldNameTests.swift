import RealtyModel
import Testing

/// Member names match sensitive fields ignoring case and punctuation, by the same rule for ASCII
/// names (folded byte by byte) and for names with other characters.
@Suite struct SensitiveFieldNameTests {
    @Test func asciiNamesFoldByteByByte() {
        let fields = SensitiveFields(["passport_number", "SSN"])
        for name in [
            "password", "Password", "pass_word", "PASS-WORD", "accessKey", "access_key", "passportNumber", "passport-number", "ssn",
            "S.S.N.",
        ] {
            #expect(fields.contains(name), "\(name)")
        }
        for name in ["passport", "email", "", "_", "pass word2", "ssn1"] {
            #expect(!fields.contains(name), "\(name)")
        }
    }

    @Test func namesWithOtherCharactersUseUnicodeLettersAndDigits() {
        let fields = SensitiveFields(["Paßwort", "numéro_passeport"])
        #expect(fields.contains("paßwort"))
        #expect(fields.contains("PAßWORT"))
        #expect(fields.contains("Numéro-Passeport"))
        #expect(!fields.contains("numero_passeport"), "é is a letter of its own, not e")
        #expect(fields.contains("pass✓word") == fields.contains("password"), "a symbol is dropped like punctuation")
    }
}
