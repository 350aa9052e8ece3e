/*
 * pgclient: the direct reference of the benchmark (docs/performance.md): the
 * SQL Mimir compiled, with its parameters, sent straight to PostgreSQL with
 * libpq, every row fetched.
 *
 *   pgclient [-n COUNT] [-s | -c] CONNINFO QUERYFILE [QUERYFILE ...]
 *
 * A QUERYFILE holds the SQL text and then each parameter, NUL-separated
 * ("sql\0p1\0p2\0"), exactly as EXPLAIN printed them. Several files run
 * concurrently, one connection and thread each, as Mimir runs a multi-source
 * query's atomic queries. Connections (with TimeZone UTC in CONNINFO's
 * options, as Mimir's) are made before the clock starts; the
 * time is from sending to the last row of the last query. With -n the whole
 * set runs COUNT times in a row on the same connections. With -s each query
 * runs in libpq's single-row mode (PQsendQueryParams + PQsetSingleRowMode, one
 * PGresult per row, as a streaming client reads a large result) instead of
 * PQexecParams, which holds the whole result in memory. With -c the file holds
 * a COPY ... TO STDOUT statement (no parameters) whose lines are counted as
 * rows (PQgetCopyData): how fast PostgreSQL itself emits a result, with the
 * least work on the client's side. Prints one JSON object
 * {"ms": median, "ms_all": [...], "first_ms": median time to the first row,
 * "first_ms_all": [...], "rows":..., "bytes":...} (rows and bytes of one run;
 * the time to the first row is that of the slowest query of a run); exit
 * status 1 on any error.
 */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_PARAMS 64

typedef struct job {
    const char *path;
    PGconn *conn;
    char *text; /* the file: SQL then parameters */
    const char *sql;
    const char *params[MAX_PARAMS];
    int nparams;
    pthread_t tid;
    uint64_t rows, bytes;
    double first; /* seconds from sending to the first row (or the end) */
    int failed;
} job;

static int single_row; /* -s */
static int copy_out;   /* -c */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int load(job *j)
{
    FILE *f = fopen(j->path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    j->text = malloc((size_t)n + 1);
    if (!j->text || fread(j->text, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        return -1;
    }
    fclose(f);
    j->text[n] = '\0';
    j->sql = j->text;
    for (char *p = j->text + strlen(j->text) + 1; p < j->text + n; p += strlen(p) + 1) {
        if (j->nparams == MAX_PARAMS)
            return -1;
        j->params[j->nparams++] = p;
    }
    return 0;
}

static void count_rows(job *j, const PGresult *res)
{
    int nr = PQntuples(res), nf = PQnfields(res);
    for (int r = 0; r < nr; r++)
        for (int c = 0; c < nf; c++)
            j->bytes += (uint64_t)PQgetlength(res, r, c);
    j->rows += (uint64_t)nr;
}

/* Single-row mode: one PGresult per row (PGRES_SINGLE_TUPLE), then an empty
 * PGRES_TUPLES_OK, then NULL. */
static void run_single_row(job *j, double t0)
{
    if (!PQsendQueryParams(j->conn, j->sql, j->nparams, NULL, j->params, NULL, NULL, 0) ||
        !PQsetSingleRowMode(j->conn)) {
        fprintf(stderr, "pgclient: %s: %s", j->path, PQerrorMessage(j->conn));
        j->failed = 1;
        return;
    }
    PGresult *res;
    while ((res = PQgetResult(j->conn)) != NULL) {
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_SINGLE_TUPLE || st == PGRES_TUPLES_OK) {
            if (j->first == 0)
                j->first = now() - t0;
            count_rows(j, res);
        } else if (!j->failed) {
            fprintf(stderr, "pgclient: %s: %s", j->path, PQresultErrorMessage(res));
            j->failed = 1;
        }
        PQclear(res);
    }
}

/* COPY ... TO STDOUT: one CopyData message (one line) per row. */
static void run_copy(job *j, double t0)
{
    PGresult *res = PQexec(j->conn, j->sql);
    if (PQresultStatus(res) != PGRES_COPY_OUT) {
        fprintf(stderr, "pgclient: %s: not a COPY TO STDOUT: %s", j->path,
                PQresultErrorMessage(res));
        j->failed = 1;
        PQclear(res);
        return;
    }
    PQclear(res);
    char *line;
    int n;
    while ((n = PQgetCopyData(j->conn, &line, 0)) > 0) {
        if (j->first == 0)
            j->first = now() - t0;
        j->rows++;
        j->bytes += (uint64_t)n;
        PQfreemem(line);
    }
    while ((res = PQgetResult(j->conn)) != NULL) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && !j->failed) {
            fprintf(stderr, "pgclient: %s: %s", j->path, PQresultErrorMessage(res));
            j->failed = 1;
        }
        PQclear(res);
    }
    if (n == -2 && !j->failed) {
        fprintf(stderr, "pgclient: %s: %s", j->path, PQerrorMessage(j->conn));
        j->failed = 1;
    }
}

