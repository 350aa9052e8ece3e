"""The command line: bin/mimir validate, list, describe, query and init.

Everything runs the real binary. Broken projects are generated here, one per
kind of mistake, so that each test states the file, line, column and message
it expects next to the YAML that causes it. Query results are compared with
the equivalent SQL run directly on PostgreSQL in the same run (support.py);
--dry-run is compared with the server's own EXPLAIN; --host queries the
session's running server.
"""

import csv
import io
import json
import os
import shutil
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import (DEMO_CONFIGS, MIMIR_BIN, PAGILA_CONFIGS, SANITIZER_MARKERS,
                      write_secrets)
from support import DERIVED_METRICS, METRICS, SOURCES, TIME_METRICS, expected, unordered

ALL_METRICS = [*METRICS, *DERIVED_METRICS, *TIME_METRICS]

CLI_TIMEOUT = 120


def cli(*args, env=None, cwd=None, check_status=None):
    """Run bin/mimir; returns the CompletedProcess (text). A sanitizer report
    fails the test whatever the exit status."""
    full_env = dict(os.environ)
    full_env.pop("MIMIR_CONFIGS", None)
    full_env.pop("MIMIR_SECRETS", None)
    full_env.pop("MIMIR_PASSWORD", None)
    if env:
        full_env.update(env)
    proc = subprocess.run([str(MIMIR_BIN), *map(str, args)], env=full_env, cwd=cwd,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=CLI_TIMEOUT)
    for marker in SANITIZER_MARKERS:
        assert marker not in proc.stderr, proc.stderr
    if check_status is not None:
        assert proc.returncode == check_status, (
            f"mimir {' '.join(map(str, args))} exited {proc.returncode}, not {check_status}\n"
            f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


# --------------------------------------------------------------------------
# every command: --help, bad options
# --------------------------------------------------------------------------

COMMANDS = ["validate", "list", "describe", "query", "init", "serve", "passwd"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_of_every_command(command):
    proc = cli(command, "--help", check_status=0)
    assert proc.stdout.startswith(f"usage: mimir {command}")


@pytest.mark.parametrize("command", ["validate", "list", "describe", "query", "init"])
def test_unknown_option_is_a_usage_error(command):
    proc = cli(command, "--no-such-option", check_status=2)
    assert f"mimir {command}: unknown option" in proc.stderr
    assert f"Try 'mimir {command} --help'." in proc.stderr


def test_unknown_command_is_a_usage_error():
    proc = cli("frobnicate", check_status=2)
    assert "unknown command 'frobnicate'" in proc.stderr
    assert "validate|list|describe|query|init" in proc.stderr


def test_top_level_help_lists_the_commands():
    proc = cli("--help", check_status=0)
    for command in ["serve", "passwd", "validate", "list", "describe", "query", "init"]:
        assert command in proc.stdout


# --------------------------------------------------------------------------
# validate: good projects
# --------------------------------------------------------------------------


def test_validate_pagila_against_postgresql(pagila_secrets):
    proc = cli("validate", "--configs", PAGILA_CONFIGS, "--secrets", pagila_secrets,
                 check_status=0)
    assert proc.stdout == (f"{len(SOURCES)} sources, {len(ALL_METRICS)} metrics, "
                           "2 dimensions: valid\n")


def test_validate_pagila_without_secrets():
    proc = cli("validate", "--configs", PAGILA_CONFIGS, "--no-secrets", check_status=0)
    assert proc.stdout == (f"{len(SOURCES)} sources, {len(ALL_METRICS)} metrics, "
                           "2 dimensions: valid\n")


def test_validate_demo_against_sqlite():
    proc = cli("validate", "--configs", DEMO_CONFIGS, check_status=0)
    assert proc.stdout == "2 sources, 6 metrics, 2 dimensions: valid\n"


def test_validate_from_the_project_directory_and_environment(pagila_secrets):
    """--configs defaults to $MIMIR_CONFIGS, else the current directory."""
    cli("validate", "--no-secrets", cwd=PAGILA_CONFIGS, check_status=0)
    proc = cli("validate", env={"MIMIR_CONFIGS": str(PAGILA_CONFIGS),
                                  "MIMIR_SECRETS": str(pagila_secrets)}, check_status=0)
    assert proc.stdout.endswith(": valid\n")


def test_validate_missing_default_secrets_says_how_to_go_on(workdir):
    configs = workdir / "configs"
    shutil.copytree(PAGILA_CONFIGS, configs)
    proc = cli("validate", "--configs", configs, check_status=1)
    assert proc.stdout == (f"{configs}/secrets: no secrets directory: give --secrets DIR, or "
                           "--no-secrets to check the definitions without connecting to the "
                           "databases\n")
    assert "1 problem in" in proc.stderr


# --------------------------------------------------------------------------
# validate: one broken project per kind of mistake
# --------------------------------------------------------------------------

SOURCES_YAML = """\
rentals:
  name: rentals
  connection_name: pagila_postgres
  time_col: rental.rental_date
  time_col_alias: ts
  sql: |
    SELECT rental.rental_id, rental.rental_date AS ts, rental.customer_id,
           rental.staff_id, inventory.store_id
    FROM rental JOIN inventory ON inventory.inventory_id = rental.inventory_id
"""

METRICS_YAML = """\
name: rentals_count
source_name: rentals
sql: COUNT(rental_id)
"""

DIMENSIONS_YAML = """\
name: dim_store
source_name: rentals
sql: inventory.store_id
"""

BASE = {
    "sources/sources.yaml": SOURCES_YAML,
    "metrics/m.yaml": METRICS_YAML,
    "dimensions/d.yaml": DIMENSIONS_YAML,
}


def build(root, changes, base=BASE):
    """A project under root: base with changes applied (None deletes a file)."""
    root = Path(root)
    files = dict(base)
    files.update(changes)
    for rel, text in files.items():
        if text is None:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for sub in ("sources", "metrics", "dimensions"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    return root


SECRET_OK = ('{"connection_class": "sqldb", "flavour": "postgresql", "host": "127.0.0.1",\n'
             ' "port": "5432", "user": "postgres", "password": "", "schema": "pagila"}\n')

# name -> (files changed from BASE, expected stdout lines as "FILE:LINE:COLUMN: message")
MISTAKES = {
    "yaml_syntax": (
        {"metrics/m.yaml": "name: rentals_count\nsource_name: rentals\nsql: [COUNT(rental_id)\n"},
        ["metrics/m.yaml:4:1: YAML syntax error: did not find expected ',' or ']' (while "
         "parsing a flow sequence at line 3)"]),
    "missing_key": (
        {"metrics/m.yaml": "name: rentals_count\nsql: COUNT(rental_id)\n"},
        ["metrics/m.yaml:1:1: metric 'rentals_count': missing required key 'source_name'"]),
    "unknown_source_name": (
        {"metrics/m.yaml": "name: rentals_count\nsource_name: rental\nsql: COUNT(rental_id)\n"},
        ["metrics/m.yaml:2:14: metric 'rentals_count': unknown source_name 'rental' (known "
         "sources: rentals)"]),
    "duplicate_metric": (
        {"metrics/z.yaml": "# again\nname: rentals_count\nsource_name: rentals\n"
                           "sql: COUNT(*)\n"},
        ["metrics/z.yaml:2:1: duplicate metric 'rentals_count' (first defined at "
         "{root}/metrics/m.yaml:1)"]),
    "duplicate_dimension": (
        {"dimensions/e.yaml": "name: dim_store\nsource_name: rentals\nsql: rental.staff_id\n"},
        ["dimensions/e.yaml:1:1: duplicate dimension 'dim_store' (first defined at "
         "{root}/dimensions/d.yaml:1)"]),
    "metric_not_an_aggregate": (
        {"metrics/m.yaml": "name: rentals_count\nsource_name: rentals\nsql: rental_id\n"},
        ["metrics/m.yaml:3:6: metric 'rentals_count': sql 'rental_id' is not an aggregate: a "
         "metric is one aggregate expression over its source's rows, e.g. SUM(amount) or "
         "COUNT(DISTINCT customer_id)"]),
    "metric_column_outside_aggregate": (
        {"metrics/m.yaml": "name: rentals_count\nsource_name: rentals\n"
                           "sql: COUNT(rental_id) + staff_id\n"},
        ["metrics/m.yaml:3:6: metric 'rentals_count': sql 'COUNT(rental_id) + staff_id' names "
         "a column outside an aggregate ('staff_id'): a metric is one aggregate expression "
         "over its source's rows, e.g. SUM(amount) or COUNT(DISTINCT customer_id)"]),
    "metric_two_expressions": (
        {"metrics/m.yaml": "name: rentals_count\nsource_name: rentals\n"
                           "sql: COUNT(rental_id), COUNT(customer_id)\n"},
        ["metrics/m.yaml:3:6: metric 'rentals_count': sql is not exactly one expression (it "
         "has several comma-separated items)"]),
    "dimension_unknown_source": (
        {"dimensions/d.yaml": "name: dim_store\nsource_name: inventory\nsql: inventory.store_id\n"},
        ["dimensions/d.yaml:2:14: dimension 'dim_store': unknown source_name 'inventory' "
         "(known sources: rentals)"]),
    "source_lists_undefined_dimension": (
        {"sources/sources.yaml": SOURCES_YAML + "  dimensions:\n    - dim_store\n    - dim_city\n"},
        ["sources/sources.yaml:12:7: source 'rentals': 'dimensions' lists 'dim_city', which is "
         "not a defined dimension (defined: dim_store)"]),
    "required_dimension_not_on_source": (
        {"metrics/m.yaml": METRICS_YAML + "required_dimensions:\n  - dim_store\n  - dim_city\n"},
        ["metrics/m.yaml:6:5: metric 'rentals_count': required dimension 'dim_city' is not "
         "available on source 'rentals' (not a column of its sql, nor a dimension defined on "
         "it or listed under its 'dimensions')"]),
    "source_sql_does_not_parse": (
        {"sources/sources.yaml": SOURCES_YAML.replace("rental.staff_id,", "(rental.staff_id,")},
        ["sources/sources.yaml:6:8: source 'rentals': sql has unbalanced parentheses"]),
    "source_sql_not_a_select": (
        {"sources/sources.yaml": SOURCES_YAML.replace("  sql: |\n    SELECT",
                                                      "  sql: |\n    DELETE")},
        ["sources/sources.yaml:6:8: source 'rentals': sql is not a SELECT"]),
    "time_col_not_in_sql": (
        {"sources/sources.yaml": SOURCES_YAML.replace("time_col: rental.rental_date",
                                                      "time_col: rental.rented_at")},
        ["sources/sources.yaml:4:13: source 'rentals': time_col 'rental.rented_at' names "
         "'rented_at', which does not occur in sql: time_col is the expression of the time "
         "column inside sql (e.g. rental.rental_date)"]),
    "unsupported_connection_class": (
        {"secrets/pagila_postgres.json": '{"connection_class": "bigquery",\n'
                                         ' "project": "p"}\n'},
        ["secrets/pagila_postgres.json:1:22: connection_class 'bigquery' is not supported "
         "(supported: sqldb with flavour postgresql or mysql, sqlite)"]),
    "unsupported_flavour": (
        {"secrets/pagila_postgres.json": SECRET_OK.replace('"postgresql"', '"oracle"')},
        ["secrets/pagila_postgres.json:1:42: flavour 'oracle' is not supported for "
         "connection_class sqldb (supported: postgresql, mysql)"]),
    "missing_secret": (
        {"secrets/other.json": SECRET_OK},
        ["sources/sources.yaml:3:20: source 'rentals': no secrets file for connection "
         "'pagila_postgres' (expected {root}/secrets/pagila_postgres.json)"]),
    "unset_environment_variable": (
        {"secrets/pagila_postgres.json": SECRET_OK.replace('"password": ""',
                                                           '"password": "${MIMIR_CLI_UNSET}"')},
        ["secrets/pagila_postgres.json:2:50: 'password' reads the environment variable "
         "'MIMIR_CLI_UNSET', which is not set"]),
    "bad_sslmode": (
        {"secrets/pagila_postgres.json": SECRET_OK.replace('"schema"', '"sslmode": "always", '
                                                                       '"schema"')},
        ["secrets/pagila_postgres.json:2:65: sslmode 'always' is not one of disable, allow, "
         "prefer, require, verify-ca, verify-full"]),
    "derived_cycle": (
        {"metrics/d.yaml": "---\nname: a\ntype: derived\nsql: b * 2\n---\nname: b\n"
                           "type: derived\nsql: a / NULLIF(rentals_count, 0)\n"},
        ["metrics/d.yaml:4:6: derived metric 'a' depends on itself: a -> b -> a",
         "metrics/d.yaml:8:6: derived metric 'b' depends on itself: b -> a -> b"]),
    "derived_self_reference": (
        {"metrics/d.yaml": "name: growth\ntype: derived\nsql: growth + rentals_count\n"},
        ["metrics/d.yaml:3:6: derived metric 'growth' depends on itself: growth -> growth"]),
    "derived_unknown_metric": (
        {"metrics/d.yaml": "name: per_store\ntype: derived\nsql: rentals_count / dim_store\n"},
        ["metrics/d.yaml:3:6: derived metric 'per_store': sql names 'dim_store', which is not a "
         "metric (a derived metric computes on metrics only; metrics: rentals_count)"]),
    "derived_syntax": (
        {"metrics/d.yaml": "name: twice\ntype: derived\nsql: NULLIF(rentals_count,, 0)\n"},
        ["metrics/d.yaml:1:1: derived metric 'twice': sql 'NULLIF(rentals_count,, 0)' is not an "
         "expression: syntax error near ', 0)': expected an expression"]),
    "truncate_not_boolean": (
        {"metrics/m.yaml": METRICS_YAML + "truncate_incomplete_granularity: sometimes\n"},
        ["metrics/m.yaml:4:34: metric 'rentals_count': 'truncate_incomplete_granularity' must be "
         "true or false"]),
}


@pytest.mark.parametrize("name", MISTAKES.keys())
def test_validate_reports_each_kind_of_mistake(workdir, name):
    changes, want = MISTAKES[name]
    root = build(workdir / name, changes)
    with_secrets = any(k.startswith("secrets/") for k in changes)
    args = ["validate", "--configs", root]
    if not with_secrets:
        args.append("--no-secrets")
    proc =  cli(*args, check_status=1)
    lines = proc.stdout.splitlines()
    assert lines == [f"{root}/" + w.format(root=root) for w in want], proc.stdout
    assert f"{len(want)} problem" in proc.stderr


def test_validate_reports_every_problem_in_one_pass(workdir):
    """Several mistakes at once: all reported, none twice, no cascade from a
    definition that failed to the definitions that use it."""
    sources = SOURCES_YAML + """\
broken:
  name: broken
  connection_name: pagila_postgres
  sql: SELECT payment.payment_id, payment.payment_date FROM payment
"""
    metrics = """\
---
name: rentals_count
source_name: rentals
sql: COUNT(rental_id)
---
name: payments_count
source_name: broken
sql: COUNT(payment_id)
---
name: typo
source_name: rentalz
sql: SUM(1)
---
name: flat
source_name: rentals
sql: customer_id
"""
    root = build(workdir / "many", {
        "sources/sources.yaml": sources,
        "metrics/m.yaml": metrics,
        "metrics/broken.yaml": "name: [oops\n",
        "dimensions/d.yaml": DIMENSIONS_YAML.replace("source_name: rentals",
                                                     "source_name: stores"),
    })
    proc = cli("validate", "--configs", root, "--no-secrets", check_status=1)
    assert proc.stdout.splitlines() == [f"{root}/{line}" for line in [
        "sources/sources.yaml:11:3: source 'broken': missing required key 'time_col'",
        "metrics/broken.yaml:2:1: YAML syntax error: did not find expected ',' or ']' (while "
        "parsing a flow sequence at line 1)",
        "metrics/m.yaml:16:6: metric 'flat': sql 'customer_id' is not an aggregate: a metric is "
        "one aggregate expression over its source's rows, e.g. SUM(amount) or COUNT(DISTINCT "
        "customer_id)",
        "dimensions/d.yaml:2:14: dimension 'dim_store': unknown source_name 'stores' (known "
        "sources: rentals)",
        "metrics/m.yaml:11:14: metric 'typo': unknown source_name 'rentalz' (known sources: "
        "rentals)",
    ]]
    assert "5 problems in" in proc.stderr


# --------------------------------------------------------------------------
# validate: what only the database can tell
# --------------------------------------------------------------------------


def _pg_secrets(directory, pg, **overrides):
    secret = {"connection_class": "sqldb", "flavour": "postgresql", "host": "127.0.0.1",
              "port": str(pg.port), "user": "postgres", "password": "", "schema": "pagila"}
    secret.update(overrides)
    secret = {k: v for k, v in secret.items() if v is not None}
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "pagila_postgres.json").write_text(json.dumps(secret) + "\n")
    return directory


def test_validate_runs_every_definition_on_the_database(workdir, pg):
    """A source, a dimension and a metric the database refuses: each reported
    at its own definition, with PostgreSQL's own message."""
    sources = SOURCES_YAML + """\
payments:
  name: payments
  connection_name: pagila_postgres
  time_col: payment.payment_date
  sql: SELECT payment.payment_id, payment.payment_date, payment.amount FROM paymnt AS payment
"""
    root = build(workdir / "db", {
        "sources/sources.yaml": sources,
        "metrics/m.yaml": METRICS_YAML + "---\nname: late_rentals\nsource_name: rentals\n"
                                         "sql: SUM(CASE WHEN return_ts > ts THEN 1 END)\n",
        "dimensions/d.yaml": DIMENSIONS_YAML + "---\nname: dim_city\nsource_name: rentals\n"
                                               "sql: city.city\n",
    })
    secrets = _pg_secrets(workdir / "db-secrets", pg)
    proc = cli("validate", "--configs", root, "--secrets", secrets, check_status=1)
    assert proc.stdout.splitlines() == [
        f"{root}/dimensions/d.yaml:5:1: dimension 'dim_city' on source 'rentals': the database "
        'says: missing FROM-clause entry for table "city"',
        f"{root}/metrics/m.yaml:5:1: metric 'late_rentals': the database says: column "
        '"return_ts" does not exist',
        f"{root}/sources/sources.yaml:10:1: source 'payments' (connection 'pagila_postgres'): "
        'the database says: relation "paymnt" does not exist',
    ], proc.stdout


def test_validate_reports_a_connection_failure_at_the_source(workdir, pg, pg_factory):
    stopped = pg_factory(name="pg-stopped")
    port = stopped.port
    stopped.stop()
    root = build(workdir / "down", {})
    secrets = _pg_secrets(workdir / "down-secrets", pg, port=str(port))
    proc = cli("validate", "--configs", root, "--secrets", secrets, check_status=1)
    lines = proc.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        f"{root}/sources/sources.yaml:1:1: source 'rentals': cannot connect to "
        f"'pagila_postgres' ({secrets}/pagila_postgres.json): ")
    assert "Connection refused" in lines[0]


def test_validate_password_from_the_environment(workdir, pg):
    """A secrets file with ${VAR} is read with the variable set, and names it when not."""
    pg.query("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cli_reader') "
             "THEN CREATE ROLE cli_reader LOGIN PASSWORD 'cli-secret'; END IF; END $$")
    pg.query("GRANT SELECT ON ALL TABLES IN SCHEMA public TO cli_reader")
    root = build(workdir / "env", {})
    secrets = _pg_secrets(workdir / "env-secrets", pg, user="${CLI_PG_USER}",
                          password="${CLI_PG_PASSWORD}")
    proc = cli("validate", "--configs", root, "--secrets", secrets,
                 env={"CLI_PG_USER": "cli_reader", "CLI_PG_PASSWORD": "cli-secret"},
                 check_status=0)
    assert proc.stdout == "1 source, 1 metric, 1 dimension: valid\n"
    proc = cli("validate", "--configs", root, "--secrets", secrets,
                 env={"CLI_PG_USER": "cli_reader"}, check_status=1)
    assert proc.stdout.startswith(f"{secrets}/pagila_postgres.json:1:")
    assert ("'password' reads the environment variable 'CLI_PG_PASSWORD', which is not set"
            in proc.stdout)


def test_validate_conninfo_and_sslmode(workdir, pg):
    """A libpq connection string alone is enough; sslmode reaches libpq (the
    test cluster has no TLS, so require fails and disable works)."""
    root = build(workdir / "ci", {})
    conninfo = f"host=127.0.0.1 port={pg.port} user=postgres dbname=pagila"
    secrets = _pg_secrets(workdir / "ci-secrets", pg, host=None, port=None, user=None,
                          password=None, schema=None, conninfo=conninfo, sslmode="disable")
    cli("validate", "--configs", root, "--secrets", secrets, check_status=0)
    # The secrets' own keys override the connection string's.
    secrets = _pg_secrets(workdir / "ci-secrets2", pg, conninfo=conninfo + " port=1",
                          sslmode="disable")
    cli("validate", "--configs", root, "--secrets", secrets, check_status=0)
    secrets = _pg_secrets(workdir / "ci-secrets3", pg, sslmode="require")
    proc = cli("validate", "--configs", root, "--secrets", secrets, check_status=1)
    assert "cannot connect to 'pagila_postgres'" in proc.stdout
    assert "SSL" in proc.stdout
    secrets = _pg_secrets(workdir / "ci-secrets4", pg, host=None, port=None,
                          conninfo="host=127.0.0.1 port")
    proc = cli("validate", "--configs", root, "--secrets", secrets, check_status=1)
    assert "cannot connect to 'pagila_postgres'" in proc.stdout
    assert 'missing "=" after "port"' in proc.stdout


# --------------------------------------------------------------------------
# list and describe
# --------------------------------------------------------------------------


def test_list_metrics_matches_the_configuration():
    proc = cli("list", "metrics", "--configs", PAGILA_CONFIGS, "--format", "json",
                 check_status=0)
    rows = json.loads(proc.stdout)
    assert {(r["name"], r["source"]) for r in rows} == (
        {(m, s) for m, (s, _) in METRICS.items()} | {(m, "(derived)") for m in DERIVED_METRICS}
        | {(m, f"({kind})") for m, (kind, _) in TIME_METRICS.items()})
    assert all(r["description"] for r in rows)


def test_list_sources_and_dimensions():
    proc = cli("list", "sources", "--configs", PAGILA_CONFIGS, "--format", "csv",
                 check_status=0)
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert [r["name"] for r in rows] == list(SOURCES)
    assert {r["connection"] for r in rows} == {"pagila_postgres"}
    assert rows[0]["time_col"] == "rental.rental_date"

    proc = cli("list", "dimensions", "--configs", PAGILA_CONFIGS, "--format", "json",
                 check_status=0)
    dims = {r["name"]: r["sources"] for r in json.loads(proc.stdout)}
    assert dims["dim_rental_category"] == "rentals"
    assert dims["dim_store_id"] == "rentals, payments"
    assert dims["customer_id"] == "rentals, payments"  # a column of both sources' SQL
    assert dims["category_name"] == "rentals"
    assert "ts" not in dims  # the time column is a grain, not a dimension


def test_list_table_format():
    proc = cli("list", "metrics", "--configs", PAGILA_CONFIGS, check_status=0)
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("+-")
    width = max(len(m) for m in ALL_METRICS)
    assert lines[1].split("|")[1:3] == [f" {'name':{width}} ", lines[1].split("|")[2]]
    assert "| movies_rented " in proc.stdout
    assert f"{len(ALL_METRICS)} rows" == lines[-1]


def test_list_usage_errors():
    assert "sources, metrics or dimensions" in cli("list", check_status=2).stderr
    assert "'tables'" in cli("list", "tables", check_status=2).stderr
    assert "--format" in cli("list", "metrics", "--format", "xml", check_status=2).stderr


def test_list_broken_project_points_at_validate(workdir):
    root = build(workdir / "bad", MISTAKES["missing_key"][0])
    proc = cli("list", "metrics", "--configs", root, check_status=1)
    assert "missing required key 'source_name'" in proc.stderr
    assert f"run 'mimir validate --configs {root} --no-secrets'" in proc.stderr


def test_describe_metric():
    proc = cli("describe", "action_movies_rented", "metric", "--configs", PAGILA_CONFIGS,
                 check_status=0)
    fields = dict(line.split(":", 1) for line in proc.stdout.splitlines())
    fields = {k: v.strip() for k, v in fields.items()}
    assert fields["kind"] == "metric"
    assert fields["source"] == "rentals"
    assert fields["sql"] == "SUM(CASE WHEN dim_rental_category = 'Action' THEN 1 ELSE 0 END)"
    assert fields["required_dimensions"] == "dim_rental_category"
    assert fields["description"] == "Number of rentals of films in the Action category."
    assert fields["type"].startswith("decimal(65,2) (not declared")
    assert fields["aggregation"].startswith("sum (additive")
    assert fields["defined_at"].startswith(f"{PAGILA_CONFIGS}/metrics/rentals.yaml:")


def test_describe_shows_each_metrics_aggregation():
    """How each kind of metric aggregates, as the loader classifies it (issue 13)."""
    want = {"movies_rented": "count (additive", "rentals_revenue": "sum (additive",
            "paying_customers": "count_distinct (not additive",
            "revenue_per_rental": "derived ("}
    for name, start in want.items():
        proc = cli("describe", name, "--configs", PAGILA_CONFIGS, "--format", "json",
                   check_status=0)
        (m,) = json.loads(proc.stdout)
        assert m["aggregation"].startswith(start), m


def test_describe_dimension_and_source_as_json():
    proc = cli("describe", "dim_store_id", "--configs", PAGILA_CONFIGS, "--format", "json",
                 check_status=0)
    (dim,) = json.loads(proc.stdout)
    assert dim["kind"] == "dimension"
    assert dim["sql"] == "inventory.store_id"
    assert dim["source"] == "rentals"
    assert dim["available_on"] == "rentals, payments"

    proc = cli("describe", "rentals", "source", "--configs", PAGILA_CONFIGS, "--format",
                 "json", check_status=0)
    (src,) = json.loads(proc.stdout)
    assert src["connection"] == "pagila_postgres"
    assert src["time_col"] == "rental.rental_date"
    assert src["time_col_alias"] == "ts"
    assert "LEFT JOIN payment payment" in src["sql"]
    assert "dim_store_id" in src["dimensions"].split(", ")
    assert "movies_rented" in src["metrics"].split(", ")


def test_describe_unknown_name():
    proc = cli("describe", "no_such_thing", "--configs", PAGILA_CONFIGS, check_status=1)
    assert "no metric, dimension or source named 'no_such_thing'" in proc.stderr
    proc = cli("describe", "rentals", "metric", "--configs", PAGILA_CONFIGS, check_status=1)
    assert "no metric named 'rentals'" in proc.stderr
    assert "metric, dimension or source" in cli("describe", "x", "table", check_status=2).stderr


# --------------------------------------------------------------------------
# query: locally, with the server's planner and executors
# --------------------------------------------------------------------------


def query(*args, secrets, **kwargs):
    return cli("query", "--configs", PAGILA_CONFIGS, "--secrets", secrets, *args, **kwargs)


def _csv_rows(text):
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], [tuple(r) for r in rows[1:]]


