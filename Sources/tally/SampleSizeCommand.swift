import ArgumentParser
import Foundation
import TallyStats

/// `tally sample-size`: units needed per variant for a conversion-rate test.
struct SampleSize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample-size",
        abstract: "Units needed per variant to detect a relative uplift of a conversion rate.",
        discussion: """
            Sitecore's formula: p2 = p1(1 + mde), p̄ = (p1 + p2)/2,
            n = ⌈2p̄(1 − p̄)(z_(1−(1−c)/2) + z_power)² / (p1 − p2)²⌉ per variant.

            Example: tally sample-size --base-rate 0.02 --mde 0.2
            """)

    @Option(name: .customLong("base-rate"), help: "The control's conversion rate, between 0 and 1.")
    var baseRate: Double

    @Option(help: "The relative change to detect: 0.2 = +20%; a decrease is written --mde=-0.2.")
    var mde: Double

    @Option(help: "Confidence level, between 0 and 1.")
    var confidence: Double = 0.95

    @Option(help: "Power, between 0 and 1.")
    var power: Double = 0.8

    @Option(help: "Number of arms, control included.")
    var variants: Int = 2

    @OptionGroup var formatOptions: FormatOptions

    func run() throws {
        let report = try makeReport()
        let format = formatOptions.format
        print(format == .json ? report.json() : report.table(), terminator: format == .json ? "\n" : "")
    }

    /// The plan for the parsed options, or a one-line usage error (exit code 64).
    func makeReport() throws -> SampleSizeReport {
        guard baseRate > 0, baseRate < 1 else {
            throw Self.usageError("--base-rate must be between 0 and 1, got \(baseRate)")
        }
        guard mde.isFinite, mde != 0 else { throw Self.usageError("--mde must be a non-zero number, got \(mde)") }
        let target = baseRate * (1 + mde)
        guard target > 0, target < 1 else {
            throw Self.usageError("--mde \(mde) puts the target rate at \(target), outside (0, 1)")
        }
        guard confidence > 0, confidence < 1 else {
            throw Self.usageError("--confidence must be between 0 and 1, got \(confidence)")
        }
        guard power > 0, power < 1 else { throw Self.usageError("--power must be between 0 and 1, got \(power)") }
        guard variants >= 2 else { throw Self.usageError("--variants must be at least 2, got \(variants)") }
        guard let report = SampleSizeReport(
            baseRate: baseRate, mde: mde, confidence: confidence, power: power, variants: variants)
        else { throw Self.usageError("--mde \(mde) is too small: the sample size overflows") }
        return report
    }

    /// Writes "tally: message" to standard error (the house style of `CommandFailure`) and returns
    /// exit code 64 (EX_USAGE).
    static func usageError(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("tally: \(message)\n".utf8))
        return ExitCode(64)
    }
}
