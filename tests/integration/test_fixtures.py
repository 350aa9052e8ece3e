"""Sanity checks of the fixtures themselves (no Mimir involved): when these
fail, the problem is the test environment, not the server."""

from support import PAYMENTS_SQL, RENTALS_SQL, README_EXPECTED_SQL


def test_pagila_loaded(pg):
    (rentals,), = pg.query("SELECT count(*) FROM rental")
    (payments,), = pg.query("SELECT count(*) FROM payment")
    assert rentals > 16000 and payments > 16000


def test_source_sql_runs_on_pagila(pg):
    for sql in (RENTALS_SQL, PAYMENTS_SQL):
        (n,), = pg.query(f"SELECT count(*) FROM ({sql}) AS s")
        assert n > 0
    rows = pg.query(README_EXPECTED_SQL)
    assert len(rows) == 1 and rows[0][0] == "Action" and rows[0][1] > 0


def test_cluster_is_loopback_only(pg):
    (addr,), = pg.query("SHOW listen_addresses")
    assert addr == "127.0.0.1"
    (tz,), = pg.query("SHOW TimeZone")
    assert tz == "UTC"
