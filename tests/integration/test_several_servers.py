"""Several servers, one service (issue 17): three `mimir serve` processes behind
HAProxy (Debian's `haproxy`, started here with a generated configuration).

- HAProxy sends the PROXY protocol (v2) to servers with `listen.proxy_protocol`,
  and takes a server out of its rotation when its /healthz (admin listener)
  answers 503: on SIGTERM, and while a SIGHUP reload is pending
  (`limits: drain_grace`).
- The mixed workload runs through HAProxy with a new connection per query, as
  pooled BI connections behave after a server closed them, while one server
  is restarted and the others reloaded one after the other: no query may fail,
  and every answer equals what PostgreSQL computes in the same run.
- PROXY v1 and v2 headers sent from a raw socket (made-up client 10.1.2.3)
  reach SHOW PROCESSLIST and the query log; a header from an address not in
  `listen.proxy_protocol_from`, or a missing one where it is required, closes
  the connection and is logged.
- `server_id` is the high byte of connection ids; KILL of another server's id
  answers 1094 naming that server.

Grants have no host rule (semantic/grants.h: sources, metrics, dimensions and
row filters per user), so there is no host-based grant to check; the failed-login
delay, keyed by address, is checked to throttle the address from the header.

HAProxy needs no root on loopback high ports: the test runs as any user and is
skipped (with the reason) only when haproxy is not installed.
"""

import json
import random
import shutil
import signal
import socket
import struct
import subprocess
import threading
import time
from pathlib import Path
from unittest import mock

import pymysql
import pytest

import mysql_wire
from conftest import MimirServer, free_port
from mysql_wire import RawClient
from support import expected, mimir_sql, mysql_error, text_rows, unordered
from test_runtime import make_configs, wait_for

HAPROXY = shutil.which("haproxy") or (
    "/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)

pytestmark = pytest.mark.skipif(
    HAPROXY is None, reason="haproxy is not installed (scripts/deps.sh installs Debian's haproxy)")

V2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"


def v1_header(src="10.1.2.3", sport=40001, dst="127.0.0.1", dport=3306):
    return f"PROXY TCP4 {src} {dst} {sport} {dport}\r\n".encode()


def v2_header(src="10.1.2.3", sport=40002, dst="127.0.0.1", dport=3306):
    body = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack(">HH", sport, dport)
    body += b"\x04\x00\x01\x00"  # a TLV (NOOP), to be skipped
    return V2_SIGNATURE + b"\x21\x11" + struct.pack(">H", len(body)) + body


def proxied_client(port, header, **kwargs):
    """A RawClient whose connection starts with `header`, as HAProxy's does."""
    real = socket.create_connection

    def connect_and_send(address, timeout=None, *args):
        sock = real(address, timeout, *args)
        sock.sendall(header)
        return sock

    with mock.patch.object(mysql_wire.socket, "create_connection", connect_and_send):
        return RawClient(port, **kwargs)


def server_yaml(workdir, name, server_id=None, proxy=False, proxy_from=None, admin=None,
                log=None, limits=None):
    text = ""
    if server_id is not None:
        text += f"server_id: {server_id}\n"
    if proxy or proxy_from:
        text += "listen:\n  proxy_protocol: true\n"
        if proxy_from:
            text += f"  proxy_protocol_from: [{', '.join(proxy_from)}]\n"
    if admin:
        text += f"admin:\n  port: {admin}\n"
    if log:
        text += f"log:\n  file: {log}\n  level: debug\n"
    if limits:
        text += "limits:\n" + "".join(f"  {k}: {v}\n" for k, v in limits.items())
    path = workdir / f"{name}.yaml"
    path.write_text(text)
    return path


def start(session_dir, configs, secrets, config, name, port=None):
    server = MimirServer(session_dir, configs=configs, secrets=secrets, name=name, port=port,
                         extra_args=["--server-config", str(config)])
    return server.start()


def records(path):
    try:
        lines = path.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in lines if line.startswith("{")]


# --------------------------------------------------------------------------
# PROXY protocol on one server
# --------------------------------------------------------------------------


