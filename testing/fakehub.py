"""A fake Hugging Face Hub: a real HTTP server on 127.0.0.1 for tests and benchmarks.

Point ``HF_ENDPOINT`` (or ``Settings.hf_endpoint``) at :attr:`FakeHub.url` and huggingface_hub
talks to it as to the real Hub; nothing inside huggingface_hub is mocked.

What it serves:

- ``GET /api/models/{id}``: the real recorded bodies in ``tests/fixtures/hf-hub-api/model_info``
  (``?expand=`` filters them like the Hub does), the real 307 redirect of ``bert-base-uncased``
  recorded in ``cassettes/``, 404/401/403 for ids listed in :attr:`FakeHub.statuses`.
- ``GET /api/models``: the listing with ``pipeline_tag``, ``num_parameters``, ``sort=downloads``,
  ``expand`` and ``Link: <...>; rel="next"`` cursor pagination, over the real bodies plus
  ``generated`` entries for scale (copies of the real text-generation bodies under new ids,
  produced page by page, never held in memory).
- Datasets for ``hf_hub_download``, ``list_repo_files`` and ``list_repo_refs``: ``/api/datasets/..``
  (info, ``tree``, ``refs``) and ``/datasets/{id}/resolve/{rev}/{path}`` with ``X-Repo-Commit``,
  ``ETag`` and ``Content-Length``.
- Eval results: ``GET /api/models/{id}?expand=evalResults`` answers the API's wrapper items
  (``filename, verified, data, pullRequest``) built from the real ``.eval_results/*.yaml`` files in
  ``fixtures/hf-hub-api/eval-results`` (:attr:`FakeHub.eval_results`); ``GET /api/datasets?filter=
  benchmark:official`` lists :attr:`FakeHub.benchmarks`; ``GET /api/datasets/{id}/leaderboard``
  answers :attr:`FakeHub.leaderboards` (the real GPQA excerpt; ``?base_model=`` recorded).
- Epoch AI's ``/data/benchmark_data.zip`` (a zip of the real CSVs in ``fixtures/epoch``) with an
  ``ETag``, answering 304 to ``If-None-Match`` with it (``hub_env`` points ``EPOCH_DATA_URL`` here).
- Faults, switchable per test: ``hub.fault(r"/api/models", "429", times=1, retry_after=1)``;
  kinds ``429``, ``500``, ``503``, ``slow``, ``trickle``, ``cutoff``, ``malformed``, ``drop``.

The dataset builders (:func:`build_contents_parquet`, :func:`build_lmarena_dataset`,
:func:`build_arena_leaderboard_dataset`) turn rows of the bundled real snapshots into the files
the Hub datasets hold.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import lzma
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "hf-hub-api"
SEED = ROOT / "data" / "seed"

CONTENTS_REPO = "open-llm-leaderboard/contents"
LMARENA_REPO = "mathewhe/chatbot-arena-elo"
PAGE_CAP = 1000  # the Hub serves at most this many models per page


# --------------------------------------------------------------------------- recorded data


def load_model_bodies() -> dict[str, dict]:
    """The recorded ``GET /api/models/{id}`` bodies, keyed by lower-case id (full bodies only)."""
    bodies = {}
    for path in sorted((FIXTURES / "model_info").glob("*.json")):
        if "__expand__" in path.name:
            continue
        body = json.loads(path.read_text())["body"]
        bodies[body["id"].lower()] = body
    return bodies


def load_redirects() -> dict[str, tuple[str, str]]:
    """Recorded redirects: old id (lower) -> (Location, body text)."""
    redirects = {}
    for path in sorted((FIXTURES / "cassettes").glob("*.yaml")):
        for item in yaml.safe_load(path.read_text())["interactions"]:
            response = item["response"]
            if response["status"]["code"] == 307:
                uri = urlsplit(item["request"]["uri"]).path
                old = uri.removeprefix("/api/models/")
                redirects[old.lower()] = (response["headers"]["Location"][0], response["body"]["string"])
    return redirects


# --------------------------------------------------------------------------- eval results

EVAL_RESULTS = FIXTURES / "eval-results"
# The official benchmark datasets the Hub's docs name as examples (hubdocs_eval-results.md).
OFFICIAL_BENCHMARKS = ("Idavidrein/gpqa", "TIGER-Lab/MMLU-Pro", "cais/hle", "openai/gsm8k")


def load_eval_results() -> dict[str, list[dict]]:
    """Model repo (lower) -> its ``evalResults`` as the API gives them: one wrapper item
    ``{filename, verified, data, pullRequest}`` per entry of the real YAML files (none of them
    carries a verifyToken, so ``verified`` is false; they are on ``main``: no pull request)."""
    items: dict[str, list[dict]] = {}
    for path in sorted(EVAL_RESULTS.glob("eval_results__*.yaml")):
        prov = path.with_suffix(".provenance.md").read_text()
        repo = re.search(r"- repository: (\S+)", prov).group(1)
        filename = re.search(r"- path: (\S+)", prov).group(1)
        for entry in yaml.safe_load(path.read_text()):
            items.setdefault(repo.lower(), []).append(
                {"filename": filename, "verified": False, "data": entry, "pullRequest": None}
            )
    return items


def eval_repo_ids() -> dict[str, str]:
    """Lower-case -> real spelling of the model repos whose eval results are recorded."""
    out = {}
    for path in sorted(EVAL_RESULTS.glob("eval_results__*.provenance.md")):
        repo = re.search(r"- repository: (\S+)", path.read_text()).group(1)
        out[repo.lower()] = repo
    return out


def build_epoch_zip() -> bytes:
    """``benchmark_data.zip`` as Epoch serves it, from the real CSV files in ``fixtures/epoch``."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as handle:
        for path in sorted((FIXTURES.parent / "epoch").glob("*.csv")):
            handle.writestr(zipfile.ZipInfo(path.name, date_time=(2026, 4, 16, 0, 0, 0)), path.read_bytes())
    return buffer.getvalue()


