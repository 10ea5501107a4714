r"""Coalition-perfect CoCo and Harsanyi equilibria: residuals, payoffs, an honest search (the post).

Notation (the post "Unifying Bargaining Notions (2/2)", Diffractor, 2022):
players ``0..n-1``, coalitions as bitmasks, ``u[S, i]`` :math:`= u^S_i = U_i(\rho_S, \rho_{-S})`
the payoff of member ``i`` when coalition ``S`` plays its joint strategy :math:`\rho_S` against
the complement's :math:`\rho_{-S}` (entries with ``i ∉ S`` are ignored / returned as 0), weights
(virtual prices) :math:`a > 0`, and :math:`Z_R = \sum_{j \in R} a_j u^R_j` (:math:`Z_\emptyset = 0`).

* Condition 4 (coalition-perfect CoCo), for every ``S`` and ``i ∈ S``:

  .. math:: a_i u^S_i = \sum_{i \in R \subseteq S}
     \frac{(|R|-1)!\,(|S|-|R|)!}{|S|!}\,\bigl(Z_R - Z_{S \setminus R}\bigr).

  :func:`coco_condition_residuals` returns LHS − RHS.
* Condition 4′ (coalition-perfect Harsanyi): :math:`a_i(u^S_i - t^S_i) = a_j(u^S_j - t^S_j)` for
  all ``i, j ∈ S``, with Harsanyi's threat payoffs ``t`` (:func:`bargainjax.threat_payoffs`).
  :func:`harsanyi_condition_residuals` returns each member's deviation from the coalition mean.

**Theorem 1** of the post: the two conditions are equivalent *as systems over all coalitions*.
The proof of each direction at ``S`` uses the other condition at every ``R ⊆ S`` (4′ ⇒ 4 sums
:math:`a_i w^R_i` over ``R ∋ i``; 4 ⇒ 4′ substitutes condition 4 of every ``R ⊆ S``); it is
not a per-coalition equivalence.  At ``S = N`` alone they differ for ``n ≥ 3`` (the tests show a
table satisfying 4 at ``N`` only, with 4′ failing at ``N``); for ``n = 2`` they coincide at ``N``
because singleton conditions are vacuous.  Both conditions at a singleton are identities.

Structure of condition 4 (derived here; the tests check it): the ``R = S`` term is
:math:`Z_S/|S|`, every other term involves only proper sub-coalitions, and the right-hand sides
sum over ``i ∈ S`` to :math:`Z_S` (Shapley efficiency).  So given the smaller coalitions,
condition 4 at ``S`` fixes ``u^S`` up to one free number :math:`Z_S`: ``|S| − 1`` equations per
coalition.

**The search** (:func:`bargainjax.experimental.coalition_perfect_search`, host-side; not
jit/vmap-able) minimises the summed squared condition-4 residuals over ``a`` in the simplex,
with every proper coalition playing its optimal fight strategy (condition 3) and ``u^N`` chosen
on the face maximising :math:`a \cdot U`.  Everything in this module is pure JAX.

Not done here: non-unique fight strategies are not searched over (the solver's returned optimal
strategy is used); Hart's NTU variant (``u^S`` ranging over ``S``'s feasible boundary) is absent.
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from bargainjax.core import _validate as _val
from bargainjax.coalitions._algebra import _sizes, members, threat_payoffs
from bargainjax.games._normal_form import payoff_tensor

MAX_PLAYERS = 6
"""Default work cap of :func:`bargainjax.experimental.coalition_perfect_search`
(``max_players``): every objective evaluation solves the ``2**n`` coalition fights."""

_MAX_N = 10  # the condition-4 coefficient tensor has (2**n)**2 * n entries


# --------------------------------------------------------------------------- inputs


def _table(a, u):
    u = _val.as_array(u, "u", ndim=2)
    n = int(u.shape[0]).bit_length() - 1
    if u.shape[0] < 2 or 2**n != u.shape[0] or u.shape[1] != n or n > _MAX_N:
        raise ValueError(
            f"`u` must have shape (2**n, n) with n in 1..{_MAX_N} (u[S, i] = payoff of member i "
            f"when coalition S fights -S), got shape {u.shape}"
        )
    _val.finite(u, "u")
    a = _val.as_array(a, "a", ndim=1)
    _val.shape(a, (n,), "a")
    _val.finite(a, "a")
    _val.positive(a, "a")
    dt = jnp.result_type(u.dtype, a.dtype)
    return a.astype(dt), u.astype(dt), n


@functools.cache
def _coco_coefficients(n: int) -> np.ndarray:
    """``C[S, i, R]``: condition 4's RHS for ``(S, i)`` is ``Σ_R C[S, i, R] Z_R``."""
    size = 2**n
    sizes = _sizes(n)
    C = np.zeros((size, n, size))
    for S in range(1, size):
        s = int(sizes[S])
        for i in range(n):
            if not S >> i & 1:
                continue
            R = S
            while R:  # all nonempty subsets R of S
                if R >> i & 1:
                    r = int(sizes[R])
                    c = math.factorial(r - 1) * math.factorial(s - r) / math.factorial(s)
                    C[S, i, R] += c
                    C[S, i, S ^ R] -= c  # S \ R (Z_∅ = 0 is harmless: Z[0] is 0)
                R = (R - 1) & S
    C[:, :, 0] = 0.0
    C.setflags(write=False)
    return C


def _Z(a, u, n):
    mem = jnp.asarray(members(n), u.dtype)
    return (mem * u) @ a


@functools.partial(jax.jit, static_argnames=("n",))
def _coco_residuals(a, u, n):
    mem = jnp.asarray(members(n), u.dtype)
    Z = _Z(a, u, n)
    rhs = jnp.einsum("sir,r->si", jnp.asarray(_coco_coefficients(n), u.dtype), Z)
    return mem * (a[None, :] * u - rhs)


