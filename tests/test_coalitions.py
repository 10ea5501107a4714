"""Tests of the coalition algebra: bitmask tables, Shapley values, Harsanyi dividends, threats.

Known answers with sources (glove game, majority game, a hand-computed three-player game,
unanimity games, the airport game of Littlechild & Owen 1973), the Shapley axioms under
hypothesis (efficiency, symmetry, null player, additivity), two independent oracles for the
Shapley value (the average over all ``n!`` arrival orders, and Harsanyi's dividend formula
``φ_i = Σ_{S∋i} d(S)/|S|``), and the Möbius transforms against a brute-force loop over subsets.
Everything here is cheap: one small compile per ``n``.
"""

from __future__ import annotations

import itertools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bargainjax as bj

SETTINGS = settings(max_examples=25, deadline=None)


def _mask(players) -> int:
    return sum(1 << i for i in players)


def _random_v(n, seed):
    v = np.random.default_rng(seed).normal(size=2**n)
    v[0] = 0.0
    return v


def _shapley_by_orders(v, n):
    """Oracle: average marginal contribution over all n! arrival orders (numpy)."""
    phi = np.zeros(n)
    for order in itertools.permutations(range(n)):
        S = 0
        for i in order:
            phi[i] += v[S | (1 << i)] - v[S]
            S |= 1 << i
    return phi / math.factorial(n)


def _permute_game(v, n, perm):
    """The TU game in which player ``k`` is old player ``perm[k]``."""
    out = np.zeros_like(v)
    for S in range(2**n):
        old = _mask(perm[k] for k in range(n) if S >> k & 1)
        out[S] = v[old]
    return out


# ------------------------------------------------------------------------- static tables


def test_tables():
    assert bj.coalition_sizes(3).tolist() == [0, 1, 1, 2, 1, 2, 2, 3]
    m = bj.members(3)
    assert m.shape == (8, 3) and m.dtype == bool
    assert m[0b101].tolist() == [True, False, True]
    for n in range(1, 11):
        c = bj.shapley_weights(n)
        sizes = bj.coalition_sizes(n)
        ref = np.array([0.0] + [math.factorial(r - 1) * math.factorial(n - r) / math.factorial(n)
                                for r in sizes[1:]])
        np.testing.assert_allclose(c, ref, rtol=1e-14)
        # Each player's weights over the coalitions containing it sum to 1.
        np.testing.assert_allclose(bj.members(n).T.astype(float) @ c, np.ones(n), rtol=1e-12)


@pytest.mark.parametrize("bad", [0, -1, 2.0, True, 25, "3"])
def test_tables_bad_n(bad):
    with pytest.raises(ValueError, match="`n`"):
        bj.members(bad)


# ---------------------------------------------------------------- Shapley known answers


def test_glove_game():
    # Player 0 owns a left glove, players 1 and 2 a right glove each; a pair is worth 1.
    # Shapley value (2/3, 1/6, 1/6) (e.g. Maschler, Solan & Zamir, Game Theory, Example 18.x).
    v = bj.tu_game({(0, 1): 1.0, (0, 2): 1.0, (0, 1, 2): 1.0}, 3)
    np.testing.assert_allclose(bj.shapley_value(v), [2 / 3, 1 / 6, 1 / 6], atol=1e-15)


def test_majority_game():
    # Three-player simple majority: any two win.  By symmetry and efficiency φ = 1/3 each.
    sizes = bj.coalition_sizes(3)
    v = jnp.asarray((sizes >= 2).astype(float))
    np.testing.assert_allclose(bj.shapley_value(v), [1 / 3] * 3, atol=1e-15)
    # Weighted majority [quota 3; weights 2, 1, 1]: player 0 is pivotal in 4 of 6 orders.
    w = np.array([2, 1, 1])
    v = jnp.asarray([float(bj.members(3)[S] @ w >= 3) for S in range(8)])
    np.testing.assert_allclose(bj.shapley_value(v), [2 / 3, 1 / 6, 1 / 6], atol=1e-15)


