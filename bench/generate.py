"""Synthetic daily Open LLM Leaderboard v2 snapshots, shaped by the real ones in the seed.

``python -m bench.generate --models N --days D --out DIR [--seed S] [--real]`` writes
``DIR/YYYY-MM-DD.csv`` in the v2 API-scrape format (the exact header of the newest real
snapshot). Everything about the data is measured from the real snapshots at generation time:

- rows: new entries copy a real row (type, architecture, precision, license, size, flags,
  dates) under a new repo id and commit, with scores drawn near the template's;
- daily rates: how many entries arrive, leave, get rescored and change their Hub likes per
  day, from consecutive real snapshots divided by the days between them;
- rescores: the size of a score change is resampled from the real changes; a day on which
  most of the board was rescored at once (the real 2025-02-18 MATH re-normalisation) is kept
  as a separate "mass rescore" event with its measured frequency.

Two timelines:

- synthetic (default): ``D`` days from ``--start`` (the day after the newest real snapshot)
  ending with ``N`` entries; the first day starts from real rows (then clones of them);
- ``--real``: ``D`` days ending on the newest real snapshot; days with a real API-format file
  use it as is; days between move towards the next real file (its new rows arrive on their
  submission date, each of its changes happens on a random day before it); days before the
  first real file hold its rows submitted by then. ``--models`` is then ignored.

The same ``--seed`` gives the same files byte for byte.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import functools
import io
import logging
import lzma
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.config import SEED_DIR

log = logging.getLogger(__name__)

REAL_DIR = SEED_DIR / "open-llm-leaderboard-v2"
BENCHES = ("ifeval", "bbh", "math", "gpqa", "musr", "mmlu_pro")
# A rescore touching more than this share of a board is a board-wide re-run, not noise.
MASS_SHARE = 0.2


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    raw = path.read_bytes()
    if raw[:6] == b"\xfd7zXZ\x00":
        raw = lzma.decompress(raw)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    return rows[0], rows[1:]


def real_api_files(real_dir: Path = REAL_DIR) -> list[tuple[dt.date, Path]]:
    """The seed's v2 snapshots in the API-scrape format, oldest first."""
    found = []
    for path in sorted(real_dir.glob("*.csv*")):
        with lzma.open(path, "rt", encoding="utf-8-sig") if path.suffix == ".xz" else path.open() as fh:
            header = fh.readline()
        if header.startswith("id,model_name,"):
            found.append((dt.date.fromisoformat(path.name[:10]), path))
    return found


@dataclass
class Profile:
    """What the real snapshots say, measured when the generator starts."""

    header: list[str]
    templates: list[list[str]]  # rows of the newest real snapshot, in ``header`` order
    arrive: float  # new entries per entry per day
    leave: float
    rescore: float  # individual rescores per entry per day (mass events excluded)
    likes: float  # entries whose Hub likes change, per entry per day
    mass_per_day: float  # board-wide rescore events per day
    mass_share: float  # share of the board such an event touches
    deltas: np.ndarray  # real changes of the average score on a rescore
    slopes: dict[str, tuple[float, float]] = field(default_factory=dict)  # normalized -> raw value


def _key(row: dict[str, str]) -> str:
    return f"{row['model_name'].lower()}|{row['model_precision']}|{row['model_sha']}"


@functools.lru_cache(maxsize=4)
def measure(real_dir: Path = REAL_DIR) -> Profile:
    """Measure rows, rates and score changes from the real API-format snapshots."""
    files = real_api_files(real_dir)
    if len(files) < 2:
        raise SystemExit(f"error: need at least two v2 API-format snapshots in {real_dir}")
    header, newest_rows = _read_csv(files[-1][1])
    exposure = arrivals = leaves = rescores = likes = 0.0
    mass_events = 0
    mass_shares: list[float] = []
    days_total = 0
    deltas: list[float] = []
    prev: dict[str, dict[str, str]] | None = None
    prev_day = None
    for day, path in files:
        h, rows = _read_csv(path)
        snap = {}
        for cells in rows:
            rec = dict(zip(h, cells, strict=False))
            snap.setdefault(_key(rec), rec)
        if prev is not None and prev_day is not None:
            gap = (day - prev_day).days
            common = snap.keys() & prev.keys()
            changed = [
                k
                for k in common
                if abs(float(snap[k]["model_average_score"]) - float(prev[k]["model_average_score"])) > 1e-9
            ]
            share = len(changed) / max(len(common), 1)
            if share > MASS_SHARE:
                mass_events += 1
                mass_shares.append(share)
            else:
                rescores += len(changed)
                deltas += [
                    float(snap[k]["model_average_score"]) - float(prev[k]["model_average_score"]) for k in changed
                ]
            arrivals += len(snap.keys() - prev.keys())
            leaves += len(prev.keys() - snap.keys())
            likes += sum(1 for k in common if snap[k]["metadata_hub_hearts"] != prev[k]["metadata_hub_hearts"])
            exposure += len(prev) * gap
            days_total += gap
        prev, prev_day = snap, day
    templates = [cells for cells in newest_rows if len(cells) == len(header)]
    slopes = {}
    for bench in BENCHES:
        norm = np.array([float(r[header.index(f"evaluations_{bench}_normalized_score")]) for r in templates])
        raw = np.array([float(r[header.index(f"evaluations_{bench}_value")]) for r in templates])
        slope, intercept = np.polyfit(norm, raw, 1)
        slopes[bench] = (float(slope), float(intercept))
    return Profile(
        header=header,
        templates=templates,
        arrive=arrivals / exposure,
        leave=leaves / exposure,
        rescore=rescores / exposure,
        likes=likes / exposure,
        mass_per_day=mass_events / max(days_total, 1),
        mass_share=float(np.mean(mass_shares)) if mass_shares else 0.0,
        deltas=np.array(deltas or [0.0]),
        slopes=slopes,
    )


