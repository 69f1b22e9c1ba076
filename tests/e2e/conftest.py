"""Fixtures for the browser tests: one `streamlit run app.py` server and one headless chromium for the session.

The server's first page request is a deep link (an experiment page with ?step=2), made here in the fixture, so it
stays the first request whichever tests are selected; the test that checks it reads what that visit saw.
Without /usr/bin/chromium every browser test skips, saying how to install it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.e2e.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.server import ROOT, streamlit_server

VIEWPORT = {"width": 1400, "height": 4500}  # tall: the main area scrolls inside a container, not the window
READY = "[data-testid='stApp'][data-test-script-state='notRunning']"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
DEEP_LINK = ("Leaky_relu", 3, 2)  # (page path, experiment, step) of the server's first request
LOAD_TIMEOUT_MS = 90_000


def wait_ready(page) -> None:
    """The script has run to the end and the title is drawn."""
    page.wait_for_selector(READY, timeout=LOAD_TIMEOUT_MS)
    page.wait_for_selector("h1", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_selector(READY, timeout=LOAD_TIMEOUT_MS)


def menu(page) -> list[tuple[str, str]]:
    """The sidebar menu as (label, URL path) pairs; a label follows its icon's ligature name, if it has one."""
    links = page.locator("[data-testid='stSidebarNav'] a")
    labels = [text.split("\n")[-1] for text in links.all_inner_texts()]
    return list(zip(labels, links.evaluate_all("els => els.map(e => new URL(e.href).pathname)"), strict=True))


@dataclass
class LiveApp:
    url: str
    first_visit: dict = field(default_factory=dict)  # what the deep link showed as the server's first request


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"needs {CHROMIUM}: apt-get install -y chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright: pip install playwright")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def live_app(browser, tmp_path_factory):
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    with streamlit_server(log) as url:
        yield LiveApp(url, first_visit=_visit_deep_link(browser, url))


def _visit_deep_link(browser, url: str) -> dict:
    path, n, step = DEEP_LINK
    ctx = browser.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    try:
        page.goto(f"{url}/{path}?step={step}", timeout=LOAD_TIMEOUT_MS)
        wait_ready(page)
        page.wait_for_selector(".katex", timeout=LOAD_TIMEOUT_MS)
        return {
            "path": path,
            "experiment": n,
            "step": step,
            "url": page.url,
            "title": page.locator("h1").first.inner_text(),
            "slider": page.locator("[data-testid='stSlider'] input[type='range']").first.get_attribute("value"),
            "headings": page.locator("h3").all_inner_texts(),
            "tex": page.locator(".katex-mathml annotation").all_text_contents(),
            "exceptions": page.locator("[data-testid='stException']").count(),
            "menu": menu(page),
        }
    finally:
        ctx.close()


@pytest.fixture(scope="session")
def page_ready():
    """wait_ready, for the tests: `page_ready(page)` after every goto."""
    return wait_ready


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def new_page(browser):
    ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = ctx.new_page()
    yield page
    ctx.close()
