"""Derived metrics (issue 6): `type: derived`, an expression over other
metrics (of one source or several, derived ones too), computed after the
combine and queryable like any metric. configs/pagila has two:

  revenue_per_rental   rentals_revenue / NULLIF(movies_rented, 0)   (rentals)
  payments_per_rental  payments_count / NULLIF(movies_rented, 0)    (payments, rentals)

Every expected number is computed on PostgreSQL in the same run."""

import csv
import io
import math
import shutil

import pymysql
import pytest
from pymysql.constants import FIELD_TYPE

from conftest import PAGILA_CONFIGS
from support import PAYMENTS_SQL, RENTALS_SQL, assert_answers_select_1, mysql_error
from test_cli import cli


def pg_rows(pg, sql):
    return [tuple(r) for r in pg.query(sql)]


def close(got, want):
    """A DOUBLE from Mimir against PostgreSQL's exact numeric (None for NULL)."""
    if want is None or got is None:
        return got is None and want is None
    return math.isclose(got, float(want), rel_tol=1e-12)


def assert_rows_close(got, want, nkeys=1):
    assert [r[:nkeys] for r in got] == [r[:nkeys] for r in want]
    for g, w in zip(got, want):
        assert all(close(a, b) for a, b in zip(g[nkeys:], w[nkeys:])), (g, w)


REVENUE_PER_RENTAL_BY_CATEGORY = f"""
    SELECT dim_rental_category, SUM(amount) / NULLIF(COUNT(rental_id), 0)
    FROM ({RENTALS_SQL}) AS r GROUP BY 1 ORDER BY 1"""

PAYMENTS_PER_RENTAL_BY_STORE = f"""
    SELECT dim_store_id, p.n / NULLIF(r.n, 0)
    FROM (SELECT dim_store_id, COUNT(rental_id) AS n FROM ({RENTALS_SQL}) x GROUP BY 1) r
    FULL OUTER JOIN (SELECT dim_store_id, COUNT(payment_id)::numeric AS n
                     FROM ({PAYMENTS_SQL}) y GROUP BY 1) p USING (dim_store_id)
    ORDER BY 1"""


@pytest.mark.parametrize("spelling", ["AGG(revenue_per_rental)", "MEASURE(revenue_per_rental)",
                                      "revenue_per_rental", "SUM(revenue_per_rental)"])
def test_revenue_per_rental_by_category(mimir, pg, spelling):
    want = pg_rows(pg, REVENUE_PER_RENTAL_BY_CATEGORY)
    conn = mimir.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(f"SELECT dim_rental_category, {spelling} FROM mimir.metrics "
                        "GROUP BY 1 ORDER BY 1")
            # An unaliased AGG(m) (or MEASURE, SUM, ...) is named as written, as MySQL does.
            assert cur.description[1][0] == spelling
            assert cur.description[1][1] == FIELD_TYPE.DOUBLE
            assert_rows_close([tuple(r) for r in cur.fetchall()], want)
    finally:
        conn.close()


def test_derived_metric_across_two_sources(mimir, pg):
    want = pg_rows(pg, PAYMENTS_PER_RENTAL_BY_STORE)
    _, got = mimir.query("SELECT dim_store_id, AGG(payments_per_rental) FROM mimir.metrics "
                         "GROUP BY 1 ORDER BY 1")
    assert_rows_close(got, want)
    # Without dimensions: one row, the totals' ratio.
    (want_total,), = pg_rows(pg, f"""
        SELECT (SELECT COUNT(payment_id) FROM ({PAYMENTS_SQL}) p)::numeric
               / NULLIF((SELECT COUNT(rental_id) FROM ({RENTALS_SQL}) r), 0)""")
    _, got = mimir.query("SELECT AGG(payments_per_rental) FROM mimir.metrics")
    assert close(got[0][0], want_total)


