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
        var dispatch = RuleDispatch(try Self.filters())
        for _ in 0..<2 {  // the second time from memory
            #expect(dispatch.candidates(for: "VIEW", page: "/pricing").rules == [0, 2, 5])
            #expect(dispatch.candidates(for: "VIEW", page: "/docs/a").rules == [1, 2, 5])
            #expect(dispatch.candidates(for: "VIEW", page: "/blog/abc").rules == [2, 3, 5])
            #expect(dispatch.candidates(for: "FORM", page: "/pricing").rules == [2, 5])
            #expect(dispatch.candidates(for: "VIDEO", page: "/blog/x").rules == [3, 4, 5])
            #expect(dispatch.candidates(for: "VIEW", page: nil).rules == [2, 5])
            #expect(dispatch.candidates(for: "CONFIRM", page: nil).rules == [5])
            #expect(dispatch.candidates(for: "VIEW", page: "/pricing").pageChecked)
        }
    }

    /// Past the bound of remembered pages, the caller gets the type's rules and checks pages.
    @Test func pagesPastTheLimitAreLeftToTheCaller() throws {
        var dispatch = RuleDispatch(try Self.filters())
        for number in 0..<RuleDispatch.pageLimit {
            #expect(dispatch.candidates(for: "VIEW", page: "/p/\(number)").rules == [2, 5])
        }
        let past = dispatch.candidates(for: "VIEW", page: "/pricing")
        #expect(!past.pageChecked)
        #expect(past.rules == [0, 1, 2, 3, 5])
        #expect(dispatch.candidates(for: "VIEW", page: "/p/7").pageChecked)  // remembered before
        #expect(dispatch.candidates(for: "FORM", page: "/pricing").pageChecked)  // its own bound
    }
}
