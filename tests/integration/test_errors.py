"""Bad input is a test case: every error path checks the error code, the
SQLSTATE (through the mariadb CLI, which prints it), the message, and that the
connection that got the error still answers the next query."""

import re
import shutil
import socket

import pymysql
import pytest

from conftest import PAGILA_CONFIGS, MimirServer, free_port, write_secrets
from support import (
    README_QUERY,
    assert_answers_select_1,
    assert_same_values,
    expected_sql,
    mimir_sql,
    mysql_error,
    README_EXPECTED_SQL,
)

# (id, statement, error code, SQLSTATE, texts the message must contain)
STATEMENT_ERRORS = [
    ("unknown_metric", "SELECT AGG(no_such_metric) FROM mimir.metrics",
     1054, "42S22", ["no_such_metric"]),
    ("unknown_metric_among_known",
     "SELECT dim_rental_category, AGG(movies_rented), AGG(bogus_metric) FROM mimir.metrics "
     "GROUP BY dim_rental_category", 1054, "42S22", ["bogus_metric"]),
    ("unknown_dimension_selected",
     "SELECT no_such_dim, AGG(movies_rented) FROM mimir.metrics GROUP BY no_such_dim",
     1054, "42S22", ["no_such_dim"]),
    ("unknown_dimension_in_where",
     "SELECT AGG(movies_rented) FROM mimir.metrics WHERE bogus_dim = 'x'",
     1054, "42S22", ["bogus_dim"]),
    ("dimension_not_on_metric_source",
     "SELECT dim_rental_category, AGG(payments_count) FROM mimir.metrics "
     "GROUP BY dim_rental_category", 1054, "42S22", ["dim_rental_category"]),
    ("dimension_on_only_one_of_two_sources",
     "SELECT dim_rental_category, AGG(movies_rented), AGG(payments_revenue) FROM mimir.metrics "
     "GROUP BY dim_rental_category", 1054, "42S22", ["dim_rental_category"]),
    ("syntax_error_double_by", "SELECT AGG(movies_rented) FROM mimir.metrics GROUP BY BY 1",
     1064, "42000", ["near 'BY 1'"]),
    ("syntax_error_unclosed_paren", "SELECT AGG(movies_rented FROM mimir.metrics",
     1064, "42000", ["near 'FROM mimir.metrics'"]),
    ("syntax_error_first_word", "SELEKT 1", 1064, "42000", ["near 'SELEKT 1'"]),
    ("read_only_insert", "INSERT INTO t VALUES (1)", 1290, "HY000", ["--read-only option"]),
    ("read_only_drop", "DROP TABLE x", 1290, "HY000", ["--read-only option"]),
    ("unsupported_call", "CALL p()", 1235, "42000", ["CALL"]),
]


@pytest.mark.parametrize("sql, code, sqlstate, texts",
                         [e[1:] for e in STATEMENT_ERRORS], ids=[e[0] for e in STATEMENT_ERRORS])
def test_statement_error_through_pymysql(mimir, sql, code, sqlstate, texts):
    conn = mimir.connect()
    try:
        with pytest.raises(pymysql.err.MySQLError) as excinfo:
            with conn.cursor() as cur:
                cur.execute(sql)
                cur.fetchall()
        errno, message = mysql_error(excinfo)
        assert errno == code, message
        for text in texts:
            assert text in message
        assert_answers_select_1(conn)
    finally:
        conn.close()


@pytest.mark.parametrize("sql, code, sqlstate, texts",
                         [e[1:] for e in STATEMENT_ERRORS], ids=[e[0] for e in STATEMENT_ERRORS])
def test_statement_error_through_mariadb_cli(mimir, sql, code, sqlstate, texts):
    # A script with --force: the CLI goes on with the next statement, on the
    # same connection.
    proc = mimir.mariadb_cli_run(f"{sql};\nSELECT 1;\n", "--force", script=True)
    match = re.search(r"ERROR (\d+) \(([0-9A-Z]{5})\)(?: at line \d+)?: (.*)", proc.stderr)
    assert match, proc.stderr
    assert (int(match.group(1)), match.group(2)) == (code, sqlstate), proc.stderr
    for text in texts:
        assert text in match.group(3)
    assert proc.stdout == "1\n1\n", proc.stdout


def test_many_errors_then_real_query_on_same_connection(mimir, pg):
    want = [tuple(r) for r in pg.query(README_EXPECTED_SQL)]
    conn = mimir.connect()
    try:
        for _, sql, code, _, _ in STATEMENT_ERRORS:
            with pytest.raises(pymysql.err.MySQLError) as excinfo:
                with conn.cursor() as cur:
                    cur.execute(sql)
            assert mysql_error(excinfo)[0] == code
        with conn.cursor() as cur:
            cur.execute(README_QUERY)
            assert_same_values([tuple(r) for r in cur.fetchall()], want)
    finally:
        conn.close()


