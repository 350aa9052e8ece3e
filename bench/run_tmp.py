#!/usr/bin/python3
"""Mimir's benchmark harness (issue 7; docs/performance.md explains every part).

    make bench                      SF=1, 5 rounds
    make bench SF=0.1 ROUNDS=3      a quick run
    make bench SF=10 BENCH_ARGS="--scenarios 7"    rollups at the scale they are for

It starts a throwaway PostgreSQL cluster and a MariaDB server (the integration
fixtures' own classes, tests/integration/conftest.py and mariadb_server.py),
loads the deterministic data of bench/datagen.c with COPY, serves the semantic
layer of bench/configs with bin/mimir, and runs the scenarios (1 to 9; scenario
7 builds rollups on a copy of that layer and serves it from a second server,
as scenario 6 does with its cache). Each scenario
alternates Mimir and its reference (A B A B ...) for ROUNDS rounds after a
warm-up and compares the medians. The timing-critical clients are C programs:
bench/loadgen.c (libmariadb) for everything that talks MySQL, bench/pgclient.c
(libpq) for the direct reference, which runs the exact SQL and parameters that
Mimir's EXPLAIN prints.

Results: a table on stdout (target and PASS/MISS per check) and
bench/results/<date>-SF<sf>.json. A missed target is reported, not fatal;
an error (a failed query, a tool that exits non-zero) fails the run.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))
os.environ.setdefault("MIMIR_BIN", str(REPO / "bin" / "mimir"))

import conftest  # noqa: E402  (the fixtures' PgCluster and MimirServer)
from mariadb_server import MariaDbServer  # noqa: E402

CONFIGS = REPO / "bench" / "configs"
MYSQL_USER, MYSQL_PASSWORD, MYSQL_DB = "bench", "bench", "bench"
VERSION_QUERY = "SELECT @@version_comment LIMIT 1"

# The queries of the scenarios, in Mimir's SQL (docs/performance.md).
README_QUERY = ("SELECT dim_category, AGG(rentals_count), AGG(rentals_revenue_due) "
                "FROM mimir.metrics WHERE dim_category = 'Action' GROUP BY dim_category")
SMALL_QUERY = ("SELECT dim_category, AGG(rentals_count), AGG(rentals_revenue_due) "
               "FROM mimir.metrics WHERE dim_category = 'Action' "
               "AND ds BETWEEN '2025-06-01' AND '2025-06-01' GROUP BY dim_category")
STREAM_QUERY = ("SELECT rental_id, dim_store_id, dim_category, AGG(rentals_revenue_due) "
                "FROM mimir.metrics GROUP BY rental_id, dim_store_id, dim_category")
# The same rows in MariaDB: a MEMORY table with the columns' MySQL types.
STREAM_TABLE_DDL = ("CREATE TABLE stream_rows (rental_id BIGINT NOT NULL, dim_store_id INT, "
                    "dim_category VARCHAR(32), rentals_revenue_due DECIMAL(12,2)) ENGINE=MEMORY")
# Scenario 9: one row per rental in rental_id order from a source that reads the
# rentals table alone (bench/configs: rental_scan, whose SQL orders by its primary
# key), so that PostgreSQL produces the rows by an index-ordered scan (Index Scan,
# GroupAggregate: no Sort, no HashAggregate) and the first row comes at once.
SCAN_QUERY = ("SELECT rental_id, AGG(scan_rentals), AGG(scan_unreturned) "
              "FROM mimir.metrics GROUP BY rental_id")
# The same rows in MariaDB, stored the way PostgreSQL reads them: an InnoDB table
# clustered on rental_id, read in that order (no filesort). The columns are the
# types Mimir reports (three BIGINTs).
SCAN_TABLE_DDL = ("CREATE TABLE scan_rows (rental_id BIGINT NOT NULL PRIMARY KEY, "
                  "scan_rentals BIGINT, scan_unreturned BIGINT) ENGINE=InnoDB")
SCAN_TABLE_QUERY = "SELECT * FROM scan_rows ORDER BY rental_id"
COMBINE_QUERY = ("SELECT dim_customer_id, AGG(rentals_count), AGG(payments_revenue) "
                 "FROM mimir.metrics GROUP BY dim_customer_id")
# A dashboard tile: two metrics by category and month (a few hundred rows).
DASHBOARD_QUERY = ("SELECT dim_category, year_month, AGG(rentals_count), "
                   "AGG(rentals_revenue_due) FROM mimir.metrics GROUP BY dim_category, "
                   "year_month ORDER BY dim_category, year_month")
CACHE_TTL = 3600  # scenario 6's sources: longer than any run
# Scenario 8: a trailing-30-day metric by day over a year, and the window query a
# PostgreSQL user would write by hand for it (the source's joins, daily sums, a RANGE
# window over them; the days before the year feed its first windows).
TRAILING_QUERY = ("SELECT ds, AGG(rentals_revenue_due_30d) FROM mimir.metrics "
                  "WHERE ds BETWEEN '2025-01-01' AND '2025-12-31' GROUP BY ds ORDER BY ds")
TRAILING_REFERENCE = """
SELECT d, s FROM (
  SELECT d, SUM(v) OVER (ORDER BY d RANGE BETWEEN INTERVAL '29 days' PRECEDING
                                               AND CURRENT ROW) AS s
  FROM (SELECT CAST(r.rental_date AS DATE) AS d, SUM(f.rental_rate) AS v
        FROM rentals r
        JOIN films f ON f.film_id = r.film_id
        JOIN categories cat ON cat.category_id = f.category_id
        JOIN stores s ON s.store_id = r.store_id
        WHERE r.rental_date >= '2024-12-02' AND r.rental_date < '2026-01-01'
        GROUP BY 1) AS daily) AS w
WHERE d >= '2025-01-01' ORDER BY d"""
# Scenario 7: the rollups a user would define for a dashboard, on a copy of the layer
# (the main server has none): a daily one by store and category and a monthly one by
# category, inserted under the rentals source. `update_window: 1 day` makes a refresh
# rebuild about one day's periods; `refresh_every` is longer than any run, so the
# server reuses what the command line built and never rebuilds during the timings.
DAILY_ROLLUP, MONTHLY_ROLLUP = "rentals_daily", "rentals_monthly"
ROLLUPS_YAML = f"""  rollups:
    - name: {DAILY_ROLLUP}
      grain: ds
      dimensions: [dim_store_id, dim_category]
      metrics: [rentals_count, rentals_revenue_due, avg_rental_rate]
      refresh_every: 1 week
      update_window: 1 day
    - name: {MONTHLY_ROLLUP}
      grain: year_month
      dimensions: [dim_category]
      metrics: [rentals_count, rentals_revenue_due]
      refresh_every: 1 week
      update_window: 1 day
"""
# The dashboard tile: two metrics by category and month over one year (192 rows). The
# monthly rollup is the smallest that answers it; NO_ROLLUP() sends it to the source.
TILE_QUERY = ("SELECT dim_category, year_month, AGG(rentals_count), AGG(rentals_revenue_due) "
              "FROM mimir.metrics WHERE ds BETWEEN '2025-01-01' AND '2025-12-31' "
              "GROUP BY dim_category, year_month ORDER BY dim_category, year_month")
TILE_QUERY_NO_ROLLUP = TILE_QUERY.replace("SELECT", "SELECT /*+ NO_ROLLUP() */", 1)
# The same tile read directly from the monthly rollup's table with libpq
# (docs/rollups.md, "A rollup's table"): the sums of its stored sums.
TILE_REFERENCE = f"""
SELECT dim_category, CAST(date_trunc('month', period) AS date) AS year_month,
       SUM(rentals_count) AS rentals_count, SUM(rentals_revenue_due) AS rentals_revenue_due
FROM mimir_rollups."{MONTHLY_ROLLUP}"
WHERE period >= '2025-01-01' AND period < '2026-01-01'
GROUP BY 1, 2 ORDER BY 1, 2"""
# The start of the data's last full day (the generator's jitter takes the last few
# rentals past midnight): the day a one-day refresh rebuilds.
LAST_FULL_DAY = """
WITH days AS (SELECT date_trunc('day', rental_date) AS d, COUNT(*) AS c FROM rentals
              WHERE rental_date >= (SELECT MAX(rental_date) FROM rentals) - interval '3 days'
              GROUP BY 1)
