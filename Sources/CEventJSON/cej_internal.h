/* Internal helpers shared by the CEventJSON translation units. Not part of the public API. */
#ifndef CEJ_INTERNAL_H
#define CEJ_INTERNAL_H

#include "CEventJSON.h"

#include <stdbool.h>

/* Scans the rest of a string body from `p`, which is after the opening quote at `open` with
   only plain text (no quote, backslash, control character or byte >= 0x80) in between. On
   success returns the position of the closing quote and ORs CEJ_FLAG_ESCAPED /
   CEJ_FLAG_NON_ASCII into *flags; on failure returns NULL with *code and *error_at set. */
const uint8_t *cej_scan_string(const uint8_t *p, const uint8_t *open, const uint8_t *end,
                               uint8_t *flags, int32_t *code, const uint8_t **error_at);

/* Scans a number starting at `p` (a '-' or a digit). On success fills the token's flags,
   length and value and returns the position after the number; on failure returns NULL with
   *code set (the error offset is the number's first byte). */
const uint8_t *cej_scan_number(const uint8_t *p, const uint8_t *end, cej_token *token,
                               int32_t *code);

/* Value of the eight decimal digits in the bytes of `digits` (each 0-9, the first in the lowest
   byte; leading zero bytes allowed, so fewer digits shifted up read right): pairs are formed
   with one multiply-add, then two multiplies gather the four pairs with their powers of ten in
   the upper half. */
static inline uint64_t cej_value_of_digits(uint64_t digits)
{
    digits = digits * 10 + (digits >> 8);
    const uint64_t mask = 0x000000FF000000FFull;
    const uint64_t hundreds = 100 + (1000000ull << 32);
    const uint64_t units = 1 + (10000ull << 32);
    return (((digits & mask) * hundreds) + (((digits >> 16) & mask) * units)) >> 32;
}

/* True when `end - p >= n` and the n bytes at p equal `text`. */
bool cej_matches(const uint8_t *p, const uint8_t *end, const char *text, size_t n);

#endif /* CEJ_INTERNAL_H */
