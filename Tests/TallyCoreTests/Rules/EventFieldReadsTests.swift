import Testing
@testable import TallyCore

/// Rule functions that only read fields of `e` by name get a table of just those fields,
/// refilled for each call: they see exactly what the whole event table would show them.
@Suite struct EventFieldReadsTests {
    static let rules = """
        goal "reads" {
          on = "ANY",
          where = function(e)
            count("a=" .. tostring(e.a)); count("n=" .. tostring(e.n)); count("type=" .. tostring(e.type))
            count("missing=" .. tostring(e.missing)); count("nested=" .. tostring(e.obj and e.obj.x))
            count("list=" .. tostring(e.list and #e.list)); count("flag=" .. tostring(e.flag))
            count("null=" .. tostring(e.nul))
            return e.a ~= nil
          end,
          points = function(e) return e.n or 1 end,
        }
        goal "whole" {
          on = "ANY",
          where = function(e)
            local keys = 0
            for _ in pairs(e) do keys = keys + 1 end
            count("keys=" .. keys)
            return true
          end,
        }
        outcome "late" { when = function(guest, e) count("when=" .. tostring(e.a)); return guest.points > 3 end }
        """

    static let lines = [
        #"{"type":"any","guest":"g1","ts":1700000000001,"a":"x","n":2,"obj":{"x":5},"list":[1,2,3],"flag":true,"nul":null}"#,
        #"{"type":"ANY","guest":"g1","ts":1700000000002,"n":1.5}"#,
        #"{"type":"ANY","guest":"g2","ts":1700000000003,"a\u0062":1,"a":"escaped-neighbour"}"#,  // decoded at once
        #"{"type":"ANY","guest":"g3","ts":1700000000004,"a":"first","a":"last"}"#,
        "{\"type\":\"ANY\",\"guest\":\"g4\",\"ts\":1700000000005,\"a\":\"wide\","
            + (1...20).map { "\"f\($0)\":\($0)" }.joined(separator: ",") + "}",  // over 16 members: decoded
        #"{"type":"OTHER","guest":"g4","ts":1700000000006,"a":"not any"}"#,
    ]

    private func report(reducing: Bool, rules: String = rules, lines: [String] = lines) throws -> Report {
        let engine = Engine(rules: try RuleLoader().load(sources: [("rules/main.lua", rules)]))
        engine.runtime.reducesEventTables = reducing
        var parser = EventParser()
        for (offset, line) in lines.enumerated() {
            var text = line
            if case .success(let event) = text.withUTF8({ parser.parse(UnsafeRawBufferPointer($0), line: offset + 1) }) {
                engine.ingest(event)
            }
        }
        return engine.finish()
    }

    @Test func functionsSeeTheSameFieldsAsInTheWholeTable() throws {
        let reduced = try report(reducing: true)
        #expect(reduced == (try report(reducing: false)))
        let counters = Dictionary(uniqueKeysWithValues: reduced.counters.map { ($0.name, $0.value) })
        #expect(counters["a=x"] == 1)
        #expect(counters["a=nil"] == 1)
        #expect(counters["a=last"] == 1)
        #expect(counters["a=escaped-neighbour"] == 1)
        #expect(counters["a=wide"] == 1)
        #expect(counters["type=ANY"] == 5)
        #expect(counters["nested=5"] == 1)
        #expect(counters["list=3"] == 1)
        #expect(counters["flag=true"] == 1)
        #expect(counters["null=nil"] == 5)
        #expect(counters["missing=nil"] == 5)
        #expect(counters["n=1.5"] == 1)
        #expect(counters["keys=8"] == 1)  // the whole table of the first line: 9 members, less the null
        let reads = try #require(reduced.goals.first { $0.id == "reads" })
        #expect(reads.reached == 4)
        #expect(reads.points == 5, "\(reads)")
    }

    /// A nested table kept from one call (`e.utm`) is that call's own: later calls get new
    /// nested tables, as a whole new event table per call would give them.
    static let keepingRules = """
        local kept
        goal "keeps" {
          on = "ANY",
          where = function(e)
            kept = kept or e.utm
            count("kept=" .. tostring(kept and kept.source))
            count("now=" .. tostring(e.utm and e.utm.source))
            return true
          end,
        }
        """

    @Test func aKeptNestedTableKeepsWhatItHeld() throws {
        let lines = [
            #"{"type":"ANY","guest":"g1","ts":1700000000001,"utm":{"source":"a"}}"#,
            #"{"type":"ANY","guest":"g1","ts":1700000000002,"utm":{"source":"b"}}"#,
            #"{"type":"ANY","guest":"g2","ts":1700000000003}"#,
            #"{"type":"ANY","guest":"g2","ts":1700000000004,"utm":{"source":"c","medium":"cpc"}}"#,
        ]
        let rules = try RuleLoader().load(sources: [("rules/main.lua", Self.keepingRules)])
        guard case .function(let function) = rules.goals.first?.filter.condition else {
            Issue.record("no where function")
            return
        }
        #expect(function.eventFieldsAsFirst?.names == ["utm"])
        let reduced = try report(reducing: true, rules: Self.keepingRules, lines: lines)
        #expect(reduced == (try report(reducing: false, rules: Self.keepingRules, lines: lines)))
        let counters = Dictionary(uniqueKeysWithValues: reduced.counters.map { ($0.name, $0.value) })
        #expect(counters == ["kept=a": 4, "now=a": 1, "now=b": 1, "now=nil": 1, "now=c": 1])
    }

    @Test func onlyFunctionsThatReadFieldsByNameGetAReducedTable() throws {
        let rules = try RuleLoader().load(sources: [("rules/main.lua", Self.rules)])
        func whereFunction(_ id: String) -> LuaFunctionRef? {
            guard case .function(let function) = rules.goals.first(where: { $0.id == id })?.filter.condition else { return nil }
            return function
        }
        #expect(whereFunction("reads")?.eventFieldsAsFirst?.names == ["a", "n", "type", "missing", "obj", "list", "flag", "nul"])
        #expect(whereFunction("whole")?.eventFieldsAsFirst == nil)
        #expect(rules.outcomes.first?.when?.eventFieldsAsSecond?.names == ["a"])
    }
}
