/* effective.c — the configuration as a flat YAML scenario. */
#include "analysis/effective.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario.h"

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
    struct hi_config def;
    size_t i;
    config_defaults(&def);
    puts_(&b, "# the effective configuration of a hisim run; hisim rerun reads it\n");
    for (i = 0; i < config_n_keys; i++) {
        const struct config_key *k = &config_keys[i];
        char v[CONFIG_PATH_MAX + 16], d[CONFIG_PATH_MAX + 16];
        config_format(cfg, k, v, sizeof v);
        config_format(&def, k, d, sizeof d);
        if (!cfg->set[i] && strcmp(v, d) == 0)
            continue;       /* the default: reading it back leaves it unset, as it was */
        if (!cfg->set[i])
            puts_(&b, EFFECTIVE_UNSET);   /* filled in (the catalog): a value, not a setting */
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

/* Undoes quoted(): the text between the quotes, escapes resolved. */
static int
unquote(const char *s, char *out, size_t len)
{
    size_t n = 0;
    if (*s != '"')
        return snprintf(out, len, "%s", s) < (int)len ? 0 : -1;
    for (s++; *s && *s != '"'; s++) {
        char c = *s;
        if (c == '\\') {
            s++;
            if (*s == 'x' && s[1] && s[2]) {
                char hex[3] = {s[1], s[2], 0};
                c = (char)strtol(hex, NULL, 16);
                s += 2;
            } else if (*s) {
                c = *s;
            } else {
                return -1;
            }
        }
        if (n + 1 >= len)
            return -1;
        out[n++] = c;
    }
    out[n] = '\0';
    return *s == '"' ? 0 : -1;
}

int
effective_read(const char *name, const char *text, struct hi_config *cfg, struct hi_error *err)
{
    const char *line;
    size_t pl = strlen(EFFECTIVE_UNSET);
    if (scenario_load_text(name, text, strlen(text), "/", cfg, err))
        return err ? err->status : HI_EINPUT;
    for (line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        char path[256], value[CONFIG_PATH_MAX + 16];
        const char *colon, *end = strchr(line, '\n');
        const struct config_key *k;
        size_t l = end ? (size_t)(end - line) : strlen(line), kl;
        char raw[CONFIG_PATH_MAX + 64];
        if (l <= pl || strncmp(line, EFFECTIVE_UNSET, pl) != 0 || l - pl >= sizeof raw)
            continue;
        memcpy(raw, line + pl, l - pl);
        raw[l - pl] = '\0';
        colon = strstr(raw, ": ");
        if (!colon || (kl = (size_t)(colon - raw)) >= sizeof path)
            return error_set(err, HI_EINPUT, "%s: a malformed line '%s'", name, raw);
        memcpy(path, raw, kl);
        path[kl] = '\0';
        if (unquote(colon + 2, value, sizeof value) || !(k = config_find(path))
            || config_set(cfg, path, value, NULL, err))
            return error_set(err, HI_EINPUT, "%s: cannot apply '%s'", name, raw);
        cfg->set[k - config_keys] = 0;
    }
    return HI_OK;
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
