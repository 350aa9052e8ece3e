"""The result cache (issue 7): answers of sources with a cache_ttl are kept in
memory, keyed by the normalised plan, and served without touching PostgreSQL.

The proof that an answer came from the cache: after the first query, the
underlying rows are changed directly in PostgreSQL; an answer that still shows
the old numbers was not computed again. Fresh numbers must come back with
SQL_NO_CACHE, after the TTL, after a SIGHUP reload, for another statement, and
for sources without cache_ttl. Every expected number is computed on PostgreSQL
in the same run, before or after the change as the case needs.

The tests own a small table, mimir_cache_probe, in the session's Pagila
database (created here, dropped at the end) so that changing it cannot affect
other tests.
"""

import shutil
import signal
import socket
import time
from decimal import Decimal

import pymysql
import pytest

from conftest import REPO, rss_kib, sanitized
from mysql_wire import COM_QUERY, RawClient
from support import assert_answers_select_1, mysql_error
from test_hostile import small_asan_quarantine
from test_protocol import run_stmt, stmt_client_bin  # noqa: F401 (fixtures)

PROBE_SOURCES = """
probe:
  name: probe
  description: The probe table, cached for five minutes.
  connection_name: pagila_postgres
  time_col: t.ts
  time_col_alias: ts
  cache_ttl: 300
  sql: SELECT t.id, t.grp, t.n, t.ts FROM mimir_cache_probe t
probe_b:
  name: probe_b
  description: The same table as a second source, to combine with probe.
  connection_name: pagila_postgres
  time_col: t.ts
  time_col_alias: ts
  cache_ttl: 600
  sql: SELECT t.id AS b_id, t.grp, t.n AS b_n, t.ts FROM mimir_cache_probe t
probe_short:
  name: probe_short
  description: Cached for two seconds.
  connection_name: pagila_postgres
  time_col: t.ts
  time_col_alias: ts
  cache_ttl: 2
  sql: SELECT t.id AS s_id, t.grp, t.n AS s_n, t.ts FROM mimir_cache_probe t
probe_uncached:
  name: probe_uncached
  description: No cache_ttl, never cached.
  connection_name: pagila_postgres
  time_col: t.ts
  time_col_alias: ts
  sql: SELECT t.id AS u_id, t.grp, t.n AS u_n, t.ts FROM mimir_cache_probe t
probe_wide:
  name: probe_wide
  description: Rows with a 200-character label, for results of some size.
  connection_name: pagila_postgres
  time_col: t.ts
  time_col_alias: ts
  cache_ttl: 300
  sql: >
    SELECT t.id AS x_id, repeat(t.grp, 200) || t.id AS label, t.n AS x_n, t.ts
    FROM mimir_cache_probe t
probe_huge:
  name: probe_huge
  description: Rows with a 20000-character label, for a cached answer of about 20 MB.
  connection_name: pagila_postgres
  time_col: t.ts
  time_col_alias: ts
  cache_ttl: 300
  sql: >
    SELECT t.id AS h_id, repeat(t.grp, 20000) || t.id AS huge_label, t.n AS h_n, t.ts
    FROM mimir_cache_probe t
probe_slow:
  name: probe_slow
  description: The table behind a one-second pg_sleep, cached.
  connection_name: pagila_postgres
  time_col: t.ts
  time_col_alias: ts
  cache_ttl: 300
  sql: >
    SELECT t.id AS w_id, t.grp, t.n AS w_n, t.ts, p.pause
    FROM mimir_cache_probe t CROSS JOIN (SELECT pg_sleep(1) AS pause) AS p
"""

PROBE_METRICS = """
name: probe_total
source_name: probe
sql: SUM(n)
---
name: probe_rows
source_name: probe
sql: COUNT(id)
---
name: b_total
source_name: probe_b
sql: SUM(b_n)
---
name: short_total
source_name: probe_short
sql: SUM(s_n)
---
name: uncached_total
source_name: probe_uncached
sql: SUM(u_n)
---
name: slow_total
source_name: probe_slow
sql: SUM(w_n)
---
name: wide_total
source_name: probe_wide
sql: SUM(x_n)
---
name: huge_total
source_name: probe_huge
sql: SUM(h_n)
"""

