import Foundation
import Testing

@testable import TallyCore

/// Seeded random mutations of valid lines: the parser never traps, every line is accepted or
/// rejected on its own, and JSON validity agrees with Foundation where Foundation is right.
@Suite struct EventFuzzTests {
    static let seeds: [String] = [
        #"{"type":"VIEW","guest":"g-100234","ts":1763632800250,"session":"s-1","page":"/products/basic","ref":"email"}"#,
        #"{"type":"CONFIRM","guest":"g1","ts":"2026-11-20T10:00:00.250Z","revenue":49.99,"sku":"basic","qty":2}"#,
        #"{"type":"EXPOSURE","browser_id":"b-9","ts":17.000000000125e11,"experiment":"checkout","variant":"one_page"}"#,
        #"{"type":"form","guest":"g\u00e9\ud83d\ude00","ts":"2026-11-20T11:00:00+01:00","fields":{"plan":"pro","seats":[1,2,3],"x":null,"y":true,"z":false}}"#,
        #"{ "type" : "VIEW" , "guest" : "gäst 日本" , "ts" : 1700000000000 , "nested" : { "a" : { "b" : [ [ ] , { } ] } } }"#,
        #"{"type":"VIEW","guest":"g","ts":1234567890123,"big":12345678901234567890,"small":-0.000123E-7,"esc":"\"\\\/\b\f\n\r\t"}"#,
    ]

    static let tokens: [String] = [
        "{", "}", "[", "]", "\"", ":", ",", "\\", " ", "0", "1", "-", "+", ".", "e", "E", "null", "true",
        "false", "NaN", "Infinity", "\\u", "\\uD800", "\\uDC00", "\\u00e9", "\\x", "01", "1e999", "\t", "\u{1}",
        "é", "😀", "\u{FEFF}",
    ]

    static func mutate(_ seed: [UInt8], _ rng: inout SeededRandom) -> [UInt8] {
        var bytes = seed
        for _ in 0..<(1 + Int(rng.next() % 3)) {
            let at = bytes.isEmpty ? 0 : Int(rng.next() % UInt64(bytes.count))
            switch rng.next() % 7 {
            case 0:
                if !bytes.isEmpty { bytes.remove(at: at) }
            case 1:
                bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
            case 2:
                if !bytes.isEmpty { bytes[at] = UInt8(truncatingIfNeeded: rng.next()) }
            case 3:
                let token = tokens[Int(rng.next() % UInt64(tokens.count))]
                bytes.insert(contentsOf: Array(token.utf8), at: at)
            case 4:
                bytes = Array(bytes.prefix(at))
            case 5:
                let length = min(bytes.count - at, Int(rng.next() % 12))
                bytes.insert(contentsOf: bytes[at..<(at + length)], at: at)
            default:
                let other = bytes.isEmpty ? 0 : Int(rng.next() % UInt64(bytes.count))
                if !bytes.isEmpty { bytes.swapAt(at, other) }
            }
        }
        return bytes
    }

