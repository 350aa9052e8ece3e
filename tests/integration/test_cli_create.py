"""bin/mimir create metric|dimension|source, and describe NAME KIND.

Each test works on its own copy of the demo project (configs/demo, SQLite).
A definition created with options must load (`mimir validate`), show in
`mimir describe`, and answer `mimir query` with the numbers the equivalent SQL
gives when run directly on the copy's demo.db with Python's sqlite3 (computed
in the same test). The prompts are driven through a pseudo-terminal, answering
each one and checking the choices shown. Every refusal is checked for its exit
status, its exact message, and that nothing was written.
"""

import json
import os
import select
import shutil
import sqlite3
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from conftest import DEMO_CONFIGS, MIMIR_BIN, SANITIZER_MARKERS
from test_cli import cli

CLI_TIMEOUT = 120
PROMPT_TIMEOUT = 20


def clean_env():
    env = dict(os.environ)
    for name in ("MIMIR_CONFIGS", "MIMIR_SECRETS", "MIMIR_PASSWORD"):
        env.pop(name, None)
    return env


@pytest.fixture
def project(workdir):
    """A copy of the demo project, its SQLite database included."""
    if not (DEMO_CONFIGS / "demo.db").exists():
        pytest.skip("configs/demo/demo.db is missing: run `make demo-data`")
    dest = Path(workdir) / "demo"
    shutil.copytree(DEMO_CONFIGS, dest)
    return dest


def tree(root):
    """Every file under root with its content: to show that nothing changed."""
    return {str(p.relative_to(root)): p.read_bytes()
            for p in sorted(Path(root).rglob("*")) if p.is_file()}


def sql_rows(project, sql):
    con = sqlite3.connect(project / "demo.db")
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def query_json(project, *args):
    proc = cli("query", "--configs", project, "--format", "json", *args, check_status=0)
    return json.loads(proc.stdout)


def num(v):
    return Decimal(str(v)).normalize()


def describe_fields(project, name, kind):
    """`mimir describe NAME KIND` (the table format) as {field: value}."""
    out = cli("describe", name, kind, "--configs", project, check_status=0).stdout
    fields = {}
    for line in out.splitlines():
        if line and not line.startswith(" "):
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


# --------------------------------------------------------------------------
# with options
# --------------------------------------------------------------------------

def test_create_metric_with_options(project):
    description = "Largest order line: 'quoted', # not a comment, yes"
    proc = cli("create", "metric", "--configs", project, "--name", "max_order_amount",
               "--source", "orders", "--sql", "MAX(amount) AS max_order_amount",
               "--description", description, "--required-dimensions", "city, dim_region",
               "--team", "null", check_status=0)
    path = project / "metrics" / "max_order_amount.yaml"
    assert proc.stdout == f"{path}\n"
    # The prototype read these files with PyYAML: every value reads back as written.
    assert yaml.safe_load(path.read_text()) == {
        "name": "max_order_amount", "source_name": "orders", "description": description,
        "required_dimensions": ["city", "dim_region"], "team": "null",
        "sql": "MAX(amount) AS max_order_amount"}

    assert cli("validate", "--configs", project, check_status=0).stdout == \
        "2 sources, 7 metrics, 2 dimensions: valid\n"
    shown = json.loads(cli("describe", "max_order_amount", "metric", "--configs", project,
                           "--format", "json", check_status=0).stdout)
    assert len(shown) == 1
    assert shown[0]["kind"] == "metric"
    assert shown[0]["description"] == description
    assert shown[0]["source"] == "orders"
    assert shown[0]["sql"] == "MAX(amount)"
    assert shown[0]["required_dimensions"] == "city, dim_region"
    assert shown[0]["defined_at"] == f"{path}:2:1"

    got = query_json(project, "-m", "max_order_amount", "-d", "city,dim_region")
    want = sql_rows(project, """
        SELECT stores.city, stores.region, MAX(orders.amount)
        FROM orders JOIN stores ON stores.store_id = orders.store_id
        GROUP BY 1, 2 ORDER BY 1, 2""")
    assert len(want) > 1
    assert [(r["city"], r["dim_region"], num(r["max_order_amount"])) for r in got] == \
        [(c, reg, num(v)) for c, reg, v in want]


