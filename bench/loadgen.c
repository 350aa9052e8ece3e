/*
 * loadgen: a MySQL-protocol load driver on libmariadb for the benchmark
 * (docs/performance.md). N threads, one connection each, run the given
 * queries in turn (thread i starts at query i % Q) for a number of queries or
 * a duration; every query is timed from send to its last row, rows are
 * streamed (mysql_use_result) and counted with their bytes. Prints one JSON
 * object: totals, errors, and per query count, latency percentiles and the
 * median time to the first row.
 *
 *   loadgen -P PORT [-h HOST] [-u USER] [-p PASSWORD] [-D DB] [-c THREADS]
 *           (-n QUERIES_PER_THREAD | -t SECONDS) -q SQL [-q SQL ...]
 *
 * Connections are made before the clock starts; a failed connection is an
 * error of its thread. Exit status 0 even when queries failed (the JSON says
 * how many); 2 on bad usage.
 */
#include <mysql.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_QUERIES 8

typedef struct options {
    const char *host, *user, *password, *db;
    unsigned port;
    int threads;
    long count;     /* queries per thread; 0: use seconds */
    double seconds; /* run time; used when count is 0 */
    const char *queries[MAX_QUERIES];
    int nqueries;
} options;

typedef struct lat_vec {
    double *v;
    size_t n, cap;
} lat_vec;

typedef struct worker {
    const options *opt;
    int index;
    pthread_t tid;
    MYSQL *conn;
    lat_vec lat[MAX_QUERIES];
    lat_vec first_row[MAX_QUERIES]; /* time to the first row (queries with rows) */
    uint64_t rows, bytes, errors;
    char first_error[256];
} worker;

static pthread_barrier_t start_line;
static double t_start, t_end;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void lat_push(lat_vec *l, double ms)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 1024;
        l->v = realloc(l->v, l->cap * sizeof(double));
        if (!l->v) {
            perror("loadgen");
            exit(1);
        }
    }
    l->v[l->n++] = ms;
}

static void note_error(worker *w, const char *what)
{
    w->errors++;
    if (!w->first_error[0])
        snprintf(w->first_error, sizeof(w->first_error), "%s", what);
}

