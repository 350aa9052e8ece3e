"""UNION [ALL | DISTINCT] of metrics queries (issue 13, section 1).

Each member is a metrics query of its own (one source, or several combined);
the union, with the last member's ORDER BY and LIMIT over all of it, runs in
the final SQLite stage. The oracle is a real MariaDB holding the same rows as
the two Pagila sources (test_exact_final's tables): the same union of the
grouped rows there, values AND column types (MySQL's union type is the wider
of the members'), is what Mimir must answer.
"""

import pymysql
import pytest

from test_exact_final import ORACLE_METRICS, check, grouped, oracle_expr, run
from test_window_functions import conn, oracle  # noqa: F401  (fixtures)

A, N = "AGG(payments_revenue)", "AGG(payments_count)"
R, M = "AGG(rentals_revenue)", "AGG(movies_rented)"


def member(items, key, having=""):
    """One member over Mimir and over MariaDB's grouped rows (HAVING becomes WHERE)."""
    mimir_sql = f"SELECT {items} FROM mimir.metrics GROUP BY {key}"
    oracle_sql = f"SELECT {oracle_expr(items)} FROM {grouped(key, ORACLE_METRICS)}"
    if having:
        mimir_sql += f" HAVING {having}"
        oracle_sql += f" WHERE {oracle_expr(having)}"
    return mimir_sql, oracle_sql


def union(members, ops, tail):
    mimir_sql, oracle_sql = members[0]
    for (m, o), op in zip(members[1:], ops):
        mimir_sql += f" {op} {m}"
        oracle_sql += f" {op} {o}"
    return f"{mimir_sql} {tail}", f"{oracle_sql} {oracle_expr(tail)}"


def test_union_all_of_two_groupings(conn, oracle):
    rows = check(conn, oracle, *union(
        [member(f"'staff' AS kind, staff_id AS k, {A} AS revenue", "staff_id"),
         member(f"'store', dim_store_id, {A}", "dim_store_id")],
        ["UNION ALL"], "ORDER BY kind, k"))
    assert {r[0] for r in rows} == {"staff", "store"}


def test_union_types_are_the_wider_of_the_members(conn, oracle):
    """A BIGINT count beside a DECIMAL revenue is a DECIMAL column: 5 is sent as 5.00."""
    check(conn, oracle, *union(
        [member(f"staff_id, {N} AS v", "staff_id"), member(f"staff_id, {A}", "staff_id")],
        ["UNION ALL"], "ORDER BY 1, 2"))
    check(conn, oracle, *union(
        [member(f"staff_id, {A} AS v", "staff_id"), member(f"staff_id, {A} / {N}", "staff_id")],
        ["UNION ALL"], "ORDER BY 1, 2"))


def test_a_date_beside_a_datetime_is_a_datetime(conn, oracle):
    """MySQL's union type of DATE and DATETIME(6) is DATETIME(6): a date is its midnight."""
    day = "CAST(ts AS DATE)"
    hour = "CAST(DATE_FORMAT(ts, '%Y-%m-%d %H:00:00') AS DATETIME)"
    for other, other_o in [("ts_hour", hour), ("ts", "ts")]:
        check(conn, oracle,
              f"SELECT ds, {N} FROM mimir.metrics GROUP BY 1 UNION ALL "
              f"SELECT {other}, {N} FROM mimir.metrics GROUP BY 1 ORDER BY 1, 2 LIMIT 20",
              f"SELECT {day} AS ds, COUNT(payment_id) FROM payments_rows GROUP BY 1 UNION ALL "
              f"SELECT {other_o}, COUNT(payment_id) FROM payments_rows GROUP BY 1 "
              f"ORDER BY 1, 2 LIMIT 20")


def test_union_distinct_meets_numbers_of_other_types(conn, oracle):
    """5 and 5.00 are one value to UNION (DISTINCT), as in MySQL."""
    for op in ["UNION", "UNION DISTINCT"]:
        rows = check(conn, oracle, *union(
            [member(f"staff_id, {N} AS v", "staff_id"),
             member(f"staff_id, {N} * 1.00", "staff_id"),
             member(f"staff_id, {N}", "staff_id")],
            [op, op], "ORDER BY 1, 2"))
        assert len(rows) == len({r[0] for r in rows})


def test_union_all_then_distinct_follows_mysql(conn, oracle):
    """A DISTINCT union removes the duplicates of everything to its left."""
    check(conn, oracle, *union(
        [member(f"staff_id, {N}", "staff_id"), member(f"staff_id, {N}", "staff_id"),
         member(f"staff_id, {N}", "staff_id")],
        ["UNION ALL", "UNION"], "ORDER BY 1"))
    check(conn, oracle, *union(
        [member(f"staff_id, {N}", "staff_id"), member(f"staff_id, {N}", "staff_id"),
         member(f"staff_id, {N}", "staff_id")],
        ["UNION", "UNION ALL"], "ORDER BY 1"))


def test_members_with_several_sources_having_and_literals(conn, oracle):
    """Each member's final stage (a combine of two sources, HAVING, literals bound as
    parameters) runs with its own tables and parameters."""
    check(conn, oracle, *union(
        [member(f"staff_id, {R} + {A} + 1.5 AS v", "staff_id", f"{A} > 10.5"),
         member(f"customer_id, {A} * 2", "customer_id", f"{A} BETWEEN 100.25 AND 150"),
         member(f"dim_store_id, {A} - {R}", "dim_store_id")],
        ["UNION ALL", "UNION ALL"], "ORDER BY v DESC, 1 LIMIT 12"))


