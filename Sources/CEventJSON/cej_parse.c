/* The scanner: an explicit-stack state machine that validates and writes the tape. Plain
   strings and short integers, nearly every value of an event, are read inline here; anything
   else (escapes, non-ASCII text, fractions, exponents, long integers) by the general scanners
   in cej_string.c and cej_number.c. */
#include "cej_internal.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

/* The first byte at or after `p` that is a quote, a backslash, a control character or >= 0x80,
   or a position at or past `end` when there is none before it. Reads up to 15 bytes past
   `end` (the padding); `p < end` is required. */
static inline const uint8_t *skip_plain_text(const uint8_t *p, const uint8_t *end)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    for (;;) {
        __m128i bytes = _mm_loadu_si128((const __m128i *)(const void *)p);
        /* signed compare: bytes >= 0x80 are negative, so below ' ' as well */
        __m128i hits = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, quote),
                                                 _mm_cmpeq_epi8(bytes, backslash)),
                                    _mm_cmplt_epi8(bytes, space));
        unsigned mask = (unsigned)_mm_movemask_epi8(hits);
        if (mask != 0) return p + __builtin_ctz(mask);
        p += 16;
        if (p >= end) return p;
    }
#else
    while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') p++;
    return p;
#endif
}

/* Scans a string whose opening quote is at `open`: returns the closing quote, or NULL with
   *code and *error_at set. Plain text is skipped inline; the rest goes to cej_scan_string(). */
static inline const uint8_t *scan_string(const uint8_t *open, const uint8_t *end, uint8_t *flags,
                                         int32_t *code, const uint8_t **error_at)
{
    const uint8_t *p = open + 1;
    if (p < end) {
        p = skip_plain_text(p, end);
        if (p < end && *p == '"') return p;
        if (p > end) p = end;
    }
    return cej_scan_string(p, open, end, flags, code, error_at);
}

/* Powers of ten up to 10^8. */
static const uint64_t powers_of_ten[9] = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
};

/* Reads an integer of at most 16 digits that starts with 1-9 and fills its token, eight
   digits at a time; returns the position after it, or NULL when the number is anything else
   (longer, a fraction or an exponent follows), which cej_scan_number() then reads. */
static inline const uint8_t *scan_short_integer(const uint8_t *p, const uint8_t *end, cej_token *t)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint8_t *start = p;
    uint64_t value = 0;
    for (int round = 0; round < 2; round++) {
        uint64_t word;
        memcpy(&word, p, 8);
        uint64_t digits = word ^ 0x3030303030303030ull; /* a digit byte becomes 0-9 */
        /* The lowest flagged byte is the first non-digit (carries only reach later bytes). */
        uint64_t non_digit = (digits | (digits + 0x0606060606060606ull)) & 0xF0F0F0F0F0F0F0F0ull;
        size_t count = non_digit == 0 ? 8 : (size_t)__builtin_ctzll(non_digit) >> 3;
        if (count > (size_t)(end - p)) count = (size_t)(end - p);
        if (count > 0) {
            value = value * powers_of_ten[count] + cej_value_of_digits(digits << (8 * (8 - count)));
            p += count;
        }
        if (count < 8) {
            if (p < end && (*p == '.' || *p == 'e' || *p == 'E')) return NULL;
            t->kind = CEJ_NUMBER;
            t->flags = CEJ_FLAG_INTEGER | CEJ_FLAG_HAS_I64;
            t->length = (uint32_t)(p - start);
            t->value.i = (int64_t)value;
            return p;
        }
    }
#else
    (void)p;
    (void)end;
    (void)t;
#endif
    return NULL;
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
    static const uint8_t empty[CEJ_PADDING];
    if (input == NULL) input = empty; /* only when length == 0 */
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
            const uint8_t *q = scan_string(p, end, &flags, &code, &error_at);
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
        case '1': case '2': case '3': case '4':
        case '5': case '6': case '7': case '8': case '9': {
            const uint8_t *q = scan_short_integer(p, end, t);
            if (q == NULL) q = cej_scan_number(p, end, t, &code);
            if (q == NULL) FAIL(code, p);
            n++;
            p = q;
            goto after_value;
        }
        case '-':
        case '0': {
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
        const uint8_t *q = scan_string(p, end, &flags, &code, &error_at);
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
