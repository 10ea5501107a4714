"""Tests of coalition fights and CoCo values (Kalai & Kalai 2013): ``bj.coalition_fight_matrix``,
``bj.coalition_values``, ``bj.coco_value``, ``bj.coco_value_two_player``.

Four kinds of check (STYLE §13): known answers (zero-sum, common-interest and symmetric
games, a hand-computed "banana" game); independent oracles (fight matrices built by a loop
over joint actions in numpy, their values by HiGHS, the CoCo formula with factorials, Kalai &
Kalai's two-player closed form); invariances (permutation of players, shifts and scales,
efficiency, antisymmetry ``V_{-R} = -V_R`` with both fights solved, the Shapley-value identity
``φ = Sh(w)`` with ``w(S) = (V_N + V_S)/2``); transforms (jit/vmap over games, no
recompilation, ``grad`` in the weights and the payoffs against finite differences).

Compiling the zero-sum solver costs a few seconds per fight-matrix shape (batch size included),
so the games here come in few shapes: 2x2 two-player games (one fight, the same shape as the
closed form's zero-sum game), 2x2x2 three-player games (three fights of shape 2x4),
2x2x3 three-player games (two shapes) and one 2x2x2x2 four-player game (two shapes).
"""

from __future__ import annotations


import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import bargainjax as bj
from helpers import coco_value_oracle, duality_gap, finite_difference, fight_matrix_oracle, lp_value

TOL = 1e-9  # the zero-sum solver's float64 relative tolerance


# ------------------------------------------------------------------ numpy oracles


def _closed_form_np(A, B):
    coop = np.max(A + B) / 2
    comp = lp_value((A - B) / 2).value
    return np.array([coop + comp, coop - comp])


def _games(seed, shape, batch):
    return np.random.default_rng(seed).uniform(-1.0, 1.0, (batch, *shape))


def _permute_players(U, perm):
    """Game in which player ``k`` is old player ``perm[k]`` (payoff table and action axis)."""
    perm = list(perm)
    return np.transpose(U[perm], [0] + [1 + p for p in perm])


# ----------------------------------------------------------------- known answers


def test_banana_game():
    # The "banana" game, by hand: U_1 = [[2, 2], [0, 4]], U_2 = 0.  V_N = 4 and player 1's
    # fight is worth val([[2, 2], [0, 4]]) = 2 (a saddle point: row 1 guarantees 2 and column
    # 1 concedes no more), so φ = (4/2 + 2/2, 4/2 - 2/2) = (3, 1).
    U = jnp.array([[[2.0, 2.0], [0.0, 4.0]], [[0.0, 0.0], [0.0, 0.0]]])
    res = bj.coco_value(U)
    np.testing.assert_allclose(res.value, [3.0, 1.0], atol=1e-12)
    np.testing.assert_allclose(res.coalition_values, [-4.0, 2.0, -2.0, 4.0], atol=1e-12)
    np.testing.assert_allclose(bj.coco_value_two_player(U[0], U[1]).value, [3.0, 1.0],
                               atol=1e-12)
    assert int(res.status) == 0 and float(res.gap) <= 1e-12


def test_zero_sum_common_interest_and_symmetric_games():
    # Zero-sum: (val A, -val A); val [[3, -1], [-2, 1]] = (3·1 - (-1)(-2))/7 = 1/7.
    A = np.array([[3.0, -1.0], [-2.0, 1.0]])
    np.testing.assert_allclose(bj.coco_value(bj.bimatrix_game(A)).value, [1 / 7, -1 / 7],
                               atol=1e-12)
    # Common interest (A = B): both get max A.
    C = np.array([[4.0, 0.0], [1.0, 2.0]])
    np.testing.assert_allclose(bj.coco_value(bj.bimatrix_game(C, C)).value, [4.0, 4.0],
                               atol=1e-12)
    # Symmetric games (B = Aᵀ): A - B is skew-symmetric, value 0, so both get max(A+B)/2.
    # Prisoner's dilemma: (3, 3).
    PD = np.array([[3.0, 0.0], [5.0, 1.0]])
    np.testing.assert_allclose(bj.coco_value(bj.bimatrix_game(PD, PD.T)).value, [3.0, 3.0],
                               atol=1e-12)
    # Weights rescale utilities: with a = (2, 1) the banana game is (2·A, 0): φ = (6, 2)
    # curnits, i.e. (3, 2) utilons.
    U = np.array([[[2.0, 2.0], [0.0, 4.0]], np.zeros((2, 2))])
    res = bj.coco_value(U, jnp.array([2.0, 1.0]))
    np.testing.assert_allclose(res.value, [6.0, 2.0], atol=1e-12)
    np.testing.assert_allclose(res.value / res.weights, [3.0, 2.0], atol=1e-12)


