"""Rollups stored on another connection than their source's (issue 16, `storage:`;
docs/rollups.md "Storage"): a PostgreSQL source whose rollup lives in a second
PostgreSQL cluster, a MariaDB source read by a user that may only SELECT whose rollup
lives in a second MariaDB server, and a SQLite source whose rollup lives beside another
SQLite file. Each source also has the same rollup stored at home (its own database),
built the usual way, so the copied rollup is compared with it row for row and type for
type, and both with the hand-written aggregate on the source, in the same run.

The server answers ranges that end before the watermark from the copy (with the same
rows and column metadata as with rollups off); ranges that reach the watermark read the
home rollup and the source's newest rows in one statement; with the storage down, the
source answers.
"""

import datetime
import json
import re
import shutil
import sqlite3
import subprocess

import pytest

import test_rollup_routing as rr
import test_rollups as tr
from conftest import MIMIR_BIN, TYPES_DISCOVERED, MimirServer, PgCluster, write_secrets

DB = "storage_src"
READER, READER_PW = "storage_reader", "reader pw"
WRITER, WRITER_PW = "storage_writer", "writer pw"
BACKENDS = tr.BACKENDS
METRICS = "[revenue_{b}, n_{b}, avg_amount_{b}, top_{b}, low_{b}]"


def rollups_yaml(b):
    shape = (f"      grain: ds\n      dimensions: [store_id, country]\n"
             f"      metrics: {METRICS.format(b=b)}\n      refresh_every: 1 hour\n"
             f"      update_window: 3 days\n")
    return (f"  rollups:\n    - name: pay_{b}_away\n{shape}      storage: store_{b}\n"
            f"    - name: pay_{b}_home\n{shape}")


def write_layer(base, storage):
    configs = base / "configs"
    for sub in ("sources", "metrics", "dimensions"):
        (configs / sub).mkdir(parents=True, exist_ok=True)
    (configs / "sources" / "sources.yaml").write_text("".join(
        f"pay_{b}:\n  name: pay_{b}\n  time_col: paid_at\n  connection_name: pay_{b}\n"
        f"  sql: {json.dumps(tr.SOURCE_SQL)}\n" + rollups_yaml(b) for b in BACKENDS))
    docs = [f"name: {name}_{b}\nsource_name: pay_{b}\nsql: {sql}\n" for b in BACKENDS
            for name, sql in (("revenue", "SUM(amount)"), ("n", "COUNT(*)"),
                              ("avg_amount", "AVG(amount)"), ("top", "MAX(amount)"),
                              ("low", "MIN(amount)"))]
    (configs / "metrics" / "metrics.yaml").write_text("---\n".join(docs))
    secrets = write_secrets(base / "secrets", storage["pg_src"].port, schema=DB,
                            connection_name="pay_pg")
    write_secrets(secrets, storage["pg"].port, schema="rollup_home", connection_name="store_pg")
    (secrets / "pay_my.json").write_text(json.dumps(
        storage["my_src"].secret(DB, READER, READER_PW)))
    (secrets / "store_my.json").write_text(json.dumps(
        storage["my"].secret("rollup_home", WRITER, WRITER_PW)))
    (secrets / "pay_lite.json").write_text(json.dumps(
        {"connection_class": "sqlite", "path": str(base / "payments.db")}))
    (secrets / "store_lite.json").write_text(json.dumps(
        {"connection_class": "sqlite", "path": str(base / "store.db")}))
    return configs, secrets


