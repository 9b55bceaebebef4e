/// The JSON writer of every `tally` output (report, service answers, statistics commands): build
/// a `Value` tree, then `write` it. Members keep the order given; the conventions are those of
/// `ReportJSON` (SPEC §6).
package struct JSONWriter {
    /// A JSON value whose objects keep their members in the order given.
    package indirect enum Value: Equatable {
        case null
        case bool(Bool)
        case int(Int)
        /// Non-finite numbers are written as `null`.
        case double(Double)
        case string(String)
        case array([Value])
        case object([(String, Value)])

        package static func == (lhs: Value, rhs: Value) -> Bool {
            switch (lhs, rhs) {
            case (.null, .null): true
            case let (.bool(a), .bool(b)): a == b
            case let (.int(a), .int(b)): a == b
            case let (.double(a), .double(b)): a == b || (a.isNaN && b.isNaN)
            case let (.string(a), .string(b)): a == b
            case let (.array(a), .array(b)): a == b
            case let (.object(a), .object(b)): a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
            default: false
            }
        }

        /// A number, or `null` when absent.
        package static func number(_ value: Double?) -> Value { value.map(Value.double) ?? .null }
        /// A string, or `null` when absent.
        package static func string(_ value: String?) -> Value { value.map(Value.string) ?? .null }
        /// A boolean, or `null` when absent.
        package static func bool(_ value: Bool?) -> Value { value.map(Value.bool) ?? .null }
    }

    /// The layout: pretty (two-space indentation) or compact.
    package let style: ReportJSON.Style
    /// The JSON text written so far (no trailing newline).
    package private(set) var output = ""

    /// An empty writer.
    package init(style: ReportJSON.Style) {
        self.style = style
    }

    /// The JSON text of `value` (no trailing newline).
    package static func text(of value: Value, style: ReportJSON.Style = .pretty) -> String {
        var writer = JSONWriter(style: style)
        writer.write(value)
        return writer.output
    }

    /// Appends `value` at the current indentation depth.
    package mutating func write(_ value: Value, depth: Int = 0) {
        switch value {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .int(let number): output += String(number)
        case .double(let number): output += Self.number(number)
        case .string(let text): Self.appendQuoted(text, to: &output)
        case .array(let elements):
            writeContainer(open: "[", close: "]", count: elements.count, depth: depth) { writer, index in
                writer.write(elements[index], depth: depth + 1)
            }
        case .object(let members):
            writeContainer(open: "{", close: "}", count: members.count, depth: depth) { writer, index in
                Self.appendQuoted(members[index].0, to: &writer.output)
                writer.output += writer.style == .pretty ? ": " : ":"
                writer.write(members[index].1, depth: depth + 1)
            }
        }
    }

    private mutating func writeContainer(
        open: String, close: String, count: Int, depth: Int, element: (inout JSONWriter, Int) -> Void
    ) {
        output += open
        guard count > 0 else {
            output += close
            return
        }
        for index in 0..<count {
            if index > 0 { output += "," }
            newline(depth: depth + 1)
            element(&self, index)
        }
        newline(depth: depth)
        output += close
    }

    private mutating func newline(depth: Int) {
        guard style == .pretty else { return }
        output += "\n"
        output += String(repeating: "  ", count: depth)
    }

    /// A finite number as JSON: Swift's shortest round-trip `description` without a trailing
    /// `.0` (`250.0` is `250`, `-0.0` is `0`); `null` for NaN and infinities.
    package static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == 0 { return "0" }
        let text = value.description
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    /// Appends `text` as a JSON string literal: the one JSON string escaper of the code base.
    ///
    /// `"` and `\` are escaped with a backslash, control characters below U+0020 as `\u00xx`
    /// (lower-case hex); everything else is UTF-8. `forMessage` (user input quoted in a one-line
    /// message, `Quoted.text`) writes `\n`, `\r` and `\t`, upper-case hex, and escapes DEL, the
    /// C1 controls and U+2028/U+2029 too: still valid JSON, easier to read, safe on a terminal.
    package static func appendQuoted(_ text: String, to output: inout String, forMessage: Bool = false) {
        output += "\""
        if !forMessage, !text.utf8.contains(where: { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 }) {
            output += text  // nothing to escape (nearly every name and id)
            output += "\""
            return
        }
        func escaped(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "\"" || scalar == "\\" || scalar.value < 0x20
                || forMessage && ((0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029)
        }
        var start = text.unicodeScalars.startIndex
        var index = start
        let scalars = text.unicodeScalars
        while index < scalars.endIndex {
            let scalar = scalars[index]
            if escaped(scalar) {
                output.unicodeScalars.append(contentsOf: scalars[start..<index])
                switch scalar {
                case "\"": output += "\\\""
                case "\\": output += "\\\\"
                case "\n" where forMessage: output += "\\n"
                case "\r" where forMessage: output += "\\r"
                case "\t" where forMessage: output += "\\t"
                default:
                    let hex = String(scalar.value, radix: 16, uppercase: forMessage)
                    output += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                }
                start = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        output.unicodeScalars.append(contentsOf: scalars[start..<scalars.endIndex])
        output += "\""
    }
}
