r"""Report (002) Example 35: a Bayesian prisoner's dilemma, Bayesian Nash and dependency
equilibria for n = 2 and n = 10 players.

Two types, a uniform ("ignorance") prior over type pairs, so :math:`p(t'|t) = 1/2`; Table 4's
additively separable utilities :math:`u_{s,t}(a)`.  Computed with eq. (10) (conditional expected
utility) and eq. (9):

* the pure anonymous Bayesian Nash equilibria, by exact best-response checks over all four
  profiles;
* Table 5's joint distributions (players of one type act alike; probabilities ``a, b, c, d``
  of the action pairs of a type-1 and a type-2 player): :math:`EU_t(s; a)` is affine in the
  conditional probability that the other type plays action 1; the checks compare the intercept
  and slope with eqs. (22)–(25) (n = 2) and (27)–(30) (n = 10);
* the dependency-equilibrium sufficient condition of Corollary 40 for "everyone plays action 1"
  against the BNE.

Eq. (10) with ``n`` players weights the other players by ``n - 1``: 1 for n = 2, 9 for n = 10.
Eqs. (27)–(30) print 10 (and intercepts 12 and 18), i.e. ``n - 1 = 10``: eleven players, or
``n`` in place of ``n - 1``.  With 9 the conclusion (action 1 is a dependency equilibrium) holds
all the same.  Eqs. (24)–(25) are labelled :math:`EU_1` but are type 2's utilities.
"""

from __future__ import annotations

import pathlib

import jax.numpy as jnp
import numpy as np

import bargainjax as bj
from bargainjax.experiment import check, main, pyplot, save_figure

SOURCE = "report (002), Example 35, §4.4, Table 4"
# utilities[s, a, t] = u_{s,t}(a): Table 4 (a) for s = type 1, (b) for s = type 2
TABLE_4 = np.array([[[2.0, 2.0], [3.0, 0.0]], [[2.0, 2.0], [0.0, 3.0]]])


def game(n):
    return bj.finite_bayesian_game(jnp.array([0.5, 0.5]), jnp.full((2, 2), 0.5), TABLE_4,
                                   num_players=n)


def affine_in_conditional(g):
    """Intercept and slope of EU_t(s; a) in the conditional probability that the other type
    plays action 1, from Table 5 distributions with that conditional 0 and 1 (eq. 10).

    Returns ``(2, 2, 2)``: ``[type, action, (intercept, slope)]``."""
    out = np.zeros((2, 2, 2))
    for t in range(2):
        for a in range(2):
            vals = []
            for other in (1, 0):  # the other type plays action 2 (conditional 0), then action 1
                joint = np.full((2, 2), 1e-3)  # full support (Definition 34's s_r)
                idx = (a, other) if t == 0 else (other, a)
                not_idx = (a, 1 - other) if t == 0 else (1 - other, a)
                joint[idx], joint[not_idx] = 1.0, 0.0
                joint /= joint.sum()
                vals.append(float(bj.conditional_expected_utilities(g, jnp.asarray(joint))[t, a]))
            out[t, a] = [vals[0], vals[1] - vals[0]]
    return out


def _plots(out_dir, curves):
    plt = pyplot()

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    x = np.linspace(0, 1, 11)
    for ax, (n, aff) in zip(axes, curves.items()):
        for a, col in ((0, "tab:blue"), (1, "tab:red")):
            ax.plot(x, aff[0, a, 0] + aff[0, a, 1] * x, color=col,
                    label=f"EU_1(s; action {a + 1})")
        ax.set(title=f"n = {n}", xlabel="P(other type plays action 1 | own action)",
               ylabel="conditional expected utility of type 1")
        ax.legend(fontsize=8)
    fig.suptitle("Example 35: conditional expected utilities (eq. 10)")
    return [save_figure(fig, out_dir, "example_35_conditional_eu.png")]


