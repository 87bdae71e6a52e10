/*
 * scenario.c — YAML scenario loader on libyaml's event parser.
 *
 * Grammar accepted:
 *
 *   scenario := MAPPING-START (key value)* MAPPING-END
 *   value    := SCALAR                       (a key, or a section's name)
 *             | MAPPING-START (key value)* MAPPING-END    (a section)
 *             | devices-list                 (only as the value of `devices`)
 *   key      := SCALAR
 *
 * Other sequences, aliases and several documents are rejected with the
 * position of the offending node, except the sequences of list_keys below,
 * which are skipped here and read by their own loader.  Keys are joined
 * with '.' into dotted paths.
 */
#include "sim/scenario.h"

#include "sim/engine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_DEPTH 8
#define MAX_SEEN 256

struct loader {
    const char *file;
    /* inside an entry of a devices: list: keys go to `entry` as
     * "key=value;" (the devices.list grammar of sim/engine.c) */
    int in_entry;
    char *entry;
    size_t entry_len, entry_cap;
    size_t count;
    char dir[CONFIG_PATH_MAX];
    yaml_parser_t parser;
    struct hi_config *cfg;
    struct hi_error *err;
    char *seen[MAX_SEEN];          /* dotted paths set so far */
    size_t seen_line[MAX_SEEN];
    size_t n_seen;
};

static int
at(struct loader *L, const yaml_mark_t *m, const char *fmt, const char *a, const char *b)
{
    char msg[700];
    snprintf(msg, sizeof msg, fmt, a, b);
    return error_at(L->err, L->file, m->line + 1, m->column + 1, "%s", msg);
}

static int
next(struct loader *L, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&L->parser, ev)) {
        const yaml_mark_t *m = &L->parser.problem_mark;
        char what[400];
        if (L->parser.context)
            snprintf(what, sizeof what, "%s (%s)", L->parser.problem, L->parser.context);
        else
            snprintf(what, sizeof what, "%s", L->parser.problem ? L->parser.problem : "syntax error");
        return error_at(L->err, L->file, m->line + 1, m->column + 1, "malformed YAML: %s", what);
    }
    return HI_OK;
}

static const char *
event_name(yaml_event_type_t t)
{
    switch (t) {
    case YAML_SEQUENCE_START_EVENT: return "a sequence";
    case YAML_MAPPING_START_EVENT: return "a mapping";
    case YAML_SCALAR_EVENT: return "a scalar";
    case YAML_ALIAS_EVENT: return "an alias";
    default: return "the end of the document";
    }
}

/* Keys whose value is a sequence, read by sim/cluster_config.c. */
static const char *const list_keys[] = {"cluster.nodes", "cluster.requests", NULL};

static int
is_list_key(const char *path)
{
    size_t i;
    for (i = 0; list_keys[i]; i++)
        if (strcmp(list_keys[i], path) == 0)
            return 1;
    return 0;
}

/* Consumes the rest of a node whose SEQUENCE-START was just read. */
static int
skip_node(struct loader *L)
{
    size_t depth = 1;
    while (depth > 0) {
        yaml_event_t ev;
        if (next(L, &ev))
            return HI_EINPUT;
        if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT)
            depth++;
        else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT)
            depth--;
        yaml_event_delete(&ev);
    }
    return HI_OK;
}

/* Appends text to the entry buffer, escaping the list's separators. */
static int
entry_put(struct loader *L, const char *text, int escape)
{
    for (; *text; text++) {
        char buf[4];
        size_t n = 1;
        if (escape && strchr("%;|=", *text)) {
            snprintf(buf, sizeof buf, "%%%02X", (unsigned char)*text);
            n = 3;
        } else {
            buf[0] = *text;
        }
        if (L->entry_len + n + 1 > L->entry_cap) {
            size_t cap = L->entry_cap ? 2 * L->entry_cap : 256;
            char *e = realloc(L->entry, cap);
            if (!e)
                return -1;
            L->entry = e;
            L->entry_cap = cap;
        }
        memcpy(L->entry + L->entry_len, buf, n);
        L->entry_len += n;
        L->entry[L->entry_len] = '\0';
    }
    return 0;
}

