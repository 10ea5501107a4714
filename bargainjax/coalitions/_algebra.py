r"""Coalition algebra over all :math:`2^n` coalitions: bitmasks, Shapley values, Möbius transforms.

Notation: players :math:`N = \{0, \dots, n-1\}` (0-based in code); a coalition
:math:`S \subseteq N` is the bitmask :math:`S = \sum_{i \in S} 2^i` in ``0 .. 2**n - 1`` (bit ``i``
is player ``i``), and :math:`-S = N \setminus S` is ``(2**n - 1) ^ S``.  A TU game is its
characteristic function ``v``, a vector of length ``2**n`` indexed by bitmask, with ``n`` static
(read off the length).  Per-player quantities that depend on a coalition, such as the payoff
:math:`u^S_i` of player ``i`` when coalition ``S`` fights ``-S`` (the post's notation), are
arrays ``u[S, i]`` of shape ``(2**n, n)``.

Everything is vectorised over bitmasks: the subset-sum (zeta) and Möbius transforms make ``n``
passes of ``O(2^n)`` each, the Shapley value one pass per player; there is no Python loop over
coalitions, so ``n`` up to about 16 is cheap.

* :func:`shapley_value` — exact Shapley value of a TU game.
* :func:`harsanyi_dividends`, :func:`from_dividends` — the Möbius transform and its inverse
  (Harsanyi 1963; the post's Lemma 1), for TU games ``(2**n,)`` and for per-player payoffs
  ``(2**n, n)``.
* :func:`threat_payoffs` — Harsanyi's threat (disagreement) payoffs :math:`t^S_i`.

Sources: the blog post "Unifying Bargaining Notions (2/2)" (Diffractor, 2022: Lemma 1,
the definitions of :math:`w^S_i` and :math:`t^S_i`); L. S. Shapley, "A value for n-person
games" (1953); J. C. Harsanyi, "A simplified bargaining model for the n-person cooperative game"
(1963).
"""

from __future__ import annotations

import functools
import math
import numbers

import jax
import jax.numpy as jnp
import numpy as np

from bargainjax.core import _validate as _val

_MAX_PLAYERS = 24  # 2**24 coalitions: the largest characteristic function we accept


# ------------------------------------------------------------------------ static tables


def _check_n(n, name: str = "n") -> int:
    if not isinstance(n, numbers.Integral) or isinstance(n, bool) or not 1 <= n <= _MAX_PLAYERS:
        raise ValueError(f"`{name}` must be an integer in 1..{_MAX_PLAYERS}, got {n!r}")
    return int(n)


@functools.cache
def _sizes(n: int) -> np.ndarray:
    S = np.arange(2**n, dtype=np.int64)
    sizes = np.zeros(2**n, dtype=np.int64)
    for i in range(n):
        sizes += (S >> i) & 1
    sizes.setflags(write=False)
    return sizes


def coalition_sizes(n: int) -> np.ndarray:
    """Sizes :math:`|S|` of all coalitions, a static numpy ``int64`` array ``(2**n,)``.

    Examples:
        >>> import bargainjax as bj
        >>> bj.coalition_sizes(3).tolist()
        [0, 1, 1, 2, 1, 2, 2, 3]
    """
    return _sizes(_check_n(n)).copy()


def members(n: int) -> np.ndarray:
    """Membership table, a static numpy boolean array ``(2**n, n)``: ``members(n)[S, i] = i ∈ S``.

    Examples:
        >>> import bargainjax as bj
        >>> bj.members(2).astype(int).tolist()
        [[0, 0], [1, 0], [0, 1], [1, 1]]
    """
    n = _check_n(n)
    S = np.arange(2**n, dtype=np.int64)
    return ((S[:, None] >> np.arange(n)[None, :]) & 1).astype(bool)


@functools.cache
def _weights(n: int) -> np.ndarray:
    """``c(r) = (r-1)!(n-r)!/n! = 1 / (r C(n, r))`` by size ``r = 0..n`` (``c(0) = 0``)."""
    c = np.zeros(n + 1)
    for r in range(1, n + 1):
        c[r] = 1.0 / (r * math.comb(n, r))
    c.setflags(write=False)
    return c


