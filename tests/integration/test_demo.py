"""The embedded demo (`mimir serve` without --configs): configs/demo over
configs/demo/demo.db (SQLite, `make demo-data`). Expected rows come from
Python's sqlite3 module on the same file, with the sources' SQL from
configs/demo/sources/sources.yaml and the dimensions spliced in as defined:

  dim_region            stores.region       orders (defined), visits (listed)
  dim_product_category  products.category  orders
  city                  a local column of both sources
"""

import sqlite3
from decimal import Decimal

import pytest
from pymysql.constants import FIELD_TYPE

from conftest import DEMO_DB

ORDERS_SQL = """
SELECT
    orders.order_id,
    orders.ordered_at AS ts,
    orders.store_id,
    stores.city,
    orders.product_id,
    products.name AS product_name,
    orders.quantity,
    orders.amount,
    stores.region AS dim_region,
    products.category AS dim_product_category
FROM orders
JOIN stores ON stores.store_id = orders.store_id
JOIN products ON products.product_id = orders.product_id
"""

VISITS_SQL = """
SELECT
    visits.visit_id,
    visits.visited_at AS ts,
    visits.store_id,
    stores.city,
    visits.channel,
    stores.region AS dim_region
FROM visits
JOIN stores ON stores.store_id = visits.store_id
"""


@pytest.fixture(scope="module")
def demo_db(mimir_demo):
    conn = sqlite3.connect(f"file:{DEMO_DB}?mode=ro", uri=True)
    yield conn
    conn.close()


def sqlite_rows(db, sql):
    return [tuple(r) for r in db.execute(sql).fetchall()]


def _same(got, want):
    """Equal as numbers where numbers are expected. SQLite sums REAL amounts
    (multiples of 0.25, exact in binary); Mimir may send them as DOUBLE or
    DECIMAL, so compare decimal renderings, which are exact for both."""
    if got is None or want is None:
        return got is None and want is None
    if isinstance(want, float):
        return Decimal(str(got)) == Decimal(repr(want))
    return got == want


def assert_rows(got, want):
    assert len(got) == len(want), (got, want)
    for g, w in zip(got, want):
        assert len(g) == len(w) and all(_same(a, b) for a, b in zip(g, w)), (g, w)


def assert_cli_rows(cli, want):
    assert len(cli) == len(want), (list(cli), want)
    for g, w in zip(cli, want):
        assert len(g) == len(w), (g, w)
        for a, b in zip(g, w):
            if b is None:
                assert a == "NULL", (g, w)
            elif isinstance(b, (int, float)):
                assert Decimal(a) == Decimal(repr(b)), (g, w)
            else:
                assert a == b, (g, w)


CITY_QUERY = ("SELECT city, AGG(orders_count), AGG(visits_count) FROM mimir.metrics "
              "GROUP BY city ORDER BY city")

CITY_EXPECTED = f"""
SELECT city, o.orders_count, v.visits_count
FROM (SELECT city, COUNT(order_id) AS orders_count FROM ({ORDERS_SQL}) GROUP BY city) AS o
FULL OUTER JOIN
     (SELECT city, COUNT(visit_id) AS visits_count FROM ({VISITS_SQL}) GROUP BY city) AS v
USING (city)
ORDER BY city
"""


def test_demo_multi_source_by_city(mimir_demo, demo_db):
    want = sqlite_rows(demo_db, CITY_EXPECTED)
    assert len(want) > 1
    names, got = mimir_demo.query(CITY_QUERY)
    assert names == ["city", "AGG(orders_count)", "AGG(visits_count)"]
    assert_rows(got, want)
    cli = mimir_demo.mariadb_cli(CITY_QUERY)
    assert cli.columns == ["city", "AGG(orders_count)", "AGG(visits_count)"]
    assert_cli_rows(cli, want)


def test_demo_column_types(mimir_demo):
    conn = mimir_demo.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(CITY_QUERY)
            cur.fetchall()
            desc = cur.description
    finally:
        conn.close()
    assert desc[0][1] == FIELD_TYPE.VAR_STRING
    assert desc[1][1] == FIELD_TYPE.LONGLONG
    assert desc[2][1] == FIELD_TYPE.LONGLONG


def test_demo_spliced_dimension_across_sources(mimir_demo, demo_db):
    sql = ("SELECT dim_region, AGG(revenue), AGG(units_sold), AGG(visits_count), "
           "AGG(unique_channels) FROM mimir.metrics GROUP BY dim_region ORDER BY dim_region")
    want = sqlite_rows(demo_db, f"""
        SELECT dim_region, o.revenue, o.units_sold, v.visits_count, v.unique_channels
        FROM (SELECT dim_region, SUM(amount) AS revenue, SUM(quantity) AS units_sold
              FROM ({ORDERS_SQL}) GROUP BY dim_region) AS o
        FULL OUTER JOIN
             (SELECT dim_region, COUNT(visit_id) AS visits_count,
                     COUNT(DISTINCT channel) AS unique_channels
              FROM ({VISITS_SQL}) GROUP BY dim_region) AS v
        USING (dim_region)
        ORDER BY dim_region""")
    assert len(want) == 3
    names, got = mimir_demo.query(sql)
    assert names == ["dim_region", "AGG(revenue)", "AGG(units_sold)", "AGG(visits_count)",
                     "AGG(unique_channels)"]
    assert_rows(got, want)
    assert_cli_rows(mimir_demo.mariadb_cli(sql), want)


def test_demo_single_source_with_filter(mimir_demo, demo_db):
    sql = ("SELECT dim_product_category, AGG(orders_count), AGG(revenue) FROM mimir.metrics "
           "WHERE city IN ('Lyon', 'Utrecht') AND dim_product_category <> 'Merchandise' "
           "GROUP BY dim_product_category ORDER BY 2 DESC, 1")
    want = sqlite_rows(demo_db, f"""
        SELECT dim_product_category, COUNT(order_id), SUM(amount) FROM ({ORDERS_SQL})
        WHERE city IN ('Lyon', 'Utrecht') AND dim_product_category <> 'Merchandise'
        GROUP BY dim_product_category ORDER BY 2 DESC, 1""")
    assert len(want) == 3
    names, got = mimir_demo.query(sql)
    assert_rows(got, want)
    assert_cli_rows(mimir_demo.mariadb_cli(sql), want)


def test_demo_without_dimensions_is_one_row(mimir_demo, demo_db):
    sql = "SELECT AGG(orders_count), AGG(revenue), AGG(visits_count) FROM mimir.metrics"
    want = sqlite_rows(demo_db, f"""
        SELECT o.orders_count, o.revenue, v.visits_count
        FROM (SELECT COUNT(order_id) AS orders_count, SUM(amount) AS revenue
              FROM ({ORDERS_SQL})) AS o
        CROSS JOIN (SELECT COUNT(visit_id) AS visits_count FROM ({VISITS_SQL})) AS v""")
    names, got = mimir_demo.query(sql)
    assert names == ["AGG(orders_count)", "AGG(revenue)", "AGG(visits_count)"]
    assert_rows(got, want)
