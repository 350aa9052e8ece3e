"""Session semantics: SET time_zone, SET sql_select_limit, default_time_zone.

MariaDB is the oracle. The same rows (events at fixed instants, dense around
New York's 2022-03-13 spring-forward and 2022-11-06 fall-back, sparse over
2022) are loaded into PostgreSQL as `timestamptz` (source tz_pg), as
`timestamp` without zone (tz_wall: wall-clock values, never converted), and
into MariaDB as a TIMESTAMP column (the oracle's table, also Mimir's source
tz_maria), and into a SQLite file as UTC text (tz_lite: SQLite's times are
instants too, converted by the functions Mimir adds to the SQLite databases
it opens). MariaDB gets its time zone tables from the system's tz database.
Each grain, date function and time range is asked of Mimir under a session
zone and compared with MariaDB's SUM/COUNT grouped the same way under the
same zone, as MySQL reads TIMESTAMP columns.
"""

import datetime
import json
import sqlite3
from decimal import Decimal

import pymysql
import pytest

from conftest import TYPES_DISCOVERED, start_layer_server, write_secrets
from support import assert_answers_select_1, mysql_error

UTC = datetime.timezone.utc
ORACLE_DB = "tz_oracle"
ORACLE_USER = "tz_reader"
ORACLE_PASSWORD = "tz-secret"
ZONES = ["America/New_York", "+05:30", "Asia/Tokyo", "-05:00"]
KINDS = ["a", "b", "c"]


def event_times():
    """Deterministic instants: every 97 minutes over 2022, every 10 minutes over
    the days around both of New York's 2022 daylight-saving changes (so that the
    repeated hour 01:00-02:00 of 2022-11-06 has rows at the same local minutes
    in EDT and in EST), and a few at year and month boundaries."""
    times = set()
    t = datetime.datetime(2021, 12, 25, 3, 7, tzinfo=UTC)
    while t < datetime.datetime(2023, 1, 6, tzinfo=UTC):
        times.add(t)
        t += datetime.timedelta(minutes=97)
    for day in (datetime.datetime(2022, 3, 12, tzinfo=UTC),
                datetime.datetime(2022, 11, 5, tzinfo=UTC)):
        t = day
        while t < day + datetime.timedelta(days=3):
            times.add(t)
            t += datetime.timedelta(minutes=10)
    for edge in ("2021-12-31 23:30", "2022-01-01 00:00", "2022-12-31 15:00", "2022-12-31 23:59",
                 "2022-06-30 18:45", "2022-09-30 22:00"):
        times.add(datetime.datetime.fromisoformat(edge).replace(tzinfo=UTC))
    return sorted(times)


def event_rows():
    return [(i + 1, KINDS[i % 3], Decimal(i % 1000) / 100 + Decimal("0.25"), t)
            for i, t in enumerate(event_times())]


def load_postgres(pg, rows, table="tz_events"):
    """The events as an instant (timestamptz) in `table` and as a wall clock (timestamp)
    in `table`_wall."""
    pg.query(f"DROP TABLE IF EXISTS {table}, {table}_wall")
    pg.query(f"CREATE TABLE {table} (id int PRIMARY KEY, kind text NOT NULL, "
             "amount numeric(6,2) NOT NULL, ts timestamptz NOT NULL)")
    pg.query(f"CREATE TABLE {table}_wall (id int PRIMARY KEY, kind text NOT NULL, "
             "amount numeric(6,2) NOT NULL, ts timestamp NOT NULL)")
    values = ",".join(f"({i}, '{k}', {a}, '{t.isoformat()}')" for i, k, a, t in rows)
    pg.query(f"INSERT INTO {table} VALUES {values}")
    wall = ",".join(f"({i}, '{k}', {a}, '{t.replace(tzinfo=None).isoformat()}')"
                    for i, k, a, t in rows)
    pg.query(f"INSERT INTO {table}_wall VALUES {wall}")


