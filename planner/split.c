/*
 * inquiry -> plan: one atomic query per source, and the combine.
 *
 * An atomic query wraps the source's own SQL: the dimensions it needs that
 * are not already output columns are spliced into the source's select list
 * (their SQL may name tables the source joins), the time filter goes into the
 * source's own WHERE (where an index on the time column can serve it), and
 * the metrics aggregate over the wrapped rows:
 *
 *   SELECT "d" AS "d", COUNT(rental_id) AS "m"
 *   FROM (SELECT <source list>, <dim sql> AS "d" FROM ... WHERE (<own>) AND t >= $1)
 *        AS "mimir_source"
 *   WHERE ("d" = $2) GROUP BY 1
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "planner/inquiry.h"
#include "planner/planner.h"

typedef struct source_job {
    const source *src;
    sql_dialect dialect;
    ptr_vec metrics; /* const metric * of this source, in inquiry order */
    ptr_vec splices; /* inquiry_dim * to splice into the source's select list */
    size_t query;    /* index of its atomic query */
} source_job;

typedef struct split_ctx {
    arena *a;
    const catalog *cat;
    const inquiry *q;
    source_job *job; /* while building its atomic query */
    sql_error *err;
} split_ctx;

static sql_dialect dialect_of(const connection *c)
{
    if (!c)
        return DIALECT_POSTGRES;
    switch (c->kind) {
    case CONN_MYSQL:
        return DIALECT_MYSQL;
    case CONN_SQLITE:
        return DIALECT_SQLITE;
    case CONN_POSTGRES:
        break;
    }
    return DIALECT_POSTGRES;
}

/* The inner column a spliced time grain gets, so it can't clash with the source's own. */
static const char *grain_column(arena *a, const inquiry_dim *d)
{
    return arena_printf(a, "mimir_%s", d->name);
}

/*
 * PostgreSQL folds unquoted names to lower case, so a source column written
 * `AS Amount` is really "amount" there. Names from the source SQL that look
 * like plain identifiers are folded before they are quoted.
 */
static const char *local_column_name(arena *a, sql_dialect d, const char *name)
{
    if (d != DIALECT_POSTGRES)
        return name;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '_'))
            return name;
    char *lower = arena_strdup(a, name);
    for (char *c = lower; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    return lower;
}

/* Checks a dimension is available on the job's source and records a splice if needed. */
static bool need_dim(split_ctx *x, source_job *job, const inquiry_dim *d, const char *why)
{
    if (!d->is_grain) {
        const dimension *def;
        dim_availability av = catalog_dim_on_source(x->cat, job->src, d->name, &def);
        if (av == DIM_NOT_ON_SOURCE) {
            sql_error_set(x->err, ER_BAD_FIELD, "42S22",
                          "Unknown column '%s': dimension '%s' is not available on source '%s' "
                          "(%s)",
                          d->name, d->name, job->src->name, why);
            return false;
        }
        if (av == DIM_LOCAL)
            return true;
    }
    for (size_t i = 0; i < job->splices.len; i++)
        if (strcmp(((inquiry_dim *)job->splices.items[i])->name, d->name) == 0)
            return true;
    ptr_vec_push(x->a, &job->splices, (void *)d);
    return true;
}

/* How the outer atomic query names a dimension. */
static const char *dim_ref(split_ctx *x, const source_job *job, const inquiry_dim *d)
{
    sql_builder b;
    sb_init(&b, x->a, job->dialect);
    if (d->is_grain) {
        sb_ident(&b, grain_column(x->a, d));
    } else {
        const dimension *def;
        if (catalog_dim_on_source(x->cat, job->src, d->name, &def) == DIM_LOCAL)
            sb_ident(&b, local_column_name(x->a, job->dialect, d->name));
        else
            sb_ident(&b, d->name);
    }
    query_param *unused;
    size_t n;
    return sb_finish(&b, &unused, &n);
}

static const char *resolve_filter_column(void *ctx, const expr *col, sql_error *err)
{
    split_ctx *x = ctx;
    const char *name = col->parts[col->nparts - 1];
    for (size_t i = 0; i < x->q->nfilter_dims; i++) {
        const inquiry_dim *d = &x->q->filter_dims[i];
        time_grain g;
        const char *canon;
        if ((time_grain_of(name, &g, &canon) && d->is_grain && d->grain == g) ||
            (!d->is_grain && canonical_dimension(x->cat, name) == d->name))
            return dim_ref(x, x->job, d);
    }
    sql_error_set(err, ER_BAD_FIELD, "42S22", "Unknown column '%s' in 'where clause'", name);
    return NULL;
}

