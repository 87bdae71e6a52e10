/* plot.c — gnuplot through a pipe, and the reliability statistics. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include "analysis/plot.h"

#include "analysis/outfile.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef HISIM_GNUPLOT_DEFAULT
#define HISIM_GNUPLOT_DEFAULT "gnuplot"
#endif

/* ---- reliability ---- */

size_t
plot_bin_of(double p, size_t nbins)
{
    double x = p * (double)nbins;
    size_t b = x <= 0.0 ? 0 : x >= (double)nbins ? nbins - 1 : (size_t)x;
    /* p·N can round across an edge; the edges b/N decide */
    if (b + 1 < nbins && p >= (double)(b + 1) / (double)nbins)
        b++;
    else if (b > 0 && p < (double)b / (double)nbins)
        b--;
    return b;
}

void
plot_reliability(const struct hi_trace *t, size_t nbins, struct plot_bin *bins, double *ece)
{
    size_t i, b;
    double sum = 0.0;

    assert(nbins >= 1 && nbins <= PLOT_MAX_BINS);
    for (b = 0; b < nbins; b++) {
        bins[b].lo = (double)b / (double)nbins;
        bins[b].hi = (double)(b + 1) / (double)nbins;
        bins[b].count = 0;
        bins[b].conf = 0.0;
        bins[b].acc = 0.0;
    }
    for (i = 0; i < t->n; i++) {
        double p = t->sml_conf[i];
        assert(p >= 0.0 && p <= 1.0);
        b = plot_bin_of(p, nbins);
        bins[b].count++;
        bins[b].conf += p;
        bins[b].acc += t->y_sml[i] ? 0.0 : 1.0;
    }
    for (b = 0; b < nbins; b++) {
        if (bins[b].count == 0) {
            bins[b].conf = bins[b].acc = NAN;
            continue;
        }
        bins[b].conf /= (double)bins[b].count;
        bins[b].acc /= (double)bins[b].count;
        sum += (double)bins[b].count * fabs(bins[b].acc - bins[b].conf);
    }
    *ece = t->n ? sum / (double)t->n : 0.0;
}

/* ---- gnuplot ---- */

int
plot_format_of(const char *path, enum plot_format *fmt, struct hi_error *err)
{
    const char *dot = strrchr(path, '.');
    if (dot && strchr(dot, '/') == NULL) {
        if (strcasecmp(dot, ".png") == 0) { *fmt = PLOT_PNG; return HI_OK; }
        if (strcasecmp(dot, ".svg") == 0) { *fmt = PLOT_SVG; return HI_OK; }
        if (strcasecmp(dot, ".pdf") == 0) { *fmt = PLOT_PDF; return HI_OK; }
    }
    return error_set(err, HI_EINPUT, "%s: unknown figure format (expected a .png, .svg or .pdf file)", path);
}

static int
is_executable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int
plot_find_gnuplot(char *buf, size_t len, struct hi_error *err)
{
    const char *env = getenv("HISIM_GNUPLOT");
    const char *name = env && *env ? env : HISIM_GNUPLOT_DEFAULT;
    const char *path = getenv("PATH"), *p;

    if (strchr(name, '/')) {
        if (is_executable(name) && (size_t)snprintf(buf, len, "%s", name) < len)
            return HI_OK;
    } else {
        for (p = path && *path ? path : "/usr/bin:/bin"; p;) {
            const char *colon = strchr(p, ':');
            size_t dl = colon ? (size_t)(colon - p) : strlen(p);
            if ((size_t)snprintf(buf, len, "%.*s%s%s", (int)dl, dl ? p : ".", "/", name) < len &&
                is_executable(buf))
                return HI_OK;
            p = colon ? colon + 1 : NULL;
        }
    }
    if (env && *env)
        return error_set(err, HI_EINPUT, "gnuplot not found: HISIM_GNUPLOT='%s' is not an executable", env);
    return error_set(err, HI_EINPUT,
                     "gnuplot not found on PATH (install gnuplot, or set HISIM_GNUPLOT to its path)");
}

struct plot {
    FILE *script;
    pid_t pid;
    enum plot_format fmt;
    char *path;                 /* the target */
    char *tmp;                  /* what gnuplot writes (analysis/outfile.h) */
    struct sigaction old_pipe;  /* restored by plot_close */
};

