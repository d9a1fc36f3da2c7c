"""The one rule for an "as of" day, shared by the dashboard and ``python -m db`` (pure)."""

from __future__ import annotations

import datetime as dt


def future_as_of(day: dt.date, today: dt.date | None = None) -> str | None:
    """A message when ``day`` is after today (no board can be shown as of then), else None."""
    today = today or dt.date.today()
    if day > today:
        return f"the 'as of' date {day.isoformat()} is in the future (today is {today.isoformat()})"
    return None


def before_first(day: dt.date, dates: list[dt.date]) -> str | None:
    """A message when ``day`` is before a board's first snapshot (the board was empty then)."""
    if dates and day < dates[0]:
        return f"the board had no snapshot yet on {day.isoformat()}; its first is from {dates[0].isoformat()}"
    return None
