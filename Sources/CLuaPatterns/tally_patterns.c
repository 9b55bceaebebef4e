/*
 * Step-bounded Lua 5.4 pattern matching: string.find, string.match, string.gmatch and
 * string.gsub, written from the reference manual (§6.4, §6.4.1) and checked against the real
 * library by Tests/LuaKitTests/PatternGuardTests.swift.
 *
 * The matcher is the classic backtracking one that Lua's semantics describe: a pattern is a
 * sequence of items, each either a single-character class with an optional quantifier
 * (* + - ?), a capture bracket, an anchor ($ at the very end), %b, %f or a back-reference %1-%9.
 * Matching walks the pattern left to right; a choice point (a quantifier, a capture boundary)
 * recurses on the rest of the pattern and undoes its effect when that fails. All subject and
 * pattern positions are byte indices, and every pattern byte is read through a bounds check,
 * so embedded zeros are ordinary characters in both.
 *
 * Work is charged to a step budget (see tally_patterns.h for the cost model); recursion depth
 * and the number of captures are bounded like Lua's. Errors are raised (tp_raise, which is
 * luaL_error) from C only: these functions are called by Lua, never through a Swift frame.
 */

#define _GNU_SOURCE /* memmem on glibc (a linear-time substring search) */

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "tally_patterns.h"
#include "CLuaSupport.h"

#define TP_ESC '%'
#define TP_MAX_CAPTURES 32  /* LUA_MAXCAPTURES */
#define TP_MAX_DEPTH 200    /* MAXCCALLS of Lua's matcher: nesting of match attempts */
#define TP_CAP_OPEN (-1)    /* capture length while its ')' has not been matched */
#define TP_CAP_POSITION (-2) /* capture length of a position capture "()" */
#define TP_NO_MATCH ((ptrdiff_t)-1)
#define TP_END (-1)          /* what tp_pat returns past the end of the pattern */
#define TP_SET_BYTES_PER_STEP 8 /* a set scan costs one extra step per this many bytes */
#define TP_BACKREF_BYTES_PER_STEP 32 /* a back-reference costs one extra step per this many */

static const char TP_STEP_MESSAGE[] = "pattern too complex (step limit exceeded)";

/* The registry key (its address) of the box holding the state's step limit. */
static const char tp_limit_key = 0;

#if defined(__GNUC__) || defined(__clang__)
#define TP_NORETURN __attribute__((noreturn))
#define TP_UNREACHABLE() __builtin_unreachable()
#else
#define TP_NORETURN
#define TP_UNREACHABLE() ((void)0)
#endif

/* luaL_error, declared as never returning so that compilers and analysers know the code after
 * an error is dead: the message gets the caller's position like luaL_error's, then longjmps. */
static TP_NORETURN void tp_raise(lua_State *L, const char *fmt, ...) {
    va_list args;
    luaL_where(L, 1);
    va_start(args, fmt);
    lua_pushvfstring(L, fmt, args);
    va_end(args);
    lua_concat(L, 2);
    lua_error(L);
    TP_UNREACHABLE();
}

/* ------------------------------------------------------------------------------------------ */
/* Matcher state                                                                              */

typedef struct {
    size_t at;     /* subject index where the capture starts */
    ptrdiff_t len; /* its length, TP_CAP_OPEN or TP_CAP_POSITION */
} tp_capture;

typedef struct {
    lua_State *L;
    const unsigned char *src; /* subject */
    size_t src_len;
    const unsigned char *pat; /* pattern, without a leading '^' anchor */
    size_t pat_len;
    long long steps_left;     /* budget of the whole call; never reset between attempts */
    int depth_left;           /* recursion allowance of the current attempt */
    int level;                /* captures opened so far in the current attempt */
    tp_capture cap[TP_MAX_CAPTURES];
} tp_matcher;

static void tp_init(tp_matcher *m, lua_State *L, const char *s, size_t ls, const char *p,
                    size_t lp, long long limit) {
    m->L = L;
    m->src = (const unsigned char *)s;
    m->src_len = ls;
    m->pat = (const unsigned char *)p;
    m->pat_len = lp;
    m->steps_left = limit > 0 ? limit : LLONG_MAX;
    m->depth_left = TP_MAX_DEPTH;
    m->level = 0;
}

