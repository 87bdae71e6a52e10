/*
 * catalog.c — reads catalog files (traces/devices/README.md) on libyaml's
 * event parser, finds them on the search path, and looks items up.
 *
 * Grammar accepted (one document):
 *
 *   file    := MAPPING-START top* MAPPING-END
 *   top     := 'name' NAME | 'kind' ('device' | 'server' | 'network')
 *            | 'description' SCALAR
 *            | ('models' | 'network' | 'processors') SEQUENCE-START item* SEQUENCE-END
 *   item    := MAPPING-START (ikey SCALAR)* MAPPING-END
 *   ikey    := model | dataset | precision | link             (NAME)
 *            | source | note                                  (text)
 *            | accuracy | latency_ms | preprocess_ms | energy_mj
 *            | power_w | rate_mbps | bytes | delay_ms          (plain number)
 *            | processor | unit                              (NAME, processors[])
 *            | gflops | comm_mbps | active_w | idle_w        (plain number, processors[])
 *   NAME    := [a-z0-9][a-z0-9-]*
 *
 * The five top-level keys name, kind, description, models and network are
 * required, processors is optional; `name` is the file name without
 * .yaml.  A models[] item needs model, dataset and source, a network[]
 * item link and source, a processors[] item processor, unit (cpu, gpu or
 * npu), gflops (> 0) and source.  Numbers are plain (unquoted) scalars, finite and
 * >= 0; accuracy is in (0, 1] and rate_mbps > 0; precision is fp32, fp16
 * or int8.  No two models[] items share (model, dataset, precision), so a
 * lookup with all three given has at most one answer.  Duplicate keys,
 * unknown keys, aliases and a second document are errors, reported at the
 * node's position.
 */
#include "traces/catalog.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

/* ---- the schema of an item ---- */

enum ktype { K_NAME, K_TEXT, K_NUMBER };

struct ikey {
    const char *name;
    enum ktype type;
    size_t off;
};

#define IOFF(m) offsetof(struct catalog_item, m)

static const struct ikey item_keys[] = {
    {"model", K_NAME, IOFF(model)},
    {"dataset", K_NAME, IOFF(dataset)},
    {"precision", K_NAME, IOFF(precision)},
    {"accuracy", K_NUMBER, IOFF(accuracy)},
    {"latency_ms", K_NUMBER, IOFF(latency_ms)},
    {"preprocess_ms", K_NUMBER, IOFF(preprocess_ms)},
    {"energy_mj", K_NUMBER, IOFF(energy_mj)},
    {"power_w", K_NUMBER, IOFF(power_w)},
    {"rate_mbps", K_NUMBER, IOFF(rate_mbps)},
    {"bytes", K_NUMBER, IOFF(bytes)},
    {"link", K_NAME, IOFF(link)},
    {"delay_ms", K_NUMBER, IOFF(delay_ms)},
    {"processor", K_NAME, IOFF(processor)},
    {"unit", K_NAME, IOFF(unit)},
    {"gflops", K_NUMBER, IOFF(gflops)},
    {"comm_mbps", K_NUMBER, IOFF(comm_mbps)},
    {"active_w", K_NUMBER, IOFF(active_w)},
    {"idle_w", K_NUMBER, IOFF(idle_w)},
    {"source", K_TEXT, IOFF(source)},
    {"note", K_TEXT, IOFF(note)},
};
#define N_ITEM_KEYS (sizeof item_keys / sizeof item_keys[0])

static const char *const top_keys[] = {"name", "kind", "description", "models", "network", "processors"};
#define N_TOP_KEYS (sizeof top_keys / sizeof top_keys[0])
#define N_REQUIRED_TOP_KEYS 5     /* processors is optional */

static const char *const kind_names[] = {"device", "server", "network"};
static const char *const precisions[] = {"fp32", "fp16", "int8"};

const char *
catalog_kind_name(enum catalog_kind k)
{
    return kind_names[k];
}

