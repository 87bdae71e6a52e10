/*
 * cluster_config.c — reads cluster.nodes and cluster.requests (the lists of
 * a cluster scenario) on libyaml's event parser.
 *
 * Grammar accepted (the rest of the scenario is skipped here; sim/scenario.c
 * reads it):
 *
 *   scenario  := MAPPING-START (key value)* MAPPING-END
 *   cluster   := 'cluster' MAPPING-START ('nodes' nodes | 'requests' streams | key value)* MAPPING-END
 *   nodes     := SEQUENCE-START node* SEQUENCE-END
 *   node      := MAPPING-START (nkey SCALAR | 'link' scalars | 'processors' procs)* MAPPING-END
 *   procs     := SEQUENCE-START (MAPPING-START (pkey SCALAR | 'efficiency' (SCALAR | scalars))* MAPPING-END)* SEQUENCE-END
 *   streams   := SEQUENCE-START (MAPPING-START (skey SCALAR | 'profiles' SEQUENCE-OF-SCALARS)* MAPPING-END)* SEQUENCE-END
 *   scalars   := MAPPING-START (key SCALAR)* MAPPING-END
 *
 * A node's settings are collected as (key, value) pairs and applied after
 * its catalog device, so that the scenario's processor keys override the
 * catalog's; the same setters serve -s.  Errors carry the node's position.
 */
#include "sim/cluster_config.h"

#include <errno.h>
#include <stdint.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "sim/config.h"
#include "sim/json.h"
#include "traces/catalog.h"

static const char *const unit_names[] = {"cpu", "gpu", "npu", NULL};
static const char *const arrivals_names[] = {"periodic", "poisson", "closed", NULL};
static const char *const pick_names[] = {"cycle", "random", NULL};

const char *
cluster_unit_name(int unit)
{
    return unit_names[unit];
}

/* ---- setters shared by the YAML and -s ---- */

struct where {
    const char *file;            /* NULL: -s */
    size_t line, col;
    const char *dir;             /* base of relative paths */
    const char *arg;             /* the -s argument */
};

