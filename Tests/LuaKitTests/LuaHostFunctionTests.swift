import XCTest
@testable import LuaKit

final class LuaHostFunctionTests: XCTestCase {
    func testSwiftFunctionReceivesArgumentsAndReturnsResults() throws {
        let state = try LuaState()
        state.register("add") { lua in
            let a = lua.integer(at: 1) ?? 0
            let b = lua.integer(at: 2) ?? 0
            lua.push(a + b)
            lua.push("sum")
            return 2
        }
        try state.load("local s, label = add(40, 2); return s, label", chunkName: "add.lua")
        try state.call(results: 2)
        XCTAssertEqual(try state.value(at: 1), 42)
        XCTAssertEqual(try state.value(at: 2), "sum")
    }

    func testIntegerSubtypeIsToldFromFloats() throws {
        let state = try LuaState()
        var seen: [String] = []
        state.register("kind") { lua in
            seen.append(lua.isInteger(at: 1) ? "integer \(lua.integer(at: 1)!)" : "not \(lua.typeName(at: 1))")
            return 0
        }
        try state.load("kind(3); kind(3.0); kind(9007199254740993); kind('3'); kind(nil)", chunkName: "kind.lua")
        try state.call()
        XCTAssertEqual(seen, ["integer 3", "not number", "integer 9007199254740993", "not string", "not nil"])
    }

    func testNestedLuaSwiftLuaCalls() throws {
        let state = try LuaState()
        try state.openLibraries(["_G"])
        // Swift calls back into the Lua function it was given, which calls Swift again.
        state.register("apply") { lua in
            lua.pushCopy(of: 1)
            lua.pushCopy(of: 2)
            try lua.call(arguments: 1, results: 1)
            return 1
        }
        state.register("double") { lua in
            lua.push((lua.integer(at: 1) ?? 0) * 2)
            return 1
        }
        try state.load("""
            return apply(function(x) return apply(function(y) return double(y) + 1 end, x) * 10 end, 4)
            """, chunkName: "nested.lua")
        try state.call(results: 1)
        XCTAssertEqual(try state.value(at: -1), .integer(90))
    }

    func testErrorInNestedLuaPropagatesThroughSwift() throws {
        let state = try LuaState()
        try state.openLibraries(["_G"])
        state.register("apply") { lua in
            lua.pushCopy(of: 1)
            try lua.call(arguments: 0, results: 0)
            return 0
        }
        try state.load("apply(function()\n  error('inner failure')\nend)", chunkName: "inner.lua")
        XCTAssertThrowsError(try state.call()) { error in
            let error = error as! LuaError
            XCTAssertTrue(error.description.contains("inner.lua:2: inner failure"), error.description)
        }
        XCTAssertEqual(state.top, 0)
    }

    func testClosureContextIsReleasedWithTheState() throws {
        final class Marker {}
        weak var weakMarker: Marker?
        do {
            let state = try LuaState()
            let marker = Marker()
            weakMarker = marker
            state.register("keep") { _ in _ = marker; return 0 }
            XCTAssertNotNil(weakMarker)
        }
        XCTAssertNil(weakMarker, "closing the state releases the closure and what it captured")
    }

    func testNoRegistryReferencesLeakOverAThousandCalls() throws {
        let state = try LuaState()
        state.register("echo") { lua in
            lua.pushCopy(of: 1)
            return 1
        }
        try state.load("return function(t) return echo(t.n) end", chunkName: "leak.lua")
        try state.call(results: 1)
        let function = LuaRef(popping: state)
        let baseline = state.registryCount
        for index in 0..<1000 {
            let argument = LuaRef(popping: { try! state.push(.table(["n": .integer(Int64(index))])); return state }())
            function.push()
            argument.push()
            try state.call(arguments: 1, results: 1)
            XCTAssertEqual(state.integer(at: -1), Int64(index))
            state.pop()
        }
        XCTAssertEqual(state.registryCount, baseline)
        XCTAssertEqual(state.top, 0)
    }
}
