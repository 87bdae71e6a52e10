/* json.c — JSON writer. */
#include "sim/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
json_init(struct json *j)
{
    memset(j, 0, sizeof *j);
    j->first[0] = 1;
}

static void
put(struct json *j, const char *s, size_t n)
{
    if (j->oom)
        return;
    if (j->len + n + 1 > j->cap) {
        size_t cap = j->cap ? j->cap : 256;
        char *b;
        while (cap < j->len + n + 1)
            cap *= 2;
        b = realloc(j->buf, cap);
        if (!b) {
            j->oom = 1;
            return;
        }
        j->buf = b;
        j->cap = cap;
    }
    memcpy(j->buf + j->len, s, n);
    j->len += n;
    j->buf[j->len] = '\0';
}

static void
puts_(struct json *j, const char *s)
{
    put(j, s, strlen(s));
}

/* Separates a value from the previous one, unless it follows a key. */
static void
sep(struct json *j)
{
    if (j->after_key) {
        j->after_key = 0;
        return;
    }
    if (!j->first[j->depth])
        put(j, ",", 1);
    j->first[j->depth] = 0;
}

static void
open_(struct json *j, const char *c)
{
    sep(j);
    puts_(j, c);
    if (j->depth + 1 < JSON_MAX_DEPTH)
        j->depth++;
    j->first[j->depth] = 1;
}

static void
close_(struct json *j, const char *c)
{
    if (j->depth > 0)
        j->depth--;
    puts_(j, c);
}

void json_object_begin(struct json *j) { open_(j, "{"); }
void json_object_end(struct json *j) { close_(j, "}"); }
void json_array_begin(struct json *j) { open_(j, "["); }
void json_array_end(struct json *j) { close_(j, "]"); }

static void
quoted(struct json *j, const char *s)
{
    put(j, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            put(j, esc, 2);
        } else if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            puts_(j, esc);
        } else {
            put(j, s, 1);
        }
    }
    put(j, "\"", 1);
}

void
json_key(struct json *j, const char *key)
{
    sep(j);
    quoted(j, key);
    put(j, ":", 1);
    j->after_key = 1;
}

void
json_string(struct json *j, const char *s)
{
    sep(j);
    if (s)
        quoted(j, s);
    else
        puts_(j, "null");
}

int
json_format_number(char *buf, size_t len, double v)
{
    int prec;
    if (v == floor(v) && fabs(v) < 1e15)
        return snprintf(buf, len, "%.0f", v);
    /* the shortest of %.15g .. %.17g that reads back to the same double */
    for (prec = 15; prec < 17; prec++) {
        snprintf(buf, len, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return snprintf(buf, len, "%.*g", prec, v);
}

void
json_number(struct json *j, double v)
{
    char b[40];
    sep(j);
    if (!isfinite(v)) {
        puts_(j, "null");
        return;
    }
    json_format_number(b, sizeof b, v);
    puts_(j, b);
}

void
json_integer(struct json *j, long long v)
{
    char b[32];
    sep(j);
    snprintf(b, sizeof b, "%lld", v);
    puts_(j, b);
}

void
json_bool(struct json *j, int v)
{
    sep(j);
    puts_(j, v ? "true" : "false");
}

void
json_null(struct json *j)
{
    sep(j);
    puts_(j, "null");
}

void
json_raw(struct json *j, const char *text)
{
    sep(j);
    puts_(j, text);
}

char *
json_take(struct json *j)
{
    char *b;
    if (j->oom || !j->buf) {
        if (!j->oom && !j->buf) {
            b = malloc(1);
            if (b)
                b[0] = '\0';
            return b;
        }
        json_discard(j);
        return NULL;
    }
    b = j->buf;
    j->buf = NULL;
    j->len = j->cap = 0;
    return b;
}

void
json_discard(struct json *j)
{
    free(j->buf);
    json_init(j);
}
