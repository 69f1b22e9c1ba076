"""Command line: python -m explainer export|explain --experiment N [--param key=value ...] [--steps K] [--out F].

Bad input exits with status 2 and one line on stderr naming the key and what is allowed; never a traceback.
"""

from __future__ import annotations

import argparse
import sys

from explainer.config import ConfigError, from_params


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, status 2, as for bad config values
        sys.stderr.write(f"error: {message} (see python -m explainer --help)\n")
        sys.exit(2)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m explainer", description="Run the zero-init embedding experiments from the shell.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, text in (
        ("export", "write the run table as CSV (step,name,row,col,value)"),
        ("explain", "print the equations with live values and the verdicts"),
    ):
        s = sub.add_parser(name, help=text, description=text)
        s.add_argument("--experiment", help="preset 1-5 (0 = PyTorch defaults); other keys override it")
        s.add_argument(
            "--param",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="any config key, e.g. --param lr=0.5 --param tokens=1,2,2 (repeatable)",
        )
        s.add_argument("--steps", help="number of optimizer updates (same as --param steps=K)")
        if name == "export":
            s.add_argument("--out", help="file to write (default: standard output)")
        else:
            s.add_argument("--step", default="0", help="which step's equations to print (default 0)")
            s.add_argument("--sample", default="0", help="which sample of the batch (default 0)")
    return p


def _params(args) -> dict[str, str]:
    params = {}
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError({"--param": f"--param: expected KEY=VALUE, got {item[:60]!r}"})
        params[key.strip()] = value
    if args.experiment is not None:
        params["experiment"] = args.experiment
    if args.steps is not None:
        params["steps"] = args.steps
    return params


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = from_params(_params(args))
        if args.command == "explain":
            from explainer.text import explain_text  # imported late: only explain needs it

            out = explain_text(config, args.step, args.sample)
        else:
            from explainer.engine import run
            from explainer.tables import to_csv

            out = to_csv(run(config))
    except ConfigError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    if getattr(args, "out", None):
        try:
            with open(args.out, "w", encoding="utf-8") as fh:
                fh.write(out)
        except OSError as exc:
            sys.stderr.write(f"error: --out: cannot write {args.out!r}: {exc.strerror}\n")
            return 2
    else:
        sys.stdout.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
