"""Advertising data codec: each AD type round trip, tolerant decoding and placement."""

from __future__ import annotations

import pytest

from aioble_hci.address import Address, AddressType
from aioble_hci.gap.ad import (
    AdvertisingData,
    AdvertisingDataTooLong,
    build_advertising_data,
    decode,
    encode,
)
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
    parse_structure,
)
from aioble_hci.gap.ad_types import EXTENDED_MAX_LENGTH, AdFlags, AdType, LeRole
from aioble_hci.uuid import UUID

UUID128 = UUID("6e400001-b5a3-f393-e0a9-e50e24dcca9e")


def roundtrip(structure: object) -> object:
    data = AdvertisingData([structure])  # type: ignore[list-item]
    (decoded,) = AdvertisingData.decode(data.encode()).structures
    return decoded


@pytest.mark.parametrize(
    "structure, wire",
    [
        (Flags(AdFlags.LE_GENERAL_DISCOVERABLE_MODE | AdFlags.BR_EDR_NOT_SUPPORTED), "020106"),
        (LocalName("MPY"), "04094d5059"),
        (LocalName("MP", complete=False), "03084d50"),
        (ServiceUuids((UUID(0x180F), UUID(0x181A))), "05030f181a18"),
        (ServiceUuids((UUID(0x180F),), complete=False), "03020f18"),
        (ServiceUuids((UUID(0x12345678),)), "050578563412"),
        (ServiceUuids((UUID(0x12345678),), complete=False), "050478563412"),
        (ServiceUuids((UUID128,)), "1107" + UUID128.to_le_bytes().hex()),
        (ServiceUuids((UUID128,), complete=False), "1106" + UUID128.to_le_bytes().hex()),
        (ServiceSolicitation((UUID(0x1812),)), "03141218"),
        (ServiceSolicitation((UUID(0x12345678),)), "051f78563412"),
        (ServiceSolicitation((UUID128,)), "1115" + UUID128.to_le_bytes().hex()),
        (ServiceData(UUID(0xFEAA), b"\x10\x00"), "0516aafe1000"),
        (ServiceData(UUID(0x12345678), b"\x01"), "06207856341201"),
        (ServiceData(UUID128, b"\x01"), "1221" + UUID128.to_le_bytes().hex() + "01"),
        (ManufacturerData(0x004C, b"\x02\x15"), "05ff4c000215"),
        (Appearance(0x03C1), "0319c103"),
        (TxPowerLevel(-8), "020af8"),
        (PeripheralConnectionIntervalRange(0x0018, 0x0028), "0512" + "1800" + "2800"),
        (Uri.from_uri("https://www.bluetooth.com"), "152417" + b"//www.bluetooth.com".hex()),
        (LeRoleStructure(LeRole.PERIPHERAL_PREFERRED), "021c02"),
        (
            TargetAddresses((Address.parse("c0:11:22:33:44:55", AddressType.PUBLIC),)),
            "0717554433221" + "1c0",
        ),
        (
            TargetAddresses((Address.parse("c0:11:22:33:44:55"),), random=True),
            "0718554433221" + "1c0",
        ),
        (AdvertisingInterval(0x0640), "031a4006"),
        (LeDeviceAddress(Address.parse("c0:11:22:33:44:55/random")), "081b554433221" + "1c001"),
        (RawStructure(0x3D, b"\x01\x02"), "033d0102"),
    ],
)
def test_each_ad_type_encodes_to_its_wire_form_and_decodes_back(
    structure: object, wire: str
) -> None:
    assert AdvertisingData([structure]).encode().hex() == wire  # type: ignore[list-item]
    assert roundtrip(structure) == structure


def test_uri_expands_known_scheme_and_keeps_unknown_code_point() -> None:
    assert Uri.from_value(AdType.URI, b"\x17//a.example").uri == "https://a.example"
    unknown = Uri.from_value(AdType.URI, "\u0099rest".encode())
    assert unknown.scheme == 0x99 and unknown.uri is None
    assert roundtrip(unknown) == unknown


def test_uri_without_abbreviation_spells_its_scheme() -> None:
    uri = Uri.from_uri("x-custom:thing")
    assert uri.scheme == 0x01 and uri.uri == "x-custom:thing"
    assert uri.value() == b"\x01x-custom:thing"


