"""What the real-client tests (test_client_*.py) share: the queries every client
runs, their expected results computed on PostgreSQL in the same run, what the
semantic layer says the catalog holds, and the helpers that run the Java and
Node probes of tests/clients.

Every client runs the same two queries: the prototype's README query
(support.README_QUERY) and BI_QUERY below, written the way BI tools write
them: backticks, aliases, an IN filter, ORDER BY on an alias, LIMIT.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import CLIENT_TIMEOUT, PAGILA_CONFIGS, REPO, _make_dir
from support import README_EXPECTED_SQL, README_QUERY, expected

CLIENTS_SRC = REPO / "tests" / "clients"
CONNECTOR_J = Path("/usr/share/java/mariadb-java-client.jar")

BI_CATEGORIES = ("Action", "Animation", "Documentary", "Drama", "Games", "Sci-Fi", "Sports")
BI_LIMIT = 5
BI_QUERY = (
    "SELECT `dim_store_id` AS `store`, `dim_rental_category` AS `category`, "
    "AGG(`movies_rented`) AS `rentals`, AGG(`rentals_revenue`) AS `revenue` "
    "FROM `mimir`.`metrics` "
    "WHERE `dim_rental_category` IN ({}) "
    "GROUP BY `store`, `category` "
    "ORDER BY `revenue` DESC, `store`, `category` "
    "LIMIT {}"
).format(", ".join(f"'{c}'" for c in BI_CATEGORIES), BI_LIMIT)
BI_COLUMNS = ["store", "category", "rentals", "revenue"]

# The README query with its filter value as a parameter (prepared statements).
README_PARAM_QUERY = (
    "SELECT dim_rental_category, AGG(movies_rented), AGG(rentals_revenue) "
    "FROM mimir.metrics WHERE dim_rental_category = ? GROUP BY dim_rental_category"
)
# MySQL names an unaliased AGG(m) by its text.
README_COLUMNS = ["dim_rental_category", "AGG(movies_rented)", "AGG(rentals_revenue)"]


def readme_expected(pg):
    return [tuple(r) for r in pg.query(README_EXPECTED_SQL)]


def bi_expected(pg):
    """BI_QUERY on PostgreSQL. The ORDER BY is total (revenue, then the two
    grouping columns), so the rows and their order are fully determined."""
    categories = ", ".join(f"'{c}'" for c in BI_CATEGORIES)
    return expected(pg, ["dim_store_id", "dim_rental_category"],
                    ["movies_rented", "rentals_revenue"],
                    where=f"dim_rental_category IN ({categories})",
                    order_by="rentals_revenue DESC, dim_store_id, dim_rental_category",
                    limit=BI_LIMIT)


# --------------------------------------------------------------------------
# the catalog, as configs/pagila defines it
# --------------------------------------------------------------------------


def _yaml_documents(folder):
    for path in sorted((PAGILA_CONFIGS / folder).glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                yield doc


def pagila_catalog():
    """{"sources": {name: description}, "dimensions": {name: description},
    "metrics": {name: description}} read from configs/pagila's YAML."""
    sources = {}
    for doc in _yaml_documents("sources"):
        for name, src in doc.items():
            sources[name] = src.get("description")
    dims = {d["name"]: d.get("description") for d in _yaml_documents("dimensions")}
    metrics = {m["name"]: m.get("description") for m in _yaml_documents("metrics")}
    return {"sources": sources, "dimensions": dims, "metrics": metrics}


def metrics_table_required_columns():
    """Columns the `metrics` table must have: every dimension, every metric and
    the sources' time column alias (`ts`)."""
    cat = pagila_catalog()
    return set(cat["dimensions"]) | set(cat["metrics"]) | {"ts"}


def mimir_table_names():
    """`metrics` plus one table per source."""
    return {"metrics"} | set(pagila_catalog()["sources"])


# --------------------------------------------------------------------------
# the probes in tests/clients, built by `make test-clients` (MIMIR_CLIENTS)
# --------------------------------------------------------------------------


def _run(cmd, **kwargs):
    proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, **kwargs)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} exited with {proc.returncode}\n"
                             f"stderr: {proc.stderr}\nstdout: {proc.stdout}")
    return proc


@pytest.fixture(scope="session")
def clients_build(session_dir):
    """The directory holding the built probes: $MIMIR_CLIENTS when the Makefile
    built them (make test-integration does), else built here, in the session
    directory, the way the Makefile does it."""
    if os.environ.get("MIMIR_CLIENTS"):
        return Path(os.environ["MIMIR_CLIENTS"])
    return _make_dir(session_dir, "clients-")


