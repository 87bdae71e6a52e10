/*
 * sweep.c — sweep files (libyaml's document API), grid expansion, point
 * identities and seeds (sweep.h).
 */
#define _GNU_SOURCE
#include "analysis/sweep.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

#include "analysis/summary.h"
#include "sim/cluster.h"
#include "sim/json.h"
#include "sim/profile.h"
#include "sim/scenario.h"
#include "traces/layers.h"

#define SWEEP_FILE_MAX (16u << 20)
#define SET_MAX 256

struct sweep_digest {
    char *real;
    uint64_t hash;
};

const char *const sweep_batchsize_metrics[] = {
    "rho", "alpha", "tau_ed_ms", "tau_es_ms", "tau_tx_ms", "tau_nw_ms", "ed_es_ratio",
    "m_dagger", "m_star", "f_ms", "t_s_ms", "t_r_ms",
    "batch", "f_batch_ms", "t_s_batch_ms", "t_r_batch_ms", NULL,
};

/* The scenario keys whose value selects a catalog entry (sim/profile.h). */
static const char *const catalog_keys[] = {
    "dataset", "device.name", "device.model", "device.precision", "server.name", "server.model",
    "network.name", NULL,
};

static const char *const top_keys[] = {
    "scenario", "name", "target", "set", "axes", "zip", "replications", "seed", "crn", "stop",
};
#define N_TOP (sizeof top_keys / sizeof top_keys[0])

struct set_entry {
    char *key, *text;
    size_t line, col;
    int cluster;             /* a cluster list key (sim/cluster_config.h) */
};

struct parse {
    struct sweep *sw;
    yaml_document_t doc;
    struct hi_error *err;
    struct set_entry sets[SET_MAX];
    size_t n_sets;
    int have_replications;
    int target_given;        /* target: was written */
    size_t target_line, target_col;
    const yaml_node_t *set_list;   /* the first list set: replaces (cluster.nodes or cluster.requests) */
    const yaml_node_t *first_cluster_key;   /* the first cluster list key of set or an axis */
};

/* ---- small helpers ---- */

static int
at(struct parse *P, const yaml_node_t *n, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int
at(struct parse *P, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return error_at(P->err, P->sw->file, n->start_mark.line + 1, n->start_mark.column + 1, "%s", msg);
}

static const char *
node_kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE: return "a scalar";
    case YAML_SEQUENCE_NODE: return "a sequence";
    case YAML_MAPPING_NODE: return "a mapping";
    default: return "nothing";
    }
}

static const char *
text_of(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

static yaml_node_t *
node(struct parse *P, int id)
{
    return yaml_document_get_node(&P->doc, id);
}

#define EACH_PAIR(n, pr) \
    for (yaml_node_pair_t *pr = (n)->data.mapping.pairs.start; pr < (n)->data.mapping.pairs.top; pr++)
#define EACH_ITEM(n, it) \
    for (yaml_node_item_t *it = (n)->data.sequence.items.start; it < (n)->data.sequence.items.top; it++)

static int
want_scalar(struct parse *P, const yaml_node_t *n, const char *what)
{
    if (n->type != YAML_SCALAR_NODE)
        return at(P, n, "%s: expected a scalar, found %s", what, node_kind(n));
    return HI_OK;
}

static int
parse_count(struct parse *P, const yaml_node_t *n, const char *what, size_t lo, size_t hi, size_t *out)
{
    char *end;
    unsigned long long v;
    const char *s;
    if (want_scalar(P, n, what))
        return HI_EINPUT;
    s = text_of(n);
    errno = 0;
    v = strtoull(s, &end, 10);
    if (!*s || *end || errno || s[0] == '-' || v < lo || v > hi)
        return at(P, n, "%s: expected an integer in [%zu, %zu], found '%s'", what, lo, hi, s);
    *out = (size_t)v;
    return HI_OK;
}

static int
parse_bool(struct parse *P, const yaml_node_t *n, const char *what, int *out)
{
    const char *s;
    if (want_scalar(P, n, what))
        return HI_EINPUT;
    s = text_of(n);
    if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0) {
        *out = 1;
        return HI_OK;
    }
    if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0) {
        *out = 0;
        return HI_OK;
    }
    return at(P, n, "%s: expected true or false, found '%s'", what, s);
}

static char *
xstrdup(const char *s, struct hi_error *err)
{
    char *d = strdup(s);
    if (!d)
        error_set(err, HI_EINTERNAL, "out of memory");
    return d;
}

/* ---- exact decimals: value = c·10^e ---- */

struct dec {
    long long c;
    int e;
};

#define DEC_MAX 100000000000000000LL   /* 10^17: differences stay in range */

static int
dec_parse(const char *s, struct dec *d)
{
    long long c = 0;
    int e = 0, neg = 0, digits = 0;
    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    for (; isdigit((unsigned char)*s); s++, digits++) {
        if (c >= DEC_MAX / 10)
            return -1;
        c = c * 10 + (*s - '0');
    }
    if (*s == '.')
        for (s++; isdigit((unsigned char)*s); s++, digits++) {
            if (c >= DEC_MAX / 10)
                return -1;
            c = c * 10 + (*s - '0');
            e--;
        }
    if (!digits)
        return -1;
    if (*s == 'e' || *s == 'E') {
        char *end;
        long x;
        errno = 0;
        x = strtol(s + 1, &end, 10);
        if (end == s + 1 || *end || errno || x > 300 || x < -300)
            return -1;
        e += (int)x;
    } else if (*s) {
        return -1;
    }
    while (c != 0 && c % 10 == 0) {
        c /= 10;
        e++;
    }
    d->c = neg ? -c : c;
    d->e = c == 0 ? 0 : e;
    return 0;
}

/* Rescales d to exponent e (<= d->e); -1 when the coefficient would
 * exceed 10^17. */
static int
dec_align(struct dec *d, int e)
{
    assert(e <= d->e);
    while (d->e > e) {
        if (d->c >= DEC_MAX / 10 || d->c <= -DEC_MAX / 10)
            return -1;
        d->c *= 10;
        d->e--;
    }
    return 0;
}

/* Writes c·10^e as a plain decimal without trailing zeros. */
static void
dec_format(long long c, int e, char *buf, size_t len)
{
    char ds[32];
    size_t n;
    unsigned long long u = c < 0 ? (unsigned long long)(-(c + 1)) + 1u : (unsigned long long)c;
    const char *sign = c < 0 ? "-" : "";
    if (c == 0) {
        snprintf(buf, len, "0");
        return;
    }
    while (u % 10 == 0) {
        u /= 10;
        e++;
    }
    n = (size_t)snprintf(ds, sizeof ds, "%llu", u);
    if (e >= 0 && e <= 20) {
        snprintf(buf, len, "%s%s%.*s", sign, ds, e, "00000000000000000000");
    } else if (e < 0 && -e <= 40) {
        size_t f = (size_t)-e;
        if (n <= f)
            snprintf(buf, len, "%s0.%.*s%s", sign, (int)(f - n),
                     "0000000000000000000000000000000000000000", ds);
        else
            snprintf(buf, len, "%s%.*s.%s", sign, (int)(n - f), ds, ds + n - f);
    } else {
        snprintf(buf, len, "%s%se%d", sign, ds, e);
    }
}

/* ---- axes ---- */

static int
is_integer_key(const struct sweep_key *k)
{
    if (k->cluster) {
        size_t n = strlen(k->key);
        return n > 6 && strcmp(k->key + n - 6, ".count") == 0;
    }
    return k->schema->type == CONFIG_COUNT || k->schema->type == CONFIG_UINT64;
}

