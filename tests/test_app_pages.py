"""AppTest of Home (app.py) and the five experiment pages: what a page shows is the record of an independent run.

Every expectation here comes from `engine.run(preset(n))` computed in the test, never from the views' cached data:
the equations' numbers (parsed back out of the LaTeX), the verdict sentences, the charts' datasets, the
predict-and-reveal feedback, the what-if toggle, and the URL handling (step and config keys).

Pages are opened the way the server opens them: app.py is the entry point and `switch_page` picks the page, so
page links written relative to app.py resolve as they do in the browser.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
import torch
from streamlit.testing.v1 import AppTest

from explainer import engine
from explainer.claims import claims
from explainer.config import preset
from explainer.equations import EQUATION_GAP, equations, fmt
from explainer.experiments import EXPERIMENTS
from explainer.verdicts import dead_sentence, verdicts

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120  # the first run imports torch and builds every cached view
EXPERIMENT_NUMBERS = (1, 2, 3, 4, 5)
PAGE_FILES = {int(p.name.split("_", 1)[0]): f"pages/{p.name}" for p in sorted((ROOT / "pages").glob("[0-9]_*.py"))}
VERDICT_ICONS = {
    "moves": ":material/trending_up:",
    "frozen_then_moves": ":material/hourglass_top:",
    "never": ":material/block:",
}
HOME_WORDS = {
    "moves": "moves from step 0",
    "frozen_then_moves": "frozen, then moves at step {first}",
    "never": "never moves",
}
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?")
POWER_OF_TEN = re.compile(r"\{\\times\}10\^\{(-?\d+)\}")  # 2.53{\times}10^{-5}, as equations.tex writes 2.53e-05


# --- helpers ------------------------------------------------------------------------------------------------------


@cache
def record(n: int, **changes) -> engine.Run:
    """The run a page should be showing, computed here, independently of the app's cache."""
    return engine.run(preset(n).replace(**changes))


