"""What each import brings in, checked in a fresh interpreter: the core never imports streamlit; what a page needs
for its header never imports torch, pandas or altair; a run never loads torch._dynamo (a second of start-up)."""

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
    "optim",
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


def leaked(code: str, prefixes: tuple[str, ...]) -> list[str]:
    """Run `code` in a fresh interpreter; the modules then loaded that are, or are inside, one of `prefixes`."""
    probe = (
        f"{code}\n"
        "import sys\n"
        f"print(sorted(m for m in sys.modules if any(m == p or m.startswith(p + '.') for p in {prefixes!r})))\n"
    )
    p = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert p.returncode == 0, p.stdout + p.stderr
    return eval(p.stdout.strip().splitlines()[-1])  # a printed list of str


def test_importing_the_core_leaves_streamlit_out():
    names = ["explainer", *core_modules()]
    assert leaked(f"import importlib\nfor name in {names!r}:\n    importlib.import_module(name)", ("streamlit",)) == []


def test_the_probe_sees_a_leak():
    assert "streamlit" in leaked("import explainer.views", ("streamlit",))


HEAVY = ("torch", "pandas", "altair")


def test_a_page_header_needs_none_of_torch_pandas_altair():
    code = "import explainer.views, explainer.views.url, explainer.config, explainer.experiments, explainer.registry"
    assert leaked(code, HEAVY) == []
    assert set(leaked(code + "\nimport explainer.views.panels", HEAVY)) >= set(HEAVY)  # the probe does see them


def test_a_run_with_each_optimizer_leaves_torch_dynamo_unloaded():
    code = (
        "from explainer import engine, registry\n"
        "from explainer.config import preset\n"
        "for n in range(6):\n"
        "    for name in registry.OPTIMIZERS:\n"
        "        engine.run(preset(n).replace(optimizer=name))\n"
    )
    assert leaked(code, ("torch._dynamo",)) == []
    assert leaked("import torch\ntorch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)", ("torch._dynamo",))


def test_each_registry_name_has_its_functions():
    from explainer import by_hand, model, optim, registry

    assert set(registry.OPTIMIZERS) == set(optim.BY_NAME)
    assert set(registry.ACTIVATIONS) == set(by_hand.SLOPES) == set(model.FORWARD) | {"relu"}
