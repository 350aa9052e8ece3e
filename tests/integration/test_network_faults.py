"""Network faults, injected for real (issue 17).

A network namespace made by this module (`ip netns add`) holds everything of
the test: a PostgreSQL cluster, a MariaDB server, one TCP relay in front of
each (the address Mimir is given for the database, which stays up while the
database behind it restarts), Mimir, and 32 client threads. Nothing leaves the
namespace's own loopback. The faults are the kernel's: nftables rules in the
namespace that match the relay's port only, so Mimir's own sockets see them:

  latency     the relay holds each chunk 200 ms (+-50 ms jitter) each way
              (this kernel has no netem qdisc: the relay does the delaying)
  loss        `numgen random mod 100 < 5 drop`: 5 % of the packets, each way
  blackhole   every packet to or from the port dropped, no RST: during
              queries, and while the pool's connections sit idle
  partition   the same for 30 s, then healed
  restart     the database stopped and started again behind the relay

Mimir runs with query_timeout 5 s, and the connections' secrets set the
detection keys short (keepalives 2/1/2, tcp_user_timeout 3000 ms,
connect_timeout 2 s, idle_check_after 1 s) so that the module stays short.

Each phase requires: no wrong answer (every expected value is computed in the
same run on the database itself), every query answered or failed within
query_timeout plus a second of slack (never a hang), an answer again within
2 s of the heal, and Mimir's descriptors and memory back to their baseline.
It prints a table per phase (time to detect, time to recover, queries failed
and why), which docs/reliability.md reports; with MIMIR_NETFAULT_REPORT set,
the tables are also appended to that file.

Namespaces and nftables need root and the `nft` tool: without them the
module is skipped.
"""

import ctypes
import os
import queue
import random
import re
import shutil
import socket
import subprocess
import threading
import time
from collections import Counter
from decimal import Decimal

import pymysql
import pytest

from conftest import (IS_ROOT, TYPES_DISCOVERED, MimirServer, PgCluster, _make_dir, open_fds,
                      rss_kib, sanitized)
from mariadb_server import MariaDbServer

NFT = shutil.which("nft") or "/usr/sbin/nft"
IP = shutil.which("ip") or "/usr/sbin/ip"
CLONE_NEWNET = 0x40000000

pytestmark = pytest.mark.skipif(
    not IS_ROOT or not os.path.exists(NFT) or not os.path.exists(IP),
    reason="network namespaces and nftables need root, `ip` and `nft` (Debian: nftables)")

QUERY_TIMEOUT_S = 5
CLIENTS = 32
SLACK_S = 1.0  # beyond query_timeout, for the client's own scheduling on a busy machine
RECOVER_S = 2.0
ROWS = 20000

NET_KEYS = {"keepalives_idle": 2, "keepalives_interval": 1, "keepalives_count": 2,
            "tcp_user_timeout": 3000, "connect_timeout": 2, "idle_check_after": 1}

SOURCES = """
sales:
  name: sales
  description: Sales on PostgreSQL.
  connection_name: nf_pg
  time_col: nf_sales.ts
  time_col_alias: ts
  sql: SELECT nf_sales.id, nf_sales.ts, nf_sales.region AS sales_region, nf_sales.amount FROM nf_sales
orders:
  name: orders
  description: Orders on MariaDB.
  connection_name: nf_my
  time_col: nf_orders.ts
  time_col_alias: ts
  sql: SELECT nf_orders.id, nf_orders.ts, nf_orders.region AS order_region, nf_orders.amount FROM nf_orders
"""

METRICS = """
name: sales_count
source_name: sales
sql: COUNT(id)
---
name: sales_amount
source_name: sales
sql: SUM(amount)
---
name: order_count
source_name: orders
sql: COUNT(id)
---
name: order_amount
source_name: orders
sql: SUM(amount)
"""

# (backend, through Mimir, the same on the database itself)
QUERIES = [
    ("pg", "SELECT AGG(sales_count), AGG(sales_amount) FROM mimir.metrics",
     "SELECT COUNT(id), SUM(amount) FROM nf_sales"),
    ("pg", "SELECT sales_region, AGG(sales_amount) FROM mimir.metrics GROUP BY sales_region "
           "ORDER BY sales_region",
     "SELECT region, SUM(amount) FROM nf_sales GROUP BY region ORDER BY region"),
    ("pg", "SELECT sales_region, AGG(sales_count) FROM mimir.metrics "
           "WHERE sales_region = 'east' GROUP BY sales_region",
     "SELECT region, COUNT(id) FROM nf_sales WHERE region = 'east' GROUP BY region"),
    ("my", "SELECT AGG(order_count), AGG(order_amount) FROM mimir.metrics",
     "SELECT COUNT(id), SUM(amount) FROM nf_orders"),
    ("my", "SELECT order_region, AGG(order_amount) FROM mimir.metrics GROUP BY order_region "
           "ORDER BY order_region",
     "SELECT region, SUM(amount) FROM nf_orders GROUP BY region ORDER BY region"),
]


