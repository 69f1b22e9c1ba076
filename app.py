"""Gradient Flow Lab: the Home page (the entry point of `streamlit run app.py`)."""

from explainer.views import home_page

home_page()
