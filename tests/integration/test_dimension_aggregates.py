"""Aggregates of dimensions (issue 13, section 1; planner/dimension_aggregates.c):
COUNT(DISTINCT d), MIN(d) and MAX(d) of dimensions are computed over the finer
groups (the query's groups and d), with the metrics beside them aggregated
again when that is exact. Each statement runs on Mimir (PostgreSQL, MariaDB and
SQLite sources: the compatibility corpus's three servers) and on MariaDB
holding the same rows, with AGG(m) written SUM(m); the answers must agree.
"""

import pytest

from test_compat import BACKENDS, ZONES, conns, oracle  # noqa: F401
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
]


@pytest.mark.parametrize("sql,code,words", REFUSALS)
def test_refused(conns, sql, code, words):  # noqa: F811
    conns.backend = "pg"  # paying_customers is a metric of the Pagila example's payments
    refused(conns, sql, code, words)
