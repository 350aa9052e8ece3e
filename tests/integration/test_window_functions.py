"""Window functions over metrics queries (issue 13, section 1).

A window runs over the query's rows after GROUP BY and HAVING, before ORDER BY
and LIMIT, as in MySQL: Mimir computes the grouped query (an inquiry, on one
source or several combined) and evaluates the windows over its rows in the
final SQLite stage, with exact SUM and AVG of DECIMAL values.

The oracle is a real MariaDB holding the same rows as the two Pagila sources
(test_exact_final's tables): the same windows over the grouped rows there,
value AND column type, are what Mimir must answer.
"""

import pymysql
import pytest

from test_exact_final import conn, oracle  # noqa: F401  (fixtures: the oracle of both sources)
from test_exact_final import ORACLE_METRICS, check, grouped, oracle_expr, run

A, N = "AGG(payments_revenue)", "AGG(payments_count)"
R, M = "AGG(rentals_revenue)", "AGG(movies_rented)"


def pair(items, key, tail=""):
    """The same select list over Mimir's grouped metrics and MariaDB's grouped rows."""
    mimir_sql = f"SELECT {key}, {items} FROM mimir.metrics GROUP BY {key} {tail}"
    oracle_sql = (f"SELECT {key}, {oracle_expr(items)} FROM {grouped(key, ORACLE_METRICS)} "
                  f"{oracle_expr(tail)}")
    return mimir_sql, oracle_sql


ONE_SOURCE = {
    "share_of_total": f"{A} * 100 / SUM({A}) OVER () AS share",
    "total": f"SUM({A}) OVER () AS total, SUM({N}) OVER () AS n",
    "running_total": f"SUM({A}) OVER (ORDER BY customer_id ROWS BETWEEN UNBOUNDED PRECEDING "
                     f"AND CURRENT ROW) AS running",
    "default_frame_is_range": f"SUM({A}) OVER (ORDER BY {N}) AS by_count",
    "moving_window": f"SUM({A}) OVER (ORDER BY customer_id ROWS BETWEEN 2 PRECEDING AND "
                     f"1 FOLLOWING) AS moving, AVG({A}) OVER (ORDER BY customer_id ROWS 3 "
                     f"PRECEDING) AS moving_avg",
    "averages": f"AVG({A}) OVER () AS a, AVG({N}) OVER () AS n",
    "min_max_count": f"MIN({A}) OVER () AS lo, MAX({A}) OVER () AS hi, "
                     f"COUNT({A}) OVER () AS c, COUNT(*) OVER () AS rows_",
    "ranks": f"RANK() OVER (ORDER BY {N} DESC) AS r, DENSE_RANK() OVER (ORDER BY {N} DESC) "
             f"AS d, ROW_NUMBER() OVER (ORDER BY {A} DESC, customer_id) AS n",
    "rank_of_a_decimal": f"RANK() OVER (ORDER BY {A}) AS r",
    "lag_lead": f"LAG({A}) OVER (ORDER BY customer_id) AS prev, "
                f"LEAD({A}, 2) OVER (ORDER BY customer_id) AS next2",
    "difference_to_previous": f"{A} - LAG({A}, 1) OVER (ORDER BY customer_id) AS delta",
    "first_last": f"FIRST_VALUE({A}) OVER (ORDER BY customer_id) AS f, "
                  f"LAST_VALUE({A}) OVER (ORDER BY customer_id ROWS BETWEEN CURRENT ROW AND "
                  f"UNBOUNDED FOLLOWING) AS l",
    "distribution": f"PERCENT_RANK() OVER (ORDER BY {A}) AS p, CUME_DIST() OVER (ORDER BY {A}) "
                    f"AS c, NTILE(4) OVER (ORDER BY {A}, customer_id) AS q",
}


@pytest.mark.parametrize("items", ONE_SOURCE.values(), ids=ONE_SOURCE.keys())
def test_one_source(conn, oracle, items):
    check(conn, oracle, *pair(items, "customer_id", "ORDER BY customer_id"))


def test_lag_with_a_default(conn, oracle):
    """LAG/LEAD's third argument, the value past the partition's edge (MariaDB 10.11 has
    no third argument: it is COALESCE of the two-argument form there)."""
    mimir_sql, _ = pair(f"LEAD({A}, 2, 0) OVER (ORDER BY customer_id) AS next2", "customer_id",
                        "ORDER BY customer_id")
    _, oracle_sql = pair(f"COALESCE(LEAD({A}, 2) OVER (ORDER BY customer_id), 0) AS next2",
                         "customer_id", "ORDER BY customer_id")
    rows = check(conn, oracle, mimir_sql, oracle_sql)
    assert rows[-1][1] == 0


