"""by_hand.backward, the article's equations as code, against torch.autograd.grad on tensors built here
(no engine, no model), including the article's slips: dw multiplies by e (not the token id x) and the mse mean."""

from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import NUMBERS, TOL, configs, forward_backward, max_gap

from explainer import by_hand
from explainer.config import RunConfig


def hand(c: RunConfig, x, y, values, w, **kw):
    return by_hand.backward(
        x,
        y,
        values["e"],
        values["f"],
        values["r"],
        w,
        activation=c.activation,
        negative_slope=c.negative_slope,
        relu_grad_at_zero=c.relu_grad_at_zero,
        vocab_size=c.vocab_size,
        has_bias=c.has_bias,
        **kw,
    )


def random_params(c: RunConfig, data) -> dict[str, torch.Tensor]:
    def t(*shape):
        n = 1
        for s in shape:
            n *= s
        return torch.tensor(data.draw(st.lists(NUMBERS, min_size=n, max_size=n)), dtype=torch.float64).reshape(shape)

    params = {"embed.weight": t(c.vocab_size, c.embed_dim), "fc.weight": t(c.out_dim, c.embed_dim)}
    if c.has_bias:
        params["fc.bias"] = t(c.out_dim)
    return params


def random_case(c: RunConfig, data):
    """The batch, random parameters, and the forward values and autograd's gradients at them."""
    x, y = torch.tensor(c.tokens), torch.tensor(c.y, dtype=torch.float64)
    params = random_params(c, data)
    values, grads = forward_backward(c, params, x, y)
    return x, y, params, values, grads


@settings(max_examples=60, deadline=None)
@given(configs(), st.data())
def test_by_hand_equals_autograd_on_any_parameters(c, data):
    x, y, params, values, grads = random_case(c, data)
    got = hand(c, x, y, values, params["fc.weight"])
    assert set(got) == set(grads)
    for name, g in grads.items():
        assert got[name].shape == g.shape, name
        assert max_gap(got[name], g) <= TOL, name


@settings(max_examples=30, deadline=None)
@given(configs(), st.data())
def test_a_reused_de_table_gives_the_same_de_whatever_it_held(c, data):
    x, y, params, values, grads = random_case(c, data)
    dirty = torch.full((c.vocab_size, c.embed_dim), 7.0, dtype=torch.float64)  # left over from another step
    got = hand(c, x, y, values, params["fc.weight"], de_out=dirty)
    assert got["de"] is dirty, "the table passed in is the one filled"
    assert max_gap(got["de"], grads["de"]) <= TOL
    unused = [v for v in range(c.vocab_size) if v not in c.tokens]
    assert bool((got["de"][unused] == 0).all()), "rows no sample looked up are exactly zero again"


def article_case(**kw):
    c = RunConfig(vocab_size=5, tokens=(3, 1, 3), embed_dim=2, out_dim=2, activation="identity", **kw)
    params = {
        "embed.weight": torch.arange(10, dtype=torch.float64).reshape(5, 2) / 10,
        "fc.weight": torch.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=torch.float64),
        "fc.bias": torch.tensor([0.25, -0.75], dtype=torch.float64),
    }
    if not c.has_bias:
        del params["fc.bias"]
    x, y = torch.tensor(c.tokens), torch.tensor(c.y, dtype=torch.float64)
    values, grads = forward_backward(c, params, x, y)
    return c, x, y, params, values, grads, hand(c, x, y, values, params["fc.weight"])


def test_dw_is_df_times_e_not_df_times_the_token_id():
    c, x, y, params, values, grads, got = article_case()
    assert max_gap(got["dw"], grads["dw"]) <= TOL
    df = grads["df"]
    as_article_wrote = df.T @ x.to(torch.float64).reshape(-1, 1).expand(-1, c.embed_dim)
    assert max_gap(as_article_wrote, grads["dw"]) > 0.1  # the slip would be caught


def test_dr_is_a_mean_over_all_numbers():
    c, x, y, params, values, grads, got = article_case()
    N = len(c.tokens) * c.out_dim
    assert max_gap(got["dr"], 2 * (values["r"] - y) / N) <= TOL
    assert max_gap(got["dr"], grads["dr"]) <= TOL
    assert max_gap(2 * (values["r"] - y), grads["dr"]) > 1e-3  # without the 1/N it would differ


def test_de_adds_up_repeated_ids_and_leaves_other_rows_zero():
    c, x, y, params, values, grads, got = article_case()
    dx = grads["dx"]
    assert torch.equal(got["de"][[0, 2, 4]], torch.zeros(3, 2, dtype=torch.float64))
    assert max_gap(got["de"][3], dx[0] + dx[2]) <= TOL  # token 3 appears twice
    assert max_gap(got["de"][1], dx[1]) <= TOL
    assert max_gap(got["de"], grads["de"]) <= TOL


def test_no_bias_means_no_db():
    c, x, y, params, values, grads, got = article_case(fc_bias="none")
    assert "db" not in got and "db" not in grads
    assert "db" in article_case()[-1]
