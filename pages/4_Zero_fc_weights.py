"""Experiment 4 page."""

from explainer.views import experiment_page

experiment_page(4)
