import Testing
@testable import TallyCore

@Suite struct MatcherTests {
    /// Remembered results stay right, also for texts seen after the memo is full.
    @Test func regexResultsAreTheSameWhenRemembered() throws {
        let regex = try CompiledRegex("^/blog/[a-z0-9-]+$")
        let texts = (0..<(CompiledRegex.memoLimit + 500)).map { $0 % 3 == 0 ? "/blog/post-\($0)" : "/Blog/\($0)/x" }
        for _ in 0..<2 {
            for (offset, text) in texts.enumerated() {
                #expect(regex.search(text) == (offset % 3 == 0), "\(text)")
            }
        }
        #expect(!regex.search("/blog/"))
        #expect(try CompiledRegex("^view$", ignoringCase: true).search("VIEW"))
    }

    @Test func stringMatchers() throws {
        #expect(StringMatcher.exact("/a").matches("/a"))
        #expect(!StringMatcher.exact("/a").matches("/a/"))
        #expect(StringMatcher.anyOf(["/a", "/b"]).matches("/b"))
        #expect(StringMatcher.prefix("/docs/").matches("/docs/x"))
        #expect(!StringMatcher.prefix("/docs/").matches("/doc"))
        #expect(StringMatcher.regex(try CompiledRegex("b+$")).matches("abb"))
    }
}
