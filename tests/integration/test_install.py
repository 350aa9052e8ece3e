"""Mimir installed like a server (docs/operations.md, "Installing").

- `make install DESTDIR=... PREFIX=...` lays out the expected tree (binary, man
  page, demo, docs, the systemd unit with this install's paths, logrotate,
  /etc/mimir) and never replaces a configuration that is already there;
- the unit passes `systemd-analyze verify` (systemd is not PID 1 in a
  container, so the unit is verified, not started: its ExecStart is pointed
  into the DESTDIR tree, which is what verify checks for an executable, and
  MANPATH at its man page, which verify checks for Documentation=);
- mimir(1) renders without a warning, and describes every command and option
  of docs/cli.md's synopsis;
- the logrotate file passes `logrotate --debug`;
- `make deb` (once for the module) builds a package that lintian passes with
  neither an error nor a warning, leaves the source tree as it was, and whose
  files (`dpkg -x`) serve the demo: numbers from the mariadb CLI against the
  installed binary equal sqlite3's on the installed database, computed here;
- sd_notify: READY=1 once the ports accept, RELOADING=1 (with MONOTONIC_USEC)
  then READY=1 around SIGHUP, also for a rejected reload, STOPPING=1 at SIGTERM.

Installing the .deb with dpkg (user creation, statoverrides, enabling the unit)
changes the machine, so it is not done here; docs/operations.md says how it
was checked by hand.
"""

import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import MIMIR_BIN, REPO, free_port

SQLITE = shutil.which("sqlite3") or "/usr/bin/sqlite3"
MARIADB = shutil.which("mariadb") or "/usr/bin/mariadb"
MAKE_TIMEOUT = 900


def run(cmd, timeout=120, check=True, **kw):
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    if check and res.returncode != 0:
        pytest.fail(f"{cmd} exited {res.returncode}:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}")
    return res


def make_install(destdir, *args):
    """`make install` of the binary under test (-o: never rebuilt here)."""
    return run(["make", "--no-print-directory", "-C", str(REPO), "-o", str(MIMIR_BIN),
                f"BIN={MIMIR_BIN}", "install", f"DESTDIR={destdir}", *args],
               timeout=MAKE_TIMEOUT)


