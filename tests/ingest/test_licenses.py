"""License rules: one rule per family, unknown when unnamed, research-only is non-commercial."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.formats import parse_v1_2023
from ingest.hub import resolve_other_license
from ingest.normalize import BadValue, license_category, normalize_license


@pytest.mark.parametrize(
    ("raw", "category"),
    [
        ("openrail", "custom"),
        ("openrail++", "custom"),  # one family, one category
        ("creativeml-openrail-m", "custom"),
        ("bigscience-bloom-rail-1.0", "custom"),
        ("cc", "unknown"),  # no version: CC0 or CC BY-NC-ND?
        ("cc-by-4.0", "permissive"),
        ("cc-by-nc-4.0", "non-commercial"),
        ("Microsoft Research License", "non-commercial"),  # Orca 2
        ("intel-research", "non-commercial"),
        ("mistral research", "non-commercial"),
        ("apache-2.0", "permissive"),
        ("llama3", "custom"),
        (None, "unknown"),
    ],
)
def test_categories(raw, category):
    assert license_category(normalize_license(raw)) == category


@settings(deadline=None, max_examples=200)
@given(st.sampled_from(["openrail", "bigcode-openrail-m", "openrail++", "creativeml-openrail-m"]), st.text(max_size=3))
def test_every_openrail_spelling_is_one_category(name, noise):
    assert license_category(normalize_license(name)) == "custom"
    assert license_category(normalize_license(f"{name}{noise}".strip() or name)) in ("custom", "unknown")


def test_an_other_license_is_named_by_the_card():
    # The Hub's own example (docs/hub model cards: coqui/XTTS-v1).
    assert resolve_other_license("other", "coqui-public-model-license", "https://coqui.ai/cpml") == (
        "coqui-public-model-license"
    )
    assert resolve_other_license("other", None, "LICENSE") == "other"  # a link names no terms we can read
    assert resolve_other_license("mit", "whatever", None) == "mit"
    assert license_category(resolve_other_license("other", "Microsoft Research License", None)) == "non-commercial"


def test_the_baseline_row_is_rejected():
    row = {"Model": "Baseline", "Average ⬆️": "25.0", "ARC (25-shot) ⬆️": "25.0"}
    with pytest.raises(BadValue, match="Baseline"):
        parse_v1_2023(row)
