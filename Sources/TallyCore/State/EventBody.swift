/// The body of `POST /events` turned into JSON Lines for ``Engine/ingest(lines:firstLine:parser:onReject:)``.
///
/// A body whose first non-blank byte is `[` is a JSON array: each top-level element becomes
/// one line (its raw text; line breaks between tokens become spaces), numbered from 1, so a
/// bad element is rejected with its position like a bad line. A body starting with `{` is JSON
/// Lines, taken as it is. Anything else, an unterminated array, or text after the array, is
/// malformed (the caller answers 400).
public enum EventBody {
    /// Why a body is malformed.
    public struct Malformed: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// The body as JSON Lines (a leading UTF-8 byte order mark is dropped).
    public static func lines(_ body: [UInt8]) throws(Malformed) -> [UInt8] {
        var start = 0
        if body.starts(with: EventIntake.byteOrderMark) { start = EventIntake.byteOrderMark.count }
        var index = start
        while index < body.count, isSpace(body[index]) { index += 1 }
        guard index < body.count else { throw Malformed(description: "the body holds no events") }
        switch body[index] {
        case UInt8(ascii: "{"): return start == 0 ? body : Array(body[start...])
        case UInt8(ascii: "["): return try arrayLines(body, from: index)
        default:
            throw Malformed(description: "the body is neither a JSON array nor JSON Lines (one object per line)")
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// Splits a JSON array at its top-level commas, tracking strings and nesting.
    private static func arrayLines(_ body: [UInt8], from open: Int) throws(Malformed) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(body.count)
        var depth = 0           // nesting inside the current element
        var inString = false
        var escaped = false
        var elementBytes = 0    // non-blank bytes in the current element
        var elements = 0
        var index = open + 1
        var closed = false
        while index < body.count {
            let byte = body[index]
            index += 1
            if inString {
                output.append(byte)
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                elementBytes += 1
                output.append(byte)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                elementBytes += 1
                output.append(byte)
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if depth == 0 {
                    guard byte == UInt8(ascii: "]") else { throw Malformed(description: "unbalanced '}' in the JSON array") }
                    if elementBytes == 0 && elements > 0 {
                        throw Malformed(description: "a trailing comma ends the JSON array")
                    }
                    if elementBytes > 0 { elements += 1 }
                    closed = true
                } else {
                    depth -= 1
                    elementBytes += 1
                    output.append(byte)
                }
            case UInt8(ascii: ","):
                if depth == 0 {
                    guard elementBytes > 0 else { throw Malformed(description: "an empty element in the JSON array") }
                    elements += 1
                    elementBytes = 0
                    output.append(0x0A)
                } else {
                    output.append(byte)
                }
            case 0x0A, 0x0D:
                output.append(0x20)
            default:
                if !isSpace(byte) { elementBytes += 1 }
                output.append(byte)
            }
            if closed { break }
        }
        guard closed else { throw Malformed(description: "the JSON array is not closed") }
        while index < body.count {
            guard isSpace(body[index]) else { throw Malformed(description: "text after the JSON array") }
            index += 1
        }
        guard elements > 0 else { throw Malformed(description: "the body holds no events") }
        output.append(0x0A)
        return output
    }
}
