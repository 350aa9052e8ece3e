"""Single-source queries on configs/pagila, compared with PostgreSQL.

Each query goes through PyMySQL (typed values, compared exactly: Decimal for
SUMs, int for COUNTs) and through the real mariadb CLI (printed text)."""

from decimal import Decimal

import pytest
from pymysql.constants import FIELD_TYPE

from support import (
    INTEGER_TYPES,
    README_EXPECTED_SQL,
    README_QUERY,
    RENTALS_SQL,
    assert_same_values,
    check_query,
    expected,
    mimir_sql,
    text_rows,
)

# MySQL names an unaliased AGG(m) by its text.
README_COLUMNS = ["dim_rental_category", "AGG(movies_rented)", "AGG(rentals_revenue)"]


@pytest.fixture(scope="module")
def readme_expected(pg):
    rows = [tuple(r) for r in pg.query(README_EXPECTED_SQL)]
    assert len(rows) == 1 and rows[0][1] > 0  # the data set has Action rentals
    return rows


# --------------------------------------------------------------------------
# the README query
# --------------------------------------------------------------------------


def test_readme_query_through_pymysql(mimir, readme_expected):
    conn = mimir.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(README_QUERY)
            assert [d[0] for d in cur.description] == README_COLUMNS
            got = [tuple(r) for r in cur.fetchall()]
    finally:
        conn.close()
    assert_same_values(got, readme_expected)
    category, count, revenue = got[0]
    assert type(count) is int
    assert isinstance(revenue, Decimal) and revenue.as_tuple().exponent == -2


def test_readme_query_through_mariadb_cli(mimir, readme_expected):
    result = mimir.mariadb_cli(README_QUERY)
    assert result.columns == README_COLUMNS
    assert list(result) == text_rows(readme_expected)


def test_readme_query_without_dimensions(mimir, pg):
    sql = "SELECT AGG(movies_rented), AGG(rentals_revenue) FROM mimir.metrics"
    want = expected(pg, [], ["movies_rented", "rentals_revenue"])
    assert len(want) == 1
    check_query(mimir, sql, want, ordered=True,
                columns=["AGG(movies_rented)", "AGG(rentals_revenue)"])


def test_filter_on_dimension_not_selected(mimir, pg):
    sql = ("SELECT AGG(movies_rented), AGG(rentals_revenue) FROM mimir.metrics "
           "WHERE dim_rental_category = 'Action'")
    want = expected(pg, [], ["movies_rented", "rentals_revenue"],
                    where="dim_rental_category = 'Action'")
    check_query(mimir, sql, want, ordered=True)


# --------------------------------------------------------------------------
# spelling of the query surface: all of these mean the README query
# --------------------------------------------------------------------------

SPELLINGS = {
    "lowercase": "select dim_rental_category, agg(movies_rented), agg(rentals_revenue) "
                 "from mimir.metrics where dim_rental_category = 'Action' "
                 "group by dim_rental_category",
    "mixed_case": "SeLeCt dim_rental_category, Agg(movies_rented), aGG(rentals_revenue) "
                  "From mimir.metrics Where dim_rental_category = 'Action' "
                  "Group By dim_rental_category",
    "backticks": "SELECT `dim_rental_category`, AGG(`movies_rented`), AGG(`rentals_revenue`) "
                 "FROM `mimir`.`metrics` WHERE `dim_rental_category` = 'Action' "
                 "GROUP BY `dim_rental_category`",
    "block_comments": "/* leading */ SELECT dim_rental_category, /* mid */ AGG(movies_rented), "
                      "AGG(rentals_revenue) FROM mimir.metrics /* x */ WHERE "
                      "dim_rental_category = 'Action' GROUP BY dim_rental_category /* end */",
    "dash_comments": "SELECT dim_rental_category, -- the category\n AGG(movies_rented),\n"
                     "AGG(rentals_revenue) FROM mimir.metrics\n-- only action\n"
                     "WHERE dim_rental_category = 'Action' GROUP BY dim_rental_category",
    "hash_comment": "SELECT dim_rental_category, # the category\n AGG(movies_rented),\n"
                    "AGG(rentals_revenue) FROM mimir.metrics WHERE "
                    "dim_rental_category = 'Action' GROUP BY dim_rental_category",
    "trailing_semicolon": "SELECT dim_rental_category, AGG(movies_rented), AGG(rentals_revenue) "
                          "FROM mimir.metrics WHERE dim_rental_category = 'Action' "
                          "GROUP BY dim_rental_category ;",
    "group_by_ordinal": "SELECT dim_rental_category, AGG(movies_rented), AGG(rentals_revenue) "
                        "FROM mimir.metrics WHERE dim_rental_category = 'Action' GROUP BY 1",
}


