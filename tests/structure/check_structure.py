#!/usr/bin/python3
"""The shape of the source tree, checked: `make test-structure` (part of `make test`).

Rules, each reported as "path:line: rule: message":

  layering        A file in wire/, semantic/, planner/ or proxy/ includes only its
                  own layer and the layers below it: wire < semantic < planner < proxy.
                  tests/ and bench/ are no layer: they may include anything.
  cli-private     Nothing outside proxy/cli/ includes proxy/cli/, except
                  proxy/main.c, which dispatches the command line.
  backend-session proxy/backend/ does not include proxy/session/: backends
                  deliver rows to whatever executes the plan, not to a client.
  backend-server  proxy/backend/ does not include proxy/server.h: the pool and
                  the connectors are handed their event base and settings.
  function-length No C function in wire/, semantic/, planner/, proxy/ or
                  tests/unit/ is longer than 100 lines. A function starts at a
                  line holding "{" in column 0 (after its signature, as
                  .clang-format writes every function) and ends at the next "}"
                  in column 0; its length counts both brace lines.

Usage: check_structure.py [--root DIR]   check the tree at DIR (default: the repository)
       check_structure.py --self-test    check that every rule fires on a violating
                                         tree and stays quiet on a clean one

Python 3 standard library only (Debian's /usr/bin/python3).
"""

import argparse
import os
import re
import sys
import tempfile

LAYERS = ["wire", "semantic", "planner", "proxy"]
RANK = {name: i for i, name in enumerate(LAYERS)}
SOURCE_DIRS = LAYERS + ["tests", "bench"]
LENGTH_DIRS = ("wire/", "semantic/", "planner/", "proxy/", "tests/unit/")
MAX_FUNCTION_LINES = 100
CLI_DISPATCH = "proxy/main.c"

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')
FUNC_OPEN_RE = re.compile(r"^\{\s*(/[/*].*)?$")
NAME_RE = re.compile(r"([A-Za-z_]\w*)\s*\(")
NOT_NAMES = {"__attribute__", "__attribute", "sizeof", "_Alignas", "__declspec"}


class Violation:
    def __init__(self, path, line, rule, message):
        self.path, self.line, self.rule, self.message = path, line, rule, message

    def __str__(self):
        return f"{self.path}:{self.line}: {self.rule}: {self.message}"


def c_files(root):
    """Repository-relative paths of the C sources and headers, sorted."""
    out = []
    for top in SOURCE_DIRS:
        base = os.path.join(root, top)
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames.sort()
            for name in filenames:
                if name.endswith((".c", ".h")):
                    full = os.path.join(dirpath, name)
                    out.append(os.path.relpath(full, root).replace(os.sep, "/"))
    return sorted(out)


def without_comments(lines):
    """The lines with /* */ and // comments blanked (strings are not parsed:
    an include line holds no string a comment marker could hide in)."""
    out, in_block = [], False
    for line in lines:
        text, i = "", 0
        while i < len(line):
            if in_block:
                end = line.find("*/", i)
                if end < 0:
                    i = len(line)
                else:
                    in_block, i = False, end + 2
            elif line.startswith("/*", i):
                in_block, i = True, i + 2
            elif line.startswith("//", i):
                break
            else:
                text += line[i]
                i += 1
        out.append(text)
    return out


def included_path(root, path, target):
    """The repository-relative path an include names: root-relative as the
    Makefile's -I. has it, or relative to the including file."""
    if target.split("/", 1)[0] in RANK:
        return target
    local = os.path.normpath(os.path.join(os.path.dirname(path), target)).replace(os.sep, "/")
    if not local.startswith("../") and os.path.exists(os.path.join(root, local)):
        return local
    return None  # a system or library header