def test_derived_with_base_metrics_order_having_limit(mimir, pg):
    want = pg_rows(pg, f"""
        SELECT dim_rental_category, COUNT(rental_id), SUM(amount) / NULLIF(COUNT(rental_id), 0)
        FROM ({RENTALS_SQL}) AS r GROUP BY 1
        HAVING SUM(amount) / NULLIF(COUNT(rental_id), 0) > 0.5
        ORDER BY 3 DESC, 1 LIMIT 4""")
    assert len(want) == 4
    _, got = mimir.query(
        "SELECT dim_rental_category, AGG(movies_rented), AGG(revenue_per_rental) AS r "
        "FROM mimir.metrics GROUP BY 1 HAVING revenue_per_rental > 0.5 "
        "ORDER BY revenue_per_rental DESC, 1 LIMIT 4")
    assert_rows_close(got, want, nkeys=2)
    # In an expression of the client's, and in WHERE (a condition on metrics acts as HAVING).
    _, got = mimir.query(
        "SELECT dim_rental_category, ROUND(100 * revenue_per_rental, 2) FROM mimir.metrics "
        "WHERE revenue_per_rental > 0.5 GROUP BY 1 ORDER BY 1")
    want = pg_rows(pg, f"""
        SELECT dim_rental_category, ROUND(100 * SUM(amount) / NULLIF(COUNT(rental_id), 0), 2)
        FROM ({RENTALS_SQL}) AS r GROUP BY 1
        HAVING SUM(amount) / NULLIF(COUNT(rental_id), 0) > 0.5 ORDER BY 1""")
    assert_rows_close(got, want)


def test_derived_metric_in_a_derived_table(mimir, pg):
    want = pg_rows(pg, f"""
        SELECT MAX(x) FROM (SELECT SUM(amount) / NULLIF(COUNT(rental_id), 0) AS x
                            FROM ({RENTALS_SQL}) AS r GROUP BY dim_rental_category) t""")
    _, got = mimir.query("SELECT MAX(r) FROM (SELECT dim_rental_category, "
                         "AGG(revenue_per_rental) AS r FROM mimir.metrics GROUP BY 1) AS t")
    assert close(got[0][0], want[0][0])


def test_explain_shows_the_expression_after_the_combine(mimir):
    _, rows = mimir.query("EXPLAIN SELECT dim_store_id, AGG(payments_per_rental) "
                          "FROM mimir.metrics GROUP BY 1")
    text = "\n".join(str(c) for r in rows for c in r)
    assert "COUNT(payment_id)" in text and "COUNT(rental_id)" in text
    assert 'CAST(((CAST("m0" AS REAL) / NULLIF(NULLIF("m1", ?1), 0))) AS REAL) AS ' \
           '"AGG(payments_per_rental)"' in text


def test_catalog_shows_derived_metrics_as_double(mimir):
    conn = mimir.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW FULL COLUMNS FROM mimir.metrics LIKE '%per_rental'")
            rows = {r[0]: (r[1], r[-1]) for r in cur.fetchall()}
            assert rows == {"revenue_per_rental": ("double", "Amount paid per rental."),
                            "payments_per_rental": ("double", "Payments per rental (payments "
                                                              "and rentals sources).")}
            cur.execute("SELECT TABLE_NAME, DATA_TYPE FROM information_schema.COLUMNS WHERE "
                        "TABLE_SCHEMA = 'mimir' AND COLUMN_NAME = 'revenue_per_rental'")
            assert cur.fetchall() == (("metrics", "double"),)  # not in mimir.rentals
            cur.execute("SELECT AGG(revenue_per_rental) FROM mimir.metrics LIMIT 0")
            assert cur.description[0][1] == FIELD_TYPE.DOUBLE
    finally:
        conn.close()


@pytest.mark.parametrize("sql, code, message", [
    ("SELECT COUNT(revenue_per_rental) FROM mimir.metrics", 1235,
     "COUNT(revenue_per_rental) is not supported: a metric is already aggregated at the "
     "query's grain; use AGG(revenue_per_rental)"),
    ("SELECT revenue_per_rental, AGG(movies_rented) FROM mimir.metrics GROUP BY 1", 1235,
     "Can't group on 'revenue_per_rental': it is computed from metrics"),
    ("SELECT AGG(movies_rented) FROM mimir.metrics GROUP BY revenue_per_rental", 1054,
     "Unknown column 'revenue_per_rental' in 'group statement': 'revenue_per_rental' is a "
     "metric; write AGG(revenue_per_rental)"),
])
def test_misuse_is_an_error_and_the_session_goes_on(mimir, sql, code, message):
    conn = mimir.connect()
    try:
        with pytest.raises(pymysql.err.MySQLError) as excinfo:
            with conn.cursor() as cur:
                cur.execute(sql)
        assert mysql_error(excinfo) == (code, message)
        assert_answers_select_1(conn)
    finally:
        conn.close()


