import LuaKit

/// Reads the fields of a declaration table that the DSL already type-checked.
/// Works on the table at a fixed stack index; every method leaves the stack as it found it.
struct LuaSpecReader {
    let state: LuaState
    let table: Int32
    let position: SourcePosition

    func string(_ field: String) -> String? {
        state.rawField(field, of: table)
        defer { state.pop() }
        return state.string(at: -1)
    }

    func number(_ field: String) -> Double? {
        state.rawField(field, of: table)
        defer { state.pop() }
        return state.number(at: -1)
    }

    func boolean(_ field: String) -> Bool? {
        state.rawField(field, of: table)
        defer { state.pop() }
        return state.boolean(at: -1)
    }

    func has(_ field: String) -> Bool {
        state.rawField(field, of: table)
        defer { state.pop() }
        return !state.isNil(at: -1)
    }

    /// A function field, pinned in the registry.
    func function(_ field: String) -> LuaFunctionRef? {
        state.rawField(field, of: table)
        guard state.isFunction(at: -1) else {
            state.pop()
            return nil
        }
        let parameters = state.parameters(ofFunctionAt: -1)
        let closure = LuaClosureSnapshot(ofFunctionAt: -1, in: state)
        // `e` is the first parameter, or the second for `when(guest, e)`; only declared ones count.
        let declared = parameters.isVararg ? 0 : parameters.count
        let eventFields = (declared > 0 ? EventFieldReads(ofParameter: 0, ofFunctionAt: -1, in: state) : nil,
                           declared > 1 ? EventFieldReads(ofParameter: 1, ofFunctionAt: -1, in: state) : nil)
        let line = state.definitionLine(ofFunctionAt: -1)
        return LuaFunctionRef(reference: LuaRef(popping: state), position: position,
                              parameterCount: parameters.isVararg ? .max : parameters.count, closure: closure,
                              eventFields: eventFields, definitionLine: line)
    }

    /// A number or a function(e, guest) computing it.
    func ruleNumber(_ field: String, default value: Double) -> RuleNumber {
        if let function = function(field) { return .function(function) }
        return .constant(number(field) ?? value)
    }

    /// A plain value (no functions) copied out of the table.
    func value(_ field: String) throws(RuleError) -> LuaValue {
        state.rawField(field, of: table)
        defer { state.pop() }
        do { return try state.value(at: -1) } catch {
            throw RuleError(message: "field '\(field)': \(error.message)", position: position)
        }
    }

    /// `on` / `page` matchers: a string, a list of strings, prefix "..." or regex "...".
    func matcher(_ field: String) throws(RuleError) -> StringMatcher? {
        try Self.matcher(from: value(field), field: field, position: position)
    }

    static func matcher(from value: LuaValue, field: String, position: SourcePosition) throws(RuleError) -> StringMatcher? {
        switch value {
        case .nil: return nil
        case .string(let text): return .exact(text)
        case .table(let entries):
            if case .string(let kind)? = entries["__matcher"], case .string(let text)? = entries["value"] {
                if kind == "prefix" { return .prefix(text) }
                do { return .regex(try CompiledRegex(text)) } catch {
                    throw RuleError(message: "field '\(field)': \(error.message)", position: position)
                }
            }
            var texts = Set<ByteString>()
            for case .string(let text) in entries.values { texts.insert(ByteString(text)) }
            return texts.count == 1 ? .exact(texts.first!.string) : .anyOf(texts)
        default:
            throw RuleError(message: "field '\(field)' is not a matcher", position: position)
        }
    }

    /// `where`: a table of field = value (dotted keys, not_equal) or a function.
    func condition(_ field: String) throws(RuleError) -> Condition? {
        if let function = function(field) { return .function(function) }
        guard case .table(let entries) = try value(field) else { return nil }
        var expectations: [FieldExpectation] = []
        for (key, expected) in entries {
            guard case .string(let name) = key else { continue }
            let path = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            var negated = false
            var target = expected
            if case .table(let inner) = expected, let value = inner["__not_equal"] {
                negated = true
                target = value
            }
            let value: ExpectedValue
            switch target {
            case .string(let text): value = .string(text)
            case .integer(let number): value = .integer(number)
            case .number(let number): value = .number(number)
            case .boolean(let flag): value = .boolean(flag)
            default:
                throw RuleError(message: "where '\(name)': expected a string, number or boolean", position: position)
            }
            expectations.append(FieldExpectation(path: path, expected: value, negated: negated))
        }
        // A stable order keeps evaluation deterministic.
        expectations.sort { $0.path.joined(separator: ".").precedesInBytes($1.path.joined(separator: ".")) }
        return .fields(expectations)
    }

    /// The `on`, `page` and `where` fields as a filter (`on` compared case-insensitively).
    func filter() throws(RuleError) -> EventFilter {
        let on: StringMatcher?
        do {
            on = try matcher("on")?.uppercased()
        } catch {
            throw RuleError(message: error.message, position: position)
        }
        return EventFilter(on: on, page: try matcher("page"), condition: try condition("where"))
    }
}
