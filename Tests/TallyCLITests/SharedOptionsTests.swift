import Foundation
import Testing

/// The flags several commands share (`--rules`, `--format`, `--session-timeout`,
/// `--allowed-lateness`): the same help, the same one-line message for a bad value, the same
/// exit status, on every command that takes them.
@Suite struct SharedOptionsTests {
    /// A directory with a one-goal `rules/main.lua`; the caller removes it.
    static func setUp() throws -> (dir: TemporaryDirectory, rules: String) {
        let dir = try TemporaryDirectory()
        try dir.write("rules/main.lua", "goal \"signup\" { on = \"FORM\", points = 10 }\n")
        return (dir, dir.path("rules"))
    }

    /// Each command with its required flags, `--rules` excepted.
    static func command(_ name: String, rules: String) -> [String] {
        switch name {
        case "significance": ["significance", "--control", "10/100", "--variant", "12/100"]
        case "sample-size": ["sample-size", "--base-rate", "0.02", "--mde", "0.2"]
        default: [name, "--rules", rules]
        }
    }

    /// Runs every command with `flag value` and checks one and the same message, exit 64 and
    /// nothing on standard output.
    static func expectUsageError(_ commands: [String], flag: String, value: String, message: String) throws {
        let (dir, rules) = try setUp()
        defer { dir.remove() }
        for name in commands {
            let base = command(name, rules: rules)
            for arguments in [base + [flag, value], base + ["\(flag)=\(value)"]] {
                let result = try TallyProcess.run(arguments, stdin: "")
                #expect(result.status == 64, "\(arguments)")
                #expect(result.stderrLines == [message], "\(arguments)")
                #expect(result.stdout.isEmpty, "\(arguments)")
            }
        }
    }

    @Test func aBadFormatIsTheSameOneLineUsageErrorOnEveryCommand() throws {
        try Self.expectUsageError(["run", "watch", "significance", "sample-size"], flag: "--format", value: "xml",
                                  message: "tally: --format must be table or json, got \"xml\"")
    }

    @Test func aBadSessionTimeoutIsTheSameOneLineUsageErrorOnEveryCommand() throws {
        for value in ["soon", "0s"] {
            try Self.expectUsageError(
                ["run", "watch", "repl"], flag: "--session-timeout", value: value,
                message: "tally: --session-timeout must be a positive duration like 30m, 90s or 1h, got \"\(value)\"")
        }
    }

    @Test func aBadAllowedLatenessIsTheSameOneLineUsageErrorOnEveryCommand() throws {
        try Self.expectUsageError(["watch", "repl", "serve"], flag: "--allowed-lateness", value: "later",
                                  message: "tally: --allowed-lateness must be a duration like 5m, 90s or 0s, got \"later\"")
    }

    @Test func aBadFlagValueIsAUsageErrorBeforeTheRulesAreLoaded() throws {
        for arguments in [["run", "--rules", "/nonexistent", "--session-timeout", "soon"],
                          ["watch", "--rules", "/nonexistent", "--format", "xml"],
                          ["serve", "--rules", "/nonexistent", "--allowed-lateness", "later"]] {
            let result = try TallyProcess.run(arguments, stdin: "")
            #expect(result.status == 64, "\(arguments)")
            #expect(result.stderrLines.count == 1, "\(arguments)")
        }
    }

    @Test func aMissingRulesDirectoryIsTheSameRulesErrorOnEveryCommand() throws {
        for arguments in [["run"], ["check"], ["watch"], ["repl"], ["serve"], ["test", "spec.lua"]] {
            let result = try TallyProcess.run(arguments + ["--rules", "/nonexistent"], stdin: "")
            #expect(result.status == 65, "\(arguments)")
            #expect(result.stderrLines == ["tally: rules directory \"/nonexistent\" does not exist or is not a directory"],
                    "\(arguments)")
        }
    }

    @Test func everyCommandShowsASharedFlagWithTheSameHelp() throws {
        let flags: [(line: String, commands: [String])] = [
            ("--rules <dir>           The rules directory (*.lua files).",
             ["run", "check", "test", "repl", "watch", "serve"]),
            ("--format <table|json>   The report format: table or json. (default: table)",
             ["run", "watch", "significance", "sample-size"]),
            ("Inactivity that ends a session, e.g. 30m, 90s, 1h", ["run", "repl", "watch"]),
            ("How long past the session timeout a session stays", ["repl", "watch", "serve"]),
        ]
        for (line, commands) in flags {
            for name in commands {
                let help = try TallyProcess.run([name, "--help"])
                #expect(help.status == 0)
                #expect(help.stdout.contains(line), "\(name): \(line)")
            }
        }
    }

    @Test func theFormatIsHonouredByEveryCommand() throws {
        let (dir, rules) = try Self.setUp()
        defer { dir.remove() }
        for name in ["run", "watch", "significance", "sample-size"] {
            let json = try TallyProcess.run(Self.command(name, rules: rules) + ["--format", "json"], stdin: "")
            #expect(json.status == 0, "\(name)")
            #expect((try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8))) != nil, "\(name)")
            let table = try TallyProcess.run(Self.command(name, rules: rules), stdin: "")
            #expect(table.status == 0, "\(name)")
            #expect(!table.stdout.hasPrefix("{"), "\(name)")
        }
    }
}
