"""The result contract, checked for every public solver by one table of cases (in the manner of
optimistix's shared solver tests).

* Every public result type carries ``certificate``, ``tol``, ``status`` and ``num_steps``
  (enumerated from ``bargainjax.__all__``).
* One parametrized table :data:`CASES`: per public solver a small instance builder, the solver
  call, an independent oracle of its answer (scipy HiGHS, scipy SLSQP, closed forms, brute
  force; nothing copied from bargainjax's output) and the invariance class the concept has in
  theory.  Generic tests over the table: eager == ``jit`` == ``vmap``; ``SUCCESSFUL`` implies
  ``certificate <= tol`` implies agreement with the oracle; hypothesis-drawn affine maps
  (units ``1e-9 .. 1e9``, offsets up to ``1e9`` times the range) give the affine image with the
  same status; float32 and integer inputs are certified or honest; NaN/inf inputs give a
  ``ValueError`` or ``NONFINITE``; gradients against finite differences where the concept is
  differentiable.

Instances are small and of one shape per case, so each solver compiles once per dtype.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog, minimize

import bargainjax as bj
from helpers import coco_value_oracle, finite_difference, lp_value

S = bj.Status

# ----------------------------------------------------------------------------- (a) the API

# Exported NamedTuples that are not solver results, and why.
NON_RESULTS = {
    "PlayerScale": "per-player units (a helper of the contract itself), not an answer",
    "PolytopeHull": "a feasible set (input data), not an answer",
    "SeparableHull": "a feasible set (input data), not an answer",
    "WeightedSumMax": "a feasible set's exact weighted-sum oracle output (closed form, no "
                      "tolerance), consumed by solvers",
    "Face": "the exact maximising face of a feasible set (a combinatorial closed form whose "
            "`tol` is a membership threshold, not a certificate's)",
    "SweepResult": "a batch wrapper: its `results` field is the solver's own result, which "
                   "carries the contract fields",
}


def _exported_namedtuples():
    out = {}
    for name in bj.__all__:
        obj = getattr(bj, name)
        if isinstance(obj, type) and issubclass(obj, tuple) and hasattr(obj, "_fields"):
            out[name] = obj
    return out


RESULT_TYPES = sorted(set(_exported_namedtuples()) - set(NON_RESULTS))


def test_result_list_is_derived_from_the_api():
    exported = _exported_namedtuples()
    assert set(NON_RESULTS) <= set(exported), "a justified non-result is no longer exported"
    for name in ("ZeroSumSolution", "EntropicSolution", "LPSolution", "BargainingSolution",
                 "SupportingWeights", "SecurityLevels", "CoalitionValues", "CocoValue",
                 "CocoEquilibrium", "CocoEquilibria", "CoalitionPerfectSearch", "ThreatPoint",
                 "PureThreatPoints", "BayesianNash", "BayesianNBS", "FiniteBayesianNash",
                 "ParetoMatrix", "CoreMembership", "BlockingMargin", "CoreNonemptiness",
                 "StableDisagreement"):
        assert name in RESULT_TYPES


@pytest.mark.parametrize("name", RESULT_TYPES)
def test_every_result_has_the_contract_fields(name):
    cls = getattr(bj, name)
    missing = [f for f in ("certificate", "tol", "status", "num_steps") if f not in cls._fields]
    assert not missing, f"{name} lacks the contract field(s) {missing}"


# --------------------------------------------------------------------------------- oracles


def _simplex_lp(c, A_eq=None, b_eq=None, A_ub=None, b_ub=None, n_free=0):
    """HiGHS: maximise ``c @ z`` with ``z = (λ, free...)``, ``λ >= 0``."""
    k = len(c) - n_free
    bounds = [(0, None)] * k + [(None, None)] * n_free
    res = linprog(-np.asarray(c), A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bounds,
                  method="highs")
    assert res.status == 0, res.message
    return res.x, -res.fun


def nbs_oracle(P, d, w=None):
    """NBS of ``conv(P)`` from ``d``: SLSQP over the mixing weights λ (scipy)."""
    P, d = np.asarray(P, float), np.asarray(d, float)
    K, n = P.shape
    w = np.ones(n) if w is None else np.asarray(w, float)
    lo, hi = P.min(0), P.max(0)
    s = np.where(hi > lo, hi - lo, 1.0)
    Pu, du = (P - lo) / s, (d - lo) / s

    def f(lam):
        g = Pu.T @ lam - du
        return -np.sum(w * np.log(np.maximum(g, 1e-300)))

    best = None
    for start in (np.full(K, 1.0 / K), *np.eye(K) * 0.9 + 0.1 / K):
        res = minimize(f, start, method="SLSQP", bounds=[(0, 1)] * K,
                       constraints=[{"type": "eq", "fun": lambda l: l.sum() - 1},
                                    {"type": "ineq", "fun": lambda l: Pu.T @ l - du - 1e-12}],
                       options={"ftol": 1e-15, "maxiter": 1000})
        if np.all(np.isfinite(res.x)) and (best is None or res.fun < best.fun):
            best = res
    return lo + (Pu.T @ best.x) * s


def ideal_ir(P, d):
    """Each player's best payoff over the individually rational part ``{u ∈ F : u >= d}``."""
    K, n = P.shape
    out = []
    for i in range(n):
        _, v = _simplex_lp(P[:, i], A_eq=np.ones((1, K)), b_eq=[1.0], A_ub=-P.T, b_ub=-d)
        out.append(v)
    return np.array(out)


