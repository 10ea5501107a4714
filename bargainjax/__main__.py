"""``python -m bargainjax``: the same command line as the ``bargainjax`` script."""

import sys

from bargainjax.cli._main import main

if __name__ == "__main__":
    sys.exit(main())
