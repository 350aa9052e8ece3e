"""Observability (issue 7): the per-query JSON log record and the admin HTTP
listener (/healthz, /metrics in the Prometheus text format).

Every record is checked against what the client saw and against PostgreSQL:
the rows a source returned are counted on PostgreSQL in the same run. The
/metrics page is parsed with a small parser of the text format (below) and
its counters are compared before and after a known number of queries.
"""

import json
import os
import re
import signal
import socket
import time
import urllib.error
import urllib.request

import pymysql
import pytest
from pymysql.constants import CLIENT

from conftest import MimirServer, free_port
from mysql_wire import COM_QUERY, RawClient, ServerError
from support import (README_EXPECTED_SQL, README_QUERY, SOURCES, assert_answers_select_1,
                     expected, mimir_sql, mysql_error)
from test_runtime import make_configs, sleeping_backends, start_slow_query, wait_for

# --------------------------------------------------------------------------
# helpers: the log file, the admin endpoint, the Prometheus text format
# --------------------------------------------------------------------------


def records(path):
    """The query records of a log file (its lines that are JSON objects); every
    such line must parse."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    out = []
    for line in data.split(b"\n"):
        if line.startswith(b"{"):
            out.append(json.loads(line.decode("utf-8")))  # strict: the line is valid UTF-8 JSON
    return out


def records_of(path, conn_id):
    return [r for r in records(path) if r["conn"] == conn_id]


def wait_record(path, conn_id, count=1, timeout=10):
    wait_for(lambda: len(records_of(path, conn_id)) >= count, timeout=timeout)
    return records_of(path, conn_id)


def http(port, path, method="GET"):
    """(status, headers, body text) of one request to the admin listener."""
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.headers, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read().decode()


LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)')
SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$")


def unescape(value):
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), value)


def parse_prometheus(text):
    """Parses the text exposition format 0.0.4 strictly enough for a test:
    returns ({(name, frozenset(labels)): value}, {family: type}). Every sample
    must belong to a family declared by a TYPE line (with a HELP line) before it."""
    samples, types, helps = {}, {}, set()
    for line in text.splitlines():
        if not line:
            continue
        if line.startswith("# HELP "):
            helps.add(line.split()[2])
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split()
            assert name in helps, f"TYPE {name} without HELP"
            assert kind in ("counter", "gauge", "histogram", "summary", "untyped")
            types[name] = kind
            continue
        assert not line.startswith("#"), line
        m = SAMPLE.match(line)
        assert m, f"not a sample line: {line!r}"
        name, labeltext, value = m.groups()
        family = re.sub(r"_(bucket|sum|count)$", "", name) if name not in types else name
        assert family in types, f"sample {name} before its TYPE line"
        labels = {}
        rest = labeltext or ""
        while rest:
            lm = LABEL.match(rest)
            assert lm, f"bad labels in {line!r}"
            labels[lm.group(1)] = unescape(lm.group(2))
            rest = rest[lm.end():]
        key = (name, frozenset(labels.items()))
        assert key not in samples, f"duplicate series {line!r}"
        samples[key] = float(value)
    return samples, types


def metric(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0.0)


def scrape(port):
    status, headers, body = http(port, "/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return parse_prometheus(body)[0]


def check_histogram(samples, name, **labels):
    """Buckets are cumulative, +Inf equals _count; returns _count."""
    buckets = sorted(((float(dict(k[1])["le"]), v) for k, v in samples.items()
                      if k[0] == name + "_bucket"
                      and all(dict(k[1]).get(a) == b for a, b in labels.items())))
    assert buckets and buckets[-1][0] == float("inf")
    values = [v for _, v in buckets]
    assert values == sorted(values), f"{name} buckets are not cumulative: {buckets}"
    count = metric(samples, name + "_count", **labels)
    assert buckets[-1][1] == count
    return count


def group_count(pg, source, dims):
    """Rows of source's partial result grouped by dims, counted on PostgreSQL."""
    by = ", ".join(dims)
    return pg.query(f"SELECT COUNT(*) FROM (SELECT {by} FROM ({SOURCES[source]}) AS s "
                    f"GROUP BY {by}) AS g")[0][0]


def local_port(conn):
    return conn._sock.getsockname()[1]


