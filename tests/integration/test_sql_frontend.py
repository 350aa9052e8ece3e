"""The SQL people and BI tools write (issue 3): time functions as grains, time
ranges pushed into the sources, expressions over metrics, HAVING, ratios across
sources, dimension-only queries, source tables, derived tables, schema probes,
EXPLAIN, and literals that must stay literals. Every expected value is computed
on PostgreSQL (or SQLite for the demo) in the same run."""

import math
import sqlite3
from decimal import ROUND_HALF_UP, Decimal

import pymysql
import pytest

from conftest import DEMO_DB, REPO
from support import (
    PAYMENTS_SQL,
    RENTALS_SQL,
    assert_answers_select_1,
    assert_refused_on_a_fresh_connection,
    assert_same_values,
    mysql_error,
    unordered,
)


def pg_rows(pg, sql):
    return [tuple(r) for r in pg.query(sql)]


def rentals(select, where="", group="GROUP BY 1", having="", order=""):
    return f"SELECT {select} FROM ({RENTALS_SQL}) AS r {where} {group} {having} {order}"


# (what Mimir is asked to group by, the same grouping on PostgreSQL)
GRAINS = [
    ("DATE(ts)", "CAST(ts AS DATE)"),
    ("ds", "CAST(ts AS DATE)"),
    ("YEAR(ts)", "CAST(EXTRACT(YEAR FROM ts) AS INTEGER)"),
    ("year", "CAST(EXTRACT(YEAR FROM ts) AS INTEGER)"),
    ("QUARTER(ts)", "CAST(EXTRACT(QUARTER FROM ts) AS INTEGER)"),
    ("MONTH(ts)", "CAST(EXTRACT(MONTH FROM ts) AS INTEGER)"),
    ("year_month", "CAST(date_trunc('month', ts) AS DATE)"),
    ("DATE_FORMAT(ts, '%Y-%m')", "to_char(ts, 'YYYY-MM')"),
    ("DATE_FORMAT(ts, '%Y-%m-%d %H:00')", "to_char(ts, 'YYYY-MM-DD HH24:00')"),
    ("ADDDATE(DATE_FORMAT(ts, '%Y-%m-01 00:00:00'), INTERVAL 0 SECOND)",
     "CAST(date_trunc('month', ts) AS TIMESTAMP)"),
    # A DATE plus whole days is a DATE, as in MySQL.
    ("DATE_ADD(DATE(ts), INTERVAL 1 DAY)", "CAST(ts AS DATE) + 1"),
    # STR_TO_DATE with date parts only is a DATE, as in MySQL (Metabase's month bucket).
    ("STR_TO_DATE(CONCAT(DATE_FORMAT(ts, '%Y-%m'), '-01'), '%Y-%m-%d')",
     "CAST(date_trunc('month', ts) AS DATE)"),
    ("WEEK(ts)", "CAST(FLOOR((EXTRACT(DOY FROM ts) - (1 + (7 - EXTRACT(DOW FROM "
                 "date_trunc('year', ts))) % 7) + 7) / 7) AS INTEGER)"),
]


@pytest.mark.parametrize("grain, pg_grain", GRAINS, ids=[g[0] for g in GRAINS])
def test_time_granularities(mimir, pg, grain, pg_grain):
    want = pg_rows(pg, rentals(f"{pg_grain} AS g, COUNT(rental_id), SUM(amount)"))
    names, got = mimir.query(f"SELECT {grain} AS g, AGG(movies_rented), AGG(rentals_revenue) "
                             f"FROM mimir.metrics GROUP BY 1")
    assert names == ["g", "AGG(movies_rented)", "AGG(rentals_revenue)"]
    assert_same_values(unordered(got), unordered(want))


RANGES = [
    ("ts >= TIMESTAMP('{month} 00:00:00') AND ts < '{next_month}'",
     "ts >= '{month}' AND ts < '{next_month}'"),
    ("ds BETWEEN '{month}' AND '{month_end}'", "ts >= '{month}' AND ts < '{next_month}'"),
    ("DATE(ts) = '{day}'", "ts >= '{day}' AND ts < CAST('{day}' AS DATE) + 1"),
    ("ds > '{day}' OR dim_rental_category = 'Action'",
     "CAST(ts AS DATE) > '{day}' OR dim_rental_category = 'Action'"),
    ("ts BETWEEN DATE '{day}' AND '{day} 12:00:00'", "ts BETWEEN '{day}' AND '{day} 12:00:00'"),
]


