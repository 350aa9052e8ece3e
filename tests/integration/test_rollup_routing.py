"""Rollups chosen automatically (issue 16; docs/rollups.md "Routing"): a server
with a daily and a monthly rollup on each of a PostgreSQL, a MariaDB and a SQLite
source answers the queries they can answer from them, and every answer is compared
with the same statement with rollups off (`/*+ NO_ROLLUP() */`), which reads the
source, in the same run; the rollups' own numbers are compared with hand-written
SQL on the backends by test_rollups.py. What chose the rollup is read from EXPLAIN,
the query record in the log, SHOW WARNINGS and /metrics.

The data are test_rollups.py's generated payments (two sparse years, then 40 dense
days up to now), so the current day and month are after the rollups' watermarks
and read from the source (lambda), and rows inserted during the run show at once.
"""

import datetime
import json
import re
import signal
import threading
import time

import pymysql
import pytest

import test_rollups as tr
from conftest import TYPES_DISCOVERED, MimirServer, free_port
from support import native_hash

BACKENDS = tr.BACKENDS
SOURCE_SQL = tr.SOURCE_SQL
TODAY = tr.TODAY


def rollups_yaml(b, daily_dims="[store_id, country, band_{b}]"):
    dims = daily_dims.format(b=b)
    return (f"  rollups:\n"
            f"    - name: pay_{b}_daily\n      grain: ds\n      dimensions: {dims}\n"
            f"      metrics: [revenue_{b}, n_{b}, avg_amount_{b}, top_{b}, low_{b}, half_{b}]\n"
            f"      refresh_every: 1 hour\n      update_window: 2 days\n"
            f"    - name: pay_{b}_monthly\n      grain: year_month\n      dimensions: [country]\n"
            f"      metrics: [revenue_{b}, n_{b}, avg_amount_{b}]\n"
            f"      refresh_every: 1 hour\n")


def write_sources(configs, daily_dims="[store_id, country, band_{b}]"):
    text = "".join(
        f"pay_{b}:\n  name: pay_{b}\n  time_col: paid_at\n  connection_name: pay_{b}\n"
        f"  sql: {json.dumps(SOURCE_SQL)}\n  dimensions: [band_{b}]\n" +
        rollups_yaml(b, daily_dims) for b in BACKENDS)
    (configs / "sources" / "sources.yaml").write_text(text)


def write_layer(base, pg, mariadb):
    configs, secrets = tr.write_layer(base, pg, mariadb)
    write_sources(configs)
    # A dimension defined in the source's SQL (spliced into it), in the daily rollups.
    docs = [f"name: band_{b}\nsource_name: pay_{b}\n"
            f"sql: CASE WHEN amount >= 50 THEN 'high' ELSE 'low' END\n" for b in BACKENDS]
    (configs / "dimensions" / "dimensions.yaml").write_text("---\n".join(docs))
    # A SUM that is a NUMERIC on PostgreSQL, a DECIMAL on MariaDB and a REAL on SQLite
    # (the SQLite amounts are integers here): floating-point sums are never re-aggregated.
    metrics = configs / "metrics" / "metrics.yaml"
    metrics.write_text(metrics.read_text() + "".join(
        f"---\nname: half_{b}\nsource_name: pay_{b}\nsql: SUM(amount / 2.0)\n"
        for b in BACKENDS))
    return configs, secrets


def load_sqlite_integers(path, rows):
    """test_rollups' rows with whole amounts: SQLite sums integers exactly, and its AVG
    of them too (REAL amounts would not be re-aggregated)."""
    import sqlite3
    path.unlink(missing_ok=True)
    (path.parent / (path.name + ".mimir_rollups.db")).unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE payments (paid_at TEXT NOT NULL, store_id INTEGER, country TEXT, "
               "amount INTEGER)")
    db.executemany("INSERT INTO payments VALUES (?, ?, ?, ?)",
                   [(tr.lite_time(t), s, c, None if a is None else int(a))
                    for t, s, c, a in rows])
    db.commit()
    db.close()


# Row-filtered users: their filter on every source (SQL of the backend, on the source
# SQL's table `payments`) and the same condition as a client's WHERE (Mimir's SQL).
FILTERED_USERS = {
    "store1": ("store_id = 1", "store_id = 1"),
    "stores137": ("payments.store_id IN (1, 3, 7)", "store_id IN (1, 3, 7)"),
    "becountry": ("country = 'BE' OR country IS NULL", "(country = 'BE' OR country IS NULL)"),
    # amount is no rollup dimension: such a user reads the sources
    "priced": ("amount IS NOT NULL", "amount IS NOT NULL"),
}


def server_config(base):
    """A server with its admin listener, and row-filtered users beside an unrestricted
    one (empty passwords)."""
    h = native_hash()
    path = base / "server.yaml"
    path.write_text(
        f"admin:\n  port: {free_port()}\n"
        f"http:\n  port: {free_port()}\n"
        "users:\n"
        f"  - name: anyone\n    mysql_native_password: \"{h}\"\n" +
        "".join(f"  - name: {user}\n    mysql_native_password: \"{h}\"\n"
                "    grants:\n      row_filters:\n" +
                "".join(f"        pay_{b}: {json.dumps(grant)}\n" for b in BACKENDS)
                for user, (grant, _) in FILTERED_USERS.items()))
    return path


