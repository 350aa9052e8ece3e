"""Protocol breadth: prepared statements with binary rows, multi-statements,
COM_SET_OPTION, COM_RESET_CONNECTION, COM_CHANGE_USER, COM_STATISTICS, the
server configuration file, users, TLS and caching_sha2_password.

Real clients drive the well-formed paths: libmariadb through
tests/clients/stmt_client.c (mysql_stmt_prepare/bind/execute/fetch) and
mysqlclient (MySQLdb), PyMySQL, the mariadb CLI. The malformed packets no
library sends go through mysql_wire.RawClient. Every number is checked
against PostgreSQL in the same run; every error path checks the code, the
message, and that the connection (or a fresh one) still answers.
"""

import hashlib
import json
import os
import re
import socket
import struct
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import MySQLdb
import pymysql
import pytest
from pymysql.constants import CLIENT

from conftest import (CLIENT_TIMEOUT, MIMIR_BIN, PAGILA_CONFIGS, REPO, _make_dir, free_port)
from mysql_wire import (COM_CHANGE_USER, COM_INIT_DB, COM_RESET_CONNECTION, COM_SET_OPTION,
                        COM_STMT_CLOSE, COM_STMT_EXECUTE, COM_STMT_RESET,
                        COM_STMT_SEND_LONG_DATA, CLIENT_SSL, MYSQL_TYPE_LONGLONG,
                        MYSQL_TYPE_NULL, MYSQL_TYPE_VAR_STRING, RawClient, ServerError)
from support import (PAYMENTS_SQL, README_EXPECTED_SQL, README_QUERY, RENTALS_SQL, assert_answers_select_1,
                     assert_same_values, expected, mysql_error)

README_PARAM_QUERY = ("SELECT dim_rental_category, AGG(movies_rented), AGG(rentals_revenue) "
                      "FROM mimir.metrics WHERE dim_rental_category = ? "
                      "GROUP BY dim_rental_category")

TYPE_LONGLONG, TYPE_NEWDECIMAL, TYPE_DATE, TYPE_DATETIME, TYPE_NULL = 8, 246, 10, 12, 6
TYPE_VAR_STRING = 253


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def stmt_client_bin(session_dir):
    """tests/clients/stmt_client.c, built by `make test-clients` under
    $MIMIR_CLIENTS, else compiled here the way the Makefile does."""
    if os.environ.get("MIMIR_CLIENTS"):
        built = Path(os.environ["MIMIR_CLIENTS"]) / "c" / "stmt_client"
        if built.is_file():
            return built
    out = _make_dir(session_dir, "stmt-client-") / "stmt_client"
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libmariadb"], check=True,
                           capture_output=True, text=True).stdout.split()
    subprocess.run(["cc", "-O1", "-g", "-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra",
                    "-Werror", "-o", str(out), str(REPO / "tests/clients/stmt_client.c"),
                    *flags], check=True)
    return out


class StmtRun:
    """What stmt_client printed: prepare info, column metadata, rows, error."""

    def __init__(self, lines):
        self.prepare = None
        self.prepared_columns = None  # what the prepare announced, if anything
        self.columns = []  # one list per execute
        self.rows = []  # one list per execute
        self.error = None
        for line in lines:
            obj = json.loads(line)
            if "prepare" in obj:
                self.prepare = obj["prepare"]
            elif "prepared_columns" in obj:
                self.prepared_columns = obj["prepared_columns"]
            elif "columns" in obj:
                self.columns.append(obj["columns"])
                self.rows.append([])
            elif "row" in obj:
                self.rows[-1].append(tuple(obj["row"]))
            elif "done" in obj and not self.columns:
                self.rows.append([])
            elif "error" in obj:
                self.error = obj["error"]


@pytest.fixture
def run_stmt(stmt_client_bin):
    def run(server, sql, *params, user="anyone", password="", tls=False, repeat=1,
            database=None, expect_error=False):
        cmd = [str(stmt_client_bin), "--port", str(server.port), "--user", user,
               "--password", password, "--repeat", str(repeat)]
        if tls:
            cmd.append("--ssl")
        if database:
            cmd += ["--database", database]
        proc = subprocess.run(cmd + [sql, *params], capture_output=True, text=True,
                              timeout=CLIENT_TIMEOUT)
        result = StmtRun(proc.stdout.splitlines())
        if expect_error:
            assert proc.returncode == 1 and result.error, proc.stdout + proc.stderr
        else:
            assert proc.returncode == 0, proc.stdout + proc.stderr
        return result

    return run


def as_json_values(rows):
    """PostgreSQL rows the way stmt_client prints them: Decimal as its string,
    dates and datetimes as text, ints as ints."""
    def conv(v):
        if isinstance(v, Decimal):
            return str(v)
        if hasattr(v, "hour"):
            return v.strftime("%Y-%m-%d %H:%M:%S") + (f".{v.microsecond:06d}" if v.microsecond
                                                       else "")
        if hasattr(v, "strftime"):
            return v.strftime("%Y-%m-%d")
        return v
    return [tuple(conv(v) for v in r) for r in rows]


def raw(server, **kwargs):
    return RawClient(server.port, **kwargs).login()


def assert_raw_answers(client):
    assert client.select_one("SELECT 1") == ("1",)


def assert_fresh_client_works(server):
    conn = server.connect()
    try:
        assert_answers_select_1(conn)
    finally:
        conn.close()


def pg_rows(pg, sql, params=None):
    return [tuple(r) for r in pg.query(sql, params)]


# --------------------------------------------------------------------------
# prepared statements through libmariadb
# --------------------------------------------------------------------------


def test_prepared_readme_query_matches_postgres(mimir, pg, run_stmt):
    want = as_json_values(pg_rows(pg, README_EXPECTED_SQL))
    got = run_stmt(mimir, README_PARAM_QUERY, "s:Action")
    # The prepare announces the result's columns (from the semantic layer),
    # exactly as the execute describes them.
    assert got.prepare == {"params": 1, "fields": 3}
    assert got.prepared_columns == got.columns[0]
    assert got.rows == [want]
    # Binary rows are typed per column: COUNT is LONGLONG, SUM(numeric) NEWDECIMAL.
    assert [c["type"] for c in got.columns[0]] == [TYPE_VAR_STRING, TYPE_LONGLONG,
                                                   TYPE_NEWDECIMAL]


def test_prepared_execute_again_reuses_bound_types(mimir, pg, run_stmt):
    # libmariadb sends the parameter types with the first execute only.
    want = as_json_values(pg_rows(pg, README_EXPECTED_SQL))
    got = run_stmt(mimir, README_PARAM_QUERY, "s:Action", repeat=3)
    assert got.rows == [want, want, want]


