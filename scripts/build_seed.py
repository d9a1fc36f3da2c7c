"""Build the bundled seed (``data/seed/``) from the real data in ``../shared/data``.

Run once by a maintainer when the shared data changes::

    python scripts/build_seed.py --shared ../shared/data

What it writes, with the provenance of every file in ``data/seed/manifest.json``:

- every leaderboard snapshot, byte for byte, xz-compressed (the importers read .xz);
- ``models.csv``: the facts of the seed models (the product's watchlist), each with its
  source. Values are read from the real files (the Hub API body, the v2 and v1 tables);
  the few that no file holds are transcribed from ``SEED_FACTS.md`` with the source it cites;
- ``claims.csv``: the published claims (``seed_article_claims.csv``), unchanged;
- ``hub/``: the recorded Hub API bodies of seed models, unchanged (with their provenance);
- ``lmarena-history/``: the Arena's 2023-2025 rating history (nakasyou/lmarena-history, MIT) and
  the LMArena Space's ``leaderboard_table_*.csv`` files (apache-2.0), verbatim (xz), and
  ``lmarena-dataset/history-2023-2024.parquet``: that history's publish dates before the first
  Arena scrape, converted into the schema of LMArena's leaderboard dataset (see
  ``arena_history_parquet``); ``data/aliases/lmarena.csv``: the Space tables' Hugging Face links;
- ``tests/fixtures/lmarena-dataset/``: the seed's Arena scrapes converted into that schema
  (``--fixtures`` only rebuilds these, from the seed's own copies).

The application never reads ``../shared``: only this script does.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import lzma
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "seed"

SEED_MODELS = (
    "meta-llama/Llama-2-7b-hf",
    "microsoft/phi-2",
    "microsoft/Orca-2-7b",
    "microsoft/Orca-2-13b",
    "stabilityai/StableBeluga-7B",
    "Salesforce/xgen-7b-8k-base",
    "Qwen/Qwen-1_8B",
    "Qwen/Qwen-7B",
    "Qwen/Qwen-14B",
    "Qwen/Qwen-72B",
    "chavinlo/alpaca-native",
    "mosaicml/mpt-7b",
    "tiiuae/falcon-7b",
    "tiiuae/falcon-40b",
    "HuggingFaceH4/zephyr-7b-beta",
    "mistralai/Mistral-7B-v0.1",
)

V1_FINAL = (
    "open-llm-leaderboard-v1/final-2024-07-07.csv",
    "fboulnois/llm-leaderboard-csv",
    "csv/huggingface.csv",
    "65554a1d",
    "2024-07-07",
)
V2_LAST = "open-llm-leaderboard-v2/snapshots/2025-03-21.csv"
V2_LAST_SRC = "Open LLM Leaderboard v2 snapshot 2025-03-21 (fboulnois/llm-leaderboard-csv @ 0f4e5c69)"
V1_SRC = "Open LLM Leaderboard v1 final table 2024-07-07 (fboulnois/llm-leaderboard-csv @ 65554a1d)"

# Facts no data file holds, transcribed from SEED_FACTS.md with the source it cites there.
CURATED = (
    (
        "microsoft/Orca-2-7b",
        "base_model",
        "meta-llama/Llama-2-7b-hf",
        "Azure/azureml-assets wiki, models-microsoft-Orca-2-7b: 'We start with LLaMA-2-7B or LLaMA-2-13B checkpoint'",
        None,
    ),
    (
        "microsoft/Orca-2-13b",
        "base_model",
        "meta-llama/Llama-2-13b-hf",
        "Azure/azureml-assets wiki, models-microsoft-Orca-2-7b: 'We start with LLaMA-2-7B or LLaMA-2-13B checkpoint'",
        None,
    ),
    (
        "microsoft/Orca-2-7b",
        "license_note",
        "Microsoft Research License",
        "model card: 'Orca 2 is licensed under the Microsoft Research License'",
        "https://huggingface.co/microsoft/Orca-2-7b",
    ),
    (
        "microsoft/Orca-2-13b",
        "license_note",
        "Microsoft Research License",
        "model card: 'Orca 2 is licensed under the Microsoft Research License'",
        "https://huggingface.co/microsoft/Orca-2-13b",
    ),
    (
        "stabilityai/StableBeluga-7B",
        "license",
        "llama2",
        "TheBloke/StableBeluga-7B-GGML card front-matter 'license: llama2'",
        None,
    ),
    ("stabilityai/StableBeluga-7B", "architecture", "LlamaForCausalLM", V1_SRC, None),
    (
        "Salesforce/xgen-7b-8k-base",
        "params_b",
        "7",
        "arXiv 2309.03450 (XGen-7B technical report): 7B parameters, up to 8K sequence length",
        "https://arxiv.org/abs/2309.03450",
    ),
    (
        "Salesforce/xgen-7b-8k-base",
        "license",
        "apache-2.0",
        "Salesforce XGen blog (copy at vuink.com): 'Released under Apache-2.0'",
        None,
    ),
    (
        "Salesforce/xgen-7b-8k-base",
        "release_date",
        "2023-07-03",
        "wallstreetlogic.com, 'Salesforce launches XGen-7B' (2023-07-03)",
        None,
    ),
    ("Salesforce/xgen-7b-8k-base", "model_type", "pretrained", "arXiv 2309.03450", "https://arxiv.org/abs/2309.03450"),
    (
        "Qwen/Qwen-1_8B",
        "params_b",
        "1.8",
        "model card: 1.8B parameters, >2.2T tokens, 8192 context",
        "https://huggingface.co/Qwen/Qwen-1_8B",
    ),
    (
        "Qwen/Qwen-1_8B",
        "release_date",
        "2023-12-01",
        "open-sourced with Qwen-72B at the 2023-12-01 Alibaba Cloud press conference (iacommunidad.com/topic/1575)",
        None,
    ),
    ("Qwen/Qwen-1_8B", "model_type", "pretrained", "model card", "https://huggingface.co/Qwen/Qwen-1_8B"),
    (
        "Qwen/Qwen-7B",
        "license_note",
        "Tongyi Qianwen License (permission required for commercial use)",
        "systems-analysis.ru/eng/Qwen_(Alibaba)",
        None,
    ),
    ("Qwen/Qwen-7B", "release_date", "2023-08", "iacommunidad.com/topic/1575 (open-sourced August 2023)", None),
    ("Qwen/Qwen-14B", "release_date", "2023-09", "iacommunidad.com/topic/1575 (September 2023)", None),
    ("Qwen/Qwen-72B", "release_date", "2023-12-01", "iacommunidad.com/topic/1575 (2023-12-01 press conference)", None),
    (
        "chavinlo/alpaca-native",
        "base_model_note",
        "LLaMA 7B (Meta)",
        "stanford_alpaca model card: 'Alpaca models are instruction-following models finetuned from LLaMA models'",
        None,
    ),
    ("chavinlo/alpaca-native", "release_date", "2023-03", "stanford_alpaca model_card.md: trained in March 2023", None),
    (
        "meta-llama/Llama-2-7b-hf",
        "release_date",
        "2023-07-18",
        "promptengineering.org: 'On July 18th 2023 Meta introduced LLama-2'",
        None,
    ),
    (
        "microsoft/phi-2",
        "params_card",
        "2.7",
        "model card (via leliuga/cohere-configurations models/phi-2/README.md @1937189b): 2.7B, 1.4T tokens",
        None,
    ),
)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def copy_snapshot(src: Path, dest: Path) -> tuple[str, int]:
    data = src.read_bytes()
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(lzma.compress(data, preset=9 | lzma.PRESET_EXTREME))
    rows = max(data.count(b"\n") - 1, 0)
    return sha256_bytes(data), rows


def snapshot_files(shared: Path) -> list[dict]:
    """Every snapshot with its provenance (from ../shared/data/README.md)."""
    files = []
    for src in sorted((shared / "open-llm-leaderboard-v1" / "snapshots-2023").glob("*.csv")):
        files.append(
            {
                "leaderboard": "open-llm-leaderboard-v1",
                "src": src,
                "snapshot_date": src.stem,
                "source_repository": "dsdanielpark/open-llm-leaderboard-report",
                "source_path": f"assets/{src.stem.replace('-', '')}/{src.stem.replace('-', '')}.csv",
                "commit": "42a5fcd5",
            }
        )
    final = shared / V1_FINAL[0]
    files.append(
        {
            "leaderboard": "open-llm-leaderboard-v1",
            "src": final,
            "snapshot_date": V1_FINAL[4],
            "source_repository": V1_FINAL[1],
            "source_path": V1_FINAL[2],
            "commit": V1_FINAL[3],
        }
    )
    for src in sorted((shared / "open-llm-leaderboard-v2" / "snapshots").glob("*.csv")):
        files.append(
            {
                "leaderboard": "open-llm-leaderboard-v2",
                "src": src,
                "snapshot_date": src.stem,
                "source_repository": "fboulnois/llm-leaderboard-csv",
                "source_path": "csv/huggingface_v2.csv",
                "commit": "0f4e5c69" if src.stem == "2025-03-21" else None,
            }
        )
    for src in sorted((shared / "lmarena" / "snapshots").glob("*.csv")):
        files.append(
            {
                "leaderboard": "lmarena",
                "src": src,
                "snapshot_date": src.stem,
                "source_repository": "fboulnois/llm-leaderboard-csv",
                "source_path": "csv/lmsys.csv",
                "commit": None,
            }
        )
    return files


EPOCH_SNAPSHOT = "2026-05-02"  # the commit date of the copy: the zip was fetched on or before that day
EPOCH_COMMIT = "4a91fc028f149f096592c4db8b114b8b77f9711f"


def epoch_files(shared: Path) -> list[dict]:
    """Epoch AI's Benchmarking Hub CSVs (an unpacked copy of benchmark_data.zip, April 2026), CC BY 4.0."""
    return [
        {
            "leaderboard": "epoch",
            "src": src,
            "snapshot_date": EPOCH_SNAPSHOT,
            "source_repository": "madhu24raj/bayes-llm-saturation",
            "source_path": f"benchmark_data/{src.name}",
            "commit": EPOCH_COMMIT,
            "license": "CC BY 4.0 (Epoch AI, 'AI Benchmarking Hub', https://epoch.ai/benchmarks)",
        }
        for src in sorted((shared / "epoch" / "benchmark_data").glob("*.csv"))
    ]


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def model_facts(shared: Path) -> list[dict]:
    """Facts of the seed models from the real files, plus the curated ones."""
    facts: list[dict] = []

    def add(repo, field, value, source, url=None):
        if value in (None, ""):
            return
        facts.append({"repo_id": repo, "field": field, "value": str(value), "source": source, "source_url": url or ""})

    v2 = {}
    for row in _rows(shared / V2_LAST):
        key = row["model_name"].lower()
        # Prefer the row of the precision the model was published in (first seen wins).
        v2.setdefault(key, row)
    v1 = {}
    for row in _rows(shared / V1_FINAL[0]):
        v1.setdefault(row["fullname"].lower(), []).append(row)
    hub_dir = shared / "hf-hub-api" / "model_info"
    for repo in SEED_MODELS:
        body_path = hub_dir / (repo.replace("/", "__") + ".json")
        if body_path.exists():
            doc = json.loads(body_path.read_text())
            body = doc["body"]
            prov = doc.get("_provenance", {})
            src = (
                f"Hub API GET /api/models/{repo} recorded in {prov.get('repo', '?')} "
                f"{prov.get('path', '?')} @ {str(prov.get('commit', '?'))[:8]}"
            )
            st = body.get("safetensors") or {}
            if st.get("total"):
                add(repo, "params_b", st["total"] / 1e9, "safetensors.total, " + src, f"https://huggingface.co/{repo}")
                add(repo, "params_exact", st["total"], "safetensors.total, " + src)
            card = body.get("cardData") or {}
            add(repo, "license", card.get("license"), "cardData.license, " + src)
            base = card.get("base_model")
            add(repo, "base_model", base if isinstance(base, str) else None, "cardData.base_model, " + src)
            add(repo, "created_date", (body.get("createdAt") or "")[:10], "createdAt, " + src)
            add(repo, "pipeline_tag", body.get("pipeline_tag"), "pipeline_tag, " + src)
            arch = (body.get("config") or {}).get("architectures") or []
            add(repo, "architecture", arch[0] if arch else None, "config.architectures, " + src)
            add(repo, "downloads", body.get("downloads"), "downloads, " + src)
            add(repo, "likes", body.get("likes"), "likes, " + src)
        row = v2.get(repo.lower())
        if row:
            if not body_path.exists():
                add(repo, "params_b", row["metadata_params_billions"], "metadata_params_billions, " + V2_LAST_SRC)
                add(
                    repo,
                    "created_date",
                    row["metadata_upload_date"],
                    "metadata_upload_date (Hub repo creation), " + V2_LAST_SRC,
                )
                add(repo, "architecture", row["model_architecture"], "model_architecture, " + V2_LAST_SRC)
                if row["metadata_base_model"].lower() != repo.lower():
                    add(repo, "base_model", row["metadata_base_model"], "metadata_base_model, " + V2_LAST_SRC)
                add(repo, "license", row["metadata_hub_license"], "metadata_hub_license, " + V2_LAST_SRC)
        elif repo.lower() in v1:
            first = v1[repo.lower()][0]
            if first["params_b"] not in ("", "0"):
                add(repo, "params_b", first["params_b"], "params_b (rounded to a whole number), " + V1_SRC)
            add(repo, "license", first["hub_license"], "hub_license, " + V1_SRC)
            add(repo, "architecture", first["architecture"], "architecture, " + V1_SRC)
            if first.get("available_on_the_hub") == "FALSE":
                add(repo, "on_hub", "false", "available_on_the_hub, " + V1_SRC)
    for repo, field, value, source, url in CURATED:
        if field in ("params_b", "license", "architecture", "base_model") and any(
            f["repo_id"] == repo and f["field"] == field for f in facts
        ):
            continue  # a real file already says it
        add(repo, field, value, source + " (transcribed in SEED_FACTS.md)", url)
    return facts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared" / "data"), help="the shared data folder")
    parser.add_argument("--fixtures", action="store_true", help="only rebuild the Arena dataset test fixture")
    args = parser.parse_args(argv)
    if args.fixtures:
        return build_arena_fixture()
    shared = Path(args.shared)
    if not (shared / "README.md").exists():
        print(f"error: {shared} is not the shared data folder", file=sys.stderr)
        return 1
    if SEED.exists():
        shutil.rmtree(SEED)
    SEED.mkdir(parents=True)
    manifest = {"description": "Bundled real-data seed of SLM Tracker; built by scripts/build_seed.py", "files": []}
    for item in snapshot_files(shared):
        src: Path = item.pop("src")
        rel = Path(item["leaderboard"]) / f"{item['snapshot_date']}.csv.xz"
        digest, rows = copy_snapshot(src, SEED / rel)
        manifest["files"].append(
            {
                "path": str(rel),
                "kind": "snapshot",
                **item,
                "sha256": digest,
                "rows": rows,
                "copied_from": f"shared/data/{src.relative_to(shared)}",
                "note": None
                if item["commit"]
                else "one commit per snapshot date in the source repository; the id was not recorded",
            }
        )
    for item in epoch_files(shared):
        src = item.pop("src")
        rel = Path("epoch") / f"{src.name}.xz"
        digest, rows = copy_snapshot(src, SEED / rel)
        manifest["files"].append(
            {
                "path": str(rel),
                "kind": "epoch",
                **item,
                "sha256": digest,
                "rows": rows,
                "copied_from": f"shared/data/{src.relative_to(shared)}",
                "note": "the snapshot date is the commit date of the copy (the zip was fetched on or before it); "
                "rows counts physical lines",
            }
        )
    readme = shared / "epoch" / "benchmark_data" / "README.md"
    shutil.copyfile(readme, SEED / "epoch" / "README.md")
    manifest["files"].append(
        {
            "path": "epoch/README.md",
            "kind": "license",
            "source_repository": "madhu24raj/bayes-llm-saturation",
            "source_path": "benchmark_data/README.md",
            "commit": EPOCH_COMMIT,
            "sha256": sha256_bytes(readme.read_bytes()),
        }
    )
    facts = model_facts(shared)
    with (SEED / "models.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["repo_id", "field", "value", "source", "source_url"])
        writer.writeheader()
        writer.writerows(facts)
    manifest["files"].append(
        {
            "path": "models.csv",
            "kind": "model_facts",
            "copied_from": "derived: see scripts/build_seed.py",
            "sha256": sha256_bytes((SEED / "models.csv").read_bytes()),
        }
    )
    claims = shared / "seed_article_claims.csv"
    shutil.copyfile(claims, SEED / "claims.csv")
    manifest["files"].append(
        {
            "path": "claims.csv",
            "kind": "claims",
            "copied_from": "shared/data/seed_article_claims.csv",
            "source_repository": None,
            "sha256": sha256_bytes(claims.read_bytes()),
        }
    )
    (SEED / "hub").mkdir()
    for repo in SEED_MODELS:
        body = shared / "hf-hub-api" / "model_info" / (repo.replace("/", "__") + ".json")
        if body.exists():
            shutil.copyfile(body, SEED / "hub" / body.name)
            prov = json.loads(body.read_text()).get("_provenance", {})
            manifest["files"].append(
                {
                    "path": f"hub/{body.name}",
                    "kind": "hub_model_info",
                    "source_repository": prov.get("repo"),
                    "source_path": prov.get("path"),
                    "commit": prov.get("commit"),
                    "sha256": sha256_bytes(body.read_bytes()),
                }
            )
    manifest["files"] += device_seed(shared, SEED)
    manifest["files"] += arena_history_files(shared)
    (SEED / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    build_arena_fixture()
    total = sum(p.stat().st_size for p in SEED.rglob("*") if p.is_file())
    print(f"seed written to {SEED}: {len(manifest['files'])} files, {total / 1e6:.1f} MB, {len(facts)} model facts")
    return 0


# --------------------------------------------------------------------------- device facts (issue 13)

# Real config.json files -> the tracked repo whose architecture they describe, and why.
DIRECT_CONFIGS = (
    ("config__resaved__Llama-3.2-1B-Instruct__DannyMeb.json", "meta-llama/Llama-3.2-1B-Instruct", "a re-saved copy"),
    ("config__resaved__Qwen2.5-0.5B-Instruct__infinityarpan.json", "Qwen/Qwen2.5-0.5B-Instruct", "a re-saved copy"),
    ("config__resaved__phi-2__Into-The-Grey.json", "microsoft/phi-2", "a re-saved copy"),
    ("config__ibm-granite__granite-3.0-8b-instruct.json", "ibm-granite/granite-3.0-8b-instruct", "a copy"),
    ("config__ibm-granite__granite-3.1-8b-instruct.json", "ibm-granite/granite-3.1-8b-instruct", "a copy"),
    (
        "config__mlx-community__Llama-3.2-3B-Instruct.json",
        "meta-llama/Llama-3.2-3B-Instruct",
        "the config of its MLX conversion mlx-community/Llama-3.2-3B-Instruct (same architecture)",
    ),
    (
        "config__mlx-community__gemma-3-4b-it-4bit-DWQ.json",
        "google/gemma-3-4b-it",
        "the config of its 4-bit MLX build mlx-community/gemma-3-4b-it-4bit-DWQ (same architecture)",
    ),
    (
        "config__mlx-community__Qwen2.5.1-Coder-7B-Instruct-4bit.json",
        "Qwen/Qwen2.5-Coder-7B-Instruct",
        "the config of mlx-community/Qwen2.5.1-Coder-7B-Instruct-4bit, a 4-bit MLX build of "
        "Qwen2.5.1-Coder-7B-Instruct (the repo's earlier name; same architecture)",
    ),
)
# Sections of LLM-Prof's sglang/Model_Config.md (a heading naming the model, then its config.json).
SECTION_CONFIGS = {
    "Llama-3.1-8B": "meta-llama/Llama-3.1-8B",
    "Llama-3.2-3B": "meta-llama/Llama-3.2-3B",
    "Qwen2.5-3B": "Qwen/Qwen2.5-3B",
    "Qwen2.5-7B": "Qwen/Qwen2.5-7B",
    "Qwen2.5-14B": "Qwen/Qwen2.5-14B",
    "Qwen2.5-32B": "Qwen/Qwen2.5-32B",
    "Qwen3-4B": "Qwen/Qwen3-4B",
    "Qwen3-8B": "Qwen/Qwen3-8B",
    "Qwen3-14B": "Qwen/Qwen3-14B",
    "Qwen3-32B": "Qwen/Qwen3-32B",
    "Qwen3-30B-A3B": "Qwen/Qwen3-30B-A3B",
}
# MLC LLM presets whose own ``_name_or_path`` names the repo.
PRESET_CONFIGS = ("llama2_13b", "phi-1_5")
BUILD_FIELDS = [
    "base_repo_id",
    "build_repo_id",
    "file_name",
    "format",
    "bits",
    "size_bytes",
    "downloads",
    "gguf_total",
    "gguf_architecture",
    "gguf_context_length",
    "link",
    "source",
]


def _provenance(path: Path) -> dict:
    """Repository, path, commit and URL of a shared file's ``.provenance.md``."""
    prov = path.with_name(path.stem + ".provenance.md")
    out = {}
    for line in prov.read_text(encoding="utf-8").splitlines():
        if line.startswith("- ") and ":" in line:
            key, _, value = line[2:].partition(":")
            out[key.strip()] = value.strip()
    return out


def _md_sections(text: str) -> dict[str, dict]:
    sections, name, lines = {}, None, []
    for line in text.splitlines() + ["END"]:
        if line and line[0] not in ' {}[]"':
            if name is not None:
                sections[name] = json.loads("\n".join(lines))
            name, lines = line.strip(), []
        else:
            lines.append(line)
    return sections


def device_seed(shared: Path, seed: Path) -> list[dict]:
    """Configs, GGUF bodies and quantised builds of seed models: files written, manifest entries back."""
    import ast

    src = shared / "hf-hub-api" / "configs"
    out_dir = seed / "hub" / "configs"
    out_dir.mkdir(parents=True, exist_ok=True)
    entries: list[dict] = []
    index: list[dict] = []
    for name, repo, how in DIRECT_CONFIGS:
        shutil.copyfile(src / name, out_dir / name)
        prov = _provenance(src / name)
        index.append(
            {
                "repo_id": repo,
                "path": f"configs/{name}",
                "source": f"config.json ({how}) from "
                f"{prov.get('repository')} {prov.get('path')} @ {prov.get('commit', '')[:8]}",
                "source_url": prov.get("URL"),
            }
        )
        entries.append(
            {
                "path": f"hub/configs/{name}",
                "kind": "hub_config",
                "source_repository": prov.get("repository"),
                "source_path": prov.get("path"),
                "commit": prov.get("commit"),
                "copied_from": f"shared/data/hf-hub-api/configs/{name}",
                "note": f"config of {repo}: {how}",
                "sha256": sha256_bytes((out_dir / name).read_bytes()),
            }
        )
    md = src / "LLM-Prof_sglang_Model_Config.md"
    prov = _provenance(md)
    sections = _md_sections(md.read_text(encoding="utf-8"))
    for heading, repo in SECTION_CONFIGS.items():
        name = f"llm-prof__{heading}.json"
        (out_dir / name).write_text(json.dumps(sections[heading], indent=2) + "\n", encoding="utf-8")
        index.append(
            {
                "repo_id": repo,
                "path": f"configs/{name}",
                "source": f"config.json of {heading} in "
                f"{prov.get('repository')} {prov.get('path')} @ {prov.get('commit', '')[:8]}",
                "source_url": prov.get("URL"),
            }
        )
        entries.append(
            {
                "path": f"hub/configs/{name}",
                "kind": "hub_config",
                "source_repository": prov.get("repository"),
                "source_path": prov.get("path"),
                "commit": prov.get("commit"),
                "copied_from": f"shared/data/hf-hub-api/configs/{md.name}",
                "note": f"the JSON under the heading {heading!r}, extracted unchanged (re-indented)",
                "sha256": sha256_bytes((out_dir / name).read_bytes()),
            }
        )
    preset_py = src / "mlc-llm_model_preset.py"
    prov = _provenance(preset_py)
    tree = ast.parse(preset_py.read_text(encoding="utf-8"))
    presets = next(ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.AnnAssign))
    for key in PRESET_CONFIGS:
        body = presets[key]
        repo = body["_name_or_path"]
        name = f"mlc-llm__{key}.json"
        (out_dir / name).write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
        index.append(
            {
                "repo_id": repo,
                "path": f"configs/{name}",
                "source": f"config of MLC LLM preset {key!r} "
                f"(_name_or_path {repo}) in {prov.get('repository')} {prov.get('path')} @ "
                f"{prov.get('commit', '')[:8]}",
                "source_url": prov.get("URL"),
            }
        )
        entries.append(
            {
                "path": f"hub/configs/{name}",
                "kind": "hub_config",
                "source_repository": prov.get("repository"),
                "source_path": prov.get("path"),
                "commit": prov.get("commit"),
                "copied_from": f"shared/data/hf-hub-api/configs/{preset_py.name}",
                "note": f"the preset {key!r} (a Python dict literal) written as JSON, values unchanged",
                "sha256": sha256_bytes((out_dir / name).read_bytes()),
            }
        )
    with (seed / "hub" / "configs.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["repo_id", "path", "source", "source_url"])
        writer.writeheader()
        writer.writerows(index)
    entries.append(
        {
            "path": "hub/configs.csv",
            "kind": "hub_configs_index",
            "copied_from": "derived: see scripts/build_seed.py (which config file describes which repo, and why)",
            "sha256": sha256_bytes((seed / "hub" / "configs.csv").read_bytes()),
        }
    )
    builds = _seed_builds(shared, seed, entries)
    with (seed / "hub" / "builds.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=BUILD_FIELDS)
        writer.writeheader()
        writer.writerows(builds)
    entries.append(
        {
            "path": "hub/builds.csv",
            "kind": "hub_builds",
            "copied_from": "derived: see scripts/build_seed.py (GGUF API bodies, the Hub's quantized-models page, MLX configs)",
            "sha256": sha256_bytes((seed / "hub" / "builds.csv").read_bytes()),
        }
    )
    return entries


def _seed_builds(shared: Path, seed: Path, entries: list[dict]) -> list[dict]:
    gguf_src = shared / "hf-hub-api" / "gguf"
    gguf_dir = seed / "hub" / "gguf"
    gguf_dir.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    for path in sorted(gguf_src.glob("api_models__*.json")):
        shutil.copyfile(path, gguf_dir / path.name)
        prov = _provenance(path)
        entries.append(
            {
                "path": f"hub/gguf/{path.name}",
                "kind": "hub_gguf_model_info",
                "source_repository": prov.get("repository"),
                "source_path": prov.get("path"),
                "commit": prov.get("commit"),
                "copied_from": f"shared/data/hf-hub-api/gguf/{path.name}",
                "note": prov.get("extent"),
                "sha256": sha256_bytes(path.read_bytes()),
            }
        )
        body = json.loads(path.read_text(encoding="utf-8"))
        base = next(t.split(":", 2)[2] for t in body["tags"] if t.startswith("base_model:quantized:"))
        gguf = body.get("gguf") or {}
        link = f"https://huggingface.co/{body['id']}"
        common = {
            "base_repo_id": base,
            "build_repo_id": body["id"],
            "format": "GGUF",
            "downloads": body.get("downloads"),
            "gguf_total": gguf.get("total"),
            "gguf_architecture": gguf.get("architecture"),
            "gguf_context_length": gguf.get("context_length"),
        }
        source = f"GET /api/models/{body['id']} (recorded in {prov.get('repository')} @ {prov.get('commit', '')[:8]})"
        if gguf.get("totalFileSize") and gguf.get("total"):
            bits = round(gguf["totalFileSize"] * 8 / gguf["total"], 2)
            rows.append(
                {
                    **common,
                    "file_name": "",
                    "bits": bits,
                    "size_bytes": gguf["totalFileSize"],
                    "link": link,
                    "source": source + "; size: gguf.totalFileSize; bits = size x 8 / gguf.total",
                }
            )
        for sib in body.get("siblings") or []:
            name = sib["rfilename"]
            if name.endswith(".gguf") and not name.startswith("mmproj"):
                rows.append(
                    {
                        **common,
                        "file_name": name,
                        "bits": _name_bits(name),
                        "size_bytes": None,
                        "link": f"{link}/blob/main/{name}",
                        "source": source + "; bits from the file name",
                    }
                )
    # The Hub's web page of quantised builds of Qwen2.5-1.5B-Instruct (only the builds it shows in full).
    page = gguf_src / "hf_page_models_other_base_model_quantized_Qwen2.5-1.5B-Instruct.txt"
    text = page.read_text(encoding="utf-8")
    shutil.copyfile(page, gguf_dir / page.name)
    entries.append(
        {
            "path": f"hub/gguf/{page.name}",
            "kind": "hub_quantized_page",
            "source_repository": None,
            "source_path": "https://huggingface.co/models?other=base_model:quantized:Qwen/Qwen2.5-1.5B-Instruct",
            "commit": None,
            "copied_from": f"shared/data/hf-hub-api/gguf/{page.name}",
            "note": "rendered text of the Hub's model list; downloads there are rounded (202k)",
            "sha256": sha256_bytes(page.read_bytes()),
        }
    )
    lines = [line.strip() for line in text.splitlines()]
    for build, fmt in (
        ("Qwen/Qwen2.5-1.5B-Instruct-GGUF", "GGUF"),
        ("Qwen/Qwen2.5-1.5B-Instruct-GPTQ-Int4", "GPTQ"),
        ("Ar5en1c/Qwen2.5-1.5B-Instruct-q4f16_1-MLC-ctx8192", "MLC"),
    ):
        if build not in lines:
            continue
        rows.append(
            {
                "base_repo_id": "Qwen/Qwen2.5-1.5B-Instruct",
                "build_repo_id": build,
                "file_name": "",
                "format": fmt,
                "bits": _name_bits(build),
                "size_bytes": None,
                "downloads": None,
                "gguf_total": None,
                "gguf_architecture": None,
                "gguf_context_length": None,
                "link": f"https://huggingface.co/{build}",
                "source": "listed on https://huggingface.co/models?other=base_model:quantized:"
                "Qwen/Qwen2.5-1.5B-Instruct (web page excerpt; downloads shown rounded, not stored)",
            }
        )
    for repo, base, bits, note in (
        ("mlx-community/gemma-3-4b-it-4bit-DWQ", "google/gemma-3-4b-it", 4, "config quantization.bits = 4"),
        (
            "mlx-community/Llama-3.2-3B-Instruct",
            "meta-llama/Llama-3.2-3B-Instruct",
            16,
            "config has no quantization; torch_dtype bfloat16",
        ),
    ):
        rows.append(
            {
                "base_repo_id": base,
                "build_repo_id": repo,
                "file_name": "",
                "format": "MLX",
                "bits": bits,
                "size_bytes": None,
                "downloads": None,
                "gguf_total": None,
                "gguf_architecture": None,
                "gguf_context_length": None,
                "link": f"https://huggingface.co/{repo}",
                "source": f"its config.json (copied in data/seed/hub/configs): {note}",
            }
        )
    return rows


def _name_bits(name: str) -> float | None:
    """Bits per weight a build's name states (Q4_K_M -> 4, Q8_0 -> 8, f16 -> 16, Int4 -> 4)."""
    import re

    low = name.lower()
    match = re.search(r"(?:^|[^a-z0-9])i?q(\d)(?:_[a-z0-9]+)*(?:\.gguf)?$", low) or re.search(r"int(\d+)$", low)
    if match:
        return float(match.group(1))
    if re.search(r"(?:^|[^a-z0-9])(?:f16|bf16|fp16)\.gguf$", low):
        return 16.0
    return None


# --------------------------------------------------------------------------- the Arena's history

ARENA_DATASET_COLUMNS = (
    ("model_name", "string"),
    ("organization", "string"),
    ("license", "string"),
    ("rating", "float64"),
    ("rating_lower", "float64"),
    ("rating_upper", "float64"),
    ("variance", "float64"),
    ("vote_count", "float64"),
    ("rank", "float64"),
    ("category", "string"),
    ("leaderboard_publish_date", "string"),
)
HISTORY = ("lmarena/history-2023-2025", "nakasyou/lmarena-history", "output/result.csv", "22d6c6aa", "MIT")
SPACE = ("lmarena/space-tables", "utterstep/chatbot-arena-leaderbord-vis", "3e3c0818", "apache-2.0")
FIXTURE_DIR = ROOT / "tests" / "fixtures" / "lmarena-dataset"
ALIASES = ROOT / "data" / "aliases" / "lmarena.csv"
SPACE_LINK = "the board's own link: LMArena Space "


def write_arena_parquet(rows: list[dict], dest: Path) -> None:
    """Rows in the exact schema of ``lmarena-ai/leaderboard-dataset`` (pyarrow types as published)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(name, getattr(pa, kind)()) for name, kind in ARENA_DATASET_COLUMNS])
    table = pa.Table.from_pylist(rows, schema=schema)
    dest.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, dest, compression="zstd")


def _space_tables(folder: Path) -> list[tuple[str, list[dict]]]:
    out = []
    for path in sorted(folder.glob("*leaderboard_table_*.csv*")):
        raw = path.read_bytes()
        if raw[:6] == b"\xfd7zXZ\x00":
            raw = lzma.decompress(raw)
        day = path.name.split("leaderboard_table_")[1][:8]
        out.append((day, list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))))
    return out


def arena_history_parquet(history_csv: bytes, space: list[tuple[str, list[dict]]], before: str) -> list[dict]:
    """The history's (date, model, rating) cells as leaderboard-dataset rows, dates before ``before``.

    Converted, never invented: ``rating`` is the history file's overall rating (0.0 there means
    "not listed that date" and gives no row); ``license`` and ``organization`` come from the
    newest Space table that lists the same key; rank, interval, variance and votes are null
    (neither file has them for these dates).
    """
    facts: dict[str, dict] = {}
    for _day, rows in space:  # oldest first: newer tables overwrite
        for row in rows:
            if row.get("key"):
                facts[row["key"]] = row
    table = list(csv.reader(history_csv.decode("utf-8").splitlines()))
    names = table[0][1:]
    out = []
    for line in table[1:]:
        stamp = line[0]
        day = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}"
        if day >= before:
            continue
        for name, cell in zip(names, line[1:], strict=True):
            rating = float(cell)
            if rating == 0.0:
                continue
            fact = facts.get(name, {})
            out.append(
                {
                    "model_name": name,
                    "organization": fact.get("Organization") or None,
                    "license": fact.get("License") or None,
                    "rating": rating,
                    "rating_lower": None,
                    "rating_upper": None,
                    "variance": None,
                    "vote_count": None,
                    "rank": None,
                    "category": "overall",
                    "leaderboard_publish_date": day,
                }
            )
    out.sort(key=lambda r: (r["leaderboard_publish_date"], -r["rating"], r["model_name"]))
    return out


def space_aliases(space: list[tuple[str, list[dict]]]) -> list[dict]:
    """Arena keys -> Hub repo ids from the Space tables' ``Link`` column (the board's own link)."""
    found: dict[str, dict] = {}
    for day, rows in space:
        for row in rows:
            key, link = (row.get("key") or "").strip(), (row.get("Link") or "").strip()
            prefix = "https://huggingface.co/"
            if not key or not link.startswith(prefix):
                continue
            repo = link[len(prefix) :].split("?")[0].split("#")[0].strip("/")
            parts = repo.split("/")
            if len(parts) != 2 or parts[0] in ("spaces", "datasets", "collections", "blog", "papers", "docs"):
                continue
            found[key] = {
                "name": key,
                "hub_id": repo,
                "source": f"{SPACE_LINK}leaderboard_table_{day}.csv",
            }
    return sorted(found.values(), key=lambda r: r["name"].lower())


def arena_history_files(shared: Path) -> list[dict]:
    """Copy the Arena history and Space tables, write their converted Parquet and the aliases."""
    items = []
    dest_dir = SEED / "lmarena-history"
    dest_dir.mkdir(parents=True, exist_ok=True)
    hist_src = shared / HISTORY[0] / "lmarena-history_result.csv"
    sources = [(hist_src, HISTORY[1], HISTORY[2], HISTORY[3], HISTORY[4])]
    sources.append((shared / HISTORY[0] / "lmarena-history_LICENSE.txt", HISTORY[1], "LICENSE", HISTORY[3], "MIT"))
    for path in sorted((shared / SPACE[0]).glob("space_leaderboard_table_*.csv")):
        sources.append((path, SPACE[1], path.name.removeprefix("space_"), SPACE[2], SPACE[3]))
    for src, repo, spath, commit, lic in sources:
        data = src.read_bytes()
        rel = Path("lmarena-history") / (src.name + ".xz")
        (SEED / rel).write_bytes(lzma.compress(data, preset=9 | lzma.PRESET_EXTREME))
        items.append(
            {
                "path": str(rel),
                "kind": "source",
                "source_repository": repo,
                "source_path": spath,
                "commit": commit,
                "license": lic,
                "sha256": sha256_bytes(data),
                "copied_from": f"shared/data/{src.relative_to(shared)}",
            }
        )
    space = _space_tables(shared / SPACE[0])
    first_scrape = min(p.stem for p in (shared / "lmarena" / "snapshots").glob("*.csv"))
    rows = arena_history_parquet(hist_src.read_bytes(), space, before=first_scrape)
    rel = Path("lmarena-dataset") / "history-2023-2024.parquet"
    write_arena_parquet(rows, SEED / rel)
    items.append(
        {
            "path": str(rel),
            "kind": "arena_dataset",
            "leaderboard": "lmarena",
            "rows": len(rows),
            "first_date": rows[0]["leaderboard_publish_date"],
            "last_date": rows[-1]["leaderboard_publish_date"],
            "sha256": sha256_bytes((SEED / rel).read_bytes()),
            "copied_from": "derived by scripts/build_seed.py (arena_history_parquet)",
            "license": "MIT (ratings, nakasyou/lmarena-history); apache-2.0 (license, organization: the Space tables)",
            "note": (
                f"The history file's overall ratings on its publish dates before the first Arena scrape "
                f"({first_scrape}), converted into the schema of lmarena-ai/leaderboard-dataset: rating from "
                "the history (0.0 = not listed: no row); license and organization from the newest Space table "
                "listing the same key; rank, interval, variance and votes null (no file has them). Later dates "
                "come from the scrapes, which have ranks and intervals."
            ),
        }
    )
    aliases = space_aliases(space)
    generated = {r["name"].lower() for r in aliases}
    if ALIASES.exists():  # rows added by hand (another source) are kept
        with ALIASES.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if not row["source"].startswith(SPACE_LINK) and row["name"].lower() not in generated:
                    aliases.append(row)
        aliases.sort(key=lambda r: r["name"].lower())
    ALIASES.parent.mkdir(parents=True, exist_ok=True)
    with ALIASES.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["name", "hub_id", "source"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(aliases)
    return items


def scrape_rows(path: Path) -> list[dict]:
    """One Arena scrape (``rank, model, arena_score|arena_elo, 95_pct_ci, votes, ...``) as dataset rows.

    rating = the scrape's score; rating_lower / rating_upper = score - / + the CI's half-widths
    (null where the scrape has no CI); vote_count and rank as scraped; variance null.
    """
    raw = path.read_bytes()
    if raw[:6] == b"\xfd7zXZ\x00":
        raw = lzma.decompress(raw)
    out = []
    day = path.name[:10]
    for row in csv.DictReader(raw.decode("utf-8-sig").splitlines()):
        score = row.get("arena_score") or row.get("arena_elo")
        if not score or not row.get("model"):
            continue
        rating = float(score)
        lower = upper = None
        ci = (row.get("95_pct_ci") or "").strip()
        if ci.startswith("+") and "/-" in ci:
            plus, minus = ci[1:].split("/-")
            upper, lower = rating + float(plus), rating - float(minus)
        out.append(
            {
                "model_name": row["model"],
                "organization": row.get("organization") or None,
                "license": row.get("license") or None,
                "rating": rating,
                "rating_lower": lower,
                "rating_upper": upper,
                "variance": None,
                "vote_count": float(row["votes"]) if row.get("votes") else None,
                "rank": float(row["rank"]) if row.get("rank") else None,
                "category": "overall",
                "leaderboard_publish_date": day,
            }
        )
    return out


def build_arena_fixture() -> int:
    """``tests/fixtures/lmarena-dataset/text-full-from-scrapes.parquet`` from the seed's scrapes."""
    rows: list[dict] = []
    for path in sorted((SEED / "lmarena").glob("*.csv.xz")):
        rows += scrape_rows(path)
    dest = FIXTURE_DIR / "text-full-from-scrapes.parquet"
    write_arena_parquet(rows, dest)
    print(f"fixture written: {dest} ({len(rows)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
