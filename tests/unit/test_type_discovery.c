/*
 * Unit tests of type discovery's planner side: the MySQL type of a backend
 * result column, the union of two types (a column several sources have), the
 * probe query of a source (built through the inquiry and the split), what a
 * probe's result records, and information_schema built with discovered types
 * (a declared `type:` always wins).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "planner/discovered_types.h"
#include "planner/info_schema.h"
#include "planner/planner.h"
#include "planner/type_probe.h"
#include "wire/buf.h"

#define FIXTURES "tests/unit/fixtures/semantic"
#define N(a)     (sizeof(a) / sizeof((a)[0]))

static column_type parsed(const char *text)
{
    column_type t;
    char why[96];
    if (!column_type_parse(text, &t, why, sizeof(why)))
        fail_msg("'%s' %s", text, why);
    return t;
}

/* ---- Result column -> MySQL type ----------------------------------------------------- */

typedef struct result_case {
    value_type type;
    int decimals;
    unsigned length;
    int decimal_scale; /* the hint for NUMERIC without a precision */
    const char *want;  /* COLUMN_TYPE; NULL: nothing is known */
} result_case;

static const result_case result_cases[] = {
    {VT_INT16, -1, 0, -1, "smallint"},
    {VT_INT32, -1, 0, -1, "int"},
    {VT_INT64, -1, 0, -1, "bigint"},
    {VT_BOOL, -1, 0, -1, "tinyint(1)"},
    {VT_FLOAT, -1, 0, -1, "float"},
    {VT_DOUBLE, -1, 0, -1, "double"},
    {VT_DECIMAL, 2, 5, -1, "decimal(5,2)"},     /* numeric(5,2) */
    {VT_DECIMAL, 0, 12, -1, "decimal(12,0)"},   /* numeric(12) */
    {VT_DECIMAL, 4, 200, -1, "decimal(65,4)"},  /* numeric(200,4): MySQL's 65 at most */
    {VT_DECIMAL, 40, 60, -1, "decimal(60,30)"}, /* and a scale of 30 */
    {VT_DECIMAL, -1, 0, -1, "decimal(65,2)"},   /* SUM(numeric): unknown scale */
    {VT_DECIMAL, -1, 0, 3, "decimal(65,3)"},    /* SUM over a numeric(9,3) column */
    {VT_DECIMAL, -1, 0, 0, "decimal(65,0)"},
    {VT_TEXT, -1, 0, -1, "varchar(255)"},       /* text */
    {VT_TEXT, -1, 40, -1, "varchar(40)"},       /* varchar(40), char(40) */
    {VT_TEXT, -1, 65535, -1, "varchar(65535)"}, /* the longest VARCHAR */
    {VT_TEXT, -1, 100000, -1, "longtext"},
    {VT_BLOB, -1, 0, -1, "blob"},
    {VT_DATE, -1, 0, -1, "date"},
    {VT_TIME, -1, 0, -1, "time"},
    {VT_TIME, 3, 0, -1, "time(3)"},
    {VT_DATETIME, -1, 0, -1, "datetime(6)"}, /* timestamp[tz] without a declared precision */
    {VT_DATETIME, 0, 0, -1, "datetime"},
    {VT_DATETIME, 6, 0, -1, "datetime(6)"},
    {VT_NULL, -1, 0, -1, NULL},
};

static void test_result_column_types(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(result_cases); i++) {
        const result_case *c = &result_cases[i];
        result_column rc = {
            .name = "x", .type = c->type, .decimals = c->decimals, .length = c->length};
        column_type t;
        bool known = column_type_of_result(&rc, c->decimal_scale, &t);
        if (!c->want) {
            assert_false(known);
            continue;
        }
        assert_true(known);
        if (strcmp(t.text, c->want) != 0)
            fail_msg("case %zu: got %s, want %s", i, t.text, c->want);
    }
}

/* ---- Union --------------------------------------------------------------------------- */

