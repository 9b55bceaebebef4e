/// Finds the line of a field in a declaration's table in a rule file's text, so that an error
/// about the field (an unknown or ill-typed field) names its own line rather than the line the
/// declaration starts on. Lua keeps no line per table key, so the text is scanned: a small
/// tokenizer (names, strings, long strings, comments, brackets) finds the call `callee "id" {`
/// that starts on the declaration's line, then the key at the top level of that table (or of a
/// table nested in it, for a path like `sample.base_rate`), skipping everything nested deeper.
/// When the text does not have that shape (the table built elsewhere, the DSL function renamed)
/// it answers nil and the caller keeps the declaration's line.
struct DeclarationFieldFinder {
    struct Token: Equatable {
        enum Kind: Equatable {
            case name(String)
            /// A quoted or long string; its text is nil when it has escapes (never a match).
            case string(String?)
            case symbol(String)
            case other
        }

        var kind: Kind
        var line: Int
    }

    let tokens: [Token]

    init(source: String) {
        tokens = Self.tokenize(Array(source.utf8))
    }

    /// The line of the field at `path` (a key of the table passed to `callee`, then keys of
    /// nested tables) in the declaration `callee "id" { ... }` (or `callee { ... }` when `id` is
    /// nil) whose `callee` is on line `line`. When the key is written more than once, the last
    /// one (the value Lua keeps). Nil when no such declaration or key is found.
    func line(ofField path: [String], callee: String, id: String?, declaredAt line: Int) -> Int? {
        guard !path.isEmpty, var index = tokens.firstIndex(where: { $0.line >= line }) else { return nil }
        while index < tokens.count, tokens[index].line == line {
            if tokens[index].kind == .name(callee), let table = tableIndex(afterCallee: index, id: id),
               let found = fieldLine(path[...], tableAt: table) {
                return found
            }
            index += 1
        }
        return nil
    }

    /// The index of the `{` of `callee "id" {`, `callee("id")({` or `callee {`.
    private func tableIndex(afterCallee callee: Int, id: String?) -> Int? {
        var index = callee + 1
        if let id {
            if kind(at: index) == .string(id) {
                index += 1
            } else if kind(at: index) == .symbol("("), kind(at: index + 1) == .string(id), kind(at: index + 2) == .symbol(")") {
                index += 3
            } else {
                return nil
            }
        }
        if kind(at: index) == .symbol("(") { index += 1 }
        return kind(at: index) == .symbol("{") ? index : nil
    }

    /// The line of the last key `path.first` at the top level of the table whose `{` is at
    /// `table`, descending into its value for the rest of the path.
    private func fieldLine(_ path: ArraySlice<String>, tableAt table: Int) -> Int? {
        var found: Int?
        var depth = 1
        var atFieldStart = true
        var index = table + 1
        while index < tokens.count {
            let token = tokens[index]
            if depth == 1 && atFieldStart {
                atFieldStart = false
                var key: String?
                var value = index
                if case .name(let name) = token.kind, kind(at: index + 1) == .symbol("=") {
                    (key, value) = (name, index + 2)
                } else if token.kind == .symbol("["), case .string(let name)? = kind(at: index + 1),
                          kind(at: index + 2) == .symbol("]"), kind(at: index + 3) == .symbol("=") {
                    (key, value) = (name, index + 4)
                }
                if let key, key == path.first {
                    if path.count == 1 {
                        found = token.line
                    } else if kind(at: value) == .symbol("{"), let nested = fieldLine(path.dropFirst(), tableAt: value) {
                        found = nested
                    }
                }
            }
            switch token.kind {
            case .symbol("{"), .symbol("("), .symbol("["): depth += 1
            case .symbol("}"), .symbol(")"), .symbol("]"):
                depth -= 1
                if depth == 0 { return found }
            case .symbol(","), .symbol(";"): if depth == 1 { atFieldStart = true }
            default: break
            }
            index += 1
        }
        return found
    }

    private func kind(at index: Int) -> Token.Kind? {
        index < tokens.count ? tokens[index].kind : nil
    }

    // MARK: Tokens