def shapley_weights(n: int) -> np.ndarray:
    r"""Shapley weight of each coalition, a static numpy ``float64`` array ``(2**n,)``.

    .. math:: c_R = \frac{(|R|-1)!\,(n-|R|)!}{n!} = \frac{1}{|R| \binom{n}{|R|}},
       \qquad c_\emptyset = 0,

    the probability that, in a uniformly random order of the players, a given member ``i`` of
    ``R`` arrives last among ``R`` and immediately after ``R \ {i}``.  Then
    :math:`\varphi_i = \sum_{R \ni i} c_R\, (v(R) - v(R \setminus i))` (Shapley) and the CoCo
    value is :math:`\varphi_i = \sum_{R \ni i} c_R V_R` (Kalai & Kalai 2013).  For every player
    :math:`\sum_{R \ni i} c_R = 1`.

    Examples:
        >>> import bargainjax as bj
        >>> bj.shapley_weights(2).tolist()
        [0.0, 0.5, 0.5, 0.5]
    """
    n = _check_n(n)
    return _weights(n)[_sizes(n)]


# ---------------------------------------------------------------------- subset transforms


def _num_players_of(length: int, name: str) -> int:
    n = int(length).bit_length() - 1
    if length < 2 or 2**n != length or n > _MAX_PLAYERS:
        raise ValueError(
            f"`{name}` must have length 2**n (n = 1..{_MAX_PLAYERS}) along its coalition axis, "
            f"got {length}"
        )
    return n


def _subset_transform(f, n: int, sign: float):
    r"""``g(S) = Σ_{R ⊆ S} sign^{|S|-|R|} f(R)`` along axis 0 (``sign``: 1 zeta, -1 Möbius).

    One pass per bit ``i``: viewed as ``(2^{n-1-i}, 2, 2^i, ...)``, axis 1 is bit ``i`` and every
    coalition with the bit set receives ``sign`` times its partner without it (Yates 1937 /
    the fast subset-sum transform).  ``n`` passes of ``O(2^n)`` work.
    """
    tail = f.shape[1:]
    for i in range(n):
        g = f.reshape((2 ** (n - 1 - i), 2, 2**i) + tail)
        lo, hi = g[:, 0], g[:, 1]
        f = jnp.stack([lo, hi + sign * lo], axis=1).reshape((2**n,) + tail)
    return f


def _payoff_table(u, name: str):
    """Validate a TU game ``(2**n,)`` or per-player table ``(2**n, n)``; returns ``(u, n)``."""
    u = _val.as_array(u, name)
    if u.ndim not in (1, 2):
        raise ValueError(
            f"`{name}` must be a TU game of shape (2**n,) or per-player payoffs of shape "
            f"(2**n, n), got shape {u.shape}"
        )
    n = _num_players_of(u.shape[0], name)
    if u.ndim == 2 and u.shape[1] != n:
        raise ValueError(
            f"`{name}` must have shape (2**n, n) = ({2**n}, {n}) for {u.shape[0]} coalitions, "
            f"got shape {u.shape}"
        )
    _val.finite(u, name)
    return u, n


def _mask(u, n):
    """Zero the entries ``u[S, i]`` with ``i ∉ S`` (no-op for a TU game)."""
    if u.ndim == 1:
        return u
    return jnp.where(jnp.asarray(members(n)), u, jnp.zeros_like(u))


@functools.partial(jax.jit, static_argnames=("n", "sign"))
def _masked_transform(u, n, sign):
    return _mask(_subset_transform(_mask(u, n), n, sign), n)


def harsanyi_dividends(u) -> jax.Array:
    r"""Harsanyi dividends (the Möbius transform), per player or of a TU game.

    For per-player payoffs ``u[S, i]`` :math:`= u^S_i` (shape ``(2**n, n)``; the post's
    :math:`u^S_i`, player ``i``'s payoff when ``S`` fights ``-S``):

    .. math:: w^S_i = \sum_{i \in R \subseteq S} (-1)^{|S|-|R|}\, u^R_i
       \qquad (i \in S), \qquad w^S_i = 0 \quad (i \notin S),

    the slice of ``i``'s payoff that coalition ``S`` itself adds (post, Harsanyi's section and
    Lemma 1).  Entries ``u[S, i]`` with ``i ∉ S`` are ignored.  For a TU game ``v``
    (shape ``(2**n,)``) it is Harsanyi's dividend :math:`d(S) = \sum_{R \subseteq S}
    (-1)^{|S|-|R|} v(R)`, with :math:`v(S) = \sum_{R \subseteq S} d(R)` and Shapley value
    :math:`\varphi_i = \sum_{S \ni i} d(S)/|S|`.

    Computed by the Möbius transform over bits: ``n`` passes of ``O(2^n)`` each.

    Args:
        u: ``(2**n, n)`` per-player payoffs or ``(2**n,)`` characteristic function.

    Returns:
        The dividends, same shape as ``u``.

    Raises:
        ValueError: if ``u`` has the wrong shape, or (when concrete) holds NaN or inf.

    Examples:
        >>> import jax.numpy as jnp, bargainjax as bj
        >>> bj.harsanyi_dividends(jnp.array([0.0, 1.0, 2.0, 5.0])).tolist()
        [0.0, 1.0, 2.0, 2.0]
    """
    u, n = _payoff_table(u, "u")
    return _masked_transform(u, n, -1.0)


