/* effective.c — the configuration as a flat YAML scenario, with the
 * checksums of its input files (effective.h). */
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

/* ---- devices.list items (grammar in sim/engine.c: entries split by |,
 * items by ;, key=value with %XX escapes for % ; | =) ---- */

/* The value raw[0..n) with its escapes resolved, into out; -1 when too long. */
static int
unescape_item(const char *raw, size_t n, char *out, size_t len)
{
    size_t i, w = 0;
    for (i = 0; i < n; i++) {
        char c = raw[i];
        if (c == '%' && i + 2 < n) {
            char hex[3] = {raw[i + 1], raw[i + 2], 0};
            c = (char)strtol(hex, NULL, 16);
            i += 2;
        }
        if (w + 1 >= len)
            return -1;
        out[w++] = c;
    }
    out[w] = '\0';
    return 0;
}

static void
put_escaped_item(struct buf *b, const char *s)
{
    for (; *s; s++) {
        if (strchr("%;|=", *s)) {
            char e[4];
            snprintf(e, sizeof e, "%%%02X", (unsigned char)*s);
            puts_(b, e);
        } else {
            put(b, s, 1);
        }
    }
}

/* One key=value item of devices.list, as each_list_item gives it. */
struct list_item {
    size_t entry;                  /* counted from 1 */
    const char *raw;               /* the item's text, raw[0..len) */
    size_t len, key_len;
    const struct config_key *k;    /* its key when that is a path key, else NULL */
    char value[CONFIG_PATH_MAX];   /* and then its value, unescaped */
    char sep;                      /* what follows: ';', '|' or '\0' */
};

/* Calls fn for every item of devices.list; a nonzero return stops the walk. */
static int
each_list_item(const char *list, int (*fn)(void *ctx, const struct list_item *it), void *ctx)
{
    const char *p = list;
    struct list_item it;
    it.entry = 1;
    while (*p) {
        const char *eq;
        char key[128];
        int rc;
        it.raw = p;
        it.len = strcspn(p, ";|");
        it.sep = p[it.len];
        it.k = NULL;
        eq = memchr(p, '=', it.len);
        if (eq && (size_t)(eq - p) < sizeof key) {
            it.key_len = (size_t)(eq - p);
            memcpy(key, p, it.key_len);
            key[it.key_len] = '\0';
            it.k = config_find(key);
            if (it.k && (it.k->type != CONFIG_PATH
                         || unescape_item(eq + 1, it.len - it.key_len - 1, it.value, sizeof it.value) || !it.value[0]))
                it.k = NULL;
        }
        if ((rc = fn(ctx, &it)))
            return rc;
        p += it.len;
        if (*p == '|')
            it.entry++;
        if (*p)
            p++;
    }
    return 0;
}

/* ---- the input files ---- */

static int
add_input(struct effective_inputs *in, const char *key, const char *path)
{
    struct effective_input *v = realloc(in->v, (in->n + 1) * sizeof *v), *e;
    if (!v)
        return -1;
    in->v = v;
    e = &v[in->n++];
    snprintf(e->key, sizeof e->key, "%s", key);
    snprintf(e->path, sizeof e->path, "%s", path);
    if (sha256_file_hex(path, e->sha256) != 0)
        e->sha256[0] = '\0';
    return 0;
}

static int
add_list_input(void *ctx, const struct list_item *it)
{
    char key[128];
    if (!it->k)
        return 0;
    snprintf(key, sizeof key, "devices[%zu].%s", it->entry, it->k->path);
    return add_input(ctx, key, it->value);
}

int
effective_inputs_of(const struct hi_config *cfg, struct effective_inputs *out, struct hi_error *err)
{
    size_t i;
    out->v = NULL;
    out->n = 0;
    for (i = 0; i < config_n_keys; i++) {
        const struct config_key *k = &config_keys[i];
        const char *field = (const char *)cfg + k->offset;
        if (k->type != CONFIG_PATH || !field[0] || strcmp(k->path, "trace.file") == 0)
            continue;
        if (add_input(out, k->path, field))
            goto oom;
    }
    if (each_list_item(cfg->devices.list, add_list_input, out))
        goto oom;
    return HI_OK;
oom:
    effective_inputs_free(out);
    return error_set(err, HI_EINTERNAL, "out of memory");
}

void
effective_inputs_free(struct effective_inputs *in)
{
    free(in->v);
    in->v = NULL;
    in->n = 0;
}

