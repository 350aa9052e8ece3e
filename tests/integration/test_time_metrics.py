"""Time metrics (issue 14): offsets, cumulative windows and join_to_calendar.

The data set is generated here: events at fixed instants from 2023 to mid 2025
(so that year offsets have data), with whole days missing (2023-09-05,
2024-02-12, 2024-02-13, 2024-05-15, 2025-01-20) and a whole month missing
(July 2024), missing in UTC, New York and Amsterdam alike; rows close to the
month ends that offsets clamp to (Jan 31, Feb 29 2024, Mar 31, May 31), dense
rows over the daylight-saving days of America/New_York (2024-03-10,
2024-11-03) and Europe/Amsterdam (2024-03-31, 2024-10-27); amounts
numeric(8,2) and a `store` with three values. The same rows are loaded into
PostgreSQL (timestamptz, source ev_pg), MariaDB (TIMESTAMP, ev_maria) and a
SQLite file (UTC text, ev_lite); a second PostgreSQL source (visits_pg) counts
visits, for the queries that combine sources.

Every expected number is computed in the same run by SQL written by hand on
PostgreSQL over tm_events, read on the session's wall clock with
`ts AT TIME ZONE zone`: generate_series calendars, date_trunc periods,
`- interval '1 month'` (PostgreSQL clamps month ends as MySQL's DATE_SUB
does) and range joins for the windows. The semantics are issue 14's:

  offset      grouped by a grain, the value for period P is the base metric over
              the whole period P' that contains start(P) - offset; P is returned
              when P' has data (and P overlaps the query's range); the query's
              range is shifted back by the offset for the offset's own rows, each
              end keeping its inclusiveness. No grain: the base over the shifted
              range. Neither: error 1235.
  cumulative  the value for P is the base over the window ending at P's end
              ([end - 7 days, end), [start of the month of P's last day, end),
              everything before end); the range selects the periods, not the rows;
              periods with an empty window are not returned. No grain: the window
              that ends at the range's end.
  calendar    join_to_calendar: every period of a bounded range, with every
              combination of the other grouped dimensions in the result.
"""

import csv
import datetime
import io
import json
import math
import sqlite3
from decimal import Decimal

import pymysql
import pytest
from pymysql.constants import FIELD_TYPE

from conftest import start_layer_server, write_secrets
from support import assert_answers_select_1, mysql_error
from test_cli import cli

UTC = datetime.timezone.utc
NY = "America/New_York"
AMS = "Europe/Amsterdam"
MARIA_DB = "tm_data"
MARIA_USER = "tm_reader"
MARIA_PASSWORD = "tm-secret"
STORES = ["north", "south", "west"]
BACKENDS = ["pg", "maria", "lite"]

# Whole local days without rows in UTC, New York and Amsterdam, and a whole month.
GAP_DAYS = ["2023-09-05", "2024-02-12", "2024-02-13", "2024-05-15", "2025-01-20"]
GAP_MONTH = ("2024-06-30 21:00", "2024-08-01 05:00")  # July 2024 in all three zones
DST_DAYS = ["2024-03-10", "2024-03-31", "2024-10-27", "2024-11-03"]
MONTH_EDGES = ["2023-02-28 10:00", "2024-01-31 23:50", "2024-02-01 00:10", "2024-02-29 00:10",
               "2024-02-29 23:55", "2024-03-29 12:00", "2024-03-31 23:59", "2024-04-30 22:30",
               "2024-05-31 12:00", "2024-05-31 23:30", "2024-06-01 00:05", "2023-12-31 23:59",
               "2024-12-31 23:59", "2025-01-01 00:01"]


def utc(text):
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


def in_gap(t):
    for day in GAP_DAYS:
        start = utc(day) - datetime.timedelta(hours=2)
        if start <= t < start + datetime.timedelta(hours=31):
            return True
    return utc(GAP_MONTH[0]) <= t < utc(GAP_MONTH[1])


def event_times():
    """Every 433 minutes from 2023-01-01 to 2025-07-01, every 20 minutes over the
    three days around each daylight-saving change, the month edges; minus the gaps."""
    times = set()
    t = utc("2023-01-01 03:00")
    while t < utc("2025-07-01 00:00"):
        times.add(t)
        t += datetime.timedelta(minutes=433)
    for day in DST_DAYS:
        t = utc(day) - datetime.timedelta(days=1)
        while t < utc(day) + datetime.timedelta(days=2):
            times.add(t)
            t += datetime.timedelta(minutes=20)
    times.update(utc(e) for e in MONTH_EDGES)
    return sorted(t for t in times if not in_gap(t))


def event_rows():
    return [(i + 1, STORES[i % 3], Decimal((i * 7919) % 50000) / 100 + Decimal("1.05"), t)
            for i, t in enumerate(event_times())]


def visit_rows():
    rows = []
    t, i = utc("2023-01-01 01:30"), 0
    while t < utc("2025-07-01 00:00"):
        rows.append((i + 1, STORES[(i * 2) % 3], t))
        t += datetime.timedelta(minutes=611)
        i += 1
    return rows


# ---------------------------------------------------------------------------
# the databases and the layer
# ---------------------------------------------------------------------------


def load_postgres(pg, events, visits):
    pg.query("DROP TABLE IF EXISTS tm_events, tm_visits")
    pg.query("CREATE TABLE tm_events (id int PRIMARY KEY, store text NOT NULL, "
             "amount numeric(8,2) NOT NULL, ts timestamptz NOT NULL)")
    pg.query("CREATE TABLE tm_visits (id int PRIMARY KEY, store text NOT NULL, "
             "ts timestamptz NOT NULL)")
    pg.query("INSERT INTO tm_events VALUES " + ",".join(
        f"({i}, '{s}', {a}, '{t.isoformat()}')" for i, s, a, t in events))
    pg.query("INSERT INTO tm_visits VALUES " + ",".join(
        f"({i}, '{s}', '{t.isoformat()}')" for i, s, t in visits))
    pg.query("ANALYZE tm_events")
    pg.query("ANALYZE tm_visits")


def load_mariadb(server, events):
    for zone in ("UTC", NY, AMS):
        server.load_time_zones(zone)
    server.query(f"DROP DATABASE IF EXISTS {MARIA_DB}")
    server.query(f"CREATE DATABASE {MARIA_DB}")
    server.query("CREATE TABLE events (id INT PRIMARY KEY, store VARCHAR(8) NOT NULL, "
                 "amount DECIMAL(8,2) NOT NULL, ts TIMESTAMP NOT NULL)", database=MARIA_DB)
    server.executemany("INSERT INTO events VALUES (%s, %s, %s, %s)",
                       [(i, s, a, t.replace(tzinfo=None)) for i, s, a, t in events],
                       database=MARIA_DB)
    server.create_user(MARIA_USER, MARIA_PASSWORD, MARIA_DB)


def load_sqlite(path, events):
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, store TEXT NOT NULL, "
               "amount DECIMAL(8,2) NOT NULL, ts DATETIME NOT NULL)")
    db.executemany("INSERT INTO events VALUES (?, ?, ?, ?)",
                   [(i, s, str(a), t.strftime("%Y-%m-%d %H:%M:%S")) for i, s, a, t in events])
    db.commit()
    db.close()


# Time metrics over each backend's amount (SUM), count (COUNT) and max (MAX).
OFFSETS = {"ly": "1 year", "lm": "1 month", "lq": "1 quarter", "lw": "7 day", "ld": "1 day"}
CUMULATIVES = {"t7d": "window: 7 days", "t1m": "window: 1 month", "mtd": "grain_to_date: month",
               "ytd": "grain_to_date: year", "run": None}


def metrics_yaml(b, source):
    docs = [f"name: {b}_amount\nsource_name: {source}\nsql: SUM(amount)\n",
            f"name: {b}_count\nsource_name: {source}\nsql: COUNT(id)\n",
            f"name: {b}_max\nsource_name: {source}\nsql: MAX(amount)\n",
            f"name: {b}_amount_cal\nsource_name: {source}\nsql: SUM(amount)\n"
            "join_to_calendar: true\n",
            f"name: {b}_yoy\ntype: derived\n"
            f"sql: ({b}_amount - {b}_amount_ly) / NULLIF({b}_amount_ly, 0)\n",
            f"name: {b}_ticket\ntype: derived\nsql: {b}_amount / NULLIF({b}_count, 0)\n",
            f"name: {b}_ticket_ly\ntype: offset\nmetric: {b}_ticket\noffset: 1 year\n",
            f"name: {b}_count_ly\ntype: offset\nmetric: {b}_count\noffset: 1 year\n",
            f"name: {b}_count_run\ntype: cumulative\nmetric: {b}_count\n",
            f"name: {b}_max_t7d\ntype: cumulative\nmetric: {b}_max\nwindow: 7 days\n"]
    for kind, offset in OFFSETS.items():
        docs.append(f"name: {b}_amount_{kind}\ntype: offset\nmetric: {b}_amount\n"
                    f"offset: {offset}\n")
    for kind, spec in CUMULATIVES.items():
        docs.append(f"name: {b}_amount_{kind}\ntype: cumulative\nmetric: {b}_amount\n"
                    + (f"{spec}\n" if spec else ""))
    return docs


def write_layer(base, pg_port, server):
    configs = base / "configs"
    for sub in ("sources", "metrics", "dimensions"):
        (configs / sub).mkdir(parents=True, exist_ok=True)
    sources = {
        "ev_pg": ("pagila_postgres", "tm_events", "amount"),
        "ev_maria": ("tm_maria", "events", "amount"),
        "ev_lite": ("tm_lite", "events", "amount"),
        "visits_pg": ("pagila_postgres", "tm_visits", None),
    }
    text = ""
    for name, (conn, table, amount) in sources.items():
        cols = f"{table}.id, {table}.store, " + (f"{table}.amount, " if amount else "")
        sql = f"SELECT {cols}{table}.ts FROM {table}"
        text += (f"{name}:\n  name: {name}\n  connection_name: {conn}\n"
                 f"  time_col: {table}.ts\n  time_col_alias: ts\n  sql: {json.dumps(sql)}\n")
    (configs / "sources" / "sources.yaml").write_text(text)
    docs = []
    for b in BACKENDS:
        docs += metrics_yaml(b, f"ev_{b}")
    docs.append("name: visits\nsource_name: visits_pg\nsql: COUNT(id)\n")
    # not additive: computed by the source over each period's window
    for b in BACKENDS:
        docs.append(f"name: {b}_stores\nsource_name: ev_{b}\nsql: COUNT(DISTINCT store)\n")
        docs.append(f"name: {b}_stores_mtd\ntype: cumulative\nmetric: {b}_stores\n"
                    "grain_to_date: month\n")
        docs.append(f"name: {b}_stores_t3d\ntype: cumulative\nmetric: {b}_stores\n"
                    "window: 3 days\n")
    docs.append("name: pg_stores_ly\ntype: offset\nmetric: pg_stores\noffset: 1 year\n")
    docs.append("name: pg_avg\nsource_name: ev_pg\nsql: AVG(amount)\n")
    docs.append("name: pg_avg_lm\ntype: offset\nmetric: pg_avg\noffset: 1 month\n")
    docs.append("name: pg_avg_t7d\ntype: cumulative\nmetric: pg_avg\nwindow: 7 days\n")
    docs.append("name: pg_share_of_mtd\ntype: derived\nsql: pg_amount / NULLIF(pg_amount_mtd, 0)\n")
    docs.append("name: pg_yoy_run\ntype: cumulative\nmetric: pg_yoy\n")
    # offsets of cumulative metrics: month-to-date a year earlier, a trailing week a month earlier
    for b in BACKENDS:
        docs.append(f"name: {b}_amount_mtd_ly\ntype: offset\nmetric: {b}_amount_mtd\n"
                    "offset: 1 year\n")
        docs.append(f"name: {b}_amount_t7d_lm\ntype: offset\nmetric: {b}_amount_t7d\n"
                    "offset: 1 month\n")
    # a derived metric over two sources, and its offset
    docs.append("name: visit_rate\ntype: derived\nsql: visits / NULLIF(maria_count, 0)\n")
    docs.append("name: visit_rate_lq\ntype: offset\nmetric: visit_rate\noffset: 1 quarter\n")
    docs.append("name: visits_t7d\ntype: cumulative\nmetric: visits\nwindow: 7 days\n")
    # the other spellings of spans and periods
    docs.append("name: pg_amount_l2y\ntype: offset\nmetric: pg_amount\noffset: 2 years\n")
    docs.append("name: pg_amount_l1w\ntype: offset\nmetric: pg_amount\noffset: 1 week\n")
    docs.append("name: pg_amount_l2q\ntype: offset\nmetric: pg_amount\noffset: 2 quarters\n")
    docs.append("name: pg_amount_wtd\ntype: cumulative\nmetric: pg_amount\n"
                "grain_to_date: week\n")
    docs.append("name: pg_amount_qtd\ntype: cumulative\nmetric: pg_amount\n"
                "grain_to_date: quarter\n")
    docs.append("name: pg_amount_t2w\ntype: cumulative\nmetric: pg_amount\nwindow: 2 weeks\n")
    (configs / "metrics" / "metrics.yaml").write_text("---\n".join(docs))
    (configs / "dimensions" / "dimensions.yaml").write_text("")
    secrets = write_secrets(base / "secrets", pg_port)
    (secrets / "tm_maria.json").write_text(json.dumps(
        server.secret(MARIA_DB, MARIA_USER, MARIA_PASSWORD)))
    load_sqlite(base / "events.db", event_rows())
    (secrets / "tm_lite.json").write_text(json.dumps(
        {"connection_class": "sqlite", "path": str(base / "events.db")}))
    return configs, secrets


@pytest.fixture(scope="module")
def data(mariadb, pg):
    events = event_rows()
    load_postgres(pg, events, visit_rows())
    load_mariadb(mariadb, events)
    return pg


@pytest.fixture(scope="module")
def mimir_tm(request, session_dir, data, mariadb, pg):
    configs, secrets = write_layer(session_dir / "time-metrics", pg.port, mariadb)
    return start_layer_server(request, session_dir, "mimir-tm", configs, secrets)


# ---------------------------------------------------------------------------
# asking Mimir, and PostgreSQL
# ---------------------------------------------------------------------------


def ask(server, zone, sql):
    """(rows, [type code of each column]) of sql under SET time_zone = zone."""
    conn = server.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SET time_zone = %s", (zone,))
            cur.execute(sql)
            return [tuple(r) for r in cur.fetchall()], [d[1] for d in cur.description]
    finally:
        conn.close()


# Mimir's grain column -> PostgreSQL's date_trunc field and the step of its calendar.
UNIT = {"ds": "day", "week": "week", "year_month": "month", "quarter": "quarter",
        "year": "year", "ts_hour": "hour"}
STEP = {"ds": "1 day", "week": "1 week", "year_month": "1 month", "quarter": "3 months",
        "year": "1 year", "ts_hour": "1 hour"}
# The offsets as PostgreSQL intervals (a quarter is three months, clamped like MySQL's).
INTERVAL = {"ly": "1 year", "lm": "1 month", "lq": "3 months", "lw": "7 days", "ld": "1 day",
            "l2y": "2 years", "l1w": "1 week", "l2q": "6 months"}
# The base metrics' expressions over tm_events' local rows.
BASE = {"amount": "SUM(amount)", "count": "COUNT(id)", "max": "MAX(amount)",
        "stores": "COUNT(DISTINCT store)", "avg": "AVG(amount)",
        "ticket": "SUM(amount) / NULLIF(COUNT(id), 0)"}


def pg_zone(zone):
    """The zone for PostgreSQL's AT TIME ZONE: a name, or an offset as an INTERVAL (a
    text '+05:30' would be read the POSIX way, east negative)."""
    return f"INTERVAL '{zone}'" if zone[0] in "+-" else f"'{zone}'"


