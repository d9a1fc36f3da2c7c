"""HTTP for live ingest: one bounded, polite session under huggingface_hub.

huggingface_hub sends every request through one shared ``httpx2.Client`` that
``set_client_factory`` lets us build. Our client's transport adds what a nightly job needs and
the library does not do for every call (``model_info`` and ``list_repo_refs`` are sent without
its ``http_backoff``):

- a timeout on every request, never beyond the run's time budget;
- retries with exponential backoff and jitter on 429, 5xx, network errors, cut-off bodies and
  malformed JSON, honouring ``Retry-After`` and the ``RateLimit`` header's ``t=``;
- a request budget per run and an overall deadline;
- a stop event (SIGTERM) that ends waiting at once.

Failures end as :class:`core.errors.HubError`, which httpx and huggingface_hub do not catch, so
their own backoff never retries on top of ours. The token travels only in the Authorization
header that huggingface_hub sets; messages are masked all the same.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx2

from core.config import Settings, mask_secrets
from core.errors import HubError

log = logging.getLogger(__name__)

RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
MAX_WAIT_S = 60.0
_RATELIMIT = re.compile(r"r\s*=\s*(\d+)\s*;\s*t\s*=\s*(\d+)")


class BudgetExhausted(HubError):
    """The run used up its request budget."""


class RunStopped(HubError):
    """The run was asked to stop (SIGTERM)."""


@dataclass
class RunBudget:
    """Counters and limits shared by every request of one run."""

    max_requests: int
    deadline: float  # time.monotonic() value
    timeout_s: float
    max_retries: int
    backoff_base_s: float
    stop: threading.Event = field(default_factory=threading.Event)
    reserve: int = 0  # requests kept back for the sources that run after this one
    requests: int = 0
    retries: int = 0
    waited_s: float = 0.0

    @classmethod
    def from_settings(cls, settings: Settings, stop: threading.Event | None = None) -> RunBudget:
        return cls(
            max_requests=settings.hub_request_budget,
            deadline=time.monotonic() + settings.hub_run_budget_s,
            timeout_s=settings.hub_timeout_s,
            max_retries=settings.hub_max_retries,
            backoff_base_s=settings.hub_backoff_base_s,
            stop=stop or threading.Event(),
        )

    @property
    def remaining_s(self) -> float:
        return self.deadline - time.monotonic()


def retry_delay(response_headers: httpx2.Headers | None, attempt: int, base_s: float) -> float:
    """Seconds to wait before retry ``attempt`` (1-based).

    A 429's ``RateLimit: "api";r=0;t=N`` wins, then ``Retry-After: N``; otherwise exponential
    backoff with full jitter in [base * 2^(attempt-1) / 2, base * 2^(attempt-1)].
    """
    if response_headers is not None:
        match = _RATELIMIT.search(response_headers.get("ratelimit", ""))
        if match and int(match.group(1)) == 0:
            return float(match.group(2))
        retry_after = response_headers.get("retry-after", "").strip()
        if retry_after.isdigit():
            return float(retry_after)
    backoff = min(MAX_WAIT_S, base_s * (2 ** (attempt - 1)))
    return backoff * random.uniform(0.5, 1.0)


def _short(url: httpx2.URL) -> str:
    return f"{url.host}{url.path}"


class BoundedTransport(httpx2.BaseTransport):
    """Wraps the real transport with budgets, timeouts and retries (see the module docstring)."""

    def __init__(self, budget: RunBudget, inner: httpx2.BaseTransport | None = None) -> None:
        self.budget = budget
        self.inner = inner or httpx2.HTTPTransport()

    def _check(self, request: httpx2.Request) -> float:
        budget = self.budget
        if budget.stop.is_set():
            raise RunStopped("stopped before the run finished")
        if budget.requests >= budget.max_requests - budget.reserve:
            raise BudgetExhausted(
                f"request budget of {budget.max_requests} exhausted (HUB_REQUEST_BUDGET"
                + (f", {budget.reserve} kept for the next sources" if budget.reserve else "")
                + f") at {_short(request.url)}"
            )
        remaining = budget.remaining_s
        if remaining <= 0:
            raise HubError(f"run time budget exhausted (HUB_RUN_BUDGET) at {_short(request.url)}")
        return min(budget.timeout_s, remaining)

    def _wait(self, seconds: float, why: str, request: httpx2.Request) -> None:
        budget = self.budget
        if seconds >= budget.remaining_s:
            raise HubError(
                f"{why} at {_short(request.url)}; waiting {seconds:.0f}s more would exceed the run time budget"
            )
        log.warning("%s at %s; retrying in %.1fs", why, _short(request.url), seconds)
        budget.waited_s += seconds
        if budget.stop.wait(seconds):
            raise RunStopped("stopped before the run finished")

    def _read(self, response: httpx2.Response, request: httpx2.Request) -> bytes:
        """The whole body; a body that trickles in past the run's deadline is cut off."""
        chunks = []
        for chunk in response.iter_raw():
            chunks.append(chunk)
            if self.budget.remaining_s <= 0:
                raise HubError(f"run time budget exhausted (HUB_RUN_BUDGET) while reading {_short(request.url)}")
            if self.budget.stop.is_set():
                raise RunStopped("stopped before the run finished")
        return b"".join(chunks)

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        budget = self.budget
        attempt = 0
        while True:
            attempt += 1
            timeout = self._check(request)
            request.extensions["timeout"] = {"connect": timeout, "read": timeout, "write": timeout, "pool": timeout}
            budget.requests += 1
            problem: str
            headers: httpx2.Headers | None = None
            try:
                response = self.inner.handle_request(request)
                try:
                    raw = self._read(response, request)
                finally:
                    response.close()
            except (httpx2.TimeoutException, httpx2.NetworkError, httpx2.RemoteProtocolError) as exc:
                problem = f"{type(exc).__name__} ({str(exc)[:120] or 'no detail'})"
            else:
                fresh = httpx2.Response(
                    response.status_code,
                    headers=response.headers,
                    content=raw,
                    request=request,
                    extensions=response.extensions,
                )
                if fresh.status_code in RETRY_STATUS:
                    problem, headers = f"HTTP {fresh.status_code}", fresh.headers
                elif not _json_ok(fresh, request):
                    problem = "malformed JSON"
                else:
                    return fresh
            if attempt > budget.max_retries:
                tries = f"{attempt} attempt" + ("s" if attempt > 1 else "")
                raise HubError(
                    mask_secrets(f"the Hub is unavailable: {problem} from {_short(request.url)} after {tries}")
                )
            budget.retries += 1
            self._wait(retry_delay(headers, attempt, budget.backoff_base_s), problem, request)

    def close(self) -> None:
        self.inner.close()


