r"""Report Examples 1 and 10 and Figures 3-4: the Nash bargaining solution of Alice and Bob.

Source: "Modeling evidential cooperation in large worlds", §3.1 (Example 1), §3.4.1
(Example 10), Figures 3 and 4.

Example 1.  Alice has 10 units of a resource, Bob 5.  ``A`` and ``B`` are the amounts Alice and
Bob spend on Alice's utility; the rest goes to Bob's.  Alice's utility is linear,
:math:`u_A = A + B`; Bob's has diminishing returns, :math:`u_B = \sqrt{2(10 - A)} +
\sqrt{2(5 - B)}`.  In bargainjax this is a resource-allocation set with two agents (Alice, Bob)
and two goods (Alice's utility: linear; Bob's utility: :math:`\sqrt{2y}`):

    F = bj.resource_set([10, 5], [[1, √2], [1, √2]], production=("linear", "sqrt")).

If each maximises their own utility, Alice spends everything on herself (A = 10) and Bob on
himself (B = 0): the disagreement point is :math:`d = (10, \sqrt{10})`.

Example 10: the NBS maximises :math:`(A + B - 10)(\sqrt{2(10-A)} + \sqrt{2(5-B)} - \sqrt{10})`;
the report prints ``A ≈ 8.15, B ≈ 3.15``.

Independent check (numpy only, no bargainjax).  At an interior optimum the two ways of turning
resources into Bob's utility must have equal marginal rates,
:math:`1/\sqrt{2(10-A)} = 1/\sqrt{2(5-B)}`, so both spend the same amount :math:`s = 10 - A =
5 - B` on Bob.  The Nash product becomes :math:`f(s) = (5 - 2s)(2\sqrt{2s} - \sqrt{10})` on
:math:`s \in (5/4, 5/2)` (where both gains are positive).  :math:`f'(s) = 0` reads, with
:math:`t = \sqrt{s}`, :math:`6\sqrt2\, t^2 - 2\sqrt{10}\, t - 5\sqrt2 = 0`, so
:math:`t = (\sqrt5 + \sqrt{35})/6` and

.. math:: s^\star = \frac{20 + 5\sqrt7}{18} \approx 1.846042,\quad A = 10 - s^\star \approx
   8.153958,\quad B = 5 - s^\star \approx 3.153958.

The experiment also finds :math:`s^\star` numerically (a fine grid, then golden-section search)
and compares all three (bargainjax, closed form, golden section).

Example 1's other statements are checked too: the cost of :math:`x` utilons for Bob is
:math:`x^2/2` (so the library's production :math:`\sqrt{2y}` inverts it); the point
:math:`(10, \sqrt{10})` is Pareto inferior (the NBS gives both more); and, §3.1, at a Pareto
optimum the slopes of Alice's and Bob's individual frontiers at their actions agree (the
marginal rates :math:`-g'_{\text{Bob}}(y)/g'_{\text{Alice}}(y)`, by ``jax.jacfwd`` of the
production), while at the disagreement point they differ (:math:`-\infty` against
:math:`-1/\sqrt{10}`).
"""

from __future__ import annotations

import functools
import math
import pathlib

import jax
import jax.numpy as jnp
import numpy as np

import bargainjax as bj
from bargainjax.experiment import check, main, pyplot, save_figure

SOURCE = "report (002), Example 10, §3.4.1"
SQRT2 = math.sqrt(2.0)


def example_set():
    """Example 1's feasible set: agents (Alice, Bob) x goods (Alice's, Bob's utility)."""
    return bj.resource_set([10.0, 5.0], [[1.0, SQRT2], [1.0, SQRT2]],
                           production=("linear", "sqrt"))


def nash_product_1d(s):
    """The Nash product after the equal-marginal-rates reduction ``s = 10 - A = 5 - B``."""
    s = np.asarray(s, float)
    return (5.0 - 2.0 * s) * (2.0 * np.sqrt(2.0 * s) - math.sqrt(10.0))


def golden_section_max(f, lo, hi, *, tol=1e-13, max_iter=200):
    """Maximise a unimodal ``f`` on ``[lo, hi]`` by golden-section search (plain floats)."""
    inv_phi = (math.sqrt(5.0) - 1.0) / 2.0
    a, b = lo, hi
    c, d = b - inv_phi * (b - a), a + inv_phi * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(max_iter):
        if b - a <= tol:
            break
        if fc > fd:
            b, d, fd = d, c, fc
            c = b - inv_phi * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + inv_phi * (b - a)
            fd = f(d)
    return 0.5 * (a + b)


