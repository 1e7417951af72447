"""GAP for the low-level API over plain legacy HCI commands: advertising, scanning, connecting.

MicroPython (NimBLE) uses legacy advertising PDUs only; so do we, whatever the
controller offers (Vol 4 Part E, 7.8.5-7.8.12). Duplicate filtering is off
while scanning (aioble relies on repeated reports).
"""

from __future__ import annotations

import asyncio
import errno
import logging
from typing import Any

from aioble_hci.address import Address, AddressType
from aioble_hci.facade.defaults import DEFAULT_CONN_INTERVAL_MAX_US, DEFAULT_CONN_INTERVAL_MIN_US
from aioble_hci.facade.irq import FAILED_ADDR_TYPE, INVALID_HANDLE, Irq
from aioble_hci.facade.runtime import Pending
from aioble_hci.facade.stack import LowLevelStack, address_bytes, address_type
from aioble_hci.hci import commands as cmd
from aioble_hci.hci import events as ev
from aioble_hci.hci.constants import StatusCode
from aioble_hci.host.errors import HciError

log = logging.getLogger(__name__)

ADV_IND = 0
ADV_SCAN_IND = 2
SUPERVISION_TIMEOUT = 400  # x 10 ms


def _units(value_us: int, unit_us: float, low: int, high: int) -> int:
    return max(low, min(high, int(value_us // unit_us)))


class Gap:
    """Advertising, scanning and connection state for one `LowLevelStack`."""

    def __init__(self, stack: LowLevelStack) -> None:
        self.stack = stack
        self.adv_data = b""
        self.resp_data = b""
        self.advertising = False
        self.scanning = False
        self._scan_timer: asyncio.TimerHandle | None = None
        self._connect_timer: asyncio.TimerHandle | None = None
        self.connecting: tuple[int, bytes] | None = None
        stack.on_event_hooks.append((ev.LeAdvertisingReport, self._on_report))
        stack.on_event_hooks.append((ev.LeRemoteConnectionParameterRequest, self._on_parameter_request))
        stack.on_link_up_pre.append(self._on_connection_complete)
        stack.on_deactivate.append(self._reset)
        stack.on_reinit.append(self._restore)
        stack.set_random_address = self._set_random_address
        self._last_advertise: tuple[int, bool] | None = None

    @property
    def busy(self) -> bool:
        """A GAP procedure runs: advertising, scanning or connecting (NimBLE's ble_gatts_mutable)."""
        return self.advertising or self.scanning or self.connecting is not None

    def _submit(self, *commands: Any, tolerate_first: bool = False) -> Pending:
        host = self.stack.host

        async def run() -> None:
            for index, command in enumerate(commands):
                try:
                    await host.send_command(command)
                except HciError as exc:
                    if tolerate_first and index == 0:
                        continue
                    raise OSError(errno.EIO, str(exc)) from exc

        return Pending(self.stack.runtime.ops.submit(run))

    def _reset(self) -> None:
        self.advertising = False
        self.scanning = False
        self.connecting = None
        for timer in (self._scan_timer, self._connect_timer):
            if timer is not None:
                timer.cancel()

    async def _set_random_address(self, address: Address) -> bool:
        """LE Set Random Address, pausing legacy advertising and scanning around it.

        The controller refuses it while advertising, scanning or initiating (Vol 4 Part E,
        7.8.4): advertising and scanning are paused and resumed; while initiating, False
        (the caller tries again later).
        """
        if self.connecting is not None:
            return False
        host = self.stack.host
        advertising, scanning = self.advertising, self.scanning
        if advertising:
            await self._quietly(cmd.LeSetAdvertisingEnable(advertising_enable=0))
        if scanning:
            await self._quietly(cmd.LeSetScanEnable(le_scan_enable=0))
        await host.send_command(cmd.LeSetRandomAddress(random_address=address))
        if advertising and self.advertising:
            await self._quietly(cmd.LeSetAdvertisingEnable(advertising_enable=1))
        if scanning and self.scanning:
            await self._quietly(cmd.LeSetScanEnable(le_scan_enable=1, filter_duplicates=0))
        return True

    async def _quietly(self, command: Any) -> None:
        try:
            await self.stack.host.send_command(command)
        except HciError as exc:
            log.debug("%s during an address change: %s", type(command).__name__, exc)

    # --- advertising (Vol 4 Part E, 7.8.5-7.8.9) -------------------------------------

    def advertise(self, interval_us: int | None, adv_data: bytes | None, resp_data: bytes | None,
                  connectable: bool) -> Pending:
        if interval_us is None:
            self.advertising = False
            return self._submit(cmd.LeSetAdvertisingEnable(advertising_enable=0), tolerate_first=True)
        if adv_data is not None:
            self.adv_data = adv_data
        if resp_data is not None:
            self.resp_data = resp_data
        interval = _units(interval_us, 625, 0x0020, 0x4000)
        self.advertising = True
        self._last_advertise = (interval_us, connectable)
        return self._submit(
            cmd.LeSetAdvertisingEnable(advertising_enable=0),
            cmd.LeSetAdvertisingParameters(
                advertising_interval_min=interval, advertising_interval_max=interval,
                advertising_type=ADV_IND if connectable else ADV_SCAN_IND,
                own_address_type=self.stack.own_address_type),
            cmd.LeSetAdvertisingData(advertising_data=self.adv_data),
            cmd.LeSetScanResponseData(scan_response_data=self.resp_data),
            cmd.LeSetAdvertisingEnable(advertising_enable=1),
            tolerate_first=True,
        )

    def _restore(self) -> None:
        """After a controller reset: advertise again as before; a scan in progress ends (SCAN_DONE)."""
        if self.scanning:
            self.stop_scan()
        if self.advertising and self._last_advertise is not None:
            self.advertise(self._last_advertise[0], None, None, self._last_advertise[1])

    # --- scanning (Vol 4 Part E, 7.8.10-7.8.11) ----------------------------------------

    def scan(self, duration_ms: int | None, interval_us: int, window_us: int, active: bool) -> Pending:
        if duration_ms is None:
            return self.stop_scan()
        if self._scan_timer is not None:
            self._scan_timer.cancel()
            self._scan_timer = None
        self.scanning = True
        if duration_ms > 0:
            loop = asyncio.get_running_loop()
            self._scan_timer = loop.call_later(duration_ms / 1000, self._scan_expired)
        interval = _units(interval_us, 625, 0x0004, 0x4000)
        window = min(interval, _units(window_us, 625, 0x0004, 0x4000))
        return self._submit(
            cmd.LeSetScanEnable(le_scan_enable=0),
            cmd.LeSetScanParameters(le_scan_type=1 if active else 0, le_scan_interval=interval,
                                    le_scan_window=window, own_address_type=self.stack.own_address_type),
            cmd.LeSetScanEnable(le_scan_enable=1, filter_duplicates=0),
            tolerate_first=True,
        )

    def _scan_expired(self) -> None:
        self._scan_timer = None
        if self.scanning and self.stack.active:
            self.stop_scan()

    def stop_scan(self) -> Pending:
        """Stop scanning; SCAN_DONE is raised at once (before the controller confirms), as NimBLE does."""
        was_scanning = self.scanning
        self.scanning = False
        if self._scan_timer is not None:
            self._scan_timer.cancel()
            self._scan_timer = None
        pending = self._submit(cmd.LeSetScanEnable(le_scan_enable=0), tolerate_first=True)
        if was_scanning:
            self.stack.irq(Irq.SCAN_DONE, ())
        return pending

    def _on_report(self, event: Any) -> None:
        if not self.scanning or not self.stack.active:
            return
        for report in event.reports:
            self.stack.irq(Irq.SCAN_RESULT, (address_type(report.address), address_bytes(report.address),
                                             int(report.event_type), int(report.rssi), bytes(report.data)))

    # --- connecting (Vol 4 Part E, 7.8.12-7.8.13) ----------------------------------------

    def connect(self, addr_type: int | None, addr: bytes | None, scan_duration_ms: int,
                min_interval_us: int | None, max_interval_us: int | None) -> Pending:
        if addr_type is None:
            return self.cancel_connect()
        assert addr is not None
        peer = Address(bytes(reversed(addr)), AddressType(addr_type & 1))
        imin = _units(min_interval_us or DEFAULT_CONN_INTERVAL_MIN_US, 1250, 6, 3200)
        imax = max(imin, _units(max_interval_us or min_interval_us or DEFAULT_CONN_INTERVAL_MAX_US, 1250, 6, 3200))
        self.connecting = (addr_type, bytes(addr))
        if self._connect_timer is not None:
            self._connect_timer.cancel()
        if scan_duration_ms > 0:
            self._connect_timer = asyncio.get_running_loop().call_later(scan_duration_ms / 1000,
                                                                        self._connect_expired)
        return self._submit(cmd.LeCreateConnection(
            peer_address=peer, own_address_type=self.stack.own_address_type,
            connection_interval_min=imin, connection_interval_max=imax,
            supervision_timeout=SUPERVISION_TIMEOUT))

    def _connect_expired(self) -> None:
        self._connect_timer = None
        if self.connecting is not None and self.stack.active:
            self.cancel_connect()

    def cancel_connect(self) -> Pending:
        """LE Create Connection Cancel; the controller's failed Connection Complete ends the attempt."""
        if self._connect_timer is not None:
            self._connect_timer.cancel()
            self._connect_timer = None
        return self._submit(cmd.LeCreateConnectionCancel(), tolerate_first=True)

    def _on_connection_complete(self, event: Any) -> None:
        if event.status == StatusCode.SUCCESS:
            if event.role == 0:
                self._connected_as_central()
            else:
                self.advertising = False  # the controller stops legacy advertising on a connection
            return
        if event.role == 0 and self.connecting is not None:
            self._connected_as_central()
            # The NimBLE binding reports a failed or cancelled connect as a disconnect with the
            # event's handle (BLE_HS_CONN_HANDLE_NONE), address type 0xff and an all-zero address.
            self.stack.irq(Irq.PERIPHERAL_DISCONNECT, (INVALID_HANDLE, FAILED_ADDR_TYPE, bytes(6)))

    def _connected_as_central(self) -> None:
        self.connecting = None
        if self._connect_timer is not None:
            self._connect_timer.cancel()
            self._connect_timer = None

    def _on_parameter_request(self, event: Any) -> None:
        """As central, accept the peripheral's LL connection parameter request (Vol 4 Part E,
        7.7.65.6 / 7.8.31) as NimBLE does by default; LE Connection Update Complete then raises
        CONNECTION_UPDATE on both sides."""
        if event.connection_handle not in self.stack.links or not self.stack.active:
            return
        self._submit(cmd.LeRemoteConnectionParameterRequestReply(
            connection_handle=event.connection_handle, interval_min=event.interval_min,
            interval_max=event.interval_max, max_latency=event.max_latency, timeout=event.timeout))

    def disconnect(self, conn_handle: int) -> tuple[bool, Pending | None]:
        """True and a Disconnect command if the handle is connected, else False (never raises)."""
        if conn_handle not in self.stack.links:
            return False, None
        # tolerated: the peer may have disconnected at the same moment (never raise here)
        pending = self._submit(cmd.Disconnect(connection_handle=conn_handle), tolerate_first=True)
        return True, pending
