"""Fuzz tests of the ``.nfg`` reader and the ``bargainjax solve`` command line.

Hypothesis writes game files (valid ones with ordinary, huge and tiny payoffs; truncated and
mutated ones: random edits, missing payoffs, wrong counts, non-finite and non-ASCII numbers,
bytes that are not UTF-8) and option strings, and runs them through the in-process entry point
``bargainjax.cli._main.main`` (from a file and from standard input).  The README's contract:

* never a traceback; the exit status is 0, 1 (the solver did not certify: e.g. status
  ``imprecise``) or 2 (an error, or the refusal of status ``infeasible``);
* on a non-zero exit nothing on standard output and one line ``bargainjax: error: ...`` on
  standard error;
* on exit 0 every printed number is finite and ``--json`` prints strict JSON (no ``NaN`` or
  ``Infinity``), whose certificate is within its tolerance.

``bj.parse_nfg`` alone either returns a game or raises a one-line ``ValueError``.

The games are 2x2 and 2x3 and the concepts four (``nbs``, ``zero-sum``, ``utilitarian``,
``coco-value``), so that JAX compiles each solver for a few shapes only.
"""

import io
import json
import math
import re
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bargainjax as bj
from bargainjax.cli._main import main

CONCEPTS = ["nbs", "zero-sum", "utilitarian", "coco-value"]
SHAPES = [(2, 2), (2, 3)]
FUZZ = settings(max_examples=30, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@pytest.fixture(autouse=True)
def _no_compilation_cache(monkeypatch):
    monkeypatch.setenv("BARGAINJAX_CACHE", "0")


# ------------------------------------------------------------------------------ strategies

ORDINARY = st.integers(-9, 9).map(float) | st.floats(-10, 10, allow_nan=False)
EXTREME = st.sampled_from([1e300, -1e300, 1.7e308, -1.7e308, 1e-300, -1e-300, 5e-324, 1e8,
                           -1e9, 1e-9])
PAYOFF = ORDINARY | EXTREME


@st.composite
def games(draw):
    """A valid game (2x2 or 2x3) as ``.nfg`` text, payoff or outcome version."""
    shape = draw(st.sampled_from(SHAPES))
    n = int(np.prod(shape)) * 2
    scale = draw(st.sampled_from([1.0, 1.0, 1e-9, 1e9]))
    shift = draw(st.sampled_from([0.0, 0.0, 1e8]))
    values = [draw(PAYOFF) for _ in range(n)]
    with np.errstate(over="ignore"):
        U = np.asarray(values, float).reshape((2,) + shape) * scale + shift
    U = np.where(np.isfinite(U), U, 0.0)
    game = bj.normal_form_game(U, title="fuzz", player_names=("Ann", "Bob"))
    version = draw(st.sampled_from(["payoff", "outcome"]))
    return bj.write_nfg(game, version=version)


JUNK = st.sampled_from(["", "{", "}", '"', ",", " ", "\n", "nan", "inf", "-inf", "1e999",
                        "1/0", "١٢", "１", "\x00", "\r", "\u2028", "NFG", "1", "R", "D",
                        "{ 2 2 }", '"x"', "0.5", "-", "e5", "3/", "+"])


@st.composite
def mutated(draw):
    """A valid game's text with a few random edits: deletions, insertions, truncation,
    numbers replaced by junk."""
    text = draw(games())
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["delete", "insert", "truncate", "replace_number"]))
        i = draw(st.integers(0, len(text)))
        if kind == "delete":
            text = text[:i] + text[i + draw(st.integers(1, 8)):]
        elif kind == "insert":
            text = text[:i] + draw(JUNK | st.text(max_size=4)) + text[i:]
        elif kind == "truncate":
            text = text[:i]
        else:
            numbers = list(re.finditer(r"-?\d[\d.e+-]*", text))
            if numbers:
                m = numbers[draw(st.integers(0, len(numbers) - 1))]
                text = text[:m.start()] + draw(JUNK) + text[m.end():]
    return text


