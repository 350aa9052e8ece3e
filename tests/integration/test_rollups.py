"""Rollups, part 1 of issue 16: definitions, builds, refreshes, state and locks
(docs/rollups.md), on PostgreSQL, MariaDB and SQLite sources stored in their own
databases. These tests read the rollup tables directly and compare them, row by
row, with the same aggregate written by hand in SQL on the same backend in the
same run; test_rollup_routing.py answers queries from them.

The same generated payments (paid_at, store_id, country, amount) are loaded into
PostgreSQL (source pay_pg), MariaDB (pay_my) and SQLite (pay_lite), over the 40
days before now (so that the update window of 3 days and the watermark, today's
midnight UTC, fall inside them); some rows have no country or no amount.
"""

import csv
import datetime
import io
import json
import random
import re
import sqlite3
import subprocess
from decimal import Decimal

import pymysql
import pytest

from conftest import MIMIR_BIN, write_secrets

DB = "rollups_test"
MY_USER = "rollup_writer"
MY_PASSWORD = "rollup pw"
BACKENDS = ["pg", "my", "lite"]
SOURCE_SQL = "SELECT paid_at, store_id, country, amount FROM payments"
NOW = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
TODAY = datetime.datetime(NOW.year, NOW.month, NOW.day)
WATERMARK = TODAY.strftime("%Y-%m-%d %H:%M:%S")


def payment_rows():
    rng = random.Random(16)
    rows = []
    # Two years of sparse history (for the coarse grains), then 40 dense days.
    t = TODAY - datetime.timedelta(days=730)
    while t < TODAY - datetime.timedelta(days=40):
        rows.append((t, rng.randint(1, 3), rng.choice(["BE", "NL", None]),
                     Decimal(rng.randint(100, 9999)) / 100))
        t += datetime.timedelta(hours=rng.randint(24, 24 * 9), minutes=rng.randint(0, 59))
    t = TODAY - datetime.timedelta(days=40)
    while t < NOW - datetime.timedelta(minutes=5):
        for _ in range(rng.randint(0, 3)):
            country = rng.choice(["BE", "NL", "FR", None])
            amount = None if rng.random() < 0.05 else Decimal(rng.randint(100, 9999)) / 100
            rows.append((t.replace(microsecond=0), rng.randint(1, 3), country, amount))
        t += datetime.timedelta(minutes=rng.randint(20, 240))
    return rows


def lite_time(t):
    return t.strftime("%Y-%m-%d %H:%M:%S")


def load_postgres(pg, rows):
    pg.forget(DB)  # another module's cached connection to it would stop the DROP
    pg.query(f"DROP DATABASE IF EXISTS {DB}")
    pg.query(f"CREATE DATABASE {DB}")
    pg.query("CREATE TABLE payments (paid_at TIMESTAMP NOT NULL, store_id INTEGER, "
             "country TEXT, amount NUMERIC(8,2))", dbname=DB)
    insert_pg(pg, rows)


def insert_pg(pg, rows):
    for r in rows:
        pg.query("INSERT INTO payments VALUES (%s, %s, %s, %s)", r, dbname=DB)


def load_mariadb(server, rows):
    server.query(f"DROP DATABASE IF EXISTS {DB}")
    server.query("DROP DATABASE IF EXISTS mimir_rollups")
    server.query(f"CREATE DATABASE {DB} CHARACTER SET utf8mb4")
    server.query("CREATE TABLE payments (paid_at DATETIME NOT NULL, store_id INT, "
                 "country VARCHAR(8), amount DECIMAL(8,2))", database=DB)
    insert_my(server, rows)
    server.create_user(MY_USER, MY_PASSWORD, DB)
    server.query(f"GRANT ALL ON `mimir_rollups`.* TO '{MY_USER}'@'127.0.0.1'")


def insert_my(server, rows):
    server.executemany("INSERT INTO payments VALUES (%s, %s, %s, %s)", rows, database=DB)


def load_sqlite(path, rows):
    path.unlink(missing_ok=True)
    (path.parent / (path.name + ".mimir_rollups.db")).unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE payments (paid_at TEXT NOT NULL, store_id INTEGER, country TEXT, "
               "amount REAL)")
    db.commit()
    db.close()
    insert_lite(path, rows)


def insert_lite(path, rows):
    db = sqlite3.connect(path)
    db.executemany("INSERT INTO payments VALUES (?, ?, ?, ?)",
                   [(lite_time(t), s, c, None if a is None else float(a))
                    for t, s, c, a in rows])
    db.commit()
    db.close()


def rollup_yaml(b, dims="[store_id, country]", grain="ds", every="1 hour"):
    return (f"  rollups:\n    - name: pay_{b}_daily\n      grain: {grain}\n"
            f"      dimensions: {dims}\n"
            f"      metrics: [revenue_{b}, n_{b}, avg_amount_{b}, top_{b}, low_{b}]\n"
            f"      refresh_every: {every}\n      update_window: 3 days\n")


def write_sources(configs, dims="[store_id, country]", grain="ds", every="1 hour"):
    text = "".join(
        f"pay_{b}:\n  name: pay_{b}\n  time_col: paid_at\n  connection_name: pay_{b}\n"
        f"  sql: {json.dumps(SOURCE_SQL)}\n" + rollup_yaml(b, dims, grain, every) for b in BACKENDS)
    (configs / "sources" / "sources.yaml").write_text(text)


def write_layer(base, pg, mariadb):
    configs = base / "configs"
    for sub in ("sources", "metrics", "dimensions"):
        (configs / sub).mkdir(parents=True, exist_ok=True)
    write_sources(configs)
    docs = []
    for b in BACKENDS:
        for name, sql in (("revenue", "SUM(amount)"), ("n", "COUNT(*)"),
                          ("avg_amount", "AVG(amount)"), ("top", "MAX(amount)"),
                          ("low", "MIN(amount)"), ("buyers", "COUNT(DISTINCT country)")):
            docs.append(f"name: {name}_{b}\nsource_name: pay_{b}\nsql: {sql}\n")
    (configs / "metrics" / "metrics.yaml").write_text("---\n".join(docs))
    secrets = write_secrets(base / "secrets", pg.port, schema=DB, connection_name="pay_pg")
    (secrets / "pay_my.json").write_text(json.dumps(mariadb.secret(DB, MY_USER, MY_PASSWORD)))
    (secrets / "pay_lite.json").write_text(json.dumps(
        {"connection_class": "sqlite", "path": str(base / "payments.db")}))
    return configs, secrets