def wait_for_builds(server, names, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = server.stderr()
        if all(re.search(rf"rollup {n}: (built|refreshed|up to date)", log) for n in names):
            return
        time.sleep(0.2)
    raise AssertionError("rollups not built in time:\n" + server.stderr()[-4000:])


ALL_ROLLUPS = [f"pay_{b}_{k}" for b in BACKENDS for k in ("daily", "monthly")]


@pytest.fixture(scope="module")
def env(session_dir, pg, mariadb):
    rows = tr.payment_rows()
    base = session_dir / "rollup_routing"
    base.mkdir(parents=True, exist_ok=True)
    tr.load_postgres(pg, rows)
    pg.query("DROP SCHEMA IF EXISTS mimir_rollups CASCADE", dbname=tr.DB)
    tr.load_mariadb(mariadb, rows)
    load_sqlite_integers(base / "payments.db", rows)
    configs, secrets = write_layer(base, pg, mariadb)
    cfg = server_config(base)
    admin, http = map(int, re.findall(r"port: (\d+)", cfg.read_text()))
    server = MimirServer(session_dir, configs=configs, secrets=secrets, name="rollup-routing",
                         extra_args=["--server-config", str(cfg)]).start()
    server.wait_for_log(TYPES_DISCOVERED)
    wait_for_builds(server, ALL_ROLLUPS)
    yield {"server": server, "configs": configs, "secrets": secrets, "admin": admin, "http": http,
           "base": base, "lite": base / "payments.db"}
    server.stop()
    problem = server.exit_problem()
    assert problem is None, problem


def connect(env, user="anyone", password=""):
    return pymysql.connect(host="127.0.0.1", port=env["server"].port, user=user,
                           password=password, database="mimir", autocommit=True)


def run(conn, sql):
    with conn.cursor() as cur:
        cur.execute(sql)
        return [tuple(r) for r in cur.fetchall()]


def explained(conn, sql):
    """The EXPLAIN rows' source column of each atomic query."""
    return [r[1] for r in run(conn, "EXPLAIN " + sql) if r[1] is not None]


def rollup_of(conn, sql):
    """The rollup EXPLAIN says answers sql (None: the source)."""
    sources = explained(conn, sql)
    assert len(sources) == 1, sources
    m = re.match(r"\S+: rollup (\S+) ", sources[0])
    return m.group(1) if m else None


def no_rollup(sql):
    return re.sub(r"^SELECT ", "SELECT /*+ NO_ROLLUP() */ ", sql, count=1)


def described(conn, sql):
    """The rows as text (as the server wrote them: a DECIMAL's scale shows) and the
    columns' metadata (name, type, length, decimals, nullability)."""
    with conn.cursor() as cur:
        cur.execute(sql)
        rows = [tuple(None if v is None else str(v) for v in r) for r in cur.fetchall()]
        return rows, [(d[0], d[1], d[3], d[5], d[6]) for d in cur.description]


def same_answer(conn, sql, expect_rollup):
    """sql answered from expect_rollup (None: from the source), with the same rows and
    the same column types as with rollups off."""
    assert rollup_of(conn, sql) == expect_rollup, sql
    assert rollup_of(conn, no_rollup(sql)) is None
    got, want = described(conn, sql), described(conn, no_rollup(sql))
    assert got[0] == want[0], sql
    assert got[1] == want[1], sql
    return run(conn, sql)


def day(n):
    return (TODAY - datetime.timedelta(days=n)).strftime("%Y-%m-%d")


def month_start(n=0):
    y, m = TODAY.year, TODAY.month - n
    while m < 1:
        y, m = y - 1, m + 12
    return f"{y:04d}-{m:02d}-01"


# ---- which rollup answers -----------------------------------------------------------

def queries(b):
    """(statement, the rollup that answers it, or None for the source)."""
    daily, monthly = f"pay_{b}_daily", f"pay_{b}_monthly"
    m = f"AGG(revenue_{b}), AGG(n_{b}), AGG(avg_amount_{b})"
    return [
        # the dashboard tile: by month and country, everything (the current month from
        # the source)
        (f"SELECT year_month, country, {m} FROM mimir.metrics GROUP BY year_month, country "
         "ORDER BY year_month, country", monthly),
        # a coarser grain than both: the smaller one
        (f"SELECT year, {m} FROM mimir.metrics GROUP BY year ORDER BY year", monthly),
        (f"SELECT {m} FROM mimir.metrics", monthly),
        # a dimension or a metric only the daily one has
        (f"SELECT year_month, store_id, {m} FROM mimir.metrics GROUP BY year_month, store_id "
         "ORDER BY 1, 2", daily),
        (f"SELECT country, AGG(top_{b}), AGG(low_{b}) FROM mimir.metrics GROUP BY country "
         "ORDER BY 1", daily),
        (f"SELECT ds, band_{b}, {m} FROM mimir.metrics WHERE ds >= '{day(9)}' "
         "GROUP BY ds, band_{b} ORDER BY 1, 2".replace("{b}", b), daily),
        # a closed range before the watermark: no source part
        (f"SELECT ds, {m} FROM mimir.metrics WHERE ds BETWEEN '{day(20)}' AND '{day(3)}' "
         "GROUP BY ds ORDER BY ds", daily),
        (f"SELECT country, {m} FROM mimir.metrics WHERE ts >= '{month_start(6)}' AND "
         f"ts < '{month_start(1)}' GROUP BY country ORDER BY 1", monthly),
        # filters on the rollup's dimensions
        (f"SELECT year_month, {m} FROM mimir.metrics WHERE country = 'BE' OR country IS NULL "
         "GROUP BY year_month ORDER BY 1", monthly),
        (f"SELECT store_id, {m} FROM mimir.metrics WHERE store_id IN (1, 3) AND "
         f"band_{b} = 'high' GROUP BY store_id ORDER BY 1", daily),
        # a BI tool's month truncation (Tableau), YEAR(ts) and MONTH(ts)
        (f"SELECT ADDDATE(DATE_FORMAT(ts, '%Y-%m-01 00:00:00'), INTERVAL 0 SECOND) AS m, {m} "
         "FROM mimir.metrics GROUP BY 1 ORDER BY 1", monthly),
        (f"SELECT YEAR(ts), MONTH(ts), {m} FROM mimir.metrics WHERE YEAR(ts) >= 2000 "
         "GROUP BY 1, 2 ORDER BY 1, 2", monthly),
        (f"SELECT DATE(ts) AS d, AGG(revenue_{b}) FROM mimir.metrics WHERE ds >= '{day(5)}' "
         "GROUP BY 1 ORDER BY 1", daily),
        # Superset: its month truncation and its time filter (tests/compat/superset.yaml)
        (f"SELECT DATE(DATE_SUB(ts, INTERVAL DAYOFMONTH(ts) - 1 DAY)) AS __timestamp, {m} "
         f"FROM mimir.metrics WHERE ts >= STR_TO_DATE('{month_start(6)} 00:00:00.000000', "
         f"'%Y-%m-%d %H:%i:%s.%f') AND ts < STR_TO_DATE('{month_start(1)} 00:00:00.000000', "
         "'%Y-%m-%d %H:%i:%s.%f') GROUP BY 1 ORDER BY 1", monthly),
        (f"SELECT country, {m} FROM mimir.metrics WHERE ts >= STR_TO_DATE('{day(3)} "
         "10:00:00.000000', '%Y-%m-%d %H:%i:%s.%f') GROUP BY 1 ORDER BY 1", daily),
        # HAVING, ORDER BY a metric, LIMIT, a derived expression
        (f"SELECT country, AGG(revenue_{b}) / AGG(n_{b}) AS per FROM mimir.metrics "
         f"GROUP BY country HAVING AGG(n_{b}) > 10 ORDER BY per DESC LIMIT 2", monthly),
        # bounds inside a day (Grafana's and Metabase's ranges): the whole days from the
        # daily rollup, the first and the last day's rows from the source
        (f"SELECT AGG(n_{b}) FROM mimir.metrics WHERE ts >= '{day(4)} 12:00:00'", daily),
        (f"SELECT AGG(n_{b}) FROM mimir.metrics WHERE ts > '{day(4)}'", daily),
        (f"SELECT country, {m} FROM mimir.metrics WHERE ts BETWEEN '{day(30)} 07:30:00' AND "
         f"'{day(5)} 16:45:10' GROUP BY country ORDER BY 1", daily),
        (f"SELECT year_month, {m} FROM mimir.metrics WHERE ts > '{day(200)} 23:59:59' AND "
         f"ts <= '{day(2)} 00:00:00' GROUP BY 1 ORDER BY 1", daily),
        # relative date filters (docs/sql.md "Time filters"): the clock folded to a bound
        # in the session's zone, so the daily rollup answers the whole days of the range
        (f"SELECT ds, {m} FROM mimir.metrics WHERE ts >= CURDATE() - INTERVAL 7 DAY "
         "GROUP BY ds ORDER BY ds", daily),
        # Metabase's relative filter: its last 30 days, today excluded
        (f"SELECT country, {m} FROM mimir.metrics WHERE ts >= DATE(DATE_ADD(NOW(6), "
         "INTERVAL -30 day)) AND ts < DATE(NOW(6)) GROUP BY country ORDER BY 1", daily),
        (f"SELECT ds, {m} FROM mimir.metrics WHERE ds >= DATE_SUB(CURDATE(), INTERVAL 1 MONTH) "
         "GROUP BY ds ORDER BY ds", daily),
        # ds against a time of day compares as DATETIME: the days after it
        (f"SELECT ds, {m} FROM mimir.metrics WHERE ds >= NOW() - INTERVAL 10 DAY "
         "GROUP BY ds ORDER BY ds", daily),
        (f"SELECT country, {m} FROM mimir.metrics WHERE ds > '{day(40)} 12:00:00' AND "
         f"ds < '{day(3)} 06:00:00' GROUP BY country ORDER BY 1", daily),
        # the last hour: no whole day, the source's rows
        (f"SELECT AGG(n_{b}) FROM mimir.metrics WHERE ts >= NOW() - INTERVAL 1 HOUR", None),
        # falls back to the source: a finer grain, an hour, no whole day in the range,
        # a dimension outside every rollup, a metric no rollup keeps
        (f"SELECT HOUR(ts), AGG(n_{b}) FROM mimir.metrics GROUP BY 1 ORDER BY 1", None),
        (f"SELECT ts_hour, AGG(n_{b}) FROM mimir.metrics WHERE ds = '{day(2)}' GROUP BY 1 "
         "ORDER BY 1", None),
        (f"SELECT AGG(n_{b}) FROM mimir.metrics WHERE ts > '{day(4)} 01:00:00' AND "
         f"ts < '{day(3)} 23:00:00'", None),
        # a range that starts at the watermark: no row of it is in a rollup
        (f"SELECT store_id, AGG(n_{b}) FROM mimir.metrics WHERE ds >= '{day(0)}' "
         "GROUP BY 1 ORDER BY 1", None),
        (f"SELECT amount, AGG(n_{b}) FROM mimir.metrics GROUP BY amount ORDER BY 1 LIMIT 5",
         None),
        (f"SELECT country, AGG(buyers_{b}) FROM mimir.metrics GROUP BY country ORDER BY 1",
         None),
        (f"SELECT country, AGG(buyers_{b}), AGG(n_{b}) FROM mimir.metrics GROUP BY country "
         "ORDER BY 1", None),
        # a floating-point SUM (on SQLite) is not re-aggregated
        (f"SELECT country, AGG(half_{b}) FROM mimir.metrics GROUP BY country ORDER BY 1",
         None if b == "lite" else daily),
    ]


@pytest.mark.parametrize("b", BACKENDS)
def test_routing_matches_rollups_off(env, b):
    conn = connect(env)
    try:
        for sql, expect in queries(b):
            same_answer(conn, sql, expect)
    finally:
        conn.close()



# ---- switches: NO_ROLLUP(), SET mimir_rollups ------------------------------------------

TILE = "SELECT year_month, country, AGG(revenue_pg), AGG(n_pg) FROM mimir.metrics " \
       "GROUP BY year_month, country ORDER BY 1, 2"


def test_set_mimir_rollups(env):
    conn = connect(env)
    try:
        assert run(conn, "SELECT @@mimir_rollups") == [(1,)]
        assert rollup_of(conn, TILE) == "pay_pg_monthly"
        run(conn, "SET mimir_rollups = OFF")
        assert run(conn, "SELECT @@mimir_rollups") == [(0,)]
        assert run(conn, "SHOW VARIABLES LIKE 'mimir_rollups'") == [("mimir_rollups", "OFF")]
        assert rollup_of(conn, TILE) is None
        run(conn, "SET SESSION mimir_rollups = 1")
        assert rollup_of(conn, TILE) == "pay_pg_monthly"
        run(conn, "SET mimir_rollups = 0")
        run(conn, "SET mimir_rollups = DEFAULT")
        assert rollup_of(conn, TILE) == "pay_pg_monthly"
        with pytest.raises(pymysql.err.OperationalError) as e:
            run(conn, "SET mimir_rollups = 'sometimes'")
        assert e.value.args == (1231, "Variable 'mimir_rollups' can't be set to the value of "
                                      "'sometimes'")
        assert run(conn, "SELECT @@mimir_rollups") == [(1,)]
        assert rollup_of(conn, TILE) == "pay_pg_monthly"
    finally:
        conn.close()
    # another session starts with rollups on, whatever this one set
    conn = connect(env)
    try:
        run(conn, "SET mimir_rollups = OFF")
    finally:
        conn.close()
    conn = connect(env)
    try:
        assert rollup_of(conn, TILE) == "pay_pg_monthly"
    finally:
        conn.close()


def test_no_rollup_hint(env):
    conn = connect(env)
    try:
        body = TILE[len("SELECT "):]
        for hinted in ("SELECT /*+ NO_ROLLUP() */ " + body,
                       "select /*+ MAX_EXECUTION_TIME(10000) no_rollup ( ) */ " + body,
                       "SELECT /*+ BKA(t1) */ /*+ NO_ROLLUP() */ " + body):
            assert rollup_of(conn, hinted) is None, hinted
        # not a hint: an ordinary comment, a hint elsewhere than after SELECT, another hint
        for plain in ("SELECT /* NO_ROLLUP() */ " + body,
                      "SELECT year_month /*+ NO_ROLLUP() */, " + body[len("year_month, "):],
                      "SELECT /*+ NO_ROLLUPS() */ " + body):
            assert rollup_of(conn, plain) == "pay_pg_monthly", plain
        # a hinted subquery reads the source; the statement around it may still route
        sub = (f"SELECT COUNT(*), SUM(r) FROM (SELECT /*+ NO_ROLLUP() */ country, "
               f"AGG(revenue_pg) AS r FROM mimir.metrics GROUP BY country) AS t")
        assert run(conn, sub) == run(conn, sub.replace("/*+ NO_ROLLUP() */ ", ""))
    finally:
        conn.close()


def test_mariadb_cli_strips_hints_without_comments(env):
    """docs/clients.md: the mariadb client drops comments, optimizer hints included,
    unless it runs with --comments."""
    hinted = "EXPLAIN SELECT /*+ NO_ROLLUP() */ " + TILE[len("SELECT "):]
    stripped = env["server"].mariadb_cli_run(hinted, "--batch")
    assert stripped.returncode == 0, stripped.stderr
    assert "rollup pay_pg_monthly" in stripped.stdout
    kept = env["server"].mariadb_cli_run(hinted, "--batch", "--comments")
    assert kept.returncode == 0, kept.stderr
    assert "rollup" not in kept.stdout and "pay_pg" in kept.stdout


# ---- how fresh: SHOW WARNINGS, EXPLAIN, the query record, /metrics ---------------------

def state_row(pg, name):
    rows = pg.query("SELECT to_char(last_refresh_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
                    "to_char(watermark, 'YYYY-MM-DD HH24:MI:SS') "
                    "FROM mimir_rollups.mimir_rollups_state WHERE name = %s", (name,),
                    dbname=tr.DB)
    assert len(rows) == 1
    return rows[0]


def test_show_warnings_says_which_rollup_and_how_fresh(env, pg):
    refreshed, watermark = state_row(pg, "pay_pg_monthly")
    conn = connect(env)
    try:
        run(conn, TILE)
        assert run(conn, "SHOW WARNINGS") == [(
            "Note", 1003,
            f"Source 'pay_pg' answered from rollup 'pay_pg_monthly', last refreshed at "
            f"{refreshed}; its rows from {watermark} on were read from the source")]
        assert run(conn, "SELECT @@warning_count") == [(1,)]
        closed = (f"SELECT ds, AGG(n_pg) FROM mimir.metrics WHERE ds BETWEEN '{day(9)}' AND "
                  f"'{day(2)}' GROUP BY ds")
        run(conn, closed)
        refreshed, _ = state_row(pg, "pay_pg_daily")
        assert run(conn, "SHOW WARNINGS") == [(
            "Note", 1003,
            f"Source 'pay_pg' answered from rollup 'pay_pg_daily', last refreshed at "
            f"{refreshed}")]
        run(conn, no_rollup(TILE))
        assert run(conn, "SHOW WARNINGS") == []
        sources = explained(conn, TILE)
        assert sources == [f"pay_pg: rollup pay_pg_monthly (refreshed "
                           f"{state_row(pg, 'pay_pg_monthly')[0]}), the source from "
                           f"{watermark} on"]
    finally:
        conn.close()


def admin_metrics(env):
    return tr.metrics(env["admin"])


def counter(text, series):
    """A counter's value, 0 before it first moves (its series is not listed yet)."""
    return tr.metric_value(text, series) if f"\n{series} " in text else 0.0


def test_counters_and_query_record(env):
    hits = 'mimir_rollup_hits_total{rollup="pay_my_monthly"}'
    misses = 'mimir_rollup_misses_total{source="pay_my"}'
    tile = TILE.replace("_pg", "_my")
    before = admin_metrics(env)
    conn = connect(env)
    try:
        conn_id = run(conn, "SELECT CONNECTION_ID()")[0][0]
        run(conn, tile)
        run(conn, tile)
        run(conn, no_rollup(tile))
    finally:
        conn.close()
    after = admin_metrics(env)
    assert counter(after, hits) - counter(before, hits) == 2
    assert counter(after, misses) - counter(before, misses) == 1
    deadline = time.monotonic() + 10
    records = []
    while time.monotonic() < deadline and len(records) < 3:
        lines = [line[line.index("{"):] for line in env["server"].stderr().splitlines()
                 if '"event":"query"' in line]
        records = [r for r in map(json.loads, lines)
                   if r["conn"] == conn_id and r["metrics"] == ["revenue_my", "n_my"]]
        time.sleep(0.05)
    assert [r["rollup"] for r in records] == ["pay_my_monthly", "pay_my_monthly", None]
    assert [r["sources"][0]["rollup"] for r in records] == ["pay_my_monthly"] * 2 + [None]


# ---- who and what: a row-filtered user, rows written since, rebuilds, reloads ----------

def with_where(sql, condition):
    """sql with condition ANDed into its WHERE (or as its WHERE)."""
    if " WHERE " in sql:
        return sql.replace(" WHERE ", f" WHERE ({condition}) AND ", 1)
    m = re.search(r" (GROUP BY|ORDER BY|LIMIT) ", sql)
    at = m.start() if m else len(sql)
    return f"{sql[:at]} WHERE {condition}{sql[at:]}"


def filtered_queries(b, user):
    """(statement, the rollup that answers it for user, or None for the source)."""
    daily, monthly = f"pay_{b}_daily", f"pay_{b}_monthly"
    by_store = user in ("store1", "stores137")  # only the daily rollups have store_id
    none = user == "priced"
    m = f"AGG(revenue_{b}), AGG(n_{b}), AGG(avg_amount_{b})"
    return [
        # the current month and day are after the watermarks: read from the source (lambda)
        (f"SELECT year_month, country, {m} FROM mimir.metrics GROUP BY year_month, country "
         "ORDER BY 1, 2", None if none else daily if by_store else monthly),
        (f"SELECT ds, store_id, {m} FROM mimir.metrics WHERE ds >= '{day(6)}' "
         "GROUP BY ds, store_id ORDER BY 1, 2", None if none else daily),
        # a closed range before the watermark: the rollup alone
        (f"SELECT ds, {m} FROM mimir.metrics WHERE ds BETWEEN '{day(20)}' AND '{day(3)}' "
         "GROUP BY ds ORDER BY ds", None if none else daily),
        (f"SELECT {m} FROM mimir.metrics", None if none else daily if by_store else monthly),
    ]


@pytest.mark.parametrize("b", BACKENDS)
@pytest.mark.parametrize("user", FILTERED_USERS)
def test_row_filtered_user(env, b, user):
    """A row filter the rollups' dimensions express is applied to their rows (and to the
    source's after the watermark): the user's answers come from a rollup and are the
    unrestricted user's answers with the same condition as a WHERE, read from the
    source. A filter on a column no rollup has (amount) reads the source, with the
    same answers."""
    _, where = FILTERED_USERS[user]
    mine, theirs = connect(env, user=user), connect(env)
    try:
        for sql, expect in filtered_queries(b, user):
            got = same_answer(mine, sql, expect)
            assert got, sql
            assert got == run(theirs, no_rollup(with_where(sql, where))), (user, sql)
            assert (run(mine, "SHOW WARNINGS") == []) == (expect is None)
    finally:
        mine.close()
        theirs.close()


def insert(env, pg, mariadb, b, rows):
    if b == "pg":
        tr.insert_pg(pg, rows)
    elif b == "my":
        tr.insert_my(mariadb, rows)
    else:
        import sqlite3
        db = sqlite3.connect(env["lite"])
        db.executemany("INSERT INTO payments VALUES (?, ?, ?, ?)",
                       [(tr.lite_time(t), s, c, int(a)) for t, s, c, a in rows])
        db.commit()
        db.close()


def delete(env, pg, mariadb, b, store_id):
    sql = f"DELETE FROM payments WHERE store_id = {store_id}"
    if b == "pg":
        pg.query(sql, dbname=tr.DB)
    elif b == "my":
        mariadb.query(sql, database=tr.DB)
    else:
        import sqlite3
        db = sqlite3.connect(env["lite"])
        db.execute(sql)
        db.commit()
        db.close()


@pytest.mark.parametrize("b", BACKENDS)
def test_row_filtered_user_sees_new_rows_through_the_lambda(env, pg, mariadb, b):
    """Rows written since the last build reach a row-filtered user through the source's
    part (its SQL carries the filter): a new row of store 7 shows, one of store 8 not."""
    from decimal import Decimal
    sql = (f"SELECT ds, store_id, AGG(revenue_{b}), AGG(n_{b}) FROM mimir.metrics "
           f"WHERE ds >= '{day(3)}' GROUP BY ds, store_id ORDER BY 1, 2")
    _, where = FILTERED_USERS["stores137"]
    mine, theirs = connect(env, user="stores137"), connect(env)
    try:
        now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)
        t = now - datetime.timedelta(seconds=30)
        insert(env, pg, mariadb, b, [(t, 7, "BE", Decimal("12.00")), (t, 8, "BE",
                                                                      Decimal("13.00"))])
        got = same_answer(mine, sql, f"pay_{b}_daily")
        assert got == run(theirs, no_rollup(with_where(sql, where)))
        stores = [r[1] for r in got]
        assert 7 in stores and 8 not in stores and 1 in stores
    finally:
        delete(env, pg, mariadb, b, 7)
        delete(env, pg, mariadb, b, 8)
        mine.close()
        theirs.close()