def load_leaderboard_excerpt() -> list[dict]:
    """The two complete entries of the real ``GET /api/datasets/Idavidrein/gpqa/leaderboard`` excerpt."""
    text = (EVAL_RESULTS / "api_datasets__Idavidrein__gpqa__leaderboard__TRUNCATED.json.txt").read_text()
    return json.loads(text[: text.index(',{"rank":3')] + "]")


# Real configs (tests/fixtures/hf-hub-api/configs, each with its provenance) served as the
# ``config.json`` of these model repos: a file, or a (file, MLC LLM preset key) whose preset dict
# is served as JSON (the only Gemma 3 config there with a head_dim).
MODEL_CONFIG_FILES = {
    "meta-llama/Llama-3.2-1B-Instruct": "config__resaved__Llama-3.2-1B-Instruct__DannyMeb.json",
    "Qwen/Qwen2.5-0.5B-Instruct": "config__resaved__Qwen2.5-0.5B-Instruct__infinityarpan.json",
    "microsoft/phi-2": "config__resaved__phi-2__Into-The-Grey.json",
    "ibm-granite/granite-3.1-8b-instruct": "config__ibm-granite__granite-3.1-8b-instruct.json",
    "google/gemma-3-4b-it": "config__mlx-community__gemma-3-4b-it-4bit-DWQ.json",
    "google/gemma-3-1b-it": ("mlc-llm_model_preset.py", "gemma3_1b_it"),
}


def load_model_files() -> dict[str, dict[str, bytes]]:
    """Files of model repos served by ``/{repo}/resolve/{rev}/{file}`` (repo id lower -> name -> bytes)."""
    import ast

    out: dict[str, dict[str, bytes]] = {}
    for repo, spec in MODEL_CONFIG_FILES.items():
        if isinstance(spec, tuple):
            name, key = spec
            tree = ast.parse((FIXTURES / "configs" / name).read_text())
            presets = next(ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.AnnAssign))
            data = json.dumps(presets[key], indent=2).encode()
        else:
            data = (FIXTURES / "configs" / spec).read_bytes()
        out[repo.lower()] = {"config.json": data}
    return out


def load_gguf_bodies() -> dict[str, dict]:
    """The recorded ``GET /api/models/{gguf repo}`` bodies (tests/fixtures/hf-hub-api/gguf), keyed by lower-case id."""
    bodies = {}
    for path in sorted((FIXTURES / "gguf").glob("api_models__*.json")):
        body = json.loads(path.read_text())
        bodies[body["id"].lower()] = body
    return bodies


# --------------------------------------------------------------------------- datasets


@dataclass
class FakeDataset:
    """A dataset repo: commits (sha -> {path: bytes}), branch ``main`` and tags (name -> sha)."""

    repo_id: str
    commits: dict[str, dict[str, bytes]] = field(default_factory=dict)
    main: str | None = None
    tags: dict[str, str] = field(default_factory=dict)

    def commit(self, files: dict[str, bytes], tag: str | None = None, move_main: bool = True) -> str:
        digest = hashlib.sha1(repr(sorted((p, hashlib.sha256(b).hexdigest()) for p, b in files.items())).encode())
        sha = digest.hexdigest()
        self.commits[sha] = dict(files)
        if move_main:
            self.main = sha
        if tag:
            self.tags[tag] = sha
        return sha

    def resolve(self, revision: str) -> str | None:
        if revision == "main":
            return self.main
        if revision in self.tags:
            return self.tags[revision]
        return revision if revision in self.commits else None


