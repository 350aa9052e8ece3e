"""`mimir discover`: a starter semantic layer written from a database's catalog.

On each kind of database the tests already have (the session's PostgreSQL with
generated Pagila, whose payment table is partitioned by month; a MariaDB copy
of part of Pagila, given its foreign keys here; the demo's SQLite file) the
generated layer must pass `mimir validate` against the database and answer a
local `mimir query`, and every number it answers is compared with hand-written
SQL run directly on that database in the same test. Then what discover must
refuse: an --out that is a file or not empty (nothing written), an unknown
connection, a wrong password, a database that does not answer.
"""

import json
import os
import sqlite3
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import DEMO_CONFIGS, MIMIR_BIN, free_port, start_layer_server, write_secrets
from test_cli import cli


def discover(connection, secrets, out, *extra, check_status=0):
    return cli("discover", "--connection", connection, "--secrets", secrets, "--out", out,
               *extra, check_status=check_status)


def layer_files(out):
    return sorted(str(p.relative_to(out)) for p in Path(out).rglob("*") if p.is_file())


def validate(out, secrets):
    proc = cli("validate", "--configs", out, "--secrets", secrets, check_status=0)
    assert proc.stdout.strip().endswith(": valid"), proc.stdout


def query(out, secrets, metrics, dims=()):
    """A local `mimir query`: rows as dicts, numbers as Decimal."""
    args = ["query", "--configs", out, "--secrets", secrets, "--format", "json"]
    for m in metrics:
        args += ["-m", m]
    for d in dims:
        args += ["-d", d]
    proc = cli(*args, check_status=0)
    return json.loads(proc.stdout, parse_float=Decimal)


def as_map(rows, key, values):
    """{key value: (value, ...)} with numbers as Decimal, for comparison."""
    return {r[key]: tuple(Decimal(str(r[v])) if r[v] is not None else None for v in values)
            for r in rows}


def direct_map(rows):
    return {r[0]: tuple(Decimal(str(v)) if v is not None else None for v in r[1:]) for r in rows}


def source_sql(out, name):
    return (Path(out) / "sources" / f"{name}.yaml").read_text()


# --------------------------------------------------------------------------
# SQLite: the demo's file
# --------------------------------------------------------------------------

DEMO_SECRETS = Path(DEMO_CONFIGS) / "secrets"
DEMO_DB = Path(DEMO_CONFIGS) / "demo.db"


def test_sqlite_demo_layer_validates_and_answers(workdir):
    out = Path(workdir) / "layer"
    proc = discover("demo_sqlite", DEMO_SECRETS, out)
    assert "wrote 2 sources" in proc.stdout, proc.stdout
    assert layer_files(out) == ["dimensions/orders.yaml", "dimensions/visits.yaml",
                                "metrics/orders.yaml", "metrics/visits.yaml",
                                "sources/orders.yaml", "sources/visits.yaml"]
    validate(out, DEMO_SECRETS)

    db = sqlite3.connect(DEMO_DB)
    try:
        want = direct_map(db.execute(
            "SELECT s.region, COUNT(*), SUM(o.amount), SUM(o.quantity) FROM orders o "
            "JOIN stores s ON s.store_id = o.store_id GROUP BY s.region").fetchall())
        got = query(out, DEMO_SECRETS, ["orders_count", "orders_amount_sum",
                                        "orders_quantity_sum"], ["dim_stores_region"])
        assert as_map(got, "dim_stores_region",
                      ["orders_count", "orders_amount_sum", "orders_quantity_sum"]) == want
        # a dimension of the fact table itself, and one visits shares with orders
        want = {tuple(r[:2]): r[2] for r in db.execute(
            "SELECT v.channel, s.city, COUNT(*) FROM visits v "
            "JOIN stores s ON s.store_id = v.store_id GROUP BY 1, 2").fetchall()}
        got = query(out, DEMO_SECRETS, ["visits_count"], ["dim_visits_channel", "dim_stores_city"])
        assert {(r["dim_visits_channel"], r["dim_stores_city"]): r["visits_count"]
                for r in got} == want
        # the time column: ordered_at holds dates in a text column
        assert "ordered_at" in source_sql(out, "orders")
        (total,) = db.execute("SELECT COUNT(*) FROM orders").fetchone()
        assert query(out, DEMO_SECRETS, ["orders_count"])[0]["orders_count"] == total
    finally:
        db.close()


