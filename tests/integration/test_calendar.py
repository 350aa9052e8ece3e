"""The canonical calendar (issue 14): calendar.yaml at a project's root.

`week_start: sunday` moves the week grain to Sunday; `fiscal_year_start_month`
adds the grains fiscal_year and fiscal_quarter (first day of the period, a
DATE); `time_zone` is the zone of sessions that set none. The same rows
(instants over 2023-2025, dense around month ends, Sundays and New York's
daylight-saving changes) are loaded into PostgreSQL (timestamptz), MariaDB
(TIMESTAMP) and SQLite (UTC text), one source each. Every expected row is
computed in the same run by SQL written by hand on PostgreSQL over its copy
of the rows (date_trunc arithmetic and AT TIME ZONE, not the formulas Mimir
sends), and compared with what each source answers through Mimir.
"""

import datetime
import json
import signal
import sqlite3
import subprocess
from decimal import Decimal

import pymysql
import pytest

from conftest import MIMIR_BIN, TYPES_DISCOVERED, start_layer_server, write_secrets
from support import assert_answers_select_1, mysql_error

UTC = datetime.timezone.utc
ORACLE_DB = "cal_data"
ORACLE_USER = "cal_reader"
ORACLE_PASSWORD = "cal-secret"
ZONE = "America/New_York"
SOURCES = ["pg", "maria", "lite"]

FEB_SUNDAY = "week_start: sunday\nfiscal_year_start_month: 2\n"

# The wall clock of a row in PostgreSQL: ts AT TIME ZONE '<zone>'.
WALL = "(ts AT TIME ZONE '{zone}')"
# Each grain written by hand on PostgreSQL, over the wall clock w, for a fiscal
# year that starts in February (its quarters begin in Feb, May, Aug, Nov).
PG_GRAINS = {
    "week": "CAST(date_trunc('week', {w} + INTERVAL '1 day') - INTERVAL '1 day' AS DATE)",
    "fiscal_year": "CAST(date_trunc('year', {w} - INTERVAL '1 month') + INTERVAL '1 month' "
                   "AS DATE)",
    "fiscal_quarter": "CAST(date_trunc('quarter', {w} - INTERVAL '1 month') "
                      "+ INTERVAL '1 month' AS DATE)",
    "quarter": "CAST(date_trunc('quarter', {w}) AS DATE)",
    "ds": "CAST({w} AS DATE)",
}


def event_times():
    """Every 7 h 13 min over 2023-01 .. 2025-03, every 20 minutes over the days
    around New York's 2024 daylight-saving changes, and the edges of months,
    fiscal quarters and weeks."""
    times = set()
    t = datetime.datetime(2023, 1, 1, 0, 17, tzinfo=UTC)
    while t < datetime.datetime(2025, 4, 1, tzinfo=UTC):
        times.add(t)
        t += datetime.timedelta(hours=7, minutes=13)
    for day in (datetime.datetime(2024, 3, 9, tzinfo=UTC),
                datetime.datetime(2024, 11, 2, tzinfo=UTC)):
        t = day
        while t < day + datetime.timedelta(days=3):
            times.add(t)
            t += datetime.timedelta(minutes=20)
    for edge in ("2024-01-31 23:59:59", "2024-02-01 00:00:00", "2024-02-29 12:00:00",
                 "2023-10-31 23:59:59", "2023-11-01 00:00:00", "2024-03-09 23:59:59",
                 "2024-03-10 00:00:00", "2024-12-31 23:30:00", "2025-01-01 04:30:00",
                 "2024-04-30 23:59:59", "2024-05-01 00:00:00"):
        times.add(datetime.datetime.fromisoformat(edge).replace(tzinfo=UTC))
    return sorted(times)


def event_rows():
    return [(i + 1, Decimal(i % 997) / 100 + Decimal("0.25"), t)
            for i, t in enumerate(event_times())]


def load_postgres(pg, rows):
    pg.query("DROP TABLE IF EXISTS cal_events")
    pg.query("CREATE TABLE cal_events (id int PRIMARY KEY, amount numeric(6,2) NOT NULL, "
             "ts timestamptz NOT NULL)")
    values = ",".join(f"({i}, {a}, '{t.isoformat()}')" for i, a, t in rows)
    pg.query(f"INSERT INTO cal_events VALUES {values}")