void
plot_quote(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', f);      /* '' is a quote inside '...' */
        if (*s != '\n' && *s != '\r')
            fputc(*s, f);
    }
    fputc('\'', f);
}

static const char *const terminals[] = {
    /* PLOT_PNG */
    "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
    "    set terminal pngcairo size 800,600 font ',11'\n"
    "} else {\n"
    "    set terminal png size 800,600\n"
    "}\n",
    /* PLOT_SVG */
    "set terminal svg size 800,600 font ',11' background rgb 'white'\n",
    /* PLOT_PDF */
    "set terminal pdfcairo size 5in,3.75in font ',9'\n",
};

struct plot *
plot_open(const char *path, struct hi_error *err)
{
    char exe[4096];
    enum plot_format fmt;
    struct plot *pl = NULL;
    struct sigaction ign;
    int fds[2] = {-1, -1};

    if (plot_format_of(path, &fmt, err) || plot_find_gnuplot(exe, sizeof exe, err))
        return NULL;
    pl = calloc(1, sizeof *pl);
    if (!pl || !(pl->path = strdup(path)))
        goto oom;
    pl->fmt = fmt;
    if (outfile_temp(path, &pl->tmp, err))
        goto fail;
    if (pipe(fds) != 0) {
        error_set(err, HI_EINTERNAL, "cannot start gnuplot: pipe: %s", strerror(errno));
        goto fail;
    }
    fflush(NULL);
    pl->pid = fork();
    if (pl->pid < 0) {
        error_set(err, HI_EINTERNAL, "cannot start gnuplot: fork: %s", strerror(errno));
        goto fail;
    }
    if (pl->pid == 0) {
        char *argv[] = {exe, NULL};
        dup2(fds[0], STDIN_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(exe, argv);
        _exit(127);
    }
    close(fds[0]);
    fds[0] = -1;
    pl->script = fdopen(fds[1], "w");
    if (!pl->script) {
        error_set(err, HI_EINTERNAL, "cannot start gnuplot: %s", strerror(errno));
        goto fail;
    }
    fds[1] = -1;
    /* a gnuplot that dies early must give an error, not kill hisim */
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ign, &pl->old_pipe);

    fputs(terminals[fmt], pl->script);
    fputs("set output ", pl->script);
    plot_quote(pl->script, pl->tmp);
    fputc('\n', pl->script);
    return pl;

oom:
    error_set(err, HI_EINTERNAL, "out of memory");
fail:
    if (fds[0] >= 0)
        close(fds[0]);
    if (fds[1] >= 0)
        close(fds[1]);
    if (pl) {
        if (pl->pid > 0)
            waitpid(pl->pid, NULL, 0);
        outfile_discard(pl->tmp);
        free(pl->path);
        free(pl);
    }
    return NULL;
}

FILE *
plot_script(struct plot *pl)
{
    return pl->script;
}

/* Whether the file gnuplot wrote is a whole figure: gnuplot exits 0 even
 * when its output could not be written (a full disk), so the file's
 * ending is checked — a PNG's IEND chunk, an SVG's closing tag, a PDF's
 * %%EOF. */
static int
figure_complete(const char *path, enum plot_format fmt)
{
    static const unsigned char iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
    unsigned char tail[64], head[8];
    FILE *f = fopen(path, "rb");
    long size;
    size_t got, i;
    int ok = 0;

    if (!f)
        return 0;
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 16 || fseek(f, 0, SEEK_SET) != 0
        || fread(head, 1, sizeof head, f) != sizeof head
        || fseek(f, size > (long)sizeof tail ? size - (long)sizeof tail : 0, SEEK_SET) != 0) {
        fclose(f);
        return 0;
    }
    got = fread(tail, 1, sizeof tail, f);
    fclose(f);
    switch (fmt) {
    case PLOT_PNG:
        ok = memcmp(head, "\x89PNG\r\n\x1a\n", 8) == 0 && got >= 12 && memcmp(tail + got - 12, iend, 12) == 0;
        break;
    case PLOT_SVG:
        for (i = 0; i + 6 <= got; i++)
            if (memcmp(tail + i, "</svg>", 6) == 0)
                ok = 1;
        break;
    case PLOT_PDF:
        ok = memcmp(head, "%PDF", 4) == 0;
        for (i = 0; ok && i + 5 <= got; i++)
            if (memcmp(tail + i, "%%EOF", 5) == 0)
                break;
        ok = ok && i + 5 <= got;
        break;
    }
    return ok;
}

