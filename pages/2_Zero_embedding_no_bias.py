"""Experiment 2 page."""

from explainer.views import experiment_page

experiment_page(2)
