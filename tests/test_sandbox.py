"""AppTest of the Sandbox page: every widget reaches the run, every contract key in the URL reaches the run, bad
values from the URL and from widgets are named on screen (escaped, never rendered as markup) while the last good
run stays, sessions are isolated, and the compare view marks the verdicts that differ.

"What the run is" is checked twice, independently of the app's cache: the URL the page writes must be
`to_params(expected)`, and the equations it draws must be the LaTeX of `engine.run(expected)` at step 0, sample 0.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import streamlit
from streamlit.testing.v1 import AppTest

from explainer import engine, parsing, registry
from explainer.config import RunConfig, from_params, preset, record_numbers, to_params
from explainer.equations import equations, latex_block, split
from explainer.verdicts import verdicts
from explainer.views.sandbox import BIG_RUN
from explainer.views.url import VIEW_KEYS, safe

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120  # the first run of a process imports torch
SANDBOX = "pages/6_Sandbox.py"
DEFAULT = preset(0)


def open_sandbox(**query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page(SANDBOX)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def url_config(at: AppTest) -> dict[str, str]:
    return {k: v for k, v in at.query_params.items() if k not in VIEW_KEYS}


@cache
def expected_latex(c: RunConfig, t: int = 0) -> list[str]:
    return [latex_block(part) for part in split(equations(engine.run(c), t, 0)) if part]


def shown_latex(at: AppTest) -> list[str]:
    return [x.value.strip().removeprefix("$$").removesuffix("$$").strip() for x in at.latex]


def messages(at: AppTest) -> list[str]:
    return [m.value for m in (*at.error, *at.warning)]


def assert_shows(at: AppTest, c: RunConfig) -> None:
    """The page runs config c: the URL says so, and the equations carry c's numbers."""
    assert not at.exception, at.exception
    assert url_config(at) == to_params(c)
    assert from_params(url_config(at)) == c
    assert shown_latex(at) == expected_latex(c)


def test_default_sandbox_shows_pytorch_defaults_and_every_group():
    at = open_sandbox()
    assert_shows(at, DEFAULT)
    assert at.title[0].value == "Sandbox"
    assert [e.label for e in at.sidebar.expander] == [
        "Data",
        "Embedding E",
        "fc layer: w and b",
        "Activation",
        "Training",
    ]
    assert not messages(at)
    # every settings widget has a help text
    widgets = [*at.sidebar.number_input, *at.sidebar.selectbox, *at.sidebar.text_input]
    assert all(w.help for w in widgets)
    assert all(w.key.startswith("gfl_sb_") for w in widgets)


# --- every widget changes the run ---------------------------------------------------------------------------

# (widget kind, key, value, the config change it must cause), from experiment 0's defaults
WIDGET_CASES = [
    ("number_input", "vocab_size", 9, dict(vocab_size=9)),
    ("number_input", "embed_dim", 2, dict(embed_dim=2)),
    ("number_input", "out_dim", 3, dict(out_dim=3)),
    ("text_input", "tokens", "0,5,5,2", dict(tokens=(0, 5, 5, 2))),
    ("text_input", "targets", "1,0;0,1;2,-1", dict(targets=((1.0, 0.0), (0.0, 1.0), (2.0, -1.0)))),
    ("selectbox", "embed_init", "ones", dict(embed_init="ones")),
    ("selectbox", "fc_weight_init", "zeros", dict(fc_weight_init="zeros")),
    ("selectbox", "fc_bias", "none", dict(fc_bias="none")),
    ("selectbox", "activation", "tanh", dict(activation="tanh")),
    ("selectbox", "relu_grad_at_zero", 1.0, dict(relu_grad_at_zero=1.0)),
    ("selectbox", "optimizer", "adam", dict(optimizer="adam")),
    ("number_input", "lr", 0.5, dict(lr=0.5)),
    ("number_input", "steps", 3, dict(steps=3)),
    ("number_input", "seed", 7, dict(seed=7)),
    ("selectbox", "device", "cpu", dict(device="cpu")),
]