def _json_ok(response: httpx2.Response, request: httpx2.Request) -> bool:
    """A 200 that claims JSON must parse: a truncated or garbled body is retried, not trusted."""
    if request.method != "GET" or response.status_code != 200:
        return True
    if "json" not in response.headers.get("content-type", ""):
        return True
    try:
        json.loads(response.read())
    except (ValueError, httpx2.DecodingError):
        return False
    return True


@contextlib.contextmanager
def hub_session(budget: RunBudget, *, telemetry: bool = False) -> Iterator[RunBudget]:
    """Route every huggingface_hub request through a :class:`BoundedTransport` for one run.

    ``telemetry`` (``Settings.hub_telemetry``) leaves huggingface_hub's telemetry on.
    """
    from huggingface_hub import constants
    from huggingface_hub.utils import _http as hf_http
    from huggingface_hub.utils import set_client_factory

    def factory() -> httpx2.Client:
        return httpx2.Client(
            transport=BoundedTransport(budget),
            event_hooks={"request": [hf_http.hf_request_event_hook]},
            follow_redirects=True,
            timeout=budget.timeout_s,
        )

    # No telemetry unless asked for: with it, huggingface_hub also fetches an "agent harness"
    # registry from its import-time endpoint, an extra request outside the run's plan.
    disabled_before = constants.HF_HUB_DISABLE_TELEMETRY
    if not telemetry:
        constants.HF_HUB_DISABLE_TELEMETRY = True
    set_client_factory(factory)
    try:
        yield budget
    finally:
        set_client_factory(hf_http.default_client_factory)
        constants.HF_HUB_DISABLE_TELEMETRY = disabled_before
