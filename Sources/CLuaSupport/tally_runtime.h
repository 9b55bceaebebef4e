#ifndef TALLY_RUNTIME_H
#define TALLY_RUNTIME_H

#include <stddef.h>
#include <stdint.h>
#include <lua.h>

/* Per-state bookkeeping, stored as the allocator's user data. */
typedef struct tally_runtime {
    size_t used;            /* bytes currently allocated by the state */
    size_t limit;           /* cap in bytes; 0 = none */
    int enforce;            /* 1 while Lua code runs under tally_pcall (not inside host code) */
    int64_t budget;         /* instructions per outermost call; 0 = unlimited */
    int64_t remaining;      /* instructions left in the current outermost call */
    int tripped;            /* the budget ran out during the current outermost call */
    int trip_reason;        /* TALLY_TRIP_* */
    int depth;              /* nesting of tally_pcall */
    uint64_t calls;         /* tally_pcall calls so far (any depth) */
    lua_State *main_thread;
} tally_runtime;

tally_runtime *tally_runtime_of(lua_State *L);

/* The runtime record, or NULL for a state not opened by tally_lua_open. */
tally_runtime *tally_runtime_if_ours(lua_State *L);

#endif
