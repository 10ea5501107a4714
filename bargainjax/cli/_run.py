"""``bargainjax run CONFIG.toml`` and ``bargainjax reproduce``: the argparse handlers only.

The harness itself (configs, loading, ``results.json``, the report) is the public module
:mod:`bargainjax.experiment`; see its docstring for the experiment file/config contract.
"""

from __future__ import annotations

import argparse
import pathlib
import sys

from bargainjax import experiment


def _cmd_run(args) -> int:
    cfg = experiment.load_config(args.config)
    out_dir = pathlib.Path(args.out) if args.out else pathlib.Path("out") / cfg["experiment"]
    rec = experiment.run_experiment(args.config, out_dir)
    fmt = experiment.format_value
    for c in rec["checks"]:
        mark = "match" if c["match"] else "MISMATCH"
        print(f"{c['name']}: computed {fmt(c['computed'])}, expected {fmt(c['expected'])} "
              f"[{mark}]")
    m = sum(bool(c["match"]) for c in rec["checks"])
    print(f"{len(rec['checks'])} checks, {m} match; wrote {out_dir / 'results.json'} "
          f"({rec['elapsed_s']:.1f} s)")
    return 0


def _cmd_reproduce(args) -> int:
    code, summary = experiment.reproduce(args.out, args.configs)
    print(f"{summary}; report: {pathlib.Path(args.out) / 'report.md'}")
    if code:
        print(f"bargainjax: error: some experiments failed; see {args.out}/report.md and "
              f"{args.out}/<name>/error.txt", file=sys.stderr)
    return code


def add_subcommands(sub) -> None:
    """Add ``run`` and ``reproduce`` to the ``bargainjax`` command's subparsers."""
    r = sub.add_parser("run", help="run one experiment from its TOML config",
                       description="Run one experiment (configs/NAME.toml -> "
                       "experiments/NAME.py) and write DIR/results.json.")
    r.add_argument("config", metavar="CONFIG.toml")
    r.add_argument("--out", metavar="DIR", help="output folder (default out/<experiment>)")
    r.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    r.set_defaults(func=_cmd_run)
    p = sub.add_parser("reproduce", help="run every experiment and write out/report.md",
                       description="Run every configs/*.toml into DIR/<name>/ and write "
                       "DIR/report.md with all checks, certificates and figures.")
    p.add_argument("--out", metavar="DIR", default="out", help="output folder (default out/)")
    p.add_argument("--configs", metavar="DIR", default=None,
                   help="folder of configs (default ./configs, else the repository's)")
    p.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=_cmd_reproduce)
