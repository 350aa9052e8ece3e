"""Malicious clients, over raw sockets (mysql_wire.py): what no client library
would send. For every case the server must answer with the right error or
close that one connection, keep answering a normal client afterwards, and
not grow: the resident memory (VmRSS) and the open descriptors of the server
process are read from /proc before and after repeating the case, after one
warm-up round, and may only grow by a small bound.

The servers here are this module's own (the embedded SQLite demo, and a
Pagila server with a configured user for the password loop), so the memory
and descriptor counts are theirs alone. Under ASan the quarantine of freed
memory is kept small for them, or it would read as growth.
"""

import os
import socket
import sqlite3
import struct
import subprocess
import time
from contextlib import contextmanager

import pymysql
import pytest

from conftest import DEMO_DB, MIMIR_BIN, PAGILA_CONFIGS, MimirServer, _make_dir
from mysql_wire import (BASE_CAPS, COM_INIT_DB, COM_QUERY, COM_STMT_CLOSE, COM_STMT_EXECUTE,
                        COM_STMT_PREPARE, COM_STMT_SEND_LONG_DATA, MYSQL_TYPE_LONGLONG,
                        MYSQL_TYPE_VAR_STRING, RawClient, ServerError, is_eof, parse_err)

MAX_PAYLOAD = 0xFFFFFF
# Growth allowed across a round of repetitions (after a warm-up round): far
# below what keeping anything per connection or per command would cost.
RSS_BOUND_KIB = 6 * 1024
SETTLE_S = 10

DEMO_QUERY = "SELECT city, AGG(orders_count) FROM mimir.metrics GROUP BY city ORDER BY city"
DEMO_EXPECTED_SQL = """
SELECT stores.city, COUNT(orders.order_id)
FROM orders JOIN stores ON stores.store_id = orders.store_id
JOIN products ON products.product_id = orders.product_id
GROUP BY stores.city ORDER BY stores.city
"""


# --------------------------------------------------------------------------
# servers and measurements
# --------------------------------------------------------------------------


@contextmanager
def small_asan_quarantine():
    """ASan keeps freed memory in a quarantine (256 MiB by default) that
    would read as growth; the servers started inside keep 4 MiB."""
    old = os.environ.get("ASAN_OPTIONS")
    os.environ["ASAN_OPTIONS"] = (old + ":" if old else "") + "quarantine_size_mb=4"
    try:
        yield
    finally:
        if old is None:
            del os.environ["ASAN_OPTIONS"]
        else:
            os.environ["ASAN_OPTIONS"] = old


def start_module_server(request, session_dir, **kwargs):
    server = MimirServer(session_dir, **kwargs)

    def finish():
        server.stop()
        problem = server.exit_problem()
        if problem:
            pytest.fail(problem, pytrace=False)

    request.addfinalizer(finish)
    with small_asan_quarantine():
        return server.start()


@pytest.fixture(scope="module")
def hostile(request, session_dir):
    """A server of its own on the embedded demo (SQLite)."""
    if not DEMO_DB.is_file():
        pytest.fail(f"{DEMO_DB} is missing (run `make demo-data`)", pytrace=False)
    return start_module_server(request, session_dir, name="mimir-hostile")


@pytest.fixture(scope="module")
def demo_expected():
    conn = sqlite3.connect(f"file:{DEMO_DB}?mode=ro", uri=True)
    try:
        return [(city, str(n)) for city, n in conn.execute(DEMO_EXPECTED_SQL)]
    finally:
        conn.close()