@pytest.fixture(scope="session")
def java_probe(clients_build):
    """A function running MimirProbe (tests/clients/java) on a JDBC URL and
    steps; returns its JSON output as a dict."""
    classes = clients_build / "java"
    if not (classes / "MimirProbe.class").is_file():
        classes.mkdir(parents=True, exist_ok=True)
        _run(["javac", "-Xlint:all", "-Werror", "-d", classes,
              CLIENTS_SRC / "java" / "MimirProbe.java"], timeout=120)

    def run(url, *steps):
        proc = _run(["java", "-cp", f"{classes}:{CONNECTOR_J}", "MimirProbe", url, *steps],
                    timeout=CLIENT_TIMEOUT)
        return json.loads(proc.stdout)

    return run


def node_dir_with(clients_build, package, script=None):
    """The node directory of the build, with the committed lockfile's packages
    installed (as the Makefile installs them, when make test-clients did not)
    and, when given, the ES module script of tests/clients/node copied next to
    them: an ES module resolves packages from its own directory."""
    node_dir = clients_build / "node"
    if not (node_dir / "node_modules" / package).is_dir():
        node_dir.mkdir(parents=True, exist_ok=True)
        for f in ("package.json", "package-lock.json"):
            shutil.copy(CLIENTS_SRC / "node" / f, node_dir / f)
        _run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=node_dir,
             timeout=300)
    if script:
        shutil.copy(CLIENTS_SRC / "node" / script, node_dir / script)
    return node_dir


@pytest.fixture(scope="session")
def node_probe(clients_build):
    """A function running tests/clients/node/probe.js with mysql2 from the
    committed lockfile; returns its JSON output as a dict."""
    node_dir = node_dir_with(clients_build, "mysql2")
    env = dict(os.environ, NODE_PATH=str(node_dir / "node_modules"))

    def run(spec):
        proc = _run(["node", CLIENTS_SRC / "node" / "probe.js", json.dumps(spec)], env=env,
                    timeout=CLIENT_TIMEOUT)
        return json.loads(proc.stdout)

    return run


def no_error(result):
    """A probe step's result, failing with the server's error if it had one."""
    if isinstance(result, dict) and "error" in result:
        raise AssertionError(f"the client got an error: {result['error']}")
    return result


# --------------------------------------------------------------------------
# Python DB-API drivers (PyMySQL, mysqlclient): the same checks for both
# --------------------------------------------------------------------------

# The README and BI queries with DB-API "format" parameters.
README_FORMAT_QUERY = README_PARAM_QUERY.replace("?", "%s")
BI_FORMAT_QUERY = BI_QUERY.replace(", ".join(f"'{c}'" for c in BI_CATEGORIES),
                                   ", ".join("%s" for _ in BI_CATEGORIES))


def fetch(conn, sql, params=None):
    """(column names, rows as tuples) of one statement on a DB-API connection."""
    cur = conn.cursor()
    try:
        cur.execute(sql, params)
        names = [d[0] for d in cur.description] if cur.description else []
        return names, [tuple(r) for r in cur.fetchall()]
    finally:
        cur.close()


def check_dbapi_queries(conn, pg):
    """The README and BI queries, literal and with parameters, compared with
    PostgreSQL value for value (Decimals digit for digit)."""
    from support import assert_same_values

    for sql, params, columns, want in (
        (README_QUERY, None, README_COLUMNS, readme_expected(pg)),
        (BI_QUERY, None, BI_COLUMNS, bi_expected(pg)),
        (README_FORMAT_QUERY, ("Action",), README_COLUMNS, readme_expected(pg)),
        (BI_FORMAT_QUERY, BI_CATEGORIES, BI_COLUMNS, bi_expected(pg)),
    ):
        names, rows = fetch(conn, sql, params)
        assert names == columns, sql
        assert_same_values(rows, want)


def check_dbapi_catalog(conn):
    """The catalog the way Python applications read it: SHOW TABLES and
    information_schema with parameters."""
    _, rows = fetch(conn, "SHOW TABLES")
    assert {r[0] for r in rows} == mimir_table_names()
    _, rows = fetch(conn, "SELECT TABLE_NAME, TABLE_COMMENT FROM information_schema.TABLES "
                          "WHERE TABLE_SCHEMA = %s ORDER BY TABLE_NAME", ("mimir",))
    assert [r[0] for r in rows] == sorted(mimir_table_names())
    comments = dict(rows)
    for source, description in pagila_catalog()["sources"].items():
        assert comments[source] == description
    _, rows = fetch(conn, "SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS "
                          "WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s", ("mimir", "metrics"))
    types = {r[0]: r[1].lower() for r in rows}
    assert metrics_table_required_columns() <= set(types), sorted(types)
    assert types["movies_rented"] == "bigint"
    assert types["rentals_revenue"] == "decimal"
    assert types["dim_rental_category"] == "varchar"
    assert types["ts"] == "datetime"