@st.composite
def raw_files(draw):
    """File contents as bytes: a valid or mutated game, possibly with bytes that are not
    UTF-8 (Latin-1 names, random bytes)."""
    text = draw(games() | mutated())
    data = text.encode("utf-8")
    if draw(st.booleans()):
        data = data.replace(b'"fuzz"', '"caf\u00e9"'.encode("latin-1"))
    if draw(st.booleans()):
        i = draw(st.integers(0, len(data)))
        data = data[:i] + draw(st.binary(max_size=6)) + data[i:]
    return data


GOOD_NUMBER = st.sampled_from(["0", "1", "-1", "0.5", "2e-3", "1e300", "-1e300", "1e-320", "3",
                               "1.5", ".5", "-0.25", "7"])
BAD_NUMBER = st.sampled_from(["", " ", "nan", "inf", "-inf", "1e400", "\u0661", "\uff11", "a",
                              "1_0", "0x1", "--1", "1,", "+"])


@st.composite
def number_list(draw):
    """Mostly two good numbers (the games have two players); else a list with junk."""
    if draw(st.integers(0, 9)) < 6:
        return ",".join(draw(st.lists(GOOD_NUMBER, min_size=2, max_size=2)))
    items = draw(st.lists(GOOD_NUMBER | BAD_NUMBER, min_size=0, max_size=3))
    return ",".join(items) + ("," if draw(st.booleans()) else "")


APPLIES = {  # the options each concept takes (others are refused before the game is read)
    "nbs": {"--disagreement", "--weights", "--tol"},
    "zero-sum": {"--tol"},
    "utilitarian": {"--weights"},
    "coco-value": {"--weights", "--tol", "--max-coalitions"},
}


@st.composite
def options(draw):
    """``--concept C`` and a few number options, mostly ones that apply to ``C``, with
    valid or invalid values."""
    concept = draw(st.sampled_from(CONCEPTS))
    argv = ["--concept", concept]
    for flag in ("--disagreement", "--weights", "--tol", "--max-coalitions"):
        odds = 6 if flag in APPLIES[concept] else 1  # out of 10
        if draw(st.integers(0, 9)) >= odds:
            continue
        if flag == "--tol":
            value = draw(st.sampled_from(["1e-6", "1e-3", "1e-9"]) | GOOD_NUMBER | BAD_NUMBER)
        elif flag == "--max-coalitions":  # the library's cap (>= 2 ** players), or junk
            value = draw(st.sampled_from(["1", "2", "4", "4096", "0", "-4", "1.5", "\u0664"]))
        else:
            value = draw(number_list())
        argv.append(f"{flag}={value}")
    if draw(st.booleans()):
        argv.append("--json")
    return argv


@st.composite
def valid_options(draw):
    """Options that apply to the concept, with valid values."""
    concept = draw(st.sampled_from(CONCEPTS))
    argv = ["--concept", concept]
    if concept == "nbs":
        argv += draw(st.sampled_from([[], ["--disagreement=-1,-1"], ["--disagreement=0,0"]]))
    if "--weights" in APPLIES[concept]:
        argv += draw(st.sampled_from([[], ["--weights=1,2"]]))
    if draw(st.booleans()):
        argv.append("--json")
    return argv


# ------------------------------------------------------------------------------- contract


def _no_constant(name):
    raise AssertionError(f"not strict JSON: {name}")


