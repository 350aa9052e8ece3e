"""MySQL/MariaDB sources (`flavour: mysql`): a real MariaDB server from
Debian's package (mariadb_server.py), loaded with part of Pagila copied row
by row from the session's PostgreSQL, and a semantic layer written here with
a source on each database.

  shop_payments (MariaDB)  payment JOIN staff LEFT JOIN store, time column
                           payment.payment_date; local columns customer_id,
                           staff_id, staff_store_id, staff_active, ...;
                           spliced dimensions dim_staff_name, dim_store_manager
  type_zoo (MariaDB)       one column of each MySQL type
  rentals (PostgreSQL)     configs/pagila's source, verbatim

customer_id and the time grains exist on both, so inquiries mixing metrics of
both sources are FULL JOINs across two kinds of database.

Every expected number is computed in the same run: single-source inquiries by
running the equivalent SQL directly on MariaDB, two-source ones by joining
what MariaDB and PostgreSQL answer directly (in Python: no database holds
both). The copy itself is checked against PostgreSQL.
"""

import json
import re
import socket
import subprocess
import threading
import time
from decimal import Decimal

import pymysql
import pytest
from pymysql.constants import FIELD_TYPE

from conftest import CLIENT_TIMEOUT, rss_kib, write_secrets
from mariadb_server import utc_naive
from mysql_wire import COM_QUERY, RawClient, ServerError
from support import assert_answers_select_1, assert_same_values, mysql_error, unordered
from test_protocol import run_stmt, stmt_client_bin  # noqa: F401 (fixtures)

SHOP_DB = "pagila_shop"
SHOP_USER = "mimir_reader"
SHOP_PASSWORD = "r3ader 'pw\" \\ ;"  # quotes and a backslash: passed as-is, never as SQL

SHOP_SQL = """SELECT
payment.payment_id,
payment.payment_date AS ts,
payment.customer_id,
payment.staff_id,
payment.amount,
staff.store_id AS staff_store_id,
staff.active AS staff_active,
staff.last_update AS staff_updated
FROM payment
JOIN staff ON staff.staff_id = payment.staff_id
LEFT JOIN store ON store.store_id = staff.store_id"""

# The dimensions spliced into shop_payments, as their SQL (MySQL dialect).
# Double quotes are strings there: Mimir's sessions run without ANSI_QUOTES.
SHOP_DIMENSIONS = {
    "dim_staff_name": 'CONCAT(staff.first_name, " ", staff.last_name)',
    "dim_store_manager": "store.manager_staff_id",
    "dim_backend_time_zone": "@@session.time_zone",
}

# metric -> aggregate over shop_payments' columns (valid on MariaDB as written)
SHOP_METRICS = {
    "shop_payments_count": "COUNT(payment_id)",
    "shop_revenue": "SUM(amount)",
    "shop_avg_amount": "AVG(amount)",
    "shop_customers": "COUNT(DISTINCT customer_id)",
    "shop_last_payment": "MAX(ts)",
    "shop_amount_stddev": "STDDEV_POP(amount)",
    "shop_staff_updated": "MAX(staff_updated)",
}

RENTALS_SQL = (
    "SELECT rental.rental_id, rental.rental_date as ts, rental.inventory_id, "
    "rental.customer_id, rental.return_date as return_ts, rental.staff_id, "
    "category.name as category_name, payment.amount as amount FROM rental "
    "JOIN inventory on rental.inventory_id = inventory.inventory_id "
    "JOIN film_category ON inventory.inventory_id = film_category.category_id "
    "JOIN category ON film_category.category_id = category.category_id "
    "LEFT JOIN payment payment on payment.rental_id = rental.rental_id")
RENTALS_METRICS = {"movies_rented": "COUNT(rental_id)", "rentals_revenue": "SUM(amount)"}


# --------------------------------------------------------------------------
# fixtures: the MariaDB copy of Pagila, the semantic layer, the server
# --------------------------------------------------------------------------

SHOP_TABLES = [
    """CREATE TABLE store (
         store_id INT PRIMARY KEY,
         manager_staff_id INT NOT NULL,
         address_id INT NOT NULL,
         last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)""",
    """CREATE TABLE staff (
         staff_id INT PRIMARY KEY,
         first_name VARCHAR(45) NOT NULL,
         last_name VARCHAR(45) NOT NULL,
         email VARCHAR(100),
         store_id INT NOT NULL,
         active BOOLEAN NOT NULL,
         username VARCHAR(40) NOT NULL,
         last_update TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))""",
    """CREATE TABLE payment (
         payment_id INT PRIMARY KEY,
         customer_id INT NOT NULL,
         staff_id INT NOT NULL,
         rental_id INT NOT NULL,
         amount DECIMAL(5,2) NOT NULL,
         payment_date DATETIME(6) NOT NULL,
         KEY (payment_date))""",
]

# One column of each MySQL type, with ordinary, extreme and NULL values.
TYPE_ZOO_TABLE = """CREATE TABLE type_zoo (
    id INT PRIMARY KEY, c_datetime DATETIME(3) NOT NULL, c_tinyint TINYINT, c_bool BOOLEAN,
    c_smallint_u SMALLINT UNSIGNED, c_mediumint MEDIUMINT, c_int_u INT UNSIGNED,
    c_bigint BIGINT, c_bigint_u BIGINT UNSIGNED, c_float FLOAT, c_double DOUBLE,
    c_decimal DECIMAL(10,4), c_date DATE, c_time TIME(3), c_timestamp TIMESTAMP(6) NULL,
    c_year YEAR, c_char CHAR(3), c_varchar VARCHAR(20), c_text TEXT, c_enum ENUM('a','b'),
    c_json JSON, c_blob BLOB, c_varbinary VARBINARY(8), c_bit BIT(8))"""

TYPE_ZOO_COLUMNS = ["id", "c_datetime", "c_tinyint", "c_bool", "c_smallint_u", "c_mediumint",
                    "c_int_u", "c_bigint", "c_bigint_u", "c_float", "c_double", "c_decimal",
                    "c_date", "c_time", "c_timestamp", "c_year", "c_char", "c_varchar",
                    "c_text", "c_enum", "c_json", "c_blob", "c_varbinary", "c_bit"]

TYPE_ZOO_ROWS = [
    (1, "2022-03-05 14:07:09.123", 7, 1, 65535, -8388608, 4294967295, -9223372036854775808,
     18446744073709551615, 0.1, 1.0000000000000002, Decimal("-123456.7890"), "2022-02-28",
     "-838:59:59.000", "2022-03-05 14:07:09.654321", 2022, "abc", "Ünïcødé ✓", "Ü" * 3000 + "!", "b",
     '{"a": [1, 2]}', b"\x00\xff\x01", b"\x01\x02", b"\xa5"),
    (2, "1999-12-31 23:59:59.999", -128, 0, 0, 8388607, 0, 9223372036854775807, 0, -3.5e-10,
     1e300, Decimal("0.0001"), "1000-01-01", "12:30:00.5", "1970-01-01 00:00:01", 1901, "",
     "'\";--", "", "a", "[]", b"", b"", b"\x00"),
    (3, "2022-01-01 00:00:00", None, None, None, None, None, None, None, None, None, None, None,
     None, None, None, None, None, None, None, None, None, None, None),
]