def test_prepared_value_sent_as_long_data(mimir, pg, run_stmt):
    want = as_json_values(pg_rows(pg, README_EXPECTED_SQL))
    got = run_stmt(mimir, README_PARAM_QUERY, "long:Action", repeat=2)
    assert got.rows == [want, want]


def test_long_data_wins_over_the_null_bit(mimir, pg, run_stmt):
    """A parameter bound as NULL whose value then comes as long data:
    libmariadb sets its NULL bit in the execute (so does PHP's mysqlnd, see
    test_client_php.py), and MySQL and MariaDB use the long data. Answering
    as if it were NULL would be another, wrong, result."""
    want = as_json_values(pg_rows(pg, README_EXPECTED_SQL))
    null_filter = pg_rows(pg, f"SELECT dim_rental_category, COUNT(rental_id), SUM(amount) "
                              f"FROM ({RENTALS_SQL}) s WHERE dim_rental_category = NULL "
                              "GROUP BY dim_rental_category")
    assert want and null_filter == []
    got = run_stmt(mimir, README_PARAM_QUERY, "longnull:Action", repeat=2)
    assert got.rows == [want, want]
    # Without long data the NULL bit is a NULL.
    assert run_stmt(mimir, README_PARAM_QUERY, "null").rows == [[]]


def test_long_data_with_the_null_bit_on_the_wire(mimir):
    """The same at the byte level: a NULL bit, long data for that parameter,
    and a second parameter that is NULL without long data."""
    client = raw(mimir)
    try:
        stmt, _, nparams = client.prepare("SELECT ? AS a, ? AS b")
        assert nparams == 2
        client.send(bytes([COM_STMT_SEND_LONG_DATA]) + struct.pack("<IH", stmt, 0) + b"lo")
        client.send(bytes([COM_STMT_SEND_LONG_DATA]) + struct.pack("<IH", stmt, 0) + b"ng")
        block = b"\x03\x01" + bytes([MYSQL_TYPE_VAR_STRING, 0]) * 2  # both NULL bits
        result = client.execute(stmt, block)
        # A binary row: 0x00, NULL bitmap with offset 2 (b is bit 3), then a.
        assert result.rows == [b"\x00\x08\x04long"]
        # Long data is for one execute: the next one sees both NULLs.
        assert client.execute(stmt, block).rows == [b"\x00\x0c"]
        assert_raw_answers(client)
    finally:
        client.close()


@pytest.mark.parametrize("param", ["i:2", "u:2", "t:2", "dec:2", "d:2", "s:2"],
                         ids=["longlong", "unsigned", "tiny", "decimal", "double", "string"])
def test_prepared_numeric_parameter_types(mimir, pg, run_stmt, param):
    want = as_json_values(expected(pg, ["dim_store_id"], ["movies_rented", "rentals_revenue"],
                                   where="dim_store_id = 2"))
    got = run_stmt(mimir, "SELECT dim_store_id, AGG(movies_rented), AGG(rentals_revenue) "
                          "FROM mimir.metrics WHERE dim_store_id = ? GROUP BY dim_store_id", param)
    assert got.rows == [want]


def test_prepared_date_parameters_and_date_results(mimir, pg, run_stmt):
    days = [r[0] for r in pg.query(f"SELECT DISTINCT CAST(ts AS DATE) FROM ({RENTALS_SQL}) s "
                                   "ORDER BY 1 LIMIT 8")]
    lo, hi = days[1], days[-1]
    want = pg_rows(pg, f"SELECT CAST(ts AS DATE) AS ds, COUNT(rental_id) FROM ({RENTALS_SQL}) s "
                       "WHERE CAST(ts AS DATE) BETWEEN %s AND %s GROUP BY 1 ORDER BY 1",
                   (lo, hi))
    assert len(want) > 1
    got = run_stmt(mimir, "SELECT ds, AGG(movies_rented) FROM mimir.metrics "
                          "WHERE ds BETWEEN ? AND ? GROUP BY ds ORDER BY ds",
                   f"date:{lo}", f"date:{hi}")
    assert got.rows == [as_json_values(want)]
    assert got.columns[0][0]["type"] == TYPE_DATE


def test_prepared_datetime_parameters_and_datetime_results(mimir, pg, run_stmt):
    stamps = [r[0] for r in pg.query(
        f"SELECT DISTINCT return_ts AT TIME ZONE 'UTC' FROM ({RENTALS_SQL}) s "
        "WHERE return_ts IS NOT NULL ORDER BY 1 LIMIT 12")]
    lo, hi = (f"{t:%Y-%m-%d %H:%M:%S.%f}" for t in (stamps[2], stamps[-1]))
    want = pg_rows(pg, f"SELECT return_ts AT TIME ZONE 'UTC', COUNT(rental_id) "
                       f"FROM ({RENTALS_SQL}) s WHERE return_ts >= %s AND return_ts < %s "
                       "GROUP BY 1 ORDER BY 1", (lo, hi))
    assert len(want) == 9
    got = run_stmt(mimir, "SELECT return_ts, AGG(movies_rented) FROM mimir.metrics "
                          "WHERE return_ts >= ? AND return_ts < ? GROUP BY return_ts "
                          "ORDER BY return_ts", f"dt:{lo}", f"dt:{hi}")
    assert got.rows == [as_json_values(want)]
    assert got.columns[0][0]["type"] == TYPE_DATETIME


def test_prepared_null_parameter_matches_nothing(mimir, pg, run_stmt):
    want = pg_rows(pg, f"SELECT COUNT(rental_id) FROM ({RENTALS_SQL}) s "
                       "WHERE dim_rental_category = NULL")
    got = run_stmt(mimir, "SELECT AGG(movies_rented) FROM mimir.metrics "
                          "WHERE dim_rental_category = ?", "null")
    assert got.rows == [as_json_values(want)]


def test_prepared_constant_select_echoes_parameters(mimir, run_stmt):
    got = run_stmt(mimir, "SELECT ? AS i, ? AS s, ? AS d, ? AS n, ? AS neg",
                   "i:-5", "s:h\u00e9llo; 'quoted'", "dec:2.50", "null", "i:-9223372036854775808")
    assert got.rows == [[(-5, "h\u00e9llo; 'quoted'", "2.50", None, -9223372036854775808)]]
    assert [c["type"] for c in got.columns[0]] == [TYPE_LONGLONG, TYPE_VAR_STRING,
                                                   TYPE_NEWDECIMAL, TYPE_NULL, TYPE_LONGLONG]


