/*
 * MySQL and MariaDB (and engines that speak their protocol) through
 * libmariadb's non-blocking API on the event loop.
 *
 * Every libmariadb call that may wait on the network is made as a _start /
 * _cont pair: when it would block, it returns what it waits for
 * (MYSQL_WAIT_READ, _WRITE, _TIMEOUT), we wait for that on the loop, and call
 * _cont when it happened. Nothing here blocks the loop, except the host name
 * lookup inside the connect, as with libpq.
 *
 * A query is a server-side prepared statement: the planner prints `?`
 * placeholders and client literals are bound as parameters, never spliced
 * into the text. Rows are fetched one by one without buffering the result
 * (an unbuffered mysql_stmt_fetch reads one row packet off the socket), so a
 * paused delivery stops reading and MySQL waits on its full socket:
 * backpressure all the way to the server, as with PostgreSQL.
 *
 * Values reach the sink in MySQL's text rendering: result columns are bound
 * as strings and libmariadb converts binary-protocol decimals, doubles and
 * times exactly as the text protocol would print them; integers, DATEs,
 * DATETIMEs and TIMESTAMPs are bound natively and printed here the same way
 * (bind_natively), since libmariadb's sprintf for them was most of the work
 * per row.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <errmsg.h>
#include <mysql.h>

#include "proxy/backend/backend.h"
#include "proxy/backend/db_tls.h"
#include "proxy/log.h"
#include "proxy/backend/pool.h"
#include "proxy/backend/tcp_liveness.h"
#include "proxy/workers.h"
#include "wire/xalloc.h"

/*
 * Every session starts the same way whatever the server's defaults: UTC, so
 * TIMESTAMP columns render as DATETIME in UTC like PostgreSQL's timestamptz;
 * utf8mb4 both ways; and a fixed sql_mode without ANSI_QUOTES (so "..." is a
 * string in source SQL and identifiers are `quoted`), PIPES_AS_CONCAT or
 * NO_BACKSLASH_ESCAPES. The modes listed exist on MySQL 5.7/8 and MariaDB.
 */
#define SESSION_NAMES "SET NAMES utf8mb4"
#define SESSION_SETUP                                                                              \
    "SET time_zone = '+00:00', "                                                                   \
    "sql_mode = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'"

/* libmariadb runs each non-blocking call on a stack of its own; TLS needs room. */
#define ASYNC_STACK_SIZE (256 * 1024)

/* Rows fetched per loop turn before other clients get their turn. */
#define ROWS_PER_TURN 256

/* First size of a column's value buffer; it grows to the longest value seen. */
#define MIN_VALUE_BUFFER       128
#define MAX_FIRST_VALUE_BUFFER 4096

typedef enum {
    MY_CONNECTING,
    MY_IDLE,
    MY_ZONE_CHECK,  /* is the query's named time zone known to the server? (the query) */
    MY_ZONE_RESULT, /* ... (its answer) */
    MY_PREPARING,
    MY_EXECUTING,
    MY_FETCHING,
    MY_CLOSING_STMT, /* COM_STMT_CLOSE on its way */
    MY_AWAIT_KILL,   /* the query ended; a KILL QUERY for it has not returned yet */
} my_state;

/* Where and how to reach the server (TLS included), for the connection and for KILL QUERY. */
typedef struct my_target {
    connection conn; /* a copy: conn.name names it in messages */
    unsigned port;
} my_target;

typedef struct value_buffer {
    char *data;
    unsigned long cap;
    unsigned long len;
    my_bool is_null;
    my_bool truncated;
    /* Columns bound natively and printed here, not by libmariadb's sprintf (bind_results):
     * an integer as a 64-bit integer, a DATE, DATETIME or TIMESTAMP as a MYSQL_TIME. */
    enum { PRINTED_BY_LIBRARY, PRINT_INTEGER, PRINT_TEMPORAL } print;
    bool is_unsigned;
    enum enum_field_types field_type;
    unsigned decimals; /* of a DATETIME or TIMESTAMP: its fractional digits */
    long long number;
    MYSQL_TIME time;
} value_buffer;

typedef struct kill_job kill_job;

typedef struct my_conn {
    backend_conn base;
    MYSQL *mysql;
    MYSQL_STMT *stmt;
    my_target target;
    struct event_base *loop; /* backend_settings.base: where its events run */
    int connect_timeout_s;   /* backend_settings'; 10 when that is not positive */
    struct event *ev;        /* what the suspended libmariadb call waits for */
    struct event *deadline;  /* connect deadline */
    struct event *next_turn; /* more rows on the next loop turn, or after resume */
    my_state state;
    bool suspended; /* a libmariadb call waits for ev: only its _cont may follow */
    kill_job *kill; /* KILL QUERY in flight on a worker */
    /* Named time zones this server has converted (see "Named time zones" below). */
    char **zones_known;
    size_t nzones_known;
    /* connecting */
    backend_connected_cb connected;
    void *connected_ctx;
    /* running a query */
    backend_sink sink;
    char *sql;
    size_t nparams;
    MYSQL_BIND *params;
    char **param_text;
    int32_t *param_int32;
    long long *param_int;
    double *param_double;
    bool paused;
    bool discard; /* cancelled: rows are read and dropped until the query ends */
    bool columns_sent;
    bool failed;
    char *error;
    uint16_t refused;  /* error is Mimir's own refusal with this MySQL code (on_refused) */
    char *zone;        /* the named zone the query needs (atomic_query.tz_name) */
    char *zone_source; /* its source, for the refusal's message */
    char *zone_sql;    /* the check's text, alive while libmariadb sends it */
    size_t ncols;
    result_column *cols;
    MYSQL_BIND *binds;
    value_buffer *values;
    const char **row;
    size_t *lengths;
} my_conn;

