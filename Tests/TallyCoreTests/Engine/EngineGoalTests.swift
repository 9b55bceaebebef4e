import XCTest
@testable import TallyCore

final class EngineGoalTests: XCTestCase {
    let minute: Int64 = 60_000

    func testGoalPointsAndCountLimits() throws {
        let harness = EngineHarness(rules: """
            goal "every_view" { on = "view", points = 1 }
            goal "pricing_once_per_session" { on = "VIEW", page = "/pricing", points = 5, count = "session" }
            goal "signup_once" { on = "FORM", where = { form = "newsletter" }, points = 10, count = "guest" }
            """)
        let report = try harness.report([
            event("VIEW", "a", 0, "\"page\":\"/pricing\""),
            event("view", "a", minute, "\"page\":\"/pricing\""),
            event("FORM", "a", 2 * minute, "\"form\":\"newsletter\""),
            event("FORM", "a", 3 * minute, "\"form\":\"newsletter\""),
            event("VIEW", "a", 60 * minute, "\"page\":\"/pricing\""),   // new session
            event("VIEW", "b", 0, "\"page\":\"/home\""),
        ])
        XCTAssertEqual(report.events.accepted, 6)
        XCTAssertEqual(report.goals.map(\.reached), [4, 2, 1])
        XCTAssertEqual(report.goals.map(\.guests), [2, 1, 1])
        XCTAssertEqual(report.goals.map(\.points), [4, 10, 10])
        XCTAssertEqual(report.guests.count, 2)
        XCTAssertEqual(report.guests.points, 24)
        XCTAssertEqual(report.sessions.count, 3)
        XCTAssertEqual(report.sessions.pointsPerSession, 8)
    }

    func testMatchersPrefixRegexListsDottedKeysAndNotEqual() throws {
        let harness = EngineHarness(rules: """
            goal "docs" { on = "VIEW", page = prefix "/docs/", points = 1 }
            goal "blog" { on = "VIEW", page = regex "^/blog/[0-9]{4}/", points = 1 }
            goal "company" { on = { "VIEW", "form" }, page = { "/about", "/careers" }, points = 1 }
            goal "paid" { where = { ["utm.medium"] = "cpc", plan = not_equal("free") }, points = 1 }
            goal "numeric_text" { where = { seats = "3", code = 42 }, points = 1 }
            """)
        let report = try harness.report([
            event("VIEW", "a", 0, "\"page\":\"/docs/start\""),
            event("VIEW", "a", 1, "\"page\":\"/documents\""),
            event("VIEW", "a", 2, "\"page\":\"/blog/2026/tally\""),
            event("VIEW", "a", 3, "\"page\":\"/blog/draft\""),
            event("FORM", "a", 4, "\"page\":\"/careers\""),
            event("CONFIRM", "a", 5, "\"page\":\"/about\""),
            event("VIEW", "a", 6, "\"utm\":{\"medium\":\"cpc\"},\"plan\":\"pro\""),
            event("VIEW", "a", 7, "\"utm\":{\"medium\":\"cpc\"},\"plan\":\"free\""),
            event("VIEW", "a", 8, "\"utm\":{\"medium\":\"cpc\"}"),
            event("VIEW", "a", 9, "\"seats\":3,\"code\":\"42\""),
            event("VIEW", "a", 10, "\"seats\":3.5,\"code\":\"42\""),
        ])
        XCTAssertEqual(report.goals.map(\.reached), [1, 1, 1, 2, 1])
    }

    func testWhereAndPointsFunctionsSeeEventAndGuest() throws {
        let harness = EngineHarness(rules: """
            goal "big_order" {
              on = "CONFIRM",
              where = function(e, guest) return e.revenue > 100 and guest.goals.big_order == 0 end,
              points = function(e, guest) return e.revenue / 10 + guest.points end,
            }
            goal "remember" {
              on = "VIEW",
              where = function(e, guest)
                guest.data.views = (guest.data.views or 0) + 1
                count("views")
                count("view_weight", 0.5)
                return guest.data.views == 3 and guest.session.views == 3 and e.page:sub(1, 1) == "/"
              end,
              points = 7,
            }
            """)
        let report = try harness.report([
            event("CONFIRM", "a", 0, "\"revenue\":50"),
            event("CONFIRM", "a", 1, "\"revenue\":200"),
            event("CONFIRM", "a", 2, "\"revenue\":300"),
            event("VIEW", "a", 3, "\"page\":\"/a\""),
            event("VIEW", "a", 4, "\"page\":\"/b\""),
            event("VIEW", "a", 5, "\"page\":\"/c\""),
        ])
        XCTAssertEqual(report.goals.map(\.reached), [1, 1])
        XCTAssertEqual(report.goals.map(\.points), [20, 7])
        XCTAssertEqual(report.counters.map(\.name), ["view_weight", "views"])
        XCTAssertEqual(report.counters.map(\.value), [1.5, 3])
        XCTAssertTrue(report.ruleErrors.isEmpty, "\(report.ruleErrors)")
    }