@pytest.mark.parametrize("b", BACKENDS)
def test_rows_after_the_watermark_show_at_once(env, pg, mariadb, b):
    """Rows written since the last build (after its watermark) are in the next answer;
    a late row before the watermark shows once a refresh covers its day."""
    from decimal import Decimal
    daily = (f"SELECT ds, store_id, AGG(revenue_{b}), AGG(n_{b}) FROM mimir.metrics "
             f"WHERE ds >= '{day(6)}' GROUP BY ds, store_id ORDER BY 1, 2")
    conn = connect(env)
    try:
        before = same_answer(conn, daily, f"pay_{b}_daily")
        now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)
        insert(env, pg, mariadb, b, [(now - datetime.timedelta(seconds=30), 9, "BE",
                                      Decimal("12.00"))])
        after = same_answer(conn, daily, f"pay_{b}_daily")
        assert len(after) == len(before) + 1 and (9, Decimal(12), 1) in [
            (r[1], Decimal(r[2]), r[3]) for r in after]
        # late: yesterday noon, before the daily rollup's watermark
        insert(env, pg, mariadb, b, [(TODAY - datetime.timedelta(hours=12), 9, "NL",
                                      Decimal("7.00"))])
        routed, source = run(conn, daily), run(conn, no_rollup(daily))
        assert len(source) == len(routed) + 1
        assert [r for r in source if r not in routed][0][1:] == (9, Decimal("7.00"), 1)
        tr.mimir({"configs": env["configs"], "secrets": env["secrets"]}, "rollups", "build",
                 f"pay_{b}_daily")
        same_answer(conn, daily, f"pay_{b}_daily")
    finally:
        delete(env, pg, mariadb, b, 9)
        tr.mimir({"configs": env["configs"], "secrets": env["secrets"]}, "rollups", "build",
                 f"pay_{b}_daily")
        conn.close()


