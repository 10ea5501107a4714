r"""The CoCo equilibrium's special cases from the blog post and the report's Example 60.

Source: "Unifying Bargaining Notions (2/2)" (Diffractor, 2022), the answers to its
"CoCo Equilibrium Questions" 1-3 and Theorem 1; report (002) Example 60 / Table 6.

(a) Answer 1, scale-and-shift invariance: for ``V_i = c_i U_i + b_i`` (``c_i > 0``) the CoCo
    equilibrium of ``V`` is the image of that of ``U``: payoffs ``c ∘ u + b``, weights ``a / c``
    (renormalised).  Random 2-player (3x3) and 3-player (2x2x2) games.  For three players
    uniqueness is open (the post), so the mapped game is solved from the mapped weights (the
    claim checked is that the mapped point *is* an equilibrium the solver certifies there).
(b) Answer 2, bargaining games: player 1 proposes one of ``K`` outcomes (or rejects), the others
    accept or reject, any rejection gives ``d``: the CoCo equilibrium is the NBS from ``d``
    (:func:`bargainjax.nash_bargaining` on the correlated set).  2 and 3 players.  Every
    player must be able to *force* ``d`` (the proposer by its reject action): then every fight
    ``R`` vs ``-R`` has value ``Σ_R a_i d_i - Σ_{-R} a_j d_j`` and ``φ`` splits the surplus over
    ``d`` equally in curnits, which is the NBS condition on the supporting face.  Without the
    proposer's reject (``d`` feasible but not enforceable by player 1) the claim is false: the
    responders can accept a proposal bad for player 1, and the certified CoCo equilibrium moves
    off the NBS (``results["bargaining"]["n3_no_proposer_reject"]`` keeps the comparison).
(c) Transferable utility (the construction the CoCo equilibrium generalises): with
    ``transferable_utility=True`` the equilibrium is ``a = 1/n`` and ``u`` = the CoCo value.
(d) Answer 3 / Theorem 1: coalition-perfect CoCo (condition 4) ⇔ coalition-perfect Harsanyi
    (condition 4′).  Tables built to satisfy 4 (by coalition size; ``Z_S`` free) have 4′
    residual ≈ 0; tables built to satisfy 4′ (Harsanyi dividends ``w^R_j = c_R / a_j``) have 4
    residual ≈ 0; random tables violate both (a control).  Residuals from
    :func:`bargainjax.coco_condition_residuals` / :func:`bargainjax.harsanyi_condition_residuals`.
(e) Report Example 60 (rows b1, b2 get the first number): the CoCo equilibrium equals Nash's
    threat solution (2.5, 4.75) (for two players they coincide).  The example's own
    printed numbers (Nash equilibrium, threat point, Table 6(b), the NBS) are checked in
    ``experiments/report_example_60_threat.py``.
"""

from __future__ import annotations

import math
import pathlib

import jax.numpy as jnp
import numpy as np

import bargainjax as bj
from bargainjax.experiment import check, main, pyplot, save_figure

POST = "blog post (001)"
EX60 = "report (002), Example 60, Table 6"
SUCCESS = int(bj.Status.SUCCESSFUL)


# ------------------------------------------------------------------------- (a) invariance


