/*
 * cmd_sweep.c — `hisim sweep`, `hisim sweeps` and `hisim merge`.
 *
 *   hisim sweep SWEEP.yaml [-j N] [--db PATH] [--resume [--force]] [--fail-fast]
 *                          [--shard I/N] [--timing]
 *   hisim sweeps [--db PATH] [--json]
 *   hisim merge OUT.db IN.db...
 *
 * Order of work, so that bad input writes nothing: the sweep file, its
 * expansion (every point's configuration and trace), the database check,
 * then the runs.  Progress and failures go to standard error; the sweep's
 * id, summary table and status line to standard output.  SIGINT and
 * SIGTERM (without MPI, whose launcher handles signals itself) stop the
 * sweep: the runs finished are kept, those in flight dropped, the sweep
 * stored as `interrupted`, and hisim exits with 128 + the signal.
 */
#define _GNU_SOURCE
#include "analysis/cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analysis/store.h"
#include "analysis/sweep.h"
#include "analysis/sweepdata.h"
#include "analysis/sweepmpi.h"
#include "analysis/sweeprun.h"
#include "analysis/sweepstore.h"
#include "sim/json.h"

#define TABLE_ROWS 40

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int
parse_shard(const char *s, size_t *i, size_t *n)
{
    char *end;
    unsigned long a, b;
    errno = 0;
    a = strtoul(s, &end, 10);
    if (end == s || *end != '/' || errno)
        return -1;
    s = end + 1;
    b = strtoul(s, &end, 10);
    if (end == s || *end || errno || a < 1 || b < 1 || a > b || b > 64)
        return -1;
    *i = a;
    *n = b;
    return 0;
}

/* The metric the summary table shows. */
static const char *
table_metric(const struct sweep *sw)
{
    if (sw->stop.on)
        return sw->stop.metric;
    return sw->target == SWEEP_BATCHSIZE ? "m_star" : sw->target == SWEEP_CLUSTER ? "mean_response_ms" : "mean_cost";
}

static int
print_table(struct store *st, const struct sweep *sw, int64_t id, struct hi_error *err)
{
    struct sweepdata d;
    struct sweepdata_point *pts = NULL;
    size_t n_pts = 0, i, k, shown;
    size_t w[SWEEP_MAX_DIMS * 4 + 1];
    long mc;
    const char *metric = table_metric(sw);
    char head[96];

    if (sweepdata_load(st, id, &d, err))
        return err->status;
    if (sweepdata_points(&d, &pts, &n_pts, err)) {
        sweepdata_free(&d);
        return err->status;
    }
    mc = sweepdata_metric(&d, metric);
    shown = n_pts > TABLE_ROWS ? TABLE_ROWS / 2 : n_pts;
    for (k = 0; k < d.n_keys && k < SWEEP_MAX_DIMS * 4; k++) {
        w[k] = strlen(d.keys[k]);
        for (i = 0; i < shown; i++) {
            size_t l = strlen(sweepdata_value(&d, pts[i].first, k));
            if (l > w[k])
                w[k] = l;
        }
    }
    snprintf(head, sizeof head, "%s (95%% CI)", metric);
    printf("%6s", "point");
    for (k = 0; k < d.n_keys && k < SWEEP_MAX_DIMS * 4; k++)
        printf("  %-*s", (int)w[k], d.keys[k]);
    printf("  %4s  %s\n", "n", head);
    for (i = 0; i < shown; i++) {
        struct sweepdata_stat s;
        printf("%6zu", d.rows[pts[i].first].idx);
        for (k = 0; k < d.n_keys && k < SWEEP_MAX_DIMS * 4; k++)
            printf("  %-*s", (int)w[k], sweepdata_value(&d, pts[i].first, k));
        if (mc < 0) {
            printf("  %4zu  -\n", pts[i].n);
            continue;
        }
        sweepdata_stat(&d, &pts[i], (size_t)mc, &s);
        if (isnan(s.mean))
            printf("  %4zu  -\n", s.n);
        else if (isnan(s.ci95))
            printf("  %4zu  %.6g\n", s.n, s.mean);
        else
            printf("  %4zu  %.6g ± %.2g\n", s.n, s.mean, s.ci95);
    }
    if (n_pts > shown)
        printf("  ... %zu more points (hisim export --sweep %lld --summary)\n", n_pts - shown, (long long)id);
    free(pts);
    sweepdata_free(&d);
    return HI_OK;
}

