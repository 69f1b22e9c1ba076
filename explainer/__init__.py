"""Gradient Flow Lab's core: config, engine, verdicts, tables, equations, charts and graph.

Importing this package never imports streamlit (only explainer.views does), so the core serves the app, the CLI
and a plain Python prompt alike.
"""