ROWS = 1000  # ids 1..ROWS, groups a, b, c


@pytest.fixture(scope="module")
def probe_table(pg):
    pg.query("DROP TABLE IF EXISTS mimir_cache_probe")
    pg.query("CREATE TABLE mimir_cache_probe (id int PRIMARY KEY, grp text, n int, ts timestamp)")
    yield
    pg.query("DROP TABLE IF EXISTS mimir_cache_probe")


@pytest.fixture
def probe(pg, probe_table):
    """Fresh rows for each test."""
    pg.query("TRUNCATE mimir_cache_probe")
    pg.query("INSERT INTO mimir_cache_probe SELECT i, chr(97 + i % 3), i % 17, "
             f"TIMESTAMP '2022-05-01' + i * INTERVAL '1 hour' FROM generate_series(1, {ROWS}) i")
    return pg


def bump(pg, delta=100):
    pg.query("UPDATE mimir_cache_probe SET n = n + %s", (delta,))


def make_configs(workdir, rentals_ttl=300):
    configs = workdir / "configs"
    shutil.copytree(REPO / "configs" / "pagila", configs)
    sources = configs / "sources" / "sources.yaml"
    sources.write_text(sources.read_text().replace(
        "  time_col_alias: ts\n", f"  time_col_alias: ts\n  cache_ttl: {rentals_ttl}\n"))
    (configs / "sources" / "probe.yaml").write_text(PROBE_SOURCES)
    (configs / "metrics" / "probe.yaml").write_text(PROBE_METRICS)
    return configs


@pytest.fixture
def cache_server(mimir_factory, pagila_secrets, workdir, probe):
    def make(server_yaml=None):
        args = []
        if server_yaml is not None:
            path = workdir / "server.yaml"
            path.write_text(server_yaml)
            args = ["--server-config", str(path)]
        server = mimir_factory(configs=make_configs(workdir), secrets=pagila_secrets,
                               name="mimir-cache", extra_args=args)
        with small_asan_quarantine():  # freed memory must not read as growth under ASan
            return server.start()
    return make


def rows(conn, sql):
    with conn.cursor() as cur:
        cur.execute(sql)
        return [tuple(r) for r in cur.fetchall()]


def pg_totals(pg, where="TRUE"):
    return [tuple(r) for r in pg.query(
        f"SELECT grp, SUM(n) FROM mimir_cache_probe WHERE {where} GROUP BY grp ORDER BY grp")]


BY_GROUP = "SELECT grp, AGG(probe_total) FROM mimir.metrics GROUP BY grp ORDER BY grp"


def test_repeat_is_served_from_cache_until_reload(cache_server, probe):
    server = cache_server()
    # The operator is told what is cached: all sources but probe_uncached and Pagila's
    # snapshot source copies_out (given no cache_ttl here), default bounds.
    server.wait_for_log(r"result cache: 8 of 10 sources have a cache_ttl; up to 67108864 "
                        r"bytes, 8388608 per answer")
    conn = server.connect()
    try:
        before = pg_totals(probe)
        assert rows(conn, BY_GROUP) == before
        bump(probe)
        after = pg_totals(probe)
        assert after != before
        # Not computed again: the old numbers.
        assert rows(conn, BY_GROUP) == before
        # Written differently (spacing, keyword case), planned the same: the same entry.
        assert rows(conn, "select grp, AGG(probe_total)\n  FROM   MIMIR.metrics  group BY grp "
                          "order  by grp") == before
        # From another connection too: the cache is the server's.
        other = server.connect()
        try:
            assert rows(other, BY_GROUP) == before
        finally:
            other.close()
        # SQL_NO_CACHE asks PostgreSQL, and does not replace the entry.
        assert rows(conn, BY_GROUP.replace("SELECT", "SELECT SQL_NO_CACHE")) == after
        assert rows(conn, BY_GROUP) == before
        # SQL_CACHE is accepted and changes nothing.
        assert rows(conn, BY_GROUP.replace("SELECT", "SELECT SQL_CACHE")) == before
        # A reload of the semantic layer empties the cache.
        server.proc.send_signal(signal.SIGHUP)
        server.wait_for_log("reloaded")
        assert rows(conn, BY_GROUP) == after
    finally:
        conn.close()