def start_server(session_dir, configs, secrets, workdir, log=None, admin_port=None,
                 extra=(), limits=None, name="mimir-obs"):
    """A server with a --server-config holding the given log:/admin:/limits: sections."""
    text = ""
    if log:
        text += "log:\n" + "".join(f"  {k}: {v}\n" for k, v in log.items())
    if admin_port:
        text += f"admin:\n  port: {admin_port}\n"
    if limits:
        text += "limits:\n" + "".join(f"  {k}: {v}\n" for k, v in limits.items())
    args = list(extra)
    if text:
        path = workdir / f"server-{free_port()}.yaml"
        path.write_text(text)
        args += ["--server-config", str(path)]
    server = MimirServer(session_dir, configs=configs, secrets=secrets, name=name,
                         extra_args=args)
    return server.start()


def stop_checked(server):
    server.stop()
    problem = server.exit_problem()
    if problem:
        pytest.fail(problem, pytrace=False)


# --------------------------------------------------------------------------
# the module's server: log to a file, admin listener on
# --------------------------------------------------------------------------


class Obs:
    pass


@pytest.fixture(scope="module")
def obs(request, session_dir, pg, pagila_secrets):
    from conftest import _make_dir

    workdir = _make_dir(session_dir, "obs-")
    o = Obs()
    o.log = workdir / "mimir.log"
    o.admin = free_port()
    o.server = start_server(session_dir, make_configs(workdir), pagila_secrets, workdir,
                            log={"file": str(o.log), "level": "info"}, admin_port=o.admin)
    request.addfinalizer(lambda: stop_checked(o.server))
    # Column types come from PostgreSQL a moment after startup (logged to the file).
    wait_for(lambda: "column types discovered" in o.log.read_text(errors="replace"), timeout=15)
    return o


# --------------------------------------------------------------------------
# the query record
# --------------------------------------------------------------------------


def test_single_source_record(obs, pg):
    conn = obs.server.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(README_QUERY)
            got = cur.fetchall()
        want = pg.query(README_EXPECTED_SQL)
        assert len(got) == len(want)
        [rec] = wait_record(obs.log, conn.thread_id())
        assert rec["event"] == "query" and rec["level"] == "info"
        assert rec["user"] == "anyone"
        assert rec["client"] == f"127.0.0.1:{local_port(conn)}"
        assert rec["statement"] == "select"
        assert rec["metrics"] == ["movies_rented", "rentals_revenue"]
        assert rec["dimensions"] == ["dim_rental_category"]
        [src] = rec["sources"]
        assert src["name"] == "rentals" and src["connection"] == "pagila_postgres"
        assert src["rows"] == len(want)
        assert src["backend_ms"] >= 0
        assert rec["combine_ms"] is None  # one source: streamed, no combine
        assert rec["total_ms"] >= src["backend_ms"]
        assert rec["rows"] == len(want)
        assert rec["bytes"] > 0
        assert rec["cache"] == "off"
        assert (rec["status"], rec["error_code"], rec["error"]) == ("ok", 0, None)
        assert "sql" not in rec  # the statement text only at debug level
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", rec["ts"])
    finally:
        conn.close()


def test_two_source_record(obs, pg):
    dims, metrics = ["dim_store_id"], ["movies_rented", "payments_revenue"]
    conn = obs.server.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(mimir_sql(dims, metrics))
            got = cur.fetchall()
        want = expected(pg, dims, metrics)
        assert len(got) == len(want)
        [rec] = wait_record(obs.log, conn.thread_id())
        assert rec["metrics"] == metrics and rec["dimensions"] == dims
        by_name = {s["name"]: s for s in rec["sources"]}
        assert set(by_name) == {"rentals", "payments"}
        for name in ("rentals", "payments"):
            assert by_name[name]["rows"] == group_count(pg, name, dims)
            assert by_name[name]["connection"] == "pagila_postgres"
            assert by_name[name]["backend_ms"] >= 0
        assert isinstance(rec["combine_ms"], float) and rec["combine_ms"] >= 0
        assert rec["rows"] == len(want)
        assert rec["status"] == "ok"
    finally:
        conn.close()


def test_planner_error_record(obs):
    conn = obs.server.connect()
    try:
        with conn.cursor() as cur:
            with pytest.raises(pymysql.err.MySQLError) as excinfo:
                cur.execute("SELECT AGG(no_such_metric) FROM mimir.metrics")
        code, message = mysql_error(excinfo)
        assert code != 0 and "no_such_metric" in message
        assert_answers_select_1(conn)
        recs = wait_record(obs.log, conn.thread_id())
        [rec] = [r for r in recs if r["status"] != "ok"]
        assert (rec["status"], rec["error_code"], rec["error"]) == ("error", code, message)
        assert rec["level"] == "info"
        assert rec["sources"] == []
    finally:
        conn.close()


