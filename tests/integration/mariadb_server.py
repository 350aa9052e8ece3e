"""A throwaway MariaDB server from Debian's mariadb-server package, for the
tests of MySQL/MariaDB sources (`flavour: mysql`).

Like the PostgreSQL cluster in conftest.py it is real and private: its own
data directory in the session's temporary directory, 127.0.0.1 only, a free
port, its unix socket next to its data, nothing read from /etc/mysql
(--no-defaults). mariadbd refuses to run as root unless told which user to
become: as root, both mariadb-install-db and mariadbd get --user=mysql (the
account Debian's package creates) and the directory is chowned to it.

The fixtures' own administration (creating the database, the application
user, loading data) goes through the unix socket as MariaDB's root, which
mariadb-install-db creates without a password (--auth-root-authentication-
method=normal). Mimir connects over TCP as an ordinary user with a password,
as it would in production.

Environment:
  MARIADB_BINDIR  where mariadbd is (default /usr/sbin)
"""

import datetime
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pymysql

MARIADB_BINDIR = Path(os.environ.get("MARIADB_BINDIR") or "/usr/sbin")
INSTALL_DB = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"
IS_ROOT = os.geteuid() == 0
OS_USER = "mysql"

START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


def utc_naive(value):
    """PostgreSQL's timestamptz (UTC sessions) as MariaDB's naive UTC wall time."""
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(text, lines=60):
    return "\n".join(text.splitlines()[-lines:])


