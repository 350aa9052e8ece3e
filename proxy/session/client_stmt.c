/*
 * Prepared statements: COM_STMT_PREPARE, EXECUTE, CLOSE, RESET and
 * SEND_LONG_DATA. A prepared statement is its text, its placeholder count
 * and what the client bound last (types, long data). The prepare plans the
 * text with NULL for its placeholders to report MySQL's prepare-time errors
 * and the result's columns when they are known before it runs. Each execute
 * plans the text anew with the bound values as literals (planner_plan_params)
 * and runs it like COM_QUERY, answering with binary-protocol rows.
 *
 * Errors are MySQL's: an unknown statement id is 1243, parameters that do not
 * decode are 1210; the session stays usable after both.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy/session/client_internal.h"
#include "proxy/exec/columns.h"
#include "proxy/log.h"
#include "proxy/server.h"
#include "wire/binary.h"
#include "wire/xalloc.h"

/* Per session: enough for any driver's statement cache, bounded for memory. */
#define MAX_PREPARED_STMTS 1024
/* MySQL's limit: the parameter count travels as two bytes. */
#define MAX_PARAMS 65535

#define ER_PS_MANY_PARAM 1390

struct prepared_stmt {
    uint32_t id;
    char *sql;
    size_t len;
    uint16_t nparams;
    uint16_t *types;       /* bound by the last execute; 0xFFFF before any */
    bool *long_data_used;  /* COM_STMT_SEND_LONG_DATA arrived for the parameter */
    buf *long_data;        /* its bytes */
    bool long_data_failed; /* a chunk was refused: reported at the next execute */
    prepared_stmt *next;
};

static void free_stmt(prepared_stmt *st)
{
    for (size_t i = 0; i < st->nparams; i++)
        buf_free(&st->long_data[i]);
    free(st->long_data);
    free(st->long_data_used);
    free(st->types);
    free(st->sql);
    free(st);
}

void client_stmt_free_all(client *cl)
{
    while (cl->stmts) {
        prepared_stmt *st = cl->stmts;
        cl->stmts = st->next;
        free_stmt(st);
    }
    cl->nstmts = 0;
}

static prepared_stmt *find_stmt(client *cl, uint32_t id)
{
    for (prepared_stmt *st = cl->stmts; st; st = st->next)
        if (st->id == id)
            return st;
    return NULL;
}

static void reset_long_data(prepared_stmt *st)
{
    for (size_t i = 0; i < st->nparams; i++) {
        buf_reset(&st->long_data[i]);
        st->long_data_used[i] = false;
    }
    st->long_data_failed = false;
}

/* The statement id of a COM_STMT_* packet, or false when it is too short. */
static bool packet_stmt_id(const client *cl, uint32_t *id)
{
    return wire_parse_stmt_id(cl->packet.data, cl->packet.len, id);
}

static void unknown_stmt(client *cl, uint32_t id, const char *command)
{
    client_send_err(cl, ER_UNKNOWN_STMT_HANDLER, "HY000",
                    "Unknown prepared statement handler (%u) given to %s", id, command);
}

/* ---- COM_STMT_PREPARE ---------------------------------------------------------- */

static void send_prepare_ok(client *cl, const prepared_stmt *st, const wire_column *cols,
                            size_t ncols)
{
    wire_write_stmt_prepare_ok(&cl->out, &cl->seq, st->id, (uint16_t)ncols, st->nparams, 0);
    /* MySQL describes each parameter as an untyped value named "?"; drivers
     * only count these. */
    wire_column param = {.schema = "",
                         .table = "",
                         .org_table = "",
                         .name = "?",
                         .org_name = "",
                         .charset = CHARSET_BINARY,
                         .type = MYSQL_TYPE_VAR_STRING};
    for (size_t i = 0; i < st->nparams; i++)
        wire_write_column_def(&cl->out, &cl->seq, &param);
    if (st->nparams && !(cl->caps & CLIENT_DEPRECATE_EOF))
        wire_write_eof(&cl->out, &cl->seq, client_status(cl), 0);
    for (size_t i = 0; i < ncols; i++)
        wire_write_column_def(&cl->out, &cl->seq, &cols[i]);
    if (ncols && !(cl->caps & CLIENT_DEPRECATE_EOF))
        wire_write_eof(&cl->out, &cl->seq, client_status(cl), 0);
    client_flush(cl);
}

