/// A Lua value copied out of (or into) a VM: nil, booleans, integers, floats, strings and
/// tables of those. Functions, userdata and threads are not copied; see ``LuaRef``.
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

extension LuaValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral
{
    public init(nilLiteral: ()) { self = .nil }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
}