@pytest.mark.parametrize("b", BACKENDS)
def test_full_rebuild_while_queries_run(env, b):
    """A full build swaps a new table in while sessions read the old one: every query
    answers, and answers what the source says."""
    tile = TILE.replace("_pg", f"_{b}")
    conn = connect(env)
    want = run(conn, no_rollup(tile))
    errors, answers = [], []
    done = threading.Event()

    def build():
        try:
            for _ in range(3):
                tr.mimir({"configs": env["configs"], "secrets": env["secrets"]}, "rollups",
                         "build", f"pay_{b}_monthly", "--full")
        except Exception as e:  # noqa: BLE001 (reported below)
            errors.append(e)
        finally:
            done.set()

    t = threading.Thread(target=build)
    t.start()
    try:
        while not done.is_set() or len(answers) < 20:
            answers.append(run(conn, tile))
    finally:
        t.join()
        conn.close()
    assert not errors, errors
    assert all(a == want for a in answers)


def test_changed_definition_is_not_read_until_rebuilt(env, pg, mariadb):
    """SIGHUP with a daily rollup that lost a dimension: its full build follows, and from
    then on the new definition answers (a query by the dimension it lost reads the
    source)."""
    server = env["server"]
    by_band = ("SELECT band_pg, AGG(n_pg) FROM mimir.metrics WHERE ds >= '2000-01-01' "
               "GROUP BY band_pg ORDER BY 1")
    by_store = ("SELECT store_id, AGG(n_pg) FROM mimir.metrics WHERE ds >= '2000-01-01' "
                "GROUP BY store_id ORDER BY 1")
    built = r"rollup pay_pg_daily: built "
    conn = connect(env)
    try:
        assert rollup_of(conn, by_band) == "pay_pg_daily"
        count = len(server.wait_for_log(built))
        write_sources(env["configs"], daily_dims="[store_id, country]")
        server.proc.send_signal(signal.SIGHUP)
        server.wait_for_log(built, count=count + 1, timeout=120)
        assert rollup_of(conn, by_band) is None
        assert rollup_of(conn, by_store) == "pay_pg_daily"
        same_answer(conn, by_store, "pay_pg_daily")
        same_answer(conn, by_band, None)
    finally:
        # every daily rollup was redefined twice: the next tests need them all answering
        write_sources(env["configs"])
        server.proc.send_signal(signal.SIGHUP)
        for b in BACKENDS:
            wait_routed(conn, f"SELECT band_{b}, AGG(n_{b}) FROM mimir.metrics GROUP BY 1",
                        f"pay_{b}_daily")
        conn.close()