# --------------------------------------------------------------------------
# TLS and a user with a password
# --------------------------------------------------------------------------

TLS_USER = "analyst"
TLS_PASSWORD = "s3cret-Pagila"


def make_test_certificates(directory):
    """A throwaway CA and a server certificate it signed for 127.0.0.1 and
    localhost, made with the openssl tool. Returns (ca, cert, key) paths."""
    d = Path(directory)
    ca_key, ca, key, csr, cert = (d / n for n in ("ca.key", "ca.crt", "server.key",
                                                  "server.csr", "server.crt"))
    ext = d / "server.ext"
    ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                   "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
                   "extendedKeyUsage=serverAuth\n")
    openssl = ["openssl"]
    _run(openssl + ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=Mimir test CA", "-keyout", ca_key, "-out", ca], timeout=60)
    _run(openssl + ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
                    "-keyout", key, "-out", csr], timeout=60)
    _run(openssl + ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key,
                    "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", cert], timeout=60)
    return ca, cert, key


def make_test_ca(directory, name="ca", subject="Mimir test CA"):
    """A throwaway certificate authority in directory: returns (cert, key) paths."""
    d = Path(directory)
    cert, key = d / f"{name}.crt", d / f"{name}.key"
    _run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
          "-subj", f"/CN={subject}", "-keyout", key, "-out", cert], timeout=60)
    return cert, key


def make_signed_certificate(directory, ca, ca_key, name, common_name, alt_names=None,
                            client=False):
    """A key and a certificate for common_name signed by the CA (ca, ca_key):
    a server certificate for alt_names (e.g. "DNS:db.example.invalid"), or a
    client certificate (a PostgreSQL user is its CN). Returns (cert, key)."""
    d = Path(directory)
    cert, key, csr, ext = (d / f"{name}.{x}" for x in ("crt", "key", "csr", "ext"))
    usage = "clientAuth" if client else "serverAuth"
    ext.write_text((f"subjectAltName={alt_names}\n" if alt_names else "") +
                   "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
                   f"extendedKeyUsage={usage}\n")
    _run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={common_name}",
          "-keyout", key, "-out", csr], timeout=60)
    _run(["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key,
          "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", cert], timeout=60)
    key.chmod(0o600)
    return cert, key


@pytest.fixture(scope="session")
def tls_server(request, session_dir, pg, pagila_secrets):
    """Mimir on the Pagila layer with a server configuration that requires TLS
    and has one user, TLS_USER, with a password (stored as the hashes `mimir
    passwd` prints). A client that gets an answer from it did TLS and
    authenticated. Attributes: tls_ca (the CA to verify the server with),
    user, password."""
    from conftest import MIMIR_BIN, MimirServer

    d = _make_dir(session_dir, "tls-")
    ca, cert, key = make_test_certificates(d)
    users = subprocess.run([str(MIMIR_BIN), "passwd", "--user", TLS_USER], input=TLS_PASSWORD,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=30)
    if users.returncode != 0:
        pytest.fail(f"mimir passwd failed: {users.stderr}", pytrace=False)
    config = d / "server.yaml"
    config.write_text(f"tls:\n  cert: {cert}\n  key: {key}\n  require_tls: true\n"
                      f"users:\n{users.stdout}")
    server = MimirServer(session_dir, configs=PAGILA_CONFIGS, secrets=pagila_secrets,
                         name="mimir-tls", extra_args=["--server-config", str(config)])

    def finish():
        server.stop()
        problem = server.exit_problem()
        if problem:
            pytest.fail(problem, pytrace=False)

    request.addfinalizer(finish)
    server.start()
    server.tls_ca, server.user, server.password = ca, TLS_USER, TLS_PASSWORD
    return server


def step_probe(interpreter, script, package):
    """A probe script of tests/clients run by interpreter (php, ruby): it takes
    {"port", "database", "steps"} as JSON and prints {"steps": [results]}. The
    returned function runs a list of steps against a server."""
    if not shutil.which(interpreter):
        pytest.fail(f"{interpreter} is missing: `make deps` installs {package}", pytrace=False)

    def run(mimir, *steps):
        spec = {"port": mimir.port, "database": "mimir", "steps": list(steps)}
        proc = subprocess.run([interpreter, str(script), json.dumps(spec)], capture_output=True,
                              text=True, timeout=CLIENT_TIMEOUT)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        out = json.loads(proc.stdout)
        assert "connect" not in out, out
        return out["steps"]

    return run
