"""Figure builders: DataFrames in, Plotly figures out (no Streamlit here).

Model names and licenses come from strangers. Plotly renders a small HTML subset in hover
labels and annotations, so every such text passes through :func:`inert` first.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard import format as fmt
from dashboard.data import LICENSE_LABELS, SIZE_LABELS, TYPE_LABELS

LICENSE_COLORS = {
    "permissive": "#2a9d8f",
    "copyleft": "#8ab17d",
    "non-commercial": "#e76f51",
    "custom": "#e9c46a",
    "proprietary": "#6d597a",
    "unknown": "#a0a4ab",
}
TYPE_COLORS = {
    "pretrained": "#264653",
    "continuously pretrained": "#2a9d8f",
    "fine-tuned": "#e9c46a",
    "chat": "#f4a261",
    "merge": "#e76f51",
    "multimodal": "#6d597a",
    "unknown": "#a0a4ab",
}
ACCENT = "#3b6fd8"
SIZE_ORDER = ["all", "edge", "laptop", "mid", "large"]
SIZE_NAMES = {"all": "All sizes", **SIZE_LABELS, "unknown": "Size unknown"}
_MARGIN = {"l": 10, "r": 10, "t": 48, "b": 10}
# Size ticks in the order they matter (the size-class bounds first); :func:`size_ticks` keeps
# those far enough apart on a log axis to be read on a 390 px phone ("0.5B1B" collided).
SIZE_TICKS = [1, 3, 15, 70, 8, 0.5, 35, 0.1, 200, 500, 0.01, 0.001]
SIZE_TICK_GAP = 0.4  # decades between two labelled ticks
RANK_TICKS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]
# The smallest y span a score chart draws, per benchmark scale: a 0.08-point change is not a cliff.
MIN_SPAN = {"percent": 5.0, "elo": 40.0, "count": 10.0}


def inert(text: object) -> str:
    """Text safe to hand to Plotly: tags and entities show as typed, never as markup."""
    return html.escape("" if text is None else str(text), quote=True)


def _layout(fig: go.Figure, title: str, **kw) -> go.Figure:
    fig.update_layout(
        title={"text": inert(title), "x": 0, "xanchor": "left", "font": {"size": 16}},
        margin=_MARGIN,
        # Below the plot: a legend on top collides with the title once it wraps on a phone.
        legend={"orientation": "h", "yanchor": "top", "y": -0.16, "xanchor": "left", "x": 0, "title": None},
        hoverlabel={"align": "left"},
        **kw,
    )
    return fig


def empty_figure(message: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=inert(message), showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, "")


# --------------------------------------------------------------------------- size


def frontier_figure(points: pd.DataFrame, color_by: str, score_label: str, title: str) -> go.Figure:
    """Params (log x) vs score; colour by license category or type; the Pareto frontier on top."""
    if points.empty:
        return empty_figure("No model with a known size and score matches these filters.")
    column, colors, labels = (
        ("license_category", LICENSE_COLORS, LICENSE_LABELS)
        if color_by == "license"
        else ("model_type", TYPE_COLORS, TYPE_LABELS)
    )
    fig = go.Figure()
    for key, color in colors.items():
        sub = points[points[column].fillna("unknown") == key]
        if sub.empty:
            continue
        fig.add_trace(
            go.Scattergl(
                x=sub["params_b"],
                y=sub["score"],
                mode="markers",
                name=labels[key],
                marker={"color": color, "size": 6, "opacity": 0.65, "line": {"width": 0}},
                customdata=np.stack(
                    [sub["model_id"].map(inert), sub["license"].map(inert), sub["params_b"].map(fmt.params)], axis=-1
                ),
                hovertemplate=(
                    "<b>%{customdata[0]}</b><br>%{customdata[2]} params<br>"
                    + inert(score_label)
                    + ": %{y:.2f}<br>license: %{customdata[1]}<extra></extra>"
                ),
            )
        )
    front = points[points["on_frontier"]].sort_values("params_b")
    if not front.empty:
        fig.add_trace(
            go.Scatter(
                x=front["params_b"],
                y=front["score"],
                mode="lines+markers",
                line={"shape": "hv", "color": ACCENT, "width": 2},
                marker={"color": ACCENT, "size": 9, "symbol": "diamond"},
                name="Pareto frontier",
                customdata=np.stack([front["model_id"].map(inert), front["params_b"].map(fmt.params)], axis=-1),
                hovertemplate=(
                    "<b>%{customdata[0]}</b><br>%{customdata[1]} params<br>"
                    + inert(score_label)
                    + ": %{y:.2f}<br>on the frontier<extra></extra>"
                ),
            )
        )
    # Ticks at the size-class boundaries people think in (3B, 8B, 15B), not at 2 and 5.
    ticks = size_ticks(points["params_b"].min(), points["params_b"].max())
    fig.update_xaxes(
        type="log", title="Parameters (billions, log scale)", tickvals=ticks, ticktext=[f"{t:g}B" for t in ticks]
    )
    fig.update_yaxes(title=inert(score_label))
    return _layout(fig, title, height=520)


# --------------------------------------------------------------------------- licenses


def license_by_size_figure(mix: pd.DataFrame) -> go.Figure:
    if mix.empty:
        return empty_figure("No models match these filters.")
    fig = go.Figure()
    sizes = [s for s in [*SIZE_ORDER[1:], "unknown"] if s in set(mix["size_class"])]
    for key, color in LICENSE_COLORS.items():
        sub = mix[mix["license_category"] == key].set_index("size_class").reindex(sizes)
        if sub["models"].fillna(0).sum() == 0:
            continue
        fig.add_trace(
            go.Bar(
                y=[SIZE_NAMES[s] for s in sizes],
                x=sub["share"].fillna(0) * 100,
                name=LICENSE_LABELS[key],
                orientation="h",
                marker_color=color,
                customdata=sub["models"].fillna(0).astype(int),
                hovertemplate="%{y}: %{x:.0f}% (%{customdata} models)<extra>" + LICENSE_LABELS[key] + "</extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title=None, range=[0, 100], ticksuffix="%")
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, "License mix by size class", height=360)


def license_over_time_figure(mix: pd.DataFrame) -> go.Figure:
    if mix.empty:
        return empty_figure("No model with a known Hub creation date matches these filters.")
    fig = go.Figure()
    for key, color in LICENSE_COLORS.items():
        sub = mix[mix["license_category"] == key]
        if sub.empty:
            continue
        fig.add_trace(
            go.Bar(
                x=sub["period"],
                y=sub["models"],
                name=LICENSE_LABELS[key],
                marker_color=color,
                customdata=(sub["share"] * 100).round(0),
                hovertemplate="%{x|%Y Q%q}: %{y} models (%{customdata}%)<extra>" + LICENSE_LABELS[key] + "</extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title=None)
    fig.update_yaxes(title="Models")
    return _layout(fig, "License mix by Hub creation quarter", height=360)


def permissive_share_figure(share: pd.DataFrame, n: int) -> go.Figure:
    if share.empty or share["models"].sum() == 0:
        return empty_figure("No models match these filters.")
    labels = [SIZE_NAMES[s] for s in share["size_class"]]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=share["share"] * 100,
            marker_color=LICENSE_COLORS["permissive"],
            text=[
                f"{p} of {m}" if m else "no models" for p, m in zip(share["permissive"], share["models"], strict=True)
            ],
            textposition="outside",
            hovertemplate="%{x}: %{y:.0f}% permissive<extra></extra>",
        )
    )
    fig.update_yaxes(title="Permissive (%)", range=[0, 110])
    return _layout(fig, f"Top {n} per size class: % permissive", height=360)


# --------------------------------------------------------------------------- history


def leader_step_figure(
    leaders: pd.DataFrame, reigns: pd.DataFrame, score_label: str, title: str, label_top: int = 5
) -> go.Figure:
    """The leading score over time as a step line; the longest reigns (and the last) carry their holder's name."""
    if leaders.empty:
        return empty_figure("No snapshots for this board.")
    fig = go.Figure(
        go.Scatter(
            x=pd.to_datetime(leaders["date"]),
            y=leaders["value"],
            mode="lines+markers",
            line={"shape": "hv", "color": ACCENT, "width": 2.5},
            marker={"size": 6, "color": ACCENT},
            customdata=leaders["model_id"].map(inert),
            hovertemplate="%{x|%Y-%m-%d}<br><b>%{customdata}</b><br>"
            + inert(score_label)
            + ": %{y:.2f}<extra></extra>",
            name="#1",
            showlegend=False,
        )
    )
    # Label the reigns that matter (long ones, and the current one); short ones crowd a phone.
    labelled = reigns.nlargest(label_top, "days")
    if len(labelled) > 2:
        # A reign across a long gap between snapshots is not known to be long: the longest
        # reign without one sets the scale (gap_days, db.history.reigns).
        known = labelled[labelled["gap_days"].isna()] if "gap_days" in labelled else labelled
        labelled = labelled[labelled["days"] >= 0.2 * (known if not known.empty else labelled)["days"].max()]
    if not reigns.empty:
        labelled = pd.concat([labelled, reigns.tail(1)]).drop_duplicates(["model_id", "start"])
    for i, reign in enumerate(labelled.sort_values("start").itertuples(index=False)):
        fig.add_annotation(
            x=pd.Timestamp(reign.start),
            y=reign.value,
            text=inert(_short(reign.model_id)),
            showarrow=True,
            arrowhead=0,
            ax=0,
            ay=-30 - 18 * (i % 2),
            font={"size": 11},
        )
    fig.update_yaxes(title=inert(score_label))
    fig.update_xaxes(title=None)
    return _layout(fig, title, height=440)