def test_prepare_tells_columns_of_answers_the_planner_computes(mimir, run_stmt):
    got = run_stmt(mimir, "SELECT @@version_comment, 1 AS one, DATABASE()")
    assert got.prepare == {"params": 0, "fields": 3}
    assert got.prepared_columns == got.columns[0]
    assert got.rows[0][0][1] == 1


@pytest.mark.parametrize("sql, params", [
    ("SELECT TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?",
     ["s:mimir"]),
    ("SHOW COLUMNS FROM metrics FROM mimir", []),
    ("SELECT @@session.autocommit, @@max_allowed_packet", []),
], ids=["information_schema", "show", "variables"])
def test_prepare_tells_columns_of_catalog_statements(mimir, run_stmt, sql, params):
    got = run_stmt(mimir, sql, *params)
    assert got.prepared_columns == got.columns[0] and got.rows[0]


@pytest.mark.parametrize("sql, params", [
    # A placeholder in the select list, a computed column: typed by values.
    ("SELECT ? AS a", ["i:1"]),
    ("SELECT AGG(movies_rented) * 2 FROM mimir.metrics WHERE dim_store_id = ?", ["i:1"]),
    # A derived metric is computed after the combine, from its values too.
    ("SELECT AGG(revenue_per_rental) FROM mimir.metrics", []),
], ids=["placeholder", "expression", "derived_metric"])
def test_prepare_announces_no_columns_it_cannot_know(mimir, run_stmt, sql, params):
    """Columns whose type depends on values are described by the execute
    only, as before: an announcement that the execute contradicts would be
    wrong metadata."""
    got = run_stmt(mimir, sql, *params)
    assert got.prepare["fields"] == 0 and got.prepared_columns is None
    assert len(got.rows[0]) == 1


def test_prepare_on_sqlite_announces_no_columns(mimir_demo, run_stmt):
    """SQLite describes a result column by the storage class of its first
    value: nothing is known before the execute, which describes them."""
    got = run_stmt(mimir_demo, "SELECT dim_region, AGG(orders_count), AGG(revenue) "
                               "FROM mimir.metrics WHERE dim_region <> ? GROUP BY dim_region",
                   "s:none")
    assert got.prepare == {"params": 1, "fields": 0} and got.prepared_columns is None
    assert [c["name"] for c in got.columns[0]] == ["dim_region", "AGG(orders_count)", "AGG(revenue)"]
    assert got.rows[0]


# Metrics queries whose prepare announces their columns: one source streamed,
# several grains, aliases and two sources combined, with and without rows.
DESCRIBED_QUERIES = [
    (README_PARAM_QUERY, [(b"Action",), (b"No such category",)]),
    ("SELECT ts, ds, week, year_month, quarter, year, ts_second, ts_minute, ts_hour, return_ts, "
     "AGG(movies_rented) FROM mimir.rentals WHERE dim_rental_category = ? "
     "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 LIMIT 5", [(b"Action",), (b"No such category",)]),
    ("SELECT dim_store_id AS store, customer_id, staff_id, amount, AGG(payments_revenue) AS rev, "
     "AGG(rentals_revenue), AGG(paying_customers), AGG(action_movies_rented) FROM mimir.metrics "
     "WHERE dim_store_id = ? GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4 LIMIT 5",
     [(b"1",), (b"999",)]),
    ("SELECT ts, AGG(payments_count), AGG(movies_rented) FROM mimir.metrics "
     "WHERE dim_store_id = ? AND ts < ? GROUP BY ts LIMIT 3",
     [(b"1", b"2100-01-01"), (b"1", b"1900-01-01")]),
]


@pytest.mark.parametrize("sql, values", DESCRIBED_QUERIES,
                         ids=["readme", "grains", "two_sources", "combined_ts"])
def test_prepared_columns_are_the_executed_columns(mimir, sql, values):
    """Column definition by column definition: schema, table, names, type,
    flags, character set and decimals (a DECIMAL's scale, a DATETIME's
    precision) announced by COM_STMT_PREPARE are what the execute returns,
    with rows and without. Lengths may differ: a PostgreSQL `text` is
    VARCHAR(255) in the catalog, of unknown length in a result."""
    client = raw(mimir, database="mimir")
    try:
        prepared = client.prepare_full(sql)
        assert len(prepared.params) == len(values[0])
        assert prepared.columns, "the prepare announced no columns"
        for row in values:
            block = RawClient.params_block([(MYSQL_TYPE_VAR_STRING, bytes([len(v)]) + v)
                                            for v in row])
            result = client.execute(prepared.stmt_id, block)
            got = [{k: v for k, v in d.items() if k != "length"} for d in result.definitions]
            want = [{k: v for k, v in d.items() if k != "length"} for d in prepared.columns]
            assert got == want, row
        assert_raw_answers(client)
    finally:
        client.close()


def test_prepared_statement_large_result(mimir, pg, run_stmt):
    # Thousands of binary rows with microseconds, streamed with backpressure.
    want = pg_rows(pg, f"SELECT ts AT TIME ZONE 'UTC', COUNT(payment_id) "
                       f"FROM ({PAYMENTS_SQL}) s GROUP BY 1 ORDER BY 1")
    assert len(want) > 10000
    got = run_stmt(mimir, "SELECT ts, AGG(payments_count) FROM mimir.metrics "
                          "WHERE ts >= ? GROUP BY ts ORDER BY ts", "dt:2000-01-01 00:00:00")
    assert got.rows == [as_json_values(want)]


@pytest.mark.parametrize("sql", [
    "SELEKT ?",
    "SELECT AGG(no_such_metric) FROM mimir.metrics",
    "SELECT AGG(movies_rented) FROM mimir.nope",
    "INSERT INTO mimir.metrics VALUES (1)",
    # With placeholders: names do not depend on the values bound later.
    "SELECT AGG(no_such_metric) FROM mimir.metrics WHERE dim_store_id = ?",
    "SELECT no_such_dimension FROM mimir.metrics WHERE ts >= ? GROUP BY no_such_dimension",
    "SELECT AGG(movies_rented) FROM mimir.nope WHERE dim_store_id = ?",
    "SELECT AGG(movies_rented) FROM nope.metrics WHERE dim_store_id = ?",
    "INSERT INTO mimir.metrics VALUES (?)",
], ids=["syntax", "unknown_metric", "unknown_table", "read_only", "unknown_metric_param",
        "unknown_dimension_param", "unknown_table_param", "unknown_database_param",
        "read_only_param"])
