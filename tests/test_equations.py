"""Equations with live numbers: each shows the record's own value for the chosen step and sample, and its
zero / non-zero mark agrees with that value."""

from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import configs

from explainer.config import RunConfig, preset
from explainer.engine import run
from explainer.equations import (
    EQUATION_GAP,
    NONZERO_COLOR,
    ZERO_COLOR,
    equations,
    latex,
    latex_block,
    plain,
    split,
)

PER_SAMPLE = {"e", "f", "r", "dr", "df", "dx"}


def expected(r, t: int, i: int, name: str) -> torch.Tensor:
    s = r.steps[t]
    both = {**s.values, **s.grads}
    if name in PER_SAMPLE:
        return both[name][i]
    if name == "de":
        return both["de"][int(r.x[i])]  # the row of de that sample i's token looks up
    return both[name]  # l, dw, db: batch-wide


def drawn(c, data):
    """A run of c, a step and a sample drawn from it, and the equations shown for them."""
    r = run(c)
    t = data.draw(st.integers(0, len(r.steps) - 1))
    i = data.draw(st.integers(0, c.batch - 1))
    return r, t, i, equations(r, t, i)


@settings(max_examples=30, deadline=None)
@given(configs(), st.data())
def test_each_equation_shows_the_records_value_and_marks_zero_correctly(c, data):
    r, t, i, eqs = drawn(c, data)
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


@settings(max_examples=30, deadline=None)
@given(configs(), st.data())
def test_a_block_holds_each_equation_once_aligned_with_its_own_badge(c, data):
    r, t, i, eqs = drawn(c, data)
    forward, backward = split(eqs)
    assert [eq.name for eq in forward] == ["e", "f", "r", "l"]
    assert forward + backward == eqs
    assert latex_block([]) == ""
    for part in (forward, backward):
        if not part:
            continue
        block = latex_block(part)
        assert block.startswith(r"\begin{aligned}") and block.endswith(r"\end{aligned}")
        rows = block.removeprefix(r"\begin{aligned}").removesuffix(r"\end{aligned}").split(EQUATION_GAP)
        assert len(rows) == len(part)
        for row, eq in zip(rows, part, strict=True):
            row = row.strip()
            assert row.startswith(eq.rule + " &= "), row  # aligned on the '=' after the rule
            result_row = row.rsplit(r" \\ ", 1)[-1] if eq.numbers else row
            assert result_row.split(r"\quad\textcolor", 1)[0].endswith(f"&= {eq.result}"), row
            if eq.numbers:  # long rows keep two lines: the numbers, then the result
                assert row == rf"{eq.rule} &= {eq.numbers} \\ {result_row}"
            assert (ZERO_COLOR in row) == eq.zero and (NONZERO_COLOR in row) != eq.zero
            assert row.count(r"\textcolor") == 1, "one badge per equation"