def test_two_player_formula_equals_closed_form():
    Us = _games(7, (2, 2, 2), 8)
    for k, U in enumerate(Us):
        a = np.array([1.0, 1.0]) if k < 4 else np.random.default_rng(k).uniform(0.2, 3.0, 2)
        res = bj.coco_value(U, jnp.asarray(a))
        closed = bj.coco_value_two_player(a[0] * U[0], a[1] * U[1])
        ref = _closed_form_np(a[0] * U[0], a[1] * U[1])
        np.testing.assert_allclose(res.value, ref, atol=1e-9)
        np.testing.assert_allclose(closed.value, ref, atol=1e-9)
        np.testing.assert_allclose(closed.coalition_values, res.coalition_values, atol=1e-9)
        assert int(res.status) == 0 and int(closed.status) == 0


# --------------------------------------------------------------- n players vs oracles


def test_fight_matrices_match_loop():
    U = _games(3, (3, 2, 3, 2), 1)[0]
    a = np.array([0.5, 2.0, 1.5])
    for R in range(8):
        M = np.asarray(bj.coalition_fight_matrix(U, jnp.asarray(a), R))
        np.testing.assert_allclose(M, fight_matrix_oracle(U, a, R), atol=1e-14)
    # R = N is one column of a·U(x) over all joint actions; the empty coalition its negation.
    np.testing.assert_allclose(np.asarray(bj.coalition_fight_matrix(U, jnp.asarray(a), 7))[:, 0],
                               np.tensordot(a, U, axes=1).ravel(), atol=1e-14)


@pytest.mark.parametrize("shape", [(3, 2, 2, 2), (3, 2, 2, 3)], ids=["2x2x2", "2x2x3"])
def test_values_match_highs(shape):
    Us = _games(11, shape, 4)
    for k, U in enumerate(Us):
        a = np.random.default_rng(k).uniform(0.2, 3.0, 3)
        res = bj.coco_value(U, jnp.asarray(a))
        phi, V = coco_value_oracle(U, a)
        np.testing.assert_allclose(res.coalition_values, V, atol=1e-9)
        np.testing.assert_allclose(res.value, phi, atol=1e-9)
        assert abs(float(jnp.sum(res.value)) - V[-1]) < 1e-12
        assert int(res.status) == 0 and float(res.gap) <= TOL * 10


def test_both_fights_solved_antisymmetry_and_certificates():
    # Solve every proper coalition's fight explicitly (HiGHS on bj's matrices, both
    # orientations), and check the strategies coalition_values returns for all 2^n coalitions
    # (including the complements it never solved) against the matrices.
    U = _games(5, (3, 2, 2, 3), 1)[0]
    a = np.array([1.0, 0.7, 1.3])
    cv = bj.coalition_values(U, jnp.asarray(a))
    full = 7
    for R in range(8):
        M = np.asarray(bj.coalition_fight_matrix(U, jnp.asarray(a), R))
        if 0 < R < full:
            v_R, v_mR = lp_value(M).value, lp_value(fight_matrix_oracle(U, a, full ^ R)).value
            assert abs(v_R + v_mR) < 1e-9
            assert abs(float(cv.values[R]) - v_R) < 1e-9
        x, y = np.asarray(cv.row_strategies[R]), np.asarray(cv.col_strategies[R])
        assert x.shape == (M.shape[0],) and y.shape == (M.shape[1],)
        np.testing.assert_allclose(cv.col_strategies[R], cv.row_strategies[full ^ R])
        assert duality_gap(M, x, y) <= TOL * np.ptp(M) + 1e-14
        assert abs(x @ M @ y - float(cv.values[R])) <= TOL * np.ptp(M) + 1e-14
    assert np.all(np.asarray(cv.status) == 0)
    np.testing.assert_allclose(cv.values, -np.asarray(cv.values)[::-1], atol=1e-15)


