"""The deployment files: the Dockerfile's rules, compose.yaml, and the image's steps replayed in a venv.

``docker build`` cannot run here, so the slow test does what the image does: a fresh virtualenv
with only ``requirements.txt`` (pip's own cache and the configured index make it quick), the
files the Dockerfile copies laid out the same way (minus what ``.dockerignore`` leaves out), the
package installed from them, the entrypoint (``init`` + ``seed --if-empty``) and the image's
command (``slm-tracker dashboard``) answering its health check.
"""

from __future__ import annotations

import fnmatch
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from testing.servers import free_port, wait_healthy

ROOT = Path(__file__).resolve().parent.parent


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined."""
    items: list[tuple[str, str]] = []
    buffer = ""
    for raw in (ROOT / "Dockerfile").read_text().splitlines():
        line = raw.strip()
        if not buffer and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        buffer += line
        keyword, _, rest = buffer.partition(" ")
        items.append((keyword.upper(), rest.strip()))
        buffer = ""
    return items


def of(keyword: str) -> list[str]:
    return [rest for kw, rest in instructions() if kw == keyword]


def test_base_image_and_a_non_root_user():
    assert of("FROM") == ["python:3.11-slim"]
    users = of("USER")
    assert users and users[-1] not in ("root", "0", "0:0")
    kinds = [kw for kw, _ in instructions()]
    assert kinds.index("USER") < kinds.index("CMD") and kinds.index("USER") < kinds.index("ENTRYPOINT")


def test_only_runtime_requirements_are_installed():
    assert not [rest for _, rest in instructions() if "requirements-dev" in rest]
    installs = [r for r in of("RUN") if "pip install" in r]
    assert installs == [
        "pip install --no-cache-dir -r requirements.txt",
        "pip install --no-cache-dir --no-deps /tmp/slm-src && rm -rf /tmp/slm-src",
    ]
    assert any(r.split()[0] == "requirements.txt" for r in of("COPY"))
    # The package is built from its pyproject.toml with everything it ships.
    sources = copied_sources()
    for needed in ("pyproject.toml", "README.md", "db", "ingest", "dashboard", "slm_tracker", "data"):
        assert needed in sources, needed


def test_healthcheck_volume_and_the_two_commands():
    (health,) = of("HEALTHCHECK")
    assert "/_stcore/health" in health and "8501" in health
    assert '"/app/data"' in of("VOLUME")[0]
    cmd = yaml.safe_load(of("CMD")[0])  # JSON form
    assert cmd == ["slm-tracker", "dashboard", "--address", "0.0.0.0"]
    assert "PORT=8501" in of("ENV")[0]
    entrypoint = (ROOT / "docker" / "entrypoint.sh").read_text()
    assert "slm-tracker ingest init" in entrypoint and "slm-tracker ingest seed --if-empty" in entrypoint
    assert 'exec "$@"' in entrypoint


def _ignored(path: str, patterns: list[str]) -> bool:
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!")
        if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, pattern.rstrip("/") + "/*"):
            ignored = not negate
    return ignored


def dockerignore() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def copies() -> list[tuple[str, str]]:
    """(source, destination) of every COPY."""
    pairs = []
    for rest in of("COPY"):
        parts = [p for p in shlex.split(rest) if not p.startswith("--")]
        pairs += [(source, parts[-1]) for source in parts[:-1]]
    return pairs


def copied_sources() -> list[str]:
    return [source for source, _ in copies()]


def test_everything_copied_exists_and_is_not_docker_ignored():
    patterns = dockerignore()
    for source in copied_sources():
        assert (ROOT / source).exists(), source
        assert not _ignored(source, patterns), source
    for secret_or_bulk in (
        ".venv",
        ".git",
        "tests",
        "testing",
        "requirements-dev.txt",
        "data/leaderboard.db",
        "data/cache",
        "data/ingest.lock",
    ):
        assert _ignored(secret_or_bulk, patterns), secret_or_bulk


def test_compose_runs_dashboard_scheduler_and_optional_postgres_on_one_database():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert services["scheduler"]["command"] == ["python", "-m", "ingest", "schedule"]
    assert "8501" in str(services["dashboard"]["ports"])
    assert services["postgres"]["profiles"] == ["postgres"]
    assert "profiles" not in services["dashboard"] and "profiles" not in services["scheduler"]
    urls = {services[name]["environment"]["DATABASE_URL"] for name in ("dashboard", "scheduler")}
    assert len(urls) == 1
    assert services["scheduler"]["volumes"] == services["dashboard"]["volumes"]


def test_the_deployment_doc_covers_every_setting_and_the_schedule_equivalents():
    doc = (ROOT / "docs" / "deployment.md").read_text()
    for name in (
        "DATABASE_URL",
        "HF_TOKEN",
        "HF_ENDPOINT",
        "INGEST_CRON",
        "HUB_TOP_N",
        "HUB_REQUEST_BUDGET",
        "HUB_RUN_BUDGET",
        "SLM_WATCHLIST",
        "INGEST_LOCK",
    ):
        assert name in doc, name
    for equivalent in ("crontab", "CronJob", "GitHub Actions"):
        assert equivalent in doc


# --------------------------------------------------------------------------- the image's steps, for real


def _pip_can_reach_an_index(python: str, tmp: Path) -> bool:
    probe = subprocess.run(
        [python, "-m", "pip", "download", "--no-deps", "--dest", str(tmp), "alembic==1.20.1"],
        capture_output=True,
        timeout=120,
    )
    return probe.returncode == 0


def _copy_context(src: Path, dest: Path, patterns: list[str]) -> None:
    """Copy ``src`` (a file or folder of the checkout) to ``dest`` as ``docker build`` sends it."""
    if src.is_file():
        shutil.copy2(src, dest)
        return

    def ignore(folder: str, names: list[str]) -> list[str]:
        rel = Path(folder).relative_to(ROOT)
        return [n for n in names if n == "__pycache__" or _ignored(str(rel / n), patterns)]

    shutil.copytree(src, dest, ignore=ignore)


@pytest.mark.slow
def test_the_image_steps_work_in_a_fresh_venv(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    if not _pip_can_reach_an_index(python, tmp_path / "probe"):
        pytest.skip("pip cannot reach a package index here")
    # RUN pip install -r requirements.txt (pip's cache keeps this quick on a second run).
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "-r", str(ROOT / "requirements.txt")], check=True, timeout=600
    )

    # COPY: exactly what the Dockerfile copies, to the same places (/app -> tmp/app, / -> tmp/root).
    app, root = tmp_path / "app", tmp_path / "root"
    patterns = dockerignore()
    for source, destination in copies():
        src = ROOT / source
        dest = root / destination.lstrip("/") if destination.startswith("/") else app / destination
        if destination.endswith("/") or destination == "./":
            dest = dest / Path(source).name
        dest.parent.mkdir(parents=True, exist_ok=True)
        _copy_context(src, dest, patterns)
    # RUN pip install --no-deps /tmp/slm-src: the package, built from the copied sources only.
    (package,) = {dest for source, dest in copies() if source == "pyproject.toml"}
    built = subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", str(root / package.lstrip("/"))],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    shutil.rmtree(root / package.lstrip("/"))  # && rm -rf /tmp/slm-src: nothing runs from the sources
    entrypoint = root / "usr" / "local" / "bin" / "slm-entrypoint"
    assert not (app / "data").exists()  # the database appears in the data volume on first start
    env = {
        "PATH": f"{venv / 'bin'}:{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "APP_DIR": str(app),
        "SLM_CACHE_DIR": str(app / "data" / "cache"),
        "INGEST_LOCK": str(app / "data" / "ingest.lock"),
    }
    # ENTRYPOINT: init + seed --if-empty (the seed comes from the installed package), then the command.
    done = subprocess.run(
        ["sh", str(entrypoint), "slm-tracker", "ingest", "status"],
        cwd=app,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "database ready" in done.stdout and "seed loaded" in done.stdout
    assert (app / "data" / "leaderboard.db").exists()
    again = subprocess.run(
        ["sh", str(entrypoint), "true"], cwd=app, env=env, capture_output=True, text=True, timeout=120
    )
    assert again.returncode == 0 and "seed skipped" in again.stdout

    # CMD: the image's own command (on loopback, on the port PORT names), probed as HEALTHCHECK does.
    port = free_port()
    cmd = [part.replace("0.0.0.0", "127.0.0.1") for part in yaml.safe_load(of("CMD")[0])]
    served = {**env, "PORT": str(port)}
    server = subprocess.Popen(cmd, cwd=app, env=served, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", server, timeout_s=90)
        (health,) = of("HEALTHCHECK")
        probe = shlex.split(health.split(" CMD ", 1)[1])
        assert subprocess.run(probe, env=served, timeout=30).returncode == 0
    finally:
        server.terminate()
        server.wait(timeout=30)
