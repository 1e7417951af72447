"""Advertising: legacy advertising and extended advertising sets on the Host.

The command family is chosen once from the controller (see capabilities.py): a
controller must not see legacy and extended advertising commands mixed (Vol 4
Part E, 3.1.1). With extended commands a set still uses legacy PDUs when its data
fits them, so legacy scanners see it. A set stops, and is marked stopped, when a
connection is made from it (Vol 4 Part E, 7.7.65.18 for extended sets; 7.8.9 for
legacy advertising), when its duration or event count runs out, or on request.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aioble_hci.address import ANY_ADDRESS, Address
from aioble_hci.hci import commands as cmd
from aioble_hci.hci import events as ev
from aioble_hci.hci.constants import StatusCode
from aioble_hci.host.connection import Connection, Role
from aioble_hci.host.errors import HciCommandError
from aioble_hci.host.gap.addresses import OWN_ADDRESS_RANDOM, AddressManager
from aioble_hci.host.gap.capabilities import PHY_1M, PHY_CODED, Capabilities
from aioble_hci.host.gap.config import duration_10ms

if TYPE_CHECKING:
    from aioble_hci.host.host import Host

log = logging.getLogger(__name__)

LEGACY_MAX_DATA = 31

# Legacy Advertising_Type (Vol 4 Part E, 7.8.5)
ADV_IND = 0x00
ADV_DIRECT_IND_HIGH_DUTY = 0x01
ADV_SCAN_IND = 0x02
ADV_NONCONN_IND = 0x03
ADV_DIRECT_IND_LOW_DUTY = 0x04

# Advertising_Event_Properties bits (Vol 4 Part E, 7.8.53)
PROP_CONNECTABLE = 0x01
PROP_SCANNABLE = 0x02
PROP_DIRECTED = 0x04
PROP_HIGH_DUTY = 0x08
PROP_LEGACY = 0x10
PROP_INCLUDE_TX_POWER = 0x40


@dataclass(frozen=True)
class AdvertisingParameters:
    """How to advertise. Intervals in 0.625 ms units (default 100 ms); `duration` in seconds (0 = until stopped).

    `scannable` None means: scannable when connectable undirected or when there is a
    scan response. `legacy` None means: legacy PDUs when the data fits them and the
    PHYs are LE 1M, extended PDUs otherwise.
    """

    connectable: bool = True
    scannable: bool | None = None
    directed_to: Address | None = None
    high_duty_cycle: bool = False
    interval_min: int = 160
    interval_max: int | None = None
    channel_map: int = 0x07
    filter_policy: int = 0
    legacy: bool | None = None
    primary_phy: int = PHY_1M
    secondary_phy: int = PHY_1M
    tx_power: int | None = None
    sid: int = 0
    duration: float = 0.0
    max_events: int = 0
    scan_request_notification: bool = False

    @classmethod
    def from_ms(cls, interval_ms: float, **kwargs: Any) -> AdvertisingParameters:
        return cls(interval_min=max(0x20, round(interval_ms / 0.625)), **kwargs)


class AdvertisingSet:
    """One advertiser: the legacy advertiser (handle 0 with legacy commands) or an extended set."""

    def __init__(self, handle: int, params: AdvertisingParameters, adv_data: bytes, scan_response: bytes,
                 legacy_pdus: bool, legacy_commands: bool) -> None:
        self.handle = handle
        self.params = params
        self.adv_data = adv_data
        self.scan_response = scan_response
        self.legacy_pdus = legacy_pdus
        self.legacy_commands = legacy_commands
        self.active = False
        self.status: StatusCode | None = None  # why it ended: SUCCESS (connected), ADVERTISING_TIMEOUT, LIMIT_REACHED
        self.connection: Connection | None = None
        self.completed_events = 0
        self._done: asyncio.Future[StatusCode | None] = asyncio.get_running_loop().create_future()
        self._timer: asyncio.TimerHandle | None = None
        self._advertiser: Advertiser | None = None

    def __repr__(self) -> str:
        kind = "legacy" if self.legacy_commands else "extended"
        return f"<AdvertisingSet {kind} handle={self.handle} active={self.active} status={self.status}>"

    @property
    def connectable(self) -> bool:
        return self.params.connectable

    async def stop(self) -> None:
        """Stop advertising (no-op when already stopped)."""
        if self._advertiser is not None:
            await self._advertiser.stop(self)

    async def wait_stopped(self, timeout: float | None = None) -> StatusCode | None:
        """Wait until the set stops; the status it ended with (None when stopped by the host)."""
        return await asyncio.wait_for(asyncio.shield(self._done), timeout)

    async def wait_connection(self, timeout: float | None = None) -> Connection:
        """Wait for the connection made from this set; raise ConnectionError if it stops without one."""
        status = await self.wait_stopped(timeout)
        if self.connection is None:
            name = "stopped by the host" if status is None else StatusCode(status).name
            raise ConnectionError(f"advertising set {self.handle} ended without a connection ({name})")
        return self.connection

    def _finish(self, status: StatusCode | None, connection: Connection | None = None) -> None:
        self.active = False
        self.status = status
        if connection is not None:
            self.connection = connection
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._done.done():
            self._done.set_result(status)


def _legacy_type(params: AdvertisingParameters, scannable: bool) -> int:
    if params.directed_to is not None:
        return ADV_DIRECT_IND_HIGH_DUTY if params.high_duty_cycle else ADV_DIRECT_IND_LOW_DUTY
    if params.connectable:
        return ADV_IND
    return ADV_SCAN_IND if scannable else ADV_NONCONN_IND


def _event_properties(params: AdvertisingParameters, scannable: bool, legacy: bool) -> int:
    """Advertising_Event_Properties; legacy PDUs allow only the combinations of 7.8.53's table."""
    if legacy:
        return {
            ADV_IND: PROP_LEGACY | PROP_CONNECTABLE | PROP_SCANNABLE,
            ADV_DIRECT_IND_LOW_DUTY: PROP_LEGACY | PROP_CONNECTABLE | PROP_DIRECTED,
            ADV_DIRECT_IND_HIGH_DUTY: PROP_LEGACY | PROP_CONNECTABLE | PROP_DIRECTED | PROP_HIGH_DUTY,
            ADV_SCAN_IND: PROP_LEGACY | PROP_SCANNABLE,
            ADV_NONCONN_IND: PROP_LEGACY,
        }[_legacy_type(params, scannable)]
    props = 0
    if params.connectable:
        props |= PROP_CONNECTABLE
    elif scannable:
        props |= PROP_SCANNABLE
    if params.directed_to is not None:
        props |= PROP_DIRECTED
        if params.high_duty_cycle:
            props |= PROP_HIGH_DUTY
    return props


