"""Workload 6: start-up, process start to the controller initialised and advertising (seconds, lower is better)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from benchmarks.core import Settings

ROOT = Path(__file__).resolve().parent.parent


def _time(stack: str) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "benchmarks.startup_child", stack], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    _, err = proc.communicate(timeout=30)
    if line.strip() != "ready":
        raise RuntimeError(f"{stack} start-up failed: {err.strip().splitlines()[-1:] or proc.returncode}")
    return elapsed


def ours(_settings: Settings) -> float:
    return _time("ours")


def theirs(_settings: Settings) -> float:
    return _time("bumble")