def load_mariadb(server, rows, oracle=(ORACLE_DB, ORACLE_USER, ORACLE_PASSWORD)):
    """The oracle's table (TIMESTAMP, loaded in a UTC session) and its time zone tables, in
    the database oracle[0] that user oracle[1] (password oracle[2]) reads."""
    db, user, password = oracle
    server.load_time_zones()
    server.query(f"DROP DATABASE IF EXISTS {db}")
    server.query(f"CREATE DATABASE {db}")
    server.query("CREATE TABLE events (id INT PRIMARY KEY, kind VARCHAR(4) NOT NULL, "
                 "amount DECIMAL(6,2) NOT NULL, ts TIMESTAMP NOT NULL)", database=db)
    server.executemany("INSERT INTO events VALUES (%s, %s, %s, %s)",
                       [(i, k, a, t.replace(tzinfo=None)) for i, k, a, t in rows],
                       database=db)
    # tz_wall's wall clocks as MySQL DATETIMEs (the UTC wall clocks of the events)
    server.query_in_zone("+00:00", "CREATE TABLE events_wall AS SELECT id, kind, amount, "
                         "CAST(ts AS DATETIME) AS ts FROM events", db)
    server.create_user(user, password, db)


def load_sqlite(path, rows):
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, "
               "amount DECIMAL(6,2) NOT NULL, ts DATETIME NOT NULL)")
    db.executemany("INSERT INTO events VALUES (?, ?, ?, ?)",
                   [(i, k, str(a), t.strftime("%Y-%m-%d %H:%M:%S")) for i, k, a, t in rows])
    db.commit()
    db.close()


def write_layer(base, pg_port, server):
    configs = base / "configs"
    for sub in ("sources", "metrics", "dimensions"):
        (configs / sub).mkdir(parents=True, exist_ok=True)
    sources = {
        "tz_pg": ("pagila_postgres", "tz_events"),
        "tz_wall": ("pagila_postgres", "tz_events_wall"),
        "tz_maria": ("tz_oracle", "events"),
        "tz_lite": ("tz_lite", "events"),
    }
    text = ""
    for name, (conn, table) in sources.items():
        sql = f"SELECT {table}.id, {table}.kind, {table}.amount, {table}.ts FROM {table}"
        text += (f"{name}:\n  name: {name}\n  connection_name: {conn}\n"
                 f"  time_col: {table}.ts\n  time_col_alias: ts\n  sql: {json.dumps(sql)}\n")
    (configs / "sources" / "sources.yaml").write_text(text)
    metrics = []
    for name in sources:
        short = name[3:]
        metrics.append(f"name: {short}_amount\nsource_name: {name}\nsql: SUM(amount)\n")
        metrics.append(f"name: {short}_count\nsource_name: {name}\nsql: COUNT(id)\n")
    (configs / "metrics" / "metrics.yaml").write_text("---\n".join(metrics))
    (configs / "dimensions" / "dimensions.yaml").write_text("")
    secrets = write_secrets(base / "secrets", pg_port)
    (secrets / "tz_oracle.json").write_text(json.dumps(
        server.secret(ORACLE_DB, ORACLE_USER, ORACLE_PASSWORD)))
    load_sqlite(base / "events.db", event_rows())
    (secrets / "tz_lite.json").write_text(json.dumps(
        {"connection_class": "sqlite", "path": str(base / "events.db")}))
    return configs, secrets


@pytest.fixture(scope="module")
def oracle(mariadb, pg):
    rows = event_rows()
    load_postgres(pg, rows)
    load_mariadb(mariadb, rows)
    return mariadb


@pytest.fixture(scope="module")
def mimir_tz(request, session_dir, oracle, pg):
    configs, secrets = write_layer(session_dir / "time-zone", pg.port, oracle)
    return start_layer_server(request, session_dir, "mimir-tz", configs, secrets)


def oracle_rows(server, zone, sql):
    return server.query_in_zone(zone, sql, ORACLE_DB)


def mimir_rows(server, zone, sql):
    conn = server.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SET time_zone = %s", (zone,))
            cur.execute(sql)
            return [tuple(r) for r in cur.fetchall()]
    finally:
        conn.close()


def normal(rows):
    """Rows as comparable text; numbers by value (the SQLite source's DECIMAL scale is
    checked on its own: test_sqlite_decimal_metric_keeps_its_scale)."""
    def text(v):
        if isinstance(v, (Decimal, float)):
            return format(Decimal(repr(v) if isinstance(v, float) else v).normalize(), "f")
        return str(v)
    return sorted(tuple(text(v) for v in r) for r in rows)


