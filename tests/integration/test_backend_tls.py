"""Verified TLS to the databases, and secrets that never leak.

A PostgreSQL cluster and a MariaDB server of this module's own, both with
TLS on and a server certificate for 127.0.0.1 and localhost signed by a test
CA that the fixture makes with the openssl tool (client_support.py), plus a
second CA nobody signed anything with (the untrusted one), a certificate for
another host name, and a client certificate for the PostgreSQL role
mimir_cert, which pg_hba.conf lets in by certificate only (`hostssl ... cert`).
The password role mimir_pw authenticates with SCRAM over TLS only; the
MariaDB user is created `REQUIRE SSL`.

One Mimir server (log level debug, admin port on) has one connection, source
and metric per case:

  pg_verified        verify-full, the test CA             answers
  pg_wrong_name      verify-full, host db.example.invalid  server certificate verification failed
                     (hostaddr=127.0.0.1: the same server, another name)
  pg_untrusted       verify-full, the other CA            server certificate verification failed
  pg_client_cert     verify-full + sslcert/sslkey         answers
  pg_no_client_cert  verify-full, no client certificate   client certificate refused
  pg_wrong_password  verify-full, a wrong password        password authentication failed
  my_verified        verify_identity, the test CA         answers
  my_untrusted       verify_identity, the other CA        server certificate verification failed
  my_wrong_password  verify_identity, a wrong password    access denied
  my_client_cert     verify_identity + ssl_cert/ssl_key   answers (a REQUIRE X509 user)
  my_no_client_cert  the same user, no client certificate access denied
  my_required_plain  required, on a server without TLS    TLS failed (never plain text)
  my_preferred_plain preferred, on a server without TLS   answers in plain text

MariaDB's wrong host name: the server is made to present the certificate for
db.example.invalid (FLUSH SSL) while a second Mimir connects with
verify_identity (refused) and verify_ca (answers: the chain is good, the name
is not checked), then given its own back.

Each error names the connection and is followed by a query that works on the
same Mimir server. Every number is computed by the same SQL run directly on
the database. The last test greps everything the run printed (server log at
debug, client answers, EXPLAIN, SHOW PROCESSLIST, /metrics, `mimir validate`
and `mimir query` output) for the passwords and the client key.
"""

import json
import os
import pwd
import shutil
import signal
import subprocess
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

import pymysql
import pytest

from client_support import make_signed_certificate, make_test_ca, make_test_certificates
from conftest import (CLIENT_TIMEOUT, IS_ROOT, MIMIR_BIN, PG_OS_USER, REPO, MimirServer,
                      PgCluster, _make_dir, free_port)

PG_PASSWORD = "Pg-pw-7f3a9c51-secret"
PG_WRONG_PASSWORD = "Pg-wrong-2b8e04d7"
MY_PASSWORD = "My-pw-5e1d2b93-secret"
MY_WRONG_PASSWORD = "My-wrong-91c4a6f0"
PASSWORDS = (PG_PASSWORD, PG_WRONG_PASSWORD, MY_PASSWORD, MY_WRONG_PASSWORD)

DB = "tlsdb"
ROWS = [(1, "2024-01-05 10:00:00", "12.50"), (2, "2024-01-06 11:30:00", "7.25"),
        (3, "2024-02-01 09:15:00", "30.00"), (4, "2024-02-14 18:45:00", "0.99")]
SOURCE_SQL = "SELECT sales.id, sales.ts, sales.amount FROM sales"
DIRECT_SQL = "SELECT SUM(amount), COUNT(id) FROM sales"

PG_CASES = ("pg_verified", "pg_wrong_name", "pg_untrusted", "pg_client_cert",
            "pg_no_client_cert", "pg_wrong_password")
MY_CASES = ("my_verified", "my_untrusted", "my_wrong_password", "my_client_cert",
            "my_no_client_cert", "my_required_plain", "my_preferred_plain")

