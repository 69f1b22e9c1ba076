"""RunConfig: one frozen value that fully describes a run, and the one validation path for every way a config
arrives (share-link query strings, CLI --param flags, sandbox widgets).

`from_params({"experiment": "2", "lr": "0.5"})` starts from the preset and overrides it; `to_params(config)` writes
back only the keys that differ from that preset, so links stay short and round-trip exactly. Every size is checked
against the caps before any tensor exists. Not here: the math (engine.py) and the presets' teaching text
(experiments.py holds that, and the preset settings this module reads).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass

from explainer import parsing, registry
from explainer.experiments import PRESET_SETTINGS

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
        out[key] = int(raw) if raw.strip().isdigit() and int(raw) > 0 else default
    return out


class ConfigError(ValueError):
    """One or more bad fields. `errors` maps each key to a message that names it and says what is allowed."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(self.errors.values()))


@dataclass(frozen=True)
class RunConfig:
    experiment: int = 0  # 0 = no preset (PyTorch's defaults everywhere); 1-5 = the article's experiments
    vocab_size: int = 6  # rows of the embedding table E
    embed_dim: int = 3  # columns of E = inputs of fc
    out_dim: int = 2  # fc units
    tokens: tuple[int, ...] = (1, 4, 1)  # the batch x; a repeated id shows de adding rows up
    targets: tuple[tuple[float, ...], ...] | None = None  # y, batch x out_dim; None = default_targets()
    embed_init: str = "default"  # an init spec, see registry.INIT_HELP
    fc_weight_init: str = "default"
    fc_bias: str = "default"  # an init spec or "none" (no bias parameter at all)
    activation: str = "relu"
    negative_slope: float = 0.01  # leaky_relu's slope below (and at) 0
    relu_grad_at_zero: float = 0.0  # relu'(0): 0 = PyTorch's torch.relu, 1 = clamp(min=0), 0.5 = torch.maximum
    optimizer: str = "sgd"
    lr: float = 0.1
    steps: int = 5  # optimizer updates recorded
    seed: int = 0  # seeds a local torch.Generator; the global RNG is never touched
    device: str = "auto"

    def __post_init__(self):
        errors = check(self)
        if errors:
            raise ConfigError(errors)

    @property
    def batch(self) -> int:
        return len(self.tokens)

    @property
    def y(self) -> tuple[tuple[float, ...], ...]:
        return self.targets if self.targets is not None else default_targets(self.batch, self.out_dim)

    @property
    def has_bias(self) -> bool:
        return self.fc_bias != "none"

    def replace(self, **changes) -> RunConfig:
        return dataclasses.replace(self, **changes)


KEYS = tuple(f.name for f in dataclasses.fields(RunConfig))


def default_targets(batch: int, out_dim: int) -> tuple[tuple[float, ...], ...]:
    """Non-zero, varied targets (0.5, 1 or 1.5), so every unit has an error to learn from."""
    return tuple(tuple(0.5 + 0.5 * ((i + j) % 3) for j in range(out_dim)) for i in range(batch))


def record_numbers(c: RunConfig) -> int:
    """How many numbers the record of this config holds (params, values and gradients per step)."""
    V, D, O, B = c.vocab_size, c.embed_dim, c.out_dim, c.batch
    params = V * D + O * D + (O if c.has_bias else 0)
    per_step = 2 * params + B + B * O + 2 * B * D + 4 * B * O + 1
    return (c.steps + 1) * per_step


def check(c: RunConfig) -> dict[str, str]:
    """Every range and cross-field rule, for a config built from any source. Cheap: allocates nothing big."""
    cap, errors = caps(), {}

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
    rule("targets", lambda: _check_targets(c))
    rule("embed_init", lambda: _check_init(c.embed_init, "embed_init", (c.vocab_size, c.embed_dim)))
    rule("fc_weight_init", lambda: _check_init(c.fc_weight_init, "fc_weight_init", (c.out_dim, c.embed_dim)))
    rule("fc_bias", lambda: _check_init(c.fc_bias, "fc_bias", (1, c.out_dim), registry.BIAS_NAMES))
    rule("activation", lambda: parsing.parse_choice(c.activation, "activation", registry.ACTIVATIONS))
    rule("negative_slope", lambda: parsing.check_float(float(c.negative_slope), "negative_slope", 0, 1))
    rule(
        "relu_grad_at_zero",
        lambda: parsing.parse_choice(
            parsing.format_number(c.relu_grad_at_zero), "relu_grad_at_zero", ("0", "0.5", "1")
        ),
    )
    rule("optimizer", lambda: parsing.parse_choice(c.optimizer, "optimizer", registry.OPTIMIZERS))
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
    bad = [t for t in c.tokens if not isinstance(t, int) or not 0 <= t < c.vocab_size]
    if bad:
        raise ValueError(f"tokens: id {bad[0]} is outside the vocabulary; allowed ids are 0 to {c.vocab_size - 1}")


