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