def test_prepare_reports_the_error_query_would(mimir, run_stmt, sql):
    # Differential: the same statement through COM_QUERY gives the same error.
    conn = mimir.connect()
    try:
        with pytest.raises(pymysql.err.MySQLError) as excinfo:
            with conn.cursor() as cur:
                cur.execute(sql.replace("?", "1"))
        code, message = mysql_error(excinfo)
    finally:
        conn.close()
    got = run_stmt(mimir, sql, expect_error=True)
    assert got.prepare is None  # it failed at prepare, not at execute
    assert got.error["errno"] == code
    assert got.error["message"].split(" near ")[0] == message.split(" near ")[0]
    assert_fresh_client_works(mimir)


def test_prepare_error_then_the_same_connection(mimir):
    client = raw(mimir)
    try:
        with pytest.raises(ServerError) as excinfo:
            client.prepare("SELECT AGG(no_such_metric) FROM mimir.metrics WHERE ts >= ?")
        err = excinfo.value
        assert (err.code, err.sqlstate) == (1054, "42S22")
        assert err.message.startswith("Unknown column 'no_such_metric'")
        assert_raw_answers(client)
        # No statement was created: the next prepare gets the first id.
        assert client.prepare("SELECT ? AS a")[0] == 1
    finally:
        client.close()


def test_value_errors_wait_for_the_execute(mimir):
    """An error that a value could cause or avoid is not reported at
    prepare time (the NULL planned for the placeholder proves nothing); the
    execute reports it with the real value."""
    client = raw(mimir)
    try:
        stmt, _, nparams = client.prepare("SELECT AGG(movies_rented) FROM mimir.metrics "
                                          "WHERE ts >= ?")
        assert nparams == 1
        bad = RawClient.params_block([(MYSQL_TYPE_VAR_STRING, b"\x0anot a date")])
        with pytest.raises(ServerError) as excinfo:
            client.execute(stmt, bad)
        assert excinfo.value.code == 1105 and "not a date" in excinfo.value.message
        good = RawClient.params_block([(MYSQL_TYPE_VAR_STRING, b"\x0a2000-01-01")])
        assert len(client.execute(stmt, good).rows) == 1
        assert_raw_answers(client)
    finally:
        client.close()


def test_execute_error_from_backend_leaves_session_usable(mimir):
    client = raw(mimir)
    try:
        stmt, _, nparams = client.prepare("SELECT AGG(movies_rented) FROM mimir.metrics "
                                          "WHERE ts >= ?")
        assert nparams == 1
        block = RawClient.params_block([(MYSQL_TYPE_VAR_STRING, b"\x0anot a date")])
        with pytest.raises(ServerError) as excinfo:
            client.execute(stmt, block)
        assert excinfo.value.code == 1105 and "timestamp" in excinfo.value.message
        assert_raw_answers(client)
    finally:
        client.close()


# --------------------------------------------------------------------------
# prepared statements: bytes on the wire, and what no library sends
# --------------------------------------------------------------------------


def test_binary_row_bytes(mimir):
    client = raw(mimir)
    try:
        stmt, ncols, nparams = client.prepare("SELECT ? AS a, ? AS b")
        assert (ncols, nparams) == (0, 2)
        block = RawClient.params_block([(MYSQL_TYPE_LONGLONG, struct.pack("<q", -7)),
                                        (MYSQL_TYPE_NULL, None)])
        result = client.execute(stmt, block)
        assert result.columns == ["a", "b"]
        # 0x00, NULL bitmap with offset 2 (column b is bit 3), then a as 8 bytes.
        assert result.rows == [b"\x00\x08" + struct.pack("<q", -7)]
    finally:
        client.close()


def test_execute_unknown_statement_id(mimir):
    client = raw(mimir)
    try:
        with pytest.raises(ServerError) as excinfo:
            client.execute(4242)
        err = excinfo.value
        assert (err.code, err.sqlstate) == (1243, "HY000")
        assert err.message == ("Unknown prepared statement handler (4242) given to "
                               "mysqld_stmt_execute")
        assert_raw_answers(client)
    finally:
        client.close()
    assert_fresh_client_works(mimir)


def test_execute_truncated_header(mimir):
    client = raw(mimir)
    try:
        client.prepare("SELECT 1")
        client.send(bytes([COM_STMT_EXECUTE, 1, 0, 0]))
        with pytest.raises(ServerError) as excinfo:
            client.read_result()
        assert excinfo.value.code == 1835
        assert "Malformed communication packet" in excinfo.value.message
        assert_raw_answers(client)
    finally:
        client.close()
    assert_fresh_client_works(mimir)


@pytest.mark.parametrize("block", [
    b"",                                                      # nothing at all
    b"\x00",                                                  # bitmap, no flag
    b"\x00\x01" + bytes([MYSQL_TYPE_LONGLONG, 0]),            # one type of two
    b"\x00\x01" + bytes([MYSQL_TYPE_LONGLONG, 0]) * 2 + b"\x01\x00",  # values cut short
    b"\x00\x01" + bytes([MYSQL_TYPE_VAR_STRING, 0]) * 2 + b"\x05ab",   # string cut short
], ids=["empty", "no_flag", "one_type", "short_int", "short_string"])
def test_execute_with_wrong_parameter_block(mimir, block):
    client = raw(mimir)
    try:
        stmt, _, nparams = client.prepare("SELECT ? AS a, ? AS b")
        assert nparams == 2
        with pytest.raises(ServerError) as excinfo:
            client.execute(stmt, block)
        err = excinfo.value
        assert (err.code, err.sqlstate) == (1210, "HY000")
        assert err.message.startswith("Incorrect arguments to mysqld_stmt_execute")
        # The statement itself is still there and works with a good block.
        good = RawClient.params_block([(MYSQL_TYPE_LONGLONG, struct.pack("<q", 1)),
                                       (MYSQL_TYPE_LONGLONG, struct.pack("<q", 2))])
        assert len(client.execute(stmt, good).rows) == 1
        assert_raw_answers(client)
    finally:
        client.close()


def test_execute_without_types_ever_bound(mimir):
    client = raw(mimir)
    try:
        stmt, _, _ = client.prepare("SELECT ? AS a")
        block = b"\x00\x00" + struct.pack("<q", 1)  # new-params-bound = 0
        with pytest.raises(ServerError) as excinfo:
            client.execute(stmt, block)
        assert excinfo.value.code == 1210
        assert "no parameter types were ever bound" in excinfo.value.message
        assert_raw_answers(client)
    finally:
        client.close()


