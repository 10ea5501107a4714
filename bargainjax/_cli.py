r"""The ``bargainjax`` command line, in the manner of Gambit's ``gambit-*`` tools.

Subcommands::

    bargainjax solve GAME --concept C [--disagreement d1,d2,...] [--weights w1,...]
                                      [--tol T] [--all] [--starts N] [--json] [--debug]
    bargainjax run CONFIG.toml [--out DIR]
    bargainjax reproduce [--out DIR] [--configs DIR]
    bargainjax sweep CONFIG.toml [--out DIR] [--devices N] [--distributed] [--quiet]

``sweep`` is described in :mod:`bargainjax._sweep_cli`.  ``GAME`` is a Gambit ``.nfg`` file
(payoff or outcome version) or ``-`` for standard input.
Solution concepts live in a registry, :data:`CONCEPTS` (name -> :class:`Concept`), filled with
the :func:`register` decorator; ``--concept`` accepts exactly its keys.  The set-based concepts
(``utilitarian``, ``nbs``, ``ksbs``, ``egalitarian``) work over the correlated (joint-strategy)
feasible set :math:`F = \operatorname{conv}\{U(x)\}`; without ``--disagreement`` the
disagreement point is every player's security level (maximin against all others jointly).

Exit status: 0 success; 1 the solver ran but did not certify its answer (its status is not
``successful``); 2 an error: bad input or options, an unreadable or malformed file, or a concept
that does not apply to the game (e.g. ``zero-sum`` with three players, or a disagreement point
that no feasible payoff improves on).  Errors are one line on standard error,
``bargainjax: error: <message>``; ``--debug`` re-raises them with the traceback instead.

Computation is in float64 (``jax_enable_x64`` is switched on before anything is computed).
Each run is a fresh process, so compiling the solvers dominates small games; the command keeps
JAX's persistent compilation cache in ``$XDG_CACHE_HOME/bargainjax/jax`` (default
``~/.cache/bargainjax/jax``) so that later runs on games of the same shape skip it.  Set
``BARGAINJAX_CACHE=0`` to turn that off; a ``JAX_COMPILATION_CACHE_DIR`` you set yourself is
left alone.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import warnings
from typing import Callable, NamedTuple

import numpy as np

PROG = "bargainjax"
SECURITY_SOURCE = "security levels (maximin against all others)"
_SUPPORT_EPS = 1e-10  # probabilities below this are left out of the printed support


class CommandError(Exception):
    """A clean, one-line refusal with an exit code (2: error, 1: solver did not certify)."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """Argument parser whose errors are one line (``bargainjax: error: ...``), exit code 2."""

    def error(self, message):
        raise CommandError(message.replace("\n", " "))


# ----------------------------------------------------------------------------- registry


class Options(NamedTuple):
    """What a concept's solver gets besides the game (lists are already length-checked)."""

    disagreement: list | None
    weights: list | None
    tol: float | None
    all_solutions: bool = False  # --all (or --starts N): search for several solutions
    starts: int | None = None  # --starts N


class Concept(NamedTuple):
    """One entry of :data:`CONCEPTS`.

    Attributes:
        name: the ``--concept`` value.
        summary: one line for ``--help`` and the human output.
        solve: ``solve(game, options) -> dict``, the JSON-ready result (see :func:`_result`).
        disagreement: whether ``--disagreement`` applies.
        weights: whether ``--weights`` applies.
        tol: whether ``--tol`` applies.
        multi: whether ``--all`` / ``--starts`` apply.
    """

    name: str
    summary: str
    solve: Callable
    disagreement: bool = False
    weights: bool = False
    tol: bool = True
    multi: bool = False


CONCEPTS: dict[str, Concept] = {}


def register(name: str, summary: str, *, disagreement=False, weights=False, tol=True,
             multi=False):
    """Decorator adding ``solve(game, options) -> dict`` to :data:`CONCEPTS` under ``name``."""

    def deco(fn):
        if name in CONCEPTS:
            raise ValueError(f"concept {name!r} is already registered")
        CONCEPTS[name] = Concept(name, summary, fn, disagreement, weights, tol, multi)
        return fn

    return deco


