"""End-to-end in headless chromium against a real `streamlit run app.py`: what only a browser shows.

KaTeX typesets every equation (no .katex-error), Vega draws every chart with marks in it, Graphviz draws the
graph with the zero-gradient edges in red, the CSV download parses with the documented columns, a deep link opens
at its step, and the slider writes the step into the URL and the share link. Every page is saved as a screenshot
under artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import re
from functools import cache

import pandas as pd
import pytest

from explainer import engine
from explainer.config import preset
from explainer.equations import equations, fmt
from explainer.experiments import EXPERIMENTS
from explainer.graph import BACKWARD, ZERO
from explainer.tables import COLUMNS, long_table
from explainer.views.pages import NAV_LABELS
from tests.e2e.conftest import menu
from tests.e2e.tex import shown_rows

pytestmark = pytest.mark.e2e

# (screenshot name, URL path, experiment number or None for Home)
PAGES = [
    ("Home", "/", None),
    ("Zero_embedding_with_bias", "/Zero_embedding_with_bias", 1),
    ("Zero_embedding_no_bias", "/Zero_embedding_no_bias", 2),
    ("Leaky_relu", "/Leaky_relu", 3),
    ("Zero_fc_weights", "/Zero_fc_weights", 4),
    ("All_ones", "/All_ones", 5),
]
MENU = list(zip(NAV_LABELS.values(), [p for _, p, _ in PAGES] + ["/Sandbox"], strict=True))  # Home, 1-5, Sandbox
CHARTS_PER_EXPERIMENT = 6  # E, de, w, dw heatmaps; weights over time; loss
LOAD_TIMEOUT_MS = 90_000
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?")
POWER_OF_TEN = re.compile(r"\{\\times\}10\^\{(-?\d+)\}")  # 2.53{\times}10^{-5}, as equations.tex writes 2.53e-05


@cache
def record(n: int) -> engine.Run:
    return engine.run(preset(n))


def result_numbers(tex: str) -> list[float]:
    """The numbers an equation ends on: after its last '=', before the zero / non-zero badge."""
    result = tex.split(r"\quad\textcolor", 1)[0].rsplit("=", 1)[1]
    return [float(v) for v in NUMBER.findall(POWER_OF_TEN.sub(r"e\1", result))]


def tex_of(texts: list[str], name: str) -> str:
    found = [row for row in shown_rows(texts) if row.startswith(f"{name} =")]
    assert len(found) == 1, f"one equation for {name}, got {found}"
    return found[0]


def screenshot(page, path) -> None:
    """The whole main column: grow the viewport to the content first, since the page scrolls inside a container."""
    bottom = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMainBlockContainer\"]').getBoundingClientRect().bottom"
    )
    height = int(bottom) + 40
    if height > page.viewport_size["height"]:
        page.set_viewport_size({"width": page.viewport_size["width"], "height": height})
        page.wait_for_timeout(500)
    page.screenshot(path=str(path), clip={"x": 0, "y": 0, "width": 1400, "height": height})


def charts_drawn(page, expected: int) -> None:
    charts = page.locator("[data-testid='stVegaLiteChart']")
    page.wait_for_function(
        """n => { const c = document.querySelectorAll("[data-testid='stVegaLiteChart']");
                  return c.length === n && [...c].every(el => el.querySelector("svg.marks, canvas")
                                                         && el.querySelector("[role='graphics-symbol']")); }""",
        arg=expected,
        timeout=LOAD_TIMEOUT_MS,
    )
    assert charts.count() == expected
    for k in range(expected):
        chart = charts.nth(k)
        assert chart.locator("svg.marks, canvas").count() >= 1, f"chart {k} has no drawing"
        assert chart.locator("[role='graphics-symbol']").count() >= 1, f"chart {k} is empty"
        box = chart.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 100, f"chart {k} is too small: {box}"


def graph_drawn(page, n: int) -> None:
    graph = page.locator("[data-testid='stGraphVizChart'] svg")
    graph.first.wait_for(timeout=LOAD_TIMEOUT_MS)
    assert graph.count() == 1
    assert graph.locator("g.node").count() >= 8
    s = record(n).steps[0]
    shown = [g for g, *_ in BACKWARD if g in s.grads]
    zero = [g for g in shown if bool((s.grads[g] == 0).all())]
    assert graph.locator("g.edge").count() >= len(shown)
    labels = graph.locator("g.edge text").all_text_contents()
    for g in shown:
        want = f"{g} = 0" if g in zero else f"max |{g}|"
        assert any(t.startswith(want) for t in labels), f"edge label for {g}: {labels}"
    red = graph.locator(f"g.edge path[stroke='{ZERO.lower()}'], g.edge path[stroke='{ZERO.upper()}']")
    assert red.count() == len(zero), f"red edges should be exactly the zero gradients {zero}"


def csv_downloads(page, n: int) -> None:
    with page.expect_download(timeout=LOAD_TIMEOUT_MS) as info:
        page.get_by_role("button", name="Download the run table (CSV)").click()
    download = info.value
    assert download.suggested_filename == f"run-experiment-{n}.csv"
    df = pd.read_csv(download.path())
    assert list(df.columns) == COLUMNS
    want = long_table(record(n))
    assert len(df) == len(want)
    pd.testing.assert_frame_equal(
        df[["step", "name", "row", "col"]], want[["step", "name", "row", "col"]], check_dtype=False
    )
    assert (df["value"] - want["value"]).abs().max() == 0, "values survive the CSV round trip exactly"


def no_errors(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator(".katex-error").count() == 0
    assert page.get_by_text("Traceback").count() == 0


def test_first_request_is_a_deep_link_that_opens_its_step(live_app):
    seen = live_app.first_visit
    n, t = seen["experiment"], seen["step"]
    assert seen["exceptions"] == 0
    assert seen["menu"] == MENU, "the first visitor gets app.py's menu, not one made from the file names"
    assert seen["title"] == f"Experiment {n}: {EXPERIMENTS[n].title}"
    assert seen["url"].endswith(f"/{seen['path']}?step={t}")
    assert seen["slider"] == str(t)
    assert f"Equations at step {t}, sample 0" in seen["headings"]
    s = record(n).steps[t]
    for name, value in (("e", s.values["e"][0]), ("f", s.values["f"][0]), ("dx", s.grads["dx"][0])):
        assert result_numbers(tex_of(seen["tex"], name)) == [float(fmt(v)) for v in value.tolist()], name


@pytest.mark.parametrize("name, path, n", PAGES, ids=[p[0] for p in PAGES])
def test_page_renders_in_the_browser(live_app, new_page, page_ready, screenshot_dir, name, path, n):
    page = new_page
    page.goto(live_app.url + path, timeout=LOAD_TIMEOUT_MS)
    page_ready(page)
    page.wait_for_selector(".katex", timeout=LOAD_TIMEOUT_MS)
    assert menu(page) == MENU, "the sidebar menu: Home, the experiments, the sandbox"
    if n is None:
        assert page.locator("h1").first.inner_text() == "Gradient Flow Lab"
        assert page.locator(".katex").count() == 2
        hrefs = page.locator("[data-testid='stMain'] a[data-testid='stPageLink-NavLink']").evaluate_all(
            "els => els.map(e => new URL(e.href).pathname)"
        )
        assert set(hrefs) == {p for _, p, k in PAGES if k} | {"/Sandbox"}
        assert page.locator("[data-testid='stVegaLiteChart']").count() == 0
    else:
        assert page.locator("h1").first.inner_text() == f"Experiment {n}: {EXPERIMENTS[n].title}"
        eqs = equations(record(n), 0, 0)
        assert page.locator(".katex").count() == 2, "forward and backward, one typeset block each"
        rows = shown_rows(page.locator(".katex-mathml annotation").all_text_contents())
        assert [re.split(r"[ \[]", row, maxsplit=1)[0] for row in rows] == [eq.name for eq in eqs]
        typeset = " ".join(page.locator(".katex-html").all_inner_texts()).replace("\xa0", " ")  # as drawn
        assert typeset.count("all zero") == sum(eq.zero for eq in eqs), typeset
        assert typeset.count("non-zero") == sum(not eq.zero for eq in eqs), typeset
        charts_drawn(page, CHARTS_PER_EXPERIMENT)
        graph_drawn(page, n)
        csv_downloads(page, n)
    no_errors(page)
    screenshot(page, screenshot_dir / f"{name}.png")


def test_slider_writes_the_step_into_the_url_and_the_share_link(live_app, new_page, page_ready):
    page = new_page
    page.goto(f"{live_app.url}/Zero_embedding_with_bias", timeout=LOAD_TIMEOUT_MS)
    page_ready(page)
    thumb = page.locator("[data-testid='stSlider'] input[type='range']").first
    assert thumb.get_attribute("value") == "0"
    thumb.focus()
    page.keyboard.press("ArrowRight")
    page.get_by_text("Equations at step 1, sample 0").wait_for(timeout=LOAD_TIMEOUT_MS)
    page.wait_for_url(re.compile(r"[?&]step=1\b"), timeout=LOAD_TIMEOUT_MS)
    page_ready(page)
    page.get_by_text("Share this set-up").click()  # the links are drawn when the expander opens
    page.locator("[data-testid='stCode']").first.wait_for(timeout=LOAD_TIMEOUT_MS)
    codes = page.locator("[data-testid='stCode']").all_inner_texts()
    link = f"{live_app.url}/Zero_embedding_with_bias?experiment=1&step=1"
    assert any(c.strip() == link for c in codes), codes
    tex = page.locator(".katex-mathml annotation").all_text_contents()
    s = record(1).steps[1]
    assert result_numbers(tex_of(tex, "f")) == [float(fmt(v)) for v in s.values["f"][0].tolist()]
    no_errors(page)


def test_sandbox_loads(live_app, new_page, page_ready):
    """The sandbox is someone else's page; here only: it opens and shows no exception."""
    page = new_page
    page.goto(f"{live_app.url}/Sandbox", timeout=LOAD_TIMEOUT_MS)
    page_ready(page)
    assert "Sandbox" in page.locator("h1").first.inner_text()
    assert page.locator("[data-testid='stException']").count() == 0
