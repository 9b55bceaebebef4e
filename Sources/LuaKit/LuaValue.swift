/// A Lua value copied out of (or into) a VM: nil, booleans, integers, floats, strings and
/// tables of those. Functions, userdata and threads are not copied; see ``LuaRef``.
///
/// Strings are equal and hash alike when their bytes are, as in Lua: `"é"` and `"e\u{301}"`
/// are two table keys, where Swift's `String` would take them for one.
public enum LuaValue: Hashable, Sendable {
    case `nil`
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case table([LuaValue: LuaValue])
    /// A value that cannot be copied (function, userdata, thread), with its Lua type name.
    case opaque(String)

    /// Builds a sequence table `{v1, v2, ...}`.
    public static func array(_ values: [LuaValue]) -> LuaValue {
        var table: [LuaValue: LuaValue] = [:]
        for (offset, value) in values.enumerated() { table[.integer(Int64(offset + 1))] = value }
        return .table(table)
    }

    /// The value's Lua type name, as `type()` would say.
    public var typeName: String {
        switch self {
        case .nil: "nil"
        case .boolean: "boolean"
        case .integer, .number: "number"
        case .string: "string"
        case .table: "table"
        case .opaque(let name): name
        }
    }
}

extension LuaValue {
    public static func == (lhs: LuaValue, rhs: LuaValue) -> Bool {
        switch (lhs, rhs) {
        case (.nil, .nil): return true
        case (.boolean(let a), .boolean(let b)): return a == b
        case (.integer(let a), .integer(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a.utf8.count == b.utf8.count && a.utf8.elementsEqual(b.utf8)
        case (.table(let a), .table(let b)): return a == b
        case (.opaque(let a), .opaque(let b)): return a == b
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .nil: hasher.combine(0)
        case .boolean(let flag): hasher.combine(1); hasher.combine(flag)
        case .integer(let number): hasher.combine(2); hasher.combine(number)
        case .number(let number): hasher.combine(3); hasher.combine(number)
        case .string(let text):
            hasher.combine(4)
            hasher.combine(text.utf8.count)
            for byte in text.utf8 { hasher.combine(byte) }
        case .table(let entries): hasher.combine(5); hasher.combine(entries)
        case .opaque(let name): hasher.combine(6); hasher.combine(name)
        }
    }
}

extension LuaValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral
{
    public init(nilLiteral: ()) { self = .nil }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
}
