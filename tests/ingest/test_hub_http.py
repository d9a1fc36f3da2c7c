"""How long the bounded transport waits before a retry."""

from __future__ import annotations

import httpx2

from ingest.http import retry_delay


def headers(**items: str) -> httpx2.Headers:
    return httpx2.Headers({k.replace("_", "-"): v for k, v in items.items()})


def test_ratelimit_reset_wins_when_the_bucket_is_empty():
    # The Hub's documented header pair (hub-docs rate-limits.md).
    h = headers(RateLimit='"api";r=0;t=55', RateLimit_Policy='"fixed window";"api";q=500;w=300', Retry_After="7")
    assert retry_delay(h, 1, 1.0) == 55.0


def test_retry_after_when_the_ratelimit_bucket_is_not_the_cause():
    h = headers(RateLimit='"api";r=12;t=55', Retry_After="7")
    assert retry_delay(h, 3, 1.0) == 7.0


def test_exponential_backoff_with_jitter_otherwise():
    for attempt in range(1, 6):
        ceiling = min(60.0, 0.5 * 2 ** (attempt - 1))
        delays = {retry_delay(headers(), attempt, 0.5) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jittered


def test_an_http_date_retry_after_falls_back_to_backoff():
    delay = retry_delay(headers(Retry_After="Wed, 21 Oct 2015 07:28:00 GMT"), 1, 1.0)
    assert 0.5 <= delay <= 1.0