def affine_invariance(rng, n, num_games):
    """Max relative payoff / weight error between mapped solution and solution of mapped game."""
    shape = (2, 3, 3) if n == 2 else (3, 2, 2, 2)
    pay_err, w_err, certified, tried = 0.0, 0.0, 0, 0
    rows = []
    while tried < num_games:
        U = rng.integers(-5, 6, size=shape).astype(float) if n == 2 else rng.normal(size=shape)
        r1 = bj.coco_equilibrium(U)
        if r1.status != SUCCESS:
            continue  # only certified solutions are mapped (counted below)
        tried += 1
        c = rng.uniform(0.5, 3.0, size=n)
        b = rng.uniform(-3.0, 3.0, size=n)
        ex = (slice(None),) + (None,) * n
        V = c[ex] * U + b[ex]
        w = r1.weights / c
        w = w / w.sum()
        r2 = bj.coco_equilibrium(V) if n == 2 else bj.coco_equilibrium(V, initial_weights=w)
        certified += int(r2.status == SUCCESS)
        pe = float(np.max(np.abs(r2.payoffs - (c * r1.payoffs + b))) / np.ptp(V))
        we = float(np.max(np.abs(r2.weights - w)))
        pay_err, w_err = max(pay_err, pe), max(w_err, we)
        rows.append({"scale": c, "shift": b, "payoffs": r1.payoffs, "mapped_payoffs": r2.payoffs,
                     "weights": r1.weights, "mapped_weights": r2.weights,
                     "payoff_error_rel": pe, "weight_error": we})
    return pay_err, w_err, certified / tried, rows


# --------------------------------------------------------------------- (b) bargaining game


def bargaining_game(outcomes, d):
    """``n`` = ``outcomes.shape[1]`` players.  n = 2: player 1 proposes one of the K outcomes or
    rejects (last action), player 2 accepts (0) or rejects (1).  n = 3: player 1 proposes, players
    2 and 3 each accept or reject (each player, the proposer included, can force ``d``).  Any
    rejection gives ``d``."""
    K, n = outcomes.shape
    if n == 2:
        U = np.empty((2, K + 1, 2))
        U[:, :, 1] = d[:, None]
        U[:, K, 0] = d
        U[:, :K, 0] = outcomes.T
        return U
    # The proposer needs its own "reject" (last action): without it d is still *feasible*, but
    # player 1 alone cannot *force* d, so the fight {1} vs {2, 3} (responders accepting a
    # proposal bad for player 1) moves the threat values off d and the CoCo equilibrium off the
    # NBS (seen with seed 0: an outcome with u_1 < d_1 gave a certified equilibrium 1.86 away).
    U = np.empty((3, K + 1, 2, 2))
    U[:] = d[:, None, None, None]
    U[:, :K, 0, 0] = outcomes.T
    return U


def proposer_reject_diagnostic():
    """A 3-player game (found with an earlier seed) where dropping the proposer's reject moves
    the certified CoCo equilibrium off the NBS: outcome 1 gives player 1 less than d_1."""
    outcomes = np.array([[0.7863003716563988, 6.526145763366385, 2.738490985995572],
                         [7.0265207065978625, 9.438014269420908, 1.2681710226124776]])
    d = np.array([1.4591131816030964, -1.7621433935986461, -0.47691796675644227])
    out = {"outcomes": outcomes, "d": d}
    for label, U in (("with_reject", bargaining_game(outcomes, d)),
                     ("without_reject", bargaining_game(outcomes, d)[:, :-1])):
        res = bj.coco_equilibrium(U)
        nbs = np.asarray(bj.nash_bargaining(bj.correlated_set(bj.normal_form_game(U)),
                                            d).payoffs)
        out[label] = {"coco_equilibrium": res.payoffs, "nbs": nbs,
                      "error": float(np.max(np.abs(res.payoffs - nbs))),
                      "certificate": float(res.certificate),
                      "status": bj.Status(int(res.status)).name.lower()}
    return out


def bargaining_cases(rng, n, num_games):
    err, ok, rows = 0.0, 0, []
    for _ in range(num_games):
        outcomes = rng.uniform(0.0, 10.0, size=(2, n))
        d = rng.uniform(-2.0, 2.0, size=n)
        U = bargaining_game(outcomes, d)
        res = bj.coco_equilibrium(U)
        nbs = np.asarray(bj.nash_bargaining(bj.correlated_set(bj.normal_form_game(U)), d).payoffs)
        e = float(np.max(np.abs(res.payoffs - nbs)))
        err = max(err, e)
        ok += int(res.status == SUCCESS)
        rows.append({"outcomes": outcomes, "d": d, "coco_equilibrium": res.payoffs, "nbs": nbs,
                     "error": e, "status": bj.Status(int(res.status)).name.lower()})
    return err, ok / num_games, rows