def ray_oracle(P, d, direction):
    """``d + t* direction`` with ``t*`` the largest ``t`` keeping the point in ``conv(P)``."""
    K, n = P.shape
    A_eq = np.vstack([np.hstack([P.T, -direction[:, None]]), np.r_[np.ones(K), 0.0][None]])
    z, t = _simplex_lp(np.r_[np.zeros(K), 1.0], A_eq=A_eq, b_eq=np.r_[d, 1.0], n_free=1)
    return d + t * direction


def coco_equilibrium_oracle(U):
    """Two-player CoCo equilibrium = Nash's threat solution (Kalai & Kalai 2013): bisection on
    the weights ``(t, 1 - t)`` with HiGHS values; ``u = (φ_1/t, φ_2/(1-t))`` must lie on the
    face of ``F`` maximising ``a · u``."""
    A, B = np.asarray(U[0], float), np.asarray(U[1], float)
    P = np.stack([A.ravel(), B.ravel()], 1)
    lo_, hi_ = P.min(0), P.max(0)
    s = np.where(hi_ > lo_, hi_ - lo_, 1.0)
    Au, Bu = (A - lo_[0]) / s[0], (B - lo_[1]) / s[1]
    Pu = np.stack([Au.ravel(), Bu.ravel()], 1)

    def point(t):
        a = np.array([t, 1 - t])
        V = np.max(Pu @ a)
        v = lp_value(t * Au - (1 - t) * Bu).value
        u = np.array([(V + v) / 2 / t, (V - v) / 2 / (1 - t)])
        face = Pu[Pu @ a >= V - 1e-12]
        return u, face

    lo, hi = 1e-9, 1 - 1e-9
    for _ in range(60):
        t = 0.5 * (lo + hi)
        u, face = point(t)
        if u[0] > face[:, 0].max() + 1e-12:
            lo = t
        elif u[0] < face[:, 0].min() - 1e-12:
            hi = t
        else:
            break
    return lo_ + u * s


def entropic_oracle(M, tau):
    """Regularised value ``max_x τH(x) - τ log Σ_j exp(-(Mᵀx)_j/τ)`` (the inner minimum in
    closed form), BFGS over logits."""
    M = np.asarray(M, float)

    def neg(z):
        x = np.exp(z - z.max())
        x /= x.sum()
        H = -np.sum(x * np.log(np.maximum(x, 1e-300)))
        r = -(M.T @ x) / tau
        return -(tau * H - tau * (r.max() + np.log(np.sum(np.exp(r - r.max())))))

    res = minimize(neg, np.zeros(M.shape[0]), method="BFGS", options={"gtol": 1e-12})
    return -res.fun


