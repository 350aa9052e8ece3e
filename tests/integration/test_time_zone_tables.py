"""Named time zones on a MariaDB source whose server has no time zone tables.

A fresh MariaDB knows zone names only once its time zone tables are loaded
(mariadb-tzinfo-to-sql); without them CONVERT_TZ answers NULL for a name, so
a query Mimir converts with it would come back with NULL grains and empty
ranges: a different answer. Mimir refuses such a query (1298, naming the
source and the connection and saying how to fix it), and the session goes on.
Offsets need no tables and are answered; the numbers are MariaDB's and
PostgreSQL's own, computed in the same run.

The server here is a second MariaDB, started without the tables (the session's
MariaDB gets them in test_time_zone.py). The last test loads them and the same
query is answered, without restarting Mimir.
"""

import datetime
import json

import pymysql
import pytest

from conftest import start_layer_server, write_secrets
from support import assert_answers_select_1, mysql_error
from test_time_zone import GRAINS, RANGES, event_rows, load_postgres, normal

NOTZ_DB = "tz_bare"
NOTZ_USER = "tz_bare_reader"
NOTZ_PASSWORD = "bare-secret"
PROBE = "SELECT CONVERT_TZ('2022-11-06 06:00:00', '+00:00', 'America/New_York')"


@pytest.fixture(scope="module")
def bare(request, session_dir, pg):
    """A MariaDB without time zone tables, holding the events as TIMESTAMP; and
    the same rows in PostgreSQL (tz_events, timestamptz)."""
    from mariadb_server import MariaDbServer

    server = MariaDbServer(session_dir, name="mariadb-notz")
    request.addfinalizer(server.destroy)
    server.init()
    server.start()
    rows = event_rows()
    load_postgres(pg, rows)
    server.query(f"CREATE DATABASE {NOTZ_DB}")
    server.query("CREATE TABLE events (id INT PRIMARY KEY, kind VARCHAR(4) NOT NULL, "
                 "amount DECIMAL(6,2) NOT NULL, ts TIMESTAMP NOT NULL)", database=NOTZ_DB)
    server.executemany("INSERT INTO events VALUES (%s, %s, %s, %s)",
                       [(i, k, a, t.replace(tzinfo=None)) for i, k, a, t in rows],
                       database=NOTZ_DB)
    server.create_user(NOTZ_USER, NOTZ_PASSWORD, NOTZ_DB)
    return server


def write_layer(base, pg_port, server):
    configs = base / "configs"
    for sub in ("sources", "metrics", "dimensions"):
        (configs / sub).mkdir(parents=True, exist_ok=True)
    text = ""
    for name, conn, table in [("tz_bare", NOTZ_DB, "events"),
                              ("tz_pg", "pagila_postgres", "tz_events")]:
        sql = f"SELECT {table}.id, {table}.kind, {table}.amount, {table}.ts FROM {table}"
        text += (f"{name}:\n  name: {name}\n  connection_name: {conn}\n"
                 f"  time_col: {table}.ts\n  time_col_alias: ts\n  sql: {json.dumps(sql)}\n")
    (configs / "sources" / "sources.yaml").write_text(text)
    metrics = []
    for short, src in [("bare", "tz_bare"), ("pg", "tz_pg")]:
        metrics.append(f"name: {short}_amount\nsource_name: {src}\nsql: SUM(amount)\n")
        metrics.append(f"name: {short}_count\nsource_name: {src}\nsql: COUNT(id)\n")
    (configs / "metrics" / "metrics.yaml").write_text("---\n".join(metrics))
    (configs / "dimensions" / "dimensions.yaml").write_text("")
    secrets = write_secrets(base / "secrets", pg_port)
    (secrets / f"{NOTZ_DB}.json").write_text(json.dumps(
        server.secret(NOTZ_DB, NOTZ_USER, NOTZ_PASSWORD)))
    return configs, secrets


@pytest.fixture(scope="module")
def mimir_bare(request, session_dir, bare, pg):
    configs, secrets = write_layer(session_dir / "time-zone-tables", pg.port, bare)
    return start_layer_server(request, session_dir, "mimir-tz-bare", configs, secrets)


def bare_rows(server, zone, sql):
    """MariaDB's own answer (offsets need no tables)."""
    return server.query_in_zone(zone, sql, NOTZ_DB)


def assert_refused(excinfo, zone="America/New_York"):
    code, message = mysql_error(excinfo)
    assert code == 1298, message
    assert message.startswith(f"Unknown or incorrect time zone: '{zone}'"), message
    for part in ("source 'tz_bare'", f"connection '{NOTZ_DB}'", "no time zone tables",
                 "mariadb-tzinfo-to-sql /usr/share/zoneinfo | mariadb mysql", "'-05:00'"):
        assert part in message, message


def test_the_server_has_no_time_zone_tables(bare):
    """The premise: without tables, CONVERT_TZ to a name is NULL (a silent wrong answer)."""
    assert bare_rows(bare, "+00:00", PROBE) == [(None,)]
    assert bare_rows(bare, "+00:00", "SELECT COUNT(*) FROM mysql.time_zone_name") == [(0,)]


GRAIN_QUERY = "SELECT ds, AGG(bare_amount), AGG(bare_count) FROM mimir.metrics GROUP BY ds"


