r"""Reading and writing games in Gambit's ``.nfg`` text format.

Gambit (https://www.gambit-project.org) stores normal-form games as plain text in two versions
that share one header::

    NFG 1 R "title" { "Player 1" "Player 2" } { 3 2 }
    "optional comment"

The header is the literal ``NFG``, the format version ``1``, the number type ``R`` (rational)
or ``D`` (double; both are read the same way), the quoted game title and the list of quoted
player names.  Then come the strategies, either as one count per player (``{ 3 2 }``; the
strategies are then named ``"1"``, ``"2"``, ...) or as one list of quoted names per player
(``{ { "Top" "Bottom" } { "L" "C" "R" } }``), and an optional quoted comment.

*Payoff version*: the body is a flat list of ``prod |A_j| * n`` numbers.  It walks the joint
strategy profiles with **player 1's strategy changing fastest** (then player 2's, ...), and for
each profile lists the payoffs of players ``1..n`` in order.  For the header above::

    u1(1,1) u2(1,1)  u1(2,1) u2(2,1)  u1(3,1) u2(3,1)  u1(1,2) u2(1,2)  ...

*Outcome version*: the body starts with a braced list of outcomes, each a quoted name and
``n`` payoffs separated by commas and/or white space, ``{ { "win" 1, 0 } { "" 0, 1 } }``,
followed by one outcome index per profile (same order as above): ``k > 0`` is the ``k``-th
outcome of the list, ``0`` the null outcome (all payoffs zero).

Numbers are integers, decimals, exponent notation (``1.5e-3``) or rationals ``p/q``, in ASCII
digits; they are converted to the nearest float (rationals exactly rounded) and must be
finite.  Strings are double-quoted and may span lines; ``\"`` stands for a quote and ``\\``
for a backslash (any other backslash is kept as it is, as Gambit does).  White space,
including line breaks, is free-form.

Only what a :class:`~bargainjax.NormalFormGame` holds survives reading: payoffs, title, player
and strategy names.  The comment and the outcome names are discarded.
"""

from __future__ import annotations

import math
import os
import re
from fractions import Fraction
from typing import NamedTuple

import numpy as np

from bargainjax.games._normal_form import NormalFormGame, normal_form_game

__all__ = ["parse_nfg", "read_nfg", "write_nfg"]