class _Board:
    """The board being evolved: key -> row (a list of cells in header order)."""

    def __init__(self, profile: Profile, rng: np.random.Generator) -> None:
        self.p = profile
        self.rng = rng
        self.rows: dict[str, list[str]] = {}
        h = profile.header
        self.col = {name: h.index(name) for name in h}
        self.serial = 0

    def key(self, row: list[str]) -> str:
        c = self.col
        return f"{row[c['model_name']]}|{row[c['model_precision']]}|{row[c['model_sha']]}"

    def put(self, row: list[str]) -> None:
        self.rows[self.key(row)] = row

    def _set_scores(self, row: list[str], norms: dict[str, float]) -> None:
        c = self.col
        for bench, value in norms.items():
            value = float(min(100.0, max(0.0, value)))
            slope, intercept = self.p.slopes[bench]
            row[c[f"evaluations_{bench}_normalized_score"]] = f"{value:.15g}"
            row[c[f"evaluations_{bench}_value"]] = f"{min(1.0, max(0.0, slope * value + intercept)):.15g}"
        row[c["model_average_score"]] = (
            f"{np.mean([float(row[c[f'evaluations_{b}_normalized_score']]) for b in BENCHES]):.15g}"
        )

    def clone(self, day: dt.date) -> list[str]:
        """A new entry modelled on a random real row: new repo id and commit, nearby scores."""
        c = self.col
        template = self.p.templates[int(self.rng.integers(len(self.p.templates)))]
        row = list(template)
        self.serial += 1
        org, _, name = template[c["model_name"]].partition("/")
        repo = f"{org}/{name[:70]}-s{self.serial}" if name else f"{org[:70]}-s{self.serial}"
        sha = "".join(f"{b:02x}" for b in self.rng.bytes(20))
        row[c["model_name"]] = repo
        row[c["model_sha"]] = sha
        row[c["metadata_base_model"]] = (
            template[c["metadata_base_model"]]
            if template[c["metadata_base_model"]] != template[c["model_name"]]
            else repo
        )
        row[c["metadata_submission_date"]] = day.isoformat()
        norms = {
            b: float(template[c[f"evaluations_{b}_normalized_score"]]) + float(self.rng.normal(0.0, 2.0))
            for b in BENCHES
        }
        self._set_scores(row, norms)
        row[c["id"]] = f"{repo}_{row[c['model_precision']]}_{sha}_{row[c['model_has_chat_template']]}"
        return row

    def rescore(self, key: str, bench: str | None = None) -> None:
        c = self.col
        row = list(self.rows[key])
        bench = bench or BENCHES[int(self.rng.integers(len(BENCHES)))]
        delta = float(self.p.deltas[int(self.rng.integers(len(self.p.deltas)))]) * len(BENCHES)
        norms = {bench: float(row[c[f"evaluations_{bench}_normalized_score"]]) + delta}
        self._set_scores(row, norms)
        self.rows[key] = row

    def bump_likes(self, key: str) -> None:
        c = self.col
        row = list(self.rows[key])
        likes = row[c["metadata_hub_hearts"]]
        row[c["metadata_hub_hearts"]] = str(int(float(likes or 0)) + 1 + int(self.rng.poisson(1.0)))
        self.rows[key] = row

    def step(self, day: dt.date, arrivals: int, pool: list[list[str]] | None = None) -> None:
        """One day: leaves, likes, rescores (maybe a mass rescore), then ``arrivals`` new rows."""
        p, rng = self.p, self.rng
        keys = list(self.rows)
        n = len(keys)
        if n:
            for i in rng.choice(n, size=min(n, int(rng.binomial(n, p.leave))), replace=False):
                del self.rows[keys[i]]
            keys = list(self.rows)
            n = len(keys)
            for i in rng.choice(n, size=min(n, int(rng.binomial(n, p.likes))), replace=False):
                self.bump_likes(keys[i])
            for i in rng.choice(n, size=min(n, int(rng.binomial(n, p.rescore))), replace=False):
                self.rescore(keys[i])
            if rng.random() < p.mass_per_day:
                bench = BENCHES[int(rng.integers(len(BENCHES)))]
                for i in rng.choice(n, size=int(n * p.mass_share), replace=False):
                    self.rescore(keys[i], bench)
        for _ in range(arrivals):
            if pool:
                self.put(pool.pop())
            else:
                self.put(self.clone(day))

    def write(self, path: Path) -> int:
        ordered = sorted(self.rows.values(), key=lambda r: r[self.col["id"]].lower())
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(self.p.header)
            writer.writerows(ordered)
        return len(ordered)