SELECT CAST(MAX(d) AS text) FROM days WHERE 2 * c >= (SELECT MAX(c) FROM days)"""
# The daily rollup's aggregate as a PostgreSQL user writes it by hand: the source's
# joins (bench/configs/sources), the day, the two dimensions, the metrics' aggregates
# (AVG stored as its sum and count), every day before the build's watermark.
DAILY_CTAS = """
CREATE TABLE bench_rollup_ctas AS
SELECT date_trunc('day', r.rental_date) AS period, r.store_id AS dim_store_id,
       cat.name AS dim_category, COUNT(r.rental_id) AS rentals_count,
       SUM(f.rental_rate) AS rentals_revenue_due, SUM(f.rental_rate) AS avg_rental_rate__sum,
       COUNT(f.rental_rate) AS avg_rental_rate__count
FROM rentals r
JOIN films f ON f.film_id = r.film_id
JOIN categories cat ON cat.category_id = f.category_id
JOIN stores s ON s.store_id = r.store_id
WHERE r.rental_date < '{watermark}'
GROUP BY 1, 2, 3"""


class BenchError(RuntimeError):
    pass


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def median(xs):
    return statistics.median(xs) if xs else None


# --------------------------------------------------------------------------
# the environment: PostgreSQL with the generated data, MariaDB, Mimir
# --------------------------------------------------------------------------


class WrappedMimir(conftest.MimirServer):
    """bin/mimir, optionally run under a profiler (--mimir-prefix, e.g.
    "valgrind --tool=callgrind"): docs/performance.md, "Profiling"."""

    def __init__(self, prefix, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prefix = prefix.split() if prefix else []
        if self.prefix:
            conftest.SERVER_STOP_TIMEOUT = 120  # the profiler writes its output at exit

    def command(self):
        return self.prefix + super().command()


class Environment:
    def __init__(self, args):
        self.args = args
        self.tools = Path(args.tools)
        self.dir = Path(tempfile.mkdtemp(prefix="mimir-bench-", dir=conftest._session_tmp_base()))
        os.chmod(self.dir, 0o711)  # the `postgres` and `mysql` users traverse it as root
        self.pg = self.maria = self.mimir = self.cached = self.rollups = None
        self.mimir_problem = None  # a crash or sanitizer report, found at stop()

    def tool(self, name):
        path = self.tools / name
        if not path.is_file():
            raise BenchError(f"{path} not found (make bench builds it)")
        return str(path)

    def start(self):
        t0 = time.monotonic()
        self.pg = conftest.PgCluster(self.dir, name="pg-bench")
        self.pg.init()
        self.pg.start()
        self.pg.create_database("bench")
        self.load_data()
        log(f"PostgreSQL loaded at SF {self.args.sf} in {time.monotonic() - t0:.1f} s")
        secrets = conftest.write_secrets(self.dir / "secrets", self.pg.port, schema="bench",
                                         connection_name="bench_postgres")
        self.mimir = WrappedMimir(self.args.mimir_prefix, self.dir, configs=CONFIGS,
                                  secrets=secrets, name="mimir-bench",
                                  extra_args=self.args.mimir_args.split())
        self.mimir.start(timeout=120 if self.args.mimir_prefix else conftest.SERVER_READY_TIMEOUT)
        self.mimir.wait_for_log(conftest.TYPES_DISCOVERED, timeout=120)
        if self.args.with_mariadb:
            self.maria = MariaDbServer(self.dir, name="mariadb-bench")
            self.maria.init()
            self.maria.start()
            self.maria.query(f"CREATE DATABASE {MYSQL_DB}")
            self.maria.create_user(MYSQL_USER, MYSQL_PASSWORD, MYSQL_DB)

    def start_cached_mimir(self):
        """A second server over a copy of the semantic layer whose sources have a
        cache_ttl (scenario 6); the main server caches nothing."""
        configs = self.dir / "configs-cached"
        shutil.copytree(CONFIGS, configs)
        sources = configs / "sources" / "sources.yaml"
        sources.write_text(sources.read_text().replace(
            "  time_col_alias: ts\n", f"  time_col_alias: ts\n  cache_ttl: {CACHE_TTL}\n"))
        self.cached = WrappedMimir(self.args.mimir_prefix, self.dir, configs=configs,
                                   secrets=self.dir / "secrets", name="mimir-bench-cached",
                                   extra_args=self.args.mimir_args.split())
        self.cached.start(timeout=120 if self.args.mimir_prefix else
                          conftest.SERVER_READY_TIMEOUT)
        self.cached.wait_for_log(conftest.TYPES_DISCOVERED, timeout=120)
        return self.cached

    def rollups_configs(self):
        """A copy of the semantic layer with scenario 7's rollups on the rentals source."""
        configs = self.dir / "configs-rollups"
        if not configs.exists():
            shutil.copytree(CONFIGS, configs)
            sources = configs / "sources" / "sources.yaml"
            text = sources.read_text()
            if text.count("\npayments:\n") != 1:
                raise BenchError(f"{sources}: cannot find where the rentals source ends")
            sources.write_text(text.replace("\npayments:\n", ROLLUPS_YAML + "\npayments:\n"))
        return configs

    def start_rollups_mimir(self):
        """A second server on the layer with rollups (scenario 7); the main server's
        layer has none. It is started once the rollups are built, and reuses them."""
        self.rollups = WrappedMimir(self.args.mimir_prefix, self.dir,
                                    configs=self.rollups_configs(),
                                    secrets=self.dir / "secrets", name="mimir-bench-rollups",
                                    extra_args=self.args.mimir_args.split())
        self.rollups.start(timeout=120 if self.args.mimir_prefix else
                           conftest.SERVER_READY_TIMEOUT)
        self.rollups.wait_for_log(conftest.TYPES_DISCOVERED, timeout=120)
        for name in (DAILY_ROLLUP, MONTHLY_ROLLUP):
            self.rollups.wait_for_log(rf"rollup {name}: (up to date|built \d+ rows)",
                                      timeout=1800)
        return self.rollups

    def mimir_rollups(self, *args):
        """`mimir rollups ARGS` on scenario 7's layer: (wall-clock seconds, output)."""
        cmd = [str(conftest.MIMIR_BIN), "rollups", *args, "--configs",
               str(self.rollups_configs()), "--secrets", str(self.dir / "secrets")]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        seconds = time.perf_counter() - t0
        if proc.returncode != 0:
            raise BenchError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stdout}")
        return seconds, proc.stdout

    def timed_psql(self, sql):
        """Wall-clock seconds of psql running sql (a process, like `mimir rollups`)."""
        t0 = time.perf_counter()
        self.psql(sql)
        return time.perf_counter() - t0

    def pg_value(self, sql):
        conn = conftest.psycopg2.connect(host=self.pg.host, port=self.pg.port, user="postgres",
                                         dbname="bench", options="-c TimeZone=UTC")
        try:
            with conn, conn.cursor() as cur:
                cur.execute(sql)
                row = cur.fetchone() if cur.description else None
                return row[0] if row else None
        finally:
            conn.close()

    def psql(self, sql_or_file, stdin=None):
        cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.pg.host, "-p",
               str(self.pg.port), "-U", "postgres", "-d", "bench"]
        cmd += ["-f", "-"] if stdin is not None else ["-c", sql_or_file]
        proc = subprocess.run(cmd, env=conftest._clean_env(), stdin=stdin,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0:
            raise BenchError(f"psql failed: {proc.stdout}")

    def datagen(self, what):
        return subprocess.Popen([self.tool("datagen"), str(self.args.sf), what],
                                stdout=subprocess.PIPE)

    def load_data(self):
        gen = self.datagen("--schema")
        self.psql(None, stdin=gen.stdout)
        gen.wait()
        for table in ("stores", "categories", "films", "customers", "rentals", "payments"):
            gen = self.datagen(table)
            cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.pg.host, "-p",
                   str(self.pg.port), "-U", "postgres", "-d", "bench", "-c",
                   f"COPY {table} FROM STDIN"]
            proc = subprocess.run(cmd, env=conftest._clean_env(), stdin=gen.stdout,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if gen.wait() != 0 or proc.returncode != 0:
                raise BenchError(f"loading {table} failed: {proc.stdout}")
        gen = self.datagen("--post-load")
        self.psql(None, stdin=gen.stdout)
        gen.wait()
        # Hash aggregates of a million groups stay in memory, as on a warehouse.
        self.psql("ALTER SYSTEM SET work_mem = '256MB'")
        self.psql("SELECT pg_reload_conf()")

    @property
    def pg_conninfo(self):
        return (f"host={self.pg.host} port={self.pg.port} user=postgres dbname=bench "
                f"options='-c TimeZone=UTC'")

    def stop(self):
        for what in (self.mimir, self.cached, self.rollups, self.maria):
            if what is not None:
                try:
                    if what in (self.mimir, self.cached, self.rollups):
                        what.stop()
                        self.mimir_problem = self.mimir_problem or what.exit_problem()
                    else:
                        what.destroy()
                except Exception as exc:  # keep tearing down the rest
                    log(f"stopping {what}: {exc}")
        if self.pg is not None:
            self.pg.destroy()
        if self.mimir is not None and self.args.keep_logs:
            log(f"Mimir's log: {self.mimir.stderr_path}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    # -- clients

    def loadgen(self, port, queries, threads=1, count=None, seconds=None, user=MYSQL_USER,
                password=MYSQL_PASSWORD, db=None):
        cmd = [self.tool("loadgen"), "-P", str(port), "-u", user, "-p", password,
               "-c", str(threads)]
        if db:
            cmd += ["-D", db]
        cmd += ["-n", str(count)] if count else ["-t", str(seconds)]
        for q in queries:
            cmd += ["-q", q]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise BenchError(f"loadgen failed ({proc.returncode}): {proc.stderr}")
        out = json.loads(proc.stdout)
        if out["errors"]:
            raise BenchError(f"{out['errors']} errors from {queries} on port {port}: "
                             f"{out['first_error']}")
        return out

    def mimir_query(self, queries, **kw):
        # Without a server config Mimir takes any user with an empty password.
        return self.loadgen(self.mimir.port, queries, password="", **kw)

    def maria_query(self, queries, **kw):
        return self.loadgen(self.maria.port, queries, db=MYSQL_DB, **kw)

    def pgclient(self, files, count=1, single_row=False, copy=False):
        cmd = [self.tool("pgclient"), "-n", str(count), *(["-s"] if single_row else []),
               *(["-c"] if copy else []), self.pg_conninfo, *map(str, files)]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise BenchError(f"pgclient failed ({proc.returncode}): {proc.stderr}")
        return json.loads(proc.stdout)

    def explain(self, sql):
        """Mimir's plan: [(source, dialect, sql, [params])], the combine last."""
        _, rows = self.mimir.query("EXPLAIN " + sql)
        return [(r[1], r[3], r[4], parse_params(r[5])) for r in rows]

    def query_file(self, name, sql, params):
        path = self.dir / f"{name}.query"
        path.write_bytes(b"\0".join(x.encode() for x in [sql, *params]) + b"\0")
        return path

    def mimir_query_logs(self):
        """The per-query JSON log lines Mimir wrote so far (docs/operations.md);
        empty until the server logs them."""
        out = []
        for line in self.mimir.stderr().splitlines():
            line = line.strip()
            if line.startswith("{") and '"event":"query"' in line.replace(" ", ""):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
        return out


def parse_params(text):
    """EXPLAIN's parameter list, e.g. ['Action', 5] -> ['Action', '5'] (the
    text each is sent as)."""
    text = (text or "[]").strip()
    assert text[0] == "[" and text[-1] == "]", text
    body, out, i = text[1:-1], [], 0
    while i < len(body):
        if body[i] in ", ":
            i += 1
        elif body[i] == "'":
            j, val = i + 1, []
            while True:
                if body[j] == "'" and body[j + 1:j + 2] == "'":
                    val.append("'")
                    j += 2
                elif body[j] == "'":
                    break
                else:
                    val.append(body[j])
                    j += 1
            out.append("".join(val))
            i = j + 1
        else:
            j = body.find(",", i)
            j = len(body) if j < 0 else j
            out.append(body[i:j].strip())
            i = j
    return out


# --------------------------------------------------------------------------
# scenarios
# --------------------------------------------------------------------------


def alternate(rounds, warmup, a, b):
    """Run a() and b() warm-up times each, then A B A B ... for `rounds`;
    returns the lists of their results."""
    for _ in range(warmup):
        a()
        b()
    ra, rb = [], []
    for _ in range(rounds):
        ra.append(a())
        rb.append(b())
    return ra, rb


def check(name, value, target, op, unit=""):
    ok = None if value is None else (value <= target if op == "<=" else value >= target)
    return {"check": name, "value": value, "target": f"{op} {target}{unit}",
            "result": "n/a" if ok is None else ("PASS" if ok else "MISS")}


def single_atomic_query(env, name, sql):
    plan = env.explain(sql)
    if len(plan) != 1:
        raise BenchError(f"{name}: expected one atomic query, EXPLAIN gave {plan}")
    _, _, compiled, params = plan[0]
    return env.query_file(name, compiled, params), compiled, params


def scenario_aggregate(env, args):
    """1. The README-style query (few groups) over the whole fact table, and the
    same query narrowed to one day (returns in a few ms): Mimir end to end vs
    the compiled SQL sent by libpq."""
    out = {"scenario": 1, "name": "aggregate latency", "checks": []}
    for key, sql, count in (("full", README_QUERY, args.agg_count),
                            ("small", SMALL_QUERY, args.small_count)):
        qfile, compiled, params = single_atomic_query(env, f"agg_{key}", sql)
        mimir, pg = alternate(
            args.rounds, args.warmup,
            lambda: env.mimir_query([sql], count=count)["per_query"][0]["p50_ms"],
            lambda: env.pgclient([qfile], count=count)["ms"])
        m, p = median(mimir), median(pg)
        out[key] = {"query": sql, "compiled_sql": compiled, "parameters": params,
                    "queries_per_round": count, "mimir_ms": mimir, "reference_ms": pg,
                    "mimir_median_ms": m, "reference_median_ms": p, "ratio": m / p,
                    "added_ms": m - p}
        if key == "full":
            out["checks"].append(check("1 full scan: Mimir/libpq latency", m / p, 1.05, "<="))
        else:
            note = "" if p < 5 else " (reference not under 5 ms: not applicable)"
            c = check("1 one day: added latency ms" + note, m - p, 0.3, "<=", " ms")
            if p >= 5:
                c["result"] = "n/a"
            out["checks"].append(c)
    return out


def pg_with_params(env, sql, params, fn):
    """fn(cursor, text): text is sql with its $n parameters inlined as literals."""
    conn = conftest.psycopg2.connect(host=env.pg.host, port=env.pg.port, user="postgres",
                                     dbname="bench", options="-c TimeZone=UTC")
    try:
        with conn.cursor() as cur:
            query = cur.mogrify(re.sub(r"\$(\d+)", r"%(p\1)s", sql),
                                {f"p{i + 1}": v for i, v in enumerate(params)}).decode()
            return fn(cur, query)
    finally:
        conn.close()


def load_stream_rows_into_mariadb(env, qfile_sql, params, table="stream_rows",
                                  ddl=STREAM_TABLE_DDL):
    """The rows of the streaming query, copied from PostgreSQL into a MariaDB
    table (scenario 2: a MEMORY table) with LOAD DATA (the same rows Mimir streams)."""
    tsv = env.dir / f"{table}.tsv"
    with open(tsv, "w") as f:
        pg_with_params(env, qfile_sql, params,
                       lambda cur, query: cur.copy_expert(f"COPY ({query}) TO STDOUT", f))
    os.chmod(tsv, 0o644)
    sql = (f"SET SESSION max_heap_table_size = 1073741824; {ddl}; "
           f"LOAD DATA LOCAL INFILE '{tsv}' INTO TABLE {table}")
    proc = subprocess.run(["mariadb", "--no-defaults", f"--socket={env.maria.socket}", "-u",
                           "root", "--local-infile=1", MYSQL_DB, "-e", sql],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise BenchError(f"loading MariaDB failed: {proc.stdout}")


def reset_peak_rss(pid):
    # Writing 5 to clear_refs resets VmHWM to the current RSS (proc(5)).
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_rss_mib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def scenario_streaming(env, args):
    """2. A dimension-level query returning SF x 1M rows: Mimir to a MySQL client
    vs libpq fetching the compiled SQL, and vs MariaDB serving the same rows
    from a MEMORY table to the same client."""
    qfile, compiled, params = single_atomic_query(env, "stream", STREAM_QUERY)
    pid = env.mimir.proc.pid
    rss_reset = reset_peak_rss(pid)

    def rates(r):
        # (rows/s end to end, rows, rows/s from the first row to the last)
        first = r["per_query"][0]["first_row_p50_ms"] / 1e3
        return (r["rows"] / r["elapsed_s"], r["rows"],
                r["rows"] / max(r["elapsed_s"] - first, 1e-9))

    def mimir():
        return rates(env.mimir_query([STREAM_QUERY], count=1))

    def pg():
        r = env.pgclient([qfile])
        return r["rows"] / (r["ms"] / 1e3), r["rows"]

    m_runs, p_runs = alternate(args.rounds, args.warmup, mimir, pg)
    rss = peak_rss_mib(pid)
    rows = m_runs[0][1]
    if any(r[1] != rows for r in m_runs + p_runs):
        raise BenchError(f"streaming: row counts differ: {m_runs} {p_runs}")
    m, p = median([r[0] for r in m_runs]), median([r[0] for r in p_runs])

    # Issue 16: against a plain libpq client that streams in single-row mode (the
    # reference above holds the whole result, PQexecParams).
    def pg_single():
        r = env.pgclient([qfile], single_row=True)
        return r["rows"] / (r["ms"] / 1e3), r["rows"]

    m1_runs, s_runs = alternate(args.rounds, args.warmup, mimir, pg_single)
    if any(r[1] != rows for r in m1_runs + s_runs):
        raise BenchError(f"streaming: row counts differ: {m1_runs} {s_runs}")
    m1, ps = median([r[0] for r in m1_runs]), median([r[0] for r in s_runs])
    out = {"scenario": 2, "name": "large result streaming", "query": STREAM_QUERY,
           "compiled_sql": compiled, "rows": rows,
           "mimir_rows_per_s": [r[0] for r in m_runs], "libpq_rows_per_s": [r[0] for r in p_runs],
           "mimir_median_rows_per_s": m, "libpq_median_rows_per_s": p,
           "ratio_vs_libpq": m / p,
           "mimir_rows_per_s_vs_single_row": [r[0] for r in m1_runs],
           "libpq_single_row_rows_per_s": [r[0] for r in s_runs],
           "mimir_median_rows_per_s_vs_single_row": m1,
           "libpq_single_row_median_rows_per_s": ps, "ratio_vs_libpq_single_row": m1 / ps,
           "mimir_peak_rss_mib": rss if rss_reset else None,
           "checks": [check("2 throughput Mimir/libpq", m / p, 0.9, ">="),
                      check("2 throughput Mimir/libpq single-row", m1 / ps, 1.0, ">=")]}
    if env.maria is not None:
        load_stream_rows_into_mariadb(env, compiled, params)

        def maria():
            return rates(env.maria_query(["SELECT * FROM stream_rows"], count=1))

        m2_runs, d_runs = alternate(args.rounds, args.warmup, mimir, maria)
        if any(r[1] != rows for r in d_runs):
            raise BenchError(f"streaming: MariaDB returned {d_runs[0][1]} rows, Mimir {rows}")
        m2, d = median([r[0] for r in m2_runs]), median([r[0] for r in d_runs])
        s2, sd = median([r[2] for r in m2_runs]), median([r[2] for r in d_runs])
        out.update({"mimir_rows_per_s_vs_mariadb": [r[0] for r in m2_runs],
                    "mariadb_rows_per_s": [r[0] for r in d_runs],
                    "mariadb_median_rows_per_s": d, "ratio_vs_mariadb": m2 / d,
                    "mimir_streaming_rows_per_s": [r[2] for r in m2_runs],
                    "mariadb_streaming_rows_per_s": [r[2] for r in d_runs],
                    "mimir_median_streaming_rows_per_s": s2,
                    "mariadb_median_streaming_rows_per_s": sd,
                    "streaming_ratio_vs_mariadb": s2 / sd})
        # End to end, Mimir's figure includes PostgreSQL computing the rows
        # (a GROUP BY over the fact table) while MariaDB reads a stored
        # table; from the first row on, both only move rows to the client.
        out["checks"].append(check("2 rows/s after first row Mimir/MariaDB", s2 / sd, 1.0, ">="))
        c = check("2 rows/s end to end Mimir/MariaDB (incl. PG GROUP BY)", m2 / d, 1.0, ">=")
        out["checks"].append(c)
        rss = peak_rss_mib(pid)
        out["mimir_peak_rss_mib"] = rss if rss_reset else None
    out["checks"].append(check("2 Mimir peak RSS MiB", out["mimir_peak_rss_mib"], 64, "<=",
                               " MiB"))
    return out


def pg_plan(env, sql, params):
    """PostgreSQL's EXPLAIN of sql with its parameters, as text."""
    def explain(cur, query):
        cur.execute("EXPLAIN " + query)
        return "\n".join(r[0] for r in cur.fetchall())

    return pg_with_params(env, sql, params, explain)


def streaming_rates(r):
    """(rows/s end to end, rows, rows/s from the first row to the last, total ms,
    first row ms) of one loadgen run of one query."""
    first = r["per_query"][0]["first_row_p50_ms"] / 1e3
    return (r["rows"] / r["elapsed_s"], r["rows"], r["rows"] / max(r["elapsed_s"] - first, 1e-9),
            r["elapsed_s"] * 1e3, first * 1e3)


def scenario_scan(env, args):
    """9. An index-ordered scan: one row per rental (SF x 1M rows) in rental_id
    order, which PostgreSQL produces from the primary key's index without a sort
    or a hash aggregate: Mimir to a MySQL client vs libpq in single-row mode
    running the compiled SQL, and vs MariaDB serving the same rows from a stored
    (InnoDB) table in its primary key's order; PostgreSQL's own COPY of the rows
    to a client that only counts them is recorded as the bound."""
    qfile, compiled, params = single_atomic_query(env, "scan", SCAN_QUERY)
    plan = pg_plan(env, compiled, params)
    index_ordered = ("Index" in plan and "Sort" not in plan and "HashAggregate" not in plan)
    note = "" if index_ordered else " (PostgreSQL's plan is not an index-ordered scan)"
    pid = env.mimir.proc.pid
    rss_reset = reset_peak_rss(pid)

    def mimir():
        return streaming_rates(env.mimir_query([SCAN_QUERY], count=1))

    def pg(single_row=True, copy=False, path=qfile):
        r = env.pgclient([path], single_row=single_row, copy=copy)
        s = r["ms"] / 1e3
        return (r["rows"] / s, r["rows"], r["rows"] / max(s - r["first_ms"] / 1e3, 1e-9),
                r["ms"], r["first_ms"])

    def summary(runs):
        return {"rows_per_s": [r[0] for r in runs], "streaming_rows_per_s": [r[2] for r in runs],
                "ms": [r[3] for r in runs], "first_row_ms": [r[4] for r in runs],
                "median_rows_per_s": median([r[0] for r in runs]),
                "median_streaming_rows_per_s": median([r[2] for r in runs]),
                "median_ms": median([r[3] for r in runs]),
                "median_first_row_ms": median([r[4] for r in runs])}

    m_runs, p_runs = alternate(args.rounds, args.warmup, mimir, pg)
    rows = m_runs[0][1]
    if any(r[1] != rows for r in m_runs + p_runs):
        raise BenchError(f"scan: row counts differ: {m_runs} {p_runs}")
    mi, pq = summary(m_runs), summary(p_runs)
    ratio = mi["median_rows_per_s"] / pq["median_rows_per_s"]
    # What bounds it: PostgreSQL emitting the same rows through COPY to a client
    # that only counts them (pgclient -c), the least a client can do. Recorded,
    # not checked.
    copy_sql = pg_with_params(env, compiled, params, lambda cur, q: f"COPY ({q}) TO STDOUT")
    cfile = env.query_file("scan_copy", copy_sql, [])
    m3_runs, c_runs = alternate(args.rounds, args.warmup, mimir,
                                lambda: pg(single_row=False, copy=True, path=cfile))
    if any(r[1] != rows for r in m3_runs + c_runs):
        raise BenchError(f"scan: COPY gave {c_runs[0][1]} rows, Mimir {rows}")
    mi3, cp = summary(m3_runs), summary(c_runs)
    out = {"scenario": 9, "name": "index-ordered scan", "query": SCAN_QUERY,
           "compiled_sql": compiled, "parameters": params, "pg_plan": plan,
           "index_ordered": index_ordered, "rows": rows, "mimir": mi, "libpq_single_row": pq,
           "ratio_vs_libpq": ratio, "copy_sql": copy_sql, "mimir_vs_copy": mi3,
           "postgres_copy": cp,
           "streaming_ratio_vs_copy": (mi3["median_streaming_rows_per_s"] /
                                       cp["median_streaming_rows_per_s"]),
           "checks": [check("9 index-ordered scan rows/s Mimir/libpq single-row" + note, ratio,
                            1.0, ">=")]}
    if env.maria is not None:
        load_stream_rows_into_mariadb(env, compiled, params, "scan_rows", SCAN_TABLE_DDL)

        def maria():
            return streaming_rates(env.maria_query([SCAN_TABLE_QUERY], count=1))

        m2_runs, d_runs = alternate(args.rounds, args.warmup, mimir, maria)
        if any(r[1] != rows for r in m2_runs + d_runs):
            raise BenchError(f"scan: MariaDB returned {d_runs[0][1]} rows, Mimir {rows}")
        mi2, ma = summary(m2_runs), summary(d_runs)
        s_ratio = mi2["median_streaming_rows_per_s"] / ma["median_streaming_rows_per_s"]
        out.update({"mariadb_query": SCAN_TABLE_QUERY, "mariadb_table": SCAN_TABLE_DDL,
                    "mimir_vs_mariadb": mi2, "mariadb": ma,
                    "streaming_ratio_vs_mariadb": s_ratio,
                    "ratio_vs_mariadb": mi2["median_rows_per_s"] / ma["median_rows_per_s"]})
        out["checks"].append(check("9 rows/s after first row Mimir/MariaDB (InnoDB table)" + note,
                                   s_ratio, 0.8, ">="))
    rss = peak_rss_mib(pid)
    out["mimir_peak_rss_mib"] = rss if rss_reset else None
    out["checks"].append(check("9 Mimir peak RSS MiB", out["mimir_peak_rss_mib"], 64, "<=",
                               " MiB"))
    return out


def scenario_protocol(env, args):
    """3. 32 clients running a query answered without a backend: queries per
    second, Mimir vs MariaDB."""
    out = {"scenario": 3, "name": "protocol throughput", "query": VERSION_QUERY,
           "clients": args.clients}
    kw = dict(threads=args.clients, seconds=args.qps_seconds)
    if env.maria is None:  # Mimir alone (e.g. under a profiler)
        m = [env.mimir_query([VERSION_QUERY], **kw)["qps"] for _ in range(args.rounds)]
        out.update({"mimir_qps": m, "mimir_median_qps": median(m), "mariadb_median_qps": None,
                    "checks": [check("3 qps Mimir/MariaDB", None, 1.0, ">=")]})
        return out
    m, d = alternate(args.rounds, args.warmup,
                     lambda: env.mimir_query([VERSION_QUERY], **kw)["qps"],
                     lambda: env.maria_query([VERSION_QUERY], **kw)["qps"])
    out.update({"mimir_qps": m, "mariadb_qps": d, "mimir_median_qps": median(m),
                "mariadb_median_qps": median(d), "ratio": median(m) / median(d),
                "checks": [check("3 qps Mimir/MariaDB", median(m) / median(d), 1.0, ">=")]})
    return out


def sqlite_join_ms(env, plan, count):
    """The combine in the Python sqlite3 module (the same SQLite library Mimir
    links): both atomic results loaded into an in-memory database first, as
    Mimir loads them; then timed, as Mimir's combine: indexing the join keys
    of s1, s2, ... and the final query (every row stepped)."""
    combine_sql, combine_params = plan[-1][2], plan[-1][3]
    tables = re.findall(r'(?:FROM|JOIN)\s+"?([A-Za-z_][A-Za-z0-9_]*)"?', combine_sql)
    using = re.search(r"USING \(([^)]*)\)", combine_sql)
    keys = using.group(1) if using else ""
    db = sqlite3.connect(":memory:")
    indexes = []
    conn = conftest.psycopg2.connect(host=env.pg.host, port=env.pg.port, user="postgres",
                                     dbname="bench", options="-c TimeZone=UTC")
    try:
        for i, (source, _, sql, params) in enumerate(plan[:-1]):
            with conn.cursor() as cur:
                cur.execute(re.sub(r"\$(\d+)", r"%(p\1)s", sql),
                            {f"p{k + 1}": v for k, v in enumerate(params)})
                names = [d.name for d in cur.description]
                rows = [tuple(float(v) if hasattr(v, "as_tuple") else v for v in r)
                        for r in cur.fetchall()]
            table = tables[i] if i < len(tables) else source
            cols = ", ".join(f'"{n}"' for n in names)
            db.execute(f'CREATE TABLE "{table}" ({cols})')
            if i > 0 and keys:  # as Mimir indexes s1, s2, ... (proxy/exec/combine.c)
                indexes.append(f'CREATE INDEX "{table}_keys" ON "{table}" ({keys})')
            with db:
                db.executemany(f'INSERT INTO "{table}" VALUES ({", ".join("?" * len(names))})',
                               rows)
    finally:
        conn.close()
    times = []
    for _ in range(count):
        t0 = time.perf_counter()
        for sql in indexes:
            db.execute(sql)
        for _row in db.execute(combine_sql, [p for p in combine_params]):
            pass
        times.append((time.perf_counter() - t0) * 1e3)
        for sql in indexes:
            db.execute("DROP INDEX " + sql.split()[2])
    db.close()
    return times


def scenario_combine(env, args):
    """4. Two sources each returning SF x 200,000 groups, combined by FULL JOIN."""
    plan = env.explain(COMBINE_QUERY)
    if len(plan) != 3:
        raise BenchError(f"combine: expected two atomic queries and a combine, got {plan}")
    files = [env.query_file(f"combine_{i}", sql, params)
             for i, (_, _, sql, params) in enumerate(plan[:-1])]
    logs_before = len(env.mimir_query_logs())
    m, p = alternate(args.rounds, args.warmup,
                     lambda: env.mimir_query([COMBINE_QUERY], count=1)["per_query"][0]["p50_ms"],
                     lambda: env.pgclient(files)["ms"])
    combine_ms = [e.get("combine_ms") for e in env.mimir_query_logs()[logs_before:]
                  if e.get("combine_ms") is not None][-args.rounds:]
    [print("LOG", json.dumps(e)) for e in env.mimir_query_logs()[logs_before:]]
    sqlite_ms = sqlite_join_ms(env, plan, max(args.rounds, 3))
    mc, sq = median(combine_ms), median(sqlite_ms)
    out = {"scenario": 4, "name": "multi-source combine", "query": COMBINE_QUERY,
           "combine_sql": plan[-1][2], "mimir_total_ms": m, "direct_both_ms": p,
           "mimir_median_total_ms": median(m), "direct_median_ms": median(p),
           "total_ratio": median(m) / median(p), "mimir_combine_ms": combine_ms or None,
           "sqlite3_join_ms": sqlite_ms, "sqlite3_median_join_ms": sq,
           "combine_ratio": mc / sq if mc is not None else None}
    out["checks"] = [
        check("4 combine Mimir/sqlite3" + ("" if mc is not None else
                                           " (combine_ms not in Mimir's log)"),
              out["combine_ratio"], 1.2, "<="),
        check("4 total Mimir/both atomic direct", out["total_ratio"], 1.15, "<="),
    ]
    return out


def scenario_concurrency(env, args):
    """5. 64 clients mixing scenario 1 (the one-day query) and scenario 3."""
    r = env.mimir_query([SMALL_QUERY, VERSION_QUERY], threads=args.mix_clients,
                        seconds=args.mix_seconds)
    per = {q["query"]: q for q in r["per_query"]}
    out = {"scenario": 5, "name": "concurrency", "clients": args.mix_clients,
           "seconds": args.mix_seconds, "queries": r["queries"], "qps": r["qps"],
           "errors": r["errors"], "per_query": r["per_query"],
           "checks": [check("5 errors", r["errors"], 0, "<=")]}
    for label, q in (("aggregate", SMALL_QUERY), ("catalog", VERSION_QUERY)):
        out[f"{label}_p50_ms"] = per[q]["p50_ms"]
        out[f"{label}_p99_ms"] = per[q]["p99_ms"]
    return out


def scenario_cache(env, args):
    """6. A repeated dashboard query answered from the result cache vs computed."""
    server = env.cached or env.start_cached_mimir()
    uncached = DASHBOARD_QUERY.replace("SELECT", "SELECT SQL_NO_CACHE", 1)

    def run(sql, count):
        return env.loadgen(server.port, [sql], password="", count=count)

    first = run(DASHBOARD_QUERY, 1)  # computed once and stored
    slow, fast = alternate(args.rounds, args.warmup,
                           lambda: run(uncached, args.agg_count)["per_query"][0]["p50_ms"],
                           lambda: run(DASHBOARD_QUERY, args.small_count)["per_query"][0]["p50_ms"])
    expected_hits = (args.rounds + args.warmup) * args.small_count
    # A query's log line is written once its answer is sent: the last one may come a
    # moment after the client has its rows, so the log is read until it has them all.
    deadline = time.monotonic() + 5
    while True:
        hits = sum(1 for line in server.stderr().splitlines()
                   if line.startswith("{") and '"cache":"hit"' in line)
        if hits >= expected_hits or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    if hits < expected_hits:
        raise BenchError(f"cache: {hits} hits in Mimir's log, expected {expected_hits}")
    s, f = median(slow), median(fast)
    return {"scenario": 6, "name": "result cache", "query": DASHBOARD_QUERY,
            "rows": first.get("rows"), "cache_ttl": CACHE_TTL, "uncached_ms": slow,
            "cached_ms": fast, "uncached_median_ms": s, "cached_median_ms": f,
            "speedup": s / f, "hits": hits,
            "checks": [check("6 cached dashboard query: uncached/cached latency", s / f, 20,
                             ">=")]}


def rollup_build(env, name, *extra):
    """`mimir rollups build NAME ...` on scenario 7's layer: its wall clock (a process,
    from start to exit) and what it printed."""
    seconds, out = env.mimir_rollups("build", name, *extra)
    m = re.search(r"rollup \S+: (built|refreshed) (\d+) rows in ([0-9.]+) s \(watermark ([^)]*)\)",
                  out)
    if not m:
        raise BenchError(f"mimir rollups build {name}: unexpected output: {out}")
    return {"s": seconds, "kind": m.group(1), "rows": int(m.group(2)),
            "build_s": float(m.group(3)), "watermark": m.group(4), "output": out.strip()}


def rollup_read(server, sql):
    """The rollup whose table EXPLAIN on server shows the query reading, "" when it
    reads none (None when EXPLAIN fails)."""
    try:
        _, rows = server.query("EXPLAIN " + sql)
    except Exception as exc:  # a hint not understood, say
        log(f"EXPLAIN {sql[:40]}...: {exc}")
        return None
    text = " ".join(str(cell) for r in rows for cell in r)
    m = re.search(r"mimir_rollups\s*\.\s*[\"`]?(\w+)", text)
    return m.group(1) if m else ""


def last_query_rollup(server):
    """The "rollup" of the server's last query record (docs/rollups.md: the query
    record names the rollup a query read), "" when it has none."""
    for line in reversed(server.stderr().splitlines()):
        if line.startswith("{") and '"event":"query"' in line.replace(" ", ""):
            try:
                return json.loads(line).get("rollup") or ""
            except ValueError:
                return ""
    return ""


def scenario_rollups(env, args):
    """7. Rollups (run it at SF 10): a dashboard tile from the smallest matching rollup
    vs the same query with rollups off (NO_ROLLUP()) and vs the rollup's table read
    with libpq; a refresh of one day and a full build of the daily rollup vs a
    hand-written CREATE TABLE AS SELECT of the same aggregate."""
    # The first builds (full: nothing is built yet) write the tables and the state.
    first = {name: rollup_build(env, name) for name in (DAILY_ROLLUP, MONTHLY_ROLLUP)}
    watermark = first[DAILY_ROLLUP]["watermark"]
    ctas = DAILY_CTAS.format(watermark=watermark)

    def hand_ctas():
        seconds = env.timed_psql(ctas)
        rows = env.pg_value("SELECT COUNT(*) FROM bench_rollup_ctas")
        env.psql("DROP TABLE bench_rollup_ctas")
        return {"s": seconds, "rows": rows}

    builds, hand = alternate(args.rounds, args.warmup,
                             lambda: rollup_build(env, DAILY_ROLLUP, "--full"), hand_ctas)
    daily_rows = builds[-1]["rows"]
    if any(b["rows"] != daily_rows for b in builds) or any(h["rows"] != daily_rows
                                                           for h in hand):
        raise BenchError(f"rollups: the daily rollup has {[b['rows'] for b in builds]} rows, "
                         f"the hand-written CREATE TABLE AS {[h['rows'] for h in hand]}")

    # The data ends on 2025-12-30 (bench/datagen.c), long before now: a refresh right
    # after a full build rebuilds from the start of yesterday (update_window 1 day) to
    # today, periods without rows. To time a refresh of one day that has rows, the
    # state's watermark is set back to the start of the data's last full day first, as
    # if the last build had run then: the refresh then deletes and re-inserts that day
    # (and the days after it up to now: the few rentals whose jitter took them past
    # midnight, then nothing), through the same command and code path.
    last_day = env.pg_value(LAST_FULL_DAY)
    rewind = (f"UPDATE mimir_rollups.mimir_rollups_state SET watermark = '{last_day}' "
              f"WHERE name = '{DAILY_ROLLUP}'")
    day_rows = env.pg_value(f"SELECT COUNT(*) FROM mimir_rollups.\"{DAILY_ROLLUP}\" "
                            f"WHERE period >= '{last_day}'")
    day_source_rows = env.pg_value(f"SELECT COUNT(*) FROM rentals "
                                   f"WHERE rental_date >= '{last_day}'")

    def refresh_one_day():
        env.pg_value(rewind)
        return rollup_build(env, DAILY_ROLLUP)

    as_is, one_day = alternate(args.rounds, args.warmup,
                               lambda: rollup_build(env, DAILY_ROLLUP), refresh_one_day)
    for r in as_is + one_day:
        if r["kind"] != "refreshed" or r["rows"] != daily_rows:
            raise BenchError(f"rollups: a refresh of {DAILY_ROLLUP} gave {r['output']} "
                             f"(expected a refresh keeping {daily_rows} rows)")
    if not any(f"refresh of the periods from {last_day}" in r["output"] for r in one_day):
        raise BenchError(f"rollups: the refresh did not start at {last_day}: "
                         f"{one_day[-1]['output']}")
    counted = env.pg_value(f"SELECT SUM(rentals_count) FROM mimir_rollups.\"{DAILY_ROLLUP}\" "
                           f"WHERE period >= '{last_day}'")
    if counted != day_source_rows:
        raise BenchError(f"rollups: after the refresh the daily rollup counts {counted} "
                         f"rentals from {last_day} on, the table has {day_source_rows}")

    # The tile, on a server whose layer has the rollups (it reuses the builds above).
    server = env.rollups or env.start_rollups_mimir()
    routed = rollup_read(server, TILE_QUERY)
    routed_off = rollup_read(server, TILE_QUERY_NO_ROLLUP)

    def tile(sql, count):
        return env.loadgen(server.port, [sql], password="", count=count)

    ref_file = env.query_file("tile_reference", TILE_REFERENCE, [])
    on1 = tile(TILE_QUERY, 1)
    time.sleep(0.2)  # the query record is written just after the answer
    routed = routed or last_query_rollup(server)
    off1 = tile(TILE_QUERY_NO_ROLLUP, 1)
    time.sleep(0.2)
    routed_off = routed_off or last_query_rollup(server)
    ref1 = env.pgclient([ref_file])
    if not on1["rows"] == off1["rows"] == ref1["rows"]:
        raise BenchError(f"rollups: the tile gave {on1['rows']} rows from Mimir, "
                         f"{off1['rows']} with NO_ROLLUP(), {ref1['rows']} from the rollup table")
    # About 0.2 s of queries per round on the fast side, one or a few on the slow one.
    on_count = max(1, min(args.small_count, int(200 / max(on1["per_query"][0]["p50_ms"], 0.01))))
    ref_count = args.small_count  # always fast: timed warm, as Mimir's pooled connections
    off_count = max(1, min(args.agg_count, int(1000 / max(off1["per_query"][0]["p50_ms"], 1))))
    off, on = alternate(
        args.rounds, args.warmup,
        lambda: tile(TILE_QUERY_NO_ROLLUP, off_count)["per_query"][0]["p50_ms"],
        lambda: tile(TILE_QUERY, on_count)["per_query"][0]["p50_ms"])
    on2, ref = alternate(
        args.rounds, args.warmup,
        lambda: tile(TILE_QUERY, on_count)["per_query"][0]["p50_ms"],
        lambda: env.pgclient([ref_file], count=ref_count)["ms"])

    off_m, on_m, on2_m, ref_m = median(off), median(on), median(on2), median(ref)
    full_s, hand_s = median([b["s"] for b in builds]), median([h["s"] for h in hand])
    day_s, as_is_s = median([r["s"] for r in one_day]), median([r["s"] for r in as_is])
    note = "" if routed else " (Mimir read the source: no routing to rollups)"
    if routed and routed != MONTHLY_ROLLUP:
        note = f" (Mimir read {routed}, not the smallest rollup)"
    note_off = note if not routed_off else f" (NO_ROLLUP() read {routed_off})"
    out = {"scenario": 7, "name": "rollups", "query": TILE_QUERY,
           "query_no_rollup": TILE_QUERY_NO_ROLLUP, "reference_sql": TILE_REFERENCE,
           "rollups_yaml": ROLLUPS_YAML, "tile_rows": on1["rows"],
           "tile_rollup_read": routed, "tile_no_rollup_rollup_read": routed_off,
           "tile_off_ms": off, "tile_on_ms": on, "tile_on_vs_libpq_ms": on2,
           "tile_libpq_rollup_ms": ref,
           "queries_per_round": {"off": off_count, "on": on_count, "libpq": ref_count},
           "tile_off_median_ms": off_m, "tile_on_median_ms": on_m,
           "tile_on_vs_libpq_median_ms": on2_m, "tile_libpq_rollup_median_ms": ref_m,
           "tile_speedup": off_m / on_m, "tile_ratio_vs_libpq": on2_m / ref_m,
           "watermark": watermark, "first_builds": first,
           "daily_rows": daily_rows, "monthly_rows": first[MONTHLY_ROLLUP]["rows"],
           "full_build_s": [b["s"] for b in builds],
           "full_build_own_s": [b["build_s"] for b in builds],
           "ctas_sql": ctas, "ctas_s": [h["s"] for h in hand],
           "full_build_median_s": full_s, "ctas_median_s": hand_s,
           "full_build_ratio": full_s / hand_s,
           "refresh_last_day": last_day, "refresh_rollup_rows": day_rows,
           "refresh_source_rows": day_source_rows,
           "refresh_one_day_s": [r["s"] for r in one_day],
           "refresh_one_day_own_s": [r["build_s"] for r in one_day],
           "refresh_one_day_median_s": day_s,
           "refresh_one_day_output": one_day[-1]["output"],
           "refresh_as_is_s": [r["s"] for r in as_is],
           "refresh_as_is_median_s": as_is_s, "refresh_as_is_output": as_is[-1]["output"],
           "refresh_ratio": day_s / full_s,
           "refresh_note": ("the data ends on " + last_day[:10] + ", before now: a refresh "
                            "right after a full build (refresh_as_is) rebuilds periods without "
                            "rows; refresh_one_day sets the state's watermark back to the start "
                            "of the data's last full day first, so that the refresh rebuilds "
                            "that day's rows (and the days after it up to now: the few "
                            "rentals past midnight, then none)")}
    out["checks"] = [
        check("7 dashboard tile: rollups off / rollups on latency" + note_off, off_m / on_m,
              100, ">="),
        check("7 dashboard tile: Mimir from rollup / libpq on the rollup table" + note,
              on2_m / ref_m, 1.3, "<="),
        check("7 refresh of one day / full build of the daily rollup", day_s / full_s, 0.05,
              "<="),
        check("7 full build / hand-written CREATE TABLE AS SELECT", full_s / hand_s, 1.3, "<="),
    ]
    return out


def scenario_trailing(env, args):
    """8. A cumulative metric (trailing 30 days) by day over a year: Mimir reads the
    days of the widened range from PostgreSQL and sums each window in its final stage;
    the reference is the hand-written window query, sent by libpq."""
    qfile = env.query_file("trailing_reference", TRAILING_REFERENCE, [])
    first = env.mimir_query([TRAILING_QUERY], count=1)
    mimir, pg = alternate(
        args.rounds, args.warmup,
        lambda: env.mimir_query([TRAILING_QUERY], count=args.agg_count)["per_query"][0]["p50_ms"],
        lambda: env.pgclient([qfile], count=args.agg_count)["ms"])
    m, p = median(mimir), median(pg)
    return {"scenario": 8, "name": "time intelligence", "query": TRAILING_QUERY,
            "reference_sql": TRAILING_REFERENCE, "rows": first.get("rows"), "mimir_ms": mimir,
            "reference_ms": pg, "mimir_median_ms": m, "reference_median_ms": p, "ratio": m / p,
            "checks": [check("8 trailing 30 days by day: Mimir/window query latency", m / p, 1.5,
                             "<=")]}


SCENARIOS = {1: scenario_aggregate, 2: scenario_streaming, 3: scenario_protocol,
             4: scenario_combine, 5: scenario_concurrency, 6: scenario_cache,
             7: scenario_rollups, 8: scenario_trailing, 9: scenario_scan}


# --------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------


def machine():
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                text=True).stdout.strip()
    except OSError:
        commit = ""
    return {"nproc": os.cpu_count(), "cpu": cpu, "kernel": platform.release(),
            "loadavg": os.getloadavg()[0], "commit": commit,
            "sqlite": sqlite3.sqlite_version}


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) < 100 else f"{v:,.0f}"
    return str(v)


def print_table(result):
    m = result["machine"]
    print(f"\nMimir benchmark {result['date']}  SF {result['sf']}  rounds {result['rounds']}  "
          f"nproc {m['nproc']}  {m['cpu']}  kernel {m['kernel']}  load {m['loadavg']:.2f}")
    rows = [("check", "value", "target", "result")]
    for s in result["scenarios"]:
        for c in s.get("checks", []):
            rows.append((c["check"], fmt(c["value"]), c["target"], c["result"]))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for i, r in enumerate(rows):
        print("  ".join(x.ljust(w) for x, w in zip(r, widths)))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    details = []
    for s in result["scenarios"]:
        if s["scenario"] == 1:
            for k in ("full", "small"):
                d = s[k]
                details.append(f"1 {k}: Mimir {d['mimir_median_ms']:.3f} ms, libpq "
                               f"{d['reference_median_ms']:.3f} ms")
        elif s["scenario"] == 2:
            line = (f"2: {s['rows']} rows; Mimir {s['mimir_median_rows_per_s']:,.0f} rows/s, "
                    f"libpq {s['libpq_median_rows_per_s']:,.0f} rows/s; Mimir "
                    f"{s['mimir_median_rows_per_s_vs_single_row']:,.0f} rows/s, libpq single-row "
                    f"{s['libpq_single_row_median_rows_per_s']:,.0f} rows/s")
            if "mariadb_median_rows_per_s" in s:
                line += (f", MariaDB {s['mariadb_median_rows_per_s']:,.0f} rows/s; after the "
                         f"first row Mimir {s['mimir_median_streaming_rows_per_s']:,.0f}, "
                         f"MariaDB {s['mariadb_median_streaming_rows_per_s']:,.0f} rows/s")
            details.append(line + f"; peak RSS {fmt(s['mimir_peak_rss_mib'])} MiB")
        elif s["scenario"] == 3:
            details.append(f"3: {s['clients']} clients; Mimir {s['mimir_median_qps']:,.0f} q/s, "
                           f"MariaDB {fmt(s['mariadb_median_qps'])} q/s")
        elif s["scenario"] == 4:
            details.append(f"4: Mimir total {s['mimir_median_total_ms']:.1f} ms (combine "
                           f"{fmt(median(s['mimir_combine_ms'] or []))} ms), both atomic "
                           f"direct {s['direct_median_ms']:.1f} ms, sqlite3 join "
                           f"{s['sqlite3_median_join_ms']:.1f} ms")
        elif s["scenario"] == 6:
            details.append(f"6: dashboard query ({s['rows']} rows) uncached "
                           f"{s['uncached_median_ms']:.3f} ms, from the cache "
                           f"{s['cached_median_ms']:.3f} ms ({s['hits']} hits)")
        elif s["scenario"] == 7:
            read = (f"from {s['tile_rollup_read']}" if s["tile_rollup_read"] else
                    "from the source (not routed)")
            details.append(
                f"7: tile ({s['tile_rows']} rows) {read} {s['tile_on_median_ms']:.3f} ms, "
                f"NO_ROLLUP() {s['tile_off_median_ms']:.1f} ms, "
                f"libpq on the rollup table {s['tile_libpq_rollup_median_ms']:.3f} ms; daily "
                f"rollup ({s['daily_rows']:,} rows): full build {s['full_build_median_s']:.2f} s, "
                f"hand CREATE TABLE AS {s['ctas_median_s']:.2f} s, refresh of "
                f"{s['refresh_last_day'][:10]} ({s['refresh_source_rows']:,} rentals) "
                f"{s['refresh_one_day_median_s']:.3f} s (right "
                f"after a build {s['refresh_as_is_median_s']:.3f} s); monthly "
                f"{s['monthly_rows']:,} rows")
        elif s["scenario"] == 8:
            details.append(f"8: trailing 30 days by day ({s['rows']} rows) Mimir "
                           f"{s['mimir_median_ms']:.1f} ms, hand-written window query "
                           f"{s['reference_median_ms']:.1f} ms")
        elif s["scenario"] == 9:
            mi, pq = s["mimir"], s["libpq_single_row"]
            line = (f"9: {s['rows']} rows{'' if s['index_ordered'] else ' (NOT index-ordered)'}; "
                    f"Mimir {mi['median_ms']:.1f} ms (first row {mi['median_first_row_ms']:.1f} "
                    f"ms, {mi['median_rows_per_s']:,.0f} rows/s), libpq single-row "
                    f"{pq['median_ms']:.1f} ms (first row {pq['median_first_row_ms']:.1f} ms, "
                    f"{pq['median_rows_per_s']:,.0f} rows/s); vs PostgreSQL's COPY to a "
                    f"counting client: Mimir {s['mimir_vs_copy']['median_ms']:.1f} ms, COPY "
                    f"{s['postgres_copy']['median_ms']:.1f} ms; after the first row Mimir "
                    f"{s['mimir_vs_copy']['median_streaming_rows_per_s']:,.0f}, COPY "
                    f"{s['postgres_copy']['median_streaming_rows_per_s']:,.0f} rows/s")
            if "mariadb" in s:
                mi2, ma = s["mimir_vs_mariadb"], s["mariadb"]
                line += (f"; vs MariaDB: Mimir {mi2['median_ms']:.1f} ms, MariaDB "
                         f"{ma['median_ms']:.1f} ms; after the first row Mimir "
                         f"{mi2['median_streaming_rows_per_s']:,.0f}, MariaDB "
                         f"{ma['median_streaming_rows_per_s']:,.0f} rows/s")
            details.append(line + f"; peak RSS {fmt(s['mimir_peak_rss_mib'])} MiB")
        elif s["scenario"] == 5:
            details.append(f"5: {s['clients']} clients {s['seconds']} s, {s['queries']} queries "
                           f"({s['qps']:,.0f} q/s), {s['errors']} errors; aggregate p50/p99 "
                           f"{s['aggregate_p50_ms']:.2f}/{s['aggregate_p99_ms']:.2f} ms, "
                           f"catalog p50/p99 {s['catalog_p50_ms']:.2f}/"
                           f"{s['catalog_p99_ms']:.2f} ms")
    print()
    for d in details:
        print(d)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sf", type=float, default=1.0, help="scale factor (SF1: 1M rentals)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--scenarios", default="1,2,3,4,5,6,7,8,9")
    ap.add_argument("--tools", default=str(REPO / "build" / "bench"),
                    help="where datagen, loadgen and pgclient are")
    ap.add_argument("--results", default=str(REPO / "bench" / "results"),
                    help="directory for the JSON file ('' for none)")
    ap.add_argument("--clients", type=int, default=32, help="scenario 3's clients")
    ap.add_argument("--qps-seconds", type=float, default=5.0, help="scenario 3's run per round")
    ap.add_argument("--mix-clients", type=int, default=64)
    ap.add_argument("--mix-seconds", type=float, default=30.0)
    ap.add_argument("--agg-count", type=int, default=5, help="scenario 1 full queries per round")
    ap.add_argument("--small-count", type=int, default=200,
                    help="scenario 1 one-day queries per round")
    ap.add_argument("--no-mariadb", dest="with_mariadb", action="store_false")
    ap.add_argument("--keep-logs", action="store_true")
    ap.add_argument("--mimir-prefix", default="",
                    help="run bin/mimir under this command (a profiler)")
    ap.add_argument("--mimir-args", default="",
                    help="extra arguments for `mimir serve` (e.g. --server-config FILE)")
    args = ap.parse_args()

    wanted = [int(x) for x in args.scenarios.split(",") if x]
    env = Environment(args)
    result = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "sf": args.sf, "rounds": args.rounds, "warmup": args.warmup,
              "machine": machine(), "scenarios": []}
    failed = None
    try:
        env.start()
        for n in wanted:
            log(f"scenario {n}: {SCENARIOS[n].__doc__.strip().splitlines()[0]}")
            result["scenarios"].append(SCENARIOS[n](env, args))
        if not env.mimir.alive():
            raise BenchError(f"Mimir exited:\n{conftest._tail(env.mimir.stderr())}")
    except (BenchError, RuntimeError, AssertionError) as exc:
        failed = exc
    finally:
        env.stop()
    if failed is None and env.mimir_problem:
        failed = BenchError(env.mimir_problem)
    if result["scenarios"]:
        print_table(result)
    if args.results and result["scenarios"]:
        out = Path(args.results)
        out.mkdir(parents=True, exist_ok=True)
        sf = f"{args.sf:g}"
        path = out / f"{result['date'][:10]}-SF{sf}.json"
        path.write_text(json.dumps(result, indent=2) + "\n")
        print(f"\nresults: {path}")
    if failed is not None:
        print(f"\nbench FAILED: {failed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