# --------------------------------------------------------------------------
# PostgreSQL: the session's Pagila (payment is partitioned by month)
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_layer(pg, session_dir, tmp_path_factory):
    secrets = write_secrets(tmp_path_factory.mktemp("discover-pg-secrets"), pg.port)
    out = tmp_path_factory.mktemp("discover-pg") / "layer"
    proc = discover("pagila_postgres", secrets, out)
    return out, secrets, proc


def test_pagila_layer_validates(pg_layer):
    out, secrets, proc = pg_layer
    validate(out, secrets)


def test_pagila_facts_and_partitions(pg_layer, pg):
    out, _, proc = pg_layer
    sources = sorted(p.stem for p in (out / "sources").iterdir())
    assert sources == ["customer", "payment", "rental"], (sources, proc.stdout)
    partitions = [r[0] for r in pg.query(
        "SELECT c.relname FROM pg_class c WHERE c.relispartition")]
    assert partitions, "the fixture's payment table is partitioned"
    everything = "".join(p.read_text() for p in out.rglob("*.yaml"))
    for name in partitions:
        assert name not in everything
    assert '"public"."payment" AS "payment"' in source_sql(out, "payment")


def test_pagila_one_to_many_is_not_joined(pg_layer, pg):
    out, secrets, _ = pg_layer
    rental = source_sql(out, "rental")
    assert '"public"."payment"' not in rental  # payment -> rental is one-to-many from rental
    assert 'LEFT JOIN "public"."customer" AS "customer"' in rental
    for fact in ("rental", "payment"):
        (want,) = pg.query(f"SELECT COUNT(*) FROM {fact}")[0]
        got = query(out, secrets, [f"{fact}_count"])
        assert got[0][f"{fact}_count"] == want


def test_pagila_layer_answers_with_the_right_numbers(pg_layer, pg):
    out, secrets, _ = pg_layer
    want = direct_map(pg.query(
        "SELECT c.first_name, COUNT(r.rental_id) FROM rental r "
        "LEFT JOIN customer c ON c.customer_id = r.customer_id GROUP BY 1"))
    got = query(out, secrets, ["rental_count"], ["dim_customer_first_name"])
    assert as_map(got, "dim_customer_first_name", ["rental_count"]) == want

    want = direct_map(pg.query(
        "SELECT st.first_name, COUNT(p.payment_id), SUM(p.amount) FROM payment p "
        "LEFT JOIN staff st ON st.staff_id = p.staff_id GROUP BY 1"))
    got = query(out, secrets, ["payment_count", "payment_amount_sum"], ["dim_staff_first_name"])
    assert as_map(got, "dim_staff_first_name", ["payment_count", "payment_amount_sum"]) == want

    # two steps away: the category... of the film of the inventory item (rental -> inventory -> film)
    want = direct_map(pg.query(
        "SELECT f.rating::text, COUNT(*) FROM rental r "
        "JOIN inventory i ON i.inventory_id = r.inventory_id "
        "JOIN film f ON f.film_id = i.film_id GROUP BY 1"))
    got = query(out, secrets, ["rental_count"], ["dim_inventory_film_rating"])
    assert as_map(got, "dim_inventory_film_rating", ["rental_count"]) == want


def test_pagila_layer_is_served(pg_layer, pg, request, session_dir):
    out, secrets, _ = pg_layer
    server = start_layer_server(request, session_dir, "mimir-discover", out, secrets)
    names, rows = server.query(
        "SELECT dim_inventory_film_rating, AGG(rental_count) AS rental_count FROM mimir.metrics "
        "GROUP BY dim_inventory_film_rating")
    assert names == ["dim_inventory_film_rating", "rental_count"]
    want = direct_map(pg.query(
        "SELECT f.rating::text, COUNT(*) FROM rental r "
        "JOIN inventory i ON i.inventory_id = r.inventory_id "
        "JOIN film f ON f.film_id = i.film_id GROUP BY 1"))
    assert direct_map(rows) == want