def test_create_dimension_with_options(project):
    proc = cli("create", "dimension", "--configs", project, "--name", "dim_order_size",
               "--source", "orders", "--sql",
               "CASE WHEN orders.amount >= 20 THEN 'large' ELSE 'small' END AS dim_order_size",
               "--description", "Large order lines (20 or more) and small ones.",
               check_status=0)
    path = project / "dimensions" / "dim_order_size.yaml"
    assert proc.stdout == f"{path}\n"
    assert yaml.safe_load(path.read_text())["source_name"] == "orders"
    cli("validate", "--configs", project, check_status=0)
    shown = describe_fields(project, "dim_order_size", "dimension")
    assert shown["kind"] == "dimension"
    assert shown["available_on"] == "orders"
    assert shown["sql"] == "CASE WHEN orders.amount >= 20 THEN 'large' ELSE 'small' END"

    got = query_json(project, "-m", "revenue,orders_count", "-d", "dim_order_size")
    want = sql_rows(project, """
        SELECT CASE WHEN amount >= 20 THEN 'large' ELSE 'small' END, SUM(amount), COUNT(order_id)
        FROM orders GROUP BY 1 ORDER BY 1""")
    assert len(want) == 2
    assert [(r["dim_order_size"], num(r["revenue"]), r["orders_count"]) for r in got] == \
        [(size, num(rev), n) for size, rev, n in want]


SOURCE_SQL = """SELECT
    visits.visit_id,
    visits.visited_at AS ts,
    visits.channel
FROM visits
WHERE visits.channel <> 'web'"""


def test_create_source_with_options_then_a_metric_on_it(project):
    proc = cli("create", "source", "--configs", project, "--name", "offline_visits",
               "--connection", "demo_sqlite", "--time-col", "visits.visited_at",
               "--time-col-alias", "ts", "--sql", SOURCE_SQL,
               "--description", "Visits not made on the web.", check_status=0)
    path = project / "sources" / "offline_visits.yaml"
    assert proc.stdout == f"{path}\n"
    text = path.read_text()
    assert "  sql: |" in text  # the SQL stays readable: a literal block
    assert yaml.safe_load(text) == {"offline_visits": {
        "name": "offline_visits", "description": "Visits not made on the web.",
        "connection_name": "demo_sqlite", "time_col": "visits.visited_at",
        "time_col_alias": "ts", "sql": SOURCE_SQL}}
    shown = describe_fields(project, "offline_visits", "source")
    assert shown["kind"] == "source"
    assert shown["connection"] == "demo_sqlite"
    assert shown["time_col"] == "visits.visited_at"
    assert shown["dimensions"] == "visit_id, channel"

    # The new source is a choice now; checked on the database with --secrets.
    cli("create", "metric", "--configs", project, "--secrets", project / "secrets",
        "--name", "offline_visits_count", "--source", "offline_visits",
        "--sql", "COUNT(visit_id)", check_status=0)
    cli("validate", "--configs", project, check_status=0)
    got = query_json(project, "-m", "offline_visits_count", "-d", "channel")
    want = sql_rows(project, "SELECT channel, COUNT(visit_id) FROM visits "
                             "WHERE channel <> 'web' GROUP BY 1 ORDER BY 1")
    assert len(want) >= 1
    assert [(r["channel"], r["offline_visits_count"]) for r in got] == want