@pytest.mark.parametrize(("kind", "key", "value", "change"), WIDGET_CASES, ids=[c[1] for c in WIDGET_CASES])
def test_each_widget_changes_the_run(kind, key, value, change):
    at = open_sandbox()
    getattr(at, kind)(key=f"gfl_sb_{key}").set_value(value).run()
    assert_shows(at, DEFAULT.replace(**change))


def test_negative_slope_changes_a_leaky_relu_run():
    at = open_sandbox()
    at.selectbox(key="gfl_sb_activation").set_value("leaky_relu").run()
    at.number_input(key="gfl_sb_negative_slope").set_value(0.2).run()
    assert_shows(at, DEFAULT.replace(activation="leaky_relu", negative_slope=0.2))


# which of the two activation-specific settings each activation reads (from the equations in README.md)
READS = {
    "relu": {"relu_grad_at_zero"},
    "leaky_relu": {"negative_slope"},
    "tanh": set(),
    "sigmoid": set(),
    "identity": set(),
}


def test_reads_covers_every_activation():
    assert set(READS) == set(registry.ACTIVATIONS)


@pytest.mark.parametrize("activation", list(READS))
def test_a_setting_the_activation_ignores_is_greyed_out_and_says_why(activation):
    at = open_sandbox()
    if activation != "relu":
        at.selectbox(key="gfl_sb_activation").set_value(activation).run()
    slope, relu0 = at.number_input(key="gfl_sb_negative_slope"), at.selectbox(key="gfl_sb_relu_grad_at_zero")
    for widget, key, user in ((slope, "negative_slope", "leaky_relu"), (relu0, "relu_grad_at_zero", "relu")):
        ignored = key not in READS[activation]
        assert widget.disabled == ignored, (activation, key)
        assert (f"used by {user} only" in widget.help) == ignored, widget.help
        assert widget.help.count("Used only by") + widget.help.count("used only by") == 1  # the usual help stays
    assert_shows(at, DEFAULT.replace(activation=activation))  # greying out changes no value


def test_greyed_out_values_stay_in_the_run_and_the_link():
    query = {"activation": "tanh", "negative_slope": "0.3", "relu_grad_at_zero": "0.5"}
    at = open_sandbox(**query)
    assert at.number_input(key="gfl_sb_negative_slope").disabled
    assert at.selectbox(key="gfl_sb_relu_grad_at_zero").disabled
    assert at.number_input(key="gfl_sb_negative_slope").value == 0.3
    assert at.selectbox(key="gfl_sb_relu_grad_at_zero").value == 0.5
    assert_shows(at, DEFAULT.replace(activation="tanh", negative_slope=0.3, relu_grad_at_zero=0.5))
    assert url_config(at) == query
    at.run()  # a rerun builds the config from the widgets alone
    assert url_config(at) == query
    at.selectbox(key="gfl_sb_activation").set_value("leaky_relu").run()
    assert not at.number_input(key="gfl_sb_negative_slope").disabled
    assert_shows(at, DEFAULT.replace(activation="leaky_relu", negative_slope=0.3, relu_grad_at_zero=0.5))


@pytest.mark.parametrize(("name", "value"), [("constant", -2.5), ("normal", 0.7), ("uniform", 0.25)])
def test_init_argument_widget(name, value):
    at = open_sandbox()
    at.selectbox(key="gfl_sb_fc_weight_init").set_value(name).run()
    arg = at.number_input(key="gfl_sb_fc_weight_init_arg")
    arg.set_value(value).run()
    assert_shows(at, DEFAULT.replace(fc_weight_init=f"{name}:{parsing.format_number(value)}"))


def test_load_experiment_button_loads_the_preset_and_its_claims():
    at = open_sandbox(lr="0.5")
    at.selectbox(key="gfl_sb_load_n").set_value(4)
    at.button(key="gfl_sb_load").click().run()
    assert_shows(at, preset(4))
    assert at.number_input(key="gfl_sb_lr").value == preset(4).lr
    assert any("claims" in m.value for m in at.markdown)


