"""Workload 6: start-up. Process start to the controller initialised and advertising, `import
aioble`, and `aioble-hci --help`, in seconds (lower is better).

Both stacks are measured with their bytecode compiled (`compile_bytecode` writes it once, as an
install does), and again without it (every module compiled from source at each start, as on a
machine with PYTHONDONTWRITEBYTECODE=1 and nothing compiled), since users meet both.
"""

from __future__ import annotations

import compileall
import functools
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.core import Settings

ROOT = Path(__file__).resolve().parent.parent
OUR_PACKAGES = ("aioble_hci", "aioble", "bluetooth", "benchmarks")


@functools.cache
def compile_bytecode() -> None:
    """Write the .pyc files of both stacks (once per benchmark run)."""
    for name in OUR_PACKAGES:
        compileall.compile_dir(ROOT / name, quiet=1)
    try:
        import bumble
    except ImportError:
        return
    compileall.compile_dir(Path(bumble.__file__).parent, quiet=1)


def _environment(compiled: bool) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if compiled:
        compile_bytecode()
        env.pop("PYTHONPYCACHEPREFIX", None)
    else:  # an empty cache folder: no .pyc is found, and none is written
        env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="aioble-hci-nopyc-")
    return env


def _until_ready(argv: list[str], compiled: bool) -> float:
    """Seconds from starting the process to its first line `ready`."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env=_environment(compiled),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    _, err = proc.communicate(timeout=30)
    if line.strip() != "ready":
        raise RuntimeError(f"{argv} failed: {err.strip().splitlines()[-1:] or proc.returncode}")
    return elapsed


def _until_exit(argv: list[str], compiled: bool) -> float:
    """Seconds from starting the process to its exit."""
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, env=_environment(compiled), stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True, timeout=30)
    return time.perf_counter() - start


def advertising(stack: str, compiled: bool = True) -> Callable[[Settings], float]:
    def measure(_settings: Settings) -> float:
        return _until_ready([sys.executable, "-m", "benchmarks.startup_child", stack], compiled)

    return measure


def import_aioble(compiled: bool = True) -> Callable[[Settings], float]:
    def measure(_settings: Settings) -> float:
        return _until_exit([sys.executable, "-c", "import aioble"], compiled)

    return measure


def cli_help(compiled: bool = True) -> Callable[[Settings], float]:
    def measure(_settings: Settings) -> float:
        return _until_exit([sys.executable, "-m", "aioble_hci", "--help"], compiled)

    return measure
