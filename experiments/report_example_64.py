r"""Report Example 64 (§6.2): the NBS is not in the α-core, although the α-core is not empty.

Source: "Modeling evidential cooperation in large worlds", §6.2, Example 64 and Table 7.
Three players, three options each; option ``k`` of player ``j`` adds the vector in row ``k`` of
``TABLE7[j]`` to everyone's payoffs (an additively separable game, ``bj.separable_set``).

Printed claims, each recomputed:

* the Nash equilibrium (every player's option 1) gives ``d = (3, 3, 3)``; it is also the threat
  point because option 1 maximises one's own payoff and minimises everyone else's;
* players 1 and 2 can guarantee each other 5 each, "so ν^α({1,2}) = {x : x_1 ≤ 5, x_2 ≤ 5}";
* the NBS from ``d`` is ``(4.33, 4.33, 5.67)``, so it is blocked by {1, 2};
* the KSBS gives player 3 the largest surplus (3's ideal point is the highest);
* ``(5, 5, 3)``, from the profile (2, 2, 1), is in the α-core; the α-core "and thus also the
  A-core for any payoff matrix A" is non-empty.

Independent checks (no bargainjax): the NBS is exactly ``(13/3, 13/3, 17/3)``: it lies on the
face of ``F`` with normal ``(2, 2, 1)`` and the gradient ``1/(x - d)`` of the Nash product is
parallel to that normal (KKT for a concave objective over a polytope), in exact rationals; the
coalition {1, 2}'s largest payoff for player 1, ``3 + 2.5 + 0``, by hand.

Findings: (i) ν^α({1,2}) is not the printed box: the coalition can also give player 1 5.5
(options 1 and 2) while player 2 gets 2.5; (ii) Proposition 63 says ``C^A ⊆ C^α``, so a
non-empty α-core does not make every A-core non-empty, and with ``A`` = the entrywise maxima
(admissible: every entry is a payoff some option gives) the A-core is empty; (iii) the
"stable" disagreement point proposed after Example 66 is ``(3, 3, 3)`` here (the matrix of
eq. 62 equals the α matrix), and the NBS from it is still blocked by {1, 2}.
"""

from __future__ import annotations

import pathlib
from fractions import Fraction

import jax
import jax.numpy as jnp
import numpy as np

import bargainjax as bj
from bargainjax.experiment import check, coalition_label, main, pyplot, save_figure

SOURCE = "report (002), §6.2, Example 64, Table 7"
TABLE7 = [
    [[3.0, 0, 0], [2.5, 2.5, 0], [2, 2, 2]],
    [[0.0, 3, 0], [2.5, 2.5, 0], [2, 2, 2]],
    [[0.0, 0, 3], [0.5, 0.5, 0], [0.5, 0.5, 0]],
]
COALITIONS = [coalition_label(mask) for mask in range(1, 8)]  # {1}, {2}, {1,2}, {3}, ...


def exact_nbs():
    """(13/3, 13/3, 17/3) and the KKT facts that prove it (exact rationals, no bargainjax)."""
    T = [[[Fraction(str(v)) for v in row] for row in part] for part in TABLE7]
    x = [Fraction(13, 3), Fraction(13, 3), Fraction(17, 3)]
    w = [2, 2, 1]
    support = sum(max(sum(a * b for a, b in zip(w, row)) for row in part) for part in T)
    on_face = sum(a * b for a, b in zip(w, x)) == support
    grad = [1 / (xi - 3) for xi in x]
    parallel = grad[0] / w[0] == grad[1] / w[1] == grad[2] / w[2]
    return x, bool(on_face and parallel)


def _plot(out_dir, margins_nbs, margins_553):
    plt = pyplot()

    pos = np.arange(len(COALITIONS))
    fig, ax = plt.subplots(figsize=(7, 3.8))
    ax.bar(pos - 0.2, margins_nbs, 0.4, label="NBS (13/3, 13/3, 17/3)", color="tab:red")
    ax.bar(pos + 0.2, margins_553, 0.4, label="(5, 5, 3)", color="tab:green")
    ax.axhline(0.0, color="black", lw=0.8)
    ax.set_xticks(pos, COALITIONS)
    ax.set(xlabel="coalition P", ylabel="blocking margin t*_P (α)",
           title="Example 64: a positive margin means P blocks the point")
    ax.legend(fontsize=8)
    return [save_figure(fig, out_dir, "ex64_blocking_margins.png")]


