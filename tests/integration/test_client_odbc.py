"""MariaDB Connector/ODBC (Debian's odbc-mariadb) through unixODBC and pyodbc:
the path Tableau takes with a MySQL/MariaDB ODBC data source. SQLTables and
SQLColumns (pyodbc's cursor.tables() and cursor.columns()), SQLExecDirect, and
a prepared statement with parameters (SQLPrepare, SQLBindParameter,
SQLExecute), compared with PostgreSQL; SQLColumns' types and sizes are checked
against the semantic layer of configs/pagila.

The driver is registered in a temporary odbcinst.ini (ODBCSYSINI/ODBCINSTINI)
and the connection is DSN-less, so no system ODBC file is read or needed.
Connector/ODBC 3.1 runs even SQLExecDirect as a server-side prepared
statement (COM_STMT_PREPARE/EXECUTE with binary rows)."""

import glob
import os
import re

import pyodbc
import pytest

from client_support import (
    BI_CATEGORIES,
    BI_COLUMNS,
    BI_QUERY,
    README_COLUMNS,
    README_PARAM_QUERY,
    bi_expected,
    metrics_table_required_columns,
    mimir_table_names,
    pagila_catalog,
    readme_expected,
    tls_server,
)
from conftest import _make_dir
from support import README_QUERY, assert_same_values
from test_catalog import LAYER, layer_types  # noqa: F401 (autouse: LAYER's discovered types)

DRIVER_NAME = "MariaDB ODBC (Mimir tests)"
BI_PARAM_QUERY = BI_QUERY.replace(", ".join(f"'{c}'" for c in BI_CATEGORIES),
                                  ", ".join("?" for _ in BI_CATEGORIES))

# ODBC SQL data types (sql.h / sqlext.h, sqlucode.h)
SQL_TINYINT, SQL_SMALLINT, SQL_INTEGER, SQL_BIGINT = -6, 5, 4, -5
SQL_DECIMAL, SQL_REAL, SQL_DOUBLE = 3, 7, 8
SQL_WCHAR, SQL_WVARCHAR, SQL_WLONGVARCHAR = -8, -9, -10
SQL_DATETIME, SQL_TYPE_DATE, SQL_TYPE_TIME, SQL_TYPE_TIMESTAMP = 9, 91, 92, 93

# How Connector/ODBC 3.1 (a Unicode driver) describes MySQL's types in
# SQLColumns: the SQL type, the column size of an integer (its digits), the
# octet length of its C buffer.
INTEGERS = {"tinyint": (SQL_TINYINT, 3, 1), "smallint": (SQL_SMALLINT, 5, 2),
            "mediumint": (SQL_INTEGER, 7, 3), "int": (SQL_INTEGER, 10, 4),
            "bigint": (SQL_BIGINT, 19, 20)}
TEMPORALS = {"date": (SQL_TYPE_DATE, 10, 6, 1), "time": (SQL_TYPE_TIME, 8, 6, 2),
             "datetime": (SQL_TYPE_TIMESTAMP, 19, 16, 3),
             "timestamp": (SQL_TYPE_TIMESTAMP, 19, 16, 3)}
CHARACTERS = {"char": SQL_WCHAR, "varchar": SQL_WVARCHAR, "text": SQL_WLONGVARCHAR}


