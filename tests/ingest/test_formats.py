"""Every real format: detection, normalisation, rejected rows and whole-file errors."""

from __future__ import annotations

import csv
import datetime as dt
import io
import lzma
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from core.errors import InputError, UnknownFormatError, WrongSourceError
from ingest.formats import date_from_name, parse_file
from tests.conftest import seed_snapshots

V1, V2, ARENA = "open-llm-leaderboard-v1", "open-llm-leaderboard-v2", "lmarena"


def seed_file(board: str, day: str) -> Path:
    return next(p for p in seed_snapshots(board) if p.name.startswith(day))


def rows_of(path: Path) -> tuple[list[str], list[list[str]]]:
    text = lzma.decompress(path.read_bytes()).decode("utf-8-sig")
    reader = list(csv.reader(io.StringIO(text)))
    return reader[0], reader[1:]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def entry(parsed, repo: str, precision: str | None = None):
    found = [e for e in parsed.entries if e.facts.repo_id.lower() == repo.lower()]
    if precision:
        found = [e for e in found if e.precision == precision]
    assert found, repo
    return found[0]


@pytest.mark.parametrize(
    ("board", "day", "fmt"),
    [
        (V1, "2023-05-26", "open-llm-leaderboard-v1/2023"),
        (V1, "2023-07-14", "open-llm-leaderboard-v1/2023"),
        (V1, "2024-07-07", "open-llm-leaderboard-v1/final"),
        (V2, "2024-07-13", "open-llm-leaderboard-v2/gradio"),
        (V2, "2024-12-02", "open-llm-leaderboard-v2/gradio"),
        (V2, "2025-03-21", "open-llm-leaderboard-v2/api"),
        (ARENA, "2024-06-19", "lmarena/scrape-elo"),
        (ARENA, "2025-07-18", "lmarena/scrape"),
    ],
)
def test_detects_every_real_format(board, day, fmt):
    parsed = parse_file(seed_file(board, day), expected_leaderboard=board)
    assert parsed.format == fmt
    assert parsed.leaderboard == board
    assert len(parsed.entries) + len(parsed.rejections) == parsed.rows_read > 40


def test_v1_final_normalises_inverted_flags_and_rounded_params():
    parsed = parse_file(seed_file(V1, "2024-07-07"))
    llama = entry(parsed, "meta-llama/Llama-2-7b-hf", "float16")
    # merged/flagged/moe are TRUE for plain models in this archive: stored the right way round.
    assert (llama.facts.is_merged, llama.facts.is_flagged, llama.facts.is_moe) == (False, False, False)
    assert llama.facts.params_b == 6 and llama.facts.params_source.startswith("open-llm-leaderboard-v1")
    assert llama.scores["average"] == 50.97 and llama.scores["gsm8k"] == 14.48
    assert llama.facts.license == "llama2" and llama.facts.license_category == "custom"
    assert llama.facts.model_type == "pretrained"
    alpaca = entry(parsed, "chavinlo/alpaca-native")
    assert alpaca.facts.on_hub is False
    assert alpaca.facts.params_b is None  # 0 on the board, and no size in the name
    # Read the right way round, most "merge"-typed rows are merged and almost no pretrained one is.
    merges = [e for e in parsed.entries if e.facts.model_type == "merge"]
    pretrained = [e for e in parsed.entries if e.facts.model_type == "pretrained"]
    assert sum(e.facts.is_merged for e in merges) / len(merges) > 0.7
    assert sum(e.facts.is_merged for e in pretrained) / len(pretrained) < 0.05


def test_v2_api_reads_the_inverted_availability_and_exact_scores():
    parsed = parse_file(seed_file(V2, "2025-03-21"))
    zephyr = entry(parsed, "HuggingFaceH4/zephyr-7b-beta")
    assert zephyr.precision == "bfloat16" and zephyr.revision and zephyr.variant.startswith("bfloat16@")
    assert round(zephyr.scores["average"], 2) == 17.79
    assert round(zephyr.scores["ifeval"], 2) == 49.50
    assert zephyr.facts.params_b == 7.242 and zephyr.facts.license == "mit"
    assert zephyr.facts.base_model == "mistralai/Mistral-7B-v0.1"
    assert zephyr.facts.created_date == dt.date(2023, 10, 26)
    yi = entry(parsed, "01-ai/Yi-1.5-34B")
    assert yi.facts.on_hub is True  # "features_is_not_available_on_hub" is TRUE for it
    assert entry(parsed, "tiiuae/falcon-7b").facts.base_model is None  # base model = itself