def test_error_text_with_quotes_and_newlines(obs):
    """The client's text reaches the record through the error message: the
    line stays valid JSON (records() parses it strictly)."""
    client = RawClient(obs.server.port).login()
    try:
        name = 'we"ird\\ \n\tnäme\x01'
        client.send(bytes([COM_QUERY]) +
                    f"SELECT AGG(`{name}`) FROM mimir.metrics".encode())
        with pytest.raises(ServerError) as excinfo:
            client.read_result()
        [rec] = wait_record(obs.log, client.connection_id)
        assert rec["status"] == "error" and rec["error_code"] == excinfo.value.code
        assert rec["error"] == excinfo.value.message
        assert name in rec["error"]
        assert client.select_one("SELECT 1") == ("1",)
    finally:
        client.close()


def test_invalid_utf8_statement_is_refused_and_logged(obs):
    """Mimir refuses a statement that is not UTF-8 (1300); the record of the
    refusal is valid JSON all the same."""
    client = RawClient(obs.server.port).login()
    try:
        client.send(bytes([COM_QUERY]) + b"SELECT AGG(`x\xff\xe9`) FROM mimir.metrics")
        with pytest.raises(ServerError) as excinfo:
            client.read_result()
        assert excinfo.value.code == 1300
        [rec] = wait_record(obs.log, client.connection_id)
        assert (rec["status"], rec["error_code"]) == ("error", 1300)
        assert client.select_one("SELECT 1") == ("1",)
    finally:
        client.close()


def test_session_statements_are_not_logged_at_info(obs):
    conn = obs.server.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT @@version_comment")
            cur.execute("SET NAMES utf8mb4")
            cur.execute("SHOW DATABASES")
        assert_answers_select_1(conn)
        time.sleep(0.2)
        assert records_of(obs.log, conn.thread_id()) == []
    finally:
        conn.close()


def test_killed_timeout_and_disconnected_records(obs, pg):
    # KILL QUERY: 1317, status killed; pool gauges show the busy connection meanwhile.
    client = start_slow_query(obs.server)
    wait_for(lambda: sleeping_backends(pg) == 1)
    during = scrape(obs.admin)
    assert metric(during, "mimir_pool_connections", connection="pagila_postgres",
                  state="busy") >= 1
    assert metric(during, "mimir_queries_running") == 1
    killer = obs.server.connect()
    try:
        with killer.cursor() as cur:
            cur.execute(f"KILL QUERY {client.connection_id}")
        with pytest.raises(ServerError) as excinfo:
            client.read_result()
        assert excinfo.value.code == 1317
        [rec] = wait_record(obs.log, client.connection_id)
        assert (rec["status"], rec["error_code"]) == ("killed", 1317)
        assert rec["metrics"] == ["slow_count"]
        assert rec["sources"][0]["name"] == "slow"
        assert client.select_one("SELECT 1") == ("1",)
        assert_answers_select_1(killer)
    finally:
        killer.close()
        client.close()
    wait_for(lambda: sleeping_backends(pg) == 0)

    # A time limit: 3024, status timeout.
    conn = obs.server.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SET max_execution_time = 500")
            with pytest.raises(pymysql.err.MySQLError) as excinfo:
                cur.execute("SELECT AGG(slow_count) FROM mimir.metrics")
        code, message = mysql_error(excinfo)
        assert code == 3024
        [rec] = wait_record(obs.log, conn.thread_id())
        assert (rec["status"], rec["error_code"], rec["error"]) == ("timeout", 3024, message)
        assert rec["total_ms"] >= 400  # libevent times the limit from its cached clock
        assert_answers_select_1(conn)
    finally:
        conn.close()
    wait_for(lambda: sleeping_backends(pg) == 0)

    # The client leaves mid-query: status disconnected.
    client = start_slow_query(obs.server)
    wait_for(lambda: sleeping_backends(pg) == 1)
    client.sock.close()
    [rec] = wait_record(obs.log, client.connection_id)
    assert (rec["status"], rec["error_code"]) == ("disconnected", 0)
    wait_for(lambda: sleeping_backends(pg) == 0)
    conn = obs.server.connect()
    assert_answers_select_1(conn)
    conn.close()