# ------------------------------------------------------------------------------ helpers


def _floats(x) -> list:
    """JSON-ready list of Python floats (NaN/inf become ``None``)."""
    return [float(v) if math.isfinite(float(v)) else None for v in np.asarray(x, float).ravel()]


def _status(code) -> tuple[str, str]:
    import bargainjax as bj

    s = bj.Status(int(np.max(np.asarray(code))))
    return s.name.lower(), s.message


def _joint_support(game, p) -> list:
    """``[{"profile": [strategy names], "probability": p}]`` for the non-negligible entries of
    a distribution ``p`` over joint outcomes (C order over players' actions)."""
    p = np.asarray(p, float)
    out = []
    for k in np.flatnonzero(p > _SUPPORT_EPS):
        x = np.unravel_index(int(k), game.num_actions)
        out.append({
            "profile": [game.strategy_names[i][a] for i, a in enumerate(x)],
            "probability": float(p[k]),
        })
    return sorted(out, key=lambda e: -e["probability"])


def _result(game, concept, *, payoffs, certificate, gap, tol, status, **extra) -> dict:
    name, message = _status(status)
    out = {
        "concept": concept,
        "game": game.title,
        "players": list(game.player_names),
        "payoffs": _floats(payoffs),
    }
    out.update(extra)
    out["certificate"] = {"name": certificate, "value": float(gap), "tol": float(tol)}
    out["status"] = name
    out["message"] = message
    return out


def _disagreement(game, options) -> tuple[np.ndarray, str, float]:
    """The disagreement point, where it came from, and its own error bound (payoff units)."""
    import bargainjax as bj

    if options.disagreement is not None:
        return np.asarray(options.disagreement, float), "given (--disagreement)", 0.0
    sl = bj.security_levels(game)
    name, message = _status(sl.status)
    if name != "successful":
        raise CommandError(f"could not certify the players' security levels: {message}", 1)
    return np.asarray(sl.levels, float), SECURITY_SOURCE, float(sl.gap)


def _no_improvement(d, source) -> CommandError:
    d_txt = "(" + ", ".join(f"{v:.6g}" for v in d) + ")"
    what = "the players' security levels" if source == SECURITY_SOURCE else "given"
    hint = (" (e.g. a zero-sum game: no outcome is better for everyone than the security levels)"
            if source == SECURITY_SOURCE else "")
    return CommandError(
        f"the disagreement point {d_txt} ({what}) admits no strict improvement: no feasible "
        f"payoff vector is better for every player{hint}, so the solution is not defined; "
        "give another point with --disagreement"
    )


def _set_based(game, options, concept, solver, certificate):
    """Shared body of nbs / ksbs / egalitarian over the correlated feasible set."""
    import bargainjax as bj

    F = bj.correlated_set(game)
    d, source, d_err = _disagreement(game, options)
    try:
        sol = solver(F, d)
    except ValueError as err:
        if "no strict improvement" in str(err):
            raise _no_improvement(d, source) from err
        raise
    u = np.asarray(sol.payoffs, float)
    points = np.asarray(F.points, float)
    scale = max(float(np.max(points) - np.min(points)), float(np.max(np.abs(points))), 1e-300)
    # A "solution" whose gains are at rounding level means d is (numerically) Pareto optimal.
    floor = max(math.sqrt(np.finfo(float).eps) * scale, 4.0 * d_err)
    if int(sol.status) == int(bj.Status.INFEASIBLE) or np.min(u - d) <= floor:
        raise _no_improvement(d, source)
    p = np.asarray(sol.strategy[0], float)
    return _result(
        game, concept, payoffs=u, certificate=certificate, gap=sol.gap, tol=sol.tol,
        status=sol.status, weights=_floats(sol.weights), disagreement=_floats(d),
        disagreement_source=source, strategies=_floats(p), support=_joint_support(game, p),
        num_steps=int(sol.num_steps),
    )


# ----------------------------------------------------------------------------- concepts