def alpha_core_blocked(parts, x):
    """Brute force over coalitions: ``S`` α-blocks ``x`` when its members' independent mixed
    strategies give every member more than ``x_i`` against the outsiders' worst action for
    that member (additive separability makes the worst case per member); HiGHS per ``S``."""
    n = len(parts)
    for S_ in range(1, 2**n):
        members = [i for i in range(n) if S_ >> i & 1]
        Ks = [parts[j].shape[0] for j in members]
        nv = sum(Ks)
        A_ub, b_ub = [], []
        for i in members:
            row, off = np.zeros(nv + 1), 0
            for j, K in zip(members, Ks):
                row[off:off + K] = -parts[j][:, i]
                off += K
            row[-1] = 1.0
            worst = sum(parts[j][:, i].min() for j in range(n) if j not in members)
            A_ub.append(row)
            b_ub.append(worst - x[i])
        A_eq, off = np.zeros((len(members), nv + 1)), 0
        for r, K in enumerate(Ks):
            A_eq[r, off:off + K] = 1.0
            off += K
        _, t = _simplex_lp(np.r_[np.zeros(nv), 1.0], A_ub=np.array(A_ub), b_ub=np.array(b_ub),
                           A_eq=A_eq, b_eq=np.ones(len(members)), n_free=1)
        if t > 1e-7:
            return True
    return False


def finite_bne_oracle(prior, beliefs, U, n):
    """Brute force: a pure anonymous profile is a BNE iff each type's action maximises its own
    term ``u_{t,t}(a)`` (the others' terms do not depend on the deviator)."""
    m, k, _ = U.shape
    mask = []
    for prof in itertools.product(range(k), repeat=m):
        mask.append(all(U[t, prof[t], t] >= U[t, :, t].max() for t in range(m)))
    return np.array(mask, float)


# ----------------------------------------------------------------------------- the table


@dataclasses.dataclass
class Case:
    name: str
    build: Callable  # rng -> dict of float64 numpy arrays (one instance)
    solve: Callable  # (**instance) -> result
    answer: Callable  # (result, instance) -> 1-D numpy array
    oracle: Callable  # instance -> 1-D numpy array
    invariance: str | None = None  # "per-player affine", "common scale", "common affine"
    transform: Callable | None = None  # (instance, alpha (n,), beta (n,)) -> instance
    back: Callable | None = None  # (answer', alpha, beta) -> answer in the original units
    atol: float = 1e-6  # oracle agreement, instances have payoff ranges of order 1
    atol32: float = 1e-2
    jittable: bool = True
    nonfinite: str = "P"  # which array gets the NaN / inf
    players: int = 2
    heavy: bool = False  # compiles for tens of seconds: its variant tests run in the slow step


def _payoff_back(a, alpha, beta):
    return (a - beta) / alpha


def _table_transform(key):
    def f(inst, alpha, beta):
        out = dict(inst)
        U = inst[key]
        out[key] = alpha.reshape((-1,) + (1,) * (U.ndim - 1)) * U \
            + beta.reshape((-1,) + (1,) * (U.ndim - 1))
        return out
    return f


def _points_transform(inst, alpha, beta):
    out = dict(inst)
    out["P"] = inst["P"] * alpha + beta
    if "d" in inst:
        out["d"] = inst["d"] * alpha + beta
    return out


def _points(n, K=6):
    def build(rng):
        P = rng.uniform(-1, 1, size=(K, n))
        d = P.mean(0) - 0.25
        return {"P": P, "d": d}
    return build


def _vs_rest(U, i):
    T = np.moveaxis(U[i], i, 0)
    return T.reshape(T.shape[0], -1)


def _bayes_build(rng):
    prior = np.array([0.4, 0.6])
    q = rng.uniform(0.55, 0.8)
    # posteriors of an anonymous prior: p(t) p(t'|t) symmetric
    J = np.array([[prior[0] * q, prior[0] * (1 - q)], [prior[0] * (1 - q), 0.0]])
    J[1, 1] = prior[1] - J[1, 0]
    beliefs = J / J.sum(1, keepdims=True)
    budgets = rng.uniform(0.5, 2.0, size=2)
    d = np.diag(beliefs.T) * np.sqrt(budgets)  # BNE payoffs (large-n form), closed form
    return {"prior": prior, "beliefs": beliefs, "budgets": budgets, "d": d}


def _bayes_game(prior, beliefs, budgets, d=None):
    return bj.bayesian_game(prior, beliefs, bj.type_resource_sets(budgets), disagreement=d)