def reign_timeline_figure(reigns: pd.DataFrame, last_date, title: str) -> go.Figure:
    """One row per size class, one bar per reign (a Gantt chart)."""
    if reigns.empty:
        return empty_figure("No reigns to show.")
    fig = go.Figure()
    palette = [
        "#3b6fd8",
        "#2a9d8f",
        "#e76f51",
        "#e9c46a",
        "#6d597a",
        "#f4a261",
        "#264653",
        "#8ab17d",
        "#b5179e",
        "#4895ef",
    ]
    holders = list(dict.fromkeys(reigns.sort_values("start")["model_id"]))
    color_of = {m: palette[i % len(palette)] for i, m in enumerate(holders)}
    order = [s for s in SIZE_ORDER if s in set(reigns["size_class"])]
    for row in reigns.itertuples(index=False):
        start = pd.Timestamp(row.start)
        end = pd.Timestamp(row.end if row.end is not None and not pd.isna(row.end) else last_date)
        if end <= start:
            end = start + pd.Timedelta(days=1)
        fig.add_trace(
            go.Bar(
                base=[start],
                x=[(end - start).total_seconds() * 1000],
                y=[SIZE_NAMES[row.size_class]],
                orientation="h",
                marker_color=color_of[row.model_id],
                marker_line={"width": 1, "color": "rgba(255,255,255,0.6)"},
                name=inert(row.model_id),
                showlegend=False,
                text=[inert(_short(row.model_id, 24))],
                textposition="inside",
                insidetextanchor="middle",
                textfont={"color": "white", "size": 11},
                customdata=[[inert(row.model_id), str(row.start), str(row.end or "still leads"), int(row.days)]],
                hovertemplate=(
                    "<b>%{customdata[0]}</b><br>%{customdata[1]} to %{customdata[2]}"
                    "<br>%{customdata[3]} days<extra></extra>"
                ),
            )
        )
    fig.update_layout(barmode="overlay", bargap=0.35, uniformtext={"minsize": 9, "mode": "hide"})
    fig.update_xaxes(type="date", title=None)
    fig.update_yaxes(categoryorder="array", categoryarray=[SIZE_NAMES[s] for s in reversed(order)], title=None)
    return _layout(fig, title, height=120 + 48 * len(order))