def test_uri_scheme_above_0x7f_encodes_as_utf8() -> None:
    uri = Uri.from_uri("bluetooth:device")
    assert uri.scheme == 0xBB and uri.value() == b"\xc2\xbbdevice"
    assert roundtrip(uri) == uri


def test_sixteen_bit_uuid_in_a_128_bit_list_is_widened_over_the_base_uuid() -> None:
    data = ServiceUuids((UUID(0x180F),), size=128).value()
    assert data == UUID(0x180F).to_128_le_bytes()


def test_128_bit_uuid_without_short_form_cannot_go_in_a_16_bit_list() -> None:
    with pytest.raises(ValueError, match="no 16-bit form"):
        ServiceUuids((UUID128,), size=16)


def test_value_longer_than_one_structure_can_hold_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="COMPLETE_LOCAL_NAME value of 255 octets"):
        AdvertisingData([LocalName("x" * 255)])


def test_unknown_ad_type_is_kept_raw() -> None:
    data = decode(bytes.fromhex("03ee0102"))
    assert data.structures == [RawStructure(0xEE, b"\x01\x02")]
    assert data.encode() == bytes.fromhex("03ee0102")


def test_malformed_value_of_known_type_is_kept_raw_with_its_problem() -> None:
    (structure,) = decode(bytes.fromhex("0203" + "0f")).structures  # odd 16-bit UUID list
    assert isinstance(structure, RawStructure)
    assert structure.data == b"\x0f" and "multiple of 2" in (structure.problem or "")


def test_invalid_utf8_name_is_kept_raw_but_name_accessor_replaces() -> None:
    data = decode(bytes.fromhex("0309ff41"))
    assert isinstance(data.structures[0], RawStructure)
    assert data.name == "\ufffdA"


def test_length_running_past_the_end_keeps_valid_prefix_and_flags_error() -> None:
    data = decode(bytes.fromhex("020106" + "0a09414243"))
    assert data.fields == ((AdType.FLAGS, b"\x06"),)
    assert data.error is not None and "offset 3" in data.error


def test_zero_length_padding_ends_the_data_without_error() -> None:
    data = decode(bytes.fromhex("020106") + bytes(28))
    assert data.fields == ((AdType.FLAGS, b"\x06"),) and data.error is None


def test_data_after_a_zero_length_octet_is_flagged() -> None:
    data = decode(bytes.fromhex("020106" + "00" + "03094142"))
    assert data.fields == ((AdType.FLAGS, b"\x06"),)
    assert data.error is not None and "zero length" in data.error


def test_empty_payload_decodes_to_nothing() -> None:
    data = decode(b"")
    assert data.fields == () and data.error is None and not data


def test_structure_with_only_a_type_octet_has_an_empty_value() -> None:
    data = decode(bytes.fromhex("0109"))
    assert data.name == "" and data.structures == [LocalName("")]


def test_accessors_read_a_full_payload() -> None:
    payload = AdvertisingData(
        [
            Flags(AdFlags.LE_GENERAL_DISCOVERABLE_MODE),
            ServiceUuids((UUID128,)),
            ServiceUuids((UUID(0x180F), UUID(0x181A))),
            ServiceUuids((UUID(0x32314241),)),
            LocalName("sensor"),
            Appearance(0x0340),
            TxPowerLevel(4),
            ManufacturerData(0x0059, b"\x01\x02"),
            ManufacturerData(0x004C, b"\x03"),
            ServiceData(UUID(0x181A), b"\x2a"),
            LeRoleStructure(LeRole.ONLY_PERIPHERAL),
        ]
    )
    data = decode(payload.encode())
    assert data.flags == AdFlags.LE_GENERAL_DISCOVERABLE_MODE
    assert data.name == "sensor"
    assert data.services == [UUID(0x180F), UUID(0x181A), UUID(0x32314241), UUID128]
    assert data.appearance == 0x0340 and data.tx_power == 4
    assert data.manufacturer_data == {0x0059: b"\x01\x02", 0x004C: b"\x03"}
    assert list(data.manufacturer(0x004C)) == [(0x004C, b"\x03")]
    assert data.service_data == {UUID(0x181A): b"\x2a"}
    assert data.le_role == LeRole.ONLY_PERIPHERAL


