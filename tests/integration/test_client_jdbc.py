"""MariaDB Connector/J (Debian's libmariadb-java), the JDBC driver DBeaver and
CloudBeaver use for MySQL/MariaDB connections, driven by the Java probe in
tests/clients/java: DatabaseMetaData (catalogs, tables, columns: what a
database browser shows), a Statement, and PreparedStatements both client-side
(the driver's default) and server-side (useServerPrepStmts=true, binary rows).
Every number is compared with PostgreSQL in the same run."""

from decimal import Decimal

import pytest

from client_support import (  # noqa: F401  (fixtures)
    BI_CATEGORIES,
    BI_COLUMNS,
    BI_QUERY,
    README_COLUMNS,
    README_PARAM_QUERY,
    bi_expected,
    clients_build,
    java_probe,
    metrics_table_required_columns,
    mimir_table_names,
    no_error,
    pagila_catalog,
    readme_expected,
    tls_server,
)
from support import README_QUERY

# java.sql.Types
BIGINT, DECIMAL, VARCHAR, TIMESTAMP = -5, 3, 12, 93

JAVA_CLASSES = {
    int: {"java.lang.Integer", "java.lang.Long"},
    Decimal: {"java.math.BigDecimal"},
    str: {"java.lang.String"},
}


def jdbc_url(mimir, user="anyone", password="", **options):
    params = {"user": user, "password": password, "connectTimeout": "10000"}
    params.update({k: str(v).lower() if isinstance(v, bool) else str(v)
                   for k, v in options.items()})
    return f"jdbc:mariadb://127.0.0.1:{mimir.port}/mimir?" + "&".join(
        f"{k}={v}" for k, v in params.items())


def as_json(row):
    """A PostgreSQL row as the probe prints it: BigDecimal as its plain string."""
    return [str(v) if isinstance(v, Decimal) else v for v in row]


def check_result(result, want, columns):
    result = no_error(result)
    assert [c["label"] for c in result["columns"]] == columns
    assert result["rows"] == [as_json(r) for r in want]
    # The Java classes follow from the column definitions Mimir sends.
    for col, value in zip(result["columns"], want[0]):
        assert col["class"] in JAVA_CLASSES[type(value)], (col, value)


def test_statement_readme_and_bi_queries(mimir, pg, java_probe):
    out = java_probe(jdbc_url(mimir), f"query={README_QUERY}", f"query={BI_QUERY}")
    assert "connect" not in out, out
    assert out["server"].startswith("8.0.")
    check_result(out["0:query"], readme_expected(pg), README_COLUMNS)
    check_result(out["1:query"], bi_expected(pg), BI_COLUMNS)


def test_client_side_prepared_statement(mimir, pg, java_probe):
    """The driver's default: parameters are bound into the text it sends."""
    bi_param = BI_QUERY.replace(", ".join(f"'{c}'" for c in BI_CATEGORIES),
                                ", ".join("?" for _ in BI_CATEGORIES))
    out = java_probe(jdbc_url(mimir),
                     f"prepare={README_PARAM_QUERY}", "string=Action",
                     f"prepare={bi_param}", *[f"string={c}" for c in BI_CATEGORIES])
    check_result(out["0:prepare"], readme_expected(pg), README_COLUMNS)
    check_result(out["1:prepare"], bi_expected(pg), BI_COLUMNS)


def test_server_side_prepared_statement(mimir, pg, java_probe):
    """useServerPrepStmts=true: COM_STMT_PREPARE/EXECUTE with binary rows."""
    bi_param = BI_QUERY.replace(", ".join(f"'{c}'" for c in BI_CATEGORIES),
                                ", ".join("?" for _ in BI_CATEGORIES))
    out = java_probe(jdbc_url(mimir, useServerPrepStmts=True),
                     f"prepare={README_PARAM_QUERY}", "string=Action",
                     f"prepare={bi_param}", *[f"string={c}" for c in BI_CATEGORIES],
                     f"query={README_QUERY}")
    check_result(out["0:prepare"], readme_expected(pg), README_COLUMNS)
    check_result(out["1:prepare"], bi_expected(pg), BI_COLUMNS)
    # the text protocol still works on the same connection afterwards
    check_result(out["2:query"], readme_expected(pg), README_COLUMNS)


def test_metadata_catalogs(mimir, java_probe):
    out = java_probe(jdbc_url(mimir), "catalogs")
    catalogs = [r[0] for r in no_error(out["0:catalogs"])]
    assert "mimir" in catalogs and "information_schema" in catalogs, catalogs


def test_metadata_tables(mimir, java_probe):
    out = java_probe(jdbc_url(mimir), "tables")
    rows = no_error(out["0:tables"])
    assert {r[1] for r in rows} == mimir_table_names()
    assert {r[0] for r in rows} == {"mimir"}
    remarks = {r[1]: r[3] for r in rows}
    for source, description in pagila_catalog()["sources"].items():
        assert remarks[source] == description


def test_metadata_columns_of_metrics(mimir, java_probe):
    out = java_probe(jdbc_url(mimir), "columns=metrics")
    rows = no_error(out["0:columns"])
    cols = {r[1]: {"data_type": r[2], "type_name": r[3], "remarks": r[4]} for r in rows}
    assert {r[0] for r in rows} == {"metrics"}
    assert metrics_table_required_columns() <= set(cols), sorted(cols)
    # Types DBeaver shows and uses to pick Java types: from the backend's result
    # types; dimensions VARCHAR; time columns DATETIME (java.sql.Types.TIMESTAMP).
    assert cols["movies_rented"]["data_type"] == BIGINT
    assert cols["rentals_revenue"]["data_type"] == DECIMAL
    assert cols["dim_rental_category"]["data_type"] == VARCHAR
    assert cols["ts"]["data_type"] == TIMESTAMP
    # COLUMN_COMMENT is the definition's description.
    cat = pagila_catalog()
    for name, description in {**cat["dimensions"], **cat["metrics"]}.items():
        assert cols[name]["remarks"] == description, name


@pytest.mark.parametrize("server_prep", [False, True])
def test_error_then_next_query(mimir, pg, java_probe, server_prep):
    """An unknown metric is a clear error through JDBC, and the same
    connection answers the next query."""
    out = java_probe(jdbc_url(mimir, useServerPrepStmts=server_prep),
                     "query=SELECT AGG(no_such_metric) FROM mimir.metrics",
                     f"query={README_QUERY}")
    err = out["0:query"]["error"]
    assert err["code"] == 1054 and err["sqlstate"] == "42S22", err
    assert "no_such_metric" in err["message"]
    check_result(out["1:query"], readme_expected(pg), README_COLUMNS)


def test_tls_with_password(tls_server, pg, java_probe):
    """useSsl with the server's CA (serverSslCert): the driver verifies the
    certificate and the host name; the server requires TLS and a password."""
    out = java_probe(jdbc_url(tls_server, user=tls_server.user, password=tls_server.password,
                              useSsl=True, serverSslCert=tls_server.tls_ca),
                     f"query={README_QUERY}", f"prepare={README_PARAM_QUERY}", "string=Action")
    assert "connect" not in out, out
    check_result(out["0:query"], readme_expected(pg), README_COLUMNS)
    check_result(out["1:prepare"], readme_expected(pg), README_COLUMNS)
