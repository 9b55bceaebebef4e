import Foundation
import Testing

@testable import tally

/// `run`, `watch` and `serve` reserve heap address space for huge pages before they start (see
/// `HugePages`); other commands, a kernel without them and `TALLY_HUGE_PAGES=0` leave it.
@Suite struct HugePagesTests {
    static let madvise = "always [madvise] never\n"

    @Test func eventCommandsAskWhenTheKernelGivesHugePages() {
        for command in ["run", "watch", "serve"] {
            #expect(HugePages.shouldAsk(command: command, kernelMode: Self.madvise, optOut: nil))
            #expect(HugePages.shouldAsk(command: command, kernelMode: "[always] madvise never\n", optOut: "1"))
        }
    }

    @Test func nothingIsAskedOtherwise() {
        for command in ["check", "test", "repl", "significance", "sample-size", "--version", nil] {
            #expect(!HugePages.shouldAsk(command: command, kernelMode: Self.madvise, optOut: nil))
        }
        #expect(!HugePages.shouldAsk(command: "run", kernelMode: Self.madvise, optOut: "0"))
        for mode in ["always madvise [never]\n", "", nil] {
            #expect(!HugePages.shouldAsk(command: "run", kernelMode: mode, optOut: nil))
        }
    }

    /// A running `tally watch` has the reserved range advised (at least 128 MiB of it: the
    /// heap's start is rounded to a huge page), or nothing when it should not ask.
    @Test(arguments: [nil, "0"])
    func watchAdvisesItsHeap(optOut: String?) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("rules/goals.lua", "goal \"view\" { on = \"VIEW\", points = 1 }\n")
        let rules = dir.path("rules")
        var environment = ProcessInfo.processInfo.environment
        environment["TALLY_HUGE_PAGES"] = optOut
        let tally = try LiveTallyProcess(["watch", "--rules", rules, "--format", "json"], environment: environment)
        tally.waitForLine { $0.hasPrefix("tally: watching \(rules)") }
        let kernelMode = try? String(contentsOfFile: HugePages.kernelSetting, encoding: .utf8)
        let advised = tally.hugePageAdvisedBytes
        if HugePages.shouldAsk(command: "watch", kernelMode: kernelMode, optOut: optOut) {
            #expect(advised >= 128 << 20 && advised <= HugePages.reserve + (4 << 20))
        } else {
            #expect(advised == 0)
        }
        tally.closeInput()
    }
}
