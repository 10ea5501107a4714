"""Tests of ``bj.solve_zero_sum`` and ``bj.solve_zero_sum_entropic``.

Four kinds of check (STYLE §13): known answers with sources; an independent oracle (HiGHS via
``scipy.optimize.linprog``, in ``helpers.lp_value``, and Nashpy); invariances under hypothesis;
transforms (jit, vmap, grad vs finite differences, no recompilation).  Every certificate is
recomputed here in float64 numpy from the returned strategies, never taken from the solver.

Compilation dominates the run time (about a second per new shape), so shapes are reused on
purpose, batches go through one ``vmap`` call, and the Gambit games are padded to one 8x8 shape
with strictly dominated dummy rows and columns (which provably get zero weight) and solved in a
single batch.
"""

from __future__ import annotations

import logging

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import duality_gap, finite_difference, gambit_dir, lp_value
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import bargainjax as bj
from bargainjax.core._contract import default_tol

F64_TOL = 1e-9  # the documented default relative tolerance in float64
F32_TOL = 1e-6  # ... and in float32


def _random_games(seed, batch, m, k, dtype=np.float64):
    return np.random.default_rng(seed).uniform(-1.0, 1.0, (batch, m, k)).astype(dtype)


def _assert_certified(M, sol, rel_tol=F64_TOL, *, slack=1.0):
    """Recompute the gap in float64 from the returned strategies; check it and the strategies."""
    M = np.asarray(M, np.float64)
    x = np.asarray(sol.row_strategy, np.float64)
    y = np.asarray(sol.col_strategy, np.float64)
    assert np.all(x >= 0) and np.all(y >= 0)
    assert abs(x.sum() - 1) < 1e-12 * M.size + 1e-6 * (x.dtype != np.float64)
    assert abs(y.sum() - 1) < 1e-12 * M.size + 1e-6 * (y.dtype != np.float64)
    scale = float(np.ptp(M))
    gap = duality_gap(M, x, y)
    assert gap <= slack * rel_tol * scale + 1e-14, (gap, rel_tol * scale)
    assert int(sol.status) == int(bj.Status.SUCCESSFUL)
    assert 0.0 <= float(sol.certificate) <= float(sol.tol) <= 2 * rel_tol


def _np(sol):
    """The result with numpy leaves (indexing JAX arrays in a Python loop is slow)."""
    return jax.tree_util.tree_map(np.asarray, sol)


def _unbatch(sol, i):
    return jax.tree_util.tree_map(lambda a: np.asarray(a)[i], sol)


# ----------------------------------------------------------------- value vs HiGHS oracle

SHAPES = [(1, 1), (1, 4), (4, 1), (2, 2), (3, 5), (16, 16), (40, 25)]


@pytest.mark.parametrize("shape", SHAPES, ids=[f"{m}x{k}" for m, k in SHAPES])
def test_value_matches_highs_random(shape):
    Ms = _random_games(sum(shape), 6, *shape)
    sols = _np(jax.vmap(bj.solve_zero_sum)(jnp.asarray(Ms)))
    for i, M in enumerate(Ms):
        ref = lp_value(M)
        sol = _unbatch(sols, i)
        np.testing.assert_allclose(float(sol.value), ref.value, atol=1e-9)
        _assert_certified(M, sol)


def _pad(M, size):
    """Embed ``M`` in ``size x size``: dummy rows/columns strictly dominated for their player.

    Dummy rows pay ``min M - 1`` everywhere (strictly worse than any real row for the maximiser);
    dummy columns pay ``max M + 1`` against real rows, so against any optimal ``x`` (which puts
    no weight on dummy rows) they cost more than the value and get no weight in any optimal
    ``y``.  The value is unchanged.
    """
    m, k = M.shape
    lo, hi = M.min(), M.max()
    P = np.full((size, size), lo - 1.0)
    P[:m, :k] = M
    P[:m, k:] = hi + 1.0
    return P


