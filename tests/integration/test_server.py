"""The server as a whole: one slow backend query does not stall other clients
(the loop never blocks on PostgreSQL), and the refusal to listen beyond
loopback while no users are configured."""

import shutil
import threading
import time

from conftest import REPO
from support import (DERIVED_METRICS, METRICS, README_EXPECTED_SQL, README_QUERY, SOURCES,
                     TIME_METRICS, assert_same_values)

SLOW_SECONDS = 5

SLOW_SOURCE = f"""
slow_rentals:
  name: slow_rentals
  description: The rental table behind a deliberate pg_sleep, to hold a backend busy.
  connection_name: pagila_postgres
  time_col: rental.rental_date
  time_col_alias: ts
  sql: >
    SELECT rental.rental_id, rental.rental_date AS ts
    FROM rental CROSS JOIN (SELECT pg_sleep({SLOW_SECONDS}) AS pause) AS p
"""

SLOW_METRIC = """
name: slow_rentals_count
source_name: slow_rentals
description: Rentals, slowly.
sql: COUNT(rental_id)
"""


def _configs_with_slow_source(workdir):
    configs = workdir / "configs"
    shutil.copytree(REPO / "configs" / "pagila", configs)
    (configs / "sources" / "slow.yaml").write_text(SLOW_SOURCE)
    (configs / "metrics" / "slow.yaml").write_text(SLOW_METRIC)
    return configs


def test_slow_query_does_not_block_other_clients(mimir_factory, pagila_secrets, workdir, pg):
    server = mimir_factory(configs=_configs_with_slow_source(workdir), secrets=pagila_secrets,
                           name="mimir-slow")
    server.start()
    slow_result = {}

    def slow_client():
        conn = server.connect()
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT AGG(slow_rentals_count) FROM mimir.metrics")
                slow_result["rows"] = cur.fetchall()
        finally:
            conn.close()

    slow = threading.Thread(target=slow_client, daemon=True)
    slow.start()
    # Wait until PostgreSQL is really running the slow atomic query for Mimir.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        busy = pg.query("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'mimir' "
                        "AND state = 'active' AND query LIKE '%%pg_sleep%%'")
        if busy[0][0] > 0:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the slow query never showed up in pg_stat_activity")

    fast = server.connect()
    try:
        with fast.cursor() as cur:
            cur.execute(README_QUERY)
            got = [tuple(r) for r in cur.fetchall()]
        # Answered while the other client's query is still sleeping in PostgreSQL.
        assert slow.is_alive(), "the fast query only returned after the slow one finished"
        assert_same_values(got, [tuple(r) for r in pg.query(README_EXPECTED_SQL)])
        with fast.cursor() as cur:
            cur.execute("SELECT 1")
            assert cur.fetchall() == ((1,),)
    finally:
        fast.close()
    slow.join(SLOW_SECONDS * 6)
    assert not slow.is_alive()
    (want,), = pg.query("SELECT count(*) FROM rental")
    assert slow_result["rows"] == ((want,),)


def test_refuses_non_loopback_address_without_users(mimir_factory, pagila_secrets):
    server = mimir_factory(configs=REPO / "configs" / "pagila", secrets=pagila_secrets,
                           name="mimir-public", extra_args=["--host", "0.0.0.0"])
    status, stderr = server.run_until_exit()
    assert status == 1, stderr
    assert "0.0.0.0" in stderr and "loopback" in stderr, stderr


def test_startup_line_says_what_was_loaded_and_how_users_are_accepted(mimir):
    text = mimir.stderr()
    line = next(l for l in text.splitlines() if "listening on" in l)
    assert f"127.0.0.1:{mimir.port}" in line
    nmetrics = len(METRICS) + len(DERIVED_METRICS) + len(TIME_METRICS)
    assert f"{len(SOURCES)} sources, {nmetrics} metrics, 2 dimensions" in line
    assert "empty password" in line and "loopback" in line
