"""MySQL's function library (issue 13, section 2), with MariaDB as the oracle.

The same rows (edge values: year and month ends, leap days, Sundays and
Mondays around January 1 for the WEEK modes, fractional seconds, NULLs,
empty and non-ASCII strings, zero and negative numbers) are loaded into a
PostgreSQL table (source fn_pg), a MariaDB table (source fn_maria, which is
also the oracle's table) and a SQLite file (source fn_lite). For every
function and every source, Mimir's

    SELECT f(...) AS v, AGG(<source>_m) FROM mimir.metrics GROUP BY v

must give MariaDB's `SELECT f(...), SUM(m) FROM fn_rows GROUP BY 1`. The
BI tools' expressions of issue 13 are here with the tool they come from.
What Mimir refuses is checked too: the code and the message, and that the
next statement on the same connection is answered.
"""

import datetime
import json
import re
import sqlite3
from decimal import Decimal

import pymysql
import pytest

from conftest import start_layer_server, write_secrets
from support import assert_answers_select_1, mysql_error

ORACLE_DB = "fn_oracle"
ORACLE_USER = "fn_reader"
ORACLE_PASSWORD = "fn-secret"
SOURCES = ["pg", "maria", "lite"]

STRINGS = ["Action", "comedy", "Sci-Fi", "", "héllo wörld", None, "a,b|c", " x pad", "Ölçü"]
NUMBERS = [7, -3, 0, 12, None, 100, -1, 2, 5]
KINDS = ["a", "b", "c"]


def row_times():
    """Edges first (each year's Jan 1 falls on every weekday across 2017-2028),
    then a sparse series over 2019-2025 at odd minutes and seconds."""
    edges = ["2017-01-01 00:00:00", "2018-01-01 06:30:00", "2019-12-29 12:00:00",
             "2019-12-30 00:00:00", "2020-01-01 00:00:00", "2020-02-29 23:59:59",
             "2020-12-31 00:00:00", "2021-01-03 10:00:00", "2021-01-04 00:00:01",
             "2021-12-31 23:59:59.999999", "2022-01-01 00:00:00", "2022-01-02 10:00:00",
             "2022-01-03 00:00:01", "2022-03-05 14:07:48.860000", "2022-03-05 14:07:48.120000",
             "2022-12-31 18:00:00", "2023-01-01 09:00:00", "2024-02-29 12:00:00",
             "2024-12-29 08:00:00", "2024-12-30 08:00:00", "2024-12-31 23:00:00",
             "2025-01-01 01:02:03.500000", "2026-01-01 00:00:00", "2027-01-01 00:00:00",
             "2027-01-03 00:00:00", "2028-01-01 00:00:00", "2028-01-02 00:00:00"]
    times = [datetime.datetime.fromisoformat(e) for e in edges]
    t = datetime.datetime(2019, 12, 20, 3, 7, 11)
    while t < datetime.datetime(2026, 1, 10):
        times.append(t)
        t += datetime.timedelta(days=3, hours=11, minutes=7, seconds=13)
    return times


def rows():
    out = []
    for i, t in enumerate(row_times()):
        out.append((i + 1, KINDS[i % 3], STRINGS[i % len(STRINGS)], NUMBERS[i % len(NUMBERS)],
                    t.date(), t, i % 17 + 1))
    return out


def text_time(t):
    return t.strftime("%Y-%m-%d %H:%M:%S.%f") if t.microsecond else t.strftime("%Y-%m-%d %H:%M:%S")


def load_postgres(pg, data):
    pg.query("DROP TABLE IF EXISTS fn_rows")
    pg.query("CREATE TABLE fn_rows (id int PRIMARY KEY, k text NOT NULL, s text, n int, "
             "d date NOT NULL, ts timestamp(6) NOT NULL, m int NOT NULL)")
    values = ",".join(
        "({}, '{}', {}, {}, '{}', '{}', {})".format(
            i, k, "NULL" if s is None else "'" + s.replace("'", "''") + "'",
            "NULL" if n is None else n, d.isoformat(), text_time(t), m)
        for i, k, s, n, d, t, m in data)
    pg.query(f"INSERT INTO fn_rows VALUES {values}")


def load_mariadb(server, data):
    server.query(f"DROP DATABASE IF EXISTS {ORACLE_DB}")
    server.query(f"CREATE DATABASE {ORACLE_DB} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    server.query("CREATE TABLE fn_rows (id INT PRIMARY KEY, k VARCHAR(4) NOT NULL, "
                 "s VARCHAR(40), n INT, d DATE NOT NULL, ts DATETIME(6) NOT NULL, "
                 "m INT NOT NULL)", database=ORACLE_DB)
    server.executemany("INSERT INTO fn_rows VALUES (%s, %s, %s, %s, %s, %s, %s)", data,
                       database=ORACLE_DB)
    server.create_user(ORACLE_USER, ORACLE_PASSWORD, ORACLE_DB)


def load_sqlite(path, data):
    db = sqlite3.connect(path)
    db.execute("DROP TABLE IF EXISTS fn_rows")
    db.execute("CREATE TABLE fn_rows (id INTEGER PRIMARY KEY, k TEXT NOT NULL, s TEXT, "
               "n INTEGER, d DATE NOT NULL, ts DATETIME NOT NULL, m INTEGER NOT NULL)")
    db.executemany("INSERT INTO fn_rows VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [(i, k, s, n, d.isoformat(), text_time(t), m)
                    for i, k, s, n, d, t, m in data])
    db.commit()
    db.close()


