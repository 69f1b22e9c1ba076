"""RunConfig: the text codec round-trips, every bad input is a ConfigError naming its key, caps are checked
before anything is allocated, and GFL_MAX_* raise the caps."""

from __future__ import annotations

import tracemalloc
from urllib.parse import parse_qs, urlencode

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import configs

from explainer.config import DEFAULT_CAPS, KEYS, ConfigError, RunConfig, from_params, parse_values, preset, to_params
from explainer.experiments import PRESET_SETTINGS

BIG = {"vocab_size": "1000", "embed_dim": "64", "out_dim": "64", "tokens": ",".join(["1"] * 64)}
HUGE_TOKENS = "1," * 1_000_000  # 2 MB of text, built once, outside the measured calls


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 5).flatmap(lambda n: configs(experiment=n, device="auto")))
def test_to_params_then_from_params_is_the_identity(c):
    params = to_params(c)
    assert all(isinstance(v, str) for v in params.values())
    assert from_params(params) == c
    # and through a share link's query string
    assert from_params(parse_qs(urlencode(params), keep_blank_values=True)) == c


@pytest.mark.parametrize("n", range(6))
def test_a_preset_link_is_just_its_number(n):
    assert to_params(preset(n)) == ({"experiment": str(n)} if n else {})
    assert from_params({"experiment": str(n)}) == preset(n)
    for key, value in PRESET_SETTINGS.get(n, {}).items():
        assert getattr(preset(n), key) == value


def test_other_keys_override_the_preset():
    c = from_params({"experiment": "2", "lr": "0.5", "tokens": "0, 2,2"})
    assert c == preset(2).replace(lr=0.5, tokens=(0, 2, 2))
    assert to_params(c) == {"experiment": "2", "lr": "0.5", "tokens": "0,2,2"}


def test_equal_settings_give_equal_configs():
    assert RunConfig(embed_init="constant:1.0") == RunConfig(embed_init="constant:1")
    assert RunConfig(embed_init="Normal:0.50").embed_init == "normal:0.5"
    c = RunConfig(lr=1, steps=np.int64(3), tokens=(np.int64(1), 2), targets=((1, 2), (3, 4)))
    assert type(c.lr) is float and type(c.steps) is int and all(type(t) is int for t in c.tokens)
    assert all(type(v) is float for row in c.targets for v in row)
    assert hash(c) == hash(RunConfig(lr=1.0, steps=3, tokens=(1, 2), targets=((1.0, 2.0), (3.0, 4.0))))