def test_a_named_zone_is_refused_and_the_session_goes_on(mimir_bare, bare):
    conn = mimir_bare.connect()
    with conn.cursor() as cur:
        cur.execute("SET time_zone = 'America/New_York'")
        with pytest.raises(pymysql.MySQLError) as e:
            cur.execute(GRAIN_QUERY)
        assert_refused(e)
        # A time range alone converts too (its bounds): refused as well.
        with pytest.raises(pymysql.MySQLError) as e:
            cur.execute("SELECT AGG(bare_count) FROM mimir.metrics "
                        "WHERE ds BETWEEN '2022-11-01' AND '2022-11-30'")
        assert_refused(e)
        # The next statement on the same connection: what does not read the time
        # column is answered in any zone.
        cur.execute("SELECT kind, AGG(bare_amount), AGG(bare_count) FROM mimir.metrics "
                    "GROUP BY kind")
        got = [tuple(r) for r in cur.fetchall()]
        assert normal(got) == normal(bare_rows(
            bare, "+00:00", "SELECT kind, SUM(amount), COUNT(id) FROM events GROUP BY 1"))
        # And with an offset, the grain is answered, as MariaDB answers it.
        cur.execute("SET time_zone = '-05:00'")
        cur.execute(GRAIN_QUERY)
        got = [tuple(r) for r in cur.fetchall()]
        want = bare_rows(bare, "-05:00",
                         "SELECT DATE(ts), SUM(amount), COUNT(id) FROM events GROUP BY 1")
        assert got and normal(got) == normal(want)
    assert_answers_select_1(conn)
    conn.close()


def test_a_join_with_a_postgres_source_is_refused_whole(mimir_bare):
    """PostgreSQL converts the name itself; the MariaDB part cannot: the whole query is refused."""
    conn = mimir_bare.connect()
    with conn.cursor() as cur:
        cur.execute("SET time_zone = 'America/New_York'")
        with pytest.raises(pymysql.MySQLError) as e:
            cur.execute("SELECT ds, AGG(pg_count), AGG(bare_count) FROM mimir.metrics "
                        "WHERE year_month = '2022-11-01' GROUP BY ds")
        assert_refused(e)
        cur.execute("SELECT ds, AGG(pg_count) FROM mimir.metrics "
                    "WHERE year_month = '2022-11-01' GROUP BY ds")
        assert len(cur.fetchall()) == 30
    assert_answers_select_1(conn)
    conn.close()


def pg_local(pg, zone, key, where="TRUE"):
    """PostgreSQL's own answer for an offset zone: ts shifted by the offset."""
    shifted = f"(ts AT TIME ZONE INTERVAL '{zone}')"
    keys = {"ds": f"{shifted}::date",
            "ts_hour": f"date_trunc('hour', {shifted})",
            "year_month": f"date_trunc('month', {shifted})::date"}
    return pg.query(f"SELECT {keys[key]}, SUM(amount), COUNT(id) FROM tz_events "
                    f"WHERE {where.replace('LOCAL', shifted)} GROUP BY 1")


@pytest.mark.parametrize("zone", ["+05:30", "-05:00"])
@pytest.mark.parametrize("grain", ["ds", "ts_hour", "year_month"])
def test_offsets_need_no_tables(mimir_bare, bare, pg, zone, grain):
    conn = mimir_bare.connect()
    with conn.cursor() as cur:
        cur.execute("SET time_zone = %s", (zone,))
        cur.execute(f"SELECT {grain}, AGG(bare_amount), AGG(bare_count) FROM mimir.metrics "
                    f"GROUP BY {grain}")
        got = [tuple(r) for r in cur.fetchall()]
    conn.close()
    want = bare_rows(bare, zone,
                     f"SELECT {GRAINS[grain]}, SUM(amount), COUNT(id) FROM events GROUP BY 1")
    assert got and normal(got) == normal(want)
    assert normal(got) == normal(pg_local(pg, zone, grain))


@pytest.mark.parametrize("zone", ["+05:30", "-05:00"])
@pytest.mark.parametrize("ranges", RANGES[:3], ids=[r[0] for r in RANGES[:3]])
def test_offset_ranges_need_no_tables(mimir_bare, bare, zone, ranges):
    mimir_where, maria_where = ranges
    conn = mimir_bare.connect()
    with conn.cursor() as cur:
        cur.execute("SET time_zone = %s", (zone,))
        cur.execute(f"SELECT ts_hour, AGG(bare_amount), AGG(bare_count) FROM mimir.metrics "
                    f"WHERE {mimir_where} GROUP BY ts_hour")
        got = [tuple(r) for r in cur.fetchall()]
    conn.close()
    want = bare_rows(bare, zone, f"SELECT {GRAINS['ts_hour']}, SUM(amount), COUNT(id) "
                                 f"FROM events WHERE {maria_where} GROUP BY 1")
    assert got and normal(got) == normal(want)


def test_loading_the_tables_fixes_it_without_a_restart(mimir_bare, bare):
    """Last in this file: it loads the tables. Only a zone the server knows is
    remembered per connection, so the pooled connection that refused asks again."""
    conn = mimir_bare.connect()
    with conn.cursor() as cur:
        cur.execute("SET time_zone = 'America/New_York'")
        with pytest.raises(pymysql.MySQLError) as e:
            cur.execute(GRAIN_QUERY)
        assert_refused(e)
        bare.load_time_zones()
        assert bare_rows(bare, "+00:00", PROBE) == [(datetime.datetime(2022, 11, 6, 1, 0),)]
        cur.execute(GRAIN_QUERY)
        got = [tuple(r) for r in cur.fetchall()]
        want = bare_rows(bare, "America/New_York",
                         "SELECT DATE(ts), SUM(amount), COUNT(id) FROM events GROUP BY 1")
        assert got and normal(got) == normal(want)
    assert_answers_select_1(conn)
    conn.close()