@pytest.mark.parametrize("version", [1, 2])
def test_proxy_header_gives_the_real_client_address(session_dir, workdir, pagila_secrets, pg,
                                                    version):
    log = workdir / f"mimir-v{version}.log"
    config = server_yaml(workdir, f"proxy-v{version}", proxy=True, log=log)
    server = start(session_dir, make_configs(workdir), pagila_secrets, config, "mimir-proxy")
    try:
        header = v1_header(sport=40001) if version == 1 else v2_header(sport=40002)
        port = 40001 if version == 1 else 40002
        client = proxied_client(server.port, header).login()
        rows = client.text_rows(client.query("SHOW PROCESSLIST"))
        mine = [r for r in rows if int(r[0]) == client.connection_id]
        assert mine and mine[0][2].startswith("10.1.2.3"), rows
        client.query("SELECT AGG(movies_rented) FROM mimir.metrics")
        client.close()
        try:
            wait_for(lambda: any(r.get("conn") == client.connection_id and "movies_rented" in
                                 r.get("sql") or "" for r in records(log)), timeout=5)
        except AssertionError:
            raise AssertionError(f"no query record of conn {client.connection_id}:\n"
                                 f"{log.read_text()[-3000:]}")
        rec = [r for r in records(log) if r.get("conn") == client.connection_id][-1]
        assert rec["client"] == f"10.1.2.3:{port}", rec
        assert "10.1.2.3" in log.read_text()  # the login line names the real client
    finally:
        server.stop()


def test_missing_or_bad_header_closes_the_connection(session_dir, workdir, pagila_secrets):
    log = workdir / "mimir-missing.log"
    config = server_yaml(workdir, "proxy-missing", proxy=True, log=log,
                         limits={"handshake_timeout": 1})
    server = start(session_dir, make_configs(workdir), pagila_secrets, config, "mimir-missing")
    try:
        # A MySQL client that connects directly waits for a greeting that never comes.
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
            s.settimeout(5)
            assert s.recv(100) == b""  # no greeting: closed after handshake_timeout
        wait_for(lambda: "no PROXY header within 1 s" in log.read_text())
        # Bytes that are not a PROXY header close it at once.
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
            s.sendall(b"\x20\x00\x00\x01\x85\xa6\xff\x01" + b"\0" * 32)
            s.settimeout(5)
            assert s.recv(100) == b""
        wait_for(lambda: "no PROXY protocol header" in log.read_text())
        # The server still answers a proper one.
        client = proxied_client(server.port, v1_header()).login()
        assert client.select_one("SELECT 1") is not None
        client.close()
    finally:
        server.stop()


def test_header_from_an_address_not_allowed(session_dir, workdir, pagila_secrets):
    log = workdir / "mimir-notallowed.log"
    config = server_yaml(workdir, "proxy-notallowed", proxy_from=["10.9.9.9", "192.0.2.0/24"],
                         log=log)
    server = start(session_dir, make_configs(workdir), pagila_secrets, config,
                   "mimir-notallowed")
    try:
        # Loopback is not a balancer here: direct clients are served as usual ...
        conn = server.connect()
        with conn.cursor() as cur:
            cur.execute("SELECT 1")
            assert cur.fetchall() == ((1,),)
        conn.close()
        # ... and one that claims to speak for another client is closed and logged.
        for header in (v1_header(), v2_header()):
            with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
                s.settimeout(5)
                assert s.recv(4096)[4] == 10  # the greeting came first
                s.sendall(header)
                assert s.recv(4096) == b""
        wait_for(lambda: log.read_text().count("not in listen.proxy_protocol_from") == 2)
    finally:
        server.stop()


# --------------------------------------------------------------------------
# connection ids and KILL across servers
# --------------------------------------------------------------------------