def test_running_total_per_partition(conn, oracle):
    key = "staff_id, customer_id"
    items = (f"SUM({A}) OVER (PARTITION BY staff_id ORDER BY customer_id ROWS BETWEEN UNBOUNDED "
             f"PRECEDING AND CURRENT ROW) AS running, "
             f"RANK() OVER (PARTITION BY staff_id ORDER BY {A} DESC) AS r")
    check(conn, oracle, *pair(items, key, "ORDER BY staff_id, customer_id"))


def test_over_a_month_grain(conn, oracle):
    """The running total of a time grain, in the BI form SUM(metric)."""
    mimir_sql = ("SELECT year_month, SUM(payments_revenue) AS v, SUM(SUM(payments_revenue)) "
                 "OVER (ORDER BY year_month) AS running FROM mimir.metrics GROUP BY year_month "
                 "ORDER BY year_month")
    oracle_sql = ("SELECT ym, SUM(amount) AS v, SUM(SUM(amount)) OVER (ORDER BY ym) AS running "
                  "FROM (SELECT CAST(DATE_FORMAT(ts, '%Y-%m-01') AS DATE) AS ym, amount "
                  "FROM payments_rows) x GROUP BY ym ORDER BY ym")
    rows = check(conn, oracle, mimir_sql, oracle_sql)
    assert len(rows) > 1


def test_running_total_per_store_by_month(conn, oracle):
    """The brief's example: a running total per partition along a time grain."""
    mimir_sql = (f"SELECT staff_id, year_month, {A} AS v, SUM({A}) OVER (PARTITION BY staff_id "
                 f"ORDER BY year_month ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS run "
                 f"FROM mimir.payments GROUP BY staff_id, year_month ORDER BY staff_id, "
                 f"year_month")
    oracle_sql = ("SELECT staff_id, ym, SUM(amount) AS v, SUM(SUM(amount)) OVER (PARTITION BY "
                  "staff_id ORDER BY ym ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS run "
                  "FROM (SELECT staff_id, CAST(DATE_FORMAT(ts, '%Y-%m-01') AS DATE) AS ym, "
                  "amount FROM payments_rows) x GROUP BY staff_id, ym ORDER BY staff_id, ym")
    rows = check(conn, oracle, mimir_sql, oracle_sql)
    assert len(rows) > 2


def test_windows_inside_expressions(conn, oracle):
    items = (f"CASE WHEN RANK() OVER (ORDER BY {A} DESC) <= 3 THEN 'top' ELSE 'other' END AS t, "
             f"ROUND({A} * 100 / SUM({A}) OVER (), 2) AS pct, "
             f"COALESCE(LAG({N}) OVER (ORDER BY customer_id), 0) + 1 AS prev_plus_one")
    check(conn, oracle, *pair(items, "customer_id", "ORDER BY customer_id"))


def test_order_by_and_limit_apply_after_the_windows(conn, oracle):
    """The windows see every grouped row; ORDER BY (a window's alias) and LIMIT come after,
    and HAVING before."""
    items = f"{A} AS v, RANK() OVER (ORDER BY {A} DESC) AS r, SUM({A}) OVER () AS total"
    check(conn, oracle, *pair(items, "customer_id", "ORDER BY r, customer_id LIMIT 5"))
    check(conn, oracle, *pair(items, "customer_id", "ORDER BY 3 DESC, 1 LIMIT 4 OFFSET 2"))
    mimir_sql = (f"SELECT customer_id, RANK() OVER (ORDER BY {A} DESC) AS r FROM mimir.metrics "
                 f"GROUP BY customer_id HAVING {A} > 100 ORDER BY r, customer_id")
    oracle_sql = (f"SELECT customer_id, RANK() OVER (ORDER BY payments_revenue DESC) AS r "
                  f"FROM {grouped('customer_id', ORACLE_METRICS)} WHERE payments_revenue > 100 "
                  f"ORDER BY r, customer_id")
    check(conn, oracle, mimir_sql, oracle_sql)


def test_order_by_a_window_expression(conn, oracle):
    check(conn, oracle, *pair(f"{A} AS v", "customer_id",
                              f"ORDER BY SUM({A}) OVER (ORDER BY customer_id) DESC LIMIT 5"))


def test_named_windows(conn, oracle):
    items = (f"SUM({A}) OVER w AS running, RANK() OVER w AS r, "
             f"AVG({A}) OVER (w2 ORDER BY customer_id) AS a")
    tail = ("WINDOW w AS (ORDER BY customer_id, dim_store_id), w2 AS (PARTITION BY "
            "dim_store_id) ORDER BY customer_id, dim_store_id")
    check(conn, oracle, *pair(items, "dim_store_id, customer_id", tail))


