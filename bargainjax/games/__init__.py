"""Games: normal-form payoff tensors, additively separable games, Gambit ``.nfg`` files.
"""

from bargainjax.games._normal_form import (
    NormalFormGame as NormalFormGame,
    SeparableGame as SeparableGame,
    bimatrix_game as bimatrix_game,
    game_from_tables as game_from_tables,
    normal_form_game as normal_form_game,
    payoff_tensor as payoff_tensor,
    separable_game as separable_game,
)
from bargainjax.games._nfg import (
    parse_nfg as parse_nfg,
    read_nfg as read_nfg,
    write_nfg as write_nfg,
)