    func testRulesSeeTheIdAndPointsOfEachEventsOwnGuest() throws {
        // The guest's scalars are cached in the VM between calls: they must follow the guest.
        let harness = EngineHarness(rules: """
            goal "own" {
              on = "VIEW",
              where = function(e, guest)
                return guest.id == e.who and guest.points == e.expected and guest.sessions == (e.sessions or 1)
              end,
              points = 1,
            }
            """)
        // Consecutive guests with the same points or sessions leave the cached values as they
        // are: the id must still change, and a differing value still be written.
        let report = try harness.report([
            event("VIEW", "a", 0, "\"who\":\"a\",\"expected\":0"),
            event("VIEW", "b", 1, "\"who\":\"b\",\"expected\":0"),
            event("VIEW", "a", 2, "\"who\":\"a\",\"expected\":1"),
            event("VIEW", "a", 3, "\"who\":\"a\",\"expected\":2"),
            event("VIEW", "b", 4, "\"who\":\"b\",\"expected\":1"),
            event("VIEW", "a", 10_000_000, "\"who\":\"a\",\"expected\":3,\"sessions\":2"),
            event("VIEW", "c", 10_000_001, "\"who\":\"c\",\"expected\":0"),
            event("VIEW", "d", 10_000_002, "\"who\":\"d\",\"expected\":0"),
            event("VIEW", "b", 10_000_003, "\"who\":\"b\",\"expected\":2,\"sessions\":2"),
        ])
        XCTAssertEqual(report.goals.map(\.reached), [9])
    }

    func testGoalsMatchTheSameWhenPagesOutnumberTheDispatchMemory() throws {
        let harness = EngineHarness(rules: """
            goal "docs" { on = "VIEW", page = prefix "/docs/", points = 1 }
            goal "blog" { page = regex "^/blog/[0-9]+$", points = 2 }
            """)
        let count = RuleDispatch.pageLimit + 1_000
        let lines = (0..<count).map { number in
            let page = number % 3 == 0 ? "/docs/\(number)" : number % 3 == 1 ? "/blog/\(number)" : "/other/\(number)"
            return event("VIEW", "g\(number % 50)", Int64(number), "\"page\":\"\(page)\"")
        }
        let report = try harness.report(lines)
        XCTAssertEqual(report.goals.map(\.reached), [(count + 2) / 3, (count + 1) / 3])
    }

    func testEventTablesHoldEveryKindOfValue() throws {
        // Lines whose fields stay on the tape and lines decoded at once (an escaped key, many
        // keys) must give rules the same table.
        let harness = EngineHarness(rules: """
            goal "shape" {
              on = "VIEW",
              where = function(e)
                return e.type == "VIEW" and e.user.plan == "pro" and e.user.tags[2] == "b"
                  and #e.user.tags == 2 and e.n == nil and e.flag == true and e.off == false
                  and e.big == 1e300 and e.half == 0.5 and math.type(e.i) == "integer" and e.i == -7
                  and e.quote == 'say "hi"' and e.uni == "café" and e.empty == "" and e.dup == 2 and e["k y"] == 1
              end,
              points = 1,
            }
            """)
        let fields = #""user":{"plan":"pro","tags":["a","b"]},"n":null,"flag":true,"off":false,"big":1e300,"#
            + #""half":0.5,"i":-7,"quote":"say \"hi\"","uni":"caf\u00e9","empty":"","dup":1,"dup":2,"k y":1"#
        let many = (0..<20).map { ",\"pad\($0)\":\($0)" }.joined()
        let report = try harness.report([
            event("VIEW", "a", 0, fields),
            event("VIEW", "b", 1, fields + ",\"esc\\u0061ped\":1"),
            event("VIEW", "c", 2, fields + many),
            event("VIEW", "d", 3, fields.replacingOccurrences(of: "\"plan\":\"pro\"", with: "\"plan\":\"free\"")),
        ])
        XCTAssertEqual(report.goals.map(\.reached), [3])
        XCTAssertTrue(report.ruleErrors.isEmpty, "\(report.ruleErrors)")
    }

