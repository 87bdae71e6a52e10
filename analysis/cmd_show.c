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
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
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

static struct store *
open_existing(const char *db, struct hi_error *err)
{
    if (access(db, F_OK) != 0) {
        error_set(err, HI_EINPUT, "%s: no such database (hisim run stores runs there; --db chooses another)", db);
        return NULL;
    }
    return store_open(db, 0, err);
}

struct list_ctx {
    int json;
    struct json *j;
    size_t count;
};

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
        printf("%5lld  %-20s  %-20s  %-6s  %-9s  %s\n", (long long)r->id, r->started, r->name,
               r->status, r->version, r->policy);
    }
    return 0;
}

int
cmd_runs(int argc, char **argv)
{
    struct flags fl;
    struct hi_error err = {0};
    struct store *st;
    struct json j;
    struct list_ctx L = {0, &j, 0};
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
    if (!fl.json)
        printf("%5s  %-20s  %-20s  %-6s  %-9s  %s\n", "id", "started (UTC)", "name", "status", "version", "policy");
    if (store_each_run(st, list_one, &L, &err))
        status = cli_fail(&err);
    json_array_end(&j);
    if (fl.json && status == 0) {
        char *s = json_take(&j);
        if (s)
            printf("%s\n", s);
        free(s);
    }
    json_discard(&j);
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
        summary_print_text(stdout, &r);
        printf("  seed              %llu (%s)\n", (unsigned long long)r.seed, r.rng);
        printf("  started           %s, finished %s, %s\n", r.started, r.finished, r.status);
        printf("  hisim version     %s\n", r.version);
        printf("  scenario          %s\n", r.scenario);
        printf("  config            %s\n", r.config);
    }
    store_loaded_free(&r);
    store_close(st);
    return 0;
}