struct kill_job {
    my_conn *conn; /* NULL once the connection is gone */
    my_target target;
    unsigned long thread_id;
    char error[MYSQL_ERRMSG_SIZE + 64];
};

static const backend_ops mysql_ops;
static void socket_cb(evutil_socket_t fd, short what, void *arg);
static void next_turn_cb(evutil_socket_t fd, short what, void *arg);
static void fetch_rows(my_conn *c);

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static void target_copy(my_target *t, const connection *conn)
{
    catalog_connection_copy(&t->conn, conn);
    t->port = conn->port ? (unsigned)strtoul(conn->port, NULL, 10) : 0;
}

static void target_free(my_target *t)
{
    catalog_connection_free_copy(&t->conn);
}

/* ---- Waiting for libmariadb ---------------------------------------------- */

/* Arms ev for what a suspended call returned (MYSQL_WAIT_*); socket_cb resumes it. */
static void wait_for(my_conn *c, int status)
{
    short what = 0;
    if (status & (MYSQL_WAIT_READ | MYSQL_WAIT_EXCEPT))
        what |= EV_READ;
    if (status & MYSQL_WAIT_WRITE)
        what |= EV_WRITE;
    struct timeval tv, *tvp = NULL;
    if (status & MYSQL_WAIT_TIMEOUT) {
        unsigned ms = mysql_get_timeout_value_ms(c->mysql);
        tv.tv_sec = ms / 1000;
        tv.tv_usec = (ms % 1000) * 1000;
        tvp = &tv;
    }
    evutil_socket_t fd = what ? (evutil_socket_t)mysql_get_socket(c->mysql) : -1;
    event_del(c->ev);
    event_assign(c->ev, c->loop, fd, what, socket_cb, c);
    event_add(c->ev, tvp);
    c->suspended = true;
}

/* libmariadb's messages are one line already; prefix the code as the mariadb CLI does. */
static char *format_error(unsigned code, const char *sqlstate, const char *message)
{
    char buf[MYSQL_ERRMSG_SIZE + 64];
    if (code)
        snprintf(buf, sizeof(buf), "ERROR %u (%s): %s", code, sqlstate ? sqlstate : "HY000",
                 message && *message ? message : "unknown error");
    else
        snprintf(buf, sizeof(buf), "%s", message && *message ? message : "unknown error");
    return dup_or_null(buf);
}

/*
 * Errors after which the session is gone or unusable: every client-library
 * error (lost connection, commands out of sync, out of memory: 2000-2999), and
 * the server errors sent just before it closes a connection.
 */
static bool connection_unusable(unsigned code)
{
    return (code >= CR_MIN_ERROR && code <= 2999) || code == 1053 /* ER_SERVER_SHUTDOWN */ ||
           code == 1927 /* ER_CONNECTION_KILLED */ || code == 4031 /* idle timeout (MySQL) */;
}

/*
 * A connection closed in the middle of something (a connect, a query) may not
 * be able to take COM_QUIT without waiting: shut the socket so mysql_close's
 * write fails at once instead of blocking the loop. The server sees the
 * disconnect and drops whatever was running.
 */
static void shut_socket(my_conn *c)
{
    my_socket fd = mysql_get_socket(c->mysql);
    if ((int)fd >= 0)
        shutdown(fd, SHUT_RDWR);
}

static void free_query_state(my_conn *c)
{
    for (size_t i = 0; i < c->ncols; i++)
        free(c->values[i].data);
    for (size_t i = 0; i < c->nparams; i++)
        free(c->param_text[i]);
    free(c->sql);
    free(c->params);
    free(c->param_text);
    free(c->param_int32);
    free(c->param_int);
    free(c->param_double);
    free(c->cols);
    free(c->binds);
    free(c->values);
    free(c->row);
    free(c->lengths);
    free(c->error);
    free(c->zone);
    free(c->zone_source);
    free(c->zone_sql);
    c->zone = c->zone_source = c->zone_sql = NULL;
    c->refused = 0;
    c->sql = NULL;
    c->params = NULL;
    c->param_text = NULL;
    c->param_int32 = NULL;
    c->param_int = NULL;
    c->param_double = NULL;
    c->nparams = 0;
    c->cols = NULL;
    c->binds = NULL;
    c->values = NULL;
    c->row = NULL;
    c->lengths = NULL;
    c->error = NULL;
    c->ncols = 0;
}

static void my_close(backend_conn *bc)
{
    my_conn *c = (my_conn *)bc;
    if (c->kill)
        c->kill->conn = NULL;
    if (c->ev)
        event_free(c->ev);
    if (c->deadline)
        event_free(c->deadline);
    if (c->next_turn)
        event_free(c->next_turn);
    if (c->mysql) {
        if (c->state != MY_IDLE || c->base.broken)
            shut_socket(c);
        /* Before the statement: mysql_close detaches it, so closing it sends nothing. */
        mysql_close(c->mysql);
    }
    if (c->stmt)
        mysql_stmt_close(c->stmt);
    free_query_state(c);
    for (size_t i = 0; i < c->nzones_known; i++)
        free(c->zones_known[i]);
    free(c->zones_known);
    target_free(&c->target);
    free(c);
}

/* ---- Connecting ------------------------------------------------------------ */

static void connect_failed(my_conn *c, const char *why)
{
    char msg[MYSQL_ERRMSG_SIZE + 256];
    char explained[MYSQL_ERRMSG_SIZE + 128];
    db_tls_explain(explained, sizeof(explained), why);
    snprintf(msg, sizeof(msg), "could not connect to '%s': %s", c->target.conn.name, explained);
    backend_connected_cb cb = c->connected;
    void *ctx = c->connected_ctx;
    my_close(&c->base);
    cb(ctx, NULL, msg);
}