def test_distinct_applies_after_the_windows(conn, oracle):
    check(conn, oracle,
          f"SELECT DISTINCT SUM({A}) OVER (PARTITION BY staff_id) AS v FROM mimir.metrics "
          f"GROUP BY staff_id, customer_id ORDER BY v",
          f"SELECT DISTINCT SUM(payments_revenue) OVER (PARTITION BY staff_id) AS v "
          f"FROM {grouped('staff_id, customer_id', ORACLE_METRICS)} ORDER BY v")


TWO_SOURCES = {
    "share_of_both": f"{R} AS r, {A} AS a, ({R} + {A}) * 100 / SUM({R} + {A}) OVER () AS share",
    "totals": f"SUM({R}) OVER () AS r, SUM({M}) OVER () AS m, AVG({A}) OVER () AS a",
    "rank_difference": f"RANK() OVER (ORDER BY {A} - {R} DESC) AS r",
    "running_per_store": f"SUM({M}) OVER (ORDER BY {A} DESC ROWS UNBOUNDED PRECEDING) AS run",
    "lag_of_a_ratio": f"LAG({A} / {M}) OVER (ORDER BY staff_id) AS prev",
}


@pytest.mark.parametrize("items", TWO_SOURCES.values(), ids=TWO_SOURCES.keys())
@pytest.mark.parametrize("key", ["staff_id", "dim_store_id"])
def test_two_sources(conn, oracle, items, key):
    items = items.replace("ORDER BY staff_id", f"ORDER BY {key}")
    check(conn, oracle, *pair(items, key, f"ORDER BY {key}"))


def test_over_a_derived_table(conn, oracle):
    inner_m = f"SELECT customer_id, {A} AS v FROM mimir.metrics GROUP BY customer_id"
    inner_o = (f"SELECT customer_id, payments_revenue AS v "
               f"FROM {grouped('customer_id', ORACLE_METRICS)}")
    outer = ("SELECT customer_id, v, SUM(v) OVER (ORDER BY v DESC, customer_id) AS running, "
             "v / SUM(v) OVER () AS share FROM ({}) t ORDER BY customer_id")
    check(conn, oracle, outer.format(inner_m), outer.format(inner_o))
    inner_m = f"SELECT staff_id, customer_id, {A} AS v FROM mimir.metrics GROUP BY 1, 2"
    inner_o = (f"SELECT staff_id, customer_id, payments_revenue AS v "
               f"FROM {grouped('staff_id, customer_id', ORACLE_METRICS)}")
    outer = ("SELECT staff_id, SUM(v) AS s, SUM(SUM(v)) OVER () AS total, "
             "RANK() OVER (ORDER BY MAX(v) DESC) AS r FROM ({}) t GROUP BY staff_id "
             "ORDER BY staff_id")
    check(conn, oracle, outer.format(inner_m), outer.format(inner_o))


def test_explain_shows_the_windows(conn):
    _, rows = run(conn, f"EXPLAIN SELECT customer_id, RANK() OVER (ORDER BY {A} DESC) "
                        f"FROM mimir.metrics GROUP BY customer_id")
    final = rows[-1]
    assert final[2] == "combine (in-memory SQLite)"
    assert "RANK() OVER (ORDER BY" in final[4] and "COLLATE mimir_decimal DESC" in final[4]