static const struct ikey *
item_key(const char *name)
{
    size_t i;
    for (i = 0; i < N_ITEM_KEYS; i++)
        if (strcmp(item_keys[i].name, name) == 0)
            return &item_keys[i];
    return NULL;
}

double
catalog_number(const struct catalog_item *it, const char *key)
{
    const struct ikey *k = key ? item_key(key) : NULL;
    if (!k || k->type != K_NUMBER)
        return NAN;
    return *(const double *)((const char *)it + k->off);
}

static int
is_name(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return 0;
    return 1;
}

/* ---- the loader ---- */

struct loader {
    const char *file;
    yaml_parser_t parser;
    struct catalog_entry *e;
    struct hi_error *err;
};

static int
at(struct loader *L, const yaml_mark_t *m, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int
at(struct loader *L, const yaml_mark_t *m, const char *fmt, ...)
{
    char msg[800];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return error_at(L->err, L->file, m->line + 1, m->column + 1, "%s", msg);
}

static int
next(struct loader *L, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&L->parser, ev)) {
        const yaml_mark_t *m = &L->parser.problem_mark;
        const char *p = L->parser.problem ? L->parser.problem : "syntax error";
        if (L->parser.context)
            return at(L, m, "malformed YAML: %s (%s)", p, L->parser.context);
        return at(L, m, "malformed YAML: %s", p);
    }
    return HI_OK;
}

static const char *
event_name(const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_SEQUENCE_START_EVENT: return "a sequence";
    case YAML_MAPPING_START_EVENT: return "a mapping";
    case YAML_SCALAR_EVENT: return "a scalar";
    case YAML_ALIAS_EVENT: return "an alias (not supported)";
    default: return "the end of a block";
    }
}

static char *
sdup(struct loader *L, const char *s)
{
    char *d = strdup(s);
    if (!d)
        error_set(L->err, HI_EINTERNAL, "out of memory");
    return d;
}

/* "unknown key 'x' in WHERE (did you mean 'y'?; expected one of ...)" */
static int
unknown_key(struct loader *L, const yaml_mark_t *m, const char *key, const char *where,
            const char *const *names, size_t n)
{
    const char *near = error_closest(key, names, n);
    char list[400];
    size_t i, k = 0;
    list[0] = '\0';
    for (i = 0; i < n && k < sizeof list; i++)
        k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", i ? ", " : "", names[i]);
    if (near)
        return at(L, m, "unknown key '%s' in %s (did you mean '%s'?)", key, where, near);
    return at(L, m, "unknown key '%s' in %s (expected one of: %s)", key, where, list);
}

