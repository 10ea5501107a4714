r"""``bargainjax sweep CONFIG.toml``: one solution concept over a batch of games and parameters.

A sweep config is a TOML file (an example: ``configs/sweeps/nbs_random_3p.toml``)::

    concept = "nbs"            # zero-sum, utilitarian, nbs, ksbs, egalitarian, coco-value or
                               # coco-equilibrium (one start each; bj.coco_equilibria adds more)
    chunk_size = 256           # instances per compiled call (bounds memory); default 1024
    tol = 1e-6                 # optional: the solver's certificate tolerance (default its own)

    [games]                    # the games: random ones ...
    source = "random"
    num_actions = [3, 3, 3]    # one entry per player
    count = 1024
    seed = 0
    low = -1.0                 # payoffs uniform on [low, high]
    high = 1.0
    # ... or one Gambit file:  source = "nfg", file = "bos.nfg" (relative to the config)

    [grid]                     # optional; every game is solved at every grid point
    disagreement = [[0.0, 0.0], [0.5, 0.5]]                   # a list of points, or
    # disagreement = {start = [0.0, 0.0], stop = [1.0, 0.5], num = 11}   # a segment
    weights = [[1.0, 1.0], [2.0, 1.0]]                        # same two forms

``tol`` is passed to the solver as is (dimensionless, in the units of the concept's
certificate, which ``summary.json`` states); it must be one the solver can certify in the
precision at hand: the NBS certificate's rounding floor is about ``1e-7`` in float64, so an
``nbs`` sweep with ``tol = 1e-9`` reports every instance ``imprecise`` (exit 1).  Keys passed
straight through to the library function, for the concepts they belong to:

* ``ideal = "rational"`` or ``"feasible"`` (``ksbs``): each player's ideal payoff over the
  individually rational part :math:`\{u \in F : u \ge d\}` (the default: Kalai and
  Smorodinsky's 1975 ideal point) or over all of :math:`F` (the convention of the Bayesian
  bargaining report);
* work caps, refused at once (exit 2, naming the key) when a game exceeds them:
  ``max_coalitions`` (``coco-value``; default 4096 coalitions, i.e. 12 players) and
  ``max_players`` (``coco-equilibrium``; default 5, every step fighting all ``2**n``
  coalitions).

The batch is the product *games × disagreement points × weights*, in that order (the last
varies fastest), so instance ``b`` is game ``b // P`` at grid point ``b % P``.  Without a
disagreement grid, ``nbs``, ``ksbs`` and ``egalitarian`` start from every game's security levels
(maximin against all others), as ``bargainjax solve`` does; ``weights`` are the bargaining
powers of ``nbs``, the weights of ``utilitarian`` and the CoCo weights ``a`` of ``coco-value``.
The concepts, their options and their per-instance solvers come from the one registry that
``solve`` reads, :data:`bargainjax.cli._registry.CONCEPTS`; a concept registered without a
per-instance solver is refused with its reason (``threat``: no batch builder yet).

The batch runs through :func:`bargainjax.sweep` (one compilation of the vmapped per-instance
solver for all chunks; chunks sharded over the global devices :func:`jax.devices`) and the
command writes, into ``--out DIR``:

* ``summary.json`` (strict JSON; ``null`` where a number is not finite): the config, the batch
  size, devices and processes, compile and run seconds, the count per
  :class:`~bargainjax.Status`, the batch ``status`` and ``message`` (the first failing
  instance's, else successful: the one batch rule :func:`bargainjax.core._contract.batch_status`,
  as ``bj.check``) and the certificate's name, units, maximum and median;
* ``results.npz``: per instance ``payoffs`` and the results' own ``certificate``, ``tol``,
  ``status`` and ``num_steps``, the inputs (``disagreement_input``, ``weights_input``,
  ``game_index``, ``grid_index``) and the concept's own fields; from security levels also
  their ``disagreement_gap`` (certificate) and ``disagreement_status``, and ``status`` is then
  the security levels' failure if they failed, else the concept's;
* ``certificates.png`` (histogram of ``log10(certificate / tol)``) and ``payoffs.png`` (the
  first two players' payoffs, failures marked), when matplotlib is installed.

Every instance's ``certificate``, ``tol`` and ``status`` are the result's own: the command
computes no status or tolerance of its own.  Exit status as for ``solve``, by the batch status:
0 every instance ``successful``; 1 the first failing instance's status is ``max_steps_reached``,
``nonfinite``, ``degenerate`` or ``imprecise`` (the files are still written and the status
counts printed); 2 the first failing instance's status is ``infeasible`` (a disagreement point
that no feasible payoff strictly improves on: the concept does not apply there, files written
too), or an error (a bad config, a game above a work cap; one line on standard error).

Several hosts: start the same command on every host with ``--distributed`` (it calls
:func:`jax.distributed.initialize` before JAX touches a device; the coordinator comes from the
cluster's environment, e.g. Slurm, or from ``JAX_COORDINATOR_ADDRESS``, ``JAX_NUM_PROCESSES``
and ``JAX_PROCESS_ID``).  Every process builds the same batch from the config, the chunks are
sharded over all processes' devices, every process gets the full results, and only process 0
writes the files.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import pathlib
import tomllib
from typing import NamedTuple

import jax
import numpy as np

import bargainjax as bj
from bargainjax.cli._common import CommandError, exit_code
from bargainjax.cli._registry import CONCEPTS, IDEALS, SECURITY_SOURCE, Concept, batchable
from bargainjax.core._contract import batch_status

DEFAULT_CHUNK = 1024
_GAME_KEYS = {"source", "num_actions", "count", "seed", "low", "high", "file"}
_GRID_KEYS = {"disagreement", "weights"}


def _pass_keys() -> tuple:
    """The config keys some concept passes straight through to its library function
    (:attr:`~bargainjax.cli._registry.Concept.batch_keywords`), in registration order."""
    keys = {}
    for concept in batchable().values():
        keys.update(dict.fromkeys(concept.batch_keywords))
    return tuple(keys)


def _top_keys() -> set:
    return {"concept", "chunk_size", "tol", "games", "grid", "title", *_pass_keys()}


@functools.cache
def per_instance_solver(concept: str, n: int, security: bool, has_weights: bool, tol,
                        keywords: tuple = ()):
    """The per-instance solver of ``{"U", "d", "w"}`` (one object per setting, so that
    :func:`bargainjax.sweep` reuses its compiled chunk within a process); ``keywords`` is a
    tuple of ``(key, value)`` pairs of the concept's pass-through config keys."""
    return CONCEPTS[concept].batch(n, security, has_weights, tol, dict(keywords))