def _text(v):
    return "" if v is None else str(v)


def test_query_csv_matches_postgresql(pg, pagila_secrets):
    proc = query("-m", "movies_rented", "-m", "rentals_revenue", "-d", "dim_rental_category",
                 "--format", "csv", secrets=pagila_secrets, check_status=0)
    header, rows = _csv_rows(proc.stdout)
    assert header == ["dim_rental_category", "movies_rented", "rentals_revenue"]
    want = expected(pg, ["dim_rental_category"], ["movies_rented", "rentals_revenue"],
                    order_by="dim_rental_category")
    assert rows == [tuple(_text(v) for v in r) for r in want]


def test_query_pagila_time_metrics_match_postgresql(pg, pagila_secrets):
    """The README's promise: `mimir query -m rentals_revenue_last_year -g MONTH` prints each
    month's revenue of the same month a year earlier (moved forward), and the example's
    balance is each store's last snapshot of the month, summed; both against PostgreSQL."""
    proc = query("-m", "rentals_revenue_last_year", "-g", "MONTH", "--format", "csv",
                 secrets=pagila_secrets, check_status=0)
    header, rows = _csv_rows(proc.stdout)
    assert header == ["year_month", "rentals_revenue_last_year"]
    want = pg.query(f"""SELECT CAST(date_trunc('month', ts) + interval '1 year' AS DATE),
                               SUM(amount)
                        FROM ({SOURCES["rentals"]}) AS r GROUP BY 1 ORDER BY 1""")
    assert len(want) > 12
    assert rows == [tuple(_text(v) for v in r) for r in want]
    proc = query("-m", "copies_on_loan", "-g", "MONTH", "--format", "csv",
                 secrets=pagila_secrets, check_status=0)
    _, rows = _csv_rows(proc.stdout)
    want = pg.query(f"""WITH r AS (SELECT CAST(date_trunc('month', snapshot_date) AS DATE) AS p,
                                          copies_out, snapshot_date,
                                          MAX(snapshot_date) OVER (PARTITION BY
                                              date_trunc('month', snapshot_date), store_id) AS e
                                   FROM ({SOURCES["copies_out"]}) AS c)
                        SELECT p, SUM(copies_out) FROM r WHERE snapshot_date = e
                        GROUP BY 1 ORDER BY 1""")
    assert rows == [tuple(_text(v) for v in r) for r in want]


