"""The Database Hash known-answer test: the Core specification's example database (Vol 3 Part G,
7.3 and Appendix B), built through our GATT model, hashes to the published value.

The example: GAP (Device Name read/write, Appearance), GATT (Service Changed with its CCCD,
Client Supported Features, Database Hash), a Glucose primary service including a secondary
Battery service, with a characteristic carrying a CCCD and an Extended Properties descriptor.
"""

from __future__ import annotations

from aioble_hci.att.gatt import (
    CHARACTERISTIC_EXTENDED_PROPERTIES,
    Characteristic,
    Descriptor,
    Service,
    build_database,
    gap_service,
    gatt_service,
)
from aioble_hci.att.gatt import CharacteristicProperties as P
from aioble_hci.att.hash import database_hash, database_hash_number, hash_input
from aioble_hci.uuid import UUID

GLUCOSE_SERVICE = UUID(0x1808)
BATTERY_SERVICE = UUID(0x180F)
GLUCOSE_MEASUREMENT = UUID(0x2A18)
BATTERY_LEVEL = UUID(0x2A19)

# M of Vol 3 Part G 7.3.1 for the example (111 octets), attribute by attribute.
SPEC_MESSAGE = bytes.fromhex(
    "0100 0028 0018"  # 0x0001 primary service GAP
    "0200 0328 0a 0300 002a"  # 0x0002 Device Name declaration (read, write)
    "0400 0328 02 0500 012a"  # 0x0004 Appearance declaration (read)
    "0600 0028 0118"  # 0x0006 primary service GATT
    "0700 0328 20 0800 052a"  # 0x0007 Service Changed declaration (indicate)
    "0900 0229"  # 0x0009 its CCCD: handle and type only
    "0a00 0328 0a 0b00 292b"  # 0x000A Client Supported Features declaration (read, write)
    "0c00 0328 02 0d00 2a2b"  # 0x000C Database Hash declaration (read)
    "0e00 0028 0818"  # 0x000E primary service Glucose
    "0f00 0228 1400 1600 0f18"  # 0x000F include: Battery 0x0014-0x0016
    "1000 0328 a2 1100 182a"  # 0x0010 Glucose Measurement declaration (read, indicate, extended)
    "1200 0229"  # 0x0012 its CCCD
    "1300 0029 0000"  # 0x0013 Extended Properties with its value
    "1400 0128 0f18"  # 0x0014 secondary service Battery
    "1500 0328 02 1600 192a"  # 0x0015 Battery Level declaration (read)
    .replace(" ", "")
)
SPEC_HASH = bytes.fromhex("F1CA2D48ECF58BAC8A8830BBB9FBA990")
"""The example's hash as the specification prints the 128-bit number (most significant octet first)."""
SPEC_HASH_ON_AIR = bytes.fromhex("90A9FBB9BB30888AAC8BF5EC482DCAF1")
"""The same value as the Database Hash characteristic carries it: ATT values are little-endian
(Vol 3 Part F 3.3.1), as Bumble and Zephyr send it."""


def spec_example_services() -> list[Service]:
    """The example database as services, in handle order."""
    battery = Service(BATTERY_SERVICE, [Characteristic(BATTERY_LEVEL, P.READ)], primary=False)
    measurement = Characteristic(
        GLUCOSE_MEASUREMENT, P.READ | P.INDICATE | P.EXTENDED_PROPERTIES,
        descriptors=[Descriptor(CHARACTERISTIC_EXTENDED_PROPERTIES, value=b"\x00\x00")],
    )
    glucose = Service(GLUCOSE_SERVICE, [measurement], includes=[battery])
    return [
        gap_service("example", device_name_writable=True),
        gatt_service(database_hash=True, client_supported_features=True),
        glucose,
        battery,
    ]


def test_spec_example_message_is_111_octets() -> None:
    assert len(SPEC_MESSAGE) == 111


def test_spec_example_database_gives_the_specs_hash_input() -> None:
    assert hash_input(build_database(spec_example_services())) == SPEC_MESSAGE


def test_spec_example_database_hashes_to_the_published_value() -> None:
    assert database_hash_number(build_database(spec_example_services())) == SPEC_HASH


def test_database_hash_value_is_the_published_hash_least_significant_octet_first() -> None:
    """Vol 3 Part F 3.3.1 (multi-octet values are little-endian) and Part G 7.3: the characteristic
    value of the example database is 90 A9 FB B9 ... 2D CA F1."""
    value = database_hash(build_database(spec_example_services()))
    assert value == SPEC_HASH_ON_AIR
    assert value[0] == 0x90 and value[-1] == 0xF1