# --------------------------------------------------------------------------
# the namespace
# --------------------------------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)


class NetNs:
    """A network namespace of our own. A thread enters it with setns(2); what
    that thread starts (processes, threads, sockets) lives in it too."""

    def __init__(self):
        self.name = f"mimirnf{os.getpid()}"
        subprocess.run([IP, "netns", "add", self.name], check=True)
        self.path = f"/var/run/netns/{self.name}"
        self.run(IP, "link", "set", "lo", "up")
        self.nft("table inet mimirnf {\n"
                 "  chain out { type filter hook output priority 0; policy accept; }\n}\n")

    def run(self, *cmd, input=None):
        return subprocess.run([IP, "netns", "exec", self.name, *cmd], input=input, text=True,
                              check=True, capture_output=True)

    def nft(self, script):
        self.run(NFT, "-f", "-", input=script)

    def drop(self, ports, percent=None):
        """Silent drops of packets to or from ports (all of them, or percent %)."""
        match = "" if percent is None else f"numgen random mod 100 < {percent} "
        rules = "".join(f"add rule inet mimirnf out tcp {d} {p} {match}drop\n"
                        for p in ports for d in ("dport", "sport"))
        self.nft(rules)

    def heal(self):
        self.nft("flush chain inet mimirnf out\n")

    def enter(self):
        fd = os.open(self.path, os.O_RDONLY)
        try:
            if _libc.setns(fd, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns")
        finally:
            os.close(fd)

    def call(self, fn, *args):
        """fn(*args) on a thread inside the namespace; its result or its exception."""
        out = {}

        def body():
            try:
                self.enter()
                out["value"] = fn(*args)
            except BaseException as e:  # noqa: BLE001 (re-raised below)
                out["error"] = e

        t = threading.Thread(target=body, name="in-netns")
        t.start()
        t.join()
        if "error" in out:
            raise out["error"]
        return out.get("value")

    def destroy(self):
        subprocess.run([IP, "netns", "del", self.name], check=False)


# --------------------------------------------------------------------------
# the relay: the database's address, which stays up; latency when asked
# --------------------------------------------------------------------------


class Relay:
    """Listens on 127.0.0.1:port and forwards each connection to the target
    port. delay_ms/jitter_ms hold every chunk that long (in order) each way.
    When the target refuses or closes, the client side is closed too."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.delay_ms = 0
        self.jitter_ms = 0
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(256)
        self.port = self.lsock.getsockname()[1]
        self.closing = False
        self.socks = set()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True, name="relay-accept").start()

    def _accept(self):
        while not self.closing:
            try:
                down, _ = self.lsock.accept()
            except OSError:
                return
            try:
                up = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
                up.settimeout(None)
            except OSError:
                down.close()
                continue
            with self.lock:
                self.socks.update((down, up))
            for a, b in ((down, up), (up, down)):
                q = queue.Queue()
                threading.Thread(target=self._read, args=(a, b, q), daemon=True).start()
                threading.Thread(target=self._send, args=(a, b, q), daemon=True).start()

    def _read(self, src, dst, q):
        last_due = 0.0
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            delay = self.delay_ms
            if delay:
                delay += random.uniform(-self.jitter_ms, self.jitter_ms)
            due = max(last_due, time.monotonic() + max(delay, 0) / 1000.0)
            last_due = due
            q.put((due, data))
            if not data:
                return

    def _send(self, src, dst, q):
        while True:
            due, data = q.get()
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                if not data:
                    raise OSError
                dst.sendall(data)
            except OSError:
                self._close(src, dst)
                return

    def _close(self, a, b):
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
            with self.lock:
                self.socks.discard(s)

    def stop(self):
        self.closing = True
        self.lsock.close()
        with self.lock:
            socks = list(self.socks)
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


# --------------------------------------------------------------------------
# the process, from /proc
# --------------------------------------------------------------------------




def sockets_to(pid, port):
    """Inodes of Mimir's TCP sockets whose remote port is port (any state)."""
    mine = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:["):
            mine.add(link[8:-1])
    found = set()
    with open(f"/proc/{pid}/net/tcp") as f:
        next(f)
        for line in f:
            parts = line.split()
            rem_port = int(parts[2].split(":")[1], 16)
            if rem_port == port and parts[9] in mine:
                found.add(parts[9])
    return found


# --------------------------------------------------------------------------
# the clients
# --------------------------------------------------------------------------


def norm(row):
    out = []
    for v in row:
        if isinstance(v, (int, float, Decimal)):
            out.append(Decimal(str(v)).normalize())
        else:
            out.append(str(v))
    return tuple(out)


class Load:
    """CLIENTS threads, each with its own connection to Mimir, running the
    QUERIES in turn until stopped; every outcome is recorded with its times."""

    def __init__(self, env):
        self.env = env
        self.stopping = threading.Event()
        self.records = []  # (backend, start, end, outcome, detail)
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._client, args=(i,), daemon=True)
                        for i in range(CLIENTS)]

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(QUERY_TIMEOUT_S + 15)
        assert not any(t.is_alive() for t in self.threads), "a client thread hangs"
        return self.records

    def _connect(self):
        return pymysql.connect(host="127.0.0.1", port=self.env["mimir"].port, user="root",
                               password="", connect_timeout=5,
                               read_timeout=QUERY_TIMEOUT_S + 10)

    def _client(self, i):
        conn = None
        n = i
        while not self.stopping.is_set():
            backend, sql, _ = QUERIES[n % len(QUERIES)]
            n += 1
            start = time.monotonic()
            try:
                if conn is None:
                    conn = self._connect()
                with conn.cursor() as cur:
                    cur.execute(sql)
                    rows = [norm(r) for r in cur.fetchall()]
                want = self.env["expected"][sql]
                outcome, detail = ("ok", "") if rows == want else ("wrong", f"{rows} != {want}")
            except pymysql.err.MySQLError as e:
                code = e.args[0] if e.args else 0
                msg = str(e.args[1]) if len(e.args) > 1 else str(e)
                outcome, detail = "error", f"{code} {short_reason(msg)}"
                if code in (0, 2006, 2013) or isinstance(e, pymysql.err.InterfaceError):
                    try:
                        conn.close()
                    except Exception:
                        pass
                    conn = None
            end = time.monotonic()
            with self.lock:
                self.records.append((backend, start, end, outcome, detail))
            time.sleep(0.05)
        if conn is not None:
            conn.close()