static int
set_leaf(struct loader *L, const char *path, const char *value, const yaml_mark_t *m)
{
    struct config_where w = {L->file, m->line + 1, m->column + 1, L->dir};
    size_t i;
    if (L->in_entry && strcmp(path, "count") == 0) {
        char *end;
        long long c = strtoll(value, &end, 10);
        if (!*value || *end || c < 1 || c > 10000000)
            return at(L, m, "devices: count: expected an integer in [1, 10^7], found '%s'", value, NULL);
        L->count = (size_t)c;
        return HI_OK;
    }
    if (L->in_entry && !engine_device_key(path))
        return at(L, m, "devices: '%s' is not a per-device key (device.*, network.*, policy.*, arrivals.*, "
                  "trace.order, trace.samples, feedback)", path, NULL);
    for (i = 0; i < L->n_seen; i++)
        if (strcmp(L->seen[i], path) == 0) {
            char line[32];
            snprintf(line, sizeof line, "%zu", L->seen_line[i]);
            return at(L, m, "duplicate key '%s' (first set on line %s)", path, line);
        }
    if (config_set(L->cfg, path, value, &w, L->err))
        return HI_EINPUT;
    if (L->in_entry) {
        /* validated above on the entry's copy; relative paths resolved */
        const struct config_key *k = config_find(path);
        char text[CONFIG_PATH_MAX];
        config_format(L->cfg, k, text, sizeof text);
        if (entry_put(L, ";", 0) || entry_put(L, path, 1) || entry_put(L, "=", 0) || entry_put(L, text, 1))
            return error_set(L->err, HI_EINTERNAL, "out of memory");
    }
    if (L->n_seen < MAX_SEEN) {
        L->seen[L->n_seen] = strdup(path);
        L->seen_line[L->n_seen++] = m->line + 1;
    }
    return HI_OK;
}

static int mapping(struct loader *L, const char *prefix, int depth);

/*
 * devices: as a list of entries, each a mapping of per-device keys with an
 * optional count (default 1):
 *
 *   devices := SEQUENCE-START entry+ SEQUENCE-END
 *   entry   := MAPPING-START (key value)* MAPPING-END     keys as in a scenario
 *
 * Each entry is validated on a copy of the configuration read so far and
 * written to devices.list; devices.count becomes the sum of the counts.
 */
static int
devices_list(struct loader *L, const yaml_mark_t *start, int depth)
{
    struct hi_config *base = L->cfg, *scratch = malloc(sizeof *scratch);
    size_t total = 0, entries = 0, i;
    yaml_event_t ev;
    int rc = HI_OK;
    char num[32];
    struct config_where w = {L->file, start->line + 1, start->column + 1, L->dir};
    if (!scratch)
        return error_set(L->err, HI_EINTERNAL, "out of memory");
    L->entry_len = 0;
    for (;;) {
        size_t mark = L->n_seen;
        if ((rc = next(L, &ev)))
            break;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (ev.type != YAML_MAPPING_START_EVENT) {
            rc = at(L, &ev.start_mark, "devices: expected an entry (a mapping of per-device keys), found %s",
                    event_name(ev.type), NULL);
            yaml_event_delete(&ev);
            break;
        }
        yaml_event_delete(&ev);
        *scratch = *base;
        L->cfg = scratch;
        L->in_entry = 1;
        L->count = 1;
        if (entries && entry_put(L, "|", 0)) {
            rc = error_set(L->err, HI_EINTERNAL, "out of memory");
            break;
        }
        rc = mapping(L, "", depth + 1);
        L->cfg = base;
        L->in_entry = 0;
        for (i = mark; i < L->n_seen; i++)   /* keys repeat across entries */
            free(L->seen[i]);
        L->n_seen = mark;
        if (rc)
            break;
        /* the count goes last: "key=v;...;count=N" with a leading ';' dropped below */
        snprintf(num, sizeof num, ";count=%zu", L->count);
        if (entry_put(L, num, 0)) {
            rc = error_set(L->err, HI_EINTERNAL, "out of memory");
            break;
        }
        total += L->count;
        entries++;
    }
    free(scratch);
    if (rc)
        return rc;
    if (!entries)
        return at(L, start, "devices: expected at least one entry", NULL, NULL);
    if (total > 10000000)
        return at(L, start, "devices: more than 10^7 devices in all", NULL, NULL);
    {
        /* drop the ';' that starts every entry */
        char *text = malloc(L->entry_len + 1), *w_ = text;
        const char *r = L->entry;
        int start_of_entry = 1;
        if (!text)
            return error_set(L->err, HI_EINTERNAL, "out of memory");
        for (; *r; r++) {
            if (start_of_entry && *r == ';') {
                start_of_entry = 0;
                continue;
            }
            start_of_entry = *r == '|';
            *w_++ = *r;
        }
        *w_ = '\0';
        if (strlen(text) >= sizeof base->devices.list) {
            free(text);
            return at(L, start, "devices: the entries are too long (at most %s characters in all)", "4095", NULL);
        }
        rc = config_set(base, "devices.list", text, &w, L->err);
        free(text);
        if (rc)
            return rc;
    }
    snprintf(num, sizeof num, "%zu", total);
    return config_set(base, "devices.count", num, &w, L->err);
}

