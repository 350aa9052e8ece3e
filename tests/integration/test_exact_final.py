"""Exact numbers and MySQL's type rules in the final stage (issue 13, section 3).

When several sources are combined, or anything is computed over metrics, the
partial results go through an in-memory SQLite database (proxy/exec/combine.c)
that has no DECIMAL: Mimir keeps DECIMAL values as text there and computes on
them with exact functions (proxy/exec/combine_functions.c), and derives every
computed column's type from the expression (planner/final_exact.c).

The oracle is a real MariaDB holding the same rows as the two Pagila sources,
as tables whose columns are the dimensions and the metrics' row-level values:
SUM(amount) over them is exactly the metric, and MariaDB's answer to the same
expression over the grouped tables, value AND column type (type code,
decimals), is what Mimir must answer. PyMySQL reads every value (a DECIMAL
declared BIGINT would fail in int()).
"""

import random
from decimal import Decimal

import pymysql
import pytest
from pymysql.constants import FIELD_TYPE

from support import PAYMENTS_SQL, RENTALS_SQL

ORACLE_DB = "exact_oracle"

ORACLE_TABLES = [
    """CREATE TABLE rentals_rows (rental_id INT, ts DATETIME(6), customer_id INT, staff_id INT,
                                  dim_store_id INT, amount DECIMAL(5,2))""",
    """CREATE TABLE payments_rows (payment_id INT, ts DATETIME(6), customer_id INT, staff_id INT,
                                   dim_store_id INT, amount DECIMAL(5,2))""",
]

# Each metric as MariaDB computes it over the rows of its source.
ORACLE_METRICS = {
    "movies_rented": ("r", "COUNT(rental_id)"),
    "rentals_revenue": ("r", "SUM(amount)"),
    "payments_count": ("p", "COUNT(payment_id)"),
    "payments_revenue": ("p", "SUM(amount)"),
}



@pytest.fixture(scope="module")
def oracle(mariadb, pg):
    """MariaDB with the rows of both sources, as pg returns them."""
    mariadb.query(f"DROP DATABASE IF EXISTS {ORACLE_DB}")
    mariadb.query(f"CREATE DATABASE {ORACLE_DB}")
    for ddl in ORACLE_TABLES:
        mariadb.query(ddl, database=ORACLE_DB)
    cols = "{id}, ts, customer_id, staff_id, dim_store_id, amount"
    for table, sql, key in [("rentals_rows", RENTALS_SQL, "rental_id"),
                            ("payments_rows", PAYMENTS_SQL, "payment_id")]:
        mariadb.copy_from(pg, f"SELECT {cols.format(id=key)} FROM ({sql}) AS s", table, ORACLE_DB)
    conn = mariadb.connect_root(ORACLE_DB)
    yield conn
    conn.close()


def grouped(key, metrics_of):
    """The two sources' grouped partial results joined on key, in MariaDB. The
    payments side has every key (it is the LEFT side, as Mimir's FULL JOIN keeps
    it); keys only rentals have do not occur with the dimensions used here."""
    r = ", ".join(f"{e} AS {m}" for m, (s, e) in ORACLE_METRICS.items() if s == "r")
    p = ", ".join(f"{e} AS {m}" for m, (s, e) in ORACLE_METRICS.items() if s == "p")
    return (f"(SELECT {key}, {p} FROM payments_rows GROUP BY {key}) p "
            f"LEFT JOIN (SELECT {key}, {r} FROM rentals_rows GROUP BY {key}) r USING ({key})")


def oracle_expr(expr):
    """AGG(metric) is the joined column of that metric."""
    for m in ORACLE_METRICS:
        expr = expr.replace(f"AGG({m})", m)
    return expr


def run(conn, sql):
    with conn.cursor() as cur:
        cur.execute(sql)
        return cur.description, [tuple(r) for r in cur.fetchall()]


def type_of(desc):
    """What a driver decides its type by: the type code, and for DECIMAL the scale."""
    code, scale = desc[1], desc[5]
    if code == FIELD_TYPE.NEWDECIMAL:
        return ("decimal", scale)
    return (code,)


