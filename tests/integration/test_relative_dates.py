"""Relative date filters: time bounds written with the clock (docs/sql.md "Time filters").

BI tools and hand-written SQL filter on the clock: Metabase's relative filters
(`ts >= DATE(DATE_ADD(NOW(6), INTERVAL -30 day)) AND ts < DATE(NOW(6))`),
Superset's and Redash's users (`ts >= CURDATE() - INTERVAL 7 DAY`, `ts >= NOW() -
INTERVAL 1 HOUR`, `ds >= DATE_SUB(CURDATE(), INTERVAL 3 MONTH)`, ...). Mimir folds
them to MySQL's value at the statement's start in the session's zone and pushes
them as bounds. MariaDB is the oracle: the same rows (instants around now: every
37 minutes from about five months ago to a day ahead) are loaded into PostgreSQL
(timestamptz, and timestamp without zone holding UTC wall clocks), into MariaDB
(a TIMESTAMP column, also Mimir's source, and a DATETIME copy of the UTC wall
clocks) and into a SQLite file, and every filter is run through Mimir and on
MariaDB under the same session zone. The two runs read the clock a moment apart:
when the oracle's CURDATE() changed between them (a day boundary passed), or a row
crossed a NOW()-based bound in between, the comparison is made once more.
"""

import datetime
import json
from decimal import Decimal

import pymysql
import pytest

from conftest import start_layer_server, write_secrets
from support import assert_answers_select_1, assert_refused_on_a_fresh_connection
from test_time_zone import load_mariadb, load_postgres, load_sqlite, mimir_rows, normal

UTC = datetime.timezone.utc
ORACLE_DB = "rd_oracle"
ORACLE_USER = "rd_reader"
ORACLE_PASSWORD = "rd-secret"
ZONES = ["+00:00", "+05:30", "America/New_York"]
NOW = datetime.datetime.now(UTC).replace(second=0, microsecond=0)


def event_rows():
    """(id, kind, amount, instant): every 37 minutes from ~155 days ago to ~a day ahead."""
    rows = []
    for i, k in enumerate(range(-40, 6000)):
        t = NOW - datetime.timedelta(minutes=37 * k) + datetime.timedelta(seconds=17)
        rows.append((i + 1, "abc"[i % 3], Decimal(i % 1000) / 100 + Decimal("0.25"), t))
    return rows


SOURCES = {
    "rd_pg": ("pagila_postgres", "rd_events", "events"),
    "rd_wall": ("pagila_postgres", "rd_events_wall", "events_wall"),
    "rd_maria": ("rd_oracle", "events", "events"),
    "rd_lite": ("rd_lite", "events", "events"),
}


def write_layer(base, pg_port, server, rows):
    configs = base / "configs"
    for sub in ("sources", "metrics", "dimensions"):
        (configs / sub).mkdir(parents=True, exist_ok=True)
    text = ""
    metrics = []
    for name, (conn, table, _) in SOURCES.items():
        day = f"date({table}.ts)" if name == "rd_lite" else f"CAST({table}.ts AS DATE)"
        sql = (f"SELECT {table}.id, {table}.kind, {table}.amount, {table}.ts, "
               f"{day} AS event_day FROM {table}")
        text += (f"{name}:\n  name: {name}\n  connection_name: {conn}\n"
                 f"  time_col: {table}.ts\n  time_col_alias: ts\n  sql: {json.dumps(sql)}\n")
        metrics.append(f"name: {name[3:]}_amount\nsource_name: {name}\nsql: SUM(amount)\n")
        metrics.append(f"name: {name[3:]}_count\nsource_name: {name}\nsql: COUNT(id)\n")
    (configs / "sources" / "sources.yaml").write_text(text)
    (configs / "metrics" / "metrics.yaml").write_text("---\n".join(metrics))
    (configs / "dimensions" / "dimensions.yaml").write_text("")
    secrets = write_secrets(base / "secrets", pg_port)
    (secrets / "rd_oracle.json").write_text(json.dumps(
        server.secret(ORACLE_DB, ORACLE_USER, ORACLE_PASSWORD)))
    load_sqlite(base / "events.db", rows)
    (secrets / "rd_lite.json").write_text(json.dumps(
        {"connection_class": "sqlite", "path": str(base / "events.db")}))
    return configs, secrets


