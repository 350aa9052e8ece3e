"""Users and grants: what a restricted user can see and query.

The server configuration gives three users over configs/pagila:

  admin   no grants: everything (today's behaviour)
  store1  sources [rentals], metrics [movies_rented, rentals_revenue], and the
          row filter `inventory.store_id = 1` on rentals
  payer   sources [payments]: dim_store_id follows, since payments lists it
  split   every source, with a different row filter on each

A restricted user must not be able to see, query or infer a hidden metric,
source or dimension through any path (catalog, SHOW, DESCRIBE, EXPLAIN,
COM_FIELD_LIST, derived tables, HAVING, ORDER BY, prepared statements,
errors): a hidden name gets exactly the error of a name that never existed.
Rows outside a row filter must not come back through any query shape. Every
expected number is computed on PostgreSQL in the same run.
"""

import signal
import struct
import subprocess
import threading
import time

import pymysql
import pytest
from pymysql.constants import COMMAND
from pymysql.protocol import FieldDescriptorPacket

from conftest import MIMIR_BIN, PAGILA_CONFIGS, _make_dir
from mysql_wire import COM_CHANGE_USER, MYSQL_TYPE_LONGLONG, RawClient, ServerError
from support import (
    METRICS,
    SOURCES,
    assert_answers_select_1,
    assert_same_values,
    mysql_error,
    native_hash,
    source_query,
    unordered,
)

STORE1_FILTER = "dim_store_id = 1"  # the row filter, as a condition on RENTALS_SQL's output
HIDDEN_METRICS = ["payments_count", "payments_revenue", "paying_customers",
                  "action_movies_rented"]
HIDDEN_DIMENSION = "payment_id"  # a local column of payments only


def users_yaml(store1_filter="inventory.store_id = 1", store1_metrics=None, drop=()):
    """The users; every password is empty (so the raw wire client can log in too)."""
    h = native_hash()
    metrics = store1_metrics or ["movies_rented", "rentals_revenue"]
    users = {
        "admin": "",
        "store1": ("    grants:\n"
                   "      sources: [rentals]\n"
                   f"      metrics: [{', '.join(metrics)}]\n"
                   "      row_filters:\n"
                   f"        rentals: \"{store1_filter}\"\n"),
        "payer": "    grants:\n      sources: [payments]\n",
        "split": ("    grants:\n      row_filters:\n"
                  "        rentals: \"inventory.store_id = 1\"\n"
                  "        payments: \"inventory.store_id = 2\"\n"),
    }
    text = "users:\n"
    for name, grants in users.items():
        if name not in drop:
            text += f"  - name: {name}\n    mysql_native_password: \"{h}\"\n{grants}"
    return text


@pytest.fixture(scope="module")
def server(request, session_dir, pagila_secrets):
    from conftest import TYPES_DISCOVERED, MimirServer
    workdir = _make_dir(session_dir, "access-")
    (workdir / "server.yaml").write_text(users_yaml())
    srv = MimirServer(session_dir, configs=PAGILA_CONFIGS, secrets=pagila_secrets,
                      name="mimir-access",
                      extra_args=["--server-config", str(workdir / "server.yaml")])

    def finish():
        srv.stop()
        problem = srv.exit_problem()
        if problem:
            pytest.fail(problem, pytrace=False)

    request.addfinalizer(finish)
    srv.start()
    srv.wait_for_log(TYPES_DISCOVERED)
    return srv


def connect(server, user, **kwargs):
    return server.connect(user=user, password="", **kwargs)


def rows(conn, sql):
    with conn.cursor() as cur:
        cur.execute(sql)
        return [tuple(r) for r in cur.fetchall()]


def names(conn, sql, column=0):
    return [r[column] for r in rows(conn, sql)]


def error_of(conn, sql):
    with pytest.raises(pymysql.err.MySQLError) as excinfo:
        rows(conn, sql)
    return mysql_error(excinfo)


def field_list(conn, table, wildcard=b""):
    """COM_FIELD_LIST through PyMySQL's packet layer (as test_catalog.py does)."""
    conn._execute_command(COMMAND.COM_FIELD_LIST, table.encode() + b"\0" + wildcard)
    fields = []
    while True:
        packet = conn._read_packet()
        if packet.is_eof_packet():
            return fields
        fields.append(FieldDescriptorPacket(packet.get_all_data(), "utf8").name)