def write_layer(base, pg_port, server, lite_path):
    configs = base / "configs"
    for sub in ("sources", "metrics", "dimensions"):
        (configs / sub).mkdir(parents=True, exist_ok=True)
    conns = {"pg": "pagila_postgres", "maria": "fn_oracle", "lite": "fn_lite"}
    sql = "SELECT fn_rows.id, fn_rows.k, fn_rows.s, fn_rows.n, fn_rows.d, fn_rows.m, " \
          "fn_rows.ts FROM fn_rows"
    text = ""
    for src, conn in conns.items():
        text += (f"fn_{src}:\n  name: fn_{src}\n  connection_name: {conn}\n"
                 f"  time_col: fn_rows.ts\n  time_col_alias: ts\n  sql: {json.dumps(sql)}\n")
    (configs / "sources" / "sources.yaml").write_text(text)
    (configs / "metrics" / "metrics.yaml").write_text("---\n".join(
        f"name: {src}_m\nsource_name: fn_{src}\nsql: SUM(m)\n" for src in conns))
    (configs / "dimensions" / "dimensions.yaml").write_text("")
    secrets = write_secrets(base / "secrets", pg_port)
    (secrets / "fn_oracle.json").write_text(json.dumps(
        server.secret(ORACLE_DB, ORACLE_USER, ORACLE_PASSWORD)))
    (secrets / "fn_lite.json").write_text(json.dumps(
        {"connection_class": "sqlite", "path": str(lite_path)}))
    return configs, secrets


CONVERT_TZ_ZONES = ["UTC", "America/New_York", "Europe/Paris", "America/Sao_Paulo",
                    "America/Havana"]


@pytest.fixture(scope="module")
def oracle(mariadb, pg, session_dir):
    data = rows()
    load_postgres(pg, data)
    load_mariadb(mariadb, data)
    for zone in CONVERT_TZ_ZONES:  # CONVERT_TZ with named zones, on the oracle and fn_maria
        mariadb.load_time_zones(zone)
    load_sqlite(session_dir / "fn_rows.db", data)
    return mariadb


@pytest.fixture(scope="module")
def mimir_fn(request, session_dir, oracle, pg):
    configs, secrets = write_layer(session_dir / "functions", pg.port, oracle,
                                   session_dir / "fn_rows.db")
    return start_layer_server(request, session_dir, "mimir-fn", configs, secrets)


@pytest.fixture
def conn(mimir_fn):
    c = mimir_fn.connect()
    yield c
    c.close()


def oracle_rows(server, sql):
    c = pymysql.connect(unix_socket=str(server.socket), user="root", password="",
                        database=ORACLE_DB, autocommit=True)
    try:
        with c.cursor() as cur:
            cur.execute("SET time_zone = '+00:00'")
            cur.execute(sql)
            return [tuple(r) for r in cur.fetchall()]
    finally:
        c.close()


def value(v):
    """One value as comparable text: dates and times in ISO form (a SQLite source
    returns them as text), numbers to 9 significant digits (floating point
    functions), everything else as its text."""
    if v is None:
        return "NULL"
    if isinstance(v, datetime.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, datetime.timedelta):
        return time_text(v)
    if isinstance(v, (int, float, Decimal)):
        f = float(v)
        return "0" if f == 0 else f"{f:.9g}"
    if isinstance(v, bytes):
        v = v.decode()
    if re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.0+", v):
        # ADDDATE of a string: a string, whose zero fraction MariaDB prints and MySQL does not
        return v.split(".")[0]
    if TIME_TEXT.match(v):  # a TIME as text (a SQLite source): its fraction without 0s
        return v.rstrip("0").rstrip(".") if "." in v else v
    try:
        return value(float(v)) if v.strip() and v.strip() == v else v
    except ValueError:
        return v


TIME_TEXT = re.compile(r"^-?\d+:\d\d:\d\d(\.\d+)?$")


def time_text(t):
    """A TIME as MySQL prints it: '-01:00:00', '838:59:59', '00:00:01.5'."""
    us = (t.days * 86400 + t.seconds) * 1000000 + t.microseconds
    sign, us = ("-" if us < 0 else ""), abs(us)
    s, frac = divmod(us, 1000000)
    text = f"{sign}{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"
    return text + (f".{frac:06d}".rstrip("0") if frac else "")


def normal(rows_):
    return sorted(tuple(value(v) for v in r) for r in rows_)


