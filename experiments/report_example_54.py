r"""Report (002) Example 54, Figure 11: different priors, equal posterior beliefs.

Two types with independent types (everyone's beliefs equal the prior), large ``n``, action
sets the unit quarter disc (report Example 46 rescaled).  With :math:`p(t) = 1/2` the individual
sets are :math:`\{(2x_1)^2 + (2x_2)^2 \le 1\}`, the BNE is :math:`(1/2, 1/2)` and the NBS
:math:`(\sqrt2/2, \sqrt2/2)`.  With :math:`p(1) = 3/4` they become eqs. (58)–(59), the BNE
:math:`(3/4, 1/4)`, and the NBS with prior weights :math:`\nu = (3/4, 1/4)` (Definition 47)
is printed as :math:`\approx (0.92, 0.39)`.

Independent oracle (numpy/scipy, no bargainjax): :math:`F_1 + F_2` is the unit quarter disc
(two quarter discs of radii 3/4 and 1/4), so the NBS is the root in :math:`\theta` of the
first-order condition of :math:`\nu_1\log(\cos\theta - d_1) + \nu_2\log(\sin\theta - d_2)`.
Both cases are solved in one batched ``jit(vmap(...))`` call.
"""

from __future__ import annotations

import math
import pathlib

import jax
import jax.numpy as jnp
import numpy as np
from scipy.optimize import brentq

import bargainjax as bj
from bargainjax.experiment import check, main, pyplot, save_figure

SOURCE = "report (002), Example 54, §5.5.3"


def game(q):
    """Prior (q, 1 - q) and the same beliefs for both types (independent types)."""
    row = jnp.stack([q, 1 - q])
    return bj.bayesian_game(row, jnp.stack([row, row]), bj.type_resource_sets(jnp.ones(2)))


def solve(q):
    g = game(q)
    sol = bj.bayesian_nbs(g)  # weights default to the prior (Harsanyi-Selten)
    F = bj.bayesian_feasible_set(g)
    th = jnp.linspace(0.0, jnp.pi / 2, 91)
    combined = jax.vmap(lambda t: F.maximize(jnp.stack([jnp.cos(t), jnp.sin(t)])).payoffs)(th)
    s = jnp.linspace(0.0, 1.0, 91)
    indiv = jnp.stack([jax.vmap(lambda t, A=A: A.payoffs((jnp.stack([t, 1 - t]),)))(s)
                       for A in bj.individual_feasible_sets(g)])
    return {"payoffs": sol.payoffs, "disagreement": sol.disagreement, "weights": g.weights,
            "contributions": sol.contributions, "gains": sol.gains,
            "dependency": sol.dependency_margins, "gap": sol.gap, "status": sol.status,
            "combined": combined, "individual": indiv}


def oracle(nu, d):
    """NBS on the unit quarter disc by the first-order condition in the angle (scipy)."""
    def foc(th):
        return (-nu[0] * math.sin(th) / (math.cos(th) - d[0])
                + nu[1] * math.cos(th) / (math.sin(th) - d[1]))

    lo, hi = math.asin(d[1]) + 1e-13, math.acos(d[0]) - 1e-13
    th = brentq(foc, lo, hi, xtol=1e-15, rtol=1e-15)
    return [math.cos(th), math.sin(th)]


