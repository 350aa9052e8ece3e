"""WITH, [NOT] EXISTS and NOT IN (SELECT ...) over metrics (issue 13, section 1),
each checked against MariaDB holding the same rows (test_compat.py's oracle), on
the three kinds of backend where it is cheap.

- WITH name AS (SELECT ...): each reference reads as the derived table it names
  (planner/parse_with.c), so views inline, grouped CTEs are derived tables, and
  semi-join filters and scalar subqueries work on them. WITH RECURSIVE is 1235.
- [NOT] EXISTS (SELECT ...), uncorrelated: the subquery runs first (one row at
  most), then EXISTS is TRUE or FALSE for the whole outer query. Correlated: 1235.
- key NOT IN (SELECT key ... GROUP BY key): an anti semi-join filter, pushed as
  key NOT IN (values) with MySQL's NULL rules.
"""

import pymysql
import pytest

from test_compat import conns, for_oracle, normal_row, oracle, run  # noqa: F401
from test_compat import ZONES
from test_sql_engine_rules import refused, same_answer

R = "mimir.metrics"
BACKENDS = ["pg", "maria", "lite"]


def agree(conns, sql, ordered=True):  # noqa: F811
    """Mimir and MariaDB give the same rows, none at all included."""
    _, want = run(conns.get("oracle", ZONES[0]), for_oracle(sql))
    _, got = run(conns.get("mimir", ZONES[0]), sql)
    want = [normal_row(r) for r in want]
    got = [normal_row(r) for r in got]
    if not ordered:
        want, got = sorted(want, key=repr), sorted(got, key=repr)
    assert got == want, f"mimir: {got[:5]}\nmaria: {want[:5]}"
    return got


def oracle_rows(conns, sql):  # noqa: F811
    return run(conns.get("oracle", ZONES[0]), for_oracle(sql))[1]


@pytest.fixture(params=BACKENDS)
def on_backend(request, conns):  # noqa: F811
    conns.backend = request.param
    yield conns
    conns.backend = "pg"


# ---- WITH ----------------------------------------------------------------------------

GROUPED = (f"SELECT dim_store_id, dim_rental_category AS c, AGG(rentals_revenue) AS r, "
           f"AGG(movies_rented) AS n FROM {R} GROUP BY dim_store_id, dim_rental_category")
VIEW = f"SELECT * FROM {R} WHERE ts < '2022-06-01'"

CTE_CASES = [
    # A grouped CTE used once: a derived table.
    f"WITH t AS ({GROUPED}) SELECT dim_store_id, SUM(r) AS r, SUM(n) AS n FROM t "
    "GROUP BY dim_store_id ORDER BY 1",
    # A view CTE: inlined, the metric at the outer grain.
    f"WITH v AS ({VIEW}) SELECT dim_rental_category, AGG(movies_rented) AS n FROM v "
    "GROUP BY 1 ORDER BY 1",
    # A CTE over a CTE, and a column list.
    f"WITH a AS ({GROUPED}), b (cat, total) AS (SELECT c, SUM(r) FROM a GROUP BY c) "
    "SELECT cat, total FROM b ORDER BY total DESC, cat",
    # One CTE used twice: a scalar subquery over it.
    f"WITH t AS ({GROUPED}) SELECT dim_store_id, c, r FROM t "
    "WHERE r > (SELECT AVG(r) FROM t) ORDER BY r DESC, 1, 2",
    # One CTE used twice: a view filtered by a grouped CTE over it (Superset's series limit).
    f"WITH v AS ({VIEW}), top3 AS (SELECT dim_rental_category AS c__, AGG(movies_rented) AS m "
    "FROM v GROUP BY dim_rental_category ORDER BY m DESC LIMIT 3) "
    "SELECT dim_store_id, AGG(movies_rented) AS n FROM v JOIN top3 ON dim_rental_category = c__ "
    "GROUP BY dim_store_id ORDER BY 1",
    # IN (SELECT ...) over a CTE.
    f"WITH top3 AS (SELECT dim_rental_category AS c FROM {R} GROUP BY dim_rental_category "
    "ORDER BY AGG(rentals_revenue) DESC LIMIT 3) SELECT dim_rental_category, "
    f"AGG(movies_rented) FROM {R} WHERE dim_rental_category IN (SELECT c FROM top3) "
    "GROUP BY 1 ORDER BY 1",
    # A CTE that is a UNION.
    f"WITH u AS (SELECT dim_store_id AS k, AGG(movies_rented) AS n FROM {R} GROUP BY 1 "
    f"UNION ALL SELECT 99, AGG(movies_rented) FROM {R}) SELECT k, n FROM u ORDER BY k",
]