def local_rows(zone):
    return f"SELECT id, store, amount, ts AT TIME ZONE {pg_zone(zone)} AS lt FROM tm_events"


def key_of(grain, v):
    """A period as a comparable value: a date, a year's number or a wall-clock hour,
    from Mimir's column (DATE, INT, DATETIME or their text) or PostgreSQL's timestamp."""
    if grain == "year":
        return v.year if isinstance(v, datetime.datetime) else int(v)
    if grain == "ts_hour":
        return v if isinstance(v, datetime.datetime) else datetime.datetime.fromisoformat(str(v))
    if isinstance(v, datetime.datetime):
        return v.date()
    return v if isinstance(v, datetime.date) else datetime.date.fromisoformat(str(v)[:10])


def same_value(got, want):
    if got is None or want is None:
        return got is None and want is None
    if isinstance(got, float):  # a DOUBLE (ratios) against PostgreSQL's numeric
        return math.isclose(got, float(want), rel_tol=1e-12, abs_tol=1e-12)
    return Decimal(str(got)) == Decimal(str(want))


def assert_rows(got, want, grain=None, nkeys=1):
    """Same rows, keys exactly, numbers by exact value (DOUBLEs to 1e-12), in order."""
    def keys(r):
        return tuple(key_of(grain, v) if i == 0 and grain else v for i, v in enumerate(r[:nkeys]))
    gk = [keys(r) for r in got]
    wk = [keys(r) for r in want]
    assert gk == wk, f"periods differ: only Mimir {sorted(set(gk) - set(wk))[:8]}, " \
                     f"only PostgreSQL {sorted(set(wk) - set(gk))[:8]}"
    bad = [(k, g[nkeys:], w[nkeys:]) for k, g, w in zip(gk, got, want)
           if not all(same_value(a, b) for a, b in zip(g[nkeys:], w[nkeys:]))]
    assert not bad, f"{len(bad)} of {len(got)} rows differ, first: {bad[:5]}"


def exists_in(zone, grain, col="p"):
    """A wall-clock hour or minute is a period of the zone when some instant shows it:
    when it comes back from a round trip through the zone's instants (New York's
    2024-03-10 02:00 becomes 03:00). Days and coarser periods all exist."""
    if grain not in ("ts_hour", "ts_minute"):
        return "TRUE"
    return f"({col} AT TIME ZONE {pg_zone(zone)}) AT TIME ZONE {pg_zone(zone)} = {col}"


def offset_sql(zone, grain, kind, rng=None, base="amount", store=False, rows=None):
    """The offset metric by grain: every calendar period P (a generate_series spine on
    the wall clock) joined to the base metric over the period that contains
    P - interval, over the rows of the range shifted back (each end kept inclusive);
    P must overlap the range."""
    unit, step, off = UNIT[grain], STEP[grain], INTERVAL[kind]
    lo, hi = rng or (None, None)
    by = "store, " if store else ""
    shifted = clip = ""
    if lo:
        shifted = (f"WHERE lt::date >= (date '{lo}' - interval '{off}')::date "
                   f"AND lt::date <= (date '{hi}' - interval '{off}')::date")
        clip = (f"WHERE spine.p + interval '{step}' > timestamp '{lo}' "
                f"AND spine.p < date '{hi}' + 1")
    return f"""
        WITH spine AS (SELECT p FROM generate_series(date_trunc('{unit}', timestamp '2021-06-01'),
                                                     timestamp '2028-12-31', interval '{step}') p
                       WHERE {exists_in(zone, grain)}),
             prior AS (SELECT date_trunc('{unit}', lt) AS p, {by}{BASE[base]} AS v
                       FROM ({rows or local_rows(zone)}) r {shifted}
                       GROUP BY 1{", 2" if store else ""})
        SELECT spine.p, {"prior.store, " if store else ""}prior.v FROM spine
        JOIN prior ON prior.p = date_trunc('{unit}', spine.p - interval '{off}')
        {clip} ORDER BY 1{", 2" if store else ""}"""


def window_start(kind, end):
    """The start of a cumulative metric's window that ends at `end` (SQL), or None."""
    return {"t7d": f"{end} - interval '7 days'", "t1m": f"{end} - interval '1 month'",
            "t2w": f"{end} - interval '14 days'",
            "wtd": f"date_trunc('week', {end} - interval '1 microsecond')",
            "qtd": f"date_trunc('quarter', {end} - interval '1 microsecond')",
            "mtd": f"date_trunc('month', {end} - interval '1 microsecond')",
            "ytd": f"date_trunc('year', {end} - interval '1 microsecond')",
            "run": None}[kind]


def cumulative_sql(zone, grain, kind, lo=None, hi=None, base="amount", rows=None):
    """Each period P from the range's first to its last (or from the first / to the
    last period with rows, for an open side) with the base metric over the rows of
    the window ending at P's end; periods whose window has no rows drop out."""
    unit, step = UNIT[grain], STEP[grain]
    rows = rows or local_rows(zone)
    first = (f"date_trunc('{unit}', timestamp '{lo}')" if lo
             else f"(SELECT date_trunc('{unit}', MIN(lt)) FROM ({rows}) a)")
    last = (f"date_trunc('{unit}', date '{hi}' + 1 - interval '1 microsecond')" if hi
            else f"(SELECT date_trunc('{unit}', MAX(lt)) FROM ({rows}) a)")
    end = f"(spine.p + interval '{step}')"
    start = window_start(kind, end)
    cond = f"r.lt < {end}" + (f" AND r.lt >= {start}" if start else "")
    return f"""
        WITH spine AS (SELECT p FROM generate_series({first}, {last}, interval '{step}') p
                       WHERE {exists_in(zone, grain)})
        SELECT spine.p, {BASE[base]} AS v FROM spine JOIN ({rows}) r ON {cond}
        GROUP BY spine.p ORDER BY 1"""


def where_of(rng):
    return f"WHERE ds BETWEEN '{rng[0]}' AND '{rng[1]}' " if rng else ""


# ---------------------------------------------------------------------------
# the data
# ---------------------------------------------------------------------------


def test_the_data_has_its_gaps_month_ends_and_dst_days(data):
    for zone in ("UTC", NY, AMS):
        days = {d for (d,) in data.query(
            f"SELECT DISTINCT lt::date FROM ({local_rows(zone)}) r")}
        for gap in GAP_DAYS:
            assert datetime.date.fromisoformat(gap) not in days, (zone, gap)
        assert not [d for d in days if (d.year, d.month) == (2024, 7)], zone
        for edge in ("2024-01-31", "2024-02-29", "2024-03-31", "2024-05-31", "2023-02-28",
                     "2024-03-29", "2024-03-30"):
            assert datetime.date.fromisoformat(edge) in days, (zone, edge)
    # New York's repeated hour holds two real hours of rows; its skipped hour none.
    ((n,),) = data.query(f"SELECT COUNT(*) FROM ({local_rows(NY)}) r "
                         "WHERE date_trunc('hour', lt) = '2024-11-03 01:00'")
    assert n >= 6
    ((n,),) = data.query(f"SELECT COUNT(*) FROM ({local_rows(NY)}) r "
                         "WHERE date_trunc('hour', lt) = '2024-03-10 02:00'")
    assert n == 0


# ---------------------------------------------------------------------------
# offsets
# ---------------------------------------------------------------------------

GRAINS = ["ds", "week", "year_month", "quarter", "year"]


def rotate(items, i):
    return items[i % len(items)]


# Each offset by each grain on each backend, over all the data; the zone alternates.
OFFSET_CASES = [(kind, grain, b, rotate(["UTC", NY], i + j))
                for i, kind in enumerate(["ly", "lm", "lq", "lw"])
                for j, grain in enumerate(GRAINS) for b in BACKENDS]


@pytest.mark.parametrize("kind, grain, b, zone", OFFSET_CASES)
def test_offset_by_grain(mimir_tm, data, kind, grain, b, zone):
    got, types = ask(mimir_tm, zone, f"SELECT {grain}, AGG({b}_amount_{kind}) "
                                     f"FROM mimir.metrics GROUP BY {grain} ORDER BY {grain}")
    want = data.query(offset_sql(zone, grain, kind))
    assert want
    assert_rows(got, want, grain)
    assert types[1] == FIELD_TYPE.NEWDECIMAL  # the base metric's type


RANGES = [("2024-01-15", "2024-06-20"), ("2024-02-29", "2024-04-30"),
          ("2024-07-01", "2024-09-30"), ("2025-01-01", "2025-06-30"),
          ("2023-12-25", "2024-03-03")]
ZONES3 = ["UTC", NY, AMS]

OFFSET_RANGE_CASES = [(kind, grain, rotate(BACKENDS, i + j), rotate(ZONES3, i * 2 + j),
                       rotate(RANGES, i + j * 2))
                      for i, kind in enumerate(["ly", "lm", "lq", "lw", "ld"])
                      for j, grain in enumerate(GRAINS)]


@pytest.mark.parametrize("kind, grain, b, zone, rng", OFFSET_RANGE_CASES)
def test_offset_by_grain_over_a_range(mimir_tm, data, kind, grain, b, zone, rng):
    """The range is shifted back for the offset's rows (P' clipped to it), and the
    periods returned overlap the range."""
    got, _ = ask(mimir_tm, zone, f"SELECT {grain}, AGG({b}_amount_{kind}) FROM mimir.metrics "
                                 f"{where_of(rng)}GROUP BY {grain} ORDER BY {grain}")
    want = data.query(offset_sql(zone, grain, kind, rng))
    assert_rows(got, want, grain)


@pytest.mark.parametrize("b", BACKENDS)
@pytest.mark.parametrize("zone", ["UTC", NY])
@pytest.mark.parametrize("kind", ["ly", "lm", "lq", "lw"])
def test_offset_without_grain_is_the_shifted_range(mimir_tm, data, b, zone, kind):
    rng = ("2024-03-31", "2024-05-30")
    got, types = ask(mimir_tm, zone, f"SELECT AGG({b}_amount_{kind}), AGG({b}_count_ly) "
                                     f"FROM mimir.metrics {where_of(rng)}")
    off = INTERVAL[kind]
    want = data.query(f"""
        SELECT (SELECT SUM(amount) FROM ({local_rows(zone)}) r
                WHERE lt::date >= (date '{rng[0]}' - interval '{off}')::date
                  AND lt::date <= (date '{rng[1]}' - interval '{off}')::date),
               (SELECT COUNT(id) FROM ({local_rows(zone)}) r
                WHERE lt::date >= (date '{rng[0]}' - interval '1 year')::date
                  AND lt::date <= (date '{rng[1]}' - interval '1 year')::date)""")
    assert_rows(got, want, nkeys=0)
    assert types == [FIELD_TYPE.NEWDECIMAL, FIELD_TYPE.LONGLONG]


@pytest.mark.parametrize("b", BACKENDS)
def test_offset_without_grain_keeps_each_end_inclusive_or_not(mimir_tm, data, b):
    """ts > a AND ts <= b, shifted by a month: ts > a - 1 month AND ts <= b - 1 month
    (2024-03-31 12:00 - 1 month is 2024-02-29 12:00)."""
    where = "ts > '2024-03-31 12:00:00' AND ts <= '2024-04-30 22:30:00'"
    got, _ = ask(mimir_tm, NY, f"SELECT AGG({b}_amount_lm), AGG({b}_amount) FROM mimir.metrics "
                               f"WHERE {where}")
    want = data.query(f"""
        SELECT (SELECT SUM(amount) FROM ({local_rows(NY)}) r
                WHERE lt > timestamp '2024-03-31 12:00' - interval '1 month'
                  AND lt <= timestamp '2024-04-30 22:30' - interval '1 month'),
               (SELECT SUM(amount) FROM ({local_rows(NY)}) r
                WHERE lt > timestamp '2024-03-31 12:00' AND lt <= timestamp '2024-04-30 22:30')""")
    assert_rows(got, want, nkeys=0)
    got, _ = ask(mimir_tm, "UTC", f"SELECT AGG({b}_amount_lm) FROM mimir.metrics "
                                  "WHERE ts >= '2024-03-31 23:50:00' AND ts < '2024-04-01'")
    want = data.query(f"""SELECT SUM(amount) FROM ({local_rows('UTC')}) r
                          WHERE lt >= timestamp '2024-02-29 23:50' AND lt < date '2024-03-01'""")
    assert want[0][0] is not None  # the row of Feb 29 23:55
    assert_rows(got, want, nkeys=0)


@pytest.mark.parametrize("b", BACKENDS)
@pytest.mark.parametrize("zone", ["UTC", NY])
def test_month_ends_by_day_read_the_clamped_day(mimir_tm, data, b, zone):
    """By day, 1 month back: Mar 29, 30 and 31 all read Feb 29 (MySQL's DATE_SUB);
    1 year back: Feb 28 and Feb 29 2024 both read Feb 28 2023."""
    rng = ("2024-03-27", "2024-04-01")
    got, _ = ask(mimir_tm, zone, f"SELECT ds, AGG({b}_amount_lm), AGG({b}_amount) "
                                 f"FROM mimir.metrics {where_of(rng)}GROUP BY ds ORDER BY ds")
    want = data.query(f"""
        SELECT o.p, o.v, c.v FROM ({offset_sql(zone, 'ds', 'lm', rng)}) o
        LEFT JOIN (SELECT lt::date AS p, SUM(amount) AS v FROM ({local_rows(zone)}) r
                   GROUP BY 1) c ON c.p = o.p::date ORDER BY 1""")
    assert [key_of("ds", r[0]).day for r in want] == [27, 28, 29, 30, 31, 1]
    assert want[2][1] == want[3][1] == want[4][1]
    assert_rows(got, want, "ds")
    rng = ("2024-02-27", "2024-03-01")
    got, _ = ask(mimir_tm, zone, f"SELECT ds, AGG({b}_amount_ly) FROM mimir.metrics "
                                 f"{where_of(rng)}GROUP BY ds ORDER BY ds")
    want = data.query(offset_sql(zone, "ds", "ly", rng))
    assert want[1][1] == want[2][1] and len(want) == 4
    assert_rows(got, want, "ds")


@pytest.mark.parametrize("b", BACKENDS)
def test_offsets_move_periods_past_the_end_of_the_data(mimir_tm, data, b):
    """2025's data shows a year later, in 2026, where there are no rows."""
    got, _ = ask(mimir_tm, "UTC", f"SELECT year_month, AGG({b}_amount_ly), AGG({b}_amount) "
                                  "FROM mimir.metrics WHERE ds >= '2025-01-01' "
                                  "GROUP BY year_month ORDER BY year_month")
    want = data.query(f"""
        SELECT o.p, o.v, c.v FROM ({offset_sql('UTC', 'year_month', 'ly')}) o
        LEFT JOIN (SELECT date_trunc('month', lt) AS p, SUM(amount) AS v
                   FROM ({local_rows('UTC')}) r GROUP BY 1) c ON c.p = o.p
        WHERE o.p >= '2025-01-01' ORDER BY 1""")
    assert key_of("year_month", want[-1][0]) == datetime.date(2026, 6, 1)
    assert_rows(got, want, "year_month")


# ---------------------------------------------------------------------------
# cumulative
# ---------------------------------------------------------------------------

CUMULATIVE_KINDS = list(CUMULATIVES)

# Each kind by each grain over all the data, the backend and zone rotating.
CUMULATIVE_CASES = [(kind, grain, rotate(BACKENDS, i + j), rotate(["UTC", NY], i + j * 3))
                    for i, kind in enumerate(CUMULATIVE_KINDS) for j, grain in enumerate(GRAINS)]


