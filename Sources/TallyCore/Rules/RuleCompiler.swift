import LuaKit

/// Turns the declarations recorded by the DSL into a ``RuleSet``: defaults applied, ids checked
/// for uniqueness across files, `goal_rate` references resolved.
struct RuleCompiler {
    let runtime: RuleRuntime
    var state: LuaState { runtime.state }

    init(runtime: RuleRuntime) { self.runtime = runtime }

    /// Compiles the declaration list at stack index `list`. Stack: unchanged.
    func compile(declarationsAt list: Int32) throws(RuleError) -> RuleSet {
        var settings = Settings()
        var goals: [GoalRule] = []
        var outcomes: [OutcomeRule] = []
        var seen: [ByteString: (kind: String, position: SourcePosition)] = [:]
        var experiments: [ExperimentRule] = []

        let count = state.rawLength(at: list)
        for index in 1...max(1, count) where index <= count {
            state.rawElement(index, of: list)
            let declaration = state.top
            defer { state.top = declaration - 1 }
            let header = LuaSpecReader(state: state, table: declaration, position: SourcePosition(file: "?", line: 0))
            let kind = header.string("kind") ?? ""
            let id = header.string("id") ?? ""
            let position = SourcePosition(file: header.string("file") ?? "?", line: Int(header.number("line") ?? 0))
            state.rawField("spec", of: declaration)
            let spec = LuaSpecReader(state: state, table: state.top, position: position)

            if kind != "settings" {
                if let previous = seen[ByteString(id)] {
                    throw RuleError(message: "duplicate id '\(id)': already declared as \(previous.kind) at \(previous.position)",
                                    position: position)
                }
                seen[ByteString(id)] = (kind == "goal" ? "a goal" : kind == "outcome" ? "an outcome" : "an experiment", position)
            }
            switch kind {
            case "settings": settings = try compileSettings(spec)
            case "goal": goals.append(try compileGoal(id: id, spec))
            case "outcome": outcomes.append(try compileOutcome(id: id, spec, currency: nil))
            case "experiment": experiments.append(try compileExperiment(id: id, spec))
            default: break
            }
        }
        // Outcomes without their own currency use the settings' currency, wherever settings is.
        for index in outcomes.indices where outcomes[index].currency.isEmpty {
            outcomes[index].currency = settings.currency
        }
        // Resolve goal_rate references now that every file has loaded.
        let goalIndex = Dictionary(goals.enumerated().map { (ByteString($0.element.id), $0.offset) }, uniquingKeysWith: { a, _ in a })
        for experiment in experiments.indices {
            for metric in experiments[experiment].metrics.indices where experiments[experiment].metrics[metric].kind == .goalRate {
                let reference = experiments[experiment].metrics[metric].field
                guard let index = goalIndex[ByteString(reference)] else {
                    throw RuleError(message: "experiment '\(experiments[experiment].id)': goal_rate refers to unknown goal '\(reference)'",
                                    position: experiments[experiment].metrics[metric].position)
                }
                experiments[experiment].metrics[metric].goalIndex = index
            }
        }
        return RuleSet(settings: settings, goals: goals, outcomes: outcomes, experiments: experiments, runtime: runtime)
    }

    private func compileSettings(_ spec: LuaSpecReader) throws(RuleError) -> Settings {
        var settings = Settings()
        settings.position = spec.position
        if let text = spec.string("session_timeout") {
            guard let milliseconds = DurationText.milliseconds(text), milliseconds > 0 else {
                throw RuleError(message: "settings: session_timeout \"\(text)\" is not a duration like \"30m\", \"90s\" or \"1h\"",
                                position: spec.position)
            }
            settings.sessionTimeout = milliseconds
        }
        if let text = spec.string("allowed_lateness") {
            guard let milliseconds = DurationText.milliseconds(text) else {
                throw RuleError(message: "settings: allowed_lateness \"\(text)\" is not a duration like \"5m\", \"90s\" or \"0s\"",
                                position: spec.position)
            }
            settings.allowedLateness = milliseconds
        }
        if let currency = spec.string("currency") { settings.currency = currency }
        return settings
    }

    private func compileGoal(id: String, _ spec: LuaSpecReader) throws(RuleError) -> GoalRule {
        GoalRule(
            id: id, name: spec.string("name") ?? id, filter: try spec.filter(),
            points: spec.ruleNumber("points", default: 0),
            count: GoalCount(rawValue: spec.string("count") ?? "every") ?? .every,
            position: spec.position)
    }

    private func compileOutcome(id: String, _ spec: LuaSpecReader, currency: String?) throws(RuleError) -> OutcomeRule {
        OutcomeRule(
            id: id, name: spec.string("name") ?? id, group: spec.string("group"), filter: try spec.filter(),
            when: spec.function("when"), value: spec.ruleNumber("value", default: 0),
            currency: spec.string("currency") ?? currency ?? "", once: spec.boolean("once") ?? true,
            position: spec.position)
    }
}
