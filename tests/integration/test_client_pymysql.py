"""PyMySQL (Debian's python3-pymysql), plain and over TLS: connects to the
database `mimir`, reads the catalog with SHOW TABLES and information_schema,
runs the README and BI queries literally and with parameters (PyMySQL
interpolates them on the client), and compares with PostgreSQL."""

import ssl

import pymysql
import pytest
from pymysql.constants import CLIENT

from client_support import (  # noqa: F401  (fixtures)
    check_dbapi_catalog,
    check_dbapi_queries,
    fetch,
    readme_expected,
    tls_server,
)
from support import README_QUERY, assert_same_values


def connect(server, **kwargs):
    return pymysql.connect(host="127.0.0.1", port=server.port, user="anyone", password="",
                           database="mimir", connect_timeout=10, read_timeout=60, **kwargs)


def test_queries(mimir, pg):
    conn = connect(mimir)
    try:
        check_dbapi_queries(conn, pg)
    finally:
        conn.close()


def test_catalog(mimir):
    conn = connect(mimir)
    try:
        check_dbapi_catalog(conn)
    finally:
        conn.close()


def test_error_then_next_query(mimir, pg):
    conn = connect(mimir)
    try:
        with pytest.raises(pymysql.err.OperationalError) as excinfo:
            fetch(conn, "SELECT AGG(no_such_metric) FROM mimir.metrics")
        assert excinfo.value.args[0] == 1054 and "no_such_metric" in excinfo.value.args[1]
        assert_same_values(fetch(conn, README_QUERY)[1], readme_expected(pg))
    finally:
        conn.close()


def test_tls(tls_server, pg):
    """TLS, verifying the server's certificate and name, as a user with a
    password. The server requires TLS; PyMySQL would silently stay in clear
    text with a server that does not offer it, so the socket is checked too."""
    ctx = ssl.create_default_context(cafile=str(tls_server.tls_ca))
    conn = pymysql.connect(host="127.0.0.1", port=tls_server.port, user=tls_server.user,
                           password=tls_server.password, database="mimir", ssl=ctx,
                           connect_timeout=10, read_timeout=60)
    try:
        assert conn.server_capabilities & CLIENT.SSL
        assert isinstance(conn._sock, ssl.SSLSocket), "the connection is not encrypted"
        check_dbapi_queries(conn, pg)
    finally:
        conn.close()


def test_tls_wrong_password(tls_server):
    ctx = ssl.create_default_context(cafile=str(tls_server.tls_ca))
    with pytest.raises(pymysql.err.OperationalError) as excinfo:
        pymysql.connect(host="127.0.0.1", port=tls_server.port, user=tls_server.user,
                        password="not-the-password", database="mimir", ssl=ctx,
                        connect_timeout=10)
    assert excinfo.value.args[0] == 1045
