r"""One compiled program per command: what makes ``bargainjax solve`` answer in seconds.

A command such as ``bargainjax solve game.nfg --concept nbs`` computes the security levels and
then the Nash bargaining solution.  Run eagerly, that is hundreds of small operations, each
dispatched (and, in a fresh process, compiled) on its own.  :func:`run` instead traces the
whole computation once, as one XLA program, and compiles it once.

The compiled program depends only on the concept, its static options (tolerance, ``--ideal``,
work caps, whether a disagreement point or weights are given) and the *shapes* of its inputs,
never on the payoff values, so one program serves every game of the same size.  When the
persistent cache is on (the command's default; ``BARGAINJAX_CACHE=0`` turns it off), the
compiled executable is written to ``$XDG_CACHE_HOME/bargainjax/programs`` and a later process
loads it instead of tracing and compiling (if you set up JAX's own persistent compilation
cache, ``JAX_COMPILATION_CACHE_DIR``, that cache keeps the programs instead and a later
process traces the program and loads its executable from there): a warm ``solve`` costs Python's start-up, the
imports and the load.  The cache key holds the versions of bargainjax, jax and jaxlib, a hash
of the package's source, the backend and its devices, the precision mode and the program's own
key and input shapes; a stale or unreadable entry is recompiled and replaced.  ``bargainjax
warmup`` fills the cache for common shapes ahead of time.

With the cache off, a program is compiled for one use, and compilation dominates a small
game's run: it is then compiled at XLA's backend optimisation level 0
(:data:`UNCACHED_COMPILER_OPTIONS`), which saves about a third of the compile time (the same
operations, without the expensive LLVM passes).  A program written to the cache is compiled
with the default options: XLA cannot serialise an executable compiled at level 0, and a
program compiled once for many uses is worth optimising.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import jax
import numpy as np

UNCACHED_COMPILER_OPTIONS = {"xla_backend_optimization_level": "0"}
# Durations reported through ``jax.monitoring`` (next to JAX's own tracing and compile events),
# for profiles such as the latency benchmark's.
LOAD_EVENT = "/bargainjax/program_cache/load_duration"
SAVE_EVENT = "/bargainjax/program_cache/save_duration"

_COMPILED: OrderedDict = OrderedDict()  # in-process memo: key -> compiled executable
_MEMO_SIZE = 16  # the most recently used programs kept alive in one process
_SOURCE_HASH: str | None = None


def cache_on() -> bool:
    """Whether ``BARGAINJAX_CACHE`` leaves the persistent caches on (its default)."""
    return os.environ.get("BARGAINJAX_CACHE", "1").strip().lower() not in (
        "0", "", "no", "false", "off")


def _jax_cache_on() -> bool:
    return bool(os.environ.get("JAX_COMPILATION_CACHE_DIR")
                or jax.config.jax_compilation_cache_dir)


def cache_dir() -> Path | None:
    """Where compiled programs are kept, or ``None``: when the cache is off
    (``BARGAINJAX_CACHE=0``), or when JAX's own persistent compilation cache is set up (then
    it keeps the compiled programs; an executable it loaded cannot be serialised again)."""
    if not cache_on() or _jax_cache_on():
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "bargainjax" / "programs"


def persistent() -> bool:
    """Whether a compiled program outlives the process (in :func:`cache_dir` or JAX's cache)."""
    return cache_dir() is not None or _jax_cache_on()


def _source_hash() -> str:
    """SHA-256 of the package's Python source: an edited solver never loads an old program."""
    global _SOURCE_HASH
    if _SOURCE_HASH is None:
        root = Path(__file__).resolve().parents[1]
        h = hashlib.sha256()
        for path in sorted(root.rglob("*.py")):
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
        _SOURCE_HASH = h.hexdigest()
    return _SOURCE_HASH


def _signature(args) -> tuple:
    leaves, tree = jax.tree.flatten(args)
    return str(tree), tuple((np.shape(x), str(np.result_type(x))) for x in leaves)


def _disk_key(key, signature) -> str:
    import jaxlib

    device = jax.devices()[0]
    parts = (
        _source_hash(), jax.__version__, jaxlib.__version__, device.platform,
        getattr(device, "device_kind", ""), jax.config.jax_enable_x64,
        key, signature,
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _initialize_lapack() -> None:
    """Make LAPACK's custom-call targets callable, as jax does when it first lowers a
    linear-algebra operation: a loaded CPU executable calls them directly (without this, the
    call crashes the process)."""
    try:
        from jax._src.lax.linalg import initialize_lapack
    except ImportError:  # another jax layout: lower one LAPACK operation (no compilation)
        jax.jit(jax.numpy.linalg.svd).lower(np.eye(2))
    else:
        initialize_lapack()


def _load(path: Path):
    from jax.experimental import serialize_executable

    with open(path, "rb") as fh:
        payload, in_tree, out_tree, lapack = pickle.load(fh)  # noqa: S301 - our own cache
    if lapack:
        _initialize_lapack()
    # Compiled for the default device alone (uncommitted inputs), so loaded for it alone:
    # the default, every local device, would expect one input shard per device.
    return serialize_executable.deserialize_and_load(payload, in_tree, out_tree,
                                                     execution_devices=jax.devices()[:1])


def _save(path: Path, compiled) -> None:
    from jax.experimental import serialize_executable

    tmp = None
    try:
        lapack = "lapack" in (compiled.as_text() or "")  # calls LAPACK: initialise on load
        blob = pickle.dumps((*serialize_executable.serialize(compiled), lapack))
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as fh:
            tmp = fh.name
            fh.write(blob)
        os.replace(tmp, path)  # atomic: a concurrent reader sees all of it or nothing
    except Exception:  # noqa: BLE001 - the cache is an optimisation; the answer is already here
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def compile_program(fn: Callable, args: tuple, key) -> tuple[Callable, Path | None]:
    """The compiled executable of ``fn(*args)`` (one XLA program), from the in-process memo,
    the persistent cache (:func:`cache_dir`) or a fresh compilation, in that order, and the
    cache file it was loaded from (``None`` if it was not).

    ``key`` must determine ``fn`` given the shapes of ``args``: everything ``fn`` closes over
    (concept name, static options) goes into it, and it must be hashable and have a stable
    ``repr``.
    """
    signature = _signature(args)
    directory = cache_dir()
    memo_key = (key, signature, directory)  # compiled differently with and without the cache
    compiled = _COMPILED.get(memo_key)
    if compiled is not None:
        _COMPILED.move_to_end(memo_key)
        return compiled, None
    path = None if directory is None else directory / f"{_disk_key(key, signature)}.xla"
    loaded = None
    if path is not None:
        start = time.perf_counter()
        try:
            compiled = _load(path)
            loaded = path
            jax.monitoring.record_event_duration_secs(LOAD_EVENT, time.perf_counter() - start)
        except Exception:  # noqa: BLE001 - absent, stale, truncated or unreadable: compile
            compiled = None
    if compiled is None:
        options = None if persistent() else UNCACHED_COMPILER_OPTIONS
        compiled = jax.jit(fn, compiler_options=options).lower(*args).compile()
        if path is not None:
            start = time.perf_counter()
            _save(path, compiled)
            jax.monitoring.record_event_duration_secs(SAVE_EVENT, time.perf_counter() - start)
    _COMPILED[memo_key] = compiled
    if len(_COMPILED) > _MEMO_SIZE:
        _COMPILED.popitem(last=False)
    return compiled, loaded


def run(fn: Callable, *args, key):
    """``fn(*args)`` computed by one compiled program (:func:`compile_program`); the result's
    arrays come back as NumPy arrays.  A cached program that fails to run is removed and
    compiled afresh."""
    args = tuple(jax.tree.map(np.asarray, a) for a in args)
    compiled, loaded = compile_program(fn, args, key)
    try:
        out = jax.block_until_ready(compiled(*args))
    except Exception:  # noqa: BLE001
        if loaded is None:
            raise
        loaded.unlink(missing_ok=True)
        _COMPILED.clear()
        compiled, _ = compile_program(fn, args, key)
        out = compiled(*args)
    return jax.tree.map(np.asarray, out)
