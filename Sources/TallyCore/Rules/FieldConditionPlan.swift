#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `where` table made ready for matching events on their lines' bytes: each expectation's
/// keys and expected text laid out once, as bytes, when the rules are compiled, so checking an
/// event copies no `String` and counts no references. (`where = { form = "pricing" }` is
/// checked on every `FORM` event; `utm.medium = "cpc"` on every `VIEW`.)
///
/// Text is compared by its bytes (SPEC §3), so a string without escapes is settled by its bytes
/// alone, ASCII or not. A check the bytes cannot settle (the value is not a string or has
/// escapes, a nested object decoded at once, an expected number or boolean, the `type` field,
/// which is compared upper-cased) falls back to decoding the value and ``FieldComparison``.
final class FieldConditionPlan {
    /// Where a key or an expected text is in ``text``.
    private struct Span {
        var start: Int32
        var length: Int32
    }

    /// One expectation, as plain values.
    private struct Check {
        /// Its path: `keyCount` spans from `firstKey` in ``keys``.
        var firstKey: Int32
        var keyCount: Int32
        /// The expected text, when `comparesBytes`.
        var expected: Span
        /// The field is the event's `type` (compared upper-cased, as the engine sees it).
        var isType: Bool
        /// The expected value is a string and the field is not `type`.
        var comparesBytes: Bool
        var negated: Bool
    }

    /// The expectations as declared, for the checks the bytes cannot settle.
    let expectations: [FieldExpectation]
    private let checks: UnsafeMutableBufferPointer<Check>
    private let keys: UnsafeMutableBufferPointer<Span>
    /// Every key and expected text, one after another.
    private let text: UnsafeMutableBufferPointer<UInt8>

    init(_ expectations: [FieldExpectation]) {
        self.expectations = expectations
        var bytes: [UInt8] = []
        var spans: [Span] = []
        func span(of string: String) -> Span {
            defer { bytes += string.utf8 }
            return Span(start: Int32(bytes.count), length: Int32(string.utf8.count))
        }
        let planned = expectations.map { expectation -> Check in
            let firstKey = Int32(spans.count)
            for key in expectation.path { spans.append(span(of: key)) }
            var check = Check(firstKey: firstKey, keyCount: Int32(expectation.path.count),
                              expected: Span(start: 0, length: 0), isType: expectation.path == ["type"],
                              comparesBytes: false, negated: expectation.negated)
            if case .string(let wanted) = expectation.expected, !check.isType, !expectation.path.isEmpty {
                check.expected = span(of: wanted)
                check.comparesBytes = true
            }
            return check
        }
        checks = .allocate(capacity: planned.count)
        _ = checks.initialize(from: planned)
        keys = .allocate(capacity: spans.count)
        _ = keys.initialize(from: spans)
        text = .allocate(capacity: bytes.count)
        _ = text.initialize(from: bytes)
    }

    deinit {
        checks.deallocate()
        keys.deallocate()
        text.deallocate()
    }

    /// True when every expectation holds for `event` (see ``EventFilter/matchesCondition``).
    /// With `onBytes` false (the plain engine), every value is decoded and compared.
    func matches(_ event: Event, onBytes: Bool = true) -> Bool {
        let onTape = onBytes ? event.fields.tapeObject : nil
        for number in checks.indices {
            let check = checks[number]
            if check.comparesBytes, let onTape, let equal = bytesVerdict(check, on: onTape) {
                if equal == check.negated { return false }
                continue
            }
            if !Self.holds(expectations[number], isType: check.isType, for: event) { return false }
        }
        return true
    }

    /// Whether the value at the path of expectation number `number` is its expected string,
    /// told from the line's bytes (`negated` aside): false when a key is missing or a step is
    /// not an object; nil when the bytes cannot tell (see the type's comment).
    func bytesVerdict(ofExpectation number: Int, on object: TapeObject) -> Bool? {
        checks[number].comparesBytes ? bytesVerdict(checks[number], on: object) : nil
    }

    @inline(__always)
    private func bytesVerdict(_ check: Check, on object: TapeObject) -> Bool? {
        var object = object
        var index = 0
        for position in Int(check.firstKey)..<Int(check.firstKey + check.keyCount) {
            if position > check.firstKey {
                guard let nested = TapeObject(tape: object.tape, token: index) else {
                    return object.tape.tokens[index].kind == TapeReader.kindObject ? nil : false
                }
                object = nested
            }
            guard let found = object.valueToken(ofKeyBytes: bytes(keys[position])) else { return false }
            index = found
        }
        let token = object.tape.tokens[index]
        guard token.kind == TapeReader.kindString, token.flags & TapeReader.flagEscaped == 0 else { return nil }
        let wanted = bytes(check.expected)
        return Int(token.length) == wanted.count
            && (wanted.isEmpty || memcmp(object.tape.bytes + Int(token.start), wanted.baseAddress!, wanted.count) == 0)
    }

    @inline(__always)
    private func bytes(_ span: Span) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: text[Int(span.start)..<Int(span.start + span.length)])
    }

    /// One expectation checked on the decoded value.
    private static func holds(_ expectation: FieldExpectation, isType: Bool, for event: Event) -> Bool {
        let value: JSONValue?
        if isType {
            value = .string(event.type)
        } else if expectation.path.count == 1 {
            value = event.fields[expectation.path[0]]
        } else {
            value = event.fields.value(atPath: expectation.path)
        }
        return FieldComparison.equals(value, expectation.expected) != expectation.negated
    }
}
