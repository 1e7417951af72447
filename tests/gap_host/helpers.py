"""Helpers for GAP host tests: collecting scan reports and waiting for them without timing assertions."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aioble_hci.gap.scan_results import AdvertisingReport
from aioble_hci.hci import commands as cmd
from aioble_hci.host.gap import Gap
from tests.gap_host.conftest import WAIT


class Reports:
    """Every raw scan report a Gap delivers, with a way to wait for one matching a predicate."""

    def __init__(self, gap: Gap) -> None:
        self.items: list[AdvertisingReport] = []
        self._arrived = asyncio.Event()
        gap.on_scan_report(self._on_report)

    def _on_report(self, report: AdvertisingReport) -> None:
        self.items.append(report)
        self._arrived.set()

    def matching(self, predicate: Callable[[AdvertisingReport], bool]) -> list[AdvertisingReport]:
        return [r for r in self.items if predicate(r)]

    async def wait_for(self, predicate: Callable[[AdvertisingReport], bool], count: int = 1) -> list[AdvertisingReport]:
        async def search() -> list[AdvertisingReport]:
            while True:
                found = self.matching(predicate)
                if len(found) >= count:
                    return found
                self._arrived.clear()
                await self._arrived.wait()

        return await asyncio.wait_for(search(), WAIT)

    def from_(self, gap: Gap) -> Callable[[AdvertisingReport], bool]:
        address = gap.address
        assert address is not None
        return lambda r: r.address.value == address.value


async def barrier(gap: Gap) -> None:
    """A command round trip: every event the controller sent before it has been handled."""
    await gap.host.send_command(cmd.ReadBdAddr())
