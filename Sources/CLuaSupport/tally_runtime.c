/* The runtime record of a state: memory accounting and cap, instruction budget, call depth. */

#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "CLuaSupport.h"
#include "tally_runtime.h"

_Static_assert(LUA_EXTRASPACE >= sizeof(tally_runtime *), "the runtime pointer must fit Lua's extra space");

static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    tally_runtime *rt = (tally_runtime *)ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        rt->used -= old;
        return NULL;
    }
    if (nsize > old && rt->enforce && rt->limit > 0 && rt->used - old + nsize > rt->limit) {
        return NULL; /* Lua collects garbage, retries, then raises "not enough memory" */
    }
    void *grown = realloc(ptr, nsize);
    if (grown == NULL) return NULL;
    rt->used = rt->used - old + nsize;
    return grown;
}

static int panic_handler(lua_State *L) {
    /* Only reached for an error outside any protected call: a bug in Tally, never in a rule. */
    const char *msg = lua_tostring(L, -1);
    (void)msg;
    abort();
}

lua_State *tally_lua_open(size_t memory_limit) {
    tally_runtime *rt = (tally_runtime *)calloc(1, sizeof(tally_runtime));
    if (rt == NULL) return NULL;
    rt->limit = memory_limit;
    lua_State *L = lua_newstate(capped_alloc, rt);
    if (L == NULL) {
        free(rt);
        return NULL;
    }
    rt->main_thread = L;
    /* Also kept in the state's extra space (copied into every thread Lua creates), so finding it
       is one load instead of a library call: the call count is read after most events. */
    memcpy(lua_getextraspace(L), &rt, sizeof rt);
    lua_atpanic(L, panic_handler);
    return L;
}

tally_runtime *tally_runtime_of(lua_State *L) {
    tally_runtime *rt;
    memcpy(&rt, lua_getextraspace(L), sizeof rt);
    return rt;
}

tally_runtime *tally_runtime_if_ours(lua_State *L) {
    void *ud = NULL;
    return lua_getallocf(L, &ud) == capped_alloc ? (tally_runtime *)ud : NULL;
}

void tally_lua_close(lua_State *L) {
    tally_runtime *rt = tally_runtime_of(L);
    rt->enforce = 0;
    lua_close(L);
    free(rt);
}

void tally_lua_set_memory_limit(lua_State *L, size_t bytes) { tally_runtime_of(L)->limit = bytes; }
size_t tally_lua_memory_limit(lua_State *L) { return tally_runtime_of(L)->limit; }
size_t tally_lua_memory_used(lua_State *L) { return tally_runtime_of(L)->used; }

void tally_lua_set_instruction_budget(lua_State *L, int64_t instructions) {
    tally_runtime_of(L)->budget = instructions > 0 ? instructions : 0;
}
int64_t tally_lua_instruction_budget(lua_State *L) { return tally_runtime_of(L)->budget; }

uint64_t tally_lua_call_count(lua_State *L) { return tally_runtime_of(L)->calls; }
int tally_lua_budget_tripped(lua_State *L) { return tally_runtime_of(L)->tripped; }
int tally_lua_trip_reason(lua_State *L) { return tally_runtime_of(L)->trip_reason; }