def test_close_then_execute(mimir):
    client = raw(mimir)
    try:
        stmt, _, _ = client.prepare("SELECT 1 AS one")
        assert len(client.execute(stmt).rows) == 1
        client.send(bytes([COM_STMT_CLOSE]) + struct.pack("<I", stmt))  # no answer
        client.send(bytes([COM_STMT_CLOSE]) + struct.pack("<I", 999))  # unknown: no answer
        with pytest.raises(ServerError) as excinfo:
            client.execute(stmt)
        assert excinfo.value.code == 1243
        assert_raw_answers(client)
    finally:
        client.close()


def test_reset_statement(mimir):
    client = raw(mimir)
    try:
        stmt, _, _ = client.prepare("SELECT ? AS a")
        client.send(bytes([COM_STMT_SEND_LONG_DATA]) + struct.pack("<IH", stmt, 0) + b"junk")
        client.command(COM_STMT_RESET, struct.pack("<I", stmt))  # OK, long data dropped
        block = RawClient.params_block([(MYSQL_TYPE_VAR_STRING, b"\x02ok")])
        assert client.execute(stmt, block).rows == [b"\x00\x00\x02ok"]  # a binary row
        with pytest.raises(ServerError) as excinfo:
            client.command(COM_STMT_RESET, struct.pack("<I", 77))
        assert (excinfo.value.code, excinfo.value.message) == (
            1243, "Unknown prepared statement handler (77) given to mysqld_stmt_reset")
        assert_raw_answers(client)
    finally:
        client.close()


def test_long_data_for_a_parameter_that_does_not_exist(mimir):
    client = raw(mimir)
    try:
        stmt, _, _ = client.prepare("SELECT ? AS a")
        client.send(bytes([COM_STMT_SEND_LONG_DATA]) + struct.pack("<IH", stmt, 5) + b"x")
        block = RawClient.params_block([(MYSQL_TYPE_VAR_STRING, b"\x01x")])
        with pytest.raises(ServerError) as excinfo:
            client.execute(stmt, block)
        err = excinfo.value
        assert (err.code, err.sqlstate) == (1210, "HY000")
        assert err.message == ("Incorrect arguments to mysqld_stmt_execute: long data sent with "
                               "COM_STMT_SEND_LONG_DATA was refused (bad parameter number, or "
                               "more than max_allowed_packet bytes)")
        # Reported once; the next execute runs, and so does the next query.
        assert len(client.execute(stmt, block).rows) == 1
        assert_raw_answers(client)
    finally:
        client.close()


def test_prepared_statement_limit_per_session(mimir):
    client = raw(mimir)
    try:
        for _ in range(1024):
            client.prepare("SELECT 1")
        with pytest.raises(ServerError) as excinfo:
            client.prepare("SELECT 1")
        assert excinfo.value.code == 1461 and "max_prepared_stmt_count" in excinfo.value.message
        client.send(bytes([COM_STMT_CLOSE]) + struct.pack("<I", 1))
        client.prepare("SELECT 1")  # room again
        assert_raw_answers(client)
    finally:
        client.close()


# --------------------------------------------------------------------------
# multi-statements, COM_SET_OPTION
# --------------------------------------------------------------------------


def multi_conn(server, **kwargs):
    return server.connect(client_flag=CLIENT.MULTI_STATEMENTS, **kwargs)


def all_results(cur):
    results = [[tuple(r) for r in cur.fetchall()]]
    while cur.nextset():
        results.append([tuple(r) for r in cur.fetchall()])
    return results


def test_multi_statements_give_one_result_each(mimir, pg):
    readme = pg_rows(pg, README_EXPECTED_SQL)
    (total,), = pg.query(f"SELECT COUNT(rental_id) FROM ({RENTALS_SQL}) s")
    conn = multi_conn(mimir)
    try:
        with conn.cursor() as cur:
            cur.execute(README_QUERY.rstrip(";") + "; SELECT AGG(movies_rented) FROM "
                        "mimir.metrics;\nSELECT 'a;b' AS `x;y`; USE mimir; SELECT DATABASE()")
            results = all_results(cur)
        assert_same_values(results[0], readme)
        assert results[1:] == [[(total,)], [("a;b",)], [], [("mimir",)]]
        assert_answers_select_1(conn)
    finally:
        conn.close()


def test_multi_statement_status_flags(mimir):
    client = RawClient(mimir.port, extra_caps=0x00010000).login()
    try:
        results = client.query_all("SELECT 1; SET autocommit = 1; SELECT 2;")
        assert [r.more for r in results] == [True, True, False]
        assert [client.text_rows(r) for r in (results[0], results[2])] == [[("1",)], [("2",)]]
    finally:
        client.close()


def test_multi_statement_error_stops_the_batch(mimir):
    conn = multi_conn(mimir)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1; SELECT AGG(nope_metric) FROM mimir.metrics; SELECT 3")
            assert cur.fetchall() == ((1,),)
            with pytest.raises(pymysql.err.MySQLError) as excinfo:
                cur.nextset()
        code, message = mysql_error(excinfo)
        assert code == 1054 and "nope_metric" in message
        assert_answers_select_1(conn)
    finally:
        conn.close()


def test_multi_statement_backend_error_stops_the_batch(mimir):
    conn = multi_conn(mimir)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1; SELECT AGG(movies_rented) FROM mimir.metrics "
                        "WHERE ts >= 'not a date'; SELECT 3")
            assert cur.fetchall() == ((1,),)
            with pytest.raises(pymysql.err.MySQLError) as excinfo:
                cur.nextset()
        code, message = mysql_error(excinfo)
        assert code == 1105 and "timestamp" in message
        assert_answers_select_1(conn)
    finally:
        conn.close()


def test_several_statements_without_the_flag_are_a_syntax_error(mimir):
    conn = mimir.connect()
    try:
        with pytest.raises(pymysql.err.MySQLError) as excinfo:
            with conn.cursor() as cur:
                cur.execute("SELECT 1; SELECT 2")
        code, message = mysql_error(excinfo)
        assert code == 1064 and "SELECT 2" in message
        with conn.cursor() as cur:  # a trailing ';' is still one statement
            cur.execute("SELECT 1;")
            assert cur.fetchall() == ((1,),)
    finally:
        conn.close()