static int
fail(const struct where *w, struct hi_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int
fail(const struct where *w, struct hi_error *err, const char *fmt, ...)
{
    char msg[800];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (w->file)
        return error_at(err, w->file, w->line, w->col, "%s", msg);
    return error_set(err, HI_EINPUT, "-s %s: %s", w->arg, msg);
}

static int
number(const char *s, double lo, int lo_open, double *v)
{
    char *end;
    if (!*s)
        return -1;
    errno = 0;
    *v = strtod(s, &end);
    if (*end || errno == ERANGE || !isfinite(*v))
        return -1;
    return (*v < lo || (lo_open && *v == lo)) ? -1 : 0;
}

static int
choice(const char *s, const char *const *names)
{
    int i;
    for (i = 0; names[i]; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

static int
boolean(const char *s, int *v)
{
    if (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "1"))
        return *v = 1, 0;
    if (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "0"))
        return *v = 0, 0;
    return -1;
}

static int
is_name(const char *s)
{
    if (!*s || strlen(s) >= CLUSTER_NAME_MAX)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
            return 0;
    return 1;
}

static struct cluster_proc *
proc_new(struct cluster_node *n, const char *name)
{
    struct cluster_proc *p;
    if (n->n_procs == CLUSTER_MAX_PROCS)
        return NULL;
    p = &n->proc[n->n_procs++];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    p->unit = CLUSTER_CPU;
    p->gflops = NAN;
    p->efficiency = NAN;
    p->comm_mbps = INFINITY;
    snprintf(p->source, sizeof p->source, "scenario");
    return p;
}

static struct cluster_proc *
proc_find(struct cluster_node *n, const char *name)
{
    size_t i;
    for (i = 0; i < n->n_procs; i++)
        if (strcmp(n->proc[i].name, name) == 0)
            return &n->proc[i];
    return NULL;
}

/* PROC.KEY: unit, gflops, efficiency, efficiency.TYPE, comm_mbps, active_w, idle_w */
static int
proc_set(struct cluster_node *n, const char *pname, const char *key, const char *text, int create,
         const struct where *w, struct hi_error *err)
{
    struct cluster_proc *p = proc_find(n, pname);
    double v;
    int c;
    if (!p) {
        if (!create)
            return fail(w, err, "node %s has no processor '%s'", n->name, pname);
        if (!is_name(pname))
            return fail(w, err, "processor name: expected [a-z0-9_-]+ (at most %d characters), found '%s'",
                        CLUSTER_NAME_MAX - 1, pname);
        p = proc_new(n, pname);
        if (!p)
            return fail(w, err, "node %s: at most %d processors", n->name, CLUSTER_MAX_PROCS);
    }
    if (strcmp(key, "unit") == 0) {
        if ((c = choice(text, unit_names)) < 0)
            return fail(w, err, "%s.unit: expected cpu, gpu or npu, found '%s'", pname, text);
        p->unit = c;
    } else if (strcmp(key, "gflops") == 0) {
        if (number(text, 0, 1, &v))
            return fail(w, err, "%s.gflops: expected a number > 0 (peak GFLOP/s), found '%s'", pname, text);
        p->gflops = v;
    } else if (strcmp(key, "efficiency") == 0 || strncmp(key, "efficiency.", 11) == 0) {
        if (number(text, 0, 1, &v) || v > 1)
            return fail(w, err, "%s.%s: expected a fraction in (0, 1], found '%s'", pname, key, text);
        if (key[10] == '\0' || strcmp(key + 11, "default") == 0) {
            p->efficiency = v;
        } else {
            const char *type = key + 11;
            size_t i;
            if (!*type || strlen(type) >= CLUSTER_NAME_MAX)
                return fail(w, err, "%s.%s: expected a layer type", pname, key);
            for (i = 0; i < p->n_eff && strcmp(p->eff_type[i], type) != 0; i++)
                ;
            if (i == p->n_eff) {
                if (p->n_eff == CLUSTER_MAX_EFF)
                    return fail(w, err, "%s.efficiency: at most %d layer types", pname, CLUSTER_MAX_EFF);
                snprintf(p->eff_type[p->n_eff++], CLUSTER_NAME_MAX, "%s", type);
            }
            p->eff[i] = v;
        }
    } else if (strcmp(key, "comm_mbps") == 0) {
        if (number(text, 0, 1, &v))
            return fail(w, err, "%s.comm_mbps: expected a number > 0, found '%s'", pname, text);
        p->comm_mbps = v;
    } else if (strcmp(key, "active_w") == 0 || strcmp(key, "idle_w") == 0) {
        if (number(text, 0, 0, &v))
            return fail(w, err, "%s.%s: expected a number >= 0 (watts), found '%s'", pname, key, text);
        *(key[0] == 'a' ? &p->active_w : &p->idle_w) = v;
    } else {
        return fail(w, err, "unknown processor key '%s' (expected name, unit, gflops, efficiency, comm_mbps, "
                            "active_w, idle_w)", key);
    }
    return HI_OK;
}

/* available, link.rate_mbps, link.latency_ms, link.tx_w, PROC.KEY */
static int
node_set(struct cluster_node *n, const char *key, const char *text, int create, const struct where *w,
         struct hi_error *err)
{
    double v;
    if (strcmp(key, "available") == 0) {
        if (boolean(text, &n->available))
            return fail(w, err, "available: expected true or false, found '%s'", text);
    } else if (strcmp(key, "link.rate_mbps") == 0) {
        if (number(text, 0, 1, &v))
            return fail(w, err, "link.rate_mbps: expected a number > 0 (Mbit/s), found '%s'", text);
        n->rate_mbps = v;
    } else if (strcmp(key, "link.latency_ms") == 0 || strcmp(key, "link.tx_w") == 0) {
        if (number(text, 0, 0, &v))
            return fail(w, err, "%s: expected a number >= 0, found '%s'", key, text);
        *(key[5] == 'l' ? &n->latency_ms : &n->tx_w) = v;
    } else if (strncmp(key, "link.", 5) == 0) {
        return fail(w, err, "unknown link key '%s' (expected rate_mbps, latency_ms, tx_w)", key + 5);
    } else {
        const char *dot = strchr(key, '.');
        char pname[CLUSTER_NAME_MAX];
        if (!dot || (size_t)(dot - key) >= sizeof pname)
            return fail(w, err, "unknown node key '%s' (expected name, device, available, link, processors)", key);
        memcpy(pname, key, (size_t)(dot - key));
        pname[dot - key] = '\0';
        return proc_set(n, pname, dot + 1, text, create, w, err);
    }
    return HI_OK;
}

static int
device_fill(struct cluster_node *n, const char *device, const struct where *w, struct hi_error *err)
{
    struct hi_error cerr = {0};
    struct catalog_entry *e;
    size_t i;
    if (strlen(device) >= sizeof n->device)
        return fail(w, err, "device: name too long");
    e = catalog_open(device, &cerr);
    if (!e)
        return fail(w, err, "device: %s", cerr.msg);
    if (e->n_processors == 0) {
        int rc = fail(w, err, "device: catalog entry %s has no processors[] (give the node's processors)", device);
        catalog_free(e);
        return rc;
    }
    snprintf(n->device, sizeof n->device, "%s", device);
    n->n_procs = 0;
    for (i = 0; i < e->n_processors && i < CLUSTER_MAX_PROCS; i++) {
        const struct catalog_item *it = &e->processors[i];
        struct cluster_proc *p = proc_new(n, it->processor);
        p->unit = choice(it->unit, unit_names);
        p->gflops = it->gflops;
        p->comm_mbps = isnan(it->comm_mbps) ? INFINITY : it->comm_mbps;
        p->active_w = isnan(it->active_w) ? 0 : it->active_w;
        p->idle_w = isnan(it->idle_w) ? 0 : it->idle_w;
        snprintf(p->source, sizeof p->source, "%s", it->source);
    }
    catalog_free(e);
    return HI_OK;
}

static int
stream_add_profile(struct cluster_stream *s, const char *text, const struct where *w, struct hi_error *err)
{
    char **p;
    size_t need;
    int rel = w->dir && *w->dir && strcmp(w->dir, ".") != 0 && text[0] != '/';
    if (!*text)
        return fail(w, err, "profile: expected a layer profile path, found nothing");
    p = realloc(s->profile, (s->n_profiles + 1) * sizeof *p);
    if (!p)
        return error_set(err, HI_EINTERNAL, "out of memory");
    s->profile = p;
    need = strlen(text) + (rel ? strlen(w->dir) + 2 : 1);
    if (!(p[s->n_profiles] = malloc(need)))
        return error_set(err, HI_EINTERNAL, "out of memory");
    if (rel)
        snprintf(p[s->n_profiles], need, "%s/%s", w->dir, text);
    else
        snprintf(p[s->n_profiles], need, "%s", text);
    s->n_profiles++;
    return HI_OK;
}

static void
stream_clear_profiles(struct cluster_stream *s)
{
    size_t i;
    for (i = 0; i < s->n_profiles; i++)
        free(s->profile[i]);
    free(s->profile);
    s->profile = NULL;
    s->n_profiles = 0;
}

static int
stream_set(struct cluster_stream *s, const char *key, const char *text, const struct where *w,
           struct hi_error *err)
{
    double v;
    int c;
    if (strcmp(key, "arrivals") == 0) {
        if ((c = choice(text, arrivals_names)) < 0)
            return fail(w, err, "arrivals: expected periodic, poisson or closed, found '%s'", text);
        s->arrivals = c;
    } else if (strcmp(key, "pick") == 0) {
        if ((c = choice(text, pick_names)) < 0)
            return fail(w, err, "pick: expected cycle or random, found '%s'", text);
        s->pick = c;
    } else if (strcmp(key, "period_ms") == 0 || strcmp(key, "rate_hz") == 0) {
        if (number(text, 0, 1, &v))
            return fail(w, err, "%s: expected a number > 0, found '%s'", key, text);
        *(key[0] == 'p' ? &s->period_ms : &s->rate_hz) = v;
    } else if (strcmp(key, "start_ms") == 0 || strcmp(key, "think_ms") == 0) {
        if (number(text, 0, 0, &v))
            return fail(w, err, "%s: expected a number >= 0, found '%s'", key, text);
        *(key[0] == 's' ? &s->start_ms : &s->think_ms) = v;
    } else if (strcmp(key, "count") == 0) {
        if (number(text, 1, 0, &v) || v != floor(v) || v > 1e9)
            return fail(w, err, "count: expected an integer >= 1, found '%s'", text);
        s->count = (size_t)v;
    } else if (strcmp(key, "enabled") == 0) {
        int on;
        if (boolean(text, &on))
            return fail(w, err, "enabled: expected true or false, found '%s'", text);
        s->off = !on;
    } else if (strcmp(key, "profile") == 0) {
        stream_clear_profiles(s);
        return stream_add_profile(s, text, w, err);
    } else {
        return fail(w, err, "unknown request key '%s' (expected profile, profiles, arrivals, period_ms, rate_hz, "
                            "think_ms, start_ms, count, pick, enabled)", key);
    }
    return HI_OK;
}

/* ---- the YAML walk ---- */

struct op {
    char key[96];
    char *value;
    size_t line, col;
};

struct loader {
    const char *file;
    char dir[CONFIG_PATH_MAX];
    yaml_parser_t parser;
    struct cluster_config *cc;
    struct hi_error *err;
    struct op *ops;
    size_t n_ops, cap_ops;
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
        return at(L, m, "malformed YAML: %s", L->parser.problem ? L->parser.problem : "syntax error");
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

static struct where
where_of(struct loader *L, const yaml_mark_t *m)
{
    struct where w = {L->file, m->line + 1, m->column + 1, L->dir, NULL};
    return w;
}

/* Consumes the rest of a node whose first event was `ev`. */
static int
skip(struct loader *L, const yaml_event_t *ev)
{
    size_t depth;
    if (ev->type != YAML_SEQUENCE_START_EVENT && ev->type != YAML_MAPPING_START_EVENT)
        return HI_OK;
    depth = 1;
    while (depth > 0) {
        yaml_event_t e;
        if (next(L, &e))
            return HI_EINPUT;
        if (e.type == YAML_SEQUENCE_START_EVENT || e.type == YAML_MAPPING_START_EVENT)
            depth++;
        else if (e.type == YAML_SEQUENCE_END_EVENT || e.type == YAML_MAPPING_END_EVENT)
            depth--;
        yaml_event_delete(&e);
    }
    return HI_OK;
}

static int
push_op(struct loader *L, const char *key, const char *value, const yaml_mark_t *m)
{
    struct op *o;
    if (L->n_ops == L->cap_ops) {
        size_t c = L->cap_ops ? 2 * L->cap_ops : 32;
        struct op *p = realloc(L->ops, c * sizeof *p);
        if (!p)
            return error_set(L->err, HI_EINTERNAL, "out of memory");
        L->ops = p;
        L->cap_ops = c;
    }
    o = &L->ops[L->n_ops];
    if ((size_t)snprintf(o->key, sizeof o->key, "%s", key) >= sizeof o->key)
        return at(L, m, "key too long: '%.60s'", key);
    if (!(o->value = strdup(value)))
        return error_set(L->err, HI_EINTERNAL, "out of memory");
    o->line = m->line + 1;
    o->col = m->column + 1;
    L->n_ops++;
    return HI_OK;
}

static void
clear_ops(struct loader *L)
{
    size_t i;
    for (i = 0; i < L->n_ops; i++)
        free(L->ops[i].value);
    L->n_ops = 0;
}

/* Reads a mapping of scalars (after its MAPPING-START) as ops "prefix.key". */
static int
scalars(struct loader *L, const char *prefix)
{
    for (;;) {
        yaml_event_t k, v;
        char key[96];
        int rc;
        if (next(L, &k))
            return HI_EINPUT;
        if (k.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&k);
            return HI_OK;
        }
        if (k.type != YAML_SCALAR_EVENT) {
            rc = at(L, &k.start_mark, "%s: expected a key, found %s", prefix, event_name(&k));
            yaml_event_delete(&k);
            return rc;
        }
        snprintf(key, sizeof key, "%s.%s", prefix, (const char *)k.data.scalar.value);
        if (next(L, &v)) {
            yaml_event_delete(&k);
            return HI_EINPUT;
        }
        if (v.type != YAML_SCALAR_EVENT)
            rc = at(L, &v.start_mark, "%s: expected a scalar, found %s", key, event_name(&v));
        else
            rc = push_op(L, key, (const char *)v.data.scalar.value, &v.start_mark);
        yaml_event_delete(&k);
        yaml_event_delete(&v);
        if (rc)
            return rc;
    }
}

/* One processors[] item (after its MAPPING-START), as ops "NAME.key". */
static int
proc_item(struct loader *L, const yaml_mark_t *start)
{
    size_t first = L->n_ops, i;
    char *name = NULL;
    int rc = HI_OK;
    for (;;) {
        yaml_event_t k, v;
        const char *key;
        if (next(L, &k))
            return HI_EINPUT;
        if (k.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&k);
            break;
        }
        if (k.type != YAML_SCALAR_EVENT) {
            rc = at(L, &k.start_mark, "processors: expected a key, found %s", event_name(&k));
            yaml_event_delete(&k);
            goto out;
        }
        if (next(L, &v)) {
            yaml_event_delete(&k);
            rc = HI_EINPUT;
            goto out;
        }
        key = (const char *)k.data.scalar.value;
        if (strcmp(key, "efficiency") == 0 && v.type == YAML_MAPPING_START_EVENT) {
            rc = scalars(L, "efficiency");
        } else if (v.type != YAML_SCALAR_EVENT) {
            rc = at(L, &v.start_mark, "processors: %s: expected a scalar, found %s", key, event_name(&v));
        } else if (strcmp(key, "name") == 0) {
            free(name);
            if (!(name = strdup((const char *)v.data.scalar.value)))
                rc = error_set(L->err, HI_EINTERNAL, "out of memory");
            else if (!is_name(name))
                rc = at(L, &v.start_mark, "processors: name: expected [a-z0-9_-]+ (at most %d characters), found '%s'",
                        CLUSTER_NAME_MAX - 1, name);
        } else {
            rc = push_op(L, key, (const char *)v.data.scalar.value, &v.start_mark);
        }
        yaml_event_delete(&k);
        yaml_event_delete(&v);
        if (rc)
            goto out;
    }
    if (!name) {
        rc = at(L, start, "processors: missing key 'name'");
        goto out;
    }
    if (L->n_ops == first) {
        rc = at(L, start, "processors: %s: no keys besides the name", name);
        goto out;
    }
    /* prefix the item's keys with its name */
    for (i = first; rc == HI_OK && i < L->n_ops; i++) {
        char key[96];
        if ((size_t)snprintf(key, sizeof key, "%s.%s", name, L->ops[i].key) >= sizeof key) {
            rc = error_at(L->err, L->file, L->ops[i].line, L->ops[i].col, "key too long");
            break;
        }
        snprintf(L->ops[i].key, sizeof L->ops[i].key, "%s", key);
    }
out:
    free(name);
    return rc;
}