def test_create_in_a_project_with_problems_elsewhere(project):
    """A problem the project already had is not the new definition's: the file
    is written, with a note."""
    (project / "metrics" / "broken.yaml").write_text(
        "name: broken\nsource_name: no_such_source\nsql: SUM(amount)\n")
    proc = cli("create", "source", "--configs", project, "--name", "web_visits",
               "--connection", "demo_sqlite", "--time-col", "visits.visited_at",
               "--sql", "SELECT visits.visit_id, visits.visited_at FROM visits",
               check_status=0)
    assert proc.stdout == f"{project / 'sources' / 'web_visits.yaml'}\n"
    assert proc.stderr == ("mimir create: note: the project had 1 problem already, not the new "
                           "source's ('mimir validate' lists them)\n")


# --------------------------------------------------------------------------
# through the prompts, on a pseudo-terminal
# --------------------------------------------------------------------------

class Terminal:
    """bin/mimir with standard input and error on a pseudo-terminal; standard
    output (the path written) on a pipe."""

    def __init__(self, *args):
        self.master, slave = os.openpty()
        self.proc = subprocess.Popen([str(MIMIR_BIN), *map(str, args)], env=clean_env(),
                                     stdin=slave, stderr=slave, stdout=subprocess.PIPE,
                                     close_fds=True)
        os.close(slave)
        self.seen = ""  # everything the terminal showed
        self.pos = 0    # how far expect() has read

    def _read(self, timeout):
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.master, 4096)
        except OSError:  # EIO: the program has exited
            return None
        if not data:
            return None
        self.seen += data.decode("utf-8", "replace").replace("\r\n", "\n")
        return True

    def expect(self, prompt):
        """Waits until the program shows prompt and waits for an answer (what it
        showed since the last answer ends with prompt); returns what it showed."""
        deadline = time.monotonic() + PROMPT_TIMEOUT
        while len(self.seen) <= self.pos or not self.seen.endswith(prompt):
            left = deadline - time.monotonic()
            if left <= 0 or self._read(left) is None:
                raise AssertionError(f"never asked {prompt!r}; the terminal showed:\n{self.seen}")
        shown, self.pos = self.seen[self.pos:], len(self.seen)
        return shown

    def answer(self, prompt, reply):
        shown = self.expect(prompt)
        os.write(self.master, reply.encode() + b"\n")
        return shown

    def finish(self):
        stdout = self.proc.stdout.read().decode()
        status = self.proc.wait(timeout=CLI_TIMEOUT)
        while self._read(0.2):
            pass
        os.close(self.master)
        for marker in SANITIZER_MARKERS:
            assert marker not in self.seen, self.seen
        return status, stdout


def test_create_metric_through_the_prompts(project):
    t = Terminal("create", "metric", "--configs", project)
    shown = t.answer("name: ", "2fast")
    assert shown == "name: the metric's name (letters, digits and _; also its file's name)\nname: "
    shown = t.answer("name: ", "revenue")  # asked again: 2fast is not a name
    assert "'2fast' is not a name: use letters, digits and _, not starting with a digit" in shown
    shown = t.answer("name: ", "large_revenue")  # asked again: revenue exists
    assert f"there is a metric 'revenue' already ({project}/metrics/orders.yaml:8)" in shown
    shown = t.answer("source_name: ", "nope")
    assert shown.endswith("source_name: the source it is computed on\n"
                          "  choices: orders, visits\nsource_name: ")
    shown = t.answer("source_name: ", "orders")
    assert "'nope' is not one of the choices" in shown
    t.answer("sql: ", "SUM(CASE WHEN amount >= 20 THEN amount END) AS large_revenue")
    t.answer("description (optional): ", "Revenue of order lines of 20 or more.")
    shown = t.answer("required_dimensions (optional): ", "city, nope")
    assert ("  choices: order_id, store_id, city, product_id, product_name, quantity, amount, "
            "dim_product_category, dim_region\n") in shown
    shown = t.answer("required_dimensions (optional): ", "")
    assert "'nope' is not one of the choices" in shown
    t.answer("team (optional): ", "finance")
    status, stdout = t.finish()
    path = project / "metrics" / "large_revenue.yaml"
    assert status == 0, t.seen
    assert stdout == f"{path}\n"
    assert yaml.safe_load(path.read_text()) == {
        "name": "large_revenue", "source_name": "orders", "team": "finance",
        "description": "Revenue of order lines of 20 or more.",
        "sql": "SUM(CASE WHEN amount >= 20 THEN amount END) AS large_revenue"}
    got = query_json(project, "-m", "large_revenue")
    (want,), = sql_rows(project, "SELECT SUM(CASE WHEN amount >= 20 THEN amount END) FROM orders")
    assert num(got[0]["large_revenue"]) == num(want)


