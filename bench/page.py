"""What one student's rerun costs the server, measured with AppTest in one process, beside the one-line page.

For each experiment page: the first run with empty caches (the engine run, the charts), a warm rerun of the same
session, a new session on warm caches (a second student), and the step panel's moves: the slider to the last
step (not drawn yet), the sample changed there, and the slider back to step 0 (drawn at the first load, with the
other sample). Across each move it counts the calls to the engine and to the chart builders, to show that a move
reruns neither the engine nor a chart whose numbers did not change. AppTest has no fragment-only reruns, so these
figures rerun the whole page: an upper bound on the server's rerun of the step fragment.

    python bench/page.py                 # every experiment page, 5 timed repeats each
    python bench/page.py --pages 1 --repeat 9

Figures are medians; run it from the project root so the app's .streamlit/config.toml applies.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import HELLO, load_average, table  # noqa: E402

TIMEOUT = 300
PAGES = {int(p.name.split("_", 1)[0]): f"pages/{p.name}" for p in sorted((ROOT / "pages").glob("[1-5]_*.py"))}


def timed(fn, *args) -> float:
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


def checked(at):
    at.run()
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    return at


@contextlib.contextmanager
def counting():
    """Count calls to the engine and the chart builders (wrapped where the views look them up)."""
    from explainer import charts, engine, graph
    from explainer.views import state

    calls: collections.Counter = collections.Counter()
    targets = [
        (engine, "run", "engine.run"),
        (state, "run_engine", "engine.run"),
        (charts, "heatmap", "heatmap"),
        (charts, "weights_over_time", "weights_over_time"),
        (charts, "loss_curve", "loss_curve"),
        (graph, "dot", "graph.dot"),
    ]
    saved = []
    for module, name, label in targets:
        original = getattr(module, name)
        saved.append((module, name, original))

        def wrapper(*a, _f=original, _label=label, **k):
            calls[_label] += 1
            return _f(*a, **k)

        setattr(module, name, wrapper)
    try:
        yield calls
    finally:
        for module, name, original in saved:
            setattr(module, name, original)


def open_page(n: int):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page(PAGES[n])
    return at


def one_line(repeat: int) -> dict:
    from streamlit.testing.v1 import AppTest

    with tempfile.TemporaryDirectory(prefix="gfl-hello-") as d:
        script = Path(d) / "app.py"
        script.write_text(HELLO)
        at = AppTest.from_file(str(script), default_timeout=TIMEOUT)
        first = timed(lambda: checked(at))
        warm = statistics.median(timed(lambda: checked(at)) for _ in range(repeat))
        new = statistics.median(
            timed(lambda: checked(AppTest.from_file(str(script), default_timeout=TIMEOUT))) for _ in range(repeat)
        )
    return {"first": first, "warm": warm, "new": new}


def move(at, n: int, step: int | None = None, sample: int | None = None):
    if step is not None:
        at.slider(key=f"gfl_exp{n}_step").set_value(step)
    if sample is not None:
        at.selectbox(key=f"gfl_exp{n}_sample").set_value(sample)
    return checked(at)


def slider_move(n: int, repeat: int) -> dict:
    """Seconds for a slider move to the last step (not drawn yet), a change to sample 1 there, and a move back
    to step 0 (drawn at the first load, with sample 0); and the engine and builder calls of each."""
    import streamlit as st

    secs: dict[str, list[float]] = {"new": [], "sample": [], "seen": []}
    calls: dict[str, dict] = {}
    for _ in range(repeat):
        st.cache_data.clear()
        at = checked(open_page(n))
        last = at.slider(key=f"gfl_exp{n}_step").max
        for name, step, sample in (("new", last, None), ("sample", None, 1), ("seen", 0, None)):
            with counting() as counted:
                secs[name].append(timed(move, at, n, step, sample))
            calls[name] = dict(counted)
    return {name: statistics.median(v) for name, v in secs.items()} | {"calls": calls}


def page_figures(n: int, repeat: int) -> dict:
    import streamlit as st

    cold = []
    for _ in range(max(3, repeat // 2)):
        st.cache_data.clear()
        cold.append(timed(lambda: checked(open_page(n))))
    at = checked(open_page(n))
    warm = statistics.median(timed(lambda: checked(at)) for _ in range(repeat))
    new = statistics.median(timed(lambda: checked(open_page(n))) for _ in range(repeat))
    return {"cold": statistics.median(cold), "warm": warm, "new": new, "moves": slider_move(n, max(3, repeat // 2))}


def calls_text(calls: dict) -> str:
    names = ("engine.run", "weights_over_time", "loss_curve", "heatmap", "graph.dot")
    return ", ".join(f"{k} {calls.get(k, 0)}" for k in names)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, nargs="+", default=sorted(PAGES))
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    from streamlit.logger import set_log_level

    set_log_level("error")  # AppTest outside a server warns on every run
    print(f"load average before: {load_average()}; repeats: {args.repeat}", flush=True)
    t0 = time.perf_counter()
    first = timed(lambda: checked(open_page(args.pages[0])))  # imports torch, pandas, altair: the server's first visit
    floor = one_line(args.repeat)
    rows, moves = [], []
    for n in args.pages:
        f = page_figures(n, args.repeat)
        m = f["moves"]
        rows.append(
            [n]
            + [
                f"{x * 1000:.0f}"
                for x in (f["cold"], f["warm"], f["new"], m["new"], m["sample"], m["seen"], floor["warm"])
            ]
            + [f"{f['warm'] / floor['warm']:.1f}"]
        )
        moves.append([n] + [calls_text(m["calls"][k]) for k in ("new", "sample", "seen")])
        print(f"  page {n} done", flush=True)
    ms = {k: f"{v * 1000:.0f} ms" for k, v in floor.items()}
    print(
        f"\nfirst page in a fresh process (imports included): {first:.2f} s; one-line page first run: "
        f"{ms['first']}, rerun {ms['warm']}, new session {ms['new']}\n"
    )
    print(
        table(
            [
                "page",
                "cold (empty cache) ms",
                "warm rerun ms",
                "new session ms",
                "slider to a new step ms",
                "sample change ms",
                "slider back to step 0 ms",
                "one-line rerun ms",
                "warm rerun / one-line",
            ],
            rows,
        )
    )
    print("\nCalls across one slider move (AppTest reruns the whole page; the server reruns only the step fragment):\n")
    print(
        table(
            [
                "page",
                "slider to a new step",
                "sample change at that step",
                "slider back to step 0 (drawn, other sample)",
            ],
            moves,
        )
    )
    print(f"\ntotal {time.perf_counter() - t0:.0f} s; load average after: {load_average()}")


if __name__ == "__main__":
    main()
