import XCTest
@testable import LuaKit

final class LuaErrorTests: XCTestCase {
    func testSyntaxErrorNamesChunkAndLine() throws {
        let state = try LuaState()
        XCTAssertThrowsError(try state.load("local a = 1\nlocal b = = 2\n", chunkName: "rules/goals.lua")) { error in
            let error = error as! LuaError
            XCTAssertEqual(error.kind, .syntax)
            XCTAssertEqual(error.chunk, "rules/goals.lua")
            XCTAssertEqual(error.line, 2)
            XCTAssertEqual(error.message, "unexpected symbol near '='")
        }
        XCTAssertEqual(state.top, 0)
    }

    func testRuntimeErrorNamesChunkLineAndHasTraceback() throws {
        let state = try LuaState()
        try state.load("local x = 1\n\nlocal y = nil + x\n", chunkName: "rules/bad.lua")
        XCTAssertThrowsError(try state.call()) { error in
            let error = error as! LuaError
            XCTAssertEqual(error.kind, .runtime)
            XCTAssertEqual(error.chunk, "rules/bad.lua")
            XCTAssertEqual(error.line, 3)
            XCTAssertEqual(error.message, "attempt to perform arithmetic on a nil value")
            XCTAssertEqual(error.description, "rules/bad.lua:3: attempt to perform arithmetic on a nil value")
            XCTAssertTrue(error.traceback?.contains("rules/bad.lua:3: in main chunk") ?? false, error.traceback ?? "")
        }
        XCTAssertEqual(state.top, 0)
    }

    func testErrorWithNonStringValue() throws {
        let state = try LuaState()
        try state.openLibraries(["_G"])
        try state.load("error({code = 1})", chunkName: "e")
        XCTAssertThrowsError(try state.call()) { error in
            XCTAssertEqual((error as! LuaError).message, "(error object is a table value)")
        }
    }

    func testSwiftClosureErrorCarriesCallerPosition() throws {
        let state = try LuaState()
        state.register("fail") { _ in throw LuaScriptError("count: name must be a string") }
        try state.load("local a = 1\nfail()\n", chunkName: "rules/count.lua")
        XCTAssertThrowsError(try state.call()) { error in
            let error = error as! LuaError
            XCTAssertEqual(error.kind, .runtime)
            XCTAssertEqual(error.chunk, "rules/count.lua")
            XCTAssertEqual(error.line, 2)
            XCTAssertEqual(error.message, "count: name must be a string")
        }
    }

    func testScriptCanCatchSwiftErrorsWithPcall() throws {
        let state = try LuaState()
        try state.openLibraries(["_G"])
        state.register("fail") { _ in throw LuaScriptError("nope") }
        try state.load("local ok, message = pcall(fail); return ok, message", chunkName: "catch.lua")
        try state.call(results: 2)
        XCTAssertEqual(try state.value(at: 1), false)
        XCTAssertEqual(try state.value(at: 2), "nope")
    }

    func testParsesPositionsInTrickyChunkNames() {
        let error = LuaError.parse("[string \"a:b\"]:7: boom", kind: .runtime)
        XCTAssertEqual(error.chunk, "[string \"a:b\"]")
        XCTAssertEqual(error.line, 7)
        XCTAssertEqual(error.message, "boom")
        let plain = LuaError.parse("no position here: at all", kind: .runtime)
        XCTAssertNil(plain.chunk)
        XCTAssertEqual(plain.message, "no position here: at all")
    }
}
