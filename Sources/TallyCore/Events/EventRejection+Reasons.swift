import CEventJSON

/// The reasons the event parser gives, one constructor per kind of problem.
extension EventRejection {
    /// The longest line accepted, in bytes (without its `\n` and trailing `\r`): 1 MiB.
    static let maxLineLength = 1 << 20

    /// `line longer than 1 MiB (1048577 bytes)`.
    @usableFromInline
    static func lineTooLong(line: Int, byteCount: Int) -> EventRejection {
        EventRejection(line: line, reason: "line longer than 1 MiB (\(byteCount) bytes)")
    }

    /// `not a JSON object (found an array)`.
    static func notAnObject(line: Int, found: String) -> EventRejection {
        EventRejection(line: line, reason: "not a JSON object (found \(found))")
    }

    /// `missing required field "guest"`.
    static func missing(_ field: String, line: Int) -> EventRejection {
        EventRejection(line: line, reason: "missing required field \"\(field)\"")
    }

    /// `field "type" must be a non-empty string, found a number (12)`.
    static func wrongType(_ field: String, expected: String, found: JSONValue, line: Int)
        -> EventRejection
    {
        EventRejection(
            line: line,
            reason: "field \"\(field)\" must be \(expected), found \(found.kindDescription)")
    }

    /// `field "ts" is not an RFC 3339 date-time (month out of range): "2026-13-01T00:00:00Z"`.
    static func badDateTime(_ text: String, problem: String, line: Int) -> EventRejection {
        EventRejection(
            line: line,
            reason: "field \"ts\" is not an RFC 3339 date-time (\(problem)): \(Quoted.text(text))")
    }

    /// `field "ts" is out of range, found a number (1e+300)`.
    static func timestampOutOfRange(_ found: JSONValue, line: Int) -> EventRejection {
        EventRejection(
            line: line, reason: "field \"ts\" is out of range, found \(found.kindDescription)")
    }

    /// The smallest numeric `ts` accepted: 10^11 ms, 1973-03-03T09:46:40Z. Epoch seconds of any
    /// date up to the year 5138 are below it, so a `ts` in seconds is refused, not read as 1970.
    static let smallestNumericTimestamp: Int64 = 100_000_000_000

    /// A numeric `ts` below ``smallestNumericTimestamp``: `field "ts" is negative (-5); ts is
    /// milliseconds since 1970-01-01T00:00:00Z`, or `field "ts" 1763631000 looks like epoch
    /// seconds; ts is in milliseconds (at least 100000000000, 1973-03-03T09:46:40Z)`.
    static func implausibleTimestamp(_ milliseconds: Int64, text: String, line: Int) -> EventRejection {
        if milliseconds < 0 {
            return EventRejection(
                line: line, reason: "field \"ts\" is negative (\(text)); ts is milliseconds since 1970-01-01T00:00:00Z")
        }
        return EventRejection(
            line: line,
            reason: "field \"ts\" \(text) looks like epoch seconds; ts is in milliseconds "
                + "(at least 100000000000, 1973-03-03T09:46:40Z)")
    }

    /// `field "ts" is before 1970-01-01T00:00:00Z: "1969-12-31T23:59:59Z"`.
    static func dateTimeBeforeEpoch(_ text: String, line: Int) -> EventRejection {
        EventRejection(line: line, reason: "field \"ts\" is before 1970-01-01T00:00:00Z: \(Quoted.text(text))")
    }

    /// `EXPOSURE event missing required field "variant"`.
    static func exposureMissing(_ field: String, line: Int) -> EventRejection {
        EventRejection(line: line, reason: "EXPOSURE event missing required field \"\(field)\"")
    }

    /// The rejection for a scanner error: `not valid JSON: expected ',' or '}', found 'x' at
    /// column 17`, or `invalid UTF-8 at column 9 (byte 0xFF)`. Columns count Unicode scalars
    /// from 1.
    static func syntax(code: Int32, offset: Int, bytes: UnsafeRawBufferPointer, line: Int)
        -> EventRejection
    {
        let at = min(max(offset, 0), bytes.count)
        let column = Self.column(of: at, in: bytes)
        if Int(code) == CEJ_ERR_INVALID_UTF8 {
            let byte = at < bytes.count ? bytes[at] : 0
            return EventRejection(
                line: line,
                reason: "invalid UTF-8 at column \(column) (byte 0x\(hexByte(byte)))")
        }
        let what = syntaxProblem(code: code, at: at, bytes: bytes)
        return EventRejection(line: line, reason: "not valid JSON: \(what) at column \(column)")
    }