def load_mariadb(server, rows):
    server.load_time_zones(ZONE)
    server.query(f"DROP DATABASE IF EXISTS {ORACLE_DB}")
    server.query(f"CREATE DATABASE {ORACLE_DB}")
    server.query("CREATE TABLE events (id INT PRIMARY KEY, amount DECIMAL(6,2) NOT NULL, "
                 "ts TIMESTAMP NOT NULL)", database=ORACLE_DB)
    conn = server.connect_root(ORACLE_DB)
    try:
        with conn.cursor() as cur:
            cur.execute("SET time_zone = '+00:00'")
            cur.executemany("INSERT INTO events VALUES (%s, %s, %s)",
                            [(i, a, t.replace(tzinfo=None)) for i, a, t in rows])
        conn.commit()
    finally:
        conn.close()
    server.create_user(ORACLE_USER, ORACLE_PASSWORD, ORACLE_DB)


def load_sqlite(path, rows):
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, amount DECIMAL(6,2) NOT NULL, "
               "ts DATETIME NOT NULL)")
    db.executemany("INSERT INTO events VALUES (?, ?, ?)",
                   [(i, str(a), t.strftime("%Y-%m-%d %H:%M:%S")) for i, a, t in rows])
    db.commit()
    db.close()


def write_layer(base, pg_port, server, calendar, calendar_name="calendar.yaml"):
    """Sources cal_pg, cal_maria and cal_lite (metrics <src>_amount and <src>_count) and
    the calendar file (None: none)."""
    configs = base / "configs"
    for sub in ("sources", "metrics", "dimensions"):
        (configs / sub).mkdir(parents=True, exist_ok=True)
    sources = {"cal_pg": ("pagila_postgres", "cal_events"), "cal_maria": ("cal_data", "events"),
               "cal_lite": ("cal_lite", "events")}
    text = ""
    for name, (conn, table) in sources.items():
        sql = f"SELECT {table}.id, {table}.amount, {table}.ts FROM {table}"
        text += (f"{name}:\n  name: {name}\n  connection_name: {conn}\n"
                 f"  time_col: {table}.ts\n  time_col_alias: ts\n  sql: {json.dumps(sql)}\n")
    (configs / "sources" / "sources.yaml").write_text(text)
    metrics = []
    for name in sources:
        short = name[4:]
        metrics.append(f"name: {short}_amount\nsource_name: {name}\nsql: SUM(amount)\n")
        metrics.append(f"name: {short}_count\nsource_name: {name}\nsql: COUNT(id)\n")
    (configs / "metrics" / "metrics.yaml").write_text("---\n".join(metrics))
    (configs / "dimensions" / "dimensions.yaml").write_text("")
    if calendar is not None:
        (configs / calendar_name).write_text(calendar)
    secrets = write_secrets(base / "secrets", pg_port)
    (secrets / "cal_data.json").write_text(json.dumps(
        server.secret(ORACLE_DB, ORACLE_USER, ORACLE_PASSWORD)))
    load_sqlite(base / "events.db", event_rows())
    (secrets / "cal_lite.json").write_text(json.dumps(
        {"connection_class": "sqlite", "path": str(base / "events.db")}))
    return configs, secrets


@pytest.fixture(scope="module")
def data(mariadb, pg):
    rows = event_rows()
    load_postgres(pg, rows)
    load_mariadb(mariadb, rows)
    return mariadb


@pytest.fixture(scope="module")
def mimir_cal(request, session_dir, data, pg):
    """week_start: sunday, fiscal_year_start_month: 2, no zone (UTC)."""
    configs, secrets = write_layer(session_dir / "calendar", pg.port, data, FEB_SUNDAY)
    return start_layer_server(request, session_dir, "mimir-calendar", configs, secrets)


@pytest.fixture(scope="module")
def mimir_cal_tz(request, session_dir, data, pg):
    """The same with time_zone: America/New_York (written as calendar.yml)."""
    configs, secrets = write_layer(session_dir / "calendar-tz", pg.port, data,
                                   FEB_SUNDAY + f"time_zone: {ZONE}\n", "calendar.yml")
    return start_layer_server(request, session_dir, "mimir-calendar-tz", configs, secrets)


def normal(rows):
    """Rows as comparable text; numbers by value (sources differ in their DECIMAL scale)."""
    def text(v):
        if isinstance(v, (Decimal, float, int)) and not isinstance(v, bool):
            return format(Decimal(repr(v) if isinstance(v, float) else v).normalize(), "f")
        return str(v)
    return sorted(tuple(text(v) for v in r) for r in rows)