/* Starts a new attempt at another subject position: no captures, full recursion allowance. */
static void tp_restart(tp_matcher *m) {
    m->level = 0;
    m->depth_left = TP_MAX_DEPTH;
}

/* Spends `cost` steps; raises the step-limit error once the budget is exhausted. */
static void tp_charge(tp_matcher *m, long long cost) {
    m->steps_left -= cost;
    if (m->steps_left < 0) {
        /* Spent: trip the call's budget too, so a script's own pcall cannot retry forever. */
        tally_budget_trip(m->L, TALLY_TRIP_PATTERN);
        tp_raise(m->L, "%s", TP_STEP_MESSAGE);
    }
}

/* The pattern byte at `i`, or TP_END past the end. */
static int tp_pat(const tp_matcher *m, size_t i) {
    return i < m->pat_len ? m->pat[i] : TP_END;
}

/* ------------------------------------------------------------------------------------------ */
/* Single-character classes                                                                   */

/* Does byte `c` belong to the class named by `cls` (the letter after '%')? A known letter
 * (a c d g l p s u w x) names a <ctype.h> class, 'z' the zero byte (the 5.1 class, still
 * honoured by Lua 5.4), its upper case the complement; any other byte after '%' stands for
 * itself. */
static int tp_in_class(int c, int cls) {
    int in;
    switch (tolower(cls)) {
        case 'a': in = isalpha(c); break;
        case 'c': in = iscntrl(c); break;
        case 'd': in = isdigit(c); break;
        case 'g': in = isgraph(c); break;
        case 'l': in = islower(c); break;
        case 'p': in = ispunct(c); break;
        case 's': in = isspace(c); break;
        case 'u': in = isupper(c); break;
        case 'w': in = isalnum(c); break;
        case 'x': in = isxdigit(c); break;
        case 'z': in = c == 0; break; /* undocumented since 5.2, still accepted by 5.4 */
        default: return cls == c;
    }
    if (isupper(cls)) in = !in;
    return in != 0;
}

/* Does byte `c` belong to the set whose '[' is at `p` and whose closing ']' is at `close`?
 * Members are read left to right: "%x" is a class or an escaped byte, "a-z" a range (only when
 * the '-' is followed by a byte before the closing ']'), anything else a literal byte; a '^'
 * right after '[' complements the set. tp_item_end has checked the shape, so every index
 * read here lies before `close`. */
static int tp_in_set(const tp_matcher *m, int c, size_t p, size_t close) {
    const unsigned char *pat = m->pat;
    int found = 1;
    p++;
    if (pat[p] == '^') {
        found = 0;
        p++;
    }
    while (p < close) {
        if (pat[p] == TP_ESC && p + 1 < close) {
            if (tp_in_class(c, pat[p + 1])) return found;
            p += 2;
        } else if (p + 2 < close && pat[p + 1] == '-') {
            if (pat[p] <= c && c <= pat[p + 2]) return found;
            p += 3;
        } else {
            if (pat[p] == c) return found;
            p++;
        }
    }
    return !found;
}

/* The index just past the single-character class that starts at `p` (< pat_len): "%x", a
 * set "[...]" or one byte. Raises the malformed-pattern errors. In a set, the first member
 * may be ']' (also after '^'), and "%]" does not close it. */
static size_t tp_item_end(const tp_matcher *m, size_t p) {
    int c = m->pat[p++];
    if (c == TP_ESC) {
        if (p >= m->pat_len) tp_raise(m->L, "malformed pattern (ends with '%%')");
        return p + 1;
    }
    if (c == '[') {
        if (tp_pat(m, p) == '^') p++;
        do {
            if (p >= m->pat_len) tp_raise(m->L, "malformed pattern (missing ']')");
            c = m->pat[p++];
            if (c == TP_ESC && p < m->pat_len) p++;
        } while (tp_pat(m, p) != ']');
        return p + 1;
    }
    return p;
}

/* Does the class at [p, ep) match the subject byte at `s`? Never matches at the end. */
static int tp_single(tp_matcher *m, size_t s, size_t p, size_t ep) {
    int c;
    if (s >= m->src_len) return 0;
    c = m->src[s];
    switch (m->pat[p]) {
        case '.': return 1;
        case TP_ESC: return tp_in_class(c, m->pat[p + 1]);
        case '[':
            if (ep - p > TP_SET_BYTES_PER_STEP)
                tp_charge(m, (long long)((ep - p) / TP_SET_BYTES_PER_STEP));
            return tp_in_set(m, c, p, ep - 1);
        default: return m->pat[p] == c;
    }
}