def same_value(got, want):
    if isinstance(want, Decimal):
        # Exactly the digits MySQL shows, scale included (str keeps trailing zeros).
        return isinstance(got, Decimal) and str(got) == str(want)
    if isinstance(want, float):
        return isinstance(got, float) and abs(got - want) <= 1e-9 * max(1.0, abs(want))
    return got == want


def same_type(m, o):
    """Exactly the same type, but for integers whose MariaDB display length is that of
    an INT (literals and truth values: MariaDB narrows BIGINT to INT by display width,
    which Mimir does not track); a metric's integers are BIGINT on both sides."""
    if type_of(m) == type_of(o):
        return True
    return m[1] == FIELD_TYPE.LONGLONG and o[1] == FIELD_TYPE.LONG and o[3] <= 11


def check(mimir_conn, oracle, mimir_sql, oracle_sql):
    mdesc, mrows = run(mimir_conn, mimir_sql)
    odesc, orows = run(oracle, oracle_sql)
    assert len(mdesc) == len(odesc) and all(same_type(m, o) for m, o in zip(mdesc, odesc)), (
        mimir_sql, mdesc, odesc)
    assert len(mrows) == len(orows), (mimir_sql, mrows, orows)
    for g, w in zip(mrows, orows):
        assert all(same_value(a, b) for a, b in zip(g, w)), (mimir_sql, g, w)
    return mrows


@pytest.fixture(scope="module")
def conn(mimir):
    c = mimir.connect()
    yield c
    c.close()


A, N = "AGG(payments_revenue)", "AGG(payments_count)"
R, M = "AGG(rentals_revenue)", "AGG(movies_rented)"

ONE_SOURCE = {
    "metric": A,
    "times_two": f"{A} * 2",
    "plus_decimal_literal": f"{A} + 1.5",
    "minus_count": f"{A} - {N}",
    "times_count": f"{A} * {N}",
    "per_payment": f"{A} / {N}",
    "round_percent": f"ROUND({A} * 100 / {N})",
    "round_2": f"ROUND({A} / {N}, 2)",
    "round_negative": f"ROUND({A}, -2)",
    "round_more_digits": f"ROUND({A}, 4)",
    "truncate_3": f"TRUNCATE({A} / {N}, 3)",
    "truncate_negative": f"TRUNCATE({A}, -1)",
    "percent_operator": f"{A} % 1000",
    "mod_function": f"MOD({A}, 7)",
    "mod_operator": f"{A} MOD 7",
    "integer_modulo": f"{N} % 7",
    "integer_div": f"{N} DIV 7",
    "cast_signed": f"CAST({A} AS SIGNED)",
    "cast_decimal_scale": f"CAST({A} AS DECIMAL(14,1))",
    "cast_quotient": f"CAST({A} / {N} AS DECIMAL(10,3))",
    "negation": f"-{A}",
    "abs": f"ABS(0 - {A})",
    "integer_ratio": f"{N} / 3",
    "rounded_integer_ratio": f"ROUND({N} / 7, 1)",
    "double_literal": f"{A} * 1e0",
    "if_merges_types": f"IF({N} > 100, {A}, 0)",
    "coalesce": f"COALESCE({A}, 0)",
    "inner_precision": f"{A} / 3 * 3",
    "nested_division": f"{A} / {N} / 7",
    "floor": f"FLOOR({A} / {N})",
    "ceil": f"CEIL({A})",
    "floor_integer": f"FLOOR({N})",
    "greatest": f"GREATEST({A}, 5000)",
    "least_integer_decimal": f"LEAST({N}, 2.5)",
    "comparison_in_select": f"{A} > 1000.5",
    "truth_values": f"({N} IN (1, 2)) + ({A} BETWEEN 1 AND 2) + ({N} IS NULL)",
    "in_as_a_value": f"{N} NOT IN (1, 2)",
    "isnull": f"ISNULL({A})",
}

