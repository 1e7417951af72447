"""MicroPython's multitest format on CPython: one process per instance, each on its own controller.

`run_files(paths, specs, options)` runs test files (`def instanceN():` functions using the
`multitest` object) and returns `TestResult`s; `aioble-hci multitest` is its command line.
"""

from __future__ import annotations

from aioble_hci.multitest.session import Outcome, RunOptions, run_test
from aioble_hci.multitest.specs import AUTO, InstanceSpec, Kind
from aioble_hci.multitest.suite import Reporter, TestResult, run_files

__all__ = ["AUTO", "InstanceSpec", "Kind", "Outcome", "Reporter", "RunOptions", "TestResult",
           "run_files", "run_test"]