static void connect_done(my_conn *c, MYSQL *ret)
{
    event_del(c->deadline);
    if (!ret) {
        char *why =
            format_error(mysql_errno(c->mysql), mysql_sqlstate(c->mysql), mysql_error(c->mysql));
        connect_failed(c, why);
        free(why);
        return;
    }
    char why[256];
    if (!my_tls_connected(c->mysql, &c->target.conn, why, sizeof(why))) {
        connect_failed(c, why);
        return;
    }
    /* libmariadb has no keepalive options: they go on its socket now. */
    conn_net net;
    catalog_connection_net(&c->target.conn, &net);
    tcp_liveness_apply((int)mysql_get_socket(c->mysql), &net, c->target.conn.name);
    c->state = MY_IDLE;
    event_del(c->ev);
    c->connected(c->connected_ctx, &c->base, NULL);
}

static void connect_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    my_conn *c = arg;
    char why[128];
    snprintf(why, sizeof(why), "timed out after %d s", c->connect_timeout_s);
    connect_failed(c, why);
}

/* Options every connection gets; false when libmariadb refused one. */
static bool configure(MYSQL *m, int connect_timeout_s)
{
    size_t stack = ASYNC_STACK_SIZE;
    unsigned timeout = (unsigned)connect_timeout_s;
    unsigned no_local_infile = 0; /* a server must not be able to read Mimir's files */
    my_bool report_truncation = 1;
    return mysql_optionsv(m, MYSQL_OPT_NONBLOCK, &stack) == 0 &&
           mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4") == 0 &&
           mysql_optionsv(m, MYSQL_INIT_COMMAND, SESSION_NAMES) == 0 &&
           mysql_optionsv(m, MYSQL_INIT_COMMAND, SESSION_SETUP) == 0 &&
           mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout) == 0 &&
           mysql_optionsv(m, MYSQL_OPT_LOCAL_INFILE, &no_local_infile) == 0 &&
           mysql_optionsv(m, MYSQL_REPORT_DATA_TRUNCATION, &report_truncation) == 0 &&
           mysql_optionsv(m, MYSQL_OPT_CONNECT_ATTR_ADD, "program_name", "mimir") == 0;
}

backend_conn *mysql_backend_connect(const connection *conn, const backend_settings *s, pool *owner,
                                    backend_connected_cb cb, void *ctx)
{
    my_conn *c = xcalloc(1, sizeof(*c));
    c->base.ops = &mysql_ops;
    c->base.owner = owner;
    target_copy(&c->target, conn);
    c->loop = s->base;
    c->connect_timeout_s = s->connect_timeout_s > 0 ? s->connect_timeout_s : 10;
    c->connected = cb;
    c->connected_ctx = ctx;
    c->state = MY_CONNECTING;
    c->ev = event_new(c->loop, -1, 0, socket_cb, c);
    c->deadline = evtimer_new(c->loop, connect_timeout_cb, c);
    c->next_turn = event_new(c->loop, -1, 0, next_turn_cb, c);
    c->mysql = mysql_init(NULL);
    if (!c->ev || !c->deadline || !c->next_turn || !c->mysql ||
        !configure(c->mysql, c->connect_timeout_s) || !my_tls_configure(c->mysql, conn)) {
        connect_failed(c, c->mysql ? mysql_error(c->mysql) : "out of memory");
        return NULL;
    }
    struct timeval tv = {c->connect_timeout_s, 0};
    event_add(c->deadline, &tv);
    MYSQL *ret = NULL;
    const my_target *tg = &c->target;
    int status = mysql_real_connect_start(&ret, c->mysql, tg->conn.host, tg->conn.user,
                                          tg->conn.password, tg->conn.database, tg->port, NULL, 0);
    if (!status) {
        connect_done(c, ret); /* reports at once */
        return NULL;
    }
    wait_for(c, status);
    return &c->base;
}

/* ---- Result metadata --------------------------------------------------------- */

/*
 * Characters, from a length MySQL gives in bytes of the column's character
 * set; at most what still fits in 32 bits as utf8mb4 bytes (LONGTEXT's).
 */
static unsigned length_in_chars(const MYSQL_FIELD *f)
{
    MARIADB_CHARSET_INFO *cs = mariadb_get_charset_by_nr(f->charsetnr);
    unsigned maxlen = cs && cs->char_maxlen ? cs->char_maxlen : 4;
    unsigned long chars = f->length / maxlen;
    return chars > 0x3FFFFFFF ? 0x3FFFFFFF : (unsigned)chars;
}

