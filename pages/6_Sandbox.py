"""Sandbox page: set up any run, share it as a link, compare two set-ups."""

from explainer.views.sandbox import sandbox_page

sandbox_page()
