import Foundation
import TallyCore

#if canImport(Glibc)
import Glibc
#endif

/// Hot-reload latency: 50 rule files in a temporary directory, a `RuleWatcher` and an engine
/// holding 1,000 guests. Twenty times, one file is saved the way editors do (a temporary file
/// renamed over it) and the clock runs until the new rules are active: inotify wakes the
/// watcher, `settle` waits out the quiet period, `reloadRules` loads all 50 files in a fresh VM
/// and swaps them in. Prints the median total and its parts, for a 50 ms and the default
/// 100 ms quiet period.
func runReloadBenchmark() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("tally-reload-bench-\(getpid())")
    try? FileManager.default.removeItem(at: root)
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: root) }
    for index in 0..<50 { try ruleFile(index, points: 1).write(to: root.appendingPathComponent(name(index)), atomically: false, encoding: .utf8) }

    let watcher = try RuleWatcher(directory: root.path)
    let engine = Engine(rules: try RuleLoader().load(directory: root.path))
    var parser = EventParser()
    for serial in 0..<10_000 {
        var line = "{\"type\":\"VIEW\",\"guest\":\"g\(serial % 1000)\",\"ts\":\(1_700_000_000_000 + serial * 1000),\"page\":\"/p\(serial % 50)\"}"
        if case .success(let event) = line.withUTF8({ parser.parse(UnsafeRawBufferPointer($0), line: serial + 1) }) {
            engine.ingest(event)
        }
    }

    var save = 0
    for quiet in [50, 100] {
        var totals: [Double] = [], notices: [Double] = [], settles: [Double] = [], loads: [Double] = []
        for _ in 0..<20 {
            save += 1
            let index = (save * 7) % 50
            let points = 100 + save
            let path = root.appendingPathComponent(name(index)).path
            let start = ContinuousClock.now
            try ruleFile(index, points: points).write(toFile: path + ".tmp", atomically: false, encoding: .utf8)
            guard rename(path + ".tmp", path) == 0 else { throw BenchmarkError("rename failed: errno \(errno)") }

            var noticed = false
            while !noticed {
                var entry = pollfd(fd: watcher.fileDescriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&entry, 1, 5000) > 0 else { throw BenchmarkError("no inotify event within 5 s") }
                noticed = watcher.drain()
            }
            let notice = ContinuousClock.now
            watcher.settle(quietMilliseconds: quiet)
            let settled = ContinuousClock.now
            let notes = try reloadRules(into: engine, directory: root.path).get()
            let done = ContinuousClock.now
            guard notes.isEmpty,
                  case .constant(let active)? = engine.rules.goals.first(where: { $0.id == goalID(index) })?.points,
                  active == Double(points)
            else { throw BenchmarkError("the saved rules are not active after the reload") }

            totals.append(milliseconds(done - start))
            notices.append(milliseconds(notice - start))
            settles.append(milliseconds(settled - notice))
            loads.append(milliseconds(done - settled))
        }
        print("reload: quiet \(quiet) ms: median \(format(median(totals))) ms from save to active rules "
            + "(inotify \(format(median(notices))) ms, settle \(format(median(settles))) ms, "
            + "load 50 files + swap \(format(median(loads))) ms; 20 saves)")
    }
}

private struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

private func name(_ index: Int) -> String { "rules_\(index < 10 ? "0" : "")\(index).lua" }

private func goalID(_ index: Int) -> String { "goal_\(index)" }

/// A rule file of typical size: two goals (one with a `where` function) and an outcome; the
/// first file also holds an experiment.
private func ruleFile(_ index: Int, points: Int) -> String {
    var text = """
        -- Rule file \(index) of the reload benchmark.
        goal "\(goalID(index))" { name = "Goal \(index)", on = "VIEW", where = { page = "/p\(index)" }, points = \(points) }

        goal "form_\(index)" {
          on = "FORM",
          where = function(e, guest)
            guest.data.last_form = e.form
            return e.form == "form_\(index)" and (e.step or 0) >= 2
          end,
          points = 5, count = "session",
        }

        outcome "lead_\(index)" {
          group = "Leads",
          when = function(guest) return (guest.goals["form_\(index)"] or 0) > 0 and guest.points >= 20 end,
          value = 50,
        }

        """
    if index == 0 {
        text += """
            experiment "checkout" {
              variants = { "control", "one_page" },
              goals = { conversion_rate { id = "orders", on = "CONFIRM" }, revenue { per = "session" } },
            }

            """
    }
    return text
}

private func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) * 1e-15
}

private func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

private func format(_ value: Double) -> String {
    String(format: "%.1f", value)
}
