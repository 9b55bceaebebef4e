import TallyCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ReplSession {
    /// The commands, for `:help` (and docs/repl.md).
    static let help = """
        Each line is an event, a command or Lua:
          {"type":"VIEW","guest":"g1","ts":0}   an event (JSON): ingested, and what it did is printed
          :guest ID        the guest's profile: points, sessions, goals, outcomes, data, experiments
          :report [json]   the report as of now, as a table or JSON
          :rules           the goals, outcomes and experiments of the current rules
          :reload          reload the rules directory (on an error the old rules stay)
          :load FILE       ingest a file of events (JSON Lines) and print a summary
          :help            this list
          :quit            end the session (so does end of input)
          anything else    Lua, in the rules' sandbox: an expression prints its values, a
                           statement runs; globals persist (until a reload); guest("g1") is a
                           snapshot of a profile, goals/outcomes/experiments the declarations
        """

    /// Runs a `:command` line.
    func command(_ line: String) {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let name = words.first ?? ":"
        let arguments = Array(words.dropFirst())
        switch name {
        case ":help", ":h", ":?":
            sayText(Self.help)
        case ":quit", ":q", ":exit":
            end()
        case ":guest":
            guest(arguments)
        case ":report":
            report(arguments)
        case ":rules":
            guard arguments.isEmpty else { return fail(":rules takes no arguments") }
            sayText(RuleListing.render(engine.rules))
        case ":reload":
            guard arguments.isEmpty else { return fail(":reload takes no arguments") }
            reload()
        case ":load":
            load(line)
        default:
            fail("unknown command \"\(ReplText.oneLine(name))\" (:help lists the commands)")
        }
    }

    private func guest(_ arguments: [String]) {
        guard arguments.count == 1 else { return fail(":guest takes one guest id, e.g. :guest g1") }
        guard let profile = engine.profile(ofGuest: arguments[0]) else {
            return fail("no guest \"\(arguments[0])\"")
        }
        say(ProfileText.lines(profile))
    }

    private func report(_ arguments: [String]) {
        switch arguments {
        case []: sayText(ReportTable.render(engine.report()))
        case ["json"]: sayText(ReportJSON.render(engine.report()))
        case ["table"]: sayText(ReportTable.render(engine.report()))
        default: fail(":report takes json, table or nothing")
        }
    }

    // MARK: Reload

    /// Reloads the rules directory in a fresh VM and swaps it in (between two lines). On an
    /// error the old rules stay and the error (file:line) is printed; it fails the session only
    /// for `:reload` (`byCommand`), not for a reload the rules watcher started. Returns whether
    /// the new rules are in place.
    @discardableResult
    func reload(byCommand: Bool = true) -> Bool {
        switch TallyCore.reloadRules(into: engine, directory: rulesDirectory) {
        case .success(let notes):
            for note in notes { warn(note) }
            if let durable {
                do {
                    try durable.reloaded(rulesHash: RulesDigest.contentHash(directory: rulesDirectory))
                } catch {
                    stateFailed(error)
                    return false
                }
            }
            say(["rules reloaded"])
            return true
        case .failure(let error):
            let message = "\(ReplText.oneLine(error.description)) (the old rules stay)"
            if byCommand { fail(message) } else { output.err("error: \(message)\n") }
            return false
        }
    }

    // MARK: Load

    /// `:load FILE`: ingests a file of events without traces; prints each rejected line as
    /// `FILE:LINE: reason` and a summary. Rejected lines make the command fail.
    private func load(_ line: String) {
        // The path is the rest of the line, so it may contain spaces.
        let path = String(line.dropFirst(":load".count).drop { $0 == " " || $0 == "\t" })
            .trimmingSuffix { $0 == " " || $0 == "\t" }
        guard !path.isEmpty else { return fail(":load takes a file of events, e.g. :load events.jsonl") }
        let reader: EventIntake
        do {
            reader = try EventIntake(path: path)
        } catch let error as EventIntake.ReadError {
            return fail(CommandFailure.input(error).message)
        } catch {
            return fail("\(error)")
        }
        engine.tracing = false
        defer { engine.tracing = true }
        if let durable { return durableLoad(reader, path: path, durable: durable) }
        var accepted = 0
        var rejected = 0  // also when the read fails half-way
        do {
            accepted = try reader.readAll(into: EventPipeline(engine: engine), parser: &parser) {
                rejected += 1
                output.err($0.description(file: path) + "\n")
            }.accepted
        } catch let error as EventIntake.ReadError {
            fail(CommandFailure.input(error).message)
        } catch {
            fail("\(error)")
        }
        let summary = "loaded \(path): \(ProfileText.count(accepted, "event")) accepted, \(rejected) rejected"
        say([summary] + engine.advance().map(TraceText.statusChange))
        if rejected > 0 { markFailed() }
    }
}

extension ReplSession {
    /// `:load FILE` with `--state`: the whole file is one journaled batch (as lines, so loading a
    /// file twice counts it twice, as without a state).
    fileprivate func durableLoad(_ reader: EventIntake, path: String, durable: DurableEngine) {
        var bytes: [UInt8] = []
        do {
            let batches = EventIntake(batchesOf: reader.fileDescriptor, name: path, batchBytes: 1 << 16, stripsBOM: true)
            try batches.readAllBatches { lines, _ in bytes += lines }
        } catch let error as EventIntake.ReadError {
            return fail(CommandFailure.input(error).message)
        } catch {
            return fail("\(error)")
        }
        let counts: Engine.BatchCounts
        var changes: [Report.ExperimentSummary] = []
        do {
            counts = try durable.apply(lines: bytes, input: path, firstLine: 1, advance: true, onReject: {
                output.err($0.description(file: path) + "\n")
            }, onAdvance: { changes = $0 })
        } catch {
            return stateFailed(error)
        }
        let summary = "loaded \(path): \(ProfileText.count(counts.accepted, "event")) accepted, \(counts.rejected) rejected"
        say([summary] + changes.map(TraceText.statusChange))
        if counts.rejected > 0 { markFailed() }
    }
}

extension String {
    /// The string without its trailing characters that satisfy `predicate`.
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> String {
        var text = self
        while let last = text.last, predicate(last) { text.removeLast() }
        return text
    }
}
