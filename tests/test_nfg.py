"""Tests of the Gambit ``.nfg`` reader and writer (``bj.read_nfg``, ``parse_nfg``, ``write_nfg``).

The 60 real files in the Gambit game collection beside the repository (copied from Gambit's own repository; optional) are all read,
checked against header counts parsed here independently, checked by hand on several games, and
round-tripped through both versions of the writer.  Random games round-trip exactly
(hypothesis), and malformed input raises ``ValueError`` with a message naming the problem.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bargainjax as bj


def _games_dir() -> Path | None:
    here = Path(__file__).resolve()
    for d in (here.parents[2] / "shared" / "games" / "gambit",
              here.parents[1] / ".." / "shared" / "games" / "gambit",
              here.parents[1] / ".." / "shared"):
        if d.is_dir() and any(d.glob("*.nfg")):
            return d.resolve()
    return None


GAMES_DIR = _games_dir()
GAME_FILES = sorted(GAMES_DIR.glob("*.nfg")) if GAMES_DIR is not None else []
needs_files = pytest.mark.skipif(GAMES_DIR is None, reason="the Gambit game collection is not beside the repository")


def _file(name: str) -> Path:
    if GAMES_DIR is None or not (GAMES_DIR / name).is_file():
        pytest.skip(f"{name} not found")
    return GAMES_DIR / name


def _payoffs(game) -> np.ndarray:
    return np.asarray(game.payoffs)


def _assert_same_game(g, h):
    assert h.payoffs.shape == g.payoffs.shape
    # Exact equality, down to the bits (so -0.0 stays -0.0).
    assert _payoffs(h).tobytes() == _payoffs(g).tobytes()
    assert h.title == g.title
    assert h.player_names == g.player_names
    assert h.strategy_names == g.strategy_names


# --- an independent, deliberately crude header parser (regexes on the raw text) -------------

_Q = r'"(?:[^"\\]|\\.)*"'
_HEADER_RE = re.compile(
    rf"^\s*NFG\s+1\s+[RD]\s+{_Q}\s*\{{((?:\s*{_Q})*)\s*\}}\s*\{{\s*"
    rf"(?:(?P<counts>[\d\s]+)|(?P<names>(?:\{{[^{{}}]*\}}\s*)+))\}}",
    re.DOTALL,
)


def _header_counts(text: str) -> tuple[int, tuple[int, ...]]:
    m = _HEADER_RE.match(text)
    assert m is not None, "test's own header regex failed"
    n = len(re.findall(_Q, m.group(1)))
    if m.group("counts") is not None:
        counts = tuple(int(c) for c in m.group("counts").split())
    else:
        counts = tuple(len(re.findall(_Q, inner))
                       for inner in re.findall(r"\{([^{}]*)\}", m.group("names")))
    return n, counts


# --- every real file ------------------------------------------------------------------------

def test_games_folder_has_the_sixty_files():
    if GAMES_DIR is None:
        pytest.skip("the Gambit game collection is not beside the repository")
    assert len(GAME_FILES) == 60


@needs_files
@pytest.mark.parametrize("path", GAME_FILES, ids=lambda p: p.stem)
def test_real_file_loads(path):
    g = bj.read_nfg(path)
    n, counts = _header_counts(path.read_text())
    assert g.num_players == n
    assert g.num_actions == counts
    assert g.payoffs.shape == (n,) + counts
    assert g.payoffs.dtype == np.float64  # conftest enables x64
    assert np.all(np.isfinite(_payoffs(g)))
    assert len(g.player_names) == n
    assert tuple(len(s) for s in g.strategy_names) == counts
    # Every way of giving the source reads the same game.
    _assert_same_game(g, bj.read_nfg(str(path)))
    _assert_same_game(g, bj.parse_nfg(path.read_text()))
    with open(path) as f:
        _assert_same_game(g, bj.read_nfg(f))
    with open(path, "rb") as f:
        _assert_same_game(g, bj.read_nfg(f))


@needs_files
@pytest.mark.parametrize("version", ["payoff", "outcome"])
@pytest.mark.parametrize("path", GAME_FILES, ids=lambda p: p.stem)
def test_real_file_round_trip(path, version):
    g = bj.read_nfg(path)
    text = bj.write_nfg(g, version=version)
    _assert_same_game(g, bj.parse_nfg(text))
    # Writing is deterministic and a fixed point.
    assert bj.write_nfg(bj.parse_nfg(text), version=version) == text


# --- known answers, checked by hand against the raw files -----------------------------------

def test_2x2_outcome_version():
    g = bj.read_nfg(_file("contrib__games__2x2.nfg"))
    assert g.title == "Two person 2 x 2 game with unique mixed equilibrium"
    assert g.player_names == ("Player 1", "Player 2")
    assert g.strategy_names == (("1", "2"), ("1", "2"))
    U = _payoffs(g)
    # Outcomes 1..4 = (2,0), (0,1), (0,1), (1,0) at profiles (1,1), (2,1), (1,2), (2,2).
    np.testing.assert_array_equal(U[:, 0, 0], [2, 0])
    np.testing.assert_array_equal(U[:, 1, 0], [0, 1])
    np.testing.assert_array_equal(U[:, 0, 1], [0, 1])
    np.testing.assert_array_equal(U[:, 1, 1], [1, 0])


def test_e04_payoff_version_with_counts():
    # NFG 1 D ... { 3 2 }: 0 0 -1 2 -2 -2 0 0 -1 0 3 -1, player 1 fastest.
    g = bj.read_nfg(_file("contrib__games__e04.nfg"))
    assert g.title == "Kreps-Wilson (Econometrica, 85), Figures 1,4,9,14, normal form"
    assert g.strategy_names == (("1", "2", "3"), ("1", "2"))
    A = [[0, 0], [-1, -1], [-2, 3]]
    B = [[0, 0], [2, 0], [-2, -1]]
    np.testing.assert_array_equal(_payoffs(g), [A, B])


@pytest.mark.parametrize("name", ["contrib__games__2x2x2.nfg", "doc__2x2x2.nfg"])
def test_2x2x2_three_players(name):
    # Outcomes 1..8 at the profiles (x1, x2, x3) with x1 fastest.
    U = _payoffs(bj.read_nfg(_file(name)))
    assert U.shape == (3, 2, 2, 2)
    np.testing.assert_array_equal(U[:, 0, 0, 0], [9, 8, 12])
    np.testing.assert_array_equal(U[:, 1, 0, 0], [0, 0, 0])
    np.testing.assert_array_equal(U[:, 1, 1, 0], [9, 8, 2])
    np.testing.assert_array_equal(U[:, 1, 0, 1], [3, 4, 6])
    np.testing.assert_array_equal(U[:, 0, 1, 1], [3, 4, 6])
    np.testing.assert_array_equal(U[:, 1, 1, 1], [0, 0, 0])
    assert np.count_nonzero(np.any(U != 0, axis=0)) == 4


def test_max_cut_three_players_matches_its_own_comment():
    # The file's comment tabulates the payoffs ("b a a:  1 2 -1" etc.; a = strategy 1).
    g = bj.read_nfg(_file("tests__test_games__2x2x2_nfg_from_local_max_cut_2_pure_1_mixed_eq.nfg"))
    U = _payoffs(g)
    table = {"aaa": (0, 0, 0), "baa": (1, 2, -1), "aba": (2, 4, 2), "bba": (-1, 2, 1),
             "aab": (-1, 2, 1), "bab": (2, 4, 2), "abb": (1, 2, -1), "bbb": (0, 0, 0)}
    for key, want in table.items():
        x = tuple("ab".index(c) for c in key)
        np.testing.assert_array_equal(U[(slice(None),) + x], want, err_msg=key)


def test_von_stengel_6x6():
    g = bj.read_nfg(_file("catalog__journals__dcg__vonstengel1999__6x6_game_with_75_eq.nfg"))
    assert g.num_actions == (6, 6)
    assert g.title == "von Stengel's 6x6 bimatrix game with 75 equilibria"
    U = _payoffs(g)
    np.testing.assert_array_equal(U[:, 0, 0], [9504, 72336])
    np.testing.assert_array_equal(U[:, 1, 0], [-111771, -461736])
    np.testing.assert_array_equal(U[:, 5, 0], [737154, -453420])
    np.testing.assert_array_equal(U[:, 0, 1], [-660, 48081])
    np.testing.assert_array_equal(U[:, 5, 5], [-300036, 31680])

    small = bj.read_nfg(
        _file("catalog__journals__dcg__vonstengel1999__6x6_game_with_75_eq_small_payoffs.nfg"))
    S = _payoffs(small)
    np.testing.assert_array_equal(S[:, 0, 0], [-81, 72])
    np.testing.assert_array_equal(S[:, 1, 0], [-180, -180])
    np.testing.assert_array_equal(S[:, 0, 1], [36, 36])
    np.testing.assert_array_equal(S[:, 5, 5], [-81, 72])
    # Its outcome list is palindromic, so the game is invariant under reversing both players'
    # strategy orders.
    np.testing.assert_array_equal(S, S[:, ::-1, ::-1])


def test_rationals_and_decimals_from_files():
    todd3 = _payoffs(bj.read_nfg(_file("contrib__games__todd3.nfg")))
    assert todd3.shape == (2, 7, 4)
    assert todd3[0, 4, 0] == 2 / 7  # outcome 5, "2/7", correctly rounded
    assert todd3[0, 6, 2] == 7 / 19  # outcome 21
    loop = _payoffs(bj.read_nfg(_file("contrib__games__loopback.nfg")))
    # Indices "1 3 2 4": profile (2,1) -> outcome 3 = (7.32, 6).
    np.testing.assert_array_equal(loop[:, 1, 0], [7.32, 6])
    np.testing.assert_array_equal(loop[:, 0, 1], [6, 7])


def test_cent2_outcome_version_without_comment_and_permuted_indices():
    g = bj.read_nfg(_file("contrib__games__cent2.nfg"))
    assert g.strategy_names == (("1*11", "2111", "2211"),) * 2
    U = _payoffs(g)
    # Indices "1 4 7 2 5 8 3 6 9": the profile (x1, x2) (x1 fastest) gets outcome 3*x1 + x2 + 1.
    np.testing.assert_array_equal(U[:, 0, 0], [0.811, 0.274])
    np.testing.assert_array_equal(U[:, 1, 0], [0.564, 1.566])
    np.testing.assert_array_equal(U[:, 0, 1], [0.868, 0.502])
    np.testing.assert_array_equal(U[:, 2, 2], [12.8, 3.2])


def test_perfect3_one_strategy_player_and_wink3_multiline_payoffs():
    p3 = bj.read_nfg(_file("contrib__games__perfect3.nfg"))
    assert p3.num_actions == (3, 3, 1)
    np.testing.assert_array_equal(_payoffs(p3)[:, 1, 1, 0], [3, 3, 1])
    wink3 = _payoffs(bj.read_nfg(_file("contrib__games__wink3.nfg")))
    # "1 3 1 2 0 4 / 3 4 3 1 2 3 / 4 2 2 1 3 3"
    np.testing.assert_array_equal(wink3[:, :, 0].T, [[1, 3], [1, 2], [0, 4]])
    np.testing.assert_array_equal(wink3[:, :, 2].T, [[4, 2], [2, 1], [3, 3]])


def test_both_versions_of_the_same_game_agree():
    a = bj.read_nfg(_file("tests__test_games__coordination_4x4_outcome.nfg"))
    b = bj.read_nfg(_file("tests__test_games__coordination_4x4_payoff.nfg"))
    np.testing.assert_array_equal(_payoffs(a), _payoffs(b))
    np.testing.assert_array_equal(_payoffs(a), [np.eye(4), np.eye(4)])
    assert a.strategy_names[1] == ("2-1", "2-2", "2-3", "2-4")
    assert b.strategy_names[1] == ("1", "2", "3", "4")


# --- syntax details on small texts ----------------------------------------------------------

def test_number_syntax():
    text = 'NFG 1 D "nums" { "a" "b" } { 2 2 }\n 1.5e-3 -2 +3 .25 7/4 -1/8 1E2 -0'
    U = _payoffs(bj.parse_nfg(text))
    np.testing.assert_array_equal(U[:, 0, 0], [1.5e-3, -2])
    np.testing.assert_array_equal(U[:, 1, 0], [3, 0.25])
    np.testing.assert_array_equal(U[:, 0, 1], [1.75, -0.125])
    np.testing.assert_array_equal(U[:, 1, 1], [100, 0])
    assert np.signbit(U[1, 1, 1])  # "-0" is negative zero, and the writer keeps it
    assert "-0.0" in bj.write_nfg(bj.parse_nfg(text))
    U2 = _payoffs(bj.parse_nfg('NFG 1 R "" { "a" } { 3 } 3. 2.5E+1 1e-2'))
    np.testing.assert_array_equal(U2, [[3, 25, 0.01]])


def test_strings_escapes_comment_and_free_whitespace():
    text = ('NFG\n1\tR "say \\"hi\\"" {"P \\"1\\"" "back\\\\slash" }\n{ { "x" "y\\z" }{"l"} }\n'
            '"a comment\nover two lines, with { braces } and 1 2 3"\n'
            '{ { "o1" 1 , 2 } {"o2" 3,4} { "" } }\n 1 0')
    g = bj.parse_nfg(text)
    assert g.title == 'say "hi"'
    assert g.player_names == ('P "1"', "back\\slash")
    assert g.strategy_names == (("x", "y\\z"), ("l",))
    U = _payoffs(g)
    np.testing.assert_array_equal(U[:, 0, 0], [1, 2])
    np.testing.assert_array_equal(U[:, 1, 0], [0, 0])  # null outcome


def test_outcome_version_null_and_empty_outcomes():
    text = ('NFG 1 R "o" { "1" "2" } { { "a" "b" } { "c" "d" } } ""\n'
            '{ { "win" 1, -1 } { "" } { "lose" -1 1 } }\n1 0 2 3')
    U = _payoffs(bj.parse_nfg(text))
    np.testing.assert_array_equal(U[:, 0, 0], [1, -1])
    np.testing.assert_array_equal(U[:, 1, 0], [0, 0])
    np.testing.assert_array_equal(U[:, 0, 1], [0, 0])
    np.testing.assert_array_equal(U[:, 1, 1], [-1, 1])


def test_one_player_game():
    g = bj.parse_nfg('NFG 1 R "solo" { "me" } { 3 } 1 2 3')
    np.testing.assert_array_equal(_payoffs(g), [[1, 2, 3]])
    _assert_same_game(g, bj.parse_nfg(bj.write_nfg(g)))


# --- writer ---------------------------------------------------------------------------------

def test_writer_format_payoff_and_outcome():
    g = bj.bimatrix_game([[1, 0.5], [-2, 3]], [[4, 4], [1e-20, 2.0]], title="t",
                         player_names=["Row", "Col"])
    text = bj.write_nfg(g)
    assert text.startswith('NFG 1 R "t" { "Row" "Col" } { 2 2 }\n')
    body = text.split('""', 1)[1].split()
    assert body == ["1", "4", "-2", "1e-20", "0.5", "4", "3", "2"]  # player 1 fastest
    out = bj.write_nfg(g, version="outcome")
    assert out.startswith('NFG 1 R "t" { "Row" "Col" }\n\n{ { "1" "2" }\n{ "1" "2" }\n}\n""\n')
    assert '{ "" 1, 4 }' in out
    assert out.rstrip().endswith("1 2 3 4")
    _assert_same_game(g, bj.parse_nfg(out))


def test_writer_deduplicates_outcomes():
    g = bj.normal_form_game(np.zeros((2, 3, 3)))
    out = bj.write_nfg(g, version="outcome")
    assert out.count('{ ""') == 1
    assert out.rstrip().endswith(" ".join(["1"] * 9))


def test_writer_strategy_names_and_escapes():
    g = bj.normal_form_game(np.arange(8.0).reshape(2, 2, 2), title='q"uote\\',
                            player_names=['a"', "b\\"], strategy_names=[["x", "\\\\"], ["1", "2"]])
    text = bj.write_nfg(g)
    assert "{ 2 2 }" not in text  # non-default names are written out
    _assert_same_game(g, bj.parse_nfg(text))


def test_write_to_path_and_file(tmp_path):
    g = bj.bimatrix_game([[1, 2], [3, 4]], title="ümlaut")
    p = tmp_path / "g.nfg"
    text = bj.write_nfg(g, p, version="outcome")
    assert p.read_text(encoding="utf-8") == text
    _assert_same_game(g, bj.read_nfg(p))
    buf = io.StringIO()
    assert bj.write_nfg(g, buf) == buf.getvalue()
    buf.seek(0)
    _assert_same_game(g, bj.read_nfg(buf))
    bbuf = io.BytesIO()
    bj.write_nfg(g, bbuf)
    bbuf.seek(0)
    _assert_same_game(g, bj.read_nfg(bbuf))


def test_writer_rejects_bad_arguments():
    g = bj.bimatrix_game([[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="version"):
        bj.write_nfg(g, version="table")
    batched = bj.NormalFormGame(np.zeros((5, 2, 2, 2)))
    with pytest.raises(ValueError, match="shape"):
        bj.write_nfg(batched)


def test_writer_fills_missing_names():
    g = bj.NormalFormGame(np.ones((2, 2, 3)))  # built directly, names left empty
    h = bj.parse_nfg(bj.write_nfg(g))
    assert h.player_names == ("1", "2")
    assert h.strategy_names == (("1", "2"), ("1", "2", "3"))


# --- random round trips (hypothesis) --------------------------------------------------------

_names = st.text(max_size=6)
_floats = st.floats(allow_nan=False, allow_infinity=False)
_ints = st.integers(-10**6, 10**6).map(float)


@st.composite
def _games(draw):
    n = draw(st.integers(1, 3))
    shape = tuple(draw(st.integers(1, 4)) for _ in range(n))
    size = n * int(np.prod(shape))
    kind = draw(st.sampled_from(["int", "float", "mixed"]))
    elems = {"int": _ints, "float": _floats, "mixed": st.one_of(_ints, _floats)}[kind]
    values = draw(st.lists(elems, min_size=size, max_size=size))
    U = np.asarray(values, dtype=np.float64).reshape((n,) + shape)
    named = draw(st.booleans())
    kwargs = {}
    if named:
        kwargs["player_names"] = draw(st.lists(_names, min_size=n, max_size=n))
        kwargs["strategy_names"] = [draw(st.lists(_names, min_size=k, max_size=k)) for k in shape]
    return bj.normal_form_game(U, title=draw(_names), **kwargs)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(game=_games(), version=st.sampled_from(["payoff", "outcome"]))
def test_random_round_trip(game, version):
    _assert_same_game(game, bj.parse_nfg(bj.write_nfg(game, version=version)))


# --- malformed input ------------------------------------------------------------------------

_GOOD = 'NFG 1 R "g" { "P1" "P2" } { 3 2 }\n""\n' + " ".join(str(i) for i in range(12))
_GOOD_OUTCOME = ('NFG 1 R "g" { "P1" "P2" } { { "a" "b" } { "c" } }\n'
                 '{ { "" 1, 2 } { "" 3, 4 } { "" 5, 6 } { "" 7, 8 } { "" 9, 10 } }\n1 2')


def test_good_texts_parse():
    assert bj.parse_nfg(_GOOD).num_actions == (3, 2)
    assert bj.parse_nfg(_GOOD_OUTCOME).num_actions == (2, 1)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty text"),
        ("   \n\t ", "empty text"),
        ("NFG 1 R", "truncated header"),
        ('NFG 1 R "g" { "P1" "P2" } { 3 ', "truncated header"),
        ('NFG 1 R "g" { "P1" "P2" ', "truncated header"),
        (_GOOD.rsplit(" ", 1)[0], "expected 12 payoffs (6 profiles x 2 players), got 11"),
        (_GOOD + " 12", "expected 12 payoffs (6 profiles x 2 players), got 13"),
        (_GOOD.replace(" 7 ", " abc "), "bad number 'abc' at token 21 (line 3)"),
        (_GOOD.replace(" 7 ", " 1/0 "), "zero denominator"),
        (_GOOD.replace(" 7 ", " 1e999 "), "non-finite number '1e999'"),
        (_GOOD.replace(" 7 ", " nan "), "bad number 'nan'"),
        (_GOOD.replace(" 7 ", " inf "), "bad number 'inf'"),
        (_GOOD.replace(" 7 ", " { "), "bad number '{'"),
        (_GOOD.replace(" 7 ", ' "7" '), 'bad number string "7"'),
        (_GOOD_OUTCOME.replace("1 2", "1 6"), "outcome index 6 out of range (5 outcomes)"),
        (_GOOD_OUTCOME.replace("1 2", "1 -1"), "outcome index -1 out of range"),
        (_GOOD_OUTCOME.replace("1 2", "1 x"), "bad outcome index 'x'"),
        (_GOOD_OUTCOME.replace("1 2", "1 2.0"), "bad outcome index '2.0'"),
        (_GOOD_OUTCOME.replace("1 2", "1"), "expected 2 outcome indices (one per profile), got 1"),
        (_GOOD_OUTCOME.replace("1 2", "1 2 3"), "expected 2 outcome indices"),
        (_GOOD_OUTCOME.replace('{ "" 3, 4 }', '{ "" 3 }'), "outcome 2 has 1 payoffs, expected 2"),
        (_GOOD_OUTCOME.replace('{ "" 3, 4 }', '{ "" 3, x }'), "bad payoff 'x'"),
        (_GOOD_OUTCOME.rsplit("}", 1)[0], "truncated outcome list"),
        (_GOOD_OUTCOME[:60], "truncated"),
        ("NFG 2 R \"g\" { \"P1\" } { 2 } 1 2", "unknown format version '2'"),
        ("NFG 1 X \"g\" { \"P1\" } { 2 } 1 2", "unknown number type 'X'"),
        ("EFG 2 R \"g\" { \"P1\" } { 2 } 1 2", "expected 'NFG'"),
        ("NFG 1 R { \"P1\" } { 2 } 1 2", "expected quoted game title"),
        ('NFG 1 R "g" { "P1" "P2" } { 3 } 1 2 3 4 5 6',
         "header gives 1 strategy counts for 2 players"),
        ('NFG 1 R "g" { "P1" } { 3 2 } 1 2 3 4 5 6',
         "header gives 2 strategy counts for 1 players"),
        ('NFG 1 R "g" { "P1" "P2" } { { "a" } } 1 2', "strategy names for 1 players"),
        ('NFG 1 R "g" { "P1" } { { } } 1 2', "player 1 has no strategies"),
        ('NFG 1 R "g" { "P1" } { 0 } ', "bad strategy count '0'"),
        ('NFG 1 R "g" { "P1" } { 2.5 } 1 2', "bad strategy count '2.5'"),
        ('NFG 1 R "g" { } { } ', "names no players"),
        ('NFG 1 R "g" { P1 } { 2 } 1 2', "expected quoted player name"),
        ('NFG 1 R "g" { "P1" } { { "a" b } } 1 2', "expected quoted strategy name"),
        ('NFG 1 R "g', "unterminated string"),
        ('NFG 1 R "g" { "P1" } { 2 } "c" 1 2 "extra"', "bad number string \"extra\""),
    ],
)
def test_malformed_text(text, message):
    with pytest.raises(ValueError, match="^malformed .nfg: ") as info:
        bj.parse_nfg(text)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_malformed_file_names_the_path(tmp_path):
    p = tmp_path / "bad.nfg"
    p.write_text(_GOOD.rsplit(" ", 1)[0])
    with pytest.raises(ValueError, match="got 11") as info:
        bj.read_nfg(p)
    assert str(p) in str(info.value)


def test_missing_path():
    with pytest.raises(FileNotFoundError):
        bj.read_nfg("/nonexistent/dir/game.nfg")


@needs_files
@pytest.mark.parametrize("name", ["contrib__games__2x2.nfg", "contrib__games__e04.nfg",
                                  "contrib__games__perfect1.nfg"])
def test_every_truncation_of_a_real_file_fails_cleanly(name):
    text = _file(name).read_text()
    full = bj.parse_nfg(text)
    for cut in range(len(text.rstrip())):
        try:
            g = bj.parse_nfg(text[:cut])
        except ValueError as err:
            assert str(err).startswith("malformed .nfg: ")
        else:  # a cut inside the last number can still give a well-formed (different) game
            assert g.payoffs.shape == full.payoffs.shape


@needs_files
@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_mutated_real_files_raise_only_value_error(data):
    path = data.draw(st.sampled_from(GAME_FILES[:20] + GAME_FILES[-10:]))
    tokens = re.findall(r'"[^"]*"|\S+', path.read_text())
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(tokens) - 1))
        op = data.draw(st.sampled_from(["drop", "dup", "swap", "junk"]))
        if op == "drop":
            del tokens[i]
        elif op == "dup":
            tokens.insert(i, tokens[i])
        elif op == "swap":
            j = data.draw(st.integers(0, len(tokens) - 1))
            tokens[i], tokens[j] = tokens[j], tokens[i]
        else:
            tokens[i] = data.draw(st.sampled_from(["{", "}", ",", '"', "x", "-", "1/0", "99", "0"]))
        if not tokens:
            break
    try:
        bj.parse_nfg(" ".join(tokens))
    except ValueError as err:
        assert str(err).startswith("malformed .nfg: ")
        assert "\n" not in str(err)
