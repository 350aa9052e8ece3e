"""Aggregates of dimensions (issue 13, section 1; planner/dimension_aggregates.c):
COUNT(DISTINCT d), MIN(d) and MAX(d) of dimensions are computed over the finer
groups (the query's groups and d), with the metrics beside them aggregated
again when that is exact. Each statement runs on Mimir (PostgreSQL, MariaDB and
SQLite sources: the compatibility corpus's three servers) and on MariaDB
holding the same rows, with AGG(m) written SUM(m); the answers must agree.
"""

import pytest

from test_compat import BACKENDS, ZONES, conns, oracle, run  # noqa: F401
from test_sql_engine_rules import refused, same_answer

R = "mimir.metrics"
# customer_id, staff_id and ts are columns of both sources of the Pagila example; the
# rentals source's table (mimir.rentals) holds the oracle's rows alone.
RENTALS = "mimir.rentals"

CASES = [
    # Tableau's COUNTD (ClickHouse/ClickHouse issue #56179's statement shape)
    "SELECT COUNT(DISTINCT `metrics`.`dim_rental_category`) AS `ctd_ok`, "
    "`metrics`.`dim_store_id` AS `dim_store_id` FROM `metrics` GROUP BY 2",
    # beside metrics that add up (count, sum), ordered by the distinct count
    f"SELECT dim_store_id, COUNT(DISTINCT dim_rental_category) AS c, AGG(movies_rented), "
    f"SUM(rentals_revenue) FROM {R} GROUP BY dim_store_id ORDER BY c DESC, dim_store_id",
    # no GROUP BY: one row; a filter
    f"SELECT COUNT(DISTINCT customer_id) FROM {RENTALS} WHERE dim_store_id = 1",
    # a time grain as the group, HAVING on the distinct count, LIMIT
    f"SELECT `year_month`, COUNT(DISTINCT customer_id) AS n FROM {RENTALS} "
    "GROUP BY `year_month` HAVING n > 10 ORDER BY `year_month` LIMIT 5",
    # MIN and MAX of dimensions, and of a time grain
    f"SELECT dim_rental_category, MIN(ds), MAX(ds), MIN(customer_id) FROM {RENTALS} "
    "GROUP BY dim_rental_category ORDER BY 1",
    # an expression of dimensions, and several distinct counts
    f"SELECT dim_store_id, COUNT(DISTINCT DATE_FORMAT(ts, '%Y-%m')) AS months, "
    f"COUNT(DISTINCT staff_id) AS staff FROM {RENTALS} GROUP BY dim_store_id ORDER BY 1",
    # an expression over the distinct count and a metric
    f"SELECT dim_store_id, AGG(movies_rented) / COUNT(DISTINCT customer_id) AS per_customer "
    f"FROM {RENTALS} GROUP BY dim_store_id ORDER BY 1",
]


# Tableau's guard HAVING (COUNT(1) > 0): whether there are rows at all.
EXISTENCE = [
    f"SELECT SUM(rentals_revenue) AS s FROM {R} WHERE ts >= '2022-01-01' AND ts < '2022-02-01' "
    "HAVING (COUNT(1) > 0)",
    f"SELECT AGG(movies_rented) AS n FROM {R} HAVING 0 < COUNT(*)",
    f"SELECT dim_store_id, AGG(movies_rented) AS n FROM {R} GROUP BY dim_store_id "
    "HAVING COUNT(*) >= 1 ORDER BY 1",
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("sql", EXISTENCE)
def test_existence_guard(conns, backend, sql):  # noqa: F811
    conns.backend = backend
    same_answer(conns, sql)


@pytest.mark.parametrize("backend", BACKENDS)
def test_existence_guard_over_no_rows_answers_no_row(conns, backend):  # noqa: F811
    """MySQL answers a query without GROUP BY with one row, also over no rows; the
    guard leaves it out then."""
    conns.backend = backend
    sql = f"SELECT SUM(rentals_revenue) AS s FROM {R} WHERE ts >= '2031-01-01'"
    for guard, want in (("", 1), (" HAVING (COUNT(1) > 0)", 0)):
        for side in ("oracle", "mimir"):
            q = sql + guard if side == "mimir" else sql.replace("mimir.metrics", "metrics") + guard
            _, rows = run(conns.get(side, ZONES[0]), q)
            assert len(rows) == want, (side, q, rows)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("sql", CASES)
def test_same_answer_as_mariadb(conns, backend, sql):  # noqa: F811
    conns.backend = backend
    for zone in ZONES:
        same_answer(conns, sql, ordered="ORDER BY" in sql or "GROUP BY" not in sql, zone=zone)


REFUSALS = [
    # a metric that does not add up from finer groups
    (f"SELECT dim_store_id, COUNT(DISTINCT dim_rental_category), AGG(paying_customers) "
     f"FROM {R} GROUP BY dim_store_id", 1235, ["paying_customers", "count_distinct"]),
    # a dimension neither grouped nor aggregated
    (f"SELECT dim_store_id, staff_id, COUNT(DISTINCT customer_id) FROM {R} "
     "GROUP BY dim_store_id", 1055, ["staff_id", "GROUP BY"]),
    # a metric tested in WHERE
    (f"SELECT COUNT(DISTINCT customer_id) FROM {R} WHERE movies_rented > 3", 1235,
     ["HAVING"]),
    # counting or adding rows stays a row-level read, and so does a count of pairs
    (f"SELECT dim_store_id, COUNT(customer_id) FROM {R} GROUP BY dim_store_id", 1235, []),
    (f"SELECT dim_store_id, COUNT(DISTINCT staff_id, customer_id) FROM {R} "
     "GROUP BY dim_store_id", 1235, []),
    # a row count other than whether there are rows
    (f"SELECT AGG(movies_rented) FROM {R} HAVING COUNT(*) > 5", 1235, ["COUNT(*) counts rows"]),
]


@pytest.mark.parametrize("sql,code,words", REFUSALS)
def test_refused(conns, sql, code, words):  # noqa: F811
    conns.backend = "pg"  # paying_customers is a metric of the Pagila example's payments
    refused(conns, sql, code, words)