void client_stmt_prepare(client *cl)
{
    const char *sql = (const char *)cl->packet.data + 1;
    size_t len = cl->packet.len - 1;
    session_info s = client_session_info(cl);
    arena_free(&cl->stmt);
    arena_init(&cl->stmt);
    action act;
    memset(&act, 0, sizeof(act));
    size_t nparams = 0;
    if (!planner_prepare(&cl->stmt, &s, sql, len, &nparams, &act)) {
        client_send_error(cl, &act.error);
        return;
    }
    if (nparams > MAX_PARAMS) {
        client_send_err(cl, ER_PS_MANY_PARAM, "HY000",
                        "Prepared statement contains too many placeholders (%zu; at most %d)",
                        nparams, MAX_PARAMS);
        return;
    }
    if (cl->nstmts >= MAX_PREPARED_STMTS) {
        client_send_err(cl, ER_MAX_PREPARED_STMT_COUNT_REACHED, "42000",
                        "Can't create more than max_prepared_stmt_count statements (current "
                        "value: %d): close the statements this session no longer uses",
                        MAX_PREPARED_STMTS);
        return;
    }
    prepared_stmt *st = xcalloc(1, sizeof(*st));
    st->id = cl->next_stmt_id++;
    if (cl->next_stmt_id == 0)
        cl->next_stmt_id = 1; /* 0 is never a valid id */
    st->sql = xmalloc(len + 1);
    st->nparams = (uint16_t)nparams;
    st->types = xmalloc((nparams + 1) * sizeof(*st->types));
    st->long_data_used = xcalloc(nparams + 1, sizeof(*st->long_data_used));
    st->long_data = xcalloc(nparams + 1, sizeof(*st->long_data));
    memcpy(st->sql, sql, len);
    st->sql[len] = '\0';
    st->len = len;
    for (size_t i = 0; i < nparams; i++) {
        st->types[i] = 0xFFFF;
        buf_init(&st->long_data[i]);
    }
    st->next = cl->stmts;
    cl->stmts = st;
    cl->nstmts++;

    /* The result's columns, when they are known before it runs: answers the
     * planner computes itself, and metrics queries whose types the semantic
     * layer knows, described exactly as their execute will describe them
     * (planner/layer_types.h). Otherwise none: the execute describes them,
     * which every driver accepts. */
    wire_column *defs = NULL;
    size_t ncols = 0;
    if (act.kind == ACTION_ROWS) {
        defs = const_result_columns(&act.rows);
        ncols = act.rows.ncols;
    } else if (act.kind == ACTION_QUERY && act.rows.ncols == act.plan->ncols) {
        ncols = act.rows.ncols;
        defs = xcalloc(ncols + 1, sizeof(*defs));
        for (size_t i = 0; i < ncols; i++)
            column_definition(&act.rows.cols[i], act.plan->cols[i].name, act.plan->cols[i].org_name,
                              &defs[i]);
    }
    send_prepare_ok(cl, st, defs, ncols);
    free(defs);
}

/* ---- COM_STMT_EXECUTE ---------------------------------------------------------- */

static literal_kind literal_of(wire_value_kind k)
{
    switch (k) {
    case WIRE_VALUE_NULL:
        return LIT_NULL;
    case WIRE_VALUE_INTEGER:
        return LIT_INT;
    case WIRE_VALUE_DECIMAL:
    case WIRE_VALUE_FLOAT:
        return LIT_NUMBER;
    case WIRE_VALUE_STRING:
    case WIRE_VALUE_TEMPORAL:
    default:
        return LIT_STRING;
    }
}

/* A copy in the statement's arena: the plan refers to literal texts until it ends. */
static const char *arena_bytes(arena *a, const void *data, size_t len)
{
    char *p = arena_alloc(a, len + 1);
    if (len)
        memcpy(p, data, len);
    p[len] = '\0';
    return p;
}

static const char *params_problem(wire_params_status st)
{
    switch (st) {
    case WIRE_PARAMS_TRUNCATED:
        return "the packet ends before every parameter value";
    case WIRE_PARAMS_NO_TYPES:
        return "no parameter types were ever bound (new-params-bound flag is 0)";
    case WIRE_PARAMS_BAD_VALUE:
        return "a parameter value does not fit its type";
    default:
        return "";
    }
}