TWO_SOURCES = {
    "sum_of_two": f"{R} + {A}",
    "difference": f"{A} - {R}",
    "ratio": f"{A} / {M}",
    "round_ratio": f"ROUND({R} * 100 / {M})",
    "modulo_mixed": f"{A} % {M}",
    "cast_signed_mixed": f"CAST({A} - {R} AS SIGNED)",
    "truncate_mixed": f"TRUNCATE({R} / {N}, 2)",
    "round_half": f"ROUND(({R} + 0.005) * 1, 2)",
    "greatest_mixed": f"GREATEST({A}, {R})",
}


def pair(expr, key="staff_id"):
    mimir_sql = (f"SELECT {key}, {expr} AS v FROM mimir.metrics GROUP BY {key} "
                 f"ORDER BY {key}")
    oracle_sql = (f"SELECT {key}, {oracle_expr(expr)} AS v FROM {grouped(key, ORACLE_METRICS)} "
                  f"ORDER BY {key}")
    return mimir_sql, oracle_sql


@pytest.mark.parametrize("expr", ONE_SOURCE.values(), ids=ONE_SOURCE.keys())
def test_one_source(conn, oracle, expr):
    check(conn, oracle, *pair(expr))


@pytest.mark.parametrize("expr", TWO_SOURCES.values(), ids=TWO_SOURCES.keys())
@pytest.mark.parametrize("key", ["staff_id", "dim_store_id"])
def test_two_sources(conn, oracle, expr, key):
    check(conn, oracle, *pair(expr, key))


def test_two_sources_combined_metrics_stay_exact(conn, oracle):
    """The combine used to turn 6.99 into 6.99000000000000021316."""
    sql = (f"SELECT customer_id, {R} AS r, {A} AS a, {M} AS m FROM mimir.metrics "
           f"GROUP BY customer_id ORDER BY customer_id")
    rows = check(conn, oracle, sql,
                 f"SELECT customer_id, rentals_revenue, payments_revenue, movies_rented "
                 f"FROM {grouped('customer_id', ORACLE_METRICS)} ORDER BY customer_id")
    assert any(r[1] is not None for r in rows) and any(r[1] is None for r in rows)


def test_a_decimal_dimension_joins_and_sorts_as_numbers(conn, oracle):
    """amount, a DECIMAL column of both sources, as the join key of the combine."""
    check(conn, oracle,
          f"SELECT amount, {A}, {R}, {M} FROM mimir.metrics GROUP BY amount "
          f"HAVING {N} IS NOT NULL ORDER BY amount",
          f"SELECT amount, payments_revenue, rentals_revenue, movies_rented "
          f"FROM {grouped('amount', ORACLE_METRICS)} ORDER BY amount")


def test_order_by_and_having_compare_decimals_as_numbers(conn, oracle):
    """Decimals are text in SQLite: ORDER BY and HAVING must still compare numbers."""
    check(conn, oracle,
          f"SELECT customer_id, {A} AS v FROM mimir.metrics GROUP BY customer_id "
          f"HAVING {A} > 100.5 ORDER BY v DESC, customer_id LIMIT 25",
          f"SELECT customer_id, payments_revenue AS v FROM {grouped('customer_id', ORACLE_METRICS)}"
          f" WHERE payments_revenue > 100.5 ORDER BY v DESC, customer_id LIMIT 25")
    check(conn, oracle,
          f"SELECT customer_id, {A} - {R} AS v FROM mimir.metrics GROUP BY customer_id "
          f"ORDER BY v DESC, customer_id LIMIT 25",
          f"SELECT customer_id, payments_revenue - rentals_revenue AS v "
          f"FROM {grouped('customer_id', ORACLE_METRICS)} ORDER BY v DESC, customer_id LIMIT 25")
    rows = run(conn, f"SELECT customer_id, {A} FROM mimir.metrics GROUP BY customer_id "
                     f"ORDER BY 2 LIMIT 3")[1]
    listed = ", ".join(str(r[1]) + "0" for r in rows)  # 12.340: equal as numbers, not as text
    check(conn, oracle,
          f"SELECT customer_id, {A} AS v FROM mimir.metrics GROUP BY customer_id "
          f"HAVING {A} IN ({listed}) ORDER BY 2, 1",
          f"SELECT customer_id, payments_revenue AS v FROM {grouped('customer_id', ORACLE_METRICS)}"
          f" WHERE payments_revenue IN ({listed}) ORDER BY 2, 1")
    check(conn, oracle,
          f"SELECT customer_id, {A} AS v FROM mimir.metrics GROUP BY customer_id "
          f"HAVING {A} BETWEEN 90 AND 120.5 ORDER BY 2, 1",
          f"SELECT customer_id, payments_revenue AS v FROM {grouped('customer_id', ORACLE_METRICS)}"
          f" WHERE payments_revenue BETWEEN 90 AND 120.5 ORDER BY 2, 1")