def test_load_experiment_says_what_it_loaded_and_that_it_replaced_the_settings():
    at = open_sandbox(lr="0.5")
    assert not at.sidebar.info  # nothing to say before a load
    at.selectbox(key="gfl_sb_load_n").set_value(4)
    at.button(key="gfl_sb_load").click().run()
    notes = [i.value for i in at.sidebar.info]
    assert len(notes) == 1, notes
    note = notes[0]
    assert "\n" not in note and "experiment 4" in note and "Zero embedding and zero fc weights" in note
    assert "replaced" in note and "earlier settings" in note
    at.number_input(key="gfl_sb_steps").set_value(3).run()  # said once: the next change clears it
    assert not at.sidebar.info
    at.selectbox(key="gfl_sb_load_n").set_value(0)
    at.button(key="gfl_sb_load").click().run()
    assert_shows(at, DEFAULT)
    assert [i.value for i in at.sidebar.info] == [
        "Loaded PyTorch's defaults (no preset); it replaced your earlier settings."
    ]


def _edit(at: AppTest, key: str, row: int, col: int, value: float) -> None:
    editor = next(e for e in at.data_editor if e.key.startswith(f"gfl_sb_{key}_cells_"))
    at.session_state[editor.key] = {"edited_rows": {row: {str(col): value}}, "added_rows": [], "deleted_rows": []}
    at.run()


def test_custom_init_starts_from_the_shown_values_and_a_cell_edit_reruns():
    at = open_sandbox(experiment="3")
    at.selectbox(key="gfl_sb_fc_weight_init").set_value("custom").run()
    w0 = engine.run(preset(3)).steps[0].params["fc.weight"]
    same = preset(3).replace(fc_weight_init="custom:" + parsing.format_matrix(w0.tolist()))
    assert_shows(at, same)  # switching to custom keeps the numbers the run showed
    assert at.data_editor[0].value.shape == (2, 3)
    assert len(at.main.columns[0].data_editor) == 1  # the only table starts at the left, under the intro
    _edit(at, "fc_weight_init", 1, 2, 0.75)
    edited = w0.clone()
    edited[1, 2] = 0.75
    assert_shows(at, preset(3).replace(fc_weight_init="custom:" + parsing.format_matrix(edited.tolist())))


def test_custom_table_follows_the_dims_and_keeps_edits():
    at = open_sandbox(embed_init="custom:0,1,2;3,4,5;6,7,8;9,10,11;12,13,14;15,16,17")
    assert at.data_editor[0].value.to_numpy().tolist()[5] == [15, 16, 17]
    _edit(at, "embed_init", 0, 0, -1.5)
    at.number_input(key="gfl_sb_embed_dim").set_value(2).run()
    rows = [[-1.5, 1], [3, 4], [6, 7], [9, 10], [12, 13], [15, 16]]
    assert_shows(at, DEFAULT.replace(embed_dim=2, embed_init="custom:" + parsing.format_matrix(rows)))
    at.number_input(key="gfl_sb_vocab_size").set_value(7).run()
    assert_shows(
        at, DEFAULT.replace(vocab_size=7, embed_dim=2, embed_init="custom:" + parsing.format_matrix([*rows, [0, 0]]))
    )


def test_custom_tables_sit_in_the_main_area_and_show_4_significant_digits():
    import json

    at = open_sandbox(embed_init="custom:0,1,2;3,4,5;6,7,8;9,10,11;12,13,14;15,16,17", fc_bias="custom:0.5,-0.5")
    assert not at.sidebar.data_editor  # the sidebar is too narrow: 3 columns scrolled sideways there
    tables = {e.key.split("_cells_")[0]: e for e in at.main.data_editor}
    assert list(tables) == ["gfl_sb_embed_init", "gfl_sb_fc_bias"]
    for key, names, what in (("gfl_sb_embed_init", "012", "feature"), ("gfl_sb_fc_bias", "01", "fc unit")):
        cols = {k: v for k, v in json.loads(tables[key].proto.columns).items() if k != "_index"}
        assert list(cols) == list(names)
        for j, col in cols.items():
            assert col["type_config"] == {"type": "number", "format": "%.4g"}  # as the equations print numbers
            assert col["help"] == f"{what} {j}"
    main = " ".join(c.value for c in at.main.caption)
    assert "**E** (embed_init), 6 x 3" in main and "**b** (fc_bias), 1 x 2" in main
    pointers = [c.value for c in at.sidebar.caption if "table at the top of the page" in c.value]
    assert pointers == [
        "Edit E cell by cell in its table at the top of the page.",
        "Edit b cell by cell in its table at the top of the page.",
    ]
    at.selectbox(key="gfl_sb_embed_init").set_value("zeros").run()
    at.selectbox(key="gfl_sb_fc_bias").set_value("default").run()
    assert not at.data_editor
    after_intro = list(at.main.children.values())[2]
    assert after_intro.type == "toggle"  # no custom init: no empty row of columns between the intro and compare