void mysql_describe_field(const MYSQL_FIELD *f, result_column *col)
{
    bool is_unsigned = (f->flags & UNSIGNED_FLAG) != 0;
    bool binary = f->charsetnr == 63;
    /* libmariadb prints fractional seconds only for 1 to 6 decimals: say what it prints. */
    int fraction = f->decimals <= 6 ? (int)f->decimals : 0;
    col->name = f->name;
    col->decimals = -1;
    col->length = 0;
    switch (f->type) {
    case MYSQL_TYPE_TINY:
        /* TINYINT(1) is MySQL's BOOLEAN; drivers read TINY(1) as a boolean too. */
        col->type = f->length == 1 ? VT_BOOL : VT_INT16;
        break;
    case MYSQL_TYPE_SHORT:
        col->type = is_unsigned ? VT_INT32 : VT_INT16;
        break;
    case MYSQL_TYPE_YEAR:
        col->type = VT_INT16;
        break;
    case MYSQL_TYPE_INT24:
        col->type = VT_INT32;
        break;
    case MYSQL_TYPE_LONG:
        col->type = is_unsigned ? VT_INT64 : VT_INT32;
        break;
    case MYSQL_TYPE_LONGLONG:
        /* BIGINT UNSIGNED goes beyond a signed 64-bit integer: keep it exact. */
        col->type = is_unsigned ? VT_DECIMAL : VT_INT64;
        if (is_unsigned) {
            col->decimals = 0;
            col->length = 20;
        }
        break;
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL: {
        /* MySQL's length counts the sign and the point; ours is the precision. */
        unsigned long precision = f->length;
        if (f->decimals && precision)
            precision--;
        if (!is_unsigned && precision)
            precision--;
        col->type = VT_DECIMAL;
        col->decimals = (int)f->decimals;
        col->length = (unsigned)precision;
        break;
    }
    case MYSQL_TYPE_FLOAT:
        col->type = VT_FLOAT;
        break;
    case MYSQL_TYPE_DOUBLE:
        col->type = VT_DOUBLE;
        break;
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_NEWDATE:
        col->type = VT_DATE;
        break;
    case MYSQL_TYPE_TIME:
        col->type = VT_TIME;
        col->decimals = fraction;
        break;
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_TIMESTAMP:
        col->type = VT_DATETIME;
        col->decimals = fraction;
        col->instant = f->type == MYSQL_TYPE_TIMESTAMP;
        break;
    case MYSQL_TYPE_NULL:
        col->type = VT_NULL;
        break;
    case MYSQL_TYPE_BIT:
    case MYSQL_TYPE_GEOMETRY:
        col->type = VT_BLOB;
        break;
    case MYSQL_TYPE_JSON:
        /* MySQL 8's JSON says "binary" but is utf8mb4 text (MariaDB's is LONGTEXT). */
        col->type = VT_TEXT;
        break;
    default: /* CHAR, VARCHAR, TEXT and BLOB types, ENUM, SET, JSON */
        col->type = binary ? VT_BLOB : VT_TEXT;
        if (!binary)
            col->length = length_in_chars(f);
        break;
    }
}

/* Result columns described and bound as strings; false when libmariadb refused. */
/*
 * An integer column whose text is its plain decimal digits: TINYINT to BIGINT,
 * signed or unsigned, without ZEROFILL (padded to the display width) and not
 * YEAR or BIT (printed otherwise).
 */
static bool plain_integer(const MYSQL_FIELD *f)
{
    switch (f->type) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_LONGLONG:
        return (f->flags & ZEROFILL_FLAG) == 0;
    default:
        return false;
    }
}

/* The decimal digits of v (as sprintf's %lld or %llu would print them); their count. */
static unsigned long print_integer(char *out, long long v, bool is_unsigned)
{
    char digits[24];
    int n = 0;
    bool negative = !is_unsigned && v < 0;
    unsigned long long u = negative ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    unsigned long len = 0;
    if (negative)
        out[len++] = '-';
    while (n)
        out[len++] = digits[--n];
    return len;
}

/*
 * libmariadb prints a binary-protocol integer or date bound as a string with sprintf,
 * most of Mimir's work per row (docs/performance.md, "Scenario 2: COPY for large
 * results"): such columns are bound natively instead and printed here, the
 * same text (print_integer, print_temporal). TIME (negative, beyond 24 hours) and
 * everything else stay strings.
 */
static void bind_natively(const MYSQL_FIELD *f, value_buffer *v, MYSQL_BIND *b)
{
    v->field_type = f->type;
    if (plain_integer(f)) {
        v->print = PRINT_INTEGER;
        v->is_unsigned = (f->flags & UNSIGNED_FLAG) != 0;
        b->buffer_type = MYSQL_TYPE_LONGLONG;
        b->buffer = &v->number;
        b->buffer_length = sizeof(v->number);
        b->is_unsigned = v->is_unsigned;
    } else if (f->type == MYSQL_TYPE_DATE || f->type == MYSQL_TYPE_DATETIME ||
               f->type == MYSQL_TYPE_TIMESTAMP) {
        v->print = PRINT_TEMPORAL;
        v->decimals = f->decimals;
        b->buffer_type = MYSQL_TYPE_DATETIME;
        b->buffer = &v->time;
        b->buffer_length = sizeof(v->time);
    }
}

static char *put_digits(char *out, unsigned long value, int width)
{
    for (int k = width - 1; k >= 0; k--) {
        out[k] = (char)('0' + value % 10);
        value /= 10;
    }
    return out + width;
}

/*
 * As libmariadb 3.3 prints them into a string bind (ps_fetch_datetime): "%04u-%02u-%02u",
 * then " %02u:%02u:%02u" for a DATETIME or TIMESTAMP, then, when the column has 1 to 6
 * decimals, the microseconds as ".%06lu" cut to that many digits.
 */
static unsigned long print_temporal(char *out, const value_buffer *v)
{
    const MYSQL_TIME *t = &v->time;
    char *p = put_digits(out, t->year, 4); /* a server sends no year past 9999 */
    *p++ = '-';
    p = put_digits(p, t->month, 2);
    *p++ = '-';
    p = put_digits(p, t->day, 2);
    if (v->field_type != MYSQL_TYPE_DATE) {
        *p++ = ' ';
        p = put_digits(p, t->hour, 2);
        *p++ = ':';
        p = put_digits(p, t->minute, 2);
        *p++ = ':';
        p = put_digits(p, t->second, 2);
        if (v->decimals >= 1 && v->decimals <= 6) {
            char micro[6];
            put_digits(micro, t->second_part, 6);
            *p++ = '.';
            memcpy(p, micro, v->decimals);
            p += v->decimals;
        }
    }
    return (unsigned long)(p - out);
}

