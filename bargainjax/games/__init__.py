"""Games: normal-form payoff tensors, additively separable games, Gambit ``.nfg`` files.
"""

from bargainjax.games._normal_form import (
    NormalFormGame,
    SeparableGame,
    bimatrix_game,
    game_from_tables,
    normal_form_game,
    payoff_tensor,
    separable_game,
)
from bargainjax.games._nfg import (
    parse_nfg,
    read_nfg,
    write_nfg,
)

__all__ = [
    "NormalFormGame",
    "SeparableGame",
    "bimatrix_game",
    "game_from_tables",
    "normal_form_game",
    "payoff_tensor",
    "separable_game",
    "parse_nfg",
    "read_nfg",
    "write_nfg",
]
