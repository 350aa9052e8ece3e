/*
 * The semantic layer in memory: connections, sources, dimensions and metrics,
 * loaded from a project directory in the prototype's format (sources/,
 * metrics/, dimensions/ with .yaml/.yml files, and a secrets directory with
 * <connection_name>.json files). Read-only once loaded; a reload builds a new
 * catalog and swaps it in.
 */
#ifndef MIMIR_SEMANTIC_CATALOG_H
#define MIMIR_SEMANTIC_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "semantic/aggregation.h"

typedef enum {
    CONN_POSTGRES, /* connection_class: sqldb, flavour: postgresql */
    CONN_MYSQL,    /* connection_class: sqldb, flavour: mysql */
    CONN_SQLITE,   /* connection_class: sqlite, path: ... */
} conn_kind;

typedef struct connection {
    char *name; /* file name without .json */
    conn_kind kind;
    char *host, *port, *user, *password, *database; /* sqldb; port as text; NULL if absent */
    /* TLS to the database. sslmode is libpq's sslmode (disable ... verify-full) for
     * postgresql, and MySQL's ssl_mode in lower case (disabled, preferred, required,
     * verify_ca, verify_identity) for mysql; NULL if absent. The files are absolute
     * paths (relative ones resolve against the secrets dir), checked to exist when
     * loaded: postgresql's sslrootcert/sslcert/sslkey, mysql's ssl_ca/ssl_cert/ssl_key. */
    char *sslmode;
    char *ssl_ca, *ssl_cert, *ssl_key;
    char *conninfo; /* postgresql: a libpq connection string or URI; the keys above override it */
    char *path;     /* sqlite: absolute path (relative paths resolve against the secrets dir) */
    char *file;     /* the secrets file it came from */
    /* sqldb: how a dead network path to the database is detected, as given in the
     * secrets file. 0: not given (the default applies: catalog_connection_net);
     * CONN_NET_OFF: given as 0 ("off", or for idle_check_after "always check"). */
    int keepalives_idle;     /* s before the first TCP keepalive probe */
    int keepalives_interval; /* s between probes */
    int keepalives_count;    /* unanswered probes before the connection is dead */
    int tcp_user_timeout;    /* ms data may stay unacknowledged (TCP_USER_TIMEOUT) */
    int connect_timeout;     /* s; overrides the server's limits.connect_timeout */
    int idle_check_after;    /* s idle after which a liveness check precedes reuse */
} connection;

#define CONN_NET_OFF (-1)

/* The detection settings of a connection with the defaults filled in. */
typedef struct conn_net {
    bool keepalives;         /* false when keepalives_idle is 0 */
    int keepalives_idle;     /* s (10) */
    int keepalives_interval; /* s (5) */
    int keepalives_count;    /* (3) */
    int tcp_user_timeout_ms; /* 15000; 0: the system's default */
    int connect_timeout_s;   /* 0: the server's limits.connect_timeout */
    int idle_check_after_s;  /* 30; 0: before every reuse */
} conn_net;

void catalog_connection_net(const connection *c, conn_net *out);

/* Where a definition was written, for error messages. */
typedef struct origin {
    char *file;
    int line;   /* 1-based; 0 when unknown */
    int column; /* 1-based; 0 when unknown */
} origin;

typedef struct dimension {
    char *name;
    char *source_name;
    char *expr; /* the SQL expression only: "COALESCE(category.name, 'Uncategorized')" */
    char *description;
    char *type; /* declared MySQL column type, canonical ("varchar(64)"); NULL when none */
    origin at;
} dimension;

/* The unit of an offset or a window: `offset: 1 year`, `window: 7 days`. */
typedef enum {
    TIME_UNIT_DAY,
    TIME_UNIT_WEEK,
    TIME_UNIT_MONTH,
    TIME_UNIT_QUARTER,
    TIME_UNIT_YEAR
} time_unit;

/* n units (n >= 1; n == 0: not given). */
typedef struct time_span {
    int n;
    time_unit unit;
} time_span;

/* The calendar periods a cumulative metric's `grain_to_date` (and the calendar's
 * grains) name. The fiscal ones exist only with calendar.yaml's fiscal_year_start_month. */
typedef enum {
    CAL_PERIOD_NONE,
    CAL_PERIOD_WEEK,
    CAL_PERIOD_MONTH,
    CAL_PERIOD_QUARTER,
    CAL_PERIOD_YEAR,
    CAL_PERIOD_FISCAL_QUARTER,
    CAL_PERIOD_FISCAL_YEAR,
} calendar_period;