def test_hits_within_a_multi_statement_batch(cache_server, probe):
    from pymysql.constants import CLIENT

    server = cache_server()
    conn = server.connect(client_flag=CLIENT.MULTI_STATEMENTS)
    try:
        before = pg_totals(probe)
        assert rows(conn, BY_GROUP) == before
        bump(probe)
        with conn.cursor() as cur:
            # A hit, a miss (SQL_NO_CACHE), a hit, and a session query after them.
            cur.execute(f"{BY_GROUP}; {BY_GROUP.replace('SELECT', 'SELECT SQL_NO_CACHE')}; "
                        f"{BY_GROUP}; SELECT 1")
            results = [[tuple(r) for r in cur.fetchall()]]
            while cur.nextset():
                results.append([tuple(r) for r in cur.fetchall()])
        assert results == [before, pg_totals(probe), before, [(1,)]]
        assert_answers_select_1(conn)
    finally:
        conn.close()


def test_entries_expire_after_the_ttl(cache_server, probe):
    server = cache_server()
    conn = server.connect()
    sql = "SELECT grp, AGG(short_total) FROM mimir.metrics GROUP BY grp ORDER BY grp"
    try:
        before = pg_totals(probe)
        assert rows(conn, sql) == before
        stored = time.monotonic()
        bump(probe)
        after = pg_totals(probe)
        got = rows(conn, sql)
        if time.monotonic() - stored < 1.8:  # still within the 2 s TTL
            assert got == before
        while time.monotonic() - stored < 2.2:
            time.sleep(0.1)
        assert rows(conn, sql) == after
    finally:
        conn.close()


def test_other_literals_filters_and_aliases_miss(cache_server, probe):
    server = cache_server()
    conn = server.connect()
    filtered = ("SELECT grp, AGG(probe_total) FROM mimir.metrics WHERE grp = '{}' "
                "GROUP BY grp")
    try:
        a_before = pg_totals(probe, "grp = 'a'")
        assert rows(conn, filtered.format("a")) == a_before
        assert rows(conn, BY_GROUP) == pg_totals(probe)
        bump(probe)
        # Another literal: another plan, asked of PostgreSQL.
        assert rows(conn, filtered.format("b")) == pg_totals(probe, "grp = 'b'")
        assert rows(conn, filtered.format("a")) == a_before
        # Another filter.
        assert rows(conn, BY_GROUP.replace("GROUP BY", "WHERE n > 3 GROUP BY")) == \
            pg_totals(probe, "n > 3")
        # An alias names the column differently: not the same answer on the wire.
        with conn.cursor() as cur:
            cur.execute("SELECT grp, AGG(probe_total) AS total FROM mimir.metrics "
                        "GROUP BY grp ORDER BY grp")
            assert [d[0] for d in cur.description] == ["grp", "total"]
            assert [tuple(r) for r in cur.fetchall()] == pg_totals(probe)
        # Another LIMIT is another answer.
        assert rows(conn, BY_GROUP + " LIMIT 2") == pg_totals(probe)[:2]
    finally:
        conn.close()