def test_prepared_statement_and_batch_records(obs, pg):
    """COM_STMT_EXECUTE gets a record like COM_QUERY; each statement of a
    multi-statement batch gets its own."""
    want = pg.query(README_EXPECTED_SQL)
    client = RawClient(obs.server.port).login()
    try:
        stmt_id, _, nparams = client.prepare(README_QUERY.rstrip(";"))
        assert nparams == 0
        result = client.execute(stmt_id)
        assert len(result.rows) == len(want)
        [rec] = wait_record(obs.log, client.connection_id)
        assert rec["statement"] == "select" and rec["status"] == "ok"
        assert rec["rows"] == len(want) and rec["sources"][0]["rows"] == len(want)
    finally:
        client.close()

    conn = obs.server.connect(client_flag=CLIENT.MULTI_STATEMENTS)
    try:
        with conn.cursor() as cur:
            cur.execute(README_QUERY.rstrip(";") + "; SELECT 1; "
                        + mimir_sql(["dim_store_id"], ["payments_count"]))
            while cur.nextset():
                pass
        recs = wait_record(obs.log, conn.thread_id(), count=2)
        assert [r["metrics"] for r in recs] == [["movies_rented", "rentals_revenue"],
                                                ["payments_count"]]
        assert all(r["status"] == "ok" for r in recs)
    finally:
        conn.close()


# --------------------------------------------------------------------------
# /metrics and /healthz
# --------------------------------------------------------------------------


def test_metrics_counters_move_by_the_queries_run(obs, pg):
    n = 3
    groups = group_count(pg, "rentals", ["dim_store_id"])
    before = scrape(obs.admin)
    conn = obs.server.connect()
    try:
        with conn.cursor() as cur:
            for _ in range(n):
                cur.execute(mimir_sql(["dim_store_id"], ["movies_rented"]))
                assert len(cur.fetchall()) == groups
            with pytest.raises(pymysql.err.MySQLError):
                cur.execute("SELECT AGG(no_such_metric) FROM mimir.metrics")
            cur.execute("SET @a = 1")  # a session statement: not counted
        during = scrape(obs.admin)
        assert metric(during, "mimir_connections") == metric(before, "mimir_connections") + 1
    finally:
        conn.close()
    recs = wait_record(obs.log, conn.thread_id(), count=n + 1)
    after = scrape(obs.admin)

    def delta(name, **labels):
        return metric(after, name, **labels) - metric(before, name, **labels)

    assert delta("mimir_queries_total", status="ok") == n
    assert delta("mimir_queries_total", status="error") == 1
    for status in ("killed", "timeout", "disconnected"):
        assert delta("mimir_queries_total", status=status) == 0
    count_before = check_histogram(before, "mimir_query_duration_seconds")
    count_after = check_histogram(after, "mimir_query_duration_seconds")
    assert count_after - count_before == n + 1
    assert count_after == sum(metric(after, "mimir_queries_total", status=s)
                              for s in ("ok", "error", "killed", "timeout", "disconnected"))
    assert delta("mimir_query_duration_seconds_sum") > 0
    b_before = check_histogram(before, "mimir_backend_query_duration_seconds", source="rentals")
    b_after = check_histogram(after, "mimir_backend_query_duration_seconds", source="rentals")
    assert b_after - b_before == n
    assert delta("mimir_backend_rows_total", source="rentals") == n * groups
    assert delta("mimir_connections_total") == 1
    assert delta("mimir_connections_rejected_total") == 0
    # Every byte of every record went out, plus the greeting and the SET's OK.
    assert delta("mimir_bytes_out_total") > sum(r["bytes"] for r in recs)
    assert delta("mimir_cache_hits_total") == 0 and delta("mimir_cache_misses_total") == 0
    assert metric(after, "mimir_pool_waiting", connection="pagila_postgres") == 0


