"""Streamlit views: the only part of the package that imports streamlit. Pages call these functions."""

from explainer.views.pages import experiment_page, home_page

__all__ = ["experiment_page", "home_page"]
