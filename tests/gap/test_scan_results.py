"""Merging advertising reports into per-device scan entries."""

from __future__ import annotations

import pytest

from aioble_hci.address import Address
from aioble_hci.gap.ad import encode
from aioble_hci.gap.ad_structures import Flags, LocalName, ManufacturerData, ServiceUuids
from aioble_hci.gap.scan_results import (
    AdvertisingReport,
    DataStatus,
    LegacyEventType,
    ScanMerger,
    ScanReport,
)
from aioble_hci.uuid import UUID

A = Address.parse("c0:00:00:00:00:01/random")
B = Address.parse("c0:00:00:00:00:02/random")
ADV = encode([Flags(), ServiceUuids((UUID(0x181A),))])
RSP = encode([LocalName("sensor")])


def legacy(event: LegacyEventType, data: bytes = ADV, rssi: int = -40, addr: Address = A):
    return AdvertisingReport.from_legacy(addr, event, rssi, data)


def extended(event_type: int, data: bytes, sid: int = 1, rssi: int = -40) -> AdvertisingReport:
    return AdvertisingReport.from_extended(A, event_type, rssi, data, sid=sid, tx_power=4)


def test_first_report_of_a_device_creates_its_entry() -> None:
    entry = ScanMerger().feed(legacy(LegacyEventType.ADV_IND), now=1.0)
    assert isinstance(entry, ScanReport)
    assert (entry.address, entry.adv_data, entry.rssi, entry.connectable) == (A, ADV, -40, True)
    assert entry.first_seen == entry.last_seen == 1.0 and entry.count == 1


def test_scan_response_merges_with_advertising_data() -> None:
    merger = ScanMerger()
    merger.feed(legacy(LegacyEventType.ADV_IND))
    entry = merger.feed(legacy(LegacyEventType.SCAN_RSP, RSP))
    assert entry is not None and entry.adv_data == ADV and entry.scan_response == RSP
    assert entry.name == "sensor" and entry.services == [UUID(0x181A)]


def test_scan_response_before_advertising_data_is_kept() -> None:
    merger = ScanMerger()
    merger.feed(legacy(LegacyEventType.SCAN_RSP, RSP))
    entry = merger.feed(legacy(LegacyEventType.ADV_SCAN_IND))
    assert entry is not None and entry.scan_response == RSP and entry.adv_data == ADV


def test_identical_report_is_a_duplicate() -> None:
    merger = ScanMerger()
    merger.feed(legacy(LegacyEventType.ADV_IND))
    assert merger.feed(legacy(LegacyEventType.ADV_IND)) is None


def test_rssi_only_change_is_a_duplicate_but_recorded() -> None:
    merger = ScanMerger()
    merger.feed(legacy(LegacyEventType.ADV_IND))
    assert merger.feed(legacy(LegacyEventType.ADV_IND, rssi=-70), now=5.0) is None
    entry = merger.get(A)
    assert entry is not None and entry.rssi == -70 and entry.last_seen == 5.0 and entry.count == 2


def test_without_duplicate_filtering_every_report_yields_the_entry() -> None:
    merger = ScanMerger(filter_duplicates=False)
    merger.feed(legacy(LegacyEventType.ADV_IND))
    entry = merger.feed(legacy(LegacyEventType.ADV_IND, rssi=-70))
    assert entry is not None and entry.rssi == -70


def test_changed_advertising_data_is_reported() -> None:
    merger = ScanMerger()
    merger.feed(legacy(LegacyEventType.ADV_IND))
    other = encode([Flags(), LocalName("renamed")])
    entry = merger.feed(legacy(LegacyEventType.ADV_IND, other))
    assert entry is not None and entry.name == "renamed"


def test_connectable_follows_the_advertising_pdu_type() -> None:
    merger = ScanMerger()
    merger.feed(legacy(LegacyEventType.ADV_IND))
    entry = merger.feed(legacy(LegacyEventType.ADV_NONCONN_IND))
    assert entry is not None and not entry.connectable


def test_scan_response_does_not_change_connectable() -> None:
    merger = ScanMerger()
    merger.feed(legacy(LegacyEventType.ADV_IND))
    entry = merger.feed(legacy(LegacyEventType.SCAN_RSP, RSP))
    assert entry is not None and entry.connectable


def test_empty_scan_response_keeps_the_previous_one() -> None:
    merger = ScanMerger()
    merger.feed(legacy(LegacyEventType.SCAN_RSP, RSP))
    assert merger.feed(legacy(LegacyEventType.SCAN_RSP, b"")) is None
    entry = merger.get(A)
    assert entry is not None and entry.scan_response == RSP


def test_directed_advertising_keeps_the_advertising_data() -> None:
    merger = ScanMerger()
    merger.feed(legacy(LegacyEventType.ADV_NONCONN_IND))
    entry = merger.feed(legacy(LegacyEventType.ADV_DIRECT_IND, b""))
    assert entry is not None and entry.connectable and entry.adv_data == ADV


def test_devices_are_kept_apart_by_address() -> None:
    merger = ScanMerger()
    merger.feed(legacy(LegacyEventType.ADV_IND))
    merger.feed(legacy(LegacyEventType.SCAN_RSP, RSP, addr=B))
    assert [e.address for e in merger.devices] == [A, B]
    entry_a = merger.get(A)
    assert entry_a is not None and entry_a.scan_response is None


def test_least_recently_heard_device_is_dropped_at_the_limit() -> None:
    merger = ScanMerger(max_devices=2)
    third = Address.parse("c0:00:00:00:00:03/random")
    merger.feed(legacy(LegacyEventType.ADV_IND, addr=A))
    merger.feed(legacy(LegacyEventType.ADV_IND, addr=B))
    merger.feed(legacy(LegacyEventType.ADV_IND, rssi=-41, addr=A))  # A heard again
    merger.feed(legacy(LegacyEventType.ADV_IND, addr=third))
    assert [e.address for e in merger.devices] == [A, third]


