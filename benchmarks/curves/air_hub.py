"""The shared air hub under load: 10 to 4,000 advertisers at 100 ms, one passive scanner.

A hub process (`aioble-hci air`, real-time timing) serves every client. Each advertiser is a
raw H4 client that sets up non-connectable legacy advertising at a 100 ms interval (Vol 4 Part
E 7.8.5) with 31 octets of data and then stays quiet; the scanner is a raw H4 client scanning
passively with duplicate filtering off (7.8.10/7.8.11), so every advertising event the air
delivers reaches it as one report. Measured over a window: reports per second delivered to
the scanner, against the N x 10/s the advertisers offer, and the hub process's CPU time per
advert offered (from /proc/PID/schedstat). Where delivered falls below offered, the hub saturated.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from aioble_hci.controller.hub import hub_answers
from benchmarks.core import Settings

INTERVAL_UNITS = 160  # x 0.625 ms = 100 ms
ADV_DATA = bytes([30, 0xFF]) + bytes(range(29))  # one Manufacturer Specific Data structure, 31 octets
LE_META_EVENT_MASK = 0x20001FFFFFFFFFFF  # the default mask plus bit 61, LE Meta event (7.3.1)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def advertiser_counts(settings: Settings) -> Sequence[int]:
    """Up to 4,000 advertisers, as far as the open-file limit allows (two sockets each)."""
    counts = (10, 100) if settings.quick else (10, 100, 500, 1000, 2000, 4000)
    limit = _raise_file_limit()
    return [n for n in counts if 2 * n + 64 <= limit]


def _raise_file_limit() -> int:
    """Raise this process's soft limit on open files to the hard one (the hub inherits it)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
    return soft


def _command(opcode: int, parameters: bytes = b"") -> bytes:
    return bytes([0x01]) + struct.pack("<HB", opcode, len(parameters)) + parameters


class _RawClient:
    """An H4 client of the hub that sends commands one at a time and counts advertising reports."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.reports = 0
        self._buffer = b""

    @classmethod
    async def open(cls, path: Path) -> _RawClient:
        reader, writer = await asyncio.open_unix_connection(str(path))
        return cls(reader, writer)

    async def command(self, opcode: int, parameters: bytes = b"") -> None:
        """Send a command and wait for its Command Complete; a failing status raises."""
        self.writer.write(_command(opcode, parameters))
        while True:
            code, params = await self._event()
            if code == 0x0E and struct.unpack_from("<H", params, 1)[0] == opcode:
                if params[3] != 0:
                    raise RuntimeError(f"command 0x{opcode:04X} failed with status 0x{params[3]:02X}")
                return

    async def _event(self) -> tuple[int, bytes]:
        while True:
            if len(self._buffer) >= 3 and len(self._buffer) >= 3 + self._buffer[2]:
                kind, code, length = self._buffer[0], self._buffer[1], self._buffer[2]
                params, self._buffer = self._buffer[3:3 + length], self._buffer[3 + length:]
                if kind != 0x04:
                    raise RuntimeError(f"unexpected H4 packet type {kind}")
                return code, params
            data = await self.reader.read(65536)
            if not data:
                raise ConnectionError("the hub closed the connection")
            self._buffer += data

    async def count_reports(self, seconds: float) -> int:
        """LE Advertising Report events' reports received within `seconds`."""
        reports = 0
        deadline = time.monotonic() + seconds
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while time.monotonic() < deadline:
                    code, params = await self._event()
                    if code == 0x3E and params[0] == 0x02:
                        reports += params[1]
        return reports

    def close(self) -> None:
        self.writer.close()


async def _advertise(path: Path) -> _RawClient:
    client = await _RawClient.open(path)
    await client.command(0x0C03)  # Reset
    params = struct.pack("<HHBBB6sBB", INTERVAL_UNITS, INTERVAL_UNITS, 0x03, 0, 0, bytes(6), 0x07, 0)
    await client.command(0x2006, params)  # LE Set Advertising Parameters: ADV_NONCONN_IND
    await client.command(0x2008, bytes([len(ADV_DATA)]) + ADV_DATA.ljust(31, b"\0"))
    await client.command(0x200A, b"\x01")  # LE Set Advertising Enable
    return client


async def _scanner(path: Path) -> _RawClient:
    client = await _RawClient.open(path)
    await client.command(0x0C03)
    await client.command(0x0C01, struct.pack("<Q", LE_META_EVENT_MASK))
    await client.command(0x200B, struct.pack("<BHHBB", 0x00, 0x0010, 0x0010, 0, 0))  # passive
    await client.command(0x200C, b"\x01\x00")  # enable, duplicates not filtered
    return client


def _cpu_seconds(pid: int) -> float:
    """CPU time of the hub's main thread: schedstat in nanoseconds, else stat in clock ticks."""
    with contextlib.suppress(OSError):
        with open(f"/proc/{pid}/schedstat") as schedstat:
            return int(schedstat.read().split()[0]) / 1e9
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


async def _point(path: Path, pid: int, advertisers: int, window: float) -> dict[str, float]:
    scanner = await _scanner(path)
    clients: list[_RawClient] = []
    for start in range(0, advertisers, 50):  # set up 50 at a time: the hub serves them in turn
        clients += await asyncio.gather(*(_advertise(path) for _ in range(start, min(advertisers, start + 50))))
    try:
        await scanner.count_reports(1.0)  # every advertiser has started its interval
        cpu_before = _cpu_seconds(pid)
        started = time.monotonic()
        reports = await scanner.count_reports(window)
        elapsed = time.monotonic() - started
        cpu = _cpu_seconds(pid) - cpu_before
    finally:
        for client in [scanner, *clients]:
            client.close()
    offered = advertisers * 1000 / (INTERVAL_UNITS * 0.625) * elapsed
    return {
        "delivered": reports / elapsed,
        "offered": offered / elapsed,
        "hub_cpu_us_per_advert": cpu / offered * 1e6,
        "hub_cpu_share": cpu / elapsed,
    }


def sweep(settings: Settings, xs: Sequence[int]) -> list[dict[str, float]]:
    """One hub per sweep; each point connects its own clients, which leave before the next."""
    window = 2.0 if settings.quick else 4.0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "air.sock"
        hub = subprocess.Popen([sys.executable, "-m", "aioble_hci", "air", "--socket", str(path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 15
            while not hub_answers(path):
                if hub.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the air hub did not start")
                time.sleep(0.05)
            return [asyncio.run(_point(path, hub.pid, n, window)) for n in xs]
        finally:
            hub.terminate()
            hub.wait(timeout=10)
