"""The web page (proxy/http/web/, docs/http.md "Web page") in a real browser: Debian's
chromium driven by playwright-core (tests/clients/node/web_check.mjs), over configs/pagila on
the session's PostgreSQL, with the server of test_http_api.py (users `admin` and `store1`,
password `s3cret`, HTTP Basic authentication).

The browser opens the page with credentials, searches the catalog, reads a metric's details
and a derived metric's lineage, runs inquiries through the form (a bar chart by a dimension;
a line chart by month over a date range; one the server refuses, then one that works),
downloads the CSV and copies the SQL. One browser run serves the whole module; each test
below judges one part of what it saw. Every number is checked against PostgreSQL in the same
run, and the copied SQL is run through the MySQL port. A screenshot is kept in
$MIMIR_ARTIFACTS (else build/artifacts) as web-page.png."""

import csv
import io
import json
import os
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from client_support import clients_build, node_dir_with  # noqa: F401 (a fixture)
from conftest import REPO
from support import RENTALS_SQL, expected, unordered
from test_http_api import PASSWORD, error_of, ok_json, start_http_server

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))

# The inquiries the browser runs, in this order.
BY_CATEGORY = {"metrics": ["movies_rented", "rentals_revenue"],
               "dimensions": ["dim_rental_category"], "csv": True, "copy": True}
BY_MONTH = {"metrics": ["movies_rented", "rentals_revenue"], "dimensions": ["dim_store_id"],
            "grain": "year_month", "start_date": "2022-01-01", "end_date": "2022-06-30",
            "csv": True, "copy": True, "screenshot": True}
REFUSED = {"metrics": ["movies_rented"], "dimensions": ["dim_rental_category"],
           "filter": "no_such_column = 1"}
AFTER_ERROR = {"metrics": ["movies_rented"], "dimensions": ["dim_rental_category"]}
CASES = [BY_CATEGORY, BY_MONTH, REFUSED, AFTER_ERROR]

DETAILS = [{"search": "growth", "kind": "metric", "name": "action_movies_rented",
            "chart": True},
           {"search": "per rental", "kind": "metric", "name": "revenue_per_rental"}]