def check_includes(root, path, lines):
    found = []
    own = path.split("/", 1)[0]
    for number, line in enumerate(without_comments(lines), 1):
        m = INCLUDE_RE.match(line)
        if not m:
            continue
        target = included_path(root, path, m.group(1))
        if target is None:
            continue
        layer = target.split("/", 1)[0]
        if own in RANK and layer in RANK and RANK[layer] > RANK[own]:
            found.append(Violation(
                path, number, "layering",
                f'{own}/ must not include {target} ({layer}/ is above {own}/: '
                f'{" < ".join(LAYERS)})'))
        if (target.startswith("proxy/cli/") and not path.startswith("proxy/cli/")
                and path != CLI_DISPATCH):
            found.append(Violation(
                path, number, "cli-private",
                f"only {CLI_DISPATCH} (the dispatch) may include {target}: "
                "the command line is a leaf that nothing else uses"))
        if path.startswith("proxy/backend/") and target.startswith("proxy/session/"):
            found.append(Violation(
                path, number, "backend-session",
                f"proxy/backend/ must not include {target}: backends deliver rows "
                "through backend_sink, they do not know the client session"))
        if path.startswith("proxy/backend/") and target == "proxy/server.h":
            found.append(Violation(
                path, number, "backend-server",
                "proxy/backend/ must not include proxy/server.h: the pool and the "
                "connectors take their event base and settings as parameters"))
    return found


def functions(lines):
    """(name, first line, length) of each top-level function definition."""
    out, i = [], 0
    while i < len(lines):
        if not FUNC_OPEN_RE.match(lines[i]):
            i += 1
            continue
        start = i
        sig = i - 1
        while (sig >= 0 and lines[sig].strip() and not lines[sig].startswith("#")
               and not lines[sig].rstrip().endswith((";", "}", "*/"))):
            sig -= 1
        signature = " ".join(lines[sig + 1:start])
        end = start + 1
        while end < len(lines) and not lines[end].startswith("}"):
            end += 1
        names = [n for n in NAME_RE.findall(signature) if n not in NOT_NAMES]
        if names:  # a "{" after something without parentheses is not a function
            out.append((names[0], sig + 2, end - start + 1))
        i = end + 1
    return out


def check_lengths(path, lines):
    if not path.startswith(LENGTH_DIRS) or not path.endswith((".c", ".h")):
        return []
    return [Violation(path, line, "function-length",
                      f"{name}() is {length} lines (at most {MAX_FUNCTION_LINES}): "
                      "split it into helpers with names that say what they do")
            for name, line, length in functions(lines) if length > MAX_FUNCTION_LINES]


def check(root):
    """All violations in the tree at root, and how many files were read."""
    paths = c_files(root)
    found = []
    for path in paths:
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
        found += check_includes(root, path, lines)
        found += check_lengths(path, lines)
    return found, len(paths)


RULES = ["layering", "cli-private", "backend-session", "backend-server", "function-length"]


def summary(found, nfiles):
    if not found:
        return f"check_structure: OK: {nfiles} files follow {', '.join(RULES)}"
    counts = ", ".join(f"{rule} {sum(v.rule == rule for v in found)}" for rule in RULES
                       if any(v.rule == rule for v in found))
    return f"check_structure: FAILED: {len(found)} violations in {nfiles} files ({counts})"


# ---- self-test --------------------------------------------------------------------
#
# Each case is a small tree (path -> text) and the violations it must produce, as
# (path, line, rule). A checker that silently stopped looking would pass the real
# tree; it cannot pass these.

def _function(name, body_lines):
    return f"static int {name}(void)\n{{\n" + "    x++;\n" * body_lines + "    return 0;\n}\n"