void client_stmt_execute(client *cl)
{
    wire_stmt_execute ex;
    if (!wire_parse_stmt_execute(cl->packet.data, cl->packet.len, &ex)) {
        client_send_err(cl, ER_MALFORMED_PACKET, "HY000",
                        "Malformed communication packet: COM_STMT_EXECUTE is shorter than its "
                        "10-byte header");
        return;
    }
    prepared_stmt *st = find_stmt(cl, ex.stmt_id);
    if (!st) {
        unknown_stmt(cl, ex.stmt_id, "mysqld_stmt_execute");
        return;
    }
    if (st->long_data_failed) {
        reset_long_data(st);
        client_send_err(cl, ER_WRONG_ARGUMENTS, "HY000",
                        "Incorrect arguments to mysqld_stmt_execute: long data sent with "
                        "COM_STMT_SEND_LONG_DATA was refused (bad parameter number, or more than "
                        "max_allowed_packet bytes)");
        return;
    }
    wire_param_value *values = xcalloc(st->nparams + 1, sizeof(*values));
    buf text;
    buf_init(&text);
    wire_params_status ps = wire_parse_stmt_params(ex.rest, ex.rest_len, st->nparams, st->types,
                                                   st->long_data_used, &text, values);
    if (ps != WIRE_PARAMS_OK) {
        log_info("client %u: COM_STMT_EXECUTE of statement %u: %s", cl->id, st->id,
                 params_problem(ps));
        client_send_err(cl, ER_WRONG_ARGUMENTS, "HY000",
                        "Incorrect arguments to mysqld_stmt_execute: %s (statement %u has %u "
                        "parameters)",
                        params_problem(ps), st->id, st->nparams);
        free(values);
        buf_free(&text);
        reset_long_data(st);
        return;
    }

    arena_free(&cl->stmt);
    arena_init(&cl->stmt);
    param_value *params = arena_alloc(&cl->stmt, (st->nparams + 1) * sizeof(*params));
    for (size_t i = 0; i < st->nparams; i++) {
        bool is_long = st->long_data_used[i]; /* even with the NULL bit (wire/binary.h) */
        const void *data = is_long ? (const void *)st->long_data[i].data : values[i].text;
        size_t len = is_long ? st->long_data[i].len : values[i].len;
        params[i].kind = literal_of(values[i].kind);
        params[i].text = arena_bytes(&cl->stmt, data, len);
        params[i].len = len;
    }
    free(values);
    buf_free(&text);
    /* Long data is consumed by the execute it was sent for, as in MySQL. */
    reset_long_data(st);

    session_info s = client_session_info(cl);
    query_log_begin(&cl->qlog, st->sql, st->len, cl->bytes_out);
    action act;
    memset(&act, 0, sizeof(act));
    planner_plan_params(&cl->stmt, &s, st->sql, st->len, params, st->nparams, &act);
    cl->binary_rows = true;
    client_keep_for_retry(cl, &act, st->sql, st->len, params, st->nparams);
    client_run_action(cl, &act);
}

/* ---- CLOSE, RESET, SEND_LONG_DATA ---------------------------------------------- */

void client_stmt_close(client *cl)
{
    /* No answer, ever: not even for an unknown id (MySQL's behaviour). */
    uint32_t id;
    if (!packet_stmt_id(cl, &id))
        return;
    for (prepared_stmt **p = &cl->stmts; *p; p = &(*p)->next) {
        if ((*p)->id == id) {
            prepared_stmt *st = *p;
            *p = st->next;
            free_stmt(st);
            cl->nstmts--;
            return;
        }
    }
}

void client_stmt_reset(client *cl)
{
    uint32_t id;
    if (!packet_stmt_id(cl, &id)) {
        client_send_err(cl, ER_MALFORMED_PACKET, "HY000",
                        "Malformed communication packet: COM_STMT_RESET needs a statement id");
        return;
    }
    prepared_stmt *st = find_stmt(cl, id);
    if (!st) {
        unknown_stmt(cl, id, "mysqld_stmt_reset");
        return;
    }
    reset_long_data(st);
    client_send_ok(cl);
}

void client_stmt_send_long_data(client *cl)
{
    /* No answer either: a problem is remembered and reported by the next execute. */
    wire_stmt_long_data ld;
    if (!wire_parse_stmt_long_data(cl->packet.data, cl->packet.len, &ld))
        return;
    prepared_stmt *st = find_stmt(cl, ld.stmt_id);
    if (!st)
        return;
    if (ld.param >= st->nparams ||
        st->long_data[ld.param].len + ld.data_len > srv.cfg.max_allowed_packet) {
        st->long_data_failed = true;
        return;
    }
    buf_append(&st->long_data[ld.param], ld.data, ld.data_len);
    st->long_data_used[ld.param] = true;
}