def test_source_tables_do_not_have_derived_metrics(mimir):
    conn = mimir.connect()
    try:
        with pytest.raises(pymysql.err.MySQLError) as excinfo:
            with conn.cursor() as cur:
                cur.execute("SELECT AGG(revenue_per_rental) FROM mimir.rentals")
        code, message = mysql_error(excinfo)
        assert code == 1054
        assert message.startswith("Unknown column 'revenue_per_rental' in 'field list': no metric "
                                  "named 'revenue_per_rental'")
        assert_answers_select_1(conn)
    finally:
        conn.close()


# --------------------------------------------------------------------------
# derived over derived, and MySQL's division, on a layer of its own
# --------------------------------------------------------------------------

MORE_DERIVED = """---
name: avg_payment
type: derived
sql: payments_revenue / NULLIF(payments_count, 0)
---
name: rental_value_vs_payment
type: derived
description: Revenue per rental over the average payment (derived over derived).
sql: revenue_per_rental / avg_payment
---
name: zero_division
type: derived
sql: movies_rented / (movies_rented - movies_rented)
"""


@pytest.fixture
def mimir_more(mimir_factory, workdir, pagila_secrets):
    configs = workdir / "configs"
    shutil.copytree(PAGILA_CONFIGS, configs)
    (configs / "metrics" / "more.yaml").write_text(MORE_DERIVED)
    return mimir_factory(configs=configs, secrets=pagila_secrets, name="mimir-derived").start()


def test_derived_over_derived(mimir_more, pg):
    want = pg_rows(pg, f"""
        SELECT dim_store_id, (r.rev / NULLIF(r.n, 0)) / (p.rev / NULLIF(p.n, 0))
        FROM (SELECT dim_store_id, SUM(amount) AS rev, COUNT(rental_id) AS n
              FROM ({RENTALS_SQL}) x GROUP BY 1) r
        FULL OUTER JOIN (SELECT dim_store_id, SUM(amount) AS rev, COUNT(payment_id) AS n
                         FROM ({PAYMENTS_SQL}) y GROUP BY 1) p USING (dim_store_id)
        ORDER BY 1""")
    _, got = mimir_more.query("SELECT dim_store_id, AGG(rental_value_vs_payment) "
                              "FROM mimir.metrics GROUP BY 1 ORDER BY 1")
    assert_rows_close(got, want)


def test_division_by_zero_is_null_as_in_mysql(mimir_more):
    _, got = mimir_more.query("SELECT dim_store_id, AGG(zero_division) FROM mimir.metrics "
                              "GROUP BY 1 ORDER BY 1")
    assert got and all(v is None for _, v in got)


# --------------------------------------------------------------------------
# the command line
# --------------------------------------------------------------------------


def test_cli_query_and_dry_run(pg, pagila_secrets):
    proc = cli("query", "--configs", PAGILA_CONFIGS, "--secrets", pagila_secrets,
               "-m", "revenue_per_rental", "-d", "dim_rental_category", "--format", "csv",
               check_status=0)
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    assert rows[0] == ["dim_rental_category", "revenue_per_rental"]
    got = [(c, float(v)) for c, v in rows[1:]]
    assert_rows_close(got, pg_rows(pg, REVENUE_PER_RENTAL_BY_CATEGORY))
    proc = cli("query", "--configs", PAGILA_CONFIGS, "--no-secrets", "--dry-run",
               "-m", "payments_per_rental", check_status=0)
    assert "COUNT(payment_id)" in proc.stdout and "COUNT(rental_id)" in proc.stdout
    assert "AS \"payments_per_rental\"" in proc.stdout