# f(...) as both Mimir and MariaDB read it: (test id, expression).
FUNCTIONS = [
    # extractions truncate (48.86 s is second 48)
    ("second", "SECOND(ts)"), ("microsecond", "MICROSECOND(ts)"), ("minute", "MINUTE(ts)"), ("hour", "HOUR(ts)"),
    ("extract_second", "EXTRACT(SECOND FROM ts)"),
    # Tableau's week truncation
    ("tableau_week", "ADDDATE(FROM_DAYS(TO_DAYS(ts) - (DAYOFWEEK(ts) - 1)), INTERVAL 0 SECOND)"),
    ("to_days", "TO_DAYS(ts)"), ("to_days_date", "TO_DAYS(d)"),
    ("from_days", "FROM_DAYS(TO_DAYS(d) - 3)"),
    ("dayofyear", "DAYOFYEAR(ts)"), ("weekday", "WEEKDAY(ts)"), ("last_day", "LAST_DAY(ts)"),
    ("makedate", "MAKEDATE(YEAR(ts), 1)"), ("makedate_doy", "MAKEDATE(YEAR(ts), DAYOFYEAR(ts))"),
    # Superset's grains (superset/db_engine_specs/mysql.py)
    ("superset_week", "DATE(DATE_SUB(ts, INTERVAL DAYOFWEEK(ts) - 1 DAY))"),
    ("superset_quarter", "MAKEDATE(YEAR(ts), 1) + INTERVAL QUARTER(ts) QUARTER - INTERVAL 1 QUARTER"),
    ("superset_year", "DATE(DATE_SUB(ts, INTERVAL DAYOFYEAR(ts) - 1 DAY))"),
    # Grafana's $__timeGroup (pkg/tsdb/mysql/macros.go)
    ("grafana_time_group", "UNIX_TIMESTAMP(ts) DIV 3600 * 3600"),
    ("unix_timestamp_date", "UNIX_TIMESTAMP(d)"),
    ("from_unixtime", "FROM_UNIXTIME(UNIX_TIMESTAMP(d) + 3600)"),
    ("from_unixtime_format", "FROM_UNIXTIME(UNIX_TIMESTAMP(d), '%Y-%m')"),
    ("time_to_sec", "TIME_TO_SEC(ts)"), ("time_to_sec_hour", "TIME_TO_SEC(ts) DIV 3600"),
    ("yearweek", "YEARWEEK(ts)"), ("yearweek_1", "YEARWEEK(ts, 1)"),
    ("yearweek_3", "YEARWEEK(d, 3)"), ("yearweek_6", "YEARWEEK(d, 6)"),
    ("weekofyear", "WEEKOFYEAR(ts)"), ("week", "WEEK(ts)"),
] + [(f"week_{m}", f"WEEK(ts, {m})") for m in range(8)] + [
    # strings
    ("substring_1234", "SUBSTRING(s, 1, 1234)"), ("substring_2_3", "SUBSTRING(s, 2, 3)"),
    ("substring_neg", "SUBSTRING(s, -3)"), ("substring_0", "SUBSTRING(s, 0)"),
    ("substr_neg_len", "SUBSTR(s, -4, 2)"),
    ("left", "LEFT(s, 2)"), ("right", "RIGHT(s, 3)"), ("left_n", "LEFT(s, n)"),
    ("lpad", "LPAD(s, 8, '*-')"), ("rpad", "RPAD(s, 3, 'x')"), ("lpad_k", "LPAD(k, n, '.')"),
    ("concat_ws", "CONCAT_WS('|', s, k, n)"), ("replace", "REPLACE(s, 'o', '0')"),
    ("repeat", "REPEAT(k, n)"), ("instr", "INSTR(s, 'o')"), ("locate", "LOCATE('c', s)"),
    ("locate_pos", "LOCATE('o', s, 3)"), ("locate_pos_n", "LOCATE('o', s, n)"),
    ("elt", "ELT(n, 'one', 'two', 'three')"),
    # numbers
    ("div", "n DIV 5"), ("div_neg", "(n - 10) DIV 4"), ("mod_fn", "MOD(n, 5)"),
    ("mod_op", "n MOD 4"), ("mod_zero", "MOD(n, 0)"), ("pow", "POW(n, 2)"),
    ("power", "POWER(2, n DIV 10)"), ("sqrt", "SQRT(n)"), ("ln", "LN(n)"), ("log", "LOG(n)"),
    ("log_base", "LOG(2, n)"), ("log10", "LOG10(n)"), ("log2", "LOG2(n)"), ("sign", "SIGN(n)"),
    ("truncate", "TRUNCATE(n / 3, 1)"), ("isnull", "ISNULL(n)"),
    ("if", "IF(n > 0, 'pos', 'not')"),
    ("period_add", "PERIOD_ADD(YEAR(ts) * 100 + MONTH(ts), n)"),
    ("period_diff", "PERIOD_DIFF(YEAR(ts) * 100 + MONTH(ts), 2001)"),
    ("field", "FIELD(s, 'comedy', 'Action', 'Ölçü')"), ("field_n", "FIELD(n, 0, 7, -3)"),
]