def open_page(n: int | None = None, **query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if n is not None:
        at.switch_page(PAGE_FILES[n])
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def unescape(markdown: str) -> str:
    """Undo url.safe: the views backslash-escape markdown punctuation in computed sentences."""
    return re.sub(r"\\(.)", r"\1", markdown)


def expected_values(r: engine.Run, t: int, i: int) -> dict[str, torch.Tensor]:
    s = r.steps[t]
    out = {name: s.values[name][i] for name in ("e", "f", "r")}
    out["l"] = s.values["l"]
    out.update({name: s.grads[name][i] for name in ("dr", "df", "dx")})
    out.update({name: s.grads[name] for name in ("dw", "db") if name in s.grads})
    out["de"] = s.grads["de"][int(r.x[i])]
    return out


def equation_rows(block: str) -> list[str]:
    """The equations of one st.latex block: an aligned environment, two equations apart by EQUATION_GAP."""
    body = block.strip().strip("$").strip()
    assert body.startswith(r"\begin{aligned}") and body.endswith(r"\end{aligned}"), body
    body = body.removeprefix(r"\begin{aligned}").removesuffix(r"\end{aligned}")
    return [row.strip() for row in body.split(EQUATION_GAP)]


def shown_equations(at: AppTest) -> dict[str, str]:
    """Each equation's LaTeX by the quantity it defines (the text left of its first '='), from the page's two
    blocks (forward, backward), in the order shown."""
    out = {}
    for el in at.latex:
        for body in equation_rows(el.value):
            name = re.sub(r"\[.*", "", body.split("=", 1)[0].strip())
            assert name not in out, f"{name} shown twice"
            out[name] = body
    return out


def result_numbers(body: str) -> list[float]:
    """The numbers an equation ends on: after its last '=', before the zero / non-zero badge."""
    result = body.split(r"\quad\textcolor", 1)[0].rsplit("=", 1)[1]
    return [float(v) for v in NUMBER.findall(POWER_OF_TEN.sub(r"e\1", result))]


def assert_equations_show(at: AppTest, r: engine.Run, t: int, i: int) -> None:
    shown = shown_equations(at)
    expected = expected_values(r, t, i)
    assert set(expected) <= set(shown), f"missing equations: {set(expected) - set(shown)}"
    for name, value in expected.items():
        body = shown[name]
        shown_numbers = result_numbers(body)
        flat = value.flatten().tolist()
        assert shown_numbers == [float(fmt(v)) for v in flat], f"{name} at step {t}, sample {i}: {body}"
        np.testing.assert_allclose(shown_numbers, flat, rtol=1e-3, atol=1e-12)
        badge = "all zero" if bool((value == 0).all()) else "non-zero"
        assert badge in body, f"{name}: expected the '{badge}' badge"
    assert f"E[{int(r.x[i])}]" in shown["e"]
    eqs = equations(r, t, i)
    assert list(shown) == [eq.name for eq in eqs], "every equation, in order, once"
    assert len(at.latex) == 2, "forward and backward, one block each"
    assert f"### Equations at step {t}, sample {i}\n\n**Forward**" in [m.value for m in at.markdown]
    notes = [unescape(c.value) for c in at.caption if c.value.startswith("- ")]
    forward = [f"- {eq.name}: {eq.note}" for eq in eqs if eq.note and eq.name in ("e", "f", "r", "l")]
    backward = [f"- {eq.name}: {eq.note}" for eq in eqs if eq.note and eq.name not in ("e", "f", "r", "l")]
    assert [n.split("\n") for n in notes] == [part for part in (forward, backward) if part]


def chart_frames(at: AppTest) -> list[tuple[str, object]]:
    """(spec JSON text, its dataset as a DataFrame) for each Vega-Lite chart on the page."""
    out = []
    for el in at.get("vega_lite_chart"):
        assert len(el.proto.datasets) == 1, "each chart carries its data as one named dataset"
        frame = pa.ipc.open_stream(el.proto.datasets[0].data.data).read_pandas()
        spec = el.proto.spec
        assert json.loads(spec)["data"]["name"] == el.proto.datasets[0].name
        out.append((spec, frame))
    return out


def chart_titled(at: AppTest, title: str):
    found = [frame for spec, frame in chart_frames(at) if title in spec]
    assert len(found) == 1, f"expected one chart titled {title!r}, found {len(found)}"
    return found[0]


VERDICT_HEADING = "### Verdict, computed from the run\n\n"
CLAIMS_HEADING = (
    "**The preset's claims, checked on this run** (they were made for the preset's own settings: after a what-if "
    "or a change, a claim that fails shows what the change did)  \n"
)


def block_lines(at: AppTest, heading: str) -> list[str]:
    """The lines (two-space line breaks) of the one markdown element that starts with heading, unescaped."""
    [block] = [m.value for m in at.markdown if m.value.startswith(heading)]
    return [unescape(line) for line in block.removeprefix(heading).split("  \n")]


def verdict_lines(at: AppTest) -> list[tuple[str, str]]:
    """(icon, sentence) for each verdict line; the icon tells the status. The dead-unit line is left out."""
    icons = set(VERDICT_ICONS.values())
    pairs = [line.split(" ", 1) for line in block_lines(at, VERDICT_HEADING)]
    assert all(len(p) == 2 and (p[0] in icons or p[0] == ":material/bedtime:") for p in pairs), pairs
    return [(p[0], p[1]) for p in pairs if p[0] in icons]


def expected_verdicts(r: engine.Run) -> list[tuple[str, str]]:
    return [(VERDICT_ICONS[v.status], v.sentence) for v in verdicts(r)]


def headings(at: AppTest) -> list[str]:
    """The page's h3 headings: st.subheader elements and markdown elements that open with '### '."""
    marked = [m.value.removeprefix("### ").split("\n", 1)[0] for m in at.markdown if m.value.startswith("### ")]
    return [h.value for h in at.subheader] + marked


def step_slider(at: AppTest, n: int):
    return at.slider(key=f"gfl_exp{n}_step")


def guess_boxes(at: AppTest, n: int) -> dict[str, object]:
    pattern = re.compile(rf"gfl_exp{n}_[0-9a-f]+_guess_(de|dw|db)")
    return {m.group(1): box for box in at.checkbox if box.key and (m := pattern.fullmatch(box.key))}


def warnings(at: AppTest) -> list[str]:
    return [unescape(w.value) for w in at.warning]


# --- experiment pages ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", EXPERIMENT_NUMBERS)
def test_equations_show_the_records_numbers_and_follow_the_slider(n):
    r = record(n)
    at = open_page(n)
    assert not at.exception
    assert at.title[0].value == f"Experiment {n}: {EXPERIMENTS[n].title}"
    assert step_slider(at, n).value == 0
    assert at.query_params["step"] == "0"
    assert "Equations at step 0, sample 0" in headings(at)
    assert_equations_show(at, r, 0, 0)
    assert "Where the gradient flows at step 0" in headings(at)

    t, i = min(2, len(r.steps) - 1), 1
    step_slider(at, n).set_value(t).run()
    at.selectbox(key=f"gfl_exp{n}_sample").set_value(i).run()
    assert not at.exception
    assert at.query_params["step"] == str(t)
    assert at.query_params["sample"] == str(i)
    assert f"Equations at step {t}, sample {i}" in headings(at)
    assert_equations_show(at, r, t, i)
    at.selectbox(key=f"gfl_exp{n}_sample").set_value(0).run()
    assert "sample" not in at.query_params, "sample 0 is the default and stays out of the URL"


def test_moving_the_slider_changes_the_numbers():
    """Experiment 3 learns, so step 0 and step 2 show different numbers (the check above is not vacuous)."""
    at = open_page(3)
    before = shown_equations(at)
    step_slider(at, 3).set_value(2).run()
    after = shown_equations(at)
    assert not at.exception
    assert before["f"] != after["f"] and before["de"] != after["de"]
    assert_equations_show(at, record(3), 2, 0)


@pytest.mark.parametrize("n", EXPERIMENT_NUMBERS)
def test_verdicts_and_claims_are_the_runs(n):
    r = record(n)
    at = open_page(n)
    assert not at.exception
    assert verdict_lines(at) == expected_verdicts(r)
    want = []
    for c in claims(r):
        mark = ":green[:material/check: holds]" if c.holds else ":red[:material/close: fails]"
        want.append(f"{mark}: {c.statement}")
    assert block_lines(at, CLAIMS_HEADING) == want
    dead = dead_sentence(r)
    assert [line for line in block_lines(at, VERDICT_HEADING) if line.startswith(":material/bedtime:")] == (
        [f":material/bedtime: {dead}"] if dead else []
    )
    assert all(c.holds for c in claims(r)), "a preset's own claims hold on its run"


@pytest.mark.parametrize("n", (1, 3))
def test_over_the_steps_says_how_to_read_the_charts_for_this_run(n):
    at = open_page(n)
    [block] = [m.value for m in at.markdown if m.value.startswith("### Over the steps")]
    for v in verdicts(record(n)):
        if v.first_move is not None:
            assert f"{v.symbol} at step {v.first_move} (its most" in unescape(block), block


@pytest.mark.parametrize("n", EXPERIMENT_NUMBERS)
def test_charts_carry_the_records_data(n):
    r = record(n)
    at = open_page(n)
    assert not at.exception
    assert len(chart_frames(at)) == 6  # E, de, w, dw heatmaps; weights over time; loss

    loss = chart_titled(at, "loss l over the steps")
    assert loss["step"].tolist() == list(range(len(r.steps)))
    assert loss["l"].tolist() == [float(s.values["l"]) for s in r.steps]

    t = min(3, len(r.steps) - 1)
    step_slider(at, n).set_value(t).run()
    s = r.steps[t]
    maps = {
        "E: the embedding table": s.params["embed.weight"],
        "de: gradient of E": s.grads["de"],
        "w: fc weights": s.params["fc.weight"],
        "dw: gradient of w": s.grads["dw"],
    }
    for title, tensor in maps.items():
        frame = chart_titled(at, title)
        assert len(frame) == tensor.numel(), title
        got = torch.tensor(frame["value"].tolist(), dtype=torch.float64)
        want = tensor[frame["row"].tolist(), frame["col"].tolist()]
        assert torch.equal(got, want), f"{title} at step {t}"
        outlined = {int(v) for v in r.x} if "of E" in title or title.startswith("E:") else set()
        assert set(frame.loc[frame["looked_up"], "row"]) == outlined, title

    weights = chart_titled(at, '"parameter"')
    symbols = {"E": "embed.weight", "w": "fc.weight", "b": "fc.bias"}
    assert set(weights["parameter"]) == {sym for sym, name in symbols.items() if name in r.final}
    for row in weights.itertuples():
        p = r.param_at(symbols[row.parameter], row.step)
        idx = [int(k) for k in re.findall(r"\d+", row.entry)]
        assert float(p[tuple(idx)]) == row.value, row


@pytest.mark.parametrize("n", EXPERIMENT_NUMBERS)
def test_what_if_toggle_changes_the_run_as_predicted(n):
    ex = EXPERIMENTS[n]
    base, what_if = record(n), record(n, **ex.what_if)
    assert expected_verdicts(base) != expected_verdicts(what_if), "the what-if must change the verdicts"
    at = open_page(n)
    toggle = at.toggle(key=f"gfl_exp{n}_whatif")
    assert ex.what_if_label in toggle.label
    assert verdict_lines(at) == expected_verdicts(base)

    toggle.set_value(True).run()
    assert not at.exception
    assert verdict_lines(at) == expected_verdicts(what_if)
    assert_equations_show(at, what_if, 0, 0)

    at.toggle(key=f"gfl_exp{n}_whatif").set_value(False).run()
    assert verdict_lines(at) == expected_verdicts(base)


@pytest.mark.parametrize("n", EXPERIMENT_NUMBERS)
@pytest.mark.parametrize("strategy", ["all", "truth"])
def test_predict_and_reveal_judges_against_the_run(n, strategy):
    r = record(n)
    truth = {g: bool((r.steps[0].grads[g] == 0).all()) for g in ("de", "dw", "db") if g in r.steps[0].grads}
    at = open_page(n)
    boxes = guess_boxes(at, n)
    assert set(boxes) == set(truth)
    assert not at.success and not at.error, "nothing is revealed before the button"

    guesses = {g: True if strategy == "all" else truth[g] for g in truth}
    for g, ticked in guesses.items():
        boxes[g].set_value(ticked)
    [reveal] = [b for b in at.button if b.label == "Reveal"]
    reveal.click().run()
    assert not at.exception

    right, wrong = [], []
    for g, actual in truth.items():
        word = "is exactly zero" if actual else "is not zero"
        said = "you ticked it (zero)" if guesses[g] else "you left it unticked (non-zero)"
        ok = guesses[g] == actual
        (right if ok else wrong).append(f"{g} {word} at step 0: {said}, {'right' if ok else 'not quite'}.")
    assert [s.value for s in at.success] == right
    assert [e.value for e in at.error] == wrong
    if strategy == "truth":
        assert not wrong


@pytest.mark.parametrize("n", (1, 3))
def test_step_in_the_url_opens_that_step(n):
    at = open_page(n, step="2")
    assert not at.exception
    assert not at.warning
    assert step_slider(at, n).value == 2
    assert "Equations at step 2, sample 0" in headings(at)
    assert_equations_show(at, record(n), 2, 0)


@pytest.mark.parametrize("n", (1, 5))
def test_sample_in_the_url_opens_that_sample(n):
    r = record(n)
    i = len(r.x) - 1
    at = open_page(n, step="1", sample=str(i))
    assert not at.exception and not at.warning
    assert at.selectbox(key=f"gfl_exp{n}_sample").value == i
    assert f"Equations at step 1, sample {i}" in headings(at)
    assert_equations_show(at, r, 1, i)
    assert at.query_params["sample"] == str(i)


@pytest.mark.parametrize("raw", ["9", "x", "-1"])
def test_sample_out_of_range_in_the_url_warns_and_shows_sample_0(raw):
    at = open_page(1, sample=raw)
    assert not at.exception
    [msg] = warnings(at)
    assert msg.startswith("sample:") and raw in msg and f"0 to {len(record(1).x) - 1}" in msg
    assert "Equations at step 0, sample 0" in headings(at)
    assert "sample" not in at.query_params


@pytest.mark.parametrize("raw", ["99", "abc", "-1", "2.5"])
def test_step_out_of_range_in_the_url_warns_and_shows_step_0(raw):
    at = open_page(2, step=raw)
    assert not at.exception
    [msg] = warnings(at)
    assert msg.startswith("step:") and raw in msg
    assert step_slider(at, 2).value == 0
    assert at.query_params["step"] == "0"
    assert_equations_show(at, record(2), 0, 0)


@pytest.mark.parametrize(
    "key, raw",
    [
        ("lr", "nan"),
        ("tokens", "1,99"),
        ("steps", "0"),
        ("activation", "sigmoid!"),
        ("embed_dim", "x"),
        ("colour", "red"),
    ],
)
def test_bad_config_key_in_the_url_warns_and_the_page_still_renders(key, raw):
    n = 3
    at = open_page(n, **{key: raw})
    assert not at.exception
    named = [w for w in warnings(at) if w.startswith(f"Ignored a setting from the link: {key}")]
    assert len(named) == 1, warnings(at)
    assert at.title[0].value.startswith(f"Experiment {n}")
    assert verdict_lines(at) == expected_verdicts(record(n)), "the bad key is dropped: the preset runs"
    assert_equations_show(at, record(n), 0, 0)
    assert key not in at.query_params, "and dropped from the address bar"


def test_several_bad_keys_each_get_a_warning():
    at = open_page(1, lr="nan", tokens="1,99", step="abc")
    assert not at.exception
    text = " | ".join(warnings(at))
    for key in ("lr", "tokens", "step"):
        assert f"{key}:" in text
    assert len(at.latex) == 2 and len(shown_equations(at)) >= 9


def test_a_good_config_key_in_the_url_changes_the_run():
    at = open_page(3, lr="0.5")
    assert not at.exception and not at.warning
    r = record(3, lr=0.5)
    assert r.steps[2].values["f"].tolist() != record(3).steps[2].values["f"].tolist()
    step_slider(at, 3).set_value(2).run()
    assert_equations_show(at, r, 2, 0)
    assert at.query_params["lr"] == "0.5"


def test_the_csv_download_button_is_there():
    at = open_page(4)
    [button] = at.get("download_button")
    assert button.proto.label == "Download the run table (CSV)"
    assert not at.exception


# --- Home ---------------------------------------------------------------------------------------------------------


def test_home_summary_table_is_the_presets_verdicts():
    at = open_page()
    assert not at.exception
    assert at.title[0].value == "Gradient Flow Lab"
    assert len(at.latex) == 2
    assert not at.main.columns, "the results stay unrendered until the expander is opened"
    at.session_state["gfl_home_results"] = True
    at.run()
    assert not at.exception
    cols = at.main.columns
    assert len(cols) == 4 * (1 + len(EXPERIMENT_NUMBERS))
    assert [c.markdown[0].value for c in cols[:4]] == [
        "**Experiment**",
        "**E (embedding)**",
        "**w (fc weight)**",
        "**b (fc bias)**",
    ]
    for row, n in enumerate(EXPERIMENT_NUMBERS, start=1):
        link, *cells = cols[4 * row : 4 * row + 4]
        [page_link] = link.get("page_link")
        assert page_link.proto.label == f"{n}. {EXPERIMENTS[n].title}"
        by = {v.symbol: v for v in verdicts(record(n))}
        want = [
            HOME_WORDS[by[s].status].format(first=by[s].first_move) if s in by else "no bias" for s in ("E", "w", "b")
        ]
        assert [c.markdown[0].value for c in cells] == want, f"experiment {n}"


def test_home_links_to_every_page():
    at = open_page()
    assert not at.exception
    linked = {el.proto.page for el in at.main.get("page_link")}
    pages = {Path(path).stem.split("_", 1)[1] for path in PAGE_FILES.values()}
    assert len(pages) == 6
    assert linked == pages
