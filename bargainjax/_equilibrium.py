r"""The CoCo equilibrium: the virtual-price fixed point of SPEC §4.

Find weights (virtual prices) :math:`a > 0`, normalised to :math:`\sum_i a_i = 1`, and a payoff
vector :math:`u \in F = \operatorname{conv}\{U(x)\}` (the correlated feasible set) with

.. math:: a \cdot u = V_N(a) = \max_x a \cdot U(x), \qquad a_i u_i = \varphi_i(a)\ \ \forall i,

where :math:`\varphi(a)` is the n-player CoCo value in curnits (:func:`bargainjax.coco_value`,
SPEC §3).  Since :math:`\sum_i \varphi_i(a) = V_N(a)`, the point :math:`p(a) = \varphi(a)/a`
always lies on the supporting hyperplane :math:`a \cdot u = V_N(a)`; the equilibrium condition is
that :math:`p(a)` lies in the *maximising face* of :math:`a`.  This is the post's "is there a point
on the Pareto frontier where ... we end up at the exact same point" (seed 001, "CoCo
equilibrium"); for two players it is Nash's (1953) variable-threat bargaining solution (the
threats are the optimal strategies of the zero-sum fight ``a_1 U_1 - a_2 U_2``).

Algorithms (host-side orchestration of the library's exact, jitted inner solvers):

* ``n = 2``: bisection on ``t`` (``a = (t, 1-t)``) on the sign of
  :math:`g(t) = p_1(t) - \operatorname{clip}(p_1(t), lo_1(t), hi_1(t))`, with ``[lo, hi]`` the
  maximising face's extent in ``u_1``.  ``g >= 0`` near ``t = 0`` and ``g <= 0`` near ``t = 1``.
  At the end, if the bracket straddles an edge normal the weights snap to that edge's exact
  normal.  The payoff is realised by a convex combination of the face's two extreme points.
* ``n >= 3``: damped Gauss-Newton/Levenberg-Marquardt on the smoothed system
  :math:`a \odot u_\tau(a) = \varphi(a)` on the simplex, with
  :math:`u_\tau(a) = \operatorname{softmax}(P a / \tau)^\top P` (the gradient of
  :math:`\tau \operatorname{logsumexp}(Pa/\tau)`), exact :math:`\varphi` (piecewise linear in
  ``a``, differentiated by Danskin), continuation ``τ = 1e-1 ... 1e-8`` (times the payoff range);
  then an exact finish (Gauss-Newton in ``(a, λ)``: ``a`` normal to the face, ``u = V^T λ`` on
  it, ``φ`` exact) on candidate faces -- the tie-face at the smoothed ``a``, then every set of up
  to ``n`` of the 6 best-scoring outcome points (vertices, edges, ..., facets) until one
  certifies -- and an exact certificate (the mixture from a small LP via ``solve_lp``).  Not guaranteed to converge: the status
  says so (``MAX_STEPS_REACHED``) and :func:`coco_equilibria` offers multi-start.

Certificate (all relative to the payoff range ``max P - min P``, ``P`` the ``(K, n)`` outcomes):
``residual = max_i |a_i u_i - φ_i(a)|`` with *exact* (unsmoothed) ``φ`` from
:func:`bargainjax.coco_value`; ``support_gap = V_N(a) - a·u``; ``membership_residual =
‖P^T mixture - u‖_∞`` with ``mixture`` a distribution over the joint outcomes.  ``status`` is
``SUCCESSFUL`` only when the largest of the three is ``<= tol`` and the inner fights certified.

Sources: SPEC §4; the post (seed 001, CoCo-equilibrium section); Nash (1953) "Two-person
cooperative games"; Kalai & Kalai (2013) for the CoCo value.
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from ._coco import coco_value, coalition_values
from ._games import NormalFormGame
from ._lp import solve_lp
from ._status import Status

__all__ = ["CocoEquilibrium", "CocoEquilibria", "coco_equilibrium", "coco_equilibria"]

_FACE_NAMES = {0: "vertex", 1: "edge"}


class CocoEquilibrium(NamedTuple):
    """Result of :func:`coco_equilibrium`.

    Attributes:
        weights: ``(n,)`` virtual prices ``a > 0`` with ``Σ a = 1``.
        payoffs: ``(n,)`` ``u`` in utilons (``a_i u_i = φ_i(a)``).
        mixture: ``(K,)`` distribution over the joint outcomes (rows of
            ``correlated_set(game).points``, C order of the joint actions) realising ``payoffs``.
        coalition_values: ``(2**n,)`` ``V_S(a)`` for every coalition bitmask (curnits).
        threat_strategies: tuple of ``2**n`` arrays: entry ``S`` is coalition ``S``'s optimal
            joint strategy in its fight against ``-S`` (``coalition_values(game, a)``).  For
            ``n = 2``, entries 1 and 2 are Nash's optimal threats.
        face_dimension: ``int``, affine dimension of the maximising face of ``a`` (0 vertex,
            1 edge, ..., ``n-1`` facet).
        face: ``"point"`` (``F`` is a single point), ``"vertex"``, ``"edge"``, ``"facet"``
            (dimension ``n-1 >= 2``) or ``"face"``.
        residual: ``max_i |a_i u_i - φ_i(a)|`` / payoff range (exact ``φ``).
        support_gap: ``(V_N(a) - a·u)`` / payoff range.
        membership_residual: ``‖P^T mixture - u‖_∞`` / payoff range.
        certificate: the largest of the three.
        num_steps: bisection / Newton steps taken.
        status: ``int`` :class:`bargainjax.Status` code; ``SUCCESSFUL`` iff ``certificate <= tol``
            and every fight of ``coco_value`` certified and ``min a >= 1e-8``;
            ``DEGENERATE`` when the certificate holds only at a numerically vanishing weight
            (an equilibrium in the limit ``a_i -> 0``, e.g. the banana game); otherwise
            ``MAX_STEPS_REACHED`` (or the failing fight's status).
    """

    weights: np.ndarray
    payoffs: np.ndarray
    mixture: np.ndarray
    coalition_values: np.ndarray
    threat_strategies: tuple
    face_dimension: int
    face: str
    residual: float
    support_gap: float
    membership_residual: float
    certificate: float
    num_steps: int
    status: int


class CocoEquilibria(NamedTuple):
    """Result of :func:`coco_equilibria`.

    Attributes:
        solutions: tuple of distinct :class:`CocoEquilibrium` (deduplicated by payoffs, certified
            ones first, each certified with status ``SUCCESSFUL``), or the best uncertified
            attempt when none certified.
        num_starts: starting points tried.
        num_certified: certified results (over the starts and the enumerated faces, before
            deduplication).
        multiple: ``True`` iff more than one distinct certified payoff vector was found.
    """

    solutions: tuple
    num_starts: int
    num_certified: int
    multiple: bool


# ----------------------------------------------------------------------------- helpers


def _payoff_tensor(game):
    if isinstance(game, NormalFormGame):
        U = game.payoffs
    else:
        U = game
    U = np.asarray(U, dtype=np.float64)
    if U.ndim < 2 or U.shape[0] != U.ndim - 1:
        raise ValueError(f"`game` must be a NormalFormGame or payoffs (n, |A_1|, ..., |A_n|), got shape {U.shape}")
    if not np.all(np.isfinite(U)):
        raise ValueError("`game` holds NaN or inf")
    return U


def _outcomes(U):
    n = U.shape[0]
    return U.reshape(n, -1).T.copy()  # (K, n), joint actions in C order


def _phi(U, a):
    """Exact ``φ(a)`` and the fights' status (for ``n >= 3`` via the same compiled call as the
    Jacobian, to compile once per game shape)."""
    if U.shape[0] >= 3:
        phi, _, st = _phi_jac(jnp.asarray(U), jnp.asarray(a))
        return np.asarray(phi), int(st)
    r = coco_value(jnp.asarray(U), jnp.asarray(a))
    return np.asarray(r.value), int(r.status)


def _affine_dim(V, scale):
    if V.shape[0] <= 1:
        return 0
    D = V[1:] - V[0]
    s = np.linalg.svd(D, compute_uv=False)
    return int(np.sum(s > 1e-9 * max(scale, 1e-300)))


def _face_members(P, a, scale, rel=1e-9):
    s = P @ a
    return s >= s.max() - rel * scale


def _face_name(dim, n, single_point):
    if single_point:
        return "point"
    if dim in _FACE_NAMES:
        return _FACE_NAMES[dim]
    return "facet" if dim == n - 1 else "face"


def _best_mixture(P, members, a, phi):
    """Mixture over the face members minimising max_i |a_i (P^T λ)_i - φ_i| (exact LP)."""
    K, n = P.shape
    if int(np.sum(members)) == 1:
        return members.astype(float)
    # variables (λ (K), s); maximise -s s.t. ±(a_i (P^T λ)_i - φ_i) <= s, λ_j <= 0 off the face,
    # Σλ = 1.  Fixed shapes per game (one compiled LP).
    AP = (P * a[None, :]).T  # (n, K)
    off = np.diag((~members).astype(float))
    A_ub = np.vstack([np.hstack([AP, -np.ones((n, 1))]), np.hstack([-AP, -np.ones((n, 1))]),
                      np.hstack([off, np.zeros((K, 1))])])
    b_ub = np.concatenate([phi, -phi, np.zeros(K)])
    A_eq = np.hstack([np.ones((1, K)), np.zeros((1, 1))])
    c = np.zeros(K + 1)
    c[-1] = -1.0
    sol = solve_lp(jnp.asarray(c), jnp.asarray(A_ub), jnp.asarray(b_ub), jnp.asarray(A_eq), jnp.ones(1))
    lam = np.where(members, np.clip(np.asarray(sol.x)[:K], 0.0, None), 0.0)
    return lam / lam.sum() if lam.sum() > 0 else members / members.sum()


def _certify(U, P, a, u, mix, tol, steps, scale, extra_ok=True):
    n = P.shape[0 + 1]
    phi, st = _phi(U, a)
    cv = coalition_values(jnp.asarray(U), jnp.asarray(a))
    VN = float(np.max(P @ a))
    residual = float(np.max(np.abs(a * u - phi))) / scale
    gap = max(VN - float(a @ u), 0.0) / scale
    memb = float(np.max(np.abs(P.T @ mix - u))) / scale
    # also the mixture must be a distribution
    memb = max(memb, abs(float(mix.sum()) - 1.0), float(-min(mix.min(), 0.0)))
    cert = max(residual, gap, memb)
    members = _face_members(P, a, scale)
    single = bool(np.ptp(P, axis=0).max() <= 1e-12 * scale)
    dim = _affine_dim(P[members], scale)
    ok = cert <= tol and st == int(Status.SUCCESSFUL) and extra_ok and np.all(a > 0)
    status = int(Status.SUCCESSFUL) if ok else (st if st not in (0,) else int(Status.MAX_STEPS_REACHED))
    if ok and float(np.min(a)) < 1e-8:
        # an equilibrium only in the limit a_i -> 0 (e.g. the banana game): certified at a
        # numerically positive weight, but flagged
        status = int(Status.DEGENERATE)
    return CocoEquilibrium(
        weights=a, payoffs=u, mixture=mix, coalition_values=np.asarray(cv.values),
        threat_strategies=tuple(np.asarray(s) for s in cv.row_strategies),
        face_dimension=dim, face=_face_name(dim, n, single), residual=residual,
        support_gap=gap, membership_residual=memb, certificate=cert, num_steps=int(steps),
        status=status)


def _scale(P):
    s = float(P.max() - P.min())
    return s if s > 0 else 1.0


# --------------------------------------------------------------------------- n = 2


def _two_player(U, P, tol, max_steps):
    scale = _scale(P)
    span = np.ptp(P, axis=0)
    if span.max() <= 1e-12 * scale:  # F is one point
        a = np.full(2, 0.5)
        mix = np.zeros(P.shape[0]); mix[0] = 1.0
        return _certify(U, P, a, P[0].copy(), mix, tol, 0, scale)

    def at(t):
        a = np.array([t, 1.0 - t])
        phi, _ = _phi(U, a)
        p = phi / a
        mem = _face_members(P, a, scale, rel=1e-12)
        lo, hi = P[mem, 0].min(), P[mem, 0].max()
        return a, phi, p, lo, hi

    def g(t):
        _, _, p, lo, hi = at(t)
        return p[0] - np.clip(p[0], lo, hi)

    eps = 1e-12
    tl, th = eps, 1.0 - eps
    steps = 0
    gl, gh = g(tl), g(th)
    if gl <= 0:
        th = tl
    elif gh >= 0:
        tl = th
    else:
        while th - tl > 4e-16 and steps < max_steps:
            tm = 0.5 * (tl + th)
            if tm <= tl or tm >= th:
                break
            gm = g(tm)
            steps += 1
            if gm == 0:
                tl = th = tm
                break
            if gm > 0:
                tl = tm
            else:
                th = tm
    candidates = [tl, th]
    # snap to an edge normal straddled by the bracket
    ml = _face_members(P, np.array([tl, 1 - tl]), scale, rel=1e-12)
    mh = _face_members(P, np.array([th, 1 - th]), scale, rel=1e-12)
    il = np.flatnonzero(ml)[np.argmax(P[ml, 0])]  # right end of the left face
    ih = np.flatnonzero(mh)[np.argmin(P[mh, 0])]  # left end of the right face
    d = P[ih] - P[il]
    if d[0] > 0 and d[1] < 0:
        ae = np.array([-d[1], d[0]])
        ae = ae / ae.sum()
        candidates.insert(0, ae[0])
    best = None
    for t in candidates:
        a = np.array([t, 1.0 - t])
        if not np.all(a > 0):
            continue
        phi, _ = _phi(U, a)
        p = phi / a
        mem = _face_members(P, a, scale)
        idx = np.flatnonzero(mem)
        lo_i, hi_i = idx[np.argmin(P[idx, 0])], idx[np.argmax(P[idx, 0])]
        mix = np.zeros(P.shape[0])
        if P[hi_i, 0] - P[lo_i, 0] > 1e-12 * scale:
            lam = np.clip((p[0] - P[lo_i, 0]) / (P[hi_i, 0] - P[lo_i, 0]), 0.0, 1.0)
            mix[lo_i] += 1 - lam
            mix[hi_i] += lam
        else:
            mix[lo_i] = 1.0
        u = P.T @ mix
        res = _certify(U, P, a, u, mix, tol, steps, scale)
        if best is None or res.certificate < best.certificate:
            best = res
    return best


# --------------------------------------------------------------------------- n >= 3


@jax.jit
def _phi_jac(U, a):
    """``(φ(a), ∂φ/∂a)``: exact CoCo value and its (Danskin) Jacobian, one compiled call."""
    f = lambda b: coco_value(U, b).value  # noqa: E731
    return f(a), jax.jacfwd(f)(a), coco_value(U, a).status


def _phi_J(U, a):
    phi, J, _ = _phi_jac(jnp.asarray(U), jnp.asarray(a))
    return np.asarray(phi), np.asarray(J)


def _smooth_HJ(z, tau, U, P):
    """Smoothed residual ``a ⊙ u_τ(a) - φ(a)`` (first n-1 equations; the last is redundant since
    ``Σφ = V_N ≈ a·u_τ``) and its Jacobian in ``z = a[:-1]`` (``a_n = 1 - Σz``)."""
    a = np.concatenate([z, [1.0 - z.sum()]])
    s = P @ a / tau
    w = np.exp(s - s.max()); w /= w.sum()
    u = w @ P
    du = (P.T * w) @ P / tau - np.outer(u, u) / tau  # ∂u/∂a = P^T (diag w - w w^T) P / τ
    phi, Jphi = _phi_J(U, a)
    Ja = np.diag(u) + a[:, None] * du - Jphi  # ∂/∂a
    Jz = Ja[:, :-1] - Ja[:, -1:]
    return (a * u - phi)[:-1], Jz[:-1]


def _face_finish(U, P, a, mask, scale, iters=30):
    """Gauss-Newton in (a, λ) on a candidate face with vertices V = P[mask]: a ⊥ face, Σa = 1,
    Σλ = 1, a_i (V^T λ)_i = φ_i(a).  Square system generically (see the module docstring)."""
    V = P[mask]
    m, n = V.shape
    phi, _ = _phi_J(U, a)
    lam, *_ = np.linalg.lstsq(np.vstack([V.T, np.ones((1, m))]), np.concatenate([phi / a, [1.0]]), rcond=None)
    T = V[1:] - V[0]
    for _ in range(iters):
        phi, Jphi = _phi_J(U, a)
        u = V.T @ lam
        r = np.concatenate([a * u - phi, T @ a, [a.sum() - 1.0, lam.sum() - 1.0]])
        if np.max(np.abs(r)) < 1e-15 * scale:
            break
        J = np.zeros((r.size, n + m))
        J[:n, :n] = np.diag(u) - Jphi
        J[:n, n:] = a[:, None] * V.T
        J[n:n + m - 1, :n] = T
        J[n + m - 1, :n] = 1.0
        J[n + m, n:] = 1.0
        dx, *_ = np.linalg.lstsq(J, -r, rcond=None)
        a, lam = a + dx[:n], lam + dx[n:]
        if not (np.all(np.isfinite(a)) and np.all(a > 0)):
            return None
    return a / a.sum()


def _certify_candidate(U, P, a, tol, steps, scale):
    phi, _ = _phi(U, a)
    mix = _best_mixture(P, _face_members(P, a, scale), a, phi)
    return _certify(U, P, a, P.T @ mix, mix, tol, steps, scale)


def _face_enumeration(U, P, tol, scale, max_faces=2000):
    """Exact face finish on every set of up to n vertices (from uniform weights): certified
    equilibria found (SPEC §4's "face enumeration"; exponential, small games only)."""
    n = P.shape[1]
    K = P.shape[0]
    out = []
    count = 0
    a0 = np.full(n, 1.0 / n)
    for r in range(1, n + 1):
        for S in itertools.combinations(range(K), r):
            count += 1
            if count > max_faces:
                return out
            m = np.zeros(K, bool)
            m[list(S)] = True
            af = _face_finish(U, P, a0, m, scale)
            if af is None:
                continue
            res = _certify_candidate(U, P, af, tol, 0, scale)
            if res.status == int(Status.SUCCESSFUL):
                out.append(res)
    return out


def _many_player(U, P, tol, max_steps, a0):
    scale = _scale(P)
    n = P.shape[1]
    z = np.asarray(a0[: n - 1], dtype=float)
    steps = 0
    for tau_rel in (1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8):
        tau = tau_rel * scale
        mu = 1e-3
        for _ in range(25):
            if steps >= max_steps:
                break
            r, Jz = _smooth_HJ(z, tau, U, P)
            nr = np.linalg.norm(r)
            if nr < 1e-14 * scale:
                break
            steps += 1
            improved = False
            JtJ = Jz.T @ Jz
            for _ in range(12):
                A = JtJ + mu * np.eye(n - 1) * max(np.trace(JtJ) / (n - 1), 1e-30)
                dz = np.linalg.solve(A, -Jz.T @ r)
                zn = z + dz
                an = np.concatenate([zn, [1 - zn.sum()]])
                if np.all(an > 1e-12):
                    rn, _ = _smooth_HJ(zn, tau, U, P)
                    if np.linalg.norm(rn) < nr:
                        z, improved = zn, True
                        mu = max(mu / 3, 1e-12)
                        break
                mu *= 4
            if not improved or np.linalg.norm(dz) < 1e-15:
                break
    a = np.concatenate([z, [1 - z.sum()]])
    # exact finish on candidate faces: the tie-face at a, then every set of up to n of the
    # best-scoring vertices (vertex, edge, ..., facet), best first; stop once certified.
    scores = P @ a
    top = np.argsort(-scores)[: min(6, P.shape[0])]
    masks = [_face_members(P, a, scale, rel=1e-7)]
    for r in range(1, n + 1):
        for S in itertools.combinations(top, r):
            m = np.zeros(P.shape[0], bool)
            m[list(S)] = True
            masks.append(m)
    best = _certify_candidate(U, P, a, tol, steps, scale)
    for m in masks:
        if best.certificate <= tol * 1e-3:
            break
        af = _face_finish(U, P, a, m, scale)
        if af is None:
            continue
        res = _certify_candidate(U, P, af, tol, steps, scale)
        if res.certificate < best.certificate:
            best = res
    return best


# ------------------------------------------------------------------------- public API


def _tu_equilibrium(U, P, tol):
    """Transferable utility: F = {u : Σ u ≤ max_x Σ U(x)}; a = 1/n, u = φ(1)/... (CoCo value)."""
    n = P.shape[1]
    scale = _scale(P)
    a = np.full(n, 1.0 / n)
    phi, st = _phi(U, a)
    u = phi / a  # = CoCo value with unit weights
    VN = float(np.max(P.sum(axis=1)))
    cv = coalition_values(jnp.asarray(U), jnp.asarray(a))
    residual = 0.0
    gap = max(VN - float(u.sum()), 0.0) / n / scale
    memb = max(float(u.sum()) - VN, 0.0) / scale
    cert = max(residual, gap, memb)
    ok = cert <= tol and st == 0
    # the mixture realises the sum (a maximiser of Σ U); transfers then split it as `u`
    mix = np.zeros(P.shape[0]); mix[int(np.argmax(P.sum(axis=1)))] = 1.0
    return CocoEquilibrium(a, u, mix, np.asarray(cv.values),
                           tuple(np.asarray(s) for s in cv.row_strategies),
                           n - 1, "facet" if n > 2 else "edge", residual, gap, memb, cert, 0,
                           int(Status.SUCCESSFUL) if ok else int(Status.MAX_STEPS_REACHED))


def coco_equilibrium(game, *, tol: float = 1e-6, max_steps: int = 400, initial_weights=None,
                     transferable_utility: bool = False) -> CocoEquilibrium:
    r"""The CoCo equilibrium (SPEC §4): weights ``a`` and ``u ∈ F`` with ``a·u = V_N(a)`` and
    ``a_i u_i = φ_i(a)``; for two players Nash's (1953) variable-threat solution.

    See the module docstring for the mathematics and algorithms.  Runs eagerly (host loop over
    jitted exact inner solvers; not traceable under ``jit``/``vmap``, and no derivatives of the
    equilibrium are provided yet).

    Args:
        game: a :class:`bargainjax.NormalFormGame` or payoffs ``(n, |A_1|, ..., |A_n|)``.
        tol: certificate tolerance (relative to the payoff range).
        max_steps: cap on bisection (``n = 2``) or Gauss-Newton (``n >= 3``) steps.
        initial_weights: ``(n,)`` positive starting weights for ``n >= 3`` (default uniform).
        transferable_utility: replace ``F`` by ``{u : Σ u_i <= max_x Σ_i U_i(x)}``; then the
            equilibrium is ``a = 1/n`` and ``u`` = the CoCo value (the ``mixture`` is then a
            maximiser of ``Σ U``, with transfers realising ``u``).

    Returns:
        :class:`CocoEquilibrium` (``status`` is never ``SUCCESSFUL`` above ``tol``).
    """
    U = _payoff_tensor(game)
    P = _outcomes(U)
    n = P.shape[1]
    if not tol > 0:
        raise ValueError(f"`tol` must be positive, got {tol}")
    if transferable_utility:
        return _tu_equilibrium(U, P, tol)
    if n == 2:
        return _two_player(U, P, tol, max_steps)
    if n == 1:
        raise ValueError("`game` must have at least two players")
    a0 = np.full(n, 1.0 / n) if initial_weights is None else np.asarray(initial_weights, float)
    if a0.shape != (n,) or not np.all(a0 > 0):
        raise ValueError(f"`initial_weights` must be positive with shape ({n},)")
    return _many_player(U, P, tol, max_steps, a0 / a0.sum())


def coco_equilibria(game, *, num_starts: int = 8, key=None, tol: float = 1e-6,
                    max_steps: int = 400, enumerate_faces: bool = True,
                    max_faces: int = 2000) -> CocoEquilibria:
    """Multi-start search for CoCo equilibria (SPEC §4: uniqueness for ``n >= 3`` is open).

    Starts: the uniform weights, the CoCo-value-implied weights (``a ∝ 1 / max(coco, small)``
    rescaled, a heuristic), and ``num_starts - 2`` Dirichlet(1) draws from ``key``.  Solutions are
    deduplicated by payoffs (within ``10 tol`` × payoff range).  For ``n = 2`` the bisection is
    deterministic, so one start suffices (Nash 1953: the solution is unique).  With
    ``enumerate_faces`` (``n >= 3``), an exact Gauss-Newton finish is also run on every set of up
    to ``n`` outcome points (at most ``max_faces`` sets, from uniform weights): this finds
    equilibria on facets that the smoothed path misses.  ``num_starts`` then counts the smoothed
    starts only.  Finding several distinct certified payoff vectors (``multiple``) proves
    non-uniqueness; finding one proves nothing.
    """
    U = _payoff_tensor(game)
    P = _outcomes(U)
    n = P.shape[1]
    scale = _scale(P)
    if n == 2:
        sols = [coco_equilibrium(U, tol=tol, max_steps=max_steps)]
        starts = 1
    else:
        key = jax.random.PRNGKey(0) if key is None else key
        starts_list = [np.full(n, 1.0 / n)]
        c = np.asarray(coco_value(jnp.asarray(U)).value)
        c = c - c.min() + 0.1 * scale  # positive shift
        imp = 1.0 / c
        starts_list.append(imp / imp.sum())
        if num_starts > 2:
            d = np.asarray(jax.random.dirichlet(key, jnp.ones(n), (num_starts - 2,)))
            starts_list.extend(list(np.clip(d, 1e-3, None)))
        sols = [coco_equilibrium(U, tol=tol, max_steps=max_steps, initial_weights=s / s.sum())
                for s in starts_list[:max(num_starts, 1)]]
        starts = len(sols)
        if enumerate_faces:
            sols = sols + _face_enumeration(U, P, tol, scale, max_faces)
    good = [s for s in sols if s.status == int(Status.SUCCESSFUL)]
    distinct: list = []
    for s in good:
        if all(np.max(np.abs(s.payoffs - t.payoffs)) > max(tol, 1e-9) * scale * 10 for t in distinct):
            distinct.append(s)
    if not distinct:
        distinct = [min(sols, key=lambda s: s.certificate)]
    return CocoEquilibria(tuple(distinct), starts, len(good), len(good) > 0 and len(distinct) > 1)
