/// Deterministic variant assignment that matches GrowthBook's SDKs (`assign = "hash"`, SPEC §4).
///
/// GrowthBook buckets a user with hash version 2:
/// `n = fnv1a32(String(fnv1a32(seed + id))) % 10000 / 10000`, then picks the variant whose
/// half-open range `[start, start + coverage × weight)` holds `n` (ranges laid end to end by
/// weight); a user in no range is not in the experiment. Tally uses the experiment id as the seed,
/// so a guest gets the same variant from Tally and from a GrowthBook experiment with the same
/// key, weights and coverage. Checked against the growthbook Python SDK 4.0.0
/// (`core.py`: `fnv1a32`, `gbhash`, `getBucketRanges`, `chooseVariation`, `_run_experiment`).
///
/// Details that follow the SDK:
/// - strings are hashed as UTF-16 code units (the JS SDK's `charCodeAt` loop; the Python SDK
///   does the same for non-ASCII strings), not as UTF-8 bytes — the two agree for ASCII only;
/// - an empty guest id, or fewer than two variants, is never in the experiment;
/// - coverage is clamped to 0…1 (NaN counts as 0).
///
/// Weights: a vector the SDK accepts as it is (every weight finite and ≥ 0, sum within
/// 0.99…1.01) is used unchanged, exactly as the SDK would. Tally's weights are otherwise relative
/// (`{60, 40}`, or weight 1 per plain variant), so a finite, non-negative vector with a positive
/// sum is divided by its sum — what GrowthBook does when its percentages are saved. Anything
/// else (a negative, NaN or infinite weight, or a zero sum) falls back to equal weights, the
/// SDK's rule for unusable vectors.
public struct HashAssignment: Sendable, Equatable {
    /// The hash seed (the experiment id).
    public let seed: String
    /// The weights the ranges were built from, after the rules above; they sum to about 1.
    public let weights: [Double]
    /// The fraction of guests included, 0…1.
    public let coverage: Double
    /// One half-open bucket range per variant, in declaration order.
    let ranges: [BucketRange]
    /// FNV-1a state after hashing `seed`: the per-guest hash continues from here.
    private let seedState: UInt32

    /// Builds the bucket ranges for `weights.count` variants.
    /// - Parameters:
    ///   - seed: the hash seed; Tally passes the experiment id (GrowthBook's default seed is the key).
    ///   - weights: one weight per variant, relative or already summing to 1.
    ///   - coverage: the share of guests in the experiment (`traffic`), clamped to 0…1.
    public init(seed: String, weights: [Double], coverage: Double = 1) {
        self.seed = seed
        self.weights = Self.effectiveWeights(weights)
        self.coverage = coverage >= 0 ? min(coverage, 1) : 0
        self.ranges = Self.bucketRanges(weights: self.weights, coverage: self.coverage)
        self.seedState = FNV1a32.hash(utf16Of: seed, from: FNV1a32.offsetBasis)
    }

    /// The index of the guest's variant, or `nil` when the guest is outside every range (not in
    /// the experiment). Allocation-free.
    public func variantIndex(forGuest id: String) -> Int? {
        guard ranges.count >= 2, !id.isEmpty else { return nil }
        let n = Self.bucket(FNV1a32.hash(utf16Of: id, from: seedState))
        return Self.chooseVariation(n, ranges)
    }

    /// FNV-1a 32-bit over the UTF-16 code units of `s`, as GrowthBook's SDKs compute it.
    static func fnv1a32(_ s: String) -> UInt32 {
        FNV1a32.hash(utf16Of: s, from: FNV1a32.offsetBasis)
    }

    /// GrowthBook's hash version 2: `fnv1a32(String(fnv1a32(seed + value))) % 10000 / 10000`,
    /// a bucket in 0..<1 with four decimals.
    static func hashV2(seed: String, value: String) -> Double {
        let inner = FNV1a32.hash(utf16Of: value, from: fnv1a32(seed))
        return bucket(inner)
    }

