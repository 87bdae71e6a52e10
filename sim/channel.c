/*
 * channel.c — delay distributions, rate steps and Gilbert–Elliott losses
 * (channel.h; the formulas are in docs/system-model.md, "Networks").
 *
 * Grammar of network.rate_file (LF or CRLF; cells are plain numbers):
 *
 *   file    := (blank | comment)* header (row | blank | comment)*
 *   header  := 'time_s' ',' 'rate_mbps'          (blanks around names allowed)
 *   row     := time ',' rate                      (s >= 0, Mbit/s >= 0)
 *   comment := '#' anything
 *
 * The first row is at time 0, times strictly increase, and the last rate
 * is > 0 (it holds for ever).
 *
 * Grammar of network.delay_file:
 *
 *   file    := (delay | blank | comment)*        (at least one delay)
 *   delay   := number                             (ms >= 0)
 */
#include "sim/channel.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_statistics_double.h>

const char *const channel_delay_names[] = {
    "const", "uniform", "exponential", "shifted-exponential", "lognormal", "gamma", "empirical", NULL
};
const char *const channel_kind_names[] = {"ideal", "gilbert-elliott", NULL};

/* ---- delay distributions: a small type per distribution ---- */

struct delay_type {
    double (*sample)(const struct channel_spec *sp, gsl_rng *r);
};

struct channel_spec {
    /* delay, seconds */
    const struct delay_type *delay;
    enum channel_delay_dist dist;
    double mean, sd;           /* of the distribution, exact */
    double a, b;               /* parameters, see delay_setup */
    double *values;            /* empirical: the file's delays */
    size_t n_values;

    /* rate: constant, or steps [t_k, t_{k+1}) at bps_k */
    double rate_bps;
    double *step_t;            /* seconds, step_t[0] = 0, increasing */
    double *step_bps;          /* bit/s >= 0, step_bps[n-1] > 0 */
    size_t n_steps;            /* 0: constant rate */

    /* loss */
    enum channel_kind kind;
    double p_gb, p_bg;         /* per-attempt transitions */
    double loss[2];            /* per-attempt loss in Good, Bad */
    double pi_bad;             /* stationary P(Bad) = p_gb / (p_gb + p_bg) */
    double retx_timeout_s;
    unsigned retx_limit;
};

static double
delay_const(const struct channel_spec *sp, gsl_rng *r)
{
    (void)r;
    return sp->mean;
}

/* uniform on [a, b] */
static double
delay_uniform(const struct channel_spec *sp, gsl_rng *r)
{
    return gsl_ran_flat(r, sp->a, sp->b);
}

/* shift a + Exp(mean b); a = 0 for exponential */
static double
delay_exponential(const struct channel_spec *sp, gsl_rng *r)
{
    return sp->a + gsl_ran_exponential(r, sp->b);
}

/* exp(N(μ = a, σ = b)) */
static double
delay_lognormal(const struct channel_spec *sp, gsl_rng *r)
{
    return gsl_ran_lognormal(r, sp->a, sp->b);
}

/* Gamma(shape a, scale b) */
static double
delay_gamma(const struct channel_spec *sp, gsl_rng *r)
{
    return gsl_ran_gamma(r, sp->a, sp->b);
}

/* one line of the file, uniformly: gsl_ran_sample with k = 1 draws exactly
 * this index (it calls gsl_rng_uniform_int(r, n)) but needs a writable
 * source, and the spec is shared read-only */
static double
delay_empirical(const struct channel_spec *sp, gsl_rng *r)
{
    return sp->values[gsl_rng_uniform_int(r, (unsigned long)sp->n_values)];
}

static const struct delay_type delay_types[] = {
    [CHANNEL_DELAY_CONST] = {delay_const},
    [CHANNEL_DELAY_UNIFORM] = {delay_uniform},
    [CHANNEL_DELAY_EXPONENTIAL] = {delay_exponential},
    [CHANNEL_DELAY_SHIFTED_EXPONENTIAL] = {delay_exponential},
    [CHANNEL_DELAY_LOGNORMAL] = {delay_lognormal},
    [CHANNEL_DELAY_GAMMA] = {delay_gamma},
    [CHANNEL_DELAY_EMPIRICAL] = {delay_empirical},
};
_Static_assert(sizeof delay_types / sizeof delay_types[0] + 1 ==
                   sizeof channel_delay_names / sizeof channel_delay_names[0],
               "one delay type per name");

/* ---- files ---- */

struct lines {
    FILE *f;
    const char *path;
    char *buf;
    size_t cap;
    size_t no;                 /* line number of buf */
};

