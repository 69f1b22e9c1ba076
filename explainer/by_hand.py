"""The article's backward pass, written out one line per equation and corrected where the article slips.

    dr = 2 (r - y) / N            PyTorch's mse takes a mean over all N = batch x out_dim numbers
    df = dr * act'(f)             elementwise; act' is the activation's slope (relu'(0) per the config)
    dw = df.T @ e                 the article writes "df * x"; the factor is the fc input e, not the token id
    db = sum over the batch of df
    dx = df @ w                   the gradient at fc's input, one row per sample
    de = dx scattered into a zero table at the looked-up rows (repeated ids add up)

Plain tensor algebra, no autograd: the engine checks these against autograd at every step.
"""

from __future__ import annotations

import torch


def _relu_grad(f, slope, at_zero):
    return (f > 0).to(f.dtype) + at_zero * (f == 0).to(f.dtype)


def _leaky_grad(f, slope, at_zero):
    # PyTorch's leaky_relu takes the slope branch at exactly 0, as the article's "1 if f > 0 else 0.01" does.
    return torch.where(f > 0, torch.ones_like(f), torch.full_like(f, slope))


SLOPES = {  # act'(f), by hand: (f, negative_slope, relu_grad_at_zero) -> tensor shaped like f
    "relu": _relu_grad,
    "leaky_relu": _leaky_grad,
    "tanh": lambda f, s, z: 1 - torch.tanh(f) ** 2,
    "sigmoid": lambda f, s, z: torch.sigmoid(f) * (1 - torch.sigmoid(f)),
    "identity": lambda f, s, z: torch.ones_like(f),
}


def slope(activation: str, f: torch.Tensor, negative_slope: float, relu_grad_at_zero: float) -> torch.Tensor:
    """The activation's slope act'(f), elementwise."""
    return SLOPES[activation](f, negative_slope, relu_grad_at_zero)


def backward(
    x,
    y,
    e,
    f,
    r,
    w,
    *,
    activation: str,
    negative_slope: float,
    relu_grad_at_zero: float,
    vocab_size: int,
    has_bias: bool,
    de_out: torch.Tensor | None = None,
) -> dict[str, torch.Tensor]:
    """The gradients as the equations above give them. `de_out`, a (vocab_size, D) table, is zeroed and reused
    for de instead of a new one: a caller that checks every step saves allocating (and the operating system
    zero-filling) a fresh table each time."""
    N = r.numel()
    dr = 2 * (r - y) / N  # (B, O)
    df = dr * slope(activation, f, negative_slope, relu_grad_at_zero)  # (B, O)
    dw = df.T @ e  # (O, D)
    dx = df @ w  # (B, D)
    if de_out is None:
        de_out = torch.zeros(vocab_size, e.shape[1], dtype=e.dtype, device=e.device)
    else:
        de_out.zero_()
    de = de_out.index_add_(0, x, dx)  # (V, D)
    grads = {"dr": dr, "df": df, "dw": dw, "dx": dx, "de": de}
    if has_bias:
        grads["db"] = df.sum(dim=0)  # (O,)
    return grads