static bool bind_results(my_conn *c)
{
    MYSQL_RES *meta = mysql_stmt_result_metadata(c->stmt);
    c->ncols = meta ? mysql_num_fields(meta) : 0;
    c->cols = xcalloc(c->ncols + 1, sizeof(*c->cols));
    c->binds = xcalloc(c->ncols + 1, sizeof(*c->binds));
    c->values = xcalloc(c->ncols + 1, sizeof(*c->values));
    c->row = xcalloc(c->ncols + 1, sizeof(*c->row));
    c->lengths = xcalloc(c->ncols + 1, sizeof(*c->lengths));
    if (!meta)
        return true;
    MYSQL_FIELD *fields = mysql_fetch_fields(meta);
    for (size_t i = 0; i < c->ncols; i++) {
        /* Names live with the statement's own field list, not with meta. */
        mysql_describe_field(&fields[i], &c->cols[i]);
        unsigned long cap = fields[i].length + 1;
        if (cap < MIN_VALUE_BUFFER)
            cap = MIN_VALUE_BUFFER;
        if (cap > MAX_FIRST_VALUE_BUFFER)
            cap = MAX_FIRST_VALUE_BUFFER;
        value_buffer *v = &c->values[i];
        v->data = xcalloc(cap, 1);
        v->cap = cap;
        MYSQL_BIND *b = &c->binds[i];
        b->buffer_type = MYSQL_TYPE_STRING;
        b->buffer = v->data;
        b->buffer_length = v->cap;
        b->length = &v->len;
        b->is_null = &v->is_null;
        b->error = &v->truncated;
        bind_natively(&fields[i], v, b);
    }
    mysql_free_result(meta);
    return mysql_stmt_bind_result(c->stmt, c->binds) == 0;
}

/* ---- Parameters ---------------------------------------------------------------- */

/*
 * Client literals as typed parameters, the way MySQL types the same literals
 * (so expressions over them get the types they would have in MySQL): integers
 * as INT, BIGINT beyond 32 bits, DECIMAL beyond 64; exact numbers as DECIMAL,
 * numbers with an exponent as DOUBLE; strings as strings.
 */
static void copy_params(my_conn *c, const atomic_query *q)
{
    c->nparams = q->nparams;
    c->params = xcalloc(q->nparams + 1, sizeof(*c->params));
    c->param_text = xcalloc(q->nparams + 1, sizeof(*c->param_text));
    c->param_int32 = xcalloc(q->nparams + 1, sizeof(*c->param_int32));
    c->param_int = xcalloc(q->nparams + 1, sizeof(*c->param_int));
    c->param_double = xcalloc(q->nparams + 1, sizeof(*c->param_double));
    for (size_t i = 0; i < q->nparams; i++) {
        const query_param *p = &q->params[i];
        MYSQL_BIND *b = &c->params[i];
        c->param_text[i] = dup_or_null(p->text ? p->text : "");
        b->buffer_type = MYSQL_TYPE_STRING;
        b->buffer = c->param_text[i];
        b->buffer_length = strlen(c->param_text[i]);
        if (p->kind == PARAM_INT) {
            char *end;
            errno = 0;
            long long v = strtoll(c->param_text[i], &end, 10);
            if (errno == 0 && *end == '\0' && v >= INT32_MIN && v <= INT32_MAX) {
                c->param_int32[i] = (int32_t)v;
                b->buffer_type = MYSQL_TYPE_LONG;
                b->buffer = &c->param_int32[i];
                b->buffer_length = sizeof(int32_t);
            } else if (errno == 0 && *end == '\0') {
                c->param_int[i] = v;
                b->buffer_type = MYSQL_TYPE_LONGLONG;
                b->buffer = &c->param_int[i];
                b->buffer_length = sizeof(long long);
            } else {
                b->buffer_type = MYSQL_TYPE_NEWDECIMAL;
            }
        } else if (p->kind == PARAM_NUMBER) {
            if (strpbrk(c->param_text[i], "eE")) {
                c->param_double[i] = strtod(c->param_text[i], NULL);
                b->buffer_type = MYSQL_TYPE_DOUBLE;
                b->buffer = &c->param_double[i];
                b->buffer_length = sizeof(double);
            } else {
                b->buffer_type = MYSQL_TYPE_NEWDECIMAL;
            }
        }
    }
}

/* ---- Ending a query ------------------------------------------------------------- */

static void fail_query(my_conn *c, unsigned code, const char *sqlstate, const char *message)
{
    if (c->failed)
        return;
    c->failed = true;
    c->error = format_error(code, sqlstate, message);
}

/* Hands the outcome to the sink; the connection may be reused or closed inside. */
static void report_done(my_conn *c)
{
    if (c->kill) {
        /* A late KILL QUERY must not hit the next query on this connection. */
        c->state = MY_AWAIT_KILL;
        return;
    }
    c->state = MY_IDLE;
    c->suspended = false;
    event_del(c->ev);
    event_del(c->next_turn);
    if (!c->failed && !c->columns_sent) {
        c->columns_sent = true;
        c->sink.on_columns(c->sink.ctx, c->cols, c->ncols);
    }
    char *error = c->failed ? c->error : NULL;
    uint16_t refused = c->refused;
    c->error = NULL;
    backend_sink sink = c->sink;
    free_query_state(c);
    /* Last: the sink may hand this connection to someone else right away. */
    if (error && refused && sink.on_refused)
        sink.on_refused(sink.ctx, refused, "HY000", error);
    else
        sink.on_done(sink.ctx, error);
    free(error);
}

static void stmt_closed(my_conn *c)
{
    c->stmt = NULL;
    report_done(c);
}

