extension Engine {
    /// Closes every open session (end of input in `run`).
    public func closeAllSessions() {
        for guest in guests.indices where guests[guest].session.isOpen { closeSession(guest: guest) }
    }

    /// Closes every open session whose last event is more than the timeout plus the allowed
    /// lateness before `time` (long-running modes, SPEC §2). Returns how many closed.
    ///
    /// The lateness keeps a session open for an event that arrives after later events of
    /// other guests: one whose time is at most ``allowedLateness`` before the stream's latest
    /// time joins its session as in `run`.
    @discardableResult
    public func closeIdleSessions(before time: Int64) -> Int {
        var closed = 0
        let idle = sessionTimeout + allowedLateness
        for guest in guests.indices where guests[guest].session.isOpen
            && time - guests[guest].session.lastTimestamp > idle {
            closeSession(guest: guest)
            closed += 1
        }
        return closed
    }

    /// True when `event` (at its clamped `timestamp`) comes to a guest whose session the
    /// stream's time closed, though in `run` it would have joined that session: a late event
    /// (counted in the report's `events.late`), which starts a new session instead.
    func joinsClosedSession(_ event: Event, at timestamp: Int64, guest: Int) -> Bool {
        let session = guests[guest].session
        guard guests[guest].sessionCount > 0 else { return false }
        if let explicit = event.session { return explicit == session.explicitID }
        return timestamp - session.lastTimestamp <= sessionTimeout
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
