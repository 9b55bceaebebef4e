import XCTest
@testable import LuaKit

final class LuaSandboxTests: XCTestCase {
    private func makeSandbox(memoryLimit: Int = 32 << 20, budget: Int = 200_000) throws -> LuaSandbox {
        try LuaSandbox(memoryLimit: memoryLimit, instructionBudget: budget)
    }

    /// Runs `source` as a script file and returns the error it raised.
    private func error(running source: String, in sandbox: LuaSandbox, chunk: String = "rules/escape.lua") -> LuaError? {
        do {
            try sandbox.run(source, chunkName: chunk)
            sandbox.state.pop()
            return nil
        } catch {
            return error
        }
    }

    func testEscapeAttemptsAreRefused() throws {
        let sandbox = try makeSandbox()
        let attempts: [(source: String, message: String)] = [
            ("io.open('/etc/passwd')", "undefined global 'io'"),
            ("os.execute('touch /tmp/pwned')", "undefined global 'os'"),
            ("debug.getregistry()", "undefined global 'debug'"),
            ("require('os')", "undefined global 'require'"),
            ("package.loadlib('x', 'y')", "undefined global 'package'"),
            ("load('return 1')", "undefined global 'load'"),
            ("loadfile('/etc/passwd')", "undefined global 'loadfile'"),
            ("dofile('/etc/passwd')", "undefined global 'dofile'"),
            ("collectgarbage()", "undefined global 'collectgarbage'"),
            ("string.dump(function() end)", "attempt to call a nil value (field 'dump')"),
            ("print('x')", "undefined global 'print'"),
            ("local g = _G; return g.io", "undefined global 'io'"),
            ("rawset(string, 'upper', 1)", "undefined global 'rawset'"),
            ("string.upper = nil", "attempt to modify read-only table 'string'"),
            ("table.insert = tostring", "attempt to modify read-only table 'table'"),
            ("math.pi = 3", "attempt to modify read-only table 'math'"),
            ("setmetatable(string, {})", "cannot change a protected metatable"),
            ("getmetatable('').__index = {}", "attempt to index a boolean value"),
            ("setmetatable('', {})", "bad argument #1 to 'setmetatable' (table expected, got string)"),
            ("setmetatable({}, {__gc = function() while true do end end})",
             "setmetatable: __gc finalizers are not allowed"),
        ]
        for attempt in attempts {
            let failure = error(running: attempt.source, in: sandbox)
            XCTAssertEqual(failure?.message, attempt.message, attempt.source)
            XCTAssertEqual(failure?.chunk, "rules/escape.lua", attempt.source)
            XCTAssertEqual(failure?.line, 1, attempt.source)
        }
        // Metatables without a finalizer are still fine.
        try sandbox.run("assert(getmetatable(setmetatable({}, {__index = {a = 1}})).__index.a == 1)", chunkName: "meta.lua")
        sandbox.state.pop()
        // After all that, the libraries are intact.
        try sandbox.run("assert(string.upper('a') == 'A' and math.pi > 3 and ('x'):rep(3) == 'xxx')", chunkName: "check.lua")
    }

    func testBytecodeIsRefused() throws {
        let sandbox = try makeSandbox()
        let bytecode = "\u{1B}Lua\u{54}\u{00}"
        XCTAssertThrowsError(try sandbox.run(bytecode, chunkName: "binary.lua")) { error in
            XCTAssertEqual((error as! LuaError).kind, .syntax)
            XCTAssertTrue((error as! LuaError).message.contains("attempt to load a binary chunk"), "\(error)")
        }
    }

    func testOneFilesGlobalsDoNotLeakIntoAnother() throws {
        let sandbox = try makeSandbox()
        try sandbox.run("secret = 42; pairs = nil; string = nil", chunkName: "a.lua")
        sandbox.state.pop()
        try sandbox.run("""
            assert(not pcall(function() return secret end), 'secret leaked')
            assert(pairs ~= nil, 'pairs was removed for everybody')
            assert(string.upper('x') == 'X')
            return
            """, chunkName: "b.lua")
        sandbox.state.pop()
    }

    func testScriptsSeeOnlyTheAllowList() throws {
        let sandbox = try makeSandbox()
        try sandbox.run("""
            names = {}
            for name in pairs(_G) do names[#names + 1] = name end
            table.sort(names)
            """, chunkName: "list.lua")
        // The environment's own keys: only what the script set.
        sandbox.state.rawField("names", of: -1)
        XCTAssertEqual(try sandbox.state.value(at: -1), .array(["_G", "names"]))
        sandbox.state.pop(2)
        // Library proxies still iterate like the real tables.
        try sandbox.run("n = 0; for k in pairs(math) do n = n + 1 end", chunkName: "math.lua")
        sandbox.state.rawField("n", of: -1)
        XCTAssertGreaterThan(sandbox.state.integer(at: -1) ?? 0, 20)
        sandbox.state.pop(2)
    }

