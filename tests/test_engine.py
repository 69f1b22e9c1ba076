"""engine.run against an independent plain-torch forward and torch.autograd.grad, and the record's invariants:
each update is the optimizer's step on the recorded gradient, step t+1 starts where step t ended, de is zero off
the looked-up rows, the same config gives the same record, and the global RNG is never touched."""

from __future__ import annotations

import math
import re

import pytest
import torch
from hypothesis import given, settings
from reference import TOL, configs, forward_backward, max_gap

from explainer import by_hand, verdicts
from explainer.config import RunConfig, preset
from explainer.engine import GRADS, PARAMS, VALUES, _finite, _gap, run
from explainer.equations import equations
from explainer.tables import long_table

SETTINGS = settings(max_examples=40, deadline=None)
GRAD_OF = {"embed.weight": "de", "fc.weight": "dw", "fc.bias": "db"}
OPTIMIZERS = {
    "sgd": lambda ps, lr: torch.optim.SGD(ps, lr=lr),
    "momentum": lambda ps, lr: torch.optim.SGD(ps, lr=lr, momentum=0.9),
    "adam": lambda ps, lr: torch.optim.Adam(ps, lr=lr),
}


def xy(c: RunConfig):
    return torch.tensor(c.tokens), torch.tensor(c.y, dtype=torch.float64)


@SETTINGS
@given(configs())
def test_values_and_gradients_match_autograd_and_by_hand(c):
    r = run(c)
    x, y = xy(c)
    assert r.diverged is None
    assert torch.equal(r.x, x) and torch.equal(r.y, y)
    assert r.max_diff <= TOL
    for s in r.steps:
        values, grads = forward_backward(c, s.params, x, y)
        assert set(s.values) == set(VALUES)
        assert set(s.grads) == set(GRADS) - (set() if c.has_bias else {"db"})
        for name, v in values.items():
            assert max_gap(s.values[name], v) <= TOL, name
        for name, g in grads.items():
            assert max_gap(s.grads[name], g) <= TOL, name
        hand = by_hand.backward(
            x,
            y,
            values["e"],
            values["f"],
            values["r"],
            s.params["fc.weight"],
            activation=c.activation,
            negative_slope=c.negative_slope,
            relu_grad_at_zero=c.relu_grad_at_zero,
            vocab_size=c.vocab_size,
            has_bias=c.has_bias,
        )
        assert set(hand) == set(grads)
        for name, g in grads.items():
            assert max_gap(hand[name], g) <= TOL, name


@SETTINGS
@given(configs())
def test_each_update_is_the_optimizers_step_on_the_recorded_gradient(c):
    r = run(c)
    live = {k: v.clone().requires_grad_(True) for k, v in r.steps[0].params.items()}
    assert set(live) == set(PARAMS) - (set() if c.has_bias else {"fc.bias"})
    opt = OPTIMIZERS[c.optimizer](list(live.values()), c.lr)
    for t, s in enumerate(r.steps):
        for name, p in live.items():
            assert torch.equal(s.params[name], p.detach()), (t, name)  # step t starts where step t-1 ended
            assert torch.equal(r.param_at(name, t), p.detach())
            p.grad = s.grads[GRAD_OF[name]].clone()
        opt.step()
    for name, p in live.items():
        assert torch.equal(r.final[name], p.detach())
        assert torch.equal(r.param_at(name, len(r.steps)), r.final[name])


@SETTINGS
@given(configs().filter(lambda c: c.optimizer == "sgd"))
def test_sgd_update_is_param_minus_lr_times_grad(c):
    r = run(c)
    for t, s in enumerate(r.steps):
        for name, grad in GRAD_OF.items():
            if name in s.params:
                expected = s.params[name] - c.lr * s.grads[grad]
                assert max_gap(r.param_at(name, t + 1), expected) <= TOL, (t, name)


@SETTINGS
@given(configs())
def test_de_is_exactly_zero_off_the_looked_up_rows(c):
    r = run(c)
    unused = [v for v in range(c.vocab_size) if v not in c.tokens]
    for s in r.steps:
        assert s.grads["de"].shape == (c.vocab_size, c.embed_dim)
        assert torch.equal(s.grads["de"][unused], torch.zeros(len(unused), c.embed_dim, dtype=torch.float64))
    # so those rows of E never change, whatever the optimizer
    assert torch.equal(r.final["embed.weight"][unused], r.steps[0].params["embed.weight"][unused])


