r"""The ``bargainjax`` command line, in the manner of Gambit's ``gambit-*`` tools.

Subcommands::

    bargainjax solve GAME --concept C [--disagreement d1,d2,...] [--weights w1,...]
                                      [--tol T] [--all] [--starts N] [--ideal I]
                                      [--max-coalitions N] [--max-players N] [--max-faces N]
                                      [--json] [--debug]
    bargainjax run CONFIG.toml [--out DIR]
    bargainjax reproduce [--out DIR] [--configs DIR]
    bargainjax sweep CONFIG.toml [--out DIR] [--devices N] [--distributed] [--quiet]

``sweep`` is described in :mod:`bargainjax.cli._sweep`.  ``GAME`` is a Gambit ``.nfg`` file
(payoff or outcome version) or ``-`` for standard input.
Solution concepts live in a registry, :data:`CONCEPTS` (name -> :class:`Concept`), filled with
the :func:`register` decorator; ``--concept`` accepts exactly its keys.  The set-based concepts
(``utilitarian``, ``nbs``, ``ksbs``, ``egalitarian``) work over the correlated (joint-strategy)
feasible set :math:`F = \operatorname{conv}\{U(x)\}`; without ``--disagreement`` the
disagreement point is every player's security level (maximin against all others jointly).

Options:

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
import re
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
    ideal: str | None = None  # --ideal rational|feasible (ksbs)
    max_coalitions: int | None = None  # --max-coalitions N (coco-value)
    max_players: int | None = None  # --max-players N (coco-equilibrium)
    max_faces: int | None = None  # --max-faces N (coco-equilibrium --all)


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
        ideal: whether ``--ideal`` applies.
        caps: the library's work-cap keywords the concept passes through, each the option
            ``--max-...`` of the same name (e.g. ``("max_coalitions",)``).
    """

    name: str
    summary: str
    solve: Callable
    disagreement: bool = False
    weights: bool = False
    tol: bool = True
    multi: bool = False
    ideal: bool = False
    caps: tuple = ()


CONCEPTS: dict[str, Concept] = {}


def register(name: str, summary: str, *, disagreement=False, weights=False, tol=True,
             multi=False, ideal=False, caps=()):
    """Decorator adding ``solve(game, options) -> dict`` to :data:`CONCEPTS` under ``name``."""

    def deco(fn):
        if name in CONCEPTS:
            raise ValueError(f"concept {name!r} is already registered")
        CONCEPTS[name] = Concept(name, summary, fn, disagreement, weights, tol, multi, ideal,
                                 tuple(caps))
        return fn

    return deco


# ------------------------------------------------------------------------------ helpers


def _floats(x) -> list:
    """JSON-ready list of Python floats.  Non-finite values are kept (as NaN/inf) so that
    :func:`_nonfinite` finds them: the command never prints them (exit 1 instead)."""
    return [float(v) for v in np.asarray(x, float).ravel()]


def _status(code) -> tuple[str, str]:
    """``(name, message)`` of a status or a batch of statuses, reduced by the one batch rule
    (:func:`bargainjax.core._contract.batch_status`)."""
    from bargainjax.core._contract import batch_status

    s = batch_status(code)
    return s.name.lower(), s.message


def exit_code(status) -> int:
    """The exit status of a (batch) status: 0 ``SUCCESSFUL``; 2 ``INFEASIBLE`` (the concept does
    not apply: a refusal); 1 any other (the solver ran but did not certify its answer)."""
    from bargainjax.core._contract import Status, batch_status

    s = batch_status(status)
    return 0 if s == Status.SUCCESSFUL else 2 if s == Status.INFEASIBLE else 1


def _scalar(x) -> float:
    return float(np.max(np.asarray(x, float))) if np.size(x) else math.nan


def _contract(result) -> tuple[float, float, int, int]:
    """``(certificate, tol, status, num_steps)`` of a result: its contract fields, printed as
    they are (the command never computes a status or a tolerance of its own).  A batch of
    statuses is reduced by the one batch rule (:func:`bargainjax.core._contract.batch_status`)."""
    from bargainjax.core._contract import batch_status

    return (_scalar(result.certificate), _scalar(result.tol), int(batch_status(result.status)),
            int(np.max(np.asarray(result.num_steps))))


