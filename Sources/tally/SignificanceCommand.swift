import ArgumentParser
import Foundation
import TallyStats

/// `tally significance`: an A/B/n significance calculator on summary counts.
struct Significance: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "significance",
        abstract: "Test whether variants beat the control, from summary counts.",
        discussion: """
            Each arm is CONVERSIONS/UNITS (a conversion rate), n=N,sum=S,sum_squares=Q (a mean \
            per unit) or n=N,m_sum=..,m_sum_squares=..,d_sum=..,d_sum_squares=..,md_sum=.. (a \
            ratio over guests). Uplifts are relative to the control; p-values are two-sided and \
            Holm-adjusted across variants for significance.

            Example: tally significance --control 200/2000 --variant 250/2000
            """)

    /// The test to run.
    enum Method: String, CaseIterable, ExpressibleByArgument {
        case fixed, sequential, bayesian
    }

    /// The goal's direction.
    enum Goal: String, CaseIterable, ExpressibleByArgument {
        case increase, decrease
    }

    @Option(help: "The control arm: CONVERSIONS/UNITS or sums (see below).")
    var control: String

    @Option(name: .customLong("variant"), help: "A treatment arm; repeat for A/B/n tests.")
    var variants: [String]

    @Option(help: "fixed (Welch t-test), sequential (always valid) or bayesian.")
    var method: Method = .fixed

    @Option(help: "Confidence level, between 0 and 1.")
    var confidence: Double = 0.95

    @Option(name: .customLong("sequential-n"), help: "Tuning N* of the sequential test.")
    var sequentialN: Double = 5000

    @Option(help: "Whether the goal should increase or decrease.")
    var direction: Goal = .increase

    @OptionGroup var formatOptions: FormatOptions

    func run() throws {
        let report = try makeReport()
        let format = formatOptions.format
        print(format == .json ? report.json() : report.table(), terminator: format == .json ? "\n" : "")
    }

    /// The report for the parsed options, or a one-line usage error (exit code 64).
    func makeReport() throws -> SignificanceReport {
        guard confidence > 0, confidence < 1 else {
            throw Self.usageError("--confidence must be between 0 and 1, got \(confidence)")
        }
        guard sequentialN > 0, sequentialN.isFinite else {
            throw Self.usageError("--sequential-n must be a positive number, got \(sequentialN)")
        }
        guard !variants.isEmpty else { throw Self.usageError("--variant is required") }
        let controlArm = try Self.arm(control, option: "--control")
        let variantArms = try variants.map { try Self.arm($0, option: "--variant") }
        for (text, arm) in zip(variants, variantArms) where Self.kind(of: arm) != Self.kind(of: controlArm) {
            throw Self.usageError("--variant \"\(text)\" is \(Self.kind(of: arm)) but --control is "
                + "\(Self.kind(of: controlArm)): every arm must be of the same kind")
        }
        let testMethod: TestMethod = switch method {
        case .fixed: .fixed
        case .sequential: .sequential(n: sequentialN)
        case .bayesian: .bayesian
        }
        return SignificanceReport(
            control: controlArm, variants: variantArms, method: testMethod, confidence: confidence,
            direction: direction == .increase ? .increase : .decrease)
    }

    /// What an arm measures, for the error when arms of different kinds are compared.
    static func kind(of arm: ArmStatistic) -> String {
        switch arm {
        case .proportion: "a conversion rate (CONVERSIONS/UNITS)"
        case .mean: "a mean (n=,sum=,sum_squares=)"
        case .ratio: "a ratio (n=,m_sum=,...)"
        }
    }

    /// Parses one arm, naming the option in the error.
    static func arm(_ text: String, option: String) throws -> ArmStatistic {
        do {
            return try ArmStatistic(parsing: text)
        } catch {
            throw usageError("\(option): \(error)")
        }
    }

    /// Writes "tally: message" to standard error (the house style of `CommandFailure`) and returns
    /// exit code 64 (EX_USAGE).
    static func usageError(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("tally: \(message)\n".utf8))
        return ExitCode(64)
    }
}
