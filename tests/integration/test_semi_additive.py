"""Semi-additive metrics (non_additive_time: last | first, non_additive_per)
and fill_nulls_with, on PostgreSQL, MariaDB and SQLite sources.

The same generated rows of `inventory_snapshots` (snapshot_date, store_id,
product, quantity) are loaded into PostgreSQL (source inv_pg), MariaDB
(inv_my) and SQLite (inv_lite): store 1 reports every day, store 2 every
third day, store 3 on scattered days and stops reporting in mid-January,
store 4 on random days; products come and go; one store_id is NULL some days
and a few rows have no date (they never count).

Every expected number comes from SQL written by hand on PostgreSQL over the
same rows in the same run: window functions (MAX/MIN OVER the period and
store) for most cases, DISTINCT ON for one. A second PostgreSQL source,
deliveries (store_id, delivered_on, units), has no rows for store 4: a query
that combines it shows its fill_nulls_with constant there.
"""

import datetime
import json
import random
import sqlite3
import subprocess
from decimal import Decimal

import pymysql
import pytest

from conftest import MIMIR_BIN, start_layer_server, write_secrets
from support import mysql_error

DB = "inventory"
MY_USER = "inv_reader"
MY_PASSWORD = "inv pw"
SOURCE_SQL = "SELECT snapshot_date, store_id, product, quantity FROM inventory_snapshots"
BACKENDS = ["pg", "my", "lite"]

# metric suffix -> (non_additive_time, non_additive_per, PostgreSQL's window function)
KINDS = {
    "stock_on_hand": ("last", ["store_id"], "MAX"),
    "opening_stock": ("first", ["store_id"], "MIN"),
    "stock_last_day": ("last", [], "MAX"),
}

# grain column -> the period it is on PostgreSQL, as Mimir reports it
PG_PERIODS = {
    "ds": "snapshot_date",
    "year_month": "CAST(date_trunc('month', snapshot_date) AS DATE)",
    "year": "CAST(EXTRACT(YEAR FROM snapshot_date) AS INTEGER)",
    "week": "CAST(date_trunc('week', snapshot_date) AS DATE)",
}


def snapshot_rows():
    """Deterministic rows: (snapshot_date, store_id, product, quantity)."""
    rng = random.Random(20240229)
    rows = []
    day = datetime.date(2023, 11, 1)
    while day <= datetime.date(2024, 3, 31):
        n = (day - datetime.date(2023, 11, 1)).days
        stores = [1]
        if n % 3 == 0:
            stores.append(2)
        if day <= datetime.date(2024, 1, 15) and rng.random() < 0.3:
            stores.append(3)
        if rng.random() < 0.2:
            stores.append(4)
        if rng.random() < 0.05:
            stores.append(None)
        for store in stores:
            for product in ("apple", "bread", "cheese"):
                if rng.random() < 0.25:
                    continue  # this product is not counted that day
                rows.append((day, store, product, rng.randint(0, 120)))
        day += datetime.timedelta(days=1)
    rows.append((None, 1, "apple", 1000))  # no date: never counts
    rows.append((None, None, "bread", 2000))
    return rows


def delivery_rows():
    rng = random.Random(7)
    rows = []
    for n in range(0, 150, 2):
        day = datetime.date(2023, 11, 1) + datetime.timedelta(days=n)
        for store in (1, 2, 3):  # never store 4
            if rng.random() < 0.5:
                units = rng.randint(1, 50)
                rows.append((day, store, units, Decimal(units) * Decimal("1.25")))
    return rows


