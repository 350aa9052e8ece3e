"""Column types discovered from the backend (issue 4, Catalog): a moment
after startup, and after every reload, each source is probed once on
PostgreSQL (the source with all its dimensions and metrics, LIMIT 0), and the
result's column types become what information_schema.COLUMNS, SHOW COLUMNS,
COM_FIELD_LIST and schema probes report for every column without a declared
`type:`.

Expected types are differential: computed in the same run from PostgreSQL's
own description of the same SQL (format_type() of a temporary view over the
source), mapped to MySQL types the way docs/configuration.md documents."""

import re
import shutil
import signal

import pytest
from backend_types import expected_source_types, expected_table, field_type, mysql_type
from conftest import PAGILA_CONFIGS, TYPES_DISCOVERED, free_port, write_secrets
from mysql_wire import RawClient
from support import SOURCES, assert_answers_select_1

N = len(SOURCES)  # configs/pagila's sources


def catalog_types(conn, table):
    with conn.cursor() as cur:
        cur.execute(f"SHOW COLUMNS FROM `{table}` FROM mimir")
        return {r[0]: r[1] for r in cur.fetchall()}


@pytest.fixture(scope="module")
def pagila_types(pg):
    return expected_source_types(pg)


@pytest.fixture
def conn(mimir):
    c = mimir.connect(database="mimir")
    yield c
    c.close()


# --------------------------------------------------------------------------
# the session server over Pagila
# --------------------------------------------------------------------------


@pytest.mark.parametrize("table", ["rentals", "payments", "metrics"])
def test_undeclared_columns_have_the_backend_types(conn, pagila_types, table):
    want = expected_table(pagila_types, table)
    got = catalog_types(conn, table)
    assert got == {c: want[c] for c in got}, table
    assert set(got) <= set(want)
    with conn.cursor() as cur:
        cur.execute("SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS "
                    "WHERE TABLE_SCHEMA = 'mimir' AND TABLE_NAME = %s", (table,))
        assert dict(cur.fetchall()) == got