# --------------------------------------------------------------------------
# the catalog shows only what is granted
# --------------------------------------------------------------------------


def test_unrestricted_user_sees_everything(server):
    admin = connect(server, "admin")
    try:
        assert set(names(admin, "SHOW TABLES FROM mimir")) == {"metrics", *SOURCES}
        cols = set(names(admin, "SHOW COLUMNS FROM mimir.metrics"))
        assert set(HIDDEN_METRICS) | {HIDDEN_DIMENSION} <= cols
    finally:
        admin.close()


def test_catalog_paths_show_only_granted_names(server):
    admin, store1 = connect(server, "admin"), connect(server, "store1", database="mimir")
    try:
        # What store1 may see of mimir.metrics is what admin sees of mimir.rentals, less the
        # metric its 'metrics' list leaves out.
        left_out = {m for m, (src, _) in METRICS.items()
                    if src == "rentals" and m not in ("movies_rented", "rentals_revenue")}
        want = [c for c in names(admin, "SHOW COLUMNS FROM mimir.rentals") if c not in left_out]
        assert {"movies_rented", "rentals_revenue", "dim_store_id"} <= set(want)
        assert set(names(store1, "SHOW TABLES")) == {"metrics", "rentals"}
        assert set(names(store1, "SELECT TABLE_NAME FROM information_schema.TABLES "
                                 "WHERE TABLE_SCHEMA = 'mimir'")) == {"metrics", "rentals"}
        metrics_cols = names(store1, "SHOW COLUMNS FROM mimir.metrics")
        assert sorted(metrics_cols) == sorted(want)  # the metrics table orders them otherwise
        assert names(store1, "DESCRIBE mimir.metrics") == metrics_cols
        assert names(store1, "SHOW FULL COLUMNS FROM metrics") == metrics_cols
        assert names(store1, "DESCRIBE mimir.rentals") == want
        assert names(store1, "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE "
                             "TABLE_SCHEMA = 'mimir' AND TABLE_NAME = 'metrics' "
                             "ORDER BY ORDINAL_POSITION") == metrics_cols
        every = set(names(store1, "SELECT COLUMN_NAME FROM information_schema.COLUMNS "
                                  "WHERE TABLE_SCHEMA = 'mimir'"))
        assert every == set(want)
        assert field_list(store1, "metrics") == metrics_cols
        for table, cols in (("metrics", metrics_cols), ("rentals", want)):
            with store1.cursor() as cur:  # what BI tools send to learn a table's columns
                cur.execute(f"SELECT * FROM mimir.{table} LIMIT 0")
                assert [d[0] for d in cur.description] == cols
                assert cur.fetchall() == ()
        assert field_list(store1, "rentals") == want
        assert rows(store1, "SHOW TABLES LIKE 'pay%'") == []
        assert set(names(store1, "SHOW FULL TABLES FROM mimir")) == {"metrics", "rentals"}
        assert set(names(store1, "SHOW TABLE STATUS FROM mimir")) == {"metrics", "rentals"}
        assert rows(store1, "SHOW COLUMNS FROM mimir.metrics LIKE 'pay%'") == []
        assert rows(store1, "SELECT COUNT(*) FROM information_schema.COLUMNS "
                            "WHERE COLUMN_NAME LIKE 'pay%' OR TABLE_NAME = 'payments'") == [(0,)]
        create = rows(store1, "SHOW CREATE TABLE mimir.metrics")[0][1]
        for hidden in HIDDEN_METRICS + [HIDDEN_DIMENSION, "payments"]:
            assert hidden not in create
        assert "movies_rented" in create
        assert_answers_select_1(store1)
    finally:
        admin.close()
        store1.close()


def test_dimensions_follow_the_visible_sources(server, pg):
    payer = connect(server, "payer")
    try:
        assert set(names(payer, "SHOW TABLES FROM mimir")) == {"metrics", "payments"}
        cols = names(payer, "SHOW COLUMNS FROM mimir.metrics")
        # dim_store_id is defined on rentals but listed by payments: it follows payments.
        assert "dim_store_id" in cols and "payment_id" in cols
        assert not {"movies_rented", "rentals_revenue", "rental_id", "dim_rental_category"} & \
            set(cols)
        got = rows(payer, "SELECT dim_store_id, AGG(payments_count) FROM mimir.metrics "
                          "GROUP BY dim_store_id")
        want = [tuple(r) for r in pg.query(source_query("payments", ["dim_store_id"],
                                                        ["payments_count"]))]
        assert_same_values(unordered(got), unordered(want))
    finally:
        payer.close()


