"""Nash's threat point (report Definition 57, Example 60; Nash 1953) — bargainjax.bargaining._threat."""

import numpy as np
import pytest

import bargainjax as bj
from bargainjax.bargaining._threat import nbs_two_player, pure_threat_points, threat_point

# Report Example 60, Table 6 (a).  The printed cells read "p, q" with columns a1..a3 and rows
# b1, b2.  The report's other printed numbers fix who gets which number: the Nash equilibrium
# (3, 3) is a pure equilibrium only if the *row* chooser (b) receives the first number p (then
# a2 is dominant for the column chooser, whose payoff is q, and b2 is the row reply); with the
# first number going to the a-player, a1 is dominant and the only equilibrium is (a1, b1) =
# (4, 4), and the threat point computed in that orientation is (4, 4) too (checked below), not
# the printed (-3, 2).  So "player 1" of the example (first coordinate, the one for whom the NBS
# is worse than the NE) is the row player b, although the text says player 1 has the a-actions.
P1 = np.array([[4.0, 2.0, -4.0], [5.0, 3.0, -3.0]])  # rows b1, b2; columns a1, a2, a3
P2 = np.array([[4.0, 5.0, 2.0], [2.0, 3.0, 2.0]])
EX60 = np.stack([P1, P2])


def test_example_60_threat_point():
    tp = threat_point(EX60)
    assert tp.is_threat_point and tp.status == bj.Status.SUCCESSFUL and tp.certificate <= tp.tol
    np.testing.assert_allclose(tp.disagreement, [-3.0, 2.0], atol=1e-9)  # report: (-3, 2)
    np.testing.assert_allclose(tp.threats[0], [0.0, 1.0], atol=1e-9)  # b2
    np.testing.assert_allclose(tp.threats[1], [0.0, 0.0, 1.0], atol=1e-9)  # a3
    # NBS in the game's own units: (2.5, 4.75).  The report prints (5.5, 2.75): that is the NBS
    # in the *normalised* payoffs of Table 6 (b) (u - d), not in Table 6 (a)'s units.
    np.testing.assert_allclose(tp.payoffs, [2.5, 4.75], atol=1e-9)
    np.testing.assert_allclose(tp.payoffs - tp.disagreement, [5.5, 2.75], atol=1e-9)
    np.testing.assert_allclose(tp.weights, [1 / 3, 2 / 3], atol=1e-9)  # frontier (2,5)-(4,4)
    assert tp.max_improvement <= 1e-9 and tp.zero_sum_gap <= 1e-9
    # Table 6 (b) = Table 6 (a) minus the threat point, as printed.
    np.testing.assert_allclose(P1 - tp.disagreement[0], [[7, 5, -1], [8, 6, 0]])
    np.testing.assert_allclose(P2 - tp.disagreement[1], [[2, 3, 0], [0, 1, 0]])
    # (b2, a2) = (3, 3) is a pure Nash equilibrium and the NBS is worse for player 1 than it.
    assert P1[1, 1] == P1[:, 1].max() and P2[1, 1] == P2[1].max()
    assert tp.payoffs[0] < 3.0 < tp.payoffs[1]


def test_example_60_other_orientation_gives_a_different_point():
    tp = threat_point(np.stack([P1.T, P2.T]))  # a-player picks rows and gets the first number
    assert tp.is_threat_point
    np.testing.assert_allclose(tp.disagreement, [4.0, 4.0], atol=1e-9)


def test_example_60_pure_threat_points():
    res = pure_threat_points(EX60)
    assert res.profiles == [(1, 2)]  # (b2, a3) is the only pure threat point
    np.testing.assert_allclose(res.payoffs, [[2.5, 4.75]], atol=1e-9)