def _plots(out_dir, res):
    plt = pyplot()

    fig, axes = plt.subplots(1, 2, figsize=(10, 4.6))
    i = 1  # the unequal-prior case (the report's Figure 11)
    for f, name, col in zip(res["individual"][i], ("$F_1$", "$F_2$"), ("tab:blue", "tab:orange")):
        axes[0].plot(f[:, 0], f[:, 1], color=col, label=name)
    C = res["weights"][i]
    for t in range(2):
        axes[0].plot(*(C[t] * np.eye(2)[t]), "o", color="red", label="BNE" if t == 0 else None)
        axes[0].plot(*res["contributions"][i][t], "o", color="green",
                     label="NBS" if t == 0 else None)
    axes[0].set(title="(a) individual feasible sets", xlabel="EU of type 1", ylabel="EU of type 2")
    c = res["combined"][i]
    axes[1].plot(c[:, 0], c[:, 1], color="k", label="Pareto frontier of $F_1 + F_2$")
    axes[1].plot(*res["disagreement"][i], "o", color="red", label="BNE (disagreement)")
    axes[1].plot(*res["payoffs"][i], "o", color="green",
                 label="NBS ({:.3f}, {:.3f})".format(*res["payoffs"][i]))
    axes[1].set(title="(b) combined feasible set", xlabel="EU of type 1", ylabel="EU of type 2")
    for ax in axes:
        ax.set_aspect("equal")
        ax.legend(fontsize=8)
    fig.suptitle("Example 54 (Figure 11): p(1) = 3/4, independent types, weights = prior")
    return [save_figure(fig, out_dir, "fig11_example_54.png")]


def run(params: dict, out_dir: pathlib.Path) -> dict:
    q = float(params.get("prior_type_1", 0.75))
    res = {k: np.asarray(v) for k, v in jax.jit(jax.vmap(solve))(jnp.array([0.5, q])).items()}
    ora = oracle([q, 1 - q], [q, 1 - q])
    r2 = math.sqrt(2) / 2
    checks = [
        check("ex54.F_scales[p=1/2]", 1 / res["weights"][0].ravel(), [2.0] * 4,
              source=SOURCE + ": F_1 = F_2 = {(2x_1)^2 + (2x_2)^2 <= 1}", rtol=1e-12,
              note="1 / C[s, t] = 1 / p(s|t) at large n"),
        check("ex54.bne[p=1/2]", res["disagreement"][0], [0.5, 0.5], source=SOURCE, rtol=1e-12,
              note="Proposition 49: each type maximises its own coordinate"),
        check("ex54.nbs[p=1/2]", res["payoffs"][0], [r2, r2],
              source=SOURCE + ": 2 (sqrt2/4, sqrt2/4) = (sqrt2/2, sqrt2/2)", rtol=1e-9,
              note="symmetric NBS"),
        check("ex54.F_scales[p=3/4]", 1 / res["weights"][1].ravel(), [4 / 3, 4 / 3, 4.0, 4.0],
              source=SOURCE + ", eqs. (58)-(59)", rtol=1e-12,
              note="row s: F_s's scales (1/C[s, 1], 1/C[s, 2])"),
        check("ex54.bne[p=3/4]", res["disagreement"][1], [0.75, 0.25], source=SOURCE,
              rtol=1e-12, note="d_1 = 3/4, d_2 = 1/4"),
        check("ex54.nbs[p=3/4]", res["payoffs"][1], [0.92, 0.39],
              source=SOURCE + ": argmax (x_1 - d_1)^(3/4) (x_2 - d_2)^(1/4) ~ (0.92, 0.39)",
              rtol=0.0, atol=0.005,
              note="printed to 2 decimals; scipy oracle on the unit quarter disc gives "
              f"({ora[0]:.9f}, {ora[1]:.9f}). Figure 11's caption says 'Example 55': a "
              "mislabel, it shows Example 54"),
        check("ex54.nbs_vs_oracle[p=3/4]", res["payoffs"][1], ora,
              source="independent: scipy brentq on the first-order condition (this file)",
              rtol=1e-8, note="not printed in the report"),
    ]
    figures = _plots(out_dir, res) if params.get("figures", True) else []
    results = {
        "nbs": res["payoffs"], "disagreement": res["disagreement"],
        "contributions": res["contributions"], "gains": res["gains"],
        "dependency_margins": res["dependency"], "oracle": ora,
        "certificates": {f"nbs[p(1)={p}]": {"name": "payoff_error_bound", "value": float(res["gap"][i]),
                                            "tol": 1e-9,
                                            "status": bj.Status(int(res["status"][i])).name.lower()}
                         for i, p in enumerate(["1/2", "3/4"])},
    }
    return {"results": results, "checks": checks, "figures": figures}


if __name__ == "__main__":
    import sys

    sys.exit(main(__file__))
