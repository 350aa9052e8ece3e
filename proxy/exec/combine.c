#include "proxy/exec/combine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "proxy/backend/backend.h"
#include "proxy/backend/sqlite_functions.h"
#include "proxy/exec/combine_functions.h"
#include "proxy/exec/combine_periods.h"
#include "proxy/exec/decimal.h"
#include "wire/buf.h"
#include "wire/xalloc.h"

/* A loaded value held until its row is inserted (with the rows around it). */
typedef struct held_value {
    int kind;           /* SQLITE_NULL, SQLITE_INTEGER, SQLITE_TEXT or SQLITE_BLOB */
    sqlite3_int64 n;    /* SQLITE_INTEGER */
    size_t offset, len; /* TEXT and BLOB: the bytes in held_data */
} held_value;

/*
 * Rows are inserted ROWS_PER_INSERT at a time, by one INSERT ... VALUES (...), (...)
 * statement: each step and reset of a prepared INSERT costs about as much as the row
 * it inserts, so one row per statement took twice as long (200,000 rows of an
 * integer and a decimal: 61 ms, against 31 ms eight at a time and 27 ms 32 at a time).
 * At most MAX_INSERT_VALUES parameters per statement (SQLite's limit is 32,766).
 */
#define ROWS_PER_INSERT   32
#define MAX_INSERT_VALUES 999

typedef struct combine_table {
    sqlite3_stmt *insert;      /* one row */
    sqlite3_stmt *insert_rows; /* rows_per_insert rows; NULL when that is one */
    size_t rows_per_insert;
    size_t held_rows; /* rows loaded and not inserted yet */
    size_t held_cap;  /* the rows held has room for: more while a worker has the database */
    held_value *held; /* held_cap x ncols */
    buf held_data;    /* their text and blob bytes */
    char *create_sql; /* CREATE TABLE waiting for the database (combine_settle); or NULL */
    char *index_sql;  /* CREATE INDEX on the join keys, not built yet; or NULL */
    size_t ncols;
    value_type *types;
    int *scales;     /* the largest scale of each DECIMAL column's values */
    int *min_scales; /* and the smallest, to pad the others to the largest */
    char **names;
    size_t nkeys; /* the join keys: a DECIMAL key is a number (REAL), not text */
} combine_table;

struct combine {
    sqlite3 *db;
    size_t ntables;
    combine_table *tables;
    bool in_transaction;
    /* A worker indexes a table (combine_index_table): loads are held in memory until
     * combine_settle, so that the loop never touches the database meanwhile. */
    bool lent;
};

static bool sqlite_fail(sqlite3 *db, char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "combine: %s: %s", what, sqlite3_errmsg(db));
    return false;
}

combine *combine_new(size_t ntables, char *err, size_t errlen)
{
    combine *c = xcalloc(1, sizeof(*c));
    c->ntables = ntables;
    c->tables = xcalloc(ntables, sizeof(*c->tables));
    /*
     * No mutex on the connection: the loop loads the tables, then a worker steps the
     * final query while the loop waits for its batch (exec.c's `combining`), so one
     * thread at a time uses it. SQLite's serialized mode would take the connection's
     * and the page cache's mutexes on every call and page: stepping scenario 4's
     * join of 200,000 rows took 141 ms without them against 165 ms with them.
     */
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(":memory:", &c->db, flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "combine: cannot open an in-memory SQLite database");
        combine_free(c);
        return NULL;
    }
    if (!combine_functions_register(c->db) || !combine_periods_register(c->db) ||
        !sqlite_functions_register(c->db)) {
        snprintf(err, errlen, "combine: cannot register Mimir's SQLite functions");
        combine_free(c);
        return NULL;
    }
    /* One transaction around all loads: bulk inserts are fast inside one. */
    sqlite3_exec(c->db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN", NULL, NULL, NULL);
    c->in_transaction = true;
    return c;
}

void combine_free(combine *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->ntables; i++) {
        sqlite3_finalize(c->tables[i].insert);
        sqlite3_finalize(c->tables[i].insert_rows);
        free(c->tables[i].held);
        buf_free(&c->tables[i].held_data);
        free(c->tables[i].create_sql);
        free(c->tables[i].index_sql);
        free(c->tables[i].types);
        free(c->tables[i].scales);
        free(c->tables[i].min_scales);
        for (size_t k = 0; c->tables[i].names && k < c->tables[i].ncols; k++)
            free(c->tables[i].names[k]);
        free(c->tables[i].names);
    }
    free(c->tables);
    sqlite3_close(c->db);
    free(c);
}

