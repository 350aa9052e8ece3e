"""PHP's mysqli (Debian's php-cli and php-mysql: mysqlnd), driven by
tests/clients/php/probe.php, on the prepared-statement paths PHP applications
use (issue 13, "The prepared-statement protocol, complete"):

- the documented long-data pattern, `bind_param('b', $null)` then
  `send_long_data()`: mysqlnd sends the parameter's NULL bit with the long
  data, and MySQL (and MariaDB, and now Mimir) use the long data;
- `result_metadata()` and `bind_result()` before `execute()`: the columns
  COM_STMT_PREPARE announces, which must be those the execute returns.

Every number is compared with PostgreSQL in the same run; every error with
the error the same statement gets through COM_QUERY, and with the next
statement on the same connection."""

from decimal import Decimal

import pymysql
import pytest

from client_support import (BI_CATEGORIES, BI_COLUMNS, BI_QUERY, CLIENTS_SRC, README_COLUMNS,
                            README_PARAM_QUERY, bi_expected, mimir_table_names, readme_expected,
                            step_probe)
from support import RENTALS_SQL, expected, mysql_error

PHP_PROBE = CLIENTS_SRC / "php" / "probe.php"

# PHP binds the BI query's seven categories as seven string parameters.
BI_PARAM_QUERY = BI_QUERY.replace(", ".join(f"'{c}'" for c in BI_CATEGORIES),
                                  ", ".join("?" for _ in BI_CATEGORIES))

# What a field of result_metadata() must keep from prepare to execute. The
# display length is left out: a PostgreSQL `text` column is VARCHAR(255) in
# the catalog (docs/configuration.md) but of unknown length in a result.
SAME_FIELDS = ("name", "orgname", "table", "db", "type", "flags", "decimals", "charsetnr")

MYSQL_TYPE_NEWDECIMAL, MYSQL_TYPE_LONGLONG, MYSQL_TYPE_VAR_STRING = 246, 8, 253
MYSQL_TYPE_DATE, MYSQL_TYPE_DATETIME = 10, 12


@pytest.fixture(scope="session")
def php_probe():
    return step_probe("php", PHP_PROBE, "php-cli and php-mysql")


def ok(step):
    assert "error" not in step, step["error"]
    return step


def as_php(rows):
    """PostgreSQL rows as PHP's mysqli gives binary-protocol values: integers
    as ints, DECIMAL as its exact text."""
    return [[str(v) if isinstance(v, Decimal) else v for v in r] for r in rows]


def query_error(mimir, sql):
    """(code, message) of sql through COM_QUERY (PyMySQL): what the prepare must say."""
    conn = mimir.connect()
    try:
        with pytest.raises(pymysql.err.MySQLError) as excinfo:
            with conn.cursor() as cur:
                cur.execute(sql)
        return mysql_error(excinfo)
    finally:
        conn.close()


def assert_same_fields(step):
    assert step["before"] is not None, "result_metadata() before execute() gave nothing"
    assert step["bound"], "bind_result() before execute() failed"
    before = [{k: f[k] for k in SAME_FIELDS} for f in step["before"]]
    after = [{k: f[k] for k in SAME_FIELDS} for f in step["after"]]
    assert before == after


# --------------------------------------------------------------------------
# long data: bind_param('b', $null), send_long_data()
# --------------------------------------------------------------------------


def test_long_data_with_a_null_bound_is_the_value(mimir, pg, php_probe):
    null_filter = [tuple(r) for r in pg.query(
        f"SELECT dim_rental_category, COUNT(rental_id), SUM(amount) FROM ({RENTALS_SQL}) s "
        "WHERE dim_rental_category = NULL GROUP BY dim_rental_category")]
    want = readme_expected(pg)
    assert want and want != null_filter  # the two answers can be told apart
    steps = php_probe(
        mimir,
        {"kind": "long_data", "sql": README_PARAM_QUERY, "chunks": ["Action"]},
        # In pieces, as send_long_data is meant for; then the same statement
        # text again: long data belongs to one execute only.
        {"kind": "long_data", "sql": README_PARAM_QUERY, "chunks": ["Ac", "ti", "on"]},
        {"kind": "query", "sql": "SELECT 1"})
    assert ok(steps[0])["rows"] == as_php(want)
    assert ok(steps[1])["rows"] == as_php(want)
    assert ok(steps[2])["rows"] == [["1"]]


def test_long_data_of_a_value_that_fails_then_the_next_statement(mimir, php_probe):
    """A long-data value that is not a date, for a time filter: the backend's
    error, then the connection goes on."""
    sql = "SELECT AGG(movies_rented) FROM mimir.metrics WHERE ts >= ?"
    steps = php_probe(mimir,
                      {"kind": "long_data", "sql": sql, "chunks": ["not a date"]},
                      {"kind": "long_data", "sql": README_PARAM_QUERY, "chunks": ["Action"]})
    err = steps[0]["error"]
    assert (err["errno"], err["sqlstate"]) == (1105, "HY000")
    assert "timestamp" in err["message"] and "not a date" in err["message"]
    assert len(ok(steps[1])["rows"]) == 1


# --------------------------------------------------------------------------
# result_metadata() and bind_result() before execute()
# --------------------------------------------------------------------------