def _four_player():
    U = _games(17, (4, 2, 2, 2, 2), 1)[0]
    a = np.array([1.0, 0.5, 2.0, 1.5])
    return U, a


def test_four_players_against_highs_and_tu_identity():
    U, a = _four_player()
    res = bj.coco_value(U, jnp.asarray(a))
    phi, V = coco_value_oracle(U, a)
    np.testing.assert_allclose(res.coalition_values, V, atol=1e-9)
    np.testing.assert_allclose(res.value, phi, atol=1e-9)
    _check_tu_identity(res)


def _check_tu_identity(res):
    """φ is the Shapley value of the constant-sum game w(S) = (V_N + V_S)/2 (and of V/2)."""
    V = np.asarray(res.coalition_values)
    w = 0.5 * (V + V[-1])
    n = res.value.shape[0]
    full = 2**n - 1
    assert w[0] == 0.0 and abs(w[-1] - V[-1]) < 1e-15
    np.testing.assert_allclose(w + w[full ^ np.arange(2**n)], V[-1], atol=1e-12)
    np.testing.assert_allclose(bj.shapley_value(w), res.value, atol=1e-12)
    np.testing.assert_allclose(0.5 * np.asarray(bj.shapley_value(V)), res.value, atol=1e-12)


# ------------------------------------------------------------------ invariances

_game3 = arrays(np.float64, (3, 2, 2, 2), elements=st.floats(-5, 5, allow_subnormal=False))
_w3 = arrays(np.float64, (3,), elements=st.floats(0.1, 10))


@settings(max_examples=20, deadline=None)
@given(U=_game3, a=_w3, perm=st.permutations(range(3)))
def test_permutation_equivariance_efficiency_tu_identity(U, a, perm):
    res = bj.coco_value(U, jnp.asarray(a))
    res_p = bj.coco_value(_permute_players(U, perm), jnp.asarray(a[list(perm)]))
    scale = max(1.0, float(np.abs(U).max() * a.max()))
    np.testing.assert_allclose(res_p.value, np.asarray(res.value)[list(perm)], atol=1e-8 * scale)
    assert abs(float(jnp.sum(res.value)) - float(res.coalition_values[-1])) < 1e-10 * scale
    assert int(res.status) == 0
    _check_tu_identity(res)


@settings(max_examples=15, deadline=None)
@given(U=_game3, a=_w3, shift=arrays(np.float64, (3,), elements=st.floats(-5, 5)),
       t=st.floats(0.1, 10))
def test_shift_and_scale(U, a, shift, t):
    # Adding c_i to player i's payoffs adds a_i c_i to φ_i only; scaling a by t scales φ.
    res = bj.coco_value(U, jnp.asarray(a))
    shifted = bj.coco_value(U + shift[:, None, None, None], jnp.asarray(a))
    scaled = bj.coco_value(U, jnp.asarray(t * a))
    scale = max(1.0, float((np.abs(U).max() + 5) * a.max() * max(t, 1)))
    np.testing.assert_allclose(shifted.value, np.asarray(res.value) + a * shift, atol=1e-8 * scale)
    np.testing.assert_allclose(scaled.value, t * np.asarray(res.value), atol=1e-8 * scale)


# -------------------------------------------------------------------- transforms


def test_jit_vmap_over_games_and_no_recompile():
    Us = _games(23, (3, 2, 2, 2), 4)
    As = np.random.default_rng(23).uniform(0.2, 3.0, (4, 3))
    Us[3, 1, 0, 1, 0] = np.nan  # one bad game in the batch: its status, not the others'
    f = jax.jit(jax.vmap(lambda U, a: bj.coco_value(U, a)))
    res = f(jnp.asarray(Us), jnp.asarray(As))
    for k in range(3):
        ref = bj.coco_value(Us[k], jnp.asarray(As[k]))
        np.testing.assert_allclose(res.value[k], ref.value, atol=1e-12)
        np.testing.assert_allclose(res.coalition_values[k], ref.coalition_values, atol=1e-12)
        assert int(res.status[k]) == 0
    assert int(res.status[3]) == int(bj.Status.NONFINITE)
    size = f._cache_size()
    f(jnp.asarray(Us[::-1].copy()), jnp.asarray(As))
    assert f._cache_size() == size


