"""MySQL's literal and identifier syntax (issue 13, section 4): hexadecimal and
bit-value literals, charset introducers, N'...', COLLATE, quoted and odd
aliases, comments, LIMIT offset, count, and MySQL's default column labels.

Two oracles, both in the same run:
  - a real MariaDB (mariadb_server.py) for what a literal is: for each
    `SELECT <expr>` the column label, the value and the kind of type (and
    whether the column is binary) must be MariaDB's;
  - PostgreSQL for the numbers of metrics queries whose WHERE holds such
    literals (support.expected, as the rest of the suite).
Real drivers send these literals for byte values: go-sql-driver/mysql with
interpolateParams=true writes a []byte as _binary'...', Node's `mysql`
writes a Buffer as X'...'. Every error has its code and message checked,
and the next statement on the same connection must still be answered.
"""

import json
import os
import shutil
import subprocess
from decimal import Decimal

import pymysql
import pytest
from pymysql.constants import FIELD_TYPE

from client_support import (  # noqa: F401  (fixtures)
    CLIENTS_SRC,
    clients_build,
    no_error,
    node_probe,
)
from conftest import CLIENT_TIMEOUT
from support import INTEGER_TYPES, expected, unordered

# `SELECT <expr>` on MariaDB and on Mimir: same label, value and type kind.
LITERALS = [
    "X'4A61'",
    "x'4a61'",
    "0x4A61",
    "0x123",
    "X'00'",
    "0x41 + 0",
    "0x41+0",
    "b'101'",
    "B'1000001'",
    "0b101",
    "b'101' + 0",
    "0b1000001 + 1",
    "_binary'Japan'",
    "_binary 'Japan'",
    "_binary'a' 'b'",
    "_binary X'4A61'",
    "_utf8mb4'x'",
    "_utf8mb4 0x4A61",
    "_utf8mb3'x'",
    "N'x'",
    "n'x' 'y'",
    "'a' COLLATE utf8mb4_bin",
    "'a' collate utf8mb4_general_ci",
    "1 + 1",
    "2 * 3 - 1",
    "'abc'",
    "'a' 'b'",
    '"double quoted"',
    "''",
    "-1",
    "1.50",
    "NULL",
    # CAST to CHAR without FROM (SQLAlchemy 1.x's first-connect checks)
    "CAST('test plain returns' AS CHAR(60))",
    "CAST('abcdef' AS CHAR(3))",
    "CAST('h\u00e9llo' AS CHAR(2))",
    "CAST(12345 AS CHAR)",
    "CAST(NULL AS CHAR(4))",
    "CONVERT('abc', CHAR(0))",
    "CAST('x' AS CHAR CHARACTER SET utf8mb4) COLLATE utf8mb4_bin",
    "CAST('test collated returns' AS CHAR CHARACTER SET utf8) COLLATE utf8_bin",
]


def type_kind(code):
    """MariaDB types small integer literals INT where MySQL 8 (and Mimir) says
    BIGINT: both are integers to every driver."""
    return "integer" if code in INTEGER_TYPES else code


def describe(conn, sql):
    with conn.cursor() as cur:
        cur.execute(sql)
        rows = [tuple(r) for r in cur.fetchall()]
        fields = cur._result.fields  # noqa: SLF001 (the column definitions as sent)
        cols = [(f.name, type_kind(f.type_code), f.charsetnr == 63) for f in fields]
    return cols, rows


@pytest.fixture(scope="module")
def oracle(mariadb):
    conn = mariadb.connect_root()
    yield conn
    conn.close()


@pytest.fixture
def conn(mimir):
    c = mimir.connect(database="mimir")
    yield c
    c.close()


@pytest.mark.parametrize("expr", LITERALS)
def test_literal_as_mariadb_reads_it(oracle, conn, expr):
    want = describe(oracle, f"SELECT {expr}")
    got = describe(conn, f"SELECT {expr}")
    assert got == want


def test_aliases_of_literals(oracle, conn):
    sql = "SELECT X'4A61' AS \"a b\", 0x41 + 0 `c d`, _binary'x' AS $__alias__0"
    assert describe(conn, sql) == describe(oracle, sql)