@register("zero-sum", "value and optimal strategies of the zero-sum game of player 1's payoffs "
          "(two players; row player maximises)")
def _zero_sum(game, options):
    import bargainjax as bj

    if game.num_players != 2:
        raise CommandError(
            f"zero-sum needs a two-player game; this game has {game.num_players} players"
        )
    A = np.asarray(game.payoffs[0], float)
    B = np.asarray(game.payoffs[1], float)
    sol = bj.solve_zero_sum(game.payoffs[0], tol=options.tol)
    x, y = np.asarray(sol.row_strategy, float), np.asarray(sol.col_strategy, float)
    payoffs = [float(x @ A @ y), float(x @ B @ y)]
    # The solver also accepts a gap within a few ulps of max|A| (the rounding floor).
    tol = max(float(sol.tol), 8 * np.finfo(float).eps * float(np.max(np.abs(A))))
    extra = {}
    if not np.allclose(B, -A, rtol=0, atol=1e-12 * max(1.0, float(np.max(np.abs(A))))):
        c = A + B
        if np.allclose(c, c.flat[0], rtol=0, atol=1e-12 * max(1.0, float(np.max(np.abs(c))))):
            extra["note"] = (f"constant-sum game (A + B = {c.flat[0]:.6g}): solved as the "
                             "zero-sum game of player 1's payoffs, which has the same optimal "
                             "strategies")
        else:
            extra["note"] = ("not a zero-sum game (B != -A): solved as the zero-sum game of "
                             "player 1's payoffs A; player 2's own payoffs are ignored by the "
                             "solution and only evaluated at it")
    support = [
        [{"strategy": game.strategy_names[i][a], "probability": float(s[a])}
         for a in np.flatnonzero(s > _SUPPORT_EPS)]
        for i, s in enumerate((x, y))
    ]
    return _result(
        game, "zero-sum", payoffs=payoffs, certificate="duality_gap", gap=sol.gap, tol=tol,
        status=sol.status, value=float(sol.value), strategies=[_floats(x), _floats(y)],
        support=support, num_steps=int(sol.num_steps), **extra,
    )


@register("utilitarian", "weighted-sum (utilitarian) maximum over the correlated feasible set",
          weights=True, tol=False)
def _utilitarian(game, options):
    import bargainjax as bj

    F = bj.correlated_set(game)
    sol = bj.utilitarian(F, options.weights)
    p = np.asarray(sol.strategy[0], float)
    return _result(
        game, "utilitarian", payoffs=sol.payoffs, certificate="weighted_sum_gap", gap=sol.gap,
        tol=sol.tol, status=sol.status, weights=_floats(sol.weights), strategies=_floats(p),
        support=_joint_support(game, p), num_steps=int(sol.num_steps),
    )


@register("nbs", "Nash bargaining solution over the correlated feasible set",
          disagreement=True, weights=True)
def _nbs(game, options):
    import bargainjax as bj

    def solver(F, d):
        return bj.nash_bargaining(F, d, weights=options.weights, tol=options.tol)

    out = _set_based(game, options, "nbs", solver, "frank_wolfe_gap")
    if options.weights is not None:
        out["bargaining_weights"] = [float(w) for w in options.weights]
    return out


@register("ksbs", "Kalai-Smorodinsky solution over the correlated feasible set",
          disagreement=True)
def _ksbs(game, options):
    import bargainjax as bj

    return _set_based(game, options, "ksbs",
                      lambda F, d: bj.kalai_smorodinsky(F, d, tol=options.tol),
                      "maxmin_duality_gap")


@register("egalitarian", "egalitarian solution (max-min gains) over the correlated feasible set",
          disagreement=True)
def _egalitarian(game, options):
    import bargainjax as bj

    return _set_based(game, options, "egalitarian",
                      lambda F, d: bj.egalitarian(F, d, tol=options.tol), "maxmin_duality_gap")


@register("coco-value", "CoCo value (Kalai-Kalai; n players: Shapley value of the coalition "
          "fights) with weights a, reported in utilons phi_i(a) / a_i", weights=True)
