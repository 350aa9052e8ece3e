#!/usr/bin/python3
"""Seed inputs of the fuzz targets from the repository's own fixtures:

  yaml/     every project (configs/*, tests/unit/fixtures/semantic/*) in the
            three-file layout of fuzz_yaml.c, and each YAML file alone
  secrets/  every .json file under configs/ and tests/unit/fixtures/
  sql/      the SQL string literals of tests/unit/*.c and the ```sql blocks
            of docs/*.md, after fuzz_sql.c's setting byte (both catalogs)

Usage, from the repository root: seeds_from_fixtures.py OUT_DIR.
"""

import glob
import hashlib
import os
import re
import sys
import warnings

# C escapes such as \? are not Python's: decoded as they are, without a warning.
warnings.filterwarnings("ignore", category=DeprecationWarning)

MARKER = b"\n#@@\n"
SQL_START = re.compile(rb"^\s*(SELECT|SHOW|DESCRIBE|DESC|EXPLAIN|SET|USE|WITH|KILL|BEGIN|COMMIT|"
                       rb"ROLLBACK|INSERT|UPDATE|DELETE|CREATE|DROP|/\*|\()", re.I)
C_STRINGS = re.compile(rb'"((?:[^"\\\n]|\\.)*)"((?:\s*"(?:[^"\\\n]|\\.)*")*)')


def save(out, target, data):
    if not data:
        return
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def yaml_files(project, sub):
    return sorted(glob.glob(f"{project}/{sub}/**/*.y*ml", recursive=True))


def read_all(paths):
    return b"\n".join(open(p, "rb").read() for p in paths)


def yaml_seeds(out):
    projects = sorted(glob.glob("configs/*/")) + sorted(glob.glob("tests/unit/fixtures/semantic/*/"))
    for project in projects:
        parts = [read_all(yaml_files(project, sub)) for sub in ("sources", "metrics", "dimensions")]
        save(out, "yaml", MARKER.join(parts))
        for path in yaml_files(project, "*"):
            save(out, "yaml", open(path, "rb").read())


def secrets_seeds(out):
    for path in sorted(glob.glob("configs/**/*.json", recursive=True) +
                       glob.glob("tests/unit/fixtures/**/*.json", recursive=True)):
        save(out, "secrets", open(path, "rb").read())


def c_unescape(s):
    return s.decode("unicode_escape").encode("latin-1", errors="replace")


def sql_seeds(out):
    texts = []
    for path in sorted(glob.glob("tests/unit/*.c")):
        src = open(path, "rb").read()
        for m in C_STRINGS.finditer(src):
            pieces = [m.group(1)] + re.findall(rb'"((?:[^"\\\n]|\\.)*)"', m.group(2))
            try:
                text = b"".join(c_unescape(p) for p in pieces)
            except (UnicodeDecodeError, ValueError):
                continue
            if SQL_START.match(text):
                texts.append(text)
    for path in sorted(glob.glob("docs/*.md")):
        for block in re.findall(rb"```sql\n(.*?)```", open(path, "rb").read(), re.S):
            texts.append(block)
    for text in texts:
        mode = 0x08 if b";" in text.rstrip(b"; \n\t") else 0x00
        for catalog in (0, 1):
            save(out, "sql", bytes([mode | 0x02 | catalog]) + text)
        if b"?" in text:
            save(out, "sql", bytes([0x10 | 0x02]) + text)


def main():
    out = sys.argv[1]
    yaml_seeds(out)
    secrets_seeds(out)
    sql_seeds(out)
    for target in sorted(os.listdir(out)):
        print(f"{target}: {len(os.listdir(os.path.join(out, target)))} seeds")


if __name__ == "__main__":
    main()
