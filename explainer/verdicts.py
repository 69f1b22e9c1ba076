"""Verdicts computed from a run's record: which parameter moved, from which step, and why a gradient was zero.

Everything here reads the record (values before each update, gradients from autograd); nothing is typed in.
The sentences name the factor that was zero: e = 0 (nothing to multiply w's gradient by), w = 0 (nothing to
carry the gradient back to E), df = 0 (and then whether relu'(f) or dr was the zero). Not here: drawing.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from explainer import by_hand
from explainer.engine import Run, Step

# parameter -> (symbol in the equations, name in the record, its gradient's name)
PARAMETERS = {"E": ("embed.weight", "de"), "w": ("fc.weight", "dw"), "b": ("fc.bias", "db")}


@dataclass(frozen=True)
class Verdict:
    symbol: str  # E, w or b
    status: str  # "moves", "frozen_then_moves", "never"
    first_move: int | None  # the first step whose update changed it
    steps: int  # steps recorded
    cause: str | None  # why its gradient was zero while it stayed frozen
    symmetric: str | None  # set when it moved but its entries stayed tied
    rows_moved: tuple[int, ...] = ()  # for E: which rows ever changed

    @property
    def sentence(self) -> str:
        head = {
            "moves": f"{self.symbol} moves from step 0",
            "frozen_then_moves": f"{self.symbol} is frozen at step 0, then moves at step {self.first_move}",
            "never": f"{self.symbol} never moves in {self.steps} steps",
        }[self.status]
        parts = [head + (f", because {self.cause}" if self.cause else "")]
        if self.symmetric:
            parts.append(self.symmetric)
        return ". ".join(parts) + "."


def _moved(run: Run, name: str) -> list[bool]:
    return [not torch.equal(run.param_at(name, t + 1), run.param_at(name, t)) for t in range(len(run.steps))]


def slope(step: Step, run: Run) -> torch.Tensor:
    c = run.config
    return by_hand.slope(c.activation, step.values["f"], c.negative_slope, c.relu_grad_at_zero)


def df_cause(step: Step, run: Run) -> str:
    """Why df is zero everywhere at this step."""
    s, f, c = slope(step, run), step.values["f"], run.config
    if bool((s == 0).all()):
        if c.activation == "relu" and bool((f == 0).all()):
            return f"f = 0 for every sample and relu'(0) = {c.relu_grad_at_zero:g} (PyTorch's convention)"
        if c.activation == "relu":
            return "f ≤ 0 for every sample and unit, so relu'(f) = 0 everywhere: every unit is dead"
        return f"{c.activation}'(f) = 0 everywhere"
    if bool((step.grads["dr"] == 0).all()):
        return "r = y exactly, so dr = 0"
    return "wherever the activation's slope is non-zero, dr is 0"


def zero_cause(step: Step, run: Run, grad: str) -> str:
    """Why gradient `grad` (de, dw or db) was exactly zero at this step: the factor that was zero."""
    df_zero = bool((step.grads["df"] == 0).all())
    why_df = f"df = 0 ({df_cause(step, run)})" if df_zero else None
    if grad == "dw" and bool((step.values["e"] == 0).all()):
        return "e = 0: the looked-up rows of E are all zero, so dw = dfᵀ·e = 0" + (
            f"; also {why_df}" if df_zero else ""
        )
    if grad == "de" and bool((step.params["fc.weight"] == 0).all()):
        return "w = 0, so dx = df·w = 0 and nothing reaches E" + (f"; also {why_df}" if df_zero else "")
    if why_df:
        return why_df
    if grad not in step.grads or bool((step.grads[grad] != 0).any()):
        return f"{grad} was not zero (the optimizer's update was zero)"
    return f"the terms of {grad} cancel out (df and its other factor are non-zero)"


def _symmetry(run: Run, symbol: str) -> str | None:
    name = PARAMETERS[symbol][0]
    times = [run.param_at(name, t) for t in range(len(run.steps) + 1)]
    if symbol == "E" and times[0].shape[1] > 1:
        if all(torch.allclose(p, p[:, :1].expand_as(p), rtol=0, atol=1e-12) for p in times):
            return (
                f"But all {times[0].shape[1]} columns of E stay equal at every step: "
                "the embedding acts like a single column"
            )
    if symbol == "w" and times[0].shape[1] > 1:
        if all(torch.allclose(p, p[:, :1].expand_as(p), rtol=0, atol=1e-12) for p in times):
            return (
                "But each unit's weights stay equal to one another at every step: each unit acts like a single weight"
            )
    return None


def verdict(run: Run, symbol: str) -> Verdict | None:
    name, grad = PARAMETERS[symbol]
    if name not in run.final:
        return None
    moved, n = _moved(run, name), len(run.steps)
    first = next((t for t, m in enumerate(moved) if m), None)
    status = "never" if first is None else ("moves" if first == 0 else "frozen_then_moves")
    cause = zero_cause(run.steps[0], run, grad) if status != "moves" and n and run.steps[0].grads else None
    sym = _symmetry(run, symbol) if first is not None else None
    rows = ()
    if symbol == "E":
        diff = (run.param_at(name, n) != run.param_at(name, 0)).any(dim=1)
        rows = tuple(int(i) for i in torch.nonzero(diff).flatten())
    return Verdict(symbol, status, first, n, cause, sym, rows)


def verdicts(run: Run) -> list[Verdict]:
    return [v for v in (verdict(run, s) for s in PARAMETERS) if v is not None]


def first_change(run: Run, v: Verdict) -> float | None:
    """How far the parameter's most-moved entry went in its first moving update (None if it never moved)."""
    if v.first_move is None:
        return None
    name = PARAMETERS[v.symbol][0]
    return float((run.param_at(name, v.first_move + 1) - run.param_at(name, v.first_move)).abs().max())


def over_time_note(run: Run, found: list[Verdict]) -> str:
    """How to read the charts over the steps, with the first moves of the run's verdicts `found`: a move at step k
    is the segment from point k to point k + 1, and a first move can be too small to see next to later ones, so
    its size is given."""
    moved, still = [], []
    for v in found:
        size = first_change(run, v)
        if size is None:
            still.append(v.symbol)
        else:
            moved.append(f"{v.symbol} at step {v.first_move} (its most-moved entry changes by {size:.2g})")
    parts = [
        "Each point is the value before that step's update (the last point: after the final update), so a "
        "parameter that moves at step k first changes between the points k and k + 1."
    ]
    if moved:
        parts.append("First changes in this run: " + "; ".join(moved) + ".")
    if still:
        parts.append(f"{' and '.join(still)} never {'moves' if len(still) == 1 else 'move'}.")
    return " ".join(parts)


def dead_units(run: Run, t: int) -> list[int]:
    """Units whose activation slope is 0 for every sample at step t: no gradient passes through them."""
    s = slope(run.steps[t], run)
    return [int(j) for j in torch.nonzero((s == 0).all(dim=0)).flatten()]


def dead_sentence(run: Run) -> str | None:
    if not run.steps:
        return None
    dead0 = dead_units(run, 0)
    if not dead0:
        return None
    always = [j for j in dead0 if all(j in dead_units(run, t) for t in range(len(run.steps)))]
    units = ", ".join(map(str, dead0))
    tail = (" and stay" if len(dead0) > 1 else " and stays") + " dead in every step" if always == dead0 else ""
    return (
        f"Dead at step 0: unit{'s' if len(dead0) > 1 else ''} {units} (the slope of the activation is 0 for "
        f"every sample, so no gradient passes){tail}."
    )