/* What kind of time metric a metric is (`type: offset`, `type: cumulative`). */
typedef enum { TIME_METRIC_NONE, TIME_METRIC_OFFSET, TIME_METRIC_CUMULATIVE } time_metric_kind;

/* Semi-additive metrics: `non_additive_time: last | first`. */
typedef enum { NON_ADDITIVE_NONE, NON_ADDITIVE_LAST, NON_ADDITIVE_FIRST } non_additive_time;

typedef struct metric {
    char *name;
    char *source_name; /* NULL for a derived metric */
    /* The aggregate expression only: "COUNT(rental_id)". For a derived metric,
     * the expression over other metrics: "rentals_revenue / NULLIF(movies_rented, 0)". */
    char *expr;
    char *description;
    char *type; /* declared MySQL column type, canonical ("decimal(12,2)"); NULL when none */
    char **required_dimensions;
    size_t n_required_dimensions;
    /* truncate_incomplete_granularity: when a query groups by a time grain, the
     * still-incomplete current period is left out of this metric. */
    bool truncate_incomplete;
    /* type: derived: computed after the combine from other metrics. depends_on
     * lists the metrics its expression names (directly; they may be derived
     * too), each once, as they appear in the catalog. */
    bool derived;
    char **depends_on;
    size_t n_depends_on;
    /* How it aggregates (semantic/aggregation.h): from its sql, or its aggregation: key. */
    metric_aggregation aggregation;
    /*
     * type: offset / type: cumulative: computed from the metric `metric:` names
     * (base_metric, any metric, also derived) over other periods of time. Such a
     * metric is `derived` too (depends_on is its base, aggregation DERIVED), so
     * that what does not know time metrics treats it as computed, never as a
     * metric of a source; its expr is NULL.
     *   offset: the base over the period `offset` earlier (offset.n >= 1);
     *   cumulative: the base over `window` (window.n == 0: not given) or from the
     *   start of the `grain_to_date` period (CAL_PERIOD_NONE: not given) to the end
     *   of each period; neither: a running total from the beginning of the data.
     */
    time_metric_kind time_kind;
    char *base_metric;
    time_span offset;
    time_span window;
    calendar_period grain_to_date;
    /* Semi-additive (balances): within each period only the rows at its last (first)
     * time count, per value of the non_additive_per dimensions (names on its source). */
    non_additive_time non_additive;
    char **non_additive_per;
    size_t n_non_additive_per;
    /* fill_nulls_with: the constant shown instead of NULL, as written (NULL: none);
     * fill_is_number tells a number from a string. */
    char *fill_nulls_with;
    bool fill_is_number;
    /* join_to_calendar: true: grouped by a time grain over a bounded range, every
     * period of the range is returned, also those without rows. */
    bool join_to_calendar;
    /* Keys Mimir does not interpret (team, collection, ...) with scalar values, as written. */
    char **extra_keys, **extra_values;
    size_t n_extra;
    origin at;
} metric;

/*
 * Byte offsets into a source's SQL found by scanning its top level. Ends are
 * just after the last token of their part, before any whitespace or comment
 * that follows, so text inserted there is never swallowed by a "-- comment".
 * Without a WHERE, where_begin == where_end == where one would go (the end of
 * the FROM clause, before GROUP BY/HAVING/ORDER BY/LIMIT/...).
 */
typedef struct source_sql_shape {
    size_t select_list_begin; /* just after SELECT [DISTINCT [ON (...)]|ALL] */
    size_t select_list_end;   /* end of the last select item, before the top-level FROM */
    bool has_where;
    size_t where_begin; /* just after WHERE */
    size_t where_end;   /* end of the condition, before GROUP BY/HAVING/ORDER BY/LIMIT/... */
    size_t sql_end;     /* end of SQL less trailing whitespace, comments and ';' */
} source_sql_shape;

/*
 * A rollup declared on a source (`rollups:`): a pre-aggregated table of some of
 * its metrics by a time grain and some of its dimensions, built and refreshed by
 * the server (proxy/rollups/) in its storage connection's database
 * (docs/rollups.md: the table layout is a contract).
 */
