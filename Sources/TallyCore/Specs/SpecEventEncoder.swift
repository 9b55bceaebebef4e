import LuaKit

/// Turns an event written as a Lua table into one line of JSON, so spec events go through the
/// same ``EventParser`` (and the same validation) as `tally run`'s input.
///
/// A table whose keys are exactly 1...n is an array, one with string keys only an object
/// (`{}` is an empty object); `type`, `guest` and `ts` come first, the other keys sorted.
/// Integral numbers are written without a fraction. NaN, infinities, functions and tables
/// mixing list items and named fields have no JSON form and are errors naming the field.
enum SpecEventEncoder {
    /// A reason an event table has no JSON form; `path` is e.g. `events[2].utm`.
    struct Failure: Error {
        var message: String
    }

    /// Where a number `ts` of an event table counts from: 2026-01-01T00:00:00Z, in milliseconds
    /// since the Unix epoch. Specs write `ts = 0`, `minutes(31)`; the line they become holds
    /// the real time (`tally run` refuses a `ts` that small as epoch seconds).
    public static let timeOrigin: Int64 = 1_767_225_600_000

    /// Encodes one event table (an object at the top). `path` names it in errors. A number
    /// `ts` is taken as milliseconds after ``timeOrigin``; a string `ts` is kept as it is.
    static func encodeEvent(_ value: LuaValue, path: String) throws(Failure) -> String {
        guard case .table(var entries) = value, isObject(entries) else {
            throw Failure(message: "\(path) must be a table of event fields { type = ..., guest = ..., ts = ... } "
                + "or one JSON line, got \(describe(value))")
        }
        switch entries[.string("ts")] {
        case .integer(let offset):
            let (time, overflow) = timeOrigin.addingReportingOverflow(offset)
            if !overflow { entries[.string("ts")] = .integer(time) }
        case .number(let offset): entries[.string("ts")] = .number(Double(timeOrigin) + offset)
        default: break
        }
        var output = ""
        try encode(.table(entries), path: path, into: &output)
        return output
    }

    private static func isObject(_ entries: [LuaValue: LuaValue]) -> Bool {
        entries.keys.allSatisfy { if case .string = $0 { true } else { false } }
    }

    private static let leadingKeys = ["type", "guest", "ts"]

    private static func encode(_ value: LuaValue, path: String, into output: inout String) throws(Failure) {
        switch value {
        case .nil: output += "null"
        case .boolean(let flag): output += flag ? "true" : "false"
        case .integer(let number): output += String(number)
        case .number(let number):
            guard number.isFinite else {
                throw Failure(message: "\(path) is \(number.isNaN ? "NaN" : "infinite"), which JSON cannot carry")
            }
            if number == number.rounded(), abs(number) < 9.0e15 {
                output += String(Int64(number))
            } else {
                output += "\(number)"
            }
        case .string(let text): JSONWriter.appendQuoted(text, to: &output)
        case .opaque(let type):
            throw Failure(message: "\(path) is a \(type), which JSON cannot carry")
        case .table(let entries):
            if entries.isEmpty {
                output += "{}"
            } else if isObject(entries) {
                let keys = entries.keys.compactMap { if case .string(let key) = $0 { key } else { nil } }
                let ordered = leadingKeys.filter { keys.contains($0) }
                    + keys.filter { !leadingKeys.contains($0) }.sorted()
                output += "{"
                for (offset, key) in ordered.enumerated() {
                    if offset > 0 { output += "," }
                    JSONWriter.appendQuoted(key, to: &output)
                    output += ":"
                    try encode(entries[.string(key)]!, path: "\(path).\(key)", into: &output)
                }
                output += "}"
            } else if let count = listLength(entries) {
                output += "["
                for index in 1...count {
                    if index > 1 { output += "," }
                    try encode(entries[.integer(Int64(index))]!, path: "\(path)[\(index)]", into: &output)
                }
                output += "]"
            } else {
                throw Failure(message: "\(path) must be a list { a, b } or have string keys only { k = v }")
            }
        }
    }

    /// n when the keys are exactly the integers 1...n.
    static func listLength(_ entries: [LuaValue: LuaValue]) -> Int? {
        let count = entries.count
        for key in entries.keys {
            guard case .integer(let index) = key, index >= 1, index <= count else { return nil }
        }
        return count
    }

    /// How a value is shown in an error message.
    static func describe(_ value: LuaValue) -> String {
        switch value {
        case .table: "a table"
        case .opaque(let type): "a \(type)"
        default: LuaValueFormatter.describe(value)
        }
    }
}
