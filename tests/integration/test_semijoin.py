"""Semi-join filters (issue 13, section 1): the first phase of phased execution.

A join of mimir.metrics to a subquery grouped by the join key (Tableau's top-N
filter, Superset's series limit) and `dim IN (SELECT dim ...)` run the
subquery first, then push its key values into the outer query's sources as
parameters (planner/semijoin.c, proxy/exec/phases.c). The metric is never
multiplied by a join; any other join is refused with 1235.

Every expected number comes from PostgreSQL in the same run, running the same
join over the source's rows: because the subquery is grouped by the join key,
each key comes once, and the row-level join is exactly the filter.
"""

import time

import pymysql
import pytest

from support import (PAYMENTS_SQL, RENTALS_SQL, assert_answers_select_1, assert_same_values,
                     mysql_error, unordered)
from conftest import PAGILA_CONFIGS
from mysql_wire import COM_QUERY, RawClient, ServerError
from test_runtime import runtime_server, sleeping_backends, wait_for  # noqa: F401 (fixture)
from test_protocol import as_json_values, run_stmt, stmt_client_bin  # noqa: F401 (fixtures)

R = f"({RENTALS_SQL})"
P = f"({PAYMENTS_SQL})"


@pytest.fixture(scope="module")
def conn(mimir):
    c = mimir.connect()
    yield c
    c.close()


def run(conn, sql):
    with conn.cursor() as cur:
        cur.execute(sql)
        return [d[0] for d in cur.description], [tuple(r) for r in cur.fetchall()]


def pg_rows(pg, sql):
    return [tuple(r) for r in pg.query(sql)]


def check(conn, pg, sql, pg_sql, ordered=False):
    _, got = run(conn, sql)
    want = pg_rows(pg, pg_sql)
    if ordered:
        assert_same_values(got, want)
    else:
        assert_same_values(unordered(got), unordered(want))
    return got


def refused(conn, sql, code=1235, words=()):
    with pytest.raises(pymysql.err.MySQLError) as excinfo:
        run(conn, sql)
    errno, message = mysql_error(excinfo)
    assert errno == code, message
    for w in words:
        assert w in message, message
    assert_answers_select_1(conn)
    return message


# Tableau's top-N filter: the top categories by revenue, their rentals.
TOP_N_INNER_PG = (f"SELECT dim_rental_category, SUM(amount) AS x FROM {R} r GROUP BY 1 "
                  "ORDER BY 2 DESC NULLS LAST LIMIT 3")
TOP_N_PG = (f"SELECT m.dim_rental_category, COUNT(m.rental_id) FROM {R} m "
            f"JOIN ({TOP_N_INNER_PG}) t0 ON m.dim_rental_category = t0.dim_rental_category "
            "GROUP BY 1")


def tableau_top_n(on):
    return ("SELECT metrics.dim_rental_category AS dim_rental_category, "
            "SUM(metrics.movies_rented) AS sum_movies_rented_ok "
            "FROM mimir.metrics metrics "
            "INNER JOIN (SELECT metrics.dim_rental_category AS dim_rental_category, "
            "SUM(metrics.rentals_revenue) AS x__alias__0 FROM mimir.metrics metrics "
            "GROUP BY 1 ORDER BY 2 DESC LIMIT 3) t0 "
            f"ON {on} GROUP BY 1")


def test_tableau_top_n(conn, pg):
    got = check(conn, pg, tableau_top_n(
        "(metrics.dim_rental_category = t0.dim_rental_category)"), TOP_N_PG)
    assert len(got) == 3


@pytest.mark.parametrize("on", [
    "((metrics.dim_rental_category = t0.dim_rental_category) OR "
    "((metrics.dim_rental_category IS NULL) AND (t0.dim_rental_category IS NULL)))",
    "(metrics.dim_rental_category <=> t0.dim_rental_category)",
])
def test_tableau_top_n_null_safe(conn, pg, on):
    check(conn, pg, tableau_top_n(on), TOP_N_PG)


