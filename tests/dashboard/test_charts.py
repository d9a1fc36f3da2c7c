"""Figure builders: assert on fig.to_dict() built from the seed."""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd
import pytest

from core.boards import OPEN_LLM_V1, OPEN_LLM_V2
from dashboard import charts, data
from db import queries


def arr(value) -> list:
    """Plotly stores numeric arrays as typed base64 in to_dict(); give back a plain list."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    return list(value)


@pytest.fixture(scope="module")
def v2(seeded_conn):
    return data.ranked_board(seeded_conn, OPEN_LLM_V2, None, "average")


def test_frontier_figure(v2):
    points = data.size_points(v2)
    fig = charts.frontier_figure(points, "license", "Average", "Average by size").to_dict()
    layout = fig["layout"]
    assert layout["xaxis"]["type"] == "log"
    names = [t["name"] for t in fig["data"]]
    assert "Pareto frontier" in names and "Permissive" in names
    front = next(t for t in fig["data"] if t["name"] == "Pareto frontier")
    expected = points[points["on_frontier"]].sort_values("params_b")
    assert arr(front["x"]) == expected["params_b"].tolist()
    assert front["line"]["shape"] == "hv"
    dots = sum(len(arr(t["x"])) for t in fig["data"] if t["name"] != "Pareto frontier")
    assert dots == len(points)


def test_colour_by_type(v2):
    fig = charts.frontier_figure(data.size_points(v2), "type", "Average", "t").to_dict()
    names = {t["name"] for t in fig["data"]}
    assert {"Chat", "Merge", "Pretrained"} <= names and "Permissive" not in names


def test_text_from_the_data_is_inert():
    frame = pd.DataFrame(
        {
            "model_id": ["evil/<img src=x onerror=alert(1)>"],
            "params_b": [1.0],
            "score": [10.0],
            "license_category": ["custom"],
            "model_type": ["chat"],
            "license": ["<b>mine</b>"],
            "on_frontier": [True],
        }
    )
    dumped = charts.frontier_figure(frame, "license", "Average", "x").to_json()
    assert "<img" not in dumped and "&lt;img src=x onerror=alert(1)&gt;" in dumped
    assert "<b>mine" not in dumped


def test_leader_step_and_timeline(seeded_conn):
    dates, leaders, _ = data.board_history(seeded_conn, OPEN_LLM_V1, "average")
    reigns = data.reigns_by_class(leaders, dates)
    overall = reigns[reigns["size_class"] == "all"]
    step = charts.leader_step_figure(leaders[leaders["size_class"] == "all"], overall, "Average", "t").to_dict()
    assert step["data"][0]["line"]["shape"] == "hv"
    labels = [a["text"] for a in step["layout"]["annotations"]]
    assert "falcon-40b-instruct" in labels and len(labels) <= 7
    gantt = charts.reign_timeline_figure(reigns, dates[-1], "t").to_dict()
    assert len(gantt["data"]) == len(reigns)
    rows = {t["y"][0] for t in gantt["data"]}
    assert rows == {"All sizes", "Edge (up to 3B)", "Laptop (3-8B)", "8-15B", "15B and up"}


def test_rank_history_figure(seeded_conn):
    model = queries.find_model(seeded_conn, "tiiuae/falcon-40b-instruct")
    history = queries.rank_history(seeded_conn, OPEN_LLM_V1, [model["id"]])
    fig = charts.rank_history_figure(history, "t").to_dict()
    assert fig["layout"]["yaxis"]["autorange"] == "reversed"
    assert min(arr(fig["data"][0]["y"])) == 1


def test_license_figures(v2):
    mix = charts.license_by_size_figure(data.license_mix_by_size(v2)).to_dict()
    assert mix["layout"]["barmode"] == "stack"
    share = data.permissive_share_top_n(v2, 10)
    fig = charts.permissive_share_figure(share, 10).to_dict()
    assert arr(fig["data"][0]["y"]) == (share["share"] * 100).tolist()
    over = charts.license_over_time_figure(data.license_mix_over_time(v2)).to_dict()
    assert {t["name"] for t in over["data"]} >= {"Permissive", "Custom"}


def test_compare_figure_scales_to_the_models(v2):
    rows = data.compare_frame(v2, ["microsoft/phi-2", "Qwen/Qwen2.5-3B-Instruct"])
    fig = charts.compare_figure(rows, [("ifeval", "IFEval"), ("bbh", "BBH"), ("gpqa", "GPQA")], "t").to_dict()
    assert len(fig["data"]) == 2 and {t["type"] for t in fig["data"]} == {"bar"}
    assert list(fig["data"][0]["y"]) == ["IFEval", "BBH", "GPQA"]
    best = max(max(v for v in t["x"] if v is not None) for t in fig["data"])
    # The axis ends just above the best score, not at a fixed 100.
    assert best < fig["layout"]["xaxis"]["range"][1] <= best * 1.2


def test_empty_inputs_give_a_message():
    fig = charts.frontier_figure(pd.DataFrame(), "license", "Average", "t").to_dict()
    assert "No model" in fig["layout"]["annotations"][0]["text"]
