"""The MySQL column types Mimir reports for what a PostgreSQL backend returns
(docs/configuration.md, "Column types"), computed in the same run from
PostgreSQL's own description of the same SQL: format_type() of a temporary
view over it. Used by the catalog and type discovery tests."""

import re

from pymysql.constants import FIELD_TYPE

from support import DERIVED_METRICS, METRICS, SOURCES, TIME_ALIASES, TIME_METRICS

GRAINS = {"ds": "date", "year_month": "date", "year": "int", "ts_second": "datetime",
          "ts_minute": "datetime", "ts_hour": "datetime", "week": "date", "quarter": "date"}

_view_seq = [0]


def pg_types(cluster, sql):
    """{column: format_type(...)} of the result of `sql`, as PostgreSQL types it."""
    _view_seq[0] += 1
    view = f"mimir_types_{_view_seq[0]}"
    cluster.query(f"CREATE TEMP VIEW {view} AS {sql}")
    try:
        rows = cluster.query("SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                             "WHERE attrelid = %s::regclass AND attnum > 0 ORDER BY attnum",
                             (view,))
    finally:
        cluster.query(f"DROP VIEW {view}")
    return dict(rows)


def mysql_type(pg_type, scale=None):
    """The MySQL COLUMN_TYPE Mimir reports for a PostgreSQL type (docs/configuration.md)."""
    m = re.fullmatch(r"numeric\((\d+),(\d+)\)", pg_type)
    if m:
        p, s = int(m[1]), int(m[2])
        return f"decimal({max(min(p, 65), min(s, 30))},{min(s, 30)})"
    if pg_type == "numeric":
        return f"decimal(65,{2 if scale is None else scale})"
    m = re.fullmatch(r"(?:character varying|character)\((\d+)\)", pg_type)
    if m:
        return f"varchar({m[1]})" if int(m[1]) <= 65535 else "longtext"
    m = re.fullmatch(r"(timestamp|time)(?:\((\d)\))? with(?:out)? time zone", pg_type)
    if m:
        if m[1] == "timestamp":  # without a precision it holds microseconds
            return "datetime" if m[2] == "0" else f"datetime({m[2] or 6})"
        return f"time({m[2]})" if m[2] and m[2] != "0" else "time"
    return {"smallint": "smallint", "integer": "int", "bigint": "bigint",
            "boolean": "tinyint(1)", "real": "float", "double precision": "double",
            "text": "varchar(255)", "character varying": "varchar(255)", "date": "date",
            "bytea": "blob"}[pg_type]


def aggregated_scale(expr, columns):
    """The scale SUM/MIN/MAX(c) keeps from a numeric(p,s) column c, else None."""
    m = re.fullmatch(r"\s*(?:SUM|MIN|MAX)\(\s*(\w+)\s*\)\s*", expr, re.I)
    if not m:
        return None
    t = re.fullmatch(r"numeric\(\d+,(\d+)\)", columns.get(m[1].lower(), ""))
    return int(t[1]) if t else None


def expected_source_types(cluster, sources=SOURCES, metrics=METRICS):
    """{source: {column: MySQL type}}: every column of each source's SQL (with
    the spliced dimensions) and each of its metrics, as PostgreSQL types them."""
    out = {}
    for name, sql in sources.items():
        columns = pg_types(cluster, f"SELECT * FROM ({sql}) AS s")
        types = {c: mysql_type(t) for c, t in columns.items()}
        if name in TIME_ALIASES:  # the ts grain is the time column, by whatever name
            types["ts"] = types[TIME_ALIASES[name]]
        mine = {m: expr for m, (src, expr) in metrics.items() if src == name}
        if mine:
            aggs = pg_types(cluster, "SELECT " + ", ".join(f"{e} AS {m}" for m, e in mine.items())
                            + f" FROM ({sql}) AS s")
            for m, t in aggs.items():
                types[m] = mysql_type(t, aggregated_scale(mine[m], columns))
        out[name] = types
    return out


def expected_table(expected, table):
    """{column: type} of a mimir table: one source's, or for `metrics` every
    source's (the Pagila sources agree wherever they share a column)."""
    if table != "metrics":
        return {**expected[table], **GRAINS}
    # Derived metrics are computed after the combine, always as DOUBLE.
    merged = {**GRAINS, **{m: "double" for m in DERIVED_METRICS}}
    for types in expected.values():
        for column, t in types.items():
            assert merged.get(column, t) == t or column in GRAINS, \
                f"sources disagree on {column}: {merged[column]} and {t}"
            merged.setdefault(column, t)
    # Offsets and cumulative metrics have their base metric's type.
    for name, (_, base) in TIME_METRICS.items():
        if base in merged:
            merged[name] = merged[base]
    return merged


def field_type(column_type):
    """The column-definition type a MySQL COLUMN_TYPE goes with."""
    base = column_type.split("(")[0]
    return {"smallint": FIELD_TYPE.SHORT, "int": FIELD_TYPE.LONG, "bigint": FIELD_TYPE.LONGLONG,
            "decimal": FIELD_TYPE.NEWDECIMAL, "varchar": FIELD_TYPE.VAR_STRING,
            "datetime": FIELD_TYPE.DATETIME, "date": FIELD_TYPE.DATE,
            "double": FIELD_TYPE.DOUBLE, "tinyint": FIELD_TYPE.TINY}[base]