def _real_rows(profile: Profile, path: Path) -> list[list[str]]:
    """A real snapshot's rows re-ordered into the canonical header (missing columns empty)."""
    header, rows = _read_csv(path)
    where = [header.index(name) if name in header else None for name in profile.header]
    return [[cells[i] if i is not None else "" for i in where] for cells in rows if len(cells) == len(header)]


def generate(
    out: Path,
    *,
    models: int,
    days: int,
    seed: int = 0,
    start: dt.date | None = None,
    real: bool = False,
    real_dir: Path = REAL_DIR,
    profile: Profile | None = None,
) -> list[tuple[Path, int]]:
    """Write ``days`` daily snapshots into ``out``; returns (path, rows) per file, oldest first."""
    if days < 1 or models < 1:
        raise ValueError("models and days must be at least 1")
    profile = profile or measure(real_dir)
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    board = _Board(profile, rng)
    written: list[tuple[Path, int]] = []
    if real:
        reals = dict(real_api_files(real_dir))
        end = max(reals)
        first = end - dt.timedelta(days=days - 1)
        real_days = sorted(reals)
        cache: dict[dt.date, list[list[str]]] = {}

        def rows_of(d: dt.date) -> list[list[str]]:
            if d not in cache:
                cache[d] = _real_rows(profile, reals[d])
            return cache[d]

        sub = board.col["metadata_submission_date"]
        for i in range(days):
            day = first + dt.timedelta(days=i)
            if day in reals:
                board.rows = {}
                for row in rows_of(day):
                    board.put(row)
            else:
                # Between real snapshots the board moves towards the next one: its new rows
                # arrive on their submission date, and each change (a rescore, new likes, an
                # entry leaving) happens on a random day before it, so real days never revert.
                nxt = next(d for d in real_days if d > day)
                target = {board.key(r): r for r in rows_of(nxt)}
                left = (nxt - day).days
                for key in [k for k, row in board.rows.items() if target.get(k) != row]:
                    if rng.random() < 1.0 / left:
                        if key in target:
                            board.rows[key] = target[key]
                        else:
                            del board.rows[key]
                for key, row in target.items():
                    if key not in board.rows and row[sub][:10] <= day.isoformat():
                        board.rows[key] = row
            path = out / f"{day.isoformat()}.csv"
            written.append((path, board.write(path)))
        return written
    start = start or (max(dict(real_api_files(real_dir))) + dt.timedelta(days=1))
    growth = 1.0 + profile.arrive - profile.leave
    # Start small enough that the measured growth ends near ``models`` entries.
    initial = max(1, round(models / growth ** (days - 1)))
    order = rng.permutation(len(profile.templates))
    for i in range(initial):
        if i < len(order):
            board.put(list(profile.templates[order[i]]))
        else:
            board.put(board.clone(start))
    for i in range(days):
        day = start + dt.timedelta(days=i)
        if i > 0:
            # Leaves, likes and rescores at the measured rates; arrivals replace the leavers and
            # follow the measured growth, so the last day has ``models`` entries.
            board.step(day, 0)
            target = models if i == days - 1 else round(initial * growth**i)
            for _ in range(max(0, target - len(board.rows))):
                board.put(board.clone(day))
        path = out / f"{day.isoformat()}.csv"
        written.append((path, board.write(path)))
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate",
        description="Write synthetic daily v2 leaderboard snapshots shaped by the real seed snapshots.",
    )
    parser.add_argument("--models", type=int, required=True, help="entries on the last day")
    parser.add_argument("--days", type=int, required=True, help="how many daily files")
    parser.add_argument("--out", type=Path, required=True, help="directory for YYYY-MM-DD.csv files")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same files)")
    parser.add_argument("--start", type=dt.date.fromisoformat, help="first day (default: after the newest real one)")
    parser.add_argument(
        "--real", action="store_true", help="end on the newest real snapshot and use real files on their dates"
    )
    args = parser.parse_args(argv)
    if args.models < 1 or args.days < 1:
        print("error: --models and --days must be at least 1", file=sys.stderr)
        return 2
    files = generate(args.out, models=args.models, days=args.days, seed=args.seed, start=args.start, real=args.real)
    total = sum(n for _, n in files)
    print(f"wrote {len(files)} files, {total} rows, {files[-1][1]} on the last day, to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
