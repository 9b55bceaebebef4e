import XCTest
@testable import LuaKit

final class LuaValueRoundTripTests: XCTestCase {
    private func roundTrip(_ value: LuaValue, file: StaticString = #filePath, line: UInt = #line) throws {
        let state = try LuaState()
        try state.push(value)
        XCTAssertEqual(try state.value(at: -1), value, file: file, line: line)
        XCTAssertEqual(state.top, 1, "push leaves exactly one value", file: file, line: line)
    }

    func testScalarsRoundTrip() throws {
        try roundTrip(.nil)
        try roundTrip(true)
        try roundTrip(false)
        try roundTrip(.integer(0))
        try roundTrip(.integer(Int64.max))
        try roundTrip(.integer(Int64.min))
        try roundTrip(.number(3.25))
        try roundTrip(.number(-0.5e-300))
        try roundTrip("")
        try roundTrip("héllo, wörld ✓")
    }

    func testPinnedKeysSetTheSameFieldsAsStringKeys() throws {
        let state = try LuaState()
        state.push("points")
        let points = LuaRef(popping: state)
        state.pushTable()
        state.pushPinned(points.slot)
        state.push(Int64(1))
        state.rawSet(in: -3)
        state.push("x")
        state.setRawField("points", of: -2)  // the same key, replaced
        state.pushPinned(points.slot)
        state.push(true)
        state.rawSet(in: -3)  // and again through the pinned key
        XCTAssertEqual(try state.value(at: -1), .table(["points": true]))
        XCTAssertEqual(state.top, 1)
    }

    func testStringsKeepEmbeddedNULs() throws {
        let state = try LuaState()
        try state.push(LuaValue.string("a\0b\0"))
        XCTAssertEqual(state.rawLength(at: -1), 4)
        XCTAssertEqual(state.bytes(at: -1), [0x61, 0, 0x62, 0])
        XCTAssertEqual(try state.value(at: -1), .string("a\0b\0"))
    }

    func testTablesRoundTrip() throws {
        try roundTrip(.array([1, "two", 3.5, true]))
        try roundTrip(.table(["plan": "pro", "seats": 12, "nested": .table(["deep": .array(["x"])])]))
        try roundTrip(.table([:]))
    }

    func testIntegersAndFloatsStayDistinct() throws {
        let state = try LuaState()
        try state.openLibraries(["_G", "math"])
        try state.load("return 3, 3.0, 2^53, math.maxinteger", chunkName: "numbers")
        try state.call(results: 4)
        XCTAssertEqual(try state.value(at: 1), .integer(3))
        XCTAssertEqual(try state.value(at: 2), .number(3.0))
        XCTAssertEqual(try state.value(at: 3), .number(9_007_199_254_740_992))
        XCTAssertEqual(try state.value(at: 4), .integer(Int64.max))
        XCTAssertEqual(state.integer(at: 2), 3, "a float with an integral value reads as an integer")
        XCTAssertNil(state.integer(at: 1 + 4), "past the top is not an integer")
    }

    func testValuesMadeInLuaReadBack() throws {
        let state = try LuaState()
        try state.load("return { 10, 20, name = 'x', [true] = 'yes', f = function() end }", chunkName: "t")
        try state.call(results: 1)
        let expected: LuaValue = .table([
            .integer(1): 10, .integer(2): 20, "name": "x", true: "yes", "f": .opaque("function"),
        ])
        XCTAssertEqual(try state.value(at: -1), expected)
    }

    func testCyclicTablesAreRefusedNotLooped() throws {
        let state = try LuaState()
        try state.load("local t = {}; t.self = t; return t", chunkName: "cycle")
        try state.call(results: 1)
        XCTAssertThrowsError(try state.value(at: -1)) { error in
            XCTAssertEqual((error as? LuaError)?.kind, .type)
        }
        XCTAssertEqual(state.top, 1, "a failed read leaves the stack as it was")
    }

    func testCallPassesArgumentsAndResults() throws {
        let state = try LuaState()
        try state.load("return function(a, b, c) return a + b, c .. '!', nil end", chunkName: "f")
        try state.call(results: 1)
        state.push(40)
        state.push(2)
        state.push("hi")
        let count = try state.callReturningCount(arguments: 3)
        XCTAssertEqual(count, 3)
        XCTAssertEqual(try state.value(at: -3), .integer(42))
        XCTAssertEqual(try state.value(at: -2), .string("hi!"))
        XCTAssertEqual(try state.value(at: -1), .nil)
    }
}
