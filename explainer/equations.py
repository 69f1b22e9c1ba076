"""The forward and backward equations of one step and one sample, with the run's numbers substituted in.

`equations(run, t, i)` returns structured Equation values; `latex(eq)` renders one for st.latex (KaTeX),
`latex_block(eqs)` several as one aligned block (what a page shows: `split` gives forward and backward), and
`plain(eq)` for the terminal. Each result is marked zero or non-zero from the numbers themselves. Batch-wide
results (l, dw, db, de) say so; per-sample ones show sample i.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from explainer import by_hand, registry
from explainer.engine import Run

ZERO_COLOR, NONZERO_COLOR = "#b03a2e", "#1e7b45"


@dataclass(frozen=True)
class Equation:
    name: str  # the quantity, as the record names it
    rule: str  # LaTeX of the general rule
    numbers: str  # LaTeX of the rule with this step's numbers
    result: str  # LaTeX of the value
    plain: str  # the same as text: "name = rule = numbers = result"
    zero: bool  # the result is exactly zero everywhere
    value: torch.Tensor  # the number(s) shown as the result
    note: str = ""


def fmt(v: float) -> str:
    return "0" if v == 0 else f"{v:.4g}"


def tex(v: float) -> str:
    """fmt for LaTeX: 2.53e-05 becomes 2.53 x 10^-5 rather than a subtraction."""
    text = fmt(v)
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return rf"{mantissa}{{\times}}10^{{{int(exponent)}}}"


def vec(t: torch.Tensor) -> str:
    return r"\left[" + r",\;".join(tex(float(v)) for v in t.flatten()) + r"\right]"


def mat(t: torch.Tensor) -> str:
    rows = [" & ".join(tex(float(v)) for v in row) for row in t.reshape(t.shape[0], -1)]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


def text_of(t: torch.Tensor) -> str:
    if t.dim() == 0:
        return fmt(float(t))
    if t.dim() == 1:
        return "[" + ", ".join(fmt(float(v)) for v in t) + "]"
    return "[" + "; ".join(", ".join(fmt(float(v)) for v in row) for row in t) + "]"


def _eq(name, rule, numbers, value, plain_rule, note=""):
    shown = mat(value) if value.dim() == 2 else (vec(value) if value.dim() == 1 else tex(float(value)))
    zero = bool((value == 0).all())
    plain = f"{name} = {plain_rule} = {text_of(value)}"
    return Equation(name, rule, numbers, shown, plain, zero, value, note)


def equations(run: Run, t: int, i: int) -> list[Equation]:
    c, s = run.config, run.steps[t]
    act = registry.ACTIVATIONS[c.activation]
    x_i, y_i = int(run.x[i]), run.y[i]
    w = s.params["fc.weight"]
    e, f, r = s.values["e"][i], s.values["f"][i], s.values["r"][i]
    bias = s.params.get("fc.bias")
    N = run.y.numel()
    out = [_eq("e", rf"e = E[x] = E[{x_i}]", "", e, f"E[{x_i}]")]
    if bias is not None:
        out.append(_eq("f", r"f = w\,e + b", rf"{mat(w)}{vec(e)}^\top + {vec(bias)}", f, "w·e + b"))
    else:
        out.append(_eq("f", r"f = w\,e \quad(\text{no bias})", rf"{mat(w)}{vec(e)}^\top", f, "w·e (no bias)"))
    out.append(_eq("r", rf"r = {act.label}(f)", rf"{act.label}\!\left({vec(f)}\right)", r, f"{c.activation}(f)"))
    out.append(
        _eq(
            "l",
            rf"l = \tfrac{{1}}{{{N}}}\sum (r - y)^2",
            "",
            s.values["l"],
            f"mean over all {N} numbers of (r - y)^2",
            note="the mean over the whole batch, not this sample alone",
        )
    )
    if not s.grads:
        return out
    g = {k: v for k, v in s.grads.items()}
    slope = by_hand.slope(c.activation, s.values["f"], c.negative_slope, c.relu_grad_at_zero)[i]
    out.append(
        _eq(
            "dr",
            rf"dr = \tfrac{{2}}{{{N}}}(r - y)",
            rf"\tfrac{{2}}{{{N}}}\left({vec(r)} - {vec(y_i)}\right)",
            g["dr"][i],
            f"2/{N}·(r - y)",
            note=f"PyTorch's mse is a mean, hence the 1/{N}",
        )
    )
    out.append(
        _eq(
            "df",
            rf"df = dr \odot {act.label}'(f)",
            rf"{vec(g['dr'][i])} \odot {vec(slope)}",
            g["df"][i],
            f"dr * {c.activation}'(f)",
            note=_slope_note(c),
        )
    )
    out.append(
        _eq(
            "dw",
            r"dw = \textstyle\sum_{\text{batch}} df^\top e",
            "",
            g["dw"],
            "sum over the batch of df^T e",
            note="the factor beside df is e, fc's input, not the token id x",
        )
    )
    if "db" in g:
        out.append(_eq("db", r"db = \textstyle\sum_{\text{batch}} df", "", g["db"], "sum over the batch of df"))
    out.append(_eq("dx", r"dx = df\,w", rf"{vec(g['df'][i])}\,{mat(w)}", g["dx"][i], "df · w"))
    out.append(
        _eq(
            "de",
            rf"de[{x_i}] = \textstyle\sum_{{j:\,x_j = {x_i}}} dx_j",
            "",
            g["de"][x_i],
            f"sum of dx over the samples with x = {x_i}",
            note="rows of E that no sample looked up get exactly 0",
        )
    )
    return out


def _slope_note(c) -> str:
    if c.activation == "relu":
        return f"relu'(f) is 1 above 0, 0 below, and {c.relu_grad_at_zero:g} at exactly f = 0 (this run's choice)"
    if c.activation == "leaky_relu":
        return f"leaky_relu'(f) is 1 above 0 and {c.negative_slope:g} at or below 0"
    return ""


EQUATION_GAP = r"\\[0.6em]"  # between two equations of a block; a row break inside one is a plain \\


def badge(eq: Equation) -> str:
    return (
        rf"\quad\textcolor{{{ZERO_COLOR}}}{{\boxed{{\textsf{{all zero}}}}}}"
        if eq.zero
        else rf"\quad\textcolor{{{NONZERO_COLOR}}}{{\textsf{{non-zero}}}}"
    )


def rows(eq: Equation) -> str:
    """The equation as rows of an `aligned` environment, aligned on its last '=': one row when there are no
    numbers to substitute, else the numbers on the first row and the result (with its badge) on a second."""
    if not eq.numbers:
        return f"{eq.rule} &= {eq.result}{badge(eq)}"
    return rf"{eq.rule} &= {eq.numbers} \\ &= {eq.result}{badge(eq)}"


def latex(eq: Equation) -> str:
    """One equation on its own."""
    if not eq.numbers:
        return f"{eq.rule} = {eq.result}{badge(eq)}"
    return rf"\begin{{aligned}}{rows(eq)}\end{{aligned}}"


def latex_block(eqs: list[Equation]) -> str:
    """Several equations as one `aligned` block (one st.latex), equals signs aligned, a small gap between two
    equations (EQUATION_GAP), each result with its zero / non-zero badge. Empty for no equations."""
    if not eqs:
        return ""
    return r"\begin{aligned}" + f" {EQUATION_GAP} ".join(rows(eq) for eq in eqs) + r"\end{aligned}"


FORWARD = ("e", "f", "r", "l")


def split(eqs: list[Equation]) -> tuple[list[Equation], list[Equation]]:
    """(forward, backward): the forward pass's equations, then the gradients'."""
    return [eq for eq in eqs if eq.name in FORWARD], [eq for eq in eqs if eq.name not in FORWARD]


def plain(eq: Equation) -> str:
    return f"{eq.plain}   ({'zero' if eq.zero else 'non-zero'})"
