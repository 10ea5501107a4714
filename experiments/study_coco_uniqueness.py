r"""Uniqueness study: do random 3-player games have more than one CoCo equilibrium payoff?

Source: the post leaves uniqueness of the CoCo equilibrium open for ``n >= 3``
asks the library to look for several equilibria of one game.  (For two players it is unique:
Nash 1953.)

What is run: random 3-player games with independent standard-normal payoffs, shapes 2x2x2 and
3x3x3.  Every game is solved from ``num_starts`` starting weights (uniform plus Dirichlet(1)
draws) in ONE batched call per shape: :func:`bargainjax.sweep` over games of
``jax.vmap`` over starts of :func:`bargainjax.coco_equilibrium` (compiled once per shape,
chunked).  For each game the certified solutions (status ``SUCCESSFUL``: exact certificate
``<= tol`` relative to the payoff range) are deduplicated by payoffs (within ``10 tol`` × range).
Games with no certified start, and a sample of the others, are searched again with
:func:`bargainjax.coco_equilibria` (more starts and the exact face enumeration over every set of
at most 3 outcome points) for the 2x2x2 games.

What it can show: a game with two certified, distinct payoff vectors is a proof of
non-uniqueness (both are listed with their certificates).  Finding one per game proves nothing:
the search is local plus (for 2x2x2) a face enumeration from one starting point per face.
"""

from __future__ import annotations

import pathlib

import jax
import jax.numpy as jnp
import numpy as np

import bargainjax as bj
from bargainjax.experiment import check, main, pyplot, save_figure

SOURCE = "blog post 001 (CoCo equilibrium; uniqueness open for n >= 3)"
SUCCESS = int(bj.Status.SUCCESSFUL)


def _solver(tol):
    def solve(inputs):
        U, starts = inputs
        r = jax.vmap(lambda s: bj.coco_equilibrium(U, tol=tol, initial_weights=s))(starts)
        return {"payoffs": r.payoffs, "weights": r.weights, "certificate": r.certificate,
                "status": r.status, "face_kind": r.face_kind}
    return solve


def distinct_payoffs(payoffs, certified, scale, tol):
    """Distinct rows of ``payoffs[certified]`` (within ``10 tol × scale`` in max norm)."""
    out: list = []
    for u in payoffs[certified]:
        if all(np.max(np.abs(u - v)) > 10 * tol * scale for v in out):
            out.append(u)
    return out


def study(shape, num_games, num_starts, tol, seed, chunk_size, recheck):
    rng = np.random.default_rng(seed)
    n = shape[0]
    Us = rng.normal(size=(num_games,) + shape)
    starts = np.concatenate([np.full((num_games, 1, n), 1.0 / n),
                             rng.dirichlet(np.ones(n), size=(num_games, num_starts - 1))], axis=1)
    sw = bj.sweep(_solver(tol), (jnp.asarray(Us), jnp.asarray(starts)), chunk_size=chunk_size,
                  progress=False)
    res = sw.results
    status = np.asarray(res["status"])
    cert = np.asarray(res["certificate"])
    payoffs = np.asarray(res["payoffs"])
    ok = status == SUCCESS
    counts, multiple, rechecked = [], [], []
    for g in range(num_games):
        scale = float(np.ptp(Us[g]))
        found = distinct_payoffs(payoffs[g], ok[g], scale, tol)
        if recheck and (not found or g < recheck):
            R = bj.coco_equilibria(Us[g], num_starts=num_starts, tol=tol,
                                   key=jax.random.PRNGKey(g))
            extra = [np.asarray(s.payoffs) for s in R.solutions if int(s.status) == SUCCESS]
            for u in extra:
                if all(np.max(np.abs(u - v)) > 10 * tol * scale for v in found):
                    found.append(u)
            rechecked.append(g)
        counts.append(len(found))
        if len(found) > 1:
            multiple.append({"game": g, "payoffs": Us[g], "equilibria": found})
    counts = np.array(counts)
    return {
        "shape": list(shape), "num_games": num_games, "num_starts": num_starts, "tol": tol,
        "compile_seconds": sw.compile_seconds, "run_seconds": sw.run_seconds,
        "solves": int(status.size), "certified_solves": int(ok.sum()),
        "games_certified": int(np.sum(counts >= 1)), "games_rechecked": len(rechecked),
        "games_with_multiple": len(multiple), "distinct_per_game": np.bincount(counts).tolist(),
        "max_certificate_reported": float(cert[ok].max()) if ok.any() else None,
        "median_certificate_reported": float(np.median(cert[ok])) if ok.any() else None,
        "multiple": multiple,
    }, cert[ok]


def _plot(out_dir, rows, certs):
    plt = pyplot()

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for row, c in zip(rows, certs):
        label = "x".join(map(str, row["shape"][1:]))
        axes[0].hist(np.log10(np.maximum(c, 1e-18)), bins=40, alpha=0.6, label=label)
        k = np.arange(len(row["distinct_per_game"]))
        axes[1].bar(k + (0.2 if label == "3x3x3" else -0.2), row["distinct_per_game"], width=0.4,
                    label=label)
    axes[0].set_xlabel("log10 certificate (certified solves)")
    axes[0].set_ylabel("solves")
    axes[0].legend()
    axes[1].set_xlabel("distinct certified equilibrium payoffs per game")
    axes[1].set_ylabel("games")
    axes[1].set_yscale("log")
    axes[1].legend()
    fig.suptitle("CoCo equilibria of random 3-player games")
    return [save_figure(fig, out_dir, "coco_uniqueness.png", dpi=120)]


def run(params: dict, out_dir: pathlib.Path) -> dict:
    tol = float(params.get("tol", 1e-6))
    seed = int(params.get("seed", 0))
    chunk = int(params.get("chunk_size", 128))
    r2, c2 = study((3, 2, 2, 2), int(params["games_222"]), int(params["num_starts"]), tol, seed,
                   chunk, int(params.get("recheck_222", 0)))
    r3, c3 = study((3, 3, 3, 3), int(params["games_333"]), int(params["num_starts"]), tol,
                   seed + 1, chunk, 0)
    checks = []
    for label, r in (("2x2x2", r2), ("3x3x3", r3)):
        frac = r["games_certified"] / r["num_games"]
        checks.append(check(
            f"uniqueness.{label}.reported_certified", float(r["max_certificate_reported"] <= tol),
            1.0, source=SOURCE, rtol=0,
            note=f"every reported equilibrium is certified (max certificate "
                 f"{r['max_certificate_reported']:.2e} <= tol {tol:g})"))
        checks.append(check(
            f"uniqueness.{label}.games_certified_fraction", frac, 1.0, source=SOURCE, rtol=0,
            atol=0.05,
            note=f"{r['games_certified']}/{r['num_games']} games have a certified equilibrium "
                 f"({r['certified_solves']}/{r['solves']} solves); "
                 f"{r['games_with_multiple']} games with more than one distinct payoff vector "
                 f"(distinct per game: {r['distinct_per_game']})"))
    figures = _plot(out_dir, [r2, r3], [c2, c3]) if params.get("figures", True) else []
    return {"results": {"2x2x2": r2, "3x3x3": r3}, "checks": checks, "figures": figures}


if __name__ == "__main__":
    import sys

    sys.exit(main(__file__))
