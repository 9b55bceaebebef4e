import CLua
import CLuaSupport

/// Loading chunks and calling functions, always in protected mode.
extension LuaState {
    /// Compiles a text chunk (bytecode is refused) and pushes it as a function.
    /// `chunkName` is how errors name the source, e.g. `rules/goals.lua` (a name starting with
    /// `=` is used as written, without the `=`, for sources that are not files).
    /// Stack: +1 on success, unchanged on error.
    public func load(_ source: String, chunkName: String) throws(LuaError) {
        var text = source
        let status = text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { characters in
                tally_load_text(pointer, characters.baseAddress, characters.count,
                                chunkName.hasPrefix("=") ? chunkName : "@" + chunkName)
            }
        }
        if status != LUA_OK { throw popError(status: status) }
    }

    /// Calls the function below `arguments` values with a traceback handler, the instruction
    /// budget and the memory cap; leaves `results` values (or all with `nil`).
    /// Stack: [f, a1..an] -> [r1..rm] on success, [] on error.
    public func call(arguments: Int32 = 0, results: Int32? = 0) throws(LuaError) {
        let status = tally_pcall(pointer, arguments, results ?? LUA_MULTRET)
        if status != LUA_OK { throw popError(status: status) }
    }

    /// Calls the function at the top-minus-arguments and returns how many results it left.
    /// Stack: [f, a1..an] -> [r1..rm]; returns m.
    public func callReturningCount(arguments: Int32 = 0) throws(LuaError) -> Int32 {
        let base = top - arguments - 1
        try call(arguments: arguments, results: nil)
        return top - base
    }

    /// Pops the error message left by a failed load or call and turns it into a ``LuaError``.
    func popError(status: Int32) -> LuaError {
        let raw = string(at: -1) ?? "(error object is a \(typeName(at: -1)) value)"
        pop()
        switch status {
        case LUA_ERRSYNTAX: return LuaError.parse(raw, kind: .syntax)
        case LUA_ERRMEM:
            return LuaError(kind: .memory, message: "memory limit exceeded (\(memoryLimit >> 20) MiB)")
        case LUA_ERRERR: return LuaError.parse(raw, kind: .errorHandler)
        case TALLY_ERRBUDGET:
            var error = LuaError.parse(raw, kind: .instructionBudget)
            error.message = tally_lua_trip_reason(pointer) == TALLY_TRIP_PATTERN
                ? "pattern too complex (step limit exceeded)"
                : "instruction budget exceeded (\(instructionBudget) instructions)"
            return error
        default: return LuaError.parse(raw, kind: .runtime)
        }
    }
}