def test_set_option_toggles_multi_statements(mimir):
    conn = MySQLdb.connect(host="127.0.0.1", port=mimir.port, user="anyone", passwd="",
                           connect_timeout=10)
    try:
        conn.set_server_option(1)  # MYSQL_OPTION_MULTI_STATEMENTS_OFF
        cur = conn.cursor()
        with pytest.raises(MySQLdb.ProgrammingError) as excinfo:
            cur.execute("SELECT 1; SELECT 2")
        assert excinfo.value.args[0] == 1064
        conn.set_server_option(0)  # MYSQL_OPTION_MULTI_STATEMENTS_ON
        cur = conn.cursor()
        cur.execute("SELECT 1; SELECT 2")
        assert cur.fetchall() == ((1,),)
        assert cur.nextset() and cur.fetchall() == ((2,),)
        cur.close()
    finally:
        conn.close()


def test_set_option_with_unknown_value(mimir):
    client = raw(mimir)
    try:
        with pytest.raises(ServerError) as excinfo:
            client.command(COM_SET_OPTION, struct.pack("<H", 7))
        assert excinfo.value.code == 1047
        assert_raw_answers(client)
    finally:
        client.close()


# --------------------------------------------------------------------------
# COM_RESET_CONNECTION, COM_CHANGE_USER, COM_STATISTICS
# --------------------------------------------------------------------------


def test_reset_connection_drops_statements_and_keeps_the_database(mimir):
    client = raw(mimir)
    try:
        client.command(COM_INIT_DB, b"mimir")
        stmt, _, _ = client.prepare("SELECT 1")
        client.query("SET autocommit = 0")
        assert client.select_one("SELECT @@autocommit") == ("0",)
        client.command(COM_RESET_CONNECTION)
        with pytest.raises(ServerError) as excinfo:
            client.execute(stmt)
        assert excinfo.value.code == 1243
        assert client.select_one("SELECT DATABASE(), @@autocommit") == ("mimir", "1")
    finally:
        client.close()


def test_change_user_without_users(mimir):
    client = raw(mimir, user="first")
    try:
        stmt, _, _ = client.prepare("SELECT 1")
        body = b"second\0" + b"\0" + b"mimir\0" + struct.pack("<H", 45) + \
            b"mysql_native_password\0"
        client.command(COM_CHANGE_USER, body)
        assert client.select_one("SELECT USER(), DATABASE()") == ("second@127.0.0.1", "mimir")
        with pytest.raises(ServerError) as excinfo:
            client.execute(stmt)
        assert excinfo.value.code == 1243  # the session was reset
        # An unknown database: refused, the session stays as it was.
        with pytest.raises(ServerError) as excinfo:
            client.command(COM_CHANGE_USER, b"third\0\0nowhere\0")
        assert excinfo.value.code == 1049 and "nowhere" in excinfo.value.message
        assert client.select_one("SELECT USER(), DATABASE()") == ("second@127.0.0.1", "mimir")
        # A packet cut short.
        with pytest.raises(ServerError) as excinfo:
            client.command(COM_CHANGE_USER, b"fourth")
        assert excinfo.value.code == 1835
        assert_raw_answers(client)
    finally:
        client.close()


def test_statistics(mimir):
    conn = MySQLdb.connect(host="127.0.0.1", port=mimir.port, user="anyone", passwd="",
                           connect_timeout=10)
    try:
        stat = conn.stat()
        assert re.match(r"Uptime: \d+  Threads: \d+  Questions: \d+  Slow queries: 0", stat), stat
    finally:
        conn.close()


# --------------------------------------------------------------------------
# server configuration, users, TLS, caching_sha2_password
# --------------------------------------------------------------------------

PASSWORDS = {"alice": "alice-s3cret", "bob": "bob pw with spaces", "carol": "c@rol!#",
             "erin": ""}


