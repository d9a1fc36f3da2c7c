"""The layout's rules, read from the code: data flows ``ingest -> db <- dashboard``, and what every
layer shares (settings, errors, the board registry) is in ``core``, which imports no layer."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ("core", "db", "ingest", "dashboard", "slm_tracker")
# What each package may import of the project and of the heavy libraries.
FORBIDDEN = {
    "core": {"db", "ingest", "dashboard", "slm_tracker", "sqlalchemy", "streamlit", "huggingface_hub", "pandas"},
    "db": {"ingest", "dashboard", "slm_tracker", "streamlit", "huggingface_hub"},
    "ingest": {"dashboard", "slm_tracker", "streamlit"},
    "dashboard": {"ingest", "slm_tracker", "huggingface_hub"},
}


def imported_roots(source: str) -> set[str]:
    """The top-level names of every module ``source`` imports, at any depth (lazy imports too)."""
    roots = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_scan_sees_lazy_and_dotted_imports():
    source = "import os\nfrom db.registry import x\n\ndef f():\n    import streamlit as st\n    from . import y\n"
    assert imported_roots(source) == {"os", "db", "streamlit"}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_layer_imports_what_it_must_not(package):
    found = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / package).rglob("*.py"))
        if "__pycache__" not in path.parts
        for name in sorted(imported_roots(path.read_text(encoding="utf-8")) & FORBIDDEN[package])
    ]
    assert found == []


def test_core_is_plain_python():
    """core imports only the standard library and itself: every layer can import it."""
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    found = {
        name
        for path in (ROOT / "core").glob("*.py")
        for name in imported_roots(path.read_text(encoding="utf-8"))
        if name not in stdlib and name != "core"
    }
    assert found == set()


def test_settings_and_errors_live_in_core_only():
    """Settings are parsed in one place and the errors are one hierarchy: no layer keeps its own."""
    names = {"config.py", "settings.py", "errors.py", "exceptions.py"}
    strays = [
        str(p.relative_to(ROOT)) for package in PROJECT[1:] for p in (ROOT / package).glob("*.py") if p.name in names
    ]
    assert strays == []
    assert {p.name for p in (ROOT / "core").glob("*.py")} >= {"config.py", "errors.py", "boards.py"}
