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
    for needed in ("pyproject.toml", "README.md", "core", "db", "ingest", "dashboard", "slm_tracker", "data"):
        assert needed in sources, needed


def healthcheck_command() -> list[str]:
    """The HEALTHCHECK's command (JSON form)."""
    (health,) = of("HEALTHCHECK")
    return yaml.safe_load(health.split(" CMD ", 1)[1])


def test_healthcheck_volume_and_the_two_commands():
    # The health check probes Streamlit's /_stcore/health on PORT and reads the data.
    assert healthcheck_command() == ["python", "-m", "dashboard.health"]
    health_src = (ROOT / "dashboard" / "health.py").read_text()
    assert "/_stcore/health" in health_src and "dashboard_port" in health_src
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


def test_compose_runs_two_replicas_behind_a_sticky_proxy_and_the_scheduler_on_one_database():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert services["scheduler"]["command"] == ["python", "-m", "ingest", "schedule"]
    assert "8501" in str(services["proxy"]["ports"])
    assert services["postgres"]["profiles"] == ["postgres"]
    replicas = [services["dashboard-1"], services["dashboard-2"]]
    for name in ("proxy", "dashboard-1", "dashboard-2", "scheduler"):
        assert "profiles" not in services[name], name
    assert replicas[0] == replicas[1]
    env = replicas[0]["environment"]
    # The replicas read through DASHBOARD_DATABASE_URL (the read-only role), falling back to the
    # scheduler's own DATABASE_URL (SQLite: the same file); they never initialise the schema.
    assert env["DATABASE_URL"].startswith("${DASHBOARD_DATABASE_URL:-${DATABASE_URL:-")
    assert env["DATABASE_URL"].endswith(services["scheduler"]["environment"]["DATABASE_URL"] + "}")
    assert env["SLM_SKIP_INIT"] == "1" and "STREAMLIT_SERVER_COOKIE_SECRET" in env
    assert services["scheduler"]["volumes"] == replicas[0]["volumes"]
    assert set(services["proxy"]["depends_on"]) == {"dashboard-1", "dashboard-2"}
    # The proxy: both replicas, sticky, the websocket upgraded.
    nginx = (ROOT / "docker" / "nginx.conf").read_text()
    assert "ip_hash;" in nginx and "server dashboard-1:8501" in nginx and "server dashboard-2:8501" in nginx
    assert "/_stcore/stream" in nginx and "proxy_set_header Upgrade $http_upgrade" in nginx
    # PostgreSQL's first start creates the read-only role from the files compose mounts.
    for mount in services["postgres"]["volumes"][1:]:
        source = mount.split(":")[0]
        assert (ROOT / source).exists(), source
    sql = (ROOT / "docker" / "postgres" / "readonly-role.sql").read_text()
    assert "GRANT SELECT ON ALL TABLES" in sql and "ALTER DEFAULT PRIVILEGES" in sql
    assert "default_transaction_read_only = on" in sql


def test_readme_front_matter_makes_a_docker_space():
    readme = (ROOT / "README.md").read_text()
    assert readme.startswith("---\n")
    front = yaml.safe_load(readme.split("---\n", 2)[1])
    assert front["sdk"] == "docker" and front["title"]
    # The Space routes to app_port: the port the image's dashboard listens on.
    assert f"PORT={front['app_port']}" in of("ENV")[0]
    assert str(front["app_port"]) in of("EXPOSE")[0]
    entrypoint = (ROOT / "docker" / "entrypoint.sh").read_text()
    assert "SPACE_ID" in entrypoint and "/data" in entrypoint and "slm-tracker ingest schedule &" in entrypoint
    assert "useradd --system --uid 1000" in " ".join(of("RUN"))  # a Space runs the container as uid 1000


def _shim_bin(tmp: Path) -> Path:
    """A bin folder whose ``slm-tracker`` runs this checkout (as the installed console script does)."""
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "slm-tracker"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m slm_tracker "$@"\n')
    shim.chmod(0o755)
    return bin_dir


@pytest.mark.slow
def test_the_entrypoint_seeds_an_empty_space_volume_and_runs_the_scheduler_beside(tmp_path):
    bin_dir = _shim_bin(tmp_path)
    volume = tmp_path / "data"  # a Space's persistent storage, empty on first start
    volume.mkdir()
    env = {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "APP_DIR": str(tmp_path / "app"),
        "SPACE_ID": "someone/slm-tracker",
        "SLM_DATA_DIR": str(volume),
        "INGEST_CRON": "0 3 * * *",
    }
    # The command here is a data health check: it runs while the scheduler is up beside it.
    done = subprocess.run(
        [
            "sh",
            str(ROOT / "docker" / "entrypoint.sh"),
            "sh",
            "-c",
            f"sleep 3; {shlex.quote(sys.executable)} -m dashboard.health --data-only",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "seed loaded" in done.stdout and done.stdout.strip().splitlines()[-1].startswith("ok: data version")
    assert (volume / "leaderboard.db").exists() and not (tmp_path / "app" / "data" / "leaderboard.db").exists()
    assert "scheduler started" in done.stderr + done.stdout, done.stderr  # the nightly job ran beside it
    again = subprocess.run(
        ["sh", str(ROOT / "docker" / "entrypoint.sh"), "true"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert again.returncode == 0 and "seed skipped" in again.stdout


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
        assert subprocess.run(healthcheck_command(), env=served, cwd=app, timeout=60).returncode == 0
    finally:
        server.terminate()
        server.wait(timeout=30)