/* tp_single as one step of work. */
static int tp_single_step(tp_matcher *m, size_t s, size_t p, size_t ep) {
    tp_charge(m, 1);
    return tp_single(m, s, p, ep);
}

/* ------------------------------------------------------------------------------------------ */
/* The matcher                                                                                */

static ptrdiff_t tp_match(tp_matcher *m, size_t s, size_t p);

/* Greedy repetition (x* and, one byte in, x+): take the longest run of the class at [p, ep)
 * starting at `s`, then try the rest of the pattern after it, giving back one byte per retry. */
static ptrdiff_t tp_greedy(tp_matcher *m, size_t s, size_t p, size_t ep) {
    size_t n = 0;
    while (tp_single_step(m, s + n, p, ep)) n++;
    for (;;) {
        ptrdiff_t r = tp_match(m, s + n, ep + 1);
        if (r != TP_NO_MATCH) return r;
        if (n == 0) return TP_NO_MATCH;
        n--;
    }
}

/* Lazy repetition (x-): try the rest of the pattern first, and consume one more byte of the
 * class only when that fails. */
static ptrdiff_t tp_lazy(tp_matcher *m, size_t s, size_t p, size_t ep) {
    for (;;) {
        ptrdiff_t r = tp_match(m, s, ep + 1);
        if (r != TP_NO_MATCH) return r;
        if (!tp_single_step(m, s, p, ep)) return TP_NO_MATCH;
        s++;
    }
}

/* '(' or "()" at the pattern: record a capture starting at `s` and match the rest from `p`;
 * forget the capture again if the rest fails. */
static ptrdiff_t tp_open_capture(tp_matcher *m, size_t s, size_t p, ptrdiff_t kind) {
    ptrdiff_t r;
    if (m->level >= TP_MAX_CAPTURES) tp_raise(m->L, "too many captures");
    m->cap[m->level].at = s;
    m->cap[m->level].len = kind;
    m->level++;
    r = tp_match(m, s, p);
    if (r == TP_NO_MATCH) m->level--;
    return r;
}

/* ')' at the pattern: close the innermost open capture at `s` and match the rest from `p`;
 * reopen it if the rest fails. */
static ptrdiff_t tp_close_capture(tp_matcher *m, size_t s, size_t p) {
    int i = m->level - 1;
    ptrdiff_t r;
    while (i >= 0 && m->cap[i].len != TP_CAP_OPEN) i--;
    if (i < 0) tp_raise(m->L, "invalid pattern capture");
    m->cap[i].len = (ptrdiff_t)(s - m->cap[i].at);
    r = tp_match(m, s, p);
    if (r == TP_NO_MATCH) m->cap[i].len = TP_CAP_OPEN;
    return r;
}

/* "%bxy" with `p` at x: a run from x to the y that balances it (x opens, y closes; with x == y
 * the next y closes). Returns the index after that y, or TP_NO_MATCH. */
static ptrdiff_t tp_balance(tp_matcher *m, size_t s, size_t p) {
    int open, close;
    size_t depth = 1, i;
    if (p + 1 >= m->pat_len) tp_raise(m->L, "malformed pattern (missing arguments to '%%b')");
    open = m->pat[p];
    close = m->pat[p + 1];
    if (s >= m->src_len || m->src[s] != open) return TP_NO_MATCH;
    for (i = s + 1; i < m->src_len; i++) {
        if (m->src[i] == close) {
            if (--depth == 0) break;
        } else if (m->src[i] == open) {
            depth++;
        }
    }
    tp_charge(m, (long long)(i - s)); /* one step per byte scanned */
    return i < m->src_len ? (ptrdiff_t)(i + 1) : TP_NO_MATCH;
}

/* "%1".."%9" (and the invalid "%0") with `d` the digit: the text of that finished capture
 * again at `s`. Returns the index after it, or TP_NO_MATCH (always for a position capture). */
