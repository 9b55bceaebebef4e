/*
 * CEventJSON: a strictly validating RFC 8259 JSON scanner for one line of UTF-8.
 *
 * cej_parse() checks the whole input (grammar, string escapes including surrogate pairs,
 * control characters, UTF-8 including overlong forms and encoded surrogates, number grammar,
 * nesting depth, trailing text) and writes a "tape": one cej_token per value, in document
 * order. An object is followed by its members as key (a string token), value, key, value...;
 * an array by its elements. Each token's `next` is the index of the token after the whole
 * value, so a reader can skip a container without visiting its contents.
 *
 * Nothing is allocated: the caller owns the tape and the input, and may reuse both.
 */
#ifndef CEVENTJSON_H
#define CEVENTJSON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Token kinds (cej_token.kind). */
enum {
    CEJ_NULL = 1,
    CEJ_FALSE = 2,
    CEJ_TRUE = 3,
    CEJ_NUMBER = 4,
    CEJ_STRING = 5,
    CEJ_ARRAY = 6,
    CEJ_OBJECT = 7
};

/* Token flags (cej_token.flags). */
enum {
    /* String: contains at least one backslash escape; decode with cej_unescape(). */
    CEJ_FLAG_ESCAPED = 1,
    /* String: contains bytes >= 0x80 (valid UTF-8). */
    CEJ_FLAG_NON_ASCII = 2,
    /* Number: integer syntax (no fraction, no exponent). */
    CEJ_FLAG_INTEGER = 4,
    /* Number: value.i holds the exact value (integer syntax, fits in int64_t). */
    CEJ_FLAG_HAS_I64 = 8,
    /* Number: value.d holds the correctly rounded value. When neither HAS flag is set the
       caller converts the text itself (long mantissas, large exponents, big integers). */
    CEJ_FLAG_HAS_F64 = 16
};

/* Result codes of cej_parse(). cej_result.offset is the byte offset the error refers to. */
enum {
    CEJ_OK = 0,
    CEJ_ERR_EXPECTED_VALUE = 1,        /* offset: the byte found instead (or the end) */
    CEJ_ERR_EXPECTED_KEY = 2,          /* offset: the byte found instead of '"' */
    CEJ_ERR_EXPECTED_COLON = 3,
    CEJ_ERR_EXPECTED_OBJECT_SEP = 4,   /* expected ',' or '}' */
    CEJ_ERR_EXPECTED_ARRAY_SEP = 5,    /* expected ',' or ']' */
    CEJ_ERR_TRAILING = 6,              /* text after the top-level value */
    CEJ_ERR_CONTROL_CHAR = 7,          /* unescaped byte < 0x20 in a string */
    CEJ_ERR_BAD_ESCAPE = 8,            /* offset: the backslash */
    CEJ_ERR_BAD_UNICODE_ESCAPE = 9,    /* \u not followed by four hex digits; offset: backslash */
    CEJ_ERR_LONE_SURROGATE = 10,       /* \uD800-\uDFFF not forming a pair; offset: backslash */
    CEJ_ERR_UNTERMINATED_STRING = 11,  /* offset: the opening quote */
    CEJ_ERR_BAD_NUMBER = 12,           /* offset: the first byte of the number */
    CEJ_ERR_BAD_LITERAL = 13,          /* not exactly true/false/null; offset: its first byte */
    CEJ_ERR_NON_FINITE = 14,           /* NaN, Infinity, -Infinity */
    CEJ_ERR_TOO_DEEP = 15,             /* more than CEJ_MAX_DEPTH nested containers */
    CEJ_ERR_INVALID_UTF8 = 16,         /* offset: the first byte of the bad sequence */
    CEJ_ERR_TOO_LONG = 17,             /* input longer than CEJ_MAX_INPUT bytes */
    CEJ_ERR_TAPE_FULL = 18             /* valid, but the tape holds fewer than count tokens */
};

/* Deepest nesting of objects and arrays accepted. */
#define CEJ_MAX_DEPTH 64
/* Longest input accepted (offsets are 32-bit). */
#define CEJ_MAX_INPUT 0x7FFFFFF0u
/* Bytes past the end of the input that cej_parse() may read (never write); whatever they
   hold, the result depends only on the input. Text is scanned 16 bytes at a time. */
#define CEJ_PADDING 16

/* One value on the tape (24 bytes). */
typedef struct cej_token {
    uint8_t kind;      /* CEJ_NULL ... CEJ_OBJECT */
    uint8_t flags;     /* CEJ_FLAG_* */
    uint16_t reserved;
    uint32_t start;    /* strings: offset after the opening quote; others: first byte */
    uint32_t length;   /* strings: raw bytes between the quotes; numbers and literals: text
                          length; arrays: element count; objects: member count */
    uint32_t next;     /* index of the token after this value (and all its contents) */
    union {
        int64_t i;     /* numbers with CEJ_FLAG_HAS_I64 */
        double d;      /* numbers with CEJ_FLAG_HAS_F64 */
    } value;
} cej_token;

/* Outcome of cej_parse(). */
typedef struct cej_result {
    int32_t code;      /* CEJ_OK or CEJ_ERR_* */
    uint32_t offset;   /* byte offset of the error (CEJ_OK: the input length) */
    uint32_t count;    /* CEJ_OK: tokens written; CEJ_ERR_TAPE_FULL: tokens needed; else 0 */
} cej_result;

/*
 * Validates `length` bytes at `input` as exactly one JSON value surrounded by optional white
 * space, writing at most `capacity` tokens to `tape`. Returns result->code. Validation does
 * not depend on the capacity: an invalid input always reports its error; a valid input that
 * needs more than `capacity` tokens returns CEJ_ERR_TAPE_FULL with result->count set to the
 * number needed (at most length / 2 + 1), so one retry with a larger tape succeeds.
 * The CEJ_PADDING bytes after the input must be readable. `input` may be NULL when `length`
 * is 0.
 */
int32_t cej_parse(const uint8_t *input, size_t length, cej_token *tape, uint32_t capacity,
                  cej_result *result);

/*
 * Decodes the escapes of a string's raw bytes (as delimited by a string token) into `out`,
 * which must have room for `length` bytes (decoding never grows the text). Returns the
 * number of bytes written. Input that cej_parse() did not accept is copied through
 * unchanged where it is malformed; the function never reads or writes out of bounds.
 */
size_t cej_unescape(const uint8_t *raw, size_t length, uint8_t *out);

/*
 * Length of the valid UTF-8 sequence starting at `p` (1 to 4), or 0 when the bytes at `p`
 * are not a valid sequence (bad lead byte, bad continuation, overlong form, encoded
 * surrogate, code point above U+10FFFF, truncated). `p < end` is required.
 */
size_t cej_utf8_sequence_length(const uint8_t *p, const uint8_t *end);

#ifdef __cplusplus
}
#endif

#endif /* CEVENTJSON_H */
