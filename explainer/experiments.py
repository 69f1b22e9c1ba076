"""The five presets: each one's settings, the question it asks, its what-if, and checks of its claim.

The claims are not typed-in facts: each `claims(run)` returns statements with a holds/fails flag computed from
the run's record, so a change of seed or engine that broke a claim would show it failing on screen and in
tests. Settings are plain config keys (this module imports nothing from config, to keep one direction).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Experiment 1's seed is chosen so that fc's default bias is positive on one unit and negative on the other: one
# unit is live (f = b > 0) and one is dead. DEAD_SEED draws a negative bias on both units, so nothing learns.
EXP1_SEED = 3
DEAD_SEED = 0

PRESET_SETTINGS: dict[int, dict] = {
    1: dict(embed_init="zeros", fc_weight_init="default", fc_bias="default", activation="relu", seed=EXP1_SEED),
    2: dict(embed_init="zeros", fc_weight_init="default", fc_bias="none", activation="relu"),
    3: dict(embed_init="zeros", fc_weight_init="default", fc_bias="none", activation="leaky_relu"),
    4: dict(embed_init="zeros", fc_weight_init="zeros", fc_bias="none", activation="leaky_relu"),
    5: dict(embed_init="ones", fc_weight_init="ones", fc_bias="none", activation="leaky_relu"),
}


@dataclass(frozen=True)
class Experiment:
    number: int
    title: str
    setup: str  # one line
    question: str
    what_if_label: str
    what_if: dict  # config keys to override, one click away
    note: str = ""  # where to look: a prompt, not a claim (claims are computed in claims.py)
    settings: dict = field(default_factory=dict)


EXPERIMENTS = {
    e.number: e
    for e in (
        Experiment(
            1,
            "Zero embedding, bias on",
            "E = 0, fc weights and bias from PyTorch's default init, relu.",
            "The embedding starts at exactly zero. Can it learn at all, and can fc's weights?",
            f"Try seed {DEAD_SEED} (look at the signs of b)",
            {"seed": DEAD_SEED},
            "Look at the sign of each unit's bias b: with e = 0, f equals b, and relu's slope at f decides "
            "whether that unit passes any gradient back.",
        ),
        Experiment(
            2,
            "Zero embedding, no bias",
            "E = 0, fc weights from the default init, no bias, relu.",
            "Without a bias, f = w·0 = 0 exactly. Does relu let any gradient through?",
            "Use relu'(0) = 1 instead of PyTorch's 0",
            {"relu_grad_at_zero": 1.0},
            "Look at f, then at the slope relu is given at exactly f = 0, then at df.",
        ),
        Experiment(
            3,
            "Zero embedding, leaky relu",
            "E = 0, fc weights from the default init, no bias, leaky relu (slope 0.01 below 0).",
            "Leaky relu keeps a small slope at and below 0. Does that let the embedding learn, and when does w start?",
            "Back to plain relu",
            {"activation": "relu"},
            "Compare de and dw at step 0, then move the slider to step 1 and compare again.",
        ),
        Experiment(
            4,
            "Zero embedding and zero fc weights",
            "E = 0, fc weights = 0, no bias, leaky relu.",
            "Both layers start at zero. Does either one ever move?",
            "Give fc random weights (E stays 0)",
            {"fc_weight_init": "default"},
            "Look at the factors: dw is built from e, and dx (hence de) from w.",
        ),
        Experiment(
            5,
            "Everything ones",
            "E = 1, fc weights = 1, no bias, leaky relu.",
            "Nothing is zero now, so everything learns. But does it learn anything different per weight?",
            "Start from random weights instead",
            {"embed_init": "default", "fc_weight_init": "default"},
            "Look at the columns of E and the entries of each row of w in the heatmaps, step by step.",
        ),
    )
}
