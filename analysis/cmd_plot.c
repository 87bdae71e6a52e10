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
struct run_args {
    const char *db, *out, *title;
    long long ids[MAX_RUNS];
    int n;
};

static int
parse_runs(const char *kind, int argc, char **argv, struct run_args *a)
{
    static const struct option opts[] = {
        {"run", required_argument, NULL, 'r'},
        {"db", required_argument, NULL, 'd'},
        {"output", required_argument, NULL, 'o'},
        {"title", required_argument, NULL, 't'},
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
        case 'h': cli_help("plot", stdout); return -1;
        case ':': return cli_usage("plot", "%s: %s needs a value", kind, argv[optind - 1]);
        default: return cli_usage("plot", "%s: unknown option '%s'", kind, argv[optind - 1]);
        }
    }
    if (optind != argc)
        return cli_usage("plot", "%s: unexpected argument '%s'", kind, argv[optind]);
    if (a->n == 0)
        return cli_usage("plot", "%s: expected --run ID (repeatable)", kind);
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

static const struct plot_kind {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} kinds[] = {
    {"reliability", "S-ML accuracy against confidence per bin, with the ECE", plot_kind_reliability},
    {"regret", "regret of stored runs against t, with the bound of hil-f and batch-hi", plot_kind_regret},
    {"cost", "cumulative cost of stored runs against t, and the best fixed threshold", plot_kind_cost},
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
