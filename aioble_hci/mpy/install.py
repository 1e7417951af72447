"""Put the MicroPython shims into this process, and take them out again."""

from __future__ import annotations

import asyncio
import builtins
import io
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

from aioble_hci.mpy import asyncio_ext, mprandom, ticks, whole_print

SHIMS_DIR = str(Path(__file__).resolve().parent / "shims")

# Names we added to an existing module, so uninstall() removes exactly those.
_added: list[tuple[ModuleType, str]] = []
# Modules we put in sys.modules in place of CPython's (name -> the one to put back).
_replaced: dict[str, ModuleType | None] = {}


def print_exception(exc: BaseException, file: TextIO | None = None) -> None:
    """MicroPython's `sys.print_exception(exc, file=sys.stdout)`: print a traceback to `file`."""
    traceback.print_exception(type(exc), exc, exc.__traceback__, file=file or sys.stdout)


def _patch(module: ModuleType, names: dict[str, Any]) -> None:
    for name, value in names.items():
        if not hasattr(module, name):
            setattr(module, name, value)
            _added.append((module, name))


def install(line_buffered_stdout: bool = False, whole_line_print: bool = False) -> None:
    """Make MicroPython's extra modules and functions available in this process (idempotent).

    With `line_buffered_stdout`, stdout flushes at every newline, as MicroPython's console does,
    which a harness reading lines through a pipe relies on. With `whole_line_print`, each
    `print` call reaches its stream in one piece even when IRQ handlers print from the host
    thread at the same time (see aioble_hci.mpy.whole_print).
    """
    if SHIMS_DIR not in sys.path:
        sys.path.insert(0, SHIMS_DIR)
    _patch(time, ticks.EXTENSIONS)
    _patch(asyncio, asyncio_ext.EXTENSIONS)
    _patch(sys, {"print_exception": print_exception})
    _replace_module("random", mprandom)
    if whole_line_print and _original_print is None:
        _set_print(whole_print.make_print(builtins.print))
    if line_buffered_stdout and isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)


_original_print: Any = None


def _set_print(replacement: Any) -> None:
    global _original_print
    _original_print = builtins.print
    builtins.print = replacement


def _replace_module(name: str, module: ModuleType) -> None:
    """`import name` gives `module` from now on (MicroPython's behaviour of a stdlib name)."""
    if name not in _replaced:
        _replaced[name] = sys.modules.get(name)
    sys.modules[name] = module


def uninstall() -> None:
    """Undo install(): the path entry, the added names, the replaced and the imported shim modules."""
    while SHIMS_DIR in sys.path:
        sys.path.remove(SHIMS_DIR)
    for name, original in _replaced.items():
        if original is None:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = original
    _replaced.clear()
    global _original_print
    if _original_print is not None:
        builtins.print = _original_print
        _original_print = None
    while _added:
        module, name = _added.pop()
        if hasattr(module, name):
            delattr(module, name)
    for name, module in list(sys.modules.items()):
        if getattr(module, "__file__", None) and str(module.__file__).startswith(SHIMS_DIR):
            del sys.modules[name]


@contextmanager
def installed() -> Iterator[None]:
    """install() for the duration of a with block."""
    install()
    try:
        yield
    finally:
        uninstall()