/* Closes the statement on the server (COM_STMT_CLOSE), then reports. */
static void finish_statement(my_conn *c)
{
    if (c->base.broken || !c->stmt) {
        report_done(c); /* a dead connection: the statement goes with it in my_close */
        return;
    }
    c->state = MY_CLOSING_STMT;
    my_bool ret;
    int status = mysql_stmt_close_start(&ret, c->stmt);
    if (status) {
        wait_for(c, status);
        return;
    }
    stmt_closed(c);
}

/* The statement failed: its error becomes the query's. */
static void statement_failed(my_conn *c)
{
    unsigned code = mysql_stmt_errno(c->stmt);
    fail_query(c, code, mysql_stmt_sqlstate(c->stmt), mysql_stmt_error(c->stmt));
    if (connection_unusable(code))
        c->base.broken = true;
    finish_statement(c);
}

/* ---- Running a query ------------------------------------------------------------ */

static void executed(my_conn *c, int ret)
{
    if (ret) {
        statement_failed(c);
        return;
    }
    if (!bind_results(c)) {
        statement_failed(c);
        return;
    }
    if (!c->failed) {
        c->columns_sent = true;
        c->sink.on_columns(c->sink.ctx, c->cols, c->ncols);
    }
    c->state = MY_FETCHING;
    fetch_rows(c);
}

static void start_execute(my_conn *c)
{
    c->state = MY_EXECUTING;
    int ret = 0;
    int status = mysql_stmt_execute_start(&ret, c->stmt);
    if (status) {
        wait_for(c, status);
        return;
    }
    executed(c, ret);
}

static void prepared(my_conn *c, int ret)
{
    if (ret) {
        statement_failed(c);
        return;
    }
    unsigned long expected = mysql_stmt_param_count(c->stmt);
    if (expected != c->nparams) {
        char msg[128];
        snprintf(msg, sizeof(msg), "the statement has %lu placeholders for %zu parameters",
                 expected, c->nparams);
        fail_query(c, 0, NULL, msg);
        finish_statement(c);
        return;
    }
    if (c->nparams && mysql_stmt_bind_param(c->stmt, c->params)) {
        statement_failed(c);
        return;
    }
    start_execute(c);
}

static void start_prepare(my_conn *c)
{
    c->state = MY_PREPARING;
    int ret = 0;
    int status = mysql_stmt_prepare_start(&ret, c->stmt, c->sql, (unsigned long)strlen(c->sql));
    if (status) {
        wait_for(c, status);
        return;
    }
    prepared(c, ret);
}

/* ---- Named time zones ------------------------------------------------------------ */

/*
 * In a session whose time_zone is a name ('America/New_York'), the planner
 * writes CONVERT_TZ(time_col, '+00:00', ?) and CONVERT_TZ(?, ?, '+00:00') into
 * the query (planner/split.c). A MySQL/MariaDB server knows names only from
 * its time zone tables (mysql.time_zone_name, ...), which a fresh install
 * leaves empty; for a name it lacks, CONVERT_TZ answers NULL, silently: grains
 * come back NULL and time bounds match nothing. That would be a different
 * answer, so such a query is refused instead, with the error a MySQL server
 * gives for SET time_zone to a name it lacks (1298).
 *
 * Why here, on the connection, and per zone:
 * - the connector is where the query meets the server that will run it, so
 *   the check is about that very server, whatever pool, failover or reload
 *   brought it; type discovery, by contrast, runs once at startup, and a
 *   result it recorded would go stale;
 * - a server may hold some zones and not others (tables loaded from a partial
 *   zoneinfo), so the check asks for the query's own zone;
 * - only a positive answer is remembered, per connection: a server does not
 *   forget its zones, but an operator who loads the tables after a refusal
 *   should not need to restart Mimir, so a missing zone is asked again next
 *   time (one short round trip, before a query that would be refused).
 * It is one query on the same connection, sent with the non-blocking API
 * like the rest, so the loop never waits for it. Offsets ('+05:30') need no
 * tables: the planner asks for no check then.
 */
static bool zone_known(const my_conn *c, const char *zone)
{
    for (size_t i = 0; i < c->nzones_known; i++)
        if (strcmp(c->zones_known[i], zone) == 0)
            return true;
    return false;
}

static void zone_remember(my_conn *c, const char *zone)
{
    c->zones_known = xreallocarray(c->zones_known, c->nzones_known + 1, sizeof(char *));
    c->zones_known[c->nzones_known++] = xstrdup(zone);
}

/* The server lacks the zone: refuse with 1298, saying how to fix it. */
static void zone_refuse(my_conn *c)
{
    c->failed = true;
    c->refused = 1298; /* ER_UNKNOWN_TIME_ZONE */
    c->error = xasprintf(
        "Unknown or incorrect time zone: '%s' on source '%s': the MySQL/MariaDB server of "
        "connection '%s' has no time zone tables for it, so its CONVERT_TZ would answer NULL. "
        "Load them on that server (mariadb-tzinfo-to-sql /usr/share/zoneinfo | mariadb mysql) "
        "or SET time_zone to an offset such as '-05:00'",
        c->zone, c->zone_source, c->target.conn.name);
    log_warn("backend '%s': time zone '%s' refused: the server has no time zone tables for it",
             c->target.conn.name, c->zone);
}

/* The check failed on the server or the network: its error is the query's. */
static void zone_check_failed(my_conn *c)
{
    unsigned code = mysql_errno(c->mysql);
    fail_query(c, code, mysql_sqlstate(c->mysql), mysql_error(c->mysql));
    if (connection_unusable(code))
        c->base.broken = true;
    finish_statement(c);
}