_PREFIX = "malformed .nfg: "

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<open>")
  | (?P<lbrace>\{)
  | (?P<rbrace>\})
  | (?P<comma>,)
  | (?P<word>[^\s{},"]+)
    """,
    re.VERBOSE | re.DOTALL,
)
# ASCII digits only (``\d`` alone would also take e.g. Arabic-Indic or full-width digits, which
# Python's int() and float() accept but no .nfg writer produces).
_DECIMAL_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z", re.ASCII)
_RATIONAL_RE = re.compile(r"([+-]?\d+)/(\d+)\Z", re.ASCII)
_INT_RE = re.compile(r"[+-]?\d+\Z", re.ASCII)
_ESCAPE_RE = re.compile(r'\\([\\"])')


def _to_int(s: str) -> int | None:
    """``int(s)``, or ``None`` when it has too many digits for Python's int parser."""
    try:
        return int(s)
    except ValueError:
        return None


class _Tok(NamedTuple):
    kind: str  # "str", "{", "}", ",", "word"
    text: str  # unescaped string contents, or the raw word
    line: int


def _fail(message: str):
    raise ValueError(_PREFIX + message)


def _quoted_strings(stream, what: str, context: str = "") -> list[str]:
    """Quoted strings up to the closing ``}`` of a header list (the ``{`` already read)."""
    out: list[str] = []
    while True:
        tok = stream.next_header(f"quoted {what} or '}}'")
        if tok.kind == "}":
            return out
        if tok.kind != "str":
            _fail(f"expected quoted {what}{context}, got {_describe(tok)} "
                  f"{stream.where(stream.pos - 1)}")
        out.append(tok.text)


def _tokenize(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    line = 1
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup
        raw = m.group()
        if kind == "open":
            _fail(f"unterminated string starting on line {line}")
        if kind == "str":
            toks.append(_Tok("str", _ESCAPE_RE.sub(r"\1", raw[1:-1]), line))
        elif kind == "word":
            toks.append(_Tok("word", raw, line))
        elif kind != "ws":
            toks.append(_Tok(raw, raw, line))
        line += raw.count("\n")
    return toks


def _describe(tok: _Tok) -> str:
    """A short one-line rendering of a token for error messages."""
    shown = tok.text if len(tok.text) <= 30 else tok.text[:27] + "..."
    shown = " ".join(shown.split())  # one line: every line break (\r, \u2028, ...) too
    return f'string "{shown}"' if tok.kind == "str" else repr(shown)


class _Stream:
    """Token cursor whose errors name the token number (1-based) and line."""

    def __init__(self, toks: list[_Tok]):
        self.toks = toks
        self.pos = 0

    def at_end(self) -> bool:
        return self.pos >= len(self.toks)

    def where(self, pos: int | None = None) -> str:
        pos = self.pos if pos is None else pos
        return f"at token {pos + 1} (line {self.toks[pos].line})"

    def peek(self) -> _Tok | None:
        return None if self.at_end() else self.toks[self.pos]

    def next_header(self, expected: str) -> _Tok:
        if self.at_end():
            _fail(f"truncated header (expected {expected})")
        tok = self.toks[self.pos]
        self.pos += 1
        return tok

    def expect_header(self, kind: str, expected: str) -> _Tok:
        tok = self.next_header(expected)
        if tok.kind != kind:
            _fail(f"expected {expected} in header, got {_describe(tok)} {self.where(self.pos - 1)}")
        return tok


def _number(tok: _Tok, stream: _Stream, pos: int, what: str = "number") -> float:
    """Parse a number token into a finite float."""
    where = stream.where(pos)
    if tok.kind != "word":
        _fail(f"bad {what} {_describe(tok)} {where}")
    s = tok.text
    if _DECIMAL_RE.match(s):
        value = float(s)
    else:
        m = _RATIONAL_RE.match(s)
        if m is None:
            _fail(f"bad {what} {s!r} {where}")
        num, den = _to_int(m.group(1)), _to_int(m.group(2))
        if num is None or den is None:
            _fail(f"bad {what} {s!r} {where} (too many digits)")
        if den == 0:
            _fail(f"bad {what} {s!r} {where} (zero denominator)")
        try:
            value = float(Fraction(num, den))
        except OverflowError:
            value = math.inf
    if not math.isfinite(value):
        _fail(f"non-finite number {s!r} {where}")
    return value


def _parse_header(stream: _Stream):
    tok = stream.next_header("'NFG'")
    if tok.kind != "word" or tok.text != "NFG":
        _fail(f"expected 'NFG' at the start of the file, got {_describe(tok)}")
    tok = stream.next_header("version '1'")
    if tok.kind != "word" or tok.text != "1":
        _fail(f"unknown format version {_describe(tok)} (only 'NFG 1 R' and 'NFG 1 D' are read)")
    tok = stream.next_header("number type 'R' or 'D'")
    if tok.kind != "word" or tok.text not in ("R", "D"):
        _fail(f"unknown number type {_describe(tok)} (only 'NFG 1 R' and 'NFG 1 D' are read)")
    title = stream.expect_header("str", "quoted game title").text

    stream.expect_header("{", "'{' opening the player list")
    players = _quoted_strings(stream, "player name", " in header")
    n = len(players)
    if n == 0:
        _fail("the header names no players")

    stream.expect_header("{", "'{' opening the strategy list")
    tok = stream.peek()
    if tok is None:
        _fail("truncated header (expected strategy counts or names)")
    strategies: list[tuple[str, ...]] | None = None
    counts: list[int] = []
    if tok.kind == "{":
        strategies = []
        while True:
            tok = stream.next_header("'{' opening a strategy-name list or '}'")
            if tok.kind == "}":
                break
            if tok.kind != "{":
                _fail(f"expected '{{' opening player {len(strategies) + 1}'s strategy names, got "
                      f"{_describe(tok)} {stream.where(stream.pos - 1)}")
            names = _quoted_strings(stream, "strategy name")
            if not names:
                _fail(f"player {len(strategies) + 1} has no strategies")
            strategies.append(tuple(names))
        if len(strategies) != n:
            _fail(f"header gives strategy names for {len(strategies)} players, "
                  f"but names {n} players")
        counts = [len(s) for s in strategies]
    else:
        while True:
            pos = stream.pos
            tok = stream.next_header("strategy count or '}'")
            if tok.kind == "}":
                break
            k = _to_int(tok.text) if tok.kind == "word" and _INT_RE.match(tok.text) else None
            if k is None or k < 1:
                _fail(f"bad strategy count {_describe(tok)} {stream.where(pos)} "
                      f"(must be a positive integer)")
            counts.append(k)
        if len(counts) != n:
            _fail(f"header gives {len(counts)} strategy counts for {n} players")

    comment = ""
    tok = stream.peek()
    if tok is not None and tok.kind == "str":
        comment = tok.text
        stream.pos += 1
    return title, players, counts, strategies, comment


def _body_tokens(stream: _Stream):
    """``(position, token)`` for the rest of the body, commas (optional separators) skipped."""
    while not stream.at_end():
        pos = stream.pos
        stream.pos += 1
        if stream.toks[pos].kind != ",":
            yield pos, stream.toks[pos]


def _parse_payoff_body(stream: _Stream, n: int, num_profiles: int) -> np.ndarray:
    values = [_number(tok, stream, pos) for pos, tok in _body_tokens(stream)]
    expected = num_profiles * n
    if len(values) != expected:
        _fail(f"expected {expected} payoffs ({num_profiles} profiles x {n} players), "
              f"got {len(values)}")
    return np.asarray(values, dtype=np.float64).reshape(num_profiles, n)


def _parse_outcome_body(stream: _Stream, n: int, num_profiles: int) -> np.ndarray:
    stream.pos += 1  # the '{' opening the outcome list
    outcomes: list[list[float]] = [[0.0] * n]  # index 0: the null outcome
    while True:
        if stream.at_end():
            _fail("truncated outcome list (missing '}')")
        tok = stream.toks[stream.pos]
        if tok.kind == "}":
            stream.pos += 1
            break
        if tok.kind != "{":
            _fail(f"expected '{{' opening outcome {len(outcomes)} or '}}' closing the outcome "
                  f"list, got {_describe(tok)} {stream.where()}")
        stream.pos += 1
        if not stream.at_end() and stream.toks[stream.pos].kind == "str":
            stream.pos += 1  # the outcome's name
        payoffs: list[float] = []
        while True:
            if stream.at_end():
                _fail(f"truncated outcome {len(outcomes)} (missing '}}')")
            pos = stream.pos
            tok = stream.toks[pos]
            stream.pos += 1
            if tok.kind == "}":
                break
            if tok.kind == ",":
                continue
            payoffs.append(_number(tok, stream, pos, "payoff"))
        if not payoffs:  # `{ "" }`: an outcome without payoffs pays zero
            payoffs = [0.0] * n
        if len(payoffs) != n:
            _fail(f"outcome {len(outcomes)} has {len(payoffs)} payoffs, expected {n} "
                  f"(one per player)")
        outcomes.append(payoffs)

    indices: list[int] = []
    for pos, tok in _body_tokens(stream):
        k = _to_int(tok.text) if tok.kind == "word" and _INT_RE.match(tok.text) else None
        if k is None:
            _fail(f"bad outcome index {_describe(tok)} {stream.where(pos)}")
        if not 0 <= k < len(outcomes):
            _fail(f"outcome index {k} out of range ({len(outcomes) - 1} outcomes) "
                  f"{stream.where(pos)}")
        indices.append(k)
    if len(indices) != num_profiles:
        _fail(f"expected {num_profiles} outcome indices (one per profile), got {len(indices)}")
    table = np.asarray(outcomes, dtype=np.float64)
    return table[np.asarray(indices, dtype=np.intp)].reshape(num_profiles, n)


def parse_nfg(text: str) -> NormalFormGame:
    """Parse the text of a Gambit ``.nfg`` file (payoff or outcome version).

    See the module docstring for the format.  Profiles are listed with player 1's strategy
    changing fastest; ``payoffs[i, x_1, ..., x_n]`` of the result is player ``i``'s payoff at
    the profile ``x``.

    Args:
        text: the file's contents.

    Returns:
        A :class:`~bargainjax.NormalFormGame` with the file's payoffs, title, player names and
        strategy names (``"1"``, ``"2"``, ... when the header gives only counts).  Payoffs get
        JAX's default float dtype (float64 when ``jax_enable_x64`` is on).

    Raises:
        ValueError: if the text is not a well-formed ``.nfg`` file; the one-line message starts
            with ``"malformed .nfg: "`` and names the problem (and token number and line).
    """
    if not isinstance(text, str):
        raise TypeError(f"`text` must be a str, got {type(text).__name__}")
    toks = _tokenize(text)
    if not toks:
        _fail("empty text")
    stream = _Stream(toks)
    title, players, counts, strategies, _comment = _parse_header(stream)
    n = len(players)
    num_profiles = math.prod(counts)

    tok = stream.peek()
    if tok is not None and tok.kind == "{":
        flat = _parse_outcome_body(stream, n, num_profiles)
    else:
        flat = _parse_payoff_body(stream, n, num_profiles)

    # flat[p, i]: player i's payoff at the p-th profile, player 1 fastest (Fortran order).
    payoffs = np.moveaxis(flat.reshape(tuple(counts) + (n,), order="F"), -1, 0)
    return normal_form_game(
        payoffs, title=title, player_names=players, strategy_names=strategies
    )


def read_nfg(source) -> NormalFormGame:
    """Read a game from a Gambit ``.nfg`` file (payoff or outcome version).

    Args:
        source: a path (``str`` or ``os.PathLike``) or an open file object (text or binary).
            Files are decoded as UTF-8 (with a Latin-1 fallback).

    Returns:
        The :class:`~bargainjax.NormalFormGame`; see :func:`parse_nfg`.

    Raises:
        FileNotFoundError: if the path does not exist.
        ValueError: if the contents are malformed (see :func:`parse_nfg`); the message names
            the path when one was given.
    """
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as f:
            data = f.read()
        name = os.fspath(source)
    elif hasattr(source, "read"):
        data = source.read()
        name = getattr(source, "name", None)
    else:
        raise TypeError(f"`source` must be a path or a file object, got {type(source).__name__}")
    if isinstance(data, (bytes, bytearray)):
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError:
            data = bytes(data).decode("latin-1")
    if not isinstance(data, str):
        raise TypeError(f"`source.read()` must return str or bytes, got {type(data).__name__}")
    try:
        return parse_nfg(data)
    except ValueError as err:
        if isinstance(name, str) and name:
            raise ValueError(f"{err} (in {name})") from None
        raise


def _quote(s: str) -> str:
    """Quote ``s`` for an ``.nfg`` file: ``"`` becomes ``\\"``; a backslash is doubled only
    where the reader would otherwise take it for an escape (before ``\\``, ``"`` or at the end),
    so other backslashes read the same in Gambit."""
    out = []
    for i, c in enumerate(s):
        if c == '"':
            out.append('\\"')
        elif c == "\\" and (i + 1 == len(s) or s[i + 1] in '\\"'):
            out.append("\\\\")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _format_number(x: float) -> str:
    """Shortest text that reads back as exactly ``x``; integral values without a point."""
    if x == 0.0 and math.copysign(1.0, x) < 0:
        return "-0.0"
    if x.is_integer() and abs(x) < 2.0**53:
        return str(int(x))
    return repr(x)


def write_nfg(game: NormalFormGame, path_or_file=None, *, version: str = "payoff",
              comment: str = "") -> str:
    """Write a game in Gambit's ``.nfg`` format (payoff or outcome version).

    Numbers are written exactly (integral values as integers, others with ``repr(float)``), so
    ``parse_nfg(write_nfg(g))`` reproduces ``g``'s payoffs bit for bit, title and names.  See the
    module docstring for the format.

    Args:
        game: the :class:`~bargainjax.NormalFormGame` (unbatched, concrete payoffs).
        path_or_file: where to write: a path (``str`` or ``os.PathLike``, written as UTF-8), an
            open file object, or ``None`` to only return the text.
        version: ``"payoff"`` (header, then the flat payoff list; strategies given by count
            when they have the default names ``"1"``, ``"2"``, ...) or ``"outcome"`` (strategy
            names, an outcome per distinct payoff vector, then one outcome index per profile).
        comment: the optional comment string written after the header.

    Returns:
        The text of the file.

    Raises:
        ValueError: for an unknown ``version``, a batched game or non-finite payoffs.
    """
    if version not in ("payoff", "outcome"):
        raise ValueError(f'`version` must be "payoff" or "outcome", got {version!r}')
    U = np.asarray(game.payoffs, dtype=np.float64)
    n = U.ndim - 1
    if n < 1 or U.shape[0] != n:
        raise ValueError(
            f"`game.payoffs` must have shape (n, |A_1|, ..., |A_n|) (one unbatched game), "
            f"got shape {U.shape}"
        )
    if not np.all(np.isfinite(U)):
        raise ValueError("`game.payoffs` contains NaN or inf")
    counts = U.shape[1:]
    players = tuple(game.player_names)
    if len(players) != n:
        players = tuple(str(i + 1) for i in range(n))
    strategies = tuple(tuple(s) for s in game.strategy_names)
    if tuple(len(s) for s in strategies) != counts:
        strategies = tuple(tuple(str(a + 1) for a in range(k)) for k in counts)
    default_names = all(s == tuple(str(a + 1) for a in range(len(s))) for s in strategies)

    num_profiles = math.prod(counts)
    # flat[p, i]: player i's payoff at the p-th profile, player 1's strategy fastest.
    flat = np.moveaxis(U, 0, -1).reshape(num_profiles, n, order="F")
    rows = [[_format_number(x) for x in row] for row in flat.tolist()]

    lines = [f"NFG 1 R {_quote(str(game.title))} {{ {' '.join(_quote(p) for p in players)} }}"]
    if version == "payoff" and default_names:
        lines[0] += " { " + " ".join(str(k) for k in counts) + " }"
    else:
        lines.append("")
        lines.append("{ " + "\n".join(
            "{ " + " ".join(_quote(s) for s in names) + " }" for names in strategies) + "\n}")
    lines.append(_quote(comment))
    lines.append("")
    if version == "payoff":
        lines.extend(" ".join(row) for row in rows)
    else:
        index: dict[tuple[str, ...], int] = {}
        profile_outcomes = []
        for row in rows:
            profile_outcomes.append(index.setdefault(tuple(row), len(index) + 1))
        lines.append("{")
        lines.extend('{ "" ' + ", ".join(key) + " }" for key in index)
        lines.append("}")
        lines.append(" ".join(str(k) for k in profile_outcomes))
    text = "\n".join(lines) + "\n"

    if path_or_file is not None:
        if isinstance(path_or_file, (str, os.PathLike)):
            with open(path_or_file, "w", encoding="utf-8") as f:
                f.write(text)
        elif hasattr(path_or_file, "write"):
            try:
                path_or_file.write(text)
            except TypeError:
                path_or_file.write(text.encode("utf-8"))
        else:
            raise TypeError(
                f"`path_or_file` must be a path, a file object or None, "
                f"got {type(path_or_file).__name__}"
            )
    return text