def test_three_player_hand_computed():
    # v(i) = 0, v(12) = 90, v(13) = 80, v(23) = 70, v(123) = 120.  By hand over the 6 orders:
    # φ_1 = (0 + 0 + 90 + 50 + 80 + 50)/6 = 45, φ_2 = (90 + 40 + 0 + 0 + 40 + 70)/6 = 40,
    # φ_3 = (30 + 80 + 30 + 70 + 0 + 0)/6 = 35.
    v = bj.tu_game({(0, 1): 90, (0, 2): 80, (1, 2): 70, (0, 1, 2): 120}, 3)
    np.testing.assert_allclose(bj.shapley_value(v), [45.0, 40.0, 35.0], atol=1e-12)


def test_unanimity_games():
    # u_T(S) = 1 if T ⊆ S: φ_i = 1/|T| on T, 0 elsewhere; its dividends are the indicator of T.
    n = 4
    S = np.arange(2**n)
    for T in range(1, 2**n):
        v = jnp.asarray(((S & T) == T).astype(float))
        t = bj.members(n)[T]
        np.testing.assert_allclose(bj.shapley_value(v), t / t.sum(), atol=1e-15)
        np.testing.assert_allclose(bj.harsanyi_dividends(v), (S == T).astype(float), atol=1e-15)


def test_airport_game():
    # Littlechild & Owen (1973): cost c(S) = max_{i∈S} c_i with c_1 <= ... <= c_n; the Shapley
    # value splits each runway segment equally among the players who need it:
    # φ_i = Σ_{k<=i} (c_k - c_{k-1}) / (n - k + 1).
    n = 6
    c = np.sort(np.random.default_rng(0).uniform(1, 10, n))
    cost = np.array([max((c[i] for i in range(n) if S >> i & 1), default=0.0)
                     for S in range(2**n)])
    inc = np.diff(np.concatenate([[0.0], c]))
    ref = np.cumsum(inc / (n - np.arange(n)))
    np.testing.assert_allclose(bj.shapley_value(jnp.asarray(cost)), ref, rtol=1e-13)


def test_split_the_dollar_and_one_player():
    np.testing.assert_allclose(bj.shapley_value(jnp.array([0.0, 0.0, 0.0, 1.0])), [0.5, 0.5])
    np.testing.assert_allclose(bj.shapley_value(jnp.array([0.0, 7.0])), [7.0])


# ------------------------------------------------------------ Shapley: oracles and axioms


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_shapley_matches_orders_and_dividends(n):
    for seed in range(3):
        v = _random_v(n, seed)
        v[0] = seed - 1.0  # v(∅) != 0 is allowed: φ sums to v(N) - v(∅)
        phi = np.asarray(bj.shapley_value(jnp.asarray(v)))
        np.testing.assert_allclose(phi, _shapley_by_orders(v, n), atol=1e-13)
        d = np.asarray(bj.harsanyi_dividends(jnp.asarray(v)))
        sizes = np.maximum(bj.coalition_sizes(n), 1)
        np.testing.assert_allclose(phi, bj.members(n).T @ (d / sizes), atol=1e-13)
        assert abs(phi.sum() - (v[-1] - v[0])) < 1e-12


_n = st.integers(1, 5)  # shapes shared with the oracle test: one compile each


@SETTINGS
@given(n=_n, seed=st.integers(0, 2**31 - 1))
def test_efficiency(n, seed):
    v = _random_v(n, seed)
    assert abs(np.sum(np.asarray(bj.shapley_value(v))) - v[-1]) < 1e-12


@SETTINGS
@given(n=st.integers(2, 5), seed=st.integers(0, 2**31 - 1), data=st.data())
def test_symmetry_and_permutation(n, seed, data):
    v = _random_v(n, seed)
    perm = data.draw(st.permutations(range(n)))
    phi = np.asarray(bj.shapley_value(jnp.asarray(v)))
    phi_p = np.asarray(bj.shapley_value(jnp.asarray(_permute_game(v, n, perm))))
    np.testing.assert_allclose(phi_p, phi[list(perm)], atol=1e-12)
    # Symmetrise players 0 and 1: then φ_0 = φ_1.
    swap = list(range(n))
    swap[0], swap[1] = 1, 0
    sym = v + _permute_game(v, n, swap)
    phi_s = np.asarray(bj.shapley_value(jnp.asarray(sym)))
    assert abs(phi_s[0] - phi_s[1]) < 1e-12