def test_sources_without_cache_ttl_are_never_cached(cache_server, probe):
    server = cache_server()
    conn = server.connect()
    alone = "SELECT grp, AGG(uncached_total) FROM mimir.metrics GROUP BY grp ORDER BY grp"
    mixed = ("SELECT grp, AGG(probe_total), AGG(uncached_total) FROM mimir.metrics "
             "GROUP BY grp ORDER BY grp")
    try:
        assert rows(conn, alone) == pg_totals(probe)
        assert [r[:2] for r in rows(conn, mixed)] == pg_totals(probe)
        bump(probe)
        after = pg_totals(probe)
        assert rows(conn, alone) == after
        # One source without cache_ttl is enough to never cache the query.
        assert rows(conn, mixed) == [(g, t, t) for g, t in after]
    finally:
        conn.close()


def test_answers_that_change_by_themselves_are_not_cached(cache_server, probe):
    server = cache_server()
    conn = server.connect()
    sql = ("SELECT grp, AGG(probe_total) FROM mimir.metrics WHERE ts < NOW() "
           "GROUP BY grp ORDER BY grp")
    try:
        assert rows(conn, sql) == pg_totals(probe)
        bump(probe)
        assert rows(conn, sql) == pg_totals(probe)
    finally:
        conn.close()


def test_a_union_with_now_in_any_member_is_not_cached(cache_server, probe):
    """A member of a UNION (or a window's ORDER BY) that reads the clock makes the whole
    answer change by itself."""
    server = cache_server()
    conn = server.connect()
    sql = ("SELECT grp, AGG(probe_total) FROM mimir.metrics GROUP BY grp UNION ALL "
           "SELECT grp, AGG(probe_total) FROM mimir.metrics WHERE ts < NOW() GROUP BY grp "
           "ORDER BY 1, 2")
    try:
        assert rows(conn, sql) == sorted(pg_totals(probe) * 2)
        bump(probe)
        assert rows(conn, sql) == sorted(pg_totals(probe) * 2)
    finally:
        conn.close()


def test_multi_source_results_are_cached(cache_server, probe):
    server = cache_server()
    conn = server.connect()
    sql = ("SELECT grp, AGG(probe_total), AGG(b_total), AGG(probe_total) / AGG(probe_rows) "
           "AS avg_n FROM mimir.metrics GROUP BY grp ORDER BY grp")

    def want():
        # BIGINT / BIGINT is an exact DECIMAL with 4 decimals, as in MySQL.
        return [(g, t, t, pytest.approx(Decimal(t) / Decimal(c), abs=Decimal("0.00005")))
                for g, t, c in probe.query(
            "SELECT grp, SUM(n), COUNT(id) FROM mimir_cache_probe GROUP BY grp ORDER BY grp")]
    try:
        before = want()
        with conn.cursor() as cur:
            cur.execute(sql)
            first_types = [d[1] for d in cur.description]
            assert [tuple(r) for r in cur.fetchall()] == before
        bump(probe)
        with conn.cursor() as cur:
            cur.execute(sql)
            # The same column definitions as the computed answer, then the old numbers.
            assert [d[1] for d in cur.description] == first_types
            assert [tuple(r) for r in cur.fetchall()] == before
        assert rows(conn, sql.replace("SELECT", "SELECT SQL_NO_CACHE")) == want()
    finally:
        conn.close()


def test_derived_tables_are_cached(cache_server, probe):
    server = cache_server()
    conn = server.connect()
    sql = ("SELECT t.grp, t.total FROM (SELECT grp, AGG(probe_total) AS total FROM mimir.metrics "
           "GROUP BY grp) AS t WHERE t.total > 0 ORDER BY t.grp")
    try:
        before = pg_totals(probe)
        assert rows(conn, sql) == before
        bump(probe)
        assert rows(conn, sql) == before
        # The inner query alone is another answer (other columns, no outer stage).
        assert rows(conn, "SELECT grp, AGG(probe_total) AS total FROM mimir.metrics "
                          "GROUP BY grp ORDER BY grp") == pg_totals(probe)
        # EXPLAIN runs nothing and is never cached.
        explained = rows(conn, "EXPLAIN " + sql)
        assert explained and "mimir_cache_probe" in explained[0][4]
    finally:
        conn.close()


