"""mysqlclient (`MySQLdb`, Debian's python3-mysqldb, over MariaDB Connector/C),
plain and over TLS: connects to the database `mimir`, reads the catalog with
SHOW TABLES and information_schema, runs the README and BI queries literally
and with parameters, and compares with PostgreSQL."""

import MySQLdb
import pytest

from client_support import (  # noqa: F401  (fixtures)
    check_dbapi_catalog,
    check_dbapi_queries,
    fetch,
    readme_expected,
    tls_server,
)
from support import README_QUERY, assert_same_values


def connect(server, **kwargs):
    return MySQLdb.connect(host="127.0.0.1", port=server.port, user="anyone", passwd="",
                           db="mimir", connect_timeout=10, **kwargs)


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
        with pytest.raises(MySQLdb.OperationalError) as excinfo:
            fetch(conn, "SELECT AGG(no_such_metric) FROM mimir.metrics")
        assert excinfo.value.args[0] == 1054 and "no_such_metric" in excinfo.value.args[1]
        assert_same_values(fetch(conn, README_QUERY)[1], readme_expected(pg))
    finally:
        conn.close()


def test_tls(tls_server, pg):
    """With a CA, Connector/C requires TLS and verifies the server's certificate;
    the server requires TLS too, and the user has a password."""
    conn = MySQLdb.connect(host="127.0.0.1", port=tls_server.port, user=tls_server.user,
                           passwd=tls_server.password, db="mimir", connect_timeout=10,
                           ssl={"ca": str(tls_server.tls_ca)})
    try:
        check_dbapi_queries(conn, pg)
    finally:
        conn.close()
