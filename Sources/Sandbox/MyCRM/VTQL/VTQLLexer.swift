/// A token of VTQL text.
struct VTQLToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// A bare word: a keyword, module or column name.
        case word(String)
        /// A single-quoted string literal with its escapes resolved.
        case string(String)
        /// An unsigned or signed decimal literal, as written.
        case number(String)
        /// Punctuation or an operator: `* , ( ) ; = != <> < > <= >=`.
        case symbol(String)
        case end
    }

    var kind: Kind
    /// The text as written, for error messages.
    var text: String
    /// Offset of the first character in the statement.
    var offset: Int

    /// Whether this is the keyword `keyword` (case-insensitive).
    func isKeyword(_ keyword: String) -> Bool {
        if case .word(let word) = kind { return word.lowercased() == keyword }
        return false
    }

    func isSymbol(_ symbol: String) -> Bool {
        kind == .symbol(symbol)
    }
}

/// Splits VTQL text into tokens.
///
/// Strings are single-quoted; a quote inside is written `''` or `\'` (both forms appear in
/// vtiger clients). Double-quoted strings are accepted too, as MySQL accepts them.
enum VTQLLexer {
    static func tokens(_ text: String) throws(MyCRMError) -> [VTQLToken] {
        let characters = Array(text)
        var tokens: [VTQLToken] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character.isWhitespace {
                index += 1
                continue
            }
            let start = index
            if character.isLetter || character == "_" {
                while index < characters.count,
                    characters[index].isLetter || characters[index].isNumber || characters[index] == "_"
                {
                    index += 1
                }
                let word = String(characters[start..<index])
                tokens.append(VTQLToken(kind: .word(word), text: word, offset: start))
            } else if character.isASCII,
                character.isNumber
                    || ((character == "-" || character == "+" || character == ".") && index + 1 < characters.count
                        && characters[index + 1].isASCII && characters[index + 1].isNumber
                        && !(tokens.last.map(endsOperand) ?? false))
            {
                index += 1
                var seenDot = character == "."
                while index < characters.count {
                    let next = characters[index]
                    if next.isASCII, next.isNumber {
                        index += 1
                    } else if next == ".", !seenDot {
                        seenDot = true
                        index += 1
                    } else {
                        break
                    }
                }
                let number = String(characters[start..<index])
                tokens.append(VTQLToken(kind: .number(number), text: number, offset: start))
            } else if character == "'" || character == "\"" {
                let quote = character
                index += 1
                var value = ""
                var closed = false
                while index < characters.count {
                    let next = characters[index]
                    if next == "\\", index + 1 < characters.count {
                        value.append(characters[index + 1])
                        index += 2
                    } else if next == quote {
                        if index + 1 < characters.count, characters[index + 1] == quote {
                            value.append(quote)
                            index += 2
                        } else {
                            index += 1
                            closed = true
                            break
                        }
                    } else {
                        value.append(next)
                        index += 1
                    }
                }
                guard closed else {
                    throw MyCRMError(
                        .querySyntaxError,
                        "Syntax Error on line 1: unterminated string starting at character \(start + 1)")
                }
                tokens.append(VTQLToken(kind: .string(value), text: String(characters[start..<index]), offset: start))
            } else {
                let twoCharacter = index + 1 < characters.count ? String(characters[index...index + 1]) : ""
                if ["!=", "<>", "<=", ">="].contains(twoCharacter) {
                    tokens.append(
                        VTQLToken(
                            kind: .symbol(twoCharacter == "<>" ? "!=" : twoCharacter),
                            text: twoCharacter, offset: start))
                    index += 2
                } else if "*,();=<>".contains(character) {
                    tokens.append(VTQLToken(kind: .symbol(String(character)), text: String(character), offset: start))
                    index += 1
                } else {
                    throw MyCRMError(
                        .querySyntaxError,
                        "Syntax Error on line 1: unexpected character '\(character)' at character \(start + 1)")
                }
            }
        }
        tokens.append(VTQLToken(kind: .end, text: "", offset: characters.count))
        return tokens
    }

    /// Whether a token can end an operand, so that a following `-` is not a sign.
    private static func endsOperand(_ token: VTQLToken) -> Bool {
        switch token.kind {
        case .word, .string, .number: true
        case .symbol(let symbol): symbol == ")"
        case .end: false
        }
    }
}