def test_superset_series_limit(conn, pg):
    sql = ("SELECT dim_store_id AS dim_store_id, AGG(rentals_revenue) AS `AGG(rentals_revenue)` "
           "FROM mimir.metrics JOIN (SELECT dim_store_id AS dim_store_id__, "
           "AGG(movies_rented) AS mme_inner__ FROM mimir.metrics GROUP BY dim_store_id "
           "ORDER BY mme_inner__ DESC LIMIT 1) AS series_limit ON dim_store_id = dim_store_id__ "
           "GROUP BY dim_store_id ORDER BY `AGG(rentals_revenue)` DESC LIMIT 10000")
    inner = (f"SELECT dim_store_id, COUNT(rental_id) AS n FROM {R} r GROUP BY 1 "
             "ORDER BY 2 DESC LIMIT 1")
    pg_sql = (f"SELECT m.dim_store_id, SUM(m.amount) FROM {R} m JOIN ({inner}) s "
              "ON m.dim_store_id = s.dim_store_id GROUP BY 1 ORDER BY 2 DESC")
    got = check(conn, pg, sql, pg_sql, ordered=True)
    assert len(got) == 1


def test_in_subquery(conn, pg):
    sql = ("SELECT dim_rental_category, AGG(movies_rented) FROM mimir.metrics "
           "WHERE dim_rental_category <> 'Action' AND dim_rental_category IN (SELECT dim_rental_category "
           "FROM mimir.metrics GROUP BY dim_rental_category ORDER BY AGG(movies_rented) DESC "
           "LIMIT 4) GROUP BY dim_rental_category")
    inner = (f"SELECT dim_rental_category FROM {R} r GROUP BY 1 "
             "ORDER BY COUNT(rental_id) DESC LIMIT 4")
    pg_sql = (f"SELECT dim_rental_category, COUNT(rental_id) FROM {R} m "
              f"WHERE dim_rental_category <> 'Action' AND dim_rental_category IN ({inner}) "
              "GROUP BY 1")
    got = check(conn, pg, sql, pg_sql)
    assert 3 <= len(got) <= 4


def test_two_in_subqueries(conn, pg):
    """Each IN (SELECT ...) is a phase of its own: the second runs once the first has."""
    sql = ("SELECT dim_rental_category, AGG(movies_rented) FROM mimir.metrics "
           "WHERE dim_rental_category IN (SELECT dim_rental_category FROM mimir.metrics "
           "GROUP BY 1 ORDER BY AGG(movies_rented) DESC LIMIT 5) AND dim_store_id IN "
           "(SELECT dim_store_id FROM mimir.metrics GROUP BY 1 "
           "ORDER BY AGG(payments_revenue) DESC LIMIT 1) GROUP BY 1")
    cats = f"SELECT dim_rental_category FROM {R} a GROUP BY 1 ORDER BY COUNT(rental_id) DESC LIMIT 5"
    store = f"SELECT dim_store_id FROM {P} b GROUP BY 1 ORDER BY SUM(amount) DESC LIMIT 1"
    got = check(conn, pg, sql,
                f"SELECT dim_rental_category, COUNT(rental_id) FROM {R} m WHERE "
                f"dim_rental_category IN ({cats}) AND dim_store_id IN ({store}) GROUP BY 1")
    assert got


