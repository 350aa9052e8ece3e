"""The SQL engine's name and view rules (issue 13, section 1), each checked
against MariaDB holding the same rows (the compatibility corpus's oracle,
test_compat.py): the statement runs on Mimir as written and on MariaDB with
AGG(m) written SUM(m), and the answers must agree in the same run.

- Select-list aliases in ORDER BY and HAVING come before the table's columns;
  in GROUP BY and WHERE the columns come first (planner/select_aliases.c).
- A derived table's outer ORDER BY / HAVING may name the outer select's
  aliases (`ORDER BY \\`SUM(revenue)\\``), the same rule.
- An ungrouped inner SELECT over a mimir table is a view: inlined, its WHERE
  joins the outer filters, its aliases are substituted (planner/view.c).
"""

import pymysql
import pytest

from test_compat import ZONES, conns, for_oracle, normal_row, oracle, run  # noqa: F401

R = "mimir.metrics"


def same_answer(conns, sql, ordered=True, zone=ZONES[0]):  # noqa: F811
    _, want = run(conns.get("oracle", zone), for_oracle(sql))
    _, got = run(conns.get("mimir", zone), sql)
    want = [normal_row(r) for r in want]
    got = [normal_row(r) for r in got]
    if not ordered:
        want, got = sorted(want, key=repr), sorted(got, key=repr)
    assert want, f"the oracle has no rows for {sql}"
    assert got == want, f"mimir: {got[:5]}\nmaria: {want[:5]}"
    return got


def refused(conns, sql, code, words):  # noqa: F811
    conn = conns.fresh("mimir")
    try:
        with pytest.raises(pymysql.MySQLError) as err:
            run(conn, sql)
        assert err.value.args[0] == code, err.value.args
        for w in words:
            assert w in err.value.args[1], err.value.args
        assert run(conn, "SELECT 1")[1] == [(1,)]
    finally:
        conn.close()


# ---- aliases that shadow columns ---------------------------------------------------

ALIAS_CASES = [
    # ORDER BY: the alias (the day), not the time column.
    f"SELECT DATE(ts) AS ts, dim_store_id, AGG(movies_rented) AS n FROM {R} "
    "WHERE ts >= '2022-03-01' AND ts < '2022-03-08' GROUP BY DATE(ts), dim_store_id "
    "ORDER BY n DESC, ts, dim_store_id",
    f"SELECT DATE(ts) AS ts, AGG(movies_rented) AS n FROM {R} GROUP BY DATE(ts) "
    "ORDER BY ts DESC LIMIT 5",
    # ... also inside an expression of ORDER BY.
    f"SELECT DATE(ts) AS ts, AGG(movies_rented) AS n FROM {R} GROUP BY DATE(ts) "
    "ORDER BY DATEDIFF(ts, '2022-01-01') DESC LIMIT 5",
    # A dimension aliased as another dimension's name: ORDER BY follows the alias.
    f"SELECT dim_rental_category AS dim_store_id, AGG(rentals_revenue) AS r FROM {R} "
    "GROUP BY dim_rental_category ORDER BY dim_store_id",
    # HAVING: the alias too (the day compared with a date, not each row's time).
    f"SELECT DATE(ts) AS ts, AGG(movies_rented) AS n FROM {R} GROUP BY DATE(ts) "
    "HAVING ts > '2022-03-01' AND n > 10 ORDER BY 1 LIMIT 5",
    # WHERE: the column (a time range on ts), whatever the select list calls ts.
    f"SELECT DATE(ts) AS ts, AGG(movies_rented) AS n FROM {R} "
    "WHERE ts >= '2022-03-01 12:00:00' GROUP BY DATE(ts) ORDER BY ts LIMIT 3",
    # An aggregate's argument is a column, never an alias.
    f"SELECT dim_store_id, AGG(rentals_revenue) AS movies_rented FROM {R} "
    "GROUP BY dim_store_id ORDER BY AGG(movies_rented) DESC",
]


@pytest.mark.parametrize("sql", ALIAS_CASES)
def test_alias_resolution_matches_mariadb(conns, sql):  # noqa: F811
    same_answer(conns, sql)


def test_group_by_name_is_the_column_first(conns):  # noqa: F811
    """GROUP BY ts groups by the time column even when DATE(ts) is aliased ts,
    as in MySQL: one row per distinct time, each showing its day."""
    sql = (f"SELECT DATE(ts) AS ts, AGG(movies_rented) AS n FROM {R} "
           "WHERE ts >= '2022-03-01' AND ts < '2022-03-02' GROUP BY ts ORDER BY ts, n")
    same_answer(conns, sql)


