"""Reading equations back out of what KaTeX typeset, for the browser tests."""

from __future__ import annotations

from explainer.equations import EQUATION_GAP


def shown_rows(texts: list[str]) -> list[str]:
    """Each equation's TeX source, from the blocks KaTeX typeset (an aligned environment, EQUATION_GAP between
    two equations)."""
    rows = []
    for t in texts:
        body = t.strip()
        assert body.startswith(r"\begin{aligned}") and body.endswith(r"\end{aligned}"), body
        body = body.removeprefix(r"\begin{aligned}").removesuffix(r"\end{aligned}")
        rows += [row.strip() for row in body.split(EQUATION_GAP)]
    return rows
