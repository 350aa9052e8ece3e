"""Ruby's mysql2 (Debian's ruby-mysql2, over libmariadb), driven by
tests/clients/ruby/probe.rb: `Statement#fields` right after `Client#prepare`
is what COM_STMT_PREPARE announced (issue 13: it was empty for metrics
queries, where MariaDB lists the columns), and must be the columns the
execute returns. Numbers are compared with PostgreSQL in the same run."""

from decimal import Decimal

import pytest

from client_support import (BI_CATEGORIES, BI_COLUMNS, BI_QUERY, CLIENTS_SRC, README_COLUMNS,
                            README_PARAM_QUERY, bi_expected, readme_expected, step_probe)

RUBY_PROBE = CLIENTS_SRC / "ruby" / "probe.rb"

BI_PARAM_QUERY = BI_QUERY.replace(", ".join(f"'{c}'" for c in BI_CATEGORIES),
                                  ", ".join("?" for _ in BI_CATEGORIES))


@pytest.fixture(scope="session")
def ruby_probe():
    return step_probe("ruby", RUBY_PROBE, "ruby-mysql2")


def as_ruby(rows):
    return [[str(v) if isinstance(v, Decimal) else v for v in r] for r in rows]


def ok(step):
    assert "error" not in step, step["error"]
    return step


def test_statement_fields_before_execute(mimir, pg, ruby_probe):
    steps = ruby_probe(
        mimir,
        {"kind": "prepare", "sql": README_PARAM_QUERY, "params": ["Action"]},
        {"kind": "prepare", "sql": BI_PARAM_QUERY, "params": list(BI_CATEGORIES)},
        {"kind": "prepare", "sql": "SHOW TABLES FROM mimir"})
    assert ok(steps[0])["fields"] == README_COLUMNS == steps[0]["result_fields"]
    assert steps[0]["rows"] == as_ruby(readme_expected(pg))
    assert ok(steps[1])["fields"] == BI_COLUMNS == steps[1]["result_fields"]
    assert steps[1]["rows"] == as_ruby(bi_expected(pg))
    assert ok(steps[2])["fields"] == steps[2]["result_fields"] == ["Tables_in_mimir"]


def test_prepare_of_an_unknown_metric_then_the_next_query(mimir, ruby_probe):
    steps = ruby_probe(
        mimir,
        {"kind": "prepare", "sql": "SELECT AGG(no_such_metric) FROM mimir.metrics "
                                   "WHERE dim_store_id = ?", "params": [1]},
        {"kind": "query", "sql": "SELECT 1 AS one"})
    err = steps[0]["error"]
    assert (err["errno"], err["sqlstate"]) == (1054, "42S22")
    assert err["message"].startswith("Unknown column 'no_such_metric'")
    assert ok(steps[1])["rows"] == [[1]]
