"""The Sandbox page: set up any run with widgets, share it as a link, compare it with a second set-up.

The URL is the config: on a session's first load the widgets start from the query string, and from then on the
query string follows the widgets (only the keys that differ from the preset, as config.to_params writes them).
Every value goes through the core's one validation (config.from_params); a bad one is named on screen while the
last good run stays in view. `controls=hide` (the teacher's link) shows the run without any settings. The run
itself is drawn by panels.show_run, the same as on the experiment pages.
"""

from __future__ import annotations

import streamlit as st

from explainer.config import ConfigError, RunConfig, from_params, preset, record_numbers, to_params
from explainer.experiments import EXPERIMENTS
from explainer.views import pages, panels, sandbox_compare, sandbox_controls, sandbox_inits, state, url
from explainer.views.sandbox_controls import GOOD, P

INTRO = (
    "Set up any run of e = E[x], f = w·e + b, r = act(f), l = mse(r, y) in the sidebar: sizes, the batch, every "
    "init, the activation and the optimizer. Start from one of the five experiments, change one thing, and see "
    "who learns. The address bar always holds this exact run (the sidebar's settings; a comparison with a second "
    "set-up is not part of it): copy it, or the link under 'Share this set-up', to share it."
)
CLAIMS_NOTE = (
    "The preset's claims, checked further down, were made for the preset's own settings: with the changes above "
    "some may fail, and seeing which ones is the point of changing them."
)
BIG_RUN = 200_000  # numbers in the record above which the page shows a progress bar rather than a spinner
LINK = P + "link"  # (config, errors) from the URL of the session's first load


def sandbox_page() -> None:
    pages.menu_from_app()
    st.set_page_config(page_title="Sandbox · Gradient Flow Lab", layout="wide")
    st.title("Sandbox")
    first_load()
    if st.query_params.get("controls") == "hide":  # the teacher's link: the URL is the whole set-up
        config, errors = url.config_from_url(preset(0))
        pages.link_notice(errors)
        describe(config)
        return show(config, with_predict=False)
    st.caption(INTRO)
    link_config, link_errors = st.session_state[LINK]
    sandbox_controls.seed(st.session_state[GOOD])  # fills in widgets new this run (back from another page)
    tables = sandbox_inits.table_columns()  # custom init tables: the sidebar is too narrow for them
    with st.sidebar:
        st.header("Settings")
        sandbox_controls.load_experiment()
        params = sandbox_controls.settings(st.session_state[GOOD], tables)
    config = validated(params)
    if config == link_config:
        pages.link_notice(link_errors)
    sync_url(config)
    shown = sandbox_compare.section(config)
    describe(shown)
    show(shown, with_predict=True)


def first_load() -> None:
    """Once per session: the URL's config becomes the last good config and the widgets' starting values."""
    if GOOD in st.session_state:
        return
    config, errors = url.config_from_url(preset(0))
    st.session_state[GOOD] = config
    st.session_state[LINK] = (config, errors)
    sandbox_controls.seed(config, force=True)


def validated(params: dict[str, str]) -> RunConfig:
    """The widgets' config when every value is allowed; otherwise say which are not and keep the last good one."""
    try:
        config = from_params(params)
    except ConfigError as exc:
        for msg in exc.errors.values():
            st.error(url.safe(msg), icon=":material/error:")
        st.info("Showing the last run whose settings were all allowed. It updates as soon as the settings are fixed.")
        return st.session_state[GOOD]
    st.session_state[GOOD] = config
    return config


def sync_url(c: RunConfig) -> None:
    """Keep the query string equal to to_params(c), keeping the page's own keys (step, sample)."""
    want = to_params(c)
    have = {k: st.query_params.get(k) for k in st.query_params if k not in url.VIEW_KEYS}
    if have != want:
        keep = {k: st.query_params.get(k) for k in url.VIEW_KEYS if k in st.query_params}
        st.query_params.from_dict({**want, **keep})


def describe(c: RunConfig) -> None:
    """One line naming the run: its preset and every setting that differs from it."""
    base = f"experiment {c.experiment} ({EXPERIMENTS[c.experiment].title})" if c.experiment else "PyTorch's defaults"
    changes = [f"{k} = {v if len(v) <= 60 else v[:57] + '...'}" for k, v in to_params(c).items() if k != "experiment"]
    st.markdown(f"**This run:** {url.safe(base + (', with ' + '; '.join(changes) if changes else ''))}")
    if c.experiment and changes:
        st.caption(CLAIMS_NOTE)


def warm(c: RunConfig) -> None:
    """A large run gets a progress bar through its stages (run, then verdicts and charts); a small one gets
    show_run's spinner. Both calls fill the cache that show_run then reads."""
    n = record_numbers(c)
    if n < BIG_RUN:
        return
    key = state.key_of(c)
    bar = st.progress(0, text=f"Running {c.steps} steps ({n:,} numbers to record)...")
    state.get_run(key)
    bar.progress(60, text="Working out the verdicts and the charts...")
    state.run_view(key)
    bar.progress(100, text="Done")
    bar.empty()


def show(c: RunConfig, with_predict: bool) -> None:
    warm(c)
    panels.show_run(c, "gfl_sb", with_predict=with_predict)