def test_query_json_two_sources_matches_postgresql(pg, pagila_secrets):
    proc = query("-m", "movies_rented,payments_revenue", "-d", "dim_store_id", "--format",
                 "json", secrets=pagila_secrets, check_status=0)
    got = json.loads(proc.stdout, parse_float=Decimal)
    want = expected(pg, ["dim_store_id"], ["movies_rented", "payments_revenue"],
                    order_by="dim_store_id")
    assert [tuple(r.values()) for r in got] == [tuple(r) for r in want]
    assert list(got[0]) == ["dim_store_id", "movies_rented", "payments_revenue"]
    # Numbers are JSON numbers, exact to the cent.
    assert isinstance(got[0]["movies_rented"], int)
    assert isinstance(got[0]["payments_revenue"], Decimal)


def test_query_table_format(pg, pagila_secrets):
    proc = query("-m", "movies_rented", "-d", "dim_rental_category", "-f",
                 "dim_rental_category = 'Action'", secrets=pagila_secrets, check_status=0)
    ((count,),) = pg.query(
        f"SELECT COUNT(rental_id) FROM ({SOURCES['rentals']}) AS r "
        "WHERE dim_rental_category = 'Action'")
    assert proc.stdout.splitlines() == [
        "+---------------------+---------------+",
        "| dim_rental_category | movies_rented |",
        "+---------------------+---------------+",
        f"| Action              | {count:>13} |",
        "+---------------------+---------------+",
        "1 row",
    ]