# TIME values (planner/functions_time.c): negative, past 24 hours, clamped at 838:59:59.
TIME_FUNCTIONS = [
    ("timediff", "TIMEDIFF(ts, CAST(d AS DATETIME))"),
    ("timediff_neg", "TIMEDIFF(CAST(d AS DATETIME), ts)"),
    ("timediff_days", "TIMEDIFF(ts, CAST(d AS DATETIME) - INTERVAL id % 40 DAY)"),
    ("timediff_clamp", "TIMEDIFF(ts, '2022-01-01 00:00:00')"),
    ("sec_to_time", "SEC_TO_TIME(n * 1000)"), ("sec_to_time_clamp", "SEC_TO_TIME(n * 1000000)"),
    ("sec_to_time_of_seconds", "SEC_TO_TIME(TIME_TO_SEC(ts))"),
    ("maketime", "MAKETIME(HOUR(ts), MINUTE(ts), SECOND(ts))"),
    ("maketime_n", "MAKETIME(n, 30, 0)"), ("maketime_clamp", "MAKETIME(n * 100, 0, 0)"),
    ("maketime_bad_minute", "MAKETIME(1, n * 10, 0)"),
    ("time_format", "TIME_FORMAT(ts, '%H:%i')"),
    ("time_format_12", "TIME_FORMAT(ts, '%h %p %l %k %r %I %S %s')"),
    ("time_format_fraction", "TIME_FORMAT(ts, '%T.%f')"),
    ("time_format_long", "TIME_FORMAT(TIMEDIFF(ts, '2022-01-01 00:00:00'), '%H:%i:%s %k')"),
    ("time_format_neg", "TIME_FORMAT(TIMEDIFF(CAST(d AS DATETIME), ts), '%H:%i %T')"),
]
FUNCTIONS += TIME_FUNCTIONS + [
    ("addtime", "ADDTIME(ts, '01:30:00.5')"), ("subtime", "SUBTIME(ts, '-25:00:00')"),
    ("addtime_date", "ADDTIME(d, '838:00:00')"),
    ("addtime_time", "ADDTIME(TIMEDIFF(ts, CAST(d AS DATETIME)), '-12:00:00')"),
    ("subtime_clamp", "SUBTIME(SEC_TO_TIME(n * 10000), '800:00:00')"),
    ("time_to_sec_of_timediff", "TIME_TO_SEC(TIMEDIFF(ts, '2022-01-01 00:00:00'))"),
    ("time_to_sec_of_maketime", "TIME_TO_SEC(MAKETIME(n, 30, 0))"),
    ("dayname", "DAYNAME(ts)"), ("monthname", "MONTHNAME(d)"), ("to_seconds", "TO_SECONDS(d)"),
    ("reverse", "REVERSE(s)"), ("mid", "MID(s, 2, 3)"),
    ("substring_index", "SUBSTRING_INDEX(s, 'o', 1)"),
    ("substring_index_neg", "SUBSTRING_INDEX(s, ',', -1)"),
    ("substring_index_n", "SUBSTRING_INDEX(s, 'o', n)"),
    ("space", "CONCAT(SPACE(n), '|')"), ("ascii", "ASCII(s)"),
    ("strcmp", "STRCMP(k, 'b')"), ("find_in_set", "FIND_IN_SET(k, 'c,b,a')"),
    ("find_in_set_s", "FIND_IN_SET('b', s)"), ("md5", "MD5(s)"),
    ("sha2", "SHA2(s, 256)"), ("sha2_512", "SHA2(s, 512)"), ("sha2_0", "SHA2(k, 0)"),
    ("sha2_bad", "SHA2(s, 100)"), ("bit_length", "BIT_LENGTH(s)"),
    ("atan", "ATAN(n)"), ("atan_2", "ATAN(n, 4)"),
    ("exp", "EXP(n / 10)"), ("sin", "SIN(n)"), ("cos", "COS(n)"), ("tan", "TAN(n)"),
    ("asin", "ASIN(n / 10)"), ("acos", "ACOS(n / 10)"), ("atan2", "ATAN2(n, 3)"),
    ("degrees", "DEGREES(n)"), ("radians", "RADIANS(n)"),
    ("date_format_weeks", "DATE_FORMAT(ts, '%X-%V %x-%v %U %u')"),
    ("date_format_day", "DATE_FORMAT(d, '%D %w %Y')"),
    ("date_format_week_only", "DATE_FORMAT(ts, '%v')"),
    ("position", "POSITION('o' IN s)"), ("position_k", "POSITION(k IN 'cab')"),
    ("if_number", "IF(n, 'true', 'false')"), ("if_arithmetic", "IF(n % 2, 'odd', 'even')"),
    ("format", "FORMAT(n * 1234.567, 2)"), ("format_0", "FORMAT(n * 1000000 + 0.5, 0)"),
    ("format_third", "FORMAT(n / 3, 4)"), ("format_locale", "FORMAT(n * 1000.125, 2, 'en_US')"),
    ("format_negative_zero", "FORMAT(n / 100, 1)"),
]

# CONVERT_TZ: offsets, zones with daylight saving (the rows cross its changes), an
# unknown zone (NULL), a date, a literal (converted by the planner).
FUNCTIONS += [
    ("convert_tz_offset", "CONVERT_TZ(ts, '+00:00', '+05:30')"),
    ("convert_tz_offsets", "CONVERT_TZ(ts, '-03:00', '+01:00')"),
    ("convert_tz_date", "CONVERT_TZ(d, '+00:00', '-02:00')"),
    ("convert_tz_named", "CONVERT_TZ(ts, 'UTC', 'America/New_York')"),
    ("convert_tz_named_from", "CONVERT_TZ(ts, 'Europe/Paris', '+00:00')"),
    ("convert_tz_named_both", "CONVERT_TZ(ts, 'America/New_York', 'Europe/Paris')"),
    ("convert_tz_unknown", "CONVERT_TZ(ts, 'Mars/Olympus', '+00:00')"),
    # wall clocks New York skips (02:mm on 2022-03-13) and repeats (01:mm on 2022-11-06):
    # MySQL reads them as the start of the gap and as the earlier instant
    ("convert_tz_skipped", "CONVERT_TZ(DATE_ADD(CAST('2022-03-13 02:00:00' AS DATETIME), "
                           "INTERVAL MINUTE(ts) MINUTE), 'America/New_York', 'UTC')"),
    ("convert_tz_repeated", "CONVERT_TZ(DATE_ADD(CAST('2022-11-06 01:00:00' AS DATETIME), "
                            "INTERVAL MINUTE(ts) MINUTE), 'America/New_York', '+00:00')"),
    ("convert_tz_literal", "ts > CONVERT_TZ('2022-03-13 06:30:00', 'UTC', 'America/New_York')"),
    ("convert_tz_literal_gap",
     "DATEDIFF(ts, CONVERT_TZ('2022-11-06 01:30:00.5', 'America/New_York', 'UTC'))"),
    ("convert_tz_hour", "HOUR(CONVERT_TZ(ts, 'UTC', 'Europe/Paris'))"),
]

# STR_TO_DATE of every kind of format (SQLite: MySQL's own reading, in C).
FUNCTIONS += [
    ("str_to_date_eu", "STR_TO_DATE(DATE_FORMAT(ts, '%d/%m/%Y %H.%i'), '%d/%m/%Y %H.%i')"),
    ("str_to_date_names", "STR_TO_DATE(CONCAT(DAYNAME(d), ' ', DAY(d), ' ', MONTHNAME(d), ' ', "
                          "YEAR(d)), '%W %e %M %Y')"),
    ("str_to_date_yearday", "STR_TO_DATE(CONCAT(YEAR(d), '-', DAYOFYEAR(d)), '%Y-%j')"),
    ("str_to_date_12h", "STR_TO_DATE(CONCAT(d, ' ', LPAD(HOUR(ts) % 12 + 1, 2, '0'), ':07:00 ', "
                        "IF(HOUR(ts) < 12, 'AM', 'PM')), '%Y-%m-%d %r')"),
    ("str_to_date_time", "STR_TO_DATE(CONCAT(HOUR(ts), '.', MINUTE(ts)), '%k.%i')"),
    ("str_to_date_week_codes", "STR_TO_DATE(CONCAT(YEAR(ts), ' ', WEEK(ts, 0), ' 3'), "
                               "'%Y %U %w')"),
]
FUNCTIONS += [("sha1", "SHA1(s)"), ("sha", "SHA(k)"), ("crc32", "CRC32(s)"), ("oct", "OCT(n)"),
              ("ord", "ORD(s)"), ("bit_count", "BIT_COUNT(n)"), ("bin", "BIN(n)"),
              ("bin_fraction", "BIN(n / 3)")]