# Mimir's grain, and the same grouping written for MariaDB over a TIMESTAMP column.
GRAINS = {
    "ts": "CAST(ts AS DATETIME)",
    "ts_second": "CAST(ts AS DATETIME)",
    "ts_minute": "CAST(DATE_FORMAT(ts, '%Y-%m-%d %H:%i:00') AS DATETIME)",
    "ts_hour": "CAST(DATE_FORMAT(ts, '%Y-%m-%d %H:00:00') AS DATETIME)",
    "ds": "DATE(ts)",
    "week": "DATE_SUB(DATE(ts), INTERVAL WEEKDAY(ts) DAY)",
    "year_month": "CAST(DATE_FORMAT(ts, '%Y-%m-01') AS DATE)",
    "quarter": "MAKEDATE(YEAR(ts), 1) + INTERVAL QUARTER(ts) - 1 QUARTER",
    "year": "YEAR(ts)",
}

# Date functions of the time column, the same text on both.
FUNCTIONS = ["DATE(ts)", "HOUR(ts)", "DATE_FORMAT(ts, '%Y-%m-%d %H:%i')", "DAYOFWEEK(ts)",
             "MONTH(ts)", "WEEK(ts, 3)", "YEARWEEK(ts)", "TO_DAYS(ts)", "DAYOFYEAR(ts)",
             "LAST_DAY(ts)", "WEEKDAY(ts)", "MINUTE(ts)",
             "ADDDATE(FROM_DAYS(TO_DAYS(ts) - (DAYOFWEEK(ts) - 1)), INTERVAL 0 SECOND)",
             # Grafana's $__timeGroup: a TIMESTAMP column's own epoch, whatever the zone
             # (the fall-back's repeated hour gives two distinct epochs).
             "UNIX_TIMESTAMP(ts)", "UNIX_TIMESTAMP(ts) DIV 3600 * 3600",
             # Superset's epoch_to_dttm: the wall clock of a computed instant, in the zone
             "DATE(FROM_UNIXTIME(UNIX_TIMESTAMP(ts)))", "FROM_UNIXTIME(UNIX_TIMESTAMP(ts) + 1800)"]

# Time ranges pushed into the source's WHERE: (Mimir's filter, MariaDB's).
RANGES = [
    ("ds BETWEEN '2022-11-01' AND '2022-11-30'", "DATE(ts) BETWEEN '2022-11-01' AND '2022-11-30'"),
    ("ds = '2022-11-06'", "DATE(ts) = '2022-11-06'"),
    ("ds >= '2022-03-13' AND ds < '2022-03-14'", "DATE(ts) >= '2022-03-13' AND DATE(ts) < '2022-03-14'"),
    ("ts >= '2022-03-13 01:00:00' AND ts < '2022-03-13 04:00:00'",
     "ts >= '2022-03-13 01:00:00' AND ts < '2022-03-13 04:00:00'"),
    ("DATE(ts) BETWEEN '2022-06-30' AND '2022-07-01'",
     "DATE(ts) BETWEEN '2022-06-30' AND '2022-07-01'"),
    # Grafana's $__timeFilter: 2022-11-06 00:00 EDT .. 04:00 EST, the repeated hour inside.
    ("ts BETWEEN FROM_UNIXTIME(1667707200) AND FROM_UNIXTIME(1667725200)",
     "ts BETWEEN FROM_UNIXTIME(1667707200) AND FROM_UNIXTIME(1667725200)"),
    ("ts >= FROM_UNIXTIME(1647143999) AND ts < FROM_UNIXTIME(1647154800)",
     "ts >= FROM_UNIXTIME(1647143999) AND ts < FROM_UNIXTIME(1647154800)"),
    # computed: compared on the session's wall clock, not pushed as a range
    ("ts >= FROM_UNIXTIME(1667707200 + 0) AND ts < FROM_UNIXTIME(1667725200 + 0)",
     "ts >= FROM_UNIXTIME(1667707200 + 0) AND ts < FROM_UNIXTIME(1667725200 + 0)"),
]

# tz_pg (timestamptz), tz_maria (TIMESTAMP) and tz_lite (UTC text): all instants
SOURCES = ["pg", "maria", "lite"]


def test_the_data_covers_both_daylight_saving_changes(oracle):
    # Two different instants that New York shows as the same minute of the repeated hour.
    rows = oracle_rows(oracle, "America/New_York",
                       "SELECT CAST(ts AS DATETIME), COUNT(*) FROM events "
                       "WHERE UNIX_TIMESTAMP(ts) BETWEEN 1667710800 AND 1667718000 "
                       "GROUP BY 1 HAVING COUNT(*) > 1")
    assert rows, "no two instants share a local time in the repeated hour"
    gap = oracle_rows(oracle, "+00:00",
                      "SELECT COUNT(*) FROM events WHERE ts BETWEEN '2022-03-13 06:00:00' "
                      "AND '2022-03-13 08:00:00'")
    assert gap[0][0] > 0