def test_query_granularity_dates_filters_order_limit(pg, pagila_secrets):
    proc = query("-m", "rentals_revenue", "-d", "dim_rental_category", "-g", "MONTH",
                 "--start-date", "2022-06-01", "--end-date", "2022-07-31",
                 "-f", "dim_rental_category IN ('Action', 'Comedy', 'Drama')",
                 "-f", "rentals_revenue > 100",
                 "-o", "rentals_revenue DESC", "-o", "year_month", "--limit", "2",
                 "--format", "csv", secrets=pagila_secrets, check_status=0)
    header, rows = _csv_rows(proc.stdout)
    assert header == ["dim_rental_category", "year_month", "rentals_revenue"]
    want = pg.query(f"""
        SELECT dim_rental_category, date_trunc('month', ts)::date AS year_month,
               SUM(amount) AS rentals_revenue
        FROM ({SOURCES['rentals']}) AS r
        WHERE ts >= '2022-06-01' AND ts < '2022-08-01'
          AND dim_rental_category IN ('Action', 'Comedy', 'Drama')
        GROUP BY 1, 2 HAVING SUM(amount) > 100
        ORDER BY rentals_revenue DESC, year_month""")
    assert len(want) > 2  # so that the limit matters
    want = want[:2]
    assert rows == [tuple(_text(v) for v in r) for r in want]


