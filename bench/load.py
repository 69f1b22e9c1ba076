"""A class opening the same link at once: N websocket sessions (no browser) ask for an experiment page together.

Runs `streamlit run app.py` and, in the same run, a one-line app (st.write("hello")) served with the same
.streamlit/config.toml as the floor. For each N, a fresh server of each is started, warmed with one page load
(so the cached run exists, as after the teacher's own first visit). Then two bursts of N websocket clients:
"opening", N students opening the link at one moment, each timed from its websocket connect to its
script_finished; and "rerun", N connected sessions sending rerun_script together, each timed from its
rerun_script (the page alone). Server memory per session is the server's RSS with the N opening sessions held
open minus its RSS before, over N; server CPU per session is its CPU time over that burst, over N (robust to
other load on the machine, unlike wall time).

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


def crowd(port: int, script: str, n: int, connected: bool, on_all_done=lambda: None) -> list[PageLoad]:
    """n sessions ask for `script` at one moment. connected=False: each opens its websocket then and is timed from
    the connect (a student opening the link); True: all connect first and each is timed from its rerun_script
    (the page alone). Every session stays open until on_all_done() has returned."""
    sessions: list[Session | None] = [Session(port) if connected else None for _ in range(n)]
    results: list[PageLoad | Exception | None] = [None] * n
    go = threading.Barrier(n + 1)

    def client(k: int) -> None:
        go.wait()
        try:
            t0 = time.perf_counter()
            sessions[k] = sessions[k] or Session(port)
            sessions[k].rerun(script)
            results[k] = sessions[k].read_until_finished(t0 if not connected else sessions[k].sent)
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
            if s:
                s.close()
    bad = [r for r in results if not isinstance(r, PageLoad)]
    if bad:
        raise RuntimeError(f"{len(bad)} of {n} sessions failed: {bad[0]!r}")
    for r in results:
        check(r, script)
    return results


def one_round(folder: Path, script: str, n: int) -> dict:
    """A fresh server: one warm-up visit, then n students opening the link (memory and CPU measured over this
    burst), then n connected sessions rerunning the page together."""
    with Server(folder) as srv:
        warm = Session(srv.port)
        first = warm.load(script)  # the first visit: imports, the engine run, the charts
        check(first, script)
        warm.close()
        time.sleep(1.0)
        before, cpu0 = srv.rss_kb(), srv.cpu_seconds()
        after: list[int] = []
        cpu: list[float] = []

        def measure() -> None:
            cpu.append(srv.cpu_seconds() - cpu0)
            time.sleep(1.0)
            after.append(srv.rss_kb())

        opened = [r.seconds for r in crowd(srv.port, script, n, connected=False, on_all_done=measure)]
        time.sleep(0.5)
        loads = crowd(srv.port, script, n, connected=True)
        reran = [r.seconds for r in loads]
    return {
        "open50": pct(opened, 50),
        "open95": pct(opened, 95),
        "rerun50": pct(reran, 50),
        "rerun95": pct(reran, 95),
        "first": first.seconds,
        "kb_per_session": (after[0] - before) / n,
        "cpu_ms": 1000 * cpu[0] / n,
        "kb_sent": loads[0].bytes / 1024,
        "messages": loads[0].messages,
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
    latency, resources = [], []
    with hello_app() as hello:
        for n in args.sessions:
            runs: dict[str, list[dict]] = {"one-line": [], "app": []}
            for _ in range(args.repeat):  # the two apps interleaved, so both see the same background load
                runs["one-line"].append(one_round(hello, "app.py", n))
                runs["app"].append(one_round(ROOT, args.page, n))
                h, a = runs["one-line"][-1], runs["app"][-1]
                print(
                    f"  N={n}: p95 opening one-line {h['open95']:.3f}s app {a['open95']:.3f}s; "
                    f"rerun one-line {h['rerun95']:.3f}s app {a['rerun95']:.3f}s",
                    flush=True,
                )
            m = {k: {f: median([r[f] for r in v]) for f in v[0]} for k, v in runs.items()}
            h, a = m["one-line"], m["app"]
            ratio = {
                mode: median([x[mode] / y[mode] for x, y in zip(runs["app"], runs["one-line"], strict=True)])
                for mode in ("open95", "rerun95")
            }
            latency.append(
                [n]
                + [f"{d[f]:.3f}" for f in ("open50", "open95") for d in (h, a)]
                + [f"{ratio['open95']:.1f}"]
                + [f"{d[f]:.3f}" for f in ("rerun50", "rerun95") for d in (h, a)]
                + [f"{ratio['rerun95']:.1f}"]
            )
            resources.append(
                [
                    n,
                    f"{h['kb_per_session']:.0f}",
                    f"{a['kb_per_session']:.0f}",
                    f"{h['cpu_ms']:.1f}",
                    f"{a['cpu_ms']:.1f}",
                    f"{h['messages']:.0f}",
                    f"{a['messages']:.0f}",
                    f"{a['kb_sent']:.0f}",
                    f"{a['first']:.2f}",
                ]
            )
    print("\nLatency, seconds (opening: from the websocket connect; rerun: from rerun_script; both to script_finished)")
    print(
        table(
            [
                "N",
                "open p50 1-line",
                "open p50 app",
                "open p95 1-line",
                "open p95 app",
                "open p95 ratio",
                "rerun p50 1-line",
                "rerun p50 app",
                "rerun p95 1-line",
                "rerun p95 app",
                "rerun p95 ratio",
            ],
            latency,
        )
    )
    print("\nServer resources per session (memory: RSS with the N sessions open, minus before, over N)")
    print(
        table(
            [
                "N",
                "KB/session 1-line",
                "KB/session app",
                "CPU ms/session 1-line",
                "CPU ms/session app",
                "messages 1-line",
                "messages app",
                "app KB sent",
                "app first visit s",
            ],
            resources,
        )
    )
    print(f"\nload average after: {load_average()}")


if __name__ == "__main__":
    main()