# Metrics queries: the same answer as the plain string or number, from PostgreSQL.
ACTION = "'Action'"
FILTERS = [
    # (Mimir's WHERE, PostgreSQL's WHERE)
    ("dim_rental_category = _binary'Action'", f"dim_rental_category = {ACTION}"),
    # a literal, binary or not, yields to the column's collation (PostgreSQL's here)
    ("dim_rental_category = _binary'action'", "dim_rental_category = 'action'"),
    ("dim_rental_category LIKE _binary'Act%'", "dim_rental_category LIKE 'Act%'"),
    # between literals a binary string compares byte by byte
    ("_binary'a' = 'A' OR dim_store_id = 1", "dim_store_id = 1"),
    ("dim_rental_category = X'416374696F6E'", f"dim_rental_category = {ACTION}"),
    ("dim_rental_category = 0x416374696F6E", f"dim_rental_category = {ACTION}"),
    ("dim_rental_category IN (N'Action', _utf8mb4'Comedy')",
     "dim_rental_category IN ('Action', 'Comedy')"),
    ("dim_rental_category <> _binary'Action'", "dim_rental_category <> 'Action'"),
    ("dim_store_id = 0x01", "dim_store_id = 1"),
    ("dim_store_id = b'10'", "dim_store_id = 2"),
    ("dim_store_id + 0x01 = 2", "dim_store_id = 1"),
    ("dim_store_id = _binary'1'", "dim_store_id = 1"),
    # utf8mb4_bin is a PAD SPACE collation: trailing spaces do not count; case does
    ("dim_rental_category COLLATE utf8mb4_bin = 'Action  '", f"dim_rental_category = {ACTION}"),
    ("dim_rental_category COLLATE utf8mb4_bin IN ('Action', 'comedy')",
     f"dim_rental_category = {ACTION}"),
    ("dim_rental_category COLLATE utf8mb4_bin <> 'Action'", "dim_rental_category <> 'Action'"),
    ("_binary'Action' COLLATE binary = dim_rental_category", f"dim_rental_category = {ACTION}"),
]


@pytest.mark.parametrize("where, pg_where", FILTERS, ids=[f[0] for f in FILTERS])
def test_filters_with_literals(conn, pg, where, pg_where):
    dims = ["dim_rental_category", "dim_store_id"]
    metrics = ["movies_rented", "rentals_revenue"]
    want = expected(pg, dims, metrics, where=pg_where)
    sql = (f"SELECT dim_rental_category, dim_store_id, AGG(movies_rented), "
           f"AGG(rentals_revenue) FROM mimir.metrics WHERE {where} GROUP BY 1, 2")
    with conn.cursor() as cur:
        cur.execute(sql)
        got = [tuple(r) for r in cur.fetchall()]
    assert unordered(got) == unordered(want)


def test_having_with_a_hexadecimal_literal(conn, pg):
    want = [r for r in expected(pg, ["dim_rental_category"], ["movies_rented"])
            if r[1] > 0x40]
    with conn.cursor() as cur:
        cur.execute("SELECT dim_rental_category, AGG(movies_rented) FROM mimir.metrics "
                    "GROUP BY 1 HAVING AGG(movies_rented) > 0x40")
        got = [tuple(r) for r in cur.fetchall()]
    assert unordered(got) == unordered(want)
    assert want, "the test needs some groups above 0x40"


# Labels of unaliased items, as MariaDB labels the same select list over a table
# of the same columns; AGG() follows the same rule (the text as written).
LABEL_QUERIES = [
    "SELECT dim_rental_category, SUM(movies_rented), SUM( rentals_revenue ) FROM metrics "
    "GROUP BY dim_rental_category",
    "SELECT dim_rental_category AS \"Category\", SUM(movies_rented) AS `movies rented` "
    "FROM metrics GROUP BY 1",
    "SELECT dim_rental_category AS $__alias__0, SUM(movies_rented) AS `sum of movies` "
    "FROM metrics GROUP BY 1",
    "SELECT dim_rental_category `c`FROM metrics GROUP BY 1",
    "SELECT metrics.dim_store_id, SUM(movies_rented)/**/FROM metrics GROUP BY 1",
    "/* mysql-connector-j-8.0.33 (Revision: 7d6b0800528b6b25c68b52dc10d6c1c8429c100c) */ "
    "SELECT dim_rental_category, SUM(rentals_revenue) FROM metrics GROUP BY 1",
    "-- a comment\nSELECT dim_rental_category FROM metrics GROUP BY 1",
    "# a comment\nSELECT dim_rental_category FROM metrics GROUP BY 1",
]


