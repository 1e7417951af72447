"""`python -m aioble_hci.mpy [-t SPEC] (SCRIPT | -c CODE) [ARGS...]`: a MicroPython-flavoured python.

Accepts `-c CODE` like the python executable, so it can serve as the program of an `exec:` instance
in MicroPython's run-multitests.py (see docs/multitest.md).
"""

from aioble_hci.cli.run import main

raise SystemExit(main())