def _bayes_nbs_oracle(inst):
    beliefs, r, d = inst["beliefs"], inst["budgets"], inst["d"]
    C = beliefs.T  # C[s, t] = p(s|t), large-n form
    prior = inst["prior"]

    def eu(y):  # y[s, k] >= 0, sum_k y[s, k] = r_s ; alpha[s, k] = sqrt(y[s, k])
        return np.sum(C * np.sqrt(np.maximum(y.reshape(2, 2), 0.0)), axis=0)

    def f(y):
        return -np.sum(prior * np.log(np.maximum(eu(y) - d, 1e-300)))

    best = None
    for own in (0.6, 0.75, 0.9):
        start = (r[:, None] * np.array([[own, 1 - own], [1 - own, own]])).ravel()
        res = minimize(f, start, method="SLSQP", bounds=[(0, None)] * 4,
                       constraints=[{"type": "eq", "fun": lambda y: y.reshape(2, 2).sum(1) - r},
                                    {"type": "ineq", "fun": lambda y: eu(y) - d - 1e-12}],
                       options={"ftol": 1e-15, "maxiter": 1000})
        if res.success and (best is None or res.fun < best.fun):
            best = res
    return eu(best.x)


def _finite_build(rng):
    b = _bayes_build(rng)
    return {"prior": b["prior"], "beliefs": b["beliefs"], "U": rng.uniform(-1, 1, (2, 3, 2))}


def _finite_transform(inst, alpha, beta):
    out = dict(inst)
    out["U"] = inst["U"] * alpha[None, None, :] + beta[None, None, :]
    return out


def _core_build(rng):
    parts = rng.uniform(0, 1, size=(3, 3, 3))
    # a point of F: every player plays its first action, lowered a little
    x = parts[:, 0, :].sum(0) - rng.uniform(0.0, 0.3, size=3)
    return {"parts": parts, "x": x}


def _core_transform(inst, alpha, beta):
    out = dict(inst)
    parts = inst["parts"] * alpha[None, None, :]
    parts[0] = parts[0] + beta[None, :]  # U_i = Σ_j u_{j,i}: the offset rides on one part
    out["parts"] = parts
    out["x"] = inst["x"] * alpha + beta
    return out


def _supporting_build(rng):
    # a quarter-circle-like frontier: the edge between two adjacent Pareto vertices
    angles = np.sort(rng.uniform(0.2, 1.35, size=4))
    P = np.concatenate([np.stack([np.cos(angles), np.sin(angles)], 1), [[0.0, 0.0]]])
    mid = 0.5 * (P[1] + P[2])
    return {"P": P, "point": mid}


def _supporting_oracle(inst):
    e = inst["P"][2] - inst["P"][1]
    a = np.array([-e[1], e[0]])
    a = a if a.sum() > 0 else -a
    return a / a.sum()


def _sw_transform(inst, alpha, beta):
    return {"P": inst["P"] * alpha + beta, "point": inst["point"] * alpha + beta}


def _weights_back(a, alpha, beta):
    w = a * alpha
    return w / w.sum()


def _lp_build(rng):
    A = rng.uniform(0.2, 1.0, size=(3, 4))
    return {"c": rng.uniform(-1, 1, 4) + 0.3, "A_ub": A, "b_ub": rng.uniform(0.5, 1.5, 3)}


def _lp_oracle(inst):
    res = linprog(-inst["c"], A_ub=inst["A_ub"], b_ub=inst["b_ub"], method="highs")
    return np.array([-res.fun])


def _coco2_oracle(U):
    """Kalai & Kalai (2013): ``φ = max(A+B)/2 ± val((A-B)/2)``, the value by HiGHS."""
    A, B = U
    m, v = np.max(A + B) / 2, lp_value((A - B) / 2).value
    return np.array([m + v, m - v])


def _armstrong_oracle(inst):
    P, d = inst["P"], inst["d"]
    I = ideal_ir(P, d)
    return P[np.argmax(((P - d) / (I - d)).sum(1))]


def _ksbs_oracle(inst):
    P, d = inst["P"], inst["d"]
    return ray_oracle(P, d, ideal_ir(P, d) - d)