def odbc_description(column_type):
    """What SQLColumns must report for a column of this MySQL COLUMN_TYPE:
    {DATA_TYPE, TYPE_NAME, COLUMN_SIZE, BUFFER_LENGTH, DECIMAL_DIGITS,
    NUM_PREC_RADIX, SQL_DATA_TYPE, SQL_DATETIME_SUB, CHAR_OCTET_LENGTH}
    (CHAR_OCTET_LENGTH only for character columns)."""
    m = re.fullmatch(r"(\w+)(?:\((\d+)(?:,(\d+))?\))?( unsigned)?", column_type)
    assert m, f"unexpected column type {column_type!r}"
    base, length, scale, unsigned = m.group(1), m.group(2), m.group(3), bool(m.group(4))
    d = {"type_name": (base + (" unsigned" if unsigned else "")).upper(), "num_prec_radix": 10,
         "sql_datetime_sub": None}
    if base in INTEGERS:
        sql_type, digits, octets = INTEGERS[base]
        d.update(data_type=sql_type, column_size=digits + (base == "bigint" and unsigned),
                 buffer_length=octets, decimal_digits=0)
    elif base == "decimal":
        precision = int(length)
        d.update(data_type=SQL_DECIMAL, column_size=precision, decimal_digits=int(scale),
                 buffer_length=precision + (1 if unsigned else 2))
    elif base in ("float", "double"):
        d.update(data_type=SQL_REAL if base == "float" else SQL_DOUBLE,
                 column_size=7 if base == "float" else 15,
                 buffer_length=4 if base == "float" else 8, decimal_digits=None)
    elif base in TEMPORALS:
        sql_type, size, octets, sub = TEMPORALS[base]
        d.update(data_type=sql_type, column_size=size, buffer_length=octets, decimal_digits=None,
                 sql_datetime_sub=sub)
    elif base in CHARACTERS:
        chars = int(length) if length else 65535
        d.update(data_type=CHARACTERS[base], column_size=chars, buffer_length=chars * 4,
                 char_octet_length=chars * 4, decimal_digits=None, num_prec_radix=None)
    else:
        pytest.fail(f"odbc_description: no ODBC mapping for {column_type!r} in this test")
    d["sql_data_type"] = SQL_DATETIME if base in TEMPORALS else d["data_type"]
    return d


@pytest.fixture(scope="session")
def odbc_driver(session_dir):
    """Registers Debian's libmaodbc.so under DRIVER_NAME in a temporary
    odbcinst.ini, for this process's unixODBC."""
    found = sorted(glob.glob("/usr/lib/*/odbc/libmaodbc.so"))
    if not found:
        pytest.fail("MariaDB ODBC driver libmaodbc.so not found (Debian package odbc-mariadb; "
                    "run `make deps`)", pytrace=False)
    sysini = _make_dir(session_dir, "odbc-")
    (sysini / "odbcinst.ini").write_text(f"[{DRIVER_NAME}]\nDriver={found[0]}\n")
    saved = {k: os.environ.get(k) for k in ("ODBCSYSINI", "ODBCINSTINI")}
    os.environ.update(ODBCSYSINI=str(sysini), ODBCINSTINI="odbcinst.ini")
    yield DRIVER_NAME
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture
def conn(mimir, odbc_driver):
    c = pyodbc.connect(f"DRIVER={{{odbc_driver}}};SERVER=127.0.0.1;PORT={mimir.port};"
                       "DATABASE=mimir;UID=anyone;PWD=;", timeout=10, autocommit=True)
    c.timeout = 60
    yield c
    c.close()


def fetch(conn, sql, *params):
    cur = conn.cursor()
    try:
        cur.execute(sql, *params)
        return [d[0] for d in cur.description], [tuple(r) for r in cur.fetchall()]
    finally:
        cur.close()


def test_connects(conn):
    assert conn.getinfo(pyodbc.SQL_DBMS_VER).startswith("08.00.")
    assert conn.getinfo(pyodbc.SQL_DATABASE_NAME) == "mimir"


def test_exec_direct_readme_and_bi(conn, pg):
    names, rows = fetch(conn, README_QUERY)
    assert names == README_COLUMNS
    assert_same_values(rows, readme_expected(pg))
    names, rows = fetch(conn, BI_QUERY)
    assert names == BI_COLUMNS
    assert_same_values(rows, bi_expected(pg))


def test_prepared_with_parameters(conn, pg):
    names, rows = fetch(conn, README_PARAM_QUERY, "Action")
    assert names == README_COLUMNS
    assert_same_values(rows, readme_expected(pg))
    names, rows = fetch(conn, BI_PARAM_QUERY, *BI_CATEGORIES)
    assert names == BI_COLUMNS
    assert_same_values(rows, bi_expected(pg))


