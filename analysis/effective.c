/* effective.c — the configuration as a flat YAML scenario. */
#include "analysis/effective.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct buf {
    char *s;
    size_t len, cap;
    int oom;
};

static void
put(struct buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        char *t;
        while (cap < b->len + n + 1)
            cap *= 2;
        t = realloc(b->s, cap);
        if (!t) {
            b->oom = 1;
            return;
        }
        b->s = t;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void
puts_(struct buf *b, const char *s)
{
    put(b, s, strlen(s));
}

/* A YAML double-quoted scalar: \ and " escaped, control bytes as \xNN. */
static void
quoted(struct buf *b, const char *s)
{
    put(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            put(b, e, 2);
        } else if (c < 0x20 || c == 0x7f) {
            char e[8];
            snprintf(e, sizeof e, "\\x%02x", c);
            puts_(b, e);
        } else {
            put(b, (const char *)&c, 1);
        }
    }
    put(b, "\"", 1);
}

char *
effective_yaml(const struct hi_config *cfg)
{
    struct buf b = {NULL, 0, 0, 0};
    size_t i;
    puts_(&b, "# the effective configuration of a hisim run (every key; hisim rerun reads it)\n");
    for (i = 0; i < config_n_keys; i++) {
        const struct config_key *k = &config_keys[i];
        char v[CONFIG_PATH_MAX + 16];
        config_format(cfg, k, v, sizeof v);
        puts_(&b, k->path);
        puts_(&b, ": ");
        switch (k->type) {
        case CONFIG_STRING:
        case CONFIG_PATH:
        case CONFIG_POLICY:
            quoted(&b, v);
            break;
        default:
            puts_(&b, v);       /* numbers, counts, choices and keywords */
            break;
        }
        puts_(&b, "\n");
    }
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

int
effective_absolute_paths(struct hi_config *cfg, struct hi_error *err)
{
    size_t i;
    for (i = 0; i < config_n_keys; i++) {
        const struct config_key *k = &config_keys[i];
        char *field = (char *)cfg + k->offset, *abs;
        if (k->type != CONFIG_PATH || !field[0])
            continue;
        abs = realpath(field, NULL);
        if (!abs)
            continue;          /* not a file (yet): the loader that reads it says so */
        if (strlen(abs) >= k->size) {
            free(abs);
            return error_set(err, HI_EINPUT, "%s: the absolute path of '%s' is too long", k->path, field);
        }
        strcpy(field, abs);
        free(abs);
    }
    return HI_OK;
}
