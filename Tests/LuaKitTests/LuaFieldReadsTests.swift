import Testing
@testable import LuaKit

/// `LuaState.fieldReads(ofParameter:ofFunctionAt:)`: the constant field names a function reads
/// from a parameter, or nil as soon as it does anything else with it.
@Suite struct LuaFieldReadsTests {
    static let cases: [(source: String, parameter: Int, expected: [String]?)] = [
        ("function(e) return e.page == '/x' end", 0, ["page"]),
        ("function(e, guest) return e.a.b and e.c, guest.points end", 0, ["a", "c"]),
        ("function(e) return e.a, e.a end", 0, ["a"]),
        ("function(e) return e['with space'] end", 0, ["with space"]),
        ("function(e) return 1 end", 0, []),
        ("function(guest, e) return e.x + guest.points end", 1, ["x"]),
        ("function(guest, e) return e.x end", 0, []),
        // Anything but `e.name` reads: unknown.
        ("function(e) return e end", 0, nil),
        ("function(e) return pairs(e) end", 0, nil),
        ("function(e) local x = e; return x.a end", 0, nil),
        ("function(e) return function() return e.a end end", 0, nil),
        ("function(e) e.a = 1 end", 0, nil),
        ("function(e) return e[1] end", 0, nil),
        ("function(e, k) return e[k] end", 0, nil),
        ("function(e) return e:method() end", 0, nil),
        ("function(e) if e then return 1 end end", 0, nil),
        ("function(e) return e == nil end", 0, nil),
        ("function(e) e = {}; return e.a end", 0, nil),
        ("function(e) e = e.inner; return e.a end", 0, nil),
        ("function(g, e) g, e = nil, nil end", 1, nil),
        ("function(...) local e = ...; return e.a end", 0, nil),
        ("function(e) for k, v in next, e do end end", 0, nil),
        ("function(e) return #e end", 0, nil),
        ("function(e) return e .. 'x' end", 0, nil),
        ("function(e) return e.a end", 1, nil),  // no such parameter
        // `e` used as a key, a stored value, an operand, an element, an argument: unknown.
        ("function(e) local t = {}; t[e] = 1; return e.a end", 0, nil),
        ("function(e) t[e] = 1 end", 0, nil),
        ("function(e) local t = {}; t.x = e; return e.a end", 0, nil),
        ("function(e) t.x = e end", 0, nil),
        ("function(e) x = e end", 0, nil),
        ("function(e) local x = {}; return x == e end", 0, nil),
        ("function(e) return 'x' == e end", 0, nil),
        ("function(e) return e.a < e end", 0, nil),
        ("function(e) return e + 1 end", 0, nil),
        ("function(e) return 1 + e end", 0, nil),
        ("function(e) local n = 2; return n * e end", 0, nil),
        ("function(e) return { e } end", 0, nil),
        ("function(e) return { x = e } end", 0, nil),
        ("function(e) return function() return function() return e.a end end end", 0, nil),
        ("function(e) return function() local f = function() return e end; return f end end", 0, nil),
        ("function(e) return tostring(e) end", 0, nil),
        ("function(e) local f = tostring; return f(e.a, e) end", 0, nil),
        ("function(e) return select(1, e) end", 0, nil),
        ("function(e) return e.a, (e) end", 0, nil),
        ("function(guest, e) return guest.f(e) end", 1, nil),
        ("function(e) e.a.b = 1; return e.c end", 0, ["a", "c"]),  // writes a nested table only
    ]

    /// A function that keeps `e` in an upvalue (assigned in it or in a nested function).
    static let upvalueCases = [
        "local kept; return function(e) kept = e; return e.a end",
        "local kept; return function(e) local function keep() kept = e end; keep(); return e.a end",
        "local kept; return function(e) kept = kept or e; return e.a end",
    ]

    @Test(arguments: cases.indices)
    func fieldReads(of index: Int) throws {
        let (source, parameter, expected) = Self.cases[index]
        let state = try LuaState()
        try state.load("return " + source, chunkName: "=case")
        try state.call(arguments: 0, results: 1)
        #expect(state.fieldReads(ofParameter: parameter, ofFunctionAt: -1) == expected, "\(source)")
        #expect(state.top == 1)
    }

    @Test(arguments: upvalueCases)
    func keepingTheParameterIsUnknown(_ source: String) throws {
        let state = try LuaState()
        try state.load(source, chunkName: "=case")
        try state.call(arguments: 0, results: 1)
        #expect(state.fieldReads(ofParameter: 0, ofFunctionAt: -1) == nil, "\(source)")
    }

    @Test func aCFunctionIsUnknown() throws {
        let state = try LuaState()
        state.push(function: { _ in 0 })
        #expect(state.fieldReads(ofParameter: 0, ofFunctionAt: -1) == nil)
    }
}
