"""Merging advertising reports into one entry per device (sans-I/O).

The host turns each LE (Extended) Advertising Report (Core Vol 4 Part E, 7.7.65.2 and 7.7.65.13)
into an :class:`AdvertisingReport` and feeds it to a :class:`ScanMerger`, which reassembles
fragmented extended data, keeps each device's advertising data and scan response side by side,
and says when a device's entry changed. Memory is bounded: the least recently heard device and
the oldest pending fragments are dropped first.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from enum import IntEnum, IntFlag
from typing import Any

from aioble_hci.address import Address
from aioble_hci.gap.ad import AdvertisingData
from aioble_hci.gap.ad_types import EXTENDED_MAX_LENGTH
from aioble_hci.uuid import UUID

log = logging.getLogger(__name__)

RSSI_NOT_AVAILABLE = 127
TX_POWER_NOT_AVAILABLE = 127
NO_ADI = 0xFF  # SID value of a report whose PDU carried no ADI field


class LegacyEventType(IntEnum):
    """Event_Type of LE Advertising Report (Vol 4 Part E, 7.7.65.2); also MicroPython's adv_type."""

    ADV_IND = 0x00
    ADV_DIRECT_IND = 0x01
    ADV_SCAN_IND = 0x02
    ADV_NONCONN_IND = 0x03
    SCAN_RSP = 0x04


class ExtendedEventType(IntFlag):
    """Event_Type bits of LE Extended Advertising Report (Vol 4 Part E, 7.7.65.13)."""

    CONNECTABLE = 0x01
    SCANNABLE = 0x02
    DIRECTED = 0x04
    SCAN_RESPONSE = 0x08
    LEGACY = 0x10


class DataStatus(IntEnum):
    """Data status, bits 5-6 of the extended Event_Type (Vol 4 Part E, 7.7.65.13)."""

    COMPLETE = 0
    INCOMPLETE_MORE_TO_COME = 1
    INCOMPLETE_TRUNCATED = 2


_CONNECTABLE, _SCANNABLE, _DIRECTED, _SCAN_RESPONSE, _LEGACY = (int(f) for f in ExtendedEventType)
# Data_Status bits 5-6 of the extended Event_Type; the reserved value 3 is read as truncated.
_DATA_STATUS = (DataStatus.COMPLETE, DataStatus.INCOMPLETE_MORE_TO_COME, DataStatus.INCOMPLETE_TRUNCATED,
                DataStatus.INCOMPLETE_TRUNCATED)

_LEGACY_PROPERTIES = {
    # event type: (connectable, scannable, directed, scan_response)
    LegacyEventType.ADV_IND: (True, True, False, False),
    LegacyEventType.ADV_DIRECT_IND: (True, False, True, False),
    LegacyEventType.ADV_SCAN_IND: (False, True, False, False),
    LegacyEventType.ADV_NONCONN_IND: (False, False, False, False),
    LegacyEventType.SCAN_RSP: (False, False, False, True),
}


@dataclass(frozen=True, slots=True)
class AdvertisingReport:
    """One received advertising PDU (or fragment of one), whichever HCI event carried it.

    ``rssi`` and ``tx_power`` are None when the controller did not give them (127).
    ``sid`` is the advertising set ID of an extended report (None without ADI).
    """

    address: Address
    data: bytes = b""
    rssi: int | None = None
    connectable: bool = False
    scannable: bool = False
    directed: bool = False
    scan_response: bool = False
    legacy: bool = True
    data_status: DataStatus = DataStatus.COMPLETE
    tx_power: int | None = None
    sid: int | None = None
    primary_phy: int = 1
    secondary_phy: int = 0

    @classmethod
    def from_legacy(
        cls, address: Address, event_type: int, rssi: int, data: bytes
    ) -> AdvertisingReport:
        """From one report of LE Advertising Report; an unknown event type is a ValueError."""
        try:
            conn, scan, direct, rsp = _LEGACY_PROPERTIES[LegacyEventType(event_type)]
        except ValueError:
            raise ValueError(f"unknown legacy advertising event type {event_type:#x}") from None
        return cls(
            address,
            bytes(data),
            None if rssi == RSSI_NOT_AVAILABLE else rssi,
            conn,
            scan,
            direct,
            rsp,
        )

    @classmethod
    def from_extended(
        cls,
        address: Address,
        event_type: int,
        rssi: int,
        data: bytes,
        *,
        tx_power: int = TX_POWER_NOT_AVAILABLE,
        sid: int = NO_ADI,
        primary_phy: int = 1,
        secondary_phy: int = 0,
    ) -> AdvertisingReport:
        """From one report of LE Extended Advertising Report (its Event_Type bit field)."""
        # Plain int bit tests: this runs for every report while scanning (no IntFlag objects).
        return cls(
            address,
            bytes(data),
            None if rssi == RSSI_NOT_AVAILABLE else rssi,
            bool(event_type & _CONNECTABLE),
            bool(event_type & _SCANNABLE),
            bool(event_type & _DIRECTED),
            bool(event_type & _SCAN_RESPONSE),
            bool(event_type & _LEGACY),
            _DATA_STATUS[(event_type >> 5) & 0x03],
            None if tx_power == TX_POWER_NOT_AVAILABLE else tx_power,
            None if sid == NO_ADI else sid,
            primary_phy,
            secondary_phy,
        )

    @property
    def legacy_event_type(self) -> LegacyEventType:
        """The closest legacy event type (MicroPython's ``adv_type`` in IRQ_SCAN_RESULT)."""
        if self.scan_response:
            return LegacyEventType.SCAN_RSP
        if self.directed:
            return LegacyEventType.ADV_DIRECT_IND
        if self.connectable:
            return LegacyEventType.ADV_IND
        if self.scannable:
            return LegacyEventType.ADV_SCAN_IND
        return LegacyEventType.ADV_NONCONN_IND


