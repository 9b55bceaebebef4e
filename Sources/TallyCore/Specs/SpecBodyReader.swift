import LuaKit

/// Reads the table given to `spec "name" { ... }` into a ``RuleSpec``: checks every key and
/// type (an unknown key is an error), encodes the events as JSON and lists the expectations
/// in a fixed order. Errors are one-line messages starting with `spec "name": `; the loader
/// adds the file and line of the `spec` call.
struct SpecBodyReader {
    let name: String
    let position: SourcePosition

    struct Failure: Error {
        var message: String
    }

    /// Keys of the spec table.
    static let bodyKeys = ["events", "expect", "session_timeout"]
    /// Keys of `expect`, in the order expectations are checked.
    static let expectKeys = [
        "accepted", "rejected", "out_of_order", "guests", "sessions", "points", "goals", "outcomes",
        "outcome_groups", "counters", "rule_errors", "experiments", "profiles",
    ]
    static let experimentKeys = [
        "status", "winner", "leading", "action", "exposed", "multiple_exposures", "srm", "units", "totals", "means",
        "guests",
    ]
    static let profileKeys = ["points", "sessions", "goals", "outcomes", "data", "experiments"]

    func read(_ body: LuaValue) throws(Failure) -> RuleSpec {
        let fields = try table(body, at: nil, what: "a table { events = ..., expect = ... }")
        try checkKeys(fields, allowed: Self.bodyKeys, at: nil)
        let events = try readEvents(fields["events"] ?? .nil)
        var timeout: Int64?
        if let value = fields["session_timeout"] {
            guard case .string(let text) = value, let milliseconds = DurationText.milliseconds(text), milliseconds > 0
            else {
                throw fail("session_timeout must be a duration like \"30m\", \"90s\" or \"1h\", got \(describe(value))")
            }
            timeout = milliseconds
        }
        guard let expect = fields["expect"] else {
            throw fail("needs an expect table, e.g. expect = { goals = { my_goal = 1 } }")
        }
        let expectations = try readExpect(expect)
        return RuleSpec(name: name, position: position, events: events, sessionTimeout: timeout,
                        expectations: expectations)
    }

    // MARK: Events

    private func readEvents(_ value: LuaValue) throws(Failure) -> [SpecEvent] {
        switch value {
        case .nil: return []
        case .string(let text): return [.text(text)]
        case .table(let entries):
            guard let count = SpecEventEncoder.listLength(entries) ?? (entries.isEmpty ? 0 : nil) else {
                throw fail("events must be a list of event tables (or JSON lines), or JSON Lines text [[ ... ]]")
            }
            var events: [SpecEvent] = []
            for index in stride(from: 1, through: count, by: 1) {
                let label = "events[\(index)]"
                switch entries[.integer(Int64(index))]! {
                case .string(let line):
                    guard !line.contains("\n") else {
                        throw fail("\(label) is a string with several lines; give one JSON line per list item, "
                                   + "or all the events as JSON Lines text (events = [[ ... ]])")
                    }
                    events.append(.line(line, label: label))
                case let event:
                    do {
                        events.append(.line(try SpecEventEncoder.encodeEvent(event, path: label), label: label))
                    } catch {
                        throw fail(error.message)
                    }
                }
            }
            return events
        default:
            throw fail("events must be a list of event tables or JSON Lines text, got \(describe(value))")
        }
    }

    // MARK: Expectations

