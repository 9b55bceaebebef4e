/* The scanner: an explicit-stack state machine that validates and writes the tape. */
#include "cej_internal.h"

static inline bool is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline const uint8_t *skip_space(const uint8_t *p, const uint8_t *end)
{
    if (p < end && *p > ' ') return p; /* compact JSON: no white space at all */
    while (p < end && is_space(*p)) p++;
    return p;
}

/* Stores an error; a syntax error at a byte that is not valid UTF-8 reports the encoding. */
static int32_t fail(cej_result *result, int32_t code, const uint8_t *at, const uint8_t *input,
                    const uint8_t *end)
{
    if (at < end && *at >= 0x80 && code != CEJ_ERR_UNTERMINATED_STRING &&
        cej_utf8_sequence_length(at, end) == 0) {
        code = CEJ_ERR_INVALID_UTF8;
    }
    result->code = code;
    result->offset = (uint32_t)(at - input);
    result->count = 0;
    return code;
}

#define FAIL(code, at) return fail(result, (code), (at), input, end)

int32_t cej_parse(const uint8_t *input, size_t length, cej_token *tape, uint32_t capacity,
                  cej_result *result)
{
    if (length > CEJ_MAX_INPUT) {
        result->code = CEJ_ERR_TOO_LONG;
        result->offset = 0;
        result->count = 0;
        return CEJ_ERR_TOO_LONG;
    }
    static const uint8_t empty = 0;
    if (input == NULL) input = &empty; /* only when length == 0 */
    const uint8_t *p = input;
    const uint8_t *const end = input + length;
    uint32_t stack[CEJ_MAX_DEPTH];     /* token index of each open container */
    bool is_object[CEJ_MAX_DEPTH];     /* its kind (kept here: the token may not fit) */
    uint32_t members[CEJ_MAX_DEPTH];   /* its child count so far */
    int depth = 0;
    uint32_t n = 0;                    /* tokens produced (written while n < capacity) */
    cej_token overflow;                /* where tokens beyond the capacity are built */
    int32_t code = CEJ_OK;
    const uint8_t *error_at = NULL;

value:
    p = skip_space(p, end);
    if (p >= end) FAIL(CEJ_ERR_EXPECTED_VALUE, p);
    if (depth > 0 && !is_object[depth - 1]) members[depth - 1]++;
    {
        cej_token *t = n < capacity ? &tape[n] : &overflow;
        t->flags = 0;
        t->reserved = 0;
        t->start = (uint32_t)(p - input);
        t->length = 0;
        t->next = n + 1;
        t->value.i = 0;
        switch (*p) {
        case '{':
        case '[': {
            if (depth == CEJ_MAX_DEPTH) FAIL(CEJ_ERR_TOO_DEEP, p);
            bool object = *p == '{';
            t->kind = object ? CEJ_OBJECT : CEJ_ARRAY;
            is_object[depth] = object;
            members[depth] = 0;
            stack[depth++] = n++;
            p = skip_space(p + 1, end);
            if (p < end && *p == (object ? '}' : ']')) {
                p++;
                depth--;
                t->next = n;
                goto after_value;
            }
            if (object) goto key;
            goto value;
        }
        case '"': {
            uint8_t flags = 0;
            const uint8_t *q = cej_scan_string(p + 1, end, &flags, &code, &error_at);
            if (q == NULL) FAIL(code, error_at);
            t->kind = CEJ_STRING;
            t->flags = flags;
            t->start = (uint32_t)(p + 1 - input);
            t->length = (uint32_t)(q - (p + 1));
            n++;
            p = q + 1;
            goto after_value;
        }
        case 't':
            if (!cej_matches(p, end, "true", 4)) FAIL(CEJ_ERR_BAD_LITERAL, p);
            t->kind = CEJ_TRUE;
            t->length = 4;
            n++;
            p += 4;
            goto after_value;
        case 'f':
            if (!cej_matches(p, end, "false", 5)) FAIL(CEJ_ERR_BAD_LITERAL, p);
            t->kind = CEJ_FALSE;
            t->length = 5;
            n++;
            p += 5;
            goto after_value;
        case 'n':
            if (!cej_matches(p, end, "null", 4)) FAIL(CEJ_ERR_BAD_LITERAL, p);
            t->kind = CEJ_NULL;
            t->length = 4;
            n++;
            p += 4;
            goto after_value;
        case 'N':
            if (cej_matches(p, end, "NaN", 3)) FAIL(CEJ_ERR_NON_FINITE, p);
            FAIL(CEJ_ERR_EXPECTED_VALUE, p);
        case 'I':
            if (cej_matches(p, end, "Infinity", 8)) FAIL(CEJ_ERR_NON_FINITE, p);
            FAIL(CEJ_ERR_EXPECTED_VALUE, p);
        case '-':
        case '0': case '1': case '2': case '3': case '4':
        case '5': case '6': case '7': case '8': case '9': {
            const uint8_t *q = cej_scan_number(p, end, t, &code);
            if (q == NULL) FAIL(code, p);
            n++;
            p = q;
            goto after_value;
        }
        default:
            FAIL(CEJ_ERR_EXPECTED_VALUE, p);
        }
    }

key:
    /* p is at a non-space byte (or the end) where a member's key must start. */
    if (p >= end || *p != '"') FAIL(CEJ_ERR_EXPECTED_KEY, p);
    members[depth - 1]++;
    {
        uint8_t flags = 0;
        const uint8_t *q = cej_scan_string(p + 1, end, &flags, &code, &error_at);
        if (q == NULL) FAIL(code, error_at);
        cej_token *t = n < capacity ? &tape[n] : &overflow;
        t->kind = CEJ_STRING;
        t->flags = flags;
        t->reserved = 0;
        t->start = (uint32_t)(p + 1 - input);
        t->length = (uint32_t)(q - (p + 1));
        t->next = n + 1;
        t->value.i = 0;
        n++;
        p = skip_space(q + 1, end);
        if (p >= end || *p != ':') FAIL(CEJ_ERR_EXPECTED_COLON, p);
        p++;
        goto value;
    }

after_value:
    p = skip_space(p, end);
    if (depth == 0) {
        if (p != end) FAIL(CEJ_ERR_TRAILING, p);
        /* Valid JSON. If the tape was too small, say how many tokens are needed. */
        result->code = n <= capacity ? CEJ_OK : CEJ_ERR_TAPE_FULL;
        result->offset = (uint32_t)length;
        result->count = n;
        return result->code;
    }
    {
        uint32_t top = stack[depth - 1];
        bool object = is_object[depth - 1];
        if (p < end && *p == ',') {
            p = skip_space(p + 1, end);
            if (object) goto key;
            goto value;
        }
        if (p < end && *p == (object ? '}' : ']')) {
            p++;
            depth--;
            if (top < capacity) {
                tape[top].next = n;
                tape[top].length = members[depth];
            }
            goto after_value;
        }
        FAIL(object ? CEJ_ERR_EXPECTED_OBJECT_SEP : CEJ_ERR_EXPECTED_ARRAY_SEP, p);
    }
}