/*
 * Affinity that keeps each type comparable and sortable the way the backend had it.
 * DECIMAL values are kept as their text, exact: the final SQL computes on them with
 * the functions of combine_functions.h, and the column's mimir_decimal collation
 * compares them as numbers (ORDER BY, GROUP BY, MIN and MAX on the column). Join keys
 * are numbers (REAL) instead: the coalesced key of a FULL JOIN ... USING loses its
 * column's collation, and 1.5 of one source must meet 1.50 of another.
 */
static const char *affinity(value_type t, bool key)
{
    switch (t) {
    case VT_BOOL:
    case VT_INT16:
    case VT_INT32:
    case VT_INT64:
        return "INTEGER";
    case VT_DECIMAL:
        return key ? "NUMERIC" : "TEXT COLLATE mimir_decimal";
    case VT_FLOAT:
    case VT_DOUBLE:
        return "REAL";
    case VT_BLOB:
        return "BLOB";
    default:
        return "TEXT";
    }
}

static void append_ident(buf *b, const char *name)
{
    buf_append_byte(b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            buf_append_byte(b, '"');
        buf_append_byte(b, (uint8_t)*p);
    }
    buf_append_byte(b, '"');
}

/*
 * Without an index SQLite runs FULL OUTER JOIN ... USING as a nested loop
 * over the right-hand table (no automatic index for the RIGHT JOIN half):
 * 200,000 groups per source took minutes (docs/performance.md, scenario 4).
 * The index is built after the table's load (sorting once is faster than growing
 * it row by row: 124 ms against 490 ms for 200,000 keys), by combine_index_table
 * while other sources still run, or by combine_index.
 */
static char *key_index_sql(size_t i, const char *const *names, size_t nkeys)
{
    buf sql;
    buf_init(&sql);
    buf_printf(&sql, "CREATE INDEX \"s%zu_keys\" ON \"s%zu\" (", i, i);
    for (size_t k = 0; k < nkeys; k++) {
        buf_append_str(&sql, k ? ", " : "");
        append_ident(&sql, names[k]);
    }
    buf_append_str(&sql, ")");
    char *out = xstrdup(buf_cstr(&sql));
    buf_free(&sql);
    return out;
}

/*
 * Every DECIMAL value at its column's scale ("10.5" becomes "10.50" when another
 * value has two decimals), as MySQL has them: the scale of a quotient or of a
 * ROUND follows the scale of its operand. Only columns whose values disagree
 * are rewritten; a backend that declares the scale never needs it. Best effort,
 * like the index: the values are sent at their column's scale anyway.
 */
static void pad_decimals(combine *c)
{
    for (size_t i = 0; i < c->ntables; i++) {
        combine_table *t = &c->tables[i];
        for (size_t k = t->nkeys; k < t->ncols; k++) {
            if (t->types[k] != VT_DECIMAL || t->min_scales[k] >= t->scales[k])
                continue;
            buf upd;
            buf_init(&upd);
            buf_printf(&upd, "UPDATE \"s%zu\" SET ", i);
            append_ident(&upd, t->names[k]);
            buf_append_str(&upd, " = mimir_round(");
            append_ident(&upd, t->names[k]);
            buf_printf(&upd, ", %d)", t->scales[k]);
            sqlite3_exec(c->db, buf_cstr(&upd), NULL, NULL, NULL);
            buf_free(&upd);
            t->min_scales[k] = t->scales[k];
        }
    }
}

/* Best effort: without the index the join is slower, not wrong. */
static void build_index(combine *c, combine_table *t)
{
    if (!t->index_sql)
        return;
    sqlite3_exec(c->db, t->index_sql, NULL, NULL, NULL);
    free(t->index_sql);
    t->index_sql = NULL;
}

void combine_index(combine *c, size_t outer)
{
    pad_decimals(c); /* once: then every column's values agree */
    for (size_t i = 0; i < c->ntables; i++)
        if (i != outer)
            build_index(c, &c->tables[i]);
}