# ------------------------------------------------------------------------ (c) transferable


def tu_cases(rng, num_games):
    w_err, u_err, ok = 0.0, 0.0, 0
    for k in range(num_games):
        shape = (2, 3, 3) if k % 2 == 0 else (3, 2, 2, 2)
        n = shape[0]
        U = rng.normal(size=shape)
        res = bj.coco_equilibrium(U, transferable_utility=True)
        w_err = max(w_err, float(np.max(np.abs(res.weights - 1.0 / n))))
        u_err = max(u_err, float(np.max(np.abs(res.payoffs - np.asarray(bj.coco_value(U).value)))))
        ok += int(res.status == SUCCESS)
    return w_err, u_err, ok / num_games


# ------------------------------------------------------------------------- (d) Theorem 1


def _size(S):
    return bin(S).count("1")


def _subsets(S):
    R = S
    while R:
        yield R
        R = (R - 1) & S


def coco_table(a, n, rng):
    """A table satisfying condition 4 at every coalition, built by size: the R = S term of
    condition 4 is Z_S/|S| (Z_S drawn freely), the other terms involve only smaller coalitions."""
    u = np.zeros((2**n, n))
    for S in sorted(range(1, 2**n), key=_size):
        s = _size(S)
        ZS = rng.normal()
        for i in range(n):
            if not S >> i & 1:
                continue
            known = 0.0
            for R in _subsets(S):
                if R >> i & 1 and R != S:
                    r = _size(R)
                    c = math.factorial(r - 1) * math.factorial(s - r) / math.factorial(s)
                    ZR = sum(a[j] * u[R, j] for j in range(n) if R >> j & 1)
                    ZC = sum(a[j] * u[S ^ R, j] for j in range(n) if (S ^ R) >> j & 1)
                    known += c * (ZR - ZC)
            u[S, i] = (ZS / s + known) / a[i]
    return u


def harsanyi_table(a, n, rng):
    """A table satisfying 4′ at every coalition: dividends w^R_j = c_R / a_j, u = ζ(w)."""
    c = rng.normal(size=2**n)
    w = np.asarray(bj.members(n)) * (c[:, None] / a[None, :])
    return np.asarray(bj.from_dividends(jnp.asarray(w)))


def theorem_1(rng, ns, per_n):
    to_h, to_c, violated, total, rows = 0.0, 0.0, 0, 0, []
    for n in ns:
        multi = [S for S in range(2**n) if _size(S) >= 2]
        for _ in range(per_n):
            a = rng.uniform(0.2, 3.0, n)
            u = coco_table(a, n, rng)
            r4 = float(np.abs(bj.coco_condition_residuals(a, u)).max())
            r4p = float(np.abs(bj.harsanyi_condition_residuals(a, u)).max())
            to_h = max(to_h, r4p)
            u2 = harsanyi_table(a, n, rng)
            s4p = float(np.abs(bj.harsanyi_condition_residuals(a, u2)).max())
            s4 = float(np.abs(bj.coco_condition_residuals(a, u2)).max())
            to_c = max(to_c, s4)
            u3 = np.asarray(bj.members(n)) * rng.normal(size=(2**n, n))
            r = np.abs(np.asarray(bj.coco_condition_residuals(a, u3)))[multi].max()
            h = np.abs(np.asarray(bj.harsanyi_condition_residuals(a, u3)))[multi].max()
            violated += int(r > 1e-6 and h > 1e-6)
            total += 1
            rows.append({"n": n, "built_for_4": {"res_4": r4, "res_4prime": r4p},
                         "built_for_4prime": {"res_4prime": s4p, "res_4": s4},
                         "random": {"res_4": float(r), "res_4prime": float(h)}})
    return to_h, to_c, violated / total, rows


# ----------------------------------------------------------------------- (e) Example 60


