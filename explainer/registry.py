"""Registries of the choices a run can make: inits, activations, optimizers, devices.

Widgets, validation and the engine all read these tables, so the app and the core cannot disagree about
what is allowed. This module holds names, help texts and small pure functions; it imports neither streamlit nor torch
(a page can draw its header before the heavy imports start).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from explainer.parsing import format_matrix, format_number, parse_matrix

# --- initialisers -------------------------------------------------------------------------------------------
# An init spec is a string: a bare name ("zeros") or a name with one argument ("normal:0.5"). "custom:..." holds
# explicit values, rows separated by ";" and columns by ",", so a hand-edited table still fits in one key.

INIT_HELP = {
    "default": "PyTorch's own init (embedding: normal(0, 1); linear: uniform(±1/√fan_in)), drawn from the seed",
    "zeros": "every entry 0",
    "ones": "every entry 1",
    "constant": "every entry the same value, e.g. constant:0.5",
    "normal": "normal(0, std), e.g. normal:0.1",
    "uniform": "uniform(-a, a), e.g. uniform:0.3",
    "custom": "explicit values: rows separated by ';', columns by ',', e.g. custom:0,1;2,3",
}
INIT_NAMES = tuple(INIT_HELP)
BIAS_HELP = {"none": "no bias at all (f = w·e)", **INIT_HELP}
BIAS_NAMES = tuple(BIAS_HELP)
INIT_ARG_NAMES = ("constant", "normal", "uniform")  # names that take one numeric argument
MAX_INIT_ARG = 1e6


@dataclass(frozen=True)
class InitSpec:
    name: str
    arg: float | None = None
    values: tuple[tuple[float, ...], ...] | None = None


def parse_init(text: str, key: str, allowed: tuple[str, ...]) -> InitSpec:
    """Parse an init spec, raising ValueError with a message that names the key and what is allowed."""
    text = str(text).strip()
    name, _, arg = text.partition(":")
    name = name.strip().lower()
    if name not in allowed:
        shown = ", ".join(n + ":<v>" if n in INIT_ARG_NAMES else n for n in allowed)
        raise ValueError(f"{key}: unknown init {text[:40]!r}; allowed: {shown}")
    if name == "custom":
        return InitSpec(name, values=parse_matrix(arg, key))
    if name in INIT_ARG_NAMES:
        if not arg.strip():
            raise ValueError(f"{key}: {name} needs a value, e.g. {name}:0.5")
        try:
            value = float(arg)
        except ValueError:
            raise ValueError(f"{key}: {name}:<v> needs a number, got {arg[:40]!r}") from None
        if not math.isfinite(value) or abs(value) > MAX_INIT_ARG:
            raise ValueError(f"{key}: {name}:<v> must be a finite number between -1e6 and 1e6")
        if name in ("normal", "uniform") and value < 0:
            raise ValueError(f"{key}: {name}:<v> must be >= 0")
        return InitSpec(name, arg=value)
    if arg:
        raise ValueError(f"{key}: {name} takes no value")
    return InitSpec(name)


def format_init(spec: InitSpec) -> str:
    if spec.values is not None:
        return "custom:" + format_matrix(spec.values)
    if spec.arg is not None:
        return f"{spec.name}:{format_number(spec.arg)}"
    return spec.name


# --- activations --------------------------------------------------------------------------------------------
# Names, how the equations write them, and help texts. The functions themselves live where they are used: the
# forward pass in model.py (PyTorch's own ops), the slopes in by_hand.py (derived by hand).


@dataclass(frozen=True)
class Activation:
    name: str
    label: str  # how the equations write it
    help: str


ACTIVATIONS = {
    a.name: a
    for a in (
        Activation("relu", r"\mathrm{relu}", "max(f, 0); its slope at exactly 0 is set by relu_grad_at_zero"),
        Activation(
            "leaky_relu", r"\mathrm{leaky\_relu}", "f above 0, negative_slope·f below; slope at 0 is negative_slope"
        ),
        Activation("tanh", r"\tanh", "tanh(f); slope 1 - tanh(f)²"),
        Activation("sigmoid", r"\sigma", "1 / (1 + exp(-f)); slope σ(f)(1 - σ(f))"),
        Activation("identity", r"\mathrm{id}", "r = f; slope 1 everywhere"),
    )
}
RELU_GRAD_AT_ZERO = {
    0.0: "0, as torch.relu and nn.ReLU do (PyTorch's convention)",
    0.5: "0.5, as torch.maximum(f, 0) does (the two branches tie)",
    1.0: "1, as f.clamp(min=0) does (the article's 'f >= 0' variant)",
}

# --- optimizers ---------------------------------------------------------------------------------------------

OPTIMIZERS = {  # name -> help; the updates themselves are in optim.py
    "sgd": "plain SGD: p ← p - lr·grad",
    "momentum": "SGD with momentum 0.9",
    "adam": "Adam with PyTorch's defaults (betas 0.9, 0.999)",
}

DEVICES = ("auto", "cpu", "cuda", "mps")


def available(device: str) -> bool:
    if device in ("auto", "cpu"):
        return True
    import torch  # here, not at the top: pages import this module before they need torch

    if device == "cuda":
        return torch.cuda.is_available()
    return bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())


def resolve_device(device: str) -> str:
    """auto picks cuda, then mps, then cpu. MPS has no float64, so a run asked for on mps computes on the CPU
    (the engine says so in Run.device_note); results are identical either way, only speed differs."""
    if device != "auto":
        return device
    return next(d for d in ("cuda", "mps", "cpu") if available(d))
