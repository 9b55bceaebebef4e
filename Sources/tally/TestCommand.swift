import ArgumentParser
import Foundation
import TallyCore

/// `tally test`: runs rule specs (docs/testing.md) — events in, expected goals, points,
/// outcomes, counters and experiment figures out — and prints what passed and what failed.
struct TestRules: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run rule specs: events in, expected goals, points, outcomes and experiment figures out.",
        discussion: """
            Spec files are Lua: spec "name" { events = { ... }, expect = { ... } } (see docs/testing.md). \
            Without SPEC_FILES, every *.lua file under the specs/ directory next to the rules directory \
            is run (examples/specs/ for --rules examples/rules). A directory argument stands for the \
            *.lua files below it. Every spec runs on a fresh engine with freshly loaded rules.

            Prints "ok   NAME" for a passing spec, one "FAIL FILE:LINE "NAME" — PATH: expected X, got Y" \
            line per failing expectation, and at the end "N passed, M failed".

            Exit status: 0 every spec passed, 1 some spec failed, 64 usage error (no spec files), \
            65 the rules or a spec file failed to load, 66 a spec file cannot be read.
            """)

    @OptionGroup var rulesOptions: RulesOptions

    @Option(help: ArgumentHelp("Run only the specs whose name contains this text.", valueName: "text"))
    var filter: String?

    @Argument(help: ArgumentHelp("Spec files or directories (default: the specs/ directory next to the rules).",
                                 valueName: "spec-file"))
    var specFiles: [String] = []

    /// Exit status when some spec failed.
    static let failedStatus: Int32 = 1

    func run() throws {
        try CommandFailure.reporting(execute)
    }

    func execute() throws {
        let files = try specFilePaths()
        let runner = try SpecRunner(rulesDirectory: rulesOptions.directory)
        var specs: [RuleSpec]
        switch Self.loadSpecs(files, checkedBy: runner) {
        case .success(let loaded): specs = loaded
        case .failure(let error):
            throw CommandFailure(status: error.kind == .unreadable ? ExitStatus.input : ExitStatus.rules,
                                 message: error.description)
        }
        if let filter { specs = specs.filter { $0.name.contains(filter) } }

        let output = TextSink(fileDescriptor: 1)
        var passed = 0
        var failed = 0
        for spec in specs {
            let result = try runner.run(spec)
            if result.passed { passed += 1 } else { failed += 1 }
            for line in result.lines { output.write(line + "\n") }
            output.flush()
        }
        output.write("\n\(passed) passed, \(failed) failed\n")
        if let code = output.close() {
            throw CommandFailure(status: ExitStatus.cannotCreate,
                                 message: "cannot write to standard output: \(SystemError.text(code))")
        }
        if failed > 0 { throw ExitCode(Self.failedStatus) }
    }

    /// Every spec of the files, in order, each checked against the rules.
    static func loadSpecs(_ files: [(name: String, path: String)], checkedBy runner: SpecRunner)
        -> Result<[RuleSpec], SpecError> {
        var specs: [RuleSpec] = []
        for file in files {
            let loaded: [RuleSpec]
            do {
                loaded = try SpecLoader().load(file: file.path, name: file.name)
                for spec in loaded { try runner.check(spec) }
            } catch {
                return .failure(error)
            }
            specs += loaded
        }
        return .success(specs)
    }

    /// The spec files to run, as (name shown in messages, path): the arguments (a directory
    /// stands for its `*.lua` files), or the `specs/` directory next to the rules directory.
    func specFilePaths() throws -> [(name: String, path: String)] {
        if specFiles.isEmpty {
            let directory = Self.defaultSpecsDirectory(forRules: rulesOptions.directory)
            guard Self.isDirectory(directory) else {
                throw CommandFailure.usage(
                    "no spec files given and no specs directory at \(directory) (next to the rules directory); "
                        + "name spec files, as in tally test --rules \(rulesOptions.directory) my_spec.lua")
            }
            let files = Self.luaFiles(in: directory)
            guard !files.isEmpty else {
                throw CommandFailure.usage("no *.lua spec files in \(directory)")
            }
            return files
        }
        var files: [(name: String, path: String)] = []
        for argument in specFiles {
            if Self.isDirectory(argument) {
                let found = Self.luaFiles(in: argument)
                guard !found.isEmpty else { throw CommandFailure.usage("no *.lua spec files in \(argument)") }
                files += found
            } else {
                files.append((argument, argument))
            }
        }
        return files
    }

    /// `examples/specs` for `examples/rules`: the sibling `specs` of the rules directory.
    static func defaultSpecsDirectory(forRules rules: String) -> String {
        var path = rules
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        let last = path.split(separator: "/").last.map(String.init) ?? path
        if last == "." || last == ".." || path == "/" {
            return URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent()
                .appendingPathComponent("specs").path
        }
        guard let slash = path.lastIndex(of: "/") else { return "specs" }
        return String(path[...slash]) + "specs"
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// The `*.lua` files below `directory` (subdirectories included), sorted by path, named
    /// `directory/relative/path.lua`.
    static func luaFiles(in directory: String) -> [(name: String, path: String)] {
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        var displayRoot = directory
        while displayRoot.count > 1 && displayRoot.hasSuffix("/") { displayRoot.removeLast() }
        var files: [(name: String, path: String)] = []
        for case let url as URL in enumerator where url.pathExtension == "lua" && !isDirectory(url.path) {
            let relative = url.standardizedFileURL.path.dropFirst(root.path.count + 1)
            files.append((displayRoot + "/" + relative, url.path))
        }
        return files.sorted { $0.name < $1.name }
    }
}
