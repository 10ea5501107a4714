"""Nash's threat point as a JAX function: jit, vmap, grad, and the jitted deviation check."""

import jax
import jax.numpy as jnp
import numpy as np

import bargainjax as bj
from bargainjax.bargaining._threat import nbs_two_player, threat_deviation_gains, threat_point

P1 = np.array([[4.0, 2.0, -4.0], [5.0, 3.0, -3.0]])  # report Example 60, rows b1, b2
P2 = np.array([[4.0, 5.0, 2.0], [2.0, 3.0, 2.0]])
EX60 = np.stack([P1, P2])
# Mixed optimal threats on the edge (4,0)-(0,2) (tests/test_threat.py, closed form).
MIXED = np.stack([np.array([[4.0, 0.0], [0.0, -1.0]]), np.array([[0.0, 2.0], [0.0, -1.0]])])


def test_jit_matches_eager_and_check_under_jit():
    ref = threat_point(EX60)
    tp = jax.jit(threat_point)(jnp.asarray(EX60))
    assert int(tp.status) == int(ref.status) == bj.Status.SUCCESSFUL and bool(tp.is_threat_point)
    for a, b in [(tp.disagreement, ref.disagreement), (tp.payoffs, ref.payoffs),
                 (tp.weights, ref.weights), (tp.threats[0], ref.threats[0]),
                 (tp.threats[1], ref.threats[1])]:
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-12)
    # The no-profitable-threat-change check, jitted: passes at the threat point ...
    check = jax.jit(threat_deviation_gains)
    gains = np.asarray(check(jnp.asarray(EX60), ref.threats))
    assert gains.shape == (2,) and np.all(gains <= 1e-12)
    assert max(float(np.max(gains)), 0.0) <= float(ref.certificate) + 1e-15
    # ... and fails at uniform threats, where the row player gains by threatening b2.
    uniform = (jnp.full(2, 0.5), jnp.full(3, 1 / 3))
    assert float(check(jnp.asarray(EX60), uniform)[0]) > 1e-3


def test_pure_deviation_check_is_exact_over_mixed_deviations():
    # NBS_1 is quasi-linear in d, so no mixed deviation beats the best pure one.
    rng = np.random.default_rng(5)
    G = rng.normal(size=(2, 3, 3))
    A, B = G
    P = np.stack([A.ravel(), B.ravel()], 1)
    x, y = rng.dirichlet(np.ones(3)), rng.dirichlet(np.ones(3))
    gains = np.asarray(threat_deviation_gains(G, (x, y)))
    nbs = jax.jit(jax.vmap(lambda d: nbs_two_player(P, d).payoffs))
    u = np.asarray(nbs_two_player(P, [x @ A @ y, x @ B @ y]).payoffs)
    half = (P.max(0) - P.min(0)) / 2
    xs = rng.dirichlet(np.ones(3), size=200)
    d1 = np.stack([xs @ A @ y, xs @ B @ y], 1)
    ys = rng.dirichlet(np.ones(3), size=200)
    d2 = np.stack([x @ A @ ys.T, x @ B @ ys.T], 1)
    mixed = [np.max(np.asarray(nbs(d1))[:, 0] - u[0]) / half[0],
             np.max(np.asarray(nbs(d2))[:, 1] - u[1]) / half[1]]
    # gains are in units of each player's payoff range (half the unit-coordinate difference)
    np.testing.assert_array_less(np.asarray(mixed) / 2, gains + 1e-12)


def test_vmap_over_games():
    rng = np.random.default_rng(7)
    games = np.concatenate([EX60[None], rng.normal(size=(3, 2, 2, 3))])
    batch = jax.vmap(threat_point)(jnp.asarray(games))
    assert batch.payoffs.shape == (4, 2) and batch.threats[1].shape == (4, 3)
    for i, G in enumerate(games):
        ref = threat_point(G)
        assert int(batch.status[i]) == int(ref.status)
        np.testing.assert_allclose(np.asarray(batch.payoffs[i]), np.asarray(ref.payoffs),
                                   atol=1e-10)
        np.testing.assert_allclose(np.asarray(batch.disagreement[i]),
                                   np.asarray(ref.disagreement), atol=1e-10)
        np.testing.assert_allclose(float(batch.certificate[i]), float(ref.certificate),
                                   atol=1e-12)


def test_grad_of_threat_payoff_matches_finite_differences():
    # A generic perturbation of the mixed-threat game: the answer lies inside an edge and both
    # threats are mixed, so the payoffs are differentiable (module docstring "Derivatives").
    G = MIXED + 0.05 * np.random.default_rng(3).normal(size=MIXED.shape)
    tp = threat_point(G)
    assert int(tp.status) == bj.Status.SUCCESSFUL
    assert np.all(np.asarray(tp.threats[0]) > 1e-3) and np.all(np.asarray(tp.threats[1]) > 1e-3)
    for player in (0, 1):
        f = lambda U, i=player: threat_point(U).payoffs[i]  # noqa: E731
        g = np.asarray(jax.grad(f)(jnp.asarray(G)))
        h = 1e-6
        fd = np.zeros_like(G)
        for idx in np.ndindex(G.shape):
            e = np.zeros_like(G)
            e[idx] = h
            fd[idx] = (float(f(jnp.asarray(G + e))) - float(f(jnp.asarray(G - e)))) / (2 * h)
        np.testing.assert_allclose(g, fd, atol=1e-6)