def _coco_value(game, options):
    import bargainjax as bj

    a = np.ones(game.num_players) if options.weights is None else np.asarray(options.weights)
    cv = bj.coco_value(game, a, tol=options.tol)
    a = np.asarray(cv.weights, float)
    U = np.asarray(game.payoffs, float)
    scale = float(np.sum(a * (U.reshape(U.shape[0], -1).max(1) - U.reshape(U.shape[0], -1).min(1))))
    rel = options.tol if options.tol is not None else 1e-9
    name, _ = _status(cv.status)
    if name != "successful":
        raise CommandError(f"the coalition fights did not certify: {_status(cv.status)[1]}", 1)
    return _result(
        game, "coco-value", payoffs=np.asarray(cv.value, float) / a,
        certificate="fight_duality_gap", gap=cv.gap, tol=rel * max(scale, 1e-300),
        status=cv.status, weights=_floats(a / a.sum()), value_curnits=_floats(cv.value),
        coalition_values=_floats(cv.coalition_values),
    )


@register("threat", "Nash's (1953) variable-threat solution (two players): optimal threats, "
          "the threat point and the NBS from it")
def _threat(game, options):
    import bargainjax as bj

    if game.num_players != 2:
        raise CommandError(f"threat needs a two-player game, got {game.num_players} players")
    rel = options.tol if options.tol is not None else 1e-7
    tp = bj.threat_point(game, tol=rel)
    U = np.asarray(game.payoffs, float)
    span = float(U.max() - U.min()) or 1.0
    cert = max(float(tp.zero_sum_gap), float(tp.max_improvement))
    status = int(bj.Status.SUCCESSFUL) if tp.is_threat_point else int(bj.Status.MAX_STEPS_REACHED)
    if not tp.is_threat_point:
        raise CommandError("no certified threat point: a player gains "
                           f"{float(tp.max_improvement):.3g} by changing their threat", 1)
    x, y = (np.asarray(t, float) for t in tp.threats)
    return _result(
        game, "threat", payoffs=tp.payoffs, certificate="threat_deviation_gain", gap=cert,
        tol=rel * span, status=status, disagreement=_floats(tp.disagreement),
        disagreement_source="threat point (optimal threats of the variable-threat game)",
        weights=_floats(tp.weights), strategies=[_floats(x), _floats(y)],
        support=[[{"strategy": game.strategy_names[i][k], "probability": float(p[k])}
                  for k in np.flatnonzero(p > _SUPPORT_EPS)] for i, p in enumerate((x, y))],
    )


# The CoCo equilibrium solves 2**n coalition fights (zero-sum LPs over joint actions) at every
# Gauss-Newton step, and its face search enumerates sets of up to n outcome points, so both the
# number of players and the number of joint outcomes are capped for the command line (the
# library function itself takes any size).  Within the caps, the Gambit files run in seconds.
COCO_EQ_MAX_PLAYERS = 5
COCO_EQ_MAX_OUTCOMES = 256
COCO_EQ_DEFAULT_TOL = 1e-6
COCO_EQ_DEFAULT_STARTS = 8


def _vec(x) -> str:
    return "(" + ", ".join(f"{float(v):.6g}" for v in np.asarray(x, float).ravel()) + ")"


def _coco_eq_refusal(game, eq, tol) -> CommandError:
    """The one-line exit-1 message for an uncertified or degenerate CoCo equilibrium."""
    import bargainjax as bj

    a = np.asarray(eq.weights, float)
    u = np.asarray(eq.payoffs, float)
    if int(eq.status) == int(bj.Status.DEGENERATE):
        small = [i for i in range(len(a)) if a[i] < 1e-8] or [int(np.argmin(a))]
        limit = ", ".join(f"a_{i + 1} -> 0" for i in small)
        who = ", ".join(str(game.player_names[i]) if not str(game.player_names[i]).isdigit()
                        else f"player {game.player_names[i]}" for i in small)
        return CommandError(
            "no CoCo equilibrium with all weights positive: the conditions hold only in the "
            f"limit {limit} ({who}) (payoffs {_vec(u)}, weights {_vec(a)}, certificate "
            f"{float(eq.certificate):.3g}); status degenerate", 1)
    name, message = _status(eq.status)
    return CommandError(
        f"no certified CoCo equilibrium: best certificate {float(eq.certificate):.3g} "
        f"(tol {tol:.3g}) at weights {_vec(a)}, payoffs {_vec(u)}; status {name} ({message}); "
        "try --all or --starts N for more starting points", 1)


