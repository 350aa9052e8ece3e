"""Time grains (issue 6): ts_second, ts_minute, ts_hour, ds, week (ISO, from
Monday), year_month, quarter and year as columns of mimir.metrics, and
`truncate_incomplete_granularity`, which leaves out the period that is still
running. Every expected row is computed in the same run: on PostgreSQL for
Pagila and for a source whose rows reach up to now, on SQLite for the demo
(with a different formula than the one Mimir sends)."""

import datetime
import sqlite3
import time

import pymysql
import pytest
from pymysql.constants import FIELD_TYPE

from conftest import DEMO_DB, write_secrets
from support import PAYMENTS_SQL, RENTALS_SQL, assert_answers_select_1, assert_same_values
from support import as_text, mysql_error, unordered

# grain column -> the same period on PostgreSQL, as the type Mimir reports
PG_GRAINS = {
    "ts_second": "CAST(date_trunc('second', ts) AS TIMESTAMP)",
    "ts_minute": "CAST(date_trunc('minute', ts) AS TIMESTAMP)",
    "ts_hour": "CAST(date_trunc('hour', ts) AS TIMESTAMP)",
    "ds": "CAST(ts AS DATE)",
    "week": "CAST(date_trunc('week', ts) AS DATE)",
    "year_month": "CAST(date_trunc('month', ts) AS DATE)",
    "quarter": "CAST(date_trunc('quarter', ts) AS DATE)",
    "year": "CAST(EXTRACT(YEAR FROM ts) AS INTEGER)",
}
DATETIME_GRAINS = {"ts_second", "ts_minute", "ts_hour"}


def pg_rows(pg, sql, dbname="pagila"):
    return [tuple(r) for r in pg.query(sql, dbname=dbname)]


