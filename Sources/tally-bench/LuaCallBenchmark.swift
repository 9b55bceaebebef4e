import LuaKit

/// The cost of calling a Lua function from Swift with an event-like table argument: the
/// table is built from Swift each call (8 fields, as the engine does for a `where` function).
func runLuaCallBenchmark() throws {
    let sandbox = try LuaSandbox(instructionBudget: 1_000_000)
    let state = sandbox.state
    try sandbox.run("""
        function matches(e)
          return e.type == "FORM" and e.form == "pricing" and (e.revenue or 0) >= 0
        end
        """, chunkName: "bench.lua")
    state.rawField("matches", of: -1)
    let function = LuaRef(popping: state)
    state.pop()

    let calls = 1_000_000
    var samples: [Double] = []
    var matched = 0
    for _ in 0..<7 {
        let start = ContinuousClock.now
        for index in 0..<calls {
            function.push()
            state.pushTable(fieldCapacity: 8)
            state.push("FORM"); state.setRawField("type", of: -2)
            state.push("g\(index % 1000)"); state.setRawField("guest", of: -2)
            state.push(Int64(1_700_000_000_000 + index)); state.setRawField("ts", of: -2)
            state.push("/pricing"); state.setRawField("page", of: -2)
            state.push("pricing"); state.setRawField("form", of: -2)
            state.push(12.5); state.setRawField("revenue", of: -2)
            state.push("pro"); state.setRawField("sku", of: -2)
            state.push(true); state.setRawField("first", of: -2)
            try state.call(arguments: 1, results: 1)
            if state.isTruthy(at: -1) { matched += 1 }
            state.pop()
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        samples.append(seconds / Double(calls) * 1e9)
    }
    samples.sort()
    print("lua-call: median \(Int(samples[samples.count / 2])) ns/call (8-field event table built per call, \(calls) calls x 7 runs, \(matched) matched)")
}
