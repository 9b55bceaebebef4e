@testable import TallyCore

/// Helpers shared by the event tests.
enum EventTestSupport {
    /// Parses one line given as text.
    static func parse(_ text: String, line: Int = 1) -> Result<Event, EventRejection> {
        parse(bytes: Array(text.utf8), line: line)
    }

    /// Parses one line given as raw bytes (for invalid UTF-8).
    static func parse(bytes: [UInt8], line: Int = 1) -> Result<Event, EventRejection> {
        var parser = EventParser()
        return bytes.withUnsafeBytes { parser.parse($0, line: line) }
    }

    /// Validates raw bytes as one JSON value.
    static func json(bytes: [UInt8]) -> Result<JSONValue, EventRejection> {
        var parser = EventParser()
        return bytes.withUnsafeBytes { parser.parseJSON($0) }
    }

    /// Validates text as one JSON value.
    static func json(_ text: String) -> Result<JSONValue, EventRejection> {
        json(bytes: Array(text.utf8))
    }

    /// The rejection reason, or nil when the line parsed.
    static func reason<T>(_ result: Result<T, EventRejection>) -> String? {
        if case .failure(let rejection) = result { return rejection.reason }
        return nil
    }

    /// The parsed value, or nil when rejected.
    static func value<T>(_ result: Result<T, EventRejection>) -> T? {
        if case .success(let value) = result { return value }
        return nil
    }
}

/// SplitMix64: a small deterministic generator for seeded test data.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
