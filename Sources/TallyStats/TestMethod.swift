/// How a variant is tested against the control.
public enum TestMethod: Sendable, Hashable {
    /// Fixed-horizon two-sided Welch t-test on the relative effect.
    case fixed
    /// Sequential test with always-valid intervals and p-values; `n` is the tuning N*
    /// (gbstats `sequential_tuning_parameter`, SPEC `sequential_n`, default 5000).
    case sequential(n: Double)
    /// Gaussian Bayesian effect model with a flat prior.
    case bayesian
}
