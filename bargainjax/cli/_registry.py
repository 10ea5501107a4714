r"""The solution concepts of the command line: one registry, :data:`CONCEPTS`, read by both
``bargainjax solve`` and ``bargainjax sweep``.

Each concept is registered once, with the :func:`register` decorator on its ``solve`` function,
and its entry (:class:`Concept`) holds everything both commands need:

* ``name`` (the ``--concept`` value and the sweep config's ``concept``) and ``summary`` (one
  line of help);
* ``solve(game, options) -> dict``: the library call for one game and its JSON-ready result
  (:func:`_result`), for ``solve``;
* ``certificate`` and ``units``: the name of the result's certificate and what it bounds, in
  which units (the library's documentation of its result type), printed next to it by both
  commands;
* the options it takes: ``disagreement``, ``weights``, ``tol``, ``multi`` (``--all`` /
  ``--starts``), ``ideal``, the library's work caps ``caps`` (each passed straight through as
  the option ``--max-...`` of the same name, and in a sweep config as the key of that name)
  and ``multi_caps`` (the caps of the multi-start search only), and ``two_players``;
* how it is batched for ``sweep``: ``batch(n, security, has_weights, tol, keywords)`` builds
  the per-instance solver of ``{"U", "d", "w"}`` (payoff tensor, disagreement point, weights)
  whose record holds the result's own contract fields plus the concept's output fields; a
  concept without one is refused by ``sweep`` with the reason ``not_batchable``.  The sweep
  config keys passed straight through to the library are :attr:`Concept.batch_keywords`:
  ``ideal`` where it applies, and ``caps``.

The set-based concepts (``utilitarian``, ``nbs``, ``ksbs``, ``egalitarian``) work over the
correlated (joint-strategy) feasible set :math:`F = \operatorname{conv}\{U(x)\}`; without a
disagreement point they start from every player's security level (maximin against all others
jointly).  Every printed ``certificate``, ``tol`` and ``status`` is the result's own.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

import bargainjax as bj
from bargainjax.cli import _program
from bargainjax.cli._common import (
    CommandError,
    _call,
    _contract,
    _default,
    _floats,
    _given,
    _status,
)
from bargainjax.core._contract import Status, combine

SECURITY_SOURCE = "security levels (maximin against all others)"
_SUPPORT_EPS = 1e-10  # probabilities below this are left out of the printed support

# The library's work-cap keywords and their options (``Concept.caps``, ``Concept.multi_caps``).
CAP_OPTIONS = {"max_coalitions": "--max-coalitions", "max_players": "--max-players",
               "max_faces": "--max-faces"}

# Where each player's ideal payoff is taken (``--ideal``, the sweep key ``ideal``; ksbs).
IDEALS = ("rational", "feasible")


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
        name: the ``--concept`` value (and the sweep config's ``concept``).
        summary: one line for ``--help`` and the human output.
        solve: ``solve(game, options) -> dict``, the JSON-ready result (see :func:`_result`).
        certificate: the name of the result's certificate.
        units: what the certificate bounds, in which units.
        disagreement: whether a disagreement point applies (``--disagreement``, the sweep's
            ``grid.disagreement``; without one, the security levels).
        weights: whether weights apply (``--weights``, ``grid.weights``).
        tol: whether ``--tol`` applies.
        multi: whether ``--all`` / ``--starts`` apply.
        ideal: whether ``--ideal`` (the sweep key ``ideal``) applies.
        caps: the library's work-cap keywords of one solve, each the option ``--max-...`` and
            the sweep key of the same name (e.g. ``("max_coalitions",)``).
        multi_caps: the work-cap keywords of the multi-start search only (``--all``).
        two_players: whether the concept needs a two-player game.
        batch: ``batch(n, security, has_weights, tol, keywords)``, the per-instance solver of
            ``{"U", "d", "w"}`` for ``sweep``; ``None``: not batchable.
        not_batchable: why ``sweep`` refuses the concept (``None`` when it is batchable).
    """

    name: str
    summary: str
    solve: Callable
    certificate: str | None = None
    units: str | None = None
    disagreement: bool = False
    weights: bool = False
    tol: bool = True
    multi: bool = False
    ideal: bool = False
    caps: tuple = ()
    multi_caps: tuple = ()
    two_players: bool = False
    batch: Callable | None = None
    not_batchable: str | None = None

    @property
    def batch_keywords(self) -> tuple:
        """The sweep config keys passed straight through to the library function."""
        return (("ideal",) if self.ideal else ()) + self.caps


