import CLua
import CLuaSupport

/// A value pinned in the registry (a function, a table, anything). The reference is released
/// when this object goes away; it keeps its state alive until then.
public final class LuaRef {
    /// The state the value lives in.
    public let state: LuaState
    let reference: Int32

    /// Pops the top value and pins it. Stack: -1.
    public init(popping state: LuaState) {
        self.state = state
        reference = luaL_ref(state.pointer, clua_registryindex)
    }

    deinit {
        luaL_unref(state.pointer, clua_registryindex, reference)
    }

    /// Pushes the pinned value. Stack: +1.
    public func push() {
        _ = lua_rawgeti(state.pointer, clua_registryindex, lua_Integer(reference))
    }

    /// Pins the top value in place of the current one (the reference stays the same). The
    /// current value must not be nil. Stack: -1.
    public func replace(popping state: LuaState) {
        precondition(reference > 0, "a LuaRef made from nil has no registry slot to replace")
        lua_rawseti(state.pointer, clua_registryindex, lua_Integer(reference))
    }

    /// The registry slot, for ``LuaState/pushPinned(_:)`` in loops that must not touch the
    /// reference count of this object. Valid while this object lives.
    public var slot: LuaRegistrySlot { LuaRegistrySlot(index: reference) }
}

/// A registry slot of a ``LuaRef`` that is kept alive elsewhere (a plain value: copying it
/// costs nothing).
public struct LuaRegistrySlot: Sendable {
    let index: Int32
    /// No slot (pushes nil).
    public static let unset = LuaRegistrySlot(index: LUA_NOREF)
}

extension LuaState {
    /// Pushes the value pinned in `slot`. Stack: +1.
    @inline(__always)
    public func pushPinned(_ slot: LuaRegistrySlot) {
        _ = lua_rawgeti(pointer, clua_registryindex, lua_Integer(slot.index))
    }
}

extension LuaState {
    /// How many registry slots hold a non-number value: a leak check for tests (freed
    /// references become number links of Lua's free list and are not counted).
    public var registryCount: Int {
        var count = 0
        lua_pushnil(pointer)
        while lua_next(pointer, clua_registryindex) != 0 {
            if lua_type(pointer, -1) != LUA_TNUMBER || lua_isinteger(pointer, -2) == 0 { count += 1 }
            pop()
        }
        return count
    }
}