@pytest.mark.parametrize("src", SOURCES)
@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("grain", list(GRAINS))
def test_grains_match_mariadb(mimir_tz, oracle, src, zone, grain):
    got = mimir_rows(mimir_tz, zone, f"SELECT {grain}, AGG({src}_amount), AGG({src}_count) "
                                     f"FROM mimir.metrics GROUP BY {grain}")
    want = oracle_rows(oracle, zone,
                       f"SELECT {GRAINS[grain]}, SUM(amount), COUNT(id) FROM events GROUP BY 1")
    assert normal(got) == normal(want)


def test_fall_back_hour_groups_as_one(mimir_tz, oracle):
    sql = ("SELECT ts_hour, AGG(pg_count) FROM mimir.metrics WHERE ds = '2022-11-06' "
           "GROUP BY ts_hour ORDER BY ts_hour")
    got = mimir_rows(mimir_tz, "America/New_York", sql)
    hours = [r[0] for r in got]
    assert len(hours) == len(set(hours)) == 24
    one_am = dict(got)[datetime.datetime(2022, 11, 6, 1)]
    assert one_am >= 12  # six rows an hour (and the sparse series), twice: EDT and EST
    assert one_am == oracle_rows(oracle, "America/New_York",
                                 "SELECT COUNT(*) FROM events WHERE DATE(ts) = '2022-11-06' "
                                 "AND HOUR(ts) = 1")[0][0]
    spring = mimir_rows(mimir_tz, "America/New_York",
                        "SELECT ts_hour, AGG(pg_count) FROM mimir.metrics WHERE ds = '2022-03-13' "
                        "GROUP BY ts_hour")
    assert datetime.datetime(2022, 3, 13, 2) not in [r[0] for r in spring]
    assert len(spring) == 23


@pytest.mark.parametrize("src", SOURCES)
@pytest.mark.parametrize("zone", ["America/New_York", "+05:30", "Asia/Tokyo"])
@pytest.mark.parametrize("function", FUNCTIONS)
def test_date_functions_match_mariadb(mimir_tz, oracle, src, zone, function):
    got = mimir_rows(mimir_tz, zone, f"SELECT {function} AS k, AGG({src}_amount), "
                                     f"AGG({src}_count) FROM mimir.metrics GROUP BY {function}")
    want = oracle_rows(oracle, zone,
                       f"SELECT {function}, SUM(amount), COUNT(id) FROM events GROUP BY 1")
    assert normal(got) == normal(want)


@pytest.mark.parametrize("src", SOURCES)
@pytest.mark.parametrize("zone", ["America/New_York", "+05:30", "Asia/Tokyo"])
def test_unix_timestamp_of_the_local_date(mimir_tz, oracle, src, zone):
    """Grafana's annotation, UNIX_TIMESTAMP(ds): the instant of the local midnight of
    the session's date, across both daylight-saving changes."""
    got = mimir_rows(mimir_tz, zone, f"SELECT UNIX_TIMESTAMP(ds) AS k, AGG({src}_amount), "
                                     f"AGG({src}_count) FROM mimir.metrics GROUP BY 1")
    want = oracle_rows(oracle, zone, "SELECT UNIX_TIMESTAMP(DATE(ts)), SUM(amount), COUNT(id) "
                                     "FROM events GROUP BY 1")
    assert normal(got) == normal(want)


@pytest.mark.parametrize("src", SOURCES)
@pytest.mark.parametrize("zone", ["America/New_York", "+05:30", "Asia/Tokyo"])
@pytest.mark.parametrize("ranges", RANGES, ids=[r[0] for r in RANGES])
def test_time_ranges_match_mariadb(mimir_tz, oracle, src, zone, ranges):
    mimir_where, maria_where = ranges
    got = mimir_rows(mimir_tz, zone, f"SELECT ts_hour, AGG({src}_amount), AGG({src}_count) "
                                     f"FROM mimir.metrics WHERE {mimir_where} GROUP BY ts_hour")
    want = oracle_rows(oracle, zone,
                       f"SELECT {GRAINS['ts_hour']}, SUM(amount), COUNT(id) FROM events "
                       f"WHERE {maria_where} GROUP BY 1")
    assert got and normal(got) == normal(want)


