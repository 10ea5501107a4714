"""sweep: chunked, compiled-once, sharded batch solves.

Every test holds on any device count: run the file once more under
``XLA_FLAGS=--xla_force_host_platform_device_count=4`` (as CI does) and the default sweeps shard
over the four devices, with chunks rounded up to a multiple of four.
"""

import logging
import math
import os
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import bargainjax as bj
from bargainjax.sweeps._sweep import SweepResult, sweep

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _nbs(x):
    P, d = x
    return bj.nash_bargaining(bj.polytope(P), d)


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _compile_messages(fn):
    """Run ``fn()`` under ``jax.log_compiles``; return its result and the compile messages."""
    logger = logging.getLogger("jax")
    handler, level = _Records(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        with jax.log_compiles():
            out = fn()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return out, [m for m in handler.messages if m.startswith("Compiling ")]


def _check_layout(out, requested, batch, num_devices=None):
    """What :func:`sweep` promises about its chunks on ``num_devices`` devices (default: every
    device of :func:`jax.devices`, which the default sweep shards over when there are several):
    the chunk is ``min(requested, batch)`` rounded up to the next multiple of the device count,
    ``ceil(batch / chunk)`` chunks run, and the padding of the last chunk is dropped."""
    num_devices = jax.device_count() if num_devices is None else num_devices
    smallest = min(requested, batch)
    assert out.num_devices == num_devices
    assert out.chunk_size % num_devices == 0
    assert smallest <= out.chunk_size < smallest + num_devices
    assert out.num_chunks == math.ceil(batch / out.chunk_size)
    for leaf in jax.tree_util.tree_leaves(out.results):
        assert leaf.shape[0] == batch


@pytest.fixture(scope="module")
def nbs_batch():
    """10 NBS problems (8 points in R^3), one with a NaN payoff, one with an infeasible d,
    swept in chunks of 4 (3 chunks, the last padded by 2) with compilations logged."""
    rng = np.random.default_rng(7)
    P = rng.uniform(0.0, 1.0, (10, 8, 3))
    d = np.zeros((10, 3))
    P[3, 2, 1] = np.nan  # NaN payoff
    d[7] = 5.0  # no point of [0, 1]^3 improves on d
    out, compiles = _compile_messages(lambda: sweep(_nbs, (P, d), chunk_size=4, progress=False))
    return P, d, out, compiles


def test_one_compilation_serves_all_chunks(nbs_batch):
    _, _, out, compiles = nbs_batch
    assert len(compiles) == 1, compiles
    # compiled for one chunk, not the batch: 3 chunks of 4 on one device, 3 of 4 on four
    assert f"{out.chunk_size},8,3" in compiles[0].replace(" ", "")
    assert isinstance(out, SweepResult)
    _check_layout(out, 4, 10)
    assert out.compile_seconds > 0 and out.run_seconds > 0
    assert out.seconds_per_instance == pytest.approx(out.run_seconds / 10)


def test_results_stacked_in_input_order(nbs_batch):
    _, _, out, _ = nbs_batch
    r = out.results
    assert isinstance(r, bj.BargainingSolution)
    assert isinstance(r.payoffs, np.ndarray) and r.payoffs.shape == (10, 3)
    assert r.status.shape == (10,) and r.status.dtype == np.int32
    assert r.disagreement[7].tolist() == [5.0, 5.0, 5.0]  # padding dropped, order kept


def test_bad_instances_do_not_poison_the_batch(nbs_batch):
    P, d, out, _ = nbs_batch
    status = out.results.status
    assert status[7] == bj.Status.INFEASIBLE
    assert status[3] in (bj.Status.NONFINITE, bj.Status.INFEASIBLE)
    good = [i for i in range(10) if i not in (3, 7)]
    assert np.all(status[good] == 0)
    assert out.status_counts[bj.Status.SUCCESSFUL] == 8
    assert sum(out.status_counts.values()) == 10 and out.num_failed == 2
    assert set(out.status_counts) == set(bj.Status)
    # the one batch rule: the first failing instance in input order (instance 3)
    assert out.status == bj.Status(status[3]) == bj.batch_status(status)
    solve = jax.jit(_nbs)
    for i in good:
        ref = solve((P[i], d[i]))
        assert int(ref.status) == 0
        np.testing.assert_allclose(out.results.payoffs[i], ref.payoffs, rtol=0, atol=1e-12)
        np.testing.assert_allclose(out.results.weights[i], ref.weights, rtol=0, atol=1e-10)
        np.testing.assert_allclose(out.results.strategy[0][i], ref.strategy[0], atol=1e-10)
    assert np.all(np.isfinite(out.results.payoffs[good]))


def test_generic_pytrees_progress_and_no_status(capsys):
    x = {"a": np.arange(7.0), "b": (np.ones((7, 2)), jnp.arange(7))}

    def solver(t):
        return {"s": t["a"] + t["b"][0].sum(), "i": t["b"][1] * 2}

    out = sweep(solver, x, chunk_size=3, progress=True)
    assert out.status_counts is None and out.num_failed is None and out.status is None
    _check_layout(out, 3, 7)  # one device: 3 chunks of 3; four: 2 chunks of 4
    np.testing.assert_array_equal(out.results["s"], np.arange(7.0) + 2)
    np.testing.assert_array_equal(out.results["i"], 2 * np.arange(7))
    err = capsys.readouterr().err
    assert "sweep" in err and f"{out.num_chunks}/{out.num_chunks}" in err
    # The same solver object again: the compiled chunk is reused, as with jax.jit.
    again, compiles = _compile_messages(lambda: sweep(solver, x, chunk_size=3, progress=False))
    assert compiles == []
    np.testing.assert_array_equal(again.results["s"], out.results["s"])
    # A new chunk shape compiles once more (on one device, so that 2 is not rounded up to the
    # size already compiled).
    one, compiles = _compile_messages(
        lambda: sweep(solver, x, chunk_size=2, progress=False, devices=jax.devices()[:1]))
    assert len(compiles) == 1
    _check_layout(one, 2, 7, num_devices=1)
    np.testing.assert_array_equal(one.results["s"], out.results["s"])


def test_small_batch_uses_one_chunk_and_explicit_devices_match():
    rng = np.random.default_rng(1)
    M = rng.normal(size=(5, 3, 4))
    plain = sweep(bj.solve_zero_sum, M, progress=False)
    # the chunk is lowered to B = 5 (then rounded up to a multiple of the devices: 8 on four)
    _check_layout(plain, 1024, 5)
    assert plain.num_chunks == 1
    mesh = sweep(bj.solve_zero_sum, M, chunk_size=2, progress=False, devices=jax.devices()[:1])
    _check_layout(mesh, 2, 5, num_devices=1)
    assert (mesh.num_chunks, mesh.chunk_size) == (3, 2)
    for a, b in zip(jax.tree_util.tree_leaves(plain.results),
                    jax.tree_util.tree_leaves(mesh.results)):
        np.testing.assert_array_equal(a, b)
    assert plain.status_counts[bj.Status.SUCCESSFUL] == 5


def test_input_validation():
    f = lambda x: x
    with pytest.raises(ValueError, match="`inputs`"):
        sweep(f, (np.zeros((3, 2)), np.zeros((4,))), progress=False)
    with pytest.raises(ValueError, match="empty batch"):
        sweep(f, np.zeros((0, 2)), progress=False)
    with pytest.raises(ValueError, match="`inputs`"):
        sweep(f, (np.zeros(3), 1.0), progress=False)
    with pytest.raises(ValueError, match="`inputs`"):
        sweep(f, {}, progress=False)
    for bad in (0, -1, 2.5, True, None):
        with pytest.raises(ValueError, match="`chunk_size`"):
            sweep(f, np.zeros(3), chunk_size=bad, progress=False)
    with pytest.raises(ValueError, match="`devices`"):
        sweep(f, np.zeros(3), devices=[], progress=False)
    with pytest.raises(TypeError, match="`solver`"):
        sweep("nash", np.zeros(3), progress=False)


_SHARDED = textwrap.dedent("""
    import jax
    jax.config.update("jax_enable_x64", True)
    import numpy as np
    import bargainjax as bj
    from bargainjax.sweeps._sweep import sweep

    assert jax.device_count() == 4, jax.devices()
    M = np.random.default_rng(3).normal(size=(10, 3, 4))
    M[6, 1, 2] = np.nan  # a bad instance, on one shard only
    sharded = sweep(bj.solve_zero_sum, M, chunk_size=6, progress=False)
    single = sweep(bj.solve_zero_sum, M, chunk_size=6, progress=False, devices=jax.devices()[:1])
    direct = jax.jit(jax.vmap(bj.solve_zero_sum))(M)
    assert (sharded.num_devices, sharded.chunk_size, sharded.num_chunks) == (4, 8, 2)
    assert (single.num_devices, single.chunk_size, single.num_chunks) == (1, 6, 2)
    for a, b, c in zip(*(jax.tree_util.tree_leaves(r)
                         for r in (sharded.results, single.results, direct))):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, np.asarray(c))
    assert sharded.results.status[6] == bj.Status.NONFINITE
    assert sharded.status_counts[bj.Status.SUCCESSFUL] == 9
    print("OK")
""")


def test_sharded_sweep_matches_unsharded_on_four_cpu_devices():
    env = dict(os.environ)
    env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=4")
    env["JAX_PLATFORMS"] = "cpu"
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-c", _SHARDED], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().endswith("OK")
