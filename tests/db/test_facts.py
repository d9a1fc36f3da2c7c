"""db/facts.py: the table of size sources, precedence and plausibility (pure, property-tested)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db import facts
from db.facts import NameHint, Size
from db.ranking import ranks_in_order, tie_ranks

SOURCES = [
    ("safetensors", "exact"),
    ("corrected: count of base model a/b", "corrected"),
    ("open-llm-leaderboard-v2", "board-decimal"),
    ("open-llm-leaderboard-v1 (rounded)", "floor"),
    ("name (estimate)", "name"),
]


def test_the_table_classifies_every_source():
    assert facts.classify(6.738, "open-llm-leaderboard-v2") == "board-decimal"
    assert facts.classify(7.0, "open-llm-leaderboard-v2") == "name"  # a whole number: the board's guess
    assert facts.classify(6.0, "open-llm-leaderboard-v1 (rounded)") == "floor"
    assert facts.classify(7.241732096, "seed: safetensors.total") == "exact"
    assert facts.classify(6.0, "seed: params_b (rounded to a whole number)") == "floor"
    assert facts.classify(7.0, "seed: arXiv 2309.03450 (XGen-7B technical report): 7B parameters") == "name"
    assert facts.classify(8.0, "corrected: count of base model x/y") == "corrected"
    assert facts.classify(None, "safetensors") is None


def test_a_precise_value_inside_the_floor_wins():
    floor = Size(3.0, "open-llm-leaderboard-v1 (rounded)", "floor")
    named = Size(3.8, "name (estimate)", "name")
    won = facts.prefer(floor, named)
    assert (won.value, won.confidence) == (3.8, "name") and "inside the floor" in won.source
    assert facts.prefer(named, floor).value == 3.8  # in either order
    # A later value of the name's own rank does not undo what the floor settled.
    assert facts.prefer(won, Size(3.0, "name (estimate)", "name")) is won
    outside = Size(7.0, "name (estimate)", "name")
    assert facts.prefer(Size(6.0, "open-llm-leaderboard-v1 (rounded)", "floor"), outside).value == 6.0
    decimal = Size(6.738, "open-llm-leaderboard-v2", "board-decimal")
    assert facts.prefer(Size(6.0, "open-llm-leaderboard-v1 (rounded)", "floor"), decimal) is decimal


sizes = st.builds(
    lambda value, src: Size(value, src[0], src[1]),
    st.floats(0.05, 500).map(lambda v: round(v, 3)),
    st.sampled_from(SOURCES),
)


@settings(deadline=None, max_examples=300)
@given(st.lists(sizes, min_size=1, max_size=6), st.randoms())
def test_precedence_does_not_depend_on_arrival_order_between_ranks(items, rnd):
    """The winner's confidence is the best on offer (a floor loses only to a value inside it)."""
    shuffled = list(items)
    rnd.shuffle(shuffled)
    held = Size(None)
    for item in shuffled:
        held = facts.prefer(held, item)
    best = max(facts.CONFIDENCE_RANKS[s.confidence] for s in items)
    got = facts.CONFIDENCE_RANKS[held.confidence]
    assert got == best or (held.confidence == "name" and any(facts.inside_floor(f, held) for f in items))
    # Where one value holds the best rank (and no floor is refined), that value wins in any order;
    # between equals of one rank the newest read wins by design.
    top = {s.value for s in items if facts.CONFIDENCE_RANKS[s.confidence] == best}
    if len(top) == 1 and not any(s.confidence == "floor" for s in items):
        assert held.value == next(iter(top))


@settings(deadline=None, max_examples=200)
@given(sizes, sizes)
def test_prefer_returns_one_of_its_arguments(a, b):
    won = facts.prefer(a, b)
    assert (won.value, won.confidence) in ((a.value, a.confidence), (b.value, b.confidence))
    assert facts.prefer(a, Size(None)) is a and facts.prefer(Size(None), b) is b


@settings(deadline=None, max_examples=200)
@given(value=st.floats(0.1, 200).map(lambda v: round(v, 3)), confidence=st.sampled_from(facts.CONFIDENCES))
def test_bounds_contain_the_value(value, confidence):
    low, high = facts.bounds(value, confidence)
    assert low <= value <= high and (high - low == pytest.approx(1.0) if confidence == "floor" else low == high)


def test_packed_weights_take_the_base_models_size():
    size = Size(8.06, "open-llm-leaderboard-v2", "board-decimal")
    base = Size(14.66, "open-llm-leaderboard-v2", "board-decimal")
    out = facts.assess(size, repo_id="unsloth/phi-4-bnb-4bit", base=base, base_id="microsoft/phi-4")
    assert out.confidence == "corrected" and out.value == 14.66
    assert "packed" in out.note and "microsoft/phi-4" in out.note
    # Without a known base: doubtful when the name says much more.
    alone = facts.assess(
        Size(1.848, "open-llm-leaderboard-v2", "board-decimal"),
        repo_id="iFaz/llama32_3B_en_emo_v2-bnb-4bit",
        name=NameHint(3.0, text="3B"),
    )
    assert alone.confidence == "doubtful"


def test_an_adapter_counted_with_its_base_is_corrected():
    base = Size(7.242, "open-llm-leaderboard-v2", "board-decimal")
    out = facts.assess(
        Size(14.483, "open-llm-leaderboard-v2", "board-decimal"),
        repo_id="FuJhen/mistral_7b_v0.1_structedData_viggo",
        base=base,
        base_id="mistralai/Mistral-7B-v0.1",
        name=NameHint(7.0, text="7b"),
    )
    assert out.confidence == "corrected" and out.value == 7.242 and "2.00x" in out.note