@register("coco-equilibrium", "CoCo equilibrium (virtual-price fixed point: weights a > 0 and "
          "u on the maximising face of a with a_i u_i = CoCo value phi_i(a); two players: Nash's "
          "variable-threat solution); --all / --starts N search for several", multi=True)
def _coco_equilibrium(game, options):
    import bargainjax as bj

    n = game.num_players
    K = int(np.prod(game.num_actions))
    if n > COCO_EQ_MAX_PLAYERS or K > COCO_EQ_MAX_OUTCOMES:
        raise CommandError(
            f"coco-equilibrium is limited to {COCO_EQ_MAX_PLAYERS} players and "
            f"{COCO_EQ_MAX_OUTCOMES} joint outcomes on the command line (every step solves "
            f"2**n coalition fights over the joint actions); this game has {n} players and "
            f"{K} joint outcomes")
    tol = options.tol if options.tol is not None else COCO_EQ_DEFAULT_TOL
    found = None
    if options.all_solutions or options.starts is not None:
        starts = options.starts if options.starts is not None else COCO_EQ_DEFAULT_STARTS
        found = bj.coco_equilibria(game, num_starts=starts, tol=tol)
        eq = found.solutions[0]
    else:
        eq = bj.coco_equilibrium(game, tol=tol)
    if int(eq.status) != int(bj.Status.SUCCESSFUL):
        raise _coco_eq_refusal(game, eq, tol)
    a = np.asarray(eq.weights, float)
    p = np.asarray(eq.mixture, float)
    extra = {}
    if found is not None:
        extra["solutions"] = [
            {"payoffs": _floats(s.payoffs),
             "weights": _floats(np.asarray(s.weights, float) / np.sum(s.weights)),
             "face": s.face,
             "certificate": {"name": "coco_equilibrium_residual",
                             "value": float(s.certificate), "tol": float(tol)},
             "status": _status(s.status)[0]}
            for s in found.solutions]
        extra["multiple"] = bool(found.multiple)
        extra["num_starts"] = int(found.num_starts)
    return _result(
        game, "coco-equilibrium", payoffs=eq.payoffs, certificate="coco_equilibrium_residual",
        gap=eq.certificate, tol=tol, status=eq.status, weights=_floats(a / a.sum()),
        face=eq.face, face_dimension=int(eq.face_dimension), strategies=_floats(p),
        support=_joint_support(game, p), coalition_values=_floats(eq.coalition_values),
        residual=float(eq.residual), support_gap=float(eq.support_gap),
        membership_residual=float(eq.membership_residual),
        certificate_scale="relative to the payoff range (max - min over all payoffs)",
        num_steps=int(eq.num_steps), **extra,
    )


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
    header = ["player", "payoff"]
    cols = [out["payoffs"]]
    if "disagreement" in out:
        header.append("disagreement")
        cols.append(out["disagreement"])
    if "bargaining_weights" in out:
        header.append("bargaining weight")
        cols.append(out["bargaining_weights"])
    if "weights" in out:
        header.append("weight" if out["concept"] in ("utilitarian", "coco-value", "coco-equilibrium")
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


def _number_list(text: str, what: str, n: int) -> list:
    try:
        vals = [float(t) for t in text.replace(" ", "").split(",") if t != ""]
    except ValueError:
        raise CommandError(f"{what} must be comma-separated numbers, got {text!r}") from None
    if len(vals) != n:
        raise CommandError(f"{what} needs one entry per player ({n}), got {len(vals)}")
    if not all(math.isfinite(v) for v in vals):
        raise CommandError(f"{what} entries must be finite, got {text!r}")
    return vals


def _read_game(path: str):
    import bargainjax as bj

    if path == "-":
        return bj.parse_nfg(sys.stdin.read())
    try:
        return bj.read_nfg(path)
    except OSError as err:
        raise CommandError(f"cannot read {path}: {err.strerror or err}") from None


def _cmd_solve(args) -> int:
    concept = CONCEPTS[args.concept]
    for flag, value, ok in (("--disagreement", args.disagreement, concept.disagreement),
                            ("--weights", args.weights, concept.weights),
                            ("--tol", args.tol, concept.tol),
                            ("--all", args.all or None, concept.multi),
                            ("--starts", args.starts, concept.multi)):
        if value is not None and not ok:
            raise CommandError(f"{flag} does not apply to concept {concept.name}")
    if args.tol is not None and not (args.tol > 0 and math.isfinite(args.tol)):
        raise CommandError(f"--tol must be a positive number, got {args.tol}")
    if args.starts is not None and args.starts < 1:
        raise CommandError(f"--starts must be a positive integer, got {args.starts}")
    game = _read_game(args.game)
    n = game.num_players
    options = Options(
        None if args.disagreement is None else _number_list(args.disagreement, "--disagreement", n),
        None if args.weights is None else _number_list(args.weights, "--weights", n),
        args.tol,
        bool(args.all),
        args.starts,
    )
    out = concept.solve(game, options)
    if out["status"] != "successful":
        raise CommandError(f"{concept.name}: the solver did not certify its answer "
                           f"({out['status']}: {out['message']})", 1)
    if args.json:
        print(json.dumps(out))
    else:
        print(format_human(out, concept))
    return 0


# ---------------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    """The ``bargainjax`` argument parser (subcommands ``solve``, ``run``, ``reproduce``,
    ``sweep``)."""
    from . import __version__, _runner, _sweep_cli

    p = _Parser(prog=PROG, description="Cooperative bargaining solutions of games (JAX).")
    p.add_argument("--debug", action="store_true", help="show tracebacks instead of one line")
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("solve", help="solve a game in Gambit .nfg format",
                       description="Solve a game (Gambit .nfg file, or - for stdin) for one "
                       "solution concept. Write negative numbers as --disagreement=-1,2.5.")
    s.add_argument("game", metavar="GAME", help=".nfg file, or - for standard input")
    s.add_argument("--concept", "-c", required=True, choices=list(CONCEPTS),
                   help="; ".join(f"{c.name}: {c.summary}" for c in CONCEPTS.values()))
    s.add_argument("--disagreement", "-d", metavar="D1,D2,...",
                   help="disagreement point (default: the players' security levels)")
    s.add_argument("--weights", "-w", metavar="W1,W2,...",
                   help="nbs: bargaining powers; utilitarian: weights of the sum (default 1)")
    s.add_argument("--tol", type=float, metavar="T", help="certificate tolerance of the solver")
    s.add_argument("--all", action="store_true",
                   help="coco-equilibrium: multi-start search, list every distinct solution found")
    s.add_argument("--starts", type=int, metavar="N",
                   help=f"coco-equilibrium: number of starting points (implies --all; default "
                   f"{COCO_EQ_DEFAULT_STARTS})")
    s.add_argument("--json", action="store_true", help="print one JSON object")
    s.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    s.set_defaults(func=_cmd_solve)

    _runner.add_subcommands(sub)
    _sweep_cli.add_subcommand(sub)
    return p


_VALUE_FLAGS = {"--disagreement", "-d", "--weights", "-w", "--tol"}


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
    if os.environ.get("BARGAINJAX_CACHE", "1").strip().lower() in ("0", "", "no", "false", "off"):
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
    import jax

    jax.config.update("jax_enable_x64", True)
    _enable_compilation_cache(jax)
    try:
        with warnings.catch_warnings(record=not debug) as caught:
            args = build_parser().parse_args(_join_negative_values(argv))
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