@pytest.fixture(scope="module")
def busy_dates(pg):
    """The day and month with most rentals, so every range selects something."""
    (day,), = pg_rows(pg, rentals("CAST(ts AS DATE)", order="ORDER BY COUNT(*) DESC, 1 LIMIT 1"))
    (month, month_end, next_month), = pg_rows(pg, f"""
        SELECT d, CAST(d + INTERVAL '1 month' - INTERVAL '1 day' AS DATE),
               CAST(d + INTERVAL '1 month' AS DATE)
        FROM (SELECT CAST(date_trunc('month', DATE '{day}') AS DATE) AS d) x""")
    return {"day": day, "month": month, "month_end": month_end, "next_month": next_month}


@pytest.mark.parametrize("where, pg_where", RANGES, ids=[r[0] for r in RANGES])
def test_time_ranges(mimir, pg, busy_dates, where, pg_where):
    where, pg_where = where.format(**busy_dates), pg_where.format(**busy_dates)
    want = pg_rows(pg, rentals("dim_rental_category, COUNT(rental_id)", f"WHERE {pg_where}"))
    assert want, "the range should select some rentals"
    _, got = mimir.query(f"SELECT dim_rental_category, AGG(movies_rented) FROM mimir.metrics "
                         f"WHERE {where} GROUP BY 1")
    assert unordered(got) == unordered(want)


def test_time_range_is_applied_inside_the_source(mimir):
    _, rows = mimir.query("EXPLAIN SELECT AGG(movies_rented) FROM mimir.metrics WHERE "
                          "ds BETWEEN '2022-06-01' AND '2022-06-30'")
    (step, source, connection, dialect, sql, params), = rows
    assert (source, connection, dialect) == ("rentals", "pagila_postgres", "postgresql")
    # The bounds sit in the source's own WHERE, on its time column, as parameters.
    assert "rental.rental_date >= $1 AND rental.rental_date < $2" in sql
    assert "2022" not in sql
    assert params == "['2022-06-01', '2022-07-01']"