static const char *const union_cases[][3] = {
    {"int", "int", "int"},
    {"smallint", "int", "int"},
    {"bigint", "smallint", "bigint"},
    {"tinyint(1)", "int", "int"},
    {"tinyint(1)", "tinyint", "tinyint"},
    {"int unsigned", "int", "bigint"},
    {"int", "decimal(5,2)", "decimal(12,2)"},
    {"decimal(5,2)", "decimal(10,4)", "decimal(10,4)"},
    {"bigint", "decimal(65,2)", "decimal(65,2)"},
    {"int", "double", "double"},
    {"float", "float", "float"},
    {"float", "decimal(5,2)", "double"},
    {"date", "datetime", "datetime"},
    {"datetime", "datetime(3)", "datetime(3)"},
    {"varchar(10)", "varchar(40)", "varchar(40)"},
    {"char(2)", "varchar(5)", "varchar(5)"},
    {"char(2)", "char(2)", "char(2)"},
    {"text", "varchar(255)", "text"},
    {"int", "varchar(255)", "varchar(255)"},
    {"date", "int", "varchar(255)"},
};

static void test_union(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(union_cases); i++) {
        column_type a = parsed(union_cases[i][0]), b = parsed(union_cases[i][1]), u, v;
        column_type_union(&a, &b, &u);
        column_type_union(&b, &a, &v);
        if (strcmp(u.text, union_cases[i][2]) != 0 || strcmp(v.text, union_cases[i][2]) != 0)
            fail_msg("%s | %s: got %s and %s, want %s", union_cases[i][0], union_cases[i][1],
                     u.text, v.text, union_cases[i][2]);
    }
}

static void test_discovered_types_store(void **state)
{
    (void)state;
    discovered_types *d = discovered_types_new();
    column_type i4 = parsed("int"), i2 = parsed("smallint"), dec = parsed("decimal(5,2)");
    discovered_types_set(d, "rentals", "customer_id", &i2);
    discovered_types_set(d, "payments", "Customer_ID", &i4);
    discovered_types_set(d, "rentals", "amount", &dec);
    discovered_types_set(d, "rentals", "CUSTOMER_ID", &i2); /* replaces, case-insensitively */
    assert_int_equal(discovered_types_ncolumns(d), 3);
    assert_string_equal(discovered_types_get(d, "RENTALS", "customer_id")->text, "smallint");
    assert_null(discovered_types_get(d, "payments", "amount"));
    column_type m;
    assert_true(discovered_types_merged(d, "customer_id", &m));
    assert_string_equal(m.text, "int");
    assert_false(discovered_types_merged(d, "nope", &m));
    discovered_types_forget(d, "rentals");
    assert_int_equal(discovered_types_ncolumns(d), 1);
    assert_true(discovered_types_merged(d, "customer_id", &m));
    assert_string_equal(m.text, "int");
    discovered_types_free(d);
}

/* ---- The probe of a Pagila source ---------------------------------------------------- */

static catalog *pagila;
static catalog *typed;

static int load_catalogs(void **state)
{
    (void)state;
    char err[1024];
    pagila = catalog_load("configs/pagila", NULL, err, sizeof(err));
    if (!pagila)
        fail_msg("cannot load configs/pagila: %s", err);
    typed = catalog_load(FIXTURES "/typed", NULL, err, sizeof(err));
    if (!typed)
        fail_msg("cannot load the typed fixture: %s", err);
    return 0;
}

static int free_catalogs(void **state)
{
    (void)state;
    catalog_free(pagila);
    catalog_free(typed);
    return 0;
}

static const char *column_names(arena *a, const plan *p)
{
    buf b;
    buf_init(&b);
    for (size_t i = 0; i < p->ncols; i++)
        buf_printf(&b, "%s%s%s", i ? "," : "", p->cols[i].org_name,
                   p->cols[i].is_metric ? "*" : "");
    const char *out = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return out;
}

