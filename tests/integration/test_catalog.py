"""The catalog as clients read it: SHOW, DESCRIBE, information_schema,
COM_FIELD_LIST and the read-only errors, against bin/mimir serving
configs/pagila, through PyMySQL and the mariadb CLI.

What the catalog must contain is derived here from configs/pagila's YAML
files (the semantic layer itself), not copied from an earlier run: every
source is a table, every dimension, local column and metric a column, every
description a comment. Column types are the declared ones, else those the
server discovered from PostgreSQL (computed here from PostgreSQL's own
description of the sources, see backend_types.py). Numbers (the README query
after errors, completion in the interactive CLI) are computed on PostgreSQL in
the same run.
"""

import os
import pty
import re
import select
import time

import pymysql
import pytest
import yaml
from pymysql.constants import COMMAND, FIELD_TYPE
from pymysql.protocol import FieldDescriptorPacket

from backend_types import expected_source_types, expected_table, field_type
from conftest import PAGILA_CONFIGS
from support import (
    README_EXPECTED_SQL,
    README_QUERY,
    assert_answers_select_1,
    assert_same_values,
    expected,
    mysql_error,
)

GRAINS = [("ts", "datetime"), ("ds", "date"), ("year_month", "date"), ("year", "int"),
          ("ts_second", "datetime"), ("ts_minute", "datetime"), ("ts_hour", "datetime"),
          ("week", "date"), ("quarter", "date")]
UTF8MB4_GENERAL_CI = 45
BINARY = 63


# --------------------------------------------------------------------------
# the semantic layer, read from configs/pagila
# --------------------------------------------------------------------------


