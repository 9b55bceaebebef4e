import Foundation
import LuaKit

/// Loads a rules directory (SPEC §3): every `*.lua` file below it in path order, each in its own
/// sandboxed environment over the DSL of `stdlib/`, then compiles the declarations to a
/// ``RuleSet``. Every problem is a ``RuleError`` naming the file and line.
public struct RuleLoader {
    /// Bytes the rules' VM may hold.
    public var memoryLimit = 256 << 20
    /// Instructions one call into a rule may execute.
    public var instructionBudget = 1_000_000

    public init() {}

    /// Loads every rule file below `directory`.
    public func load(directory: String) throws(RuleError) -> RuleSet {
        let files = try Self.ruleFiles(in: directory)
        var sources: [(name: String, source: String)] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file.path),
                  let source = String(data: data, encoding: .utf8) else {
                throw RuleError(message: "cannot read rule file \(file.name) (is it UTF-8 text?)")
            }
            sources.append((file.name, source))
        }
        return try load(sources: sources)
    }

    /// Loads rule files given as (name, source), in the given order.
    public func load(sources: [(name: String, source: String)]) throws(RuleError) -> RuleSet {
        let runtime: RuleRuntime
        do {
            runtime = try RuleRuntime(memoryLimit: memoryLimit, instructionBudget: instructionBudget)
        } catch {
            throw RuleError(message: "cannot start the rules VM: \(error)")
        }
        let declarations = try runPrelude(in: runtime)
        defer { runtime.ruleSources = [:] }
        for file in sources {
            let chunk = runtime.chunkName(for: file.name)
            runtime.ruleSources[chunk] = file.source
            do {
                try runtime.sandbox.run(file.source, chunkName: chunk)
                runtime.state.pop()
            } catch {
                throw RuleError(luaError: runtime.resolve(error), fallbackFile: file.name)
            }
        }
        runtime.declarations = declarations
        declarations.push()
        defer { runtime.state.pop() }
        return try RuleCompiler(runtime: runtime).compile(declarationsAt: runtime.state.top)
    }

    /// Runs the embedded `prelude.lua` as trusted code and publishes its exports to rule files.
    /// Returns the list the DSL records declarations in.
    private func runPrelude(in runtime: RuleRuntime) throws(RuleError) -> LuaRef {
        let state = runtime.state
        guard let prelude = embeddedStdlib.first(where: { $0.name == "prelude.lua" }) else {
            throw RuleError(message: "the DSL (stdlib/prelude.lua) is missing from this build")
        }
        do {
            try state.load(prelude.source, chunkName: "stdlib/prelude.lua")
            state.pushTable(fieldCapacity: 3)
            // metric_kinds: the goal-metric constructors to build, declared once in Swift.
            try state.push(MetricKind.preludeSchema)
            state.setRawField("metric_kinds", of: -2)
            state.push(function: { [unowned runtime] lua in
                let level = Int32(lua.integer(at: 1) ?? 1)
                guard let position = lua.position(ofLevel: level) else {
                    lua.pushNil()
                    lua.pushNil()
                    return 2
                }
                lua.push(runtime.fileName(forChunk: position.chunk))
                lua.push(position.line)
                return 2
            })
            state.setRawField("position", of: -2)
            // field_line(level, callee, id, key...): the chunk and line of a field of the
            // declaration made by the code `level` calls up, found in its text (nothing if not).
            state.push(function: { [unowned runtime] lua in
                let level = Int32(lua.integer(at: 1) ?? 1)
                guard let callee = lua.string(at: 2), let position = lua.position(ofLevel: level),
                      let source = runtime.ruleSources[position.chunk] else { return 0 }
                let path = (4...max(4, lua.top)).compactMap { $0 <= lua.top ? lua.string(at: $0) : nil }
                let finder = DeclarationFieldFinder(source: source)
                guard let line = finder.line(ofField: path, callee: callee, id: lua.string(at: 3),
                                             declaredAt: position.line) else { return 0 }
                lua.push(position.chunk)
                lua.push(line)
                return 2
            })
            state.setRawField("field_line", of: -2)
            try state.call(arguments: 1, results: 2)
        } catch {
            throw RuleError(message: "the DSL failed to load: \(error)")
        }
        let declarations = LuaRef(popping: state)
        // Publish every export to the shared names rule files read.
        let exports = state.top
        state.pushNil()
        while state.next(exports) {
            if let name = state.string(at: -2) {
                runtime.sandbox.setShared(name)
            } else {
                state.pop()
            }
        }
        state.pop()
        return declarations
    }

    /// The `*.lua` files below `directory`, as (path relative to the parent of `directory`,
    /// absolute path), sorted by relative path.
    static func ruleFiles(in directory: String) throws(RuleError) -> [(name: String, path: String)] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RuleError(message: "rules directory \"\(directory)\" does not exist or is not a directory")
        }
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
            throw RuleError(message: "cannot list rules directory \"\(directory)\"")
        }
        let displayRoot = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        var files: [(name: String, path: String)] = []
        for case let url as URL in enumerator where url.pathExtension == "lua" {
            let relative = url.standardizedFileURL.path.dropFirst(root.path.count + 1)
            files.append((displayRoot + "/" + relative, url.path))
        }
        return files.sorted { $0.name < $1.name }
    }
}

extension RuleError {
    /// A rule error from a Lua load or run error, keeping its file and line.
    init(luaError: LuaError, fallbackFile: String) {
        if let chunk = luaError.chunk, let line = luaError.line {
            self.init(message: luaError.message, position: SourcePosition(file: chunk, line: line))
        } else {
            self.init(message: "\(fallbackFile): \(luaError.message)")
        }
    }
}