@pytest.fixture(scope="module")
def oracle_metrics_table(oracle):
    """An empty MariaDB table with mimir.metrics' columns: enough for labels."""
    with oracle.cursor() as cur:
        cur.execute("CREATE DATABASE IF NOT EXISTS lit_labels")
        cur.execute("CREATE TABLE IF NOT EXISTS lit_labels.metrics (dim_rental_category "
                    "VARCHAR(64), dim_store_id INT, movies_rented BIGINT, "
                    "rentals_revenue DECIMAL(12, 2))")
    oracle.select_db("lit_labels")
    return oracle


@pytest.mark.parametrize("sql", LABEL_QUERIES)
def test_labels_as_mariadb(oracle_metrics_table, conn, sql):
    with oracle_metrics_table.cursor() as cur:
        cur.execute(sql)
        want = [d[0] for d in cur.description]
    with conn.cursor() as cur:
        cur.execute(sql)
        got = [d[0] for d in cur.description]
    assert got == want


def test_agg_labels_and_limit_offset_count(conn, pg):
    want = expected(pg, ["dim_rental_category"], ["movies_rented", "rentals_revenue"],
                    order_by="dim_rental_category", limit=3 + 2)[2:]
    with conn.cursor() as cur:
        cur.execute("SELECT dim_rental_category, AGG(movies_rented), AGG( rentals_revenue ) "
                    "FROM mimir.metrics GROUP BY 1 ORDER BY 1 LIMIT 2, 3")
        names = [d[0] for d in cur.description]
        got = [tuple(r) for r in cur.fetchall()]
    assert names == ["dim_rental_category", "AGG(movies_rented)", "AGG( rentals_revenue )"]
    assert got == want


# Refusals and syntax errors: (statement, code, part of the message).
ERRORS = [
    ("SELECT X'4A6'", 1064, "even number of hexadecimal digits"),
    ("SELECT b'102'", 1064, "only the digits 0 and 1"),
    ("SELECT 0X41", 1054, "Unknown column '0X41'"),
    ("SELECT _latin1'x'", 1235, "character set introducer _latin1"),
    ("SELECT 'a' COLLATE latin1_swedish_ci", 1253,
     "COLLATION 'latin1_swedish_ci' is not valid for CHARACTER SET 'utf8mb4'"),
    ("SELECT 0xFFFFFFFFFFFFFFFF + 0", 1235, "above 9223372036854775807"),
    ("SELECT x'FFFFFFFFFFFFFFFFFF' + 0", 1235, "more than 64 bits"),
    ("SELECT AGG(movies_rented) FROM metrics WHERE COALESCE(dim_rental_category, '') = X'41'",
     1235, "hexadecimal or bit-value literal here"),
    ("SELECT AGG(movies_rented) FROM metrics WHERE ts > 0x41", 1235,
     "hexadecimal or bit-value literal compared with a time"),
    ("SELECT AGG(movies_rented) FROM metrics WHERE dim_rental_category = X'FF'", 1235,
     "binary strings that are not UTF-8"),
    ("SELECT AGG(movies_rented) FROM metrics WHERE dim_store_id = 0x8000000000000000", 1235,
     "above 9223372036854775807"),
    ("SELECT AGG(movies_rented) FROM metrics "
     "WHERE dim_rental_category COLLATE utf8mb4_general_ci = 'action'", 1235,
     "COLLATE utf8mb4_general_ci in comparisons"),
    ("SELECT AGG(movies_rented) FROM metrics WHERE dim_rental_category COLLATE utf8mb4_bin < 'B'",
     1235, "COLLATE utf8mb4_bin in an ordering comparison"),
    ("SELECT AGG(movies_rented) FROM metrics WHERE dim_rental_category COLLATE binary = 'x'",
     1253, "COLLATION 'binary' is not valid for CHARACTER SET 'utf8mb4'"),
    ("SELECT dim_rental_category COLLATE utf8mb4_bin, AGG(movies_rented) FROM metrics "
     "GROUP BY 1", 1235, "outside =, <>, <=> and IN comparisons"),
    ("SELECT CAST(1 AS SIGNED)", 1235, "this expression without FROM"),
    ("SELECT CAST('a' AS CHAR CHARACTER SET latin1)", 1235, "this expression without FROM"),
    ("SELECT CAST(X'FF' AS CHAR)", 1235, "this expression without FROM"),
    # ODBC escapes (tests/compat/odbc.yaml has the ones that pass)
    ("SELECT {d '2022-01-01'", 1064, "expected '}'"),
    ("SELECT {'2022-01-01'}", 1064, "expected d, t, ts or fn after '{'"),
    ("SELECT {fn CONVERT(1, SQL_GUID)}", 1064, "an ODBC type MySQL has no cast for: SQL_GUID"),
]


