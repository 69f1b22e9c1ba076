"""The sandbox's init widgets: a registry name, its one argument, or a table of values edited cell by cell.

A "custom" init shows st.data_editor sized to the current dims; its cells become a `custom:...` spec, so a hand-made
table is part of the config and of the share link like any other value. The table starts from the numbers the last
good run started from, and keeps its edits when a size changes (cut or padded with zeros). The sidebar is too narrow
for a table of three columns, so run A's tables are drawn at the top of the main area, one column per init. The
sidebar (run A) and the compare view (run B) draw the same widgets, told apart by a session-key prefix. Not here:
validation (the spec text goes to config.from_params like every other setting).
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from explainer import parsing, registry
from explainer.config import RunConfig, caps
from explainer.views import state

P = "gfl_sb_"  # every session key of the sandbox starts with this
INITS = {"embed_init": "embed.weight", "fc_weight_init": "fc.weight", "fc_bias": "fc.bias"}
DEFAULT_ARGS = {"constant": 0.5, "normal": 0.1, "uniform": 0.3}  # the registry's examples
ROWS = {"embed_init": "token id", "fc_weight_init": "fc unit"}  # what a row of the table is
SYMBOLS = {"embed_init": "E", "fc_weight_init": "w", "fc_bias": "b"}  # as the equations write them


def help_list(items: dict[str, str]) -> str:
    return "\n".join(f"- **{name}**: {text}" for name, text in items.items())


def init_help(key: str) -> str:
    names = registry.BIAS_HELP if key == "fc_bias" else registry.INIT_HELP
    return f"How `{key}` starts.\n\n{help_list(names)}"


def relu_label(v: float) -> str:
    return f"{v:g} (PyTorch)" if v == 0 else f"{v:g}"


RELU_HELP = "The slope relu is given at exactly f = 0; used only by relu.\n\n" + "\n".join(
    f"- {t}" for t in registry.RELU_GRAD_AT_ZERO.values()
)


def text(v: float) -> str:
    v = float(v)
    return parsing.format_number(v) if math.isfinite(v) else str(v)  # nan/inf: the validation names them


def init_values(c: RunConfig, prefix: str = P) -> dict[str, object]:
    """The session values that make the init widgets under `prefix` show config c's inits (not the tables)."""
    out: dict[str, object] = {}
    for key in INITS:
        spec = registry.parse_init(getattr(c, key), key, registry.BIAS_NAMES)
        out[prefix + key] = spec.name
        if spec.arg is not None:
            out[prefix + key + "_arg"] = spec.arg
    return out


def seed_cells(c: RunConfig, prefix: str = P, force: bool = False) -> None:
    """Fill the custom tables under `prefix` from config c: every table when forced, otherwise only new ones."""
    for key in INITS:
        spec = registry.parse_init(getattr(c, key), key, registry.BIAS_NAMES)
        if spec.values is not None and (force or prefix + key + "_base" not in st.session_state):
            set_cells(key, spec.values, prefix)
        elif force:
            st.session_state.pop(prefix + key + "_base", None)


def table_columns(prefix: str = P) -> dict[str, DeltaGenerator]:
    """Main-area columns for the custom tables, from the left, one per init that is custom now; none when no init
    is (an empty row of columns would still take space)."""
    custom = [key for key in INITS if st.session_state.get(prefix + key) == "custom"]
    return dict(zip(custom, st.columns(len(INITS)) if custom else [], strict=False))


def init_widget(
    key: str, params: dict, good: RunConfig, prefix: str = P, tag: str = "", area: DeltaGenerator | None = None
) -> str:
    """The init's name, its value field or its table; returns the spec text. `tag` starts every label ("B: ");
    a custom table goes in `area` when given (the sidebar is too narrow for it), otherwise right here."""
    names = registry.BIAS_NAMES if key == "fc_bias" else registry.INIT_NAMES
    name = st.selectbox(
        tag + key, names, key=prefix + key, help=init_help(key), on_change=_drop_cells, args=(key, prefix)
    )
    if name in registry.INIT_ARG_NAMES:
        st.session_state.setdefault(prefix + key + "_arg", DEFAULT_ARGS[name])
        arg = st.number_input(
            f"{tag}{key}: value for {name}",
            step=0.1,
            format="%g",
            key=prefix + key + "_arg",
            help=registry.INIT_HELP[name],
        )
        return f"{name}:{text(arg)}"
    if name == "custom":
        if area is not None:
            st.caption(f"Edit {tag}{SYMBOLS[key]} cell by cell in its table at the top of the page.")
        with area if area is not None else st.container():
            values = _cells(key, _shape(key, params, good), good, prefix, tag)
        return "custom:" + ";".join(",".join(text(v) for v in row) for row in values)
    return name


