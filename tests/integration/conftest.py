"""Fixtures for Mimir's integration tests, in the style of PgBouncer's suite.

Everything here is real: a throwaway PostgreSQL 15 cluster loaded with
Pagila-shaped data, the real bin/mimir on a free port, and real clients (PyMySQL,
the `mariadb` CLI). Nothing is mocked. Every number a test expects is computed
in the same run by running the equivalent SQL directly on PostgreSQL (see
support.py).

The data: by default pagila_data.py generates it (Pagila's tables and column
types, deterministic rows from a fixed seed, 2021-11 .. 2023-03), so that the
suite needs nothing but the repository. With PAGILA_DIR set, the real Pagila
sample database is loaded from there instead; the same tests pass on both.

Layout of the temporary files: one session directory (tempfile.mkdtemp, removed
at the end) holds the clusters, the secrets directories and the servers' logs.
pytest's own tmp_path is not used because pytest keeps old tmp_path trees
around and, as root, makes them unreadable for the `postgres` user.

PostgreSQL refuses to run as root. When the suite runs as root (CI), initdb,
pg_ctl and postgres run as the `postgres` user through `runuser`; the cluster
directory is chowned to that user and the session directory is made
traversable (0711). As a normal user everything runs directly.

Environment:
  MIMIR_BIN   the server binary (default <repo>/bin/mimir; the Makefile sets it)
  PAGILA_DIR  a directory holding the real Pagila's pagila-schema.sql and
              pagila-data.sql, to load instead of the generated data (unset:
              generated)
  PG_BINDIR   PostgreSQL server binaries (default /usr/lib/postgresql/15/bin, else
              the newest /usr/lib/postgresql/*/bin)
"""

import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psycopg2
import pymysql
import pytest

import pagila_data

REPO = Path(__file__).resolve().parents[2]
PAGILA_DIR = os.environ.get("PAGILA_DIR")  # set: the real Pagila is loaded from there
MIMIR_BIN = Path(os.environ.get("MIMIR_BIN") or REPO / "bin" / "mimir").absolute()


def _pg_bindir():
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    default = Path("/usr/lib/postgresql/15/bin")  # Debian 12
    if (default / "initdb").exists():
        return default
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    return found[-1].parent if found else default


PG_BINDIR = _pg_bindir()
PAGILA_CONFIGS = REPO / "configs" / "pagila"
DEMO_CONFIGS = REPO / "configs" / "demo"
DEMO_DB = DEMO_CONFIGS / "demo.db"

IS_ROOT = os.geteuid() == 0
PG_OS_USER = "postgres"

SERVER_READY_TIMEOUT = 10.0
SERVER_STOP_TIMEOUT = 5.0
CLIENT_TIMEOUT = 60

# The line a server logs once its sources' column types came from the backends.
TYPES_DISCOVERED = r"column types discovered for (\d+) of (\d+) sources"

# Markers that a sanitizer build (make test-asan) wrote a report to stderr.
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------


def free_port():
    """A TCP port that was free a moment ago (bind to port 0, read, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(text, lines=60):
    return "\n".join(text.splitlines()[-lines:])


def _clean_env(**extra):
    """The environment for PostgreSQL tools: no PG* variables leaking in from
    the caller (PGHOST, PGPORT, PGDATABASE would silently redirect psql)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(LC_ALL="C", LANG="C")
    env.update(extra)
    return env


def _make_dir(parent, prefix):
    return Path(tempfile.mkdtemp(prefix=prefix, dir=parent))


def _session_tmp_base():
    """Where the session directory goes. As root it must be traversable by the
    `postgres` user; fall back to /tmp when TMPDIR is not."""
    base = Path(tempfile.gettempdir())
    if IS_ROOT and not os.stat(base).st_mode & 0o001:
        base = Path("/tmp")
    return base


# --------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------