static void test_probe_plan(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    plan p;
    sql_error err;
    const source *rentals = catalog_source(pagila, "rentals");
    assert_true(type_probe_plan(&a, pagila, rentals, NULL, &p, &err));
    assert_int_equal(p.nqueries, 1);
    assert_null(p.final_sql);
    /* ts, the source's own columns, the spliced dimensions, then its metrics (starred). */
    assert_string_equal(column_names(&a, &p),
                        "ts,rental_id,inventory_id,customer_id,return_ts,staff_id,category_name,"
                        "amount,dim_rental_category,dim_store_id,movies_rented*,rentals_revenue*,"
                        "action_movies_rented*,movies_rented_every_day*");
    const atomic_query *q = &p.queries[0];
    assert_int_equal(q->nparams, 0);
    assert_int_equal(q->ncols, p.ncols);
    /* What a real query on mimir.rentals sends, with no rows wanted. */
    assert_non_null(
        strstr(q->sql, "SELECT \"mimir_ts\" AS \"ts\", \"rental_id\" AS \"rental_id\""));
    assert_non_null(strstr(q->sql, "COUNT(rental_id) AS \"movies_rented\""));
    assert_non_null(strstr(q->sql, "COALESCE(category.name, 'Uncategorized') AS "
                                   "\"dim_rental_category\""));
    assert_non_null(strstr(q->sql, "inventory.store_id AS \"dim_store_id\""));
    assert_non_null(strstr(q->sql, "rental.rental_date AS \"mimir_ts\""));
    assert_non_null(strstr(q->sql, " GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 LIMIT 0 OFFSET 0"));

    /* payments has dim_store_id through its `dimensions` list. */
    assert_true(type_probe_plan(&a, pagila, catalog_source(pagila, "payments"), NULL, &p, &err));
    assert_string_equal(column_names(&a, &p),
                        "ts,payment_id,customer_id,staff_id,amount,dim_store_id,payments_count*,"
                        "payments_revenue*,paying_customers*");
    arena_free(&a);
}

/* One column alone: what a source whose whole probe fails falls back to. */
static void test_probe_one_column(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    const source *rentals = catalog_source(pagila, "rentals");
    const char **names;
    size_t n = type_probe_columns(&a, pagila, rentals, &names);
    assert_int_equal(n, 14);
    assert_string_equal(names[0], "ts");
    assert_string_equal(names[12], "action_movies_rented");
    assert_string_equal(names[13], "movies_rented_every_day");
    plan p;
    sql_error err;
    assert_true(type_probe_plan(&a, pagila, rentals, "AMOUNT", &p, &err));
    assert_string_equal(column_names(&a, &p), "amount");
    assert_string_equal(p.queries[0].sql, "SELECT \"amount\" AS \"amount\" FROM (SELECT\n"
                                          "rental.rental_id,\nrental.rental_date as ts,\n"
                                          "rental.inventory_id,\nrental.customer_id,\n"
                                          "rental.return_date as return_ts,\nrental.staff_id,\n"
                                          "category.name as category_name,\n"
                                          "payment.amount as amount \nFROM rental\n"
                                          "JOIN inventory on rental.inventory_id = "
                                          "inventory.inventory_id\nJOIN film_category ON "
                                          "inventory.inventory_id = film_category.category_id\n"
                                          "JOIN category ON film_category.category_id = "
                                          "category.category_id\nLEFT JOIN payment payment on "
                                          "payment.rental_id = rental.rental_id) AS "
                                          "\"mimir_source\" GROUP BY 1 LIMIT 0 OFFSET 0");
    /* A metric alone still gets the dimensions it requires spliced in. */
    assert_true(type_probe_plan(&a, pagila, rentals, "action_movies_rented", &p, &err));
    assert_string_equal(column_names(&a, &p), "action_movies_rented*");
    assert_non_null(strstr(p.queries[0].sql, "AS \"dim_rental_category\" \nFROM rental"));
    assert_null(strstr(p.queries[0].sql, "GROUP BY"));
    assert_false(type_probe_plan(&a, pagila, rentals, "payments_count", &p, &err));
    assert_int_equal(err.code, 1054);
    arena_free(&a);
}

static result_column col(value_type t, int decimals, unsigned length)
{
    return (result_column){.type = t, .decimals = decimals, .length = length};
}