def expected(pg, grain, zone="UTC"):
    g = PG_GRAINS[grain].format(w=WALL.format(zone=zone))
    rows = pg.query(f"SELECT {g} AS g, SUM(amount), COUNT(id) FROM cal_events GROUP BY 1")
    assert len(rows) > 3
    return normal(rows)


def session_rows(conn, sql):
    with conn.cursor() as cur:
        cur.execute(sql)
        return [tuple(r) for r in cur.fetchall()]


def by_grain(server, src, grain, zone=None):
    """Mimir's rows of src by grain, in a session that sets zone (None: the default)."""
    conn = server.connect()
    try:
        if zone:
            session_rows(conn, f"SET time_zone = '{zone}'")
        return session_rows(conn, f"SELECT {grain}, AGG({src}_amount), AGG({src}_count) "
                                  f"FROM mimir.metrics GROUP BY 1")
    finally:
        conn.close()


# ---- grains on the calendar ------------------------------------------------------------


@pytest.mark.parametrize("src", SOURCES)
@pytest.mark.parametrize("grain", ["week", "fiscal_year", "fiscal_quarter", "quarter"])
def test_calendar_grains_match_postgresql(mimir_cal, pg, src, grain):
    got = by_grain(mimir_cal, src, grain)
    assert normal(got) == expected(pg, grain)
    if grain == "week":
        assert all(r[0].weekday() == 6 for r in got)  # Sundays
    if grain.startswith("fiscal"):
        months = {2} if grain == "fiscal_year" else {2, 5, 8, 11}
        assert all(r[0].day == 1 and r[0].month in months for r in got)


def test_fiscal_examples(mimir_cal):
    """The issue's examples, through a filter on the grain."""
    conn = mimir_cal.connect()
    try:
        for ts, year, quarter in (("2024-01-15", "2023-02-01", "2023-11-01"),
                                  ("2024-02-01", "2024-02-01", "2024-02-01")):
            rows = session_rows(conn, "SELECT fiscal_year, fiscal_quarter, AGG(pg_count) FROM "
                                      f"mimir.metrics WHERE ds = '{ts}' GROUP BY 1, 2")
            assert [(str(a), str(b)) for a, b, _ in rows] == [(year, quarter)]
    finally:
        conn.close()


def test_fiscal_grains_are_dates(mimir_cal):
    conn = mimir_cal.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT fiscal_year, fiscal_quarter, week, AGG(lite_count) "
                        "FROM mimir.metrics GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 LIMIT 1")
            from pymysql.constants import FIELD_TYPE
            assert [d[1] for d in cur.description[:3]] == [FIELD_TYPE.DATE] * 3
            (fy, fq, week, _), = cur.fetchall()
            assert isinstance(fy, datetime.date) and isinstance(fq, datetime.date)
    finally:
        conn.close()


# ---- information_schema ----------------------------------------------------------------


def columns(server, table):
    conn = server.connect()
    try:
        shown = {r[0]: r[1] for r in session_rows(conn, f"SHOW COLUMNS FROM mimir.{table}")}
        described = {r[0]: r[1] for r in session_rows(conn, f"DESCRIBE mimir.{table}")}
        schema = {r[0]: r[1] for r in session_rows(
            conn, "SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS WHERE "
                  f"TABLE_SCHEMA = 'mimir' AND TABLE_NAME = '{table}'")}
        return shown, described, schema
    finally:
        conn.close()


@pytest.mark.parametrize("table", ["metrics", "cal_maria"])
def test_information_schema_shows_fiscal_grains(mimir_cal, table):
    for cols in columns(mimir_cal, table):
        assert cols["fiscal_year"] == "date" and cols["fiscal_quarter"] == "date"
        assert cols["week"] == "date"
    conn = mimir_cal.connect()
    try:
        (comment,), = session_rows(conn, "SELECT COLUMN_COMMENT FROM information_schema.COLUMNS "
                                         "WHERE TABLE_SCHEMA = 'mimir' AND TABLE_NAME = "
                                         f"'{table}' AND COLUMN_NAME = 'week'")
        assert "Sunday" in comment
    finally:
        conn.close()


def test_no_fiscal_grains_without_the_calendar(mimir):
    for cols in columns(mimir, "metrics"):
        assert "fiscal_year" not in cols and "fiscal_quarter" not in cols
        assert "week" in cols


