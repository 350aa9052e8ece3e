/*
 * Fuzz target: the command phase, as bytes on the socket. The input is a
 * stream of framed packets, each read like proxy/session/client.c reads a command
 * (wire_read_packet, sequence id 0) and decoded by the wire/ function the
 * session calls for its command byte:
 *
 *   COM_QUERY            cut into statements (planner/multi_statement.c)
 *   COM_FIELD_LIST       table and wildcard
 *   COM_SET_OPTION       the option
 *   COM_CHANGE_USER      user, auth response, database, plugin
 *   COM_STMT_PREPARE     a statement with one parameter per '?' of its text
 *   COM_STMT_EXECUTE     header and parameters, against the statements
 *                        prepared before in the same input (or, for an
 *                        unknown id, as many parameters as the id's low byte)
 *   COM_STMT_SEND_LONG_DATA, COM_STMT_CLOSE, COM_STMT_RESET
 *
 * Statements keep their bound types and long data from one packet to the
 * next, as client_stmt.c keeps them. Every decoded value is checked against
 * what the decoders promise.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "planner/multi_statement.h"
#include "tests/fuzz/support.h"
#include "wire/binary.h"
#include "wire/protocol.h"

#define FUZZ_MAX_PAYLOAD (1u << 20)
#define MAX_STMTS        8
#define MAX_PARAMS       512

typedef struct stmt {
    uint32_t id;
    uint16_t nparams;
    uint16_t types[MAX_PARAMS];
    bool long_data[MAX_PARAMS];
} stmt;

typedef struct session {
    stmt stmts[MAX_STMTS];
    size_t nstmts;
    uint32_t next_id;
    uint32_t caps;
} session;

static void check_inside(const uint8_t *payload, size_t len, const void *p, size_t n)
{
    if (!p)
        return;
    const uint8_t *q = p;
    assert(q >= payload && q <= payload + len && n <= (size_t)(payload + len - q));
}

static stmt *find_stmt(session *s, uint32_t id)
{
    for (size_t i = 0; i < s->nstmts; i++)
        if (s->stmts[i].id == id)
            return &s->stmts[i];
    return NULL;
}

static void query(const uint8_t *p, size_t len)
{
    stmt_span *spans = NULL;
    size_t n = multi_statement_split((const char *)p + 1, len - 1, &spans);
    size_t end = 0;
    for (size_t i = 0; i < n; i++) {
        assert(spans[i].start >= end && spans[i].len <= len - 1 - spans[i].start);
        end = spans[i].start + spans[i].len;
    }
    free(spans);
}

static void field_list(const uint8_t *p, size_t len)
{
    const uint8_t *table, *wild;
    size_t tlen, wlen;
    if (!wire_parse_field_list(p, len, &table, &tlen, &wild, &wlen))
        return;
    check_inside(p, len, table, tlen);
    assert(!memchr(table, 0, tlen));
    check_inside(p, len, wild, wlen);
}

static void change_user(session *s, const uint8_t *p, size_t len)
{
    wire_change_user r;
    if (!wire_parse_change_user(p, len, s->caps, &r))
        return;
    check_inside(p, len, r.user, strlen(r.user) + 1);
    check_inside(p, len, r.auth, r.auth_len);
    check_inside(p, len, r.database, strlen(r.database) + 1);
    if (r.auth_plugin)
        check_inside(p, len, r.auth_plugin, strlen(r.auth_plugin) + 1);
}

static void prepare(session *s, const uint8_t *p, size_t len)
{
    size_t n = 0;
    for (size_t i = 1; i < len; i++)
        n += p[i] == '?';
    stmt *st = s->nstmts < MAX_STMTS ? &s->stmts[s->nstmts++] : &s->stmts[s->next_id % MAX_STMTS];
    memset(st, 0, sizeof *st);
    st->id = ++s->next_id;
    st->nparams = (uint16_t)(n < MAX_PARAMS ? n : MAX_PARAMS);
    for (size_t i = 0; i < MAX_PARAMS; i++)
        st->types[i] = 0xFFFF;
}

static void check_value(const wire_param_value *v)
{
    switch (v->kind) {
    case WIRE_VALUE_NULL:
        return;
    case WIRE_VALUE_STRING:
        assert(v->text[v->len] == '\0');
        return;
    case WIRE_VALUE_INTEGER:
    case WIRE_VALUE_DECIMAL:
    case WIRE_VALUE_FLOAT:
    case WIRE_VALUE_TEMPORAL:
        /* Text made by the decoder itself: a C string without NULs. */
        assert(strlen(v->text) == v->len && v->len > 0);
        return;
    default:
        assert(!"unknown value kind");
    }
}