@pytest.mark.parametrize("kind, grain, b, zone", CUMULATIVE_CASES)
def test_cumulative_by_grain(mimir_tm, data, kind, grain, b, zone):
    got, types = ask(mimir_tm, zone, f"SELECT {grain}, AGG({b}_amount_{kind}) "
                                     f"FROM mimir.metrics GROUP BY {grain} ORDER BY {grain}")
    want = data.query(cumulative_sql(zone, grain, kind))
    assert want
    assert_rows(got, want, grain)
    assert types[1] == FIELD_TYPE.NEWDECIMAL


CUMULATIVE_RANGES = [("2024-07-01", "2024-09-30"), ("2024-01-01", "2024-03-31"),
                     ("2024-02-10", "2024-05-17"), ("2025-01-03", "2025-06-30"),
                     ("2024-06-15", "2024-08-10")]
CUMULATIVE_RANGE_CASES = [(kind, grain, b, rotate(ZONES3, i + j + k),
                           rotate(CUMULATIVE_RANGES, i * 2 + j + k))
                          for i, kind in enumerate(CUMULATIVE_KINDS)
                          for j, grain in enumerate(GRAINS)
                          for k, b in enumerate(BACKENDS)]


@pytest.mark.parametrize("kind, grain, b, zone, rng", CUMULATIVE_RANGE_CASES)
def test_cumulative_by_grain_over_a_range(mimir_tm, data, kind, grain, b, zone, rng):
    """The range picks the periods (each overlapping it); the windows reach before its
    start and up to the last period's end; the missing month has rows in its windows."""
    got, _ = ask(mimir_tm, zone, f"SELECT {grain}, AGG({b}_amount_{kind}) FROM mimir.metrics "
                                 f"{where_of(rng)}GROUP BY {grain} ORDER BY {grain}")
    want = data.query(cumulative_sql(zone, grain, kind, *rng))
    assert_rows(got, want, grain)


@pytest.mark.parametrize("b", BACKENDS)
def test_cumulative_days_without_rows_are_returned_when_their_window_has_some(mimir_tm, data, b):
    rng = ("2024-07-01", "2024-07-12")
    got, _ = ask(mimir_tm, NY, f"SELECT ds, AGG({b}_amount_t7d), AGG({b}_amount_mtd), "
                               f"AGG({b}_amount) FROM mimir.metrics {where_of(rng)}"
                               "GROUP BY ds ORDER BY ds")
    want = data.query(f"""
        SELECT p, t.v, m.v, NULL::numeric FROM ({cumulative_sql(NY, 'ds', 't7d', *rng)}) t
        LEFT JOIN ({cumulative_sql(NY, 'ds', 'mtd', *rng)}) m USING (p) ORDER BY 1""")
    # June 30's rows reach the windows of July 1..6; July's own month-to-date is empty.
    assert [key_of("ds", r[0]).day for r in want] == list(range(1, 7))
    assert all(r[2] is None for r in want)
    assert_rows(got, want, "ds")


@pytest.mark.parametrize("b", BACKENDS)
@pytest.mark.parametrize("side", ["lo", "hi"])
def test_cumulative_with_one_open_side(mimir_tm, data, b, side):
    """ds >= a: periods from a's to the last with data; ds <= b: from the first."""
    where = "ds >= '2025-02-10'" if side == "lo" else "ds <= '2023-04-20'"
    lo, hi = ("2025-02-10", None) if side == "lo" else (None, "2023-04-20")
    for grain, kind in (("ds", "t7d"), ("week", "mtd"), ("year_month", "run")):
        got, _ = ask(mimir_tm, "UTC", f"SELECT {grain}, AGG({b}_amount_{kind}) "
                                      f"FROM mimir.metrics WHERE {where} GROUP BY {grain} "
                                      f"ORDER BY {grain}")
        want = data.query(cumulative_sql("UTC", grain, kind, lo, hi))
        assert_rows(got, want, grain)


NO_GRAIN_RANGES = [("2024-03-01", "2024-03-31"), ("2024-07-01", "2024-07-20"),
                   ("2024-01-01", "2024-02-29")]


@pytest.mark.parametrize("b", BACKENDS)
@pytest.mark.parametrize("zone", ["UTC", NY, AMS])
def test_cumulative_without_grain_is_the_window_ending_at_the_range_end(mimir_tm, data, b, zone):
    for rng in NO_GRAIN_RANGES:
        cols = ", ".join(f"AGG({b}_amount_{k})" for k in CUMULATIVE_KINDS)
        got, types = ask(mimir_tm, zone, f"SELECT {cols}, AGG({b}_count_run) "
                                         f"FROM mimir.metrics {where_of(rng)}")
        end = f"(date '{rng[1]}' + 1)::timestamp"
        sums = []
        for k in CUMULATIVE_KINDS:
            start = window_start(k, end)
            sums.append(f"(SELECT SUM(amount) FROM ({local_rows(zone)}) r WHERE lt < {end}"
                        + (f" AND lt >= {start})" if start else ")"))
        want = data.query(f"SELECT {', '.join(sums)}, (SELECT COUNT(id) FROM "
                          f"({local_rows(zone)}) r WHERE lt < {end})")
        assert_rows(got, want, nkeys=0)
        assert types == [FIELD_TYPE.NEWDECIMAL] * 5 + [FIELD_TYPE.LONGLONG]


@pytest.mark.parametrize("b", BACKENDS)
def test_running_total_without_grain_or_range_is_the_total(mimir_tm, data, b):
    got, _ = ask(mimir_tm, NY, f"SELECT AGG({b}_amount_run), AGG({b}_count_run) "
                               "FROM mimir.metrics")
    assert_rows(got, data.query("SELECT SUM(amount), COUNT(id) FROM tm_events"), nkeys=0)


@pytest.mark.parametrize("b", BACKENDS)
@pytest.mark.parametrize("grain", ["ds", "week", "year_month"])
def test_cumulative_count_and_max(mimir_tm, data, b, grain):
    rng = ("2024-02-01", "2024-04-15")
    got, types = ask(mimir_tm, AMS, f"SELECT {grain}, AGG({b}_count_run), AGG({b}_max_t7d) "
                                    f"FROM mimir.metrics {where_of(rng)}GROUP BY {grain} "
                                    f"ORDER BY {grain}")
    want = data.query(f"""
        SELECT p, c.v, m.v
        FROM ({cumulative_sql(AMS, grain, 'run', *rng, base='count')}) c
        FULL JOIN ({cumulative_sql(AMS, grain, 't7d', *rng, base='max')}) m USING (p)
        ORDER BY 1""")
    assert_rows(got, want, grain)
    assert types[1:] == [FIELD_TYPE.LONGLONG, FIELD_TYPE.NEWDECIMAL]


def grouped_sql(zone, grain, rng=None, base="amount", table=None):
    """The base metric by period over the range (no time metric)."""
    rows = table or local_rows(zone)
    where = f"WHERE lt::date BETWEEN date '{rng[0]}' AND date '{rng[1]}'" if rng else ""
    return (f"SELECT date_trunc('{UNIT[grain]}', lt) AS p, {BASE[base]} AS v "
            f"FROM ({rows}) r {where} GROUP BY 1")


def visits_rows(zone):
    return f"SELECT id, store, ts AT TIME ZONE '{zone}' AS lt FROM tm_visits"


# ---------------------------------------------------------------------------
# hours and daylight saving
# ---------------------------------------------------------------------------


DST_CASES = [(NY, ("2024-11-03", "2024-11-04")),
             (NY, ("2024-03-10", "2024-03-11")),
             (AMS, ("2024-03-31", "2024-04-01")),
             (AMS, ("2024-10-27", "2024-10-27"))]
DST_IDS = [f"{NY}-2024-11-03", f"{NY}-2024-03-10", f"{AMS}-2024-03-31", f"{AMS}-2024-10-27"]


def dst_hours(zone, rng, b):
    sql = (f"SELECT ts_hour, AGG({b}_amount_ld), AGG({b}_amount_lw), AGG({b}_amount_t7d), "
           f"AGG({b}_amount_mtd), AGG({b}_count) FROM mimir.metrics {where_of(rng)}"
           "GROUP BY ts_hour ORDER BY ts_hour")
    return sql, f"""
        SELECT p, ld.v, lw.v, t7d.v, mtd.v, c.v
        FROM ({offset_sql(zone, 'ts_hour', 'ld', rng)}) ld
        FULL JOIN ({offset_sql(zone, 'ts_hour', 'lw', rng)}) lw USING (p)
        FULL JOIN ({cumulative_sql(zone, 'ts_hour', 't7d', *rng)}) t7d USING (p)
        FULL JOIN ({cumulative_sql(zone, 'ts_hour', 'mtd', *rng)}) mtd USING (p)
        FULL JOIN ({grouped_sql(zone, 'ts_hour', rng, 'count')}) c USING (p)
        ORDER BY 1"""


@pytest.mark.parametrize("b", BACKENDS)
@pytest.mark.parametrize("zone, rng", DST_CASES, ids=DST_IDS)
def test_hours_across_daylight_saving(mimir_tm, data, b, zone, rng):
    """By the zone's hours: the fall-back's repeated hour is one period holding two
    real hours (also as the P' of the next day's 01:00); the spring-forward's skipped
    hour is no period at all."""
    sql, pg_sql = dst_hours(zone, rng, b)
    got, _ = ask(mimir_tm, zone, sql)
    want = data.query(pg_sql)
    assert len(want) >= 23
    assert_rows(got, want, "ts_hour")


@pytest.mark.parametrize("b", BACKENDS)
@pytest.mark.parametrize("zone, rng", [(NY, ("2024-03-10", "2024-03-11")),
                                       (AMS, ("2024-03-31", "2024-04-01"))], ids=[NY, AMS])
def test_spring_forward_values_at_the_hours_that_exist(mimir_tm, data, b, zone, rng):
    """Whatever comes of the skipped hour (it is no period), every hour of the zone has
    its right values."""
    sql, pg_sql = dst_hours(zone, rng, b)
    got, _ = ask(mimir_tm, zone, sql)
    want = data.query(pg_sql)
    hours = {key_of("ts_hour", r[0]) for r in want}
    assert_rows([r for r in got if key_of("ts_hour", r[0]) in hours], want, "ts_hour")


def test_the_repeated_hour_is_read_whole_a_day_later(mimir_tm, data):
    """ds = '2024-11-04' by the hour, 1 day back: 01:00 reads all of 2024-11-03 01:00,
    the two real hours (EDT and EST) that New York shows as one."""
    got, _ = ask(mimir_tm, NY, "SELECT ts_hour, AGG(pg_amount_ld) FROM mimir.metrics "
                               "WHERE ds = '2024-11-04' GROUP BY ts_hour ORDER BY ts_hour")
    want = data.query(f"""SELECT date_trunc('hour', lt) + interval '1 day', SUM(amount)
                          FROM ({local_rows(NY)}) r WHERE lt::date = '2024-11-03'
                          GROUP BY 1 ORDER BY 1""")
    assert_rows(got, want, "ts_hour")
    ((edt, est),) = data.query(
        "SELECT SUM(amount) FILTER (WHERE ts < '2024-11-03 06:00+00'), "
        "SUM(amount) FILTER (WHERE ts >= '2024-11-03 06:00+00') FROM tm_events "
        "WHERE ts >= '2024-11-03 05:00+00' AND ts < '2024-11-03 07:00+00'")
    assert dict((key_of("ts_hour", k), v) for k, v in got)[
        datetime.datetime(2024, 11, 4, 1)] == edt + est


@pytest.mark.parametrize("b", BACKENDS)
def test_a_shifted_wall_clock_range_reads_as_mysql_does(mimir_tm, data, mariadb, b):
    """ts bounds in the repeated hour, shifted a day back, mean what MariaDB makes of the
    same bounds on a TIMESTAMP column in New York (the oracle of MySQL's rules)."""
    got, _ = ask(mimir_tm, NY, f"SELECT AGG({b}_amount_ld), AGG({b}_count) FROM mimir.metrics "
                               "WHERE ts >= '2024-11-04 01:00:00' AND ts < '2024-11-04 01:40:00'")
    want = mariadb.query_in_zone(NY, """
        SELECT (SELECT SUM(amount) FROM events WHERE ts >= '2024-11-03 01:00:00'
                                                 AND ts < '2024-11-03 01:40:00'),
               (SELECT COUNT(id) FROM events WHERE ts >= '2024-11-04 01:00:00'
                                               AND ts < '2024-11-04 01:40:00')""", MARIA_DB)
    assert want[0][0] is not None
    assert_rows(got, want, nkeys=0)


# ---------------------------------------------------------------------------
# derived metrics over offsets, offsets of derived metrics
# ---------------------------------------------------------------------------

YOY_CASES = [("year_month", "UTC", ("2024-01-01", "2025-06-30")),
             ("quarter", NY, ("2024-01-01", "2025-06-30")),
             ("ds", AMS, ("2024-02-25", "2024-03-05")),
             ("week", NY, None)]


@pytest.mark.parametrize("b", BACKENDS)
@pytest.mark.parametrize("grain, zone, rng", YOY_CASES, ids=[c[0] for c in YOY_CASES])
def test_year_over_year_growth(mimir_tm, data, b, grain, zone, rng):
    got, types = ask(mimir_tm, zone, f"SELECT {grain}, AGG({b}_yoy), AGG({b}_amount), "
                                     f"AGG({b}_amount_ly) FROM mimir.metrics {where_of(rng)}"
                                     f"GROUP BY {grain} ORDER BY {grain}")
    want = data.query(f"""
        SELECT p, (c.v - o.v) / NULLIF(o.v, 0), c.v, o.v
        FROM ({grouped_sql(zone, grain, rng)}) c
        FULL JOIN ({offset_sql(zone, grain, 'ly', rng)}) o USING (p) ORDER BY 1""")
    assert [r for r in want if r[1] is not None]
    assert_rows(got, want, grain)
    assert types[1:] == [FIELD_TYPE.DOUBLE, FIELD_TYPE.NEWDECIMAL, FIELD_TYPE.NEWDECIMAL]


@pytest.mark.parametrize("b", BACKENDS)
@pytest.mark.parametrize("grain, zone, rng", YOY_CASES, ids=[c[0] for c in YOY_CASES])
def test_offset_of_a_derived_ratio(mimir_tm, data, b, grain, zone, rng):
    """ticket_ly = (amount / count) a year back = amount_ly / count_ly."""
    got, types = ask(mimir_tm, zone, f"SELECT {grain}, AGG({b}_ticket_ly), AGG({b}_count_ly) "
                                     f"FROM mimir.metrics {where_of(rng)}"
                                     f"GROUP BY {grain} ORDER BY {grain}")
    want = data.query(f"""
        SELECT p, t.v, c.v FROM ({offset_sql(zone, grain, 'ly', rng, base='ticket')}) t
        FULL JOIN ({offset_sql(zone, grain, 'ly', rng, base='count')}) c USING (p)
        ORDER BY 1""")
    assert want
    assert_rows(got, want, grain)
    assert types[1:] == [FIELD_TYPE.DOUBLE, FIELD_TYPE.LONGLONG]


# ---------------------------------------------------------------------------
# with other metrics and dimensions, HAVING, ORDER BY
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("b", BACKENDS)
@pytest.mark.parametrize("zone", ["UTC", NY])
def test_offset_with_another_sources_metric(mimir_tm, data, b, zone):
    """visits (another PostgreSQL source) and the offset's periods, FULL OUTER JOINed:
    2026's months have last year's amounts and no visits."""
    rng = ("2024-06-01", "2026-03-31")
    got, _ = ask(mimir_tm, zone, f"SELECT year_month, AGG({b}_amount_ly), AGG(visits), "
                                 f"AGG({b}_amount_t1m) FROM mimir.metrics {where_of(rng)}"
                                 "GROUP BY year_month ORDER BY year_month")
    want = data.query(f"""
        SELECT p, o.v, v.v, t.v FROM ({offset_sql(zone, 'year_month', 'ly', rng)}) o
        FULL JOIN ({grouped_sql(zone, 'year_month', rng, 'count', visits_rows(zone))}) v
          USING (p)
        FULL JOIN ({cumulative_sql(zone, 'year_month', 't1m', *rng)}) t USING (p)
        ORDER BY 1""")
    assert [r for r in want if r[2] is None] and [r for r in want if r[3] is None]
    assert_rows(got, want, "year_month")