REFUSED = [
    (f"SELECT customer_id FROM mimir.metrics WHERE RANK() OVER () > 1 GROUP BY customer_id",
     3593, "You cannot use the window function 'RANK' in this context."),
    (f"SELECT customer_id, {A} FROM mimir.metrics GROUP BY customer_id "
     f"HAVING SUM({A}) OVER () > 1", 3593, "window function 'SUM'"),
    (f"SELECT customer_id, SUM({A}) OVER (PARTITION BY staff_id) FROM mimir.metrics "
     f"GROUP BY customer_id", 1055, "reads a dimension that is not in GROUP BY"),
    (f"SELECT customer_id, RANK() OVER (ORDER BY {A}) FROM mimir.metrics GROUP BY 1 "
     f"ORDER BY 3", 1054, "Unknown column '3' in 'order clause'"),
    (f"SELECT SUM({A}) OVER (PARTITION BY staff_id) FROM mimir.metrics", 1055,
     "reads a dimension that is not in GROUP BY"),
    ("SELECT customer_id, SUM(payments_revenue) OVER () FROM mimir.metrics", 1235,
     "payments_revenue"),
    (f"SELECT customer_id, SUM({A}) OVER (ORDER BY {A} RANGE BETWEEN 10 PRECEDING AND "
     f"CURRENT ROW) FROM mimir.metrics GROUP BY customer_id", 1235,
     "RANGE frames with an offset (use ROWS)"),
    (f"SELECT customer_id, COUNT(DISTINCT {A}) OVER () FROM mimir.metrics GROUP BY customer_id",
     1235, "'COUNT(DISTINCT ...)' as a window function"),
    (f"SELECT customer_id, GROUP_CONCAT({A}) OVER () FROM mimir.metrics GROUP BY customer_id",
     1235, "GROUP_CONCAT as a window function"),
    (f"SELECT customer_id, SUM({A}) OVER w FROM mimir.metrics GROUP BY customer_id", 1064,
     "window 'w' is not defined"),
    (f"SELECT customer_id, SUM(SUM({A}) OVER ()) OVER () FROM mimir.metrics "
     f"GROUP BY customer_id", 3593, "window function 'SUM'"),
    (f"SELECT customer_id, RANK() OVER (ORDER BY {A}) AS r FROM mimir.metrics GROUP BY 1, 2",
     1056, "Can't group on 'r'"),
    ("SELECT RANK() OVER (ORDER BY table_name) FROM information_schema.tables", 1235,
     "window functions other than over one mimir table"),
    ("SELECT table_name FROM information_schema.tables WHERE table_rows IN "
     "(SELECT SUM(1) OVER () FROM information_schema.schemata)", 1235,
     "the window function 'SUM' here"),
]


@pytest.mark.parametrize("sql,code,message", REFUSED)
def test_refused_with_a_clear_error(conn, sql, code, message):
    with pytest.raises(pymysql.MySQLError) as err:
        run(conn, sql)
    got_code, got_message = err.value.args
    assert got_code == code and message in got_message, (sql, got_code, got_message)
    _, rows = run(conn, f"SELECT staff_id, SUM({A}) OVER () FROM mimir.metrics GROUP BY staff_id")
    assert rows


def test_on_a_source_table_and_with_a_semi_join_filter(conn, oracle):
    """mimir.<source> is a table like mimir.metrics; a semi-join filter (Tableau's top N)
    keeps its rows first, and the windows run over what is left."""
    check(conn, oracle,
          f"SELECT staff_id, SUM({A}) OVER () AS t FROM mimir.payments GROUP BY staff_id "
          f"ORDER BY staff_id",
          f"SELECT staff_id, SUM(payments_revenue) OVER () AS t "
          f"FROM {grouped('staff_id', ORACLE_METRICS)} ORDER BY staff_id")
    top = (f"SELECT customer_id FROM mimir.metrics GROUP BY 1 ORDER BY {A} DESC, 1 LIMIT 10")
    top_o = (f"SELECT customer_id FROM (SELECT customer_id, payments_revenue "
             f"FROM {grouped('customer_id', ORACLE_METRICS)} ORDER BY 2 DESC, 1 LIMIT 10) t")
    check(conn, oracle,
          f"SELECT customer_id, {A} * 100 / SUM({A}) OVER () AS share FROM mimir.metrics "
          f"WHERE customer_id IN ({top}) GROUP BY customer_id ORDER BY customer_id",
          f"SELECT customer_id, payments_revenue * 100 / SUM(payments_revenue) OVER () AS share "
          f"FROM {grouped('customer_id', ORACLE_METRICS)} WHERE customer_id IN ({top_o}) "
          f"ORDER BY customer_id")


def test_only_windows_without_group_by_is_one_group(conn, oracle):
    check(conn, oracle,
          f"SELECT SUM({A}) OVER () AS t, RANK() OVER (ORDER BY {A}) AS r FROM mimir.metrics",
          "SELECT SUM(SUM(amount)) OVER () AS t, RANK() OVER (ORDER BY SUM(amount)) AS r "
          "FROM payments_rows")


def test_mimir_syntax_without_group_by(conn, oracle):
    """SELECT dim, AGG(m) without GROUP BY is one row per dim (Mimir's own syntax): so is
    a window beside it."""
    check(conn, oracle,
          f"SELECT staff_id, RANK() OVER (ORDER BY {A} DESC) AS r FROM mimir.metrics "
          f"ORDER BY staff_id",
          f"SELECT staff_id, RANK() OVER (ORDER BY payments_revenue DESC) AS r "
          f"FROM {grouped('staff_id', ORACLE_METRICS)} ORDER BY staff_id")