def test_pagila_examples(conn, pg):
    """The columns the issue names, against Pagila's own definitions."""
    store_id = pg.query("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                        "WHERE attrelid = 'inventory'::regclass AND attname = 'store_id'")[0][0]
    customer_id = pg.query("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                           "WHERE attrelid = 'rental'::regclass AND attname = 'customer_id'")[0][0]
    with conn.cursor() as cur:
        cur.execute("SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, NUMERIC_SCALE, DATETIME_PRECISION "
                    "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'mimir' AND "
                    "TABLE_NAME = 'rentals'")
        cols = {r[0]: r[1:] for r in cur.fetchall()}
    assert cols["dim_store_id"][1] == mysql_type(store_id)
    assert cols["customer_id"][1] == mysql_type(customer_id)
    assert cols["customer_id"][0] in ("smallint", "int")
    assert cols["movies_rented"][:2] == ("bigint", "bigint")
    assert cols["rentals_revenue"][0] == "decimal" and cols["rentals_revenue"][2] == 2
    assert cols["amount"][1] == "decimal(5,2)"
    # timestamptz without a precision keeps microseconds, as query results say.
    assert cols["ts"][:2] == ("datetime", "datetime(6)")
    assert cols["dim_rental_category"][1] == "varchar(255)"  # text


def test_schema_probe_reports_the_same_types(conn, pagila_types):
    want = expected_table(pagila_types, "metrics")
    with conn.cursor() as cur:
        cur.execute("SELECT * FROM mimir.metrics LIMIT 0")
        desc = cur.description
        assert cur.fetchall() == ()
    assert [d[0] for d in desc] == list(catalog_types(conn, "metrics"))
    for d in desc:
        t = want[d[0]]
        assert d[1] == field_type(t), (d[0], t)
        if t.startswith("decimal"):
            assert d[5] == int(t.rstrip(")").split(",")[1]), d[0]


def test_query_results_agree_with_the_catalog(conn):
    """What a real query returns (types from PostgreSQL's result) is what the
    catalog said it would be."""
    columns = ["customer_id", "staff_id", "amount", "dim_store_id"]
    metrics = ["movies_rented", "rentals_revenue", "action_movies_rented"]
    sql = (f"SELECT {', '.join(columns)}, {', '.join(f'AGG({m}) AS {m}' for m in metrics)} "
           f"FROM mimir.rentals GROUP BY {', '.join(columns)} LIMIT 3")
    with conn.cursor() as cur:
        cur.execute(sql)
        real = cur.description
        assert len(cur.fetchall()) == 3
        cur.execute(sql.replace("LIMIT 3", "LIMIT 0"))
        probe = cur.description
    assert [d[1] for d in real] == [d[1] for d in probe]
    catalog = catalog_types(conn, "rentals")
    for d in real:
        assert d[1] == field_type(catalog[d[0]]), d[0]
    assert real[columns.index("amount")][5] == probe[columns.index("amount")][5] == 2


def test_discovery_is_logged_once(mimir):
    lines = mimir.wait_for_log(TYPES_DISCOVERED)
    assert (lines[0][1], lines[0][2]) == (str(N), str(N))
    assert "not discovered" not in mimir.stderr()


def test_sqlite_sources_are_probed_for_declared_types(mimir_demo):
    """The demo's SQLite columns get the types their tables declare; a computed
    column (a metric's COUNT) keeps the semantic layer's own type."""
    line = mimir_demo.wait_for_log(TYPES_DISCOVERED)[0].string
    assert "for 2 of 2 sources" in line
    conn = mimir_demo.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT column_name, data_type FROM information_schema.columns "
                        "WHERE table_schema = 'mimir' AND table_name = 'orders'")
            types = dict(cur.fetchall())
    finally:
        conn.close()
    assert types["quantity"] == "bigint"      # INTEGER NOT NULL
    assert types["amount"] == "double"        # REAL
    assert types["city"] in ("text", "varchar", "longtext")
    assert types["orders_count"] == "bigint"  # COUNT(order_id): the layer's type


# --------------------------------------------------------------------------
# backends that are down, or answer with errors
# --------------------------------------------------------------------------

# Pagila's shape with other types than Pagila's, so that nothing can pass by
# coincidence with the session cluster's types or with the defaults.
RETYPED_PAGILA = """
CREATE TABLE category (category_id int PRIMARY KEY, name varchar(40) NOT NULL);
CREATE TABLE film_category (film_id int, category_id int);
CREATE TABLE inventory (inventory_id int PRIMARY KEY, film_id int, store_id smallint);
CREATE TABLE rental (rental_id bigint PRIMARY KEY, rental_date timestamp(3) NOT NULL,
                     inventory_id int, customer_id bigint, return_date timestamptz, staff_id smallint);
CREATE TABLE payment (payment_id int PRIMARY KEY, customer_id int, staff_id smallint,
                      rental_id bigint, amount numeric(7,3), payment_date timestamptz NOT NULL);
INSERT INTO category VALUES (1, 'Action');
INSERT INTO film_category VALUES (10, 1);
INSERT INTO inventory VALUES (1, 10, 1);
INSERT INTO rental VALUES (1, '2022-05-01 10:00', 1, 7, NULL, 1);
INSERT INTO payment VALUES (1, 7, 1, 1, 2.995, '2022-05-01 10:05+00');
"""

REFUSED = r"could not connect to 'pagila_postgres': Connection refused"

DEFAULTS = {"dim_store_id": "varchar(255)", "customer_id": "varchar(255)",
            "amount": "varchar(255)", "ts": "datetime", "movies_rented": "bigint",
            "rentals_revenue": "decimal(65,2)"}


def check_retyped(conn, cluster):
    want = expected_table(expected_source_types(cluster), "rentals")
    got = catalog_types(conn, "rentals")
    assert got == {c: want[c] for c in got}
    assert (got["dim_store_id"], got["customer_id"], got["staff_id"]) == \
        ("smallint", "bigint", "smallint")
    assert (got["ts"], got["amount"], got["rentals_revenue"]) == \
        ("datetime(3)", "decimal(7,3)", "decimal(65,3)")
    assert got["category_name"] == "varchar(40)"
    metrics = catalog_types(conn, "metrics")
    # Columns of both sources take the union of their types (payment_date is a
    # timestamptz without a precision: microseconds).
    assert (metrics["ts"], metrics["customer_id"], metrics["staff_id"]) == \
        ("datetime(6)", "bigint", "smallint")
    assert catalog_types(conn, "payments")["customer_id"] == "int"


def test_backend_down_at_startup_then_back(mimir_factory, pg_factory, workdir):
    port = free_port()  # nothing listens here yet
    secrets = write_secrets(workdir / "secrets", port)
    server = mimir_factory(configs=PAGILA_CONFIGS, secrets=secrets, name="mimir-types-down")
    server.start()
    assert server.wait_for_log(TYPES_DISCOVERED)[0][0].startswith(
        f"column types discovered for 0 of {N} sources")
    conn = server.connect(database="mimir")
    try:
        got = catalog_types(conn, "rentals")
        assert {c: got[c] for c in DEFAULTS} == DEFAULTS
        assert_answers_select_1(conn)
        # A few retries (the pool logs each attempt) before PostgreSQL comes up.
        server.wait_for_log(r"backend 'pagila_postgres': " + REFUSED, count=3, timeout=20)

        cluster = pg_factory(port=port, name="pg-types-late")
        cluster.create_database("pagila")
        cluster.psql("-c", RETYPED_PAGILA)
        server.wait_for_log(rf"column types discovered for {N} of {N} sources", timeout=60)
        # The same session sees the new types at its next statement.
        check_retyped(conn, cluster)
        assert_answers_select_1(conn)
    finally:
        conn.close()
    log = server.stderr()
    # Retried, but said once here: again only when the reason changes (while the
    # database is being created, say).
    assert len(re.findall(rf"column types of {N} sources on connection 'pagila_postgres' not "
                          r"discovered: " + REFUSED, log)) == 1, log


def test_probe_errors_keep_defaults_then_types(mimir_factory, pg_factory, workdir):
    cluster = pg_factory(name="pg-types-empty")
    cluster.create_database("pagila")  # no tables yet: every probe fails
    secrets = write_secrets(workdir / "secrets", cluster.port)
    server = mimir_factory(configs=PAGILA_CONFIGS, secrets=secrets, name="mimir-types-empty")
    server.start()
    assert server.wait_for_log(TYPES_DISCOVERED)[0][0].startswith(
        f"column types discovered for 0 of {N} sources")
    for source in ("rentals", "payments"):
        server.wait_for_log(rf"column types of source '{source}' not discovered: .*"
                            rf"relation \"\w+\" does not exist")
    conn = server.connect(database="mimir")
    try:
        got = catalog_types(conn, "rentals")
        assert {c: got[c] for c in DEFAULTS} == DEFAULTS
        cluster.psql("-c", RETYPED_PAGILA)
        server.wait_for_log(rf"column types discovered for {N} of {N} sources", timeout=60)
        check_retyped(conn, cluster)
    finally:
        conn.close()
    assert len(re.findall(r"column types of source 'rentals' not discovered", server.stderr())) == 1


def copy_pagila(workdir):
    configs = workdir / "configs"
    shutil.copytree(PAGILA_CONFIGS, configs)
    return configs


def test_one_bad_column_keeps_the_others_typed(mimir_factory, pagila_secrets, workdir, pg):
    configs = copy_pagila(workdir)
    (configs / "sources" / "notes.yaml").write_text(
        "notes:\n  name: notes\n  connection_name: pagila_postgres\n  time_col: rental.rental_date\n"
        "  time_col_alias: ts\n  sql: >\n    SELECT rental.rental_id, rental.rental_date AS ts,\n"
        "    json_build_object('id', rental.rental_id) AS payload FROM rental\n")
    (configs / "metrics" / "notes.yaml").write_text(
        "name: notes_count\nsource_name: notes\nsql: COUNT(rental_id)\n")
    server = mimir_factory(configs=configs, secrets=pagila_secrets, name="mimir-types-json")
    server.start()
    server.wait_for_log(rf"column types discovered for {N + 1} of {N + 1} sources")
    # json has no equality operator, so it cannot be grouped by: only that column misses out.
    line = server.wait_for_log(r"column types of source 'notes' discovered for 3 of its 4 "
                               r"columns; column 'payload' keeps its declared or default type")
    assert "equality operator for type json" in line[0].string
    conn = server.connect(database="mimir")
    try:
        assert catalog_types(conn, "notes") == {
            "ts": "datetime(6)", "ds": "date", "year_month": "date", "year": "int",
            "ts_second": "datetime", "ts_minute": "datetime", "ts_hour": "datetime",
            "week": "date", "quarter": "date", "rental_id": "int", "payload": "varchar(255)", "notes_count": "bigint"}
        assert_answers_select_1(conn)
    finally:
        conn.close()


def test_declared_types_win(mimir_factory, pagila_secrets, workdir, pg):
    configs = copy_pagila(workdir)
    dim = configs / "dimensions" / "dim_store_id.yaml"
    dim.write_text(dim.read_text().replace("name: dim_store_id\n",
                                           "name: dim_store_id\ntype: varchar(8)\n"))
    metrics = configs / "metrics" / "rentals.yaml"
    metrics.write_text(metrics.read_text().replace("name: rentals_revenue\n",
                                                   "name: rentals_revenue\ntype: DECIMAL(12,2)\n"))
    server = mimir_factory(configs=configs, secrets=pagila_secrets, name="mimir-types-declared")
    server.start()
    server.wait_for_log(rf"column types discovered for {N} of {N} sources")
    conn = server.connect(database="mimir")
    try:
        for table in ("rentals", "metrics"):
            got = catalog_types(conn, table)
            assert (got["dim_store_id"], got["rentals_revenue"]) == ("varchar(8)", "decimal(12,2)")
            assert got["movies_rented"] == "bigint" and got["amount"] == "decimal(5,2)"
    finally:
        conn.close()
    # Results keep the backend's types: a prepare announces no columns whose
    # only type is a declared one (the execute describes them).
    raw = RawClient(server.port, database="mimir").login()
    try:
        sql = "SELECT {}, AGG(movies_rented) FROM mimir.metrics GROUP BY 1"
        assert len(raw.prepare_full(sql.format("dim_store_id")).columns) == 0
        described = raw.prepare_full(sql.format("customer_id")).columns
        assert [c["name"] for c in described] == ["customer_id", "AGG(movies_rented)"]
    finally:
        raw.close()


def test_numeric_scale_of_the_values_is_not_announced(mimir_factory, pagila_secrets, workdir,
                                                      pg):
    """AVG of a numeric(5,2) column is a NUMERIC without a precision whose
    results PostgreSQL gives many digits: the catalog's DECIMAL(65,2) is a
    guess, so a prepare does not announce it; SUM of the same column keeps
    its scale, and is announced as the execute describes it."""
    configs = copy_pagila(workdir)
    (configs / "metrics" / "avg.yaml").write_text(
        "name: average_amount\nsource_name: rentals\nsql: AVG(amount)\n")
    server = mimir_factory(configs=configs, secrets=pagila_secrets, name="mimir-types-avg")
    server.start()
    server.wait_for_log(rf"column types discovered for {N} of {N} sources")
    raw = RawClient(server.port, database="mimir").login()
    try:
        sql = "SELECT dim_store_id, AGG({}) FROM mimir.rentals GROUP BY 1 ORDER BY 1"
        avg = raw.prepare_full(sql.format("average_amount"))
        assert avg.columns == []
        assert raw.execute(avg.stmt_id).definitions[1]["decimals"] > 2  # from the values
        total = raw.prepare_full(sql.format("rentals_revenue"))
        assert [c["decimals"] for c in total.columns] == [0, 2]
        assert raw.execute(total.stmt_id).definitions == total.columns
    finally:
        raw.close()


def test_reload_discovers_again(mimir_factory, pagila_secrets, workdir, pg):
    configs = copy_pagila(workdir)
    server = mimir_factory(configs=configs, secrets=pagila_secrets, name="mimir-types-reload")
    server.start()
    server.wait_for_log(rf"column types discovered for {N} of {N} sources")
    (configs / "dimensions" / "dim_film_id.yaml").write_text(
        "name: dim_film_id\nsource_name: rentals\nsql: inventory.film_id\n")
    (configs / "metrics" / "extra.yaml").write_text(
        "name: biggest_payment\nsource_name: payments\nsql: MAX(amount)\n")
    conn = server.connect(database="mimir")
    try:
        server.proc.send_signal(signal.SIGHUP)
        server.wait_for_log(r"reloaded:")
        server.wait_for_log(rf"column types discovered for {N} of {N} sources", count=2)
        want = pg.query("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                        "WHERE attrelid = 'inventory'::regclass AND attname = 'film_id'")[0][0]
        assert catalog_types(conn, "rentals")["dim_film_id"] == mysql_type(want)
        # MAX(amount) keeps amount's numeric(5,2) scale.
        assert catalog_types(conn, "payments")["biggest_payment"] == "decimal(65,2)"
        assert_answers_select_1(conn)
    finally:
        conn.close()


def test_stop_while_a_probe_is_connecting(mimir_factory, workdir):
    """A backend that accepts TCP but never answers keeps the probe's connect
    pending: stopping the server then still closes everything (no leak under
    the sanitizers, a clean exit status)."""
    import socket

    silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # never accepted: the handshake completes, no byte ever comes back
    try:
        secrets = write_secrets(workdir / "secrets", silent.getsockname()[1])
        server = mimir_factory(configs=PAGILA_CONFIGS, secrets=secrets, name="mimir-types-silent")
        server.start()
        conn = server.connect(database="mimir")
        try:
            assert catalog_types(conn, "rentals")["dim_store_id"] == "varchar(255)"
            assert_answers_select_1(conn)
        finally:
            conn.close()
        assert "column types discovered" not in server.stderr()  # still connecting
        assert server.stop() in (0, -signal.SIGTERM)
        assert server.exit_problem() is None, server.exit_problem()
    finally:
        silent.close()