CASES = [
    Case("solve_zero_sum", lambda rng: {"P": rng.uniform(-1, 1, (3, 4))},
         lambda P: bj.solve_zero_sum(P), lambda r, i: np.atleast_1d(r.value),
         lambda i: np.array([lp_value(i["P"]).value]), "common affine",
         lambda i, a, b: {"P": a[0] * i["P"] + b[0]}, lambda v, a, b: (v - b[0]) / a[0],
         atol=1e-8, atol32=1e-4, players=1),
    Case("solve_zero_sum_entropic",
         lambda rng: {"P": rng.uniform(-1, 1, (3, 4)), "tau": np.array(0.2)},
         lambda P, tau: bj.solve_zero_sum_entropic(P, tau), lambda r, i: np.atleast_1d(r.value),
         lambda i: np.array([entropic_oracle(i["P"], float(i["tau"]))]), "common affine",
         lambda i, a, b: {"P": a[0] * i["P"] + b[0], "tau": a[0] * i["tau"]},
         lambda v, a, b: (v - b[0]) / a[0], atol=1e-7, atol32=1e-3, players=1),
    Case("solve_lp", _lp_build, lambda c, A_ub, b_ub: bj.solve_lp(c, A_ub, b_ub),
         lambda r, i: np.atleast_1d(r.value), _lp_oracle, nonfinite="c", atol=1e-8,
         atol32=1e-4),
    Case("nash_bargaining", _points(3), lambda P, d: bj.nash_bargaining(bj.polytope(P), d),
         lambda r, i: np.asarray(r.payoffs), lambda i: nbs_oracle(i["P"], i["d"]),
         "per-player affine", _points_transform, _payoff_back, atol=2e-5, players=3),
    Case("kalai_smorodinsky", _points(3), lambda P, d: bj.kalai_smorodinsky(bj.polytope(P), d),
         lambda r, i: np.asarray(r.payoffs), _ksbs_oracle, "per-player affine",
         _points_transform, _payoff_back, atol=1e-6, players=3),
    Case("egalitarian", _points(3), lambda P, d: bj.egalitarian(bj.polytope(P), d),
         lambda r, i: np.asarray(r.payoffs),
         lambda i: ray_oracle(i["P"], i["d"], np.ones(3)), "common scale", _points_transform,
         _payoff_back, atol=1e-6, players=3),
    Case("utilitarian", _points(3), lambda P, d: bj.utilitarian(bj.polytope(P), disagreement=d),
         lambda r, i: np.asarray(r.payoffs), lambda i: i["P"][np.argmax(i["P"].sum(1))],
         "common scale", _points_transform, _payoff_back, atol=1e-8, atol32=1e-4, players=3),
    Case("armstrong", _points(3), lambda P, d: bj.armstrong(bj.polytope(P), d),
         lambda r, i: np.asarray(r.payoffs), _armstrong_oracle, "per-player affine",
         _points_transform, _payoff_back, atol=1e-7, atol32=1e-4, players=3),
    Case("supporting_weights", _supporting_build,
         lambda P, point: bj.supporting_weights(bj.polytope(P), point),
         lambda r, i: np.asarray(r.weights) / np.sum(np.asarray(r.weights)), _supporting_oracle,
         # the normal cone maps per player (a_i / alpha_i), but the solver works in one common
         # scale (its documented invariance), so per-player unit ratios of 1e11 cost accuracy
         "common scale", _sw_transform, _weights_back, atol=1e-6, atol32=1e-3),
    Case("security_levels", lambda rng: {"P": rng.uniform(-1, 1, (3, 2, 3, 2))},
         lambda P: bj.security_levels(bj.normal_form_game(P)),
         lambda r, i: np.asarray(r.levels),
         lambda i: np.array([lp_value(_vs_rest(i["P"], k)).value for k in range(3)]),
         "per-player affine", _table_transform("P"), _payoff_back, atol=1e-8, atol32=1e-4,
         players=3),
    Case("coalition_values", lambda rng: {"P": rng.uniform(-1, 1, (3, 2, 2, 2))},
         lambda P: bj.coalition_values(P), lambda r, i: np.asarray(r.values),
         lambda i: coco_value_oracle(i["P"], np.ones(3))[1], atol=1e-8, atol32=1e-4, players=3),
    Case("coco_value", lambda rng: {"P": rng.uniform(-1, 1, (3, 2, 2, 2))},
         lambda P: bj.coco_value(P), lambda r, i: np.asarray(r.value),
         lambda i: coco_value_oracle(i["P"], np.ones(3))[0], "common scale",
         _table_transform("P"), _payoff_back, atol=1e-8, atol32=1e-4, players=3),
    Case("coco_value_two_player", lambda rng: {"P": rng.uniform(-1, 1, (2, 3, 2))},
         lambda P: bj.coco_value_two_player(P[0], P[1]), lambda r, i: np.asarray(r.value),
         lambda i: _coco2_oracle(i["P"]), "common scale", _table_transform("P"), _payoff_back,
         atol=1e-8, atol32=1e-4),
    Case("coco_equilibrium", lambda rng: {"P": rng.uniform(-1, 1, (2, 2, 3))},
         lambda P: bj.coco_equilibrium(P), lambda r, i: np.asarray(r.payoffs),
         lambda i: coco_equilibrium_oracle(i["P"]), "per-player affine", _table_transform("P"),
         _payoff_back, atol=1e-5),
    Case("threat_point", lambda rng: {"P": rng.uniform(-1, 1, (2, 2, 3))},
         lambda P: bj.threat_point(P), lambda r, i: np.asarray(r.payoffs),
         lambda i: coco_equilibrium_oracle(i["P"]), "per-player affine", _table_transform("P"),
         _payoff_back, atol=1e-7, atol32=1e-3),
    Case("nbs_two_player", _points(2), lambda P, d: bj.nbs_two_player(P, d),
         lambda r, i: np.asarray(r.payoffs), lambda i: nbs_oracle(i["P"], i["d"]),
         "per-player affine", _points_transform, _payoff_back, atol=2e-6, atol32=1e-3),
    Case("bayesian_nash", _bayes_build,
         lambda prior, beliefs, budgets, d: bj.bayesian_nash(_bayes_game(prior, beliefs, budgets,
                                                                         d)),
         lambda r, i: np.asarray(r.payoffs), lambda i: i["d"], nonfinite="budgets",
         atol=1e-10, atol32=1e-5),
    Case("bayesian_nbs", _bayes_build,
         lambda prior, beliefs, budgets, d: bj.bayesian_nbs(_bayes_game(prior, beliefs, budgets,
                                                                        d)),
         lambda r, i: np.asarray(r.payoffs), _bayes_nbs_oracle, nonfinite="d", atol=2e-5),
    Case("finite_bayesian_nash", _finite_build,
         lambda prior, beliefs, U: bj.finite_bayesian_nash(
             bj.finite_bayesian_game(prior, beliefs, U, num_players=3)),
         lambda r, i: np.asarray(r.is_equilibrium, float),
         lambda i: finite_bne_oracle(i["prior"], i["beliefs"], i["U"], 3), "per-player affine",
         _finite_transform, lambda a, al, b: a, nonfinite="U", atol=0.0, atol32=0.0),
    Case("core_membership", _core_build,
         lambda parts, x: bj.core_membership(bj.separable_set(list(parts)), x),
         lambda r, i: np.atleast_1d(np.asarray(r.in_core, float)),
         lambda i: np.array([0.0 if alpha_core_blocked(i["parts"], i["x"]) else 1.0]),
         "per-player affine", _core_transform, lambda a, al, b: a, nonfinite="x", atol=0.0,
         atol32=0.0, players=3),
]
HEAVY = {"nash_bargaining", "kalai_smorodinsky", "coco_equilibrium", "bayesian_nbs",
         "bayesian_nash", "threat_point", "coalition_values"}
