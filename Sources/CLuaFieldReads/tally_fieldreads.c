/* Which fields of a parameter a Lua function reads: the function is dumped (lua_dump) and its
 * bytecode scanned. The answer is "these constant field names" only when the parameter's
 * register appears in nothing but `param.name` reads (OP_GETFIELD with the parameter as the
 * table) and no nested function captures it; anything else (passing it on, iterating it,
 * indexing it with a variable, comparing it, writing it) answers "unknown". The scan refuses
 * any dump whose header or opcode numbering it does not recognise, so another Lua version only
 * loses the optimisation.
 *
 * The dump format and the opcodes are Lua 5.4's (ldump.c, lopcodes.h); the numbering is
 * checked once per state against a function whose bytecode is known (tally_fieldreads_check). */

#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "tally_fieldreads.h"

/* Lua 5.4's opcodes that this scan names. */
enum {
    OP54_GETFIELD = 14,
    OP54_JMP = 56,
    OP54_RETURN0 = 71,
    OP54_VARARGPREP = 81,
    OP54_EXTRAARG = 82,
    OP54_COUNT = 83
};

typedef struct {
    unsigned char *bytes;
    size_t length;
    size_t capacity;
    int failed;
} dump_buffer;

static int collect(lua_State *L, const void *p, size_t size, void *ud) {
    (void)L;
    dump_buffer *buffer = (dump_buffer *)ud;
    if (buffer->length + size > buffer->capacity) {
        size_t capacity = buffer->capacity ? buffer->capacity * 2 : 1024;
        while (capacity < buffer->length + size) capacity *= 2;
        unsigned char *grown = (unsigned char *)realloc(buffer->bytes, capacity);
        if (grown == NULL) {
            buffer->failed = 1;
            return 1;
        }
        buffer->bytes = grown;
        buffer->capacity = capacity;
    }
    memcpy(buffer->bytes + buffer->length, p, size);
    buffer->length += size;
    return 0;
}

typedef struct {
    const unsigned char *at;
    const unsigned char *end;
    int bad;
} cursor;

static unsigned char read_byte(cursor *c) {
    if (c->at >= c->end) {
        c->bad = 1;
        return 0;
    }
    return *c->at++;
}

static void skip(cursor *c, size_t n) {
    if ((size_t)(c->end - c->at) < n) {
        c->bad = 1;
        c->at = c->end;
        return;
    }
    c->at += n;
}

/* ldump.c's dumpSize: 7-bit groups, most significant first, the last one flagged with 0x80. */
static size_t read_size(cursor *c) {
    size_t x = 0;
    for (int i = 0; i < 10; i++) {
        unsigned char b = read_byte(c);
        x = (x << 7) | (b & 0x7f);
        if (b & 0x80) return x;
        if (c->bad) return 0;
    }
    c->bad = 1;
    return 0;
}

/* A string: its size plus one (0 for none), then its bytes. */
static const unsigned char *read_string(cursor *c, size_t *length) {
    size_t size = read_size(c);
    if (size == 0) {
        *length = 0;
        return NULL;
    }
    const unsigned char *start = c->at;
    skip(c, size - 1);
    *length = size - 1;
    return start;
}

typedef struct {
    const unsigned char *code; /* instructions, 4 bytes each */
    size_t code_count;
    const unsigned char *constants;
    size_t constant_count;
    const unsigned char *upvalues; /* (instack, idx, kind) each */
    size_t upvalue_count;
    int num_params;
    int is_vararg;
} proto_view;

/* Skips one constant of type `type` (its tag already read); a type it does not know spoils
 * the cursor. */
static void skip_constant(cursor *c, unsigned char type) {
    size_t length;
    switch (type) {
    case 0: case 1: case 17: break;                        /* nil, false, true */
    case 3: skip(c, sizeof(lua_Integer)); break;           /* integer */
    case 19: skip(c, sizeof(lua_Number)); break;           /* float */
    case 4: case 20: (void)read_string(c, &length); break; /* short, long string */
    default: c->bad = 1;
    }
}

/* The `index`th constant as a string, or NULL when it is not one. */
static const unsigned char *constant_string(const proto_view *proto, size_t index, const unsigned char *end,
                                            size_t *length) {
    cursor c = {proto->constants, end, 0};
    for (size_t i = 0; i < proto->constant_count && !c.bad; i++) {
        unsigned char type = read_byte(&c);
        if (i == index) {
            if (type != 4 && type != 20) return NULL;
            const unsigned char *s = read_string(&c, length);
            return c.bad ? NULL : s;
        }
        skip_constant(&c, type);
    }
    return NULL;
}

static int skip_debug(cursor *c) {
    size_t n = read_size(c); /* lineinfo */
    skip(c, n);
    n = read_size(c); /* abslineinfo */
    for (size_t i = 0; i < n && !c->bad; i++) {
        (void)read_size(c);
        (void)read_size(c);
    }
    n = read_size(c); /* locvars */
    for (size_t i = 0; i < n && !c->bad; i++) {
        size_t length;
        (void)read_string(c, &length);
        (void)read_size(c);
        (void)read_size(c);
    }
    n = read_size(c); /* upvalue names */
    for (size_t i = 0; i < n && !c->bad; i++) {
        size_t length;
        (void)read_string(c, &length);
    }
    return !c->bad;
}

/* Reads a whole function (ldump.c's dumpFunction) into `view`; `captured` is set when one of
 * its nested functions has this function's register `param` as an upvalue. Returns 0 on a
 * malformed dump. */
