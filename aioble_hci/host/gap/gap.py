"""The GAP bearer: advertising, scanning, connections and addresses on one Host.

`await attach_gap(host, config)` makes the `Gap`, subscribes it to the Host's
events, programs the own address and sets `host.gap`. Everything runs on the host
loop; callbacks (`on_scan_report`, `on_connected`, ...) are called synchronously
there. The GAP service values (`device_name`, `appearance`, `ppcp`) are here for
the GATT bearer to build the GAP service from (Core Vol 3 Part C, 12).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from aioble_hci.address import Address
from aioble_hci.gap.scan_results import AdvertisingReport
from aioble_hci.hci import events as ev
from aioble_hci.host.connection import Connection, Role
from aioble_hci.host.errors import ControllerResetError
from aioble_hci.host.gap.addresses import AddressManager
from aioble_hci.host.gap.advertising import Advertiser, AdvertisingParameters, AdvertisingSet
from aioble_hci.host.gap.capabilities import PHY_1M, Capabilities
from aioble_hci.host.gap.config import ConnectionParameters, GapConfig
from aioble_hci.host.gap.connections import ConnectionManager, LinkState, link_state
from aioble_hci.host.gap.scanning import Scanner, ScanParameters, ScanSession
from aioble_hci.host.host import Host

log = logging.getLogger(__name__)


class Gap:
    """Broadcaster, observer, peripheral and central procedures of one Host (Core Vol 3 Part C, 9)."""

    def __init__(self, host: Host, config: GapConfig | None = None) -> None:
        self.host = host
        self.config = config or GapConfig()
        self.caps = Capabilities.of(host.controller_info, self.config.force_legacy)
        self.addresses = AddressManager(host, self.config, self._busy)
        self.advertiser = Advertiser(host, self.caps, self.addresses, self._idle)
        self.scanner = Scanner(host, self.caps, self.addresses, self._idle)
        self.connections = ConnectionManager(host, self.caps, self.addresses, self.config.connection_parameters,
                                             self.config.accept_parameters, self._idle)
        self._unsubscribe: list[Callable[[], None]] = []
        self._idle_task: asyncio.Task[None] | None = None
        self._restore_task: asyncio.Task[None] | None = None

    # --- life cycle ----------------------------------------------------------------------

    async def start(self) -> None:
        """Subscribe to the Host's events and program the own address."""
        host = self.host
        subscriptions: list[tuple[type, Callable[[Any], None]]] = [
            (ev.LeAdvertisingReport, self.scanner.on_legacy_reports),
            (ev.LeExtendedAdvertisingReport, self.scanner.on_extended_reports),
            (ev.LeDirectedAdvertisingReport, self.scanner.on_directed_reports),
            (ev.LeScanTimeout, self.scanner.on_scan_timeout),
            (ev.LeAdvertisingSetTerminated, self.advertiser.on_set_terminated),
            (ev.LeConnectionComplete, self._on_connection_complete),
            (ev.LeEnhancedConnectionComplete, self._on_connection_complete),
            (ev.DisconnectionComplete, self.connections.on_disconnection),
            (ev.LeRemoteConnectionParameterRequest, self.connections.on_remote_parameter_request),
            (ev.LeDataLengthChange, self.connections.on_data_length_change),
            (ev.LePhyUpdateComplete, self.connections.on_phy_update),
        ]
        for event_class, callback in subscriptions:
            self._unsubscribe.append(host.on_event(event_class, callback))
        host.on_lost(self._on_lost)
        self._unsubscribe.append(host.on_reinitialised(self._on_reinitialised))
        await self.addresses.start()
        log.info("GAP ready: %s commands, address %s", "extended" if self.caps.extended_advertising else "legacy",
                 self.addresses.current)

    def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        if self._restore_task is not None:
            self._restore_task.cancel()
        self.addresses.close()

    def _on_connection_complete(self, event: Any) -> None:
        conn = self.connections.on_connection_complete(event)
        if event.role == Role.PERIPHERAL:
            self.advertiser.on_peripheral_connection(event, conn)

    def _on_lost(self, error: BaseException) -> None:
        self.scanner.on_lost()
        self.connections.on_lost(error)
        for adv in self.advertiser.active_sets:
            adv._finish(None)
        self.addresses.close()

    def _on_reinitialised(self, reason: str) -> None:
        """The Host reset and re-initialised the controller (hardware error, H4 desync, a
        self-reset), which cleared its random address, advertising and scanning (Vol 4
        Part E, 7.3.2): put them back. The Host has already ended the connections."""
        if self.host.lost is not None:
            return
        log.warning("controller re-initialised (%s): restoring the address, advertising and scanning", reason)
        self.connections.on_reset(ControllerResetError(f"the controller was reset: {reason}"))
        sets = self.advertiser.suspend()
        scan = self.scanner.suspend()
        self._restore_task = asyncio.get_running_loop().create_task(self._restore(sets, scan))
        self._restore_task.add_done_callback(_log_failure)

    async def _restore(self, sets: list[AdvertisingSet], scan: ScanParameters | None) -> None:
        try:
            await self.addresses.restore()
        except Exception as exc:  # the sets and the scan still get their chance (or end cleanly)
            log.warning("restoring the own random address failed: %s", exc)
        await self.advertiser.resume(sets)
        if scan is not None:
            await self.scanner.resume(scan)

    def _busy(self) -> bool:
        """Whether LE Set Random Address would be refused now (Vol 4 Part E, 7.8.4)."""
        return self.advertiser.legacy_active or self.scanner.scanning or self.connections.connecting

    def _idle(self) -> None:
        """Something stopped: write a deferred private address rotation if nothing else runs."""
        if self.addresses.pending is None or self._busy() or self.host.lost is not None:
            return
        if self._idle_task is None or self._idle_task.done():
            self._idle_task = asyncio.get_running_loop().create_task(self.addresses.apply_pending())

    # --- GAP service values (for the GATT bearer) -------------------------------------------

    @property
    def device_name(self) -> str:
        return self.config.device_name

    @device_name.setter
    def device_name(self, name: str) -> None:
        self.config.device_name = name

    @property
    def appearance(self) -> int:
        return self.config.appearance

    @appearance.setter
    def appearance(self, value: int) -> None:
        self.config.appearance = value

    @property
    def ppcp(self) -> bytes:
        """The Peripheral Preferred Connection Parameters characteristic value (Vol 3 Part C, 12.3)."""
        return self.config.preferred_parameters.to_bytes()

    @property
    def central_address_resolution(self) -> bool:
        """Whether the Central Address Resolution characteristic should say 1 (Vol 3 Part C, 12.4)."""
        return self.config.irk is not None

    @property
    def address(self) -> Address | None:
        """The own address in use on air."""
        return self.addresses.current

    @property
    def identity_address(self) -> Address | None:
        return self.addresses.identity

    # --- advertising ---------------------------------------------------------------------

    async def advertise(self, adv_data: bytes = b"", scan_response: bytes = b"",
                        params: AdvertisingParameters | None = None, handle: int | None = None) -> AdvertisingSet:
        """Start advertising (see Advertiser.advertise)."""
        return await self.advertiser.advertise(adv_data, scan_response, params, handle)

    async def stop_advertising(self, adv: AdvertisingSet | None = None) -> None:
        """Stop one set, or every set."""
        if adv is None:
            await self.advertiser.stop_all()
        else:
            await self.advertiser.stop(adv)

    # --- scanning ----------------------------------------------------------------------------

    async def start_scan(self, params: ScanParameters | None = None) -> None:
        await self.scanner.start(params)

    async def stop_scan(self) -> None:
        await self.scanner.stop()

    async def scan(self, params: ScanParameters | None = None) -> ScanSession:
        """Start a scan and return its merged report stream (`async with` it to stop the scan at the end)."""
        session = self.scanner.session()
        await self.scanner.start(params)
        return session

    def on_scan_report(self, callback: Callable[[AdvertisingReport], None]) -> Callable[[], None]:
        return self.scanner.on_report(callback)

    def on_scan_done(self, callback: Callable[[], None]) -> Callable[[], None]:
        return self.scanner.on_done(callback)

    # --- connections ----------------------------------------------------------------------------

    async def connect(self, address: Address, params: ConnectionParameters | None = None,
                      timeout: float | None = 10.0, phys: tuple[int, ...] = (PHY_1M,)) -> Connection:
        return await self.connections.connect(address, params, timeout, phys)

    async def cancel_connect(self) -> bool:
        return await self.connections.cancel_connect()

    async def disconnect(self, conn: Connection | int, reason: int = 0x13, timeout: float | None = 10.0) -> int:
        return await self.connections.disconnect(conn, reason, timeout)

    def on_connected(self, callback: Callable[[Connection], None]) -> Callable[[], None]:
        return self.connections.on_connected(callback)

    def on_disconnected(self, callback: Callable[[Connection, int], None]) -> Callable[[], None]:
        return self.connections.on_disconnected(callback)

    async def wait_for_connection(self, role: Role | None = None, timeout: float | None = None) -> Connection:
        return await self.connections.wait_for_connection(role, timeout)

    async def wait_for_disconnection(self, conn: Connection, timeout: float | None = None) -> int:
        return await self.connections.wait_for_disconnection(conn, timeout)

    async def update_connection(self, conn: Connection, params: ConnectionParameters,
                                timeout: float | None = 10.0) -> None:
        await self.connections.update_parameters(conn, params, timeout)

    def accept_l2cap_parameter_request(self, conn: Connection, interval_min: int, interval_max: int,
                                       latency: int, timeout: int) -> ConnectionParameters | None:
        """Called by the L2CAP bearer on a Connection Parameter Update Request: the parameters to
        apply (within the limits) or None to refuse; see ConnectionManager."""
        return self.connections.accept_l2cap_parameter_request(conn, interval_min, interval_max, latency, timeout)

    async def set_data_length(self, conn: Connection, tx_octets: int = 251, tx_time: int = 2120) -> None:
        await self.connections.set_data_length(conn, tx_octets, tx_time)

    async def set_phy(self, conn: Connection, tx_phys: int = 0x02, rx_phys: int = 0x02) -> tuple[int, int]:
        return await self.connections.set_phy(conn, tx_phys, rx_phys)

    @staticmethod
    def link(conn: Connection) -> LinkState:
        """PHY and data length of a connection."""
        return link_state(conn)


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("restoring GAP state after a controller reset failed: %s", task.exception())


async def attach_gap(host: Host, config: GapConfig | None = None) -> Gap:
    """The Host's Gap, made, started and stored as `host.gap` on first call (on the host loop)."""
    if host.gap is not None:
        return host.gap
    gap = Gap(host, config)
    await gap.start()
    host.gap = gap
    return gap