# --------------------------------------------------------------------------
# malformed packets (raw sockets), on a server of their own so that a crash
# here is reported here and does not take the shared server down
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scratch_server(request, session_dir, pg, pagila_secrets):
    server = MimirServer(session_dir, configs=PAGILA_CONFIGS, secrets=pagila_secrets,
                         name="mimir-malformed")

    def finish():
        server.stop()
        problem = server.exit_problem()
        if problem:
            pytest.fail(problem, pytrace=False)

    request.addfinalizer(finish)
    return server.start()


def _recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise AssertionError(f"connection closed after {len(data)} of {n} bytes")
        data += chunk
    return data


def _read_packet(sock):
    header = _recv_exact(sock, 4)
    length = int.from_bytes(header[:3], "little")
    return header[3], _recv_exact(sock, length)


def _packet(seq, payload):
    return len(payload).to_bytes(3, "little") + bytes([seq]) + payload


def _greeted_socket(server):
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    seq, greeting = _read_packet(sock)
    assert seq == 0 and greeting[0] == 10  # protocol version 10
    return sock


def _assert_closed_by_server(sock, timeout=10):
    """The server must close the connection (it may send an ERR packet first)."""
    sock.settimeout(timeout)
    received = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    except ConnectionResetError:
        pass
    except socket.timeout:
        raise AssertionError(f"server kept the connection open for {timeout} s "
                             f"(received {received[:200]!r})")
    finally:
        sock.close()
    if received:
        # whatever came must be an ERR packet (0xff), not a result
        assert received[4] == 0xFF, received[:200]


