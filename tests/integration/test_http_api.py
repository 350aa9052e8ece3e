"""The HTTP API (docs/http.md) through real clients: Python's urllib, curl, and a raw socket
for what clients hide (a slow reader, a client that leaves). configs/pagila on the
session's PostgreSQL; every expected number is computed on PostgreSQL in the same run,
and what the MySQL port answers for the same user is the reference for names and errors.

Users: `admin` (no grants) and `store1` (rentals only, row filter store 1), both with
password `s3cret`."""

import base64
import csv
import io
import json
import os
import re
import subprocess
import socket
import time
import urllib.error
import urllib.request
from decimal import Decimal

import pytest

from client_support import clients_build, make_test_certificates  # noqa: F401 (a fixture)
from conftest import (MIMIR_BIN, PAGILA_CONFIGS, free_port, rss_kib, sanitized,
                      start_layer_server)
from support import RENTALS_SQL, expected, native_hash, source_query, unordered
from test_arrow_stream import arrow_tools  # noqa: F401 (a fixture)
from test_runtime import make_configs, sleeping_backends, wait_for

PASSWORD = "s3cret"


def server_yaml(path, extra=""):
    h = native_hash(PASSWORD)
    path.write_text(
        "users:\n"
        f"  - name: admin\n    mysql_native_password: \"{h}\"\n"
        f"  - name: store1\n    mysql_native_password: \"{h}\"\n"
        "    grants:\n      sources: [rentals]\n"
        "      metrics: [movies_rented, rentals_revenue]\n"
        "      row_filters:\n        rentals: \"inventory.store_id = 1\"\n" + extra)
    return path


def start_http_server(request, session_dir, workdir, secrets, configs=PAGILA_CONFIGS, extra=""):
    path = server_yaml(workdir / "server.yaml", extra)
    http_port = free_port()
    server = start_layer_server(request, session_dir, "mimir-http", configs, secrets,
                                ["--server-config", str(path), "--http-port", str(http_port)])
    server.http_port = http_port
    return server


@pytest.fixture(scope="module")
def http(request, session_dir, pagila_secrets, tmp_path_factory):
    return start_http_server(request, session_dir, tmp_path_factory.mktemp("http"),
                             pagila_secrets)