def wait_routed(conn, sql, name, timeout=120):
    """Until rollup name is ready again (built or refreshed with the definition in force)."""
    deadline = time.monotonic() + timeout
    while rollup_of(conn, sql) != name:
        assert time.monotonic() < deadline, f"{name} did not answer {sql} in {timeout} s"
        time.sleep(0.2)


def test_demo_served_from_a_sqlite_rollup(session_dir):
    """The embedded demo's layer with a daily rollup of its orders added: the rollup is
    built into demo.db's rollups file beside a copy of demo.db, and dashboard queries are
    answered from it, with the same rows as the demo without rollups."""
    import shutil
    from conftest import DEMO_CONFIGS, DEMO_DB
    base = session_dir / "demo-rollup"
    configs = base / "configs"
    shutil.copytree(DEMO_CONFIGS, configs, ignore=shutil.ignore_patterns("demo.db*"))
    shutil.copy(DEMO_DB, base / "demo.db")
    (configs / "secrets" / "demo_sqlite.json").write_text(json.dumps(
        {"connection_class": "sqlite", "path": str(base / "demo.db")}))
    sources = configs / "sources" / "sources.yaml"
    text = sources.read_text()
    rollup = ("  rollups:\n    - name: orders_daily\n      grain: ds\n"
              "      dimensions: [city, dim_product_category]\n"
              "      metrics: [orders_count, units_sold]\n")
    head, sep, tail = text.partition("\nvisits:")
    sources.write_text(head.rstrip("\n") + "\n" + rollup + sep + tail)
    server = MimirServer(session_dir, configs=configs, secrets=configs / "secrets",
                         name="demo-rollup").start()
    try:
        server.wait_for_log(TYPES_DISCOVERED)
        wait_for_builds(server, ["orders_daily"])
        assert (base / "demo.db.mimir_rollups.db").is_file()
        conn = pymysql.connect(host="127.0.0.1", port=server.port, user="anyone", password="",
                               database="mimir", autocommit=True)
        try:
            for sql in ("SELECT city, year_month, AGG(orders_count), AGG(units_sold) "
                        "FROM mimir.metrics GROUP BY city, year_month ORDER BY 1, 2",
                        "SELECT dim_product_category, AGG(units_sold) FROM mimir.metrics "
                        "WHERE city = 'Amsterdam' GROUP BY 1 ORDER BY 1"):
                assert rollup_of(conn, sql) == "orders_daily"
                assert run(conn, sql) == run(conn, no_rollup(sql))
            # revenue is a SUM of REAL amounts: read from the source
            sql = "SELECT city, AGG(revenue) FROM mimir.metrics GROUP BY city ORDER BY 1"
            assert rollup_of(conn, sql) is None
        finally:
            conn.close()
    finally:
        server.stop()
        problem = server.exit_problem()
        assert problem is None, problem