CONCEPTS: dict[str, Concept] = {}


def register(name: str, summary: str, *, certificate=None, units=None, disagreement=False,
             weights=False, tol=True, multi=False, ideal=False, caps=(), multi_caps=(),
             two_players=False, batch=None, not_batchable=None):
    """Decorator adding ``solve(game, options) -> dict`` to :data:`CONCEPTS` under ``name``,
    with the rest of its :class:`Concept` entry (``batch``: its per-instance solver builder for
    ``sweep``, or ``None`` with the reason ``not_batchable``)."""
    unknown = (set(caps) | set(multi_caps)) - set(CAP_OPTIONS)
    if unknown:
        raise ValueError(f"unknown work cap(s) {sorted(unknown)}; expected some of "
                         f"{sorted(CAP_OPTIONS)}")
    if batch is None and not_batchable is None:
        not_batchable = "it has no per-instance (batched) solver"

    def deco(fn):
        if name in CONCEPTS:
            raise ValueError(f"concept {name!r} is already registered")
        CONCEPTS[name] = Concept(name, summary, fn, certificate, units, disagreement, weights,
                                 tol, multi, ideal, tuple(caps), tuple(multi_caps), two_players,
                                 batch, None if batch is not None else not_batchable)
        return fn

    return deco


def batchable() -> dict[str, Concept]:
    """The concepts ``sweep`` runs (those with a ``batch`` builder), in registration order."""
    return {name: c for name, c in CONCEPTS.items() if c.batch is not None}


# ------------------------------------------------------------------------- solve helpers


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


def _player_support(game, strategies) -> list:
    return [[{"strategy": game.strategy_names[i][a], "probability": float(s[a])}
             for a in np.flatnonzero(s > _SUPPORT_EPS)] for i, s in enumerate(strategies)]


def _result(game, concept, *, payoffs, contract, certificate=None, units=None, **extra) -> dict:
    """The JSON-ready result: ``certificate`` names the certificate and ``units`` says what it
    bounds, in which units (default: the registered concept's); ``contract`` is
    ``(certificate, tol, status, num_steps)`` from :func:`bargainjax.cli._common._contract`."""
    entry = CONCEPTS.get(concept)
    if entry is not None:
        certificate = entry.certificate if certificate is None else certificate
        units = entry.units if units is None else units
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


def _compute(concept: str, options: Options, fn, game):
    """``fn(U)`` for the game's payoff tensor ``U``, computed by one compiled program
    (:func:`bargainjax.cli._program.run`).  ``fn`` may close over the options only: they are
    the program's key, next to the concept's name and the shape of ``U``."""
    key = (concept,) + tuple(tuple(v) if isinstance(v, list) else v for v in options)
    return _program.run(fn, np.asarray(game.payoffs, float), key=key)


def _const(values):
    """Option values (a list of numbers, or ``None``) as a concrete float64 array inside a traced
    program, so that the library checks them (e.g. positive weights) as it does outside
    ``jit`` and refuses bad ones with its own message."""
    if values is None:
        return None
    with jax.ensure_compile_time_eval():
        return jnp.asarray(values, jnp.float64)


def _security_checked(sl) -> np.ndarray:
    """The security levels as the disagreement point, or the exit-1 refusal when they are not
    certified."""
    status = _contract(sl)[2]
    if status != 0:
        name, message = _status(status)
        raise CommandError(f"could not certify the players' security levels: {name} ({message})",
                           1)
    return np.asarray(sl.levels, float)


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


