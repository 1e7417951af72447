"""`python -m aioble_hci` runs the command line."""

from aioble_hci.cli.main import main

raise SystemExit(main())