def status_kib(server, field):
    with open(f"/proc/{server.proc.pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"no {field} in /proc/{server.proc.pid}/status")


def open_fds(server):
    return len(os.listdir(f"/proc/{server.proc.pid}/fd"))


def settle_fds(server, baseline):
    """Closed connections are freed from the loop: wait for it to catch up."""
    deadline = time.monotonic() + SETTLE_S
    while open_fds(server) > baseline and time.monotonic() < deadline:
        time.sleep(0.05)
    return open_fds(server)


def assert_bounded(server, round_, bound_kib=RSS_BOUND_KIB):
    """Runs round_() once to warm up, then again: between the two, VmRSS may
    grow by at most bound_kib and every descriptor opened must be closed."""
    fds = open_fds(server)
    round_()
    settle_fds(server, fds)
    rss = status_kib(server, "VmRSS")
    round_()
    assert settle_fds(server, fds) <= fds, "descriptors left open"
    grown = status_kib(server, "VmRSS") - rss
    assert grown <= bound_kib, f"VmRSS grew by {grown} KiB over a round (bound {bound_kib} KiB)"
    assert server.alive()


def assert_serves(server, expected):
    """A normal client still gets the right answer."""
    c = RawClient(server.port).login()
    try:
        assert c.text_rows(c.query(DEMO_QUERY)) == expected
    finally:
        c.close()


# --------------------------------------------------------------------------
# packets
# --------------------------------------------------------------------------


def frame(payload, seq):
    return len(payload).to_bytes(3, "little") + bytes([seq]) + payload


def frames(payload, seq=0):
    """A logical payload as physical packets, split at 0xFFFFFF (an exact
    multiple ends with an empty packet)."""
    out, pos = b"", 0
    while True:
        part = payload[pos:pos + MAX_PAYLOAD]
        out += frame(part, seq)
        seq = (seq + 1) & 0xFF
        pos += MAX_PAYLOAD
        if len(part) < MAX_PAYLOAD:
            return out


def handshake_response(user=b"anyone", caps=BASE_CAPS):
    return (struct.pack("<IIB23x", caps, 1 << 24, 45) + user + b"\0" + b"\0"
            + b"mysql_native_password\0")


def read_all_until_closed(c, timeout=10):
    """Every packet the server sends before it closes, or raises on timeout."""
    c.sock.settimeout(timeout)
    data = c.buffer
    try:
        while True:
            chunk = c.sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, BrokenPipeError):
        pass
    packets, pos = [], 0
    while pos + 4 <= len(data):
        n = int.from_bytes(data[pos:pos + 3], "little")
        packets.append(data[pos + 4:pos + 4 + n])
        pos += 4 + n
    return packets


def expect_closed(c, errors=()):
    """The server closes; any packet it sent first is one of the errors
    (code list) and never an OK or a result."""
    packets = read_all_until_closed(c)
    for p in packets:
        assert p[:1] == b"\xff", f"expected an error or nothing before the close, got {p[:40]!r}"
        err = parse_err(p)
        assert err.code in errors, err
    c.sock.close()
    return packets


def query_error(c, sql_bytes):
    c.send(bytes([COM_QUERY]) + sql_bytes)
    with pytest.raises(ServerError) as e:
        c.read_result()
    return e.value


def login(server):
    return RawClient(server.port).login()


# --------------------------------------------------------------------------
# connection phase
# --------------------------------------------------------------------------


@pytest.mark.parametrize("cut", ["stream", "payload"])
def test_truncated_handshake_at_every_offset(hostile, demo_expected, cut):
    """The handshake response cut at every offset: as bytes on the socket (the
    packet never completes), or as a whole packet whose payload is short. The
    server closes without logging anyone in."""
    response = handshake_response()
    full = frame(response, 1)

    def round_():
        for k in range(len(full) if cut == "stream" else len(response)):
            c = RawClient(hostile.port)
            c.sock.sendall(full[:k] if cut == "stream" else frame(response[:k], 1))
            c.sock.shutdown(socket.SHUT_WR)
            expect_closed(c)

    assert_bounded(hostile, round_)
    assert_serves(hostile, demo_expected)


@pytest.mark.parametrize("seq", [0, 2, 255])
def test_handshake_with_wrong_sequence_id(hostile, demo_expected, seq):
    def round_():
        for _ in range(50):
            c = RawClient(hostile.port)
            c.send(handshake_response(), seq=seq)
            packets = expect_closed(c, errors=(1156,))
            err = parse_err(packets[0]) if packets else None
            assert err and err.sqlstate == "08S01" and err.message == "Got packets out of order"

    assert_bounded(hostile, round_)
    assert_serves(hostile, demo_expected)


def test_command_with_wrong_sequence_id(hostile, demo_expected):
    def round_():
        for seq in (1, 7, 255):
            c = login(hostile)
            c.send(bytes([COM_QUERY]) + b"SELECT 1", seq=seq)
            expect_closed(c, errors=(1156,))

    assert_bounded(hostile, round_)
    assert_serves(hostile, demo_expected)


