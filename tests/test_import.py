"""The core never imports streamlit: importing every explainer module but explainer.views, in a fresh
interpreter, leaves 'streamlit' out of sys.modules."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import explainer

ROOT = Path(__file__).resolve().parents[1]
CORE = {
    "config",
    "registry",
    "parsing",
    "validation",
    "model",
    "engine",
    "by_hand",
    "verdicts",
    "claims",
    "experiments",
    "tables",
    "equations",
    "text",
    "__main__",
}


def core_modules() -> list[str]:
    found = {m.name for m in pkgutil.iter_modules(explainer.__path__)} - {"views"}
    assert CORE <= found  # the discovery sees at least the modules named in the design
    return sorted(f"explainer.{name}" for name in found)


def test_importing_the_core_leaves_streamlit_out():
    names = ["explainer", *core_modules()]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.'))\n"
        "print('imported', len(sys.modules), 'leaked', leaked)\n"
        "sys.exit(1 if leaked else 0)\n"
    )
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "leaked []" in p.stdout