# Refused on one dialect (1235, naming the function), answered on the others.
REFUSED = {("sha1", "pg"), ("str_to_date_week_codes", "pg"), ("sha", "pg"), ("crc32", "pg"),
           ("oct", "pg")}
# Known wrong types (issue 13, section 3): the value is right, its column type is not.
XFAIL_TYPES = {}
FUNCTIONS += [
    # Metabase's week (metabase/driver/mysql.clj)
    ("metabase_week", "STR_TO_DATE(CONCAT(YEARWEEK(ts), ' Sunday'), '%X%V %W')"),
    ("week_date_monday", "STR_TO_DATE(CONCAT(YEAR(ts), '/', WEEK(ts, 2), ' Mon'), '%X/%V %a')"),
    # STR_TO_DATE with the formats tools and people write, over text built from the rows
    ("str_to_date_dmy", "STR_TO_DATE(DATE_FORMAT(ts, '%d/%m/%Y'), '%d/%m/%Y')"),
    ("str_to_date_unpadded", "STR_TO_DATE(CONCAT(YEAR(ts), '-', MONTH(ts), '-', DAY(ts)), '%Y-%m-%d')"),
    ("str_to_date_time_of_day", "STR_TO_DATE(DATE_FORMAT(ts, '%H:%i:%s'), '%H:%i:%s')"),
    ("str_to_date_fraction",
     "STR_TO_DATE(DATE_FORMAT(ts, '%Y-%m-%d %H:%i:%s.%f'), '%Y-%m-%d %H:%i:%s.%f')"),
    ("str_to_date_month_name", "STR_TO_DATE(DATE_FORMAT(ts, '%M %e, %Y'), '%M %e, %Y')"),
    ("str_to_date_12h_minutes", "STR_TO_DATE(DATE_FORMAT(ts, '%Y-%m-%d %h:%i %p'), '%Y-%m-%d %h:%i %p')"),
    # DATE_FORMAT with every code, on every dialect
    ("date_format_names", "DATE_FORMAT(ts, '%W %a %M %b %D %e %c %k %l %h %I %p %r %f %y')"),
    ("date_format_every_week_code", "DATE_FORMAT(ts, '%U %u %V %v %X %x %w %j')"),
    # Tableau's quarter: a date string with a one-digit month, read as MySQL reads it
    ("tableau_quarter", "ADDDATE(CONCAT(YEAR(ts), '-', (QUARTER(ts) - 1) * 3 + 1, "
                        "'-01 00:00:00'), INTERVAL 0 SECOND)"),
]


# Known failures, each with its reason.
XFAIL = {}


@pytest.mark.parametrize("src", SOURCES)
@pytest.mark.parametrize("expr", [f[1] for f in FUNCTIONS], ids=[f[0] for f in FUNCTIONS])
def test_function_matches_mariadb(mimir_fn, oracle, conn, src, expr, request):
    sql = f"SELECT {expr} AS v, AGG({src}_m) FROM mimir.metrics GROUP BY v"
    name = next(i for i, e in FUNCTIONS if e == expr)
    if (name, src) in XFAIL:
        pytest.xfail(XFAIL[(name, src)])
    if (name, src) in XFAIL_TYPES:  # run, and fail the run when it starts passing
        request.applymarker(pytest.mark.xfail(strict=True, reason=XFAIL_TYPES[(name, src)]))
    if (name, src) in REFUSED:
        with pytest.raises(pymysql.err.MySQLError) as exc:
            with conn.cursor() as cur:
                cur.execute(sql)
        code, message = mysql_error(exc)
        assert code == 1235
        assert expr.split("(")[0] in message or "CONVERT_TZ" in message
        assert_answers_select_1(conn)
        return
    with conn.cursor() as cur:
        cur.execute(sql)
        got = [tuple(r) for r in cur.fetchall()]
    want = oracle_rows(oracle, f"SELECT {expr}, SUM(m) FROM fn_rows GROUP BY 1")
    assert normal(got) == normal(want)


@pytest.mark.parametrize("src", SOURCES)
def test_grafana_time_filter(mimir_fn, oracle, conn, src):
    """Grafana's $__timeFilter: ts BETWEEN FROM_UNIXTIME(a) AND FROM_UNIXTIME(b)."""
    where = "ts BETWEEN FROM_UNIXTIME(1640995200) AND FROM_UNIXTIME(1672531199)"
    with conn.cursor() as cur:
        cur.execute(f"SELECT k, AGG({src}_m) FROM mimir.metrics WHERE {where} GROUP BY k")
        got = [tuple(r) for r in cur.fetchall()]
    want = oracle_rows(oracle, f"SELECT k, SUM(m) FROM fn_rows WHERE {where} GROUP BY 1")
    assert normal(got) == normal(want)
    assert len(want) == 3


def test_the_edges_are_in_the_data(oracle):
    """The rows cover what the WEEK modes and the extractions need."""
    jan1 = oracle_rows(oracle, "SELECT DISTINCT DAYOFWEEK(MAKEDATE(YEAR(ts), 1)) FROM fn_rows")
    assert len(jan1) == 7
    assert oracle_rows(oracle, "SELECT COUNT(*) FROM fn_rows WHERE MICROSECOND(ts) >= 500000")[0][0]