class Advertiser:
    """All advertising of one Host: starts, stops and tracks AdvertisingSets."""

    def __init__(self, host: Host, caps: Capabilities, addresses: AddressManager,
                 on_idle: Callable[[], None]) -> None:
        self.host = host
        self.caps = caps
        self.addresses = addresses
        self._on_idle = on_idle
        self.sets: dict[int, AdvertisingSet] = {}
        self._max_data_length: int | None = None
        self._lock = asyncio.Lock()
        addresses.on_changed(self._address_changed)

    def _address_changed(self, address: Address) -> None:
        """A rotated private address: running extended sets take it too (Vol 4 Part E, 7.8.52)."""
        running = [s.handle for s in self.sets.values() if s.active and not s.legacy_commands]
        if running and self.addresses.own_address_type == OWN_ADDRESS_RANDOM:
            task = asyncio.get_running_loop().create_task(self._readdress(running, address))
            task.add_done_callback(_log_failure)

    async def _readdress(self, handles: list[int], address: Address) -> None:
        for handle in handles:
            await self.host.send_command(cmd.LeSetAdvertisingSetRandomAddress(
                advertising_handle=handle, random_address=address))

    @property
    def legacy_active(self) -> bool:
        """Whether legacy advertising commands have advertising on (blocks LE Set Random Address)."""
        return any(s.active and s.legacy_commands for s in self.sets.values())

    @property
    def active_sets(self) -> list[AdvertisingSet]:
        return [s for s in self.sets.values() if s.active]

    async def advertise(self, adv_data: bytes = b"", scan_response: bytes = b"",
                        params: AdvertisingParameters | None = None, handle: int | None = None) -> AdvertisingSet:
        """Start advertising; returns the running set. With legacy commands this replaces the legacy advertiser."""
        params = params or AdvertisingParameters()
        adv_data, scan_response = bytes(adv_data), bytes(scan_response)
        scannable = _scannable(params, scan_response)
        async with self._lock:
            if not self.caps.extended_advertising:
                return await self._advertise_legacy(adv_data, scan_response, params, scannable)
            return await self._advertise_extended(adv_data, scan_response, params, scannable, handle)

    # --- after a controller reset ------------------------------------------------------------

    def suspend(self) -> list[AdvertisingSet]:
        """The controller was reset, which ended all its advertising (Vol 4 Part E, 7.3.2).

        The running sets are marked inactive without finishing them (their owners still
        wait on them) and returned, for `resume` to start again.
        """
        running = self.active_sets
        for adv in running:
            adv.active = False
            if adv._timer is not None:
                adv._timer.cancel()
                adv._timer = None
        self._max_data_length = None
        return running

    async def resume(self, sets: list[AdvertisingSet]) -> None:
        """Start suspended sets again with their data and parameters, on the same objects.

        A duration starts over. A set that cannot be restarted (or was replaced
        meanwhile) finishes with HARDWARE_FAILURE, so `wait_stopped` and
        `wait_connection` end for its owner.
        """
        for adv in sets:
            if self.sets.get(adv.handle) is not adv or adv._done.done():
                adv._finish(StatusCode.HARDWARE_FAILURE)
                continue
            scannable = _scannable(adv.params, adv.scan_response)
            try:
                async with self._lock:
                    if adv.legacy_commands:
                        await self._advertise_legacy(adv.adv_data, adv.scan_response, adv.params, scannable,
                                                     reuse=adv)
                    else:
                        await self._advertise_extended(adv.adv_data, adv.scan_response, adv.params, scannable,
                                                       adv.handle, reuse=adv)
            except Exception as exc:
                log.warning("advertising set %d could not be restarted after a controller reset: %s",
                            adv.handle, exc)
                adv._finish(StatusCode.HARDWARE_FAILURE)

    def _check_legacy_data(self, adv_data: bytes, scan_response: bytes) -> None:
        if len(adv_data) > LEGACY_MAX_DATA or len(scan_response) > LEGACY_MAX_DATA:
            raise ValueError(
                f"legacy advertising carries at most {LEGACY_MAX_DATA} bytes of advertising data and of scan "
                f"response (got {len(adv_data)} and {len(scan_response)}); the controller has no extended "
                "advertising or force_legacy is set"
            )

    async def _advertise_legacy(self, adv_data: bytes, scan_response: bytes, params: AdvertisingParameters,
                                scannable: bool, reuse: AdvertisingSet | None = None) -> AdvertisingSet:
        self._check_legacy_data(adv_data, scan_response)
        if params.legacy is False or params.primary_phy != PHY_1M or params.secondary_phy != PHY_1M:
            raise ValueError("extended advertising (non-legacy PDUs, LE 2M/Coded) needs a controller with "
                             "LE Extended Advertising and force_legacy off")
        old = self.sets.get(0)
        if old is not None and old.active:
            await self.host.send_command(cmd.LeSetAdvertisingEnable(advertising_enable=0))
            old._finish(None)
        await self.addresses.apply_pending()
        adv_type = _legacy_type(params, scannable)
        await self.host.send_command(cmd.LeSetAdvertisingParameters(
            advertising_interval_min=params.interval_min,
            advertising_interval_max=params.interval_max or params.interval_min,
            advertising_type=adv_type,
            own_address_type=self.addresses.own_address_type,
            peer_address=params.directed_to or ANY_ADDRESS,
            advertising_channel_map=params.channel_map,
            advertising_filter_policy=params.filter_policy,
        ))
        await self.host.send_command(cmd.LeSetAdvertisingData(advertising_data=adv_data))
        await self.host.send_command(cmd.LeSetScanResponseData(scan_response_data=scan_response))
        adv = reuse or AdvertisingSet(0, params, adv_data, scan_response, legacy_pdus=True, legacy_commands=True)
        adv._advertiser = self
        self.sets[0] = adv
        await self._enable(adv, cmd.LeSetAdvertisingEnable(advertising_enable=1), resuming=reuse is not None)
        if adv.active and params.duration > 0:
            loop = asyncio.get_running_loop()
            adv._timer = loop.call_later(params.duration, lambda: loop.create_task(self._legacy_timeout(adv)))
        log.info("legacy advertising started: type 0x%02x, %d+%d bytes", adv_type, len(adv_data), len(scan_response))
        return adv

    async def _legacy_timeout(self, adv: AdvertisingSet) -> None:
        """The host's timer for a legacy advertising duration (legacy commands have none)."""
        adv._timer = None
        if not adv.active:
            return
        try:
            await self.host.send_command(cmd.LeSetAdvertisingEnable(advertising_enable=0))
        except Exception as exc:
            log.warning("stopping timed-out advertising failed: %s", exc)
        adv._finish(StatusCode.ADVERTISING_TIMEOUT)
        self._on_idle()

    async def _max_length(self) -> int:
        if self._max_data_length is None:
            ret = await self.host.send_command(cmd.LeReadMaximumAdvertisingDataLength())
            self._max_data_length = int(ret.maximum_advertising_data_length)
        return self._max_data_length

    def _free_handle(self) -> int:
        handle = 0
        while handle in self.sets and self.sets[handle].active:
            handle += 1
        return handle

    async def _advertise_extended(self, adv_data: bytes, scan_response: bytes, params: AdvertisingParameters,
                                  scannable: bool, handle: int | None,
                                  reuse: AdvertisingSet | None = None) -> AdvertisingSet:
        self.caps.check_phy(params.primary_phy, "primary advertising PHY")
        self.caps.check_phy(params.secondary_phy, "secondary advertising PHY")
        if params.primary_phy not in (PHY_1M, PHY_CODED):
            raise ValueError("the primary advertising PHY is LE 1M or LE Coded (Vol 4 Part E, 7.8.53)")
        fits_legacy = len(adv_data) <= LEGACY_MAX_DATA and len(scan_response) <= LEGACY_MAX_DATA
        phys_legacy = params.primary_phy == PHY_1M and params.secondary_phy == PHY_1M
        legacy = params.legacy if params.legacy is not None else (fits_legacy and phys_legacy)
        if legacy:
            self._check_legacy_data(adv_data, scan_response)
        else:
            if params.connectable and scan_response:
                raise ValueError("extended connectable advertising cannot be scannable: drop the scan response "
                                 "or make it non-connectable (Vol 4 Part E, 7.8.53)")
            if params.connectable:
                scannable = False
            if scannable:
                _check_extended_scannable(adv_data, scan_response)
            limit = await self._max_length()
            if len(adv_data) > limit or len(scan_response) > limit:
                raise ValueError(f"the controller takes at most {limit} bytes of extended advertising data")
        if handle is None:
            handle = self._free_handle()
        old = self.sets.get(handle)
        if old is not None and old.active:
            await self._disable_extended(handle)
            old._finish(None)
        props = _event_properties(params, scannable, legacy)
        carries_data = _carries_advertising_data(props)
        if not carries_data and old is not None and old.adv_data and not old.legacy_commands:
            await self._remove_set(handle)  # 7.8.53: its old data would make the new type invalid (0x12)
        await self.host.send_command(cmd.LeSetExtendedAdvertisingParameters(
            advertising_handle=handle,
            advertising_event_properties=props,
            primary_advertising_interval_min=params.interval_min,
            primary_advertising_interval_max=params.interval_max or params.interval_min,
            primary_advertising_channel_map=params.channel_map,
            own_address_type=self.addresses.own_address_type,
            peer_address=params.directed_to or ANY_ADDRESS,
            advertising_filter_policy=params.filter_policy,
            advertising_tx_power=0x7F if params.tx_power is None else params.tx_power,
            primary_advertising_phy=params.primary_phy,
            secondary_advertising_phy=params.secondary_phy,
            advertising_sid=params.sid,
            scan_request_notification_enable=int(params.scan_request_notification),
        ))
        current = self.addresses.current
        if self.addresses.own_address_type == OWN_ADDRESS_RANDOM and current is not None:
            await self.host.send_command(cmd.LeSetAdvertisingSetRandomAddress(
                advertising_handle=handle, random_address=current))
        if carries_data:
            for fragment in cmd.LeSetExtendedAdvertisingData.fragment(handle, adv_data):
                await self.host.send_command(fragment)
        if props & PROP_SCANNABLE:
            for rsp_fragment in cmd.LeSetExtendedScanResponseData.fragment(handle, scan_response):
                await self.host.send_command(rsp_fragment)
        adv = reuse or AdvertisingSet(handle, params, adv_data, scan_response, legacy_pdus=legacy,
                                      legacy_commands=False)
        adv._advertiser = self
        self.sets[handle] = adv
        enable = cmd.LeSetExtendedAdvertisingEnable(
            enable=1, sets=(cmd.AdvertisingSet(handle, duration_10ms(params.duration), params.max_events),))
        await self._enable(adv, enable, resuming=reuse is not None)
        log.info("extended advertising set %d started: properties 0x%04x, %d+%d bytes", handle, props,
                 len(adv_data), len(scan_response))
        return adv

    async def _enable(self, adv: AdvertisingSet, command: Any, resuming: bool = False) -> None:
        """Enable a set; it counts as active before the answer, since a connection may end it at once.

        When the enable fails the set is finished (stopped by the host), unless it is
        being resumed: `resume` then finishes it with the reason."""
        adv.active = True
        try:
            await self.host.send_command(command)
        except BaseException:
            if resuming:
                adv.active = False
            else:
                adv._finish(None)
            raise

    async def _remove_set(self, handle: int) -> None:
        """LE Remove Advertising Set (7.8.59), its data with it; a set the controller no longer
        knows (it was reset) is already gone."""
        try:
            await self.host.send_command(cmd.LeRemoveAdvertisingSet(advertising_handle=handle))
        except HciCommandError as exc:
            if exc.status != StatusCode.UNKNOWN_ADVERTISING_IDENTIFIER:
                raise

    async def _disable_extended(self, handle: int) -> None:
        await self.host.send_command(cmd.LeSetExtendedAdvertisingEnable(enable=0, sets=(cmd.AdvertisingSet(handle),)))

    async def stop(self, adv: AdvertisingSet) -> None:
        """Stop one set (a no-op when it already stopped)."""
        if not adv.active:
            return
        if adv.legacy_commands:
            await self.host.send_command(cmd.LeSetAdvertisingEnable(advertising_enable=0))
        else:
            await self._disable_extended(adv.handle)
        adv._finish(None)
        self._on_idle()

    async def stop_all(self) -> None:
        for adv in self.active_sets:
            await self.stop(adv)

    # --- events (called by Gap on the host loop) ----------------------------------

    def on_set_terminated(self, event: ev.LeAdvertisingSetTerminated) -> None:
        """LE Advertising Set Terminated (Vol 4 Part E, 7.7.65.18): connected, timed out or limit reached."""
        adv = self.sets.get(event.advertising_handle)
        if adv is None:
            return
        adv.completed_events = event.num_completed_extended_advertising_events
        status = StatusCode(event.status)
        conn = self.host.connections.get(event.connection_handle) if status == StatusCode.SUCCESS else None
        log.info("advertising set %d terminated: %s", adv.handle, status.name)
        adv._finish(status, conn)

    def on_peripheral_connection(self, event: Any, conn: Connection | None) -> None:
        """A peripheral-role Connection Complete: legacy advertising stopped (Vol 4 Part E, 7.8.9)."""
        adv = self.sets.get(0)
        if adv is None or not adv.legacy_commands or not adv.active:
            return
        if event.status == StatusCode.SUCCESS and conn is not None and conn.role == Role.PERIPHERAL:
            adv._finish(StatusCode.SUCCESS, conn)
            self._on_idle()
        elif event.status == StatusCode.ADVERTISING_TIMEOUT:
            adv._finish(StatusCode.ADVERTISING_TIMEOUT)  # high duty cycle directed advertising ran out
            self._on_idle()


