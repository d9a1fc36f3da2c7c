"""The installable package: what a wheel ships, its entry point, and how it finds its files.

The build runs offline. With the ``wheel`` package (or setuptools >= 70.1) importable it is a
real ``pip wheel --no-build-isolation``; otherwise (the shared venv has setuptools 65.5 and no
``wheel``) it is setuptools' own ``build_py`` + ``egg_info``, which produce exactly the files
and metadata ``bdist_wheel`` would pack. Either way the same checks run on the result.
"""

from __future__ import annotations

import configparser
import importlib.util
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import setuptools

ROOT = Path(__file__).resolve().parent.parent
SEED_FILES = sorted(p.relative_to(ROOT / "data").as_posix() for p in (ROOT / "data" / "seed").rglob("*") if p.is_file())
MIGRATIONS = sorted(p.name for p in (ROOT / "db" / "migrations" / "versions").glob("*.py"))


def _can_build_a_wheel() -> bool:
    version = tuple(int(part) for part in re.findall(r"\d+", setuptools.__version__)[:2])
    return importlib.util.find_spec("wheel") is not None or version >= (70, 1)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, set[str], str]:
    """(the installed-layout folder, the files it holds relative to it, entry_points.txt)."""
    tmp = tmp_path_factory.mktemp("package")
    lib = tmp / "lib"
    # Build from a copy: setuptools writes build/ and *.egg-info next to the sources.
    source = tmp / "src"
    skip = shutil.ignore_patterns(
        ".git", ".venv", ".*_cache", ".hypothesis", "__pycache__", "build", "*.egg-info", "artifacts", "docs", "cache"
    )
    shutil.copytree(ROOT, source, ignore=skip)
    if _can_build_a_wheel():
        out = tmp / "wheel"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--no-deps",
                "--no-build-isolation",
                "-q",
                "-w",
                str(out),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        (wheel,) = out.glob("slm_tracker-*.whl")
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(lib)
        (entry_points,) = lib.glob("slm_tracker-*.dist-info/entry_points.txt")
    else:
        subprocess.run(
            [sys.executable, "-c", "from setuptools import setup; setup()", "-q",
             "build_py", "--build-lib", str(lib), "egg_info", "--egg-base", str(tmp)],
            cwd=source, check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        (entry_points,) = tmp.glob("*.egg-info/entry_points.txt")
    files = {p.relative_to(lib).as_posix() for p in lib.rglob("*") if p.is_file()}
    return lib, files, entry_points.read_text()


def test_the_wheel_ships_migrations_seed_theme_and_config(built):
    _, files, _ = built
    for name in MIGRATIONS:
        assert f"db/migrations/versions/{name}" in files
    assert {"db/migrations/env.py", "db/migrations/script.py.mako"} <= files
    assert SEED_FILES and {f"core/bundled/{rel}" for rel in SEED_FILES} <= files
    assert "core/bundled/seed/manifest.json" in files
    aliases = sorted((ROOT / "data" / "aliases").glob("*.csv"))
    assert {f"core/bundled/aliases/{p.name}" for p in aliases} <= files
    assert {"dashboard/app.py", "dashboard/theme/app.css", "dashboard/.streamlit/config.toml"} <= files
    # Every module of the shipped packages, subpackages included (pyproject.toml lists packages
    # one by one: a new subpackage missing there would be left out of the wheel).
    modules = {
        p.relative_to(ROOT).as_posix()
        for package in ("core", "db", "ingest", "dashboard", "slm_tracker")
        for p in (ROOT / package).rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert "dashboard/views/size.py" in modules and modules <= files, sorted(modules - files)
    for package in ("core", "db", "ingest", "dashboard", "slm_tracker"):
        assert f"{package}/__init__.py" in files
    # Neither the tests, their doubles, the benchmarks nor a local database ride along.
    assert not [f for f in files if f.split("/")[0] in ("tests", "testing", "bench", "scripts")]
    assert not [f for f in files if f.endswith((".db", ".lock")) or "/cache/" in f]


def test_the_console_script_is_declared(built):
    _, _, entry_points = built
    parser = configparser.ConfigParser()
    parser.read_string(entry_points)
    assert dict(parser["console_scripts"]) == {"slm-tracker": "slm_tracker.cli:main"}


def test_an_installed_layout_finds_its_bundled_files_and_keeps_data_in_the_working_folder(built, tmp_path):
    lib, _, _ = built
    probe = (
        "import core.config as c, db.engine as e; "
        "print(c.SEED_DIR); print(c.DATA_DIR); print(c.default_database_url()); print(e.MIGRATIONS_DIR)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={"PYTHONPATH": str(lib), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    seed, data, url, migrations = done.stdout.splitlines()
    assert Path(seed) == lib / "core" / "bundled" / "seed" and (Path(seed) / "manifest.json").is_file()
    assert data == "data" and url == "sqlite:///data/leaderboard.db"  # relative to the working folder
    assert Path(migrations) == lib / "db" / "migrations"


def test_a_checkout_uses_its_own_data_folder():
    from core.config import DATA_DIR, SEED_DIR

    assert SEED_DIR == ROOT / "data" / "seed" and DATA_DIR == ROOT / "data"


def test_the_dispatcher_runs_the_layers_own_functions(tmp_path, capsys):
    from db.engine import make_engine, schema_state
    from slm_tracker.cli import main

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["ingest", "--db", url, "init"]) == 0
    assert "database ready" in capsys.readouterr().out
    assert schema_state(make_engine(url)).current
    capsys.readouterr()
    # The db layer's own answer for a board with no rows yet (an error, not an empty table).
    assert main(["db", "tenure", "--leaderboard", "lmarena", "--db", url, "--format", "csv"]) == 1
    assert "lmarena has no snapshots" in capsys.readouterr().err
    assert main(["nope"]) == 2 and "unknown command 'nope'" in capsys.readouterr().err
    assert main([]) == 2


def test_the_dashboard_command_serves_the_packaged_app_on_port():
    from dashboard.serve import APP, streamlit_args

    args = streamlit_args(8765, "0.0.0.0")
    assert args[:2] == ["run", str(APP)] and APP.is_file()
    assert (APP.parent / ".streamlit" / "config.toml").is_file()  # Streamlit reads it next to the app
    assert args[args.index("--server.port") + 1] == "8765" and args[args.index("--server.address") + 1] == "0.0.0.0"


def test_nothing_edits_sys_path():
    folders = ("core", "db", "ingest", "dashboard", "slm_tracker", "bench", "scripts", "testing", "tests")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in folders
        for path in (ROOT / folder).rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"sys\.path\.(insert|append|extend)|sys\.path\s*=", line) and path.name != "test_package.py"
    ]
    assert found == []