@pytest.mark.parametrize("src", SOURCES)
@pytest.mark.parametrize("zone", ["+05:30", "America/New_York", "America/Sao_Paulo",
                                  "America/Havana"])
def test_unix_timestamp_of_a_date_under_a_session_zone(mimir_fn, oracle, conn, src, zone):
    """Grafana's annotation: UNIX_TIMESTAMP(ds) of a wall-clock date is the instant of
    its midnight in the session's zone, by MySQL's rules where daylight saving skips
    midnight (Sao Paulo: the start of the gap) or repeats it (Havana goes back from
    01:00 to 00:00: the earlier instant)."""
    sql = f"SELECT UNIX_TIMESTAMP(ds) AS v, AGG({src}_m) FROM mimir.metrics GROUP BY v"
    with conn.cursor() as cur:
        cur.execute("SET time_zone = %s", (zone,))
    with conn.cursor() as cur:
        cur.execute(sql)
        got = [tuple(r) for r in cur.fetchall()]
    # The oracle's ts is a DATETIME, a wall clock, as fn_pg's timestamp and fn_maria's
    # DATETIME are; SQLite's times are UTC instants, so its day is the zone's day of them.
    day = "DATE(CONVERT_TZ(ts, '+00:00', @@session.time_zone))" if src == "lite" else "DATE(ts)"
    want = zone_rows(oracle, zone, f"SELECT UNIX_TIMESTAMP({day}), SUM(m) FROM fn_rows GROUP BY 1")
    assert normal(got) == normal(want)


@pytest.mark.parametrize("src", ["pg", "maria"])
@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Paris"])
def test_unix_timestamp_of_skipped_and_repeated_wall_clocks(mimir_fn, oracle, conn, src, zone):
    """Wall clocks a zone's daylight saving skips (the spring hour) and repeats (the
    autumn one), every minute of them: MySQL's instants on PostgreSQL too."""
    hours = {"America/New_York": ("2022-03-13 02:00:00", "2022-11-06 01:00:00"),
             "Europe/Paris": ("2022-03-27 02:00:00", "2022-10-30 02:00:00")}[zone]
    for start in hours:
        expr = (f"UNIX_TIMESTAMP(DATE_ADD(CAST('{start}' AS DATETIME), "
                "INTERVAL MINUTE(ts) MINUTE))")
        with conn.cursor() as cur:
            cur.execute("SET time_zone = %s", (zone,))
            cur.execute(f"SELECT {expr} AS v, AGG({src}_m) FROM mimir.metrics GROUP BY v")
            got = [tuple(r) for r in cur.fetchall()]
        want = zone_rows(oracle, zone, f"SELECT {expr}, SUM(m) FROM fn_rows GROUP BY 1")
        assert normal(got) == normal(want)


@pytest.mark.parametrize("src", SOURCES)
def test_unix_timestamp_under_an_offset_zone(mimir_fn, oracle, conn, src):
    """An offset zone has no skipped or repeated wall clocks: UNIX_TIMESTAMP of any
    wall-clock value is exact on every backend."""
    sql = f"SELECT UNIX_TIMESTAMP(d) AS v, AGG({src}_m) FROM mimir.metrics GROUP BY v"
    with conn.cursor() as cur:
        cur.execute("SET time_zone = '-03:30'")
        cur.execute(sql)
        got = [tuple(r) for r in cur.fetchall()]
    want = zone_rows(oracle, "-03:30", "SELECT UNIX_TIMESTAMP(d), SUM(m) FROM fn_rows GROUP BY 1")
    assert normal(got) == normal(want)


@pytest.mark.parametrize("src", SOURCES)
@pytest.mark.parametrize("expr", [e for _, e in TIME_FUNCTIONS if not e.startswith("TIME_FORMAT")],
                         ids=[n for n, e in TIME_FUNCTIONS if not e.startswith("TIME_FORMAT")])
