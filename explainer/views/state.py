"""Cached runs and cached per-step view data. The only place pages get a run from.

Runs are cached with st.cache_data keyed by the config's parameters (a fresh copy per caller, so sessions never
share mutable objects). What a rerun draws is cached as plain data: equations per (config, step, sample), the
graph per (config, step), each heatmap by its numbers (so a table that did not change between steps is not
rebuilt), and the charts over the steps per config. Chart data sets are stored already in Arrow, the form
st.vega_lite_chart sends, so a student's rerun only places cached bytes (bench/load.py, bench/page.py).
"""

from __future__ import annotations

import threading

import altair as alt
import numpy as np
import streamlit as st
import torch
from streamlit import dataframe_util

from explainer import charts, graph
from explainer.config import RunConfig, from_params, to_params
from explainer.engine import Run
from explainer.engine import run as run_engine
from explainer.equations import equations, latex_block, split

# A served app runs many tiny runs for many sessions at once: one thread per op avoids the two cores fighting
# over each 3x2 matrix product (a run measured several times slower with 2 threads on a busy machine).
torch.set_num_threads(1)

Key = tuple[tuple[str, str], ...]
_ALTAIR_SETTINGS = threading.Lock()  # altair's data-transformer setting is process-wide, shared by all sessions


def key_of(c: RunConfig) -> Key:
    return tuple(sorted(to_params(c).items()))


def config_of(key: Key) -> RunConfig:
    return from_params(dict(key))


@st.cache_data(max_entries=256, show_spinner=False)
def get_run(key: Key) -> Run:
    return run_engine(config_of(key))


def spec(chart: alt.TopLevelMixin) -> dict:
    """chart.to_dict() without altair's 5,000-row limit: the weights of a long sandbox run have more points."""
    with _ALTAIR_SETTINGS, alt.data_transformers.disable_max_rows():
        return chart.to_dict()


def vega_spec(chart: alt.TopLevelMixin) -> dict:
    """spec(chart) with each named data set already as Arrow IPC bytes: the very bytes st.vega_lite_chart would
    otherwise make from the rows on every rerun of every session (most of a page's server time)."""
    out = spec(chart)
    if "datasets" in out:
        out["datasets"] = {
            name: dataframe_util.convert_anything_to_arrow_bytes(rows) for name, rows in out["datasets"].items()
        }
    return out


@st.cache_data(max_entries=2048, show_spinner=False)
def heatmap_spec(values: bytes, shape: tuple[int, ...], title: str, row_title: str, marked: tuple[int, ...]) -> dict:
    """One heatmap, keyed by its numbers (float64 bytes) rather than by step, so a table that is the same at two
    steps (a frozen E, an all-zero gradient) is built once."""
    t = torch.from_numpy(np.frombuffer(values, dtype=np.float64).reshape(shape).copy())
    return vega_spec(charts.heatmap(t, title, row_title, "feature", marked))


def _heatmap(t: torch.Tensor, title: str, row_title: str, marked: tuple[int, ...]) -> dict:
    t = t.detach().to(torch.float64).contiguous()
    return heatmap_spec(t.numpy().tobytes(), tuple(t.shape), title, row_title, marked)


@st.cache_data(max_entries=1024, show_spinner=False)
def step_charts(key: Key, t: int) -> dict:
    """What is drawn for one step whatever the sample: the four heatmaps and the graph."""
    r = get_run(key)
    s = r.steps[t]
    marked = tuple(sorted(set(r.x.tolist())))
    maps = {
        "E": (s.params["embed.weight"], "E: the embedding table (looked-up rows outlined)", "token id", marked),
        "de": (s.grads.get("de"), "de: gradient of E", "token id", marked),
        "w": (s.params["fc.weight"], "w: fc weights", "fc unit", ()),
        "dw": (s.grads.get("dw"), "dw: gradient of w", "fc unit", ()),
    }
    return {
        "heatmaps": {name: _heatmap(t_, title, row, m) for name, (t_, title, row, m) in maps.items() if t_ is not None},
        "dot": graph.dot(r, t) if s.grads else None,
    }


@st.cache_data(max_entries=1024, show_spinner=False)
def step_view(key: Key, t: int, i: int) -> dict:
    """Everything drawn for one step and sample, as plain data."""
    drawn = step_charts(key, t)  # shared by every sample of the step
    blocks = [
        {"part": part, "latex": latex_block(eqs), "notes": [(e.name, e.note) for e in eqs if e.note]}
        for part, eqs in zip(("forward", "backward"), split(equations(get_run(key), t, i)), strict=True)
        if eqs
    ]
    return {"equations": blocks, **drawn}


@st.cache_data(max_entries=256, show_spinner="Running the network...")
def run_view(key: Key) -> dict:
    """What does not depend on the step: verdicts, claims, charts over time, the check line."""
    from explainer.claims import claims
    from explainer.verdicts import dead_sentence, over_time_note, verdicts

    r = get_run(key)
    found = verdicts(r)
    return {
        "steps": len(r.steps),
        "tokens": r.x.tolist(),
        "verdicts": [
            {"symbol": v.symbol, "status": v.status, "first": v.first_move, "sentence": v.sentence} for v in found
        ],
        "dead": dead_sentence(r),
        "claims": [(c.statement, c.holds) for c in claims(r)],
        "zero_at_0": {
            g: bool((r.steps[0].grads[g] == 0).all()) for g in ("de", "dw", "db") if r.steps and g in r.steps[0].grads
        },
        "over_time_note": over_time_note(r, found) if r.steps else "",
        "weights": vega_spec(charts.weights_over_time(r)),
        "loss": vega_spec(charts.loss_curve(r)),
        "max_diff": r.max_diff,
        "diverged": r.diverged,
    }


@st.cache_data(max_entries=64, show_spinner=False)
def csv_text(key: Key) -> str:
    from explainer.tables import to_csv

    return to_csv(get_run(key))