def test_custom_bias_is_one_row_of_out_dim():
    at = open_sandbox(fc_bias="custom:0.5,-0.5")
    assert at.data_editor[0].value.shape == (1, 2)
    _edit(at, "fc_bias", 0, 1, 2.0)
    assert_shows(at, DEFAULT.replace(fc_bias="custom:0.5,2"))


# --- every contract key through the URL ---------------------------------------------------------------------

URL_CASES = {
    "experiment": "3",
    "vocab_size": "9",
    "embed_dim": "2",
    "out_dim": "1",
    "tokens": "0,5,5",
    "targets": "1,0;0,1;2,2",
    "embed_init": "normal:0.5",
    "fc_weight_init": "custom:1,0,0;0,1,-1",
    "fc_bias": "none",
    "activation": "leaky_relu",
    "negative_slope": "0.3",
    "relu_grad_at_zero": "0.5",
    "optimizer": "momentum",
    "lr": "0.25",
    "steps": "3",
    "seed": "11",
    "device": "cpu",
}


@pytest.mark.parametrize("key", list(URL_CASES))
def test_each_contract_key_in_the_url_reaches_the_run(key):
    at = open_sandbox(**{key: URL_CASES[key]})
    expected = from_params({key: URL_CASES[key]})
    assert expected != DEFAULT
    assert_shows(at, expected)
    assert not messages(at)


def test_all_keys_together_and_the_widgets_show_them():
    query = {**URL_CASES, "out_dim": "2", "fc_weight_init": "custom:1,0;0,-1"}  # sizes that fit together
    at = open_sandbox(**query)
    expected = from_params(query)
    assert_shows(at, expected)
    assert at.number_input(key="gfl_sb_vocab_size").value == 9
    assert at.text_input(key="gfl_sb_tokens").value == "0,5,5"
    assert at.selectbox(key="gfl_sb_activation").value == "leaky_relu"
    assert at.data_editor[0].value.to_numpy().tolist() == [[1, 0], [0, -1]]


def test_step_in_the_url_opens_that_step():
    at = open_sandbox(experiment="3", step="2")
    assert at.query_params["step"] == "2"
    assert shown_latex(at) == expected_latex(preset(3), 2)


# --- bad input ----------------------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
BAD_LINKS = [  # (query, the key the message must name, the config that runs instead: default, or the good keys)
    ({"vocab_size": "5000"}, "vocab_size", {}),
    ({"vocab_size": "-3"}, "vocab_size", {}),
    ({"embed_dim": "abc"}, "embed_dim", {}),
    ({"out_dim": "2.5"}, "out_dim", {}),
    ({"lr": "nan"}, "lr", {}),
    ({"lr": "inf"}, "lr", {}),
    ({"lr": "-0.1"}, "lr", {}),
    ({"lr": "1e999"}, "lr", {}),
    ({"negative_slope": "Infinity"}, "negative_slope", {}),
    ({"steps": "100000"}, "steps", {}),
    ({"seed": "-1"}, "seed", {}),
    ({"tokens": "1,x,3"}, "tokens", {}),
    ({"tokens": "1,99"}, "tokens", {}),
    ({"tokens": ""}, "tokens", {}),
    ({"tokens": ",".join(["1"] * 500)}, "tokens", {}),
    ({"targets": "1,2;3"}, "targets", {}),
    ({"targets": "1,2;3,4"}, "targets", {}),  # 2 rows for 3 tokens
    ({"activation": "swish"}, "activation", {}),
    ({"optimizer": SCRIPT}, "optimizer", {}),
    ({"embed_init": "**bold**"}, "embed_init", {}),
    ({"fc_bias": "normal:-1"}, "fc_bias", {}),
    ({"fc_weight_init": "custom:1,2"}, "fc_weight_init", {}),
    ({"relu_grad_at_zero": "0.3"}, "relu_grad_at_zero", {}),
    ({"device": "tpu"}, "device", {}),
    ({"experiment": "9"}, "experiment", {}),
    ({"colour": "red"}, "colour", {}),
    ({"targets": "<b>x</b>"}, "targets", {}),
    ({"experiment": "2", "lr": "0.5", "tokens": "1,99"}, "tokens", {"experiment": "2", "lr": "0.5"}),
    (  # over the record cap: the key named (steps) is dropped, the sizes stay
        {"vocab_size": "1000", "embed_dim": "64", "out_dim": "64", "steps": "200"},
        "steps",
        {"vocab_size": "1000", "embed_dim": "64", "out_dim": "64"},
    ),
]


