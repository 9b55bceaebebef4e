/// A running sum with Neumaier's compensation: the rounding error of every addition is kept
/// apart and added back, so a sum of many revenue values is as exact as if it were formed in
/// twice the precision (A. Neumaier, ZAMM 54 (1974) 39).
public struct CompensatedSum: Sendable, Hashable, Codable {
    /// The rounded running sum.
    var sum: Double
    /// The accumulated rounding errors.
    var compensation: Double

    /// A sum that starts at `value`.
    public init(_ value: Double = 0) {
        sum = value
        compensation = 0
    }

    /// The compensated value of the sum.
    public var value: Double { sum + compensation }

    /// Adds `x` in O(1): t = s + x; c += (s − t) + x if |s| ≥ |x|, else (x − t) + s.
    public mutating func add(_ x: Double) {
        let t = sum + x
        if abs(sum) >= abs(x) {
            compensation += (sum - t) + x
        } else {
            compensation += (x - t) + sum
        }
        sum = t
    }

    /// The sum of two sums (both parts of `other` are added with compensation).
    public static func + (lhs: CompensatedSum, rhs: CompensatedSum) -> CompensatedSum {
        var result = lhs
        result.add(rhs.sum)
        result.add(rhs.compensation)
        return result
    }

    /// Adds another sum in place.
    public static func += (lhs: inout CompensatedSum, rhs: CompensatedSum) {
        lhs = lhs + rhs
    }
}