/* Parses the body of a mapping whose MAPPING-START was consumed. */
static int
mapping(struct loader *L, const char *prefix, int depth)
{
    yaml_event_t kev, vev;
    char path[256];

    for (;;) {
        if (next(L, &kev))
            return HI_EINPUT;
        if (kev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&kev);
            return HI_OK;
        }
        if (kev.type != YAML_SCALAR_EVENT) {
            int rc = at(L, &kev.start_mark, "expected a key, found %s", event_name(kev.type), NULL);
            yaml_event_delete(&kev);
            return rc;
        }
        if ((size_t)snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "",
                             (const char *)kev.data.scalar.value) >= sizeof path) {
            int rc = at(L, &kev.start_mark, "key too long: expected a scenario key (hisim help scenario)", NULL, NULL);
            yaml_event_delete(&kev);
            return rc;
        }

        if (next(L, &vev)) {
            yaml_event_delete(&kev);
            return HI_EINPUT;
        }
        if (is_list_key(path)) {
            int rc = vev.type == YAML_SEQUENCE_START_EVENT
                         ? skip_node(L)
                         : at(L, &vev.start_mark, "%s: expected a sequence (a list of entries), found %s", path,
                              event_name(vev.type));
            yaml_event_delete(&kev);
            yaml_event_delete(&vev);
            if (rc)
                return rc;
            continue;
        }
        if (L->in_entry && strcmp(path, "count") == 0 && vev.type == YAML_SCALAR_EVENT) {
            int rc = set_leaf(L, path, (const char *)vev.data.scalar.value, &vev.start_mark);
            yaml_event_delete(&kev);
            yaml_event_delete(&vev);
            if (rc)
                return rc;
            continue;
        }
        if (strcmp(path, "devices") == 0 && !L->in_entry && vev.type == YAML_SEQUENCE_START_EVENT) {
            int rc = devices_list(L, &vev.start_mark, depth);
            yaml_event_delete(&kev);
            yaml_event_delete(&vev);
            if (rc)
                return rc;
            continue;
        }
        if (!config_find(path) && !config_is_section(path)) {
            /* config_set reports the unknown key and suggests a known one */
            struct config_where w = {L->file, kev.start_mark.line + 1, kev.start_mark.column + 1, NULL};
            int rc = config_set(L->cfg, path, "", &w, L->err);
            yaml_event_delete(&kev);
            yaml_event_delete(&vev);
            return rc ? rc : HI_EINTERNAL;
        }
        if (vev.type == YAML_SCALAR_EVENT) {
            int rc;
            if (config_find(path)) {
                rc = set_leaf(L, path, (const char *)vev.data.scalar.value, &vev.start_mark);
            } else {
                char name[280];
                snprintf(name, sizeof name, "%s.name", path);
                if (config_find(name))
                    rc = set_leaf(L, name, (const char *)vev.data.scalar.value, &vev.start_mark);
                else
                    rc = at(L, &vev.start_mark, "'%s' is a section: expected a mapping of %s.* keys", path, path);
            }
            yaml_event_delete(&kev);
            yaml_event_delete(&vev);
            if (rc)
                return rc;
        } else if (vev.type == YAML_MAPPING_START_EVENT) {
            int rc;
            if (config_find(path))
                rc = at(L, &vev.start_mark, "%s: expected a scalar value, found a mapping", path, NULL);
            else if (depth + 1 >= MAX_DEPTH)
                rc = at(L, &vev.start_mark, "mapping nested too deeply", NULL, NULL);
            else
                rc = mapping(L, path, depth + 1);
            yaml_event_delete(&kev);
            yaml_event_delete(&vev);
            if (rc)
                return rc;
        } else {
            int rc = at(L, &vev.start_mark, "%s: expected a scalar or a mapping, found %s",
                        path, vev.type == YAML_ALIAS_EVENT ? "an alias (not supported)" : event_name(vev.type));
            yaml_event_delete(&kev);
            yaml_event_delete(&vev);
            return rc;
        }
    }
}

