"""Streamlit views: the only part of the package that imports streamlit. Pages call these functions.

Importing this package stays light (no torch, pandas or altair): a page draws its header first, and the modules
that draw a run are imported after it, so the browser has something to show while a fresh server loads them.
"""

from explainer.views.pages import experiment_page, home_page

__all__ = ["experiment_page", "home_page"]