def test_connection_ids_carry_server_id_and_kill_names_the_server(session_dir, workdir,
                                                                  pagila_secrets):
    configs = make_configs(workdir)
    one = start(session_dir, configs, pagila_secrets,
                server_yaml(workdir, "id1", server_id=1), "mimir-id1")
    two = start(session_dir, configs, pagila_secrets,
                server_yaml(workdir, "id2", server_id=2), "mimir-id2")
    try:
        a, b = one.connect(), two.connect()
        ids = []
        for conn in (a, b):
            with conn.cursor() as cur:
                cur.execute("SELECT CONNECTION_ID()")
                ids.append(cur.fetchone()[0])
        assert ids[0] >> 24 == 1 and ids[1] >> 24 == 2, ids
        assert a.thread_id() == ids[0] and b.thread_id() == ids[1]  # the greeting's id too
        with pytest.raises(pymysql.err.MySQLError) as err:
            with b.cursor() as cur:
                cur.execute(f"KILL {ids[0]}")
        code, message = mysql_error(err)
        assert code == 1094
        assert f"Unknown thread id: {ids[0]}" in message and "server_id 1" in message
        assert "send KILL to that server" in message
        with b.cursor() as cur:  # the session goes on
            cur.execute("SELECT 1")
        with a.cursor() as cur:  # the right server kills it
            cur.execute(f"KILL QUERY {ids[0]}")
            cur.execute("SELECT 1")
        with pytest.raises(pymysql.err.MySQLError) as err:
            with a.cursor() as cur:
                cur.execute(f"KILL {(1 << 24) | 0xFFFFFF}")  # its own server, no such id
        assert mysql_error(err)[0] == 1094 and "server_id" not in mysql_error(err)[1]
        a.close()
        b.close()
    finally:
        one.stop()
        two.stop()


def test_server_id_is_checked(mimir_factory, workdir, pagila_secrets):
    path = workdir / "bad-id.yaml"
    path.write_text("server_id: 256\n")
    server = mimir_factory(configs=make_configs(workdir), secrets=pagila_secrets,
                           extra_args=["--server-config", str(path)])
    rc, stderr = server.run_until_exit()
    assert rc == 1 and "'server_id' must be a whole number from 0 to 255" in stderr
    path.write_text("listen:\n  proxy_protocol: true\n  proxy_protocol_from: [10.0.0.0/33]\n")
    rc, stderr = server.run_until_exit()
    assert rc == 1 and "'proxy_protocol_from' takes IP addresses or CIDR ranges" in stderr


# --------------------------------------------------------------------------
# three servers behind HAProxy
# --------------------------------------------------------------------------


class HAProxy:
    def __init__(self, directory, backends):
        self.dir = Path(directory)
        self.port = free_port()
        self.sock = self.dir / "haproxy.sock"
        lines = [
            "global",
            "    maxconn 1024",
            f"    stats socket {self.sock} mode 600 level admin",
            "defaults",
            "    mode tcp",
            "    timeout connect 2s",
            "    timeout client 60s",
            "    timeout server 60s",
            "    timeout check 1s",
            "    retries 3",
            "    option redispatch",
            "listen mimir",
            f"    bind 127.0.0.1:{self.port}",
            "    balance roundrobin",
            "    option httpchk GET /healthz",
            "    http-check expect status 200",
            "    default-server inter 200ms fall 1 rise 2 send-proxy-v2",
        ]
        for name, port, admin in backends:
            lines.append(f"    server {name} 127.0.0.1:{port} check port {admin}")
        self.config = self.dir / "haproxy.cfg"
        self.config.write_text("\n".join(lines) + "\n")
        self.log = open(self.dir / "haproxy.log", "wb")
        self.proc = subprocess.Popen([HAPROXY, "-db", "-f", str(self.config)],
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)

    def status(self):
        """{server name: UP/DOWN/...} from the stats socket."""
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.settimeout(2)
                s.connect(str(self.sock))
                s.sendall(b"show stat\n")
                data = b""
                while chunk := s.recv(65536):
                    data += chunk
        except OSError:
            return {}
        lines = data.decode().splitlines()
        if not lines or not lines[0].startswith("# "):
            return {}
        head = lines[0][2:].split(",")
        out = {}
        for line in lines[1:]:
            row = dict(zip(head, line.split(",")))
            if row.get("pxname") == "mimir" and row.get("svname") not in ("FRONTEND", "BACKEND"):
                out[row["svname"]] = row.get("status", "")
        return out

    def wait_status(self, name, want, timeout=15):
        wait_for(lambda: self.status().get(name, "").startswith(want), timeout=timeout)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def workload(pg):
    """(statement, expected rows, ordered?) pairs, the expectations computed on PostgreSQL now."""
    cases = []
    for dims, metrics, where in [
        ([], ["movies_rented"], None),
        (["dim_rental_category"], ["movies_rented", "rentals_revenue"], None),
        (["dim_rental_category"], ["movies_rented"], "dim_rental_category = 'Action'"),
        (["dim_store_id"], ["payments_count", "payments_revenue"], None),
        (["dim_store_id"], ["movies_rented", "payments_count"], None),
    ]:
        cases.append((mimir_sql(dims, metrics, where), expected(pg, dims, metrics, where)))
    cases.append(("SELECT 1", [(1,)]))
    return cases


