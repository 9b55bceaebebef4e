#ifndef TALLY_FIELDREADS_H
#define TALLY_FIELDREADS_H

/*
 * Which fields of a parameter a Lua function reads, found by scanning its Lua 5.4 bytecode
 * (lua_dump). Never raises a Lua error: it may be called from anywhere, Swift included.
 */

#include <stddef.h>
#include <lua.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Receives one field name found by tally_parameter_field_reads. */
typedef void (*tally_field_read_fn)(void *context, const char *name, size_t length);

/* Which fields the Lua function at `index` reads from its parameter number `param` (0-based):
 * calls `found` for each `param.name` read in its bytecode and returns 1 when that is all the
 * function does with the parameter (no other use, no nested function capturing it); returns 0
 * when it does more or its bytecode is not Lua 5.4's as expected, and the names `found` was
 * given are then meaningless. Never raises. */
int tally_parameter_field_reads(lua_State *L, int index, int param, tally_field_read_fn found, void *context);

#ifdef __cplusplus
}
#endif

#endif