/* What PostgreSQL describes for the probe of rentals over Pagila. */
static size_t record_rentals(discovered_types *d, arena *a)
{
    plan p;
    sql_error err;
    const source *rentals = catalog_source(pagila, "rentals");
    assert_true(type_probe_plan(a, pagila, rentals, NULL, &p, &err));
    const result_column cols[] = {
        col(VT_DATETIME, -1, 0), /* ts: timestamptz */
        col(VT_INT32, -1, 0),    col(VT_INT32, -1, 0),
        col(VT_INT32, -1, 0),    col(VT_DATETIME, -1, 0), /* return_ts */
        col(VT_INT32, -1, 0),                             /* staff_id */
        col(VT_TEXT, -1, 0),                              /* category_name: text */
        col(VT_DECIMAL, 2, 5),                            /* amount: numeric(5,2) */
        col(VT_TEXT, -1, 0),                              /* dim_rental_category */
        col(VT_INT16, -1, 0),                             /* dim_store_id, as if smallint */
        col(VT_INT64, -1, 0),                             /* COUNT */
        col(VT_DECIMAL, -1, 0), /* SUM(amount): numeric without a precision */
        col(VT_INT64, -1, 0),   /* SUM(CASE ... 1 ELSE 0 END) */
        col(VT_INT64, -1, 0),   /* movies_rented_every_day: COUNT */
    };
    assert_int_equal(type_probe_record(pagila, rentals, &p, cols, 3, d), 0); /* mismatch */
    return type_probe_record(pagila, rentals, &p, cols, N(cols), d);
}

static void test_probe_record(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    discovered_types *d = discovered_types_new();
    assert_int_equal(record_rentals(d, &a), 14);
    /* timestamptz without a precision: microseconds, as its results say. */
    assert_string_equal(discovered_types_get(d, "rentals", "ts")->text, "datetime(6)");
    assert_string_equal(discovered_types_get(d, "rentals", "amount")->text, "decimal(5,2)");
    assert_string_equal(discovered_types_get(d, "rentals", "category_name")->text, "varchar(255)");
    assert_string_equal(discovered_types_get(d, "rentals", "dim_store_id")->text, "smallint");
    assert_string_equal(discovered_types_get(d, "rentals", "movies_rented")->text, "bigint");
    /* SUM(amount) keeps amount's scale. */
    assert_string_equal(discovered_types_get(d, "rentals", "rentals_revenue")->text,
                        "decimal(65,2)");
    /* Recording again replaces, never duplicates. */
    assert_int_equal(record_rentals(d, &a), 14);
    assert_int_equal(discovered_types_ncolumns(d), 14);
    discovered_types_free(d);
    arena_free(&a);
}

/* ---- information_schema with discovered types ------------------------------------------ */

static const char *column_types(arena *a, info_schema *is, const catalog *cat, const char *table)
{
    session_info s = {.cat = cat,
                      .info_schema = is,
                      .db = "mimir",
                      .user = "u",
                      .client_host = "h",
                      .connection_id = 1,
                      .autocommit = true};
    char *sql = arena_printf(a,
                             "SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS "
                             "WHERE TABLE_SCHEMA = 'mimir' AND TABLE_NAME = '%s' ORDER BY "
                             "ORDINAL_POSITION",
                             table);
    action act;
    planner_plan(a, &s, sql, strlen(sql), &act);
    assert_int_equal(act.kind, ACTION_ROWS);
    buf b;
    buf_init(&b);
    for (size_t r = 0; r < act.rows.nrows; r++)
        buf_printf(&b, "%s%s %s", r ? ";" : "", act.rows.values[r * 2], act.rows.values[r * 2 + 1]);
    const char *out = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return out;
}

