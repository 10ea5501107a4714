r"""Report Example 17 and Figure 6: the NBS's actions need not be unique.

Source: "Modeling evidential cooperation in large worlds", §3.5.1, Example 17, Figure 6,
Propositions 18-19.

Two players with individual Pareto frontiers :math:`H_1 = H_2 = \{x : x_1 + x_2 = 1\}` and
:math:`d = 0`.  Player 1's choice ``(2, -1)`` and player 2's matching ``(-1, 2)`` are both
named in the text, so each individual feasible set is modelled as

.. math:: F_1 = F_2 = \operatorname{conv}\{(2, -1),\ (-1, 2),\ (0, 0)\},

whose Pareto frontier is the segment :math:`H_i` from ``(2, -1)`` to ``(-1, 2)``; the vertex
``(0, 0)`` ("do nothing") makes :math:`d = 0 + 0` feasible, as the report assumes after
Definition 2 (it changes no frontier).  :math:`F = F_1 + F_2`
(:func:`bargainjax.minkowski_sum`, never the joint simplex); its frontier is
:math:`H = \{x_1 + x_2 = 2\}` between ``(4, -2)`` and ``(-2, 4)``, and the NBS from ``d = 0``
maximises :math:`x_1 x_2` there: ``(1, 1)``.

Decompositions: :math:`X_1 = \{a \in H_1 : \exists b \in H_2,\ a + b = (1, 1)\}` (Proposition
18's set) is found by two linear programs (min and max of :math:`a_1`, one ``vmap``-ed
:func:`bargainjax.solve_lp` batch): all of :math:`H_1`, :math:`a = (t, 1 - t)`,
:math:`t \in [-1, 2]`, with partner :math:`b = (a_2, a_1)` (the report's
":math:`a_1 = b_2, a_2 = b_1`").  Choosing independently from :math:`X_1` and :math:`X_2`
always lands on :math:`H` (Proposition 18) but can leave a player below ``d``: the report's
``(2, -1) + (0.5, 0.5) = (2.5, -0.5)``; the worst case over all pairs is ``-2``.
:func:`bargainjax.maximizing_face` shows the non-uniqueness in the library's terms: the face
maximising :math:`x_1 + x_2` has two vertices in each block.
"""

from __future__ import annotations

import pathlib

import jax
import jax.numpy as jnp
import numpy as np

import bargainjax as bj
from bargainjax.experiment import check, main, pyplot, save_figure

SOURCE = "report (002), Example 17, §3.5.1"
PART = [[2.0, -1.0], [-1.0, 2.0], [0.0, 0.0]]  # one player's feasible set: H_i's ends, d_i


@jax.jit
def decomposition_range(P, u):
    """``[min a_1, max a_1]`` over ``a ∈ conv(P)``, ``b ∈ conv(P)``, ``a + b = u`` (two LPs)."""
    K = P.shape[0]
    A_eq = jnp.concatenate([
        jnp.concatenate([P.T, P.T], axis=1),                                     # a + b = u
        jnp.concatenate([jnp.ones((1, K)), jnp.zeros((1, K))], axis=1),          # 1ᵀs_1 = 1
        jnp.concatenate([jnp.zeros((1, K)), jnp.ones((1, K))], axis=1)])         # 1ᵀs_2 = 1
    b_eq = jnp.concatenate([u, jnp.ones(2)])
    a1 = jnp.concatenate([P[:, 0], jnp.zeros(K)])
    sol = jax.vmap(lambda c: bj.solve_lp(c, A_eq=A_eq, b_eq=b_eq))(jnp.stack([-a1, a1]))
    return jnp.stack([-sol.value[0], sol.value[1]]), sol


@jax.jit
def independent_choices(t1, t2, u):
    """Player 1 takes its part of the decomposition ``t1``, player 2 its part of ``t2``:
    ``a(t1) + (u - a(t2))`` with ``a(t) = (t, 1 - t)``, over the whole grid (vmapped)."""
    a = lambda t: jnp.stack([t, 1.0 - t])  # noqa: E731
    return jax.vmap(lambda s: jax.vmap(lambda r: a(s) + u - a(r))(t2))(t1)


