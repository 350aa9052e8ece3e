"""Scalar subqueries over metrics (issue 13, section 1).

`SELECT d, AGG(m) / (SELECT AGG(m) FROM mimir.metrics) ...`, `HAVING AGG(m) >
(SELECT AVG(...) ...)`: the subquery runs first (a phase, as a semi-join
filter's does) and its one value replaces it; more than one row is MySQL's
error 1242. The oracle is a real MariaDB holding the same rows as the two
Pagila sources (test_exact_final's tables), running the same subqueries.
"""

import pymysql
import pytest
from pymysql.constants import FIELD_TYPE

from test_exact_final import ORACLE_METRICS, check, grouped, run
from test_window_functions import conn, oracle  # noqa: F401  (fixtures)

A, N = "AGG(payments_revenue)", "AGG(payments_count)"
R, M = "AGG(rentals_revenue)", "AGG(movies_rented)"
TOTAL_O = "(SELECT SUM(amount) FROM payments_rows)"


def test_share_of_the_total_in_the_select_list(conn, oracle):
    check(conn, oracle,
          f"SELECT staff_id, {A} * 100 / (SELECT {A} FROM mimir.metrics) AS share "
          f"FROM mimir.metrics GROUP BY staff_id ORDER BY staff_id",
          f"SELECT staff_id, payments_revenue * 100 / {TOTAL_O} AS share "
          f"FROM {grouped('staff_id', ORACLE_METRICS)} ORDER BY staff_id")


def test_two_sources_and_two_subqueries(conn, oracle):
    check(conn, oracle,
          f"SELECT dim_store_id, {R} / (SELECT {A} FROM mimir.metrics) AS a, "
          f"(SELECT {M} FROM mimir.metrics) - {M} AS b "
          f"FROM mimir.metrics GROUP BY dim_store_id ORDER BY dim_store_id",
          f"SELECT dim_store_id, rentals_revenue / {TOTAL_O} AS a, "
          f"(SELECT COUNT(rental_id) FROM rentals_rows) - movies_rented AS b "
          f"FROM {grouped('dim_store_id', ORACLE_METRICS)} ORDER BY dim_store_id")


def test_having_above_the_average_of_a_derived_table(conn, oracle):
    inner_m = f"SELECT customer_id, {A} AS v FROM mimir.metrics GROUP BY customer_id"
    inner_o = (f"SELECT customer_id, payments_revenue AS v "
               f"FROM {grouped('customer_id', ORACLE_METRICS)}")
    rows = check(conn, oracle,
                 f"SELECT customer_id, {A} AS v FROM mimir.metrics GROUP BY customer_id "
                 f"HAVING {A} > (SELECT AVG(v) FROM ({inner_m}) t) ORDER BY v DESC, 1",
                 f"SELECT customer_id, payments_revenue AS v "
                 f"FROM {grouped('customer_id', ORACLE_METRICS)} "
                 f"WHERE payments_revenue > (SELECT AVG(v) FROM ({inner_o}) t) "
                 f"ORDER BY v DESC, 1")
    assert rows


def test_where_on_a_dimension(conn, oracle):
    """The value of a subquery grouped and limited to one row filters the sources."""
    check(conn, oracle,
          f"SELECT customer_id, {A} FROM mimir.metrics WHERE staff_id = "
          f"(SELECT staff_id FROM mimir.metrics GROUP BY staff_id ORDER BY {A} DESC LIMIT 1) "
          f"GROUP BY customer_id ORDER BY customer_id",
          f"SELECT customer_id, SUM(amount) FROM payments_rows WHERE staff_id = "
          f"(SELECT staff_id FROM payments_rows GROUP BY staff_id ORDER BY SUM(amount) DESC "
          f"LIMIT 1) GROUP BY customer_id ORDER BY customer_id")


def test_a_constant_subquery_and_no_row(conn, oracle):
    check(conn, oracle,
          f"SELECT staff_id, {A} * (SELECT 2) AS v FROM mimir.metrics GROUP BY staff_id "
          f"ORDER BY staff_id",
          f"SELECT staff_id, payments_revenue * (SELECT 2) AS v "
          f"FROM {grouped('staff_id', ORACLE_METRICS)} ORDER BY staff_id")
    _, rows = run(conn, f"SELECT staff_id, {A} + (SELECT {A} FROM mimir.metrics "
                        f"GROUP BY staff_id HAVING {A} < 0) AS v FROM mimir.metrics "
                        f"GROUP BY staff_id")
    assert rows and all(r[1] is None for r in rows)


def test_with_a_window(conn, oracle):
    check(conn, oracle,
          f"SELECT staff_id, SUM({A}) OVER () - (SELECT {A} FROM mimir.metrics) AS zero "
          f"FROM mimir.metrics GROUP BY staff_id ORDER BY staff_id",
          f"SELECT staff_id, SUM(payments_revenue) OVER () - {TOTAL_O} AS zero "
          f"FROM {grouped('staff_id', ORACLE_METRICS)} ORDER BY staff_id")