def test_create_source_through_the_prompts_with_defaults(project):
    """Options given are not asked; the one connection and the time column's
    own name are the defaults."""
    t = Terminal("create", "source", "--configs", project, "--name", "visit_channels",
                 "--description", "")
    shown = t.answer("connection_name [demo_sqlite]: ", "")
    assert shown.startswith("connection_name: the database: <connection_name>.json in the "
                            "secrets directory\n  choices: demo_sqlite\n")
    # A line ending in a backslash goes on on the next: SQL on several lines.
    t.answer("sql: ", "SELECT visits.visit_id, visits.visited_at, \\")
    t.answer("  > ", "    visits.channel \\")
    t.answer("  > ", "FROM visits")
    t.answer("time_col: ", "visits.visited_at")
    t.answer("time_col_alias [visited_at]: ", "")
    status, stdout = t.finish()
    assert status == 0, t.seen
    assert "description" not in t.seen  # given (empty) as an option: not asked, left out
    path = project / "sources" / "visit_channels.yaml"
    assert stdout == f"{path}\n"
    assert yaml.safe_load(path.read_text()) == {"visit_channels": {
        "name": "visit_channels", "connection_name": "demo_sqlite",
        "time_col": "visits.visited_at", "time_col_alias": "visited_at",
        "sql": "SELECT visits.visit_id, visits.visited_at,\n    visits.channel\nFROM visits"}}
    assert "  sql: |-\n    SELECT visits.visit_id" in path.read_text()
    cli("validate", "--configs", project, check_status=0)


def test_prompt_end_of_input_writes_nothing(project):
    before = tree(project)
    t = Terminal("create", "dimension", "--configs", project, "--name", "dim_x")
    t.answer("source_name: ", "orders")
    t.expect("sql: ")
    os.write(t.master, b"\x04")  # Ctrl-D: the end of input
    status, stdout = t.finish()
    assert status == 1
    assert stdout == ""
    assert "mimir create: no answer for sql: nothing written" in t.seen
    assert tree(project) == before


def test_prompted_definition_is_still_validated(project):
    t = Terminal("create", "metric", "--configs", project, "--name", "bad_metric",
                 "--source", "orders", "--description", "", "--team", "",
                 "--required-dimensions", "")
    t.answer("sql: ", "amount")
    status, stdout = t.finish()
    assert status == 1 and stdout == ""
    assert "metric 'bad_metric': sql 'amount' is not an aggregate" in t.seen
    assert not (project / "metrics" / "bad_metric.yaml").exists()


def test_a_bad_name_given_as_an_option_is_refused_before_any_question(project):
    t = Terminal("create", "metric", "--configs", project, "--name", "bad-name")
    status, stdout = t.finish()
    assert status == 1 and stdout == ""
    assert t.seen == ("mimir create: 'bad-name' is not a name: use letters, digits and _, not "
                      "starting with a digit (it names the file and the column clients select)\n")


# --------------------------------------------------------------------------
# refusals: nothing is written
# --------------------------------------------------------------------------

def refused(project, args, status, stderr):
    before = tree(project)
    proc = cli("create", *args, "--configs", project, check_status=status)
    assert proc.stdout == ""
    assert proc.stderr == stderr.format(p=project)
    assert tree(project) == before


