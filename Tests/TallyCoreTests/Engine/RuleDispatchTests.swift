import Testing
@testable import TallyCore

@Suite struct RuleDispatchTests {
    static func filters() throws -> [EventFilter] {
        [
            EventFilter(on: .exact("VIEW"), page: .exact("/pricing")),                 // 0
            EventFilter(on: .exact("VIEW"), page: .prefix("/docs/")),                  // 1
            EventFilter(on: .anyOf(["VIEW", "FORM"])),                                 // 2
            EventFilter(page: .regex(try CompiledRegex("^/blog/[a-z]+$"))),            // 3: any type
            EventFilter(on: .regex(try CompiledRegex("^VID", ignoringCase: true))),    // 4
            EventFilter(),                                                             // 5: everything
        ]
    }

    private func goals(_ dispatch: inout RuleDispatch, _ type: String, _ page: String?) -> [Int] {
        let candidates = dispatch.candidates(for: type, page: page)
        return dispatch.goals(candidates)
    }

    private func outcomes(_ dispatch: inout RuleDispatch, _ type: String, _ page: String?) -> [Int] {
        let candidates = dispatch.candidates(for: type, page: page)
        return dispatch.outcomes(candidates)
    }

    @Test func candidatesAreTheRulesWhoseTypeAndPageMatch() throws {
        var dispatch = RuleDispatch(goals: try Self.filters(), outcomes: Array(try Self.filters().reversed()))
        for _ in 0..<2 {  // the second time from memory
            #expect(goals(&dispatch, "VIEW", "/pricing") == [0, 2, 5])
            #expect(goals(&dispatch, "VIEW", "/docs/a") == [1, 2, 5])
            #expect(goals(&dispatch, "VIEW", "/blog/abc") == [2, 3, 5])
            #expect(goals(&dispatch, "FORM", "/pricing") == [2, 5])
            #expect(goals(&dispatch, "VIDEO", "/blog/x") == [3, 4, 5])
            #expect(goals(&dispatch, "VIEW", nil) == [2, 5])
            #expect(goals(&dispatch, "CONFIRM", nil) == [5])
            #expect(dispatch.candidates(for: "VIEW", page: "/pricing").pageChecked)
            #expect(outcomes(&dispatch, "VIEW", "/pricing") == [0, 3, 5])  // reversed
        }
    }

    /// Past the bound of remembered pages, the caller gets the type's rules and checks pages.
    @Test func pagesPastTheLimitAreLeftToTheCaller() throws {
        var dispatch = RuleDispatch(goals: try Self.filters(), outcomes: Array(try Self.filters().reversed()))
        for number in 0..<RuleDispatch.pageLimit {
            #expect(goals(&dispatch, "VIEW", "/p/\(number)") == [2, 5])
        }
        let past = dispatch.candidates(for: "VIEW", page: "/pricing")
        #expect(!past.pageChecked)
        #expect(dispatch.goals(past) == [0, 1, 2, 3, 5])
        #expect(dispatch.outcomes(past) == [0, 2, 3, 4, 5])
        #expect(dispatch.candidates(for: "VIEW", page: "/p/7").pageChecked)  // remembered before
        #expect(dispatch.candidates(for: "FORM", page: "/pricing").pageChecked)  // its own bound
    }

    /// Pages seen lately are remembered by their string's bits (inline bytes, or storage), so a
    /// page must be found by its content whatever string holds it: long pages built anew each
    /// time, short inline ones, and more pages than there are recent slots, under several types.
    @Test func recentPagesGiveTheSameCandidatesAsAFirstLookup() throws {
        var warm = RuleDispatch(goals: try Self.filters(), outcomes: Array(try Self.filters().reversed()))
        let types = ["VIEW", "FORM", "VIDEO", "CONFIRM"]
        let pages = ["/pricing", "/docs/a", "/blog/abc", "/blog/abc/", "/docs/"]
            + (0..<700).map { "/blog/" + String(repeating: "x", count: $0 % 40) }
        var generator = SystemRandomNumberGenerator()
        for round in 0..<3000 {
            let type = types[round % types.count]
            // A new string each time (its own storage when longer than 15 bytes).
            let page = String(decoding: Array(pages.randomElement(using: &generator)!.utf8), as: UTF8.self)
            var fresh = RuleDispatch(goals: try Self.filters(), outcomes: Array(try Self.filters().reversed()))
            #expect(goals(&warm, type, page) == goals(&fresh, type, page), "\(type) \(page)")
            #expect(outcomes(&warm, type, page) == outcomes(&fresh, type, page), "\(type) \(page)")
        }
    }

    /// Types and pages are told apart by their bytes, also by the remembered last type and the
    /// recent-pages cache: an NFD spelling right after the NFC one gets its own candidates.
    @Test func cachesTellCanonicallyEqualTextsApart() throws {
        let filters = [
            EventFilter(on: .exact("CAF\u{C9}")),                                  // 0: NFC type
            EventFilter(on: .exact("CAFE\u{301}")),                                // 1: NFD type
            EventFilter(page: .exact("/caf\u{E9}")),                               // 2: NFC page
            EventFilter(page: .regex(try CompiledRegex("^/cafe\u{301}$"))),        // 3: NFD page
            EventFilter(page: .anyOf(["/caf\u{E9}/menu"])),                        // 4
        ]
        var dispatch = RuleDispatch(goals: filters, outcomes: [])
        let cases: [(type: String, page: String?, goals: [Int])] = [
            ("CAF\u{C9}", nil, [0]),
            ("CAFE\u{301}", nil, [1]),
            ("CAF\u{C9}", "/caf\u{E9}", [0, 2]),
            ("CAF\u{C9}", "/cafe\u{301}", [0, 3]),
            ("CAFE\u{301}", "/cafe\u{301}", [1, 3]),
            ("CAFE\u{301}", "/caf\u{E9}", [1, 2]),
            ("VIEW", "/caf\u{E9}/menu", [4]),
            ("VIEW", "/cafe\u{301}/menu", []),
        ]
        for _ in 0..<3 {  // then from the remembered type, page lists and recent pages
            for check in cases {
                #expect(goals(&dispatch, check.type, check.page) == check.goals, "\(Array(check.type.utf8)) \(check.page.map { Array($0.utf8) } ?? [])")
            }
        }
    }
}

