"""``hosting_*``: many viewers at once on one dashboard server (``python -m bench --only hosting``).

The viewers speak Streamlit's own websocket protocol (``/_stcore/stream``: the ``BackMsg`` and
``ForwardMsg`` protobufs a browser tab exchanges with the server), driven from one asyncio loop
without a browser. A headless Chromium tab costs 150-300 MB and a full core while the data grid
draws: twenty of them on this 2-core machine would measure the browsers, not the server. The
server cannot tell the two apart: it gets the same messages, opens the same session per tab, runs
the same scripts and sends the same deltas, and a page is *settled* when the server says the
script run is over (``script_finished``), which is what the browser waits for too (the
browsers' own acceptance check is ``tests/e2e``).

Each viewer opens a new tab (a websocket, so a new session), opens the leaderboard, chooses a
license (the filter change), opens a model page and the history page, pauses a few seconds
between steps as a reader does, closes the tab and starts again, until the phase's time is up.
Measured per database (the bundled seed, and a generated board of ``rss_models`` models):

- ``hosting_filter_p95_<db>``: p95 time to a settled filter change with ``viewers`` at once
  against the same run's single viewer (target 4x); the note gives p50s and the page figures
  (``seed_2_replicas``: the same viewers spread over two servers, compose.yaml's layout);
- ``hosting_errors_<db>``: exceptions, error boxes, timeouts and dropped connections (target 0);
- ``hosting_rss_one_viewer``: the server's RSS with one viewer on the big board (target 512 MB);
- ``hosting_rss_per_session``: RSS added per extra idle tab (ten tabs left open, target 25 MB);
- ``hosting_soak_growth``: RSS at the end of a soak of repeated page views against RSS once the
  caches are warm (its first minute), target 1.10;

and with each, the database connections the server held open (SQLite: the server's file
descriptors on the database file; PostgreSQL: its rows in ``pg_stat_activity``).

``python -m bench.hosting --url http://127.0.0.1:PORT [--url ...] [--pid PID ...]`` runs the same
load against servers already running (the replica test starts two on PostgreSQL);
``--browsers N`` instead opens N real headless Chromium tabs against the first (the acceptance
check: every page settled, no error shown).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from bench.core import Result, Sizes, env_without, status_mb

log = logging.getLogger("bench.hosting")

STEP_TIMEOUT_S = 180.0  # a step that has not settled by then counts as an error (the endless spinner)
LICENSE_LABEL = "License"
LICENSE_CHOICE = "Permissive"  # the multiselect's label for "permissive": what a browser sends
IDLE_TABS = 10


@dataclass(frozen=True)
class Target:
    """One dashboard server: its base URL and, when known, its process id and a connection count."""

    base: str
    pid: int | None = None
    connections: Callable[[], int | None] | None = None


@dataclass
class Timings:
    page: list[float] = field(default_factory=list)
    filter: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    loops: int = 0

    def add(self, other: Timings) -> None:
        self.page += other.page
        self.filter += other.filter
        self.errors += other.errors
        self.loops += other.loops


def pct(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; nan when there is nothing."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


# --------------------------------------------------------------------------- the protocol


class StepError(RuntimeError):
    """A step that did not settle cleanly (its message is the error's one line)."""


@dataclass
class Settled:
    seconds: float
    widgets: dict[str, str]
    texts: list[str]
    model_ids: list[str]


def _model_ids(arrow: bytes, limit: int = 40) -> list[str]:
    import pyarrow as pa

    table = pa.ipc.open_stream(arrow).read_all()
    if "page_url" not in table.column_names:
        return []
    urls = table.column("page_url").slice(0, limit).to_pylist()
    return [unquote(u.split("id=", 1)[1]) for u in urls if isinstance(u, str) and "id=" in u]


class Tab:
    """One browser tab's websocket session."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.ws = None

    async def open(self) -> None:
        import websockets

        uri = "ws" + self.base.removeprefix("http") + "/_stcore/stream"
        self.ws = await websockets.connect(uri, subprotocols=["streamlit"], max_size=None, open_timeout=60)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    async def run(
        self, page: str, query: str = "", widgets: Sequence[tuple[str, list[str]]] = (), *, want_ids: bool = False
    ) -> Settled:
        """Ask for a script run as a browser does on navigation or a widget change; wait until it ends."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = query
        state.page_name = page
        for wid, values in widgets:
            w = state.widget_states.widgets.add()
            w.id = wid
            w.string_array_value.data.extend(values)
        start = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        found: dict[str, str] = {}
        texts: list[str] = []
        ids: list[str] = []
        deadline = start + STEP_TIMEOUT_S
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise StepError(f"{page or 'leaderboard'}: not settled after {STEP_TIMEOUT_S:.0f} s")
            try:
                raw = await asyncio.wait_for(self.ws.recv(), timeout=left)
            except TimeoutError:
                continue
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            kind = fm.WhichOneof("type")
            if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                what = el.WhichOneof("type")
                if what == "exception":
                    raise StepError(f"{page or 'leaderboard'}: exception {el.exception.message[:120]}")
                if what == "alert" and el.alert.format == 1:  # st.error: the page's own failure box
                    raise StepError(f"{page or 'leaderboard'}: error box {el.alert.body[:120]}")
                if what == "multiselect":
                    found[el.multiselect.label] = el.multiselect.id
                elif what == "markdown":
                    texts.append(el.markdown.body)
                elif what == "dataframe" and want_ids and not ids:
                    df = el.dataframe  # a lazy table carries its first chunk; an eager one all its rows
                    ids = _model_ids(df.arrow_data.data or df.lazy_data.initial_chunk.data)
            elif kind == "script_finished":
                status = fm.script_finished
                if status == 2:  # FINISHED_EARLY_FOR_RERUN: another run follows (a page's own rerun)
                    continue
                if status != 0:
                    raise StepError(f"{page or 'leaderboard'}: script finished with status {status}")
                return Settled(time.perf_counter() - start, found, texts, ids)


def _count_of(texts: list[str]) -> str | None:
    """The "**N** of M models" line of the leaderboard (proof that the filter was applied)."""
    for text in texts:
        if " of " in text and "models" in text and text.startswith("**"):
            return text.split("**")[1]
    return None


async def visit(base: str, model_ids: list[str], rng: random.Random, think_s: tuple[float, float]) -> Timings:
    """One viewer's tab: leaderboard, a license filter, a model page, the history page."""
    out = Timings()
    tab = Tab(base)
    try:
        await tab.open()
        board = await tab.run("", want_ids=not model_ids)
        out.page.append(board.seconds)
        if not model_ids:
            model_ids.extend(board.model_ids)
        lic = board.widgets.get(LICENSE_LABEL)
        if lic is None:
            raise StepError("leaderboard: no License filter on the page")
        await asyncio.sleep(rng.uniform(*think_s))
        before = _count_of(board.texts)
        chosen = await tab.run("", widgets=[(lic, [LICENSE_CHOICE])])
        after = _count_of(chosen.texts)
        if before is not None and after is not None and after == before:
            raise StepError(f"leaderboard: the license filter changed nothing ({after} models)")
        out.filter.append(chosen.seconds)
        await asyncio.sleep(rng.uniform(*think_s))
        if model_ids:
            model = rng.choice(model_ids[:40])
            out.page.append((await tab.run("model", "id=" + model)).seconds)
            await asyncio.sleep(rng.uniform(*think_s))
        out.page.append((await tab.run("history")).seconds)
        out.loops += 1
    except StepError as exc:
        out.errors.append(str(exc))
        await asyncio.sleep(think_s[1])  # a viewer who met an error does not hammer the server
    except Exception as exc:  # a dropped or refused connection is a viewer's error too
        out.errors.append(f"{type(exc).__name__}: {str(exc)[:120]}")
        await asyncio.sleep(think_s[1])
    finally:
        try:
            await tab.close()
        except Exception:
            pass
    return out


async def _viewer(base, model_ids, seed, until, think_s, max_loops) -> Timings:
    rng = random.Random(seed)
    total = Timings()
    for _ in range(max_loops):  # at least one visit, then until the time is up
        total.add(await visit(base, model_ids, rng, think_s))
        if time.monotonic() >= until:
            break
    return total


async def _load(bases: Sequence[str], viewers: int, seconds: float, think_s, max_loops, model_ids) -> Timings:
    until = time.monotonic() + seconds
    tasks = [_viewer(bases[i % len(bases)], model_ids, 1000 + i, until, think_s, max_loops) for i in range(viewers)]
    total = Timings()
    for t in await asyncio.gather(*tasks):
        total.add(t)
    return total


def load(
    bases: Sequence[str],
    viewers: int,
    seconds: float,
    *,
    think_s: tuple[float, float] = (1.0, 3.0),
    max_loops: int = 1000,
    model_ids: list[str] | None = None,
) -> Timings:
    """``viewers`` tabs spread over ``bases`` for ``seconds`` (each finishes its visit); bounded by ``max_loops``."""
    return asyncio.run(_load(bases, viewers, seconds, think_s, max_loops, [] if model_ids is None else model_ids))


async def _idle_tabs(base: str, count: int, hold: Callable[[], None]) -> int:
    tabs = [Tab(base) for _ in range(count)]
    opened = 0
    try:
        for tab in tabs:
            await tab.open()
            await tab.run("")
            opened += 1
        await asyncio.to_thread(hold)
    finally:
        for tab in tabs:
            try:
                await tab.close()
            except Exception:
                pass
    return opened


# --------------------------------------------------------------------------- the server's side


def rss_mb(pid: int | None) -> float | None:
    """Resident memory (VmRSS) of a live process in MB."""
    return status_mb(pid, "VmRSS")


def peak_rss_mb(pid: int | None) -> float | None:
    """Peak resident memory (VmHWM) of a live process in MB."""
    return status_mb(pid, "VmHWM")


def sqlite_connections(pid: int, db_path: Path) -> Callable[[], int | None]:
    """Open SQLite connections of ``pid`` on ``db_path``: its file descriptors on the file."""
    target = str(db_path.resolve())

    def count() -> int | None:
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            return None
        n = 0
        for fd in fds:
            try:
                if str(fd.readlink()) == target:
                    n += 1
            except OSError:
                pass
        return n

    return count


def postgres_connections(admin_url: str, role: str) -> Callable[[], int | None]:
    """Connections of ``role`` in ``pg_stat_activity`` (what the dashboards hold)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(admin_url, poolclass=__import__("sqlalchemy.pool", fromlist=["NullPool"]).NullPool)

    def count() -> int | None:
        try:
            with engine.connect() as conn:
                return conn.execute(
                    text("select count(*) from pg_stat_activity where usename = :r"), {"r": role}
                ).scalar()
        except Exception:
            return None

    return count


class Sampler:
    """RSS and open connections of the servers every ``every_s`` seconds, in a thread."""

    def __init__(self, targets: Sequence[Target], every_s: float = 1.0) -> None:
        self.targets = list(targets)
        self.every_s = every_s
        self.samples: list[tuple[float, list[float | None], list[int | None]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._t0 = time.monotonic()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.every_s)

    def sample(self) -> None:
        rss = [rss_mb(t.pid) for t in self.targets]
        conns = [t.connections() if t.connections else None for t in self.targets]
        self.samples.append((time.monotonic() - self._t0, rss, conns))

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def rss(self, since: float = 0.0) -> list[float]:
        return [sum(r for r in rss if r) for t, rss, _ in self.samples if t >= since and any(rss)]

    def max_connections(self) -> int | None:
        seen = [sum(c for c in conns if c) for _, _, conns in self.samples if any(c is not None for c in conns)]
        return max(seen) if seen else None

    def timeline(self, points: int = 12) -> str:
        """RSS over time, a few points: "0s 231, 30s 240, ..." (MB, all servers together)."""
        rows = [(t, sum(r for r in rss if r)) for t, rss, _ in self.samples if any(rss)]
        if not rows:
            return "n/a"
        step = max(1, len(rows) // points)
        picked = rows[::step] + ([rows[-1]] if (len(rows) - 1) % step else [])
        return ", ".join(f"{t:.0f}s {mb:.0f}" for t, mb in picked)


# --------------------------------------------------------------------------- the benchmark


def _summary(t: Timings) -> str:
    return (
        f"page p50 {pct(t.page, 50):.2f} s p95 {pct(t.page, 95):.2f} s; "
        f"filter p50 {pct(t.filter, 50):.2f} s p95 {pct(t.filter, 95):.2f} s; "
        f"{t.loops} visits, {len(t.errors)} errors"
    )


def measure(
    label: str, targets: Sequence[Target], viewers: int, seconds: float, *, single_s: float | None = None
) -> tuple[list[Result], dict]:
    """The single viewer, then ``viewers`` at once, against ``targets``; the two results and the figures."""
    bases = [t.base for t in targets]
    ids: list[str] = []
    for base in bases:  # warms every server's caches, as the first visitor after a start does
        load([base], 1, 0, think_s=(0, 0), max_loops=1, model_ids=ids)
    one = load(bases[:1], 1, single_s or seconds, think_s=(0.5, 1.0), model_ids=ids)
    with Sampler(targets) as many_s:
        many = load(bases, viewers, seconds, model_ids=ids)
    figures = {
        "single": _summary(one),
        "concurrent": _summary(many),
        "rss_mb": many_s.timeline(),
        "connections_max": many_s.max_connections(),
        "errors": many.errors[:5],
    }
    log.info("hosting %s: 1 viewer: %s", label, figures["single"])
    log.info("hosting %s: %d viewers: %s", label, viewers, figures["concurrent"])
    log.info(
        "hosting %s: RSS over time (MB): %s; connections at most %s",
        label,
        figures["rss_mb"],
        figures["connections_max"],
    )
    for err in many.errors[:5] + one.errors[:5]:
        log.info("hosting %s: error: %s", label, err)
    note = (
        f"{viewers} viewers over {len(targets)} server(s) for {seconds:.0f} s: {figures['concurrent']}; "
        f"1 viewer: {figures['single']}; RSS (MB) {figures['rss_mb']}; "
        f"database connections open at most {figures['connections_max']}"
    )
    errors = len(many.errors) + len(one.errors)
    results = [
        Result(f"hosting_filter_p95_{label}", pct(many.filter, 95), "s", pct(one.filter, 95), 4.0, note),
        Result(
            f"hosting_errors_{label}",
            float(errors),
            "errors",
            1.0,
            0.0,
            "; ".join((many.errors + one.errors)[:3]) or f"{many.loops + one.loops} visits, every step settled",
        ),
    ]
    if not many.filter or not one.filter:
        results[0].value = float("inf")
    return results, figures


def memory(target: Target, models: int, soak_s: float) -> list[Result]:
    """RSS with one viewer, per extra idle tab, and over a soak (one server on the big board)."""
    load([target.base], 1, 0, think_s=(0, 0), max_loops=2)  # every page twice: caches built, then used
    time.sleep(5)
    one = rss_mb(target.pid)
    one_peak = peak_rss_mb(target.pid)
    after: list[float | None] = []

    def hold() -> None:
        time.sleep(5)
        after.append(rss_mb(target.pid))

    opened = asyncio.run(_idle_tabs(target.base, IDLE_TABS, hold))
    # Not measured (no RSS read, or no tab opened) is never a pass: infinity, like the one-viewer figure.
    per_tab = (after[0] - one) / opened if one and after and after[0] and opened else float("inf")
    log.info("hosting: RSS %.0f MB with one viewer, %.1f MB per idle tab (%d tabs)", one or 0, per_tab, opened)
    with Sampler([target], every_s=2.0) as soak:
        visits = load([target.base], 4, soak_s, think_s=(0.2, 0.5), max_loops=100_000)
    warm_from = min(60.0, soak_s / 5)
    warm = soak.rss()
    first = [mb for t, rss, _ in soak.samples if t <= warm_from for mb in rss if mb]
    last = [mb for t, rss, _ in soak.samples if t >= soak_s * 0.9 for mb in rss if mb]
    warm_mb = max(first) if first else float("nan")
    end_mb = max(last) if last else float("nan")
    log.info("hosting soak %.0f s: %s; RSS %s", soak_s, _summary(visits), soak.timeline())
    return [
        Result(
            "hosting_rss_one_viewer",
            one or float("inf"),
            "MB",
            512.0,
            1.0,
            f"VmRSS of the server 5 s after one viewer's two visits (every page), {models:,} models; "
            f"its peak (VmHWM) so far {one_peak or 0:.0f} MB",
        ),
        Result(
            "hosting_rss_per_session",
            per_tab,
            "MB",
            25.0,
            1.0,
            f"({after[0] or 0:.0f} - {one or 0:.0f}) MB over {opened} idle tabs left on the leaderboard, {models:,} models",
        ),
        Result(
            "hosting_soak_growth",
            end_mb,
            "MB",
            warm_mb,
            1.10,
            f"{soak_s / 60:.1f} min of 4 viewers repeating visits ({visits.loops} visits, {len(visits.errors)} errors); "
            f"peak RSS in the last 10% against the first {warm_from:.0f} s; RSS (MB) {soak.timeline()}; "
            f"max {max(warm or [0]):.0f} MB",
        ),
    ]


def seed_db(work: Path) -> Path:
    """The bundled seed in a SQLite file (kept in ``work`` and reused)."""
    from bench.core import fresh_sqlite
    from ingest.seed import load_seed

    path = work / "hosting-seed.db"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        engine = fresh_sqlite(tmp)
        load_seed(engine, progress=False)
        engine.dispose()
        tmp.rename(path)
    return path


def big_db(work: Path, models: int) -> Path:
    from bench.dashboard import board_db

    path = work / f"board-{models}.db"
    return path if path.exists() else board_db(work, models)


def _server(db: Path):
    from testing.servers import start_streamlit

    env = env_without("STREAMLIT_") | {"DATABASE_URL": f"sqlite:///{db}"}
    proc, base = start_streamlit(env, startup_s=180)
    return proc, Target(base, proc.pid, sqlite_connections(proc.pid, db))


def _size_label(models: int) -> str:
    return f"{models // 1000}k" if models >= 1000 else str(models)


def run(work: Path, sizes: Sizes, *, soak_minutes: float | None = None, viewers: int = 20) -> list[Result]:
    from testing.servers import stop

    quick = sizes.rss_models < 100_000
    seconds = 40.0 if sizes.repeats > 1 else 8.0
    soak_s = 60 * (soak_minutes if soak_minutes is not None else (2.0 if quick else 10.0))
    if sizes.repeats == 1:
        viewers, soak_s = min(viewers, 3), min(soak_s, 10.0)
    results: list[Result] = []
    for label, db in (("seed", seed_db(work)), (_size_label(sizes.rss_models), big_db(work, sizes.rss_models))):
        log.info("hosting: %s database %s", label, db.name)
        proc, target = _server(db)
        try:
            found, _ = measure(label, [target], viewers, seconds)
            results += found
        finally:
            stop(proc, timeout_s=30)
        if label == "seed":  # the same viewers over two replicas (compose.yaml's layout), one per core
            pair = [_server(db) for _ in range(2)]
            try:
                found, _ = measure(f"{label}_2_replicas", [t for _, t in pair], viewers, seconds)
                results += found
            finally:
                for p, _ in pair:
                    stop(p, timeout_s=30)
        if label != "seed":
            proc, target = _server(db)  # a fresh server: memory figures from a clean start
            try:
                results += memory(target, sizes.rss_models, soak_s)
            finally:
                stop(proc, timeout_s=30)
    return results


# --------------------------------------------------------------------------- real browsers

SETTLED_JS = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
FAILED = "[data-testid='stException'], [data-testid='stAlertContentError']"


async def _browser_viewer(browser, base: str, loops: int, out: Timings) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    try:
        for _ in range(loops):
            for path, kind in (("/", "page"), ("/?license=permissive", "filter"), ("/history", "page")):
                start = time.perf_counter()
                await page.goto(base + path, timeout=STEP_TIMEOUT_S * 1000)
                await page.wait_for_selector("[data-testid='stMain']", timeout=STEP_TIMEOUT_S * 1000)
                await page.wait_for_timeout(300)  # the script run starts after the page's first paint
                await page.wait_for_function(SETTLED_JS, timeout=STEP_TIMEOUT_S * 1000)
                (out.filter if kind == "filter" else out.page).append(time.perf_counter() - start)
                if await page.locator(FAILED).count():
                    out.errors.append(f"{path}: the page shows an error")
            out.loops += 1
    except Exception as exc:  # a timeout is an endless spinner
        out.errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}")
    finally:
        await context.close()


async def _browsers(base: str, viewers: int, loops: int) -> Timings:
    from playwright.async_api import async_playwright

    from testing.servers import CHROMIUM, CHROMIUM_ARGS

    out = Timings()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            await asyncio.gather(*[_browser_viewer(browser, base, loops, out) for _ in range(viewers)])
        finally:
            await browser.close()
    return out


def browser_load(base: str, viewers: int, loops: int = 1) -> Timings:
    """``viewers`` headless Chromium tabs (one browser), each opening the leaderboard, a filtered
    leaderboard (by its URL) and the history page ``loops`` times; settled = no running indicator."""
    return asyncio.run(_browsers(base, viewers, loops))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the load against servers already running (``--url``, repeatable)."""
    parser = argparse.ArgumentParser(prog="python -m bench.hosting", description=main.__doc__)
    parser.add_argument("--url", action="append", required=True, help="a dashboard's base URL (127.0.0.1 only)")
    parser.add_argument("--pid", action="append", type=int, default=[], help="its process id (for RSS)")
    parser.add_argument("--viewers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--browsers",
        type=int,
        metavar="N",
        help="instead: N headless Chromium tabs, each visiting once (acceptance check)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S", stream=sys.stderr)
    for url in args.url:
        if not url.startswith(("http://127.0.0.1:", "http://localhost:")):
            print(f"error: {url}: only servers on 127.0.0.1 are load-tested", file=sys.stderr)
            return 2
    if args.browsers:
        done = browser_load(args.url[0].rstrip("/"), args.browsers)
        print(f"{args.browsers} Chromium viewers: {_summary(done)}")
        for err in done.errors[:10]:
            print(f"  error: {err}")
        return 0 if not done.errors and done.loops == args.browsers else 1
    pids = args.pid + [None] * (len(args.url) - len(args.pid))
    targets = [Target(u.rstrip("/"), p) for u, p in zip(args.url, pids, strict=False)]
    results, _ = measure("external", targets, args.viewers, args.seconds, single_s=min(args.seconds, 20))
    if args.json:
        print(json.dumps([r.to_json() for r in results], indent=2))
    else:
        for r in results:
            print(f"{r.name}: {r.value:.3f} {r.unit} (baseline {r.baseline:.3f}, target <= {r.target:g}x) {r.note}")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