def cli_text(value):
    """How the mariadb CLI prints a value: a DATE without a time."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    return as_text(value)


def check_query(mimir, sql, want, columns=None):
    """sql through PyMySQL and through the mariadb CLI, against want, unordered."""
    names, got = mimir.query(sql)
    if columns is not None:
        assert names == list(columns)
    assert_same_values(unordered(got), unordered(want))
    cli = mimir.mariadb_cli(sql)
    assert sorted(cli) == sorted(tuple(cli_text(v) for v in r) for r in want)


@pytest.mark.parametrize("grain", list(PG_GRAINS))
def test_grain_matches_postgresql(mimir, pg, grain):
    want = pg_rows(pg, f"SELECT {PG_GRAINS[grain]} AS g, COUNT(rental_id), SUM(amount) "
                       f"FROM ({RENTALS_SQL}) AS r GROUP BY 1")
    assert want
    check_query(mimir, f"SELECT {grain}, AGG(movies_rented), AGG(rentals_revenue) "
                       f"FROM mimir.metrics GROUP BY {grain}", want,
                columns=[grain, "AGG(movies_rented)", "AGG(rentals_revenue)"])


@pytest.mark.parametrize("grain", ["ts_hour", "week", "quarter"])
def test_grain_column_types(mimir, grain):
    conn = mimir.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(f"SELECT {grain}, AGG(movies_rented) FROM mimir.metrics "
                        f"GROUP BY 1 ORDER BY 1 LIMIT 1")
            want = FIELD_TYPE.DATETIME if grain in DATETIME_GRAINS else FIELD_TYPE.DATE
            assert cur.description[0][1] == want
            (value, _), = cur.fetchall()
            assert isinstance(value, datetime.datetime if grain in DATETIME_GRAINS
                              else datetime.date)
            if grain == "week":
                assert value.weekday() == 0  # a Monday
            if grain == "quarter":
                assert value.day == 1 and value.month in (1, 4, 7, 10)
            cur.execute("SHOW COLUMNS FROM mimir.metrics")
            types = {r[0]: r[1] for r in cur.fetchall()}
            assert types[grain] == ("datetime" if grain in DATETIME_GRAINS else "date")
            cur.execute("SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS "
                        "WHERE TABLE_SCHEMA = 'mimir' AND TABLE_NAME = 'rentals' "
                        f"AND COLUMN_NAME = '{grain}'")
            assert cur.fetchall() == ((grain, types[grain]),)
    finally:
        conn.close()


def test_grains_filter_and_two_sources(mimir, pg):
    """A filter on week and quarter, dimensions and metrics of both Pagila sources."""
    (week,), = pg_rows(pg, f"SELECT CAST(date_trunc('week', ts) AS DATE) FROM ({RENTALS_SQL}) r "
                           "GROUP BY 1 ORDER BY COUNT(*) DESC, 1 LIMIT 1")
    want = pg_rows(pg, f"""
        SELECT COALESCE(r.g, p.g), r.n, p.revenue FROM
          (SELECT CAST(date_trunc('week', ts) AS DATE) AS g, COUNT(rental_id) AS n
             FROM ({RENTALS_SQL}) AS x
            WHERE CAST(date_trunc('week', ts) AS DATE) >= '{week}' GROUP BY 1) r
        FULL OUTER JOIN
          (SELECT CAST(date_trunc('week', ts) AS DATE) AS g, SUM(amount) AS revenue
             FROM ({PAYMENTS_SQL}) AS y
            WHERE CAST(date_trunc('week', ts) AS DATE) >= '{week}' GROUP BY 1) p
        ON r.g = p.g""")
    assert want
    check_query(mimir, f"SELECT week, AGG(movies_rented), AGG(payments_revenue) "
                       f"FROM mimir.metrics WHERE week >= '{week}' GROUP BY week", want)
    want = pg_rows(pg, f"SELECT CAST(date_trunc('quarter', ts) AS DATE), COUNT(rental_id) "
                       f"FROM ({RENTALS_SQL}) AS r WHERE date_trunc('quarter', ts) = "
                       f"date_trunc('quarter', DATE '{week}') GROUP BY 1")
    check_query(mimir, f"SELECT quarter, AGG(movies_rented) FROM mimir.metrics "
                       f"WHERE quarter = QUARTER_START_PLACEHOLDER GROUP BY 1"
                .replace("QUARTER_START_PLACEHOLDER", f"'{want[0][0]}'"), want)


def test_demo_week_and_quarter_on_sqlite(mimir_demo):
    """The demo's SQLite: week and quarter against SQLite's own answer computed
    another way (day-of-week arithmetic; the quarter's month in Python)."""
    db = sqlite3.connect(str(DEMO_DB))
    try:
        weeks = db.execute(
            "SELECT date(ordered_at, '-' || ((CAST(strftime('%w', ordered_at) AS INTEGER) + 6) "
            "% 7) || ' days'), COUNT(order_id) FROM orders GROUP BY 1").fetchall()
        months = db.execute("SELECT CAST(strftime('%Y', ordered_at) AS INTEGER), "
                            "CAST(strftime('%m', ordered_at) AS INTEGER), COUNT(order_id) "
                            "FROM orders GROUP BY 1, 2").fetchall()
    finally:
        db.close()
    want_weeks = [(datetime.date.fromisoformat(d), n) for d, n in weeks]
    assert all(d.weekday() == 0 for d, _ in want_weeks)
    # SQLite results carry no column types; Mimir types the dates it computes there.
    _, got = mimir_demo.query("SELECT week, AGG(orders_count) FROM mimir.metrics GROUP BY 1")
    assert unordered(got) == unordered(want_weeks)
    quarters = {}
    for y, m, n in months:
        start = datetime.date(y, m - (m - 1) % 3, 1)
        quarters[start] = quarters.get(start, 0) + n
    _, got = mimir_demo.query("SELECT quarter, AGG(orders_count) FROM mimir.metrics GROUP BY 1")
    assert unordered(got) == unordered(quarters.items())


# mimir.metrics column on the demo's SQLite -> the same value of a DATETIME ts on MariaDB
SQLITE_COMPUTED_DATES = [
    ("ds", "DATE(ts)"),
    ("DATE(ts)", "DATE(ts)"),
    ("week", "DATE(ts) - INTERVAL WEEKDAY(ts) DAY"),
    ("year_month", "CAST(DATE_FORMAT(ts, '%Y-%m-01') AS DATE)"),
    ("quarter", "MAKEDATE(YEAR(ts), 1) + INTERVAL (QUARTER(ts) - 1) QUARTER"),
    ("ts_hour", "CAST(DATE_FORMAT(ts, '%Y-%m-%d %H:00:00') AS DATETIME)"),
    ("ts_minute", "CAST(DATE_FORMAT(ts, '%Y-%m-%d %H:%i:00') AS DATETIME)"),
    ("ts_second", "CAST(DATE_FORMAT(ts, '%Y-%m-%d %H:%i:%s') AS DATETIME)"),
    ("DATE_ADD(ds, INTERVAL 1 DAY)", "DATE_ADD(DATE(ts), INTERVAL 1 DAY)"),
]


def test_demo_computed_dates_have_mariadbs_types(mimir_demo, mariadb):
    """The dates Mimir computes on a SQLite source (grains, DATE(ts), DATE_ADD of a DATE)
    are described as MariaDB describes the same values (DATE, DATETIME and their
    decimals), not as the text SQLite holds them in; one source or two (the combine)."""
    mariadb.query("DROP DATABASE IF EXISTS demo_dates")
    mariadb.query("CREATE DATABASE demo_dates")
    mariadb.query("CREATE TABLE t (ts DATETIME)", database="demo_dates")
    mariadb.query("INSERT INTO t VALUES ('2025-01-01 07:17:35')", database="demo_dates")
    oracle = mariadb.connect_root("demo_dates")
    conn = mimir_demo.connect()
    try:
        for column, same in SQLITE_COMPUTED_DATES:
            with oracle.cursor() as cur:
                cur.execute(f"SELECT {same} FROM t")
                want = cur.description[0][1], cur.description[0][5], cur.fetchall()[0][0]
            for metrics in ("AGG(orders_count)", "AGG(orders_count), AGG(visits_count)"):
                with conn.cursor() as cur:
                    cur.execute(f"SELECT {column}, {metrics} FROM mimir.metrics "
                                "WHERE ts >= '2025-01-01 07:17:35' AND ts < '2025-01-01 07:17:36' "
                                "GROUP BY 1")
                    rows = cur.fetchall()
                    got = cur.description[0][1], cur.description[0][5], rows[0][0]
                assert got == want, (column, metrics)
    finally:
        conn.close()
        oracle.close()


# --------------------------------------------------------------------------
# truncate_incomplete_granularity, on a source whose rows reach up to now
# --------------------------------------------------------------------------

RECENT_DB = "recent_events"
RECENT_SOURCE = """events:
  name: events
  connection_name: recent_pg
  time_col: events.at
  time_col_alias: ts
  sql: SELECT events.id, events.at AS ts, events.kind, events.amount FROM events
"""
RECENT_METRICS = """---
name: events_done
source_name: events
sql: COUNT(id) as events_done
truncate_incomplete_granularity: true
---
name: amount_done
source_name: events
sql: SUM(amount) as amount_done
truncate_incomplete_granularity: yes
---
name: events_all
source_name: events
sql: COUNT(id) as events_all
truncate_incomplete_granularity: false
"""


@pytest.fixture(scope="module")
def recent_pg(pg):
    """A table with a row every hour for the last 90 days, the last one now."""
    pg.create_database(RECENT_DB)
    pg.query("CREATE TABLE events (id serial PRIMARY KEY, at timestamptz NOT NULL, "
             "kind text NOT NULL, amount numeric(8,2) NOT NULL)", dbname=RECENT_DB)
    pg.query("INSERT INTO events (at, kind, amount) SELECT t, "
             "CASE WHEN extract(hour FROM t) < 12 THEN 'am' ELSE 'pm' END, "
             "(extract(hour FROM t) + 1) / 4.0 "
             "FROM generate_series(now() - interval '90 days', now(), interval '1 hour') AS t",
             dbname=RECENT_DB)
    return pg


@pytest.fixture
def mimir_recent(mimir_factory, workdir, recent_pg):
    configs = workdir / "configs"
    for sub, name, text in (("sources", "events.yaml", RECENT_SOURCE),
                            ("metrics", "events.yaml", RECENT_METRICS)):
        (configs / sub).mkdir(parents=True, exist_ok=True)
        (configs / sub / name).write_text(text)
    secrets = write_secrets(workdir / "secrets", recent_pg.port, schema=RECENT_DB,
                            connection_name="recent_pg")
    return mimir_factory(configs=configs, secrets=secrets, name="mimir-recent").start()


def recent_expected(pg, grain, truncated):
    bound = f"WHERE at < date_trunc('{grain}', now())" if truncated else ""
    sql = (f"SELECT g, COUNT(id), SUM(amount) FROM (SELECT {PG_GRAINS_BY_UNIT[grain]} AS g, id, "
           f"amount FROM (SELECT id, at AS ts, at, amount FROM events {bound}) e) x GROUP BY 1")
    return unordered(pg_rows(pg, sql, dbname=RECENT_DB))


PG_GRAINS_BY_UNIT = {"hour": PG_GRAINS["ts_hour"], "day": PG_GRAINS["ds"],
                     "week": PG_GRAINS["week"], "month": PG_GRAINS["year_month"],
                     "quarter": PG_GRAINS["quarter"], "year": PG_GRAINS["year"]}
UNIT_COLUMNS = {"hour": "ts_hour", "day": "ds", "week": "week", "month": "year_month",
                "quarter": "quarter", "year": "year"}


def wait_past_period_boundary():
    """Every period starts on the hour (UTC): a test that compares Mimir's answer with
    PostgreSQL's must not straddle one, so within 10 s of it, wait until it has passed."""
    left = 3600 - time.time() % 3600
    if left < 10:
        time.sleep(left + 1)


@pytest.mark.parametrize("unit", list(UNIT_COLUMNS))
def test_truncate_incomplete_granularity(mimir_recent, recent_pg, unit):
    wait_past_period_boundary()
    column = UNIT_COLUMNS[unit]
    _, got = mimir_recent.query(f"SELECT {column}, AGG(events_done), AGG(amount_done) "
                                f"FROM mimir.metrics GROUP BY 1")
    want = recent_expected(recent_pg, unit, truncated=True)
    everything = recent_expected(recent_pg, unit, truncated=False)
    assert_same_values(unordered(got), want)
    # The current period exists in the data and is what went missing.
    (current,), = pg_rows(recent_pg, f"SELECT {PG_GRAINS_BY_UNIT[unit]} FROM "
                                     f"(SELECT now() AS ts) n", dbname=RECENT_DB)
    assert current in [r[0] for r in everything]
    assert current not in [r[0] for r in got]
    assert [r for r in everything if r[0] != current] == want


def test_truncate_applies_per_metric(mimir_recent, recent_pg):
    """events_all does not ask: its current week stays, the others' is NULL there."""
    wait_past_period_boundary()
    _, got = mimir_recent.query("SELECT week, AGG(events_done), AGG(events_all) "
                                "FROM mimir.metrics GROUP BY 1 ORDER BY 1")
    done = {g: n for g, n, _ in recent_expected(recent_pg, "week", truncated=True)}
    want = [(g, done.get(g), n) for g, n, _ in recent_expected(recent_pg, "week", False)]
    assert got == want
    assert got[-1][1] is None and got[-1][2] > 0


def test_truncate_without_grain_or_by_ts(mimir_recent, recent_pg):
    (n,), = pg_rows(recent_pg, "SELECT COUNT(*) FROM events", dbname=RECENT_DB)
    _, got = mimir_recent.query("SELECT AGG(events_done) FROM mimir.metrics")
    assert got == [(n,)]
    _, got = mimir_recent.query("SELECT kind, AGG(events_done) FROM mimir.metrics GROUP BY 1")
    want = pg_rows(recent_pg, "SELECT kind, COUNT(*) FROM events GROUP BY 1", dbname=RECENT_DB)
    assert unordered(got) == unordered(want)


def test_truncate_is_a_bound_in_the_source_query(mimir_recent):
    wait_past_period_boundary()
    _, rows = mimir_recent.query("EXPLAIN SELECT ds, AGG(events_done) FROM mimir.metrics "
                                 "GROUP BY 1")
    text = "\n".join(str(c) for r in rows for c in r)
    assert "events.at < $1" in text
    assert datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d 00:00:00") in text


def test_bad_truncate_value_is_a_validation_error(mimir_factory, workdir, recent_pg):
    from test_cli import cli
    configs = workdir / "configs"
    (configs / "sources").mkdir(parents=True)
    (configs / "metrics").mkdir()
    (configs / "sources" / "events.yaml").write_text(RECENT_SOURCE)
    (configs / "metrics" / "m.yaml").write_text(
        "name: m\nsource_name: events\nsql: COUNT(id)\ntruncate_incomplete_granularity: maybe\n")
    proc = cli("validate", "--configs", configs, "--no-secrets", check_status=1)
    assert "m.yaml:4:34: metric 'm': 'truncate_incomplete_granularity' must be true or false" \
        in proc.stdout + proc.stderr


def test_unknown_grain_error_then_next_query(mimir):
    conn = mimir.connect()
    try:
        with pytest.raises(pymysql.err.MySQLError) as excinfo:
            with conn.cursor() as cur:
                cur.execute("SELECT fortnight, AGG(movies_rented) FROM mimir.metrics GROUP BY 1")
        code, message = mysql_error(excinfo)
        assert code == 1054
        assert message.startswith("Unknown column 'fortnight' in 'field list': not a dimension "
                                  "of mimir.metrics (dimensions: ts, ds, year_month, year, "
                                  "ts_second, ts_minute, ts_hour, week, quarter, ")
        assert_answers_select_1(conn)
    finally:
        conn.close()