for _c in CASES:
    _c.heavy = _c.name in HEAVY
IDS = [c.name for c in CASES]
BY_NAME = {c.name: c for c in CASES}


def _variants(cases):
    """``cases`` as pytest parameters, the heavy ones marked ``slow``: every case is checked
    against its oracle in the main suite, and its jit/vmap, affine-map, float32, integer and
    NaN variants run there too unless it takes tens of seconds to compile (CI's slow step
    runs those)."""
    return [pytest.param(c, id=c.name, marks=[pytest.mark.slow] if c.heavy else [])
            for c in cases]


def _instance(case, seed=0, dtype=np.float64):
    inst = case.build(np.random.default_rng(seed))
    return {k: np.asarray(v, dtype) for k, v in inst.items()}


_JITTED = {}


def _solve(case, inst):
    """The solver under ``jit`` (one compilation per case, shape and dtype, shared by every
    test), or eagerly for the numpy-only solvers; eager calls are checked against it in
    :func:`test_eager_jit_vmap_agree`."""
    kw = {k: jnp.asarray(v) for k, v in inst.items()}
    if not case.jittable:
        return case.solve(**kw)
    if case.name not in _JITTED:
        _JITTED[case.name] = jax.jit(lambda kw: case.solve(**kw))
    return _JITTED[case.name](kw)