# --------------------------------------------------------------------------
# a hidden name is an unknown name, on every path
# --------------------------------------------------------------------------

# Statement templates; {m} a metric, {d} a dimension, {t} a table of mimir.
PATHS = [
    ("SELECT AGG({m}) FROM mimir.metrics", "m"),
    ("SELECT dim_store_id, AGG({m}) FROM mimir.metrics GROUP BY dim_store_id", "m"),
    ("SELECT * FROM (SELECT AGG({m}) AS x FROM mimir.metrics) AS d", "m"),
    ("SELECT dim_store_id, AGG(movies_rented) FROM mimir.metrics GROUP BY dim_store_id "
     "HAVING AGG({m}) > 0", "m"),
    ("SELECT dim_store_id, AGG(movies_rented) FROM mimir.metrics GROUP BY dim_store_id "
     "ORDER BY AGG({m})", "m"),
    ("SELECT AGG(movies_rented) FROM mimir.metrics WHERE {m} > 0", "m"),
    ("SELECT {m} FROM mimir.metrics", "m"),
    ("EXPLAIN SELECT AGG({m}) FROM mimir.metrics", "m"),
    ("SELECT AGG({m}) FROM mimir.rentals", "m"),
    ("SELECT {d}, AGG(movies_rented) FROM mimir.metrics GROUP BY {d}", "d"),
    ("SELECT DISTINCT {d} FROM mimir.metrics", "d"),
    ("SELECT AGG(movies_rented) FROM mimir.metrics WHERE {d} = 1", "d"),
    ("SELECT * FROM (SELECT {d} FROM mimir.metrics GROUP BY {d}) AS d", "d"),
    ("EXPLAIN SELECT DISTINCT {d} FROM mimir.metrics", "d"),
    ("SELECT AGG(movies_rented) FROM mimir.{t}", "t"),
    ("SELECT * FROM mimir.{t}", "t"),
    ("SELECT * FROM (SELECT AGG(movies_rented) AS n FROM mimir.{t}) AS d", "t"),
    ("DESCRIBE mimir.{t}", "t"),
    ("SHOW COLUMNS FROM mimir.{t}", "t"),
    ("SHOW CREATE TABLE mimir.{t}", "t"),
    ("EXPLAIN SELECT AGG(movies_rented) FROM mimir.{t}", "t"),
]
HIDDEN = {"m": ["payments_revenue", "action_movies_rented",
                # derived: not granted to store1 / over a base store1 cannot see
                "revenue_per_rental", "payments_per_rental"],
          "d": [HIDDEN_DIMENSION],
          "t": ["payments"]}
UNKNOWN = {"m": "no_such_metric", "d": "no_such_column", "t": "no_such_table"}


@pytest.mark.parametrize("template,kind", PATHS)
def test_hidden_name_errors_like_an_unknown_name(server, template, kind):
    store1 = connect(server, "store1")
    try:
        unknown = UNKNOWN[kind]
        code, message = error_of(store1, template.format(**{kind: unknown}))
        assert unknown in message
        for hidden in HIDDEN[kind]:
            got = error_of(store1, template.format(**{kind: hidden}))
            assert got == (code, message.replace(unknown, hidden))
            assert_answers_select_1(store1)
    finally:
        store1.close()