@pytest.mark.parametrize("b", BACKENDS)
def test_offset_by_grain_and_store(mimir_tm, data, b):
    rng = ("2024-01-01", "2024-12-31")
    got, _ = ask(mimir_tm, NY, f"SELECT quarter, store, AGG({b}_amount_lq), AGG(visits) "
                               f"FROM mimir.metrics {where_of(rng)}GROUP BY quarter, store "
                               "ORDER BY quarter, store")
    visits = (f"SELECT date_trunc('quarter', lt) AS p, store, COUNT(id) AS v "
              f"FROM ({visits_rows(NY)}) r WHERE lt::date BETWEEN '{rng[0]}' AND '{rng[1]}' "
              "GROUP BY 1, 2")
    want = data.query(f"""
        SELECT p, store, o.v, v.v FROM ({offset_sql(NY, 'quarter', 'lq', rng, store=True)}) o
        FULL JOIN ({visits}) v USING (p, store) ORDER BY 1, 2""")
    assert len(want) == 12
    assert_rows(got, want, "quarter", nkeys=2)


@pytest.mark.parametrize("b", BACKENDS)
def test_having_and_order_by_an_offset(mimir_tm, data, b):
    ((threshold,),) = data.query(
        f"SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY v) "
        f"FROM ({offset_sql('UTC', 'year_month', 'ly')}) o")
    got, _ = ask(mimir_tm, "UTC", f"SELECT year_month, AGG({b}_amount_ly) AS ly FROM mimir.metrics "
                                  f"GROUP BY year_month HAVING AGG({b}_amount_ly) > {threshold} "
                                  f"ORDER BY AGG({b}_amount_ly) DESC LIMIT 6")
    want = data.query(f"SELECT p, v FROM ({offset_sql('UTC', 'year_month', 'ly')}) o "
                      f"WHERE v > {threshold} ORDER BY v DESC LIMIT 6")
    assert len(want) == 6
    assert_rows(got, want, "year_month")
    got, _ = ask(mimir_tm, NY, f"SELECT ds, AGG({b}_amount_lm) AS lm FROM mimir.metrics "
                               "WHERE ds BETWEEN '2024-03-01' AND '2024-03-31' GROUP BY ds "
                               "HAVING lm IS NOT NULL ORDER BY lm, ds")
    march = ("2024-03-01", "2024-03-31")
    want = data.query(f"SELECT p, v FROM ({offset_sql(NY, 'ds', 'lm', march)}) o ORDER BY v, p")
    assert_rows(got, want, "ds")
    got, _ = ask(mimir_tm, "UTC", f"SELECT year_month, AGG({b}_yoy) FROM mimir.metrics "
                                  "WHERE ds BETWEEN '2024-01-01' AND '2024-12-31' "
                                  f"GROUP BY year_month HAVING AGG({b}_yoy) > 0 ORDER BY 1")
    y2024 = ("2024-01-01", "2024-12-31")
    want = data.query(f"""
        SELECT p, (c.v - o.v) / o.v FROM ({grouped_sql('UTC', 'year_month', y2024)}) c
        JOIN ({offset_sql('UTC', 'year_month', 'ly', y2024)}) o USING (p)
        WHERE (c.v - o.v) / NULLIF(o.v, 0) > 0 ORDER BY 1""")
    assert want
    assert_rows(got, want, "year_month")


# ---------------------------------------------------------------------------
# join_to_calendar
# ---------------------------------------------------------------------------


def calendar_sql(zone, grain, rng, store=False):
    """Every period overlapping the range (a generate_series calendar), LEFT JOINed to
    the amount and the count by period over the range's rows; with store, every store
    that has rows in the range at every period."""
    unit, step = UNIT[grain], STEP[grain]
    rows = (f"SELECT * FROM ({local_rows(zone)}) r "
            f"WHERE lt::date BETWEEN date '{rng[0]}' AND date '{rng[1]}'")
    by = ", store" if store else ""
    stores = f" CROSS JOIN (SELECT DISTINCT store FROM ({rows}) x) st" if store else ""
    return f"""
        WITH cal AS (SELECT generate_series(date_trunc('{unit}', timestamp '{rng[0]}'),
                                            (date '{rng[1]}' + 1)::timestamp
                                              - interval '1 microsecond',
                                            interval '{step}') AS p),
             g AS (SELECT date_trunc('{unit}', lt) AS p{by}, SUM(amount) AS amount,
                          COUNT(id) AS n FROM ({rows}) r GROUP BY 1{by})
        SELECT cal.p{by}, g.amount, g.n FROM cal{stores} LEFT JOIN g USING (p{by})
        ORDER BY 1{by}"""


CALENDAR_CASES = [("ds", ("2024-06-25", "2024-08-05"), "UTC"),
                  ("year_month", ("2024-01-01", "2024-12-31"), NY),
                  ("year_month", ("2024-06-15", "2024-08-10"), AMS),
                  ("ds", ("2024-02-09", "2024-02-16"), NY),
                  ("week", ("2024-06-20", "2024-08-08"), NY)]


@pytest.mark.parametrize("b", BACKENDS)
@pytest.mark.parametrize("grain, rng, zone", CALENDAR_CASES,
                         ids=[f"{g}-{r[0]}" for g, r, _ in CALENDAR_CASES])
def test_join_to_calendar_fills_the_missing_periods(mimir_tm, data, b, grain, rng, zone):
    """The missing month and days come back with NULL, and so does the count (another
    metric) on the added rows."""
    got, types = ask(mimir_tm, zone, f"SELECT {grain}, AGG({b}_amount_cal), AGG({b}_count) "
                                     f"FROM mimir.metrics {where_of(rng)}GROUP BY {grain} "
                                     f"ORDER BY {grain}")
    want = data.query(calendar_sql(zone, grain, rng))
    assert [r for r in want if r[1] is None], "the range has no period without rows"
    assert_rows(got, want, grain)
    assert types[1:] == [FIELD_TYPE.NEWDECIMAL, FIELD_TYPE.LONGLONG]


@pytest.mark.parametrize("b", BACKENDS)
def test_join_to_calendar_over_a_range_of_months(mimir_tm, data, b):
    """A range written on year_month is a range of time: the calendar fills it."""
    rng = ("2024-01-01", "2024-12-31")
    got, _ = ask(mimir_tm, NY, f"SELECT year_month, AGG({b}_amount_cal), AGG({b}_count) "
                               "FROM mimir.metrics WHERE year_month BETWEEN '2024-01-01' AND "
                               "'2024-12-01' GROUP BY year_month ORDER BY year_month")
    want = data.query(calendar_sql(NY, "year_month", rng))
    assert [r for r in want if r[1] is None], "the range has no period without rows"
    assert_rows(got, want, "year_month")


@pytest.mark.parametrize("b", BACKENDS)
def test_join_to_calendar_with_a_store_has_every_combination(mimir_tm, data, b):
    rng = ("2024-02-09", "2024-02-16")
    got, _ = ask(mimir_tm, NY, f"SELECT ds, store, AGG({b}_amount_cal), AGG({b}_count) "
                               f"FROM mimir.metrics {where_of(rng)}GROUP BY ds, store "
                               "ORDER BY ds, store")
    want = data.query(calendar_sql(NY, "ds", rng, store=True))
    assert len(want) == 8 * 3
    assert_rows(got, want, "ds", nkeys=2)
    got, _ = ask(mimir_tm, "UTC", f"SELECT year_month, store, AGG({b}_amount_cal) "
                                  "FROM mimir.metrics WHERE ds BETWEEN '2024-05-01' AND "
                                  "'2024-08-31' GROUP BY year_month, store ORDER BY 1, 2")
    want = data.query(f"SELECT p, store, amount FROM "
                      f"({calendar_sql('UTC', 'year_month', ('2024-05-01', '2024-08-31'), True)}) c"
                      " ORDER BY 1, 2")
    assert len(want) == 12
    assert_rows(got, want, "year_month", nkeys=2)


@pytest.mark.parametrize("b", BACKENDS)
def test_join_to_calendar_with_having_order_and_a_filter(mimir_tm, data, b):
    """HAVING and ORDER BY see the added rows; a filter on store keeps the calendar."""
    rng = ("2024-06-25", "2024-07-05")
    got, _ = ask(mimir_tm, NY, f"SELECT ds, AGG({b}_amount_cal) FROM mimir.metrics "
                               f"{where_of(rng)}GROUP BY ds HAVING AGG({b}_amount_cal) IS NULL "
                               "ORDER BY ds DESC LIMIT 4")
    want = data.query(f"SELECT p, amount FROM ({calendar_sql(NY, 'ds', rng)}) c "
                      "WHERE amount IS NULL ORDER BY p DESC LIMIT 4")
    assert len(want) == 4
    assert_rows(got, want, "ds")
    got, _ = ask(mimir_tm, NY, f"SELECT ds, AGG({b}_amount_cal) FROM mimir.metrics "
                               f"{where_of(rng)}AND store = 'west' GROUP BY ds ORDER BY ds")
    want = data.query(f"""
        SELECT cal.p, SUM(r.amount) FROM generate_series(timestamp '{rng[0]}',
                                                         timestamp '{rng[1]}', '1 day') cal(p)
        LEFT JOIN ({store_rows(NY, 'west')}) r ON date_trunc('day', r.lt) = cal.p
        GROUP BY 1 ORDER BY 1""")
    assert len(want) == 11
    assert_rows(got, want, "ds")


CALENDAR_FILTERS = [
    ("ds", ("2024-03-01", "2024-03-10"), "ds <> '2024-03-05'", "p <> '2024-03-05'"),
    ("year_month", ("2024-01-01", "2024-12-31"), "year_month <> '2024-03-01'",
     "p <> '2024-03-01'"),
    ("ts_hour", ("2024-03-09", "2024-03-09"), "ts_hour < '2024-03-09 04:00:00'",
     "p < '2024-03-09 04:00'"),
]


@pytest.mark.parametrize("b", ["pg", "lite"])
@pytest.mark.parametrize("grain, rng, mimir_filter, pg_filter", CALENDAR_FILTERS,
                         ids=[c[0] for c in CALENDAR_FILTERS])
def test_join_to_calendar_keeps_the_other_time_filters(mimir_tm, data, b, grain, rng,
                                                       mimir_filter, pg_filter):
    """Another condition on time than a range (ds <> X, year_month <> X) would be
    contradicted by the periods a calendar adds: the metric answers unfilled, only the
    periods with rows that the WHERE keeps, and SHOW WARNINGS says why."""
    conn = mimir_tm.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(f"SELECT {grain}, AGG({b}_amount_cal) FROM mimir.metrics "
                        f"{where_of(rng)}AND {mimir_filter} GROUP BY {grain} ORDER BY {grain}")
            got = [tuple(r) for r in cur.fetchall()]
            cur.execute("SHOW WARNINGS")
            notes = [tuple(r) for r in cur.fetchall()]
    finally:
        conn.close()
    want = data.query(f"SELECT p, amount FROM ({calendar_sql('UTC', grain, rng)}) c "
                      f"WHERE {pg_filter} AND amount IS NOT NULL ORDER BY 1")
    assert want
    assert_rows(got, want, grain)
    assert any("join_to_calendar adds the periods without rows only when the conditions on "
               "time are a range of ts, ds or a grain of days" in n[2] for n in notes), notes


@pytest.mark.parametrize("b", BACKENDS)
@pytest.mark.parametrize("zone, day", [(NY, "2024-11-03"), (AMS, "2024-10-27"),
                                       (NY, "2024-03-10"),
                                       (AMS, "2024-03-31")])
def test_join_to_calendar_by_the_hour_of_a_dst_day(mimir_tm, data, b, zone, day):
    """The zone's hours of the day: 24 for a 25-hour day (the repeated 01:00 or 02:00
    is one period), 23 for a 23-hour day."""
    got, _ = ask(mimir_tm, zone, f"SELECT ts_hour, AGG({b}_amount_cal), AGG({b}_count) "
                                 f"FROM mimir.metrics WHERE ds = '{day}' GROUP BY ts_hour "
                                 "ORDER BY ts_hour")
    want = data.query(f"""
        WITH cal AS (SELECT DISTINCT date_trunc('hour', i AT TIME ZONE '{zone}') AS p
                     FROM generate_series(timestamp '{day}' AT TIME ZONE '{zone}',
                                          (date '{day}' + 1)::timestamp AT TIME ZONE '{zone}'
                                            - interval '1 minute', interval '1 minute') i),
             g AS (SELECT date_trunc('hour', lt) AS p, SUM(amount) AS v, COUNT(id) AS n
                   FROM ({local_rows(zone)}) r WHERE lt::date = '{day}' GROUP BY 1)
        SELECT p, g.v, g.n FROM cal LEFT JOIN g USING (p) ORDER BY 1""")
    assert len(want) in (23, 24)
    assert_rows(got, want, "ts_hour")


@pytest.mark.parametrize("b", ["pg", "lite"])
@pytest.mark.parametrize("rng", [
    ("2024-06-01", "2024-10-31"),
    # Sep 30 - 1 month is Aug 30: August 31 is not in September's P'
    ("2024-06-01", "2024-09-30")])
def test_join_to_calendar_with_an_offset(mimir_tm, data, b, rng):
    got, _ = ask(mimir_tm, "UTC", f"SELECT year_month, AGG({b}_amount_cal), AGG({b}_amount_lm) "
                                  f"FROM mimir.metrics {where_of(rng)}GROUP BY year_month "
                                  "ORDER BY year_month")
    want = data.query(f"""
        SELECT p, c.amount, o.v FROM ({calendar_sql('UTC', 'year_month', rng)}) c
        LEFT JOIN ({offset_sql('UTC', 'year_month', 'lm', rng)}) o USING (p) ORDER BY 1""")
    assert [r for r in want if r[1] is None] and [r for r in want if r[2] is None]
    assert_rows(got, want, "year_month")


NOTE_CASES = [
    ("SELECT year_month, AGG({b}_amount_cal) FROM mimir.metrics WHERE ds >= '2024-05-01' "
     "GROUP BY year_month ORDER BY year_month",
     "SELECT date_trunc('month', lt), SUM(amount) FROM ({rows}) r WHERE lt >= '2024-05-01' "
     "GROUP BY 1 ORDER BY 1",
     "join_to_calendar adds the periods without rows only over a time range with both ends "
     "(ds BETWEEN ... AND ...): this answer has only the periods with rows"),
    ("SELECT store, AGG({b}_amount_cal) FROM mimir.metrics "
     "WHERE ds BETWEEN '2024-07-01' AND '2024-07-31' GROUP BY store ORDER BY store",
     "SELECT store, SUM(amount) FROM ({rows}) r WHERE lt::date BETWEEN '2024-07-01' AND "
     "'2024-07-31' GROUP BY 1 ORDER BY 1",
     "join_to_calendar adds the periods without rows only when the query groups by a time "
     "grain column (ds, week, year_month, ...): this answer has only the groups with rows"),
]