def test_unknown_source_is_refused(project):
    refused(project, ["metric", "--name", "m", "--source", "nope", "--sql", "SUM(amount)"], 1,
            "{p}/metrics/m.yaml:3:14: metric 'm': unknown source_name 'nope' (known sources: "
            "orders, visits)\n"
            "mimir create: metric 'm' not written: 1 problem (above)\n")
    refused(project, ["dimension", "--name", "d", "--source", "nope", "--sql", "stores.city"], 1,
            "{p}/dimensions/d.yaml:3:14: dimension 'd': unknown source_name 'nope' (known "
            "sources: orders, visits)\n"
            "mimir create: dimension 'd' not written: 1 problem (above)\n")


def test_duplicate_name_is_refused(project):
    refused(project, ["metric", "--name", "revenue", "--source", "orders", "--sql",
                      "SUM(amount)"], 1,
            "{p}/metrics/revenue.yaml:2:1: duplicate metric 'revenue' (first defined at "
            "{p}/metrics/orders.yaml:8)\n"
            "mimir create: metric 'revenue' not written: 1 problem (above)\n")
    refused(project, ["source", "--name", "visits", "--connection", "demo_sqlite",
                      "--time-col", "visits.visited_at",
                      "--sql", "SELECT visits.visit_id, visits.visited_at FROM visits"], 1,
            "{p}/sources/visits.yaml:2:1: duplicate source 'visits' (first defined at "
            "{p}/sources/sources.yaml:25)\n"
            "mimir create: source 'visits' not written: 1 problem (above)\n")
    # A metric and a dimension are both columns of mimir.metrics: one name each.
    refused(project, ["dimension", "--name", "revenue", "--source", "orders", "--sql",
                      "stores.city"], 1,
            "{p}/metrics/orders.yaml:8:1: metric 'revenue' has the name of the dimension "
            "defined at {p}/dimensions/revenue.yaml:2\n"
            "mimir create: dimension 'revenue' not written: 1 problem (above)\n")


def test_existing_file_is_not_overwritten(project):
    refused(project, ["metric", "--name", "orders", "--source", "orders", "--sql",
                      "COUNT(*)"], 1,
            "mimir create: {p}/metrics/orders.yaml exists: it is not overwritten\n")


def test_bad_name_is_refused(project):
    refused(project, ["metric", "--name", "my revenue", "--source", "orders", "--sql",
                      "SUM(amount)"], 1,
            "mimir create: 'my revenue' is not a name: use letters, digits and _, not starting "
            "with a digit (it names the file and the column clients select)\n")
    refused(project, ["source", "--name", "../escape", "--connection", "demo_sqlite",
                      "--time-col", "t", "--sql", "SELECT 1 AS t"], 1,
            "mimir create: '../escape' is not a name: use letters, digits and _, not starting "
            "with a digit (it names the file and the column clients select)\n")


def test_invalid_sql_is_refused(project):
    refused(project, ["metric", "--name", "m", "--source", "orders", "--sql", "amount * 2"], 1,
            "{p}/metrics/m.yaml:4:6: metric 'm': sql 'amount * 2' is not an aggregate: a metric "
            "is one aggregate expression over its source's rows, e.g. SUM(amount) or "
            "COUNT(DISTINCT customer_id)\n"
            "mimir create: metric 'm' not written: 1 problem (above)\n")
    refused(project, ["source", "--name", "s", "--connection", "demo_sqlite", "--time-col",
                      "visits.visited_at", "--sql", "SELECT * FROM visits"], 1,
            "{p}/sources/s.yaml:6:8: source 's': sql selects '*': list the columns instead, so "
            "that Mimir knows the source's dimensions\n"
            "mimir create: source 's' not written: 1 problem (above)\n")
    # With --secrets, the database is asked too, as `mimir validate` asks it.
    refused(project, ["metric", "--name", "m", "--source", "orders", "--sql", "SUM(nope)",
                      "--secrets", project / "secrets"], 1,
            "{p}/metrics/m.yaml:2:1: metric 'm': the database says: no such column: nope\n"
            "mimir create: metric 'm' not written: 1 problem (above)\n")


