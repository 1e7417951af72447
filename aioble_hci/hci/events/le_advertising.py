"""LE Meta sub-events about advertising and scanning (Vol 4 Part E, 7.7.65).

Advertising reports are the hot path of a scanning host (hundreds per
second), so their codecs are hand-written with `struct` rather than walked
field by field. Several reports per event are laid out one report after the
other, each with all its fields (RSSI after the data in legacy reports), as
controllers send them.
"""

from __future__ import annotations

import functools
import struct
from typing import ClassVar

from aioble_hci.address import Address, AddressType
from aioble_hci.hci.constants import LeSubevent
from aioble_hci.hci.errors import HciDecodeError
from aioble_hci.hci.events.base import LeMetaEvent
from aioble_hci.hci.fields import U8, U16, HciStruct, Status, TypedAddress
from aioble_hci.records import dataclass

_TYPES = (AddressType.PUBLIC, AddressType.RANDOM, AddressType.PUBLIC_IDENTITY, AddressType.RANDOM_IDENTITY)

ADDRESS_TYPE_ANONYMOUS = 0xFF
"""Extended report Address_Type: no address (anonymous advertising)."""

DIRECT_ADDRESS_TYPE_UNRESOLVED_RPA = 0xFE
"""Direct_Address_Type: an RPA the controller could not resolve."""


@functools.lru_cache(maxsize=1024)
def _address(value: bytes, kind: int) -> Address:
    """An Address for a wire type; types outside 0-3 (anonymous, unresolved) map to RANDOM.

    Cached (Address is immutable): a scan hears the same advertisers over and over, and each
    report carries two addresses, so building them was a fifth of advertising ingest."""
    return Address(value, _TYPES[kind] if kind < 4 else AddressType.RANDOM)


@dataclass(frozen=True, slots=True)
class AdvertisingReport(HciStruct):
    """One legacy report: event type 0 ADV_IND .. 4 SCAN_RSP; RSSI in dBm, 127 = unavailable."""

    event_type: int
    address: Address
    data: bytes
    rssi: int


@dataclass(frozen=True, slots=True)
class LeAdvertisingReport(LeMetaEvent):
    """HCI_LE_Advertising_Report (Vol 4 Part E, 7.7.65.2)."""

    SUBEVENT: ClassVar[int] = LeSubevent.LE_ADVERTISING_REPORT
    reports: tuple[AdvertisingReport, ...]

    def parameters(self) -> bytes:
        out = bytearray((self.SUBEVENT, len(self.reports)))
        for r in self.reports:
            out += bytes((r.event_type, r.address.type)) + r.address.value
            out.append(len(r.data))
            out += r.data
            out.append(r.rssi & 0xFF)
        return bytes(out)

    @classmethod
    def from_parameters(cls, params: bytes) -> LeAdvertisingReport:
        if len(params) < 2 or params[0] != cls.SUBEVENT:
            raise HciDecodeError("LE Advertising Report: no Num_Reports")
        count = params[1]
        end = len(params)
        pos = 2
        reports = []
        for i in range(count):
            if pos + 9 > end:
                raise HciDecodeError(f"LE Advertising Report: report {i} of {count} truncated in its header")
            kind = params[pos + 1]
            if kind > 3:
                raise HciDecodeError(f"LE Advertising Report: report {i} has address type 0x{kind:02x}")
            data_length = params[pos + 8]
            if data_length > 31:  # Vol 4 Part E 7.7.65.2: Data_Length is 0 to 31 octets
                raise HciDecodeError(f"LE Advertising Report: report {i} has {data_length} octets of data (max 31)")
            data_end = pos + 9 + data_length
            if data_end >= end:
                raise HciDecodeError(f"LE Advertising Report: report {i} of {count} truncated in its data")
            rssi = params[data_end]
            reports.append(
                AdvertisingReport(
                    params[pos],
                    _address(bytes(params[pos + 2 : pos + 8]), kind),
                    params[pos + 9 : data_end],
                    rssi - 256 if rssi > 127 else rssi,
                )
            )
            pos = data_end + 1
        if pos != end:
            raise HciDecodeError(f"LE Advertising Report: {end - pos} unexpected trailing byte(s)")
        return cls(tuple(reports))


_EXT = struct.Struct("<HB6sBBBbbHB6sB")  # 24 octets before the data


@dataclass(frozen=True, slots=True)
class ExtendedAdvertisingReport(HciStruct):
    """One extended report (Vol 4 Part E, 7.7.65.13).

    `address_type` and `direct_address_type` keep the wire values (0xFF
    anonymous, 0xFE unresolved RPA); `address.type` is the AddressType for 0-3.
    Event type bits: 0 connectable, 1 scannable, 2 directed, 3 scan response,
    4 legacy, 5-6 data status (0 complete, 1 more to come, 2 truncated).
    """

    event_type: int
    address_type: int
    address: Address
    primary_phy: int
    secondary_phy: int
    advertising_sid: int
    tx_power: int
    rssi: int
    periodic_advertising_interval: int
    direct_address_type: int
    direct_address: Address
    data: bytes

    @property
    def data_status(self) -> int:
        return self.event_type >> 5 & 0b11


