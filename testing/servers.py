"""A real dashboard server on a free port, and a headless Chromium to drive it.

One copy for the browser tests (``tests/e2e``, ``tests/reliability``), the benchmarks
(``bench/dashboard.py``, ``bench/dashboard_timing.py``) and ``scripts/screenshots.py``. The
server is ``streamlit run dashboard/app.py`` from the checkout with the checkout on
``PYTHONPATH``, the way ``make run`` starts it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboard" / "app.py"
CHROMIUM = "/usr/bin/chromium"  # Debian's Chromium; Playwright drives it (no downloaded browser)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class ServerError(RuntimeError):
    """The dashboard server exited or did not answer its health check in time."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(env: Mapping[str, str] | None = None, **extra: str) -> dict[str, str]:
    """``env`` (the current environment by default) with the checkout first on PYTHONPATH."""
    merged = dict(os.environ if env is None else env) | extra
    rest = merged.get("PYTHONPATH")
    merged["PYTHONPATH"] = str(ROOT) + (os.pathsep + rest if rest and rest != str(ROOT) else "")
    return merged


def wait_healthy(base: str, proc: subprocess.Popen, timeout_s: float = 60.0, log_path: Path | None = None) -> None:
    """Poll ``{base}/_stcore/health`` until it answers 200; :class:`ServerError` if ``proc`` dies or time runs out."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        exited = proc.poll() is not None
        if exited or time.monotonic() > deadline:
            proc.kill()
            proc.wait(timeout=10)
            what = f"exited with code {proc.returncode}" if exited else f"did not answer within {timeout_s:.0f} s"
            where = f"; see {log_path}" if log_path else ""
            raise ServerError(f"streamlit {what}{where}")
        time.sleep(0.3)


def start_streamlit(
    env: Mapping[str, str] | None = None,
    *,
    port: int | None = None,
    log_path: Path | None = None,
    startup_s: float = 60.0,
) -> tuple[subprocess.Popen, str]:
    """Start the dashboard on 127.0.0.1 and wait for its health check; returns (process, base URL).

    ``env`` is the server's whole environment (the current one by default; set DATABASE_URL in
    it). Output goes to ``log_path`` when given, else nowhere. Stop it with :func:`stop`.
    """
    port = port or free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    if log_path is not None:
        with log_path.open("w") as log:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=server_env(env), stdout=log, stderr=subprocess.STDOUT)
    else:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=server_env(env), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, proc, startup_s, log_path)
    return proc, base


def stop(proc: subprocess.Popen, timeout_s: float = 20.0) -> None:
    """Terminate the server (SIGTERM), killing it if it does not exit in time."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@contextmanager
def streamlit_server(
    env: Mapping[str, str] | None = None, log_path: Path | None = None, startup_s: float = 60.0
) -> Iterator[str]:
    """:func:`start_streamlit` as a context manager: yields the base URL, stops the server after."""
    proc, base = start_streamlit(env, log_path=log_path, startup_s=startup_s)
    try:
        yield base
    finally:
        stop(proc)


def chromium_available() -> bool:
    return Path(CHROMIUM).exists()


def launch_chromium(playwright, **options):
    """A headless Debian Chromium from a started ``sync_playwright()``, with the flags this machine needs."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, **options)