def test_quotients_compare_as_mysql_shows_them(conn, oracle):
    """A quotient keeps MySQL's inner precision in arithmetic but compares as shown
    (2/3 = 0.6667 holds in MariaDB); an IN list of several values and GREATEST use
    the inner value there: Mimir follows both."""
    shown = run(conn, f"SELECT staff_id, {A} / 7 FROM mimir.metrics GROUP BY staff_id "
                      f"ORDER BY staff_id")[1]
    v = shown[0][1]
    for cond in [f"{A} / 7 = {v}", f"{A} / 7 > {v}", f"{A} / 7 <= {v}",
                 f"{A} / 7 IN ({v})", f"{A} / 7 IN ({v}, 1)",
                 f"{A} / 7 BETWEEN {v} AND {v}", f"GREATEST({A} / 7, {v}) = {v}",
                 f"GREATEST({A} / 7, {v}) > {v}", f"{A} / 7 * 7 = {A}"]:
        check(conn, oracle,
              f"SELECT staff_id, {A} / 7 AS v FROM mimir.metrics GROUP BY staff_id "
              f"HAVING {cond} ORDER BY staff_id",
              f"SELECT staff_id, payments_revenue / 7 AS v FROM {grouped('staff_id', ORACLE_METRICS)}"
              f" WHERE {oracle_expr(cond)} ORDER BY staff_id")


def test_a_quotient_as_text_is_refused(conn):
    with pytest.raises(pymysql.MySQLError) as err:
        run(conn, f"SELECT staff_id, CONCAT({A} / {N}, ' per payment') FROM mimir.metrics "
                  f"GROUP BY staff_id")
    code, message = err.value.args
    assert code == 1235
    assert ("doesn't yet support CONCAT() of a quotient computed after the combine; write "
            "ROUND(x, decimals) around it") in message
    _, rows = run(conn, f"SELECT staff_id, CONCAT(ROUND({A} / {N}, 2), ' per payment') "
                        f"FROM mimir.metrics GROUP BY staff_id")
    assert rows and all(r[1].endswith(" per payment") for r in rows)


def test_derived_table_aggregates_stay_exact(conn, oracle):
    inner_m = f"SELECT customer_id, {A} AS v FROM mimir.metrics GROUP BY customer_id"
    inner_o = f"SELECT customer_id, payments_revenue AS v FROM {grouped('customer_id', ORACLE_METRICS)}"
    outer = "SELECT SUM(v), MAX(v), MIN(v), AVG(v), COUNT(*), SUM(v) / COUNT(*) FROM ({}) t"
    check(conn, oracle, outer.format(inner_m), outer.format(inner_o))
    outer = "SELECT customer_id, v * 2 AS w FROM ({}) t WHERE v > 150 ORDER BY 2 DESC, 1"
    check(conn, oracle, outer.format(inner_m), outer.format(inner_o))


def test_derived_table_keeps_date_and_decimal_types(conn, oracle):
    mdesc, mrows = run(conn, f"SELECT ds, a FROM (SELECT ds, {A} AS a FROM mimir.metrics "
                             f"GROUP BY ds) t ORDER BY ds LIMIT 3")
    odesc, orows = run(oracle, "SELECT DATE(ts) AS ds, SUM(amount) AS a FROM payments_rows "
                               "GROUP BY DATE(ts) ORDER BY ds LIMIT 3")
    assert [type_of(d) for d in mdesc] == [type_of(d) for d in odesc]
    assert mdesc[0][1] == FIELD_TYPE.DATE
    assert mrows == orows