def test_pagila_tables_the_user_cannot_read_are_left_out(pg, workdir):
    pg.query("DROP ROLE IF EXISTS discover_limited")
    pg.query("CREATE ROLE discover_limited LOGIN")
    pg.query("GRANT SELECT ON rental, customer TO discover_limited")
    try:
        secrets = write_secrets(Path(workdir) / "secrets", pg.port, user="discover_limited")
        out = Path(workdir) / "layer"
        proc = discover("pagila_postgres", secrets, out)
        assert proc.stdout.startswith("2 tables read"), proc.stdout
        sql = source_sql(out, "rental")
        assert '"public"."customer"' in sql and '"public"."staff"' not in sql
        validate(out, secrets)
        (want,) = pg.query("SELECT COUNT(*) FROM rental")[0]
        assert query(out, secrets, ["rental_count"])[0]["rental_count"] == want
    finally:
        pg.query("REVOKE ALL ON rental, customer FROM discover_limited")
        pg.query("DROP ROLE discover_limited")


def test_pagila_ids_are_not_summed(pg_layer):
    out, _, _ = pg_layer
    metrics = (out / "metrics" / "customer.yaml").read_text()
    assert "customer_count" in metrics
    assert "address_id" not in metrics  # an id without a foreign key is still an id


# --------------------------------------------------------------------------
# MariaDB: the copy of Pagila's store, staff and payment the MySQL tests make,
# in a database of its own, with Pagila's foreign keys
# --------------------------------------------------------------------------

SHOP_DB = "discover_shop"
SHOP_USER = "discover_reader"
SHOP_PASSWORD = "d1scover 'pw"


@pytest.fixture(scope="module")
def shop(mariadb, pg, tmp_path_factory):
    from test_mysql_source import SHOP_COPIES, SHOP_TABLES

    mariadb.query(f"DROP DATABASE IF EXISTS {SHOP_DB}")
    mariadb.query(f"CREATE DATABASE {SHOP_DB} CHARACTER SET utf8mb4")
    for ddl in SHOP_TABLES:
        mariadb.query(ddl, database=SHOP_DB)
    for table, select in SHOP_COPIES.items():
        mariadb.copy_from(pg, select, table, SHOP_DB)
    for fk in ("payment (staff_id) REFERENCES staff (staff_id)",
               "staff (store_id) REFERENCES store (store_id)",
               "store (manager_staff_id) REFERENCES staff (staff_id)"):
        mariadb.query(f"ALTER TABLE {fk.split(' ', 1)[0]} ADD FOREIGN KEY {fk.split(' ', 1)[1]}",
                      database=SHOP_DB)
    mariadb.create_user(SHOP_USER, SHOP_PASSWORD, SHOP_DB)
    secrets = tmp_path_factory.mktemp("discover-shop-secrets")
    (secrets / "shop.json").write_text(json.dumps(
        mariadb.secret(SHOP_DB, SHOP_USER, SHOP_PASSWORD)))
    (secrets / "shop_wrong.json").write_text(json.dumps(
        mariadb.secret(SHOP_DB, SHOP_USER, "not the password")))
    return mariadb, secrets


