"""Capture decode time against file size: the treadmill capture repeated 1 to 16 times.

Each file is the recorded session written k times back to back (timestamps shifted so they
keep rising), decoded and rendered in process one packet at a time, as `capture show` does.
Decoding must stay linear: the microseconds per packet should not grow with the file, since the
decoder keeps per-connection state only. (Keeping every decoded packet, as `decode_file` does
for `capture stats`, made it grow: the garbage collector's full passes walk the kept packets.)
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from aioble_hci.capture.decoder import DecodeStream
from aioble_hci.capture.files import open_writer, read_all
from benchmarks.capture_decode import capture_path
from benchmarks.core import Settings


def repeats(settings: Settings) -> Sequence[int]:
    return (1, 2, 4, 8, 16) if not settings.quick else (1, 2, 4)


def _write_repeated(source: Path, target: Path, k: int) -> int:
    """Write `source`'s HCI records `k` times into `target`; returns the packet count."""
    records, _ = read_all(source)
    hci = [r for r in records if r.is_hci]
    stamps = [r.timestamp for r in hci if r.timestamp is not None]
    span = (max(stamps) - min(stamps) + 1.0) if stamps else 1.0
    writer = open_writer(target)
    try:
        for i in range(k):
            for record in hci:
                shifted = None if record.timestamp is None else record.timestamp + i * span
                writer.write(dataclasses.replace(record, timestamp=shifted))
    finally:
        writer.close()
    return len(hci) * k


def sweep(settings: Settings, xs: Sequence[int]) -> list[dict[str, float]]:
    source = capture_path()
    if source is None:
        raise FileNotFoundError("horizon-74-treadmill.btsnoop not found beside the repository")
    out = []
    with tempfile.TemporaryDirectory() as folder:
        for k in xs:
            path = Path(folder) / f"treadmill-x{k}.btsnoop"
            packets = _write_repeated(source, path, k)
            start = time.perf_counter()
            for packet in DecodeStream(path):  # as `aioble-hci capture show` does
                packet.render()
            seconds = time.perf_counter() - start
            out.append({"seconds": seconds, "us_per_packet": seconds / packets * 1e6,
                        "packets": float(packets)})
    return out
