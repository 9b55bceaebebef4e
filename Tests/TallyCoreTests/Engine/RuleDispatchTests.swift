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

    @Test func candidatesAreTheRulesWhoseTypeAndPageMatch() throws {
        var dispatch = RuleDispatch(goals: try Self.filters(), outcomes: Array(try Self.filters().reversed()))
        for _ in 0..<2 {  // the second time from memory
            #expect(dispatch.candidates(for: "VIEW", page: "/pricing").goals == [0, 2, 5])
            #expect(dispatch.candidates(for: "VIEW", page: "/docs/a").goals == [1, 2, 5])
            #expect(dispatch.candidates(for: "VIEW", page: "/blog/abc").goals == [2, 3, 5])
            #expect(dispatch.candidates(for: "FORM", page: "/pricing").goals == [2, 5])
            #expect(dispatch.candidates(for: "VIDEO", page: "/blog/x").goals == [3, 4, 5])
            #expect(dispatch.candidates(for: "VIEW", page: nil).goals == [2, 5])
            #expect(dispatch.candidates(for: "CONFIRM", page: nil).goals == [5])
            #expect(dispatch.candidates(for: "VIEW", page: "/pricing").pageChecked)
            #expect(dispatch.candidates(for: "VIEW", page: "/pricing").outcomes == [0, 3, 5])  // reversed
        }
    }

    /// Past the bound of remembered pages, the caller gets the type's rules and checks pages.
    @Test func pagesPastTheLimitAreLeftToTheCaller() throws {
        var dispatch = RuleDispatch(goals: try Self.filters(), outcomes: Array(try Self.filters().reversed()))
        for number in 0..<RuleDispatch.pageLimit {
            #expect(dispatch.candidates(for: "VIEW", page: "/p/\(number)").goals == [2, 5])
        }
        let past = dispatch.candidates(for: "VIEW", page: "/pricing")
        #expect(!past.pageChecked)
        #expect(past.goals == [0, 1, 2, 3, 5])
        #expect(past.outcomes == [0, 2, 3, 4, 5])
        #expect(dispatch.candidates(for: "VIEW", page: "/p/7").pageChecked)  // remembered before
        #expect(dispatch.candidates(for: "FORM", page: "/pricing").pageChecked)  // its own bound
    }
}
