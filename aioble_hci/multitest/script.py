"""Reading a multitest file and building the script each instance runs.

The script is what MicroPython's run-multitests.py runs with `-c`: the test, then the `multitest`
class, the globals set by earlier instances, and the call of `instanceN()`.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path

INSTANCE_DEF = re.compile(r"^def instance([0-9]+)\(\):", re.MULTILINE)
USES_BLUETOOTH = re.compile(
    r"^\s*(?:from\s+(?:aioble|bluetooth)\b|import\s+(?:[\w.]+\s*,\s*)*(?:aioble|bluetooth)\b)",
    re.MULTILINE,
)

_INJECTED_SOURCE = (Path(__file__).resolve().parent / "injected.py").read_text()


def instance_count(source: str) -> int:
    """1 + the highest N of the `def instanceN():` lines (0 when there is none)."""
    return max((int(n) + 1 for n in INSTANCE_DEF.findall(source)), default=0)


def uses_bluetooth(source: str) -> bool:
    """Whether the test imports aioble or bluetooth, i.e. needs a controller."""
    return USES_BLUETOOTH.search(source) is not None


def build_script(source: str, index: int, injected_globals: str, test_dir: str) -> str:
    """The program instance `index` runs.

    The three-line prefix matches the harness's (`sys.path.remove('')`), and also puts the test's
    directory last on sys.path, since instances run in their own working directories.
    """
    prefix = f"import sys\nsys.path.remove('')\nsys.path.append({test_dir!r})\n"
    suffix = f"\n{_INJECTED_SOURCE}\n{injected_globals}\ninstance{index}()\nmultitest.flush()\n"
    return prefix + source + "\n" + suffix


def host_ip() -> str:
    """The address other machines reach this host by (no packet is sent); else 127.0.0.1."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 80))
            return str(probe.getsockname()[0])
    except OSError:
        return "127.0.0.1"
