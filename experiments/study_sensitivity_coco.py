r"""Sensitivity of CoCo equilibria of random 3-player games to the payoff tensor, at scale.

Source: gradients of every solution with respect to every continuous input and issue 5 item 3
("d(CoCo equilibrium)/d(payoff tensor) over a batch of games").

What is run: ``num_games`` random 2x2x2 games (standard-normal payoffs); for each,
:func:`bargainjax.coco_equilibrium` and the Jacobians ``∂u/∂U`` and ``∂a/∂U`` by
``jax.jacfwd`` through the solver (implicit differentiation of the face equations), all in one
:func:`bargainjax.sweep` (``vmap`` in chunks, compiled once).

Exact identities checked on every certified game (they follow from the affine invariance of the
CoCo equilibrium, the post, and are not used by the implementation):

* shift: adding ``c`` to all of player ``j``'s payoffs adds ``c δ_ij`` to ``u_i``, so
  ``Σ_x ∂u_i/∂U_j(x) = δ_ij``, and leaves ``a`` unchanged: ``Σ_x ∂a_k/∂U_j(x) = 0``;
* scale: multiplying player ``j``'s payoffs by ``c`` multiplies ``u_j`` by ``c`` and leaves the
  others: ``Σ_x U_j(x) ∂u_i/∂U_j(x) = δ_ij u_i`` (Euler).

Plus central finite differences of the solver on the first ``fd_games`` games.  The figure
shows how strongly a player's equilibrium payoff responds to their own payoffs vs. the other
players' payoffs (the "threat" channel), per face kind.
"""

from __future__ import annotations

import pathlib

import jax
import jax.numpy as jnp
import numpy as np

import bargainjax as bj
from bargainjax.experiment import check, main, pyplot, save_figure

SOURCE = "affine invariance and implicit differentiation of the CoCo equilibrium; issue 5 item 3"


def solver(U):
    r = bj.coco_equilibrium(U)
    f = lambda V: bj.coco_equilibrium(V)  # noqa: E731
    Ju = jax.jacfwd(lambda V: f(V).payoffs)(U)
    Ja = jax.jacfwd(lambda V: f(V).weights)(U)
    return {"payoffs": r.payoffs, "weights": r.weights, "certificate": r.certificate,
            "status": r.status, "face_kind": r.face_kind, "du_dU": Ju, "da_dU": Ja}


def run(params: dict, out_dir: pathlib.Path) -> dict:
    rng = np.random.default_rng(int(params.get("seed", 0)))
    G = int(params.get("num_games", 256))
    Us = rng.normal(size=(G, 3, 2, 2, 2))
    sw = bj.sweep(solver, jnp.asarray(Us), chunk_size=int(params.get("chunk_size", 128)),
                  progress=False)
    R = sw.results
    ok = np.asarray(R["status"]) == int(bj.Status.SUCCESSFUL)
    Ju = np.asarray(R["du_dU"]).reshape(G, 3, 3, -1)   # (game, i, j, outcome)
    Ja = np.asarray(R["da_dU"]).reshape(G, 3, 3, -1)
    u = np.asarray(R["payoffs"])
    flatU = Us.reshape(G, 3, -1)
    shift_u = np.abs(Ju.sum(-1) - np.eye(3)).max(axis=(1, 2))
    shift_a = np.abs(Ja.sum(-1)).max(axis=(1, 2))
    euler = np.einsum("gijx,gjx->gij", Ju, flatU)
    scale_u = np.abs(euler - np.eye(3)[None] * u[:, :, None]).max(axis=(1, 2))
    fd_games = int(params.get("fd_games", 3))
    h = 1e-6
    fd_err = []
    eq = jax.jit(lambda V: bj.coco_equilibrium(V).payoffs)
    for g in range(fd_games):
        if not ok[g]:
            continue
        J = np.zeros((3, 24))
        for k in range(24):
            E = np.zeros(24)
            E[k] = h
            J[:, k] = (np.asarray(eq(jnp.asarray(Us[g] + E.reshape(Us[g].shape))))
                       - np.asarray(eq(jnp.asarray(Us[g] - E.reshape(Us[g].shape))))) / (2 * h)
        fd_err.append(float(np.abs(J - Ju[g].reshape(3, 24)).max()))
    own = np.abs(Ju[:, [0, 1, 2], [0, 1, 2], :]).sum(-1)          # (G, 3) ‖∂u_i/∂U_i‖_1
    cross = np.abs(Ju).sum(-1).sum(-1) - own                       # ‖∂u_i/∂U_{-i}‖_1
    kinds = np.asarray(R["face_kind"])
    checks = [
        check("sensitivity.certified_fraction", float(ok.mean()), 1.0, source=SOURCE, rtol=0,
              atol=0.05, note=f"{int(ok.sum())}/{G} single-start equilibria certified"),
        check("sensitivity.shift_identity_payoffs", float(shift_u[ok].max()), 0.0, source=SOURCE,
              rtol=0, atol=1e-8, note="max over certified games of |Σ_x ∂u_i/∂U_j(x) - δ_ij|"),
        check("sensitivity.shift_identity_weights", float(shift_a[ok].max()), 0.0, source=SOURCE,
              rtol=0, atol=1e-8, note="max over certified games of |Σ_x ∂a_k/∂U_j(x)|"),
        check("sensitivity.scale_identity_payoffs", float(scale_u[ok].max()), 0.0, source=SOURCE,
              rtol=0, atol=1e-8, note="max over certified games of |Σ_x U_j ∂u_i/∂U_j - δ_ij u_i|"),
        check("sensitivity.finite_differences", max(fd_err) if fd_err else float("nan"), 0.0,
              source="central differences of the solver", rtol=0, atol=1e-6,
              note=f"max |J - FD| on {len(fd_err)} games (step {h:g})"),
    ]
    figures = _plot(out_dir, own[ok], cross[ok], kinds[ok]) if params.get("figures", True) else []
    results = {"num_games": G, "compile_seconds": sw.compile_seconds,
               "run_seconds": sw.run_seconds, "status_counts": {k.name: v for k, v in
                                                               sw.status_counts.items()
                                                               if hasattr(k, "name")},
               "face_kinds": np.bincount(kinds, minlength=len(bj.FACE_KINDS)).tolist(),
               "own_sensitivity_median": float(np.median(own[ok])),
               "cross_sensitivity_median": float(np.median(cross[ok])),
               "fd_errors": fd_err}
    return {"results": results, "checks": checks, "figures": figures}


def _plot(out_dir, own, cross, kinds):
    plt = pyplot()

    fig, ax = plt.subplots(figsize=(6, 4.5))
    for k, name in enumerate(bj.FACE_KINDS):
        m = kinds == k
        if m.any():
            ax.scatter(own[m].ravel(), cross[m].ravel(), s=6, label=name, alpha=0.6)
    ax.set_xlabel("‖∂u_i/∂U_i‖₁ (own payoffs)")
    ax.set_ylabel("‖∂u_i/∂U_j‖₁ summed over j ≠ i (others' payoffs)")
    ax.set_title("CoCo equilibrium sensitivity, random 2x2x2 games (face kind)")
    ax.legend()
    return [save_figure(fig, out_dir, "sensitivity_coco.png", dpi=120)]


if __name__ == "__main__":
    import sys

    sys.exit(main(__file__))