/* One nodes[] item, after its MAPPING-START at `start`. */
static int
node_item(struct loader *L, const yaml_mark_t *start)
{
    struct cluster_config *cc = L->cc;
    struct cluster_node *n;
    char name[64] = "", device[80] = "";
    yaml_mark_t name_mark = *start, device_mark = *start;
    size_t i;
    int rc;

    if (cc->n_nodes == CLUSTER_MAX_NODES)
        return at(L, start, "cluster.nodes: at most %d nodes", CLUSTER_MAX_NODES);
    clear_ops(L);
    for (;;) {
        yaml_event_t k, v;
        const char *key;
        if (next(L, &k))
            return HI_EINPUT;
        if (k.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&k);
            break;
        }
        if (k.type != YAML_SCALAR_EVENT) {
            rc = at(L, &k.start_mark, "cluster.nodes: expected a key, found %s", event_name(&k));
            yaml_event_delete(&k);
            return rc;
        }
        if (next(L, &v)) {
            yaml_event_delete(&k);
            return HI_EINPUT;
        }
        key = (const char *)k.data.scalar.value;
        rc = HI_OK;
        if (strcmp(key, "link") == 0 && v.type == YAML_MAPPING_START_EVENT) {
            rc = scalars(L, "link");
        } else if (strcmp(key, "processors") == 0) {
            if (v.type != YAML_SEQUENCE_START_EVENT) {
                rc = at(L, &v.start_mark, "processors: expected a sequence of processors, found %s", event_name(&v));
            } else {
                for (;;) {
                    yaml_event_t e;
                    if (next(L, &e)) {
                        rc = HI_EINPUT;
                        break;
                    }
                    if (e.type == YAML_SEQUENCE_END_EVENT) {
                        yaml_event_delete(&e);
                        break;
                    }
                    if (e.type != YAML_MAPPING_START_EVENT) {
                        rc = at(L, &e.start_mark, "processors: expected a mapping of processor keys, found %s",
                                event_name(&e));
                        yaml_event_delete(&e);
                        break;
                    }
                    rc = proc_item(L, &e.start_mark);
                    yaml_event_delete(&e);
                    if (rc)
                        break;
                }
            }
        } else if (v.type != YAML_SCALAR_EVENT) {
            rc = at(L, &v.start_mark, "cluster.nodes: %s: expected a scalar, found %s", key, event_name(&v));
        } else if (strcmp(key, "name") == 0 || strcmp(key, "device") == 0) {
            char *dst = key[0] == 'n' ? name : device;
            size_t cap = key[0] == 'n' ? sizeof name : sizeof device;
            if (*dst)
                rc = at(L, &k.start_mark, "cluster.nodes: duplicate key '%s'", key);
            else
                snprintf(dst, cap, "%s", (const char *)v.data.scalar.value);
            *(key[0] == 'n' ? &name_mark : &device_mark) = v.start_mark;
        } else {
            rc = push_op(L, key, (const char *)v.data.scalar.value, &v.start_mark);
        }
        yaml_event_delete(&k);
        yaml_event_delete(&v);
        if (rc)
            return rc;
    }

    if (!name[0])
        return at(L, start, "cluster.nodes[%zu]: missing key 'name'", cc->n_nodes);
    if (!is_name(name))
        return at(L, &name_mark, "name: expected [a-z0-9_-]+ (at most %d characters), found '%s'",
                  CLUSTER_NAME_MAX - 1, name);
    for (i = 0; i < cc->n_nodes; i++)
        if (strcmp(cc->node[i].name, name) == 0)
            return at(L, &name_mark, "cluster.nodes: duplicate node name '%s'", name);
    n = &cc->node[cc->n_nodes];
    memset(n, 0, sizeof *n);
    snprintf(n->name, sizeof n->name, "%s", name);
    n->available = 1;
    n->rate_mbps = NAN;
    if (device[0]) {
        struct where w = where_of(L, &device_mark);
        if ((rc = device_fill(n, device, &w, L->err)))
            return rc;
    }
    for (i = 0; i < L->n_ops; i++) {
        struct where w = {L->file, L->ops[i].line, L->ops[i].col, L->dir, NULL};
        if ((rc = node_set(n, L->ops[i].key, L->ops[i].value, 1, &w, L->err)))
            return rc;
    }
    if (n->n_procs == 0)
        return at(L, start, "node %s: no processors (give device: or processors:)", name);
    for (i = 0; i < n->n_procs; i++)
        if (isnan(n->proc[i].gflops))
            return at(L, start, "node %s: processor %s has no gflops", name, n->proc[i].name);
    cc->n_nodes++;
    return HI_OK;
}

