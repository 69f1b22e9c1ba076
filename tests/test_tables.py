"""The long table (the CSV contract): columns, names, shapes, 0-based indices, values equal to the record, the
final parameters at step == steps, and a CSV that pandas reads back exactly."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from reference import configs

from explainer.config import RunConfig, preset, record_numbers
from explainer.engine import run
from explainer.tables import long_table, step_view, to_csv

CONTRACT = {"x", "y", "embed.weight", "fc.weight", "fc.bias", "e", "f", "r", "l", "dr", "df", "dw", "db", "dx", "de"}


def shapes(c: RunConfig) -> dict[str, tuple[int, int]]:
    """(rows, cols) of each name, as the contract lays them out: vectors are one row, the scalar l is 1 x 1."""
    V, D, O, B = c.vocab_size, c.embed_dim, c.out_dim, len(c.tokens)
    out = {"x": (1, B), "y": (B, O), "embed.weight": (V, D), "fc.weight": (O, D), "e": (B, D), "f": (B, O)}
    out |= {"r": (B, O), "l": (1, 1), "dr": (B, O), "df": (B, O), "dw": (O, D), "dx": (B, D), "de": (V, D)}
    return out | ({"fc.bias": (1, O), "db": (1, O)} if c.has_bias else {})


def record_value(r, t: int, name: str) -> torch.Tensor:
    if t == len(r.steps):
        return r.final[name]
    s = r.steps[t]
    return {"x": r.x, "y": r.y, **s.params, **s.values, **s.grads}[name]


@settings(max_examples=30, deadline=None)
@given(configs())
def test_long_table_holds_every_number_of_the_record_in_place(c):
    r, table = run(c), long_table(run(c))
    assert list(table.columns) == ["step", "name", "row", "col", "value"]
    assert table.dtypes["step"] == table.dtypes["row"] == table.dtypes["col"] == np.int64
    expected = shapes(c)
    assert set(table.name) == set(expected) and set(table.name) <= CONTRACT
    assert ("db" in set(table.name)) == c.has_bias
    n_params = sum(expected[k][0] * expected[k][1] for k in ("embed.weight", "fc.weight", "fc.bias") if k in expected)
    assert len(table) == c.steps * sum(a * b for a, b in expected.values()) + n_params <= record_numbers(c)
    for (t, name), block in table.groupby(["step", "name"]):
        rows, cols = expected[name]
        assert sorted(zip(block.row, block.col, strict=True)) == [(i, j) for i in range(rows) for j in range(cols)]
        grid = np.zeros((rows, cols))
        grid[block.row.to_numpy(), block.col.to_numpy()] = block.value.to_numpy()
        want = record_value(r, t, name).to(torch.float64).reshape(rows, cols).numpy()
        assert np.array_equal(grid, want), (t, name)
    final = table[table.step == c.steps]
    assert set(final.name) == {k for k in ("embed.weight", "fc.weight", "fc.bias") if k in expected}
    assert table.step.min() == 0 and table.step.max() == c.steps


def test_de_is_the_full_table_with_zero_rows_off_the_batch():
    c = RunConfig(vocab_size=7, embed_dim=2, tokens=(5, 1, 5))
    table = long_table(run(c))
    de = table[(table.name == "de") & (table.step == 0)]
    assert len(de) == 7 * 2 and set(de.row) == set(range(7)) and set(de.col) == {0, 1}
    off = de[~de.row.isin([1, 5])]
    assert (off.value == 0).all() and (de[de.row.isin([1, 5])].value != 0).any()


def test_no_bias_no_db_and_no_fc_bias():
    names = set(long_table(run(preset(2))).name)
    assert names == CONTRACT - {"db", "fc.bias"}


@pytest.mark.parametrize("n", [1, 5])
def test_csv_reads_back_exactly(n):
    r = run(preset(n))
    back = pd.read_csv(io.StringIO(to_csv(r)))
    table = long_table(r)
    assert list(back.columns) == ["step", "name", "row", "col", "value"]
    pd.testing.assert_frame_equal(back, table.astype({"name": back.dtypes["name"]}), check_exact=True)


def test_step_view_shows_one_sample():
    r = run(preset(1))
    view = step_view(r, 1, 2)
    assert list(view.name) == ["x", "y", "e", "f", "r", "l", "dr", "df", "dx"]
    assert view.set_index("name").loc["x", "values"] == str(int(r.x[2]))
    f = r.steps[1].values["f"][2]
    assert view.set_index("name").loc["f", "values"] == ", ".join(f"{float(v):.4g}" for v in f)
