/// Quoting of user input in one-line messages.
enum Quoted {
    /// The text in double quotes, escaped as a JSON string for a message
    /// (`JSONWriter.appendQuoted(_:to:forMessage:)`), cut after `limit` characters with `…`, so
    /// it always fits on one line.
    static func text(_ text: String, limit: Int = 48) -> String {
        let scalars = text.unicodeScalars
        let shown = scalars.count > limit ? String(String.UnicodeScalarView(scalars.prefix(limit))) : text
        var out = ""
        JSONWriter.appendQuoted(shown, to: &out, forMessage: true)
        if shown.unicodeScalars.count < scalars.count {
            out.removeLast()
            out += "…\""
        }
        return out
    }

    /// A character found in the input, for "found …" messages: `'x'`, `'é'`, `U+0007`.
    static func character(_ scalar: Unicode.Scalar) -> String {
        let v = scalar.value
        if v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029 || v == 0xFEFF {
            return "U+" + hex4(v)
        }
        return "'\(Character(scalar))'"
    }

    /// Four or more upper-case hex digits.
    static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
