"""Gradient Flow Lab: the entry point of `streamlit run app.py`. It lists the pages (Streamlit draws the sidebar
menu from the list) and runs the one the URL names: Home, the five experiments, or the sandbox."""

from explainer.views.pages import menu

menu().run()