def assert_same_record(a, b):
    assert a.config == b.config and a.diverged == b.diverged and a.device == b.device
    assert torch.equal(a.x, b.x) and torch.equal(a.y, b.y)
    assert len(a.steps) == len(b.steps)
    for s, u in zip(a.steps, b.steps, strict=True):
        for part in ("params", "values", "grads"):
            da, db = getattr(s, part), getattr(u, part)
            assert da.keys() == db.keys()
            assert all(torch.equal(da[k], db[k]) for k in da), part
    assert a.final.keys() == b.final.keys() and all(torch.equal(a.final[k], b.final[k]) for k in a.final)


@settings(max_examples=20, deadline=None)
@given(configs())
def test_same_config_same_record_whatever_the_global_seed(c):
    torch.manual_seed(1)
    a = run(c)
    torch.manual_seed(2)
    assert_same_record(a, run(c))


@settings(max_examples=20, deadline=None)
@given(configs())
def test_run_leaves_the_global_rng_untouched(c):
    before = torch.get_rng_state()
    run(c)
    assert torch.equal(torch.get_rng_state(), before)


@pytest.mark.parametrize("n", range(6))
def test_record_is_float64_on_the_cpu_and_not_by_reference(n):
    r = run(preset(n))
    tensors = [*r.final.values()] + [v for s in r.steps for d in (s.params, s.values, s.grads) for v in d.values()]
    assert all(t.device.type == "cpu" and t.dtype == torch.float64 for t in tensors)
    storages = [t.untyped_storage().data_ptr() for t in tensors]
    assert len(set(storages)) == len(storages)  # every snapshot owns its memory


DIVERGING = [
    RunConfig(lr=100, embed_init="constant:1000", fc_weight_init="constant:1000", steps=50),
    RunConfig(lr=100, embed_init="constant:1e6", fc_weight_init="constant:1e6", activation="identity", steps=50),
    RunConfig(lr=100, embed_init="constant:1000", fc_weight_init="constant:1000", optimizer="momentum", steps=50),
]


@pytest.mark.parametrize("c", DIVERGING, ids=["relu", "identity-f-overflows", "momentum"])
def test_huge_lr_stops_with_a_note_naming_the_step_and_no_exception(c):
    r = run(c)
    assert r.diverged is not None
    t = int(re.match(r"step (\d+)\b", r.diverged).group(1))
    assert len(r.steps) == t + 1 < c.steps  # stopped at the step it names

    def finite(step_index):
        s = r.steps[step_index]
        after = [r.param_at(k, step_index + 1) for k in s.params]
        return all(torch.isfinite(v).all() for v in [*s.values.values(), *s.grads.values(), *after])

    assert not finite(t)
    assert all(finite(k) for k in range(t))  # and it is the first such step
    # everything downstream copes with the cut-short record
    assert verdicts.verdicts(r) and len(long_table(r)) > 0
    assert equations(r, t, 0)


def test_the_finiteness_check_is_exact():
    big = torch.tensor([1e308, 1e308], dtype=torch.float64)  # finite, though its sum overflows
    assert _finite(big, torch.zeros(3, dtype=torch.float64))
    for bad in (float("inf"), -float("inf"), float("nan")):
        assert not _finite(torch.zeros(3, dtype=torch.float64), torch.tensor([0.0, bad], dtype=torch.float64))
    assert not _finite(torch.tensor([float("inf"), -float("inf")], dtype=torch.float64))  # sums to NaN, still caught


def test_the_gap_is_the_largest_absolute_difference_and_keeps_nan():
    hand = {"a": torch.tensor([1.0, -2.0]), "b": torch.tensor([[0.5]])}
    auto = {"a": torch.tensor([1.5, 1.0]), "b": torch.tensor([[0.25]])}
    assert _gap({k: v.clone() for k, v in hand.items()}, auto) == 3.0
    assert math.isnan(_gap({"a": torch.tensor([float("nan"), 9.0])}, {"a": torch.tensor([0.0, 0.0])}))
