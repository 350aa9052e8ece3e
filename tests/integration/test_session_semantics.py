"""Session semantics beside the time zone (test_time_zone.py): SELECT ... FROM
DUAL with and without a current database, and session variables selected
beside metrics."""

import pymysql
import pytest

from support import assert_answers_select_1, mysql_error


@pytest.mark.parametrize("database", [None, "mimir", "information_schema"])
def test_select_from_dual(mimir, database):
    conn = mimir.connect(database=database)
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM DUAL")
        assert cur.fetchall() == ((1,),)
        cur.execute("select 1, 'x' AS y, @@version_comment from dual limit 1")
        assert cur.fetchall()[0][1] == "x"
        cur.execute("SELECT 1 FROM DUAL LIMIT 0")
        assert cur.fetchall() == ()
        with pytest.raises(pymysql.MySQLError) as e:
            cur.execute("SELECT * FROM DUAL")
        assert mysql_error(e) == (1096, "No tables used")
    assert_answers_select_1(conn)
    conn.close()


def test_session_variables_beside_metrics(mimir):
    conn = mimir.connect()
    with conn.cursor() as cur:
        cur.execute("SELECT AGG(movies_rented) FROM mimir.metrics")
        (want,), = cur.fetchall()
        cur.execute("SET time_zone = '+05:30'")
        cur.execute("SELECT @@time_zone, @@session.time_zone AS z, AGG(movies_rented) "
                    "FROM mimir.metrics")
        assert [d[0] for d in cur.description] == ["@@time_zone", "z", "AGG(movies_rented)"]
        assert cur.fetchall() == (("+05:30", "+05:30", want),)
        cur.execute("SELECT dim_rental_category, @@max_allowed_packet, AGG(movies_rented) "
                    "FROM mimir.metrics GROUP BY dim_rental_category ORDER BY 1 LIMIT 2")
        rows = cur.fetchall()
        assert len(rows) == 2 and rows[0][1] == 67108864
        with pytest.raises(pymysql.MySQLError) as e:
            cur.execute("SELECT @@no_such_thing, AGG(movies_rented) FROM mimir.metrics")
        assert mysql_error(e) == (1193, "Unknown system variable 'no_such_thing'")
        cur.execute("SELECT @@time_zone")
        assert cur.fetchall() == (("+05:30",),)
    assert_answers_select_1(conn)
    conn.close()