    func testSharedNamesAreVisibleButNotWritable() throws {
        let sandbox = try makeSandbox()
        sandbox.state.push(function: { lua in
            lua.push((lua.integer(at: 1) ?? 0) + 1)
            return 1
        })
        sandbox.setShared("increment")
        try sandbox.run("value = increment(41); increment = nil", chunkName: "a.lua")
        sandbox.state.rawField("value", of: -1)
        XCTAssertEqual(sandbox.state.integer(at: -1), 42)
        sandbox.state.pop(2)
        try sandbox.run("value = increment(1)", chunkName: "b.lua")
        sandbox.state.pop()
    }

    func testInfiniteLoopIsStoppedByTheBudget() throws {
        let sandbox = try makeSandbox()
        let failure = error(running: "local n = 0\nwhile true do n = n + 1 end", in: sandbox)
        XCTAssertEqual(failure?.kind, .instructionBudget)
        XCTAssertEqual(failure?.message, "instruction budget exceeded (200000 instructions)")
        XCTAssertEqual(failure?.chunk, "rules/escape.lua")
        XCTAssertEqual(failure?.line, 2)
        // The state is usable afterwards and the budget is fresh for the next call.
        try sandbox.run("x = 0 for i = 1, 1000 do x = x + i end", chunkName: "ok.lua")
        sandbox.state.rawField("x", of: -1)
        XCTAssertEqual(sandbox.state.integer(at: -1), 500_500)
        sandbox.state.pop(2)
    }

    func testScriptPcallCannotSwallowTheBudget() throws {
        let sandbox = try makeSandbox()
        let sources = [
            "pcall(function() while true do end end)\nresult = 'escaped'",
            "for i = 1, 10 do pcall(function() while true do end end) end\nresult = 'escaped'",
            "xpcall(function() while true do end end, function(m) return m end)\nresult = 'escaped'",
            "while true do pcall(function() while true do end end) end",
        ]
        for source in sources {
            let failure = error(running: source, in: sandbox)
            XCTAssertEqual(failure?.kind, .instructionBudget, source)
        }
        try sandbox.run("result = 'fine'", chunkName: "after.lua")
        sandbox.state.pop()
    }

    func testMemoryBombIsStoppedAndTheStateStaysUsable() throws {
        let sandbox = try makeSandbox(memoryLimit: 16 << 20, budget: 100_000_000)
        let before = sandbox.state.memoryUsed
        let bombs = [
            "local t = {} for i = 1, 1e9 do t[i] = ('x'):rep(64) .. i end",
            "local s = ('x'):rep(1 << 30)",
            "local s = 'x' for i = 1, 40 do s = s .. s end",
        ]
        for bomb in bombs {
            let failure = error(running: bomb, in: sandbox)
            XCTAssertEqual(failure?.kind, .memory, bomb)
            XCTAssertEqual(failure?.message, "memory limit exceeded (16 MiB)", bomb)
        }
        sandbox.state.collectGarbage()
        XCTAssertLessThan(sandbox.state.memoryUsed, before + (1 << 20), "the bomb's memory was reclaimed")
        try sandbox.run("t = {} for i = 1, 1000 do t[i] = i end", chunkName: "after.lua")
        sandbox.state.rawField("t", of: -1)
        XCTAssertEqual(sandbox.state.rawLength(at: -1), 1000)
        sandbox.state.pop(2)
    }

    func testCatastrophicPatternIsStoppedAndCannotBeRetriedForever() throws {
        let sandbox = try makeSandbox(budget: 10_000_000)
        let sources = [
            "local r = ('a'):rep(100):match(('a+'):rep(6) .. 'b')",
            "for i = 1, 1e9 do pcall(string.find, ('a'):rep(100), ('a+'):rep(6) .. 'b') end",
            "while true do pcall(function() return ('a'):rep(60):gsub(('a-'):rep(8) .. 'b', '') end) end",
        ]
        for source in sources {
            let failure = error(running: source, in: sandbox)
            XCTAssertEqual(failure?.kind, .instructionBudget, source)
            XCTAssertEqual(failure?.message, "pattern too complex (step limit exceeded)", source)
        }
        // Ordinary patterns still work, and the state is usable.
        try sandbox.run("x = ('  hello  '):match('^%s*(.-)%s*$')", chunkName: "ok.lua")
        sandbox.state.rawField("x", of: -1)
        XCTAssertEqual(sandbox.state.string(at: -1), "hello")
        sandbox.state.pop(2)
    }
}
