/* Strings: UTF-8 validation, string scanning with an ASCII fast path, escape decoding. */
#include "cej_internal.h"

#include <string.h>

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

bool cej_matches(const uint8_t *p, const uint8_t *end, const char *text, size_t n)
{
    return (size_t)(end - p) >= n && memcmp(p, text, n) == 0;
}

/* Unicode 15, table 3-7: well-formed UTF-8 byte sequences. */
size_t cej_utf8_sequence_length(const uint8_t *p, const uint8_t *end)
{
    size_t avail = (size_t)(end - p);
    uint8_t c = p[0];
    if (c < 0x80) return 1;
    if (c < 0xC2) return 0; /* continuation byte or overlong 2-byte lead */
    if (c < 0xE0) {
        return (avail >= 2 && (p[1] & 0xC0) == 0x80) ? 2 : 0;
    }
    if (c < 0xF0) {
        if (avail < 3) return 0;
        uint8_t lo = 0x80, hi = 0xBF;
        if (c == 0xE0) lo = 0xA0;        /* overlong */
        else if (c == 0xED) hi = 0x9F;   /* U+D800..U+DFFF */
        if (p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80) return 0;
        return 3;
    }
    if (c < 0xF5) {
        if (avail < 4) return 0;
        uint8_t lo = 0x80, hi = 0xBF;
        if (c == 0xF0) lo = 0x90;        /* overlong */
        else if (c == 0xF4) hi = 0x8F;   /* above U+10FFFF */
        if (p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) return 0;
        return 4;
    }
    return 0;
}

/* High bit set in each byte of w that is < 0x20, '"', '\\' or >= 0x80. Bits above the
   lowest set one may be false positives (borrows), the lowest one is always exact. */
static inline uint64_t attention_mask(uint64_t w)
{
    uint64_t control = (w - ONES * 0x20) & ~w;
    uint64_t quote = w ^ (ONES * '"');
    uint64_t backslash = w ^ (ONES * '\\');
    quote = (quote - ONES) & ~quote;
    backslash = (backslash - ONES) & ~backslash;
    return (control | quote | backslash | w) & HIGHS;
}

static inline bool is_plain(uint8_t c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

static inline int hex_value(uint8_t c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Reads "\uXXXX" at p (p points at the backslash). */
static bool read_u_escape(const uint8_t *p, const uint8_t *end, uint32_t *unit)
{
    if (end - p < 6 || p[0] != '\\' || p[1] != 'u') return false;
    uint32_t v = 0;
    for (int k = 2; k < 6; k++) {
        int h = hex_value(p[k]);
        if (h < 0) return false;
        v = (v << 4) | (uint32_t)h;
    }
    *unit = v;
    return true;
}

const uint8_t *cej_scan_string(const uint8_t *p, const uint8_t *open, const uint8_t *end,
                               uint8_t *flags, int32_t *code, const uint8_t **error_at)
{
    for (;;) {
        /* Eight bytes at a time: skip plain text, or jump to the first byte that matters. */
        if (end - p >= 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            uint64_t mask = attention_mask(w);
            if (mask == 0) {
                p += 8;
                continue;
            }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            p += __builtin_ctzll(mask) >> 3;
#else
            while (is_plain(*p)) p++;
#endif
        } else {
            while (p < end && is_plain(*p)) p++;
            if (p >= end) break;
        }
        uint8_t c = *p;
        if (c == '"') return p;
        if (c == '\\') {
            *flags |= CEJ_FLAG_ESCAPED;
            if (end - p < 2) break;
            switch (p[1]) {
            case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
                p += 2;
                continue;
            case 'u': {
                uint32_t unit, low;
                if (!read_u_escape(p, end, &unit)) {
                    *code = CEJ_ERR_BAD_UNICODE_ESCAPE;
                    *error_at = p;
                    return NULL;
                }
                if (unit >= 0xDC00 && unit <= 0xDFFF) {
                    *code = CEJ_ERR_LONE_SURROGATE;
                    *error_at = p;
                    return NULL;
                }
                if (unit >= 0xD800 && unit <= 0xDBFF) {
                    if (!read_u_escape(p + 6, end, &low) || low < 0xDC00 || low > 0xDFFF) {
                        *code = CEJ_ERR_LONE_SURROGATE;
                        *error_at = p;
                        return NULL;
                    }
                    p += 12;
                } else {
                    p += 6;
                }
                continue;
            }
            default:
                *code = CEJ_ERR_BAD_ESCAPE;
                *error_at = p;
                return NULL;
            }
        }
        if (c < 0x20) {
            *code = CEJ_ERR_CONTROL_CHAR;
            *error_at = p;
            return NULL;
        }
        size_t n = cej_utf8_sequence_length(p, end);
        if (n == 0) {
            *code = CEJ_ERR_INVALID_UTF8;
            *error_at = p;
            return NULL;
        }
        *flags |= CEJ_FLAG_NON_ASCII;
        p += n;
    }
    *code = CEJ_ERR_UNTERMINATED_STRING;
    *error_at = open;
    return NULL;
}

/* Writes code point cp (<= 0x10FFFF, not a surrogate) as UTF-8; returns the byte count. */
static size_t put_utf8(uint32_t cp, uint8_t *out)
{
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | (cp >> 6));
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | (cp >> 12));
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | (cp >> 18));
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

size_t cej_unescape(const uint8_t *raw, size_t length, uint8_t *out)
{
    const uint8_t *p = raw, *end = raw + length;
    size_t n = 0;
    while (p < end) {
        const uint8_t *run = p;
        while (p < end && *p != '\\') p++;
        if (p > run) {
            memcpy(out + n, run, (size_t)(p - run));
            n += (size_t)(p - run);
        }
        if (p >= end) break;
        if (end - p < 2) { /* malformed: lone trailing backslash */
            out[n++] = *p++;
            break;
        }
        uint8_t e = p[1];
        uint8_t simple = 0;
        switch (e) {
        case '"': simple = '"'; break;
        case '\\': simple = '\\'; break;
        case '/': simple = '/'; break;
        case 'b': simple = '\b'; break;
        case 'f': simple = '\f'; break;
        case 'n': simple = '\n'; break;
        case 'r': simple = '\r'; break;
        case 't': simple = '\t'; break;
        default: break;
        }
        if (simple) {
            out[n++] = simple;
            p += 2;
            continue;
        }
        uint32_t unit, low;
        if (e == 'u' && read_u_escape(p, end, &unit)) {
            if (unit >= 0xD800 && unit <= 0xDBFF) {
                if (read_u_escape(p + 6, end, &low) && low >= 0xDC00 && low <= 0xDFFF) {
                    uint32_t cp = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                    n += put_utf8(cp, out + n); /* 4 bytes from 12 */
                    p += 12;
                    continue;
                }
            } else if (unit < 0xDC00 || unit > 0xDFFF) {
                n += put_utf8(unit, out + n); /* at most 3 bytes from 6 */
                p += 6;
                continue;
            }
        }
        /* malformed escape: copy the backslash through */
        out[n++] = *p++;
    }
    return n;
}
