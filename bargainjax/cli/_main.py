r"""The ``bargainjax`` command line, in the manner of Gambit's ``gambit-*`` tools.

Subcommands::

    bargainjax solve GAME --concept C[,C...] [--disagreement d1,d2,...] [--weights w1,...]
                                      [--tol T] [--all] [--starts N] [--ideal I]
                                      [--max-coalitions N] [--max-players N] [--max-faces N]
                                      [--json] [--plot FILE] [--debug]
    bargainjax run CONFIG.toml [--out DIR]
    bargainjax reproduce [--out DIR] [--configs DIR]
    bargainjax sweep CONFIG.toml [--out DIR] [--devices N] [--distributed] [--quiet]
    bargainjax warmup [--concepts C1,C2,...] [--shapes 2x2,3x3,2x2x2]

``sweep`` is described in :mod:`bargainjax.cli._sweep`.  ``GAME`` is a Gambit ``.nfg`` file
(payoff or outcome version) or ``-`` for standard input.
Solution concepts live in one registry, :data:`bargainjax.cli._registry.CONCEPTS` (name ->
:class:`~bargainjax.cli._registry.Concept`), shared with ``sweep`` and filled with its
``register`` decorator; ``--concept`` accepts exactly its keys.  The set-based concepts
(``utilitarian``, ``nbs``, ``ksbs``, ``egalitarian``) work over the correlated (joint-strategy)
feasible set :math:`F = \operatorname{conv}\{U(x)\}`; without ``--disagreement`` the
disagreement point is every player's security level (maximin against all others jointly).

Options:

* ``--concept`` takes one concept or a comma-separated list (``nbs,ksbs,egalitarian``; an
  unknown, empty or repeated name is an error).  Several concepts are solved and reported in
  turn, each exactly as alone: one block of human output per concept, and with ``--json`` a
  JSON list of the objects each prints alone, in the order given (one concept: its one
  object).  A concept that is refused or not certified prints its one-line error and the next
  one is solved; it is left out of the list.  The exit status is the worst of the concepts'
  (below).  Each option goes to the concepts it applies to, and is an error only if it applies
  to none.
* ``--plot FILE`` draws the bargaining problem with every certified concept into ``FILE``
  (:func:`bargainjax.plot`; two or three players; the format follows the suffix), after the
  results are printed: a game of another size, a missing matplotlib (the ``plot`` extra) or a
  path that cannot be written is a one-line error, exit 2, that leaves them printed.
* ``--disagreement`` and ``--weights`` are comma-separated plain decimal numbers, one per
  player (``-1.5,2e-3``): no empty entries, no ``nan``/``inf``, ASCII digits only.  ``--tol``
  is a positive number, passed to the solver as its certificate tolerance (dimensionless, in
  the concept's units; default: the solver's own, e.g. ``1e-6`` for ``nbs`` and
  ``coco-equilibrium``, ``1e-9`` for ``zero-sum``).  A ``--tol`` below what float64 can
  certify (for ``nbs`` about ``1e-7``, the rounding floor of its certificate) gives status
  ``imprecise``, exit 1.
* ``--ideal rational|feasible`` (``ksbs`` only): where each player's ideal payoff is taken.
  ``rational`` (the default) is Kalai and Smorodinsky's (1975) ideal point, each player's best
  payoff over the individually rational part :math:`\{u \in F : u \ge d\}`; ``feasible`` takes
  it over all of :math:`F`, the convention of the Bayesian bargaining report the library
  reproduces.  They differ when some point of :math:`F` is worse than ``d`` for someone, the
  normal case from security levels.
* Work caps, the library's keywords passed straight through (a game above a cap is refused at
  once, exit 2, with a message naming the option that raises it):
  ``--max-coalitions N`` (``coco-value``; ``max_coalitions`` of :func:`bargainjax.coco_value`,
  default 4096): the CoCo value fights every coalition, :math:`2^n` of them;
  ``--max-players N`` (``coco-equilibrium``; ``max_players``, default 5): every step fights all
  :math:`2^n` coalitions;
  ``--max-faces N`` (``coco-equilibrium`` with ``--all`` / ``--starts``; ``max_faces`` of
  :func:`bargainjax.coco_equilibria`, default 4096): the face enumeration visits every set of
  at most ``n`` joint outcomes.

The command prints the solver's own contract fields as they are: ``certificate`` (its name,
value, the result's ``tol`` and ``units``, what the certificate bounds), ``status`` and
``num_steps``; it computes no status or tolerance of its own (a batch of statuses is reduced by
:func:`bargainjax.core._contract.batch_status`).

Exit status:

* 0 — status ``successful``: the certificate is within the result's ``tol``, and every printed
  number is finite (``--json`` prints strict JSON, no ``NaN`` or ``Infinity``);
* 1 — the solver ran but did not certify its answer: status ``max_steps_reached``,
  ``nonfinite``, ``degenerate`` or ``imprecise`` (the requested tolerance is below the
  certificate's rounding floor: nothing could be certified in float64), or an answer holds a
  number that is not finite in float64;
* 2 — a refusal or an error: status ``infeasible`` (the concept does not apply: no feasible
  payoff vector strictly improves on the disagreement point for every player), bad input or
  options, an unreadable, empty or malformed file or standard input, a game above a work cap,
  or a concept that does not apply to the game (e.g. ``zero-sum`` with three players).

Errors are one line on standard error, ``bargainjax: error: <message>``; ``--debug`` re-raises
them with the traceback instead.

Computation is in float64 (``jax_enable_x64`` is switched on before anything is computed).
Each run is a fresh process, so compiling the solvers dominates small games.  ``solve``
computes each concept by one compiled program (:mod:`bargainjax.cli._program`) and keeps it in
``$XDG_CACHE_HOME/bargainjax/programs`` (default ``~/.cache/bargainjax/programs``), so that a
later run on a game of the same shape only loads it; ``bargainjax warmup`` fills that cache for
common shapes (:mod:`bargainjax.cli._warmup`).  ``run``, ``reproduce`` and ``sweep`` use
JAX's persistent compilation cache in ``$XDG_CACHE_HOME/bargainjax/jax`` instead.  Set
``BARGAINJAX_CACHE=0`` to turn both off.  A ``JAX_COMPILATION_CACHE_DIR`` you set yourself is
left alone, and then ``solve`` keeps its programs there (an executable JAX loaded from its
cache cannot be serialised again).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import warnings

import jax

import bargainjax as bj
from bargainjax import __version__
from bargainjax.cli import _run as _runner
from bargainjax.cli import _program
from bargainjax.cli import _sweep as _sweep_cli
from bargainjax.cli import _warmup
from bargainjax.cli._common import PROG, CommandError, _default, exit_code
from bargainjax.cli._registry import CAP_OPTIONS, CONCEPTS, IDEALS, Concept, Options
from bargainjax.core._contract import Status


class _Parser(argparse.ArgumentParser):
    """Argument parser whose errors are one line (``bargainjax: error: ...``), exit code 2."""

    def error(self, message):
        raise CommandError(message.replace("\n", " "))


# ------------------------------------------------------------------------------- output


def _g(x) -> str:
    return "-" if x is None else f"{x:.6g}"


def _table(header, rows) -> list[str]:
    cols = list(zip(header, *rows))
    widths = [max(len(str(c)) for c in col) for col in cols]
    fmt = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    return [fmt(header), fmt(["-" * w for w in widths])] + [fmt(r) for r in rows]


def format_human(out: dict, concept: Concept) -> str:
    """The readable report of one ``solve`` result."""
    lines = [f"game: {out['game'] or '(untitled)'}",
             f"concept: {out['concept']} - {concept.summary}"]
    if "note" in out:
        lines.append(f"note: {out['note']}")
    if "disagreement_source" in out:
        lines.append(f"disagreement point: {out['disagreement_source']}")
    if "ideal" in out:
        where = {"rational": "the individually rational part {u in F: u >= d}",
                 "feasible": "all of F"}.get(out["ideal"], out["ideal"])
        lines.append(f"ideal point: each player's best payoff over {where} ({out['ideal']})")
    header = ["player", "payoff"]
    cols = [out["payoffs"]]
    if "disagreement" in out:
        header.append("disagreement")
        cols.append(out["disagreement"])
    if "bargaining_weights" in out:
        header.append("bargaining weight")
        cols.append(out["bargaining_weights"])
    if "weights" in out:
        header.append("weight" if out["concept"] in ("utilitarian", "coco-value",
                                                     "coco-equilibrium")
                      else "supporting weight")
        cols.append(out["weights"])
    rows = [[name] + [_g(c[i]) for c in cols] for i, name in enumerate(out["players"])]
    lines += [""] + _table(header, rows) + [""]
    if "value" in out:
        lines.append(f"value (player 1's payoff): {_g(out['value'])}")
    if "face" in out:
        lines.append(f"face of the feasible set: {out['face']} "
                     f"(dimension {out.get('face_dimension', '?')})")
    cert = out["certificate"]
    lines.append(f"certificate: {cert['name']} = {cert['value']:.3g} (tol {cert['tol']:.3g}); "
                 f"status: {out['status']} ({out['message']})")
    if "units" in cert:
        lines.append(f"  ({cert['name']}: {cert['units']})")
    if "support" not in out:
        pass
    elif out["concept"] in ("zero-sum", "threat"):
        for name, sup in zip(out["players"], out["support"]):
            mix = ", ".join(f"{e['strategy']}: {e['probability']:.6g}" for e in sup)
            lines.append(f"strategy of {name}: {mix}")
    else:
        lines += ["", "support (distribution over joint outcomes):"]
        lines += _table(["probability", "profile"],
                        [[f"{e['probability']:.6g}", "(" + ", ".join(e["profile"]) + ")"]
                         for e in out["support"]])
    if "solutions" in out:
        k = len(out["solutions"])
        lines += ["", f"solutions found ({k} distinct; "
                      f"{'not unique' if out.get('multiple') else 'uniqueness not proved'}):"]
        lines += _table(["#", "payoffs", "weights", "face", "certificate"],
                        [[str(j + 1), "(" + ", ".join(_g(v) for v in s["payoffs"]) + ")",
                          "(" + ", ".join(_g(v) for v in s["weights"]) + ")", s["face"],
                          f"{s['certificate']['value']:.3g}"]
                         for j, s in enumerate(out["solutions"])])
    return "\n".join(lines)


# --------------------------------------------------------------------------------- solve

# A plain ASCII decimal number (Python's float() also takes 'nan', 'inf', '1_0' and non-ASCII
# digits such as '١' or '１', none of which is a number here).
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z", re.ASCII)
_INTEGER_RE = re.compile(r"\+?\d+\Z", re.ASCII)
_BLANK = " \t"


def _number(text: str, what: str) -> float:
    """One finite number in plain ASCII decimal notation, or a one-line error naming ``what``."""
    item = text.strip(_BLANK)
    if not item:
        raise CommandError(f"{what}: empty number")
    if not _NUMBER_RE.match(item):
        raise CommandError(f"{what}: {item!r} is not a number (plain decimal notation, e.g. "
                           "-1.5 or 2e-3)")
    value = float(item)
    if not math.isfinite(value):
        raise CommandError(f"{what}: {item!r} is out of the float64 range")
    return value


def _number_list(text: str, what: str, n: int) -> list:
    """``n`` comma-separated finite numbers (no empty items), or a one-line error."""
    items = text.split(",")
    for k, item in enumerate(items, 1):
        if not item.strip(_BLANK):
            raise CommandError(f"{what}: entry {k} of {text!r} is empty (give comma-separated "
                               "numbers, one per player)")
    if len(items) != n:
        raise CommandError(f"{what} needs one entry per player ({n}), got {len(items)} in "
                           f"{text!r}")
    return [_number(item, f"{what} entry {k}") for k, item in enumerate(items, 1)]


def _positive_number(text: str, what: str) -> float:
    value = _number(text, what)
    if not value > 0:
        raise CommandError(f"{what} must be a positive number, got {text!r}")
    return value


def _positive_int(text: str, what: str) -> int:
    item = text.strip(_BLANK)
    if not _INTEGER_RE.match(item) or int(item) < 1:
        raise CommandError(f"{what} must be a positive integer, got {text!r}")
    return int(item)


def _read_stdin() -> str:
    stream = sys.stdin
    if stream is None:  # `bargainjax solve - <&-`
        raise CommandError("cannot read the game from standard input: it is closed")
    try:
        buffer = getattr(stream, "buffer", None)
        data = buffer.read() if buffer is not None else stream.read()
    except (OSError, ValueError) as err:  # a closed descriptor or file object
        raise CommandError(f"cannot read the game from standard input: "
                           f"{getattr(err, 'strerror', None) or err}") from None
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            data = data.decode("latin-1")
    if not data.strip():
        raise CommandError("standard input is empty: expected a game in Gambit .nfg format")
    return data


def _read_game(path: str):
    if path == "-":
        return bj.parse_nfg(_read_stdin())
    try:
        return bj.read_nfg(path)
    except OSError as err:
        raise CommandError(f"cannot read {path}: {err.strerror or err}") from None


def _nonfinite(obj, where: str = "") -> str | None:
    """The first place (``payoffs``, ``certificate.tol``, ...) in ``obj`` that holds a
    non-finite number, or ``None``."""
    if isinstance(obj, float):
        return None if math.isfinite(obj) else (where or "value")
    if isinstance(obj, dict):
        pairs = [(f"{where}.{k}" if where else str(k), v) for k, v in obj.items()]
    elif isinstance(obj, (list, tuple)):
        pairs = [(where, v) for v in obj]
    else:
        return None
    for place, value in pairs:
        found = _nonfinite(value, place)
        if found is not None:
            return found
    return None


def _cap_hint(msg: str) -> str:
    """``msg`` (a library ``ValueError``) with the option that raises the limit it names:
    ``pass max_players=6`` reads ``(on the command line: --max-players 6)``."""
    hints = []
    for key, flag in CAP_OPTIONS.items():
        if key in msg and flag not in msg:
            value = re.search(rf"\b{key}=(\d+)", msg)
            hints.append(f"{flag} {value.group(1) if value else 'N'}")
    return msg + "".join(f" (on the command line: {h})" for h in hints)


def _not_certified(concept, out, tol) -> CommandError:
    """The exit-1 message of a result whose status is neither successful nor infeasible."""
    cert = out["certificate"]
    if Status[out["status"].upper()] == Status.IMPRECISE:
        held = cert["tol"]
        if tol is not None:
            why = (f"the certificate's rounding floor at this answer, {held - tol:.2g} (the "
                   f"result's tol {held:.3g} is --tol plus that floor), exceeds --tol {tol:g}; "
                   f"give a --tol above the floor")
        else:
            why = (f"the certificate's rounding floor exceeds the default tolerance (the "
                   f"result's tol, request plus floor: {held:.3g}); give a larger --tol or "
                   "bring the disagreement point nearer the feasible set")
        return CommandError(f"{concept.name}: the answer cannot be certified in float64 "
                            f"(status imprecise): {why}", 1)
    return CommandError(f"{concept.name}: the solver did not certify its answer "
                        f"({out['status']}: {out['message']}; {cert['name']} "
                        f"{cert['value']:.3g}, tol {cert['tol']:.3g})", 1)


class _ConceptChoices:
    """The ``choices`` of ``--concept``: iterating gives the registered concepts' names (read
    from :data:`CONCEPTS` when asked, so a concept registered later is one); a tuple of names
    (the value :func:`_concept_list` makes of a comma-separated list) is a member when every
    name is registered."""

    def __iter__(self):
        return iter(list(CONCEPTS))

    def __contains__(self, value) -> bool:
        return all(v in CONCEPTS for v in (value if isinstance(value, tuple) else (value,)))


def _concept_list(text: str) -> tuple:
    """``--concept nbs,ksbs``: the registered concepts named, in order, as a tuple; an empty,
    unknown or repeated name is a one-line error (argparse prefixes ``argument --concept``)."""
    names = tuple(item.strip(_BLANK) for item in text.split(","))
    for k, name in enumerate(names, 1):
        if not name:
            raise argparse.ArgumentTypeError(f"entry {k} of {text!r} is empty (give one "
                                             "concept or a comma-separated list)")
        if name not in CONCEPTS:
            raise argparse.ArgumentTypeError(
                f"invalid choice: {name!r} (choose from {', '.join(map(repr, CONCEPTS))})")
        if name in names[:k - 1]:
            raise argparse.ArgumentTypeError(f"{name!r} is given twice in {text!r}")
    return names


def _check_flags(args, concepts) -> None:
    """Every option given applies to at least one of ``concepts`` (to the one, if one)."""
    for flag, value, key in (("--disagreement", args.disagreement, "disagreement"),
                             ("--weights", args.weights, "weights"),
                             ("--tol", args.tol, "tol"),
                             ("--all", args.all or None, "multi"),
                             ("--starts", args.starts, "multi"),
                             ("--ideal", args.ideal, "ideal"),
                             *((flag, getattr(args, key), key) for key, flag in
                               CAP_OPTIONS.items())):
        if value is None or any(_takes(c, key) for c in concepts):
            continue
        if len(concepts) == 1:
            raise CommandError(f"{flag} does not apply to concept {concepts[0].name}")
        raise CommandError(f"{flag} applies to none of the concepts "
                           f"{', '.join(c.name for c in concepts)}")
    for c in concepts:
        for key in c.multi_caps:
            if getattr(args, key) is not None and not (args.all or args.starts is not None):
                raise CommandError(f"{CAP_OPTIONS[key]} applies to the face enumeration of the "
                                   "multi-start search: give --all or --starts N with it")


def _takes(concept: Concept, key: str) -> bool:
    """Whether ``concept`` takes the option ``key`` (a :class:`Concept` flag or a work cap)."""
    if key in CAP_OPTIONS:
        return key in concept.caps or key in concept.multi_caps
    return bool(getattr(concept, key))


def _options_for(concept: Concept, options: Options) -> Options:
    """``options`` without those ``concept`` does not take (with several concepts, an option
    goes to the concepts it applies to)."""
    return options._replace(
        disagreement=options.disagreement if concept.disagreement else None,
        weights=options.weights if concept.weights else None,
        tol=options.tol if concept.tol else None,
        all_solutions=options.all_solutions if concept.multi else False,
        starts=options.starts if concept.multi else None,
        ideal=options.ideal if concept.ideal else None,
        **{key: getattr(options, key) if _takes(concept, key) else None
           for key in CAP_OPTIONS})


def _solve_one(concept: Concept, game, options: Options) -> dict:
    """One concept's certified, finite result, or the :class:`CommandError` of its exit status
    (2: a refusal or bad input; 1: not certified)."""
    n = game.num_players
    if concept.two_players and n != 2:
        raise CommandError(f"{concept.name} needs a two-player game; this game has {n} players")
    try:
        out = concept.solve(game, options)
    except ValueError as err:  # bad input or a work cap of the library: exit 2, one line
        raise CommandError(_cap_hint(" ".join(str(err).split()) or type(err).__name__)) \
            from err
    code = exit_code(Status[out["status"].upper()])
    if code == 2:  # status infeasible: the concept does not apply, a refusal
        raise CommandError(f"{concept.name}: {out['message']}")
    if code:
        raise _not_certified(concept, out, options.tol)
    bad = _nonfinite(out)
    if bad is not None:
        raise CommandError(f"{concept.name}: the answer holds a non-finite number ({bad}; "
                           "overflow in float64), so nothing is certified", 1)
    return out


def _json(out, what: str) -> str:
    try:
        return json.dumps(out, allow_nan=False)
    except ValueError as err:  # unreachable after _nonfinite; kept as the strict-JSON guard
        raise CommandError(f"{what}: the answer is not strict JSON ({err})", 1) from None


def _write_plot(game, results: dict, path: str) -> None:
    """``--plot FILE``: :func:`bargainjax.plot` of the solved concepts, written to ``path``."""
    from bargainjax._plotting import save_plot
    from bargainjax.cli._registry import SECURITY_SOURCE

    n = game.num_players
    if n not in (2, 3):
        raise CommandError(f"--plot draws two- and three-player games; this game has {n} "
                           "players")
    security = next((out["disagreement"] for out in results.values()
                     if out.get("disagreement_source") == SECURITY_SOURCE), True)
    try:
        save_plot(game, results, path, security=security)
    except ImportError as err:
        raise CommandError(f"--plot: {err}") from None
    except OSError as err:
        raise CommandError(f"--plot: cannot write {path}: {err.strerror or err}") from None
    except ValueError as err:  # e.g. a file suffix that is no image format
        raise CommandError(f"--plot {path}: {' '.join(str(err).split())}") from None


def _cmd_solve(args) -> int:
    concepts = [CONCEPTS[name] for name in args.concept]
    _check_flags(args, concepts)
    tol = None if args.tol is None else _positive_number(args.tol, "--tol")
    starts = None if args.starts is None else _positive_int(args.starts, "--starts")
    caps = {key: None if getattr(args, key) is None else _positive_int(getattr(args, key), flag)
            for key, flag in CAP_OPTIONS.items()}
    game = _read_game(args.game)
    n = game.num_players
    options = Options(
        None if args.disagreement is None else _number_list(args.disagreement, "--disagreement", n),
        None if args.weights is None else _number_list(args.weights, "--weights", n),
        tol,
        bool(args.all),
        starts,
        args.ideal,
        **caps,
    )
    if len(concepts) == 1 and args.plot is None:  # one concept: its error is the command's
        out = _solve_one(concepts[0], game, options)
        print(_json(out, concepts[0].name) if args.json else format_human(out, concepts[0]))
        return 0
    results, worst = {}, 0
    for concept in concepts:
        try:
            out = _solve_one(concept, game, _options_for(concept, options))
            _json(out, concept.name)  # the strict-JSON guard, before any of it is printed
        except CommandError as err:  # reported, and the next concept is solved
            if args.debug:
                raise
            print(f"{PROG}: error: {err}", file=sys.stderr, flush=True)
            worst = max(worst, err.code)
            continue
        results[concept.name] = out
        if not args.json:
            print(("\n" if len(results) > 1 else "") + format_human(out, concept), flush=True)
    if args.json and len(concepts) > 1:
        print("[" + ", ".join(_json(out, name) for name, out in results.items()) + "]")
    elif args.json and results:  # one concept (with --plot): its one object, as without
        print(_json(results[concepts[0].name], concepts[0].name))
    if args.plot is not None:
        _write_plot(game, results, args.plot)
    return worst


# ---------------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    """The ``bargainjax`` argument parser (subcommands ``solve``, ``run``, ``reproduce``,
    ``sweep``)."""
    p = _Parser(prog=PROG, description="Cooperative bargaining solutions of games (JAX).")
    p.add_argument("--debug", action="store_true", help="show tracebacks instead of one line")
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("solve", help="solve a game in Gambit .nfg format",
                       description="Solve a game (Gambit .nfg file, or - for stdin) for one "
                       "solution concept or several. Write negative numbers as "
                       "--disagreement=-1,2.5.")
    s.add_argument("game", metavar="GAME", help=".nfg file, or - for standard input")
    s.add_argument("--concept", "-c", required=True, type=_concept_list,
                   choices=_ConceptChoices(), metavar="CONCEPT[,CONCEPT...]",
                   help="one concept, or several separated by commas, each solved and "
                   "reported in turn; " + "; ".join(f"{c.name}: {c.summary}"
                                                    for c in CONCEPTS.values()))
    s.add_argument("--disagreement", "-d", metavar="D1,D2,...",
                   help="disagreement point (default: the players' security levels)")
    s.add_argument("--weights", "-w", metavar="W1,W2,...",
                   help="nbs: bargaining powers; utilitarian: weights of the sum (default 1)")
    s.add_argument("--tol", metavar="T",
                   help="relative certificate tolerance of the solver (a positive number; "
                   "default: the solver's own)")
    s.add_argument("--all", action="store_true",
                   help="coco-equilibrium: multi-start search, list every distinct solution found")
    s.add_argument("--starts", metavar="N",
                   help="coco-equilibrium: number of starting points (implies --all; default "
                   f"{_default(bj.coco_equilibria, 'num_starts')})")
    s.add_argument("--ideal", choices=IDEALS,
                   help="ksbs: each player's ideal payoff over the individually rational part "
                   "{u in F: u >= d} (rational, Kalai and Smorodinsky's definition; the "
                   "library's default) or over all of F (feasible)")
    s.add_argument("--max-coalitions", metavar="N",
                   help="coco-value: the most coalitions (2**players) to fight (the library's "
                   f"max_coalitions, default {_default(bj.coco_value, 'max_coalitions')})")
    s.add_argument("--max-players", metavar="N",
                   help="coco-equilibrium: the most players, every step fighting all "
                   "2**players coalitions (the library's max_players, default "
                   f"{_default(bj.coco_equilibrium, 'max_players')})")
    s.add_argument("--max-faces", metavar="N",
                   help="coco-equilibrium with --all / --starts: the most candidate faces (sets "
                   "of at most n joint outcomes) to enumerate (the library's max_faces, "
                   f"default {_default(bj.coco_equilibria, 'max_faces')})")
    s.add_argument("--json", action="store_true",
                   help="print one JSON object (several concepts: a JSON list of them)")
    s.add_argument("--plot", metavar="FILE",
                   help="draw the bargaining problem (two or three players) with every solved "
                   "concept into FILE (.png, .pdf, .svg; needs matplotlib, the plot extra)")
    # No default of its own, so that ``bargainjax --debug solve ...`` is seen here too.
    s.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help=argparse.SUPPRESS)
    s.set_defaults(func=_cmd_solve)

    _runner.add_subcommands(sub)
    _sweep_cli.add_subcommand(sub)
    _warmup.add_subcommand(sub)
    return p


_VALUE_FLAGS = {"--disagreement", "-d", "--weights", "-w", "--tol", "--starts",
               "--max-coalitions", "--max-players", "--max-faces"}


def _join_negative_values(argv: list) -> list:
    """Let ``--disagreement -1,2.5`` mean ``--disagreement=-1,2.5`` (argparse would read
    ``-1,2.5`` as an option)."""
    out, i = [], 0
    while i < len(argv):
        a = argv[i]
        if a in _VALUE_FLAGS and i + 1 < len(argv) and argv[i + 1][:1] == "-" \
                and len(argv[i + 1]) > 1 and (argv[i + 1][1].isdigit() or argv[i + 1][1] == "."):
            out.append(f"{a}={argv[i + 1]}")
            i += 2
            continue
        out.append(a)
        i += 1
    return out


def _enable_compilation_cache(jax) -> None:
    if not _program.cache_on():
        return
    if os.environ.get("JAX_COMPILATION_CACHE_DIR") or jax.config.jax_compilation_cache_dir:
        return
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = os.path.join(base, "bargainjax", "jax")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        return
    jax.config.update("jax_compilation_cache_dir", path)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)


def main(argv=None) -> int:
    """Entry point of the ``bargainjax`` command; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    jax.config.update("jax_enable_x64", True)
    try:
        with warnings.catch_warnings(record=not debug) as caught:
            args = build_parser().parse_args(_join_negative_values(argv))
            if args.func not in (_cmd_solve, _warmup._cmd_warmup):  # they cache their programs
                _enable_compilation_cache(jax)
            code = args.func(args)
        for w in caught or []:
            print(f"{PROG}: warning: {w.message}", file=sys.stderr)
        return code
    except CommandError as err:
        if debug:
            raise
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return err.code
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `bargainjax solve ... | head -1`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except SystemExit as exit_:  # --help, --version
        return exit_.code if isinstance(exit_.code, int) else 0
    except Exception as err:  # noqa: BLE001 - the contract: one line, never a traceback
        if debug:
            raise
        msg = " ".join(str(err).split()) or type(err).__name__
        print(f"{PROG}: error: {msg}", file=sys.stderr)
        return 2
