"""Node's mysql2 (from npm, tests/clients/node with its committed lockfile),
driven by tests/clients/node/probe.js: `query` (text protocol, parameters
interpolated by the driver) and `execute` (server-side prepared statements
with binary rows). The catalog is read the way Node ORMs and query builders
do: SHOW TABLES and information_schema.COLUMNS with parameters. Every number
is compared with PostgreSQL in the same run."""

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
    metrics_table_required_columns,
    mimir_table_names,
    no_error,
    node_probe,
    pagila_catalog,
    readme_expected,
    tls_server,
)
from support import README_QUERY

# mysql2 returns DECIMAL as a string (exact digits) and integers as numbers.
BI_PARAM_QUERY = BI_QUERY.replace(", ".join(f"'{c}'" for c in BI_CATEGORIES),
                                  ", ".join("?" for _ in BI_CATEGORIES))


def as_json(row):
    return [str(v) if isinstance(v, Decimal) else v for v in row]


def check_result(result, want, columns):
    result = no_error(result)
    assert [c["name"] for c in result["columns"]] == columns
    assert result["rows"] == [as_json(r) for r in want]


def run(node_probe, mimir, *steps):
    out = node_probe({"port": mimir.port, "database": "mimir", "steps": list(steps)})
    assert "connect" not in out, out
    return out["steps"]


def test_query_readme_and_bi(mimir, pg, node_probe):
    steps = run(node_probe, mimir,
                {"kind": "query", "sql": README_QUERY},
                {"kind": "query", "sql": BI_QUERY},
                # mysql2 interpolates the parameters itself here
                {"kind": "query", "sql": README_PARAM_QUERY, "params": ["Action"]},
                {"kind": "query", "sql": BI_PARAM_QUERY, "params": list(BI_CATEGORIES)})
    check_result(steps[0], readme_expected(pg), README_COLUMNS)
    check_result(steps[1], bi_expected(pg), BI_COLUMNS)
    check_result(steps[2], readme_expected(pg), README_COLUMNS)
    check_result(steps[3], bi_expected(pg), BI_COLUMNS)


def test_execute_prepared(mimir, pg, node_probe):
    """`execute`: COM_STMT_PREPARE, COM_STMT_EXECUTE with typed parameters,
    binary result rows."""
    steps = run(node_probe, mimir,
                {"kind": "execute", "sql": README_PARAM_QUERY, "params": ["Action"]},
                {"kind": "execute", "sql": BI_PARAM_QUERY, "params": list(BI_CATEGORIES)},
                # the same statement again: mysql2 reuses its prepared statement
                {"kind": "execute", "sql": README_PARAM_QUERY, "params": ["Action"]},
                {"kind": "query", "sql": README_QUERY})
    check_result(steps[0], readme_expected(pg), README_COLUMNS)
    check_result(steps[1], bi_expected(pg), BI_COLUMNS)
    check_result(steps[2], readme_expected(pg), README_COLUMNS)
    check_result(steps[3], readme_expected(pg), README_COLUMNS)


def test_show_tables(mimir, node_probe):
    (result,) = run(node_probe, mimir, {"kind": "query", "sql": "SHOW TABLES FROM mimir"})
    assert {r[0] for r in no_error(result)["rows"]} == mimir_table_names()


@pytest.mark.parametrize("kind", ["query", "execute"])
def test_information_schema_columns(mimir, node_probe, kind):
    """How query builders (knex's columnInfo, for one) list a table's columns."""
    sql = ("SELECT COLUMN_NAME, DATA_TYPE, COLUMN_COMMENT FROM information_schema.COLUMNS "
           "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION")
    (result,) = run(node_probe, mimir, {"kind": kind, "sql": sql, "params": ["mimir", "metrics"]})
    rows = no_error(result)["rows"]
    cols = {r[0]: (r[1].lower(), r[2]) for r in rows}
    assert metrics_table_required_columns() <= set(cols), sorted(cols)
    assert cols["movies_rented"][0] == "bigint"
    assert cols["rentals_revenue"][0] == "decimal"
    assert cols["dim_rental_category"][0] == "varchar"
    assert cols["ts"][0] == "datetime"
    cat = pagila_catalog()
    for name, description in {**cat["dimensions"], **cat["metrics"]}.items():
        assert cols[name][1] == description, name


@pytest.mark.parametrize("kind", ["query", "execute"])
def test_error_then_next_query(mimir, pg, node_probe, kind):
    steps = run(node_probe, mimir,
                {"kind": kind, "sql": "SELECT AGG(no_such_metric) FROM mimir.metrics"},
                {"kind": kind, "sql": README_QUERY})
    err = steps[0]["error"]
    assert err["errno"] == 1054 and err["sqlstate"] == "42S22", err
    assert "no_such_metric" in err["message"]
    check_result(steps[1], readme_expected(pg), README_COLUMNS)


def test_tls_with_password(tls_server, pg, node_probe):
    """TLS verifying the server's certificate against its CA, as a user with a
    password (the server requires TLS)."""
    out = node_probe({"port": tls_server.port, "database": "mimir", "user": tls_server.user,
                      "password": tls_server.password, "ssl_ca": str(tls_server.tls_ca),
                      "steps": [{"kind": "query", "sql": README_QUERY},
                                {"kind": "execute", "sql": BI_PARAM_QUERY,
                                 "params": list(BI_CATEGORIES)}]})
    assert "connect" not in out, out
    check_result(out["steps"][0], readme_expected(pg), README_COLUMNS)
    check_result(out["steps"][1], bi_expected(pg), BI_COLUMNS)
