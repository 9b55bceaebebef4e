import Foundation
import Testing
@testable import TallyCore

/// GrowthBook compatibility of `assign = "hash"`: known FNV-1a values, the hash-version-2
/// buckets, range building, and 400 assignments made by the growthbook Python SDK.
struct HashAssignmentTests {
    /// Published FNV-1a 32 test vectors, plus non-ASCII strings hashed as UTF-16 code units
    /// (values from the growthbook Python SDK's `fnv1a32`; the last two from the same loop
    /// over `encode("utf-16-le")` in Python).
    @Test(arguments: [
        ("", 0x811C_9DC5 as UInt32),
        ("a", 0xE40C_292C),
        ("foobar", 0xBF9C_F968),
        ("hello world", 3_582_672_807),
        ("é", 1_812_687_940),
        ("日本", 1_610_399_396),
        ("😀", 3_409_036_472),
        ("guest-é", 429_531_497),    // ASCII, then not: hashed from the start as UTF-16
        ("ab😀c", 3_868_712_772),
    ])
    func fnv1a32(input: String, expected: UInt32) {
        #expect(HashAssignment.fnv1a32(input) == expected)
    }

    @Test func decimalDigitsHashLikeTheirString() {
        for value: UInt32 in [0, 7, 9, 10, 99, 100, 4_294_967_295, 1_000_000_000, 999_999_999, 3_826_002_220] {
            #expect(FNV1a32.hashDecimal(value) == HashAssignment.fnv1a32(String(value)), "\(value)")
        }
    }

    /// Buckets computed with the growthbook Python SDK (`gbhash(seed, value, 2)`).
    @Test func hashV2KnownValues() {
        #expect(HashAssignment.hashV2(seed: "", value: "a") == 0.0216)
        #expect(HashAssignment.hashV2(seed: "seed", value: "é") == 0.8663)
        #expect(HashAssignment.hashV2(seed: "my-test", value: "123") == 0.2434)
    }

    @Test func rangesFollowWeightsAndCoverage() {
        let assignment = HashAssignment(seed: "x", weights: [60, 40], coverage: 0.5)
        #expect(assignment.weights == [0.6, 0.4])
        #expect(assignment.ranges == [BucketRange(start: 0, end: 0.3), BucketRange(start: 0.6, end: 0.8)])
    }

    @Test func weightsSummingToAboutOneAreKept() {
        #expect(HashAssignment(seed: "x", weights: [0.5, 0.495], coverage: 1).weights == [0.5, 0.495])
    }

    @Test func unusableWeightsBecomeEqual() {
        for weights: [Double] in [[0, 0], [-1, 2], [.nan, 1], [.infinity, 1]] {
            #expect(HashAssignment(seed: "x", weights: weights).weights == [0.5, 0.5], "\(weights)")
        }
    }

    @Test func coverageIsClamped() {
        #expect(HashAssignment(seed: "x", weights: [1, 1], coverage: 1.5).coverage == 1)
        #expect(HashAssignment(seed: "x", weights: [1, 1], coverage: -0.5).coverage == 0)
        #expect(HashAssignment(seed: "x", weights: [1, 1], coverage: .nan).coverage == 0)
        #expect(HashAssignment(seed: "x", weights: [1, 1], coverage: 0).variantIndex(forGuest: "g1") == nil)
    }

    @Test func emptyIdAndSingleVariantAreNeverIn() {
        #expect(HashAssignment(seed: "x", weights: [1, 1]).variantIndex(forGuest: "") == nil)
        #expect(HashAssignment(seed: "x", weights: [1]).variantIndex(forGuest: "g1") == nil)
        #expect(HashAssignment(seed: "x", weights: []).variantIndex(forGuest: "g1") == nil)
    }

    @Test func matchesTheGrowthBookSDK() throws {
        let fixture = try GrowthBookFixture.load()
        #expect(fixture.cases.count == 8)
        #expect(fixture.cases.reduce(0) { $0 + $1.assignments.count } == 400)
        for testCase in fixture.cases {
            let assignment = HashAssignment(seed: testCase.seed, weights: testCase.weights, coverage: testCase.coverage)
            #expect(assignment.weights == testCase.sdkWeights, "\(testCase.seed)")
            for expected in testCase.assignments {
                let label = "seed \(testCase.seed) coverage \(testCase.coverage) guest \(expected.guest.debugDescription)"
                #expect(HashAssignment.hashV2(seed: testCase.seed, value: expected.guest) == expected.bucket, "\(label)")
                #expect(assignment.variantIndex(forGuest: expected.guest) == expected.variant, "\(label)")
            }
        }
    }
}

/// `Fixtures/growthbook_assignments.json`, written by `scripts/gen-growthbook-fixture`.
private struct GrowthBookFixture: Decodable {
    struct Case: Decodable {
        let seed: String
        let weights: [Double]
        let sdkWeights: [Double]
        let coverage: Double
        let assignments: [Assignment]

        enum CodingKeys: String, CodingKey {
            case seed, weights, coverage, assignments
            case sdkWeights = "sdk_weights"
        }
    }

    struct Assignment: Decodable {
        let guest: String
        let bucket: Double
        let variant: Int?
    }

    let cases: [Case]

    static func load() throws -> GrowthBookFixture {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("Fixtures/growthbook_assignments.json")
        return try JSONDecoder().decode(GrowthBookFixture.self, from: Data(contentsOf: url))
    }
}
