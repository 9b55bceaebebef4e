/// A JSON value as read from an event line.
///
/// Integers written without a fraction or exponent that fit in `Int64` are `.int`; every
/// other number (`1.5`, `1e3`, `1.0`, integers beyond `Int64`) is `.number`. JSON text never
/// yields NaN, but a number too large for `Double` (`1e400`) reads as infinity.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// Equal values of the same kind; strings are equal when their UTF-8 bytes are (SPEC §3).
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a.hasSameBytes(as: b)
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a == b
        default: return false
        }
    }

    /// The string, or `nil` for every other kind of value.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The number as a `Double` (`.int` converted), or `nil` for non-numbers.
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .number(let d): return d
        default: return nil
        }
    }

    /// The object, or `nil` for every other kind of value.
    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// True for `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A short name of the kind of value with its text for scalars, for messages:
    /// `a number (12)`, `a string ("")`, `an object`, `null`.
    var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return "a number (\(i))"
        case .number(let d): return "a number (\(d))"
        case .string(let s): return "a string (\(Quoted.text(s)))"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// The kind of value without its text: `a number`, `a string`, `an array`.
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