def short_reason(msg):
    """The part of an error message that says why, without the numbers that vary."""
    prefix = "could not connect: " if "could not connect" in msg else ""
    for key, say in (("maximum statement execution time exceeded", "query_timeout"),
                     ("waiting for a connection", "pool queue_timeout"),
                     ("timed out after", "connect_timeout"),
                     ("(115)", "connect_timeout (libmariadb: 2002, EINPROGRESS)"),
                     ("the database system is", "the database system is starting up or "
                      "shutting down"),
                     ("Connection timed out", "Connection timed out (tcp_user_timeout)"),
                     ("server closed the connection unexpectedly", None),
                     ("terminating connection", None), ("Lost connection", None),
                     ("Connection refused", None), ("Connection reset", None),
                     ("Server has gone away", None), ("could not receive data", None),
                     ("could not send data", None)):
        if key.lower() in msg.lower():
            return prefix + (say or key)
    errno = re.search(r"ERROR 2002 .*\((\d+)\)", msg)
    if errno:
        return prefix + f"libmariadb: 2002, errno {errno.group(1)}"
    return prefix + msg[:80]


# --------------------------------------------------------------------------
# the environment: databases, relays, Mimir, in the namespace
# --------------------------------------------------------------------------


def _write_layer(workdir, pg_port, my_port, my_user, my_password):
    import json

    configs = workdir / "configs"
    for d in ("sources", "metrics", "dimensions"):
        (configs / d).mkdir(parents=True, exist_ok=True)
    (configs / "sources" / "nf.yaml").write_text(SOURCES)
    (configs / "metrics" / "nf.yaml").write_text(METRICS)
    secrets = workdir / "secrets"
    secrets.mkdir()
    base = {"connection_class": "sqldb", "host": "127.0.0.1", **NET_KEYS}
    (secrets / "nf_pg.json").write_text(json.dumps({
        **base, "flavour": "postgresql", "port": str(pg_port), "user": "postgres",
        "password": "", "schema": "netfault"}))
    (secrets / "nf_my.json").write_text(json.dumps({
        **base, "flavour": "mysql", "port": str(my_port), "user": my_user,
        "password": my_password, "schema": "netfault"}))
    server = workdir / "server.yaml"
    server.write_text(f"limits:\n  query_timeout: {QUERY_TIMEOUT_S * 1000}\n  pool_size: 8\n"
                      "  connect_timeout: 2\n  queue_timeout: 4\n")
    return configs, secrets, server


