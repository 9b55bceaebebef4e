import ArgumentParser
import TallyCore

/// `--rules DIR`, the rules directory of every command that runs rules.
///
/// The directory is checked by loading it (``load()``), not when the flag is parsed: a missing
/// or broken rules directory is a rules failure (exit 65), not a usage error.
struct RulesOptions: ParsableArguments {
    @Option(name: .customLong("rules"), help: ArgumentHelp("The rules directory (*.lua files).", valueName: "dir"))
    var directory: String

    /// Loads the rules; throws the `RuleError` of a directory that is missing or fails to load.
    func load() throws -> RuleSet {
        try RuleLoader().load(directory: directory)
    }
}
