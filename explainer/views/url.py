"""The page's state in the URL: the run's config from a link, the step and sample indices, and escaping for text
shown in markdown. Light on purpose (streamlit and the config only): a page draws its header with these before
the heavy imports (torch, pandas, altair) that drawing a run needs.
"""

from __future__ import annotations

import re

import streamlit as st

from explainer.config import ConfigError, RunConfig, parse_values, preset

VIEW_KEYS = ("step", "sample", "controls")  # page state in the URL that is not part of the config


def safe(text: str) -> str:
    """User text shown in markdown: escape markdown punctuation so it reads literally and never turns into markup."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$])", r"\\\1", str(text))


def config_from_url(base: RunConfig, forced: dict | None = None) -> tuple[RunConfig, dict[str, str]]:
    """The URL's keys over `base`. Bad keys are dropped (and reported); in a bad combination (tokens outside the
    vocabulary, a run over the size cap) the keys named are dropped and the rest kept; failing that, base."""
    raw = {k: st.query_params.get_all(k)[-1] for k in st.query_params if k not in VIEW_KEYS}
    values, errors = parse_values(raw)
    values.update(forced or {})
    start = preset(values.pop("experiment")) if "experiment" in values else base
    try:
        return start.replace(**values), errors
    except ConfigError as exc:
        errors.update(exc.errors)
    try:
        return start.replace(**{k: v for k, v in values.items() if k not in errors}), errors
    except ConfigError:
        return base, errors


def url_index(name: str, last: int) -> tuple[int, str | None]:
    """An index (step or sample) from the URL, clamped into 0..last with a message when it was out of range."""
    raw = st.query_params.get(name)
    if raw is None:
        return 0, None
    try:
        value = int(str(raw).strip())
    except ValueError:
        return 0, f"{name}: must be a whole number from 0 to {last}, got {safe(str(raw)[:40])}; showing {name} 0"
    if not 0 <= value <= last:
        return 0, f"{name}: must be from 0 to {last} for this run, got {value}; showing {name} 0"
    return value, None