@SETTINGS
@given(n=st.integers(2, 5), seed=st.integers(0, 2**31 - 1), data=st.data())
def test_null_player(n, seed, data):
    k = data.draw(st.integers(0, n - 1))
    v = _random_v(n, seed)
    S = np.arange(2**n)
    v = v[S & ~(1 << k)]  # v(S ∪ {k}) = v(S): k is a null player
    phi = np.asarray(bj.shapley_value(jnp.asarray(v)))
    assert abs(phi[k]) < 1e-13


@SETTINGS
@given(n=_n, s1=st.integers(0, 2**31 - 1), s2=st.integers(0, 2**31 - 1),
       alpha=st.floats(-3, 3))
def test_additivity_and_linearity(n, s1, s2, alpha):
    v, w = _random_v(n, s1), _random_v(n, s2)
    lhs = bj.shapley_value(v + alpha * w)
    rhs = np.asarray(bj.shapley_value(v)) + alpha * np.asarray(bj.shapley_value(w))
    np.testing.assert_allclose(lhs, rhs, atol=1e-12)


def test_shapley_transforms_and_large_n():
    n = 4
    vs = np.stack([_random_v(n, s) for s in range(5)])
    batched = jax.vmap(bj.shapley_value)(jnp.asarray(vs))
    np.testing.assert_allclose(batched, np.stack([bj.shapley_value(jnp.asarray(v)) for v in vs]),
                               atol=1e-14)
    np.testing.assert_allclose(jax.jit(bj.shapley_value)(jnp.asarray(vs[0])), batched[0],
                               atol=1e-14)
    # Linear: the Jacobian is the weight matrix ∂φ_i/∂v(S) = c_S [i∈S] - c_{S∪i} [i∉S].
    J = np.asarray(jax.jacobian(bj.shapley_value)(jnp.asarray(vs[0])))
    c = bj.shapley_weights(n)
    m = bj.members(n)
    S = np.arange(2**n)
    ref = np.stack([np.where(m[:, i], c, -c[S | (1 << i)]) for i in range(n)])
    np.testing.assert_allclose(J, ref, atol=1e-15)
    # n = 16: 65536 coalitions, still exact and efficient.
    big = _random_v(16, 1)
    phi = bj.shapley_value(jnp.asarray(big))
    assert phi.shape == (16,) and abs(float(jnp.sum(phi)) - big[-1]) < 1e-10


def test_shapley_bad_input():
    with pytest.raises(ValueError, match="`v`"):
        bj.shapley_value(jnp.zeros(3))
    with pytest.raises(ValueError, match="`v`"):
        bj.shapley_value(jnp.zeros((4, 2)))
    with pytest.raises(ValueError, match="`v`"):
        bj.shapley_value(jnp.array([0.0, 1.0, jnp.nan, 2.0]))
    with pytest.raises(ValueError, match="`v`"):
        bj.shapley_value(jnp.zeros(1))


# ------------------------------------------------------------------------- TU games


def test_tu_game_dict_and_array():
    a = bj.tu_game({0b011: 2.0, (0, 2): 3.0, frozenset({1, 2}): 4.0, 7: 9.0}, 3)
    b = bj.tu_game([0, 0, 0, 2, 0, 3, 4, 9], 3)
    np.testing.assert_array_equal(a, b)
    assert a.dtype == jnp.float64


@pytest.mark.parametrize(
    "values, n, name",
    [
        (np.zeros(7), 3, "values"),
        (np.array([0.0, np.nan, 0.0, 1.0]), 2, "values"),
        ({(0, 3): 1.0}, 3, "values"),
        ({8: 1.0}, 3, "values"),
        ({(0, 1): 1.0, 3: 2.0}, 2, "values"),
        ({(0,): "x"}, 2, "values"),
        ({1.5: 1.0}, 2, "values"),
        (np.zeros(4), 0, "n"),
        (np.zeros(4), 2.0, "n"),
    ],
)
def test_tu_game_bad_input(values, n, name):
    with pytest.raises(ValueError, match=f"`{name}`"):
        bj.tu_game(values, n)


