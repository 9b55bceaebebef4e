import Testing

@testable import TallyCore

/// Every reason a line is rejected for, with its exact text (SPEC §1).
@Suite struct EventRejectionTests {
    /// `{"type":"VIEW","guest":"g1","ts":1700000000001` + extra + `}`.
    static func line(_ extra: String) -> String {
        #"{"type":"VIEW","guest":"g1","ts":1700000000001"# + extra + "}"
    }

    static let cases: [(String, String)] = [
        // Not an object.
        ("[1,2]", "not a JSON object (found an array)"),
        (#""VIEW""#, "not a JSON object (found a string)"),
        ("42", "not a JSON object (found a number)"),
        ("true", "not a JSON object (found a boolean)"),
        ("null", "not a JSON object (found null)"),
        // Not JSON.
        (#"{"type":"VIEW","#, "not valid JSON: expected a string key, found end of line at column 16"),
        (#"{"type":"VIEW" "guest":"g"}"#, #"not valid JSON: expected ',' or '}', found '"' at column 16"#),
        (#"{"type":"VIEW","guest":"g1","ts":NaN}"#, "not valid JSON: NaN and Infinity are not JSON numbers at column 34"),
        (#"{"type":"VIEW","guest":"g1","ts":1700000000001,"revenue":Infinity}"#,
         "not valid JSON: NaN and Infinity are not JSON numbers at column 58"),
        (#"{"type":"VIEW","guest":"g1","ts":1700000000001,}"#, "not valid JSON: expected a string key, found '}' at column 48"),
        // Missing required fields.
        (#"{"guest":"g1","ts":1700000000001}"#, #"missing required field "type""#),
        (#"{"type":"VIEW","ts":1700000000001}"#, #"missing required field "guest""#),
        (#"{"type":"VIEW","guest":"g1"}"#, #"missing required field "ts""#),
        ("{}", #"missing required field "type""#),
        (#"{"type":5}"#, #"field "type" must be a non-empty string, found a number (5)"#),
        // Wrong types of required fields.
        (#"{"type":12,"guest":"g1","ts":1700000000001}"#, #"field "type" must be a non-empty string, found a number (12)"#),
        (#"{"type":"","guest":"g1","ts":1700000000001}"#, #"field "type" must be a non-empty string, found a string ("")"#),
        (#"{"type":null,"guest":"g1","ts":1700000000001}"#, #"field "type" must be a non-empty string, found null"#),
        (#"{"type":["VIEW"],"guest":"g1","ts":1700000000001}"#, #"field "type" must be a non-empty string, found an array"#),
        (#"{"type":"VIEW","guest":7,"ts":1700000000001}"#, #"field "guest" must be a non-empty string, found a number (7)"#),
        (#"{"type":"VIEW","guest":"","ts":1700000000001}"#, #"field "guest" must be a non-empty string, found a string ("")"#),
        (#"{"type":"VIEW","guest":null,"ts":1700000000001}"#, #"field "guest" must be a non-empty string, found null"#),
        (#"{"type":"VIEW","guest":{},"ts":1700000000001}"#, #"field "guest" must be a non-empty string, found an object"#),
        (#"{"type":"VIEW","guest":false,"browser_id":"b1","ts":1700000000001}"#,
         #"field "guest" must be a non-empty string, found false"#),
        (#"{"type":"VIEW","browser_id":5,"ts":1700000000001}"#, #"field "browser_id" must be a non-empty string, found a number (5)"#),
        (#"{"type":"VIEW","browser_id":"","ts":1700000000001}"#,
         #"field "browser_id" must be a non-empty string, found a string ("")"#),
        (#"{"type":"VIEW","guest":"g1","ts":true}"#,
         #"field "ts" must be a number or an RFC 3339 date-time string, found true"#),
        (#"{"type":"VIEW","guest":"g1","ts":null}"#,
         #"field "ts" must be a number or an RFC 3339 date-time string, found null"#),
        (#"{"type":"VIEW","guest":"g1","ts":[1]}"#,
         #"field "ts" must be a number or an RFC 3339 date-time string, found an array"#),
        (#"{"type":"VIEW","guest":"g1","ts":1e300}"#, #"field "ts" is out of range, found a number (1e+300)"#),
        (#"{"type":"VIEW","guest":"g1","ts":-1e19}"#, #"field "ts" is out of range, found a number (-1e+19)"#),
        (#"{"type":"VIEW","guest":"g1","ts":1e400}"#, #"field "ts" is out of range, found a number (inf)"#),
        // Numbers too small to be milliseconds, negative times, dates before 1970.
        (#"{"type":"VIEW","guest":"g1","ts":0}"#,
         #"field "ts" 0 looks like epoch seconds; ts is in milliseconds (at least 100000000000, 1973-03-03T09:46:40Z)"#),
        (#"{"type":"VIEW","guest":"g1","ts":1763631000}"#,
         #"field "ts" 1763631000 looks like epoch seconds; ts is in milliseconds (at least 100000000000, 1973-03-03T09:46:40Z)"#),
        (#"{"type":"VIEW","guest":"g1","ts":1763631000.25}"#,
         #"field "ts" 1763631000.25 looks like epoch seconds; ts is in milliseconds (at least 100000000000, 1973-03-03T09:46:40Z)"#),
        (#"{"type":"VIEW","guest":"g1","ts":99999999999}"#,
         #"field "ts" 99999999999 looks like epoch seconds; ts is in milliseconds (at least 100000000000, 1973-03-03T09:46:40Z)"#),
        (#"{"type":"VIEW","guest":"g1","ts":99999999999.9}"#,
         #"field "ts" 99999999999.9 looks like epoch seconds; ts is in milliseconds (at least 100000000000, 1973-03-03T09:46:40Z)"#),
        (#"{"type":"VIEW","guest":"g1","ts":-5}"#,
         #"field "ts" is negative (-5); ts is milliseconds since 1970-01-01T00:00:00Z"#),
        (#"{"type":"VIEW","guest":"g1","ts":-0.5}"#,
         #"field "ts" is negative (-0.5); ts is milliseconds since 1970-01-01T00:00:00Z"#),
        (#"{"type":"VIEW","guest":"g1","ts":-1763631000000}"#,
         #"field "ts" is negative (-1763631000000); ts is milliseconds since 1970-01-01T00:00:00Z"#),
        (#"{"type":"VIEW","guest":"g1","ts":"1969-12-31T23:59:59.999Z"}"#,
         #"field "ts" is before 1970-01-01T00:00:00Z: "1969-12-31T23:59:59.999Z""#),
        (#"{"type":"VIEW","guest":"g1","ts":"1970-01-01T00:30:00+01:00"}"#,
         #"field "ts" is before 1970-01-01T00:00:00Z: "1970-01-01T00:30:00+01:00""#),
        (#"{"type":"VIEW","guest":"g1","ts":"0001-01-01T00:00:00Z"}"#,
         #"field "ts" is before 1970-01-01T00:00:00Z: "0001-01-01T00:00:00Z""#),
        // Bad date-time text.
        (#"{"type":"VIEW","guest":"g1","ts":"yesterday"}"#,
         #"field "ts" is not an RFC 3339 date-time (expected YYYY-MM-DD): "yesterday""#),
        (#"{"type":"VIEW","guest":"g1","ts":""}"#, #"field "ts" is not an RFC 3339 date-time (expected YYYY-MM-DD): """#),
        (#"{"type":"VIEW","guest":"g1","ts":"2026-11-20"}"#,
         #"field "ts" is not an RFC 3339 date-time (expected 'T' between date and time): "2026-11-20""#),
        (#"{"type":"VIEW","guest":"g1","ts":"2026-11-20 10:00:00Z"}"#,
         #"field "ts" is not an RFC 3339 date-time (expected 'T' between date and time): "2026-11-20 10:00:00Z""#),
        (#"{"type":"VIEW","guest":"g1","ts":"2026-11-20T10:00Z"}"#,
         #"field "ts" is not an RFC 3339 date-time (expected hh:mm:ss): "2026-11-20T10:00Z""#),
        (#"{"type":"VIEW","guest":"g1","ts":"2026-13-20T10:00:00Z"}"#,
         #"field "ts" is not an RFC 3339 date-time (month out of range): "2026-13-20T10:00:00Z""#),
        (#"{"type":"VIEW","guest":"g1","ts":"2026-00-20T10:00:00Z"}"#,
         #"field "ts" is not an RFC 3339 date-time (month out of range): "2026-00-20T10:00:00Z""#),
        (#"{"type":"VIEW","guest":"g1","ts":"2026-02-29T10:00:00Z"}"#,
         #"field "ts" is not an RFC 3339 date-time (day out of range): "2026-02-29T10:00:00Z""#),
        (#"{"type":"VIEW","guest":"g1","ts":"2026-11-31T10:00:00Z"}"#,
         #"field "ts" is not an RFC 3339 date-time (day out of range): "2026-11-31T10:00:00Z""#),
        (#"{"type":"VIEW","guest":"g1","ts":"2026-11-00T10:00:00Z"}"#,
         #"field "ts" is not an RFC 3339 date-time (day out of range): "2026-11-00T10:00:00Z""#),
        (#"{"type":"VIEW","guest":"g1","ts":"2026-11-20T24:00:00Z"}"#,
         #"field "ts" is not an RFC 3339 date-time (hour out of range): "2026-11-20T24:00:00Z""#),
        (#"{"type":"VIEW","guest":"g1","ts":"2026-11-20T10:60:00Z"}"#,
         #"field "ts" is not an RFC 3339 date-time (minute out of range): "2026-11-20T10:60:00Z""#),
        (#"{"type":"VIEW","guest":"g1","ts":"2026-11-20T10:00:61Z"}"#,
         #"field "ts" is not an RFC 3339 date-time (second out of range): "2026-11-20T10:00:61Z""#),
        (#"{"type":"VIEW","guest":"g1","ts":"2026-11-20T10:00:00.Z"}"#,
         #"field "ts" is not an RFC 3339 date-time (expected digits after '.'): "2026-11-20T10:00:00.Z""#),
        (#"{"type":"VIEW","guest":"g1","ts":"2026-11-20T10:00:00"}"#,
         #"field "ts" is not an RFC 3339 date-time (expected 'Z' or an offset like +01:00): "2026-11-20T10:00:00""#),
        (#"{"type":"VIEW","guest":"g1","ts":"2026-11-20T10:00:00+0100"}"#,
         #"field "ts" is not an RFC 3339 date-time (expected 'Z' or an offset like +01:00): "2026-11-20T10:00:00+0100""#),
        (#"{"type":"VIEW","guest":"g1","ts":"2026-11-20T10:00:00+24:00"}"#,
         #"field "ts" is not an RFC 3339 date-time (offset out of range): "2026-11-20T10:00:00+24:00""#),
        (#"{"type":"VIEW","guest":"g1","ts":"2026-11-20T10:00:00+01:60"}"#,
         #"field "ts" is not an RFC 3339 date-time (offset out of range): "2026-11-20T10:00:00+01:60""#),
        (#"{"type":"VIEW","guest":"g1","ts":"2026-11-20T10:00:00Z "}"#,
         #"field "ts" is not an RFC 3339 date-time (unexpected text after the offset): "2026-11-20T10:00:00Z ""#),
        (#"{"type":"VIEW","guest":"g1","ts":"+2026-11-20T10:00:00Z"}"#,
         #"field "ts" is not an RFC 3339 date-time (expected YYYY-MM-DD): "+2026-11-20T10:00:00Z""#),
        (#"{"type":"VIEW","guest":"g1","ts":"2026-11-20T10:00:00Z\n"}"#,
         #"field "ts" is not an RFC 3339 date-time (unexpected text after the offset): "2026-11-20T10:00:00Z\n""#),
        (#"{"type":"VIEW","guest":"g1","ts":""# + String(repeating: "x", count: 60) + #""}"#,
         #"field "ts" is not an RFC 3339 date-time (expected YYYY-MM-DD): ""#
            + String(repeating: "x", count: 48) + #"…""#),
        // Wrong types of optional reserved fields.
        (line(#","session":5"#), #"field "session" must be a string, found a number (5)"#),
        (line(#","page":true"#), #"field "page" must be a string, found true"#),
        (line(#","page":["/"]"#), #"field "page" must be a string, found an array"#),
        (line(#","revenue":"12.50""#), #"field "revenue" must be a finite number, found a string ("12.50")"#),
        (line(#","revenue":1e400"#), #"field "revenue" must be a finite number, found a number (inf)"#),
        (line(#","revenue":false"#), #"field "revenue" must be a finite number, found false"#),
        (line(#","experiment":3"#), #"field "experiment" must be a string, found a number (3)"#),
        (line(#","variant":{}"#), #"field "variant" must be a string, found an object"#),
        // EXPOSURE needs both.
        (#"{"type":"EXPOSURE","guest":"g1","ts":1700000000001,"variant":"a"}"#, #"EXPOSURE event missing required field "experiment""#),
        (#"{"type":"exposure","guest":"g1","ts":1700000000001,"experiment":"x"}"#, #"EXPOSURE event missing required field "variant""#),
        (#"{"type":"Exposure","guest":"g1","ts":1700000000001,"experiment":null,"variant":"a"}"#,
         #"EXPOSURE event missing required field "experiment""#),
        (#"{"type":"EXPOSURE","guest":"g1","ts":1700000000001,"experiment":"x","variant":2}"#,
         #"field "variant" must be a string, found a number (2)"#),
        // Precedence: type, guest, ts, then optional fields.
        (#"{"type":1,"ts":"bad"}"#, #"field "type" must be a non-empty string, found a number (1)"#),
        (#"{"type":"VIEW","ts":"bad"}"#, #"missing required field "guest""#),
        (#"{"type":"VIEW","guest":"g","ts":"bad","page":1}"#,
         #"field "ts" is not an RFC 3339 date-time (expected YYYY-MM-DD): "bad""#),
        // Last duplicate wins, also for validation.
        (#"{"type":"VIEW","guest":"g1","ts":1700000000001,"ts":"no"}"#,
         #"field "ts" is not an RFC 3339 date-time (expected YYYY-MM-DD): "no""#),
        // Quoted input stays on one line.
        (#"{"type":"","guest":"g1","ts":1700000000001,"x":"\n"}"#, #"field "type" must be a non-empty string, found a string ("")"#),
        (#"{"type":"VIEW","guest":"g1","ts":"a\"b\\c\td"}"#,
         #"field "ts" is not an RFC 3339 date-time (expected YYYY-MM-DD): "a\"b\\c\td""#),
    ]

    @Test(arguments: cases)
    func rejects(input: String, reason: String) {
        let result = EventTestSupport.parse(input, line: 12)
        #expect(EventTestSupport.reason(result) == reason)
        if case .failure(let rejection) = result {
            #expect(rejection.line == 12)
            #expect(!rejection.description.contains("\n"))
        }
    }

    @Test func invalidUTF8InTheMiddleOfAString() {
        let bytes = Array(#"{"type":"VIEW","guest":"g"#.utf8) + [0xFF] + Array(#"x","ts":1700000000001}"#.utf8)
        #expect(EventTestSupport.reason(EventTestSupport.parse(bytes: bytes)) == "invalid UTF-8 at column 26 (byte 0xFF)")
    }

    @Test func invalidUTF8InAKey() {
        let bytes = Array(#"{"type":"VIEW","guest":"g","ts":1700000000001,"#.utf8) + [0x22, 0xE2, 0x28, 0xA1, 0x22] + Array(":1}".utf8)
        #expect(EventTestSupport.reason(EventTestSupport.parse(bytes: bytes)) == "invalid UTF-8 at column 48 (byte 0xE2)")
    }

    @Test func lineLongerThanOneMebibyte() {
        let padding = String(repeating: "a", count: (1 << 20) - 53)
        let fits = #"{"type":"VIEW","guest":"g","ts":1700000000001,"p":""# + padding + "\"}"
        #expect(fits.utf8.count == 1 << 20)
        #expect(EventTestSupport.value(EventTestSupport.parse(fits)) != nil)
        let tooLong = String(repeating: " ", count: (1 << 20) + 1 - fits.utf8.count) + fits
        #expect(EventTestSupport.reason(EventTestSupport.parse(tooLong)) == "line longer than 1 MiB (1048577 bytes)")
    }

    @Test func oversizeLineFromTheReader() {
        var parser = EventParser()
        let result = parser.parse(EventIntake.Line.oversize(byteCount: 2_000_000, number: 9))
        #expect(result == .failure(EventRejection(line: 9, reason: "line longer than 1 MiB (2000000 bytes)")))
    }

    @Test func descriptions() {
        let rejection = EventRejection(line: 12, reason: #"missing required field "guest""#)
        #expect(rejection.description == #"line 12: missing required field "guest""#)
        #expect(rejection.description(file: "events.jsonl") == #"events.jsonl:12: missing required field "guest""#)
    }
}
