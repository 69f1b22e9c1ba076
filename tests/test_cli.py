"""python -m explainer, as a person runs it (subprocesses, started together to share the torch import time) and,
for the wider battery of bad input, in process: exit status 2, one line on stderr naming the key, no traceback."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from explainer.__main__ import main
from explainer.config import from_params
from explainer.engine import run
from explainer.tables import to_csv

ROOT = Path(__file__).resolve().parents[1]
EXPORT = ["export", "--experiment", "1", "--steps", "2", "--param", "tokens=0,2,2"]
CASES = {
    "export": EXPORT,
    "explain": ["explain", "--experiment", "3", "--step", "1", "--sample", "2"],
    "unknown_key": ["export", "--param", "colour=red"],
    "bad_value": ["export", "--experiment", "2", "--param", "lr=fast"],
    "bad_syntax": ["export", "--param", "lr"],
    "unknown_command": ["frobnicate"],
    "step_out_of_range": ["explain", "--experiment", "1", "--step", "99"],
}
NAMED = {
    "unknown_key": "colour",
    "bad_value": "lr",
    "bad_syntax": "--param",
    "unknown_command": "command",
    "step_out_of_range": "step",
}


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "run.csv"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GFL_")}
    cases = CASES | {"export_out": [*EXPORT, "--out", str(out)]}
    procs = {
        name: subprocess.Popen(
            [sys.executable, "-m", "explainer", *args], cwd=ROOT, env=env, stdout=-1, stderr=-1, text=True
        )
        for name, args in cases.items()
    }
    results = {}
    for name, p in procs.items():
        stdout, stderr = p.communicate(timeout=180)
        results[name] = (p.returncode, stdout, stderr)
    results["out_file"] = out.read_text(encoding="utf-8") if out.exists() else None
    return results


def test_export_writes_the_run_table_to_stdout(cli):
    rc, stdout, stderr = cli["export"]
    assert rc == 0 and stderr == ""
    table = pd.read_csv(io.StringIO(stdout))
    assert list(table.columns) == ["step", "name", "row", "col", "value"]
    assert table.step.max() == 2 and set(table[table.name == "x"].value) == {0, 2}
    expected = to_csv(run(from_params({"experiment": "1", "steps": "2", "tokens": "0,2,2"})))
    assert stdout == expected


def test_export_out_writes_the_file_and_nothing_to_stdout(cli):
    rc, stdout, stderr = cli["export_out"]
    assert rc == 0 and stdout == "" and stderr == ""
    assert cli["out_file"] == cli["export"][1]


def test_explain_prints_equations_verdicts_and_claims(cli):
    rc, stdout, stderr = cli["explain"]
    assert rc == 0 and stderr == ""
    assert stdout.startswith("Step 1, sample 2 (token 1):")
    for name in ("e", "f", "r", "l", "dr", "df", "dw", "dx", "de"):
        assert f"\n  {name} = " in stdout, name
    assert "Verdicts:" in stdout and "E moves from step 0." in stdout and "w is frozen at step 0" in stdout
    assert stdout.count("[holds]") == 3 and "FAILS" not in stdout


@pytest.mark.parametrize("case", NAMED)
def test_bad_input_exits_2_with_one_line_naming_the_key(cli, case):
    rc, stdout, stderr = cli[case]
    assert rc == 2 and stdout == ""
    assert stderr.endswith("\n") and stderr.count("\n") == 1, stderr
    assert NAMED[case] in stderr and "Traceback" not in stderr


def call(argv, capsys):
    try:
        rc = main(argv)
    except SystemExit as exc:
        rc = exc.code
    return (rc, *capsys.readouterr())


IN_PROCESS = [
    (["export", "--param", "=1"], "--param"),
    (["export", "--param", "steps=0"], "steps"),
    (["export", "--steps", "abc"], "steps"),
    (["export", "--experiment", "9"], "experiment"),
    (["export", "--param", "tokens=1,99"], "tokens"),
    (["export", "--param", "embed_init=glorot"], "embed_init"),
    (["export", "--param", "targets=1,2;3"], "targets"),
    (["export", "--param", "lr=nan"], "lr"),
    (["explain", "--step", "-1"], "step"),
    (["explain", "--sample", "3"], "sample"),
    (["explain", "--step", "one"], "step"),
    (["export", "--bogus", "1"], "--bogus"),
    ([], "command"),
    (["export", "--out", "/nonexistent-dir/run.csv"], "--out"),
]


@pytest.mark.parametrize("argv, key", IN_PROCESS, ids=[" ".join(a) or "nothing" for a, _ in IN_PROCESS])
def test_more_bad_input_in_process(argv, key, capsys):
    rc, stdout, stderr = call(argv, capsys)
    assert rc == 2 and stdout == ""
    assert stderr.count("\n") == 1 and key in stderr, stderr


def test_several_bad_keys_share_one_line(capsys):
    rc, stdout, stderr = call(["export", "--param", "lr=x", "--param", "steps=y"], capsys)
    assert rc == 2 and stderr.count("\n") == 1 and "lr:" in stderr and "steps:" in stderr