static ptrdiff_t tp_backref(tp_matcher *m, size_t s, int d) {
    int i = d - '1';
    size_t len;
    if (i < 0 || i >= m->level || m->cap[i].len == TP_CAP_OPEN)
        tp_raise(m->L, "invalid capture index %%%d", i + 1);
    if (m->cap[i].len == TP_CAP_POSITION) return TP_NO_MATCH;
    len = (size_t)m->cap[i].len;
    tp_charge(m, 1 + (long long)(len / TP_BACKREF_BYTES_PER_STEP));
    if (m->src_len - s < len || memcmp(m->src + m->cap[i].at, m->src + s, len) != 0)
        return TP_NO_MATCH;
    return (ptrdiff_t)(s + len);
}

/* Matches the pattern from index `p` against the subject from index `s`. Returns the subject
 * index where the match ends, or TP_NO_MATCH. Items that cannot need backtracking (a plain
 * class, %b, %f, a back-reference) advance in the loop; choice points recurse. */
static ptrdiff_t tp_match(tp_matcher *m, size_t s, size_t p) {
    ptrdiff_t r = TP_NO_MATCH;
    if (m->depth_left-- == 0) tp_raise(m->L, "pattern too complex");
    for (;;) {
        int c;
        size_t ep;
        int q;
        tp_charge(m, 1); /* one item (or the end of the pattern) tried at one position */
        if (p >= m->pat_len) {
            r = (ptrdiff_t)s;
            break;
        }
        c = m->pat[p];
        if (c == '(') {
            if (tp_pat(m, p + 1) == ')')
                r = tp_open_capture(m, s, p + 2, TP_CAP_POSITION);
            else
                r = tp_open_capture(m, s, p + 1, TP_CAP_OPEN);
            break;
        }
        if (c == ')') {
            r = tp_close_capture(m, s, p + 1);
            break;
        }
        if (c == '$' && p + 1 == m->pat_len) { /* '$' anchors only as the last byte */
            r = s == m->src_len ? (ptrdiff_t)s : TP_NO_MATCH;
            break;
        }
        if (c == TP_ESC) {
            int d = tp_pat(m, p + 1);
            if (d == 'b') {
                r = tp_balance(m, s, p + 2);
                if (r == TP_NO_MATCH) break;
                s = (size_t)r;
                p += 4;
                continue;
            }
            if (d == 'f') { /* frontier: the set fails before `s` and holds at `s` */
                int before, at;
                p += 2;
                if (tp_pat(m, p) != '[') tp_raise(m->L, "missing '[' after '%%f' in pattern");
                ep = tp_item_end(m, p);
                before = s == 0 ? 0 : m->src[s - 1];
                at = s < m->src_len ? m->src[s] : 0;
                if (tp_in_set(m, before, p, ep - 1) || !tp_in_set(m, at, p, ep - 1)) {
                    r = TP_NO_MATCH;
                    break;
                }
                p = ep;
                continue;
            }
            if (d != TP_END && isdigit(d)) {
                r = tp_backref(m, s, d);
                if (r == TP_NO_MATCH) break;
                s = (size_t)r;
                p += 2;
                continue;
            }
        }
        /* A single-character class, maybe followed by a quantifier. */
        ep = tp_item_end(m, p);
        q = tp_pat(m, ep);
        if (!tp_single(m, s, p, ep)) {
            if (q == '*' || q == '?' || q == '-') { /* zero repetitions are fine */
                p = ep + 1;
                continue;
            }
            r = TP_NO_MATCH;
            break;
        }
        if (q == '?') { /* with the byte if the rest matches, else without it */
            r = tp_match(m, s + 1, ep + 1);
            if (r != TP_NO_MATCH) break;
            p = ep + 1;
            continue;
        }
        if (q == '+') {
            r = tp_greedy(m, s + 1, p, ep);
            break;
        }
        if (q == '*') {
            r = tp_greedy(m, s, p, ep);
            break;
        }
        if (q == '-') {
            r = tp_lazy(m, s, p, ep);
            break;
        }
        s++; /* no quantifier: exactly one byte */
        p = ep;
    }
    m->depth_left++;
    return r;
}

/* ------------------------------------------------------------------------------------------ */
/* Results                                                                                    */

/* Capture `i` of a match [s, e). For a text capture, sets `*text` and `*len` and returns 1;
 * for a position capture "()", sets `*pos` (1-based) and returns 0. With no captures,
 * capture 0 is the whole match. */
