"""Known vulnerabilities in the pinned runtime requirements (``pip-audit``, as ``make audit``).

pip-audit resolves ``requirements.txt`` (with its dependencies) and asks a vulnerability
service about every pinned version: PyPI's JSON API first, OSV.dev when PyPI cannot answer.
The test fails on any known vulnerability. When no service can answer for any package (no
network, or an index mirror without PyPI's per-version JSON API), it is skipped with the reason:
an audit that checked nothing must not pass as "no known vulnerabilities".
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability.helpers import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("reliability-audit")]

PIP_AUDIT = Path(sys.executable).with_name("pip-audit")
REQUIREMENTS = ROOT / "requirements.txt"


def _reachable(host: str, port: int = 443) -> bool:
    try:
        with socket.create_connection((host, port), timeout=5):
            return True
    except OSError:
        return False


def _audit(service: str, requirements: Path, out: Path, *extra: str) -> tuple[int, dict | None, str]:
    done = subprocess.run(
        [str(PIP_AUDIT), "-r", str(requirements), "-s", service, "-f", "json", "-o", str(out), "--progress-spinner", "off", *extra],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    report = json.loads(out.read_text()) if out.exists() and out.stat().st_size else None
    return (
        done.returncode,
        report,
        (done.stderr or done.stdout).strip().splitlines()[-1:][0] if (done.stderr or done.stdout).strip() else "",
    )


def test_no_known_vulnerabilities_in_the_pinned_requirements(tmp_path, figure):
    if not PIP_AUDIT.exists() and not shutil.which("pip-audit"):
        pytest.skip("pip-audit is not installed (requirements-dev.txt)")
    tried = []
    for service, host in (("pypi", "pypi.org"), ("osv", "api.osv.dev")):
        if not _reachable(host):
            tried.append(f"{service}: {host} unreachable")
            continue
        # A quick probe with the first pinned package: a service that cannot answer for it is
        # not worth a full resolution (a minute) that would audit nothing.
        probe = tmp_path / f"probe-{service}.txt"
        probe.write_text(next(line for line in REQUIREMENTS.read_text().splitlines() if "==" in line) + "\n")
        code, report, last_line = _audit(service, probe, tmp_path / f"probe-{service}.json", "--no-deps")
        if report is not None and report["dependencies"] and "skip_reason" in report["dependencies"][0]:
            reason = report["dependencies"][0]["skip_reason"]
            tried.append(f"{service}: cannot audit even {probe.read_text().strip()} ({reason[:120]})")
            continue
        code, report, last_line = _audit(service, REQUIREMENTS, tmp_path / f"{service}.json")
        if report is None:
            tried.append(f"{service}: pip-audit failed (exit {code}: {last_line[:200]})")
            continue
        deps = report["dependencies"]
        audited = [d for d in deps if "skip_reason" not in d]
        if not audited:
            reason = deps[0]["skip_reason"] if deps else "no dependencies listed"
            tried.append(f"{service}: none of {len(deps)} packages could be audited ({reason[:120]})")
            continue
        vulnerable = {f"{d['name']}=={d['version']}": [v["id"] for v in d["vulns"]] for d in audited if d.get("vulns")}
        figure("pip_audit_service", service)
        figure("pip_audit_packages_audited", len(audited))
        figure("pip_audit_packages_skipped", len(deps) - len(audited))
        figure("pip_audit_vulnerable_packages", len(vulnerable))
        assert vulnerable == {}, f"known vulnerabilities: {vulnerable}"
        return
    figure("pip_audit_service", "none reachable")
    pytest.skip("no vulnerability service could audit the requirements: " + "; ".join(tried))
