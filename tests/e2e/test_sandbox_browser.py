"""End-to-end, in headless chromium against a real `streamlit run app.py`: the Sandbox and its share links.

A server of this module's own is started fresh, and its very first page request is a sandbox share link: the
numbers it shows must be those of `python -m explainer export --param ...` with the same keys. Then: the teacher's
link hides the settings, a cell edit in the data editor reruns with new numbers, a bad link names its key, the
compare view marks what differs, custom tables of the default sizes fit without scrolling sideways, and loading an
experiment says so. Screenshots go to artifacts/screenshots/sandbox-*.png.

The `browser` fixture (and its skip without /usr/bin/chromium) comes from tests/e2e/conftest.py.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

from explainer import engine, parsing
from explainer.config import preset
from explainer.equations import fmt
from tests.e2e.server import ROOT, streamlit_server
from tests.e2e.tex import shown_rows

pytestmark = pytest.mark.e2e

SHOTS = ROOT / "artifacts" / "screenshots"
VIEWPORT = {"width": 1400, "height": 4500}  # tall: the main area scrolls inside a container, not the window
READY = "[data-testid='stApp'][data-test-script-state='notRunning']"
LOAD_MS = 90_000
SHARE = {  # the link under test: a preset, overrides of several kinds, and a step other than 0
    "experiment": "2",
    "relu_grad_at_zero": "1",
    "embed_init": "normal:0.5",
    "tokens": "1,2,2,5",
    "lr": "0.5",
    "seed": "7",
    "step": "2",
}
STEP = int(SHARE["step"])


def wait_ready(page) -> None:
    page.wait_for_selector(READY, timeout=LOAD_MS)
    page.wait_for_selector("h1", timeout=LOAD_MS)
    page.wait_for_selector(".katex", timeout=LOAD_MS)
    page.wait_for_selector(READY, timeout=LOAD_MS)


def screenshot(page, name: str) -> None:
    """The whole main column: grow the viewport to the content first, since the page scrolls inside a container."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(1500)  # charts and the graph finish drawing after the script run
    bottom = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMainBlockContainer\"]').getBoundingClientRect().bottom"
    )
    height = max(int(bottom) + 40, VIEWPORT["height"])
    if height > page.viewport_size["height"]:
        page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
        page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / f"sandbox-{name}.png"), clip={"x": 0, "y": 0, "width": 1400, "height": height})


def tex(page) -> list[str]:
    return page.locator(".katex-mathml annotation").all_text_contents()


def result_numbers(tex_source: str) -> list[float]:
    """The numbers an equation ends on (after its last '=', before the badge); 2.5{\\times}10^{-5} counts as one."""
    result = tex_source.split(r"\quad\textcolor", 1)[0].rsplit("=", 1)[1]
    result = re.sub(r"\{\\times\}10\^\{(-?\d+)\}", r"e\1", result)
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", result)]


def equation(texts: list[str], name: str) -> str:
    """One equation's TeX source, out of the typeset blocks (aligned, EQUATION_GAP between two equations)."""
    found = [row for row in shown_rows(texts) if row.startswith(f"{name} =")]
    assert len(found) == 1, f"one equation for {name}: {found}"
    return found[0]