static int tp_get_capture(tp_matcher *m, int i, size_t s, size_t e, const char **text,
                          size_t *len, lua_Integer *pos) {
    if (i >= m->level) {
        if (i != 0) tp_raise(m->L, "invalid capture index %%%d", i + 1);
        *text = (const char *)m->src + s;
        *len = e - s;
        return 1;
    }
    if (m->cap[i].len == TP_CAP_OPEN) tp_raise(m->L, "unfinished capture");
    if (m->cap[i].len == TP_CAP_POSITION) {
        *pos = (lua_Integer)m->cap[i].at + 1;
        return 0;
    }
    *text = (const char *)m->src + m->cap[i].at;
    *len = (size_t)m->cap[i].len;
    return 1;
}

/* Pushes capture `i` of a match [s, e): its text, or its position for "()". */
static void tp_push_capture(tp_matcher *m, int i, size_t s, size_t e) {
    const char *text;
    size_t len;
    lua_Integer pos;
    if (tp_get_capture(m, i, s, e, &text, &len, &pos))
        lua_pushlstring(m->L, text, len);
    else
        lua_pushinteger(m->L, pos);
}

/* Pushes all captures of a match [s, e) and returns their count; with no captures, the whole
 * match when `whole` is set (match, gmatch, gsub), nothing otherwise (find). */
static int tp_push_captures(tp_matcher *m, size_t s, size_t e, int whole) {
    int n = (m->level == 0 && whole) ? 1 : m->level;
    int i;
    luaL_checkstack(m->L, n, "too many captures");
    for (i = 0; i < n; i++) tp_push_capture(m, i, s, e);
    return n;
}

/* ------------------------------------------------------------------------------------------ */
/* The library functions                                                                      */

/* The step limit of the state, shared by the closures as their first upvalue. */
static long long tp_limit(lua_State *L, int upvalue) {
    const long long *box = (const long long *)lua_touserdata(L, lua_upvalueindex(upvalue));
    return box != NULL ? *box : TALLY_PATTERNS_DEFAULT_STEP_LIMIT;
}

/* A 1-based start position as Lua reads `init`: negative counts from the end, 0 and anything
 * before the start mean 1. Returns the 0-based index (may exceed `len`). */
static size_t tp_start_index(lua_Integer pos, size_t len) {
    if (pos > 0) return (size_t)pos - 1;
    if (pos == 0 || pos < -(lua_Integer)len) return 0;
    return (size_t)((lua_Integer)len + pos);
}

/* Does the pattern lack every byte that makes find use the matcher? */
static int tp_no_specials(const char *p, size_t lp) {
    size_t i;
    for (i = 0; i < lp; i++) {
        switch (p[i]) {
            case '^': case '$': case '*': case '+': case '?': case '.': case '(': case '[':
            case '%': case '-':
                return 0;
            default: break;
        }
    }
    return 1;
}

/* The first occurrence of `needle` in `hay`, in linear time; an empty needle is at the start. */
static const char *tp_find_plain(const char *hay, size_t lh, const char *needle, size_t ln) {
    if (ln == 0) return hay;
    if (ln > lh) return NULL;
    return (const char *)memmem(hay, lh, needle, ln);
}

/* string.find (find = 1) and string.match (find = 0). */
static int tp_find_aux(lua_State *L, int find) {
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = tp_start_index(luaL_optinteger(L, 3, 1), ls);
    if (init > ls) { /* starts after the end: no match, not even an empty one */
        lua_pushnil(L);
        return 1;
    }
    if (find && (lua_toboolean(L, 4) || tp_no_specials(p, lp))) {
        const char *hit = tp_find_plain(s + init, ls - init, p, lp);
        if (hit != NULL) {
            lua_pushinteger(L, (lua_Integer)(hit - s) + 1);
            lua_pushinteger(L, (lua_Integer)(hit - s) + (lua_Integer)lp);
            return 2;
        }
    } else {
        tp_matcher m;
        int anchor = lp > 0 && p[0] == '^';
        size_t at = init;
        tp_init(&m, L, s, ls, p + anchor, lp - (size_t)anchor, tp_limit(L, 1));
        for (;;) { /* try each start position, or only `init` when anchored */
            ptrdiff_t e;
            tp_restart(&m);
            e = tp_match(&m, at, 0);
            if (e != TP_NO_MATCH) {
                if (!find) return tp_push_captures(&m, at, (size_t)e, 1);
                lua_pushinteger(L, (lua_Integer)at + 1);
                lua_pushinteger(L, (lua_Integer)e);
                return tp_push_captures(&m, 0, 0, 0) + 2;
            }
            if (anchor || at >= ls) break;
            at++;
        }
    }
    lua_pushnil(L);
    return 1;
}

