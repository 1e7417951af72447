"""Scanning: legacy (Vol 4 Part E, 7.8.10-7.8.11) and extended (7.8.64-7.8.65).

A scanner reports what it hears: passive scanners only the advertising PDU,
active scanners also the scan response of scannable advertisers (Vol 6 Part B,
4.4.3). Legacy scanning sees legacy PDUs only. Duplicate filtering reports each
advertiser and PDU kind once per scan.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aioble_hci.controller import commands as c
from aioble_hci.controller import events as ev
from aioble_hci.controller.air import (
    PROP_CONNECTABLE,
    PROP_DIRECTED,
    PROP_LEGACY,
    PROP_SCANNABLE,
    AdvertisingPdu,
)
from aioble_hci.controller.commands import OK
from aioble_hci.controller.constants import LeSub, Op, Status

if TYPE_CHECKING:
    import asyncio

    from aioble_hci.controller.controller import VirtualController

log = logging.getLogger(__name__)

SCAN_RSP_FLAG = 0x08
DATA_INCOMPLETE_MORE = 0x01 << 5


def legacy_event_type(props: int, scan_response: bool) -> int:
    """Event_Type of LE Advertising Report (7.7.65.2)."""
    if scan_response:
        return 0x04
    if props & PROP_DIRECTED:
        return 0x01
    if props & PROP_CONNECTABLE:
        return 0x00
    if props & PROP_SCANNABLE:
        return 0x02
    return 0x03


class Scanner:
    """The scanning state of one controller."""

    def __init__(self, ctl: VirtualController) -> None:
        self.ctl = ctl
        self.reset()

    @property
    def enabled(self) -> bool:
        return self._enabled

    @enabled.setter
    def enabled(self, value: bool) -> None:
        self._enabled = value
        self.ctl.air.set_listening(self.ctl, "scanning", value)

    def reset(self) -> None:
        self.enabled = False
        self.extended = False
        self.active = False
        self.own_address_type = 0
        self.filter_policy = 0
        self.filter_duplicates = False
        self.seen: set[tuple[object, ...]] = set()
        timer: asyncio.TimerHandle | None = getattr(self, "timer", None)
        if timer is not None:
            timer.cancel()
        self.timer: asyncio.TimerHandle | None = None

    def start(self, duration_s: float = 0.0) -> None:
        self.enabled = True
        self.seen.clear()
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if duration_s > 0:
            self.timer = self.ctl.loop.call_later(self.ctl.air.timer_delay(duration_s), self._timed_out)
        self.ctl.air.replay_advertising(self.ctl)

    def stop(self) -> None:
        self.enabled = False
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def _timed_out(self) -> None:
        self.timer = None
        if self.enabled:
            self.enabled = False
            self.ctl.send_le_event(LeSub.SCAN_TIMEOUT, b"")

    def on_pdu(self, pdu: AdvertisingPdu) -> None:
        if not self.enabled or (not self.extended and not pdu.legacy):
            return
        if pdu.directed and (pdu.target is None or not self.ctl.is_own_address(pdu.target_type, pdu.target)):
            return
        if not self.ctl.privacy.accepts_peer(pdu.address_type, pdu.address):
            return  # an identity address of a peer in Network Privacy Mode (Vol 6 Part B, 4.7)
        if self.filter_policy in (1, 3) and not self.ctl.privacy.in_accept_list(pdu.address_type, pdu.address):
            return
        address_type, address = self.ctl.privacy.resolve(pdu.address_type, pdu.address)
        self._report(pdu, address_type, address, scan_response=False)
        if self.active and pdu.scannable:
            adv = pdu.advertiser.advertising.find(pdu.set_handle)
            own = self.ctl.own_address(self.own_address_type)
            if own is not None and not pdu.advertiser.privacy.accepts_peer(own[0], own[1]):
                return  # the advertiser ignores our SCAN_REQ (its privacy mode for us)
            if adv is not None and own is not None:
                pdu.advertiser.advertising.scan_requested(adv, own[0], own[1])
            self._report(pdu, address_type, address, scan_response=True)

    def _report(self, pdu: AdvertisingPdu, address_type: int, address: bytes, scan_response: bool) -> None:
        data = pdu.scan_response if scan_response else pdu.data
        if self.filter_duplicates:
            key: tuple[object, ...] = (address_type, address, pdu.properties, scan_response)
            if self.extended:
                key += (data,)
            if key in self.seen:
                return
            self.seen.add(key)
        rssi = self.ctl.air.rssi
        if not self.extended:
            event_type = legacy_event_type(pdu.properties, scan_response)
            self.ctl.send_le_event(
                LeSub.ADVERTISING_REPORT, ev.le_advertising_report(event_type, address_type, address, data, rssi)
            )
            return
        event_type = pdu.properties & (PROP_CONNECTABLE | PROP_SCANNABLE | PROP_DIRECTED | PROP_LEGACY)
        if scan_response:
            event_type |= SCAN_RSP_FLAG | PROP_SCANNABLE
        legacy = pdu.legacy
        chunks = [data[i : i + ev.EXTENDED_REPORT_MAX_DATA] for i in range(0, len(data), ev.EXTENDED_REPORT_MAX_DATA)]
        for index, chunk in enumerate(chunks or [b""]):
            more = index < len(chunks) - 1
            report = ev.ExtendedReport(
                event_type=event_type | (DATA_INCOMPLETE_MORE if more else 0),
                address_type=address_type,
                address=address,
                data=chunk,
                primary_phy=pdu.primary_phy,
                secondary_phy=0 if legacy else pdu.secondary_phy,
                sid=0xFF if legacy else pdu.sid,
                tx_power=0x7F if legacy else pdu.tx_power,
                rssi=rssi,
                direct_address_type=pdu.target_type if pdu.directed else 0,
                direct_address=pdu.target if pdu.target is not None else bytes(6),
            )
            self.ctl.send_le_event(LeSub.EXTENDED_ADVERTISING_REPORT, ev.le_extended_advertising_report(report))


# -- commands --------------------------------------------------------------
def le_set_scan_parameters(ctl: VirtualController, p: bytes) -> bytes:
    scan_type, interval, window, own, policy = p[0], c.u16(p, 1), c.u16(p, 3), p[5], p[6]
    c.check(not ctl.scanner.enabled, Status.COMMAND_DISALLOWED)
    c.check(scan_type <= 1 and 4 <= window <= interval <= 0x4000 and own <= 3 and policy <= 3)
    s = ctl.scanner
    s.active, s.own_address_type, s.filter_policy = bool(scan_type), own, policy
    return OK


def _enable(ctl: VirtualController, enable: int, duplicates: int, extended: bool, duration_s: float = 0.0) -> bytes:
    c.check(enable <= 1 and duplicates <= (2 if extended else 1))
    s = ctl.scanner
    if not enable:
        s.stop()
        return OK
    c.check(ctl.own_address(s.own_address_type) is not None)
    s.filter_duplicates = bool(duplicates)
    if s.enabled and s.extended == extended:
        return OK
    s.extended = extended
    s.start(duration_s)
    return OK


def le_set_scan_enable(ctl: VirtualController, p: bytes) -> bytes:
    return _enable(ctl, p[0], p[1], extended=False)


def _ext_params_length(p: bytes) -> bool:
    return len(p) >= 3 and len(p) == 3 + 5 * bin(p[2] & 0x05).count("1")


def le_set_extended_scan_parameters(ctl: VirtualController, p: bytes) -> bytes:
    own, policy, phys = p[0], p[1], p[2]
    c.check(not ctl.scanner.enabled, Status.COMMAND_DISALLOWED)
    c.check(own <= 3 and policy <= 3 and phys != 0 and not phys & ~0x05)
    c.check(phys == 0x01, Status.UNSUPPORTED_FEATURE_OR_PARAMETER_VALUE)  # LE Coded is not offered
    scan_type, interval, window = p[3], c.u16(p, 4), c.u16(p, 6)
    c.check(scan_type <= 1 and 4 <= window <= interval)
    s = ctl.scanner
    s.active, s.own_address_type, s.filter_policy = bool(scan_type), own, policy
    return OK


def le_set_extended_scan_enable(ctl: VirtualController, p: bytes) -> bytes:
    duration = c.u16(p, 2)
    return _enable(ctl, p[0], p[1], extended=True, duration_s=duration * 10e-3)


COMMANDS = [
    c.complete(Op.LE_SET_SCAN_PARAMETERS, le_set_scan_parameters, 7, bit=(26, 2)),
    c.complete(Op.LE_SET_SCAN_ENABLE, le_set_scan_enable, 2, bit=(26, 3)),
    c.complete(Op.LE_SET_EXTENDED_SCAN_PARAMETERS, le_set_extended_scan_parameters, _ext_params_length, bit=(37, 5)),
    c.complete(Op.LE_SET_EXTENDED_SCAN_ENABLE, le_set_extended_scan_enable, 6, bit=(37, 6)),
]