# An unaliased AGG(m) is named by its text as written, as MySQL names it.
SPELLING_COLUMNS = {
    "lowercase": ["dim_rental_category", "agg(movies_rented)", "agg(rentals_revenue)"],
    "mixed_case": ["dim_rental_category", "Agg(movies_rented)", "aGG(rentals_revenue)"],
    "backticks": ["dim_rental_category", "AGG(`movies_rented`)", "AGG(`rentals_revenue`)"],
}


@pytest.mark.parametrize("name, sql", SPELLINGS.items(), ids=SPELLINGS.keys())
def test_query_spellings(mimir, readme_expected, name, sql):
    check_query(mimir, sql, readme_expected, ordered=True,
                columns=SPELLING_COLUMNS.get(name, README_COLUMNS))


# --------------------------------------------------------------------------
# all categories, ordering, limits
# --------------------------------------------------------------------------


def test_all_categories_unordered(mimir, pg):
    dims, metrics = ["dim_rental_category"], ["movies_rented", "rentals_revenue"]
    want = expected(pg, dims, metrics)
    assert len(want) > 10
    check_query(mimir, mimir_sql(dims, metrics), want)


ORDERINGS = [
    # (ORDER BY for Mimir, ORDER BY for PostgreSQL, LIMIT); every ordering is total
    ("dim_rental_category", "dim_rental_category", None),
    ("dim_rental_category DESC", "dim_rental_category DESC", None),
    ("1 ASC", "dim_rental_category", None),
    ("movies_rented DESC, dim_rental_category", "movies_rented DESC, dim_rental_category", 5),
    ("2 DESC, 1 ASC", "movies_rented DESC, dim_rental_category", 3),
    ("rentals_revenue, 1", "rentals_revenue, dim_rental_category", 1),
    ("rentals_revenue DESC, dim_rental_category DESC",
     "rentals_revenue DESC, dim_rental_category DESC", 6),
    ("dim_rental_category", "dim_rental_category", 0),
]


@pytest.mark.parametrize("mimir_order, pg_order, limit", ORDERINGS,
                         ids=[f"{o[0]}-limit{o[2]}" for o in ORDERINGS])
def test_all_categories_ordered(mimir, pg, mimir_order, pg_order, limit):
    dims, metrics = ["dim_rental_category"], ["movies_rented", "rentals_revenue"]
    want = expected(pg, dims, metrics, order_by=pg_order, limit=limit)
    sql = mimir_sql(dims, metrics, order_by=mimir_order, limit=limit)
    check_query(mimir, sql, want, ordered=True)


def test_alias_in_order_by(mimir, pg):
    sql = ("SELECT dim_rental_category AS category, AGG(movies_rented) AS n FROM mimir.metrics "
           "GROUP BY dim_rental_category ORDER BY n DESC, category LIMIT 4")
    want = expected(pg, ["dim_rental_category"], ["movies_rented"],
                    order_by="movies_rented DESC, dim_rental_category", limit=4)
    check_query(mimir, sql, want, ordered=True, columns=["category", "n"])


# --------------------------------------------------------------------------
# filters: the same WHERE text means the same thing on both sides
# --------------------------------------------------------------------------