def test_disagreement_with_the_name_and_absurd_values_are_doubtful():
    out = facts.assess(
        Size(4.015, "open-llm-leaderboard-v2", "board-decimal"),
        repo_id="T145/ZEUS-8B-V2",
        name=NameHint(8.0, text="8B"),
    )
    assert out.confidence == "doubtful" and "8B" in out.note
    # Names round: Falcon3-1B really has 1.67 B.
    ok = facts.assess(
        Size(1.669, "open-llm-leaderboard-v2", "board-decimal"), repo_id="tiiuae/Falcon3-1B", name=NameHint(1.0)
    )
    assert ok.confidence == "board-decimal"
    tiny = facts.assess(
        Size(0.007, "open-llm-leaderboard-v2", "board-decimal"), repo_id="x/llama-merge", is_merged=True
    )
    assert tiny.confidence == "doubtful"
    moe = facts.assess(
        Size(56.0, "name (estimate)", "name"), repo_id="x/Mixtral-8x7B", name=NameHint(None, True, 56.0, "8x7B")
    )
    assert moe.confidence == "doubtful"
    # An exact count from the weights is kept.
    exact = facts.assess(Size(4.015, "safetensors", "exact"), repo_id="x/y-8B", name=NameHint(8.0))
    assert exact.confidence == "exact"


@settings(deadline=None, max_examples=300)
@given(sizes, st.sampled_from(["a/Model-7B", "a/thing", "a/Model-8x7B", "a/m-3B-gptq", "a/m-lora"]))
def test_assess_is_idempotent(size, repo):
    from ingest.sizes import parse_name_size

    parsed = parse_name_size(repo)
    hint = NameHint(parsed.total_b, parsed.is_moe, parsed.upper_b, parsed.text) if parsed else None
    once = facts.assess(size, repo_id=repo, name=hint)
    again = facts.assess(once, repo_id=repo, name=hint)
    assert (again.value, again.confidence) == (once.value, once.confidence)
    assert once.confidence in facts.CONFIDENCES


def test_claims_are_judged_with_the_measurements_uncertainty():
    assert facts.judge_claim(7.0, Size(6.74, "safetensors", "exact")) == "matches"
    assert facts.judge_claim(7.0, Size(6.0, "open-llm-leaderboard-v1 (rounded)", "floor")) == "matches"
    assert facts.judge_claim(13.0, Size(2.78, "open-llm-leaderboard-v2", "board-decimal")) == "overstated 4.7x"
    assert facts.judge_claim(1.3, Size(6.74, "seed", "board-decimal")) == "understated 5.2x"
    assert facts.judge_claim(7.0, Size(56.0, "name", "doubtful")).startswith("cannot tell")


def test_ranks_with_ties():
    assert ranks_in_order([9.0, 8.0, 8.0, 7.0]).tolist() == [1, 2, 2, 4]
    assert tie_ranks([7.0, 9.0, 8.0, 8.0]).tolist() == [4, 1, 2, 2]
    assert tie_ranks([1.0, 2.0, 2.0, 3.0], higher_is_better=False).tolist() == [1, 2, 2, 4]


@settings(deadline=None, max_examples=200)
@given(st.lists(st.integers(0, 5), min_size=1, max_size=30))
def test_tie_ranks_are_competition_ranks(values):
    ranks = tie_ranks(values)
    for v, r in zip(values, ranks, strict=True):
        assert r == 1 + sum(1 for w in values if w > v)
    ordered = sorted(values, reverse=True)
    assert ranks_in_order(ordered).tolist() == sorted(ranks.astype(int).tolist())


def test_params_changes_write_the_winner():
    row = {"params_b": 3.0, "params_source": "open-llm-leaderboard-v1 (rounded)", "params_is_estimate": True}
    changes = facts.params_changes(row, 3.8, "name (estimate)", True)
    assert changes["params_b"] == 3.8 and "inside the floor of" in changes["params_source"]
    assert changes["params_confidence"] == "name"
    row.update(changes)
    assert facts.params_changes(row, 3.0, "open-llm-leaderboard-v1 (rounded)", True) == {}
    assert facts.params_changes(row, 3.0, "name (estimate)", True) == {}
    assert facts.params_changes(row, 3.821, "open-llm-leaderboard-v2", False)["params_b"] == 3.821
    assert facts.params_changes({"params_b": None}, None, None, False) == {}


def test_a_recurring_half_count_is_a_packed_signature():
    pairs = [(7.383, 14.0)] * 3 + [(7.383, None), (7.616, 7.0), (4.015, 8.0), (4.015, 8.0)]
    signatures = facts.packed_signatures(pairs)
    assert signatures == {7.383: (3, 14.0)}  # 4.015 has only two witnesses here
    size = Size(7.383, "open-llm-leaderboard-v2", "board-decimal")
    out = facts.assess(size, repo_id="sometimesanotion/IF-reasoning-experiment-40", packed_twins=signatures[7.383])
    assert out.confidence == "doubtful" and "packed" in out.note
    named = facts.assess(size, repo_id="x/Model-7B", name=NameHint(7.0), packed_twins=signatures[7.383])
    assert named.confidence == "board-decimal"  # the name says 7B: consistent, not a twin