static int
key_add_value(struct sweep_key *k, size_t i, const char *text, const yaml_node_t *n, struct hi_error *err)
{
    if (!(k->text[i] = xstrdup(text, err)))
        return HI_EINTERNAL;
    k->line[i] = n->start_mark.line + 1;
    k->col[i] = n->start_mark.column + 1;
    return HI_OK;
}

static int
key_alloc(struct sweep_key *k, size_t n, struct hi_error *err)
{
    k->n = n;
    k->text = calloc(n, sizeof *k->text);
    k->line = calloc(n, sizeof *k->line);
    k->col = calloc(n, sizeof *k->col);
    if (!k->text || !k->line || !k->col)
        return error_set(err, HI_EINTERNAL, "out of memory");
    return HI_OK;
}

/* A number of a range: a scalar that parses as a decimal. */
static int
range_number(struct parse *P, const char *key, const char *field, const yaml_node_t *n, struct dec *d)
{
    if (want_scalar(P, n, field))
        return HI_EINPUT;
    if (dec_parse(text_of(n), d))
        return at(P, n, "%s: %s: expected a decimal number (at most 17 significant digits), found '%s'", key,
                  field, text_of(n));
    return HI_OK;
}

/* Values of a count range that is not exact: 15 significant digits, or
 * the nearest integer on integer keys. */
static void
format_inexact(const struct sweep_key *k, double v, char *buf, size_t len)
{
    if (is_integer_key(k))
        snprintf(buf, len, "%.0f", nearbyint(v));
    else
        snprintf(buf, len, "%.15g", v);
}

/* Parses AXIS for `key` into k (n values). */
static int
parse_axis(struct parse *P, const char *key, const yaml_node_t *n, struct sweep_key *k, size_t *count)
{
    struct hi_error *err = P->err;
    char buf[128];
    size_t i;

    if (n->type == YAML_SCALAR_NODE)
        return at(P, n, "%s: expected a list of values or a range {from, to, step} or {from, to, count}, "
                  "found the scalar '%s' (a fixed value goes under set:)", key, text_of(n));
    if (n->type == YAML_SEQUENCE_NODE) {
        size_t len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
        if (len == 0)
            return at(P, n, "%s: empty axis: expected at least one value", key);
        if (key_alloc(k, len, err))
            return HI_EINTERNAL;
        i = 0;
        EACH_ITEM(n, it) {
            yaml_node_t *v = node(P, *it);
            if (v->type != YAML_SCALAR_NODE)
                return at(P, v, "%s: expected a scalar value, found %s", key, node_kind(v));
            if (key_add_value(k, i++, text_of(v), v, err))
                return HI_EINTERNAL;
        }
        *count = len;
        return HI_OK;
    }
    /* a range */
    {
        yaml_node_t *from = NULL, *to = NULL, *step = NULL, *cnt = NULL, *logn = NULL;
        struct dec F, T, S;
        int use_log = 0;
        size_t npts;
        EACH_PAIR(n, pr) {
            yaml_node_t *kn = node(P, pr->key), *vn = node(P, pr->value);
            const char *f;
            if (want_scalar(P, kn, key))
                return HI_EINPUT;
            f = text_of(kn);
            if (strcmp(f, "from") == 0 && !from)
                from = vn;
            else if (strcmp(f, "to") == 0 && !to)
                to = vn;
            else if (strcmp(f, "step") == 0 && !step)
                step = vn;
            else if (strcmp(f, "count") == 0 && !cnt)
                cnt = vn;
            else if (strcmp(f, "log") == 0 && !logn)
                logn = vn;
            else if (strcmp(f, "from") == 0 || strcmp(f, "to") == 0 || strcmp(f, "step") == 0
                     || strcmp(f, "count") == 0 || strcmp(f, "log") == 0)
                return at(P, kn, "%s: duplicate key '%s'", key, f);
            else
                return at(P, kn, "%s: unknown range key '%s': expected from, to, and step or count (with log)",
                          key, f);
        }
        if (!from || !to)
            return at(P, n, "%s: a range needs from and to", key);
        if (!!step == !!cnt)
            return at(P, n, "%s: a range needs exactly one of step and count", key);
        if (logn && parse_bool(P, logn, "log", &use_log))
            return HI_EINPUT;
        if (step && use_log)
            return at(P, logn, "%s: log: true needs count, not step", key);
        if (range_number(P, key, "from", from, &F) || range_number(P, key, "to", to, &T))
            return HI_EINPUT;
        if (step) {
            long long d;
            int e;
            if (range_number(P, key, "step", step, &S))
                return HI_EINPUT;
            if (S.c == 0)
                return at(P, step, "%s: step must not be 0", key);
            e = F.e < T.e ? F.e : T.e;
            e = S.e < e ? S.e : e;
            if (dec_align(&F, e) || dec_align(&T, e) || dec_align(&S, e))
                return at(P, n, "%s: from, to and step need more than 17 significant digits together", key);
            d = T.c - F.c;
            if ((d > 0 && S.c < 0) || (d < 0 && S.c > 0))
                return at(P, step, "%s: step of the wrong sign: from %s to %s needs a %s step", key,
                          text_of(from), text_of(to), d > 0 ? "positive" : "negative");
            npts = (size_t)(d / S.c) + 1;
            if (npts > SWEEP_MAX_POINTS)
                return at(P, n, "%s: %zu values: more than a sweep can hold", key, npts);
            if (key_alloc(k, npts, err))
                return HI_EINTERNAL;
            for (i = 0; i < npts; i++) {
                /* from the index, never by accumulation */
                dec_format(F.c + (long long)i * S.c, e, buf, sizeof buf);
                if (key_add_value(k, i, buf, n, err))
                    return HI_EINTERNAL;
            }
            *count = npts;
            return HI_OK;
        }
        if (parse_count(P, cnt, "count", 1, SWEEP_MAX_POINTS, &npts))
            return HI_EINPUT;
        if (npts == 1 && !(F.c == T.c && F.e == T.e))
            return at(P, cnt, "%s: count 1 needs from equal to to", key);
        if (use_log && (F.c <= 0 || T.c <= 0))
            return at(P, n, "%s: log: true needs from and to > 0", key);
        if (key_alloc(k, npts, err))
            return HI_EINTERNAL;
        {
            struct dec Fa = F, Ta = T;
            int e = F.e < T.e ? F.e : T.e;
            int exact = !use_log && npts > 1 && !dec_align(&Fa, e) && !dec_align(&Ta, e)
                        && (Ta.c - Fa.c) % (long long)(npts - 1) == 0;
            double f = strtod(text_of(from), NULL), t = strtod(text_of(to), NULL);
            for (i = 0; i < npts; i++) {
                if (i == 0 || i + 1 == npts) {
                    const struct dec *d = i == 0 ? &F : &T;
                    dec_format(d->c, d->e, buf, sizeof buf);
                    if (is_integer_key(k) && strchr(buf, '.'))
                        format_inexact(k, i == 0 ? f : t, buf, sizeof buf);
                } else if (exact) {
                    dec_format(Fa.c + (long long)i * ((Ta.c - Fa.c) / (long long)(npts - 1)), e, buf, sizeof buf);
                } else if (use_log) {
                    double x = log(f) + (double)i / (double)(npts - 1) * (log(t) - log(f));
                    format_inexact(k, exp(x), buf, sizeof buf);
                } else {
                    format_inexact(k, f + (double)i / (double)(npts - 1) * (t - f), buf, sizeof buf);
                }
                if (i > 0 && strcmp(buf, k->text[i - 1]) == 0)
                    return at(P, cnt, "%s: count %zu gives the value %s twice%s", key, npts, buf,
                              is_integer_key(k) ? " after rounding to integers: use a smaller count" : "");
                if (key_add_value(k, i, buf, n, err))
                    return HI_EINTERNAL;
            }
        }
        *count = npts;
        return HI_OK;
    }
}