def test_value_matches_highs_on_gambit_games():
    folder = gambit_dir()
    if folder is None:
        pytest.skip("the Gambit game collection is not beside the repository")
    games = []
    for path in sorted(folder.glob("*.nfg")):
        game = bj.read_nfg(path)
        if np.asarray(game.payoffs).shape[0] == 2:
            games.append((path.name, np.asarray(game.payoffs[0], np.float64)))
    assert len(games) >= 20  # the folder holds 44 two-player games
    size = max(max(M.shape) for _, M in games)
    assert size <= 8
    padded = np.stack([_pad(M, size) for _, M in games])
    sols = _np(jax.vmap(bj.solve_zero_sum)(jnp.asarray(padded)))
    for i, (name, M) in enumerate(games):
        sol = _unbatch(sols, i)
        m, k = M.shape
        x = np.asarray(sol.row_strategy)
        y = np.asarray(sol.col_strategy)
        assert x[m:].sum() < 1e-12 and y[k:].sum() < 1e-12, name
        ref = lp_value(M)
        scale = max(float(np.ptp(M)), 1.0)
        np.testing.assert_allclose(float(sol.value), ref.value, atol=1e-9 * scale, err_msg=name)
        assert duality_gap(M, x[:m] / x[:m].sum(), y[:k] / y[:k].sum()) <= 1e-9 * scale, name
        assert int(sol.status) == 0, name


# ---------------------------------------------------------------------- known answers


def test_matching_pennies():
    # von Neumann & Morgenstern (1944); any textbook: value 0, both players (1/2, 1/2).
    sol = bj.solve_zero_sum(jnp.array([[1.0, -1.0], [-1.0, 1.0]]))
    assert float(sol.value) == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(sol.row_strategy, [0.5, 0.5], atol=1e-12)
    np.testing.assert_allclose(sol.col_strategy, [0.5, 0.5], atol=1e-12)


def test_odd_or_even():
    # Ferguson, "Game Theory", Part II §1.1 (Odd-or-Even, payoffs to the "odd" player): the
    # 2x2 formula gives value (ad - bc)/(a - b - c + d) = 1/12 and x = y = (7/12, 5/12).
    sol = bj.solve_zero_sum(jnp.array([[-2.0, 3.0], [3.0, -4.0]]))
    assert float(sol.value) == pytest.approx(1 / 12, abs=1e-12)
    np.testing.assert_allclose(sol.row_strategy, [7 / 12, 5 / 12], atol=1e-12)
    np.testing.assert_allclose(sol.col_strategy, [7 / 12, 5 / 12], atol=1e-12)


RPS = np.array([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]])


def test_rock_paper_scissors():
    # Symmetric game, so value 0; the unique equilibrium is uniform (e.g. Nashpy's docs).
    sol = bj.solve_zero_sum(jnp.asarray(RPS))
    assert float(sol.value) == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(sol.row_strategy, np.full(3, 1 / 3), atol=1e-12)
    np.testing.assert_allclose(sol.col_strategy, np.full(3, 1 / 3), atol=1e-12)


def test_pure_saddle_point():
    # Entry (2, 1) = 2 is the minimum of its row and the maximum of its column: a saddle
    # point, unique because row 2 strictly dominates rows 0, 1 and column 1 columns 0, 2.
    M = jnp.array([[3.0, 1.0, 4.0], [2.0, 0.0, 1.0], [5.0, 2.0, 6.0]])
    sol = bj.solve_zero_sum(M)
    assert float(sol.value) == pytest.approx(2.0, abs=1e-12)
    np.testing.assert_allclose(sol.row_strategy, [0, 0, 1], atol=1e-12)
    np.testing.assert_allclose(sol.col_strategy, [0, 1, 0], atol=1e-12)


def test_von_stengel_3x2_row_payoffs():
    # The 3x2 bimatrix game of von Stengel (Nisan et al. 2007, ch. 3; Nashpy's docs), row
    # payoffs A played as a zero-sum game: column 0 weakly dominates column 1 for the
    # minimiser and (0, 0) = 3 is a saddle point: value 3, x = e_0; the optimal y are those with
    # y_1 <= 1/3 (so that row 1, paying 2 + 3 y_1, does not beat 3).
    A = jnp.array([[3.0, 3.0], [2.0, 5.0], [0.0, 6.0]])
    sol = bj.solve_zero_sum(A)
    assert float(sol.value) == pytest.approx(3.0, abs=1e-12)
    np.testing.assert_allclose(sol.row_strategy, [1, 0, 0], atol=1e-12)
    assert float(sol.col_strategy[1]) <= 1 / 3 + 1e-12