def test_two_sources_in_the_outer_query(conn, pg):
    sql = ("SELECT metrics.dim_store_id, AGG(movies_rented), AGG(payments_revenue) "
           "FROM mimir.metrics metrics INNER JOIN (SELECT dim_store_id, AGG(rentals_revenue) "
           "FROM mimir.metrics GROUP BY 1 ORDER BY 2 ASC LIMIT 1) t0 "
           "ON metrics.dim_store_id = t0.dim_store_id GROUP BY 1")
    inner = f"SELECT dim_store_id FROM {R} r GROUP BY 1 ORDER BY SUM(amount) ASC LIMIT 1"
    pg_sql = (f"SELECT dim_store_id, r.n, p.s FROM "
              f"(SELECT dim_store_id, COUNT(rental_id) AS n FROM {R} a "
              f" WHERE dim_store_id IN ({inner}) GROUP BY 1) r FULL OUTER JOIN "
              f"(SELECT dim_store_id, SUM(amount) AS s FROM {P} b "
              f" WHERE dim_store_id IN ({inner}) GROUP BY 1) p USING (dim_store_id)")
    got = check(conn, pg, sql, pg_sql)
    assert len(got) == 1


def test_inner_ordered_by_a_metric_of_another_source(conn, pg):
    sql = ("SELECT dim_store_id, AGG(movies_rented) FROM mimir.metrics "
           "WHERE dim_store_id IN (SELECT dim_store_id FROM mimir.metrics GROUP BY 1 "
           "ORDER BY AGG(payments_revenue) DESC LIMIT 1) GROUP BY 1")
    inner = f"SELECT dim_store_id FROM {P} p GROUP BY 1 ORDER BY SUM(amount) DESC LIMIT 1"
    pg_sql = (f"SELECT dim_store_id, COUNT(rental_id) FROM {R} r "
              f"WHERE dim_store_id IN ({inner}) GROUP BY 1")
    check(conn, pg, sql, pg_sql)


def test_empty_inner_result(conn, pg):
    inner = ("SELECT dim_rental_category, SUM(movies_rented) AS x FROM mimir.metrics "
             "WHERE dim_rental_category = 'No such category' GROUP BY 1")
    names, got = run(conn, "SELECT metrics.dim_rental_category, SUM(metrics.movies_rented) "
                           f"FROM mimir.metrics metrics JOIN ({inner}) t0 "
                           "ON metrics.dim_rental_category = t0.dim_rental_category GROUP BY 1")
    assert got == [] and len(names) == 2
    # Without GROUP BY: one row, as the join of no rows gives in MySQL and PostgreSQL.
    check(conn, pg,
          "SELECT SUM(metrics.movies_rented), SUM(metrics.rentals_revenue) FROM mimir.metrics "
          f"metrics JOIN ({inner}) t0 ON metrics.dim_rental_category = t0.dim_rental_category",
          f"SELECT COUNT(rental_id), SUM(amount) FROM {R} m WHERE false")


# rentals.amount is NULL for a rental without payment (LEFT JOIN payment).
NULL_KEY_INNER_PG = f"SELECT amount, COUNT(rental_id) AS n FROM {R} r GROUP BY 1"


def null_key_join(on):
    return ("SELECT metrics.amount, SUM(metrics.movies_rented) FROM mimir.metrics metrics "
            "INNER JOIN (SELECT amount, SUM(movies_rented) AS n FROM mimir.metrics GROUP BY 1) t0 "
            f"ON {on} GROUP BY 1")


def test_null_keys(conn, pg):
    assert any(r[0] is None for r in pg_rows(pg, NULL_KEY_INNER_PG)), "the data has NULL keys"
    # A plain = drops the NULL key, as SQL does.
    got = check(conn, pg, null_key_join("metrics.amount = t0.amount"),
                f"SELECT m.amount, COUNT(m.rental_id) FROM {R} m JOIN ({NULL_KEY_INNER_PG}) t0 "
                "ON m.amount = t0.amount GROUP BY 1")
    assert all(r[0] is not None for r in got)
    # A null-safe join keeps it.
    for on in ["(metrics.amount = t0.amount) OR (metrics.amount IS NULL AND t0.amount IS NULL)",
               "metrics.amount <=> t0.amount"]:
        got = check(conn, pg, null_key_join(on),
                    f"SELECT m.amount, COUNT(m.rental_id) FROM {R} m "
                    f"JOIN ({NULL_KEY_INNER_PG}) t0 ON m.amount IS NOT DISTINCT FROM t0.amount "
                    "GROUP BY 1")
        assert any(r[0] is None for r in got)
    # IN drops NULL too.
    check(conn, pg,
          "SELECT amount, AGG(movies_rented) FROM mimir.metrics WHERE amount IN "
          "(SELECT amount FROM mimir.metrics GROUP BY amount) GROUP BY amount",
          f"SELECT amount, COUNT(rental_id) FROM {R} m WHERE amount IS NOT NULL GROUP BY 1")