static void zone_checked(my_conn *c, MYSQL_RES *res)
{
    if (!res) {
        zone_check_failed(c);
        return;
    }
    MYSQL_ROW row = mysql_fetch_row(res); /* stored: no network */
    bool known = row && row[0] && strcmp(row[0], "1") == 0;
    mysql_free_result(res);
    if (c->discard) { /* cancelled meanwhile: the query need not run */
        fail_query(c, 0, NULL, "cancelled");
        finish_statement(c);
        return;
    }
    if (!known) {
        zone_refuse(c);
        finish_statement(c);
        return;
    }
    zone_remember(c, c->zone);
    start_prepare(c);
}

static void zone_check_sent(my_conn *c, int ret)
{
    if (ret) {
        zone_check_failed(c);
        return;
    }
    c->state = MY_ZONE_RESULT;
    MYSQL_RES *res = NULL;
    int status = mysql_store_result_start(&res, c->mysql);
    if (status) {
        wait_for(c, status);
        return;
    }
    zone_checked(c, res);
}

/* Asks the server whether it converts the query's zone, then runs the query or refuses. */
static void start_zone_check(my_conn *c)
{
    size_t len = strlen(c->zone);
    char *quoted = xmalloc(2 * len + 1);
    mysql_real_escape_string(c->mysql, quoted, c->zone, (unsigned long)len);
    c->zone_sql =
        xasprintf("SELECT CONVERT_TZ('2000-01-01 00:00:00', '+00:00', '%s') IS NOT NULL", quoted);
    free(quoted);
    c->state = MY_ZONE_CHECK;
    int ret = 0;
    int status =
        mysql_real_query_start(&ret, c->mysql, c->zone_sql, (unsigned long)strlen(c->zone_sql));
    if (status) {
        wait_for(c, status);
        return;
    }
    zone_check_sent(c, ret);
}

/*
 * A value longer than its buffer was cut: grow the buffer, read the whole
 * value again from the row libmariadb holds (no network), and keep the larger
 * buffer for the rows that follow.
 */
static bool refetch_long_values(my_conn *c)
{
    bool rebind = false;
    for (size_t i = 0; i < c->ncols; i++) {
        value_buffer *v = &c->values[i];
        if (v->is_null || v->print != PRINTED_BY_LIBRARY || v->len <= v->cap)
            continue;
        unsigned long cap = v->len + 1;
        char *data = xrealloc(v->data, cap);
        v->data = data;
        v->cap = cap;
        MYSQL_BIND *b = &c->binds[i];
        b->buffer = v->data;
        b->buffer_length = v->cap;
        if (mysql_stmt_fetch_column(c->stmt, b, (unsigned)i, 0))
            return false;
        rebind = true;
    }
    return !rebind || mysql_stmt_bind_result(c->stmt, c->binds) == 0;
}

static void deliver_row(my_conn *c)
{
    for (size_t i = 0; i < c->ncols; i++) {
        value_buffer *v = &c->values[i];
        /* data holds at least MIN_VALUE_BUFFER bytes: room for either */
        if (v->print == PRINT_INTEGER && !v->is_null)
            v->len = print_integer(v->data, v->number, v->is_unsigned);
        else if (v->print == PRINT_TEMPORAL && !v->is_null)
            v->len = print_temporal(v->data, v);
        c->row[i] = v->is_null ? NULL : v->data;
        c->lengths[i] = v->is_null ? 0 : v->len;
    }
    c->sink.on_row(c->sink.ctx, c->row, c->lengths);
}

/* One mysql_stmt_fetch finished with ret: true while more rows may follow. */
static bool fetched(my_conn *c, int ret)
{
    if (ret == MYSQL_NO_DATA) {
        finish_statement(c);
        return false;
    }
    if (ret != 0 && ret != MYSQL_DATA_TRUNCATED) {
        statement_failed(c);
        return false;
    }
    if (!refetch_long_values(c)) {
        statement_failed(c);
        return false;
    }
    if (!c->failed && !c->discard)
        deliver_row(c);
    return true;
}

static void flush_sink(my_conn *c)
{
    if (c->sink.on_flush && !c->failed && !c->discard)
        c->sink.on_flush(c->sink.ctx);
}

/* Fetches rows until paused, blocked on the socket, finished, or a turn's worth. */
static void fetch_rows(my_conn *c)
{
    for (int n = 0; n < ROWS_PER_TURN; n++) {
        if (c->paused)
            return;
        int ret = 0;
        int status = mysql_stmt_fetch_start(&ret, c->stmt);
        if (status) {
            flush_sink(c);
            wait_for(c, status);
            return;
        }
        if (!fetched(c, ret))
            return;
    }
    /* Rows keep coming: let the loop serve others, then go on. */
    flush_sink(c);
    event_active(c->next_turn, 0, 0);
}

static void next_turn_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    my_conn *c = arg;
    if (c->state == MY_FETCHING && !c->suspended && !c->paused)
        fetch_rows(c);
}