def run_clients(port, cases, stop, results, n_threads=8):
    def client(k):
        rnd = random.Random(k)
        while not stop.is_set():
            sql, want = rnd.choice(cases)
            try:
                conn = pymysql.connect(host="127.0.0.1", port=port, user="anyone", password="",
                                       connect_timeout=10, read_timeout=60, autocommit=None)
                try:
                    with conn.cursor() as cur:
                        cur.execute(sql)
                        got = cur.fetchall()
                        cur.execute("SELECT CONNECTION_ID()")
                        conn_id = cur.fetchone()[0]
                finally:
                    conn.close()
                if text_rows(unordered(got)) != text_rows(unordered(want)):
                    results["wrong"].append((sql, got, want))
                else:
                    results["ok"] += 1
                    results["servers"].add(conn_id >> 24)
            except Exception as e:  # every failure is reported below
                results["failed"].append((sql, repr(e), time.monotonic()))

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(n_threads)]
    for t in threads:
        t.start()
    return threads


def test_three_servers_behind_haproxy_restart_and_reload(session_dir, workdir, pagila_secrets,
                                                          pg):
    configs = make_configs(workdir)
    cases = workload(pg)
    servers, specs, paths = {}, [], {}
    for i in (1, 2, 3):
        name, port, admin = f"m{i}", free_port(), free_port()
        paths[name] = server_yaml(workdir, f"lb-{name}", server_id=i, proxy=True, admin=admin,
                                  log=workdir / f"{name}.log",
                                  limits={"drain_grace": 1000, "shutdown_timeout": 20})
        servers[name] = start(session_dir, configs, pagila_secrets, paths[name], f"mimir-{name}",
                              port=port)
        specs.append((name, port, admin))
    haproxy = HAProxy(workdir, specs)
    stop = threading.Event()
    results = {"ok": 0, "failed": [], "wrong": [], "servers": set()}
    threads = []
    events = []
    try:
        for name in servers:
            haproxy.wait_status(name, "UP")
        threads = run_clients(haproxy.port, cases, stop, results)
        time.sleep(2)
        # m1: SIGTERM (out of the rotation, drains, exits), then started again on its port.
        m1 = servers["m1"]
        events.append(("SIGTERM m1", time.monotonic()))
        m1.proc.send_signal(signal.SIGTERM)
        haproxy.wait_status("m1", "DOWN", timeout=5)
        assert m1.proc.wait(30) == 0
        m1.stop()
        servers["m1"] = start(session_dir, configs, pagila_secrets, paths["m1"], "mimir-m1b",
                              port=m1.port)
        events.append(("m1 restarted", time.monotonic()))
        haproxy.wait_status("m1", "UP")
        events.append(("m1 UP", time.monotonic()))
        time.sleep(1)
        # SIGHUP rolled across the other two, one after the other.
        for name in ("m2", "m3"):
            server, log = servers[name], workdir / f"{name}.log"
            before = log.read_text().count("reloaded: ")
            events.append((f"SIGHUP {name}", time.monotonic()))
            server.proc.send_signal(signal.SIGHUP)
            wait_for(lambda: log.read_text().count("reloaded: ") > before, timeout=15)
            haproxy.wait_status(name, "UP")
            time.sleep(0.5)
        time.sleep(1)
    finally:
        stop.set()
        for t in threads:
            t.join(60)
        haproxy.stop()
        for server in servers.values():
            server.stop()
    if results["failed"]:
        logs = "".join(f"\n--- {f.name}:\n" + "\n".join(
            line for line in f.read_text(errors="replace").splitlines()[-40:]
            if not line.startswith("{")) for f in sorted(workdir.glob("*.log")))
        pytest.fail(f"{len(results['failed'])} queries failed: {results['failed'][:5]}\n"
                    f"events: {events}{logs}", pytrace=False)
    assert not results["wrong"], results["wrong"][:3]
    assert results["ok"] > 100, results["ok"]
    assert results["servers"] == {1, 2, 3}, results["servers"]
    shutdown_log = (workdir / "m1.log").read_text()
    assert "/healthz answers 503" in shutdown_log and "no new connections" in shutdown_log
    for name in ("m2", "m3"):
        assert "/healthz answers 503" in (workdir / f"{name}.log").read_text()


