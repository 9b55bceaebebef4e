import Foundation
import LuaKit

/// Loads spec files (docs/testing.md): each file runs in a sandboxed VM of its own (LuaKit's
/// ``LuaSandbox``, the same allow-list as rule files) where `spec "name" { ... }` records a
/// ``RuleSpec`` with the file and line of the call. Helpers: `seconds(n)`, `minutes(n)`,
/// `hours(n)`, `days(n)` return milliseconds. Every problem is a ``SpecError`` naming the file
/// and line.
public struct SpecLoader {
    /// Bytes a spec file's VM may hold.
    public var memoryLimit = 256 << 20
    /// Instructions a spec file may execute (generous: files may build events in loops).
    public var instructionBudget = 200_000_000

    public init() {}

    /// Loads the spec file at `path`, named `name` (default: the path) in messages.
    public func load(file path: String, name: String? = nil) throws(SpecError) -> [RuleSpec] {
        let name = name ?? path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw SpecError(kind: .unreadable, message: "cannot read spec file \"\(name)\": no such file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SpecError(kind: .unreadable, message: "cannot read spec file \"\(name)\"")
        }
        guard let source = String(data: data, encoding: .utf8) else {
            throw SpecError(message: "spec file \"\(name)\" is not UTF-8 text")
        }
        return try load(source: source, name: name)
    }

    /// Loads a spec file's source, named `name` in messages and positions.
    public func load(source: String, name: String) throws(SpecError) -> [RuleSpec] {
        let sandbox: LuaSandbox
        do {
            sandbox = try LuaSandbox(memoryLimit: memoryLimit, instructionBudget: instructionBudget)
        } catch {
            throw SpecError(message: "cannot start a Lua VM for \(name): \(error)")
        }
        // Lua cuts chunk names over 60 bytes in its messages: long paths load under an alias.
        let chunk = name.utf8.count > 50 ? "spec-file.lua" : name
        let collector = Collector(file: name, chunk: chunk)
        install(in: sandbox, collector: collector)
        do {
            try sandbox.run(source, chunkName: chunk)
            sandbox.state.pop()
        } catch {
            throw collector.specError(from: error)
        }
        if let pending = collector.pending {
            throw SpecError(message: "spec \"\(pending.name)\": missing its table, as in spec \"name\" { events = ..., expect = ... }",
                            position: pending.position)
        }
        return collector.specs
    }

    /// What one file's `spec` calls record.
    private final class Collector {
        let file: String
        let chunk: String
        var specs: [RuleSpec] = []
        /// A `spec "name"` whose table has not been given yet.
        var pending: (name: String, position: SourcePosition)?

        init(file: String, chunk: String) {
            self.file = file
            self.chunk = chunk
        }

        func position(_ lua: LuaState) -> SourcePosition {
            guard let caller = lua.position(ofLevel: 1) else { return SourcePosition(file: file, line: 0) }
            return SourcePosition(file: caller.chunk == chunk ? file : caller.chunk, line: caller.line)
        }

        func specError(from error: LuaError) -> SpecError {
            guard let line = error.line else { return SpecError(message: "\(file): \(error.message)") }
            let errorFile = error.chunk == nil || error.chunk == chunk ? file : error.chunk!
            return SpecError(message: error.message, position: SourcePosition(file: errorFile, line: line))
        }
    }

    /// Publishes `spec` and the time helpers to the file's environment.
    private func install(in sandbox: LuaSandbox, collector: Collector) {
        let state = sandbox.state
        state.push(function: { lua in
            if let pending = collector.pending {
                throw LuaScriptError("spec \"\(pending.name)\" (line \(pending.position.line)): missing its table, "
                                     + "as in spec \"name\" { events = ..., expect = ... }")
            }
            guard lua.typeName(at: 1) == "string", let name = lua.string(at: 1), !name.isEmpty else {
                throw LuaScriptError("spec: the name must be a non-empty string, as in spec \"what it checks\" { ... }")
            }
            let position = collector.position(lua)
            if let earlier = collector.specs.first(where: { $0.name == name }) {
                throw LuaScriptError("spec \"\(name)\": the name is already used at line \(earlier.position.line)")
            }
            collector.pending = (name, position)
            lua.push(function: { lua in
                collector.pending = nil
                guard lua.isTable(at: 1) else {
                    throw LuaScriptError("spec \"\(name)\": expects a table { events = ..., expect = ... }, got "
                                         + (lua.typeName(at: 1) == "no value" ? "nothing" : "a \(lua.typeName(at: 1))"))
                }
                let body = try lua.value(at: 1)
                do throws(SpecBodyReader.Failure) {
                    collector.specs.append(try SpecBodyReader(name: name, position: position).read(body))
                } catch {
                    throw LuaScriptError(error.message)
                }
                return 0
            })
            return 1
        })
        sandbox.setShared("spec")
        for (helper, factor) in [("seconds", 1000.0), ("minutes", 60_000), ("hours", 3_600_000), ("days", 86_400_000)] {
            state.push(function: { lua in
                guard lua.typeName(at: 1) == "number", let amount = lua.number(at: 1) else {
                    throw LuaScriptError("\(helper) expects a number, got a \(lua.typeName(at: 1))")
                }
                let milliseconds = amount * factor
                if milliseconds == milliseconds.rounded(), abs(milliseconds) < 9.0e15 {
                    lua.push(Int64(milliseconds))
                } else {
                    lua.push(milliseconds)
                }
                return 1
            })
            sandbox.setShared(helper)
        }
    }
}