def test_closed_form_mixed_threats():
    # Frontier: segment (4,0)-(0,2), normal a = (1/3, 2/3); threat game (A - 2B)/3 =
    # [[4/3, -4/3], [0, 1/3]] has the mixed saddle x = (1/9, 8/9), y = (5/9, 4/9), value 4/27;
    # u = ((h+v)/(2 a1), (h-v)/(2 a2)) with h = 4/3: (20/9, 8/9); d = (-4/27, -8/27).
    A = np.array([[4.0, 0.0], [0.0, -1.0]])
    B = np.array([[0.0, 2.0], [0.0, -1.0]])
    tp = threat_point(np.stack([A, B]))
    assert tp.is_threat_point
    np.testing.assert_allclose(tp.weights, [1 / 3, 2 / 3], atol=1e-9)
    np.testing.assert_allclose(tp.threats[0], [1 / 9, 8 / 9], atol=1e-9)
    np.testing.assert_allclose(tp.threats[1], [5 / 9, 4 / 9], atol=1e-9)
    np.testing.assert_allclose(tp.payoffs, [20 / 9, 8 / 9], atol=1e-9)
    np.testing.assert_allclose(tp.disagreement, [-4 / 27, -8 / 27], atol=1e-9)


def test_dominant_threats():
    # Row 2 and column 2 are each player's dominant threat for every normal t: they are the
    # worst outcome for the opponent and the best disagreement payoff for oneself.
    A = np.array([[3.0, 0.0], [1.0, 0.5]])
    B = np.array([[3.0, 1.0], [0.0, 0.5]])
    tp = threat_point(np.stack([A, B]))
    assert tp.is_threat_point
    np.testing.assert_allclose(tp.disagreement, [0.5, 0.5], atol=1e-9)
    np.testing.assert_allclose(tp.payoffs, [3.0, 3.0], atol=1e-9)


@pytest.mark.slow  # heavy compile; runs in the CI slow step
def test_zero_sum_game_threat_point_is_the_value():
    # B = -A: F is the line u1 + u2 = 0, all of it Pareto optimal; the threat point is the
    # minimax outcome and the NBS is the disagreement point itself.
    A = np.random.default_rng(2).normal(size=(3, 4))
    tp = threat_point(np.stack([A, -A]))
    v = float(bj.solve_zero_sum(A).value)
    # Nobody can strictly improve on a point of a line: the degenerate rule gives INFEASIBLE
    # (no raise), while the deviation check still passes.
    assert tp.status == bj.Status.INFEASIBLE
    assert tp.is_threat_point
    np.testing.assert_allclose(tp.disagreement, [v, -v], atol=1e-9)
    np.testing.assert_allclose(tp.payoffs, [v, -v], atol=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_random_3x3_no_profitable_deviation(seed):
    rng = np.random.default_rng(seed)
    G = rng.normal(size=(2, 3, 3))
    tp = threat_point(G)
    assert tp.is_threat_point and tp.max_improvement <= 1e-7
    A, B = G
    P = np.stack([A.ravel(), B.ravel()], 1)
    x, y = tp.threats
    # Mixed deviations too (the certificate only checks pure ones).
    for _ in range(20):
        xr, yr = rng.dirichlet(np.ones(3)), rng.dirichlet(np.ones(3))
        assert nbs_two_player(P, [xr @ A @ y, xr @ B @ y]).payoffs[0] <= tp.payoffs[0] + 1e-9
        assert nbs_two_player(P, [x @ A @ yr, x @ B @ yr]).payoffs[1] <= tp.payoffs[1] + 1e-9
    # Nash's threat solution is the two-player CoCo equilibrium at the same weights.
    cv = bj.coco_value(G, tp.weights)
    np.testing.assert_allclose(np.asarray(cv.value) / tp.weights, tp.payoffs, atol=1e-7)


@pytest.mark.parametrize("seed", range(1))
def test_nbs_two_player_matches_library(seed):
    rng = np.random.default_rng(10 + seed)
    P = rng.normal(size=(7, 2))
    d = P.mean(0) - 0.3
    ref = bj.nash_bargaining(bj.polytope(P), d)
    sol = nbs_two_player(P, d)
    assert int(sol.status) == 0 and sol.certificate <= sol.tol
    np.testing.assert_allclose(sol.payoffs, np.asarray(ref.payoffs), atol=1e-6)


def test_nbs_two_player_degenerate():
    P = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 0.0]])  # only player 1 can improve
    # The library's degenerate rule: no strict improvement for both => INFEASIBLE, no raise;
    # the payoffs follow the report's convention.
    sol = nbs_two_player(P, [0.0, 0.0])
    assert sol.status == bj.Status.INFEASIBLE
    np.testing.assert_allclose(sol.payoffs, [2.0, 0.0])
    sol = nbs_two_player(P, [5.0, 5.0])  # nobody can
    assert sol.status == bj.Status.INFEASIBLE
    np.testing.assert_allclose(sol.payoffs, [5.0, 5.0])