def test_the_range_is_pushed_with_the_zone_as_a_parameter(mimir_tz):
    conn = mimir_tz.connect()
    with conn.cursor() as cur:
        cur.execute("SET time_zone = 'America/New_York'")
        cur.execute("EXPLAIN SELECT ds, AGG(pg_count) FROM mimir.metrics "
                    "WHERE ds BETWEEN '2022-11-01' AND '2022-11-30' GROUP BY ds")
        (step,) = [r for r in cur.fetchall() if r[1] == "tz_pg"]
    sql, params = step[4], step[5]
    assert "America/New_York" not in sql and "'America/New_York'" in params
    # on the bare column (an index serves it), widened by 3 hours, then exactly on the
    # column's wall clock (a fall-back's repeated hour is two instants)
    assert "tz_events.ts >= ((CAST($" in sql and "INTERVAL '3 hours'" in sql
    assert "(tz_events.ts AT TIME ZONE CAST($" in sql
    conn.close()


def test_from_unixtime_bounds_are_pushed_in_the_session_zone(mimir_tz):
    """Grafana's $__timeFilter: FROM_UNIXTIME(n) is read in the session's zone by
    the planner and pushed as a bound on the raw time column."""
    conn = mimir_tz.connect()
    with conn.cursor() as cur:
        cur.execute("SET time_zone = 'America/New_York'")
        cur.execute("EXPLAIN SELECT UNIX_TIMESTAMP(ts) DIV 3600 * 3600 AS t, AGG(pg_count) "
                    "FROM mimir.metrics WHERE ts BETWEEN FROM_UNIXTIME(1667707200) "
                    "AND FROM_UNIXTIME(1667725200) GROUP BY 1")
        (step,) = [r for r in cur.fetchall() if r[1] == "tz_pg"]
    sql, params = step[4], step[5]
    assert "tz_events.ts >= ((CAST($" in sql and "tz_events.ts <= ((CAST($" in sql
    assert "'2022-11-06 00:00:00'" in params and "'2022-11-06 04:00:00'" in params
    assert "FROM_UNIXTIME" not in sql.upper()
    conn.close()


@pytest.mark.parametrize("zone", ["America/New_York", "+05:30"])
def test_unix_timestamp_of_wall_clock_values(mimir_tz, oracle, zone):
    """UNIX_TIMESTAMP of a wall-clock DATETIME (PostgreSQL `timestamp`) is the instant
    it names in the session's zone, by MySQL's rules for the wall clocks daylight
    saving skips and repeats (the data has both)."""
    got = mimir_rows(mimir_tz, zone, "SELECT UNIX_TIMESTAMP(ts) AS t, AGG(wall_count) "
                                     "FROM mimir.metrics GROUP BY 1")
    want = oracle_rows(oracle, zone, "SELECT UNIX_TIMESTAMP(ts), COUNT(id) FROM events_wall "
                                     "GROUP BY 1")
    assert normal(got) == normal(want)


@pytest.mark.parametrize("zone", ["America/New_York", "+05:30"])
def test_raw_instants_are_shown_in_the_session_zone(mimir_tz, oracle, zone):
    got = mimir_rows(mimir_tz, zone, "SELECT ts, AGG(pg_count) FROM mimir.metrics "
                                     "WHERE ds = '2022-11-06' GROUP BY ts")
    want = oracle_rows(oracle, zone, "SELECT CAST(ts AS DATETIME), COUNT(*) FROM events "
                                     "WHERE DATE(ts) = '2022-11-06' GROUP BY 1")
    assert normal(got) == normal(want)


@pytest.mark.parametrize("grain", ["ts_hour", "ds", "week", "year_month"])
def test_wall_clock_times_do_not_convert(mimir_tz, oracle, grain):
    """tz_wall's column is PostgreSQL `timestamp` (a DATETIME to MySQL): the zone
    changes nothing, as in MySQL."""
    sql = f"SELECT {grain}, AGG(wall_amount), AGG(wall_count) FROM mimir.metrics GROUP BY {grain}"
    got = mimir_rows(mimir_tz, "America/New_York", sql)
    assert got == mimir_rows(mimir_tz, "+00:00", sql)
    want = oracle_rows(oracle, "+00:00",
                       f"SELECT {GRAINS[grain]}, SUM(amount), COUNT(id) FROM events GROUP BY 1")
    assert normal(got) == normal(want)


