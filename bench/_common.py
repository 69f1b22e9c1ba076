"""Helpers shared by the benchmark scripts: start and stop a Streamlit server, the one-line floor app, a
websocket client that speaks Streamlit's protocol, process memory and medians. Loopback only; every server
started here is stopped by the script that started it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENT_PAGE = "pages/1_Zero_embedding_with_bias.py"
HELLO = 'import streamlit as st\n\nst.write("hello")\n'


def page_name(script: str) -> str:
    """The URL path Streamlit gives a pages/ script ("" for the entry page), as the browser sends it."""
    if not script.startswith("pages/"):
        return ""
    from streamlit.source_util import page_icon_and_name

    return page_icon_and_name(Path(script))[1]


def page_script_hash(script: str) -> str:
    """Streamlit's id of a page: calc_hash of its URL path (streamlit/navigation/page.py, Page._script_hash)."""
    from streamlit.util import calc_hash

    return calc_hash(page_name(script))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The least any page like ours can do: import torch, pandas and altair, typeset one equation holding a number
# torch computed, and draw one small Altair chart. It shows how much of a cold start is the libraries and the
# browser's chart and equation code rather than this app.
TORCH_FLOOR = """import altair as alt
import pandas as pd
import streamlit as st
import torch

st.latex(rf"f = w\\,e + b = {float(torch.tensor([0.5, 0.25]).sum()):g}")
st.altair_chart(alt.Chart(pd.DataFrame({"step": [0, 1, 2], "l": [1.0, 0.5, 0.25]})).mark_line().encode(x="step", y="l"))
"""


@contextlib.contextmanager
def hello_app(source: str = HELLO):
    """A temp folder holding a one-file app (the one-line page unless told), served with this project's
    .streamlit/config.toml."""
    with tempfile.TemporaryDirectory(prefix="gfl-hello-") as d:
        (Path(d) / "app.py").write_text(source)
        if (ROOT / ".streamlit" / "config.toml").exists():
            (Path(d) / ".streamlit").mkdir()
            shutil.copy(ROOT / ".streamlit" / "config.toml", Path(d) / ".streamlit" / "config.toml")
        yield Path(d)


class Server:
    """`streamlit run app.py` in `folder` on a free loopback port; a context manager that always stops it."""

    def __init__(self, folder: Path, *options: str):
        self.folder, self.port = Path(folder), free_port()
        self.cmd = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(self.port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            *options,
        ]
        self.proc: subprocess.Popen | None = None
        self.started = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait: bool = True, timeout: float = 120) -> Server:
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            self.cmd, cwd=self.folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        if wait:
            self.wait_healthy(timeout)
        return self

    def wait_healthy(self, timeout: float = 120) -> float:
        """Seconds from start until /_stcore/health answers 200."""
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {' '.join(self.cmd)}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return time.perf_counter() - self.started
            time.sleep(0.05)
        raise TimeoutError(f"server not healthy after {timeout}s")

    def rss_kb(self) -> int:
        return rss_kb(self.proc.pid)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the group this script created for the server
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used (robust to other load on the machine, unlike wall time)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


@dataclass
class PageLoad:
    """What one session saw: seconds to script_finished, messages, bytes, elements, the page that ran."""

    seconds: float = 0.0
    messages: int = 0
    bytes: int = 0
    elements: int = 0
    exceptions: list[str] = field(default_factory=list)
    page_hash: str = ""
    status: int = -1


class Session:
    """One browser tab's websocket, without the browser: connect, ask for a page, read until it finishes."""

    def __init__(self, port: int, timeout: float = 300):
        import websocket

        self.port, self.sent = port, 0.0
        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{port}/_stcore/stream", timeout=timeout, subprotocols=["streamlit"]
        )

    def rerun(self, script: str, query: str = "") -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = query
        cs.page_name = page_name(script)  # what the frontend sends on a deep link; the hash stays empty
        cs.context_info.url = f"http://127.0.0.1:{self.port}/{cs.page_name}" + (f"?{query}" if query else "")
        cs.context_info.timezone = "UTC"
        cs.context_info.locale = "en-US"
        self.sent = time.perf_counter()
        self.ws.send_binary(msg.SerializeToString())

    def read_until_finished(self, since: float) -> PageLoad:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        out = PageLoad()
        while True:
            data = self.ws.recv()
            out.messages += 1
            out.bytes += len(data)
            fm = ForwardMsg()
            fm.ParseFromString(data)
            kind = fm.WhichOneof("type")
            if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                out.elements += 1
                el = fm.delta.new_element
                if el.WhichOneof("type") == "exception":
                    out.exceptions.append(el.exception.message)
            elif kind == "navigation":
                out.page_hash = fm.navigation.page_script_hash
            elif kind == "page_not_found":
                out.exceptions.append("page not found")
            elif kind == "script_finished":
                out.status = fm.script_finished
                out.seconds = time.perf_counter() - since
                return out

    def load(self, script: str, query: str = "") -> PageLoad:
        t0 = time.perf_counter()
        self.rerun(script, query)
        return self.read_until_finished(t0)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ws.close()


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation, as numpy's default."""
    v = sorted(values)
    k = (len(v) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def median(values: list[float]) -> float:
    return statistics.median(values)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def table(headers: list[str], rows: list[list]) -> str:
    """A GitHub markdown table."""
    rule = "|" + "|".join("---:" if i else "---" for i in range(len(headers))) + "|"
    lines = ["| " + " | ".join(headers) + " |", rule]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