def test_prepared_statements_share_entries_with_text_queries(cache_server, probe, run_stmt):
    server = cache_server()
    sql = "SELECT grp, AGG(probe_total) FROM mimir.metrics WHERE grp = ? GROUP BY grp"
    before = pg_totals(probe, "grp = 'a'")
    got = run_stmt(server, sql, "s:a")
    assert got.rows == [[(g, int(t)) for g, t in before]]
    bump(probe)
    # The binary protocol, from the entry the first execute stored.
    got = run_stmt(server, sql, "s:a", repeat=2)
    assert got.rows == [[(g, int(t)) for g, t in before]] * 2
    # A literal written in place of the parameter plans the same: the same entry.
    conn = server.connect()
    try:
        assert rows(conn, sql.replace("?", "'a'")) == before
        assert rows(conn, sql.replace("?", "'b'")) == pg_totals(probe, "grp = 'b'")
    finally:
        conn.close()
    # And the other way round: a text query's entry answers a prepared execute.
    assert run_stmt(server, sql, "s:b").rows == [[(g, int(t)) for g, t in
                                                 pg_totals(probe, "grp = 'b'")]]


def test_timed_out_queries_are_not_cached(cache_server, probe):
    server = cache_server()
    conn = server.connect()
    sql = "SELECT grp, AGG(slow_total) FROM mimir.metrics GROUP BY grp ORDER BY grp"
    try:
        rows(conn, "SET SESSION max_execution_time = 300")
        with pytest.raises(pymysql.err.OperationalError) as excinfo:
            rows(conn, sql)
        code, message = mysql_error(excinfo)
        assert code == 3024
        assert "maximum statement execution time exceeded" in message
        assert_answers_select_1(conn)
        rows(conn, "SET SESSION max_execution_time = 0")
        bump(probe)
        # Nothing was kept of the interrupted query: the answer is computed, complete.
        assert rows(conn, sql) == pg_totals(probe)
    finally:
        conn.close()


def test_results_over_a_limit_are_refused_from_the_cache_too(cache_server, probe):
    server = cache_server("limits:\n  max_result_rows: 2\n")
    conn = server.connect()
    try:
        assert rows(conn, BY_GROUP + " LIMIT 2") == pg_totals(probe)[:2]
        for _ in range(2):
            with pytest.raises(pymysql.err.MySQLError) as excinfo:
                rows(conn, BY_GROUP)
            code, message = mysql_error(excinfo)
            assert code == 1104
            assert "max_result_rows" in message
            assert_answers_select_1(conn)
    finally:
        conn.close()



def test_the_bound_in_bytes_evicts_and_refuses(cache_server, probe):
    server = cache_server("cache:\n  max_bytes: 64KiB\n  max_entry_bytes: 12KiB\n")
    conn = server.connect()
    by_id = "SELECT id, AGG(probe_total) FROM mimir.metrics WHERE id <= {} GROUP BY id ORDER BY id"

    def pg_by_id(limit):
        return [tuple(r) for r in probe.query(
            "SELECT id, SUM(n) FROM mimir_cache_probe WHERE id <= %s GROUP BY id ORDER BY id",
            (limit,))]
    try:
        # About 250 rows of two small numbers: a few KiB, cached; 1000 rows: over 12 KiB.
        first = pg_by_id(250)
        assert rows(conn, by_id.format(250)) == first
        whole = pg_by_id(ROWS)
        assert rows(conn, by_id.format(ROWS)) == whole
        # Many distinct answers: far more than 64 KiB together.
        for k in range(251, 551):
            rows(conn, by_id.format(k))
        last = pg_by_id(550)
        bump(probe)
        # The oldest entries were evicted, the newest kept; the oversized one was never stored.
        assert rows(conn, by_id.format(250)) == pg_by_id(250)
        assert rows(conn, by_id.format(550)) == last
        assert rows(conn, by_id.format(ROWS)) == pg_by_id(ROWS)
    finally:
        conn.close()