    private func readExpect(_ value: LuaValue) throws(Failure) -> [SpecExpectation] {
        let expect = try table(value, at: "expect", what: "a table")
        try checkKeys(expect, allowed: Self.expectKeys, at: "expect")
        var list: [SpecExpectation] = []
        for key in Self.expectKeys {
            guard let value = expect[key] else {
                if key == "rejected" { list.append(.init(path: key, subject: .rejected, expected: .number(0), isImplicit: true)) }
                if key == "rule_errors" {
                    list.append(.init(path: key, subject: .ruleErrors(rule: nil), expected: .number(0), isImplicit: true))
                }
                continue
            }
            switch key {
            case "accepted": list.append(try scalar(value, key, .accepted))
            case "rejected": list.append(try scalar(value, key, .rejected))
            case "out_of_order": list.append(try scalar(value, key, .outOfOrder))
            case "guests": list.append(try scalar(value, key, .guestCount))
            case "sessions": list.append(try scalar(value, key, .sessionCount))
            case "points":
                if case .table = value {
                    for (guest, points) in try map(value, at: key) {
                        list.append(.init(path: join(key, guest), subject: .guest(id: guest, .points),
                                          expected: try number(points, at: join(key, guest))))
                    }
                } else {
                    list.append(try scalar(value, key, .totalPoints, what: "a number (all guests) or { guest = points }"))
                }
            case "goals":
                list += try figures(value, at: key, short: .reached) { id, figure in .goal(id: id, figure) }
            case "outcomes":
                list += try figures(value, at: key, short: .reached) { id, figure in .outcome(id: id, figure) }
            case "outcome_groups":
                list += try figures(value, at: key, short: .value) { group, figure in .outcomeGroup(name: group, figure) }
            case "counters":
                for (counter, amount) in try map(value, at: key) {
                    list.append(.init(path: join(key, counter), subject: .counter(name: counter),
                                      expected: try number(amount, at: join(key, counter))))
                }
            case "rule_errors":
                if case .table = value {
                    for (rule, count) in try map(value, at: key) {
                        list.append(.init(path: join(key, rule), subject: .ruleErrors(rule: rule),
                                          expected: try number(count, at: join(key, rule))))
                    }
                } else {
                    list.append(try scalar(value, key, .ruleErrors(rule: nil), what: "a number or { rule = count }"))
                }
            case "experiments":
                for (experiment, spec) in try map(value, at: key) {
                    list += try readExperiment(spec, id: experiment, at: join(key, experiment))
                }
            default:  // profiles
                for (guest, spec) in try map(value, at: key) {
                    list += try readProfile(spec, guest: guest, at: join(key, guest))
                }
            }
        }
        return list
    }

    /// `{ id = n }` (the short figure) or `{ id = { figure = n, ... } }`.
    private func figures<Figure: RawRepresentable & CaseIterable>(
        _ value: LuaValue, at path: String, short: Figure, subject: (String, Figure) -> SpecSubject
    ) throws(Failure) -> [SpecExpectation] where Figure.RawValue == String {
        var list: [SpecExpectation] = []
        let names = Figure.allCases.map(\.rawValue)
        for (id, spec) in try map(value, at: path) {
            let itemPath = join(path, id)
            if case .table = spec {
                for (figureName, expected) in try map(spec, at: itemPath) {
                    guard let figure = Figure(rawValue: figureName) else {
                        throw fail("\(shown(itemPath)): unknown key '\(figureName)' (known: \(names.joined(separator: ", ")))")
                    }
                    let figurePath = join(itemPath, figureName)
                    list.append(.init(path: figurePath, subject: subject(id, figure), expected: try number(expected, at: figurePath)))
                }
            } else {
                let what = "a number or { \(names.joined(separator: ", ")) }"
                list.append(.init(path: itemPath, subject: subject(id, short), expected: try number(spec, at: itemPath, what: what)))
            }
        }
        return list
    }

