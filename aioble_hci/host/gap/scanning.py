"""Scanning: legacy or extended scan commands, raw report subscribers and a merged report stream.

Every advertising report (LE Advertising Report, LE Extended Advertising Report,
LE Directed Advertising Report; Vol 4 Part E, 7.7.65.2/.13/.11) becomes one
`AdvertisingReport` of the gap core, fragments of extended data joined first, and
goes to the raw subscribers synchronously on the host loop; `legacy_event_type`
gives MicroPython's 0-4 adv_type for either kind of report. Sessions opened with
`Scanner.session()` receive the `ScanMerger`'s one-entry-per-device updates.
A scan ends on request, at its duration (the controller's LE Scan Timeout with
extended commands, a host timer with legacy ones), or on controller loss; the
scan-done callbacks then run once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aioble_hci.gap.scan_results import AdvertisingReport, FragmentAssembler, ScanMerger, ScanReport
from aioble_hci.hci import commands as cmd
from aioble_hci.hci import events as ev
from aioble_hci.host.events import subscribe
from aioble_hci.host.gap.addresses import AddressManager
from aioble_hci.host.gap.capabilities import PHY_CODED, Capabilities
from aioble_hci.host.gap.config import duration_10ms

if TYPE_CHECKING:
    from aioble_hci.host.host import Host

log = logging.getLogger(__name__)

ReportCallback = Callable[[AdvertisingReport], None]
DoneCallback = Callable[[], None]

_MAX_PENDING_FRAGMENTS = 16


@dataclass(frozen=True)
class ScanParameters:
    """How to scan. Interval and window in 0.625 ms units (default: continuous 100 ms); duration in seconds.

    `filter_duplicates` asks the controller to report each advertiser once per scan.
    """

    active: bool = False
    interval: int = 160
    window: int = 160
    duration: float = 0.0
    filter_duplicates: bool = False
    filter_policy: int = 0
    coded: bool = False

    @classmethod
    def from_ms(cls, interval_ms: float, window_ms: float, **kwargs: object) -> ScanParameters:
        return cls(interval=round(interval_ms / 0.625), window=round(window_ms / 0.625), **kwargs)  # type: ignore[arg-type]


class ScanSession:
    """Merged per-device updates of the running scan: `async for report in session`; ends with the scan."""

    def __init__(self, scanner: Scanner, merger: ScanMerger) -> None:
        self.scanner = scanner
        self.merger = merger
        self._queue: asyncio.Queue[ScanReport | None] = asyncio.Queue()
        self.closed = False

    def _feed(self, report: AdvertisingReport, now: float) -> None:
        entry = self.merger.feed(report, now)
        if entry is not None:
            self._queue.put_nowait(entry)

    def _end(self) -> None:
        if not self.closed:
            self.closed = True
            self._queue.put_nowait(None)

    @property
    def devices(self) -> list[ScanReport]:
        return self.merger.devices

    def __aiter__(self) -> AsyncIterator[ScanReport]:
        return self

    async def __anext__(self) -> ScanReport:
        item = await self._queue.get()
        if item is None:
            self._queue.put_nowait(None)  # later readers end too
            raise StopAsyncIteration
        return item

    async def __aenter__(self) -> ScanSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.scanner._sessions.discard(self)
        self._end()
        if not self.scanner._sessions and self.scanner.scanning:
            await self.scanner.stop()


class Scanner:
    """The scanning state of one Host."""

    def __init__(self, host: Host, caps: Capabilities, addresses: AddressManager,
                 on_idle: Callable[[], None]) -> None:
        self.host = host
        self.caps = caps
        self.addresses = addresses
        self._on_idle = on_idle
        self.scanning = False
        self.params: ScanParameters | None = None
        self._report_callbacks: list[ReportCallback] = []
        self._done_callbacks: list[DoneCallback] = []
        self._sessions: set[ScanSession] = set()
        self._fragments = FragmentAssembler(_MAX_PENDING_FRAGMENTS)
        self._timer: asyncio.TimerHandle | None = None
        self._done: asyncio.Event = asyncio.Event()
        self._lock = asyncio.Lock()

    # --- subscriptions -------------------------------------------------------------

    def on_report(self, callback: ReportCallback) -> Callable[[], None]:
        """Call `callback(report)` for every advertising report, on the host loop; returns an unsubscribe."""
        return subscribe(self._report_callbacks, callback)

    def on_done(self, callback: DoneCallback) -> Callable[[], None]:
        """Call `callback()` each time a scan ends (stopped, timed out or the controller lost)."""
        return subscribe(self._done_callbacks, callback)

    # --- control -----------------------------------------------------------------------

    async def start(self, params: ScanParameters | None = None) -> None:
        """Start scanning (restarting a running scan with the new parameters)."""
        params = params or ScanParameters()
        if not 4 <= params.window <= params.interval <= 0x4000:
            raise ValueError(f"scan window {params.window} and interval {params.interval} must satisfy "
                             "4 <= window <= interval <= 16384 (0.625 ms units)")
        if params.coded:
            self.caps.check_phy(PHY_CODED, "scanning")
            if not self.caps.extended_scanning:
                raise ValueError("scanning on LE Coded needs the extended scan commands")
        async with self._lock:
            if self.scanning:
                await self._disable()
            else:
                await self.addresses.apply_pending()
            self._fragments.clear()
            own = self.addresses.own_address_type
            if self.caps.extended_scanning:
                phys = cmd.ScanningPhyParameters(int(params.active), params.interval, params.window)
                blocks = (phys, phys) if params.coded else (phys,)
                await self.host.send_command(cmd.LeSetExtendedScanParameters(
                    own_address_type=own, scanning_filter_policy=params.filter_policy,
                    scanning_phys=0x05 if params.coded else 0x01, phy_parameters=blocks))
                enable: Any = cmd.LeSetExtendedScanEnable(
                    enable=1, filter_duplicates=int(params.filter_duplicates), duration=duration_10ms(params.duration))
            else:
                await self.host.send_command(cmd.LeSetScanParameters(
                    le_scan_type=int(params.active), le_scan_interval=params.interval, le_scan_window=params.window,
                    own_address_type=own, scanning_filter_policy=params.filter_policy))
                enable = cmd.LeSetScanEnable(le_scan_enable=1, filter_duplicates=int(params.filter_duplicates))
            # Reports may follow the Command Complete before this coroutine resumes: accept them already.
            self.scanning = True
            self.params = params
            if self._done.is_set():  # a new scan; a restarted one keeps its waiters
                self._done = asyncio.Event()
            try:
                await self.host.send_command(enable)
            except BaseException:
                self.scanning = False
                raise
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if params.duration > 0 and not self.caps.extended_scanning:
                loop = asyncio.get_running_loop()
                self._timer = loop.call_later(params.duration, lambda: loop.create_task(self.stop()))
            log.info("scanning (%s, %s commands)", "active" if params.active else "passive",
                     "extended" if self.caps.extended_scanning else "legacy")

    async def _disable(self) -> None:
        if self.caps.extended_scanning:
            await self.host.send_command(cmd.LeSetExtendedScanEnable(enable=0))
        else:
            await self.host.send_command(cmd.LeSetScanEnable(le_scan_enable=0))

    async def stop(self) -> None:
        """Stop scanning; the scan-done callbacks run. A no-op when not scanning."""
        async with self._lock:
            if not self.scanning:
                return
            await self._disable()
            self._finished()

    def suspend(self) -> ScanParameters | None:
        """The controller was reset, which stopped its scanning (Vol 4 Part E, 7.3.2).

        Returns the parameters of the scan that was running (None if none was), for
        `resume`; the scan's sessions and waiters stay open meanwhile.
        """
        if not self.scanning:
            return None
        self.scanning = False
        self._fragments.clear()
        return self.params

    async def resume(self, params: ScanParameters) -> None:
        """Scan again with the suspended scan's parameters (a duration starts over); if that
        fails, the scan ends for its owners as if stopped (scan-done callbacks, sessions end)."""
        try:
            await self.start(params)
        except Exception as exc:
            log.warning("scanning could not be restarted after a controller reset: %s", exc)
            self._finished()

    async def wait_done(self, timeout: float | None = None) -> None:
        """Wait until the current scan ends."""
        if self.scanning:
            await asyncio.wait_for(self._done.wait(), timeout)

    def session(self, max_devices: int = 512) -> ScanSession:
        """A new merged-report stream for the current (or next) scan; leave it to stop the scan."""
        session = ScanSession(self, ScanMerger(max_devices=max_devices, filter_duplicates=True))
        self._sessions.add(session)
        return session

    def _finished(self) -> None:
        self.scanning = False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._done.set()
        for session in list(self._sessions):
            session._end()
        self._sessions.clear()
        log.info("scan done")
        for callback in list(self._done_callbacks):
            try:
                callback()
            except Exception:
                log.exception("scan-done callback %r failed", callback)
        self._on_idle()

    # --- events (called by Gap on the host loop) -----------------------------------------

    def on_scan_timeout(self, event: ev.LeScanTimeout) -> None:
        """LE Scan Timeout (Vol 4 Part E, 7.7.65.17): the extended scan's duration ran out."""
        if self.scanning:
            self._finished()

    def on_lost(self) -> None:
        if self.scanning:
            self._finished()

    def on_legacy_reports(self, event: ev.LeAdvertisingReport) -> None:
        for r in event.reports:
            try:
                report = AdvertisingReport.from_legacy(r.address, r.event_type, r.rssi, r.data)
            except ValueError as exc:
                log.debug("dropping advertising report: %s", exc)
                continue
            self._deliver(report)

    def on_extended_reports(self, event: ev.LeExtendedAdvertisingReport) -> None:
        for r in event.reports:
            report = AdvertisingReport.from_extended(
                r.address, r.event_type, r.rssi, r.data, tx_power=r.tx_power, sid=r.advertising_sid,
                primary_phy=r.primary_phy, secondary_phy=r.secondary_phy)
            data = self._fragments.feed(report)
            if data is None:
                continue
            self._deliver(report if data is report.data else dataclasses.replace(report, data=data))

    def on_directed_reports(self, event: ev.LeDirectedAdvertisingReport) -> None:
        for r in event.reports:
            self._deliver(AdvertisingReport(r.address, b"", r.rssi, connectable=True, directed=True))

    def _deliver(self, report: AdvertisingReport) -> None:
        if not self.scanning:
            return
        for callback in list(self._report_callbacks):
            try:
                callback(report)
            except Exception:
                log.exception("scan report callback %r failed", callback)
        if self._sessions:
            now = asyncio.get_running_loop().time()
            for session in list(self._sessions):
                session._feed(report, now)
