"""Expected results, computed on PostgreSQL, and comparison helpers.

The Pagila sources below are configs/pagila's `rentals` and `payments` SQL,
verbatim, with the spliced dimensions added to their select lists the way the
configuration defines them (dimension SQL is evaluated inside the source):

  dim_rental_category  COALESCE(category.name, 'Uncategorized')   rentals
  dim_store_id         inventory.store_id                         rentals, payments

Expected numbers come from wrapping such a source as a subquery and
aggregating it with the metric's own expression; queries touching two sources
FULL OUTER JOIN the grouped subqueries USING the requested dimensions, which
is the semantics Mimir promises. Nothing here is a constant from an old run.
"""

import subprocess
from decimal import Decimal

import pymysql
import pytest
from pymysql.constants import FIELD_TYPE

RENTALS_SQL = """
SELECT rental.rental_id, rental.rental_date as ts, rental.inventory_id, rental.customer_id,
       rental.return_date as return_ts, rental.staff_id, category.name as category_name,
       payment.amount as amount,
       COALESCE(category.name, 'Uncategorized') AS dim_rental_category,
       inventory.store_id AS dim_store_id
FROM rental
JOIN inventory on rental.inventory_id = inventory.inventory_id
JOIN film_category ON inventory.inventory_id = film_category.category_id
JOIN category ON film_category.category_id = category.category_id
LEFT JOIN payment payment on payment.rental_id = rental.rental_id
"""

PAYMENTS_SQL = """
SELECT payment.payment_id, payment.payment_date AS ts, payment.customer_id, payment.staff_id,
       payment.amount,
       inventory.store_id AS dim_store_id
FROM payment
JOIN rental ON rental.rental_id = payment.rental_id
JOIN inventory ON inventory.inventory_id = rental.inventory_id
"""

COPIES_OUT_SQL = """
SELECT snapshot.day AS snapshot_date, inventory.store_id, COUNT(rental.rental_id) AS copies_out
FROM generate_series((SELECT min(rental_date)::date FROM rental),
                     (SELECT max(rental_date)::date FROM rental), interval '1 day') AS snapshot(day)
JOIN rental ON rental.rental_date < snapshot.day + interval '1 day'
  AND (rental.return_date IS NULL OR rental.return_date >= snapshot.day + interval '1 day')
JOIN inventory ON inventory.inventory_id = rental.inventory_id
GROUP BY snapshot.day, inventory.store_id
"""

SOURCES = {"rentals": RENTALS_SQL, "payments": PAYMENTS_SQL, "copies_out": COPIES_OUT_SQL}
# The output name of each source's time column, where it is not ts (time_col_alias).
TIME_ALIASES = {"copies_out": "snapshot_date"}

# metric -> (source, aggregate expression over the source's columns)
METRICS = {
    "movies_rented": ("rentals", "COUNT(rental_id)"),
    "rentals_revenue": ("rentals", "SUM(amount)"),
    "action_movies_rented": ("rentals",
                             "SUM(CASE WHEN dim_rental_category = 'Action' THEN 1 ELSE 0 END)"),
    "payments_count": ("payments", "COUNT(payment_id)"),
    "payments_revenue": ("payments", "SUM(amount)"),
    "paying_customers": ("payments", "COUNT(DISTINCT customer_id)"),
    "movies_rented_every_day": ("rentals", "COUNT(rental_id)"),  # join_to_calendar, filled
    "copies_on_loan": ("copies_out", "SUM(copies_out)"),  # semi-additive: a balance
}

# configs/pagila's derived metrics: name -> their expression over the metrics above.
DERIVED_METRICS = {
    "revenue_per_rental": "rentals_revenue / NULLIF(movies_rented, 0)",
    "payments_per_rental": "payments_count / NULLIF(movies_rented, 0)",
    "rentals_revenue_yoy_growth":
        "(rentals_revenue - rentals_revenue_last_year) / NULLIF(rentals_revenue_last_year, 0)",
}

# configs/pagila's time metrics (docs/sql.md, "Time metrics"): name -> (their kind, their
# base metric, whose type their column has).
TIME_METRICS = {
    "rentals_revenue_last_year": ("offset", "rentals_revenue"),
    "movies_rented_trailing_7d": ("cumulative", "movies_rented"),
    "rentals_revenue_mtd": ("cumulative", "rentals_revenue"),
}

README_QUERY = """SELECT
  dim_rental_category,
  AGG(movies_rented),
  AGG(rentals_revenue)
FROM
  mimir.metrics
WHERE
  dim_rental_category = 'Action'
GROUP BY
  dim_rental_category;"""

README_EXPECTED_SQL = f"""
SELECT dim_rental_category, COUNT(rental_id) AS movies_rented, SUM(amount) AS rentals_revenue
FROM ({RENTALS_SQL}) AS rentals
WHERE dim_rental_category = 'Action'
GROUP BY dim_rental_category
"""

INTEGER_TYPES = {FIELD_TYPE.TINY, FIELD_TYPE.SHORT, FIELD_TYPE.INT24, FIELD_TYPE.LONG,
                 FIELD_TYPE.LONGLONG}


