import LuaKit

/// Writes a Lua value the way a REPL shows it: strings quoted, tables as `{k = v, ...}` with
/// sequence items first and the other keys sorted.
enum LuaValueFormatter {
    static func describe(_ value: LuaValue, depth: Int = 0) -> String {
        switch value {
        case .nil: return "nil"
        case .boolean(let flag): return String(flag)
        case .integer(let number): return String(number)
        case .number(let number): return FieldComparison.numberText(number)
        case .string(let text): return "\"\(text)\""
        case .opaque(let type): return type
        case .table(let entries):
            if depth > 3 { return "{...}" }
            var parts: [String] = []
            var index: Int64 = 1
            while let item = entries[.integer(index)] {
                parts.append(describe(item, depth: depth + 1))
                index += 1
            }
            let rest = entries.filter { key, _ in
                if case .integer(let number) = key, number >= 1, number < index { return false }
                return true
            }
            let named = rest.map { key, item -> (String, String) in
                let name: String
                if case .string(let text) = key { name = text } else { name = "[\(describe(key, depth: depth + 1))]" }
                return (name, describe(item, depth: depth + 1))
            }.sorted { $0.0.precedesInBytes($1.0) }
            parts += named.map { "\($0.0) = \($0.1)" }
            return "{" + parts.joined(separator: ", ") + "}"
        }
    }
}
