"""Equations with live numbers: each shows the record's own value for the chosen step and sample, and its
zero / non-zero mark agrees with that value."""

from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import configs

from explainer.config import RunConfig, preset
from explainer.engine import run
from explainer.equations import NONZERO_COLOR, ZERO_COLOR, equations, latex, plain

PER_SAMPLE = {"e", "f", "r", "dr", "df", "dx"}


def expected(r, t: int, i: int, name: str) -> torch.Tensor:
    s = r.steps[t]
    both = {**s.values, **s.grads}
    if name in PER_SAMPLE:
        return both[name][i]
    if name == "de":
        return both["de"][int(r.x[i])]  # the row of de that sample i's token looks up
    return both[name]  # l, dw, db: batch-wide


@settings(max_examples=30, deadline=None)
@given(configs(), st.data())
def test_each_equation_shows_the_records_value_and_marks_zero_correctly(c, data):
    r = run(c)
    t = data.draw(st.integers(0, len(r.steps) - 1))
    i = data.draw(st.integers(0, c.batch - 1))
    eqs = equations(r, t, i)
    names = ["e", "f", "r", "l", "dr", "df", "dw", *(["db"] if c.has_bias else []), "dx", "de"]
    assert [eq.name for eq in eqs] == names
    for eq in eqs:
        want = expected(r, t, i, eq.name)
        assert torch.equal(eq.value, want), eq.name
        assert eq.zero == bool((want == 0).all()), eq.name
        assert (ZERO_COLOR in latex(eq)) == eq.zero and (NONZERO_COLOR in latex(eq)) != eq.zero
        assert plain(eq).startswith(f"{eq.name} = ") and plain(eq).endswith("(zero)" if eq.zero else "(non-zero)")


def test_experiment_2_marks_the_blocked_gradients_zero():
    zero = {eq.name: eq.zero for eq in equations(run(preset(2)), 0, 0)}
    assert zero == {
        "e": True,
        "f": True,
        "r": True,
        "l": False,
        "dr": False,
        "df": True,
        "dw": True,
        "dx": True,
        "de": True,
    }


def test_the_numbers_are_substituted_into_f():
    c = RunConfig(
        vocab_size=2,
        tokens=(1,),
        embed_dim=2,
        out_dim=1,
        embed_init="custom:0,0;2,3",
        fc_weight_init="custom:5,7",
        fc_bias="custom:0.5",
    )
    f = next(eq for eq in equations(run(c), 0, 0) if eq.name == "f")
    assert f.value.tolist() == [2 * 5 + 3 * 7 + 0.5]
    assert "31.5" in f.result and "5 & 7" in f.numbers and "0.5" in f.numbers


def test_a_step_without_gradients_shows_only_the_forward():
    r = run(RunConfig(lr=100, embed_init="constant:1000", fc_weight_init="constant:1000", steps=50))
    last = len(r.steps) - 1
    assert not r.steps[last].grads
    assert [eq.name for eq in equations(r, last, 0)] == ["e", "f", "r", "l"]