@pytest.mark.parametrize("sql", [
    "SELECT fiscal_year, AGG(movies_rented) FROM mimir.metrics GROUP BY 1",
    "SELECT AGG(movies_rented) FROM mimir.metrics WHERE fiscal_quarter = '2022-02-01'",
])
def test_fiscal_grain_without_calendar_is_unknown(mimir, sql):
    conn = mimir.connect()
    try:
        with pytest.raises(pymysql.err.MySQLError) as excinfo:
            session_rows(conn, sql)
        code, message = mysql_error(excinfo)
        assert code == 1054 and "Unknown column 'fiscal_" in message, message
        assert_answers_select_1(conn)
    finally:
        conn.close()


# ---- the calendar's time zone ----------------------------------------------------------


def test_time_zone_variable_shows_the_calendar_zone(mimir_cal_tz, mimir_cal):
    conn = mimir_cal_tz.connect()
    try:
        assert session_rows(conn, "SELECT @@time_zone") == [(ZONE,)]
        session_rows(conn, "SET time_zone = '+00:00'")
        assert session_rows(conn, "SELECT @@time_zone") == [("+00:00",)]
        session_rows(conn, "SET time_zone = DEFAULT")
        assert session_rows(conn, "SELECT @@time_zone") == [(ZONE,)]
    finally:
        conn.close()
    conn = mimir_cal.connect()  # no time_zone in its calendar: the server's default
    try:
        assert session_rows(conn, "SELECT @@time_zone") == [("+00:00",)]
    finally:
        conn.close()


@pytest.mark.parametrize("src", SOURCES)
@pytest.mark.parametrize("grain", ["ds", "week", "fiscal_quarter"])
def test_grains_follow_the_calendar_zone(mimir_cal_tz, pg, src, grain):
    got = by_grain(mimir_cal_tz, src, grain)
    want = expected(pg, grain, ZONE)
    assert normal(got) == want
    assert want != expected(pg, grain, "UTC") or grain == "fiscal_quarter"


@pytest.mark.parametrize("src", SOURCES)
def test_set_time_zone_overrides_the_calendar_and_default_returns(mimir_cal_tz, pg, src):
    conn = mimir_cal_tz.connect()
    sql = f"SELECT ds, AGG({src}_amount), AGG({src}_count) FROM mimir.metrics GROUP BY 1"
    try:
        session_rows(conn, "SET time_zone = '+05:30'")
        # PostgreSQL reads '+05:30' the POSIX way (west of UTC): India's zone is +05:30
        assert normal(session_rows(conn, sql)) == expected(pg, "ds", "Asia/Kolkata")
        session_rows(conn, "SET time_zone = 'UTC'")
        assert normal(session_rows(conn, sql)) == expected(pg, "ds", "UTC")
        session_rows(conn, "SET time_zone = DEFAULT")
        assert normal(session_rows(conn, sql)) == expected(pg, "ds", ZONE)
    finally:
        conn.close()


def test_reload_changes_the_zone_of_new_sessions(request, session_dir, data, pg):
    """SIGHUP with another calendar time_zone: new sessions take it; a session
    already open keeps its own until SET time_zone = DEFAULT."""
    configs, secrets = write_layer(session_dir / "calendar-reload", pg.port, data,
                                   f"time_zone: {ZONE}\n")
    server = start_layer_server(request, session_dir, "mimir-calendar-reload", configs, secrets)
    old = server.connect()
    try:
        assert session_rows(old, "SELECT @@time_zone") == [(ZONE,)]
        (configs / "calendar.yaml").write_text("time_zone: '+02:00'\n")
        server.proc.send_signal(signal.SIGHUP)
        server.wait_for_log("reloaded")
        assert server.query("SELECT @@time_zone")[1] == [("+02:00",)]
        assert session_rows(old, "SELECT @@time_zone") == [(ZONE,)]
        session_rows(old, "SET time_zone = DEFAULT")
        assert session_rows(old, "SELECT @@time_zone") == [("+02:00",)]
    finally:
        old.close()


# ---- errors ----------------------------------------------------------------------------

