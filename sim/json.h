/*
 * json.h — a small JSON writer into a growable buffer.
 *
 * Commas and nesting are tracked for the caller: open a container, write
 * key/value pairs or values, close it.  Numbers are written with 17
 * significant digits so they read back to the same double; non-finite
 * numbers become null.  Out of memory makes json_take return NULL.
 */
#ifndef HISIM_JSON_H
#define HISIM_JSON_H

#include <stddef.h>

#define JSON_MAX_DEPTH 32

struct json {
    char *buf;
    size_t len, cap;
    int depth;
    unsigned char first[JSON_MAX_DEPTH];  /* no element yet at this depth */
    int after_key;
    int oom;
};

void json_init(struct json *j);
void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s);
void json_number(struct json *j, double v);
void json_integer(struct json *j, long long v);
void json_bool(struct json *j, int v);
void json_null(struct json *j);
/* Writes v as the shortest decimal that reads back to the same double
 * (finite v only); returns what snprintf returns. */
int json_format_number(char *buf, size_t len, double v);
/* Inserts already-formatted JSON text as one value. */
void json_raw(struct json *j, const char *text);
/* The NUL-terminated text (malloc'd, the caller frees), or NULL after OOM. */
char *json_take(struct json *j);
void json_discard(struct json *j);

#endif
