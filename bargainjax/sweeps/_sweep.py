r"""Sweeps: one solver over a large batch of instances, in chunks, on every device.

:func:`sweep` maps a per-instance solver over a batch of inputs,

.. math:: r_b = \mathrm{solver}(x_b), \qquad b = 0, \dots, B-1,

by running ``jax.jit(jax.vmap(solver))`` on consecutive chunks of ``C`` instances, so that memory
stays bounded by one chunk while a single compilation serves the whole batch:

* the batch is cut into :math:`K = \lceil B / C \rceil` chunks of the same shape; the last one is
  padded by repeating its last instance, and the padded results are dropped;
* the vmapped solver is lowered and compiled **once** (ahead of time, on the first chunk; kept
  for later sweeps of the same ``solver`` object) and the compiled executable runs every
  chunk, so ``compile_seconds`` and ``run_seconds`` are reported separately, and
  ``run_seconds / B`` is the steady-state time per instance;
* chunk :math:`k+1` is dispatched before chunk :math:`k` is copied back to the host, so host
  transfers overlap device work; a ``tqdm`` progress bar counts finished chunks;
* the results come back as NumPy arrays with leading axis ``B``; when the result has a
  ``status`` field (every bargainjax result does) the number of instances per
  :class:`~bargainjax.Status` is counted.

Bad instances never stop the batch: under ``jit`` the solvers report NaN/inf inputs, infeasible
disagreement points and unconverged iterations through ``status`` instead of raising, and
``vmap`` keeps instances independent, so one bad instance cannot change the others' results.
Check ``status_counts`` (or ``bj.check(out.results)``) afterwards.

**Devices.** With more than one device (or an explicit ``devices`` list) every chunk is placed
on the 1-D mesh ``Mesh(devices, ("batch",))`` with
``NamedSharding(mesh, PartitionSpec("batch"))`` on its leading axis: device :math:`j` of
:math:`D` holds instances :math:`jC/D, \dots, (j+1)C/D - 1` of the chunk and the vmapped solve
runs data-parallel with no communication (``C`` is rounded up to a multiple of :math:`D`).  The
results are identical to an unsharded sweep.  To try it on a CPU, set
``XLA_FLAGS=--xla_force_host_platform_device_count=4`` *before* importing JAX.

**Several hosts.** The same code runs unchanged under ``jax.distributed``: start one process per
host (or per GPU), call :func:`jax.distributed.initialize` first thing in each (on Slurm, TPU
pods and most clusters it needs no arguments; otherwise pass ``coordinator_address``,
``num_processes`` and ``process_id``), then call :func:`sweep` with the *same* ``inputs`` on
every process::

    import jax
    jax.distributed.initialize()          # before any other JAX call
    import bargainjax as bj

    out = bj.sweep(solver, inputs)         # identical on every process

:func:`jax.devices` then lists the devices of all processes, so every process builds the same
global mesh; each process places only the rows of a chunk that belong to its own (addressable)
devices (``jax.make_array_from_callback``), all processes run the same compiled program, and the
results are all-gathered so that every process returns the full ``results``.  Pass
``progress=jax.process_index() == 0`` to show a single bar.

Example:
    >>> import jax.numpy as jnp, numpy as np, bargainjax as bj
    >>> P = np.random.default_rng(0).uniform(size=(100, 8, 3))   # 100 games: 8 points in R^3
    >>> out = bj.sweep(lambda P: bj.nash_bargaining(bj.polytope(P), jnp.zeros(3)), P,
    ...                chunk_size=64, progress=False)
    >>> out.results.payoffs.shape, out.num_chunks, out.status_counts[bj.Status.SUCCESSFUL]
    ((100, 3), 2, 100)
"""

from __future__ import annotations

import math
import time
import weakref
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import jax
import numpy as np
from jax.experimental import multihost_utils
from jax.sharding import Mesh, NamedSharding, PartitionSpec
from tqdm import tqdm

from bargainjax.core._contract import Status, batch_status

__all__ = ["SweepResult", "sweep"]


