"""The computation graph as Graphviz DOT, with each backward edge labelled by its gradient at one step.

Forward edges are grey. Backward edges carry the size of the gradient flowing along them (the largest |entry|);
an edge whose gradient is exactly zero is drawn red and dashed, so the place where the flow stops stands out.
"""

from __future__ import annotations

from explainer.engine import Run

ZERO, FLOW = "#c0392b", "#1e7b45"

# (gradient name, from node, to node, what it is)
BACKWARD = (
    ("dr", "l", "r", "dl/dr"),
    ("df", "r", "f", "dl/df"),
    ("dw", "f", "w", "dl/dw"),
    ("db", "f", "b", "dl/db"),
    ("dx", "f", "e", "dl/de (dx)"),
    ("de", "e", "E", "dl/dE (de)"),
)


def _node(name: str, label: str, shape: str = "ellipse", fill: str = "white") -> str:
    return f'  {name} [label="{label}", shape={shape}, style=filled, fillcolor="{fill}"];'


def dot(run: Run, t: int) -> str:
    c, s = run.config, run.steps[t]
    bias = "fc.bias" in run.final
    lines = [
        "digraph G {",
        "  rankdir=LR; bgcolor=transparent;",
        '  node [fontname="Helvetica", fontsize=14];',
        '  edge [fontname="Helvetica", fontsize=13];',
    ]
    lines += [
        _node("x", "x (token ids)"),
        _node("E", "E (embedding)", "box", "#fdebd0"),
        _node("e", "e = E[x]"),
        _node("w", "w (fc weight)", "box", "#fdebd0"),
        _node("f", "f = w·e" + (" + b" if bias else "")),
        _node("r", f"r = {c.activation}(f)"),
        _node("y", "y (targets)"),
        _node("l", "l = mse(r, y)", "box", "#eaf2f8"),
    ]
    if bias:
        lines.append(_node("b", "b (fc bias)", "box", "#fdebd0"))
    forward = [("x", "e"), ("E", "e"), ("e", "f"), ("w", "f"), ("f", "r"), ("r", "l"), ("y", "l")]
    forward += [("b", "f")] if bias else []
    lines += [f'  {a} -> {b} [color="#aaaaaa"];' for a, b in forward]
    for grad, a, b, what in BACKWARD:
        if grad not in s.grads:
            continue
        size = float(s.grads[grad].abs().max())
        zero = size == 0
        color = ZERO if zero else FLOW
        style = "dashed" if zero else "solid"
        width = 1.5 if zero else 1.5 + min(3.0, 30 * size)
        label = f"{grad} = 0" if zero else f"max |{grad}| = {size:.3g}"
        lines.append(
            f'  {a} -> {b} [label="{label}", color="{color}", fontcolor="{color}", style={style}, '
            f'penwidth={width:.2f}, constraint=false, tooltip="{what}"];'
        )
    lines.append("}")
    return "\n".join(lines)