def test_hidden_names_in_prepared_statements_and_field_list(server):
    store1 = connect(server, "store1", database="mimir")
    raw = RawClient(server.port, user="store1", database="mimir").login()
    try:
        for template, kind in [("SELECT AGG({m}) FROM mimir.metrics", "m"),
                               ("SELECT {d} FROM mimir.metrics GROUP BY {d}", "d"),
                               ("SELECT AGG(movies_rented) FROM mimir.{t}", "t")]:
            unknown = UNKNOWN[kind]
            with pytest.raises(ServerError) as excinfo:
                raw.prepare(template.format(**{kind: unknown}))
            want = excinfo.value
            for hidden in HIDDEN[kind]:
                with pytest.raises(ServerError) as excinfo:
                    raw.prepare(template.format(**{kind: hidden}))
                assert (excinfo.value.code, excinfo.value.message) == \
                    (want.code, want.message.replace(unknown, hidden))
            assert raw.select_one("SELECT 1") == ("1",)
        # With a placeholder too, the prepare resolves the names (as MySQL does):
        # a hidden metric gets the error of one that does not exist.
        one = RawClient.params_block([(MYSQL_TYPE_LONGLONG, struct.pack("<q", 1))])
        errors = []
        for name in ("no_such_metric", "payments_revenue"):
            with pytest.raises(ServerError) as excinfo:
                raw.prepare(f"SELECT AGG({name}) FROM mimir.metrics WHERE dim_store_id = ?")
            errors.append((excinfo.value.code, excinfo.value.message))
        assert errors[0][0] == 1054
        assert errors[1] == (errors[0][0], errors[0][1].replace("no_such_metric",
                                                                "payments_revenue"))
        stmt, _, _ = raw.prepare("SELECT AGG(movies_rented) FROM mimir.metrics "
                                 "WHERE dim_store_id = ? OR 1 = 1")
        result = raw.execute(stmt, one)
        assert result.column_types == [MYSQL_TYPE_LONGLONG] and len(result.rows) == 1
        # A binary row: header, NULL bitmap (1 byte for one column), the 8-byte integer.
        (got,) = struct.unpack_from("<q", result.rows[0], 2)
        assert (str(got),) == raw.select_one("SELECT AGG(movies_rented) FROM mimir.metrics")
        # COM_FIELD_LIST of a hidden table: the error of a table that does not exist.
        with pytest.raises(pymysql.err.MySQLError) as excinfo:
            field_list(store1, "no_such_table")
        code, message = mysql_error(excinfo)
        with pytest.raises(pymysql.err.MySQLError) as excinfo:
            field_list(store1, "payments")
        assert mysql_error(excinfo) == (code, message.replace("no_such_table", "payments"))
        assert field_list(store1, "metrics", b"pay%") == []
        assert_answers_select_1(store1)
    finally:
        raw.close()
        store1.close()


# --------------------------------------------------------------------------
# row filters
# --------------------------------------------------------------------------


def pg_rows(pg, dims, metrics, where=None):
    cond = STORE1_FILTER if not where else f"{STORE1_FILTER} AND ({where})"
    return [tuple(r) for r in pg.query(source_query("rentals", dims, metrics, cond))]


def test_row_filter_numbers_match_postgres(server, pg):
    store1, admin = connect(server, "store1"), connect(server, "admin")
    try:
        dims = ["dim_store_id", "dim_rental_category"]
        sql = ("SELECT dim_store_id, dim_rental_category, AGG(movies_rented), "
               "AGG(rentals_revenue) FROM mimir.metrics GROUP BY 1, 2")
        got = rows(store1, sql)
        want = pg_rows(pg, dims, ["movies_rented", "rentals_revenue"])
        assert_same_values(unordered(got), unordered(want))
        assert {r[0] for r in got} == {1}
        # The unrestricted user on the same server sees both stores.
        everything = [tuple(r) for r in pg.query(source_query(
            "rentals", dims, ["movies_rented", "rentals_revenue"]))]
        assert {r[0] for r in everything} == {1, 2}
        assert_same_values(unordered(rows(admin, sql)), unordered(everything))
        # Totals, and with a time range pushed into the same WHERE.
        (total,), = rows(store1, "SELECT AGG(movies_rented) FROM mimir.metrics")
        assert [(total,)] == pg_rows(pg, [], ["movies_rented"])
        # (Store 1 has rentals in this range in the generated data and in Pagila.)
        got = rows(store1, "SELECT ds, AGG(rentals_revenue) FROM mimir.metrics "
                           "WHERE ts >= '2022-07-01' AND ts < '2022-07-15' GROUP BY ds")
        want = [tuple(r) for r in pg.query(
            "SELECT DATE(ts) AS ds, SUM(amount) FROM (" + SOURCES["rentals"] + ") r "
            "WHERE dim_store_id = 1 AND ts >= '2022-07-01' AND ts < '2022-07-15' GROUP BY 1")]
        assert want
        assert_same_values(unordered(got), unordered(want))
    finally:
        store1.close()
        admin.close()