def rank_history_figure(history: pd.DataFrame, title: str) -> go.Figure:
    """Rank over time for chosen models (rank 1 at the top, log scale so the top is readable)."""
    if history.empty:
        return empty_figure("Pick models to see their rank over time.")
    fig = go.Figure()
    for model_id, sub in history.groupby("model_id", sort=False):
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(sub["date"]),
                y=sub["rank"],
                mode="lines+markers",
                name=inert(model_id),
                customdata=np.stack([sub["entries"], sub["score"].round(2)], axis=-1),
                hovertemplate=(
                    "%{x|%Y-%m-%d}: #%{y} of %{customdata[0]}<br>score %{customdata[1]}<extra>"
                    + inert(_short(model_id))
                    + "</extra>"
                ),
            )
        )
    _rank_axis(fig, int(history["rank"].min()), int(history["rank"].max()))
    return _layout(fig, title, height=420)


def score_history_figure(
    history: pd.DataFrame, score_label: str, title: str, scale: str = "percent", bounds: tuple | None = None
) -> go.Figure:
    """A model's score on one board over time (gaps where it was not listed).

    The y axis spans at least ``MIN_SPAN[scale]`` (within ``bounds``, the scale's limits), so a
    small re-run difference reads as small.
    """
    if history.empty:
        return empty_figure("No score history.")
    fig = go.Figure(
        go.Scatter(
            x=pd.to_datetime(history["date"]),
            y=history["value"],
            mode="lines+markers",
            line={"shape": "hv", "color": ACCENT},
            connectgaps=False,
            hovertemplate="%{x|%Y-%m-%d}: %{y:.2f}<extra></extra>",
            showlegend=False,
        )
    )
    span = y_range(history["value"], MIN_SPAN.get(scale, 5.0), bounds)
    fig.update_yaxes(title=inert(score_label), range=span)
    return _layout(fig, title, height=300)