FILTERS = [
    "dim_rental_category IN ('Action', 'Drama', 'Travel')",
    "dim_rental_category NOT IN ('Action', 'Drama', 'Travel')",
    "dim_rental_category LIKE 'S%'",
    "dim_rental_category NOT LIKE 'S%'",
    "dim_rental_category = 'Action' OR dim_rental_category = 'Horror'",
    "NOT (dim_rental_category = 'Action')",
    "dim_rental_category <> 'Action'",
    "dim_rental_category > 'M'",
    "dim_rental_category <= 'Drama'",
    "dim_rental_category BETWEEN 'B' AND 'F'",
    "dim_store_id = 1",
    "dim_store_id = 2 AND dim_rental_category IN ('Sci-Fi', 'Sports', 'Games')",
    "(dim_store_id = 1 OR dim_rental_category = 'Action') AND NOT dim_rental_category = 'Games'",
    "customer_id < 100",
    "customer_id >= 300 AND customer_id < 400",
    "customer_id BETWEEN 10 AND 200",
    "staff_id = 2",
    "dim_rental_category IS NOT NULL",
    "dim_rental_category IS NULL",
]


@pytest.mark.parametrize("where", FILTERS)
def test_filters(mimir, pg, where):
    dims, metrics = ["dim_rental_category"], ["movies_rented", "rentals_revenue"]
    want = expected(pg, dims, metrics, where=where)
    check_query(mimir, mimir_sql(dims, metrics, where=where), want)


def test_filter_matching_nothing_with_dimension_gives_no_rows(mimir, pg):
    where = "dim_rental_category = 'No Such Category'"
    dims, metrics = ["dim_rental_category"], ["movies_rented"]
    assert expected(pg, dims, metrics, where=where) == []
    names, rows = mimir.query(mimir_sql(dims, metrics, where=where))
    assert names == ["dim_rental_category", "AGG(movies_rented)"]
    assert rows == []


def test_filter_matching_nothing_without_dimension_gives_one_row(mimir, pg):
    # SQL semantics: an aggregate without GROUP BY yields one row (0, NULL).
    where = "dim_rental_category = 'No Such Category'"
    metrics = ["movies_rented", "rentals_revenue"]
    want = expected(pg, [], metrics, where=where)
    assert want == [(0, None)]
    check_query(mimir, mimir_sql([], metrics, where=where), want, ordered=True)


def test_literal_with_quote_is_escaped(mimir, pg):
    where = "dim_rental_category = 'O''Brien'"
    dims, metrics = ["dim_rental_category"], ["movies_rented"]
    assert expected(pg, dims, metrics, where=where) == []
    names, rows = mimir.query(mimir_sql(dims, metrics, where=where))
    assert rows == []


# --------------------------------------------------------------------------
# other metrics and dimensions of the example
# --------------------------------------------------------------------------


@pytest.mark.parametrize("dims", [[], ["dim_store_id"], ["dim_rental_category"],
                                  ["dim_store_id", "dim_rental_category"]],
                         ids=["no_dims", "store", "category", "store_category"])
def test_action_movies_rented(mimir, pg, dims):
    # The metric's expression needs dim_rental_category inside the source
    # query even when the user does not select or group by it.
    want = expected(pg, dims, ["action_movies_rented"])
    assert any(r[-1] for r in want)
    check_query(mimir, mimir_sql(dims, ["action_movies_rented"]), want)


def test_action_movies_rented_with_other_metrics(mimir, pg):
    dims, metrics = ["dim_store_id"], ["movies_rented", "action_movies_rented", "rentals_revenue"]
    want = expected(pg, dims, metrics)
    check_query(mimir, mimir_sql(dims, metrics), want)


@pytest.mark.parametrize("dims, metrics", [
    ([], ["payments_count", "payments_revenue", "paying_customers"]),
    (["dim_store_id"], ["payments_count", "payments_revenue", "paying_customers"]),
    (["staff_id"], ["paying_customers"]),
    (["dim_store_id", "staff_id"], ["payments_revenue"]),
    (["customer_id"], ["payments_count", "payments_revenue"]),
], ids=["no_dims", "store", "staff", "store_staff", "customer"])
def test_payments_source(mimir, pg, dims, metrics):
    want = expected(pg, dims, metrics)
    check_query(mimir, mimir_sql(dims, metrics), want)