@pytest.fixture(scope="module")
def oracle(mariadb, pg):
    rows = event_rows()
    load_postgres(pg, rows, table="rd_events")
    load_mariadb(mariadb, rows, oracle=(ORACLE_DB, ORACLE_USER, ORACLE_PASSWORD))
    return mariadb, rows


@pytest.fixture(scope="module")
def mimir_rd(request, session_dir, oracle, pg):
    server, rows = oracle
    configs, secrets = write_layer(session_dir / "relative-dates", pg.port, server, rows)
    return start_layer_server(request, session_dir, "mimir-rd", configs, secrets)


# (Mimir's filter, MariaDB's): Mimir's ds is MariaDB's DATE(ts).
FILTERS = [
    # Metabase's relative filters (its MySQL driver: DATE(DATE_ADD(NOW(6), ...)))
    ("ts >= DATE(DATE_ADD(NOW(6), INTERVAL -30 day)) AND ts < DATE(NOW(6))",
     "ts >= DATE(DATE_ADD(NOW(6), INTERVAL -30 day)) AND ts < DATE(NOW(6))"),
    ("ts >= DATE(DATE_ADD(NOW(6), INTERVAL -7 day)) AND ts < DATE(DATE_ADD(NOW(6), "
     "INTERVAL 1 day))",
     "ts >= DATE(DATE_ADD(NOW(6), INTERVAL -7 day)) AND ts < DATE(DATE_ADD(NOW(6), "
     "INTERVAL 1 day))"),
    ("ts >= CONVERT_TZ(DATE(UTC_TIMESTAMP()) - INTERVAL 3 DAY, '+00:00', '+05:30')",
     "ts >= CONVERT_TZ(DATE(UTC_TIMESTAMP()) - INTERVAL 3 DAY, '+00:00', '+05:30')"),
    # Superset, Redash, hand-written SQL
    ("ts >= CURDATE() - INTERVAL 7 DAY", "ts >= CURDATE() - INTERVAL 7 DAY"),
    ("ts >= NOW() - INTERVAL 1 HOUR", "ts >= NOW() - INTERVAL 1 HOUR"),
    ("ts >= NOW() - INTERVAL 1 DAY AND ts < NOW()", "ts >= NOW() - INTERVAL 1 DAY AND ts < NOW()"),
    ("DATE(ts) >= CURRENT_DATE - INTERVAL 1 MONTH", "DATE(ts) >= CURRENT_DATE - INTERVAL 1 MONTH"),
    ("ds >= DATE_SUB(CURDATE(), INTERVAL 3 MONTH)", "DATE(ts) >= DATE_SUB(CURDATE(), INTERVAL 3 MONTH)"),
    ("ts >= UTC_TIMESTAMP() - INTERVAL 1 DAY", "ts >= UTC_TIMESTAMP() - INTERVAL 1 DAY"),
    ("ts BETWEEN CURRENT_DATE - INTERVAL 14 DAY AND CURRENT_TIMESTAMP",
     "ts BETWEEN CURRENT_DATE - INTERVAL 14 DAY AND CURRENT_TIMESTAMP"),
    ("ds = SUBDATE(CURDATE(), 1)", "DATE(ts) = SUBDATE(CURDATE(), 1)"),
    ("ts < CAST(CURDATE() - INTERVAL 150 DAY AS DATETIME)",
     "ts < CAST(CURDATE() - INTERVAL 150 DAY AS DATETIME)"),
    # A DATE against a DATETIME compares as DATETIME (MySQL): a time of day moves the day
    ("ds >= NOW() - INTERVAL 2 DAY", "DATE(ts) >= NOW() - INTERVAL 2 DAY"),
    ("ds > NOW() - INTERVAL 2 DAY", "DATE(ts) > NOW() - INTERVAL 2 DAY"),
    ("ds <= NOW() - INTERVAL 2 DAY", "DATE(ts) <= NOW() - INTERVAL 2 DAY"),
    ("ds < NOW() - INTERVAL 2 DAY", "DATE(ts) < NOW() - INTERVAL 2 DAY"),
    ("ds = NOW() - INTERVAL 2 DAY", "DATE(ts) = NOW() - INTERVAL 2 DAY"),
    ("ds BETWEEN NOW() - INTERVAL 5 DAY AND NOW() - INTERVAL 1 DAY",
     "DATE(ts) BETWEEN NOW() - INTERVAL 5 DAY AND NOW() - INTERVAL 1 DAY"),
    ("ds >= CURDATE() - INTERVAL 2 DAY + INTERVAL 0 SECOND",
     "DATE(ts) >= CURDATE() - INTERVAL 2 DAY + INTERVAL 0 SECOND"),
    # SYSDATE() is not folded (MySQL reads it per row): today's filter on the rows
    ("ts >= SYSDATE() - INTERVAL 2 DAY", "ts >= SYSDATE() - INTERVAL 2 DAY"),
]