class MariaDbServer:
    """One mariadbd. init() creates the data directory, start() waits until it
    answers on its socket, stop() shuts it down (it can be started again on
    the same port, which is how tests take a backend down and bring it back),
    destroy() stops it and removes everything."""

    def __init__(self, parent, name="mariadb"):
        self.dir = Path(tempfile.mkdtemp(prefix=name + "-", dir=parent))
        self.datadir = self.dir / "data"
        self.socket = self.dir / "mysqld.sock"
        self.logfile = self.dir / "error.log"
        self.host = "127.0.0.1"
        self.port = None
        self.proc = None
        self._admin = None
        self.extra_args = []  # more mariadbd options (e.g. --ssl-cert=...)
        if IS_ROOT:
            pw = pwd.getpwnam(OS_USER)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)

    def log_tail(self, lines=60):
        try:
            return _tail(self.logfile.read_text(errors="replace"), lines)
        except OSError:
            return "(no log)"

    def init(self):
        cmd = [INSTALL_DB, "--no-defaults", f"--datadir={self.datadir}",
               "--auth-root-authentication-method=normal", "--skip-test-db",
               "--skip-name-resolve"]
        if IS_ROOT:
            cmd.append(f"--user={OS_USER}")
        proc = subprocess.run(cmd, cwd=self.dir, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=120)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}:\n"
                               f"{_tail(proc.stdout)}")

    def _command(self):
        cmd = [str(MARIADB_BINDIR / "mariadbd"), "--no-defaults",
               f"--datadir={self.datadir}", f"--socket={self.socket}",
               f"--pid-file={self.dir / 'mysqld.pid'}", f"--log-error={self.logfile}",
               f"--port={self.port}", "--bind-address=127.0.0.1", "--skip-name-resolve",
               "--innodb-buffer-pool-size=32M", "--innodb-flush-log-at-trx-commit=0",
               "--skip-innodb-doublewrite", "--max-connections=200", "--skip-log-bin"]
        if IS_ROOT:
            cmd.append(f"--user={OS_USER}")
        return cmd + list(self.extra_args)

    def start(self):
        """Start on a free port (the first time) or on the port it had."""
        fixed = self.port is not None
        for attempt in range(1 if fixed else 5):
            if not fixed:
                self.port = _free_port()
            self.proc = subprocess.Popen(self._command(), cwd=self.dir,
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)
            try:
                self._wait_ready()
                return self
            except RuntimeError:
                in_use = "already in use" in self.log_tail()
                self.stop()
                if fixed or not in_use or attempt == 4:
                    raise
        return self

    def _wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mariadbd exited with {self.proc.returncode}:\n"
                                   f"{self.log_tail()}")
            try:
                conn = pymysql.connect(unix_socket=str(self.socket), user="root", password="",
                                       connect_timeout=2)
                conn.close()
                return
            except pymysql.err.MySQLError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"mariadbd did not answer within {START_TIMEOUT} s:\n"
                                   f"{self.log_tail()}")
            time.sleep(0.1)

    def stop(self):
        if self._admin is not None:
            try:
                self._admin.close()
            except Exception:
                pass
            self._admin = None
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def destroy(self):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    # -- administration, as MariaDB's root over the unix socket

    def connect_root(self, database=None):
        conn = pymysql.connect(unix_socket=str(self.socket), user="root", password="",
                               database=database, connect_timeout=10, autocommit=True,
                               init_command="SET time_zone = '+00:00'")
        return conn

    def query(self, sql, params=None, database=None):
        """Run one statement as root (session time zone UTC, like Mimir's
        sessions); returns the rows as tuples ([] without a result)."""
        if self._admin is None or not self._admin.open:
            self._admin = self.connect_root()
        if database:
            self._admin.select_db(database)
        with self._admin.cursor() as cur:
            cur.execute(sql, params)
            return [tuple(r) for r in cur.fetchall()] if cur.description else []

    def executemany(self, sql, rows, database=None):
        if self._admin is None or not self._admin.open:
            self._admin = self.connect_root()
        if database:
            self._admin.select_db(database)
        with self._admin.cursor() as cur:
            cur.executemany(sql, rows)

    def load_time_zones(self, zone=None):
        """Loads the server's time zone tables from the system's tz database: every
        zone, or only zone (then skipped when the server knows it already)."""
        if zone:
            if self.query("SELECT COUNT(*) FROM mysql.time_zone_name WHERE name = %s",
                          (zone,))[0][0]:
                return
            cmd = ["mariadb-tzinfo-to-sql", f"/usr/share/zoneinfo/{zone}", zone]
        else:
            cmd = ["mariadb-tzinfo-to-sql", "/usr/share/zoneinfo"]
        tzsql = subprocess.run(cmd, check=True, capture_output=True, timeout=300).stdout
        subprocess.run(["mariadb", "--no-defaults", f"--socket={self.socket}", "-uroot", "mysql"],
                       input=tzsql, check=True, capture_output=True, timeout=300)

    def copy_from(self, pg, select, table, database):
        """Copies the rows of select, run on PostgreSQL (pg), into table (which
        exists, with as many columns), instants as naive UTC wall times."""
        rows = [tuple(utc_naive(v) for v in r) for r in pg.query(select)]
        if rows:
            marks = ", ".join(["%s"] * len(rows[0]))
            self.executemany(f"INSERT INTO {table} VALUES ({marks})", rows, database=database)

    def create_user(self, user, password, database):
        """An application user that may read `database` (and kill its own queries)."""
        self.query(f"CREATE USER IF NOT EXISTS '{user}'@'127.0.0.1' IDENTIFIED BY %s",
                   (password,))
        self.query(f"GRANT SELECT ON `{database}`.* TO '{user}'@'127.0.0.1'")

    def query_in_zone(self, zone, sql, database):
        """MariaDB's own answer to sql in a session whose time_zone is zone (the
        oracle of the time zone tests), on a connection of its own."""
        conn = self.connect_root(database)
        try:
            with conn.cursor() as cur:
                cur.execute("SET time_zone = %s", (zone,))
                cur.execute(sql)
                return [tuple(r) for r in cur.fetchall()]
        finally:
            conn.close()

    def secret(self, database, user, password):
        """A secrets file's content for this server (the prototype's format)."""
        return {"connection_class": "sqldb", "flavour": "mysql", "host": self.host,
                "port": str(self.port), "user": user, "password": password,
                "schema": database}
