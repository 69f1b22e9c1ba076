"""The sandbox's settings widgets, built from the core's registries, and the text they hand to the validation.

`settings(good)` draws every widget (grouped as data, embedding, fc, activation, training) and returns a dict of
strings keyed exactly as the config keys, ready for config.from_params: widgets never validate anything
themselves, so a bad value gets the same message here as in a share link or on the CLI. `seed(config)` writes a
config back into the widgets (first load from the URL, "load experiment N"). Not here: running or drawing a run.
"""

from __future__ import annotations

import streamlit as st

from explainer import parsing, registry
from explainer.config import RunConfig, preset
from explainer.experiments import EXPERIMENTS
from explainer.views.sandbox_inits import INITS, RELU_HELP, P, help_list, init_widget, relu_label, set_cells, text

GOOD = P + "good"  # the last config that passed validation: what the page shows while a widget is bad
EXP = P + "experiment"  # the preset the widgets started from (set by the URL or "load experiment")
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
    for key in INITS:
        spec = registry.parse_init(getattr(c, key), key, registry.BIAS_NAMES)
        out[P + key] = spec.name
        if spec.arg is not None:
            out[P + key + "_arg"] = spec.arg
    return out


def seed(c: RunConfig, force: bool = False) -> None:
    """Show config c in the widgets: every key when forced, otherwise only keys a widget has not set yet."""
    ss = st.session_state
    for k, v in widget_values(c).items():
        if force or k not in ss:
            ss[k] = v
    if force or EXP not in ss:
        ss[EXP] = c.experiment
        ss[P + "load_n"] = c.experiment
    for key in INITS:
        spec = registry.parse_init(getattr(c, key), key, registry.BIAS_NAMES)
        if spec.values is not None and (force or P + key + "_base" not in ss):
            set_cells(key, spec.values)
        elif force:
            ss.pop(P + key + "_base", None)


def _load() -> None:
    n = st.session_state[P + "load_n"]
    seed(preset(n), force=True)


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
    n = st.session_state.get(EXP, 0)
    st.caption(f"Current base: {_experiment_label(n)}. The settings below override it.")


def settings(good: RunConfig) -> dict[str, str]:
    """Draw every settings widget; return the config keys as text, unvalidated."""
    seed(good)  # fills in widgets that are new this run (first load, or back from another page)
    params = {"experiment": str(st.session_state.get(EXP, 0))}
    for group, keys in GROUPS.items():
        with st.expander(group, expanded=True):
            for key in keys:
                params[key] = _widget(key, params, good)
    return params


def _widget(key: str, params: dict, good: RunConfig) -> str:
    k = P + key
    if key in INTS:
        return str(st.number_input(key, step=1, key=k, help=HELP[key]))
    if key in FLOATS:
        return text(st.number_input(key, step=0.01, format="%g", key=k, help=HELP[key]))
    if key in ("tokens", "targets"):
        return st.text_input(key, key=k, help=HELP[key], placeholder="default" if key == "targets" else None)
    if key in INITS:
        return init_widget(key, params, good)
    if key == "activation":
        return st.selectbox(
            key, list(registry.ACTIVATIONS), key=k, help=help_list({n: a.help for n, a in registry.ACTIVATIONS.items()})
        )
    if key == "relu_grad_at_zero":
        return text(st.selectbox(key, list(registry.RELU_GRAD_AT_ZERO), key=k, format_func=relu_label, help=RELU_HELP))
    if key == "optimizer":
        return st.selectbox(key, list(registry.OPTIMIZERS), key=k, help=help_list(registry.OPTIMIZERS))
    return st.selectbox(
        key,
        registry.DEVICES,
        key=k,
        help=HELP[key],
        format_func=lambda d: d if registry.available(d) else f"{d} (not available here)",
    )