def _plot(out_dir, P, u, t_lo, t_hi, grid, outcomes):
    plt = pyplot()

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.8))
    ax.plot([4, -2], [-2, 4], color="tab:orange", lw=2.5, label="H: x1 + x2 = 2")
    ax.plot(P[:2, 0], P[:2, 1], color="tab:blue", lw=2.5, label="H1 = H2: x1 + x2 = 1")
    ax.fill(P[[0, 1, 2, 0], 0], P[[0, 1, 2, 0], 1], color="tab:blue", alpha=0.12,
            label="F1 = F2")
    for t, c in ((t_hi, "0.35"), (0.5, "tab:green"), (t_lo, "0.6")):
        a = np.array([t, 1 - t])
        ax.annotate("", a, (0, 0), arrowprops=dict(arrowstyle="->", color=c, lw=1))
        ax.annotate("", u, a, arrowprops=dict(arrowstyle="->", color=c, lw=1, ls="--"))
    ax.plot(0, 0, "o", color="red", ms=8, label="d = (0, 0)")
    ax.plot(*u, "o", color="green", ms=8, label=f"NBS ({u[0]:g}, {u[1]:g})")
    ax.set(xlabel="u1", ylabel="u2", title="Example 17 / Figure 6: decompositions a + b = NBS",
           xlim=(-2.5, 4.5), ylim=(-2.5, 4.5), aspect="equal")
    ax.legend(fontsize=7, loc="upper right")
    low = outcomes.min(axis=-1)
    im = ax2.pcolormesh(grid, grid, low.T, cmap="RdYlGn", shading="auto", vmin=-2, vmax=2)
    ax2.contour(grid, grid, low.T, levels=[0.0], colors="k", linewidths=1)
    ax2.plot(2.0, 0.5, "kx", ms=8, mew=2)
    ax2.annotate("(2,-1) + (0.5,0.5)", (2.0, 0.5), textcoords="offset points", xytext=(-95, 8),
                 fontsize=8)
    fig.colorbar(im, ax=ax2, label="smaller payoff (d = 0)")
    ax2.set(xlabel="player 1 plays a = (t1, 1 - t1)", ylabel="player 2 plays b = (1,1) - (t2, 1 - t2)",
            title="independent choices: someone below d outside the band")
    return [save_figure(fig, out_dir, "fig6_decompositions.png")]