def _set_based(game, options, concept, solver, **extra):
    """Shared body of nbs / ksbs / egalitarian over the correlated feasible set:
    ``solver(F, d)`` from the given disagreement point, or else from the security levels, in
    one compiled program.

    The solver's status decides: ``INFEASIBLE`` (no feasible point strictly improves on the
    disagreement point, decided by the solver in each player's own units) is the refusal.
    """
    given = options.disagreement is not None

    def program(U):
        g = bj.normal_form_game(U)
        sl = None if given else bj.security_levels(g)
        d = _const(options.disagreement) if given else sl.levels
        return sl, solver(bj.correlated_set(g), d)

    sl, sol = _compute(concept, options, program, game)
    if given:
        d, source = np.asarray(options.disagreement, float), "given (--disagreement)"
    else:
        d, source = _security_checked(sl), SECURITY_SOURCE
    contract = _contract(sol)
    if contract[2] == Status.INFEASIBLE:
        raise _no_improvement(d, source)
    p = np.asarray(sol.strategy[0], float)
    return _result(
        game, concept, payoffs=sol.payoffs, contract=contract, weights=_floats(sol.weights),
        disagreement=_floats(d), disagreement_source=source, strategies=_floats(p),
        support=_joint_support(game, p), **extra,
    )


# ------------------------------------------------------------------------- sweep helpers


def _fields(r, **extra) -> dict:
    """The per-instance record of a sweep: the result's own contract fields ``certificate``,
    ``tol``, ``status`` and ``num_steps``, as they are, plus the concept's own ``extra``."""
    out = {"certificate": r.certificate, "tol": r.tol, "status": r.status,
           "num_steps": r.num_steps}
    out.update(extra)
    return out


def _with_disagreement(solve, security):
    """Wrap ``solve(F, d, w) -> BargainingSolution`` with the default disagreement point: the
    security levels at their own default tolerance (as ``bargainjax solve`` computes them; the
    config's ``tol`` is the concept's), recorded with their certificate and status."""

    def solver(x):
        game = bj.normal_form_game(x["U"])
        d, extra_status, d_gap = x["d"], None, jnp.zeros((), x["d"].dtype)
        if security:
            sl = bj.security_levels(game)
            d_gap, extra_status, d = sl.certificate, sl.status, sl.levels
        r = solve(bj.correlated_set(game), d, x["w"])
        out = _fields(r, payoffs=r.payoffs, disagreement=d, disagreement_gap=d_gap,
                      supporting_weights=r.weights, strategy=r.strategy[0])
        if extra_status is not None:  # the security levels' failure first (the batch rule)
            out["disagreement_status"] = extra_status
            out["status"] = combine(extra_status, out["status"])
        return out

    return solver


# ------------------------------------------------------------------------------ concepts


def _batch_zero_sum(n, security, has_weights, tol, keywords):
    def solver(x):
        U = x["U"]
        r = bj.solve_zero_sum(U[0], **_given(tol=tol))
        payoffs = jnp.einsum("i,pij,j->p", r.row_strategy, U, r.col_strategy)
        return _fields(r, payoffs=payoffs, value=r.value, row_strategy=r.row_strategy,
                       col_strategy=r.col_strategy)

    return solver


@register("zero-sum", "value and optimal strategies of the zero-sum game of player 1's payoffs "
          "(two players; row player maximises)",
          certificate="duality_gap",
          units="duality gap relative to the range of player 1's payoffs (max - min)",
          two_players=True, batch=_batch_zero_sum)
def _zero_sum(game, options):
    A = np.asarray(game.payoffs[0], float)
    B = np.asarray(game.payoffs[1], float)
    sol = _compute("zero-sum", options,
                   lambda U: _call(bj.solve_zero_sum, U[0], tol=options.tol), game)
    x, y = np.asarray(sol.row_strategy, float), np.asarray(sol.col_strategy, float)
    with np.errstate(all="ignore"):  # payoffs near the float64 limit: checked for inf later
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
        game, "zero-sum", payoffs=payoffs, contract=_contract(sol), value=float(sol.value),
        strategies=[_floats(x), _floats(y)], support=_player_support(game, (x, y)), **extra,
    )


def _batch_utilitarian(n, security, has_weights, tol, keywords):
    def solver(x):
        game = bj.normal_form_game(x["U"])
        r = bj.utilitarian(bj.correlated_set(game), x["w"] if has_weights else None)
        return _fields(r, payoffs=r.payoffs, supporting_weights=r.weights,
                       strategy=r.strategy[0])

    return solver


@register("utilitarian", "weighted-sum (utilitarian) maximum over the correlated feasible set",
          certificate="weighted_sum_gap",
          units="Frank-Wolfe gap of the weighted sum over (sum of the weights) x (the largest "
                "payoff range)",
          weights=True, tol=False, batch=_batch_utilitarian)