static int tp_find(lua_State *L) { return tp_find_aux(L, 1); }

static int tp_match_fn(lua_State *L) { return tp_find_aux(L, 0); }

/* Where a gmatch iterator resumes. */
typedef struct {
    size_t next;     /* subject index of the next attempt (may be len + 1: exhausted) */
    size_t last_end; /* end of the previous match, valid when has_last */
    int has_last;
} tp_gmatch_state;

/* The gmatch iterator. Upvalues: subject, pattern, tp_gmatch_state, step-limit box.
 * A match that ends where the previous one ended is skipped (Lua 5.4's rule), so "a*" over
 * "baaac" yields "", "aaa" and the "" at the very end, but no "" between "aaa" and 'c'.
 * A leading '^' is an ordinary byte here, as in Lua 5.4. */
static int tp_gmatch_step(lua_State *L) {
    size_t ls, lp, at;
    const char *s = lua_tolstring(L, lua_upvalueindex(1), &ls);
    const char *p = lua_tolstring(L, lua_upvalueindex(2), &lp);
    tp_gmatch_state *g = (tp_gmatch_state *)lua_touserdata(L, lua_upvalueindex(3));
    tp_matcher m;
    tp_init(&m, L, s, ls, p, lp, tp_limit(L, 4));
    for (at = g->next; at <= ls; at++) {
        ptrdiff_t e;
        tp_restart(&m);
        e = tp_match(&m, at, 0);
        if (e != TP_NO_MATCH && !(g->has_last && (size_t)e == g->last_end)) {
            g->next = g->last_end = (size_t)e;
            g->has_last = 1;
            return tp_push_captures(&m, at, (size_t)e, 1);
        }
    }
    return 0;
}

/* string.gmatch(s, pattern [, init]). */
static int tp_gmatch(lua_State *L) {
    size_t ls, lp, init;
    tp_gmatch_state *g;
    luaL_checklstring(L, 1, &ls);
    luaL_checklstring(L, 2, &lp);
    init = tp_start_index(luaL_optinteger(L, 3, 1), ls);
    if (init > ls) init = ls + 1; /* start after the end: nothing to find */
    lua_settop(L, 2);
    g = (tp_gmatch_state *)lua_newuserdatauv(L, sizeof *g, 0);
    g->next = init;
    g->last_end = 0;
    g->has_last = 0;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushcclosure(L, tp_gmatch_step, 4);
    return 1;
}

/* Appends the replacement string (argument 3) for a match [s, e): "%0" is the whole match,
 * "%1".."%9" a capture ("%1" is the whole match when there are no captures), "%%" a '%'. */
static void tp_add_template(tp_matcher *m, luaL_Buffer *b, size_t s, size_t e) {
    lua_State *L = m->L;
    size_t l, i = 0;
    const char *t = lua_tolstring(L, 3, &l);
    const char *pct;
    while ((pct = (const char *)memchr(t + i, TP_ESC, l - i)) != NULL) {
        size_t k = (size_t)(pct - t) + 1; /* index of the byte after '%' */
        int d = k < l ? (unsigned char)t[k] : TP_END;
        luaL_addlstring(b, t + i, (size_t)(pct - t) - i);
        if (d == TP_ESC) {
            luaL_addchar(b, TP_ESC);
        } else if (d == '0') {
            luaL_addlstring(b, (const char *)m->src + s, e - s);
        } else if (d != TP_END && isdigit(d)) {
            const char *text;
            size_t len;
            lua_Integer pos;
            if (tp_get_capture(m, d - '1', s, e, &text, &len, &pos)) {
                luaL_addlstring(b, text, len);
            } else {
                lua_pushinteger(L, pos);
                luaL_addvalue(b);
            }
        } else {
            tp_raise(L, "invalid use of '%c' in replacement string", TP_ESC);
        }
        i = k + 1;
    }
    luaL_addlstring(b, t + i, l - i);
}