# How Mimir describes each column (PyMySQL's type codes); see docs/configuration.md.
TYPE_ZOO_WIRE = {
    "id": FIELD_TYPE.LONG, "c_datetime": FIELD_TYPE.DATETIME, "c_tinyint": FIELD_TYPE.SHORT,
    "c_bool": FIELD_TYPE.TINY, "c_smallint_u": FIELD_TYPE.LONG, "c_mediumint": FIELD_TYPE.LONG,
    "c_int_u": FIELD_TYPE.LONGLONG, "c_bigint": FIELD_TYPE.LONGLONG,
    "c_bigint_u": FIELD_TYPE.NEWDECIMAL, "c_float": FIELD_TYPE.FLOAT,
    "c_double": FIELD_TYPE.DOUBLE, "c_decimal": FIELD_TYPE.NEWDECIMAL,
    "c_date": FIELD_TYPE.DATE, "c_time": FIELD_TYPE.TIME, "c_timestamp": FIELD_TYPE.DATETIME,
    "c_year": FIELD_TYPE.SHORT, "c_char": FIELD_TYPE.VAR_STRING,
    "c_varchar": FIELD_TYPE.VAR_STRING, "c_text": FIELD_TYPE.VAR_STRING,
    "c_enum": FIELD_TYPE.VAR_STRING, "c_json": FIELD_TYPE.VAR_STRING,
    "c_blob": FIELD_TYPE.BLOB, "c_varbinary": FIELD_TYPE.BLOB, "c_bit": FIELD_TYPE.BLOB,
}

SHOP_COPIES = {
    # table: the PostgreSQL SELECT of its rows
    "store": "SELECT store_id, manager_staff_id, address_id, last_update FROM store",
    "staff": ("SELECT staff_id, first_name, last_name, email, store_id, active, username, "
              "last_update FROM staff"),
    "payment": ("SELECT payment_id, customer_id, staff_id, rental_id, amount, payment_date "
                "FROM payment"),
}


def load_shop(server, pg):
    """Creates pagila_shop on `server` with rows read from PostgreSQL, and the
    user Mimir connects as."""
    server.query(f"DROP DATABASE IF EXISTS {SHOP_DB}")
    server.query(f"CREATE DATABASE {SHOP_DB} CHARACTER SET utf8mb4")
    for ddl in SHOP_TABLES:
        server.query(ddl, database=SHOP_DB)
    for table, select in SHOP_COPIES.items():
        server.copy_from(pg, select, table, SHOP_DB)
    server.query(TYPE_ZOO_TABLE, database=SHOP_DB)
    server.executemany(f"INSERT INTO type_zoo VALUES ({', '.join(['%s'] * 24)})", TYPE_ZOO_ROWS,
                       database=SHOP_DB)
    server.create_user(SHOP_USER, SHOP_PASSWORD, SHOP_DB)


def yaml_str(text):
    return json.dumps(text)  # JSON strings are YAML flow scalars


def write_layer(directory, extra_sources=(), extra_metrics=()):
    """The test semantic layer: shop_payments on MariaDB, rentals on PostgreSQL."""
    directory.mkdir(parents=True, exist_ok=True)
    for sub in ("sources", "metrics", "dimensions"):
        (directory / sub).mkdir(exist_ok=True)
    (directory / "sources" / "sources.yaml").write_text(f"""
shop_payments:
  name: shop_payments
  description: Payments in the MariaDB copy of Pagila, with their staff and store.
  connection_name: pagila_shop
  time_col: payment.payment_date
  time_col_alias: ts
  sql: {yaml_str(SHOP_SQL)}
type_zoo:
  name: type_zoo
  description: One column of each MySQL type.
  connection_name: pagila_shop
  time_col: type_zoo.c_datetime
  sql: {yaml_str("SELECT " + ", ".join("type_zoo." + c for c in TYPE_ZOO_COLUMNS) +
                  " FROM type_zoo")}
rentals:
  name: rentals
  description: The Pagila example's rentals, on PostgreSQL.
  connection_name: pagila_postgres
  time_col: rental.rental_date
  time_col_alias: ts
  sql: {yaml_str(RENTALS_SQL)}
""" + "".join(extra_sources))
    docs = [f"name: {name}\nsource_name: shop_payments\nsql: {yaml_str(sql)}\n"
            for name, sql in SHOP_METRICS.items()]
    docs += [f"name: {name}\nsource_name: rentals\nsql: {yaml_str(sql)}\n"
             for name, sql in RENTALS_METRICS.items()]
    docs += list(extra_metrics)
    (directory / "metrics" / "metrics.yaml").write_text("---\n".join(docs))
    (directory / "dimensions" / "dimensions.yaml").write_text("---\n".join(
        f"name: {name}\nsource_name: shop_payments\nsql: {yaml_str(sql)}\n"
        for name, sql in SHOP_DIMENSIONS.items()))
    return directory


def write_shop_secrets(directory, server, pg_port, password=SHOP_PASSWORD):
    write_secrets(directory, pg_port)
    (directory / "pagila_shop.json").write_text(
        json.dumps(server.secret(SHOP_DB, SHOP_USER, password), indent=2) + "\n")
    return directory


@pytest.fixture(scope="session")
def shop(mariadb, pg):
    """The session's MariaDB with pagila_shop loaded."""
    load_shop(mariadb, pg)
    return mariadb


@pytest.fixture(scope="session")
def shop_layer(session_dir, shop, pg):
    """(configs, secrets) directories for the session's servers."""
    base = session_dir / "mysql-source"
    configs = write_layer(base / "configs")
    secrets = write_shop_secrets(base / "secrets", shop, pg.port)
    return configs, secrets


@pytest.fixture(scope="session")
def mimir_shop(request, session_dir, shop_layer):
    """bin/mimir serving the test layer (MariaDB + PostgreSQL)."""
    from conftest import MimirServer

    configs, secrets = shop_layer
    server = MimirServer(session_dir, configs=configs, secrets=secrets, name="mimir-mysql")

    def finish():
        server.stop()
        problem = server.exit_problem()
        if problem:
            pytest.fail(problem, pytrace=False)

    request.addfinalizer(finish)
    return server.start()


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

SHOP_FROM = f"FROM ({SHOP_SQL}) AS shop_payments"


def shop_source_sql(dims=()):
    """shop_payments with the spliced dimensions it needs, as Mimir wraps it."""
    spliced = "".join(f", {SHOP_DIMENSIONS[d]} AS {d}" for d in dims if d in SHOP_DIMENSIONS)
    return SHOP_SQL.replace("\nFROM payment", spliced + "\nFROM payment", 1)


def shop_expected(shop, select, where=None, group=None, order=None, limit=None, dims=(),
                  params=None):
    """Runs `SELECT <select> FROM (shop_payments) ...` directly on MariaDB."""
    sql = f"SELECT {select} FROM ({shop_source_sql(dims)}) AS shop_payments"
    if where:
        sql += f" WHERE {where}"
    if group:
        sql += f" GROUP BY {group}"
    if order:
        sql += f" ORDER BY {order}"
    if limit is not None:
        sql += f" LIMIT {limit}"
    return shop.query(sql, params, database=SHOP_DB)


def run(server, sql):
    """(column descriptions, rows) through PyMySQL."""
    conn = server.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.description, [tuple(r) for r in cur.fetchall()]
    finally:
        conn.close()


