import ArgumentParser

/// The `tally` command: an embedded rule engine for marketing goals and experiments.
@main
struct Tally: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tally",
        abstract: "Goals, engagement value, outcomes and A/B/n experiments, as Lua rules.",
        discussion: """
            Rules are Lua files in a directory (see README.md). Events are JSON Lines.
            Exit status: 0 ok, 1 a spec or REPL line failed, 64 usage error, 65 rules failed to \
            load, 66 input cannot be read, 69 serve cannot listen, 71 watch cannot watch the \
            rules, 73 an output file cannot be written, 74 the state file is refused or cannot be \
            written.
            """,
        version: TallyVersion.current,
        subcommands: [Run.self, Check.self, TestRules.self, Repl.self, Watch.self, Serve.self, Significance.self, SampleSize.self]
    )

    /// Prepares the heap for huge pages first (``HugePages``), then runs the command line.
    static func main() {
        HugePages.prepareHeapIfWorthwhile()
        main(nil)
    }
}