static void test_info_schema_typed(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    discovered_types *d = discovered_types_new();
    record_rentals(d, &a);
    /* payments: customer_id as bigint, dim_store_id as int, ts as a date. */
    column_type t = parsed("bigint");
    discovered_types_set(d, "payments", "customer_id", &t);
    t = parsed("int");
    discovered_types_set(d, "payments", "dim_store_id", &t);
    t = parsed("date");
    discovered_types_set(d, "payments", "ts", &t);
    char err[256];
    info_schema *is = info_schema_build_typed(pagila, d, err, sizeof(err));
    assert_non_null(is);
    discovered_types_free(d); /* copied */
    assert_string_equal(column_types(&a, is, pagila, "rentals"),
                        "ts datetime(6);ds date;year_month date;year int;ts_second datetime;"
                        "ts_minute datetime;ts_hour datetime;week date;quarter date;rental_id int;"
                        "inventory_id int;customer_id int;return_ts datetime(6);staff_id int;"
                        "category_name varchar(255);amount decimal(5,2);"
                        "dim_rental_category varchar(255);dim_store_id smallint;"
                        "movies_rented bigint;rentals_revenue decimal(65,2);"
                        "action_movies_rented bigint;movies_rented_every_day bigint");
    /* Undiscovered columns keep the defaults; a column of both sources takes the union. */
    assert_string_equal(column_types(&a, is, pagila, "payments"),
                        "ts date;ds date;year_month date;year int;ts_second datetime;ts_minute "
                        "datetime;ts_hour datetime;week date;quarter date;payment_id varchar(255);"
                        "customer_id bigint;staff_id varchar(255);amount varchar(255);"
                        "dim_store_id int;payments_count bigint;payments_revenue decimal(65,2);"
                        "paying_customers bigint");
    const char *metrics = column_types(&a, is, pagila, "metrics");
    assert_non_null(strstr(metrics, "ts datetime(6);"));
    assert_non_null(strstr(metrics, ";dim_store_id int;"));
    assert_non_null(strstr(metrics, ";customer_id bigint;"));
    /* An offset or a cumulative metric has its base metric's type; a derived one DOUBLE. */
    assert_non_null(strstr(metrics, ";rentals_revenue_last_year decimal(65,2)"));
    assert_non_null(strstr(metrics, ";movies_rented_trailing_7d bigint"));
    assert_non_null(strstr(metrics, ";rentals_revenue_yoy_growth double"));
    /* Only the sources that were discovered count: payments' staff_id is not known. */
    assert_non_null(strstr(metrics, ";staff_id int;"));

    /* A schema probe answers with the same types. */
    session_info s = {.cat = pagila,
                      .info_schema = is,
                      .db = "mimir",
                      .user = "u",
                      .client_host = "h",
                      .connection_id = 1,
                      .autocommit = true};
    const char *probe = "SELECT * FROM mimir.rentals LIMIT 0";
    action act;
    planner_plan(&a, &s, probe, strlen(probe), &act);
    assert_int_equal(act.kind, ACTION_ROWS);
    assert_int_equal(act.rows.cols[17].type, VT_INT16); /* dim_store_id */
    assert_int_equal(act.rows.cols[19].type, VT_DECIMAL);
    assert_int_equal(act.rows.cols[19].decimals, 2);
    info_schema_free(is);
    arena_free(&a);
}

static void test_declared_type_wins(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    discovered_types *d = discovered_types_new();
    const char *names[] = {"region_code", "sale_day",   "revenue", "lines",
                           "units_sold",  "top_amount", "region"};
    column_type t = parsed("int");
    for (size_t i = 0; i < N(names); i++)
        discovered_types_set(d, "sales", names[i], &t);
    char err[256];
    info_schema *is = info_schema_build_typed(typed, d, err, sizeof(err));
    assert_non_null(is);
    assert_string_equal(column_types(&a, is, typed, "sales"),
                        "ts datetime;ds date;year_month date;year int;ts_second datetime;ts_minute "
                        "datetime;ts_hour datetime;week date;quarter date;id varchar(255);"
                        "region int;amount varchar(255);units varchar(255);"
                        "region_code char(2);sale_day date;revenue decimal(12,2);lines int;"
                        "average_units double;units_sold bigint unsigned;top_amount int");
    info_schema_free(is);
    discovered_types_free(d);
    arena_free(&a);
}

/* ---- SQLite's DECIMAL metrics ------------------------------------------------------------ */