# What each concept's certificate bounds, in which units (the library's documentation of its
# result type); printed next to the certificate.
_UNITS = {
    "zero-sum": "duality gap relative to the range of player 1's payoffs (max - min)",
    "utilitarian": "Frank-Wolfe gap of the weighted sum over (sum of the weights) x (the "
                   "largest payoff range)",
    "nbs": "bound on max_i |u_i - u*_i| / R_i, the payoff error relative to each player's "
           "payoff range R_i over F",
    "ksbs": "how far any player's payoff may fall short of the solution's, relative to that "
            "player's payoff range over F (max-min gap x max_i (ideal_i - d_i) / R_i)",
    "egalitarian": "how far the smallest gain may fall short of the optimum's, relative to the "
                   "largest payoff range over F (max-min gap / max_i R_i)",
    "coco-value": "largest coalition-fight duality gap over sum_j a_j R_j (a the weights, R_j "
                  "player j's payoff range): bounds max_i a_i |payoff_i - phi_i(a)/a_i| / "
                  "sum_j a_j R_j",
    "threat": "largest gain in a player's own NBS payoff from switching threat to a pure "
              "action, relative to that player's payoff range (or the NBS's payoff error "
              "bound, if larger)",
    "coco-equilibrium": "residual of the equilibrium conditions in each player's unit "
                        "coordinates (payoffs mapped to [-1, 1] per player)",
}