def test_order_by_a_name_of_the_first_member_and_limit(conn, oracle):
    check(conn, oracle, *union(
        [member(f"customer_id AS id, {A} AS revenue", "customer_id"),
         member(f"staff_id, {A}", "staff_id")],
        ["UNION ALL"], "ORDER BY revenue DESC, id LIMIT 5 OFFSET 3"))


def test_windows_in_members(conn, oracle):
    check(conn, oracle, *union(
        [member(f"staff_id AS k, RANK() OVER (ORDER BY {A} DESC) AS r", "staff_id"),
         member(f"dim_store_id, RANK() OVER (ORDER BY {A} DESC)", "dim_store_id")],
        ["UNION ALL"], "ORDER BY r, k"))


def test_union_as_a_derived_table(conn, oracle):
    m, o = union(
        [member(f"'staff' AS kind, staff_id AS k, {A} AS revenue", "staff_id"),
         member(f"'store', dim_store_id, {N}", "dim_store_id")],
        ["UNION ALL"], "")
    outer = ("SELECT kind, COUNT(*) AS n, SUM(revenue) AS total, MAX(revenue) AS top "
             "FROM ({}) t GROUP BY kind ORDER BY kind")
    check(conn, oracle, outer.format(m), outer.format(o))
    outer = "SELECT k, revenue FROM ({}) t WHERE revenue > 100 ORDER BY revenue DESC, k LIMIT 3"
    check(conn, oracle, outer.format(m), outer.format(o))
    # A hexadecimal literal is a number beside a number, in every member (0x64 is 100).
    m, o = union(
        [member(f"staff_id AS k, {A} AS revenue", "staff_id", f"{A} > 0x64"),
         member(f"dim_store_id, {N}", "dim_store_id", f"{N} > 0x64")],
        ["UNION ALL"], "")
    check(conn, oracle, f"SELECT * FROM ({m}) t ORDER BY 1, 2", f"SELECT * FROM ({o}) t ORDER BY 1, 2")


def test_explain_shows_the_union(conn):
    _, rows = run(conn, f"EXPLAIN SELECT staff_id, {A} FROM mimir.metrics GROUP BY staff_id "
                        f"UNION ALL SELECT staff_id, {R} FROM mimir.metrics GROUP BY staff_id")
    assert len(rows) == 3  # two atomic queries, then the union in SQLite
    assert " UNION ALL " in rows[-1][4] and rows[-1][2] == "combine (in-memory SQLite)"


REFUSED = [
    (f"SELECT staff_id, {A} FROM mimir.metrics GROUP BY staff_id UNION "
     f"SELECT staff_id FROM mimir.metrics GROUP BY staff_id", 1222,
     "The used SELECT statements have a different number of columns"),
    (f"SELECT table_name FROM information_schema.tables UNION "
     f"SELECT staff_id FROM mimir.metrics GROUP BY staff_id", 1235,
     "UNION of information_schema queries with other queries"),
    (f"SELECT staff_id, {A} FROM mimir.metrics GROUP BY staff_id UNION ALL "
     f"SELECT staff_id, {A} FROM mimir.metrics GROUP BY staff_id ORDER BY {A}", 1235,
     "ORDER BY of a UNION other than by a column name or position"),
    (f"SELECT staff_id, {A} FROM mimir.metrics GROUP BY staff_id UNION ALL "
     f"SELECT staff_id, {A} FROM mimir.metrics GROUP BY staff_id ORDER BY nope", 1054,
     "Unknown column 'nope' in 'order clause'"),
    (f"SELECT m.staff_id, {A} FROM mimir.metrics m JOIN (SELECT staff_id FROM mimir.metrics "
     f"GROUP BY 1 UNION ALL SELECT staff_id FROM mimir.metrics GROUP BY 1) t "
     f"ON m.staff_id = t.staff_id GROUP BY 1", 1235, "a join to a UNION"),
    (f"SELECT staff_id FROM mimir.metrics WHERE staff_id IN (SELECT 1 UNION SELECT 2) "
     f"GROUP BY 1", 1235, "UNION in a subquery other than a derived table"),
    (f"SELECT staff_id FROM mimir.metrics GROUP BY staff_id UNION ALL SELECT 1", 1235,
     "a UNION member that reads no mimir table"),
    (f"SELECT staff_id, payments_revenue FROM mimir.metrics UNION ALL "
     f"SELECT staff_id, {A} FROM mimir.metrics GROUP BY staff_id", 1235, "payments_revenue"),
]


@pytest.mark.parametrize("sql,code,message", REFUSED)
def test_refused_with_a_clear_error(conn, sql, code, message):
    with pytest.raises(pymysql.MySQLError) as err:
        run(conn, sql)
    got_code, got_message = err.value.args
    assert got_code == code and message in got_message, (sql, got_code, got_message)
    _, rows = run(conn, f"SELECT staff_id, {A} FROM mimir.metrics GROUP BY staff_id UNION ALL "
                        f"SELECT staff_id, {R} FROM mimir.metrics GROUP BY staff_id")
    assert rows