@dataclass(frozen=True, slots=True)
class ScanReport:
    """What a scan knows about one device: its latest advertising data and scan response.

    A snapshot: the merger makes a new one on every change, so it can be handed to another
    thread. ``adv_data``/``scan_response`` are None until one was received.
    """

    address: Address
    adv_data: bytes | None = None
    scan_response: bytes | None = None
    rssi: int | None = None
    connectable: bool = False
    tx_power: int | None = None
    legacy: bool = True
    truncated: bool = False
    count: int = 0
    first_seen: float | None = None
    last_seen: float | None = None
    _decoded: AdvertisingData | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def data(self) -> AdvertisingData:
        """Advertising data then scan response, decoded as one list of fields (cached)."""
        decoded = self._decoded
        if decoded is None:
            decoded = AdvertisingData.decode(self.adv_data or b"")
            if self.scan_response:
                decoded = decoded + AdvertisingData.decode(self.scan_response)
            object.__setattr__(self, "_decoded", decoded)
        return decoded

    @property
    def name(self) -> str | None:
        return self.data.name

    @property
    def services(self) -> list[UUID]:
        return self.data.services

    @property
    def manufacturer_data(self) -> dict[int, bytes]:
        return self.data.manufacturer_data

    @property
    def service_data(self) -> dict[UUID, bytes]:
        return self.data.service_data

    @property
    def appearance(self) -> int | None:
        return self.data.appearance

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (hex strings for octets, str for UUIDs and the address)."""
        return {
            "address": str(self.address),
            "address_type": self.address.type_name,
            "rssi": self.rssi,
            "connectable": self.connectable,
            "name": self.name,
            "services": [str(u) for u in self.services],
            "manufacturer": {f"0x{k:04x}": v.hex() for k, v in self.manufacturer_data.items()},
            "adv_data": None if self.adv_data is None else self.adv_data.hex(),
            "scan_response": None if self.scan_response is None else self.scan_response.hex(),
            "tx_power": self.tx_power,
            "count": self.count,
        }


_FragmentKey = tuple[bytes, int, int | None, bool]


class FragmentAssembler:
    """Joins the fragments of extended advertising data (Data_Status "incomplete, more to come";
    Vol 4 Part E, 7.7.65.13), per advertiser, set and PDU kind.

    A chain is its "more to come" fragments and the one that ends it (complete or truncated).
    A chain whose data grows past 1650 octets (the most a set can hold, Vol 6 Part B, 2.3.4.9)
    is dropped whole: its remaining fragments, the ending one included, are discarded rather
    than taken for a new chain. At most ``max_pending`` incomplete chains are kept; the oldest
    is dropped first, whole, in the same way.
    """

    __slots__ = ("max_pending", "_pending", "_discarding")

    def __init__(self, max_pending: int) -> None:
        self.max_pending = max_pending
        self._pending: OrderedDict[_FragmentKey, bytes] = OrderedDict()
        self._discarding: OrderedDict[_FragmentKey, None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._pending)

    def clear(self) -> None:
        self._pending.clear()
        self._discarding.clear()

    def feed(self, report: AdvertisingReport) -> bytes | None:
        """The complete data of a report, joining fragments; None while more are to come
        and for every fragment of a dropped chain.

        A report that needed no joining gives its own ``data`` object back.
        """
        if report.legacy:
            return report.data
        key = (report.address.value, int(report.address.type), report.sid, report.scan_response)
        more = report.data_status == DataStatus.INCOMPLETE_MORE_TO_COME
        if key in self._discarding:
            if not more:  # the dropped chain ends here
                del self._discarding[key]
            return None
        pending = self._pending.pop(key, None)
        data = report.data if pending is None else pending + report.data
        if len(data) > EXTENDED_MAX_LENGTH:
            log.debug("dropping a chain of advertising data over %d octets from %s", EXTENDED_MAX_LENGTH,
                      report.address)
            if more:
                self._discard(key)
            return None
        if more:
            self._pending[key] = data
            while len(self._pending) > self.max_pending:
                evicted, _ = self._pending.popitem(last=False)
                self._discard(evicted)
            return None
        return data

    def _discard(self, key: _FragmentKey) -> None:
        """Drop the rest of `key`'s chain as it arrives (remembered for as many chains as may wait)."""
        self._discarding[key] = None
        while len(self._discarding) > self.max_pending:
            self._discarding.popitem(last=False)