def _read_seed_csv(path: Path) -> list[dict]:
    import csv

    text = lzma.decompress(path.read_bytes()).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _bool(text: str) -> bool | None:
    value = (text or "").strip().upper()
    return True if value == "TRUE" else False if value == "FALSE" else None


def _float(text: str) -> float | None:
    return float(text) if (text or "").strip() not in ("", "nan") else None


def build_contents_parquet(rows: int | None = None, source: Path | None = None) -> bytes:
    """The ``open-llm-leaderboard/contents`` parquet, built from real rows of the v2 API scrape.

    Column names are the dataset's (the leaderboard's ``src/display/utils.py``); values are the
    scrape's, unchanged. ``rows`` keeps the first N rows.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    records = _read_seed_csv(source or SEED / "open-llm-leaderboard-v2" / "2025-03-21.csv.xz")
    if rows is not None:
        records = records[:rows]
    out: dict[str, list] = {}

    def put(column: str, values: list) -> None:
        out[column] = values

    put("eval_name", [r["id"] for r in records])
    put("Precision", [r["model_precision"] for r in records])
    put("Type", [r["model_type"] for r in records])
    put("T", [None for _ in records])
    put("Weight type", [r["model_weight_type"] for r in records])
    put("Architecture", [r["model_architecture"] for r in records])
    put("Model", [r["model_name"] for r in records])
    put("fullname", [r["model_name"] for r in records])
    put("Model sha", [r["model_sha"] for r in records])
    put("Average ⬆️", [_float(r["model_average_score"]) for r in records])
    put("Hub License", [r["metadata_hub_license"] for r in records])
    put("Hub ❤️", [int(float(r["metadata_hub_hearts"] or 0)) for r in records])
    put("#Params (B)", [_float(r["metadata_params_billions"]) for r in records])
    # The scrape's "features_is_not_available_on_hub" is true for models that ARE on the Hub.
    put("Available on the hub", [_bool(r["features_is_not_available_on_hub"]) for r in records])
    put("MoE", [_bool(r["features_is_moe"]) for r in records])
    put("Flagged", [_bool(r["features_is_flagged"]) for r in records])
    put("Chat Template", [_bool(r["model_has_chat_template"]) for r in records])
    put("CO₂ cost (kg)", [_float(r["metadata_co2_cost"]) for r in records])
    for column, key in (
        ("IFEval", "ifeval"),
        ("BBH", "bbh"),
        ("MATH Lvl 5", "math"),
        ("GPQA", "gpqa"),
        ("MUSR", "musr"),
        ("MMLU-PRO", "mmlu_pro"),
    ):
        put(f"{column} Raw", [_float(r[f"evaluations_{key}_value"]) for r in records])
        put(column, [_float(r[f"evaluations_{key}_normalized_score"]) for r in records])
    put("Merged", [_bool(r["features_is_merged"]) for r in records])
    put("Official Providers", [_bool(r["features_is_official_provider"]) for r in records])
    put("Upload To Hub Date", [r["metadata_upload_date"] or None for r in records])
    put("Submission Date", [r["metadata_submission_date"] or None for r in records])
    put("Generation", [int(float(r["metadata_generation"] or 0)) for r in records])
    put("Base Model", [r["metadata_base_model"] for r in records])
    sink = io.BytesIO()
    pq.write_table(pa.table(out), sink)
    return sink.getvalue()


LMARENA_COLUMNS = (
    "Rank* (UB)",
    "Model Markup",
    "Model",
    "Arena Score",
    "95% CI",
    "Votes",
    "Organization",
    "License",
    "Knowledge Cutoff",
)


def lmarena_rows(path: Path) -> list[dict]:
    """One bundled Arena scrape mapped to the Hub dataset's columns (real values)."""
    rows = []
    for r in _read_seed_csv(path):
        score = r.get("arena_score") or r.get("arena_elo")
        url = r.get("url") or ""
        rows.append(
            {
                "Rank* (UB)": int(r["rank"]) if (r.get("rank") or "").isdigit() else None,
                "Model Markup": f'<a target="_blank" href="{url}" style="color: var(--link-text-color);">{r["model"]}</a>',
                "Model": r["model"],
                "Arena Score": int(round(float(score))) if float(score).is_integer() else float(score),
                "95% CI": r["95_pct_ci"],
                "Votes": int(float(r["votes"])),
                "Organization": r["organization"],
                "License": r["license"],
                "Knowledge Cutoff": r["knowledge_cutoff"],
            }
        )
    return rows