int
plot_close(struct plot *pl, struct hi_error *err)
{
    int status = 0, werr, rc = HI_OK;
    struct stat st;
    pid_t w;

    fputs("unset output\n", pl->script);
    werr = ferror(pl->script);
    if (fclose(pl->script) != 0)
        werr = 1;
    do
        w = waitpid(pl->pid, &status, 0);
    while (w < 0 && errno == EINTR);
    sigaction(SIGPIPE, &pl->old_pipe, NULL);

    if (w < 0)
        rc = error_set(err, HI_EINTERNAL, "gnuplot: wait failed: %s", strerror(errno));
    else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        rc = error_set(err, HI_EINPUT, "gnuplot could not be started");
    else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        rc = error_set(err, HI_EINTERNAL, "gnuplot failed (%s %d) drawing %s",
                       WIFEXITED(status) ? "exit status" : "signal",
                       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), pl->path);
    else if (werr)
        rc = error_set(err, HI_EINTERNAL, "gnuplot: writing the script failed");
    else if (stat(pl->tmp, &st) != 0 || st.st_size == 0)
        rc = error_set(err, HI_EINTERNAL, "gnuplot wrote nothing to %s", pl->path);
    else if (!figure_complete(pl->tmp, pl->fmt))
        rc = error_set(err, HI_EINTERNAL, "%s: gnuplot wrote an incomplete figure (disk full?); nothing was kept",
                       pl->path);
    if (rc)
        outfile_discard(pl->tmp);
    else
        rc = outfile_install(pl->tmp, pl->path, err);   /* renamed, or copied into a special file */
    free(pl->path);
    free(pl);
    return rc;
}

int
plot_reliability_draw(const struct plot_bin *bins, size_t nbins, double ece, size_t n,
                      const char *title, const char *path, struct hi_error *err)
{
    struct plot *pl = plot_open(path, err);
    char line[256];
    FILE *f;
    size_t b;

    if (!pl)
        return err ? err->status : HI_EINTERNAL;
    f = plot_script(pl);
    fputs("set title ", f);
    snprintf(line, sizeof line, "Reliability: %s (ECE %.4f, %zu bins, n = %zu)", title ? title : "S-ML", ece,
             nbins, n);
    plot_quote(f, line);
    fputs(" noenhanced\n"
          "set xlabel 'confidence p (S-ML max softmax)'\n"
          "set ylabel 'accuracy'\n"
          "set y2label 'share of samples'\n"
          "set xrange [0:1]\n"
          "set yrange [0:1]\n"
          "set y2range [0:1]\n"
          "set xtics 0.1\n"
          "set ytics 0.1 nomirror\n"
          "set y2tics 0.2\n"
          "set grid xtics ytics\n"
          "set key top left box opaque\n"
          "set style fill solid 0.55 border rgb '#1f3d7a'\n"
          "$bins << EOD\n"
          "# lo hi count conf acc share\n",
          f);
    for (b = 0; b < nbins; b++)
        if (bins[b].count)
            fprintf(f, "%.17g %.17g %zu %.17g %.17g %.17g\n", bins[b].lo, bins[b].hi, bins[b].count,
                    bins[b].conf, bins[b].acc, (double)bins[b].count / (double)(n ? n : 1));
    fputs("EOD\n"
          "plot $bins using (($1+$2)/2):5:($2-$1) with boxes lc rgb '#4a78c8' title 'accuracy', \\\n"
          "     $bins using (($1+$2)/2):6:(($2-$1)*0.3) axes x1y2 with boxes fs solid 0.35 noborder"
          " lc rgb '#808080' title 'share of samples', \\\n"
          "     $bins using 4:5 with points pt 7 ps 1.2 lc rgb '#c0392b' title 'bin (mean confidence, accuracy)', \\\n"
          "     x with lines dt 2 lw 1.5 lc rgb '#333333' title 'perfect calibration'\n",
          f);
    return plot_close(pl, err);
}