# ------------------------------------------------------------------------------- config


def _points(spec, what: str, n: int) -> np.ndarray:
    """A grid axis: a list of ``n``-vectors, or ``{start, stop, num}`` (a segment)."""
    if isinstance(spec, dict):
        extra = set(spec) - {"start", "stop", "num"}
        if extra or not {"start", "stop", "num"} <= set(spec):
            raise CommandError(f"grid.{what} as a table needs exactly start, stop and num; "
                               f"got keys {sorted(spec)}")
        num = spec["num"]
        if isinstance(num, bool) or not isinstance(num, int) or num < 1:
            raise CommandError(f"grid.{what}.num must be a positive integer, got {num!r}")
        start = _points([spec["start"]], what + ".start", n)[0]
        stop = _points([spec["stop"]], what + ".stop", n)[0]
        return start + np.linspace(0.0, 1.0, num)[:, None] * (stop - start)
    try:
        arr = np.asarray(spec, dtype=float)
    except (TypeError, ValueError):
        raise CommandError(f"grid.{what} must be a list of {n}-vectors of numbers") from None
    if arr.ndim != 2 or arr.shape[1] != n or arr.shape[0] < 1:
        raise CommandError(f"grid.{what} must be a non-empty list of {n}-vectors (one entry per "
                           f"player), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise CommandError(f"grid.{what} entries must be finite")
    return arr


def _random_games(g: dict) -> np.ndarray:
    sizes = g.get("num_actions")
    if (not isinstance(sizes, list) or len(sizes) < 2
            or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes)):
        raise CommandError("games.num_actions must be a list of at least two positive integers "
                           f"(actions per player), got {sizes!r}")
    count, seed = g.get("count"), g.get("seed", 0)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise CommandError(f"games.count must be a positive integer, got {count!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise CommandError(f"games.seed must be a non-negative integer, got {seed!r}")
    low, high = g.get("low", -1.0), g.get("high", 1.0)
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
               for v in (low, high)) or not low < high:
        raise CommandError(f"games.low < games.high must be finite numbers, got {low!r}, "
                           f"{high!r}")
    rng = np.random.default_rng(seed)
    return rng.uniform(low, high, (count, len(sizes), *sizes))


def _nfg_games(g: dict, base: pathlib.Path) -> np.ndarray:
    if not isinstance(g.get("file"), str):
        raise CommandError("games.file must name a Gambit .nfg file (relative to the config)")
    path = base / g["file"]
    try:
        game = bj.read_nfg(path)
    except OSError as err:
        raise CommandError(f"cannot read {path}: {err.strerror or err}") from None
    return np.asarray(game.payoffs, float)[None]