BAD_TEXT = [
    ("foo", {"foo": "1"}),
    ("vocab_size", {"vocab_size": "six"}),
    ("lr", {"lr": "fast"}),
    ("tokens", {"tokens": "a,b"}),
    ("tokens", {"tokens": "1,²"}),
    ("steps", {"steps": "2.5"}),
    ("seed", {"seed": "1.5"}),
    ("vocab_size", {"vocab_size": "0"}),
    ("vocab_size", {"vocab_size": "1001"}),
    ("embed_dim", {"embed_dim": "65"}),
    ("out_dim", {"out_dim": "0"}),
    ("steps", {"steps": "201"}),
    ("lr", {"lr": "0"}),
    ("lr", {"lr": "101"}),
    ("negative_slope", {"negative_slope": "1.5"}),
    ("experiment", {"experiment": "6"}),
    ("seed", {"seed": str(2**31)}),
    ("vocab_size", {"vocab_size": "-1"}),
    ("lr", {"lr": "-0.1"}),
    ("seed", {"seed": "-1"}),
    ("tokens", {"tokens": "-1"}),
    ("negative_slope", {"negative_slope": "-0.1"}),
    ("embed_init", {"embed_init": "normal:-1"}),
    ("lr", {"lr": "nan"}),
    ("negative_slope", {"negative_slope": "NaN"}),
    ("relu_grad_at_zero", {"relu_grad_at_zero": "nan"}),
    ("targets", {"targets": "nan,1;1,1;1,1"}),
    ("fc_bias", {"fc_bias": "constant:nan"}),
    ("lr", {"lr": "inf"}),
    ("lr", {"lr": "-inf"}),
    ("targets", {"targets": "inf,1;1,1;1,1"}),
    ("embed_init", {"embed_init": "uniform:inf"}),
    ("steps", {"steps": "1e400"}),
    ("tokens", {"tokens": "1,6"}),
    ("tokens", {"vocab_size": "3", "tokens": "1,4,1"}),
    ("targets", {"targets": "1,2;3"}),
    ("targets", {"targets": "1,2;3,4"}),
    ("targets", {"targets": "1,2,3;1,2,3;1,2,3"}),
    ("embed_init", {"embed_init": "glorot"}),
    ("embed_init", {"embed_init": "none"}),
    ("fc_weight_init", {"fc_weight_init": "none"}),
    ("embed_init", {"embed_init": "constant"}),
    ("embed_init", {"embed_init": "zeros:1"}),
    ("embed_init", {"embed_init": "custom:1,2;3,4"}),
    ("fc_bias", {"fc_bias": "custom:1,2,3"}),
    ("activation", {"activation": "gelu"}),
    ("optimizer", {"optimizer": "rmsprop"}),
    ("relu_grad_at_zero", {"relu_grad_at_zero": "0.3"}),
    ("device", {"device": "tpu"}),
    ("tokens", {"tokens": "1," * 20_000}),
    ("embed_init", {"embed_init": "custom:" + "1," * 20_000}),
    ("activation", {"activation": "relu" * 10**6}),
    ("tokens", {"tokens": ",".join(["1"] * (DEFAULT_CAPS["batch"] + 1))}),
    ("steps", {**BIG, "steps": "200"}),  # each size within its cap, but the record would be too big
]


@pytest.mark.parametrize("key, params", BAD_TEXT, ids=[f"{i}-{k}" for i, (k, _) in enumerate(BAD_TEXT)])
def test_bad_text_is_a_config_error_naming_the_key(key, params):
    with pytest.raises(ConfigError) as info:
        from_params(params)
    assert set(info.value.errors) == {key}
    assert str(info.value).startswith(f"{key}:")
    assert len(str(info.value)) < 400  # a huge value is never echoed back whole


def test_unknown_keys_are_named_even_when_huge_and_ignore_skips_them():
    with pytest.raises(ConfigError, match=r"^x{40}: unknown setting") as info:
        from_params({"x" * 10**5: "1"})
    assert len(str(info.value)) < 400
    assert from_params({"page": "2", "lr": "0.5"}, ignore=("page",)) == RunConfig(lr=0.5)
    values, errors = parse_values({"lr": "0.5", "steps": "x", "bogus": "1"})
    assert values == {"lr": 0.5} and set(errors) == {"steps", "bogus"}


BAD_VALUES = [
    ("vocab_size", {"vocab_size": "6"}),
    ("vocab_size", {"vocab_size": True}),
    ("steps", {"steps": 2.0}),
    ("lr", {"lr": "0.1"}),
    ("lr", {"lr": float("nan")}),
    ("negative_slope", {"negative_slope": float("inf")}),
    ("relu_grad_at_zero", {"relu_grad_at_zero": True}),
    ("relu_grad_at_zero", {"relu_grad_at_zero": 0.3}),
    ("tokens", {"tokens": [1, 2]}),
    ("tokens", {"tokens": (1.0,)}),
    ("tokens", {"tokens": ()}),
    ("tokens", {"tokens": (6,)}),
    ("targets", {"targets": "abc"}),
    ("targets", {"targets": ((1, 2),)}),
    ("embed_init", {"embed_init": 5}),
    ("activation", {"activation": "RELU"}),
    ("optimizer", {"optimizer": "SGD"}),
    ("device", {"device": None}),
    ("vocab_size", {"vocab_size": 10**12}),
    ("vocab_size", {"vocab_size": 10**5000}),
]


