"""Large PostgreSQL results through COPY (proxy/backend/pg_copy.h, issue 16
part 2). A query text whose result had 10,000 rows or more runs the next time
as `COPY (query) TO STDOUT`: the second answer must be the first one byte for
byte (column definitions and row packets), for every column type a PostgreSQL
source produces, with NULLs, values that COPY escapes (tabs, newlines, carriage
returns, backslashes, a text that reads \\N, control characters), bytea,
numerics with and without a scale, timestamps with and without a time zone;
parameters become escaped literals; a KILL QUERY in the middle of a COPY and a
max_result_rows limit reached in one leave the session and the backend
connection usable, and a COPY held back by a slow reader leaves
the server small."""

import shutil
import socket
import time

import pymysql
import pytest

from conftest import REPO, rss_kib, sanitized
from mysql_wire import COM_QUERY, RawClient, ServerError, parse_err
from support import README_EXPECTED_SQL, README_QUERY, mysql_error

ROWS = 20000
COPY_LOG = r"backend 'pagila_postgres': a result of \d+ rows: this query's next results"

TABLE_SQL = f"""
DROP TABLE IF EXISTS copy_values;
CREATE TABLE copy_values AS
SELECT n AS id,
  CASE WHEN n % 97 = 0 THEN NULL ELSE (n % 30000 - 15000)::smallint END AS small,
  CASE WHEN n % 89 = 0 THEN NULL ELSE n::bigint * 1000000007 END AS big,
  CASE WHEN n % 83 = 0 THEN NULL ELSE (n * 1.2345)::numeric(12,4) END AS num,
  CASE WHEN n % 79 = 0 THEN NULL ELSE n / 7.0 END AS num_free,
  CASE WHEN n % 73 = 0 THEN NULL ELSE (n / 3.0)::real END AS flt,
  CASE WHEN n % 71 = 0 THEN NULL ELSE n / 7.0::float8 END AS dbl,
  CASE WHEN n % 67 = 0 THEN NULL ELSE n % 2 = 0 END AS flag,
  CASE n % 9 WHEN 0 THEN NULL
             WHEN 1 THEN E'tab\\there ' || n
             WHEN 2 THEN E'line\\nbreak\\r\\n' || n
             WHEN 3 THEN E'back\\\\slash \\\\N \\\\t' || n
             WHEN 4 THEN '\\N'
             WHEN 5 THEN ''
             WHEN 6 THEN 'ünïcødé ✓ ' || n
             WHEN 7 THEN E'ctl\\b\\f' || chr(11) || chr(1) || chr(127) || n
             ELSE E'\\tlead and trail\\t' END AS txt,
  ('v' || n)::varchar(40) AS vc,
  lpad((n % 1000)::text, 5, 'x')::char(5) AS ch,
  DATE '2020-01-01' + (n % 2000) AS d,
  TIMESTAMP '2020-01-01 00:00:00' + n * INTERVAL '37 minutes 1.5 seconds' AS ts,
  CASE WHEN n % 59 = 0 THEN NULL
       ELSE TIMESTAMPTZ '2020-01-01 00:00:00+05:30' + n * INTERVAL '13 minutes 0.25 seconds'
  END AS tstz,
  TIME '00:00:00' + n * INTERVAL '1.125 seconds' AS tm,
  CASE WHEN n % 61 = 0 THEN NULL ELSE decode(md5(n::text) || '005c0a095c4e', 'hex') END AS bin
FROM generate_series(1, {ROWS}) AS n;
DROP TABLE IF EXISTS copy_wide;
CREATE TABLE copy_wide AS
SELECT n AS id, TIMESTAMP '2021-01-01' + n * INTERVAL '1 second' AS ts,
       repeat(md5(n::text), 8) AS payload
FROM generate_series(1, 300000) AS n;
"""

SOURCES = """
copy_values:
  name: copy_values
  description: One row per id with a column of every type a PostgreSQL source produces.
  connection_name: pagila_postgres
  time_col: c.ts
  time_col_alias: ts
  sql: SELECT c.id, c.small, c.big, c.num, c.num_free, c.flt, c.dbl, c.flag, c.txt, c.vc, c.ch, c.d, c.ts, c.tstz, c.tm, c.bin FROM copy_values AS c
copy_wide:
  name: copy_wide
  description: 300,000 rows of about 300 bytes, to stop in the middle.
  connection_name: pagila_postgres
  time_col: w.ts
  time_col_alias: ts
  sql: SELECT w.id AS wide_id, w.ts, w.payload FROM copy_wide AS w
"""