def _utilitarian(game, options):
    sol = _compute("utilitarian", options,
                   lambda U: bj.utilitarian(bj.correlated_set(bj.normal_form_game(U)),
                                            _const(options.weights)), game)
    p = np.asarray(sol.strategy[0], float)
    return _result(
        game, "utilitarian", payoffs=sol.payoffs, contract=_contract(sol),
        weights=_floats(sol.weights), strategies=_floats(p), support=_joint_support(game, p),
    )


def _batch_nbs(n, security, has_weights, tol, keywords):
    def solve(F, d, w):
        return bj.nash_bargaining(F, d, weights=w if has_weights else None, **_given(tol=tol))

    return _with_disagreement(solve, security)


@register("nbs", "Nash bargaining solution over the correlated feasible set",
          certificate="payoff_error_bound",
          units="bound on max_i |u_i - u*_i| / R_i, the payoff error relative to each player's "
                "payoff range R_i over F",
          disagreement=True, weights=True, batch=_batch_nbs)
def _nbs(game, options):
    def solver(F, d):
        return _call(bj.nash_bargaining, F, d, weights=_const(options.weights),
                     tol=options.tol)

    out = _set_based(game, options, "nbs", solver)
    if options.weights is not None:
        out["bargaining_weights"] = [float(w) for w in options.weights]
    return out


def _batch_ksbs(n, security, has_weights, tol, keywords):
    return _with_disagreement(
        lambda F, d, w: bj.kalai_smorodinsky(F, d, **_given(tol=tol, **keywords)), security)


def _ideal_keyword(fn, ideal):
    """``{"ideal": ...}`` for ``fn`` (``kalai_smorodinsky``) when ``--ideal`` is given, and the
    convention in effect (without ``--ideal``, the library's default)."""
    if ideal is None:
        return {}, _default(fn, "ideal")
    return {"ideal": ideal}, ideal


@register("ksbs", "Kalai-Smorodinsky solution over the correlated feasible set",
          certificate="maxmin_duality_gap",
          units="how far any player's payoff may fall short of the solution's, relative to that "
                "player's payoff range over F (max-min gap x max_i (ideal_i - d_i) / R_i)",
          disagreement=True, ideal=True, batch=_batch_ksbs)
def _ksbs(game, options):
    kw, ideal = _ideal_keyword(bj.kalai_smorodinsky, options.ideal)
    return _set_based(game, options, "ksbs",
                      lambda F, d: _call(bj.kalai_smorodinsky, F, d, tol=options.tol, **kw),
                      ideal=ideal)


def _batch_egalitarian(n, security, has_weights, tol, keywords):
    return _with_disagreement(lambda F, d, w: bj.egalitarian(F, d, **_given(tol=tol)), security)


@register("egalitarian", "egalitarian solution (max-min gains) over the correlated feasible set",
          certificate="maxmin_duality_gap",
          units="how far the smallest gain may fall short of the optimum's, relative to the "
                "largest payoff range over F (max-min gap / max_i R_i)",
          disagreement=True, batch=_batch_egalitarian)
def _egalitarian(game, options):
    return _set_based(game, options, "egalitarian",
                      lambda F, d: _call(bj.egalitarian, F, d, tol=options.tol))


def _batch_coco_value(n, security, has_weights, tol, keywords):
    def solver(x):
        cv = bj.coco_value(x["U"], x["w"], **_given(tol=tol, **keywords))
        return _fields(cv, payoffs=cv.payoffs, value_curnits=cv.value,
                       coalition_values=cv.coalition_values)

    return solver


@register("coco-value", "CoCo value (Kalai-Kalai; n players: Shapley value of the coalition "
          "fights) with weights a, reported in utilons phi_i(a) / a_i",
          certificate="relative_fight_gap",
          units="largest coalition-fight duality gap over sum_j a_j R_j (a the weights, R_j "
                "player j's payoff range): bounds max_i a_i |payoff_i - phi_i(a)/a_i| / "
                "sum_j a_j R_j",
          weights=True, caps=("max_coalitions",), batch=_batch_coco_value)