/* Sets one item key from a scalar value event. */
static int
item_value(struct loader *L, struct catalog_item *it, const struct ikey *k, const char *where,
           const yaml_event_t *v)
{
    const char *s = (const char *)v->data.scalar.value;
    char *field = (char *)it + k->off;

    if (v->type != YAML_SCALAR_EVENT)
        return at(L, &v->start_mark, "%s.%s: expected %s, found %s", where, k->name,
                  k->type == K_NUMBER ? "a number" : "a scalar", event_name(v));
    switch (k->type) {
    case K_NAME: {
        size_t i;
        if (!is_name(s))
            return at(L, &v->start_mark, "%s.%s: expected a name (lowercase letters, digits and '-'), found '%s'",
                      where, k->name, s);
        if (strcmp(k->name, "precision") == 0) {
            for (i = 0; i < sizeof precisions / sizeof precisions[0]; i++)
                if (strcmp(s, precisions[i]) == 0)
                    break;
            if (i == sizeof precisions / sizeof precisions[0])
                return at(L, &v->start_mark, "%s.precision: expected fp32, fp16 or int8, found '%s'", where, s);
        }
        if (strcmp(k->name, "unit") == 0 && strcmp(s, "cpu") != 0 && strcmp(s, "gpu") != 0 && strcmp(s, "npu") != 0)
            return at(L, &v->start_mark, "%s.unit: expected cpu, gpu or npu, found '%s'", where, s);
        break;
    }
    case K_TEXT:
        if (!*s && strcmp(k->name, "source") == 0)
            return at(L, &v->start_mark, "%s.source: expected the paper and table, found nothing", where);
        break;
    case K_NUMBER: {
        char *end;
        double x;
        if (v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
            return at(L, &v->start_mark, "%s.%s: expected a plain number, found the quoted string '%s'",
                      where, k->name, s);
        errno = 0;
        x = strtod(s, &end);
        if (!*s || *end || errno == ERANGE || !isfinite(x))
            return at(L, &v->start_mark, "%s.%s: expected a number, found '%s'", where, k->name, s);
        if (strcmp(k->name, "accuracy") == 0 && !(x > 0 && x <= 1))
            return at(L, &v->start_mark, "%s.accuracy: expected a fraction in (0, 1], found %s", where, s);
        if ((strcmp(k->name, "rate_mbps") == 0 || strcmp(k->name, "gflops") == 0 ||
             strcmp(k->name, "comm_mbps") == 0) && !(x > 0))
            return at(L, &v->start_mark, "%s.%s: expected a number > 0, found %s", where, k->name, s);
        if (x < 0)
            return at(L, &v->start_mark, "%s.%s: expected a number >= 0, found %s", where, k->name, s);
        *(double *)field = x;
        return HI_OK;
    }
    }
    *(char **)field = sdup(L, s);
    return *(char **)field ? HI_OK : HI_EINTERNAL;
}

static void
item_init(struct catalog_item *it, const yaml_mark_t *m)
{
    size_t i;
    memset(it, 0, sizeof *it);
    for (i = 0; i < N_ITEM_KEYS; i++)
        if (item_keys[i].type == K_NUMBER)
            *(double *)((char *)it + item_keys[i].off) = NAN;
    it->line = m->line + 1;
    it->col = m->column + 1;
}

static void
item_free(struct catalog_item *it)
{
    size_t i;
    for (i = 0; i < N_ITEM_KEYS; i++)
        if (item_keys[i].type != K_NUMBER)
            free(*(char **)((char *)it + item_keys[i].off));
}

/* The body of one item, after its MAPPING-START. */
static int
item(struct loader *L, struct catalog_item *it, const char *list, size_t index)
{
    const char *names[N_ITEM_KEYS];
    size_t seen[N_ITEM_KEYS] = {0};
    char where[40];
    yaml_event_t kev, vev;
    size_t i;
    int rc;

    snprintf(where, sizeof where, "%s[%zu]", list, index);
    for (i = 0; i < N_ITEM_KEYS; i++)
        names[i] = item_keys[i].name;
    for (;;) {
        const struct ikey *k;
        if (next(L, &kev))
            return HI_EINPUT;
        if (kev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&kev);
            break;
        }
        if (kev.type != YAML_SCALAR_EVENT) {
            rc = at(L, &kev.start_mark, "%s: expected a key, found %s", where, event_name(&kev));
            yaml_event_delete(&kev);
            return rc;
        }
        k = item_key((const char *)kev.data.scalar.value);
        if (!k) {
            rc = unknown_key(L, &kev.start_mark, (const char *)kev.data.scalar.value, where, names, N_ITEM_KEYS);
            yaml_event_delete(&kev);
            return rc;
        }
        if (seen[k - item_keys]) {
            rc = at(L, &kev.start_mark, "%s: duplicate key '%s' (first on line %zu)", where, k->name,
                    seen[k - item_keys]);
            yaml_event_delete(&kev);
            return rc;
        }
        seen[k - item_keys] = kev.start_mark.line + 1;
        yaml_event_delete(&kev);
        if (next(L, &vev))
            return HI_EINPUT;
        rc = item_value(L, it, k, where, &vev);
        yaml_event_delete(&vev);
        if (rc)
            return rc;
    }
    if (strcmp(list, "models") == 0 && (!it->model || !it->dataset || !it->source)) {
        const char *miss = !it->model ? "model" : !it->dataset ? "dataset" : "source";
        return error_at(L->err, L->file, it->line, it->col, "%s: missing key '%s' (a models entry needs model, dataset and source)",
                        where, miss);
    }
    if (strcmp(list, "network") == 0 && (!it->link || !it->source))
        return error_at(L->err, L->file, it->line, it->col, "%s: missing key '%s' (a network entry needs link and source)",
                        where, !it->link ? "link" : "source");
    if (strcmp(list, "processors") == 0 && (!it->processor || !it->unit || isnan(it->gflops) || !it->source)) {
        const char *miss = !it->processor ? "processor" : !it->unit ? "unit" : isnan(it->gflops) ? "gflops" : "source";
        return error_at(L->err, L->file, it->line, it->col,
                        "%s: missing key '%s' (a processors entry needs processor, unit, gflops and source)", where, miss);
    }
    return HI_OK;
}