def test_derived_table_keeps_datetime(conn, oracle):
    mdesc, mrows = run(conn, f"SELECT ts, n * 2 AS n2 FROM (SELECT ts, {N} AS n FROM "
                             f"mimir.metrics GROUP BY ts) t ORDER BY ts LIMIT 3")
    odesc, orows = run(oracle, "SELECT ts, COUNT(payment_id) * 2 AS n2 FROM payments_rows "
                               "GROUP BY ts ORDER BY ts LIMIT 3")
    assert [type_of(d) for d in mdesc] == [type_of(d) for d in odesc]
    assert mdesc[0][1] == FIELD_TYPE.DATETIME
    assert mrows == orows


def test_sum_distinct_over_a_derived_table_is_refused(conn):
    inner = f"SELECT customer_id, {A} AS v FROM mimir.metrics GROUP BY customer_id"
    with pytest.raises(pymysql.MySQLError) as err:
        run(conn, f"SELECT SUM(DISTINCT v) FROM ({inner}) t")
    code, message = err.value.args
    assert code == 1235
    assert "doesn't yet support sum(distinct ...) over numbers of a derived table" in message.lower()
    _, rows = run(conn, f"SELECT COUNT(DISTINCT v) FROM ({inner}) t")
    assert rows[0][0] > 0


def test_date_add_of_a_date_is_a_date(conn, oracle):
    check(conn, oracle,
          f"SELECT DATE_ADD(ds, INTERVAL 1 DAY) AS d, {N} AS n FROM mimir.metrics "
          f"GROUP BY ds ORDER BY ds LIMIT 3",
          "SELECT DATE_ADD(DATE(ts), INTERVAL 1 DAY) AS d, COUNT(payment_id) AS n "
          "FROM payments_rows GROUP BY DATE(ts) ORDER BY DATE(ts) LIMIT 3")


def test_str_to_date_is_typed_by_its_format(conn, oracle):
    """MySQL: a DATE when the format has date parts only, a DATETIME with time
    parts too; in the source's SQL and in the final stage over a derived table."""
    check(conn, oracle,
          f"SELECT STR_TO_DATE(DATE_FORMAT(ts, '%Y-%m-01'), '%Y-%m-%d') AS m, {N} AS n "
          f"FROM mimir.metrics GROUP BY 1 ORDER BY 1",
          "SELECT STR_TO_DATE(DATE_FORMAT(ts, '%Y-%m-01'), '%Y-%m-%d') AS m, "
          "COUNT(payment_id) AS n FROM payments_rows GROUP BY 1 ORDER BY 1")
    outer = ("SELECT STR_TO_DATE(d, '%Y-%m-%d') AS x, STR_TO_DATE(CONCAT(d, ' 10:00:00'), "
             "'%Y-%m-%d %H:%i:%s') AS y, n FROM ({}) t ORDER BY 1 LIMIT 3")
    check(conn, oracle,
          outer.format(f"SELECT DATE_FORMAT(ts, '%Y-%m-%d') AS d, {N} AS n FROM mimir.metrics "
                       f"GROUP BY 1"),
          outer.format("SELECT DATE_FORMAT(ts, '%Y-%m-%d') AS d, COUNT(payment_id) AS n "
                       "FROM payments_rows GROUP BY 1"))


def test_distinct_over_hidden_group_keys(conn, oracle):
    check(conn, oracle,
          "SELECT DISTINCT staff_id FROM mimir.metrics GROUP BY staff_id, dim_store_id "
          "ORDER BY staff_id",
          "SELECT DISTINCT staff_id FROM payments_rows GROUP BY staff_id, dim_store_id "
          "ORDER BY staff_id")