def cli_table(params: dict[str, str]) -> pd.DataFrame:
    args = [a for k, v in params.items() for a in ("--param", f"{k}={v}")]
    out = subprocess.run(
        [sys.executable, "-m", "explainer", "export", *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return pd.read_csv(io.StringIO(out.stdout))


def cli_numbers(df: pd.DataFrame, name: str, step: int, row: int = 0) -> list[float]:
    sel = df[(df["step"] == step) & (df["name"] == name) & (df["row"] == row)].sort_values("col")
    return [float(fmt(v)) for v in sel["value"]]  # as the page prints them: 4 significant digits


def no_errors(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator(".katex-error").count() == 0
    assert page.get_by_text("Traceback").count() == 0


@pytest.fixture(scope="module")
def sandbox_app(browser, tmp_path_factory):
    """A fresh server whose first page request is the share link; yields (url, what that first visit saw)."""
    with streamlit_server(tmp_path_factory.mktemp("sandbox-server") / "server.log") as url:
        ctx = browser.new_context(viewport=VIEWPORT)
        page = ctx.new_page()
        query = "&".join(f"{k}={v}" for k, v in SHARE.items())
        page.goto(f"{url}/Sandbox?{query}", timeout=LOAD_MS)
        wait_ready(page)
        page.wait_for_selector("[data-testid='stGraphVizChart'] svg", timeout=LOAD_MS)
        seen = {"tex": tex(page), "url": page.url, "sidebar": page.locator("[data-testid='stSidebar']").inner_text()}
        no_errors(page)
        screenshot(page, "share-link")
        ctx.close()
        yield url, seen


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport=VIEWPORT)
    yield ctx.new_page()
    ctx.close()


def test_share_link_as_first_request_shows_the_cli_numbers(sandbox_app):
    _, seen = sandbox_app
    config_keys = {k: v for k, v in SHARE.items() if k != "step"}
    df = cli_table(config_keys)
    for name in ("e", "f", "r", "dr", "df", "dx"):
        assert result_numbers(equation(seen["tex"], name)) == cli_numbers(df, name, STEP), name
    assert result_numbers(equation(seen["tex"], "l")) == cli_numbers(df, "l", STEP)
    assert result_numbers(equation(seen["tex"], "dw")) == [
        x for unit in range(2) for x in cli_numbers(df, "dw", STEP, unit)
    ]
    # the address bar still holds exactly the link's keys, and the widgets show them
    shown = {k: v[-1] for k, v in parse_qs(urlsplit(seen["url"]).query).items()}
    assert shown == SHARE
    assert "Settings" in seen["sidebar"] and "normal" in seen["sidebar"]


def test_teacher_link_hides_the_settings(sandbox_app, page):
    url, seen = sandbox_app
    query = "&".join(f"{k}={v}" for k, v in SHARE.items())
    page.goto(f"{url}/Sandbox?{query}&controls=hide", timeout=LOAD_MS)
    wait_ready(page)
    no_errors(page)
    sidebar = page.locator("[data-testid='stSidebar']").inner_text()
    assert "Settings" not in sidebar and "vocab_size" not in sidebar
    assert page.locator("[data-testid='stNumberInput'], [data-testid='stTextInput']").count() == 0
    assert page.get_by_text("Compare with a second set-up").count() == 0
    assert page.get_by_text("Predict first").count() == 0
    assert tex(page) == seen["tex"]  # the same run, the same step
    screenshot(page, "teacher-link")


def test_editing_a_cell_of_the_table_reruns(sandbox_app, page):
    url, _ = sandbox_app
    page.goto(f"{url}/Sandbox?experiment=3&fc_weight_init=custom:1,2,3;4,5,6&embed_init=ones", timeout=LOAD_MS)
    wait_ready(page)
    before = tex(page)
    editor = page.locator("[data-testid='stMain'] [data-testid='stDataFrame']").first  # at the top of the page
    editor.scroll_into_view_if_needed()
    box = editor.bounding_box()
    page.mouse.dblclick(box["x"] + box["width"] - 15, box["y"] + 35 + 17)  # row 0 (below the header), last column
    cell = page.locator("input.gdg-input, textarea.gdg-input").first
    cell.fill("9")
    cell.press("Enter")
    page.wait_for_function(
        "() => location.search.includes('custom%3A1%2C2%2C9') || location.search.includes('custom:1,2,9')",
        timeout=LOAD_MS,
    )
    wait_ready(page)
    page.wait_for_function(
        "old => [...document.querySelectorAll('.katex-mathml annotation')].map(a => a.textContent).join('|') !== old",
        arg="|".join(before),
        timeout=LOAD_MS,
    )
    after = tex(page)
    df = cli_table({"experiment": "3", "fc_weight_init": "custom:1,2,9;4,5,6", "embed_init": "ones"})
    assert result_numbers(equation(after, "f")) == cli_numbers(df, "f", 0)
    assert result_numbers(equation(after, "f")) != result_numbers(equation(before, "f"))
    no_errors(page)
    screenshot(page, "cell-edit")


def test_bad_link_names_its_key_and_escapes_markup(sandbox_app, page):
    url, _ = sandbox_app
    page.goto(
        f"{url}/Sandbox?lr=nan&tokens=1,99&optimizer=<script>alert(1)</script>&embed_init=**bold**", timeout=LOAD_MS
    )
    wait_ready(page)
    no_errors(page)
    alerts = page.locator("[data-testid='stAlert']").all_inner_texts()
    text = "\n".join(alerts)
    for key in ("lr:", "tokens:", "optimizer:", "embed_init:"):
        assert key in text, (key, alerts)
    assert "<script>alert(1)</script>" in text and "**bold**" in text  # shown as typed, not interpreted
    assert page.locator("[data-testid='stAlert'] script, [data-testid='stAlert'] strong").count() == 0
    screenshot(page, "bad-link")


def test_compare_marks_the_verdicts_that_differ(sandbox_app, page):
    url, _ = sandbox_app
    page.goto(f"{url}/Sandbox?experiment=2", timeout=LOAD_MS)
    wait_ready(page)
    page.get_by_text("Compare with a second set-up").click()
    page.wait_for_selector("text=Run B", timeout=LOAD_MS)
    wait_ready(page)
    assert page.get_by_text("differs", exact=True).count() >= 2
    no_errors(page)
    screenshot(page, "compare")


def sideways_overflow(page, where: str) -> list[int]:
    """For each data editor under `where`: how many pixels of it are hidden and need a sideways scroll."""
    return page.evaluate(
        """where => [...document.querySelectorAll(where + ' [data-testid="stDataFrame"] .dvn-scroller')]
            .map(el => el.scrollWidth - el.clientWidth)""",
        where,
    )


def default_tables() -> dict[str, str]:
    """E, w and b of PyTorch's default init at the default sizes, as custom tables: real numbers, full precision."""
    params = engine.run(preset(0)).steps[0].params
    names = {"embed_init": "embed.weight", "fc_weight_init": "fc.weight", "fc_bias": "fc.bias"}
    return {
        k: "custom:" + parsing.format_matrix(params[n].reshape(-1, params[n].shape[-1]).tolist())
        for k, n in names.items()
    }


def test_custom_tables_of_the_default_sizes_fit_without_scrolling(sandbox_app, page):
    url, _ = sandbox_app
    query = "&".join(f"{k}={v}" for k, v in default_tables().items())
    page.goto(f"{url}/Sandbox?{query}", timeout=LOAD_MS)
    wait_ready(page)
    page.wait_for_selector("[data-testid='stMain'] [data-testid='stDataFrame'] .dvn-scroller", timeout=LOAD_MS)
    no_errors(page)
    screenshot(page, "custom-tables")
    assert page.locator("[data-testid='stSidebar'] [data-testid='stDataFrame']").count() == 0
    overflow = sideways_overflow(page, "[data-testid='stMain']")
    assert len(overflow) == 3 and all(px <= 1 for px in overflow), overflow  # E 6x3, w 2x3, b 1x2
    page.get_by_text("Compare with a second set-up").click()
    page.wait_for_selector("text=Run B", timeout=LOAD_MS)
    wait_ready(page)
    page.wait_for_function(
        '() => document.querySelectorAll(\'[data-testid="stMain"] [data-testid="stDataFrame"] .dvn-scroller\')'
        ".length >= 6",
        timeout=LOAD_MS,
    )
    overflow = sideways_overflow(page, "[data-testid='stMain']")
    assert all(px <= 1 for px in overflow), overflow  # B's copies of A's tables too
    no_errors(page)
    screenshot(page, "compare-custom-tables")


def test_load_experiment_says_so_and_greys_out_what_the_activation_ignores(sandbox_app, page):
    url, _ = sandbox_app
    page.goto(f"{url}/Sandbox?lr=0.5", timeout=LOAD_MS)
    wait_ready(page)
    sidebar = page.locator("[data-testid='stSidebar']")
    slope = sidebar.get_by_role("spinbutton", name="negative_slope")
    assert slope.is_disabled()  # relu ignores it
    sidebar.get_by_role("button", name="Help for negative_slope").hover()  # its help says why, greyed out or not
    tip = page.locator("[data-testid='stTooltipContent']")
    tip.wait_for(timeout=LOAD_MS)
    assert "used by leaky_relu only" in tip.inner_text(), tip.inner_text()
    page.mouse.move(700, 10)
    assert sidebar.locator("[data-testid='stAlert']").count() == 0
    sidebar.get_by_role("button", name="Load experiment").click()
    page.wait_for_selector("[data-testid='stSidebar'] [data-testid='stAlert']", timeout=LOAD_MS)
    wait_ready(page)
    note = sidebar.locator("[data-testid='stAlert']").inner_text()
    assert "replaced your earlier settings" in note, note
    no_errors(page)
    screenshot(page, "load-experiment")
