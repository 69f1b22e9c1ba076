"""RunConfig: one frozen value that fully describes a run, and the one validation path for every way a config
arrives (share-link query strings, CLI --param flags, sandbox widgets).

`from_params({"experiment": "2", "lr": "0.5"})` starts from the preset and overrides it; `to_params(config)` writes
back only the keys that differ from that preset, so links stay short and round-trip exactly. validation.py checks
every field against the caps before any tensor exists. Not here: the math (engine.py) and the presets' teaching
text (experiments.py holds that, and the preset settings this module reads).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass

from explainer import parsing, registry
from explainer.experiments import PRESET_SETTINGS
from explainer.validation import DEFAULT_CAPS, ConfigError, canonical, caps, check, record_numbers

__all__ = ["DEFAULT_CAPS", "KEYS", "ConfigError", "RunConfig", "caps", "check", "default_targets", "from_params"]
__all__ += ["format_value", "parse_values", "preset", "record_numbers", "to_params"]


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
        for key, value in canonical(self).items():  # so equal settings give equal configs (and cache keys)
            object.__setattr__(self, key, value)

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


@functools.cache  # pure, and read on every access to RunConfig.y
def default_targets(batch: int, out_dim: int) -> tuple[tuple[float, ...], ...]:
    """Non-zero, varied targets (0.5, 1 or 1.5), so every unit has an error to learn from."""
    return tuple(tuple(0.5 + 0.5 * ((i + j) % 3) for j in range(out_dim)) for i in range(batch))


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