    private static func tokenize(_ bytes: [UInt8]) -> [Token] {
        var tokens: [Token] = []
        var line = 1
        var index = 0
        let count = bytes.count
        func byte(_ at: Int) -> UInt8 { at < count ? bytes[at] : 0 }
        /// Skips a line break at `index` (\n, \r, \r\n or \n\r count once, as in Lua).
        func skipNewline() {
            let first = bytes[index]
            index += 1
            if index < count, (bytes[index] == 0x0A || bytes[index] == 0x0D), bytes[index] != first { index += 1 }
            line += 1
        }
        /// The level of a long bracket `[==[` at `index` (the number of `=`), or nil.
        func longBracketLevel(at start: Int) -> Int? {
            guard byte(start) == 0x5B else { return nil }
            var at = start + 1
            while byte(at) == 0x3D { at += 1 }
            return byte(at) == 0x5B ? at - start - 1 : nil
        }
        /// Skips a long bracket of `level` opening at `index`; returns its text.
        func skipLong(level: Int) -> String {
            index += level + 2
            if index < count, bytes[index] == 0x0A || bytes[index] == 0x0D { skipNewline() }
            let start = index
            while index < count {
                if bytes[index] == 0x5D {
                    var at = index + 1
                    while byte(at) == 0x3D { at += 1 }
                    if byte(at) == 0x5D && at - index - 1 == level {
                        let text = String(decoding: bytes[start..<index], as: UTF8.self)
                        index = at + 1
                        return text
                    }
                    index += 1
                } else if bytes[index] == 0x0A || bytes[index] == 0x0D {
                    skipNewline()
                } else {
                    index += 1
                }
            }
            return String(decoding: bytes[start..<count], as: UTF8.self)
        }

        while index < count {
            let c = bytes[index]
            let tokenLine = line
            switch c {
            case 0x0A, 0x0D:
                skipNewline()
            case 0x20, 0x09, 0x0B, 0x0C:
                index += 1
            case 0x2D where byte(index + 1) == 0x2D:  // -- comment
                index += 2
                if let level = longBracketLevel(at: index) {
                    _ = skipLong(level: level)
                } else {
                    while index < count, bytes[index] != 0x0A, bytes[index] != 0x0D { index += 1 }
                }
            case 0x5B where longBracketLevel(at: index) != nil:
                let text = skipLong(level: longBracketLevel(at: index)!)
                tokens.append(Token(kind: .string(text), line: tokenLine))
            case 0x22, 0x27:  // "..." or '...'
                index += 1
                let start = index
                var escaped = false
                while index < count, bytes[index] != c {
                    if bytes[index] == 0x0A || bytes[index] == 0x0D { break }  // unfinished
                    if bytes[index] == 0x5C {
                        escaped = true
                        index += 1
                        if index < count, bytes[index] == 0x0A || bytes[index] == 0x0D {
                            skipNewline()
                            continue
                        }
                    }
                    index += 1
                }
                let text = escaped ? nil : String(decoding: bytes[start..<min(index, count)], as: UTF8.self)
                if index < count, bytes[index] == c { index += 1 }
                tokens.append(Token(kind: .string(text), line: tokenLine))
            case _ where isNameStart(c):
                let start = index
                while index < count, isNameStart(bytes[index]) || isDigit(bytes[index]) { index += 1 }
                tokens.append(Token(kind: .name(String(decoding: bytes[start..<index], as: UTF8.self)), line: tokenLine))
            case _ where isDigit(c) || (c == 0x2E && isDigit(byte(index + 1))):
                while index < count {
                    let d = bytes[index]
                    if (d == 0x2B || d == 0x2D), [0x65, 0x45, 0x70, 0x50].contains(bytes[index - 1]) {
                        index += 1
                    } else if isNameStart(d) || isDigit(d) || d == 0x2E {
                        index += 1
                    } else {
                        break
                    }
                }
                tokens.append(Token(kind: .other, line: tokenLine))
            case 0x3D, 0x7E, 0x3C, 0x3E:  // = == ~= <= >= (and < > << >>, which are never keys' `=`)
                if byte(index + 1) == 0x3D {
                    index += 2
                    tokens.append(Token(kind: .symbol(c == 0x3D ? "==" : "cmp"), line: tokenLine))
                } else {
                    index += 1
                    tokens.append(Token(kind: c == 0x3D ? .symbol("=") : .other, line: tokenLine))
                }
            case 0x7B, 0x7D, 0x28, 0x29, 0x5B, 0x5D, 0x2C, 0x3B:  // { } ( ) [ ] , ;
                index += 1
                tokens.append(Token(kind: .symbol(String(UnicodeScalar(c))), line: tokenLine))
            default:
                index += 1
                tokens.append(Token(kind: .other, line: tokenLine))
            }
        }
        return tokens
    }

    private static func isNameStart(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
}