def _setup(env, session_dir):
    workdir = _make_dir(session_dir, "netfault-")
    os.chmod(workdir, 0o711)  # traversable for `postgres` and `mysql`
    pg = PgCluster(workdir, name="pg-netfault")
    env["pg"] = pg
    pg.init()
    pg.start()
    pg.fixed_port = pg.port  # restarts come back on the same port
    pg.create_database("netfault")
    pg.query("CREATE TABLE nf_sales AS SELECT n AS id, "
             "TIMESTAMP '2022-01-01' + n * INTERVAL '1 minute' AS ts, "
             "(ARRAY['north','south','east','west'])[n % 4 + 1] AS region, "
             "((n % 997) / 10.0)::numeric(8,2) AS amount "
             f"FROM generate_series(1, {ROWS}) AS n", dbname="netfault")
    my = MariaDbServer(workdir, name="mariadb-netfault")
    env["my"] = my
    my.init()
    my.start()
    my.query("CREATE DATABASE netfault")
    my.query("CREATE TABLE netfault.nf_orders (id INT PRIMARY KEY, ts DATETIME NOT NULL, "
             "region VARCHAR(8) NOT NULL, amount DECIMAL(8,2) NOT NULL)")
    my.query("INSERT INTO netfault.nf_orders SELECT seq, "
             "TIMESTAMP '2022-01-01 00:00:00' + INTERVAL seq MINUTE, "
             "ELT(seq % 4 + 1, 'north', 'south', 'east', 'west'), (seq % 997) / 10 "
             f"FROM seq_1_to_{ROWS}", database="netfault")
    my.create_user("nf_reader", "nf-pw", "netfault")
    env["expected"] = {}
    for backend, sql, direct in QUERIES:
        rows = pg.query(direct, dbname="netfault") if backend == "pg" else \
            my.query(direct, database="netfault")
        env["expected"][sql] = [norm(r) for r in rows]
    env["relay_pg"] = Relay(pg.port)
    env["relay_my"] = Relay(my.port)
    configs, secrets, server_yaml = _write_layer(
        workdir, env["relay_pg"].port, env["relay_my"].port, "nf_reader", "nf-pw")
    mimir = MimirServer(workdir, configs=configs, secrets=secrets, name="mimir-netfault",
                        extra_args=["--server-config", str(server_yaml)])
    env["mimir"] = mimir
    mimir.start()
    mimir.wait_for_log(TYPES_DISCOVERED)
    env["ports"] = {"pg": env["relay_pg"].port, "my": env["relay_my"].port}


def _teardown(env):
    for key in ("mimir",):
        if key in env:
            env[key].stop()
    for key in ("relay_pg", "relay_my"):
        if key in env:
            env[key].stop()
    for key in ("pg", "my"):
        if key in env:
            env[key].destroy()


@pytest.fixture(scope="module")
def env(session_dir):
    ns = NetNs()
    env = {"ns": ns, "results": []}
    try:
        ns.call(_setup, env, session_dir)
        # Warm up: every pooled connection opened once, memory at its working size.
        ns.call(lambda: (Load(env).start(), time.sleep(4))[0].stop())
        time.sleep(1)
        env["baseline"] = (open_fds(env["mimir"].proc.pid), rss_kib(env["mimir"].proc.pid))
        yield env
    finally:
        try:
            ns.heal()
        except Exception:
            pass
        try:
            ns.call(_teardown, env)
        finally:
            ns.destroy()
        problem = env["mimir"].exit_problem() if "mimir" in env else None
        report = os.environ.get("MIMIR_NETFAULT_REPORT")
        if report:
            with open(report, "a") as f:
                f.write("\n".join(env["results"]) + "\n")
        if problem:
            pytest.fail(problem, pytrace=False)