def source_query(source, dims, metrics, where=None):
    """One source's partial result: dims + metric aggregates, grouped by dims."""
    cols = list(dims) + [f"{METRICS[m][1]} AS {m}" for m in metrics]
    sql = f"SELECT {', '.join(cols)} FROM ({SOURCES[source]}) AS {source}"
    if where:
        sql += f" WHERE {where}"
    if dims:
        sql += f" GROUP BY {', '.join(dims)}"
    return sql


def expected_sql(dims, metrics, where=None, order_by=None, limit=None):
    """The PostgreSQL query equivalent to
    SELECT dims, AGG(metrics) FROM mimir.metrics [WHERE] GROUP BY dims [ORDER BY] [LIMIT]."""
    by_source = {}
    for m in metrics:
        by_source.setdefault(METRICS[m][0], []).append(m)
    parts = [(s, source_query(s, dims, ms, where)) for s, ms in by_source.items()]
    if len(parts) == 1:
        sql = parts[0][1]
    else:
        sql = f"({parts[0][1]}) AS {parts[0][0]}"
        for name, part in parts[1:]:
            if dims:
                sql += f" FULL OUTER JOIN ({part}) AS {name} USING ({', '.join(dims)})"
            else:
                sql += f" CROSS JOIN ({part}) AS {name}"
        sql = f"SELECT {', '.join(list(dims) + list(metrics))} FROM {sql}"
    if order_by:
        sql = f"SELECT * FROM ({sql}) AS q ORDER BY {order_by}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return sql


def expected(pg, dims, metrics, where=None, order_by=None, limit=None):
    return [tuple(r) for r in pg.query(expected_sql(dims, metrics, where, order_by, limit))]


def mimir_sql(dims, metrics, where=None, group=True, order_by=None, limit=None):
    sql = "SELECT " + ", ".join(list(dims) + [f"AGG({m})" for m in metrics])
    sql += " FROM mimir.metrics"
    if where:
        sql += f" WHERE {where}"
    if dims and group:
        sql += f" GROUP BY {', '.join(dims)}"
    if order_by:
        sql += f" ORDER BY {order_by}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return sql


def _sort_key(row):
    return tuple((v is None, "" if v is None else v) for v in row)


def unordered(rows):
    return sorted((tuple(r) for r in rows), key=_sort_key)


def as_text(value):
    """How the mariadb CLI (--batch --raw) prints a value."""
    if value is None:
        return "NULL"
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def text_rows(rows):
    return [tuple(as_text(v) for v in r) for r in rows]


def assert_same_values(got, want):
    """Row-for-row equality, plus exactness: a Decimal expected must come back
    as a Decimal with the same digits (not a float, not 1234.5 for 1234.50)."""
    assert got == want
    for grow, wrow in zip(got, want):
        for g, w in zip(grow, wrow):
            if isinstance(w, Decimal):
                assert isinstance(g, Decimal), f"{g!r} is not a Decimal (expected {w!r})"
                assert str(g) == str(w), f"{g!r} != {w!r} digit for digit"


def check_query(mimir, sql, want, ordered=False, columns=None):
    """Run `sql` through PyMySQL and through the mariadb CLI and compare both
    with `want` (rows from PostgreSQL). Unordered unless `ordered`."""
    names, got = mimir.query(sql)
    if columns is not None:
        assert names == list(columns)
    if ordered:
        assert_same_values(got, want)
    else:
        assert_same_values(unordered(got), unordered(want))

    cli = mimir.mariadb_cli(sql)
    if columns is not None:
        assert cli.columns == list(columns)
    if ordered:
        assert list(cli) == text_rows(want)
    else:
        assert sorted(cli) == sorted(text_rows(want))
    return got


def mysql_error(excinfo):
    """(errno, message) of a PyMySQL error."""
    err = excinfo.value
    assert isinstance(err, pymysql.err.MySQLError), repr(err)
    return err.args[0], err.args[1]


def assert_answers_select_1(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT 1")
        assert [tuple(r) for r in cur.fetchall()] == [(1,)]


def assert_refused_on_a_fresh_connection(server, sql, code, text):
    """sql is refused with MySQL error code and a message holding text, and the same
    connection answers the next statement."""
    conn = server.connect()
    try:
        with pytest.raises(pymysql.err.MySQLError) as excinfo:
            with conn.cursor() as cur:
                cur.execute(sql)
        got_code, message = mysql_error(excinfo)
        assert got_code == code and text in message, message
        assert_answers_select_1(conn)
    finally:
        conn.close()


def native_hash(password=""):
    """The mysql_native_password hash `mimir passwd` prints for password."""
    from conftest import MIMIR_BIN

    proc = subprocess.run([str(MIMIR_BIN), "passwd"], input=password + "\n", text=True,
                          capture_output=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    for line in proc.stdout.splitlines():
        key, value = line.split(": ", 1)
        if key == "mysql_native_password":
            return value.strip('"')
    raise AssertionError(proc.stdout)
