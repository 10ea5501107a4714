"""The benchmarks' one timer of JAX calls, and the per-instance loop timer of their baselines.

:func:`time_jax` is the single implementation every benchmark uses for our (JAX) side:

* the first call of each function (tracing + XLA compilation + one run) is timed on its own
  and excluded from the statistic (``first_s``);
* every call is followed by ``jax.block_until_ready`` (JAX dispatches asynchronously, so
  without it a timer measures the dispatch, not the computation);
* the statistic is the median of ``repeats`` calls (robust to load from other processes on a
  shared machine); the individual runs are kept (``runs_s``).

Several functions passed together are run round-robin (one call of each per round), so that
load from other processes hits them alike, which matters when their ratio is reported.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any

import jax


@dataclass(frozen=True)
class Timing:
    """Seconds of one function: ``first_s`` (first call: compile + run, excluded), the
    ``median_s`` of the ``runs_s`` after it, and the output of the first call ``out``."""

    first_s: float
    median_s: float
    runs_s: list
    out: Any

    @property
    def min_s(self) -> float:
        return min(self.runs_s)


def time_jax(fns, *args, repeats: int = 3):
    """Time ``fn(*args)``: a :class:`Timing` for one function, a list for a list of them.

    Args:
        fns: a callable returning JAX arrays (usually ``jax.jit``-ed or an AOT-compiled
            executable), or a list of them (timed round-robin).
        *args: the arguments, the same for every call.
        repeats: timed calls per function after the first (at least 1).
    """
    single = callable(fns)
    fns = [fns] if single else list(fns)
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1, got {repeats}")
    firsts, outs = [], []
    for fn in fns:
        t0 = time.perf_counter()
        outs.append(jax.block_until_ready(fn(*args)))
        firsts.append(time.perf_counter() - t0)
    runs = [[] for _ in fns]
    for _ in range(repeats):
        for j, fn in enumerate(fns):
            t0 = time.perf_counter()
            jax.block_until_ready(fn(*args))
            runs[j].append(time.perf_counter() - t0)
    timings = [Timing(f, statistics.median(r), r, o) for f, r, o in zip(firsts, runs, outs)]
    return timings[0] if single else timings


def time_loop(fn, items):
    """Seconds per item of ``[fn(item) for item in items]`` (a baseline solved one instance at a
    time in Python, e.g. scipy or cvxpy), and the results."""
    t0 = time.perf_counter()
    results = [fn(item) for item in items]
    return (time.perf_counter() - t0) / len(items), results