def test_session_variables_show_the_zone(mimir_tz):
    conn = mimir_tz.connect()
    with conn.cursor() as cur:
        cur.execute("SELECT @@time_zone, @@session.time_zone")
        assert cur.fetchall() == (("+00:00", "+00:00"),)
        for zone, shown in [("America/New_York", "America/New_York"), ("+5:30", "+05:30"),
                            ("-05:00", "-05:00"), ("SYSTEM", "SYSTEM"), ("UTC", "UTC")]:
            cur.execute(f"SET time_zone = '{zone}'")
            cur.execute("SELECT @@time_zone, @@session.time_zone")
            assert cur.fetchall() == ((shown, shown),)
        cur.execute("SET @@session.time_zone = 'Asia/Tokyo'")
        cur.execute("SHOW VARIABLES LIKE 'time_zone'")
        assert cur.fetchall() == (("time_zone", "Asia/Tokyo"),)
        cur.execute("SELECT NOW(), UTC_TIMESTAMP()")
        local, utc = cur.fetchone()
        assert abs((local - utc) - datetime.timedelta(hours=9)) <= datetime.timedelta(seconds=2)
        cur.execute("SET time_zone = DEFAULT")
        cur.execute("SELECT @@time_zone")
        assert cur.fetchall() == (("+00:00",),)
    conn.close()


@pytest.mark.parametrize("value, code, message", [
    ("'Mars/Olympus_Mons'", 1298, "Unknown or incorrect time zone: 'Mars/Olympus_Mons'"),
    ("'+14:01'", 1298, "Unknown or incorrect time zone: '+14:01'"),
    ("'../../etc/passwd'", 1298, "Unknown or incorrect time zone: '../../etc/passwd'"),
    ("'05:30'", 1298, "Unknown or incorrect time zone: '05:30'"),
    ("NULL", 1231, "Variable 'time_zone' can't be set to the value of 'NULL'"),
])
def test_bad_time_zones_are_refused(mimir_tz, value, code, message):
    conn = mimir_tz.connect()
    with conn.cursor() as cur:
        cur.execute("SET time_zone = 'Asia/Tokyo'")
        with pytest.raises(pymysql.MySQLError) as e:
            cur.execute(f"SET time_zone = {value}")
        assert mysql_error(e) == (code, message)
        cur.execute("SELECT @@time_zone")  # unchanged, and the session still answers
        assert cur.fetchall() == (("Asia/Tokyo",),)
    assert_answers_select_1(conn)
    conn.close()


def test_sqlite_decimal_metric_keeps_its_scale(mimir_tz, oracle):
    got = mimir_rows(mimir_tz, "+00:00", "SELECT AGG(lite_amount) FROM mimir.metrics "
                                         "GROUP BY ds ORDER BY ds")
    want = oracle_rows(oracle, "+00:00", "SELECT SUM(amount) FROM events "
                                         "GROUP BY DATE(ts) ORDER BY DATE(ts)")
    assert [str(r[0]) for r in got] == [str(r[0]) for r in want]


def described(server, sql):
    """(rows, [(type code, scale)] of each column) of sql through PyMySQL."""
    conn = server.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall(), [(d[1], d[5]) for d in cur.description]
    finally:
        conn.close()


NEWDECIMAL = pymysql.constants.FIELD_TYPE.NEWDECIMAL