@dataclass(frozen=True, slots=True)
class LeExtendedAdvertisingReport(LeMetaEvent):
    """HCI_LE_Extended_Advertising_Report (Vol 4 Part E, 7.7.65.13)."""

    SUBEVENT: ClassVar[int] = LeSubevent.LE_EXTENDED_ADVERTISING_REPORT
    reports: tuple[ExtendedAdvertisingReport, ...]

    def parameters(self) -> bytes:
        out = bytearray((self.SUBEVENT, len(self.reports)))
        for r in self.reports:
            out += _EXT.pack(
                r.event_type,
                r.address_type,
                r.address.value,
                r.primary_phy,
                r.secondary_phy,
                r.advertising_sid,
                r.tx_power,
                r.rssi,
                r.periodic_advertising_interval,
                r.direct_address_type,
                r.direct_address.value,
                len(r.data),
            )
            out += r.data
        return bytes(out)

    @classmethod
    def from_parameters(cls, params: bytes) -> LeExtendedAdvertisingReport:
        if len(params) < 2 or params[0] != cls.SUBEVENT:
            raise HciDecodeError("LE Extended Advertising Report: no Num_Reports")
        count = params[1]
        end = len(params)
        pos = 2
        reports = []
        for i in range(count):
            if pos + 24 > end:
                raise HciDecodeError(f"LE Extended Advertising Report: report {i} of {count} truncated in its header")
            (etype, atype, addr, pphy, sphy, sid, txp, rssi, interval, dtype, daddr, dlen) = _EXT.unpack_from(params, pos)
            data_end = pos + 24 + dlen
            if data_end > end:
                raise HciDecodeError(f"LE Extended Advertising Report: report {i} of {count} truncated in its data")
            reports.append(
                ExtendedAdvertisingReport(
                    etype,
                    atype,
                    _address(addr, atype),
                    pphy,
                    sphy,
                    sid,
                    txp,
                    rssi,
                    interval,
                    dtype,
                    _address(daddr, dtype),
                    params[pos + 24 : data_end],
                )
            )
            pos = data_end
        if pos != end:
            raise HciDecodeError(f"LE Extended Advertising Report: {end - pos} unexpected trailing byte(s)")
        return cls(tuple(reports))


_DIRECT = struct.Struct("<BB6sB6sb")


@dataclass(frozen=True, slots=True)
class DirectedAdvertisingReport(HciStruct):
    """One directed report (Vol 4 Part E, 7.7.65.11); wire address types kept as ints."""

    event_type: int
    address_type: int
    address: Address
    direct_address_type: int
    direct_address: Address
    rssi: int


@dataclass(frozen=True, slots=True)
class LeDirectedAdvertisingReport(LeMetaEvent):
    """HCI_LE_Directed_Advertising_Report (Vol 4 Part E, 7.7.65.11)."""

    SUBEVENT: ClassVar[int] = LeSubevent.LE_DIRECTED_ADVERTISING_REPORT
    reports: tuple[DirectedAdvertisingReport, ...]

    def parameters(self) -> bytes:
        out = bytearray((self.SUBEVENT, len(self.reports)))
        for r in self.reports:
            out += _DIRECT.pack(r.event_type, r.address_type, r.address.value, r.direct_address_type, r.direct_address.value, r.rssi)
        return bytes(out)

    @classmethod
    def from_parameters(cls, params: bytes) -> LeDirectedAdvertisingReport:
        if len(params) < 2 or params[0] != cls.SUBEVENT:
            raise HciDecodeError("LE Directed Advertising Report: no Num_Reports")
        count = params[1]
        if len(params) != 2 + 16 * count:
            raise HciDecodeError(f"LE Directed Advertising Report: {count} report(s) need {2 + 16 * count} bytes, got {len(params)}")
        reports = []
        for i in range(count):
            etype, atype, addr, dtype, daddr, rssi = _DIRECT.unpack_from(params, 2 + 16 * i)
            reports.append(DirectedAdvertisingReport(etype, atype, _address(addr, atype), dtype, _address(daddr, dtype), rssi))
        return cls(tuple(reports))


@dataclass(frozen=True, slots=True)
class LeScanTimeout(LeMetaEvent):
    """HCI_LE_Scan_Timeout (Vol 4 Part E, 7.7.65.17): an extended scan's duration ran out."""

    SUBEVENT: ClassVar[int] = LeSubevent.LE_SCAN_TIMEOUT


@dataclass(frozen=True, slots=True)
class LeAdvertisingSetTerminated(LeMetaEvent):
    """HCI_LE_Advertising_Set_Terminated (Vol 4 Part E, 7.7.65.18): status 0 means a connection was made."""

    SUBEVENT: ClassVar[int] = LeSubevent.LE_ADVERTISING_SET_TERMINATED
    status: Status
    advertising_handle: U8
    connection_handle: U16
    num_completed_extended_advertising_events: U8


@dataclass(frozen=True, slots=True)
class LeScanRequestReceived(LeMetaEvent):
    """HCI_LE_Scan_Request_Received (Vol 4 Part E, 7.7.65.19)."""

    SUBEVENT: ClassVar[int] = LeSubevent.LE_SCAN_REQUEST_RECEIVED
    advertising_handle: U8
    scanner_address: TypedAddress