def example_60():
    A = np.array([[4.0, 2.0, -4.0], [5.0, 3.0, -3.0]])  # row (b) player: first numbers
    B = np.array([[4.0, 5.0, 2.0], [2.0, 3.0, 2.0]])
    U = np.stack([A, B])
    game = bj.normal_form_game(U)
    res = bj.coco_equilibrium(game)
    tp = bj.threat_point(U)
    return U, res, tp


def _hull(points):
    """Convex hull of 2-D points (Andrew's monotone chain), counter-clockwise, closed."""
    pts = sorted(set(map(tuple, np.round(points, 12))))

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    h = lower[:-1] + upper[:-1]
    return np.array(h + [h[0]])


def _plot(out_dir, U, res, d):
    plt = pyplot()

    P = U.reshape(2, -1).T
    H = _hull(P)
    a = np.asarray(res.weights)
    u = np.asarray(res.payoffs)
    fig, ax = plt.subplots(figsize=(6.0, 5.4))
    ax.fill(H[:, 0], H[:, 1], color="0.88", label="feasible set conv U")
    ax.plot(H[:, 0], H[:, 1], color="0.4", lw=1)
    ax.plot(P[:, 0], P[:, 1], "k.", ms=6)
    x = np.linspace(P[:, 0].min() - 0.5, P[:, 0].max() + 0.5, 50)
    ax.plot(x, (a @ u - a[0] * x) / a[1], "--", color="tab:blue",
            label=f"supporting line a·u = a·u*, a = ({a[0]:.3f}, {a[1]:.3f})")
    ax.plot(*d, "o", color="red", ms=8, label=f"threat point ({d[0]:.2f}, {d[1]:.2f})")
    ax.plot(*u, "o", color="green", ms=8, label=f"CoCo equilibrium ({u[0]:.2f}, {u[1]:.2f})")
    ax.set(title="Report Example 60: CoCo equilibrium = threat solution",
           xlabel="row (b) player's utility", ylabel="column (a) player's utility",
           ylim=(P[:, 1].min() - 1, P[:, 1].max() + 1.5))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=7, ncol=2)
    return [save_figure(fig, out_dir, "ex60_feasible_set.png")]


# ------------------------------------------------------------------------------- run