/* The next line without its LF/CR, or NULL at the end (or on a read error,
 * which *rc reports). */
static char *
lines_next(struct lines *L, int *rc, struct hi_error *err)
{
    ssize_t n = getline(&L->buf, &L->cap, L->f);
    if (n < 0) {
        if (ferror(L->f))
            *rc = error_set(err, HI_EINPUT, "%s: read error", L->path);
        return NULL;
    }
    L->no++;
    if (strlen(L->buf) != (size_t)n) {
        *rc = error_at(err, L->path, L->no, strlen(L->buf) + 1, "expected text, found a NUL byte");
        return NULL;
    }
    while (n > 0 && (L->buf[n - 1] == '\n' || L->buf[n - 1] == '\r'))
        L->buf[--n] = '\0';
    return L->buf;
}

static const char *
skip_blanks(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* A blank line or a '#' comment. */
static int
is_skipped(const char *line)
{
    const char *s = skip_blanks(line);
    return *s == '\0' || *s == '#';
}

/* Parses a number cell from s up to `stop` (a character or NUL), blanks
 * around it allowed; *end is where parsing stopped. */
static int
parse_cell(const char *s, int stop, double *v, const char **end)
{
    char *e;
    s = skip_blanks(s);
    if (*s == '\0' || *s == stop)
        return -1;
    errno = 0;
    *v = strtod(s, &e);
    if (e == s || errno == ERANGE || !isfinite(*v))
        return -1;
    e = (char *)skip_blanks(e);
    *end = e;
    return (*e == '\0' || *e == stop) ? 0 : -1;
}

/* A cell's text for messages: up to the next comma, at most 40 bytes. */
static void
cell_text(const char *s, char *buf, size_t len)
{
    size_t n = strcspn(s, ",");
    if (n >= len)
        n = len - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
}

static int
push(double **a, size_t *n, size_t *cap, double v)
{
    if (*n == *cap) {
        size_t c = *cap ? 2 * *cap : 64;
        double *p = realloc(*a, c * sizeof *p);
        if (!p)
            return -1;
        *a = p;
        *cap = c;
    }
    (*a)[(*n)++] = v;
    return 0;
}

static FILE *
open_input(const char *path, const char *key, struct hi_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        error_set(err, HI_EINPUT, "%s: cannot open %s: %s", path, key, strerror(errno));
    return f;
}

/* network.delay_file into sp->values (seconds). */
static int
load_delays(struct channel_spec *sp, const char *path, struct hi_error *err)
{
    struct lines L = {NULL, path, NULL, 0, 0};
    size_t cap = 0;
    char *line;
    int rc = HI_OK;

    if (!(L.f = open_input(path, "network.delay_file", err)))
        return HI_EINPUT;
    while ((line = lines_next(&L, &rc, err))) {
        const char *s = skip_blanks(line), *end;
        double ms;
        if (is_skipped(line))
            continue;
        if (parse_cell(s, '\0', &ms, &end) || ms < 0) {
            rc = error_at(err, path, L.no, (size_t)(s - line) + 1,
                          "expected one delay in ms per line (a number >= 0), found '%.40s'", s);
            break;
        }
        if (push(&sp->values, &sp->n_values, &cap, ms * 1e-3)) {
            rc = error_set(err, HI_EINTERNAL, "out of memory");
            break;
        }
    }
    if (rc == HI_OK && sp->n_values == 0)
        rc = error_at(err, path, L.no + 1, 0, "no delays: expected one delay in ms per line");
    free(L.buf);
    fclose(L.f);
    return rc;
}

/* True when line is the header "time_s,rate_mbps", blanks allowed. */
static int
is_rate_header(const char *line)
{
    static const char *const names[] = {"time_s", "rate_mbps"};
    const char *s = line;
    size_t i;
    for (i = 0; i < 2; i++) {
        size_t n = strlen(names[i]);
        s = skip_blanks(s);
        if (strncmp(s, names[i], n) != 0)
            return 0;
        s = skip_blanks(s + n);
        if (*s != (i == 0 ? ',' : '\0'))
            return 0;
        s++;
    }
    return 1;
}

/* network.rate_file into sp->step_*. */
static int
load_rates(struct channel_spec *sp, const char *path, struct hi_error *err)
{
    struct lines L = {NULL, path, NULL, 0, 0};
    size_t cap_t = 0, cap_r = 0, n_r = 0, last_line = 0, last_col = 0;
    int header = 0, rc = HI_OK;
    char *line;

    if (!(L.f = open_input(path, "network.rate_file", err)))
        return HI_EINPUT;
    while ((line = lines_next(&L, &rc, err))) {
        const char *s, *end, *comma;
        double t, mbps;
        char text[48];
        if (is_skipped(line))
            continue;
        if (!header) {
            if (!is_rate_header(line)) {
                rc = error_at(err, path, L.no, 1, "expected the header 'time_s,rate_mbps', found '%.40s'", line);
                break;
            }
            header = 1;
            continue;
        }
        s = skip_blanks(line);
        comma = strchr(s, ',');
        if (!comma) {
            rc = error_at(err, path, L.no, strlen(line) + 1, "expected 2 cells (time_s,rate_mbps), found 1");
            break;
        }
        if (parse_cell(s, ',', &t, &end) || t < 0) {
            cell_text(s, text, sizeof text);
            rc = error_at(err, path, L.no, (size_t)(s - line) + 1,
                          "time_s: expected a time in s (a number >= 0), found '%s'", text);
            break;
        }
        if (sp->n_steps == 0 && t != 0) {
            rc = error_at(err, path, L.no, (size_t)(s - line) + 1,
                          "time_s: expected 0 in the first row (the rate from the start of the run), found %.17g", t);
            break;
        }
        if (sp->n_steps > 0 && !(t > sp->step_t[sp->n_steps - 1])) {
            rc = error_at(err, path, L.no, (size_t)(s - line) + 1,
                          "time_s: expected a time after %.17g s (times must increase), found %.17g",
                          sp->step_t[sp->n_steps - 1], t);
            break;
        }
        s = skip_blanks(comma + 1);
        if ((comma = strchr(s, ','))) {
            rc = error_at(err, path, L.no, (size_t)(comma - line) + 1, "expected 2 cells (time_s,rate_mbps), found more");
            break;
        }
        if (parse_cell(s, '\0', &mbps, &end) || mbps < 0) {
            cell_text(s, text, sizeof text);
            rc = error_at(err, path, L.no, (size_t)(s - line) + 1,
                          "rate_mbps: expected a rate in Mbit/s (a number >= 0), found '%s'", text);
            break;
        }
        if (push(&sp->step_t, &sp->n_steps, &cap_t, t) || push(&sp->step_bps, &n_r, &cap_r, mbps * 1e6)) {
            rc = error_set(err, HI_EINTERNAL, "out of memory");
            break;
        }
        last_line = L.no;
        last_col = (size_t)(s - line) + 1;
    }
    if (rc == HI_OK && !header)
        rc = error_at(err, path, L.no + 1, 0, "expected the header 'time_s,rate_mbps', found the end of the file");
    else if (rc == HI_OK && sp->n_steps == 0)
        rc = error_at(err, path, L.no + 1, 0, "no steps: expected rows of time_s,rate_mbps after the header");
    else if (rc == HI_OK && sp->step_bps[sp->n_steps - 1] == 0)
        rc = error_at(err, path, last_line, last_col,
                      "rate_mbps: expected a rate > 0 in the last row (it holds for ever after %.17g s), found 0",
                      sp->step_t[sp->n_steps - 1]);
    free(L.buf);
    fclose(L.f);
    return rc;
}

/* ---- the spec ---- */

/* The delay distribution's parameters from its mean m and sd (seconds). */
static int
delay_setup(struct channel_spec *sp, const struct hi_config *cfg, struct hi_error *err)
{
    const double m = cfg->network.delay_ms * 1e-3, sd = cfg->network.delay_sd_ms * 1e-3;
    const double shift = cfg->network.delay_shift_ms * 1e-3;
    const char *name = channel_delay_names[sp->dist];

    sp->mean = m;
    switch (sp->dist) {
    case CHANNEL_DELAY_CONST:
        sp->sd = 0;
        break;
    case CHANNEL_DELAY_UNIFORM:
        if (!config_is_set(cfg, "network.delay_sd_ms")) {
            sp->a = 0;          /* [0, 2m]: sd = m/√3 */
            sp->b = 2 * m;
        } else {
            if (sd * sqrt(3.0) > m)
                return error_set(err, HI_EINPUT,
                                 "network.delay_sd_ms: %g ms is too large for a uniform delay of mean %g ms: "
                                 "mean ± sd·√3 would go below 0 (expected at most delay_ms/√3 = %g)",
                                 cfg->network.delay_sd_ms, cfg->network.delay_ms, cfg->network.delay_ms / sqrt(3.0));
            sp->a = m - sd * sqrt(3.0);
            sp->b = m + sd * sqrt(3.0);
        }
        sp->sd = (sp->b - sp->a) / sqrt(12.0);
        break;
    case CHANNEL_DELAY_EXPONENTIAL:
        sp->a = 0;
        sp->b = m;
        sp->sd = m;
        break;
    case CHANNEL_DELAY_SHIFTED_EXPONENTIAL:
        if (shift > m)
            return error_set(err, HI_EINPUT,
                             "network.delay_shift_ms: %g ms exceeds the mean delay network.delay_ms = %g ms "
                             "(shifted-exponential is shift + Exp(mean − shift))",
                             cfg->network.delay_shift_ms, cfg->network.delay_ms);
        sp->a = shift;
        sp->b = m - shift;
        sp->sd = m - shift;
        break;
    case CHANNEL_DELAY_LOGNORMAL:
    case CHANNEL_DELAY_GAMMA:
        if (!(m > 0))
            return error_set(err, HI_EINPUT, "network.delay_ms: %s needs a mean delay > 0, found %g", name,
                             cfg->network.delay_ms);
        if (!(sd > 0))
            return error_set(err, HI_EINPUT,
                             "network.delay_sd_ms: %s needs a standard deviation > 0 (set network.delay_sd_ms), found %g",
                             name, cfg->network.delay_sd_ms);
        sp->sd = sd;
        if (sp->dist == CHANNEL_DELAY_LOGNORMAL) {
            /* E = exp(μ + σ²/2), Var = (exp(σ²) − 1)·E²  =>  σ² = ln(1 + sd²/m²), μ = ln m − σ²/2 */
            double s2 = log1p((sd * sd) / (m * m));
            sp->a = log(m) - s2 / 2;
            sp->b = sqrt(s2);
        } else {
            /* E = kθ, Var = kθ²  =>  k = m²/sd², θ = sd²/m */
            sp->a = (m * m) / (sd * sd);
            sp->b = (sd * sd) / m;
        }
        break;
    case CHANNEL_DELAY_EMPIRICAL: {
        int rc;
        if (!cfg->network.delay_file[0])
            return error_set(err, HI_EINPUT,
                             "network.delay_file: not set: network.delay_dist: empirical draws from its lines "
                             "(one delay in ms per line)");
        if ((rc = load_delays(sp, cfg->network.delay_file, err)))
            return rc;
        sp->mean = gsl_stats_mean(sp->values, 1, sp->n_values);
        /* population sd: each line is drawn with probability 1/n */
        sp->sd = gsl_stats_sd_with_fixed_mean(sp->values, 1, sp->n_values, sp->mean);
        break;
    }
    }
    sp->delay = &delay_types[sp->dist];
    return HI_OK;
}

int
channel_spec_load(struct channel_spec **out, const struct hi_config *cfg, struct hi_error *err)
{
    struct channel_spec *sp = calloc(1, sizeof *sp);
    int rc;

    *out = NULL;
    if (!sp)
        return error_set(err, HI_EINTERNAL, "out of memory");
    assert(cfg->network.delay_dist >= 0 && cfg->network.delay_dist <= CHANNEL_DELAY_EMPIRICAL);
    assert(cfg->network.channel == CHANNEL_IDEAL || cfg->network.channel == CHANNEL_GILBERT_ELLIOTT);
    assert(cfg->network.rate_mbps > 0);
    sp->dist = (enum channel_delay_dist)cfg->network.delay_dist;
    if ((rc = delay_setup(sp, cfg, err)))
        goto fail;

    sp->rate_bps = cfg->network.rate_mbps * 1e6;
    if (cfg->network.rate_file[0] && (rc = load_rates(sp, cfg->network.rate_file, err)))
        goto fail;

    sp->kind = (enum channel_kind)cfg->network.channel;
    sp->p_gb = cfg->network.ge_p_gb;
    sp->p_bg = cfg->network.ge_p_bg;
    sp->loss[CHANNEL_GOOD] = cfg->network.ge_loss_good;
    sp->loss[CHANNEL_BAD] = cfg->network.ge_loss_bad;
    sp->retx_timeout_s = cfg->network.retx_timeout_ms * 1e-3;
    assert(cfg->network.retx_limit >= 1 && cfg->network.retx_limit <= 1000000);
    sp->retx_limit = (unsigned)cfg->network.retx_limit;
    if (sp->kind == CHANNEL_GILBERT_ELLIOTT) {
        if (!(sp->p_gb + sp->p_bg > 0)) {
            rc = error_set(err, HI_EINPUT,
                           "network.ge_p_gb: network.ge_p_gb and network.ge_p_bg are both 0, so the Gilbert–Elliott "
                           "chain has no stationary distribution to start from (for independent losses with "
                           "probability p, set ge_p_gb: 0, ge_p_bg: 1, ge_loss_good: p)");
            goto fail;
        }
        sp->pi_bad = sp->p_gb / (sp->p_gb + sp->p_bg);
    }
    *out = sp;
    return HI_OK;
fail:
    channel_spec_free(sp);
    return rc;
}

void
channel_spec_free(struct channel_spec *sp)
{
    if (!sp)
        return;
    free(sp->values);
    free(sp->step_t);
    free(sp->step_bps);
    free(sp);
}

/* ---- rate ---- */

/* Bits, relative to the payload, that count as rounding when a payload
 * meets the end of a step (1e-12: far above the ulps of a sum over a few
 * thousand steps, far below the 1e-9 the integral is good to). */
#define RESIDUE 1e-12

/* The step that holds at time t: the largest k with step_t[k] <= t. */
static size_t
step_at(const struct channel_spec *sp, double t)
{
    size_t lo = 0, hi = sp->n_steps;   /* step_t[lo] <= t < step_t[hi] (hi = n: +inf) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (sp->step_t[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

double
channel_tx_seconds(const struct channel_spec *sp, double t_start_s, double bytes)
{
    double left = bytes * 8.0, t;
    size_t k;

    assert(bytes >= 0 && isfinite(bytes));
    if (sp->n_steps == 0)
        return left / sp->rate_bps;
    assert(t_start_s >= 0 && isfinite(t_start_s));
    if (left == 0)
        return 0;
    /* walk the steps from the one holding at t_start_s, each with its own
     * rate: local arithmetic keeps the error relative to the payload, where
     * differences of cumulative sums would make it relative to all the bits
     * sent since t = 0 */
    k = step_at(sp, t_start_s);
    for (t = t_start_s; k + 1 < sp->n_steps; t = sp->step_t[++k]) {
        double room = sp->step_bps[k] * (sp->step_t[k + 1] - t);
        /* what rounding leaves over (a few ulps of the payload) ends the
         * transmission in this step instead of after a zero-rate gap */
        if (left <= room + RESIDUE * bytes * 8.0) {
            if (left >= room)
                return sp->step_t[k + 1] - t_start_s;
            break;
        }
        left -= room;
    }
    assert(sp->step_bps[k] > 0);
    if (t == t_start_s)
        return left / sp->step_bps[k];   /* within one step: the constant-rate formula */
    return (t - t_start_s) + left / sp->step_bps[k];
}

/* ---- delay ---- */

double
channel_delay_seconds(const struct channel_spec *sp, gsl_rng *r)
{
    return sp->delay->sample(sp, r);
}

double
channel_delay_mean_seconds(const struct channel_spec *sp)
{
    return sp->mean;
}

double
channel_delay_sd_seconds(const struct channel_spec *sp)
{
    return sp->sd;
}

/* ---- loss ---- */

void
channel_link_init(struct channel_link *l, const struct channel_spec *sp)
{
    (void)sp;
    l->state = -1;
    l->attempts = 0;
    l->losses = 0;
}

int
channel_attempt_lost(const struct channel_spec *sp, struct channel_link *l, gsl_rng *r)
{
    int lost;
    l->attempts++;
    if (sp->kind == CHANNEL_IDEAL)
        return 0;
    /* the chain starts in its stationary distribution (docs/system-model.md), so
     * every attempt, the first included, is lost with π_G·l_G + π_B·l_B */
    if (l->state < 0)
        l->state = gsl_ran_bernoulli(r, sp->pi_bad) ? CHANNEL_BAD : CHANNEL_GOOD;
    assert(l->state == CHANNEL_GOOD || l->state == CHANNEL_BAD);
    lost = (int)gsl_ran_bernoulli(r, sp->loss[l->state]);
    if (l->state == CHANNEL_GOOD)
        l->state = gsl_ran_bernoulli(r, sp->p_gb) ? CHANNEL_BAD : CHANNEL_GOOD;
    else
        l->state = gsl_ran_bernoulli(r, sp->p_bg) ? CHANNEL_GOOD : CHANNEL_BAD;
    l->losses += (uint64_t)lost;
    return lost;
}

double
channel_retx_timeout_seconds(const struct channel_spec *sp)
{
    return sp->retx_timeout_s;
}

unsigned
channel_retx_limit(const struct channel_spec *sp)
{
    return sp->retx_limit;
}

enum channel_kind
channel_spec_kind(const struct channel_spec *sp)
{
    return sp->kind;
}
