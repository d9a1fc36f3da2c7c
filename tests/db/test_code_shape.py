"""Issue 10's shape rules for db/: short functions, and a planner that knows nothing of SQL."""

from __future__ import annotations

import ast
from pathlib import Path

DB = Path(__file__).resolve().parents[2] / "db"
MAX_LINES = 80


def test_no_function_in_db_is_longer_than_80_lines():
    long = []
    for path in sorted(DB.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_LINES:
                    long.append(f"{path.relative_to(DB.parent)}:{node.lineno} {node.name} ({lines} lines)")
    assert long == []


def test_the_planner_imports_no_sqlalchemy_and_does_no_io():
    tree = ast.parse((DB / "history.py").read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")])
    }
    assert imported <= {"__future__", "datetime", "math", "operator", "collections", "dataclasses"}
    calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert not calls & {"open", "print", "input"}