METRICS = """
name: copy_rows
source_name: copy_values
sql: COUNT(id)
---
name: wide_rows
source_name: copy_wide
sql: COUNT(wide_id)
"""

COLUMNS = ["id", "small", "big", "num", "num_free", "flt", "dbl", "flag", "txt", "vc", "ch",
           "d", "ts", "tstz", "tm", "bin"]
ALL = ("SELECT " + ", ".join(COLUMNS) + ", AGG(copy_rows) FROM mimir.copy_values GROUP BY "
       + ", ".join(str(i + 1) for i in range(len(COLUMNS))))
WIDE = "SELECT wide_id, payload, AGG(wide_rows) FROM mimir.copy_wide GROUP BY 1, 2"


@pytest.fixture(scope="module")
def copy_tables(pg):
    pg.psql("-c", TABLE_SQL)
    return pg


def make_configs(workdir):
    configs = workdir / "configs"
    shutil.copytree(REPO / "configs" / "pagila", configs)
    (configs / "sources" / "copy.yaml").write_text(SOURCES)
    (configs / "metrics" / "copy.yaml").write_text(METRICS)
    return configs


@pytest.fixture
def copy_server(copy_tables, mimir_factory, pagila_secrets, workdir):
    def make(server_config=None):
        args = []
        if server_config:
            path = workdir / "server.yaml"
            path.write_text(server_config)
            args = ["--server-config", str(path)]
        server = mimir_factory(configs=make_configs(workdir), secrets=pagila_secrets,
                               name="mimir-copy", extra_args=args)
        server.start()
        return server
    return make


def raw_result(client, sql):
    result = client.query(sql)
    return result.definitions, result.rows


def decoded(client, result_rows):
    """Rows as tuples of bytes (None for NULL), from raw text-protocol packets."""
    out = []
    for row in result_rows:
        values, pos = [], 0
        while pos < len(row):
            if row[pos] == 0xFB:
                values.append(None)
                pos += 1
                continue
            n = row[pos]
            pos += 1
            if n == 0xFC:
                n = int.from_bytes(row[pos:pos + 2], "little")
                pos += 2
            elif n == 0xFD:
                n = int.from_bytes(row[pos:pos + 3], "little")
                pos += 3
            values.append(bytes(row[pos:pos + n]))
            pos += n
        out.append(tuple(values))
    return out


def test_copy_answers_byte_for_byte_what_single_row_mode_answered(copy_server, copy_tables):
    server = copy_server()
    client = RawClient(server.port).login()
    try:
        defs1, rows1 = raw_result(client, ALL)  # single-row mode; the text is remembered
        server.wait_for_log(COPY_LOG)
        defs2, rows2 = raw_result(client, ALL)  # through COPY
        assert len(rows1) == ROWS
        assert defs2 == defs1
        assert sorted(rows2) == sorted(rows1)
        assert "COPY refused" not in server.stderr()
        # The values that COPY escapes are PostgreSQL's own, byte for byte.
        by_id = {int(r[0]): r for r in decoded(client, rows2)}
        pg_rows = copy_tables.query("SELECT id, txt, bin, flag FROM copy_values")
        for ident, txt, binary, flag in pg_rows:
            got = by_id[ident]
            assert got[8] == (None if txt is None else txt.encode()), ident
            want_bin = None if binary is None else b"\\x" + bytes(binary).hex().encode()
            assert got[15] == want_bin, ident
            assert got[7] == (None if flag is None else (b"1" if flag else b"0")), ident
        # timestamptz arrives in UTC without its zone, as in single-row mode.
        tstz = dict(copy_tables.query(
            "SELECT id, to_char(tstz, 'YYYY-MM-DD HH24:MI:SS.US') FROM copy_values"))
        for ident, row in by_id.items():
            want = tstz[ident]
            if want is not None:
                want = want.rstrip("0").rstrip(".")
            assert (row[13].decode() if row[13] is not None else None) == want, ident
    finally:
        client.close()


def test_parameters_become_escaped_literals(copy_server, copy_tables):
    server = copy_server()
    client = RawClient(server.port).login()
    sql = (ALL.replace(" GROUP BY", " WHERE vc <> 'it''s \\\\ \"q\" $1 $$' AND id > 5 "
                       "AND txt <> 'x'' OR ''1''=''1' GROUP BY"))
    try:
        defs1, rows1 = raw_result(client, sql)
        server.wait_for_log(COPY_LOG)
        defs2, rows2 = raw_result(client, sql)
        want = copy_tables.query("SELECT count(*) FROM copy_values WHERE id > 5 "
                                 "AND txt <> 'x'' OR ''1''=''1'")[0][0]
        assert len(rows1) == want
        assert defs2 == defs1 and sorted(rows2) == sorted(rows1)
        assert "COPY refused" not in server.stderr()
    finally:
        client.close()