def test_time_functions_are_declared_time(mimir_fn, oracle, conn, src, expr):
    """A TIME-valued function is a TIME column, as MariaDB declares it (drivers decide
    the value's class from it: pymysql's timedelta, JDBC's java.sql.Time), also on
    SQLite, which holds it as text (the planner tells the connector the type)."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {expr} AS v, AGG({src}_m) FROM mimir.metrics GROUP BY v")
        got = cur.description[0][1]
    c = pymysql.connect(unix_socket=str(oracle.socket), user="root", password="",
                        database=ORACLE_DB)
    try:
        with c.cursor() as cur:
            cur.execute(f"SELECT {expr} FROM fn_rows LIMIT 1")
            want = cur.description[0][1]
    finally:
        c.close()
    assert got == want == pymysql.constants.FIELD_TYPE.TIME


@pytest.mark.parametrize("src", SOURCES)
def test_time_in_arithmetic(mimir_fn, oracle, conn, src):
    """A TIME in a comparison or arithmetic is MySQL's number HHMMSS: MariaDB computes it,
    PostgreSQL (an interval) and SQLite (text) would not, so Mimir refuses there."""
    expr = "TIMEDIFF(ts, CAST(d AS DATETIME)) > 120000"
    sql = f"SELECT {expr} AS v, AGG({src}_m) FROM mimir.metrics GROUP BY v"
    if src == "maria":
        with conn.cursor() as cur:
            cur.execute(sql)
            got = [tuple(r) for r in cur.fetchall()]
        want = oracle_rows(oracle, f"SELECT {expr}, SUM(m) FROM fn_rows GROUP BY 1")
        assert normal(got) == normal(want)
        return
    with pytest.raises(pymysql.err.MySQLError) as exc:
        with conn.cursor() as cur:
            cur.execute(sql)
    code, message = mysql_error(exc)
    assert code == 1235
    assert "TIMEDIFF() in arithmetic or comparisons: use TIME_TO_SEC(TIMEDIFF(...))" in message
    assert_answers_select_1(conn)


@pytest.mark.parametrize("expr, code, text", [
    ("TIME_FORMAT(ts, '%Y-%m %H')", 1235,
     "TIME_FORMAT(): the format code '%Y' is not a time code"),
    ("TIME_FORMAT(ts, s)", 1210, "TIME_FORMAT(): the format must be a string literal"),
    ("ADDTIME(ts, s)", 1235, "ADDTIME(): the time to add must be a TIME literal"),
    ("FORMAT(n, 2, 'de_DE')", 1235, "FORMAT(): only the locale 'en_US' is supported"),
    ("FORMAT(n, n)", 1235, "FORMAT(): the number of decimals must be an integer literal"),
    ("WEEK(ts, 9)", 1235, "WEEK(): the mode must be an integer literal from 0 to 7"),
    ("MOD(n)", 1582, "Incorrect parameter count in the call to native function 'MOD'"),
    ("SQRT(n, 2)", 1582, "Incorrect parameter count in the call to native function 'SQRT'"),
    ("NO_SUCH_FUNCTION(n)", 1305, "FUNCTION NO_SUCH_FUNCTION does not exist"),
    ("STR_TO_DATE(CONCAT(YEARWEEK(ts), ' Sunday'), '%X%V %W %a')", 1235,
     "STR_TO_DATE(): the format code '%X' is not supported yet"),
])
def test_refusals(mimir_fn, conn, expr, code, text):
    with pytest.raises(pymysql.err.MySQLError) as exc:
        with conn.cursor() as cur:
            cur.execute(f"SELECT {expr} AS v, AGG(pg_m) FROM mimir.metrics GROUP BY v")
    got_code, message = mysql_error(exc)
    assert (got_code, text in message) == (code, True), message
    assert_answers_select_1(conn)


# Functions of metrics from two sources: evaluated after the combine, in SQLite.
AFTER_COMBINE = [
    ("mod", "MOD({x}, 7)"), ("div", "{x} DIV 3"), ("sqrt", "SQRT({x})"), ("ln", "LN({x})"),
    ("pow", "POW({x}, 2)"), ("sign", "SIGN({x} - 3000)"), ("lpad", "LPAD({x}, 8, '0')"),
    ("left", "LEFT({x}, 2)"), ("concat_ws", "CONCAT_WS('-', k, {x})"),
    ("elt", "ELT({x} % 3 + 1, 'a', 'b', 'c')"), ("field", "FIELD({x} % 2, 1, 0)"),
    ("sec_to_time", "SEC_TO_TIME({x} * 97)"), ("maketime", "MAKETIME({x} % 24, 7, 0)"),
    ("reverse", "REVERSE(CONCAT(k, {x}))"), ("substring_index", "SUBSTRING_INDEX({x}, '0', 1)"),
    ("find_in_set", "FIND_IN_SET(k, 'b,a')"), ("md5", "MD5({x})"), ("degrees", "DEGREES({x})"),
    ("format", "FORMAT({x} * 1000.5, 1)"),
]


@pytest.mark.parametrize("expr", [f[1] for f in AFTER_COMBINE], ids=[f[0] for f in AFTER_COMBINE])
def test_function_after_the_combine(mimir_fn, oracle, conn, expr):
    mimir_expr = expr.format(x="(AGG(pg_m) + AGG(lite_m))")
    with conn.cursor() as cur:
        cur.execute(f"SELECT k, {mimir_expr} FROM mimir.metrics GROUP BY k")
        got = [tuple(r) for r in cur.fetchall()]
    want = oracle_rows(oracle, f"SELECT k, {expr.format(x='(2 * SUM(m))')} FROM fn_rows "
                               "GROUP BY k")
    assert normal(got) == normal(want)


# Date functions of the time column under a session zone (a PostgreSQL timestamp is a
# wall-clock value: MariaDB's DATETIME, never converted).
ZONED = ["WEEK(ts, 3)", "YEARWEEK(ts)", "TO_DAYS(ts)", "DAYOFYEAR(ts)", "LAST_DAY(ts)",
         "SECOND(ts)", "WEEKDAY(ts)"]


@pytest.mark.parametrize("src", ["pg", "maria"])  # SQLite sources refuse other zones
@pytest.mark.parametrize("expr", ZONED)
def test_wall_clock_functions_under_a_session_zone(mimir_fn, oracle, conn, src, expr):
    with conn.cursor() as cur:
        cur.execute("SET time_zone = '+05:30'")
        cur.execute(f"SELECT {expr}, AGG({src}_m) FROM mimir.metrics GROUP BY {expr}")
        got = [tuple(r) for r in cur.fetchall()]
    want = oracle_rows(oracle, f"SELECT {expr}, SUM(m) FROM fn_rows GROUP BY 1")
    assert normal(got) == normal(want)


# Without FROM the planner computes these itself (planner/session_query.c).
CONSTANT_TIME_EXPRESSIONS = [
    "CONVERT_TZ('2022-03-13 06:30:00', 'UTC', 'America/New_York')",
    "CONVERT_TZ('2022-11-06 01:30:00.25', 'America/New_York', '+00:00')",
    "CONVERT_TZ('2022-07-01 12:00:00', 'Europe/Paris', 'America/New_York')",
    # a wall clock New York skips (02:00-03:00 on 2022-03-13), and one it repeats
    "CONVERT_TZ('2022-03-13 02:30:00', 'America/New_York', 'UTC')",
    "CONVERT_TZ('2022-03-13 02:00:00', 'America/New_York', 'UTC')",
    "CONVERT_TZ('2022-11-06 01:30:00', 'America/New_York', 'UTC')",
    "CONVERT_TZ('1969-07-20 20:17:40', '+00:00', '+05:30')",
    "CONVERT_TZ('2022-01-01 00:00:00', 'Nowhere/Land', '+00:00')",
    "TIMEDIFF('2022-01-02 00:00:00', '2022-01-01 01:00:00.5')",
    "TIMEDIFF('2022-01-01 00:00:00', '2023-01-01 00:00:00')",
    "TIME_FORMAT('-12:05:09', '%H %k %h %l %I %p %r %T %i %s %S %f %%')",
    "TIME_FORMAT(TIMEDIFF('2022-01-03 00:00:00', '2022-01-01 01:00:00'), '%H:%i')",
]


@pytest.mark.parametrize("expr", CONSTANT_TIME_EXPRESSIONS)
def test_time_functions_without_from(mimir_fn, oracle, conn, expr):
    with conn.cursor() as cur:
        cur.execute(f"SELECT {expr}")
        got = [tuple(r) for r in cur.fetchall()]
    assert normal(got) == normal(oracle_rows(oracle, f"SELECT {expr}"))


def zone_rows(server, zone, sql):
    c = pymysql.connect(unix_socket=str(server.socket), user="root", password="",
                        database=ORACLE_DB)
    try:
        with c.cursor() as cur:
            cur.execute("SET time_zone = %s", (zone,))
            cur.execute(sql)
            return [tuple(r) for r in cur.fetchall()]
    finally:
        c.close()


@pytest.mark.parametrize("zone", ["+00:00", "+05:30", "America/New_York"])
def test_metabase_time_zone_probe(mimir_fn, oracle, conn, zone):
    """Metabase's db-default-timezone (metabase/driver/mysql.clj) runs without FROM:
    the offset of a zone from UTC through now(), CONVERT_TZ, TIMEDIFF and TIME_FORMAT."""
    probe = ("SELECT time_format(timediff(now(), convert_tz(now(), @@session.time_zone, "
             "'+00:00')), '%H:%i') AS 'offset'")
    with conn.cursor() as cur:
        cur.execute("SET @@session.time_zone = %s", (zone,))
        cur.execute(probe)
        got = [tuple(r) for r in cur.fetchall()]
        cur.execute("SELECT @@GLOBAL.time_zone AS global_tz, @@system_time_zone AS system_tz, "
                    "time_format(timediff(now(), convert_tz(now(), @@GLOBAL.time_zone, "
                    "'+00:00')), '%H:%i') AS 'offset'")  # the corpus's statement answers
        assert len(cur.fetchall()) == 1
    assert got == zone_rows(oracle, zone, probe)


@pytest.mark.parametrize("zone", ["+00:00", "+05:30", "America/New_York"])
def test_curtime_is_the_session_clock(mimir_fn, oracle, conn, zone):
    """CURTIME() without FROM: a TIME, the session's clock (between two readings of
    MariaDB's in the same zone)."""
    before = zone_rows(oracle, zone, "SELECT CURTIME()")[0][0]
    with conn.cursor() as cur:
        cur.execute("SET time_zone = %s", (zone,))
        cur.execute("SELECT CURTIME(), CURRENT_TIME()")
        got = cur.fetchall()[0]
        assert cur.description[0][1] == pymysql.constants.FIELD_TYPE.TIME
    after = zone_rows(oracle, zone, "SELECT CURTIME()")[0][0]
    if before <= after:  # not across midnight
        assert before <= got[0] <= after and before <= got[1] <= after


