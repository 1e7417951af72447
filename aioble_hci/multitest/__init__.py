"""MicroPython's multitest format on CPython: one process per instance, each on its own controller.

`run_files(paths, specs, options)` runs test files (`def instanceN():` functions using the
`multitest` object) and returns `TestResult`s; `aioble-hci multitest` is its command line.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aioble_hci.multitest.session import Outcome, RunOptions, run_test
    from aioble_hci.multitest.specs import AUTO, InstanceSpec, Kind
    from aioble_hci.multitest.suite import Reporter, TestResult, run_files

__all__ = ["AUTO", "InstanceSpec", "Kind", "Outcome", "Reporter", "RunOptions", "TestResult",
           "run_files", "run_test"]
_HOMES = {"Outcome": "session", "RunOptions": "session", "run_test": "session", "AUTO": "specs",
          "InstanceSpec": "specs", "Kind": "specs", "Reporter": "suite", "TestResult": "suite",
          "run_files": "suite"}


def __getattr__(name: str) -> Any:
    # Lazy: the command line reads one constant from specs without loading the runner.
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
