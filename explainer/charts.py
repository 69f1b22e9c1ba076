"""Altair chart builders: pure functions from a run (and a step) to a chart. No streamlit here.

Heatmaps put 0 at the white middle of a diverging scale, so exact zeros (a frozen table, a blocked gradient)
show as blank cells. Large tables are cut to the rows that matter (the looked-up ones first) to stay readable.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import torch

from explainer.engine import Run
from explainer.equations import fmt

MAX_ROWS, MAX_LINES, MAX_TEXT_CELLS = 24, 48, 60
PARAM_SYMBOL = {"embed.weight": "E", "fc.weight": "w", "fc.bias": "b"}


def _rows_to_show(n_rows: int, marked: tuple[int, ...]) -> list[int]:
    if n_rows <= MAX_ROWS:
        return list(range(n_rows))
    first = sorted(set(marked))[:MAX_ROWS]
    rest = [i for i in range(n_rows) if i not in set(first)][: MAX_ROWS - len(first)]
    return sorted(first + rest)


def matrix_frame(t: torch.Tensor, marked: tuple[int, ...] = ()) -> pd.DataFrame:
    t = t.reshape(1, -1) if t.dim() < 2 else t
    rows = _rows_to_show(t.shape[0], marked)
    data = [
        {"row": i, "col": j, "value": float(t[i, j]), "label": fmt(float(t[i, j])), "looked_up": i in marked}
        for i in rows
        for j in range(t.shape[1])
    ]
    return pd.DataFrame(data)


def heatmap(t: torch.Tensor, title: str, row_title: str, col_title: str, marked: tuple[int, ...] = ()) -> alt.Chart:
    df = matrix_frame(t, marked)
    shown = df["row"].nunique()
    total = t.shape[0] if t.dim() == 2 else 1
    if shown < total:
        title = f"{title} (rows shown: {shown} of {total})"
    bound = float(df["value"].abs().max()) or 1.0  # an all-zero table: a plain white map, not a 1e-12 legend
    base = alt.Chart(df, title=title).encode(
        x=alt.X("col:O", title=col_title, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("row:O", title=row_title, axis=alt.Axis(labelOverlap=False)),
    )
    cells = base.mark_rect(stroke="#333", strokeWidth=0.3).encode(
        color=alt.Color(
            "value:Q",
            scale=alt.Scale(scheme="redblue", domain=[-bound, bound], reverse=True),
            legend=alt.Legend(title="value", format=".2g"),
        ),
        tooltip=[
            alt.Tooltip("row:O"),
            alt.Tooltip("col:O"),
            alt.Tooltip("value:Q", format=".6g"),
            alt.Tooltip("looked_up:N", title="looked up"),
        ],
    )
    layers = [cells]
    if marked:
        layers.append(base.transform_filter(alt.datum.looked_up).mark_rect(fill=None, stroke="black", strokeWidth=2))
    if len(df) <= MAX_TEXT_CELLS:
        ink = alt.condition(f"abs(datum.value) > {0.6 * bound}", alt.value("white"), alt.value("black"))
        layers.append(base.mark_text(fontSize=11).encode(text="label:N", color=ink))  # legible on dark cells
    return alt.layer(*layers).properties(width="container", height=alt.Step(26))


def weights_frame(run: Run) -> pd.DataFrame:
    """Every shown weight at every time (before each update, and after the last one)."""
    marked = tuple(sorted(set(run.x.tolist())))
    out = []
    for name in run.final:
        symbol = PARAM_SYMBOL[name]
        for t in range(len(run.steps) + 1):
            p = run.param_at(name, t)
            p = p.reshape(1, -1) if p.dim() < 2 else p
            rows = _rows_to_show(p.shape[0], marked if name == "embed.weight" else ())
            for i in rows:
                for j in range(p.shape[1]):
                    label = f"{symbol}[{j}]" if name == "fc.bias" else f"{symbol}[{i},{j}]"
                    start = run.param_at(name, 0).reshape(p.shape)[i, j]
                    out.append(
                        {
                            "parameter": symbol,
                            "entry": label,
                            "step": t,
                            "value": float(p[i, j]),
                            "change": float(p[i, j] - start),
                        }
                    )
    df = pd.DataFrame(out)
    keep = df.groupby("parameter")["entry"].unique().apply(lambda e: list(e[:MAX_LINES]))
    allowed = {e for entries in keep for e in entries}
    return df[df["entry"].isin(allowed)].reset_index(drop=True)


def weights_over_time(run: Run) -> alt.FacetChart:
    df = weights_frame(run)
    return (
        alt.Chart(df)
        .mark_line(point=True)
        .encode(
            x=alt.X("step:Q", title="step (the last point: after the final update)", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y(
                "change:Q", title="change since step 0", axis=alt.Axis(format="~g")
            ),  # "0", not "0.000000", for a flat line
            color=alt.Color(  # each parameter its own colours and legend (20 distinct colours: E is 6 x 3)
                "entry:N",
                scale=alt.Scale(scheme="category20"),
                legend=alt.Legend(title=None, orient="top", columns=3, symbolLimit=MAX_LINES),
            ),
            tooltip=["entry:N", "step:Q", alt.Tooltip("value:Q", format=".6g"), alt.Tooltip("change:Q", format=".3g")],
        )
        .properties(width=220, height=180)
        .facet(column=alt.Column("parameter:N", title=None, sort=["E", "w", "b"]))
        .resolve_scale(y="independent", color="independent")
    )


def loss_frame(run: Run) -> pd.DataFrame:
    return pd.DataFrame({"step": [s.index for s in run.steps], "l": [float(s.values["l"]) for s in run.steps]})


def loss_curve(run: Run) -> alt.Chart:
    return (
        alt.Chart(loss_frame(run), title="loss l over the steps")
        .mark_line(point=True)
        .encode(
            x=alt.X("step:Q", title="step", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("l:Q", title="loss l"),
            tooltip=["step:Q", alt.Tooltip("l:Q", format=".6g")],
        )
        .properties(width="container", height=220)
    )