/* ---- Time filter pushdown ------------------------------------------------ */

/* 'YYYY-MM-DD' + 1 day, or NULL when text is not exactly a valid date. */
static const char *next_day(arena *a, const char *text)
{
    int y, m, d;
    char tail;
    if (strlen(text) != 10 || sscanf(text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return NULL;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12};
    time_t t = timegm(&tm);
    struct tm check;
    gmtime_r(&t, &check);
    if (check.tm_year != y - 1900 || check.tm_mon != m - 1 || check.tm_mday != d)
        return NULL;
    t += 86400;
    gmtime_r(&t, &check);
    return arena_printf(a, "%04d-%02d-%02d", check.tm_year + 1900, check.tm_mon + 1, check.tm_mday);
}

typedef struct time_bound {
    const char *op; /* ">=", ">", "<", "<=", "=" */
    const char *value;
} time_bound;

static bool grain_column_ref(const expr *e, time_grain *g)
{
    const char *canon;
    return e->kind == EX_COLUMN && time_grain_of(e->parts[e->nparts - 1], g, &canon) &&
           (*g == GRAIN_TIME || *g == GRAIN_DATE);
}

static bool is_string(const expr *e)
{
    return e->kind == EX_LITERAL && e->lit == LIT_STRING && !memchr(e->text, 0, e->text_len);
}

/* Turns "ds >= '2022-05-01'" etc. into bounds on the raw time column; false if it can't. */
static bool time_bounds(arena *a, const expr *e, time_bound out[2], size_t *n)
{
    time_grain g;
    *n = 0;
    if (e->kind == EX_BETWEEN && !e->negated && grain_column_ref(e->left, &g) &&
        is_string(e->args[0]) && is_string(e->args[1])) {
        const char *hi = g == GRAIN_DATE ? next_day(a, e->args[1]->text) : e->args[1]->text;
        if (!hi || (g == GRAIN_DATE && !next_day(a, e->args[0]->text)))
            return false;
        out[0] = (time_bound){">=", e->args[0]->text};
        out[1] = (time_bound){g == GRAIN_DATE ? "<" : "<=", hi};
        *n = 2;
        return true;
    }
    if (e->kind != EX_BINARY)
        return false;
    const expr *col = e->left, *lit = e->right;
    expr_op op = e->op;
    if (!grain_column_ref(col, &g)) {
        col = e->right;
        lit = e->left;
        static const expr_op flipped[] = {
            [OP_LT] = OP_GT, [OP_LE] = OP_GE, [OP_GT] = OP_LT, [OP_GE] = OP_LE, [OP_EQ] = OP_EQ};
        if (op != OP_LT && op != OP_LE && op != OP_GT && op != OP_GE && op != OP_EQ)
            return false;
        op = flipped[op];
        if (!grain_column_ref(col, &g))
            return false;
    }
    if (!is_string(lit))
        return false;
    if (g == GRAIN_TIME) {
        const char *ops[] = {
            [OP_LT] = "<", [OP_LE] = "<=", [OP_GT] = ">", [OP_GE] = ">=", [OP_EQ] = "="};
        if (op != OP_LT && op != OP_LE && op != OP_GT && op != OP_GE && op != OP_EQ)
            return false;
        out[(*n)++] = (time_bound){ops[op], lit->text};
        return true;
    }
    const char *next = next_day(a, lit->text);
    if (!next)
        return false;
    switch (op) {
    case OP_EQ:
        out[(*n)++] = (time_bound){">=", lit->text};
        out[(*n)++] = (time_bound){"<", next};
        return true;
    case OP_GE:
        out[(*n)++] = (time_bound){">=", lit->text};
        return true;
    case OP_GT:
        out[(*n)++] = (time_bound){">=", next};
        return true;
    case OP_LE:
        out[(*n)++] = (time_bound){"<", next};
        return true;
    case OP_LT:
        out[(*n)++] = (time_bound){"<", lit->text};
        return true;
    default:
        return false;
    }
}

static void collect_conjuncts(arena *a, expr *e, ptr_vec *out)
{
    if (e->kind == EX_BINARY && e->op == OP_AND) {
        collect_conjuncts(a, e->left, out);
        collect_conjuncts(a, e->right, out);
    } else {
        ptr_vec_push(a, out, e);
    }
}

/* ---- Building one atomic query ------------------------------------------ */

static size_t trim_end(const char *s, size_t end)
{
    while (end > 0 &&
           (s[end - 1] == ' ' || s[end - 1] == '\n' || s[end - 1] == '\t' || s[end - 1] == '\r'))
        end--;
    return end;
}

static void append_range(sql_builder *b, const char *s, size_t from, size_t to)
{
    buf_append(&b->out, s + from, to - from);
}

/* The source's SQL with splices in its select list and time bounds in its WHERE. */
static void build_inner(split_ctx *x, sql_builder *b, const source_job *job, ptr_vec *bounds)
{
    const source *s = job->src;
    const source_sql_shape *sh = &s->shape;
    append_range(b, s->sql, 0, trim_end(s->sql, sh->select_list_end));
    for (size_t i = 0; i < job->splices.len; i++) {
        const inquiry_dim *d = job->splices.items[i];
        sb_str(b, ", ");
        if (d->is_grain) {
            sb_time_grain(b, d->grain, s->time_col);
            sb_str(b, " AS ");
            sb_ident(b, grain_column(x->a, d));
        } else {
            const dimension *def;
            catalog_dim_on_source(x->cat, s, d->name, &def);
            sb_str(b, def->expr);
            sb_str(b, " AS ");
            sb_ident(b, d->name);
        }
    }
    sb_str(b, " ");
    size_t from = sh->select_list_end;
    if (bounds->len == 0) {
        append_range(b, s->sql, from, sh->sql_end);
        return;
    }
    if (sh->has_where) {
        append_range(b, s->sql, from, sh->where_begin);
        sb_str(b, " (");
        append_range(b, s->sql, sh->where_begin, sh->where_end);
        sb_str(b, ") AND ");
    } else {
        append_range(b, s->sql, from, sh->where_end);
        sb_str(b, " WHERE ");
    }
    for (size_t i = 0; i < bounds->len; i++) {
        const time_bound *tb = bounds->items[i];
        if (i)
            sb_str(b, " AND ");
        sb_str(b, s->time_col);
        sb_str(b, " ");
        sb_str(b, tb->op);
        sb_str(b, " ");
        sb_param(b, PARAM_TEXT, tb->value);
    }
    sb_str(b, " ");
    append_range(b, s->sql, sh->where_end, sh->sql_end);
}

static void order_and_limit(sql_builder *b, const inquiry *q, bool nulls_explicit)
{
    for (size_t i = 0; i < q->norder; i++) {
        buf_printf(&b->out, "%s%zu", i ? ", " : " ORDER BY ", q->order[i].column + 1);
        if (q->order[i].desc)
            sb_str(b, " DESC");
        /* MySQL sorts NULLs first ascending and last descending; PostgreSQL the opposite. */
        if (nulls_explicit)
            sb_str(b, q->order[i].desc ? " NULLS LAST" : " NULLS FIRST");
    }
    if (q->has_limit)
        buf_printf(&b->out, " LIMIT %lld OFFSET %lld", (long long)q->limit, (long long)q->offset);
}

/*
 * Builds job's atomic query. With streaming (single source), its columns are
 * the client's columns in order with ORDER BY/LIMIT pushed down; otherwise the
 * inquiry's dimensions followed by this source's metrics.
 */
static bool build_atomic(split_ctx *x, source_job *job, bool streaming, atomic_query *aq)
{
    const inquiry *q = x->q;
    x->job = job;
    aq->src = job->src;
    aq->conn = job->src->conn;
    aq->dialect = job->dialect;

    ptr_vec names = {0}, bounds = {0}, outer = {0};
    if (q->where) {
        ptr_vec conj = {0};
        collect_conjuncts(x->a, q->where, &conj);
        for (size_t i = 0; i < conj.len; i++) {
            time_bound tb[2];
            size_t n;
            if (time_bounds(x->a, conj.items[i], tb, &n)) {
                for (size_t k = 0; k < n; k++) {
                    time_bound *copy = arena_alloc(x->a, sizeof(*copy));
                    *copy = tb[k];
                    ptr_vec_push(x->a, &bounds, copy);
                }
            } else {
                ptr_vec_push(x->a, &outer, conj.items[i]);
            }
        }
    }

    sql_builder b;
    sb_init(&b, x->a, job->dialect);
    sb_str(&b, "SELECT ");
    ptr_vec group = {0};
    size_t ncols = streaming ? q->ncolumns : q->ndims + job->metrics.len;
    for (size_t i = 0; i < ncols; i++) {
        bool is_metric;
        const void *item;
        const char *name;
        if (streaming) {
            is_metric = q->columns[i].is_metric;
            item = is_metric ? (const void *)q->metrics[q->columns[i].index]
                             : (const void *)&q->dims[q->columns[i].index];
            name = q->columns[i].name;
        } else {
            is_metric = i >= q->ndims;
            item = is_metric ? job->metrics.items[i - q->ndims] : (const void *)&q->dims[i];
            name = is_metric ? ((const metric *)item)->name : q->dims[i].name;
        }
        if (i)
            sb_str(&b, ", ");
        if (is_metric) {
            sb_str(&b, ((const metric *)item)->expr);
        } else {
            sb_str(&b, dim_ref(x, job, item));
            ptr_vec_push(x->a, &group, (void *)(uintptr_t)(i + 1));
        }
        sb_str(&b, " AS ");
        sb_ident(&b, name);
        ptr_vec_push(x->a, &names, (void *)name);
    }
    sb_str(&b, " FROM (");
    build_inner(x, &b, job, &bounds);
    sb_str(&b, ") AS ");
    sb_ident(&b, "mimir_source");
    for (size_t i = 0; i < outer.len; i++) {
        sb_str(&b, i ? " AND " : " WHERE ");
        if (!sb_expr(&b, outer.items[i], resolve_filter_column, x, x->err)) {
            sb_discard(&b);
            return false;
        }
    }
    for (size_t i = 0; i < group.len; i++)
        buf_printf(&b.out, "%s%zu", i ? ", " : " GROUP BY ", (size_t)(uintptr_t)group.items[i]);
    if (streaming)
        order_and_limit(&b, q, job->dialect == DIALECT_POSTGRES);
    aq->sql = sb_finish(&b, &aq->params, &aq->nparams);
    aq->ncols = names.len;
    aq->col_names = (const char **)names.items;
    return true;
}

/* ---- Choosing sources ----------------------------------------------------- */

static source_job *job_for(split_ctx *x, ptr_vec *jobs, const source *s)
{
    for (size_t i = 0; i < jobs->len; i++)
        if (((source_job *)jobs->items[i])->src == s)
            return jobs->items[i];
    source_job *j = arena_alloc(x->a, sizeof(*j));
    j->src = s;
    j->dialect = dialect_of(s->conn);
    j->query = jobs->len;
    ptr_vec_push(x->a, jobs, j);
    return j;
}

/* With no metric, a dimension's own source answers "which values exist". */
static const source *home_source(const catalog *cat, const inquiry *q)
{
    for (size_t i = 0; i < q->ndims; i++) {
        if (q->dims[i].is_grain)
            continue;
        const dimension *d = catalog_dimension(cat, q->dims[i].name);
        if (d)
            return catalog_source(cat, d->source_name);
        for (size_t s = 0; s < cat->n_sources; s++)
            for (size_t c = 0; c < cat->sources[s].n_local_columns; c++)
                if (strcmp(cat->sources[s].local_columns[c], q->dims[i].name) == 0)
                    return &cat->sources[s];
    }
    return NULL;
}

static bool plan_jobs(split_ctx *x, ptr_vec *jobs)
{
    const inquiry *q = x->q;
    for (size_t i = 0; i < q->nmetrics; i++) {
        const metric *m = q->metrics[i];
        const source *s = catalog_source(x->cat, m->source_name);
        if (!s) {
            sql_error_set(x->err, ER_UNKNOWN_ERROR, "HY000",
                          "metric '%s' names unknown source '%s'", m->name, m->source_name);
            return false;
        }
        ptr_vec_push(x->a, &job_for(x, jobs, s)->metrics, (void *)m);
    }
    if (q->nmetrics == 0) {
        const source *s = home_source(x->cat, q);
        if (!s) {
            sql_error_set(x->err, ER_NOT_SUPPORTED_YET, "42000",
                          "select at least one AGG(metric) or dimension from mimir.metrics");
            return false;
        }
        job_for(x, jobs, s);
    }
    for (size_t j = 0; j < jobs->len; j++) {
        source_job *job = jobs->items[j];
        const char *why = arena_printf(
            x->a, "source of %s",
            job->metrics.len ? ((const metric *)job->metrics.items[0])->name : "the query");
        for (size_t i = 0; i < q->ndims; i++)
            if (!need_dim(x, job, &q->dims[i], why))
                return false;
        for (size_t i = 0; i < q->nfilter_dims; i++)
            if (!need_dim(x, job, &q->filter_dims[i], "used in WHERE"))
                return false;
        for (size_t i = 0; i < job->metrics.len; i++) {
            const metric *m = job->metrics.items[i];
            for (size_t r = 0; r < m->n_required_dimensions; r++) {
                inquiry_dim *d = arena_alloc(x->a, sizeof(*d));
                d->name = m->required_dimensions[r];
                const char *w = arena_printf(x->a, "required by %s", m->name);
                if (!need_dim(x, job, d, w))
                    return false;
            }
        }
    }
    return true;
}

/* SQLite SELECT joining s0, s1, ... on the inquiry's dimensions. */
static const char *combine_sql(split_ctx *x, size_t nqueries)
{
    const inquiry *q = x->q;
    sql_builder b;
    sb_init(&b, x->a, DIALECT_SQLITE);
    sb_str(&b, "SELECT ");
    for (size_t i = 0; i < q->ncolumns; i++) {
        const inquiry_column *c = &q->columns[i];
        if (i)
            sb_str(&b, ", ");
        sb_ident(&b, c->is_metric ? q->metrics[c->index]->name : q->dims[c->index].name);
        sb_str(&b, " AS ");
        sb_ident(&b, c->name);
    }
    sb_str(&b, " FROM \"s0\"");
    for (size_t i = 1; i < nqueries; i++) {
        buf_printf(&b.out, q->ndims ? " FULL OUTER JOIN \"s%zu\" USING (" : " CROSS JOIN \"s%zu\"",
                   i);
        for (size_t d = 0; d < q->ndims; d++) {
            if (d)
                sb_str(&b, ", ");
            sb_ident(&b, q->dims[d].name);
        }
        if (q->ndims)
            sb_str(&b, ")");
    }
    order_and_limit(&b, q, false);
    query_param *unused;
    size_t n;
    return sb_finish(&b, &unused, &n);
}

bool inquiry_split(arena *a, const catalog *cat, const inquiry *q, plan *out, sql_error *err)
{
    memset(out, 0, sizeof(*out));
    split_ctx x = {.a = a, .cat = cat, .q = q, .err = err};
    ptr_vec jobs = {0};
    if (!plan_jobs(&x, &jobs))
        return false;
    bool streaming = jobs.len == 1;
    out->nqueries = jobs.len;
    out->queries = arena_alloc(a, jobs.len * sizeof(atomic_query));
    for (size_t i = 0; i < jobs.len; i++)
        if (!build_atomic(&x, jobs.items[i], streaming, &out->queries[i]))
            return false;

    out->ncols = q->ncolumns;
    out->cols = arena_alloc(a, (q->ncolumns + 1) * sizeof(plan_column));
    for (size_t i = 0; i < q->ncolumns; i++) {
        const inquiry_column *c = &q->columns[i];
        plan_column *pc = &out->cols[i];
        pc->name = c->name;
        pc->is_metric = c->is_metric;
        pc->org_name = c->is_metric ? q->metrics[c->index]->name : q->dims[c->index].name;
        if (streaming) {
            pc->query_col = i;
            continue;
        }
        if (!c->is_metric) {
            pc->query_col = c->index;
            continue;
        }
        for (size_t j = 0; j < jobs.len; j++) {
            source_job *job = jobs.items[j];
            for (size_t m = 0; m < job->metrics.len; m++) {
                if (job->metrics.items[m] == q->metrics[c->index]) {
                    pc->query = j;
                    pc->query_col = q->ndims + m;
                }
            }
        }
    }
    out->combine_sql = streaming ? NULL : combine_sql(&x, jobs.len);
    return true;
}