MALFORMED_HANDSHAKES = {
    # header claims 16 MiB - 1 bytes; a few arrive, then the client half-closes
    "oversized_length_truncated": (b"\xff\xff\xff\x01" + b"\x00" * 100, True),
    # a complete packet too short to be a handshake response
    "short_handshake_response": (_packet(1, b"\x01\x02"), False),
    # someone speaking HTTP to the MySQL port
    "http_request": (b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", True),
    # a truncated packet: the header promises 200 bytes, 10 arrive, then EOF
    "truncated_packet": (b"\xc8\x00\x00\x01" + b"\x85\xa6\xff\x01" + b"\x00" * 6, True),
}


@pytest.mark.parametrize("data, half_close", MALFORMED_HANDSHAKES.values(),
                         ids=MALFORMED_HANDSHAKES.keys())
def test_malformed_handshake_closes_only_that_connection(scratch_server, pg, data, half_close):
    bystander = scratch_server.connect()
    try:
        sock = _greeted_socket(scratch_server)
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        _assert_closed_by_server(sock)
        assert_answers_select_1(bystander)
    finally:
        bystander.close()
    _assert_fresh_connection_works(scratch_server, pg)


MALFORMED_COMMANDS = {
    # COM_QUERY whose header promises 100 bytes; 10 arrive, then EOF
    "truncated_com_query": (b"\x64\x00\x00\x00" + b"\x03SELECT 1 ", True),
    # header promises 16 MiB - 1 bytes
    "oversized_length": (b"\xff\xff\xff\x00" + b"\x03" + b"A" * 1000, True),
    # a complete COM_QUERY with a sequence id that is out of order
    "out_of_order_sequence": (_packet(7, b"\x03SELECT 1"), False),
}


@pytest.mark.parametrize("data, half_close", MALFORMED_COMMANDS.values(),
                         ids=MALFORMED_COMMANDS.keys())
def test_malformed_command_closes_only_that_connection(scratch_server, pg, data, half_close):
    bystander = scratch_server.connect()
    victim = scratch_server.connect()
    try:
        sock = victim._sock  # authenticated; nothing pending on it
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        _assert_closed_by_server(sock)
        assert_answers_select_1(bystander)
    finally:
        bystander.close()
        try:
            victim.close()
        except Exception:
            pass
    _assert_fresh_connection_works(scratch_server, pg)


def _assert_fresh_connection_works(server, pg):
    want = [tuple(r) for r in pg.query(README_EXPECTED_SQL)]
    conn = server.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(README_QUERY)
            assert_same_values([tuple(r) for r in cur.fetchall()], want)
    finally:
        conn.close()


# --------------------------------------------------------------------------
# backend errors: 1105 (HY000) carrying the backend's own message
# --------------------------------------------------------------------------

TINY_PAGILA = """
CREATE TABLE category (category_id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE film_category (film_id int, category_id int);
CREATE TABLE inventory (inventory_id int PRIMARY KEY, film_id int, store_id int);
CREATE TABLE rental (rental_id int PRIMARY KEY, rental_date timestamptz NOT NULL,
                     inventory_id int, customer_id int, return_date timestamptz, staff_id int);
CREATE TABLE payment (payment_id int PRIMARY KEY, customer_id int, staff_id int, rental_id int,
                      amount numeric(5,2), payment_date timestamptz NOT NULL);
INSERT INTO category VALUES (1, 'Action'), (2, 'Comedy');
INSERT INTO film_category VALUES (10, 1), (11, 1), (12, 2);
INSERT INTO inventory VALUES (1, 10, 1), (2, 12, 2);
INSERT INTO rental VALUES
  (1, '2022-05-01 10:00+00', 1, 7, NULL, 1),
  (2, '2022-05-02 11:00+00', 2, 8, '2022-05-03 12:00+00', 2),
  (3, '2022-05-04 09:00+00', 1, 8, NULL, 1);
INSERT INTO payment VALUES
  (1, 7, 1, 1, 2.99, '2022-05-01 10:05+00'),
  (2, 8, 2, 2, 4.99, '2022-05-02 11:05+00');
"""

README_NO_DIMS = "SELECT AGG(movies_rented), AGG(rentals_revenue) FROM mimir.metrics"


def _query_error(conn, sql):
    with pytest.raises(pymysql.err.MySQLError) as excinfo:
        with conn.cursor() as cur:
            cur.execute(sql)
            cur.fetchall()
    return mysql_error(excinfo)


def test_backend_unreachable_then_recovers(mimir_factory, pg_factory, workdir):
    port = free_port()  # nothing listens here (yet)
    secrets = write_secrets(workdir / "secrets", port)
    server = mimir_factory(configs=PAGILA_CONFIGS, secrets=secrets, name="mimir-nobackend")
    server.start()
    conn = server.connect()
    try:
        code, message = _query_error(conn, README_QUERY)
        assert code == 1105, message
        assert "refused" in message.lower(), message  # libpq: "... Connection refused"
        assert_answers_select_1(conn)

        proc = server.mariadb_cli_run(README_QUERY)
        assert re.search(r"ERROR 1105 \(HY000\)", proc.stderr), proc.stderr

        # The backend comes up on that port: the same connection now gets data.
        cluster = pg_factory(port=port, name="pg-late")
        cluster.create_database("pagila")
        cluster.psql("-c", TINY_PAGILA)
        want = [tuple(r) for r in cluster.query(
            expected_sql(["dim_rental_category"], ["movies_rented", "rentals_revenue"],
                         where="dim_rental_category = 'Action'"))]
        assert want and want[0][1] > 0
        with conn.cursor() as cur:
            cur.execute(README_QUERY)
            assert_same_values([tuple(r) for r in cur.fetchall()], want)
        with conn.cursor() as cur:
            cur.execute(README_NO_DIMS)
            assert_same_values([tuple(r) for r in cur.fetchall()],
                               [tuple(r) for r in cluster.query(
                                   expected_sql([], ["movies_rented", "rentals_revenue"]))])
    finally:
        conn.close()


@pytest.mark.parametrize("schema, backend_text", [
    # A database without Pagila's tables; with two sources either may fail first.
    ("postgres", "does not exist"),
    ("no_such_database", 'database "no_such_database" does not exist'),
])
def test_backend_error_is_1105_with_backend_message(mimir_factory, pg, workdir, schema,
                                                    backend_text):
    secrets = write_secrets(workdir / "secrets", pg.port, schema=schema)
    server = mimir_factory(configs=PAGILA_CONFIGS, secrets=secrets, name="mimir-badbackend")
    server.start()
    conn = server.connect()
    try:
        for sql in (README_QUERY, mimir_sql(["customer_id"], ["movies_rented",
                                                             "payments_revenue"])):
            code, message = _query_error(conn, sql)
            assert code == 1105, message
            assert backend_text in message
            assert_answers_select_1(conn)
    finally:
        conn.close()
    proc = server.mariadb_cli_run(README_QUERY)
    assert re.search(r"ERROR 1105 \(HY000\)", proc.stderr), proc.stderr
    assert backend_text in proc.stderr


# --------------------------------------------------------------------------
# configuration errors: exit status 1 and a message naming the file
# --------------------------------------------------------------------------


def _copy_pagila_configs(workdir):
    target = workdir / "configs"
    shutil.copytree(PAGILA_CONFIGS, target)
    return target


def _break_a_metric_source(configs):
    for path in sorted((configs / "metrics").rglob("*.y*ml")):
        text = path.read_text()
        new, n = re.subn(r"(source_name:\s*)['\"]?[A-Za-z0-9_]+['\"]?", r"\1no_such_source",
                         text, count=1)
        if n:
            path.write_text(new)
            return path
    raise AssertionError(f"no metric with a source_name under {configs}/metrics")


def _add_unparsable_yaml(configs):
    path = configs / "metrics" / "broken_metric.yaml"
    path.write_text("broken_metric:\n  name: broken_metric\n  source_name: rentals\n"
                    "  sql: [SUM(amount) as broken_metric\n")
    return path


@pytest.mark.parametrize("break_it, texts", [
    (_break_a_metric_source, ["no_such_source"]),
    (_add_unparsable_yaml, []),
], ids=["unknown_source_name", "yaml_syntax_error"])
def test_config_error_exits_1_naming_the_file(mimir_factory, pagila_secrets, workdir, break_it,
                                              texts):
    configs = _copy_pagila_configs(workdir)
    broken = break_it(configs)
    server = mimir_factory(configs=configs, secrets=pagila_secrets, name="mimir-badconfig")
    status, stderr = server.run_until_exit()
    assert status == 1, stderr
    assert broken.name in stderr, stderr
    for text in texts:
        assert text in stderr