def artifacts_dir():
    path = Path(os.environ.get("MIMIR_ARTIFACTS") or REPO / "build" / "artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def web_tools(clients_build):  # noqa: F811
    """The node directory holding playwright-core (from the committed lockfile) and
    web_check.mjs, installed the way the Makefile does when make test-clients did not."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run make deps (Debian's chromium)", pytrace=False)
    return node_dir_with(clients_build, "playwright-core", "web_check.mjs")


@pytest.fixture(scope="module")
def web(request, session_dir, pagila_secrets, tmp_path_factory):
    # Debug logging: the query log then records each statement's SQL (see the last test).
    return start_http_server(request, session_dir, tmp_path_factory.mktemp("web"),
                             pagila_secrets, extra="log:\n  level: debug\n")


def run_page(server, node_dir, user, details, cases, screenshot):
    """What the browser saw, as web_check.mjs reports it. The browser is its child and
    closes with it; a run that hangs is killed with its process group."""
    spec = {"url": f"http://127.0.0.1:{server.http_port}/", "user": user,
            "password": PASSWORD, "screenshot": str(screenshot), "details": details,
            "cases": cases}
    proc = subprocess.Popen(["node", str(node_dir / "web_check.mjs"), json.dumps(spec)],
                            cwd=node_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=240)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        out, err = proc.communicate()
        pytest.fail(f"web_check.mjs did not finish:\n{err}", pytrace=False)
    assert proc.returncode == 0, err + out
    return json.loads(out)


@pytest.fixture(scope="module")
def seen(web, web_tools):
    screenshot = artifacts_dir() / "web-page.png"
    result = run_page(web, web_tools, "admin", DETAILS, CASES, screenshot)
    print(f"web page screenshot: {screenshot}")
    result["screenshot"] = screenshot
    return result


# ---- typed values, whatever carried them (page cells, CSV, the MySQL port, PostgreSQL) ---

def typed(columns, rows):
    """Rows as tuples of int, Decimal or str (dates as YYYY-MM-DD) by column name."""
    def convert(name, v):
        if v is None or v == "":
            return None
        if name in ("movies_rented", "dim_store_id"):
            return int(v)
        if name in ("rentals_revenue", "action_movies_rented"):
            return Decimal(str(v))
        return str(v)
    return [tuple(convert(n, v) for n, v in zip(columns, row)) for row in rows]


def by_month_expected(pg):
    c = BY_MONTH
    return pg.query(
        "SELECT dim_store_id, date_trunc('month', ts)::date, COUNT(rental_id), SUM(amount) "
        f"FROM ({RENTALS_SQL}) AS r WHERE ts >= '{c['start_date']}' "
        f"AND ts < DATE '{c['end_date']}' + 1 GROUP BY 1, 2")


def want_rows(pg, case):
    if case is BY_MONTH:
        return unordered(typed(["dim_store_id", "year_month"] + case["metrics"],
                               by_month_expected(pg)))
    return unordered(typed(case["dimensions"] + case["metrics"],
                           expected(pg, case["dimensions"], case["metrics"])))


# ---- the page itself -----------------------------------------------------------------


def test_page_opens_with_credentials_under_its_policy(seen):
    assert seen["status"] == 200
    assert "default-src 'self'" in seen["csp"]
    assert seen["title"].startswith("Mimir")
    # Nothing the policy blocked, no script error; no file missing (favicon included): the
    # one answer >= 400 is the inquiry the server refuses.
    assert seen["consoleErrors"] == []
    assert seen["badResponses"] == [{"url": "/v1/query", "status": 400}]


def test_catalog_lists_what_the_api_lists_and_slash_goes_to_search(web, seen):
    cat = ok_json(web, "/v1/catalog")
    want = ([{"kind": "metric", "name": m["name"]} for m in cat["metrics"]]
            + [{"kind": "dimension", "name": d["name"]} for d in cat["dimensions"]]
            + [{"kind": "source", "name": s["name"]} for s in cat["sources"]])
    assert seen["catalogItems"] == want
    assert seen["slashFocuses"] == "search"


def test_search_finds_a_metric_by_its_team(web, seen):
    d = seen["details"][0]
    assert {"kind": "metric", "name": "action_movies_rented"} in d["hits"]
    assert all(h["kind"] == "metric" for h in d["hits"])
    cat = {m["name"]: m for m in ok_json(web, "/v1/catalog")["metrics"]}
    m = cat["action_movies_rented"]
    assert d["name"] == "action_movies_rented"
    assert d["description"] == m["description"] == (
        "Number of rentals of films in the Action category.")
    assert d["type"] == m["type"]
    assert d["team"] == m["extra"]["team"] == "growth"
    assert d["sql"] == m["sql"]
    assert d["dimensions"] == m["dimensions"]


def test_derived_metric_shows_its_lineage(web, seen):
    d = seen["details"][1]
    hit_names = {h["name"] for h in d["hits"]}
    assert {"revenue_per_rental", "payments_per_rental"} <= hit_names
    cat = {m["name"]: m for m in ok_json(web, "/v1/catalog")["metrics"]}
    m = cat["revenue_per_rental"]
    assert d["description"] == m["description"] == "Amount paid per rental."
    assert d["type"] == m["type"]

    def tree(name):
        deps = cat[name]["depends_on"] if cat[name]["kind"] == "derived" else []
        return {"name": name, "children": [tree(n) for n in deps]}

    assert d["lineage"] == tree("revenue_per_rental")
    assert {c["name"] for c in d["lineage"]["children"]} == {"rentals_revenue",
                                                             "movies_rented"}


# ---- inquiries -----------------------------------------------------------------------


def test_bar_chart_by_category_matches_postgresql(pg, seen):
    got = seen["cases"][0]
    assert got["error"] is None
    assert got["columns"] == ["dim_rental_category", "movies_rented", "rentals_revenue"]
    rows = typed(got["columns"], got["rows"])
    assert unordered(rows) == want_rows(pg, BY_CATEGORY)
    chart = got["chart"]
    assert chart["kind"] == "bar-chart" and chart["points"] == 0
    assert chart["bars"] == sum(v is not None for r in rows for v in r[1:])
    assert got["legend"] == ["movies_rented", "rentals_revenue"]


def test_line_chart_by_month_over_a_date_range_matches_postgresql(pg, seen):
    got = seen["cases"][1]
    assert got["error"] is None
    assert got["columns"] == ["dim_store_id", "year_month", "movies_rented", "rentals_revenue"]
    rows = typed(got["columns"], got["rows"])
    want = want_rows(pg, BY_MONTH)
    assert want and unordered(rows) == want
    chart = got["chart"]
    assert chart["kind"] == "line-chart" and chart["bars"] == 0
    assert chart["points"] == sum(v is not None for r in rows for v in r[2:])
    # One series per metric and store, each a line through its months.
    stores = {r[0] for r in rows}
    assert len(got["legend"]) == 2 * len(stores)
    assert chart["lines"] == 2 * len(stores)
    assert seen["screenshot"].stat().st_size > 10000


@pytest.mark.parametrize("index", [0, 1])
def test_csv_download_is_the_table(seen, index):
    got = seen["cases"][index]
    table = list(csv.reader(io.StringIO(got["csv"])))
    assert table[0] == got["columns"]
    assert typed(table[0], table[1:]) == typed(got["columns"], got["rows"])
    assert got["csvName"].endswith(".csv")


@pytest.mark.parametrize("index", [0, 1])
def test_copied_sql_gives_the_same_numbers_on_the_mysql_port(web, seen, index):
    got = seen["cases"][index]
    assert got["clipboard"] == got["sql"] and "FROM mimir.metrics" in got["sql"]
    assert got["copyStatus"] == "SQL copied."
    conn = web.connect(user="admin", password=PASSWORD)
    try:
        with conn.cursor() as cur:
            cur.execute(got["sql"])
            names = [d[0] for d in cur.description]
            rows = cur.fetchall()
    finally:
        conn.close()
    assert names == got["columns"]
    # ORDER BY the groups, as the page's table.
    assert typed(names, rows) == typed(got["columns"], got["rows"])


def test_refused_inquiry_shows_the_error_and_the_next_one_works(web, pg, seen):
    refused, after = seen["cases"][2], seen["cases"][3]
    status, code, sqlstate, message = error_of(web, "/v1/query", {
        "metrics": REFUSED["metrics"], "dimensions": REFUSED["dimensions"],
        "filters": [REFUSED["filter"]]})
    assert status >= 400
    assert refused["error"] == f"ERROR {code} ({sqlstate}) {message}"
    assert "no_such_column" in message
    assert refused["rows"] is None and refused["chart"] is None
    assert after["error"] is None
    assert unordered(typed(after["columns"], after["rows"])) == want_rows(pg, AFTER_ERROR)


@pytest.mark.parametrize("index", [0, 1])
def test_copied_sql_is_the_statement_the_server_ran(web, seen, index):
    """The page writes the SQL of an inquiry itself (app.js inquirySql): it must stay the
    statement planner/query_text.c makes of it, which the query log records."""
    got = seen["cases"][index]
    records = [json.loads(line) for line in web.stderr().splitlines() if line.startswith("{")]
    statements = {re.sub(r"\s+", " ", r["sql"]) for r in records
                  if r.get("event") == "query" and r["protocol"] == "http" and "sql" in r}
    assert re.sub(r"\s+", " ", got["sql"]) in statements


def test_chart_it_runs_a_metric_with_its_required_dimension(pg, seen):
    """action_movies_rented requires dim_rental_category: "Chart it" asks for both."""
    got = seen["details"][0]["charted"]
    assert got["error"] is None
    assert got["columns"] == ["dim_rental_category", "action_movies_rented"]
    want = expected(pg, ["dim_rental_category"], ["action_movies_rented"])
    assert unordered(typed(got["columns"], got["rows"])) == unordered(
        typed(got["columns"], want))
    assert got["chart"]["kind"] == "bar-chart" and got["chart"]["bars"] == len(want)


def test_restricted_user_sees_its_grants_and_its_rows(web, web_tools, pg, tmp_path):
    """store1 may query two metrics of rentals, store 1's rows only: so does its page."""
    case = {"metrics": ["movies_rented"], "dimensions": ["dim_rental_category"]}
    got = run_page(web, web_tools, "store1", [], [case], tmp_path / "store1.png")
    cat = ok_json(web, "/v1/catalog", user="store1")
    assert {i["name"] for i in got["catalogItems"] if i["kind"] == "metric"} == {
        m["name"] for m in cat["metrics"]} == {"movies_rented", "rentals_revenue"}
    rows = got["cases"][0]["rows"]
    want = expected(pg, ["dim_rental_category"], ["movies_rented"], where="dim_store_id = 1")
    assert unordered(typed(["dim_rental_category", "movies_rented"], rows)) == unordered(want)