def compare(mimir, server, src, zone, mimir_filter, oracle_filter):
    _, _, table = SOURCES[src]
    m = src[3:]
    sql = (f"SELECT ds, AGG({m}_count), AGG({m}_amount) FROM mimir.metrics "
           f"WHERE {mimir_filter} GROUP BY ds")
    oracle_sql = (f"SELECT DATE(ts), COUNT(id), SUM(amount) FROM {table} "
                  f"WHERE {oracle_filter} GROUP BY 1")
    for attempt in range(2):
        before = server.query_in_zone(zone, "SELECT CURDATE()", ORACLE_DB)
        got = mimir_rows(mimir, zone, sql)
        want = server.query_in_zone(zone, oracle_sql, ORACLE_DB)
        after = server.query_in_zone(zone, "SELECT CURDATE()", ORACLE_DB)
        if before == after and normal(got) == normal(want):
            return got
    assert normal(got) == normal(want), (sql, zone)
    return got


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("src", list(SOURCES))
def test_relative_filters_match_mariadb(mimir_rd, oracle, src, zone):
    server, _ = oracle
    nonempty = 0
    for mimir_filter, oracle_filter in FILTERS:
        nonempty += bool(compare(mimir_rd, server, src, zone, mimir_filter, oracle_filter))
    assert nonempty >= len(FILTERS) - 1  # the data cover the ranges


def explain_step(mimir, sql, source, zone=None):
    """The row of EXPLAIN sql for source's query (in the session's zone, if given); the
    connection then still answers."""
    conn = mimir.connect()
    with conn.cursor() as cur:
        if zone:
            cur.execute("SET time_zone = %s", (zone,))
        cur.execute("EXPLAIN " + sql)
        (step,) = [r for r in cur.fetchall() if r[1] == source]
    assert_answers_select_1(conn)
    conn.close()
    return step


@pytest.mark.parametrize("zone", ZONES)
def test_the_bound_is_pushed_as_the_session_clock(mimir_rd, oracle, zone):
    """EXPLAIN: the bound is a parameter holding MariaDB's value in the same zone, in
    the source's own WHERE (not the backend's clock)."""
    server, _ = oracle
    for attempt in range(2):
        (want,), = server.query_in_zone(zone, "SELECT CURDATE() - INTERVAL 7 DAY", ORACLE_DB)
        step = explain_step(mimir_rd, "SELECT ds, AGG(wall_count) FROM mimir.metrics "
                            "WHERE ts >= CURDATE() - INTERVAL 7 DAY GROUP BY ds", "rd_wall", zone)
        if f"'{want.isoformat()}'" in step[5]:
            break
    assert f"'{want.isoformat()}'" in step[5], step
    assert "rd_events_wall WHERE" in step[4]
    assert "CURRENT_DATE" not in step[4] and "LOCALTIMESTAMP" not in step[4]