/* INSERT INTO s<i> VALUES (?, ...), ... with rows rows of n values. */
static bool prepare_insert(sqlite3 *db, size_t i, size_t n, size_t rows, sqlite3_stmt **out)
{
    buf insert;
    buf_init(&insert);
    buf_printf(&insert, "INSERT INTO \"s%zu\" VALUES ", i);
    for (size_t r = 0; r < rows; r++) {
        buf_append_str(&insert, r ? ", (" : "(");
        for (size_t k = 0; k < n; k++)
            buf_append_str(&insert, k ? ", ?" : "?");
        buf_append_str(&insert, ")");
    }
    bool ok = sqlite3_prepare_v2(db, buf_cstr(&insert), -1, out, NULL) == SQLITE_OK;
    buf_free(&insert);
    return ok;
}

/* The table's CREATE and INSERTs, once the database is the loop's. */
static bool create_table(combine *c, size_t i, char *err, size_t errlen)
{
    combine_table *t = &c->tables[i];
    bool ok = sqlite3_exec(c->db, t->create_sql, NULL, NULL, NULL) == SQLITE_OK &&
              prepare_insert(c->db, i, t->ncols, 1, &t->insert) &&
              (t->rows_per_insert == 1 ||
               prepare_insert(c->db, i, t->ncols, t->rows_per_insert, &t->insert_rows));
    free(t->create_sql);
    t->create_sql = NULL;
    return ok || sqlite_fail(c->db, err, errlen, "cannot create a table");
}

bool combine_create(combine *c, size_t i, const char *const *names, const result_column *cols,
                    size_t n, size_t nkeys, char *err, size_t errlen)
{
    combine_table *t = &c->tables[i];
    t->ncols = n;
    t->types = xcalloc(n + 1, sizeof(*t->types));
    t->scales = xcalloc(n + 1, sizeof(*t->scales));
    for (size_t k = 0; k < n; k++)
        t->scales[k] = -1; /* no value seen yet */
    t->min_scales = xcalloc(n + 1, sizeof(*t->min_scales));
    for (size_t k = 0; k < n; k++)
        t->min_scales[k] = DECIMAL_MAX_SCALE + 1;
    t->nkeys = nkeys;
    t->names = xcalloc(n + 1, sizeof(*t->names));
    for (size_t k = 0; k < n; k++)
        t->names[k] = xstrdup(names[k]);
    buf create;
    buf_init(&create);
    buf_printf(&create, "CREATE TABLE \"s%zu\" (", i);
    for (size_t k = 0; k < n; k++) {
        t->types[k] = cols[k].type;
        buf_append_str(&create, k ? ", " : "");
        append_ident(&create, names[k]);
        buf_printf(&create, " %s", affinity(cols[k].type, k < nkeys));
    }
    buf_append_str(&create, ")");
    /* Any table but the one the join scans may be looked up (combine_index's outer). */
    if (nkeys > 0 && nkeys <= n)
        t->index_sql = key_index_sql(i, names, nkeys);
    t->rows_per_insert =
        n && MAX_INSERT_VALUES / n < ROWS_PER_INSERT ? MAX_INSERT_VALUES / n : ROWS_PER_INSERT;
    if (t->rows_per_insert < 1)
        t->rows_per_insert = 1;
    t->held_cap = t->rows_per_insert;
    t->held = xcalloc(t->held_cap * n + 1, sizeof(*t->held));
    buf_init(&t->held_data);
    t->create_sql = xstrdup(buf_cstr(&create));
    buf_free(&create);
    return c->lent || create_table(c, i, err, errlen);
}

/*
 * An integer in its plain decimal form ("-42", "0"; no sign "+", no leading zero, at
 * most 18 digits so that it fits): what INTEGER affinity would store as that integer.
 * Anything else is bound as text and SQLite converts it as before.
 */
static bool plain_integer(const char *text, size_t len, sqlite3_int64 *out)
{
    size_t k = len > 0 && text[0] == '-' ? 1 : 0;
    if (len == k || len - k > 18 || (text[k] == '0' && len - k > 1) || (k && text[k] == '0'))
        return false;
    sqlite3_int64 v = 0;
    for (size_t j = k; j < len; j++) {
        if (text[j] < '0' || text[j] > '9')
            return false;
        v = v * 10 + (text[j] - '0');
    }
    *out = k ? -v : v;
    return true;
}

static bool integer_type(value_type t)
{
    return t == VT_BOOL || t == VT_INT16 || t == VT_INT32 || t == VT_INT64;
}