    /// The outer half of hash version 2, from the inner hash `fnv1a32(seed + value)`.
    private static func bucket(_ inner: UInt32) -> Double {
        Double(FNV1a32.hashDecimal(inner) % 10_000) / 10_000
    }

    /// The SDK's `chooseVariation`: the first range holding `n`, or `nil`.
    static func chooseVariation(_ n: Double, _ ranges: [BucketRange]) -> Int? {
        for (index, range) in ranges.enumerated() where range.contains(n) {
            return index
        }
        return nil
    }

    /// The SDK's `getBucketRanges` for already-checked weights and a clamped coverage:
    /// variant i gets `[Σ_{j<i} w_j, Σ_{j<i} w_j + coverage × w_i)`.
    static func bucketRanges(weights: [Double], coverage: Double) -> [BucketRange] {
        var cumulative = 0.0
        var ranges: [BucketRange] = []
        ranges.reserveCapacity(weights.count)
        for weight in weights {
            let start = cumulative
            cumulative += weight
            ranges.append(BucketRange(start: start, end: start + coverage * weight))
        }
        return ranges
    }

    /// The weights to build ranges from (see the type's documentation).
    static func effectiveWeights(_ weights: [Double]) -> [Double] {
        guard !weights.isEmpty else { return [] }
        let usable = weights.allSatisfy { $0.isFinite && $0 >= 0 }
        var sum = 0.0
        for weight in weights { sum += weight }
        if usable, sum >= 0.99, sum <= 1.01 { return weights }
        if usable, sum > 0, sum.isFinite { return weights.map { $0 / sum } }
        return Array(repeating: 1 / Double(weights.count), count: weights.count)
    }
}

/// A half-open interval `[start, end)` of hash buckets.
struct BucketRange: Sendable, Equatable {
    /// The first bucket value inside the range.
    let start: Double
    /// The first bucket value past the range.
    let end: Double

    /// Whether `n` lies in `[start, end)` (the SDK's `inRange`).
    func contains(_ n: Double) -> Bool { start <= n && n < end }
}

/// FNV-1a, 32-bit, fed with 16-bit code units the way GrowthBook's JS SDK does
/// (`hval ^= charCodeAt(i); hval *= 16777619`, mod 2³²).
enum FNV1a32 {
    /// The FNV-1a 32-bit offset basis (the hash of the empty string).
    static let offsetBasis: UInt32 = 0x811C_9DC5
    /// The FNV 32-bit prime.
    static let prime: UInt32 = 0x0100_0193

    /// Continues the hash `state` over the UTF-16 code units of `s`. ASCII text, whose bytes
    /// are its code units, is hashed from its UTF-8 bytes (walking `utf16` costs four times as
    /// much); anything else from its code units.
    @inline(__always)
    static func hash(utf16Of s: String, from state: UInt32) -> UInt32 {
        let ascii = s.utf8.withContiguousStorageIfAvailable { bytes -> UInt32? in
            var h = state
            for byte in bytes {
                guard byte < 0x80 else { return nil }
                h = (h ^ UInt32(byte)) &* prime
            }
            return h
        }
        if let ascii, let hash = ascii { return hash }
        var h = state
        for unit in s.utf16 {
            h = (h ^ UInt32(unit)) &* prime
        }
        return h
    }

    /// The hash of `String(value)`, the decimal digits of `value`, without forming the string.
    @inline(__always)
    static func hashDecimal(_ value: UInt32) -> UInt32 {
        var divisor: UInt32 = 1_000_000_000
        while divisor > 1 && value < divisor { divisor /= 10 }
        var h = offsetBasis
        while divisor > 0 {
            let digit = (value / divisor) % 10
            h = (h ^ (0x30 + digit)) &* prime
            divisor /= 10
        }
        return h
    }
}