@pytest.mark.parametrize("sql, oracle_sql", [
    # one SQLite source: its rows stream to the client
    ("SELECT ds, AGG(lite_amount) FROM mimir.metrics GROUP BY ds ORDER BY ds",
     "SELECT DATE(ts), SUM(amount) FROM events GROUP BY DATE(ts) ORDER BY DATE(ts)"),
    # two sources combined in SQLite: the SQLite one is an exact DECIMAL there too
    ("SELECT kind, AGG(lite_amount), AGG(pg_amount) FROM mimir.metrics GROUP BY kind "
     "ORDER BY kind",
     "SELECT kind, SUM(amount), SUM(amount) FROM events GROUP BY kind ORDER BY kind"),
    # a derived table over it keeps the DECIMAL (MIN/MAX compare it as a number)
    ("SELECT MAX(s), MIN(s) FROM (SELECT ds, AGG(lite_amount) AS s FROM mimir.metrics "
     "GROUP BY ds) t",
     "SELECT MAX(s), MIN(s) FROM (SELECT SUM(amount) AS s FROM events GROUP BY DATE(ts)) t"),
    # no row: the column is still the DECIMAL the layer says
    ("SELECT ds, AGG(lite_amount) FROM mimir.metrics WHERE ds = '1999-01-01' GROUP BY ds",
     "SELECT DATE(ts), SUM(amount) FROM events WHERE DATE(ts) = '1999-01-01' GROUP BY DATE(ts)"),
], ids=["streamed", "combined", "derived", "no-row"])
def test_sqlite_decimal_metric_is_a_decimal_on_the_wire(mimir_tz, oracle, sql, oracle_sql):
    """A SUM of a SQLite column declared DECIMAL(6,2) arrives as DECIMAL with scale 2,
    rounded to it from SQLite's REAL, whether it streams or goes through the combine."""
    rows, types = described(mimir_tz, sql)
    want = oracle_rows(oracle, "+00:00", oracle_sql)
    assert [[str(v) for v in r] for r in rows] == [[str(v) for v in r] for r in want]
    assert [t for t in types if t[0] == NEWDECIMAL] and all(
        scale == 2 for code, scale in types if code == NEWDECIMAL)
    selected = sql.split(" FROM ")[0].split(", ")
    assert all(types[i] == (NEWDECIMAL, 2) for i, c in enumerate(selected) if "(" in c)


def test_sqlite_decimal_metric_ratio_is_exact(mimir_tz, oracle):
    """A quotient of a SQLite source's DECIMAL sum is MySQL's exact DECIMAL division
    (Tableau's ratio calculation; 4.3965625 is 4.396563 there, not a DOUBLE's 4.396562)."""
    got = mimir_rows(mimir_tz, "+00:00",
                     "SELECT ds, AGG(lite_amount) / AGG(lite_count), AGG(lite_amount) * 3 "
                     "FROM mimir.metrics GROUP BY ds ORDER BY ds")
    want = oracle_rows(oracle, "+00:00",
                       "SELECT DATE(ts), SUM(amount) / COUNT(id), SUM(amount) * 3 FROM events "
                       "GROUP BY DATE(ts) ORDER BY DATE(ts)")
    assert [[str(v) for v in r] for r in got] == [[str(v) for v in r] for r in want]


def as_datetime(v):
    return v if isinstance(v, datetime.datetime) else datetime.datetime.fromisoformat(v)


def test_sqlite_sources_read_times_in_the_session_zone(mimir_demo):
    """The demo's SQLite times (UTC text) move to the session's wall clock: each
    order at 00:00-04:59 UTC is on the previous day in New York."""
    conn = mimir_demo.connect()
    with conn.cursor() as cur:
        cur.execute("SELECT ts_hour, AGG(orders_count) FROM mimir.metrics GROUP BY ts_hour")
        utc = {as_datetime(h): n for h, n in cur.fetchall()}
        cur.execute("SET time_zone = '-05:00'")
        cur.execute("SELECT ts_hour, AGG(orders_count) FROM mimir.metrics GROUP BY ts_hour")
        shifted = {as_datetime(h): n for h, n in cur.fetchall()}
        assert shifted == {h - datetime.timedelta(hours=5): n for h, n in utc.items()}
    assert_answers_select_1(conn)
    conn.close()


def test_sql_select_limit(mimir_tz):
    conn = mimir_tz.connect()
    q = "SELECT ds, AGG(pg_count) FROM mimir.metrics GROUP BY ds ORDER BY ds"
    with conn.cursor() as cur:
        cur.execute(q)
        every = cur.fetchall()
        cur.execute("SELECT @@sql_select_limit")
        assert cur.fetchall() == ((18446744073709551615,),)
        cur.execute("SET sql_select_limit = 3")
        cur.execute("SELECT @@sql_select_limit")
        assert cur.fetchall() == ((3,),)
        cur.execute(q)
        assert cur.fetchall() == every[:3]
        cur.execute(q + " LIMIT 5")  # the statement's own LIMIT wins
        assert cur.fetchall() == every[:5]
        cur.execute("SELECT TABLE_NAME FROM information_schema.TABLES "
                    "WHERE TABLE_SCHEMA = 'mimir' ORDER BY TABLE_NAME")
        assert len(cur.fetchall()) == 3
        cur.execute("SET sql_select_limit = 0")
        cur.execute(q)
        assert cur.fetchall() == ()
        cur.execute("SET sql_select_limit = DEFAULT")
        cur.execute(q)
        assert cur.fetchall() == every
        with pytest.raises(pymysql.MySQLError) as e:
            cur.execute("SET sql_select_limit = 'many'")
        assert mysql_error(e) == (1232, "Incorrect argument type to variable 'sql_select_limit'")
        with pytest.raises(pymysql.MySQLError) as e:
            cur.execute("SET sql_select_limit = -1")
        assert mysql_error(e) == (1231,
                                  "Variable 'sql_select_limit' can't be set to the value of '-1'")
        cur.execute(q)
        assert cur.fetchall() == every
    assert_answers_select_1(conn)
    conn.close()


