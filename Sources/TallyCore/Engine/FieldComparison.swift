import Glibc

/// Comparison of event fields with the expected values of `where` tables (SPEC §3): equal
/// strings, numbers and booleans; a string equals a number when it is the number's text.
enum FieldComparison {
    /// True if the JSON value equals the expected value.
    static func equals(_ value: JSONValue?, _ expected: ExpectedValue) -> Bool {
        guard let value else { return false }
        switch (value, expected) {
        case (.string(let text), .string(let wanted)): return text == wanted
        case (.int(let number), .number(let wanted)): return Double(number) == wanted
        case (.number(let number), .number(let wanted)): return number == wanted
        case (.bool(let flag), .boolean(let wanted)): return flag == wanted
        case (.string(let text), .number(let wanted)): return text == numberText(wanted)
        case (.int(let number), .string(let wanted)): return String(number) == wanted
        case (.number(let number), .string(let wanted)): return numberText(number) == wanted
        default: return false
        }
    }

    /// A number's text as Lua writes it: integers without a fraction, others with `%.14g`.
    static func numberText(_ number: Double) -> String {
        if number == number.rounded(), abs(number) < 9.2e18 { return String(Int64(number)) }
        var buffer = [CChar](repeating: 0, count: 32)
        _ = withVaList([number]) { vsnprintf(&buffer, buffer.count, "%.14g", $0) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
