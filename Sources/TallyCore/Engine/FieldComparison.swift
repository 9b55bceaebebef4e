import Glibc

/// Comparison of event fields with the expected values of `where` tables (SPEC §3), as a Lua
/// function comparing them would answer: strings equal byte for byte; numbers equal as Lua's
/// `==` has them (`5 == 5.0`, an integer and a float only when the float is that integer
/// exactly); booleans; and a string equals a number when it is the number's text as Lua's
/// `tostring` writes it (`5`, `5.0`, `1e+20`), so `{ seats = "5" }` holds for `"seats": 5` and
/// not for `"seats": 5.0`.
package enum FieldComparison {
    /// True if the JSON value equals the expected value.
    static func equals(_ value: JSONValue?, _ expected: ExpectedValue) -> Bool {
        guard let value else { return false }
        switch (value, expected) {
        case (.string(let text), .string(let wanted)): return text.hasSameBytes(as: wanted)
        case (.bool(let flag), .boolean(let wanted)): return flag == wanted
        case (.int(let number), .integer(let wanted)): return number == wanted
        case (.int(let number), .number(let wanted)): return sameNumber(integer: number, float: wanted)
        case (.number(let number), .integer(let wanted)): return sameNumber(integer: wanted, float: number)
        case (.number(let number), .number(let wanted)): return number == wanted
        case (.string(let text), .integer(let wanted)): return text.hasSameBytes(as: String(wanted))
        case (.string(let text), .number(let wanted)): return text.hasSameBytes(as: numberText(wanted))
        case (.int(let number), .string(let wanted)): return String(number).hasSameBytes(as: wanted)
        case (.number(let number), .string(let wanted)): return numberText(number).hasSameBytes(as: wanted)
        default: return false
        }
    }

    /// Lua's `==` between an integer and a float: true when the float has an integral value
    /// that is exactly the integer (`2^53 + 1 ~= 2.0^53`, though `Double(2^53 + 1) == 2.0^53`).
    static func sameNumber(integer: Int64, float: Double) -> Bool {
        // -2^63 ≤ float < 2^63 is exactly the range of Int64 (both bounds are doubles).
        guard float == float.rounded(.towardZero), float >= -0x1p63, float < 0x1p63 else { return false }
        return Int64(float) == integer
    }

    /// A float's text as Lua 5.4's `tostring` writes it: `%.14g`, with `.0` added when that
    /// looks like an integer (`5.0`, `-0.0`, `1e+20`, `1.2345678901235e+19`, `inf`).
    package static func numberText(_ number: Double) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 48) { buffer in
            let base = buffer.baseAddress!
            var length = Int(withVaList([number]) { vsnprintf(base, 40, "%.14g", $0) })
            if !UnsafeBufferPointer(start: base, count: length).contains(where: { $0 != 0x2D && ($0 < 0x30 || $0 > 0x39) }) {
                base[length] = 0x2E  // "."
                base[length + 1] = 0x30  // "0"
                length += 2
            }
            return String(decoding: UnsafeRawBufferPointer(start: base, count: length), as: UTF8.self)
        }
    }
}
