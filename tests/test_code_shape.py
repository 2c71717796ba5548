"""Code shape gate (issue 23): no function in hooks/ is over 60 lines (ruff's C901 gates complexity ≤ 15).

A function's length is counted from its `def` line to its last line, docstring, comments and blank lines
included (what a reader has to take in at once). Nested functions and methods count on their own and
inside the function that holds them.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HOOKS = REPO / "hooks"
MAX_LINES = 60

# Functions over the limit that are known and waiting for their module's owner, (path, qualified name) →
# why they are still here. The list can only shrink: a function that gets under the limit (or is renamed
# or removed) must be taken off it, and nothing new may be added to get a change through.
ALLOWED: dict[tuple[str, str], str] = {}


def function_lengths(path: Path, rel: str) -> dict[tuple[str, str], tuple[int, int]]:
    """(rel, qualified name) → (first line, lines) for every function and method in one file."""
    found: dict[tuple[str, str], tuple[int, int]] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                assert child.end_lineno is not None
                found[(rel, name)] = (child.lineno, child.end_lineno - child.lineno + 1)
                visit(child, f"{name}.<locals>.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)

    visit(ast.parse(path.read_text(encoding="utf-8"), filename=rel), "")
    return found


def long_functions(root: Path = HOOKS, limit: int = MAX_LINES) -> dict[tuple[str, str], tuple[int, int]]:
    """Every function under root longer than limit lines: (path, qualified name) → (first line, lines)."""
    found: dict[tuple[str, str], tuple[int, int]] = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(REPO if root.is_relative_to(REPO) else root).as_posix()
        found.update(function_lengths(path, rel))
    return {key: where for key, where in found.items() if where[1] > limit}


def _listing(functions: dict[tuple[str, str], tuple[int, int]]) -> str:
    return "\n".join(f"  {rel}:{line} {name}: {n} lines" for (rel, name), (line, n) in sorted(functions.items()))


def test_no_function_in_hooks_is_over_the_limit() -> None:
    over = {key: where for key, where in long_functions().items() if key not in ALLOWED}
    assert not over, (
        f"functions over {MAX_LINES} lines (split them into named steps):\n{_listing(over)}\n"
        "(tests/test_code_shape.py ALLOWED is only for known offenders in modules being rewritten by their owner)"
    )


def test_the_allow_list_only_shrinks() -> None:
    over = long_functions()
    fixed = sorted(key for key in ALLOWED if key not in over)
    assert not fixed, (
        f"no longer over {MAX_LINES} lines (or gone): take them off ALLOWED in {Path(__file__).name}: {fixed}"
    )


@pytest.mark.parametrize(("body_lines", "flagged"), [(MAX_LINES - 1, False), (MAX_LINES, True)])
def test_the_count_runs_from_def_to_last_line(tmp_path: Path, body_lines: int, flagged: bool) -> None:
    """A def line plus body_lines lines: 60 lines in all pass, 61 fail; the docstring and a method count."""
    body = '    """Docstring lines count."""\n' + "".join(f"    x{i} = {i}\n" for i in range(body_lines - 1))
    (tmp_path / "mod.py").write_text("class Box:\n    def method(self):\n" + textwrap.indent(body, "    "))
    (tmp_path / "flat.py").write_text(f"def step():\n{body}")
    found = long_functions(tmp_path)
    expected = {("flat.py", "step"), ("mod.py", "Box.method")} if flagged else set()
    assert set(found) == expected
    assert all(n == body_lines + 1 for _, n in found.values())


def test_nested_functions_are_counted_in_their_own_right(tmp_path: Path) -> None:
    inner = "".join(f"        y{i} = {i}\n" for i in range(MAX_LINES))
    (tmp_path / "nested.py").write_text(f"def outer():\n    def inner():\n{inner}    return inner\n")
    assert set(long_functions(tmp_path)) == {("nested.py", "outer"), ("nested.py", "outer.<locals>.inner")}
