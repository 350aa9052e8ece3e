"""The Arrow IPC stream encoder (proxy/http/arrow_stream.c), read back by a
real Arrow reader: tests/clients/arrow_encode turns a table description into
a stream, and tests/clients/node/read_arrow.mjs decodes it with the npm
package apache-arrow (pinned in tests/clients/node/package.json) into
canonical JSON.

Every expected type and value is computed here from the same inputs with
Python's own decimal and datetime modules and the type rules of the issue
(docs/http.md, "Arrow"), never copied from the encoder's output.
"""

import datetime
import decimal
import json
import os
import random
import struct
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from client_support import clients_build, node_dir_with  # noqa: F401 (a fixture)
from conftest import CLIENT_TIMEOUT, REPO, SANITIZER_MARKERS


# MySQL column types (enum_field_types) and flags.
DECIMAL, TINY, SHORT, LONG, FLOAT, DOUBLE, NULL, TIMESTAMP = 0, 1, 2, 3, 4, 5, 6, 7
LONGLONG, INT24, DATE, TIME, DATETIME, YEAR, VARCHAR, BIT = 8, 9, 10, 11, 12, 13, 15, 16
JSON, NEWDECIMAL, BLOB, VAR_STRING, STRING = 245, 246, 252, 253, 254
UNSIGNED = 0x20
BINARY_CHARSET, UTF8MB4 = 63, 45

EPOCH_DATE = datetime.date(1970, 1, 1)
EPOCH = datetime.datetime(1970, 1, 1)


# --------------------------------------------------------------------------
# the tools
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def arrow_tools(clients_build):  # noqa: F811
    """(arrow_encode, node directory holding apache-arrow and read_arrow.mjs),
    built the way the Makefile builds them when make test-clients did not."""
    encoder = clients_build / "c" / "arrow_encode"
    if not encoder.is_file():
        encoder.parent.mkdir(parents=True, exist_ok=True)
        srcs = ["tests/clients/arrow_encode.c", "proxy/http/arrow_stream.c",
                "proxy/http/arrow_values.c", "proxy/http/flatbuf.c", "planner/civil_date.c",
                "wire/buf.c", "wire/xalloc.c", "wire/mimir_assert.c"]
        subprocess.run(["cc", "-O1", "-g", "-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra",
                        "-Werror", "-I.", "-o", str(encoder), *srcs, "-lm"],
                       cwd=REPO, check=True, timeout=120)
    return encoder, node_dir_with(clients_build, "apache-arrow", "read_arrow.mjs")


def col(name, mysql_type, flags=0, length=0, decimals=0, charset=BINARY_CHARSET):
    return {"name": name, "type": mysql_type, "flags": flags, "length": length,
            "decimals": decimals, "charset": charset}


def _hex(v):
    if v is None:
        return "N"
    return (v if isinstance(v, bytes) else v.encode()).hex()


def description(cols, batches, tz=None):
    """arrow_encode's input: cols, then each batch's rows and a batch line."""
    lines = [] if tz is None else [f"tz\t{_hex(tz)}"]
    for c in cols:
        lines.append("\t".join(["col", _hex(c["name"]), str(c["type"]), str(c["flags"]),
                                str(c["length"]), str(c["decimals"]), str(c["charset"])]))
    for rows in batches:
        for row in rows:
            lines.append("\t".join(["row"] + [_hex(v) for v in row]))
        lines.append("batch")
    return "\n".join(lines) + "\n"