@pytest.mark.parametrize("b", BACKENDS)
@pytest.mark.parametrize("sql, pg_sql, note", NOTE_CASES, ids=["open-range", "no-grain"])
def test_join_to_calendar_without_a_bounded_range_answers_unfilled_with_a_note(
        mimir_tm, data, b, sql, pg_sql, note):
    conn = mimir_tm.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(sql.format(b=b))
            got = [tuple(r) for r in cur.fetchall()]
            assert cur._result.warning_count == 1
            cur.execute("SHOW WARNINGS")
            assert [tuple(r) for r in cur.fetchall()] == [("Note", 1003, note)]
            cur.execute("SHOW WARNINGS")  # reading the area leaves it
            assert len(cur.fetchall()) == 1
        assert_answers_select_1(conn)
    finally:
        conn.close()
    want = data.query(pg_sql.format(rows=local_rows("UTC")))
    assert_rows(got, want, "year_month" if "year_month" in sql else None)


# ---------------------------------------------------------------------------
# finer grains, no grain, non-additive bases
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("b", BACKENDS)
def test_minutes_on_amsterdams_spring_forward(mimir_tm, data, b):
    rng = ("2024-03-31", "2024-03-31")
    got, _ = ask(mimir_tm, AMS, f"SELECT ts_minute, AGG({b}_amount_ld), AGG({b}_amount_mtd) "
                                f"FROM mimir.metrics {where_of(rng)}GROUP BY ts_minute "
                                "ORDER BY ts_minute")
    spine = ("SELECT p FROM generate_series(timestamp '2024-03-31', timestamp '2024-03-31 23:59', "
             f"interval '1 minute') p WHERE {exists_in(AMS, 'ts_minute')}")
    want = data.query(f"""
        WITH prior AS (SELECT date_trunc('minute', lt) AS p, SUM(amount) AS v
                       FROM ({local_rows(AMS)}) r WHERE lt::date = '2024-03-30' GROUP BY 1),
             ld AS (SELECT s.p, prior.v FROM ({spine}) s
                    JOIN prior ON prior.p = s.p - interval '1 day'),
             mtd AS (SELECT s.p, SUM(amount) AS v FROM ({spine}) s
                     JOIN ({local_rows(AMS)}) r
                       ON r.lt >= '2024-03-01' AND r.lt < s.p + interval '1 minute'
                     GROUP BY s.p)
        SELECT p, ld.v, mtd.v FROM ld FULL JOIN mtd USING (p) ORDER BY 1""")
    assert len(want) > 1000
    assert_rows(got, want, "ts_hour")


@pytest.mark.parametrize("b", BACKENDS)
def test_growth_without_grain_over_a_range(mimir_tm, data, b):
    rng = ("2024-01-01", "2024-06-30")
    got, types = ask(mimir_tm, NY, f"SELECT AGG({b}_yoy), AGG({b}_ticket_ly) FROM mimir.metrics "
                                   f"{where_of(rng)}")
    rows = local_rows(NY)
    want = data.query(f"""
        SELECT (c.v - o.v) / NULLIF(o.v, 0), o.v / NULLIF(o.n, 0)
        FROM (SELECT SUM(amount) AS v FROM ({rows}) r
              WHERE lt::date BETWEEN '2024-01-01' AND '2024-06-30') c,
             (SELECT SUM(amount) AS v, COUNT(id) AS n FROM ({rows}) r
              WHERE lt::date BETWEEN '2023-01-01' AND '2023-06-30') o""")
    assert_rows(got, want, nkeys=0)
    assert types[0] == FIELD_TYPE.DOUBLE


def test_non_additive_cumulative_without_grain_is_computed_over_the_window(mimir_tm, data):
    for rng in (("2024-01-01", "2024-01-02"), ("2024-07-01", "2024-07-31"),
                ("2024-08-01", "2024-08-01")):
        got, _ = ask(mimir_tm, NY, f"SELECT AGG(pg_stores_mtd), AGG(pg_stores) FROM mimir.metrics "
                                   f"{where_of(rng)}")
        want = data.query(f"""
            SELECT (SELECT COUNT(DISTINCT store) FROM ({local_rows(NY)}) r
                    WHERE lt >= date_trunc('month', date '{rng[1]}') AND lt < date '{rng[1]}' + 1),
                   (SELECT COUNT(DISTINCT store) FROM ({local_rows(NY)}) r
                    WHERE lt::date BETWEEN '{rng[0]}' AND '{rng[1]}')""")
        assert_rows(got, want, nkeys=0)


@pytest.mark.parametrize("grain, rng", [("year_month", None), ("ds", ("2024-03-27", "2024-04-02")),
                                        ("week", ("2024-06-01", "2024-08-31"))])
def test_offsets_of_count_distinct_and_avg_by_grain(mimir_tm, data, grain, rng):
    """An offset needs no adding up: the source computes P' as a whole."""
    got, types = ask(mimir_tm, NY, f"SELECT {grain}, AGG(pg_stores_ly), AGG(pg_avg_lm) "
                                   f"FROM mimir.metrics {where_of(rng)}GROUP BY {grain} "
                                   f"ORDER BY {grain}")
    want = data.query(f"""
        SELECT p, s.v, a.v FROM ({offset_sql(NY, grain, 'ly', rng, base='stores')}) s
        FULL JOIN ({offset_sql(NY, grain, 'lm', rng, base='avg')}) a USING (p) ORDER BY 1""")
    assert want
    assert_rows(got, want, grain)
    plain, _ = described(mimir_tm, NY, f"SELECT {grain}, AGG(pg_stores), AGG(pg_avg) "
                                       f"FROM mimir.metrics {where_of(rng)}GROUP BY {grain}")
    assert [(t, None) for t in types] == [(t, None) for t, _ in plain]


def test_avg_window_without_grain_is_computed_over_the_window(mimir_tm, data):
    got, _ = ask(mimir_tm, AMS, "SELECT AGG(pg_avg_t7d) FROM mimir.metrics "
                                "WHERE ds BETWEEN '2024-03-01' AND '2024-03-31'")
    want = data.query(f"""SELECT AVG(amount) FROM ({local_rows(AMS)}) r
                          WHERE lt >= date '2024-04-01' - 7 AND lt < date '2024-04-01'""")
    assert_rows(got, want, nkeys=0)


# ---------------------------------------------------------------------------
# errors: the code, the message, and the connection still answers
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("b", BACKENDS)
@pytest.mark.parametrize("zone", ["UTC", NY])
@pytest.mark.parametrize("grain, step", [("ds", "1 day"), ("week", "1 week")])
def test_count_distinct_windows_by_grain(mimir_tm, data, b, zone, grain, step):
    """Not additive: each period's window is counted by the source itself (its rows joined
    to the windows), month-to-date and trailing 3 days, against PostgreSQL's own count
    over each window; a period whose window has no rows is not returned."""
    rng = ("2024-02-26", "2024-03-12")
    got, _ = ask(mimir_tm, zone, f"SELECT {grain}, AGG({b}_stores_mtd), AGG({b}_stores_t3d) "
                                 f"FROM mimir.metrics {where_of(rng)}GROUP BY {grain} "
                                 f"ORDER BY {grain}")
    trunc = "day" if grain == "ds" else "week"
    want = data.query(f"""
        WITH p AS (SELECT g AS p, g + interval '{step}' AS e FROM generate_series(
                     date_trunc('{trunc}', timestamp '{rng[0]}'),
                     date_trunc('{trunc}', timestamp '{rng[1]}'), interval '{step}') g)
        SELECT p::date,
               (SELECT COUNT(DISTINCT store) FROM ({local_rows(zone)}) r
                WHERE lt >= date_trunc('month', e - interval '1 microsecond') AND lt < e),
               (SELECT COUNT(DISTINCT store) FROM ({local_rows(zone)}) r
                WHERE lt >= e - interval '3 days' AND lt < e)
        FROM p ORDER BY 1""")
    want = [tuple(None if v == 0 else v for v in r) for r in want]
    want = [r for r in want if r[1] is not None or r[2] is not None]
    assert_rows(got, want, grain)


NEEDS_A_GRAIN = ("time metric '{m}' needs the query to group by one time grain (ds, week, "
                 "year_month, quarter, year, ts_hour, ..., or a truncation of ts to one of them); "
                 "it can't be computed by {what}")
ERRORS = [
    ("SELECT AGG(pg_amount_ly) FROM mimir.metrics",
     "offset metric 'pg_amount_ly' needs a time grain or a time range: group by ds, week, "
     "year_month, ... or filter ds BETWEEN '2024-01-01' AND '2024-12-31'"),
    ("SELECT store, AGG(lite_yoy) FROM mimir.metrics GROUP BY store",
     "offset metric 'lite_amount_ly' needs a time grain or a time range: group by ds, week, "
     "year_month, ... or filter ds BETWEEN '2024-01-01' AND '2024-12-31'"),
    ("SELECT AGG(maria_amount_t7d) FROM mimir.metrics",
     "cumulative metric 'maria_amount_t7d' needs a time grain or a time range with an end "
     "(ds <= '2024-12-31')"),
    ("SELECT AGG(pg_amount_mtd) FROM mimir.metrics WHERE ds >= '2024-01-01'",
     "cumulative metric 'pg_amount_mtd' needs a time grain or a time range with an end "
     "(ds <= '2024-12-31')"),
    ("SELECT MONTH(ts), AGG(pg_amount_ly) FROM mimir.metrics "
     "WHERE ds BETWEEN '2024-01-01' AND '2024-12-31' GROUP BY MONTH(ts)",
     NEEDS_A_GRAIN.format(m="pg_amount_ly", what="this time expression")),
    ("SELECT MONTH(ts) AS m, AGG(lite_amount_t7d) FROM mimir.metrics GROUP BY 1",
     NEEDS_A_GRAIN.format(m="lite_amount_t7d", what="this time expression")),
    ("SELECT ds, year_month, AGG(pg_amount_ly) FROM mimir.metrics "
     "WHERE ds BETWEEN '2024-01-01' AND '2024-01-02' GROUP BY ds, year_month",
     NEEDS_A_GRAIN.format(m="pg_amount_ly", what="two time grains")),
    # a cumulative over a derived metric it cannot compute exactly (one over an offset)
    ("SELECT AGG(pg_yoy_run) FROM mimir.metrics WHERE ds BETWEEN '2024-01-01' AND '2024-01-31'",
     "This version of Mimir doesn't yet support time metric 'pg_yoy_run' over time metric "
     "'pg_amount_ly'"),
    ("SELECT ds, AGG(pg_stores_mtd) FROM mimir.metrics WHERE ds >= '2024-01-01' GROUP BY ds",
     "cumulative metric 'pg_stores_mtd' by a time grain over a metric that does not add up "
     "from days (COUNT DISTINCT, AVG, ...) is computed by its source for each period, and "
     "needs a time range with both ends (ds BETWEEN '2024-01-01' AND '2024-12-31')"),
    ("SELECT week, AGG(pg_avg_t7d) FROM mimir.metrics GROUP BY week",
     "cumulative metric 'pg_avg_t7d' by a time grain over a metric that does not add up "
     "from days (COUNT DISTINCT, AVG, ...) is computed by its source for each period, and "
     "needs a time range with both ends (ds BETWEEN '2024-01-01' AND '2024-12-31')"),
]


@pytest.mark.parametrize("sql, message", ERRORS,
                         ids=["offset-alone", "offset-in-derived", "window-alone",
                              "to-date-open-end", "month-of-ts", "month-of-ts-cumulative",
                              "two-grains", "cumulative-of-derived-offset",
                              "count-distinct-by-day-open-end", "avg-by-week-open-range"])
def test_time_metric_errors(mimir_tm, data, sql, message):
    conn = mimir_tm.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SET time_zone = 'America/New_York'")
            with pytest.raises(pymysql.MySQLError) as e:
                cur.execute(sql)
            assert mysql_error(e) == (1235, message)
            # the same connection answers, a time metric too
            cur.execute("SELECT year, AGG(pg_amount_ly) FROM mimir.metrics GROUP BY year "
                        "ORDER BY year")
            got = [tuple(r) for r in cur.fetchall()]
        assert_answers_select_1(conn)
    finally:
        conn.close()
    assert_rows(got, data.query(offset_sql(NY, "year", "ly")), "year")


# ---------------------------------------------------------------------------
# other clients: `mimir query` and the mariadb command-line client
# ---------------------------------------------------------------------------


def csv_rows(text):
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], [tuple(r) for r in rows[1:]]


def text_of(v):
    return "" if v is None else str(v)


def test_cli_query_prints_the_offset_by_month(mimir_tm, data):
    """`mimir query -m pg_amount_ly -g MONTH` (the issue's acceptance command), in UTC."""
    proc = cli("query", "--configs", mimir_tm.configs, "--secrets", mimir_tm.secrets,
               "-m", "pg_amount_ly", "-g", "MONTH", "--format", "csv", check_status=0)
    header, rows = csv_rows(proc.stdout)
    assert header == ["year_month", "pg_amount_ly"]
    want = data.query(offset_sql("UTC", "year_month", "ly"))
    assert len(want) > 24
    assert rows == [(str(p.date()), text_of(v)) for p, v in want]


@pytest.mark.parametrize("b", ["pg", "lite"])
def test_cli_query_by_day_around_march_month_ends(mimir_tm, data, b):
    """By day over Mar 27 - Apr 2 2024: Mar 29-31 read Feb 29; trailing 7 days."""
    proc = cli("query", "--configs", mimir_tm.configs, "--secrets", mimir_tm.secrets,
               "-m", f"{b}_amount_lm,{b}_amount_t7d", "-g", "DAY", "--start-date",
               "2024-03-27", "--end-date", "2024-04-02", "--format", "csv", check_status=0)
    header, rows = csv_rows(proc.stdout)
    assert header == ["ds", f"{b}_amount_lm", f"{b}_amount_t7d"]
    rng = ("2024-03-27", "2024-04-02")
    want = data.query(f"""
        SELECT p, o.v, t.v FROM ({offset_sql('UTC', 'ds', 'lm', rng)}) o
        FULL JOIN ({cumulative_sql('UTC', 'ds', 't7d', *rng)}) t USING (p) ORDER BY 1""")
    assert len(want) == 7
    assert rows == [(str(p.date()), text_of(o), text_of(t)) for p, o, t in want]


def test_mariadb_client_in_new_york(mimir_tm, data):
    sql = ("SET time_zone = 'America/New_York'; "
           "SELECT year_month, AGG(maria_amount_ly) AS ly, AGG(maria_amount_mtd) AS mtd, "
           "AGG(maria_amount_cal) AS cal FROM mimir.metrics "
           "WHERE ds BETWEEN '2024-01-01' AND '2024-12-31' GROUP BY year_month ORDER BY 1")
    result = mimir_tm.mariadb_cli(sql)
    assert result.columns == ["year_month", "ly", "mtd", "cal"]
    rng = ("2024-01-01", "2024-12-31")
    want = data.query(f"""
        SELECT p, o.v, m.v, c.amount FROM ({calendar_sql(NY, 'year_month', rng)}) c
        LEFT JOIN ({offset_sql(NY, 'year_month', 'ly', rng)}) o USING (p)
        LEFT JOIN ({cumulative_sql(NY, 'year_month', 'mtd', *rng)}) m USING (p) ORDER BY 1""")
    assert len(want) == 12 and want[6][3] is None
    assert list(result) == [(str(p.date()), *("NULL" if v is None else str(v) for v in vs))
                            for p, *vs in want]


# ---------------------------------------------------------------------------
# other spellings: 2 years, 1 week, 2 quarters, to-date by week and quarter, 2 weeks
# ---------------------------------------------------------------------------

SPELLING_CASES = [("l2y", "year", None), ("l2y", "year_month", ("2025-01-01", "2025-06-30")),
                  ("l1w", "ds", ("2024-02-14", "2024-02-25")), ("l1w", "week", None),
                  ("l2q", "quarter", None), ("l2q", "ds", ("2024-08-28", "2024-09-02"))]