def lmarena_parquet(rows: list[dict]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({c: [r[c] for r in rows] for c in LMARENA_COLUMNS})
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


LMARENA_FILE = "data/train-00000-of-00001.parquet"


def build_lmarena_dataset(days: list[str] | None = None) -> FakeDataset:
    """``mathewhe/chatbot-arena-elo`` with one tagged commit per bundled Arena scrape.

    ``days`` (``YYYY-MM-DD``) picks scrapes; default: all. ``main`` is the newest day.
    """
    dataset = FakeDataset(LMARENA_REPO)
    paths = sorted((SEED / "lmarena").glob("*.csv.xz"))
    for path in paths:
        day = path.name[:10]
        if days is not None and day not in days:
            continue
        readme = f"---\nlicense: apache-2.0\n---\nChatbot Arena Elo, {day}\n".encode()
        dataset.commit(
            {"README.md": readme, LMARENA_FILE: lmarena_parquet(lmarena_rows(path))}, tag=day.replace("-", "")
        )
    return dataset


ARENA_DATASET_REPO = "lmarena-ai/leaderboard-dataset"
ARENA_DATASET_FILE = "text/full-00000-of-00001.parquet"
ARENA_DATASET_FIXTURE = ROOT / "tests" / "fixtures" / "lmarena-dataset" / "text-full-from-scrapes.parquet"


def arena_dataset_files(dates: list[str] | None = None) -> dict[str, bytes]:
    """``text/full`` and ``text/latest`` of LMArena's dataset from the fixture's real rows.

    ``dates`` (``YYYY-MM-DD``) keeps only those publish dates; ``latest`` is the newest date of
    each category, as on the Hub.
    """
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(ARENA_DATASET_FIXTURE)
    if dates is not None:
        table = table.filter(pc.is_in(table["leaderboard_publish_date"], value_set=pa_array(dates)))
    frame = table.to_pandas()
    newest = frame.groupby("category")["leaderboard_publish_date"].transform("max")
    latest = table.filter(pa_array((frame["leaderboard_publish_date"] == newest).tolist()))
    out = {}
    for name, part in (("full", table), ("latest", latest)):
        sink = io.BytesIO()
        pq.write_table(part, sink)
        out[f"text/{name}-00000-of-00001.parquet"] = sink.getvalue()
    return out


def pa_array(values):
    import pyarrow as pa

    return pa.array(values)


def build_arena_leaderboard_dataset(dates: list[str] | None = None) -> FakeDataset:
    """``lmarena-ai/leaderboard-dataset`` with one commit holding the fixture's dates (default: all)."""
    dataset = FakeDataset(ARENA_DATASET_REPO)
    readme = b"---\nlicense: cc-by-4.0\n---\nArena leaderboard dataset (test copy of real rows)\n"
    dataset.commit({"README.md": readme, **arena_dataset_files(dates)})
    return dataset


def build_contents_dataset(rows: int | None = None) -> FakeDataset:
    dataset = FakeDataset(CONTENTS_REPO)
    dataset.commit(
        {
            "README.md": b"---\nlicense: apache-2.0\n---\n",
            "data/train-00000-of-00001.parquet": build_contents_parquet(rows),
        }
    )
    return dataset


# --------------------------------------------------------------------------- faults


@dataclass
class Fault:
    """Answer requests whose path matches ``pattern`` with ``kind`` (``times`` None = always)."""

    pattern: str
    kind: str
    times: int | None = 1
    retry_after: int | None = None
    ratelimit_t: int | None = None
    delay: float = 2.0
    hits: int = 0

    def matches(self, path: str) -> bool:
        return re.search(self.pattern, path) is not None and (self.times is None or self.hits < self.times)


# --------------------------------------------------------------------------- the server


_LIST_DEFAULT_FIELDS = (
    "_id",
    "id",
    "likes",
    "trendingScore",
    "private",
    "downloads",
    "tags",
    "pipeline_tag",
    "library_name",
    "createdAt",
    "modelId",
)


class FakeHub:
    """The fake Hub; use as a context manager (``with FakeHub() as hub: hub.url``)."""

    def __init__(self, generated: int = 0, page_cap: int = PAGE_CAP) -> None:
        self.models = load_model_bodies()
        self.model_files = load_model_files()
        self.gguf = load_gguf_bodies()  # quantised builds: found by list_models(filter=...) and model_info only
        self.redirects = load_redirects()
        self.statuses: dict[str, int] = {}  # id (lower) -> 404/401/403
        self.datasets: dict[str, FakeDataset] = {}
        self.generated = generated
        self.page_cap = page_cap
        self.faults: list[Fault] = []
        self.eval_results = load_eval_results()
        self.eval_repos = eval_repo_ids()
        self.benchmarks: list[str] = list(OFFICIAL_BENCHMARKS)
        self.leaderboards: dict[str, list[dict]] = {"idavidrein/gpqa": load_leaderboard_excerpt()}
        self.leaderboard_queries: list[dict[str, list[str]]] = []
        self._epoch_zip: bytes | None = None
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status)
        self.auth_headers: list[str | None] = []
        self._lock = threading.Lock()
        self._templates = sorted(
            (
                b
                for b in self.models.values()
                if b.get("pipeline_tag") == "text-generation" and (b.get("safetensors") or {}).get("total", 0) <= 15e9
            ),
            key=lambda b: b["id"],
        )
        self._server: ThreadingHTTPServer | None = None
        self._url: str | None = None
        self._thread: threading.Thread | None = None

    # ----- control

    def fault(self, pattern: str, kind: str, times: int | None = 1, **kw) -> Fault:
        item = Fault(pattern, kind, times, **kw)
        with self._lock:
            self.faults.append(item)
        return item

    def add_dataset(self, dataset: FakeDataset) -> FakeDataset:
        self.datasets[dataset.repo_id.lower()] = dataset
        return dataset

    def count(self, pattern: str) -> int:
        return sum(1 for _, path, _ in self.requests if re.search(pattern, path))

    @property
    def url(self) -> str:
        """The server's base URL (kept after :meth:`stop`: a stopped hub refuses connections)."""
        assert self._url is not None, "start the fake Hub first"
        return self._url

    def start(self) -> FakeHub:
        hub = self

        class Handler(_Handler):
            fake = hub

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ----- model catalogue

    def generated_body(self, index: int) -> dict:
        """Scale entry ``index``: a real text-generation body under a new id."""
        template = self._templates[index % len(self._templates)]
        body = json.loads(json.dumps(template))
        new_id = f"{template['id']}-scale-{index:06d}"
        body.update(id=new_id, modelId=new_id, _id=f"scale{index:020d}"[:24])
        # Scale entries only: listed after every recorded model, in download order.
        body["downloads"] = max(0, 10_000_000 - index)
        return body

    def generated_id(self, repo_id: str) -> int | None:
        match = re.search(r"-scale-(\d{6})$", repo_id)
        if not match:
            return None
        index = int(match.group(1))
        if index >= self.generated:
            return None
        return index if self.generated_body(index)["id"].lower() == repo_id.lower() else None

    def listing(self, pipeline_tag: str | None, max_params: float | None) -> tuple[list[dict], int]:
        """(recorded bodies that pass the filters, by downloads) and the number of generated entries."""
        real = [
            b
            for b in self.models.values()
            if (pipeline_tag is None or b.get("pipeline_tag") == pipeline_tag)
            and (max_params is None or 0 < (b.get("safetensors") or {}).get("total", 0) <= max_params)
        ]
        real.sort(key=lambda b: -(b.get("downloads") or 0))
        generated = self.generated if pipeline_tag in (None, "text-generation") else 0
        return real, generated