def test_cli_list_and_describe():
    proc = cli("describe", "payments_per_rental", "--configs", PAGILA_CONFIGS, check_status=0)
    fields = {k: v.strip() for k, v in (line.split(":", 1) for line in proc.stdout.splitlines())}
    assert fields["type"] == "derived (computed after the combine; DOUBLE)"
    assert fields["sql"] == "payments_count / NULLIF(movies_rented, 0)"
    assert fields["derived_from"] == "payments_count, movies_rented"
    proc = cli("list", "metrics", "--configs", PAGILA_CONFIGS, "--format", "csv", check_status=0)
    rows = {r["name"]: r["source"] for r in csv.DictReader(io.StringIO(proc.stdout))}
    assert rows["revenue_per_rental"] == "(derived)"
    assert rows["movies_rented"] == "rentals"


def test_demo_orders_per_visit_on_sqlite(mimir_demo):
    """The embedded demo's derived metric, against SQLite's own answer."""
    import sqlite3

    from conftest import DEMO_DB
    db = sqlite3.connect(str(DEMO_DB))
    try:
        want = db.execute("""
            SELECT s.city, CAST(o.n AS REAL) / v.n FROM stores s
            LEFT JOIN (SELECT store_id, COUNT(order_id) AS n FROM orders GROUP BY 1) o
                   ON o.store_id = s.store_id
            LEFT JOIN (SELECT store_id, COUNT(visit_id) AS n FROM visits GROUP BY 1) v
                   ON v.store_id = s.store_id
            WHERE o.n IS NOT NULL OR v.n IS NOT NULL ORDER BY 1""").fetchall()
    finally:
        db.close()
    _, got = mimir_demo.query("SELECT city, AGG(orders_per_visit) FROM mimir.metrics "
                              "GROUP BY 1 ORDER BY 1")
    assert_rows_close(got, want)


def test_serve_refuses_a_derived_metric_that_does_not_parse(mimir_factory, workdir,
                                                            pagila_secrets):
    configs = workdir / "configs"
    shutil.copytree(PAGILA_CONFIGS, configs)
    (configs / "metrics" / "broken.yaml").write_text(
        "name: broken_ratio\ntype: derived\nsql: NULLIF(movies_rented,, 0)\n")
    server = mimir_factory(configs=configs, secrets=pagila_secrets, name="mimir-bad-derived")
    status, stderr = server.run_until_exit()
    assert status == 1, stderr
    assert ("broken.yaml:1:1: derived metric 'broken_ratio': sql 'NULLIF(movies_rented,, 0)' is "
            "not an expression: syntax error near ', 0)'") in stderr


def test_sighup_adds_a_derived_metric_and_rejects_a_cycle(mimir_factory, workdir, pagila_secrets,
                                                          pg):
    import signal
    import time

    configs = workdir / "configs"
    shutil.copytree(PAGILA_CONFIGS, configs)
    server = mimir_factory(configs=configs, secrets=pagila_secrets, name="mimir-reload").start()

    def wait_for_log(text, count):
        deadline = time.monotonic() + 10
        while server.stderr().count(text) < count:
            assert time.monotonic() < deadline, server.stderr()
            time.sleep(0.05)

    conn = server.connect()
    try:
        (configs / "metrics" / "new.yaml").write_text(
            "name: avg_payment\ntype: derived\nsql: payments_revenue / payments_count\n")
        server.proc.send_signal(signal.SIGHUP)
        wait_for_log("reloaded", 1)
        (want,), = pg_rows(pg, f"SELECT SUM(amount) / COUNT(payment_id) FROM ({PAYMENTS_SQL}) p")
        with conn.cursor() as cur:  # the same session sees it
            cur.execute("SELECT AGG(avg_payment) FROM mimir.metrics")
            (got,), = cur.fetchall()
        assert close(got, want)
        (configs / "metrics" / "new.yaml").write_text(
            "name: avg_payment\ntype: derived\nsql: payments_revenue / avg_payment\n")
        server.proc.send_signal(signal.SIGHUP)
        wait_for_log("reload rejected", 1)
        assert "derived metric 'avg_payment' depends on itself: avg_payment -> avg_payment" \
            in server.stderr()
        with conn.cursor() as cur:  # the layer in force stays
            cur.execute("SELECT AGG(avg_payment) FROM mimir.metrics")
            assert close(cur.fetchall()[0][0], want)
    finally:
        conn.close()
