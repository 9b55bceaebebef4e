import ArgumentParser
import TallyCore
import TallyStats

/// `tally check`: loads the rules and lists what they declare, or prints the error (SPEC §5).
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Load the rules and list them, or print why they do not load.",
        discussion: "Exit status: 0 the rules load, 64 usage error, 65 rules failed to load.")

    @OptionGroup var rulesOptions: RulesOptions

    func run() throws {
        try CommandFailure.reporting {
            let rules = try rulesOptions.load()
            let text = RuleListing.render(rules)
            if let code = TextSink.writeAll(Array(text.utf8), to: 1) {
                throw CommandFailure(status: ExitStatus.cannotCreate,
                                     message: "cannot write to standard output: \(SystemError.text(code))")
            }
        }
    }
}