def test_memory_stays_within_the_bound(cache_server, probe):
    """120 distinct answers of ~150-200 KB each (over 18 MB together) through a
    1 MiB cache: the server's resident memory grows by far less."""
    server = cache_server("cache:\n  max_bytes: 1MiB\n  max_entry_bytes: 512KiB\n")
    conn = server.connect()
    wide = "SELECT label, AGG(wide_total) FROM mimir.metrics WHERE x_id <= {} GROUP BY label"
    try:
        for k in range(700, 720):  # warm up: pools, allocator arenas
            rows(conn, wide.format(k))
        start = rss_kib(server.proc.pid)
        total = 0
        for k in range(720, 840):
            total += sum(len(label) + 4 for label, _ in rows(conn, wide.format(k)))
        assert total > 18 * 1024 * 1024
        assert rss_kib(server.proc.pid) - start < 8 * 1024
        # The newest answer was kept: after a change it still shows the old numbers.
        want = sorted(tuple(r) for r in probe.query(
            "SELECT repeat(grp, 200) || id, SUM(n) FROM mimir_cache_probe WHERE id <= 839 "
            "GROUP BY 1"))
        bump(probe)
        assert sorted(rows(conn, wide.format(839))) == want
    finally:
        conn.close()


def test_a_large_cached_answer_waits_for_a_slow_reader(cache_server, probe):
    """A ~20 MB answer from the cache to a client that does not read: Mimir holds
    back (about 1 MiB waiting) instead of copying the whole answer out."""
    server = cache_server("cache:\n  max_entry_bytes: 32MiB\n")
    sql = ("SELECT huge_label, AGG(huge_total) FROM mimir.metrics GROUP BY huge_label "
           "ORDER BY huge_label")
    want = [(label, str(total)) for label, total in probe.query(
        "SELECT repeat(grp, 20000) || id AS l, SUM(n) FROM mimir_cache_probe GROUP BY l "
        "ORDER BY 1")]
    conn = server.connect()
    try:
        assert len(rows(conn, sql)) == ROWS  # computed, and stored
    finally:
        conn.close()
    bump(probe)
    client = RawClient(server.port).login()
    client.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    before = rss_kib(server.proc.pid)
    client.send(bytes([COM_QUERY]) + sql.encode())
    time.sleep(1)
    held = rss_kib(server.proc.pid) - before
    result = client.read_result()
    got = client.text_rows(result)
    # The old numbers, in full: this came from the cache, through the pauses.
    assert sorted(got) == sorted(want)
    if not sanitized(server.proc.pid):
        assert held < 6 * 1024, f"{held} KiB more while the client did not read"
    assert client.select_one("SELECT 1") == ("1",)
    client.close()


def test_cache_off_with_max_bytes_zero(cache_server, probe):
    server = cache_server("cache:\n  max_bytes: 0\n")
    server.wait_for_log(r"result cache: off \(cache: max_bytes is 0\), although 8 sources have")
    conn = server.connect()
    try:
        assert rows(conn, BY_GROUP) == pg_totals(probe)
        bump(probe)
        assert rows(conn, BY_GROUP) == pg_totals(probe)
    finally:
        conn.close()


def test_reloading_the_server_config_resizes_and_empties(cache_server, probe, workdir):
    server = cache_server("cache:\n  max_bytes: 1MiB\n")
    conn = server.connect()
    try:
        before = pg_totals(probe)
        assert rows(conn, BY_GROUP) == before
        bump(probe)
        assert rows(conn, BY_GROUP) == before
        (workdir / "server.yaml").write_text("cache:\n  max_bytes: 0\n")
        server.proc.send_signal(signal.SIGHUP)
        server.wait_for_log("reloaded")
        assert rows(conn, BY_GROUP) == pg_totals(probe)
        bump(probe)
        assert rows(conn, BY_GROUP) == pg_totals(probe)  # off now
    finally:
        conn.close()


