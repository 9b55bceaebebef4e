import Foundation
import LuaKit

/// Runs specs against a rules directory: every spec on a fresh ``Engine`` over a fresh rules VM
/// (loaded from the same sources), its events through ``EventParser`` exactly like `tally run`'s
/// input, then compares each expectation with the finished report and the guests' profiles.
public final class SpecRunner {
    /// The rule files, read once.
    private let sources: [(name: String, source: String)]
    /// The rules as loaded once, to check the ids specs refer to.
    public let rules: RuleSet

    /// Reads and loads the rules below `directory` (a load error names the file and line).
    public convenience init(rulesDirectory directory: String) throws(RuleError) {
        var sources: [(name: String, source: String)] = []
        for file in try RuleLoader.ruleFiles(in: directory) {
            guard let data = FileManager.default.contents(atPath: file.path),
                  let source = String(data: data, encoding: .utf8) else {
                throw RuleError(message: "cannot read rule file \(file.name) (is it UTF-8 text?)")
            }
            sources.append((file.name, source))
        }
        try self.init(ruleSources: sources)
    }

    /// Loads rule files given as (name, source), in the given order.
    public init(ruleSources: [(name: String, source: String)]) throws(RuleError) {
        sources = ruleSources
        rules = try RuleLoader().load(sources: ruleSources)
    }

    // MARK: Checking

    /// Checks that every goal, outcome, group, experiment, variant and experiment goal a spec
    /// names is declared by the rules; a typo would otherwise never match.
    public func check(_ spec: RuleSpec) throws(SpecError) {
        for expectation in spec.expectations {
            if let problem = unknownReference(in: expectation.subject) {
                throw SpecError(message: "spec \"\(spec.name)\": expect.\(expectation.path): \(problem)",
                                position: spec.position)
            }
        }
    }

    private func unknownReference(in subject: SpecSubject) -> String? {
        let goals = rules.goals.map(\.id)
        let outcomes = rules.outcomes.map(\.id)
        let experiments = rules.experiments.map(\.id)
        switch subject {
        case .goal(let id, _), .guest(_, .goal(let id)): return unknown("goal", id, among: goals)
        case .outcome(let id, _), .guest(_, .outcome(let id)): return unknown("outcome", id, among: outcomes)
        case .outcomeGroup(let name, _):
            return unknown("outcome group", name, among: uniqued(rules.outcomes.compactMap(\.group)))
        case .ruleErrors(let rule?):
            let metrics = rules.experiments.flatMap { experiment in experiment.metrics.map { "\(experiment.id)/\($0.id)" } }
            return unknown("rule", rule, among: goals + outcomes + experiments + metrics)
        case .guest(_, .experiment(let id)): return unknown("experiment", id, among: experiments)
        case .experiment(let id, let figure):
            guard let experiment = rules.experiments.first(where: { $0.id.hasSameBytes(as: id) }) else {
                return unknown("experiment", id, among: experiments)
            }
            guard case .exposed(let variant) = figure else { return nil }
            return unknown("variant", variant, in: "experiment \"\(id)\"", among: experiment.variants.map(\.id))
        case .variant(let id, let goal, let variant, _):
            guard let experiment = rules.experiments.first(where: { $0.id.hasSameBytes(as: id) }) else {
                return unknown("experiment", id, among: experiments)
            }
            return unknown("goal", goal, in: "experiment \"\(id)\"", among: experiment.metrics.map(\.id))
                ?? unknown("variant", variant, in: "experiment \"\(id)\"", among: experiment.variants.map(\.id))
        default: return nil
        }
    }

    /// `no goal "x" in the rules (declared: a, b)`, or nil when `id` is among `ids`.
    private func unknown(_ kind: String, _ id: String, in scope: String = "the rules", among ids: [String]) -> String? {
        guard !ids.contains(where: { $0.hasSameBytes(as: id) }) else { return nil }
        let known = ids.isEmpty ? "none declared" : "declared: " + ids.joined(separator: ", ")
        return "no \(kind) \"\(id)\" in \(scope) (\(known))"
    }

    private func uniqued(_ names: [String]) -> [String] {
        var seen = Set<ByteString>()
        return names.filter { seen.insert(ByteString($0)).inserted }
    }

    // MARK: Running

    /// Runs one spec on a fresh engine and compares every expectation.
    public func run(_ spec: RuleSpec) throws(RuleError) -> SpecResult {
        let engine = Engine(rules: try RuleLoader().load(sources: sources), sessionTimeout: spec.sessionTimeout)
        var rejections: [String] = []
        var parser = EventParser()
        for event in spec.events {
            switch event {
            case .line(let json, let label):
                var text = json
                let result = text.withUTF8 { parser.parse(UnsafeRawBufferPointer($0), line: 1) }
                feed(result, label: label, to: engine, rejections: &rejections)
            case .text(let text):
                // The same splitting as a file: numbered lines, `\r` stripped, blank lines skipped.
                let reader = EventIntake(name: "events")
                func consume(_ line: EventIntake.Line) {
                    feed(parser.parse(line), label: "events line \(line.number)", to: engine, rejections: &rejections)
                }
                var bytes = text
                bytes.withUTF8 { reader.consume(UnsafeRawBufferPointer($0), consume) }
                reader.finish(consume)
            }
        }
        let report = engine.finish()
        let failures = spec.expectations.compactMap { expectation -> SpecFailure? in
            let actual = value(of: expectation.subject, in: report, engine: engine)
            guard !expectation.expected.matches(actual) else { return nil }
            return SpecFailure(path: expectation.path, expected: expectation.expected, actual: actual,
                               detail: detail(for: expectation.subject, report: report, rejections: rejections))
        }
        return SpecResult(name: spec.name, position: spec.position, failures: failures)
    }