def _numbers(obj):
    if isinstance(obj, bool):
        return
    if isinstance(obj, (int, float)):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _numbers(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _numbers(v)


_NONFINITE_WORD = re.compile(r"(?<![A-Za-z])(nan|inf|infinity)(?![A-Za-z])", re.IGNORECASE)


def run_cli(capsys, argv):
    """Run the command in-process; check the README's contract; return (code, out)."""
    code = main(["solve", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    assert code in (0, 1, 2), (code, err)
    if code != 0:
        assert out == "", out
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("bargainjax: error: "), err
        # exit codes by status: imprecise (nothing certifiable) 1, infeasible (a refusal) 2
        if "status imprecise" in err:
            assert code == 1, err
        if "strictly improves" in err or "no strict improvement" in err:
            assert code == 2, err
        return code, out
    if "--json" in argv:
        r = json.loads(out, parse_constant=_no_constant)
        assert all(math.isfinite(x) for x in _numbers(r)), r
        assert r["status"] == "successful"
        assert 0 <= r["certificate"]["value"] <= r["certificate"]["tol"]
    else:
        # the fuzz games' names are fixed ("fuzz", "Ann", "Bob", strategy numbers), so any
        # "nan"/"inf" word in the report would be a printed non-finite number
        assert not _NONFINITE_WORD.search(out), out
    return code, out


# ---------------------------------------------------------------------------------- tests


@FUZZ
@given(text=games() | mutated())
def test_parse_nfg_returns_a_game_or_one_line_value_error(text):
    try:
        game = bj.parse_nfg(text)
    except ValueError as err:
        msg = str(err)
        assert msg.startswith("malformed .nfg: ") and len(msg.splitlines()) == 1, msg
        return
    assert isinstance(game, bj.NormalFormGame)
    assert np.all(np.isfinite(np.asarray(game.payoffs)))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(text=st.text(alphabet=st.sampled_from(list('NFG1RD{}",. \n-+e/x\u0661\uff11\r\u2028'))
                    | st.characters(), max_size=80))
def test_parse_nfg_on_arbitrary_text(text):
    try:
        game = bj.parse_nfg("NFG 1 R " + text)
    except ValueError as err:
        assert len(str(err).splitlines()) == 1, str(err)
        return
    assert np.all(np.isfinite(np.asarray(game.payoffs)))


@pytest.mark.parametrize("digit", ["\u0661", "\uff11", "\u0967"])
def test_parse_nfg_takes_ascii_digits_only(digit):
    with pytest.raises(ValueError, match="malformed .nfg"):
        bj.parse_nfg(f'NFG 1 R "" {{ "1" "2" }} {{ 1 1 }}\n{digit} 2\n')
    with pytest.raises(ValueError, match="malformed .nfg"):
        bj.parse_nfg(f'NFG 1 R "" {{ "1" "2" }} {{ {digit} 1 }}\n1 2\n')


@FUZZ
@given(data=raw_files(), argv=options())
def test_cli_on_fuzzed_files_and_options(tmp_path, capsys, data, argv):
    path = tmp_path / "game.nfg"
    path.write_bytes(data)
    run_cli(capsys, [str(path), *argv])


@FUZZ
@given(text=games(), argv=valid_options())
def test_cli_on_valid_games(tmp_path, capsys, text, argv):
    path = tmp_path / "game.nfg"
    path.write_text(text, encoding="utf-8")
    code, _ = run_cli(capsys, [str(path), *argv])
    if "--disagreement=-1,-1" not in argv or "nbs" not in argv:
        return
    # far enough below every ordinary payoff: the concept applies, so no exit 2 unless the
    # payoffs themselves are extreme
    game = bj.parse_nfg(text)
    if np.max(np.abs(np.asarray(game.payoffs))) <= 10 and np.min(game.payoffs) > -1:
        assert code in (0, 1)


@FUZZ
@given(data=raw_files(), argv=options())
def test_cli_on_fuzzed_standard_input(capsys, monkeypatch, data, argv):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    run_cli(capsys, ["-", *argv])


@pytest.mark.parametrize("stdin", [None, "", "  \n", "closed"])
def test_closed_or_empty_standard_input(capsys, monkeypatch, stdin):
    if stdin == "closed":
        stream = io.StringIO("x")
        stream.close()
    elif stdin is None:
        stream = None
    else:
        stream = io.StringIO(stdin)
    monkeypatch.setattr(sys, "stdin", stream)
    code, _ = run_cli(capsys, ["-", "--concept", "nbs"])
    assert code == 2
