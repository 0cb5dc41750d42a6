/// Replacing the values of chosen object members inside a JSON text, working on its bytes: no
/// tree is built and nothing is serialised again, so a stored payload keeps the vendor's own
/// text except where a value is replaced.
public enum JSONMemberRewriter {
    /// `text` with the value of each object member, at any depth, whose name `matches` accepts
    /// replaced by what `replacement` returns for it, or nil when nothing was replaced.
    ///
    /// A matched member's value is replaced or kept whole: members inside it are not visited.
    ///
    /// - Parameters:
    ///   - text: one valid JSON text, as a parse accepted it (the texts
    ///     ``JSONValue/parsingList(_:member:)`` keeps). Bytes that are not valid JSON give an
    ///     unspecified result but never a crash.
    ///   - matches: whether a member is to be offered for replacement, given the UTF-8 bytes of
    ///     its name with escapes resolved.
    ///   - replacement: the new JSON text for a matched member's value (given its name and the
    ///     value's own text), or nil to keep the value.
    /// - Returns: the rewritten text, or nil when no value was replaced.
    public static func replacingValues(
        in text: String, where matches: (UnsafeRawBufferPointer) -> Bool,
        with replacement: (_ name: String, _ valueText: String) throws -> String?
    ) rethrows -> String? {
        var text = text
        return try text.withUTF8 { utf8 in
            let bytes = UnsafeRawBufferPointer(utf8)
            var scanner = Scanner(bytes: bytes)
            var output: [UInt8]?
            var copied = 0
            while let member = scanner.nextMatchingMember(matches) {
                guard let replaced = try replacement(member.name, String(decoding: bytes[member.value], as: UTF8.self)) else {
                    continue
                }
                if output == nil { output = [] }
                output?.append(contentsOf: bytes[copied..<member.value.lowerBound])
                output?.append(contentsOf: replaced.utf8)
                copied = member.value.upperBound
            }
            guard var output else { return nil }
            output.append(contentsOf: bytes[copied...])
            return String(decoding: output, as: UTF8.self)
        }
    }

    /// Walks a JSON text's bytes, finding members by name.
    private struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var index = 0
        /// Whether each open container is an object (true) or an array.
        var containers: [Bool] = []
        /// Whether the next string is an object member's name.
        var expectingName = false

        init(bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
        }

        /// The next member `matches` accepts: its name and the byte range of its value. The
        /// scan goes on after that value.
        mutating func nextMatchingMember(_ matches: (UnsafeRawBufferPointer) -> Bool) -> (name: String, value: Range<Int>)? {
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "{"):
                    containers.append(true)
                    expectingName = true
                    index += 1
                case UInt8(ascii: "["):
                    containers.append(false)
                    expectingName = false
                    index += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    _ = containers.popLast()
                    expectingName = false
                    index += 1
                case UInt8(ascii: ","):
                    expectingName = containers.last == true
                    index += 1
                case UInt8(ascii: "\""):
                    let start = index
                    let escaped = skipString()
                    guard expectingName else { continue }
                    expectingName = false
                    guard let name = self.name(start..<index, escaped: escaped, matches) else { continue }
                    skipWhitespace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { continue }
                    index += 1
                    skipWhitespace()
                    let valueStart = index
                    skipValue()
                    return (name, valueStart..<index)
                default:
                    index += 1
                }
            }
            return nil
        }

        /// The name of the quoted string at `range` when `matches` accepts it.
        private func name(_ range: Range<Int>, escaped: Bool, _ matches: (UnsafeRawBufferPointer) -> Bool) -> String? {
            guard range.count >= 2 else { return nil }
            let quoted = UnsafeRawBufferPointer(rebasing: bytes[range])
            if escaped {
                // Rare: resolve the escapes with the full parser, then ask about the bytes.
                guard case .string(var name)? = try? JSONValue(parsing: String(decoding: quoted, as: UTF8.self)) else { return nil }
                return name.withUTF8 { matches(UnsafeRawBufferPointer($0)) } ? name : nil
            }
            let inner = UnsafeRawBufferPointer(rebasing: quoted.dropFirst().dropLast())
            return matches(inner) ? String(decoding: inner, as: UTF8.self) : nil
        }

        /// Moves past the string whose opening quote is at `index`; whether it has escapes.
        private mutating func skipString() -> Bool {
            var escaped = false
            index += 1
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    index += 1
                    return escaped
                case UInt8(ascii: "\\"):
                    escaped = true
                    index += 2
                default:
                    index += 1
                }
            }
            index = bytes.count
            return escaped
        }

        private mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        /// Moves past the value starting at `index`, nested containers included.
        private mutating func skipValue() {
            guard index < bytes.count else { return }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                _ = skipString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while index < bytes.count {
                    switch bytes[index] {
                    case UInt8(ascii: "\""):
                        _ = skipString()
                        continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["):
                        depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                    default:
                        break
                    }
                    index += 1
                    if depth == 0 { return }
                }
            default:
                while index < bytes.count {
                    switch bytes[index] {
                    case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D: return
                    default: index += 1
                    }
                }
            }
        }
    }
}
