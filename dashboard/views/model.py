"""One model: every fact with its source, claims against measurements, scores and ranks over time."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.boards import MODEL_CARD, leaderboard_def
from core.errors import NotFoundError
from dashboard import arena, data, eval_ui, fidelity, page_cache, ui, urls
from dashboard import devices as fits
from dashboard import format as fmt

url, ver = ui.cache_args()
ui.enter_page("model")
model_id = str(urls.canonical(ui.query_dict())[0].get("id") or "").strip()[:300]  # ?model= reads as ?id=


def search_box(initial: str = "") -> None:
    if "model_search" not in st.session_state:
        st.session_state["model_search"] = initial
    text = st.text_input("Find a model", key="model_search", placeholder="Part of a name, e.g. phi-2 or falcon")
    if text.strip():
        found = ui.search_models(url, ver, text.strip())
        if found.empty:
            ui.empty_state(f"No model id contains {text.strip()!r}.", "Try a shorter part of the name.")
        else:
            st.dataframe(
                found.assign(
                    page_url=found["model_id"].map(data.page_url),
                    license_category=found["license_category"].fillna("unknown").map(data.LICENSE_LABELS),
                )[["page_url", "params_b", "license_category"]],
                hide_index=True,
                placeholder=fmt.MISSING,
                column_config={
                    **ui.model_link_config(),
                    "params_b": st.column_config.NumberColumn("Params (B)", format=fmt.PARAMS_FORMAT),
                    "license_category": "License category",
                },
                key="search_results",
            )


if not model_id:
    st.title("Models")
    st.caption("Search the tracker's models, or follow a model link from any table.")
    search_box()
    st.subheader("Worth a look")
    picks = ["microsoft/phi-2", "tiiuae/falcon-40b-instruct", "mistralai/Mistral-7B-v0.1", "Qwen/Qwen2.5-7B-Instruct"]
    st.dataframe(
        pd.DataFrame({"page_url": [data.page_url(p) for p in picks]}),
        hide_index=True,
        placeholder=fmt.MISSING,
        column_config=ui.model_link_config(),
        key="picks",
    )
    st.stop()

try:
    bundle = ui.model_bundle(url, ver, model_id)
except NotFoundError:
    st.title("Model not found")
    ui.empty_state(f"There is no model {model_id!r} in the tracker.", "Check the spelling or search below.")
    search_box(model_id.split("/")[-1])
    st.stop()

model = bundle["model"]
st.query_params["id"] = model["repo_id"]  # canonical spelling (an alias or other case redirects here)
for alias in urls.aliases_of("id"):
    st.query_params.pop(alias, None)
st.title(ui.md(model["repo_id"]))
subtitle = " · ".join(
    x
    for x in (
        model.get("org"),
        data.TYPE_LABELS.get(model.get("model_type") or "unknown"),
        fidelity.license_text(model),
    )
    if x
)
st.caption(ui.md(subtitle))
hub = data.hub_url(model["repo_id"])
if hub:
    st.link_button("Open on Hugging Face", hub, icon=":material/open_in_new:", key="hub_link")
if bundle["aliases"]:
    st.caption("Also known as: " + ui.md(", ".join(bundle["aliases"])))

m = st.columns(4)
m[0].metric("Parameters", fidelity.size_text(model))
m[1].metric("License", data.LICENSE_LABELS.get(model.get("license_category") or "unknown"))
m[2].metric("Created on the Hub", fmt.date(model.get("created_date"), "unknown"))
m[3].metric("Leaderboards", len([b for b in bundle["boards"] if b != MODEL_CARD]))
fidelity.show_size_provenance(model)

claims = data.claims_vs_measured(model, bundle["claims"])
if not claims.empty:
    st.subheader("Claimed vs measured")
    for i, claim in enumerate(claims.itertuples(index=False)):
        wrong = claim.verdict.startswith(("overstated", "understated"))
        with st.container(border=True, key=f"claim_{i}"):
            if wrong:
                st.warning(ui.md(f"This published claim is wrong ({claim.verdict})."), icon=":material/fact_check:")
            st.markdown(ui.md(claim.claim))
            left, right = st.columns(2)
            unit = claim.unit or ""
            left.metric(
                "Claimed", "unknown" if fmt.missing(claim.claimed) else f"{fmt.number(claim.claimed)} {unit}".strip()
            )
            left.caption("Source: " + ui.md(claim.claim_source))
            right.metric(
                "Measured", "unknown" if fmt.missing(claim.measured) else f"{fmt.number(claim.measured)} {unit}".strip()
            )
            right.caption("Source: " + ui.md(claim.measured_source or "not measured"))

st.subheader("Facts and where they come from")
facts = data.model_fact_rows(model)
st.dataframe(
    facts,
    hide_index=True,
    placeholder=fmt.MISSING,
    column_config={
        "fact": "Fact",
        "value": "Value",
        "source": st.column_config.TextColumn("Source", width="large"),
    },
    key="facts_table",
)
if not bundle["facts"].empty:
    with st.expander(f"Every recorded fact ({len(bundle['facts'])})"):
        raw = fmt.text_cells(
            bundle["facts"].assign(
                field=bundle["facts"]["field"].map(data.fact_label),
                value=bundle["facts"]["value"].map(fmt.cell),
                source=bundle["facts"]["source"].map(data.source_label),
                source_url=bundle["facts"]["source_url"].map(lambda u: data.safe_url(u) or ""),
                as_of=bundle["facts"]["as_of"].map(fmt.date),
            ),
            ["field", "value", "source", "as_of"],
        )
        st.dataframe(
            raw,
            hide_index=True,
            placeholder=fmt.MISSING,
            column_config={
                "field": "Fact",
                "value": "Value",
                "source": st.column_config.TextColumn("Source", width="large"),
                "source_url": st.column_config.LinkColumn("Link", display_text="source ↗"),
                "as_of": st.column_config.TextColumn("As of"),
            },
            key="raw_facts_table",
        )

if bundle["chain"]:
    st.subheader("Base model chain")
    chain = [model["repo_id"], *bundle["chain"]]
    st.dataframe(
        pd.DataFrame(
            {
                "step": ["this model"] + [f"base {i}" for i in range(1, len(chain))],
                "page_url": [data.page_url(c) for c in chain],
            }
        ),
        hide_index=True,
        placeholder=fmt.MISSING,
        column_config={"step": "", **ui.model_link_config()},
        key="chain_table",
    )

eval_ui.model_section(bundle["model"]["repo_id"])
fits.model_section(url, ver, model)
st.subheader("Scores")
boards = bundle["boards"]
if not boards:
    ui.empty_state("No leaderboard lists this model yet.")
else:
    tabs = st.tabs([leaderboard_def(b).display_name for b in boards])
    latest = data.latest_scores(bundle["scores"])
    for tab, board in zip(tabs, boards, strict=True):
        lb = leaderboard_def(board)
        with tab:
            rows = latest[latest["leaderboard"] == board].copy()
            order = {b.key: i for i, b in enumerate(lb.benchmarks)}
            rows["_o"] = rows["benchmark"].map(order)
            rows = rows.sort_values("_o")
            keys = rows["benchmark"].tolist()
            scales = {b.key: b.scale for b in lb.benchmarks}
            rows["benchmark"] = rows["benchmark"].map({b.key: b.display_name for b in lb.benchmarks})
            left, right = st.columns([2, 3])
            left.dataframe(
                rows[["benchmark", "value", "since", "until"]].assign(
                    # Each benchmark as its scale reads: "Votes 4,321", "Arena score 1,205", "IFEval 54.20".
                    value=[fmt.score(v, scales.get(k, "percent")) for k, v in zip(keys, rows["value"], strict=True)],
                    since=rows["since"].map(fmt.date),
                    until=rows["until"].map(lambda u: fmt.date(u, "latest")),
                ),
                hide_index=True,
                placeholder=fmt.MISSING,
                column_config={
                    "benchmark": "Benchmark",
                    "value": st.column_config.TextColumn("Score"),
                    "since": "Since",
                    "until": "Until",
                },
                key=f"scores_{board}",
            )
            if board == MODEL_CARD:
                left.caption("Self-reported on the model card; not verified by any leaderboard.")
                continue
            left.caption("'Since' is the first snapshot with this score; 'Until' the first without it.")
            main = lb.main_benchmark
            label = lb.benchmark(main).display_name
            # Both charts are built once per data version, model and board (page_cache).
            right.plotly_chart(page_cache.score_chart(url, ver, model_id, board), key=f"score_chart_{board}")
            st.plotly_chart(
                page_cache.rank_chart(url, ver, board, main, (), (model["repo_id"],), f"Rank by {label}")[0],
                key=f"rank_chart_{board}",
            )

arena.render_model_categories(url, ver, model["id"])