# What the client sees (and the log says) when a connection fails.
EXPECTED_ERRORS = {
    "pg_wrong_name": ("server certificate verification failed", "does not match host name"),
    "pg_untrusted": ("server certificate verification failed", "certificate verify failed"),
    "pg_no_client_cert": ("client certificate refused",
                          "requires a valid client certificate"),
    "pg_wrong_password": ("password authentication failed",),
    "my_untrusted": ("server certificate verification failed",),
    "my_wrong_password": ("Access denied",),
    "my_no_client_cert": ("Access denied",),
    "my_required_plain": ("TLS failed: ssl_mode required, but the server did not start TLS",),
}


def stop_checked(server):
    """Stops a Mimir server; one that crashed or that a sanitizer reported on fails."""
    server.stop()
    problem = server.exit_problem()
    if problem:
        pytest.fail(problem, pytrace=False)


class Env:
    """What the fixture built; outputs collects every text the run produced."""

    outputs = []


def _chown_to(path, user):
    if IS_ROOT:
        pw = pwd.getpwnam(user)
        for p in [path, *Path(path).rglob("*")]:
            os.chown(p, pw.pw_uid, pw.pw_gid)


def _make_certificates(d):
    certs = d / "certs"
    certs.mkdir()
    e = Env()
    e.ca, e.server_cert, e.server_key = make_test_certificates(certs)
    ca_key = certs / "ca.key"
    e.wrong_cert, e.wrong_key = make_signed_certificate(
        certs, e.ca, ca_key, "wrong-name", "db.example.invalid", "DNS:db.example.invalid")
    e.other_ca, _ = make_test_ca(certs, "other-ca", "Another CA nobody trusts")
    e.client_cert, e.client_key = make_signed_certificate(
        certs, e.ca, ca_key, "client", "mimir_cert", client=True)
    return e


def _start_pg(session_dir, e):
    pg = PgCluster(session_dir, name="pg-tls")
    pg.init()
    tls = pg.dir / "tls"
    tls.mkdir()
    for src, name in ((e.ca, "ca.crt"), (e.server_cert, "server.crt"),
                      (e.server_key, "server.key")):
        shutil.copy(src, tls / name)
    (tls / "server.key").chmod(0o600)
    _chown_to(tls, PG_OS_USER)
    pg.settings.update({"ssl": "on", "ssl_cert_file": tls / "server.crt",
                        "ssl_key_file": tls / "server.key", "ssl_ca_file": tls / "ca.crt"})
    pg.prepend_hba("hostssl all mimir_cert 127.0.0.1/32 cert",
                   "hostssl all mimir_pw 127.0.0.1/32 scram-sha-256",
                   "host all mimir_cert,mimir_pw 127.0.0.1/32 reject")
    pg.start()
    pg.create_database(DB)
    pg.query("CREATE TABLE sales (id integer PRIMARY KEY, ts timestamp, amount numeric(10,2))",
             dbname=DB)
    for row in ROWS:
        pg.query("INSERT INTO sales VALUES (%s, %s, %s)", row, dbname=DB)
    pg.query(f"CREATE ROLE mimir_pw LOGIN PASSWORD '{PG_PASSWORD}'", dbname=DB)
    pg.query("CREATE ROLE mimir_cert LOGIN", dbname=DB)
    pg.query("GRANT SELECT ON sales TO mimir_pw, mimir_cert", dbname=DB)
    return pg


def _start_mariadb(session_dir, e):
    from mariadb_server import OS_USER, MariaDbServer

    my = MariaDbServer(session_dir, name="mariadb-tls")
    tls = my.dir / "tls"
    tls.mkdir()
    for src, name in ((e.ca, "ca.crt"), (e.server_cert, "server.crt"),
                      (e.server_key, "server.key")):
        shutil.copy(src, tls / name)
    _chown_to(tls, OS_USER)
    my.tls_dir = tls
    my.extra_args = [f"--ssl-ca={tls / 'ca.crt'}", f"--ssl-cert={tls / 'server.crt'}",
                     f"--ssl-key={tls / 'server.key'}"]
    my.init()
    my.start()
    my.query(f"CREATE DATABASE {DB}")
    my.query("CREATE TABLE sales (id int PRIMARY KEY, ts datetime, amount decimal(10,2))",
             database=DB)
    my.executemany("INSERT INTO sales VALUES (%s, %s, %s)", ROWS, database=DB)
    my.query("CREATE USER 'mimir_my'@'127.0.0.1' IDENTIFIED BY %s REQUIRE SSL", (MY_PASSWORD,))
    my.query(f"GRANT SELECT ON {DB}.* TO 'mimir_my'@'127.0.0.1'")
    my.query("CREATE USER 'mimir_x509'@'127.0.0.1' IDENTIFIED BY %s REQUIRE X509",
             (MY_PASSWORD,))
    my.query(f"GRANT SELECT ON {DB}.* TO 'mimir_x509'@'127.0.0.1'")
    return my


