/* cmd_show.c — `hisim runs [--db PATH] [--json]` and `hisim show RUN_ID [--db PATH] [--json]`. */
#include "analysis/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/store.h"
#include "analysis/summary.h"
#include "sim/json.h"

struct flags {
    const char *db;
    int json;
};

/* Parses --db and --json; returns the index of the first positional, or
 * -1 after printing usage (status in *status). */
static int
parse(const char *verb, int argc, char **argv, struct flags *fl, int *status)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    fl->db = NULL;
    fl->json = 0;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': fl->db = optarg; break;
        case 'j': fl->json = 1; break;
        case 'h': cli_help(verb, stdout); *status = 0; return -1;
        case ':': *status = cli_usage(verb, "%s needs a value", argv[optind - 1]); return -1;
        default: *status = cli_usage(verb, "unknown option '%s'", argv[optind - 1]); return -1;
        }
    }
    fl->db = cli_db_path(fl->db);
    return optind;
}

/* Read-only: never creates, migrates or locks for writing. */
static struct store *
open_existing(const char *db, struct hi_error *err)
{
    return store_open(db, STORE_READONLY, err);
}

/* The text columns of `hisim runs`, escaped, collected to size the
 * columns to their widest cell. */
enum { C_ID, C_STARTED, C_NAME, C_STATUS, C_VERSION, C_POLICY, N_COLS };

struct list_ctx {
    int json;
    struct json *j;
    size_t count, cap;
    char *(*rows)[N_COLS];
    int oom;
};

static char *
dup_escaped(const char *s)
{
    size_t len = cli_escaped_len(s) + 1;
    char *b = malloc(len);
    if (b)
        cli_escape(s, b, len);
    return b;
}

static int
list_one(void *ctx, const struct store_loaded *r)
{
    struct list_ctx *L = ctx;
    L->count++;
    if (L->json) {
        json_object_begin(L->j);
        json_key(L->j, "run_id");
        json_integer(L->j, r->id);
        json_key(L->j, "name");
        json_string(L->j, r->name);
        json_key(L->j, "policy");
        json_string(L->j, r->policy);
        json_key(L->j, "seed");
        json_integer(L->j, (long long)r->seed);
        json_key(L->j, "started");
        json_string(L->j, r->started);
        json_key(L->j, "status");
        json_string(L->j, r->status);
        json_object_end(L->j);
    } else {
        char id[32];
        int k;
        if (L->count > L->cap) {
            size_t cap = L->cap ? 2 * L->cap : 64;
            void *nr = realloc(L->rows, cap * sizeof *L->rows);
            if (!nr) {
                L->oom = 1;
                return 1;
            }
            L->rows = nr;
            L->cap = cap;
        }
        snprintf(id, sizeof id, "%lld", (long long)r->id);
        L->rows[L->count - 1][C_ID] = dup_escaped(id);
        L->rows[L->count - 1][C_STARTED] = dup_escaped(r->started);
        L->rows[L->count - 1][C_NAME] = dup_escaped(r->name);
        L->rows[L->count - 1][C_STATUS] = dup_escaped(r->status);
        L->rows[L->count - 1][C_VERSION] = dup_escaped(r->version);
        L->rows[L->count - 1][C_POLICY] = dup_escaped(r->policy);
        for (k = 0; k < N_COLS; k++)
            if (!L->rows[L->count - 1][k])
                L->oom = 1;
        if (L->oom)
            return 1;
    }
    return 0;
}

/* Prints the table with every column as wide as its widest cell (in
 * characters of UTF-8), the id right-aligned, the policy last. */
static void
print_table(const struct list_ctx *L)
{
    static const char *const head[N_COLS] = {"id", "started (UTC)", "name", "status", "version", "policy"};
    size_t w[N_COLS], i;
    int k;
    for (k = 0; k < N_COLS; k++) {
        w[k] = cli_width(head[k]);
        for (i = 0; i < L->count; i++)
            if (cli_width(L->rows[i][k]) > w[k])
                w[k] = cli_width(L->rows[i][k]);
    }
    for (i = 0; i <= L->count; i++) {
        char *const *row = i == 0 ? (char *const *)head : L->rows[i - 1];
        for (k = 0; k < N_COLS; k++) {
            size_t pad = w[k] - cli_width(row[k]);
            if (k == C_ID)
                printf("%*s%s", (int)pad, "", row[k]);
            else if (k == C_POLICY)
                printf("  %s", row[k]);
            else
                printf("  %s%*s", row[k], (int)pad, "");
        }
        putchar('\n');
    }
}

int
cmd_runs(int argc, char **argv)
{
    struct flags fl;
    struct hi_error err = {0};
    struct store *st;
    struct json j;
    struct list_ctx L = {0, &j, 0, 0, NULL, 0};
    int status = 0, first = parse("runs", argc, argv, &fl, &status);

    if (first < 0)
        return status;
    if (first != argc)
        return cli_usage("runs", "unexpected argument '%s'", argv[first]);
    st = open_existing(fl.db, &err);
    if (!st)
        return cli_fail(&err);
    L.json = fl.json;
    json_init(&j);
    json_array_begin(&j);
    if (store_each_run(st, list_one, &L, &err))
        status = cli_fail(&err);
    else if (L.oom) {
        error_set(&err, HI_EINTERNAL, "out of memory");
        status = cli_fail(&err);
    }
    json_array_end(&j);
    if (fl.json && status == 0) {
        char *s = json_take(&j);
        if (s)
            printf("%s\n", s);
        else
            status = EXIT_INTERNAL;
        free(s);
    } else if (status == 0) {
        print_table(&L);
    }
    json_discard(&j);
    {
        size_t i;
        int k;
        for (i = 0; i < L.count && L.rows; i++)
            for (k = 0; k < N_COLS && i < L.cap; k++)
                free(L.rows[i][k]);
        free(L.rows);
    }
    store_close(st);
    return status;
}

int
cmd_show(int argc, char **argv)
{
    struct flags fl;
    struct hi_error err = {0};
    struct store *st;
    struct store_loaded r;
    long long id;
    int status = 0, first = parse("show", argc, argv, &fl, &status);

    if (first < 0)
        return status;
    if (first + 1 != argc)
        return cli_usage("show", "expected one run id");
    if (cli_parse_id(argv[first], &id))
        return cli_usage("show", "'%s' is not a run id (a positive integer)", argv[first]);
    st = open_existing(fl.db, &err);
    if (!st)
        return cli_fail(&err);
    if (store_load_run(st, id, &r, &err)) {
        store_close(st);
        return cli_fail(&err);
    }
    if (fl.json) {
        struct engine_device *dev = NULL;
        size_t n_dev = 0;
        if (summary_load_devices(st, id, &dev, &n_dev, &err)) {
            store_loaded_free(&r);
            store_close(st);
            return cli_fail(&err);
        }
        summary_print_json(stdout, &r, dev, n_dev);
        free(dev);
    } else {
        char scen[4200];
        summary_print_text(stdout, &r);
        cli_escape(r.scenario, scen, sizeof scen);
        printf("  seed              %llu (%s)\n", (unsigned long long)r.seed, r.rng);
        printf("  started           %s, finished %s, %s\n", r.started, r.finished, r.status);
        printf("  hisim version     %s\n", r.version);
        printf("  scenario          %s\n", scen);
        if (r.trace_path[0])
            printf("  trace             %s (sha256 %s)\n", r.trace_path, r.trace_sha256);
        printf("  config            %s\n", r.config);
    }
    store_loaded_free(&r);
    store_close(st);
    return 0;
}