def test_inner_result_over_the_cap(conn, pg):
    """Over the default cap (10000 values) when the data has that many keys."""
    n = pg_rows(pg, f"SELECT COUNT(DISTINCT ts) FROM {P} p")[0][0]
    assert n > 10000, "the generated data has that many payment times"
    refused(conn, "SELECT AGG(movies_rented) FROM mimir.metrics WHERE ts IN "
                  "(SELECT ts FROM mimir.metrics GROUP BY ts ORDER BY AGG(payments_count))",
            words=["semi-join filter on ts", "more than 10000 values"])


def test_not_in_inner_result_over_the_cap(conn, pg):
    """NOT IN (SELECT ...), an anti semi-join filter, has the same cap."""
    n = pg_rows(pg, f"SELECT COUNT(DISTINCT ts) FROM {P} p")[0][0]
    assert n > 10000, "the generated data has that many payment times"
    refused(conn, "SELECT AGG(movies_rented) FROM mimir.metrics WHERE ts NOT IN "
                  "(SELECT ts FROM mimir.metrics GROUP BY ts ORDER BY AGG(payments_count))",
            words=["semi-join filter on ts", "more than 10000 values"])


def test_inner_result_over_a_configured_cap(mimir_factory, pagila_secrets, workdir, pg):
    """limits.max_semijoin_values: an inner result over it is an error that says so,
    never a filter on part of the keys; the session goes on."""
    path = workdir / "server.yaml"
    path.write_text("limits:\n  max_semijoin_values: 3\n")
    server = mimir_factory(configs=PAGILA_CONFIGS, secrets=pagila_secrets, name="mimir-semijoin",
                           extra_args=["--server-config", str(path)]).start()
    c = server.connect()
    try:
        message = refused(c, "SELECT AGG(movies_rented) FROM mimir.metrics WHERE "
                             "dim_rental_category IN (SELECT dim_rental_category FROM "
                             "mimir.metrics GROUP BY 1 ORDER BY AGG(movies_rented) DESC LIMIT 4)",
                          words=["semi-join filter on dim_rental_category",
                                 "more than 3 values"])
        assert "LIMIT" in message
        # At the cap: answered.
        check(c, pg, tableau_top_n("(metrics.dim_rental_category = t0.dim_rental_category)"),
              TOP_N_PG)
        _, rows = run(c, "EXPLAIN " + tableau_top_n(
            "(metrics.dim_rental_category = t0.dim_rental_category)"))
        assert any("at most 3" in (r[4] or "") for r in rows)
    finally:
        c.close()