class SweepResult(NamedTuple):
    """Output of :func:`sweep`.

    Attributes:
        results: the solver's output pytree with every leaf stacked over the batch (NumPy
            arrays, leading axis ``B``, in input order).
        status_counts: ``{Status: count}`` over ``results.status`` (every :class:`Status`
            member, zeros included, plus any other code found as an ``int`` key), or ``None``
            when the result has no ``status`` field.
        num_chunks: number of chunks run.
        chunk_size: instances per chunk actually used (``min(chunk_size, B)`` rounded up to a
            multiple of ``num_devices``).
        num_devices: devices the batch axis was sharded over (``1``: unsharded).
        compile_seconds: wall time to lower and compile the vmapped solver (once).
        run_seconds: wall time to run all chunks, including host transfers.
    """

    results: Any
    status_counts: dict | None
    num_chunks: int
    chunk_size: int
    num_devices: int
    compile_seconds: float
    run_seconds: float

    @property
    def num_failed(self) -> int | None:
        """Instances whose status is not ``SUCCESSFUL`` (``None`` without a status)."""
        if self.status_counts is None:
            return None
        return int(sum(c for s, c in self.status_counts.items() if s != Status.SUCCESSFUL))

    @property
    def status(self) -> Status | None:
        """The batch's status by the one batch rule (:func:`bargainjax.core._contract.batch_status`:
        the first failing instance's, else ``SUCCESSFUL``); ``None`` without a status."""
        status = _status_field(self.results)
        return None if status is None else batch_status(status)

    @property
    def seconds_per_instance(self) -> float:
        """``run_seconds`` divided by the batch size (compilation excluded)."""
        return self.run_seconds / _leading(self.results)


def _leading(tree) -> int:
    return int(np.shape(jax.tree_util.tree_leaves(tree)[0])[0])


def _as_batch(inputs):
    """Validate ``inputs``; return (leaves as NumPy arrays, treedef, batch size)."""
    leaves, treedef = jax.tree_util.tree_flatten(inputs)
    if not leaves:
        raise ValueError("`inputs` has no array leaves; pass a pytree of arrays with a "
                         "leading batch axis")
    arrays = []
    for leaf in leaves:
        a = leaf if isinstance(leaf, np.ndarray) else np.asarray(leaf)
        if a.ndim == 0:
            raise ValueError("every leaf of `inputs` needs a leading batch axis; got a scalar "
                             f"leaf ({a!r})")
        arrays.append(a)
    sizes = {a.shape[0] for a in arrays}
    if len(sizes) > 1:
        shapes = ", ".join(str(a.shape) for a in arrays)
        raise ValueError("the leaves of `inputs` must share their leading (batch) axis; got "
                         f"shapes {shapes}")
    (batch,) = sizes
    if batch == 0:
        raise ValueError("`inputs` is an empty batch (leading axis 0); nothing to sweep")
    return arrays, treedef, batch


def _chunk(arrays, start, size):
    """Rows ``start:start+size`` of every array, padded by repeating the last row."""
    out = []
    for a in arrays:
        c = a[start:start + size]
        if c.shape[0] < size:
            c = np.concatenate([c, np.repeat(c[-1:], size - c.shape[0], axis=0)], axis=0)
        out.append(c)
    return out


def _place(chunk, sharding):
    if sharding is None:
        return [jax.device_put(c) for c in chunk]
    # make_array_from_callback only touches this process's devices: the same call works on one
    # host and under jax.distributed (where each process holds the full inputs).
    return [jax.make_array_from_callback(c.shape, sharding, lambda idx, c=c: c[idx])
            for c in chunk]


def _to_host(leaves):
    out = []
    for x in leaves:
        if getattr(x, "is_fully_addressable", True):
            out.append(np.asarray(x))
        else:  # multi-host: gather the global array onto every process
            out.append(np.asarray(multihost_utils.process_allgather(x, tiled=True)))
    return out


def _status_field(results):
    """``results.status`` (or ``results["status"]``), or ``None``."""
    status = getattr(results, "status", None)
    if status is None and isinstance(results, dict):
        status = results.get("status")
    return status


def _status_counts(results):
    status = _status_field(results)
    if status is None:
        return None
    codes, counts = np.unique(np.asarray(status).astype(np.int64), return_counts=True)
    out: dict = {s: 0 for s in Status}
    for code, count in zip(codes.tolist(), counts.tolist()):
        key = Status(code) if code in Status._value2member_map_ else int(code)
        out[key] = int(count)
    return out


# Compiled executables per solver (like jax.jit, keyed on the function object): a second sweep
# of the same solver over chunks of the same shapes, dtypes and sharding does not recompile.
_COMPILED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _cache_get(solver, key):
    try:
        return _COMPILED.get(solver, {}).get(key)
    except TypeError:  # not weak-referenceable or unhashable
        return None


def _cache_put(solver, key, compiled):
    try:
        _COMPILED.setdefault(solver, {})[key] = compiled
    except TypeError:
        pass