int
cmd_sweep(int argc, char **argv)
{
    static const struct option opts[] = {
        {"jobs", required_argument, NULL, 'j'},
        {"db", required_argument, NULL, 'd'},
        {"resume", no_argument, NULL, 'r'},
        {"force", no_argument, NULL, 'f'},
        {"fail-fast", no_argument, NULL, 'F'},
        {"shard", required_argument, NULL, 's'},
        {"timing", no_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct sweeprun_opts o;
    struct sweeprun_stats stats;
    struct sweeprun_exec exec;
    struct sweeprun_pool *pool = NULL;
    struct sweepmpi *mpi = NULL;
    struct cli_signals sigs;
    struct hi_error err = {0};
    struct sweep sw;
    struct store *st = NULL;
    const char *db = NULL;
    long jobs = 1;
    int c, rc, status = EXIT_INTERNAL, timing = 0, loaded = 0;
    int use_mpi = 0, mpi_up = 0, rank = 0, size = 1;
    double expand_s;
    size_t i;

    memset(&o, 0, sizeof o);
    memset(&sw, 0, sizeof sw);
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":j:h", opts, NULL)) != -1) {
        switch (c) {
        case 'j': {
            char *end;
            errno = 0;
            jobs = strtol(optarg, &end, 10);
            if (!*optarg || *end || errno || jobs < 1 || jobs > 1024)
                return cli_usage("sweep", "-j: expected a thread count in [1, 1024], found '%s'", optarg);
            break;
        }
        case 'd': db = optarg; break;
        case 'r': o.resume = 1; break;
        case 'f': o.force = 1; break;
        case 'F': o.fail_fast = 1; break;
        case 's':
            if (parse_shard(optarg, &o.shard_i, &o.shard_n))
                return cli_usage("sweep", "--shard: expected I/N with 1 <= I <= N <= 64, found '%s'", optarg);
            break;
        case 't': timing = 1; break;
        case 'h': cli_help("sweep", stdout); return 0;
        case ':': return cli_usage("sweep", "%s needs a value", argv[optind - 1]);
        default: return cli_usage("sweep", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind + 1 != argc)
        return cli_usage("sweep", optind >= argc ? "expected a sweep file" : "expected one sweep file, found more");
    if (o.force && !o.resume)
        return cli_usage("sweep", "--force goes with --resume");
    db = cli_db_path(db);
    if ((status = cli_db_check("sweep", db)))
        return status;
    status = EXIT_INTERNAL;
    o.version = cli_version;
    o.log = stderr;
    o.progress = isatty(STDERR_FILENO) ? 2 : 1;

    if (sweepmpi_built() && sweepmpi_launched()) {
        if (sweepmpi_init(&argc, &argv, &rank, &size, &err))
            return cli_fail(&err);
        mpi_up = 1;
        use_mpi = size > 1;
    }

    /* 1. the sweep file and every point of it */
    expand_s = now_s();
    if (sweep_load(argv[optind], &sw, &err) == HI_OK) {
        loaded = 1;
        if (sweep_expand(&sw, &err)) {
            sweep_free(&sw);
            loaded = 0;
        }
    }
    expand_s = now_s() - expand_s;
    if (rank > 0) {
        /* a worker rank: compute until rank 0 says stop */
        sweepmpi_serve(loaded ? &sw : NULL, err.msg);
        if (loaded)
            sweep_free(&sw);
        sweepmpi_finalize();
        return 0;
    }
    if (!loaded) {
        status = cli_fail(&err);
        goto out;
    }
    for (i = 0; i < sw.n_traces; i++)
        if (sw.traces[i].trace->unknown)
            fprintf(stderr, "hisim: warning: %s: ignoring unknown columns: %s\n", sw.traces[i].trace->path,
                    sw.traces[i].trace->unknown);

    /* 2. the database: an existing file must be a hisim database */
    st = store_open(db, 1, &err);
    if (!st) {
        status = cli_fail(&err);
        goto out;
    }

    /* 3. run */
    memset(&exec, 0, sizeof exec);
    if (use_mpi)
        mpi = sweepmpi_exec_new(size, &exec, &err);
    else
        pool = sweeprun_pool_new(&sw, (int)jobs, &exec, &err);
    if (!mpi && !pool) {
        status = cli_fail(&err);
        goto out;
    }
    if (!use_mpi) {
        cli_catch_interrupts(&sigs);
        sweeprun_set_interrupt(&cli_interrupted);
    }
    rc = sweeprun_run(&sw, st, &o, &exec, &stats, &err);
    if (!use_mpi) {
        sweeprun_set_interrupt(NULL);
        cli_restore_signals(&sigs);
    }
    if (rc == HI_EINTR) {
        int sig = cli_interrupted ? cli_interrupted : SIGINT;
        fprintf(stderr, "hisim sweep: interrupted (%s): sweep %lld stored with status 'interrupted' (runs: %zu new, "
                "%zu reused, %zu kept, %zu failed; %zu stopped in flight, not stored); --resume finishes it\n",
                sig == SIGTERM ? "SIGTERM" : "SIGINT", (long long)stats.sweep_id, stats.runs_new, stats.runs_reused,
                stats.runs_kept, stats.runs_failed, stats.runs_dropped);
        status = 128 + sig;
        goto out;
    }
    if (rc) {
        status = cli_fail(&err);
        goto out;
    }
    /* the workers are done: stop them before printing */
    sweeprun_pool_free(pool);
    pool = NULL;
    sweepmpi_exec_free(mpi);
    mpi = NULL;
    use_mpi = 0;

    printf("sweep %lld: %s (%s), %zu points, target %s\n", (long long)stats.sweep_id, sw.name, sw.file,
           sw.n_points, sweep_target_name(sw.target));
    if (o.shard_n)
        printf("shard %zu/%zu: %zu points\n", o.shard_i, o.shard_n, stats.points);
    if (print_table(st, &sw, stats.sweep_id, &err)) {
        status = cli_fail(&err);
        goto out;
    }
    printf("sweep %lld %s: %zu points: %zu done, %zu failed, %zu reused, %zu skipped "
           "(runs: %zu new, %zu reused, %zu kept, %zu failed) in %.1f s; stored in %s\n",
           (long long)stats.sweep_id, stats.resumed ? "resumed" : "finished", stats.points, stats.done, stats.failed,
           stats.reused, stats.skipped, stats.runs_new, stats.runs_reused, stats.runs_kept, stats.runs_failed,
           stats.wall_s, db);
    if (stats.runs_saturated)
        fprintf(stderr, "hisim sweep: warning: %zu run%s saturated (metric saturated = 1): a queue's offered load "
                "exceeds 1, so its response times grow with the run length\n", stats.runs_saturated,
                stats.runs_saturated == 1 ? " was" : "s were");
    if (timing)
        fprintf(stderr, "hisim sweep: timing: %zu points expanded in %.3f s, planned in %.3f s; %zu runs stored in "
                "%.3f s of CPU (%.3f ms each); %.1f s in all\n", sw.n_points, expand_s, stats.plan_s,
                stats.runs_new + stats.runs_failed, stats.store_s,
                stats.runs_new ? 1e3 * stats.store_s / (double)stats.runs_new : 0.0, stats.wall_s);
    /* a failed write to standard output: main's finish_stdout says so */
    status = stats.failed || stats.skipped ? (stats.input_failures_only ? EXIT_INPUT : EXIT_INTERNAL) : 0;
out:
    sweeprun_pool_free(pool);
    if (mpi)
        sweepmpi_exec_free(mpi);
    else if (use_mpi)
        sweepmpi_stop_all(size);
    if (mpi_up)
        sweepmpi_finalize();
    store_close(st);
    if (loaded)
        sweep_free(&sw);
    return status;
}

/* ---- hisim sweeps ---- */

struct list_ctx {
    int json;
    struct json *j;
    int header;
};

static int
list_one(void *ctx, const struct sweepstore_sweep *s, size_t runs)
{
    struct list_ctx *L = ctx;
    if (L->json) {
        json_object_begin(L->j);
        json_key(L->j, "sweep_id");
        json_integer(L->j, s->id);
        json_key(L->j, "name");
        json_string(L->j, s->name);
        json_key(L->j, "file");
        json_string(L->j, s->file);
        json_key(L->j, "status");
        json_string(L->j, s->status);
        json_key(L->j, "points");
        json_integer(L->j, (long long)s->n_points);
        json_key(L->j, "runs");
        json_integer(L->j, (long long)runs);
        json_key(L->j, "shard");
        json_string(L->j, s->shard);
        json_key(L->j, "target");
        json_string(L->j, s->target);
        json_key(L->j, "version");
        json_string(L->j, s->version);
        json_key(L->j, "started");
        json_string(L->j, s->started);
        json_key(L->j, "finished");
        json_string(L->j, s->finished);
        json_object_end(L->j);
        return 0;
    }
    if (!L->header) {
        printf("%5s  %-20s  %-8s  %7s  %7s  %-6s  %s\n", "id", "started", "status", "points", "runs", "shard", "name (file)");
        L->header = 1;
    }
    printf("%5lld  %-20s  %-8s  %7zu  %7zu  %-6s  %s (%s)\n", (long long)s->id, s->started, s->status, s->n_points,
           runs, s->shard[0] ? s->shard : "all", s->name, s->file);
    return 0;
}

int
cmd_sweeps(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct hi_error err = {0};
    struct list_ctx L = {0, NULL, 0};
    struct json j;
    struct store *st;
    const char *db = NULL;
    int c, rc;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'j': L.json = 1; break;
        case 'h': cli_help("sweeps", stdout); return 0;
        case ':': return cli_usage("sweeps", "%s needs a value", argv[optind - 1]);
        default: return cli_usage("sweeps", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc)
        return cli_usage("sweeps", "unexpected argument '%s'", argv[optind]);
    db = cli_db_path(db);
    if (access(db, F_OK) != 0) {
        error_set(&err, HI_EINPUT, "%s: no such database (hisim sweep stores sweeps there; --db chooses another)", db);
        return cli_fail(&err);
    }
    if (!(st = store_open(db, 0, &err)))
        return cli_fail(&err);
    if (L.json) {
        json_init(&j);
        L.j = &j;
        json_array_begin(&j);
    }
    rc = sweepstore_each_sweep(st, list_one, &L, &err);
    store_close(st);
    if (L.json) {
        char *s;
        json_array_end(&j);
        s = json_take(&j);
        if (s && !rc)
            printf("%s\n", s);
        free(s);
    } else if (!rc && !L.header) {
        printf("no sweeps in %s\n", db);
    }
    if (rc)
        return cli_fail(&err);
    return 0;               /* a failed write to standard output: main's finish_stdout says so */
}

/* ---- hisim merge ---- */

static int
same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int
cmd_merge(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct hi_error err = {0};
    struct store *st = NULL;
    const char *out;
    char *tmp = NULL;
    int c, i, fresh, status = EXIT_INTERNAL;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'h': cli_help("merge", stdout); return 0;
        default: return cli_usage("merge", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind < 2)
        return cli_usage("merge", "expected OUT.db and at least one IN.db");
    out = argv[optind];
    for (i = optind + 1; i < argc; i++) {
        struct stat sb;
        int k;
        if (stat(argv[i], &sb) != 0 || !S_ISREG(sb.st_mode)) {
            error_set(&err, HI_EINPUT, "%s: no such database", argv[i]);
            return cli_fail(&err);
        }
        if (same_file(argv[i], out)) {
            error_set(&err, HI_EINPUT, "%s: is the output database %s", argv[i], out);
            return cli_fail(&err);
        }
        for (k = optind + 1; k < i; k++)
            if (same_file(argv[i], argv[k])) {
                error_set(&err, HI_EINPUT, "%s: given twice (as %s)", argv[i], argv[k]);
                return cli_fail(&err);
            }
    }
    /* a new output is built beside it and moved into place at the end, so
     * a failed merge leaves nothing; an existing one takes each input in
     * one transaction */
    fresh = access(out, F_OK) != 0;
    if (fresh) {
        int fd;
        if (!(tmp = malloc(strlen(out) + 16))) {
            error_set(&err, HI_EINTERNAL, "out of memory");
            return cli_fail(&err);
        }
        sprintf(tmp, "%s.tmpXXXXXX", out);
        if ((fd = mkstemp(tmp)) < 0) {
            error_set(&err, HI_EINPUT, "%s: cannot write: %s", out, strerror(errno));
            free(tmp);
            return cli_fail(&err);
        }
        close(fd);
    }
    if (!(st = store_open(fresh ? tmp : out, 1, &err)))
        goto fail;
    for (i = optind + 1; i < argc; i++) {
        if (sweepstore_merge(st, argv[i], out, &err)) {
            if (!fresh && i > optind + 1)
                fprintf(stderr, "hisim merge: the inputs before %s are merged into %s\n", argv[i], out);
            goto fail;
        }
    }
    store_close(st);
    st = NULL;
    if (fresh) {
        mode_t mask = umask(0);
        umask(mask);
        chmod(tmp, 0666 & ~mask);
        if (rename(tmp, out) != 0) {
            error_set(&err, HI_EINTERNAL, "%s: cannot move into place: %s", out, strerror(errno));
            goto fail;
        }
        free(tmp);
        tmp = NULL;
    }
    printf("merged %d database%s into %s\n", argc - optind - 1, argc - optind - 1 == 1 ? "" : "s", out);
    {
        char *args[] = {"sweeps", "--db", (char *)out, NULL};
        return cmd_sweeps(3, args);
    }
fail:
    status = cli_fail(&err);
    store_close(st);
    if (tmp) {
        char side[4200];
        unlink(tmp);
        snprintf(side, sizeof side, "%s-wal", tmp);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", tmp);
        unlink(side);
        free(tmp);
    }
    return status;
}