typedef struct rollup {
    char *name;
    char *grain; /* canonical grain column name: "ds", "ts_hour", "year_month", ... */
    char **dimensions;
    size_t n_dimensions;
    char **metrics; /* base metrics of the source: SUM, COUNT, MIN, MAX or AVG */
    size_t n_metrics;
    long refresh_every_s; /* seconds between refreshes (default ROLLUP_DEFAULT_REFRESH_S) */
    long update_window_s; /* a refresh rebuilds the periods this close to now (default 0) */
    char *storage;        /* a connection name; NULL: the source's own connection */
    bool lambda;          /* default true: read by the query router (not yet) */
    const connection *storage_conn; /* resolved with the secrets; NULL otherwise */
    origin at;                      /* the rollup's mapping */
    origin grain_at, storage_at;
    origin *dimension_at, *metric_at; /* each list item's place, parallel to the lists */
} rollup;

#define ROLLUP_DEFAULT_REFRESH_S 3600

/* Rollups stored on a SQLite connection live in the file of its path plus this suffix,
 * attached as mimir_rollups (docs/rollups.md). */
#define ROLLUP_SQLITE_SUFFIX ".mimir_rollups.db"

/*
 * A user's row filter as it reads on one rollup's rows (semantic/rollup_filter.h):
 * the filter's text with each column reference, refs[i] (byte range begin..end),
 * standing for the rollup's column of dimension refs[i].dimension.
 */
typedef struct rollup_filter_ref {
    size_t begin, end;
    const char *dimension; /* the rollup's dimension as written: its column's name */
} rollup_filter_ref;

typedef struct rollup_filter {
    char *sql; /* the filter as written in grants */
    rollup_filter_ref *refs;
    size_t n_refs;
} rollup_filter;

typedef struct source {
    char *name;
    char *time_col;       /* expression inside the source SQL: "rental.rental_date" */
    char *time_col_alias; /* its output name: given, or the last part of time_col */
    char *connection_name;
    char *sql; /* as written, less surrounding whitespace and trailing ';' */
    char *description;
    char **dimension_names; /* the 'dimensions' list: extra definitions attachable here */
    size_t n_dimension_names;
    char **local_columns; /* output column names of sql, in order (time_col_alias included) */
    size_t n_local_columns;
    source_sql_shape shape;
    /* cache_ttl: seconds the result cache may keep answers that read this source;
     * 0 (the default): never cached. */
    unsigned cache_ttl_s;
    const connection *conn; /* resolved when secrets were loaded; NULL otherwise */
    rollup *rollups;        /* the `rollups:` list (semantic/rollups.c) */
    size_t n_rollups;
    /* A user's view with a row filter spliced into sql (semantic/catalog_view.h). Its
     * rollups hold every row: one answers for that user only with the filter applied
     * to its rows, rollup_filters[i] for rollups[i] (NULL: its dimensions cannot
     * express the filter exactly, and it does not answer). */
    bool row_filtered;
    rollup_filter **rollup_filters;
    origin at;
} source;

typedef enum { WEEK_START_MONDAY, WEEK_START_SUNDAY } week_start_day;

/*
 * The canonical calendar: calendar.yaml at the project's root (optional). It
 * applies to every grain, offset, cumulative window and fill, on every source.
 */
typedef struct calendar {
    bool present;                /* calendar.yaml was read */
    week_start_day week_start;   /* the `week` grain's first day: monday (default) or sunday */
    int fiscal_year_start_month; /* 1..12: adds fiscal_year and fiscal_quarter; 0: none */
    char *time_zone;             /* the zone of sessions that set none, as written; NULL */
    origin at;                   /* the file */
} calendar;

typedef struct catalog {
    source *sources;
    size_t n_sources;
    metric *metrics;
    size_t n_metrics;
    dimension *dimensions;
    size_t n_dimensions;
    connection *connections;
    size_t n_connections;
    calendar cal;
    char *configs_dir;
    char *secrets_dir;
} catalog;

/*
 * Loads configs_dir (and secrets_dir, when not NULL: every connection a source
 * names must then exist there). On failure returns NULL and writes a message
 * naming the file (and line, when known) and what is wrong into err.
 */
catalog *catalog_load(const char *configs_dir, const char *secrets_dir, char *err, size_t errlen);
void catalog_free(catalog *c);

/*
 * Every problem of a project at once, for `mimir validate`: the same checks
 * as catalog_load, but it goes on after a problem and collects each one as
 * "FILE:LINE:COLUMN: message" (FILE alone when the problem is the file or
 * directory itself) into *problems (a malloc'd vector of malloc'd strings,
 * in the order of the files; the caller frees them). Returns the catalog of
 * what did load: definitions with problems are left out, and references to
 * them are not reported a second time. catalog_load reports the first of
 * these problems.
 */
catalog *catalog_validate(const char *configs_dir, const char *secrets_dir, char ***problems,
                          size_t *n_problems);