def test_alias_in_having_that_is_also_grouped_is_ambiguous(conns):  # noqa: F811
    refused(conns, f"SELECT DATE(ts) AS ts, AGG(movies_rented) FROM {R} GROUP BY DATE(ts), ts "
            "HAVING ts > '2022-03-01'", 1052, ["Column 'ts' in having clause is ambiguous"])


def test_one_alias_for_two_columns_is_ambiguous(conns):  # noqa: F811
    refused(conns, f"SELECT dim_store_id AS x, dim_rental_category AS x, AGG(movies_rented) "
            f"FROM {R} GROUP BY 1, 2 ORDER BY x", 1052, ["Column 'x' in order clause is ambiguous"])


# ---- derived tables ordered by an outer alias -------------------------------------------

DERIVED = (f"(SELECT dim_store_id, dim_rental_category, AGG(rentals_revenue) AS revenue "
           f"FROM {R} GROUP BY dim_store_id, dim_rental_category) AS v")

DERIVED_CASES = [
    f"SELECT dim_store_id, SUM(revenue) AS `SUM(revenue)` FROM {DERIVED} "
    "GROUP BY dim_store_id ORDER BY `SUM(revenue)` DESC",
    f"SELECT dim_rental_category AS c, MAX(revenue) AS top FROM {DERIVED} "
    "GROUP BY dim_rental_category HAVING top > 100 ORDER BY top DESC, c",
    f"SELECT dim_rental_category AS dim_store_id, SUM(revenue) AS s FROM {DERIVED} "
    "GROUP BY dim_rental_category ORDER BY dim_store_id",
]


@pytest.mark.parametrize("sql", DERIVED_CASES)
def test_derived_table_ordered_by_outer_alias(conns, sql):  # noqa: F811
    same_answer(conns, sql)


# ---- views: ungrouped inner SELECTs are inlined ---------------------------------------

VIEW_CASES = [
    # Superset's virtual dataset: the inner WHERE reaches the sources.
    f"SELECT dim_rental_category, SUM(movies_rented) AS n FROM (SELECT * FROM {R} "
    "WHERE dim_store_id = 1) AS virtual_table GROUP BY dim_rental_category ORDER BY n DESC",
    # Inner aliases and expressions, the outer WHERE on them, the metric at the outer grain.
    f"SELECT c, d, SUM(rentals_revenue) AS r FROM (SELECT dim_rental_category AS c, "
    f"DATE(ts) AS d, rentals_revenue FROM {R} WHERE dim_store_id = 2) AS v "
    "WHERE d BETWEEN '2022-03-01' AND '2022-03-05' GROUP BY c, d ORDER BY d, c",
    # Qualified by the derived table's alias; a metric renamed inside.
    f"SELECT v.s, SUM(v.rev) AS total FROM (SELECT dim_store_id AS s, rentals_revenue AS rev "
    f"FROM {R}) v GROUP BY v.s ORDER BY v.s",
    # A view of a view, with an outer expression over the metric.
    f"SELECT s, ROUND(SUM(rev) / SUM(n), 4) AS avg_amount FROM (SELECT s, rev, n FROM "
    f"(SELECT dim_store_id AS s, rentals_revenue AS rev, movies_rented AS n FROM {R} "
    "WHERE dim_rental_category <> 'Action') a) b GROUP BY s ORDER BY s",
    # The view's filter is an IN (SELECT ...) semi-join filter.
    f"SELECT dim_store_id, SUM(movies_rented) AS n FROM (SELECT * FROM {R} WHERE "
    f"dim_rental_category IN (SELECT dim_rental_category FROM {R} WHERE dim_store_id = 1 "
    "AND ts < '2022-03-01' GROUP BY 1)) v GROUP BY dim_store_id ORDER BY 1",
]


@pytest.mark.parametrize("sql", VIEW_CASES)
def test_view_is_inlined(conns, sql):  # noqa: F811
    same_answer(conns, sql)


def test_view_filter_reaches_the_sources(conns):  # noqa: F811
    conn = conns.fresh("mimir")
    try:
        _, rows = run(conn, f"EXPLAIN SELECT c, SUM(movies_rented) FROM (SELECT "
                      f"dim_rental_category AS c, movies_rented FROM {R} WHERE dim_store_id = 2) v "
                      "GROUP BY c")
        assert len(rows) == 1  # one source query, nothing after it
        assert "dim_store_id" in rows[0][4] and "WHERE" in rows[0][4], rows
    finally:
        conn.close()