def test_expire_drops_devices_not_heard_recently() -> None:
    merger = ScanMerger()
    merger.feed(legacy(LegacyEventType.ADV_IND, addr=A), now=0.0)
    merger.feed(legacy(LegacyEventType.ADV_IND, addr=B), now=8.0)
    gone = merger.expire(now=10.0, max_age=5.0)
    assert [e.address for e in gone] == [A] and len(merger) == 1


def test_extended_fragments_are_reassembled() -> None:
    long_data = encode([ManufacturerData(0x0059, bytes(range(200)))]) + encode(
        [LocalName("x" * 60)]
    )
    merger = ScanMerger()
    first, rest = long_data[:229], long_data[229:]
    more = 0x01 | DataStatus.INCOMPLETE_MORE_TO_COME << 5
    assert merger.feed(extended(more, first)) is None
    entry = merger.feed(extended(0x01, rest))
    assert entry is not None and entry.adv_data == long_data and entry.name == "x" * 60
    assert not entry.legacy and entry.tx_power == 4 and not entry.truncated


def test_fragments_of_different_sets_do_not_mix() -> None:
    merger = ScanMerger()
    more = DataStatus.INCOMPLETE_MORE_TO_COME << 5
    merger.feed(extended(more, b"\x02\x01", sid=1))
    merger.feed(extended(more, b"\x03\x09", sid=2))
    entry = merger.feed(extended(0, b"\x06", sid=1))
    assert entry is not None and entry.adv_data == b"\x02\x01\x06"


def test_truncated_extended_data_is_delivered_and_marked() -> None:
    merger = ScanMerger()
    entry = merger.feed(extended(DataStatus.INCOMPLETE_TRUNCATED << 5, b"\x05\x09ab"))
    assert entry is not None and entry.truncated and entry.data.error is not None


def test_pending_fragments_are_bounded_and_an_evicted_chain_is_dropped_whole() -> None:
    """At most max_pending_fragments chains wait; the oldest is dropped first, and its later
    fragments (down to the one ending it) are dropped too, never taken for a chain of their own."""
    merger = ScanMerger(max_pending_fragments=2)
    more = DataStatus.INCOMPLETE_MORE_TO_COME << 5
    for sid in range(3):
        merger.feed(extended(more, bytes([sid]), sid=sid))
    assert merger.feed(extended(0, b"", sid=0)) is None  # sid 0's first fragment was dropped
    entry = merger.feed(extended(0, b"\x02\x01\x06", sid=0))  # the next chain of sid 0 is whole
    assert entry is not None and entry.adv_data == b"\x02\x01\x06"


def _chain(total: int, fragment: int = 250) -> list[bytes]:
    data = bytes(i % 251 for i in range(total))
    return [data[i:i + fragment] for i in range(0, total, fragment)]


@pytest.mark.parametrize("total", [1651, 1750, 2000])
def test_extended_chain_over_1650_octets_is_dropped_whole(total: int) -> None:
    """Vol 6 Part B 2.3.4.9: a set's advertising data is at most 1650 octets; Vol 4 Part E 7.7.65.13:
    a chain is the fragments "incomplete, more to come" and the one that ends it. A chain that
    grows past 1650 octets is invalid: no part of it, not even its tail, becomes a report."""
    merger = ScanMerger()
    more = 0x01 | DataStatus.INCOMPLETE_MORE_TO_COME << 5
    *heads, tail = _chain(total)
    assert [merger.feed(extended(more, part)) for part in heads] == [None] * len(heads)
    assert merger.feed(extended(0x01, tail)) is None
    assert merger.get(A) is None
    entry = merger.feed(extended(0x01, ADV))  # the advertiser's next, valid, report is taken
    assert entry is not None and entry.adv_data == ADV


def test_extended_chain_of_exactly_1650_octets_is_delivered() -> None:
    """Vol 6 Part B 2.3.4.9: 1650 octets is the maximum, so a chain of exactly that size is valid."""
    merger = ScanMerger()
    more = 0x01 | DataStatus.INCOMPLETE_MORE_TO_COME << 5
    *heads, tail = _chain(1650)
    for part in heads:
        merger.feed(extended(more, part))
    entry = merger.feed(extended(0x01, tail))
    assert entry is not None and entry.adv_data == b"".join(_chain(1650))


def test_extended_legacy_pdu_maps_to_its_legacy_event_type() -> None:
    scan_rsp_to_adv_ind = 0b0011011
    report = AdvertisingReport.from_extended(A, scan_rsp_to_adv_ind, -40, RSP)
    assert report.legacy and report.legacy_event_type == LegacyEventType.SCAN_RSP
    assert AdvertisingReport.from_extended(A, 0b0010011, -40, b"").legacy_event_type == 0


def test_rssi_not_available_is_none() -> None:
    report = AdvertisingReport.from_legacy(A, LegacyEventType.ADV_IND, 127, b"")
    assert report.rssi is None


def test_unknown_legacy_event_type_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="event type 0x7"):
        AdvertisingReport.from_legacy(A, 7, -40, b"")


def test_entry_summary_is_json_ready() -> None:
    merger = ScanMerger()
    merger.feed(legacy(LegacyEventType.ADV_IND))
    entry = merger.feed(legacy(LegacyEventType.SCAN_RSP, RSP))
    assert entry is not None
    summary = entry.as_dict()
    assert summary["address"] == "c0:00:00:00:00:01" and summary["name"] == "sensor"
    assert summary["services"] == ["0x181A"] and summary["connectable"] is True