@pytest.mark.parametrize("src", SOURCES)
def test_curtime_in_a_filter(mimir_fn, oracle, conn, src):
    """CURTIME() in a metrics query, under a session zone: a parameter the planner reads."""
    with conn.cursor() as cur:
        cur.execute("SET time_zone = '+05:30'")
        cur.execute(f"SELECT k, AGG({src}_m) FROM mimir.metrics "
                    "WHERE TIME_TO_SEC(CURTIME()) >= 0 GROUP BY k")
        got = [tuple(r) for r in cur.fetchall()]
    want = oracle_rows(oracle, "SELECT k, SUM(m) FROM fn_rows WHERE TIME_TO_SEC(CURTIME()) >= 0 "
                               "GROUP BY k")
    assert normal(got) == normal(want)


# Instants every 73 hours over 2017-2023 (across daylight-saving changes both ways).
FROM_UNIXTIME_ZONED = ["FROM_UNIXTIME(id * 262800 + 1500000000)",
                       "HOUR(FROM_UNIXTIME(id * 262800 + 1500000000))",
                       "FROM_UNIXTIME(id * 262800 + 1500000000, '%Y-%m-%d %H')"]


@pytest.mark.parametrize("src", SOURCES)
@pytest.mark.parametrize("zone", ["+05:30", "America/New_York"])
@pytest.mark.parametrize("expr", FROM_UNIXTIME_ZONED)
def test_from_unixtime_under_a_session_zone(mimir_fn, oracle, conn, src, zone, expr):
    """FROM_UNIXTIME(n) of a computed n is the wall clock of instant n in the session's
    zone (one value whatever the zone's clocks do); on SQLite sources through the tz
    database Mimir reads itself."""
    sql = f"SELECT {expr} AS v, AGG({src}_m) FROM mimir.metrics GROUP BY v"
    with conn.cursor() as cur:
        cur.execute("SET time_zone = %s", (zone,))
    with conn.cursor() as cur:
        cur.execute(sql)
        got = [tuple(r) for r in cur.fetchall()]
    want = zone_rows(oracle, zone, f"SELECT {expr}, SUM(m) FROM fn_rows GROUP BY 1")
    assert normal(got) == normal(want)
