"""The compiled-program cache of ``bargainjax solve`` and ``bargainjax warmup``.

A program depends on the concept, its options and the game's shape only: a program cached for
one game must give another game of the same shape the answer that game gets without the cache.
"""

import json

import numpy as np
import pytest

from bargainjax.cli import _program
from bargainjax.cli._main import main

BOS = """NFG 1 R "Battle of the sexes" { "P1" "P2" } { 2 2 }
2 1 0 0 0 0 1 2
"""
# Another 2x2 game with a strict improvement over the security levels (different payoffs).
STAG = """NFG 1 R "Stag hunt" { "P1" "P2" } { 2 2 }
4 4 3 0 0 3 2 2
"""


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """The persistent cache on, in a fresh directory, with an empty in-process memo."""
    monkeypatch.setenv("BARGAINJAX_CACHE", "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(_program, "_COMPILED", type(_program._COMPILED)())
    yield tmp_path / "cache" / "bargainjax" / "programs"
    _program._COMPILED.clear()


def _solve(path, concept, capsys):
    code = main(["solve", str(path), "--concept", concept, "--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def _no_compilation(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("compiled a program that the cache holds")

    monkeypatch.setattr(_program, "_save", refuse)
    monkeypatch.setattr(_program, "_COMPILED", type(_program._COMPILED)())


def test_a_cached_program_serves_another_game_of_the_same_shape(tmp_path, cache, monkeypatch,
                                                                 capsys):
    bos, stag = _write(tmp_path, "bos.nfg", BOS), _write(tmp_path, "stag.nfg", STAG)
    monkeypatch.setenv("BARGAINJAX_CACHE", "0")
    uncached = _solve(stag, "egalitarian", capsys)
    monkeypatch.setenv("BARGAINJAX_CACHE", "1")
    _solve(bos, "egalitarian", capsys)  # compiles and caches the 2x2 program
    assert len(list(cache.glob("*.xla"))) == 1
    _no_compilation(monkeypatch)
    cached = _solve(stag, "egalitarian", capsys)
    assert cached["status"] == uncached["status"] == "successful"
    np.testing.assert_allclose(cached["payoffs"], uncached["payoffs"], rtol=0, atol=1e-12)
    # the closed form: the egalitarian point of the stag hunt from security levels (2, 2) is
    # the outcome (4, 4)
    np.testing.assert_allclose(cached["payoffs"], [4.0, 4.0], atol=1e-9)


def test_a_damaged_cache_entry_is_recompiled_and_replaced(tmp_path, cache, monkeypatch, capsys):
    bos = _write(tmp_path, "bos.nfg", BOS)
    first = _solve(bos, "utilitarian", capsys)
    (entry,) = cache.glob("*.xla")
    entry.write_bytes(entry.read_bytes()[:100])  # truncated
    monkeypatch.setattr(_program, "_COMPILED", type(_program._COMPILED)())
    again = _solve(bos, "utilitarian", capsys)
    assert again["payoffs"] == first["payoffs"]
    assert entry.stat().st_size > 100  # replaced by a whole program


def test_warmup_fills_the_cache_that_solve_reads(tmp_path, cache, monkeypatch, capsys):
    assert main(["warmup", "--concepts", "zero-sum", "--shapes", "2x2,3x3"]) == 0
    out = capsys.readouterr().out
    assert "zero-sum" in out and len(list(cache.glob("*.xla"))) == 2
    _no_compilation(monkeypatch)
    result = _solve(_write(tmp_path, "bos.nfg", BOS), "zero-sum", capsys)
    # the zero-sum game of player 1's payoffs [[2, 0], [0, 1]] has value 2/3
    assert result["value"] == pytest.approx(2 / 3, abs=1e-12)


@pytest.mark.parametrize("argv, needle", [
    (["warmup", "--shapes", "2x"], "--shapes"),
    (["warmup", "--shapes", "0x2"], "--shapes"),
    (["warmup", "--shapes", "100x100"], "--shapes"),
    (["warmup", "--concepts", "nbs,core"], "--concepts"),
])
def test_warmup_refuses_bad_options_in_one_line(cache, capsys, argv, needle):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("bargainjax: error:") and needle in err and "\n" not in err


def test_warmup_refuses_when_the_cache_is_off(monkeypatch, capsys):
    monkeypatch.setenv("BARGAINJAX_CACHE", "0")
    assert main(["warmup", "--concepts", "zero-sum"]) == 2
    assert "BARGAINJAX_CACHE=0" in capsys.readouterr().err


def test_a_jax_cache_of_the_users_own_takes_over(cache, monkeypatch):
    # JAX's persistent cache hands back executables that cannot be serialised again: with it
    # set up, solve keeps no programs of its own and warmup fills JAX's cache instead.
    monkeypatch.setenv("JAX_COMPILATION_CACHE_DIR", str(cache.parent / "jax"))
    assert _program.cache_dir() is None and _program.persistent()
    monkeypatch.setenv("BARGAINJAX_CACHE", "0")
    monkeypatch.delenv("JAX_COMPILATION_CACHE_DIR")
    assert _program.cache_dir() is None and not _program.persistent()
