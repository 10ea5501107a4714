r"""Games: normal-form payoff tensors and additively separable games.

Notation: players :math:`N = \{1..n\}`, player :math:`i` has finite actions
:math:`A_i`, and a game's payoffs are one array ``U`` of shape
``(n, |A_1|, ..., |A_n|)`` with ``U[i, x_1, ..., x_n]`` player ``i``'s utility at the joint
action ``x``.  Axis ``1 + j`` of ``U`` is player ``j``'s action, for every ``i`` (this differs
from QuantEcon's per-player rolled axes; one tensor serves all players).

For two players, ``A = U[0]`` is the row player's and ``B = U[1]`` the column player's payoff
(Nashpy's convention); a zero-sum game is ``A`` alone with ``B = -A``.

An *additively separable* game (report §3.2) is given by contribution tables
``u_{j,i}(a_j)``: the utility that player ``j``'s action ``a_j`` gives player ``i``, so
:math:`U_i(x) = \sum_j u_{j,i}(x_j)`.  Its feasible set is a Minkowski sum, handled with one
simplex per player by :class:`bargainjax.SeparableHull`.

Games are immutable pytrees (registered with ``jax.tree_util.register_dataclass``): payoff
arrays are leaves, names are static metadata, so games can be passed through ``jit`` and
stacked along a leading batch axis for ``vmap``.

:func:`payoff_tensor` is the one place a "game" argument (a :class:`NormalFormGame`, a
:class:`SeparableGame` or a payoff array) is turned into a payoff tensor.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Sequence

import jax
import jax.numpy as jnp

from bargainjax.core import _validate as v


@functools.partial(jax.tree_util.register_dataclass, data_fields=["payoffs"],
                   meta_fields=["title", "player_names", "strategy_names"])
@dataclasses.dataclass(frozen=True)
class NormalFormGame:
    """An n-player normal-form game.

    Attributes:
        payoffs: array ``(n, |A_1|, ..., |A_n|)``; ``payoffs[i][x]`` is ``U_i(x)``.
        title: the game's title (static).
        player_names: one name per player (static).
        strategy_names: per player, one name per action (static).
    """

    payoffs: jax.Array
    title: str = ""
    player_names: tuple[str, ...] = ()
    strategy_names: tuple[tuple[str, ...], ...] = ()

    @property
    def num_players(self) -> int:
        """Number of players ``n`` (static)."""
        return self.payoffs.ndim - 1

    @property
    def num_actions(self) -> tuple[int, ...]:
        """``(|A_1|, ..., |A_n|)`` (static)."""
        return tuple(self.payoffs.shape[1:])

    @property
    def outcomes(self) -> jax.Array:
        """Payoff vectors of all joint actions, shape ``(prod |A_i|, n)``, C order over actions."""
        n = self.num_players
        return jnp.moveaxis(self.payoffs, 0, -1).reshape(-1, n)

    def expected_payoffs(self, *strategies) -> jax.Array:
        """Expected payoffs ``(n,)`` of independent mixed strategies, one ``(|A_j|,)`` per player."""
        if len(strategies) != self.num_players:
            raise ValueError(
                f"`strategies` must give one mixed strategy per player ({self.num_players}), "
                f"got {len(strategies)}"
            )
        out = self.payoffs
        for s in reversed(strategies):
            out = out @ s
        return out


def _validated_tensor(payoffs, name: str) -> jax.Array:
    """Validate a payoff array ``(n, |A_1|, ..., |A_n|)``; errors name the argument ``name``."""
    U = v.as_array(payoffs, name, min_ndim=2)
    n = U.ndim - 1
    if U.shape[0] != n:
        raise ValueError(
            f"`{name}` must have shape (n, |A_1|, ..., |A_n|) with n = number of action axes; "
            f"got shape {U.shape} ({n} action axes but {U.shape[0]} payoff tables)"
        )
    if any(k < 1 for k in U.shape[1:]):
        raise ValueError(f"`{name}`: every player needs at least one action, got shape {U.shape}")
    v.finite(U, name)
    return U


def payoff_tensor(game, name: str = "game") -> jax.Array:
    r"""The payoff tensor ``U`` of shape ``(n, |A_1|, ..., |A_n|)`` of a game argument.

    The one place a "game" argument is coerced.  Accepts a :class:`NormalFormGame` (its
    ``payoffs``), a :class:`SeparableGame` (materialised, :math:`U_i(x) = \sum_j u_{j,i}(x_j)`
    over all ``prod |A_j|`` joint actions) or anything array-like, which is validated: ``n``
    payoff tables, one action axis per player, at least one action each, finite when concrete.
    Game objects are not re-validated (their constructors did it), so traced payoffs pass
    through ``jit``/``vmap`` unchanged.

    Args:
        game: the game.
        name: the argument's name in error messages.

    Raises:
        ValueError: one line naming ``name`` if ``game`` is a string, bytes, a dict or None, or
            an array of the wrong shape, with an empty action set, or with NaN/inf.
    """
    if isinstance(game, NormalFormGame):
        return game.payoffs
    if isinstance(game, SeparableGame):
        return game.to_normal_form().payoffs
    if isinstance(game, (str, bytes, dict)) or game is None:
        raise ValueError(
            f"`{name}` must be a NormalFormGame, a SeparableGame or a payoff array of shape "
            f"(n, |A_1|, ..., |A_n|), got {type(game).__name__}"
        )
    return _validated_tensor(game, name)


def normal_form_game(
    payoffs,
    *,
    title: str = "",
    player_names: Sequence[str] | None = None,
    strategy_names: Sequence[Sequence[str]] | None = None,
) -> NormalFormGame:
    """Build a :class:`NormalFormGame` from a payoff tensor ``(n, |A_1|, ..., |A_n|)``.

    Raises:
        ValueError: if ``payoffs`` has the wrong shape (``payoffs.shape[0]`` must equal the
            number of action axes), an empty action set, NaN/inf, or names of the wrong length.
    """
    U = _validated_tensor(payoffs, "payoffs")
    n = U.ndim - 1
    names = tuple(player_names) if player_names is not None else tuple(str(i + 1) for i in range(n))
    if len(names) != n:
        raise ValueError(f"`player_names` must have {n} entries, got {len(names)}")
    if strategy_names is None:
        snames = tuple(tuple(str(a + 1) for a in range(k)) for k in U.shape[1:])
    else:
        snames = tuple(tuple(str(s) for s in row) for row in strategy_names)
        if tuple(len(r) for r in snames) != tuple(U.shape[1:]):
            raise ValueError(
                f"`strategy_names` must have {tuple(U.shape[1:])} names per player, "
                f"got {tuple(len(r) for r in snames)}"
            )
    return NormalFormGame(U, title, names, snames)


def bimatrix_game(A, B=None, **names) -> NormalFormGame:
    """Two-player game from the row player's ``A`` and the column player's ``B`` (``(m, k)``).

    ``B=None`` gives the zero-sum game ``B = -A`` (Nashpy's ``Game(A)``).
    """
    A = v.as_array(A, "A", ndim=2)
    B = -A if B is None else v.as_array(B, "B", ndim=2)
    if A.shape != B.shape:
        raise ValueError(f"`A` and `B` must have the same shape, got {A.shape} and {B.shape}")
    return normal_form_game(jnp.stack([A, B]), **names)


def game_from_tables(tables: Sequence, **names) -> NormalFormGame:
    """Game from one payoff table per player, each of shape ``(|A_1|, ..., |A_n|)``."""
    if len(tables) == 0:
        raise ValueError("`tables` must hold one payoff table per player, got none")
    arrs = [v.as_array(t, f"tables[{i}]") for i, t in enumerate(tables)]
    for i, t in enumerate(arrs):
        if t.shape != arrs[0].shape:
            raise ValueError(f"`tables[{i}]` has shape {t.shape}, expected {arrs[0].shape}")
    return normal_form_game(jnp.stack(arrs), **names)


@functools.partial(jax.tree_util.register_dataclass, data_fields=["contributions"],
                   meta_fields=[])
@dataclasses.dataclass(frozen=True)
class SeparableGame:
    r"""An additively separable game (report §3.2).

    Attributes:
        contributions: tuple of ``n`` arrays; ``contributions[j]`` has shape ``(|A_j|, n)`` and
            ``contributions[j][a, i]`` is :math:`u_{j,i}(a)`, the utility player ``j``'s action
            ``a`` gives player ``i``.  :math:`U_i(x) = \sum_j u_{j,i}(x_j)`.
    """

    contributions: tuple

    @property
    def num_players(self) -> int:
        return len(self.contributions)

    @property
    def num_actions(self) -> tuple[int, ...]:
        return tuple(c.shape[-2] for c in self.contributions)

    def to_normal_form(self) -> NormalFormGame:
        """The equivalent payoff tensor (materialises the joint action space)."""
        n = self.num_players
        U = jnp.zeros((n,) + self.num_actions, dtype=self.contributions[0].dtype)
        for j, c in enumerate(self.contributions):
            shape = [n] + [1] * n
            shape[1 + j] = c.shape[0]
            U = U + c.T.reshape(shape)
        return NormalFormGame(U, "", tuple(str(i + 1) for i in range(n)),
                              tuple(tuple(str(a + 1) for a in range(k)) for k in self.num_actions))


def separable_game(contributions: Sequence) -> SeparableGame:
    """Build a :class:`SeparableGame` from per-player tables ``u_{j,i}(a_j)`` of shape ``(|A_j|, n)``."""
    if len(contributions) == 0:
        raise ValueError("`contributions` must hold one table per player, got none")
    n = len(contributions)
    arrs = []
    for j, c in enumerate(contributions):
        c = v.as_array(c, f"contributions[{j}]", ndim=2)
        if c.shape[1] != n or c.shape[0] < 1:
            raise ValueError(
                f"`contributions[{j}]` must have shape (|A_{j + 1}|, n={n}), got {c.shape}"
            )
        v.finite(c, f"contributions[{j}]")
        arrs.append(c)
    return SeparableGame(tuple(arrs))