def test_healthz_and_reload(obs):
    status, headers, body = http(obs.admin, "/healthz")
    assert status == 200 and headers["Content-Type"] == "application/json"
    health = json.loads(body)
    assert health["status"] == "ok"
    configs = obs.server.configs
    sources = sum(len(re.findall(r"^\S+:\s*$", p.read_text(), re.M))
                  for p in (configs / "sources").glob("*.yaml"))
    assert health["sources"] == sources
    generation = health["catalog_generation"]
    before = scrape(obs.admin)
    assert metric(before, "mimir_catalog_generation") == generation

    # logrotate: move the file away, SIGHUP; new records go to a new file.
    rotated = obs.log.with_name("mimir.log.1")
    os.rename(obs.log, rotated)
    obs.server.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: obs.log.exists() and "reloaded:" in obs.log.read_text())
    after = scrape(obs.admin)
    assert metric(after, "mimir_reloads_total", result="ok") == \
        metric(before, "mimir_reloads_total", result="ok") + 1
    assert json.loads(http(obs.admin, "/healthz")[2])["catalog_generation"] == generation + 1
    conn = obs.server.connect()
    try:
        assert_answers_select_1(conn)
        with conn.cursor() as cur:
            cur.execute(README_QUERY)
        wait_record(obs.log, conn.thread_id())
        assert records_of(rotated, conn.thread_id()) == []
    finally:
        conn.close()


def test_unknown_paths_and_methods(obs):
    status, _, body = http(obs.admin, "/nope")
    assert status == 404 and "/metrics" in body
    status, _, _ = http(obs.admin, "/metrics/extra")
    assert status == 404
    for method in ("POST", "PUT", "DELETE"):
        status, headers, _ = http(obs.admin, "/metrics", method=method)
        assert status == 405 and headers["Allow"] == "GET"
    status, _, _ = http(obs.admin, "/healthz", method="POST")
    assert status == 405
    # Still serving after all that, on both ports.
    assert http(obs.admin, "/healthz")[0] == 200
    assert_answers_select_1(obs.server.connect())


def test_hostile_admin_requests(obs):
    """Garbage, oversized headers and a client that sends nothing: the admin
    listener answers or drops them, and both ports keep serving."""
    for payload in (b"\x00\xff garbage\r\n\r\n",
                    b"GET /metrics HTTP/1.1\r\nX: " + b"a" * 20000 + b"\r\n\r\n",
                    b"GET /metrics HTTP/1.1\r\nContent-Length: 99999\r\n\r\n" + b"x" * 4096):
        with socket.create_connection(("127.0.0.1", obs.admin), timeout=10) as s:
            try:
                s.sendall(payload)
                reply = s.recv(4096)
            except ConnectionResetError:
                reply = b""
            assert not reply.startswith(b"HTTP/1.1 200")
    idle = socket.create_connection(("127.0.0.1", obs.admin), timeout=10)
    try:
        assert http(obs.admin, "/healthz")[0] == 200
        scrape(obs.admin)
        conn = obs.server.connect()
        assert_answers_select_1(conn)
        conn.close()
    finally:
        idle.close()


# --------------------------------------------------------------------------
# servers of their own
# --------------------------------------------------------------------------


