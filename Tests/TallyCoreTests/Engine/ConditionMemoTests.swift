import Testing
@testable import TallyCore

/// `when(guest)` conditions that returned false are not called again while nothing they read
/// has changed, and the outcomes are reached on exactly the same events as without the memo.
@Suite struct ConditionMemoTests {
    /// Views give no points; every FORM gives 10.
    static let goals = """
        goal "form" { on = "FORM", points = 10 }
        goal "video" { on = "VIDEO", points = 0 }
        """

    static func run(_ outcome: String, _ lines: [String]) throws -> (Engine, Report) {
        let (engine, rejections) = try EngineHarness(rules: goals + "\n" + outcome).engine(lines)
        #expect(rejections.isEmpty)
        return (engine, engine.report())
    }

    static let views = (1...4).map { event("VIEW", "a", Int64($0)) }

    @Test func aConditionOnPointsIsCalledAgainOnlyWhenPointsChange() throws {
        let lines = [event("VIEW", "a", 0)] + Self.views + [event("FORM", "a", 5), event("VIEW", "a", 6),
                                                           event("FORM", "a", 7), event("VIEW", "a", 8)]
        let (engine, report) = try Self.run(
            #"outcome "lead" { when = function(guest) return guest.points >= 20 end, value = 5 }"#, lines)
        // Called on the first event and after each FORM; skipped on the five views in between.
        #expect(engine.conditionCallsSkipped == 5)
        #expect(report.outcomes[0].reached == 1)
        #expect(engine.outcomesReached[0, 0])
        #expect(report.outcomes[0].value == 5)
    }

    @Test func aConditionOnAGoalIgnoresOtherChanges() throws {
        let (engine, report) = try Self.run(
            #"outcome "watched" { when = function(guest) return (guest.goals.video or 0) >= 2 end }"#,
            [event("VIDEO", "a", 0), event("FORM", "a", 1), event("VIEW", "a", 2), event("VIDEO", "a", 3)])
        // Points change on the FORM, but the condition reads only the video goal.
        #expect(engine.conditionCallsSkipped == 2)
        #expect(report.outcomes[0].reached == 1)
    }

    @Test func resultsAreSharedBetweenGuestsThatReadTheSameValues() throws {
        // b and c first appear with the points a had when its condition returned false.
        let lines = [event("VIEW", "a", 0), event("VIEW", "b", 1), event("VIEW", "c", 2),
                     event("FORM", "b", 3), event("FORM", "b", 4), event("FORM", "c", 5), event("FORM", "c", 6)]
        let (engine, report) = try Self.run(
            #"outcome "lead" { when = function(guest) return guest.points >= 20 end, value = 5 }"#, lines)
        // Called for a (0 points) and for b at 10 and 20; c at 0, 10 and 20 is answered from b's
        // and a's calls, so c reaches the outcome without a call too.
        #expect(engine.conditionCallsSkipped == 4)
        #expect(report.outcomes[0].reached == 2)
        #expect(engine.guests.indices.map { engine.outcomesReached[$0, 0] } == [false, true, true])
    }

    /// Two guests who each wrote `guest.data` once are at the same count of writes, but hold
    /// different data: a condition that read it answers for its own guest only.
    @Test(arguments: [(["pro", "free"], [true, false]), (["free", "pro"], [false, true])])
    func conditionsOnGuestDataAreNotShared(plans: [String], reached: [Bool]) throws {
        let rules = """
            goal "signup" { on = "SIGNUP", where = function(e, guest) guest.data.plan = e.plan; return true end, points = 1 }
            outcome "pro_signup" { when = function(guest) return guest.data.plan == "pro" end, value = 100 }
            """
        let lines = [#"{"type":"SIGNUP","guest":"g1","ts":1700000000000,"plan":"\#(plans[0])"}"#,
                     #"{"type":"SIGNUP","guest":"g2","ts":1700000001000,"plan":"\#(plans[1])"}"#,
                     event("VIEW", "g2", 2), event("VIEW", "g1", 3)]
        let (engine, rejections) = try EngineHarness(rules: rules).engine(lines)
        #expect(rejections.isEmpty)
        #expect(engine.report().outcomes[0].reached == 1)
        #expect(engine.report().outcomes[0].value == 100)
        #expect(engine.guests.indices.map { engine.outcomesReached[$0, 0] } == reached)
    }

    @Test func conditionsOnTheGuestIdAreNotShared() throws {
        let (engine, report) = try Self.run(
            #"outcome "b" { when = function(guest) return guest.id == "b" end }"#,
            [event("VIEW", "a", 0), event("VIEW", "b", 1), event("VIEW", "a", 2), event("VIEW", "c", 3),
             event("VIEW", "c", 4)])
        #expect(report.outcomes[0].reached == 1)
        #expect(engine.guests.indices.map { engine.outcomesReached[$0, 0] } == [false, true, false])
        // a's and c's second events, each from its own memo; c's first was called.
        #expect(engine.conditionCallsSkipped == 2)
        // a and c read the same (the id, unrecorded): one entry, which answers for neither b
        // nor anyone else, kept as their own memos.
        #expect(engine.rememberedConditions.count == 1)
        #expect(engine.rememberedConditions.entries.first?.sharedResult == nil)
        #expect(engine.conditionMemo == [1, 0, 1])
    }

    @Test func guestsThatReadTheSameValuesShareOneEntry() throws {
        let lines = (0..<50).map { event("VIEW", "g\($0)", Int64($0)) } + [event("FORM", "g7", 60)]
        let (engine, _) = try Self.run(
            #"outcome "lead" { when = function(guest) return guest.points >= 20 end, value = 5 }"#, lines)
        // Points 0 for everyone, then 10 for g7: two entries, and a number per guest.
        #expect(engine.rememberedConditions.count == 2)
        #expect(engine.conditionMemo.count == 50)
        #expect(Set(engine.conditionMemo.enumerated().filter { $0.offset != 7 }.map(\.element)) == [1])
        #expect(engine.conditionMemo[7] == 2)
        #expect(engine.conditionCallsSkipped == 49)
    }

    @Test func resultsComputedWhileUpvaluesDifferAreNotKept() throws {
        // CONFIRM lowers the threshold, REFUND restores it: a result computed with the lowered
        // threshold must not answer once it is back.
        let source = """
            local threshold = 100
            goal "lower" { on = "CONFIRM", points = function() threshold = 0; return 0 end }
            goal "restore" { on = "REFUND", points = function() threshold = 100; return 0 end }
            outcome "low" { once = false, when = function(guest) return guest.points >= threshold end }
            """
        let (_, report) = try Self.run(source, [event("CONFIRM", "a", 0), event("REFUND", "a", 1),
                                                event("VIEW", "b", 2), event("VIEW", "a", 3)])
        #expect(report.outcomes[0].reached == 1)  // only on the CONFIRM
    }

    @Test func reassignedUpvaluesAreNoticed() throws {
        // The VIDEO goal's points function lowers the threshold the condition reads.
        let source = """
            local threshold = 100
            goal "lower" { on = "CONFIRM", points = function() threshold = 0; return 0 end }
            outcome "lead" { when = function(guest) return guest.points >= threshold end }
            """
        let (engine, report) = try Self.run(source, [event("VIEW", "a", 0), event("VIEW", "a", 1),
                                                     event("CONFIRM", "a", 2)])
        #expect(engine.conditionCallsSkipped == 1)
        #expect(report.outcomes[0].reached == 1)
    }

    @Test func guestDataWrittenByAnotherRuleIsNoticed() throws {
        let source = """
            goal "tag" { on = "CONFIRM", where = function(e, guest) guest.data.vip = true; return false end }
            outcome "vip" { when = function(guest) return guest.data.vip == true end }
            """
        let (engine, report) = try Self.run(source, [event("VIEW", "a", 0), event("VIEW", "a", 1),
                                                     event("CONFIRM", "a", 2)])
        #expect(engine.conditionCallsSkipped == 1)
        #expect(report.outcomes[0].reached == 1)
    }

    @Test(arguments: [
        // side effects: every call counts
        #"outcome "o" { when = function(guest) count("calls"); return false end }"#,
        // the session changes with every event
        #"outcome "o" { when = function(guest) return guest.session.views > 9 end }"#,
        // globals (a table) could change: not remembered
        #"outcome "o" { when = function(guest) return math.max(guest.points, 0) > 9 end }"#,
        // a table upvalue could change inside
        #"local t = { n = 9 } outcome "o" { when = function(guest) return guest.points > t.n end }"#,
        // the event
        #"outcome "o" { when = function(guest, e) return e.type == "NEVER" end }"#,
    ])
    func conditionsThatCanChangeOrActAreAlwaysCalled(outcome: String) throws {
        let (engine, report) = try Self.run(outcome, Self.views)
        #expect(engine.conditionCallsSkipped == 0)
        #expect(report.outcomes[0].reached == 0)
        if outcome.contains("count(") { #expect(report.counters.first?.value == 4) }
    }

    @Test func aConditionThatFailsIsCalledAndCountedEveryTime() throws {
        let (engine, report) = try Self.run(
            #"outcome "o" { when = function(guest) return guest.points > nil end }"#, Self.views)
        #expect(engine.conditionCallsSkipped == 0)
        #expect(report.ruleErrors.first?.count == 4)
    }

    @Test func aReloadForgetsRememberedConditions() throws {
        let (engine, _) = try Self.run(
            #"outcome "lead" { when = function(guest) return guest.points >= 20 end }"#, Self.views)
        #expect(engine.conditionCallsSkipped == 3)
        let lower = try RuleLoader().load(sources: [("rules/main.lua", Self.goals + """

            outcome "lead" { when = function(guest) return guest.points >= 0 end }
            """)])
        _ = engine.reload(lower)
        var parser = EventParser()
        var line = event("VIEW", "a", 9)
        let parsed = try line.withUTF8 { try parser.parse(UnsafeRawBufferPointer($0), line: 9).get() }
        engine.ingest(parsed)
        #expect(engine.report().outcomes[0].reached == 1)
    }

    /// A memo of `count` reads of points with the given values (by running a condition that
    /// reads them through the recorder).
    static func memo(points: [Double]) -> ConditionMemo {
        var recorder = ConditionRecorder()
        recorder.start()
        for (slot, value) in points.enumerated() {
            recorder.note(.goal, slot: UInt32(slot), value: value.bitPattern)
        }
        return ConditionMemo(recorder)!
    }

    @Test func sharedResultsAreFoundByColumnAndValuesRead() {
        var results = RememberedConditions(limit: 100)
        let twelve = SharedCondition(column: 0, reads: Self.memo(points: [12]))
        #expect(results[twelve] == nil)
        #expect(results.remember(twelve, sharedResult: false) == 0)
        #expect(results.remember(SharedCondition(column: 0, reads: Self.memo(points: [20])), sharedResult: true) == 1)
        #expect(results[twelve] == false)
        #expect(results[SharedCondition(column: 0, reads: Self.memo(points: [20]))] == true)
        // Another condition, or other values, or another number of reads: not known.
        #expect(results[SharedCondition(column: 1, reads: Self.memo(points: [12]))] == nil)
        #expect(results[SharedCondition(column: 0, reads: Self.memo(points: [13]))] == nil)
        #expect(results[SharedCondition(column: 0, reads: Self.memo(points: [12, 0]))] == nil)
        // Remembering again replaces the result and keeps the entry's number.
        #expect(results.remember(twelve, sharedResult: true) == 0)
        #expect(results[twelve] == true)
        #expect(results.count == 2)
    }

    @Test func anEntryWithoutASharedResultIsFoundButAnswersNoOne() {
        var results = RememberedConditions(limit: 100)
        let own = SharedCondition(column: 2, reads: Self.memo(points: [7]))
        #expect(results.remember(own, sharedResult: nil) == 0)
        #expect(results.find(own) == 0)
        #expect(results[own] == nil)
        #expect(results.entries[0].key == own)
    }

    @Test func pastTheLimitNothingMoreIsRemembered() {
        var results = RememberedConditions(limit: 3)
        let keys = (0..<4).map { SharedCondition(column: 0, reads: Self.memo(points: [Double($0)])) }
        #expect(keys.prefix(3).map { results.remember($0, sharedResult: false) } == [0, 1, 2])
        #expect(results.remember(keys[3], sharedResult: false) == nil)
        #expect(results.count == 3)
        #expect(results[keys[3]] == nil)
        // Known keys can still be updated.
        #expect(results.remember(keys[1], sharedResult: true) == 1)
        #expect(results[keys[1]] == true)
    }

    @Test func readsPastTheCapacityOrSlotLimitAreNotRemembered() {
        var recorder = ConditionRecorder()
        recorder.start()
        recorder.note(.goal, slot: ConditionMemo.slotLimit - 1, value: 1)
        #expect(ConditionMemo(recorder) != nil)
        recorder.note(.goal, slot: ConditionMemo.slotLimit, value: 1)
        #expect(ConditionMemo(recorder) == nil)
        recorder.start()
        for slot in 0...UInt32(ConditionMemo.capacity) { recorder.note(.outcome, slot: slot, value: 0) }
        #expect(ConditionMemo(recorder) == nil)
    }

    @Test func sharedResultsKeepEveryEntryAndItsNumberAsTheTableGrows() {
        var results = RememberedConditions(limit: 1 << 16)
        let keys = (0..<5000).map { SharedCondition(column: $0 % 3, reads: Self.memo(points: [Double($0), 1])) }
        for (offset, key) in keys.enumerated() { results.remember(key, sharedResult: offset % 7 == 0) }
        #expect(results.count == 5000)
        #expect(keys.indices.allSatisfy { results[keys[$0]] == ($0 % 7 == 0) })
        #expect(keys.indices.allSatisfy { results.find(keys[$0]) == $0 && results.entries[$0].key == keys[$0] })
        #expect(results[SharedCondition(column: 0, reads: Self.memo(points: [5000, 1]))] == nil)
    }

    /// The proxy's cache of points and sessions is written only when they changed for the same
    /// guest; every call must still see the guest's own, current values.
    @Test func everyCallSeesTheCurrentGuestsPointsAndSessions() throws {
        let rules = """
            goal "form" { on = "FORM", points = 10 }
            goal "seen" {
              on = "VIEW",
              where = function(e, guest)
                count(guest.id .. " " .. guest.points .. " " .. guest.sessions)
                return false
              end,
            }
            """
        let lines = [event("VIEW", "a", 0), event("VIEW", "a", 1), event("FORM", "a", 2), event("VIEW", "a", 3),
                     event("VIEW", "b", 4), event("VIEW", "a", 5), event("VIEW", "a", 4_000_000)]
        let report = try EngineHarness(rules: rules).report(lines)
        let counters = Dictionary(uniqueKeysWithValues: report.counters.map { ($0.name, $0.value) })
        #expect(counters == ["a 0.0 1": 2, "a 10.0 1": 2, "b 0.0 1": 1, "a 10.0 2": 1])
    }
}

