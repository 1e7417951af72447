"""aioble-hci: a Bluetooth Low Energy host in asyncio Python.

`use(spec)` chooses the controller for the `aioble` and `bluetooth` facades before their
first activation (otherwise $AIOBLE_HCI_TRANSPORT, else the shared virtual air).
`aioble_hci.host.api.open_host(spec)` gives direct, thread-safe access to a host.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

# A library's log records go nowhere until the application configures logging (the Python
# convention): a MicroPython program's output is only what it prints, and multitests compare it.
logging.getLogger(__name__).addHandler(logging.NullHandler())

__version__ = "0.1.0"
__all__ = ["__version__", "use"]

if TYPE_CHECKING:
    from aioble_hci.facade.runtime import use


def __getattr__(name: str) -> object:
    # Lazy, so importing a sans-I/O core (aioble_hci.att, ...) does not start the host machinery.
    if name == "use":
        from aioble_hci.facade.runtime import use

        return use
    raise AttributeError(f"module 'aioble_hci' has no attribute {name!r}")