@pytest.fixture(scope="module")
def layer(session_dir, pg, mariadb):
    rows = payment_rows()
    base = session_dir / "rollups"
    base.mkdir(parents=True, exist_ok=True)
    load_postgres(pg, rows)
    pg.query("DROP SCHEMA IF EXISTS mimir_rollups CASCADE", dbname=DB)
    load_mariadb(mariadb, rows)
    load_sqlite(base / "payments.db", rows)
    configs, secrets = write_layer(base, pg, mariadb)
    return {"configs": configs, "secrets": secrets, "lite": base / "payments.db", "base": base}


def mimir(layer, *args, status=0):
    proc = subprocess.run([str(MIMIR_BIN), *map(str, args), "--configs", str(layer["configs"]),
                           "--secrets", str(layer["secrets"])],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert proc.returncode == status, proc.stdout + proc.stderr
    return proc


# ---- reading rollups and the hand-written aggregate on each backend ----

HAND = {
    "pg": ("SELECT to_char(date_trunc('day', paid_at), 'YYYY-MM-DD HH24:MI:SS'), {dims}, "
           "SUM(amount), COUNT(*), SUM(amount), COUNT(amount), MAX(amount), MIN(amount) "
           "FROM payments WHERE paid_at < '{wm}' GROUP BY 1, {dims}"),
    "my": ("SELECT DATE_FORMAT(DATE(paid_at), '%Y-%m-%d 00:00:00'), {dims}, "
           "SUM(amount), COUNT(*), SUM(amount), COUNT(amount), MAX(amount), MIN(amount) "
           "FROM payments WHERE paid_at < '{wm}' GROUP BY 1, {dims}"),
    "lite": ("SELECT date(paid_at) || ' 00:00:00', {dims}, "
             "SUM(amount), COUNT(*), SUM(amount), COUNT(amount), MAX(amount), MIN(amount) "
             "FROM payments WHERE paid_at < '{wm}' GROUP BY 1, {dims}"),
}


def run_on(b, pg, mariadb, layer, sql, rollups_db=False):
    if b == "pg":
        return pg.query(sql, dbname=DB)
    if b == "my":
        return mariadb.query(sql, database=DB)
    db = sqlite3.connect(layer["lite"])
    try:
        if rollups_db:
            db.execute("ATTACH DATABASE ? AS mimir_rollups",
                       (str(layer["lite"]) + ".mimir_rollups.db",))
        return db.execute(sql).fetchall()
    finally:
        db.close()


def norm(row):
    out = []
    for v in row:
        if isinstance(v, datetime.datetime):
            v = v.strftime("%Y-%m-%d %H:%M:%S")
        elif isinstance(v, (Decimal, float)) or (isinstance(v, int) and not isinstance(v, bool)):
            v = Decimal(str(round(float(v), 4))).normalize()
        out.append(v)
    return tuple(out)


def ordered(rows):
    return sorted((norm(r) for r in rows), key=lambda r: [str(x) for x in r])


def hand(b, pg, mariadb, layer, *, wm, dims=("store_id", "country")):
    """The hand-written aggregate of the rows before wm, the watermark of the build it is
    compared with (read from its output or its state: a run may cross midnight)."""
    sql = HAND[b].format(dims=", ".join(dims), wm=wm)
    return ordered(run_on(b, pg, mariadb, layer, sql))


def rollup_rows(b, pg, mariadb, layer, dims=("store_id", "country")):
    sql = (f"SELECT period, {', '.join(dims)}, revenue_{b}, n_{b}, avg_amount_{b}__sum, "
           f"avg_amount_{b}__count, top_{b}, low_{b} FROM mimir_rollups.pay_{b}_daily")
    return ordered(run_on(b, pg, mariadb, layer, sql, rollups_db=True))


def state(b, pg, mariadb, layer):
    sql = ("SELECT definition_hash, last_refresh_at, watermark, row_count, status, error "
           f"FROM mimir_rollups.mimir_rollups_state WHERE name = 'pay_{b}_daily'")
    rows = run_on(b, pg, mariadb, layer, sql, rollups_db=True)
    assert len(rows) == 1
    return norm(rows[0])


# ---- the tests ----

def test_list(layer):
    out = mimir(layer, "rollups", "list", "--format", "csv").stdout
    lines = out.strip().splitlines()
    assert lines[0] == ("name,source,grain,dimensions,metrics,refresh_every_s,update_window_s,"
                        "storage,lambda")
    assert lines[1] == ('pay_pg_daily,pay_pg,ds,"store_id, country",'
                        '"revenue_pg, n_pg, avg_amount_pg, top_pg, low_pg",3600,259200,pay_pg,true')
    assert len(lines) == 4
    out = subprocess.run([str(MIMIR_BIN), "describe", "pay_my", "source", "--configs",
                          str(layer["configs"])], capture_output=True, text=True, timeout=60)
    assert "rollups:        pay_my_daily (ds)\n" in out.stdout, out.stdout + out.stderr
    # Nothing is built yet: the storage databases have no state table.
    status = mimir(layer, "rollups", "status", "--format", "csv").stdout.strip().splitlines()
    assert status == ["name,built,rows,last_refresh_utc,watermark,stale,error"] + [
        f"pay_{b}_daily,no,,,,yes (not built)," for b in BACKENDS]


def build_watermark(out, name):
    """The watermark a build printed (the start of its day: a run that crosses midnight
    UTC builds up to the new day, not to the one the module was imported on)."""
    m = re.search(rf"rollup {name}: (?:full build of the periods before|refresh of the "
                  r"periods from \S+ \S+ to) (\S+ \S+)", out)
    assert m, out
    return m.group(1)


@pytest.mark.parametrize("b", BACKENDS)
def test_full_build_matches_hand_sql(layer, pg, mariadb, b):
    out = mimir(layer, "rollups", "build", f"pay_{b}_daily", "--full").stdout
    wm = build_watermark(out, f"pay_{b}_daily")
    assert wm in (WATERMARK, (TODAY + datetime.timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S"))
    want = hand(b, pg, mariadb, layer, wm=wm)
    assert f"rollup pay_{b}_daily: built {len(want)} rows" in out
    got = rollup_rows(b, pg, mariadb, layer)
    assert got == want
    # AVG is stored as sum and count: their ratio is the backend's AVG per group.
    day = HAND[b][len("SELECT "):HAND[b].index(", {dims}")]
    avg = ordered(run_on(b, pg, mariadb, layer,
                         f"SELECT {day}, store_id, country, AVG(amount) FROM payments "
                         f"WHERE paid_at < '{wm}' GROUP BY 1, 2, 3"))
    ratios = ordered((r[0], r[1], r[2], (r[5] / r[6]) if r[6] else None) for r in got)
    assert ratios == avg
    st = state(b, pg, mariadb, layer)
    assert st[2] == wm and st[3] == len(want) and st[4] == "built" and st[5] is None
    status = mimir(layer, "rollups", "status", "--format", "csv").stdout
    assert f"pay_{b}_daily,yes,{len(want)}," in status


@pytest.mark.parametrize("b", BACKENDS)
def test_incremental_refresh(layer, pg, mariadb, b):
    mimir(layer, "rollups", "build", f"pay_{b}_daily", "--full")
    before = rollup_rows(b, pg, mariadb, layer)
    recent = [(TODAY - datetime.timedelta(days=1, hours=-3), 2, "BE", Decimal("1000.00"))]
    old = [(TODAY - datetime.timedelta(days=10, hours=-5), 2, "BE", Decimal("2000.00"))]
    {"pg": lambda r: insert_pg(pg, r), "my": lambda r: insert_my(mariadb, r),
     "lite": lambda r: insert_lite(layer["lite"], r)}[b](recent + old)
    try:
        out = mimir(layer, "rollups", "build", f"pay_{b}_daily").stdout
        wm = build_watermark(out, f"pay_{b}_daily")
        window = (datetime.datetime.strptime(wm, "%Y-%m-%d %H:%M:%S") -
                  datetime.timedelta(days=3)).strftime("%Y-%m-%d %H:%M:%S")
        assert f"refresh of the periods from {window} to {wm}" in out
        got = rollup_rows(b, pg, mariadb, layer)
        want = hand(b, pg, mariadb, layer, wm=wm)
        old_day = old[0][0].strftime("%Y-%m-%d 00:00:00")
        recent_day = recent[0][0].strftime("%Y-%m-%d 00:00:00")
        # The refresh took the recent row, and left the older period as it was.
        assert [r for r in got if r[0] == recent_day] == [r for r in want if r[0] == recent_day]
        assert [r for r in got if r[0] == old_day] == [r for r in before if r[0] == old_day]
        assert [r for r in got if r[0] == old_day] != [r for r in want if r[0] == old_day]
        # A full build takes both.
        out = mimir(layer, "rollups", "build", f"pay_{b}_daily", "--full").stdout
        assert rollup_rows(b, pg, mariadb, layer) == hand(
            b, pg, mariadb, layer, wm=build_watermark(out, f"pay_{b}_daily"))
    finally:
        sql = "DELETE FROM payments WHERE amount IN (1000, 2000)"
        if b == "lite":
            db = sqlite3.connect(layer["lite"])
            db.execute(sql)
            db.commit()
            db.close()
        else:
            run_on(b, pg, mariadb, layer, sql)
        mimir(layer, "rollups", "build", f"pay_{b}_daily", "--full")


@pytest.mark.parametrize("b", BACKENDS)
def test_changed_definition_rebuilds(layer, pg, mariadb, b):
    mimir(layer, "rollups", "build", f"pay_{b}_daily")
    old_hash = state(b, pg, mariadb, layer)[0]
    write_sources(layer["configs"], dims="[country]")
    try:
        status = mimir(layer, "rollups", "status", "--format", "csv").stdout
        assert f"pay_{b}_daily,yes," in status and "yes (definition changed)" in status
        out = mimir(layer, "rollups", "build", f"pay_{b}_daily").stdout
        assert "definition changed" in out and "full build" in out
        assert state(b, pg, mariadb, layer)[0] != old_hash
        assert rollup_rows(b, pg, mariadb, layer, dims=("country",)) == \
            hand(b, pg, mariadb, layer, dims=("country",), wm=state(b, pg, mariadb, layer)[2])
    finally:
        write_sources(layer["configs"])
    mimir(layer, "rollups", "build", f"pay_{b}_daily")
    assert state(b, pg, mariadb, layer)[0] == old_hash


def pg_lock_key(name):
    h = 14695981039346656037
    for ch in ("mimir_rollup_" + name.lower()).encode():
        h = ((h ^ ch) * 1099511628211) % (1 << 64)
    return h - (1 << 64) if h >= (1 << 63) else h


def test_lock_held_elsewhere_pg(layer, pg):
    import psycopg2
    conn = psycopg2.connect(host=pg.host, port=pg.port, user="postgres", dbname=DB)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s)", (pg_lock_key("pay_pg_daily"),))
        proc = mimir(layer, "rollups", "build", "pay_pg_daily", status=1)
        assert "rollup pay_pg_daily: another server is building it now" in proc.stderr
    finally:
        conn.close()
    mimir(layer, "rollups", "build", "pay_pg_daily")


def test_lock_held_elsewhere_mariadb(layer, mariadb):
    conn = mariadb.connect_root()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT GET_LOCK('mimir_rollup_pay_my_daily', 0)")
        proc = mimir(layer, "rollups", "build", "pay_my_daily", status=1)
        assert "rollup pay_my_daily: another server is building it now" in proc.stderr
    finally:
        conn.close()
    mimir(layer, "rollups", "build", "pay_my_daily")


def test_lock_held_elsewhere_sqlite(layer):
    db = sqlite3.connect(str(layer["lite"]) + ".mimir_rollups.db", isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
        proc = mimir(layer, "rollups", "build", "pay_lite_daily", status=1)
        assert "rollup pay_lite_daily: another server is building it now" in proc.stderr
    finally:
        db.execute("ROLLBACK")
        db.close()
    mimir(layer, "rollups", "build", "pay_lite_daily")


def test_storage_down(layer, tmp_path):
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    for f in layer["secrets"].iterdir():
        (secrets / f.name).write_text(f.read_text())
    from conftest import free_port
    write_secrets(secrets, free_port(), schema=DB, connection_name="pay_pg")
    down = dict(layer, secrets=secrets)
    proc = mimir(down, "rollups", "build", "pay_pg_daily", status=1)
    assert "mimir rollups: rollup pay_pg_daily: connecting to its storage:" in proc.stderr
    status = mimir(down, "rollups", "status", "--format", "csv", status=1).stdout
    assert "pay_pg_daily,unknown," in status
    # The next command works.
    mimir(layer, "rollups", "build", "pay_pg_daily")


def local_query(layer, b, *extra):
    """`mimir query` run by the command itself: a sum (a maximum on SQLite, whose
    floating-point sums are not re-aggregated) and a count by country over the days
    before today (all of them before the daily rollup's watermark)."""
    yesterday = (TODAY - datetime.timedelta(days=1)).strftime("%Y-%m-%d")
    first = f"top_{b}" if b == "lite" else f"revenue_{b}"
    return mimir(layer, "query", "-m", first, "-m", f"n_{b}", "-d", "country", "--end-date",
                 yesterday, "--format", "csv", *extra).stdout


def csv_numbers(text):
    rows = list(csv.reader(io.StringIO(text)))[1:]
    return sorted((r[0], round(float(r[1]), 2), int(r[2])) for r in rows)


@pytest.mark.parametrize("b", BACKENDS)
def test_local_query_reads_a_built_rollup(layer, pg, mariadb, b, tmp_path):
    """`mimir query` without --host reads a rollup that a build left, as a server that
    starts does: --dry-run shows its table, and the rows are the source's aggregate. A
    changed definition or a storage that does not answer: the source answers."""
    mimir(layer, "rollups", "build", f"pay_{b}_daily")
    first = "MAX(amount)" if b == "lite" else "SUM(amount)"
    want = sorted((c or "", round(float(r), 2), int(n)) for c, r, n in run_on(
        b, pg, mariadb, layer, f"SELECT country, {first}, COUNT(*) FROM payments "
        f"WHERE paid_at < '{WATERMARK}' GROUP BY country"))
    assert f"pay_{b}_daily" in local_query(layer, b, "--dry-run")
    assert csv_numbers(local_query(layer, b)) == want
    write_sources(layer["configs"], dims="[store_id]")  # country is no longer in it
    try:
        assert f"pay_{b}_daily" not in local_query(layer, b, "--dry-run")
        write_sources(layer["configs"], dims="[country, store_id]")  # another definition
        status = mimir(layer, "rollups", "status", "--format", "csv").stdout
        assert f"pay_{b}_daily,yes," in status and "yes (definition changed)" in status
        assert f"pay_{b}_daily" not in local_query(layer, b, "--dry-run")
        assert csv_numbers(local_query(layer, b)) == want
    finally:
        write_sources(layer["configs"])
    if b == "pg":  # its storage (the source's own database) does not answer
        secrets = tmp_path / "secrets"
        secrets.mkdir()
        for f in layer["secrets"].iterdir():
            (secrets / f.name).write_text(f.read_text())
        from conftest import free_port
        write_secrets(secrets, free_port(), schema=DB, connection_name="pay_pg")
        proc = mimir(dict(layer, secrets=secrets), "query", "-m", "revenue_pg", "-d", "country",
                     "--dry-run")
        assert "pay_pg_daily" not in proc.stdout and "FROM payments" in proc.stdout
    assert f"pay_{b}_daily" in local_query(layer, b, "--dry-run")


def test_unknown_rollup_and_usage(layer):
    proc = mimir(layer, "rollups", "build", "nope", status=1)
    assert proc.stderr.strip() == "mimir rollups: no rollup named 'nope' (mimir rollups list " \
                                  "shows them)"
    proc = mimir(layer, "rollups", "frobnicate", status=2)
    assert "mimir rollups: 'frobnicate': list, status or build NAME" in proc.stderr
    mimir(layer, "rollups", "list")


def test_validate_reports_bad_rollups(layer, tmp_path):
    configs = tmp_path / "configs"
    subprocess.run(["cp", "-r", str(layer["configs"]), str(configs)], check=True)
    text = (configs / "sources" / "sources.yaml").read_text()
    text = text.replace("metrics: [revenue_my,", "metrics: [buyers_my, revenue_my,", 1)
    text = text.replace("grain: ds", "grain: fortnight", 1)
    text = text.replace("dimensions: [store_id, country]", "dimensions: [store_id, city]", 3)
    (configs / "sources" / "sources.yaml").write_text(text)
    proc = subprocess.run([str(MIMIR_BIN), "validate", "--configs", str(configs), "--no-secrets"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    path = configs / "sources" / "sources.yaml"
    assert proc.stdout.splitlines() == [
        f"{path}:8:14: source 'pay_pg': rollup 'pay_pg_daily': unknown grain 'fortnight' (one of "
        "ts_second, ts_minute, ts_hour, ds, week, year_month, quarter, year, fiscal_quarter, "
        "fiscal_year)",
        f"{path}:21:30: source 'pay_my': rollup 'pay_my_daily': dimension 'city' is not "
        "available on source 'pay_my' (a column of its sql, or a dimension defined on it or "
        "listed under its 'dimensions')",
        f"{path}:22:17: source 'pay_my': rollup 'pay_my_daily': metric 'buyers_my' aggregates as "
        "COUNT(DISTINCT ...): a rollup stores only metrics it can re-aggregate exactly (SUM, "
        "COUNT, MIN, MAX, and AVG as sum and count)",
        f"{path}:33:30: source 'pay_lite': rollup 'pay_lite_daily': dimension 'city' is not "
        "available on source 'pay_lite' (a column of its sql, or a dimension defined on it or "
        "listed under its 'dimensions')",
    ]
    assert proc.stderr == f"mimir validate: 4 problems in {configs}\n"


# ---- the server: builds off the loop, state reused across restarts, reloads, locks ----

def start_server(session_dir, configs, secrets, name, admin_port=None):
    from conftest import MimirServer, free_port
    args = []
    if admin_port:
        path = session_dir / f"rollups-server-{free_port()}.yaml"
        path.write_text(f"admin:\n  port: {admin_port}\n")
        args = ["--server-config", str(path)]
    return MimirServer(session_dir, configs=configs, secrets=secrets, name=name,
                       extra_args=args).start()


def stop_checked(server):
    server.stop()
    problem = server.exit_problem()
    assert problem is None, problem


def metrics(port):
    import urllib.request
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        return r.read().decode()


def metric_value(text, line_prefix):
    for line in text.splitlines():
        if line.startswith(line_prefix + " "):
            return float(line.split()[-1])
    raise AssertionError(f"{line_prefix} not in /metrics:\n{text}")


def answers(server, b):
    names, rows = server.query(f"SELECT AGG(n_{b}) FROM mimir.pay_{b}")
    return rows[0][0]


def test_server_builds_reloads_and_restarts(layer, pg, mariadb, session_dir):
    from conftest import free_port
    for b in BACKENDS:
        mimir(layer, "rollups", "build", f"pay_{b}_daily")
    # A definition the state does not have: the server builds each rollup in full.
    write_sources(layer["configs"], dims="[country]")
    admin = free_port()
    server = start_server(session_dir, layer["configs"], layer["secrets"], "mimir-rollups",
                          admin_port=admin)
    try:
        for b in BACKENDS:
            server.wait_for_log(rf"rollup pay_{b}_daily: definition changed .*: full build")
            server.wait_for_log(rf"rollup pay_{b}_daily: built \d+ rows in [0-9.]+ s")
            assert rollup_rows(b, pg, mariadb, layer, dims=("country",)) == hand(
                b, pg, mariadb, layer, dims=("country",), wm=state(b, pg, mariadb, layer)[2])
            assert answers(server, b) == len(payment_rows())
        # SIGHUP with the first dimension list: rebuilt again, in full.
        write_sources(layer["configs"])
        import signal
        server.proc.send_signal(signal.SIGHUP)
        for b in BACKENDS:
            server.wait_for_log(rf"rollup pay_{b}_daily: built \d+ rows", count=2)
            assert rollup_rows(b, pg, mariadb, layer) == hand(b, pg, mariadb, layer,
                                                              wm=state(b, pg, mariadb, layer)[2])
        text = metrics(admin)
        assert metric_value(text, 'mimir_rollup_builds_total{rollup="pay_pg_daily",result="ok"}') \
            == 2
        assert metric_value(text, 'mimir_rollup_rows{rollup="pay_my_daily"}') == \
            len(hand("my", pg, mariadb, layer, wm=state("my", pg, mariadb, layer)[2]))
        assert metric_value(text, 'mimir_rollup_build_seconds_total{rollup="pay_lite_daily"}') > 0
        # A reload that changes nothing rebuilds nothing.
        server.proc.send_signal(signal.SIGHUP)
        server.wait_for_log(r"reloaded:", count=2)
        import time
        time.sleep(1)
        assert len(server.wait_for_log(r"rollup pay_pg_daily: built \d+ rows")) == 2
    finally:
        write_sources(layer["configs"])
        stop_checked(server)
    before = {b: state(b, pg, mariadb, layer) for b in BACKENDS}
    # A restart reuses every rollup: same definition, refreshed less than an hour ago.
    server = start_server(session_dir, layer["configs"], layer["secrets"], "mimir-rollups-2")
    try:
        for b in BACKENDS:
            server.wait_for_log(rf"rollup pay_{b}_daily: up to date \(refreshed "
                                rf"{before[b][1]} UTC, definition unchanged\): reused")
        assert "full build" not in server.stderr() and "refresh of" not in server.stderr()
        assert {b: state(b, pg, mariadb, layer) for b in BACKENDS} == before
        assert answers(server, "pg") == len(payment_rows())
    finally:
        stop_checked(server)


def test_two_servers_one_build(layer, pg, mariadb, session_dir):
    mimir(layer, "rollups", "build", "pay_pg_daily")
    write_sources(layer["configs"], dims="[store_id]")
    servers = []
    try:
        for name in ("mimir-rollups-a", "mimir-rollups-b"):
            servers.append(start_server(session_dir, layer["configs"], layer["secrets"], name))
        for s in servers:
            s.wait_for_log(r"rollup pay_pg_daily: (built \d+ rows|up to date .*: reused)",
                           timeout=40)
        logs = [s.stderr() for s in servers]
        assert sum(log.count("rollup pay_pg_daily: full build of") for log in logs) == 1, logs
        assert rollup_rows("pg", pg, mariadb, layer, dims=("store_id",)) == \
            hand("pg", pg, mariadb, layer, dims=("store_id",), wm=state("pg", pg, mariadb, layer)[2])
    finally:
        write_sources(layer["configs"])
        for s in servers:
            stop_checked(s)


def test_server_waits_for_the_lock(layer, pg, session_dir):
    import psycopg2
    from conftest import free_port
    mimir(layer, "rollups", "build", "pay_pg_daily")
    conn = psycopg2.connect(host=pg.host, port=pg.port, user="postgres", dbname=DB)
    admin = free_port()
    server = None
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s)", (pg_lock_key("pay_pg_daily"),))
        server = start_server(session_dir, layer["configs"], layer["secrets"],
                              "mimir-rollups-lock", admin_port=admin)
        server.wait_for_log(r"rollup pay_pg_daily: another server is building it: left to it")
        assert metric_value(metrics(admin),
                            'mimir_rollup_builds_total{rollup="pay_pg_daily",result="busy"}') >= 1
        assert answers(server, "pg") == len(payment_rows())
        conn.close()
        # Released: the next attempt (10 s later) finds it fresh and reuses it.
        server.wait_for_log(r"rollup pay_pg_daily: up to date .*: reused", timeout=30)
        assert "NOTICE" not in server.stderr()
    finally:
        conn.close()
        if server:
            stop_checked(server)


def test_server_storage_down(layer, session_dir, tmp_path):
    from conftest import free_port
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    for f in layer["secrets"].iterdir():
        (secrets / f.name).write_text(f.read_text())
    write_secrets(secrets, free_port(), schema=DB, connection_name="pay_pg")
    admin = free_port()
    server = start_server(session_dir, layer["configs"], secrets, "mimir-rollups-down",
                          admin_port=admin)
    try:
        server.wait_for_log(r"ERROR rollup pay_pg_daily: build failed \(1 in a row\), the last "
                            r"good build stays; retrying in 5 s: connecting to its storage: ")
        server.wait_for_log(r"ERROR rollup pay_pg_daily: build failed \(2 in a row\), the last "
                            r"good build stays; retrying in 10 s", timeout=20)
        assert metric_value(metrics(admin), 'mimir_rollup_builds_total{rollup="pay_pg_daily",'
                                            'result="failed"}') >= 2
        # The server keeps answering: the other sources, and its own next queries.
        assert answers(server, "lite") == len(payment_rows())
        assert answers(server, "my") == len(payment_rows())
        with pytest.raises(pymysql.MySQLError):
            answers(server, "pg")
        assert answers(server, "lite") == len(payment_rows())
    finally:
        stop_checked(server)


def test_validate_with_secrets_runs_the_rollup_queries(layer):
    """`mimir validate --secrets` plans each rollup's build query and runs it with LIMIT 0
    on its database: the layer's rollups, on every backend, are valid."""
    proc = subprocess.run([str(MIMIR_BIN), "validate", "--configs", str(layer["configs"]),
                           "--secrets", str(layer["secrets"])],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == "3 sources, 18 metrics, 0 dimensions: valid"


@pytest.mark.parametrize("b", BACKENDS)
def test_failed_refresh_keeps_the_last_good_build(layer, pg, mariadb, b):
    mimir(layer, "rollups", "build", f"pay_{b}_daily")
    before = rollup_rows(b, pg, mariadb, layer)
    good = state(b, pg, mariadb, layer)
    rename = "ALTER TABLE {} RENAME TO {}"
    run = (lambda sql: run_on(b, pg, mariadb, layer, sql)) if b != "lite" else None

    def rename_table(old, new):
        if b == "lite":
            db = sqlite3.connect(layer["lite"])
            db.execute(rename.format(old, new))
            db.commit()
            db.close()
        else:
            run(rename.format(old, new))

    rename_table("payments", "payments_away")
    try:
        proc = mimir(layer, "rollups", "build", f"pay_{b}_daily", status=1)
        assert f"mimir rollups: rollup pay_{b}_daily: refreshing: " in proc.stderr
        assert "payments" in proc.stderr
        assert rollup_rows(b, pg, mariadb, layer) == before
        failed = state(b, pg, mariadb, layer)
        assert failed[:4] == good[:4] and failed[4] == "failed"
        assert failed[5].startswith("refreshing: ")
        status = mimir(layer, "rollups", "status", "--format", "csv").stdout
        assert f"pay_{b}_daily,yes,{good[3]}," in status and "refreshing: " in status
    finally:
        rename_table("payments_away", "payments")
    mimir(layer, "rollups", "build", f"pay_{b}_daily")
    st = state(b, pg, mariadb, layer)
    assert st[4] == "built" and st[5] is None
    assert rollup_rows(b, pg, mariadb, layer) == hand(b, pg, mariadb, layer, wm=st[2])


def period_start(grain, t):
    """The start of t's period of grain (weeks start on Monday, no calendar.yaml)."""
    day = datetime.datetime(t.year, t.month, t.day)
    if grain == "ts_hour":
        return t.replace(minute=0, second=0, microsecond=0)
    if grain == "week":
        return day - datetime.timedelta(days=day.weekday())
    if grain == "year_month":
        return day.replace(day=1)
    if grain == "quarter":
        return day.replace(day=1, month=(t.month - 1) // 3 * 3 + 1)
    return day.replace(day=1, month=1)


@pytest.mark.parametrize("grain", ["ts_hour", "week", "year_month", "quarter", "year"])
def test_grains(layer, pg, mariadb, grain):
    """Every backend's rollup at each grain, against the generated rows aggregated in
    Python by the same periods (a second oracle beside the backends' own SQL). The
    watermark is the start of the period the build ran in: read from its output and
    checked against the clock around it (a long run may cross an hour)."""
    def now():
        return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)

    def periods_before(watermark):
        want = {}
        for t, store, country, amount in payment_rows():
            if t >= watermark:
                continue
            key = (period_start(grain, t).strftime("%Y-%m-%d %H:%M:%S"), store, country)
            revenue, n = want.get(key, (Decimal(0), 0))
            want[key] = (revenue + (amount or 0), n + 1)
        assert want, "no complete period: the generator's history is too short"
        return want

    write_sources(layer["configs"], grain=grain)
    try:
        for b in BACKENDS:
            before = period_start(grain, now())
            out = mimir(layer, "rollups", "build", f"pay_{b}_daily").stdout
            after = period_start(grain, now())
            found = re.search(r"watermark (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)", out)
            assert found, out
            watermark = datetime.datetime.fromisoformat(found[1])
            assert before <= watermark <= after, out
            want = periods_before(watermark)
            got = {r[:3]: (r[3] or Decimal(0), r[4]) for r in rollup_rows(b, pg, mariadb, layer)}
            assert got == {k: (Decimal(str(round(float(v[0]), 4))).normalize(),
                               Decimal(v[1]).normalize()) for k, v in want.items()}, b
    finally:
        write_sources(layer["configs"])
    for b in BACKENDS:
        mimir(layer, "rollups", "build", f"pay_{b}_daily")


def test_server_refreshes_every_period(layer, pg, mariadb, session_dir):
    """refresh_every: the server refreshes on its own, again and again; rows written
    in the update window appear without anyone asking."""
    for b in BACKENDS:
        mimir(layer, "rollups", "build", f"pay_{b}_daily")
    write_sources(layer["configs"], every="2 seconds")
    server = start_server(session_dir, layer["configs"], layer["secrets"], "mimir-rollups-every")
    row = (TODAY - datetime.timedelta(days=1, hours=-7), 3, "NL", Decimal("3000.00"))
    try:
        server.wait_for_log(r"rollup pay_lite_daily: refreshed \d+ rows", count=2, timeout=30)
        insert_lite(layer["lite"], [row])
        count = len(server.wait_for_log(r"rollup pay_lite_daily: refreshed \d+ rows"))
        server.wait_for_log(r"rollup pay_lite_daily: refreshed \d+ rows", count=count + 1,
                            timeout=30)
        assert rollup_rows("lite", pg, mariadb, layer) == hand(
            "lite", pg, mariadb, layer, wm=state("lite", pg, mariadb, layer)[2])
    finally:
        write_sources(layer["configs"])
        stop_checked(server)
        db = sqlite3.connect(layer["lite"])
        db.execute("DELETE FROM payments WHERE amount = 3000")
        db.commit()
        db.close()
    mimir(layer, "rollups", "build", "pay_lite_daily")


# ---- a calendar in another zone than UTC ----

# One with daylight saving (the 40 dense days cross the change of early November when
# the suite runs in November or December) and one at +05:45 all year.
ZONES = ["America/New_York", "Asia/Kathmandu"]
ZONED_SQL = "SELECT paid_at, store_id, country, amount FROM payments_at"

# The hand-written daily aggregate in zone {zone} of the rows before wm (a wall clock of
# that zone), over the payments whose time is an instant (payments_at); MariaDB's runs
# in a session whose time_zone is the zone, SQLite's with the process's TZ (localtime).
HAND_IN_ZONE = {
    "pg": ("SELECT to_char(date_trunc('day', paid_at AT TIME ZONE '{zone}'), "
           "'YYYY-MM-DD HH24:MI:SS'), {dims}, SUM(amount), COUNT(*), SUM(amount), "
           "COUNT(amount), MAX(amount), MIN(amount) FROM payments_at "
           "WHERE paid_at AT TIME ZONE '{zone}' < '{wm}' GROUP BY 1, {dims}"),
    "my": ("SELECT DATE_FORMAT(DATE(paid_at), '%Y-%m-%d 00:00:00'), {dims}, "
           "SUM(amount), COUNT(*), SUM(amount), COUNT(amount), MAX(amount), MIN(amount) "
           "FROM payments_at WHERE paid_at < '{wm}' GROUP BY 1, {dims}"),
    "lite": ("SELECT date(paid_at, 'localtime') || ' 00:00:00', {dims}, "
             "SUM(amount), COUNT(*), SUM(amount), COUNT(amount), MAX(amount), MIN(amount) "
             "FROM payments_at WHERE datetime(paid_at, 'localtime') < '{wm}' "
             "GROUP BY 1, {dims}"),
}


def load_instants(pg, mariadb, lite):
    """payments_at: the payments with their time as an instant (PostgreSQL timestamptz,
    MariaDB TIMESTAMP, SQLite's UTC text), from the wall clocks of payments read as UTC."""
    pg.query("DROP TABLE IF EXISTS payments_at", dbname=DB)
    pg.query("CREATE TABLE payments_at (paid_at TIMESTAMPTZ NOT NULL, store_id INTEGER, "
             "country TEXT, amount NUMERIC(8,2))", dbname=DB)
    pg.query("INSERT INTO payments_at SELECT paid_at AT TIME ZONE 'UTC', store_id, country, "
             "amount FROM payments", dbname=DB)
    mariadb.query("DROP TABLE IF EXISTS payments_at", database=DB)
    mariadb.query("CREATE TABLE payments_at (paid_at TIMESTAMP NOT NULL, store_id INT, "
                  "country VARCHAR(8), amount DECIMAL(8,2))", database=DB)
    mariadb.query("INSERT INTO payments_at SELECT * FROM payments", database=DB)  # in UTC
    db = sqlite3.connect(lite)
    db.execute("DROP TABLE IF EXISTS payments_at")
    db.execute("CREATE TABLE payments_at AS SELECT * FROM payments")
    db.commit()
    db.close()


def write_zoned_layer(layer, configs, zone):
    """A layer over payments_at in a calendar zone: pay_B with the daily rollup
    pay_B_zoned, the module's metrics, its secrets."""
    for sub in ("sources", "metrics", "dimensions"):
        (configs / sub).mkdir(parents=True, exist_ok=True)
    (configs / "metrics" / "metrics.yaml").write_text(
        (layer["configs"] / "metrics" / "metrics.yaml").read_text())
    (configs / "sources" / "sources.yaml").write_text("".join(
        f"pay_{b}:\n  name: pay_{b}\n  time_col: paid_at\n  connection_name: pay_{b}\n"
        f"  sql: {json.dumps(ZONED_SQL)}\n" + rollup_yaml(b).replace("_daily", "_zoned")
        for b in BACKENDS))
    (configs / "calendar.yaml").write_text(f"time_zone: {zone}\n")
    return dict(layer, configs=configs)


@pytest.fixture(scope="module")
def zoned(layer, pg, mariadb):
    load_instants(pg, mariadb, layer["lite"])
    for zone in ZONES:
        mariadb.load_time_zones(zone)
    return layer


def run_in_zone(b, pg, mariadb, layer, zone, sql):
    if b == "pg":
        return pg.query(sql, dbname=DB)
    if b == "my":
        return mariadb.query_in_zone(zone, sql, DB)
    import os
    import time
    old = os.environ.get("TZ")
    os.environ["TZ"] = zone
    time.tzset()
    try:
        return run_on(b, pg, mariadb, layer, sql)
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


def hand_in_zone(b, pg, mariadb, layer, zone, wm):
    sql = HAND_IN_ZONE[b].format(dims="store_id, country", wm=wm, zone=zone)
    return ordered(run_in_zone(b, pg, mariadb, layer, zone, sql))


def zoned_rows(b, pg, mariadb, layer):
    sql = (f"SELECT period, store_id, country, revenue_{b}, n_{b}, avg_amount_{b}__sum, "
           f"avg_amount_{b}__count, top_{b}, low_{b} FROM mimir_rollups.pay_{b}_zoned")
    return ordered(run_on(b, pg, mariadb, layer, sql, rollups_db=True))


def zoned_state(b, pg, mariadb, layer):
    sql = ("SELECT definition_hash, last_refresh_at, watermark, row_count, status, error "
           f"FROM mimir_rollups.mimir_rollups_state WHERE name = 'pay_{b}_zoned'")
    rows = run_on(b, pg, mariadb, layer, sql, rollups_db=True)
    assert len(rows) == 1
    return norm(rows[0])


def zone_midnights(zone):
    """Today's start in zone, and tomorrow's (a run may cross midnight there)."""
    from zoneinfo import ZoneInfo
    today = datetime.datetime.now(ZoneInfo(zone)).replace(tzinfo=None)
    start = datetime.datetime(today.year, today.month, today.day)
    return [t.strftime("%Y-%m-%d %H:%M:%S") for t in (start, start + datetime.timedelta(days=1))]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("b", BACKENDS)
def test_calendar_zone_build_matches_hand_sql(zoned, pg, mariadb, tmp_path, b, zone):
    """`mimir rollups build` in a calendar zone: the command asks the source for its time
    column's type (an instant here), the periods are the zone's days (across a daylight
    saving change for New York), the watermark is today's start in the zone, and the rows
    are the backend's own aggregate in that zone."""
    zl = write_zoned_layer(zoned, tmp_path / "configs", zone)
    out = mimir(zl, "rollups", "build", f"pay_{b}_zoned", "--full").stdout
    wm = build_watermark(out, f"pay_{b}_zoned")
    assert wm in zone_midnights(zone)
    want = hand_in_zone(b, pg, mariadb, zoned, zone, wm)
    assert f"rollup pay_{b}_zoned: built {len(want)} rows" in out
    assert zoned_rows(b, pg, mariadb, zoned) == want
    # the zone's days are not UTC's: the rows differ from those of a UTC build
    utc = "+00:00" if b == "my" else "UTC"
    assert want != hand_in_zone(b, pg, mariadb, zoned, utc, wm)
    st = zoned_state(b, pg, mariadb, zoned)
    assert st[2] == wm and st[3] == len(want) and st[4] == "built"
    status = mimir(zl, "rollups", "status", "--format", "csv").stdout
    assert f"pay_{b}_zoned,yes,{len(want)},{st[1]},{wm},no," in status


def test_calendar_zone_change_rebuilds_in_the_server(zoned, pg, mariadb, tmp_path, session_dir):
    """Built in New York by the command line; the calendar moves to Kathmandu: the
    definition changed (the zone is in its hash), and a server rebuilds every rollup in
    full with the types its discovery learnt, matching the backends' aggregate there."""
    first, second = ZONES
    zl = write_zoned_layer(zoned, tmp_path / "configs", first)
    for b in BACKENDS:
        mimir(zl, "rollups", "build", f"pay_{b}_zoned")
    hashes = {b: zoned_state(b, pg, mariadb, zoned)[0] for b in BACKENDS}
    zl = write_zoned_layer(zoned, tmp_path / "configs", second)
    status = mimir(zl, "rollups", "status", "--format", "csv").stdout
    assert status.count("yes (definition changed)") == 3, status
    server = start_server(session_dir, zl["configs"], zl["secrets"], "mimir-rollups-zone")
    try:
        for b in BACKENDS:
            server.wait_for_log(rf"rollup pay_{b}_zoned: built \d+ rows", timeout=120)
        log = server.stderr()
        for b in BACKENDS:
            assert re.search(rf"rollup pay_{b}_zoned: definition changed \(hash \w+, was "
                             rf"{hashes[b]}\): full build", log), log
            st = zoned_state(b, pg, mariadb, zoned)
            assert st[0] != hashes[b] and st[4] == "built"
            assert st[2] in zone_midnights(second)
            want = hand_in_zone(b, pg, mariadb, zoned, second, st[2])
            assert zoned_rows(b, pg, mariadb, zoned) == want
            assert f"rollup pay_{b}_zoned: built {len(want)} rows" in log
        assert "build failed" not in log
    finally:
        stop_checked(server)


def test_calendar_zone_type_not_learnt(zoned, pg, mariadb, tmp_path, session_dir):
    """A build whose time column's type cannot be learnt (the source's table is gone)
    fails saying so, by the command line and in a server (whose type discovery could not
    type the source), and leaves the rollup as it was; the next one works."""
    zl = write_zoned_layer(zoned, tmp_path / "configs", ZONES[0])
    mimir(zl, "rollups", "build", "pay_lite_zoned")
    before = zoned_rows("lite", pg, mariadb, zoned)
    db = sqlite3.connect(zoned["lite"])
    db.execute("ALTER TABLE payments_at RENAME TO payments_away")
    db.commit()
    try:
        proc = mimir(zl, "rollups", "build", "pay_lite_zoned", status=1)
        assert proc.stderr.startswith(
            "mimir rollups: rollup pay_lite_zoned: the type of source 'pay_lite''s time column "
            "could not be learnt: "), proc.stderr
        assert "payments_at" in proc.stderr
        assert proc.stderr.endswith(
            "; it cannot be built in the calendar's time zone 'America/New_York'\n")
        server = start_server(session_dir, zl["configs"], zl["secrets"], "mimir-rollups-untyped")
        try:
            server.wait_for_log(
                r"ERROR rollup pay_lite_zoned: build failed \(1 in a row\), the last good build "
                r"stays; retrying in 5 s: planning its query: its periods are computed in the "
                r"calendar's time zone 'America/New_York', which converts the time column of "
                r"source 'pay_lite' only if it is an instant \(not a wall clock\), and the type "
                r"of that column is not known", timeout=60)
            assert server.query("SELECT 1")[1] == [(1,)]
        finally:
            stop_checked(server)
    finally:
        db.execute("ALTER TABLE payments_away RENAME TO payments_at")
        db.commit()
        db.close()
    assert zoned_rows("lite", pg, mariadb, zoned) == before
    mimir(zl, "rollups", "build", "pay_lite_zoned")
    assert zoned_state("lite", pg, mariadb, zoned)[4] == "built"