/* One query: send, stream every row, count rows and bytes. 0 on success. */
static int run_query(worker *w, int q, double t0)
{
    const char *sql = w->opt->queries[q];
    if (mysql_real_query(w->conn, sql, strlen(sql)) != 0) {
        note_error(w, mysql_error(w->conn));
        return -1;
    }
    MYSQL_RES *res = mysql_use_result(w->conn);
    if (!res) {
        if (mysql_field_count(w->conn) == 0)
            return 0; /* no result set */
        note_error(w, mysql_error(w->conn));
        return -1;
    }
    unsigned nf = mysql_num_fields(res);
    MYSQL_ROW row;
    int first = 1;
    while ((row = mysql_fetch_row(res)) != NULL) {
        if (first) {
            lat_push(&w->first_row[q], (now() - t0) * 1e3);
            first = 0;
        }
        unsigned long *len = mysql_fetch_lengths(res);
        for (unsigned i = 0; i < nf; i++)
            w->bytes += len[i];
        w->rows++;
    }
    int rc = 0;
    if (mysql_errno(w->conn)) {
        note_error(w, mysql_error(w->conn));
        rc = -1;
    }
    mysql_free_result(res);
    return rc;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    const options *o = w->opt;
    w->conn = mysql_init(NULL);
    unsigned timeout = 60;
    mysql_options(w->conn, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_options(w->conn, MYSQL_OPT_READ_TIMEOUT, &timeout);
    int connected =
        mysql_real_connect(w->conn, o->host, o->user, o->password, o->db, o->port, NULL, 0) != NULL;
    if (!connected)
        note_error(w, mysql_error(w->conn));
    pthread_barrier_wait(&start_line);
    if (connected) {
        int q = w->index % o->nqueries;
        for (long i = 0; o->count ? i < o->count : now() < t_end; i++) {
            double t0 = now();
            if (run_query(w, q, t0) == 0)
                lat_push(&w->lat[q], (now() - t0) * 1e3);
            q = (q + 1) % o->nqueries;
        }
    }
    mysql_close(w->conn);
    mysql_thread_end();
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double percentile(const double *v, size_t n, double p)
{
    if (n == 0)
        return 0;
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

static void json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void report(const options *o, worker *ws, double elapsed)
{
    uint64_t rows = 0, bytes = 0, errors = 0, total = 0;
    const char *first_error = "";
    for (int i = 0; i < o->threads; i++) {
        rows += ws[i].rows;
        bytes += ws[i].bytes;
        errors += ws[i].errors;
        if (!first_error[0] && ws[i].first_error[0])
            first_error = ws[i].first_error;
    }
    printf("{\"threads\":%d,\"elapsed_s\":%.6f,\"per_query\":[", o->threads, elapsed);
    for (int q = 0; q < o->nqueries; q++) {
        lat_vec all = {0}, first = {0};
        for (int i = 0; i < o->threads; i++) {
            for (size_t k = 0; k < ws[i].lat[q].n; k++)
                lat_push(&all, ws[i].lat[q].v[k]);
            for (size_t k = 0; k < ws[i].first_row[q].n; k++)
                lat_push(&first, ws[i].first_row[q].v[k]);
        }
        qsort(all.v, all.n, sizeof(double), cmp_double);
        qsort(first.v, first.n, sizeof(double), cmp_double);
        double sum = 0;
        for (size_t k = 0; k < all.n; k++)
            sum += all.v[k];
        total += all.n;
        printf("%s{\"query\":", q ? "," : "");
        json_string(o->queries[q]);
        printf(",\"count\":%zu,\"mean_ms\":%.4f,\"p50_ms\":%.4f,\"p90_ms\":%.4f,\"p99_ms\":%.4f,"
               "\"max_ms\":%.4f,\"first_row_p50_ms\":%.4f}",
               all.n, all.n ? sum / (double)all.n : 0, percentile(all.v, all.n, 0.50),
               percentile(all.v, all.n, 0.90), percentile(all.v, all.n, 0.99),
               percentile(all.v, all.n, 1.0), percentile(first.v, first.n, 0.50));
        free(all.v);
        free(first.v);
    }
    printf("],\"queries\":%llu,\"qps\":%.2f,\"rows\":%llu,\"bytes\":%llu,\"errors\":%llu,"
           "\"first_error\":",
           (unsigned long long)total, elapsed > 0 ? (double)total / elapsed : 0,
           (unsigned long long)rows, (unsigned long long)bytes, (unsigned long long)errors);
    json_string(first_error);
    printf("}\n");
}

static void usage(void)
{
    fprintf(stderr, "usage: loadgen -P PORT [-h HOST] [-u USER] [-p PASSWORD] [-D DB] "
                    "[-c THREADS] (-n COUNT | -t SECONDS) -q SQL [-q SQL ...]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    options o = {.host = "127.0.0.1", .user = "bench", .password = "", .threads = 1};
    int c;
    while ((c = getopt(argc, argv, "h:P:u:p:D:c:n:t:q:")) != -1) {
        switch (c) {
        case 'h':
            o.host = optarg;
            break;
        case 'P':
            o.port = (unsigned)atoi(optarg);
            break;
        case 'u':
            o.user = optarg;
            break;
        case 'p':
            o.password = optarg;
            break;
        case 'D':
            o.db = optarg;
            break;
        case 'c':
            o.threads = atoi(optarg);
            break;
        case 'n':
            o.count = atol(optarg);
            break;
        case 't':
            o.seconds = atof(optarg);
            break;
        case 'q':
            if (o.nqueries == MAX_QUERIES)
                usage();
            o.queries[o.nqueries++] = optarg;
            break;
        default:
            usage();
        }
    }
    if (!o.port || o.threads < 1 || o.nqueries == 0 || (o.count <= 0 && o.seconds <= 0))
        usage();
    mysql_library_init(0, NULL, NULL);
    worker *ws = calloc((size_t)o.threads, sizeof(worker));
    pthread_barrier_init(&start_line, NULL, (unsigned)o.threads + 1);
    for (int i = 0; i < o.threads; i++) {
        ws[i].opt = &o;
        ws[i].index = i;
        pthread_create(&ws[i].tid, NULL, worker_main, &ws[i]);
    }
    /* Every thread has connected (or failed to) before the clock starts. */
    t_start = now();
    t_end = t_start + o.seconds;
    pthread_barrier_wait(&start_line);
    t_start = now();
    for (int i = 0; i < o.threads; i++)
        pthread_join(ws[i].tid, NULL);
    report(&o, ws, now() - t_start);
    mysql_library_end();
    return 0;
}