@pytest.mark.parametrize("key, kw", BAD_VALUES, ids=[f"{i}-{k}" for i, (k, _) in enumerate(BAD_VALUES)])
def test_bad_values_built_directly_are_config_errors_naming_the_key(key, kw):
    with pytest.raises(ConfigError) as info:
        RunConfig(**kw)
    assert set(info.value.errors) == {key}
    assert str(info.value).startswith(f"{key}:")


@pytest.mark.parametrize(
    "build",
    [
        lambda: RunConfig(vocab_size=10**12),
        lambda: from_params({"vocab_size": str(10**12), "embed_dim": str(10**12)}),
        lambda: from_params({**BIG, "steps": "200"}),
        lambda: RunConfig(vocab_size=1000, embed_dim=64, out_dim=64, tokens=(1,) * 64, steps=200),
        lambda: from_params({"tokens": HUGE_TOKENS}),  # rejected before it is split into a million ids
    ],
)
def test_caps_are_checked_before_anything_big_is_allocated(build):
    tracemalloc.start()  # memory, not time, is what shows nothing big was built (timing is for bench/)
    try:
        with pytest.raises(ConfigError):
            build()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000


def test_env_vars_raise_and_lower_the_caps(monkeypatch):
    with pytest.raises(ConfigError, match="vocab_size"):
        RunConfig(vocab_size=2000)
    monkeypatch.setenv("GFL_MAX_VOCAB_SIZE", "5000")
    assert RunConfig(vocab_size=2000, tokens=(1999,)).vocab_size == 2000
    assert from_params({"vocab_size": "2000"}).vocab_size == 2000
    monkeypatch.setenv("GFL_MAX_RECORD_NUMBERS", "100000000")
    assert from_params({**BIG, "steps": "200"}).steps == 200
    monkeypatch.setenv("GFL_MAX_STEPS", "3")
    with pytest.raises(ConfigError, match="steps"):
        RunConfig()  # the default 5 steps are now too many
    monkeypatch.setenv("GFL_MAX_BATCH", "2")
    with pytest.raises(ConfigError, match="tokens"):
        from_params({"steps": "2"})  # the default batch holds 3 tokens


@pytest.mark.parametrize("raw", ["abc", "-5", "0", "²", "", " "])
def test_garbage_caps_fall_back_to_the_defaults(monkeypatch, raw):
    monkeypatch.setenv("GFL_MAX_VOCAB_SIZE", raw)
    assert RunConfig(vocab_size=DEFAULT_CAPS["vocab_size"]).vocab_size == DEFAULT_CAPS["vocab_size"]
    with pytest.raises(ConfigError):
        RunConfig(vocab_size=DEFAULT_CAPS["vocab_size"] + 1)


def test_keys_are_the_documented_contract():
    documented = "experiment vocab_size embed_dim out_dim tokens targets embed_init fc_weight_init fc_bias "
    documented += "activation negative_slope relu_grad_at_zero optimizer lr steps seed device"
    assert KEYS == tuple(documented.split())


@pytest.mark.parametrize(
    "text, got",
    [("1,2", "got 1 row of 2 numbers"), ("1;2;3", "got 3 rows of 1 number"), ("1,2;3,4;5,6;7,8", "got 4 rows of 2")],
)
def test_targets_of_the_wrong_shape_say_what_was_given(text, got):
    with pytest.raises(ConfigError) as err:
        from_params({"targets": text})  # the default run: 3 tokens, 2 fc units
    msg = err.value.errors["targets"]
    assert msg.startswith("targets: need 3 rows (one per token) of 2 numbers (one per fc unit)"), msg
    assert msg.endswith(got) or f"{got} numbers" in msg, msg