def _call(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` without the keywords whose value is ``None`` (the API's
    defaults apply)."""
    return fn(*args, **{k: v for k, v in kwargs.items() if v is not None})


def _default(fn, keyword: str):
    """The default value of ``fn``'s keyword argument ``keyword`` (the library's own)."""
    import inspect

    return inspect.signature(fn).parameters[keyword].default


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


def _result(game, concept, *, payoffs, certificate, contract, units=None, **extra) -> dict:
    """The JSON-ready result: ``certificate`` names the certificate and ``units`` says what it
    bounds, in which units (from the library's documentation of the result); ``contract`` is
    ``(certificate, tol, status, num_steps)`` from :func:`_contract`."""
    value, tol, status, steps = contract
    name, message = _status(status)
    out = {
        "concept": concept,
        "game": game.title,
        "players": list(game.player_names),
        "payoffs": _floats(payoffs),
    }
    if steps is not None:
        out["num_steps"] = steps
    out.update(extra)
    out["certificate"] = {"name": certificate, "value": float(value), "tol": float(tol)}
    if units is not None:
        out["certificate"]["units"] = units
    out["status"] = name
    out["message"] = message
    return out


def _disagreement(game, options) -> tuple[np.ndarray, str]:
    """The disagreement point and where it came from."""
    import bargainjax as bj

    if options.disagreement is not None:
        return np.asarray(options.disagreement, float), "given (--disagreement)"
    sl = bj.security_levels(game)
    status = _contract(sl)[2]
    if status != 0:
        name, message = _status(status)
        raise CommandError(f"could not certify the players' security levels: {name} ({message})",
                           1)
    return np.asarray(sl.levels, float), SECURITY_SOURCE


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


def _set_based(game, options, concept, solver, certificate, **extra):
    """Shared body of nbs / ksbs / egalitarian over the correlated feasible set.

    The solver's status decides: ``INFEASIBLE`` (no feasible point strictly improves on the
    disagreement point, decided by the solver in each player's own units) is the refusal.
    """
    import bargainjax as bj

    from bargainjax.core._contract import Status

    F = bj.correlated_set(game)
    d, source = _disagreement(game, options)
    sol = solver(F, d)
    contract = _contract(sol)
    if contract[2] == Status.INFEASIBLE:
        raise _no_improvement(d, source)
    p = np.asarray(sol.strategy[0], float)
    return _result(
        game, concept, payoffs=sol.payoffs, certificate=certificate, contract=contract,
        units=_UNITS[concept], weights=_floats(sol.weights), disagreement=_floats(d), disagreement_source=source,
        strategies=_floats(p), support=_joint_support(game, p), **extra,
    )


def _player_support(game, strategies) -> list:
    return [[{"strategy": game.strategy_names[i][a], "probability": float(s[a])}
             for a in np.flatnonzero(s > _SUPPORT_EPS)] for i, s in enumerate(strategies)]


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
    sol = _call(bj.solve_zero_sum, game.payoffs[0], tol=options.tol)
    x, y = np.asarray(sol.row_strategy, float), np.asarray(sol.col_strategy, float)
    with np.errstate(all="ignore"):  # payoffs near the float64 limit: checked for inf below
        payoffs = [float(x @ A @ y), float(x @ B @ y)]
        extra = {}
        big = float(np.max(np.abs(A)))
        if not np.allclose(B, -A, rtol=0, atol=1e-12 * max(1.0, big)):
            c = A + B
            cbig = float(np.max(np.abs(c)))
            if math.isfinite(cbig) and np.allclose(c, c.flat[0], rtol=0,
                                                   atol=1e-12 * max(1.0, cbig)):
                extra["note"] = (f"constant-sum game (A + B = {c.flat[0]:.6g}): solved as the "
                                 "zero-sum game of player 1's payoffs, which has the same "
                                 "optimal strategies")
            else:
                extra["note"] = ("not a zero-sum game (B != -A): solved as the zero-sum game "
                                 "of player 1's payoffs A; player 2's own payoffs are ignored "
                                 "by the solution and only evaluated at it")
    return _result(
        game, "zero-sum", payoffs=payoffs, certificate="duality_gap",
        contract=_contract(sol), units=_UNITS["zero-sum"], value=float(sol.value),
        strategies=[_floats(x), _floats(y)], support=_player_support(game, (x, y)), **extra,
    )


@register("utilitarian", "weighted-sum (utilitarian) maximum over the correlated feasible set",
          weights=True, tol=False)
def _utilitarian(game, options):
    import bargainjax as bj

    F = bj.correlated_set(game)
    sol = bj.utilitarian(F, options.weights)
    p = np.asarray(sol.strategy[0], float)
    return _result(
        game, "utilitarian", payoffs=sol.payoffs, certificate="weighted_sum_gap",
        contract=_contract(sol), units=_UNITS["utilitarian"], weights=_floats(sol.weights),
        strategies=_floats(p), support=_joint_support(game, p),
    )


@register("nbs", "Nash bargaining solution over the correlated feasible set",
          disagreement=True, weights=True)
def _nbs(game, options):
    import bargainjax as bj

    def solver(F, d):
        return _call(bj.nash_bargaining, F, d, weights=options.weights, tol=options.tol)

    out = _set_based(game, options, "nbs", solver, "payoff_error_bound")
    if options.weights is not None:
        out["bargaining_weights"] = [float(w) for w in options.weights]
    return out


IDEALS = ("rational", "feasible")


def _ideal_keyword(fn, ideal):
    """``{"ideal": ...}`` for ``fn`` (``kalai_smorodinsky``) when ``--ideal`` is given, and the
    convention in effect (without ``--ideal``, the library's default)."""
    if ideal is None:
        return {}, _default(fn, "ideal")
    return {"ideal": ideal}, ideal


@register("ksbs", "Kalai-Smorodinsky solution over the correlated feasible set",
          disagreement=True, ideal=True)
def _ksbs(game, options):
    import bargainjax as bj

    kw, ideal = _ideal_keyword(bj.kalai_smorodinsky, options.ideal)
    return _set_based(game, options, "ksbs",
                      lambda F, d: _call(bj.kalai_smorodinsky, F, d, tol=options.tol, **kw),
                      "maxmin_duality_gap", ideal=ideal)


@register("egalitarian", "egalitarian solution (max-min gains) over the correlated feasible set",
          disagreement=True)
def _egalitarian(game, options):
    import bargainjax as bj

    return _set_based(game, options, "egalitarian",
                      lambda F, d: _call(bj.egalitarian, F, d, tol=options.tol),
                      "maxmin_duality_gap")


@register("coco-value", "CoCo value (Kalai-Kalai; n players: Shapley value of the coalition "
          "fights) with weights a, reported in utilons phi_i(a) / a_i", weights=True,
          caps=("max_coalitions",))
def _coco_value(game, options):
    import bargainjax as bj

    a = None if options.weights is None else np.asarray(options.weights, float)
    cv = _call(bj.coco_value, game, a, tol=options.tol, max_coalitions=options.max_coalitions)
    w = np.asarray(cv.weights, float)
    with np.errstate(all="ignore"):  # extreme weights: non-finite shares are refused later
        shares = w / w.sum()
    return _result(
        game, "coco-value", payoffs=cv.payoffs, certificate="relative_fight_gap",
        contract=_contract(cv), units=_UNITS["coco-value"], weights=_floats(shares),
        value_curnits=_floats(cv.value), coalition_values=_floats(cv.coalition_values),
    )


@register("threat", "Nash's (1953) variable-threat solution (two players): optimal threats, "
          "the threat point and the NBS from it")
def _threat(game, options):
    import bargainjax as bj

    if game.num_players != 2:
        raise CommandError(f"threat needs a two-player game, got {game.num_players} players")
    tp = _call(bj.threat_point, game, tol=options.tol)
    x, y = (np.asarray(t, float) for t in tp.threats)
    return _result(
        game, "threat", payoffs=tp.payoffs, certificate="threat_deviation_gain",
        contract=_contract(tp), units=_UNITS["threat"],
        disagreement=_floats(tp.disagreement),
        disagreement_source="threat point (optimal threats of the variable-threat game)",
        weights=_floats(tp.weights), strategies=[_floats(x), _floats(y)],
        support=_player_support(game, (x, y)),
    )


# The CoCo equilibrium's work caps are the library's: ``max_players`` (default 5; every step
# solves the 2**n coalition fights) for coco_equilibrium and coco_equilibria, and ``max_faces``
# (default 4096) for the face enumeration of coco_equilibria (sets of at most n of the K joint
# outcomes, a count that grows like K**n).  Both refuse eagerly with a ValueError naming the
# keyword; the command passes --max-players / --max-faces straight through.  There is no cap on
# the number of joint outcomes K: one coco_equilibrium's work is polynomial in K (zero-sum LPs
# whose matrices have K entries, a face finish over a fixed number of outcome points).


def _vec(x) -> str:
    return "(" + ", ".join(f"{float(v):.6g}" for v in np.asarray(x, float).ravel()) + ")"


def _coco_eq_refusal(game, eq, contract) -> CommandError:
    """The one-line exit-1 message for an uncertified or degenerate CoCo equilibrium."""
    from bargainjax.core._contract import Status

    cert, tol, status, _ = contract
    a = np.asarray(eq.weights, float)
    u = np.asarray(eq.payoffs, float)
    if status == Status.DEGENERATE:
        small = [i for i in range(len(a)) if a[i] < 1e-8] or [int(np.argmin(a))]
        limit = ", ".join(f"a_{i + 1} -> 0" for i in small)
        who = ", ".join(str(game.player_names[i]) if not str(game.player_names[i]).isdigit()
                        else f"player {game.player_names[i]}" for i in small)
        return CommandError(
            "no CoCo equilibrium with all weights positive: the conditions hold only in the "
            f"limit {limit} ({who}) (payoffs {_vec(u)}, weights {_vec(a)}, certificate "
            f"{cert:.3g}); status degenerate", 1)
    name, message = _status(status)
    return CommandError(
        f"no certified CoCo equilibrium: best certificate {cert:.3g} "
        f"(tol {tol:.3g}) at weights {_vec(a)}, payoffs {_vec(u)}; status {name} ({message}); "
        "try --all or --starts N for more starting points", 1)


@register("coco-equilibrium", "CoCo equilibrium (virtual-price fixed point: weights a > 0 and "
          "u on the maximising face of a with a_i u_i = CoCo value phi_i(a); two players: Nash's "
          "variable-threat solution); --all / --starts N search for several", multi=True,
          caps=("max_players", "max_faces"))
def _coco_equilibrium(game, options):
    import bargainjax as bj

    found = None
    if options.all_solutions or options.starts is not None:
        found = _call(bj.coco_equilibria, game, num_starts=options.starts, tol=options.tol,
                      max_players=options.max_players, max_faces=options.max_faces)
        eq = found.solutions[0]
    else:
        eq = _call(bj.coco_equilibrium, game, tol=options.tol, max_players=options.max_players)
    contract = _contract(eq)
    if contract[2] != 0:
        raise _coco_eq_refusal(game, eq, contract)
    a = np.asarray(eq.weights, float)
    p = np.asarray(eq.mixture, float)
    extra = {}
    if found is not None:
        solutions = []
        for s in found.solutions:
            c = _contract(s)
            solutions.append({
                "payoffs": _floats(s.payoffs),
                "weights": _floats(np.asarray(s.weights, float) / np.sum(s.weights)),
                "face": s.face,
                "certificate": {"name": "coco_equilibrium_residual", "value": c[0],
                                "tol": c[1], "units": _UNITS["coco-equilibrium"]},
                "status": _status(c[2])[0]})
        extra["solutions"] = solutions
        extra["multiple"] = bool(found.multiple)
        extra["num_starts"] = int(found.num_starts)
    return _result(
        game, "coco-equilibrium", payoffs=eq.payoffs, certificate="coco_equilibrium_residual",
        contract=contract, units=_UNITS["coco-equilibrium"], weights=_floats(a / a.sum()),
        face=eq.face, face_dimension=int(eq.face_dimension), strategies=_floats(p),
        support=_joint_support(game, p), coalition_values=_floats(eq.coalition_values),
        residual=float(eq.residual), support_gap=float(eq.support_gap),
        membership_residual=float(eq.membership_residual), **extra,
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
    import bargainjax as bj

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


# The library's work-cap keywords and their options (``Concept.caps``).
CAP_OPTIONS = {"max_coalitions": "--max-coalitions", "max_players": "--max-players",
               "max_faces": "--max-faces"}


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
    from bargainjax.core._contract import Status

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


def _cmd_solve(args) -> int:
    from bargainjax.core._contract import Status

    concept = CONCEPTS[args.concept]
    for flag, value, ok in (("--disagreement", args.disagreement, concept.disagreement),
                            ("--weights", args.weights, concept.weights),
                            ("--tol", args.tol, concept.tol),
                            ("--all", args.all or None, concept.multi),
                            ("--starts", args.starts, concept.multi),
                            ("--ideal", args.ideal, concept.ideal),
                            *((flag, getattr(args, key), key in concept.caps)
                              for key, flag in CAP_OPTIONS.items())):
        if value is not None and not ok:
            raise CommandError(f"{flag} does not apply to concept {concept.name}")
    if args.max_faces is not None and not (args.all or args.starts is not None):
        raise CommandError("--max-faces applies to the face enumeration of the multi-start "
                           "search: give --all or --starts N with it")
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
    try:
        out = concept.solve(game, options)
    except ValueError as err:  # bad input or a work cap of the library: exit 2, one line
        raise CommandError(_cap_hint(" ".join(str(err).split()) or type(err).__name__)) \
            from err
    code = exit_code(Status[out["status"].upper()])
    if code == 2:  # status infeasible: the concept does not apply, a refusal
        raise CommandError(f"{concept.name}: {out['message']}")
    if code:
        raise _not_certified(concept, out, tol)
    bad = _nonfinite(out)
    if bad is not None:
        raise CommandError(f"{concept.name}: the answer holds a non-finite number ({bad}; "
                           "overflow in float64), so nothing is certified", 1)
    if args.json:
        try:
            text = json.dumps(out, allow_nan=False)
        except ValueError as err:  # unreachable after _nonfinite; kept as the strict-JSON guard
            raise CommandError(f"{concept.name}: the answer is not strict JSON ({err})", 1) \
                from None
        print(text)
    else:
        print(format_human(out, concept))
    return 0


# ---------------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    """The ``bargainjax`` argument parser (subcommands ``solve``, ``run``, ``reproduce``,
    ``sweep``)."""
    import bargainjax as bj

    from bargainjax import __version__
    from bargainjax.cli import _run as _runner, _sweep as _sweep_cli

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
    s.add_argument("--json", action="store_true", help="print one JSON object")
    s.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    s.set_defaults(func=_cmd_solve)

    _runner.add_subcommands(sub)
    _sweep_cli.add_subcommand(sub)
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
