/*
 * cmd_plot.c — `hisim plot KIND ... -o FILE.{png,svg,pdf}`.
 *
 * Each kind is a row of `kinds`: its name, a one-line summary for the
 * help, and the function that parses the kind's own arguments (argv[0] is
 * the kind) and draws.  A new kind (regret, cost, ...) is one function and
 * one row.
 */
#include "analysis/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <math.h>
#include <unistd.h>

#include "analysis/plot.h"
#include "analysis/store.h"
#include "analysis/sweepdata.h"
#include "traces/trace.h"

#define MAX_RUNS 16

/* Parses --bins N; 0, or the usage exit status. */
static int
parse_bins(const char *verb, const char *text, size_t *out)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (!*text || *end || v < 1 || v > PLOT_MAX_BINS)
        return cli_usage(verb, "reliability: --bins: expected an integer in [1, %d], found '%s'", PLOT_MAX_BINS, text);
    *out = (size_t)v;
    return 0;
}

/* `hisim plot reliability TRACE.csv -o FILE [--bins N] [--title T]` */
static int
plot_kind_reliability(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"bins", required_argument, NULL, 'n'},
        {"title", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *out = NULL, *title = NULL;
    struct hi_error err = {0};
    struct plot_bin *bins;
    struct hi_trace *t;
    enum plot_format fmt;
    size_t nbins = 10;
    double ece;
    int c, rc;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'n': if (parse_bins("plot", optarg, &nbins)) return EXIT_INPUT; break;
        case 't': title = optarg; break;
        case 'h': cli_help("plot", stdout); return 0;
        case ':': return cli_usage("plot", "reliability: %s needs a value", argv[optind - 1]);
        default: return cli_usage("plot", "reliability: unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind + 1 != argc)
        return cli_usage("plot", "reliability: expected one trace file");
    if (!out)
        return cli_usage("plot", "reliability: missing -o FILE.png|svg|pdf");
    if (plot_format_of(out, &fmt, &err))
        return cli_fail(&err);
    t = trace_load(argv[optind], &err);
    if (!t)
        return cli_fail(&err);
    if (t->unknown)
        fprintf(stderr, "hisim: warning: %s: ignoring unknown columns: %s\n", t->path, t->unknown);
    bins = malloc(nbins * sizeof *bins);
    if (!bins) {
        trace_free(t);
        error_set(&err, HI_EINTERNAL, "out of memory");
        return cli_fail(&err);
    }
    plot_reliability(t, nbins, bins, &ece);
    rc = plot_reliability_draw(bins, nbins, ece, t->n, title ? title : t->path, out, &err);
    free(bins);
    trace_free(t);
    if (rc)
        return cli_fail(&err);
    return 0;
}

/* Arguments shared by the kinds that plot stored runs. */
#define MAX_WHERE 16

struct run_args {
    const char *db, *out, *title;
    long long ids[MAX_RUNS];
    int n;
    long long sweep;            /* --sweep ID instead of runs */
    int overlay;                /* every run, not the mean with a band */
    const char *where[MAX_WHERE];
    int n_where;
};

static int plot_sweep_runs(const char *kind, const struct run_args *a);

static int
parse_runs(const char *kind, int argc, char **argv, struct run_args *a)
{
    static const struct option opts[] = {
        {"run", required_argument, NULL, 'r'},
        {"db", required_argument, NULL, 'd'},
        {"output", required_argument, NULL, 'o'},
        {"title", required_argument, NULL, 't'},
        {"sweep", required_argument, NULL, 'S'},
        {"overlay", no_argument, NULL, 'O'},
        {"where", required_argument, NULL, 'w'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    memset(a, 0, sizeof *a);
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (a->n == MAX_RUNS)
                return cli_usage("plot", "%s: at most %d runs", kind, MAX_RUNS);
            if (cli_parse_id(optarg, &a->ids[a->n]))
                return cli_usage("plot", "%s: --run: '%s' is not a run id", kind, optarg);
            a->n++;
            break;
        case 'd': a->db = optarg; break;
        case 'o': a->out = optarg; break;
        case 't': a->title = optarg; break;
        case 'S':
            if (cli_parse_id(optarg, &a->sweep))
                return cli_usage("plot", "%s: --sweep: '%s' is not a sweep id", kind, optarg);
            break;
        case 'O': a->overlay = 1; break;
        case 'w':
            if (a->n_where == MAX_WHERE)
                return cli_usage("plot", "%s: at most %d --where", kind, MAX_WHERE);
            if (!strchr(optarg, '=') || optarg[0] == '=')
                return cli_usage("plot", "%s: --where: expected KEY=VALUE, found '%s'", kind, optarg);
            a->where[a->n_where++] = optarg;
            break;
        case 'h': cli_help("plot", stdout); return -1;
        case ':': return cli_usage("plot", "%s: %s needs a value", kind, argv[optind - 1]);
        default: return cli_usage("plot", "%s: unknown option '%s'", kind, argv[optind - 1]);
        }
    }
    if (optind != argc)
        return cli_usage("plot", "%s: unexpected argument '%s'", kind, argv[optind]);
    if (a->n && a->sweep)
        return cli_usage("plot", "%s: expected --run ID... or --sweep ID, not both", kind);
    if ((a->overlay || a->n_where) && !a->sweep)
        return cli_usage("plot", "%s: --overlay and --where go with --sweep", kind);
    if (a->n == 0 && !a->sweep)
        return cli_usage("plot", "%s: expected --run ID (repeatable) or --sweep ID", kind);
    if (!a->out)
        return cli_usage("plot", "%s: missing -o FILE.png|svg|pdf", kind);
    a->db = cli_db_path(a->db);
    return 0;
}

/* The regret bound of the run's policy at t, or NAN when it has none:
 * hil-f √(t·ln(1/λ_min)/2); batch-hi √(t·M·ln(1/λ_min)/2) (002 eq. 5). */
static double
bound(const char *policy, double lambda_min, double M, double t)
{
    double l = log(1.0 / lambda_min);
    if (strncmp(policy, "hil-f", 5) == 0 && (policy[5] == ' ' || !policy[5]))
        return sqrt(t * l / 2.0);
    if (strncmp(policy, "batch-hi", 8) == 0 && (policy[8] == ' ' || !policy[8]))
        return sqrt(t * M * l / 2.0);
    return NAN;
}

/* `hisim plot regret|cost --run ID... [--db PATH] -o FILE [--title T]` */
static int
plot_runs(const char *kind, int argc, char **argv)
{
    struct run_args a;
    struct hi_error err = {0};
    struct store *st = NULL;
    struct plot *pl = NULL;
    enum plot_format fmt;
    FILE *f;
    int i, rc = parse_runs(kind, argc, argv, &a), regret = strcmp(kind, "regret") == 0;
    char label[MAX_RUNS][200];
    int has_bound[MAX_RUNS];

    if (rc)
        return rc < 0 ? 0 : rc;
    if (a.sweep)
        return plot_sweep_runs(kind, &a);
    if (plot_format_of(a.out, &fmt, &err))
        return cli_fail(&err);
    st = store_open(a.db, STORE_READONLY, &err);
    if (!st)
        return cli_fail(&err);
    /* read everything first: a missing run is bad input, before gnuplot */
    {
        double *x[MAX_RUNS] = {0}, *y[MAX_RUNS] = {0}, *best[MAX_RUNS] = {0};
        size_t n[MAX_RUNS] = {0}, nb[MAX_RUNS] = {0};
        double lmin[MAX_RUNS], M[MAX_RUNS];
        char pol[MAX_RUNS][160];
        rc = 0;
        for (i = 0; i < a.n && !rc; i++) {
            struct store_loaded r;
            double *bx = NULL;
            if (store_load_run(st, a.ids[i], &r, &err)
                || store_load_series(st, a.ids[i], regret ? "regret" : "cost", &x[i], &y[i], &n[i], &err)
                || (!regret && store_load_series(st, a.ids[i], "best_fixed_cost", &bx, &best[i], &nb[i], &err))) {
                rc = cli_fail(&err);
                break;
            }
            free(bx);
            if (n[i] == 0) {
                error_set(&err, HI_EINPUT, "%s: run %lld has no %s series", a.db, a.ids[i], kind);
                rc = cli_fail(&err);
            }
            snprintf(pol[i], sizeof pol[i], "%s", r.policy);
            /* "run 3: batch-hi M=8": the policy's name, not its parameters */
            snprintf(label[i], sizeof label[i], "run %lld: %.*s", a.ids[i], (int)strcspn(r.policy, " "), r.policy);
            if (store_metric(&r, "batch") > 1)
                snprintf(label[i] + strlen(label[i]), sizeof label[i] - strlen(label[i]), " M=%.0f",
                         store_metric(&r, "batch"));
            lmin[i] = store_metric(&r, "lambda_min");
            M[i] = store_metric(&r, "batch");
            store_loaded_free(&r);
        }
        if (!rc && !(pl = plot_open(a.out, &err)))
            rc = cli_fail(&err);
        if (!rc) {
            int k;
            f = plot_script(pl);
            fputs("set title ", f);
            plot_quote(f, a.title ? a.title : regret ? "Regret against the best fixed threshold in hindsight"
                                                     : "Cumulative cost");
            fputs(" noenhanced\nset xlabel 't (samples)'\n", f);
            fprintf(f, "set ylabel '%s'\n%sset grid\nset key top left box opaque noenhanced\n",
                    regret ? "regret (expected cost - best fixed cost)" : "cumulative cost",
                    regret ? "set logscale x\n" : "");
            for (i = 0; i < a.n; i++) {
                size_t j;
                has_bound[i] = regret && !isnan(bound(pol[i], lmin[i], M[i], 1.0));
                fprintf(f, "$run%d << EOD\n", i);
                for (j = 0; j < n[i]; j++) {
                    fprintf(f, "%.17g %.17g", x[i][j], y[i][j]);
                    if (has_bound[i])
                        fprintf(f, " %.17g", bound(pol[i], lmin[i], M[i], x[i][j]));
                    else if (!regret)
                        fprintf(f, " %.17g", j < nb[i] ? best[i][j] : NAN);
                    fputc('\n', f);
                }
                fputs("EOD\n", f);
            }
            fputs("plot ", f);
            for (i = 0, k = 0; i < a.n; i++) {
                fprintf(f, "%s$run%d using 1:2 with lines lw 2 lc %d title ", k++ ? ", \\\n     " : "", i, i + 1);
                plot_quote(f, label[i]);
                if (has_bound[i]) {
                    fprintf(f, ", \\\n     $run%d using 1:3 with lines dt 2 lw 1.5 lc %d title ", i, i + 1);
                    plot_quote(f, "bound (002 eq. 5)");
                }
            }
            if (!regret) {
                fputs(", \\\n     $run0 using 1:3 with lines dt 3 lw 1.5 lc rgb '#333333' title ", f);
                plot_quote(f, "best fixed threshold in hindsight (first run)");
            }
            fputc('\n', f);
            if (plot_close(pl, &err))
                rc = cli_fail(&err);
        }
        for (i = 0; i < MAX_RUNS; i++) {
            free(x[i]);
            free(y[i]);
            free(best[i]);
        }
    }
    store_close(st);
    return rc;
}

static int plot_kind_regret(int argc, char **argv) { return plot_runs("regret", argc, argv); }
static int plot_kind_cost(int argc, char **argv) { return plot_runs("cost", argc, argv); }

/* ---- sweeps ---- */

/* Marks in keep[] the points of d that match every --where KEY=VALUE
 * (numbers compare as numbers); 0, or the usage exit status. */
static int
where_filter(const struct sweepdata *d, const struct sweepdata_point *pts, size_t n_pts, const char *const *where,
             int n_where, unsigned char *keep)
{
    size_t i;
    int w;
    for (i = 0; i < n_pts; i++)
        keep[i] = 1;
    for (w = 0; w < n_where; w++) {
        const char *eq = strchr(where[w], '=');
        char key[256];
        long k;
        snprintf(key, sizeof key, "%.*s", (int)(eq - where[w]), where[w]);
        if ((k = sweepdata_key(d, key)) < 0)
            return cli_usage("plot", "--where: '%s' is not an axis of sweep %lld", key, (long long)d->info.id);
        for (i = 0; i < n_pts; i++) {
            const char *v = sweepdata_value(d, pts[i].first, (size_t)k);
            int match;
            if (sweepdata_value_numeric(d, pts[i].first, (size_t)k)) {
                char *end;
                double want = strtod(eq + 1, &end);
                match = *end == '\0' && eq[1] && strtod(v, NULL) == want;
            } else {
                match = strcmp(v, eq + 1) == 0;
            }
            keep[i] &= (unsigned char)match;
        }
    }
    return 0;
}

/* 1 when axis k takes more than one value over the kept points. */
static int
varies(const struct sweepdata *d, const struct sweepdata_point *pts, size_t n_pts, const unsigned char *keep, size_t k)
{
    const char *first = NULL;
    size_t i;
    for (i = 0; i < n_pts; i++) {
        const char *v;
        if (!keep[i])
            continue;
        v = sweepdata_value(d, pts[i].first, k);
        if (!first)
            first = v;
        else if (strcmp(first, v) != 0)
            return 1;
    }
    return 0;
}

/* 1 when axis k takes more than one value among the kept points that
 * share a value of axis `by` and of axis `x` (either < 0: not grouped by
 * it).  A key zipped with --by or --x moves with it and does not vary
 * within a line's point. */
static int
varies_within(const struct sweepdata *d, const struct sweepdata_point *pts, size_t n_pts, const unsigned char *keep,
              size_t k, long by, long x)
{
    size_t i, j;
    for (i = 0; i < n_pts; i++) {
        const char *bv, *xv, *v;
        if (!keep[i])
            continue;
        bv = by >= 0 ? sweepdata_value(d, pts[i].first, (size_t)by) : NULL;
        xv = x >= 0 ? sweepdata_value(d, pts[i].first, (size_t)x) : NULL;
        v = sweepdata_value(d, pts[i].first, k);
        for (j = i + 1; j < n_pts; j++)
            if (keep[j] && (!bv || strcmp(bv, sweepdata_value(d, pts[j].first, (size_t)by)) == 0)
                && (!xv || strcmp(xv, sweepdata_value(d, pts[j].first, (size_t)x)) == 0)
                && strcmp(v, sweepdata_value(d, pts[j].first, k)) != 0)
                return 1;
    }
    return 0;
}

static struct store *
open_db(const char *db, struct hi_error *err)
{
    if (access(db, F_OK) != 0) {
        error_set(err, HI_EINPUT, "%s: no such database", db);
        return NULL;
    }
    return store_open(db, 0, err);
}

struct sweep_plot_point {
    double x, y, ci;
    const char *label;         /* x as text */
};

static int
cmp_spp(const void *a, const void *b)
{
    const struct sweep_plot_point *p = a, *q = b;
    return (p->x > q->x) - (p->x < q->x);
}

/* `hisim plot sweep --sweep ID --x KEY --y METRIC [--by KEY] [--where K=V]...
 *  [--logx] [--logy] [--title T] [--db PATH] -o FILE` */
static int
plot_kind_sweep(int argc, char **argv)
{
    static const struct option opts[] = {
        {"sweep", required_argument, NULL, 'S'},
        {"x", required_argument, NULL, 'x'},
        {"y", required_argument, NULL, 'y'},
        {"by", required_argument, NULL, 'b'},
        {"where", required_argument, NULL, 'w'},
        {"logx", no_argument, NULL, 'L'},
        {"logy", no_argument, NULL, 'Y'},
        {"db", required_argument, NULL, 'd'},
        {"output", required_argument, NULL, 'o'},
        {"title", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *out = NULL, *title = NULL, *xk = NULL, *yk = NULL, *byk = NULL;
    const char *where[MAX_WHERE];
    struct hi_error err = {0};
    struct store *st = NULL;
    struct sweepdata d;
    struct sweepdata_point *pts = NULL;
    struct sweep_plot_point *pp = NULL;
    unsigned char *keep = NULL, *done = NULL;
    enum plot_format fmt;
    long long sweep = 0;
    long xkey = -1, xmetric = -1, ymetric, bykey = -1;
    size_t n_pts = 0, i, k, n_groups = 0;
    int c, n_where = 0, logx = 0, logy = 0, rc = EXIT_INTERNAL, numeric_x = 1, have = 0;
    struct plot *pl = NULL;
    FILE *f;

    memset(&d, 0, sizeof d);
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'S':
            if (cli_parse_id(optarg, &sweep))
                return cli_usage("plot", "sweep: --sweep: '%s' is not a sweep id", optarg);
            break;
        case 'x': xk = optarg; break;
        case 'y': yk = optarg; break;
        case 'b': byk = optarg; break;
        case 'w':
            if (n_where == MAX_WHERE)
                return cli_usage("plot", "sweep: at most %d --where", MAX_WHERE);
            if (!strchr(optarg, '=') || optarg[0] == '=')
                return cli_usage("plot", "sweep: --where: expected KEY=VALUE, found '%s'", optarg);
            where[n_where++] = optarg;
            break;
        case 'L': logx = 1; break;
        case 'Y': logy = 1; break;
        case 'd': db = optarg; break;
        case 'o': out = optarg; break;
        case 't': title = optarg; break;
        case 'h': cli_help("plot", stdout); return 0;
        case ':': return cli_usage("plot", "sweep: %s needs a value", argv[optind - 1]);
        default: return cli_usage("plot", "sweep: unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc)
        return cli_usage("plot", "sweep: unexpected argument '%s'", argv[optind]);
    if (!sweep || !xk || !yk)
        return cli_usage("plot", "sweep: expected --sweep ID --x KEY --y METRIC");
    if (!out)
        return cli_usage("plot", "sweep: missing -o FILE.png|svg|pdf");
    if (plot_format_of(out, &fmt, &err))
        return cli_fail(&err);
    if (!(st = open_db(cli_db_path(db), &err)))
        return cli_fail(&err);
    if (sweepdata_load(st, sweep, &d, &err))
        goto fail;
    have = 1;
    if ((xkey = sweepdata_key(&d, xk)) < 0 && (xmetric = sweepdata_metric(&d, xk)) < 0) {
        rc = cli_usage("plot", "sweep: --x: '%s' is neither an axis nor a metric of sweep %lld", xk, sweep);
        goto out;
    }
    if ((ymetric = sweepdata_metric(&d, yk)) < 0) {
        rc = cli_usage("plot", "sweep: --y: '%s' is not a metric of sweep %lld", yk, sweep);
        goto out;
    }
    if (byk && ((bykey = sweepdata_key(&d, byk)) < 0 || bykey == xkey)) {
        rc = cli_usage("plot", "sweep: --by: '%s' is not another axis of sweep %lld", byk, sweep);
        goto out;
    }
    if (sweepdata_points(&d, &pts, &n_pts, &err))
        goto fail;
    keep = malloc(n_pts + 1);
    done = calloc(n_pts + 1, 1);
    pp = malloc((n_pts + 1) * sizeof *pp);
    if (!keep || !done || !pp) {
        error_set(&err, HI_EINTERNAL, "out of memory");
        goto fail;
    }
    if ((rc = where_filter(&d, pts, n_pts, where, n_where, keep)))
        goto out;
    rc = EXIT_INTERNAL;
    /* against an axis, every other axis must be fixed; against a metric,
     * every point is one (x, y) of its --by line */
    for (k = 0; k < d.n_keys && xkey >= 0; k++)
        if ((long)k != xkey && (long)k != bykey && varies_within(&d, pts, n_pts, keep, k, bykey, xkey)) {
            rc = cli_usage("plot", "sweep: axis %s varies: fix it with --where %s=VALUE or draw it with --by",
                           d.keys[k], d.keys[k]);
            goto out;
        }
    for (i = 0; i < n_pts; i++)
        if (keep[i] && xkey >= 0 && !sweepdata_value_numeric(&d, pts[i].first, (size_t)xkey))
            numeric_x = 0;
    for (i = 0; i < n_pts && keep[i] == 0; i++)
        ;
    if (i == n_pts) {
        error_set(&err, HI_EINPUT, "sweep %lld: no point matches the --where filters", sweep);
        goto fail;
    }

    if (!(pl = plot_open(out, &err)))
        goto fail;
    f = plot_script(pl);
    fputs("set title ", f);
    {
        char t[300];
        int reps = 0;
        for (i = 0; i < n_pts; i++)
            reps |= keep[i] && pts[i].n > 1;
        snprintf(t, sizeof t, "%s against %s (sweep %lld: %s%s)", yk, xk, sweep, d.info.name,
                 reps ? "; mean and 95% CI" : "");
        plot_quote(f, title ? title : t);
    }
    fputs(" noenhanced\nset xlabel ", f);
    plot_quote(f, xk);
    fputs(" noenhanced\nset ylabel ", f);
    plot_quote(f, yk);
    /* the key below the plot never hides a line; 5% room above and
     * below keeps a line on the range's edge visible */
    fprintf(f, " noenhanced\nset grid\nset key below box noenhanced spacing 1.2 maxcols 2\n%s%s",
            logx && numeric_x ? "set logscale x\n" : "", logy ? "set logscale y\n" : "");
    if (!numeric_x)
        fputs("set xtics rotate by -30\nset offsets 0.5, 0.5, graph 0.05, graph 0.05\n", f);
    else
        fputs("set offsets 0, 0, graph 0.05, graph 0.05\n", f);
    /* one datablock per --by value, in the order of the grid */
    for (i = 0; i < n_pts; i++) {
        const char *byv;
        size_t j, m = 0;
        if (!keep[i] || done[i])
            continue;
        byv = bykey >= 0 ? sweepdata_value(&d, pts[i].first, (size_t)bykey) : NULL;
        for (j = i; j < n_pts; j++) {
            struct sweepdata_stat sy;
            if (!keep[j] || done[j])
                continue;
            if (byv && strcmp(byv, sweepdata_value(&d, pts[j].first, (size_t)bykey)) != 0)
                continue;
            done[j] = 1;
            sweepdata_stat(&d, &pts[j], (size_t)ymetric, &sy);
            pp[m].y = sy.mean;
            pp[m].ci = isnan(sy.ci95) ? 0.0 : sy.ci95;
            if (xkey >= 0) {
                pp[m].label = sweepdata_value(&d, pts[j].first, (size_t)xkey);
                pp[m].x = numeric_x ? strtod(pp[m].label, NULL) : (double)m;
            } else {
                struct sweepdata_stat sx;
                sweepdata_stat(&d, &pts[j], (size_t)xmetric, &sx);
                pp[m].x = sx.mean;
                pp[m].label = "";
            }
            m++;
        }
        if (numeric_x)
            qsort(pp, m, sizeof *pp, cmp_spp);
        fprintf(f, "$g%zu << EOD\n", n_groups);
        for (j = 0; j < m; j++) {
            if (isnan(pp[j].y))
                continue;
            fprintf(f, "%.17g %.17g %.17g ", numeric_x ? pp[j].x : (double)j, pp[j].y, pp[j].ci);
            fputc('"', f);
            for (k = 0; pp[j].label[k]; k++)
                if (pp[j].label[k] != '"' && pp[j].label[k] != '\n')
                    fputc(pp[j].label[k], f);
            fputs("\"\n", f);
        }
        fputs("EOD\n", f);
        fprintf(f, "title%zu = ", n_groups);
        if (byv) {
            char t[300];
            snprintf(t, sizeof t, "%s=%s", byk, byv);
            plot_quote(f, t);
        } else {
            plot_quote(f, yk);
        }
        fputc('\n', f);
        n_groups++;
    }
    /* room below the axis label for the key's rows of two (and for
     * rotated text tics) */
    fprintf(f, "set bmargin %.1f\n", (numeric_x ? 4.5 : 6.5) + 1.3 * (double)((n_groups + 1) / 2));
    fputs("plot ", f);
    for (i = 0; i < n_groups; i++)
        fprintf(f, "%s$g%zu using 1:2:3%s with yerrorlines lw 2 pt 7 ps 0.8 lc %zu title title%zu",
                i ? ", \\\n     " : "", i, numeric_x ? "" : ":xtic(4)", i + 1, i);
    fputc('\n', f);
    if (plot_close(pl, &err))
        goto fail;
    rc = 0;
    goto out;
fail:
    rc = cli_fail(&err);
out:
    free(pts);
    free(pp);
    free(keep);
    free(done);
    if (have)
        sweepdata_free(&d);
    store_close(st);
    return rc;
}

/* `hisim plot regret|cost --sweep ID [--overlay] [--where K=V]...`: one
 * curve per point, the mean over its replications with a 95% band (or
 * every run with --overlay), and the eq. (5) bound of hil-f and batch-hi. */
static int
plot_sweep_runs(const char *kind, const struct run_args *a)
{
    struct hi_error err = {0};
    struct store *st = NULL;
    struct sweepdata d;
    struct sweepdata_point *pts = NULL;
    unsigned char *keep = NULL;
    struct plot *pl = NULL;
    enum plot_format fmt;
    int regret = strcmp(kind, "regret") == 0, rc = EXIT_INTERNAL, have = 0;
    size_t n_pts = 0, i, k, n_kept = 0, g = 0;
    long lmin_col, batch_col;
    FILE *f;

    memset(&d, 0, sizeof d);
    if (plot_format_of(a->out, &fmt, &err))
        return cli_fail(&err);
    if (!(st = open_db(a->db, &err)))
        return cli_fail(&err);
    if (sweepdata_load(st, a->sweep, &d, &err))
        goto fail;
    have = 1;
    if (sweepdata_points(&d, &pts, &n_pts, &err))
        goto fail;
    if (!(keep = malloc(n_pts + 1))) {
        error_set(&err, HI_EINTERNAL, "out of memory");
        goto fail;
    }
    if ((rc = where_filter(&d, pts, n_pts, a->where, a->n_where, keep)))
        goto out;
    rc = EXIT_INTERNAL;
    for (i = 0; i < n_pts; i++)
        n_kept += keep[i];
    if (n_kept == 0) {
        error_set(&err, HI_EINPUT, "sweep %lld: no finished point matches", a->sweep);
        goto fail;
    }
    if (n_kept > MAX_RUNS) {
        rc = cli_usage("plot", "%s: sweep %lld has %zu points: choose at most %d with --where KEY=VALUE", kind,
                       a->sweep, n_kept, MAX_RUNS);
        goto out;
    }
    lmin_col = sweepdata_metric(&d, "lambda_min");
    batch_col = sweepdata_metric(&d, "batch");

    if (!(pl = plot_open(a->out, &err)))
        goto fail;
    f = plot_script(pl);
    fputs("set title ", f);
    {
        char t[300];
        snprintf(t, sizeof t, "%s (sweep %lld: %s; %s)", regret ? "Regret against the best fixed threshold"
                                                                 : "Cumulative cost",
                 a->sweep, d.info.name, a->overlay ? "every run" : "mean and 95% band");
        plot_quote(f, a->title ? a->title : t);
    }
    fprintf(f, " noenhanced\nset xlabel 't (samples)'\nset ylabel '%s'\n%sset grid\n"
               "set key top left box opaque noenhanced\nset style fill transparent solid 0.2 noborder\n",
            regret ? "regret (expected cost - best fixed cost)" : "cumulative cost", regret ? "set logscale x\n" : "");
    {
        /* datablocks first, then one plot command */
        char label[MAX_RUNS][300];
        int has_bound[MAX_RUNS] = {0};
        size_t n_runs[MAX_RUNS] = {0};
        for (i = 0; i < n_pts; i++) {
            const struct sweepdata_point *pt = &pts[i];
            double **ys = NULL, *t0 = NULL, lmin, M;
            size_t n0 = 0, r, j;
            char pol[200] = "";
            if (!keep[i])
                continue;
            /* the label: the axes that vary between the plotted points */
            label[g][0] = '\0';
            for (k = 0; k < d.n_keys; k++)
                if (varies(&d, pts, n_pts, keep, k))
                    snprintf(label[g] + strlen(label[g]), sizeof label[g] - strlen(label[g]), "%s%s=%s",
                             label[g][0] ? " " : "", d.keys[k], sweepdata_value(&d, pt->first, k));
            if (!label[g][0])
                snprintf(label[g], sizeof label[g], "point %zu", d.rows[pt->first].idx);
            {
                struct store_loaded run;
                if (store_load_run(st, d.rows[pt->first].run_id, &run, &err))
                    goto fail_plot;
                snprintf(pol, sizeof pol, "%s", run.policy);
                store_loaded_free(&run);
            }
            lmin = lmin_col >= 0 ? d.m[pt->first * d.n_metrics + (size_t)lmin_col] : NAN;
            M = batch_col >= 0 ? d.m[pt->first * d.n_metrics + (size_t)batch_col] : 1.0;
            has_bound[g] = regret && !isnan(bound(pol, lmin, M, 1.0));
            if (!(ys = calloc(pt->n, sizeof *ys)))
                goto oom_plot;
            for (r = 0; r < pt->n; r++) {
                double *x = NULL;
                size_t n = 0;
                if (store_load_series(st, d.rows[pt->first + r].run_id, regret ? "regret" : "cost", &x, &ys[r], &n,
                                      &err)) {
                    free(x);
                    for (j = 0; j < r; j++)
                        free(ys[j]);
                    free(ys);
                    free(t0);
                    goto fail_plot;
                }
                if (r == 0) {
                    t0 = x;
                    n0 = n;
                } else {
                    /* runs of one point share their checkpoints */
                    int same = n == n0;
                    for (j = 0; same && j < n; j++)
                        same = x[j] == t0[j];
                    free(x);
                    if (!same) {
                        error_set(&err, HI_EINPUT, "sweep %lld: the runs of point %zu have different checkpoints",
                                  a->sweep, d.rows[pt->first].idx);
                        for (j = 0; j <= r; j++)
                            free(ys[j]);
                        free(ys);
                        free(t0);
                        goto fail_plot;
                    }
                }
            }
            if (n0 == 0) {
                error_set(&err, HI_EINPUT, "sweep %lld: point %zu has no %s series", a->sweep, d.rows[pt->first].idx,
                          kind);
                for (r = 0; r < pt->n; r++)
                    free(ys[r]);
                free(ys);
                free(t0);
                goto fail_plot;
            }
            n_runs[g] = pt->n;
            /* columns: t, mean, lo, hi, bound, run 0, run 1, ... */
            fprintf(f, "$p%zu << EOD\n", g);
            for (j = 0; j < n0; j++) {
                double sum = 0.0, m, sd = 0.0, ci;
                for (r = 0; r < pt->n; r++)
                    sum += ys[r][j];
                m = sum / (double)pt->n;
                for (r = 0; r < pt->n; r++)
                    sd += (ys[r][j] - m) * (ys[r][j] - m);
                sd = pt->n > 1 ? sqrt(sd / (double)(pt->n - 1)) : NAN;
                ci = sweepdata_ci95(sd, pt->n);
                if (isnan(ci))
                    ci = 0.0;
                fprintf(f, "%.17g %.17g %.17g %.17g %.17g", t0[j], m, m - ci, m + ci,
                        has_bound[g] ? bound(pol, lmin, M, t0[j]) : 0.0);
                for (r = 0; r < pt->n; r++)
                    fprintf(f, " %.17g", ys[r][j]);
                fputc('\n', f);
            }
            fputs("EOD\n", f);
            for (r = 0; r < pt->n; r++)
                free(ys[r]);
            free(ys);
            free(t0);
            g++;
        }
        fputs("plot ", f);
        for (i = 0; i < g; i++) {
            const char *sep = i ? ", \\\n     " : "";
            if (a->overlay || n_runs[i] == 1) {
                size_t r;
                for (r = 0; r < n_runs[i]; r++) {
                    fprintf(f, "%s$p%zu using 1:%zu with lines lw 1.5 lc %zu ", r ? ", \\\n     " : sep, i, 6 + r,
                            i + 1);
                    if (r == 0) {
                        fputs("title ", f);
                        plot_quote(f, label[i]);
                    } else {
                        fputs("notitle", f);
                    }
                }
            } else {
                fprintf(f, "%s$p%zu using 1:3:4 with filledcurves lc %zu notitle, \\\n     "
                           "$p%zu using 1:2 with lines lw 2 lc %zu title ", sep, i, i + 1, i, i + 1);
                {
                    char t[340];
                    snprintf(t, sizeof t, "%.280s (mean of %zu)", label[i], n_runs[i]);
                    plot_quote(f, t);
                }
            }
            if (has_bound[i]) {
                fprintf(f, ", \\\n     $p%zu using 1:5 with lines dt 2 lw 1.5 lc %zu title ", i, i + 1);
                {
                    char t[340];
                    snprintf(t, sizeof t, "bound (002 eq. 5), %.280s", label[i]);
                    plot_quote(f, t);
                }
            }
        }
        fputc('\n', f);
    }
    if (plot_close(pl, &err))
        goto fail;
    rc = 0;
    goto out;
oom_plot:
    error_set(&err, HI_EINTERNAL, "out of memory");
fail_plot:
    /* abandon the figure: gnuplot's output is removed */
    fputs("exit error 'abandoned'\n", plot_script(pl));
    {
        struct hi_error ignore = {0};
        plot_close(pl, &ignore);
    }
fail:
    rc = cli_fail(&err);
out:
    free(pts);
    free(keep);
    if (have)
        sweepdata_free(&d);
    store_close(st);
    return rc;
}

static const struct plot_kind {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} kinds[] = {
    {"reliability", "S-ML accuracy against confidence per bin, with the ECE", plot_kind_reliability},
    {"regret", "regret of stored runs against t, with the bound of hil-f and batch-hi", plot_kind_regret},
    {"cost", "cumulative cost of stored runs against t, and the best fixed threshold", plot_kind_cost},
    {"sweep", "a metric of a sweep against an axis: mean and 95% CI per point, a line per --by", plot_kind_sweep},
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])

int
cmd_plot(int argc, char **argv)
{
    const char *names[N_KINDS], *near;
    char list[256] = "";
    size_t i;

    for (i = 0; i < N_KINDS; i++) {
        names[i] = kinds[i].name;
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", kinds[i].name);
    }
    if (argc < 2)
        return cli_usage("plot", "expected a kind (%s)", list);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        cli_help("plot", stdout);
        return 0;
    }
    for (i = 0; i < N_KINDS; i++)
        if (strcmp(argv[1], kinds[i].name) == 0)
            return kinds[i].run(argc - 1, argv + 1);
    near = error_closest(argv[1], names, N_KINDS);
    if (near)
        return cli_usage("plot", "unknown kind '%s' (did you mean '%s'?)", argv[1], near);
    return cli_usage("plot", "unknown kind '%s' (kinds: %s)", argv[1], list);
}