def test_gradients_match_finite_differences():
    U = _games(29, (3, 2, 2, 2), 1)[0]
    a = np.array([1.0, 0.6, 1.7])

    def phi(U_, a_):
        return bj.coco_value(U_, a_).value

    J_U, J_a = jax.jacobian(phi, argnums=(0, 1))(jnp.asarray(U), jnp.asarray(a))
    fd_a = finite_difference(lambda x: np.asarray(phi(U, jnp.asarray(x))), a)
    fd_U = finite_difference(lambda x: np.asarray(phi(jnp.asarray(x), jnp.asarray(a))), U)
    np.testing.assert_allclose(J_a, fd_a, atol=1e-6)
    np.testing.assert_allclose(J_U, fd_U, atol=1e-6)
    # Σ_i ∂φ_i/∂a = ∂V_N/∂a (efficiency holds identically in a), and that is the payoff
    # vector of the maximising outcome (Danskin, unique maximiser).
    outcomes = np.moveaxis(U, 0, -1).reshape(-1, 3)
    np.testing.assert_allclose(np.sum(J_a, axis=0), outcomes[np.argmax(outcomes @ a)],
                               atol=1e-12)


def test_two_player_gradients_agree():
    U = _games(31, (2, 2, 2), 1)[0]
    g_n = jax.jacobian(lambda U_: bj.coco_value(U_).value)(jnp.asarray(U))
    g_2 = jax.jacobian(lambda U_: bj.coco_value_two_player(U_[0], U_[1]).value)(jnp.asarray(U))
    np.testing.assert_allclose(g_n, g_2, atol=1e-12)
    fd = finite_difference(lambda x: np.asarray(bj.coco_value_two_player(x[0], x[1]).value), U)
    np.testing.assert_allclose(g_2, fd, atol=1e-6)


# --------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "game, weights, kwargs, name",
    [
        (np.zeros((2, 2, 2)), np.ones(3), {}, "weights"),
        (np.zeros((2, 2, 2)), np.ones((2, 1)), {}, "weights"),
        (np.zeros((2, 2, 2)), np.array([1.0, 0.0]), {}, "weights"),
        (np.zeros((2, 2, 2)), np.array([1.0, -2.0]), {}, "weights"),
        (np.zeros((2, 2, 2)), np.array([1.0, np.nan]), {}, "weights"),
        ("not a game", None, {}, "game"),
        ({"U": 1}, None, {}, "game"),
        (np.zeros(4), None, {}, "game"),
        (np.zeros((3, 2, 2)), None, {}, "game"),
        (np.zeros((2, 2, 0)), None, {}, "game"),
        (np.full((2, 2, 2), np.nan), None, {}, "game"),
        (np.zeros((2, 2, 2)), None, {"tol": -1.0}, "tol"),
    ],
)
def test_bad_input_raises(game, weights, kwargs, name):
    for fn in (bj.coco_value, bj.coalition_values):
        with pytest.raises(ValueError, match=f"`{name}`"):
            fn(game, weights, **kwargs)


def test_bad_input_fight_matrix_and_two_player():
    U = np.zeros((2, 2, 2))
    for R in (-1, 4, True, 1.0):
        with pytest.raises(ValueError, match="`R`"):
            bj.coalition_fight_matrix(U, None, R)
    with pytest.raises(ValueError, match="`payoffs`"):
        bj.coalition_fight_matrix(np.zeros((3, 2)), None, 1)
    with pytest.raises(ValueError, match="`A`"):
        bj.coco_value_two_player(np.zeros((2, 2)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="`B`"):
        bj.coco_value_two_player(np.zeros((2, 2)), np.full((2, 2), np.inf))


def test_game_objects_accepted():
    A = np.array([[2.0, 2.0], [0.0, 4.0]])
    g = bj.bimatrix_game(A, np.zeros((2, 2)))
    np.testing.assert_allclose(bj.coco_value(g).value, [3.0, 1.0], atol=1e-12)
    # An additively separable game: U_i(x) = Σ_j u_{j,i}(x_j); compared with its tensor.
    sep = bj.separable_game([np.array([[1.0, 0.0], [0.0, 2.0]]),
                             np.array([[0.5, 1.0], [2.0, -1.0]])])
    np.testing.assert_allclose(bj.coco_value(sep).value,
                               bj.coco_value(sep.to_normal_form().payoffs).value, atol=1e-12)