ESCAPES = [
    # (statement, the equivalent on PostgreSQL with the filter: dims, metrics, where)
    ("SELECT dim_store_id, AGG(movies_rented) FROM mimir.metrics "
     "WHERE dim_store_id = 2 OR 1 = 1 GROUP BY dim_store_id",
     (["dim_store_id"], ["movies_rented"], "dim_store_id = 2 OR 1 = 1")),
    ("SELECT dim_store_id, AGG(movies_rented) FROM mimir.metrics "
     "WHERE dim_store_id = 2 OR dim_store_id <> 2 OR dim_store_id IS NULL GROUP BY dim_store_id",
     (["dim_store_id"], ["movies_rented"],
      "dim_store_id = 2 OR dim_store_id <> 2 OR dim_store_id IS NULL")),
    ("SELECT dim_store_id, AGG(movies_rented) FROM mimir.rentals GROUP BY dim_store_id",
     (["dim_store_id"], ["movies_rented"], None)),
    ("SELECT * FROM (SELECT dim_store_id, AGG(movies_rented) AS n FROM mimir.metrics "
     "GROUP BY dim_store_id) AS d WHERE dim_store_id = 2 OR n > 0",
     (["dim_store_id"], ["movies_rented"], None)),
    ("SELECT dim_store_id, AGG(rentals_revenue) FROM mimir.metrics GROUP BY dim_store_id "
     "HAVING AGG(rentals_revenue) > 0 OR dim_store_id = 2",
     (["dim_store_id"], ["rentals_revenue"], None)),
]


@pytest.mark.parametrize("sql,equivalent", ESCAPES)
def test_row_filter_cannot_be_escaped(server, pg, sql, equivalent):
    store1 = connect(server, "store1")
    try:
        dims, metrics, where = equivalent
        got = rows(store1, sql)
        assert got and {r[0] for r in got} == {1}
        assert_same_values(unordered(got), unordered(pg_rows(pg, dims, metrics, where)))
    finally:
        store1.close()


def test_dimension_only_queries_are_filtered(server, pg):
    store1 = connect(server, "store1")
    try:
        assert rows(store1, "SELECT DISTINCT dim_store_id FROM mimir.metrics") == [(1,)]
        assert rows(store1, "SELECT DISTINCT dim_store_id FROM mimir.rentals "
                            "WHERE dim_store_id = 2") == []
        got = rows(store1, "SELECT DISTINCT customer_id FROM mimir.metrics")
        want = pg.query("SELECT DISTINCT customer_id FROM (" + SOURCES["rentals"] + ") r WHERE dim_store_id = 1")
        assert sorted(got) == sorted(tuple(r) for r in want)
    finally:
        store1.close()


def test_derived_metrics_follow_their_base_metrics(server, pg):
    """A derived metric is visible only with every base metric; when visible,
    it is computed from the user's filtered rows."""
    split, payer = connect(server, "split"), connect(server, "payer")
    try:
        got = rows(split, "SELECT dim_rental_category, AGG(revenue_per_rental) "
                          "FROM mimir.metrics GROUP BY 1")
        want = pg_rows(pg, ["dim_rental_category"], ["rentals_revenue", "movies_rented"])
        expected = {cat: (float(rev) / n if n else None) for cat, rev, n in want}
        assert len(got) == len(expected) > 1
        for cat, value in got:
            assert value == pytest.approx(expected[cat], rel=1e-12), cat
        # payer sees payments only: payments_per_rental needs movies_rented (rentals).
        assert not {"payments_per_rental", "revenue_per_rental"} & set(
            names(payer, "SHOW COLUMNS FROM mimir.metrics"))
        unknown = error_of(payer, "SELECT AGG(no_such_metric) FROM mimir.metrics")
        hidden = error_of(payer, "SELECT AGG(payments_per_rental) FROM mimir.metrics")
        assert hidden == (unknown[0], unknown[1].replace("no_such_metric", "payments_per_rental"))
        assert_answers_select_1(payer)
    finally:
        split.close()
        payer.close()