# --------------------------------------------------------------------------- compare


def compare_figure(rows: pd.DataFrame, benchmarks: list[tuple[str, str]], title: str) -> go.Figure:
    """Benchmarks of two to six models as grouped bars, on an axis from 0 to just above the best.

    Bars, not a radar: two models under 25 points on a fixed 0-100 radar were overlapping blobs;
    side by side with their values written, any gap shows.
    """
    if rows.empty or not benchmarks:
        return empty_figure("Pick two to six models to compare.")
    labels = [label for _, label in benchmarks]
    fig = go.Figure()
    top = 0.0
    for row in rows.itertuples(index=False):
        values = [getattr(row, key, np.nan) for key, _ in benchmarks]
        values = [None if v is None or pd.isna(v) else float(v) for v in values]
        top = max([top, *[v for v in values if v is not None]])
        fig.add_trace(
            go.Bar(
                y=labels,
                x=values,
                orientation="h",
                name=inert(_short(row.model_id, 40)),
                text=["n/a" if v is None else f"{v:.1f}" for v in values],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{y}: %{x:.2f}<extra>" + inert(_short(row.model_id)) + "</extra>",
            )
        )
    fig.update_layout(barmode="group", bargap=0.25, bargroupgap=0.05)
    fig.update_xaxes(range=[0, max(top * 1.15, 1.0)], title="Score")
    fig.update_yaxes(autorange="reversed", title=None)
    return _layout(fig, title, height=140 + len(labels) * (22 * len(rows) + 18))


def size_ticks(low: float, high: float, gap: float = SIZE_TICK_GAP) -> list[float]:
    """Tick values for a log size axis from ``low`` to ``high``: the important ones, never crowded.

    Two labels are at least ``gap`` decades apart, and at least a ninth of the axis (a wide
    axis on a 390 px phone has about 30 px per ninth: room for "200B").
    """
    if not (low > 0 and high >= low):
        return []
    gap = max(gap, (np.log10(high * 2) - np.log10(low / 2)) / 9)
    shown = [t for t in SIZE_TICKS if low / 2 <= t <= high * 2]
    chosen: list[float] = []
    for tick in shown:
        if all(abs(np.log10(tick) - np.log10(c)) >= gap for c in chosen):
            chosen.append(tick)
    return sorted(chosen)


def y_range(values: pd.Series, min_span: float, bounds: tuple | None = None) -> list[float] | None:
    """A y range at least ``min_span`` wide around the values (None: the data already spans more)."""
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    if numbers.empty:
        return None
    low, high = float(numbers.min()), float(numbers.max())
    if high - low >= min_span:
        return None
    mid = (low + high) / 2
    start, end = mid - min_span / 2, mid + min_span / 2
    floor, ceiling = bounds if bounds is not None else (None, None)
    if floor is not None and start < floor:
        start, end = floor, floor + min_span
    if ceiling is not None and end > ceiling:
        start, end = ceiling - min_span, ceiling
    return [start, end]


def _rank_axis(fig: go.Figure, best: int, worst: int) -> None:
    """Rank 1 on top; a log axis only when the ranks span a factor of 10, always several ticks."""
    if worst >= 10 * best:
        ticks = [t for t in RANK_TICKS if best / 1.5 <= t <= worst * 1.5]
        if len(ticks) < 3:
            ticks = sorted({*ticks, best, worst})
        fig.update_yaxes(type="log", autorange="reversed", title="Rank (log scale)", tickvals=ticks)
        return
    spread = worst - best
    step = next((s for s in (1, 2, 5, 10, 20, 50, 100) if spread / s <= 6), 100)
    pad = max(1.5 if spread < 3 else 0.5, spread * 0.08)
    fig.update_yaxes(
        type="linear",
        range=[worst + pad, max(0.5, best - pad)],
        tickmode="linear",
        tick0=0 if step > 1 else best,
        dtick=step,
        title="Rank",
    )


def _short(model_id: object, limit: int = 32) -> str:
    text = str(model_id)
    name = text.split("/", 1)[-1] if "/" in text else text
    return name if len(name) <= limit else name[: limit - 1] + "…"