@pytest.mark.parametrize("sql,words", [
    # A LEFT JOIN keeps every row: not a filter.
    ("SELECT metrics.dim_store_id, SUM(metrics.movies_rented) FROM mimir.metrics metrics "
     "LEFT JOIN (SELECT dim_store_id, SUM(movies_rented) AS x FROM mimir.metrics GROUP BY 1) t0 "
     "ON metrics.dim_store_id = t0.dim_store_id GROUP BY 1", ["INNER JOIN"]),
    # Grouped by more than the key: a key comes several times, the join would multiply.
    ("SELECT metrics.dim_store_id, SUM(metrics.movies_rented) FROM mimir.metrics metrics "
     "JOIN (SELECT dim_store_id, dim_rental_category, SUM(movies_rented) AS x "
     "FROM mimir.metrics GROUP BY 1, 2) t0 ON metrics.dim_store_id = t0.dim_store_id "
     "GROUP BY 1", ["grouped by the join key"]),
    # The subquery's metric selected in the outer query.
    ("SELECT metrics.dim_store_id, t0.x FROM mimir.metrics metrics "
     "JOIN (SELECT dim_store_id, SUM(movies_rented) AS x FROM mimir.metrics GROUP BY 1) t0 "
     "ON metrics.dim_store_id = t0.dim_store_id GROUP BY 1", ["'x'"]),
    # Not an equality.
    ("SELECT metrics.dim_store_id, SUM(metrics.movies_rented) FROM mimir.metrics metrics "
     "JOIN (SELECT dim_store_id, SUM(movies_rented) AS x FROM mimir.metrics GROUP BY 1) t0 "
     "ON metrics.dim_store_id > t0.dim_store_id GROUP BY 1", ["equality"]),
    # A column of the subquery named without its alias.
    ("SELECT metrics.dim_store_id, x FROM mimir.metrics metrics "
     "JOIN (SELECT dim_store_id, SUM(movies_rented) AS x FROM mimir.metrics GROUP BY 1) t0 "
     "ON metrics.dim_store_id = t0.dim_store_id GROUP BY 1", ["'x'"]),
    # Inside a derived table.
    ("SELECT * FROM (SELECT metrics.dim_store_id AS d, SUM(metrics.movies_rented) AS n "
     "FROM mimir.metrics metrics JOIN (SELECT dim_store_id, SUM(movies_rented) AS x "
     "FROM mimir.metrics GROUP BY 1) t0 ON metrics.dim_store_id = t0.dim_store_id "
     "GROUP BY 1) q", ["derived table"]),
    # Two tables.
    ("SELECT dim_store_id, AGG(movies_rented) FROM mimir.metrics JOIN mimir.rentals "
     "GROUP BY 1", ["joins"]),
])
def test_refused_join(conn, sql, words):
    refused(conn, sql, words=words)


def test_explain_shows_both_phases(conn):
    _, rows = run(conn, "EXPLAIN " + tableau_top_n(
        "(metrics.dim_rental_category = t0.dim_rental_category)"))
    steps = [r[0] for r in rows]
    assert steps == list(range(1, len(rows) + 1))
    notes = [r for r in rows if r[2] == "semi-join filter"]
    assert len(notes) == 1
    note = notes[0]
    assert "dim_rental_category IN (...)" in note[4] and "parameter" in note[4]
    before = rows[:steps.index(note[0])]
    after = rows[steps.index(note[0]) + 1:]
    assert before and after
    assert all(r[1] == "rentals" for r in before if r[1])
    assert 'ORDER BY' in " ".join(r[4] for r in before)
    # The outer query filters on the key with parameters, never text.
    assert any('"dim_rental_category" IN (' in r[4] for r in after)


def test_prepared_statement(mimir, pg, run_stmt):  # noqa: F811
    sql = ("SELECT metrics.dim_rental_category, SUM(metrics.movies_rented) "
           "FROM mimir.metrics metrics INNER JOIN (SELECT dim_rental_category, "
           "SUM(rentals_revenue) AS x FROM mimir.metrics WHERE dim_rental_category <> ? "
           "GROUP BY 1 ORDER BY 2 DESC LIMIT 2) t0 "
           "ON metrics.dim_rental_category = t0.dim_rental_category "
           "GROUP BY 1 ORDER BY 1")
    inner = (f"SELECT dim_rental_category, SUM(amount) AS x FROM {R} r "
             "WHERE dim_rental_category <> 'Action' "
             "GROUP BY 1 ORDER BY 2 DESC NULLS LAST LIMIT 2")
    want = pg_rows(pg, f"SELECT m.dim_rental_category, COUNT(m.rental_id) FROM {R} m "
                       f"JOIN ({inner}) t0 ON m.dim_rental_category = t0.dim_rental_category "
                       "GROUP BY 1 ORDER BY 1")
    got = run_stmt(mimir, sql, "s:Action")
    # The prepare announces the outer query's columns, as the execute describes them.
    assert got.prepare == {"params": 1, "fields": 2}
    assert got.prepared_columns == got.columns[0]
    assert got.rows == [as_json_values(want)]


