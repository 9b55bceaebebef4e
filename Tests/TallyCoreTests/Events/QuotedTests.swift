import Testing

@testable import TallyCore

/// User input quoted in one-line messages: JSON string escapes with `\n`, `\t` and upper-case
/// hex, C1 controls and line separators escaped too, long text cut with `…`.
@Suite struct QuotedTests {
    @Test(arguments: [
        ("2024-01-01", #""2024-01-01""#),
        (#"a"b\c"#, #""a\"b\\c""#),
        ("tab\there\nnext\r", #""tab\there\nnext\r""#),
        ("esc\u{1b}[31m", #""esc\u001B[31m""#),
        ("del\u{7f} csi\u{9b} ls\u{2028} ps\u{2029}", #""del\u007F csi\u009B ls\u2028 ps\u2029""#),
        ("Ünïcødé €😀", #""Ünïcødé €😀""#),
    ])
    func escapes(text: String, quoted: String) {
        #expect(Quoted.text(text) == quoted)
    }

    @Test func longTextIsCutAfterTheLimit() {
        #expect(Quoted.text("abcdef", limit: 4) == "\"abcd…\"")
        #expect(Quoted.text("abcd", limit: 4) == "\"abcd\"")
        #expect(Quoted.text("a\"\u{2028}bc", limit: 3) == #""a\"\u2028…""#)
        #expect(Quoted.text(String(repeating: "x", count: 60)) == "\"" + String(repeating: "x", count: 48) + "…\"")
    }
}
