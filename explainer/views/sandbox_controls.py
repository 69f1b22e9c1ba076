"""The sandbox's settings widgets, built from the core's registries, and the text they hand to the validation.

`settings(good)` draws every widget (grouped as data, embedding, fc, activation, training) and returns a dict of
strings keyed exactly as the config keys, ready for config.from_params: widgets never validate anything
themselves, so a bad value gets the same message here as in a share link or on the CLI. `seed(config)` writes a
config back into the widgets (first load from the URL, "load experiment N"). A setting the chosen activation ignores
stays in the config, greyed out, so a link that holds it still round-trips. The activation widgets are drawn by the
same functions in the compare view (run B). Not here: running or drawing a run.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from explainer import parsing, registry
from explainer.config import RunConfig, preset
from explainer.experiments import EXPERIMENTS
from explainer.views.sandbox_inits import (
    INITS,
    RELU_HELP,
    P,
    help_list,
    init_values,
    init_widget,
    relu_label,
    seed_cells,
    text,
)

GOOD = P + "good"  # the last config that passed validation: what the page shows while a widget is bad
EXP = P + "experiment"  # the preset the widgets started from (set by the URL or "load experiment")
LOADED = P + "loaded"  # the preset "load experiment" just loaded: says so once, on the rerun that follows
USED_BY = {"negative_slope": "leaky_relu", "relu_grad_at_zero": "relu"}  # settings only one activation reads
INTS = ("vocab_size", "embed_dim", "out_dim", "steps", "seed")
FLOATS = ("negative_slope", "lr")

GROUPS = {
    "Data": ("vocab_size", "embed_dim", "out_dim", "tokens", "targets"),
    "Embedding E": ("embed_init",),
    "fc layer: w and b": ("fc_weight_init", "fc_bias"),
    "Activation": ("activation", "negative_slope", "relu_grad_at_zero"),
    "Training": ("optimizer", "lr", "steps", "seed", "device"),
}
HELP = {
    "vocab_size": "Rows of the embedding table E: token ids run from 0 to vocab_size - 1.",
    "embed_dim": "Columns of E, which are also the inputs of the fc layer.",
    "out_dim": "Units of the fc layer (the length of f, r and y per sample).",
    "tokens": "The batch x: token ids separated by commas, e.g. 1,4,1. A repeated id shows de adding rows up.",
    "targets": "y: one row per token, out_dim numbers per row; rows separated by ';', e.g. 0.5,1;1,0.5;0,1. "
    "Leave empty for the default targets (0.5, 1 or 1.5).",
    "negative_slope": "leaky_relu's slope below 0 (and at exactly 0). Used only by leaky_relu.",
    "relu_grad_at_zero": RELU_HELP,
    "lr": "Learning rate: how far each optimizer step moves the parameters.",
    "steps": "How many optimizer updates to run and record.",
    "seed": "Seeds the random inits (default, normal, uniform) with a local generator.",
    "device": "Where the run computes; the numbers are the same on every device (float64).",
}


def widget_values(c: RunConfig) -> dict[str, object]:
    """The session values that make the widgets show config c."""
    out = {P + k: getattr(c, k) for k in (*INTS, *FLOATS, "activation", "relu_grad_at_zero", "optimizer", "device")}
    out[P + "tokens"] = ",".join(map(str, c.tokens))
    out[P + "targets"] = "" if c.targets is None else parsing.format_matrix(c.targets)
    return out | init_values(c)


def seed(c: RunConfig, force: bool = False) -> None:
    """Show config c in the widgets: every key when forced, otherwise only keys a widget has not set yet."""
    ss = st.session_state
    for k, v in widget_values(c).items():
        if force or k not in ss:
            ss[k] = v
    if force or EXP not in ss:
        ss[EXP] = c.experiment
        ss[P + "load_n"] = c.experiment
    seed_cells(c, force=force)


def _load() -> None:
    n = st.session_state[P + "load_n"]
    seed(preset(n), force=True)
    st.session_state[LOADED] = n


def _experiment_label(n: int) -> str:
    return f"{n}: {EXPERIMENTS[n].title}" if n in EXPERIMENTS else "0: PyTorch defaults, no preset"


def load_experiment() -> None:
    st.selectbox(
        "Start from",
        range(6),
        key=P + "load_n",
        format_func=_experiment_label,
        help="Loading a preset replaces every setting below with the preset's.",
    )
    st.button("Load experiment", key=P + "load", on_click=_load, icon=":material/upload:")
    loaded = st.session_state.pop(LOADED, None)
    if loaded is not None:
        what = f"experiment {_experiment_label(loaded)}" if loaded else "PyTorch's defaults (no preset)"
        st.info(f"Loaded {what}; it replaced your earlier settings.", icon=":material/info:")
    n = st.session_state.get(EXP, 0)
    st.caption(f"Current base: {_experiment_label(n)}. The settings below override it.")


def settings(good: RunConfig, tables: dict[str, DeltaGenerator]) -> dict[str, str]:
    """Draw every settings widget (a custom init's table in `tables`); return the config keys as text, unvalidated.
    seed(good) must have run first, so widgets new this run (back from another page) show the last good config."""
    params = {"experiment": str(st.session_state.get(EXP, 0))}
    for group, keys in GROUPS.items():
        with st.expander(group, expanded=True):
            for key in keys:
                params[key] = _widget(key, params, good, tables)
    return params


def _widget(key: str, params: dict, good: RunConfig, tables: dict[str, DeltaGenerator]) -> str:
    k = P + key
    if key in INTS:
        return str(st.number_input(key, step=1, key=k, help=HELP[key]))
    if key == "negative_slope":
        off, why = unused(key, params["activation"])
        return text(st.number_input(key, step=0.01, format="%g", key=k, help=why + HELP[key], disabled=off))
    if key in FLOATS:
        return text(st.number_input(key, step=0.01, format="%g", key=k, help=HELP[key]))
    if key in ("tokens", "targets"):
        return st.text_input(key, key=k, help=HELP[key], placeholder="default" if key == "targets" else None)
    if key in INITS:
        return init_widget(key, params, good, area=tables.get(key))
    if key == "activation":
        return activation_widget()
    if key == "relu_grad_at_zero":
        return relu_grad_widget(params["activation"])
    if key == "optimizer":
        return st.selectbox(key, list(registry.OPTIMIZERS), key=k, help=help_list(registry.OPTIMIZERS))
    return st.selectbox(
        key,
        registry.DEVICES,
        key=k,
        help=HELP[key],
        format_func=lambda d: d if registry.available(d) else f"{d} (not available here)",
    )


def unused(key: str, activation: str) -> tuple[bool, str]:
    """Whether `key` is ignored by this activation, and a first line for its help that says why (empty if used)."""
    if activation == USED_BY[key]:
        return False, ""
    return True, (
        f"**Greyed out: used by {USED_BY[key]} only.** With {activation} this value has no effect; it is kept for "
        "when you switch back.\n\n"
    )


def activation_widget(prefix: str = P, tag: str = "") -> str:
    """The activation selectbox (the sidebar's, or run B's with prefix and tag)."""
    return st.selectbox(
        tag + "activation",
        list(registry.ACTIVATIONS),
        key=prefix + "activation",
        help=help_list({n: a.help for n, a in registry.ACTIVATIONS.items()}),
    )


def relu_grad_widget(activation: str, prefix: str = P, tag: str = "") -> str:
    """relu'(0), greyed out unless the activation is relu; returns its config text."""
    key = "relu_grad_at_zero"
    off, why = unused(key, activation)
    options = list(registry.RELU_GRAD_AT_ZERO)
    v = st.selectbox(tag + key, options, key=prefix + key, format_func=relu_label, help=why + HELP[key], disabled=off)
    return text(v)
