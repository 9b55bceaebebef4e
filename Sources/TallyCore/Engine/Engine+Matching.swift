extension Engine {
    /// True when the event passes the filter's `on`, `page` and `where`, checked in that order
    /// (a `where` function runs only for events that pass `on` and `page`). A failing `where`
    /// function counts as a rule error of `rule` and as no match.
    @inline(__always)
    func matches<Rule: RuleDeclaration>(_ filter: EventFilter, _ event: Event, rule: Rule) -> Bool {
        filter.matches(event, rule: rule, engine: self)
    }
}

extension EventFilter {
    /// See ``Engine/matches(_:_:rule:)``. (A method, so the filter's fields are read through a
    /// guaranteed `self` without reference counting.)
    @inline(__always)
    func matches<Rule: RuleDeclaration>(_ event: Event, rule: Rule, engine: Engine) -> Bool {
        if let on, !(engine.isPlain ? on.matchesUnremembered(event.type) : on.matches(event.type)) { return false }
        if let page {
            guard let eventPage = event.page,
                  engine.isPlain ? page.matchesUnremembered(eventPage) : page.matches(eventPage) else { return false }
        }
        return matchesCondition(event, rule: rule, engine: engine)
    }

    /// True when the event passes `where` (its `on` and `page` are known to match).
    @inline(__always)
    func matchesCondition<Rule: RuleDeclaration>(_ event: Event, rule: Rule, engine: Engine) -> Bool {
        switch condition {
        case nil: return true
        case .fields?:
            return fieldPlan?.matches(event, onBytes: !engine.isPlain) ?? true
        case .function(let function)?:
            switch engine.runtime.callCondition(function) {
            case .success(let truth): return truth
            case .failure(let error):
                engine.recordRuleError(rule: rule.errorID, error: error, declaredAt: rule.position)
                return false
            }
        }
    }

}

extension Engine {
    /// The value of a number-or-function rule field for this event; nil after a rule error.
    func evaluate<Rule: RuleDeclaration>(_ number: RuleNumber, rule: Rule, purpose: @autoclosure () -> String) -> Double? {
        switch number {
        case .constant(let value): return value
        case .function(let function):
            switch runtime.callNumber(function, purpose: purpose()) {
            case .success(let value): return value
            case .failure(let error):
                recordRuleError(rule: rule.errorID, error: error, declaredAt: rule.position)
                return nil
            }
        }
    }
}