def active_copies(pg):
    """COPYs Mimir runs; not their parallel workers, which show the leader's query."""
    return pg.query("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'mimir' "
                    "AND state = 'active' AND query LIKE 'COPY%%' "
                    "AND backend_type = 'client backend'")[0][0]


def test_kill_query_in_the_middle_of_a_copy(copy_server, copy_tables):
    server = copy_server()
    client = RawClient(server.port).login()
    killer = server.connect()
    try:
        first = client.query(WIDE)  # learnt: the next run is a COPY
        assert len(first.rows) == 300000
        server.wait_for_log(COPY_LOG)
        client.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        client.send(bytes([COM_QUERY]) + WIDE.encode())
        for _ in range(1000):  # the header and some rows; the rest is held back
            client.read_packet()
        deadline = time.monotonic() + 10
        while active_copies(copy_tables) == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert active_copies(copy_tables) == 1  # PostgreSQL is held in its COPY
        time.sleep(0.5)
        if not sanitized(server.proc.pid):  # ASan's quarantine: see conftest.sanitized
            # Held back, not buffered: ~90 MB of rows, a server of a few MiB.
            assert rss_kib(server.proc.pid) < 64 * 1024
        with killer.cursor() as cur:
            cur.execute(f"KILL QUERY {client.connection_id}")
        rows = 0
        while True:
            _, p = client.read_packet()
            if p[:1] == b"\xff":
                err = parse_err(p)
                break
            rows += 1
        assert err.code == 1317
        assert rows < 300000 - 1000
        deadline = time.monotonic() + 5
        while active_copies(copy_tables) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert active_copies(copy_tables) == 0
        # The session and the backend connection go on.
        assert client.select_one("SELECT 1") == ("1",)
        again = client.query(WIDE)
        assert sorted(again.rows) == sorted(first.rows)
    finally:
        killer.close()
        client.close()


def test_max_result_rows_in_the_middle_of_a_copy(copy_server, copy_tables, pg):
    server = copy_server("limits:\n  max_result_rows: 15000\n")
    conn = server.connect()
    try:
        for attempt in range(2):  # single-row mode, then COPY
            with pytest.raises(pymysql.err.MySQLError) as excinfo:
                with conn.cursor() as cur:
                    cur.execute(ALL)
                    cur.fetchall()
            code, message = mysql_error(excinfo)
            assert code == 1104 and "max_result_rows" in message
            if attempt == 0:
                server.wait_for_log(COPY_LOG)
            with conn.cursor() as cur:
                cur.execute(README_QUERY)
                assert [tuple(r) for r in cur.fetchall()] == \
                    [tuple(r) for r in pg.query(README_EXPECTED_SQL)]
        assert "COPY refused" not in server.stderr()
    finally:
        conn.close()


def test_a_refused_copy_runs_in_single_row_mode(copy_server, copy_tables):
    """A table that disappears between two runs: the COPY's describe fails with
    PostgreSQL's own error, as the query did before, and the next query works."""
    server = copy_server()
    client = RawClient(server.port).login()
    try:
        client.query(ALL)
        server.wait_for_log(COPY_LOG)
        copy_tables.query("ALTER TABLE copy_values RENAME TO copy_values_away")
        try:
            with pytest.raises(ServerError) as excinfo:
                client.query(ALL)
            assert 'relation "copy_values" does not exist' in str(excinfo.value)
        finally:
            copy_tables.query("ALTER TABLE copy_values_away RENAME TO copy_values")
        assert client.select_one("SELECT 1") == ("1",)
        assert len(client.query(ALL).rows) == ROWS
    finally:
        client.close()


def test_small_results_keep_single_row_mode(copy_server, pg):
    server = copy_server()
    conn = server.connect()
    try:
        small = ALL.replace(" GROUP BY", " WHERE id <= 9999 GROUP BY")
        for _ in range(2):
            with conn.cursor() as cur:
                cur.execute(small)
                assert len(cur.fetchall()) == 9999
        assert "stream through COPY" not in server.stderr()
    finally:
        conn.close()
