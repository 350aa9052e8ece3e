"""The compatibility corpus (issue 13): statements that BI tools and drivers
really send to a MySQL server, collected from their public source code and
test suites (tests/compat/*.yaml: each statement names its tool, its purpose
and the file it came from), checked against a real MariaDB as the oracle.

The oracle is the session's MariaDB (mariadb_server.py) holding, as database
`mimir`, the rows of the Pagila `rentals` source as PostgreSQL returns them:
a table whose columns are the source's columns, its dimensions and each
metric's row-level value (movies_rented is 1 per row, since COUNT(rental_id)
counts rows with a rental; rentals_revenue is the amount), behind a view
`metrics` (and `rentals`) that adds the time grains `ds`, `year_month` and
`year` computed in the session's zone. For these additive metrics MariaDB's
SUM(m) over the view is exactly the metric, so each data statement runs on
MariaDB with AGG(m)/MEASURE(m) written SUM(m), and on Mimir as written, and
the two answers must agree: values, order when the statement orders, and the
column labels the tools read. Each data statement runs in UTC and again in
two session time zones: America/New_York (daylight saving; MariaDB gets that
zone's tables from the system tz database) and Asia/Kolkata.

Every statement runs on three Mimir servers, one per kind of backend, each
answering for the same rows: the Pagila example on PostgreSQL ("pg"), and a
layer with the same `rentals` source, dimensions and metrics over a flat copy
of its rows in MariaDB ("maria": the oracle's own `metrics_rows` table, read
by an application user) and in a SQLite file ("lite", times as UTC text).

Catalog and session statements must be answered without error; where a tool
depends on the content (Grafana offers only datetime/timestamp columns as
time columns, a tool lists tables by name, ...) the content is checked.

`only_on: [pg]` keeps a statement whose checked content belongs to the Pagila
example (its payments source) to that layer. `gap_on: {lite: reason}` marks a
gap on one kind of backend only.

`expect: gap` marks a statement Mimir cannot answer yet, with a one-line
reason (and `then: refused` when the right answer, once the gap is closed, is
the row-level refusal): it runs as a strict xfail, so when it starts passing the run fails
until the mark is removed and the list of gaps stays true. `expect: refused`
is a row-level read that Mimir refuses on purpose (issue 13 section 1): its
error code is checked, and the connection must answer the next statement.

A summary per tool (pass / gap / refused) is printed at the end of the run
(see pytest_terminal_summary in conftest.py) and kept in docs/clients.md.
"""

import datetime
import json
import re
import sqlite3
from decimal import Decimal
from pathlib import Path

import pymysql
import pytest
import yaml

from conftest import start_layer_server, write_secrets
from mariadb_server import utc_naive
from support import RENTALS_SQL

CORPUS_DIR = Path(__file__).resolve().parent.parent / "compat"
ORACLE_DB = "mimir"
ZONES = ["+00:00", "America/New_York", "Asia/Kolkata"]
KINDS = {"data", "catalog", "session"}
EXPECTS = {"pass", "gap", "refused"}
BACKENDS = ["pg", "maria", "lite"]


# ---- the corpus ---------------------------------------------------------------

def load_corpus():
    statements = []
    for path in sorted(CORPUS_DIR.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text())
        tool = doc["tool"]
        for st in doc["statements"]:
            st = dict(st)
            st["tool"] = tool
            st["file"] = path.name
            statements.append(st)
    return statements


CORPUS = load_corpus()


def validate(st):
    """A corpus entry names where it came from and what is expected of it."""
    missing = [k for k in ("id", "kind", "purpose", "source", "sql") if not st.get(k)]
    assert not missing, f"{st.get('id')}: missing {missing}"
    assert st["kind"] in KINDS, st["id"]
    assert st.get("expect", "pass") in EXPECTS, st["id"]
    if st.get("expect") == "gap":
        assert st.get("reason"), f"{st['id']}: a gap needs a one-line reason"
    if "refused" in (st.get("expect"), st.get("then")):
        assert st.get("error"), f"{st['id']}: a refusal names its error code"
    assert set(st.get("only_on", BACKENDS)) <= set(BACKENDS), st["id"]
    for backend, reason in st.get("gap_on", {}).items():
        assert backend in BACKENDS and reason, f"{st['id']}: gap_on names a backend and a reason"


