"""Each preset's claim, as checks evaluated on a run's record (never typed-in facts).

`claims(run)` returns (statement, holds) pairs for the run's experiment. On a preset they all hold (the tests
prove it); on a what-if some fail, and the page shows that, which is the point of the what-if.
"""

from __future__ import annotations

from dataclasses import dataclass

from explainer import engine
from explainer.engine import Run
from explainer.verdicts import verdict


@dataclass(frozen=True)
class Claim:
    statement: str
    holds: bool


def _zero(run: Run, grad: str, t: int = 0) -> bool:
    g = run.steps[t].grads.get(grad) if t < len(run.steps) else None
    return g is not None and bool((g == 0).all())


def _nonzero(run: Run, grad: str, t: int = 0) -> bool:
    g = run.steps[t].grads.get(grad) if t < len(run.steps) else None
    return g is not None and bool((g != 0).any())


def _status(run: Run, symbol: str) -> tuple[str | None, int | None]:
    v = verdict(run, symbol)
    return (v.status, v.first_move) if v else (None, None)


def _claims_1(run):
    live = "fc.bias" in run.final and bool((run.steps[0].params["fc.bias"] > 0).any())
    return [
        Claim("at least one unit has b > 0, so it is live at step 0", live),
        Claim("dw = 0 at step 0 (e = 0)", _zero(run, "dw")),
        Claim("db ≠ 0 at step 0", _nonzero(run, "db")),
        Claim("de ≠ 0 at step 0", _nonzero(run, "de")),
        Claim("w moves from step 1", _status(run, "w") == ("frozen_then_moves", 1)),
    ]


def _claims_2(run):
    other = engine.run(run.config.replace(relu_grad_at_zero=1.0))
    return [
        Claim("with relu'(0) = 0, E never moves", _status(run, "E")[0] == "never"),
        Claim("with relu'(0) = 0, w never moves", _status(run, "w")[0] == "never"),
        Claim("with relu'(0) = 1 instead: de ≠ 0 at step 0", _nonzero(other, "de")),
        Claim("with relu'(0) = 1 instead: dw = 0 at step 0", _zero(other, "dw")),
    ]


def _claims_3(run):
    return [
        Claim("de ≠ 0 at step 0 (the slope at f = 0 is not 0)", _nonzero(run, "de")),
        Claim("dw = 0 at step 0 (e = 0)", _zero(run, "dw")),
        Claim("w moves from step 1, once E has moved", _status(run, "w") == ("frozen_then_moves", 1)),
    ]


def _claims_4(run):
    return [
        Claim("E never moves (w = 0 blocks de)", _status(run, "E")[0] == "never"),
        Claim("w never moves (e = 0 blocks dw)", _status(run, "w")[0] == "never"),
    ]


def _claims_5(run):
    e, w = verdict(run, "E"), verdict(run, "w")
    return [
        Claim("E and w both move from step 0", e.status == "moves" and w.status == "moves"),
        Claim("every column of E stays equal to the others", e.symmetric is not None),
        Claim("each unit's weights stay equal to one another", w.symmetric is not None),
    ]


_BY_EXPERIMENT = {1: _claims_1, 2: _claims_2, 3: _claims_3, 4: _claims_4, 5: _claims_5}


def claims(run: Run) -> list[Claim]:
    fn = _BY_EXPERIMENT.get(run.config.experiment)
    if fn is None or not run.steps or not run.steps[0].grads:
        return []
    return fn(run)


def all_hold(run: Run) -> bool:
    return all(c.holds for c in claims(run))
