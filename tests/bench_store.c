/*
 * bench_store.c — the CPU time of storing a run, as a sweep stores them.
 *
 * usage: bench-store DB [RUNS [REPEATS]]
 * Stores RUNS runs (default 2000) shaped like those of the 10^4-point
 * sweep of docs/performance.md — a 2.5 kB configuration, 44 metrics, the
 * four curves of 170 points each — into DB (replaced; in WAL mode with
 * synchronous = NORMAL, as `hisim sweep` writes), REPEATS times
 * (default 5), and prints the process CPU time per run of each repeat and
 * their median, in ms.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "analysis/store.h"

#define POINTS 170
#define METRICS 44

static double
cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int
cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
    static double x[POINTS], y[4][POINTS];
    static char names[METRICS][32], config[2600];
    static const char *const curve[4] = {"regret", "expected_cost", "cost", "best_fixed_cost"};
    struct store_metric m[METRICS];
    struct store_series se[4];
    const char *db;
    size_t runs, i, k;
    int reps, r;
    double t[64];

    if (argc < 2) {
        fprintf(stderr, "usage: bench-store DB [RUNS [REPEATS]]\n");
        return 2;
    }
    db = argv[1];
    runs = argc > 2 ? (size_t)atol(argv[2]) : 2000;
    reps = argc > 3 ? atoi(argv[3]) : 5;
    if (reps < 1 || reps > 64)
        reps = 5;
    for (i = 0; i < POINTS; i++) {
        double ti = ceil(pow(10000.0, (double)i / (POINTS - 1)));
        x[i] = ti;
        y[1][i] = 0.1048 * ti + 0.3 * (double)(i % 7);
        y[2][i] = 0.1049 * ti;
        y[3][i] = 0.1043 * ti + 0.1 * (double)(i % 3);
        y[0][i] = y[1][i] - y[3][i];
    }
    for (k = 0; k < 4; k++)
        se[k] = (struct store_series){curve[k], x, y[k], POINTS};
    for (i = 0; i < METRICS; i++) {
        snprintf(names[i], sizeof names[i], "metric_%02zu", i);
        m[i].name = names[i];
        m[i].value = i % 5 ? 1.0 / (double)(i + 3) : (double)i;
    }
    memset(config, 'c', sizeof config - 1);
    memcpy(config, "{\"k\":\"", 6);
    memcpy(config + sizeof config - 3, "\"}", 3);

    for (r = 0; r < reps; r++) {
        struct hi_error err = {0};
        struct store *s;
        char wal[4096];
        double t0;
        unlink(db);
        snprintf(wal, sizeof wal, "%s-wal", db);
        unlink(wal);
        snprintf(wal, sizeof wal, "%s-shm", db);
        unlink(wal);
        if (!(s = store_open(db, STORE_CREATE, &err))) {
            fprintf(stderr, "bench-store: %s\n", err.msg);
            return 1;
        }
        if (sqlite3_exec(store_sqlite(s), "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", NULL, NULL,
                         NULL) != SQLITE_OK) {
            fprintf(stderr, "bench-store: %s\n", sqlite3_errmsg(store_sqlite(s)));
            return 1;
        }
        t0 = cpu_now();
        for (i = 0; i < runs; i++) {
            struct store_run run;
            memset(&run, 0, sizeof run);
            run.name = "quickstart";
            run.scenario = "scenarios/quickstart.yaml";
            run.config = config;
            run.seed = i;
            run.rng = "mt19937";
            run.version = "bench";
            run.policy = "fixed-threshold theta=0.6";
            run.started = run.finished = "2026-01-01T00:00:00Z";
            run.status = "done";
            run.metrics = m;
            run.n_metrics = METRICS;
            run.series = se;
            run.n_series = 4;
            if (store_save_run(s, &run, &err)) {
                fprintf(stderr, "bench-store: %s\n", err.msg);
                return 1;
            }
        }
        t[r] = (cpu_now() - t0) / (double)runs * 1e3;
        store_close(s);
        printf("repeat %d: %.3f ms of CPU per run\n", r + 1, t[r]);
    }
    qsort(t, (size_t)reps, sizeof t[0], cmp);
    printf("store a run (%d metrics, 4 curves x %d points): median %.3f ms of CPU (%zu runs, %d repeats)\n",
           METRICS, POINTS, t[reps / 2], runs, reps);
    return 0;
}
