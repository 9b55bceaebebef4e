import Foundation
import TallyCore

/// What a rule matches, in one line for `tally check`: `on FORM · page prefix "/docs/" · where
/// form = "pricing"` or `where function (goals.lua:12)`.
enum RuleMatchText {
    /// The parts of `filter` (`on`, `page`, `where`), then `extra` (e.g. an outcome's `when`),
    /// joined with ` · `; nil when there are none.
    static func describe(_ filter: EventFilter, extra: [String] = [], file: String) -> String? {
        var parts: [String] = []
        if let on = filter.on { parts.append("on " + matcher(on, quoted: false)) }
        if let page = filter.page { parts.append("page " + matcher(page, quoted: true)) }
        switch filter.condition {
        case .fields(let expectations)?: parts.append("where " + fields(expectations))
        case .function(let function)?: parts.append("where " + self.function(function, file: file))
        case nil: break
        }
        parts += extra
        return parts.isEmpty ? nil : parts.joined(separator: " · ")
    }

    /// `function (goals.lua:12)`: the file's name and the line the function is written on.
    static func function(_ function: LuaFunctionRef, file: String) -> String {
        let name = (file as NSString).lastPathComponent
        return "function (\(name):\(function.definitionLine ?? function.position.line))"
    }

    /// `FORM`, `"/pricing"`, `"/a" or "/b"`, `prefix "/docs/"`, `regex "^/blog/"`. Event types
    /// (`quoted` false) show as compared: upper case, without quotes.
    static func matcher(_ matcher: StringMatcher, quoted: Bool) -> String {
        let text = { (value: String) in quoted ? quote(value) : value }
        switch matcher {
        case .exact(let value): return text(value)
        case .anyOf(let values): return values.sorted().map { text($0.string) }.joined(separator: " or ")
        case .prefix(let value): return "prefix " + quote(value)
        case .regex(let regex): return "regex " + quote(regex.pattern)
        }
    }

    /// `form = "pricing", size = not_equal("1-10")`, sorted by field.
    static func fields(_ expectations: [FieldExpectation]) -> String {
        expectations
            .map { (path: $0.path.joined(separator: "."), expectation: $0) }
            .sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
            .map { path, expectation in
                let value = self.value(expectation.expected)
                return "\(path) = " + (expectation.negated ? "not_equal(\(value))" : value)
            }
            .joined(separator: ", ")
    }

    static func value(_ value: ExpectedValue) -> String {
        switch value {
        case .string(let text): return quote(text)
        case .boolean(let flag): return flag ? "true" : "false"
        case .integer(let number): return String(number)
        case .number(let number): return FieldComparison.numberText(number)
        }
    }

    /// `text` in double quotes, with `"` and `\` escaped and control characters as `\n` or
    /// `\ddd`, as Lua would write it.
    static func quote(_ text: String) -> String {
        var bytes: [UInt8] = [0x22]
        for byte in text.utf8 {
            switch byte {
            case 0x22, 0x5C: bytes += [0x5C, byte]
            case 0x0A: bytes += Array("\\n".utf8)
            case 0x09: bytes += Array("\\t".utf8)
            case 0..<0x20, 0x7F: bytes += Array("\\\(byte)".utf8)
            default: bytes.append(byte)
            }
        }
        bytes.append(0x22)
        return String(decoding: bytes, as: UTF8.self)
    }
}