def from_dividends(w) -> jax.Array:
    r"""Inverse of :func:`harsanyi_dividends` (the subset-sum / zeta transform; post's Lemma 1).

    .. math:: u^S_i = \sum_{i \in R \subseteq S} w^R_i \qquad (i \in S),

    with ``0`` returned for ``i ∉ S`` (and entries ``w[S, i]`` with ``i ∉ S`` ignored); for a TU
    dividend vector ``d`` (shape ``(2**n,)``), :math:`v(S) = \sum_{R \subseteq S} d(R)`.  So
    ``from_dividends(harsanyi_dividends(u))`` is ``u`` with the ``i ∉ S`` entries zeroed.

    Args:
        w: ``(2**n, n)`` per-player dividends or ``(2**n,)`` TU dividends.

    Returns:
        The payoffs, same shape as ``w``.

    Raises:
        ValueError: if ``w`` has the wrong shape, or (when concrete) holds NaN or inf.
    """
    w, n = _payoff_table(w, "w")
    return _masked_transform(w, n, 1.0)


@functools.partial(jax.jit, static_argnames=("n",))
def _threats(u, n):
    u = _mask(u, n)
    return u - _mask(_subset_transform(u, n, -1.0), n)


def threat_payoffs(u) -> jax.Array:
    r"""Harsanyi's threat payoffs :math:`t^S_i` inside each coalition (the post).

    .. math:: t^S_i = \sum_{i \in R \subsetneq S} (-1)^{|S|-|R|+1}\, u^R_i
       \qquad (i \in S), \qquad t^S_i = 0 \quad (i \notin S),

    so that :math:`u^S_i = t^S_i + w^S_i` with :math:`w` the dividends
    (:func:`harsanyi_dividends`): ``t = u - w`` on the members.  For a singleton
    :math:`t^{\{i\}}_i = 0`; for a pair :math:`t^{\{i,j\}}_i = u^{\{i\}}_i` (the post: "I'll go off
    on my own and fight the rest of the world").

    Args:
        u: ``(2**n, n)`` per-player payoffs :math:`u^S_i`.

    Returns:
        ``(2**n, n)`` threat payoffs.

    Raises:
        ValueError: if ``u`` is not ``(2**n, n)``, or (when concrete) holds NaN or inf.
    """
    u, n = _payoff_table(u, "u")
    if u.ndim != 2:
        raise ValueError(f"`u` must be per-player payoffs of shape (2**n, n), got shape {u.shape}")
    return _threats(u, n)


# -------------------------------------------------------------------------- TU games


def _coalition_key(key, n: int) -> int:
    """A dict key: a bitmask ``int`` or an iterable of 0-based player indices."""
    if isinstance(key, numbers.Integral) and not isinstance(key, bool):
        S = int(key)
        if not 0 <= S < 2**n:
            raise ValueError(f"`values`: coalition bitmask {key!r} is outside 0..{2**n - 1}")
        return S
    try:
        players = list(key)
    except TypeError:
        raise ValueError(
            f"`values`: a key must be a bitmask int or an iterable of player indices, got {key!r}"
        ) from None
    S = 0
    for i in players:
        if not isinstance(i, numbers.Integral) or isinstance(i, bool) or not 0 <= i < n:
            raise ValueError(f"`values`: key {key!r} names a player outside 0..{n - 1}")
        S |= 1 << int(i)
    return S


