import ArgumentParser
import TallyCore
import TallyStats

/// `tally check`: loads the rules and lists what they declare, or prints the error (SPEC §5).
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Load the rules and list them, or print why they do not load.",
        discussion: "Exit status: 0 the rules load, 64 usage error, 65 rules failed to load.")

    @Option(name: .customLong("rules"), help: ArgumentHelp("The rules directory (*.lua files).", valueName: "dir"))
    var rulesDirectory: String

    func run() throws {
        try CommandFailure.reporting {
            let rules = try RuleLoader().load(directory: rulesDirectory)
            let text = RuleListing.render(rules)
            if let code = TextSink.writeAll(Array(text.utf8), to: 1) {
                throw CommandFailure(status: ExitStatus.cannotCreate,
                                     message: "cannot write to standard output: \(SystemError.text(code))")
            }
        }
    }
}