def load_sources(base, pg, mariadb, rows):
    pg.forget(DB)
    pg.query(f"DROP DATABASE IF EXISTS {DB}")
    pg.query(f"CREATE DATABASE {DB}")
    pg.query("CREATE TABLE payments (paid_at TIMESTAMP NOT NULL, store_id INTEGER, "
             "country TEXT, amount NUMERIC(8,2))", dbname=DB)
    for r in rows:
        pg.query("INSERT INTO payments VALUES (%s, %s, %s, %s)", r, dbname=DB)
    mariadb.query(f"DROP DATABASE IF EXISTS {DB}")
    # A case-insensitive collation: the copy must keep it ('be' and 'BE' are one group).
    mariadb.query(f"CREATE DATABASE {DB} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
    mariadb.query("CREATE TABLE payments (paid_at DATETIME NOT NULL, store_id INT, "
                  "country VARCHAR(8), amount DECIMAL(8,2))", database=DB)
    mariadb.executemany("INSERT INTO payments VALUES (%s, %s, %s, %s)", rows, database=DB)
    # The home rollup needs a place to write; the away one only reads the source.
    mariadb.create_user(READER, READER_PW, DB)
    mariadb.query(f"GRANT ALL ON `mimir_rollups`.* TO '{READER}'@'127.0.0.1'")
    rr.load_sqlite_integers(base / "payments.db", rows)


@pytest.fixture(scope="module")
def env(session_dir, pg, mariadb):
    from mariadb_server import MariaDbServer
    base = session_dir / "rollup_storage"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    pg_store = PgCluster(session_dir, name="pg-rollup-store")
    my_store = MariaDbServer(session_dir, name="mariadb-rollup-store")
    try:
        pg_store.init()
        pg_store.start()
        pg_store.query("CREATE DATABASE rollup_home", dbname="postgres")
        my_store.init()
        my_store.start()
        my_store.query("CREATE DATABASE rollup_home")
        my_store.create_user(WRITER, WRITER_PW, "rollup_home")
        my_store.query(f"GRANT ALL ON `mimir_rollups`.* TO '{WRITER}'@'127.0.0.1'")
        rows = tr.payment_rows()
        load_sources(base, pg, mariadb, rows)
        sqlite3.connect(base / "store.db").close()
        storage = {"pg": pg_store, "my": my_store, "pg_src": pg, "my_src": mariadb}
        configs, secrets = write_layer(base, storage)
        yield {"configs": configs, "secrets": secrets, "base": base, "pg": pg,
               "mariadb": mariadb, **{f"store_{k}": v for k, v in storage.items()}}
    finally:
        pg_store.destroy()
        my_store.destroy()


def mimir(env, *args, status=0, configs=None):
    proc = subprocess.run([str(MIMIR_BIN), *map(str, args), "--configs",
                           str(configs or env["configs"]), "--secrets", str(env["secrets"])],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=180)
    assert proc.returncode == status, proc.stdout + proc.stderr
    return proc


# ---- reading both sides ---------------------------------------------------------------

def on_source(env, b, sql):
    if b == "pg":
        return env["pg"].query(sql, dbname=DB)
    if b == "my":
        return env["mariadb"].query(sql, database=DB)
    db = sqlite3.connect(env["base"] / "payments.db")
    try:
        db.execute("ATTACH DATABASE ? AS mimir_rollups",
                   (str(env["base"] / "payments.db") + ".mimir_rollups.db",))
        return db.execute(sql).fetchall()
    finally:
        db.close()


def on_storage(env, b, sql):
    if b == "pg":
        return env["store_pg"].query(sql, dbname="rollup_home")
    if b == "my":
        return env["store_my"].query(sql, database="rollup_home")
    db = sqlite3.connect(env["base"] / "store.db")
    try:
        db.execute("ATTACH DATABASE ? AS mimir_rollups",
                   (str(env["base"] / "store.db") + ".mimir_rollups.db",))
        return db.execute(sql).fetchall()
    finally:
        db.close()


def rollup_sql(b, name):
    return (f"SELECT period, store_id, country, revenue_{b}, n_{b}, avg_amount_{b}__sum, "
            f"avg_amount_{b}__count, top_{b}, low_{b} FROM mimir_rollups.{name}")


def exact(rows):
    """Rows as the database gave them (Python's types kept), in a fixed order."""
    return sorted(rows, key=lambda r: [(v is None, str(v)) for v in r])


COLUMN_TYPES = {
    "pg": ("SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE "
           "attrelid = 'mimir_rollups.{name}'::regclass AND attnum > 0 AND NOT attisdropped "
           "ORDER BY attnum"),
    "my": ("SELECT COLUMN_NAME, COLUMN_TYPE, COLLATION_NAME FROM information_schema.COLUMNS "
           "WHERE TABLE_SCHEMA = 'mimir_rollups' AND TABLE_NAME = '{name}' "
           "ORDER BY ORDINAL_POSITION"),
}


def build_watermark(out, name):
    return tr.build_watermark(out, name)


# ---- the tests ------------------------------------------------------------------------

def test_storage_of_another_kind_is_refused(env, tmp_path):
    configs = tmp_path / "configs"
    shutil.copytree(env["configs"], configs)
    path = configs / "sources" / "sources.yaml"
    path.write_text(path.read_text().replace("storage: store_my", "storage: store_pg", 1))
    line = [i for i, t in enumerate(path.read_text().splitlines(), 1)
            if "storage: store_pg" in t][1]
    proc = mimir(env, "validate", configs=configs, status=1)
    assert proc.stdout.splitlines() == [
        f"{path}:{line}:16: source 'pay_my': rollup 'pay_my_away': storage 'store_pg' is a "
        "PostgreSQL database but the source is on MySQL/MariaDB: a rollup is stored in a "
        "database of its source's kind"], proc.stdout
    # The layer as it was loads.
    mimir(env, "validate")


@pytest.mark.parametrize("b", BACKENDS)
def test_build_copies_the_rollup(env, b):
    away = mimir(env, "rollups", "build", f"pay_{b}_away", "--full").stdout
    home = mimir(env, "rollups", "build", f"pay_{b}_home", "--full").stdout
    wm = build_watermark(away, f"pay_{b}_away")
    assert build_watermark(home, f"pay_{b}_home") == wm
    copied = exact(on_storage(env, b, rollup_sql(b, f"pay_{b}_away")))
    assert copied == exact(on_source(env, b, rollup_sql(b, f"pay_{b}_home")))
    assert tr.ordered(copied) == tr.ordered(on_source(
        env, b, tr.HAND[b].format(dims="store_id, country", wm=wm)))
    if b in COLUMN_TYPES:
        assert on_storage(env, b, COLUMN_TYPES[b].format(name=f"pay_{b}_away")) == \
            on_source(env, b, COLUMN_TYPES[b].format(name=f"pay_{b}_home"))
    if b == "my":  # the source's collation, which groups 'BE' and 'be' together
        assert ("country", "varchar(8)", "utf8mb4_general_ci") in on_storage(
            env, b, COLUMN_TYPES["my"].format(name="pay_my_away"))
    state = on_storage(env, b, "SELECT row_count, status, watermark FROM "
                               "mimir_rollups.mimir_rollups_state WHERE name = "
                               f"'pay_{b}_away'")
    assert [(int(n), s) for n, s, _ in state] == [(len(copied), "built")]
    # `mimir rollups status` reads it from the storage.
    status = mimir(env, "rollups", "status", "--format", "csv").stdout.splitlines()
    assert any(line.startswith(f"pay_{b}_away,yes,{len(copied)},") for line in status), status
    # Nothing of it was written to the source's database.
    assert on_source(env, b, "SELECT COUNT(*) FROM mimir_rollups.mimir_rollups_state "
                             f"WHERE name = 'pay_{b}_away'") == [(0,)]


def test_a_type_of_the_source_database_is_refused(env, tmp_path):
    """A column whose type exists only in the source's database (an enum) cannot be
    created in the storage: the build says which column and what to do, and the next
    build works."""
    env["pg"].query("DROP TYPE IF EXISTS country_code CASCADE", dbname=DB)
    env["pg"].query("CREATE TYPE country_code AS ENUM ('BE', 'NL', 'FR')", dbname=DB)
    configs = tmp_path / "configs"
    shutil.copytree(env["configs"], configs)
    path = configs / "sources" / "sources.yaml"
    path.write_text(path.read_text().replace(
        json.dumps(tr.SOURCE_SQL),
        json.dumps("SELECT paid_at, store_id, CAST(country AS country_code) AS country, "
                   "amount FROM payments"), 1))
    proc = mimir(env, "rollups", "build", "pay_pg_away", "--full", configs=configs, status=1)
    assert re.search(r"mimir rollups: rollup pay_pg_away: building: creating the table: column "
                     r"country has a type defined in the source's database \(oid \d+\); cast "
                     r"it to one of PostgreSQL's own types in the metric or dimension",
                     proc.stderr), proc.stderr
    # the last good build is still there, and the next build works
    assert on_storage(env, "pg", "SELECT COUNT(*) FROM mimir_rollups.pay_pg_away")[0][0] > 0
    mimir(env, "rollups", "build", "pay_pg_away")


LATE = {
    "pg": "INSERT INTO payments VALUES ('{t}', 2, 'NL', 12.34), ('{t}', 9, NULL, NULL)",
    "my": "INSERT INTO payments VALUES ('{t}', 2, 'NL', 12.34), ('{t}', 9, NULL, NULL)",
    "lite": "INSERT INTO payments VALUES ('{t}', 2, 'NL', 12), ('{t}', 9, NULL, NULL)",
}


@pytest.mark.parametrize("b", BACKENDS)
def test_refresh_copies_late_rows(env, b):
    t = (tr.TODAY - datetime.timedelta(days=1, hours=-3)).strftime("%Y-%m-%d %H:%M:%S")
    write_source(env, b, LATE[b].format(t=t))
    out = mimir(env, "rollups", "build", f"pay_{b}_away").stdout
    assert f"rollup pay_{b}_away: refresh of the periods from" in out, out
    wm = build_watermark(out, f"pay_{b}_away")
    copied = on_storage(env, b, rollup_sql(b, f"pay_{b}_away"))
    assert tr.ordered(copied) == tr.ordered(on_source(
        env, b, tr.HAND[b].format(dims="store_id, country", wm=wm)))
    assert any(r[1] == 9 for r in copied)


def start_server(env, session_dir):
    # Both rollups of a source hold the same rows (the late ones too): the one listed
    # first, the copy, is the smallest that answers.
    for b in BACKENDS:
        mimir(env, "rollups", "build", f"pay_{b}_home")
    server = MimirServer(session_dir, configs=env["configs"], secrets=env["secrets"],
                         name="rollup-storage").start()
    server.wait_for_log(TYPES_DISCOVERED)
    rr.wait_for_builds(server, [f"pay_{b}_{k}" for b in BACKENDS for k in ("away", "home")])
    return server


def tile(b, upper):
    m = f"AGG(revenue_{b}), AGG(n_{b}), AGG(avg_amount_{b}), AGG(top_{b}), AGG(low_{b})"
    where = f"WHERE ds >= '{rr.day(35)}'" + (f" AND ds < '{rr.day(2)}'" if upper else "")
    return (f"SELECT ds, country, {m} FROM mimir.metrics {where} GROUP BY ds, country "
            "ORDER BY ds, country")


@pytest.mark.parametrize("b", BACKENDS)
def test_server_reads_the_copy(env, session_dir, b):
    server = start_server(env, session_dir)
    try:
        conn = rr.connect({"server": server})
        try:
            # A range that ends before the watermark: the copy answers.
            rr.same_answer(conn, tile(b, upper=True), f"pay_{b}_away")
            rr.same_answer(conn, f"SELECT store_id, AGG(n_{b}) FROM mimir.metrics WHERE "
                                 f"ds < '{rr.day(1)}' GROUP BY 1 ORDER BY 1", f"pay_{b}_away")
            # One that reaches it, or starts inside a day: the source's rows of those parts
            # are read first, then with the copy's in the storage's statement.
            for sql, part in ((tile(b, upper=False), "from {wm} on"),
                              (f"SELECT country, AGG(n_{b}), AGG(avg_amount_{b}) FROM "
                               f"mimir.metrics WHERE ts > '{rr.day(30)} 07:30:00' AND "
                               f"ts < '{rr.day(2)}' GROUP BY 1 ORDER BY 1",
                               f"before {rr.day(29)} 00:00:00")):
                phased_answer(conn, sql, b, part)
            # Rows written since show at once (two rows today: n grows by 2).
            def today_n():
                rows = phased_answer(conn, tile(b, upper=False), b, "from {wm} on")
                return sum(int(r[3]) for r in rows if str(r[0]) == rr.day(0))
            before = today_n()
            now = datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M:%S")
            write_source(env, b, LATE[b].format(t=now))
            assert today_n() == before + 2
        finally:
            conn.close()
    finally:
        tr.stop_checked(server)


def phased_answer(conn, sql, b, part):
    """sql answered by pay_{b}_away with the source's rows of `part` read first (EXPLAIN:
    the source's query, the phase, the storage's statement), with the same rows and column
    types as with rollups off."""
    rows = rr.run(conn, "EXPLAIN " + sql)
    assert [r[2] for r in rows] == [f"pay_{b}", "the source's rows for a rollup stored "
                                    "elsewhere", f"store_{b}"], rows
    m = re.match(rf"pay_{b}: rollup pay_{b}_away \(refreshed \S+\), the source (.*)$", rows[2][1])
    assert m, rows[2][1]
    wm = re.search(r"from (\S+ \S+) on", m.group(1))
    assert m.group(1) == part.format(wm=wm.group(1) if wm else ""), (m.group(1), part)
    assert "mimir_rollups" in rows[2][4] and "mimir_rollups" not in rows[0][4]
    got, want = rr.described(conn, sql), rr.described(conn, rr.no_rollup(sql))
    assert got == want, sql
    return rr.run(conn, sql)


def write_source(env, b, sql):
    if b == "lite":
        db = sqlite3.connect(env["base"] / "payments.db")
        db.execute(sql)
        db.commit()
        db.close()
    else:
        on_source(env, b, sql)


def test_too_many_source_rows_the_source_answers(env, session_dir):
    """More source rows than a statement takes (limits.max_semijoin_values, here 1): the
    statement is answered from the sources, and the next one still works."""
    for b in BACKENDS:
        mimir(env, "rollups", "build", f"pay_{b}_home")
    cfg = session_dir / "rollup-storage-limits.yaml"
    cfg.write_text("limits:\n  max_semijoin_values: 1\n")
    server = MimirServer(session_dir, configs=env["configs"], secrets=env["secrets"],
                         name="rollup-storage-limits",
                         extra_args=["--server-config", str(cfg)]).start()
    server.wait_for_log(TYPES_DISCOVERED)
    rr.wait_for_builds(server, [f"pay_{b}_{k}" for b in BACKENDS for k in ("away", "home")])
    try:
        conn = rr.connect({"server": server})
        try:
            for b in BACKENDS:
                sql = tile(b, upper=False)
                assert rr.described(conn, sql) == rr.described(conn, rr.no_rollup(sql)), b
                assert f"a rollup could not answer (rollup 'pay_{b}_away': the source's rows " \
                       "of the range outside it are more than 1); reading the sources" in \
                       server.stderr()
                rr.same_answer(conn, tile(b, upper=True), f"pay_{b}_away")
        finally:
            conn.close()
    finally:
        tr.stop_checked(server)


def test_storage_down_the_source_answers(env, session_dir):
    server = start_server(env, session_dir)
    try:
        env["store_pg"].stop()
        env["store_my"].stop()
        conn = rr.connect({"server": server})
        try:
            for b in ("pg", "my"):
                sql = tile(b, upper=True)
                assert rr.rollup_of(conn, sql) == f"pay_{b}_away"
                got = rr.described(conn, sql)
                assert got == rr.described(conn, rr.no_rollup(sql)), b
                # with the source's rows read first: the second phase fails, then the sources
                sql = tile(b, upper=False)
                assert rr.described(conn, sql) == rr.described(conn, rr.no_rollup(sql)), b
                assert rr.run(conn, f"SELECT AGG(n_{b}) FROM mimir.metrics") == \
                    rr.run(conn, rr.no_rollup(f"SELECT AGG(n_{b}) FROM mimir.metrics"))
            log = server.stderr()
            assert len(re.findall(r"a rollup could not answer \(.*\); reading the sources",
                                  log)) >= 4, log[-3000:]
        finally:
            conn.close()
    finally:
        tr.stop_checked(server)
        env["store_pg"].start()
        env["store_my"].start()
