import ArgumentParser

/// The `tally` command: an embedded rule engine for marketing goals and experiments.
@main
struct Tally: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tally",
        abstract: "Goals, engagement value, outcomes and A/B/n experiments, as Lua rules.",
        discussion: """
            Rules are Lua files in a directory (see README.md). Events are JSON Lines.
            Exit status: 0 ok, 64 usage error, 65 rules failed to load, 66 input cannot be read.
            """,
        version: TallyVersion.current,
        subcommands: [Run.self, Check.self, TestRules.self, Repl.self, Watch.self, Serve.self, Significance.self, SampleSize.self]
    )
}
