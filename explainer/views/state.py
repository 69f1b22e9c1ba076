"""Configs from the URL, cached runs, and cached per-step view data. The only place pages get a run from.

Runs are cached with st.cache_data keyed by the config's parameters (a fresh copy per caller, so sessions never
share mutable objects). What a rerun draws (equation strings, chart specs, DOT) is cached per (config, step,
sample) as plain data, so moving the step slider rebuilds nothing it has drawn before.
"""

from __future__ import annotations

import re

import streamlit as st

from explainer import charts, graph
from explainer.config import ConfigError, RunConfig, from_params, parse_values, preset, to_params
from explainer.engine import Run
from explainer.engine import run as run_engine
from explainer.equations import equations, latex

VIEW_KEYS = ("step", "sample", "controls")  # page state in the URL that is not part of the config

Key = tuple[tuple[str, str], ...]


def key_of(c: RunConfig) -> Key:
    return tuple(sorted(to_params(c).items()))


def config_of(key: Key) -> RunConfig:
    return from_params(dict(key))


@st.cache_data(max_entries=256, show_spinner=False)
def get_run(key: Key) -> Run:
    return run_engine(config_of(key))


def safe(text: str) -> str:
    """User text shown in markdown: escape markdown punctuation so it reads literally and never turns into markup."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$])", r"\\\1", str(text))


def config_from_url(base: RunConfig, forced: dict | None = None) -> tuple[RunConfig, dict[str, str]]:
    """The URL's keys over `base`. Bad keys are dropped (and reported); a bad combination falls back to base."""
    raw = {k: st.query_params.get_all(k)[-1] for k in st.query_params if k not in VIEW_KEYS}
    values, errors = parse_values(raw)
    values.update(forced or {})
    start = preset(values.pop("experiment")) if "experiment" in values else base
    try:
        return start.replace(**values), errors
    except ConfigError as exc:
        errors.update(exc.errors)
        return base, errors


def url_index(name: str, last: int) -> tuple[int, str | None]:
    """An index (step or sample) from the URL, clamped into 0..last with a message when it was out of range."""
    raw = st.query_params.get(name)
    if raw is None:
        return 0, None
    try:
        value = int(str(raw).strip())
    except ValueError:
        return 0, f"{name}: must be a whole number from 0 to {last}, got {safe(str(raw)[:40])}; showing {name} 0"
    if not 0 <= value <= last:
        return 0, f"{name}: must be from 0 to {last} for this run, got {value}; showing {name} 0"
    return value, None


@st.cache_data(max_entries=1024, show_spinner=False)
def step_view(key: Key, t: int, i: int) -> dict:
    """Everything drawn for one step and sample, as plain data."""
    r = get_run(key)
    s = r.steps[t]
    marked = tuple(sorted(set(r.x.tolist())))
    maps = {
        "E": (s.params["embed.weight"], "E: the embedding table (looked-up rows outlined)", "token id", marked),
        "de": (s.grads.get("de"), "de: gradient of E", "token id", marked),
        "w": (s.params["fc.weight"], "w: fc weights", "fc unit", ()),
        "dw": (s.grads.get("dw"), "dw: gradient of w", "fc unit", ()),
    }
    specs = {
        name: charts.heatmap(t_, title, row, "feature", m).to_dict()
        for name, (t_, title, row, m) in maps.items()
        if t_ is not None
    }
    eqs = equations(r, t, i)
    return {
        "equations": [{"name": e.name, "latex": latex(e), "note": e.note, "zero": e.zero} for e in eqs],
        "heatmaps": specs,
        "dot": graph.dot(r, t) if s.grads else None,
    }


@st.cache_data(max_entries=256, show_spinner=False)
def run_view(key: Key) -> dict:
    """What does not depend on the step: verdicts, claims, charts over time, the check line."""
    from explainer.claims import claims
    from explainer.verdicts import dead_sentence, verdicts

    r = get_run(key)
    return {
        "steps": len(r.steps),
        "tokens": r.x.tolist(),
        "verdicts": [
            {"symbol": v.symbol, "status": v.status, "first": v.first_move, "sentence": v.sentence} for v in verdicts(r)
        ],
        "dead": dead_sentence(r),
        "claims": [(c.statement, c.holds) for c in claims(r)],
        "zero_at_0": {
            g: bool((r.steps[0].grads[g] == 0).all()) for g in ("de", "dw", "db") if r.steps and g in r.steps[0].grads
        },
        "weights": charts.weights_over_time(r).to_dict(),
        "loss": charts.loss_curve(r).to_dict(),
        "max_diff": r.max_diff,
        "diverged": r.diverged,
    }


@st.cache_data(max_entries=64, show_spinner=False)
def csv_text(key: Key) -> str:
    from explainer.tables import to_csv

    return to_csv(get_run(key))
