"""Tests of the CoCo equilibrium (the post): `coco_equilibrium`, `coco_equilibria`.

The two-player oracle below is independent of the library (numpy/scipy only): it enumerates the
Pareto frontier of conv(points), tests each frontier edge's normal in closed form and bisects
each frontier vertex's normal-cone interval.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import coco_value_oracle
from scipy.optimize import linprog

import bargainjax as bj
from bargainjax.coalitions._equilibrium import coco_equilibrium
from bargainjax.experimental import coco_equilibria

SUCCESS = int(bj.Status.SUCCESSFUL)
DEGENERATE = int(bj.Status.DEGENERATE)


# ------------------------------------------------------------------- independent 2-player oracle


def _val(M):
    """Value of the zero-sum game max_x min_y x^T M y (scipy linprog)."""
    m, k = M.shape
    c = np.zeros(m + 1)
    c[-1] = -1.0
    A_ub = np.hstack([-M.T, np.ones((k, 1))])
    A_eq = np.hstack([np.ones((1, m)), np.zeros((1, 1))])
    res = linprog(c, A_ub=A_ub, b_ub=np.zeros(k), A_eq=A_eq, b_eq=[1.0],
                  bounds=[(0, None)] * m + [(None, None)], method="highs")
    return -res.fun


def _p(A, B, t):
    """p(a) = φ(a)/a with the Kalai-Kalai closed form for a = (t, 1 - t)."""
    a1, a2 = t, 1.0 - t
    coop = np.max(a1 * A + a2 * B) / 2
    v = _val((a1 * A - a2 * B) / 2)
    return np.array([(coop + v) / a1, (coop - v) / a2])


def oracle_two_player(A, B):
    """All CoCo equilibria (t, u) of the bimatrix game (A, B) with 0 < t < 1."""
    P = np.stack([A.ravel(), B.ravel()], axis=1)
    scale = max(np.ptp(P), 1.0)
    # frontier edges: normals of pairs supporting the hull, with positive components
    normals = []
    for i in range(len(P)):
        for j in range(len(P)):
            d = P[j] - P[i]
            if d[0] > 1e-12 and d[1] < -1e-12:
                a = np.array([-d[1], d[0]])
                a /= a.sum()
                if np.all(P @ a <= P[i] @ a + 1e-12 * scale) and not any(abs(a[0] - b) < 1e-12 for b in normals):
                    normals.append(a[0])
    normals.sort()
    sols = []
    for t in normals:  # edges
        a = np.array([t, 1 - t])
        s = P @ a
        face = P[s >= s.max() - 1e-12 * scale]
        p = _p(A, B, t)
        if face[:, 0].min() - 1e-9 * scale <= p[0] <= face[:, 0].max() + 1e-9 * scale:
            sols.append((t, p))
    # frontier vertices with their normal-cone intervals
    bounds = [1e-9] + normals + [1 - 1e-9]
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        mid = 0.5 * (lo + hi)
        a = np.array([mid, 1 - mid])
        v = P[np.argmax(P @ a)]
        h = lambda t: _p(A, B, t)[0] - v[0]  # noqa: E731
        hl, hh = h(lo), h(hi)
        if hl * hh > 0:
            continue
        for _ in range(80):
            m = 0.5 * (lo + hi)
            if h(m) * hl > 0:
                lo = m
            else:
                hi = m
        t = 0.5 * (lo + hi)
        if np.max(np.abs(_p(A, B, t) - v)) < 1e-6 * scale:
            sols.append((t, v.copy()))
    return sols


def _matches(res, sols, scale, atol=1e-6):
    return any(np.max(np.abs(res.payoffs - u)) <= atol * scale for _, u in sols)


# --------------------------------------------------------------------------------- n = 2


def test_random_two_player_against_oracle():
    rng = np.random.default_rng(1)
    for _ in range(20):
        U = rng.integers(-5, 6, size=(2, 3, 3)).astype(float)
        res = coco_equilibrium(U)
        sols = oracle_two_player(U[0], U[1])
        scale = np.ptp(U)
        assert res.status in (SUCCESS, DEGENERATE)
        assert res.certificate <= 1e-6
        assert abs(res.weights.sum() - 1) < 1e-12
        # the payoffs equal the mixture's and the face kind matches
        P = U.reshape(2, -1).T
        np.testing.assert_allclose(P.T @ res.mixture, res.payoffs, atol=1e-9 * scale)
        assert res.face in ("vertex", "edge")
        if res.status == SUCCESS:
            assert sols, "oracle found no equilibrium"
            assert _matches(res, sols, scale), (res.payoffs, sols)
            # Nash (1953): two-player equilibria are unique in payoffs
            us = np.array([u for _, u in sols])
            assert np.ptp(us, axis=0).max() <= 1e-6 * scale


def test_report_example_60():
    # Seed report (002) Example 60, Table 6(a): rows b1, b2, columns a1..a3, entries "x, y".
    # The printed numbers fix the reading: the FIRST number belongs to the ROW (b) player.  Only
    # then is (3, 3) at (b2, a2) a Nash equilibrium as the report says (read the other way, the
    # column player would switch to a1 for 5), and only then is (-3, 2) at (b2, a3) a threat
    # point.  So the report's "player 1" is the row player; its text's "actions a_1..a_3 and
    # b_1, b_2, respectively" swaps the labels.
    T1 = np.array([[4.0, 2, -4], [5, 3, -3]])  # row player's payoffs (first numbers)
    T2 = np.array([[4.0, 5, 2], [2, 3, 2]])    # column player's payoffs (second numbers)
    U = np.stack([T1, T2])  # (2, |A_1| = 2, |A_2| = 3)
    game = bj.normal_form_game(U)
    # The report's NBS for d = (-3, 2): (5.5, 2.75) in Table 6(b)'s normalised units, i.e.
    # (2.5, 4.75) in Table 6(a)'s.
    nbs = bj.nash_bargaining(bj.correlated_set(game), np.array([-3.0, 2.0]))
    np.testing.assert_allclose(np.asarray(nbs.payoffs), [2.5, 4.75], atol=1e-6)
    np.testing.assert_allclose(np.asarray(nbs.payoffs) - [-3.0, 2.0], [5.5, 2.75], atol=1e-6)
    # For two players the CoCo equilibrium is Nash's variable-threat solution: the same point,
    # on the edge (2, 5)-(4, 4) with normal a = (1/3, 2/3), threats b2 and a3.
    res = coco_equilibrium(game)
    assert res.status == SUCCESS
    np.testing.assert_allclose(res.payoffs, [2.5, 4.75], atol=1e-9)
    np.testing.assert_allclose(res.weights, [1 / 3, 2 / 3], atol=1e-9)
    assert res.face == "edge"
    sols = oracle_two_player(U[0], U[1])
    assert _matches(res, sols, 9.0)
    # threats: coalition {1} (bitmask 1) plays b2, {2} (bitmask 2) plays a3
    np.testing.assert_allclose(res.threat_strategies[1], [0, 1], atol=1e-9)
    np.testing.assert_allclose(res.threat_strategies[2], [0, 0, 1], atol=1e-9)
    # Read the other way (first number to the column player) the solution would be the vertex
    # (4, 4): that reading contradicts the report's own Nash equilibrium, so it is not the game.
    other = coco_equilibrium(bj.normal_form_game(np.stack([T1.T, T2.T])))
    np.testing.assert_allclose(other.payoffs, [4.0, 4.0], atol=1e-9)


def test_zero_sum():
    A = np.array([[1.0, -2, 3], [0, 2, -1], [4, -3, 0]])
    res = coco_equilibrium(np.stack([A, -A]))
    v = _val(A)
    assert res.status == SUCCESS
    np.testing.assert_allclose(res.weights, [0.5, 0.5], atol=1e-12)
    np.testing.assert_allclose(res.payoffs, [v, -v], atol=1e-9)
    assert res.face == "edge" and res.face_dimension == 1


def test_common_interest():
    rng = np.random.default_rng(3)
    C = rng.integers(0, 10, size=(3, 3)).astype(float)
    C[1, 2] = 12.0  # unique maximum
    res = coco_equilibrium(np.stack([C, C]))
    assert res.status == SUCCESS
    np.testing.assert_allclose(res.payoffs, [12.0, 12.0], atol=1e-9)
    assert res.face == "vertex"


def test_banana_game():
    # U_1 = [[2,2],[0,4]], U_2 = 0: CoCo value (3, 1) in curnits at a = 1.  F is the segment
    # [0, 4] x {0}; for a > 0 the face is the vertex (4, 0) but p(a) = (3, a_1/a_2 ... ) has
    # p_1 = 3: no equilibrium with a > 0.  It exists only in the limit a_1 -> 0, where the face
    # is the whole segment and u = (3, 0); the solver certifies it at a_1 ~ 1e-12 and flags
    # DEGENERATE.
    U = np.array([[[2.0, 2], [0, 4]], [[0.0, 0], [0, 0]]])
    res = coco_equilibrium(U)
    assert res.status == DEGENERATE
    assert res.weights[0] < 1e-9
    np.testing.assert_allclose(res.payoffs, [3.0, 0.0], atol=1e-9)
    assert res.certificate < 1e-9


def test_transferable_utility():
    rng = np.random.default_rng(4)
    for shape in [(2, 3, 3), (3, 2, 2, 2)]:
        U = rng.normal(size=shape)
        res = coco_equilibrium(U, transferable_utility=True)
        n = shape[0]
        assert res.status == SUCCESS
        np.testing.assert_allclose(res.weights, np.full(n, 1 / n))
        np.testing.assert_allclose(res.payoffs, np.asarray(bj.coco_value(U).value), atol=1e-9)


def _bargaining_game(outcomes, d):
    """Player 1 proposes one of the outcomes (or rejects, the last action); player 2 accepts
    (action 0) or rejects; rejection by either gives d."""
    K = len(outcomes)
    U = np.empty((2, K + 1, 2))
    U[:, :, 1] = d[:, None]
    U[:, K, 0] = d
    U[:, :K, 0] = np.asarray(outcomes).T
    return U


def test_bargaining_game_is_nbs():
    rng = np.random.default_rng(5)
    for _ in range(4):  # K = 2 outcomes: the (2, 3, 2) shape of Example 60 (compiled once)
        outcomes = rng.uniform(0, 10, size=(2, 2))
        d = rng.uniform(-2, 2, size=2)
        U = _bargaining_game(outcomes, d)
        res = coco_equilibrium(U)
        nbs = bj.nash_bargaining(bj.correlated_set(bj.normal_form_game(U)), d)
        assert res.status == SUCCESS
        np.testing.assert_allclose(res.payoffs, np.asarray(nbs.payoffs), atol=1e-5)


def test_affine_invariance_two_player():
    rng = np.random.default_rng(6)
    for _ in range(5):
        U = rng.integers(-5, 6, size=(2, 3, 3)).astype(float)
        c = rng.uniform(0.5, 3, size=2)
        b = rng.uniform(-3, 3, size=2)
        V = c[:, None, None] * U + b[:, None, None]
        r1, r2 = coco_equilibrium(U), coco_equilibrium(V)
        if r1.status != SUCCESS:
            continue
        assert r2.status == SUCCESS
        np.testing.assert_allclose(r2.payoffs, c * r1.payoffs + b, atol=1e-7 * np.ptp(V))
        w = r1.weights / c
        np.testing.assert_allclose(r2.weights, w / w.sum(), rtol=1e-6, atol=1e-9)


# --------------------------------------------------------------------------------- n = 3


def test_three_player_certificates_and_invariance():
    # Measured (single start, 2x2x2 normal payoffs): 98/100 certified at tol 1e-6, median
    # certificate ~3e-17; multi-start + face enumeration certified the rest.  One batched call.
    rng = np.random.default_rng(0)
    tol = 1e-6
    total = 10
    Us = rng.normal(size=(total, 3, 2, 2, 2))
    batch = jax.vmap(lambda U: coco_equilibrium(U, tol=tol))(jnp.asarray(Us))
    status = np.asarray(batch.status)
    # never SUCCESSFUL above tol, always SUCCESSFUL-or-honest
    ok = (np.asarray(batch.certificate) <= tol) & (np.asarray(batch.weights).min(axis=1) >= 1e-8)
    np.testing.assert_array_equal(status == SUCCESS, ok)
    assert np.sum(status == SUCCESS) >= total - 2
    for k in range(total):
        U = Us[k]
        res = jax.tree.map(lambda x, k=k: np.asarray(x)[k], batch)
        if res.status != SUCCESS:
            R = coco_equilibria(U, num_starts=4, tol=tol)
            assert R.num_certified >= 1
            res = R.solutions[0]
        assert res.certificate <= tol
        P = U.reshape(3, -1).T
        phi = np.asarray(bj.coco_value(U, res.weights).value)
        np.testing.assert_allclose(res.weights * res.payoffs, phi, atol=1e-5)
        np.testing.assert_allclose(P.T @ res.mixture, res.payoffs, atol=1e-5)
        assert np.max(P @ res.weights) - res.weights @ res.payoffs <= 1e-5
        if k < 2:  # affine invariance: started at the mapped weights, the mapped solution
            c = rng.uniform(0.5, 2, size=3)
            b = rng.uniform(-1, 1, size=3)
            V = c[:, None, None, None] * U + b[:, None, None, None]
            w = res.weights / c
            r2 = coco_equilibrium(V, initial_weights=w / w.sum())
            assert r2.status == SUCCESS
            np.testing.assert_allclose(r2.payoffs, c * res.payoffs + b, atol=1e-5)


def _fd_jacobian(f, U, h=1e-6):
    J = np.zeros(np.shape(f(U)) + U.shape)
    for idx in np.ndindex(*U.shape):
        E = np.zeros(U.shape)
        E[idx] = h
        J[(slice(None),) + idx] = (np.asarray(f(U + E)) - np.asarray(f(U - E))) / (2 * h)
    return J


@pytest.mark.parametrize("shape", [(2, 3, 3), pytest.param((3, 2, 2, 2), marks=pytest.mark.slow)])
def test_gradients_match_finite_differences(shape):
    # implicit differentiation of the face system vs central differences of the solver itself
    rng = np.random.default_rng(1)
    U = rng.normal(size=shape)
    res = coco_equilibrium(U)
    assert res.status == SUCCESS  # generic random game: away from kinks

    def f(V):
        r = coco_equilibrium(V)
        return jnp.concatenate([r.payoffs, r.weights])

    J = np.asarray(jax.jacfwd(f)(jnp.asarray(U)))
    np.testing.assert_allclose(J, _fd_jacobian(f, U), atol=1e-7)
    g = np.asarray(jax.grad(lambda V: coco_equilibrium(V).payoffs[0])(jnp.asarray(U)))
    np.testing.assert_allclose(g, J[0], atol=1e-12)


def test_jit_and_vmap_agree_with_eager():
    rng = np.random.default_rng(2)
    Us = rng.normal(size=(4, 2, 3, 3))
    batch = jax.jit(jax.vmap(coco_equilibrium))(jnp.asarray(Us))
    for k in range(4):
        one = coco_equilibrium(Us[k])
        np.testing.assert_allclose(np.asarray(batch.payoffs)[k], one.payoffs, atol=1e-12)
        np.testing.assert_allclose(np.asarray(batch.weights)[k], one.weights, atol=1e-12)
        assert int(np.asarray(batch.status)[k]) == int(one.status)


@pytest.mark.slow  # heavy compile; runs in the CI slow step
def test_three_player_bargaining_game_is_nbs():
    # player 1 proposes one of K = 2 outcomes or rejects (action K); players 2 and 3 each accept
    # (action 0) or reject; any rejection gives d.  The proposer's own reject action matters:
    # without it player 1 cannot force d alone, the coalition threats move away from d, and
    # the equilibrium need not be the NBS (a counterexample showed a 1.86 gap).
    rng = np.random.default_rng(5)
    for _ in range(2):
        K = 2
        outcomes = rng.uniform(0, 10, size=(K, 3))
        d = rng.uniform(-2, 2, size=3)
        U = np.empty((3, K + 1, 2, 2))
        U[:] = d[:, None, None, None]
        U[:, :K, 0, 0] = outcomes.T
        res = coco_equilibrium(U)
        nbs = bj.nash_bargaining(bj.correlated_set(bj.normal_form_game(U)), d)
        assert res.status == SUCCESS
        np.testing.assert_allclose(res.payoffs, np.asarray(nbs.payoffs), atol=1e-5)


@pytest.mark.slow  # heavy compile; runs in the CI slow step
def test_coco_equilibria_multistart():
    rng = np.random.default_rng(11)
    U = rng.normal(size=(3, 2, 2, 2))
    R = coco_equilibria(U, num_starts=3, tol=1e-6)
    assert R.num_starts == 3 and R.num_certified >= 1
    for s in R.solutions:
        assert s.status == SUCCESS and s.certificate <= 1e-6
    us = np.array([s.payoffs for s in R.solutions])
    assert R.multiple == (len(us) > 1)
    # two players: one solution (Nash 1953)
    R2 = coco_equilibria(rng.integers(-3, 4, size=(2, 3, 3)).astype(float))
    assert len(R2.solutions) == 1 and not R2.multiple


def test_single_point_and_bad_input():
    U = np.ones((2, 2, 2))
    res = coco_equilibrium(U)
    assert res.status == SUCCESS and res.face == "point"
    np.testing.assert_allclose(res.payoffs, [1.0, 1.0])
    with pytest.raises(ValueError):
        coco_equilibrium(np.ones((3, 2, 2)))
    with pytest.raises(ValueError):
        coco_equilibrium(np.ones((2, 2, 2)), tol=0.0)
    with pytest.raises(ValueError):
        coco_equilibrium(np.full((2, 2, 2), np.nan))
    with pytest.raises(ValueError):
        coco_equilibrium(np.ones((3, 2, 2, 2)), initial_weights=np.array([1.0, -1.0, 1.0]))


# A 2x2x2 game found by experiments/coco_uniqueness.py (seed 0, game 228) with two distinct
# CoCo equilibria on the same edge of F: non-uniqueness for n = 3 (the post leaves it open).
NON_UNIQUE_222 = np.array([
    -1.1883205244829733, -0.4546746103091034, 0.09847288365626092, 0.9824560008303272,
    0.6106977224089264, -0.16891042234057288, -0.18706619450283798, -0.8192190651197401,
    -1.4112162062734617, -0.9069537604364152, -0.06580777159989583, 0.22151620557900678,
    -0.21944487375719535, 0.288929309633805, 1.8080214198160955, 0.215666683209043,
    -0.30662016424484156, -0.11128940051992038, -2.0155181652820318, 0.5567978812931553,
    0.2294818339978609, 0.24413608407991888, -0.8898054288293535, -0.8078647033079692,
]).reshape(3, 2, 2, 2)


def _assert_equilibrium_by_oracle(U, solution):
    """``a ⊙ u = φ(a)`` with φ from HiGHS fight values, and ``u`` a mixture of the points of
    the maximising face of ``a`` (an LP): independent of the library's certificate."""
    P = U.reshape(U.shape[0], -1).T
    a, u = np.asarray(solution.weights), np.asarray(solution.payoffs)
    assert np.all(a > 0)
    np.testing.assert_allclose(a * u, coco_value_oracle(U, a)[0], atol=1e-9)
    face = P @ a >= np.max(P @ a) - 1e-9
    lp = linprog(np.zeros(int(face.sum())), A_eq=np.vstack([P[face].T, np.ones(int(face.sum()))]),
                 b_eq=np.append(u, 1.0), bounds=(0, None), method="highs")
    assert lp.status == 0


