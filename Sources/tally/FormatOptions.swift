import ArgumentParser

/// `--format table|json`, shared by every command that prints a report.
///
/// The value is read as text and checked in ``validate()``, so that a bad one gets the same
/// one-line usage error on every command (`tally: --format must be table or json, got "xml"`,
/// exit 64) rather than ArgumentParser's message with the usage attached.
struct FormatOptions: ParsableArguments {
    @Option(name: .customLong("format"),
            help: ArgumentHelp("The report format: table or json.", valueName: "table|json"))
    var text: String = OutputFormat.table.rawValue

    /// The chosen format (``validate()`` has refused any other text).
    var format: OutputFormat { OutputFormat(argument: text) ?? .table }

    func validate() throws {
        try CommandFailure.reporting {
            guard OutputFormat(argument: text) == nil else { return }
            throw CommandFailure.usage(
                "--format must be \(OutputFormat.allValueStrings.joined(separator: " or ")), got \"\(text)\"")
        }
    }
}