    /// Foundation's verdict, or nil where it is known to differ from RFC 8259: unpaired
    /// surrogate escapes, numbers beyond Double's range (valid JSON that Foundation refuses),
    /// trailing commas (which it accepts), a byte order mark, and text that is not UTF-8
    /// (checked separately: always rejected).
    static func foundationAccepts(_ bytes: [UInt8]) -> Bool? {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        if text.contains("\u{FEFF}") { return nil }
        let lower = text.lowercased()
        if lower.contains("\\ud8") || lower.contains("\\ud9") || lower.contains("\\uda") || lower.contains("\\udb")
            || lower.contains("\\udc") || lower.contains("\\udd") || lower.contains("\\ude") || lower.contains("\\udf")
        {
            return nil
        }
        if lower.range(of: "e[-+]?[0-9]{3,}|[0-9]{19,}", options: .regularExpression) != nil { return nil }
        if text.range(of: ",[ \t]*[]}]", options: .regularExpression) != nil { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil
    }

    /// Foundation's reading of an accepted line holds what an event needs: a non-empty string
    /// `type`, a non-empty string `guest` (or `browser_id` when `guest` is absent or null), and
    /// a `ts` that is a string or a number of at least 10^11 (milliseconds, not seconds).
    static func reservedFieldsHold(_ bytes: [UInt8]) -> Bool {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { return false }
        func nonEmptyString(_ key: String) -> Bool { (object[key] as? String).map { !$0.isEmpty } ?? false }
        let guestHolds = object["guest"] == nil || object["guest"] is NSNull
            ? nonEmptyString("browser_id") : nonEmptyString("guest")
        let tsHolds: Bool
        switch object["ts"] {
        case is String: tsHolds = true
        case let number as NSNumber: tsHolds = number.doubleValue >= 1e11  // true and false read as 1 and 0
        default: tsHolds = false
        }
        return nonEmptyString("type") && guestHolds && tsHolds
    }

    /// The counts `tenThousandMutations` finds for its seed (recorded from this parser; every
    /// accepted line is also checked against Foundation's reading of it).
    static let expectedAccepted = 887
    static let expectedRejectedJSON = 8_502
    static let expectedRejectedFields = 611
    static let expectedCompared = 5_101

    @Test func tenThousandMutations() {
        var rng = SeededRandom(seed: 20_261_120)
        var parser = EventParser()
        var accepted = 0
        var rejectedJSON = 0
        var rejectedFields = 0
        var compared = 0
        var disagreements: [String] = []
        let seedBytes = Self.seeds.map { Array($0.utf8) }
        for line in seedBytes {
            #expect(EventTestSupport.value(line.withUnsafeBytes { parser.parse($0, line: 0) }) != nil)
        }
        for i in 1...10_000 {
            let bytes = Self.mutate(seedBytes[i % seedBytes.count], &rng)
            let event = bytes.withUnsafeBytes { parser.parse($0, line: i) }
            let json = bytes.withUnsafeBytes { parser.parseJSON($0) }
            switch event {
            case .success(let e):
                accepted += 1
                if Self.foundationAccepts(bytes) == true {
                    #expect(Self.reservedFieldsHold(bytes), "accepted: \(String(decoding: bytes, as: UTF8.self))")
                }
                #expect(e.line == i)
                #expect(!e.type.isEmpty && !e.guest.isEmpty)
                #expect(!e.type.utf8.contains { (0x61...0x7A).contains($0) })  // no lower-case ASCII
                #expect(json.map { $0.objectValue != nil } == .success(true))
            case .failure(let rejection):
                if case .success = json { rejectedFields += 1 } else { rejectedJSON += 1 }
                #expect(rejection.line == i)
                #expect(!rejection.reason.isEmpty && !rejection.reason.contains("\n"))
                if case .failure(let jsonRejection) = json {
                    #expect(rejection.reason == jsonRejection.reason)
                }
            }
            if String(validating: bytes, as: UTF8.self) == nil {
                #expect(EventTestSupport.value(json) == nil, "accepted invalid UTF-8")
            }
            if let oracle = Self.foundationAccepts(bytes) {
                compared += 1
                let ours = (try? json.get()) != nil
                if ours != oracle {
                    disagreements.append("\(ours ? "accepted" : "rejected"): \(String(decoding: bytes, as: UTF8.self))")
                }
            }
        }
        // Exact for this seed: a change to what the parser accepts, or to which lines fail as
        // JSON rather than on their fields, moves these. (Each line is counted once.)
        #expect(accepted == Self.expectedAccepted)
        #expect(rejectedJSON == Self.expectedRejectedJSON)
        #expect(rejectedFields == Self.expectedRejectedFields)
        #expect(compared == Self.expectedCompared)
        #expect(disagreements == [])
    }
}