def test_v2_gradio_types_and_flags():
    parsed = parse_file(seed_file(V2, "2024-07-13"))
    qwen = entry(parsed, "Qwen/Qwen2-72B-Instruct")
    assert qwen.scores["average"] == 42.49 and qwen.scores["mmlu_pro"] == 48.92
    assert (qwen.facts.is_merged, qwen.facts.is_flagged, qwen.facts.is_moe) == (False, False, False)
    assert qwen.facts.model_type == "chat"
    assert qwen.facts.created_date == dt.date(2024, 5, 28)


def test_v1_2023_ignores_the_fake_parameters_column_and_reads_flagged_rows():
    parsed = parse_file(seed_file(V1, "2023-05-26"))
    falcon = entry(parsed, "tiiuae/falcon-40b")
    assert falcon.scores == {"average": 60.4, "arc": 61.9, "hellaswag": 85.3, "mmlu": 52.7, "truthfulqa": 41.7}
    assert falcon.facts.params_b == 40.0 and falcon.facts.params_source == "name (estimate)"
    flagged = parse_file(seed_file(V1, "2023-09-04"))
    trurl = entry(flagged, "Aspik101/trurl-2-13b-pl-instruct_unload")
    assert trurl.facts.is_flagged is True


def test_v1_2023_row_with_an_empty_benchmark_keeps_the_rest():
    parsed = parse_file(seed_file(V1, "2023-06-10"))
    gpt2 = entry(parsed, "vicgalle/gpt2-alpaca-gpt4")
    assert "truthfulqa" not in gpt2.scores and gpt2.scores["average"] == 29.8


def test_duplicates_keep_the_best_row_with_a_reason():
    parsed = parse_file(seed_file(V1, "2023-08-25"))
    dups = [r for r in parsed.rejections if r.reason.startswith("duplicate")]
    assert dups and all("kept the higher score" in r.reason for r in dups)
    keys = [(e.facts.repo_id.lower(), e.variant) for e in parsed.entries]
    assert len(keys) == len(set(keys))


def test_arena_both_generations():
    old = parse_file(seed_file(ARENA, "2024-06-19"))
    gpt4o = entry(old, "GPT-4o-2024-05-13")
    # the scrape's own rank column is the Arena's rank (row 1 of the file)
    assert gpt4o.scores == {"arena_score": 1287.0, "votes": 42046.0, "ci_plus": 3.0, "ci_minus": 3.0, "arena_rank": 1.0}
    assert gpt4o.facts.license == "proprietary" and gpt4o.facts.license_category == "proprietary"
    assert gpt4o.facts.org == "OpenAI"
    new = parse_file(seed_file(ARENA, "2025-07-18"))
    assert entry(new, "Gemini-2.5-Pro").scores["arena_score"] == 1474.0
    licenses = {e.facts.license for e in new.entries}
    assert "apache-2.0" in licenses and "Apache 2.0" not in licenses


def test_contents_parquet_built_from_real_rows(tmp_path):
    header, rows = rows_of(seed_file(V2, "2025-03-21"))
    col = {name: i for i, name in enumerate(header)}
    picked = [r for r in rows if r[col["model_name"]] in ("HuggingFaceH4/zephyr-7b-beta", "microsoft/phi-2")]

    def c(r, name):
        return r[col[name]]

    table = {
        "eval_name": [c(r, "id") for r in picked],
        "Precision": [c(r, "model_precision") for r in picked],
        "Type": [c(r, "model_type") for r in picked],
        "Architecture": [c(r, "model_architecture") for r in picked],
        "Model": [f'<a href="https://huggingface.co/{c(r, "model_name")}">{c(r, "model_name")}</a>' for r in picked],
        "fullname": [c(r, "model_name") for r in picked],
        "Model sha": [c(r, "model_sha") for r in picked],
        "Average ⬆️": [float(c(r, "model_average_score")) for r in picked],
        "Hub License": [c(r, "metadata_hub_license") for r in picked],
        "#Params (B)": [float(c(r, "metadata_params_billions")) for r in picked],
        "Available on the hub": [c(r, "features_is_not_available_on_hub") == "TRUE" for r in picked],
        "Merged": [c(r, "features_is_merged") == "TRUE" for r in picked],
        "MoE": [c(r, "features_is_moe") == "TRUE" for r in picked],
        "Flagged": [c(r, "features_is_flagged") == "TRUE" for r in picked],
        "Upload To Hub Date": [c(r, "metadata_upload_date") for r in picked],
        "Base Model": [c(r, "metadata_base_model") for r in picked],
    }
    for key, name in (
        ("IFEval", "ifeval"),
        ("BBH", "bbh"),
        ("MATH Lvl 5", "math"),
        ("GPQA", "gpqa"),
        ("MUSR", "musr"),
        ("MMLU-PRO", "mmlu_pro"),
    ):
        table[key] = [float(c(r, f"evaluations_{name}_normalized_score")) for r in picked]
        table[f"{key} Raw"] = [float(c(r, f"evaluations_{name}_value")) for r in picked]
    path = tmp_path / "contents-2025-03-21.parquet"
    pq.write_table(pa.table(table), path)
    parsed = parse_file(path, expected_leaderboard=V2)
    assert parsed.format == "open-llm-leaderboard-v2/contents"
    phi = entry(parsed, "microsoft/phi-2")
    assert phi.facts.params_b == 2.78 and phi.facts.license_category == "permissive"
    assert round(phi.scores["average"], 2) == 15.53
    assert entry(parsed, "HuggingFaceH4/zephyr-7b-beta").facts.base_model == "mistralai/Mistral-7B-v0.1"