/* A models: or network: value: a sequence of items. */
static int
items(struct loader *L, const char *list, struct catalog_item **out, size_t *n, const yaml_event_t *start)
{
    size_t cap = 0;
    if (start->type != YAML_SEQUENCE_START_EVENT)
        return at(L, &start->start_mark, "%s: expected a sequence of entries (or []), found %s", list,
                  event_name(start));
    for (;;) {
        yaml_event_t ev;
        int rc;
        if (next(L, &ev))
            return HI_EINPUT;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            return HI_OK;
        }
        if (ev.type != YAML_MAPPING_START_EVENT) {
            rc = at(L, &ev.start_mark, "%s[%zu]: expected a mapping of entry keys, found %s", list, *n,
                    event_name(&ev));
            yaml_event_delete(&ev);
            return rc;
        }
        if (*n == cap) {
            size_t c = cap ? 2 * cap : 16;
            struct catalog_item *p = realloc(*out, c * sizeof *p);
            if (!p) {
                yaml_event_delete(&ev);
                return error_set(L->err, HI_EINTERNAL, "out of memory");
            }
            *out = p;
            cap = c;
        }
        item_init(&(*out)[*n], &ev.start_mark);
        yaml_event_delete(&ev);
        (*n)++;   /* counted now, so that catalog_free frees a partial item */
        if ((rc = item(L, &(*out)[*n - 1], list, *n - 1)))
            return rc;
    }
}

