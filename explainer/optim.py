"""The three optimizers a run can use, written out: plain SGD, SGD with momentum, and Adam.

Each does the same arithmetic, in the same order, as torch.optim's single-tensor SGD and Adam (the code path
PyTorch takes for tensors on the CPU), so a run's parameters are bit for bit what torch.optim would give;
tests/test_engine.py replays every recorded update with torch.optim itself and checks exact equality.
They are written here rather than imported because the first use of torch.optim loads torch._dynamo, which
costs about a second of start-up on a small server; this way a student's first page opens that much sooner.
"""

from __future__ import annotations

import torch


class Optimizer:
    """Holds the parameters and their per-parameter state; `step` applies one update from each `.grad`."""

    def __init__(self, params: list[torch.Tensor], lr: float):
        self.params, self.lr = list(params), float(lr)
        self.state: list[dict] = [{} for _ in self.params]

    def zero_grad(self) -> None:
        """Drop the gradients, so the next backward writes fresh tensors instead of adding to old ones."""
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        for p, state in zip(self.params, self.state, strict=True):
            if p.grad is not None:
                self.update(p, p.grad, state)

    def update(self, p: torch.Tensor, grad: torch.Tensor, state: dict) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """p <- p - lr * grad."""

    def update(self, p, grad, state):
        p.add_(grad, alpha=-self.lr)


class Momentum(Optimizer):
    """buf <- grad on the first step, then buf <- 0.9 * buf + grad; p <- p - lr * buf (no dampening)."""

    MOMENTUM = 0.9

    def update(self, p, grad, state):
        buf = state.get("buf")
        if buf is None:
            buf = state["buf"] = grad.detach().clone()
        else:
            buf.mul_(self.MOMENTUM).add_(grad, alpha=1)
        p.add_(buf, alpha=-self.lr)


class Adam(Optimizer):
    """PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, no weight decay, bias-corrected moments."""

    BETA1, BETA2, EPS = 0.9, 0.999, 1e-8

    def update(self, p, grad, state):
        if not state:
            state.update(step=0, m=torch.zeros_like(p), v=torch.zeros_like(p))
        state["step"] += 1
        m, v, t = state["m"], state["v"], float(state["step"])
        m.lerp_(grad, 1 - self.BETA1)
        v.mul_(self.BETA2).addcmul_(grad, grad, value=1 - self.BETA2)
        step_size = self.lr / (1 - self.BETA1**t)
        denom = (v.sqrt() / (1 - self.BETA2**t) ** 0.5).add_(self.EPS)
        p.addcdiv_(m, denom, value=-step_size)


BY_NAME = {"sgd": SGD, "momentum": Momentum, "adam": Adam}  # the names are registry.OPTIMIZERS'