def independent_solution(grid_points: int = 20001) -> dict:
    """Example 10 without bargainjax: closed form and grid + golden section on ``f(s)``."""
    lo, hi = 1.25, 2.5
    grid = np.linspace(lo, hi, grid_points)
    k = int(np.argmax(nash_product_1d(grid)))
    step = grid[1] - grid[0]
    s_num = golden_section_max(lambda s: float(nash_product_1d(s)),
                               max(lo, grid[k] - step), min(hi, grid[k] + step))
    s_closed = (20.0 + 5.0 * math.sqrt(7.0)) / 18.0

    def point(s):
        return {"s": s, "A": 10.0 - s, "B": 5.0 - s,
                "payoffs": [15.0 - 2.0 * s, 2.0 * math.sqrt(2.0 * s)]}

    return {"closed_form": point(s_closed), "golden_section": point(s_num)}


def own_maximisers(F):
    """Each agent maximising their own utility: Alice weight (1, 0), Bob weight (0, 1)."""
    alice = bj.resource_set(F.budgets[:1], F.coefficients[:1], production=F.production)
    bob = bj.resource_set(F.budgets[1:], F.coefficients[1:], production=F.production)

    @jax.jit  # one compilation instead of many eager dispatches
    def both(alice, bob):
        return (alice.maximize(jnp.array([1.0, 0.0])).strategy[0],
                bob.maximize(jnp.array([0.0, 1.0])).strategy[0])

    return both(alice, bob)


@jax.jit
def frontier_slopes(F, allocation):
    """Slope ``d(Bob's utility)/d(Alice's utility)`` of each agent's individual frontier at its
    allocation ``(m, 2)``: ``-g_2'(y_2) / g_1'(y_1)`` (moving resources from good 1 to good 2)."""
    jac = jax.jacfwd(F.production_of)(allocation)  # (m, K, m, K)
    m = allocation.shape[0]
    marg = jnp.stack([jnp.diagonal(jac[j, :, j, :]) for j in range(m)])  # (m, K) g_k'(y_jk)
    return -marg[:, 1] / marg[:, 0]


@functools.partial(jax.jit, static_argnums=1)
def frontier(F, num_weights: int):
    """Pareto frontier of ``F`` from the weighted-sum oracle, weights ``(t, 1 - t)``, vmapped."""
    t = jnp.linspace(0.0, 1.0, num_weights)
    a = jnp.stack([t, 1.0 - t], axis=1)
    return jax.vmap(lambda w: F.maximize(w).payoffs)(a)


def random_allocations(num_points: int, seed: int):
    """Payoffs of uniformly random splits (A, B) in [0, 10] x [0, 5] (Figure 3b's cloud)."""
    rng = np.random.default_rng(seed)
    A = rng.uniform(0.0, 10.0, num_points)
    B = rng.uniform(0.0, 5.0, num_points)
    return np.stack([A + B, np.sqrt(2 * (10 - A)) + np.sqrt(2 * (5 - B))], axis=1)


def _plots(out_dir, front, cloud, d, nbs):
    plt = pyplot()

    names = []
    # Figure 3: (a) each player's individual feasible set, (b) the joint one.
    fig, (ax_a, ax_b) = plt.subplots(1, 2, figsize=(10, 4.2))
    A = np.linspace(0.0, 10.0, 200)
    B = np.linspace(0.0, 5.0, 200)
    ax_a.plot(A, np.sqrt(2 * (10 - A)), color="tab:blue", label="Alice's actions")
    ax_a.plot(B, np.sqrt(2 * (5 - B)), color="tab:orange", label="Bob's actions")
    ax_a.plot([10.0, 0.0], [0.0, math.sqrt(10.0)], "o", color="red",
              label="each maximises own utility")
    ax_a.set(title="(a) individual feasible sets", xlabel="Alice's utility",
             ylabel="Bob's utility")
    ax_a.legend(loc="upper right", fontsize=8)
    ax_b.scatter(cloud[:, 0], cloud[:, 1], s=2, color="0.6", label="random allocations")
    ax_b.plot(front[:, 0], front[:, 1], color="black", lw=1.5, label="Pareto frontier")
    ax_b.plot(*d, "o", color="red", label="disagreement point")
    ax_b.set(title="(b) joint feasible set", xlabel="Alice's utility", ylabel="Bob's utility")
    ax_b.legend(loc="lower left", fontsize=8)
    names.append(save_figure(fig, out_dir, "fig3_feasible_sets.png"))

    # Figure 4: disagreement point (red) and NBS (green).
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    ax.scatter(cloud[:, 0], cloud[:, 1], s=2, color="0.7", label="random allocations")
    ax.plot(front[:, 0], front[:, 1], color="black", lw=1.5, label="Pareto frontier")
    ax.plot(*d, "o", color="red", ms=8, label=f"disagreement ({d[0]:.2f}, {d[1]:.2f})")
    ax.plot(*nbs, "o", color="green", ms=8, label=f"NBS ({nbs[0]:.3f}, {nbs[1]:.3f})")
    ax.set(title="Example 10: Nash bargaining solution", xlabel="Alice's utility",
           ylabel="Bob's utility")
    ax.legend(loc="lower left", fontsize=8)
    names.append(save_figure(fig, out_dir, "fig4_nbs.png"))
    return names


