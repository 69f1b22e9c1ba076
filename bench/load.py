"""A class opening the same link at once: N websocket sessions (no browser) ask for an experiment page together.

Runs `streamlit run app.py` and, in the same run, a one-line app (st.write("hello")) served with the same
.streamlit/config.toml as the floor. For each N, a fresh server of each is started, warmed with one page load
(so the cached run exists, as after the teacher's own first visit), then N websocket clients connect and send
rerun_script for the page at the same moment; each times from its rerun_script to its script_finished message.
Server memory per session is the server's RSS with the N sessions held open minus its RSS before, over N;
server CPU per session is the server's CPU time over the burst, over N (robust to other load on the machine).

    python bench/load.py                    # N = 10, 30, 60, one round
    python bench/load.py --repeat 3         # medians over three rounds
    python bench/load.py --sessions 60 --page pages/3_Leaky_relu.py

Loopback only, at most 100 sessions, and every server is stopped before the script ends.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    EXPERIMENT_PAGE,
    ROOT,
    PageLoad,
    Server,
    Session,
    hello_app,
    load_average,
    median,
    page_script_hash,
    pct,
    table,
)

MAX_SESSIONS = 100


def check(pl: PageLoad, script: str) -> None:
    if pl.exceptions or pl.status != 0:
        raise RuntimeError(f"{script}: status {pl.status}, errors {pl.exceptions[:3]}")
    if script != "app.py" and pl.page_hash != page_script_hash(script):
        raise RuntimeError(f"{script}: the server ran page {pl.page_hash}, not {page_script_hash(script)}")


def crowd(port: int, script: str, n: int, on_all_done) -> list[PageLoad]:
    """n sessions connect (n tabs that have loaded the app's HTML), then ask for `script` at one moment; each is
    timed from its rerun_script to its script_finished. All stay open until on_all_done() has returned."""
    sessions = [Session(port) for _ in range(n)]
    results: list[PageLoad | Exception | None] = [None] * n
    go = threading.Barrier(n + 1)

    def client(k: int) -> None:
        go.wait()
        try:
            results[k] = sessions[k].load(script)
        except Exception as exc:  # reported below
            results[k] = exc

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(n)]
    try:
        for t in threads:
            t.start()
        go.wait()
        for t in threads:
            t.join(600)
        on_all_done()
    finally:
        for s in sessions:
            s.close()
    bad = [r for r in results if not isinstance(r, PageLoad)]
    if bad:
        raise RuntimeError(f"{len(bad)} of {n} sessions failed: {bad[0]!r}")
    for r in results:
        check(r, script)
    return results


def one_round(folder: Path, script: str, n: int) -> dict:
    with Server(folder) as srv:
        warm = Session(srv.port)
        first = warm.load(script)  # the first visit: imports, the engine run, the charts
        check(first, script)
        warm.close()
        time.sleep(1.0)
        before, cpu0 = srv.rss_kb(), srv.cpu_seconds()
        after: list[int] = []
        cpu: list[float] = []

        def measure_memory() -> None:
            cpu.append(srv.cpu_seconds() - cpu0)
            time.sleep(1.0)
            after.append(srv.rss_kb())

        loads = crowd(srv.port, script, n, measure_memory)
    secs = [r.seconds for r in loads]
    return {
        "p50": pct(secs, 50),
        "p95": pct(secs, 95),
        "max": max(secs),
        "first": first.seconds,
        "kb_per_session": (after[0] - before) / n,
        "cpu_ms": 1000 * cpu[0] / n,
        "rss_mb": after[0] / 1024,
        "base_mb": before / 1024,
        "kb_sent": loads[0].bytes / 1024,
        "elements": loads[0].elements,
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, nargs="+", default=[10, 30, 60])
    ap.add_argument("--repeat", type=int, default=1, help="rounds per N; the figures are medians over rounds")
    ap.add_argument("--page", default=EXPERIMENT_PAGE, help="the page every session asks for")
    args = ap.parse_args(argv)
    if max(args.sessions) > MAX_SESSIONS or min(args.sessions) < 1:
        ap.error(f"sessions must be 1..{MAX_SESSIONS}")
    print(f"load average before: {load_average()}; page: {args.page}; rounds: {args.repeat}", flush=True)
    rows = []
    with hello_app() as hello:
        for n in args.sessions:
            runs = {"one-line": [], "app": []}
            for _ in range(args.repeat):  # the two apps interleaved, so both see the same background load
                runs["one-line"].append(one_round(hello, "app.py", n))
                runs["app"].append(one_round(ROOT, args.page, n))
                print(
                    f"  N={n}: one-line p95 {runs['one-line'][-1]['p95']:.3f}s, app p95 {runs['app'][-1]['p95']:.3f}s",
                    flush=True,
                )
            m = {k: {f: median([r[f] for r in v]) for f in v[0]} for k, v in runs.items()}
            ratios = [a["p95"] / h["p95"] for a, h in zip(runs["app"], runs["one-line"], strict=True)]
            rows.append(
                [
                    n,
                    f"{m['one-line']['p50']:.3f}",
                    f"{m['one-line']['p95']:.3f}",
                    f"{m['app']['p50']:.3f}",
                    f"{m['app']['p95']:.3f}",
                    f"{median(ratios):.2f}",
                    f"{m['one-line']['kb_per_session']:.0f}",
                    f"{m['app']['kb_per_session']:.0f}",
                    f"{m['one-line']['cpu_ms']:.0f}",
                    f"{m['app']['cpu_ms']:.0f}",
                    f"{m['app']['kb_sent']:.0f}",
                    f"{m['app']['first']:.2f}",
                ]
            )
    print()
    print(
        table(
            [
                "N",
                "one-line p50 s",
                "one-line p95 s",
                "app p50 s",
                "app p95 s",
                "p95 ratio",
                "one-line KB/session",
                "app KB/session",
                "one-line server CPU ms/session",
                "app server CPU ms/session",
                "app KB sent/session",
                "app first load s",
            ],
            rows,
        )
    )
    print(f"\nload average after: {load_average()}")


if __name__ == "__main__":
    main()