def test_sql_tables(conn):
    cur = conn.cursor()
    rows = cur.tables(catalog="mimir").fetchall()
    assert {r.table_name for r in rows} == mimir_table_names()
    assert {r.table_cat for r in rows} == {"mimir"}
    remarks = {r.table_name: r.remarks for r in rows}
    for source, description in pagila_catalog()["sources"].items():
        assert remarks[source] == description


def check_columns(rows, table):
    """SQLColumns rows against the semantic layer of configs/pagila: every
    column of the table, in order, with its comment, and the ODBC type, size
    and lengths of its MySQL type."""
    want = LAYER.columns(table)
    assert [r.column_name for r in rows] == [name for name, _, _ in want]
    for position, (row, (name, column_type, comment)) in enumerate(zip(rows, want), 1):
        assert (row.table_cat, row.table_schem, row.table_name) == ("mimir", None, table)
        got = {k: getattr(row, k) for k in odbc_description(column_type)}
        assert got == odbc_description(column_type), (name, column_type)
        if comment is not None:
            assert row.remarks == comment, name
        assert (row.ordinal_position, row.nullable, row.is_nullable) == (position, 1, "YES")
        assert row.column_def is None


def test_sql_columns(conn):
    """The driver's SQLColumns query assigns @dt, @ColSize and @tol in its
    select list and reads them in later items of the same row, and compares
    TABLE_SCHEMA = BINARY 'mimir': all of it is evaluated by Mimir."""
    cur = conn.cursor()
    rows = cur.columns(table="metrics", catalog="mimir").fetchall()
    assert metrics_table_required_columns() <= {r.column_name for r in rows}
    check_columns(rows, "metrics")
    cols = {r.column_name: r for r in rows}
    assert cols["movies_rented"].data_type == SQL_BIGINT
    assert cols["ts"].data_type == SQL_TYPE_TIMESTAMP
    cat = pagila_catalog()
    for name, description in {**cat["dimensions"], **cat["metrics"]}.items():
        assert cols[name].remarks == description, name


@pytest.mark.parametrize("table", sorted(mimir_table_names() - {"metrics"}))
def test_sql_columns_of_source_tables(conn, table):
    check_columns(conn.cursor().columns(table=table, catalog="mimir").fetchall(), table)


def test_sql_columns_patterns(conn):
    """A column-name pattern (LIKE), a table pattern, and a table that does not exist."""
    cur = conn.cursor()
    rows = cur.columns(table="metrics", catalog="mimir", column="dim%").fetchall()
    want = [c[0] for c in LAYER.columns("metrics") if c[0].startswith("dim")]
    assert want and [r.column_name for r in rows] == want
    rows = cur.columns(table="r%", catalog="mimir").fetchall()
    tables = sorted(t for t in mimir_table_names() if t.startswith("r"))
    assert sorted({r.table_name for r in rows}) == tables
    assert len(rows) == sum(len(LAYER.columns(t)) for t in tables)
    assert cur.columns(table="nope", catalog="mimir").fetchall() == []


def test_error_then_next_query(conn, pg):
    with pytest.raises(pyodbc.Error) as excinfo:
        fetch(conn, "SELECT AGG(no_such_metric) FROM mimir.metrics")
    assert excinfo.value.args[0] == "42S22", excinfo.value.args
    assert "no_such_metric" in excinfo.value.args[1] and "(1054)" in excinfo.value.args[1]
    assert_same_values(fetch(conn, README_QUERY)[1], readme_expected(pg))


def test_tls_with_password(tls_server, odbc_driver, pg):
    """SSLCA and SSLVERIFY: TLS verifying the server's certificate; the server
    requires TLS and a password."""
    conn = pyodbc.connect(f"DRIVER={{{odbc_driver}}};SERVER=127.0.0.1;PORT={tls_server.port};"
                          f"DATABASE=mimir;UID={tls_server.user};PWD={tls_server.password};"
                          f"SSLCA={tls_server.tls_ca};SSLVERIFY=1;", timeout=10, autocommit=True)
    try:
        names, rows = fetch(conn, README_PARAM_QUERY, "Action")
        assert names == README_COLUMNS
        assert_same_values(rows, readme_expected(pg))
    finally:
        conn.close()