def run(params: dict, out_dir: pathlib.Path) -> dict:
    rng = np.random.default_rng(int(params.get("seed", 0)))
    n2, n3 = int(params.get("affine_games_2", 3)), int(params.get("affine_games_3", 2))
    b2, b3 = int(params.get("bargaining_games_2", 3)), int(params.get("bargaining_games_3", 2))

    pe2, we2, ok2, aff2 = affine_invariance(rng, 2, n2)
    pe3, we3, ok3, aff3 = affine_invariance(rng, 3, n3)
    be2, bok2, barg2 = bargaining_cases(rng, 2, b2)
    be3, bok3, barg3 = bargaining_cases(rng, 3, b3)
    no_reject = proposer_reject_diagnostic()
    tw, tu, tok = tu_cases(rng, int(params.get("tu_games", 4)))
    to_h, to_c, viol, thm = theorem_1(rng, (3, 4), int(params.get("theorem_tables", 3)))
    U60, res60, tp60 = example_60()
    d60 = np.asarray(tp60.disagreement)

    a1 = f"{POST}, answer 1 (scale-and-shift invariance)"
    a2 = f"{POST}, answer 2 (bargaining games: CoCo equilibrium = NBS)"
    checks = [
        check("affine.n2.payoff_error", pe2, 0.0, source=a1, rtol=0, atol=1e-7,
              note=f"max over {n2} random 3x3 games of |u(cU+b) - (c∘u(U)+b)| / range; "
                   f"certified {ok2:.0%} of mapped games"),
        check("affine.n2.weight_error", we2, 0.0, source=a1, rtol=0, atol=1e-6,
              note="weights rescale inversely: a(cU+b) ∝ a(U)/c"),
        check("affine.n3.payoff_error", pe3, 0.0, source=a1, rtol=0, atol=1e-5,
              note=f"{n3} random 2x2x2 games; the mapped game is solved from the mapped "
                   f"weights (uniqueness for n >= 3 is open); certified {ok3:.0%}"),
        check("affine.n3.weight_error", we3, 0.0, source=a1, rtol=0, atol=1e-5,
              note="weights rescale inversely"),
        check("bargaining.n2.error", be2, 0.0, source=a2, rtol=0, atol=1e-5,
              note=f"max |CoCo equilibrium - NBS(d)| over {b2} games (2 proposals, accept/reject); "
                   f"certified {bok2:.0%}"),
        check("bargaining.n3.error", be3, 0.0, source=a2, rtol=0, atol=1e-5,
              note=f"{b3} games: player 1 proposes 1 of 2 outcomes or rejects, players 2 and 3 "
                   "accept/reject (without the proposer's reject the claim fails: module doc); "
                   f"certified {bok3:.0%}"),
        check("tu.weights_error", tw, 0.0, source=f"{POST}, CoCo-equilibrium construction "
              "(transferable utility: the CoCo value)", rtol=0, atol=1e-12,
              note="a = 1/n with transferable_utility=True (2- and 3-player games)"),
        check("tu.payoffs_vs_coco_value", tu, 0.0, source=f"{POST}, CoCo-equilibrium "
              "construction", rtol=0, atol=1e-9,
              note=f"max |u - coco_value(U)|; certified {tok:.0%}"),
        check("thm1.cond4_implies_4prime", to_h, 0.0, source=f"{POST}, answer 3, Theorem 1",
              rtol=0, atol=1e-10, note="max |4′ residual| on tables built to satisfy condition "
              "4 at every coalition (n = 3, 4)"),
        check("thm1.cond4prime_implies_4", to_c, 0.0, source=f"{POST}, answer 3, Theorem 1",
              rtol=0, atol=1e-10, note="max |4 residual| on tables built to satisfy 4′ "
              "(dividends w^R_j = c_R/a_j)"),
        check("thm1.random_violate_both", viol, 1.0, source="control (not in the post)", rtol=0,
              atol=0.0, note="fraction of random tables with both residuals > 1e-6 at some "
              "coalition of size >= 2: the residuals are not vacuous"),
        check("ex60.threat_solution", res60.payoffs, tp60.payoffs, source="the post (two players: "
              "CoCo equilibrium = variable-threat solution); report (002) Example 60", rtol=0,
              atol=1e-6, note="CoCo equilibrium vs bj.threat_point's NBS payoffs (the report's "
              "(5.5, 2.75) + threat point (-3, 2) = (2.5, 4.75)); CoCo weights "
              f"({res60.weights[0]:.6f}, {res60.weights[1]:.6f}); the example's printed numbers "
              "are checked in report_example_60_threat"),
    ]
    figures = _plot(out_dir, U60, res60, d60) if params.get("figures", True) else []
    results = {
        "affine_invariance": {"n2": aff2, "n3": aff3},
        "bargaining": {"n2": barg2, "n3": barg3,
                       "n3_no_proposer_reject": no_reject},
        "transferable_utility": {"weights_error": tw, "payoff_error": tu},
        "theorem_1": thm,
        "example_60": {"payoffs": U60, "coco_equilibrium": res60.payoffs,
                       "weights": res60.weights, "threat_point": d60,
                       "threat_solution": tp60.payoffs, "face": res60.face},
        "certificates": {
            "ex60.coco_equilibrium": {"name": "coco_certificate", "value": float(res60.certificate),
                                      "tol": 1e-6,
                                      "status": bj.Status(int(res60.status)).name.lower()},
            "ex60.threat_point": {"name": "max_improvement", "value": float(tp60.max_improvement),
                                  "tol": 1e-7 * float(np.ptp(U60)),
                                  "status": "certified" if tp60.is_threat_point else "uncertified"},
        },
    }
    return {"results": results, "checks": checks, "figures": figures}


if __name__ == "__main__":
    import sys

    sys.exit(main(__file__))