def test_a_double_stays_a_double(conn):
    """A derived metric is a DOUBLE (docs/configuration.md): so is its subquery's value,
    and what is computed from it (MySQL keeps a subquery's type)."""
    desc, rows = run(conn, "SELECT staff_id, (SELECT AGG(revenue_per_rental) FROM mimir.metrics)"
                           " * 2 AS v FROM mimir.metrics GROUP BY staff_id")
    _, direct = run(conn, "SELECT AGG(revenue_per_rental) FROM mimir.metrics")
    assert desc[1][1] == FIELD_TYPE.DOUBLE, desc
    assert rows and all(abs(r[1] - 2 * direct[0][0]) < 1e-9 * abs(direct[0][0]) for r in rows)


def test_explain_shows_the_subquery_first(conn):
    _, rows = run(conn, f"EXPLAIN SELECT staff_id, {A} / (SELECT {A} FROM mimir.metrics) "
                        f"FROM mimir.metrics GROUP BY staff_id")
    assert [r[2] for r in rows][1] == "scalar subquery"
    assert "replaces the scalar subquery" in rows[1][4]


REFUSED = [
    (f"SELECT staff_id, {A} / (SELECT {A} FROM mimir.metrics GROUP BY staff_id) "
     f"FROM mimir.metrics GROUP BY staff_id", 1242, "Subquery returns more than 1 row"),
    (f"SELECT staff_id, {A} / (SELECT {A}, {N} FROM mimir.metrics) "
     f"FROM mimir.metrics GROUP BY staff_id", 1241, "Operand should contain 1 column(s)"),
    (f"SELECT staff_id, {A} / (SELECT 1 UNION SELECT 2) FROM mimir.metrics GROUP BY staff_id",
     1235, "UNION in a subquery"),
    (f"SELECT staff_id, {A} / (SELECT payments_revenue FROM mimir.metrics) "
     f"FROM mimir.metrics GROUP BY staff_id", 1235, "payments_revenue"),
    (f"SELECT staff_id, (SELECT {A} FROM mimir.metrics t WHERE t.staff_id = m.staff_id) "
     f"FROM mimir.metrics m GROUP BY staff_id", 1235,
     "correlated subqueries (the subquery reads m.staff_id of the outer query)"),
    (f"SELECT staff_id, (SELECT {A} FROM mimir.metrics t WHERE t.staff_id = metrics.staff_id) "
     f"FROM mimir.metrics GROUP BY staff_id", 1235,
     "correlated subqueries (the subquery reads metrics.staff_id of the outer query)"),
]


@pytest.mark.parametrize("sql,code,message", REFUSED)
def test_refused_with_a_clear_error(conn, sql, code, message):
    with pytest.raises(pymysql.MySQLError) as err:
        run(conn, sql)
    got_code, got_message = err.value.args
    assert got_code == code and message in got_message, (sql, got_code, got_message)
    _, rows = run(conn, f"SELECT staff_id, {A} / (SELECT {A} FROM mimir.metrics) "
                        f"FROM mimir.metrics GROUP BY staff_id")
    assert rows


PREPARED = [
    f"SELECT staff_id, {A} / (SELECT {A} FROM mimir.metrics) AS share FROM mimir.metrics "
    f"GROUP BY staff_id ORDER BY staff_id",
    f"SELECT staff_id, RANK() OVER (ORDER BY {A} DESC) AS r, SUM({A}) OVER () AS t "
    f"FROM mimir.metrics GROUP BY staff_id ORDER BY staff_id",
    f"SELECT staff_id, {N} FROM mimir.metrics GROUP BY staff_id UNION ALL "
    f"SELECT staff_id, {A} FROM mimir.metrics GROUP BY staff_id ORDER BY 1, 2",
]


@pytest.mark.parametrize("sql", PREPARED, ids=["scalar_subquery", "windows", "union"])
def test_prepared_statements(mimir, conn, sql):
    """The binary protocol (COM_STMT_PREPARE/EXECUTE) answers the same rows, with the
    same column types, as the text protocol."""
    from mysql_wire import RawClient
    desc, rows = run(conn, sql)
    client = RawClient(mimir.port, database="mimir").login()
    try:
        prepared = client.prepare_full(sql)
        result = client.execute(prepared.stmt_id)
        assert len(result.rows) == len(rows)
        assert [d["type"] for d in result.definitions] == [d[1] for d in desc]
        assert [d["decimals"] for d in result.definitions] == [d[5] for d in desc]
        assert client.select_one("SELECT 1") == ("1",)
    finally:
        client.close()