@pytest.mark.parametrize("seed,expected", [(0, []), (1, [(0, 1, 0), (0, 1, 1)])])
def test_pure_threat_points_three_players(seed, expected):
    # Seed 0 has no pure threat point (mixed threats would be needed; not searched for n > 2),
    # seed 1 has two (with the same NBS here).
    rng = np.random.default_rng(seed)
    G = rng.normal(size=(3, 2, 2, 2))
    res = pure_threat_points(G)
    outcomes = np.moveaxis(G, 0, -1).reshape(-1, 3)
    span = outcomes.max() - outcomes.min()
    assert res.max_improvement.shape == (8,)
    assert res.profiles == expected
    passing = [k for k in range(8) if res.improvements[k] <= 1e-6]
    assert (res.status == bj.Status.SUCCESSFUL) == bool(expected)
    assert [np.unravel_index(k, (2, 2, 2)) for k in passing] == expected
    if not expected:
        assert res.improvements.min() > 1e-4  # the best profile is reported, not passed
    for prof, d, u in zip(res.profiles, res.disagreements, res.payoffs):
        np.testing.assert_allclose(d, G[(slice(None),) + prof])
        for i in range(3):  # recheck every unilateral deviation
            for alt in range(2):
                q = list(prof)
                q[i] = alt
                k = np.ravel_multi_index(q, (2, 2, 2))
                assert res.nbs[k, i] <= u[i] + 1e-6 * span
    # Where every player can strictly improve, the NBS agrees with the library's solver (one
    # profile checked: the library solver compiles slowly).
    F = bj.polytope(outcomes)
    for k in range(8):
        d = outcomes[k]
        if np.all(outcomes.max(0) > d + 1e-6):
            try:
                ref = bj.nash_bargaining(F, d)
            except ValueError:
                continue
            if int(ref.status) == 0:
                np.testing.assert_allclose(res.nbs[k], np.asarray(ref.payoffs), atol=1e-5)
                break


def test_bad_input():
    with pytest.raises(ValueError, match="2 players"):
        threat_point(np.zeros((3, 2, 2, 2)))
    with pytest.raises(ValueError, match="game"):
        threat_point(np.array([[1.0, np.nan], [0.0, 1.0]])[None].repeat(2, 0))
    with pytest.raises(ValueError, match="tol"):
        threat_point(EX60, tol=-1.0)
    with pytest.raises(ValueError, match="max_iterations"):
        threat_point(EX60, max_iterations=0)
    with pytest.raises(ValueError, match="points"):
        nbs_two_player(np.zeros((3, 3)), [0.0, 0.0])
    with pytest.raises(ValueError, match="`d`"):
        nbs_two_player(np.zeros((3, 2)), [0.0, np.inf])
    with pytest.raises(ValueError, match="max_profiles"):
        pure_threat_points(np.zeros((2, 3, 3)), max_profiles=4)


# ------------------------------------------------ contract: scale, precision, degenerate rule

BOS = np.array([[3.0, 2.0], [2.0, 3.0], [0.0, 0.0]])  # Battle of the Sexes outcomes