@pytest.fixture(scope="module")
def tmp():
    d = Path(tempfile.mkdtemp(prefix="mimir-install-"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def installed(tmp):
    dest = tmp / "destdir"
    make_install(dest, "PREFIX=/usr")
    return dest


# ---- make install ------------------------------------------------------------


def test_install_tree(installed):
    mode = lambda p: stat.S_IMODE((installed / p).stat().st_mode)  # noqa: E731
    assert mode("usr/bin/mimir") == 0o755
    files = ["usr/share/man/man1/mimir.1", "usr/share/doc/mimir/operations.md",
             "usr/share/doc/mimir/examples/server.yaml",
             "usr/share/doc/mimir/examples/pagila/sources/sources.yaml",
             "usr/share/doc/mimir/examples/pagila/secrets.example/pagila_postgres.json",
             "usr/share/mimir/demo/demo.db",
             "usr/share/mimir/demo/sources/sources.yaml",
             "usr/share/mimir/demo/secrets/demo_sqlite.json",
             "etc/mimir/server.yaml", "etc/mimir/project/sources/sources.yaml",
             "etc/mimir/project/metrics/orders.yaml", "etc/mimir/secrets/demo_sqlite.json",
             "etc/logrotate.d/mimir"]
    for f in files:
        assert (installed / f).is_file(), f
    unit = list(installed.glob("*lib/systemd/system/mimir.service"))
    assert len(unit) == 1, unit
    assert mode("etc/mimir/secrets") == 0o750
    assert mode("etc/mimir/secrets/demo_sqlite.json") == 0o640
    assert mode("etc/mimir/server.yaml") == 0o640
    secret = (installed / "etc/mimir/secrets/demo_sqlite.json").read_text()
    assert '"/usr/share/mimir/demo/demo.db"' in secret
    text = unit[0].read_text()
    assert ("ExecStart=/usr/bin/mimir serve --configs /etc/mimir/project "
            "--secrets /etc/mimir/secrets --server-config /etc/mimir/server.yaml") in text
    assert not re.search(r"@[A-Z]+@", text)


def test_unit_settings(installed):
    unit = next(installed.glob("*lib/systemd/system/mimir.service")).read_text()
    settings = dict(line.split("=", 1) for line in unit.splitlines()
                    if "=" in line and not line.startswith("#"))
    assert settings["Type"] == "notify"
    assert settings["User"] == settings["Group"] == "mimir"
    assert settings["ExecReload"] == "/bin/kill -HUP $MAINPID"
    assert settings["ProtectSystem"] == "strict"
    assert settings["ProtectHome"] == "true"
    assert settings["PrivateTmp"] == "true"
    assert settings["NoNewPrivileges"] == "true"
    assert settings["AmbientCapabilities"] == ""
    assert settings["CapabilityBoundingSet"] == ""
    assert settings["LogsDirectory"] == "mimir"
    assert settings["Restart"] == "on-failure"
    assert int(settings["LimitNOFILE"]) >= 4096
    # SIGTERM lets queries finish for shutdown_timeout: systemd must wait longer.
    server = (installed / "etc/mimir/server.yaml").read_text()
    timeout = int(re.search(r"shutdown_timeout: (\d+)", server).group(1))
    assert int(settings["TimeoutStopSec"]) > timeout + 5


def test_systemd_analyze_verify(installed, tmp):
    unit = next(installed.glob("*lib/systemd/system/mimir.service")).read_text()
    exe = installed / "usr/bin/mimir"
    unit = unit.replace("ExecStart=/usr/bin/mimir", f"ExecStart={exe}")
    d = tmp / "verify"
    d.mkdir()
    (d / "mimir.service").write_text(unit)
    env = dict(os.environ, MANPATH=str(installed / "usr/share/man"), SYSTEMD_LOG_LEVEL="notice")
    res = run(["systemd-analyze", "verify", str(d / "mimir.service")], check=False, env=env)
    assert res.returncode == 0 and res.stderr.strip() == "", res.stderr
    # It does check: a unit whose binary is missing fails.
    (d / "mimir.service").write_text(unit.replace(str(exe), "/nonexistent/mimir"))
    res = run(["systemd-analyze", "verify", str(d / "mimir.service")], check=False, env=env)
    assert res.returncode != 0 and "/nonexistent/mimir" in res.stderr


def test_install_keeps_configuration(installed):
    conf = installed / "etc/mimir/server.yaml"
    conf.write_text(conf.read_text() + "# the operator's\n")
    secret = installed / "etc/mimir/secrets/demo_sqlite.json"
    secret.write_text('{"connection_class": "sqlite", "path": "/srv/mine.db"}\n')
    make_install(installed, "PREFIX=/usr")
    assert conf.read_text().endswith("# the operator's\n")
    assert "/srv/mine.db" in secret.read_text()


def test_install_prefix_local(tmp):
    dest = tmp / "local"
    make_install(dest, "PREFIX=/usr/local")
    assert (dest / "usr/local/bin/mimir").is_file()
    assert (dest / "usr/local/share/man/man1/mimir.1").is_file()
    assert (dest / "usr/local/etc/mimir/server.yaml").is_file()
    unit = (dest / "usr/local/lib/systemd/system/mimir.service").read_text()
    assert "ExecStart=/usr/local/bin/mimir serve --configs /usr/local/etc/mimir/project" in unit
    secret = (dest / "usr/local/etc/mimir/secrets/demo_sqlite.json").read_text()
    assert "/usr/local/share/mimir/demo/demo.db" in secret
    assert not (dest / "etc").exists()


# ---- the man page and logrotate --------------------------------------------


def test_man_page_renders_without_warnings(installed):
    page = installed / "usr/share/man/man1/mimir.1"
    env = dict(os.environ, LC_ALL="C.UTF-8")
    res = run(["groff", "-ww", "-man", "-z", str(page)], env=env)
    assert res.stderr == "" and res.stdout == ""
    # What lintian runs (man --warnings), at 80 columns.
    res = run(["man", "--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z", str(page)],
              env=dict(env, MANWIDTH="80"))
    assert res.stderr == ""


def test_man_page_covers_the_command_line():
    """Every command and option of docs/cli.md's synopsis is in mimir(1)."""
    cli = (REPO / "docs/cli.md").read_text()
    synopsis = cli[:cli.index("Every command takes")]
    page = (REPO / "docs/mimir.1").read_text().replace("\\-", "-")
    options = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", synopsis))
    commands = set(re.findall(r"^    mimir (\w+)", synopsis, re.M))
    assert len(options) > 25 and len(commands) == 10
    missing = [o for o in sorted(options) if o not in page]
    missing += [c for c in sorted(commands) if f".B {c}\n" not in page]
    assert missing == []
    help_text = run([str(MIMIR_BIN), "--help"]).stdout
    for command in re.findall(r"^(\w+)\s{2,}", help_text, re.M):
        assert f".B {command}\n" in page, command


def test_logrotate_file(installed, tmp):
    conf = (installed / "etc/logrotate.d/mimir").read_text()
    assert "/var/log/mimir/mimir.log" in conf
    directives = [line.split("#")[0].strip() for line in conf.splitlines()]
    assert "copytruncate" not in directives  # SIGHUP reopens the log
    assert re.search(r"postrotate\s+.*--signal=HUP mimir\.service.*\s+endscript", conf, re.S)
    server = (installed / "etc/mimir/server.yaml").read_text()
    assert "file: /var/log/mimir/mimir.log" in server
    logrotate = shutil.which("logrotate") or "/usr/sbin/logrotate"
    res = run([logrotate, "--debug", "--state", str(tmp / "logrotate.state"),
               str(installed / "etc/logrotate.d/mimir")], check=False)
    assert res.returncode == 0, res.stderr
    assert "error" not in res.stderr.lower(), res.stderr


# ---- make deb ---------------------------------------------------------------


def git_status():
    return run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=all"]).stdout


@pytest.fixture(scope="module")
def deb():
    before = git_status()
    run(["make", "--no-print-directory", "-C", str(REPO), "deb"], timeout=MAKE_TIMEOUT)
    after = git_status()
    debs = sorted((REPO / "build/deb").glob("mimir_*.deb"))
    assert len(debs) == 1, debs
    return {"path": debs[0], "status_before": before, "status_after": after}


def test_deb_leaves_the_tree_alone(deb):
    assert deb["status_after"] == deb["status_before"]


def test_lintian_clean(deb):
    res = run(["lintian", "--fail-on", "error,warning", str(deb["path"])], check=False,
              timeout=600)
    tags = [line for line in res.stdout.splitlines() if re.match(r"^[EW]: ", line)]
    assert res.returncode == 0 and tags == [], res.stdout + res.stderr


def test_deb_package(deb, tmp):
    info = run(["dpkg-deb", "-f", str(deb["path"]), "Package", "Version", "Depends"]).stdout
    assert "Package: mimir" in info
    # One version: the package's, the binary's and the man page's.
    version = run([str(MIMIR_BIN), "--version"]).stdout.split()[1]
    assert f"Version: {version}\n" in info
    assert f'"mimir {version}"' in (REPO / "docs/mimir.1").read_text()
    assert "adduser" in info and "libsystemd0" in info
    contents = run(["dpkg-deb", "-c", str(deb["path"])]).stdout
    for path in ["./usr/bin/mimir", "./lib/systemd/system/mimir.service",
                 "./usr/share/man/man1/mimir.1.gz", "./etc/logrotate.d/mimir",
                 "./etc/mimir/server.yaml", "./usr/share/mimir/demo/demo.db"]:
        assert re.search(rf" {re.escape(path)}$", contents, re.M), path
    control = tmp / "control"
    run(["dpkg-deb", "-e", str(deb["path"]), str(control)])
    conffiles = (control / "conffiles").read_text().split()
    assert "/etc/mimir/server.yaml" in conffiles
    assert "/etc/mimir/secrets/demo_sqlite.json" in conffiles
    postinst = (control / "postinst").read_text()
    assert "adduser --system" in postinst
    assert "dpkg-statoverride --update --add root mimir 0750" in postinst or \
        "dpkg-statoverride --update --add root mimir \"$mode\"" in postinst
    # dh_installsystemd: enabled and started (when systemd runs) on installation.
    assert "deb-systemd-helper enable 'mimir.service'" in postinst
    assert "deb-systemd-invoke $_dh_action 'mimir.service'" in postinst
    assert postinst.index("adduser") < postinst.index("deb-systemd-invoke")


# ---- the installed files serve the demo --------------------------------------


@pytest.fixture(scope="module")
def extracted(deb, tmp):
    root = tmp / "root"
    run(["dpkg", "-x", str(deb["path"]), str(root)])
    return root


def wait_for_port(port, proc, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"mimir exited {proc.returncode}: {proc.stderr.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"port {port} never accepted")


def serve(binary, *args, env=None):
    port = free_port()
    proc = subprocess.Popen([str(binary), "serve", "--port", str(port), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=env)
    return proc, port


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def mariadb_rows(port, sql):
    out = run([MARIADB, "-h", "127.0.0.1", "-P", str(port), "-u", "analyst", "--batch",
               "--skip-column-names", "-e", sql]).stdout
    return [line.split("\t") for line in out.splitlines()]


def sqlite_rows(db, sql):
    out = run([SQLITE, "-separator", "\t", f"file:{db}?mode=ro", sql]).stdout
    return [line.split("\t") for line in out.splitlines()]


DEMO_QUERY = ("SELECT dim_region, AGG(orders_count), AGG(revenue), AGG(units_sold) "
              "FROM mimir.metrics GROUP BY dim_region ORDER BY dim_region")
DEMO_SQL = ("SELECT stores.region, COUNT(orders.order_id), SUM(orders.amount), "
            "SUM(orders.quantity) FROM orders JOIN stores ON stores.store_id = orders.store_id "
            "JOIN products ON products.product_id = orders.product_id "
            "GROUP BY stores.region ORDER BY stores.region")


def same(got, want):
    assert len(got) == len(want) > 1
    for g, w in zip(got, want):
        assert g[0] == w[0]
        assert [Decimal(x).quantize(Decimal("0.01")) for x in g[1:]] == \
            [Decimal(x).quantize(Decimal("0.01")) for x in w[1:]]


def test_installed_binary_serves_the_embedded_demo(extracted):
    """`mimir serve` without --configs: the demo in share/mimir/demo beside the binary."""
    proc, port = serve(extracted / "usr/bin/mimir")
    try:
        wait_for_port(port, proc)
        got = mariadb_rows(port, DEMO_QUERY)
    finally:
        assert stop(proc) == 0
    assert str(extracted / "usr/share/mimir/demo") in proc.stderr.read()
    same(got, sqlite_rows(extracted / "usr/share/mimir/demo/demo.db", DEMO_SQL))


def test_installed_configuration_serves(extracted, tmp):
    """The service's own command line, on the package's /etc/mimir, relocated
    into the extracted tree (its secrets and log point outside it)."""
    etc = extracted / "etc/mimir"
    secrets = tmp / "secrets"
    secrets.mkdir()
    db = extracted / "usr/share/mimir/demo/demo.db"
    packaged = (etc / "secrets/demo_sqlite.json").read_text()
    (secrets / "demo_sqlite.json").write_text(packaged.replace("/usr/share/mimir/demo/demo.db",
                                                               str(db)))
    log = tmp / "log" / "mimir.log"
    log.parent.mkdir()
    server = tmp / "server.yaml"
    server.write_text((etc / "server.yaml").read_text().replace("/var/log/mimir/mimir.log",
                                                                str(log)))
    proc, port = serve(extracted / "usr/bin/mimir", "--configs", str(etc / "project"),
                       "--secrets", str(secrets), "--server-config", str(server))
    try:
        wait_for_port(port, proc)
        got = mariadb_rows(port, DEMO_QUERY)
    finally:
        assert stop(proc) == 0
    same(got, sqlite_rows(db, DEMO_SQL))
    text = log.read_text()
    assert "listening on 127.0.0.1" in text and '"event":"query"' in text


# ---- sd_notify -----------------------------------------------------------------


class NotifySocket:
    """What systemd's NOTIFY_SOCKET receives: one datagram per sd_notify call."""

    def __init__(self, directory):
        self.path = str(directory / "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(15)

    def next(self):
        data = self.sock.recv(65536).decode()
        return dict(line.split("=", 1) for line in data.splitlines() if "=" in line)

    def close(self):
        self.sock.close()


@pytest.fixture
def notify(tmp):
    d = Path(tempfile.mkdtemp(dir=tmp))
    n = NotifySocket(d)
    yield n
    n.close()


def copy_demo(tmp):
    project = Path(tempfile.mkdtemp(dir=tmp)) / "demo"
    shutil.copytree(REPO / "configs/demo", project,
                    ignore=shutil.ignore_patterns("demo-data.sql"))
    return project


def test_sd_notify_ready_reload_stopping(notify, tmp):
    project = copy_demo(tmp)
    admin, http = free_port(), free_port()
    proc, port = serve(MIMIR_BIN, "--configs", str(project), "--admin-port", str(admin),
                       "--http-port", str(http),
                       env=dict(os.environ, NOTIFY_SOCKET=notify.path))
    try:
        msg = notify.next()
        # READY=1 comes once every listener accepts: connect at once, no retry.
        assert msg["READY"] == "1"
        for p in (port, admin, http):
            socket.create_connection(("127.0.0.1", p), timeout=2).close()
        assert msg["STATUS"] == (f"serving 2 sources, 6 metrics, 2 dimensions of {project}; "
                                 f"MySQL on 127.0.0.1:{port}, HTTP on 127.0.0.1:{http}, "
                                 f"admin on 127.0.0.1:{admin}")

        before = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        proc.send_signal(signal.SIGHUP)
        msg = notify.next()
        after = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        assert msg["RELOADING"] == "1"
        assert before <= int(msg["MONOTONIC_USEC"]) <= after
        msg = notify.next()
        assert msg["READY"] == "1" and msg["STATUS"].startswith("serving 2 sources, 6 metrics")

        # A reload that is rejected still ends the reload: READY=1, saying so.
        with open(project / "metrics/orders.yaml", "a") as f:
            f.write("---\nname: broken\nsource_name: nope\nsql: SUM(x) AS broken\n")
        proc.send_signal(signal.SIGHUP)
        assert notify.next()["RELOADING"] == "1"
        msg = notify.next()
        assert msg["READY"] == "1"
        assert msg["STATUS"].startswith("reload rejected (see the log); serving 2 sources")
        mariadb_rows(port, "SELECT AGG(revenue) FROM mimir.metrics")  # still serving

        proc.send_signal(signal.SIGTERM)
        msg = notify.next()
        assert msg["STOPPING"] == "1"
        assert proc.wait(15) == 0
    finally:
        stop(proc)


def test_sd_notify_unreachable_socket_is_not_fatal(tmp):
    proc, port = serve(MIMIR_BIN, env=dict(os.environ,
                                           NOTIFY_SOCKET=str(tmp / "nobody-listens.sock")))
    try:
        wait_for_port(port, proc)
        proc.send_signal(signal.SIGHUP)
        mariadb_rows(port, "SELECT AGG(revenue) FROM mimir.metrics")
    finally:
        assert stop(proc) == 0
    err = proc.stderr.read()
    assert err.count("cannot notify the service manager") == 1, err


def test_logrotate_rotates_a_running_server(installed, tmp):
    """The packaged logrotate file, pointed at a test server's log (its
    postrotate signalling that server, as systemctl kill does the service's
    main process): after a forced rotation Mimir writes to the new file."""
    d = Path(tempfile.mkdtemp(dir=tmp))
    log = d / "mimir.log"
    server = d / "server.yaml"
    server.write_text(f"log:\n  file: {log}\n")
    proc, port = serve(MIMIR_BIN, "--server-config", str(server))
    try:
        wait_for_port(port, proc)
        conf = (installed / "etc/logrotate.d/mimir").read_text()
        conf = conf.replace("/var/log/mimir/mimir.log", str(log))
        conf = conf.replace("create 0640 mimir mimir", "create 0640 root root")
        conf = re.sub(r"systemctl kill [^\n]*", f"kill -HUP {proc.pid}", conf)
        (d / "logrotate.conf").write_text(conf)
        logrotate = shutil.which("logrotate") or "/usr/sbin/logrotate"
        run([logrotate, "--force", "--state", str(d / "state"), str(d / "logrotate.conf")])
        deadline = time.monotonic() + 10
        while "received SIGHUP" not in (log.read_text() if log.exists() else ""):
            assert time.monotonic() < deadline, "no SIGHUP reached the server"
            time.sleep(0.05)
        mariadb_rows(port, "SELECT AGG(revenue) FROM mimir.metrics")
    finally:
        assert stop(proc) == 0
    rotated = (d / "mimir.log.1").read_text()
    assert "listening on 127.0.0.1" in rotated and "received SIGHUP" not in rotated
    current = log.read_text()
    assert "received SIGHUP" in current and '"event":"query"' in current
    assert stat.S_IMODE(log.stat().st_mode) == 0o640