class Batch(NamedTuple):
    """The instances of a sweep: ``inputs`` (``{"U", "d", "w"}`` with leading axis ``B``) and
    where each came from."""

    inputs: dict
    game_index: np.ndarray
    grid_index: np.ndarray
    security: bool
    has_weights: bool


def load_sweep(path) -> tuple[dict, Concept, Batch]:
    """Read and check a sweep config; return ``(config, concept, batch)``."""
    path = pathlib.Path(path)
    try:
        cfg = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise CommandError(f"cannot read {path}: {err.strerror or err}") from None
    except tomllib.TOMLDecodeError as err:
        raise CommandError(f"{path}: not valid TOML: {err}") from None
    top_keys, pass_keys = _top_keys(), _pass_keys()
    unknown = set(cfg) - top_keys
    if unknown:
        raise CommandError(f"{path}: unknown key(s) {sorted(unknown)}; expected some of "
                           f"{sorted(top_keys)}")
    name = cfg.get("concept")
    concept = CONCEPTS.get(name) if isinstance(name, str) else None
    if concept is not None and concept.batch is None:
        raise CommandError(f"concept {name!r} cannot be swept: {concept.not_batchable}; use "
                           f"`bargainjax solve` per game")
    if concept is None:
        raise CommandError(f"concept must be one of {', '.join(batchable())}, got {name!r}")
    chunk = cfg.get("chunk_size", DEFAULT_CHUNK)
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise CommandError(f"chunk_size must be a positive integer, got {chunk!r}")
    tol = cfg.get("tol")
    if tol is not None and (isinstance(tol, bool) or not isinstance(tol, (int, float))
                            or not (tol > 0 and math.isfinite(tol))):
        raise CommandError(f"tol must be a positive number, got {tol!r}")

    g = cfg.get("games")
    if not isinstance(g, dict):
        raise CommandError(f"{path}: a [games] table is required")
    if set(g) - _GAME_KEYS:
        raise CommandError(f"games: unknown key(s) {sorted(set(g) - _GAME_KEYS)}")
    source = g.get("source")
    if source == "random":
        U = _random_games(g)
    elif source == "nfg":
        U = _nfg_games(g, path.parent)
    else:
        raise CommandError(f"games.source must be 'random' or 'nfg', got {source!r}")
    n = U.shape[1]
    if concept.two_players and n != 2:
        raise CommandError(f"{name} needs two-player games; these have {n} players")
    for key in pass_keys:
        if key in cfg and key not in concept.batch_keywords:
            raise CommandError(f"{key} does not apply to concept {name}")
    if "ideal" in cfg and cfg["ideal"] not in IDEALS:
        raise CommandError(f"ideal must be one of {', '.join(IDEALS)}, got {cfg['ideal']!r}")
    for key in pass_keys:  # the work caps
        if key == "ideal":
            continue
        cap = cfg.get(key, 1)
        if isinstance(cap, bool) or not isinstance(cap, int) or cap < 1:
            raise CommandError(f"{key} must be a positive integer, got {cap!r}")

    grid = cfg.get("grid", {})
    if not isinstance(grid, dict) or set(grid) - _GRID_KEYS:
        raise CommandError(f"grid: unknown key(s) {sorted(set(grid) - _GRID_KEYS)}; expected "
                           "disagreement and/or weights")
    for key, ok in (("disagreement", concept.disagreement), ("weights", concept.weights)):
        if key in grid and not ok:
            raise CommandError(f"grid.{key} does not apply to concept {name}")
    D = _points(grid["disagreement"], "disagreement", n) if "disagreement" in grid else None
    W = _points(grid["weights"], "weights", n) if "weights" in grid else None
    if W is not None and not np.all(W > 0):
        raise CommandError("grid.weights entries must be positive")
    nd = 1 if D is None else len(D)
    nw = 1 if W is None else len(W)
    G, P = U.shape[0], nd * nw
    game_index = np.repeat(np.arange(G), P)
    grid_index = np.tile(np.arange(P), G)
    d = np.zeros((P, n)) if D is None else np.repeat(D, nw, axis=0)
    w = np.ones((P, n)) if W is None else np.tile(W, (nd, 1))
    inputs = {"U": U[game_index], "d": d[grid_index], "w": w[grid_index]}
    batch = Batch(inputs, game_index, grid_index, concept.disagreement and D is None, W is not None)
    return cfg, concept, batch