def test_agrees_with_nashpy():
    nash = pytest.importorskip("nashpy")
    games = [RPS, np.array([[-2.0, 3.0], [3.0, -4.0]]),
             *_random_games(7, 4, 3, 3)]
    for A in games:
        x_ref, y_ref = nash.Game(A).linear_program()
        sol = bj.solve_zero_sum(jnp.asarray(A))
        value_ref = float(x_ref @ A @ y_ref)
        assert float(sol.value) == pytest.approx(value_ref, abs=1e-7)
        # Random 3x3 games have a unique equilibrium (almost surely): compare strategies.
        np.testing.assert_allclose(sol.row_strategy, x_ref, atol=1e-6)
        np.testing.assert_allclose(sol.col_strategy, y_ref, atol=1e-6)


# ------------------------------------------------------------------ methods and dtypes


def _degenerate_games():
    """3x5 games with ties: constant, duplicated rows/columns, strictly dominated strategies."""
    const = np.full((3, 5), 0.7)
    M = _random_games(13, 1, 2, 3)[0]
    dup = np.concatenate([M, M[:1]], axis=0)
    dup = np.concatenate([dup, dup[:, 1:3]], axis=1)
    dom = np.array([[3.0, 0.0, 2.0, 1.0, 9.0], [0.0, 3.0, 1.0, 2.0, 9.0],
                    [-1.0, -1.0, 0.0, 0.0, 8.0]])
    return {"const": const, "dup": dup, "dup_of": M, "dom": dom}


def test_mirror_method_certifies_and_agrees():
    # One batch (one compilation): random games, rock-paper-scissors padded with two
    # strictly dominated columns, and the degenerate games.
    deg = _degenerate_games()
    rps = np.concatenate([RPS, np.full((3, 2), 2.0)], axis=1)
    Ms = np.concatenate([_random_games(11, 6, 3, 5), np.stack([rps, deg["const"], deg["dup"],
                                                               deg["dom"]])])
    sols = _np(jax.vmap(lambda M: bj.solve_zero_sum(M, method="mirror"))(jnp.asarray(Ms)))
    for i, M in enumerate(Ms):
        sol = _unbatch(sols, i)
        _assert_certified(M, sol)
        assert float(sol.value) == pytest.approx(lp_value(M).value, abs=1e-9)
    np.testing.assert_allclose(sols.row_strategy[6], np.full(3, 1 / 3), atol=1e-12)
    np.testing.assert_allclose(sols.col_strategy[6], [1 / 3, 1 / 3, 1 / 3, 0, 0], atol=1e-12)
    # Far fewer than max_steps first-order steps on these small games.
    assert int(np.max(sols.num_steps)) < 4096


def test_float32_every_instance_certifies():
    # The regression that motivated the basis refinement: 1 of these 1024 games used to end at
    # gap 6.6e-6 x range (> 1e-6).
    Ms = _random_games(0, 1024, 16, 16, np.float32)
    sols = _np(jax.jit(jax.vmap(bj.solve_zero_sum))(jnp.asarray(Ms)))
    assert sols.value.dtype == jnp.float32
    scale = np.ptp(Ms, axis=(1, 2))
    assert np.all(np.asarray(sols.status) == 0)
    assert np.all(np.asarray(sols.certificate) <= np.asarray(sols.tol))
    assert np.all(np.asarray(sols.tol) <= 2 * F32_TOL)
    # Recomputed in float64 from the float32 strategies, too.
    gaps = [duality_gap(M, x, y) for M, x, y in zip(Ms, sols.row_strategy, sols.col_strategy)]
    assert max(g / s for g, s in zip(gaps, scale)) <= F32_TOL
    # And the float32 values agree with HiGHS on the same games.
    for M, value in zip(Ms[:16], sols.value[:16]):
        assert float(value) == pytest.approx(lp_value(M).value, abs=2e-6)


