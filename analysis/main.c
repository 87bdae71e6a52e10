/*
 * main.c — `hisim VERB ...`: dispatch, help, and what the verbs share.
 */
#include "analysis/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#include "analysis/version.h"
#include "policies/policy.h"
#include "sim/config.h"

const char *const cli_version = HISIM_VERSION;

static const char usage[] =
    "usage: hisim VERB [ARGS]\n"
    "\n"
    "hisim simulates hierarchical inference at the network edge: an edge device\n"
    "runs a small model on every sample and accepts its answer or offloads the\n"
    "sample to a large model on an edge server.  It replays recorded traces\n"
    "through decision policies on a discrete-event simulator and stores runs\n"
    "in SQLite.\n"
    "\n"
    "verbs:\n"
    "  run SCENARIO.yaml   simulate a scenario, store and print the run\n"
    "  runs                list stored runs\n"
    "  show RUN_ID         print a stored run\n"
    "  trace info TRACE    summarise a trace: accuracies, lambda_min, theta*\n"
    "  help [TOPIC]        help on a verb, or on 'scenario' keys and 'policies'\n"
    "\n"
    "options: --help, --version.  Exit status: 0 success, 2 bad input or usage,\n"
    "1 internal failure.  Documentation: docs/ and man hisim.\n";

struct help_topic {
    const char *name;
    const char *text;
};

static const struct help_topic topics[] = {
    {"run",
     "usage: hisim run SCENARIO.yaml [-s key.path=value]... [--db PATH]\n"
     "                 [--samples-log FILE.csv] [--json]\n"
     "\n"
     "Simulates the scenario and prints accuracy, offloaded fraction, total and\n"
     "mean cost, makespan, mean and p95 response time and device energy.  The\n"
     "run is stored in the database with its effective configuration and its id\n"
     "is printed.\n"
     "\n"
     "  -s, --set key.path=value  override a scenario key (repeatable; applied\n"
     "                            in order after the file); see 'hisim help scenario'\n"
     "  --db PATH                 database (default $HISIM_DB, else ./hisim.db)\n"
     "  --samples-log FILE.csv    one row per sample: idx,id,p,q_off,offload,\n"
     "                            y_sml,y_lml,cost,response_ms\n"
     "  --json                    print the summary as one JSON object\n"
     "\n"
     "example:\n"
     "  hisim run scenarios/quickstart.yaml -s policy.theta=0.6 -s cost.beta=0.3\n"},
    {"runs",
     "usage: hisim runs [--db PATH] [--json]\n"
     "\n"
     "Lists the stored runs: id, start time, name, status, version, policy.\n"},
    {"show",
     "usage: hisim show RUN_ID [--db PATH] [--json]\n"
     "\n"
     "Prints a stored run: its summary, seed, times, version and the effective\n"
     "configuration it ran with.\n"},
    {"trace",
     "usage: hisim trace info TRACE.csv [--beta B] [--lml-error C] [--json]\n"
     "\n"
     "Prints the number of samples, S-ML and L-ML accuracy, lambda_min (the\n"
     "smallest gap between distinct confidences, 0 and 1), and the optimal fixed\n"
     "threshold theta* with its total cost, from an exact search over every\n"
     "breakpoint.  --beta (default 0.5) and --lml-error (default 0) set the cost.\n"},
    {NULL, NULL},
};

int
cli_help(const char *verb, FILE *f)
{
    size_t i;
    if (strcmp(verb, "scenario") == 0) {
        fputs("Scenario keys (YAML sections, or -s key.path=value); times in ms,\n"
              "rates in Mbit/s, energy in mJ.  Details: docs/scenarios.md.\n\n", f);
        for (i = 0; i < config_n_keys; i++)
            fprintf(f, "  %-26s %s\n  %-26s default: %s\n", config_keys[i].path, config_keys[i].doc, "",
                    config_keys[i].def[0] ? config_keys[i].def : "(empty)");
        return 0;
    }
    if (strcmp(verb, "policies") == 0) {
        fputs("Policies (policy.name):\n\n", f);
        for (i = 0; policy_types[i]; i++)
            fprintf(f, "  %-18s %s\n", policy_types[i]->name, policy_types[i]->summary);
        return 0;
    }
    for (i = 0; topics[i].name; i++)
        if (strcmp(topics[i].name, verb) == 0) {
            fputs(topics[i].text, f);
            return 0;
        }
    return -1;
}

int
cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stdout);
        return 0;
    }
    if (cli_help(argv[1], stdout))
        return cli_usage("help", "no help on '%s' (topics: run runs show trace scenario policies)", argv[1]);
    return 0;
}

int
cli_fail(const struct hi_error *err)
{
    fprintf(stderr, "hisim: %s\n", err->msg[0] ? err->msg : "unknown error");
    return err->status == HI_EINPUT ? EXIT_INPUT : EXIT_INTERNAL;
}

int
cli_usage(const char *verb, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "hisim %s: ", verb);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see 'hisim help %s')\n", strchr(verb, ' ') ? "trace" : verb);
    return EXIT_INPUT;
}

const char *
cli_db_path(const char *flag)
{
    const char *env = getenv("HISIM_DB");
    if (flag)
        return flag;
    return env && *env ? env : "hisim.db";
}

void
cli_now(char *buf, size_t len)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
cli_parse_id(const char *s, long long *id)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v <= 0)
        return -1;
    *id = v;
    return 0;
}

int
main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } verbs[] = {
        {"run", cmd_run}, {"runs", cmd_runs}, {"show", cmd_show},
        {"trace", cmd_trace}, {"help", cmd_help},
    };
    const char *names[sizeof verbs / sizeof verbs[0]];
    const char *near;
    size_t i;

    gsl_set_error_handler_off();  /* GSL status codes are checked instead */
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_INPUT;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("hisim %s\n", cli_version);
        return 0;
    }
    for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
        if (strcmp(argv[1], verbs[i].name) == 0)
            return verbs[i].fn(argc - 1, argv + 1);
        names[i] = verbs[i].name;
    }
    near = error_closest(argv[1], names, sizeof verbs / sizeof verbs[0]);
    if (near)
        fprintf(stderr, "hisim: unknown verb '%s' (did you mean '%s'?); see 'hisim --help'\n", argv[1], near);
    else
        fprintf(stderr, "hisim: unknown verb '%s'; see 'hisim --help'\n", argv[1]);
    return EXIT_INPUT;
}