@pytest.mark.parametrize("kind, grain, rng", SPELLING_CASES,
                         ids=[f"{k}-{g}" for k, g, _ in SPELLING_CASES])
def test_offset_spellings(mimir_tm, data, kind, grain, rng):
    got, _ = ask(mimir_tm, NY, f"SELECT {grain}, AGG(pg_amount_{kind}) FROM mimir.metrics "
                               f"{where_of(rng)}GROUP BY {grain} ORDER BY {grain}")
    want = data.query(offset_sql(NY, grain, kind, rng))
    assert want
    assert_rows(got, want, grain)


@pytest.mark.parametrize("kind", ["wtd", "qtd", "t2w"])
@pytest.mark.parametrize("grain, rng", [("ds", ("2024-03-25", "2024-04-09")),
                                        ("week", ("2024-06-01", "2024-08-15")),
                                        ("year_month", None)])
def test_cumulative_spellings(mimir_tm, data, kind, grain, rng):
    got, _ = ask(mimir_tm, AMS, f"SELECT {grain}, AGG(pg_amount_{kind}) FROM mimir.metrics "
                                f"{where_of(rng)}GROUP BY {grain} ORDER BY {grain}")
    want = data.query(cumulative_sql(AMS, grain, kind, *(rng or (None, None))))
    assert want
    assert_rows(got, want, grain)


def test_the_shifted_range_is_pushed_into_the_source(mimir_tm):
    """The offset's rows are fetched with the range shifted back, in the source's WHERE
    (not approximated from the current periods)."""
    conn = mimir_tm.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("EXPLAIN SELECT year_month, AGG(pg_amount_ly), AGG(pg_amount) "
                        "FROM mimir.metrics WHERE ds BETWEEN '2024-01-01' AND '2024-06-15' "
                        "GROUP BY year_month")
            steps = [r for r in cur.fetchall() if r[1] == "ev_pg"]
    finally:
        conn.close()
    assert len(steps) == 2
    params = sorted(s[5] for s in steps)
    assert any("'2023-01-01'" in p for p in params), params
    assert any("'2024-01-01'" in p for p in params), params
    assert all("WHERE tm_events.ts >=" in s[4] for s in steps)


# ---------------------------------------------------------------------------
# with other filters and dimensions, several backends in one query
# ---------------------------------------------------------------------------


def store_rows(zone, store):
    return f"SELECT * FROM ({local_rows(zone)}) x WHERE store = '{store}'"


@pytest.mark.parametrize("b", BACKENDS)
def test_a_store_filter_applies_to_offsets_and_windows(mimir_tm, data, b):
    rng = ("2024-01-01", "2024-12-31")
    got, _ = ask(mimir_tm, NY, f"SELECT year_month, AGG({b}_amount_ly), AGG({b}_amount_t1m), "
                               f"AGG({b}_amount) FROM mimir.metrics {where_of(rng)}"
                               "AND store = 'south' GROUP BY year_month ORDER BY year_month")
    # the same hand-written SQL over the south store's rows only
    south = store_rows(NY, "south")
    want = data.query(f"""
        SELECT p, o.v, t.v, c.v
        FROM ({offset_sql(NY, 'year_month', 'ly', rng, rows=south)}) o
        FULL JOIN ({cumulative_sql(NY, 'year_month', 't1m', *rng, rows=south)}) t USING (p)
        FULL JOIN ({grouped_sql(NY, 'year_month', rng, table=south)}) c USING (p)
        ORDER BY 1""")
    assert len(want) == 12
    assert_rows(got, want, "year_month")


@pytest.mark.parametrize("b", BACKENDS)
def test_cumulative_by_day_and_store(mimir_tm, data, b):
    """Each store's own trailing window; a store's day is returned when its window has
    rows of that store."""
    rng = ("2024-05-10", "2024-05-20")
    got, _ = ask(mimir_tm, AMS, f"SELECT ds, store, AGG({b}_amount_t7d), AGG({b}_count_run) "
                                f"FROM mimir.metrics {where_of(rng)}GROUP BY ds, store "
                                "ORDER BY ds, store")
    want = data.query(f"""
        WITH spine AS (SELECT generate_series(timestamp '{rng[0]}', timestamp '{rng[1]}',
                                              interval '1 day') AS p)
        SELECT spine.p, r.store,
               SUM(amount) FILTER (WHERE r.lt >= spine.p + interval '1 day' - interval '7 days'),
               COUNT(id)
        FROM spine JOIN ({local_rows(AMS)}) r ON r.lt < spine.p + interval '1 day'
        GROUP BY 1, 2 ORDER BY 1, 2""")
    assert len(want) == 11 * 3
    assert_rows(got, want, "ds", nkeys=2)


@pytest.mark.parametrize("zone", ["UTC", NY])
def test_three_backends_in_one_query(mimir_tm, data, zone):
    """An offset on PostgreSQL, a window on MariaDB, a filled series on SQLite and the
    visits, by day over the missing July: one FULL OUTER JOIN of their periods, filled."""
    rng = ("2024-06-27", "2024-08-03")
    got, _ = ask(mimir_tm, zone, "SELECT ds, AGG(pg_amount_ly), AGG(maria_amount_t7d), "
                                 "AGG(lite_amount_cal), AGG(visits) FROM mimir.metrics "
                                 f"{where_of(rng)}GROUP BY ds ORDER BY ds")
    want = data.query(f"""
        SELECT p, o.v, t.v, c.amount, v.v FROM ({calendar_sql(zone, 'ds', rng)}) c
        LEFT JOIN ({offset_sql(zone, 'ds', 'ly', rng)}) o USING (p)
        LEFT JOIN ({cumulative_sql(zone, 'ds', 't7d', *rng)}) t USING (p)
        LEFT JOIN ({grouped_sql(zone, 'ds', rng, 'count', visits_rows(zone))}) v USING (p)
        ORDER BY 1""")
    assert len(want) == 38
    assert_rows(got, want, "ds")


@pytest.mark.parametrize("zone", ["UTC", NY])
def test_derived_over_a_cumulative(mimir_tm, data, zone):
    """A day's share of its month to date."""
    rng = ("2024-02-25", "2024-03-05")
    got, types = ask(mimir_tm, zone, "SELECT ds, AGG(pg_share_of_mtd) FROM mimir.metrics "
                                     f"{where_of(rng)}GROUP BY ds ORDER BY ds")
    want = data.query(f"""
        SELECT p, c.v / NULLIF(m.v, 0) FROM ({cumulative_sql(zone, 'ds', 'mtd', *rng)}) m
        FULL JOIN ({grouped_sql(zone, 'ds', rng)}) c USING (p) ORDER BY 1""")
    assert len(want) == 10
    assert_rows(got, want, "ds")
    assert types[1] == FIELD_TYPE.DOUBLE


@pytest.mark.parametrize("b", BACKENDS)
def test_offset_by_day_over_a_ts_range(mimir_tm, data, b):
    """ts bounds within days: the first and last P' are partial days, shifted a month."""
    got, _ = ask(mimir_tm, NY, f"SELECT ds, AGG({b}_amount_lm) FROM mimir.metrics "
                               "WHERE ts >= '2024-03-30 12:00:00' AND ts < '2024-04-02 06:00:00' "
                               "GROUP BY ds ORDER BY ds")
    want = data.query(f"""
        WITH prior AS (SELECT date_trunc('day', lt) AS p, SUM(amount) AS v
                       FROM ({local_rows(NY)}) r
                       WHERE lt >= timestamp '2024-03-30 12:00' - interval '1 month'
                         AND lt < timestamp '2024-04-02 06:00' - interval '1 month'
                       GROUP BY 1),
             spine AS (SELECT generate_series(timestamp '2024-03-30', timestamp '2024-04-02',
                                              interval '1 day') AS p)
        SELECT spine.p, prior.v FROM spine
        JOIN prior ON prior.p = date_trunc('day', spine.p - interval '1 month') ORDER BY 1""")
    assert len(want) == 4
    assert_rows(got, want, "ds")


# ---------------------------------------------------------------------------
# BI tools' own truncations of ts (recognised by what they compute, planner/time_probe.c)
# ---------------------------------------------------------------------------

# tests/compat/tableau.yaml, tableau-month-trunc
TABLEAU_MONTH = "ADDDATE(DATE_FORMAT(`metrics`.`ts`, '%Y-%m-01 00:00:00'), INTERVAL 0 SECOND)"
# tests/compat/superset.yaml, superset-grain-week (P1W: weeks start on Sunday)
SUPERSET_WEEK = "DATE(DATE_SUB(ts, INTERVAL DAYOFWEEK(ts) - 1 DAY))"


@pytest.mark.parametrize("b", BACKENDS)
@pytest.mark.parametrize("zone", ["UTC", NY])
def test_tableau_month_truncation(mimir_tm, data, b, zone):
    """Tableau's month truncation is the month grain: an offset, a cumulative and a
    calendar metric (the empty July 2024 filled) by it, labelled as Tableau labels them."""
    rng = ("2024-03-01", "2024-09-30")
    got, _ = ask(mimir_tm, zone,
                 f"SELECT {TABLEAU_MONTH} AS `tmn_ts_ok`, SUM(`metrics`.`{b}_amount_ly`) "
                 f"AS `a`, SUM(`metrics`.`{b}_amount_mtd`) AS `b`, "
                 f"SUM(`metrics`.`{b}_amount_cal`) AS `c` FROM `mimir`.`metrics` "
                 f"WHERE ds BETWEEN '{rng[0]}' AND '{rng[1]}' GROUP BY 1 ORDER BY 1")
    # Tableau's labels, as the backend computes them (a MariaDB source answers
    # ADDDATE(<string>, ...) with a string, as MySQL types it)
    assert all(str(r[0]).endswith(" 00:00:00") for r in got)
    ly = dict(data.query(offset_sql(zone, "year_month", "ly", rng)))
    mtd = dict(data.query(cumulative_sql(zone, "year_month", "mtd", *rng)))
    cal = dict(data.query(f"""SELECT date_trunc('month', lt), SUM(amount)
                              FROM ({local_rows(zone)}) r
                              WHERE lt::date BETWEEN '{rng[0]}' AND '{rng[1]}' GROUP BY 1"""))
    months = [datetime.datetime(2024, m, 1) for m in range(3, 10)]
    assert datetime.datetime(2024, 7, 1) not in cal  # the gap month, filled by the calendar
    want = [(m, ly.get(m), mtd.get(m), cal.get(m)) for m in months]
    assert_rows(got, want, "year_month")


@pytest.mark.parametrize("b", BACKENDS)
@pytest.mark.parametrize("zone", ["UTC", AMS])
def test_superset_week_grain(mimir_tm, data, b, zone):
    """Superset's P1W (Sunday weeks) under a Monday calendar: the offset of 7 days reads the
    Sunday week before, the trailing month ends with each Sunday week; against
    PostgreSQL's Sunday weeks (date_trunc of the next day, less a day)."""
    rng = ("2024-03-03", "2024-04-27")  # a Sunday to a Saturday: whole weeks
    got, types = ask(mimir_tm, zone,
                     f"SELECT {SUPERSET_WEEK} AS __timestamp, SUM({b}_amount_lw) AS a, "
                     f"SUM({b}_amount_t1m) AS b FROM mimir.metrics "
                     f"WHERE ds BETWEEN '{rng[0]}' AND '{rng[1]}' "
                     f"GROUP BY {SUPERSET_WEEK} LIMIT 10000")
    assert types[0] == FIELD_TYPE.DATE
    sunday = "(date_trunc('week', lt + interval '1 day') - interval '1 day')"
    want = data.query(f"""
        WITH spine AS (SELECT p FROM generate_series(timestamp '{rng[0]}', timestamp '{rng[1]}',
                                                     interval '7 days') p),
             weekly AS (SELECT {sunday} AS p, SUM(amount) AS v FROM ({local_rows(zone)}) r
                        GROUP BY 1)
        SELECT spine.p,
               (SELECT v FROM weekly WHERE weekly.p = spine.p - interval '7 days'),
               (SELECT SUM(amount) FROM ({local_rows(zone)}) r
                WHERE lt >= spine.p + interval '7 days' - interval '1 month'
                  AND lt < spine.p + interval '7 days')
        FROM spine ORDER BY 1""")
    assert_rows(sorted(got, key=lambda r: r[0]), want, "ds")
# one day, exclusive ends, open ends without grain
# ---------------------------------------------------------------------------

ONE_DAY_CASES = [("2024-02-29", "ly"), ("2024-03-31", "lm"), ("2024-05-31", "lm"),
                 ("2024-03-15", "lq"), ("2024-02-29", "lm"), ("2024-03-30", "lm"),
                 ("2024-05-31", "lq"), ("2024-03-31", "l2q")]


@pytest.mark.parametrize("day, kind, b", [
    (d, k, b) for d, k in ONE_DAY_CASES for b in (BACKENDS if k != "l2q" else ["pg"])])
def test_offset_of_one_day(mimir_tm, data, b, day, kind):
    """ds = d, offset back: the one day DATE_SUB(d, offset) (Feb 29 - 1 month is Jan 29,
    not Jan 29-31; Mar 30 - 1 month is Feb 29, not nothing)."""
    got, _ = ask(mimir_tm, "UTC", f"SELECT AGG({b}_amount_{kind}) FROM mimir.metrics "
                                  f"WHERE ds = '{day}'")
    want = data.query(f"""SELECT SUM(amount) FROM ({local_rows('UTC')}) r
                          WHERE lt::date = (date '{day}' - interval '{INTERVAL[kind]}')::date""")
    assert want[0][0] is not None
    assert_rows(got, want, nkeys=0)
    got, _ = ask(mimir_tm, "UTC", f"SELECT ds, AGG({b}_amount_{kind}) FROM mimir.metrics "
                                  f"WHERE ds = '{day}' GROUP BY ds")
    want = data.query(offset_sql("UTC", "ds", kind, (day, day)))
    assert len(want) == 1
    assert_rows(got, want, "ds")


@pytest.mark.parametrize("b", BACKENDS)
def test_offset_with_an_exclusive_end(mimir_tm, data, b):
    """ds >= a AND ds < b: b - 1 month stays exclusive (May 31 - 1 month = Apr 30)."""
    got, _ = ask(mimir_tm, NY, f"SELECT AGG({b}_amount_lm), AGG({b}_amount_lq) FROM mimir.metrics "
                               "WHERE ds >= '2024-03-31' AND ds < '2024-05-31'")
    want = data.query(f"""
        SELECT (SELECT SUM(amount) FROM ({local_rows(NY)}) r
                WHERE lt::date >= (date '2024-03-31' - interval '1 month')::date
                  AND lt::date < (date '2024-05-31' - interval '1 month')::date),
               (SELECT SUM(amount) FROM ({local_rows(NY)}) r
                WHERE lt::date >= (date '2024-03-31' - interval '3 months')::date
                  AND lt::date < (date '2024-05-31' - interval '3 months')::date)""")
    assert_rows(got, want, nkeys=0)
    got, _ = ask(mimir_tm, NY, f"SELECT week, AGG({b}_amount_lm) FROM mimir.metrics "
                               "WHERE ds >= '2024-03-31' AND ds < '2024-05-31' GROUP BY week "
                               "ORDER BY week")
    want = data.query(f"""
        WITH spine AS (SELECT generate_series(timestamp '2024-03-25', timestamp '2024-05-27',
                                              interval '1 week') AS p),
             prior AS (SELECT date_trunc('week', lt) AS p, SUM(amount) AS v
                       FROM ({local_rows(NY)}) r
                       WHERE lt::date >= (date '2024-03-31' - interval '1 month')::date
                         AND lt::date < (date '2024-05-31' - interval '1 month')::date
                       GROUP BY 1)
        SELECT spine.p, prior.v FROM spine
        JOIN prior ON prior.p = date_trunc('week', spine.p - interval '1 month') ORDER BY 1""")
    assert_rows(got, want, "week")