def test_prepared_statement_folds_the_clock_when_it_runs(mimir_rd, oracle):
    """A server-side prepared statement (COM_STMT_PREPARE/EXECUTE) folds CURDATE() at
    each execution (planned with the clock of that execution: test_clock_bounds.c);
    its days are MariaDB's under the same zone."""
    from mysql_wire import RawClient

    server, _ = oracle
    sql = ("SELECT ds, AGG(lite_count) FROM mimir.metrics "
           "WHERE ts >= CURDATE() - INTERVAL 3 DAY GROUP BY ds")
    oracle_sql = "SELECT COUNT(DISTINCT DATE(ts)) FROM events WHERE ts >= CURDATE() - INTERVAL 3 DAY"
    client = RawClient(mimir_rd.port, database="mimir").login()
    try:
        client.query("SET time_zone = '+05:30'")
        prepared = client.prepare_full(sql)
        for _ in range(2):
            for attempt in range(2):
                (want,), = server.query_in_zone("+05:30", oracle_sql, ORACLE_DB)
                got = len(client.execute(prepared.stmt_id).rows)
                if got == want:
                    break
            assert got == want
        assert client.select_one("SELECT 1") == ("1",)
    finally:
        client.close()


# Without FROM: the same evaluator answers, compared with MariaDB value by value (as
# pymysql decodes each column's type: a DATE, a DATETIME or a string).
CONSTANTS = ["CURDATE() - INTERVAL 7 DAY", "DATE(DATE_ADD(NOW(6), INTERVAL -30 day))",
             "DATE_SUB(CURDATE(), INTERVAL 3 MONTH)", "UTC_DATE()", "CURRENT_DATE",
             "TIMESTAMP(CURDATE())", "ADDDATE(CURDATE(), 5)", "SUBDATE(CURDATE(), INTERVAL 2 WEEK)",
             "CURRENT_DATE + INTERVAL 1 YEAR", "CAST(CURDATE() AS DATETIME) - INTERVAL 1 SECOND",
             "'2024-03-31' - INTERVAL 1 MONTH", "CAST('2024-01-31' AS DATE) + INTERVAL 1 MONTH",
             "'2024-02-29 10:00:00' + INTERVAL 1 YEAR", "INTERVAL 90 MINUTE + '2024-12-31 23:00:00'",
             # (a fraction cast away: MySQL 8 rounds, MariaDB truncates; not compared)
             "DATE('2024-05-06 07:08:09')", "CAST('2024-05-06 07:08:09.25' AS DATETIME)",
             "'2024-01-01' + INTERVAL -1 DAY", "DATE_ADD('9999-12-31', INTERVAL 1 DAY)"]


@pytest.mark.parametrize("zone", ZONES)
def test_constants_without_from_match_mariadb(mimir_rd, oracle, zone):
    server, _ = oracle
    sql = "SELECT " + ", ".join(CONSTANTS)
    for attempt in range(2):
        before = server.query_in_zone(zone, "SELECT CURDATE()", ORACLE_DB)
        got = mimir_rows(mimir_rd, zone, sql)
        want = server.query_in_zone(zone, sql, ORACLE_DB)
        after = server.query_in_zone(zone, "SELECT CURDATE()", ORACLE_DB)
        if before == after:
            break
    assert [str(v) for v in got[0]] == [str(v) for v in want[0]]
    assert [type(v) for v in got[0]] == [type(v) for v in want[0]]


@pytest.mark.parametrize("sql", ["SELECT NOW(7)",
                                 "SELECT AGG(lite_count) FROM mimir.metrics WHERE ts >= NOW(7)"])