def wait_for(predicate, timeout=15, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return time.monotonic()
        time.sleep(step)
    raise AssertionError("condition not met in time")


def sql_string(text):
    """A MySQL string literal for text (the client's side of the test)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def cli_text(value):
    if value is None:
        return "NULL"
    return str(value)


def check(server, sql, want, ordered=False):
    """Through PyMySQL (typed values, exact decimals) and the mariadb CLI (text)."""
    _, got = run(server, sql)
    if ordered:
        assert_same_values(got, want)
    else:
        assert_same_values(unordered(got), unordered(want))
    cli = server.mariadb_cli(sql)
    want_text = [tuple(cli_text(v) for v in r) for r in want]
    assert (list(cli) if ordered else sorted(cli)) == (want_text if ordered else sorted(want_text))
    return got


def explain(server, sql):
    """EXPLAIN's rows as dicts: what Mimir sends to each backend."""
    desc, rows = run(server, "EXPLAIN " + sql)
    names = [d[0] for d in desc]
    return [dict(zip(names, r)) for r in rows]


# --------------------------------------------------------------------------
# the copy, and single-source inquiries on MariaDB
# --------------------------------------------------------------------------


def test_the_copy_matches_postgresql(shop, pg):
    """The MariaDB tables hold what PostgreSQL holds (so numbers stay comparable)."""
    mine = shop.query("SELECT COUNT(*), SUM(amount), MIN(payment_date), MAX(payment_date), "
                      "COUNT(DISTINCT customer_id) FROM payment", database=SHOP_DB)
    theirs = pg.query("SELECT COUNT(*), SUM(amount), MIN(payment_date), MAX(payment_date), "
                      "COUNT(DISTINCT customer_id) FROM payment")
    assert mine[0][0] == theirs[0][0] and mine[0][1] == theirs[0][1]
    assert mine[0][2] == utc_naive(theirs[0][2]) and mine[0][3] == utc_naive(theirs[0][3])
    assert mine[0][4] == theirs[0][4]


def test_readme_style_query(mimir_shop, shop):
    name = shop_expected(shop, "dim_staff_name", group="dim_staff_name", order="1", limit=1,
                         dims=["dim_staff_name"])[0][0]
    sql = (f"SELECT dim_staff_name, AGG(shop_payments_count), AGG(shop_revenue) "
           f"FROM mimir.metrics WHERE dim_staff_name = {sql_string(name)} GROUP BY dim_staff_name")
    want = shop_expected(shop, "dim_staff_name, COUNT(payment_id), SUM(amount)",
                         where="dim_staff_name = %s", group="dim_staff_name",
                         dims=["dim_staff_name"], params=(name,))
    assert len(want) == 1 and want[0][1] > 0
    check(mimir_shop, sql, want)


def describe_types(description):
    """(type code, decimals) per column of a PyMySQL description; MariaDB's
    TIMESTAMP is DATETIME in UTC through Mimir, as PostgreSQL's timestamptz is."""
    out = []
    for d in description:
        code = FIELD_TYPE.DATETIME if d[1] == FIELD_TYPE.TIMESTAMP else d[1]
        out.append((code, d[5] if code in (FIELD_TYPE.NEWDECIMAL, FIELD_TYPE.DATETIME) else None))
    return out


def direct(shop, sql, params=None):
    """(description, rows) of sql run on MariaDB as Mimir's user would, over TCP."""
    conn = pymysql.connect(host=shop.host, port=shop.port, user=SHOP_USER, password=SHOP_PASSWORD,
                           database=SHOP_DB, init_command="SET time_zone = '+00:00'",
                           connect_timeout=10)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.description, [tuple(r) for r in cur.fetchall()]
    finally:
        conn.close()


def test_metric_types_and_exact_values(mimir_shop, shop):
    """Each metric comes back with MariaDB's own type (decimal scale, DATETIME
    precision, BIGINT counts, DOUBLE) and exactly MariaDB's value."""
    metrics = list(SHOP_METRICS)
    sql = ("SELECT staff_id, staff_active, " + ", ".join(f"AGG({m}) AS {m}" for m in metrics) +
           " FROM mimir.metrics GROUP BY staff_id, staff_active")
    desc, got = run(mimir_shop, sql)
    want_desc, want = direct(shop, "SELECT staff_id, staff_active, " +
                             ", ".join(f"{e} AS {m}" for m, e in SHOP_METRICS.items()) +
                             f" {SHOP_FROM} GROUP BY staff_id, staff_active")
    assert len(want) >= 2
    assert_same_values(unordered(got), unordered(want))
    assert [d[0] for d in desc] == ["staff_id", "staff_active"] + metrics
    assert describe_types(desc) == describe_types(want_desc)
    by_name = {d[0]: d for d in desc}
    assert by_name["shop_revenue"][1] == FIELD_TYPE.NEWDECIMAL and by_name["shop_revenue"][5] == 2
    assert by_name["shop_payments_count"][1] == FIELD_TYPE.LONGLONG
    assert by_name["shop_last_payment"][1] == FIELD_TYPE.DATETIME
    assert by_name["shop_amount_stddev"][1] == FIELD_TYPE.DOUBLE
    assert by_name["staff_active"][1] == FIELD_TYPE.TINY  # BOOLEAN is TINYINT(1)
    assert all(isinstance(r[metrics.index("shop_revenue") + 2], Decimal) for r in got)


def normalized_column_type(text):
    """MariaDB's SHOW COLUMNS type as Mimir's catalog writes it: integer display
    widths dropped (but TINYINT(1), MySQL's BOOLEAN, kept), TIMESTAMP as DATETIME,
    and DOUBLE without the display digits MariaDB gives an aggregate's DOUBLE."""
    text = text.lower().replace("timestamp", "datetime")
    if text == "tinyint(1)":
        return text
    text = re.sub(r"^(double|float)\(\d+,\d+\)", r"\1", text)
    return re.sub(r"^(tinyint|smallint|mediumint|int|bigint)\(\d+\)", r"\1", text)


def test_catalog_types_come_from_mariadb(mimir_shop, shop):
    """The column types clients see in the catalog (SHOW COLUMNS, information_schema)
    are those MariaDB gives the same expressions: the type probe ran on MariaDB."""
    wait_for(lambda: "column types discovered" in mimir_shop.stderr(), timeout=15)
    _, rows = run(mimir_shop, "SHOW COLUMNS FROM mimir.shop_payments")
    got = {r[0]: r[1] for r in rows}
    view = "mimir_types_check"
    columns = ", ".join([f"{e} AS {m}" for m, e in SHOP_METRICS.items()] +
                        ["MAX(staff_active) AS staff_active_max"])
    shop.query(f"CREATE OR REPLACE VIEW {view} AS SELECT ts, payment_id, amount, staff_active, "
               f"dim_store_manager, {columns} "
               f"FROM ({shop_source_sql(['dim_store_manager'])}) AS shop_payments "
               f"GROUP BY ts, payment_id, amount, staff_active, dim_store_manager",
               database=SHOP_DB)
    try:
        want = {r[0]: normalized_column_type(r[1])
                for r in shop.query(f"SHOW COLUMNS FROM {view}", database=SHOP_DB)}
    finally:
        shop.query(f"DROP VIEW {view}", database=SHOP_DB)
    for name in ["ts", "payment_id", "amount", "staff_active", "dim_store_manager",
                 *SHOP_METRICS]:
        assert got[name] == want[name], name
    assert got["shop_revenue"] == "decimal(27,2)" and got["staff_active"] == "tinyint(1)"


def test_every_mysql_type(mimir_shop, shop):
    """Values of every MySQL type come through exactly as MariaDB sends them,
    described with the types listed in TYPE_ZOO_WIRE (decimals kept)."""
    columns = list(TYPE_ZOO_WIRE)
    cols = ", ".join(columns)
    desc, got = run(mimir_shop, f"SELECT {cols} FROM mimir.type_zoo GROUP BY {cols} ORDER BY id")
    want_desc, want = direct(shop, f"SELECT {cols} FROM type_zoo ORDER BY id")
    assert got == want
    assert {d[0]: d[1] for d in desc} == TYPE_ZOO_WIRE
    decimals = {d[0]: d[5] for d in desc}
    want_decimals = {d[0]: d[5] for d in want_desc}
    for name in ("c_decimal", "c_time", "c_datetime", "c_timestamp"):
        assert decimals[name] == want_decimals[name], name
    assert decimals["c_bigint_u"] == 0 and got[0][columns.index("c_bigint_u")] == 2**64 - 1
    # and as text, as the mariadb CLI prints them (blobs aside)
    texts = [c for c in columns if TYPE_ZOO_WIRE[c] != FIELD_TYPE.BLOB]
    sql = f"SELECT {', '.join(texts)} FROM mimir.type_zoo GROUP BY {', '.join(texts)} ORDER BY id"
    direct_cli = subprocess.run(
        ["mariadb", "--no-defaults", "-h", shop.host, "-P", str(shop.port), "-u", SHOP_USER,
         f"--password={SHOP_PASSWORD}", "--batch", "--raw", SHOP_DB, "-e",
         "SET time_zone = '+00:00'; " + f"SELECT {', '.join(texts)} FROM type_zoo ORDER BY id"],
        capture_output=True, text=True, timeout=CLIENT_TIMEOUT, check=True).stdout
    assert mimir_shop.mariadb_cli_run(sql).stdout == direct_cli


def test_timestamps_are_utc_like_postgresql(mimir_shop, pg):
    """MariaDB sessions run in UTC: a TIMESTAMP column reads back as the UTC
    time PostgreSQL holds for the same row."""
    _, got = run(mimir_shop, "SELECT staff_id, AGG(shop_staff_updated), AGG(shop_last_payment) "
                             "FROM mimir.metrics GROUP BY staff_id")
    want = pg.query("SELECT s.staff_id, max(s.last_update), max(p.payment_date) "
                    "FROM payment p JOIN staff s ON s.staff_id = p.staff_id GROUP BY s.staff_id")
    assert unordered(got) == unordered([tuple(utc_naive(v) for v in r) for r in want])


def test_backend_session_settings(mimir_shop):
    """time_zone +00:00 whatever the server's default, and "..." is a string."""
    _, got = run(mimir_shop, "SELECT dim_backend_time_zone, AGG(shop_payments_count) "
                             "FROM mimir.metrics GROUP BY 1")
    assert [r[0] for r in got] == ["+00:00"]


FILTERS = [
    "staff_id = 1",
    "customer_id IN (1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377)",
    "customer_id NOT IN (1, 2, 3) AND customer_id < 20",
    "customer_id BETWEEN 100 AND 120",
    "dim_staff_name LIKE 'M%'",
    "dim_staff_name NOT LIKE '%a%'",
    "dim_staff_name IN ('Mike Hillyer', 'Jon Stephens', 'nobody')",
    "amount > 5.5 OR customer_id = 7",
    "amount >= 2.5e0 AND customer_id > 12345678901 - 12345678800",
    "dim_store_manager IS NOT NULL AND staff_active = TRUE",
    # MySQL's literal syntax (test_literals.py): MariaDB reads the same WHERE
    "dim_staff_name = _binary'Mike Hillyer'",
    # a literal yields to the column's (case-insensitive) collation, binary or not
    "dim_staff_name = _binary'mike hillyer'",
    "dim_staff_name = X'6D696B652068696C6C796572'",
    # between literals a binary string compares byte by byte: 'A' is not _binary'a'
    "_binary'a' = 'A' OR staff_id = 2",
    "dim_staff_name = X'4D696B652048696C6C796572'",
    "dim_staff_name IN (0x4A6F6E2053746570686E73, N'nobody')",
    "staff_id = 0x01",
    "customer_id + 0 < b'1111'",
    "dim_staff_name COLLATE utf8mb4_bin IN ('Mike Hillyer  ', 'jon stephens')",
]


@pytest.mark.parametrize("where", FILTERS)
def test_filters(mimir_shop, shop, where):
    sql = (f"SELECT staff_id, AGG(shop_payments_count), AGG(shop_revenue) FROM mimir.metrics "
           f"WHERE {where} GROUP BY staff_id")
    want = shop_expected(shop, "staff_id, COUNT(payment_id), SUM(amount)", where=where,
                         group="staff_id", dims=["dim_staff_name", "dim_store_manager"])
    check(mimir_shop, sql, want)


def test_like_matches_what_mariadb_matches(mimir_shop, shop):
    """Names come from the data: LIKE with a prefix of a real name finds it."""
    names = [r[0] for r in shop_expected(shop, "DISTINCT dim_staff_name", dims=["dim_staff_name"])]
    prefix = names[0][:3]
    sql = (f"SELECT dim_staff_name, AGG(shop_customers) FROM mimir.metrics "
           f"WHERE dim_staff_name LIKE {sql_string(prefix + '%')} GROUP BY 1")
    want = shop_expected(shop, "dim_staff_name, COUNT(DISTINCT customer_id)",
                         where="dim_staff_name LIKE %s", group="1", dims=["dim_staff_name"],
                         params=(prefix + "%",))
    assert want
    check(mimir_shop, sql, want)


# --------------------------------------------------------------------------
# time grains and the time range, pushed into the source
# --------------------------------------------------------------------------


def test_month_grain_matches_postgresql(mimir_shop, pg):
    """year_month on MariaDB is the month's first day, as on PostgreSQL (same rows)."""
    _, got = run(mimir_shop, "SELECT year_month, AGG(shop_payments_count), AGG(shop_revenue) "
                             "FROM mimir.metrics GROUP BY year_month ORDER BY year_month")
    want = pg.query("SELECT CAST(date_trunc('month', payment_date) AS DATE), count(*), "
                    "sum(amount) FROM payment GROUP BY 1 ORDER BY 1")
    assert_same_values(got, want)


@pytest.mark.parametrize("grain, pg_expr", [
    ("ts_second", "CAST(date_trunc('second', payment_date) AS TIMESTAMP)"),
    ("ts_minute", "CAST(date_trunc('minute', payment_date) AS TIMESTAMP)"),
    ("ts_hour", "CAST(date_trunc('hour', payment_date) AS TIMESTAMP)"),
    ("week", "CAST(date_trunc('week', payment_date) AS DATE)"),
    ("quarter", "CAST(date_trunc('quarter', payment_date) AS DATE)"),
])
def test_new_grains_match_postgresql(mimir_shop, pg, grain, pg_expr):
    """The grains MariaDB computes with DATE_FORMAT, WEEKDAY and MAKEDATE give
    PostgreSQL's date_trunc periods (the same payments are on both)."""
    _, got = run(mimir_shop, f"SELECT {grain}, AGG(shop_payments_count), AGG(shop_revenue) "
                             f"FROM mimir.metrics GROUP BY 1 ORDER BY 1")
    want = pg.query(f"SELECT {pg_expr}, count(*), sum(amount) FROM payment GROUP BY 1 ORDER BY 1")
    assert want
    assert_same_values(got, want)


@pytest.mark.parametrize("grain, expr", [
    ("ds", "DATE(ts)"),
    ("year", "YEAR(ts)"),
    ("year_month", "DATE_SUB(DATE(ts), INTERVAL DAYOFMONTH(ts) - 1 DAY)"),
])
def test_time_grains(mimir_shop, shop, grain, expr):
    sql = f"SELECT {grain}, AGG(shop_revenue), AGG(shop_customers) FROM mimir.metrics GROUP BY 1"
    want = shop_expected(shop, f"{expr}, SUM(amount), COUNT(DISTINCT customer_id)", group="1")
    check(mimir_shop, sql, want)


def test_time_range_is_pushed_into_the_source(mimir_shop, shop):
    where = "ds BETWEEN '2022-03-01' AND '2022-03-31'"
    sql = f"SELECT ds, AGG(shop_payments_count) FROM mimir.metrics WHERE {where} GROUP BY ds"
    steps = explain(mimir_shop, sql)
    assert len(steps) == 1 and steps[0]["dialect"] == "mysql"
    inner = steps[0]["sql"].split(") AS `mimir_source`")[0]
    assert "payment.payment_date >= ?" in inner and "payment.payment_date < ?" in inner
    assert "2022-03-01" in steps[0]["parameters"] and "2022-04-01" in steps[0]["parameters"]
    assert "2022-03-01" not in steps[0]["sql"]
    want = shop_expected(shop, "DATE(ts), COUNT(payment_id)",
                         where="ts >= '2022-03-01' AND ts < '2022-04-01'", group="1")
    assert len(want) > 20
    check(mimir_shop, sql, want)


def test_order_by_and_limit_are_pushed_down(mimir_shop, shop):
    sql = ("SELECT customer_id, AGG(shop_revenue) FROM mimir.metrics GROUP BY customer_id "
           "ORDER BY 2 DESC, 1 LIMIT 7")
    steps = explain(mimir_shop, sql)
    assert len(steps) == 1  # no combine step: rows stream from MariaDB
    assert steps[0]["sql"].endswith("ORDER BY 2 DESC, 1 LIMIT 7 OFFSET 0")
    want = shop_expected(shop, "customer_id, SUM(amount)", group="customer_id",
                         order="2 DESC, 1", limit=7)
    check(mimir_shop, sql, want, ordered=True)


def test_a_large_result_streams(mimir_shop, shop):
    sql = "SELECT payment_id, AGG(shop_revenue) FROM mimir.metrics GROUP BY payment_id"
    want = shop_expected(shop, "payment_id, SUM(amount)", group="payment_id")
    assert len(want) > 10000
    _, got = run(mimir_shop, sql)
    assert_same_values(unordered(got), unordered(want))


# --------------------------------------------------------------------------
# MySQL functions, translated for MariaDB and checked against MariaDB itself
# --------------------------------------------------------------------------

# Client expressions over dimensions: Mimir prints each in MySQL's dialect with
# its literals as parameters; MariaDB runs the expression as the client wrote it.
EXPRESSIONS = [
    "DATE_FORMAT(ts, '%Y-%m')",
    "DATE_FORMAT(ts, '%Y-%m-%d %H:00')",
    "YEAR(ts)", "QUARTER(ts)", "MONTH(ts)", "DAY(ts)", "DAYOFMONTH(ts)", "HOUR(ts)",
    "DAYOFWEEK(ts)", "WEEK(ts)", "WEEK(ts, 0)", "EXTRACT(WEEK FROM ts)",
    "EXTRACT(QUARTER FROM ts)", "EXTRACT(MINUTE FROM ts)",
    "DATE(ts)", "CAST(ts AS DATE)", "TIMESTAMP(DATE(ts))",
    "DATE_ADD(DATE(ts), INTERVAL 1 DAY)", "DATE_SUB(DATE(ts), INTERVAL 2 MONTH)",
    "DATE(ts) + INTERVAL 1 QUARTER", "ADDDATE(DATE(ts), 3)",
    "TIMESTAMPDIFF(DAY, '2022-01-01', ts)", "TIMESTAMPDIFF(MONTH, '2022-01-01', ts)",
    "DATEDIFF(ts, '2022-01-01')",
    "STR_TO_DATE(DATE_FORMAT(ts, '%d/%m/%Y'), '%d/%m/%Y')",
    "CAST(customer_id AS CHAR)", "CAST(amount AS SIGNED)", "CAST(amount AS DECIMAL(6,1))",
    "CONCAT(dim_staff_name, '#', staff_id)", "SUBSTRING(dim_staff_name, 2, 3)",
    "UPPER(dim_staff_name)", "LOWER(dim_staff_name)", "LENGTH(dim_staff_name)",
    "CHAR_LENGTH(dim_staff_name)", "LOCATE('e', dim_staff_name)",
    "IF(amount > 5, 'big', 'small')", "IFNULL(NULLIF(staff_id, 1), 0)",
    "COALESCE(NULL, customer_id DIV 100)", "customer_id % 7", "customer_id DIV 50",
    "customer_id / 100", "ROUND(amount)", "ROUND(amount / 3, 2)", "TRUNCATE(amount / 3, 1)",
    "FLOOR(amount)", "CEIL(amount)", "ABS(amount - 5)", "GREATEST(amount, 2.5)",
    "LEAST(customer_id, 100)", "amount * 2 + 1", "-amount",
    "CASE WHEN amount < 1 THEN 'low' WHEN amount < 5 THEN 'mid' ELSE 'high' END",
    "amount BETWEEN 2 AND 4", "dim_staff_name LIKE '%e%'", "ISNULL(dim_store_manager)",
    "customer_id <=> 5",
]


@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_functions_run_on_mariadb_as_written(mimir_shop, shop, expr):
    desc, got = run(mimir_shop, f"SELECT {expr} AS k, AGG(shop_payments_count) "
                                f"FROM mimir.metrics GROUP BY k")
    want_desc, want = direct(shop, f"SELECT {expr} AS k, COUNT(payment_id) FROM "
                                   f"({shop_source_sql(['dim_staff_name', 'dim_store_manager'])})"
                                   f" AS shop_payments GROUP BY k")
    assert_same_values(unordered(got), unordered(want))
    assert describe_types(desc)[0] == describe_types(want_desc)[0]


# --------------------------------------------------------------------------
# one inquiry, two databases
# --------------------------------------------------------------------------


def full_join(left, right, nkeys):
    """FULL OUTER JOIN of two grouped results on their first nkeys columns."""
    lw = len(left[0]) - nkeys if left else 0
    rw = len(right[0]) - nkeys if right else 0
    lmap = {r[:nkeys]: r[nkeys:] for r in left}
    rmap = {r[:nkeys]: r[nkeys:] for r in right}
    return [k + lmap.get(k, (None,) * lw) + rmap.get(k, (None,) * rw)
            for k in set(lmap) | set(rmap)]


def rentals_expected(pg, select, group=None, where=None):
    sql = f"SELECT {select} FROM ({RENTALS_SQL}) AS rentals"
    if where:
        sql += f" WHERE {where}"
    if group:
        sql += f" GROUP BY {group}"
    return pg.query(sql)


def test_two_sources_full_join_on_customer(mimir_shop, shop, pg):
    sql = ("SELECT customer_id, AGG(movies_rented), AGG(shop_revenue), AGG(rentals_revenue) "
           "FROM mimir.metrics GROUP BY customer_id")
    steps = explain(mimir_shop, sql)
    assert [s["dialect"] for s in steps] == ["postgresql", "mysql", "sqlite"]
    pg_part = rentals_expected(pg, "customer_id, COUNT(rental_id), SUM(amount)", "customer_id")
    my_part = shop_expected(shop, "customer_id, SUM(amount)", group="customer_id")
    want = [(r[0], r[1], r[3], r[2]) for r in full_join(pg_part, my_part, 1)]
    assert any(r[1] is None for r in want) and any(r[1] is not None for r in want)
    check(mimir_shop, sql, want)


def test_two_sources_by_month(mimir_shop, shop, pg):
    sql = ("SELECT year_month, AGG(shop_payments_count), AGG(movies_rented) "
           "FROM mimir.metrics GROUP BY year_month ORDER BY year_month")
    my_part = shop_expected(shop, "DATE_SUB(DATE(ts), INTERVAL DAYOFMONTH(ts) - 1 DAY), "
                                  "COUNT(payment_id)", group="1")
    pg_part = rentals_expected(pg, "CAST(date_trunc('month', ts) AS DATE), COUNT(rental_id)",
                               "1")
    want = sorted(full_join(my_part, pg_part, 1))
    check(mimir_shop, sql, want, ordered=True)


def test_two_sources_filtered_without_dimensions(mimir_shop, shop, pg):
    where = "customer_id IN (1, 2, 3, 4, 5, 6, 7, 8, 9, 10) AND ds >= '2022-02-01'"
    sql = (f"SELECT AGG(shop_revenue), AGG(movies_rented), AGG(shop_customers) "
           f"FROM mimir.metrics WHERE {where}")
    inner = "customer_id IN (1, 2, 3, 4, 5, 6, 7, 8, 9, 10) AND ts >= '2022-02-01'"
    my_part = shop_expected(shop, "SUM(amount), COUNT(DISTINCT customer_id)", where=inner)
    pg_part = rentals_expected(pg, "COUNT(rental_id)", where=inner)
    want = [(my_part[0][0], pg_part[0][0], my_part[0][1])]
    check(mimir_shop, sql, want, ordered=True)


# --------------------------------------------------------------------------
# literals that try injection
# --------------------------------------------------------------------------

HOSTILE = [
    "' OR '1'='1",
    "x'; DROP TABLE payment; --",
    "\\' OR 1=1 -- ",
    "Mike Hillyer' UNION SELECT 1, 2 -- ",
    "\" OR \"\"=\"",
    "`; SELECT SLEEP(5); --",
    "%' OR 'a' LIKE '%",
    "Ö\\\\'\\0",
]


@pytest.mark.parametrize("literal", HOSTILE)
def test_hostile_literals_are_parameters(mimir_shop, shop, literal):
    lit = sql_string(literal)
    sql = (f"SELECT dim_staff_name, AGG(shop_payments_count) FROM mimir.metrics "
           f"WHERE dim_staff_name = {lit} OR dim_staff_name LIKE {lit} "
           f"OR dim_staff_name IN ({lit}, 'nobody') GROUP BY 1")
    want = shop_expected(shop, "dim_staff_name, COUNT(payment_id)",
                         where="dim_staff_name = %s OR dim_staff_name LIKE %s "
                               "OR dim_staff_name IN (%s, 'nobody')",
                         group="1", dims=["dim_staff_name"], params=(literal, literal, literal))
    check(mimir_shop, sql, want)
    assert shop.query("SELECT COUNT(*) FROM payment", database=SHOP_DB)[0][0] > 10000


def test_literals_never_reach_mariadb_as_sql_text(mimir_shop, shop):
    """In MariaDB's general log, Mimir's statements are prepared with `?` and
    the client's text only appears as the values of an execution."""
    marker = "zz'marker\\' OR 1=1 -- "
    shop.query("SET GLOBAL log_output = 'TABLE'")
    shop.query("TRUNCATE mysql.general_log")
    shop.query("SET GLOBAL general_log = 1")
    try:
        run(mimir_shop, f"SELECT dim_staff_name, AGG(shop_revenue) FROM mimir.metrics "
                        f"WHERE dim_staff_name = {sql_string(marker)} GROUP BY 1")
    finally:
        shop.query("SET GLOBAL general_log = 0")
    log = shop.query("SELECT command_type, CONVERT(argument USING utf8mb4) FROM mysql.general_log "
                     f"WHERE user_host LIKE '{SHOP_USER}%%'")
    prepared = [a for c, a in log if c == "Prepare"]
    executed = [a for c, a in log if c == "Execute"]
    assert prepared and executed
    assert all("zz" not in a and "marker" not in a for a in prepared)
    assert any("`dim_staff_name` = ?" in a for a in prepared)
    assert any("marker" in a for a in executed)  # the server's rendering of the parameter


# --------------------------------------------------------------------------
# a busy, slow, killed, failing or absent MariaDB
# --------------------------------------------------------------------------

SLOW_SOURCES = """
shop_slow:
  name: shop_slow
  description: One store behind a SLEEP, to hold a MariaDB connection busy.
  connection_name: pagila_shop
  time_col: store.last_update
  time_col_alias: ts
  sql: "SELECT store.store_id, store.last_update AS ts FROM store WHERE store.store_id = 1"
shop_big:
  name: shop_big
  description: A million generated rows (MariaDB's SEQUENCE engine), to stream.
  connection_name: pagila_shop
  time_col: seq.seq
  time_col_alias: n
  sql: "SELECT seq.seq AS n FROM seq_1_to_1000000 AS seq"
"""

SLOW_METRICS = ["name: shop_sleep\nsource_name: shop_slow\nsql: MAX(SLEEP(30))\n",
                "name: shop_big_count\nsource_name: shop_big\nsql: COUNT(n)\n"]

BROKEN_SOURCE = """
shop_broken:
  name: shop_broken
  description: Names a table MariaDB does not have.
  connection_name: pagila_shop
  time_col: t.ts
  sql: "SELECT t.id, t.ts FROM no_such_table AS t"
"""

BROKEN_METRIC = "name: shop_broken_count\nsource_name: shop_broken\nsql: COUNT(id)\n"


def sleeping(server):
    """Mimir's queries sleeping on MariaDB right now."""
    return server.query("SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                        "WHERE USER = %s AND INFO LIKE '%%SLEEP(%%'", (SHOP_USER,))[0][0]


def mimir_connections(server):
    return [r[0] for r in server.query("SELECT ID FROM information_schema.PROCESSLIST "
                                       "WHERE USER = %s", (SHOP_USER,))]


@pytest.fixture
def shop_server(mimir_factory, workdir, shop, pg):
    """A Mimir of its own on the session's MariaDB, with the slow sources:
    shop_server(server_limits={...}, broken=False) -> started MimirServer."""
    def make(limits=None, broken=False, mariadb=None, password=SHOP_PASSWORD):
        target = mariadb or shop
        configs = write_layer(workdir / "configs",
                              extra_sources=[SLOW_SOURCES] + ([BROKEN_SOURCE] if broken else []),
                              extra_metrics=SLOW_METRICS + ([BROKEN_METRIC] if broken else []))
        secrets = write_shop_secrets(workdir / "secrets", target, pg.port, password=password)
        args = []
        if limits:
            path = workdir / "server.yaml"
            path.write_text("limits:\n" + "".join(f"  {k}: {v}\n" for k, v in limits.items()))
            args = ["--server-config", str(path)]
        server = mimir_factory(configs=configs, secrets=secrets, name="mimir-mysql-runtime",
                               extra_args=args)
        return server.start()
    return make


def start_slow_query(server):
    client = RawClient(server.port).login()
    client.send(bytes([COM_QUERY]) + b"SELECT AGG(shop_sleep) FROM mimir.metrics")
    return client


def shop_count(server):
    _, rows = run(server, "SELECT AGG(shop_payments_count) FROM mimir.metrics")
    return rows[0][0]


def expected_count(shop):
    return shop.query("SELECT COUNT(*) FROM payment", database=SHOP_DB)[0][0]


def test_a_slow_mariadb_query_does_not_stall_others(shop_server, shop, pg):
    server = shop_server()
    client = start_slow_query(server)
    try:
        wait_for(lambda: sleeping(shop) == 1)
        started = time.monotonic()
        assert shop_count(server) == expected_count(shop)
        _, rows = run(server, "SELECT AGG(movies_rented) FROM mimir.metrics")
        assert rows == pg.query(f"SELECT COUNT(rental_id) FROM ({RENTALS_SQL}) AS r")
        assert time.monotonic() - started < 5
    finally:
        client.close()
    wait_for(lambda: sleeping(shop) == 0, timeout=5)


def test_kill_query_cancels_it_on_mariadb(shop_server, shop):
    server = shop_server()
    client = start_slow_query(server)
    killer = server.connect()
    try:
        wait_for(lambda: sleeping(shop) == 1)
        backends = mimir_connections(shop)
        with killer.cursor() as cur:
            cur.execute(f"KILL QUERY {client.connection_id}")
        with pytest.raises(ServerError) as excinfo:
            client.read_result()
        assert excinfo.value.args[0] == 1317 or "1317" in str(excinfo.value)
        wait_for(lambda: sleeping(shop) == 0, timeout=5)
        # The killed session goes on, and MariaDB's connection was kept for reuse.
        assert client.select_one("SELECT 1") == ("1",)
        assert shop_count(server) == expected_count(shop)
        assert set(backends) <= set(mimir_connections(shop))
    finally:
        killer.close()
        client.close()


def test_client_disconnect_cancels_the_mariadb_query(shop_server, shop):
    server = shop_server()
    client = start_slow_query(server)
    wait_for(lambda: sleeping(shop) == 1)
    client.sock.close()
    gone = time.monotonic()
    done = wait_for(lambda: sleeping(shop) == 0, timeout=5)
    assert done - gone < 3.0
    assert shop_count(server) == expected_count(shop)


def test_time_limit_cancels_the_mariadb_query(shop_server, shop):
    server = shop_server()
    conn = server.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SET max_execution_time = 1000")
            started = time.monotonic()
            with pytest.raises(pymysql.err.MySQLError) as excinfo:
                cur.execute("SELECT AGG(shop_sleep) FROM mimir.metrics")
            code, message = mysql_error(excinfo)
            assert code == 3024 and "maximum statement execution time" in message
            assert time.monotonic() - started < 5
        wait_for(lambda: sleeping(shop) == 0, timeout=5)
        assert_answers_select_1(conn)
    finally:
        conn.close()


def test_backend_connection_killed_mid_query(shop_server, shop):
    """MariaDB drops Mimir's connection while it runs a query: the client gets
    1105 with what libmariadb said, and the next query gets a new connection."""
    server = shop_server()
    conn = server.connect()
    try:
        outcome = {}

        def slow():
            try:
                with conn.cursor() as cur:
                    cur.execute("SELECT AGG(shop_sleep) FROM mimir.metrics")
            except pymysql.err.MySQLError as e:
                outcome["error"] = e.args

        t = threading.Thread(target=slow)
        t.start()
        wait_for(lambda: sleeping(shop) == 1)
        for pid in shop.query("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = %s "
                              "AND INFO LIKE '%%SLEEP(%%'", (SHOP_USER,)):
            shop.query(f"KILL CONNECTION {pid[0]}")
        t.join(CLIENT_TIMEOUT)
        code, message = outcome["error"]
        assert code == 1105
        assert "backend 'pagila_shop' (source 'shop_slow')" in message
        assert "Lost connection" in message or "Connection was killed" in message
        assert_answers_select_1(conn)
        assert shop_count(server) == expected_count(shop)
    finally:
        conn.close()


def test_idle_connections_closed_by_mariadb_are_dropped(shop_server, shop):
    server = shop_server()
    assert shop_count(server) == expected_count(shop)
    for pid in mimir_connections(shop):
        shop.query(f"KILL CONNECTION {pid}")
    wait_for(lambda: "idle connection closed by the server" in server.stderr(), timeout=5)
    assert shop_count(server) == expected_count(shop)


def mariadb_cli_error(server, sql, user=SHOP_USER, password=SHOP_PASSWORD):
    """What the mariadb CLI (libmariadb, like Mimir) prints for sql on server."""
    proc = subprocess.run(["mariadb", "--no-defaults", "-h", server.host, "-P", str(server.port),
                           "-u", user, f"--password={password}", "--connect-timeout=5",
                           SHOP_DB, "-e", sql],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    return proc.stderr.strip()


def test_backend_down_then_back(shop_server, mariadb_factory, pg):
    extra = mariadb_factory()
    load_shop(extra, pg)
    server = shop_server(mariadb=extra)
    want = expected_count(extra)
    assert shop_count(server) == want
    conn = server.connect()
    try:
        extra.stop()
        with pytest.raises(pymysql.err.MySQLError) as excinfo:
            with conn.cursor() as cur:
                cur.execute("SELECT AGG(shop_payments_count) FROM mimir.metrics")
        code, message = mysql_error(excinfo)
        assert code == 1105
        assert "backend 'pagila_shop' (source 'shop_payments')" in message
        # What libmariadb says, less the system error number (the CLI's blocking
        # connect reports EINPROGRESS's, Mimir's non-blocking one ECONNREFUSED's).
        cli = mariadb_cli_error(extra, "SELECT 1").rsplit(" (", 1)[0]
        assert cli.startswith("ERROR 2002 (HY000): Can't connect to server on")
        assert f"could not connect to 'pagila_shop': {cli}" in message, (cli, message)
        # The session goes on, and PostgreSQL sources still answer.
        assert_answers_select_1(conn)
        with conn.cursor() as cur:
            cur.execute("SELECT AGG(movies_rented) FROM mimir.metrics")
            assert [tuple(r) for r in cur.fetchall()] == pg.query(
                f"SELECT COUNT(rental_id) FROM ({RENTALS_SQL}) AS r")
        extra.start()  # the same port
        with conn.cursor() as cur:
            cur.execute("SELECT AGG(shop_payments_count) FROM mimir.metrics")
            assert cur.fetchall()[0][0] == want
    finally:
        conn.close()


def test_wrong_password_is_mariadbs_message(shop_server, shop):
    server = shop_server(password="not the password")
    cli = mariadb_cli_error(shop, "SELECT 1", password="not the password")
    assert cli.startswith("ERROR 1045 (28000): Access denied for user 'mimir_reader'")
    conn = server.connect()
    try:
        with pytest.raises(pymysql.err.MySQLError) as excinfo:
            with conn.cursor() as cur:
                cur.execute("SELECT AGG(shop_revenue) FROM mimir.metrics")
        code, message = mysql_error(excinfo)
        assert code == 1105
        assert f"could not connect to 'pagila_shop': {cli}" in message
        assert "not the password" not in message
        assert_answers_select_1(conn)
    finally:
        conn.close()


def test_query_error_is_mariadbs_message(shop_server, shop):
    server = shop_server(broken=True)
    with pytest.raises(pymysql.err.MySQLError) as direct_error:
        direct(shop, "SELECT t.id, t.ts FROM no_such_table AS t")
    errno, text = mysql_error(direct_error)
    assert errno == 1146
    conn = server.connect()
    try:
        with pytest.raises(pymysql.err.MySQLError) as excinfo:
            with conn.cursor() as cur:
                cur.execute("SELECT AGG(shop_broken_count) FROM mimir.metrics")
        code, message = mysql_error(excinfo)
        assert code == 1105
        assert message == (f"backend 'pagila_shop' (source 'shop_broken'): "
                           f"ERROR 1146 (42S02): {text}")
        # The connection that failed is fine: the next query on MariaDB works.
        assert_answers_select_1(conn)
        with conn.cursor() as cur:
            cur.execute("SELECT AGG(shop_payments_count) FROM mimir.metrics")
            assert cur.fetchall()[0][0] == expected_count(shop)
    finally:
        conn.close()



def test_streaming_to_a_slow_reader_stays_small(shop_server):
    """Rows from MariaDB reach a slow client without Mimir buffering them:
    a paused delivery stops fetching, and MariaDB waits."""
    server = shop_server()
    client = RawClient(server.port).login()
    client.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    client.send(bytes([COM_QUERY]) + b"SELECT n FROM mimir.shop_big GROUP BY n")
    peak = rss_kib(server.proc.pid)
    for _ in range(200):
        client.read_packet()
        time.sleep(0.005)
    time.sleep(1)
    peak = max(peak, rss_kib(server.proc.pid))
    rows, last = 0, None
    while True:
        _, p = client.read_packet()
        if p[:1] == b"\xfe" and len(p) <= 9:
            break
        if p[:1] == b"\xff":
            raise AssertionError(p)
        rows += 1
        last = p
        if rows % 100000 == 0:
            peak = max(peak, rss_kib(server.proc.pid))
    assert rows >= 1000000 - 200 and last[1:] == b"1000000"
    assert peak < 64 * 1024, f"peak RSS {peak} KiB"
    client.close()


def test_week_is_mode_0_whatever_the_servers_default(shop_server, shop):
    """WEEK(d) means MySQL's default mode 0, as Mimir's own session says; a
    MariaDB configured with another default_week_format must not change it."""
    shop.query("SET GLOBAL default_week_format = 3")
    try:
        server = shop_server()  # its connections start with the changed default
        _, got = run(server, "SELECT WEEK(ts) AS w, AGG(shop_payments_count) FROM mimir.metrics "
                             "GROUP BY w")
        assert shop.query("SELECT WEEK('2022-01-03')")[0][0] == 1  # mode 0 for this session
        want = shop_expected(shop, "WEEK(ts, 0), COUNT(payment_id)", group="1")
        iso = shop_expected(shop, "WEEK(ts, 3), COUNT(payment_id)", group="1")
        assert unordered(want) != unordered(iso)
        assert unordered(got) == unordered(want)
    finally:
        shop.query("SET GLOBAL default_week_format = 0")


# --------------------------------------------------------------------------
# prepared statements from clients, and many clients at once
# --------------------------------------------------------------------------


def test_client_prepared_statement_on_mariadb(mimir_shop, shop, run_stmt):
    """A client's prepared statement (libmariadb, binary protocol): its bound
    values reach MariaDB as parameters of Mimir's own prepared statement. The
    same client runs the equivalent statement on MariaDB directly."""
    params = ["i:150", "dt:2022-03-01 00:00:00", "s:x' OR '1'='1"]
    got = run_stmt(mimir_shop, "SELECT staff_id, AGG(shop_revenue), AGG(shop_payments_count) "
                               "FROM mimir.metrics WHERE customer_id < ? AND ts >= ? "
                               "AND dim_staff_name <> ? GROUP BY staff_id ORDER BY staff_id",
                   *params)
    mariadb = type("Target", (), {"port": shop.port})
    want = run_stmt(mariadb, f"SELECT staff_id, SUM(amount), COUNT(payment_id) FROM "
                             f"({shop_source_sql(['dim_staff_name'])}) AS s WHERE customer_id < ? "
                             f"AND ts >= ? AND dim_staff_name <> ? GROUP BY staff_id "
                             f"ORDER BY staff_id", *params,
                    user=SHOP_USER, password=SHOP_PASSWORD, database=SHOP_DB)
    assert got.rows == want.rows and len(got.rows[0]) == 2
    assert ([(c["type"], c["decimals"]) for c in got.columns[0]] ==
            [(c["type"], c["decimals"]) for c in want.columns[0]])


def test_many_clients_at_once(mimir_shop, shop, pg):
    """More concurrent queries than the pool has connections, on both databases."""
    my_want = unordered(shop_expected(shop, "staff_id, SUM(amount)", group="staff_id"))
    pg_want = pg.query(f"SELECT COUNT(rental_id) FROM ({RENTALS_SQL}) AS r")
    errors, results = [], []

    def client(i):
        try:
            for _ in range(3):
                if i % 3 == 2:
                    _, rows = run(mimir_shop, "SELECT AGG(movies_rented) FROM mimir.metrics")
                    results.append(rows == pg_want)
                else:
                    _, rows = run(mimir_shop, "SELECT staff_id, AGG(shop_revenue) "
                                              "FROM mimir.metrics GROUP BY staff_id")
                    results.append(unordered(rows) == my_want)
        except Exception as e:  # reported below, on the test's thread
            errors.append(e)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(CLIENT_TIMEOUT)
    assert not errors, errors
    assert len(results) == 72 and all(results)


# --------------------------------------------------------------------------
# prepared statements: the columns COM_STMT_PREPARE announces
# --------------------------------------------------------------------------


@pytest.mark.parametrize("sql, value", [
    ("SELECT staff_id, staff_active, dim_staff_name, " +
     ", ".join(f"AGG({m})" for m in SHOP_METRICS) +
     " FROM mimir.shop_payments WHERE staff_id = ? GROUP BY 1, 2, 3", (b"1", b"99")),
    ("SELECT ts, ds, week, year_month, quarter, year, ts_second, ts_minute, ts_hour, "
     "AGG(shop_revenue) FROM mimir.shop_payments WHERE staff_id = ? "
     "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9 LIMIT 5", (b"1", b"99")),
    ("SELECT " + ", ".join(c for c in TYPE_ZOO_COLUMNS if c not in ("c_json", "c_blob")) +
     " FROM mimir.type_zoo WHERE id = ? GROUP BY " +
     ", ".join(c for c in TYPE_ZOO_COLUMNS if c not in ("c_json", "c_blob")), (b"1", b"99")),
    # MariaDB and PostgreSQL combined.
    ("SELECT customer_id, AGG(shop_revenue), AGG(movies_rented) FROM mimir.metrics "
     "WHERE customer_id = ? GROUP BY customer_id", (b"1", b"99999")),
], ids=["metrics", "grains", "type_zoo", "two_databases"])
def test_prepared_columns_are_the_executed_columns(mimir_shop, sql, value):
    """What COM_STMT_PREPARE announces for a query on MariaDB (types from
    MariaDB's own description of the source) is what the execute returns,
    with rows and without (lengths aside: see test_protocol.py)."""
    wait_for(lambda: "column types discovered" in mimir_shop.stderr(), timeout=15)
    client = RawClient(mimir_shop.port).login()
    try:
        prepared = client.prepare_full(sql)
        assert prepared.columns, "the prepare announced no columns"
        for v in value:
            block = RawClient.params_block([(253, bytes([len(v)]) + v)])
            result = client.execute(prepared.stmt_id, block)
            got = [{k: x for k, x in d.items() if k != "length"} for d in result.definitions]
            want = [{k: x for k, x in d.items() if k != "length"} for d in prepared.columns]
            assert got == want, v
    finally:
        client.close()