def _check_targets(c):
    if c.targets is None:
        return
    if len(c.targets) != c.batch or any(len(row) != c.out_dim for row in c.targets):
        shape = f"{len(c.targets)} rows of lengths {sorted({len(r) for r in c.targets})}"
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
    parsing.parse_choice(device, "device", registry.DEVICES)
    if not registry.available(device):
        usable = [d for d in registry.DEVICES if registry.available(d)]
        raise ValueError(f"device: {device} is not available on this machine; allowed here: {', '.join(usable)}")


# --- the text codec: query strings and --param key=value ------------------------------------------------------

_PARSERS = {
    "experiment": lambda v, cap: parsing.parse_int(v, "experiment", 0, 5),
    "vocab_size": lambda v, cap: parsing.parse_int(v, "vocab_size", 1, cap["vocab_size"]),
    "embed_dim": lambda v, cap: parsing.parse_int(v, "embed_dim", 1, cap["embed_dim"]),
    "out_dim": lambda v, cap: parsing.parse_int(v, "out_dim", 1, cap["out_dim"]),
    "tokens": lambda v, cap: parsing.parse_tokens(v, "tokens", cap["batch"]),
    "targets": lambda v, cap: None if str(v).strip() in ("", "default") else parsing.parse_matrix(v, "targets"),
    "embed_init": lambda v, cap: registry.format_init(registry.parse_init(v, "embed_init", registry.INIT_NAMES)),
    "fc_weight_init": lambda v, cap: registry.format_init(
        registry.parse_init(v, "fc_weight_init", registry.INIT_NAMES)
    ),
    "fc_bias": lambda v, cap: registry.format_init(registry.parse_init(v, "fc_bias", registry.BIAS_NAMES)),
    "activation": lambda v, cap: parsing.parse_choice(v, "activation", registry.ACTIVATIONS),
    "negative_slope": lambda v, cap: parsing.parse_float(v, "negative_slope", 0, 1),
    "relu_grad_at_zero": lambda v, cap: float(
        parsing.parse_choice(
            parsing.format_number(parsing.parse_float(v, "relu_grad_at_zero", 0, 1)),
            "relu_grad_at_zero",
            ("0", "0.5", "1"),
        )
    ),
    "optimizer": lambda v, cap: parsing.parse_choice(v, "optimizer", registry.OPTIMIZERS),
    "lr": lambda v, cap: parsing.parse_float(v, "lr", 0, 100, lo_open=True),
    "steps": lambda v, cap: parsing.parse_int(v, "steps", 1, cap["steps"]),
    "seed": lambda v, cap: parsing.parse_int(v, "seed", 0, 2**31 - 1),
    "device": lambda v, cap: parsing.parse_choice(v, "device", registry.DEVICES),
}
assert set(_PARSERS) == set(KEYS)


def preset(experiment: int) -> RunConfig:
    return RunConfig(experiment=experiment, **PRESET_SETTINGS.get(experiment, {}))


def parse_values(params: Mapping[str, object], ignore: tuple[str, ...] = ()) -> tuple[dict, dict[str, str]]:
    """Parse each known key on its own. Returns (values, errors); unknown keys are errors unless in `ignore`."""
    cap, values, errors = caps(), {}, {}
    for key, raw in params.items():
        if key in ignore:
            continue
        if isinstance(raw, (list, tuple)):
            raw = raw[-1] if raw else ""
        if key not in _PARSERS:
            errors[key] = f"{str(key)[:40]}: unknown setting; allowed keys: {', '.join(KEYS)}"
            continue
        try:
            values[key] = _PARSERS[key](raw, cap)
        except ValueError as exc:
            errors[key] = str(exc)
    return values, errors


def from_params(params: Mapping[str, object], ignore: tuple[str, ...] = ()) -> RunConfig:
    """The one way text becomes a RunConfig. Raises ConfigError naming every bad key."""
    values, errors = parse_values(params, ignore)
    if errors:
        raise ConfigError(errors)
    base = preset(values.pop("experiment", 0))
    try:
        return base.replace(**values)
    except ConfigError:
        raise
    except (TypeError, ValueError) as exc:  # pragma: no cover - parse_values already typed every field
        raise ConfigError({"config": f"config: {exc}"}) from None


def format_value(key: str, value) -> str:
    if key == "tokens":
        return ",".join(map(str, value))
    if key == "targets":
        return "default" if value is None else parsing.format_matrix(value)
    if isinstance(value, float):
        return parsing.format_number(value)
    return str(value)


def to_params(c: RunConfig) -> dict[str, str]:
    """Only what differs from the preset (plus the preset's number), so a link is short and exact."""
    base = preset(c.experiment)
    out = {"experiment": str(c.experiment)} if c.experiment else {}
    for key in KEYS[1:]:
        if getattr(c, key) != getattr(base, key):
            out[key] = format_value(key, getattr(c, key))
    return out
