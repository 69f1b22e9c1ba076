"""run(config) -> Run: train the tiny network for `steps` optimizer updates and record every number.

For each step the record holds the parameters before the update (cloned), the forward values e, f, r, l, the
gradients from autograd (dr, df, dw, db, dx, de), and the largest gap between those and the by-hand gradients.
Pure: a local generator seeded from the config, float64, the record always on the CPU. A NaN or Inf stops the
run at that step with a note saying where; nothing raises. Not here: verdicts, tables and drawing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch

from explainer import by_hand, optim, registry
from explainer.config import RunConfig
from explainer.model import DTYPE, TinyNet, init_

PARAMS = ("embed.weight", "fc.weight", "fc.bias")
VALUES = ("e", "f", "r", "l")
GRADS = ("dr", "df", "dw", "db", "dx", "de")


@dataclass
class Step:
    index: int
    params: dict[str, torch.Tensor]  # before this step's update
    values: dict[str, torch.Tensor]  # e (B, D), f (B, O), r (B, O), l ()
    grads: dict[str, torch.Tensor]  # autograd's, named as the article names them
    max_diff: float  # largest |by hand - autograd| over all gradients of this step


@dataclass
class Run:
    config: RunConfig
    x: torch.Tensor  # (B,) token ids
    y: torch.Tensor  # (B, O) targets
    steps: list[Step] = field(default_factory=list)
    final: dict[str, torch.Tensor] = field(default_factory=dict)  # parameters after the last update
    diverged: str | None = None  # "step 3: l is inf" when a value stopped being finite
    device: str = "cpu"

    def param_at(self, name: str, t: int) -> torch.Tensor:
        """The parameter before step t's update; t == len(steps) gives the final value."""
        return self.final[name] if t >= len(self.steps) else self.steps[t].params[name]

    @property
    def max_diff(self) -> float:
        """Largest gap over the steps whose numbers were finite (a diverged step has no meaningful gap)."""
        return max((s.max_diff for s in self.steps if math.isfinite(s.max_diff)), default=0.0)


def run(c: RunConfig) -> Run:
    device = registry.resolve_device(c.device)
    if device == "mps":  # MPS has no float64; the CPU gives the same numbers
        device = "cpu"
    g = torch.Generator().manual_seed(c.seed)
    net = TinyNet(c)
    init_(net, c, g)
    net.to(device)
    x = torch.tensor(c.tokens, dtype=torch.long, device=device)
    y = torch.tensor(c.y, dtype=DTYPE, device=device)
    named = dict(net.named_parameters())
    opt = optim.BY_NAME[c.optimizer](list(named.values()), c.lr)
    record = Run(config=c, x=x.cpu(), y=y.cpu(), device=device)
    de_buffer = torch.empty_like(named["embed.weight"], requires_grad=False)  # by_hand's de, reused every step
    for t in range(c.steps):
        step, ok = _step(t, net, named, opt, x, y, c, de_buffer)
        record.steps.append(step)
        if not ok:
            record.diverged = ok_where(step, named)
            break
    record.final = {k: v.detach().cpu().clone() for k, v in named.items()}
    if record.diverged is None and not _finite(*record.final.values()):
        record.diverged = f"step {len(record.steps) - 1}: the update made a parameter non-finite"
    return record


def _step(t, net, named, opt, x, y, c, de_buffer):
    params = {k: v.detach().cpu().clone() for k, v in named.items()}
    opt.zero_grad()  # fresh .grad tensors each step: no zeroing pass, no accumulating pass
    e, f, r = net(x)
    for v in (e, f, r):
        v.retain_grad()
    l = torch.nn.functional.mse_loss(r, y)
    values = {"e": e, "f": f, "r": r, "l": l}
    if not torch.isfinite(l):
        return Step(t, params, _cpu(values), {}, float("nan")), False
    l.backward()
    grads = {"dr": r.grad, "df": f.grad, "dw": named["fc.weight"].grad, "dx": e.grad, "de": named["embed.weight"].grad}
    if "fc.bias" in named:
        grads["db"] = named["fc.bias"].grad
    # The record is taken before anything below runs in place. Gradients are not cloned: set_to_none above makes
    # each .grad a fresh tensor that the optimizer only reads (test_engine replays every update from the record).
    step = Step(t, params, _cpu(values), _cpu(grads, clone=False), float("nan"))
    hand = by_hand.backward(
        x,
        y,
        e.detach(),
        f.detach(),
        r.detach(),
        named["fc.weight"].detach(),
        activation=c.activation,
        negative_slope=c.negative_slope,
        relu_grad_at_zero=c.relu_grad_at_zero,
        vocab_size=c.vocab_size,
        has_bias=c.has_bias,
        de_out=de_buffer,
    )
    step.max_diff = _gap(hand, grads)
    opt.step()
    # A NaN or Inf in a gradient makes its gap NaN or Inf too, so a finite gap already clears every gradient.
    return step, _finite(*named.values()) and (math.isfinite(step.max_diff) or _finite(*grads.values()))


def _gap(hand: dict[str, torch.Tensor], grads: dict[str, torch.Tensor]) -> float:
    """Largest |by hand - autograd| over all gradients: in place on by_hand's tensors (never the record's), so no
    new V x D buffer per step, and one device sync for all of them."""
    return float(torch.stack([hand[k].sub_(grads[k]).abs_().max() for k in grads]).max())


def _finite(*tensors: torch.Tensor) -> bool:
    """Exact, but cheap in the common case: a NaN or Inf anywhere makes the sum of sums non-finite, and only then
    (or when finite numbers overflow the sum) is each tensor checked element by element."""
    with torch.no_grad():
        if bool(torch.isfinite(torch.stack([t.sum() for t in tensors]).sum())):
            return True
        return all(bool(torch.isfinite(t).all()) for t in tensors)


def _cpu(d, clone: bool = True):
    return {k: v.detach().cpu().clone() if clone else v.detach().cpu() for k, v in d.items()}


def ok_where(step: Step, named) -> str:
    for name, v in {**step.values, **step.grads}.items():
        if not torch.isfinite(v).all():
            return f"step {step.index}: {name} is not finite ({_bad(v)})"
    for name, v in named.items():
        if not torch.isfinite(v).all():
            return f"step {step.index}: the update made {name} {_bad(v.detach())}"
    return f"step {step.index}: a value stopped being finite"


def _bad(v: torch.Tensor) -> str:
    return "NaN" if torch.isnan(v).any() else "infinite"