def _carries_advertising_data(props: int) -> bool:
    """Whether a set of these properties carries advertising data (Vol 4 Part E, 7.8.54): not
    ADV_DIRECT_IND, and not an extended scannable event, whose AUX_ADV_IND has no AdvData
    (Vol 6 Part B, 2.3.4)."""
    if props & PROP_LEGACY:
        return not props & PROP_DIRECTED
    return not props & PROP_SCANNABLE


def _check_extended_scannable(adv_data: bytes, scan_response: bytes) -> None:
    """Extended scannable advertising puts all its data in the scan response (Vol 4 Part E,
    7.8.54-7.8.56): advertising data is refused, and a scan response is required."""
    if adv_data:
        raise ValueError(
            "extended scannable advertising carries no advertising data, only a scan response "
            "(Vol 4 Part E, 7.8.54): move the data into the scan response, drop the scan response, "
            "or use legacy PDUs (both at most 31 bytes)")
    if not scan_response:
        raise ValueError(
            "extended scannable advertising needs scan response data (Vol 4 Part E, 7.8.56): "
            "give a scan response or set scannable=False")


def _scannable(params: AdvertisingParameters, scan_response: bytes) -> bool:
    """Scannable when asked, else when there is a scan response or it is undirected connectable."""
    if params.scannable is not None:
        return params.scannable
    return bool(scan_response) or (params.connectable and params.directed_to is None)


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("updating the advertising sets' random address failed: %s", task.exception())
