import CLua
import CLuaSupport

/// What a Lua function can read besides its arguments, when that is only plain values: its
/// upvalues hold nil, booleans, numbers, strings or Lua functions that qualify in turn (no
/// globals, no tables, no C functions). Such a function computes the same result from the same
/// arguments as long as ``isCurrent`` holds, unless it calls back into the host through them.
public final class LuaClosureSnapshot {
    private let upvalues: LuaRef?
    /// `upvalues`' state, read on every check without reference counting (`upvalues` keeps
    /// the state alive).
    private let statePointer: OpaquePointer?
    /// The state's call count when the upvalues were last found unchanged: no Lua code has
    /// run since while the count is the same, so they still are.
    private var verifiedAtCall = UInt64.max

    /// The snapshot of the function at `index`, or nil when it can read something mutable.
    /// Stack: unchanged.
    public init?(ofFunctionAt index: Int32, in state: LuaState) {
        let count = tally_snapshot_upvalues(state.pointer, index)
        guard count >= 0 else { return nil }
        // A function without upvalues cannot change; its snapshot needs no checking.
        if count == 0 {
            state.pop()
            upvalues = nil
            statePointer = nil
        } else {
            upvalues = LuaRef(popping: state)
            statePointer = state.pointer
        }
    }

    /// True while every upvalue still holds the value it held when the snapshot was taken.
    /// Compares them only when Lua code has run since the last time they were found unchanged.
    public var isCurrent: Bool {
        guard let statePointer else { return true }
        let calls = tally_lua_call_count(statePointer)
        if calls == verifiedAtCall { return true }
        guard let upvalues else { return true }
        upvalues.push()
        defer { upvalues.state.pop() }
        let unchanged = tally_upvalues_unchanged(upvalues.state.pointer, -1) != 0
        if unchanged { verifiedAtCall = calls }
        return unchanged
    }
}