@pytest.mark.parametrize("sql", [
    # In the view's WHERE.
    f"SELECT dim_store_id, SUM(movies_rented) FROM (SELECT * FROM {R} WHERE "
    "rentals_revenue > 2) v GROUP BY dim_store_id",
    # In the outer WHERE, through an inner alias: MySQL tests each row of the view too.
    f"SELECT s, SUM(rev) FROM (SELECT dim_store_id AS s, rentals_revenue AS rev FROM {R}) v "
    "WHERE rev > 2 GROUP BY s",
])
def test_view_with_metric_condition_is_refused(conns, sql):  # noqa: F811
    refused(conns, sql, 1235, ["Row-level reads are not supported", "'rentals_revenue'"])


def test_view_unknown_column_is_refused(conns):  # noqa: F811
    refused(conns, f"SELECT nope, SUM(n) FROM (SELECT dim_store_id AS s, movies_rented AS n "
            f"FROM {R}) v GROUP BY nope", 1054, ["Unknown column 'nope' in derived table 'v'"])


def test_view_row_level_read_is_refused(conns):  # noqa: F811
    refused(conns, f"SELECT s FROM (SELECT dim_store_id AS s FROM {R}) v", 1235,
            ["Row-level reads are not supported"])


# ---- semi-join filters over a derived table ---------------------------------------------

VIEW = f"(SELECT * FROM {R} WHERE ts < '2022-06-01') AS virtual_table"

SERIES_LIMIT = ("(SELECT dim_rental_category AS c__, SUM(revenue) AS mme_inner__ FROM {derived} "
                "GROUP BY dim_rental_category ORDER BY mme_inner__ DESC LIMIT 3) AS series_limit")

DERIVED_FILTER_CASES = [
    # Superset's series limit over a virtual dataset: the top categories' revenue by store.
    f"SELECT dim_store_id, SUM(revenue) AS `SUM(revenue)` FROM {DERIVED} "
    f"JOIN {SERIES_LIMIT.format(derived=DERIVED)} ON dim_rental_category = c__ "
    "GROUP BY dim_store_id ORDER BY 1",
    # The filter written first, the key qualified.
    f"SELECT v.dim_rental_category, MAX(v.revenue) AS top FROM "
    f"{SERIES_LIMIT.format(derived=DERIVED)} JOIN {DERIVED} ON v.dim_rental_category = c__ "
    "GROUP BY 1 ORDER BY 1",
    # A derived table with a LIMIT: the filter applies after it, not inside.
    f"SELECT dim_store_id, SUM(revenue) AS s FROM (SELECT dim_store_id, dim_rental_category, "
    f"AGG(rentals_revenue) AS revenue FROM {R} GROUP BY dim_store_id, dim_rental_category "
    "ORDER BY 3 DESC, 1, 2 LIMIT 20) AS v "
    f"JOIN {SERIES_LIMIT.format(derived=DERIVED)} ON dim_rental_category = c__ "
    "GROUP BY dim_store_id ORDER BY 1",
    # Superset's series limit over a virtual dataset that is a view (SELECT * ... WHERE).
    f"SELECT dim_store_id, SUM(movies_rented) AS n FROM {VIEW} JOIN (SELECT dim_rental_category "
    f"AS c__, SUM(movies_rented) AS mme_inner__ FROM {VIEW} GROUP BY dim_rental_category "
    "ORDER BY mme_inner__ DESC LIMIT 3) AS series_limit ON dim_rental_category = c__ "
    "GROUP BY dim_store_id ORDER BY 1",
]


@pytest.mark.parametrize("sql", DERIVED_FILTER_CASES)
def test_semijoin_filter_over_a_derived_table(conns, sql):  # noqa: F811
    same_answer(conns, sql)


def test_derived_table_filter_reaches_the_sources(conns):  # noqa: F811
    conn = conns.fresh("mimir")
    try:
        _, rows = run(conn, "EXPLAIN " + DERIVED_FILTER_CASES[0])
        steps = [r[2] for r in rows]
        note = steps.index("semi-join filter")
        outer_source = [r for r in rows[note + 1:] if r[1]]
        assert outer_source and '"dim_rental_category" IN (' in outer_source[0][4], rows
    finally:
        conn.close()


def test_two_grouped_derived_tables_are_refused(conns):  # noqa: F811
    refused(conns, f"SELECT dim_store_id, SUM(revenue) FROM {DERIVED} JOIN (SELECT "
            "dim_rental_category AS c__, dim_store_id AS s__, SUM(revenue) AS x FROM "
            f"{DERIVED} GROUP BY 1, 2) AS t ON dim_rental_category = c__ GROUP BY 1", 1235,
            ["grouped by the join key"])