/* Keys used so far by set, axes and zip: each at most once. */
static int
check_new_key(struct parse *P, const yaml_node_t *kn, const char *key)
{
    struct sweep *sw = P->sw;
    size_t d, j;
    if (strcmp(key, "seed") == 0)
        return at(P, kn, "seed: set by the sweep (the sweep's own seed: and replications: give every run its seed)");
    for (d = 0; d < sw->n_dims; d++)
        for (j = 0; j < sw->dims[d].n_keys; j++)
            if (strcmp(sw->dims[d].keys[j].key, key) == 0)
                return at(P, kn, "duplicate key '%s': it is already an axis", key);
    for (j = 0; j < P->n_sets; j++)
        if (strcmp(P->sets[j].key, key) == 0)
            return at(P, kn, "duplicate key '%s': it is already set (line %zu)", key, P->sets[j].line);
    return HI_OK;
}

/* An unknown scenario key: config_set names the closest known one. */
static int
unknown_key(struct parse *P, const yaml_node_t *kn, const char *key)
{
    struct hi_config *tmp = malloc(sizeof *tmp);
    struct config_where w = {P->sw->file, kn->start_mark.line + 1, kn->start_mark.column + 1, NULL};
    int rc;
    if (!tmp)
        return error_set(P->err, HI_EINTERNAL, "out of memory");
    config_defaults(tmp);
    rc = config_set(tmp, key, "", &w, P->err);
    free(tmp);
    return rc ? rc : at(P, kn, "unknown key '%s'", key);
}

/* A scenario key of an axis. */
static int
axis_key(struct parse *P, const yaml_node_t *kn, struct sweep_key *k)
{
    const char *key = text_of(kn);
    k->key_line = kn->start_mark.line + 1;
    k->key_col = kn->start_mark.column + 1;
    if (cluster_config_owns(key)) {
        /* checked against the base's lists once they are read */
        k->cluster = 1;
        if (!P->first_cluster_key)
            P->first_cluster_key = kn;
        return check_new_key(P, kn, key);
    }
    k->schema = config_find(key);
    if (k->schema)
        return check_new_key(P, kn, key);
    if (config_is_section(key))
        return at(P, kn, "'%s' is a section: an axis needs a key such as %s.name", key, key);
    return unknown_key(P, kn, key);
}

/* One dimension from `key: AXIS` pairs (an axis is a group of one). */
static int
parse_dim(struct parse *P, const yaml_node_t *map, int zip)
{
    struct sweep *sw = P->sw;
    struct sweep_dim *dim;
    size_t n_keys = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start), j = 0;
    yaml_node_t *first = NULL;

    if (zip && n_keys == 0)
        return at(P, map, "zip: an empty group: expected keys with values of equal length");
    if (sw->n_dims == SWEEP_MAX_DIMS)
        return at(P, map, "more than %d axes", SWEEP_MAX_DIMS);
    dim = &sw->dims[sw->n_dims];
    dim->keys = calloc(n_keys, sizeof *dim->keys);
    if (!dim->keys)
        return error_set(P->err, HI_EINTERNAL, "out of memory");
    sw->n_dims++;   /* owned by sw from here: sweep_free frees a partial one */
    EACH_PAIR(map, pr) {
        yaml_node_t *kn = node(P, pr->key), *vn = node(P, pr->value);
        struct sweep_key *k = &dim->keys[j];
        size_t n = 0;
        if (want_scalar(P, kn, zip ? "zip" : "axes"))
            return HI_EINPUT;
        if (axis_key(P, kn, k))
            return HI_EINPUT;
        if (!(k->key = xstrdup(text_of(kn), P->err)))
            return HI_EINTERNAL;
        dim->n_keys = ++j;
        if (parse_axis(P, k->key, vn, k, &n))
            return P->err->status;
        if (j == 1) {
            dim->n = n;
            first = kn;
        } else if (n != dim->n) {
            return at(P, kn, "zip: %s has %zu value%s but %s has %zu: zipped axes need equal lengths", k->key, n,
                      n == 1 ? "" : "s", text_of(first), dim->n);
        }
    }
    return HI_OK;
}

