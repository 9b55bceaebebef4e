import LuaKit

/// Runtime failures of rules, counted per rule and position (SPEC §3 `rule_errors`).
struct RuleErrorLog {
    private struct Key: Hashable {
        var rule: String
        var file: String
        var line: Int
    }

    private var order: [Key] = []
    private var entries: [Key: Report.RuleErrorSummary] = [:]
    /// Called once for each new (rule, file, line) so hosts can show it as it happens.
    var onFirstError: (Report.RuleErrorSummary) -> Void = { _ in }

    /// Counts one failed call of `rule`; the position is Lua's, else where the rule was declared.
    mutating func record(rule: String, error: LuaError, declaredAt position: SourcePosition) {
        let key = Key(rule: rule, file: error.chunk ?? position.file, line: error.line ?? position.line)
        if entries[key] == nil {
            order.append(key)
            let entry = Report.RuleErrorSummary(rule: rule, file: key.file, line: key.line, message: error.message, count: 1)
            entries[key] = entry
            onFirstError(entry)
        } else {
            entries[key]!.count += 1
        }
    }

    var summaries: [Report.RuleErrorSummary] { order.map { entries[$0]! } }

    /// Replaces the log with restored entries (their order kept).
    mutating func restore(_ summaries: [Report.RuleErrorSummary]) {
        order = summaries.map { Key(rule: $0.rule, file: $0.file, line: $0.line) }
        entries = Dictionary(zip(order, summaries), uniquingKeysWith: { first, _ in first })
    }
}
