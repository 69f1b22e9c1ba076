"""Share links: the whole config in the query string, with exactly the contract keys.

- any valid config survives config -> urlencode(to_params) -> parse_qs -> from_params;
- the sandbox opened on such a link shows that config, and writing its widgets back gives the same link;
- the link the page offers reproduces the run number for number as `python -m explainer export --param ...`;
- every experiment page and the sandbox offer the link and the teacher's link (controls=hide).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from explainer import engine
from explainer.config import KEYS, from_params, preset, to_params
from explainer.equations import equations, latex_block, split
from explainer.tables import to_csv
from explainer.views.panels import share_key
from explainer.views.url import VIEW_KEYS
from tests.reference import configs

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120
PAGE_URL = "http://localhost:8501/Sandbox"
any_config = st.integers(0, 5).flatmap(lambda n: configs(experiment=n))


def link_params(link: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(link).query, keep_blank_values=True).items()}


@settings(max_examples=300, deadline=None)
@given(any_config)
def test_config_round_trips_through_a_query_string(c):
    query = urlencode(to_params(c))
    params = parse_qs(query, keep_blank_values=True)
    assert set(params) <= set(KEYS)
    assert all(len(v) == 1 for v in params.values())
    assert from_params(params) == c


@settings(max_examples=100, deadline=None)
@given(any_config)
def test_to_params_holds_only_what_differs_from_the_preset(c):
    params = to_params(c)
    base = preset(c.experiment)
    for key in KEYS[1:]:
        assert (key in params) == (getattr(c, key) != getattr(base, key))


def open_sandbox(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page("pages/6_Sandbox.py")
    at.context["url"] = PAGE_URL
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def shown_latex(at: AppTest) -> list[str]:
    return [x.value.strip().removeprefix("$$").removesuffix("$$").strip() for x in at.latex]


def offered_links(at: AppTest, ns: str = "gfl_sb") -> list[str]:
    """Open the share expander (its links are drawn only while it is open) and read the links."""
    assert not [c for c in at.code if c.value.startswith("http")], "links drawn in a closed expander"
    at.session_state[share_key(ns)] = True
    at.run()
    return [c.value for c in at.code if c.value.startswith("http")]


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_config)
def test_sandbox_reproduces_any_link_and_writes_it_back_unchanged(c):
    at = open_sandbox(to_params(c))
    assert not at.exception, at.exception
    assert not at.error and not at.warning, [m.value for m in (*at.error, *at.warning)]
    assert {k: v for k, v in at.query_params.items() if k not in VIEW_KEYS} == to_params(c)
    assert shown_latex(at) == [latex_block(part) for part in split(equations(engine.run(c), 0, 0)) if part]
    at.run()  # a rerun builds the config from the widgets alone
    assert {k: v for k, v in at.query_params.items() if k not in VIEW_KEYS} == to_params(c)


LINK = {
    "experiment": "2",
    "relu_grad_at_zero": "1",
    "tokens": "1,2,2,5",
    "embed_init": "normal:0.5",
    "lr": "0.5",
    "seed": "7",
    "steps": "4",
}


def cli_export(params: dict[str, str]) -> str:
    args = [a for k, v in params.items() for a in ("--param", f"{k}={v}")]
    done = subprocess.run(
        [sys.executable, "-m", "explainer", "export", *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_offered_link_reproduces_the_cli_export_number_for_number():
    at = open_sandbox(LINK)
    share, teacher = offered_links(at)
    assert share.startswith(PAGE_URL + "?") and "controls" not in share
    assert link_params(teacher) == {**link_params(share), "controls": "hide"}
    params = {k: v for k, v in link_params(share).items() if k not in VIEW_KEYS}
    assert params == to_params(from_params(LINK))
    c = from_params(params)
    csv = cli_export(params)
    assert csv == to_csv(engine.run(c))
    assert cli_export(LINK) == csv  # the same keys, as typed, give the same run
    assert shown_latex(at) == [latex_block(part) for part in split(equations(engine.run(c), 0, 0)) if part]


def test_teacher_link_from_the_page_opens_the_same_run_without_settings():
    at = open_sandbox(LINK)
    teacher = offered_links(at)[1]
    shown = shown_latex(at)
    fresh = open_sandbox(link_params(teacher))
    assert not fresh.exception
    assert shown_latex(fresh) == shown
    assert not fresh.number_input and not fresh.text_input and not fresh.toggle


def test_link_follows_the_widgets_the_step_and_the_sample():
    at = open_sandbox({})
    at.selectbox(key="gfl_sb_activation").set_value("leaky_relu").run()
    at.number_input(key="gfl_sb_lr").set_value(0.3).run()
    at.slider(key="gfl_sb_step").set_value(3).run()
    at.selectbox(key="gfl_sb_sample").set_value(2).run()
    want = {"activation": "leaky_relu", "lr": "0.3", "step": "3", "sample": "2"}
    assert at.query_params == want
    share = offered_links(at)[0]
    assert link_params(share) == want
    fresh = open_sandbox(link_params(share))  # the link opens the same step and sample
    assert shown_latex(fresh) == shown_latex(at)
    assert "Equations at step 3, sample 2" in [m.value.split("\n")[0].lstrip("# ") for m in fresh.markdown]


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_every_experiment_page_offers_both_links(n):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page(next(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob(f"{n}_*.py")))
    at.context["url"] = f"http://localhost:8501/page{n}"
    at.run()
    share, teacher = offered_links(at, f"gfl_exp{n}")
    assert from_params({k: v for k, v in link_params(share).items() if k not in VIEW_KEYS}) == preset(n)
    assert link_params(teacher)["controls"] == "hide"
