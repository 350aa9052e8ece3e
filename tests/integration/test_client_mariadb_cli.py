"""The `mariadb` command-line client (Debian's mariadb-client) in batch and
table modes, interactively (on a pseudo-terminal, where it reads the catalog
for tab completion: SHOW DATABASES, SHOW TABLES, then COM_FIELD_LIST per
table), and `mariadb-dump --no-data mimir` (SHOW CREATE TABLE and friends).
Every number is compared with PostgreSQL in the same run."""

import os
import pty
import re
import select
import subprocess
import time

from client_support import (
    BI_COLUMNS,
    BI_QUERY,
    README_COLUMNS,
    bi_expected,
    metrics_table_required_columns,
    mimir_table_names,
    readme_expected,
    tls_server,
)
from conftest import CLIENT_TIMEOUT
from support import README_QUERY, as_text, text_rows


def cli(mimir, *args, sql, user="anyone"):
    cmd = ["mariadb", "--no-defaults", "-h", "127.0.0.1", "-P", str(mimir.port), "-u", user,
           "--connect-timeout=10", "-D", "mimir", *args, "-e", sql]
    proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=CLIENT_TIMEOUT)
    assert proc.returncode == 0, f"{cmd} exited with {proc.returncode}: {proc.stderr}"
    assert proc.stderr == ""
    return proc.stdout


def batch(mimir, sql, *args):
    """--batch: a header line, then tab-separated rows."""
    lines = cli(mimir, "--batch", *args, sql=sql).rstrip("\n").split("\n")
    return lines[0].split("\t"), [tuple(line.split("\t")) for line in lines[1:]]


def alignment(cells):
    """How the CLI aligned a column's cells: "right", "left", or None when every
    value fills the column's width (then it cannot be told)."""
    inner = [c[1:-1] for c in cells]
    right = all(s == s.strip().rjust(len(s)) for s in inner)
    left = all(s == s.strip().ljust(len(s)) for s in inner)
    return None if right and left else "right" if right else "left" if left else "mixed"


def table(mimir, sql):
    """--table: the boxed layout of the interactive client. Returns the header,
    the rows (stripped cells) and each column's alignment (the CLI right-aligns
    the columns whose declared type is numeric)."""
    out = cli(mimir, "--table", sql=sql)
    lines = out.rstrip("\n").split("\n")
    assert lines[0].startswith("+-") and lines[2].startswith("+-") and lines[-1].startswith("+-")
    cells = [line.split("|")[1:-1] for line in lines if line.startswith("|")]
    header = [c.strip() for c in cells[0]]
    body = cells[1:]
    aligned = [alignment([row[i] for row in body]) for i in range(len(header))]
    return header, [tuple(c.strip() for c in row) for row in body], aligned


def test_batch_mode_readme_and_bi(mimir, pg):
    header, rows = batch(mimir, README_QUERY)
    assert header == README_COLUMNS
    assert rows == text_rows(readme_expected(pg))
    header, rows = batch(mimir, BI_QUERY)
    assert header == BI_COLUMNS
    assert rows == text_rows(bi_expected(pg))


def test_table_mode_readme_and_bi(mimir, pg):
    for sql, columns, want in ((README_QUERY, README_COLUMNS, readme_expected(pg)),
                               (BI_QUERY, BI_COLUMNS, bi_expected(pg))):
        header, rows, aligned = table(mimir, sql)
        assert header == columns
        assert rows == [tuple(as_text(v) for v in r) for r in want]
        # numbers right-aligned, text left-aligned: the CLI decides from the
        # column types Mimir declares
        for name, how, value in zip(header, aligned, want[0]):
            if how is not None:
                assert how == ("left" if isinstance(value, str) else "right"), name


def test_show_databases(mimir):
    header, rows = batch(mimir, "SHOW DATABASES")
    assert header == ["Database"]
    assert {"mimir", "information_schema"} <= {r[0] for r in rows}


def test_show_tables(mimir):
    header, rows = batch(mimir, "SHOW TABLES")
    assert header == ["Tables_in_mimir"]
    assert {r[0] for r in rows} == mimir_table_names()