# Time limits, KILL and disconnects reach whichever phase runs (a source behind
# pg_sleep(30), from test_runtime.py).
SLOW_INNER = ("SELECT AGG(movies_rented) FROM mimir.metrics WHERE staff_id IN "
              "(SELECT staff_id FROM mimir.metrics GROUP BY 1 ORDER BY AGG(slow_count) DESC "
              "LIMIT 1)")
SLOW_OUTER = ("SELECT AGG(slow_count) FROM mimir.metrics WHERE staff_id IN "
              "(SELECT staff_id FROM mimir.metrics GROUP BY 1 ORDER BY AGG(movies_rented) DESC "
              "LIMIT 1)")


@pytest.mark.parametrize("sql", [SLOW_INNER, SLOW_OUTER], ids=["inner", "outer"])
def test_time_limit_covers_both_phases(runtime_server, pg, sql):
    server = runtime_server(query_timeout=1500)
    conn = server.connect()
    try:
        started = time.monotonic()
        message = refused(conn, sql, code=3024)
        assert "maximum statement execution time exceeded" in message
        assert time.monotonic() - started < 5
        wait_for(lambda: sleeping_backends(pg) == 0, timeout=3)
    finally:
        conn.close()


def test_kill_and_disconnect_during_the_first_phase(runtime_server, pg):
    server = runtime_server()
    client = RawClient(server.port).login()
    client.send(bytes([COM_QUERY]) + SLOW_INNER.encode())
    wait_for(lambda: sleeping_backends(pg) == 1)
    killer = server.connect()
    try:
        with killer.cursor() as cur:
            cur.execute(f"KILL QUERY {client.connection_id}")
        with pytest.raises(ServerError) as excinfo:
            client.read_result()
        assert excinfo.value.args[0] == 1317 or "1317" in str(excinfo.value)
        wait_for(lambda: sleeping_backends(pg) == 0, timeout=3)
        assert client.select_one("SELECT 1") == ("1",)
        # A client that goes away in the first phase: its query is cancelled.
        client.send(bytes([COM_QUERY]) + SLOW_INNER.encode())
        wait_for(lambda: sleeping_backends(pg) == 1)
        client.sock.close()
        wait_for(lambda: sleeping_backends(pg) == 0, timeout=3)
        assert_answers_select_1(killer)
    finally:
        killer.close()


# ---- Several keys: a row value (Tableau's context filter) ----------------------------

def context_filter(on, inner_group="`dim_store_id`, `ds`", select="`t0`.`ds` AS `ds`"):
    """Tableau's context filter joined on (dimension, date): the subquery is grouped by
    both, so each (store, day) comes once and the join is a filter on the pair."""
    return (f"SELECT {select}, SUM(`metrics`.`movies_rented`) AS `n` FROM `mimir`.`metrics` "
            "INNER JOIN (SELECT `metrics`.`dim_store_id` AS `dim_store_id`, "
            "CAST(`metrics`.`ts` AS DATE) AS `ds` FROM `mimir`.`metrics` "
            "WHERE CAST(`metrics`.`ts` AS DATE) >= {d '2022-03-01'} AND "
            "CAST(`metrics`.`ts` AS DATE) <= {d '2022-03-07'} AND `metrics`.`dim_store_id` = 1 "
            f"GROUP BY {inner_group}) `t0` ON {on} GROUP BY 1")


CONTEXT_ON = ("((`metrics`.`dim_store_id` = `t0`.`dim_store_id`) AND "
              "(CAST(`metrics`.`ts` AS DATE) = `t0`.`ds`))")