def test_continuation_packet_with_wrong_sequence_id(hostile, demo_expected):
    """The second packet of a multi-packet query must carry the next id."""
    c = login(hostile)
    c.sock.sendall(frame(bytes([COM_QUERY]) + b"SELECT 1 -- " + b"x" * (MAX_PAYLOAD - 13), 0)
                   + frame(b"", 5))
    expect_closed(c, errors=(1156,))
    assert_serves(hostile, demo_expected)


@pytest.mark.parametrize("announced", [1000, MAX_PAYLOAD])
@pytest.mark.parametrize("phase", ["handshake", "command"])
def test_length_larger_than_data_then_close(hostile, demo_expected, announced, phase):
    def round_():
        for _ in range(50):
            c = RawClient(hostile.port) if phase == "handshake" else login(hostile)
            seq = 1 if phase == "handshake" else 0
            c.sock.sendall(announced.to_bytes(3, "little") + bytes([seq]) + b"\x03SELECT 1")
            c.sock.shutdown(socket.SHUT_WR)
            assert expect_closed(c) == []

    assert_bounded(hostile, round_)
    assert_serves(hostile, demo_expected)


def test_commands_before_authentication(hostile, demo_expected):
    """Commands instead of a handshake response are never run: with sequence id
    0 they are out of order; with 1 they are a malformed response."""
    commands = [bytes([COM_QUERY]) + b"SELECT 1", bytes([COM_INIT_DB]) + b"mimir",
                bytes([COM_STMT_PREPARE]) + b"SELECT ?",
                bytes([COM_STMT_EXECUTE]) + struct.pack("<IBI", 1, 0, 1), b"\x01", b"\x0e",
                bytes([0x11]) + b"anyone\0\0mimir\0"]

    def round_():
        for cmd in commands:
            for seq in (0, 1):
                c = RawClient(hostile.port)
                c.send(cmd, seq=seq)
                expect_closed(c, errors=(1153, 1156))

    assert_bounded(hostile, round_)
    assert_serves(hostile, demo_expected)


def test_thousands_of_connections_opened_and_closed(hostile, demo_expected):
    """3,000 connections, in three manners: closed at once, after the greeting,
    and after logging in. The server frees each one."""

    def round_():
        for i in range(1000):
            s = socket.create_connection(("127.0.0.1", hostile.port), timeout=10)
            s.close()
            c = RawClient(hostile.port)
            c.sock.close()
            if i % 4 == 0:
                login(hostile).close()
            else:
                c = RawClient(hostile.port)
                c.send(handshake_response(), seq=1)
                c.sock.close()

    assert_bounded(hostile, round_)
    assert_serves(hostile, demo_expected)


# --------------------------------------------------------------------------
# packet sizes
# --------------------------------------------------------------------------


def padded_query(total):
    """A COM_QUERY payload of exactly total bytes that answers one row, 1."""
    head = bytes([COM_QUERY]) + b"SELECT 1 /*"
    return head + b"x" * (total - len(head) - 2) + b"*/"


@pytest.mark.parametrize("total", [MAX_PAYLOAD - 1, MAX_PAYLOAD, MAX_PAYLOAD + 1,
                                   MAX_PAYLOAD + 2, 2 * MAX_PAYLOAD],
                         ids=["max-1", "max", "max+1", "16MiB+1", "2max"])