def _load_plain_mariadb(my):
    """The session's MariaDB, which has no TLS: the same table and user."""
    my.query(f"CREATE DATABASE IF NOT EXISTS {DB}_plain")
    my.query("CREATE TABLE IF NOT EXISTS sales (id int PRIMARY KEY, ts datetime, "
             "amount decimal(10,2))", database=f"{DB}_plain")
    my.query("DELETE FROM sales", database=f"{DB}_plain")
    my.executemany("INSERT INTO sales VALUES (%s, %s, %s)", ROWS, database=f"{DB}_plain")
    my.create_user("mimir_my", MY_PASSWORD, f"{DB}_plain")


def _pg_secret(e, pg, case):
    s = {"connection_class": "sqldb", "flavour": "postgresql", "host": "127.0.0.1",
         "port": str(pg.port), "user": "mimir_pw", "password": PG_PASSWORD, "schema": DB,
         "sslmode": "verify-full", "sslrootcert": "tls/ca.crt"}
    if case == "pg_wrong_name":
        s["host"] = "db.example.invalid"
        s["conninfo"] = "hostaddr=127.0.0.1"
    elif case == "pg_untrusted":
        s["sslrootcert"] = "tls/other-ca.crt"
    elif case in ("pg_client_cert", "pg_no_client_cert"):
        s["user"] = "mimir_cert"
        del s["password"]
        if case == "pg_client_cert":
            s.update(sslcert="tls/client.crt", sslkey="tls/client.key")
    elif case == "pg_wrong_password":
        s["password"] = PG_WRONG_PASSWORD
    return s


def _my_secret(my, case, plain=None):
    if case in ("my_required_plain", "my_preferred_plain"):
        my = plain
    s = {"connection_class": "sqldb", "flavour": "mysql", "host": "127.0.0.1",
         "port": str(my.port), "user": "mimir_my", "password": MY_PASSWORD, "schema": DB,
         "ssl_mode": "verify_identity", "ssl_ca": "tls/ca.crt"}
    if case == "my_verify_ca":
        s["ssl_mode"] = "verify_ca"
    elif case == "my_untrusted":
        s["ssl_ca"] = "tls/other-ca.crt"
    elif case == "my_wrong_password":
        s["password"] = MY_WRONG_PASSWORD
    elif case in ("my_client_cert", "my_no_client_cert"):
        s["user"] = "mimir_x509"
        if case == "my_client_cert":
            s.update(ssl_cert="tls/client.crt", ssl_key="tls/client.key")
    elif case in ("my_required_plain", "my_preferred_plain"):
        s.update(schema=f"{DB}_plain", ssl_mode=case.split("_")[1])
        del s["ssl_ca"]
    return s


def write_layer(d, cases):
    """A semantic layer with one source and two metrics per connection."""
    for sub in ("sources", "metrics", "dimensions"):
        (d / sub).mkdir(parents=True, exist_ok=True)
    sources, metrics = [], []
    for c in cases:
        sources.append(f"{c}_sales:\n  name: {c}_sales\n  connection_name: {c}\n"
                       f"  time_col: sales.ts\n  time_col_alias: ts\n  sql: {SOURCE_SQL}\n")
        metrics.append(f"name: {c}_revenue\nsource_name: {c}_sales\n"
                       f"sql: SUM(amount) as {c}_revenue\n")
        metrics.append(f"name: {c}_count\nsource_name: {c}_sales\nsql: COUNT(id) as {c}_count\n")
    (d / "sources" / "sources.yaml").write_text("".join(sources))
    (d / "metrics" / "metrics.yaml").write_text("---\n".join(metrics))