class PgCluster:
    """A throwaway PostgreSQL cluster: 127.0.0.1 only, a free (or given) port,
    its unix socket inside its own directory, fsync off, trust auth for the
    `postgres` role. destroy() stops it and removes its directory; it is safe
    to call at any point, also after a failed start."""

    def __init__(self, parent, port=None, name="pg"):
        self.dir = _make_dir(parent, name + "-")
        # More `-c name=value` settings for start() (e.g. ssl=on and its files).
        self.settings = {}
        self.datadir = self.dir / "data"
        self.logfile = self.dir / "postgres.log"
        self.host = "127.0.0.1"
        self.fixed_port = port
        self.port = port
        self.started = False
        self._conns = {}
        self._lock = threading.Lock()
        if IS_ROOT:
            pw = pwd.getpwnam(PG_OS_USER)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)

    # -- running the server-side tools (as `postgres` when we are root)

    def _run_pg(self, tool, *args, check=True, timeout=120):
        cmd = [str(PG_BINDIR / tool), *map(str, args)]
        if IS_ROOT:
            cmd = ["runuser", "-u", PG_OS_USER, "--", *cmd]
        proc = subprocess.run(
            cmd,
            cwd=self.dir,
            env=_clean_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
        )
        if check and proc.returncode != 0:
            raise RuntimeError(
                f"{shlex.join(cmd)} exited with {proc.returncode}:\n{proc.stdout}\n"
                f"--- postgres log:\n{self.log_tail()}"
            )
        return proc

    def log_tail(self):
        try:
            return _tail(self.logfile.read_text(errors="replace"))
        except OSError:
            return "(no log)"

    def init(self):
        self._run_pg(
            "initdb", "-D", self.datadir, "--auth=trust", "-U", "postgres",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )

    def prepend_hba(self, *lines):
        """Puts lines first in pg_hba.conf (after init(), before start()): the
        first line that matches a connection decides its authentication."""
        hba = self.datadir / "pg_hba.conf"
        hba.write_text("".join(line + "\n" for line in lines) + hba.read_text())

    def start(self):
        # A port picked by free_port() may be taken by someone else before
        # postgres binds it: retry with a new one, unless the port is fixed.
        attempts = 1 if self.fixed_port else 5
        for attempt in range(attempts):
            if not self.fixed_port:
                self.port = free_port()
            opts = " ".join([
                "-c listen_addresses=127.0.0.1",
                f"-p {self.port}",
                f"-c unix_socket_directories={shlex.quote(str(self.dir))}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c timezone=UTC",
                "-c max_connections=100",
                *(f"-c {k}={shlex.quote(str(v))}" for k, v in self.settings.items()),
            ])
            proc = self._run_pg(
                "pg_ctl", "-D", self.datadir, "-l", self.logfile, "-w", "-t", "60",
                "-o", opts, "start", check=False,
            )
            if proc.returncode == 0:
                self.started = True
                return
            # pg_ctl may have left a postmaster behind on timeout
            self.started = True
            self.stop()
            if "already in use" not in self.log_tail() or attempt == attempts - 1:
                raise RuntimeError(
                    f"pg_ctl start failed ({proc.returncode}):\n{proc.stdout}\n"
                    f"--- postgres log:\n{self.log_tail()}"
                )

    def forget(self, dbname):
        """Close the cached connection to dbname (so that it can be dropped)."""
        with self._lock:
            conn = self._conns.pop(dbname, None)
        if conn is not None:
            conn.close()

    def stop(self):
        for conn in self._conns.values():
            try:
                conn.close()
            except Exception:
                pass
        self._conns.clear()
        if not self.started:
            return
        self.started = False
        for mode in ("fast", "immediate"):
            proc = self._run_pg("pg_ctl", "-D", self.datadir, "-m", mode, "-w", "-t", "30",
                                "stop", check=False)
            if proc.returncode == 0 or "Is server running?" in proc.stdout:
                return
        # Last resort: the postmaster is ours; its pid is in postmaster.pid.
        try:
            pid = int((self.datadir / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError, IndexError):
            pass

    def destroy(self):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    # -- clients

    @property
    def dsn(self):
        return f"host={self.host} port={self.port} user=postgres dbname=pagila"

    def psql(self, *args, dbname="pagila", timeout=300):
        """Run psql (as whoever we are: it connects over TCP with trust auth)."""
        cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.host,
               "-p", str(self.port), "-U", "postgres", "-d", dbname, *map(str, args)]
        proc = subprocess.run(
            cmd, env=_clean_env(PGOPTIONS="-c client_min_messages=warning"),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, timeout=timeout,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"{shlex.join(cmd)} exited with {proc.returncode}:\n"
                               f"{_tail(proc.stdout)}")
        return proc.stdout

    def create_database(self, name):
        self.psql("-c", f'CREATE DATABASE "{name}"', dbname="postgres")

    def load_pagila(self):
        """Database `pagila`: the real Pagila from PAGILA_DIR when that is set,
        otherwise the data pagila_data.py generates."""
        if PAGILA_DIR:
            self._load_pagila_files(Path(PAGILA_DIR))
        else:
            self._load_generated_pagila()
        self.psql("-c", "ANALYZE")

    def _load_pagila_files(self, directory):
        schema = directory / "pagila-schema.sql"
        data = directory / "pagila-data.sql"
        for f in (schema, data):
            if not f.is_file():
                raise RuntimeError(f"Pagila file {f} not found (PAGILA_DIR={directory}; "
                                   "unset PAGILA_DIR to use generated data)")
        self.create_database("pagila")
        self.psql("-f", schema)
        self.psql("-f", data)

    def _load_generated_pagila(self):
        self.create_database("pagila")
        conn = psycopg2.connect(host=self.host, port=self.port, user="postgres",
                                dbname="pagila", connect_timeout=10)
        try:
            pagila_data.load(conn)
        finally:
            conn.close()

    def query(self, sql, params=None, dbname="pagila"):
        """Run one statement on the cluster; returns the rows as a list of
        tuples ([] for statements without a result). The session TimeZone is
        UTC, like Mimir's backend connections."""
        with self._lock:
            conn = self._conns.get(dbname)
            if conn is None or conn.closed:
                conn = psycopg2.connect(host=self.host, port=self.port, user="postgres",
                                        dbname=dbname, options="-c TimeZone=UTC",
                                        connect_timeout=10)
                conn.autocommit = True
                self._conns[dbname] = conn
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall() if cur.description is not None else []