def load_postgres(pg, rows, deliveries):
    pg.query(f"DROP DATABASE IF EXISTS {DB}")
    pg.query(f"CREATE DATABASE {DB}")
    pg.query("CREATE TABLE inventory_snapshots (snapshot_date DATE, store_id INTEGER, "
             "product TEXT NOT NULL, quantity INTEGER NOT NULL)", dbname=DB)
    for r in rows:
        pg.query("INSERT INTO inventory_snapshots VALUES (%s, %s, %s, %s)", r, dbname=DB)
    # The same rows at 22:30 UTC each day, as instants: in a session at +05:00 they fall
    # on the next day (2024-01-31 is in February there).
    pg.query("CREATE TABLE inventory_at AS SELECT (snapshot_date + TIME '22:30') AT TIME ZONE "
             "'UTC' AS snapshot_at, store_id, product, quantity FROM inventory_snapshots",
             dbname=DB)
    pg.query("CREATE TABLE deliveries (delivered_on DATE NOT NULL, store_id INTEGER NOT NULL, "
             "units INTEGER NOT NULL, cost NUMERIC(8,2) NOT NULL)", dbname=DB)
    for r in deliveries:
        pg.query("INSERT INTO deliveries VALUES (%s, %s, %s, %s)", r, dbname=DB)


def load_mariadb(server, rows):
    server.query(f"DROP DATABASE IF EXISTS {DB}")
    server.query(f"CREATE DATABASE {DB} CHARACTER SET utf8mb4")
    server.query("CREATE TABLE inventory_snapshots (snapshot_date DATE, store_id INT, "
                 "product VARCHAR(20) NOT NULL, quantity INT NOT NULL)", database=DB)
    server.executemany("INSERT INTO inventory_snapshots VALUES (%s, %s, %s, %s)", rows,
                       database=DB)
    server.create_user(MY_USER, MY_PASSWORD, DB)


def load_sqlite(path, rows):
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE inventory_snapshots (snapshot_date DATE, store_id INTEGER, "
               "product TEXT NOT NULL, quantity INTEGER NOT NULL)")
    # SQLite keeps times as text: half the rows say '2024-01-31', half '2024-01-31
    # 00:00:00', the same time, which Mimir compares as one.
    db.executemany("INSERT INTO inventory_snapshots VALUES (?, ?, ?, ?)",
                   [(None if d is None else d.isoformat() + ("" if i % 2 else " 00:00:00"),
                     s, p, q) for i, (d, s, p, q) in enumerate(rows)])
    db.commit()
    db.close()


def metric_doc(name, source, sql, extra=""):
    return f"name: {name}\nsource_name: {source}\nsql: {sql}\n{extra}"


def write_layer(base, pg_port, mariadb, extra_metrics=()):
    configs = base / "configs"
    for sub in ("sources", "metrics", "dimensions"):
        (configs / sub).mkdir(parents=True, exist_ok=True)
    sources = {f"inv_{b}": f"inv_{b}" for b in BACKENDS}
    text = "".join(
        f"{name}:\n  name: {name}\n  time_col: snapshot_date\n  connection_name: {conn}\n"
        f"  sql: {json.dumps(SOURCE_SQL)}\n" for name, conn in sources.items())
    text += ("inv_tz:\n  name: inv_tz\n  time_col: snapshot_at\n  connection_name: inv_pg\n"
             "  sql: SELECT snapshot_at, store_id, product, quantity FROM inventory_at\n")
    text += ("deliveries:\n  name: deliveries\n  time_col: delivered_on\n"
             "  connection_name: inv_pg\n"
             "  sql: SELECT delivered_on, store_id, units, cost FROM deliveries\n")
    (configs / "sources" / "sources.yaml").write_text(text)
    docs = []
    for b in BACKENDS:
        for kind, (edge, per, _) in KINDS.items():
            extra = f"non_additive_time: {edge}\n"
            if per:
                extra += f"non_additive_per: [{', '.join(per)}]\n"
            docs.append(metric_doc(f"{kind}_{b}", f"inv_{b}", "SUM(quantity)", extra))
        docs.append(metric_doc(f"quantity_{b}", f"inv_{b}", "SUM(quantity)"))
    docs.append(metric_doc("stock_on_hand_tz", "inv_tz", "SUM(quantity)",
                           "non_additive_time: last\nnon_additive_per: [store_id]\n"))
    docs.append(metric_doc("units_delivered", "deliveries", "SUM(units)", "fill_nulls_with: 0\n"))
    docs.append(metric_doc("delivery_cost", "deliveries", "SUM(cost)", "fill_nulls_with: 0\n"))
    docs.append(metric_doc("units_delivered_raw", "deliveries", "SUM(units)"))
    docs.append(metric_doc("units_or_none", "deliveries", "SUM(units)",
                           "fill_nulls_with: none yet\n"))
    docs.append("name: stock_per_delivery\ntype: derived\n"
                "sql: stock_on_hand_pg / NULLIF(units_delivered, 0)\n")
    docs.append("name: stock_plus_delivered\ntype: derived\n"
                "sql: stock_on_hand_pg + units_delivered\n")
    docs.append("name: stock_last_year\ntype: offset\nmetric: stock_on_hand_pg\n"
                "offset: 1 year\n")
    docs += list(extra_metrics)
    (configs / "metrics" / "metrics.yaml").write_text("---\n".join(docs))
    secrets = write_secrets(base / "secrets", pg_port, schema=DB, connection_name="inv_pg")
    (secrets / "inv_my.json").write_text(json.dumps(mariadb.secret(DB, MY_USER, MY_PASSWORD)))
    load_sqlite(base / "inventory.db", snapshot_rows())
    (secrets / "inv_lite.json").write_text(json.dumps(
        {"connection_class": "sqlite", "path": str(base / "inventory.db")}))
    return configs, secrets


