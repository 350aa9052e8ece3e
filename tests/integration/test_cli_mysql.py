"""The command line on a MySQL/MariaDB source (the session's MariaDB server,
mariadb_server.py): validate runs every definition on MariaDB with LIMIT 0 and
reports MariaDB's own errors at the definition; query runs locally through
the server's MySQL connector and agrees with MariaDB queried directly;
--dry-run shows MySQL-dialect SQL with its parameters."""

import csv
import io
import json
from decimal import Decimal

import pytest

from test_cli import cli

DB = "cli_orders"
USER = "cli_reader"
PASSWORD = "cli-reader-pw"

SOURCES = """\
orders:
  name: orders
  connection_name: orders_mysql
  time_col: orders.ordered_at
  time_col_alias: ts
  sql: |
    SELECT orders.order_id, orders.ordered_at AS ts, orders.city, orders.amount
    FROM orders
"""

METRICS = """\
---
name: orders_count
source_name: orders
sql: COUNT(order_id)
---
name: revenue
source_name: orders
sql: SUM(amount)
"""

DIMENSIONS = """\
name: dim_big
source_name: orders
sql: CASE WHEN orders.amount >= 10 THEN 'big' ELSE 'small' END
"""

ROWS = [(1, "2024-01-05 10:00:00", "Lyon", Decimal("12.50")),
        (2, "2024-01-06 11:30:00", "Lyon", Decimal("3.25")),
        (3, "2024-02-01 09:15:00", "Paris", Decimal("40.00")),
        (4, "2024-02-03 18:45:00", "Paris", Decimal("7.75")),
        (5, "2024-02-10 12:00:00", "Nice", Decimal("19.99"))]


@pytest.fixture(scope="module")
def orders_db(mariadb):
    mariadb.query(f"DROP DATABASE IF EXISTS {DB}")
    mariadb.query(f"CREATE DATABASE {DB} CHARACTER SET utf8mb4")
    mariadb.query("CREATE TABLE orders (order_id INT PRIMARY KEY, ordered_at DATETIME NOT NULL, "
                  "city VARCHAR(40) NOT NULL, amount DECIMAL(8,2) NOT NULL)", database=DB)
    mariadb.executemany("INSERT INTO orders VALUES (%s, %s, %s, %s)", ROWS, database=DB)
    mariadb.create_user(USER, PASSWORD, DB)
    return mariadb


def project(root, server, sources=SOURCES, metrics=METRICS, dimensions=DIMENSIONS):
    for rel, text in (("sources/s.yaml", sources), ("metrics/m.yaml", metrics),
                      ("dimensions/d.yaml", dimensions)):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (root / "secrets").mkdir(exist_ok=True)
    secret = server.secret(DB, USER, "${CLI_MYSQL_PASSWORD}")
    (root / "secrets" / "orders_mysql.json").write_text(json.dumps(secret) + "\n")
    return root


ENV = {"CLI_MYSQL_PASSWORD": PASSWORD}


def test_validate_mysql_source(workdir, orders_db):
    root = project(workdir / "ok", orders_db)
    proc = cli("validate", "--configs", root, env=ENV, check_status=0)
    assert proc.stdout == "1 source, 2 metrics, 1 dimension: valid\n"


def test_validate_reports_mariadb_errors_at_the_definition(workdir, orders_db):
    root = project(workdir / "bad", orders_db,
                   metrics=METRICS + "---\nname: refunds\nsource_name: orders\n"
                                     "sql: SUM(refund)\n",
                   dimensions=DIMENSIONS.replace("orders.amount", "orders.total"))
    proc = cli("validate", "--configs", root, env=ENV, check_status=1)
    # MariaDB's own words (the clause it names after "in" varies between versions).
    lines = proc.stdout.splitlines()
    assert len(lines) == 2, proc.stdout
    assert lines[0].startswith(
        f"{root}/dimensions/d.yaml:1:1: dimension 'dim_big' on source 'orders': the database "
        "says: Unknown column 'orders.total' in ")
    assert lines[1].startswith(
        f"{root}/metrics/m.yaml:10:1: metric 'refunds': the database says: Unknown column "
        "'refund' in ")
    proc = cli("validate", "--configs", root, env={"CLI_MYSQL_PASSWORD": "wrong"},
               check_status=1)
    assert proc.stdout.startswith(f"{root}/sources/s.yaml:1:1: source 'orders': cannot "
                                  "connect to 'orders_mysql'")
    assert "Access denied" in proc.stdout


def test_query_mysql_source_matches_mariadb(workdir, orders_db):
    root = project(workdir / "q", orders_db)
    proc = cli("query", "--configs", root, "-m", "orders_count,revenue", "-d", "city",
               "-g", "MONTH", "--format", "csv", env=ENV, check_status=0)
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    assert rows[0] == ["city", "year_month", "orders_count", "revenue"]
    want = orders_db.query(
        "SELECT city, DATE_FORMAT(ordered_at, '%Y-%m-01'), COUNT(order_id), SUM(amount) "
        "FROM orders GROUP BY 1, 2 ORDER BY 1, 2", database=DB)
    assert [tuple(r) for r in rows[1:]] == [tuple(str(v) for v in r) for r in want]


def test_dry_run_mysql_dialect(workdir, orders_db):
    root = project(workdir / "d", orders_db)
    proc = cli("query", "--configs", root, "-m", "revenue", "-f", "city = 'Lyon'",
               "--dry-run", env=ENV, check_status=0)
    assert "-- step 1: source orders, on connection orders_mysql (mysql)" in proc.stdout
    assert "-- parameters: ['Lyon']" in proc.stdout
    assert "`city` = ?" in proc.stdout