def listening_ports(pid):
    """TCP ports the process listens on (from /proc: its socket inodes in LISTEN)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        m = re.match(r"socket:\[(\d+)\]", target)
        if m:
            inodes.add(m.group(1))
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                cols = line.split()
                if cols[3] == "0A" and cols[9] in inodes:
                    ports.add(int(cols[1].split(":")[1], 16))
    return ports


def test_admin_port_absent_by_default_and_log_on_stderr(mimir_factory, pagila_secrets, workdir):
    server = mimir_factory(configs=make_configs(workdir), secrets=pagila_secrets)
    server.start()
    assert listening_ports(server.proc.pid) == {server.port}
    assert "admin HTTP" not in server.stderr()
    conn = server.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(README_QUERY)
        server.wait_for_log(rf'^\{{"ts":.*"conn":{conn.thread_id()},.*"status":"ok"')
    finally:
        conn.close()


def test_debug_level_logs_statement_text_and_session_statements(mimir_factory, pagila_secrets,
                                                                 workdir):
    server = mimir_factory(configs=make_configs(workdir), secrets=pagila_secrets,
                           extra_args=["--log-level", "debug"])
    server.start()
    client = RawClient(server.port).login()
    try:
        text = b"SELECT 'it''s \"quoted\"\n\tand \xff\xfe invalid', AGG(movies_rented) FROM mimir.metrics"
        client.send(bytes([COM_QUERY]) + text)
        try:
            client.read_result()
        except ServerError:
            pass  # ok or an error: either way the record carries the text
        client.select_one("SELECT @@version_comment")
        client.query("SET NAMES utf8mb4")
        wait_for(lambda: len([l for l in server.stderr().splitlines()
                              if l.startswith("{")]) >= 3)
        recs = [json.loads(l) for l in server.stderr_path.read_bytes().decode("utf-8").splitlines()
                if l.startswith("{")]
        recs = [r for r in recs if r["conn"] == client.connection_id]
        assert recs[0]["sql"] == text.decode("utf-8", errors="replace")
        assert recs[0]["level"] == "info"
        assert [(r["statement"], r["level"]) for r in recs[1:3]] == [("select", "debug"),
                                                                     ("set", "debug")]
        assert recs[2]["sql"] == "SET NAMES utf8mb4"
    finally:
        client.close()


def test_healthz_is_503_while_shutting_down(session_dir, pagila_secrets, workdir, pg):
    admin = free_port()
    server = start_server(session_dir, make_configs(workdir), pagila_secrets, workdir,
                          admin_port=admin, limits={"shutdown_timeout": 3})
    try:
        assert http(admin, "/healthz")[0] == 200
        client = start_slow_query(server)
        wait_for(lambda: sleeping_backends(pg) == 1)
        server.proc.send_signal(signal.SIGTERM)
        wait_for(lambda: http(admin, "/healthz")[0] == 503, timeout=3)
        status, _, body = http(admin, "/healthz")
        assert status == 503 and json.loads(body)["status"] == "shutting_down"
        client.sock.close()
        server.proc.wait(10)
    finally:
        stop_checked(server)
    wait_for(lambda: sleeping_backends(pg) == 0)


@pytest.mark.parametrize("config, message", [
    ("admin:\n  host: 0.0.0.0\n  port: {port}\n", "refuses the non-loopback address '0.0.0.0'"),
    ("log:\n  level: loud\n", ":2: 'level' must be one of debug, info, warn, error, not 'loud'"),
    ("log:\n  colour: true\n", ":2: unknown key 'colour' in 'log'"),
    ("admin:\n  port: 70000\n", ":2: 'port' must be a number from 1 to 65535"),
    ("log:\n  file: /nonexistent-dir/mimir.log\n", "cannot open log file"),
])
def test_bad_settings_stop_the_start(mimir_factory, pagila_secrets, workdir, config, message):
    path = workdir / "server.yaml"
    path.write_text(config.format(port=free_port()))
    server = mimir_factory(configs=make_configs(workdir), secrets=pagila_secrets,
                           extra_args=["--server-config", str(path)])
    rc, stderr = server.run_until_exit()
    assert rc == 1 and message in stderr


def test_remote_admin_host_allowed_when_said(mimir_factory, pagila_secrets, workdir):
    admin = free_port()
    path = workdir / "server.yaml"
    path.write_text(f"admin:\n  host: 0.0.0.0\n  port: {admin}\n  allow_remote: true\n")
    server = mimir_factory(configs=make_configs(workdir), secrets=pagila_secrets,
                           extra_args=["--server-config", str(path)])
    server.start()
    assert http(admin, "/healthz")[0] == 200
    assert admin in listening_ports(server.proc.pid)


def test_pool_gauges_with_a_waiting_query(session_dir, pagila_secrets, workdir, pg):
    """pool_size 1: a second slow query waits for the first one's connection."""
    admin = free_port()
    server = start_server(session_dir, make_configs(workdir), pagila_secrets, workdir,
                          admin_port=admin, limits={"pool_size": 1})
    try:
        first = start_slow_query(server)
        wait_for(lambda: sleeping_backends(pg) == 1)
        second = start_slow_query(server)
        wait_for(lambda: metric(scrape(admin), "mimir_pool_waiting",
                                connection="pagila_postgres") == 1)
        now = scrape(admin)
        assert metric(now, "mimir_pool_connections", connection="pagila_postgres",
                      state="busy") == 1
        assert metric(now, "mimir_pool_connections", connection="pagila_postgres",
                      state="idle") == 0
        assert metric(now, "mimir_queries_running") == 2
        assert metric(now, "mimir_connections") == 2
        second.sock.close()
        first.sock.close()
        wait_for(lambda: sleeping_backends(pg) == 0)
        wait_for(lambda: metric(scrape(admin), "mimir_queries_running") == 0)
        after = scrape(admin)
        assert metric(after, "mimir_pool_waiting", connection="pagila_postgres") == 0
        assert metric(after, "mimir_queries_total", status="disconnected") == 2
        conn = server.connect()
        assert_answers_select_1(conn)
        conn.close()
    finally:
        stop_checked(server)
