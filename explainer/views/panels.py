"""Streamlit rendering of one run, shared by every experiment page and the sandbox: predict-and-reveal, the
step panel (equations, heatmaps, graph), charts over time, verdicts, the autograd check, CSV and share link.
Panels read only the cached view data in state.py; none of them runs the engine itself.
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from explainer.config import RunConfig, to_params
from explainer.views import state, url

STATUS_WORDS = {
    "moves": "moves from step 0",
    "frozen_then_moves": "frozen, then moves at step {first}",
    "never": "never moves",
}
LINK_SAFE = ":,;"  # left readable in share links (custom:0,1;2,3); parse_qs splits on & only
GRAD_LABELS = {"de": "de (gradient of E)", "dw": "dw (gradient of w)", "db": "db (gradient of b)"}


def status_text(v: dict) -> str:
    return STATUS_WORDS[v["status"]].format(first=v["first"])


def predict(view: dict, ns: str) -> None:
    st.subheader("Predict first")
    grads = list(view["zero_at_0"])
    with st.form(f"{ns}_predict"):
        st.write(
            "Which of these gradients will be exactly zero at step 0? Tick the ones you expect to be zero "
            "(leave the others unticked), then reveal. Decide before you scroll down: the equations below show the "
            "answer."
        )
        picks = {g: st.checkbox(GRAD_LABELS[g], key=f"{ns}_guess_{g}") for g in grads}
        revealed = st.form_submit_button("Reveal")
    if revealed or st.session_state.get(f"{ns}_revealed"):
        st.session_state[f"{ns}_revealed"] = True
        for g in grads:
            actual = view["zero_at_0"][g]
            right = picks[g] == actual
            word = "is exactly zero" if actual else "is not zero"
            guess = "you ticked it (zero)" if picks[g] else "you left it unticked (non-zero)"
            (st.success if right else st.error)(f"{g} {word} at step 0: {guess}, {'right' if right else 'not quite'}.")


CLAIMS_HEADING = (
    "**The preset's claims, checked on this run** (they were made for the preset's own settings: after a what-if "
    "or a change, a claim that fails shows what the change did)  \n"
)
EQUATION_HEADINGS = {
    "forward": "**Forward**",
    "backward": "**Backward** (each d· is the gradient of the loss l with respect to that quantity; dr, df and dx "
    "are this sample's, while dw, db and de add up every sample of the batch)",
}
VERDICT_ICONS = {
    "moves": ":material/trending_up:",
    "frozen_then_moves": ":material/hourglass_top:",
    "never": ":material/block:",
}


def notes_markdown(notes: list[tuple[str, str]]) -> str:
    """The notes under an equation block, one list item each, named by the quantity they are about."""
    return "\n".join(f"- {url.safe(name)}: {url.safe(note)}" for name, note in notes)


def equations_panel(sv: dict, title: str) -> None:
    """Forward, then backward: each a heading, all its equations as one aligned st.latex, its notes as one list
    (three elements a part rather than one per equation and one per note). The title shares the first heading's
    element."""
    for n, block in enumerate(sv["equations"]):
        heading = EQUATION_HEADINGS[block["part"]]
        st.markdown(f"### {title}\n\n{heading}" if n == 0 else heading)
        st.latex(block["latex"])
        if block["notes"]:
            st.caption(notes_markdown(block["notes"]))


@st.fragment
def step_panel(key: state.Key, view: dict, ns: str, share_base: dict) -> None:
    """The part of the page that depends on the step and sample; a fragment, so the slider reruns only it."""
    last = max(view["steps"] - 1, 0)
    tokens = view["tokens"]
    start_from_url(f"{ns}_step", "step", last)
    start_from_url(f"{ns}_sample", "sample", len(tokens) - 1)
    left, right = st.columns([3, 2])
    with left:
        if last > 0:
            t = st.slider(
                f"Step (0 to {last})",
                0,
                last,
                key=f"{ns}_step",
                help="The values shown are those before this step's optimizer update",
            )
        else:
            t = 0
            st.caption("This run has a single step (step 0).")
    with right:
        i = st.selectbox(
            "Sample",
            range(len(tokens)),
            key=f"{ns}_sample",
            format_func=lambda j: f"sample {j} (token x = {tokens[j]})",
        )
    shown = {"step": str(t), **({"sample": str(i)} if i else {})}  # sample 0 is the default: left out of links
    for name in ("step", "sample"):
        if st.query_params.get(name) != shown.get(name):
            if name in shown:
                st.query_params[name] = shown[name]
            else:
                del st.query_params[name]
    sv = state.step_view(key, t, i)
    equations_panel(sv, f"Equations at step {t}, sample {i}")
    st.subheader(f"Tables and gradients at step {t}")
    cols = st.columns(2)
    for n, name in enumerate(("E", "de", "w", "dw")):
        if name in sv["heatmaps"]:
            with cols[n % 2]:
                st.vega_lite_chart(sv["heatmaps"][name], width="stretch")
    if sv["dot"]:
        st.markdown(  # heading and caption in one element
            f"### Where the gradient flows at step {t}\n\n:gray[:small[Grey arrows: the forward pass. Coloured "
            "arrows: gradients flowing back; red dashed means exactly zero, so nothing flows past that point.]]"
        )
        st.graphviz_chart(sv["dot"])
    share_links({**share_base, **shown}, ns)


def start_from_url(state_key: str, name: str, last: int) -> None:
    """A session's first value of the step or sample widget comes from the URL (a shared link); later it is kept,
    clamped into 0..last when the run changed size."""
    if state_key not in st.session_state:
        value, msg = url.url_index(name, last)
        if msg:
            st.warning(msg)
        st.session_state[state_key] = value
    st.session_state[state_key] = min(st.session_state[state_key], last)


def verdict_panel(view: dict) -> None:
    lines = [f"{VERDICT_ICONS[v['status']]} {url.safe(v['sentence'])}" for v in view["verdicts"]]
    if view["dead"]:
        lines.append(f":material/bedtime: {url.safe(view['dead'])}")
    st.markdown("### Verdict, computed from the run\n\n" + "  \n".join(lines))  # one element, not one a line
    if view["diverged"]:
        st.error(f"The run diverged and stopped early: {view['diverged']}.")
    if view["claims"]:
        claims = [
            f"{':green[:material/check: holds]' if holds else ':red[:material/close: fails]'}: {url.safe(text)}"
            for text, holds in view["claims"]
        ]
        st.markdown(CLAIMS_HEADING + "  \n".join(claims))


def check_line(view: dict) -> None:
    ok = view["max_diff"] < 1e-12
    scope = "every finite step" if view["diverged"] else "every step"
    st.caption(
        f"Check: gradients derived by hand vs. PyTorch autograd, largest difference over {scope}: "
        f"{view['max_diff']:.2g} ({'they agree' if ok else 'they disagree'})."
    )


def over_time(view: dict) -> None:
    st.markdown(f"### Over the steps\n\n:gray[:small[{url.safe(view['over_time_note'])}]]")  # one element
    st.vega_lite_chart(view["weights"], width="stretch")
    st.vega_lite_chart(view["loss"], width="stretch")


def share_key(ns: str) -> str:
    return f"{ns}_share"


def share_links(params: dict, ns: str) -> None:
    """Drawn only while the expander is open: the code boxes load a large script in the browser that a page
    opening (a whole class at once) should not wait for."""
    base = (st.context.url or "").split("?")[0]
    box = st.expander("Share this set-up", key=share_key(ns), on_change="rerun")
    if box.open:
        with box:
            st.caption("Opens this page at this step with exactly this run. Copy with the icon on the right.")
            st.code(f"{base}?{urlencode(params, safe=LINK_SAFE)}", language=None)
            st.caption("Teacher link: the same run with the settings hidden.")
            st.code(f"{base}?{urlencode({**params, 'controls': 'hide'}, safe=LINK_SAFE)}", language=None)


def download(key: state.Key, name: str, ns: str) -> None:
    st.download_button(
        "Download the run table (CSV)",
        data=lambda: state.csv_text(key),
        file_name=f"{name}.csv",
        mime="text/csv",
        on_click="ignore",
        key=f"{ns}_csv",
        help="One row per number: step, name, row, col, value",
    )


def show_run(c: RunConfig, ns: str, with_predict: bool = True) -> None:
    """Everything about one run, top to bottom."""
    key = state.key_of(c)
    view = state.run_view(key)  # a spinner shows only when the run is not cached yet
    if with_predict and view["zero_at_0"]:
        predict(view, f"{ns}_{hash(key) & 0xFFFFFF:x}")
    share_base = to_params(c)
    if view["steps"]:  # the fragment keeps its arguments for the session's life: pass it only what it reads
        step_panel(key, {"steps": view["steps"], "tokens": view["tokens"]}, ns, share_base)
    verdict_panel(view)
    over_time(view)
    check_line(view)
    download(key, f"run-experiment-{c.experiment}" if c.experiment else "run", ns)