def write_secrets(d, e, secrets):
    tls = d / "tls"
    tls.mkdir(parents=True, exist_ok=True)
    for src, name in ((e.ca, "ca.crt"), (e.other_ca, "other-ca.crt"),
                      (e.client_cert, "client.crt"), (e.client_key, "client.key")):
        shutil.copy(src, tls / name)
    (tls / "client.key").chmod(0o600)  # libpq refuses a key others may read
    for name, s in secrets.items():
        (d / f"{name}.json").write_text(json.dumps(s))


@pytest.fixture(scope="module")
def env(request, session_dir, mariadb):
    d = _make_dir(session_dir, "dbtls-")
    e = _make_certificates(d)
    e.dir = d
    e.pg = _start_pg(session_dir, e)
    request.addfinalizer(e.pg.destroy)
    e.my = _start_mariadb(session_dir, e)
    request.addfinalizer(e.my.destroy)
    e.plain = mariadb
    _load_plain_mariadb(mariadb)
    e.layer, e.secrets = d / "layer", d / "secrets"
    write_layer(e.layer, PG_CASES + MY_CASES)
    secrets = {c: _pg_secret(e, e.pg, c) for c in PG_CASES}
    secrets.update({c: _my_secret(e.my, c, mariadb) for c in MY_CASES})
    write_secrets(e.secrets, e, secrets)
    e.admin_port = free_port()
    e.server = MimirServer(session_dir, configs=e.layer, secrets=e.secrets, name="mimir-dbtls",
                           extra_args=["--log-level", "debug", "--admin-port",
                                       str(e.admin_port)])
    e.server.start()
    request.addfinalizer(lambda: stop_checked(e.server))
    e.outputs = []
    return e


def pg_direct(e):
    return e.pg.query(DIRECT_SQL, dbname=DB)[0]


def my_direct(e):
    return e.my.query(DIRECT_SQL, database=DB)[0]


def ask(e, case, server=None):
    """AGG of the case's two metrics through Mimir: (revenue, count)."""
    server = server or e.server
    conn = server.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(f"SELECT AGG({case}_revenue), AGG({case}_count) FROM mimir.metrics")
            row = cur.fetchone()
            e.outputs.append(repr(row))
            return row
    finally:
        conn.close()


def ask_fails(e, case, server=None):
    """The error a query on the case's metrics gets: its message."""
    with pytest.raises(pymysql.err.MySQLError) as excinfo:
        ask(e, case, server)
    msg = str(excinfo.value.args[1] if len(excinfo.value.args) > 1 else excinfo.value)
    e.outputs.append(msg)
    return msg


def same_numbers(got, want):
    assert Decimal(str(got[0])) == Decimal(str(want[0])) and int(got[1]) == int(want[1]), \
        (got, want)


# --------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------


def test_pg_verify_full_answers_like_the_database(env):
    same_numbers(ask(env, "pg_verified"), pg_direct(env))


def test_pg_client_certificate(env):
    same_numbers(ask(env, "pg_client_cert"), pg_direct(env))


@pytest.mark.parametrize("case", ["pg_wrong_name", "pg_untrusted", "pg_no_client_cert",
                                  "pg_wrong_password"])
def test_pg_failures_name_the_connection(env, case):
    msg = ask_fails(env, case)
    assert f"could not connect to '{case}'" in msg, msg
    for words in EXPECTED_ERRORS[case]:
        assert words in msg, msg
    env.server.wait_for_log(rf"could not connect to '{case}'")
    # The same server still answers through a healthy connection.
    same_numbers(ask(env, "pg_verified"), pg_direct(env))


# --------------------------------------------------------------------------
# MariaDB
# --------------------------------------------------------------------------


