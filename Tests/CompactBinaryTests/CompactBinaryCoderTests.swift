import CompactBinary
import Testing

/// `CompactBinaryEncoder` / `CompactBinaryDecoder`: values come back equal, whatever shape their
/// Codable conformances give them, and damaged bytes throw instead of crashing.
@Suite struct CompactBinaryCoderTests {
    enum Payload: Codable, Equatable {
        case text(String)
        case pair(Int, Double)
        case nothing
    }

    enum Kind: String, Codable, Equatable { case small, large }

    struct Inner: Codable, Equatable {
        var times: Int32
        var last: Int32
    }

    struct Everything: Codable, Equatable {
        var flag: Bool
        var tiny: Int8
        var byte: UInt8
        var short: Int16
        var unsignedShort: UInt16
        var int32: Int32
        var uint32: UInt32
        var int64: Int64
        var uint64: UInt64
        var int: Int
        var uint: UInt
        var float: Float
        var double: Double
        var text: String
        var optionalText: String?
        var optionalNumber: Int?
        var optionals: [Int?]
        var nestedOptional: [String?]?
        var inners: [Inner]
        var matrix: [[Int]]
        var dictionary: [String: Double]
        var intKeyed: [Int: String]
        var payloads: [Payload]
        var kind: Kind
        var empty: [Inner]
        var set: Set<Int>
    }

    static let everything = Everything(
        flag: true, tiny: -128, byte: 255, short: -32768, unsignedShort: 65535, int32: .min, uint32: .max,
        int64: .min, uint64: .max, int: -1, uint: 1 << 63, float: -1.5, double: .pi,
        text: "héllo \u{1F600} \"quoted\"\n", optionalText: nil, optionalNumber: 0,
        optionals: [nil, 0, -1, nil, Int.max], nestedOptional: ["a", nil, ""],
        inners: (0..<300).map { Inner(times: Int32($0), last: Int32(-$0)) }, matrix: [[], [1], [2, 3]],
        dictionary: ["a": 1, "": -0.0, "long key \(String(repeating: "x", count: 200))": .infinity],
        intKeyed: [1: "one", -7: "minus seven"], payloads: [.text("t"), .pair(-3, 2.5), .nothing],
        kind: .large, empty: [], set: [3, 1, 2])

    @Test func valuesOfEveryShapeComeBackEqual() throws {
        let bytes = try CompactBinaryEncoder().encode(Self.everything)
        let decoded = try CompactBinaryDecoder().decode(Everything.self, from: bytes)
        // Field by field, so that a failure names the field rather than printing both values.
        let differing = zip(Mirror(reflecting: decoded).children, Mirror(reflecting: Self.everything).children)
            .filter { String(describing: $0.0.value) != String(describing: $0.1.value) }.map { $0.0.label ?? "?" }
        #expect(differing.allSatisfy { ["dictionary", "intKeyed", "set"].contains($0) })  // (their order varies)
        #expect(decoded.dictionary == Self.everything.dictionary)
        #expect(decoded.intKeyed == Self.everything.intKeyed)
        #expect(decoded.set == Self.everything.set)
        #expect(decoded == Self.everything)
        #expect(decoded.double.bitPattern == Double.pi.bitPattern)
    }

    @Test func topLevelPrimitivesAndOptionals() throws {
        func roundTrip<Value: Codable & Equatable>(_ value: Value) throws {
            let bytes = try CompactBinaryEncoder().encode(value)
            #expect(try CompactBinaryDecoder().decode(Value.self, from: bytes) == value)
        }
        try roundTrip(42)
        try roundTrip("text")
        try roundTrip(Int?.none)
        try roundTrip(Int?.some(7))
        try roundTrip([Int?]())
        try roundTrip(Double.nan.isNaN)
    }

    @Test func theFormIsCompact() throws {
        // After the magic and the key table's offset (12 bytes): a small integer is one byte;
        // an Inner {times, last} is a header of 2 bytes and two entries of a key byte, a length
        // byte and a one-byte value; the key table follows.
        #expect(try CompactBinaryEncoder().encode(5) == Array("TCB1".utf8) + [13, 0, 0, 0, 0, 0, 0, 0, 10, 0])
        let inner = try CompactBinaryEncoder().encode(Inner(times: 1, last: -1))
        let keyTable = 1 + (1 + 5) + (1 + 4)  // count, "times", "last"
        #expect(inner.count == 12 + 2 + 2 * 3 + keyTable)
        #expect(Array(inner[12..<20]) == [7, 2, 0, 1, 2, 1, 1, 1])  // 7 bytes follow: 2 entries, (key 0, 1 byte, 1), (key 1, 1 byte, -1)
    }

    /// A conformance that decodes its keys in another order than it encoded them, and skips one.
    struct OutOfOrder: Codable, Equatable {
        var first: String
        var second: Int
        enum CodingKeys: String, CodingKey { case first, second, ignored }

        init(first: String, second: Int) {
            self.first = first
            self.second = second
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            second = try container.decode(Int.self, forKey: .second)
            first = try container.decode(String.self, forKey: .first)
            #expect(container.contains(.ignored))
            #expect(try container.decodeNil(forKey: .ignored))
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(first, forKey: .first)
            try container.encodeNil(forKey: .ignored)
            try container.encode(second, forKey: .second)
        }
    }

    @Test func keysMayBeReadInAnyOrder() throws {
        let values = [OutOfOrder(first: "a", second: 1), OutOfOrder(first: "b", second: -2)]
        let bytes = try CompactBinaryEncoder().encode(values)
        #expect(try CompactBinaryDecoder().decode([OutOfOrder].self, from: bytes) == values)
    }

    @Test func aMissingKeyIsReportedByName() throws {
        struct Wider: Codable { var times: Int32; var last: Int32; var extra: Int }
        let bytes = try CompactBinaryEncoder().encode(Inner(times: 1, last: 2))
        #expect(throws: DecodingError.self) { try CompactBinaryDecoder().decode(Wider.self, from: bytes) }
    }

    @Test func everyTruncationAndEveryFlippedByteThrowsOrDecodes() throws {
        let bytes = try CompactBinaryEncoder().encode(Self.everything)
        for length in 0..<bytes.count {
            #expect(throws: DecodingError.self) {
                try CompactBinaryDecoder().decode(Everything.self, from: Array(bytes[..<length]))
            }
        }
        // Damaged bytes: decoding may succeed with other values, but must never crash.
        var random = SeededRandom(seed: 11)
        for _ in 0..<2_000 {
            var damaged = bytes
            let position = Int.random(in: 4..<damaged.count, using: &random)
            damaged[position] = UInt8.random(in: 0...255, using: &random)
            _ = try? CompactBinaryDecoder().decode(Everything.self, from: damaged)
        }
        #expect(throws: DecodingError.self) { try CompactBinaryDecoder().decode(Int.self, from: Array("TCB2".utf8) + [13, 0, 0, 0, 0, 0, 0, 0, 10, 0]) }
        // A list that claims 2³¹ - 1 elements in 5 bytes fails without sizing an array for them.
        let claim = Array("TCB1".utf8) + [18, 0, 0, 0, 0, 0, 0, 0] + [5, 0xFF, 0xFF, 0xFF, 0xFF, 0x07] + [0]
        #expect(throws: DecodingError.self) { try CompactBinaryDecoder().decode([Int].self, from: claim) }
        #expect(throws: DecodingError.self) { try CompactBinaryDecoder().decode(Int.self, from: bytes) }
    }
}

/// SplitMix64: a small deterministic generator for the damaged bytes.
private struct SeededRandom: RandomNumberGenerator {
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
