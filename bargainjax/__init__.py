"""bargainjax: cooperative bargaining solutions of games in JAX, certified, batched, differentiable.

Import as ``import bargainjax as bj``.  See ``README.md`` and ``SPEC.md`` for the mathematics.
"""

from ._status import Status as Status, check as check, status_message as status_message
from ._games import (
    NormalFormGame as NormalFormGame,
    SeparableGame as SeparableGame,
    bimatrix_game as bimatrix_game,
    game_from_tables as game_from_tables,
    normal_form_game as normal_form_game,
    separable_game as separable_game,
)

# --- .nfg files ---
from ._nfg import parse_nfg as parse_nfg, read_nfg as read_nfg, write_nfg as write_nfg

# --- simplex machinery and solvers ---

__version__ = "0.1.0"

__all__ = [
    "NormalFormGame",
    "SeparableGame",
    "Status",
    "bimatrix_game",
    "check",
    "game_from_tables",
    "normal_form_game",
    "parse_nfg",
    "read_nfg",
    "separable_game",
    "status_message",
    "write_nfg",
]