def test_missing_option_without_a_terminal_is_a_usage_error(project):
    refused(project, ["metric", "--name", "m"], 2,
            "mimir create: missing --source, --sql for the new metric (standard input is not "
            "a terminal, so nothing is asked)\nTry 'mimir create --help'.\n")
    refused(project, ["source", "--sql", "SELECT 1"], 2,
            "mimir create: missing --name, --connection, --time-col for the new source "
            "(standard input is not a terminal, so nothing is asked)\n"
            "Try 'mimir create --help'.\n")


@pytest.mark.parametrize("args, message", [
    ([], "what to create? metric, dimension or source"),
    (["widget"], "'widget': what is created is a metric, dimension or source"),
    (["metrics"], "'metrics': what is created is a metric, dimension or source"),
    (["metric", "extra"], "unexpected argument 'extra'"),
    (["dimension", "--team", "x"], "--team does not apply to a dimension"),
    (["source", "--source", "orders"], "--source does not apply to a source"),
    (["metric", "--no-such-option"], "unknown option"),
])
def test_command_line_mistakes(project, args, message):
    # getopt_long says which option it did not recognise first, as for every command.
    getopt_says = "create: unrecognized option '--no-such-option'\n" \
        if "--no-such-option" in args else ""
    refused(project, args, 2,
            f"{getopt_says}mimir create: {message}\nTry 'mimir create --help'.\n")


def test_no_project_directory(workdir):
    missing = Path(workdir) / "nowhere"
    proc = cli("create", "metric", "--configs", missing, "--name", "m", "--source", "s",
               "--sql", "SUM(x)", check_status=1)
    assert proc.stderr == (f"mimir create: {missing}: no such project directory (create one "
                           f"with 'mimir init {missing}')\n")
    assert not missing.exists()


def test_missing_secrets_directory(project):
    refused(project, ["metric", "--name", "m", "--source", "orders", "--sql", "SUM(amount)",
                      "--secrets", project / "no_secrets"], 1,
            "mimir create: {p}/no_secrets: no such secrets directory\n")


def test_help():
    proc = cli("create", "--help", check_status=0)
    assert proc.stdout.startswith("usage: mimir create metric")
    for option in ["--name", "--source", "--sql", "--description", "--required-dimensions",
                   "--team", "--connection", "--time-col", "--time-col-alias", "--configs",
                   "--secrets"]:
        assert option in proc.stdout
    assert "create" in cli("--help", check_status=0).stdout


# --------------------------------------------------------------------------
# describe NAME KIND
# --------------------------------------------------------------------------

def test_describe_with_a_kind(project):
    # dim_region: a dimension; a source of the same name narrows by kind.
    cli("create", "source", "--configs", project, "--name", "dim_region",
        "--connection", "demo_sqlite", "--time-col", "visits.visited_at",
        "--sql", "SELECT visits.channel, visits.visited_at FROM visits", check_status=0)
    both = json.loads(cli("describe", "dim_region", "--configs", project, "--format", "json",
                          check_status=0).stdout)
    assert [d["kind"] for d in both] == ["dimension", "source"]
    for kind in ["dimension", "source"]:
        one = json.loads(cli("describe", "dim_region", kind, "--configs", project,
                             "--format", "json", check_status=0).stdout)
        assert [d["kind"] for d in one] == [kind]
    proc = cli("describe", "dim_region", "metric", "--configs", project, check_status=1)
    assert proc.stderr == f"mimir describe: no metric named 'dim_region' in {project} " \
                          f"(see 'mimir list')\n"
    proc = cli("describe", "dim_region", "measure", "--configs", project, check_status=2)
    assert proc.stderr == ("mimir describe: 'measure': the kind is metric, dimension or source\n"
                           "Try 'mimir describe --help'.\n")
