"""Gradient Flow Lab: the entry point of `streamlit run app.py`. It lists the pages (Streamlit draws the sidebar
menu from this list) and runs the one the URL names: Home, the five experiments, or the sandbox."""

import streamlit as st

from explainer.views.pages import NAV_LABELS, PAGE_FILES, home_page

st.navigation(
    [
        st.Page(home_page, title=NAV_LABELS[0], icon=":material/home:", default=True),
        *(st.Page(path, title=NAV_LABELS[n]) for n, path in PAGE_FILES.items()),
    ]
).run()