def test_mariadb_verify_identity_answers_like_the_database(env):
    # mimir_my is REQUIRE SSL: an answer means the connection was TLS.
    same_numbers(ask(env, "my_verified"), my_direct(env))


def test_mariadb_client_certificate(env):
    same_numbers(ask(env, "my_client_cert"), my_direct(env))


def test_mariadb_preferred_goes_on_without_tls(env):
    same_numbers(ask(env, "my_preferred_plain"), env.plain.query(DIRECT_SQL,
                                                                 database=f"{DB}_plain")[0])


@pytest.mark.parametrize("case", ["my_untrusted", "my_wrong_password", "my_no_client_cert",
                                  "my_required_plain"])
def test_mariadb_failures_name_the_connection(env, case):
    msg = ask_fails(env, case)
    assert f"could not connect to '{case}'" in msg, msg
    for words in EXPECTED_ERRORS[case]:
        assert words in msg, msg
    env.server.wait_for_log(rf"could not connect to '{case}'")
    same_numbers(ask(env, "my_verified"), my_direct(env))


def _present(my, cert, key):
    shutil.copy(cert, my.tls_dir / "server.crt")
    shutil.copy(key, my.tls_dir / "server.key")
    _chown_to(my.tls_dir, "mysql")
    my.query("FLUSH SSL")


def test_mariadb_wrong_host_name(env, session_dir):
    """MariaDB presents a certificate for db.example.invalid: a connection to
    127.0.0.1 with verify_identity fails; with its own certificate back, the
    same Mimir server connects."""
    d = _make_dir(env.dir, "wrong-name-")
    write_layer(d / "layer", ["my_wrong_name", "my_verify_ca"])
    write_secrets(d / "secrets", env, {c: _my_secret(env.my, c)
                                       for c in ("my_wrong_name", "my_verify_ca")})
    _present(env.my, env.wrong_cert, env.wrong_key)
    try:
        server = MimirServer(session_dir, configs=d / "layer", secrets=d / "secrets",
                             name="mimir-dbtls-name")
        server.start()
        try:
            msg = ask_fails(env, "my_wrong_name", server)
            assert "could not connect to 'my_wrong_name'" in msg, msg
            assert "server certificate verification failed" in msg, msg
            same_numbers(ask(env, "my_verify_ca", server), my_direct(env))
            _present(env.my, env.server_cert, env.server_key)
            same_numbers(ask(env, "my_wrong_name", server), my_direct(env))
            env.outputs.append(server.stderr())
        finally:
            stop_checked(server)
    finally:
        _present(env.my, env.server_cert, env.server_key)


def _reload(server, e, secrets_dir, ca_name):
    for case in ("pg_reload", "my_reload"):
        path = secrets_dir / f"{case}.json"
        s = json.loads(path.read_text())
        s["sslrootcert" if case.startswith("pg") else "ssl_ca"] = f"tls/{ca_name}"
        path.write_text(json.dumps(s))
    reloads = server.stderr().count("reloaded:")
    server.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    while server.stderr().count("reloaded:") == reloads:
        assert time.monotonic() < deadline, server.stderr()
        time.sleep(0.05)


def test_reload_picks_up_a_changed_ca(env, session_dir):
    """The CA file is part of the connection: a reload that changes it
    replaces the pool, both ways (untrusted -> trusted -> untrusted)."""
    d = _make_dir(env.dir, "reload-")
    write_layer(d / "layer", ["pg_reload", "my_reload"])
    secrets = {"pg_reload": _pg_secret(env, env.pg, "pg_untrusted"),
               "my_reload": _my_secret(env.my, "my_untrusted")}
    write_secrets(d / "secrets", env, secrets)
    server = MimirServer(session_dir, configs=d / "layer", secrets=d / "secrets",
                         name="mimir-dbtls-reload")
    server.start()
    try:
        for case in ("pg_reload", "my_reload"):
            assert "server certificate verification failed" in ask_fails(env, case, server)
        _reload(server, env, d / "secrets", "ca.crt")
        same_numbers(ask(env, "pg_reload", server), pg_direct(env))
        same_numbers(ask(env, "my_reload", server), my_direct(env))
        _reload(server, env, d / "secrets", "other-ca.crt")
        for case in ("pg_reload", "my_reload"):
            assert "server certificate verification failed" in ask_fails(env, case, server)
        env.outputs.append(server.stderr())
    finally:
        stop_checked(server)