@pytest.mark.parametrize(("query", "key", "runs"), BAD_LINKS, ids=[f"{k}-{i}" for i, (_, k, _) in enumerate(BAD_LINKS)])
def test_bad_link_names_the_key_and_runs_the_rest(query, key, runs):
    at = open_sandbox(**query)
    assert not at.exception, at.exception
    named = [m for m in messages(at) if f"{safe(key)}:" in m]
    assert named, messages(at)
    assert_shows(at, from_params(runs))  # the bad key is dropped, from the run and from the URL


@pytest.mark.parametrize(
    ("key", "markup"), [("optimizer", SCRIPT), ("embed_init", "**bold**"), ("targets", "<b>x</b>")]
)
def test_markup_in_a_link_is_shown_escaped_never_rendered(key, markup):
    at = open_sandbox(**{key: markup})
    text = " ".join(messages(at))
    assert safe(markup) in text  # quoted literally, backslash-escaped so markdown shows it as typed
    for element in (*at.markdown, *at.error, *at.warning, *at.caption):
        source = element.value
        assert "<script>" not in source and "<b>" not in source and "**bold**" not in source


def test_bad_teacher_link_still_names_the_key():
    at = open_sandbox(controls="hide", lr="nan")
    assert any(f"{safe('lr')}:" in m for m in messages(at))
    assert not at.exception


NEEDS = {"negative_slope": {"activation": "leaky_relu"}}  # a setting greyed out unless the activation reads it
BAD_WIDGETS = [
    ("number_input", "vocab_size", 0, "vocab_size"),
    ("number_input", "vocab_size", 5000, "vocab_size"),
    ("number_input", "embed_dim", -1, "embed_dim"),
    ("number_input", "lr", 0.0, "lr"),
    ("number_input", "steps", 10_000, "steps"),
    ("number_input", "negative_slope", 2.0, "negative_slope"),
    ("text_input", "tokens", "1,<script>", "tokens"),
    ("text_input", "tokens", "1,4,9", "tokens"),
    ("text_input", "targets", "1,2;3", "targets"),
    ("selectbox", "device", "cuda", "device"),
]


@pytest.mark.parametrize(("kind", "wkey", "value", "key"), BAD_WIDGETS, ids=[f"{c[1]}={c[2]}" for c in BAD_WIDGETS])
def test_bad_widget_value_is_named_and_the_last_good_run_stays(kind, wkey, value, key):
    if key == "device" and registry.available("cuda"):
        pytest.skip("cuda is available here, so it is an allowed device")
    query = {"experiment": "2", "lr": "0.5", **NEEDS.get(wkey, {})}
    at = open_sandbox(**query)
    good = from_params(query)
    getattr(at, kind)(key=f"gfl_sb_{wkey}").set_value(value).run()
    assert any(m.startswith(f"{safe(key)}:") for m in (e.value for e in at.error)), messages(at)
    assert_shows(at, good)
    assert "<script>" not in " ".join(messages(at))


