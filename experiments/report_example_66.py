r"""Report Example 66 (§6.2): the Nash-equilibrium core can be empty; the stable disagreement point.

Source: "Modeling evidential cooperation in large worlds", §6.2, Example 66, Table 8,
Proposition 67, Theorem 65, eq. (62) and the disagreement point proposed after Example 66.
Three players; option ``k`` of player ``j`` adds row ``k`` of ``TABLE8[j]`` to everyone's payoffs.

Printed claims, each recomputed: the unique Nash equilibrium (everyone plays option 1) pays
``(5, 5, 15)``; players 1 and 2 both playing option 2 give each other 8; the Nash matrix
``A``; "ν^NE({1,2}) = {x : x_1, x_2 ≤ 8}"; "ν^NE({3}) = {x : x_3 ≤ 15}" since
``A_13 + A_23 + A_33 = 15`` and 3 cannot do better; ``(8, 8, 15)`` is not feasible; with
``x_1, x_2 ≥ 8`` player 3 gets at most 5; so ``C^NE = ∅``.

Not printed, computed here and checked against an independent brute force: the matrix of
eq. (62) (an option of player ``i`` counts for coalition ``P ∋ i`` when it maximises
``λ · V_i[k, P]`` for some strictly positive integer weights ``λ ∈ {1..12}^P``, exact integer
arithmetic) and the stable disagreement point ``d_j = max_k V_j[k, j] + Σ_{i≠j} A_ij``.

Findings: (i) ν^NE({1,2}) is larger than the printed box (options 1 and 2 give (9, 4));
(ii) the printed step "any x ∈ C^NE has x_1, x_2 ≥ 8" is stronger than what not being blocked
by {1, 2} requires (x on or above the hull through (9, 4), (8, 8), (4, 9)); emptiness holds all
the same: every feasible point is blocked by some coalition by at least ``-margin``.
"""

from __future__ import annotations

import itertools
import pathlib

import jax.numpy as jnp
import numpy as np

import bargainjax as bj
from bargainjax.experiment import check, coalition_label, main, pyplot, save_figure

SOURCE = "report (002), §6.2, Example 66, Table 8"
TABLE8 = [
    [[5.0, 0, 5], [4, 4, 0], [3, 3, 6]],
    [[0.0, 5, 5], [4, 4, 0], [3, 3, 6]],
    [[0.0, 0, 5], [0, 0, 0], [0, 0, 0]],
]


def brute_force_eq62(table, grid: int = 12):
    """Eq. (62) by enumeration of integer weights (numpy integers only, no LPs, no bargainjax)."""
    V = [np.asarray(t, dtype=np.int64) for t in table]
    n = len(V)
    A = np.full((n, n), np.iinfo(np.int64).max)
    for size in range(1, n + 1):
        for P in itertools.combinations(range(n), size):
            for lam in itertools.product(range(1, grid + 1), repeat=size):
                for i in P:
                    scores = V[i][:, P] @ np.asarray(lam)
                    for k in np.flatnonzero(scores == scores.max()):
                        A[i] = np.minimum(A[i], V[i][k])
    return A.astype(float)


def max_x3_given(parts, floor):
    """max x_3 over F with x_1, x_2 >= floor (one LP, bj.solve_lp)."""
    Vall = jnp.concatenate(parts)
    own = jnp.asarray(np.kron(np.eye(3), np.ones(3)))  # each player's 3 options sum to 1
    sol = bj.solve_lp(Vall[:, 2], -Vall[:, :2].T, -jnp.full(2, floor), own, jnp.ones(3))
    return sol


