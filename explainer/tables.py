"""The run as tables: a long frame (the CSV contract) and a wide one-step view for people.

Long format, one row per number: step, name, row, col, value. Names: x, y, embed.weight, fc.weight, fc.bias
(values before that step's update), e, f, r, l, dr, df, dw, db, dx, de. A matrix uses row = sample or unit and
col = feature; a vector is one row (row 0, col = index); a scalar is row 0, col 0. db is absent without a bias.
After the last step, rows with step = steps hold the final parameters (after the last update), so a chart of
the weights over time has its end point.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from explainer.engine import GRADS, PARAMS, VALUES, Run

COLUMNS = ["step", "name", "row", "col", "value"]
NAMES = ("x", "y", *PARAMS, *VALUES, *GRADS)


def _block(step: int, name: str, t: torch.Tensor) -> tuple[np.ndarray, ...]:
    a = t.detach().cpu().to(torch.float64).numpy()
    a = a.reshape(1, -1) if a.ndim < 2 else a
    rows, cols = np.indices(a.shape)
    n = a.size
    return np.full(n, step), np.full(n, name, dtype=object), rows.ravel(), cols.ravel(), a.ravel()


def _blocks(run: Run):
    for s in run.steps:
        named = {"x": run.x, "y": run.y, **s.params, **s.values, **s.grads}
        for name in NAMES:
            if name in named:
                yield _block(s.index, name, named[name])
    for name in PARAMS:
        if name in run.final:
            yield _block(len(run.steps), name, run.final[name])


def long_table(run: Run) -> pd.DataFrame:
    parts = list(_blocks(run))
    if not parts:
        return pd.DataFrame({c: [] for c in COLUMNS})
    cols = [np.concatenate([p[i] for p in parts]) for i in range(5)]
    return pd.DataFrame(dict(zip(COLUMNS, cols, strict=True))).astype({"step": "int64", "row": "int64", "col": "int64"})


def to_csv(run: Run) -> str:
    return long_table(run).to_csv(index=False, float_format="%.17g")


def step_view(run: Run, t: int, sample: int) -> pd.DataFrame:
    """One sample at one step, one row per quantity, for reading by eye."""
    s = run.steps[t]
    rows = [("x", [float(run.x[sample])]), ("y", run.y[sample].tolist())]
    for name in ("e", "f", "r"):
        rows.append((name, s.values[name][sample].tolist()))
    rows.append(("l", [float(s.values["l"])]))
    for name in ("dr", "df", "dx"):
        if name in s.grads:
            rows.append((name, s.grads[name][sample].tolist()))
    return pd.DataFrame({"name": [r[0] for r in rows], "values": [", ".join(f"{v:.4g}" for v in r[1]) for r in rows]})