/*
 * A definition file not written yet, read as if it were at path (a file of
 * configs_dir's sources/, metrics/ or dimensions/, which must not exist yet),
 * after the files of its directory: `mimir create` validates the project
 * with the new definition before it writes it. A duplicate name is then
 * reported at the new file.
 */
typedef struct catalog_pending_file {
    const char *subdir; /* "sources", "metrics" or "dimensions" */
    const char *path;   /* where it will be written, for messages */
    const char *text;   /* its YAML */
} catalog_pending_file;

/* catalog_validate, with pending (NULL: none) added to the project. */
catalog *catalog_validate_pending(const char *configs_dir, const char *secrets_dir,
                                  const catalog_pending_file *pending, char ***problems,
                                  size_t *n_problems);

/*
 * A deep copy of a connection (for what must outlive the catalog, such as a
 * pool across reloads), released with catalog_connection_free_copy; and
 * whether two connections connect exactly alike (every setting equal).
 * Kept here so that a setting added to connection is copied and compared
 * everywhere.
 */
void catalog_connection_copy(connection *dst, const connection *src);
void catalog_connection_free_copy(connection *c);
bool catalog_connection_same(const connection *a, const connection *b);

/* Names compare ASCII case-insensitively, as MySQL compares column names. */
const source *catalog_source(const catalog *c, const char *name);
const metric *catalog_metric(const catalog *c, const char *name);
const dimension *catalog_dimension(const catalog *c, const char *name);
const connection *catalog_connection(const catalog *c, const char *name);

/*
 * How a dimension name is available on a source: as one of its output columns
 * (LOCAL), as a dimension definition to splice into its select list (SPLICED:
 * the definition's source_name is this source, or the source lists it under
 * 'dimensions'), or not at all. A local column wins over a definition of the
 * same name.
 */
typedef enum { DIM_NOT_ON_SOURCE, DIM_LOCAL, DIM_SPLICED } dim_availability;
dim_availability catalog_dim_on_source(const catalog *c, const source *s, const char *dim,
                                       const dimension **def);

/* How deep derived metrics may nest (a uses b uses c ...): far beyond real
 * layers; deeper, or in a cycle, is a load error. */
#define CATALOG_DERIVED_MAX_DEPTH 32

/*
 * The base (non-derived) metrics a metric is computed from: itself when it is
 * not derived, else those its derived expression reaches, each once. Fills
 * out (up to max) and returns how many there are. A grant check can require
 * all of them; a cycle (refused by the loader) does not loop.
 */
size_t catalog_metric_bases(const catalog *c, const metric *m, const metric **out, size_t max);

/* A rollup by name (across every source), and the source it is declared on. */
const rollup *catalog_rollup(const catalog *c, const char *name, const source **src);

/* The connection a rollup is stored in: its storage, else its source's own (NULL
 * when the secrets were not loaded). */
const connection *catalog_rollup_storage(const source *s, const rollup *r);

/* The file that holds a SQLite connection's rollups: its path plus ROLLUP_SQLITE_SUFFIX
 * (malloc'd). */
char *catalog_rollup_sqlite_file(const connection *c);

/*
 * The argument of an AVG metric's expression ("AVG(amount)" -> "amount"),
 * malloc'd; NULL when expr is not one AVG(...) call (a rollup stores an AVG as
 * SUM(arg) and COUNT(arg) and refuses an AVG whose argument this cannot find).
 */
char *rollup_avg_argument(const char *expr);

/* True when name is a dimension anywhere: a definition or some source's local column. */
bool catalog_is_dimension(const catalog *c, const char *name);

/*
 * Scans a SQL SELECT written in a backend's dialect at its top level (outside
 * parentheses, quotes and comments). Used for source SQL and for metric and
 * dimension definitions written as SELECTs. Returns false when sql is not a
 * SELECT.
 */
bool sql_shape_scan(const char *sql, source_sql_shape *shape);

/*
 * Splits a select list into its items; for each gives the expression (without
 * "AS alias") and the output name (the alias, or the last identifier of a
 * plain column reference, or NULL). Returns the number of items; the caller
 * frees exprs[i], names[i] and the arrays.
 */
size_t sql_select_items(const char *sql, size_t begin, size_t end, char ***exprs, char ***names);

/*
 * A definition's sql may be a bare expression ("SUM(amount) as revenue") or a
 * SELECT with one item ("SELECT COUNT(rental_id) as n FROM rentals"). Returns
 * the expression alone (malloc'd), or NULL if it is not exactly one item.
 */
char *sql_definition_expr(const char *sql);

#endif
