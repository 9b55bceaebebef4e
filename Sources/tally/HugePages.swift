#if canImport(Glibc)
import Glibc
#endif

/// Transparent huge pages for the heap of the commands that hold many guests.
///
/// With 100,000 guests the engine reads its per-guest tables (and the Lua VM its heap) at random
/// places: on 4 KiB pages nearly every event misses the TLB, and growing the tables costs a page
/// fault per 4 KiB. glibc backs its heap with transparent huge pages when the tunable
/// `glibc.malloc.hugetlb=1` asks it to, but reads tunables only when a process starts. So
/// `tally run`, `watch` and `serve` re-execute themselves once, first thing, with it added to
/// `GLIBC_TUNABLES`: 1,000,000 events take 7–8% less time (README, "Benchmarks").
///
/// Nothing happens when `GLIBC_TUNABLES` already names `glibc.malloc.hugetlb` (set it to `0` to
/// opt out), when the kernel's huge pages are not `madvise` (`always` needs no asking, `never`
/// cannot be asked), or when the re-execution fails (the command then runs as it is).
enum HugePages {
    /// The tunable added to `GLIBC_TUNABLES`.
    static let tunable = "glibc.malloc.hugetlb=1"
    /// Where the kernel says when it gives transparent huge pages.
    static let kernelSetting = "/sys/kernel/mm/transparent_hugepage/enabled"
    /// The subcommands that re-execute (the ones that ingest events).
    static let commands: Set<String> = ["run", "watch", "serve"]

    /// The `GLIBC_TUNABLES` value to re-execute `command` with, or nil to run as is. `current`
    /// is the variable's value, `kernelMode` the contents of ``kernelSetting``.
    static func tunables(for command: String?, current: String?, kernelMode: String?) -> String? {
        guard let command, commands.contains(command), let kernelMode, kernelMode.contains("[madvise]") else {
            return nil
        }
        guard let current, !current.isEmpty else { return tunable }
        if current.contains("glibc.malloc.hugetlb") { return nil }
        return current + ":" + tunable
    }

    /// Set in the environment of the re-executed process, and removed by it: a process that
    /// finds it never re-executes again, whatever glibc made of `GLIBC_TUNABLES`.
    static let marker = "TALLY_REEXECUTED_FOR_HUGE_PAGES"

    /// Re-executes this process with huge pages asked for, when ``tunables(for:current:kernelMode:)``
    /// says so; returns only when it does not (or the re-execution failed).
    static func reexecuteIfWorthwhile() {
        #if os(Linux)
        if getenv(marker) != nil {
            unsetenv(marker)
            return
        }
        let arguments = CommandLine.arguments
        let current = getenv("GLIBC_TUNABLES").map { String(cString: $0) }
        guard let value = tunables(for: arguments.dropFirst().first, current: current, kernelMode: readKernelMode())
        else { return }
        setenv("GLIBC_TUNABLES", value, 1)
        setenv(marker, "1", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Still here: the re-execution failed. Go on as started.
        unsetenv(marker)
        if let current { setenv("GLIBC_TUNABLES", current, 1) } else { unsetenv("GLIBC_TUNABLES") }
        #endif
    }

    /// The first bytes of ``kernelSetting``, or nil when it cannot be read.
    private static func readKernelMode() -> String? {
        #if os(Linux)
        let descriptor = open(kernelSetting, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count], as: UTF8.self)
        #else
        return nil
        #endif
    }
}