@pytest.fixture(scope="module")
def layer(session_dir, pg, mariadb):
    rows = snapshot_rows()
    load_postgres(pg, rows, delivery_rows())
    load_mariadb(mariadb, rows)
    return write_layer(session_dir / "semi-additive", pg.port, mariadb)


@pytest.fixture(scope="module")
def server(request, session_dir, layer):
    configs, secrets = layer
    return start_layer_server(request, session_dir, "mimir-semi-additive", configs, secrets)


def run(server, sql):
    conn = server.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.description, [tuple(r) for r in cur.fetchall()]
    finally:
        conn.close()


def number(v):
    return None if v is None else Decimal(v)


def normalise(rows):
    """Keys as PyMySQL gives them, values as exact numbers, sorted."""
    out = [tuple(r[:-1]) + (number(r[-1]),) for r in rows]
    return sorted(out, key=lambda r: tuple((x is None, str(x)) for x in r))


def pg_expected(pg, kind, grains, dims, where=None):
    """The semi-additive metric by hand on PostgreSQL: each row's edge time over its
    period (the grains' values) and its non_additive_per values, by a window function."""
    edge, per, fn = KINDS[kind]
    periods = [PG_PERIODS[g] for g in grains]
    partition = periods + per
    over = f"PARTITION BY {', '.join(partition)}" if partition else ""
    cond = f"WHERE {where}" if where else ""
    keys = [f"{p} AS k{i}" for i, p in enumerate(periods)] + list(dims)
    key_names = [f"k{i}" for i in range(len(periods))] + list(dims)
    select = ", ".join(key_names + ["SUM(quantity)"])
    group = f"GROUP BY {', '.join(key_names)}" if key_names else ""
    sql = (f"WITH r AS (SELECT {', '.join(keys + ['quantity', 'snapshot_date'])}, "
           f"{fn}(snapshot_date) OVER ({over}) AS edge FROM inventory_snapshots {cond}) "
           f"SELECT {select} FROM r WHERE snapshot_date = edge {group}")
    return pg.query(sql, dbname=DB)


def mimir_sql(metric, grains, dims, where=None):
    cols = list(dims) + list(grains)
    select = ", ".join(cols + [f"AGG({metric})"])
    sql = f"SELECT {select} FROM mimir.metrics"
    if where:
        sql += f" WHERE {where}"
    if cols:
        sql += f" GROUP BY {', '.join(cols)}"
    return sql