def test_having_and_conditions_on_metrics(mimir, pg):
    counts = sorted(r[1] for r in pg_rows(pg, rentals("dim_rental_category, COUNT(rental_id)")))
    threshold = counts[len(counts) // 2]
    want = pg_rows(pg, rentals("dim_rental_category, COUNT(rental_id)",
                               having=f"HAVING COUNT(rental_id) > {threshold}"))
    assert 0 < len(want) < len(counts)
    for sql in [
        f"SELECT dim_rental_category, AGG(movies_rented) AS n FROM mimir.metrics GROUP BY 1 "
        f"HAVING AGG(movies_rented) > {threshold}",
        f"SELECT dim_rental_category, AGG(movies_rented) AS n FROM mimir.metrics GROUP BY 1 "
        f"HAVING n > {threshold}",
        f"SELECT dim_rental_category, AGG(movies_rented) AS n FROM mimir.metrics "
        f"WHERE movies_rented > {threshold} GROUP BY 1",
    ]:
        _, got = mimir.query(sql)
        assert unordered(got) == unordered(want), sql


def test_expression_over_metrics(mimir, pg):
    want = dict(pg_rows(pg, rentals("dim_rental_category, SUM(amount) / NULLIF(COUNT(rental_id), 0)")))
    names, got = mimir.query(
        "SELECT dim_rental_category, AGG(rentals_revenue) / NULLIF(AGG(movies_rented), 0) AS "
        "revenue_per_rental FROM mimir.metrics GROUP BY 1 ORDER BY revenue_per_rental DESC")
    assert names == ["dim_rental_category", "revenue_per_rental"]
    assert sorted(r[0] for r in got) == sorted(want)
    for category, ratio in got:
        w = want[category]
        # DECIMAL / BIGINT is an exact DECIMAL with 2 + 4 decimals, as in MySQL.
        assert (ratio is None and w is None) or ratio == mysql_quotient(w, 6)
    # Descending, NULLs last (MySQL's order); ties may come in any order.
    values = [r[1] for r in got]
    present = [v for v in values if v is not None]
    assert values[:len(present)] == present and present == sorted(present, reverse=True)


def mysql_quotient(value, decimals):
    """PostgreSQL's (longer) quotient at the scale MySQL gives it, rounded half up."""
    return Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def test_ratio_across_two_sources(mimir, pg):
    want = pg_rows(pg, f"""
        SELECT dim_store_id, p.rev / NULLIF(r.n, 0)
        FROM (SELECT dim_store_id, COUNT(rental_id) AS n FROM ({RENTALS_SQL}) x GROUP BY 1) r
        FULL OUTER JOIN (SELECT dim_store_id, SUM(amount) AS rev FROM ({PAYMENTS_SQL}) y
                         GROUP BY 1) p USING (dim_store_id)
        ORDER BY 1""")
    _, got = mimir.query("SELECT dim_store_id, AGG(payments_revenue) / NULLIF(AGG(movies_rented), "
                         "0) AS per_rental FROM mimir.metrics GROUP BY 1 ORDER BY 1")
    assert [r[0] for r in got] == [r[0] for r in want]
    for g, w in zip(got, want):
        assert (g[1] is None and w[1] is None) or g[1] == mysql_quotient(w[1], 6)


def test_bi_style_query(mimir, pg):
    want = pg_rows(pg, rentals("dim_rental_category, COUNT(rental_id), SUM(amount)",
                               "WHERE dim_rental_category IN ('Action', 'Comedy', 'Drama')",
                               order="ORDER BY 2 DESC, 1 LIMIT 2"))
    names, got = mimir.query(
        "SELECT `metrics`.`dim_rental_category` AS `dim_rental_category`, "
        "SUM(`metrics`.`movies_rented`) AS `sum:movies_rented:ok`, "
        "MAX(`rentals_revenue`) AS `sum:rentals_revenue:ok` "
        "FROM `mimir`.`metrics` `metrics` "
        "WHERE (`metrics`.`dim_rental_category` IN ('Action', 'Comedy', 'Drama')) "
        "GROUP BY 1 ORDER BY `sum:movies_rented:ok` DESC, 1 LIMIT 2")
    assert names == ["dim_rental_category", "sum:movies_rented:ok", "sum:rentals_revenue:ok"]
    assert_same_values(got, want)


def test_dimension_only_queries(mimir, pg):
    want = pg_rows(pg, f"SELECT customer_id FROM ({RENTALS_SQL}) r UNION "
                       f"SELECT customer_id FROM ({PAYMENTS_SQL}) p")
    _, got = mimir.query("SELECT DISTINCT customer_id FROM mimir.metrics")
    assert unordered(got) == unordered(want)
    want = pg_rows(pg, rentals("DISTINCT dim_rental_category", group=""))
    _, got = mimir.query("SELECT dim_rental_category FROM mimir.metrics GROUP BY 1")
    assert unordered(got) == unordered(want)


def test_greatest_and_least_follow_mysql_on_postgresql(mimir, pg):
    """MySQL's GREATEST/LEAST are NULL when an argument is NULL; PostgreSQL's
    skip NULLs, so Mimir spells the NULL case out."""
    want = pg_rows(pg, rentals("LEAST(customer_id, 10), COUNT(rental_id)"))
    _, got = mimir.query("SELECT LEAST(customer_id, 10), AGG(movies_rented) FROM mimir.metrics "
                         "GROUP BY 1")
    assert unordered(got) == unordered(want) and len(want) > 1
    want = pg_rows(pg, rentals("CAST(NULL AS INTEGER), COUNT(rental_id)", group=""))
    _, got = mimir.query("SELECT GREATEST(customer_id, NULL) AS g, AGG(movies_rented) "
                         "FROM mimir.metrics GROUP BY g")
    assert got == want and want[0][0] is None


def test_source_tables(mimir, pg):
    want = pg_rows(pg, f"SELECT staff_id, COUNT(payment_id) FROM ({PAYMENTS_SQL}) p GROUP BY 1")
    _, got = mimir.query("SELECT staff_id, AGG(payments_count) FROM mimir.payments GROUP BY 1")
    assert unordered(got) == unordered(want)
    conn = mimir.connect()
    try:
        with pytest.raises(pymysql.err.MySQLError) as excinfo:
            with conn.cursor() as cur:
                cur.execute("SELECT AGG(movies_rented) FROM mimir.payments")
        code, message = mysql_error(excinfo)
        assert code == 1054 and "movies_rented" in message
        assert_answers_select_1(conn)
    finally:
        conn.close()


def test_derived_table(mimir, pg):
    want = pg_rows(pg, rentals("dim_rental_category, COUNT(rental_id)",
                               having="HAVING COUNT(rental_id) > 20", order="ORDER BY 2 DESC, 1"))
    _, got = mimir.query(
        "SELECT t.cat, n FROM (SELECT dim_rental_category AS cat, AGG(movies_rented) AS n "
        "FROM mimir.metrics GROUP BY 1) t WHERE n > 20 ORDER BY n DESC, 1")
    assert got == want
    (total,), = pg_rows(pg, rentals("COUNT(rental_id)", group=""))
    _, got = mimir.query("SELECT SUM(n) AS total, COUNT(*) AS groups FROM (SELECT "
                         "dim_rental_category, AGG(movies_rented) AS n FROM mimir.metrics "
                         "GROUP BY 1) AS t")
    assert got[0][0] == total and got[0][1] == len(pg_rows(pg, rentals("dim_rental_category")))


def test_schema_probes_need_no_backend(mimir_factory, session_dir, workdir):
    # Secrets that point nowhere: a probe that touched the backend would fail.
    from conftest import free_port, write_secrets
    secrets = write_secrets(workdir, free_port())
    server = mimir_factory(configs=REPO / "configs" / "pagila", secrets=secrets,
                           name="mimir-probe")
    server.start()
    conn = server.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT * FROM mimir.metrics LIMIT 0")
            names = [d[0] for d in cur.description]
            assert cur.fetchall() == ()
            for name in ["ts", "ds", "dim_rental_category", "customer_id", "movies_rented",
                         "payments_revenue"]:
                assert name in names
            cur.execute("SELECT dim_rental_category, AGG(rentals_revenue), ds FROM "
                        "mimir.metrics WHERE 1 = 0 GROUP BY 1, 3")
            assert [d[1] for d in cur.description] == [253, 246, 10]
            assert cur.fetchall() == ()
            cur.execute("SELECT * FROM mimir.rentals LIMIT 0")
            assert "payments_revenue" not in [d[0] for d in cur.description]
    finally:
        conn.close()


INJECTIONS = ["' OR 1=1 --", "x' OR 'a'='a", "\\' OR 1=1 #", "'; DROP TABLE rental; --",
              "Äction ✓", "Action\\"]


@pytest.mark.parametrize("value", INJECTIONS)
def test_literals_stay_literals_on_postgresql(mimir, pg, value):
    (before,), = pg_rows(pg, "SELECT count(*) FROM rental")
    conn = mimir.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT dim_rental_category, AGG(movies_rented) FROM mimir.metrics "
                        "WHERE dim_rental_category = %s GROUP BY 1", (value,))
            assert cur.fetchall() == ()
            cur.execute("SELECT AGG(movies_rented) FROM mimir.metrics WHERE "
                        "dim_rental_category LIKE %s", (value,))
            assert cur.fetchall() == ((0,),)
    finally:
        conn.close()
    assert pg_rows(pg, "SELECT count(*) FROM rental") == [(before,)]