@pytest.mark.parametrize("grain, column, pg_expr", [
    ("DATE", "ds", "ts::date"),
    ("YEAR", "year", "EXTRACT(YEAR FROM ts)::int"),
    ("TIME", "ts", "ts"),
    ("SECOND", "ts_second", "date_trunc('second', ts)"),
    ("MINUTE", "ts_minute", "date_trunc('minute', ts)"),
    ("HOUR", "ts_hour", "date_trunc('hour', ts)"),
    ("DAY", "ds", "ts::date"),
    ("WEEK", "week", "date_trunc('week', ts)::date"),
    ("MONTH", "year_month", "date_trunc('month', ts)::date"),
    ("QUARTER", "quarter", "date_trunc('quarter', ts)::date"),
])
def test_query_prototype_granularities(pg, pagila_secrets, grain, column, pg_expr):
    proc = query("-m", "payments_count", "-g", grain, "--start-date", "2022-02-14",
                 "--end-date", "2022-02-15", "--format", "csv", secrets=pagila_secrets,
                 check_status=0)
    header, rows = _csv_rows(proc.stdout)
    assert header == [column, "payments_count"]
    want = pg.query(f"""
        SELECT {pg_expr} AS g, COUNT(payment_id) FROM ({SOURCES['payments']}) AS p
        WHERE ts >= '2022-02-14' AND ts < '2022-02-16' GROUP BY 1 ORDER BY 1""")
    assert want
    fmt = _datetime_text if grain in ("TIME", "SECOND", "MINUTE", "HOUR") else str
    assert rows == [(fmt(g), str(n)) for g, n in want]


