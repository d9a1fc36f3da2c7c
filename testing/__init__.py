"""Test doubles and helpers shared by ``tests/``, ``bench/`` and ``scripts/`` (not shipped in the wheel)."""
