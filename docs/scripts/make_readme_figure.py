"""Draw the README figure: a two-player feasible set with its Nash and Kalai–Smorodinsky
solutions, computed by bargainjax.

Run from the repository root (needs the ``plot`` extra):

    python docs/scripts/make_readme_figure.py

It writes ``docs/images/feasible_set.png`` (committed: it is documentation, not output).
"""

from __future__ import annotations

import pathlib

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import bargainjax as bj  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[1] / "images" / "feasible_set.png"

# Ann (rows: Dove, Hawk, Walk) and Bob (columns: Dove, Hawk); U[i, a_Ann, a_Bob].
U = jnp.array([[[4.0, 1.0], [6.0, 0.0], [2.0, 2.0]],
               [[3.0, 5.0], [1.0, 0.0], [0.0, 1.0]]])


def hull(points):
    """Convex hull of 2-D points, counter-clockwise (Andrew's monotone chain)."""
    pts = sorted(map(tuple, np.asarray(points)))

    def half(seq):
        h = []
        for p in seq:
            while len(h) >= 2 and ((h[-1][0] - h[-2][0]) * (p[1] - h[-2][1])
                                   - (h[-1][1] - h[-2][1]) * (p[0] - h[-2][0])) <= 0:
                h.pop()
            h.append(p)
        return h[:-1]

    return np.array(half(pts) + half(pts[::-1]))


def main() -> None:
    game = bj.normal_form_game(U, player_names=("Ann", "Bob"))
    F = bj.correlated_set(game)
    d = bj.security_levels(game).levels
    nbs = bj.check(bj.nash_bargaining(F, d))
    ks = bj.check(bj.kalai_smorodinsky(F, d))
    points = np.asarray(F.points)
    H = hull(points)
    d, u_nbs, u_ks = np.asarray(d), np.asarray(nbs.payoffs), np.asarray(ks.payoffs)

    fig, ax = plt.subplots(figsize=(4.2, 3.2), dpi=110)
    ax.fill(H[:, 0], H[:, 1], color="#dfe7f2", label="feasible set F")
    ax.plot(np.r_[H[:, 0], H[0, 0]], np.r_[H[:, 1], H[0, 1]], color="#7f93b3", lw=1)
    ax.plot(points[:, 0], points[:, 1], "k.", ms=4)
    ax.plot(*d, "s", color="#b22222", ms=5, label="disagreement d (security levels)")
    ax.plot([d[0], u_ks[0]], [d[1], u_ks[1]], ":", color="#555555", lw=1)
    ax.plot(*u_nbs, "o", color="#1f77b4", ms=7, label=f"Nash (1950): ({u_nbs[0]:.2f}, {u_nbs[1]:.2f})")
    ax.plot(*u_ks, "^", color="#ff7f0e", ms=7,
            label=f"Kalai–Smorodinsky: ({u_ks[0]:.2f}, {u_ks[1]:.2f})")
    ax.set_xlabel("Ann's payoff")
    ax.set_ylabel("Bob's payoff")
    ax.set_xlim(-0.3, 6.6)
    ax.set_ylim(-0.3, 5.6)
    ax.legend(loc="upper right", fontsize=6.5, frameon=False)
    fig.tight_layout()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, dpi=110)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes); NBS {u_nbs}, KS {u_ks}, d {d}")


if __name__ == "__main__":
    main()
