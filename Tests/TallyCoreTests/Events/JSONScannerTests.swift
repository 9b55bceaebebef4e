import CEventJSON
import Testing

@testable import TallyCore

/// The C scanner through `EventParser.parseJSON`: what it rejects, with which message, and
/// the values it reads.
@Suite struct JSONScannerTests {
    static let syntaxErrors: [(String, String)] = [
        ("", "not valid JSON: expected a value, found end of line at column 1"),
        ("   ", "not valid JSON: expected a value, found end of line at column 4"),
        ("{", "not valid JSON: expected a string key, found end of line at column 2"),
        ("[", "not valid JSON: expected a value, found end of line at column 2"),
        (#"{"a":"#, "not valid JSON: expected a value, found end of line at column 6"),
        (#"{"a":1"#, "not valid JSON: expected ',' or '}', found end of line at column 7"),
        (#"{"a":1,}"#, "not valid JSON: expected a string key, found '}' at column 8"),
        (#"{a:1}"#, "not valid JSON: expected a string key, found 'a' at column 2"),
        (#"{'a':1}"#, "not valid JSON: expected a string key, found ''' at column 2"),
        ("[1,]", "not valid JSON: expected a value, found ']' at column 4"),
        ("[,1]", "not valid JSON: expected a value, found ',' at column 2"),
        (#"{"a" 1}"#, "not valid JSON: expected ':' after the key, found '1' at column 6"),
        (#"{"a":1 "b":2}"#, #"not valid JSON: expected ',' or '}', found '"' at column 8"#),
        ("[1 2]", "not valid JSON: expected ',' or ']', found '2' at column 4"),
        ("[1}", "not valid JSON: expected ',' or ']', found '}' at column 3"),
        (#"{"a":1]"#, "not valid JSON: expected ',' or '}', found ']' at column 7"),
        (#"{"a":1} x"#, "not valid JSON: unexpected text after the value, found 'x' at column 9"),
        (#"{"a":1}{}"#, "not valid JSON: unexpected text after the value, found '{' at column 8"),
        (#"{"é":1 x}"#, "not valid JSON: expected ',' or '}', found 'x' at column 8"),
        ("\"a\tb\"", "not valid JSON: unescaped control character U+0009 in a string at column 3"),
        ("\"a\u{0}b\"", "not valid JSON: unescaped control character U+0000 in a string at column 3"),
        ("\"a\u{1F}b\"", "not valid JSON: unescaped control character U+001F in a string at column 3"),
        (#""\x""#, #"not valid JSON: invalid escape '\x' at column 2"#),
        (#""\'""#, #"not valid JSON: invalid escape '\'' at column 2"#),
        (#""\u12G4""#, #"not valid JSON: \u not followed by four hex digits at column 2"#),
        (#""\u12""#, #"not valid JSON: \u not followed by four hex digits at column 2"#),
        (#""\uD800""#, #"not valid JSON: unpaired surrogate \uD800 at column 2"#),
        (#""\udc00\ud800""#, #"not valid JSON: unpaired surrogate \udc00 at column 2"#),
        (#""ab\uD800\u0041""#, #"not valid JSON: unpaired surrogate \uD800 at column 4"#),
        (#""\uD800\uD800""#, #"not valid JSON: unpaired surrogate \uD800 at column 2"#),
        (#""abc"#, "not valid JSON: unterminated string at column 1"),
        (#"{"a":"b}"#, "not valid JSON: unterminated string at column 6"),
        (#""ab\"#, "not valid JSON: unterminated string at column 1"),
        ("01", #"not valid JSON: invalid number "01" at column 1"#),
        ("-01", #"not valid JSON: invalid number "-01" at column 1"#),
        ("-", #"not valid JSON: invalid number "-" at column 1"#),
        ("-a", #"not valid JSON: invalid number "-" at column 1"#),
        ("1.", #"not valid JSON: invalid number "1." at column 1"#),
        ("1.e5", #"not valid JSON: invalid number "1.e5" at column 1"#),
        ("1e", #"not valid JSON: invalid number "1e" at column 1"#),
        ("1e+", #"not valid JSON: invalid number "1e+" at column 1"#),
        ("[1,2.x]", #"not valid JSON: invalid number "2." at column 4"#),
        (".5", "not valid JSON: expected a value, found '.' at column 1"),
        ("+1", "not valid JSON: expected a value, found '+' at column 1"),
        ("0x10", "not valid JSON: unexpected text after the value, found 'x' at column 2"),
        ("tru", #"not valid JSON: invalid literal "tru" (expected true, false or null) at column 1"#),
        ("nul", #"not valid JSON: invalid literal "nul" (expected true, false or null) at column 1"#),
        ("falsy", #"not valid JSON: invalid literal "falsy" (expected true, false or null) at column 1"#),
        ("True", "not valid JSON: expected a value, found 'T' at column 1"),
        ("truex", "not valid JSON: unexpected text after the value, found 'x' at column 5"),
        ("NaN", "not valid JSON: NaN and Infinity are not JSON numbers at column 1"),
        ("Infinity", "not valid JSON: NaN and Infinity are not JSON numbers at column 1"),
        ("-Infinity", "not valid JSON: NaN and Infinity are not JSON numbers at column 1"),
        (#"{"revenue":NaN}"#, "not valid JSON: NaN and Infinity are not JSON numbers at column 12"),
        ("\u{7}", "not valid JSON: expected a value, found U+0007 at column 1"),
        ("é", "not valid JSON: expected a value, found 'é' at column 1"),
        ("\u{FEFF}{}", "not valid JSON: expected a value, found U+FEFF at column 1"),
        (String(repeating: "[", count: 65) + String(repeating: "]", count: 65),
         "not valid JSON: objects and arrays nested deeper than 64 at column 65"),
        // Errors after more tokens than the tape holds are still reported as themselves.
        ("[" + String(repeating: "1,", count: 1000), "not valid JSON: expected a value, found end of line at column 2002"),
        (String(repeating: "[", count: 60) + String(repeating: "{\"a\":[1,2,3],\"b\":{}},", count: 100) + "x",
         "not valid JSON: expected a value, found 'x' at column 2161"),
    ]

    @Test(arguments: syntaxErrors)
    func rejectsWithReason(input: String, reason: String) {
        #expect(EventTestSupport.reason(EventTestSupport.json(input)) == reason)
    }

    static let utf8Errors: [([UInt8], String)] = [
        ([0x22, 0xFF, 0x22], "invalid UTF-8 at column 2 (byte 0xFF)"),
        ([0x22, 0x61, 0x80, 0x22], "invalid UTF-8 at column 3 (byte 0x80)"),  // lone continuation
        ([0x22, 0xC0, 0xAF, 0x22], "invalid UTF-8 at column 2 (byte 0xC0)"),  // overlong '/'
        ([0x22, 0xC1, 0xBF, 0x22], "invalid UTF-8 at column 2 (byte 0xC1)"),  // overlong
        ([0x22, 0xE0, 0x80, 0xAF, 0x22], "invalid UTF-8 at column 2 (byte 0xE0)"),  // overlong
        ([0x22, 0xF0, 0x80, 0x80, 0xAF, 0x22], "invalid UTF-8 at column 2 (byte 0xF0)"),  // overlong
        ([0x22, 0xED, 0xA0, 0x80, 0x22], "invalid UTF-8 at column 2 (byte 0xED)"),  // U+D800
        ([0x22, 0xED, 0xBF, 0xBF, 0x22], "invalid UTF-8 at column 2 (byte 0xED)"),  // U+DFFF
        ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], "invalid UTF-8 at column 2 (byte 0xF4)"),  // > U+10FFFF
        ([0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], "invalid UTF-8 at column 2 (byte 0xF5)"),
        ([0x22, 0xE2, 0x82, 0x22], "invalid UTF-8 at column 2 (byte 0xE2)"),  // truncated
        ([0x22, 0xE2, 0x82], "invalid UTF-8 at column 2 (byte 0xE2)"),  // truncated at the end
        ([0x22, 0xC3, 0xA9, 0xFF, 0x22], "invalid UTF-8 at column 3 (byte 0xFF)"),  // after é
        (Array(#"{"a":1}"#.utf8) + [0xFF], "invalid UTF-8 at column 8 (byte 0xFF)"),
        ([0xFE], "invalid UTF-8 at column 1 (byte 0xFE)"),
        (Array(#"{"a":"#.utf8) + [0xC3], "invalid UTF-8 at column 6 (byte 0xC3)"),
    ]

    @Test(arguments: utf8Errors)
    func rejectsInvalidUTF8(bytes: [UInt8], reason: String) {
        #expect(EventTestSupport.reason(EventTestSupport.json(bytes: bytes)) == reason)
    }

    static let values: [(String, JSONValue)] = [
        ("null", .null),
        ("true", .bool(true)),
        (" false ", .bool(false)),
        ("0", .int(0)),
        ("-0", .int(0)),
        ("42", .int(42)),
        ("-17", .int(-17)),
        ("9223372036854775807", .int(Int64.max)),
        ("-9223372036854775808", .int(Int64.min)),
        ("9223372036854775808", .number(9_223_372_036_854_775_808.0)),
        ("-9223372036854775809", .number(-9_223_372_036_854_775_809.0)),
        ("123456789012345678901234567890", .number(1.2345678901234568e29)),
        ("1.0", .number(1.0)),
        ("0.1", .number(0.1)),
        ("-2.5", .number(-2.5)),
        ("1e3", .number(1000)),
        ("1E+2", .number(100)),
        ("25e-1", .number(2.5)),
        ("1e22", .number(1e22)),
        ("1e23", .number(1e23)),
        ("0.30000000000000004", .number(0.30000000000000004)),
        ("3.141592653589793238462643383279", .number(3.141592653589793)),
        ("1.7976931348623157e308", .number(.greatestFiniteMagnitude)),
        ("5e-324", .number(.leastNonzeroMagnitude)),
        ("1e-400", .number(0)),
        ("1e400", .number(.infinity)),
        ("0.000001234", .number(0.000001234)),
        ("0e999999999999", .number(0)),
        (#""""#, .string("")),
        (#""plain""#, .string("plain")),
        (#""caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t""#, .string("café 😀 \"q\" \\ / \u{8}\u{C}\n\r\t")),
        (#""\u0000""#, .string("\u{0}")),
        ("\"\u{7F}\"", .string("\u{7F}")),
        ("\"naïve 日本 😀\"", .string("naïve 日本 😀")),
        ("[]", .array([])),
        ("{}", .object([:])),
        (" [1, \"a\", [null], {}] ", .array([.int(1), .string("a"), .array([.null]), .object([:])])),
        (#"{"a":{"b":{"c":[1,2]}},"d":true}"#,
         .object(["a": .object(["b": .object(["c": .array([.int(1), .int(2)])])]), "d": .bool(true)])),
        (#"{"a":1,"a":2}"#, .object(["a": .int(2)])),
        (#"{"\u0061":1}"#, .object(["a": .int(1)])),
        (String(repeating: "[", count: 64) + String(repeating: "]", count: 64),
         (0..<63).reduce(JSONValue.array([])) { inner, _ in .array([inner]) }),
    ]

    @Test(arguments: values)
    func readsValue(input: String, expected: JSONValue) {
        #expect(EventTestSupport.value(EventTestSupport.json(input)) == expected)
    }

    @Test func negativeZeroKeepsItsSign() throws {
        let value = try #require(EventTestSupport.value(EventTestSupport.json("-0.0")))
        guard case .number(let d) = value else { Issue.record("not a number: \(value)"); return }
        #expect(d == 0 && d.sign == .minus)
    }

    @Test func largeDocumentsGrowTheTape() throws {
        let count = 5000
        let text = "[" + (0..<count).map { _ in "0" }.joined(separator: ",") + "]"
        let value = try #require(EventTestSupport.value(EventTestSupport.json(text)))
        #expect(value == .array(Array(repeating: .int(0), count: count)))
    }

    @Test func decimalFastPathMatchesTheStandardLibrary() {
        var rng = SeededRandom(seed: 7)
        for _ in 0..<20_000 {
            let mantissa = rng.next() % 10_000_000_000_000_000
            let exponent = Int(rng.next() % 60) - 30
            let point = Int(rng.next() % 17) + 1
            var digits = String(mantissa)
            if point < digits.count {
                digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -point))
                if digits.hasPrefix(".") { digits = "0" + digits }
            }
            let text = digits + (rng.next() % 2 == 0 ? "e\(exponent)" : "")
            let parsed = EventTestSupport.value(EventTestSupport.json(text))?.doubleValue
            #expect(parsed == Double(text), "\(text)")
        }
    }

    /// Digits are read eight at a time where they can be: every length, position and digit
    /// must still give exactly what Swift's own parsing gives.
    @Test func numbersOfEveryLengthReadExactly() {
        var generator = SystemRandomNumberGenerator()
        var texts = ["0", "-0", "9", "12345678", "123456789", "9223372036854775807", "-9223372036854775808",
                     "9223372036854775808", "99999999999999999999", "1793577715677", "10000000", "1:",
                     "12345678.5", "1234567890123e-3", "123456789012345678901234567890"]
        for length in 1...24 {
            for _ in 0..<20 {
                var digits = String(Int.random(in: 1...9, using: &generator))
                for _ in 1..<length { digits.append(String(Int.random(in: 0...9, using: &generator))) }
                texts.append(digits)
                texts.append("-" + digits)
                texts.append(digits + ".25")
                texts.append(digits + "e2")
            }
        }
        for text in texts {
            let value = EventTestSupport.value(EventTestSupport.json("[" + text + "]"))
            guard text != "1:" else {
                #expect(value == nil)
                continue
            }
            let expected: JSONValue
            if !text.contains(where: { ".eE".contains($0) }), let integer = Int64(text) {
                expected = .int(integer)
            } else {
                expected = .number(Double(text)!)
            }
            #expect(value == .array([expected]), "\(text)")
        }
    }
}

/// The scanner reads up to `CEJ_PADDING` bytes past the end of its input (text 16 bytes at a
/// time, integers 8 at a time); the result must depend on the input alone.
@Suite struct JSONScannerPaddingTests {
    /// Lines whose every prefix is scanned: values that end exactly at the end of the input,
    /// strings and integers longer and shorter than one read, escapes and non-ASCII text.
    static let lines = [
        #"{"type":"VIEW","guest":"1b7375090c4fa47d","ts":1793577715677,"page":"/docs/experiments-and-more"}"#,
        #"[12345678,1234567812345678,12345678123456781,7,"0123456789abcdef","é\n\"x\"",1.5e3]"#,
        "12345678123456781234",
        "1793577715677.25e3",
        "\"a string that runs on for more than thirty-two bytes\"",
    ]
    /// What the bytes past the input hold, repeated: each would change a scan that read them
    /// as input (a few digits then a quote end a number or a string early).
    static let paddings: [[UInt8]] = [#"""#, "000\"", #"\"#, "\0", "0e", "0123456789abcdef"].map { Array($0.utf8) }

    /// The result and tokens of scanning `input` with `padding` repeated in the bytes past it.
    static func scan(_ input: [UInt8], padding: [UInt8]) -> [String] {
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: input.count + Int(CEJ_PADDING))
        defer { buffer.deallocate() }
        buffer.initialize(from: input, count: input.count)
        for offset in 0..<Int(CEJ_PADDING) { (buffer + input.count + offset).initialize(to: padding[offset % padding.count]) }
        var tokens = [cej_token](repeating: cej_token(), count: 64)
        var result = cej_result()
        cej_parse(buffer, input.count, &tokens, UInt32(tokens.count), &result)
        let written = result.code == Int32(CEJ_OK) ? Int(result.count) : 0
        return ["\(result.code) \(result.offset) \(result.count)"]
            + tokens[..<written].map { "\($0.kind) \($0.flags) \($0.start) \($0.length) \($0.next) \($0.value.i)" }
    }

    @Test(arguments: lines)
    func everyPrefixScansAlikeWhateverFollowsIt(line: String) {
        let bytes = Array(line.utf8)
        var valid = 0
        for length in 0...bytes.count {
            let prefix = Array(bytes[..<length])
            let expected = Self.scan(prefix, padding: Self.paddings[0])
            for padding in Self.paddings.dropFirst() {
                #expect(Self.scan(prefix, padding: padding) == expected, "\(String(decoding: prefix, as: UTF8.self))")
            }
            // A value that ends the input reads as it does when white space follows it.
            if expected[0].hasPrefix("\(CEJ_OK) ") {
                valid += 1
                var spaced = Self.scan(prefix + [UInt8(ascii: " ")], padding: [0])
                spaced[0] = expected[0]
                #expect(spaced == expected, "\(String(decoding: prefix, as: UTF8.self))")
            }
        }
        #expect(valid > 0)
    }
}