def test_explain_shows_the_filter_inside_the_source_sql(server):
    """EXPLAIN shows the SQL that runs, filter included: the user learns the
    condition that constrains them (documented in docs/operations.md), not
    anything hidden."""
    store1 = connect(server, "store1")
    try:
        with store1.cursor() as cur:
            cur.execute("EXPLAIN SELECT dim_store_id, AGG(movies_rented) FROM mimir.metrics "
                        "WHERE dim_store_id = 2 OR 1 = 1 GROUP BY dim_store_id")
            cols = [d[0] for d in cur.description]
            plan = [dict(zip(cols, r)) for r in cur.fetchall()]
        assert [p["source"] for p in plan] == ["rentals"]
        assert "WHERE (inventory.store_id = 1)" in plan[0]["sql"]
        assert "payments" not in plan[0]["sql"]
    finally:
        store1.close()


def test_each_source_of_a_multi_source_query_keeps_its_own_filter(server, pg):
    split = connect(server, "split")
    try:
        got = rows(split, "SELECT dim_store_id, AGG(movies_rented), AGG(payments_count) "
                          "FROM mimir.metrics GROUP BY dim_store_id")
        rentals = source_query("rentals", ["dim_store_id"], ["movies_rented"], "dim_store_id = 1")
        payments = source_query("payments", ["dim_store_id"], ["payments_count"],
                                "dim_store_id = 2")
        want = [tuple(r) for r in pg.query(
            f"SELECT dim_store_id, movies_rented, payments_count FROM ({rentals}) AS r "
            f"FULL OUTER JOIN ({payments}) AS p USING (dim_store_id)")]
        assert_same_values(unordered(got), unordered(want))
        assert len(got) == 2  # store 1 from rentals only, store 2 from payments only
        # Dimension-only: each source contributes its own filtered values.
        assert sorted(rows(split, "SELECT DISTINCT dim_store_id FROM mimir.metrics")) == \
            [(1,), (2,)]
        assert rows(split, "SELECT DISTINCT dim_store_id FROM mimir.payments") == [(2,)]
    finally:
        split.close()


# --------------------------------------------------------------------------
# sessions: other users' sessions, concurrency, COM_CHANGE_USER
# --------------------------------------------------------------------------


def test_restricted_user_sees_and_kills_only_its_own_sessions(server):
    admin, store1 = connect(server, "admin"), connect(server, "store1")
    try:
        (admin_id,), = rows(admin, "SELECT CONNECTION_ID()")
        (own_id,), = rows(store1, "SELECT CONNECTION_ID()")
        assert [r[0] for r in rows(store1, "SHOW PROCESSLIST")] == [own_id]
        assert [r[0] for r in rows(store1, "SELECT ID FROM information_schema.PROCESSLIST")] \
            == [own_id]
        assert {admin_id, own_id} <= {r[0] for r in rows(admin, "SHOW PROCESSLIST")}
        assert error_of(store1, f"KILL QUERY {admin_id}") == (
            1095, f"You are not owner of thread {admin_id}")
        assert_answers_select_1(store1)
        assert_answers_select_1(admin)
    finally:
        admin.close()
        store1.close()


