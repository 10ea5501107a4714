r"""``bargainjax warmup``: compile the programs of ``bargainjax solve`` ahead of time.

``bargainjax solve`` computes each concept by one compiled program that depends on the
concept, its static options and the shape of the game, never on the payoffs
(:mod:`bargainjax.cli._program`), and keeps it in the persistent cache.  ``warmup`` solves a
game of each requested shape for each requested concept with the default options (no
``--disagreement``, ``--weights``, ``--tol``...), so that a later ``solve`` on any game of one
of those shapes only loads its program.  The payoffs used are an arbitrary fixed integer game of
the shape; refusals on it (e.g. no strict improvement) still leave the program compiled.

Usage::

    bargainjax warmup [--concepts C1,C2,...] [--shapes 2x2,3x3,2x2x2]

Defaults: every concept of the registry, on the shapes ``2x2``, ``3x3``, ``4x4`` and ``2x2x2``
(two-player concepts skip the three-player shape).  It needs the cache on: with
``BARGAINJAX_CACHE=0`` it refuses (exit 2).
"""

from __future__ import annotations

import argparse
import re
import time

import numpy as np

from bargainjax.cli import _program
from bargainjax.cli._common import PROG, CommandError

DEFAULT_SHAPES = "2x2,3x3,4x4,2x2x2"
_SHAPE_RE = re.compile(r"[1-9]\d*(?:x[1-9]\d*)+\Z", re.ASCII)


def _shapes(text: str) -> list[tuple[int, ...]]:
    out = []
    for item in text.split(","):
        item = item.strip()
        if not _SHAPE_RE.match(item):
            raise CommandError(f"--shapes: {item!r} is not a shape (actions per player joined "
                               "by 'x', e.g. 3x3 or 2x2x2)")
        shape = tuple(int(k) for k in item.split("x"))
        if int(np.prod(shape)) > 4096:
            raise CommandError(f"--shapes: {item} has {int(np.prod(shape))} joint outcomes; "
                               "warm up at most 4096")
        out.append(shape)
    return out


def _game(shape: tuple[int, ...]):
    """A fixed integer game of the given shape (only its shape matters to the programs)."""
    import bargainjax as bj

    rng = np.random.default_rng(0)
    return bj.normal_form_game(rng.integers(-5, 6, size=(len(shape), *shape)).astype(float))


def _cmd_warmup(args) -> int:
    from bargainjax.cli._registry import CONCEPTS, Options

    if not _program.persistent():
        raise CommandError("the persistent cache is off (BARGAINJAX_CACHE=0): nothing to warm up")
    names = list(CONCEPTS) if args.concepts is None else [
        c.strip() for c in args.concepts.split(",")]
    for name in names:
        if name not in CONCEPTS:
            raise CommandError(f"--concepts: unknown concept {name!r}; expected some of "
                               f"{', '.join(CONCEPTS)}")
    shapes = _shapes(args.shapes)
    options = Options(None, None, None)
    for shape in shapes:
        game = _game(shape)
        for name in names:
            concept = CONCEPTS[name]
            if concept.two_players and len(shape) != 2:
                continue
            start = time.perf_counter()
            try:
                concept.solve(game, options)
                note = ""
            except CommandError as err:  # a refusal on this game: the program is compiled
                note = f" ({err})" if err.code == 2 else ""
            label = "x".join(map(str, shape))
            print(f"{label:>8}  {name:<17} {time.perf_counter() - start:6.1f} s{note}",
                  flush=True)
    where = _program.cache_dir() or "JAX's persistent compilation cache"
    print(f"{PROG}: programs cached in {where}")
    return 0


def add_subcommand(sub) -> None:
    """Add ``warmup`` to the ``bargainjax`` command's subparsers."""
    w = sub.add_parser("warmup", help="compile the solve programs of common game shapes ahead of "
                       "time", description="Compile and cache the programs of `bargainjax "
                       "solve` (default options) for the given concepts and game shapes.")
    w.add_argument("--concepts", metavar="C1,C2,...",
                   help="concepts to compile (default: all)")
    w.add_argument("--shapes", metavar="SHAPES", default=DEFAULT_SHAPES,
                   help=f"game shapes, actions per player (default {DEFAULT_SHAPES})")
    w.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    w.set_defaults(func=_cmd_warmup)