/* The demo's orders probe as SQLite answers it without rows, amount declared as given. */
static void record_demo_orders(const catalog *demo, arena *a, discovered_types *d,
                               result_column amount)
{
    plan p;
    sql_error err;
    const source *orders = catalog_source(demo, "orders");
    assert_true(type_probe_plan(a, demo, orders, NULL, &p, &err));
    assert_int_equal(p.queries[0].dialect, DIALECT_SQLITE);
    result_column *cols = arena_alloc(a, (p.ncols + 1) * sizeof(*cols));
    for (size_t i = 0; i < p.ncols; i++)
        cols[i] = p.cols[i].is_metric                         ? col(VT_NULL, -1, 0)
                  : strcmp(p.cols[i].org_name, "amount") == 0 ? amount
                                                              : col(VT_TEXT, -1, 0);
    assert_int_not_equal(type_probe_record(demo, orders, &p, cols, p.ncols, d), 0);
}

/* The atomic query of SELECT AGG(metric) on the demo with the types d. */
static const atomic_query *demo_query(const catalog *demo, arena *a, const discovered_types *d,
                                      const char *metric)
{
    session_info s = {.cat = demo, .db = "mimir", .user = "u", .types = d, .autocommit = true};
    char *sql = arena_printf(a, "SELECT AGG(%s) FROM mimir.metrics", metric);
    action act;
    planner_plan(a, &s, sql, strlen(sql), &act);
    assert_int_equal(act.kind, ACTION_QUERY);
    return &act.plan->queries[0];
}

/*
 * SUM of a column SQLite declares DECIMAL(9,3) is a DECIMAL of scale 3: the
 * probe records it though SQLite tells nothing without rows, the split has
 * SQLite round it to 3 decimals and types the column. A REAL column's sum
 * stays SQLite's own.
 */
static void test_sqlite_decimal_metric(void **state)
{
    (void)state;
    char err[1024];
    catalog *demo = catalog_load("configs/demo", "configs/demo/secrets", err, sizeof(err));
    if (!demo)
        fail_msg("cannot load configs/demo: %s", err);
    arena a;
    arena_init(&a);
    discovered_types *d = discovered_types_new();
    record_demo_orders(demo, &a, d, col(VT_DECIMAL, 3, 9));
    assert_string_equal(discovered_types_get(d, "orders", "revenue")->text, "decimal(65,3)");
    assert_null(discovered_types_get(d, "orders", "orders_count"));
    const atomic_query *q = demo_query(demo, &a, d, "revenue");
    assert_non_null(strstr(q->sql, "round(SUM(amount), 3) AS"));
    assert_int_equal(q->layer_types[0].type, VT_DECIMAL);
    assert_int_equal(q->layer_types[0].decimals, 3);
    q = demo_query(demo, &a, d, "units_sold"); /* SUM(quantity): not a DECIMAL column */
    assert_null(strstr(q->sql, "round("));
    assert_int_equal(q->layer_types[0].type, VT_NULL);

    discovered_types_free(d);
    d = discovered_types_new();
    record_demo_orders(demo, &a, d, col(VT_DOUBLE, -1, 0)); /* amount REAL, as the demo has it */
    assert_null(discovered_types_get(d, "orders", "revenue"));
    q = demo_query(demo, &a, d, "revenue");
    assert_null(strstr(q->sql, "round("));
    assert_int_equal(q->layer_types[0].type, VT_NULL);
    discovered_types_free(d);
    arena_free(&a);
    catalog_free(demo);
}

int main(void)
{
    const struct CMUnitTest types[] = {
        cmocka_unit_test(test_result_column_types),
        cmocka_unit_test(test_union),
        cmocka_unit_test(test_discovered_types_store),
    };
    const struct CMUnitTest probes[] = {
        cmocka_unit_test(test_probe_plan),         cmocka_unit_test(test_probe_one_column),
        cmocka_unit_test(test_probe_record),       cmocka_unit_test(test_info_schema_typed),
        cmocka_unit_test(test_declared_type_wins), cmocka_unit_test(test_sqlite_decimal_metric),
    };
    int failed = cmocka_run_group_tests_name("discovered types", types, NULL, NULL);
    failed += cmocka_run_group_tests_name("type probes", probes, load_catalogs, free_catalogs);
    return failed ? 1 : 0;
}
