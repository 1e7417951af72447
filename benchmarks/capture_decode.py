"""Workload 7: capture decode, packets/s over the treadmill btsnoop.

Process against process: `aioble-hci capture show FILE` (every packet through every layer,
rendered as text) against `tshark -r FILE -V`, both writing to /dev/null, start-up included.
A second row gives our in-process decode+render rate (no reference).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from aioble_hci.capture.decoder import decode_file
from aioble_hci.capture.files import read_all
from benchmarks.core import Settings

ROOT = Path(__file__).resolve().parent.parent
NAME = "horizon-74-treadmill.btsnoop"


def capture_path() -> Path | None:
    for folder in (ROOT.parent / "shared" / "captures", Path("/work/shared/captures")):
        if (folder / NAME).is_file():
            return folder / NAME
    return None


def tshark() -> str | None:
    return shutil.which("tshark")


def _count() -> int:
    path = capture_path()
    assert path is not None
    records, _ = read_all(path)
    return len(records)


def _run(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=120)
    return _count_cached() / (time.perf_counter() - start)


_COUNT: list[int] = []


def _count_cached() -> int:
    if not _COUNT:
        _COUNT.append(_count())
    return _COUNT[0]


def ours_process(_settings: Settings) -> float:
    return _run([sys.executable, "-m", "aioble_hci.cli.main", "capture", "show", str(capture_path())])


def tshark_process(_settings: Settings) -> float:
    return _run([tshark() or "tshark", "-r", str(capture_path()), "-V"])


def ours_in_process(_settings: Settings) -> float:
    path = capture_path()
    assert path is not None
    start = time.perf_counter()
    result = decode_file(path)
    for packet in result.packets:
        packet.render()
    return len(result.packets) / (time.perf_counter() - start)
