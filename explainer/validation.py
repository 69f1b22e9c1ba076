"""Validation of a RunConfig: field types, ranges, cross-field rules and the size caps, checked on the values
alone before any tensor exists. RunConfig.__post_init__ calls check(); config.py re-exports the public names
(ConfigError, caps, check, record_numbers), so callers import them from there. Not here: parsing text (parsing.py,
config.py's codec) and the math.
"""

from __future__ import annotations

import numbers
import os

from explainer import parsing, registry

# Caps keep one run small enough for a shared server. GFL_MAX_<KEY> in the environment raises (or lowers) each.
DEFAULT_CAPS = {
    "vocab_size": 1000,
    "embed_dim": 64,
    "out_dim": 64,
    "batch": 64,
    "steps": 200,
    "record_numbers": 3_000_000,
}


def caps() -> dict[str, int]:
    out = {}
    for key, default in DEFAULT_CAPS.items():
        raw = os.environ.get(f"GFL_MAX_{key.upper()}", "")
        raw = raw.strip()
        out[key] = int(raw) if raw.isascii() and raw.isdigit() and int(raw) > 0 else default
    return out


class ConfigError(ValueError):
    """One or more bad fields. `errors` maps each key to a message that names it and says what is allowed."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(self.errors.values()))


def record_numbers(c) -> int:
    """How many numbers the record of this config holds (params, values and gradients per step)."""
    V, D, O, B = c.vocab_size, c.embed_dim, c.out_dim, c.batch
    params = V * D + O * D + (O if c.has_bias else 0)
    per_step = 2 * params + B + B * O + 2 * B * D + 4 * B * O + 1
    return (c.steps + 1) * per_step


_INTS = ("experiment", "vocab_size", "embed_dim", "out_dim", "steps", "seed")
_FLOATS = ("negative_slope", "relu_grad_at_zero", "lr")
_STRS = ("embed_init", "fc_weight_init", "fc_bias", "activation", "optimizer", "device")


def _check_types(c) -> dict[str, str]:
    """Field types, for configs built directly (text from links and the CLI is parsed first): '6' is no size."""
    errors = {}
    for keys, kinds, what in ((_INTS, numbers.Integral, "a whole number"), (_FLOATS, numbers.Real, "a number")):
        for key in keys:
            v = getattr(c, key)
            if isinstance(v, bool) or not isinstance(v, kinds):
                errors[key] = f"{key}: must be {what}, got {type(v).__name__} {str(v)[:40]!r}"
    for key in _STRS:
        if not isinstance(getattr(c, key), str):
            errors[key] = f"{key}: must be a string, got {type(getattr(c, key)).__name__}"
    if not isinstance(c.tokens, tuple) or any(
        isinstance(t, bool) or not isinstance(t, numbers.Integral) for t in c.tokens
    ):
        errors["tokens"] = "tokens: must be a tuple of whole-number token ids, e.g. (1, 4, 1)"
    real = lambda v: isinstance(v, numbers.Real) and not isinstance(v, bool)
    if c.targets is not None and not (
        isinstance(c.targets, tuple) and all(isinstance(row, tuple) and all(map(real, row)) for row in c.targets)
    ):
        errors["targets"] = "targets: must be None or a tuple of rows, each a tuple of numbers"
    return errors


def canonical(c) -> dict[str, object]:
    """Plain ints and floats, and init specs as format_init writes them ('constant:1.0' -> 'constant:1')."""
    out = {k: int(getattr(c, k)) for k in _INTS} | {k: float(getattr(c, k)) for k in _FLOATS}
    out["tokens"] = tuple(int(t) for t in c.tokens)
    out["targets"] = None if c.targets is None else tuple(tuple(float(v) for v in row) for row in c.targets)
    for key in ("embed_init", "fc_weight_init", "fc_bias"):
        out[key] = registry.format_init(registry.parse_init(getattr(c, key), key, registry.BIAS_NAMES))
    return out


def _exact_choice(value: str, key: str, allowed) -> str:
    if value not in allowed:  # exact: a direct config must hold the spelling the engine looks up
        raise ValueError(f"{key}: unknown value {value[:40]!r}; allowed: {', '.join(allowed)}")
    return value


def check(c) -> dict[str, str]:
    """Every type, range and cross-field rule, for a config built from any source. Cheap: allocates nothing big."""
    cap, errors = caps(), _check_types(c)

    def rule(key, fn):
        if key in errors:
            return
        try:
            fn()
        except (ValueError, TypeError) as exc:
            errors[key] = str(exc) if str(exc).startswith(key) else f"{key}: {exc}"

    rule("experiment", lambda: parsing.parse_int(c.experiment, "experiment", 0, 5))
    for key in ("vocab_size", "embed_dim", "out_dim", "steps"):
        rule(key, lambda key=key: parsing.parse_int(getattr(c, key), key, 1, cap[key]))
    rule("seed", lambda: parsing.parse_int(c.seed, "seed", 0, 2**31 - 1))
    rule("tokens", lambda: _check_tokens(c, cap))
    rule("targets", lambda: "tokens" in errors or "out_dim" in errors or _check_targets(c))  # needs both
    rule("embed_init", lambda: _check_init(c.embed_init, "embed_init", (c.vocab_size, c.embed_dim)))
    rule("fc_weight_init", lambda: _check_init(c.fc_weight_init, "fc_weight_init", (c.out_dim, c.embed_dim)))
    rule("fc_bias", lambda: _check_init(c.fc_bias, "fc_bias", (1, c.out_dim), registry.BIAS_NAMES))
    rule("activation", lambda: _exact_choice(c.activation, "activation", registry.ACTIVATIONS))
    rule("negative_slope", lambda: parsing.check_float(float(c.negative_slope), "negative_slope", 0, 1))
    rule("relu_grad_at_zero", lambda: parsing.check_float(float(c.relu_grad_at_zero), "relu_grad_at_zero", 0, 1))
    rule(
        "relu_grad_at_zero",
        lambda: _exact_choice(parsing.format_number(c.relu_grad_at_zero), "relu_grad_at_zero", ("0", "0.5", "1")),
    )
    rule("optimizer", lambda: _exact_choice(c.optimizer, "optimizer", registry.OPTIMIZERS))
    rule("lr", lambda: parsing.check_float(float(c.lr), "lr", 0, 100, lo_open=True))
    rule("device", lambda: _check_device(c.device))
    if not errors and record_numbers(c) > cap["record_numbers"]:
        errors["steps"] = (
            f"steps: this run would record {record_numbers(c):,} numbers; at most "
            f"{cap['record_numbers']:,} are allowed (lower steps, vocab_size or the dimensions)"
        )
    return errors


def _check_tokens(c, cap):
    if not isinstance(c.tokens, tuple) or not c.tokens:
        raise ValueError("tokens: needs at least one token id")
    if len(c.tokens) > cap["batch"]:
        raise ValueError(f"tokens: {len(c.tokens)} tokens; at most {cap['batch']} are allowed")
    if isinstance(c.vocab_size, bool) or not isinstance(c.vocab_size, numbers.Integral):
        return  # vocab_size's own rule reports it
    bad = [t for t in c.tokens if not 0 <= t < c.vocab_size]
    if bad:
        raise ValueError(f"tokens: id {bad[0]} is outside the vocabulary; allowed ids are 0 to {c.vocab_size - 1}")


def _check_targets(c):
    if c.targets is None:
        return
    if len(c.targets) != c.batch or any(len(row) != c.out_dim for row in c.targets):
        widths = sorted({len(r) for r in c.targets})  # parsing already makes every row the same length
        rows = f"{len(c.targets)} row{'s' if len(c.targets) != 1 else ''}"
        shape = f"{rows} of {widths[0]} number{'s' if widths[0] != 1 else ''}" if len(widths) == 1 else rows
        raise ValueError(
            f"targets: need {c.batch} rows (one per token) of {c.out_dim} numbers (one per fc unit), got {shape}"
        )
    for row in c.targets:
        for v in row:
            parsing.check_float(float(v), "targets", -1e6, 1e6)


def _check_init(text, key, shape, allowed=registry.INIT_NAMES):
    spec = registry.parse_init(text, key, allowed)
    if spec.values is not None:
        rows, cols = len(spec.values), len(spec.values[0])
        if (rows, cols) != shape and not (shape[0] == 1 and rows * cols == shape[1]):
            raise ValueError(f"{key}: custom values are {rows}x{cols}; this run needs {shape[0]}x{shape[1]}")


def _check_device(device):
    _exact_choice(device, "device", registry.DEVICES)
    if not registry.available(device):
        usable = [d for d in registry.DEVICES if registry.available(d)]
        raise ValueError(f"device: {device} is not available on this machine; allowed here: {', '.join(usable)}")