def _datetime_text(v):
    """A DATETIME as Mimir prints it (as PostgreSQL does): UTC, with the fraction of a
    second only when there is one, without trailing zeros."""
    text = v.strftime("%Y-%m-%d %H:%M:%S")
    return text + (f".{v.microsecond:06d}".rstrip("0") if v.microsecond else "")


def test_query_errors(pagila_secrets):
    proc = query("-m", "no_such_metric", secrets=pagila_secrets, check_status=1)
    assert "ERROR 1054 (42S22)" in proc.stderr and "no_such_metric" in proc.stderr
    proc = query("-m", "movies_rented", "-f", "a = 1) OR (1 = 1", secrets=pagila_secrets,
                 check_status=2)
    assert "-f 'a = 1) OR (1 = 1' is not one condition" in proc.stderr
    assert "-m METRIC" in query(secrets=pagila_secrets, check_status=2).stderr
    assert "--limit" in query("-m", "x", "--limit", "-1", secrets=pagila_secrets,
                              check_status=2).stderr
    assert "not a date" in query("-m", "x", "--start-date", "2005-02-30x",
                                 secrets=pagila_secrets, check_status=2).stderr
    assert "granularity" in query("-m", "x", "-g", "FORTNIGHT", secrets=pagila_secrets,
                                  check_status=2).stderr