static int read_function(cursor *c, proto_view *view, int param, int *captured, int depth) {
    if (depth > 200) return 0;
    size_t length;
    (void)read_string(c, &length); /* source */
    (void)read_size(c);            /* linedefined */
    (void)read_size(c);            /* lastlinedefined */
    view->num_params = read_byte(c);
    view->is_vararg = read_byte(c);
    (void)read_byte(c); /* maxstacksize */
    view->code_count = read_size(c);
    view->code = c->at;
    if (view->code_count > (size_t)(c->end - c->at) / 4) return 0;
    skip(c, view->code_count * 4);
    view->constant_count = read_size(c);
    view->constants = c->at;
    for (size_t i = 0; i < view->constant_count && !c->bad; i++) skip_constant(c, read_byte(c));
    view->upvalue_count = read_size(c);
    view->upvalues = c->at;
    if (view->upvalue_count > (size_t)(c->end - c->at) / 3) return 0;
    skip(c, view->upvalue_count * 3);
    size_t protos = read_size(c);
    for (size_t i = 0; i < protos && !c->bad; i++) {
        proto_view nested;
        int ignored = 0;
        if (!read_function(c, &nested, -1, &ignored, depth + 1)) return 0;
        for (size_t u = 0; u < nested.upvalue_count; u++) {
            const unsigned char *upvalue = nested.upvalues + 3 * u;
            if (upvalue[0] && upvalue[1] == param) *captured = 1; /* in this function's registers */
        }
    }
    return skip_debug(c) && !c->bad;
}

/* Is operand B of `op` a register (lopcodes.h)? */
static int b_is_register(int op) {
    switch (op) {
    case 0:                     /* MOVE */
    case 12: case 13: case 14:  /* GETTABLE, GETI, GETFIELD */
    case 16: case 20:           /* SETTABLE, SELF */
    case 46:                    /* MMBIN */
    case 49: case 50: case 51: case 52: /* UNM, BNOT, NOT, LEN */
    case 57: case 58: case 59:  /* EQ, LT, LE */
    case 67:                    /* TESTSET */
        return 1;
    default:
        return op >= 21 && op <= 45; /* ADDI .. SHR: R[A] := R[B] op ... */
    }
}

/* Is operand C of `op` a register (lopcodes.h)? `k` set makes it a constant for the stores. */
static int c_is_register(int op, int k) {
    switch (op) {
    case 12: return 1;                                  /* GETTABLE */
    case 15: case 16: case 17: case 18: case 20: return !k; /* SETTABUP, SETTABLE, SETI, SETFIELD, SELF */
    default: return op >= 34 && op <= 45;               /* ADD .. SHR */
    }
}

/* Does register `reg` (a parameter) appear in instruction `i` as anything but the table of a
 * GETFIELD? Conservative: any instruction whose A operand is `reg` or below it counts (A is
 * where every range of registers starts, and parameters are the lowest registers, so this
 * covers writes to parameters and ranges that include one, as well as stores into, compares
 * and returns of parameters), and so does a register operand B or C equal to `reg`. */
static int uses_register(uint32_t i, int reg, int *field_index) {
    int op = (int)(i & 0x7f);
    int a = (int)((i >> 7) & 0xff);
    int k = (int)((i >> 15) & 1);
    int b = (int)((i >> 16) & 0xff);
    int c = (int)((i >> 24) & 0xff);
    *field_index = -1;
    if (op == OP54_JMP || op == OP54_EXTRAARG || op == OP54_RETURN0 || op == OP54_VARARGPREP) return 0;
    if (a <= reg) return 1;
    if (op == OP54_GETFIELD && b == reg) {
        *field_index = c;
        return 0;
    }
    return (b_is_register(op) && b == reg) || (c_is_register(op, k) && c == reg);
}

int tally_parameter_field_reads(lua_State *L, int index, int param, tally_field_read_fn found, void *context) {
    if (param < 0 || !lua_isfunction(L, index) || lua_iscfunction(L, index)) return 0;
    lua_pushvalue(L, index);
    dump_buffer buffer = {NULL, 0, 0, 0};
    int status = lua_dump(L, collect, &buffer, 1); /* stripped: no debug information */
    lua_pop(L, 1);
    int result = 0;
    if (status != 0 || buffer.failed) goto done;

    cursor c = {buffer.bytes, buffer.bytes + buffer.length, 0};
    static const unsigned char header[] = {0x1b, 'L', 'u', 'a', 0x54, 0, 0x19, 0x93, '\r', '\n', 0x1a, '\n', 4,
                                           sizeof(lua_Integer), sizeof(lua_Number)};
    if (buffer.length < sizeof header || memcmp(buffer.bytes, header, sizeof header) != 0) goto done;
    skip(&c, sizeof header + sizeof(lua_Integer) + sizeof(lua_Number)); /* LUAC_INT, LUAC_NUM */
    (void)read_byte(&c);                                                  /* main upvalue count */
    proto_view view;
    int captured = 0;
    if (c.bad || !read_function(&c, &view, param, &captured, 0)) goto done;
    if (captured || view.is_vararg || param >= view.num_params) goto done;

    /* Fields are reported as they are found; a later use of the parameter makes the answer
     * 0, and the caller drops them. */
    for (size_t pc = 0; pc < view.code_count; pc++) {
        uint32_t instruction;
        memcpy(&instruction, view.code + pc * 4, 4);
        if ((int)(instruction & 0x7f) >= OP54_COUNT) goto done;
        int field;
        if (uses_register(instruction, param, &field)) goto done;
        if (field >= 0) {
            size_t length;
            const unsigned char *name = constant_string(&view, (size_t)field, c.end, &length);
            if (name == NULL) goto done;
            found(context, (const char *)name, length);
        }
    }
    result = 1;
done:
    free(buffer.bytes);
    return result;
}
