"""Replay every advertiser of a capture, for testing scanners (`aioble-hci emulate --adverts`).

Each advertiser gets its own controller (a virtual one on the air: one address each), advertises
its last recorded data and scan response with the recorded connectable/scannable kind, at its
median recorded interval (clamped to 20 ms-10.24 s, Vol 4 Part E 7.8.5), starting and stopping
at its first and last report's offsets in the capture divided by `speed`. Timing is rough: the
scanner's own duty cycle shaped what the capture saw.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aioble_hci.emulate.addressing import take_address
from aioble_hci.emulate.model import Advertiser
from aioble_hci.host.api import start_host
from aioble_hci.host.gap import Gap, attach_gap
from aioble_hci.host.gap.advertising import AdvertisingParameters
from aioble_hci.host.host import Host, HostConfig
from aioble_hci.transport.base import Transport

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 0.1
LEGACY_MAX = 31


class AdvertReplay:
    """Advertisers replayed on their own controllers; every method runs on one host loop."""

    def __init__(self, advertisers: list[Advertiser], speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError(f"--speed must be above 0, got {speed}")
        self.advertisers = advertisers
        self.speed = speed
        self.hosts: list[Host] = []
        self.started: list[Advertiser] = []
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self, open_transport: Callable[[], str | Transport]) -> None:
        """Open one controller per advertiser and schedule its advertising."""
        times = [a.first_seen for a in self.advertisers if a.first_seen is not None]
        origin = min(times) if times else 0.0
        loop = asyncio.get_running_loop()
        try:
            for adv in self.advertisers:
                host = await start_host(open_transport(), HostConfig())
                self.hosts.append(host)
                config, plan, _ = await take_address(host, adv.address)
                if len(adv.adv_data) > LEGACY_MAX or len(adv.scan_response) > LEGACY_MAX:
                    config.force_legacy = False
                gap = await attach_gap(host, config)
                await plan.apply(host)
                self._tasks.append(loop.create_task(self._run(gap, adv, origin)))
        except BaseException:
            await self.close()
            raise

    async def _run(self, gap: Gap, adv: Advertiser, origin: float) -> None:
        start = ((adv.first_seen or origin) - origin) / self.speed
        length = ((adv.last_seen or origin) - (adv.first_seen or origin)) / self.speed
        await asyncio.sleep(start)
        interval = min(max(adv.interval or DEFAULT_INTERVAL, 0.02), 10.24)
        params = AdvertisingParameters.from_ms(
            interval * 1000, connectable=adv.connectable, scannable=adv.scannable or bool(adv.scan_response)
        )
        try:
            advertising = await gap.advertise(adv.adv_data, adv.scan_response, params)
        except Exception as exc:  # one advertiser the controller refuses does not stop the others
            log.warning("cannot replay %s: %s", adv.address, exc)
            return
        self.started.append(adv)
        await asyncio.sleep(max(length, interval))
        await advertising.stop()

    async def wait(self) -> None:
        """Until every advertiser has had its recorded time on air."""
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for host in self.hosts:
            await host.close()
        self.hosts.clear()
