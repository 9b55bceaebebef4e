#ifndef TALLY_PATTERNS_H
#define TALLY_PATTERNS_H

/*
 * A step-bounded reimplementation of Lua 5.4's pattern matching (string.find, string.match,
 * string.gmatch, string.gsub). Lua's own matcher runs in C, where the instruction-count hook
 * cannot stop it, and backtracks exponentially on patterns such as
 * ('a'):rep(100):match(('a+'):rep(6)..'b'). The guarded functions behave like Lua 5.4's
 * (same results, same error messages) but charge every unit of matcher work to a per-call
 * budget and raise the Lua error "pattern too complex (step limit exceeded)" once it is spent.
 *
 * What a step is: one pattern item tried at one subject position, one character consumed by
 * a repetition or by %b, one backtracking retry; a set [...] longer than 8 bytes and a
 * back-reference cost extra in proportion to their length. A linear scan therefore costs
 * about its length: gsub of "%w+" over 1 MB of text takes about 1.4 M steps, trimming a
 * 100 KB string with "%s*(.-)%s*$" about 0.46 M. The budget is per call of find, match or
 * gsub and per call of a gmatch iterator (gsub's replacement functions run Lua code, which the
 * instruction hook governs, and are not counted).
 *
 * Besides the steps, recursion depth is bounded like Lua's (200: "pattern too complex") and so
 * is the number of captures (32: "too many captures"). Plain string.find (and patterns without
 * special characters) costs no steps: it uses memmem, linear-time on glibc, where Lua's own
 * search is quadratic in the worst case.
 */

#include <lua.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Default per-call budget: 5 M steps. Honest work costs about 0.5-1.7 steps per subject byte
 * (gsub of "%w+" over 1 MB of text: 1.4 M; trimming 100 KB: 0.46 M), so one call may scan a
 * subject of 3 MB or more. Pathological patterns run at 3-5 ns per step on a small idle 2-core
 * VM (optimized C; about 4 times slower at -O0, twice slower with the cores contended), so the
 * worst case a script can force is stopped after about 15-25 ms. The budget trades one for the
 * other linearly: 50 M steps would admit 30 MB scans and let a bad pattern run ~200 ms. */
#define TALLY_PATTERNS_DEFAULT_STEP_LIMIT 5000000LL

/* Replaces find, match, gmatch and gsub in the table at `string_table_index` (normally the
 * `string` library table, which is also the __index of the string metatable, so methods such
 * as s:match(p) are guarded too). The four closures share the state's step limit.
 * Stack: unchanged. May raise a memory error (call it while setting the state up). */
void tally_patterns_install(lua_State *L, int string_table_index);

/* Sets the per-call step budget of the guarded functions of this state (all threads); takes
 * effect on the next call, including for gmatch iterators created earlier. `steps <= 0` means
 * no limit. Can be called before or after tally_patterns_install. Stack: unchanged.
 * May raise a memory error only the first time it is called on a state without the guard. */
void tally_patterns_set_step_limit(lua_State *L, long long steps);

#ifdef __cplusplus
}
#endif

#endif
