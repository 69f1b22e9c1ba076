"""The tiny network: e = E[x], f = fc(e) = e @ w.T + b, r = act(f). A real nn.Module built from nn.Embedding and
nn.Linear, in float64, initialised from a local torch.Generator so runs never touch the global RNG.

relu gets its derivative at exactly f = 0 from the config: torch.relu says 0, clamp(min=0) says 1,
torch.maximum(f, 0) says 0.5; the custom autograd function below lets a run choose any of the three.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from explainer import by_hand, registry
from explainer.config import RunConfig

DTYPE = torch.float64
FORWARD = {  # r = act(f) with PyTorch's own ops; relu goes through ReluAtZero below
    "leaky_relu": lambda f, s: torch.nn.functional.leaky_relu(f, s),
    "tanh": lambda f, s: torch.tanh(f),
    "sigmoid": lambda f, s: torch.sigmoid(f),
    "identity": lambda f, s: f,
}


class ReluAtZero(torch.autograd.Function):
    """relu whose backward uses `grad_at_zero` where f == 0 (forward is the usual max(f, 0))."""

    @staticmethod
    def forward(ctx, f, grad_at_zero: float):
        ctx.save_for_backward(f)
        ctx.grad_at_zero = grad_at_zero
        return f.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_r):
        (f,) = ctx.saved_tensors
        return grad_r * by_hand.slope("relu", f, 0.0, ctx.grad_at_zero), None


class Embedding(nn.Embedding):
    """nn.Embedding that leaves its table unset on construction (init_ fills it from the run's own generator), so
    building one never draws from the global RNG. Unlike nn.utils.skip_init, it does not go through the meta
    device, whose first use loads torch._dynamo (about a second on a small server)."""

    def reset_parameters(self) -> None:
        pass


class Linear(nn.Linear):
    """nn.Linear that leaves its weight and bias unset on construction; see Embedding."""

    def reset_parameters(self) -> None:
        pass


class TinyNet(nn.Module):
    def __init__(self, c: RunConfig, device: str = "cpu"):
        super().__init__()
        kw = dict(dtype=DTYPE, device=device)
        self.embed = Embedding(c.vocab_size, c.embed_dim, **kw)
        self.fc = Linear(c.embed_dim, c.out_dim, bias=c.has_bias, **kw)
        self.activation, self.slope, self.at_zero = c.activation, c.negative_slope, c.relu_grad_at_zero

    def act(self, f: torch.Tensor) -> torch.Tensor:
        if self.activation == "relu":
            return ReluAtZero.apply(f, self.at_zero)
        return FORWARD[self.activation](f, self.slope)

    def forward(self, x: torch.Tensor):
        e = self.embed(x)  # (B, D)
        f = self.fc(e)  # (B, O)
        r = self.act(f)  # (B, O)
        return e, f, r


def init_(net: TinyNet, c: RunConfig, g: torch.Generator) -> None:
    """PyTorch's default init is always drawn first, E then w then b, exactly as building nn.Embedding and then
    nn.Linear after torch.manual_seed(seed) would; other specs then overwrite. So a seed means the same numbers
    whatever the other inits are, as in a script that builds the layers and then zeroes one."""
    bound = 1 / math.sqrt(c.embed_dim)  # nn.Linear: fan_in = embed_dim
    with torch.no_grad():
        nn.init.normal_(net.embed.weight, generator=g)
        nn.init.kaiming_uniform_(net.fc.weight, a=math.sqrt(5), generator=g)
        if net.fc.bias is not None:
            nn.init.uniform_(net.fc.bias, -bound, bound, generator=g)
        _fill(net.embed.weight, c.embed_init, g)
        _fill(net.fc.weight, c.fc_weight_init, g)
        if net.fc.bias is not None:
            _fill(net.fc.bias, c.fc_bias, g)


def _fill(t: torch.Tensor, text: str, g: torch.Generator) -> None:
    spec = registry.parse_init(text, "init", registry.BIAS_NAMES)
    if spec.name == "zeros":
        t.zero_()
    elif spec.name == "ones":
        t.fill_(1.0)
    elif spec.name == "constant":
        t.fill_(spec.arg)
    elif spec.name == "normal":
        nn.init.normal_(t, 0.0, spec.arg, generator=g)
    elif spec.name == "uniform":
        nn.init.uniform_(t, -spec.arg, spec.arg, generator=g)
    elif spec.name == "custom":
        t.copy_(torch.tensor(spec.values, dtype=t.dtype).reshape(t.shape))