HAND_AVG = {
    "pg": ("SELECT CAST(EXTRACT(YEAR FROM paid_at) AS int), country, AVG(amount), COUNT(*) "
           "FROM payments GROUP BY 1, 2 ORDER BY 1, 2 NULLS FIRST"),
    "my": ("SELECT YEAR(paid_at), country, AVG(amount), COUNT(*) FROM payments "
           "GROUP BY 1, 2 ORDER BY 1, 2"),
}


@pytest.mark.parametrize("b", ["pg", "my"])
def test_avg_across_months_is_the_backends_avg(env, pg, mariadb, b):
    """AVG by year from the monthly rollup's sums and counts (and the current month from
    the source) is the backend's own AVG over the rows, to the last decimal."""
    sql = (f"SELECT year, country, AGG(avg_amount_{b}), AGG(n_{b}) FROM mimir.metrics "
           "GROUP BY year, country ORDER BY 1, 2")
    conn = connect(env)
    try:
        got = same_answer(conn, sql, f"pay_{b}_monthly")
    finally:
        conn.close()
    want = tr.run_on(b, pg, mariadb, env, HAND_AVG[b])
    assert [tuple(r) for r in got] == [tuple(r) for r in want]


def rename_rollup(env, pg, mariadb, b, old, new):
    if b == "pg":
        pg.query(f'ALTER TABLE mimir_rollups."{old}" RENAME TO "{new}"', dbname=tr.DB)
    elif b == "my":
        mariadb.query(f"RENAME TABLE mimir_rollups.`{old}` TO mimir_rollups.`{new}`")
    else:
        import sqlite3
        db = sqlite3.connect(str(env["lite"]) + ".mimir_rollups.db")
        db.execute(f'ALTER TABLE "{old}" RENAME TO "{new}"')
        db.commit()
        db.close()