    private func readExperiment(_ value: LuaValue, id: String, at path: String) throws(Failure) -> [SpecExpectation] {
        let fields = try table(value, at: path, what: "a table { exposed = ..., units = ..., ... }")
        guard !fields.isEmpty else { throw fail("\(shown(path)) is empty: say what to expect, or leave it out") }
        try checkKeys(fields, allowed: Self.experimentKeys, at: path)
        var list: [SpecExpectation] = []
        for key in Self.experimentKeys {
            guard let value = fields[key] else { continue }
            let keyPath = join(path, key)
            switch key {
            case "status", "winner", "leading", "action":
                let figure: SpecSubject.ExperimentFigure = switch key {
                case "status": .status
                case "winner": .winner
                case "leading": .leading
                default: .action
                }
                let expected: SpecValue
                switch value {
                case .string(let text): expected = .string(text)
                case .boolean(false) where key != "status": expected = .null
                default:
                    throw fail("\(shown(keyPath)) must be a string\(key == "status" ? "" : " or false (none)"), got \(describe(value))")
                }
                list.append(.init(path: keyPath, subject: .experiment(id: id, figure), expected: expected))
            case "multiple_exposures":
                list.append(.init(path: keyPath, subject: .experiment(id: id, .multipleExposures),
                                  expected: try number(value, at: keyPath)))
            case "srm":
                guard case .boolean(let flag) = value else { throw fail("\(shown(keyPath)) must be true or false, got \(describe(value))") }
                list.append(.init(path: keyPath, subject: .experiment(id: id, .srm), expected: .boolean(flag)))
            case "exposed":
                for (variant, count) in try map(value, at: keyPath) {
                    list.append(.init(path: join(keyPath, variant), subject: .experiment(id: id, .exposed(variant: variant)),
                                      expected: try number(count, at: join(keyPath, variant))))
                }
            default:  // units, totals, means, guests: { goal = { variant = n } }
                let figure = SpecSubject.VariantFigure(rawValue: key)!
                for (goal, variants) in try map(value, at: keyPath) {
                    let goalPath = join(keyPath, goal)
                    for (variant, expected) in try map(variants, at: goalPath, what: "a table { variant = n }") {
                        let variantPath = join(goalPath, variant)
                        let value: SpecValue = if case .boolean(false) = expected, figure == .means {
                            .null
                        } else {
                            try number(expected, at: variantPath)
                        }
                        list.append(.init(path: variantPath,
                                          subject: .variant(experiment: id, goal: goal, variant: variant, figure),
                                          expected: value))
                    }
                }
            }
        }
        return list
    }

    private func readProfile(_ value: LuaValue, guest: String, at path: String) throws(Failure) -> [SpecExpectation] {
        let fields = try table(value, at: path, what: "a table { points = ..., goals = ..., ... }")
        guard !fields.isEmpty else { throw fail("\(shown(path)) is empty: say what to expect, or leave it out") }
        try checkKeys(fields, allowed: Self.profileKeys, at: path)
        var list: [SpecExpectation] = []
        for key in Self.profileKeys {
            guard let value = fields[key] else { continue }
            let keyPath = join(path, key)
            switch key {
            case "points":
                list.append(.init(path: keyPath, subject: .guest(id: guest, .points), expected: try number(value, at: keyPath)))
            case "sessions":
                list.append(.init(path: keyPath, subject: .guest(id: guest, .sessions), expected: try number(value, at: keyPath)))
            case "goals":
                for (goal, times) in try map(value, at: keyPath) {
                    list.append(.init(path: join(keyPath, goal), subject: .guest(id: guest, .goal(goal)),
                                      expected: try number(times, at: join(keyPath, goal))))
                }
            case "outcomes":
                for (outcome, reached) in try map(value, at: keyPath) {
                    guard case .boolean(let flag) = reached else {
                        throw fail("\(shown(join(keyPath, outcome))) must be true or false, got \(describe(reached))")
                    }
                    list.append(.init(path: join(keyPath, outcome), subject: .guest(id: guest, .outcome(outcome)),
                                      expected: .boolean(flag)))
                }
            case "data":
                for (entry, expected) in try map(value, at: keyPath) {
                    let entryPath = join(keyPath, entry)
                    let value: SpecValue
                    switch expected {
                    case .string(let text): value = .string(text)
                    case .boolean(let flag): value = .boolean(flag)
                    case .integer, .number: value = try number(expected, at: entryPath)
                    default: throw fail("\(shown(entryPath)) must be a string, a number or a boolean, got \(describe(expected))")
                    }
                    list.append(.init(path: entryPath, subject: .guest(id: guest, .data(entry)), expected: value))
                }
            default:  // experiments
                for (experiment, variant) in try map(value, at: keyPath) {
                    let expected: SpecValue
                    switch variant {
                    case .string(let text): expected = .string(text)
                    case .boolean(false): expected = .null
                    default:
                        throw fail("\(shown(join(keyPath, experiment))) must be a variant id or false (not in the experiment), "
                                   + "got \(describe(variant))")
                    }
                    list.append(.init(path: join(keyPath, experiment), subject: .guest(id: guest, .experiment(experiment)),
                                      expected: expected))
                }
            }
        }
        return list
    }