def test_fixing_a_bad_widget_value_updates_the_run():
    at = open_sandbox()
    at.text_input(key="gfl_sb_tokens").set_value("1,9").run()
    assert at.error and url_config(at) == {}
    at.number_input(key="gfl_sb_vocab_size").set_value(10).run()
    assert not at.error
    assert_shows(at, DEFAULT.replace(vocab_size=10, tokens=(1, 9)))


def test_a_cleared_table_cell_is_named():
    at = open_sandbox(embed_init="custom:0,1,2;3,4,5;6,7,8;9,10,11;12,13,14;15,16,17")
    _edit(at, "embed_init", 2, 1, None)
    assert any(m.startswith(f"{safe('embed_init')}:") for m in (e.value for e in at.error)), messages(at)
    assert_shows(at, from_params({"embed_init": "custom:0,1,2;3,4,5;6,7,8;9,10,11;12,13,14;15,16,17"}))


# --- the teacher's link, isolation, compare, big runs ------------------------------------------------------


def test_teacher_link_hides_every_setting():
    at = open_sandbox(controls="hide", experiment="2", relu_grad_at_zero="1")
    assert not at.exception
    assert not at.number_input and not at.text_input and not at.toggle and not at.data_editor
    assert [s.key for s in at.selectbox] == ["gfl_sb_sample"]  # only the step panel's own controls
    assert not at.get("form")
    assert shown_latex(at) == expected_latex(from_params({"experiment": "2", "relu_grad_at_zero": "1"}))
    assert at.query_params["controls"] == "hide"


def test_two_sessions_are_isolated():
    a, b = open_sandbox(), open_sandbox()
    a.selectbox(key="gfl_sb_activation").set_value("sigmoid").run()
    a.number_input(key="gfl_sb_seed").set_value(5).run()
    b.run()
    assert_shows(a, DEFAULT.replace(activation="sigmoid", seed=5))
    assert_shows(b, DEFAULT)
    assert b.selectbox(key="gfl_sb_activation").value == "relu"
    b.number_input(key="gfl_sb_steps").set_value(2).run()
    a.run()
    assert_shows(a, DEFAULT.replace(activation="sigmoid", seed=5))


def test_compare_flips_relu_grad_at_zero_and_marks_the_verdicts_that_differ():
    at = open_sandbox(experiment="2")
    at.toggle(key="gfl_sb_compare").set_value(True).run()
    assert not at.exception
    assert at.selectbox(key="gfl_sb_b_relu_grad_at_zero").value == 1.0
    a, b = preset(2), preset(2).replace(relu_grad_at_zero=1.0)
    from explainer.verdicts import verdicts

    va, vb = ({v.symbol: v.status for v in verdicts(engine.run(c))} for c in (a, b))
    assert va != vb  # the article's point: relu'(0) decides whether E learns
    marked = [m.value for m in at.markdown if "differs" in m.value]
    assert len(marked) == 2 * sum(va[s] != vb[s] for s in va)
    assert_shows(at, a)  # A in full by default; the URL stays A
    at.radio(key="gfl_sb_show").set_value("B").run()
    assert shown_latex(at) == expected_latex(b)
    assert url_config(at) == to_params(a)


def test_compare_b_settings_are_validated():
    at = open_sandbox()
    at.toggle(key="gfl_sb_compare").set_value(True).run()
    at.selectbox(key="gfl_sb_b_fc_bias").set_value("normal").run()
    at.number_input(key="gfl_sb_b_fc_bias_arg").set_value(-1.0).run()
    errors = [e.value for e in at.error]
    assert any(m.startswith("Run B: " + safe("fc_bias:")) for m in errors), errors
    assert not at.exception
    at.selectbox(key="gfl_sb_b_fc_bias").set_value("zeros").run()
    assert not at.error
    at.selectbox(key="gfl_sb_b_activation").set_value("leaky_relu").run()
    at.radio(key="gfl_sb_show").set_value("B").run()
    b = DEFAULT.replace(fc_bias="zeros", activation="leaky_relu", relu_grad_at_zero=1.0)
    assert shown_latex(at) == expected_latex(b)