def server_file(directory, zone):
    path = directory / "server.yaml"
    path.write_text(f"default_time_zone: {json.dumps(zone)}\n")
    return path


def test_default_time_zone_setting(mimir_factory, mimir_tz, oracle, workdir):
    configs, secrets = mimir_tz.configs, mimir_tz.secrets
    server = mimir_factory(configs=configs, secrets=secrets,
                           extra_args=["--server-config",
                                       str(server_file(workdir, "America/New_York"))])
    server.start()
    server.wait_for_log(TYPES_DISCOVERED)
    conn = server.connect()
    with conn.cursor() as cur:
        cur.execute("SELECT @@time_zone")
        assert cur.fetchall() == (("America/New_York",),)
        cur.execute("SELECT ds, AGG(pg_count) FROM mimir.metrics GROUP BY ds")
        got = cur.fetchall()
        cur.execute("SET time_zone = '+00:00'")
        cur.execute("SET time_zone = DEFAULT")
        cur.execute("SELECT @@time_zone")
        assert cur.fetchall() == (("America/New_York",),)
    conn.close()
    want = oracle_rows(oracle, "America/New_York",
                       "SELECT DATE(ts), COUNT(id) FROM events GROUP BY 1")
    assert normal(got) == normal(want)


def test_a_bad_default_time_zone_stops_the_server(mimir_factory, workdir):
    server = mimir_factory(extra_args=["--server-config",
                                       str(server_file(workdir, "Atlantis/Capital"))])
    code, stderr = server.run_until_exit()
    assert code != 0
    assert "default_time_zone 'Atlantis/Capital' is not a time zone" in stderr


def test_now_in_a_filter_reads_the_session_clock(mimir_tz):
    """NOW() pushed to a backend is the session's wall clock, sent as a parameter:
    the backends' own clocks run in UTC."""
    conn = mimir_tz.connect()
    with conn.cursor() as cur:
        cur.execute("SET time_zone = 'Asia/Tokyo'")
        cur.execute("SELECT UTC_TIMESTAMP()")
        (utc,), = cur.fetchall()
        cur.execute("EXPLAIN SELECT ds, AGG(pg_count) FROM mimir.metrics "
                    "WHERE ts < NOW() GROUP BY ds")
        (step,) = [r for r in cur.fetchall() if r[1] == "tz_pg"]
        sent = datetime.datetime.fromisoformat(step[5].strip("[]").split(", ")[-1].strip("'"))
        assert abs(sent - utc - datetime.timedelta(hours=9)) <= datetime.timedelta(seconds=5)
        cur.execute("SELECT COUNT(*) FROM (SELECT ds, AGG(pg_count) FROM mimir.metrics "
                    "WHERE ts < NOW() GROUP BY ds) t")
        assert cur.fetchall()[0][0] > 300
    assert_answers_select_1(conn)
    conn.close()


@pytest.mark.parametrize("zone", ["America/New_York", "+05:30"])
def test_two_sources_join_on_the_same_local_grain(mimir_tz, oracle, zone):
    """PostgreSQL and MariaDB both convert; the combine joins their local days."""
    got = mimir_rows(mimir_tz, zone, "SELECT ds, AGG(pg_count), AGG(maria_count) "
                                     "FROM mimir.metrics WHERE year_month = '2022-11-01' "
                                     "GROUP BY ds")
    want = oracle_rows(oracle, zone, "SELECT DATE(ts), COUNT(id), COUNT(id) FROM events "
                                     "WHERE DATE_FORMAT(ts, '%Y-%m') = '2022-11' GROUP BY 1")
    assert len(got) == 30 and normal(got) == normal(want)
