extension Engine {
    /// Closes every open session (end of input in `run`).
    public func closeAllSessions() {
        for guest in guests.indices where guests[guest].session.isOpen { closeSession(guest: guest) }
    }

    /// Closes every open session whose last event is more than the timeout before `time`
    /// (long-running modes, SPEC §2). Returns how many closed.
    @discardableResult
    public func closeIdleSessions(before time: Int64) -> Int {
        var closed = 0
        for guest in guests.indices where guests[guest].session.isOpen
            && time - guests[guest].session.lastTimestamp > sessionTimeout {
            closeSession(guest: guest)
            closed += 1
        }
        return closed
    }

    /// Long-running modes: closes the sessions the stream's latest time has passed, then
    /// re-evaluates every experiment's status, applying post-test actions when one concludes.
    /// Returns the experiments whose status changed, with their new summary.
    @discardableResult
    public func advance() -> [Report.ExperimentSummary] {
        if latestTimestamp != .min { closeIdleSessions(before: latestTimestamp) }
        var changed: [Report.ExperimentSummary] = []
        for tracker in experiments where tracker.evaluateStatus() {
            changed.append(tracker.summary())
        }
        return changed
    }
}