def _coco_value(game, options):
    cv = _compute("coco-value", options,
                  lambda U: _call(bj.coco_value, U, _const(options.weights), tol=options.tol,
                                  max_coalitions=options.max_coalitions), game)
    w = np.asarray(cv.weights, float)
    with np.errstate(all="ignore"):  # extreme weights: non-finite shares are refused later
        shares = w / w.sum()
    return _result(
        game, "coco-value", payoffs=cv.payoffs, contract=_contract(cv), weights=_floats(shares),
        value_curnits=_floats(cv.value), coalition_values=_floats(cv.coalition_values),
    )


@register("threat", "Nash's (1953) variable-threat solution (two players): optimal threats, "
          "the threat point and the NBS from it",
          certificate="threat_deviation_gain",
          units="largest gain in a player's own NBS payoff from switching threat to a pure "
                "action, relative to that player's payoff range (or the NBS's payoff error "
                "bound, if larger)",
          two_players=True,
          not_batchable="it has no batch builder yet (bargainjax.threat_point itself is pure JAX: "
          "call it under jax.vmap to batch it)")
def _threat(game, options):
    tp = _compute("threat", options,
                  lambda U: _call(bj.threat_point, bj.normal_form_game(U), tol=options.tol), game)
    x, y = (np.asarray(t, float) for t in tp.threats)
    return _result(
        game, "threat", payoffs=tp.payoffs, contract=_contract(tp),
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


def _batch_coco_equilibrium(n, security, has_weights, tol, keywords):
    def solver(x):
        r = bj.coco_equilibrium(x["U"], **_given(tol=tol, **keywords))
        return _fields(r, payoffs=r.payoffs, weights=r.weights, mixture=r.mixture,
                       face_kind=r.face_kind, coalition_values=r.coalition_values)

    return solver


@register("coco-equilibrium", "CoCo equilibrium (virtual-price fixed point: weights a > 0 and "
          "u on the maximising face of a with a_i u_i = CoCo value phi_i(a); two players: Nash's "
          "variable-threat solution); --all / --starts N search for several",
          certificate="coco_equilibrium_residual",
          units="residual of the equilibrium conditions in each player's unit coordinates "
                "(payoffs mapped to [-1, 1] per player)",
          multi=True, caps=("max_players",), multi_caps=("max_faces",),
          batch=_batch_coco_equilibrium)
def _coco_equilibrium(game, options):
    found = None
    if options.all_solutions or options.starts is not None:
        found = _call(bj.coco_equilibria, game, num_starts=options.starts, tol=options.tol,
                      max_players=options.max_players, max_faces=options.max_faces)
        eq = found.solutions[0]
    else:
        eq = _compute("coco-equilibrium", options,
                      lambda U: _call(bj.coco_equilibrium, U, tol=options.tol,
                                      max_players=options.max_players), game)
    contract = _contract(eq)
    if contract[2] != 0:
        raise _coco_eq_refusal(game, eq, contract)
    a = np.asarray(eq.weights, float)
    p = np.asarray(eq.mixture, float)
    extra = {}
    if game.num_players == 2:  # Nash's optimal threats: the fights of {1} against {2} and back
        x, y = (np.asarray(eq.threat_strategies[k], float) for k in (1, 2))
        extra["threat_point"] = _floats(np.einsum("i,pij,j->p", x, np.asarray(game.payoffs,
                                                                             float), y))
    if found is not None:
        entry = CONCEPTS["coco-equilibrium"]
        solutions = []
        for s in found.solutions:
            c = _contract(s)
            solutions.append({
                "payoffs": _floats(s.payoffs),
                "weights": _floats(np.asarray(s.weights, float) / np.sum(s.weights)),
                "face": s.face,
                "certificate": {"name": entry.certificate, "value": c[0], "tol": c[1],
                                "units": entry.units},
                "status": _status(c[2])[0]})
        extra["solutions"] = solutions
        extra["multiple"] = bool(found.multiple)
        extra["num_starts"] = int(found.num_starts)
    return _result(
        game, "coco-equilibrium", payoffs=eq.payoffs, contract=contract,
        weights=_floats(a / a.sum()), face=eq.face, face_dimension=int(eq.face_dimension),
        strategies=_floats(p), support=_joint_support(game, p),
        coalition_values=_floats(eq.coalition_values), residual=float(eq.residual),
        support_gap=float(eq.support_gap), membership_residual=float(eq.membership_residual),
        **extra,
    )
