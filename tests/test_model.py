"""The model: relu's slope at exactly 0 under each convention, and inits equal to PyTorch's own."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from explainer.config import RunConfig
from explainer.engine import run
from explainer.model import ReluAtZero, TinyNet

F_POINTS = [-2.0, -1e-300, 0.0, 0.0, 1e-300, 3.0]  # both sides of 0, and 0 itself (twice)


def slope_of(fn) -> torch.Tensor:
    f = torch.tensor(F_POINTS, dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(fn(f).sum(), f)
    return grad


def expected_slope(at_zero: float) -> torch.Tensor:
    return torch.tensor([0, 0, at_zero, at_zero, 1, 1], dtype=torch.float64)


def test_torch_relu_has_slope_0_at_0():
    assert torch.equal(slope_of(torch.relu), expected_slope(0.0))
    assert torch.equal(slope_of(nn.ReLU()), expected_slope(0.0))


def test_clamp_min_0_has_slope_1_at_0():
    assert torch.equal(slope_of(lambda f: f.clamp(min=0)), expected_slope(1.0))


def test_torch_maximum_with_zeros_has_slope_half_at_0():
    assert torch.equal(slope_of(lambda f: torch.maximum(f, torch.zeros_like(f))), expected_slope(0.5))


@pytest.mark.parametrize(
    "at_zero, torch_fn",
    [
        (0.0, torch.relu),
        (1.0, lambda f: f.clamp(min=0)),
        (0.5, lambda f: torch.maximum(f, torch.zeros_like(f))),
    ],
)
def test_relu_at_zero_matches_the_torch_function_with_that_slope(at_zero, torch_fn):
    assert torch.equal(slope_of(lambda f: ReluAtZero.apply(f, at_zero)), slope_of(torch_fn))
    f = torch.tensor(F_POINTS, dtype=torch.float64)
    assert torch.equal(ReluAtZero.apply(f, at_zero), torch_fn(f))
    # and the network uses it: TinyNet.act with this config's relu'(0)
    net = TinyNet(RunConfig(relu_grad_at_zero=at_zero))
    assert torch.equal(slope_of(net.act), slope_of(torch_fn))


def test_leaky_relu_takes_the_slope_branch_at_0():
    net = TinyNet(RunConfig(activation="leaky_relu", negative_slope=0.25))
    assert torch.equal(slope_of(net.act), torch.tensor([0.25, 0.25, 0.25, 0.25, 1, 1], dtype=torch.float64))


def pytorch_layers(seed: int, V: int, D: int, O: int, bias: bool):
    with torch.random.fork_rng():  # the test may use the global RNG; the engine never does
        torch.manual_seed(seed)
        embed = nn.Embedding(V, D, dtype=torch.float64)
        fc = nn.Linear(D, O, bias=bias, dtype=torch.float64)
    return embed, fc


@pytest.mark.parametrize("seed", [0, 1, 3, 12345, 2**31 - 1])
@pytest.mark.parametrize("V, D, O", [(6, 3, 2), (1, 1, 1), (8, 4, 3), (50, 16, 7)])
@pytest.mark.parametrize("bias", ["default", "none"])
def test_default_init_equals_pytorchs(seed, V, D, O, bias):
    tokens = (0,) * 2
    c = RunConfig(vocab_size=V, embed_dim=D, out_dim=O, tokens=tokens, fc_bias=bias, seed=seed, steps=1)
    params = run(c).steps[0].params
    embed, fc = pytorch_layers(seed, V, D, O, bias != "none")
    assert torch.equal(params["embed.weight"], embed.weight.detach())
    assert torch.equal(params["fc.weight"], fc.weight.detach())
    if bias == "none":
        assert "fc.bias" not in params and fc.bias is None
    else:
        assert torch.equal(params["fc.bias"], fc.bias.detach())


def test_a_seed_draws_the_same_fc_whatever_the_embedding_init():
    # as in a script that builds both layers, then zeroes the embedding
    a = run(RunConfig(seed=7, steps=1)).steps[0].params
    b = run(RunConfig(seed=7, steps=1, embed_init="zeros")).steps[0].params
    assert torch.equal(a["fc.weight"], b["fc.weight"]) and torch.equal(a["fc.bias"], b["fc.bias"])
    assert not torch.equal(a["embed.weight"], b["embed.weight"])


def step0(**kw) -> dict[str, torch.Tensor]:
    return run(RunConfig(steps=1, **kw)).steps[0].params


def test_named_inits_fill_what_they_say():
    p = step0(embed_init="zeros", fc_weight_init="ones", fc_bias="constant:-0.25")
    assert torch.equal(p["embed.weight"], torch.zeros(6, 3, dtype=torch.float64))
    assert torch.equal(p["fc.weight"], torch.ones(2, 3, dtype=torch.float64))
    assert torch.equal(p["fc.bias"], torch.full((2,), -0.25, dtype=torch.float64))


def test_custom_init_places_each_value():
    p = step0(vocab_size=2, tokens=(0, 1), embed_init="custom:1,2,3;4,5,6", fc_weight_init="custom:7,8,9;10,11,12")
    assert p["embed.weight"].tolist() == [[1, 2, 3], [4, 5, 6]]
    assert p["fc.weight"].tolist() == [[7, 8, 9], [10, 11, 12]]
    assert step0(fc_bias="custom:1,2")["fc.bias"].tolist() == [1, 2]
    assert step0(fc_bias="custom:1;2")["fc.bias"].tolist() == [1, 2]  # a column is accepted too


def test_random_inits_respect_their_scale():
    p = step0(vocab_size=1000, tokens=(0,), embed_init="uniform:0.3", fc_weight_init="normal:0")
    E = p["embed.weight"]
    assert E.abs().max() <= 0.3 and E.abs().max() > 0.29 and len(E.unique()) > 900
    assert torch.equal(p["fc.weight"], torch.zeros(2, 3, dtype=torch.float64))
    std = step0(vocab_size=1000, tokens=(0,), embed_dim=64, embed_init="normal:2")["embed.weight"].std()
    assert 1.95 < float(std) < 2.05  # 64,000 draws: the sample std is within 1% of 2 with overwhelming odds