def run(params: dict, out_dir: pathlib.Path) -> dict:
    """NBS of Example 17, its set of decompositions, and independent (mis)coordination."""
    P = jnp.asarray(PART)
    F1 = bj.polytope(P)
    F = bj.minkowski_sum(F1, F1)
    ones = jnp.ones(2)
    h1, h = float(F1.maximize(ones).value), float(F.maximize(ones).value)
    face = bj.maximizing_face(F, ones / 2)
    sol = jax.jit(bj.nash_bargaining)(F, jnp.zeros(2))  # one compilation, status checked below
    u = np.asarray(sol.payoffs)
    parts = np.stack([np.asarray(s) @ np.asarray(P) for s in sol.strategy])  # each player's point

    rng, lps = decomposition_range(P, jnp.asarray(u))
    t_lo, t_hi = (float(x) for x in rng)
    grid = np.linspace(t_lo, t_hi, int(params.get("grid_points", 121)))
    a = np.stack([grid, 1 - grid], axis=1)
    swap_err = float(np.abs((u - a) - a[:, ::-1]).max())  # partner of a is b = (a_2, a_1)
    outcomes = np.asarray(independent_choices(jnp.asarray(grid), jnp.asarray(grid),
                                              jnp.asarray(u)))
    on_h = float(np.abs(outcomes.sum(-1) - h).max())
    worst = float(outcomes.min())
    mis = np.array([2.0, -1.0]) + np.array([0.5, 0.5])
    mis_ok = bool(t_lo <= 2.0 <= t_hi and t_lo <= 0.5 <= t_hi)

    checks = [
        check("ex17.individual_frontier", h1, 1.0, source=f"{SOURCE}: H_1 = H_2 = "
              "{x : x_1 + x_2 = 1}", rtol=0, atol=1e-12, note="max of x_1 + x_2 over F_i"),
        check("ex17.frontier", h, 2.0, source=f"{SOURCE}: H = {{x : x_1 + x_2 = 2}}", rtol=0,
              atol=1e-12, note="max of x_1 + x_2 over F = F_1 + F_2 (support functions add)"),
        check("ex17.nbs", u, [1.0, 1.0], source=f"{SOURCE}: 'the point (1, 1) is the NBS'",
              rtol=0, atol=1e-9, note=f"bj.nash_bargaining on bj.minkowski_sum; supporting "
              f"weights {np.round(np.asarray(sol.weights), 9).tolist()}"),
        check("ex17.decomposition_range", [t_lo, t_hi], [-1.0, 2.0], source=f"{SOURCE}: any "
              "a ∈ H_1, b ∈ H_2 with a_1 = b_2, a_2 = b_1 gives (1, 1)", rtol=0, atol=1e-9,
              note="first coordinate of player 1's part over all decompositions (bj.solve_lp, "
                   "min and max): all of H_1, so the decomposition is not unique"),
        check("ex17.partner_is_swap", swap_err, 0.0, source=f"{SOURCE}: a_1 = b_2, a_2 = b_1",
              rtol=0, atol=1e-12, note=f"max |b - (a_2, a_1)| over {grid.size} decompositions"),
        check("ex17.face_vertices", [int(np.sum(m)) for m in face.members], [2, 2],
              source=f"{SOURCE} (non-uniqueness)", rtol=0, atol=0.0,
              note="bj.maximizing_face at weights (1/2, 1/2): both ends of H_i in each block "
                   f"(dimension bound {int(face.dimension_bound)})"),
        check("ex17.miscoordination", mis, [2.5, -0.5], source=f"{SOURCE}: player 1 chooses "
              "(2, -1), the other (0.5, 0.5): 'one of the players is worse off than their "
              "disagreement point'", rtol=0, atol=1e-12,
              note=f"both choices lie in their sets X_i: {mis_ok}; player 2 gets -0.5 < d_2 = 0"),
        check("ex17.prop18_on_frontier", on_h, 0.0, source="report (002), Proposition 18 "
              "(independent choices from the X_i stay on H)", rtol=0, atol=1e-12,
              note=f"max |x_1 + x_2 - 2| over {grid.size}² independent choices; worst payoff "
                   f"{worst:g} (not printed)"),
        check("ex17.symmetric_point", parts, [[0.5, 0.5], [0.5, 0.5]], source="report (002), "
              "§3.5.1: 'in Example 17, this could be the symmetric point (0.5, 0.5)'", rtol=0,
              atol=1e-9, note="each player's part of the decomposition bj.nash_bargaining "
                              "returns; any t in [-1, 2] is equally optimal, the solver's "
                              "symmetric start keeps the symmetric one"),
    ]
    figures = (_plot(out_dir, np.asarray(P), u, t_lo, t_hi, grid, outcomes)
               if params.get("figures", True) else [])
    results = {
        "part": P, "nbs": u, "nbs_parts": parts, "nbs_weights": sol.weights,
        "decomposition_range": [t_lo, t_hi], "face_members": face.members,
        "worst_independent_payoff": worst,
        "certificates": {
            "nbs": {"name": "payoff_error_bound", "value": float(sol.gap), "tol": float(sol.tol),
                    "status": bj.Status(int(sol.status)).name.lower()},
            "decomposition_lps": {"name": "lp_gap", "value": float(np.max(lps.gap)),
                                  "tol": 1e-9, "status": bj.Status(int(np.max(lps.status)))
                                  .name.lower()},
        },
    }
    return {"results": results, "checks": checks, "figures": figures}


if __name__ == "__main__":
    import sys

    sys.exit(main(__file__))
