import Foundation
@testable import TallyCore

/// Runs a ``RuleFuzzCase`` through the plain engine and the fast one and compares their whole
/// JSON reports, in four ways: one run; the stream split in two runs with the state saved
/// and restored in between (as `--state` does); a reload of the same rules in the middle; and
/// in batches with the long-running modes' advance after each.
/// The plain engine defines the right answer.
enum DifferentialRunner {
    /// How a stream is fed to an engine.
    enum Mode: String, CaseIterable {
        case oneRun = "one run"
        case splitWithState = "split in two runs with --state"
        case reloadInTheMiddle = "reload in the middle"
        /// As `watch` and `serve` run: batches, each followed by ``Engine/advance()``, which
        /// closes the sessions the stream's time has passed and re-evaluates experiments (their
        /// post-test actions included).
        case longRunning = "long-running, advancing after each batch"
    }

    /// Where the fast engine's report first differs from the plain engine's.
    struct Difference: CustomStringConvertible {
        var mode: Mode
        var plain: String
        var fast: String

        var description: String {
            let plainLines = plain.split(separator: "\n", omittingEmptySubsequences: false)
            let fastLines = fast.split(separator: "\n", omittingEmptySubsequences: false)
            let first = Array(zip(plainLines, fastLines)).firstIndex { $0 != $1 } ?? min(plainLines.count, fastLines.count)
            let context = max(0, first - 3)
            func excerpt(_ lines: [Substring]) -> String {
                lines[context..<min(lines.count, first + 2)].joined(separator: "\n")
            }
            return "\(mode.rawValue): the reports differ at line \(first + 1)\n"
                + "plain:\n\(excerpt(plainLines))\nfast:\n\(excerpt(fastLines))"
        }
    }

    enum Failure: Error, CustomStringConvertible {
        case rulesDoNotLoad(RuleError, source: String)
        case snapshot(String)

        var description: String {
            switch self {
            case .rulesDoNotLoad(let error, let source): return "the generated rules do not load: \(error)\n\(source)"
            case .snapshot(let message): return "the state could not be saved or restored: \(message)"
            }
        }
    }

    /// The first mode in which the fast engine's report differs from the plain engine's, if any.
    static func firstDifference(in fuzzCase: RuleFuzzCase, cut: Int) throws -> Difference? {
        for mode in Mode.allCases {
            let plain = try report(of: fuzzCase, mode: mode, cut: cut, plain: true)
            let fast = try report(of: fuzzCase, mode: mode, cut: cut, plain: false)
            if plain != fast { return Difference(mode: mode, plain: plain, fast: fast) }
        }
        return nil
    }

    /// The JSON report of `fuzzCase` fed in `mode`, cutting the stream before event `cut`.
    static func report(of fuzzCase: RuleFuzzCase, mode: Mode, cut: Int, plain: Bool) throws -> String {
        let lines = fuzzCase.events
        let cut = min(cut, lines.count)
        let engine = Engine(rules: try rules(fuzzCase), plain: plain)
        switch mode {
        case .oneRun:
            feed(lines[...], from: 1, to: engine)
            return ReportJSON.render(engine.finish())
        case .splitWithState:
            feed(lines[..<cut], from: 1, to: engine)
            let restored = Engine(rules: try rules(fuzzCase), plain: plain)
            do {
                let bytes = try DurableEngine.encode(engine.snapshot())
                let notes = restored.restore(try DurableEngine.decode(bytes, encoding: DurableEngine.snapshotEncoding))
                guard notes.isEmpty else { throw Failure.snapshot(notes.joined(separator: "; ")) }
            } catch let failure as Failure {
                throw failure
            } catch {
                throw Failure.snapshot("\(error)")
            }
            feed(lines[cut...], from: cut + 1, to: restored)
            return ReportJSON.render(restored.finish())
        case .reloadInTheMiddle:
            feed(lines[..<cut], from: 1, to: engine)
            engine.reload(try rules(fuzzCase))
            feed(lines[cut...], from: cut + 1, to: engine)
            return ReportJSON.render(engine.finish())
        case .longRunning:
            let batch = max(1, cut % 97 + 1)
            var start = 0
            while start < lines.count {
                let end = min(start + batch, lines.count)
                feed(lines[start..<end], from: start + 1, to: engine)
                engine.advance()
                start = end
            }
            return ReportJSON.render(engine.finish())
        }
    }

    private static func rules(_ fuzzCase: RuleFuzzCase) throws -> RuleSet {
        do {
            return try RuleLoader().load(sources: [("rules/fuzz.lua", fuzzCase.ruleSource)])
        } catch {
            throw Failure.rulesDoNotLoad(error, source: fuzzCase.ruleSource)
        }
    }

    /// Feeds lines numbered from `firstLine` as one batch, the way `run` and `--state` read a file.
    private static func feed(_ lines: ArraySlice<String>, from firstLine: Int, to engine: Engine) {
        guard !lines.isEmpty else { return }
        var parser = EventParser()
        var bytes = Array(lines.joined(separator: "\n").utf8)
        bytes.append(UInt8(ascii: "\n"))
        _ = bytes.withUnsafeBytes { buffer in
            engine.ingest(lines: buffer, firstLine: firstLine, parser: &parser, onReject: { _ in })
        }
    }

    /// Where a seed's stream is cut for the split and reload modes.
    static func cut(for seed: UInt64, in fuzzCase: RuleFuzzCase) -> Int {
        var random = FuzzRandom(seed: seed ^ 0x5EED)
        return random.int(0...fuzzCase.events.count)
    }

    /// A smaller case that still differs: declarations, then runs of events, are dropped while
    /// the difference stays (greedy; the first declaration, `settings`, stays).
    /// `differs` says whether a candidate (with its cut) still shows the difference.
    static func minimise(_ fuzzCase: RuleFuzzCase, cut: Int,
                         differs: (RuleFuzzCase, Int) -> Bool = { ((try? firstDifference(in: $0, cut: $1)) ?? nil) != nil })
        -> (RuleFuzzCase, cut: Int)
    {
        var best = fuzzCase
        var bestCut = cut
        var index = best.declarations.count - 1
        while index >= 1 {
            var candidate = best
            candidate.declarations.remove(at: index)
            if differs(candidate, bestCut) { best = candidate }
            index -= 1
        }
        var chunk = max(1, best.events.count / 2)
        while chunk >= 1 {
            var start = 0
            while start < best.events.count {
                var candidate = best
                let end = min(start + chunk, candidate.events.count)
                candidate.events.removeSubrange(start..<end)
                let candidateCut = bestCut <= start ? bestCut : max(start, bestCut - (end - start))
                if differs(candidate, candidateCut) {
                    best = candidate
                    bestCut = candidateCut
                } else {
                    start += chunk
                }
            }
            chunk /= 2
        }
        return (best, bestCut)
    }
}