BAD_CALENDARS = [
    ("week_start: friday\n",
     "calendar.yaml:1:13: week_start must be monday (ISO weeks, the default) or sunday, "
     "not 'friday'"),
    ("week_start: sunday\nfiscal_year_start_month: 13\n",
     "calendar.yaml:2:26: fiscal_year_start_month must be the number of the month the fiscal "
     "year starts in, from 1 (January) to 12 (December), not '13'"),
    ("week_start: sunday\nweeks_start: monday\n",
     "calendar.yaml:2:1: unknown key 'weeks_start' in the calendar (expected week_start, "
     "fiscal_year_start_month or time_zone)"),
    ("- week_start: sunday\n",
     "calendar.yaml:1:1: the calendar must be a mapping of week_start, fiscal_year_start_month "
     "and time_zone, not a list"),
    ("time_zone: Mars/Olympus_Mons\n",
     "calendar.yaml:1:12: time_zone 'Mars/Olympus_Mons' is not a time zone: write SYSTEM, UTC, "
     "an offset such as '+05:30' (from -13:59 to +14:00) or a zone of the tz database"),
]


def bad_layer(workdir, calendar):
    """A SQLite-only project with calendar.yaml = calendar."""
    configs = workdir / "configs"
    for sub in ("sources", "metrics", "dimensions"):
        (configs / sub).mkdir(parents=True, exist_ok=True)
    (configs / "sources" / "s.yaml").write_text(
        "cal_lite:\n  name: cal_lite\n  connection_name: cal_lite\n  time_col: events.ts\n"
        "  sql: SELECT events.id, events.amount, events.ts FROM events\n")
    (configs / "metrics" / "m.yaml").write_text(
        "name: lite_count\nsource_name: cal_lite\nsql: COUNT(id)\n")
    (configs / "calendar.yaml").write_text(calendar)
    secrets = workdir / "secrets"
    secrets.mkdir(exist_ok=True)
    load_sqlite(workdir / "events.db", event_rows()[:10])
    (secrets / "cal_lite.json").write_text(json.dumps(
        {"connection_class": "sqlite", "path": str(workdir / "events.db")}))
    return configs, secrets


@pytest.mark.parametrize("calendar,message", BAD_CALENDARS)
def test_bad_calendar_stops_the_server(mimir_factory, workdir, calendar, message):
    configs, secrets = bad_layer(workdir, calendar)
    rc, stderr = mimir_factory(configs=configs, secrets=secrets).run_until_exit()
    assert rc != 0
    assert f"{configs}/{message}" in stderr, stderr


@pytest.mark.parametrize("calendar,message", BAD_CALENDARS)
def test_validate_reports_the_calendar(workdir, calendar, message):
    configs, secrets = bad_layer(workdir, calendar)
    proc = subprocess.run([str(MIMIR_BIN), "validate", "--configs", str(configs), "--secrets",
                           str(secrets)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{configs}/{message}"), proc.stdout


def test_validate_accepts_a_good_calendar(workdir):
    configs, secrets = bad_layer(workdir, FEB_SUNDAY + "time_zone: '-03:00'\n")
    proc = subprocess.run([str(MIMIR_BIN), "validate", "--configs", str(configs), "--secrets",
                           str(secrets)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# ---- the HTTP API ------------------------------------------------------------------------


def test_http_api_has_the_calendar(request, session_dir, data, pg, workdir):
    """/v1/catalog lists the fiscal grains; a request's session is in the calendar's zone."""
    from conftest import free_port
    from support import native_hash
    from test_http_api import ok_json

    configs, secrets = write_layer(session_dir / "calendar-http", pg.port, data,
                                   FEB_SUNDAY + f"time_zone: {ZONE}\n")
    path = workdir / "server.yaml"
    path.write_text(f"users:\n  - name: admin\n    mysql_native_password: "
                    f"\"{native_hash('pw')}\"\n")
    port = free_port()
    server = start_layer_server(request, session_dir, "mimir-calendar-http", configs, secrets,
                                ["--server-config", str(path), "--http-port", str(port)])
    server.http_port = port
    cat = ok_json(server, "/v1/catalog", password="pw")
    grains = {g["name"]: g["type"] for g in cat["grains"]}
    assert grains["fiscal_year"] == grains["fiscal_quarter"] == grains["week"] == "DATE", grains
    got = ok_json(server, "/v1/sql", {"sql": "SELECT @@time_zone AS z"}, password="pw")
    assert got["rows"] == [[ZONE]]
    got = ok_json(server, "/v1/sql", {"sql": "SELECT ds, AGG(pg_amount), AGG(pg_count) "
                                             "FROM mimir.metrics GROUP BY 1"}, password="pw")
    rows = [(datetime.date.fromisoformat(d), Decimal(a), int(n)) for d, a, n in got["rows"]]
    assert normal(rows) == expected(pg, "ds", ZONE)