/* One requests[] item, after its MAPPING-START. */
static int
stream_item(struct loader *L, const yaml_mark_t *start)
{
    struct cluster_config *cc = L->cc;
    struct cluster_stream *s;
    int rc, seen_profile = 0;
    if (cc->n_streams == CLUSTER_MAX_STREAMS)
        return at(L, start, "cluster.requests: at most %d streams", CLUSTER_MAX_STREAMS);
    s = &cc->stream[cc->n_streams++];   /* counted now: cluster_config_free frees it */
    memset(s, 0, sizeof *s);
    for (;;) {
        yaml_event_t k, v;
        const char *key;
        if (next(L, &k))
            return HI_EINPUT;
        if (k.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&k);
            break;
        }
        if (k.type != YAML_SCALAR_EVENT) {
            rc = at(L, &k.start_mark, "cluster.requests: expected a key, found %s", event_name(&k));
            yaml_event_delete(&k);
            return rc;
        }
        if (next(L, &v)) {
            yaml_event_delete(&k);
            return HI_EINPUT;
        }
        key = (const char *)k.data.scalar.value;
        rc = HI_OK;
        if (strcmp(key, "profiles") == 0 || strcmp(key, "profile") == 0) {
            if (seen_profile++)
                rc = at(L, &k.start_mark, "cluster.requests: give profile or profiles once");
        }
        if (rc) {
        } else if (strcmp(key, "profiles") == 0) {
            if (v.type != YAML_SEQUENCE_START_EVENT) {
                rc = at(L, &v.start_mark, "profiles: expected a sequence of profile paths, found %s", event_name(&v));
            } else {
                for (;;) {
                    yaml_event_t e;
                    struct where w;
                    if (next(L, &e)) {
                        rc = HI_EINPUT;
                        break;
                    }
                    if (e.type == YAML_SEQUENCE_END_EVENT) {
                        yaml_event_delete(&e);
                        break;
                    }
                    w = where_of(L, &e.start_mark);
                    rc = e.type == YAML_SCALAR_EVENT
                             ? stream_add_profile(s, (const char *)e.data.scalar.value, &w, L->err)
                             : at(L, &e.start_mark, "profiles: expected a path, found %s", event_name(&e));
                    yaml_event_delete(&e);
                    if (rc)
                        break;
                }
            }
        } else if (v.type != YAML_SCALAR_EVENT) {
            rc = at(L, &v.start_mark, "cluster.requests: %s: expected a scalar, found %s", key, event_name(&v));
        } else {
            struct where w = where_of(L, &v.start_mark);
            rc = stream_set(s, key, (const char *)v.data.scalar.value, &w, L->err);
        }
        yaml_event_delete(&k);
        yaml_event_delete(&v);
        if (rc)
            return rc;
    }
    /* what depends on other keys (rates, counts) is checked with them, in cluster_build */
    if (s->n_profiles == 0)
        return at(L, start, "cluster.requests[%zu]: missing key 'profile' (or 'profiles')", cc->n_streams - 1);
    return HI_OK;
}

