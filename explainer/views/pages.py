"""Page layouts: Home and the experiment pages. A page script calls one function from here; app.py lists the
pages (with NAV_LABELS as their titles) for st.navigation, which draws the sidebar menu.

Each page draws its header (title, set-up, question) before it imports panels and state, which bring in torch,
pandas and altair: on a server that has just started, the student reads the question while those load.
"""

from __future__ import annotations

import streamlit as st

from explainer.config import preset, to_params
from explainer.experiments import EXPERIMENTS
from explainer.views import url

PAGE_FILES = {
    1: "pages/1_Zero_embedding_with_bias.py",
    2: "pages/2_Zero_embedding_no_bias.py",
    3: "pages/3_Leaky_relu.py",
    4: "pages/4_Zero_fc_weights.py",
    5: "pages/5_All_ones.py",
    6: "pages/6_Sandbox.py",
}

NETWORK = r"e = E[x] \qquad f = w\,e + b \qquad r = \mathrm{relu}(f) \qquad l = \tfrac{1}{N}\textstyle\sum (r - y)^2"
BACKWARD = (
    r"dr = \tfrac{2}{N}(r - y) \quad df = dr \odot \mathrm{relu}'(f) \quad "
    r"dw = \textstyle\sum_{\text{batch}} df^\top e \quad db = \textstyle\sum_{\text{batch}} df \quad "
    r"dx = df\,w \quad de[x] \mathrel{+}= dx"
)

INTRO = """
An embedding table that starts at exactly zero looks hopeless: every looked-up vector is zero, so what could
its gradient be? This lab runs the tiny network below for a few optimizer steps and shows every forward value
and every gradient, with the numbers filled in, so you can see for yourself when learning starts, when it waits
a step, and when it never starts at all.

Each experiment page asks one question. Predict the answer, then step through the run. Every statement on the
pages is computed from the run you are looking at, and every hand-derived gradient is checked against PyTorch's
autograd.
"""


NAV_LABELS = {0: "Home", **{n: f"{n}. {ex.title}" for n, ex in EXPERIMENTS.items()}, 6: "Sandbox"}


def menu() -> st.Page:
    """Streamlit's sidebar menu, from NAV_LABELS: Home, the experiments, the sandbox. Returns the page the URL
    names; app.py runs it."""
    return st.navigation(
        [
            st.Page(home_page, title=NAV_LABELS[0], icon=":material/home:", default=True),
            *(st.Page(path, title=NAV_LABELS[n]) for n, path in PAGE_FILES.items()),
        ]
    )


def menu_from_app() -> None:
    """While pages/ exists, Streamlit runs a deep-linked page on its own, with a menu made from the file names
    ("app", ...), until some visit has run app.py in this server process (and AppTest starts every run that way).
    A page run like that draws app.py's menu itself, so the first visitor after a restart sees the same menu as
    everyone else (tests/e2e opens a deep link first). Calling st.navigation also switches the process over."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        menu()


def link_notice(errors: dict[str, str]) -> None:
    for msg in errors.values():
        st.warning(f"Ignored a setting from the link: {url.safe(msg)}")


def experiment_page(n: int) -> None:
    menu_from_app()
    ex = EXPERIMENTS[n]
    ns = f"gfl_exp{n}"
    st.set_page_config(page_title=f"{n}. {ex.title} · Gradient Flow Lab", layout="wide")
    st.title(f"Experiment {n}: {ex.title}")
    config, errors = url.config_from_url(preset(n), forced={"experiment": n})
    link_notice(errors)
    for key in errors:  # dropped from the run, so dropped from the address bar a teacher may copy
        if key in st.query_params:
            del st.query_params[key]
    st.markdown(f"**Set-up:** {ex.setup}")
    st.info(f"**Question:** {ex.question}")
    hidden = st.query_params.get("controls") == "hide"
    if not hidden and st.toggle(
        f"What if: {ex.what_if_label}",
        key=f"{ns}_whatif",
        help="Changes the run with one click; the verdict and claims below follow it",
    ):
        config = config.replace(**ex.what_if)
    changed = {k: v for k, v in to_params(config).items() if k != "experiment"}
    if changed:
        listed = ", ".join(f"{k} = {v}" for k, v in changed.items())
        st.markdown(f"**This run changes the preset:** {url.safe(listed)}")
    st.caption(ex.note)
    from explainer.views import panels  # the heavy imports, after the header is on its way to the browser

    panels.show_run(config, ns, with_predict=not hidden)


def _status_cell(v: dict | None) -> str:
    from explainer.views import panels

    return "no bias" if v is None else panels.status_text(v)


def home_page() -> None:
    st.set_page_config(page_title="Gradient Flow Lab", layout="wide")
    st.title("Gradient Flow Lab")
    st.markdown(INTRO)
    st.latex(NETWORK)
    st.latex(BACKWARD)
    st.caption(
        "x: token ids of the batch; E: the embedding table; w, b: the fully connected layer; y: targets. "
        "N is the number of entries of r, since PyTorch's mse takes a mean. relu'(0) = 0 in PyTorch."
    )
    st.subheader("The five experiments")
    for n, ex in EXPERIMENTS.items():
        st.page_link(PAGE_FILES[n], label=f"{n}. {ex.title}: {ex.question}", icon=":material/arrow_forward:")
    results = st.expander(
        "What moves in each experiment (open this after making your predictions on the pages)",
        key="gfl_home_results",
        on_change="rerun",
    )
    if results.open:  # computed only when asked for: five runs a visitor may never look at
        with results:
            results_table()
    st.page_link(PAGE_FILES[6], label="Sandbox: set up any run yourself", icon=":material/arrow_forward:")


def results_table() -> None:
    """Each preset's verdicts, one row per experiment, linking to its page."""
    from explainer.views import state

    head = st.columns([4, 2, 2, 2])
    for col, text in zip(head, ("Experiment", "E (embedding)", "w (fc weight)", "b (fc bias)"), strict=True):
        col.markdown(f"**{text}**")
    for n, ex in EXPERIMENTS.items():
        view = state.run_view(state.key_of(preset(n)))
        by = {v["symbol"]: v for v in view["verdicts"]}
        row = st.columns([4, 2, 2, 2])
        row[0].page_link(PAGE_FILES[n], label=f"{n}. {ex.title}")
        for col, sym in zip(row[1:], ("E", "w", "b"), strict=True):
            col.write(_status_cell(by.get(sym)))
    st.caption(f"Each row is computed from a {preset(1).steps}-step run of the preset.")