/* Appends the replacement for a match [s, e) according to the type `tr` of argument 3.
 * A function or table result of false or nil keeps the original text. Returns whether
 * anything other than the original text was added. */
static int tp_add_replacement(tp_matcher *m, luaL_Buffer *b, size_t s, size_t e, int tr) {
    lua_State *L = m->L;
    if (tr == LUA_TFUNCTION) {
        int n;
        lua_pushvalue(L, 3);
        n = tp_push_captures(m, s, e, 1);
        lua_call(L, n, 1);
    } else if (tr == LUA_TTABLE) {
        tp_push_capture(m, 0, s, e);
        lua_gettable(L, 3);
    } else {
        tp_add_template(m, b, s, e);
        return 1;
    }
    if (!lua_toboolean(L, -1)) {
        lua_pop(L, 1);
        luaL_addlstring(b, (const char *)m->src + s, e - s);
        return 0;
    }
    if (!lua_isstring(L, -1))
        tp_raise(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    luaL_addvalue(b);
    return 1;
}

/* string.gsub(s, pattern, repl [, n]). After a match, the next attempt starts where it ended;
 * an empty match right at the end of the previous match is skipped, and where nothing matches
 * one byte is copied and the scan moves on. */
static int tp_gsub(lua_State *L) {
    size_t ls, lp, at = 0, last_end = 0;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    int tr = lua_type(L, 3);
    lua_Integer max_n = luaL_optinteger(L, 4, (lua_Integer)ls + 1);
    int anchor = lp > 0 && p[0] == '^';
    int has_last = 0, changed = 0;
    lua_Integer n = 0;
    tp_matcher m;
    luaL_Buffer b;
    luaL_argexpected(L, tr == LUA_TNUMBER || tr == LUA_TSTRING || tr == LUA_TFUNCTION ||
                         tr == LUA_TTABLE, 3, "string/function/table");
    luaL_buffinit(L, &b);
    tp_init(&m, L, s, ls, p + anchor, lp - (size_t)anchor, tp_limit(L, 1));
    while (n < max_n) {
        ptrdiff_t e;
        tp_restart(&m);
        e = tp_match(&m, at, 0);
        if (e != TP_NO_MATCH && !(has_last && (size_t)e == last_end)) {
            n++;
            changed |= tp_add_replacement(&m, &b, at, (size_t)e, tr);
            at = last_end = (size_t)e;
            has_last = 1;
        } else if (at < ls) {
            luaL_addchar(&b, s[at++]);
        } else {
            break;
        }
        if (anchor) break;
    }
    if (!changed) {
        lua_pushvalue(L, 1); /* nothing replaced: the subject itself */
    } else {
        luaL_addlstring(&b, s + at, ls - at);
        luaL_pushresult(&b);
    }
    lua_pushinteger(L, n);
    return 2;
}

/* ------------------------------------------------------------------------------------------ */
/* Installation                                                                               */

/* Pushes the state's step-limit box, creating it (with the default) on first use. */
static long long *tp_push_limit_box(lua_State *L) {
    long long *box;
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &tp_limit_key) == LUA_TUSERDATA)
        return (long long *)lua_touserdata(L, -1);
    lua_pop(L, 1);
    box = (long long *)lua_newuserdatauv(L, sizeof *box, 0);
    *box = TALLY_PATTERNS_DEFAULT_STEP_LIMIT;
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &tp_limit_key);
    return box;
}

void tally_patterns_install(lua_State *L, int string_table_index) {
    static const luaL_Reg functions[] = {
        {"find", tp_find}, {"match", tp_match_fn}, {"gmatch", tp_gmatch}, {"gsub", tp_gsub},
        {NULL, NULL},
    };
    const luaL_Reg *f;
    int table = lua_absindex(L, string_table_index);
    tp_push_limit_box(L);
    for (f = functions; f->name != NULL; f++) {
        lua_pushvalue(L, -1);
        lua_pushcclosure(L, f->func, 1);
        lua_setfield(L, table, f->name);
    }
    lua_pop(L, 1);
}

void tally_patterns_set_step_limit(lua_State *L, long long steps) {
    long long *box = tp_push_limit_box(L);
    *box = steps;
    lua_pop(L, 1);
}
