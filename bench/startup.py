"""Cold start: from `streamlit run` to the first experiment page drawn in chromium, beside two reference apps.

The references: the one-line app (st.write("hello")), the floor Streamlit itself sets; and the torch floor, the
least a page like ours can do (import torch, pandas and altair, typeset one equation, draw one Altair chart), which
shows how much of the cold start is those libraries and the browser's equation and chart code rather than the app.
Each trial starts a fresh server (a new process: nothing imported, nothing cached) and, in an already open
headless chromium, a new browser context (no HTTP cache) that opens the page as soon as /_stcore/health answers.
A page counts as drawn when KaTeX has typeset an equation and a Vega chart has drawn marks; the one-line app when
"hello" is on screen. The apps take turns, so all see the same background load.

    python bench/startup.py              # 3 trials each, medians
    python bench/startup.py --trials 5

Needs chromium at /usr/bin/chromium (playwright's python package drives it). Loopback only.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the project root: tests.e2e.chromium
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    EXPERIMENT_PAGE,
    ROOT,
    TORCH_FLOOR,
    Server,
    hello_app,
    load_average,
    median,
    page_name,
    table,
)

from tests.e2e.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

TIMEOUT_MS = 180_000
CHART_DRAWN = "[data-testid='stVegaLiteChart'] [role='graphics-symbol'], [data-testid='stVegaLiteChart'] canvas"


def trial(browser, folder: Path, script: str, text: str | None = None) -> dict:
    """Seconds from `streamlit run` to: health answering, the page's first paint, the page drawn."""
    srv = Server(folder)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        srv.start(wait=False)
        healthy = srv.wait_healthy(timeout=TIMEOUT_MS / 1000)
        page = context.new_page()
        page.goto(f"{srv.url}/{page_name(script)}", timeout=TIMEOUT_MS)
        page.wait_for_selector("[data-testid='stApp']", timeout=TIMEOUT_MS)
        shell = time.perf_counter() - srv.started
        if text:
            page.get_by_text(text).first.wait_for(timeout=TIMEOUT_MS)
        else:
            page.wait_for_selector(".katex", timeout=TIMEOUT_MS)
            page.wait_for_selector(CHART_DRAWN, timeout=TIMEOUT_MS)
        drawn = time.perf_counter() - srv.started
        if page.locator("[data-testid='stException']").count():
            raise RuntimeError(f"{script}: the page shows an exception")
        return {"healthy": healthy, "shell": shell, "drawn": drawn}
    finally:
        context.close()
        srv.stop()


def main(argv: list[str] | None = None) -> None:
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trials", type=int, default=3)
    ap.add_argument("--page", default=EXPERIMENT_PAGE)
    args = ap.parse_args(argv)
    print(f"load average before: {load_average()}; page: {args.page}; trials: {args.trials}", flush=True)
    runs: dict[str, list[dict]] = {"one-line": [], "torch floor": [], "app": []}
    with hello_app() as hello, hello_app(TORCH_FLOOR) as floor, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            for k in range(args.trials):
                runs["one-line"].append(trial(browser, hello, "app.py", text="hello"))
                runs["torch floor"].append(trial(browser, floor, "app.py"))
                runs["app"].append(trial(browser, ROOT, args.page))
                print(
                    f"  trial {k + 1}: " + ", ".join(f"{n} {v[-1]['drawn']:.2f} s" for n, v in runs.items()), flush=True
                )
        finally:
            browser.close()
    rows = []
    for name, v in runs.items():
        rows.append([name] + [f"{median([r[f] for r in v]):.2f}" for f in ("healthy", "shell", "drawn")])
    print()
    print(table(["app", "server healthy s", "page shell s", "page drawn s"], rows))
    print()
    for a, b in (("app", "one-line"), ("torch floor", "one-line"), ("app", "torch floor")):
        ratios = [x["drawn"] / y["drawn"] for x, y in zip(runs[a], runs[b], strict=True)]
        print(
            f"cold start ratio {a} / {b} (drawn): median {median(ratios):.2f} ({', '.join(f'{r:.2f}' for r in ratios)})"
        )
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
