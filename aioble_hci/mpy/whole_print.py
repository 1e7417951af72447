"""A `print` whose every call reaches its stream whole, whichever thread calls it.

On a board an IRQ handler runs between the main program's bytecodes, never inside a `print`,
so a line from the handler and a line from the program never mix. Here IRQ handlers run on
the host thread while the program prints from its own, and CPython's `print` writes each
argument, separator and end separately: two threads printing at once give lines such as
``_IRQ_GATTC_READ_DONEgattc_write``. This `print` formats the whole call first (with the
built-in's own formatting), then writes it in one call under one process-wide lock.
"""

from __future__ import annotations

import io
import sys
import threading
from collections.abc import Callable
from typing import Any

_lock = threading.RLock()  # re-entrant: an object's __str__ may print


def make_print(builtin_print: Callable[..., None]) -> Callable[..., None]:
    """A drop-in `print(*objects, sep=' ', end='\\n', file=None, flush=False)` built on `builtin_print`."""

    def whole_print(*objects: Any, sep: str | None = " ", end: str | None = "\n", file: Any = None,
                    flush: bool = False) -> None:
        buffer = io.StringIO()
        builtin_print(*objects, sep=sep, end=end, file=buffer)  # the built-in's checks and formatting
        stream = sys.stdout if file is None else file
        if stream is None:
            return  # as the built-in: no stdout (pythonw), nothing printed
        with _lock:
            stream.write(buffer.getvalue())
            if flush:
                stream.flush()

    whole_print.__doc__ = builtin_print.__doc__
    whole_print.__wrapped__ = builtin_print  # type: ignore[attr-defined]
    return whole_print
