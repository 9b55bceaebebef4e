/* Base functions the sandbox replaces with stricter versions. */

#include <lauxlib.h>
#include "CLuaSupport.h"

/* setmetatable(t, mt) as in the base library, except that a metatable with a __gc field is
 * refused: a finalizer would run whenever the collector does, outside any protected call,
 * instruction budget or memory cap. */
int tally_setmetatable(lua_State *L) {
    int kind = lua_type(L, 2);
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_argexpected(L, kind == LUA_TNIL || kind == LUA_TTABLE, 2, "nil or table");
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL) {
        return luaL_error(L, "cannot change a protected metatable");
    }
    if (kind == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        int gc = lua_rawget(L, 2) != LUA_TNIL;
        lua_pop(L, 1);
        if (gc) return luaL_error(L, "setmetatable: __gc finalizers are not allowed");
    }
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}