@pytest.mark.parametrize("b, op", [
    ("pg", "<"), ("maria", "<"), ("lite", "<"), ("pg", "<="), ("maria", "<="),
    ("lite", "<=")])
def test_to_date_without_grain_ends_at_a_ts_bound(mimir_tm, data, b, op):
    got, _ = ask(mimir_tm, AMS, f"SELECT AGG({b}_amount_mtd), AGG({b}_amount_t7d), "
                                f"AGG({b}_amount_run) FROM mimir.metrics "
                                f"WHERE ts {op} '2024-03-31 01:40:00'")
    rows = local_rows(AMS)
    end = "timestamp '2024-03-31 01:40'"
    want = data.query(f"""
        SELECT (SELECT SUM(amount) FROM ({rows}) r WHERE lt >= '2024-03-01' AND lt {op} {end}),
               (SELECT SUM(amount) FROM ({rows}) r
                WHERE lt >= {end} - interval '7 days' AND lt {op} {end}),
               (SELECT SUM(amount) FROM ({rows}) r WHERE lt {op} {end})""")
    ((n,),) = data.query(f"SELECT COUNT(*) FROM ({rows}) r WHERE lt = {end}")
    assert n == 1  # a row at the bound: < and <= differ
    assert_rows(got, want, nkeys=0)


# ---------------------------------------------------------------------------
# the shapes BI tools wrap queries in
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("b", BACKENDS)
def test_aliases_positions_and_derived_tables(mimir_tm, data, b):
    rng = ("2024-01-01", "2024-06-30")
    got, _ = ask(mimir_tm, NY, f"SELECT year_month AS m, AGG({b}_amount_ly) AS ly "
                               f"FROM mimir.metrics {where_of(rng)}GROUP BY m ORDER BY m DESC")
    want = data.query(offset_sql(NY, "year_month", "ly", rng))
    assert_rows(got, list(reversed(want)), "year_month")
    got, _ = ask(mimir_tm, NY, f"SELECT year_month, AGG({b}_amount_ytd) FROM mimir.metrics "
                               f"{where_of(rng)}GROUP BY 1 ORDER BY 2 DESC LIMIT 2")
    want = data.query(f"SELECT p, v FROM ({cumulative_sql(NY, 'year_month', 'ytd', *rng)}) c "
                      "ORDER BY v DESC LIMIT 2")
    assert_rows(got, want, "year_month")
    got, _ = ask(mimir_tm, NY, f"SELECT MAX(ly), MIN(ly), COUNT(*) FROM (SELECT year_month, "
                               f"AGG({b}_amount_ly) AS ly FROM mimir.metrics "
                               "GROUP BY year_month) t")
    want = data.query(f"SELECT MAX(v), MIN(v), COUNT(*) FROM "
                      f"({offset_sql(NY, 'year_month', 'ly')}) o")
    assert_rows(got, want, nkeys=0)


@pytest.mark.parametrize("b", BACKENDS)
@pytest.mark.parametrize("grain, rng", [("year", ("2022-06-01", "2026-03-01")),
                                        ("quarter", ("2025-05-01", "2025-12-31"))])
def test_join_to_calendar_beyond_the_data(mimir_tm, data, b, grain, rng):
    got, _ = ask(mimir_tm, AMS, f"SELECT {grain}, AGG({b}_amount_cal) FROM mimir.metrics "
                                f"{where_of(rng)}GROUP BY {grain} ORDER BY {grain}")
    want = data.query(f"SELECT p, amount FROM ({calendar_sql(AMS, grain, rng)}) c ORDER BY 1")
    assert want[-1][1] is None
    assert_rows(got, want, grain)


# ---------------------------------------------------------------------------
# column metadata
# ---------------------------------------------------------------------------


def described(server, zone, sql):
    conn = server.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SET time_zone = %s", (zone,))
            cur.execute(sql)
            cur.fetchall()
            return [(d[1], d[5]) for d in cur.description], cur._result.warning_count
    finally:
        conn.close()


METADATA_SETS = {"cumulative": "AGG({b}_amount_t7d), AGG({b}_count_run)",
                 "offset": "AGG({b}_amount_ly), AGG({b}_count_ly)",
                 "calendar": "AGG({b}_amount_cal), AGG({b}_count)"}


@pytest.mark.parametrize("grain, b, kind", [
    (g, b, k) for g in GRAINS + ["ts_hour"] for b in BACKENDS for k in METADATA_SETS])
def test_columns_have_the_types_of_the_plain_query(mimir_tm, b, grain, kind):
    """The grain column has the type it has without time metrics, and a time metric
    the type (and scale) of its base metric: DECIMAL(.., 2) for sums, BIGINT for counts."""
    rng = "WHERE ds BETWEEN '2024-03-01' AND '2024-03-02' "
    plain, _ = described(mimir_tm, NY, f"SELECT {grain}, AGG({b}_amount), AGG({b}_count) "
                                       f"FROM mimir.metrics {rng}GROUP BY {grain}")
    assert plain[1] == (FIELD_TYPE.NEWDECIMAL, 2) and plain[2][0] == FIELD_TYPE.LONGLONG
    metrics = METADATA_SETS[kind].format(b=b)
    types, warnings = described(mimir_tm, NY, f"SELECT {grain}, {metrics} FROM mimir.metrics "
                                              f"{rng}GROUP BY {grain}")
    assert types == plain
    assert warnings == 0


# ---------------------------------------------------------------------------
# ts bounds inside the hours daylight saving repeats or skips
# ---------------------------------------------------------------------------

DST_BOUNDS = [(NY, "2024-11-03 01:30:00"), (NY, "2024-11-03 01:00:00"),
              (NY, "2024-03-10 02:30:00"), (AMS, "2024-10-27 02:20:00"),
              (AMS, "2024-03-31 02:40:00")]


@pytest.mark.parametrize("b", BACKENDS)
@pytest.mark.parametrize("zone, bound", DST_BOUNDS, ids=[f"{z}-{t}" for z, t in DST_BOUNDS])
def test_time_metrics_with_a_bound_in_a_dst_hour(mimir_tm, data, mariadb, b, zone, bound):
    """A bound on the wall clock of a repeated (or skipped) hour, as MySQL compares a
    TIMESTAMP in the session's zone: the plain metric as MariaDB answers it, the
    windows ending there and the offsets reading a day later's bound shifted back."""
    got, _ = ask(mimir_tm, zone, f"SELECT AGG({b}_amount), AGG({b}_amount_t7d), "
                                 f"AGG({b}_amount_mtd), AGG({b}_count_run) FROM mimir.metrics "
                                 f"WHERE ts < '{bound}'")
    rows, end = local_rows(zone), f"timestamp '{bound}'"
    want = data.query(f"""
        SELECT (SELECT SUM(amount) FROM ({rows}) r WHERE lt < {end}),
               (SELECT SUM(amount) FROM ({rows}) r
                WHERE lt >= {end} - interval '7 days' AND lt < {end}),
               (SELECT SUM(amount) FROM ({rows}) r
                WHERE lt >= date_trunc('month', {end}) AND lt < {end}),
               (SELECT COUNT(id) FROM ({rows}) r WHERE lt < {end})""")
    assert_rows(got, want, nkeys=0)
    ((oracle,),) = mariadb.query_in_zone(zone, f"SELECT SUM(amount) FROM events "
                                               f"WHERE ts < '{bound}'", MARIA_DB)
    assert oracle == want[0][0]
    # a day later, 1 day back: the same wall-clock range of the DST day
    later = datetime.datetime.fromisoformat(bound) + datetime.timedelta(days=1)
    start = later - datetime.timedelta(hours=2)
    got, _ = ask(mimir_tm, zone, f"SELECT AGG({b}_amount_ld) FROM mimir.metrics "
                                 f"WHERE ts >= '{start}' AND ts <= '{later}'")
    want = data.query(f"""SELECT SUM(amount) FROM ({rows}) r
                          WHERE lt >= timestamp '{start}' - interval '1 day'
                            AND lt <= timestamp '{later}' - interval '1 day'""")
    assert want[0][0] is not None
    assert_rows(got, want, nkeys=0)


@pytest.mark.parametrize("b", BACKENDS)
@pytest.mark.parametrize("zone, rng", [(NY, ("2024-11-03 00:30:00", "2024-11-03 03:10:00")),
                                       (AMS, ("2024-10-27 01:50:00", "2024-10-27 03:30:00")),
                                       (NY, ("2024-03-10 01:10:00", "2024-03-10 03:40:00"))],
                         ids=["ny-fall", "ams-fall", "ny-spring"])
def test_hours_over_a_ts_range_across_a_dst_change(mimir_tm, data, b, zone, rng):
    """By ts_hour over a ts range: the periods overlapping it (the zone's hours), the
    trailing day's window and the offset a week back, clipped to the shifted range."""
    got, _ = ask(mimir_tm, zone, f"SELECT ts_hour, AGG({b}_amount_t7d), AGG({b}_amount_lw), "
                                 f"AGG({b}_count) FROM mimir.metrics WHERE ts >= '{rng[0]}' "
                                 f"AND ts < '{rng[1]}' GROUP BY ts_hour ORDER BY ts_hour")
    rows = local_rows(zone)
    lo, hi = f"timestamp '{rng[0]}'", f"timestamp '{rng[1]}'"
    want = data.query(f"""
        WITH spine AS (SELECT p FROM generate_series(date_trunc('hour', {lo}),
                                                     date_trunc('hour', {hi}), '1 hour') p
                       WHERE {exists_in(zone, 'ts_hour')} AND p < {hi}),
             t7d AS (SELECT spine.p, SUM(amount) AS v FROM spine JOIN ({rows}) r
                       ON r.lt < spine.p + interval '1 hour'
                      AND r.lt >= spine.p + interval '1 hour' - interval '7 days'
                     GROUP BY 1),
             prior AS (SELECT date_trunc('hour', lt) AS p, SUM(amount) AS v FROM ({rows}) r
                       WHERE lt >= {lo} - interval '7 days' AND lt < {hi} - interval '7 days'
                       GROUP BY 1),
             lw AS (SELECT spine.p, prior.v FROM spine
                    JOIN prior ON prior.p = spine.p - interval '7 days'),
             c AS (SELECT date_trunc('hour', lt) AS p, COUNT(id) AS v FROM ({rows}) r
                   WHERE lt >= {lo} AND lt < {hi} GROUP BY 1)
        SELECT p, t7d.v, lw.v, c.v FROM t7d FULL JOIN lw USING (p) FULL JOIN c USING (p)
        ORDER BY 1""")
    assert len(want) >= 2  # 01:00 and 03:00 of New York's 2024-03-10
    assert_rows(got, want, "ts_hour")


@pytest.mark.parametrize("b", BACKENDS)
def test_join_to_calendar_with_a_window_and_a_store(mimir_tm, data, b):
    """Every day of the range with every store of the result, the trailing window per
    store beside it: in July the calendar's rows carry the window's June rows."""
    rng = ("2024-06-28", "2024-07-04")
    got, _ = ask(mimir_tm, "UTC", f"SELECT ds, store, AGG({b}_amount_cal), AGG({b}_amount_t7d) "
                                  f"FROM mimir.metrics {where_of(rng)}GROUP BY ds, store "
                                  "ORDER BY ds, store")
    rows = local_rows("UTC")
    want = data.query(f"""
        WITH cal AS (SELECT generate_series(timestamp '{rng[0]}', timestamp '{rng[1]}',
                                            interval '1 day') AS p),
             st AS (SELECT DISTINCT store FROM ({rows}) r
                    WHERE lt >= timestamp '{rng[0]}' - interval '6 days'
                      AND lt < date '{rng[1]}' + 1),
             g AS (SELECT date_trunc('day', lt) AS p, store, SUM(amount) AS v FROM ({rows}) r
                   WHERE lt::date BETWEEN '{rng[0]}' AND '{rng[1]}' GROUP BY 1, 2),
             w AS (SELECT cal.p, r.store, SUM(amount) AS v FROM cal JOIN ({rows}) r
                     ON r.lt < cal.p + interval '1 day' AND r.lt >= cal.p - interval '6 days'
                   GROUP BY 1, 2)
        SELECT cal.p, st.store, g.v, w.v FROM cal CROSS JOIN st
        LEFT JOIN g USING (p, store) LEFT JOIN w USING (p, store) ORDER BY 1, 2""")
    assert len(want) == 7 * 3 and [r for r in want if r[2] is None and r[3] is not None]
    assert_rows(got, want, "ds", nkeys=2)


@pytest.mark.parametrize("b", BACKENDS)
def test_join_to_calendar_beside_an_offset_past_the_data(mimir_tm, data, b):
    """After the data ends (mid 2025), the calendar's months hold last year's values."""
    rng = ("2025-04-01", "2025-12-31")
    got, _ = ask(mimir_tm, NY, f"SELECT year_month, AGG({b}_amount_cal), AGG({b}_amount_ly), "
                               f"AGG({b}_yoy) FROM mimir.metrics {where_of(rng)}"
                               "GROUP BY year_month ORDER BY year_month")
    want = data.query(f"""
        SELECT p, c.amount, o.v, (c.amount - o.v) / NULLIF(o.v, 0)
        FROM ({calendar_sql(NY, 'year_month', rng)}) c
        LEFT JOIN ({offset_sql(NY, 'year_month', 'ly', rng)}) o USING (p) ORDER BY 1""")
    assert len(want) == 9 and want[-1][1] is None and want[-1][2] is not None
    assert_rows(got, want, "year_month")


@pytest.mark.parametrize("b", BACKENDS)
def test_time_metrics_by_store_without_grain(mimir_tm, data, b):
    """No grain, a store dimension: each store's shifted range and window."""
    rng = ("2024-04-01", "2024-05-31")
    got, _ = ask(mimir_tm, AMS, f"SELECT store, AGG({b}_amount_ly), AGG({b}_amount_lm), "
                                f"AGG({b}_amount_mtd), AGG({b}_count_run), AGG({b}_amount) "
                                f"FROM mimir.metrics {where_of(rng)}GROUP BY store ORDER BY store")
    rows = local_rows(AMS)
    want = data.query(f"""
        SELECT store,
               SUM(amount) FILTER (WHERE lt::date BETWEEN '2023-04-01' AND '2023-05-31'),
               SUM(amount) FILTER (WHERE lt::date BETWEEN '2024-03-01' AND '2024-04-30'),
               SUM(amount) FILTER (WHERE lt >= '2024-05-01' AND lt < '2024-06-01'),
               COUNT(id) FILTER (WHERE lt < '2024-06-01'),
               SUM(amount) FILTER (WHERE lt::date BETWEEN '{rng[0]}' AND '{rng[1]}')
        FROM ({rows}) r GROUP BY store ORDER BY store""")
    assert len(want) == 3
    assert_rows(got, want)