@pytest.mark.parametrize("value", INJECTIONS)
def test_literals_stay_literals_on_sqlite(mimir_demo, value):
    conn = mimir_demo.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT city, AGG(orders_count) FROM mimir.metrics WHERE city = %s "
                        "GROUP BY 1", (value,))
            assert cur.fetchall() == ()
    finally:
        conn.close()
    db = sqlite3.connect(f"file:{DEMO_DB}?mode=ro", uri=True)
    assert db.execute("SELECT count(*) FROM orders").fetchone()[0] > 0


def test_nul_byte_in_a_literal_is_refused(mimir):
    conn = mimir.connect()
    try:
        with pytest.raises(pymysql.err.MySQLError) as excinfo:
            with conn.cursor() as cur:
                cur.execute("SELECT AGG(movies_rented) FROM mimir.metrics WHERE "
                            "dim_rental_category = 'Act\\0ion'")
        code, message = mysql_error(excinfo)
        assert code == 1210 and "NUL" in message
        assert_answers_select_1(conn)
    finally:
        conn.close()


ERRORS = [
    ("SELECT NO_SUCH_FN(ts), AGG(movies_rented) FROM mimir.metrics GROUP BY 1", 1305,
     "NO_SUCH_FN"),
    ("SELECT SUM(amount) FROM mimir.metrics", 1235, "SUM() over 'amount' reads the rows"),
    ("SELECT COUNT(DISTINCT movies_rented) FROM mimir.metrics", 1235, "already aggregated"),
    ("SELECT rental.rental_id FROM mimir.metrics", 1054, "rental.rental_id"),
    ("SELECT * FROM pg_catalog.pg_tables", 1049, "pg_catalog"),
    ("SELECT AGG(movies_rented) FROM mimir.metrics WHERE dim_rental_category IN "
     "(SELECT name FROM category)", 1235, "subqueries"),
    ("SELECT customer_id, AGG(movies_rented) FROM mimir.metrics GROUP BY 1 HAVING staff_id > 1",
     1055, "staff_id"),
    ("SELECT DATE_FORMAT(ts, dim_rental_category), AGG(movies_rented) FROM mimir.metrics",
     1210, "string literal"),
    ("SELECT x FROM (SELECT AGG(movies_rented) AS n FROM mimir.metrics) t", 1054, "'x'"),
]