/* A sequence value of cluster.nodes or cluster.requests. */
static int
list(struct loader *L, const yaml_event_t *v, const char *what, int (*item)(struct loader *, const yaml_mark_t *))
{
    if (v->type != YAML_SEQUENCE_START_EVENT)
        return at(L, &v->start_mark, "cluster.%s: expected a sequence, found %s", what, event_name(v));
    for (;;) {
        yaml_event_t e;
        int rc;
        if (next(L, &e))
            return HI_EINPUT;
        if (e.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&e);
            return HI_OK;
        }
        if (e.type != YAML_MAPPING_START_EVENT) {
            rc = at(L, &e.start_mark, "cluster.%s: expected a mapping per entry, found %s", what, event_name(&e));
            yaml_event_delete(&e);
            return rc;
        }
        rc = item(L, &e.start_mark);
        yaml_event_delete(&e);
        if (rc)
            return rc;
    }
}

/* Where a mapping is, for walk(). */
enum level { SCENARIO, CLUSTER, SWEEP, SWEEP_SET };

/* The body of a mapping (after MAPPING-START) at `lv`: a scenario's top
 * level (cluster: ...), its cluster section (nodes, requests), a sweep
 * file's top level (set: ...) or its set section (cluster: ...,
 * cluster.nodes, cluster.requests). */
