extension ExperimentTracker {
    /// Applies one event of an exposed guest to every metric. The exposing event and the
    /// experiment's own `EXPOSURE` events never count.
    func observe(_ event: Event, guest: Int, isOwnExposure: Bool, engine: Engine) {
        guard !isOwnExposure, let number = participant(ofGuest: guest),
              participants[number].exposureSerial != engine.eventSerial else { return }
        let variant = participants[number].variant
        let isView = event.isView
        for metric in metricRefs.indices {
            metricRefs[metric]._withUnsafeGuaranteedRef {
                observe(event, metric: metric, rule: $0, participant: number, variant: variant, isView: isView,
                        engine: engine)
            }
        }
    }

    /// Applies one event to one metric of a participant (and traces a change).
    @inline(__always)
    private func observe(_ event: Event, metric: Int, rule: MetricRule, participant number: Int, variant: Int,
                         isView: Bool, engine: Engine) {
        let before = engine.tracing ? (unitValues[number, metric], sessionScratch[number, metric]) : nil
        defer {
            if let before, before.0 != unitValues[number, metric] || before.1 != sessionScratch[number, metric] {
                engine.lastTrace.metrics.append(.init(experiment: self.rule.id, goal: rule.id,
                                                      variant: self.rule.variants[variant].id))
            }
        }
        switch rule.kind {
        case .conversionRate:
            if matches(rule, event, engine) { reached(number, metric, variant, rule.unit) }
        case .pageView:
            if isView, pageMatches(rule, event, engine) { reached(number, metric, variant, rule.unit) }
        case .goalRate:
            if let goal = rule.goalIndex, engine.currentEventReached(goal: goal) {
                reached(number, metric, variant, rule.unit)
            }
        case .revenue:
            guard let amount = numericField(rule.field, of: event), matches(rule, event, engine) else { return }
            add(amount, number, metric, variant, rule.unit)
        case .engagementValue:
            if engine.pointsThisEvent != 0 { add(engine.pointsThisEvent, number, metric, variant, rule.unit) }
        case .custom:
            guard matches(rule, event, engine), let function = rule.value,
                  let amount = engine.evaluate(.function(function), rule: rule,
                                               purpose: "custom goal '\(rule.id)': value")
            else { return }
            add(amount, number, metric, variant, rule.unit)
        case .bounceRate:
            guard isView, participants[number].inSession else { return }
            let views = sessionScratch[number, metric].views
            if views != .max { sessionScratch[number, metric].views = views + 1 }
            if views == 0 {
                sessionScratch[number, metric].firstViewMatched = pageMatches(rule, event, engine)
            }
        case .exitRate:
            guard isView, participants[number].inSession else { return }
            let matched = pageMatches(rule, event, engine)
            sessionScratch[number, metric].lastViewMatched = matched
            if matched { sessionScratch[number, metric].anyViewMatched = true }
        }
    }

    private func matches(_ rule: MetricRule, _ event: Event, _ engine: Engine) -> Bool {
        rule.filter.isEmpty || engine.matches(rule.filter, event, rule: rule)
    }

    private func pageMatches(_ rule: MetricRule, _ event: Event, _ engine: Engine) -> Bool {
        guard let matcher = rule.filter.page else { return true }
        guard let page = event.page else { return false }
        return engine.isPlain ? matcher.matchesUnremembered(page) : matcher.matches(page)
    }

    private func numericField(_ name: String, of event: Event) -> Double? {
        if name == "revenue" { return event.revenue }
        return event.fields[name]?.doubleValue
    }

    /// A 0/1 metric became 1 for the unit.
    private func reached(_ number: Int, _ metric: Int, _ variant: Int, _ unit: MetricUnit) {
        if unit == .guest {
            setGuestValue(participant: number, metric: metric, variant: variant, to: 1)
        } else if participants[number].inSession {
            sessionScratch[number, metric].reached = true
        }
    }

    /// A summed metric grew by `amount` for the unit (per order: one more order).
    private func add(_ amount: Double, _ number: Int, _ metric: Int, _ variant: Int, _ unit: MetricUnit) {
        switch unit {
        case .guest:
            let current = unitValues[number, metric].numerator
            setGuestValue(participant: number, metric: metric, variant: variant, to: current + amount)
        case .session:
            if participants[number].inSession { sessionScratch[number, metric].sum += amount }
        case .order:
            addToRatio(participant: number, metric: metric, variant: variant, numerator: amount, denominator: 1)
        }
    }
}