/* The socket is ready for the suspended call (or its timeout passed): continue it. */
static void socket_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    my_conn *c = arg;
    int ready = 0;
    if (what & EV_READ)
        ready |= MYSQL_WAIT_READ;
    if (what & EV_WRITE)
        ready |= MYSQL_WAIT_WRITE;
    if (what & EV_TIMEOUT)
        ready |= MYSQL_WAIT_TIMEOUT;
    c->suspended = false;
    int status = 0;
    switch (c->state) {
    case MY_CONNECTING: {
        MYSQL *ret = NULL;
        status = mysql_real_connect_cont(&ret, c->mysql, ready);
        if (!status)
            connect_done(c, ret);
        break;
    }
    case MY_IDLE:
        /* Readable while idle: the server closed us (restart, wait_timeout, KILL). */
        log_warn("backend '%s': idle connection closed by the server", c->target.conn.name);
        c->base.broken = true;
        pool_discard_idle(&c->base);
        return;
    case MY_ZONE_CHECK: {
        int ret = 0;
        status = mysql_real_query_cont(&ret, c->mysql, ready);
        if (!status)
            zone_check_sent(c, ret);
        break;
    }
    case MY_ZONE_RESULT: {
        MYSQL_RES *res = NULL;
        status = mysql_store_result_cont(&res, c->mysql, ready);
        if (!status)
            zone_checked(c, res);
        break;
    }
    case MY_PREPARING: {
        int ret = 0;
        status = mysql_stmt_prepare_cont(&ret, c->stmt, ready);
        if (!status)
            prepared(c, ret);
        break;
    }
    case MY_EXECUTING: {
        int ret = 0;
        status = mysql_stmt_execute_cont(&ret, c->stmt, ready);
        if (!status)
            executed(c, ret);
        break;
    }
    case MY_FETCHING: {
        int ret = 0;
        status = mysql_stmt_fetch_cont(&ret, c->stmt, ready);
        if (!status && fetched(c, ret))
            fetch_rows(c);
        break;
    }
    case MY_CLOSING_STMT: {
        my_bool ret;
        status = mysql_stmt_close_cont(&ret, c->stmt, ready);
        if (!status)
            stmt_closed(c);
        break;
    }
    case MY_AWAIT_KILL:
        break;
    }
    /* c may be gone once a step completed: only a still-suspended call touches it. */
    if (status)
        wait_for(c, status);
}

static void my_run(backend_conn *bc, const atomic_query *q, const backend_sink *sink)
{
    my_conn *c = (my_conn *)bc;
    event_del(c->ev); /* no longer watched as idle */
    c->sink = *sink;
    c->paused = false;
    c->discard = false;
    c->columns_sent = false;
    c->failed = false;
    /* Own copies: the plan may go away (client gone) while the query is on its way. */
    c->sql = dup_or_null(q->sql);
    copy_params(c, q);
    c->stmt = mysql_stmt_init(c->mysql);
    if (!c->stmt) {
        fail_query(c, mysql_errno(c->mysql), mysql_sqlstate(c->mysql), mysql_error(c->mysql));
        c->base.broken = true;
        report_done(c);
        return;
    }
    if (q->tz_name && !zone_known(c, q->tz_name)) {
        c->zone = xstrdup(q->tz_name);
        c->zone_source = xstrdup(q->src ? q->src->name : "?");
        start_zone_check(c);
        return;
    }
    start_prepare(c);
}

static void my_pause(backend_conn *bc)
{
    my_conn *c = (my_conn *)bc;
    c->paused = true;
}

static void my_resume(backend_conn *bc)
{
    my_conn *c = (my_conn *)bc;
    if (!c->paused)
        return;
    c->paused = false;
    event_active(c->next_turn, 0, 0);
}

static void my_idle(backend_conn *bc)
{
    my_conn *c = (my_conn *)bc;
    event_del(c->ev);
    event_assign(c->ev, c->loop, (evutil_socket_t)mysql_get_socket(c->mysql), EV_READ, socket_cb,
                 c);
    event_add(c->ev, NULL);
}

/* ---- Cancelling ------------------------------------------------------------------ */

/*
 * MySQL cancels a query with KILL QUERY <thread id> sent on another
 * connection. Connecting is a blocking call here, so it runs on a worker.
 */
static void kill_query(void *arg)
{
    kill_job *k = arg;
    MYSQL *m = mysql_init(NULL);
    if (!m) {
        snprintf(k->error, sizeof(k->error), "out of memory");
        return;
    }
    unsigned timeout = 5;
    mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &timeout);
    mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
    const my_target *t = &k->target;
    my_tls_configure(m, &t->conn); /* the same TLS as the connection it cancels for */
    char sql[64];
    snprintf(sql, sizeof(sql), "KILL QUERY %lu", k->thread_id);
    if (!mysql_real_connect(m, t->conn.host, t->conn.user, t->conn.password, t->conn.database,
                            t->port, NULL, 0) ||
        mysql_query(m, sql))
        snprintf(k->error, sizeof(k->error), "ERROR %u: %s", mysql_errno(m), mysql_error(m));
    mysql_close(m);
}

static void kill_done(void *arg)
{
    kill_job *k = arg;
    if (k->error[0])
        log_warn("backend '%s': cancelling a query failed: %s", k->target.conn.name, k->error);
    my_conn *c = k->conn;
    target_free(&k->target);
    free(k);
    if (!c)
        return;
    c->kill = NULL;
    if (c->state == MY_AWAIT_KILL)
        report_done(c);
}

static void my_cancel(backend_conn *bc)
{
    my_conn *c = (my_conn *)bc;
    if (c->discard)
        return;
    if (c->state == MY_ZONE_CHECK || c->state == MY_ZONE_RESULT) {
        c->discard = true; /* the check is short: the query won't start after it */
        return;
    }
    if (c->state != MY_PREPARING && c->state != MY_EXECUTING && c->state != MY_FETCHING)
        return;
    c->discard = true;
    kill_job *k = xcalloc(1, sizeof(*k));
    k->conn = c;
    target_copy(&k->target, &c->target.conn);
    k->thread_id = mysql_thread_id(c->mysql);
    c->kill = k;
    workers_submit(kill_query, kill_done, k);
    /* Its rows are unwanted now: read on, so the error or the end arrives. */
    c->paused = false;
    event_active(c->next_turn, 0, 0);
}

static bool my_alive(backend_conn *bc, const char **why)
{
    my_conn *c = (my_conn *)bc;
    return tcp_liveness_idle_ok((int)mysql_get_socket(c->mysql), why);
}

static const backend_ops mysql_ops = {
    .run = my_run,
    .pause = my_pause,
    .resume = my_resume,
    .idle = my_idle,
    .close = my_close,
    .cancel = my_cancel,
    .alive = my_alive,
};