    private static func syntaxProblem(code: Int32, at: Int, bytes: UnsafeRawBufferPointer)
        -> String
    {
        let found = foundText(at: at, bytes: bytes)
        switch Int(code) {
        case CEJ_ERR_EXPECTED_VALUE: return "expected a value, found \(found)"
        case CEJ_ERR_EXPECTED_KEY: return "expected a string key, found \(found)"
        case CEJ_ERR_EXPECTED_COLON: return "expected ':' after the key, found \(found)"
        case CEJ_ERR_EXPECTED_OBJECT_SEP: return "expected ',' or '}', found \(found)"
        case CEJ_ERR_EXPECTED_ARRAY_SEP: return "expected ',' or ']', found \(found)"
        case CEJ_ERR_TRAILING: return "unexpected text after the value, found \(found)"
        case CEJ_ERR_CONTROL_CHAR: return "unescaped control character \(found) in a string"
        case CEJ_ERR_BAD_ESCAPE:
            if at + 1 < bytes.count, (0x21...0x7E).contains(bytes[at + 1]) {
                return "invalid escape '\\\(Character(Unicode.Scalar(bytes[at + 1])))'"
            }
            return "invalid escape: backslash followed by \(foundText(at: at + 1, bytes: bytes))"
        case CEJ_ERR_BAD_UNICODE_ESCAPE: return "\\u not followed by four hex digits"
        case CEJ_ERR_LONE_SURROGATE:
            let end = min(at + 6, bytes.count)
            let escape = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[at..<end]), as: UTF8.self)
            return "unpaired surrogate \(escape)"
        case CEJ_ERR_UNTERMINATED_STRING: return "unterminated string"
        case CEJ_ERR_BAD_NUMBER:
            return "invalid number \(snippet(at: at, bytes: bytes) { isNumberByte($0) })"
        case CEJ_ERR_BAD_LITERAL:
            return "invalid literal \(snippet(at: at, bytes: bytes) { isLetter($0) })"
                + " (expected true, false or null)"
        case CEJ_ERR_NON_FINITE: return "NaN and Infinity are not JSON numbers"
        case CEJ_ERR_TOO_DEEP: return "objects and arrays nested deeper than \(CEJ_MAX_DEPTH)"
        default: return "scanner error \(code)"
        }
    }

    /// 1 + the number of Unicode scalars before byte `offset` (a valid UTF-8 prefix).
    private static func column(of offset: Int, in bytes: UnsafeRawBufferPointer) -> Int {
        var column = 1
        for i in 0..<offset where bytes[i] & 0xC0 != 0x80 { column += 1 }
        return column
    }

    /// The character at `at` for a "found …" message, or `end of line`.
    private static func foundText(at: Int, bytes: UnsafeRawBufferPointer) -> String {
        guard at < bytes.count else { return "end of line" }
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            return "end of line"
        }
        let count = cej_utf8_sequence_length(base + at, base + bytes.count)
        guard count > 0 else { return "byte 0x\(hexByte(bytes[at]))" }
        var decoder = Unicode.UTF8()
        var iterator = UnsafeRawBufferPointer(rebasing: bytes[at..<(at + count)]).makeIterator()
        if case .scalarValue(let scalar) = decoder.decode(&iterator) {
            return Quoted.character(scalar)
        }
        return "byte 0x\(hexByte(bytes[at]))"
    }

    /// The input from `at` while `include` holds (at most `maxLength` bytes), quoted.
    private static func snippet(
        at: Int, bytes: UnsafeRawBufferPointer, maxLength: Int = 24, include: (UInt8) -> Bool
    ) -> String {
        var end = at
        while end < bytes.count, end - at < maxLength, include(bytes[end]) { end += 1 }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[at..<end]), as: UTF8.self)
        return Quoted.text(text)
    }

    private static func isNumberByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x2B || b == 0x2E || b == 0x65 || b == 0x45
    }

    private static func isLetter(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }

    private static func hexByte(_ byte: UInt8) -> String {
        let s = String(byte, radix: 16, uppercase: true)
        return s.count == 1 ? "0" + s : s
    }
}
