import Testing
@testable import TallyCore

/// SPEC §3, "Text is bytes": every string the engine keeps or compares (ids, types, pages,
/// field values, counter names, `guest.data` keys, group names, variants, sessions) is told
/// apart by its bytes, as Lua does: `"café"` (NFC, é = C3 A9) and `"cafe\u{301}"` (NFD, e +
/// CC 81) are two strings everywhere.
@Suite struct EngineTextBytesTests {
    /// Lua escapes in the rules, JSON escapes in the events: the sources spell out the bytes.
    static let rules = #"""
        goal "caf\u{E9}" { on = "VIEW", page = "/caf\u{E9}", points = 1 }
        goal "cafe\u{301}" { on = "VIEW", page = "/cafe\u{301}", points = 10 }
        goal "list" { on = "VIEW", page = { "/caf\u{E9}", "/other" } }
        goal "prefix" { on = "VIEW", page = prefix "/caf\u{E9}" }
        goal "regex" { on = "VIEW", page = regex "^/caf\u{E9}$" }
        goal "where" { on = "VIEW", where = { page = "/caf\u{E9}" } }
        goal "where_nested" { on = "VIEW", where = { ["u.city"] = "Z\u{FC}rich" } }
        goal "function" { on = "VIEW", where = function(e) return e.page == "/caf\u{E9}" end }
        goal "typed" { on = "caf\u{E9}" }
        goal "tally" { on = "VIEW", where = function(e, guest)
          count(e.page)
          guest.data[e.page] = (guest.data[e.page] or 0) + 1
          return false
        end }
        outcome "nfc" { group = "Caf\u{E9}", on = "VIEW", page = "/caf\u{E9}", once = false, value = 1 }
        outcome "nfd" { group = "Cafe\u{301}", on = "VIEW", page = "/cafe\u{301}", once = false, value = 100 }
        experiment "x" {
          variants = { "caf\u{E9}", "cafe\u{301}" },
          goals = { conversion_rate { id = "c", on = "CONFIRM" } },
        }
        """#

    static let lines = [
        #"{"type":"VIEW","guest":"g1","ts":1700000000001,"page":"/caf\u00e9","u":{"city":"Z\u00fcrich"}}"#,
        #"{"type":"VIEW","guest":"g1","ts":1700000000002,"page":"/cafe\u0301","u":{"city":"Zu\u0308rich"}}"#,
        // Unescaped bytes: matched on the line's bytes.
        "{\"type\":\"VIEW\",\"guest\":\"g1\",\"ts\":1700000000003,\"page\":\"/caf\u{E9}\",\"u\":{\"city\":\"Zu\u{308}rich\"}}",
        "{\"type\":\"VIEW\",\"guest\":\"g2\",\"ts\":1700000000004,\"page\":\"/cafe\u{301}\",\"u\":{\"city\":\"Z\u{FC}rich\"}}",
        #"{"type":"caf\u00e9","guest":"g3","ts":1700000000005}"#,
        #"{"type":"cafe\u0301","guest":"g3","ts":1700000000006}"#,
        #"{"type":"EXPOSURE","guest":"g1","ts":1700000000007,"experiment":"x","variant":"caf\u00e9"}"#,
        #"{"type":"EXPOSURE","guest":"g2","ts":1700000000008,"experiment":"x","variant":"cafe\u0301"}"#,
    ]

    static let nfcPage = "/caf\u{E9}", nfdPage = "/cafe\u{301}"

    private static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func matchersIdsAndGroupsTellNFCFromNFD() throws {
        let report = try EngineHarness(rules: Self.rules).report(Self.lines)
        #expect(report.events.rejected == 0)
        let goals = report.goals.map { (Self.bytes($0.id), $0.reached, $0.points) }
        let expected: [([UInt8], Int, Double)] = [
            (Self.bytes("caf\u{E9}"), 2, 2), (Self.bytes("cafe\u{301}"), 2, 20),
            (Self.bytes("list"), 2, 0), (Self.bytes("prefix"), 2, 0), (Self.bytes("regex"), 2, 0),
            (Self.bytes("where"), 2, 0), (Self.bytes("where_nested"), 2, 0), (Self.bytes("function"), 2, 0),
            (Self.bytes("typed"), 1, 0), (Self.bytes("tally"), 0, 0),
        ]
        #expect(goals.count == expected.count)
        for (got, want) in zip(goals, expected) {
            #expect(got.0 == want.0 && got.1 == want.1 && got.2 == want.2, "\(got) \(want)")
        }
        let groups = report.outcomeGroups.map { (Self.bytes($0.group), $0.guests, $0.value) }
        #expect(groups.count == 2)
        #expect(groups.first.map { $0.0 == Self.bytes("Caf\u{E9}") && $0.1 == 1 && $0.2 == 2 } == true)
        #expect(groups.last.map { $0.0 == Self.bytes("Cafe\u{301}") && $0.1 == 2 && $0.2 == 200 } == true)
        let exposed = report.experiments.first?.exposed.map { (Self.bytes($0.variant), $0.guests) } ?? []
        #expect(exposed.map(\.0) == [Self.bytes("caf\u{E9}"), Self.bytes("cafe\u{301}")])
        #expect(exposed.map(\.1) == [1, 1])
    }

    /// Counters and `guest.data` keep both spellings apart; the report lists counters in byte
    /// order ("/cafe\u{301}" first: `e` is 0x65, `é` starts with 0xC3).
    @Test func countersAndGuestDataKeepBothSpellings() throws {
        let (engine, _) = try EngineHarness(rules: Self.rules).engine(Self.lines)
        let report = engine.finish()
        #expect(report.counters.map { Self.bytes($0.name) } == [Self.bytes(Self.nfdPage), Self.bytes(Self.nfcPage)])
        #expect(report.counters.map(\.value) == [2, 2])
        let data = try #require(engine.profile(ofGuest: "g1")).data
        #expect(data.map { Self.bytes($0.key) } == [Self.bytes(Self.nfdPage), Self.bytes(Self.nfcPage)])
        #expect(data.map(\.value) == [.integer(1), .integer(2)])
    }

    /// A saved engine brings both spellings back, in every snapshot encoding that keeps them.
    @Test func snapshotsKeepBothSpellings() throws {
        let (first, _) = try EngineHarness(rules: Self.rules).engine(Self.lines)
        let bytes = try DurableEngine.encode(first.snapshot())
        let (second, _) = try EngineHarness(rules: Self.rules).engine([])
        #expect(second.restore(try DurableEngine.decode(bytes, encoding: "tcb1")).isEmpty)
        #expect(second.finish() == first.finish())
        let data = try #require(second.profile(ofGuest: "g1")).data
        #expect(data.map { Self.bytes($0.key) } == [Self.bytes(Self.nfdPage), Self.bytes(Self.nfcPage)])
    }

    /// Explicit sessions are compared by bytes: an NFD id after the NFC one opens a new session.
    @Test func sessionIdsAreBytes() throws {
        let report = try EngineHarness(rules: #"goal "v" { on = "VIEW" }"#).report([
            #"{"type":"VIEW","guest":"g","ts":1700000000001,"session":"s\u00e9"}"#,
            #"{"type":"VIEW","guest":"g","ts":1700000000002,"session":"s\u00e9"}"#,
            #"{"type":"VIEW","guest":"g","ts":1700000000003,"session":"se\u0301"}"#,
        ])
        #expect(report.sessions.count == 2)
    }

    /// Ids that differ only in bytes are two declarations, not a duplicate.
    @Test func idsDifferingInBytesAreNotDuplicates() throws {
        let rules = try RuleLoader().load(sources: [("rules/a.lua", #"""
            goal "caf\u{E9}" { on = "VIEW" }
            outcome "cafe\u{301}" { on = "VIEW" }
            """#)])
        #expect(rules.goals.count == 1 && rules.outcomes.count == 1)
        #expect(throws: RuleError.self) {
            try RuleLoader().load(sources: [("rules/a.lua", #"goal "caf\u{E9}" { on = "VIEW" } goal "caf\u{E9}" { on = "FORM" }"#)])
        }
    }
}

/// SPEC §3: a JSON number keeps its form in Lua, and a `where` table's "number's text" is
/// Lua's `tostring`, so a `where` table and a Lua function always agree.
@Suite struct WhereNumberTests {
    /// Lua's text of floats: `%.14g`, `.0` added when it looks like an integer.
    @Test(arguments: [
        (5.0, "5.0"), (-0.0, "-0.0"), (0.5, "0.5"), (1e20, "1e+20"), (1e15, "1e+15"), (123456789012345.0, "1.2345678901234e+14"),
        (9007199254740992.0, "9.007199254741e+15"), (12345678901234567890.0, "1.2345678901235e+19"),
        (-2.5, "-2.5"), (.infinity, "inf"), (-.infinity, "-inf"), (1e-5, "1e-05"), (100.0, "100.0"),
    ])
    func floatsReadAsLuaWritesThem(number: Double, text: String) {
        #expect(FieldComparison.numberText(number) == text)
    }

    /// Each field value (as JSON) against each `where` value (as Lua): the table's verdict,
    /// which must also be the verdict of the Lua function `e.x == v` for numbers, booleans and
    /// strings of the same kind, and `tostring(e.x) == tostring(v)` across strings and numbers.
    static let values = [
        "5", "5.0", "5e0", "-0", "-0.0", "0", "1e20", "100000000000000000000", "9223372036854775807",
        "9223372036854775808", "9007199254740993", "2.5", "\"5\"", "\"5.0\"", "\"1e+20\"", "\"-0.0\"",
        "\"9223372036854775807\"", "\"9.2233720368548e+18\"", "true", "false", "\"true\"",
    ]
    static let expectations = [
        "5", "5.0", "\"5\"", "\"5.0\"", "0", "-0.0", "\"0\"", "\"-0.0\"", "1e20", "\"1e+20\"",
        "9223372036854775807", "9007199254740992", "9007199254740993", "\"9223372036854775807\"",
        "\"9.2233720368548e+18\"", "2.5", "\"2.5\"", "true", "\"true\"",
    ]

    /// What Lua says of one pair: numbers and booleans by `==` (strings with strings too), a
    /// string and a number by the number's `tostring`.
    static let luaVerdict = #"""
        local function verdict(a, b)
          if type(a) == type(b) then return a == b end
          if type(a) == "number" and type(b) == "string" then return tostring(a) == b end
          if type(a) == "string" and type(b) == "number" then return a == tostring(b) end
          return false
        end
        """#

    @Test func whereTablesAgreeWithLuaFunctions() throws {
        var rules = Self.luaVerdict + "\n"
        for (number, expected) in Self.expectations.enumerated() {
            rules += """
                goal "t\(number)" { on = "VIEW", where = { x = \(expected) } }
                goal "f\(number)" { on = "VIEW", where = function(e) return verdict(e.x, \(expected)) end }
                goal "n\(number)" { on = "VIEW", where = { x = not_equal(\(expected)) } }