@pytest.mark.parametrize("b", BACKENDS)
def test_several_offsets_and_windows_of_one_base_with_having(mimir_tm, data, b):
    rng = ("2024-03-25", "2024-04-07")
    got, _ = ask(mimir_tm, NY, f"SELECT ds, AGG({b}_amount_ly), AGG({b}_amount_lm), "
                               f"AGG({b}_amount_lq), AGG({b}_amount_lw), AGG({b}_amount_t1m) "
                               f"FROM mimir.metrics {where_of(rng)}GROUP BY ds "
                               f"HAVING AGG({b}_amount_lm) > AGG({b}_amount_lw) "
                               "ORDER BY ds")
    want = data.query(f"""
        SELECT p, ly.v, lm.v, lq.v, lw.v, t.v
        FROM ({offset_sql(NY, 'ds', 'ly', rng)}) ly
        FULL JOIN ({offset_sql(NY, 'ds', 'lm', rng)}) lm USING (p)
        FULL JOIN ({offset_sql(NY, 'ds', 'lq', rng)}) lq USING (p)
        FULL JOIN ({offset_sql(NY, 'ds', 'lw', rng)}) lw USING (p)
        FULL JOIN ({cumulative_sql(NY, 'ds', 't1m', *rng)}) t USING (p)
        WHERE lm.v > lw.v ORDER BY 1""")
    assert 0 < len(want) < 14
    assert_rows(got, want, "ds")


@pytest.mark.parametrize("b", BACKENDS)
def test_cli_query_offset_over_dates_without_grain(mimir_tm, data, b):
    """--start-date 2024-03-31 --end-date 2024-05-30, a month back: Feb 29 .. Apr 30."""
    proc = cli("query", "--configs", mimir_tm.configs, "--secrets", mimir_tm.secrets,
               "-m", f"{b}_amount_lm,{b}_amount_t7d", "--start-date", "2024-03-31",
               "--end-date", "2024-05-30", "--format", "csv", check_status=0)
    header, rows = csv_rows(proc.stdout)
    assert header == [f"{b}_amount_lm", f"{b}_amount_t7d"]
    want = data.query("""
        SELECT (SELECT SUM(amount) FROM tm_events
                WHERE ts::date BETWEEN (date '2024-03-31' - interval '1 month')::date
                                   AND (date '2024-05-30' - interval '1 month')::date),
               (SELECT SUM(amount) FROM tm_events
                WHERE ts >= date '2024-05-31' - 7 AND ts < date '2024-05-31')""")
    assert rows == [tuple(text_of(v) for v in want[0])]


def test_mariadb_client_shows_the_refusal_and_goes_on(mimir_tm, data):
    """A script with --force: the refused offset prints MySQL's error line, the next
    statement still answers."""
    proc = mimir_tm.mariadb_cli_run(
        "SELECT AGG(pg_amount_ly) FROM mimir.metrics;\n"
        "SELECT AGG(pg_amount_ly) FROM mimir.metrics WHERE ds = '2024-03-01';\n",
        "--force", script=True)
    assert ("ERROR 1235 (42000) at line 1: offset metric 'pg_amount_ly' needs a time grain "
            "or a time range") in proc.stderr
    ((want,),) = data.query("SELECT SUM(amount) FROM tm_events WHERE ts::date = '2023-03-01'")
    assert proc.stdout.split("\n")[:2] == ["AGG(pg_amount_ly)", str(want)]


@pytest.mark.parametrize("b", BACKENDS)
@pytest.mark.parametrize("zone", ["+05:30", "-03:00"])
def test_offset_zones(mimir_tm, data, b, zone):
    rng = ("2024-02-25", "2024-03-05")
    got, _ = ask(mimir_tm, zone, f"SELECT ds, AGG({b}_amount_lm), AGG({b}_amount_mtd), "
                                 f"AGG({b}_amount_cal) FROM mimir.metrics {where_of(rng)}"
                                 "GROUP BY ds ORDER BY ds")
    want = data.query(f"""
        SELECT p, o.v, m.v, c.amount FROM ({calendar_sql(zone, 'ds', rng)}) c
        LEFT JOIN ({offset_sql(zone, 'ds', 'lm', rng)}) o USING (p)
        LEFT JOIN ({cumulative_sql(zone, 'ds', 'mtd', *rng)}) m USING (p) ORDER BY 1""")
    assert len(want) == 10
    assert_rows(got, want, "ds")


@pytest.mark.parametrize("grain, zone, rng", [("year_month", NY, ("2024-01-01", "2024-12-31")),
                                              ("ds", "UTC", ("2024-03-27", "2024-04-03")),
                                              ("quarter", AMS, None)])
def test_offset_of_a_derived_metric_over_two_sources(mimir_tm, data, grain, zone, rng):
    """visit_rate = visits (PostgreSQL) / maria_count (MariaDB); a quarter back it is the
    ratio of both sources' P' values (each NULL where its source has no rows)."""
    got, types = ask(mimir_tm, zone, f"SELECT {grain}, AGG(visit_rate_lq), AGG(visit_rate), "
                                     f"AGG(visits_t7d) FROM mimir.metrics {where_of(rng)}"
                                     f"GROUP BY {grain} ORDER BY {grain}")
    visits = visits_rows(zone)
    want = data.query(f"""
        WITH v AS ({offset_sql(zone, grain, 'lq', rng, base='count', rows=visits)}),
             n AS ({offset_sql(zone, grain, 'lq', rng, base='count')}),
             cv AS ({grouped_sql(zone, grain, rng, 'count', visits)}),
             cn AS ({grouped_sql(zone, grain, rng, 'count')}),
             t AS ({cumulative_sql(zone, grain, 't7d', *(rng or (None, None)), base='count',
                                   rows=visits)})
        SELECT p, v.v::numeric / NULLIF(n.v, 0), cv.v::numeric / NULLIF(cn.v, 0), t.v
        FROM v FULL JOIN n USING (p) FULL JOIN cv USING (p) FULL JOIN cn USING (p)
        FULL JOIN t USING (p) ORDER BY 1""")
    assert [r for r in want if r[1] is not None]
    assert_rows(got, want, grain)
    assert types[1:3] == [FIELD_TYPE.DOUBLE, FIELD_TYPE.DOUBLE]


@pytest.mark.parametrize("b", BACKENDS)
def test_the_same_query_in_three_zones_on_one_connection(mimir_tm, data, b):
    """The zone is part of the answer: no result of another zone comes back (a cache)."""
    sql = (f"SELECT ds, AGG({b}_amount_ld), AGG({b}_amount_t7d), AGG({b}_amount_cal) "
           "FROM mimir.metrics WHERE ds BETWEEN '2024-10-26' AND '2024-11-04' GROUP BY ds "
           "ORDER BY ds")
    rng = ("2024-10-26", "2024-11-04")
    conn = mimir_tm.connect()
    try:
        with conn.cursor() as cur:
            for zone in ("UTC", NY, AMS, NY, "UTC"):
                cur.execute("SET time_zone = %s", (zone,))
                cur.execute(sql)
                got = [tuple(r) for r in cur.fetchall()]
                want = data.query(f"""
                    SELECT p, o.v, t.v, c.amount FROM ({calendar_sql(zone, 'ds', rng)}) c
                    LEFT JOIN ({offset_sql(zone, 'ds', 'ld', rng)}) o USING (p)
                    LEFT JOIN ({cumulative_sql(zone, 'ds', 't7d', *rng)}) t USING (p)
                    ORDER BY 1""")
                assert_rows(got, want, "ds")
    finally:
        conn.close()


@pytest.mark.parametrize("b", BACKENDS)
def test_union_of_time_metrics_orders_by_value(mimir_tm, data, b):
    rng = ("2024-01-01", "2024-06-30")
    got, _ = ask(mimir_tm, "UTC", f"SELECT year_month, AGG({b}_amount_ly) FROM mimir.metrics "
                                  f"{where_of(rng)}GROUP BY year_month UNION ALL "
                                  f"SELECT year_month, AGG({b}_amount_mtd) FROM mimir.metrics "
                                  f"{where_of(rng)}GROUP BY year_month ORDER BY 1, 2")
    want = data.query(f"""
        SELECT p, v FROM ({offset_sql('UTC', 'year_month', 'ly', rng)}) o UNION ALL
        SELECT p, v FROM ({cumulative_sql('UTC', 'year_month', 'mtd', *rng)}) c ORDER BY 1, 2""")
    # March: last year's 25437.51 before this March's 116635.55
    assert_rows(got, want, "year_month")


@pytest.mark.parametrize("b", BACKENDS)
def test_union_of_time_metrics_by_period(mimir_tm, data, b):
    """The rows of a UNION ALL of two time metrics' SELECTs (in an order where text and
    value agree: by period, then by which SELECT)."""
    rng = ("2024-01-01", "2024-06-30")
    got, _ = ask(mimir_tm, "UTC", f"SELECT year_month, 1 AS k, AGG({b}_amount_ly) "
                                  f"FROM mimir.metrics {where_of(rng)}GROUP BY year_month "
                                  f"UNION ALL SELECT year_month, 2, AGG({b}_amount_mtd) "
                                  f"FROM mimir.metrics {where_of(rng)}GROUP BY year_month "
                                  "ORDER BY 1, 2")
    want = data.query(f"""
        SELECT p, 1, v FROM ({offset_sql('UTC', 'year_month', 'ly', rng)}) o UNION ALL
        SELECT p, 2, v FROM ({cumulative_sql('UTC', 'year_month', 'mtd', *rng)}) c
        ORDER BY 1, 2""")
    assert len(want) == 12
    assert_rows(got, want, "year_month", nkeys=2)


@pytest.mark.parametrize("b", BACKENDS)
def test_window_function_and_cte_over_time_metrics(mimir_tm, data, b):
    rng = ("2024-01-01", "2024-06-30")
    ly = data.query(offset_sql("UTC", "year_month", "ly", rng))
    got, _ = ask(mimir_tm, "UTC", f"SELECT year_month, AGG({b}_amount_ly) AS ly, "
                                  f"SUM(AGG({b}_amount_ly)) OVER (ORDER BY year_month) AS r "
                                  f"FROM mimir.metrics {where_of(rng)}GROUP BY year_month "
                                  "ORDER BY 1")
    want = data.query(f"SELECT p, v, SUM(v) OVER (ORDER BY p) FROM "
                      f"({offset_sql('UTC', 'year_month', 'ly', rng)}) o ORDER BY 1")
    assert_rows(got, want, "year_month")
    ((median,),) = data.query("SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY v) FROM "
                              f"({offset_sql('UTC', 'year_month', 'ly', rng)}) o")
    got, _ = ask(mimir_tm, "UTC", f"WITH t AS (SELECT year_month, AGG({b}_amount_ly) AS ly "
                                  f"FROM mimir.metrics {where_of(rng)}GROUP BY year_month) "
                                  f"SELECT * FROM t WHERE ly > {median} ORDER BY ly DESC")
    want = sorted([r for r in ly if r[1] > median], key=lambda r: r[1], reverse=True)
    assert 0 < len(want) < len(ly)
    assert_rows(got, want, "year_month")


@pytest.mark.parametrize("b", BACKENDS)
def test_order_by_time_metrics_of_several_magnitudes(mimir_tm, data, b):
    """Trailing sums from 4 to 6 digits (the dense days around 2024-03-31) order by
    value, as does a DOUBLE growth."""
    rng = ("2024-03-20", "2024-04-12")
    got, _ = ask(mimir_tm, "UTC", f"SELECT ds, AGG({b}_amount_t7d) AS t FROM mimir.metrics "
                                  f"{where_of(rng)}GROUP BY ds ORDER BY t DESC, ds")
    want = data.query(f"SELECT p, v FROM ({cumulative_sql('UTC', 'ds', 't7d', *rng)}) c "
                      "ORDER BY v DESC, p")
    assert len({len(str(int(v))) for _, v in want}) >= 2
    assert_rows(got, want, "ds")
    got, _ = ask(mimir_tm, "UTC", f"SELECT ds, AGG({b}_yoy) AS g FROM mimir.metrics "
                                  f"{where_of(rng)}GROUP BY ds ORDER BY g, ds")
    want = data.query(f"""
        SELECT p, (c.v - o.v) / NULLIF(o.v, 0) AS g FROM ({grouped_sql('UTC', 'ds', rng)}) c
        FULL JOIN ({offset_sql('UTC', 'ds', 'ly', rng)}) o USING (p)
        ORDER BY g NULLS FIRST, p""")
    assert_rows(got, want, "ds")


@pytest.mark.parametrize("sql", [
    "SELECT ts_minute, AGG(pg_amount_ld) FROM mimir.metrics GROUP BY ts_minute",
    "SELECT ts_minute, AGG(lite_amount_cal) FROM mimir.metrics "
    "WHERE ds BETWEEN '2023-01-01' AND '2025-12-31' GROUP BY ts_minute",
], ids=["offset-by-minute", "calendar-by-minute"])
def test_a_calendar_too_long_to_hold_is_refused(mimir_tm, data, sql):
    """Over a million periods (minutes of 2.5 or 3 years): an error that says what to do,
    and the connection answers the next query."""
    conn = mimir_tm.connect()
    try:
        with conn.cursor() as cur:
            with pytest.raises(pymysql.MySQLError) as e:
                cur.execute(sql)
            code, message = mysql_error(e)
            assert code == 1105
            assert message.endswith("the calendar of this query has more than 1000000 periods: "
                                    "choose a coarser time grain or a shorter time range")
            cur.execute("SELECT year, AGG(pg_amount_ly) FROM mimir.metrics GROUP BY year "
                        "ORDER BY year")
            got = [tuple(r) for r in cur.fetchall()]
        assert_answers_select_1(conn)
    finally:
        conn.close()
    assert_rows(got, data.query(offset_sql("UTC", "year", "ly")), "year")


# ---------------------------------------------------------------------------
# offsets of cumulative metrics
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("b", BACKENDS)
@pytest.mark.parametrize("zone", ["UTC", NY])
@pytest.mark.parametrize("grain, kind, offset, metric", [
    ("ds", "mtd", "ly", "mtd_ly"), ("ds", "t7d", "lm", "t7d_lm"),
    ("year_month", "mtd", "ly", "mtd_ly"), ("week", "t7d", "lm", "t7d_lm")])
def test_offset_of_a_cumulative_metric(mimir_tm, data, b, zone, grain, kind, offset, metric):
    """Month-to-date a year earlier: for period P, the cumulative metric's value at the
    period P' that contains P's start shifted back (Mar 29-31 2024 read the month-to-date
    of Feb 29, 2024-02-29 a year back reads 2023-02-28), computed on PostgreSQL from the
    cumulative periods over all the rows."""
    rng = ("2024-02-26", "2024-04-02")
    got, types = ask(mimir_tm, zone, f"SELECT {grain}, AGG({b}_amount_{metric}) "
                                     f"FROM mimir.metrics {where_of(rng)}GROUP BY {grain} "
                                     f"ORDER BY {grain}")
    assert types[1] == FIELD_TYPE.NEWDECIMAL  # the base metric's type
    unit, step, off = UNIT[grain], STEP[grain], INTERVAL[offset]
    want = data.query(f"""
        WITH cum AS ({cumulative_sql(zone, grain, kind)}),
             spine AS (SELECT p FROM generate_series(date_trunc('{unit}', timestamp '{rng[0]}'),
                                                     timestamp '{rng[1]}', interval '{step}') p)
        SELECT spine.p, cum.v FROM spine
        JOIN cum ON cum.p = date_trunc('{unit}', spine.p - interval '{off}')
        ORDER BY 1""")
    assert want
    assert_rows(got, want, grain)


@pytest.mark.parametrize("b", BACKENDS)
def test_offset_of_a_cumulative_metric_without_grain(mimir_tm, data, b):
    """With a range and no grain: the cumulative metric's one window, at the end of the
    range shifted back (month-to-date of 2023-03-15 for a range ending 2024-03-15)."""
    got, _ = ask(mimir_tm, "UTC", f"SELECT AGG({b}_amount_mtd_ly) FROM mimir.metrics "
                                  "WHERE ds BETWEEN '2024-03-01' AND '2024-03-15'")
    want = data.query(f"""SELECT SUM(amount) FROM ({local_rows('UTC')}) r
                          WHERE lt >= '2023-03-01' AND lt < '2023-03-16'""")
    assert_rows(got, want, nkeys=0)