def test_a_precision_over_six_is_refused(mimir_rd, oracle, sql):
    """NOW(7): MySQL's (and MariaDB's) error 1426, alone or as a time bound, and the next
    statement on the connection answers."""
    server, _ = oracle
    with pytest.raises(pymysql.err.MySQLError) as mariadb_error:
        server.query_in_zone("+00:00", "SELECT NOW(7)", ORACLE_DB)
    assert mariadb_error.value.args[0] == 1426
    assert_refused_on_a_fresh_connection(mimir_rd, sql, 1426,
                                         "Too-big precision 7 specified for 'NOW'. Maximum is 6.")


@pytest.mark.parametrize("src", list(SOURCES))
def test_a_day_against_a_time_of_day_matches_mariadb(mimir_rd, oracle, src):
    """`ds` (a DATE) against a DATETIME literal compares as DATETIME: 12:00 of a day is
    after that day's midnight, 00:00 is the day itself."""
    server, _ = oracle
    (day,), = server.query_in_zone("+00:00", "SELECT CURDATE() - INTERVAL 2 DAY", ORACLE_DB)
    for time_of_day in ("12:00:00", "00:00:00", "00:00:00.000001"):
        lit = f"'{day.isoformat()} {time_of_day}'"
        for op in (">=", ">", "<=", "<", "=", "<>"):
            compare(mimir_rd, server, src, "+00:00", f"ds {op} {lit}", f"DATE(ts) {op} {lit}")
            compare(mimir_rd, server, src, "+00:00", f"{lit} {op} DATE(ts)",
                    f"{lit} {op} DATE(ts)")
        for shape in ("ds BETWEEN {0} AND {0}", "ds NOT BETWEEN {0} AND {0}",
                      "ds IN ({0}, CURDATE())", "ds NOT IN ({0}, CURDATE())",
                      "ds IN ({0})", "ds NOT IN ({0})",
                      "(ds >= {0} OR ds IS NULL)", "NOT (ds < {0})", "NOT (ds = {0})",
                      "ds BETWEEN {0} - INTERVAL 1 DAY AND {0}"):
            compare(mimir_rd, server, src, "+00:00", shape.format(lit),
                    shape.replace("ds", "DATE(ts)").format(lit))


def test_a_day_against_a_time_of_day_is_a_bound(mimir_rd, oracle):
    """ds >= '... 12:00:00' is the bound ts >= the next day, in the source's own WHERE."""
    server, _ = oracle
    (day,), = server.query_in_zone("+00:00", "SELECT CURDATE() - INTERVAL 2 DAY", ORACLE_DB)
    (after,), = server.query_in_zone("+00:00", "SELECT CURDATE() - INTERVAL 1 DAY", ORACLE_DB)
    step = explain_step(mimir_rd, "SELECT ds, AGG(pg_count) FROM mimir.metrics "
                        f"WHERE ds >= '{day.isoformat()} 12:00:00' GROUP BY ds", "rd_pg")
    assert "rd_events WHERE" in step[4], step
    assert f"'{after.isoformat()}" in step[5], step


@pytest.mark.parametrize("src", list(SOURCES))
def test_a_date_dimension_against_a_time_of_day_matches_mariadb(mimir_rd, oracle, src):
    """A dimension of type DATE (event_day) compares with a time of day as MySQL does."""
    server, _ = oracle
    (day,), = server.query_in_zone("+00:00", "SELECT CURDATE() - INTERVAL 2 DAY", ORACLE_DB)
    lit = f"'{day.isoformat()} 12:00:00'"
    for op in (">=", ">", "<=", "<", "=", "<>"):
        compare(mimir_rd, server, src, "+00:00", f"event_day {op} {lit}",
                f"DATE(ts) {op} {lit}")