@pytest.mark.parametrize("far", [1e3, 1e9, 1e100])
def test_nbs_two_player_far_d_is_right_or_honest(far):
    # True NBS from (-far, -far) is (2.5, 2.5) by symmetry.  Far d once returned a vertex as
    # certified; now the answer is certified and right, or the status says it cannot be.
    sol = nbs_two_player(BOS, [-far, -far])
    assert sol.status in (bj.Status.SUCCESSFUL, bj.Status.IMPRECISE)
    if sol.status == bj.Status.SUCCESSFUL:
        np.testing.assert_allclose(sol.payoffs, [2.5, 2.5], atol=1e-8)
    assert abs(sol.payoffs[0] - 2.5) <= 1e-6 * far + 1e-9 or sol.status != 0
    assert np.all(np.isfinite(sol.payoffs)) and np.isfinite(sol.tol)
    assert nbs_two_player(BOS, [-1e100, -1e100]).status == bj.Status.IMPRECISE


def test_nbs_two_player_d_on_the_frontier_is_infeasible():
    sol = nbs_two_player(BOS, [2.5, 2.5])  # on the segment (3,2)-(2,3): nothing improves both
    assert sol.status == bj.Status.INFEASIBLE
    np.testing.assert_allclose(sol.payoffs, [2.5, 2.5])


def test_huge_payoffs_do_not_overflow():
    # ranges near 1e308: max - min would be inf; per-player units keep everything finite
    sol = nbs_two_player(BOS * 3e307 - 1e308, [-1e308, -1e308])
    assert sol.status == bj.Status.SUCCESSFUL
    np.testing.assert_allclose(sol.payoffs / 3e307, ([2.5, 2.5] * np.array(3e307) - 1e308)
                               / 3e307, rtol=1e-12)
    tp = threat_point(EX60 * 1e307)
    assert tp.status == bj.Status.SUCCESSFUL and np.isfinite(tp.tol)
    np.testing.assert_allclose(tp.payoffs / 1e307, [2.5, 4.75], atol=1e-9)


def test_threat_point_per_player_units():
    # α = (1e-9, 1e9), β = (1e3, -5e17): the affine image with the same status and threats
    alpha, beta = np.array([1e-9, 1e9]), np.array([1e3 * 1e-9, -5e17])
    G = EX60 * alpha[:, None, None] + beta[:, None, None]
    tp, ref = threat_point(G), threat_point(EX60)
    assert tp.status == ref.status == bj.Status.SUCCESSFUL
    np.testing.assert_allclose((tp.payoffs - beta) / alpha, ref.payoffs, atol=1e-6)
    np.testing.assert_allclose((tp.disagreement - beta) / alpha, ref.disagreement, atol=1e-6)
    np.testing.assert_allclose(tp.threats[0], ref.threats[0], atol=1e-9)


@pytest.mark.parametrize("dtype", [np.float32, np.int32])
def test_threat_point_float32_and_integers(dtype):
    G = (EX60 * 4).astype(dtype)  # integers stay exact
    tp = threat_point(G)
    assert tp.status in (bj.Status.SUCCESSFUL, bj.Status.IMPRECISE, bj.Status.MAX_STEPS_REACHED)
    if tp.status == bj.Status.SUCCESSFUL:
        np.testing.assert_allclose(tp.payoffs, [10.0, 19.0], atol=1e-3)  # 4 × (2.5, 4.75)
    assert tp.certificate <= tp.tol or tp.status != bj.Status.SUCCESSFUL


def test_contract_fields_and_aliases():
    tp = threat_point(EX60)
    assert tp.max_improvement == tp.certificate and tp.num_iterations == tp.num_steps
    res = pure_threat_points(EX60)
    assert res.status == bj.Status.SUCCESSFUL and res.certificate <= res.tol
    assert res.num_steps == 6 and res.max_improvement is res.improvements