def test_query_backend_failure(workdir, pg):
    secrets = _pg_secrets(workdir / "wrong-db", pg, schema="no_such_database")
    proc = query("-m", "movies_rented", secrets=secrets, check_status=1)
    assert "ERROR 1105 (HY000)" in proc.stderr
    assert "no_such_database" in proc.stderr


def test_query_secrets_from_conninfo_and_environment(workdir, pg):
    """The server's own PostgreSQL connector (which the local query uses) takes
    the connection string, sslmode and ${VAR} values of the secrets."""
    secrets = _pg_secrets(workdir / "ci-query", pg, host=None, port=None, user=None,
                          schema=None, password="${CLI_PG_PASSWORD}", sslmode="disable",
                          conninfo="host=${CLI_PG_HOST} port=" + str(pg.port) +
                                   " user=postgres dbname=pagila application_name=ignored")
    proc = query("-m", "payments_count", "-d", "staff_id", "--format", "csv", secrets=secrets,
                 env={"CLI_PG_HOST": "127.0.0.1", "CLI_PG_PASSWORD": ""}, check_status=0)
    _, rows = _csv_rows(proc.stdout)
    want = expected(pg, ["staff_id"], ["payments_count"], order_by="staff_id")
    assert rows == [tuple(_text(v) for v in r) for r in want]
    proc = query("-m", "payments_count", secrets=secrets, env={"CLI_PG_HOST": "127.0.0.1"},
                 check_status=1)
    assert "'password' reads the environment variable 'CLI_PG_PASSWORD'" in proc.stderr


def test_query_demo_on_sqlite():
    proc = cli("query", "--configs", DEMO_CONFIGS, "-m", "orders_count", "-m", "visits_count",
                 "-d", "city", "--format", "json", check_status=0)
    rows = json.loads(proc.stdout)
    assert len(rows) == 8
    import sqlite3
    db = sqlite3.connect(DEMO_CONFIGS / "demo.db")
    want = db.execute("""
        SELECT s.city,
               (SELECT COUNT(*) FROM orders o WHERE o.store_id IN
                   (SELECT store_id FROM stores WHERE city = s.city)),
               (SELECT COUNT(*) FROM visits v WHERE v.store_id IN
                   (SELECT store_id FROM stores WHERE city = s.city))
        FROM (SELECT DISTINCT city FROM stores) AS s ORDER BY s.city""").fetchall()
    db.close()
    assert [(r["city"], r["orders_count"], r["visits_count"]) for r in rows] == want


