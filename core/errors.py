"""Every error the project raises on purpose, in one small hierarchy.

The command-line edges (``python -m db``, ``python -m ingest``) turn these into a one-line
message and a non-zero exit; anything else is a bug.
"""


class TrackerError(Exception):
    """Base class: an expected failure with a message fit to show a person."""


class ConfigError(TrackerError):
    """A setting (environment variable or command-line flag) has an invalid value."""


class DatabaseError(TrackerError):
    """The database cannot be opened, created or upgraded."""


class InputError(TrackerError):
    """An input file cannot be read as leaderboard data at all (the whole file is refused)."""


class UnknownFormatError(InputError):
    """A file's header matches none of the formats the importers know."""


class WrongSourceError(InputError):
    """A file is in a known format, but of another source than the one asked for."""


class NotFoundError(TrackerError):
    """A model, leaderboard or benchmark that was asked for does not exist in the database."""


class HubError(TrackerError):
    """The Hugging Face Hub could not be read within the run's time and request budget."""


class LockedError(TrackerError):
    """Another ingest run holds the lock."""
