"""`python -m tests.fuzz`: see runner.py."""

import sys

from .runner import main

sys.exit(main())