def _plot(out_dir, parts, margin, seed):
    plt = pyplot()

    rng = np.random.default_rng(seed)
    V = [np.asarray(p) for p in parts]
    mix = [rng.dirichlet(np.full(3, 0.3), size=60000) for _ in range(3)]
    x = sum(m @ v for m, v in zip(mix, V))
    high3 = x[:, 2] >= 15.0
    fig, ax = plt.subplots(figsize=(5.8, 4.8))
    ax.scatter(x[~high3, 0], x[~high3, 1], s=1, color="0.85", label="feasible payoffs (x1, x2)")
    ax.scatter(x[high3, 0], x[high3, 1], s=2, color="tab:blue",
               label="feasible with x3 >= 15 ({3} not blocking)")
    hull = np.array([[9, 0], [9, 4], [8, 8], [4, 9], [0, 9]])
    ax.plot(hull[:, 0], hull[:, 1], color="tab:red", lw=2,
            label="frontier of ν^NE({1,2}): {1,2} blocks below it")
    ax.axvline(5, color="0.4", ls="--", lw=1)
    ax.axhline(5, color="0.4", ls="--", lw=1, label="x1, x2 >= 5 ({1}, {2} not blocking)")
    ax.set(xlim=(0, 10), ylim=(0, 10), xlabel="x1", ylabel="x2",
           title=f"Example 66: C^NE is empty (margin {margin:.4f})")
    ax.legend(fontsize=7, loc="lower left")
    return [save_figure(fig, out_dir, "ex66_ne_core_empty.png")]