char *
effective_yaml(const struct hi_config *cfg, const struct effective_inputs *in)
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
    for (i = 0; in && i < in->n; i++) {
        puts_(&b, EFFECTIVE_INPUT);
        puts_(&b, in->v[i].sha256[0] ? in->v[i].sha256 : "-");
        puts_(&b, " ");
        puts_(&b, in->v[i].key);
        puts_(&b, " ");
        quoted(&b, in->v[i].path);
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
effective_inputs_read(const char *text, struct effective_inputs *out, struct hi_error *err)
{
    const char *line;
    size_t pl = strlen(EFFECTIVE_INPUT);
    out->v = NULL;
    out->n = 0;
    for (line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        const char *end = strchr(line, '\n'), *sp1, *sp2;
        size_t l = end ? (size_t)(end - line) : strlen(line);
        char raw[CONFIG_PATH_MAX + 512], path[CONFIG_PATH_MAX], hex[SHA256_HEX] = "", key[128];
        if (l <= pl || strncmp(line, EFFECTIVE_INPUT, pl) != 0)
            continue;
        if (l - pl >= sizeof raw)
            goto bad;
        memcpy(raw, line + pl, l - pl);
        raw[l - pl] = '\0';
        sp1 = strchr(raw, ' ');
        sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
        if (!sp2 || (size_t)(sp2 - sp1 - 1) >= sizeof key || unquote(sp2 + 1, path, sizeof path))
            goto bad;
        if (!(sp1 - raw == 1 && raw[0] == '-')) {
            if (sp1 - raw != SHA256_HEX - 1 || strspn(raw, "0123456789abcdef") != SHA256_HEX - 1)
                goto bad;
            memcpy(hex, raw, SHA256_HEX - 1);
            hex[SHA256_HEX - 1] = '\0';
        }
        memcpy(key, sp1 + 1, (size_t)(sp2 - sp1 - 1));
        key[sp2 - sp1 - 1] = '\0';
        {
            struct effective_input *v = realloc(out->v, (out->n + 1) * sizeof *v);
            if (!v) {
                effective_inputs_free(out);
                return error_set(err, HI_EINTERNAL, "out of memory");
            }
            out->v = v;
            snprintf(v[out->n].key, sizeof v[out->n].key, "%s", key);
            snprintf(v[out->n].path, sizeof v[out->n].path, "%s", path);
            memcpy(v[out->n].sha256, hex, sizeof hex);
            out->n++;
        }
        continue;
    bad:
        effective_inputs_free(out);
        return error_set(err, HI_EINPUT, "a malformed checksum line '%.*s'", (int)(l > 200 ? 200 : l), line);
    }
    return HI_OK;
}

int
effective_inputs_check(const struct effective_inputs *in, const char *since, struct hi_error *err)
{
    size_t i;
    for (i = 0; i < in->n; i++) {
        const struct effective_input *e = &in->v[i];
        char now[SHA256_HEX];
        if (!e->sha256[0])
            continue;            /* not readable when the run started: not one of its inputs */
        if (sha256_file_hex(e->path, now) != 0)
            return error_set(err, HI_EINPUT, "%s (%s): the file is gone or unreadable since %s (%s); refusing to "
                             "rerun without it", e->path, e->key, since, strerror(errno));
        if (strcmp(now, e->sha256) != 0)
            return error_set(err, HI_EINPUT, "%s (%s): the file changed since %s (SHA-256 was %.12s..., is now "
                             "%.12s...); refusing to rerun on other data", e->path, e->key, since, e->sha256, now);
    }
    return HI_OK;
}

/* Copies an item of devices.list, its path made absolute when it names
 * an existing file. */
static int
put_absolute_item(void *ctx, const struct list_item *it)
{
    struct buf *b = ctx;
    char *abs = it->k ? realpath(it->value, NULL) : NULL;
    if (abs) {
        put(b, it->raw, it->key_len + 1);
        put_escaped_item(b, abs);
        free(abs);
    } else {
        put(b, it->raw, it->len);
    }
    if (it->sep)
        put(b, &it->sep, 1);
    return 0;
}

static int
absolute_list_paths(struct hi_config *cfg, struct hi_error *err)
{
    struct buf b = {NULL, 0, 0, 0};
    if (!cfg->devices.list[0])
        return HI_OK;
    each_list_item(cfg->devices.list, put_absolute_item, &b);
    if (b.oom) {
        free(b.s);
        return error_set(err, HI_EINTERNAL, "out of memory");
    }
    if (b.len >= sizeof cfg->devices.list) {
        free(b.s);
        return error_set(err, HI_EINPUT, "devices.list: too long once its paths are absolute (%zu characters, "
                         "at most %zu)", b.len, sizeof cfg->devices.list - 1);
    }
    memcpy(cfg->devices.list, b.s, b.len + 1);
    free(b.s);
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
    return absolute_list_paths(cfg, err);
}