# grains, dims, Mimir's WHERE, PostgreSQL's WHERE
CASES = {
    "by_ds": (["ds"], [], None, None),
    "by_month": (["year_month"], [], None, None),
    "by_year": (["year"], [], None, None),
    "by_week": (["week"], [], None, None),
    "by_store_month": (["year_month"], ["store_id"], None, None),
    "by_product_month": (["year_month"], ["product"], None, None),
    "range_no_grain_by_product": (
        [], ["product"], "ds BETWEEN '2024-01-10' AND '2024-02-20'",
        "snapshot_date BETWEEN '2024-01-10' AND '2024-02-20'"),
    "range_no_grain": ([], [], "ds >= '2023-12-05' AND ds < '2024-01-01'",
                       "snapshot_date >= '2023-12-05' AND snapshot_date < '2024-01-01'"),
    "neither": ([], [], None, None),
    "neither_by_store": ([], ["store_id"], None, None),
    "filtered_product": (["year_month"], [], "product = 'bread'", "product = 'bread'"),
}


def pg_ordered_keys(grains, dims):
    """Mimir's columns are dims then grains; the PostgreSQL query's are grains then dims."""
    return lambda r: tuple(r[len(grains):len(grains) + len(dims)]) + tuple(r[:len(grains)]) + (
        r[-1],)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("grains, dims, where, pg_where", CASES.values(), ids=CASES.keys())
def test_semi_additive_matches_postgres(server, pg, backend, kind, grains, dims, where,
                                        pg_where):
    want = [pg_ordered_keys(grains, dims)(r) for r in pg_expected(pg, kind, grains, dims,
                                                                   pg_where)]
    _, got = run(server, mimir_sql(f"{kind}_{backend}", grains, dims, where))
    assert want, "the case selects some rows"
    assert normalise(got) == normalise(want)


@pytest.mark.parametrize("backend", BACKENDS)
def test_period_of_a_grouping_expression(server, pg, backend):
    """A BI tool's own month truncation (DATE_FORMAT of the day) makes the periods: the
    same numbers as year_month."""
    want = [(r[0].strftime("%Y-%m"), r[1]) for r in
            pg_expected(pg, "stock_on_hand", ["year_month"], [])]
    _, got = run(server, f"SELECT DATE_FORMAT(ds, '%Y-%m') AS m, AGG(stock_on_hand_{backend}) "
                         f"FROM mimir.metrics GROUP BY DATE_FORMAT(ds, '%Y-%m')")
    assert normalise(got) == normalise(want)


def test_per_store_last_day_differs_from_the_period_last_day(pg):
    """The data set makes per-store and whole-period edges differ (else the test proves
    little): some store's last day in a month is not the month's last day."""
    rows = pg.query("SELECT COUNT(*) FROM (SELECT date_trunc('month', snapshot_date) m, "
                    "store_id, MAX(snapshot_date) d FROM inventory_snapshots GROUP BY 1, 2) s "
                    "JOIN (SELECT date_trunc('month', snapshot_date) m, MAX(snapshot_date) d "
                    "FROM inventory_snapshots GROUP BY 1) a USING (m) WHERE s.d < a.d", dbname=DB)
    assert rows[0][0] > 0


def test_distinct_on_oracle_by_store(server, pg):
    """stock_on_hand by store and month: each store's rows of its own last day, by
    DISTINCT ON (a second way of writing the expected numbers)."""
    want = pg.query(
        "SELECT i.store_id, e.m, SUM(i.quantity) FROM inventory_snapshots i JOIN ("
        "SELECT DISTINCT ON (store_id, date_trunc('month', snapshot_date)) store_id, "
        "CAST(date_trunc('month', snapshot_date) AS DATE) AS m, snapshot_date AS d "
        "FROM inventory_snapshots WHERE snapshot_date IS NOT NULL "
        "ORDER BY store_id, date_trunc('month', snapshot_date), snapshot_date DESC) e "
        "ON i.store_id IS NOT DISTINCT FROM e.store_id AND i.snapshot_date = e.d "
        "GROUP BY 1, 2", dbname=DB)
    for backend in BACKENDS:
        _, got = run(server, mimir_sql(f"stock_on_hand_{backend}", ["year_month"], ["store_id"]))
        assert normalise(got) == normalise(want), backend