def _eager(case, inst):
    return case.solve(**{k: jnp.asarray(v) for k, v in inst.items()})


# ------------------------------------------------------------------- (b) generic tests


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_contract_fields_of_the_result(case):
    r = _solve(case, _instance(case))
    for f in ("certificate", "tol", "status", "num_steps"):
        assert hasattr(r, f), f"{case.name}: no `{f}`"
    chex.assert_shape([r.certificate, r.tol, r.status, r.num_steps], ())
    assert np.isfinite(float(r.tol))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_successful_means_certified_means_right(case):
    inst = _instance(case)
    r = _solve(case, inst)
    assert int(r.status) == S.SUCCESSFUL, f"{case.name}: {S(int(r.status)).name}"
    assert float(r.certificate) <= float(r.tol)
    np.testing.assert_allclose(case.answer(r, inst), case.oracle(inst), atol=case.atol, rtol=0)


JIT_CASES = [c for c in CASES if c.jittable]


@pytest.mark.parametrize("case", _variants(JIT_CASES))
def test_eager_jit_vmap_agree(case):
    insts = [_instance(case, seed) for seed in (0, 1)]
    eager = _eager(case, insts[0])  # eager runs are slow: one instance
    jitted = [_solve(case, i) for i in insts]
    batch = {k: jnp.stack([jnp.asarray(i[k]) for i in insts]) for k in insts[0]}
    vm = jax.vmap(lambda kw: case.solve(**kw))(batch)
    chex.assert_trees_all_close(case.answer(jitted[0], insts[0]), case.answer(eager, insts[0]),
                                atol=10 * case.atol + 1e-12, rtol=0)
    assert int(eager.status) == int(jitted[0].status)
    for b, j in enumerate(jitted):
        av = case.answer(jax.tree.map(lambda x: x[b], vm), insts[b])
        chex.assert_trees_all_close(av, case.answer(j, insts[b]), atol=10 * case.atol + 1e-12,
                                    rtol=0)
        assert int(j.status) == int(np.asarray(vm.status)[b])


INV_CASES = [c for c in CASES if c.invariance]


def _draw_affine(data, case):
    n = case.players
    exps = st.floats(-9, 9, allow_nan=False)
    if case.invariance == "per-player affine":
        alpha = np.array([10.0 ** data.draw(exps) for _ in range(n)])
    else:
        alpha = np.full(n, 10.0 ** data.draw(exps))
    mags = [data.draw(st.floats(-3, 9)) for _ in range(n)]
    signs = [data.draw(st.sampled_from([-1.0, 1.0])) for _ in range(n)]
    beta = np.array([s * 10.0 ** m for s, m in zip(signs, mags)]) * alpha * 2.0  # × range
    if case.invariance == "common affine":
        beta = np.full(n, beta[0])
    return alpha, beta


@pytest.mark.parametrize("case", _variants(INV_CASES))
@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_affine_maps_give_the_affine_image(case, data):
    inst = _instance(case)
    base = _solve(case, inst)
    alpha, beta = _draw_affine(data, case)
    moved = case.transform(inst, alpha, beta)
    r = _solve(case, moved)
    assert int(r.status) == int(base.status), (
        f"{case.name}: status {S(int(r.status)).name} after the map, "
        f"{S(int(base.status)).name} before (alpha {alpha}, beta {beta})")
    # Up to the rounding of the moved data itself: eps |β| / (α range) in the player's units.
    data_rounding = 8 * np.finfo(float).eps * np.max(np.abs(beta) / alpha)
    np.testing.assert_allclose(case.back(case.answer(r, moved), alpha, beta),
                               case.answer(base, inst),
                               atol=10 * case.atol + 100 * data_rounding, rtol=0)