                """
        }
        let engineHarness = EngineHarness(rules: rules)
        var mismatches: [String] = []
        var matched: [String: Set<String>] = [:]
        for value in Self.values {
            let report = try engineHarness.report([#"{"type":"VIEW","guest":"g","ts":1700000000001,"x":"# + value + "}"])
            let reached = Dictionary(uniqueKeysWithValues: report.goals.map { ($0.id, $0.reached) })
            for (number, expected) in Self.expectations.enumerated() {
                let table = reached["t\(number)"], function = reached["f\(number)"], negated = reached["n\(number)"]
                if table != function || table.map({ 1 - $0 }) != negated {
                    mismatches.append("x = \(value), where \(expected): table \(table ?? -1), function \(function ?? -1), not_equal \(negated ?? -1)")
                }
                if table == 1 { matched[value, default: []].insert(expected) }
            }
        }
        #expect(mismatches == [])
        // The figures themselves, so that both sides cannot be wrong together.
        let wanted: [String: Set<String>] = [
            "5": ["5", "5.0", "\"5\""],
            "5.0": ["5", "5.0", "\"5.0\""],
            "5e0": ["5", "5.0", "\"5.0\""],
            "-0": ["0", "-0.0", "\"0\""],
            "-0.0": ["0", "-0.0", "\"-0.0\""],
            "0": ["0", "-0.0", "\"0\""],
            "1e20": ["1e20", "\"1e+20\""],
            "100000000000000000000": ["1e20", "\"1e+20\""],
            "9223372036854775807": ["9223372036854775807", "\"9223372036854775807\""],
            "9223372036854775808": ["\"9.2233720368548e+18\""],
            "9007199254740993": ["9007199254740993"],
            "2.5": ["2.5", "\"2.5\""],
            "\"5\"": ["5", "\"5\""],
            "\"5.0\"": ["5.0", "\"5.0\""],
            "\"1e+20\"": ["1e20", "\"1e+20\""],
            "\"-0.0\"": ["-0.0", "\"-0.0\""],
            "\"9223372036854775807\"": ["9223372036854775807", "\"9223372036854775807\""],
            "\"9.2233720368548e+18\"": ["\"9.2233720368548e+18\""],
            "true": ["true"],
            "\"true\"": ["\"true\""],
        ]
        #expect(matched == wanted)
    }
}
