/* Protected calls, the instruction-budget hook, text-only loading and the host trampoline. */

#include <string.h>
#include <lauxlib.h>
#include "CLuaSupport.h"
#include "tally_runtime.h"

/* How many instructions run between two budget checks. */
#define HOOK_GRANULARITY 1000

static const char *const BUDGET_MESSAGE = "instruction budget exceeded";

/* Counts instructions in steps of HOOK_GRANULARITY. Once the budget is spent the hook fires on
 * every instruction of every thread, so a script's own pcall cannot swallow the error: each
 * instruction after the catch raises it again until the outermost tally_pcall is reached. */
static void budget_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    tally_runtime *rt = tally_runtime_of(L);
    if (!rt->tripped) {
        rt->remaining -= HOOK_GRANULARITY;
        if (rt->remaining > 0) return;
        tally_budget_trip(L, TALLY_TRIP_INSTRUCTIONS);
    }
    /* In a count hook, level 0 is the Lua function that was running: report its position. */
    luaL_where(L, 0);
    lua_pushstring(L, BUDGET_MESSAGE);
    lua_concat(L, 2);
    lua_error(L);
}

void tally_budget_trip(lua_State *L, int reason) {
    tally_runtime *rt = tally_runtime_if_ours(L);
    if (rt == NULL || rt->depth == 0 || rt->tripped) return;
    rt->tripped = 1;
    rt->trip_reason = reason;
    lua_sethook(rt->main_thread, budget_hook, LUA_MASKCOUNT, 1);
    if (L != rt->main_thread) lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
}

/* Message handler: the error text followed by a traceback. Never runs user code. */
static int traceback_handler(lua_State *L) {
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

int tally_pcall(lua_State *L, int nargs, int nresults) {
    tally_runtime *rt = tally_runtime_of(L);
    int outermost = rt->depth == 0;
    int saved_enforce = rt->enforce;
    int function_index = lua_gettop(L) - nargs;

    lua_pushcfunction(L, traceback_handler);
    lua_insert(L, function_index);
    if (outermost) {
        rt->tripped = 0;
        rt->trip_reason = TALLY_TRIP_NONE;
        rt->remaining = rt->budget;
        if (rt->budget > 0) {
            int count = rt->budget < HOOK_GRANULARITY ? (int)rt->budget : HOOK_GRANULARITY;
            rt->remaining = rt->budget - count + HOOK_GRANULARITY;
            lua_sethook(L, budget_hook, LUA_MASKCOUNT, count);
        }
    }
    rt->depth++;
    rt->calls++;
    rt->enforce = 1;
    int status = lua_pcall(L, nargs, nresults, function_index);
    rt->enforce = saved_enforce;
    rt->depth--;
    lua_remove(L, function_index);
    if (outermost) {
        if (rt->budget > 0 || rt->tripped) lua_sethook(rt->main_thread, NULL, 0, 0);
        if (rt->tripped && status != LUA_OK) status = TALLY_ERRBUDGET;
    } else if (rt->tripped && status != LUA_OK) {
        status = TALLY_ERRBUDGET;
    }
    return status;
}

int tally_load_text(lua_State *L, const char *source, size_t length, const char *chunkname) {
    tally_runtime *rt = tally_runtime_of(L);
    int saved_enforce = rt->enforce;
    rt->enforce = 1;
    int status = luaL_loadbufferx(L, source, length, chunkname, "t");
    rt->enforce = saved_enforce;
    return status;
}

/* The host function record kept in a full userdata, upvalue 1 of the trampoline closure. */
typedef struct host_function {
    tally_host_function function;
    tally_host_release release;
    void *context;
} host_function;

static const char *const HOST_FUNCTION_META = "tally.host_function";

static int host_function_gc(lua_State *L) {
    host_function *record = (host_function *)lua_touserdata(L, 1);
    if (record != NULL && record->release != NULL && record->context != NULL) {
        record->release(record->context);
        record->context = NULL;
    }
    return 0;
}

/* Calls the Swift function with the memory cap lifted (host code must not be interrupted by a
 * Lua memory error), then raises its error, if any, from this C frame. */
static int trampoline(lua_State *L) {
    host_function *record = (host_function *)lua_touserdata(L, lua_upvalueindex(1));
    tally_runtime *rt = tally_runtime_of(L);
    int saved_enforce = rt->enforce;
    rt->enforce = 0;
    int results = record->function(L, record->context);
    rt->enforce = saved_enforce;
    if (results >= 0) return results;
    /* The Swift side pushed a message: prefix the calling Lua code's position, as luaL_error. */
    luaL_where(L, 1);
    lua_insert(L, -2);
    lua_concat(L, 2);
    return lua_error(L);
}

void tally_push_host_function(lua_State *L, tally_host_function function,
                              tally_host_release release, void *context) {
    host_function *record = (host_function *)lua_newuserdatauv(L, sizeof(host_function), 0);
    record->function = function;
    record->release = release;
    record->context = context;
    if (luaL_newmetatable(L, HOST_FUNCTION_META)) {
        lua_pushcfunction(L, host_function_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushliteral(L, "host function");
        lua_setfield(L, -2, "__metatable");
    }
    lua_setmetatable(L, -2);
    lua_pushcclosure(L, trampoline, 1);
}
