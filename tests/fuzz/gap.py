"""GAP harnesses: the advertising-data codec and the scan report merger.

AD: `AdvertisingData.decode` never raises, every typed view and accessor works on what it
returned, and well-formed data re-encodes to the same fields. Scan: LE (Extended) Advertising
Report events decoded by `parse_event` (HciDecodeError allowed) and fed to `ScanMerger` keep it
within its device and fragment bounds, with no entry longer than extended data allows (H1).
"""

from __future__ import annotations

import json

from aioble_hci.gap.ad import AdvertisingData
from aioble_hci.gap.ad_types import EXTENDED_MAX_LENGTH
from aioble_hci.gap.scan_results import AdvertisingReport, ScanMerger
from aioble_hci.hci.errors import HciDecodeError
from aioble_hci.hci.events import LeAdvertisingReport, LeExtendedAdvertisingReport, parse_event

from .data import FuzzInput, chunks
from .harness import Harness


def gap_ad_one_input(data: bytes) -> None:
    ad = AdvertisingData.decode(data)
    structures = ad.structures
    assert len(structures) == len(ad.fields)
    repr(ad)
    for structure in structures:
        repr(structure)
    _ = (ad.name, ad.services, ad.manufacturer_data, ad.service_data, ad.appearance,
         ad.tx_power, ad.flags, ad.le_role)
    assert sum(len(v) + 2 for _, v in ad.fields) <= len(data)
    if ad.error is None:
        again = AdvertisingData.decode(ad.encode())
        assert again.fields == ad.fields, (again.fields, ad.fields)


AD_SEEDS = {
    "H1-length-past-end": b"\x1f\x09abc",
    "zero-length-then-data": b"\x02\x01\x06\x00\x05",
    "name-invalid-utf8": b"\x03\x09\xff\xfe",
    "ragged-uuid16-list": b"\x04\x03\x0f\x18\x0a",
    "service-data-short": b"\x02\x16\x0f",
    "manufacturer-1-octet": b"\x02\xff\x4c",
    "flags-empty": b"\x01\x01",
    "tx-power-2-octets": b"\x03\x0a\x01\x02",
    "uuid128-list-short": b"\x10\x07" + bytes(15),
    "le-role-reserved": b"\x02\x1c\x09",
}

MAX_DEVICES = 8
MAX_FRAGMENTS = 4


def scan_event(chunk: bytes) -> bytes:
    """An LE Meta event around `chunk`: bit 0 of its first octet picks legacy/extended."""
    subevent = 0x0D if chunk[:1] and chunk[0] & 1 else 0x02
    params = bytes((subevent,)) + chunk[1:254]
    return bytes((0x3E, len(params))) + params


def gap_scan_one_input(data: bytes) -> None:
    src = FuzzInput(data)
    merger = ScanMerger(max_devices=MAX_DEVICES, filter_duplicates=bool(src.u8() & 1),
                        max_pending_fragments=MAX_FRAGMENTS)
    now = 0.0
    for chunk in src.chunks():
        now += 0.1
        try:
            event = parse_event(scan_event(chunk))
        except HciDecodeError:
            continue
        reports: list[AdvertisingReport] = []
        if isinstance(event, LeAdvertisingReport):
            for r in event.reports:
                try:
                    reports.append(AdvertisingReport.from_legacy(r.address, r.event_type, r.rssi, r.data))
                except ValueError:
                    pass  # unknown legacy event type: documented refusal
        elif isinstance(event, LeExtendedAdvertisingReport):
            for e in event.reports:
                reports.append(AdvertisingReport.from_extended(
                    e.address, e.event_type, e.rssi, e.data, tx_power=e.tx_power,
                    sid=e.advertising_sid, primary_phy=e.primary_phy, secondary_phy=e.secondary_phy))
        for report in reports:
            entry = merger.feed(report, now)
            if entry is not None:
                json.dumps(entry.as_dict())
        assert len(merger) <= MAX_DEVICES
        assert len(merger._fragments) <= MAX_FRAGMENTS
        for entry in merger.devices:
            assert len(entry.adv_data or b"") <= EXTENDED_MAX_LENGTH + 255
            assert len(entry.scan_response or b"") <= EXTENDED_MAX_LENGTH + 255
    merger.expire(now + 100, 10)
    assert len(merger) == 0


def _legacy(event_type: int, data: bytes, data_length: int | None = None, device: int = 1) -> bytes:
    n = len(data) if data_length is None else data_length
    address = bytes((device, 2, 3, 4, 5, 6))
    return b"\x00\x01" + bytes((event_type, 0)) + address + bytes((n,)) + data + b"\xc0"


def _extended(event_type: int, data: bytes, sid: int = 1) -> bytes:
    body = event_type.to_bytes(2, "little") + b"\x01" + bytes(range(1, 7)) + b"\x01\x02" + bytes((sid,))
    body += b"\x7f\xc0\x00\x00\x00" + bytes(6) + bytes((len(data),)) + data
    return b"\x01\x01" + body


SCAN_SEEDS = {
    "H1-legacy-data-length-lies": b"\x01" + chunks(_legacy(0, b"\x02\x01\x06", 0xF0)),
    "H1-legacy-32-octets": b"\x01" + chunks(_legacy(0, bytes(32))),
    "H1-count-lies": b"\x01" + chunks(b"\x00\x09" + _legacy(0, b"")[2:]),
    "legacy-adv-and-scan-rsp": b"\x01" + chunks(_legacy(0, b"\x02\x01\x06"), _legacy(4, b"\x03\x09ab")),
    "extended-fragments": b"\x01" + chunks(_extended(0x20, bytes(200)), _extended(0x20, bytes(200)), _extended(0x00, b"\x02\x01\x06")),
    "extended-fragments-never-end": b"\x00" + chunks(*[_extended(0x20, bytes(220), sid) for sid in range(8)]),
    "many-devices": b"\x00" + chunks(*[_legacy(0, b"\x02\x01\x06", device=i) for i in range(12)]),
}

HARNESSES = [
    Harness("gap_ad", "aioble_hci.gap.ad.AdvertisingData.decode + accessors", gap_ad_one_input, "none", AD_SEEDS),
    Harness("gap_scan", "parse_event -> AdvertisingReport -> aioble_hci.gap.scan_results.ScanMerger",
            gap_scan_one_input, "HciDecodeError, ValueError (unknown legacy type)", SCAN_SEEDS),
]