@pytest.mark.parametrize("sql", CTE_CASES)
def test_cte_matches_mariadb(conns, sql):  # noqa: F811
    same_answer(conns, sql)


@pytest.mark.parametrize("sql", CTE_CASES[:2] + CTE_CASES[4:5])
def test_cte_on_every_backend(on_backend, sql):
    same_answer(on_backend, sql)


def test_explain_with(conns):  # noqa: F811
    conn = conns.fresh("mimir")
    try:
        _, rows = run(conn, "EXPLAIN " + CTE_CASES[4])
        steps = [r[2] for r in rows]
        assert "semi-join filter" in steps, rows
        assert any(r[4] and "'2022-06-01" in str(r[4]) or "2022-06-01" in str(r[5])
                   for r in rows if r[1]), rows
    finally:
        conn.close()


def test_with_recursive_is_refused(conns):  # noqa: F811
    refused(conns, f"WITH RECURSIVE t AS (SELECT dim_store_id FROM {R} GROUP BY 1) "
            "SELECT * FROM t", 1235, ["WITH RECURSIVE"])


def test_cte_column_count_mismatch(conns):  # noqa: F811
    refused(conns, f"WITH t (a, b) AS (SELECT dim_store_id FROM {R} GROUP BY 1) "
            "SELECT a FROM t", 1064, ["different column counts"])


def test_cte_row_level_read_is_refused(conns):  # noqa: F811
    """A view CTE read row by row is a row-level read, as the view itself is."""
    refused(conns, f"WITH v AS ({VIEW}) SELECT movies_rented FROM v", 1235, [])


# ---- [NOT] EXISTS --------------------------------------------------------------------

TOP = (f"SELECT dim_rental_category FROM {R} WHERE dim_store_id = 1 "
       "GROUP BY dim_rental_category HAVING AGG(rentals_revenue) > {floor}")


def exists_cases():
    some, none = TOP.format(floor=0), TOP.format(floor=10 ** 9)
    out = []
    for sub in (some, none):
        for cond in (f"EXISTS ({sub})", f"NOT EXISTS ({sub})"):
            out.append(f"SELECT dim_store_id, AGG(movies_rented) AS n FROM {R} WHERE {cond} "
                       "GROUP BY dim_store_id ORDER BY 1")
            out.append(f"SELECT dim_store_id, AGG(rentals_revenue) AS r FROM {R} "
                       f"WHERE dim_rental_category <> 'Action' AND {cond} "
                       "GROUP BY dim_store_id ORDER BY 1")
    # No GROUP BY: one row whatever EXISTS says (SUM of no row is NULL), as in MySQL.
    for cond in (f"EXISTS ({some})", f"EXISTS ({none})"):
        out.append(f"SELECT AGG(rentals_revenue) AS r FROM {R} WHERE {cond}")
    # In the select list and in HAVING: a constant of the statement.
    out.append(f"SELECT dim_store_id, EXISTS ({some}) AS e, NOT EXISTS ({none}) AS f, "
               f"AGG(movies_rented) FROM {R} GROUP BY 1 ORDER BY 1")
    out.append(f"SELECT dim_store_id, AGG(movies_rented) FROM {R} GROUP BY 1 "
               f"HAVING AGG(movies_rented) > 10 OR EXISTS ({none}) ORDER BY 1")
    return out


@pytest.mark.parametrize("sql", exists_cases())
def test_exists_matches_mariadb(conns, sql):  # noqa: F811
    agree(conns, sql)


@pytest.mark.parametrize("sql", exists_cases()[:4])
def test_exists_on_every_backend(on_backend, sql):
    agree(on_backend, sql)


def test_explain_exists(conns):  # noqa: F811
    conn = conns.fresh("mimir")
    try:
        _, rows = run(conn, "EXPLAIN " + exists_cases()[0])
        assert "EXISTS subquery" in [r[2] for r in rows], rows
    finally:
        conn.close()


def test_correlated_exists_is_refused(conns):  # noqa: F811
    refused(conns, f"SELECT dim_store_id, AGG(movies_rented) FROM {R} m WHERE EXISTS "
            f"(SELECT dim_rental_category FROM {R} m2 WHERE m2.dim_store_id = m.dim_store_id "
            "GROUP BY 1) GROUP BY 1", 1235, ["correlated", "m.dim_store_id"])