def test_a_big_run_gets_a_progress_bar_and_a_small_one_does_not(monkeypatch):
    bars = []
    real = streamlit.progress
    monkeypatch.setattr(streamlit, "progress", lambda *a, **k: bars.append(a[0]) or real(*a, **k))
    query = {
        "vocab_size": "300",
        "embed_dim": "32",
        "out_dim": "32",
        "tokens": ",".join(map(str, range(40))),
        "steps": "40",  # more than altair's 5,000 rows in the weights chart, too
    }
    assert record_numbers(from_params(query)) > BIG_RUN > record_numbers(DEFAULT)
    assert_shows(open_sandbox(), DEFAULT)
    assert bars == []
    at = open_sandbox(**query)
    assert_shows(at, from_params(query))
    assert bars == [0]  # then advanced through its stages and removed once the run is drawn


def test_a_diverging_run_says_at_which_step():
    query = {"lr": "100", "activation": "identity", "embed_init": "constant:1000", "steps": "20"}
    at = open_sandbox(**query)
    assert not at.exception
    r = engine.run(from_params(query))
    assert r.diverged and r.diverged.startswith("step ")
    assert [e.value for e in at.error if "diverged" in e.value] == [
        f"The run diverged and stopped early: {r.diverged}."
    ]


def test_settings_survive_a_visit_to_another_page():
    at = open_sandbox(experiment="4")
    at.number_input(key="gfl_sb_lr").set_value(0.7).run()
    changed = preset(4).replace(lr=0.7)
    assert_shows(at, changed)
    at.switch_page("pages/1_Zero_embedding_with_bias.py").run()  # another page (Home is app.py's own menu entry)
    assert not at.exception
    at.query_params.clear()
    at.switch_page(SANDBOX).run()
    assert_shows(at, changed)
    assert at.number_input(key="gfl_sb_lr").value == 0.7


B_CASES = [  # (steps: (widget kind, key, value) set in order, the change to run B)
    ([("selectbox", "activation", "leaky_relu")], dict(activation="leaky_relu")),
    ([("selectbox", "relu_grad_at_zero", 0.5)], dict(relu_grad_at_zero=0.5)),
    ([("selectbox", "fc_bias", "ones")], dict(fc_bias="ones")),
    ([("selectbox", "embed_init", "normal"), ("number_input", "embed_init_arg", 0.3)], dict(embed_init="normal:0.3")),
    ([("selectbox", "fc_weight_init", "constant")], dict(fc_weight_init="constant:0.5")),  # the value field's start
]


@pytest.mark.parametrize(("steps", "change"), B_CASES, ids=[c[0][-1][1] for c in B_CASES])
def test_each_compare_widget_changes_run_b_only(steps, change):
    at = open_sandbox(experiment="1")
    at.toggle(key="gfl_sb_compare").set_value(True).run()
    for kind, key, value in steps:
        getattr(at, kind)(key=f"gfl_sb_b_{key}").set_value(value).run()
    at.radio(key="gfl_sb_show").set_value("B").run()
    assert not at.exception and not at.error
    b = preset(1).replace(**{"relu_grad_at_zero": 1.0, **change})  # B starts with relu'(0) flipped
    assert shown_latex(at) == expected_latex(b)
    assert url_config(at) == to_params(preset(1))  # the URL (and the sidebar) stay run A


INIT_CHOICES = ["default", "zeros", "ones", "constant", "normal", "uniform", "custom"]  # README's config keys


def test_compare_b_inits_are_the_sidebars_dropdowns():
    at = open_sandbox(embed_init="normal:0.5")
    at.toggle(key="gfl_sb_compare").set_value(True).run()
    assert not [w.key for w in at.text_input if w.key.startswith("gfl_sb_b_")]  # no free text left in B
    for key in ("embed_init", "fc_weight_init", "fc_bias"):
        side, b = at.sidebar.selectbox(key=f"gfl_sb_{key}"), at.selectbox(key=f"gfl_sb_b_{key}")
        choices = ["none", *INIT_CHOICES] if key == "fc_bias" else INIT_CHOICES
        assert side.options == b.options == choices
        assert b.label == f"B: {key}" and b.help == side.help
        assert b.value == side.value  # B starts as A
    # A's normal:0.5 arrives in B's value field, labelled like the sidebar's
    arg = at.number_input(key="gfl_sb_b_embed_init_arg")
    assert arg.value == 0.5 and arg.label == "B: embed_init: value for normal"
    assert arg.help == at.sidebar.number_input(key="gfl_sb_embed_init_arg").help


