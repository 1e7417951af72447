"""Advertising state: the legacy advertiser and extended advertising sets.

A set, once enabled, puts its PDU on the air at its interval (Vol 6 Part B,
4.4.2). A connection ends advertising on the set that accepted it; extended
sets then report LE Advertising Set Terminated (Vol 4 Part E, 7.7.65.18).
HCI handlers live in advertising_commands.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aioble_hci.controller import events as ev
from aioble_hci.controller.air import (
    PROP_CONNECTABLE,
    PROP_DIRECTED,
    PROP_HIGH_DUTY,
    AdvertisingPdu,
)
from aioble_hci.controller.connections import send_connection_complete_failure
from aioble_hci.controller.constants import LeSub, Role, Status

if TYPE_CHECKING:
    import asyncio

    from aioble_hci.controller.controller import VirtualController

log = logging.getLogger(__name__)

LEGACY_KEY = -1  # the air's key for the legacy advertiser (extended sets use their handle)
MAX_SETS = 4
MAX_DATA_LENGTH = 1650
HIGH_DUTY_DIRECTED_TIMEOUT_S = 1.28  # Vol 6 Part B, 4.4.2.4.3


@dataclass(eq=False)
class AdvertisingSet:
    """Parameters, data and run state of one advertiser."""

    handle: int
    legacy: bool
    properties: int = 0x13
    interval: int = 0x0800  # x 0.625 ms
    own_address_type: int = 0
    peer_address_type: int = 0
    peer_address: bytes = bytes(6)
    filter_policy: int = 0
    tx_power: int = 0
    primary_phy: int = 1
    secondary_phy: int = 1
    sid: int = 0
    scan_request_notify: bool = False
    data: bytes = b""
    scan_response: bytes = b""
    random_address: bytes | None = None
    enabled: bool = False
    max_events: int = 0
    events_sent: int = 0
    timer: asyncio.TimerHandle | None = field(default=None)

    @property
    def key(self) -> int:
        return LEGACY_KEY if self.legacy else self.handle


class Advertising:
    """All advertisers of one controller."""

    def __init__(self, ctl: VirtualController) -> None:
        self.ctl = ctl
        self.legacy = AdvertisingSet(0, legacy=True)
        self.sets: dict[int, AdvertisingSet] = {}

    def reset(self) -> None:
        for adv in [self.legacy, *self.sets.values()]:
            self.stop(adv)
        self.legacy = AdvertisingSet(0, legacy=True)
        self.sets.clear()

    @property
    def legacy_enabled(self) -> bool:
        return self.legacy.enabled

    def uses_address(self, address: bytes) -> bool:
        return any(s.enabled and s.random_address == address for s in self.sets.values())

    def address_of(self, adv: AdvertisingSet) -> tuple[int, bytes] | None:
        random = adv.random_address if not adv.legacy else None
        return self.ctl.own_address(adv.own_address_type, random)

    def start(self, adv: AdvertisingSet, duration_s: float = 0.0) -> None:
        adv.enabled = True
        adv.events_sent = 0
        self.ctl.air.start_advertising(self.ctl, adv.key, lambda: self.pdu(adv), adv.interval * 0.625e-3)
        if adv.timer is not None:
            adv.timer.cancel()
            adv.timer = None
        if duration_s > 0:
            adv.timer = self.ctl.loop.call_later(self.ctl.air.timer_delay(duration_s), self._timed_out, adv)
        elif adv.legacy and adv.properties & PROP_HIGH_DUTY:
            adv.timer = self.ctl.loop.call_later(self.ctl.air.timer_delay(HIGH_DUTY_DIRECTED_TIMEOUT_S),
                                                 self._timed_out, adv)

    def stop(self, adv: AdvertisingSet) -> None:
        adv.enabled = False
        self.ctl.air.stop_advertising(self.ctl, adv.key)
        if adv.timer is not None:
            adv.timer.cancel()
            adv.timer = None

    def _timed_out(self, adv: AdvertisingSet) -> None:
        adv.timer = None
        if not adv.enabled:
            return
        self.stop(adv)
        if adv.legacy:
            # High duty cycle directed advertising ends with a failed connection (Vol 4 Part E, 7.8.9).
            send_connection_complete_failure(self.ctl, Status.ADVERTISING_TIMEOUT, Role.PERIPHERAL, enhanced=False)
        else:
            self.ctl.send_le_event(
                LeSub.ADVERTISING_SET_TERMINATED,
                ev.le_advertising_set_terminated(Status.ADVERTISING_TIMEOUT, adv.handle, 0, adv.events_sent),
            )

    def pdu(self, adv: AdvertisingSet) -> AdvertisingPdu | None:
        """The PDU the set sends at its next advertising event (None if it cannot advertise)."""
        if not adv.enabled:
            return None
        own = self.address_of(adv)
        if own is None:
            return None
        adv.events_sent += 1
        if adv.max_events and adv.events_sent >= adv.max_events:
            self.ctl.soon(self._limit_reached, adv)
        directed = bool(adv.properties & PROP_DIRECTED)
        return AdvertisingPdu(
            advertiser=self.ctl,
            set_handle=adv.key,
            properties=adv.properties,
            address_type=own[0],
            address=own[1],
            data=b"" if directed and adv.legacy else adv.data,
            scan_response=adv.scan_response,
            target_type=adv.peer_address_type,
            target=adv.peer_address if directed else None,
            sid=adv.sid,
            tx_power=adv.tx_power,
            primary_phy=adv.primary_phy,
            secondary_phy=adv.secondary_phy,
        )

    def _limit_reached(self, adv: AdvertisingSet) -> None:
        if adv.enabled and not adv.legacy:
            self.stop(adv)
            self.ctl.send_le_event(
                LeSub.ADVERTISING_SET_TERMINATED,
                ev.le_advertising_set_terminated(Status.LIMIT_REACHED, adv.handle, 0, adv.events_sent),
            )

    def find(self, key: int) -> AdvertisingSet | None:
        """The set with this air key (LEGACY_KEY for the legacy advertiser)."""
        if key == LEGACY_KEY:
            return self.legacy
        return self.sets.get(key)

    def accepts_connection(self, pdu: AdvertisingPdu) -> AdvertisingSet | None:
        """The enabled connectable set that sent `pdu`, if it still advertises."""
        adv = self.find(pdu.set_handle)
        if adv is None or not adv.enabled or not adv.properties & PROP_CONNECTABLE:
            return None
        return adv

    def scan_requested(self, adv: AdvertisingSet, scanner_type: int, scanner: bytes) -> None:
        """An active scanner asked for the scan response (Vol 4 Part E, 7.7.65.19)."""
        if adv.scan_request_notify and not adv.legacy:
            self.ctl.send_le_event(
                LeSub.SCAN_REQUEST_RECEIVED, ev.le_scan_request_received(adv.handle, scanner_type, scanner)
            )

    def connected(self, adv: AdvertisingSet, conn_handle: int) -> None:
        """The set accepted a connection: it stops; an extended set reports it after the connection event."""
        self.stop(adv)
        if not adv.legacy:
            self.ctl.send_le_event(
                LeSub.ADVERTISING_SET_TERMINATED,
                ev.le_advertising_set_terminated(Status.SUCCESS, adv.handle, conn_handle, adv.events_sent),
            )
