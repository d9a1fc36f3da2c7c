"""The docs cannot drift: every CLI command and every linked file is documented and exists."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def subcommands(parser) -> list[str]:
    action = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return list(action.choices)


@pytest.mark.parametrize("module", ["ingest.cli", "db.reports"])
def test_every_cli_command_is_in_the_readme(module):
    mod = __import__(module, fromlist=["build_parser"])
    prefix = "python -m ingest" if module == "ingest.cli" else "python -m db"
    assert prefix in README
    for command in subcommands(mod.build_parser()):
        assert re.search(rf"`{command}[ `]", README), f"{prefix} {command} is not documented in README.md"


def test_quick_start_has_exactly_the_two_commands():
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [line.split("#")[0].strip() for line in quick.split("```sh", 1)[1].split("```", 1)[0].splitlines()]
    assert [c for c in commands if c] == ["make run", "make test"]


def test_linked_files_exist():
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = doc.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#]+)\)", text):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            assert (doc.parent / target).exists(), f"{doc.name} links to missing {target}"