def passwd_hashes(password):
    proc = subprocess.run([str(MIMIR_BIN), "passwd"], input=password + "\n", text=True,
                          capture_output=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    out = dict(line.split(": ", 1) for line in proc.stdout.splitlines())
    return {k: v.strip('"') for k, v in out.items()}


def users_yaml(only=None):
    """alice: both hashes; bob: caching_sha2 only; carol: native only; erin: empty."""
    only = only or {"bob": "caching_sha2_password", "carol": "mysql_native_password"}
    lines = ["users:"]
    for name, password in PASSWORDS.items():
        lines.append(f"  - name: {name}")
        for key, value in passwd_hashes(password).items():
            if name not in only or only[name] == key:
                lines.append(f'    {key}: "{value}"')
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def tls_files(session_dir):
    """A self-signed certificate for 127.0.0.1 and an RSA key pair, made with the
    openssl CLI."""
    d = _make_dir(session_dir, "tls-")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(d / "server.key"), "-out", str(d / "server.crt"),
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    subprocess.run(["openssl", "genrsa", "-out", str(d / "rsa.pem"), "2048"], check=True,
                   capture_output=True)
    subprocess.run(["openssl", "rsa", "-in", str(d / "rsa.pem"), "-pubout", "-out",
                    str(d / "rsa.pub")], check=True, capture_output=True)
    return d


def start_server(mimir_factory, pagila_secrets, workdir, text, name="mimir-proto", args=()):
    path = workdir / "server.yaml"
    path.write_text(text)
    server = mimir_factory(configs=PAGILA_CONFIGS, secrets=pagila_secrets, name=name,
                           extra_args=["--server-config", str(path), *args])
    return server.start()


@pytest.fixture(scope="module")
def users_server(request, session_dir, pagila_secrets, tls_files):
    """One server with users and TLS offered (not required), for the module."""
    from conftest import MimirServer
    workdir = _make_dir(session_dir, "users-")
    (workdir / "server.yaml").write_text(
        f"tls:\n  cert: {tls_files / 'server.crt'}\n  key: {tls_files / 'server.key'}\n"
        + users_yaml())
    server = MimirServer(session_dir, configs=PAGILA_CONFIGS, secrets=pagila_secrets,
                         name="mimir-users",
                         extra_args=["--server-config", str(workdir / "server.yaml")])
    request.addfinalizer(server.stop)
    return server.start()


def login_lines(server, user):
    return [l for l in server.stderr().splitlines() if f"'{user}' logged in" in l
            or f"'{user}' changed user" in l]


def wait_for_log(server, user, count):
    deadline = time.monotonic() + 5
    while len(login_lines(server, user)) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return login_lines(server, user)


def tls_context(tls_files):
    return {"ca": str(tls_files / "server.crt")}


def test_passwd_prints_mysql_compatible_hashes():
    hashes = passwd_hashes("s3cret")
    stage2 = hashlib.sha1(hashlib.sha1(b"s3cret").digest()).hexdigest().upper()
    verifier = hashlib.sha256(hashlib.sha256(b"s3cret").digest()).hexdigest()
    assert hashes == {"mysql_native_password": "*" + stage2, "caching_sha2_password": verifier}
    proc = subprocess.run([str(MIMIR_BIN), "passwd", "--user", "ann"], input="s3cret",
                          text=True, capture_output=True)
    assert proc.stdout.splitlines()[0] == '  - name: "ann"'
    # The password never goes on the command line.
    proc = subprocess.run([str(MIMIR_BIN), "passwd", "s3cret"], text=True, capture_output=True,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 2 and "stdin" in proc.stderr


def test_pymysql_caching_sha2_full_then_fast_path(users_server, pg):
    readme = pg_rows(pg, README_EXPECTED_SQL)
    before = len(login_lines(users_server, "alice"))
    for _ in range(2):
        conn = users_server.connect(user="alice", password=PASSWORDS["alice"])
        try:
            with conn.cursor() as cur:
                cur.execute(README_QUERY)
                assert_same_values([tuple(r) for r in cur.fetchall()], readme)
                cur.execute("SELECT CURRENT_USER()")
                assert cur.fetchall()[0][0].startswith("alice@")
        finally:
            conn.close()
    lines = wait_for_log(users_server, "alice", before + 2)
    # Without TLS, the first login since startup sends the password with the
    # server's RSA key (PyMySQL asks for it); the next one takes the fast path.
    if before == 0:
        assert "caching_sha2_password (full authentication with RSA)" in lines[0], lines
    assert "caching_sha2_password (fast path)" in lines[-1], lines


def test_pymysql_tls_full_authentication_with_clear_password(users_server, tls_files):
    conn = users_server.connect(user="bob", password=PASSWORDS["bob"],
                                ssl=tls_context(tls_files))
    try:
        assert conn._sock.version().startswith("TLSv1.")
        assert_answers_select_1(conn)
    finally:
        conn.close()
    lines = wait_for_log(users_server, "bob", 1)
    assert "caching_sha2_password" in lines[0] and lines[0].endswith("TLS"), lines


@pytest.mark.parametrize("user, password, using", [
    ("alice", "wrong", "YES"), ("bob", "", "NO"), ("carol", "wrong", "YES"),
    ("nobody", "x", "YES"), ("nobody", "", "NO"), ("erin", "not empty", "YES"),
])
def test_access_denied(users_server, user, password, using):
    with pytest.raises(pymysql.err.OperationalError) as excinfo:
        users_server.connect(user=user, password=password)
    code, message = mysql_error(excinfo)
    assert code == 1045
    assert message == f"Access denied for user '{user}'@'127.0.0.1' (using password: {using})"
    conn = users_server.connect(user="alice", password=PASSWORDS["alice"])
    try:
        assert_answers_select_1(conn)
    finally:
        conn.close()


def test_access_denied_over_tls(users_server, tls_files):
    # The ERR goes out encrypted, then the session closes: the client must
    # still receive the whole message.
    for _ in range(3):
        with pytest.raises(pymysql.err.OperationalError) as excinfo:
            users_server.connect(user="bob", password="wrong", ssl=tls_context(tls_files))
        assert mysql_error(excinfo) == (
            1045, "Access denied for user 'bob'@'127.0.0.1' (using password: YES)")


def test_empty_password_user(users_server):
    conn = users_server.connect(user="erin", password="")
    try:
        assert_answers_select_1(conn)
    finally:
        conn.close()


def test_switch_to_native_for_a_native_only_user(users_server):
    # PyMySQL answers the greeting's caching_sha2_password; carol has only a
    # mysql_native_password hash, so the server switches plugins.
    conn = users_server.connect(user="carol", password=PASSWORDS["carol"])
    try:
        assert_answers_select_1(conn)
    finally:
        conn.close()
    lines = wait_for_log(users_server, "carol", 1)
    assert "with mysql_native_password (password, after a switch)" in lines[-1], lines


def test_mariadb_cli_switched_to_caching_sha2(users_server):
    before = len(login_lines(users_server, "bob"))
    proc = users_server.mariadb_cli_run("SELECT CURRENT_USER()", "--skip-ssl",
                                        "--default-auth=mysql_native_password",
                                        f"--password={PASSWORDS['bob']}", user="bob")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[1] == "bob@127.0.0.1"
    lines = wait_for_log(users_server, "bob", before + 1)
    assert "caching_sha2_password" in lines[-1] and "after a switch" in lines[-1], lines


def test_mariadb_cli_over_tls(users_server, tls_files):
    proc = users_server.mariadb_cli_run("status", "--ssl", "--ssl-verify-server-cert",
                                        f"--ssl-ca={tls_files / 'server.crt'}",
                                        f"--password={PASSWORDS['alice']}", user="alice")
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"SSL:\s+Cipher in use is \S+", proc.stdout), proc.stdout


def test_prepared_statement_over_tls_as_a_user(users_server, pg, run_stmt):
    want = as_json_values(pg_rows(pg, README_EXPECTED_SQL))
    got = run_stmt(users_server, README_PARAM_QUERY, "s:Action", user="alice",
                   password=PASSWORDS["alice"], tls=True)
    assert got.rows == [want]


def test_large_result_over_tls(users_server, pg, tls_files):
    want = pg_rows(pg, f"SELECT ts AT TIME ZONE 'UTC', COUNT(payment_id) "
                       f"FROM ({PAYMENTS_SQL}) s GROUP BY 1 ORDER BY 1")
    assert len(want) > 10000
    conn = users_server.connect(user="alice", password=PASSWORDS["alice"],
                                ssl=tls_context(tls_files))
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT ts, AGG(payments_count) FROM mimir.metrics GROUP BY ts "
                        "ORDER BY ts")
            assert [tuple(r) for r in cur.fetchall()] == want
    finally:
        conn.close()


def test_change_user_with_users(users_server):
    conn = MySQLdb.connect(host="127.0.0.1", port=users_server.port, user="alice",
                           passwd=PASSWORDS["alice"], connect_timeout=10)
    try:
        conn.change_user("carol", PASSWORDS["carol"], "mimir")
        cur = conn.cursor()
        cur.execute("SELECT USER(), DATABASE()")
        assert cur.fetchall() == (("carol@127.0.0.1", "mimir"),)
        with pytest.raises(MySQLdb.OperationalError) as excinfo:
            conn.change_user("bob", "wrong")
        assert excinfo.value.args == (
            1045, "Access denied for user 'bob'@'127.0.0.1' (using password: YES)")
        cur = conn.cursor()
        cur.execute("SELECT USER()")  # still carol
        assert cur.fetchall() == (("carol@127.0.0.1",),)
        conn.change_user("bob", PASSWORDS["bob"])
        cur = conn.cursor()
        cur.execute("SELECT USER(), DATABASE()")
        assert cur.fetchall() == (("bob@127.0.0.1", None),)
    finally:
        conn.close()