@pytest.mark.parametrize("case", _variants(CASES))
def test_float32_is_certified_or_honest(case):
    inst64 = _instance(case)
    inst = _instance(case, dtype=np.float32)
    r = _solve(case, inst)
    st_ = int(r.status)
    assert st_ in {int(s) for s in S}
    if st_ == S.SUCCESSFUL:
        np.testing.assert_allclose(case.answer(r, inst), case.oracle(inst64),
                                   atol=case.atol32 + case.atol, rtol=0)


TABLE_CASES = [c for c in CASES if c.nonfinite == "P" and c.name != "solve_zero_sum_entropic"]


@pytest.mark.parametrize("case", _variants(TABLE_CASES))
def test_integer_payoffs_are_cast(case):
    inst = _instance(case)
    inst = {k: (np.round(v * 10).astype(np.int32) if k == "P" else v) for k, v in inst.items()}
    if "d" in inst:
        inst["d"] = np.round(inst["d"] * 10)
    r = _solve(case, inst)
    assert int(r.status) in {int(s) for s in S}
    if int(r.status) == S.SUCCESSFUL:
        ref = {k: np.asarray(v, np.float64) for k, v in inst.items()}
        np.testing.assert_allclose(case.answer(r, ref), case.oracle(ref),
                                   atol=10 * (case.atol + 1e-9), rtol=0)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("case", _variants(CASES))
def test_nonfinite_inputs(case, bad):
    inst = _instance(case)
    arr = inst[case.nonfinite].copy()
    arr.reshape(-1)[0] = bad
    inst[case.nonfinite] = arr
    try:
        r = _solve(case, inst)
    except ValueError:
        return
    assert int(r.status) == S.NONFINITE, f"{case.name}: {S(int(r.status)).name}"


# --------------------------------------------------------------------------- gradients


def test_zero_sum_value_gradient():
    M = _instance(BY_NAME["solve_zero_sum"])["P"]
    g = jax.grad(lambda M: bj.solve_zero_sum(M).value)(jnp.asarray(M))
    fd = finite_difference(lambda M: lp_value(M).value, M, eps=1e-6)
    chex.assert_trees_all_close(np.asarray(g), fd, atol=1e-5)


def test_nbs_payoff_gradient_in_d():
    inst = _instance(BY_NAME["nash_bargaining"])
    P = jnp.asarray(inst["P"])
    J = jax.jacobian(lambda d: bj.nash_bargaining(bj.polytope(P), d).payoffs)(
        jnp.asarray(inst["d"]))
    fd = finite_difference(lambda d: nbs_oracle(inst["P"], d), inst["d"], eps=1e-4)
    chex.assert_shape(J, (3, 3))
    chex.assert_trees_all_close(np.asarray(J), fd, atol=1e-3)


def test_coco_equilibrium_payoff_gradient():
    U = _instance(BY_NAME["coco_equilibrium"])["P"]
    J = jax.jacobian(lambda U: bj.coco_equilibrium(U).payoffs)(jnp.asarray(U))
    fd = finite_difference(coco_equilibrium_oracle, U, eps=1e-5)
    chex.assert_shape(J, (2,) + U.shape)
    chex.assert_trees_all_close(np.asarray(J), fd, atol=1e-4)


# ------------------------------------------------------------- the one degenerate rule


@pytest.mark.parametrize("name", ["nbs_two_player", "threat_point"])
def test_no_strict_improvement_is_infeasible_not_a_raise(name):
    if name == "nbs_two_player":
        r = bj.nbs_two_player(np.array([[0.0, 1.0], [1.0, 0.0]]), [0.5, 0.5])  # d on F
    else:
        A = np.array([[1.0, -2.0], [0.0, 3.0]])
        r = bj.threat_point(np.stack([A, -A]))  # zero-sum: F is a line
    assert int(r.status) == S.INFEASIBLE
    assert np.all(np.isfinite(r.payoffs))
