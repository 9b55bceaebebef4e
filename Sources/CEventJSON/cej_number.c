/* Numbers: RFC 8259 grammar, exact int64 values, and the exact fast path for doubles. */
#include "cej_internal.h"

/* Powers of ten that are exact in binary64 (Clinger's fast path). */
static const double exact_powers[23] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static inline bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

#include <string.h>

/* When the 8 bytes at p are all digits, stores their value in *value. Each byte minus '0' is
   a digit d0..d7 (d0 first, in the lowest byte on a little-endian machine). */
static inline bool eight_digits(const uint8_t *p, uint64_t *value)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t w;
    memcpy(&w, p, 8);
    /* high nibbles all 3, and no low nibble above 9 (adding 6 would carry into the high one) */
    if ((w & 0xF0F0F0F0F0F0F0F0ull) != 0x3030303030303030ull) return false;
    if (((w + 0x0606060606060606ull) & 0xF0F0F0F0F0F0F0F0ull) != 0x3030303030303030ull) return false;
    *value = cej_value_of_digits(w - 0x3030303030303030ull);
    return true;
#else
    (void)p;
    (void)value;
    return false;
#endif
}

const uint8_t *cej_scan_number(const uint8_t *p, const uint8_t *end, cej_token *token,
                               int32_t *code)
{
    const uint8_t *start = p;
    bool negative = false;
    if (*p == '-') {
        negative = true;
        p++;
        if (cej_matches(p, end, "Infinity", 8)) {
            *code = CEJ_ERR_NON_FINITE;
            return NULL;
        }
    }
    if (p >= end || !is_digit(*p)) {
        *code = CEJ_ERR_BAD_NUMBER;
        return NULL;
    }

    uint64_t mantissa = 0;   /* first 19 significant digits */
    int digits = 0;          /* significant digits kept in mantissa */
    bool exact = true;       /* no significant digit was dropped */
    int64_t exponent = 0;    /* decimal exponent applied to mantissa */

    if (*p == '0') {
        p++;
        if (p < end && is_digit(*p)) { /* leading zero */
            *code = CEJ_ERR_BAD_NUMBER;
            return NULL;
        }
    } else {
        /* Long integers (epoch milliseconds) eight digits at a time, within the 19 kept. */
        uint64_t eight;
        while (digits <= 11 && end - p >= 8 && eight_digits(p, &eight)) {
            mantissa = mantissa * 100000000u + eight;
            digits += 8;
            p += 8;
        }
        while (p < end && is_digit(*p)) {
            if (digits < 19) {
                mantissa = mantissa * 10 + (uint64_t)(*p - '0');
                digits++;
            } else {
                exact = false;
                exponent++;
            }
            p++;
        }
    }

    bool integer = true;
    if (p < end && *p == '.') {
        integer = false;
        p++;
        if (p >= end || !is_digit(*p)) {
            *code = CEJ_ERR_BAD_NUMBER;
            return NULL;
        }
        while (p < end && is_digit(*p)) {
            uint8_t d = (uint8_t)(*p - '0');
            if (digits < 19) {
                if (mantissa != 0 || d != 0) {
                    mantissa = mantissa * 10 + d;
                    digits++;
                }
                exponent--;
            } else if (d != 0) {
                exact = false;
            }
            p++;
        }
    }

    if (p < end && (*p == 'e' || *p == 'E')) {
        integer = false;
        p++;
        bool exp_negative = false;
        if (p < end && (*p == '+' || *p == '-')) {
            exp_negative = *p == '-';
            p++;
        }
        if (p >= end || !is_digit(*p)) {
            *code = CEJ_ERR_BAD_NUMBER;
            return NULL;
        }
        int64_t e = 0;
        while (p < end && is_digit(*p)) {
            if (e < 1000000) e = e * 10 + (*p - '0');
            p++;
        }
        exponent += exp_negative ? -e : e;
    }

    token->kind = CEJ_NUMBER;
    token->length = (uint32_t)(p - start);
    token->flags = 0;
    token->value.i = 0;
    if (integer) {
        token->flags |= CEJ_FLAG_INTEGER;
        if (exact) {
            const uint64_t limit = (uint64_t)INT64_MAX;
            if (!negative && mantissa <= limit) {
                token->value.i = (int64_t)mantissa;
                token->flags |= CEJ_FLAG_HAS_I64;
            } else if (negative && mantissa <= limit + 1) {
                token->value.i = mantissa == limit + 1 ? INT64_MIN : -(int64_t)mantissa;
                token->flags |= CEJ_FLAG_HAS_I64;
            }
        }
        return p;
    }
    if (mantissa == 0 && exact) {
        token->value.d = negative ? -0.0 : 0.0;
        token->flags |= CEJ_FLAG_HAS_F64;
    } else if (exact && mantissa <= (1ull << 53) && exponent >= -22 && exponent <= 22) {
        double d = (double)mantissa;
        d = exponent < 0 ? d / exact_powers[-exponent] : d * exact_powers[exponent];
        token->value.d = negative ? -d : d;
        token->flags |= CEJ_FLAG_HAS_F64;
    }
    return p;
}