def test_tls_request_to_a_server_without_tls(mimir):
    client = RawClient(mimir.port)
    assert not client.server_caps & CLIENT_SSL
    client.send(struct.pack("<IIB23x", client.caps | CLIENT_SSL, 1 << 24, 45), seq=1)
    assert client.closed_by_server()
    assert_fresh_client_works(mimir)


def test_garbage_instead_of_a_tls_handshake(users_server):
    client = RawClient(users_server.port)
    assert client.server_caps & CLIENT_SSL
    client.send(struct.pack("<IIB23x", client.caps | CLIENT_SSL, 1 << 24, 45), seq=1)
    client.sock.sendall(b"this is not a TLS ClientHello" * 10)
    assert client.closed_by_server()
    deadline = time.monotonic() + 5
    while f"client {client.connection_id}: TLS error" not in users_server.stderr():
        assert time.monotonic() < deadline, users_server.stderr()
        time.sleep(0.02)
    conn = users_server.connect(user="alice", password=PASSWORDS["alice"])
    conn.close()


def test_require_tls(mimir_factory, pagila_secrets, workdir, tls_files, pg):
    server = start_server(mimir_factory, pagila_secrets, workdir,
                          f"tls:\n  cert: {tls_files / 'server.crt'}\n"
                          f"  key: {tls_files / 'server.key'}\n  require_tls: true\n",
                          name="mimir-require-tls")
    with pytest.raises(pymysql.err.OperationalError) as excinfo:
        server.connect()
    code, message = mysql_error(excinfo)
    assert code == 3159
    assert "requires TLS" in message and "insecure transport" in message
    proc = server.mariadb_cli_run("SELECT 1", "--skip-ssl")
    assert "ERROR 3159 (HY000)" in proc.stderr, proc.stderr
    # Without users, TLS sessions log in as before (any user, empty password).
    conn = server.connect(ssl=tls_context(tls_files))
    try:
        with conn.cursor() as cur:
            cur.execute(README_QUERY)
            assert_same_values([tuple(r) for r in cur.fetchall()],
                               pg_rows(pg, README_EXPECTED_SQL))
    finally:
        conn.close()


def test_rsa_key_from_the_configuration(mimir_factory, pagila_secrets, workdir, tls_files):
    server = start_server(mimir_factory, pagila_secrets, workdir,
                          f"rsa_key: {tls_files / 'rsa.pem'}\n" + users_yaml(),
                          name="mimir-rsa")
    # The client already has the public key: it encrypts without asking.
    public = (tls_files / "rsa.pub").read_bytes()
    conn = server.connect(user="bob", password=PASSWORDS["bob"], server_public_key=public)
    try:
        assert_answers_select_1(conn)
    finally:
        conn.close()
    assert "full authentication with RSA" in wait_for_log(server, "bob", 1)[0]


def test_users_allow_listening_beyond_loopback(mimir_factory, pagila_secrets, workdir):
    server = start_server(mimir_factory, pagila_secrets, workdir, users_yaml(),
                          name="mimir-public-users", args=["--host", "0.0.0.0"])
    conn = server.connect(user="alice", password=PASSWORDS["alice"])
    try:
        assert_answers_select_1(conn)
    finally:
        conn.close()
    line = next(l for l in server.stderr().splitlines() if "listening on" in l)
    assert "0.0.0.0" in line and "4 users configured" in line


def test_listen_port_from_the_file_and_command_line_override(pagila_secrets, workdir,
                                                             session_dir):
    file_port = free_port()
    path = workdir / "server.yaml"
    path.write_text(f"listen:\n  host: 127.0.0.1\n  port: {file_port}\n")
    log = open(workdir / "stderr.log", "wb")
    proc = subprocess.Popen([str(MIMIR_BIN), "serve", "--configs", str(PAGILA_CONFIGS),
                             "--secrets", str(pagila_secrets), "--server-config", str(path)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", file_port), timeout=0.5).close()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, \
                    (workdir / "stderr.log").read_text()
                time.sleep(0.05)
        client = RawClient(file_port).login()
        assert_raw_answers(client)
        client.close()
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
    assert proc.returncode in (0, -15)


BAD_CONFIGS = [
    ("unknown_key", "tls:\n  cert: a\n  key: b\n  requre_tls: true\n",
     ":4: unknown key 'requre_tls' in 'tls' (expected one of: cert, key, require_tls)"),
    ("clear_password", "users:\n  - name: x\n    password: hunter2\n",
     ":3: clear-text passwords are not accepted in a user"),
    ("bad_native_hash", "users:\n  - name: x\n    mysql_native_password: abc\n",
     ":3: user 'x': mysql_native_password must be '*' and 40 hex digits"),
    ("bad_sha2_hash", "users:\n  - name: x\n    caching_sha2_password: '*ABC'\n",
     ":3: user 'x': caching_sha2_password must be 64 hex digits"),
    ("no_hash", "users:\n  - name: x\n", ":2: user 'x' has no password hash"),
    ("duplicate_user", "users:\n  - name: x\n    caching_sha2_password: " + "a" * 64 +
     "\n  - name: x\n    caching_sha2_password: " + "b" * 64 + "\n",
     ":4: user 'x' is defined twice"),
    ("tls_without_key", "tls:\n  cert: server.crt\n",
     ":2: 'tls' needs both 'cert' and 'key'"),
    ("missing_cert", "tls:\n  cert: nowhere.crt\n  key: nowhere.key\n",
     "cannot use the TLS certificate"),
    ("bad_port", "listen:\n  port: 99999\n", ":2: 'port' must be a number from 0 to 65535"),
    ("users_not_a_list", "users: alice\n", ":1: 'users' must be a list"),
    ("not_a_mapping", "- a\n- b\n", "the server configuration must be a mapping"),
]


@pytest.mark.parametrize("text, message", [b[1:] for b in BAD_CONFIGS],
                         ids=[b[0] for b in BAD_CONFIGS])
def test_bad_server_configuration(mimir_factory, pagila_secrets, workdir, text, message):
    path = workdir / "server.yaml"
    path.write_text(text)
    server = mimir_factory(configs=PAGILA_CONFIGS, secrets=pagila_secrets, name="mimir-badcfg",
                           extra_args=["--server-config", str(path)])
    status, stderr = server.run_until_exit()
    assert status == 1, stderr
    assert str(path) in stderr and message in stderr, stderr