def test_mariadb_layer_validates_and_answers(shop, workdir):
    server, secrets = shop
    out = Path(workdir) / "layer"
    proc = discover("shop", secrets, out)
    assert "wrote 1 sources" in proc.stdout, proc.stdout
    validate(out, secrets)
    sql = source_sql(out, "payment")
    assert "LEFT JOIN `discover_shop`.`staff` AS `staff`" in sql
    assert "`staff_store_staff`" not in sql  # store -> staff would go back along the path

    want = direct_map(server.query(
        "SELECT s.first_name, COUNT(p.payment_id), SUM(p.amount) FROM payment p "
        "LEFT JOIN staff s ON s.staff_id = p.staff_id GROUP BY 1", database=SHOP_DB))
    got = query(out, secrets, ["payment_count", "payment_amount_sum"], ["dim_staff_first_name"])
    assert as_map(got, "dim_staff_first_name", ["payment_count", "payment_amount_sum"]) == want

    want = direct_map(server.query(
        "SELECT s.active, COUNT(*) FROM payment p "
        "LEFT JOIN staff s ON s.staff_id = p.staff_id GROUP BY 1", database=SHOP_DB))
    got = query(out, secrets, ["payment_count"], ["dim_staff_active"])
    assert as_map(got, "dim_staff_active", ["payment_count"]) == want


def test_mariadb_wrong_password_is_a_clear_error(shop, workdir):
    _, secrets = shop
    out = Path(workdir) / "layer"
    proc = discover("shop_wrong", secrets, out, check_status=1)
    assert "cannot connect with connection 'shop_wrong'" in proc.stderr
    assert "Access denied" in proc.stderr
    assert not out.exists()


# --------------------------------------------------------------------------
# refusals
# --------------------------------------------------------------------------


def test_out_not_empty_is_refused_and_nothing_written(workdir):
    out = Path(workdir) / "layer"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n")
    proc = discover("demo_sqlite", DEMO_SECRETS, out, check_status=1)
    assert "is not empty" in proc.stderr and "nothing written" in proc.stderr
    assert layer_files(out) == ["notes.txt"]


def test_out_that_is_a_file_is_refused(workdir):
    out = Path(workdir) / "layer"
    out.write_text("mine\n")
    proc = discover("demo_sqlite", DEMO_SECRETS, out, check_status=1)
    assert "is not a directory" in proc.stderr
    assert out.read_text() == "mine\n"


def test_out_empty_directory_is_used(workdir):
    out = Path(workdir) / "layer"
    out.mkdir()
    discover("demo_sqlite", DEMO_SECRETS, out)
    assert "sources/orders.yaml" in layer_files(out)


def test_out_in_a_missing_directory_is_refused(workdir):
    out = Path(workdir) / "missing" / "layer"
    proc = discover("demo_sqlite", DEMO_SECRETS, out, check_status=1)
    assert "does not exist; nothing written" in proc.stderr
    assert not out.parent.exists()


def test_unknown_connection_is_a_clear_error(workdir):
    out = Path(workdir) / "layer"
    proc = discover("no_such_connection", DEMO_SECRETS, out, check_status=1)
    assert "connection 'no_such_connection'" in proc.stderr
    assert "no_such_connection.json" in proc.stderr
    assert not out.exists()


def test_unreachable_database_is_a_clear_error(workdir):
    secrets = write_secrets(Path(workdir) / "secrets", free_port(), connection_name="gone")
    out = Path(workdir) / "layer"
    proc = discover("gone", secrets, out, check_status=1)
    assert "cannot connect with connection 'gone'" in proc.stderr
    assert "nothing written" in proc.stderr
    assert not out.exists()


def test_schema_without_tables_is_a_clear_error(pg, workdir):
    secrets = write_secrets(Path(workdir) / "secrets", pg.port)
    out = Path(workdir) / "layer"
    proc = discover("pagila_postgres", secrets, out, "--schema", "no_such_schema",
                    check_status=1)
    assert "schema 'no_such_schema' has no tables" in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize("args, message", [
    (["--secrets", "s", "--out", "o"], "--connection NAME is required"),
    (["--connection", "c", "--secrets", "s"], "--out DIR is required"),
    (["--connection", "c", "--out", "o", "--bogus"], "unknown option"),
])
def test_usage_errors(args, message):
    proc = cli("discover", *args, check_status=2)
    assert message in proc.stderr


def test_help():
    proc = cli("discover", "--help", check_status=0)
    assert proc.stdout.startswith("usage: mimir discover")


