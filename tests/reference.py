"""Test helpers: an independent plain-torch forward and autograd backward, and hypothesis strategies for configs.

The reference never calls the engine, the model or by_hand: it rebuilds the forward from a step's recorded
parameters with torch.nn.functional and asks torch.autograd.grad for every gradient. relu with a chosen slope
at 0 is built from the torch function that has that slope (see test_model.py for the proof of each).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from explainer import registry
from explainer.config import RunConfig

TOL = 1e-12

# torch functions whose autograd slope at exactly 0 is 0, 0.5 and 1 (test_model.py checks each claim).
RELU_BY_SLOPE_AT_ZERO = {
    0.0: torch.relu,
    0.5: lambda f: torch.maximum(f, torch.zeros_like(f)),
    1.0: lambda f: f.clamp(min=0),
}


def activation(c: RunConfig):
    return {
        "relu": RELU_BY_SLOPE_AT_ZERO[c.relu_grad_at_zero],
        "leaky_relu": lambda f: F.leaky_relu(f, c.negative_slope),
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
        "identity": lambda f: f * 1.0,  # a new node, so r and f are distinct tensors
    }[c.activation]


def forward_backward(c: RunConfig, params: dict, x: torch.Tensor, y: torch.Tensor):
    """Values (e, f, r, l) and gradients (dr, df, dw, db, dx, de) from plain torch, for one step's parameters."""
    E = params["embed.weight"].clone().requires_grad_(True)
    w = params["fc.weight"].clone().requires_grad_(True)
    b = params["fc.bias"].clone().requires_grad_(True) if "fc.bias" in params else None
    e = F.embedding(x, E)  # (B, D)
    f = F.linear(e, w, b)  # (B, O)
    r = activation(c)(f)  # (B, O)
    l = ((r - y) ** 2).mean()  # PyTorch's mse is a mean over all B * O numbers
    wrt = {"dr": r, "df": f, "dw": w, "dx": e, "de": E} | ({"db": b} if b is not None else {})
    grads = dict(zip(wrt, torch.autograd.grad(l, list(wrt.values())), strict=True))
    values = {"e": e, "f": f, "r": r, "l": l}
    return {k: v.detach() for k, v in values.items()}, grads


def max_gap(a: torch.Tensor, b: torch.Tensor) -> float:
    assert a.shape == b.shape, (a.shape, b.shape)
    return float((a - b).abs().max()) if a.numel() else 0.0


# --- hypothesis strategies ------------------------------------------------------------------------------------

NUMBERS = st.one_of(
    st.sampled_from([-1.0, -0.5, 0.0, 0.5, 1.0]),
    st.floats(-2, 2, allow_nan=False, allow_infinity=False, allow_subnormal=False),
)


def matrix(rows: int, cols: int):
    return st.lists(st.tuples(*[NUMBERS] * cols), min_size=rows, max_size=rows).map(tuple)


@st.composite
def init_spec(draw, rows: int, cols: int, bias: bool = False) -> str:
    names = [*registry.INIT_NAMES, "none"] if bias else list(registry.INIT_NAMES)
    name = draw(st.sampled_from(names))
    if name == "constant":
        return f"constant:{draw(NUMBERS)!r}"
    if name in ("normal", "uniform"):
        return f"{name}:{draw(st.floats(0, 2, allow_subnormal=False))!r}"
    if name == "custom":
        values = draw(matrix(rows, cols))
        return "custom:" + ";".join(",".join(repr(v) for v in row) for row in values)
    return name


@st.composite
def configs(draw, experiment: int = 0, device: str = "cpu") -> RunConfig:
    V, D, O = draw(st.integers(1, 8)), draw(st.integers(1, 4)), draw(st.integers(1, 3))
    tokens = tuple(draw(st.lists(st.integers(0, V - 1), min_size=1, max_size=5)))
    return RunConfig(
        experiment=experiment,
        vocab_size=V,
        embed_dim=D,
        out_dim=O,
        tokens=tokens,
        targets=draw(st.none() | matrix(len(tokens), O)),
        embed_init=draw(init_spec(V, D)),
        fc_weight_init=draw(init_spec(O, D)),
        fc_bias=draw(init_spec(1, O, bias=True)),
        activation=draw(st.sampled_from(list(registry.ACTIVATIONS))),
        negative_slope=draw(st.floats(0, 1, allow_subnormal=False)),
        relu_grad_at_zero=draw(st.sampled_from([0.0, 0.5, 1.0])),
        optimizer=draw(st.sampled_from(list(registry.OPTIMIZERS))),
        lr=draw(st.floats(1e-3, 0.2)),
        steps=draw(st.integers(1, 4)),
        seed=draw(st.integers(0, 2**31 - 1)),
        device=device,
    )