static int
walk(struct loader *L, enum level lv, int *seen_nodes, int *seen_requests)
{
    for (;;) {
        yaml_event_t k, v;
        int rc = HI_OK;
        const char *key, *list_name = NULL;
        if (next(L, &k))
            return HI_EINPUT;
        if (k.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&k);
            return HI_OK;
        }
        if (next(L, &v)) {
            yaml_event_delete(&k);
            return HI_EINPUT;
        }
        key = k.type == YAML_SCALAR_EVENT ? (const char *)k.data.scalar.value : "";
        if (lv == CLUSTER && (strcmp(key, "nodes") == 0 || strcmp(key, "requests") == 0))
            list_name = key;
        else if (lv == SWEEP_SET && (strcmp(key, "cluster.nodes") == 0 || strcmp(key, "cluster.requests") == 0))
            list_name = key + 8;
        if ((lv == SCENARIO || lv == SWEEP_SET) && strcmp(key, "cluster") == 0 && v.type == YAML_MAPPING_START_EVENT) {
            rc = walk(L, CLUSTER, seen_nodes, seen_requests);
        } else if (lv == SWEEP && strcmp(key, "set") == 0 && v.type == YAML_MAPPING_START_EVENT) {
            rc = walk(L, SWEEP_SET, seen_nodes, seen_requests);
        } else if (list_name) {
            int *seen = list_name[0] == 'n' ? seen_nodes : seen_requests;
            if ((*seen)++)
                rc = at(L, &k.start_mark, "duplicate key 'cluster.%s'", list_name);
            else if (list_name[0] == 'n')
                rc = list(L, &v, "nodes", node_item);
            else
                rc = list(L, &v, "requests", stream_item);
        } else {
            rc = skip(L, &v);
        }
        yaml_event_delete(&k);
        yaml_event_delete(&v);
        if (rc)
            return rc;
    }
}

/* Reads the lists of the file at path (a scenario, or a sweep file's set:). */
static int
load_lists(struct cluster_config *cc, const char *path, enum level top, int *nodes, int *requests,
           struct hi_error *err)
{
    struct loader L;
    yaml_event_t ev;
    FILE *f;
    int rc = HI_EINPUT, ready = 0;
    char *slash;

    memset(cc, 0, sizeof *cc);
    memset(&L, 0, sizeof L);
    *nodes = *requests = 0;
    L.file = path;
    L.cc = cc;
    L.err = err;
    snprintf(L.dir, sizeof L.dir, "%s", path);
    slash = strrchr(L.dir, '/');
    if (slash)
        *slash = '\0';
    else
        strcpy(L.dir, ".");
    f = fopen(path, "rb");
    if (!f)
        return error_set(err, HI_EINPUT, "%s: cannot open %s: %s", path, top == SCENARIO ? "scenario" : "sweep file",
                         strerror(errno));
    if (!yaml_parser_initialize(&L.parser)) {
        fclose(f);
        return error_set(err, HI_EINTERNAL, "out of memory");
    }
    ready = 1;
    yaml_parser_set_input_file(&L.parser, f);
    for (;;) {
        if (next(&L, &ev))
            goto out;
        if (ev.type == YAML_MAPPING_START_EVENT) {
            yaml_event_delete(&ev);
            if (walk(&L, top, nodes, requests))
                goto out;
            break;
        }
        if (ev.type == YAML_STREAM_END_EVENT || (ev.type != YAML_STREAM_START_EVENT &&
                                                 ev.type != YAML_DOCUMENT_START_EVENT)) {
            at(&L, &ev.start_mark, "expected a mapping of %s keys", top == SCENARIO ? "scenario" : "sweep");
            yaml_event_delete(&ev);
            goto out;
        }
        yaml_event_delete(&ev);
    }
    if (*nodes && cc->n_nodes == 0) {
        error_set(err, HI_EINPUT, "%s: cluster.nodes is empty", path);
        goto out;
    }
    if (*requests && cc->n_streams == 0) {
        error_set(err, HI_EINPUT, "%s: cluster.requests is empty", path);
        goto out;
    }
    rc = HI_OK;
out:
    clear_ops(&L);
    free(L.ops);
    if (ready)
        yaml_parser_delete(&L.parser);
    fclose(f);
    if (rc)
        cluster_config_free(cc);
    return rc;
}

int
cluster_config_load_opt(struct cluster_config *cc, const char *path, int *found, struct hi_error *err)
{
    int nodes, requests;
    *found = 0;
    if (load_lists(cc, path, SCENARIO, &nodes, &requests, err))
        return err->status;
    if (!nodes && !requests)
        return HI_OK;
    if (!nodes || !requests) {
        cluster_config_free(cc);
        if (!nodes)
            return error_set(err, HI_EINPUT, "%s: no cluster.nodes (a cluster scenario lists its nodes)", path);
        return error_set(err, HI_EINPUT, "%s: no cluster.requests (a cluster scenario lists its request streams)",
                         path);
    }
    *found = 1;
    return HI_OK;
}

int
cluster_config_load(struct cluster_config *cc, const char *path, struct hi_error *err)
{
    int found;
    if (cluster_config_load_opt(cc, path, &found, err))
        return err->status;
    if (!found)
        return error_set(err, HI_EINPUT, "%s: no cluster.nodes (a cluster scenario lists its nodes)", path);
    return HI_OK;
}

int
cluster_config_load_set(struct cluster_config *cc, const char *sweep_path, int *nodes, int *requests,
                        struct hi_error *err)
{
    return load_lists(cc, sweep_path, SWEEP, nodes, requests, err);
}

