"""The sandbox's compare view: run B is run A with a few key settings changed, and the two verdict lists sit side
by side with every verdict that differs highlighted.

B's settings are the sidebar's own widgets (the same functions, under the key prefix `gfl_sb_b_`), and their text
goes through the same validation as everything else (config.from_params over A's keys). B starts as A with one
change that matters for A's activation (b_start): relu'(0) flipped for relu, plain relu for any other.
"""

from __future__ import annotations

import streamlit as st

from explainer import parsing
from explainer.config import ConfigError, RunConfig, from_params, to_params
from explainer.views import state, url
from explainer.views.sandbox_controls import activation_widget, relu_grad_widget
from explainer.views.sandbox_inits import INITS, P, init_values, init_widget, seed_cells

ON = P + "compare"
B = P + "b_"  # the session-key prefix of B's widgets
B_GOOD = P + "b_good"
B_KEYS = ("activation", "relu_grad_at_zero", "fc_bias", "embed_init", "fc_weight_init")
LABELS = {"relu_grad_at_zero": "relu'(0)"}


def b_start(a: RunConfig) -> dict[str, object]:
    """B's first change to A, one that matters for A's activation: relu'(0) flipped (0 vs 1) when A uses relu,
    the article's central what-if; otherwise plain relu in place of A's activation."""
    if a.activation == "relu":
        return {"activation": "relu", "relu_grad_at_zero": 1.0 if a.relu_grad_at_zero == 0 else 0.0}
    return {"activation": "relu", "relu_grad_at_zero": a.relu_grad_at_zero}


def _b_seed(a: RunConfig, force: bool) -> None:
    """B's widgets show b_start(a): all of them when forced, otherwise only those not set yet."""
    ss = st.session_state
    values = {B + k: v for k, v in b_start(a).items()} | init_values(a, B)
    for k, v in values.items():
        if force or k not in ss:
            ss[k] = v
    seed_cells(a, B, force)


def _b_widgets(a: RunConfig) -> dict[str, str]:
    """B's activation and relu'(0) in one row, its three inits (with any custom table) in the next."""
    top, inits = st.columns(3), st.columns(3)
    out = {}
    with top[0]:
        out["activation"] = activation_widget(B, "B: ")
    with top[1]:
        out["relu_grad_at_zero"] = relu_grad_widget(out["activation"], B, "B: ")
    sizes = {k: str(getattr(a, k)) for k in ("vocab_size", "embed_dim", "out_dim")}  # B has A's sizes
    good = st.session_state.get(B_GOOD) or a  # a custom table starts from the numbers run B showed
    for col, key in zip(inits, INITS, strict=True):
        with col:
            out[key] = init_widget(key, sizes, good, B, "B: ")
    return out


def config_b(a: RunConfig) -> RunConfig | None:
    """B's config (A's keys with B's settings over them), or the last good B when a B setting is not allowed."""
    _b_seed(a, force=False)
    params = _b_widgets(a)
    try:
        b = from_params({**to_params(a), **params})
    except ConfigError as exc:
        for msg in exc.errors.values():
            st.error(f"Run B: {url.safe(msg)}", icon=":material/error:")
        return st.session_state.get(B_GOOD)
    st.session_state[B_GOOD] = b
    return b


def _summary(c: RunConfig, other: RunConfig) -> str:
    parts = []
    for key in B_KEYS:
        value = getattr(c, key)
        shown = parsing.format_number(value) if isinstance(value, float) else value
        shown = "custom table" if shown.startswith("custom:") else shown  # the numbers are in the tables above
        text = f"{LABELS.get(key, key)} = {url.safe(shown)}"
        parts.append(f"**{text}**" if value != getattr(other, key) else text)
    return " · ".join(parts)


def differs(v: dict, other: dict | None) -> bool:
    return other is None or (v["status"], v["first"]) != (other["status"], other["first"])


def verdict_columns(a: RunConfig, b: RunConfig) -> None:
    views = {name: state.run_view(state.key_of(c)) for name, c in (("A", a), ("B", b))}
    by = {name: {v["symbol"]: v for v in view["verdicts"]} for name, view in views.items()}
    for col, (name, c, other) in zip(st.columns(2), (("A", a, "B"), ("B", b, "A")), strict=True):
        with col, st.container(border=True):
            st.markdown(f"**Run {name}**: {_summary(c, b if name == 'A' else a)}")
            for v in views[name]["verdicts"]:
                line = url.safe(v["sentence"])
                if differs(v, by[other].get(v["symbol"])):
                    st.markdown(f":orange-badge[differs] :orange-background[{line}]")
                else:
                    st.markdown(line)
            if views[name]["dead"]:
                st.markdown(url.safe(views[name]["dead"]))
            if views[name]["diverged"]:
                st.error(f"Run {name} diverged: {url.safe(views[name]['diverged'])}.")
    same = all(not differs(v, by["B"].get(v["symbol"])) for v in views["A"]["verdicts"])
    if same and len(views["A"]["verdicts"]) == len(views["B"]["verdicts"]):
        st.caption(
            "Both runs reach the same verdicts: in this set-up the change makes no difference to who learns "
            "or when. Try changing another setting of B."
        )


def section(a: RunConfig) -> RunConfig:
    """The compare toggle; when on, B's settings and both verdict lists. Returns the config to draw in full."""
    if not st.toggle(
        "Compare with a second set-up (B)",
        key=ON,
        on_change=lambda: _b_seed(a, force=True),
        help="Run B is this run with the few settings below changed; verdicts that differ are marked. B stays on "
        "this page only: the address bar and share links hold run A.",
    ):
        return a
    with st.container(border=True):
        st.caption("Run B = run A (the sidebar's settings) with these changed:")
        b = config_b(a)
        if b is None:
            return a
        verdict_columns(a, b)
        pick = st.radio("Show in full below", ("A", "B"), key=P + "show", horizontal=True)
    return b if pick == "B" else a