def test_corpus_is_well_formed():
    ids = [st["id"] for st in CORPUS]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for st in CORPUS:
        validate(st)
    assert len(CORPUS) >= 150


# ---- the oracle -----------------------------------------------------------------

ORACLE_ROWS = """CREATE TABLE metrics_rows (
    rental_id INT, ts TIMESTAMP(6) NULL, inventory_id INT, customer_id INT,
    return_ts TIMESTAMP(6) NULL, staff_id INT, category_name VARCHAR(25),
    amount DECIMAL(5,2), dim_rental_category VARCHAR(25), dim_store_id INT)"""

# The grains are computed in the session's zone, as Mimir computes them.
ORACLE_VIEW = """CREATE VIEW {name} AS SELECT
    rental_id, ts, inventory_id, customer_id, return_ts, staff_id, category_name, amount,
    dim_rental_category, dim_store_id,
    DATE(ts) AS ds, CAST(DATE_FORMAT(ts, '%Y-%m-01') AS DATE) AS `year_month`,
    YEAR(ts) AS `year`,
    (rental_id IS NOT NULL) AS movies_rented,
    amount AS rentals_revenue,
    (dim_rental_category = 'Action') AS action_movies_rented
    FROM metrics_rows"""




@pytest.fixture(scope="module")
def oracle(mariadb, pg):
    for zone in ZONES:
        if "/" in zone:
            mariadb.load_time_zones(zone)
    mariadb.load_time_zones("UTC")  # Metabase's convert_tz('...', 'UTC', @@session.time_zone)
    mariadb.query(f"DROP DATABASE IF EXISTS {ORACLE_DB}")
    mariadb.query(f"CREATE DATABASE {ORACLE_DB} CHARACTER SET utf8mb4")
    mariadb.query(ORACLE_ROWS, database=ORACLE_DB)
    for name in ("metrics", "rentals"):
        mariadb.query(ORACLE_VIEW.format(name=name), database=ORACLE_DB)
    cols = ("rental_id, ts, inventory_id, customer_id, return_ts, staff_id, category_name, "
            "amount, dim_rental_category, dim_store_id")
    mariadb.copy_from(pg, f"SELECT {cols} FROM ({RENTALS_SQL}) AS s", "metrics_rows", ORACLE_DB)
    return mariadb


# ---- the same layer on MariaDB and SQLite --------------------------------------

ROWS_COLUMNS = ("rental_id, ts, inventory_id, customer_id, return_ts, staff_id, category_name, "
                "amount, dim_rental_category, dim_store_id")
FLAT_USER, FLAT_PASSWORD = "corpus_reader", "corpus-secret"

# The rentals source of configs/pagila over one flat table of its rows: the same
# source, dimension and metric names, so every corpus statement means the same.
FLAT_LAYER = {
    "sources/sources.yaml": """rentals:
  name: rentals
  connection_name: {conn}
  time_col: metrics_rows.ts
  time_col_alias: ts
  sql: |
    SELECT metrics_rows.rental_id, metrics_rows.ts, metrics_rows.inventory_id,
    metrics_rows.customer_id, metrics_rows.return_ts, metrics_rows.staff_id,
    metrics_rows.category_name, metrics_rows.amount
    FROM metrics_rows
  dimensions:
    - dim_store_id
""",
    "dimensions/dimensions.yaml": """name: dim_rental_category
source_name: rentals
sql: metrics_rows.dim_rental_category AS dim_rental_category
---
name: dim_store_id
source_name: rentals
sql: metrics_rows.dim_store_id AS dim_store_id
""",
}