def write_secrets(directory, port, schema="pagila", host="127.0.0.1",
                  connection_name="pagila_postgres", user="postgres"):
    """Write <connection_name>.json in the prototype's format (port as a string)."""
    import json

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    secret = {
        "connection_class": "sqldb",
        "flavour": "postgresql",
        "host": host,
        "port": str(port),
        "user": user,
        "password": "",
        "schema": schema,
    }
    path = directory / f"{connection_name}.json"
    path.write_text(json.dumps(secret, indent=2) + "\n")
    return directory


# --------------------------------------------------------------------------
# Mimir
# --------------------------------------------------------------------------


class ServerExited(AssertionError):
    pass


class CliResult(list):
    """Rows printed by `mariadb --batch --raw` (lists of strings), with the
    header in .columns and the process's stderr in .stderr."""

    def __init__(self, columns, rows, stderr):
        super().__init__(rows)
        self.columns = columns
        self.stderr = stderr


def rss_kib(pid):
    """The resident memory of process pid, in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmRSS for process {pid}")


def open_fds(pid):
    """How many file descriptors process pid has open."""
    return len(os.listdir(f"/proc/{pid}/fd"))


def sanitized(pid):
    """Whether process pid runs a sanitizer build: AddressSanitizer keeps freed memory in
    quarantine (256 MiB by default), so bounds on a process's memory are checked on the
    ordinary build only."""
    with open(f"/proc/{pid}/maps") as maps:
        return any("libasan" in line or "libubsan" in line for line in maps)


class MimirServer:
    """One bin/mimir process. start() waits until the TCP port accepts
    connections (failing with the server's stderr if it exits first); stop()
    sends SIGTERM, then SIGKILL after 5 s. Logs go to files in `logdir`."""

    running = []  # servers started and not yet stopped, for liveness checks

    def __init__(self, logdir, configs=None, secrets=None, port=None, name="mimir",
                 extra_args=()):
        self.logdir = Path(logdir)
        self.configs = configs
        self.secrets = secrets
        self.fixed_port = port
        self.port = port
        self.name = name
        self.extra_args = list(extra_args)
        self.proc = None
        self.returncode = None
        self.stderr_path = None
        self.stdout_path = None
        self._files = []

    def command(self):
        cmd = [str(MIMIR_BIN), "serve"]
        if self.configs is not None:
            cmd += ["--configs", str(self.configs)]
        if self.secrets is not None:
            cmd += ["--secrets", str(self.secrets)]
        cmd += ["--host", "127.0.0.1", "--port", str(self.port), *self.extra_args]
        return cmd

    def _spawn(self):
        if not MIMIR_BIN.is_file() or not os.access(MIMIR_BIN, os.X_OK):
            raise AssertionError(f"Mimir binary {MIMIR_BIN} not found (run `make`, or set MIMIR_BIN)")
        if not self.fixed_port:
            self.port = free_port()
        log = _make_dir(self.logdir, f"{self.name}-")
        self.stderr_path = log / "stderr.log"
        self.stdout_path = log / "stdout.log"
        err = open(self.stderr_path, "wb")
        out = open(self.stdout_path, "wb")
        self._files = [err, out]
        self.returncode = None
        self.proc = subprocess.Popen(self.command(), cwd=REPO, stdin=subprocess.DEVNULL,
                                     stdout=out, stderr=err)
        MimirServer.running.append(self)

    def start(self, timeout=SERVER_READY_TIMEOUT):
        attempts = 1 if self.fixed_port else 3
        for attempt in range(attempts):
            self._spawn()
            try:
                self.wait_ready(timeout)
                return self
            except ServerExited:
                # Someone grabbed our free port in between: try another one.
                if "in use" not in self.stderr() or attempt == attempts - 1:
                    self.stop()
                    raise
                self.stop()
        return self

    def wait_ready(self, timeout=SERVER_READY_TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            rc = self.proc.poll()
            if rc is not None:
                raise ServerExited(f"{self.name} exited with status {rc} before accepting "
                                   f"connections: {shlex.join(self.command())}\n"
                                   f"--- stderr:\n{self.stderr()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"{self.name} did not accept connections on port "
                                     f"{self.port} within {timeout} s\n--- stderr:\n{self.stderr()}")
            time.sleep(0.05)

    def wait_for_log(self, pattern, timeout=SERVER_READY_TIMEOUT, count=1):
        """Wait until the server's stderr has `count` lines matching the regex
        `pattern`; returns the matches. Fails with the log on timeout."""
        import re

        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in map(regex.search, self.stderr().splitlines()) if m]
            if len(found) >= count:
                return found
            if self.proc is not None and self.proc.poll() is not None:
                raise ServerExited(f"{self.name} exited while waiting for {pattern!r}\n"
                                   f"--- stderr:\n{self.stderr()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} did not log {pattern!r} ({count}x) within "
                                     f"{timeout} s\n--- stderr:\n{_tail(self.stderr())}")
            time.sleep(0.05)

    def run_until_exit(self, timeout=SERVER_READY_TIMEOUT):
        """For servers expected to fail at startup: returns (status, stderr)."""
        self._spawn()
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise AssertionError(f"{self.name} was expected to exit but was still running "
                                 f"after {timeout} s\n--- stderr:\n{self.stderr()}")
        self.stop()
        return rc, self.stderr()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        """Stop the process; returns its exit status (None if never started).
        A status of -SIGTERM or 0 means a clean stop; anything else means the
        server had crashed (or a sanitizer complained) before or while stopping."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(SERVER_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.returncode = "killed after SIGTERM timeout"
        if self.returncode is None:
            self.returncode = self.proc.returncode
        for f in self._files:
            f.close()
        self._files = []
        if self in MimirServer.running:
            MimirServer.running.remove(self)
        return self.returncode

    def exit_problem(self):
        """After stop(): a description of what went wrong, or None."""
        if self.proc is None:
            return None  # never started (start() already failed and said why)
        text = self.stderr()
        if self.returncode not in (0, -signal.SIGTERM):
            return f"{self.name} exit status {self.returncode}\n--- stderr:\n{_tail(text)}"
        if any(m in text for m in SANITIZER_MARKERS):
            return f"{self.name} sanitizer report\n--- stderr:\n{_tail(text, 200)}"
        return None

    def stderr(self):
        try:
            return self.stderr_path.read_text(errors="replace")
        except (OSError, AttributeError):
            return ""

    # -- clients

    def connect(self, **kwargs):
        """A PyMySQL connection; autocommit=None so PyMySQL sends nothing but
        the handshake (tests of SET autocommit are explicit)."""
        params = dict(host="127.0.0.1", port=self.port, user="anyone", password="",
                      connect_timeout=10, read_timeout=CLIENT_TIMEOUT,
                      write_timeout=CLIENT_TIMEOUT, autocommit=None)
        params.update(kwargs)
        return pymysql.connect(**params)

    def query(self, sql):
        """Run one statement on a fresh connection: (column names, rows)."""
        conn = self.connect()
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
                names = [d[0] for d in cur.description] if cur.description else []
                return names, [tuple(r) for r in cur.fetchall()]
        finally:
            conn.close()

    def mariadb_cli_run(self, sql, *extra, user="anyone", script=False, timeout=CLIENT_TIMEOUT):
        """Run the real `mariadb` client on `sql` (with -e, or fed on stdin as
        a script when script=True: only then does --force go on after an
        error); returns the CompletedProcess."""
        cmd = ["mariadb", "--no-defaults", "-h", "127.0.0.1", "-P", str(self.port),
               "-u", user, "--batch", "--raw", "--connect-timeout=10", *extra]
        if not script:
            cmd += ["-e", sql]
        return subprocess.run(cmd, input=sql if script else None,
                              stdin=None if script else subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=timeout)

    def mariadb_cli(self, sql, *extra, user="anyone"):
        """Run one query through the mariadb CLI; returns a CliResult (rows of
        strings, NULL printed as "NULL"). Fails the test on a non-zero exit."""
        proc = self.mariadb_cli_run(sql, *extra, user=user)
        if proc.returncode != 0:
            raise AssertionError(f"mariadb exited with {proc.returncode} for {sql!r}\n"
                                 f"stderr: {proc.stderr}\nstdout: {proc.stdout}")
        lines = proc.stdout.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if not lines:
            return CliResult([], [], proc.stderr)
        return CliResult(lines[0].split("\t"), [tuple(l.split("\t")) for l in lines[1:]],
                         proc.stderr)


# --------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def session_dir(request):
    path = _make_dir(_session_tmp_base(), "mimir-it-")
    request.addfinalizer(lambda: shutil.rmtree(path, ignore_errors=True))
    os.chmod(path, 0o711)  # traversable (not listable) for `postgres` when we are root
    return path


@pytest.fixture
def workdir(session_dir):
    """A fresh directory for one test (removed with the session directory)."""
    return _make_dir(session_dir, "test-")


@pytest.fixture(scope="session")
def pg(request, session_dir):
    """The session's PostgreSQL cluster with Pagila (generated, or the real one
    from PAGILA_DIR) loaded in database `pagila`."""
    cluster = PgCluster(session_dir, name="pg-pagila")
    request.addfinalizer(cluster.destroy)
    cluster.init()
    cluster.start()
    cluster.load_pagila()
    return cluster


@pytest.fixture
def pg_factory(request, session_dir):
    """Start extra, empty clusters: pg_factory(port=None) -> started PgCluster.
    They are destroyed at the end of the test."""

    def make(port=None, name="pg-extra"):
        cluster = PgCluster(session_dir, port=port, name=name)
        request.addfinalizer(cluster.destroy)
        cluster.init()
        cluster.start()
        return cluster

    return make


@pytest.fixture(scope="session")
def mariadb(request, session_dir):
    """The session's MariaDB server (mariadb_server.py), empty: tests create
    their own databases and users in it."""
    from mariadb_server import MariaDbServer

    server = MariaDbServer(session_dir, name="mariadb")
    request.addfinalizer(server.destroy)
    server.init()
    return server.start()


@pytest.fixture
def mariadb_factory(request, session_dir):
    """Start extra MariaDB servers, destroyed at the end of the test:
    mariadb_factory() -> started MariaDbServer."""
    from mariadb_server import MariaDbServer

    def make(name="mariadb-extra"):
        server = MariaDbServer(session_dir, name=name)
        request.addfinalizer(server.destroy)
        server.init()
        return server.start()

    return make


@pytest.fixture(scope="session")
def pagila_secrets(pg, session_dir):
    """A secrets directory with pagila_postgres.json pointing at `pg`."""
    return write_secrets(_make_dir(session_dir, "secrets-"), pg.port)


def _session_server(request, session_dir, name, configs, secrets, extra_args=()):
    server = MimirServer(session_dir, configs=configs, secrets=secrets, name=name,
                         extra_args=extra_args)

    def finish():
        server.stop()
        problem = server.exit_problem()
        if problem:
            pytest.fail(problem, pytrace=False)

    request.addfinalizer(finish)
    return server.start()


def start_layer_server(request, session_dir, name, configs, secrets, extra_args=()):
    """bin/mimir serving a test's own semantic layer, stopped (and checked for
    sanitizer reports) when the fixture ends, once the column types are known."""
    server = _session_server(request, session_dir, name, configs, secrets, extra_args)
    server.wait_for_log(TYPES_DISCOVERED)
    return server


@pytest.fixture(scope="session")
def mimir(request, session_dir, pg, pagila_secrets):
    """bin/mimir serving configs/pagila against the session's cluster."""
    if not PAGILA_CONFIGS.is_dir():
        pytest.fail(f"{PAGILA_CONFIGS} is missing", pytrace=False)
    server = _session_server(request, session_dir, "mimir-pagila", PAGILA_CONFIGS, pagila_secrets)
    # Column types come from PostgreSQL a moment after startup: let tests see them.
    server.wait_for_log(TYPES_DISCOVERED)
    return server


@pytest.fixture(scope="session")
def mimir_demo(request, session_dir):
    """bin/mimir with no --configs: the embedded demo over configs/demo/demo.db."""
    if not DEMO_DB.is_file():
        pytest.fail(f"{DEMO_DB} is missing (run `make demo-data`)", pytrace=False)
    return _session_server(request, session_dir, "mimir-demo", None, None)


@pytest.fixture
def mimir_factory(request, session_dir):
    """Build extra servers: mimir_factory(configs=..., secrets=...) -> MimirServer
    (not started: call .start() or .run_until_exit()). Stopped at test end; a
    server that crashed meanwhile fails the test."""

    def make(**kwargs):
        kwargs.setdefault("name", "mimir-extra")
        server = MimirServer(session_dir, **kwargs)

        def finish():
            was_running = server.alive()
            server.stop()
            if was_running:
                problem = server.exit_problem()
                if problem:
                    pytest.fail(problem, pytrace=False)

        request.addfinalizer(finish)
        return server

    return make


@pytest.fixture(autouse=True)
def _servers_stay_up():
    """A test after which a session server is dead made it crash: say so here,
    on that test, instead of letting every later test fail mysteriously."""
    yield
    dead = [s for s in list(MimirServer.running) if not s.alive()]
    for s in dead:
        s.stop()
    if dead:
        pytest.fail("\n".join(f"{s.name} died during this test: " + (s.exit_problem() or "")
                              for s in dead), pytrace=False)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: long runs outside `make test` (test_soak.py: `make soak`)")


def pytest_terminal_summary(terminalreporter, config):
    """The compatibility corpus's table (test_compat.py): per tool, how many
    statements pass, are known gaps, are refused on purpose."""
    results = config.__dict__.get("compat_results")
    if not results:
        return
    from test_compat import summary_table

    terminalreporter.write_sep("-", "compatibility corpus (tests/compat)")
    terminalreporter.write_line(summary_table(results))