@pytest.mark.parametrize("sql, code, text", ERRORS, ids=[e[0][:40] for e in ERRORS])
def test_errors_name_what_is_wrong(mimir, sql, code, text):
    assert_refused_on_a_fresh_connection(mimir, sql, code, text)


# Row-level reads (docs/sql.md "Row-level reads"): MySQL would answer them row by
# row; mimir.metrics holds metrics, not rows, so they are refused with a message
# that says what to write instead. (statement, code, text the message contains)
ROW_LEVEL_READS = [
    # Metabase's raw data view: a metric without an aggregate or GROUP BY.
    ("SELECT `metrics`.`dim_rental_category` AS `dim_rental_category`, `metrics`.`ts` AS `ts`, "
     "`metrics`.`movies_rented` AS `movies_rented` FROM `mimir`.`metrics` LIMIT 2000",
     1235, "Write AGG(movies_rented)"),
    ("SELECT movies_rented FROM mimir.metrics", 1235, "Row-level reads"),
    ("SELECT DISTINCT dim_rental_category, rentals_revenue FROM mimir.metrics", 1235,
     "'rentals_revenue' is a metric"),
    # A metric in WHERE without GROUP BY: MySQL tests each row there.
    ("SELECT DISTINCT dim_rental_category FROM mimir.metrics WHERE movies_rented > 10", 1235,
     "Row-level reads"),
    # Metabase's fingerprint sample: dimensions without GROUP BY, DISTINCT or an aggregate.
    ("SELECT `metrics`.`dim_rental_category` AS `dim_rental_category` FROM `mimir`.`metrics` "
     "LIMIT 10000", 1235, "SELECT DISTINCT"),
    ("SELECT staff_id FROM mimir.payments", 1235, "every row of mimir.payments"),
    ("SELECT COUNT(*) FROM mimir.metrics", 1235, "COUNT(*) counts rows"),
    ("SELECT dim_rental_category, COUNT(1) FROM mimir.metrics GROUP BY 1", 1235,
     "COUNT(1) counts rows"),
    ("SELECT * FROM mimir.metrics", 1235, "name the dimensions"),
    # MySQL's aggregates beside a bare column without GROUP BY: MySQL 8's 1140.
    ("SELECT dim_rental_category, SUM(movies_rented) FROM mimir.metrics", 1140,
     "In aggregated query without GROUP BY, expression #1 of SELECT list contains "
     "nonaggregated column 'mimir.metrics.dim_rental_category'; this is incompatible with "
     "sql_mode=only_full_group_by"),
    ("SELECT MAX(rentals_revenue), DATE(ts) FROM mimir.metrics", 1140,
     "expression #2 of SELECT list contains nonaggregated column 'mimir.metrics.ts'"),
]


@pytest.mark.parametrize("sql, code, text", ROW_LEVEL_READS,
                         ids=[e[0][:50] for e in ROW_LEVEL_READS])
def test_row_level_reads_are_refused(mimir, sql, code, text):
    assert_refused_on_a_fresh_connection(mimir, sql, code, text)


def test_what_row_level_reads_should_write_instead(mimir, pg):
    """The statements the refusals suggest are answered, with PostgreSQL's numbers."""
    want = pg_rows(pg, rentals("DISTINCT dim_rental_category", group=""))
    for sql in ("SELECT DISTINCT dim_rental_category FROM mimir.metrics",
                "SELECT dim_rental_category FROM mimir.metrics GROUP BY dim_rental_category"):
        assert unordered(mimir.query(sql)[1]) == unordered(want)
    want = pg_rows(pg, rentals("dim_rental_category, COUNT(rental_id)"))
    for sql in ("SELECT dim_rental_category, movies_rented FROM mimir.metrics GROUP BY 1",
                "SELECT dim_rental_category, SUM(movies_rented) FROM mimir.metrics GROUP BY 1",
                # AGG() groups by the selected dimensions without GROUP BY (Mimir's syntax).
                "SELECT dim_rental_category, AGG(movies_rented) FROM mimir.metrics"):
        assert unordered(mimir.query(sql)[1]) == unordered(want), sql
    want = pg_rows(pg, rentals("COUNT(rental_id)", group=""))
    assert mimir.query("SELECT SUM(movies_rented) FROM mimir.metrics")[1] == want
    # No rows read, the same answer as MySQL's: the columns only.
    names, rows = mimir.query("SELECT dim_rental_category, ts, movies_rented "
                              "FROM mimir.metrics LIMIT 0")
    assert names == ["dim_rental_category", "ts", "movies_rented"] and rows == []