# --------------------------------------------------------------------------
# mimir validate and mimir query: the same connections, the same errors
# --------------------------------------------------------------------------


def run_cli(e, *args):
    proc = subprocess.run([str(MIMIR_BIN), *args], cwd=REPO, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)
    e.outputs += [proc.stdout, proc.stderr]
    return proc


def test_validate_reports_the_same_errors(env):
    proc = run_cli(env, "validate", "--configs", str(env.layer), "--secrets", str(env.secrets))
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    for case in ("pg_verified", "pg_client_cert", "my_verified", "my_client_cert",
                 "my_preferred_plain"):
        assert f"cannot connect to '{case}'" not in out, out
    for case, words in EXPECTED_ERRORS.items():
        line = next((l for l in out.splitlines() if f"cannot connect to '{case}'" in l), None)
        assert line, out
        for w in words:
            assert w in line, line


def test_local_query_verifies_too(env):
    proc = run_cli(env, "query", "--configs", str(env.layer), "--secrets", str(env.secrets),
                   "-m", "pg_verified_revenue,my_verified_count", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    want_revenue, want_count = pg_direct(env)[0], my_direct(env)[1]
    values = proc.stdout.strip().splitlines()[-1].split(",")
    assert Decimal(values[0]) == Decimal(str(want_revenue)) and int(values[1]) == want_count, \
        proc.stdout
    proc = run_cli(env, "query", "--configs", str(env.layer), "--secrets", str(env.secrets),
                   "-m", "pg_untrusted_count")
    assert proc.returncode != 0
    assert "server certificate verification failed" in proc.stderr, proc.stderr
    assert "'pg_untrusted'" in proc.stderr, proc.stderr


# --------------------------------------------------------------------------
# Secrets never leak
# --------------------------------------------------------------------------


def test_passwords_appear_in_no_output(env):
    """Everything the run printed: the server's log at debug level (query
    records, connection failures), client answers, EXPLAIN, SHOW
    PROCESSLIST, /metrics, and the CLI's output above."""
    conn = env.server.connect()
    try:
        with conn.cursor() as cur:
            for case in ("pg_verified", "my_verified", "pg_wrong_password", "my_wrong_password"):
                cur.execute(f"EXPLAIN SELECT AGG({case}_revenue) FROM mimir.metrics")
                env.outputs.append(repr(cur.fetchall()))
            cur.execute("SELECT @@version_comment")  # a record at debug level
            cur.execute("SHOW FULL PROCESSLIST")
            env.outputs.append(repr(cur.fetchall()))
            for case in ("pg_wrong_password", "my_wrong_password"):
                try:
                    cur.execute(f"SELECT AGG({case}_count) FROM mimir.metrics")
                except pymysql.err.MySQLError as exc:
                    env.outputs.append(repr(exc.args))
    finally:
        conn.close()
    with urllib.request.urlopen(f"http://127.0.0.1:{env.admin_port}/metrics",
                                timeout=CLIENT_TIMEOUT) as r:
        metrics = r.read().decode()
    assert "mimir_" in metrics
    env.outputs.append(metrics)
    time.sleep(0.5)  # the last records reach the log
    log = env.server.stderr()
    assert '"level":"debug"' in log
    env.outputs.append(log)
    key_body = env.client_key.read_text().splitlines()[1]  # a line of the key itself
    everything = "\n".join(env.outputs)
    # With -s, the errors as the run saw them.
    print("\n".join(sorted({l for l in everything.splitlines()
                            if "could not connect" in l or "cannot connect" in l})))
    assert "could not connect to 'pg_wrong_password'" in everything
    assert "could not connect to 'my_wrong_password'" in everything
    for secret in (*PASSWORDS, key_body):
        assert secret not in everything, f"{secret!r} leaked"
