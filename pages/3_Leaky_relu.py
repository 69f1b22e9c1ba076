"""Experiment 3 page."""

from explainer.views import experiment_page

experiment_page(3)