def test_large_queries_split_into_packets(hostile, demo_expected, total):
    """Around the 16 MiB boundary of the framing (16 MiB + 1 included): the
    query is reassembled and answered, and nothing of it stays behind."""

    def round_():
        for _ in range(2):
            c = login(hostile)
            c.sock.sendall(frames(padded_query(total)))
            assert c.text_rows(c.read_result()) == [("1",)]
            c.close()

    assert_bounded(hostile, round_, bound_kib=RSS_BOUND_KIB + total // 1024)
    assert_serves(hostile, demo_expected)


def test_full_packet_without_its_trailer(hostile, demo_expected):
    """A payload of exactly 0xFFFFFF announces a continuation: a new command
    (sequence id 0) in its place is out of order."""
    c = login(hostile)
    c.sock.sendall(frame(padded_query(MAX_PAYLOAD), 0) + frame(b"\x0e", 0))
    expect_closed(c, errors=(1156,))
    assert_serves(hostile, demo_expected)


def test_full_packet_then_close(hostile, demo_expected):
    c = login(hostile)
    c.sock.sendall(frame(padded_query(MAX_PAYLOAD), 0))
    c.sock.shutdown(socket.SHUT_WR)
    assert expect_closed(c) == []
    assert_serves(hostile, demo_expected)


# --------------------------------------------------------------------------
# statement text
# --------------------------------------------------------------------------

INVALID_UTF8 = [
    b"SELECT AGG(orders_count) FROM mimir.metrics WHERE city = '\xff\xfe'",
    b"SELECT `\xff\xfe` FROM mimir.metrics",
    b"SELECT \xc3\x28 FROM mimir.metrics",
    b"SELECT AGG(orders_count) FROM mimir.metrics WHERE city = '\xed\xa0\x80'",
    b"SELECT 1 AS `\xf8\x88\x80\x80\x80`",
    b"SELECT '\xc0\xaf'",
    b"SHOW COLUMNS FROM `\xff` FROM mimir",
]


@pytest.mark.parametrize("sql", INVALID_UTF8)
def test_invalid_utf8_in_identifiers_and_literals(hostile, demo_expected, sql):
    def round_():
        c = login(hostile)
        for _ in range(20):
            err = query_error(c, sql)
            assert (err.code, err.sqlstate) == (1300, "HY000"), err
            assert "Invalid utf8mb4 character string" in err.message
            assert c.select_one("SELECT 1") == ("1",)
        c.close()

    assert_bounded(hostile, round_)
    assert_serves(hostile, demo_expected)


SYNTAX = (1064, "42000")
NUL_CASES = [
    (b"SELECT 1\0", SYNTAX),
    (b"SELECT AGG(orders_count) FROM mimir.metrics WHERE city = 'a\0b'", (1210, "HY000")),
    (b"SELECT `a\0b` FROM mimir.metrics", SYNTAX),
    (b"\0", SYNTAX),
    # Found by fuzzing: both looped forever (the token list ends at the error).
    (b"SET TRANSACTION ISOLATION LEVEL READ COM,\0\0\0\0\0\0\0MITTED", SYNTAX),
    (b"SELECT CAST(1 AS CHAR(\0", SYNTAX),
]


@pytest.mark.parametrize("sql,error", NUL_CASES)
def test_nul_bytes_in_statements(hostile, demo_expected, sql, error):
    def round_():
        c = login(hostile)
        for _ in range(20):
            err = query_error(c, sql)
            assert (err.code, err.sqlstate) == error, err
            assert "NUL" in err.message
            assert c.select_one("SELECT 1") == ("1",)
        c.close()

    assert_bounded(hostile, round_)
    assert_serves(hostile, demo_expected)


def test_nul_byte_in_database_name(hostile, demo_expected):
    c = login(hostile)
    c.send(bytes([COM_INIT_DB]) + b"mimir\0x")
    with pytest.raises(ServerError) as e:
        c.read_result()
    assert (e.value.code, e.value.sqlstate) == (1049, "42000")
    assert c.select_one("SELECT 1") == ("1",)
    c.close()
    assert_serves(hostile, demo_expected)


DEEP = 10_000
DEEP_CASES = {
    "parentheses": "SELECT " + "(" * DEEP + "1" + ")" * DEEP,
    "unary minus": "SELECT " + "- " * DEEP + "1",
    "NOT": "SELECT " + "NOT " * DEEP + "1",
    "functions": "SELECT " + "ABS(" * DEEP + "1" + ")" * DEEP,
    "CASE": "SELECT " + "CASE WHEN 1 THEN " * DEEP + "1" + " END" * DEEP,
    "subqueries": "SELECT * FROM " + "(SELECT * FROM " * DEEP + "mimir.metrics"
                  + ") AS t" * DEEP,
    "IN in IN": "SELECT 1 IN " + "(1 IN " * DEEP + "(1)" + ")" * DEEP,
    "operators": "SELECT " + "1 + " * (10 * DEEP) + "1",
    "metrics filter": "SELECT AGG(orders_count) FROM mimir.metrics WHERE "
                      + "(" * DEEP + "city = 'Lyon'" + ")" * DEEP,
}


@pytest.mark.parametrize("sql", list(DEEP_CASES.values()), ids=list(DEEP_CASES))
def test_deeply_nested_expressions(hostile, demo_expected, sql):
    def round_():
        c = login(hostile)
        for _ in range(5):
            err = query_error(c, sql.encode())
            assert err.code in (1064, 1235) and err.sqlstate == "42000", err
            assert any(why in err.message for why in
                       ("nested too deeply", "too many operators", "more than")), err
            assert c.select_one("SELECT 1") == ("1",)
        c.close()

    assert_bounded(hostile, round_)
    assert_serves(hostile, demo_expected)


@pytest.mark.parametrize("n", [20_000, 1_000_000])
def test_huge_in_lists(hostile, demo_expected, n):
    """20,000 values are over the parser's IN-list limit; 1,000,000 are over
    the lexer's token limit (before that fix, such a list took memory in the
    square of its length: 60,000 values took 18 GiB)."""
    values = ", ".join(f"'c{i}'" for i in range(n))
    sql = f"SELECT AGG(orders_count) FROM mimir.metrics WHERE city IN ({values})".encode()

    def round_():
        c = login(hostile)
        err = query_error(c, sql)
        if n < 500_000:
            assert (err.code, err.sqlstate) == (1235, "42000"), err
            assert "IN lists of more than 10000 values" in err.message
        else:
            assert (err.code, err.sqlstate) == (1064, "42000"), err
            assert "statement too long" in err.message
        assert c.select_one("SELECT 1") == ("1",)
        c.close()

    assert_bounded(hostile, round_, bound_kib=RSS_BOUND_KIB + len(sql) // 1024)
    assert_serves(hostile, demo_expected)


@pytest.mark.parametrize("item", ["1", "city"])
def test_hundred_thousand_columns(hostile, demo_expected, item):
    sql = ("SELECT " + ", ".join([item] * 100_000)
           + (" FROM mimir.metrics GROUP BY city" if item == "city" else "")).encode()

    def round_():
        c = login(hostile)
        err = query_error(c, sql)
        assert (err.code, err.sqlstate) == (1235, "42000"), err
        assert "columns" in err.message
        assert c.select_one("SELECT 1") == ("1",)
        c.close()

    assert_bounded(hostile, round_, bound_kib=RSS_BOUND_KIB + len(sql) // 1024)
    assert_serves(hostile, demo_expected)


# --------------------------------------------------------------------------
# prepared statements
# --------------------------------------------------------------------------


def execute_error(c, stmt_id, block=b""):
    c.send(bytes([COM_STMT_EXECUTE]) + struct.pack("<IBI", stmt_id, 0, 1) + block)
    with pytest.raises(ServerError) as e:
        c.read_result()
    return e.value


def test_execute_unknown_statement_ids(hostile, demo_expected):
    def round_():
        c = login(hostile)
        stmt_id, _, _ = c.prepare("SELECT ?")
        c.send(bytes([COM_STMT_CLOSE]) + struct.pack("<I", stmt_id))
        for sid in (stmt_id, 0, 12345, 0xFFFFFFFF):
            for _ in range(25):
                err = execute_error(c, sid, RawClient.params_block([(MYSQL_TYPE_LONGLONG,
                                                                     struct.pack("<q", 1))]))
                assert (err.code, err.sqlstate) == (1243, "HY000"), err
                assert f"({sid})" in err.message
        assert c.select_one("SELECT 1") == ("1",)
        c.close()

    assert_bounded(hostile, round_)
    assert_serves(hostile, demo_expected)


def test_execute_with_wrong_parameter_counts(hostile, demo_expected):
    one = [(MYSQL_TYPE_LONGLONG, struct.pack("<q", 7))]
    three = one + [(MYSQL_TYPE_VAR_STRING, b"\x03abc"), (MYSQL_TYPE_LONGLONG, struct.pack("<q", 9))]

    def round_():
        c = login(hostile)
        stmt_id, _, nparams = c.prepare("SELECT ?, ?")
        assert nparams == 2
        for _ in range(25):
            # Fewer values than placeholders: the block ends early.
            err = execute_error(c, stmt_id, RawClient.params_block(one))
            assert (err.code, err.sqlstate) == (1210, "HY000"), err
            # No parameter block at all.
            err = execute_error(c, stmt_id)
            assert err.code == 1210, err
            # Values for parameters that do not exist.
            c.send(bytes([COM_STMT_SEND_LONG_DATA]) + struct.pack("<IH", stmt_id, 5) + b"zz")
            err = execute_error(c, stmt_id, RawClient.params_block(one * 2))
            assert err.code == 1210 and "long data" in err.message, err
        # More values than placeholders: the rest of the block is ignored, as MySQL does.
        c.send(bytes([COM_STMT_EXECUTE]) + struct.pack("<IBI", stmt_id, 0, 1)
               + RawClient.params_block(three))
        result = c.read_result()
        assert len(result.rows) == 1
        # 70,000 placeholders (as seven IN lists, each within the parser's limit).
        in_list = "city IN (" + ", ".join(["?"] * 10_000) + ")"
        too_many = "SELECT AGG(orders_count) FROM mimir.metrics WHERE " + " OR ".join([in_list] * 7)
        with pytest.raises(ServerError) as e:
            c.prepare(too_many)
        assert e.value.code == 1390, e.value
        assert c.select_one("SELECT 1") == ("1",)
        c.close()

    assert_bounded(hostile, round_)
    assert_serves(hostile, demo_expected)


# --------------------------------------------------------------------------
# passwords
# --------------------------------------------------------------------------

USER, PASSWORD = "analyst", "correct horse"


@pytest.fixture(scope="module")
def users_server(request, session_dir, pagila_secrets):
    """Pagila with one configured user (hashes from `mimir passwd`)."""
    entry = subprocess.run([str(MIMIR_BIN), "passwd", "--user", USER], input=PASSWORD,
                           capture_output=True, text=True, timeout=30)
    assert entry.returncode == 0, entry.stderr
    d = _make_dir(session_dir, "hostile-users-")
    (d / "server.yaml").write_text("users:\n" + entry.stdout)
    return start_module_server(request, session_dir, configs=PAGILA_CONFIGS,
                               secrets=pagila_secrets, name="mimir-hostile-users",
                               extra_args=["--server-config", str(d / "server.yaml")])


def timed_login(server, password):
    start = time.monotonic()
    try:
        pymysql.connect(host="127.0.0.1", port=server.port, user=USER, password=password,
                        connect_timeout=30, read_timeout=30).close()
        outcome = None
    except pymysql.err.OperationalError as e:
        outcome = e
    return outcome, time.monotonic() - start


def test_wrong_passwords_in_a_loop_are_slowed_down(users_server):
    """Each wrong password is 1045; after a few in a row from one address, every
    further attempt from it waits longer (up to a cap), so guessing is slow. The
    right password still gets in (after the wait) and clears the count."""
    elapsed = []
    for _ in range(7):
        err, took = timed_login(users_server, "wrong guess")
        assert err is not None and err.args[0] == 1045, err
        assert f"Access denied for user '{USER}'@'127.0.0.1' (using password: YES)" in err.args[1]
        elapsed.append(took)
    assert all(t < 0.5 for t in elapsed[:3]), elapsed
    # The 4th waits 0.25 s, then 0.5, 1, 2 s: each at least the one before.
    for i, t in enumerate(elapsed[3:]):
        assert t >= 0.25 * 2 ** i * 0.9, elapsed
    err, took = timed_login(users_server, PASSWORD)
    assert err is None, err
    assert took >= 3.5, took
    err, took = timed_login(users_server, "wrong again")
    assert err.args[0] == 1045 and took < 0.5, (err, took)
    assert "throttl" in users_server.stderr() or "failed logins" in users_server.stderr()


def test_parallel_wrong_passwords_wait_their_turn(users_server):
    """Many attempts at once from one penalised address are answered one delay
    apart, not all at once: parallel connections do not multiply the rate."""
    for _ in range(4):
        timed_login(users_server, "wrong guess")  # 4 failures: penalised
    start = time.monotonic()
    socks = []
    for _ in range(4):
        c = RawClient(users_server.port, user=USER)
        c.send(handshake_response(USER.encode(), BASE_CAPS), seq=1)
        socks.append(c)
    for c in socks:
        packets = read_all_until_closed(c, timeout=60)
        assert packets and parse_err(packets[-1]).code == 1045
    # Four answers, one delay (500 ms after 4 failures) apart at least.
    assert time.monotonic() - start >= 4 * 0.5 * 0.9
    err, _ = timed_login(users_server, PASSWORD)
    assert err is None, err


def test_wrong_passwords_do_not_grow_the_server(users_server):
    def round_():
        for _ in range(3):
            assert timed_login(users_server, "nope")[0].args[0] == 1045
        assert timed_login(users_server, PASSWORD)[0] is None  # clears the count

    assert_bounded(users_server, round_)