def test_compare_b_relu_grad_at_zero_is_greyed_out_unless_b_is_relu():
    at = open_sandbox()
    at.toggle(key="gfl_sb_compare").set_value(True).run()
    assert not at.selectbox(key="gfl_sb_b_relu_grad_at_zero").disabled
    at.selectbox(key="gfl_sb_b_activation").set_value("sigmoid").run()
    b0 = at.selectbox(key="gfl_sb_b_relu_grad_at_zero")
    assert b0.disabled and "used by relu only" in b0.help
    assert not at.sidebar.selectbox(key="gfl_sb_relu_grad_at_zero").disabled  # A is still relu
    at.radio(key="gfl_sb_show").set_value("B").run()
    assert shown_latex(at) == expected_latex(DEFAULT.replace(activation="sigmoid", relu_grad_at_zero=1.0))


@pytest.mark.parametrize(
    "experiment, b_change",
    [
        ("2", dict(relu_grad_at_zero=1.0)),  # relu: B flips relu'(0), the article's what-if
        ("3", dict(activation="relu")),  # leaky_relu ignores relu'(0): B tries plain relu instead
    ],
)
def test_compare_b_starts_with_a_change_that_matters_for_a(experiment, b_change):
    at = open_sandbox(experiment=experiment)
    at.toggle(key="gfl_sb_compare").set_value(True).run()
    a, b = preset(int(experiment)), preset(int(experiment)).replace(**b_change)
    at.radio(key="gfl_sb_show").set_value("B").run()
    assert not at.exception and not at.error
    assert shown_latex(at) == expected_latex(b)
    assert [x.status for x in verdicts(engine.run(a))] != [x.status for x in verdicts(engine.run(b))]
    assert not [m for m in at.markdown if "same verdicts" in m.value]


def test_compare_b_custom_table_starts_from_run_b_and_edits_change_b_only():
    at = open_sandbox(experiment="3")
    at.toggle(key="gfl_sb_compare").set_value(True).run()
    at.selectbox(key="gfl_sb_b_fc_weight_init").set_value("custom").run()
    b_run = preset(3).replace(activation="relu")  # B starts with relu in place of leaky_relu
    w0 = engine.run(b_run).steps[0].params["fc.weight"]
    editors = [e for e in at.data_editor if e.key.startswith("gfl_sb_b_fc_weight_init_cells_")]
    assert len(editors) == 1 and not at.sidebar.data_editor  # B's table, in the compare view
    assert editors[0].value.to_numpy().tolist() == w0.tolist()
    _edit(at, "b_fc_weight_init", 0, 1, -2.0)
    edited = w0.clone()
    edited[0, 1] = -2.0
    at.radio(key="gfl_sb_show").set_value("B").run()
    assert not at.exception and not at.error
    assert shown_latex(at) == expected_latex(
        b_run.replace(fc_weight_init="custom:" + parsing.format_matrix(edited.tolist()))
    )
    assert url_config(at) == to_params(preset(3))  # A and its link are untouched


def test_compare_b_copies_a_custom_table_from_a():
    rows = "custom:1,2,3;4,5,6"
    at = open_sandbox(fc_weight_init=rows)
    at.toggle(key="gfl_sb_compare").set_value(True).run()
    b_table = next(e for e in at.data_editor if e.key.startswith("gfl_sb_b_fc_weight_init_cells_"))
    assert b_table.value.to_numpy().tolist() == [[1, 2, 3], [4, 5, 6]]
    at.radio(key="gfl_sb_show").set_value("B").run()
    assert shown_latex(at) == expected_latex(DEFAULT.replace(fc_weight_init=rows, relu_grad_at_zero=1.0))