def tu_game(values, n: int) -> jax.Array:
    r"""A TU game's characteristic function as a ``(2**n,)`` vector indexed by bitmask.

    Args:
        values: either an array of length ``2**n`` (``values[S] = v(S)``), or a dict mapping
            coalitions to values; a key is a bitmask ``int`` or an iterable of 0-based player
            indices (``(0, 2)`` and ``0b101`` are the same coalition).  Coalitions missing from
            a dict get ``0`` (so ``v(∅) = 0`` unless given).
        n: the number of players (static), ``1 <= n <= 24``.

    Returns:
        ``v``, shape ``(2**n,)``, float.

    Raises:
        ValueError: naming ``n`` if it is not a valid player count; naming ``values`` if an
            array has the wrong length, a key is not a coalition of ``n`` players, a coalition
            is given twice, or a value is NaN/inf or not a number.

    Examples:
        >>> import bargainjax as bj
        >>> v = bj.tu_game({(0, 1): 1.0, (0, 2): 1.0, (0, 1, 2): 1.0}, 3)   # glove game
        >>> (6 * bj.shapley_value(v)).round(9).tolist()           # (2/3, 1/6, 1/6)
        [4.0, 1.0, 1.0]
    """
    n = _check_n(n)
    if isinstance(values, dict):
        table = np.zeros(2**n)
        seen = set()
        for key, val in values.items():
            S = _coalition_key(key, n)
            if S in seen:
                raise ValueError(f"`values`: coalition {S:#0{n + 2}b} is given twice")
            seen.add(S)
            try:
                table[S] = float(val)
            except (TypeError, ValueError):
                raise ValueError(
                    f"`values`: the value of {key!r} is not a number: {val!r}"
                ) from None
        out = jnp.asarray(table, dtype=jnp.result_type(float))
    else:
        out = _val.as_array(values, "values", ndim=1)
        if out.shape[0] != 2**n:
            raise ValueError(
                f"`values` must have length 2**n = {2**n} for n = {n}, got {out.shape[0]}"
            )
    _val.finite(out, "values")
    return out


@functools.partial(jax.jit, static_argnames=("n",))
def _shapley(v_, n):
    # Marginal contributions v(S ∪ {i}) - v(S) for every (S, i) with i ∉ S at once: the
    # partner of S is the bitmask S | 2^i (a gather), the weight depends on |S| only.
    S = jnp.arange(2**n, dtype=jnp.int32)[:, None]
    bit = jnp.left_shift(1, jnp.arange(n, dtype=jnp.int32))[None, :]
    outside = (S & bit) == 0  # (2^n, n): i ∉ S
    size = jnp.sum(~outside, axis=1)
    # |S|!(n-|S|-1)!/n! = c(|S|+1); c(n+1) = 0 pads the grand coalition (never outside).
    c = jnp.asarray(np.append(_weights(n), 0.0), dtype=v_.dtype)[size + 1]
    marginal = v_[S | bit] - v_[:, None]
    return jnp.sum(jnp.where(outside, c[:, None] * marginal, 0.0), axis=0)


def shapley_value(v) -> jax.Array:
    r"""Exact Shapley value of a TU game (Shapley 1953).

    .. math:: \varphi_i(v) = \sum_{S \subseteq N \setminus \{i\}}
       \frac{|S|!\,(n-|S|-1)!}{n!}\,\bigl(v(S \cup \{i\}) - v(S)\bigr),

    the expected marginal contribution of ``i`` over uniformly random arrival orders.  Efficiency
    reads :math:`\sum_i \varphi_i = v(N) - v(\emptyset)`.  Vectorised over bitmasks: all
    ``n 2^{n-1}`` marginal contributions are formed at once (``O(n 2^n)`` work and memory).
    Linear in ``v``, hence differentiable and ``vmap``-able.

    Args:
        v: ``(2**n,)`` characteristic function indexed by bitmask (see :func:`tu_game`).

    Returns:
        ``(n,)`` the Shapley value.

    Raises:
        ValueError: if ``v`` is not a vector of length ``2**n``, or (when concrete) holds NaN/inf.

    Examples:
        >>> import jax.numpy as jnp, bargainjax as bj
        >>> bj.shapley_value(jnp.array([0.0, 0.0, 0.0, 1.0])).tolist()   # split the dollar
        [0.5, 0.5]
    """
    v_ = _val.as_array(v, "v", ndim=1)
    n = _num_players_of(v_.shape[0], "v")
    _val.finite(v_, "v")
    return _shapley(v_, n)