# --------------------------------------------------------------------------
# a phase: load, fault, heal, checks, numbers
# --------------------------------------------------------------------------


def watch_sockets(env, stop, out):
    """Samples Mimir's sockets to each relay port every 50 ms, from the fault on."""
    pid = env["mimir"].proc.pid
    while not stop.is_set():
        now = time.monotonic()
        out.append((now, {b: sockets_to(pid, p) for b, p in env["ports"].items()}))
        time.sleep(0.05)


DETECTION_LOGS = {
    "closed while idle": "idle connection closed by the server",
}


def detections(env):
    """How many times Mimir logged each way it noticed a dead idle connection
    (the check before reuse by what it saw)."""
    text = env["mimir"].stderr()
    found = {k: text.count(v) for k, v in DETECTION_LOGS.items()}
    for why in re.findall(r"found dead before reuse \(idle \d+ s: ([^)]*)\)", text):
        key = f"dead before reuse: {why}"
        found[key] = found.get(key, 0) + 1
    return found


def detect_time(samples, t0, backend):
    """Seconds from t0 until none of the sockets open at t0 to backend is left."""
    first = next((s for t, s in samples if t >= t0), None)
    if not first or not first[backend]:
        return None
    old = first[backend]
    for t, s in samples:
        if t >= t0 and not (old & s[backend]):
            return t - t0
    return float("inf")


def run_phase(env, name, inject, heal, fault_s, before_s=2.0, after_s=6.0, idle_first_s=0.0,
              backends=("pg", "my")):
    """Runs the load, injects the fault (after idle_first_s without load when
    the pool's connections should sit idle), heals after fault_s, and checks."""
    ns = env["ns"]
    samples, stop_watch = [], threading.Event()
    watcher = threading.Thread(target=lambda: ns.call(watch_sockets, env, stop_watch, samples),
                               daemon=True)
    watcher.start()

    def body():
        load = Load(env).start()
        time.sleep(before_s)
        if idle_first_s:
            records = load.stop()
            time.sleep(idle_first_s)
            t0 = time.monotonic()
            inject()
            time.sleep(fault_s / 2)
            load = Load(env).start()
            load.records = records
            time.sleep(fault_s / 2)
        else:
            t0 = time.monotonic()
            inject()
            time.sleep(fault_s)
        t1 = time.monotonic()
        heal()
        t_healed = time.monotonic()
        time.sleep(after_s)
        return t0, t1, t_healed, load.stop()

    logged_before = detections(env)
    t0, t1, t_healed, records = ns.call(body)
    env["logged"] = {k: v - logged_before.get(k, 0) for k, v in detections(env).items()}
    stop_watch.set()
    watcher.join()
    return summarize(env, name, t0, t1, t_healed, records, samples, backends)


