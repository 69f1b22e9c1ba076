"""The run explained as plain text, for `python -m explainer explain`: equations with live values, the
verdicts, the preset's claims and the autograd check."""

from __future__ import annotations

from explainer import parsing
from explainer.claims import claims
from explainer.config import ConfigError, RunConfig
from explainer.engine import run
from explainer.equations import equations, plain
from explainer.verdicts import dead_sentence, verdicts


def pick_step_sample(r, step, sample) -> tuple[int, int]:
    """Validate the step and sample indices against this run; ConfigError names the field and the range."""
    errors = {}
    last = max(len(r.steps) - 1, 0)
    try:
        t = parsing.parse_int(step, "step", 0, last)
    except ValueError as exc:
        errors["step"], t = str(exc), 0
    try:
        i = parsing.parse_int(sample, "sample", 0, r.config.batch - 1)
    except ValueError as exc:
        errors["sample"], i = str(exc), 0
    if errors:
        raise ConfigError(errors)
    return t, i


def explain_text(config: RunConfig, step="0", sample="0") -> str:
    r = run(config)
    t, i = pick_step_sample(r, step, sample)
    lines = [f"Step {t}, sample {i} (token {int(r.x[i])}):", ""]
    lines += ["  " + plain(eq) for eq in equations(r, t, i)]
    lines += ["", "Verdicts:"] + ["  " + v.sentence for v in verdicts(r)]
    dead = dead_sentence(r)
    if dead:
        lines.append("  " + dead)
    if r.diverged:
        lines.append(f"  The run diverged at {r.diverged}.")
    found = claims(r)
    if found:
        lines += ["", f"Experiment {config.experiment}'s claims, checked on this run:"]
        lines += [f"  [{'holds' if c.holds else 'FAILS'}] {c.statement}" for c in found]
    lines += ["", f"Check: largest |by hand - autograd| over all gradients and steps = {r.max_diff:.3g}", ""]
    return "\n".join(lines)
