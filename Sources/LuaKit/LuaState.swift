import CLua
import CLuaSupport

/// One Lua 5.4 VM. Owns its `lua_State` and closes it exactly once.
///
/// A `LuaState` belongs to one thread at a time and is deliberately not `Sendable`: run several
/// states (one per worker) rather than sharing one. Every call into Lua goes through
/// ``call(arguments:results:)`` or ``protectedCall(arguments:results:)``, which arm the
/// instruction budget and the memory cap and turn Lua errors into ``LuaError``.
public final class LuaState {
    /// The raw state. Valid for the lifetime of this object.
    public let pointer: OpaquePointer
    private let owned: Bool
    /// Whether `fieldReads(ofParameter:ofFunctionAt:)` answered as expected on known functions
    /// (nil until first asked).
    var fieldReadsChecked: Bool?

    /// Opens a bare state (no libraries) with the given limits.
    /// - Parameters:
    ///   - memoryLimit: bytes the VM may hold while Lua code runs (0 = no cap).
    ///   - instructionBudget: instructions one outermost call may run (0 = unlimited).
    public init(memoryLimit: Int = 64 << 20, instructionBudget: Int = 10_000_000) throws(LuaError) {
        guard let state = tally_lua_open(memoryLimit) else {
            throw LuaError(kind: .memory, message: "cannot create a Lua state")
        }
        pointer = state
        owned = true
        tally_lua_set_instruction_budget(state, Int64(instructionBudget))
    }

    /// Wraps a state owned elsewhere (the thread a host function was called on).
    init(borrowing state: OpaquePointer) {
        pointer = state
        owned = false
    }

    deinit {
        if owned { tally_lua_close(pointer) }
    }

    /// Bytes the VM may hold while Lua code runs; 0 means no cap.
    public var memoryLimit: Int {
        get { tally_lua_memory_limit(pointer) }
        set { tally_lua_set_memory_limit(pointer, max(0, newValue)) }
    }

    /// Bytes currently allocated by the VM.
    public var memoryUsed: Int { tally_lua_memory_used(pointer) }

    /// Instructions one outermost call may execute; 0 means unlimited.
    public var instructionBudget: Int {
        get { Int(tally_lua_instruction_budget(pointer)) }
        set { tally_lua_set_instruction_budget(pointer, Int64(max(0, newValue))) }
    }

    /// Runs a full garbage collection (outside any Lua call).
    public func collectGarbage() {
        clua_gc_collect(pointer)
    }

    /// Opens the named standard libraries into the global table (`"_G"`, `"string"`, `"table"`,
    /// `"math"`, `"utf8"`, `"coroutine"`, `"io"`, `"os"`, `"debug"`, `"package"`).
    /// Stack: unchanged.
    public func openLibraries(_ names: [String]) throws(LuaError) {
        for name in names {
            guard let opener = Self.libraryOpeners[name] else {
                throw LuaError(kind: .type, message: "unknown Lua library '\(name)'")
            }
            luaL_requiref(pointer, name, opener, 1)
            pop()
        }
    }

    private static let libraryOpeners: [String: lua_CFunction] = [
        "_G": luaopen_base, "string": luaopen_string, "table": luaopen_table, "math": luaopen_math,
        "utf8": luaopen_utf8, "coroutine": luaopen_coroutine, "io": luaopen_io, "os": luaopen_os,
        "debug": luaopen_debug, "package": luaopen_package,
    ]
}