def test_float32_64x64_batch_certifies_with_cleanup_pass():
    # Game 29 of this batch ends one pivot short of optimal when only the tableau's own reduced
    # costs are trusted (its float32 rounding hides a -3e-7 reduced cost): gap 1.07e-6 x range.
    # The cleanup pass (reduced costs recomputed from the refined duals, then more pivots) fixes
    # it; the whole batch must certify.
    Ms = np.random.default_rng(101).uniform(-1.0, 1.0, (256, 64, 64)).astype(np.float32)
    sols = _np(jax.vmap(bj.solve_zero_sum)(jnp.asarray(Ms)))
    scale = np.ptp(Ms, axis=(1, 2))
    assert np.all(sols.status == 0)
    assert np.all(sols.certificate <= sols.tol)
    M = Ms[29]
    assert duality_gap(M, sols.row_strategy[29], sols.col_strategy[29]) <= F32_TOL * scale[29]
    assert float(sols.value[29]) == pytest.approx(lp_value(M).value, abs=2e-6)


def test_float64_default_tolerance_and_steps():
    Ms = _random_games(3, 6, 16, 16)
    sols = _np(jax.vmap(bj.solve_zero_sum)(jnp.asarray(Ms)))
    # The tolerance is relative: the request plus the rounding floor 4 eps.
    eps = np.finfo(np.float64).eps
    assert default_tol(np.float64, "zero_sum") == F64_TOL
    np.testing.assert_allclose(sols.tol, F64_TOL + 4 * eps, rtol=1e-12)
    assert np.all(np.asarray(sols.num_steps) > 0)
    loose = jax.vmap(lambda M: bj.solve_zero_sum(M, tol=1e-3))(jnp.asarray(Ms))
    np.testing.assert_allclose(loose.tol, 1e-3 + 4 * eps, rtol=1e-12)


# -------------------------------------------------------------------------- transforms

_jitted = jax.jit(bj.solve_zero_sum)


def test_jit_equals_eager():
    M = jnp.asarray(_random_games(5, 1, 3, 5)[0])
    a, b = bj.solve_zero_sum(M), _jitted(M)
    for name, u, w in zip(a._fields, a, b):
        np.testing.assert_allclose(u, w, rtol=1e-12, atol=1e-14, err_msg=name)


def test_vmap_equals_loop():
    Ms = jnp.asarray(_random_games(3 + 5, 6, 3, 5))
    batched = _np(jax.vmap(bj.solve_zero_sum)(Ms))
    for i in range(Ms.shape[0]):
        single = bj.solve_zero_sum(Ms[i])
        for name, u, w in zip(single._fields, single, _unbatch(batched, i)):
            np.testing.assert_allclose(u, w, rtol=1e-12, atol=1e-14, err_msg=name)


def test_no_recompilation_on_second_call(caplog):
    Ms = _random_games(9, 3, 3, 5)
    _jitted(jnp.asarray(Ms[0]))
    size = _jitted._cache_size()
    _jitted(jnp.asarray(Ms[1]))
    assert _jitted._cache_size() == size, "solve_zero_sum recompiles on a second call"
    # The eager entry point reuses its internal compilation as well.
    bj.solve_zero_sum(jnp.asarray(Ms[0]))
    with jax.log_compiles(True), caplog.at_level(logging.WARNING):
        caplog.clear()
        bj.solve_zero_sum(jnp.asarray(Ms[2]))
    compiled = [r.getMessage() for r in caplog.records if "Compiling" in r.getMessage()]
    assert not compiled, compiled


def test_nan_under_jit_gives_nonfinite_status():
    M = np.asarray(_random_games(5, 1, 3, 5)[0])
    M[1, 2] = np.nan
    sol = _jitted(jnp.asarray(M))
    assert int(sol.status) == int(bj.Status.NONFINITE)
    M[1, 2] = np.inf
    assert int(_jitted(jnp.asarray(M)).status) == int(bj.Status.NONFINITE)


# ----------------------------------------------------------------------- derivatives

def _outputs(A):
    sol = bj.solve_zero_sum(A)
    return jnp.concatenate([sol.row_strategy, sol.col_strategy, sol.value[None]])