def sweep(
    solver: Callable[[Any], Any],
    inputs,
    *,
    chunk_size: int = 1024,
    progress: bool = True,
    devices: Sequence[jax.Device] | None = None,
) -> SweepResult:
    r"""Run ``solver`` on every instance of a batch: chunked, compiled once, sharded.

    Args:
        solver: function of one pytree of per-instance inputs (the leaves of ``inputs`` without
            their leading axis) returning a pytree, typically a bargainjax result, e.g.
            ``lambda P: bj.nash_bargaining(bj.polytope(P), jnp.zeros(3))``.  It must be
            traceable by ``jax.jit`` and ``jax.vmap`` (every bargainjax solver is).
        inputs: pytree of arrays (NumPy or JAX) whose leaves share a leading batch axis ``B``.
            It is copied to host memory; chunks are sent to the devices one at a time.
        chunk_size: instances per compiled call (default 1024); bounds device memory.  It is
            lowered to ``B`` when the batch is smaller and rounded up to a multiple of the
            number of devices.
        progress: show a ``tqdm`` progress bar over chunks (on stderr).
        devices: devices to shard each chunk over along its leading axis.  Default: all of
            :func:`jax.devices` when there is more than one, else no sharding.

    Returns:
        :class:`SweepResult` ``(results, status_counts, num_chunks, chunk_size, num_devices,
        compile_seconds, run_seconds)``; ``results`` has NumPy leaves with leading axis ``B``.

    Raises:
        ValueError: if ``inputs`` has no leaves, a scalar leaf, leaves with different leading
            axes, or an empty batch; if ``chunk_size`` is not a positive integer; if
            ``devices`` is empty.
        TypeError: if ``solver`` is not callable.

    Like ``jax.jit``, compiled code is cached on the ``solver`` object: sweeping the same
    function again over chunks of the same shapes, dtypes and sharding reuses it
    (``compile_seconds`` is then ~0).  A new ``lambda`` per call compiles anew.

    Bad instances (NaN/inf, infeasible disagreement points, non-convergence) do not raise:
    they come back with a non-zero ``status`` and leave the other instances untouched.
    """
    if not callable(solver):
        raise TypeError(f"`solver` must be callable, got {type(solver).__name__}")
    if (isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer))
            or chunk_size < 1):
        raise ValueError(f"`chunk_size` must be a positive integer, got {chunk_size!r}")
    arrays, treedef, batch = _as_batch(inputs)

    if devices is None:
        devs = list(jax.devices())
        shard = len(devs) > 1
    else:
        devs = list(devices)
        if not devs:
            raise ValueError("`devices` is empty; pass None (all devices) or a list of devices")
        shard = True
    num_devices = len(devs) if shard else 1
    size = min(int(chunk_size), batch)
    size = math.ceil(size / num_devices) * num_devices
    num_chunks = math.ceil(batch / size)
    sharding = (NamedSharding(Mesh(np.asarray(devs), ("batch",)), PartitionSpec("batch"))
                if shard else None)

    def batched(*leaves):
        return solver(jax.tree_util.tree_unflatten(treedef, list(leaves)))

    bar = tqdm(total=num_chunks, disable=not progress, desc="sweep (compiling)", unit="chunk")
    try:
        t0 = time.perf_counter()
        first = _place(_chunk(arrays, 0, size), sharding)
        key = (treedef, tuple((x.shape, x.dtype) for x in first), sharding)
        compiled = _cache_get(solver, key)
        if compiled is None:
            compiled = jax.jit(jax.vmap(batched)).lower(*first).compile()
            _cache_put(solver, key, compiled)
        compile_seconds = time.perf_counter() - t0
        bar.set_description("sweep")
        bar.reset()  # the rate shown is the run rate, compilation excluded
        failed = 0

        t0 = time.perf_counter()
        host_chunks = []
        out_tree = None
        pending = compiled(*first)  # dispatched asynchronously
        for k in range(1, num_chunks + 1):
            nxt = None
            if k < num_chunks:  # dispatch chunk k before fetching chunk k-1
                nxt = compiled(*_place(_chunk(arrays, k * size, size), sharding))
            leaves, out_tree = jax.tree_util.tree_flatten(pending)
            host = _to_host(leaves)
            host_chunks.append(host)
            status = getattr(jax.tree_util.tree_unflatten(out_tree, host), "status", None)
            if status is not None:
                valid = min(size, batch - (k - 1) * size)  # padded rows are not counted
                failed += int(np.count_nonzero(np.asarray(status)[:valid]))
                bar.set_postfix(failed=failed, refresh=False)
            bar.update(1)
            pending = nxt
        stacked = [np.concatenate(parts, axis=0)[:batch] for parts in zip(*host_chunks)]
        run_seconds = time.perf_counter() - t0
    finally:
        bar.close()

    results = jax.tree_util.tree_unflatten(out_tree, stacked)
    return SweepResult(results, _status_counts(results), num_chunks, size, num_devices,
                       compile_seconds, run_seconds)
