r"""Report (002) Example 46, Figure 10: individual and combined feasible sets with n = 3.

Two types, three players, independent uniform types (:math:`p(t'|t) = 1/2`), action sets the
unit quarter disc :math:`x_1^2 + x_2^2 \le 1` (a resource set with square-root production).
Definition 45 gives :math:`f^{(1)}(y) = (2y_1, y_2)` and :math:`f^{(2)}(y) = (y_1, 2y_2)`
(eqs. 53–56): a player is certain of their own type, so with :math:`n - 1 = 2` others they
expect two players of their own type in all.  The feasible set is :math:`F_1 + F_2` (Figure
10b).  Also computed (not printed): the BNE point and the NBS with prior weights.
"""

from __future__ import annotations

import pathlib

import jax
import jax.numpy as jnp
import numpy as np

import bargainjax as bj
from bargainjax.experiment import check, main, pyplot, save_figure

SOURCE = "report (002), Example 46, §5.2, eqs. (53)-(56)"


@jax.jit
def compute():
    g = bj.bayesian_game(jnp.array([0.5, 0.5]), jnp.full((2, 2), 0.5),
                         bj.type_resource_sets(jnp.ones(2)), num_players=3)
    F = bj.bayesian_feasible_set(g)
    th = jnp.linspace(0.0, jnp.pi / 2, 121)
    combined = jax.vmap(lambda t: F.maximize(jnp.stack([jnp.cos(t), jnp.sin(t)])).payoffs)(th)
    s = jnp.linspace(0.0, 1.0, 121)
    sets = bj.individual_feasible_sets(g)
    indiv = jnp.stack([jax.vmap(lambda t, A=A: A.payoffs((jnp.stack([t, 1 - t]),)))(s) for A in sets])
    ideal = jnp.stack([jnp.stack([A.maximize(jnp.eye(2)[k]).payoffs[k] for k in range(2)])
                       for A in sets])
    sol = bj.bayesian_nbs(g)
    return {"weights": g.weights, "bne": g.disagreement, "combined": combined,
            "individual": indiv, "ideal": ideal, "nbs": sol.payoffs, "gap": sol.gap,
            "status": sol.status, "contributions": sol.contributions}


def _plots(out_dir, res):
    plt = pyplot()

    fig, axes = plt.subplots(1, 2, figsize=(10, 4.6))
    for f, name, col in zip(res["individual"], ("$F_1$", "$F_2$"), ("tab:blue", "tab:orange")):
        axes[0].plot(f[:, 0], f[:, 1], color=col, label=name)
    axes[0].set(title="(a) individual feasible sets", xlabel="EU of type 1", ylabel="EU of type 2")
    c = res["combined"]
    axes[1].plot(c[:, 0], c[:, 1], color="k", label="Pareto frontier of $F_1 + F_2$")
    axes[1].plot(*res["bne"], "o", color="red", label="BNE")
    axes[1].plot(*res["nbs"], "o", color="green", label="NBS (not in the report)")
    axes[1].set(title="(b) combined feasible set", xlabel="EU of type 1", ylabel="EU of type 2")
    for ax in axes:
        ax.set_aspect("equal")
        ax.legend(fontsize=8)
    fig.suptitle("Example 46 (Figure 10): n = 3, p(t'|t) = 1/2")
    return [save_figure(fig, out_dir, "fig10_example_46.png")]


def run(params: dict, out_dir: pathlib.Path) -> dict:
    res = {k: np.asarray(v) for k, v in compute().items()}
    C = res["weights"]  # C[s, t]: f^(s)_t(y) = C[s, t] y_t
    checks = [
        check("ex46.f1_1", C[0, 0], 2.0, source=SOURCE + " (53): f_1^(1)(y) = 2 y_1", rtol=1e-12),
        check("ex46.f2_2", C[1, 1], 2.0, source=SOURCE + " (54): f_2^(2)(y) = 2 y_2", rtol=1e-12),
        check("ex46.f2_1", C[0, 1], 1.0, source=SOURCE + " (55): f_2^(1)(y) = y_2", rtol=1e-12),
        check("ex46.f1_2", C[1, 0], 1.0, source=SOURCE + " (56): f_1^(2)(y) = y_1", rtol=1e-12),
        check("ex46.F2_ideal", res["ideal"][1], [1.0, 2.0],
              source=SOURCE + ": 'in the feasible set for type 2, the expected utilities for type "
              "1 are lower than for type 2'", rtol=1e-9,
              note="largest EU type 2's actions give type 1 and type 2 (from eqs. 55-56)"),
    ]
    figures = _plots(out_dir, res) if params.get("figures", True) else []
    results = {"weights": C, "bne": res["bne"], "nbs": res["nbs"],
               "nbs_contributions": res["contributions"],
               "certificates": {"nbs": {"name": "payoff_error_bound", "value": float(res["gap"]),
                                        "tol": 1e-9,
                                        "status": bj.Status(int(res["status"])).name.lower()}}}
    return {"results": results, "checks": checks, "figures": figures}


if __name__ == "__main__":
    import sys

    sys.exit(main(__file__))
