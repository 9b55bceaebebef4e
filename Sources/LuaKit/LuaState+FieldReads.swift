import CLua
import CLuaFieldReads

extension LuaState {
    /// The field names the Lua function at `index` reads from its parameter number `parameter`
    /// (0-based), when reading `parameter.name` with constant names is all it does with that
    /// parameter: it does not pass it on, iterate it, index it with a variable, compare, store
    /// or return it, assign to it, or let a nested function capture it. nil otherwise, and for
    /// C functions. Found in the function's bytecode (`tally_parameter_field_reads`); a name
    /// read several times is listed once. Stack: unchanged.
    public func fieldReads(ofParameter parameter: Int, ofFunctionAt index: Int32) -> [String]? {
        guard let parameter = Int32(exactly: parameter), LuaState.fieldReadsWork(in: self) else { return nil }
        return Self.rawFieldReads(of: parameter, at: index, in: pointer)
    }

    private static func rawFieldReads(of parameter: Int32, at index: Int32, in pointer: OpaquePointer) -> [String]? {
        final class Names { var list: [String] = [] }
        let names = Names()
        let found = withExtendedLifetime(names) {
            tally_parameter_field_reads(pointer, index, parameter, { context, name, length in
                guard let context, let name else { return }
                let names = Unmanaged<Names>.fromOpaque(context).takeUnretainedValue()
                let bytes = UnsafeRawBufferPointer(start: name, count: length)
                let text = String(decoding: bytes, as: UTF8.self)
                if !names.list.contains(text) { names.list.append(text) }
            }, Unmanaged.passUnretained(names).toOpaque())
        }
        return found == 1 ? names.list : nil
    }

    /// True when the bytecode scan answers as expected on two functions whose answers are
    /// known, on this state's Lua (checked once per state: another Lua version's bytecode
    /// would make it answer nil always, never wrongly).
    private static func fieldReadsWork(in state: LuaState) -> Bool {
        if let known = state.fieldReadsChecked { return known }
        let probe = "return function(e, g) local x = g.y; return e.calibration, e.other end, function(e) return e end"
        var works = false
        if (try? state.load(probe, chunkName: "=field-reads-check")) != nil, (try? state.call(arguments: 0, results: 2)) != nil {
            works = rawFieldReads(of: 0, at: -2, in: state.pointer) == ["calibration", "other"]
                && rawFieldReads(of: 1, at: -2, in: state.pointer) == ["y"]
                && rawFieldReads(of: 0, at: -1, in: state.pointer) == nil
            state.pop(2)
        }
        state.fieldReadsChecked = works
        return works
    }
}
