/// The chi-square distribution with k > 0 degrees of freedom.
public enum ChiSquare {
    /// The survival function P(X > x) = Q(k/2, x/2), the regularized upper incomplete gamma.
    ///
    /// Keeps its relative accuracy in the upper tail (Numerical Recipes, 3rd ed., §6.2 and
    /// §6.14.8). Returns 1 for x ≤ 0 and NaN for k ≤ 0 or NaN arguments.
    public static func survival(_ x: Double, degreesOfFreedom k: Double) -> Double {
        guard !x.isNaN, k > 0 else { return .nan }
        return SpecialFunctions.upperIncompleteGamma(a: 0.5 * k, x: 0.5 * x)
    }

    /// The distribution function P(X ≤ x) = 1 − Q(k/2, x/2).
    public static func cdf(_ x: Double, degreesOfFreedom k: Double) -> Double {
        1 - survival(x, degreesOfFreedom: k)
    }
}