def coco_condition_residuals(a, u) -> jax.Array:
    r"""Residuals of the coalition-perfect CoCo condition 4 (the post), per coalition and member.

    .. math:: r^S_i = a_i u^S_i - \sum_{i \in R \subseteq S}
       \frac{(|R|-1)!(|S|-|R|)!}{|S|!}\,(Z_R - Z_{S \setminus R}),
       \qquad Z_R = \sum_{j \in R} a_j u^R_j,

    in curnits; ``0`` where ``i ∉ S`` (and identically ``0`` for singletons).  Differentiable.

    Args:
        a: ``(n,)`` positive weights.
        u: ``(2**n, n)`` coalition payoff table, ``u[S, i]`` :math:`= u^S_i` (``i ∉ S`` ignored).

    Returns:
        ``(2**n, n)`` residuals.

    Raises:
        ValueError: naming ``a`` or ``u`` (shape, NaN/inf, non-positive weights, ``n > 10``).

    Examples:
        >>> import jax.numpy as jnp, bargainjax as bj
        >>> u = jnp.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0], [3.0, 0.0]])
        >>> bj.coco_condition_residuals(jnp.ones(2), u)[3].tolist()   # 3 - ((1-2)/2 + 3/2)
        [2.0, -2.0]
    """
    a, u, n = _table(a, u)
    return _coco_residuals(a, u, n)


@functools.partial(jax.jit, static_argnames=("n",))
def _harsanyi_residuals(a, u, n):
    mem = jnp.asarray(members(n), u.dtype)
    u = mem * u
    e = mem * (a[None, :] * (u - threat_payoffs(u)))
    size = jnp.maximum(jnp.sum(mem, axis=1, keepdims=True), 1.0)
    return mem * (e - jnp.sum(e, axis=1, keepdims=True) / size)


def harsanyi_condition_residuals(a, u) -> jax.Array:
    r"""Residuals of the coalition-perfect Harsanyi condition 4′ (the post).

    With :math:`e^S_i = a_i (u^S_i - t^S_i) = a_i w^S_i` (``t``: :func:`bargainjax.threat_payoffs`,
    ``w``: the Harsanyi dividends), returns :math:`e^S_i - \frac{1}{|S|}\sum_{j \in S} e^S_j`: all
    zero for a coalition iff :math:`a_i(u^S_i - t^S_i) = a_j(u^S_j - t^S_j)` for all members
    (the pairwise gap is at most twice the largest absolute entry).  ``0`` where ``i ∉ S``.

    Args / Raises: as :func:`coco_condition_residuals`.
    """
    a, u, n = _table(a, u)
    return _harsanyi_residuals(a, u, n)


# ------------------------------------------------------------------- coalition payoffs


def _payoff_one(U, rho_S, rho_C, S, n):
    P = [i for i in range(n) if S >> i & 1]
    Q = [i for i in range(n) if not S >> i & 1]
    shapeP = tuple(U.shape[1 + i] for i in P)
    shapeQ = tuple(U.shape[1 + i] for i in Q)
    joint = jnp.tensordot(rho_S.reshape(shapeP), rho_C.reshape(shapeQ), axes=0)
    joint = jnp.transpose(joint, np.argsort(P + Q))
    return jnp.tensordot(U, joint, axes=n)


def coalition_payoffs(game, strategies) -> jax.Array:
    r"""The table ``u[S, i]`` :math:`= U_i(\rho_S, \rho_{-S})` from one joint strategy per coalition.

    Args:
        game: a :class:`bargainjax.NormalFormGame`, :class:`bargainjax.SeparableGame` or payoffs
            ``(n, |A_1|, ..., |A_n|)``.
        strategies: a sequence of ``2**n`` arrays; ``strategies[S]`` is coalition ``S``'s joint
            strategy, a distribution over :math:`\prod_{i \in S} A_i` (C order, members in
            player order; ``(1,)`` for ``S = ∅``), as in
            :attr:`bargainjax.CoalitionValues.row_strategies`.  Coalition ``S`` plays against
            ``strategies[-S]`` (independently).

    Returns:
        ``(2**n, n)`` with ``0`` where ``i ∉ S`` (row ``0`` is all zero).

    Raises:
        ValueError: naming ``game`` or ``strategies`` (count, sizes, negative entries or sums
            other than 1 when concrete).
    """
    U = payoff_tensor(game)
    n = U.shape[0]
    full = 2**n - 1
    if isinstance(strategies, (str, bytes)) or not hasattr(strategies, "__len__") \
            or len(strategies) != 2**n:
        raise ValueError(f"`strategies` must be a sequence of 2**n = {2**n} joint strategies")
    rhos = []
    for S, rho in enumerate(strategies):
        rho = _val.as_array(rho, f"strategies[{S}]", ndim=1)
        k = math.prod(U.shape[1 + i] for i in range(n) if S >> i & 1)
        if rho.shape != (k,):
            raise ValueError(f"`strategies[{S}]` must have shape ({k},) (joint actions of "
                             f"coalition {S}), got {rho.shape}")
        _val.finite(rho, f"strategies[{S}]")
        if _val.is_concrete(rho):
            r = np.asarray(rho)
            if np.any(r < -1e-9) or abs(r.sum() - 1.0) > 1e-6:
                raise ValueError(f"`strategies[{S}]` must be a probability vector (>= 0, sum 1)")
        rhos.append(rho.astype(U.dtype))
    rows = [jnp.zeros(n, U.dtype)]
    for S in range(1, full + 1):
        rows.append(_payoff_one(U, rhos[S], rhos[full ^ S], S, n))
    return jnp.asarray(members(n), U.dtype) * jnp.stack(rows)
