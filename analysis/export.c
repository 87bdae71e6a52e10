/* export.c — runs and sweeps as CSV or JSON (export.h). */
#include "analysis/export.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "sim/json.h"

void
export_csv_field(FILE *f, const char *s)
{
    const char *p;
    if (!s[strcspn(s, ",\"\r\n")] && s[0] != ' ' && (!*s || s[strlen(s) - 1] != ' ')) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (p = s; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

static void
csv_number(FILE *f, double v)
{
    char b[40];
    if (isnan(v) || isinf(v))
        return;      /* missing: an empty field */
    json_format_number(b, sizeof b, v);
    fputs(b, f);
}

static void
json_axis(struct json *j, const struct sweepdata *d, size_t row, size_t k)
{
    const char *v = sweepdata_value(d, row, k);
    json_key(j, d->keys[k]);
    if (sweepdata_value_numeric(d, row, k))
        json_raw(j, v);
    else
        json_string(j, v);
}

/* One JSON value per line, inside one array. */
static int
json_line(FILE *f, struct json *j, int first, struct hi_error *err)
{
    char *s = json_take(j);
    if (!s)
        return error_set(err, HI_EINTERNAL, "out of memory");
    fprintf(f, "%s%s", first ? "[" : ",\n", s);
    free(s);
    return HI_OK;
}

static int
check(FILE *f, struct hi_error *err)
{
    if (ferror(f))
        return error_set(err, HI_EINTERNAL, "write error");
    return HI_OK;
}

int
export_sweep(FILE *f, const struct sweepdata *d, enum export_format fmt, struct hi_error *err)
{
    size_t r, k;
    if (fmt == EXPORT_CSV) {
        fputs("sweep,point", f);
        for (k = 0; k < d->n_keys; k++) {
            fputc(',', f);
            export_csv_field(f, d->keys[k]);
        }
        fputs(",replication,seed", f);
        for (k = 0; k < d->n_metrics; k++) {
            fputc(',', f);
            export_csv_field(f, d->metrics[k]);
        }
        fputc('\n', f);
        for (r = 0; r < d->n_rows; r++) {
            const struct sweepdata_row *row = &d->rows[r];
            fprintf(f, "%lld,%s", (long long)d->info.id, row->point);
            for (k = 0; k < d->n_keys; k++) {
                fputc(',', f);
                export_csv_field(f, sweepdata_value(d, r, k));
            }
            fprintf(f, ",%zu,%llu", row->replication, (unsigned long long)row->seed);
            for (k = 0; k < d->n_metrics; k++) {
                fputc(',', f);
                csv_number(f, d->m[r * d->n_metrics + k]);
            }
            fputc('\n', f);
        }
        return check(f, err);
    }
    for (r = 0; r < d->n_rows; r++) {
        const struct sweepdata_row *row = &d->rows[r];
        struct json j;
        json_init(&j);
        json_object_begin(&j);
        json_key(&j, "sweep");
        json_integer(&j, d->info.id);
        json_key(&j, "point");
        json_string(&j, row->point);
        for (k = 0; k < d->n_keys; k++)
            json_axis(&j, d, r, k);
        json_key(&j, "replication");
        json_integer(&j, (long long)row->replication);
        json_key(&j, "seed");
        json_integer(&j, (long long)row->seed);
        for (k = 0; k < d->n_metrics; k++) {
            json_key(&j, d->metrics[k]);
            json_number(&j, d->m[r * d->n_metrics + k]);
        }
        json_object_end(&j);
        if (json_line(f, &j, r == 0, err))
            return err->status;
    }
    fputs(d->n_rows ? "]\n" : "[]\n", f);
    return check(f, err);
}

int
export_summary(FILE *f, const struct sweepdata *d, enum export_format fmt, struct hi_error *err)
{
    static const char *const parts[] = {"mean", "sd", "ci95"};
    struct sweepdata_point *pts;
    size_t n_pts, i, k, q;
    if (sweepdata_points(d, &pts, &n_pts, err))
        return err->status;
    if (fmt == EXPORT_CSV) {
        fputs("sweep,point", f);
        for (k = 0; k < d->n_keys; k++) {
            fputc(',', f);
            export_csv_field(f, d->keys[k]);
        }
        fputs(",n", f);
        for (k = 0; k < d->n_metrics; k++)
            for (q = 0; q < 3; q++) {
                char name[200];
                snprintf(name, sizeof name, "%s_%s", d->metrics[k], parts[q]);
                fputc(',', f);
                export_csv_field(f, name);
            }
        fputc('\n', f);
    }
    for (i = 0; i < n_pts; i++) {
        size_t row = pts[i].first;
        struct json j;
        if (fmt == EXPORT_CSV) {
            fprintf(f, "%lld,%s", (long long)d->info.id, d->rows[row].point);
            for (k = 0; k < d->n_keys; k++) {
                fputc(',', f);
                export_csv_field(f, sweepdata_value(d, row, k));
            }
            fprintf(f, ",%zu", pts[i].n);
        } else {
            json_init(&j);
            json_object_begin(&j);
            json_key(&j, "sweep");
            json_integer(&j, d->info.id);
            json_key(&j, "point");
            json_string(&j, d->rows[row].point);
            for (k = 0; k < d->n_keys; k++)
                json_axis(&j, d, row, k);
            json_key(&j, "n");
            json_integer(&j, (long long)pts[i].n);
        }
        for (k = 0; k < d->n_metrics; k++) {
            struct sweepdata_stat s;
            double v[3];
            sweepdata_stat(d, &pts[i], k, &s);
            v[0] = s.mean;
            v[1] = s.sd;
            v[2] = s.ci95;
            for (q = 0; q < 3; q++) {
                if (fmt == EXPORT_CSV) {
                    fputc(',', f);
                    csv_number(f, v[q]);
                } else {
                    char name[200];
                    snprintf(name, sizeof name, "%s_%s", d->metrics[k], parts[q]);
                    json_key(&j, name);
                    json_number(&j, v[q]);
                }
            }
        }
        if (fmt == EXPORT_CSV) {
            fputc('\n', f);
        } else {
            json_object_end(&j);
            if (json_line(f, &j, i == 0, err)) {
                free(pts);
                return err->status;
            }
        }
    }
    if (fmt == EXPORT_JSON)
        fputs(n_pts ? "]\n" : "[]\n", f);
    free(pts);
    return check(f, err);
}

int
export_run(FILE *f, struct store *st, int64_t id, enum export_format fmt, struct hi_error *err)
{
    struct store_loaded r;
    char **names = NULL;
    size_t n_names = 0, i, k;
    int rc = HI_OK;
    struct json j;

    if (store_load_run(st, id, &r, err))
        return err->status;
    if (store_series_names(st, id, &names, &n_names, err)) {
        rc = err->status;
        goto out;
    }
    if (fmt == EXPORT_CSV) {
        fprintf(f, "# run: %lld\n# name: %s\n# policy: %s\n# seed: %llu\n# rng: %s\n# version: %s\n"
                   "# started: %s\n# finished: %s\n",
                (long long)r.id, r.name, r.policy, (unsigned long long)r.seed, r.rng, r.version, r.started, r.finished);
        for (i = 0; i < r.n_metrics; i++) {
            fprintf(f, "# %s: ", r.metrics[i].name);
            if (isfinite(r.metrics[i].value))
                csv_number(f, r.metrics[i].value);
            else
                fputs("nan", f);
            fputc('\n', f);
        }
        fputs("series,idx,x,y\n", f);
    } else {
        json_init(&j);
        json_object_begin(&j);
        json_key(&j, "run_id");
        json_integer(&j, r.id);
        json_key(&j, "name");
        json_string(&j, r.name);
        json_key(&j, "scenario");
        json_string(&j, r.scenario);
        json_key(&j, "policy");
        json_string(&j, r.policy);
        json_key(&j, "seed");
        json_integer(&j, (long long)r.seed);
        json_key(&j, "rng");
        json_string(&j, r.rng);
        json_key(&j, "version");
        json_string(&j, r.version);
        json_key(&j, "started");
        json_string(&j, r.started);
        json_key(&j, "finished");
        json_string(&j, r.finished);
        json_key(&j, "metrics");
        json_object_begin(&j);
        for (i = 0; i < r.n_metrics; i++) {
            json_key(&j, r.metrics[i].name);
            json_number(&j, r.metrics[i].value);
        }
        json_object_end(&j);
        json_key(&j, "config");
        json_raw(&j, r.config[0] ? r.config : "{}");
        json_key(&j, "series");
        json_object_begin(&j);
    }
    for (i = 0; i < n_names; i++) {
        double *x, *y;
        size_t n;
        if (store_load_series(st, id, names[i], &x, &y, &n, err)) {
            rc = err->status;
            goto out_json;
        }
        if (fmt == EXPORT_CSV) {
            for (k = 0; k < n; k++) {
                export_csv_field(f, names[i]);
                fprintf(f, ",%zu,", k);
                csv_number(f, x[k]);
                fputc(',', f);
                csv_number(f, y[k]);
                fputc('\n', f);
            }
        } else {
            json_key(&j, names[i]);
            json_object_begin(&j);
            json_key(&j, "x");
            json_array_begin(&j);
            for (k = 0; k < n; k++)
                json_number(&j, x[k]);
            json_array_end(&j);
            json_key(&j, "y");
            json_array_begin(&j);
            for (k = 0; k < n; k++)
                json_number(&j, y[k]);
            json_array_end(&j);
            json_object_end(&j);
        }
        free(x);
        free(y);
    }
out_json:
    if (fmt == EXPORT_JSON) {
        char *s;
        json_object_end(&j);
        json_object_end(&j);
        s = json_take(&j);
        if (!rc && !s)
            rc = error_set(err, HI_EINTERNAL, "out of memory");
        if (!rc)
            fprintf(f, "%s\n", s);
        free(s);
    }
    if (!rc)
        rc = check(f, err);
out:
    for (i = 0; i < n_names; i++)
        free(names[i]);
    free(names);
    store_loaded_free(&r);
    return rc;
}
