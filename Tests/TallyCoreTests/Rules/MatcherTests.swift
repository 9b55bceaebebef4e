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

    static let nfc = "/caf\u{E9}"      // "/café", é as one scalar
    static let nfd = "/cafe\u{301}"    // the same, canonically equivalent, in other bytes

    /// Text is bytes (SPEC §3): NFC and NFD spellings are different texts for every matcher,
    /// also when a regex has remembered its verdict for the other spelling.
    @Test func matchersCompareBytes() throws {
        let nfc = Self.nfc, nfd = Self.nfd
        let cases: [(matcher: StringMatcher, verdicts: [(text: String, matches: Bool)])] = [
            (StringMatcher.exact(nfc), [(nfc, true), (nfd, false)]),
            (StringMatcher.exact(nfd), [(nfc, false), (nfd, true)]),
            (StringMatcher.anyOf([ByteString(nfc), "/x"]), [(nfc, true), (nfd, false)]),
            (StringMatcher.anyOf([ByteString(nfd), "/x"]), [(nfc, false), (nfd, true)]),
            (StringMatcher.prefix("/caf\u{E9}"), [(nfc + "/menu", true), (nfd + "/menu", false)]),
            (StringMatcher.prefix("/cafe"), [(nfc, false), (nfd, true)]),
            (StringMatcher.regex(try CompiledRegex("^/caf\u{E9}$")), [(nfc, true), (nfd, false)]),
            (StringMatcher.regex(try CompiledRegex("^/cafe\u{301}$")), [(nfc, false), (nfd, true)]),
        ]
        for _ in 0..<2 {  // the second time from the regex memo
            for (matcher, verdicts) in cases {
                for (text, expected) in verdicts {
                    #expect(matcher.matches(text) == expected, "\(matcher) \(Array(text.utf8))")
                }
            }
        }
    }

    /// `on` matchers are upper-cased as event types are: ASCII letters only, other bytes kept,
    /// as Lua's string.upper does.
    @Test(arguments: [
        ("view", "VIEW"), ("Form_Submit-2", "FORM_SUBMIT-2"), ("straße", "STRAßE"), ("vué", "VUé"),
        ("caf\u{E9}", "CAF\u{E9}"), ("cafe\u{301}", "CAFE\u{301}"), ("ÉTÉ", "ÉTÉ"),
    ])
    func typesAreUpperCasedByASCIILetters(type: String, upper: String) throws {
        #expect(type.asciiUppercased.utf8.elementsEqual(upper.utf8))
        #expect(ReservedFields.upperCased(type).utf8.elementsEqual(upper.utf8))
        guard case .exact(let text) = try StringMatcher.exact(type).uppercased() else { Issue.record(); return }
        #expect(text.utf8.elementsEqual(upper.utf8))
        #expect(try StringMatcher.regex(CompiledRegex("^" + type + "$")).uppercased().matches(upper))
    }
}

