"""The diagnostics area (issue 13, section 5): SHOW WARNINGS carries real notes.

When a rule changes how Mimir reads a statement (aggregates of dimensions over
finer groups, a derived table read as a view, a semi-join filter, window
functions over the grouped rows), the statement leaves a Note (code 1003),
which SHOW WARNINGS, SHOW COUNT(*) WARNINGS and @@warning_count show and the
result's EOF/OK counts; a failed statement leaves its Error, as MySQL does (and
as a real MariaDB does in the same run); SHOW WARNINGS and @@warning_count read
the area without replacing it; any other statement replaces it.
"""

import pymysql
import pytest

R = "mimir.metrics"

NOTED = [
    (f"SELECT dim_store_id, COUNT(DISTINCT dim_rental_category) FROM {R} GROUP BY 1",
     "finer groups"),
    (f"SELECT dim_rental_category, SUM(movies_rented) FROM (SELECT * FROM {R} "
     "WHERE dim_store_id = 1) AS v GROUP BY 1", "read as a view"),
    (f"SELECT dim_store_id, AGG(movies_rented) FROM {R} WHERE dim_store_id IN "
     f"(SELECT dim_store_id FROM {R} GROUP BY 1 ORDER BY AGG(movies_rented) DESC LIMIT 1) "
     "GROUP BY 1", "semi-join filter"),
    (f"SELECT dim_store_id, RANK() OVER (ORDER BY AGG(movies_rented)) FROM {R} GROUP BY 1",
     "window functions"),
]


def rows(cur, sql):
    cur.execute(sql)
    return cur.fetchall()


@pytest.mark.parametrize("sql,words", NOTED, ids=[w for _, w in NOTED])
def test_a_rule_that_changed_the_reading_leaves_a_note(mimir, sql, words):
    conn = mimir.connect()
    try:
        with conn.cursor() as cur:
            assert rows(cur, sql)
            assert cur._result.warning_count == 1  # the result's EOF/OK counts it
            (note,) = rows(cur, "SHOW WARNINGS")
            assert note[0] == "Note" and note[1] == 1003 and words in note[2], note
            # Reading the area leaves it as it is.
            assert rows(cur, "SELECT @@warning_count, @@error_count") == ((1, 0),)
            assert rows(cur, "SHOW COUNT(*) WARNINGS") == ((1,),)
            assert rows(cur, "SHOW WARNINGS") == (note,)
            assert rows(cur, "SHOW ERRORS") == ()
            # Any other statement replaces it.
            assert rows(cur, "SELECT 1") == ((1,),)
            assert rows(cur, "SHOW WARNINGS") == ()
            assert rows(cur, "SELECT @@warning_count") == ((0,),)
    finally:
        conn.close()


def test_a_plain_query_leaves_no_note(mimir):
    conn = mimir.connect()
    try:
        with conn.cursor() as cur:
            rows(cur, f"SELECT dim_store_id, AGG(movies_rented) FROM {R} GROUP BY 1")
            assert cur._result.warning_count == 0
            assert rows(cur, "SHOW WARNINGS") == ()
    finally:
        conn.close()


def error_then_diagnostics(conn, bad):
    with conn.cursor() as cur:
        with pytest.raises(pymysql.MySQLError) as e:
            cur.execute(bad)
        shown = [rows(cur, q) for q in ("SHOW WARNINGS", "SHOW ERRORS",
                                        "SELECT @@error_count, @@warning_count")]
        cur.execute("SELECT 1")
        assert cur.fetchall() == ((1,),)  # the connection answers the next statement
        return e.value.args[0], shown


def test_a_failed_statement_leaves_its_error_as_mariadb_does(mimir, mariadb):
    """The same unknown-column error on Mimir and on a real MariaDB: the same levels,
    codes and counts in the diagnostics area (the messages are each server's own)."""
    conn = mimir.connect()
    try:
        code, got = error_then_diagnostics(conn, f"SELECT no_such_column FROM {R} GROUP BY 1")
    finally:
        conn.close()
    oracle = mariadb.connect_root()
    try:
        want_code, want = error_then_diagnostics(
            oracle, "SELECT no_such_column FROM mysql.user GROUP BY 1")
    finally:
        oracle.close()
    assert code == want_code == 1054
    strip = [[tuple(r[:2]) for r in rs] for rs in got[:2]] + [got[2]]
    want_strip = [[tuple(r[:2]) for r in rs] for rs in want[:2]] + [want[2]]
    assert strip == want_strip == [[("Error", 1054)], [("Error", 1054)], ((1, 1),)]
    assert "no_such_column" in got[0][0][2]


def test_the_mariadb_cli_shows_the_note(mimir):
    """The real `mariadb` client, with --show-warnings, prints the note after the result."""
    proc = mimir.mariadb_cli_run(NOTED[0][0], "--show-warnings")
    assert proc.returncode == 0, proc.stderr
    assert "Note (Code 1003)" in proc.stdout + proc.stderr
    assert "finer groups" in proc.stdout + proc.stderr


def test_two_variables_of_one_statement_keep_their_own_values(mimir):
    """@@max_execution_time and @@sql_select_limit (and @@warning_count and @@error_count)
    are formatted in one buffer: each must be copied before the next is read."""
    conn = mimir.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SET max_execution_time = 5000")
            assert rows(cur, "SELECT @@max_execution_time, @@sql_select_limit") == \
                ((5000, 18446744073709551615),)
    finally:
        conn.close()