void
cluster_config_take(struct cluster_config *cc, struct cluster_config *from, int nodes, int requests)
{
    size_t i;
    if (nodes) {
        cc->n_nodes = from->n_nodes;
        memcpy(cc->node, from->node, sizeof cc->node);
    }
    if (requests) {
        for (i = 0; i < cc->n_streams; i++)
            stream_clear_profiles(&cc->stream[i]);
        cc->n_streams = from->n_streams;
        memcpy(cc->stream, from->stream, sizeof cc->stream);
        from->n_streams = 0;       /* the profiles moved */
    }
    cluster_config_free(from);
}

int
cluster_config_copy(struct cluster_config *dst, const struct cluster_config *src, struct hi_error *err)
{
    size_t i, k;
    memcpy(dst, src, sizeof *dst);
    for (i = 0; i < dst->n_streams; i++) {
        dst->stream[i].profile = NULL;
        dst->stream[i].n_profiles = 0;
    }
    for (i = 0; i < src->n_streams; i++) {
        const struct cluster_stream *s = &src->stream[i];
        struct cluster_stream *d = &dst->stream[i];
        if (!s->n_profiles)
            continue;
        if (!(d->profile = calloc(s->n_profiles, sizeof *d->profile)))
            goto oom;
        for (k = 0; k < s->n_profiles; k++) {
            if (!(d->profile[k] = strdup(s->profile[k])))
                goto oom;
            d->n_profiles = k + 1;
        }
    }
    return HI_OK;
oom:
    cluster_config_free(dst);
    return error_set(err, HI_EINTERNAL, "out of memory");
}

int
cluster_config_owns(const char *arg)
{
    return strncmp(arg, "cluster.nodes.", 14) == 0 || strncmp(arg, "cluster.requests.", 17) == 0;
}

/* Splits "cluster.nodes.NAME.KEY" or "cluster.requests.I.KEY" (no "=")
 * into the node or stream it names and KEY; -1 with msg otherwise. */
static int
split_key(const struct cluster_config *cc, const char *key, size_t *node, size_t *stream, const char **rest,
          char *msg, size_t len)
{
    const char *p, *dot;
    char head[CLUSTER_NAME_MAX];
    size_t i;
    int is_node = strncmp(key, "cluster.nodes.", 14) == 0;
    *node = *stream = SIZE_MAX;
    if (!is_node && strncmp(key, "cluster.requests.", 17) != 0) {
        snprintf(msg, len, "expected cluster.nodes.NAME.KEY or cluster.requests.I.KEY");
        return -1;
    }
    p = key + (is_node ? 14 : 17);
    dot = strchr(p, '.');
    if (!dot || !dot[1] || (size_t)(dot - p) >= sizeof head) {
        snprintf(msg, len, "expected %s, then a key", is_node ? "a node name" : "a request stream index");
        return -1;
    }
    memcpy(head, p, (size_t)(dot - p));
    head[dot - p] = '\0';
    *rest = dot + 1;
    if (is_node) {
        for (i = 0; i < cc->n_nodes; i++)
            if (strcmp(cc->node[i].name, head) == 0) {
                *node = i;
                return 0;
            }
        snprintf(msg, len, "no node named '%s'", head);
        return -1;
    }
    {
        char *end;
        unsigned long k = strtoul(head, &end, 10);
        if (!*head || *end || head[0] == '-' || head[0] == '+' || k >= cc->n_streams) {
            snprintf(msg, len, "expected a request stream index in [0, %zu), found '%s'", cc->n_streams, head);
            return -1;
        }
        *stream = (size_t)k;
    }
    return 0;
}

int
cluster_config_check_key(const struct cluster_config *cc, const char *key, char *msg, size_t len)
{
    static const char *const stream_keys[] = {"profile", "arrivals", "period_ms", "rate_hz", "think_ms",
                                              "start_ms", "count", "pick", "enabled", NULL};
    static const char *const proc_keys[] = {"unit", "gflops", "efficiency", "comm_mbps", "active_w", "idle_w", NULL};
    const char *rest, *dot;
    size_t node, stream, i;
    if (split_key(cc, key, &node, &stream, &rest, msg, len))
        return -1;
    if (stream != SIZE_MAX) {
        for (i = 0; stream_keys[i]; i++)
            if (strcmp(rest, stream_keys[i]) == 0)
                return 0;
        snprintf(msg, len, "unknown request key '%s' (expected profile, arrivals, period_ms, rate_hz, think_ms, "
                           "start_ms, count, pick, enabled)", rest);
        return -1;
    }
    if (strcmp(rest, "available") == 0 || strcmp(rest, "link.rate_mbps") == 0 || strcmp(rest, "link.latency_ms") == 0
        || strcmp(rest, "link.tx_w") == 0)
        return 0;
    if (strncmp(rest, "link.", 5) == 0) {
        snprintf(msg, len, "unknown link key '%s' (expected rate_mbps, latency_ms, tx_w)", rest + 5);
        return -1;
    }
    dot = strchr(rest, '.');
    if (dot) {
        const struct cluster_node *n = &cc->node[node];
        size_t l = (size_t)(dot - rest);
        for (i = 0; i < n->n_procs; i++)
            if (strlen(n->proc[i].name) == l && strncmp(n->proc[i].name, rest, l) == 0)
                break;
        if (i == n->n_procs) {
            snprintf(msg, len, "node %s has no processor '%.*s'", n->name, (int)l, rest);
            return -1;
        }
        for (i = 0; proc_keys[i]; i++)
            if (strcmp(dot + 1, proc_keys[i]) == 0)
                return 0;
        if (strncmp(dot + 1, "efficiency.", 11) == 0 && dot[12])
            return 0;
    }
    snprintf(msg, len, "unknown node key '%s' (expected available, link.KEY or PROCESSOR.KEY: unit, gflops, "
                       "efficiency[.TYPE], comm_mbps, active_w, idle_w)", rest);
    return -1;
}

/* Sets list key `key` (cluster.nodes.NAME.KEY or cluster.requests.I.KEY);
 * errors are reported at w. */