@pytest.mark.slow  # heavy compile; runs in the CI slow step
def test_three_player_game_with_two_equilibria():
    R = coco_equilibria(NON_UNIQUE_222, num_starts=8)
    assert R.multiple and len(R.solutions) >= 2
    for s in R.solutions:
        _assert_equilibrium_by_oracle(NON_UNIQUE_222, s)
    us = [np.asarray(s.payoffs) for s in R.solutions]
    assert np.max(np.abs(us[0] - us[1])) > 1e-2


# 2x2x2 games (seed 0, games 176 and 205 of experiments/coco_uniqueness.py) whose only
# equilibria found lie on an edge of F at weights far along the edge's weight family from the
# uniform start: every start stalled (certificates 0.024, 0.020) until the face finish started
# from the best projected grid point and cut steps at the boundary of a > 0 instead of
# stopping.  A scan of each edge with scipy found the same points (residual 5e-12).
EDGE_222 = np.array([
    [2.2792562264275538, 0.7349469038302376, 1.382798590891012, -0.7886935703490402,
     -1.4538069684296901, 0.48243377433642753, 0.16024893293655523, 0.5443034196733468,
     1.5466594768647637, 0.8543062668521177, -1.5474105458913645, -0.5101821499374615,
     -2.2065132133343393, 0.5470083934748569, -0.46524820708235615, -1.2707933266789955,
     0.35948817956383455, -1.1054290180599655, 1.00825971920278, 0.7170967046959333,
     2.234641044498409, -0.7527246846963376, 0.9545151962342889, -0.4509907433881551],
    [-0.47005889239477555, 0.8518501610860655, -0.08097066155128824, -1.0709636714836477,
     -0.3073023507720191, 1.2583897722178292, -1.0112371272103753, 0.03710579526816638,
     0.06885346048103753, 0.8729369304596774, -0.6644812729002213, 1.1498411985655645,
     -0.4781895021172918, 0.6932473930106466, 1.037814649024082, 1.7021374462025134,
     1.7546299648500399, -0.9830421772630477, 1.4362926238115572, -1.5261164621322951,
     -0.532092026300039, 0.26482155532445095, -1.3233121453213363, 0.0615871417685366],
    # seed 0, game 3552 of 4096: the residual along the edge's weight family has a spurious
    # local minimum (0.003) that the single best projected start chose; three starts per face.
    [0.1653234330165235, 1.0340024524166291, 0.6408303825857432, 0.8107356848692013,
     -0.8278970320640652, -0.9650802433340635, 0.08796224573020027, -0.6088715350913991,
     0.9590012180542435, 0.6030638061226901, -2.272207046351039, 0.6596458867361672,
     -1.6681523064015624, 0.7742514399251195, -0.9711748203026767, 0.3057059782882078,
     1.5498991473106967, -0.9746545200627427, 0.03346581835576482, 0.7863802577399616,
     -1.6459815660822583, -0.5118374141122313, 1.0106698751075565, 0.8542775153581164],
]).reshape(3, 3, 2, 2, 2)


@pytest.mark.parametrize("game, weights", [(0, [0.23280, 0.10120, 0.66600]),
                                           (1, [0.37820, 0.12897, 0.49283]),
                                           (2, [0.48800, 0.16365, 0.34835])])
def test_edge_equilibria_far_from_uniform_start(game, weights):
    U = EDGE_222[game]
    R = coco_equilibria(U, num_starts=4, key=jax.random.PRNGKey(0))
    assert R.num_certified >= 1
    for s in R.solutions:
        assert int(s.status) == SUCCESS and s.face == "edge"
        _assert_equilibrium_by_oracle(U, s)
    np.testing.assert_allclose(R.solutions[0].weights, weights, atol=1e-5)