_EXPAND_KEYS = {"model-index": "model-index"}


def _expand(body: dict, expand: list[str]) -> dict:
    if not expand:
        return body
    out = {"_id": body.get("_id"), "id": body["id"]}
    for key in expand:
        if key in body:
            out[key] = body[key]
    return out


def _list_entry(body: dict, expand: list[str]) -> dict:
    if expand:
        return _expand(body, expand)
    return {k: body[k] for k in _LIST_DEFAULT_FIELDS if k in body}


def _parse_params(text: str | None) -> float | None:
    """``num_parameters=min:0,max:15B`` -> the max as a count."""
    if not text:
        return None
    match = re.search(r"max:([\d.]+)\s*([KMBT]?)", text, re.IGNORECASE)
    if not match:
        return None
    scale = {"": 1, "K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}[match.group(2).upper()]
    return float(match.group(1)) * scale


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # A client that gave up (a "slow" fault past its timeout) is expected, not an error.
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY every small answer on a kept-alive
    # connection waits about 40 ms for the client's delayed ACK (the Hub answers in far less).
    disable_nagle_algorithm = True
    fake: FakeHub

    def log_message(self, *args) -> None:  # quiet
        pass

    # ----- plumbing

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None, *, head: bool = False) -> None:
        self.send_response(status)
        headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        headers.setdefault("Content-Length", str(len(body)))
        headers.setdefault("X-Request-Id", f"fake-{time.monotonic_ns()}")
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)
        self.fake.requests.append((self.command, self.path, status))

    def _json(self, status: int, payload, headers: dict[str, str] | None = None, head: bool = False) -> None:
        self._send(status, json.dumps(payload).encode(), headers, head=head)

    def _error(self, status: int, code: str, message: str, head: bool = False) -> None:
        self._json(status, {"error": message}, {"X-Error-Code": code, "X-Error-Message": message}, head=head)

    def _apply_fault(self, head: bool) -> bool:
        path = self.path
        with self.fake._lock:
            fault = next((f for f in self.fake.faults if f.matches(path)), None)
            if fault is None:
                return False
            fault.hits += 1
        kind = fault.kind
        if kind == "429":
            headers = {"RateLimit-Policy": '"fixed window";"api";q=500;w=300'}
            if fault.ratelimit_t is not None:
                headers["RateLimit"] = f'"api";r=0;t={fault.ratelimit_t}'
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
            message = "You have exceeded our rate limit"
            self._json(429, {"error": message}, {"X-Error-Code": "RateLimited", **headers}, head=head)
            return True
        if kind in ("500", "502", "503"):
            self._error(int(kind), "ServerError", "Internal Error", head)
            return True
        if kind == "slow":
            time.sleep(fault.delay)
            return False  # then answer normally (the client has usually given up)
        if kind == "drop":
            self.fake.requests.append((self.command, path, 0))
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return True
        if kind == "cutoff":
            body = b'[{"_id":"x","id":"cut/off","downloads":1'
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body) + 500))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            self.fake.requests.append((self.command, path, 200))
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return True
        if kind == "trickle":
            # A valid answer sent one small piece every ``delay`` seconds.
            body = json.dumps(self.fake.models.get("huggingfaceh4/zephyr-7b-beta", {})).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for start in range(0, len(body), 64):
                self.wfile.write(body[start : start + 64])
                self.wfile.flush()
                time.sleep(fault.delay)
            self.fake.requests.append((self.command, path, 200))
            return True
        if kind == "malformed":
            self._send(200, b'{"id": "broken", "safetensors": {"total": 7', head=head)
            return True
        raise ValueError(f"unknown fault kind {kind!r}")

    # ----- routes

    def do_HEAD(self) -> None:
        self._route(head=True)

    def do_GET(self) -> None:
        self._route(head=False)

    def _route(self, head: bool) -> None:
        self.fake.auth_headers.append(self.headers.get("authorization"))
        if self._apply_fault(head):
            return
        split = urlsplit(self.path)
        path = unquote(split.path)
        query = parse_qs(split.query)
        if path == "/api/models":
            return self._list_models(query)
        if path == "/api/datasets":
            return self._list_datasets(query, head)
        if path == "/data/benchmark_data.zip":
            return self._epoch_zip(head)
        if path.startswith("/api/datasets/") and path.endswith("/leaderboard"):
            return self._leaderboard(path.removeprefix("/api/datasets/").removesuffix("/leaderboard"), query, head)
        if path.startswith("/api/models/"):
            return self._model_info(path.removeprefix("/api/models/"), query, head)
        if path.startswith("/api/datasets/"):
            return self._dataset_api(path.removeprefix("/api/datasets/"), query, head)
        if path.startswith("/datasets/") and "/resolve/" in path:
            return self._resolve(path.removeprefix("/datasets/"), head)
        if "/resolve/" in path:
            return self._model_resolve(path.removeprefix("/"), head)
        self._error(404, "EntryNotFound", f"no route for {path}", head)

    def _list_models(self, query: dict[str, list[str]]) -> None:
        fake = self.fake
        if "filter" in query:
            return self._filtered_models(query)
        expand = query.get("expand", []) + query.get("expand[]", [])
        limit = int(query.get("limit", [str(fake.page_cap)])[0])
        page_size = max(1, min(limit, fake.page_cap))
        offset = 0
        if "cursor" in query:
            offset = json.loads(base64.urlsafe_b64decode(query["cursor"][0]))["offset"]
        real, generated = fake.listing(
            query.get("pipeline_tag", [None])[0], _parse_params(query.get("num_parameters", [None])[0])
        )
        total = len(real) + generated
        end = min(total, offset + page_size)
        page = []
        for i in range(offset, end):
            body = real[i] if i < len(real) else fake.generated_body(i - len(real))
            page.append(_list_entry(body, expand))
        headers = {"X-Total-Count": str(total)}
        if end < total:
            params = [(k, v) for k, values in query.items() if k != "cursor" for v in values]
            cursor = base64.urlsafe_b64encode(json.dumps({"offset": end}).encode()).decode()
            params.append(("cursor", cursor))
            headers["Link"] = f'<{fake.url}/api/models?{urlencode(params)}>; rel="next"'
        self._json(200, page, headers)

    def _model_info(self, rest: str, query: dict[str, list[str]], head: bool) -> None:
        fake = self.fake
        repo_id = rest.split("/revision/", 1)[0]
        key = repo_id.lower()
        if key in fake.statuses:
            status = fake.statuses[key]
            if status == 403:
                return self._error(403, "GatedRepo", f"Access to model {repo_id} is restricted.", head)
            if status == 401:
                return self._error(401, "RepoNotFound", "Invalid username or password.", head)
            return self._error(404, "RepoNotFound", "Repository not found", head)
        if key in fake.redirects:
            location, text = fake.redirects[key]
            suffix = "?" + urlencode([(k, v) for k, vs in query.items() for v in vs]) if query else ""
            return self._send(
                307,
                text.encode(),
                {"Location": location + suffix, "Content-Type": "text/plain; charset=utf-8"},
                head=head,
            )
        body = fake.models.get(key) or fake.gguf.get(key)
        if body is None:
            index = fake.generated_id(repo_id)
            body = fake.generated_body(index) if index is not None else None
        if body is None and key in fake.eval_repos:  # a repo known by its eval results only
            body = {"_id": hashlib.md5(key.encode()).hexdigest()[:24], "id": fake.eval_repos[key]}
        if body is None:
            return self._error(404, "RepoNotFound", "Repository not found", head)
        expand = query.get("expand", []) + query.get("expand[]", [])
        if "evalResults" in expand and key in fake.eval_results:
            body = {**body, "evalResults": fake.eval_results[key]}
        self._json(200, _expand(body, expand), head=head)

    def _epoch_zip(self, head: bool) -> None:
        fake = self.fake
        if fake._epoch_zip is None:
            fake._epoch_zip = build_epoch_zip()
        etag = f'"{hashlib.sha256(fake._epoch_zip).hexdigest()[:20]}"'
        if self.headers.get("If-None-Match") == etag:
            return self._send(304, b"", {"ETag": etag}, head=True)
        self._send(200, fake._epoch_zip, {"Content-Type": "application/zip", "ETag": etag}, head=head)

    def _list_datasets(self, query: dict[str, list[str]], head: bool) -> None:
        filters = query.get("filter", [])
        if "benchmark:official" not in filters:
            return self._json(200, [], head=head)
        entries = [
            {
                "_id": hashlib.md5(d.encode()).hexdigest()[:24],
                "id": d,
                "author": d.split("/")[0],
                "private": False,
                "downloads": 0,
                "likes": 0,
                "tags": ["benchmark:official"],
            }
            for d in self.fake.benchmarks
        ]
        self._json(200, entries, head=head)

    def _leaderboard(self, repo_id: str, query: dict[str, list[str]], head: bool) -> None:
        self.fake.leaderboard_queries.append(query)
        if repo_id not in self.fake.benchmarks and repo_id.lower() not in self.fake.leaderboards:
            return self._error(404, "RepoNotFound", "Repository not found", head)
        self._json(200, self.fake.leaderboards.get(repo_id.lower(), []), head=head)

    def _dataset(self, repo_id: str) -> FakeDataset | None:
        return self.fake.datasets.get(repo_id.lower())

    def _dataset_api(self, rest: str, query: dict[str, list[str]], head: bool) -> None:
        match = re.match(r"^([^/]+/[^/]+)(?:/(tree|refs|revision)(?:/(.*))?)?$", rest)
        dataset = self._dataset(match.group(1)) if match else None
        if dataset is None:
            return self._error(404, "RepoNotFound", "Repository not found", head)
        action, tail = match.group(2), match.group(3) or ""
        if action == "refs":
            ref = lambda name, kind, sha: {"name": name, "ref": f"refs/{kind}/{name}", "targetCommit": sha}  # noqa: E731
            return self._json(
                200,
                {
                    "branches": [ref("main", "heads", dataset.main)],
                    "converts": [],
                    "tags": [ref(name, "tags", sha) for name, sha in sorted(dataset.tags.items())],
                },
            )
        revision = "main"
        prefix = ""
        if action in ("tree", "revision"):
            revision, _, prefix = tail.partition("/")
        sha = dataset.resolve(revision)
        if sha is None:
            return self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}", head)
        files = dataset.commits[sha]
        if action == "tree":
            entries = [
                {"type": "file", "oid": hashlib.sha1(data).hexdigest(), "size": len(data), "path": p}
                for p, data in sorted(files.items())
                if p.startswith(prefix)
            ]
            return self._json(200, entries, head=head)
        info = {
            "_id": hashlib.md5(dataset.repo_id.encode()).hexdigest()[:24],
            "id": dataset.repo_id,
            "author": dataset.repo_id.split("/")[0],
            "sha": sha,
            "private": False,
            "gated": False,
            "disabled": False,
            "downloads": 0,
            "likes": 0,
            "tags": [],
            "siblings": [{"rfilename": p} for p in sorted(files)],
            "createdAt": "2024-06-01T00:00:00.000Z",
            "lastModified": "2025-03-21T00:00:00.000Z",
        }
        self._json(200, info, head=head)

    def _resolve(self, rest: str, head: bool) -> None:
        repo_id, _, tail = rest.partition("/resolve/")
        dataset = self._dataset(repo_id)
        if dataset is None:
            return self._error(404, "RepoNotFound", "Repository not found", head)
        revision, _, filename = tail.partition("/")
        sha = dataset.resolve(unquote(revision))
        if sha is None:
            return self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}", head)
        data = dataset.commits[sha].get(filename)
        if data is None:
            return self._error(404, "EntryNotFound", f"{filename} does not exist", head)
        headers = {
            "Content-Type": "application/octet-stream",
            "X-Repo-Commit": sha,
            "ETag": f'"{hashlib.sha256(data).hexdigest()}"',
            "Accept-Ranges": "bytes",
        }
        self._send(200, data, headers, head=head)

    def _filtered_models(self, query: dict[str, list[str]]) -> None:
        """``list_models(filter=...)``: every recorded body (GGUF builds too) with all the filter tags."""
        fake = self.fake
        wanted = [t.lower() for t in query["filter"]]
        expand = query.get("expand", []) + query.get("expand[]", [])
        bodies = [
            b
            for b in [*fake.models.values(), *fake.gguf.values()]
            if all(t in {x.lower() for x in b.get("tags") or []} for t in wanted)
        ]
        bodies.sort(key=lambda b: (-(b.get("downloads") or 0), b["id"].lower()))
        limit = int(query.get("limit", [str(fake.page_cap)])[0])
        page = [_list_entry(b, expand) for b in bodies[: max(1, min(limit, fake.page_cap))]]
        self._json(200, page, {"X-Total-Count": str(len(bodies))})

    def _model_resolve(self, rest: str, head: bool) -> None:
        """``/{repo}/resolve/{rev}/{file}`` for model repos (``hf_hub_download`` of a model file)."""
        repo_id, _, tail = rest.partition("/resolve/")
        status = self.fake.statuses.get(repo_id.lower())
        if status == 403:
            return self._error(403, "GatedRepo", f"Access to model {repo_id} is restricted.", head)
        if status in (401, 404):
            return self._error(status, "RepoNotFound", "Repository not found", head)
        files = self.fake.model_files.get(repo_id.lower())
        known = repo_id.lower() in self.fake.models or repo_id.lower() in self.fake.gguf or files is not None
        if not known:
            return self._error(404, "RepoNotFound", "Repository not found", head)
        revision, _, filename = tail.partition("/")
        revision = unquote(revision)
        sha = revision if re.fullmatch(r"[0-9a-f]{40}", revision) else hashlib.sha1(repo_id.encode()).hexdigest()
        data = (files or {}).get(filename)
        if data is None:
            return self._error(404, "EntryNotFound", f"{filename} does not exist", head)
        headers = {
            "Content-Type": "application/json",
            "X-Repo-Commit": sha,
            "ETag": f'"{hashlib.sha256(data).hexdigest()}"',
            "Accept-Ranges": "bytes",
        }
        self._send(200, data, headers, head=head)


def hub_env(hub: FakeHub, **extra: str) -> dict[str, str]:
    """Environment for a ``python -m ingest`` subprocess that talks to ``hub``."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUB_", "HUGGINGFACE_"))}
    env.update(
        EPOCH_DATA_URL=f"{hub.url}/data/benchmark_data.zip",
        HF_ENDPOINT=hub.url,
        HF_HUB_DISABLE_TELEMETRY="1",
        HF_HUB_DISABLE_XET="1",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env
