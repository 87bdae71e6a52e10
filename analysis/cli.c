/* cli.c — text helpers shared by the verbs (in the library, so the
 * summary printer and the tests can use them too). */
#include "analysis/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *
cli_read_file(const char *path, size_t *len, struct hi_error *err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0, got;

    if (!f) {
        error_set(err, HI_EINPUT, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    do {
        if (cap - n < 4096) {
            char *b = realloc(buf, cap = cap ? 2 * cap : 8192);
            if (!b) {
                free(buf);
                fclose(f);
                error_set(err, HI_EINTERNAL, "out of memory");
                return NULL;
            }
            buf = b;
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
    } while (got > 0);
    if (ferror(f)) {
        free(buf);
        fclose(f);
        error_set(err, HI_EINPUT, "%s: read error", path);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static size_t
escape_one(unsigned char c, char out[5])
{
    switch (c) {
    case '\t': memcpy(out, "\\t", 3); return 2;
    case '\n': memcpy(out, "\\n", 3); return 2;
    case '\r': memcpy(out, "\\r", 3); return 2;
    case '\\': memcpy(out, "\\\\", 3); return 2;
    default:
        if (c < 0x20 || c == 0x7f) {
            snprintf(out, 5, "\\x%02x", c);
            return 4;
        }
        out[0] = (char)c;
        out[1] = '\0';
        return 1;
    }
}

size_t
cli_escaped_len(const char *s)
{
    size_t n = 0;
    char e[5];
    for (; *s; s++)
        n += escape_one((unsigned char)*s, e);
    return n;
}

void
cli_escape(const char *s, char *buf, size_t len)
{
    size_t n = 0;
    char e[5];
    if (!len)
        return;
    for (; *s; s++) {
        size_t k = escape_one((unsigned char)*s, e);
        if (n + k >= len)
            break;
        memcpy(buf + n, e, k);
        n += k;
    }
    buf[n] = '\0';
}

size_t
cli_width(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

const char *
cli_plural(double n, const char *one, const char *many)
{
    return n == 1.0 ? one : many;
}