def test_healthz_says_reloading_during_drain_grace(session_dir, workdir, pagila_secrets):
    admin = free_port()
    config = server_yaml(workdir, "reloading", admin=admin, limits={"drain_grace": 1500})
    server = start(session_dir, make_configs(workdir), pagila_secrets, config, "mimir-reloading")

    def health():
        import urllib.error
        import urllib.request
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{admin}/healthz", timeout=5) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    try:
        assert health()[0] == 200
        server.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: health()[0] == 503, timeout=2)
        assert health()[1]["status"] == "reloading"
        conn = server.connect()  # sessions are served all along
        with conn.cursor() as cur:
            cur.execute("SELECT 1")
        conn.close()
        wait_for(lambda: health()[0] == 200, timeout=10)
        server.wait_for_log(r"reloaded: ")
        # SIGTERM: 503 at once, still accepting during the grace, then no more.
        server.proc.send_signal(signal.SIGTERM)
        wait_for(lambda: health()[0] == 503, timeout=2)
        assert health()[1]["status"] == "shutting_down"
        conn = server.connect()
        with conn.cursor() as cur:
            cur.execute("SELECT 1")
        conn.close()
        assert server.proc.wait(15) == 0
    finally:
        server.stop()


def test_failed_login_delay_sees_the_real_client(session_dir, workdir, pagila_secrets):
    from mysql_wire import ServerError
    from support import native_hash

    log = workdir / "mimir-guard.log"
    config = server_yaml(workdir, "guard", proxy=True, log=log)
    config.write_text(config.read_text() + "users:\n  - name: analyst\n"
                      f"    mysql_native_password: \"{native_hash('secret')}\"\n")
    server = start(session_dir, make_configs(workdir), pagila_secrets, config, "mimir-guard")
    try:
        for i in range(3):  # wrong (empty) passwords from 10.1.2.3, through "the balancer"
            with pytest.raises(ServerError):
                proxied_client(server.port, v1_header(sport=41000 + i), user="analyst").login()
        wait_for(lambda: "failed logins in a row from 10.1.2.3" in log.read_text())
        assert "from 127.0.0.1: its further logins are throttled" not in log.read_text()
        began = time.monotonic()
        with pytest.raises(ServerError):
            proxied_client(server.port, v1_header(sport=41010), user="analyst").login()
        assert time.monotonic() - began >= 0.2  # 10.1.2.3 waits its turn
    finally:
        server.stop()


def test_sigterm_closes_idle_sessions_between_queries(session_dir, workdir, pagila_secrets):
    config = server_yaml(workdir, "idle", limits={"drain_grace": 800})
    server = start(session_dir, make_configs(workdir), pagila_secrets, config, "mimir-idle")
    try:
        pooled = server.connect()
        with pooled.cursor() as cur:
            cur.execute("SELECT 1")
        server.proc.send_signal(signal.SIGTERM)
        # During the grace a pooled session is served as before, several statements in a row.
        for _ in range(3):
            with pooled.cursor() as cur:
                cur.execute("SELECT AGG(movies_rented) FROM mimir.metrics")
                assert cur.fetchall()[0][0] > 0
        # Then, left idle, it is closed between queries and the server exits.
        assert server.proc.wait(15) == 0
        with pytest.raises(pymysql.err.OperationalError):
            with pooled.cursor() as cur:
                cur.execute("SELECT 1")
        pooled.close()
    finally:
        server.stop()
