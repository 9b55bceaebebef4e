import XCTest
@testable import LuaKit

final class LuaStringCacheTests: XCTestCase {
    /// Whatever the cache holds, it gives the same answer as `LuaState.string(at:)`: for names
    /// passed again (hits), for more names than it has slots, and for strings made and collected
    /// in between, whose addresses Lua may reuse for other strings of the same length.
    func testGivesTheSameStringsAsTheStack() throws {
        let state = try LuaState()
        try state.openLibraries(["_G", "string"])
        let cache = LuaStringCache()
        var seen: [String] = []
        state.register("note") { lua in
            let cached = cache.string(at: 1, of: lua)
            XCTAssertEqual(cached, lua.string(at: 1))
            if let cached { seen.append(cached) }
            return 0
        }
        try state.load("""
            for round = 1, 3 do
              for i = 1, 200 do
                note("name_" .. i)          -- same length for many: slots collide
                note(string.rep("x", i % 50))
              end
              collectgarbage()              -- free them: new strings may take their addresses
              for i = 1, 200 do note(string.format("n%05d", i * round)) end
            end
            note(42)                        -- numbers are not strings
            note("caf\\195")                -- invalid UTF-8: repaired as string(at:) does
            note("")
            """, chunkName: "cache.lua")
        try state.call()
        XCTAssertEqual(seen.count, 3 * 600 + 2)
        XCTAssertEqual(seen.last, "")
        XCTAssertTrue(seen.contains("n00600"))
    }
}