def run(params: dict, out_dir: pathlib.Path) -> dict:
    parts = tuple(jnp.asarray(t) for t in TABLE7)
    F = bj.separable_set(parts)
    V = [np.asarray(t) for t in TABLE7]

    d_ne = bj.stable_disagreement(F, "nash").point
    dominant = all(V[j][0, j] == V[j][:, j].max()
                   and all(V[j][0, i] == V[j][:, i].min() for i in range(3) if i != j)
                   for j in range(3))
    nbs = bj.nash_bargaining(F, d_ne)
    ideal = bj.ideal_point(F)
    x_exact, kkt = exact_nbs()

    # One batched membership call: the NBS, (5, 5, 3) and the zero vector (whose margins are
    # the coalitions' guarantees).
    points = jnp.stack([nbs.payoffs, jnp.array([5.0, 5.0, 3.0]), jnp.zeros(3)])
    member = jax.tree_util.tree_map(lambda *a: jnp.stack(a), *[bj.core_membership(F, x) for x in points])
    guarantee_12 = float(member.margins[2, 0b011])
    max_x1_12 = 3.0 + 2.5 + 0.0  # options 1 and 2 give player 1 3 and 2.5; player 3 at worst 0
    profile_221 = V[0][1] + V[1][1] + V[2][0]

    pareto = bj.pareto_matrix(F)
    d_stable = bj.stable_disagreement(F, "pareto")
    same_d = bool(np.allclose(d_stable.point, d_ne, rtol=0, atol=1e-12))
    nbs_stable = nbs if same_d else bj.nash_bargaining(F, d_stable.point)
    member_stable = bj.core_membership(F, nbs_stable.payoffs, pareto.matrix)

    core_alpha = bj.core_nonempty(F, "alpha")
    core_pareto = bj.core_nonempty(F, "pareto")
    core_nash = bj.core_nonempty(F, "nash")
    A_max = np.stack([v.max(axis=0) for v in V])
    core_max = bj.core_nonempty(F, jnp.asarray(A_max))

    # KSBS (report eq. 8): x = d + t (I - d), so the surpluses are proportional to I - d.
    surplus = np.asarray(ideal - d_ne)
    checks = [
        check("ex64.ne_disagreement", d_ne, [3, 3, 3], source=SOURCE, rtol=0, atol=1e-12,
              note="each player's own-best option is option 1"),
        check("ex64.threat_point_dominant", float(dominant), 1.0, source=SOURCE, rtol=0,
              note="option 1 maximises one's own payoff and minimises every other player's "
                   "(the printed reason d is also the threat point)"),
        check("ex64.guarantee_12", guarantee_12, 5.0, source=SOURCE, rtol=0, atol=1e-9,
              note="blocking margin of {1,2} at x = 0 with worst-case player 3 (α)"),
        check("ex64.nu_alpha_12_max_x1", max_x1_12, 5.0, source=SOURCE + ": ν^α({1,2}) = "
              "{x : x_1 <= 5, x_2 <= 5}", rtol=0, atol=1e-9,
              note="the printed box is too small: options (1, 2) of players 1, 2 give "
                   "(5.5, 2.5), also in ν^α({1,2}); the box is only the symmetric guarantee. "
                   "The conclusion (the NBS is blocked) is unaffected"),
        check("ex64.nbs", nbs.payoffs, [4.33, 4.33, 5.67], source=SOURCE, rtol=0, atol=0.005,
              note=f"exactly (13/3, 13/3, 17/3): KKT in exact rationals holds = {kkt}; "
                   f"FW gap {float(nbs.gap):.1e}"),
        check("ex64.nbs_exact", nbs.payoffs, [float(v) for v in x_exact],
              source="not printed: exact rationals (KKT on the face with normal (2, 2, 1))",
              rtol=0, atol=1e-8),
        check("ex64.nbs_blocked_by", int(member.blocking_coalition[0]), 0b011, source=SOURCE,
              rtol=0, note=f"bitmask 3 = {{1,2}}, margin {float(member.blocking_margin[0]):.6f}"
                           " (= 5 - 13/3 = 2/3)"),
        check("ex64.ksbs_top_surplus_player", int(np.argmax(surplus)) + 1, 3, source=SOURCE,
              rtol=0, note="the KSBS surpluses are proportional to I - d = "
                           f"{np.round(surplus, 6).tolist()} (ideal point I = "
                           f"{np.round(np.asarray(ideal), 6).tolist()})"),
        check("ex64.core_point_profile_221", profile_221, [5, 5, 3], source=SOURCE, rtol=0,
              atol=1e-12),
        check("ex64.core_point_in_alpha_core", float(member.in_core[1]), 1.0, source=SOURCE,
              rtol=0, note=f"largest blocking margin {float(member.blocking_margin[1]):.1e}"),
        check("ex64.alpha_core_nonempty", float(core_alpha.nonempty), 1.0, source=SOURCE,
              rtol=0, note=f"witness {np.round(np.asarray(core_alpha.payoffs), 6).tolist()}, "
                           f"margin {float(core_alpha.margin):.3g}"),
        check("ex64.a_core_nonempty_any_A", float(core_max.nonempty), 1.0, source=SOURCE
              + ": 'the α-core (and thus also the A-core for any payoff matrix A) is nonempty'",
              rtol=0, note="Proposition 63 gives C^A ⊆ C^α, the wrong way for this inference: "
                           "with A = entrywise maxima the A-core is empty (margin "
                           f"{float(core_max.margin):.4f}: singletons alone demand "
                           "x >= (6, 6, 7), sum 19 > 15 = max total). The NE and eq. (62) "
                           f"cores are non-empty here ({bool(core_nash.nonempty)}, "
                           f"{bool(core_pareto.nonempty)})"),
        check("ex64.nbs_at_stable_d_in_core", float(member_stable.in_core), 1.0,
              source="report (002), §6.2 after Example 66: d_j 'leads to a stable bargaining "
                     "solution'", rtol=0,
              note=f"eq. (62) gives A = α matrix here, d = "
                   f"{np.round(np.asarray(d_stable.point), 6).tolist()} (= the NE point), and "
                   f"the NBS from it is blocked by coalition "
                   f"{coalition_label(int(member_stable.blocking_coalition))} with margin "
                   f"{float(member_stable.blocking_margin):.4f}: the proposal protects against "
                   "single players only"),
    ]
    figures = (_plot(out_dir, np.asarray(member.margins[0, 1:]), np.asarray(member.margins[1, 1:]))
               if params.get("figures", True) else [])
    results = {
        "disagreement_ne": d_ne,
        "nbs": nbs.payoffs,
        "ideal_point": ideal,
        "margins": {"nbs": member.margins[0, 1:], "(5,5,3)": member.margins[1, 1:],
                    "coalitions": COALITIONS},
        "alpha_matrix": bj.alpha_matrix(F),
        "pareto_matrix_eq62": pareto.matrix,
        "stable_disagreement": d_stable.point,
        "nbs_at_stable_disagreement": nbs_stable.payoffs,
        "core_nonempty": {k: {"nonempty": r.nonempty, "margin": r.margin, "witness": r.payoffs,
                              "lps": r.num_candidates}
                          for k, r in (("alpha", core_alpha), ("pareto", core_pareto),
                                       ("nash", core_nash), ("entrywise_max", core_max))},
        "certificates": {
            "nbs": {"name": "payoff_error_bound", "value": float(nbs.gap), "tol": float(nbs.tol),
                    "status": bj.Status(int(nbs.status)).name.lower()},
            "membership": {"name": "max LP gap over coalitions", "value": float(
                jnp.max(member.gap)), "tol": float(member.tol[0]),
                "status": bj.Status(int(jnp.max(member.status))).name.lower()},
            "alpha_core_witness": {"name": "LP gap", "value": float(core_alpha.gap),
                                   "tol": float(core_alpha.tol),
                                   "status": bj.Status(int(core_alpha.status)).name.lower()},
        },
    }
    return {"results": results, "checks": checks, "figures": figures}


if __name__ == "__main__":
    import sys

    sys.exit(main(__file__))