SELF_TEST_CASES = {
    "clean": ({
        "wire/buf.h": "#include <stddef.h>\n",
        "semantic/catalog.c": '#include "semantic/catalog.h"\n#include "wire/buf.h"\n',
        "planner/plan.c": '#include "semantic/catalog.h"\n#include "wire/buf.h"\n',
        "proxy/cli/query.c": '#include "proxy/cli/cli.h"\n#include "planner/plan.h"\n',
        "proxy/main.c": '#include "proxy/cli/cli.h"\n',
        "proxy/backend/pool.c": '#include "proxy/exec/exec.h"\n',
        "tests/unit/test_cli.c": '#include "proxy/exec/exec.h"\n',
        "bench/datagen.c": '#include "proxy/server.h"\n',
        # Exactly the limit: 98 body lines and the two braces.
        "planner/long.c": _function("at_the_limit", 97),
        # Not functions: a "{" after a line without parentheses, and one in a comment.
        "planner/table.c": "static const int table[] =\n{\n" + "    1,\n" * 120 + "};\n",
        "wire/commented.c": '/* #include "proxy/server.h" */\n// #include "planner/plan.h"\n',
    }, []),
    "layering": ({
        "wire/codec.c": '#include "wire/buf.h"\n#include "semantic/catalog.h"\n',
        "semantic/loader.c": '\n#include "planner/parser.h"\n',
        "planner/split.c": '#include <stdio.h>\n#include "proxy/server.h"\n',
        "wire/relative.c": '#include "../planner/plan.h"\n',
        "planner/plan.h": "",
    }, [("wire/codec.c", 2, "layering"), ("semantic/loader.c", 2, "layering"),
        ("planner/split.c", 2, "layering"), ("wire/relative.c", 1, "layering")]),
    "cli-private": ({
        "proxy/server.c": '#include "proxy/cli/local_server.h"\n',
        "tests/unit/test_output.c": '#include "proxy/cli/output.h"\n',
        "proxy/main.c": '#include "proxy/cli/cli.h"\n',
    }, [("proxy/server.c", 1, "cli-private"), ("tests/unit/test_output.c", 1, "cli-private")]),
    "backend-session": ({
        "proxy/backend/pg_backend.c": '#include "proxy/backend/backend.h"\n'
                                      '#include "proxy/session/client.h"\n',
        "proxy/exec/exec.c": '#include "proxy/session/client.h"\n',
    }, [("proxy/backend/pg_backend.c", 2, "backend-session")]),
    "backend-server": ({
        "proxy/backend/pool.c": '#include "proxy/backend/pool.h"\n#include "proxy/log.h"\n'
                                '#include "proxy/server.h"\n',
        "proxy/type_discovery.c": '#include "proxy/server.h"\n',
    }, [("proxy/backend/pool.c", 3, "backend-server")]),
    "function-length": ({
        "planner/long.c": "/* A comment. */\n" + _function("one_too_many", 98)
                          + "\n" + _function("short_one", 3),
        "tests/unit/test_long.c": "static void\nsplit_signature(int a,\n    int b)\n{\n"
                                  + "    a++;\n" * 120 + "}\n",
        "tests/integration/helper.c": _function("not_checked_here", 200),
    }, [("planner/long.c", 2, "function-length"), ("tests/unit/test_long.c", 1, "function-length")]),
}


def self_test():
    failures = []
    for case, (tree, expected) in SELF_TEST_CASES.items():
        with tempfile.TemporaryDirectory(prefix="check_structure.") as root:
            for path, text in tree.items():
                full = os.path.join(root, path)
                os.makedirs(os.path.dirname(full), exist_ok=True)
                with open(full, "w", encoding="utf-8") as f:
                    f.write(text)
            found, _ = check(root)
        got = sorted((v.path, v.line, v.rule) for v in found)
        if got != sorted(expected):
            failures.append(f"self-test {case}: expected {sorted(expected)}, got {got}")
    for line in failures:
        print(line)
    n = len(SELF_TEST_CASES)
    if failures:
        print(f"check_structure: self-test FAILED: {len(failures)} of {n} cases")
        return 1
    print(f"check_structure: self-test OK: {n} cases (every rule fires, a clean tree passes)")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", default=os.path.join(os.path.dirname(__file__), "..", ".."))
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args()
    if args.self_test:
        return self_test()
    found, nfiles = check(os.path.abspath(args.root))
    for v in found:
        print(v)
    print(summary(found, nfiles))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