/* Binds held row r's values to st's parameters from first on (1-based). */
static void bind_held(const combine_table *t, sqlite3_stmt *st, size_t r, int first)
{
    const held_value *row = &t->held[r * t->ncols];
    for (size_t k = 0; k < t->ncols; k++) {
        int idx = first + (int)k;
        /* Only text and blob values have bytes (and an offset set). */
        const char *bytes = row[k].kind == SQLITE_TEXT || row[k].kind == SQLITE_BLOB
                                ? (const char *)t->held_data.data + row[k].offset
                                : NULL;
        switch (row[k].kind) {
        case SQLITE_NULL:
            sqlite3_bind_null(st, idx);
            break;
        case SQLITE_INTEGER:
            sqlite3_bind_int64(st, idx, row[k].n);
            break;
        case SQLITE_BLOB:
            sqlite3_bind_blob(st, idx, bytes, (int)row[k].len, SQLITE_STATIC);
            break;
        default:
            /* Column affinity turns numeric text into INTEGER/REAL (not DECIMAL text). */
            sqlite3_bind_text(st, idx, bytes, (int)row[k].len, SQLITE_STATIC);
            break;
        }
    }
}

static bool step_insert(sqlite3_stmt *st)
{
    bool ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_reset(st);
    return ok;
}

/* Inserts the held rows: a full statement's at a time, the rest one by one. */
static bool insert_held(combine_table *t)
{
    bool ok = true;
    size_t r = 0;
    for (; t->insert_rows && ok && t->held_rows - r >= t->rows_per_insert;
         r += t->rows_per_insert) {
        for (size_t k = 0; k < t->rows_per_insert; k++)
            bind_held(t, t->insert_rows, r + k, (int)(k * t->ncols) + 1);
        ok = step_insert(t->insert_rows);
    }
    for (; r < t->held_rows && ok; r++) {
        bind_held(t, t->insert, r, 1);
        ok = step_insert(t->insert);
    }
    t->held_rows = 0;
    buf_reset(&t->held_data);
    return ok;
}

bool combine_insert(combine *c, size_t i, const char *const *values, const size_t *lengths,
                    char *err, size_t errlen)
{
    combine_table *t = &c->tables[i];
    if (t->held_rows == t->held_cap) { /* only while lent: else a full statement goes in */
        t->held_cap *= 2;
        t->held = xrealloc(t->held, (t->held_cap * t->ncols + 1) * sizeof(*t->held));
    }
    held_value *row = &t->held[t->held_rows * t->ncols];
    for (size_t k = 0; k < t->ncols; k++) {
        held_value *v = &row[k];
        v->kind = SQLITE_TEXT;
        if (!values[k]) {
            v->kind = SQLITE_NULL;
            continue;
        }
        if (t->types[k] == VT_BLOB) {
            v->kind = SQLITE_BLOB;
        } else if (integer_type(t->types[k]) && plain_integer(values[k], lengths[k], &v->n)) {
            /* The storage class INTEGER affinity gives it, without SQLite parsing text. */
            v->kind = SQLITE_INTEGER;
            continue;
        } else if (t->types[k] == VT_DECIMAL) {
            int s = decimal_scale(values[k], lengths[k]);
            if (s > t->scales[k])
                t->scales[k] = s;
            if (s < t->min_scales[k])
                t->min_scales[k] = s;
        }
        v->offset = t->held_data.len;
        v->len = lengths[k];
        buf_append(&t->held_data, values[k], lengths[k]);
    }
    if (++t->held_rows < t->rows_per_insert || c->lent)
        return true;
    return insert_held(t) || sqlite_fail(c->db, err, errlen, "cannot load a partial result");
}

bool combine_index_table(combine *c, size_t i, char *err, size_t errlen)
{
    combine_table *t = &c->tables[i];
    if (!t->index_sql || t->create_sql)
        return true;
    if (t->held_rows && !insert_held(t))
        return sqlite_fail(c->db, err, errlen, "cannot load a partial result");
    build_index(c, t);
    return true;
}

bool combine_has_index_to_build(const combine *c, size_t i)
{
    return c->tables[i].index_sql != NULL;
}

void combine_lend(combine *c)
{
    c->lent = true;
}

bool combine_settle(combine *c, char *err, size_t errlen)
{
    c->lent = false;
    for (size_t i = 0; i < c->ntables; i++) {
        combine_table *t = &c->tables[i];
        if (t->create_sql && !create_table(c, i, err, errlen))
            return false;
        if (t->held_rows >= t->rows_per_insert && !insert_held(t))
            return sqlite_fail(c->db, err, errlen, "cannot load a partial result");
    }
    return true;
}

