"""The five presets' claims, checked here straight from the record (parameters and gradients), and then
claims.claims(run): every claim holds on each preset and some fail on each preset's what-if."""

from __future__ import annotations

import pytest
import torch

from explainer import claims, experiments
from explainer.config import preset
from explainer.engine import run

E, W, B = "embed.weight", "fc.weight", "fc.bias"


def moved(r, name: str) -> list[bool]:
    """For each step, whether that step's update changed the parameter."""
    return [not torch.equal(r.param_at(name, t + 1), r.param_at(name, t)) for t in range(len(r.steps))]


def zero(r, grad: str, t: int = 0) -> bool:
    return bool((r.steps[t].grads[grad] == 0).all())


def never_moves(r, name: str) -> bool:
    return all(torch.equal(r.param_at(name, t), r.param_at(name, 0)) for t in range(len(r.steps) + 1))


def test_exp1_a_positive_bias_lets_de_and_db_through_and_w_waits_one_step():
    r = run(preset(1))
    assert (r.steps[0].params[B] > 0).any()
    assert zero(r, "dw") and not zero(r, "db") and not zero(r, "de")
    assert moved(r, W)[:2] == [False, True]
    assert moved(r, E)[0] and moved(r, B)[0]


def test_exp1_dead_seed_every_bias_at_or_below_zero_and_nothing_moves():
    r = run(preset(1).replace(seed=experiments.DEAD_SEED))
    assert (r.steps[0].params[B] <= 0).all()
    assert never_moves(r, E) and never_moves(r, W) and never_moves(r, B)


def test_exp2_no_bias_and_relu_blocks_everything():
    r = run(preset(2))
    assert B not in r.final
    assert never_moves(r, E) and never_moves(r, W)


def test_exp2_with_relu_slope_1_at_zero_de_flows_but_dw_does_not():
    r = run(preset(2).replace(relu_grad_at_zero=1.0))
    assert not zero(r, "de") and zero(r, "dw")


def test_exp3_leaky_relu_rescues_e_and_w_follows_a_step_later():
    r = run(preset(3))
    assert not zero(r, "de") and zero(r, "dw")
    assert moved(r, W)[:2] == [False, True]


def test_exp4_two_zeros_block_each_other():
    r = run(preset(4))
    assert never_moves(r, E) and never_moves(r, W)


def test_exp5_ones_move_but_stay_symmetric():
    r = run(preset(5))
    assert moved(r, E)[0] and moved(r, W)[0]
    for t in range(len(r.steps) + 1):
        Et, wt = r.param_at(E, t), r.param_at(W, t)
        assert all(torch.equal(Et[:, j], Et[:, 0]) for j in range(Et.shape[1])), t
        assert all(torch.equal(wt[:, j], wt[:, 0]) for j in range(wt.shape[1])), t
    assert not torch.equal(r.final[E], r.steps[0].params[E])  # it did learn, just as one weight


@pytest.mark.parametrize("n", range(1, 6))
def test_every_claim_holds_on_its_preset(n):
    found = claims.claims(run(preset(n)))
    assert found and all(c.holds for c in found), [c.statement for c in found if not c.holds]
    assert claims.all_hold(run(preset(n)))


def expected_claims(r) -> list[bool]:
    """Each preset's claims, in claims.py's order, worked out here from the record."""
    n = r.config.experiment
    if n == 1:
        bias = r.steps[0].params.get(B)
        w = moved(r, W)
        live = bias is not None and bool((bias > 0).any())
        return [live, zero(r, "dw"), not zero(r, "db"), not zero(r, "de"), w[:2] == [False, True]]
    if n == 2:
        other = run(r.config.replace(relu_grad_at_zero=1.0))
        return [never_moves(r, E), never_moves(r, W), not zero(other, "de"), zero(other, "dw")]
    if n == 3:
        return [not zero(r, "de"), zero(r, "dw"), moved(r, W)[:2] == [False, True]]
    if n == 4:
        return [never_moves(r, E), never_moves(r, W)]
    ts = range(len(r.steps) + 1)
    tied = lambda name, t: all(torch.equal(c, r.param_at(name, t)[:, 0]) for c in r.param_at(name, t).T)
    return [moved(r, E)[0] and moved(r, W)[0], all(tied(E, t) for t in ts), all(tied(W, t) for t in ts)]


VARIANTS = {
    1: [{}, {"seed": experiments.DEAD_SEED}, {"embed_init": "ones"}, {"fc_bias": "constant:-1"}],
    2: [
        {},
        {"relu_grad_at_zero": 1.0},
        {"embed_init": "ones"},
        {"fc_weight_init": "zeros"},
        {"embed_init": "ones", "fc_weight_init": "custom:1,-1,0;2,-2,0"},  # e != 0 yet f = w·e = 0 exactly
    ],
    3: [{}, {"activation": "relu"}, {"embed_init": "ones"}],
    4: [{}, {"fc_weight_init": "default"}],
    5: [{}, {"embed_init": "default", "fc_weight_init": "default"}, {"fc_weight_init": "zeros"}],
}


@pytest.mark.parametrize("n", range(1, 6))
def test_each_claim_agrees_with_the_record_and_can_fail(n):
    seen = []
    for change in VARIANTS[n]:
        r = run(preset(n).replace(**change))
        got = [c.holds for c in claims.claims(r)]
        assert got == expected_claims(r), change
        seen.append(got)
    # across the variants every claim both holds and fails at least once, so each comparison above has teeth
    assert all(len(set(column)) == 2 for column in zip(*seen, strict=True)), seen


@pytest.mark.parametrize("n", range(1, 6))
def test_some_claim_fails_on_the_what_if(n):
    r = run(preset(n).replace(**experiments.EXPERIMENTS[n].what_if))
    assert any(not c.holds for c in claims.claims(r))
    assert not claims.all_hold(r)


def test_no_preset_no_claims():
    assert claims.claims(run(preset(0))) == []