def test_derivatives_match_finite_differences():
    # Random 4x4 games: unique, non-degenerate equilibria (almost surely), where the value is
    # differentiable with Danskin's gradient x yᵀ and the strategies follow the equaliser system.
    moved = 0.0
    for M in _random_games(21, 3, 4, 4):
        J = jax.jacfwd(_outputs)(jnp.asarray(M))
        fd = finite_difference(lambda A: np.asarray(_outputs(jnp.asarray(A))), M, eps=1e-6)
        np.testing.assert_allclose(J, fd, atol=1e-6)
        out = np.asarray(_outputs(jnp.asarray(M)))
        np.testing.assert_allclose(J[-1], np.outer(out[:4], out[4:8]), atol=1e-12)
        moved = max(moved, np.abs(fd[:-1]).max())
    assert moved > 1e-2  # mixed equilibria: the strategies do move
    # Reverse mode (the tangent map is transposed) agrees with forward mode.
    np.testing.assert_allclose(jax.jacrev(_outputs)(jnp.asarray(M)), J, atol=1e-12)


# ---------------------------------------------------------------- hypothesis properties

_entries = st.floats(-1.0, 1.0, allow_nan=False, allow_subnormal=False, width=64)
_games_3x5 = arrays(np.float64, (3, 5), elements=_entries)
_prop = settings(max_examples=25, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])


def _solve(M):
    return bj.solve_zero_sum(jnp.asarray(M, jnp.float64))


def _atol(M, *extra):
    return 1e-8 * (np.ptp(M) + sum(abs(e) for e in extra) + 1.0)


@_prop
@given(M=_games_3x5, c=st.floats(-10, 10), s=st.floats(0.01, 100))
def test_value_is_affine_equivariant(M, c, s):
    base = _solve(M)
    _assert_certified(M, base)
    assert float(_solve(M + c).value) == pytest.approx(float(base.value) + c, abs=_atol(M, c))
    scaled = _solve(s * M)
    assert float(scaled.value) == pytest.approx(s * float(base.value), abs=s * _atol(M))
    _assert_certified(s * M, scaled)


@_prop
@given(M=_games_3x5)
def test_transpose_negation_swaps_players(M):
    base, swapped = _solve(M), _solve(-M.T)
    assert float(swapped.value) == pytest.approx(-float(base.value), abs=_atol(M))
    # The row strategy of -Mᵀ is an optimal column strategy of M, and vice versa.
    assert duality_gap(M, swapped.col_strategy, swapped.row_strategy) <= 1e-9 * np.ptp(M) + 1e-15


@_prop
@given(M=_games_3x5, rows=st.permutations(range(3)), cols=st.permutations(range(5)))
def test_permutations_permute_strategies(M, rows, cols):
    rows, cols = np.asarray(rows), np.asarray(cols)
    base, perm = _solve(M), _solve(M[rows][:, cols])
    assert float(perm.value) == pytest.approx(float(base.value), abs=_atol(M))
    # Un-permuted, the strategies are optimal in M (equilibria need not be unique here) ...
    x, y = np.zeros(3), np.zeros(5)
    x[rows], y[cols] = np.asarray(perm.row_strategy), np.asarray(perm.col_strategy)
    assert duality_gap(M, x, y) <= 1e-9 * np.ptp(M) + 1e-15


def test_permutations_permute_unique_equilibrium():
    # ... and where the equilibrium is unique (random continuous payoffs) they are exactly it.
    rng = np.random.default_rng(4)
    Ms = _random_games(4, 4, 3, 5)
    for M in Ms:
        rows, cols = rng.permutation(3), rng.permutation(5)
        base, perm = _solve(M), _solve(M[rows][:, cols])
        np.testing.assert_allclose(perm.row_strategy, np.asarray(base.row_strategy)[rows],
                                   atol=1e-12)
        np.testing.assert_allclose(perm.col_strategy, np.asarray(base.col_strategy)[cols],
                                   atol=1e-12)


# --------------------------------------------------------------------- degenerate input


