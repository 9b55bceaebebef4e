import TallyStats

/// Benchmarks the statistics of a full report: 1,000 experiments × 5 goals × 3 variants
/// (a control and two treatments, so 10,000 comparisons with Holm per goal), per method.
/// Prints the median over several runs of the time per report and comparisons per second.
func runStatsBenchmark() {
    let experiments = 1000
    let goals = 5
    let variants = 3
    let runs = 9
    let inputs = StatsBenchmarkInputs(experiments: experiments, goals: goals, variants: variants)
    let comparisons = experiments * goals * (variants - 1)
    let methods: [(String, TestMethod)] = [
        ("fixed", .fixed), ("sequential", .sequential(n: 5000)), ("bayesian", .bayesian),
    ]
    print("stats: \(experiments) experiments × \(goals) goals × \(variants) variants = \(comparisons) comparisons per report")
    for (name, method) in methods {
        var seconds: [Double] = []
        var checksum = 0.0
        for _ in 0..<runs {
            let clock = ContinuousClock()
            let start = clock.now
            checksum += inputs.report(method: method)
            let elapsed = clock.now - start
            seconds.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        let median = seconds.sorted()[runs / 2]
        let rate = Double(comparisons) / median
        print("  \(name): median \(Int((median * 1e6).rounded())) µs per report, "
              + "\(Int(rate.rounded())) comparisons/s (checksum \(checksum))")
    }
}

/// Deterministic sufficient statistics for the benchmark: goals cycle through conversion
/// rates, revenue means and per-session ratios.
struct StatsBenchmarkInputs {
    /// arms[experiment × goals + goal] = [control, treatment, …].
    var arms: [[ArmStatistic]] = []

    init(experiments: Int, goals: Int, variants: Int) {
        var state: UInt64 = 0x5EED
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) * 0x1p-53
        }
        for _ in 0..<experiments {
            for goal in 0..<goals {
                var row: [ArmStatistic] = []
                for _ in 0..<variants {
                    let n = 2000 + Int(uniform() * 8000)
                    let scale = 0.9 + 0.2 * uniform()
                    switch goal % 3 {
                    case 0:
                        let conversions = Int(Double(n) * 0.05 * scale)
                        row.append(.proportion(ProportionStatistic(n: n, conversions: conversions)))
                    case 1:
                        let mean = 40 * scale
                        let sum = mean * Double(n)
                        row.append(.mean(MeanStatistic(n: n, sum: sum, sumOfSquares: sum * mean + 900 * Double(n))))
                    default:
                        let sessions = 1.8 * Double(n)
                        let revenue = 12 * scale * sessions
                        row.append(.ratio(RatioStatistic(
                            n: n, numeratorSum: revenue, numeratorSumOfSquares: revenue * revenue / Double(n) * 3,
                            denominatorSum: sessions, denominatorSumOfSquares: sessions * sessions / Double(n) * 1.4,
                            productSum: revenue * sessions / Double(n) * 1.5)))
                    }
                }
                arms.append(row)
            }
        }
    }

    /// Runs every goal's comparisons once; returns a checksum so the work is not optimised away.
    func report(method: TestMethod) -> Double {
        var checksum = 0.0
        for row in arms {
            let results = compareVariants(control: row[0], variants: Array(row.dropFirst()), method: method)
            for result in results {
                checksum += result.comparison.estimate?.pValue ?? 0
            }
        }
        return checksum
    }
}