def test_two_dimensions_grouped_by_ordinals(mimir, pg):
    dims, metrics = ["dim_store_id", "dim_rental_category"], ["movies_rented", "rentals_revenue"]
    want = expected(pg, dims, metrics, order_by="1, 2")
    sql = mimir_sql(dims, metrics, group=False) + " GROUP BY 1, 2 ORDER BY 1, 2"
    check_query(mimir, sql, want, ordered=True)


# --------------------------------------------------------------------------
# column metadata (what JDBC and ODBC drivers decide types from)
# --------------------------------------------------------------------------


def _description(mimir, sql):
    conn = mimir.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            cur.fetchall()
            return cur.description
    finally:
        conn.close()


def test_column_metadata_of_readme_query(mimir):
    desc = _description(mimir, README_QUERY)
    assert [d[0] for d in desc] == README_COLUMNS
    assert desc[0][1] == FIELD_TYPE.VAR_STRING
    assert desc[1][1] == FIELD_TYPE.LONGLONG
    assert desc[2][1] == FIELD_TYPE.NEWDECIMAL
    assert desc[2][5] == 2  # decimals: Pagila amounts are numeric(5,2)


def test_column_names_with_aliases(mimir):
    desc = _description(
        mimir,
        "SELECT dim_store_id AS store, AGG(movies_rented) AS rented, "
        "AGG(rentals_revenue) AS revenue FROM mimir.metrics GROUP BY dim_store_id",
    )
    assert [d[0] for d in desc] == ["store", "rented", "revenue"]
    assert desc[0][1] in INTEGER_TYPES  # inventory.store_id is an integer
    assert desc[1][1] == FIELD_TYPE.LONGLONG
    assert desc[2][1] == FIELD_TYPE.NEWDECIMAL


def test_payments_metric_types(mimir):
    desc = _description(mimir, "SELECT AGG(payments_count), AGG(payments_revenue), "
                               "AGG(paying_customers) FROM mimir.metrics")
    assert [d[0] for d in desc] == ["AGG(payments_count)", "AGG(payments_revenue)",
                                    "AGG(paying_customers)"]
    assert [d[1] for d in desc] == [FIELD_TYPE.LONGLONG, FIELD_TYPE.NEWDECIMAL,
                                    FIELD_TYPE.LONGLONG]
    assert desc[1][5] == 2


def test_timestamp_dimension_is_datetime_in_utc(mimir, pg):
    # return_ts is a local column of the rentals source (rental.return_date,
    # timestamptz, NULL while a film is out): it must come back as DATETIME,
    # in UTC, with NULL for the rentals not returned.
    want = [tuple(r) for r in pg.query(
        f"SELECT return_ts AT TIME ZONE 'UTC', COUNT(rental_id) FROM ({RENTALS_SQL}) s "
        "GROUP BY 1")]
    assert len(want) > 10 and any(r[0] is None for r in want)
    sql = "SELECT return_ts, AGG(movies_rented) FROM mimir.metrics GROUP BY return_ts"
    desc = _description(mimir, sql)
    assert desc[0][1] == FIELD_TYPE.DATETIME
    check_query(mimir, sql, want)


def test_timestamp_filter(mimir, pg):
    where = "return_ts >= '2022-06-01' AND return_ts < '2022-07-01 12:00:00'"
    want = [tuple(r) for r in pg.query(
        f"SELECT return_ts AT TIME ZONE 'UTC', COUNT(rental_id) FROM ({RENTALS_SQL}) s "
        f"WHERE {where} GROUP BY 1")]
    assert len(want) > 1
    sql = f"SELECT return_ts, AGG(movies_rented) FROM mimir.metrics WHERE {where} GROUP BY 1"
    check_query(mimir, sql, want)