@pytest.mark.parametrize("sql, code, message", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_then_next_statement(conn, sql, code, message):
    with pytest.raises(pymysql.err.MySQLError) as excinfo:
        with conn.cursor() as cur:
            cur.execute(sql)
    assert excinfo.value.args[0] == code
    assert message in excinfo.value.args[1]
    with conn.cursor() as cur:
        cur.execute("SELECT X'4A61', 0x41 + 0")
        assert cur.fetchall() == ((b"Ja", 65),)


# ---- Real drivers ------------------------------------------------------------

README_PARAM = ("SELECT dim_rental_category, AGG(movies_rented), AGG(rentals_revenue) "
                "FROM mimir.metrics WHERE dim_rental_category = ? GROUP BY 1")


def readme_rows(pg):
    return [[r[0], r[1], str(r[2])]
            for r in expected(pg, ["dim_rental_category"], ["movies_rented", "rentals_revenue"],
                              where="dim_rental_category = 'Action'")]


@pytest.fixture(scope="session")
def go_probe(clients_build):
    """tests/clients/go/probe.go, built with Debian's Go and go-sql-driver/mysql."""
    probe = clients_build / "go" / "probe"
    if not probe.is_file():
        if not shutil.which("go") or not os.path.isdir(
                "/usr/share/gocode/src/github.com/go-sql-driver/mysql"):
            pytest.fail("golang-go and golang-github-go-sql-driver-mysql-dev are needed "
                        "(make deps)", pytrace=False)
        gobuild = clients_build / "go"
        gobuild.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, GO111MODULE="off", GOFLAGS="",
                   GOPATH=f"{gobuild / 'gopath'}:/usr/share/gocode",
                   GOCACHE=str(gobuild / "cache"))
        subprocess.run(["go", "build", "-o", str(probe), str(CLIENTS_SRC / "go" / "probe.go")],
                       env=env, check=True, timeout=300)

    def run(spec):
        proc = subprocess.run([str(probe), json.dumps(spec)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=CLIENT_TIMEOUT)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    return run


def test_go_sql_driver_sends_byte_values_as_binary_strings(mimir, pg, go_probe):
    """go-sql-driver/mysql (Debian's 1.5) with interpolateParams=true and []byte
    arguments: the statement arrives as ... = _binary'Action'."""
    dsn = f"anyone@tcp(127.0.0.1:{mimir.port})/mimir?interpolateParams=true"
    out = go_probe({"dsn": dsn, "steps": [
        {"sql": README_PARAM, "params": [{"bytes": "Action"}]},
        {"sql": README_PARAM, "params": [{"bytes": "action"}]},
        {"sql": "SELECT ?, ?", "params": [{"bytes": "Japan"}, {"text": "x"}]},
        {"sql": "SELECT X'4A6'"},
        {"sql": README_PARAM, "params": [{"text": "Action"}]},
        # bytes that are not UTF-8, NUL included: a binary string all the same
        {"sql": "SELECT ? AS b", "params": [{"hex": "ff00fe4a"}]},
        {"sql": README_PARAM, "params": [{"hex": "ff"}]},
        {"sql": README_PARAM, "params": [{"bytes": "Action"}]},
    ]})
    assert "connect" not in out, out
    first, lower, select, error, text, raw, raw_filter, again = out["steps"]
    assert [c["name"] for c in no_error(first)["columns"]] == [
        "dim_rental_category", "AGG(movies_rented)", "AGG(rentals_revenue)"]
    assert first["rows"] == [[str(v) for v in r] for r in readme_rows(pg)]
    # beside a column a binary string yields to its collation: on PostgreSQL, which
    # compares strings case-sensitively, 'action' is not 'Action', as for a plain string
    assert no_error(lower)["rows"] == []
    assert no_error(select)["columns"] == [{"name": "Japan", "type": "VARBINARY"},
                                           {"name": "x", "type": "VARCHAR"}]
    assert select["rows"] == [["Japan", "x"]]
    assert "1064" in error["error"] and "even number of hexadecimal digits" in error["error"]
    assert no_error(text)["rows"] == first["rows"]
    assert no_error(raw) == {"columns": [{"name": "b", "type": "VARBINARY"}],
                             "rows": [[{"hex": "ff00fe4a"}]]}
    assert "1235" in raw_filter["error"] and "not UTF-8" in raw_filter["error"]
    assert no_error(again)["rows"] == first["rows"]


@pytest.fixture(scope="session")
def node_mysql_probe(node_probe, clients_build):
    """tests/clients/node/probe_mysql.js with Node's `mysql` from the lockfile
    (node_probe installs the node_modules both probes use)."""
    env = dict(os.environ, NODE_PATH=str(clients_build / "node" / "node_modules"))

    def run(spec):
        proc = subprocess.run(["node", str(CLIENTS_SRC / "node" / "probe_mysql.js"),
                               json.dumps(spec)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env,
                              timeout=CLIENT_TIMEOUT)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    return run


def test_node_mysql_sends_buffers_as_hexadecimal_literals(mimir, pg, node_mysql_probe):
    """Node's `mysql` escapes a Buffer as X'416374696f6e' into the statement."""
    out = node_mysql_probe({"port": mimir.port, "database": "mimir", "user": "anyone",
                            "steps": [
                                {"sql": README_PARAM, "params": [{"buffer": "Action"}]},
                                {"sql": "SELECT ? AS b, ? + 0 AS n",
                                 "params": [{"buffer": "Ja"}, {"buffer": "A"}]},
                                {"sql": "SELECT _latin1'x'"},
                                {"sql": README_PARAM, "params": ["Action"]},
                            ]})
    assert "connect" not in out, out
    first, select, error, text = out["steps"]
    assert [c["name"] for c in no_error(first)["columns"]] == [
        "dim_rental_category", "AGG(movies_rented)", "AGG(rentals_revenue)"]
    want = readme_rows(pg)
    assert [[r[0], r[1], r[2]] for r in first["rows"]] == [[w[0], w[1], w[2]] for w in want]
    assert no_error(select)["rows"] == [[{"hex": "4a61"}, 65]]
    assert error["error"]["errno"] == 1235
    assert "character set introducer _latin1" in error["error"]["message"]
    assert no_error(text)["rows"] == first["rows"]


def test_decimal_results_stay_exact(conn, pg):
    """The literals change nothing in how metric values come back."""
    with conn.cursor() as cur:
        cur.execute(README_PARAM.replace("?", "X'416374696F6E'"))
        got = cur.fetchall()
    want = expected(pg, ["dim_rental_category"], ["movies_rented", "rentals_revenue"],
                    where="dim_rental_category = 'Action'")
    assert [tuple(r) for r in got] == want
    assert all(isinstance(r[2], Decimal) for r in got)


def test_field_types_are_binary_for_binary_strings(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT X'4A61', _binary'x', N'y'")
        types = [f.type_code for f in cur._result.fields]  # noqa: SLF001
        charsets = [f.charsetnr for f in cur._result.fields]  # noqa: SLF001
    assert types == [FIELD_TYPE.VAR_STRING] * 3
    assert charsets[:2] == [63, 63] and charsets[2] != 63