class ScanMerger:
    """Merges advertising reports into one :class:`ScanReport` per device address.

    :meth:`feed` returns the device's new entry when the report changed it, None otherwise
    (a fragment awaiting the rest, or a duplicate). A duplicate is a report that changes
    nothing but RSSI and timing; with ``filter_duplicates=False`` those are returned too.
    """

    def __init__(
        self,
        max_devices: int = 512,
        filter_duplicates: bool = True,
        max_pending_fragments: int = 32,
    ) -> None:
        if max_devices < 1 or max_pending_fragments < 1:
            raise ValueError("max_devices and max_pending_fragments must be at least 1")
        self.max_devices = max_devices
        self.filter_duplicates = filter_duplicates
        self.max_pending_fragments = max_pending_fragments
        self._devices: OrderedDict[tuple[bytes, int], ScanReport] = OrderedDict()
        self._fragments = FragmentAssembler(max_pending_fragments)

    def __len__(self) -> int:
        return len(self._devices)

    @property
    def devices(self) -> list[ScanReport]:
        """Every device entry, least recently heard first."""
        return list(self._devices.values())

    def get(self, address: Address) -> ScanReport | None:
        return self._devices.get((address.value, address.type))

    def clear(self) -> None:
        """Forget every device and pending fragment (a new scan session)."""
        self._devices.clear()
        self._fragments.clear()

    def expire(self, now: float, max_age: float) -> list[ScanReport]:
        """Drop and return the devices not heard for more than ``max_age`` seconds."""
        gone = [
            key
            for key, entry in self._devices.items()
            if entry.last_seen is not None and now - entry.last_seen > max_age
        ]
        return [self._devices.pop(key) for key in gone]

    def feed(self, report: AdvertisingReport, now: float | None = None) -> ScanReport | None:
        """Take one report; the device's updated entry if it changed, else None."""
        data = self._fragments.feed(report)
        if data is None:
            return None
        truncated = not report.legacy and report.data_status == DataStatus.INCOMPLETE_TRUNCATED
        key = (report.address.value, int(report.address.type))
        old = self._devices.get(key)
        if old is None:
            old = ScanReport(report.address, first_seen=now)
            changed = True
        else:
            self._devices.move_to_end(key)
            changed = False

        adv_data, scan_response, connectable = old.adv_data, old.scan_response, old.connectable
        if report.scan_response:
            if data and data != scan_response:
                scan_response, changed = data, True
        else:
            if report.connectable != connectable:
                connectable, changed = report.connectable, True
            if not report.directed and data != adv_data:
                adv_data, changed = data, True
        tx_power = report.tx_power if report.tx_power is not None else old.tx_power
        changed = changed or tx_power != old.tx_power or truncated != old.truncated

        entry = ScanReport(
            report.address,
            adv_data,
            scan_response,
            report.rssi if report.rssi is not None else old.rssi,
            connectable,
            tx_power,
            report.legacy,
            truncated,
            old.count + 1,
            old.first_seen,
            now,
        )
        self._devices[key] = entry
        if len(self._devices) > self.max_devices:
            self._devices.popitem(last=False)
        return entry if changed or not self.filter_duplicates else None