int combine_scale(const combine *c, size_t i, size_t col)
{
    return c->tables[i].scales[col];
}

static bool fits_int64(const char *text)
{
    errno = 0;
    char *end;
    (void)strtoll(text, &end, 10);
    return errno == 0 && *end == '\0';
}

static void bind_params(sqlite3_stmt *st, const query_param *params, size_t nparams)
{
    for (size_t i = 0; i < nparams; i++) {
        int idx = (int)i + 1;
        if (params[i].kind == PARAM_INT && fits_int64(params[i].text))
            sqlite3_bind_int64(st, idx, strtoll(params[i].text, NULL, 10));
        else if (params[i].kind == PARAM_INT) /* past BIGINT: a DECIMAL, as MySQL reads it */
            sqlite3_bind_text(st, idx, params[i].text, -1, SQLITE_STATIC);
        else if (params[i].kind == PARAM_NUMBER && strpbrk(params[i].text, "eE"))
            sqlite3_bind_double(st, idx, strtod(params[i].text, NULL));
        else if (params[i].kind == PARAM_NUMBER) /* 1.5 is a DECIMAL: exact text */
            sqlite3_bind_text(st, idx, params[i].text, -1, SQLITE_STATIC);
        else
            sqlite3_bind_text(st, idx, params[i].text, -1, SQLITE_STATIC);
    }
}

sqlite3_stmt *combine_prepare(combine *c, const char *sql, const query_param *params,
                              size_t nparams, char *err, size_t errlen)
{
    for (size_t i = 0; i < c->ntables; i++) {
        /* The last rows of each table, fewer than a full INSERT's. */
        if (c->tables[i].held_rows && !insert_held(&c->tables[i])) {
            sqlite_fail(c->db, err, errlen, "cannot load a partial result");
            return NULL;
        }
    }
    if (c->in_transaction) {
        sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
        c->in_transaction = false;
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
        sqlite_fail(c->db, err, errlen, "cannot prepare the combine");
        return NULL;
    }
    bind_params(st, params, nparams);
    return st;
}

sqlite3 *combine_db(combine *c)
{
    return c->db;
}

/*
 * Is text what decimal_format prints at this scale: a '-' only before a nonzero value, no
 * leading zero but a lone one, scale digits after the point (none and no point for 0), 38
 * digits at most? PostgreSQL's NUMERIC text mostly is: then it goes out as it came.
 */
static bool canonical_decimal(const char *text, size_t len, int scale)
{
    size_t k = len && text[0] == '-' ? 1 : 0, start = k, digits = 0;
    bool nonzero = false;
    while (k < len && text[k] >= '0' && text[k] <= '9') {
        nonzero |= text[k] != '0';
        k++;
    }
    size_t int_digits = k - start;
    if (int_digits == 0 || (int_digits > 1 && text[start] == '0'))
        return false;
    digits = int_digits;
    if (scale > 0) {
        if (k >= len || text[k] != '.')
            return false;
        size_t frac = ++k;
        while (k < len && text[k] >= '0' && text[k] <= '9') {
            nonzero |= text[k] != '0';
            k++;
        }
        if (k - frac != (size_t)scale)
            return false;
        digits += (size_t)scale;
    }
    return k == len && digits <= 38 && (start == 0 || nonzero);
}

size_t combine_decimal_text(const char *value, size_t len, int scale, char *out)
{
    if (scale >= 0 && len < 64 && canonical_decimal(value, len, scale)) {
        memcpy(out, value, len);
        out[len] = '\0';
        return len;
    }
    decimal d;
    if (decimal_parse(value, len, &d) && decimal_rescale(&d, scale, DECIMAL_ROUND_HALF_AWAY))
        return decimal_format(&d, out);
    /* A join key SQLite holds as REAL and prints in exponent form: the nearest text. */
    char text[64];
    size_t n = len < sizeof(text) - 1 ? len : sizeof(text) - 1;
    memcpy(text, value, n);
    text[n] = '\0';
    int written = snprintf(out, 64, "%.*f", scale, strtod(text, NULL));
    return written <= 0 ? 0 : written < 64 ? (size_t)written : 63; /* cut as the text was */
}
