"""Advertising data type numbers and the small enums their values use.

AD type values come from the Assigned Numbers document (section 2.3, "Common Data Types");
their formats from the Core Specification Supplement (CSS) Part A.
"""

from __future__ import annotations

from enum import IntEnum, IntFlag

LEGACY_MAX_LENGTH = 31
"""Legacy advertising and scan response data hold at most 31 octets (Core Vol 4 Part E, 7.8.7)."""

EXTENDED_MAX_LENGTH = 1650
"""Extended advertising data hold at most 1650 octets (Core Vol 4 Part E, 7.8.54)."""

MAX_VALUE_LENGTH = 254
"""An AD structure's length octet counts the type octet too, so a value holds at most 254 octets."""


class AdType(IntEnum):
    """AD types (Assigned Numbers 2.3), named as the spec names them."""

    FLAGS = 0x01
    INCOMPLETE_LIST_OF_16_BIT_SERVICE_UUIDS = 0x02
    COMPLETE_LIST_OF_16_BIT_SERVICE_UUIDS = 0x03
    INCOMPLETE_LIST_OF_32_BIT_SERVICE_UUIDS = 0x04
    COMPLETE_LIST_OF_32_BIT_SERVICE_UUIDS = 0x05
    INCOMPLETE_LIST_OF_128_BIT_SERVICE_UUIDS = 0x06
    COMPLETE_LIST_OF_128_BIT_SERVICE_UUIDS = 0x07
    SHORTENED_LOCAL_NAME = 0x08
    COMPLETE_LOCAL_NAME = 0x09
    TX_POWER_LEVEL = 0x0A
    CLASS_OF_DEVICE = 0x0D
    SIMPLE_PAIRING_HASH_C192 = 0x0E
    SIMPLE_PAIRING_RANDOMIZER_R192 = 0x0F
    DEVICE_ID = 0x10
    SECURITY_MANAGER_OUT_OF_BAND_FLAGS = 0x11
    PERIPHERAL_CONNECTION_INTERVAL_RANGE = 0x12
    LIST_OF_16_BIT_SERVICE_SOLICITATION_UUIDS = 0x14
    LIST_OF_128_BIT_SERVICE_SOLICITATION_UUIDS = 0x15
    SERVICE_DATA_16_BIT_UUID = 0x16
    PUBLIC_TARGET_ADDRESS = 0x17
    RANDOM_TARGET_ADDRESS = 0x18
    APPEARANCE = 0x19
    ADVERTISING_INTERVAL = 0x1A
    LE_BLUETOOTH_DEVICE_ADDRESS = 0x1B
    LE_ROLE = 0x1C
    SIMPLE_PAIRING_HASH_C256 = 0x1D
    SIMPLE_PAIRING_RANDOMIZER_R256 = 0x1E
    LIST_OF_32_BIT_SERVICE_SOLICITATION_UUIDS = 0x1F
    SERVICE_DATA_32_BIT_UUID = 0x20
    SERVICE_DATA_128_BIT_UUID = 0x21
    LE_SECURE_CONNECTIONS_CONFIRMATION_VALUE = 0x22
    LE_SECURE_CONNECTIONS_RANDOM_VALUE = 0x23
    URI = 0x24
    INDOOR_POSITIONING = 0x25
    TRANSPORT_DISCOVERY_DATA = 0x26
    LE_SUPPORTED_FEATURES = 0x27
    CHANNEL_MAP_UPDATE_INDICATION = 0x28
    PB_ADV = 0x29
    MESH_MESSAGE = 0x2A
    MESH_BEACON = 0x2B
    BIGINFO = 0x2C
    BROADCAST_CODE = 0x2D
    RESOLVABLE_SET_IDENTIFIER = 0x2E
    ADVERTISING_INTERVAL_LONG = 0x2F
    BROADCAST_NAME = 0x30
    ENCRYPTED_ADVERTISING_DATA = 0x31
    PERIODIC_ADVERTISING_RESPONSE_TIMING_INFORMATION = 0x32
    ELECTRONIC_SHELF_LABEL = 0x34
    THREE_D_INFORMATION_DATA = 0x3D
    MANUFACTURER_SPECIFIC_DATA = 0xFF


def ad_type_name(ad_type: int) -> str:
    """The spec name of an AD type, or its hex value when unassigned."""
    try:
        return AdType(ad_type).name
    except ValueError:
        return f"AD_TYPE_0x{ad_type:02X}"


class AdFlags(IntFlag):
    """Bits of the Flags AD type (CSS Part A, 1.3)."""

    LE_LIMITED_DISCOVERABLE_MODE = 0x01
    LE_GENERAL_DISCOVERABLE_MODE = 0x02
    BR_EDR_NOT_SUPPORTED = 0x04
    SIMULTANEOUS_LE_AND_BR_EDR_CONTROLLER = 0x08
    SIMULTANEOUS_LE_AND_BR_EDR_HOST = 0x10


class LeRole(IntEnum):
    """Values of the LE Role AD type (CSS Part A, 1.17)."""

    ONLY_PERIPHERAL = 0x00
    ONLY_CENTRAL = 0x01
    PERIPHERAL_PREFERRED = 0x02
    CENTRAL_PREFERRED = 0x03


URI_SCHEMES: dict[int, str] = {
    0x01: "",
    0x09: "coap:",
    0x0A: "coaps:",
    0x0C: "data:",
    0x10: "file:",
    0x11: "ftp:",
    0x12: "geo:",
    0x16: "http:",
    0x17: "https:",
    0x26: "mailto:",
    0x45: "tel:",
    0x4E: "urn:",
    0x50: "ws:",
    0x51: "wss:",
    0xBB: "bluetooth:",
}
"""URI scheme code points (Assigned Numbers 2.7) this host expands; others are kept as numbers.

0x01 means "no scheme abbreviation": the scheme is spelt out in the text that follows.
"""

# Service UUID list AD types by (UUID size in bits, complete).
SERVICE_UUID_LIST_TYPES: dict[tuple[int, bool], AdType] = {
    (16, False): AdType.INCOMPLETE_LIST_OF_16_BIT_SERVICE_UUIDS,
    (16, True): AdType.COMPLETE_LIST_OF_16_BIT_SERVICE_UUIDS,
    (32, False): AdType.INCOMPLETE_LIST_OF_32_BIT_SERVICE_UUIDS,
    (32, True): AdType.COMPLETE_LIST_OF_32_BIT_SERVICE_UUIDS,
    (128, False): AdType.INCOMPLETE_LIST_OF_128_BIT_SERVICE_UUIDS,
    (128, True): AdType.COMPLETE_LIST_OF_128_BIT_SERVICE_UUIDS,
}
SOLICITATION_TYPES: dict[int, AdType] = {
    16: AdType.LIST_OF_16_BIT_SERVICE_SOLICITATION_UUIDS,
    32: AdType.LIST_OF_32_BIT_SERVICE_SOLICITATION_UUIDS,
    128: AdType.LIST_OF_128_BIT_SERVICE_SOLICITATION_UUIDS,
}
SERVICE_DATA_TYPES: dict[int, AdType] = {
    16: AdType.SERVICE_DATA_16_BIT_UUID,
    32: AdType.SERVICE_DATA_32_BIT_UUID,
    128: AdType.SERVICE_DATA_128_BIT_UUID,
}
