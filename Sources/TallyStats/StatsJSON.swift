/// A JSON value with ordered object keys, for the command-line reports.
enum StatsJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case number(Double)
    case string(String)
    case array([StatsJSON])
    case object([(String, StatsJSON)])

    /// A number, or null when it is missing or not finite (JSON has no NaN).
    static func number(_ value: Double?) -> StatsJSON {
        guard let value, value.isFinite else { return .null }
        return .number(value)
    }

    /// A boolean, or null when missing.
    static func bool(_ value: Bool?) -> StatsJSON {
        value.map(StatsJSON.bool) ?? .null
    }

    static func == (lhs: StatsJSON, rhs: StatsJSON) -> Bool {
        lhs.rendered() == rhs.rendered()
    }

    /// The text, indented by two spaces per level; numbers with full precision (Swift's
    /// shortest round-trip `description`).
    func rendered(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent + 1)
        let closePad = String(repeating: "  ", count: indent)
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .number(let x): return x.isFinite ? x.description : "null"
        case .string(let s): return Self.quoted(s)
        case .array(let items):
            if items.isEmpty { return "[]" }
            let body = items.map { pad + $0.rendered(indent: indent + 1) }.joined(separator: ",\n")
            return "[\n" + body + "\n" + closePad + "]"
        case .object(let members):
            if members.isEmpty { return "{}" }
            let body = members.map { pad + Self.quoted($0.0) + ": " + $0.1.rendered(indent: indent + 1) }
                .joined(separator: ",\n")
            return "{\n" + body + "\n" + closePad + "}"
        }
    }

    /// A JSON string literal.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