static int
set_list_key(struct cluster_config *cc, const char *key, const char *value, const struct where *w,
             struct hi_error *err)
{
    const char *rest;
    size_t node, stream;
    char msg[400];
    if (split_key(cc, key, &node, &stream, &rest, msg, sizeof msg))
        return fail(w, err, "%s", msg);
    if (node != SIZE_MAX)
        return node_set(&cc->node[node], rest, value, 0, w, err);
    return stream_set(&cc->stream[stream], rest, value, w, err);
}

int
cluster_config_set_at(struct cluster_config *cc, const char *key, const char *value, const char *file, size_t line,
                      size_t col, const char *dir, struct hi_error *err)
{
    struct where w = {file, line, col, dir, key};
    return set_list_key(cc, key, value, &w, err);
}

int
cluster_config_set_arg(struct cluster_config *cc, const char *arg, struct hi_error *err)
{
    const char *eq = strchr(arg, '=');
    char key[160];
    size_t n;
    if (!eq || !cluster_config_owns(arg))
        return error_set(err, HI_EINPUT, "-s %s: expected cluster.nodes.NAME.KEY=VALUE or cluster.requests.I.KEY=VALUE",
                         arg);
    n = (size_t)(eq - arg);
    if (n >= sizeof key)
        return error_set(err, HI_EINPUT, "-s %s: key too long", arg);
    memcpy(key, arg, n);
    key[n] = '\0';
    {
        /* errors name the whole argument, as before */
        struct where w = {NULL, 0, 0, NULL, arg};
        return set_list_key(cc, key, eq + 1, &w, err);
    }
}

void
cluster_config_free(struct cluster_config *cc)
{
    size_t i;
    for (i = 0; i < cc->n_streams; i++)
        stream_clear_profiles(&cc->stream[i]);
    cc->n_streams = 0;
    cc->n_nodes = 0;
}

static void
json_num_or_null(struct json *j, const char *key, double v)
{
    json_key(j, key);
    if (isfinite(v))
        json_number(j, v);
    else
        json_null(j);
}

char *
cluster_config_to_json(const struct cluster_config *cc)
{
    struct json j;
    size_t i, k, e;
    json_init(&j);
    json_object_begin(&j);
    json_key(&j, "cluster.nodes");
    json_array_begin(&j);
    for (i = 0; i < cc->n_nodes; i++) {
        const struct cluster_node *n = &cc->node[i];
        json_object_begin(&j);
        json_key(&j, "name");
        json_string(&j, n->name);
        json_key(&j, "device");
        json_string(&j, n->device);
        json_key(&j, "available");
        json_bool(&j, n->available);
        json_num_or_null(&j, "link.rate_mbps", n->rate_mbps);
        json_num_or_null(&j, "link.latency_ms", n->latency_ms);
        json_num_or_null(&j, "link.tx_w", n->tx_w);
        json_key(&j, "processors");
        json_array_begin(&j);
        for (k = 0; k < n->n_procs; k++) {
            const struct cluster_proc *p = &n->proc[k];
            json_object_begin(&j);
            json_key(&j, "name");
            json_string(&j, p->name);
            json_key(&j, "unit");
            json_string(&j, unit_names[p->unit]);
            json_num_or_null(&j, "gflops", p->gflops);
            json_num_or_null(&j, "efficiency", p->efficiency);
            for (e = 0; e < p->n_eff; e++) {
                char key[64];
                snprintf(key, sizeof key, "efficiency.%s", p->eff_type[e]);
                json_num_or_null(&j, key, p->eff[e]);
            }
            json_num_or_null(&j, "comm_mbps", p->comm_mbps);
            json_num_or_null(&j, "active_w", p->active_w);
            json_num_or_null(&j, "idle_w", p->idle_w);
            json_key(&j, "source");
            json_string(&j, p->source);
            json_object_end(&j);
        }
        json_array_end(&j);
        json_object_end(&j);
    }
    json_array_end(&j);
    json_key(&j, "cluster.requests");
    json_array_begin(&j);
    for (i = 0; i < cc->n_streams; i++) {
        const struct cluster_stream *s = &cc->stream[i];
        json_object_begin(&j);
        json_key(&j, "profiles");
        json_array_begin(&j);
        for (k = 0; k < s->n_profiles; k++)
            json_string(&j, s->profile[k]);
        json_array_end(&j);
        json_key(&j, "arrivals");
        json_string(&j, arrivals_names[s->arrivals]);
        json_key(&j, "pick");
        json_string(&j, pick_names[s->pick]);
        json_num_or_null(&j, "start_ms", s->start_ms);
        json_num_or_null(&j, "period_ms", s->period_ms);
        json_num_or_null(&j, "rate_hz", s->rate_hz);
        json_num_or_null(&j, "think_ms", s->think_ms);
        json_key(&j, "count");
        json_integer(&j, (long long)s->count);
        json_key(&j, "enabled");
        json_bool(&j, !s->off);
        json_object_end(&j);
    }
    json_array_end(&j);
    json_object_end(&j);
    return json_take(&j);
}

char *
cluster_config_run_json(const struct hi_config *cfg, const struct cluster_config *cc)
{
    char *a = config_to_json(cfg), *b = cluster_config_to_json(cc), *out = NULL;
    if (a && b) {
        size_t la = strlen(a), lb = strlen(b);
        out = malloc(la + lb + 2);
        if (out) {
            /* "{...}" + "{...}" -> "{...,...}" */
            memcpy(out, a, la - 1);
            out[la - 1] = ',';
            memcpy(out + la, b + 1, lb);   /* includes the closing brace and NUL */
        }
    }
    free(a);
    free(b);
    return out;
}
