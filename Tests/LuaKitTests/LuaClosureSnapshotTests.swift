import XCTest
@testable import LuaKit

final class LuaClosureSnapshotTests: XCTestCase {
    /// A function reading an upvalue, and a setter for that upvalue, on the stack: [get, set].
    private func makeState() throws -> LuaState {
        let state = try LuaState()
        try state.load("local t = 1 return function() return t end, function(v) t = v end", chunkName: "=test")
        try state.call(arguments: 0, results: 2)
        return state
    }

    /// Calls the setter (at stack index 2) with `value`.
    private func set(_ value: LuaValue, in state: LuaState) throws {
        state.pushCopy(of: 2)
        try state.push(value)
        try state.call(arguments: 1, results: 0)
    }

    func testReassignedUpvaluesAreNoticedAfterEveryCall() throws {
        let state = try makeState()
        let snapshot = try XCTUnwrap(LuaClosureSnapshot(ofFunctionAt: 1, in: state))
        XCTAssertTrue(snapshot.isCurrent)
        XCTAssertTrue(snapshot.isCurrent)  // nothing ran: answered from the call count
        try set(.number(2), in: state)
        XCTAssertFalse(snapshot.isCurrent)
        XCTAssertFalse(snapshot.isCurrent)
        try set(.number(1), in: state)  // back to the value of snapshot time
        XCTAssertTrue(snapshot.isCurrent)
        try set(.string("x"), in: state)
        XCTAssertFalse(snapshot.isCurrent)
        XCTAssertEqual(state.top, 2)
    }

    func testFunctionsReadingTablesDoNotQualify() throws {
        let state = try LuaState()
        try state.load("local t = {} return function() return t.n end", chunkName: "=test")
        try state.call(arguments: 0, results: 1)
        XCTAssertNil(LuaClosureSnapshot(ofFunctionAt: 1, in: state))
        XCTAssertEqual(state.top, 1)
    }
}