def test_a_result_past_38_digits_is_refused(conn):
    """Past 38 digits the exact result is refused, never rounded; the
    connection answers the next query."""
    big = "100000000000000000000"
    with pytest.raises(pymysql.MySQLError) as err:
        run(conn, f"SELECT staff_id, {A} * {big} * {big} FROM mimir.metrics GROUP BY staff_id")
    code, message = err.value.args
    assert code == 1105
    assert "DECIMAL value is out of range: an exact result needs more than 38 digits" in message
    _, rows = run(conn, f"SELECT staff_id, {A} * 2 FROM mimir.metrics GROUP BY staff_id")
    assert len(rows) >= 1 and all(isinstance(r[1], Decimal) for r in rows)


def test_bigint_overflow_is_an_error(conn):
    with pytest.raises(pymysql.MySQLError) as err:
        run(conn, f"SELECT staff_id, {N} * 9223372036854775807 FROM mimir.metrics "
                  f"GROUP BY staff_id")
    code, message = err.value.args
    assert code == 1105 and "BIGINT value is out of range" in message
    _, rows = run(conn, f"SELECT staff_id, {N} + 1 FROM mimir.metrics GROUP BY staff_id")
    assert len(rows) >= 1


def test_round_needs_its_arguments(conn):
    with pytest.raises(pymysql.MySQLError) as err:
        run(conn, f"SELECT staff_id, ROUND({A}, 1, 2) FROM mimir.metrics GROUP BY staff_id")
    code, message = err.value.args
    assert code == 1210  # Mimir's code for a wrong argument count (ER_WRONG_ARGUMENTS)
    assert "Incorrect parameter count in the call to native function 'ROUND'" in message
    _, rows = run(conn, f"SELECT staff_id, ROUND({A}, 1) FROM mimir.metrics GROUP BY staff_id")
    assert len(rows) >= 1


# ---- randomised differential test against MariaDB ---------------------------

LEAVES = [A, N, R, M]


def random_expr(rng, depth):
    if depth == 0 or rng.random() < 0.25:
        pick = rng.random()
        if pick < 0.7:
            return rng.choice(LEAVES)
        if pick < 0.85:
            return str(rng.randint(1, 50))
        return rng.choice(["2.5", "0.75", "1.05", "10.125"])
    a = random_expr(rng, depth - 1)
    kind = rng.random()
    if kind < 0.6:
        b = random_expr(rng, depth - 1)
        return f"({a} {rng.choice(['+', '-', '*', '/', '%'])} {b})"
    if kind < 0.7:
        return f"ROUND({a}, {rng.choice([0, 1, 2, -1])})"
    if kind < 0.77:
        return f"TRUNCATE({a}, {rng.choice([0, 1, 3])})"
    if kind < 0.82:
        return f"CAST({a} AS SIGNED)"
    if kind < 0.87:
        return f"CAST({a} AS DECIMAL(20,3))"
    if kind < 0.91:
        return f"{rng.choice(['FLOOR', 'CEIL', 'ABS'])}({a})"
    if kind < 0.95:
        return f"MOD({a}, {random_expr(rng, depth - 1)})"
    return f"{rng.choice(['GREATEST', 'LEAST'])}({a}, {random_expr(rng, depth - 1)})"


def test_random_expressions_match_mariadb(conn, oracle):
    """A fixed seed: 60 expressions over metrics of two sources, each compared
    with MariaDB (value and type), selected and in HAVING. A result past 38
    digits may be refused (an error), never answered with another number."""
    rng = random.Random(20261206)
    refused = 0
    for _ in range(60):
        expr = random_expr(rng, 3)
        mimir_sql, oracle_sql = pair(expr, rng.choice(["staff_id", "dim_store_id"]))
        if rng.random() < 0.25:  # the same expression as a condition after the combine
            key = mimir_sql.split()[1].rstrip(",")
            mimir_sql = mimir_sql.replace(" ORDER BY", f" HAVING {expr} > 10 ORDER BY")
            oracle_sql = (f"SELECT * FROM ({oracle_sql.rsplit(' ORDER BY', 1)[0]}) q "
                          f"WHERE v > 10 ORDER BY {key}")
        try:
            check(conn, oracle, mimir_sql, oracle_sql)
        except pymysql.MySQLError as e:
            assert "out of range" in str(e), (expr, e)
            refused += 1
    assert refused <= 6