def _shape(key: str, params: dict, good: RunConfig) -> tuple[int, int]:
    """The table's size from the size widgets; a size that is not allowed keeps the last good run's size."""
    cap = caps()

    def size(name):
        try:
            return parsing.parse_int(params[name], name, 1, cap[name])
        except ValueError:
            return getattr(good, name)

    rows = {"embed_init": size("vocab_size"), "fc_weight_init": size("out_dim"), "fc_bias": 1}[key]
    cols = size("out_dim") if key == "fc_bias" else size("embed_dim")
    return rows, cols


def set_cells(key: str, values, prefix: str = P) -> None:
    ss = st.session_state
    ss[prefix + key + "_base"] = tuple(tuple(float(v) for v in row) for row in values)
    ss[prefix + key + "_ver"] = ss.get(prefix + key + "_ver", 0) + 1  # a new editor: drops edits to the old table
    ss.pop(prefix + key + "_now", None)


def _drop_cells(key: str, prefix: str = P) -> None:
    """Picking "custom" again starts from the numbers the run shows now, not from an older table."""
    st.session_state.pop(prefix + key + "_base", None)
    st.session_state.pop(prefix + key + "_now", None)


def _initial(key: str, shape: tuple[int, int], good: RunConfig) -> tuple[tuple[float, ...], ...]:
    """The starting values the last good run used, when they have this shape; zeros otherwise."""
    params = state.get_run(state.key_of(good)).steps[0].params
    t = params.get(INITS[key])
    if t is not None and t.numel() == shape[0] * shape[1]:
        return tuple(tuple(row) for row in t.reshape(shape).tolist())
    return tuple((0.0,) * shape[1] for _ in range(shape[0]))


def _resize(values, shape):
    rows, cols = shape
    get = lambda i, j: values[i][j] if i < len(values) and j < len(values[i]) else 0.0
    return tuple(tuple(get(i, j) for j in range(cols)) for i in range(rows))


def column_config(key: str, cols: int) -> dict[str, object]:
    """Number columns shown to 4 significant digits, as the equations show them (so they stay narrow); editing a
    cell shows its full value, and the run uses it."""
    what = "fc unit" if key == "fc_bias" else "feature"
    return {str(j): st.column_config.NumberColumn(str(j), format="%.4g", help=f"{what} {j}") for j in range(cols)}


def _cells(
    key: str, shape: tuple[int, int], good: RunConfig, prefix: str = P, tag: str = ""
) -> tuple[tuple[float, ...], ...]:
    """st.data_editor over the init's values, sized to the current dims; edits survive a resize."""
    ss = st.session_state
    base = ss.get(prefix + key + "_base")
    if base is None:
        set_cells(key, _initial(key, shape, good), prefix)
    elif (len(base), len(base[0])) != shape:
        set_cells(key, _resize(ss.get(prefix + key + "_now", base), shape), prefix)
    index = {"embed_init": "token {}", "fc_weight_init": "unit {}", "fc_bias": "b"}[key]
    what = "one number per fc unit" if key == "fc_bias" else f"rows: {ROWS[key]}, columns: feature"
    frame = pd.DataFrame(
        ss[prefix + key + "_base"],
        columns=[str(j) for j in range(shape[1])],
        index=[index.format(i) for i in range(shape[0])],
    )
    size = f"{shape[0]} x {shape[1]} ({what})"
    st.caption(f"**{tag}{SYMBOLS[key]}** ({key}), {size}. Edit any cell; the run and the link follow.")
    edited = st.data_editor(
        frame,
        key=f"{prefix}{key}_cells_{ss[prefix + key + '_ver']}",
        num_rows="fixed",
        width="content",
        column_config=column_config(key, shape[1]),
    )
    now = tuple(tuple(float(v) for v in row) for row in edited.to_numpy(dtype=float, na_value=math.nan))
    ss[prefix + key + "_now"] = now
    return now