# ------------------------------------------------------------------------------ outputs


def _figures(out_dir: pathlib.Path, res: dict, concept: Concept) -> list:
    try:  # imported here: matplotlib is optional and slow to import
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    ok = res["status"] == 0
    cert, tol = res["certificate"], res["tol"]
    ratio = np.where(np.isfinite(cert), np.maximum(cert, 1e-300) / np.maximum(tol, 1e-300), np.nan)
    fig, ax = plt.subplots(figsize=(5, 3.2))
    vals = np.log10(np.maximum(ratio[np.isfinite(ratio)], 1e-20))
    ax.hist(vals, bins=40, color="tab:blue")
    ax.axvline(0.0, color="k", lw=0.8, ls="--")
    ax.set_xlabel("log10(certificate / tol)  (success: <= 0)")
    ax.set_ylabel("instances")
    ax.set_title(f"{concept.name}: {concept.certificate}")
    fig.tight_layout()
    fig.savefig(out_dir / "certificates.png", dpi=110)
    plt.close(fig)
    u = res["payoffs"]
    fig, ax = plt.subplots(figsize=(4, 4))
    ax.scatter(u[ok, 0], u[ok, 1], s=4, alpha=0.5, label="certified")
    if np.any(~ok):
        ax.scatter(u[~ok, 0], u[~ok, 1], s=14, marker="x", color="tab:red",
                   label="not certified")
    ax.set_xlabel("payoff of player 1")
    ax.set_ylabel("payoff of player 2")
    ax.set_title(f"{concept.name}: payoffs")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out_dir / "payoffs.png", dpi=110)
    plt.close(fig)
    return ["certificates.png", "payoffs.png"]


def _finite_or_none(x):
    """A float for strict JSON: ``None`` where it is not finite."""
    x = float(x)
    return x if math.isfinite(x) else None