def run(params: dict, out_dir: pathlib.Path) -> dict:
    parts = tuple(jnp.asarray(t) for t in TABLE8)
    F = bj.separable_set(parts)
    V = [np.asarray(t) for t in TABLE8]

    own_best = [np.flatnonzero(v[:, j] == v[:, j].max()) for j, v in enumerate(V)]
    unique = all(len(b) == 1 for b in own_best)
    ne = bj.stable_disagreement(F, "nash")
    zero = bj.core_membership(F, jnp.zeros(3), "nash")  # margins at 0 = guarantees
    pair = bj.blocking_margin(F, jnp.zeros(3), 0b011, "nash")
    pair_options = [int(np.argmax(pair.strategy[j])) + 1 for j in range(2)]
    target = bj.core_membership(F, jnp.array([8.0, 8.0, 15.0]), "nash")
    cap = max_x3_given(parts, 8.0)
    ne_core = bj.core_nonempty(F, "nash")
    alpha_core = bj.core_nonempty(F, "alpha")

    pareto = bj.pareto_matrix(F)
    brute = brute_force_eq62(TABLE8, int(params.get("weight_grid", 12)))
    stable = bj.stable_disagreement(F, "pareto")
    d_brute = np.array([V[j][:, j].max() + brute[:, j].sum() - brute[j, j] for j in range(3)])
    pareto_core = bj.core_nonempty(F, pareto.matrix)
    nbs = bj.nash_bargaining(F, stable.point)
    nbs_member = bj.core_membership(F, nbs.payoffs, pareto.matrix)

    A = np.asarray(ne.matrix)
    checks = [
        check("ex66.ne_actions", [int(b[0]) + 1 for b in own_best], [1, 1, 1], source=SOURCE,
              rtol=0, note=f"each player's own-best option is unique: {unique}"),
        check("ex66.ne_payoffs", ne.point, [5, 5, 15], source=SOURCE, rtol=0, atol=1e-12),
        check("ex66.compromise_12", float(zero.margins[0b011]), 8.0, source=SOURCE, rtol=0,
              atol=1e-9, note=f"reached with options {pair_options} (printed: both play 2), "
                              f"payoffs {np.round(np.asarray(pair.payoffs), 6).tolist()}"),
        check("ex66.nash_matrix", A, [[5, 0, 5], [0, 5, 5], [0, 0, 5]], source=SOURCE, rtol=0),
        check("ex66.nu_ne_12_max_x1", V[0][:, 0].max() + V[1][:, 0].max() + A[2, 0], 8.0,
              source=SOURCE + ": ν^NE({1,2}) = {x : x_1, x_2 <= 8}", rtol=0,
              note="the printed box is too small: options 1 (player 1) and 2 (player 2) give "
                   "(9, 4), also in ν^NE({1,2}); the box is only the symmetric guarantee 8. "
                   "C^NE is empty all the same (ex66.ne_core_empty)"),
        check("ex66.nu_ne_3", float(zero.margins[0b100]), 15.0, source=SOURCE, rtol=0,
              atol=1e-9, note="blocking margin of {3} at x = 0 with players 1, 2 at the NE"),
        check("ex66.A13_A23_A33", float(A[:, 2].sum()), 15.0, source=SOURCE, rtol=0),
        check("ex66.point_8_8_15_feasible", float(target.feasibility_margin >= 0), 0.0,
              source=SOURCE, rtol=0,
              note=f"grand-coalition margin {float(target.feasibility_margin):.6f} < 0: the "
                   "largest t with (8, 8, 15) + t (1, 1, 1) below a point of F is negative"),
        check("ex66.max_x3_given_x12_ge_8", float(cap.value), 5.0, source=SOURCE, rtol=0,
              atol=1e-9, note=f"one LP (status {bj.Status(int(cap.status)).name.lower()})"),
        check("ex66.ne_core_empty", float(not bool(ne_core.nonempty)), 1.0, source=SOURCE
              + ", Proposition 67", rtol=0,
              note=f"exact non-emptiness LPs ({int(ne_core.num_candidates)}): every feasible "
                   f"point is blocked by at least {-float(ne_core.margin):.6f}. The printed "
                   "step 'x_1, x_2 >= 8' overstates what {1,2} forces (x on or above the hull "
                   "(9,4)-(8,8)-(4,9)), the conclusion stands"),
        check("ex66.alpha_core_nonempty", float(alpha_core.nonempty), 1.0,
              source="report (002), §6.2: the α-core of an additively separable game is "
                     "nonempty", rtol=0,
              note=f"witness {np.round(np.asarray(alpha_core.payoffs), 6).tolist()}"),
        check("ex66.pareto_matrix_eq62", pareto.matrix, brute,
              source="not printed: brute force over integer weights λ in {1..12}^P "
                     "(exact integers) in this experiment", rtol=0, atol=1e-12,
              note="player 3's options 2, 3 give nothing to anyone, so only option 1 is "
                   "Pareto optimal for coalitions with 3; players 1, 2 use all options"),
        check("ex66.stable_disagreement", stable.point, d_brute,
              source="not printed: d_j = max_k u_jj + Σ_{i≠j} A_ij from the brute-force "
                     "eq. (62) matrix", rtol=0, atol=1e-12),
        check("ex66.pareto_core_nonempty", float(pareto_core.nonempty), 1.0,
              source="report (002), Theorem 65", rtol=0,
              note=f"witness {np.round(np.asarray(pareto_core.payoffs), 6).tolist()}"),
        check("ex66.nbs_at_stable_d_in_core", float(nbs_member.in_core), 1.0,
              source="report (002), §6.2 after Example 66: d_j 'leads to a stable bargaining "
                     "solution'", rtol=0,
              note=f"NBS from d = {np.round(np.asarray(stable.point), 6).tolist()}: "
                   f"{np.round(np.asarray(nbs.payoffs), 6).tolist()}, largest blocking margin "
                   f"{float(nbs_member.blocking_margin):.6f} by coalition "
                   f"{coalition_label(int(nbs_member.blocking_coalition))}: the proposal protects "
                   "against single players only"),
    ]
    figures = (_plot(out_dir, parts, float(ne_core.margin), int(params.get("seed", 0)))
               if params.get("figures", True) else [])
    results = {
        "ne_payoffs": ne.point,
        "nash_matrix": ne.matrix,
        "guarantees_at_zero_nash": zero.margins[1:],
        "point_8_8_15_grand_margin": target.feasibility_margin,
        "max_x3_given_x12_ge_8": cap.value,
        "ne_core": {"nonempty": ne_core.nonempty, "margin": ne_core.margin,
                    "least_blocked_point": ne_core.payoffs, "lps": ne_core.num_candidates},
        "alpha_core_witness": alpha_core.payoffs,
        "pareto_matrix_eq62": pareto.matrix,
        "pareto_matrix_brute_force": brute,
        "stable_disagreement": stable.point,
        "pareto_core_witness": pareto_core.payoffs,
        "nbs_at_stable_disagreement": nbs.payoffs,
        "certificates": {
            "ne_core": {"name": "LP gap (best choice of normals)", "value": float(ne_core.gap),
                        "tol": float(ne_core.tol),
                        "status": bj.Status(int(ne_core.status)).name.lower()},
            "pareto_matrix": {"name": "max LP gap", "value": float(pareto.gap),
                              "tol": float(pareto.tol),
                              "status": bj.Status(int(pareto.status)).name.lower()},
            "nbs": {"name": "payoff_error_bound", "value": float(nbs.gap), "tol": float(nbs.tol),
                    "status": bj.Status(int(nbs.status)).name.lower()},
        },
    }
    return {"results": results, "checks": checks, "figures": figures}


if __name__ == "__main__":
    import sys

    sys.exit(main(__file__))