# --------------------------------------------------------------- dividends and threats


def _brute_dividends(u, n):
    w = np.zeros_like(u)
    t = np.zeros_like(u)
    for S in range(2**n):
        for i in range(n):
            if not S >> i & 1:
                continue
            for R in range(2**n):
                if R & ~S or not R >> i & 1:
                    continue  # R ⊆ S with i ∈ R
                sign = (-1) ** (S.bit_count() - R.bit_count())
                w[S, i] += sign * u[R, i]
                if R != S:
                    t[S, i] -= sign * u[R, i]
    return w, t


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_dividends_and_threats_match_brute_force(n):
    u = np.random.default_rng(n).normal(size=(2**n, n))
    w_ref, t_ref = _brute_dividends(u, n)
    np.testing.assert_allclose(bj.harsanyi_dividends(jnp.asarray(u)), w_ref, atol=1e-13)
    np.testing.assert_allclose(bj.threat_payoffs(jnp.asarray(u)), t_ref, atol=1e-13)


def test_dividends_hand_computed():
    # n = 2, u[S, i]: u^{0}_0 = 1, u^{1}_1 = 2, u^{01} = (5, 7).
    u = jnp.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0], [5.0, 7.0]])
    np.testing.assert_allclose(bj.harsanyi_dividends(u), [[0, 0], [1, 0], [0, 2], [4, 5]])
    # Alice's threat in {Alice, Bob} is fighting the world alone (the post): t^{01} = (1, 2).
    np.testing.assert_allclose(bj.threat_payoffs(u), [[0, 0], [0, 0], [0, 0], [1, 2]])
    # n = 3, player 0 in N = {0, 1, 2}: t^N_0 = u^{01}_0 + u^{02}_0 - u^{0}_0.
    u3 = np.zeros((8, 3))
    u3[0b001, 0], u3[0b011, 0], u3[0b101, 0], u3[0b111, 0] = 1.0, 3.0, 4.0, 10.0
    t = np.asarray(bj.threat_payoffs(jnp.asarray(u3)))
    w = np.asarray(bj.harsanyi_dividends(jnp.asarray(u3)))
    assert t[0b111, 0] == 3.0 + 4.0 - 1.0
    assert w[0b111, 0] == 10.0 - 3.0 - 4.0 + 1.0
    assert t[0b011, 0] == 1.0 and w[0b011, 0] == 2.0


@SETTINGS
@given(n=st.integers(1, 4), seed=st.integers(0, 2**31 - 1))
def test_dividend_round_trip_and_decomposition(n, seed):
    rng = np.random.default_rng(seed)
    u = rng.normal(size=(2**n, n)) * 10.0 ** rng.integers(-2, 3)
    m = bj.members(n)
    w = np.asarray(bj.harsanyi_dividends(u))
    t = np.asarray(bj.threat_payoffs(u))
    scale = np.abs(u).max() * 2**n
    np.testing.assert_allclose(bj.from_dividends(w), u * m, atol=1e-13 * scale)
    np.testing.assert_allclose(t + w, u * m, atol=1e-13 * scale)
    np.testing.assert_array_equal(w[~m], 0.0)
    np.testing.assert_array_equal(t[~m], 0.0)
    # The other composition is the identity on masked tables.
    np.testing.assert_allclose(bj.harsanyi_dividends(bj.from_dividends(u * m)), u * m,
                               atol=1e-13 * scale)
    # TU games: from_dividends inverts harsanyi_dividends exactly.
    v = u[:, 0]
    np.testing.assert_allclose(bj.from_dividends(bj.harsanyi_dividends(v)), v,
                               atol=1e-13 * scale)


def test_dividends_bad_input():
    with pytest.raises(ValueError, match="`u`"):
        bj.harsanyi_dividends(jnp.zeros((8, 2)))
    with pytest.raises(ValueError, match="`u`"):
        bj.harsanyi_dividends(jnp.zeros((6, 3)))
    with pytest.raises(ValueError, match="`u`"):
        bj.threat_payoffs(jnp.zeros(8))
    with pytest.raises(ValueError, match="`w`"):
        bj.from_dividends(jnp.full((4, 2), jnp.inf))