    // MARK: Helpers

    private func fail(_ message: String) -> Failure {
        Failure(message: "spec \"\(name)\": \(message)")
    }

    /// How a key path inside `expect` is named in messages: `expect.goals.x`.
    private func shown(_ path: String) -> String {
        path == "expect" ? path : "expect." + path
    }

    private func table(_ value: LuaValue, at path: String?, what: String) throws(Failure) -> [String: LuaValue] {
        guard case .table(let entries) = value else {
            throw fail("\(path.map { "\(shown($0)) must be" } ?? "expects") \(what), got \(describe(value))")
        }
        var fields: [String: LuaValue] = [:]
        for (key, value) in entries {
            guard case .string(let name) = key else {
                throw fail("\(path.map { "\(shown($0)): " } ?? "")keys must be names, got \(describe(key))"
                           + (path == nil ? " (write spec \"name\" { events = ..., expect = ... })" : ""))
            }
            fields[name] = value
        }
        return fields
    }

    /// A table of id → value, sorted by id.
    private func map(_ value: LuaValue, at path: String, what: String = "a table of ids") throws(Failure)
        -> [(String, LuaValue)] {
        let fields = try table(value, at: path, what: what)
        // An empty table expects nothing; `experiments = { typo = {} }` would pass silently.
        guard !fields.isEmpty else { throw fail("\(shown(path)) is empty: say what to expect, or leave it out") }
        return fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    private func checkKeys(_ fields: [String: LuaValue], allowed: [String], at path: String?) throws(Failure) {
        for key in fields.keys.sorted() where !allowed.contains(key) {
            throw fail("\(path.map { "\(shown($0)): " } ?? "")unknown key '\(key)' (known: \(allowed.joined(separator: ", ")))")
        }
    }

    private func number(_ value: LuaValue, at path: String, what: String = "a number") throws(Failure) -> SpecValue {
        switch value {
        case .integer(let number): return .number(Double(number))
        case .number(let number) where number.isFinite: return .number(number)
        default: throw fail("\(shown(path)) must be \(what), got \(describe(value))")
        }
    }

    private func scalar(_ value: LuaValue, _ key: String, _ subject: SpecSubject, what: String = "a number")
        throws(Failure) -> SpecExpectation {
        SpecExpectation(path: key, subject: subject, expected: try number(value, at: key, what: what))
    }

    private func describe(_ value: LuaValue) -> String { SpecEventEncoder.describe(value) }

    /// `path.key`, or `path["key with spaces"]` when the key is not a plain name.
    func join(_ path: String, _ key: String) -> String {
        Self.join(path, key)
    }

    static func join(_ path: String, _ key: String) -> String {
        let plain = !key.isEmpty && key.unicodeScalars.allSatisfy { $0 == "_" || $0 == "-" || ($0.isASCII && $0.properties.isAlphabetic) || ("0"..."9").contains($0) }
        return plain ? "\(path).\(key)" : "\(path)[\"\(key)\"]"
    }
}
