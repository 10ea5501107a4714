"""Test configuration: float64 reference precision, strict rank promotion, and no persistent
compilation cache (the CLI turns JAX's on; tests calling it in-process must not read entries
that another process may be writing — that crashed a run here)."""

import os

import jax

os.environ["BARGAINJAX_CACHE"] = "0"
jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_rank_promotion", "raise")


import pytest  # noqa: E402

from bargainjax.cli import _program  # noqa: E402


@pytest.fixture(autouse=True, scope="module")
def _release_compiled_programs():
    """Drop JAX's compiled programs after each test module.  Without it the whole suite keeps
    ~700 tests' executables alive in one process, and XLA's CPU compiler segfaulted near the end
    of the run (memory maps exhausted)."""
    yield
    jax.clear_caches()
    _program._COMPILED.clear()  # the programs `bargainjax solve` keeps alive in-process