static void run_once(job *j)
{
    if (j->failed)
        return;
    j->rows = j->bytes = 0;
    j->first = 0;
    double t0 = now();
    if (single_row) {
        run_single_row(j, t0);
        return;
    }
    if (copy_out) {
        run_copy(j, t0);
        return;
    }
    PGresult *res = PQexecParams(j->conn, j->sql, j->nparams, NULL, j->params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        fprintf(stderr, "pgclient: %s: %s", j->path, PQresultErrorMessage(res));
        j->failed = 1;
    } else {
        count_rows(j, res);
    }
    j->first = now() - t0; /* PQexecParams hands over every row at once */
    PQclear(res);
}

static void *run_thread(void *arg)
{
    run_once(arg);
    return NULL;
}

/* One run of every job: in this thread for one query (no thread start in the
 * timing of a sub-millisecond query), else one thread per query. */
static double run_all(job *jobs, int n, double *first_ms)
{
    double t0 = now();
    if (n == 1) {
        run_once(&jobs[0]);
    } else {
        for (int i = 0; i < n; i++)
            pthread_create(&jobs[i].tid, NULL, run_thread, &jobs[i]);
        for (int i = 0; i < n; i++)
            pthread_join(jobs[i].tid, NULL);
    }
    double end = now();
    *first_ms = 0;
    for (int i = 0; i < n; i++)
        if (jobs[i].first * 1e3 > *first_ms)
            *first_ms = jobs[i].first * 1e3;
    return (end - t0) * 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int count = 1, first = 1;
    for (;;) {
        if (argc > first + 1 && !strcmp(argv[first], "-n")) {
            count = atoi(argv[first + 1]);
            first += 2;
        } else if (argc > first && !strcmp(argv[first], "-s")) {
            single_row = 1;
            first++;
        } else if (argc > first && !strcmp(argv[first], "-c")) {
            copy_out = 1;
            first++;
        } else {
            break;
        }
    }
    if (argc - first < 2 || count < 1) {
        fprintf(stderr,
                "usage: pgclient [-n COUNT] [-s | -c] CONNINFO QUERYFILE [QUERYFILE ...]\n");
        return 2;
    }
    int n = argc - first - 1;
    job *jobs = calloc((size_t)n, sizeof(job));
    int failed = 0;
    for (int i = 0; i < n; i++) {
        job *j = &jobs[i];
        j->path = argv[first + 1 + i];
        if (load(j) != 0) {
            fprintf(stderr, "pgclient: cannot read %s\n", j->path);
            return 2;
        }
        j->conn = PQconnectdb(argv[first]);
        if (PQstatus(j->conn) != CONNECTION_OK) {
            fprintf(stderr, "pgclient: %s", PQerrorMessage(j->conn));
            failed = j->failed = 1;
        }
    }
    double *ms = calloc((size_t)count, sizeof(double));
    double *first_ms = calloc((size_t)count, sizeof(double));
    for (int k = 0; k < count && !failed; k++) {
        ms[k] = run_all(jobs, n, &first_ms[k]);
        for (int i = 0; i < n; i++)
            failed |= jobs[i].failed;
    }
    uint64_t rows = 0, bytes = 0;
    for (int i = 0; i < n; i++) {
        rows += jobs[i].rows;
        bytes += jobs[i].bytes;
    }
    printf("{\"ms_all\":[");
    for (int k = 0; k < count; k++)
        printf("%s%.4f", k ? "," : "", ms[k]);
    printf("],\"first_ms_all\":[");
    for (int k = 0; k < count; k++)
        printf("%s%.4f", k ? "," : "", first_ms[k]);
    qsort(ms, (size_t)count, sizeof(double), cmp_double);
    qsort(first_ms, (size_t)count, sizeof(double), cmp_double);
    printf("],\"ms\":%.4f,\"first_ms\":%.4f,\"rows\":%llu,\"bytes\":%llu}\n", ms[count / 2],
           first_ms[count / 2], (unsigned long long)rows, (unsigned long long)bytes);
    for (int i = 0; i < n; i++) {
        PQfinish(jobs[i].conn);
        free(jobs[i].text);
    }
    free(jobs);
    free(ms);
    free(first_ms);
    return failed ? 1 : 0;
}
