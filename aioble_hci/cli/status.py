"""A one-line status ("Connecting to ...", "Pairing ...") on an interactive terminal.

Shown on stderr only when stderr is a terminal, rewritten in place with a carriage return and
cleared at the end, so piped or redirected output (and scripts parsing it) never sees it.
"""

from __future__ import annotations

import sys
from typing import TextIO


class StatusLine:
    """Shows the current step of a long operation; silent unless `stream` is a terminal."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _isatty(self.stream) if enabled is None else enabled
        self._width = 0

    def show(self, text: str) -> None:
        if not self.enabled:
            return
        padding = " " * max(0, self._width - len(text))
        self.stream.write(f"\r{text}{padding}")
        self.stream.flush()
        self._width = len(text)

    def clear(self) -> None:
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