def test_degenerate_games_still_certify():
    deg = _degenerate_games()
    # All payoffs equal: every strategy pair is optimal, gap exactly 0.
    sol = bj.solve_zero_sum(jnp.asarray(deg["const"]))
    assert float(sol.value) == pytest.approx(0.7, abs=1e-15)
    assert float(sol.certificate) == 0.0 and int(sol.status) == 0
    # Duplicated rows and columns: same value as the game without them.
    sol = bj.solve_zero_sum(jnp.asarray(deg["dup"]))
    _assert_certified(deg["dup"], sol)
    assert float(sol.value) == pytest.approx(lp_value(deg["dup_of"]).value, abs=1e-10)
    # Strictly dominated row 2 and column 4 get no weight.
    sol = bj.solve_zero_sum(jnp.asarray(deg["dom"]))
    _assert_certified(deg["dom"], sol)
    assert float(sol.row_strategy[2]) < 1e-12 and float(sol.col_strategy[4]) < 1e-12
    assert float(sol.value) == pytest.approx(lp_value(deg["dom"]).value, abs=1e-10)


# ---------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("M", "kwargs", "name"),
    [
        (np.ones(3), {}, "`M`"),
        (np.ones((2, 2, 2)), {}, "`M`"),
        (np.ones((0, 3)), {}, "`M`"),
        (np.ones((3, 0)), {}, "`M`"),
        (np.array([[1.0, np.nan], [0.0, 1.0]]), {}, "`M`"),
        (np.array([[1.0, np.inf], [0.0, 1.0]]), {}, "`M`"),
        (np.array([["a", "b"]]), {}, "`M`"),
        (np.eye(2), {"method": "newton"}, "`method`"),
        (np.eye(2), {"tol": 0.0}, "`tol`"),
        (np.eye(2), {"tol": -1e-3}, "`tol`"),
        (np.eye(2), {"tol": float("nan")}, "`tol`"),
        (np.eye(2), {"max_steps": -1}, "`max_steps`"),
        (np.eye(2), {"check_every": 0}, "`check_every`"),
    ],
)
def test_bad_input_raises(M, kwargs, name):
    with pytest.raises(ValueError, match=name):
        bj.solve_zero_sum(M, **kwargs)


@pytest.mark.parametrize(
    ("temperature", "kwargs", "name"),
    [
        (0.0, {}, "`temperature`"),
        (-0.1, {}, "`temperature`"),
        (float("nan"), {}, "`temperature`"),
        (np.ones(2), {}, "`temperature`"),
        (0.1, {"tol": 0.0}, "`tol`"),
        (0.1, {"max_steps": -2}, "`max_steps`"),
    ],
)
def test_entropic_bad_input_raises(temperature, kwargs, name):
    with pytest.raises(ValueError, match=name):
        bj.solve_zero_sum_entropic(np.eye(2), temperature, **kwargs)
    with pytest.raises(ValueError, match="`M`"):
        bj.solve_zero_sum_entropic(np.ones(3), 0.1)


# ---------------------------------------------------------------------- entropic game


def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def _entropy(p):
    p = np.asarray(p, np.float64)
    return -np.sum(p * np.log(np.where(p > 0, p, 1.0)))


def test_entropic_fixed_point_value_and_temperature_limit():
    # One batch over (game, τ) pairs, τ from 1 down to 2e-4 (x the payoff range <= 2); 3x5
    # exercises the m < k Schur complement (the derivative test below uses 4x3).
    games = _random_games(31, 3, 3, 5)
    taus = np.array([1.0, 0.1, 1e-2, 1e-3, 2e-4])
    Ms = np.repeat(games, len(taus), axis=0)
    ts = np.tile(taus, len(games))
    sols = _np(jax.vmap(lambda M, t: bj.solve_zero_sum_entropic(M, t, max_steps=200))(
        jnp.asarray(Ms), jnp.asarray(ts)))
    assert np.all(np.asarray(sols.status) == 0), np.asarray(sols.status)
    assert np.all(np.asarray(sols.residual) <= np.asarray(sols.tol))
    for i, (M, tau) in enumerate(zip(Ms, ts)):
        x, y = np.asarray(sols.row_strategy[i]), np.asarray(sols.col_strategy[i])
        # The logit fixed point (to the residual amplified by 1/τ).
        atol = 4 * float(sols.tol[i]) * np.ptp(M) / tau + 1e-12
        np.testing.assert_allclose(x, _softmax(M @ y / tau), atol=atol)
        np.testing.assert_allclose(y, _softmax(-(x @ M) / tau), atol=atol)
        value = x @ M @ y + tau * (_entropy(x) - _entropy(y))
        assert float(sols.value[i]) == pytest.approx(value, abs=1e-12)
        # The documented limits: value within τ max(log m, log k) of val(M), and (x, y) a
        # τ (log m + log k)-equilibrium of M.
        assert abs(value - lp_value(M).value) <= tau * np.log(5) + 1e-9
        gap = duality_gap(M, x, y)
        assert gap <= tau * (np.log(3) + np.log(5)) + 1e-8
        assert float(sols.duality_gap[i]) == pytest.approx(gap / np.ptp(M), abs=1e-12)


