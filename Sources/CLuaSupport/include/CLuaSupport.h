#ifndef TALLY_CLUA_SUPPORT_H
#define TALLY_CLUA_SUPPORT_H

/*
 * Everything in Tally that may raise a Lua error lives in C, so that a Lua error (a longjmp)
 * never crosses a Swift frame: the trampoline that calls Swift closures, the protected call
 * with traceback, the instruction-budget hook and the memory-capped allocator.
 */

#include <stddef.h>
#include <stdint.h>
#include <lua.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Opens a new state whose allocator refuses to grow past `memory_limit` bytes while Lua code
 * runs inside tally_pcall (0 = no limit). Returns NULL if the state cannot be created. */
lua_State *tally_lua_open(size_t memory_limit);

/* Closes a state made by tally_lua_open and frees its runtime record. */
void tally_lua_close(lua_State *L);

/* The memory cap in bytes (0 = none) and the bytes currently allocated by the state. */
void tally_lua_set_memory_limit(lua_State *L, size_t bytes);
size_t tally_lua_memory_limit(lua_State *L);
size_t tally_lua_memory_used(lua_State *L);

/* Instructions a single outermost tally_pcall may execute (0 = unlimited). Nested calls
 * (Lua -> Swift -> Lua) share the budget of the outermost call. */
void tally_lua_set_instruction_budget(lua_State *L, int64_t instructions);
int64_t tally_lua_instruction_budget(lua_State *L);

/* How many calls tally_pcall has made on this state (at any depth). Lua code of a sandboxed
 * state runs only inside those calls, so while the count stands still no Lua value changed. */
uint64_t tally_lua_call_count(lua_State *L);

/* The sandbox's setmetatable: the base library's, refusing metatables with a __gc field. */
int tally_setmetatable(lua_State *L);

/* Status of the last outermost tally_pcall: 1 if it was stopped by the instruction budget. */
int tally_lua_budget_tripped(lua_State *L);

/* Why the budget of the current call tripped. */
#define TALLY_TRIP_NONE 0
#define TALLY_TRIP_INSTRUCTIONS 1
#define TALLY_TRIP_PATTERN 2

/* Why the last outermost tally_pcall was stopped by its budget (TALLY_TRIP_*). */
int tally_lua_trip_reason(lua_State *L);

/* Spends the rest of the current call's budget: from now on every Lua instruction raises, so
 * no script-level pcall can catch the stop. For C code that hits its own limit (patterns).
 * Does nothing outside tally_pcall or for states not opened by tally_lua_open. */
void tally_budget_trip(lua_State *L, int reason);

/* Result codes of tally_pcall beyond Lua's own (LUA_OK, LUA_ERRRUN, LUA_ERRMEM, LUA_ERRERR). */
#define TALLY_ERRBUDGET 100

/* Calls the function below `nargs` arguments like lua_pcall, with a message handler that
 * appends a traceback, the instruction budget armed and the memory cap enforced.
 * Stack: [f, a1..an] -> [r1..rn] on success, or [message] on error.
 * Returns LUA_OK, a Lua error code, or TALLY_ERRBUDGET when the budget stopped the call. */
int tally_pcall(lua_State *L, int nargs, int nresults);

/* Loads a text chunk (binary chunks are refused) in protected mode.
 * Stack: [] -> [function] on success, [message] on error. Returns a Lua status. */
int tally_load_text(lua_State *L, const char *source, size_t length, const char *chunkname);

/* A Swift function exposed to Lua. It reads its arguments from the stack, pushes its results
 * and returns their count, or returns -1 after pushing an error message (a string): the
 * trampoline then raises that error, with the caller's position, once the Swift frame is gone. */
typedef int (*tally_host_function)(lua_State *L, void *context);

/* Releases the context of a host function when Lua collects the closure. */
typedef void (*tally_host_release)(void *context);

/* Pushes a Lua closure that calls `function(L, context)`; `release(context)` runs when the
 * closure is garbage collected (or the state closes). Stack: [] -> [closure]. */
void tally_push_host_function(lua_State *L, tally_host_function function,
                              tally_host_release release, void *context);

/* Whether the function at `index` can read nothing but its arguments and upvalues holding nil,
 * booleans, numbers, strings or Lua functions that qualify in turn (no globals, no tables, no C
 * functions). If so, pushes a snapshot of those upvalues and returns how many it holds (>= 0);
 * if not, pushes nothing and returns -1. Stack: [] -> [snapshot] or []. */
int tally_snapshot_upvalues(lua_State *L, int index);

/* 1 when every upvalue in the snapshot at `index` still holds the same value. Stack: unchanged. */
int tally_upvalues_unchanged(lua_State *L, int index);

#ifdef __cplusplus
}
#endif

#endif