def _strict(obj):
    """``obj`` with every non-finite float replaced by ``None`` (TOML has ``nan`` and ``inf``)."""
    if isinstance(obj, float):
        return _finite_or_none(obj)
    if isinstance(obj, dict):
        return {k: _strict(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_strict(v) for v in obj]
    return obj


def _summary(cfg, concept, batch, out, res, devices) -> dict:
    cert, tol = res["certificate"], res["tol"]
    finite = np.isfinite(cert) & np.isfinite(tol) & (tol > 0)
    counts = {bj.Status(k).name.lower() if isinstance(k, bj.Status) else str(k): int(c)
              for k, c in out.status_counts.items()}
    status = batch_status(res["status"])
    return {
        "concept": concept.name,
        "config": _strict(cfg),
        "instances": int(cert.shape[0]),
        "num_games": int(batch.game_index.max() + 1),
        "grid_points": int(batch.grid_index.max() + 1),
        "disagreement_source": (SECURITY_SOURCE
                                if batch.security else "grid" if concept.disagreement else None),
        # over the instances whose certificate and tol are finite (null if none is)
        "certificate": {"name": concept.certificate, "units": concept.units,
                        "max": _finite_or_none(cert[finite].max()) if finite.any() else None,
                        "median": (_finite_or_none(np.median(cert[finite])) if finite.any()
                                   else None),
                        "max_over_tol": (_finite_or_none(np.max(cert[finite] / tol[finite]))
                                         if finite.any() else None)},
        "status": status.name.lower(),
        "message": status.message,
        "status_counts": counts,
        "num_failed": int(out.num_failed),
        "num_chunks": out.num_chunks,
        "chunk_size": out.chunk_size,
        "num_devices": out.num_devices,
        "devices": [str(d) for d in devices],
        "process_count": jax.process_count(),
        "compile_seconds": out.compile_seconds,
        "run_seconds": out.run_seconds,
        "seconds_per_instance": out.seconds_per_instance,
    }


def run_sweep(config, out_dir, *, devices: int | None = None, progress: bool = True) -> dict:
    """Run the sweep of ``config`` and write its files into ``out_dir`` (process 0 only).

    Returns the summary (also ``out_dir/summary.json``).
    """
    cfg, concept, batch = load_sweep(config)
    all_devices = jax.devices()  # global: every process's devices under jax.distributed
    chosen = None  # bj.sweep's default: shard over all of jax.devices() when there are several
    if devices is not None:
        if not 1 <= devices <= len(all_devices):
            raise CommandError(f"--devices must be between 1 and {len(all_devices)} (the "
                               f"devices JAX sees), got {devices}")
        all_devices = chosen = all_devices[:devices]
    n = batch.inputs["U"].shape[1]
    keywords = tuple((k, cfg[k]) for k in concept.batch_keywords if k in cfg)
    solver = per_instance_solver(concept.name, n, batch.security, batch.has_weights,
                                 cfg.get("tol"), keywords)
    try:
        out = bj.sweep(solver, batch.inputs, chunk_size=cfg.get("chunk_size", DEFAULT_CHUNK),
                       progress=progress and jax.process_index() == 0, devices=chosen)
    except ValueError as err:  # a work cap (eager, while tracing) or bad input: one line
        msg = " ".join(str(err).split()) or type(err).__name__
        hint = [k for k in concept.caps if k in msg]
        raise CommandError(msg + "".join(f" (in the config: {k} = N)" for k in hint)) from err
    res = {k: np.asarray(v) for k, v in out.results.items()}
    summary = _summary(cfg, concept, batch, out, res, all_devices)
    if jax.process_index() == 0:
        out_dir = pathlib.Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(out_dir / "results.npz", game_index=batch.game_index,
                            grid_index=batch.grid_index, disagreement_input=batch.inputs["d"],
                            weights_input=batch.inputs["w"], **res)
        summary["figures"] = _figures(out_dir, res, concept)
        (out_dir / "summary.json").write_text(json.dumps(summary, indent=2, allow_nan=False)
                                              + "\n", encoding="utf-8")
    return summary


def _initialize_distributed() -> None:
    """``jax.distributed.initialize()`` with ``JAX_NUM_PROCESSES`` / ``JAX_PROCESS_ID`` from the
    environment when set (JAX itself reads only ``JAX_COORDINATOR_ADDRESS``; on Slurm, Open MPI
    and TPU pods it detects all three)."""
    kwargs = {}
    for env, key in (("JAX_NUM_PROCESSES", "num_processes"), ("JAX_PROCESS_ID", "process_id")):
        text = os.environ.get(env, "").strip()
        if text:
            try:
                kwargs[key] = int(text)
            except ValueError:
                raise CommandError(f"{env} must be an integer, got {text!r}") from None
    jax.distributed.initialize(**kwargs)


def _cmd_sweep(args) -> int:
    if args.distributed:
        _initialize_distributed()
    out_dir = args.out or str(pathlib.Path("out") / ("sweep-" + pathlib.Path(args.config).stem))
    s = run_sweep(args.config, out_dir, devices=args.devices, progress=not args.quiet)
    if jax.process_index() != 0:
        out_dir = "nothing (process 0 writes)"
    cert = s["certificate"]
    counts = ", ".join(f"{k} {v}" for k, v in s["status_counts"].items() if v)
    cmax = "-" if cert["max"] is None else f"{cert['max']:.3g}"
    print(f"{s['concept']}: {s['instances']} instances ({s['num_games']} games x "
          f"{s['grid_points']} grid points) on {s['num_devices']} device(s), "
          f"{s['process_count']} process(es); {counts}; max {cert['name']} "
          f"{cmax}; compile {s['compile_seconds']:.2f} s, run {s['run_seconds']:.2f} "
          f"s ({1e6 * s['seconds_per_instance']:.1f} us/instance); wrote {out_dir}")
    # the batch status decides, as in solve (the one batch rule,
    # bargainjax.core._contract.batch_status, as summary.json records it)
    code = exit_code(bj.Status[s["status"].upper()])
    if code:
        raise CommandError(f"{s['concept']}: {s['num_failed']} of {s['instances']} instances "
                           f"were not certified ({counts}; first failure {s['status']}: "
                           f"{s['message']}); see {out_dir}/results.npz", code)
    return 0


def add_subcommand(sub) -> None:
    """Add ``sweep`` to the ``bargainjax`` command's subparsers."""
    s = sub.add_parser("sweep", help="solve a batch of games / parameters from a TOML config",
                       description="Run one solution concept over a batch (random games or an "
                       ".nfg file, times a grid of disagreement points and weights), chunked, "
                       "compiled once and sharded over the devices; write DIR/summary.json, "
                       "DIR/results.npz and plots.")
    s.add_argument("config", metavar="CONFIG.toml")
    s.add_argument("--out", metavar="DIR", help="output folder (default out/sweep-<config>)")
    s.add_argument("--devices", type=int, metavar="N",
                   help="use the first N of jax.devices() (default: all, over every process)")
    s.add_argument("--distributed", action="store_true",
                   help="call jax.distributed.initialize() first (multi-host runs)")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    s.set_defaults(func=_cmd_sweep)