def test_entropic_matching_pennies_is_uniform():
    sol = bj.solve_zero_sum_entropic(jnp.array([[1.0, -1.0], [-1.0, 1.0]]), 0.3)
    np.testing.assert_allclose(sol.row_strategy, [0.5, 0.5], atol=1e-12)
    np.testing.assert_allclose(sol.col_strategy, [0.5, 0.5], atol=1e-12)
    assert float(sol.value) == pytest.approx(0.0, abs=1e-12)
    assert int(sol.status) == 0


def test_entropic_float32():
    Ms = _random_games(43, 8, 3, 5, np.float32)
    tau = 0.1
    sols = _np(jax.vmap(lambda M: bj.solve_zero_sum_entropic(M, jnp.float32(tau)))(
        jnp.asarray(Ms)))
    assert sols.row_strategy.dtype == jnp.float32
    assert np.all(np.asarray(sols.status) == 0)
    for M, x, y in zip(Ms.astype(np.float64), sols.row_strategy, sols.col_strategy):
        x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
        np.testing.assert_allclose(x, _softmax(M @ y / tau), atol=1e-5)
        np.testing.assert_allclose(y, _softmax(-(x @ M) / tau), atol=1e-5)


_GAME_4x3 = _random_games(53, 1, 4, 3)[0]


def test_entropic_jit_vmap_over_temperature():
    M = jnp.asarray(_GAME_4x3)
    taus = jnp.array([0.5, 0.1, 0.05])
    batched = _np(jax.jit(jax.vmap(lambda t: bj.solve_zero_sum_entropic(M, t)))(taus))
    for i, t in enumerate(taus):
        single = bj.solve_zero_sum_entropic(M, t)
        for name, u, w in zip(single._fields, single, _unbatch(batched, i)):
            np.testing.assert_allclose(u, w, rtol=1e-10, atol=1e-12, err_msg=name)


def _entropic_outputs(A, t):
    sol = bj.solve_zero_sum_entropic(A, t)
    return jnp.concatenate([sol.row_strategy, sol.col_strategy, sol.value[None]])


def test_entropic_derivatives_match_finite_differences():
    M, tau = _GAME_4x3, 0.2
    J_M, J_tau = jax.jacfwd(_entropic_outputs, argnums=(0, 1))(jnp.asarray(M), jnp.asarray(tau))
    fd_M = finite_difference(
        lambda A: np.asarray(_entropic_outputs(jnp.asarray(A), tau)), M, eps=1e-6)
    fd_tau = finite_difference(
        lambda t: np.asarray(_entropic_outputs(jnp.asarray(M), jnp.asarray(t))),
        np.asarray(tau), eps=1e-6)
    np.testing.assert_allclose(J_M, fd_M, atol=1e-7)
    np.testing.assert_allclose(J_tau, fd_tau, atol=1e-7)
    # Reverse mode (the implicit tangent map transposed) agrees with forward mode.
    J_rev = jax.jacrev(_entropic_outputs)(jnp.asarray(M), jnp.asarray(tau))
    np.testing.assert_allclose(J_rev, J_M, atol=1e-12)
    # Envelope theorem: the value's gradient is x yᵀ and its τ-derivative H(x) - H(y).
    sol = bj.solve_zero_sum_entropic(M, tau)
    x, y = np.asarray(sol.row_strategy), np.asarray(sol.col_strategy)
    np.testing.assert_allclose(J_M[-1], np.outer(x, y), atol=1e-10)
    assert float(J_tau[-1]) == pytest.approx(_entropy(x) - _entropy(y), abs=1e-8)