def flat_layer(base, conn):
    configs = base / "configs"
    for rel, text in FLAT_LAYER.items():
        (configs / rel).parent.mkdir(parents=True, exist_ok=True)
        (configs / rel).write_text(text.format(conn=conn))
    metrics = Path(__file__).resolve().parents[2] / "configs" / "pagila" / "metrics" / "rentals.yaml"
    (configs / "metrics").mkdir(exist_ok=True)
    (configs / "metrics" / "rentals.yaml").write_text(metrics.read_text())
    return configs


def sqlite_copy(path, pg):
    """The rentals rows in a SQLite file, instants as UTC text with microseconds."""
    def text(v):
        v = utc_naive(v)
        if isinstance(v, datetime.datetime):
            return v.strftime("%Y-%m-%d %H:%M:%S.%f")
        return float(v) if isinstance(v, Decimal) else v
    rows = [tuple(text(v) for v in r)
            for r in pg.query(f"SELECT {ROWS_COLUMNS} FROM ({RENTALS_SQL}) AS s")]
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE metrics_rows (rental_id INTEGER, ts DATETIME, inventory_id INTEGER, "
               "customer_id INTEGER, return_ts DATETIME, staff_id INTEGER, category_name TEXT, "
               "amount DECIMAL(5,2), dim_rental_category TEXT, dim_store_id INTEGER)")
    db.executemany("INSERT INTO metrics_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.commit()
    db.close()


def start_flat_server(request, session_dir, pg, oracle, backend):
    base = session_dir / f"compat-{backend}"
    secrets = write_secrets(base / "secrets", pg.port)
    if backend == "maria":
        oracle.create_user(FLAT_USER, FLAT_PASSWORD, ORACLE_DB)
        (secrets / "corpus_maria.json").write_text(
            json.dumps(oracle.secret(ORACLE_DB, FLAT_USER, FLAT_PASSWORD)))
    else:
        sqlite_copy(base / "rentals.db", pg)
        (secrets / "corpus_lite.json").write_text(
            json.dumps({"connection_class": "sqlite", "path": str(base / "rentals.db")}))
    configs = flat_layer(base, f"corpus_{backend}")
    return start_layer_server(request, session_dir, f"mimir-{backend}", configs, secrets)


class Connections:
    """One connection per backend, zone and side, reused by the data statements
    (each statement leaves the session as it found it); catalog and session
    statements get connections of their own."""

    def __init__(self, servers, oracle):
        self.servers, self.oracle, self.open = servers, oracle, {}
        self.backend = "pg"

    def get(self, side, zone):
        key = (side, zone) if side == "oracle" else (side, zone, self.backend)
        conn = self.open.get(key)
        if conn is None or not conn.open:
            conn = self.fresh(side)
            with conn.cursor() as cur:
                cur.execute("SET time_zone = %s", (zone,))
            self.open[key] = conn
        return conn

    def fresh(self, side):
        if side == "mimir":
            return self.servers(self.backend).connect(database="mimir", autocommit=True)
        return self.oracle.connect_root(ORACLE_DB)

    def close(self):
        for conn in self.open.values():
            conn.close()


@pytest.fixture(scope="module")
def conns(request, session_dir, pg, mimir, oracle):
    started = {"pg": mimir}

    def server(backend):
        if backend not in started:
            started[backend] = start_flat_server(request, session_dir, pg, oracle, backend)
        return started[backend]

    c = Connections(server, oracle)
    yield c
    c.close()


# ---- comparing answers ------------------------------------------------------------

AGG_RE = re.compile(r"\b(AGG|MEASURE)\s*\(", re.IGNORECASE)


def for_oracle(sql):
    """A metric is SUM of its row-level value in the oracle."""
    return AGG_RE.sub(lambda m: "SUM(" if m.group(1).isupper() else "sum(", sql)


def normal_value(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return Decimal(int(v))
    if isinstance(v, (int, Decimal)):
        return Decimal(v).normalize()
    if isinstance(v, float):
        # DOUBLE on one side and DECIMAL on the other compare by their digits.
        return Decimal(repr(round(v, 6))).normalize()
    if isinstance(v, datetime.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, (datetime.date, datetime.timedelta)):
        return str(v)
    if isinstance(v, (bytes, bytearray)):
        v = bytes(v).decode("utf-8", "replace")
    if isinstance(v, str):
        # A number or a time sent as text compares as what it is.
        try:
            return Decimal(v).normalize()
        except ArithmeticError:  # not a number
            pass
        if re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.0+", v):
            return v.split(".")[0]
        return v
    return v


def normal_row(row):
    return tuple(normal_value(v) for v in row)


def run(conn, sql):
    with conn.cursor() as cur:
        cur.execute(sql)
        labels = [d[0] for d in cur.description] if cur.description else []
        return labels, [tuple(r) for r in cur.fetchall()]


def orders(sql):
    """Whether the outermost statement has ORDER BY (text after the last
    top-level ORDER BY at parenthesis depth 0)."""
    depth, i, text = 0, 0, sql.upper()
    found = False
    while i < len(text):
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch in "'`\"":
            j = text.find(ch, i + 1)
            i = len(text) if j < 0 else j
        elif depth == 0 and text.startswith("ORDER BY", i):
            found = True
        i += 1
    return found


def mimir_label(label):
    return AGG_RE.sub(lambda m: "SUM(" if m.group(1).isupper() else "sum(", label)


def run_with_setup(conns, side, zone, setup, sql):
    """A statement after session statements, on a connection of its own."""
    conn = conns.fresh(side)
    try:
        run(conn, f"SET time_zone = '{zone}'")
        for pre in setup:
            run(conn, pre)
        return run(conn, sql)
    finally:
        conn.close()


def check_data(st, conns):
    sql = st["sql"]
    oracle_sql = st.get("oracle_sql") or for_oracle(sql)
    ordered = st.get("ordered", orders(sql))
    for zone in ([ZONES[0]] if st.get("utc_only") else ZONES):
        if st.get("setup"):
            want_labels, want = run_with_setup(conns, "oracle", zone, st["setup"], oracle_sql)
            got_labels, got = run_with_setup(conns, "mimir", zone, st["setup"], sql)
        else:
            want_labels, want = run(conns.get("oracle", zone), oracle_sql)
            got_labels, got = run(conns.get("mimir", zone), sql)
        want = [normal_row(r) for r in want]
        got = [normal_row(r) for r in got]
        if not ordered:
            want, got = sorted(want, key=repr), sorted(got, key=repr)
        assert len(want) > 0 or st.get("empty_ok"), f"{st['id']}: the oracle has no rows"
        assert got == want, f"{st['id']} in {zone}: rows differ\nmimir: {got[:5]}\nmaria: {want[:5]}"
        if st.get("labels", True):
            assert [mimir_label(x) for x in got_labels] == want_labels, \
                f"{st['id']} in {zone}: labels {got_labels} != {want_labels}"


def check_content(st, labels, rows):
    """The parts of a catalog answer that a tool depends on."""
    cells = {normal_value(v) for r in rows for v in r}
    for value in st.get("contains", []):
        assert normal_value(value) in cells, f"{st['id']}: {value!r} missing from {rows[:10]}"
    for value in st.get("not_contains", []):
        assert normal_value(value) not in cells, f"{st['id']}: {value!r} listed in {rows[:10]}"
    # (a, b): some row holds both, e.g. a column name and its data type.
    row_sets = [{normal_value(v) for v in r} for r in rows]
    for pair in st.get("pairs", []):
        want = {normal_value(v) for v in pair}
        assert any(want <= r for r in row_sets), f"{st['id']}: no row with {pair}: {rows[:40]}"
    for pair in st.get("not_pairs", []):
        want = {normal_value(v) for v in pair}
        assert not any(want <= r for r in row_sets), f"{st['id']}: a row has {pair}"
    if "columns" in st:
        assert [x.lower() for x in labels] == [x.lower() for x in st["columns"]], labels
    if st.get("rows_min"):
        assert len(rows) >= st["rows_min"], f"{st['id']}: {len(rows)} rows"


def check_statement(st, conns):
    setup = st.get("setup", [])
    if st["kind"] == "data":
        check_data(st, conns)
        return
    conn = conns.fresh("mimir")
    try:
        for pre in setup:
            run(conn, pre)
        labels, rows = run(conn, st["sql"])
        check_content(st, labels, rows)
        labels, rows = run(conn, "SELECT 1")
        assert rows == [(1,)]
    finally:
        conn.close()


def check_refused(st, conns):
    conn = conns.fresh("mimir")
    try:
        with pytest.raises(pymysql.MySQLError) as err:
            run(conn, st["sql"])
        assert err.value.args[0] == st["error"], f"{st['id']}: {err.value.args}"
        assert run(conn, "SELECT 1")[1] == [(1,)]
    finally:
        conn.close()


def gap_on(st, backend):
    """Whether st is a known gap on backend: `expect: gap` everywhere, or a
    `gap_on: {backend: reason}` entry for one kind of backend."""
    return st.get("expect") == "gap" or backend in st.get("gap_on", {})


def corpus_params():
    params = []
    for backend in BACKENDS:
        for st in CORPUS:
            if backend not in st.get("only_on", BACKENDS):
                continue
            marks = []
            if gap_on(st, backend):
                reason = st.get("gap_on", {}).get(backend) or st.get("reason", "")
                marks.append(pytest.mark.xfail(strict=True, reason=reason))
            params.append(pytest.param(st, backend, id=f"{backend}-{st['id']}", marks=marks))
    return params


@pytest.mark.parametrize("st,backend", corpus_params())
def test_statement(st, backend, conns, request):
    results = request.config.__dict__.setdefault("compat_results", [])
    conns.backend = backend
    gap = gap_on(st, backend)
    expect = "gap" if gap else st.get("expect", "pass")
    try:
        if expect == "refused" or st.get("then") == "refused":
            check_refused(st, conns)
        else:
            check_statement(st, conns)
    except BaseException:
        results.append((st["tool"], backend, "gap" if expect == "gap" else "FAILED"))
        raise
    results.append((st["tool"], backend, "XPASS" if expect == "gap" else expect))


def summary_table(results):
    """Markdown: per tool and kind of backend, how many statements pass / are
    known gaps / are refused on purpose (and how many failed, if any)."""
    outcomes = ("pass", "gap", "refused", "FAILED", "XPASS")
    counts = {}
    for tool, backend, outcome in results:
        for key in ((tool, backend), ("**all**", backend)):
            counts.setdefault(key, dict.fromkeys(outcomes, 0))[outcome] += 1
    backends = [b for b in BACKENDS if any(k[1] == b for k in counts)]
    tools = sorted({k[0] for k in counts} - {"**all**"}) + ["**all**"]

    def cell(c):
        text = f"{c['pass']} / {c['gap']} / {c['refused']}"
        failed = c["FAILED"] + c["XPASS"]
        return text + (f" ({failed} failed)" if failed else "")

    lines = ["| tool | " + " | ".join(f"{b}: pass / gap / refused" for b in backends) + " |",
             "| --- |" + " ---: |" * len(backends)]
    for tool in tools:
        lines.append(f"| {tool} | " + " | ".join(
            cell(counts.get((tool, b), dict.fromkeys(outcomes, 0))) for b in backends) + " |")
    return "\n".join(lines)