def _documents(kind):
    docs = []
    for path in sorted((PAGILA_CONFIGS / kind).glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if isinstance(doc, list):
                docs.extend(doc)
            elif doc:
                docs.append(doc)
    return docs


def _output_columns(sql):
    """Output names of a source's SELECT list (alias, else the last name part):
    enough for the example's plain column lists."""
    body = re.search(r"select\s+(.*?)\s+from\s", sql, re.I | re.S).group(1)
    names = []
    for item in body.split(","):
        words = item.split()
        names.append(words[-1] if len(words) > 1 else words[0].split(".")[-1])
    return names


class Layer:
    def __init__(self):
        self.sources = {}
        for doc in _documents("sources"):
            self.sources.update(doc)
        self.dimensions = _documents("dimensions")
        self.metrics = _documents("metrics")
        self.local = {name: [c for c in _output_columns(src["sql"])
                             if c not in dict(GRAINS)]
                      for name, src in self.sources.items()}
        self.discovered = None  # {table: {column: type}} from PostgreSQL (layer_types)

    def metric_type(self, m):
        kind = str(m.get("type", "")).lower()
        if kind == "derived":
            return "double"  # computed after the combine
        if kind in ("offset", "cumulative"):  # its base metric's type
            return self.metric_type(next(b for b in self.metrics if b["name"] == m["metric"]))
        if m.get("type"):
            return m["type"].lower()
        sql = re.sub(r"^\s*select\s+", "", m["sql"], flags=re.I).lower()
        return ("bigint" if sql.startswith("count(") else "double" if sql.startswith("avg(")
                else "decimal(65,2)")

    def columns(self, table):
        """[(name, COLUMN_TYPE, comment)] of a mimir table, in order."""
        cols = [(g, t, None) for g, t in GRAINS]
        seen = {g for g, _ in GRAINS}

        def add(name, type_, comment):
            if name.lower() not in seen:
                seen.add(name.lower())
                cols.append((name, type_, comment))

        dims = {d["name"]: d for d in self.dimensions}
        if table == "metrics":
            for d in self.dimensions:
                add(d["name"], d.get("type", "varchar(255)"), d.get("description", ""))
            for src in self.sources:
                for c in self.local[src]:
                    add(c, "varchar(255)", None)
            metrics = self.metrics
        else:
            src = self.sources[table]
            for c in self.local[table]:
                add(c, "varchar(255)", None)
            for d in self.dimensions:
                if d["source_name"] == table or d["name"] in src.get("dimensions", []):
                    add(d["name"], dims[d["name"]].get("type", "varchar(255)"),
                        d.get("description", ""))
            # Derived metrics, which may span sources, are only in mimir.metrics.
            metrics = [m for m in self.metrics if m.get("source_name") == table]
        for m in metrics:
            add(m["name"], self.metric_type(m), m.get("description", ""))
        if self.discovered is None:
            return cols
        # What PostgreSQL says replaces the defaults: declared types win.
        declared = {d["name"] for d in self.dimensions + self.metrics if d.get("type")}
        found = self.discovered[table]
        return [(n, t if n in declared or n not in found else found[n], c) for n, t, c in cols]

    def tables(self):
        return sorted(["metrics", *self.sources])  # by name, as MySQL lists tables

    def comment(self, table):
        if table == "metrics":
            return None
        return " ".join(self.sources[table].get("description", "").split())


LAYER = Layer()


def fetch(conn, sql, args=None):
    with conn.cursor() as cur:
        cur.execute(sql, args)
        names = [d[0] for d in cur.description] if cur.description else []
        return names, [tuple(r) for r in cur.fetchall()], cur.description


@pytest.fixture(scope="module", autouse=True)
def layer_types(pg):
    """The session server typed its columns from PostgreSQL: so does LAYER.
    Modules that import LAYER import this fixture with it."""
    if LAYER.discovered is None:
        types = expected_source_types(pg)
        LAYER.discovered = {t: expected_table(types, t) for t in LAYER.tables()}


@pytest.fixture
def conn(mimir):
    c = mimir.connect(database="mimir")
    yield c
    c.close()


# --------------------------------------------------------------------------
# databases, tables, columns
# --------------------------------------------------------------------------


def test_show_databases_and_tables(conn, mimir):
    assert fetch(conn, "SHOW DATABASES")[1] == [("information_schema",), ("mimir",)]
    names, rows, _ = fetch(conn, "SHOW FULL TABLES")
    assert names == ["Tables_in_mimir", "Table_type"]
    assert rows == [(t, "BASE TABLE") for t in LAYER.tables()]
    cli = mimir.mariadb_cli("SHOW TABLES FROM mimir LIKE 'r%'")
    assert cli.columns == ["Tables_in_mimir (r%)"]
    assert list(cli) == [(t,) for t in LAYER.tables() if t.startswith("r")]


@pytest.mark.parametrize("table", LAYER.tables())
def test_columns_are_the_semantic_layer(conn, table):
    want = LAYER.columns(table)
    names, rows, _ = fetch(conn, f"SHOW FULL COLUMNS FROM `{table}`")
    assert names == ["Field", "Type", "Collation", "Null", "Key", "Default", "Extra",
                     "Privileges", "Comment"]
    assert [(r[0], r[1]) for r in rows] == [(n, t) for n, t, _ in want]
    for row, (name, type_, comment) in zip(rows, want):
        if comment is not None:
            assert row[8] == comment, name
        assert row[2] == ("utf8mb4_general_ci" if type_.startswith("varchar") else None)
        assert row[3:8] == ("YES", "", None, "", "select")
    # DESCRIBE and information_schema.COLUMNS say the same.
    assert fetch(conn, f"DESCRIBE {table}")[1] == [
        (r[0], r[1], r[3], r[4], r[5], r[6]) for r in rows]
    _, info, _ = fetch(conn, "SELECT COLUMN_NAME, COLUMN_TYPE, COLUMN_COMMENT FROM "
                             "information_schema.COLUMNS WHERE TABLE_SCHEMA = 'mimir' AND "
                             "TABLE_NAME = %s ORDER BY ORDINAL_POSITION", (table,))
    assert info == [(r[0], r[1], r[8]) for r in rows]


def test_table_comments_and_create_table(conn):
    _, rows, _ = fetch(conn, "SELECT TABLE_NAME, TABLE_COMMENT, ENGINE, TABLE_COLLATION FROM "
                             "information_schema.TABLES WHERE TABLE_SCHEMA = 'mimir' "
                             "ORDER BY TABLE_NAME")
    assert [r[0] for r in rows] == LAYER.tables()
    for name, comment, engine, collation in rows:
        if LAYER.comment(name) is not None:
            assert " ".join(comment.split()) == LAYER.comment(name)
        assert (engine, collation) == ("Mimir", "utf8mb4_general_ci")
    _, rows, _ = fetch(conn, "SHOW CREATE TABLE rentals")
    table, ddl = rows[0]
    assert table == "rentals"
    # ts: PostgreSQL's timestamptz without a precision, so microseconds.
    assert ddl.startswith("CREATE TABLE `rentals` (\n  `ts` datetime(6) DEFAULT NULL COMMENT ")
    for name, type_, _ in LAYER.columns("rentals"):
        assert f"\n  `{name}` {type_} DEFAULT NULL" in ddl
    assert ddl.endswith("'") and ") ENGINE=Mimir DEFAULT CHARSET=utf8mb4" in ddl


# --------------------------------------------------------------------------
# every SHOW form: MySQL 8.0's column names, through PyMySQL and the CLI
# --------------------------------------------------------------------------

SHOWS = [
    ("SHOW DATABASES", ["Database"]),
    ("SHOW SCHEMAS LIKE 'mim%'", ["Database (mim%)"]),
    ("SHOW TABLES", ["Tables_in_mimir"]),
    ("SHOW FULL TABLES FROM mimir WHERE Table_type = 'BASE TABLE'",
     ["Tables_in_mimir", "Table_type"]),
    ("SHOW COLUMNS FROM metrics", ["Field", "Type", "Null", "Key", "Default", "Extra"]),
    ("SHOW FIELDS FROM rentals FROM mimir LIKE 'dim%'",
     ["Field", "Type", "Null", "Key", "Default", "Extra"]),
    ("SHOW FULL COLUMNS FROM mimir.payments WHERE Type LIKE 'decimal%'",
     ["Field", "Type", "Collation", "Null", "Key", "Default", "Extra", "Privileges", "Comment"]),
    ("SHOW INDEX FROM metrics", ["Table", "Non_unique", "Key_name", "Seq_in_index",
                                 "Column_name", "Collation", "Cardinality", "Sub_part",
                                 "Packed", "Null", "Index_type", "Comment", "Index_comment",
                                 "Visible", "Expression"]),
    ("SHOW KEYS FROM rentals", None),
    ("SHOW INDEXES FROM payments IN mimir", None),
    ("SHOW CREATE TABLE metrics", ["Table", "Create Table"]),
    ("SHOW CREATE DATABASE mimir", ["Database", "Create Database"]),
    ("SHOW TABLE STATUS", ["Name", "Engine", "Version", "Row_format", "Rows", "Avg_row_length",
                           "Data_length", "Max_data_length", "Index_length", "Data_free",
                           "Auto_increment", "Create_time", "Update_time", "Check_time",
                           "Collation", "Checksum", "Create_options", "Comment"]),
    ("SHOW TABLE STATUS FROM mimir LIKE 'metrics'", None),
    ("SHOW VARIABLES", ["Variable_name", "Value"]),
    ("SHOW GLOBAL VARIABLES LIKE 'version%'", ["Variable_name", "Value"]),
    ("SHOW SESSION VARIABLES WHERE Variable_name = 'autocommit'", ["Variable_name", "Value"]),
    ("SHOW STATUS", ["Variable_name", "Value"]),
    ("SHOW GLOBAL STATUS LIKE 'Uptime'", ["Variable_name", "Value"]),
    ("SHOW WARNINGS", ["Level", "Code", "Message"]),
    ("SHOW ERRORS", ["Level", "Code", "Message"]),
    ("SHOW COUNT(*) WARNINGS", ["@@session.warning_count"]),
    ("SHOW COLLATION", ["Collation", "Charset", "Id", "Default", "Compiled", "Sortlen",
                        "Pad_attribute"]),
    ("SHOW CHARACTER SET", ["Charset", "Description", "Default collation", "Maxlen"]),
    ("SHOW CHARSET LIKE 'utf8%'", None),
    ("SHOW ENGINES", ["Engine", "Support", "Comment", "Transactions", "XA", "Savepoints"]),
    ("SHOW PLUGINS", ["Name", "Status", "Type", "Library", "License"]),
    ("SHOW PROCESSLIST", ["Id", "User", "Host", "db", "Command", "Time", "State", "Info"]),
    ("SHOW FULL PROCESSLIST", None),
    ("SHOW GRANTS", ["Grants for anyone@%"]),
    ("SHOW GRANTS FOR CURRENT_USER", None),
    ("SHOW PRIVILEGES", ["Privilege", "Context", "Comment"]),
    ("SHOW TRIGGERS", None),
    ("SHOW EVENTS", None),
    ("SHOW PROCEDURE STATUS WHERE Db = 'mimir'", None),
    ("SHOW FUNCTION STATUS", None),
    ("SHOW OPEN TABLES", None),
    ("DESCRIBE metrics", ["Field", "Type", "Null", "Key", "Default", "Extra"]),
    ("DESC rentals 'dim%'", None),
]


@pytest.mark.parametrize("sql, columns", SHOWS, ids=[s[0] for s in SHOWS])
def test_show_forms(conn, mimir, sql, columns):
    names, rows, _ = fetch(conn, sql)
    if columns is not None:
        assert names == columns
    assert_answers_select_1(conn)
    cli = mimir.mariadb_cli(sql, "--database=mimir")
    if rows:
        assert cli.columns == names
    # --raw prints newlines as they are; the process list differs between two sessions.
    if "PROCESSLIST" not in sql and not any("\n" in str(v) for r in rows for v in r):
        assert len(cli) == len(rows)


def test_show_answers(conn):
    assert fetch(conn, "SHOW VARIABLES LIKE 'autocommit'")[1] == [("autocommit", "ON")]
    version = fetch(conn, "SHOW VARIABLES LIKE 'version'")[1][0][1]
    assert re.fullmatch(r"8\.0\.\d+-mimir-.+", version)
    assert fetch(conn, "SELECT @@version")[1] == [(version,)]
    rows = fetch(conn, "SHOW VARIABLES WHERE Variable_name LIKE 'character\\_set\\_%'")[1]
    assert ("character_set_client", "utf8mb4") in rows
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    _, rows, _ = fetch(conn, "SHOW PROCESSLIST")
    connection_id = fetch(conn, "SELECT CONNECTION_ID()")[1][0][0]
    # Every live session is listed; this one is running the SHOW.
    assert [r for r in rows if r[0] == connection_id] == [
        (connection_id, "anyone", "127.0.0.1", "mimir", "Query", 0, "executing",
         "SHOW PROCESSLIST")]
    rows = fetch(conn, "SHOW COLUMNS FROM rentals WHERE Field IN ('ts', 'DIM_STORE_ID')")[1]
    assert [r[0] for r in rows] == ["ts", "dim_store_id"]
    assert fetch(conn, "SHOW CHARSET WHERE Charset = 'utf8mb4'")[1] == [
        ("utf8mb4", "UTF-8 Unicode", "utf8mb4_general_ci", 4)]


# --------------------------------------------------------------------------
# information_schema as tools query it
# --------------------------------------------------------------------------

# MySQL 8.0's column names of the tables DBeaver and friends read with SELECT *.
INFO_COLUMNS = {
    "SCHEMATA": ["CATALOG_NAME", "SCHEMA_NAME", "DEFAULT_CHARACTER_SET_NAME",
                 "DEFAULT_COLLATION_NAME", "SQL_PATH", "DEFAULT_ENCRYPTION"],
    "STATISTICS": ["TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "NON_UNIQUE", "INDEX_SCHEMA",
                   "INDEX_NAME", "SEQ_IN_INDEX", "COLUMN_NAME", "COLLATION", "CARDINALITY",
                   "SUB_PART", "PACKED", "NULLABLE", "INDEX_TYPE", "COMMENT", "INDEX_COMMENT",
                   "IS_VISIBLE", "EXPRESSION"],
    "KEY_COLUMN_USAGE": ["CONSTRAINT_CATALOG", "CONSTRAINT_SCHEMA", "CONSTRAINT_NAME",
                         "TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "COLUMN_NAME",
                         "ORDINAL_POSITION", "POSITION_IN_UNIQUE_CONSTRAINT",
                         "REFERENCED_TABLE_SCHEMA", "REFERENCED_TABLE_NAME",
                         "REFERENCED_COLUMN_NAME"],
    "REFERENTIAL_CONSTRAINTS": ["CONSTRAINT_CATALOG", "CONSTRAINT_SCHEMA", "CONSTRAINT_NAME",
                                "UNIQUE_CONSTRAINT_CATALOG", "UNIQUE_CONSTRAINT_SCHEMA",
                                "UNIQUE_CONSTRAINT_NAME", "MATCH_OPTION", "UPDATE_RULE",
                                "DELETE_RULE", "TABLE_NAME", "REFERENCED_TABLE_NAME"],
    "VIEWS": ["TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "VIEW_DEFINITION", "CHECK_OPTION",
              "IS_UPDATABLE", "DEFINER", "SECURITY_TYPE", "CHARACTER_SET_CLIENT",
              "COLLATION_CONNECTION"],
    "ENGINES": ["ENGINE", "SUPPORT", "COMMENT", "TRANSACTIONS", "XA", "SAVEPOINTS"],
    "CHARACTER_SETS": ["CHARACTER_SET_NAME", "DEFAULT_COLLATE_NAME", "DESCRIPTION", "MAXLEN"],
    "COLLATIONS": ["COLLATION_NAME", "CHARACTER_SET_NAME", "ID", "IS_DEFAULT", "IS_COMPILED",
                   "SORTLEN", "PAD_ATTRIBUTE"],
    "KEYWORDS": ["WORD", "RESERVED"],
    "PROCESSLIST": ["ID", "USER", "HOST", "DB", "COMMAND", "TIME", "STATE", "INFO"],
    "USER_PRIVILEGES": ["GRANTEE", "TABLE_CATALOG", "PRIVILEGE_TYPE", "IS_GRANTABLE"],
}
EMPTY_TABLES = ["ROUTINES", "PARAMETERS", "TRIGGERS", "VIEWS", "STATISTICS", "KEY_COLUMN_USAGE",
                "REFERENTIAL_CONSTRAINTS", "TABLE_CONSTRAINTS", "CHECK_CONSTRAINTS", "EVENTS",
                "PARTITIONS", "FILES"]


@pytest.mark.parametrize("table", sorted(INFO_COLUMNS))
def test_information_schema_table_columns(conn, table):
    names, _, _ = fetch(conn, f"SELECT * FROM information_schema.{table}")
    assert names == INFO_COLUMNS[table]
    # The catalog describes information_schema itself too.
    _, rows, _ = fetch(conn, "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE "
                             "TABLE_SCHEMA = 'information_schema' AND TABLE_NAME = %s "
                             "ORDER BY ORDINAL_POSITION", (table,))
    assert [r[0] for r in rows] == INFO_COLUMNS[table]


@pytest.mark.parametrize("table", EMPTY_TABLES)
def test_information_schema_tables_mimir_has_nothing_for(conn, table):
    assert fetch(conn, f"SELECT * FROM information_schema.{table}")[1] == []


TOOL_QUERIES = [
    # DBeaver (MySQL driver): columns, keys and indexes of a table
    ("dbeaver_columns",
     "SELECT * FROM information_schema.COLUMNS WHERE TABLE_SCHEMA='mimir' AND "
     "TABLE_NAME='rentals' ORDER BY ORDINAL_POSITION",
     lambda rows: [r[3] for r in rows] == [c[0] for c in LAYER.columns("rentals")]),
    ("dbeaver_keys",
     "SELECT kc.CONSTRAINT_NAME,kc.TABLE_NAME,kc.COLUMN_NAME,kc.ORDINAL_POSITION FROM "
     "information_schema.KEY_COLUMN_USAGE kc WHERE kc.TABLE_SCHEMA='mimir' AND "
     "kc.REFERENCED_TABLE_NAME IS NULL ORDER BY kc.TABLE_NAME,kc.CONSTRAINT_NAME,"
     "kc.ORDINAL_POSITION",
     lambda rows: rows == []),
    ("dbeaver_constraints_join",
     "SELECT tc.CONSTRAINT_NAME, tc.TABLE_NAME, kcu.COLUMN_NAME FROM "
     "information_schema.TABLE_CONSTRAINTS tc JOIN information_schema.KEY_COLUMN_USAGE kcu "
     "ON kcu.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND kcu.CONSTRAINT_NAME = "
     "tc.CONSTRAINT_NAME WHERE tc.TABLE_SCHEMA = 'mimir' ORDER BY 1",
     lambda rows: rows == []),
    ("dbeaver_routines",
     "SELECT * FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA='mimir' ORDER BY "
     "ROUTINE_NAME",
     lambda rows: rows == []),
    # SQLAlchemy-style: table names of a schema, column count per table
    ("tables_of_schema",
     "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'mimir' AND "
     "TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
     lambda rows: [r[0] for r in rows] == LAYER.tables()),
    ("columns_per_table_join",
     "SELECT t.TABLE_NAME, COUNT(c.COLUMN_NAME) AS n FROM information_schema.TABLES t LEFT JOIN "
     "information_schema.COLUMNS c ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = "
     "t.TABLE_NAME WHERE t.TABLE_SCHEMA = DATABASE() GROUP BY t.TABLE_NAME ORDER BY n DESC, 1 "
     "LIMIT 2",
     lambda rows: rows == sorted(((t, len(LAYER.columns(t))) for t in LAYER.tables()),
                                 key=lambda r: (-r[1], r[0]))[:2]),
    # comparisons ignore case, as on MySQL
    ("case_insensitive",
     "select table_name from INFORMATION_SCHEMA.tables where table_schema = 'MIMIR' and "
     "table_name in ('METRICS', 'Rentals') order by 1",
     lambda rows: rows == [("metrics",), ("rentals",)]),
    # HAVING without GROUP BY filters rows, its names read as select aliases first
    # (Connector/J's getTables: ... HAVING TABLE_TYPE IN ('TABLE','VIEW'))
    ("having_without_group_by",
     "SELECT TABLE_NAME, CASE WHEN TABLE_NAME = 'metrics' THEN 'M' ELSE 'O' END AS TABLE_TYPE "
     "FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'mimir' HAVING TABLE_TYPE = 'M'",
     lambda rows: rows == [("metrics", "M")]),
    ("having_without_where",
     "SELECT TABLE_NAME AS t FROM information_schema.TABLES HAVING t = 'rentals'",
     lambda rows: rows == [("rentals",)]),
    # UNION [ALL] of catalog queries (RMariaDB's dbListObjects): left to right, the
    # ORDER BY and LIMIT after the last SELECT apply to the whole union
    ("union_all",
     "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'mimir' AND "
     "TABLE_NAME = 'metrics' UNION ALL SELECT SCHEMA_NAME FROM information_schema.SCHEMATA "
     "UNION ALL SELECT 'metrics' FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'mimir' "
     "ORDER BY 1",
     lambda rows: rows == [("information_schema",), ("metrics",), ("metrics",), ("mimir",)]),
    ("union_distinct",
     "SELECT 'x' AS a FROM information_schema.SCHEMATA UNION SELECT 'x' FROM "
     "information_schema.SCHEMATA UNION ALL SELECT 'x' FROM information_schema.SCHEMATA",
     lambda rows: rows == [("x",), ("x",), ("x",)]),
    ("union_order_by_name_and_limit",
     "SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA UNION ALL SELECT TABLE_NAME "
     "FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'mimir' ORDER BY s DESC LIMIT 2",
     lambda rows: rows == [(n,) for n in sorted(["information_schema", "mimir"]
                                                 + list(LAYER.tables()), reverse=True)[:2]]),
    # JDBC drivers' catalogs query, and mariadb-dump's tablespaces (subqueries)
    ("jdbc_catalogs", "SELECT SCHEMA_NAME TABLE_CAT FROM INFORMATION_SCHEMA.SCHEMATA ORDER BY 1",
     lambda rows: rows == [("information_schema",), ("mimir",)]),
    ("dump_tablespaces",
     "SELECT LOGFILE_GROUP_NAME, FILE_NAME, TOTAL_EXTENTS, INITIAL_SIZE, ENGINE, EXTRA FROM "
     "INFORMATION_SCHEMA.FILES WHERE FILE_TYPE = 'UNDO LOG' AND FILE_NAME IS NOT NULL AND "
     "LOGFILE_GROUP_NAME IS NOT NULL AND LOGFILE_GROUP_NAME IN (SELECT DISTINCT "
     "LOGFILE_GROUP_NAME FROM INFORMATION_SCHEMA.FILES WHERE FILE_TYPE = 'DATAFILE' AND "
     "TABLESPACE_NAME IN (SELECT DISTINCT TABLESPACE_NAME FROM INFORMATION_SCHEMA.PARTITIONS "
     "WHERE TABLE_SCHEMA IN ('mimir'))) GROUP BY LOGFILE_GROUP_NAME, FILE_NAME, ENGINE, "
     "TOTAL_EXTENTS, INITIAL_SIZE ORDER BY LOGFILE_GROUP_NAME",
     lambda rows: rows == []),
    ("metrics_with_descriptions",
     "SELECT COLUMN_NAME, COLUMN_COMMENT FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
     "'mimir' AND TABLE_NAME = 'metrics' AND DATA_TYPE IN ('bigint', 'decimal', 'double') "
     "ORDER BY ORDINAL_POSITION LIMIT 100 OFFSET 0",
     # The metrics, and the dimensions PostgreSQL types as numbers (amount, ...).
     lambda rows: [r[0] for r in rows] == [
         n for n, t, _ in LAYER.columns("metrics") if t.split("(")[0] in ("bigint", "decimal",
                                                                           "double")]
     and rows[-len(LAYER.metrics):] == [(m["name"], m.get("description", ""))
                                         for m in LAYER.metrics]),
]


@pytest.mark.parametrize("sql, check", [q[1:] for q in TOOL_QUERIES],
                         ids=[q[0] for q in TOOL_QUERIES])
def test_information_schema_queries_of_tools(conn, mimir, sql, check):
    _, rows, _ = fetch(conn, sql)
    assert check(rows), rows
    cli = mimir.mariadb_cli(sql, "--database=mimir")
    assert len(cli) == len(rows)


def test_information_schema_result_metadata(conn):
    _, _, desc = fetch(conn, "SELECT TABLE_NAME, ORDINAL_POSITION, NUMERIC_PRECISION, "
                             "COLUMN_COMMENT, COUNT(*) FROM information_schema.COLUMNS "
                             "GROUP BY 1, 2, 3, 4 LIMIT 1")
    types = [d[1] for d in desc]
    assert types == [FIELD_TYPE.VAR_STRING, FIELD_TYPE.LONGLONG, FIELD_TYPE.LONGLONG,
                     FIELD_TYPE.VAR_STRING, FIELD_TYPE.LONGLONG]


# --------------------------------------------------------------------------
# user variables, BINARY and CHAR() in information_schema SELECTs
# --------------------------------------------------------------------------


def test_user_variables_read_later_in_the_same_row(conn, mimir):
    """@pos := ... in one select item and @pos in the next ones, for every row,
    through PyMySQL and the mariadb CLI."""
    sql = ("SELECT COLUMN_NAME, @pos := ORDINAL_POSITION AS pos, @pos * 10 AS tens, "
           "CONCAT(@pos, ':', COLUMN_NAME) AS label FROM information_schema.COLUMNS "
           "WHERE TABLE_SCHEMA = 'mimir' AND TABLE_NAME = 'rentals' ORDER BY ORDINAL_POSITION")
    names, rows, _ = fetch(conn, sql)
    assert names == ["COLUMN_NAME", "pos", "tens", "label"]
    want = [(c[0], i, i * 10, f"{i}:{c[0]}") for i, c in enumerate(LAYER.columns("rentals"), 1)]
    assert rows == want
    cli = mimir.mariadb_cli(sql)
    assert [tuple(r) for r in cli] == [tuple(str(v) for v in r) for r in want]


def test_user_variables_decide_later_items(conn):
    """The pattern of Connector/ODBC's SQLColumns: a CASE assigns a code and a
    size, later items branch on them. Compared with the plain columns read in
    a separate query."""
    _, plain, _ = fetch(conn, "SELECT COLUMN_NAME, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH, "
                              "NUMERIC_PRECISION FROM information_schema.COLUMNS WHERE "
                              "TABLE_SCHEMA = 'mimir' AND TABLE_NAME = 'metrics' "
                              "ORDER BY ORDINAL_POSITION")
    _, rows, _ = fetch(
        conn,
        "SELECT COLUMN_NAME, CASE DATA_TYPE WHEN 'varchar' THEN @kind := 'text' "
        "WHEN 'date' THEN @kind := 'time' WHEN 'datetime' THEN @kind := 'time' "
        "ELSE @kind := 'number' END AS kind, CAST(CASE WHEN @kind = 'text' "
        "THEN @size := CHARACTER_MAXIMUM_LENGTH ELSE @size := NUMERIC_PRECISION END "
        "AS UNSIGNED) AS size, @octets := CASE @kind WHEN 'text' THEN @size * 4 "
        "WHEN 'time' THEN 16 ELSE @size + 2 END AS octets, "
        "IF(@kind = 'text', @octets, NULL) AS char_octets "
        "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = BINARY 'mimir' "
        "AND TABLE_NAME LIKE 'metrics' ORDER BY ORDINAL_POSITION")
    want = []
    for name, data_type, chars, digits in plain:
        kind = ("text" if data_type == "varchar" else
                "time" if data_type in ("date", "datetime") else "number")
        size = chars if kind == "text" else digits
        octets = (size * 4 if kind == "text" else 16 if kind == "time" else
                  None if size is None else size + 2)
        want.append((name, kind, size, octets, octets if kind == "text" else None))
    assert rows == want
    assert [r[0] for r in rows] == [c[0] for c in LAYER.columns("metrics")]


def test_user_variables_live_for_one_statement(conn):
    """Assigned in one statement, NULL in the next; SET @x is accepted, not kept."""
    assert fetch(conn, "SELECT @once := 'set' FROM information_schema.ENGINES")[1] == [("set",)]
    assert fetch(conn, "SELECT @once FROM information_schema.ENGINES")[1] == [(None,)]
    fetch(conn, "SET @kept = 5")
    assert fetch(conn, "SELECT @kept, @kept := 6, @kept FROM information_schema.ENGINES")[1] == [
        (None, 6, 6)]


def test_binary_compares_case_sensitively(conn):
    tables = [(t,) for t in LAYER.tables()]
    query = ("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA {} "
             "ORDER BY TABLE_NAME")
    assert fetch(conn, query.format("= BINARY 'mimir'"))[1] == tables
    assert fetch(conn, query.format("= 'MIMIR'"))[1] == tables
    assert fetch(conn, query.format("= BINARY 'MIMIR'"))[1] == []
    assert fetch(conn, query.format("IN ('x', CAST('Mimir' AS BINARY))"))[1] == []
    assert fetch(conn, query.format("LIKE BINARY 'mim%'"))[1] == tables
    assert fetch(conn, query.format("LIKE BINARY 'MIM%'"))[1] == []
    assert fetch(conn, query.format("LIKE 'MIM%'"))[1] == tables


def test_char_function(conn):
    _, rows, _ = fetch(conn, "SELECT CONCAT(CHAR(39), TABLE_NAME, CHAR(39)), CHAR(77, 105, NULL, "
                             "109, 105, 114), CHAR(50089 USING utf8mb4) FROM "
                             "information_schema.TABLES WHERE TABLE_SCHEMA = 'mimir' "
                             "ORDER BY TABLE_NAME LIMIT 1")
    assert rows == [(f"'{LAYER.tables()[0]}'", "Mimir", "é")]


# --------------------------------------------------------------------------
# errors, each followed by SELECT 1 on the same connection
# --------------------------------------------------------------------------

CATALOG_ERRORS = [
    ("mysql_schema", "SELECT * FROM mysql.user", 1049, "42000", "Unknown database 'mysql'"),
    ("performance_schema", "SELECT * FROM performance_schema.session_variables", 1049, "42000",
     "Unknown database 'performance_schema'"),
    ("sys_schema", "SELECT * FROM sys.version", 1049, "42000", "Unknown database 'sys'"),
    ("use_mysql", "USE mysql", 1049, "42000", "Unknown database 'mysql'"),
    ("show_tables_mysql", "SHOW TABLES FROM mysql", 1049, "42000", "Unknown database 'mysql'"),
    ("unknown_info_table", "SELECT * FROM information_schema.INNODB_TRX", 1109, "42S02",
     "Unknown table 'INNODB_TRX' in information_schema"),
    ("unknown_table", "DESCRIBE nope", 1146, "42S02", "Table 'mimir.nope' doesn't exist"),
    ("show_create_unknown", "SHOW CREATE TABLE mimir.nope", 1146, "42S02", "mimir.nope"),
    ("unknown_info_column", "SELECT NOPE FROM information_schema.TABLES", 1054, "42S22",
     "Unknown column 'NOPE' in 'field list'"),
    ("union_column_count", "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA UNION ALL "
     "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES", 1222, "21000",
     "The used SELECT statements have a different number of columns"),
    ("union_order_unknown", "SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA UNION "
     "SELECT TABLE_NAME FROM information_schema.TABLES ORDER BY nope", 1054, "42S22",
     "Unknown column 'nope' in 'order clause'"),
    ("union_of_metrics", "SELECT dim_store_id FROM mimir.metrics GROUP BY 1 UNION ALL "
     "SELECT TABLE_NAME FROM information_schema.TABLES", 1235, "42000",
     "UNION of information_schema queries with other queries"),
    ("union_in_subquery", "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_NAME IN "
     "(SELECT 'metrics' FROM information_schema.SCHEMATA UNION SELECT 'x' "
     "FROM information_schema.SCHEMATA)", 1235, "42000", "UNION in a subquery"),
    ("ambiguous_column",
     "SELECT TABLE_NAME FROM information_schema.TABLES t JOIN information_schema.COLUMNS c "
     "ON c.TABLE_NAME = t.TABLE_NAME", 1052, "23000", "ambiguous"),
    ("show_unsupported", "SHOW MASTER STATUS", 1235, "42000", "SHOW MASTER"),
    ("insert", "INSERT INTO metrics VALUES (1)", 1290, "HY000", "--read-only option"),
    ("update", "UPDATE metrics SET ds = NULL", 1290, "HY000", "--read-only option"),
    ("delete", "DELETE FROM metrics", 1290, "HY000", "--read-only option"),
    ("replace", "REPLACE INTO metrics VALUES (1)", 1290, "HY000", "--read-only option"),
    ("create", "CREATE TABLE t (a INT)", 1290, "HY000", "--read-only option"),
    ("drop", "DROP TABLE metrics", 1290, "HY000", "--read-only option"),
    ("alter", "ALTER TABLE metrics ADD COLUMN c INT", 1290, "HY000", "--read-only option"),
    ("truncate", "TRUNCATE TABLE metrics", 1290, "HY000", "--read-only option"),
    ("rename", "RENAME TABLE metrics TO m", 1290, "HY000", "--read-only option"),
    ("grant", "GRANT SELECT ON *.* TO someone", 1290, "HY000", "--read-only option"),
    ("revoke", "REVOKE SELECT ON *.* FROM someone", 1290, "HY000", "--read-only option"),
    ("load", "LOAD DATA INFILE '/etc/passwd' INTO TABLE metrics", 1290, "HY000",
     "--read-only option"),
    ("assign_without_from", "SELECT @a := 1", 1235, "42000",
     "assignments to user variables (@name := ...) outside information_schema queries"),
    ("assign_in_metrics_query", "SELECT @a := AGG(movies_rented) FROM metrics", 1235, "42000",
     "assignments to user variables (@name := ...) outside information_schema queries"),
    ("binary_on_postgresql",
     "SELECT AGG(movies_rented) FROM metrics WHERE dim_rental_category = BINARY 'Action'", 1235,
     "42000", "CAST to 'BINARY' (BINARY x) on PostgreSQL sources"),
    ("char_on_postgresql",
     "SELECT AGG(movies_rented) FROM metrics WHERE dim_rental_category = CHAR(65)", 1235,
     "42000", "CHAR()"),
    ("char_using_latin1", "SELECT CHAR(65 USING latin1) FROM information_schema.ENGINES", 1235,
     "42000", "USING a character set other than utf8mb4 or binary"),
    ("like_binary_escape",
     "SELECT 'a' LIKE BINARY 'a' ESCAPE 'xy' FROM information_schema.ENGINES", 1210, "HY000",
     "Incorrect arguments to ESCAPE"),
    ("assign_unknown_column", "SELECT @a := nope FROM information_schema.ENGINES", 1054,
     "42S22", "Unknown column 'nope' in 'field list'"),
]


@pytest.mark.parametrize("sql, code, sqlstate, text", [e[1:] for e in CATALOG_ERRORS],
                         ids=[e[0] for e in CATALOG_ERRORS])
def test_catalog_error_through_pymysql(conn, sql, code, sqlstate, text):
    with pytest.raises(pymysql.err.MySQLError) as excinfo:
        fetch(conn, sql)
    errno, message = mysql_error(excinfo)
    assert errno == code, message
    assert text in message
    assert_answers_select_1(conn)


@pytest.mark.parametrize("sql, code, sqlstate, text", [e[1:] for e in CATALOG_ERRORS],
                         ids=[e[0] for e in CATALOG_ERRORS])
def test_catalog_error_through_mariadb_cli(mimir, sql, code, sqlstate, text):
    proc = mimir.mariadb_cli_run(f"{sql};\nSELECT 1;\n", "--force", "--database=mimir",
                                 script=True)
    match = re.search(r"ERROR (\d+) \(([0-9A-Z]{5})\)(?: at line \d+)?: (.*)", proc.stderr)
    assert match, proc.stderr
    assert (int(match.group(1)), match.group(2)) == (code, sqlstate), proc.stderr
    assert text in match.group(3)
    assert proc.stdout == "1\n1\n", proc.stdout


def test_read_only_errors_then_real_query(conn, pg):
    """After every kind of write and an unknown schema, the same connection
    still answers the README query with PostgreSQL's numbers."""
    for _, sql, code, _, _ in CATALOG_ERRORS:
        with pytest.raises(pymysql.err.MySQLError) as excinfo:
            fetch(conn, sql)
        assert mysql_error(excinfo)[0] == code
    want = [tuple(r) for r in pg.query(README_EXPECTED_SQL)]
    assert_same_values(fetch(conn, README_QUERY)[1], want)


def test_lock_tables_for_dump_tools(conn):
    for sql in ("LOCK TABLES `metrics` READ /*!32311 LOCAL */, `rentals` READ",
                "UNLOCK TABLES"):
        with conn.cursor() as cur:
            cur.execute(sql)
    assert_answers_select_1(conn)


# --------------------------------------------------------------------------
# COM_FIELD_LIST
# --------------------------------------------------------------------------


def field_list(conn, table, wildcard=b""):
    """Sends COM_FIELD_LIST through PyMySQL's own packet layer; the column
    definitions until EOF, or the error PyMySQL raises."""
    conn._execute_command(COMMAND.COM_FIELD_LIST, table.encode() + b"\0" + wildcard)
    fields = []
    while True:
        packet = conn._read_packet()
        if packet.is_eof_packet():
            return fields
        fields.append(FieldDescriptorPacket(packet.get_all_data(), "utf8"))


def test_com_field_list(conn, pg):
    fields = field_list(conn, "rentals")
    want = LAYER.columns("rentals")
    assert [f.name for f in fields] == [c[0] for c in want]
    for f, (name, type_, _) in zip(fields, want):
        assert f.type_code == field_type(type_), name
        assert (f.db, f.table_name, f.org_table) == (b"mimir", "rentals", "rentals")
        assert f.charsetnr == (UTF8MB4_GENERAL_CI if type_.startswith("varchar") else BINARY)
        if type_.startswith("decimal"):
            assert f.scale == int(type_.rstrip(")").split(",")[1]), name
    assert [f.name for f in field_list(conn, "metrics", b"dim%")] == [
        d["name"] for d in LAYER.dimensions]
    with pytest.raises(pymysql.err.MySQLError) as excinfo:
        field_list(conn, "nope")
    assert mysql_error(excinfo)[0] == 1146
    assert_same_values(fetch(conn, README_QUERY)[1],
                       [tuple(r) for r in pg.query(README_EXPECTED_SQL)])


def test_com_field_list_without_database(mimir):
    conn = mimir.connect()
    try:
        with pytest.raises(pymysql.err.MySQLError) as excinfo:
            field_list(conn, "metrics")
        assert mysql_error(excinfo)[0] == 1046
        assert_answers_select_1(conn)
    finally:
        conn.close()


def _interactive(mimir, keys, timeout=20):
    """Types keys into an interactive mariadb CLI on a pseudo-terminal; the screen."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the CLI, with completion (the default)
        os.execvp("mariadb", ["mariadb", "--no-defaults", "-h", "127.0.0.1", "-P",
                              str(mimir.port), "-u", "anyone"])
    out = b""

    def read_until(marker):
        nonlocal out
        deadline = time.monotonic() + timeout
        while marker not in out and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    out += os.read(fd, 65536)
                except OSError:
                    return
    try:
        for key, marker in keys:
            os.write(fd, key)
            read_until(marker)
        os.write(fd, b"quit\n")
        read_until(b"Bye")
    finally:
        deadline = time.monotonic() + 5
        while os.waitpid(pid, os.WNOHANG) == (0, 0):
            if time.monotonic() > deadline:
                os.kill(pid, 9)  # our own child, stuck
                os.waitpid(pid, 0)
                break
            time.sleep(0.05)
        os.close(fd)
    return out.decode(errors="replace")


def test_interactive_use_reads_the_catalog(mimir, pg):
    """On `USE mimir` the CLI reads SHOW DATABASES, SHOW TABLES and
    COM_FIELD_LIST of every table; completion then knows a column of a source
    table, and the completed query answers PostgreSQL's number."""
    (paying,), = expected(pg, [], ["paying_customers"])
    screen = _interactive(mimir, [
        (b"use mimir\n", b"Database changed"),
        (b"SELECT AGG(paying_cust\t", b"omers"),  # the CLI redraws: only the tail is echoed
        (b") AS n FROM payments;\n", b"row in set"),
    ])
    assert "Reading table information for completion" in screen, screen
    assert "ERROR" not in screen, screen
    assert re.search(rf"\|\s+{paying}\s+\|", screen), screen


def test_sql_select_limit_limits_a_union_as_a_whole(mimir):
    conn = mimir.connect(database="mimir")
    sql = ("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA UNION ALL "
           "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA")
    with conn.cursor() as cur:
        cur.execute("SET sql_select_limit = 3")
        cur.execute(sql)
        assert len(cur.fetchall()) == 3
        cur.execute(sql + " ORDER BY 1 LIMIT 1")  # the statement's own LIMIT wins
        assert cur.fetchall() == (("information_schema",),)
    conn.close()