def summarize(env, name, t0, t1, t_healed, records, samples, backends):
    wrong = [r for r in records if r[3] == "wrong"]
    slow = [r for r in records if r[2] - r[1] > QUERY_TIMEOUT_S + SLACK_S]
    failed = [r for r in records if r[3] == "error"]
    reasons = Counter(r[4] for r in failed)
    lines = [f"### {name}", "",
             "| backend | queries | failed | time to first error | time to detect (old "
             "connections closed) | time to recover (first answer after heal) | longest query |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    problems = []
    for b in backends:
        mine = [r for r in records if r[0] == b]
        errs = sorted(r[2] for r in mine if r[3] == "error" and r[2] >= t0)
        first_err = f"{errs[0] - t0:.1f} s" if errs else "-"
        det = detect_time(samples, t0, b)
        det_s = "-" if det is None else ("none closed" if det == float("inf")
                                         else f"{det:.1f} s")
        after = [r for r in mine if r[1] >= t_healed and r[3] == "ok"]
        rec = min(r[2] for r in after) - t_healed if after else float("inf")
        longest = max((r[2] - r[1] for r in mine), default=0)
        lines.append(f"| {b} | {len(mine)} | {sum(1 for r in mine if r[3] == 'error')} | "
                     f"{first_err} | {det_s} | {rec:.2f} s | {longest:.1f} s |")
        if rec > RECOVER_S:
            problems.append(f"{b}: no answer within {RECOVER_S} s of the heal ({rec:.2f} s)")
        late = [r for r in mine if r[1] >= t_healed + RECOVER_S and r[3] != "ok"]
        if late:
            problems.append(f"{b}: {len(late)} queries started {RECOVER_S} s after the heal "
                            f"failed: {Counter(r[4] for r in late)}")
    lines.append("")
    lines.append(f"Fault from 0 s to {t1 - t0:.1f} s; queries failed and why: " +
                 (", ".join(f"{n} x `{k}`" for k, n in reasons.most_common()) or "none"))
    # Back to the baseline: the descriptors once the pool settled, memory within 8 MiB.
    pid = env["mimir"].proc.pid
    base_fd, base_rss = env["baseline"]
    deadline = time.monotonic() + 10
    while open_fds(pid) > base_fd and time.monotonic() < deadline:
        time.sleep(0.2)
    fds, rss = open_fds(pid), rss_kib(pid)
    logged = env.get("logged", {})
    lines.append("Idle connections Mimir found dead: " + (", ".join(
        f"{n} {k}" for k, n in logged.items() if n) or "none") + ".")
    lines.append(f"Descriptors {fds} (baseline {base_fd}), RSS {rss // 1024} MiB "
                 f"(baseline {base_rss // 1024} MiB).")
    lines.append("")
    text = "\n".join(lines)
    print("\n" + text)
    env["results"].append(text)
    assert not wrong, f"{name}: wrong answers: {wrong[:3]}"
    assert not slow, (f"{name}: {len(slow)} queries took longer than query_timeout + "
                      f"{SLACK_S} s: {[(r[0], round(r[2] - r[1], 1), r[4]) for r in slow[:5]]}")
    assert not problems, f"{name}: " + "; ".join(problems)
    assert fds <= base_fd, f"{name}: {fds} descriptors open, {base_fd} before"
    if not sanitized(pid):  # ASan's quarantine holds freed memory: bounded on the release build
        assert rss <= base_rss + 8 * 1024, f"{name}: RSS {rss} KiB, {base_rss} KiB before"
    return records


def both_ports(env):
    return [env["ports"]["pg"], env["ports"]["my"]]


# --------------------------------------------------------------------------
# the faults
# --------------------------------------------------------------------------


def test_latency_with_jitter(env):
    """200 ms (+-50 ms) each way on every chunk: slower answers, none failed."""
    relays = (env["relay_pg"], env["relay_my"])

    def inject():
        for r in relays:
            r.delay_ms, r.jitter_ms = 200, 50

    def heal():
        for r in relays:
            r.delay_ms, r.jitter_ms = 0, 0

    records = run_phase(env, "200 ms latency, 50 ms jitter (8 s)", inject, heal, 8.0)
    assert not [r for r in records if r[3] == "error"], "latency alone must not fail queries"
    assert not any(env["logged"].values()), f"live connections taken for dead: {env['logged']}"


def test_loss_five_percent(env):
    """5 % of the packets dropped each way (nftables numgen): TCP retransmits."""
    ns = env["ns"]
    records = run_phase(env, "5 % packet loss (10 s)",
                        lambda: ns.drop(both_ports(env), percent=5), ns.heal, 10.0)
    assert not [r for r in records if r[3] == "error"], "5 % loss alone must not fail queries"


def test_blackhole_during_queries(env):
    """Every packet dropped, no RST, for 8 s while the 32 clients run: each
    query fails within query_timeout; tcp_user_timeout kills the sockets."""
    ns = env["ns"]
    run_phase(env, "blackhole during queries (8 s)", lambda: ns.drop(both_ports(env)), ns.heal,
              8.0)


def test_blackhole_idle_pool(env):
    """The pool's connections sit idle when the path goes silent: keepalives
    (2 s, then 2 probes 1 s apart, bounded by tcp_user_timeout) close them
    before the clients come back halfway through the fault."""
    ns = env["ns"]
    run_phase(env, "blackhole while the pool is idle (10 s; clients back after 5 s)",
              lambda: ns.drop(both_ports(env)), ns.heal, 10.0, idle_first_s=2.0)


def test_partition_30s_heals(env):
    """A partition of 30 s, then the path heals (the module's slow case: ~40 s)."""
    ns = env["ns"]
    run_phase(env, "partition of 30 s", lambda: ns.drop(both_ports(env)), ns.heal, 30.0)


def test_database_restart_behind_relay(env):
    """Both databases stopped and started again behind their relays, which stay up."""
    pg, my = env["pg"], env["my"]

    def inject():
        pg.stop()
        my.stop()

    def heal():
        pg.start()
        my.start()

    run_phase(env, "databases restarted behind the address (down 3 s)", inject, heal, 3.0)