def test_metadata_before_execute_readme_query(mimir, pg, php_probe):
    (step,) = php_probe(mimir, {"kind": "metadata", "sql": README_PARAM_QUERY, "types": "s",
                                "params": ["Action"]})
    ok(step)
    assert_same_fields(step)
    assert [f["name"] for f in step["before"]] == README_COLUMNS
    assert [f["type"] for f in step["before"]] == [MYSQL_TYPE_VAR_STRING, MYSQL_TYPE_LONGLONG,
                                                   MYSQL_TYPE_NEWDECIMAL]
    assert step["before"][2]["decimals"] == 2
    assert step["rows"] == as_php(readme_expected(pg))


def test_metadata_before_execute_two_sources_and_aliases(mimir, pg, php_probe):
    """The BI query (aliases, IN, ORDER BY, LIMIT) and a query over both
    Pagila sources, combined after them; the second also with no rows."""
    both = ("SELECT dim_store_id AS store, AGG(movies_rented) AS rentals, "
            "AGG(payments_revenue) AS paid FROM mimir.metrics WHERE dim_store_id = ? "
            "GROUP BY dim_store_id")
    want_both = expected(pg, ["dim_store_id"], ["movies_rented", "payments_revenue"],
                         where="dim_store_id = 1")
    steps = php_probe(
        mimir,
        {"kind": "metadata", "sql": BI_PARAM_QUERY, "types": "s" * len(BI_CATEGORIES),
         "params": list(BI_CATEGORIES)},
        {"kind": "metadata", "sql": both, "types": "i", "params": [1]},
        {"kind": "metadata", "sql": both, "types": "i", "params": [999]})
    for step in steps:
        assert_same_fields(ok(step))
    assert [f["name"] for f in steps[0]["before"]] == BI_COLUMNS
    assert steps[0]["rows"] == as_php(bi_expected(pg))
    assert [f["name"] for f in steps[1]["before"]] == ["store", "rentals", "paid"]
    assert steps[1]["rows"] == as_php(want_both)
    assert steps[2]["rows"] == []


def test_metadata_before_execute_time_grains(mimir, pg, php_probe):
    days = [r[0] for r in pg.query(f"SELECT DISTINCT CAST(ts AS DATE) FROM ({RENTALS_SQL}) s "
                                   "ORDER BY 1 LIMIT 3")]
    sql = ("SELECT ds, ts_hour, AGG(movies_rented) FROM mimir.rentals "
           "WHERE ds BETWEEN ? AND ? GROUP BY ds, ts_hour ORDER BY ds, ts_hour")
    want = pg.query(f"SELECT CAST(ts AS DATE), date_trunc('hour', ts AT TIME ZONE 'UTC'), "
                    f"COUNT(rental_id) FROM ({RENTALS_SQL}) s "
                    "WHERE CAST(ts AS DATE) BETWEEN %s AND %s GROUP BY 1, 2 ORDER BY 1, 2",
                    (days[0], days[-1]))
    (step,) = php_probe(mimir, {"kind": "metadata", "sql": sql, "types": "ss",
                                "params": [str(days[0]), str(days[-1])]})
    assert_same_fields(ok(step))
    assert [f["type"] for f in step["before"]] == [MYSQL_TYPE_DATE, MYSQL_TYPE_DATETIME,
                                                   MYSQL_TYPE_LONGLONG]
    assert step["rows"] == [[str(d), f"{h:%Y-%m-%d %H:%M:%S}", n] for d, h, n in want]


def test_metadata_before_execute_catalog_statements(mimir, php_probe):
    steps = php_probe(
        mimir,
        {"kind": "metadata", "sql": "SELECT TABLE_NAME FROM information_schema.TABLES "
                                    "WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME",
         "types": "s", "params": ["mimir"]},
        {"kind": "metadata", "sql": "SHOW TABLES FROM mimir"},
        {"kind": "metadata", "sql": "SELECT @@version_comment, DATABASE()"})
    for step in steps:
        assert_same_fields(ok(step))
    assert [r[0] for r in steps[0]["rows"]] == sorted(mimir_table_names())
    assert {r[0] for r in steps[1]["rows"]} == mimir_table_names()
    assert steps[2]["rows"][0][1] == "mimir"


# --------------------------------------------------------------------------
# errors at prepare time, then the next statement
# --------------------------------------------------------------------------


@pytest.mark.parametrize("sql", [
    "SELECT AGG(no_such_metric) FROM mimir.metrics WHERE dim_store_id = ?",
    "SELECT no_such_dimension, AGG(movies_rented) FROM mimir.metrics WHERE ts >= ? "
    "GROUP BY no_such_dimension",
    "SELECT AGG(movies_rented) FROM mimir.no_such_table WHERE dim_store_id = ?",
], ids=["unknown_metric", "unknown_dimension", "unknown_table"])
def test_prepare_reports_unknown_names(mimir, php_probe, sql):
    """As MariaDB does: the prepare fails (1054, 1146), whatever the values
    bound later would be; the message is the one COM_QUERY gives."""
    code, message = query_error(mimir, sql.replace("?", "1"))
    assert code in (1054, 1146)
    steps = php_probe(mimir,
                      {"kind": "metadata", "sql": sql, "types": "i", "params": [1]},
                      {"kind": "query", "sql": "SELECT 1"})
    assert (steps[0]["error"]["errno"], steps[0]["error"]["message"]) == (code, message)
    assert ok(steps[1])["rows"] == [["1"]]
