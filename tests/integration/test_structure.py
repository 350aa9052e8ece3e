"""tests/structure/check_structure.py, the layering and function-length check of
`make test-structure`, checked itself: run as `make test` runs it, on small trees
that break each rule, it must name every violation (file:line: rule) and fail;
on a clean tree it must pass. A checker that silently stopped looking would
still pass the real repository; it cannot pass these.
"""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "structure" / "check_structure.py"

_spec = importlib.util.spec_from_file_location("check_structure", SCRIPT)
check_structure = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_structure)

CASES = check_structure.SELF_TEST_CASES


def run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=60)


def write_tree(root, tree):
    for path, text in tree.items():
        full = root / path
        full.parent.mkdir(parents=True, exist_ok=True)
        full.write_text(text)


def reported(stdout):
    """(path, line, rule) of each violation the checker printed."""
    out = []
    for text in stdout.splitlines():
        if text.startswith("check_structure:"):
            continue
        path, line, rule, _message = text.split(":", 3)
        out.append((path, int(line), rule.strip()))
    return sorted(out)


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_rule_fires(tmp_path, case):
    tree, expected = CASES[case]
    write_tree(tmp_path, tree)
    r = run("--root", str(tmp_path))
    assert reported(r.stdout) == sorted(expected), r.stdout
    summary = r.stdout.splitlines()[-1]
    if expected:
        assert r.returncode == 1, r.stdout
        assert summary.startswith(f"check_structure: FAILED: {len(expected)} violations"), summary
        assert f"({case} {len(expected)})" in summary, summary
    else:
        assert r.returncode == 0, r.stdout
        assert summary.startswith("check_structure: OK"), summary


def test_self_test_mode_passes():
    r = run("--self-test")
    assert r.returncode == 0, r.stdout
    assert "self-test OK" in r.stdout


def test_a_long_function_is_named_with_its_length(tmp_path):
    body = "    x++;\n" * 150
    write_tree(tmp_path, {"proxy/serve.c": f"int serve(int argc,\n          char **argv)\n{{\n{body}}}\n"})
    r = run("--root", str(tmp_path))
    assert r.returncode == 1
    assert ("proxy/serve.c:1: function-length: serve() is 152 lines (at most 100)"
            in r.stdout), r.stdout