@pytest.mark.parametrize("b", BACKENDS)
def test_unreadable_rollup_falls_back_to_the_source(env, pg, mariadb, b):
    """A rollup whose table cannot be read (dropped by hand, its storage unreachable)
    fails before its first row: the statement runs again from the source, and the client
    gets that answer, also inside a batch of statements."""
    tile = TILE.replace("_pg", f"_{b}")
    conn = connect(env)
    want = run(conn, no_rollup(tile))
    rename_rollup(env, pg, mariadb, b, f"pay_{b}_monthly", f"pay_{b}_monthly_away")
    try:
        assert rollup_of(conn, tile) == f"pay_{b}_monthly"
        assert run(conn, tile) == want
        assert run(conn, "SHOW WARNINGS") == []
        assert run(conn, "SELECT 1") == [(1,)]
        assert http_sql(env, tile)["rows"] == want_json(want)
        # (the refresh this server made or found: later builds by the command line are
        # not its own)
        assert re.fullmatch(
            rf"pay_{b}: rollup pay_{b}_monthly \(refreshed \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ\), "
            rf"the source from {month_start()} 00:00:00 on",
            http_sql(env, tile, path="/v1/explain")["rows"][0][1])
        batch = pymysql.connect(host="127.0.0.1", port=env["server"].port, user="anyone",
                                password="", database="mimir", autocommit=True,
                                client_flag=pymysql.constants.CLIENT.MULTI_STATEMENTS)
        try:
            with batch.cursor() as cur:
                cur.execute(f"SELECT 2; {tile}; SELECT 3")
                assert cur.fetchall() == ((2,),)
                assert cur.nextset() and [tuple(r) for r in cur.fetchall()] == want
                assert cur.nextset() and cur.fetchall() == ((3,),)
        finally:
            batch.close()
    finally:
        rename_rollup(env, pg, mariadb, b, f"pay_{b}_monthly_away", f"pay_{b}_monthly")
        conn.close()
    log = env["server"].stderr()
    assert re.search(rf"client \d+: a rollup could not answer .*pay_{b}_monthly", log)
    assert re.search(rf"http \d+: a rollup could not answer .*pay_{b}_monthly", log)


def http_sql(env, sql, path="/v1/sql"):
    import base64
    import urllib.request
    req = urllib.request.Request(
        f"http://127.0.0.1:{env['http']}{path}", data=json.dumps({"sql": sql}).encode(),
        headers={"Content-Type": "application/json",
                 "Authorization": "Basic " + base64.b64encode(b"anyone:").decode()})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def want_json(rows):
    """The JSON answer's rows for MySQL rows: decimals and dates as strings."""
    from decimal import Decimal
    def cell(v):
        if isinstance(v, Decimal):
            return str(v)
        if isinstance(v, (datetime.date, datetime.datetime)):
            return str(v)
        return v
    return [[cell(v) for v in r] for r in rows]



@pytest.mark.parametrize("b", BACKENDS)
def test_unreadable_rollup_prepared_statement(env, pg, mariadb, b):
    """The same fallback for a prepared statement (COM_STMT_EXECUTE, binary rows), its
    parameter kept for the second attempt."""
    from mysql_wire import RawClient
    sql = (f"SELECT year_month, AGG(n_{b}) FROM mimir.metrics WHERE country = ? "
           "GROUP BY year_month ORDER BY 1")
    client = RawClient(env["server"].port).login()
    try:
        stmt, _, nparams = client.prepare(sql)
        assert nparams == 1
        block = RawClient.params_block([(253, b"\x02BE")])  # MYSQL_TYPE_VAR_STRING, "BE"
        want = client.execute(stmt, block).rows
        assert want
        rename_rollup(env, pg, mariadb, b, f"pay_{b}_monthly", f"pay_{b}_monthly_away")
        try:
            got = client.execute(stmt, block)
            assert got.rows == want
        finally:
            rename_rollup(env, pg, mariadb, b, f"pay_{b}_monthly_away", f"pay_{b}_monthly")
        assert client.execute(stmt, block).rows == want
    finally:
        client.close()


def test_session_zone_and_wall_clock_time_columns(env):
    """In a session at +02:00, a source whose time column is a wall clock (PostgreSQL
    timestamp, MariaDB DATETIME) reads the same periods in every zone: still routed, with
    the answer of rollups off. SQLite's times are UTC text, read in the session's zone:
    its rollups (built in UTC) do not answer there."""
    conn = connect(env)
    try:
        run(conn, "SET time_zone = '+02:00'")
        for b in BACKENDS:
            tile = TILE.replace("_pg", f"_{b}")
            same_answer(conn, tile, None if b == "lite" else f"pay_{b}_monthly")
            daily = (f"SELECT ds, AGG(n_{b}) FROM mimir.metrics WHERE ds BETWEEN '{day(8)}' "
                     f"AND '{day(1)}' GROUP BY ds ORDER BY ds")
            same_answer(conn, daily, None if b == "lite" else f"pay_{b}_daily")
    finally:
        conn.close()


# ---- a calendar in a zone other than UTC ------------------------------------------------

NY = "America/New_York"


def zoned_layer(base, env):
    """Rollups built in New York (calendar.yaml): pay_B reads payments_at, whose times are
    instants (timestamptz, TIMESTAMP, SQLite's UTC text), with a daily and a monthly
    rollup; wall_B (PostgreSQL, MariaDB) reads payments, whose times are wall clocks
    (timestamp, DATETIME), with a daily one."""
    configs = base / "configs"
    for sub in ("sources", "metrics", "dimensions"):
        (configs / sub).mkdir(parents=True, exist_ok=True)
    metrics = "name: wn_{b}\nsource_name: wall_{b}\nsql: COUNT(*)\n---\n" \
              "name: wrevenue_{b}\nsource_name: wall_{b}\nsql: SUM(amount)\n"
    (configs / "metrics" / "metrics.yaml").write_text(
        (env["configs"] / "metrics" / "metrics.yaml").read_text() + "".join(
            "---\n" + metrics.format(b=b) for b in ("pg", "my")))
    pay = "".join(
        f"pay_{b}:\n  name: pay_{b}\n  time_col: paid_at\n  connection_name: pay_{b}\n"
        f"  sql: {json.dumps(tr.ZONED_SQL)}\n  rollups:\n"
        f"    - name: pay_{b}_nyd\n      grain: ds\n      dimensions: [store_id, country]\n"
        f"      metrics: [revenue_{b}, n_{b}, avg_amount_{b}, top_{b}, low_{b}]\n"
        f"    - name: pay_{b}_nym\n      grain: year_month\n      dimensions: [country]\n"
        f"      metrics: [revenue_{b}, n_{b}, avg_amount_{b}]\n" for b in BACKENDS)
    wall = "".join(
        f"wall_{b}:\n  name: wall_{b}\n  time_col: paid_at\n  connection_name: pay_{b}\n"
        f"  sql: {json.dumps(SOURCE_SQL)}\n  rollups:\n"
        f"    - name: wall_{b}_nyd\n      grain: ds\n      dimensions: [country]\n"
        f"      metrics: [wrevenue_{b}, wn_{b}]\n" for b in ("pg", "my"))
    (configs / "sources" / "sources.yaml").write_text(pay + wall)
    (configs / "calendar.yaml").write_text(f"time_zone: {NY}\n")
    return configs