DASHBOARD = ("SELECT dim_rental_category, year_month, AGG(movies_rented), "
             "AGG(rentals_revenue), AGG(action_movies_rented) FROM mimir.metrics "
             "GROUP BY dim_rental_category, year_month ORDER BY dim_rental_category, year_month")


def test_cache_outcomes_in_query_records_and_metrics(cache_server, probe, workdir):
    """Each query record says what the cache did, and /metrics counts hits and
    misses. (How much faster a hit is lives in the benchmark, `make bench`.)"""
    from conftest import free_port
    from test_observability import metric, records_of, scrape, wait_record
    log, admin = workdir / "queries.log", free_port()
    server = cache_server(f"log:\n  file: {log}\n  level: info\nadmin:\n  port: {admin}\n")
    conn = server.connect()
    try:
        conn_id = conn.thread_id()
        before = scrape(admin)
        want = pg_totals(probe)
        assert rows(conn, BY_GROUP) == want
        assert rows(conn, BY_GROUP) == want
        assert rows(conn, BY_GROUP.replace("SELECT", "SELECT SQL_NO_CACHE")) == want
        assert rows(conn, "SELECT AGG(uncached_total) FROM mimir.metrics")
        got = [r["cache"] for r in wait_record(log, conn_id, count=4)]
        assert got == ["miss", "hit", "bypass", "off"]
        hit = records_of(log, conn_id)[1]
        assert hit["status"] == "ok" and hit["rows"] == len(want)
        after = scrape(admin)
        for name in ("mimir_cache_hits_total", "mimir_cache_misses_total"):
            assert metric(after, name) - metric(before, name) == 1, name
    finally:
        conn.close()


@pytest.mark.parametrize("value", ["-5", "5m", "1.5", "86401"])
def test_bad_cache_ttl_is_refused_with_file_and_line(mimir_factory, pagila_secrets, workdir,
                                                     value):
    configs = make_configs(workdir)
    (configs / "sources" / "probe.yaml").write_text(
        PROBE_SOURCES.replace("cache_ttl: 300", f"cache_ttl: {value}", 1))
    server = mimir_factory(configs=configs, secrets=pagila_secrets, name="mimir-bad-ttl")
    rc, stderr = server.run_until_exit()
    assert rc != 0
    assert "probe.yaml:8:" in stderr
    assert "cache_ttl must be a whole number of seconds from 0 (not cached) to 86400" in stderr


def test_bad_cache_section_is_refused_with_file_and_line(mimir_factory, pagila_secrets,
                                                         workdir):
    path = workdir / "server.yaml"
    path.write_text("cache:\n  max_bytes: 64MB\n")
    server = mimir_factory(configs=make_configs(workdir), secrets=pagila_secrets,
                           name="mimir-bad-cache", extra_args=["--server-config", str(path)])
    rc, stderr = server.run_until_exit()
    assert rc != 0
    assert "server.yaml:2: 'max_bytes' must be a size" in stderr


def test_describe_shows_cache_ttl(workdir):
    import json
    import subprocess

    from conftest import MIMIR_BIN

    configs = make_configs(workdir)
    for name, ttl in (("probe", "300"), ("probe_short", "2"), ("probe_uncached", None)):
        proc = subprocess.run([str(MIMIR_BIN), "describe", name, "source", "--configs",
                               str(configs), "--format", "json"], capture_output=True,
                              text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        (src,) = json.loads(proc.stdout)
        assert src.get("cache_ttl") == ttl


def test_sql_no_cache_in_session_queries(mimir):
    conn = mimir.connect()
    try:
        assert rows(conn, "SELECT SQL_NO_CACHE 1") == [(1,)]
    finally:
        conn.close()