static int
same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The top-level mapping, after its MAPPING-START at m. */
static int
top(struct loader *L, const yaml_mark_t *m)
{
    struct catalog_entry *e = L->e;
    size_t seen[N_TOP_KEYS] = {0};
    char base[256];
    const char *slash;
    size_t i, j, len;
    yaml_event_t kev, vev;
    yaml_mark_t name_mark = *m;
    int rc;

    for (;;) {
        const char *key;
        size_t t;
        if (next(L, &kev))
            return HI_EINPUT;
        if (kev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&kev);
            break;
        }
        if (kev.type != YAML_SCALAR_EVENT) {
            rc = at(L, &kev.start_mark, "expected a key, found %s", event_name(&kev));
            yaml_event_delete(&kev);
            return rc;
        }
        key = (const char *)kev.data.scalar.value;
        for (t = 0; t < N_TOP_KEYS && strcmp(key, top_keys[t]) != 0; t++)
            ;
        if (t == N_TOP_KEYS) {
            rc = unknown_key(L, &kev.start_mark, key, "a catalog file", top_keys, N_TOP_KEYS);
            yaml_event_delete(&kev);
            return rc;
        }
        if (seen[t]) {
            rc = at(L, &kev.start_mark, "duplicate key '%s' (first on line %zu)", top_keys[t], seen[t]);
            yaml_event_delete(&kev);
            return rc;
        }
        seen[t] = kev.start_mark.line + 1;
        yaml_event_delete(&kev);
        if (next(L, &vev))
            return HI_EINPUT;
        if (t <= 2 && vev.type != YAML_SCALAR_EVENT) {
            rc = at(L, &vev.start_mark, "%s: expected a scalar, found %s", top_keys[t], event_name(&vev));
        } else if (t == 0) {
            const char *s = (const char *)vev.data.scalar.value;
            name_mark = vev.start_mark;
            if (!is_name(s))
                rc = at(L, &vev.start_mark, "name: expected a name (lowercase letters, digits and '-'), found '%s'", s);
            else
                rc = (e->name = sdup(L, s)) ? HI_OK : HI_EINTERNAL;
        } else if (t == 1) {
            const char *s = (const char *)vev.data.scalar.value;
            for (j = 0; j < 3 && strcmp(s, kind_names[j]) != 0; j++)
                ;
            if (j == 3)
                rc = at(L, &vev.start_mark, "kind: expected device, server or network, found '%s'", s);
            else {
                e->kind = (enum catalog_kind)j;
                rc = HI_OK;
            }
        } else if (t == 2) {
            rc = (e->description = sdup(L, (const char *)vev.data.scalar.value)) ? HI_OK : HI_EINTERNAL;
        } else if (t == 3) {
            rc = items(L, "models", &e->models, &e->n_models, &vev);
        } else if (t == 4) {
            rc = items(L, "network", &e->network, &e->n_network, &vev);
        } else {
            rc = items(L, "processors", &e->processors, &e->n_processors, &vev);
        }
        yaml_event_delete(&vev);
        if (rc)
            return rc;
    }
    for (i = 0; i < N_REQUIRED_TOP_KEYS; i++)
        if (!seen[i])
            return at(L, m, "missing key '%s' (a catalog file has name, kind, description, models and network)",
                      top_keys[i]);

    /* name == the file name without .yaml */
    slash = strrchr(L->file, '/');
    snprintf(base, sizeof base, "%s", slash ? slash + 1 : L->file);
    len = strlen(base);
    if (len > 5 && strcmp(base + len - 5, ".yaml") == 0)
        base[len - 5] = '\0';
    if (strcmp(base, e->name) != 0)
        return at(L, &name_mark, "name: expected '%s' (the file name without .yaml), found '%s'", base, e->name);

    /* (model, dataset, precision) is unique */
    for (i = 0; i < e->n_models; i++)
        for (j = 0; j < i; j++) {
            const struct catalog_item *a = &e->models[j], *b = &e->models[i];
            if (same(a->model, b->model) && same(a->dataset, b->dataset) && same(a->precision, b->precision))
                return error_at(L->err, L->file, b->line, b->col,
                                "models[%zu]: duplicate entry for model %s on dataset %s%s%s (first on line %zu)",
                                i, b->model, b->dataset, b->precision ? " at precision " : "",
                                b->precision ? b->precision : "", a->line);
        }
    /* processor names are unique */
    for (i = 0; i < e->n_processors; i++)
        for (j = 0; j < i; j++)
            if (strcmp(e->processors[j].processor, e->processors[i].processor) == 0)
                return error_at(L->err, L->file, e->processors[i].line, e->processors[i].col,
                                "processors[%zu]: duplicate processor '%s' (first on line %zu)", i,
                                e->processors[i].processor, e->processors[j].line);
    return HI_OK;
}