@pytest.mark.parametrize("inner", ["SELECT 1", "SELECT *"])
def test_exists_of_rows_is_refused(conns, inner):  # noqa: F811
    """EXISTS (SELECT 1 FROM mimir.metrics ...) asks for rows: 1235 saying what to write."""
    refused(conns, f"SELECT dim_store_id, AGG(movies_rented) FROM {R} WHERE EXISTS "
            f"({inner} FROM {R} WHERE dim_store_id = 1) GROUP BY 1", 1235,
            ["the subquery of EXISTS is a metrics query", "GROUP BY d"])


# ---- NOT IN (SELECT ...) -------------------------------------------------------------

# MariaDB refuses LIMIT right inside IN (SELECT ...): the top three through a derived table.
TOP3 = (f"SELECT c FROM (SELECT dim_rental_category AS c FROM {R} GROUP BY dim_rental_category "
        "ORDER BY AGG(rentals_revenue) DESC LIMIT 3) AS t3")

NOT_IN_CASES = [
    f"SELECT dim_rental_category, AGG(movies_rented) FROM {R} WHERE dim_rental_category "
    f"NOT IN ({TOP3}) GROUP BY 1 ORDER BY 1",
    f"SELECT dim_store_id, AGG(rentals_revenue) FROM {R} WHERE NOT (dim_rental_category "
    f"IN ({TOP3})) GROUP BY 1 ORDER BY 1",
    # Beside a semi-join filter on another key.
    f"SELECT dim_store_id, AGG(movies_rented) FROM {R} WHERE dim_rental_category NOT IN "
    f"({TOP3}) AND ts < '2022-05-01' GROUP BY 1 ORDER BY 1",
    # No key at all: TRUE for every row.
    f"SELECT dim_store_id, AGG(movies_rented) FROM {R} WHERE dim_store_id NOT IN (SELECT "
    f"dim_store_id FROM {R} WHERE dim_rental_category = 'no such category' GROUP BY 1) "
    "GROUP BY 1 ORDER BY 1",
]


@pytest.mark.parametrize("sql", NOT_IN_CASES)
def test_not_in_matches_mariadb(conns, sql):  # noqa: F811
    same_answer(conns, sql)


@pytest.mark.parametrize("sql", NOT_IN_CASES[:2])
def test_not_in_on_every_backend(on_backend, sql):
    same_answer(on_backend, sql)


RETURNED = (f"SELECT d FROM (SELECT DATE(return_ts) AS d FROM {R} WHERE ts < '2022-03-01' "
            "GROUP BY 1 ORDER BY 1 LIMIT 4) AS r4")


def test_not_in_with_a_null_key_is_never_true(conns):  # noqa: F811
    """A NULL among the subquery's keys makes NOT IN NULL for every row: no rows."""
    assert any(r[0] is None for r in oracle_rows(conns, RETURNED)), "a rental not returned"
    rows = agree(conns, f"SELECT dim_store_id, AGG(movies_rented) FROM {R} WHERE DATE(ts) "
                 f"NOT IN ({RETURNED}) GROUP BY 1 ORDER BY 1")
    assert rows == []


def test_not_in_null_outer_keys_never_pass(conns):  # noqa: F811
    """Rows whose key is NULL are not NOT IN a list without NULL."""
    sub = (f"SELECT d FROM (SELECT DATE(return_ts) AS d FROM {R} WHERE return_ts IS NOT NULL "
           "AND ts < '2022-03-01' GROUP BY 1 ORDER BY 1 LIMIT 4) AS r4")
    rows = same_answer(conns, f"SELECT DATE(return_ts) AS d, AGG(movies_rented) FROM {R} "
                       f"WHERE ts < '2022-03-01' AND DATE(return_ts) NOT IN ({sub}) "
                       "GROUP BY 1 ORDER BY 1")
    assert all(r[0] is not None for r in rows)


def test_explain_not_in(conns):  # noqa: F811
    conn = conns.fresh("mimir")
    try:
        _, rows = run(conn, "EXPLAIN " + NOT_IN_CASES[0])
        step = [r for r in rows if r[2] == "anti semi-join filter"]
        assert step and "dim_rental_category NOT IN (...)" in step[0][4], rows
    finally:
        conn.close()


def test_not_in_of_an_ungrouped_subquery_is_refused(conns):  # noqa: F811
    refused(conns, f"SELECT dim_store_id, AGG(movies_rented) FROM {R} WHERE dim_store_id "
            f"NOT IN (SELECT movies_rented FROM {R}) GROUP BY 1", 1235, [])
