/* sweepmpi.c — the MPI executor of sweeps (sweepmpi.h). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#define _GNU_SOURCE
#include "analysis/sweepmpi.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int
sweepmpi_launched(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS", NULL};
    size_t i;
    for (i = 0; vars[i]; i++)
        if (getenv(vars[i]))
            return 1;
    return 0;
}

#ifndef HAVE_MPI

int sweepmpi_built(void) { return 0; }

int
sweepmpi_init(int *argc, char ***argv, int *rank, int *size, struct hi_error *err)
{
    (void)argc;
    (void)argv;
    *rank = 0;
    *size = 1;
    return error_set(err, HI_EINPUT, "hisim was built without MPI (./configure --with-mpi)");
}

void sweepmpi_finalize(void) {}

struct sweepmpi *
sweepmpi_exec_new(int size, struct sweeprun_exec *exec, struct hi_error *err)
{
    (void)size;
    (void)exec;
    error_set(err, HI_EINPUT, "hisim was built without MPI (./configure --with-mpi)");
    return NULL;
}

void sweepmpi_exec_free(struct sweepmpi *m) { (void)m; }
void sweepmpi_stop_all(int size) { (void)size; }
void sweepmpi_serve(const struct sweep *sw, const char *load_error) { (void)sw; (void)load_error; }

#else

#include <mpi.h>

enum { TAG_JOB = 1, TAG_STOP = 2, TAG_RESULT = 3 };

int sweepmpi_built(void) { return 1; }

int
sweepmpi_init(int *argc, char ***argv, int *rank, int *size, struct hi_error *err)
{
    if (MPI_Init(argc, argv) != MPI_SUCCESS)
        return error_set(err, HI_EINTERNAL, "MPI_Init failed");
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
    return HI_OK;
}

void
sweepmpi_finalize(void)
{
    MPI_Finalize();
}

struct pending {
    uint64_t v[3];   /* point, replication, seed */
};

struct sweepmpi {
    int size;
    int *busy;                 /* per rank: a job is out */
    struct pending *q;         /* jobs waiting for an idle rank */
    size_t q_head, q_len, q_cap;
};