struct catalog_entry *
catalog_load(const char *path, struct hi_error *err)
{
    struct loader L;
    yaml_event_t ev;
    FILE *f;
    int ok = 0, parser_ready = 0;

    memset(&L, 0, sizeof L);
    L.file = path;
    L.err = err;
    f = fopen(path, "rb");
    if (!f) {
        error_set(err, HI_EINPUT, "%s: cannot open catalog file: %s", path, strerror(errno));
        return NULL;
    }
    L.e = calloc(1, sizeof *L.e);
    if (!L.e || !(L.e->file = strdup(path)) || !yaml_parser_initialize(&L.parser)) {
        error_set(err, HI_EINTERNAL, "out of memory");
        goto fail;
    }
    parser_ready = 1;
    yaml_parser_set_input_file(&L.parser, f);

    /* STREAM-START DOCUMENT-START MAPPING-START */
    for (;;) {
        if (next(&L, &ev))
            goto fail;
        if (ev.type == YAML_STREAM_START_EVENT || ev.type == YAML_DOCUMENT_START_EVENT) {
            yaml_event_delete(&ev);
            continue;
        }
        if (ev.type == YAML_MAPPING_START_EVENT) {
            yaml_mark_t m = ev.start_mark;
            yaml_event_delete(&ev);
            if (top(&L, &m))
                goto fail;
            break;
        }
        if (ev.type == YAML_STREAM_END_EVENT)
            at(&L, &ev.start_mark, "empty file: expected a mapping of name, kind, description, models, network");
        else
            at(&L, &ev.start_mark, "expected a mapping of name, kind, description, models, network; found %s",
               event_name(&ev));
        yaml_event_delete(&ev);
        goto fail;
    }
    /* DOCUMENT-END STREAM-END */
    for (;;) {
        if (next(&L, &ev))
            goto fail;
        if (ev.type == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (ev.type == YAML_DOCUMENT_START_EVENT) {
            at(&L, &ev.start_mark, "expected one YAML document, found a second one");
            yaml_event_delete(&ev);
            goto fail;
        }
        yaml_event_delete(&ev);
    }
    ok = 1;
fail:
    if (parser_ready)
        yaml_parser_delete(&L.parser);
    fclose(f);
    if (!ok) {
        catalog_free(L.e);
        return NULL;
    }
    return L.e;
}

void
catalog_free(struct catalog_entry *e)
{
    size_t i;
    if (!e)
        return;
    for (i = 0; i < e->n_models; i++)
        item_free(&e->models[i]);
    for (i = 0; i < e->n_network; i++)
        item_free(&e->network[i]);
    for (i = 0; i < e->n_processors; i++)
        item_free(&e->processors[i]);
    free(e->models);
    free(e->network);
    free(e->processors);
    free(e->file);
    free(e->name);
    free(e->description);
    free(e);
}

/* ---- the search path ---- */

#define MAX_DIRS 16
#define DIR_MAX 1024

struct search {
    char dir[MAX_DIRS][DIR_MAX];
    size_t n;
};

static void
search_add(struct search *s, const char *dir, size_t len)
{
    size_t i;
    if (!len || len >= DIR_MAX || s->n == MAX_DIRS)
        return;
    for (i = 0; i < s->n; i++)
        if (strlen(s->dir[i]) == len && strncmp(s->dir[i], dir, len) == 0)
            return;
    memcpy(s->dir[s->n], dir, len);
    s->dir[s->n++][len] = '\0';
}

static void
search_init(struct search *s)
{
    const char *env = getenv("HISIM_DEVICES");
    s->n = 0;
    while (env && *env) {
        const char *colon = strchr(env, ':');
        size_t len = colon ? (size_t)(colon - env) : strlen(env);
        search_add(s, env, len);
        env = colon ? colon + 1 : NULL;
    }
#ifdef HISIM_DATADIR
    search_add(s, HISIM_DATADIR "/devices", strlen(HISIM_DATADIR "/devices"));
#endif
#ifdef HISIM_SRCDIR
    search_add(s, HISIM_SRCDIR "/traces/devices", strlen(HISIM_SRCDIR "/traces/devices"));
#endif
}

/* The closest *.yaml name in the search folders to `name`, or NULL. */
static const char *
closest_file(const struct search *s, const char *name, char *out, size_t len)
{
    const char *names[512];
    char *store[512];
    const char *near;
    size_t n = 0, i;

    for (i = 0; i < s->n; i++) {
        DIR *d = opendir(s->dir[i]);
        struct dirent *de;
        if (!d)
            continue;
        while ((de = readdir(d)) && n < 512) {
            size_t l = strlen(de->d_name);
            if (l > 5 && strcmp(de->d_name + l - 5, ".yaml") == 0 && (store[n] = strdup(de->d_name))) {
                store[n][l - 5] = '\0';
                names[n] = store[n];
                n++;
            }
        }
        closedir(d);
    }
    near = error_closest(name, names, n);
    if (near)
        snprintf(out, len, "%s", near);
    for (i = 0; i < n; i++)
        free(store[i]);
    return near ? out : NULL;
}

int
catalog_resolve(const char *name, char *buf, size_t len, struct hi_error *err)
{
    struct search s;
    char dirs[900], near[128];
    size_t i, k = 0;

    if (!is_name(name))
        return error_set(err, HI_EINPUT, "expected a catalog name (lowercase letters, digits and '-'), found '%s'",
                         name);
    search_init(&s);
    for (i = 0; i < s.n; i++) {
        if ((size_t)snprintf(buf, len, "%s/%s.yaml", s.dir[i], name) >= len)
            continue;
        if (access(buf, R_OK) == 0)
            return HI_OK;
    }
    dirs[0] = '\0';
    for (i = 0; i < s.n && k < sizeof dirs; i++)
        k += (size_t)snprintf(dirs + k, sizeof dirs - k, "%s%s", i ? ", " : "", s.dir[i]);
    if (closest_file(&s, name, near, sizeof near))
        return error_set(err, HI_EINPUT, "no catalog file %s.yaml (did you mean '%s'?; searched %s)", name, near,
                         dirs);
    return error_set(err, HI_EINPUT, "no catalog file %s.yaml (searched %s; $HISIM_DEVICES adds folders)", name,
                     s.n ? dirs : "nothing");
}

struct catalog_entry *
catalog_open(const char *name, struct hi_error *err)
{
    char path[DIR_MAX + 256];
    if (catalog_resolve(name, path, sizeof path, err))
        return NULL;
    return catalog_load(path, err);
}

/* ---- lookups ---- */

/* True when s is one of the ", "-separated items of buf. */
static int
listed(const char *buf, const char *s)
{
    size_t n = strlen(s);
    const char *p = buf;
    while (*p) {
        const char *end = strstr(p, ", ");
        size_t l = end ? (size_t)(end - p) : strlen(p);
        if (l == n && strncmp(p, s, n) == 0)
            return 1;
        if (!end)
            break;
        p = end + 2;
    }
    return 0;
}

/* Appends s to buf (at *k) unless already listed; ", " between items. */
static void
list_add(char *buf, size_t len, size_t *k, const char *s)
{
    if (*k < len && !listed(buf, s))
        *k += (size_t)snprintf(buf + *k, len - *k, "%s%s", *k ? ", " : "", s);
}

const struct catalog_item *
catalog_find_model(const struct catalog_entry *e, const char *model, const char *dataset,
                   const char *precision, struct hi_error *err)
{
    const struct catalog_item *plain = NULL, *any = NULL;
    char avail[600] = "", pair[160];
    size_t i, k = 0, n = 0, n_plain = 0;
    const char *other = NULL;   /* a second dataset among the matches */

    if (dataset && !*dataset)
        dataset = NULL;
    if (precision && !*precision)
        precision = NULL;
    for (i = 0; i < e->n_models; i++) {
        const struct catalog_item *it = &e->models[i];
        if (strcmp(it->model, model) != 0 || (dataset && strcmp(it->dataset, dataset) != 0))
            continue;
        if (precision && !same(it->precision, precision))
            continue;
        if (any && strcmp(any->dataset, it->dataset) != 0)
            other = it->dataset;
        if (!any)
            any = it;
        if (!it->precision) {
            plain = it;
            n_plain++;
        }
        n++;
    }
    if (other) {
        for (i = 0; i < e->n_models; i++)
            if (strcmp(e->models[i].model, model) == 0 && (!precision || same(e->models[i].precision, precision)))
                list_add(avail, sizeof avail, &k, e->models[i].dataset);
        error_set(err, HI_EINPUT, "model %s is listed for several datasets in %s (%s): set dataset", model,
                  e->file, avail);
        return NULL;
    }
    if (n == 1)
        return any;
    if (n > 1 && n_plain == 1 && !precision)
        return plain;   /* the main result wins over the per-precision items */
    if (n > 1) {
        for (i = 0; i < e->n_models; i++)
            if (strcmp(e->models[i].model, model) == 0 && strcmp(e->models[i].dataset, any->dataset) == 0 &&
                e->models[i].precision)
                list_add(avail, sizeof avail, &k, e->models[i].precision);
        error_set(err, HI_EINPUT,
                  "model %s on dataset %s in %s has several precisions (%s) and no entry without one: "
                  "choose a precision", model, any->dataset, e->file, avail);
        return NULL;
    }

    /* no match: say what there is */
    if (precision && dataset) {
        for (i = 0; i < e->n_models; i++)
            if (strcmp(e->models[i].model, model) == 0 && strcmp(e->models[i].dataset, dataset) == 0)
                list_add(avail, sizeof avail, &k, e->models[i].precision ? e->models[i].precision : "none");
        if (k) {
            error_set(err, HI_EINPUT,
                      "no entry for model %s on dataset %s at precision %s in %s (available precisions: %s)",
                      model, dataset, precision, e->file, avail);
            return NULL;
        }
    }
    for (i = 0; i < e->n_models; i++) {
        snprintf(pair, sizeof pair, "%s on %s", e->models[i].model, e->models[i].dataset);
        list_add(avail, sizeof avail, &k, pair);
    }
    {
        const char *names[256], *near = NULL;
        size_t m = 0;
        char hint[200] = "";
        for (i = 0; i < e->n_models && m < 256; i++)
            names[m++] = e->models[i].model;
        for (i = 0; i < m; i++)
            if (strcmp(names[i], model) == 0)
                break;
        if (i == m && (near = error_closest(model, names, m)))
            snprintf(hint, sizeof hint, "did you mean '%s'?; ", near);
        error_set(err, HI_EINPUT, "no entry for model %s%s%s%s%s in %s (%savailable: %s)", model,
                  dataset ? " on dataset " : "", dataset ? dataset : "",
                  precision ? " at precision " : "", precision ? precision : "", e->file, hint,
                  k ? avail : "none");
        return NULL;
    }
}

const struct catalog_item *
catalog_find_link(const struct catalog_entry *e, const char *dataset, const char *key,
                  struct hi_error *err)
{
    const struct catalog_item *generic = NULL;
    char avail[600] = "", what[160];
    size_t i, k = 0;

    if (dataset && !*dataset)
        dataset = NULL;
    for (i = 0; i < e->n_network; i++) {
        const struct catalog_item *it = &e->network[i];
        if (key && isnan(catalog_number(it, key)))
            continue;
        if (!dataset || same(it->dataset, dataset))
            return it;
        if (!it->dataset && !generic)
            generic = it;
    }
    if (generic)
        return generic;
    for (i = 0; i < e->n_network; i++) {
        const struct catalog_item *it = &e->network[i];
        if (!key || !isnan(catalog_number(it, key))) {
            snprintf(what, sizeof what, "%s%s%s", it->link, it->dataset ? " on " : "",
                     it->dataset ? it->dataset : "");
            list_add(avail, sizeof avail, &k, what);
        }
    }
    error_set(err, HI_EINPUT, "no network entry%s%s%s%s in %s (available: %s)",
              dataset ? " for dataset " : "", dataset ? dataset : "", key ? " with " : "", key ? key : "",
              e->file, k ? avail : "none");
    return NULL;
}