# --------------------------------------------------------------------------
# the join rules, on a SQLite file made here: a foreign key to columns that are
# not a key (would multiply rows), a table referring to the fact table
# (one-to-many), a self-reference (a cycle), names that must be quoted
# --------------------------------------------------------------------------

RULES_SQL = """
CREATE TABLE teams (name TEXT NOT NULL, colour TEXT NOT NULL);
CREATE TABLE users (id INTEGER PRIMARY KEY, "full name" TEXT NOT NULL,
                    manager_id INTEGER REFERENCES users (id));
CREATE TABLE "order" (id INTEGER PRIMARY KEY, placed_at TEXT NOT NULL,
                      user_id INTEGER REFERENCES users (id),
                      team_name TEXT REFERENCES teams (name),
                      "select" TEXT NOT NULL, total NUMERIC NOT NULL, last_update TEXT);
CREATE TABLE order_notes (note_id INTEGER PRIMARY KEY,
                          order_id INTEGER NOT NULL REFERENCES "order" (id), note TEXT);
"""


@pytest.fixture
def rules_db(workdir):
    path = Path(workdir) / "rules.db"
    db = sqlite3.connect(path)
    db.executescript(RULES_SQL)
    db.executemany("INSERT INTO teams VALUES (?, ?)",
                   [("red", "crimson"), ("red", "scarlet"), ("blue", "navy")])
    db.executemany("INSERT INTO users VALUES (?, ?, ?)",
                   [(1, "Ada L", None), (2, "Bo M", 1), (3, "Cy N", 1)])
    rows = [(i, f"2024-0{1 + i % 3}-1{i % 9} 10:00:00", 1 + i % 4 if i % 4 else None,
             ["red", "blue", None][i % 3], ["a", "b"][i % 2], f"{i}.25", None)
            for i in range(1, 61)]
    db.executemany('INSERT INTO "order" VALUES (?, ?, ?, ?, ?, ?, ?)', rows)
    db.executemany("INSERT INTO order_notes VALUES (?, ?, ?)",
                   [(k, 1 + k % 5, "n") for k in range(1, 40)])
    db.commit()
    secrets = Path(workdir) / "secrets"
    secrets.mkdir()
    (secrets / "rules.json").write_text(json.dumps(
        {"connection_class": "sqlite", "path": str(path)}))
    return db, secrets


def test_joins_are_many_to_one_only(rules_db, workdir):
    db, secrets = rules_db
    out = Path(workdir) / "layer"
    discover("rules", secrets, out)
    validate(out, secrets)
    sql = source_sql(out, "order")
    assert 'FROM "order" AS "order"' in sql
    assert '"teams"' not in sql          # teams.name is not a key: joining could repeat rows
    assert '"order_notes"' not in sql    # notes refer to orders: one-to-many
    assert sql.count('LEFT JOIN "users"') == 1  # users -> users is a cycle
    assert '"order"."placed_at" AS "ts"' in sql  # not last_update, an audit column

    got = query(out, secrets, ["order_count", "order_total_sum"], ["dim_users_full_name"])
    want = direct_map(db.execute(
        'SELECT u."full name", COUNT(o.id), SUM(o.total) FROM "order" o '
        "LEFT JOIN users u ON u.id = o.user_id GROUP BY 1").fetchall())
    assert as_map(got, "dim_users_full_name", ["order_count", "order_total_sum"]) == want
    (rows,) = db.execute('SELECT COUNT(*) FROM "order"').fetchone()
    assert sum(r["order_count"] for r in got) == rows

    # a reserved word as a column: a low-cardinality text column of the fact table
    got = query(out, secrets, ["order_count"], ["dim_order_select"])
    want = direct_map(db.execute('SELECT "select", COUNT(*) FROM "order" GROUP BY 1').fetchall())
    assert as_map(got, "dim_order_select", ["order_count"]) == want
    # order_notes is a fact of its own only if it has a time column: it has none
    assert sorted(p.stem for p in (out / "sources").iterdir()) == ["order"]