def encode(arrow_tools, cols, batches, tz=None):
    """(returncode, Arrow stream bytes, stderr) of arrow_encode."""
    encoder, _ = arrow_tools
    proc = subprocess.run([str(encoder)], input=description(cols, batches, tz).encode(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=CLIENT_TIMEOUT)
    stderr = proc.stderr.decode(errors="replace")
    assert not any(m in stderr for m in SANITIZER_MARKERS), stderr
    return proc.returncode, proc.stdout, stderr


def read(arrow_tools, stream):
    _, node_dir = arrow_tools
    proc = subprocess.run(["node", "read_arrow.mjs"], cwd=node_dir, input=stream,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=CLIENT_TIMEOUT)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return json.loads(proc.stdout)


def round_trip(arrow_tools, cols, batches, tz=None):
    rc, stream, stderr = encode(arrow_tools, cols, batches, tz)
    assert rc == 0, stderr
    assert len(stream) % 8 == 0
    return read(arrow_tools, stream)


# --------------------------------------------------------------------------
# what a reader must see, computed from the inputs
# --------------------------------------------------------------------------

INT_BITS = {TINY: 8, SHORT: 16, INT24: 32, LONG: 32, LONGLONG: 64}


def decimal_precision(c):
    p = c["length"] - (1 if c["decimals"] > 0 else 0) - (0 if c["flags"] & UNSIGNED else 1)
    return max(p, 1, c["decimals"])


def expected_type(c, tz):
    t = c["type"]
    if t in INT_BITS:
        return ("uint" if c["flags"] & UNSIGNED else "int") + str(INT_BITS[t])
    if t == YEAR:
        return "int16"
    if t in (DECIMAL, NEWDECIMAL) and c["decimals"] > 76:
        return "utf8"  # no Arrow decimal has such a scale: the exact text
    if t in (DECIMAL, NEWDECIMAL):
        p = decimal_precision(c)
        return f"decimal({p},{c['decimals']},{128 if p <= 38 else 256})"
    simple = {FLOAT: "float32", DOUBLE: "float64", DATE: "date32[day]", TIME: "time64[us]",
              NULL: "null", BIT: "binary"}
    if t in simple:
        return simple[t]
    if t in (DATETIME, TIMESTAMP):
        return "timestamp[us]" if tz is None else f"timestamp[us,tz={tz}]"
    return "binary" if c["charset"] == BINARY_CHARSET else "utf8"


def _micros(delta):
    return delta // datetime.timedelta(microseconds=1)


def expected_value(c, text):
    """The canonical string read_arrow.mjs prints for text in column c."""
    if text is None:
        return None
    t = c["type"]
    if t in INT_BITS or t == YEAR:
        return str(int(text))
    if t in (DECIMAL, NEWDECIMAL) and c["decimals"] <= 76:
        with decimal.localcontext() as ctx:
            ctx.prec = 100  # the default 28 digits would round MySQL's 65
            d = Decimal(text).quantize(Decimal(1).scaleb(-c["decimals"]))
            return f"{abs(d) if d == 0 else d:f}"
    if t == FLOAT:
        return struct.pack("<f", float(text)).hex()
    if t == DOUBLE:
        return struct.pack("<d", float(text)).hex()
    if t == DATE:
        return datetime.date.fromisoformat(text).isoformat()
    if t in (DATETIME, TIMESTAMP):
        return str(_micros(datetime.datetime.fromisoformat(text) - EPOCH))
    if t == TIME:
        tod = datetime.time.fromisoformat(text)
        return str(_micros(datetime.datetime.combine(EPOCH_DATE, tod) - EPOCH))
    if expected_type(c, None) == "binary":
        return (text if isinstance(text, bytes) else text.encode()).hex()
    return text


def check(arrow_tools, cols, batches, tz=None):
    got = round_trip(arrow_tools, cols, batches, tz)
    assert got["fields"] == [{"name": c["name"], "type": expected_type(c, tz), "nullable": True}
                             for c in cols]
    nonempty = [rows for rows in batches]
    assert [b["length"] for b in got["batches"]] == [len(rows) for rows in nonempty]
    assert [b["null_counts"] for b in got["batches"]] == [
        [sum(1 for row in rows if row[i] is None) for i in range(len(cols))] for rows in nonempty]
    rows = [row for batch in batches for row in batch]
    for i, c in enumerate(cols):
        assert got["columns"][i] == [expected_value(c, row[i]) for row in rows], c["name"]
    return got


# --------------------------------------------------------------------------
# the tests
# --------------------------------------------------------------------------

# Every mapping of the issue, with the values MySQL's text protocol sends.
ALL_TYPES = [
    (col("i8", TINY, length=4), ["-128", "127", "0", None]),
    (col("u8", TINY, UNSIGNED, 3), ["255", "0", "7", None]),
    (col("i16", SHORT, length=6), ["-32768", "32767", "-1", None]),
    (col("u16", SHORT, UNSIGNED, 5), ["65535", "0", "1", None]),
    (col("i24", INT24, length=9), ["-8388608", "8388607", "5", None]),
    (col("i32", LONG, length=11), ["-2147483648", "2147483647", "42", None]),
    (col("u32", LONG, UNSIGNED, 10), ["4294967295", "0", "3", None]),
    (col("i64", LONGLONG, length=20), ["-9223372036854775808", "9223372036854775807", "9", None]),
    (col("u64", LONGLONG, UNSIGNED, 20), ["18446744073709551615", "0", "10", None]),
    (col("yr", YEAR, UNSIGNED, 4), ["2024", "1901", "2155", None]),
    (col("dec", NEWDECIMAL, length=11, decimals=4), ["-123.4500", "0.0001", "99999.9999", None]),
    (col("dec0", NEWDECIMAL, length=5), ["-9999", "0", "1234", None]),
    (col("udec", NEWDECIMAL, UNSIGNED, 7, 2), ["9999.99", "0.00", "0.01", None]),
    (col("olddec", DECIMAL, length=6, decimals=1), ["-999.9", "-0.5", "12.3", None]),
    (col("f", FLOAT, length=12, decimals=31), ["1.5", "-3.40282e38", "0.1", None]),
    (col("d", DOUBLE, length=22, decimals=31),
     ["1e+20", "-2.2250738585072014e-308", "0.30000000000000004", None]),
    (col("dt", DATE, length=10), ["2024-02-29", "1969-12-31", "1970-01-01", None]),
    (col("ts", DATETIME, length=26, decimals=6),
     ["2024-01-31 10:00:00", "1969-12-31 23:59:59.999999", "1900-03-01 00:00:00.5", None]),
    (col("tstamp", TIMESTAMP, length=19), ["2038-01-19 03:14:07", "1970-01-01 00:00:00",
                                           "2024-02-29 12:00:00", None]),
    (col("tm", TIME, length=10), ["12:34:56", "00:00:00", "23:59:59.999999", None]),
    (col("nul", NULL), [None, None, None, None]),
    (col("bits", BIT, UNSIGNED, 8), [b"\x05", b"\x00", b"\xff", None]),
    (col("s_größe_✓", VAR_STRING, length=80, charset=UTF8MB4), ["héllo wörld ✓ 😀", "", "plain", None]),
    (col("vc", VARCHAR, length=80, charset=UTF8MB4), ["日本語", "a\tb\nc", "", None]),
    (col("fixed", STRING, length=4, charset=UTF8MB4), ["abcd", "", "x", None]),
    (col("txt", BLOB, length=65535, charset=UTF8MB4), ["long text " * 20, "", "t", None]),
    (col("blob", BLOB, length=65535), [bytes(range(256)), b"", b"\x00\x01", None]),
    (col("varbin", VAR_STRING, length=16), [b"\xde\xad\xbe\xef", b"", b"\x00", None]),
    (col("js", JSON, length=4294967295, charset=UTF8MB4), ['{"a": [1, 2]}', "[]", "null", None]),
]


def _table(spec, order):
    cols = [c for c, _ in spec]
    return cols, [[values[k] for _, values in spec] for k in order]


@pytest.mark.parametrize("tz", [None, "UTC"])
def test_every_type_is_read_back_exactly(arrow_tools, tz):
    cols, rows = _table(ALL_TYPES, [0, 1, 2, 3])
    check(arrow_tools, cols, [rows[:2], rows[2:]], tz)


def test_a_column_without_nulls_and_one_row_per_batch(arrow_tools):
    cols, rows = _table(ALL_TYPES, [2, 0, 1])
    got = check(arrow_tools, cols, [[r] for r in rows], "UTC")
    assert len(got["batches"]) == 3


def test_zero_rows_is_a_schema_and_the_end(arrow_tools):
    cols = [c for c, _ in ALL_TYPES]
    got = check(arrow_tools, cols, [], "UTC")
    assert got["batches"] == [] and got["columns"] == [[] for _ in cols]


def test_empty_batches_between_full_ones(arrow_tools):
    cols, rows = _table(ALL_TYPES, [0, 3, 1, 2])
    check(arrow_tools, cols, [[], rows[:1], [], [], rows[1:], []])


def _random_decimal(rng, precision, scale):
    """A value of DECIMAL(precision, scale) as MySQL prints it: no leading
    zeros, exactly scale fraction digits; often the largest magnitude."""
    n = precision if rng.random() < 0.2 else rng.randint(1, precision)
    digits = "".join(rng.choice("0123456789") for _ in range(n))
    if rng.random() < 0.2:
        digits = "9" * n
    digits = digits.rjust(precision, "0")
    whole, frac = digits[:precision - scale], digits[precision - scale:]
    text = (whole.lstrip("0") or "0") + ("." + frac if scale else "")
    return ("-" if rng.random() < 0.5 else "") + text


@pytest.mark.parametrize("precision,scale", [(38, 0), (38, 10), (38, 38), (39, 2), (65, 0),
                                             (65, 30), (65, 15), (1, 0), (18, 4), (19, 0)])
def test_decimals_at_every_width(arrow_tools, precision, scale):
    rng = random.Random(precision * 100 + scale)
    c = col("d", NEWDECIMAL, length=precision + (1 if scale else 0) + 1, decimals=scale)
    edge = ["9" * (precision - scale) + ("." + "9" * scale if scale else ""),
            "-" + "9" * (precision - scale) + ("." + "9" * scale if scale else ""),
            "0", "-0", None]
    values = edge + [_random_decimal(rng, precision, scale) for _ in range(200)]
    # MySQL pads to the scale; fewer fraction digits and trailing zeros are read exactly too.
    if scale and precision > scale:
        values += ["1", "-1." + "0" * (scale + 3)]
    if scale:
        values += ["-." + "5".ljust(scale, "0"), "0." + "0" * (scale + 2)]
    got = check(arrow_tools, [c], [[[v] for v in values[:100]], [[v] for v in values[100:]]])
    assert got["fields"][0]["type"].endswith(",256)" if precision > 38 else ",128)")


def test_a_decimal_scale_beyond_arrow_is_its_exact_text(arrow_tools):
    c = col("odd", NEWDECIMAL, length=90, decimals=80)
    check(arrow_tools, [c], [[["0." + "1" * 80], ["-1.5"], [None]]])


def test_many_rows_with_scattered_nulls_across_batches(arrow_tools):
    rng = random.Random(20261207)
    cols = [col("n", LONGLONG, length=20), col("s", VAR_STRING, length=40, charset=UTF8MB4),
            col("a", NEWDECIMAL, length=13, decimals=2), col("t", DATETIME, length=26, decimals=6),
            col("b", BLOB, length=255)]
    batches, day = [], datetime.datetime(1965, 1, 1)
    for size in (1000, 7, 0, 2500, 9):
        rows = []
        for _ in range(size):
            ts = day + datetime.timedelta(seconds=rng.randint(0, 80 * 365 * 86400),
                                          microseconds=rng.randint(0, 999999))
            row = [str(rng.randint(-2**63, 2**63 - 1)),
                   "".join(rng.choice("aé✓😀 ") for _ in range(rng.randint(0, 12))),
                   f"{Decimal(rng.randint(-10**11 + 1, 10**11 - 1)).scaleb(-2):f}",
                   ts.isoformat(sep=" ", timespec="microseconds"),
                   bytes(rng.randrange(256) for _ in range(rng.randint(0, 9)))]
            rows.append([None if rng.random() < 0.1 else v for v in row])
        batches.append(rows)
    check(arrow_tools, cols, batches, "UTC")


def test_every_message_is_8_byte_aligned_and_the_stream_ends_with_the_marker(arrow_tools):
    cols, rows = _table(ALL_TYPES, [0, 1, 2, 3])
    rc, stream, stderr = encode(arrow_tools, cols, [rows[:3], [], rows[3:]])
    assert rc == 0, stderr
    pos, bodies = 0, 0
    while True:
        marker, meta_len = struct.unpack_from("<Ii", stream, pos)
        assert marker == 0xFFFFFFFF
        if meta_len == 0:
            break
        assert (8 + meta_len) % 8 == 0
        # Message.bodyLength: the root table's field 3 (a long).
        fb = stream[pos + 8:pos + 8 + meta_len]
        table = struct.unpack_from("<I", fb, 0)[0]
        vtable = table - struct.unpack_from("<i", fb, table)[0]
        field3 = struct.unpack_from("<H", fb, vtable + 4 + 2 * 3)[0]
        body = struct.unpack_from("<q", fb, table + field3)[0] if field3 else 0
        assert body % 8 == 0
        pos += 8 + meta_len + body
        bodies += 1
    assert pos + 8 == len(stream) and bodies == 4  # schema and three batches


# Values with no exact value of their column's Arrow type: refused, named.
REFUSED = [
    (col("c", TINY, length=4), "128", "out of range"),
    (col("c", TINY, length=4), "-129", "out of range"),
    (col("c", TINY, UNSIGNED, 3), "256", "out of range"),
    (col("c", TINY, UNSIGNED, 3), "-1", "out of range"),
    (col("c", SHORT, length=6), "32768", "out of range"),
    (col("c", LONG, length=11), "2147483648", "out of range"),
    (col("c", LONG, UNSIGNED, 10), "4294967296", "out of range"),
    (col("c", LONGLONG, length=20), "9223372036854775808", "out of range"),
    (col("c", LONGLONG, UNSIGNED, 20), "18446744073709551616", "out of range"),
    (col("c", LONG, length=11), "1.5", "not an integer"),
    (col("c", NEWDECIMAL, length=6, decimals=2), "1000.00", "integer digits"),
    (col("c", NEWDECIMAL, length=6, decimals=2), "1.234", "fraction digits"),
    (col("c", NEWDECIMAL, length=67, decimals=30), "1" + "0" * 35, "integer digits"),
    (col("c", NEWDECIMAL, length=40), "1e5", "not a decimal"),
    (col("c", FLOAT, length=12), "1e39", "out of range for float32"),
    (col("c", DOUBLE, length=22), "1e309", "out of range for float64"),
    (col("c", DOUBLE, length=22), "nan", "not a floating-point number"),
    (col("c", DATE, length=10), "0000-00-00", "not a calendar date"),
    (col("c", DATE, length=10), "2023-02-29", "not a calendar date"),
    (col("c", DATETIME, length=19), "2024-01-31 24:00:00", "not a datetime"),
    (col("c", TIME, length=10), "-01:00:00", "one day"),
    (col("c", TIME, length=10), "838:59:59", "one day"),
    (col("c", VAR_STRING, length=10, charset=UTF8MB4), b"\xff\xfe", "not valid UTF-8"),
    (col("c", NULL), "x", "not NULL"),
]


@pytest.mark.parametrize("column,value,reason", REFUSED,
                         ids=[f"{c['type']}-{v!r}" for c, v, _ in REFUSED])
def test_a_value_without_an_exact_arrow_value_is_refused(arrow_tools, column, value, reason):
    ok = col("ok", LONG, length=11)
    rc, _, stderr = encode(arrow_tools, [ok, column], [[["1", None]], [["2", value]]])
    assert rc == 2
    shown = value if isinstance(value, str) else value.decode(errors="replace")
    assert stderr.startswith(f"column 'c': value '{shown}"), stderr
    assert reason in stderr


def test_a_refused_row_leaves_the_batch_as_it_was(arrow_tools):
    """The tool stops at the refusal; what was written before it reads back."""
    cols = [col("a", LONG, length=11), col("b", TINY, length=4)]
    rc, stream, stderr = encode(arrow_tools, cols, [[["1", "2"]], [["3", "300"]]])
    assert rc == 2 and "column 'b': value '300' is out of range" in stderr
    got = read(arrow_tools, stream + struct.pack("<Ii", 0xFFFFFFFF, 0))
    assert got["columns"] == [["1"], ["2"]]