    func testEventTablesHaveTheUpperCasedTypeOnce() throws {
        // `e.type` is the event's type as the engine sees it, whatever case the line used, on
        // tape lines and on lines decoded at once alike.
        let harness = EngineHarness(rules: """
            goal "typed" {
              on = "video",
              where = function(e)
                local keys = 0
                for key in pairs(e) do if key == "type" then keys = keys + 1 end end
                return e.type == "VIDEO" and keys == 1
              end,
            }
            """)
        let many = (0..<20).map { ",\"pad\($0)\":\($0)" }.joined()
        let report = try harness.report([
            event("video", "a", 0, #""percent":50"#),
            event("Video", "b", 1, #""percent":50"# + many),
            event("VIDEO", "c", 2, #""esc\u0061ped":1"#),
        ])
        XCTAssertEqual(report.goals.map(\.reached), [3])
        XCTAssertTrue(report.ruleErrors.isEmpty, "\(report.ruleErrors)")
    }

    func testRuleErrorsAreIsolatedAndCounted() throws {
        let harness = EngineHarness(rules: """
            goal "fragile" {
              on = "VIEW",
              where = function(e)
                return e.page:len() > 0
              end,
              points = 1,
            }
            goal "sturdy" { on = "VIEW", points = 2 }
            goal "bad_points" { on = "VIEW", points = function() return "lots" end }
            goal "looping" { on = "LOOP", where = function() while true do end end }
            """)
        let report = try harness.report([
            event("VIEW", "a", 0, "\"page\":\"/x\""),
            event("VIEW", "a", 1),
            event("VIEW", "a", 2),
            event("LOOP", "a", 3),
        ])
        XCTAssertEqual(report.events.accepted, 4)
        XCTAssertEqual(report.goals.map(\.reached), [1, 3, 0, 0])
        // In order of first failure: the first event already trips bad_points.
        XCTAssertEqual(report.ruleErrors.map(\.rule), ["bad_points", "fragile", "looping"])
        XCTAssertEqual(report.ruleErrors.map(\.count), [3, 2, 1])
        XCTAssertEqual(report.ruleErrors.map(\.file), ["rules/main.lua", "rules/main.lua", "rules/main.lua"])
        XCTAssertEqual(report.ruleErrors.map(\.line), [9, 4, 10])
        XCTAssertEqual(report.ruleErrors[0].message, "goal 'bad_points': points must return a finite number, got string")
        XCTAssertEqual(report.ruleErrors[1].message, "attempt to index a nil value (field 'page')")
        XCTAssertEqual(report.ruleErrors[2].message, "instruction budget exceeded (1000000 instructions)")
    }

    func testPairsWalksGuestDataInKeyOrder() throws {
        let harness = EngineHarness(rules: """
            goal "listed" {
              on = "VIEW",
              where = function(e, guest)
                guest.data.b = 2
                guest.data.a = "x"
                guest.data.c = true
                local seen = {}
                for key, value in pairs(guest.data) do seen[#seen + 1] = key .. "=" .. tostring(value) end
                return table.concat(seen, ",") == "a=x,b=2,c=true"
              end,
            }
            """)
        let report = try harness.report([event("VIEW", "a", 0)])
        XCTAssertEqual(report.goals.map(\.reached), [1])
        XCTAssertTrue(report.ruleErrors.isEmpty, "\(report.ruleErrors)")
    }

    func testGuestDataErrorsPointAtTheRulesLine() throws {
        // The data view's __index and __newindex are host functions: an error they raise is
        // reported where the rule indexed guest.data, not inside the guest proxy.
        let harness = EngineHarness(rules: """
            goal "table_value" {
              on = "VIEW",
              where = function(e, guest)
                guest.data.x = {}
                return true
              end,
            }
            goal "number_key" {
              on = "VIEW",
              where = function(e, guest)
                local before = guest.data[1]
                guest.data[2] = before
                return true
              end,
            }
            goal "read_only" {
              on = "VIEW",
              where = function(e, guest) guest.session.views = 3 end,
            }
            goal "kept" {
              on = "VIEW",
              where = function(e, guest)
                guest.data.big = 9007199254740993
                guest.data.half = 0.5
                guest.data.flag = true
                return guest.data.big == 9007199254740993 and guest.data.half == 0.5 and guest.data.flag
              end,
            }
            """)
        let report = try harness.report([event("VIEW", "a", 0), event("VIEW", "a", 1)])
        XCTAssertEqual(report.ruleErrors.map(\.rule), ["table_value", "number_key", "read_only"])
        XCTAssertEqual(report.ruleErrors.map(\.file), ["rules/main.lua", "rules/main.lua", "rules/main.lua"])
        XCTAssertEqual(report.ruleErrors.map(\.line), [4, 12, 18])
        XCTAssertEqual(report.ruleErrors.map(\.count), [2, 2, 2])
        XCTAssertEqual(report.ruleErrors[0].message, "guest.data.x must be a string, number or boolean, got table")
        XCTAssertEqual(report.ruleErrors[1].message, "guest.data keys must be strings, got number")
        XCTAssertEqual(report.goals.map(\.reached), [0, 0, 0, 2])
    }
}
