extension Engine {
    /// Swaps in a new rule set between two events. Guests, sessions, counters and experiment
    /// figures survive; definitions are matched by id: a goal or outcome keeps its totals, and
    /// one the new rules no longer define keeps its history in the report. An experiment whose
    /// variants are unchanged keeps its exposures and, per goal id (same metric and unit), its
    /// figures; one whose variants changed starts over. Returns notes on what could not carry.
    @discardableResult
    public func reload(_ rules: RuleSet) -> [String] {
        reloadNotes = []
        adopt(rules)
        return reloadNotes
    }

    func adoptExperiments(_ rules: [ExperimentRule]) {
        var byID: [ByteString: ExperimentTracker] = [:]
        for tracker in experiments + retiredExperiments { byID[ByteString(tracker.rule.id)] = tracker }
        var adopted: [ExperimentTracker] = []
        for (index, rule) in rules.enumerated() {
            if let tracker = byID.removeValue(forKey: ByteString(rule.id)) {
                if tracker.rule.variants.map(\.id).hasSameBytes(as: rule.variants.map(\.id)) {
                    reloadNotes += tracker.adopt(rule, index: index)
                    adopted.append(tracker)
                    continue
                }
                reloadNotes.append("experiment '\(rule.id)': its variants changed, so its figures start over")
            }
            adopted.append(ExperimentTracker(rule: rule, index: index))
        }
        experiments = adopted
        experimentIndex = Dictionary(uniqueKeysWithValues: adopted.enumerated().map { (ByteString($0.element.rule.id), $0.offset) })
        // Experiments the new rules dropped keep their figures in the report.
        retiredExperiments = byID.values.sorted { $0.index < $1.index }
    }
}