def run(params: dict, out_dir: pathlib.Path) -> dict:
    """Solve Example 10 with bargainjax, check it independently, draw Figures 3 and 4."""
    F = example_set()

    # Example 1: the disagreement point, each maximising their own utility.
    own = own_maximisers(F)
    d = F.payoffs(own)

    # Example 10: the Nash bargaining solution.
    sol = jax.jit(bj.nash_bargaining)(F, d)  # one compilation; the status is reported below
    y = np.asarray(F.allocation(sol.strategy))  # resources: agents x goods
    A, B = float(y[0, 0]), float(y[1, 0])
    u = np.asarray(sol.payoffs, float)
    status = bj.Status(int(sol.status))

    ind = independent_solution(int(params.get("grid_points", 20001)))
    cf, gs = ind["closed_form"], ind["golden_section"]
    agree = (f"independent: closed form A = {cf['A']:.6f}, B = {cf['B']:.6f}; golden section "
             f"A = {gs['A']:.6f}, B = {gs['B']:.6f}")
    checks = [
        check("ex1.disagreement", d, [10.0, math.sqrt(10.0)], source="report (002), Example 1, "
              "§3.1: the point (10, √10)", rtol=0, atol=1e-9,
              note="Alice spends all on Alice (A = 10), Bob all on Bob (B = 0)"),
        check("ex10.A", A, 8.15, source=SOURCE, rtol=0, atol=0.005,
              note=f"printed to 2 decimals; {agree}"),
        check("ex10.B", B, 3.15, source=SOURCE, rtol=0, atol=0.005,
              note=f"printed to 2 decimals; {agree}"),
        check("ex10.nbs", u, cf["payoffs"],
              source="not printed in the report: closed form (20+5√7)/18 derived in this "
              "experiment (equal marginal rates, 1-D maximisation)", rtol=1e-8, atol=0.0,
              note="NBS payoffs (Alice, Bob) = (15 - 2s*, 2√(2s*)); golden section gives "
                   f"({gs['payoffs'][0]:.9f}, {gs['payoffs'][1]:.9f})"),
    ]

    # Example 1: x utilons for Bob cost x^2/2 resources, i.e. production sqrt(2y) inverts it.
    x = jnp.linspace(0.0, 4.0, 41)
    made = jax.vmap(lambda xx: F.production_of(jnp.full((2, 2), xx ** 2 / 2))[:, 1])(x)
    cost_err = float(jnp.max(jnp.abs(made - x[:, None])))  # both agents, any budget
    gains = u - np.asarray(d)
    slopes_nbs = np.asarray(frontier_slopes(F, jnp.asarray(y)))
    slopes_d = np.asarray(frontier_slopes(F, F.allocation(own)))  # Alice's is -inf (y_2 = 0)
    checks += [
        check("ex1.bob_cost", cost_err, 0.0, source="report (002), Example 1: 'to create x "
              "utilons for Bob ... invest ∫_0^x y dy = x²/2 resources'", rtol=0, atol=1e-12,
              note="max |g(x²/2) - x| for x in [0, 4], g(y) = √2·√y the library's production"),
        check("ex1.d_pareto_inferior", float(np.all(gains > 0)), 1.0, source="report (002), "
              "Example 1: '(10, √10) ... does not lie on the Pareto frontier'", rtol=0, atol=0,
              note=f"1 = the NBS gives both strictly more: gains {np.round(gains, 6).tolist()}"),
        check("ex1.equal_slopes_at_nbs", float(slopes_nbs[0] - slopes_nbs[1]), 0.0,
              source="report (002), §3.1: at a Pareto optimum the individual frontiers' slopes "
              "at the chosen actions are the same", rtol=0, atol=1e-6,
              note=f"Alice's and Bob's slopes at the NBS: {np.round(slopes_nbs, 9).tolist()} "
                   f"(-1/√(2s*)); at d they differ: {slopes_d.tolist()}"),
    ]

    front = np.asarray(frontier(F, int(params.get("frontier_points", 201))))
    cloud = random_allocations(int(params.get("random_points", 4000)), int(params.get("seed", 0)))
    figures = _plots(out_dir, front, cloud, np.asarray(d), u) if params.get("figures", True) else []

    results = {
        "disagreement": d,
        "nbs": {"payoffs": u, "A": A, "B": B, "allocation": y,
                "supporting_weights": sol.weights, "num_steps": sol.num_steps},
        "independent": ind,
        "certificates": {"nbs": {"name": "payoff_error_bound", "value": float(sol.gap),
                                 "tol": float(sol.tol), "status": status.name.lower()}},
    }
    return {"results": results, "checks": checks, "figures": figures}


if __name__ == "__main__":
    import sys

    sys.exit(main(__file__))
