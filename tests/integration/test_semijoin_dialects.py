"""Semi-join filters on several keys in every dialect (issue 13, section 1).

A join on two keys (Tableau's context filter: a dimension and the day) is
pushed into the outer query's source as a row value, `(k1, k2) IN ((?, ?),
...)` on PostgreSQL and MariaDB, `(k1, k2) IN (VALUES (?, ?), ...)` on SQLite
(which compares a row value only with a subquery's rows). The same rows are
in a PostgreSQL, a MariaDB and a SQLite source (test_functions.py's layer);
each answer is compared with MariaDB running the same join over its table.
"""

import pytest

from test_functions import SOURCES, conn, mimir_fn, normal, oracle, oracle_rows  # noqa: F401

INNER = ("SELECT k, CAST(ts AS DATE) AS day FROM {t} WHERE ts >= '2022-01-01' "
         "AND ts < '2023-01-01' AND k <> 'a' GROUP BY k, day")


def two_key_join(table, metric, select="t0.day AS day"):
    return (f"SELECT {select}, SUM({table}.{metric}) AS s FROM {table} "
            f"INNER JOIN ({INNER.format(t=table)}) t0 "
            f"ON {table}.k = t0.k AND CAST({table}.ts AS DATE) = t0.day GROUP BY 1")


@pytest.mark.parametrize("src", SOURCES)
@pytest.mark.parametrize("select", ["t0.day AS day", "fn.k AS k"])
def test_two_key_filter_matches_mariadb(mimir_fn, oracle, conn, src, select):  # noqa: F811
    mimir_sql = two_key_join("metrics", f"{src}_m", select.replace("fn.", "metrics."))
    with conn.cursor() as cur:
        cur.execute("USE mimir")
        cur.execute(mimir_sql)
        got = [tuple(r) for r in cur.fetchall()]
    want = oracle_rows(oracle, two_key_join("fn_rows", "m", select.replace("fn.", "fn_rows.")))
    assert want
    assert normal(got) == normal(want)


@pytest.mark.parametrize("src", SOURCES)
def test_two_key_filter_with_no_key_rows(mimir_fn, oracle, conn, src):  # noqa: F811
    """An empty subquery: the outer query over no rows (the row value IN ((NULL, NULL)))."""
    sql = (f"SELECT metrics.k, SUM(metrics.{src}_m) FROM metrics INNER JOIN (SELECT k, "
           "CAST(ts AS DATE) AS day FROM metrics WHERE k = 'no such kind' GROUP BY k, day) t0 "
           "ON metrics.k = t0.k AND CAST(metrics.ts AS DATE) = t0.day GROUP BY 1")
    with conn.cursor() as cur:
        cur.execute("USE mimir")
        cur.execute(sql)
        assert cur.fetchall() == ()
        cur.execute("SELECT 1")
        assert cur.fetchall() == ((1,),)