    private func feed(_ result: Result<Event, EventRejection>, label: String, to engine: Engine,
                      rejections: inout [String]) {
        switch result {
        case .success(let event):
            if let rejection = engine.ingest(event) { rejections.append("\(label): \(rejection.reason)") }
        case .failure(let rejection):
            engine.countRejected()
            rejections.append("\(label): \(rejection.reason)")
        }
    }

    /// Why a count is what it is, shown after a failing `rejected` or `rule_errors`.
    private func detail(for subject: SpecSubject, report: Report, rejections: [String]) -> String? {
        switch subject {
        case .rejected where !rejections.isEmpty:
            return Self.firstFew(rejections)
        case .ruleErrors(let rule) where !report.ruleErrors.isEmpty:
            let errors = report.ruleErrors.filter { rule == nil || $0.rule.hasSameBytes(as: rule!) }
            guard !errors.isEmpty else { return nil }
            return Self.firstFew(errors.map { "rule \"\($0.rule)\" at \($0.file):\($0.line): \($0.message) ×\($0.count)" })
        default:
            return nil
        }
    }

    private static func firstFew(_ items: [String]) -> String {
        items.prefix(3).joined(separator: "; ") + (items.count > 3 ? "; and \(items.count - 3) more" : "")
    }

    /// The figure an expectation reads, from the finished report or a guest's profile.
    private func value(of subject: SpecSubject, in report: Report, engine: Engine) -> SpecValue {
        func count(_ number: Int) -> SpecValue { .number(Double(number)) }
        func optional(_ text: String?) -> SpecValue { text.map { .string($0) } ?? .null }
        switch subject {
        case .accepted: return count(report.events.accepted)
        case .rejected: return count(report.events.rejected)
        case .outOfOrder: return count(report.events.outOfOrder)
        case .guestCount: return count(report.guests.count)
        case .sessionCount: return count(report.sessions.count)
        case .totalPoints: return .number(report.guests.points)
        case .ruleErrors(let rule):
            return count(report.ruleErrors.filter { rule == nil || $0.rule.hasSameBytes(as: rule!) }.reduce(0) { $0 + $1.count })
        case .goal(let id, let figure):
            guard let goal = report.goals.first(where: { $0.id.hasSameBytes(as: id) }) else { return .missing("no goal \"\(id)\"") }
            switch figure {
            case .reached: return count(goal.reached)
            case .guests: return count(goal.guests)
            case .points: return .number(goal.points)
            }
        case .outcome(let id, let figure):
            guard let outcome = report.outcomes.first(where: { $0.id.hasSameBytes(as: id) }) else {
                return .missing("no outcome \"\(id)\"")
            }
            switch figure {
            case .reached: return count(outcome.reached)
            case .guests: return count(outcome.guests)
            case .value: return .number(outcome.value)
            }
        case .outcomeGroup(let name, let figure):
            // A group nobody reached yet is still declared: its figures are 0.
            let group = report.outcomeGroups.first { $0.group.hasSameBytes(as: name) }
            switch figure {
            case .guests: return count(group?.guests ?? 0)
            case .value: return .number(group?.value ?? 0)
            }
        case .counter(let name):
            return .number(report.counters.first { $0.name.hasSameBytes(as: name) }?.value ?? 0)
        case .guest(let id, let figure):
            guard let profile = engine.profile(ofGuest: id) else { return .missing("no guest \"\(id)\" in the events") }
            switch figure {
            case .points: return .number(profile.points)
            case .sessions: return count(profile.sessions)
            case .goal(let goal): return count(profile.goals.first { $0.id.hasSameBytes(as: goal) }?.times ?? 0)
            case .outcome(let outcome): return .boolean(profile.outcomes.contains { $0.hasSameBytes(as: outcome) })
            case .experiment(let experiment):
                return optional(profile.experiments.first { $0.experiment.hasSameBytes(as: experiment) }?.variant)
            case .data(let key):
                switch profile.data.first(where: { $0.key.hasSameBytes(as: key) })?.value {
                case nil: return .missing("nil")
                case .string(let text): return .string(text)
                case .integer(let number): return .number(Double(number))
                case .number(let number): return .number(number)
                case .boolean(let flag): return .boolean(flag)
                }
            }
        case .experiment(let id, let figure):
            guard let experiment = report.experiments.first(where: { $0.id.hasSameBytes(as: id) }) else {
                return .missing("no experiment \"\(id)\"")
            }
            switch figure {
            case .status: return .string(experiment.status)
            case .winner: return optional(experiment.winner)
            case .leading: return optional(experiment.leading)
            case .action: return optional(experiment.action)
            case .multipleExposures: return count(experiment.multipleExposures)
            case .srm: return experiment.srm.map { .boolean($0) } ?? .null
            case .exposed(let variant):
                guard let exposed = experiment.exposed.first(where: { $0.variant.hasSameBytes(as: variant) }) else {
                    return .missing("no variant \"\(variant)\"")
                }
                return count(exposed.guests)
            }
        case .variant(let id, let goalID, let variantID, let figure):
            guard let goal = report.experiments.first(where: { $0.id.hasSameBytes(as: id) })?.goals.first(where: { $0.id.hasSameBytes(as: goalID) }),
                  let variant = goal.variants.first(where: { $0.id.hasSameBytes(as: variantID) }) else {
                return .missing("no variant \"\(variantID)\" in goal \"\(goalID)\" of experiment \"\(id)\"")
            }
            switch figure {
            case .units: return count(variant.units)
            case .totals: return .number(variant.total)
            case .means: return variant.mean.map { .number($0) } ?? .null
            case .guests: return count(variant.guests)
            }
        }
    }
}
