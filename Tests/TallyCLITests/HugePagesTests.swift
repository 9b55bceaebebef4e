import Foundation
import Testing

@testable import tally

/// `run`, `watch` and `serve` re-execute themselves once with glibc's huge-page tunable added to
/// `GLIBC_TUNABLES` (see `HugePages`); the user's own setting of it wins.
@Suite struct HugePagesTests {
    static let madvise = "always [madvise] never\n"

    @Test func eventCommandsAskWhenTheKernelGivesHugePagesOnRequest() {
        for command in ["run", "watch", "serve"] {
            #expect(HugePages.tunables(for: command, current: nil, kernelMode: Self.madvise) == "glibc.malloc.hugetlb=1")
            #expect(HugePages.tunables(for: command, current: "", kernelMode: Self.madvise) == "glibc.malloc.hugetlb=1")
        }
        #expect(HugePages.tunables(for: "run", current: "glibc.malloc.arena_max=2", kernelMode: Self.madvise)
            == "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1")
    }

    @Test func nothingChangesOtherwise() {
        // Other commands, and no command.
        for command in ["check", "test", "repl", "significance", "sample-size", "--version", nil] {
            #expect(HugePages.tunables(for: command, current: nil, kernelMode: Self.madvise) == nil)
        }
        // The user chose (including 0, to opt out), or this is the re-executed process.
        for current in ["glibc.malloc.hugetlb=0", "glibc.malloc.hugetlb=1", "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=2"] {
            #expect(HugePages.tunables(for: "run", current: current, kernelMode: Self.madvise) == nil)
        }
        // Huge pages always on (nothing to ask), never on (nothing to get), or unknown.
        for mode in ["[always] madvise never\n", "always madvise [never]\n", nil] {
            #expect(HugePages.tunables(for: "run", current: nil, kernelMode: mode) == nil)
        }
    }

    /// The running process started (was re-executed) with the tunable and the marker that stops
    /// a second re-execution, or as it was when nothing is asked. (`/proc/PID/environ` shows the
    /// environment the process image started with, before it removes the marker; glibc rewrites
    /// a `GLIBC_TUNABLES` of several tunables there, so the appended case is left to the tests
    /// above.)
    @Test(arguments: [nil, "glibc.malloc.hugetlb=0"])
    func watchRunsWithTheTunable(current: String?) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("rules/goals.lua", "goal \"view\" { on = \"VIEW\", points = 1 }\n")
        let rules = dir.path("rules")
        var environment = ProcessInfo.processInfo.environment
        environment["GLIBC_TUNABLES"] = current
        environment[HugePages.marker] = nil
        let tally = try LiveTallyProcess(["watch", "--rules", rules, "--format", "json"], environment: environment)
        tally.waitForLine { $0.hasPrefix("tally: watching \(rules)") }
        let kernelMode = try? String(contentsOfFile: HugePages.kernelSetting, encoding: .utf8)
        let asked = HugePages.tunables(for: "watch", current: current, kernelMode: kernelMode)
        let started = tally.currentEnvironment
        #expect(started["GLIBC_TUNABLES"] == asked ?? current)
        #expect((started[HugePages.marker] != nil) == (asked != nil))
        if current == nil, kernelMode?.contains("[madvise]") == true {
            #expect(started["GLIBC_TUNABLES"] == "glibc.malloc.hugetlb=1")
        }
        tally.closeInput()
    }
}
