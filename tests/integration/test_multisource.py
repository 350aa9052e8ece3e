"""Metrics from the `rentals` and `payments` sources in one query.

Mimir combines each source's partial result with a FULL OUTER JOIN USING the
requested dimensions (in SQLite); a side with no row for a key gives NULL for
that side's metrics, and with no dimensions the result is one row. Expected
rows: the same FULL OUTER JOIN of the two grouped subqueries, on PostgreSQL.

In Pagila as configured, `rentals` (joined through film_category on
inventory_id = category_id, a quirk kept from the prototype) only covers a few
dozen customers while `payments` covers all of them: grouping by customer_id
gives many rows whose rentals metrics are NULL, which is what these tests need.
"""

from decimal import Decimal

import pytest
from pymysql.constants import FIELD_TYPE

from support import INTEGER_TYPES, assert_same_values, check_query, expected, mimir_sql

CASES = {
    "store": (["dim_store_id"], ["movies_rented", "payments_revenue"]),
    "customer": (["customer_id"], ["movies_rented", "payments_revenue"]),
    "customer_payments_first": (["customer_id"], ["payments_revenue", "movies_rented"]),
    "staff": (["staff_id"], ["movies_rented", "payments_revenue"]),
    "store_staff": (["dim_store_id", "staff_id"], ["movies_rented", "payments_revenue"]),
    "four_metrics": (["dim_store_id"], ["movies_rented", "rentals_revenue",
                                        "payments_revenue", "paying_customers"]),
    "interleaved": (["customer_id"], ["payments_count", "movies_rented",
                                      "payments_revenue", "rentals_revenue"]),
}


@pytest.mark.parametrize("dims, metrics", CASES.values(), ids=CASES.keys())
def test_two_sources_full_join(mimir, pg, dims, metrics):
    want = expected(pg, dims, metrics)
    check_query(mimir, mimir_sql(dims, metrics), want,
                columns=dims + [f"AGG({m})" for m in metrics])


def test_customer_join_has_one_sided_rows(mimir, pg):
    """The FULL JOIN must keep payments-only customers with NULL movies_rented."""
    dims, metrics = ["customer_id"], ["movies_rented", "payments_revenue"]
    want = expected(pg, dims, metrics)
    one_sided = [r for r in want if r[1] is None]
    both = [r for r in want if r[1] is not None and r[2] is not None]
    assert one_sided and both  # the data set exercises both cases
    names, got = mimir.query(mimir_sql(dims, metrics))
    got_one_sided = sorted(r for r in got if r[1] is None)
    assert_same_values(got_one_sided, sorted(one_sided))
    assert len(got) == len(want)


def test_two_sources_without_dimensions_is_one_row(mimir, pg):
    metrics = ["movies_rented", "payments_revenue"]
    want = expected(pg, [], metrics)
    assert len(want) == 1
    check_query(mimir, mimir_sql([], metrics), want, ordered=True,
                columns=[f"AGG({m})" for m in metrics])


def test_two_sources_without_dimensions_all_metrics(mimir, pg):
    metrics = ["movies_rented", "rentals_revenue", "action_movies_rented",
               "payments_count", "payments_revenue", "paying_customers"]
    want = expected(pg, [], metrics)
    check_query(mimir, mimir_sql([], metrics), want, ordered=True,
                columns=[f"AGG({m})" for m in metrics])


@pytest.mark.parametrize("where", [
    "dim_store_id = 1",
    "customer_id BETWEEN 1 AND 150",
    "staff_id = 1 AND customer_id IN (1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377)",
    "customer_id < 50 OR customer_id > 550",
])
def test_two_sources_with_filter_on_shared_dimension(mimir, pg, where):
    dims, metrics = ["customer_id"], ["movies_rented", "payments_revenue"]
    want = expected(pg, dims, metrics, where=where)
    check_query(mimir, mimir_sql(dims, metrics, where=where), want)


def test_two_sources_filter_without_dimensions(mimir, pg):
    where = "dim_store_id = 2"
    metrics = ["movies_rented", "payments_count"]
    want = expected(pg, [], metrics, where=where)
    check_query(mimir, mimir_sql([], metrics, where=where), want, ordered=True)


def test_two_sources_ordered_and_limited(mimir, pg):
    dims, metrics = ["customer_id"], ["movies_rented", "payments_revenue"]
    want = expected(pg, dims, metrics, order_by="payments_revenue DESC, customer_id", limit=10)
    sql = mimir_sql(dims, metrics, order_by="payments_revenue DESC, customer_id", limit=10)
    check_query(mimir, sql, want, ordered=True)


def test_two_sources_ordered_by_metric_with_nulls(mimir, pg):
    # MySQL sorts NULL first in ascending order, PostgreSQL last: state it.
    dims, metrics = ["customer_id"], ["movies_rented", "payments_revenue"]
    want = expected(pg, dims, metrics, order_by="movies_rented ASC NULLS FIRST, customer_id",
                    limit=20)
    assert want[0][1] is None
    sql = mimir_sql(dims, metrics, order_by="movies_rented, customer_id", limit=20)
    check_query(mimir, sql, want, ordered=True)


def test_two_sources_column_metadata(mimir):
    conn = mimir.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(mimir_sql(["dim_store_id"], ["movies_rented", "payments_revenue",
                                                     "paying_customers"]))
            rows = cur.fetchall()
            desc = cur.description
    finally:
        conn.close()
    assert [d[0] for d in desc] == ["dim_store_id", "AGG(movies_rented)", "AGG(payments_revenue)",
                                    "AGG(paying_customers)"]
    assert desc[0][1] in INTEGER_TYPES
    assert desc[1][1] == FIELD_TYPE.LONGLONG
    assert desc[2][1] == FIELD_TYPE.NEWDECIMAL and desc[2][5] == 2
    assert desc[3][1] == FIELD_TYPE.LONGLONG
    # the merge (SQLite) must not turn exact decimals into floats
    assert all(isinstance(r[2], Decimal) for r in rows)