def test_describe_metrics(mimir):
    header, rows = batch(mimir, "DESCRIBE metrics")
    assert header[:2] == ["Field", "Type"]
    types = {r[0]: r[1].lower() for r in rows}
    assert metrics_table_required_columns() <= set(types), sorted(types)
    assert types["movies_rented"] == "bigint"
    assert types["rentals_revenue"].startswith("decimal")
    assert types["dim_rental_category"].startswith("varchar")
    assert types["ts"] == "datetime(6)"  # timestamptz keeps microseconds


CREATE_TABLE = re.compile(r"^CREATE TABLE `([^`]+)` \((.*?)^\)", re.M | re.S)


def test_mariadb_dump_no_data(mimir):
    cmd = ["mariadb-dump", "--no-defaults", "-h", "127.0.0.1", "-P", str(mimir.port),
           "-u", "anyone", "--no-data", "mimir"]
    proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=CLIENT_TIMEOUT)
    assert proc.returncode == 0, f"mariadb-dump exited with {proc.returncode}: {proc.stderr}"
    # mariadb-dump reports some failed catalog queries on stderr and still exits 0
    assert proc.stderr == ""
    assert "-- Dump completed" in proc.stdout
    tables = {name: body for name, body in CREATE_TABLE.findall(proc.stdout)}
    assert set(tables) == mimir_table_names()
    columns = set(re.findall(r"^\s+`([^`]+)`", tables["metrics"], re.M))
    assert metrics_table_required_columns() <= columns, sorted(columns)


def interactive(mimir, keystrokes, settle=0.5):
    """Run the CLI on a pseudo-terminal (interactive mode, auto-rehash on),
    type `keystrokes` (a list of chunks, each followed by a pause so that the
    completion can answer), then quit. Returns everything the terminal showed."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: become the CLI, and never return into pytest
        try:
            os.environ["TERM"] = "dumb"
            os.execvp("mariadb", ["mariadb", "--no-defaults", "-h", "127.0.0.1",
                                  "-P", str(mimir.port), "-u", "anyone", "-D", "mimir"])
        finally:
            os._exit(127)
    out = b""

    def drain(seconds):
        nonlocal out
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    out += os.read(fd, 65536)
                except OSError:  # the CLI exited and closed the terminal
                    return False
        return True

    try:
        drain(settle)
        for chunk in keystrokes + ["quit\n"]:
            os.write(fd, chunk.encode())
            drain(settle)
    finally:
        deadline = time.monotonic() + 5
        while os.waitpid(pid, os.WNOHANG) == (0, 0):
            if time.monotonic() > deadline:
                os.kill(pid, 9)  # our own child, stuck: it is reaped just below
                os.waitpid(pid, 0)
                break
            drain(0.05)
        os.close(fd)
    return out.decode(errors="replace")


def test_interactive_tab_completion(mimir, pg):
    """Tab completes a table name (from SHOW TABLES) and column names (from
    COM_FIELD_LIST); the completed README query then runs."""
    screen = interactive(mimir, ["SELECT dim_rental_cat\t", ", AGG(movies_ren\t",
                                 "), AGG(rentals_rev\t", ") FROM metr\t",
                                 " WHERE dim_rental_category = 'Action' GROUP BY 1;\n"])
    assert "ERROR" not in screen, screen
    want = readme_expected(pg)
    rows = [[c.strip() for c in line.split("|")[1:-1]]
            for line in screen.splitlines() if line.startswith("|")]
    assert rows[1:] == [[as_text(v) for v in r] for r in want], screen


def test_tls_with_password(tls_server, pg):
    """--ssl-ca with --ssl-verify-server-cert, as a user with a password; the
    server requires TLS. The CLI's status reports the cipher in use."""
    out = cli(tls_server, "--batch", f"--ssl-ca={tls_server.tls_ca}", "--ssl-verify-server-cert",
              f"--password={tls_server.password}", user=tls_server.user,
              sql=README_QUERY + "\nstatus")
    lines = out.split("\n")
    assert lines[0].split("\t") == README_COLUMNS
    assert [tuple(l.split("\t")) for l in lines[1:2]] == text_rows(readme_expected(pg))
    assert re.search(r"^SSL:\s+Cipher in use is \S+", out, re.M), out