def test_store_that_stops_reporting_keeps_its_last_month(server, pg):
    """Store 3 stops in mid-January: it counts in January with its own last day's rows,
    and not at all in February."""
    _, got = run(server, "SELECT year_month, AGG(stock_on_hand_pg) FROM mimir.metrics "
                         "WHERE store_id = 3 GROUP BY year_month")
    months = {r[0] for r in got}
    assert datetime.date(2024, 1, 1) in months
    assert datetime.date(2024, 2, 1) not in months


def test_combined_with_other_source(server, pg):
    """A semi-additive metric of each backend and an additive one of another source,
    joined by store and month like two sources. (The combine's FULL OUTER JOIN matches
    no NULL key to another, as SQL's does: the NULL store is left out here.)"""
    sql = ("SELECT store_id, year_month, AGG(stock_on_hand_pg), AGG(stock_on_hand_my), "
           "AGG(stock_on_hand_lite), AGG(units_delivered_raw) FROM mimir.metrics "
           "WHERE store_id IS NOT NULL GROUP BY store_id, year_month")
    _, got = run(server, sql)
    stock = {(r[0], r[1]): r[2] for r in pg_expected(pg, "stock_on_hand", ["year_month"],
                                                     ["store_id"])}
    units = {(r[0], r[1]): r[2] for r in pg.query(
        "SELECT store_id, CAST(date_trunc('month', delivered_on) AS DATE), SUM(units) "
        "FROM deliveries GROUP BY 1, 2", dbname=DB)}
    # pg_expected gives (month, store): turn to (store, month)
    stock = {(k[1], k[0]): v for k, v in stock.items() if k[1] is not None}
    keys = set(stock) | set(units)
    want = [(s, m, stock.get((s, m)), stock.get((s, m)), stock.get((s, m)), units.get((s, m)))
            for s, m in keys]
    norm = lambda rows: sorted(  # noqa: E731
        (tuple(r[:2]) + tuple(number(v) for v in r[2:]) for r in rows),
        key=lambda r: tuple((x is None, str(x)) for x in r))
    assert norm(got) == norm(want)


def test_fill_nulls_with_constant_where_a_source_lacks_the_group(server, pg):
    """Store 4 has snapshots but no deliveries: units_delivered shows 0 there, the
    unfilled twin NULL; the column's type is the metric's, filled or not."""
    sql = ("SELECT store_id, AGG(stock_on_hand_pg), AGG(units_delivered), "
           "AGG(units_delivered_raw) FROM mimir.metrics GROUP BY store_id")
    desc, got = run(server, sql)
    by_store = {r[0]: r for r in got}
    assert by_store[4][2] == 0 and by_store[4][3] is None
    units = dict(pg.query("SELECT store_id, SUM(units) FROM deliveries GROUP BY 1", dbname=DB))
    for store in (1, 2, 3):
        assert number(by_store[store][2]) == number(units[store])
        assert number(by_store[store][3]) == number(units[store])
    assert desc[2][1] == desc[3][1]  # same wire type
    assert desc[2][1] in (pymysql.constants.FIELD_TYPE.NEWDECIMAL,
                          pymysql.constants.FIELD_TYPE.LONGLONG)


def test_fill_of_a_decimal_has_its_scale(server, pg):
    """SUM(cost) of a NUMERIC(8,2) filled with 0 at store 4 is 0.00, as the column's
    other values and its type say."""
    desc, got = run(server, "SELECT store_id, AGG(delivery_cost), AGG(quantity_pg) "
                            "FROM mimir.metrics GROUP BY store_id")
    by_store = {r[0]: r[1] for r in got}
    cost = dict(pg.query("SELECT store_id, SUM(cost) FROM deliveries GROUP BY 1", dbname=DB))
    for store in (1, 2, 3):
        assert str(by_store[store]) == str(cost[store])
    assert str(by_store[4]) == "0.00"
    assert desc[1][1] == pymysql.constants.FIELD_TYPE.NEWDECIMAL