def test_query_without_host_opens_no_socket(pg, pagila_secrets):
    """Without --host the statement runs through execution in this process:
    no listening socket, no loopback connection to itself (strace records
    every bind, listen and connect of the process and its threads), and the
    answer is still PostgreSQL's."""
    trace = subprocess.run(
        ["strace", "-f", "-qq", "-e", "trace=bind,listen,connect,accept,accept4",
         str(MIMIR_BIN), "query", "--configs", str(PAGILA_CONFIGS), "--secrets",
         str(pagila_secrets), "-m", "movies_rented,payments_revenue", "-d", "dim_store_id",
         "--format", "csv"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
        # LeakSanitizer cannot run under ptrace (make test-asan); leaks are checked elsewhere.
        env={**os.environ, "ASAN_OPTIONS": "detect_leaks=0"})
    assert trace.returncode == 0, trace.stderr
    calls = [line for line in trace.stderr.splitlines() if "(" in line]
    assert not [c for c in calls if "bind(" in c or "listen(" in c or "accept" in c], calls
    # The only TCP connections are to PostgreSQL's port, none to a server of its own.
    inet = [c for c in calls if "connect(" in c and "AF_INET" in c]
    assert inet and all(f"htons({pg.port})" in c for c in inet), inet
    _, rows = _csv_rows(trace.stdout)
    want = expected(pg, ["dim_store_id"], ["movies_rented", "payments_revenue"],
                    order_by="dim_store_id")
    assert rows == [tuple(_text(v) for v in r) for r in want]


# --------------------------------------------------------------------------
# query --dry-run
# --------------------------------------------------------------------------


def _explain(mimir_server, sql):
    _, rows = mimir_server.query("EXPLAIN " + sql)
    return rows


DRY_ARGS = ["-m", "movies_rented", "-m", "payments_revenue", "-d", "dim_store_id", "-f",
            "dim_store_id = 1", "--start-date", "2022-06-01"]
DRY_SQL = ("SELECT `dim_store_id`, AGG(`movies_rented`) AS `movies_rented`, "
           "AGG(`payments_revenue`) AS `payments_revenue` FROM "
           "mimir.metrics WHERE `ds` >= '2022-06-01' AND (dim_store_id = 1) GROUP BY "
           "`dim_store_id` ORDER BY `dim_store_id`")


def test_dry_run_prints_what_the_server_would_run(mimir, pagila_secrets):
    """The atomic queries, their parameters and the combine, exactly as the
    server's EXPLAIN of the same inquiry; nothing runs."""
    plan = _explain(mimir, DRY_SQL)
    assert len(plan) == 3  # two sources and the combine
    proc = query(*DRY_ARGS, "--dry-run", secrets=pagila_secrets, check_status=0)
    text = proc.stdout
    assert text.startswith(f"-- the inquiry, as a query on mimir.metrics:\n{DRY_SQL};\n")
    for step, source, connection, dialect, sql, params in plan:
        if source:
            assert (f"-- step {step}: source {source}, on connection {connection} "
                    f"({dialect})\n-- parameters: {params}\n{sql};\n") in text
        else:
            assert (f"-- step {step}: {connection}, over the results of the steps above "
                    f"({dialect})\n-- parameters: {params}\n{sql};\n") in text


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_dry_run_formats(mimir, pagila_secrets, fmt):
    plan = [tuple(str(v) if v is not None else None for v in r) for r in _explain(mimir, DRY_SQL)]
    proc = query(*DRY_ARGS, "--dry-run", "--format", fmt, secrets=pagila_secrets,
                 check_status=0)
    if fmt == "json":
        got = [tuple(None if v is None else str(v) for v in r.values())
               for r in json.loads(proc.stdout)]
    else:
        header, got = _csv_rows(proc.stdout)
        assert header == ["step", "source", "connection", "dialect", "sql", "parameters"]
        plan = [tuple(v if v is not None else "" for v in r) for r in plan]
    assert got == plan


def test_dry_run_without_secrets_needs_no_database():
    proc = cli("query", "--configs", PAGILA_CONFIGS, "--no-secrets", "--dry-run", "-m",
                 "movies_rented", "-f", "dim_rental_category = 'Action'", check_status=0)
    assert "-- step 1: source rentals, on connection (no secrets) (postgresql)" in proc.stdout
    assert "-- parameters: ['Action']" in proc.stdout
    assert '"dim_rental_category" = $1' in proc.stdout
    assert "no secrets" not in cli("query", "--configs", PAGILA_CONFIGS, "--no-secrets", "-m",
                                     "x", check_status=2).stdout


# --------------------------------------------------------------------------
# query --host: a running server through libmariadb
# --------------------------------------------------------------------------


def test_query_host_matches_local_and_postgresql(mimir, pg, pagila_secrets):
    args = ["-m", "movies_rented,rentals_revenue", "-d", "dim_rental_category", "--format",
            "csv"]
    remote = mimir_cli_host(mimir, *args, check_status=0)
    local = query(*args, secrets=pagila_secrets, check_status=0)
    assert remote.stdout == local.stdout
    header, rows = _csv_rows(remote.stdout)
    want = expected(pg, ["dim_rental_category"], ["movies_rented", "rentals_revenue"])
    assert sorted(rows) == sorted(tuple(_text(v) for v in r) for r in unordered(want))


def mimir_cli_host(server, *args, **kwargs):
    return cli("query", "--host", f"127.0.0.1:{server.port}", *args, **kwargs)


def test_query_host_dry_run_and_errors(mimir, pagila_secrets):
    remote = mimir_cli_host(mimir, *DRY_ARGS, "--dry-run", check_status=0)
    local = query(*DRY_ARGS, "--dry-run", secrets=pagila_secrets, check_status=0)
    assert remote.stdout == local.stdout
    proc = mimir_cli_host(mimir, "-m", "nope", check_status=1)
    assert "ERROR 1054 (42S22)" in proc.stderr
    proc = mimir_cli_host(mimir, "-m", "x", "--configs", ".", check_status=2)
    assert "--configs and --secrets do not apply" in proc.stderr
    proc = cli("query", "--host", "127.0.0.1:notaport", "-m", "x", check_status=2)
    assert "port" in proc.stderr


def test_query_host_with_a_scheme(mimir):
    """mysql:// is the MySQL port; http(s):// the HTTP API (tests/integration/test_http_api.py),
    which a MySQL port does not speak: an error at once, as for other schemes, never a MySQL
    host that times out."""
    proc = cli("query", "--host", f"mysql://127.0.0.1:{mimir.port}", *DRY_ARGS, "--dry-run",
               check_status=0)
    assert proc.stdout
    for url, status, words in ((f"http://127.0.0.1:{mimir.port}", 1, "/v1/query"),
                               ("ftp://127.0.0.1:21", 2, "unknown scheme 'ftp'")):
        started = time.monotonic()
        proc = cli("query", "--host", url, "-m", "movies_rented", check_status=status)
        assert words in proc.stderr and url in proc.stderr, proc.stderr
        assert time.monotonic() - started < 5  # refused at once


def test_query_host_unreachable(pg_factory):
    stopped = pg_factory(name="pg-gone")
    port = stopped.port
    stopped.stop()
    proc = cli("query", "--host", f"localhost:{port}", "-m", "x", check_status=1)
    assert f"cannot connect to localhost:{port}" in proc.stderr


# --------------------------------------------------------------------------
# init
# --------------------------------------------------------------------------


def test_init_then_validate(workdir):
    project = workdir / "new-project"
    proc = cli("init", project, check_status=0)
    for rel in ["sources/orders.yaml", "metrics/orders.yaml", "dimensions/order_size.yaml",
                "secrets/warehouse.json"]:
        assert (project / rel).is_file()
        assert f"created {project}/{rel}" in proc.stdout
    assert "${WAREHOUSE_PASSWORD}" in (project / "secrets" / "warehouse.json").read_text()
    proc = cli("validate", "--configs", project, "--no-secrets", check_status=0)
    assert proc.stdout == "1 source, 2 metrics, 1 dimension: valid\n"
    # With secrets, the example names the variable it needs.
    proc = cli("validate", "--configs", project, check_status=1)
    assert ("'password' reads the environment variable 'WAREHOUSE_PASSWORD', which is not set"
            in proc.stdout)
    # Nothing is overwritten.
    (project / "metrics" / "orders.yaml").write_text("# mine\n")
    proc = cli("init", project, check_status=0)
    assert "orders.yaml exists: left as it is" in proc.stderr
    assert (project / "metrics" / "orders.yaml").read_text() == "# mine\n"


def test_init_in_current_directory(workdir):
    project = workdir / "here"
    project.mkdir()
    cli("init", cwd=project, check_status=0)
    cli("validate", "--no-secrets", cwd=project, check_status=0)
    assert "unexpected argument" in cli("init", "a", "b", check_status=2).stderr
