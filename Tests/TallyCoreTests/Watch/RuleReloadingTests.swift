import Foundation
import Testing
@testable import TallyCore

/// `reloadRules(into:directory:)`: a good directory swaps in; a broken one leaves the engine's
/// rules as they were and names the file and line.
@Suite struct RuleReloadingTests {
    @Test func reloadSwapsInTheNewRulesOrKeepsThePreviousOnes() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tally-reload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("main.lua")
        try Data("goal \"view\" { on = \"VIEW\", points = 1 }\n".utf8).write(to: file)
        let engine = Engine(rules: try RuleLoader().load(directory: root.path))
        var parser = EventParser()
        func feed(_ line: String) {
            var text = line
            if case .success(let event) = text.withUTF8({ parser.parse(UnsafeRawBufferPointer($0), line: 1) }) {
                engine.ingest(event)
            }
        }
        feed(event("VIEW", "g1", 0))

        try Data("goal \"view\" { on = \"VIEW\", points = 5 }\ngoal \"form\" { on = \"FORM\" }\n".utf8).write(to: file)
        #expect(try reloadRules(into: engine, directory: root.path).get() == [])
        #expect(engine.rules.goals.map(\.id) == ["view", "form"])
        feed(event("VIEW", "g1", 1))

        try Data("goal \"view\" { on = \"VIEW\", points = 7 }\ngoal \"form\" { on = = \"FORM\" }\n".utf8).write(to: file)
        switch reloadRules(into: engine, directory: root.path) {
        case .success: Issue.record("a broken file reloaded")
        case .failure(let error):
            #expect(error.description.hasPrefix("\(root.path)/main.lua:2: "), "\(error)")
        }
        #expect(engine.rules.goals.map(\.id) == ["view", "form"], "the previous rules stay")
        feed(event("VIEW", "g1", 2))
        let report = engine.finish()
        #expect(report.goals.map(\.points) == [11, 0], "1, then 5 and 5 again: the broken file's 7 never applied")
    }
}