def test_accessors_are_none_when_absent() -> None:
    data = decode(b"")
    assert (data.name, data.flags, data.appearance, data.tx_power, data.le_role) == (None,) * 5
    assert data.services == [] and data.manufacturer_data == {} and data.service_data == {}


def test_advertising_and_scan_response_combine_in_order() -> None:
    adv = decode(encode([ServiceUuids((UUID(0x1234),))]))
    rsp = decode(encode([ServiceUuids((UUID(0x5678),)), LocalName("late")]))
    both = adv + rsp
    assert both.services == [UUID(0x1234), UUID(0x5678)] and both.name == "late"


def test_parse_structure_never_raises_on_short_values() -> None:
    for ad_type in range(256):
        structure = parse_structure(ad_type, b"")
        assert structure.ad_type == ad_type and structure.value() == b""


def test_split_keeps_everything_in_advertising_data_when_it_fits() -> None:
    data = AdvertisingData([Flags(), LocalName("x" * 26)])  # 3 + 28 = 31 octets
    adv, rsp = data.split()
    assert adv == data and not rsp and len(adv.encode()) == 31


def test_split_overflows_a_field_into_the_scan_response() -> None:
    data = AdvertisingData([Flags(), ServiceUuids((UUID128,)), LocalName("a-long-device-name")])
    adv, rsp = data.split()
    assert adv.structures == [Flags(), ServiceUuids((UUID128,))]
    assert rsp.structures == [LocalName("a-long-device-name")]


def test_split_lets_a_later_small_field_back_into_advertising_data() -> None:
    data = AdvertisingData(
        [Flags(), ServiceUuids((UUID128,)), LocalName("n" * 20), Appearance(0x0340)]
    )
    adv, rsp = data.split()
    assert adv.appearance == 0x0340 and rsp.name == "n" * 20


def test_split_error_names_the_field_that_fits_nowhere() -> None:
    data = AdvertisingData(
        [LocalName("n" * 29), ManufacturerData(0x0059, bytes(28)), Appearance(1)]
    )
    with pytest.raises(AdvertisingDataTooLong, match="MANUFACTURER_SPECIFIC_DATA"):
        data.split()


def test_split_with_the_extended_maximum_holds_long_data() -> None:
    data = AdvertisingData([ManufacturerData(0x0059, bytes(250)) for _ in range(6)])
    adv, rsp = data.split(EXTENDED_MAX_LENGTH)
    assert adv == data and not rsp


def test_split_with_a_strict_aioble_style_limit_of_30() -> None:
    data = AdvertisingData([Flags(), LocalName("x" * 26)])  # exactly 31 octets
    adv, rsp = data.split(30)
    assert adv.structures == [Flags()] and rsp.structures == [LocalName("x" * 26)]


def test_equal_payloads_compare_equal_and_hash_alike() -> None:
    a = decode(bytes.fromhex("020106"))
    b = AdvertisingData([Flags(AdFlags(0x06))])
    assert a == b and hash(a) == hash(b)


def test_repr_names_the_types() -> None:
    assert "COMPLETE_LOCAL_NAME" in repr(AdvertisingData([LocalName("x")]))


def test_build_groups_services_by_size_after_flags_and_before_the_name() -> None:
    data = build_advertising_data(
        services=[UUID(0x180F), UUID128, UUID(0x12345678), UUID(0x181A)],
        name="MPY",
        appearance=0x0340,
        manufacturer=[(0x0059, b"\x01")],
    )
    assert data.structures == [
        Flags(AdFlags.LE_GENERAL_DISCOVERABLE_MODE | AdFlags.BR_EDR_NOT_SUPPORTED),
        ServiceUuids((UUID(0x180F), UUID(0x181A))),
        ServiceUuids((UUID(0x12345678),)),
        ServiceUuids((UUID128,)),
        LocalName("MPY"),
        Appearance(0x0340),
        ManufacturerData(0x0059, b"\x01"),
    ]


def test_build_without_flags_for_scan_response_data() -> None:
    data = build_advertising_data(
        flags=None, name="x", tx_power=0, service_data=[(UUID(0xFEAA), b"\x10")]
    )
    assert data.structures == [LocalName("x"), TxPowerLevel(0), ServiceData(UUID(0xFEAA), b"\x10")]
