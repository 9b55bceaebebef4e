/*
 * Closure snapshots: whether a Lua function can depend on nothing but its arguments and
 * upvalues that hold plain values, and a cheap check that those upvalues still hold what they
 * held. The engine uses this to skip calls of `when(guest)` conditions while neither the guest
 * nor anything else the function can read has changed.
 */

#include "CLuaSupport.h"

#include <lauxlib.h>

#define SNAPSHOT_MAX_CLOSURES 64

/* Appends (closure, n, value) triples for every upvalue of the function at `fn` (absolute) and,
 * recursively, of the Lua functions among them. `seen` (absolute) maps visited closures to
 * true. Returns 0 when some upvalue is not a plain value or a Lua function. */
static int snapshot_closure(lua_State *L, int fn, int snapshot, int seen, lua_Integer *count, int *closures) {
    if (lua_iscfunction(L, fn)) return 0;
    lua_pushvalue(L, fn);
    if (lua_rawget(L, seen) != LUA_TNIL) {
        lua_pop(L, 1);
        return 1;
    }
    lua_pop(L, 1);
    if (++*closures > SNAPSHOT_MAX_CLOSURES) return 0;
    lua_pushvalue(L, fn);
    lua_pushboolean(L, 1);
    lua_rawset(L, seen);

    for (int n = 1; lua_getupvalue(L, fn, n) != NULL; n++) {
        int type = lua_type(L, -1);
        if (type == LUA_TFUNCTION) {
            if (!snapshot_closure(L, lua_gettop(L), snapshot, seen, count, closures)) {
                lua_pop(L, 1);
                return 0;
            }
        } else if (type != LUA_TNIL && type != LUA_TBOOLEAN && type != LUA_TNUMBER && type != LUA_TSTRING) {
            lua_pop(L, 1);  /* tables (globals included), userdata, threads can change inside */
            return 0;
        }
        lua_pushvalue(L, fn);
        lua_rawseti(L, snapshot, ++*count);
        lua_pushinteger(L, n);
        lua_rawseti(L, snapshot, ++*count);
        lua_rawseti(L, snapshot, ++*count);  /* pops the upvalue */
    }
    return 1;
}

int tally_snapshot_upvalues(lua_State *L, int index) {
    int fn = lua_absindex(L, index);
    if (lua_type(L, fn) != LUA_TFUNCTION) return -1;
    lua_newtable(L);
    int snapshot = lua_gettop(L);
    lua_newtable(L);
    int seen = lua_gettop(L);
    lua_Integer count = 0;
    int closures = 0;
    int eligible = snapshot_closure(L, fn, snapshot, seen, &count, &closures);
    lua_settop(L, snapshot);
    if (!eligible) {
        lua_pop(L, 1);
        return -1;
    }
    return (int)(count / 3);
}

int tally_upvalues_unchanged(lua_State *L, int index) {
    int snapshot = lua_absindex(L, index);
    lua_Integer length = (lua_Integer)lua_rawlen(L, snapshot);
    for (lua_Integer entry = 1; entry + 2 <= length; entry += 3) {
        lua_rawgeti(L, snapshot, entry);
        lua_rawgeti(L, snapshot, entry + 1);
        int n = (int)lua_tointeger(L, -1);
        lua_pop(L, 1);
        if (lua_getupvalue(L, -1, n) == NULL) {
            lua_pop(L, 1);
            return 0;
        }
        lua_rawgeti(L, snapshot, entry + 2);
        int same = lua_rawequal(L, -1, -2);
        lua_pop(L, 3);
        if (!same) return 0;
    }
    return 1;
}
