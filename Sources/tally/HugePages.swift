import CHeap
import Foundation

/// Transparent huge pages for the heap of the commands that hold many guests.
///
/// With 100,000 guests the engine reads its per-guest tables (and the Lua VM its heap) at
/// random places: on 4 KiB pages nearly every event misses the TLB, and growing the tables costs
/// a page fault per 4 KiB. So `tally run`, `watch` and `serve` first reserve 256 MiB of heap
/// address space, advise the kernel to back it with huge pages, and keep large blocks on the
/// heap (`tally_heap_prefer_huge_pages`). Nothing of it is resident until used. 1,000,000
/// events take 6–9% less time (README, "Benchmarks").
///
/// Nothing happens for other commands, when the kernel gives no huge pages (`never`), or when
/// `TALLY_HUGE_PAGES=0` is set.
enum HugePages {
    /// The heap address space reserved for huge pages.
    static let reserve = 256 << 20
    /// Where the kernel says when it gives transparent huge pages.
    static let kernelSetting = "/sys/kernel/mm/transparent_hugepage/enabled"
    /// The subcommands that ask (the ones that ingest events).
    static let commands: Set<String> = ["run", "watch", "serve"]

    /// True when `command` should ask for huge pages: `kernelMode` is the contents of
    /// ``kernelSetting``, `optOut` the value of `TALLY_HUGE_PAGES`.
    static func shouldAsk(command: String?, kernelMode: String?, optOut: String?) -> Bool {
        guard let command, commands.contains(command), optOut != "0", let kernelMode else { return false }
        return kernelMode.contains("[madvise]") || kernelMode.contains("[always]")
    }

    /// Prepares the heap when ``shouldAsk(command:kernelMode:optOut:)`` says so. Call first
    /// thing, before the command allocates its tables.
    static func prepareHeapIfWorthwhile() {
        let kernelMode = try? String(contentsOfFile: kernelSetting, encoding: .utf8)
        let optOut = ProcessInfo.processInfo.environment["TALLY_HUGE_PAGES"]
        guard shouldAsk(command: CommandLine.arguments.dropFirst().first, kernelMode: kernelMode, optOut: optOut)
        else { return }
        _ = tally_heap_prefer_huge_pages(reserve)
    }
}