/* Flattens `set:` into (key, text) pairs, like a scenario's sections. */
static int
parse_set(struct parse *P, const yaml_node_t *map, const char *prefix, int depth)
{
    char path[256];
    if (map->type != YAML_MAPPING_NODE)
        return at(P, map, "set: expected a mapping of scenario keys, found %s", node_kind(map));
    if (depth > 8)
        return at(P, map, "set: mapping nested too deeply");
    EACH_PAIR(map, pr) {
        yaml_node_t *kn = node(P, pr->key), *vn = node(P, pr->value);
        const char *leaf;
        int is_cluster;
        if (want_scalar(P, kn, "set"))
            return HI_EINPUT;
        if ((size_t)snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", text_of(kn)) >= sizeof path)
            return at(P, kn, "set: key too long");
        if (strcmp(path, "cluster.nodes") == 0 || strcmp(path, "cluster.requests") == 0) {
            if (vn->type == YAML_SEQUENCE_NODE) {
                /* a whole list: read by cluster_config_load_set */
                if (!P->set_list)
                    P->set_list = kn;
                continue;
            }
            if (vn->type != YAML_MAPPING_NODE)
                return at(P, vn, "set: %s: expected a list (the whole %s) or a mapping of its entries' keys, found %s",
                          path, path, node_kind(vn));
        }
        if (vn->type == YAML_MAPPING_NODE && (strcmp(path, "cluster.nodes") == 0 || strcmp(path, "cluster.requests") == 0
                                              || cluster_config_owns(path))) {
            if (parse_set(P, vn, path, depth + 1))
                return HI_EINPUT;
            continue;
        }
        if (vn->type == YAML_MAPPING_NODE && !config_find(path) && config_is_section(path)) {
            if (parse_set(P, vn, path, depth + 1))
                return HI_EINPUT;
            continue;
        }
        if (vn->type != YAML_SCALAR_NODE)
            return at(P, vn, "set: %s: expected a scalar, found %s", path, node_kind(vn));
        leaf = path;
        is_cluster = cluster_config_owns(path);
        if (is_cluster) {
            if (!P->first_cluster_key)
                P->first_cluster_key = kn;
        } else if (!config_find(path)) {
            char name[280];
            snprintf(name, sizeof name, "%s.name", path);
            if (config_is_section(path) && config_find(name) && strlen(name) < sizeof path) {
                strcpy(path, name);   /* policy: hil-f is policy.name: hil-f */
            } else if (config_is_section(path)) {
                return at(P, vn, "set: '%s' is a section: expected a mapping of %s.* keys", path, path);
            } else {
                return unknown_key(P, kn, path);
            }
        }
        if (check_new_key(P, kn, leaf))
            return HI_EINPUT;
        if (P->n_sets == SET_MAX)
            return at(P, kn, "set: more than %d keys", SET_MAX);
        P->sets[P->n_sets].key = xstrdup(leaf, P->err);
        P->sets[P->n_sets].text = xstrdup(text_of(vn), P->err);
        P->sets[P->n_sets].cluster = is_cluster;
        P->sets[P->n_sets].line = vn->start_mark.line + 1;
        P->sets[P->n_sets].col = vn->start_mark.column + 1;
        if (!P->sets[P->n_sets].key || !P->sets[P->n_sets].text)
            return HI_EINTERNAL;
        P->n_sets++;
    }
    return HI_OK;
}

static int
parse_stop(struct parse *P, const yaml_node_t *map)
{
    struct sweep_stop *st = &P->sw->stop;
    int have_metric = 0, have_ci = 0, have_min = 0, have_max = 0;
    if (map->type != YAML_MAPPING_NODE)
        return at(P, map, "stop: expected a mapping {metric, rel_ci, min, max}, found %s", node_kind(map));
    st->on = 1;
    st->max = 100;
    EACH_PAIR(map, pr) {
        yaml_node_t *kn = node(P, pr->key), *vn = node(P, pr->value);
        const char *f;
        if (want_scalar(P, kn, "stop"))
            return HI_EINPUT;
        f = text_of(kn);
        if (strcmp(f, "metric") == 0 && !have_metric) {
            if (want_scalar(P, vn, "stop.metric"))
                return HI_EINPUT;
            if (strlen(text_of(vn)) >= sizeof st->metric)
                return at(P, vn, "stop.metric: name too long");
            strcpy(st->metric, text_of(vn));
            st->line = vn->start_mark.line + 1;
            st->col = vn->start_mark.column + 1;
            have_metric = 1;
        } else if (strcmp(f, "rel_ci") == 0 && !have_ci) {
            char *end;
            if (want_scalar(P, vn, "stop.rel_ci"))
                return HI_EINPUT;
            errno = 0;
            st->rel_ci = strtod(text_of(vn), &end);
            if (!*text_of(vn) || *end || errno || !(st->rel_ci > 0) || !isfinite(st->rel_ci))
                return at(P, vn, "stop.rel_ci: expected a number > 0, found '%s'", text_of(vn));
            have_ci = 1;
        } else if (strcmp(f, "min") == 0 && !have_min) {
            if (parse_count(P, vn, "stop.min", 1, 1000000, &st->min))
                return HI_EINPUT;
            have_min = 1;
        } else if (strcmp(f, "max") == 0 && !have_max) {
            if (parse_count(P, vn, "stop.max", 1, 1000000, &st->max))
                return HI_EINPUT;
            have_max = 1;
        } else {
            static const char *const names[] = {"metric", "rel_ci", "min", "max"};
            const char *near = error_closest(f, names, 4);
            return at(P, kn, "stop: unknown or repeated key '%s'%s%s%s (expected metric, rel_ci, min, max)", f,
                      near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
        }
    }
    if (!have_metric || !have_ci)
        return at(P, map, "stop: needs metric and rel_ci");
    if (!have_min)
        st->min = P->have_replications && P->sw->replications > 1 ? P->sw->replications : 3;
    if (st->min > st->max)
        return at(P, map, "stop: min %zu is more than max %zu", st->min, st->max);
    return HI_OK;
}

static int
parse_top(struct parse *P, const yaml_node_t *root, const yaml_node_t **set, const yaml_node_t **stop)
{
    struct sweep *sw = P->sw;
    const yaml_node_t *seen[N_TOP] = {0};
    const yaml_node_t *axes = NULL, *zip = NULL, *scen = NULL;
    size_t i;

    if (root->type != YAML_MAPPING_NODE)
        return at(P, root, "expected a mapping of sweep keys (scenario, set, axes, ...), found %s", node_kind(root));
    EACH_PAIR(root, pr) {
        yaml_node_t *kn = node(P, pr->key), *vn = node(P, pr->value);
        const char *k;
        if (want_scalar(P, kn, "sweep key"))
            return HI_EINPUT;
        k = text_of(kn);
        for (i = 0; i < N_TOP; i++)
            if (strcmp(k, top_keys[i]) == 0)
                break;
        if (i == N_TOP) {
            const char *near = error_closest(k, top_keys, N_TOP);
            if (config_find(k) || config_is_section(k))
                return at(P, kn, "unknown sweep key '%s': scenario keys go under set: or axes:", k);
            if (near)
                return at(P, kn, "unknown sweep key '%s' (did you mean '%s'?)", k, near);
            return at(P, kn, "unknown sweep key '%s' (expected scenario, name, target, set, axes, zip, "
                      "replications, seed, crn, stop)", k);
        }
        if (seen[i])
            return at(P, kn, "duplicate key '%s' (first on line %zu)", k, (size_t)seen[i]->start_mark.line + 1);
        seen[i] = kn;
        if (strcmp(k, "scenario") == 0) {
            if (want_scalar(P, vn, "scenario"))
                return HI_EINPUT;
            scen = vn;
        } else if (strcmp(k, "name") == 0) {
            if (want_scalar(P, vn, "name"))
                return HI_EINPUT;
            if (strlen(text_of(vn)) >= sizeof sw->name)
                return at(P, vn, "name: too long");
            strcpy(sw->name, text_of(vn));
        } else if (strcmp(k, "target") == 0) {
            if (want_scalar(P, vn, "target"))
                return HI_EINPUT;
            if (strcmp(text_of(vn), "simulate") == 0)
                sw->target = SWEEP_SIMULATE;
            else if (strcmp(text_of(vn), "batch-size") == 0)
                sw->target = SWEEP_BATCHSIZE;
            else if (strcmp(text_of(vn), "cluster") == 0)
                sw->target = SWEEP_CLUSTER;
            else
                return at(P, vn, "target: expected simulate, batch-size or cluster, found '%s'", text_of(vn));
            P->target_given = 1;
            P->target_line = vn->start_mark.line + 1;
            P->target_col = vn->start_mark.column + 1;
        } else if (strcmp(k, "set") == 0) {
            *set = vn;
        } else if (strcmp(k, "axes") == 0) {
            if (vn->type != YAML_MAPPING_NODE)
                return at(P, vn, "axes: expected a mapping of scenario keys to values, found %s", node_kind(vn));
            axes = vn;
        } else if (strcmp(k, "zip") == 0) {
            if (vn->type != YAML_SEQUENCE_NODE)
                return at(P, vn, "zip: expected a list of groups {key: values, ...}, found %s", node_kind(vn));
            zip = vn;
        } else if (strcmp(k, "replications") == 0) {
            if (parse_count(P, vn, "replications", 1, 1000000, &sw->replications))
                return HI_EINPUT;
            P->have_replications = 1;
        } else if (strcmp(k, "seed") == 0) {
            char *end;
            unsigned long long v;
            if (want_scalar(P, vn, "seed"))
                return HI_EINPUT;
            errno = 0;
            v = strtoull(text_of(vn), &end, 10);
            if (!*text_of(vn) || *end || errno || text_of(vn)[0] == '-')
                return at(P, vn, "seed: expected an integer >= 0, found '%s'", text_of(vn));
            sw->seed = v;
        } else if (strcmp(k, "crn") == 0) {
            if (parse_bool(P, vn, "crn", &sw->crn))
                return HI_EINPUT;
        } else if (strcmp(k, "stop") == 0) {
            *stop = vn;
        }
    }
    if (!scen)
        return at(P, root, "missing key 'scenario' (the base scenario of the sweep)");
    {
        const char *s = text_of(scen);
        size_t n = strlen(sw->dir) + strlen(s) + 2;
        if (!*s)
            return at(P, scen, "scenario: expected a file path");
        if (!(sw->scenario = malloc(n)))
            return error_set(P->err, HI_EINTERNAL, "out of memory");
        if (s[0] == '/' || strcmp(sw->dir, ".") == 0)
            snprintf(sw->scenario, n, "%s", s);
        else
            snprintf(sw->scenario, n, "%s/%s", sw->dir, s);
    }
    /* set before axes, so that a key in both is reported at the axis */
    if (*set && parse_set(P, *set, "", 0))
        return P->err->status;
    if (axes)
        EACH_PAIR(axes, pr) {
            yaml_node_t fake;
            yaml_node_pair_t *pp = pr;
            /* one axis is a dimension of one key: a mapping of one pair */
            memset(&fake, 0, sizeof fake);
            fake.type = YAML_MAPPING_NODE;
            fake.start_mark = node(P, pr->key)->start_mark;
            fake.data.mapping.pairs.start = pp;
            fake.data.mapping.pairs.top = pp + 1;
            if (parse_dim(P, &fake, 0))
                return P->err->status;
        }
    if (zip)
        EACH_ITEM(zip, it) {
            yaml_node_t *g = node(P, *it);
            if (g->type != YAML_MAPPING_NODE)
                return at(P, g, "zip: expected a group {key: values, ...}, found %s", node_kind(g));
            if (parse_dim(P, g, 1))
                return P->err->status;
        }
    return HI_OK;
}

/* The base's cluster lists (and with them the target), the lists set:
 * replaces, and the cluster keys' place: only a cluster scenario has them. */
static int
load_cluster(struct parse *P)
{
    struct sweep *sw = P->sw;
    struct cluster_config *cc = malloc(sizeof *cc);
    int found = 0, nodes = 0, requests = 0;
    if (!cc)
        return error_set(P->err, HI_EINTERNAL, "out of memory");
    if (cluster_config_load_opt(cc, sw->scenario, &found, P->err)) {
        free(cc);
        return P->err->status;
    }
    if (!found) {
        free(cc);
        if (P->target_given && sw->target == SWEEP_CLUSTER)
            return error_at(P->err, sw->file, P->target_line, P->target_col,
                            "target cluster: the base scenario %s is not a cluster scenario (it has no cluster.nodes)",
                            sw->scenario);
        if (P->set_list || P->first_cluster_key) {
            const yaml_node_t *kn = P->first_cluster_key ? P->first_cluster_key : P->set_list;
            return at(P, kn, "%s: the base scenario %s is not a cluster scenario (it has no cluster.nodes)",
                      text_of(kn), sw->scenario);
        }
        return HI_OK;
    }
    sw->cluster = cc;
    if (P->target_given && sw->target != SWEEP_CLUSTER)
        return error_at(P->err, sw->file, P->target_line, P->target_col,
                        "target %s: the base scenario %s is a cluster scenario: its points are cluster simulations "
                        "(target cluster, the default for it)", sweep_target_name(sw->target), sw->scenario);
    sw->target = SWEEP_CLUSTER;
    if (P->set_list) {
        struct cluster_config lists;
        if (cluster_config_load_set(&lists, sw->file, &nodes, &requests, P->err))
            return P->err->status;
        cluster_config_take(cc, &lists, nodes, requests);
    }
    return HI_OK;
}

/* A cluster list key of an axis: the key at its place, then every value
 * (in turn, on a copy of the base's lists) at its own. */
static int
check_cluster_axis(const struct sweep *sw, const struct sweep_key *k, struct hi_error *err)
{
    struct cluster_config scratch;
    char msg[400];
    size_t i;
    int rc = HI_OK;
    if (cluster_config_check_key(sw->cluster, k->key, msg, sizeof msg))
        return error_at(err, sw->file, k->key_line, k->key_col, "%s: %s", k->key, msg);
    if (cluster_config_copy(&scratch, sw->cluster, err))
        return err->status;
    for (i = 0; i < k->n && !rc; i++)
        rc = cluster_config_set_at(&scratch, k->key, k->text[i], sw->file, k->line[i], k->col[i], sw->dir, err);
    cluster_config_free(&scratch);
    return rc;
}

static int
read_text(const char *path, char **out, struct hi_error *err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    if (!f)
        return error_set(err, HI_EINPUT, "%s: cannot open sweep file: %s", path, strerror(errno));
    for (;;) {
        size_t got;
        if (n + 4096 + 1 > cap) {
            char *b;
            cap = cap ? 2 * cap : 8192;
            if (cap > SWEEP_FILE_MAX + 8192) {
                free(buf);
                fclose(f);
                return error_set(err, HI_EINPUT, "%s: sweep file larger than %u MiB", path, SWEEP_FILE_MAX >> 20);
            }
            if (!(b = realloc(buf, cap))) {
                free(buf);
                fclose(f);
                return error_set(err, HI_EINTERNAL, "out of memory");
            }
            buf = b;
        }
        got = fread(buf + n, 1, 4096, f);
        n += got;
        if (got < 4096)
            break;
    }
    if (ferror(f)) {
        free(buf);
        fclose(f);
        return error_set(err, HI_EINPUT, "%s: cannot read sweep file: %s", path, strerror(errno));
    }
    fclose(f);
    buf[n] = '\0';
    if (strlen(buf) != n) {
        free(buf);
        return error_set(err, HI_EINPUT, "%s: not a text file (it holds a NUL byte)", path);
    }
    *out = buf;
    return HI_OK;
}

int
sweep_load(const char *path, struct sweep *sw, struct hi_error *err)
{
    struct parse P;
    yaml_parser_t parser;
    const yaml_node_t *set = NULL, *stop = NULL;
    yaml_node_t *root;
    char *slash;
    size_t i, d, j;
    int rc = HI_EINPUT, have_doc = 0;

    memset(sw, 0, sizeof *sw);
    memset(&P, 0, sizeof P);
    P.sw = sw;
    P.err = err;
    sw->replications = 1;
    sw->seed = 1;
    if (!(sw->file = xstrdup(path, err)) || !(sw->dir = xstrdup(path, err))) {
        sweep_free(sw);
        return HI_EINTERNAL;
    }
    slash = strrchr(sw->dir, '/');
    if (slash == sw->dir)
        slash[1] = '\0';          /* a file in / */
    else if (slash)
        *slash = '\0';
    else
        strcpy(sw->dir, ".");
    if (read_text(path, &sw->text, err)) {
        sweep_free(sw);
        return err->status;
    }
    if (!yaml_parser_initialize(&parser)) {
        sweep_free(sw);
        return error_set(err, HI_EINTERNAL, "out of memory");
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)sw->text, strlen(sw->text));
    if (!yaml_parser_load(&parser, &P.doc)) {
        error_at(err, path, parser.problem_mark.line + 1, parser.problem_mark.column + 1, "malformed YAML: %s%s%s%s",
                 parser.problem ? parser.problem : "syntax error", parser.context ? " (" : "",
                 parser.context ? parser.context : "", parser.context ? ")" : "");
        yaml_parser_delete(&parser);
        sweep_free(sw);
        return HI_EINPUT;
    }
    have_doc = 1;
    root = yaml_document_get_root_node(&P.doc);
    if (!root) {
        error_at(err, path, 1, 0, "empty sweep file: expected a mapping with scenario and axes");
        goto out;
    }
    {
        /* a second document is an error, as in a scenario */
        yaml_document_t second;
        if (!yaml_parser_load(&parser, &second)) {
            error_at(err, path, parser.problem_mark.line + 1, parser.problem_mark.column + 1, "malformed YAML: %s",
                     parser.problem ? parser.problem : "syntax error");
            goto out;
        }
        if (yaml_document_get_root_node(&second)) {
            error_at(err, path, second.start_mark.line + 1, second.start_mark.column + 1,
                     "expected one YAML document, found a second one");
            yaml_document_delete(&second);
            goto out;
        }
        yaml_document_delete(&second);
    }
    if (parse_top(&P, root, &set, &stop))
        goto out;
    if (stop && parse_stop(&P, stop))
        goto out;
    if (!sw->name[0]) {
        const char *base = strrchr(path, '/');
        char *dot;
        snprintf(sw->name, sizeof sw->name, "%s", base ? base + 1 : path);
        dot = strrchr(sw->name, '.');
        if (dot && dot != sw->name)
            *dot = '\0';
    }

    /* the grid */
    sw->n_points = 1;
    for (d = 0; d < sw->n_dims; d++) {
        if (sw->dims[d].n > SWEEP_MAX_POINTS / sw->n_points) {
            error_at(err, path, 1, 0, "the grid has more than %u points", SWEEP_MAX_POINTS);
            goto out;
        }
        sw->n_points *= sw->dims[d].n;
        sw->n_columns += sw->dims[d].n_keys;
        for (j = 0; j < sw->dims[d].n_keys; j++)
            for (i = 0; catalog_keys[i]; i++)
                if (strcmp(sw->dims[d].keys[j].key, catalog_keys[i]) == 0)
                    sw->catalog_axis = 1;
    }
    sw->columns = calloc(sw->n_columns + 1, sizeof *sw->columns);
    if (!sw->columns) {
        rc = error_set(err, HI_EINTERNAL, "out of memory");
        goto out;
    }
    for (d = 0, i = 0; d < sw->n_dims; d++)
        for (j = 0; j < sw->dims[d].n_keys; j++)
            sw->columns[i++] = sw->dims[d].keys[j].key;

    /* the base: scenario, then set in file order, then the catalog */
    sw->base_raw = malloc(sizeof *sw->base_raw);
    sw->base = malloc(sizeof *sw->base);
    if (!sw->base_raw || !sw->base) {
        rc = error_set(err, HI_EINTERNAL, "out of memory");
        goto out;
    }
    config_defaults(sw->base_raw);
    if (scenario_load(sw->scenario, sw->base_raw, err))
        goto out;
    if (load_cluster(&P))
        goto out;
    if (sw->stop.on && !sweep_metric_known(sw->target, sw->stop.metric)) {
        error_at(err, path, sw->stop.line, sw->stop.col, "stop.metric: '%s' is not a metric of target %s (%s)",
                 sw->stop.metric, sweep_target_name(sw->target),
                 sw->target == SWEEP_SIMULATE  ? "e.g. mean_cost, accuracy, regret; see docs/scenarios.md"
                 : sw->target == SWEEP_CLUSTER ? "e.g. mean_response_ms, throughput, energy_mj; see docs/partitioning.md"
                                               : "e.g. m_star, f_ms");
        goto out;
    }
    if (sw->target == SWEEP_BATCHSIZE && (sw->replications > 1 || sw->stop.on)) {
        error_at(err, path, 1, 0, "target batch-size evaluates closed forms: it takes no replications or stop");
        goto out;
    }
    for (i = 0; i < P.n_sets; i++) {
        struct config_where w = {path, P.sets[i].line, P.sets[i].col, sw->dir};
        if (P.sets[i].cluster ? cluster_config_set_at(sw->cluster, P.sets[i].key, P.sets[i].text, path, P.sets[i].line,
                                                      P.sets[i].col, sw->dir, err)
                              : config_set(sw->base_raw, P.sets[i].key, P.sets[i].text, &w, err))
            goto out;
    }
    /* every axis value against its key, so that a bad one is reported
     * here, at its place, before anything runs */
    {
        struct hi_config *scratch = malloc(sizeof *scratch);
        if (!scratch) {
            rc = error_set(err, HI_EINTERNAL, "out of memory");
            goto out;
        }
        for (d = 0; d < sw->n_dims; d++)
            for (j = 0; j < sw->dims[d].n_keys; j++) {
                const struct sweep_key *k = &sw->dims[d].keys[j];
                if (k->cluster) {
                    if (check_cluster_axis(sw, k, err)) {
                        free(scratch);
                        goto out;
                    }
                    continue;
                }
                for (i = 0; i < sw->dims[d].n; i++) {
                    struct config_where w = {path, k->line[i], k->col[i], sw->dir};
                    *scratch = *sw->base_raw;
                    if (config_set(scratch, k->key, k->text[i], &w, err)) {
                        free(scratch);
                        goto out;
                    }
                }
            }
        free(scratch);
    }
    *sw->base = *sw->base_raw;
    if (profile_apply(sw->base, err))
        goto out;
    rc = HI_OK;
out:
    for (i = 0; i < P.n_sets; i++) {
        free(P.sets[i].key);
        free(P.sets[i].text);
    }
    if (have_doc)
        yaml_document_delete(&P.doc);
    yaml_parser_delete(&parser);
    if (rc)
        sweep_free(sw);
    return rc;
}

/* ---- points ---- */

size_t
sweep_index(const struct sweep *sw, size_t p, size_t d)
{
    size_t stride = 1, k;
    assert(p < sw->n_points && d < sw->n_dims);
    for (k = sw->n_dims; k-- > d + 1;)
        stride *= sw->dims[k].n;
    return (p / stride) % sw->dims[d].n;
}

/* "cost.beta=0.3, policy.name=hil-f" into buf */
static void
describe(const struct sweep *sw, size_t p, char *buf, size_t len)
{
    size_t d, j, n = 0;
    buf[0] = '\0';
    for (d = 0; d < sw->n_dims && n < len; d++) {
        size_t i = sweep_index(sw, p, d);
        for (j = 0; j < sw->dims[d].n_keys && n < len; j++)
            n += (size_t)snprintf(buf + n, len - n, "%s%s=%s", n ? ", " : "", sw->dims[d].keys[j].key,
                                  sw->dims[d].keys[j].text[i]);
    }
    if (!n)
        snprintf(buf, len, "the base scenario");
}

int
sweep_point_config(const struct sweep *sw, size_t p, struct hi_config *cfg, struct hi_error *err)
{
    size_t d, j;
    *cfg = sw->catalog_axis ? *sw->base_raw : *sw->base;
    for (d = 0; d < sw->n_dims; d++) {
        size_t i = sweep_index(sw, p, d);
        for (j = 0; j < sw->dims[d].n_keys; j++) {
            const struct sweep_key *k = &sw->dims[d].keys[j];
            struct config_where w = {sw->file, k->line[i], k->col[i], sw->dir};
            if (!k->cluster && config_set(cfg, k->key, k->text[i], &w, err))
                return HI_EINPUT;
        }
    }
    if (sw->catalog_axis) {
        struct hi_error sub = {0};
        if (profile_apply(cfg, &sub)) {
            char where[300];
            describe(sw, p, where, sizeof where);
            return error_set(err, sub.status, "%s: point %zu (%s): %s", sw->file, p, where, sub.msg);
        }
    }
    cfg->seed = 0;
    return HI_OK;
}

int
sweep_point_cluster(const struct sweep *sw, size_t p, struct cluster_config *cc, struct hi_error *err)
{
    size_t d, j;
    assert(sw->cluster);
    if (cluster_config_copy(cc, sw->cluster, err))
        return err->status;
    for (d = 0; d < sw->n_dims; d++) {
        size_t i = sweep_index(sw, p, d);
        for (j = 0; j < sw->dims[d].n_keys; j++) {
            const struct sweep_key *k = &sw->dims[d].keys[j];
            if (k->cluster && cluster_config_set_at(cc, k->key, k->text[i], sw->file, k->line[i], k->col[i], sw->dir,
                                                    err)) {
                cluster_config_free(cc);
                return err->status;
            }
        }
    }
    return HI_OK;
}

uint64_t
sweep_fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *b = data;
    size_t i;
    for (i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* splitmix64's finaliser (Steele, Lea, Flood 2014), as in sim/rng.c. */
static uint64_t
mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

uint64_t
sweep_seed(uint64_t seed, int crn, uint64_t key, uint64_t r)
{
    return mix(mix(mix(seed) ^ (crn ? 0 : key)) ^ r) >> 1;
}

void
sweep_key_hex(uint64_t key, char *buf)
{
    snprintf(buf, 17, "%016llx", (unsigned long long)key);
}

/* The FNV-1a hash of a file's bytes, read once per sweep. */
static int
digest(struct sweep *sw, const char *path, uint64_t *out, struct hi_error *err)
{
    char *real = realpath(path, NULL);
    struct sweep_digest *nd;
    FILE *f;
    unsigned char buf[65536];
    uint64_t h = SWEEP_FNV_BASIS;
    size_t i, got;
    if (!real)
        return error_set(err, HI_EINPUT, "%s: cannot open: %s", path, strerror(errno));
    for (i = 0; i < sw->n_digests; i++)
        if (strcmp(sw->digests[i].real, real) == 0) {
            free(real);
            *out = sw->digests[i].hash;
            return HI_OK;
        }
    if (!(f = fopen(real, "rb"))) {
        error_set(err, HI_EINPUT, "%s: cannot open: %s", path, strerror(errno));
        free(real);
        return HI_EINPUT;
    }
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        h = sweep_fnv1a(h, buf, got);
    if (ferror(f)) {
        fclose(f);
        free(real);
        return error_set(err, HI_EINPUT, "%s: cannot read: %s", path, strerror(errno));
    }
    fclose(f);
    nd = realloc(sw->digests, (sw->n_digests + 1) * sizeof *nd);
    if (!nd) {
        free(real);
        return error_set(err, HI_EINTERNAL, "out of memory");
    }
    sw->digests = nd;
    nd[sw->n_digests].real = real;
    nd[sw->n_digests].hash = h;
    sw->n_digests++;
    *out = h;
    return HI_OK;
}

/* "cluster.lists=" and the JSON of cc's lists with every profile path
 * replaced by the hash of its file, each profile checked on first use. */
static int
cluster_line(struct sweep *sw, const struct cluster_config *cc, char **line, struct hi_error *err)
{
    struct cluster_config c;
    size_t i, k, known;
    char *json;
    int rc;
    *line = NULL;
    if ((rc = cluster_config_copy(&c, cc, err)))
        return rc;
    for (i = 0; i < c.n_streams; i++)
        for (k = 0; k < c.stream[i].n_profiles; k++) {
            char *path = c.stream[i].profile[k], *hex = malloc(32);
            uint64_t h;
            known = sw->n_digests;
            if (!hex) {
                rc = error_set(err, HI_EINTERNAL, "out of memory");
                goto out;
            }
            if ((rc = digest(sw, path, &h, err))) {
                free(hex);
                goto out;
            }
            if (sw->n_digests > known) {
                /* a file not seen before: it must be a layer profile */
                struct hi_layers L;
                if ((rc = layers_load(&L, path, err))) {
                    free(hex);
                    goto out;
                }
                layers_free(&L);
            }
            snprintf(hex, 32, "fnv1a64:%016llx", (unsigned long long)h);
            free(path);
            c.stream[i].profile[k] = hex;
        }
    json = cluster_config_to_json(&c);
    if (!json || !(*line = malloc(strlen(json) + 16)))
        rc = error_set(err, HI_EINTERNAL, "out of memory");
    else
        sprintf(*line, "cluster.lists=%s", json);
    free(json);
out:
    cluster_config_free(&c);
    return rc;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The identity hash of a point's configuration (sweep.h): the sorted
 * "key=value" lines of the keys whose value differs from the schema's
 * default, so that a hisim with more keys (at their defaults) keeps the
 * keys, and the seeds, of every point. */
static int
identity(struct sweep *sw, const struct hi_config *cfg, const struct cluster_config *cc, uint64_t *key,
         struct hi_error *err)
{
    static const char magic[] = "hisim-point-v2\n";
    const char *target = sweep_target_name(sw->target);
    struct hi_config *c = malloc(sizeof *c);
    char **lines = calloc(config_n_keys + 1, sizeof *lines);
    char *buf = malloc(CONFIG_PATH_MAX + 64);
    size_t i, n = 0;
    int rc = HI_OK;

    if (!c || !lines || !buf) {
        rc = error_set(err, HI_EINTERNAL, "out of memory");
        goto out;
    }
    *c = *cfg;
    for (i = 0; i < config_n_keys; i++) {
        const struct config_key *k = &config_keys[i];
        char *field = (char *)c + k->offset;
        uint64_t h = 0;
        size_t len;
        /* the seed is the sweep's to give; the name is a label */
        if (strcmp(k->path, "seed") == 0 || strcmp(k->path, "name") == 0)
            continue;
        if (k->type == CONFIG_PATH && field[0]) {
            if ((rc = digest(sw, field, &h, err)))
                goto out;
            snprintf(field, k->size, "fnv1a64:%016llx", (unsigned long long)h);
        }
        config_format(c, k, buf, CONFIG_PATH_MAX + 64);
        if (strcmp(buf, sw->defaults[i]) == 0)
            continue;
        len = strlen(k->path) + strlen(buf) + 2;
        if (!(lines[n] = malloc(len))) {
            rc = error_set(err, HI_EINTERNAL, "out of memory");
            goto out;
        }
        snprintf(lines[n++], len, "%s=%s", k->path, buf);
    }
    if (cc && (rc = cluster_line(sw, cc, &lines[n++], err)))
        goto out;
    qsort(lines, n, sizeof *lines, cmp_str);
    *key = sweep_fnv1a(SWEEP_FNV_BASIS, magic, sizeof magic - 1);
    *key = sweep_fnv1a(*key, target, strlen(target));
    *key = sweep_fnv1a(*key, "\n", 1);
    for (i = 0; i < n; i++) {
        *key = sweep_fnv1a(*key, lines[i], strlen(lines[i]));
        *key = sweep_fnv1a(*key, "\n", 1);
    }
out:
    if (lines)
        for (i = 0; i < n; i++)
            free(lines[i]);
    free(lines);
    free(buf);
    free(c);
    return rc;
}

/* The index of the shared trace for cfg, loading it on first use.  The
 * engine sees trace.confidence through a view of its own, so one copy of
 * each file serves every point. */
static int
trace_for(struct sweep *sw, const struct hi_config *cfg, size_t *out, struct hi_error *err)
{
    char *real = realpath(cfg->trace.file, NULL);
    struct sweep_trace *nt;
    struct hi_trace *t;
    size_t i;
    if (!real)
        return error_set(err, HI_EINPUT, "%s: cannot open trace: %s", cfg->trace.file, strerror(errno));
    for (i = 0; i < sw->n_traces; i++)
        if (strcmp(sw->traces[i].real, real) == 0) {
            free(real);
            *out = i;
            return HI_OK;
        }
    if (!(t = trace_load(cfg->trace.file, err))) {
        free(real);
        return err->status;
    }
    nt = realloc(sw->traces, (sw->n_traces + 1) * sizeof *nt);
    if (!nt) {
        trace_free(t);
        free(real);
        return error_set(err, HI_EINTERNAL, "out of memory");
    }
    sw->traces = nt;
    nt[sw->n_traces].real = real;
    nt[sw->n_traces].trace = t;
    *out = sw->n_traces++;
    return HI_OK;
}

struct key_idx {
    uint64_t key;
    size_t p;
};

static int
cmp_key(const void *a, const void *b)
{
    const struct key_idx *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->p < y->p ? -1 : x->p > y->p;
}

int
sweep_expand(struct sweep *sw, struct hi_error *err)
{
    struct hi_config *cfg = malloc(sizeof *cfg);
    struct key_idx *ki = NULL;
    size_t p;
    int rc = HI_EINTERNAL;

    sw->key = calloc(sw->n_points, sizeof *sw->key);
    sw->trace_of = calloc(sw->n_points, sizeof *sw->trace_of);
    sw->defaults = calloc(config_n_keys, sizeof *sw->defaults);
    ki = malloc(sw->n_points * sizeof *ki);
    if (!cfg || !sw->key || !sw->trace_of || !sw->defaults || !ki) {
        error_set(err, HI_EINTERNAL, "out of memory");
        goto out;
    }
    /* the schema's defaults as text, against which identities are taken */
    config_defaults(cfg);
    for (p = 0; p < config_n_keys; p++) {
        char buf[CONFIG_PATH_MAX + 64];
        config_format(cfg, &config_keys[p], buf, sizeof buf);
        if (!(sw->defaults[p] = strdup(buf))) {
            error_set(err, HI_EINTERNAL, "out of memory");
            goto out;
        }
    }
    for (p = 0; p < sw->n_points; p++) {
        if (sweep_point_config(sw, p, cfg, err))
            goto fail;
        sw->trace_of[p] = SIZE_MAX;
        if (sw->target == SWEEP_CLUSTER) {
            struct cluster_config cc;
            if (sweep_point_cluster(sw, p, &cc, err))
                goto fail;
            rc = cluster_check(cfg, &cc, err);
            if (!rc)
                rc = identity(sw, cfg, &cc, &sw->key[p], err);
            cluster_config_free(&cc);
            if (rc)
                goto fail_at;
            ki[p].key = sw->key[p];
            ki[p].p = p;
            continue;
        }
        if (identity(sw, cfg, NULL, &sw->key[p], err))
            goto fail_at;
        if (!cfg->trace.file[0]) {
            if (sw->target == SWEEP_SIMULATE) {
                error_set(err, HI_EINPUT, "%s: trace.file is not set (in the scenario %s, under set: or as an axis)",
                          sw->file, sw->scenario);
                goto fail;
            }
        } else if (trace_for(sw, cfg, &sw->trace_of[p], err)) {
            goto fail_at;
        }
        ki[p].key = sw->key[p];
        ki[p].p = p;
    }
    qsort(ki, sw->n_points, sizeof *ki, cmp_key);
    {
        /* report the first point, in grid order, that repeats an earlier one */
        size_t first = SIZE_MAX, earlier = 0;
        for (p = 1; p < sw->n_points; p++)
            if (ki[p].key == ki[p - 1].key && ki[p].p < first) {
                size_t q = p - 1;
                while (q > 0 && ki[q - 1].key == ki[p].key)
                    q--;
                first = ki[p].p;
                earlier = ki[q].p;
            }
        if (first != SIZE_MAX) {
            char a[300], b[300];
            describe(sw, earlier, a, sizeof a);
            describe(sw, first, b, sizeof b);
            error_set(err, HI_EINPUT, "%s: points %zu (%s) and %zu (%s) have the same effective configuration",
                      sw->file, earlier, a, first, b);
            goto fail;
        }
    }
    rc = HI_OK;
    goto out;
fail_at:
    {
        /* name the point in messages that do not have a file position */
        char where[300], msg[sizeof err->msg];
        describe(sw, p, where, sizeof where);
        snprintf(msg, sizeof msg, "%s", err->msg);
        error_set(err, err->status, "%s: point %zu (%s): %s", sw->file, p, where, msg);
    }
fail:
    rc = err->status;
out:
    free(ki);
    free(cfg);
    return rc;
}

const struct hi_trace *
sweep_trace_of(const struct sweep *sw, size_t p)
{
    return sw->trace_of[p] == SIZE_MAX ? NULL : sw->traces[sw->trace_of[p]].trace;
}

char *
sweep_point_axes(const struct sweep *sw, size_t p)
{
    struct json j;
    size_t d, k;
    json_init(&j);
    json_object_begin(&j);
    for (d = 0; d < sw->n_dims; d++) {
        size_t i = sweep_index(sw, p, d);
        for (k = 0; k < sw->dims[d].n_keys; k++) {
            const struct sweep_key *key = &sw->dims[d].keys[k];
            const char *t = key->text[i];
            int number;
            if (key->cluster) {
                /* a list key has no schema: a value that reads as a number is one */
                char *end;
                double v = strtod(t, &end);
                number = *t && !*end && isfinite(v) && !isspace((unsigned char)t[0]);
            } else {
                number = key->schema->type == CONFIG_NUMBER || key->schema->type == CONFIG_COUNT
                      || key->schema->type == CONFIG_UINT64;
            }
            json_key(&j, key->key);
            if (number && !(key->schema && key->schema->keyword && strcmp(t, key->schema->keyword) == 0))
                json_number(&j, strtod(t, NULL));
            else
                json_string(&j, t);
        }
    }
    json_object_end(&j);
    return json_take(&j);
}

void
sweep_free(struct sweep *sw)
{
    size_t d, j, i;
    for (d = 0; d < sw->n_dims; d++) {
        for (j = 0; j < sw->dims[d].n_keys; j++) {
            struct sweep_key *k = &sw->dims[d].keys[j];
            if (k->text)
                for (i = 0; i < k->n; i++)
                    free(k->text[i]);
            free(k->text);
            free(k->line);
            free(k->col);
            free(k->key);
        }
        free(sw->dims[d].keys);
    }
    for (i = 0; i < sw->n_traces; i++) {
        trace_free(sw->traces[i].trace);
        free(sw->traces[i].real);
    }
    for (i = 0; i < sw->n_digests; i++)
        free(sw->digests[i].real);
    if (sw->defaults)
        for (i = 0; i < config_n_keys; i++)
            free(sw->defaults[i]);
    free(sw->defaults);
    free(sw->traces);
    free(sw->digests);
    free(sw->key);
    free(sw->trace_of);
    free(sw->columns);
    free(sw->base_raw);
    free(sw->base);
    if (sw->cluster)
        cluster_config_free(sw->cluster);
    free(sw->cluster);
    free(sw->scenario);
    free(sw->text);
    free(sw->dir);
    free(sw->file);
    memset(sw, 0, sizeof *sw);
}

/* ---- replications ---- */

size_t
sweep_min_reps(const struct sweep *sw)
{
    return sw->stop.on ? sw->stop.min : sw->replications;
}

size_t
sweep_max_reps(const struct sweep *sw)
{
    return sw->stop.on ? sw->stop.max : sw->replications;
}

int
sweep_stop_met(const struct sweep_stop *st, const double *v, size_t k)
{
    double mean, sd, t;
    size_t i;
    if (k >= st->max)
        return 1;
    if (k < st->min || k < 2)
        return 0;
    for (i = 0; i < k; i++)
        if (!isfinite(v[i]))
            return 0;
    mean = gsl_stats_mean(v, 1, k);
    sd = gsl_stats_sd_m(v, 1, k, mean);
    t = gsl_cdf_tdist_Pinv(0.975, (double)(k - 1));
    return t * sd / sqrt((double)k) <= st->rel_ci * fabs(mean);
}

int
sweep_metric_known(enum sweep_target t, const char *name)
{
    size_t i, n;
    if (t == SWEEP_CLUSTER)
        return cluster_metric_known(name);
    if (t == SWEEP_BATCHSIZE) {
        for (i = 0; sweep_batchsize_metrics[i]; i++)
            if (strcmp(sweep_batchsize_metrics[i], name) == 0)
                return 1;
        return 0;
    }
    {
        struct engine_result *r = calloc(1, sizeof *r);
        struct store_metric m[SUMMARY_MAX_METRICS];
        int found = 0;
        if (!r)
            return 0;
        n = summary_metrics(r, m);
        for (i = 0; i < n; i++)
            found |= strcmp(m[i].name, name) == 0;
        free(r);
        return found;
    }
}

const char *
sweep_target_name(enum sweep_target t)
{
    return t == SWEEP_BATCHSIZE ? "batch-size" : t == SWEEP_CLUSTER ? "cluster" : "simulate";
}
