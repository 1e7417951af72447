"""Make sure `import bluetooth` is aioble-hci's MicroPython module, not PyBluez's.

PyBluez (Bluetooth Classic sockets) also installs a top-level package named `bluetooth`; with
both installed, whichever comes first on sys.path wins and the other breaks with confusing
AttributeErrors. Our package carries a marker; `require_our_bluetooth()` (called by `aioble`
before it uses `bluetooth`) raises an ImportError naming the conflict and the fix instead.
"""

from __future__ import annotations

import importlib
from types import ModuleType

MARKER = "__aioble_hci__"  # set to True in bluetooth/__init__.py


def conflict_message(module: ModuleType) -> str:
    where = getattr(module, "__file__", None) or "an unknown location"
    return (f"the 'bluetooth' module imported from {where} is not aioble-hci's MicroPython-compatible "
            "module (it is probably PyBluez's, which uses the same name): uninstall it "
            "(`pip uninstall pybluez`) or install aioble-hci in a virtual environment without it")


def require_our_bluetooth() -> ModuleType:
    """Import `bluetooth` and check it is ours; ImportError naming the conflict otherwise."""
    module = importlib.import_module("bluetooth")
    if getattr(module, MARKER, False) is not True:
        raise ImportError(conflict_message(module))
    return module
