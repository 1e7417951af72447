"""Property tests: decode(encode(x)) == x for typed structures, and decode never raises."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aioble_hci.address import Address, AddressType
from aioble_hci.gap.ad import AdvertisingData
from aioble_hci.gap.ad_structures import (
    AdvertisingInterval,
    Appearance,
    Flags,
    LeDeviceAddress,
    LeRoleStructure,
    LocalName,
    ManufacturerData,
    PeripheralConnectionIntervalRange,
    RawStructure,
    ServiceData,
    ServiceSolicitation,
    ServiceUuids,
    TargetAddresses,
    TxPowerLevel,
    Uri,
)
from aioble_hci.gap.ad_types import AdFlags, AdType, LeRole
from aioble_hci.uuid import UUID

KNOWN_TYPES = {int(t) for t in AdType}

uuid16 = st.integers(0, 0xFFFF).map(UUID)
uuid32 = st.binary(min_size=4, max_size=4).map(UUID)
uuid128 = st.binary(min_size=16, max_size=16).map(UUID)
short_bytes = st.binary(max_size=20)
address = st.binary(min_size=6, max_size=6)


def uuid_list(cls: type, **kw: object) -> st.SearchStrategy[object]:
    def sized(size: int, strategy: st.SearchStrategy[UUID]) -> st.SearchStrategy[object]:
        return st.lists(strategy, max_size=3).map(lambda u: cls(tuple(u), size=size, **kw))

    return st.one_of(sized(16, uuid16), sized(32, uuid32), sized(128, uuid128))


structures = st.one_of(
    st.integers(0, 0xFF).map(lambda f: Flags(AdFlags(f))),
    st.builds(LocalName, st.text(max_size=20), st.booleans()),
    st.booleans().flatmap(lambda c: uuid_list(ServiceUuids, complete=c)),
    uuid_list(ServiceSolicitation),
    st.builds(ServiceData, st.one_of(uuid16, uuid32, uuid128), short_bytes),
    st.builds(ManufacturerData, st.integers(0, 0xFFFF), short_bytes),
    st.builds(Appearance, st.integers(0, 0xFFFF)),
    st.builds(TxPowerLevel, st.integers(-128, 127)),
    st.builds(PeripheralConnectionIntervalRange, st.integers(0, 0xFFFF), st.integers(0, 0xFFFF)),
    st.builds(
        Uri,
        st.integers(1, 0x10FFFF).filter(lambda c: not 0xD800 <= c <= 0xDFFF),
        st.text(max_size=20),
    ),
    st.sampled_from(LeRole).map(LeRoleStructure),
    st.booleans().flatmap(
        lambda r: st.lists(address, max_size=3).map(
            lambda a: TargetAddresses(
                tuple(Address(v, AddressType.RANDOM if r else AddressType.PUBLIC) for v in a), r
            )
        )
    ),
    st.builds(AdvertisingInterval, st.integers(0, 0xFFFF)),
    st.builds(
        lambda v, r: LeDeviceAddress(Address(v, AddressType.RANDOM if r else AddressType.PUBLIC)),
        address,
        st.booleans(),
    ),
    st.builds(
        RawStructure, st.integers(0, 0xFF).filter(lambda t: t not in KNOWN_TYPES), short_bytes
    ),
)


@given(st.lists(structures, max_size=8))
def test_decode_of_encode_gives_back_the_same_data_and_structures(items: list[object]) -> None:
    data = AdvertisingData(items)  # type: ignore[arg-type]
    decoded = AdvertisingData.decode(data.encode())
    assert decoded == data
    assert decoded.error is None
    assert decoded.structures == items


@given(st.binary(max_size=300))
@settings(max_examples=300)
def test_decode_never_raises_and_its_fields_reencode_to_a_prefix(raw: bytes) -> None:
    data = AdvertisingData.decode(raw)
    encoded = data.encode()
    assert raw.startswith(encoded)
    if data.error is None:
        assert raw[len(encoded) :].count(0) == len(raw) - len(encoded)
    # Every accessor and the typed view are total too.
    assert len(data.structures) == len(data.fields)
    views = (data.name, data.services, data.manufacturer_data, data.service_data)
    scalars = (data.appearance, data.tx_power, data.flags, data.le_role)
    assert len(views) + len(scalars) == 8


@given(st.lists(structures, max_size=8), st.integers(31, 300))
def test_split_parts_hold_every_field_in_order_within_the_limit(
    items: list[object], limit: int
) -> None:
    data = AdvertisingData(items)  # type: ignore[arg-type]
    try:
        adv, rsp = data.split(limit)
    except ValueError:
        return
    assert adv.encoded_length() <= limit and rsp.encoded_length() <= limit
    assert sorted(adv.fields + rsp.fields) == sorted(data.fields)
