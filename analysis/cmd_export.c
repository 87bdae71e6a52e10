/*
 * cmd_export.c — `hisim export (--run ID | --sweep ID [--summary])
 *                 --format csv|json [-o FILE] [--db PATH]`
 *
 * Everything is read from the store before the output is opened, so a
 * bad id writes nothing; the output is written whole or not at all
 * (analysis/outfile.h).
 */
#include "analysis/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "analysis/export.h"
#include "analysis/outfile.h"
#include "analysis/store.h"
#include "analysis/sweepdata.h"
#include "analysis/sweepstore.h"

int
cmd_export(int argc, char **argv)
{
    static const struct option opts[] = {
        {"run", required_argument, NULL, 'r'},
        {"sweep", required_argument, NULL, 'S'},
        {"summary", no_argument, NULL, 'u'},
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"db", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct hi_error err = {0};
    struct store *st = NULL;
    struct sweepdata d;
    struct outfile out;
    int to_stdout;
    enum export_format fmt = EXPORT_CSV;
    const char *db = NULL, *path = NULL, *format = NULL;
    long long run = 0, sweep = 0;
    int c, summary = 0, have_data = 0, rc;

    memset(&d, 0, sizeof d);
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (cli_parse_id(optarg, &run))
                return cli_usage("export", "--run: '%s' is not a run id", optarg);
            break;
        case 'S':
            if (cli_parse_id(optarg, &sweep))
                return cli_usage("export", "--sweep: '%s' is not a sweep id", optarg);
            break;
        case 'u': summary = 1; break;
        case 'f': format = optarg; break;
        case 'o': path = optarg; break;
        case 'd': db = optarg; break;
        case 'h': cli_help("export", stdout); return 0;
        case ':': return cli_usage("export", "%s needs a value", argv[optind - 1]);
        default: return cli_usage("export", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc)
        return cli_usage("export", "unexpected argument '%s'", argv[optind]);
    if (!run == !sweep)
        return cli_usage("export", "expected one of --run ID and --sweep ID");
    if (summary && !sweep)
        return cli_usage("export", "--summary goes with --sweep");
    if (!format)
        return cli_usage("export", "missing --format csv|json");
    if (strcmp(format, "csv") == 0)
        fmt = EXPORT_CSV;
    else if (strcmp(format, "json") == 0)
        fmt = EXPORT_JSON;
    else
        return cli_usage("export", "--format: expected csv or json, found '%s'", format);
    db = cli_db_path(db);
    if (access(db, F_OK) != 0) {
        error_set(&err, HI_EINPUT, "%s: no such database", db);
        return cli_fail(&err);
    }
    if (!(st = store_open(db, 0, &err)))
        return cli_fail(&err);
    if (sweep) {
        if (sweepdata_load(st, sweep, &d, &err))
            goto fail;
        have_data = 1;
    } else {
        struct store_loaded r;
        if (store_load_run(st, run, &r, &err))   /* a missing run writes nothing */
            goto fail;
        store_loaded_free(&r);
    }
    /* no -o, or "-": standard output, every write checked at the end */
    to_stdout = !path || strcmp(path, "-") == 0;
    if (to_stdout) {
        memset(&out, 0, sizeof out);
        out.f = stdout;
    } else if (outfile_open(&out, path, &err)) {
        goto fail;
    }
    if (sweep)
        rc = summary ? export_summary(out.f, &d, fmt, &err) : export_sweep(out.f, &d, fmt, &err);
    else
        rc = export_run(out.f, st, run, fmt, &err);
    if (rc) {
        if (!to_stdout)
            outfile_abort(&out);
        goto fail;
    }
    /* standard output: a failed write is main's finish_stdout's to report */
    if (!to_stdout && outfile_commit(&out, &err))
        goto fail;
    if (have_data)
        sweepdata_free(&d);
    store_close(st);
    return 0;
fail:
    if (have_data)
        sweepdata_free(&d);
    store_close(st);
    return cli_fail(&err);
}