int
scenario_load(const char *path, struct hi_config *cfg, struct hi_error *err)
{
    struct loader L;
    FILE *f;
    yaml_event_t ev;
    int rc = HI_EINPUT, done = 0;
    char *slash;
    size_t i;

    memset(&L, 0, sizeof L);
    L.file = path;
    L.cfg = cfg;
    L.err = err;
    snprintf(L.dir, sizeof L.dir, "%s", path);
    slash = strrchr(L.dir, '/');
    if (slash)
        *slash = '\0';
    else
        strcpy(L.dir, ".");

    f = fopen(path, "rb");
    if (!f)
        return error_set(err, HI_EINPUT, "%s: cannot open scenario: %s", path, strerror(errno));
    if (!yaml_parser_initialize(&L.parser)) {
        fclose(f);
        return error_set(err, HI_EINTERNAL, "out of memory");
    }
    yaml_parser_set_input_file(&L.parser, f);

    /* STREAM-START DOCUMENT-START MAPPING-START ... */
    while (!done) {
        if (next(&L, &ev))
            goto out;
        switch (ev.type) {
        case YAML_STREAM_START_EVENT:
        case YAML_DOCUMENT_START_EVENT:
            break;
        case YAML_MAPPING_START_EVENT:
            yaml_event_delete(&ev);
            if (mapping(&L, "", 0))
                goto out;
            done = 1;
            continue;
        case YAML_STREAM_END_EVENT:
            error_at(err, path, ev.start_mark.line + 1, 0, "empty scenario: expected a mapping of keys");
            yaml_event_delete(&ev);
            goto out;
        default:
            at(&L, &ev.start_mark, "expected a mapping of scenario keys, found %s", event_name(ev.type), NULL);
            yaml_event_delete(&ev);
            goto out;
        }
        yaml_event_delete(&ev);
    }
    /* DOCUMENT-END, then STREAM-END: a second document is an error */
    for (;;) {
        if (next(&L, &ev))
            goto out;
        if (ev.type == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (ev.type == YAML_DOCUMENT_START_EVENT) {
            at(&L, &ev.start_mark, "expected one YAML document, found a second one", NULL, NULL);
            yaml_event_delete(&ev);
            goto out;
        }
        yaml_event_delete(&ev);
    }
    if (!cfg->name[0]) {
        const char *base = strrchr(path, '/');
        char *dot;
        snprintf(cfg->name, sizeof cfg->name, "%s", base ? base + 1 : path);
        dot = strrchr(cfg->name, '.');
        if (dot && dot != cfg->name)
            *dot = '\0';
    }
    rc = HI_OK;
out:
    free(L.entry);
    for (i = 0; i < L.n_seen; i++)
        free(L.seen[i]);
    yaml_parser_delete(&L.parser);
    fclose(f);
    return rc;
}
