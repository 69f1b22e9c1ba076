"""Verdicts: status and first move agree with the record on any config; the cause names the factor that was zero
in constructed cases; dead units; symmetry is reported for tied weights and only for them."""

from __future__ import annotations

import torch
from hypothesis import given, settings
from reference import configs

from explainer.config import RunConfig, preset
from explainer.engine import run
from explainer.verdicts import dead_sentence, dead_units, over_time_note, verdict, verdicts

NAME = {"E": "embed.weight", "w": "fc.weight", "b": "fc.bias"}


def first_change(r, name):
    changes = [t for t in range(len(r.steps)) if not torch.equal(r.param_at(name, t + 1), r.param_at(name, t))]
    return changes[0] if changes else None


@settings(max_examples=40, deadline=None)
@given(configs())
def test_status_and_first_move_agree_with_the_record(c):
    r = run(c)
    found = {v.symbol: v for v in verdicts(r)}
    assert set(found) == ({"E", "w", "b"} if c.has_bias else {"E", "w"})
    for symbol, v in found.items():
        first = first_change(r, NAME[symbol])
        assert v.first_move == first and v.steps == c.steps
        assert v.status == {None: "never", 0: "moves"}.get(first, "frozen_then_moves")
        assert (v.cause is None) == (v.status == "moves")
    changed = (r.final["embed.weight"] != r.steps[0].params["embed.weight"]).any(dim=1)
    assert found["E"].rows_moved == tuple(i for i in range(c.vocab_size) if changed[i])


def test_e_zero_blocks_dw_and_the_cause_says_e():
    r = run(RunConfig(embed_init="zeros", fc_bias="ones", activation="identity"))
    w = verdict(r, "w")
    assert (w.status, w.first_move) == ("frozen_then_moves", 1)
    assert "e = 0" in w.cause and "w = 0" not in w.cause
    assert "then moves at step 1" in w.sentence
    assert verdict(r, "E").status == "moves"
    # here the default targets make db's terms cancel at step 0: df is non-zero, its batch sum is not
    df = r.steps[0].grads["df"]
    assert (df != 0).any() and torch.equal(df.sum(dim=0), torch.zeros(2, dtype=torch.float64))
    b = verdict(r, "b")
    assert b.status == "frozen_then_moves" and "cancel" in b.cause


def test_w_zero_blocks_de_and_the_cause_says_w():
    r = run(RunConfig(embed_init="ones", fc_weight_init="zeros", fc_bias="none", activation="identity"))
    E = verdict(r, "E")
    assert (E.status, E.first_move) == ("frozen_then_moves", 1)
    assert "w = 0" in E.cause and "e = 0" not in E.cause
    assert verdict(r, "w").status == "moves"
    assert verdict(r, "b") is None


def test_relu_at_f_zero_blocks_everything_and_the_cause_says_relu_prime_of_0():
    r = run(preset(2))
    E, w = verdict(r, "E"), verdict(r, "w")
    assert E.status == w.status == "never" and E.first_move is None
    assert "relu'(0)" in E.cause and "f = 0" in E.cause
    assert "e = 0" in w.cause and "relu'(0)" in w.cause  # both factors of dw were zero
    assert E.rows_moved == ()


def test_r_equal_to_y_is_the_cause_when_the_error_is_zero():
    # the targets equal the bias, and e = 0, so r = f = b = y
    r = run(RunConfig(embed_init="zeros", fc_bias="custom:0.5,1", activation="identity", targets=((0.5, 1.0),) * 3))
    E = verdict(r, "E")
    assert E.status == "never" and "r = y" in E.cause


def test_dead_units_are_those_with_slope_0_for_every_sample():
    r = run(RunConfig(embed_init="zeros", fc_bias="custom:1,-1"))  # f = b: unit 0 live, unit 1 dead
    assert (r.steps[0].values["f"][:, 1] < 0).all() and (r.steps[0].values["f"][:, 0] > 0).all()
    assert dead_units(r, 0) == [1]
    assert "unit 1 " in dead_sentence(r) and "dead in every step" in dead_sentence(r)
    all_dead = run(RunConfig(embed_init="zeros", fc_bias="constant:-1", out_dim=3))
    assert all(dead_units(all_dead, t) == [0, 1, 2] for t in range(all_dead.config.steps))
    assert "units 0, 1, 2" in dead_sentence(all_dead)
    assert dead_sentence(run(RunConfig(embed_init="zeros", fc_bias="ones"))) is None


def test_leaky_relu_has_no_dead_units_unless_its_slope_is_0():
    c = RunConfig(embed_init="zeros", fc_bias="constant:-1", activation="leaky_relu")
    assert dead_units(run(c), 0) == []
    assert dead_units(run(c.replace(negative_slope=0.0)), 0) == [0, 1]


def test_tied_weights_are_reported_symmetric():
    r = run(preset(5))
    assert verdict(r, "E").symmetric and "columns of E" in verdict(r, "E").symmetric
    assert verdict(r, "w").symmetric and "single weight" in verdict(r, "w").symmetric


def randomly_initialised(c):
    return c.replace(embed_init="default", fc_weight_init="default", embed_dim=max(c.embed_dim, 2))


@settings(max_examples=20, deadline=None)
@given(configs().map(randomly_initialised))
def test_random_init_is_not_reported_symmetric(c):
    r = run(c)
    for v in verdicts(r):
        assert v.symmetric is None, v


@settings(max_examples=30, deadline=None)
@given(configs())
def test_over_time_note_gives_each_first_move_and_its_size(c):
    r = run(c)
    note = over_time_note(r, verdicts(r))
    assert "changes between the points k and k + 1" in note
    params = [s for s in NAME if NAME[s] in r.final]
    still = []
    for symbol in params:
        t = first_change(r, NAME[symbol])
        if t is None:
            still.append(symbol)
            continue
        size = float((r.param_at(NAME[symbol], t + 1) - r.param_at(NAME[symbol], t)).abs().max())
        assert f"{symbol} at step {t} (its most-moved entry changes by {size:.2g})" in note, note
    if still:
        assert f"{' and '.join(still)} never move" in note, note
    else:
        assert "never" not in note, note