CONTEXT_INNER_PG = (f"SELECT dim_store_id, CAST(ts AS DATE) AS ds FROM {R} r "
                    "WHERE CAST(ts AS DATE) BETWEEN '2022-03-01' AND '2022-03-07' "
                    "AND dim_store_id = 1 GROUP BY 1, 2")


def test_two_key_filter(conn, pg):
    got = check(conn, pg, context_filter(CONTEXT_ON),
                f"SELECT t0.ds, COUNT(m.rental_id) FROM {R} m JOIN ({CONTEXT_INNER_PG}) t0 "
                "ON m.dim_store_id = t0.dim_store_id AND CAST(m.ts AS DATE) = t0.ds GROUP BY 1")
    assert len(got) >= 2  # the days of store 1 in that week


def test_two_key_filter_keys_either_way_round(conn, pg):
    """The equalities in any order and either way round; the outer query selects the
    table's own column instead of the subquery's."""
    on = ("(`t0`.`ds` = CAST(`metrics`.`ts` AS DATE)) AND "
          "(`t0`.`dim_store_id` = `metrics`.`dim_store_id`)")
    check(conn, pg, context_filter(on, select="`metrics`.`dim_store_id` AS `s`"),
          f"SELECT m.dim_store_id, COUNT(m.rental_id) FROM {R} m JOIN ({CONTEXT_INNER_PG}) t0 "
          "ON m.dim_store_id = t0.dim_store_id AND CAST(m.ts AS DATE) = t0.ds GROUP BY 1")


def test_two_key_filter_pushes_a_row_value(conn):
    _, rows = run(conn, "EXPLAIN " + context_filter(CONTEXT_ON))
    notes = [r for r in rows if r[2] == "semi-join filter"]
    assert len(notes) == 1 and "columns 1, 2" in notes[0][4], notes
    after = rows[[r[0] for r in rows].index(notes[0][0]) + 1:]
    assert any('("dim_store_id", ' in r[4] and ") IN (" in r[4] for r in after), after


def test_two_key_filter_over_the_cap(mimir_factory, pagila_secrets, workdir, pg):
    """limits.max_semijoin_values counts key rows (pairs here)."""
    path = workdir / "server-pairs.yaml"
    path.write_text("limits:\n  max_semijoin_values: 3\n")
    server = mimir_factory(configs=PAGILA_CONFIGS, secrets=pagila_secrets,
                           name="mimir-semijoin-pairs",
                           extra_args=["--server-config", str(path)]).start()
    c = server.connect()
    try:
        refused(c, context_filter(CONTEXT_ON),
                words=["semi-join filter on (dim_store_id, ", "more than 3 values"])
    finally:
        c.close()
        server.stop()


@pytest.mark.parametrize("on,inner_group,words", [
    # Grouped by one key only: a store comes once per day, the pair is not unique... and
    # the ds key is not a grouped column.
    (CONTEXT_ON, "`dim_store_id`", ["grouped by the join keys"]),
    # Null-safe equalities of several keys.
    ("((`metrics`.`dim_store_id` <=> `t0`.`dim_store_id`) AND "
     "(CAST(`metrics`.`ts` AS DATE) <=> `t0`.`ds`))", "`dim_store_id`, `ds`", ["equality"]),
    # Either key (OR): not a filter on a pair.
    ("((`metrics`.`dim_store_id` = `t0`.`dim_store_id`) OR "
     "(CAST(`metrics`.`ts` AS DATE) = `t0`.`ds`))", "`dim_store_id`, `ds`", ["equality"]),
    # A key compared with the subquery's other key.
    ("((`t0`.`dim_store_id` = `t0`.`ds`) AND (CAST(`metrics`.`ts` AS DATE) = `t0`.`ds`))",
     "`dim_store_id`, `ds`", ["equality"]),
])
def test_two_key_refusals(conn, on, inner_group, words):
    refused(conn, context_filter(on, inner_group=inner_group), words=words)
