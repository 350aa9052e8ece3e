"""Real clients: many PyMySQL connections at once, and the statements that
clients send on their own when they connect (the mariadb CLI, PyMySQL's
autocommit handling, drivers asking for @@version_comment, USE, SET NAMES).

A slow query that should not block other clients cannot be produced through
the metrics surface against Pagila, so that case is not covered here."""

import threading

import pymysql
import pytest

from support import (
    PAYMENTS_SQL,
    README_EXPECTED_SQL,
    README_QUERY,
    RENTALS_SQL,
    assert_answers_select_1,
    assert_same_values,
)

N_CLIENTS = 10
QUERIES_PER_CLIENT = 5


def test_ten_concurrent_clients(mimir, pg):
    want = [tuple(r) for r in pg.query(README_EXPECTED_SQL)]
    start = threading.Barrier(N_CLIENTS)
    failures = []
    results = [None] * N_CLIENTS

    def client(i):
        try:
            conn = mimir.connect()
            try:
                start.wait(timeout=30)  # all connected: now query at the same time
                got = []
                for _ in range(QUERIES_PER_CLIENT):
                    with conn.cursor() as cur:
                        cur.execute(README_QUERY)
                        got.append([tuple(r) for r in cur.fetchall()])
                results[i] = got
            finally:
                conn.close()
        except BaseException as e:  # reported below, with the client's number
            failures.append((i, repr(e)))
            start.abort()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(N_CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not [t for t in threads if t.is_alive()], "clients still running after 120 s"
    assert not failures, failures
    for got in results:
        assert len(got) == QUERIES_PER_CLIENT
        for rows in got:
            assert_same_values(rows, want)


def test_ten_concurrent_clients_mixed_queries(mimir, pg):
    """Different queries interleaved on different connections must not get
    each other's rows."""
    queries = [
        ("SELECT dim_store_id, AGG(movies_rented) FROM mimir.metrics GROUP BY dim_store_id "
         "ORDER BY dim_store_id",
         pg.query(f"SELECT dim_store_id, COUNT(rental_id) FROM ({RENTALS_SQL}) s "
                  "GROUP BY 1 ORDER BY 1")),
        (README_QUERY, pg.query(README_EXPECTED_SQL)),
        ("SELECT AGG(payments_count) FROM mimir.metrics",
         pg.query(f"SELECT COUNT(payment_id) FROM ({PAYMENTS_SQL}) s")),
    ]
    failures = []

    def client(i):
        try:
            conn = mimir.connect()
            try:
                for k in range(6):
                    sql, want = queries[(i + k) % len(queries)]
                    with conn.cursor() as cur:
                        cur.execute(sql)
                        assert_same_values([tuple(r) for r in cur.fetchall()],
                                           [tuple(r) for r in want])
            finally:
                conn.close()
        except BaseException as e:
            failures.append((i, repr(e)))

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(N_CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not [t for t in threads if t.is_alive()], "clients still running after 120 s"
    assert not failures, failures


def test_mariadb_cli_select_1(mimir):
    result = mimir.mariadb_cli("select 1")
    assert result.columns == ["1"]
    assert list(result) == [("1",)]


def test_mariadb_cli_with_database_and_empty_password(mimir):
    # -D sends the database in the handshake (CLIENT_CONNECT_WITH_DB);
    # --password= sends an explicitly empty password.
    result = mimir.mariadb_cli("SELECT 1", "-D", "mimir", "--password=")
    assert list(result) == [("1",)]


@pytest.mark.parametrize("user", ["anyone", "root", "tableau_user"])
def test_any_user_with_empty_password(mimir, user):
    conn = mimir.connect(user=user)
    try:
        assert_answers_select_1(conn)
    finally:
        conn.close()


CONNECT_TIME = [
    "select @@version_comment limit 1",
    "SELECT DATABASE()",
    "USE mimir",
    "SET NAMES utf8mb4",
    "SET autocommit=1",
    "SET autocommit=0",
]


@pytest.mark.parametrize("sql", CONNECT_TIME)
def test_connect_time_statements(mimir, sql):
    conn = mimir.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            rows = cur.fetchall()
            if sql.lower().startswith("select"):
                assert len(rows) == 1
            else:
                assert rows == ()
        assert_answers_select_1(conn)
    finally:
        conn.close()


def test_connect_time_statements_through_mariadb_cli(mimir):
    proc = mimir.mariadb_cli_run("select @@version_comment limit 1; SELECT DATABASE(); "
                                 "USE mimir; SET NAMES utf8mb4; SET autocommit=1; SELECT 1")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.rstrip("\n").split("\n")[-2:] == ["1", "1"]


def test_pymysql_default_autocommit_handling(mimir, pg):
    # PyMySQL's defaults (autocommit=False) make it send SET AUTOCOMMIT = 0
    # after the handshake when the server reports autocommit on, as
    # SQLAlchemy does: that must not break the session.
    want = [tuple(r) for r in pg.query(README_EXPECTED_SQL)]
    conn = pymysql.connect(host="127.0.0.1", port=mimir.port, user="anyone", password="",
                           connect_timeout=10, read_timeout=60)
    try:
        with conn.cursor() as cur:
            cur.execute(README_QUERY)
            assert_same_values([tuple(r) for r in cur.fetchall()], want)
        conn.ping(reconnect=False)  # COM_PING, as connection pools do
    finally:
        conn.close()


def test_connect_with_database(mimir, pg):
    want = [tuple(r) for r in pg.query(README_EXPECTED_SQL)]
    conn = mimir.connect(database="mimir")
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT DATABASE()")
            assert cur.fetchall() == (("mimir",),)
            cur.execute(README_QUERY)
            assert_same_values([tuple(r) for r in cur.fetchall()], want)
    finally:
        conn.close()


def test_server_version_is_mysql_8(mimir):
    conn = mimir.connect()
    try:
        assert conn.get_server_info().startswith("8.0.")
    finally:
        conn.close()