# Mimir's grain columns that hold the first day of a period, as MariaDB computes them.
PERIODS = {
    "year_month": "CAST(DATE_FORMAT(ts, '%Y-%m-01') AS DATE)",
    "week": "DATE(ts) - INTERVAL WEEKDAY(ts) DAY",
    "quarter": "MAKEDATE(YEAR(ts), 1) + INTERVAL QUARTER(ts) - 1 QUARTER",
}


@pytest.mark.parametrize("src", list(SOURCES))
def test_a_period_against_a_day_matches_mariadb(mimir_rd, oracle, src):
    """year_month, week and quarter compared with a day inside a period, with a period's
    first day, and with a time of day: the rows MariaDB selects with the same periods."""
    server, _ = oracle
    (mid, start, noon), = server.query_in_zone(
        "+00:00", "SELECT CURDATE() - INTERVAL 40 DAY, CAST(DATE_FORMAT(CURDATE() - INTERVAL "
        "40 DAY, '%Y-%m-01') AS DATE), CONCAT(CURDATE() - INTERVAL 70 DAY, ' 12:00:00')",
        ORACLE_DB)
    for grain, oracle_expr in PERIODS.items():
        for value in (f"'{mid.isoformat()}'", f"'{start.isoformat()}'", f"'{noon}'"):
            for op in (">=", ">", "<=", "<", "="):
                compare(mimir_rd, server, src, "+00:00", f"{grain} {op} {value}",
                        f"{oracle_expr} {op} {value}")
            compare(mimir_rd, server, src, "+00:00",
                    f"{grain} BETWEEN {value} AND {value} + INTERVAL 50 DAY",
                    f"{oracle_expr} BETWEEN {value} AND {value} + INTERVAL 50 DAY")


@pytest.mark.parametrize("zone", ZONES)
def test_a_period_filter_is_a_bound(mimir_rd, oracle, zone):
    """year_month >= a day inside a month is the bound ts >= the next month's first day,
    in the source's own WHERE, in the session's zone."""
    server, _ = oracle
    (mid, nxt), = server.query_in_zone(
        zone, "SELECT CURDATE() - INTERVAL 40 DAY, CAST(DATE_FORMAT(CURDATE() - INTERVAL 40 "
        "DAY + INTERVAL 1 MONTH, '%Y-%m-01') AS DATE)", ORACLE_DB)
    sql = (f"SELECT year_month, AGG(wall_count) FROM mimir.metrics "
           f"WHERE year_month > '{mid.isoformat()}' GROUP BY year_month")
    step = explain_step(mimir_rd, sql, "rd_wall", zone)
    assert "rd_events_wall WHERE" in step[4], step
    assert f"'{nxt.isoformat()}" in step[5], step
    assert "year_month" not in step[4].split("mimir_source")[-1], step


@pytest.mark.parametrize("src", list(SOURCES))
def test_a_year_against_a_number_matches_mariadb(mimir_rd, oracle, src):
    """year op N (and N as a string) is a bound on the time column; the rows MariaDB
    selects with YEAR(ts)."""
    server, _ = oracle
    (year,), = server.query_in_zone("+00:00", "SELECT YEAR(CURDATE() - INTERVAL 100 DAY)",
                                    ORACLE_DB)
    for value in (str(year), f"'{year}'", str(year - 1)):
        for op in (">=", ">", "<=", "<", "="):
            compare(mimir_rd, server, src, "+00:00", f"year {op} {value}",
                    f"YEAR(ts) {op} {value}")
        compare(mimir_rd, server, src, "+00:00", f"year BETWEEN {value} AND {value}",
                f"YEAR(ts) BETWEEN {value} AND {value}")
    step = explain_step(mimir_rd, "SELECT ds, AGG(wall_count) FROM mimir.metrics "
                        f"WHERE year = {year} GROUP BY ds", "rd_wall")
    assert "rd_events_wall WHERE" in step[4], step
    assert f"'{year}-01-01" in step[5] and f"'{year + 1}-01-01" in step[5], step