def run(params: dict, out_dir: pathlib.Path) -> dict:
    ns = [int(n) for n in params.get("num_players", [2, 10])]
    checks, results, curves = [], {}, {}
    for n in ns:
        g = game(n)
        ne = bj.finite_bayesian_nash(g)
        eq = np.asarray(ne.profiles)[np.asarray(ne.is_equilibrium)]
        aff = affine_in_conditional(g)
        curves[n] = aff
        all_one = np.asarray(bj.dependency_margins(g, jnp.array([0, 0])))
        results[f"n={n}"] = {"equilibria": eq + 1, "bne_payoffs": ne.payoffs[ne.is_equilibrium],
                             "conditional_eu_affine": aff,
                             "corollary_40_margins_all_action_1": all_one}
        tag = f"[n={n}]"
        if n == 2:
            checks += [
                check(f"ex35.bne_profiles{tag}", (eq + 1).ravel(), [2, 2], source=SOURCE +
                      ": 'the only possible optimal choice for either type is a = 2'",
                      note="all pure anonymous profiles checked exactly; the only BNE"),
                check(f"ex35.bne_eu{tag}", np.asarray(ne.payoffs)[np.asarray(ne.is_equilibrium)][0],
                      [4.5, 4.5], source=SOURCE + ": EU_t = 3 + 3/2 = 4.5", rtol=1e-12),
                check(f"ex35.eq22{tag}", aff[0, 0], [3.0, 1.0], source=SOURCE +
                      ", eq. (22): EU_1(s;1) = 3 + a/(a+b)", rtol=1e-9,
                      note="(intercept, slope) in the conditional probability"),
                check(f"ex35.eq23{tag}", aff[0, 1], [4.5, 1.0], source=SOURCE +
                      ", eq. (23): EU_1(s;2) = 4.5 + c/(c+d)", rtol=1e-9),
                check(f"ex35.eq24{tag}", aff[1, 0], [3.0, 1.0], source=SOURCE +
                      ", eq. (24): 'EU_1(s;1)' = 3 + a/(a+c)", rtol=1e-9,
                      note="printed label EU_1; it is type 2's EU_2(s;1)"),
                check(f"ex35.eq25{tag}", aff[1, 1], [4.5, 1.0], source=SOURCE +
                      ", eq. (25): 'EU_1(s;2)' = 4.5 + b/(b+d)", rtol=1e-9,
                      note="printed label EU_1; it is type 2's EU_2(s;2)"),
                check(f"ex35.best_case{tag}", [aff[0, 0].sum(), aff[0, 1, 0]], [4.0, 4.5],
                      source=SOURCE + ": 'a = d = 1/2: EU_t(s;1) = 4 and EU_t(s;2) = 4.5'",
                      rtol=1e-9, note="action 1 at best 4 < 4.5: no dependency equilibrium "
                      "puts weight on action 1"),
            ]
        if n == 10:
            note = ("eq. (10) weights the n - 1 = 9 other players by 9; the printed 10 "
                    "(intercepts 2 + 10*1 = 12, 3 + 10*1.5 = 18) is n - 1 = 10, i.e. 11 "
                    "players")
            for name, t, a, printed in (("eq27", 0, 0, [12.0, 10.0]), ("eq28", 0, 1, [18.0, 10.0]),
                                        ("eq29", 1, 0, [12.0, 10.0]), ("eq30", 1, 1, [18.0, 10.0])):
                checks.append(check(f"ex35.{name}{tag}", aff[t, a], printed,
                                    source=SOURCE + f", eq. ({name[2:]})", rtol=1e-9, note=note))
            checks.append(check(
                f"ex35.all_action_1{tag}", [aff[0, 0].sum(), aff[0, 1, 0]], [22.0, 18.0],
                source=SOURCE + ": s_r with a = (r-1)/r, d = 1/r: EU(s;1) = 12 + 10 vs "
                "EU(s;2) = 18 + 0", rtol=1e-9,
                note="computed 11 + 9 = 20 vs 16.5: action 1 still better, so 'everyone plays "
                "action 1' is a dependency equilibrium as the report says"))
            checks.append(check(
                f"ex35.corollary_40{tag}", all_one, [3.5, 3.5],
                source="not printed: Corollary 40, eq. (41), u_tt(1) - u_tt(2) + (n-1)/2 (2 - 3 + "
                "2 - 0) = -1 + 9/2, derived by hand", rtol=1e-12,
                note="positive for both types: sufficient for a dependency equilibrium"))
    figures = _plots(out_dir, curves) if params.get("figures", True) else []
    results["certificates"] = {
        f"bne[n={n}]": {"name": "max_regret", "value": float(np.min(
            np.asarray(bj.finite_bayesian_nash(game(n)).regret))), "tol": 0.0,
            "status": "successful"} for n in ns}
    return {"results": results, "checks": checks, "figures": figures}


if __name__ == "__main__":
    import sys

    sys.exit(main(__file__))