ZONED_ROLLUPS = [f"pay_{b}_ny{k}" for b in BACKENDS for k in "dm"] + \
    [f"wall_{b}_nyd" for b in ("pg", "my")]


@pytest.fixture(scope="module")
def zoned_env(env, session_dir, pg, mariadb):
    tr.load_instants(pg, mariadb, env["lite"])
    # Rows after UTC's midnight and before New York's, on the first of the month and
    # today: in New York's previous day (and month), before the rollups' watermarks.
    first = TODAY.replace(day=1)
    edge = [(first + datetime.timedelta(hours=2), 2, "NL", 20),
            (TODAY + datetime.timedelta(hours=2), 1, "BE", 10)]
    for t, store, country, amount in edge:
        pg.query("INSERT INTO payments_at VALUES (%s AT TIME ZONE 'UTC', %s, %s, %s)",
                 (t, store, country, amount), dbname=tr.DB)
        mariadb.query("INSERT INTO payments_at VALUES (%s, %s, %s, %s)",
                      (t, store, country, amount), database=tr.DB)  # a UTC session
        import sqlite3
        db = sqlite3.connect(env["lite"])
        db.execute("INSERT INTO payments_at VALUES (?, ?, ?, ?)",
                   (tr.lite_time(t), store, country, amount))
        db.commit()
        db.close()
    mariadb.load_time_zones(NY)
    base = session_dir / "rollup_routing_zoned"
    base.mkdir(parents=True, exist_ok=True)
    configs = zoned_layer(base, env)
    server = MimirServer(session_dir, configs=configs, secrets=env["secrets"],
                         name="rollup-routing-zoned").start()
    server.wait_for_log(TYPES_DISCOVERED)
    wait_for_builds(server, ZONED_ROLLUPS)
    yield {"server": server}
    server.stop()
    problem = server.exit_problem()
    assert problem is None, problem


def dst_change():
    """The last day before the watermark on which New York changed its offset."""
    from zoneinfo import ZoneInfo
    z = ZoneInfo(NY)
    d = TODAY - datetime.timedelta(days=2)
    while True:
        before = (d - datetime.timedelta(days=1)).replace(hour=12, tzinfo=z).utcoffset()
        if d.replace(hour=12, tzinfo=z).utcoffset() != before:
            return d
        d -= datetime.timedelta(days=1)


def zoned_queries(b):
    """(statement, the kind of rollup a New York session reads it from: "nyd" or "nym")."""
    change = dst_change()
    a, z = [(change + datetime.timedelta(days=n)).strftime("%Y-%m-%d") for n in (-6, 6)]
    m = f"AGG(revenue_{b}), AGG(n_{b}), AGG(avg_amount_{b})"
    return [
        # days across the daylight saving change
        (f"SELECT ds, {m} FROM mimir.metrics WHERE ds BETWEEN '{a}' AND '{z}' GROUP BY ds "
         "ORDER BY ds", "nyd"),
        # bounds inside days across it: the first and the last day's rows from the source
        (f"SELECT country, {m}, AGG(top_{b}) FROM mimir.metrics WHERE ts >= '{a} 12:30:00' "
         f"AND ts < '{z} 07:00:00' GROUP BY country ORDER BY 1", "nyd"),
        (f"SELECT ds, store_id, AGG(n_{b}) FROM mimir.metrics WHERE ds >= '{day(9)}' "
         "GROUP BY ds, store_id ORDER BY 1, 2", "nyd"),
        # months, and everything (no bound, no grain: the rows after the watermark still
        # read in New York)
        (f"SELECT year_month, country, {m} FROM mimir.metrics GROUP BY year_month, country "
         "ORDER BY 1, 2", "nym"),
        (f"SELECT {m} FROM mimir.metrics", "nym"),
        (f"SELECT AGG(n_{b}), AGG(top_{b}) FROM mimir.metrics", "nyd"),
    ]


def test_calendar_zone_session_in_that_zone(zoned_env):
    """A session in the calendar's zone reads the rollups built there: the same rows and
    column metadata as with rollups off, including days across a daylight saving change
    and a range whose bounds fall inside days."""
    conn = zoned_env["server"].connect(database="mimir", autocommit=True)
    try:
        run(conn, f"SET time_zone = '{NY}'")
        for b in BACKENDS:
            for sql, kind in zoned_queries(b):
                assert same_answer(conn, sql, f"pay_{b}_{kind}"), sql
    finally:
        conn.close()


@pytest.mark.parametrize("zone", ["+00:00", "+02:00", "-05:00", "SYSTEM"])
def test_calendar_zone_session_in_another_zone(zoned_env, zone):
    """A session in another zone reads other days from an instant: the sources answer
    (-05:00 is New York's offset in winter, not its rules); a wall clock's periods are the
    same in every zone: its rollup answers."""
    conn = zoned_env["server"].connect(database="mimir", autocommit=True)
    try:
        run(conn, f"SET time_zone = '{zone}'")
        for b in BACKENDS:
            for sql, _ in zoned_queries(b):
                same_answer(conn, sql, None)
        for b in ("pg", "my"):
            for sql in (f"SELECT ds, country, AGG(wrevenue_{b}), AGG(wn_{b}) FROM mimir.metrics "
                        f"WHERE ds BETWEEN '{day(30)}' AND '{day(2)}' GROUP BY 1, 2 ORDER BY 1, 2",
                        f"SELECT AGG(wn_{b}) FROM mimir.metrics WHERE ts >= '{day(20)} 10:00:00'"):
                assert same_answer(conn, sql, f"wall_{b}_nyd"), sql
    finally:
        conn.close()


def test_calendar_zone_wall_clock_in_that_zone(zoned_env):
    """A wall clock in a session in the calendar's zone: read as it is, from the rollup."""
    conn = zoned_env["server"].connect(database="mimir", autocommit=True)
    try:
        run(conn, f"SET time_zone = '{NY}'")
        for b in ("pg", "my"):
            sql = (f"SELECT ds, AGG(wn_{b}) FROM mimir.metrics WHERE ds >= '{day(12)}' "
                   "GROUP BY 1 ORDER BY 1")
            assert same_answer(conn, sql, f"wall_{b}_nyd"), sql
    finally:
        conn.close()
