import LuaKit

extension RuleCompiler {
    /// Compiles `experiment "id" { ... }` with the defaults of SPEC §3–§4.
    func compileExperiment(id: String, _ spec: LuaSpecReader) throws(RuleError) -> ExperimentRule {
        let position = spec.position
        let what = "experiment '\(id)'"
        let variants = try compileVariants(spec, what: what)
        var control = 0
        if let name = spec.string("control") {
            guard let index = variants.firstIndex(where: { $0.id.hasSameBytes(as: name) }) else {
                throw RuleError(message: "\(what): control '\(name)' is not one of its variants", position: position)
            }
            control = index
        }

        let assignment: ExperimentRule.Assignment
        if spec.string("assign") == "hash" {
            let traffic = spec.number("traffic") ?? 1
            guard (0...1).contains(traffic) else {
                throw RuleError(message: "\(what): traffic must be between 0 and 1, got \(traffic)", position: position)
            }
            var eligible = EventFilter()
            state.rawField("eligible", of: spec.table)
            if state.isTable(at: -1) {
                eligible = try LuaSpecReader(state: state, table: state.top, position: position).filter()
            }
            state.pop()
            assignment = .hash(traffic: traffic, eligible: eligible)
        } else {
            if spec.has("traffic") || spec.has("eligible") {
                throw RuleError(message: "\(what): traffic and eligible apply only with assign = \"hash\"", position: position)
            }
            assignment = .events
        }

        var sample = SampleSettings()
        state.rawField("sample", of: spec.table)
        if state.isTable(at: -1) {
            let reader = LuaSpecReader(state: state, table: state.top, position: position)
            sample.baseRate = reader.number("base_rate") ?? sample.baseRate
            sample.mde = reader.number("mde") ?? sample.mde
            sample.confidence = reader.number("confidence") ?? sample.confidence
            sample.power = reader.number("power") ?? sample.power
        }
        state.pop()
        try checkSample(sample, what: what, position: position)

        let method: TestMethodSetting
        switch spec.string("method") ?? "fixed" {
        case "sequential": method = .sequential(tuning: spec.number("sequential_n") ?? 5000)
        case "bayesian": method = .bayesian
        default: method = .fixed
        }
        if case .sequential(let tuning) = method, !(tuning > 0) {
            throw RuleError(message: "\(what): sequential_n must be positive", position: position)
        }

        return ExperimentRule(
            id: id, name: spec.string("name") ?? id, variants: variants, control: control,
            assignment: assignment, metrics: try compileMetrics(spec, experimentID: id, what: what), sample: sample, method: method,
            onConclusive: PostTestAction(rawValue: spec.string("on_conclusive") ?? "promote_winner") ?? .promoteWinner,
            onInconclusive: PostTestAction(rawValue: spec.string("on_inconclusive") ?? "keep_running") ?? .keepRunning,
            position: position)
    }

    private func compileVariants(_ spec: LuaSpecReader, what: String) throws(RuleError) -> [ExperimentRule.Variant] {
        guard case .table(let entries) = try spec.value("variants") else { return [] }
        var variants: [ExperimentRule.Variant] = []
        for index in 1...entries.count {
            switch entries[.integer(Int64(index))] {
            case .string(let id)?:
                variants.append(.init(id: id, weight: 1))
            case .table(let variant)?:
                guard case .string(let id)? = variant["id"] else { break }
                var weight = 1.0
                if case .integer(let value)? = variant["weight"] { weight = Double(value) }
                if case .number(let value)? = variant["weight"] { weight = value }
                variants.append(.init(id: id, weight: weight))
            default:
                throw RuleError(message: "\(what): variants must be a list", position: spec.position)
            }
        }
        var ids = Set<ByteString>()
        for variant in variants {
            guard !variant.id.isEmpty else {
                throw RuleError(message: "\(what): a variant id is empty", position: spec.position)
            }
            guard ids.insert(ByteString(variant.id)).inserted else {
                throw RuleError(message: "\(what): variant '\(variant.id)' is declared twice", position: spec.position)
            }
            guard variant.weight.isFinite, variant.weight > 0 else {
                throw RuleError(message: "\(what): variant '\(variant.id)' needs a positive weight", position: spec.position)
            }
        }
        return variants
    }

    private func checkSample(_ sample: SampleSettings, what: String, position: SourcePosition) throws(RuleError) {
        let checks: [(String, Double, ClosedRange<Double>)] = [
            ("base_rate", sample.baseRate, 1e-9...0.999_999), ("confidence", sample.confidence, 0.5...0.999_999),
            ("power", sample.power, 0.5...0.999_999), ("mde", sample.mde, 1e-9...1e9),
        ]
        for (name, value, range) in checks where !range.contains(value) {
            throw RuleError(message: "\(what): sample.\(name) = \(value) is out of range (\(range.lowerBound)…\(range.upperBound))",
                            position: position)
        }
    }

    private func compileMetrics(_ spec: LuaSpecReader, experimentID: String, what: String) throws(RuleError) -> [MetricRule] {
        state.rawField("goals", of: spec.table)
        let list = state.top
        defer { state.pop() }
        var metrics: [MetricRule] = []
        var usedIDs: [String: Int] = [:]
        for index in 1...max(1, state.rawLength(at: list)) where index <= state.rawLength(at: list) {
            state.rawElement(index, of: list)
            let entry = state.top
            defer { state.top = entry - 1 }
            let header = LuaSpecReader(state: state, table: entry, position: spec.position)
            let kindName = header.string("__metric") ?? ""
            guard let kind = MetricKind(rawValue: kindName) else { continue }
            let position = SourcePosition(file: header.string("file") ?? spec.position.file,
                                          line: Int(header.number("line") ?? Double(spec.position.line)))
            state.rawField("spec", of: entry)
            let reader = LuaSpecReader(state: state, table: state.top, position: position)

            let seenCount = usedIDs[kindName, default: 0] + 1
            usedIDs[kindName] = seenCount
            let id = reader.string("id") ?? (seenCount == 1 ? kindName : "\(kindName)_\(seenCount)")
            if metrics.contains(where: { $0.id.hasSameBytes(as: id) }) {
                throw RuleError(message: "\(what): goal id '\(id)' is used twice", position: position)
            }
            let unit = MetricUnit(rawValue: reader.string("per") ?? "") ?? kind.defaultUnit
            let direction = MetricDirection(rawValue: reader.string("direction") ?? "") ?? kind.defaultDirection
            let filter = try reader.filter()
            metrics.append(MetricRule(
                id: id, experimentID: experimentID, name: reader.string("name") ?? id, kind: kind, unit: unit, direction: direction,
                filter: filter, field: kind == .goalRate ? (reader.string("goal") ?? "") : (reader.string("field") ?? "revenue"),
                goalIndex: nil, value: reader.function("value"), position: position))
        }
        return metrics
    }
}
