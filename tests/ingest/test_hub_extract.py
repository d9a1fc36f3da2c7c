"""Normalising real Hub answers: parameters, licenses, base models, model-card results."""

from __future__ import annotations

import json

import pytest
from huggingface_hub.hf_api import ModelInfo
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.hub import (
    HubRecord,
    base_model_of,
    card_scores,
    license_of,
    params_of,
    record_from_info,
)
from testing.fakehub import FIXTURES, load_model_bodies


def info(repo_id: str) -> ModelInfo:
    return ModelInfo(**load_model_bodies()[repo_id.lower()])


def test_zephyr_facts_from_the_real_body():
    record = record_from_info(info("HuggingFaceH4/zephyr-7b-beta"))
    facts = record.facts
    assert facts.params_b == pytest.approx(7.241732096)
    assert facts.params_source == "safetensors"
    assert facts.params_is_estimate is False
    assert facts.license == "mit"
    assert facts.license_category == "permissive"
    assert facts.base_model == "mistralai/Mistral-7B-v0.1"
    assert facts.architecture == "MistralForCausalLM"
    assert facts.pipeline_tag == "text-generation"
    assert facts.created_date.isoformat() == "2023-10-26"
    assert record.sha and record.status == "ok"


def test_zephyr_model_card_results_map_to_the_model_card_board():
    scores = card_scores(info("HuggingFaceH4/zephyr-7b-beta"))
    # The card's own numbers (Open LLM Leaderboard v1 via model-index).
    assert scores["arc"] == pytest.approx(62.03071672354948, abs=1e-5)
    assert scores["hellaswag"] == pytest.approx(84.35570603465445, abs=1e-5)
    assert scores["mmlu"] == pytest.approx(61.07)
    assert scores["truthfulqa"] == pytest.approx(57.44916942762855, abs=1e-5)
    assert scores["winogrande"] == pytest.approx(77.7426992896606, abs=1e-5)
    assert scores["gsm8k"] == pytest.approx(12.736921910538287, abs=1e-5)
    assert scores["drop"] == pytest.approx(9.66243708053691, abs=1e-5)
    six = [scores[k] for k in ("arc", "hellaswag", "mmlu", "truthfulqa", "winogrande", "gsm8k")]
    assert scores["average"] == pytest.approx(sum(six) / 6, abs=1e-5)
    # AlpacaEval and MT-Bench are not benchmarks of this board.
    assert set(scores) == {"arc", "hellaswag", "mmlu", "truthfulqa", "winogrande", "gsm8k", "drop", "average"}


def test_a_card_without_results_has_no_scores():
    assert card_scores(info("gpt2")) == {}


def test_license_falls_back_to_the_license_tag():
    body = dict(load_model_bodies()["meta-llama/llama-3.1-8b-instruct"])
    assert license_of(ModelInfo(**body)) == "llama3.1"
    body.pop("cardData")
    assert "license:llama3.1" in body["tags"]
    assert license_of(ModelInfo(**body)) == "llama3.1"


def test_base_model_from_tags_when_the_card_has_none():
    body = dict(load_model_bodies()["huggingfaceh4/zephyr-7b-beta"])
    body["cardData"] = {k: v for k, v in body["cardData"].items() if k != "base_model"}
    assert base_model_of(ModelInfo(**body))[0] == "mistralai/Mistral-7B-v0.1"


def test_no_safetensors_falls_back_to_a_marked_name_estimate():
    body = dict(load_model_bodies()["huggingfaceh4/zephyr-7b-beta"])
    body.pop("safetensors")
    params_b, source, estimate, _ = params_of(ModelInfo(**body))
    assert (params_b, source, estimate) == (7.0, "name (estimate)", True)


@settings(deadline=None)  # the machine's load decides the time, not the property
@given(unpacked=st.integers(0, 10**10), packed=st.integers(1, 10**9), bits=st.sampled_from([2, 4, 8]))
def test_packed_gptq_counts_are_unpacked_from_quantization_config(unpacked, packed, bits):
    # No recorded GPTQ body is available: the arithmetic is checked for any split of a checkpoint
    # into unpacked F16 tensors and int32 tensors that each pack 32/bits values.
    body = json.loads(json.dumps(load_model_bodies()["huggingfaceh4/zephyr-7b-beta"]))
    body["config"]["quantization_config"] = {"quant_method": "gptq", "bits": bits}
    body["safetensors"] = {"parameters": {"F16": unpacked, "I32": packed}, "total": unpacked + packed}
    params_b, source, estimate, base = params_of(ModelInfo(**body))
    assert params_b == pytest.approx((unpacked + packed * (32 // bits)) / 1e9)
    assert source.startswith("hub: config") and estimate is True
    assert base == "mistralai/Mistral-7B-v0.1"  # the writer prefers the base model's own count


def test_a_quantized_repo_without_packed_tensors_keeps_its_safetensors_count():
    body = json.loads(json.dumps(load_model_bodies()["huggingfaceh4/zephyr-7b-beta"]))
    body["config"]["quantization_config"] = {"quant_method": "fp8"}
    params_b, source, estimate, _ = params_of(ModelInfo(**body))
    assert (params_b, source, estimate) == (pytest.approx(7.241732096), "safetensors", False)


def test_a_record_round_trips_through_the_stage_format():
    record = record_from_info(info("HuggingFaceH4/zephyr-7b-beta"))
    again = HubRecord.from_json(record.to_json())
    assert again == record


def test_the_renamed_repo_fixture_is_the_real_recording():
    text = (FIXTURES / "cassettes" / "InferenceApiTest.test_simple_inference@ee0a4510.yaml").read_text()
    assert "code: 307" in text and "/api/models/google-bert/bert-base-uncased" in text