static void execute(session *s, const uint8_t *p, size_t len)
{
    wire_stmt_execute ex;
    if (!wire_parse_stmt_execute(p, len, &ex))
        return;
    check_inside(p, len, ex.rest, ex.rest_len);
    stmt scratch;
    stmt *st = find_stmt(s, ex.stmt_id);
    if (!st) {
        memset(&scratch, 0, sizeof scratch);
        scratch.nparams = (uint16_t)(ex.stmt_id & 0xFF);
        for (size_t i = 0; i < MAX_PARAMS; i++)
            scratch.types[i] = 0xFFFF;
        st = &scratch;
    }
    wire_param_value *values = calloc(st->nparams + 1u, sizeof *values);
    buf text;
    buf_init(&text);
    if (!values)
        abort();
    if (wire_parse_stmt_params(ex.rest, ex.rest_len, st->nparams, st->types, st->long_data, &text,
                               values) == WIRE_PARAMS_OK)
        for (size_t i = 0; i < st->nparams; i++)
            if (!st->long_data[i] || values[i].kind == WIRE_VALUE_NULL)
                check_value(&values[i]);
    free(values);
    buf_free(&text);
    memset(st->long_data, 0, sizeof st->long_data);
}

static void long_data(session *s, const uint8_t *p, size_t len)
{
    wire_stmt_long_data ld;
    if (!wire_parse_stmt_long_data(p, len, &ld))
        return;
    check_inside(p, len, ld.data, ld.data_len);
    stmt *st = find_stmt(s, ld.stmt_id);
    if (st && ld.param < st->nparams)
        st->long_data[ld.param] = true;
}

static void close_or_reset(session *s, const uint8_t *p, size_t len, bool close)
{
    uint32_t id;
    if (!wire_parse_stmt_id(p, len, &id))
        return;
    stmt *st = find_stmt(s, id);
    if (!st)
        return;
    if (close)
        *st = s->stmts[--s->nstmts];
    else
        memset(st->long_data, 0, sizeof st->long_data);
}

static void command(session *s, const uint8_t *p, size_t len)
{
    if (len == 0)
        return;
    uint16_t option;
    switch (p[0]) {
    case COM_QUERY:
        query(p, len);
        return;
    case COM_FIELD_LIST:
        field_list(p, len);
        return;
    case COM_SET_OPTION:
        wire_parse_set_option(p, len, &option);
        return;
    case COM_CHANGE_USER:
        change_user(s, p, len);
        return;
    case COM_STMT_PREPARE:
        prepare(s, p, len);
        return;
    case COM_STMT_EXECUTE:
        execute(s, p, len);
        return;
    case COM_STMT_SEND_LONG_DATA:
        long_data(s, p, len);
        return;
    case COM_STMT_CLOSE:
    case COM_STMT_RESET:
        close_or_reset(s, p, len, p[0] == COM_STMT_CLOSE);
        return;
    default:
        return;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The first byte picks the session's capabilities: how COM_CHANGE_USER
     * encodes its auth response, and whether it names a plugin. */
    if (size < 1)
        return 0;
    static session s;
    memset(&s, 0, sizeof s);
    s.caps = CLIENT_PROTOCOL_41 | (data[0] & 1 ? CLIENT_SECURE_CONNECTION : 0) |
             (data[0] & 2 ? CLIENT_PLUGIN_AUTH : 0);
    buf packet;
    buf_init(&packet);
    for (size_t pos = 1; pos < size;) {
        size_t consumed = 0;
        uint8_t seq = 0;
        buf_reset(&packet);
        if (wire_read_packet(data + pos, size - pos, FUZZ_MAX_PAYLOAD, 0, &consumed, &packet,
                             &seq) != WIRE_PACKET)
            break;
        pos += consumed;
        command(&s, packet.data, packet.len);
    }
    buf_free(&packet);
    return 0;
}
