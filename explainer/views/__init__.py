"""Streamlit views: the only part of the package that imports streamlit. Pages call these functions."""

import torch

from explainer.views.pages import experiment_page, home_page

# A served app runs many tiny runs for many sessions at once: one thread per op avoids the two cores fighting
# over each 3x2 matrix product (a run measured several times slower with 2 threads on a busy machine).
torch.set_num_threads(1)

__all__ = ["experiment_page", "home_page"]