static int
send_job(int rank, const struct pending *j)
{
    return MPI_Send(j->v, 3, MPI_UINT64_T, rank, TAG_JOB, MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : -1;
}

static int
idle_rank(const struct sweepmpi *m)
{
    int r;
    for (r = 1; r < m->size; r++)
        if (!m->busy[r])
            return r;
    return 0;
}

static int
mpi_submit(void *ctx, size_t point, size_t rep, uint64_t seed)
{
    struct sweepmpi *m = ctx;
    struct pending j = {{point, rep, seed}};
    int r = idle_rank(m);
    if (r) {
        m->busy[r] = 1;
        return send_job(r, &j) ? HI_EINTERNAL : HI_OK;
    }
    if (m->q_len == m->q_cap) {
        size_t cap = m->q_cap ? 2 * m->q_cap : 1024, i;
        struct pending *q = malloc(cap * sizeof *q);
        if (!q)
            return HI_EINTERNAL;
        for (i = 0; i < m->q_len; i++)
            q[i] = m->q[(m->q_head + i) % m->q_cap];
        free(m->q);
        m->q = q;
        m->q_cap = cap;
        m->q_head = 0;
    }
    m->q[(m->q_head + m->q_len) % m->q_cap] = j;
    m->q_len++;
    return HI_OK;
}

/* Receives one result from any rank (polling, so that rank 0 does not
 * spin a core that a worker could use). */
static struct sweeprun_result *
receive(struct sweepmpi *m, int *from)
{
    struct timespec nap = {0, 200000};
    struct sweeprun_result *res;
    MPI_Status status;
    char *buf;
    int flag = 0, count;
    for (;;) {
        if (MPI_Iprobe(MPI_ANY_SOURCE, TAG_RESULT, MPI_COMM_WORLD, &flag, &status) != MPI_SUCCESS)
            return NULL;
        if (flag)
            break;
        nanosleep(&nap, NULL);
    }
    MPI_Get_count(&status, MPI_BYTE, &count);
    if (count < (int)sizeof *res || !(buf = malloc((size_t)count)))
        return NULL;
    if (MPI_Recv(buf, count, MPI_BYTE, status.MPI_SOURCE, TAG_RESULT, MPI_COMM_WORLD, MPI_STATUS_IGNORE)
        != MPI_SUCCESS || !(res = malloc(sizeof *res))) {
        free(buf);
        return NULL;
    }
    /* the result, its per-device figures, a cluster run's packed figures,
     * then the configuration text */
    memcpy(res, buf, sizeof *res);
    res->config = NULL;
    res->run.devices = NULL;
    res->extra = NULL;
    {
        size_t dev = res->run.n_devices * sizeof *res->run.devices, off = sizeof *res + dev + res->n_extra;
        if ((size_t)count < off || res->n_extra > (size_t)count) {
            free(buf);
            free(res);
            return NULL;
        }
        if (dev && (res->run.devices = malloc(dev)))
            memcpy(res->run.devices, buf + sizeof *res, dev);
        else if (dev)
            res->run.n_devices = 0;
        if (res->n_extra && (res->extra = malloc(res->n_extra)))
            memcpy(res->extra, buf + sizeof *res + dev, res->n_extra);
        else
            res->n_extra = 0;   /* the coordinator reports the run without its figures */
        if ((size_t)count > off) {
            buf[count - 1] = '\0';
            res->config = strdup(buf + off);
        }
    }
    free(buf);
    *from = status.MPI_SOURCE;
    m->busy[*from] = 0;
    return res;
}

static struct sweeprun_result *
mpi_wait(void *ctx)
{
    struct sweepmpi *m = ctx;
    int from = 0;
    struct sweeprun_result *res = receive(m, &from);
    if (res && m->q_len) {
        struct pending j = m->q[m->q_head];
        m->q_head = (m->q_head + 1) % m->q_cap;
        m->q_len--;
        m->busy[from] = 1;
        if (send_job(from, &j)) {
            sweeprun_result_free(res);
            return NULL;
        }
    }
    return res;
}

static size_t
mpi_cancel(void *ctx)
{
    struct sweepmpi *m = ctx;
    size_t n = m->q_len;
    m->q_len = 0;
    return n;
}

struct sweepmpi *
sweepmpi_exec_new(int size, struct sweeprun_exec *exec, struct hi_error *err)
{
    struct sweepmpi *m = calloc(1, sizeof *m);
    if (!m || !(m->busy = calloc((size_t)size, sizeof *m->busy))) {
        free(m);
        error_set(err, HI_EINTERNAL, "out of memory");
        return NULL;
    }
    m->size = size;
    exec->ctx = m;
    exec->submit = mpi_submit;
    exec->wait = mpi_wait;
    exec->cancel = mpi_cancel;
    return m;
}

void
sweepmpi_stop_all(int size)
{
    int r;
    for (r = 1; r < size; r++)
        MPI_Send(NULL, 0, MPI_BYTE, r, TAG_STOP, MPI_COMM_WORLD);
}

void
sweepmpi_exec_free(struct sweepmpi *m)
{
    int r, from;
    if (!m)
        return;
    m->q_len = 0;
    /* a worker still computing would block in its send: take its result */
    for (r = 1; r < m->size; r++)
        while (m->busy[r]) {
            struct sweeprun_result *res = receive(m, &from);
            if (!res)
                break;
            sweeprun_result_free(res);
        }
    sweepmpi_stop_all(m->size);
    free(m->q);
    free(m->busy);
    free(m);
}

void
sweepmpi_serve(const struct sweep *sw, const char *load_error)
{
    static struct sweeprun_result one;   /* a rank serves one job at a time */
    struct sweeprun_result *res = &one;
    for (;;) {
        uint64_t v[3];
        MPI_Status status;
        size_t len;
        char *buf;
        if (MPI_Recv(v, 3, MPI_UINT64_T, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &status) != MPI_SUCCESS
            || status.MPI_TAG != TAG_JOB)
            break;
        if (sw && v[0] < sw->n_points) {
            sweeprun_job(sw, (size_t)v[0], (size_t)v[1], v[2], res);
        } else {
            memset(res, 0, sizeof *res);
            res->point = (size_t)v[0];
            res->rep = (size_t)v[1];
            res->seed = v[2];
            res->status = HI_EINPUT;
            snprintf(res->error, sizeof res->error, "%s", load_error ? load_error : "point out of range");
        }
        {
            size_t dev = res->run.devices ? res->run.n_devices * sizeof *res->run.devices : 0;
            if (!res->run.devices)
                res->run.n_devices = 0;
            if (!res->extra)
                res->n_extra = 0;
            len = sizeof *res + dev + res->n_extra + (res->config ? strlen(res->config) + 1 : 0);
            buf = malloc(len);
            if (!buf) {
                /* report the failure without the figures */
                res->status = HI_EINTERNAL;
                snprintf(res->error, sizeof res->error, "out of memory on rank");
                res->run.n_devices = 0;
                res->n_extra = 0;
                MPI_Send(res, (int)sizeof *res, MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD);
            } else {
                memcpy(buf, res, sizeof *res);
                if (dev)
                    memcpy(buf + sizeof *res, res->run.devices, dev);
                if (res->n_extra)
                    memcpy(buf + sizeof *res + dev, res->extra, res->n_extra);
                if (res->config)
                    memcpy(buf + sizeof *res + dev + res->n_extra, res->config, strlen(res->config) + 1);
                MPI_Send(buf, (int)len, MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD);
                free(buf);
            }
        }
        free(res->config);
        res->config = NULL;
        free(res->extra);
        res->extra = NULL;
        res->n_extra = 0;
        engine_result_free(&res->run);
    }
}

#endif