def test_fill_nulls_with_when_one_source_streams(server, pg):
    """One source, no row for the filter: the filled metric is 0 (not NULL)."""
    _, got = run(server, "SELECT AGG(units_delivered), AGG(units_delivered_raw) "
                         "FROM mimir.metrics WHERE store_id = 4")
    assert got == [(0, None)]


def test_fill_nulls_with_string(layer):
    """A string constant, shown as written (through `mimir query`, which runs the
    server's planner and executors: a string in a DECIMAL column is the definer's
    choice, which drivers that parse DECIMAL refuse)."""
    configs, secrets = layer
    out = subprocess.run([str(MIMIR_BIN), "query", "--configs", str(configs), "--secrets",
                          str(secrets), "-m", "units_or_none,quantity_pg", "-d", "store_id",
                          "--format", "csv"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    rows = {line.split(",")[0]: line.split(",")[1] for line in out.stdout.splitlines()[1:]}
    assert rows["4"] == "none yet"
    assert rows["3"] not in ("", "NULL", "none yet")


def test_derived_metric_sees_the_filled_value(server, pg):
    """stock_plus_delivered = stock_on_hand_pg + units_delivered: at store 4 it is the
    stock (units filled with 0), not NULL."""
    _, got = run(server, "SELECT store_id, AGG(stock_on_hand_pg), AGG(stock_plus_delivered) "
                         "FROM mimir.metrics GROUP BY store_id")
    by_store = {r[0]: r for r in got}
    assert by_store[4][1] is not None
    assert float(by_store[4][2]) == float(by_store[4][1])


def test_offset_of_a_balance_reads_the_edges_a_year_earlier(server, pg):
    """stock_last_year at month P is stock_on_hand over the month a year before P: the
    rows at each store's last snapshot of that month (PostgreSQL's window function)."""
    months = pg_expected(pg, "stock_on_hand", ["year_month"], [])
    want = normalise([(datetime.date(k.year + 1, k.month, 1), v) for k, v in months])
    _, got = run(server, mimir_sql("stock_last_year", ["year_month"], []))
    assert normalise(got) == want


def test_cumulative_of_a_balance_is_refused(layer):
    configs, secrets = layer
    extra = configs.parent / "configs-cumulative"
    if not extra.exists():
        import shutil
        shutil.copytree(configs, extra)
        with open(extra / "metrics" / "metrics.yaml", "a") as f:
            f.write("---\nname: stock_mtd\ntype: cumulative\nmetric: stock_on_hand_pg\n"
                    "grain_to_date: month\n")
    proc = subprocess.run([str(MIMIR_BIN), "query", "-m", "stock_mtd", "-g", "DAY",
                           "--configs", str(extra), "--secrets", str(secrets)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert ("ERROR 1235 (42000): This version of Mimir doesn't yet support cumulative metric "
            "'stock_mtd' over semi-additive metric 'stock_on_hand_pg'") in proc.stderr


@pytest.mark.parametrize("grain", ["ds", "year_month"])
def test_periods_in_the_session_time_zone(server, pg, grain):
    """Periods are the session's wall-clock periods; the edge is the last instant in each."""
    period = {"ds": "CAST(local AS DATE)",
              "year_month": "CAST(date_trunc('month', local) AS DATE)"}[grain]
    want = pg.query(
        f"WITH l AS (SELECT *, snapshot_at AT TIME ZONE INTERVAL '+05:00' AS local "
        f"FROM inventory_at), r AS (SELECT {period} AS p, quantity, snapshot_at, "
        f"MAX(snapshot_at) OVER (PARTITION BY {period}, store_id) AS edge FROM l) "
        f"SELECT p, SUM(quantity) FROM r WHERE snapshot_at = edge GROUP BY p", dbname=DB)
    conn = server.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SET time_zone = '+05:00'")
            cur.execute(f"SELECT {grain}, AGG(stock_on_hand_tz) FROM mimir.metrics "
                        f"GROUP BY {grain}")
            got = [tuple(r) for r in cur.fetchall()]
    finally:
        conn.close()
    assert normalise(got) == normalise(want)
    if grain == "year_month":  # the zone moved a month end: not the UTC answer
        _, utc = run(server, "SELECT year_month, AGG(stock_on_hand_tz) FROM mimir.metrics "
                             "GROUP BY year_month")
        assert normalise(utc) != normalise(got)


def test_beside_a_dimension_aggregate_is_refused(server):
    """MAX(ds) beside a semi-additive metric would compute it over days, not months: 1235,
    and the connection goes on."""
    conn = server.connect()
    try:
        with conn.cursor() as cur:
            with pytest.raises(pymysql.MySQLError) as e:
                cur.execute("SELECT year_month, MAX(ds), AGG(stock_on_hand_pg) "
                            "FROM mimir.metrics GROUP BY year_month")
            code, message = mysql_error(e)
            assert code == 1235
            assert message.startswith("This version of Mimir doesn't yet support the "
                                      "semi-additive metric 'stock_on_hand_pg' beside "
                                      "COUNT(DISTINCT ...), MIN or MAX of a dimension")
            cur.execute("SELECT year_month, AGG(stock_on_hand_pg) FROM mimir.metrics "
                        "GROUP BY year_month")
            assert cur.fetchall()
    finally:
        conn.close()


def test_describe_shows_the_keys(layer):
    configs, secrets = layer
    out = subprocess.run([str(MIMIR_BIN), "describe", "stock_on_hand_pg", "--configs",
                          str(configs)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "non_additive_time" in out.stdout and "last" in out.stdout
    assert "store_id" in out.stdout


# Each invalid definition: `mimir validate` and the server refuse it with file:line.
LOAD_ERRORS = {
    "fortnight": ("name: bad\ntype: offset\nmetric: quantity_pg\noffset: 1 fortnight\n",
                  "4:9: metric 'bad': offset '1 fortnight' is not a span of time"),
    "moon": ("name: bad\ntype: cumulative\nmetric: quantity_pg\ngrain_to_date: moon\n",
             "4:16: metric 'bad': grain_to_date 'moon' is not one of week, month, quarter, "
             "year, fiscal_quarter, fiscal_year"),
    "latest": ("name: bad\nsource_name: inv_pg\nsql: SUM(quantity)\n"
               "non_additive_time: latest\n",
               "4:20: metric 'bad': non_additive_time 'latest' is not last or first"),
    "per_unknown": ("name: bad\nsource_name: inv_pg\nsql: SUM(quantity)\n"
                    "non_additive_time: last\nnon_additive_per: [warehouse]\n",
                    "5:20: metric 'bad': non_additive_per names 'warehouse', which is not a "
                    "dimension available on source 'inv_pg'"),
    "fill_mapping": ("name: bad\nsource_name: inv_pg\nsql: SUM(quantity)\n"
                     "fill_nulls_with: {a: 1}\n",
                     "4:18: metric 'bad': 'fill_nulls_with' must be a constant"),
    "fiscal": ("name: bad\ntype: cumulative\nmetric: quantity_pg\ngrain_to_date: fiscal_year\n",
               "4:16: metric 'bad': grain_to_date: fiscal_year needs fiscal_year_start_month "
               "in calendar.yaml"),
}


@pytest.mark.parametrize("doc, message", LOAD_ERRORS.values(), ids=LOAD_ERRORS.keys())
def test_load_errors(workdir, pg, mariadb, mimir_factory, doc, message):
    configs, secrets = write_layer(workdir, pg.port, mariadb)
    bad = configs / "metrics" / "zz_bad.yaml"
    bad.write_text(doc)
    out = subprocess.run([str(MIMIR_BIN), "validate", "--configs", str(configs), "--no-secrets"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    assert f"{bad}:{message}" in out.stdout + out.stderr
    rc, stderr = mimir_factory(configs=configs, secrets=secrets).run_until_exit()
    assert rc != 0
    assert f"{bad}:{message}" in stderr