def test_bad_rows_are_rejected_with_reasons(tmp_path):
    header, rows = rows_of(seed_file(V1, "2023-05-26"))
    good = rows[:10]
    bad = [list(rows[10]) for _ in range(6)]
    bad[0][1] = "sixty"  # text where a number belongs
    bad[1][1] = "NaN"
    bad[2][1] = "-3"
    bad[3][1] = "101.5"
    bad[4][0] = ""  # empty model id
    bad[5][0] = "meta-llаma/Llama-2-7b-hf"  # Cyrillic "а"
    path = write_csv(tmp_path / "2023-05-26.csv", header, good + bad)
    parsed = parse_file(path)
    reasons = [r.reason for r in parsed.rejections]
    assert len(parsed.entries) == 10 and len(reasons) == 6
    assert "not a number" in reasons[0]
    assert "NaN" in reasons[1]
    assert "below 0" in reasons[2]
    assert "above 100" in reasons[3]
    assert "empty model id" in reasons[4]
    assert "non-ASCII" in reasons[5]
    assert all(r.raw for r in parsed.rejections)


def test_whole_file_errors_are_clear(tmp_path):
    header, rows = rows_of(seed_file(V2, "2024-07-13"))
    unknown = write_csv(tmp_path / "2024-01-01.csv", ["name", "score"], [["a", "1"]])
    with pytest.raises(UnknownFormatError, match="unknown format"):
        parse_file(unknown)
    full = write_csv(tmp_path / "2024-07-13.csv", header, rows)
    text = full.read_text(encoding="utf-8")
    truncated = tmp_path / "2024-07-14.csv"
    truncated.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(InputError, match="truncated"):
        parse_file(truncated)
    with pytest.raises(WrongSourceError, match="not lmarena"):
        parse_file(full, expected_leaderboard=ARENA)
    empty = tmp_path / "2024-07-15.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        parse_file(empty)
    header_only = write_csv(tmp_path / "2024-07-16.csv", header, [])
    with pytest.raises(InputError, match="no data rows"):
        parse_file(header_only)
    latin = tmp_path / "2024-07-17.csv"
    latin.write_bytes(",".join(header).encode() + b"\n" + "caf\xe9".encode("latin-1") + b"\n")
    with pytest.raises(InputError, match="not UTF-8"):
        parse_file(latin)
    binary = tmp_path / "2024-07-18.csv"
    binary.write_bytes(b"\x00\x01\x02PK\x03\x04" * 100)
    with pytest.raises(InputError, match="binary"):
        parse_file(binary)
    with pytest.raises(InputError, match="no such file"):
        parse_file(tmp_path / "missing-2024-07-19.csv")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("2024-07-13.csv", dt.date(2024, 7, 13)),
        ("huggingface_v2_20241211.csv.gz", dt.date(2024, 12, 11)),
        ("lmarena-2025-07-18-final.csv", dt.date(2025, 7, 18)),
        ("board-2024-13-45-then-20240102.csv", dt.date(2024, 1, 2)),
        ("no-date.csv", None),
    ],
)
def test_date_from_file_name(name, expected):
    assert date_from_name(Path(name)) == expected


def test_packed_weight_repos_get_their_base_models_count():
    parsed = parse_file(seed_file(V2, "2025-03-21"))
    packed = entry(parsed, "unsloth/phi-4-bnb-4bit")
    # The board lists the packed 4-bit tensors (8.06 B); microsoft/phi-4 is on the same board.
    assert packed.facts.params_b == entry(parsed, "microsoft/phi-4").facts.params_b == 14.66
    assert "base model microsoft/phi-4" in packed.facts.params_source
    assert entry(parsed, "microsoft/phi-4").facts.params_source == "open-llm-leaderboard-v2"