def call(server, path, body=None, user="admin", password=PASSWORD, accept=None, method=None,
         content_type="application/json", raw_body=None):
    """(status, headers, body bytes) of one request."""
    data = raw_body if raw_body is not None else (
        json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(f"http://127.0.0.1:{server.http_port}{path}", data=data,
                                 method=method)
    if data is not None and content_type:
        req.add_header("Content-Type", content_type)
    if user is not None:
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        req.add_header("Authorization", f"Basic {token}")
    if accept:
        req.add_header("Accept", accept)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def ok_json(server, path, body=None, **kw):
    status, headers, data = call(server, path, body, **kw)
    assert status == 200, data
    assert headers["Content-Type"] == "application/json"
    return json.loads(data)


def error_of(server, path, body=None, **kw):
    status, headers, data = call(server, path, body, **kw)
    assert headers["Content-Type"] == "application/json", data
    err = json.loads(data)["error"]
    return status, err["code"], err["sqlstate"], err["message"]


def assert_still_answers(server):
    got = ok_json(server, "/v1/sql", {"sql": "SELECT 1 AS one"})
    assert got["rows"] == [[1]]


def decimal_rows(result, decimal_columns):
    """Rows with the named columns (JSON strings) as Decimals."""
    idx = {c["name"]: i for i, c in enumerate(result["columns"])}
    out = []
    for row in result["rows"]:
        row = list(row)
        for name in decimal_columns:
            i = idx[name]
            row[i] = None if row[i] is None else Decimal(row[i])
        out.append(tuple(row))
    return out


# ---- Catalog --------------------------------------------------------------------------


def test_catalog_lists_what_the_mysql_port_shows(http):
    cat = ok_json(http, "/v1/catalog")
    conn = http.connect(user="admin", password=PASSWORD)
    with conn.cursor() as cur:
        cur.execute("SELECT COLUMN_NAME, COLUMN_COMMENT FROM information_schema.COLUMNS "
                    "WHERE TABLE_SCHEMA = 'mimir' AND TABLE_NAME = 'metrics'")
        columns = dict(cur.fetchall())
        cur.execute("SHOW TABLES FROM mimir")
        tables = {r[0] for r in cur.fetchall()} - {"metrics"}
    conn.close()
    names = ({m["name"] for m in cat["metrics"]} | {d["name"] for d in cat["dimensions"]}
             | {g["name"] for g in cat["grains"]})
    assert names == set(columns)
    assert {s["name"] for s in cat["sources"]} == tables
    rented = next(m for m in cat["metrics"] if m["name"] == "movies_rented")
    assert rented["source"] == "rentals" and rented["kind"] == "aggregate"
    assert rented["aggregation"] == "count" and rented["type"] == "BIGINT"
    assert rented["description"] == columns["movies_rented"]
    assert "dim_rental_category" in rented["dimensions"] and "ds" in rented["dimensions"]
    derived = next(m for m in cat["metrics"] if m["kind"] == "derived")
    assert derived["depends_on"] and derived["aggregation"] is None


def test_catalog_shows_a_restricted_user_only_its_grants(http):
    cat = ok_json(http, "/v1/catalog", user="store1")
    assert {m["name"] for m in cat["metrics"]} == {"movies_rented", "rentals_revenue"}
    assert {s["name"] for s in cat["sources"]} == {"rentals"}
    conn = http.connect(user="store1", password=PASSWORD)
    with conn.cursor() as cur:
        cur.execute("SELECT COLUMN_NAME FROM information_schema.COLUMNS "
                    "WHERE TABLE_SCHEMA = 'mimir' AND TABLE_NAME = 'metrics'")
        columns = {r[0] for r in cur.fetchall()}
    conn.close()
    assert ({m["name"] for m in cat["metrics"]} | {d["name"] for d in cat["dimensions"]}
            | {g["name"] for g in cat["grains"]}) == columns


def test_catalog_keeps_the_extra_keys_of_a_metric(request, session_dir, pagila_secrets,
                                                  tmp_path):
    configs = make_configs(tmp_path)
    (configs / "metrics" / "owned.yaml").write_text(
        "name: owned_rentals\nsource_name: rentals\nsql: COUNT(rental_id)\n"
        "team: growth\ncollection: core\n")
    server = start_http_server(request, session_dir, tmp_path, pagila_secrets, configs)
    cat = ok_json(server, "/v1/catalog")
    owned = next(m for m in cat["metrics"] if m["name"] == "owned_rentals")
    assert owned["extra"] == {"team": "growth", "collection": "core"}


def test_catalog_shows_time_metric_keys(request, session_dir, pagila_secrets, tmp_path):
    """Offsets, cumulative metrics, semi-additive ones and fills: their keys as loaded."""
    configs = make_configs(tmp_path)
    (configs / "metrics" / "time.yaml").write_text(
        "name: rentals_last_year\ntype: offset\nmetric: movies_rented\noffset: 2 Years\n---\n"
        "name: rentals_mtd\ntype: cumulative\nmetric: movies_rented\ngrain_to_date: month\n---\n"
        "name: rentals_7d\ntype: cumulative\nmetric: movies_rented\nwindow: 7 day\n"
        "join_to_calendar: true\n---\n"
        "name: last_day_rentals\nsource_name: rentals\nsql: COUNT(rental_id)\n"
        "non_additive_time: last\nnon_additive_per: [customer_id]\nfill_nulls_with: 0\n")
    server = start_http_server(request, session_dir, tmp_path, pagila_secrets, configs)
    metrics = {m["name"]: m for m in ok_json(server, "/v1/catalog")["metrics"]}
    ly = metrics["rentals_last_year"]
    assert (ly["kind"], ly["base_metric"], ly["offset"], ly["window"], ly["sql"]) == (
        "offset", "movies_rented", "2 years", None, None)
    assert ly["depends_on"] == ["movies_rented"] and ly["extra"] == {}
    assert (metrics["rentals_mtd"]["kind"], metrics["rentals_mtd"]["grain_to_date"]) == (
        "cumulative", "month")
    assert (metrics["rentals_7d"]["window"], metrics["rentals_7d"]["join_to_calendar"]) == (
        "7 days", True)
    semi = metrics["last_day_rentals"]
    assert (semi["kind"], semi["non_additive_time"], semi["non_additive_per"],
            semi["fill_nulls_with"], semi["join_to_calendar"]) == (
        "aggregate", "last", ["customer_id"], "0", False)
    assert metrics["movies_rented"]["non_additive_time"] is None


# ---- Inquiries, statements, formats ---------------------------------------------------


def test_inquiry_matches_postgresql(http, pg):
    got = ok_json(http, "/v1/query", {
        "metrics": ["movies_rented", "rentals_revenue"],
        "dimensions": ["dim_rental_category"],
        "filters": ["dim_rental_category <> 'Action'"],
        "order_by": ["-rentals_revenue", "dim_rental_category"], "limit": 5})
    assert [c["name"] for c in got["columns"]] == ["dim_rental_category", "movies_rented",
                                                   "rentals_revenue"]
    assert got["columns"][1]["type"] == "BIGINT"
    assert got["columns"][2]["type"].startswith("DECIMAL(")
    want = expected(pg, ["dim_rental_category"], ["movies_rented", "rentals_revenue"],
                    where="dim_rental_category <> 'Action'",
                    order_by="rentals_revenue DESC NULLS LAST, dim_rental_category", limit=5)
    assert decimal_rows(got, ["rentals_revenue"]) == want
    # Decimals are JSON strings, never numbers a reader would round.
    assert all(isinstance(r[2], str) for r in got["rows"] if r[2] is not None)


def test_inquiry_with_granularity_and_inclusive_dates(http, pg):
    got = ok_json(http, "/v1/query", {
        "metrics": ["movies_rented"], "granularity": "MONTH",
        "start_date": "2022-02-01", "end_date": "2022-03-31"})
    want = pg.query(
        "SELECT date_trunc('month', rental_date)::date, COUNT(rental_id) FROM ("
        + source_query("rentals", ["rental_id", "ts AS rental_date"], [])
        .replace(" GROUP BY rental_id, ts AS rental_date", "")
        + ") AS r WHERE rental_date >= '2022-02-01' AND rental_date < '2022-04-01' "
        "GROUP BY 1 ORDER BY 1")
    assert [c["name"] for c in got["columns"]] == ["year_month", "movies_rented"]
    assert sorted(map(tuple, got["rows"])) == [(str(d), n) for d, n in want]


def test_sql_endpoint_answers_the_readme_query(http, pg):
    got = ok_json(http, "/v1/sql", {"sql": (
        "SELECT dim_rental_category, AGG(movies_rented), AGG(rentals_revenue) "
        "FROM mimir.metrics WHERE dim_rental_category = 'Action' "
        "GROUP BY dim_rental_category")})
    want = expected(pg, ["dim_rental_category"], ["movies_rented", "rentals_revenue"],
                    where="dim_rental_category = 'Action'")
    assert decimal_rows(got, ["AGG(rentals_revenue)"]) == want


def test_csv_answer(http, pg):
    status, headers, data = call(http, "/v1/query", {
        "metrics": ["movies_rented", "rentals_revenue"], "dimensions": ["dim_rental_category"]},
        accept="text/csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(data.decode())))
    assert rows[0] == ["dim_rental_category", "movies_rented", "rentals_revenue"]
    got = [(r[0], int(r[1]), Decimal(r[2]) if r[2] else None) for r in rows[1:]]
    want = expected(pg, ["dim_rental_category"], ["movies_rented", "rentals_revenue"])
    assert unordered(got) == unordered(want)


def test_explain_is_what_the_mysql_port_explains(http):
    sql = "SELECT dim_store_id, AGG(movies_rented), AGG(payments_count) FROM mimir.metrics GROUP BY 1"
    got = ok_json(http, "/v1/explain", {"sql": sql})
    conn = http.connect(user="admin", password=PASSWORD)
    with conn.cursor() as cur:
        cur.execute("EXPLAIN " + sql)
        names, rows = [d[0] for d in cur.description], cur.fetchall()
    conn.close()
    assert [c["name"] for c in got["columns"]] == names
    assert [tuple(r) for r in got["rows"]] == [tuple(r) for r in rows]
    inquiry = ok_json(http, "/v1/explain", {"metrics": ["movies_rented"]})
    assert "rental" in json.dumps(inquiry["rows"])


def test_restricted_user_gets_its_row_filter(http, pg):
    got = ok_json(http, "/v1/query", {"metrics": ["movies_rented"],
                                      "dimensions": ["dim_rental_category"]}, user="store1")
    want = expected(pg, ["dim_rental_category"], ["movies_rented"], where="dim_store_id = 1")
    assert unordered(map(tuple, got["rows"])) == unordered(want)


@pytest.mark.parametrize("path,body", [
    ("/v1/query", lambda m: {"metrics": [m]}),
    ("/v1/sql", lambda m: {"sql": f"SELECT AGG({m}) FROM mimir.metrics"}),
    ("/v1/explain", lambda m: {"metrics": [m]}),
    ("/v1/explain", lambda m: {"sql": f"SELECT AGG({m}) FROM mimir.metrics"}),
])
def test_hidden_metric_is_the_error_of_a_name_that_does_not_exist(http, path, body):
    hidden = error_of(http, path, body("payments_count"), user="store1")
    missing = error_of(http, path, body("no_such_metric"), user="store1")
    assert hidden[:3] == missing[:3] == (400, 1054, "42S22")
    assert hidden[3].replace("payments_count", "X") == missing[3].replace("no_such_metric", "X")
    assert_still_answers(http)


def test_answers_come_from_the_result_cache(request, session_dir, pagila_secrets, tmp_path, pg):
    configs = make_configs(tmp_path)
    sources = configs / "sources" / "sources.yaml"
    text = sources.read_text()
    assert "\n  connection_name: pagila_postgres\n" in text
    sources.write_text(text.replace("\nrentals:\n  name: rentals\n",
                                    "\nrentals:\n  name: rentals\n  cache_ttl: 300\n", 1))
    server = start_http_server(request, session_dir, tmp_path, pagila_secrets, configs)
    inquiry = {"metrics": ["movies_rented"], "dimensions": ["dim_rental_category"]}
    first = ok_json(server, "/v1/query", inquiry)
    second = ok_json(server, "/v1/query", inquiry)
    assert first == second
    assert unordered(map(tuple, second["rows"])) == unordered(
        expected(pg, ["dim_rental_category"], ["movies_rented"]))
    records = [json.loads(l) for l in server.stderr().splitlines() if l.startswith("{")]
    assert [r["cache"] for r in records if r["protocol"] == "http"][-2:] == ["miss", "hit"]


def test_curl_with_basic_authentication(http, pg):
    proc = subprocess.run(
        ["curl", "-sS", "--fail-with-body", "-u", f"admin:{PASSWORD}", "--json",
         json.dumps({"metrics": ["movies_rented"]}),
         f"http://127.0.0.1:{http.http_port}/v1/query"],
        capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    want = expected(pg, [], ["movies_rented"])
    assert json.loads(proc.stdout)["rows"] == [[want[0][0]]]


def test_query_record_says_http(http):
    ok_json(http, "/v1/query", {"metrics": ["rentals_revenue"]}, user="store1")
    records = [json.loads(l) for l in http.stderr().splitlines() if l.startswith("{")]
    mine = [r for r in records if r["protocol"] == "http" and r["user"] == "store1"
            and r["metrics"] == ["rentals_revenue"]]
    assert mine and mine[-1]["status"] == "ok" and mine[-1]["rows"] == 1


# ---- mimir query --host http://... (the prototype's remote mode) -------------------------


def mimir_query(server, *args, user="admin", password=PASSWORD, status=0):
    env = dict(os.environ, MIMIR_PASSWORD=password)
    proc = subprocess.run([str(MIMIR_BIN), "query", "--host",
                           f"http://127.0.0.1:{server.http_port}", "--user", user, *args],
                          capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == status, proc.stderr + proc.stdout
    return proc


def test_cli_remote_mode_prints_the_prototype_example(http, pg):
    proc = mimir_query(http, "-m", "movies_rented", "-d", "dim_rental_category",
                       "--format", "csv")
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    assert rows[0] == ["dim_rental_category", "movies_rented"]
    want = expected(pg, ["dim_rental_category"], ["movies_rented"])
    assert unordered((c, int(n)) for c, n in rows[1:]) == unordered(want)
    table = mimir_query(http, "-m", "movies_rented", "-d", "dim_rental_category").stdout
    assert "| dim_rental_category | movies_rented |" in table
    assert f"{len(want)} rows" in table


def test_cli_remote_mode_filters_dates_order_and_limit(http, pg):
    proc = mimir_query(http, "-m", "rentals_revenue", "-d", "dim_rental_category",
                       "-f", "dim_rental_category <> 'Action'", "-o", "rentals_revenue DESC",
                       "--limit", "3", "-g", "YEAR", "--start-date", "2022-01-01",
                       "--end-date", "2022-12-31", "--format", "json")
    got = [(r["dim_rental_category"], r["year"], Decimal(str(r["rentals_revenue"])))
           for r in json.loads(proc.stdout)]
    want = pg.query(
        f"SELECT COALESCE(category_name, 'Uncategorized') AS c, 2022, SUM(amount) AS s "
        f"FROM ({RENTALS_SQL}) AS r WHERE ts >= '2022-01-01' AND ts < '2023-01-01' "
        f"AND COALESCE(category_name, 'Uncategorized') <> 'Action' "
        f"GROUP BY 1 ORDER BY s DESC NULLS LAST LIMIT 3")
    assert got == [tuple(r) for r in want]


def test_cli_remote_mode_errors(http):
    proc = mimir_query(http, "-m", "payments_count", user="store1", status=1)
    assert "ERROR 1054 (42S22): Unknown column 'payments_count'" in proc.stderr
    proc = mimir_query(http, "-m", "movies_rented", password="wrong", status=1)
    assert "ERROR 1045 (28000): Access denied for user 'admin'" in proc.stderr
    proc = mimir_query(http, "-m", "movies_rented", "--dry-run")
    assert "-- step 1: source rentals" in proc.stdout


# ---- Arrow, read by apache-arrow ---------------------------------------------------------

ARROW = "application/vnd.apache.arrow.stream"


def read_arrow(node_dir, data):
    proc = subprocess.run(["node", "read_arrow.mjs"], input=data, cwd=node_dir,
                                        capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    got = json.loads(proc.stdout)
    return [f["type"] for f in got["fields"]], list(zip(*got["columns"]))


def test_arrow_answer_matches_postgresql(http, pg, arrow_tools):  # noqa: F811
    _, node_dir = arrow_tools
    sql = ("SELECT dim_rental_category, year_month, AGG(movies_rented), AGG(rentals_revenue) "
           "FROM mimir.metrics WHERE ds BETWEEN '2022-01-01' AND '2022-06-30' GROUP BY 1, 2")
    status, headers, data = call(http, "/v1/sql", {"sql": sql}, accept=ARROW)
    assert status == 200 and headers["Content-Type"] == ARROW
    types, rows = read_arrow(node_dir, data)
    described = ok_json(http, "/v1/sql", {"sql": sql + " LIMIT 0"})["columns"]
    precision, scale = re.fullmatch(r"DECIMAL\((\d+),(\d+)\)", described[3]["type"]).groups()
    assert types == ["utf8", "date32[day]", "int64",
                     f"decimal({precision},{scale},{128 if int(precision) <= 38 else 256})"]
    want = pg.query(
        f"SELECT COALESCE(category_name, 'Uncategorized'), date_trunc('month', ts)::date, "
        f"COUNT(rental_id), SUM(amount) FROM ({RENTALS_SQL}) AS r "
        f"WHERE ts >= '2022-01-01' AND ts < '2022-07-01' GROUP BY 1, 2")
    assert unordered((c, d, int(n), Decimal(v) if v is not None else None)
                     for c, d, n, v in rows) == unordered(
        (c, str(d), n, v) for c, d, n, v in want)


def test_arrow_timestamps_are_utc_instants(http, pg, arrow_tools):  # noqa: F811
    _, node_dir = arrow_tools
    status, _, data = call(http, "/v1/query", {"metrics": ["movies_rented"],
                                               "granularity": "TIME",
                                               "start_date": "2022-02-01",
                                               "end_date": "2022-02-03"}, accept=ARROW)
    assert status == 200
    types, rows = read_arrow(node_dir, data)
    assert types == ["timestamp[us,tz=UTC]", "int64"]
    want = pg.query(f"SELECT (extract(epoch FROM ts) * 1000000)::bigint, COUNT(rental_id) "
                    f"FROM ({RENTALS_SQL}) AS r WHERE ts >= '2022-02-01' AND ts < '2022-02-04' "
                    f"GROUP BY 1")
    assert unordered((int(t), int(n)) for t, n in rows) == unordered(map(tuple, want))
    assert want  # the range has rentals: the comparison is not of two empty lists


# ---- Errors: each with its status, code and message, then a request that works ---------

BAD_REQUESTS = [
    ("/v1/query", dict(raw_body=b'{"metrics": ['), 400, 1064, "not valid JSON"),
    ("/v1/query", dict(raw_body=b'[1, 2]'), 400, 1210, "must be a JSON object"),
    ("/v1/query", dict(body={"metrics": ["movies_rented"], "colour": "red"}), 400, 1210,
     "unknown field 'colour'"),
    ("/v1/query", dict(raw_body=b'{"metrics": ["a"], "metrics": ["b"]}'), 400, 1064,
     "duplicate object key"),
    ("/v1/query", dict(body={"metrics": "movies_rented", "limit": -1}), 400, 1210,
     "'limit' must be a whole number"),
    ("/v1/query", dict(body={"metrics": []}), 400, 1210, "at least one metric in 'metrics'"),
    ("/v1/query", dict(body={"metrics": ["movies_rented"], "start_date": "2022-13-01"}), 400,
     1210, "start_date: '2022-13-01' is not a date"),
    ("/v1/query", dict(body={"metrics": ["movies_rented"],
                             "filters": ["1 = 1) OR (1 = 1"]}), 400, 1210,
     "is not one condition"),
    ("/v1/query", dict(body={"sql": "SELECT 1"}), 400, 1210, "unknown field 'sql'"),
    ("/v1/sql", dict(body={"sql": "SELEKT 1"}), 400, 1064, "You have an error in your SQL"),
    ("/v1/sql", dict(body={"sql": 42}), 400, 1210, "'sql' must be a string"),
    ("/v1/sql", dict(body={"sql": "KILL 1"}), 400, 1235, "KILL is not available over HTTP"),
    ("/v1/sql", dict(body={"sql": "SELECT 1"}, content_type="text/plain"), 415, 1835,
     "must be JSON"),
    ("/v1/sql", dict(body={"sql": "SELECT 1"}, accept="image/png"), 406, 1235,
     "Accept names no format"),
    ("/v1/catalog", dict(body={"sql": "SELECT 1"}), 405, 1047, "/v1/catalog takes GET only"),
    ("/v1/sql", dict(method="GET"), 405, 1047, "/v1/sql takes POST only"),
    ("/v2/anything", dict(), 404, 1047, "no such endpoint"),
    ("/v1/sql", dict(body={"sql": "SELECT 1"}, user=None), 401, 1045,
     "Access denied for user ''"),
    ("/v1/sql", dict(body={"sql": "SELECT 1"}, user="nobody"), 401, 1045,
     "Access denied for user 'nobody'"),
]


@pytest.mark.parametrize("path,kw,status,code,text", BAD_REQUESTS,
                         ids=[f"{p}-{t[:24]}" for p, _, _, _, t in BAD_REQUESTS])
def test_bad_request(http, path, kw, status, code, text):
    got_status, got_code, sqlstate, message = error_of(http, path, **kw)
    assert (got_status, got_code) == (status, code), message
    assert text in message
    assert re.fullmatch(r"[0-9A-Z]{5}", sqlstate)
    assert_still_answers(http)


def test_unauthorized_asks_for_basic_credentials(http):
    status, headers, _ = call(http, "/v1/catalog", user="admin", password="wrong")
    assert status == 401
    assert headers["WWW-Authenticate"].startswith("Basic realm=")


def test_oversized_body_is_413(http):
    body = {"sql": "SELECT 1 -- " + "x" * (2 << 20)}
    status, code, _, message = error_of(http, "/v1/sql", body)
    assert (status, code) == (413, 1153)
    assert "larger than 1048576 bytes" in message
    assert_still_answers(http)
    # A far larger body is refused from its Content-Length, before it is read: 413 all the same.
    with socket.create_connection(("127.0.0.1", http.http_port), timeout=30) as sock:
        sock.sendall(b"POST /v1/sql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n{" % (64 << 20))
        assert sock.recv(4096).startswith(b"HTTP/1.1 413 ")
    assert_still_answers(http)


def test_result_limit_is_an_error_not_a_truncation(request, session_dir, pagila_secrets,
                                                   tmp_path, pg):
    server = start_http_server(request, session_dir, tmp_path, pagila_secrets,
                               extra="limits:\n  max_result_rows: 3\n")
    status, code, _, message = error_of(server, "/v1/query", {
        "metrics": ["movies_rented"], "dimensions": ["dim_rental_category"]})
    assert (status, code) == (400, 1104) and "max_result_rows" in message
    assert_still_answers(server)


# ---- Streaming: a slow reader holds back the database; a client that leaves cancels ----


def raw_request(server, body):
    sock = socket.create_connection(("127.0.0.1", server.http_port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    data = json.dumps(body).encode()
    token = base64.b64encode(f"admin:{PASSWORD}".encode()).decode()
    sock.sendall(b"POST /v1/sql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Authorization: Basic " + token.encode() +
                 f"\r\nContent-Length: {len(data)}\r\n\r\n".encode() + data)
    return sock



@pytest.fixture(scope="module")
def runtime_http(request, session_dir, pagila_secrets, tmp_path_factory):
    work = tmp_path_factory.mktemp("http-runtime")
    return start_http_server(request, session_dir, work, pagila_secrets, make_configs(work))


def big_queries_running(pg):
    return pg.query("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'mimir' "
                    "AND state = 'active' AND query LIKE '%%generate_series%%'")[0][0]


def test_slow_reader_then_disconnect_cancels_the_stream(runtime_http, pg):
    sock = raw_request(runtime_http, {"sql": "SELECT ts, AGG(big_count) FROM mimir.big GROUP BY 1"})
    head = sock.recv(65536)
    assert head.startswith(b"HTTP/1.1 200 OK") and b"Transfer-Encoding: chunked" in head
    before = rss_kib(runtime_http.proc.pid)
    time.sleep(2)  # not reading: the stream must wait, not pile up in Mimir's memory
    if not sanitized(runtime_http.proc.pid):
        assert rss_kib(runtime_http.proc.pid) - before < 32 * 1024
    assert big_queries_running(pg) == 1  # paused, not finished
    sock.close()
    wait_for(lambda: big_queries_running(pg) == 0, timeout=10)
    records = [json.loads(l) for l in runtime_http.stderr().splitlines() if l.startswith("{")]
    assert records[-1]["protocol"] == "http" and records[-1]["status"] == "disconnected"
    assert_still_answers(runtime_http)


def test_client_that_leaves_before_any_row_cancels_the_query(runtime_http, pg):
    sock = raw_request(runtime_http, {"sql": "SELECT AGG(slow_count) FROM mimir.metrics"})
    wait_for(lambda: sleeping_backends(pg) == 1)
    sock.close()
    wait_for(lambda: sleeping_backends(pg) == 0, timeout=5)
    assert_still_answers(runtime_http)


# ---- HTTPS, counters, limits, shutdown ----------------------------------------------------


def test_https_with_the_configured_certificate(request, session_dir, pagila_secrets, tmp_path,
                                                pg):
    ca, cert, key = make_test_certificates(tmp_path)
    server = start_http_server(request, session_dir, tmp_path, pagila_secrets,
                               extra=f"tls:\n  cert: {cert}\n  key: {key}\n  require_tls: true\n")
    url = f"https://127.0.0.1:{server.http_port}/v1/query"
    proc = subprocess.run(["curl", "-sS", "--fail-with-body", "--cacert", str(ca),
                           "-u", f"admin:{PASSWORD}", "--json",
                           json.dumps({"metrics": ["movies_rented"]}), url],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert json.loads(proc.stdout)["rows"] == [[expected(pg, [], ["movies_rented"])[0][0]]]
    # Plain HTTP to the HTTPS port gets no answer; an unknown CA is refused by the client.
    plain = subprocess.run(["curl", "-sS", "-u", f"admin:{PASSWORD}", "--json", "{}",
                            url.replace("https", "http")], capture_output=True, timeout=60)
    assert plain.returncode != 0
    untrusted = subprocess.run(["curl", "-sS", "--json", "{}", url], capture_output=True,
                               text=True, timeout=60)
    assert untrusted.returncode == 60, untrusted.stderr  # CURLE_PEER_FAILED_VERIFICATION
    # mimir query --host https://... with --cacert.
    env = dict(os.environ, MIMIR_PASSWORD=PASSWORD)
    cli = subprocess.run([str(MIMIR_BIN), "query", "--host", url.rsplit("/v1", 1)[0], "--user",
                          "admin", "--cacert", str(ca), "-m", "movies_rented", "--format", "csv"],
                         capture_output=True, text=True, timeout=60, env=env)
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.splitlines()[1] == str(expected(pg, [], ["movies_rented"])[0][0])


def test_require_tls_refuses_a_plain_http_api(mimir_factory, pagila_secrets, tmp_path):
    ca, cert, key = make_test_certificates(tmp_path)
    path = server_yaml(tmp_path / "server.yaml",
                       f"tls:\n  cert: {cert}\n  key: {key}\n  require_tls: true\n"
                       "http:\n  tls: false\n")
    server = mimir_factory(configs=PAGILA_CONFIGS, secrets=pagila_secrets,
                           extra_args=["--server-config", str(path), "--http-port",
                                       str(free_port())])
    status, stderr = server.run_until_exit()
    assert status != 0 and "require_tls is set, so the HTTP API must use HTTPS" in stderr


def metric_value(text, name, labels=""):
    m = re.search(rf"^{re.escape(name + labels)} (\d+)", text, re.M)
    return int(m.group(1)) if m else 0


def test_metrics_count_http_answers(request, session_dir, pagila_secrets, tmp_path):
    admin_port = free_port()
    server = start_http_server(request, session_dir, tmp_path, pagila_secrets,
                               extra=f"admin:\n  port: {admin_port}\n")

    def scrape():
        with urllib.request.urlopen(f"http://127.0.0.1:{admin_port}/metrics", timeout=30) as r:
            return r.read().decode()

    before = scrape()
    ok_json(server, "/v1/query", {"metrics": ["movies_rented"]})
    error_of(server, "/v1/query", {"metrics": ["nope"]})
    error_of(server, "/v1/catalog", user="admin", password="wrong")
    after = scrape()
    for code, n in (("200", 1), ("400", 1), ("401", 1)):
        label = f'{{code="{code}"}}'
        assert (metric_value(after, "mimir_http_responses_total", label)
                - metric_value(before, "mimir_http_responses_total", label)) == n
    assert metric_value(after, "mimir_http_requests") == 0
    assert metric_value(after, "mimir_queries_total", '{status="ok"}') > \
        metric_value(before, "mimir_queries_total", '{status="ok"}')


def test_requests_over_max_connections_get_429(request, session_dir, pagila_secrets, tmp_path,
                                               pg):
    configs = make_configs(tmp_path)
    server = start_http_server(request, session_dir, tmp_path, pagila_secrets, configs,
                               extra="limits:\n  max_connections: 1\n")
    sock = raw_request(server, {"sql": "SELECT AGG(slow_count) FROM mimir.metrics"})
    wait_for(lambda: sleeping_backends(pg) == 1)
    status, headers, data = call(server, "/v1/sql", {"sql": "SELECT 1"})
    err = json.loads(data)["error"]
    assert (status, err["code"]) == (429, 1040) and headers["Retry-After"] == "1"
    sock.close()
    wait_for(lambda: sleeping_backends(pg) == 0, timeout=5)
    assert_still_answers(server)


def test_sigterm_lets_a_running_request_finish_and_refuses_new_ones(request, session_dir,
                                                                    pagila_secrets, tmp_path):
    server = start_http_server(request, session_dir, tmp_path, pagila_secrets)
    sock = raw_request(server, {"sql": "SELECT ts, AGG(movies_rented) FROM mimir.metrics "
                                       "GROUP BY 1"})
    sock.settimeout(30)
    data = sock.recv(1 << 16)  # the answer has begun: the request is in flight
    server.proc.send_signal(__import__("signal").SIGTERM)
    server.wait_for_log("received SIGTERM")
    with pytest.raises(ConnectionRefusedError):  # no new connections
        socket.create_connection(("127.0.0.1", server.http_port), timeout=5).close()
    while True:
        chunk = sock.recv(1 << 16)
        if not chunk:
            break
        data += chunk
        if data.endswith(b"\r\n0\r\n\r\n"):
            break
    assert data.startswith(b"HTTP/1.1 200 OK") and data.endswith(b"\r\n0\r\n\r\n")
    sock.close()
    assert server.proc.wait(30) == 0