def test_two_users_concurrently_get_their_own_results(server, pg):
    sql = ("SELECT dim_store_id, AGG(movies_rented) FROM mimir.metrics "
           "GROUP BY dim_store_id")
    want = {"store1": unordered(pg_rows(pg, ["dim_store_id"], ["movies_rented"])),
            "admin": unordered(pg.query(source_query("rentals", ["dim_store_id"],
                                                     ["movies_rented"])))}
    failures = []

    def run(user):
        conn = connect(server, user)
        try:
            for _ in range(15):
                got = unordered(rows(conn, sql))
                if got != want[user]:
                    failures.append((user, got))
        finally:
            conn.close()

    threads = [threading.Thread(target=run, args=(u,)) for u in ("store1", "admin") * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not failures


def change_user(raw, user):
    body = user.encode() + b"\0\0mimir\0" + struct.pack("<H", 45) + b"mysql_native_password\0"
    raw.command(COM_CHANGE_USER, body)


def test_change_user_switches_the_view(server):
    raw = RawClient(server.port, user="admin", database="mimir").login()
    try:
        tables = lambda: {r[0] for r in raw.text_rows(raw.query("SHOW TABLES"))}  # noqa: E731
        assert tables() == {"metrics", *SOURCES}
        change_user(raw, "store1")
        assert tables() == {"metrics", "rentals"}
        assert {r[0] for r in raw.text_rows(raw.query(
            "SELECT DISTINCT dim_store_id FROM mimir.metrics"))} == {"1"}
        change_user(raw, "payer")
        assert tables() == {"metrics", "payments"}
        change_user(raw, "admin")
        assert tables() == {"metrics", *SOURCES}
    finally:
        raw.close()


# --------------------------------------------------------------------------
# reload, and grants that do not match the semantic layer
# --------------------------------------------------------------------------


def wait_for(predicate, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def test_sighup_applies_new_grants(mimir_factory, pagila_secrets, workdir, pg):
    path = workdir / "server.yaml"
    path.write_text(users_yaml())
    server = mimir_factory(configs=PAGILA_CONFIGS, secrets=pagila_secrets, name="mimir-regrant",
                           extra_args=["--server-config", str(path)])
    server.start()
    store1, payer = connect(server, "store1"), connect(server, "payer")
    sql = "SELECT DISTINCT dim_store_id FROM mimir.metrics"
    try:
        assert rows(store1, sql) == [(1,)]
        # Another filter, one more metric, a grant naming a metric the layer lacks, payer gone.
        path.write_text(users_yaml(store1_filter="inventory.store_id = 2",
                                   store1_metrics=["movies_rented", "action_movies_rented",
                                                   "gone_metric"],
                                   drop=("payer",)))
        reloads = server.stderr().count("reloaded:")
        server.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: server.stderr().count("reloaded:") > reloads)
        assert "user 'store1': grants name unknown metric 'gone_metric'" in server.stderr()
        assert rows(store1, sql) == [(2,)]  # the open session, next statement
        (n,), = rows(store1, "SELECT AGG(action_movies_rented) FROM mimir.metrics")
        (want,), = pg.query(source_query("rentals", [], ["action_movies_rented"],
                                         "dim_store_id = 2"))
        assert n == want
        unknown = error_of(store1, "SELECT AGG(no_such_metric) FROM mimir.metrics")
        assert error_of(store1, "SELECT AGG(gone_metric) FROM mimir.metrics") == \
            (unknown[0], unknown[1].replace("no_such_metric", "gone_metric"))
        assert error_of(store1, "SELECT AGG(rentals_revenue) FROM mimir.metrics")[0] == \
            unknown[0]
        # The dropped user: refused at login; its open session sees nothing any more.
        with pytest.raises(pymysql.err.OperationalError) as excinfo:
            connect(server, "payer")
        assert mysql_error(excinfo)[0] == 1045
        assert set(names(payer, "SHOW TABLES FROM mimir")) == {"metrics"}
        assert error_of(payer, "SELECT AGG(payments_count) FROM mimir.metrics")[0] == unknown[0]
        assert_answers_select_1(payer)
    finally:
        store1.close()
        payer.close()


BAD_GRANTS = [
    ("      sources: [rentals, nope]\n", 5, "user 'store1': grants name unknown source 'nope'"),
    ("      metrics: [movies_rented, nope]\n", 5,
     "user 'store1': grants name unknown metric 'nope'"),
    ("      sources: [rentals]\n      metrics: [payments_count]\n", 6,
     "user 'store1': grants metric 'payments_count', but not its source 'payments' "
     "(add it to 'sources')"),
    ("      row_filters:\n        nope: \"a = 1\"\n", 6,
     "user 'store1': row filter for unknown source 'nope'"),
    ("      metrics: [revenue_per_rental, movies_rented]\n", 5,
     "user 'store1': grants derived metric 'revenue_per_rental', but not its base metric "
     "'rentals_revenue' (add it to 'metrics')"),
    ("      sources: [rentals]\n      metrics: [payments_per_rental, payments_count, "
     "movies_rented]\n", 6,
     "user 'store1': grants derived metric 'payments_per_rental', but not the source "
     "'payments' of its base metric 'payments_count' (add it to 'sources')"),
]


@pytest.mark.parametrize("grants,line,message", BAD_GRANTS)
def test_grants_naming_what_the_layer_lacks_stop_the_server(mimir_factory, pagila_secrets,
                                                            workdir, grants, line, message):
    path = workdir / "server.yaml"
    path.write_text(f"users:\n  - name: store1\n    mysql_native_password: \"{native_hash()}\"\n"
                    f"    grants:\n{grants}")
    server = mimir_factory(configs=PAGILA_CONFIGS, secrets=pagila_secrets, name="mimir-badgrant",
                           extra_args=["--server-config", str(path)])
    rc, stderr = server.run_until_exit()
    assert rc != 0
    assert f"{path}:{line}: {message}" in stderr


BAD_FILTERS = [
    ("store_id = 1; DROP TABLE rental", "holds a ';'"),
    ("store_id = 1 -- and more", "holds a comment"),
    ("store_id = 1 /* x */", "holds a comment"),
    ("store_id = 1) OR (1 = 1", "has unbalanced parentheses"),
    ("(store_id = 1", "has unbalanced parentheses"),
    ("store_id = 1 GROUP BY store_id", "is not a single boolean expression"),
    ("store_id = 1 UNION SELECT 1", "is not a single boolean expression"),
    ("store_id = $1", "holds a parameter placeholder ($1, ?, :name or @name)"),
    ("'unterminated", "has an unterminated quote or comment"),
    ("", "is empty"),
]


@pytest.mark.parametrize("sql,why", BAD_FILTERS)
def test_malformed_row_filters_stop_the_server(mimir_factory, pagila_secrets, workdir, sql, why):
    path = workdir / "server.yaml"
    quoted = sql.replace("'", "''")
    path.write_text(f"users:\n  - name: store1\n    mysql_native_password: \"{native_hash()}\"\n"
                    f"    grants:\n      row_filters:\n        rentals: '{quoted}'\n")
    server = mimir_factory(configs=PAGILA_CONFIGS, secrets=pagila_secrets, name="mimir-badfilter",
                           extra_args=["--server-config", str(path)])
    rc, stderr = server.run_until_exit()
    assert rc != 0
    assert f"{path}:6: user 'store1': the row filter of source 'rentals' {why}" in stderr


def test_filter_with_a_subquery_is_accepted(mimir_factory, pagila_secrets, workdir, pg):
    path = workdir / "server.yaml"
    path.write_text(f"users:\n  - name: s\n    mysql_native_password: \"{native_hash()}\"\n"
                    "    grants:\n      row_filters:\n        rentals: >-\n"
                    "          inventory.store_id IN (SELECT store_id FROM store\n"
                    "          WHERE manager_staff_id = 2)\n")
    server = mimir_factory(configs=PAGILA_CONFIGS, secrets=pagila_secrets, name="mimir-subq",
                           extra_args=["--server-config", str(path)])
    server.start()
    (store,), = pg.query("SELECT store_id FROM store WHERE manager_staff_id = 2")
    conn = connect(server, "s")
    try:
        assert rows(conn, "SELECT DISTINCT dim_store_id FROM mimir.rentals") == [(store,)]
        # payments has no filter: both stores (and so has the metrics table, which holds both).
        assert len(rows(conn, "SELECT DISTINCT dim_store_id FROM mimir.payments")) == 2
    finally:
        conn.close()


def test_validate_checks_grants_and_runs_row_filters(pagila_secrets, workdir):
    path = workdir / "server.yaml"
    h = native_hash()
    path.write_text(f"users:\n  - name: ann\n    mysql_native_password: \"{h}\"\n"
                    "    grants:\n      metrics: [movies_rented, nope]\n"
                    "      row_filters:\n        rentals: \"inventory.store_idd = 1\"\n"
                    "        payments: \"payment.staff_id = 1\"\n")
    cmd = [str(MIMIR_BIN), "validate", "--configs", str(PAGILA_CONFIGS), "--secrets",
           str(pagila_secrets), "--server-config", str(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == f"{path}:5: user 'ann': grants name unknown metric 'nope'"
    assert lines[1].startswith(f"{path}:7: user 'ann': the row filter of source 'rentals': "
                               "the database says: ")
    assert "store_idd" in lines[1]
    assert len(lines) == 2
    # Fixed, the same file validates.
    path.write_text(path.read_text().replace(", nope", "").replace("store_idd", "store_id"))
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.endswith(": valid\n")
