"""HCI numbers with the Core Specification's names.

Opcodes (Vol 4 Part E, 7), event codes and LE sub-event codes (Vol 4 Part E, 7.7),
error codes (Vol 1 Part F, 1.3), LE feature bits (Vol 6 Part B, 4.6), the
Supported_Commands bit table (Vol 4 Part E, 6.27), and the
assigned-numbers tables a host prints about its controller (company
identifiers, HCI versions).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any


def _ogf_ocf(ogf: int, ocf: int) -> int:
    """An opcode is OGF in the top 6 bits, OCF in the low 10 (Vol 4 Part E, 5.4.1)."""
    return (ogf << 10) | ocf


OGF_LINK_CONTROL = 0x01
OGF_CONTROLLER_AND_BASEBAND = 0x03
OGF_INFORMATIONAL = 0x04
OGF_STATUS = 0x05
OGF_LE = 0x08
OGF_VENDOR = 0x3F


class OpCode(IntEnum):
    """HCI command opcodes (Vol 4 Part E, 7.1-7.8) and the Zephyr vendor commands."""

    # Link Control (OGF 0x01), Vol 4 Part E 7.1
    DISCONNECT = 0x0406
    READ_REMOTE_VERSION_INFORMATION = 0x041D
    # Link Policy (OGF 0x02), 7.2
    WRITE_DEFAULT_LINK_POLICY_SETTINGS = 0x080F
    # Controller & Baseband (OGF 0x03), 7.3
    SET_EVENT_MASK = 0x0C01
    RESET = 0x0C03
    WRITE_LOCAL_NAME = 0x0C13
    READ_LOCAL_NAME = 0x0C14
    WRITE_PAGE_TIMEOUT = 0x0C18
    WRITE_SCAN_ENABLE = 0x0C1A
    WRITE_PAGE_SCAN_ACTIVITY = 0x0C1C
    WRITE_INQUIRY_SCAN_ACTIVITY = 0x0C1E
    WRITE_CLASS_OF_DEVICE = 0x0C24
    WRITE_VOICE_SETTING = 0x0C26
    WRITE_INQUIRY_SCAN_TYPE = 0x0C43
    WRITE_INQUIRY_MODE = 0x0C45
    WRITE_PAGE_SCAN_TYPE = 0x0C47
    WRITE_EXTENDED_INQUIRY_RESPONSE = 0x0C52
    WRITE_SIMPLE_PAIRING_MODE = 0x0C56
    READ_TRANSMIT_POWER_LEVEL = 0x0C2D
    SET_CONTROLLER_TO_HOST_FLOW_CONTROL = 0x0C31
    HOST_BUFFER_SIZE = 0x0C33
    HOST_NUMBER_OF_COMPLETED_PACKETS = 0x0C35
    SET_EVENT_MASK_PAGE_2 = 0x0C63
    READ_LE_HOST_SUPPORT = 0x0C6C
    WRITE_LE_HOST_SUPPORT = 0x0C6D
    WRITE_SECURE_CONNECTIONS_HOST_SUPPORT = 0x0C7A
    # Informational (OGF 0x04), 7.4
    READ_LOCAL_VERSION_INFORMATION = 0x1001
    READ_LOCAL_SUPPORTED_COMMANDS = 0x1002
    READ_LOCAL_SUPPORTED_FEATURES = 0x1003
    READ_LOCAL_EXTENDED_FEATURES = 0x1004
    READ_BUFFER_SIZE = 0x1005
    READ_BD_ADDR = 0x1009
    READ_LOCAL_SUPPORTED_CODECS = 0x100B
    # Status (OGF 0x05), 7.5
    READ_RSSI = 0x1405
    # LE Controller (OGF 0x08), 7.8
    LE_SET_EVENT_MASK = 0x2001
    LE_READ_BUFFER_SIZE = 0x2002
    LE_READ_LOCAL_SUPPORTED_FEATURES = 0x2003
    LE_SET_RANDOM_ADDRESS = 0x2005
    LE_SET_ADVERTISING_PARAMETERS = 0x2006
    LE_READ_ADVERTISING_PHYSICAL_CHANNEL_TX_POWER = 0x2007
    LE_SET_ADVERTISING_DATA = 0x2008
    LE_SET_SCAN_RESPONSE_DATA = 0x2009
    LE_SET_ADVERTISING_ENABLE = 0x200A
    LE_SET_SCAN_PARAMETERS = 0x200B
    LE_SET_SCAN_ENABLE = 0x200C
    LE_CREATE_CONNECTION = 0x200D
    LE_CREATE_CONNECTION_CANCEL = 0x200E
    LE_READ_FILTER_ACCEPT_LIST_SIZE = 0x200F
    LE_CLEAR_FILTER_ACCEPT_LIST = 0x2010
    LE_ADD_DEVICE_TO_FILTER_ACCEPT_LIST = 0x2011
    LE_REMOVE_DEVICE_FROM_FILTER_ACCEPT_LIST = 0x2012
    LE_CONNECTION_UPDATE = 0x2013
    LE_SET_HOST_CHANNEL_CLASSIFICATION = 0x2014
    LE_READ_CHANNEL_MAP = 0x2015
    LE_READ_REMOTE_FEATURES = 0x2016
    LE_ENCRYPT = 0x2017
    LE_RAND = 0x2018
    LE_ENABLE_ENCRYPTION = 0x2019
    LE_LONG_TERM_KEY_REQUEST_REPLY = 0x201A
    LE_LONG_TERM_KEY_REQUEST_NEGATIVE_REPLY = 0x201B
    LE_READ_SUPPORTED_STATES = 0x201C
    LE_REMOTE_CONNECTION_PARAMETER_REQUEST_REPLY = 0x2020
    LE_REMOTE_CONNECTION_PARAMETER_REQUEST_NEGATIVE_REPLY = 0x2021
    LE_SET_DATA_LENGTH = 0x2022
    LE_READ_SUGGESTED_DEFAULT_DATA_LENGTH = 0x2023
    LE_WRITE_SUGGESTED_DEFAULT_DATA_LENGTH = 0x2024
    LE_READ_LOCAL_P256_PUBLIC_KEY = 0x2025
    LE_GENERATE_DHKEY = 0x2026
    LE_ADD_DEVICE_TO_RESOLVING_LIST = 0x2027
    LE_REMOVE_DEVICE_FROM_RESOLVING_LIST = 0x2028
    LE_CLEAR_RESOLVING_LIST = 0x2029
    LE_READ_RESOLVING_LIST_SIZE = 0x202A
    LE_READ_PEER_RESOLVABLE_ADDRESS = 0x202B
    LE_READ_LOCAL_RESOLVABLE_ADDRESS = 0x202C
    LE_SET_ADDRESS_RESOLUTION_ENABLE = 0x202D
    LE_SET_RESOLVABLE_PRIVATE_ADDRESS_TIMEOUT = 0x202E
    LE_READ_MAXIMUM_DATA_LENGTH = 0x202F
    LE_READ_PHY = 0x2030
    LE_SET_DEFAULT_PHY = 0x2031
    LE_SET_PHY = 0x2032
    LE_SET_ADVERTISING_SET_RANDOM_ADDRESS = 0x2035
    LE_SET_EXTENDED_ADVERTISING_PARAMETERS = 0x2036
    LE_SET_EXTENDED_ADVERTISING_DATA = 0x2037
    LE_SET_EXTENDED_SCAN_RESPONSE_DATA = 0x2038
    LE_SET_EXTENDED_ADVERTISING_ENABLE = 0x2039
    LE_READ_MAXIMUM_ADVERTISING_DATA_LENGTH = 0x203A
    LE_READ_NUMBER_OF_SUPPORTED_ADVERTISING_SETS = 0x203B
    LE_REMOVE_ADVERTISING_SET = 0x203C
    LE_CLEAR_ADVERTISING_SETS = 0x203D
    LE_SET_PERIODIC_ADVERTISING_PARAMETERS = 0x203E
    LE_SET_PERIODIC_ADVERTISING_DATA = 0x203F
    LE_SET_PERIODIC_ADVERTISING_ENABLE = 0x2040
    LE_SET_EXTENDED_SCAN_PARAMETERS = 0x2041
    LE_SET_EXTENDED_SCAN_ENABLE = 0x2042
    LE_EXTENDED_CREATE_CONNECTION = 0x2043
    LE_READ_PERIODIC_ADVERTISER_LIST_SIZE = 0x204A
    LE_READ_TRANSMIT_POWER = 0x204B
    LE_SET_PRIVACY_MODE = 0x204E
    LE_READ_BUFFER_SIZE_V2 = 0x2060
    LE_SET_HOST_FEATURE = 0x2074
    LE_SET_EXTENDED_ADVERTISING_PARAMETERS_V2 = 0x207F
    LE_EXTENDED_CREATE_CONNECTION_V2 = 0x2085
    # Zephyr vendor commands (OGF 0x3F), include/zephyr/bluetooth/hci_vs.h
    ZEPHYR_READ_VERSION_INFORMATION = 0xFC01
    ZEPHYR_READ_SUPPORTED_COMMANDS = 0xFC02
    ZEPHYR_READ_SUPPORTED_FEATURES = 0xFC03
    ZEPHYR_WRITE_BD_ADDR = 0xFC06
    ZEPHYR_READ_BUILD_INFORMATION = 0xFC08
    ZEPHYR_READ_STATIC_ADDRESSES = 0xFC09
    ZEPHYR_READ_KEY_HIERARCHY_ROOTS = 0xFC0A

    @property
    def ogf(self) -> int:
        return self.value >> 10

    @property
    def ocf(self) -> int:
        return self.value & 0x3FF


class EventCode(IntEnum):
    """HCI event codes (Vol 4 Part E, 7.7)."""

    INQUIRY_COMPLETE = 0x01
    CONNECTION_COMPLETE = 0x03
    CONNECTION_REQUEST = 0x04
    DISCONNECTION_COMPLETE = 0x05
    AUTHENTICATION_COMPLETE = 0x06
    REMOTE_NAME_REQUEST_COMPLETE = 0x07
    ENCRYPTION_CHANGE_V1 = 0x08
    READ_REMOTE_SUPPORTED_FEATURES_COMPLETE = 0x0B
    READ_REMOTE_VERSION_INFORMATION_COMPLETE = 0x0C
    QOS_SETUP_COMPLETE = 0x0D
    COMMAND_COMPLETE = 0x0E
    COMMAND_STATUS = 0x0F
    HARDWARE_ERROR = 0x10
    FLUSH_OCCURRED = 0x11
    ROLE_CHANGE = 0x12
    NUMBER_OF_COMPLETED_PACKETS = 0x13
    MODE_CHANGE = 0x14
    RETURN_LINK_KEYS = 0x15
    PIN_CODE_REQUEST = 0x16
    LINK_KEY_REQUEST = 0x17
    LINK_KEY_NOTIFICATION = 0x18
    LOOPBACK_COMMAND = 0x19
    DATA_BUFFER_OVERFLOW = 0x1A
    MAX_SLOTS_CHANGE = 0x1B
    READ_CLOCK_OFFSET_COMPLETE = 0x1C
    CONNECTION_PACKET_TYPE_CHANGED = 0x1D
    QOS_VIOLATION = 0x1E
    PAGE_SCAN_REPETITION_MODE_CHANGE = 0x20
    FLOW_SPECIFICATION_COMPLETE = 0x21
    INQUIRY_RESULT_WITH_RSSI = 0x22
    READ_REMOTE_EXTENDED_FEATURES_COMPLETE = 0x23
    SYNCHRONOUS_CONNECTION_COMPLETE = 0x2C
    SYNCHRONOUS_CONNECTION_CHANGED = 0x2D
    SNIFF_SUBRATING = 0x2E
    EXTENDED_INQUIRY_RESULT = 0x2F
    ENCRYPTION_KEY_REFRESH_COMPLETE = 0x30
    IO_CAPABILITY_REQUEST = 0x31
    IO_CAPABILITY_RESPONSE = 0x32
    USER_CONFIRMATION_REQUEST = 0x33
    USER_PASSKEY_REQUEST = 0x34
    REMOTE_OOB_DATA_REQUEST = 0x35
    SIMPLE_PAIRING_COMPLETE = 0x36
    LINK_SUPERVISION_TIMEOUT_CHANGED = 0x38
    ENHANCED_FLUSH_COMPLETE = 0x39
    USER_PASSKEY_NOTIFICATION = 0x3B
    KEYPRESS_NOTIFICATION = 0x3C
    REMOTE_HOST_SUPPORTED_FEATURES_NOTIFICATION = 0x3D
    LE_META = 0x3E
    NUMBER_OF_COMPLETED_DATA_BLOCKS = 0x48
    AUTHENTICATED_PAYLOAD_TIMEOUT_EXPIRED = 0x57
    ENCRYPTION_CHANGE_V2 = 0x59
    VENDOR = 0xFF


class LeSubevent(IntEnum):
    """LE Meta event sub-event codes (Vol 4 Part E, 7.7.65)."""

    LE_CONNECTION_COMPLETE = 0x01
    LE_ADVERTISING_REPORT = 0x02
    LE_CONNECTION_UPDATE_COMPLETE = 0x03
    LE_READ_REMOTE_FEATURES_COMPLETE = 0x04
    LE_LONG_TERM_KEY_REQUEST = 0x05
    LE_REMOTE_CONNECTION_PARAMETER_REQUEST = 0x06
    LE_DATA_LENGTH_CHANGE = 0x07
    LE_READ_LOCAL_P256_PUBLIC_KEY_COMPLETE = 0x08
    LE_GENERATE_DHKEY_COMPLETE = 0x09
    LE_ENHANCED_CONNECTION_COMPLETE_V1 = 0x0A
    LE_DIRECTED_ADVERTISING_REPORT = 0x0B
    LE_PHY_UPDATE_COMPLETE = 0x0C
    LE_EXTENDED_ADVERTISING_REPORT = 0x0D
    LE_PERIODIC_ADVERTISING_SYNC_ESTABLISHED = 0x0E
    LE_PERIODIC_ADVERTISING_REPORT = 0x0F
    LE_PERIODIC_ADVERTISING_SYNC_LOST = 0x10
    LE_SCAN_TIMEOUT = 0x11
    LE_ADVERTISING_SET_TERMINATED = 0x12
    LE_SCAN_REQUEST_RECEIVED = 0x13
    LE_CHANNEL_SELECTION_ALGORITHM = 0x14
    LE_ENHANCED_CONNECTION_COMPLETE_V2 = 0x29


class StatusCode(IntEnum):
    """Controller error codes (Vol 1 Part F, 1.3).

    A value the table does not know still converts (as ``UNKNOWN_0xNN``), so a
    newer controller's status never turns into a ValueError in the host.
    """

    SUCCESS = 0x00
    UNKNOWN_HCI_COMMAND = 0x01
    UNKNOWN_CONNECTION_IDENTIFIER = 0x02
    HARDWARE_FAILURE = 0x03
    PAGE_TIMEOUT = 0x04
    AUTHENTICATION_FAILURE = 0x05
    PIN_OR_KEY_MISSING = 0x06
    MEMORY_CAPACITY_EXCEEDED = 0x07
    CONNECTION_TIMEOUT = 0x08
    CONNECTION_LIMIT_EXCEEDED = 0x09
    SYNCHRONOUS_CONNECTION_LIMIT_TO_A_DEVICE_EXCEEDED = 0x0A
    CONNECTION_ALREADY_EXISTS = 0x0B
    COMMAND_DISALLOWED = 0x0C
    CONNECTION_REJECTED_DUE_TO_LIMITED_RESOURCES = 0x0D
    CONNECTION_REJECTED_DUE_TO_SECURITY_REASONS = 0x0E
    CONNECTION_REJECTED_DUE_TO_UNACCEPTABLE_BD_ADDR = 0x0F
    CONNECTION_ACCEPT_TIMEOUT_EXCEEDED = 0x10
    UNSUPPORTED_FEATURE_OR_PARAMETER_VALUE = 0x11
    INVALID_HCI_COMMAND_PARAMETERS = 0x12
    REMOTE_USER_TERMINATED_CONNECTION = 0x13
    REMOTE_DEVICE_TERMINATED_CONNECTION_DUE_TO_LOW_RESOURCES = 0x14
    REMOTE_DEVICE_TERMINATED_CONNECTION_DUE_TO_POWER_OFF = 0x15
    CONNECTION_TERMINATED_BY_LOCAL_HOST = 0x16
    REPEATED_ATTEMPTS = 0x17
    PAIRING_NOT_ALLOWED = 0x18
    UNKNOWN_LMP_PDU = 0x19
    UNSUPPORTED_REMOTE_FEATURE = 0x1A
    SCO_OFFSET_REJECTED = 0x1B
    SCO_INTERVAL_REJECTED = 0x1C
    SCO_AIR_MODE_REJECTED = 0x1D
    INVALID_LMP_PARAMETERS_OR_INVALID_LL_PARAMETERS = 0x1E
    UNSPECIFIED_ERROR = 0x1F
    UNSUPPORTED_LMP_PARAMETER_VALUE_OR_UNSUPPORTED_LL_PARAMETER_VALUE = 0x20
    ROLE_CHANGE_NOT_ALLOWED = 0x21
    LMP_RESPONSE_TIMEOUT_OR_LL_RESPONSE_TIMEOUT = 0x22
    LMP_ERROR_TRANSACTION_COLLISION_OR_LL_PROCEDURE_COLLISION = 0x23
    LMP_PDU_NOT_ALLOWED = 0x24
    ENCRYPTION_MODE_NOT_ACCEPTABLE = 0x25
    LINK_KEY_CANNOT_BE_CHANGED = 0x26
    REQUESTED_QOS_NOT_SUPPORTED = 0x27
    INSTANT_PASSED = 0x28
    PAIRING_WITH_UNIT_KEY_NOT_SUPPORTED = 0x29
    DIFFERENT_TRANSACTION_COLLISION = 0x2A
    RESERVED_FOR_FUTURE_USE_0X2B = 0x2B
    QOS_UNACCEPTABLE_PARAMETER = 0x2C
    QOS_REJECTED = 0x2D
    CHANNEL_CLASSIFICATION_NOT_SUPPORTED = 0x2E
    INSUFFICIENT_SECURITY = 0x2F
    PARAMETER_OUT_OF_MANDATORY_RANGE = 0x30
    RESERVED_FOR_FUTURE_USE_0X31 = 0x31
    ROLE_SWITCH_PENDING = 0x32
    RESERVED_FOR_FUTURE_USE_0X33 = 0x33
    RESERVED_SLOT_VIOLATION = 0x34
    ROLE_SWITCH_FAILED = 0x35
    EXTENDED_INQUIRY_RESPONSE_TOO_LARGE = 0x36
    SECURE_SIMPLE_PAIRING_NOT_SUPPORTED_BY_HOST = 0x37
    HOST_BUSY_PAIRING = 0x38
    CONNECTION_REJECTED_DUE_TO_NO_SUITABLE_CHANNEL_FOUND = 0x39
    CONTROLLER_BUSY = 0x3A
    UNACCEPTABLE_CONNECTION_PARAMETERS = 0x3B
    ADVERTISING_TIMEOUT = 0x3C
    CONNECTION_TERMINATED_DUE_TO_MIC_FAILURE = 0x3D
    CONNECTION_FAILED_TO_BE_ESTABLISHED_OR_SYNCHRONIZATION_TIMEOUT = 0x3E
    PREVIOUSLY_USED_0X3F = 0x3F
    COARSE_CLOCK_ADJUSTMENT_REJECTED_BUT_WILL_TRY_TO_ADJUST_USING_CLOCK_DRAGGING = 0x40
    TYPE0_SUBMAP_NOT_DEFINED = 0x41
    UNKNOWN_ADVERTISING_IDENTIFIER = 0x42
    LIMIT_REACHED = 0x43
    OPERATION_CANCELLED_BY_HOST = 0x44
    PACKET_TOO_LONG = 0x45
    TOO_LATE = 0x46
    TOO_EARLY = 0x47

    @classmethod
    def _missing_(cls, value: Any) -> StatusCode | None:
        if not isinstance(value, int) or not 0 <= value <= 0xFF:
            return None
        member = int.__new__(cls, value)
        member._name_ = f"UNKNOWN_0x{value:02X}"
        member._value_ = value
        # cache it, so StatusCode(v) is StatusCode(v) for unknown values too
        return cls._value2member_map_.setdefault(value, member)  # type: ignore[return-value]

    @property
    def description(self) -> str:
        """The spec's name in words, e.g. 'Remote User Terminated Connection'."""
        return self.name.replace("_", " ").title()


class LeFeature(IntEnum):
    """Bit numbers of the LE feature set (Vol 6 Part B, 4.6)."""

    LE_ENCRYPTION = 0
    CONNECTION_PARAMETERS_REQUEST_PROCEDURE = 1
    EXTENDED_REJECT_INDICATION = 2
    PERIPHERAL_INITIATED_FEATURES_EXCHANGE = 3
    LE_PING = 4
    LE_DATA_PACKET_LENGTH_EXTENSION = 5
    LL_PRIVACY = 6
    EXTENDED_SCANNER_FILTER_POLICIES = 7
    LE_2M_PHY = 8
    STABLE_MODULATION_INDEX_TRANSMITTER = 9
    STABLE_MODULATION_INDEX_RECEIVER = 10
    LE_CODED_PHY = 11
    LE_EXTENDED_ADVERTISING = 12
    LE_PERIODIC_ADVERTISING = 13
    CHANNEL_SELECTION_ALGORITHM_2 = 14
    LE_POWER_CLASS_1 = 15
    MINIMUM_NUMBER_OF_USED_CHANNELS_PROCEDURE = 16
    CONNECTION_CTE_REQUEST = 17
    CONNECTION_CTE_RESPONSE = 18
    CONNECTIONLESS_CTE_TRANSMITTER = 19
    CONNECTIONLESS_CTE_RECEIVER = 20
    ANTENNA_SWITCHING_DURING_CTE_TRANSMISSION = 21
    ANTENNA_SWITCHING_DURING_CTE_RECEPTION = 22
    RECEIVING_CONSTANT_TONE_EXTENSIONS = 23
    PERIODIC_ADVERTISING_SYNC_TRANSFER_SENDER = 24
    PERIODIC_ADVERTISING_SYNC_TRANSFER_RECIPIENT = 25
    SLEEP_CLOCK_ACCURACY_UPDATES = 26
    REMOTE_PUBLIC_KEY_VALIDATION = 27
    CONNECTED_ISOCHRONOUS_STREAM_CENTRAL = 28
    CONNECTED_ISOCHRONOUS_STREAM_PERIPHERAL = 29
    ISOCHRONOUS_BROADCASTER = 30
    SYNCHRONIZED_RECEIVER = 31
    CONNECTED_ISOCHRONOUS_STREAM_HOST_SUPPORT = 32
    LE_POWER_CONTROL_REQUEST = 33
    LE_POWER_CONTROL_REQUEST_BIT_34 = 34
    LE_PATH_LOSS_MONITORING = 35
    PERIODIC_ADVERTISING_ADI_SUPPORT = 36
    CONNECTION_SUBRATING = 37
    CONNECTION_SUBRATING_HOST_SUPPORT = 38
    CHANNEL_CLASSIFICATION = 39
    ADVERTISING_CODING_SELECTION = 40
    ADVERTISING_CODING_SELECTION_HOST_SUPPORT = 41
    DECISION_BASED_ADVERTISING_FILTERING = 42
    PERIODIC_ADVERTISING_WITH_RESPONSES_ADVERTISER = 43
    PERIODIC_ADVERTISING_WITH_RESPONSES_SCANNER = 44
    UNSEGMENTED_FRAMED_MODE = 45
    CHANNEL_SOUNDING = 46
    CHANNEL_SOUNDING_HOST_SUPPORT = 47
    CHANNEL_SOUNDING_TONE_QUALITY_INDICATION = 48
    LL_EXTENDED_FEATURE_SET = 63

    @property
    def mask(self) -> int:
        return 1 << self.value


def le_features(mask: int) -> list[LeFeature | int]:
    """The features set in an LE feature bitmask, lowest bit first; unknown bits as ints."""
    found: list[LeFeature | int] = []
    for bit in range(64):
        if mask >> bit & 1:
            try:
                found.append(LeFeature(bit))
            except ValueError:
                found.append(bit)
    return found


def le_feature_names(mask: int) -> list[str]:
    """Readable names of the features in an LE feature bitmask ('bit 42' for unknown bits)."""
    return [f.name if isinstance(f, LeFeature) else f"bit {f}" for f in le_features(mask)]


_SPEC_WORDS = {
    "LE": "LE",
    "BD": "BD",
    "IO": "IO",
    "OOB": "OOB",
    "PHY": "PHY",
    "PIN": "PIN",
    "RSSI": "RSSI",
    "P256": "P-256",
    "DHKEY": "DHKey",
    "QOS": "QoS",
    "TX": "TX",
    "V1": "[v1]",
    "V2": "[v2]",
}


def spec_name(member_name: str) -> str:
    """The spec's spelling of an OpCode/EventCode/LeSubevent member name,
    e.g. LE_GENERATE_DHKEY_COMPLETE -> 'LE Generate DHKey Complete'."""
    words = [_SPEC_WORDS.get(w, w.capitalize()) for w in member_name.split("_")]
    return " ".join(words).replace("BD Addr", "BD_ADDR")


def supports_command(supported_commands: bytes, octet: int, bit: int) -> bool:
    """Whether a Supported_Commands bitmap (Vol 4 Part E, 6.27) has octet/bit set."""
    return octet < len(supported_commands) and bool(supported_commands[octet] >> bit & 1)


def _octet_bit(octet: int, bit: int) -> int:
    return octet * 8 + bit


class SupportedCommand(IntEnum):
    """Where each command sits in the Supported_Commands bitmap (Vol 4 Part E, 6.27).

    A member's value is octet * 8 + bit and its name is the command's `OpCode` name,
    so `SupportedCommand[OpCode.X.name]` finds a command's bit. Read Local Supported
    Commands itself and vendor commands have no bit.
    """

    DISCONNECT = _octet_bit(0, 5)
    READ_REMOTE_VERSION_INFORMATION = _octet_bit(2, 7)
    WRITE_DEFAULT_LINK_POLICY_SETTINGS = _octet_bit(5, 4)
    SET_EVENT_MASK = _octet_bit(5, 6)
    RESET = _octet_bit(5, 7)
    WRITE_LOCAL_NAME = _octet_bit(7, 0)
    READ_LOCAL_NAME = _octet_bit(7, 1)
    WRITE_PAGE_TIMEOUT = _octet_bit(7, 5)
    WRITE_SCAN_ENABLE = _octet_bit(7, 7)
    WRITE_PAGE_SCAN_ACTIVITY = _octet_bit(8, 1)
    WRITE_INQUIRY_SCAN_ACTIVITY = _octet_bit(8, 3)
    WRITE_CLASS_OF_DEVICE = _octet_bit(9, 1)
    WRITE_VOICE_SETTING = _octet_bit(9, 3)
    READ_TRANSMIT_POWER_LEVEL = _octet_bit(10, 2)
    SET_CONTROLLER_TO_HOST_FLOW_CONTROL = _octet_bit(10, 5)
    HOST_BUFFER_SIZE = _octet_bit(10, 6)
    HOST_NUMBER_OF_COMPLETED_PACKETS = _octet_bit(10, 7)
    WRITE_INQUIRY_SCAN_TYPE = _octet_bit(12, 5)
    WRITE_INQUIRY_MODE = _octet_bit(12, 7)
    WRITE_PAGE_SCAN_TYPE = _octet_bit(13, 1)
    READ_LOCAL_VERSION_INFORMATION = _octet_bit(14, 3)
    READ_LOCAL_SUPPORTED_FEATURES = _octet_bit(14, 5)
    READ_LOCAL_EXTENDED_FEATURES = _octet_bit(14, 6)
    READ_BUFFER_SIZE = _octet_bit(14, 7)
    READ_BD_ADDR = _octet_bit(15, 1)
    READ_RSSI = _octet_bit(15, 5)
    WRITE_EXTENDED_INQUIRY_RESPONSE = _octet_bit(17, 1)
    WRITE_SIMPLE_PAIRING_MODE = _octet_bit(17, 6)
    SET_EVENT_MASK_PAGE_2 = _octet_bit(22, 2)
    READ_LE_HOST_SUPPORT = _octet_bit(24, 5)
    WRITE_LE_HOST_SUPPORT = _octet_bit(24, 6)
    LE_SET_EVENT_MASK = _octet_bit(25, 0)
    LE_READ_BUFFER_SIZE = _octet_bit(25, 1)
    LE_READ_LOCAL_SUPPORTED_FEATURES = _octet_bit(25, 2)
    LE_SET_RANDOM_ADDRESS = _octet_bit(25, 4)
    LE_SET_ADVERTISING_PARAMETERS = _octet_bit(25, 5)
    LE_READ_ADVERTISING_PHYSICAL_CHANNEL_TX_POWER = _octet_bit(25, 6)
    LE_SET_ADVERTISING_DATA = _octet_bit(25, 7)
    LE_SET_SCAN_RESPONSE_DATA = _octet_bit(26, 0)
    LE_SET_ADVERTISING_ENABLE = _octet_bit(26, 1)
    LE_SET_SCAN_PARAMETERS = _octet_bit(26, 2)
    LE_SET_SCAN_ENABLE = _octet_bit(26, 3)
    LE_CREATE_CONNECTION = _octet_bit(26, 4)
    LE_CREATE_CONNECTION_CANCEL = _octet_bit(26, 5)
    LE_READ_FILTER_ACCEPT_LIST_SIZE = _octet_bit(26, 6)
    LE_CLEAR_FILTER_ACCEPT_LIST = _octet_bit(26, 7)
    LE_ADD_DEVICE_TO_FILTER_ACCEPT_LIST = _octet_bit(27, 0)
    LE_REMOVE_DEVICE_FROM_FILTER_ACCEPT_LIST = _octet_bit(27, 1)
    LE_CONNECTION_UPDATE = _octet_bit(27, 2)
    LE_SET_HOST_CHANNEL_CLASSIFICATION = _octet_bit(27, 3)
    LE_READ_CHANNEL_MAP = _octet_bit(27, 4)
    LE_READ_REMOTE_FEATURES = _octet_bit(27, 5)
    LE_ENCRYPT = _octet_bit(27, 6)
    LE_RAND = _octet_bit(27, 7)
    LE_ENABLE_ENCRYPTION = _octet_bit(28, 0)
    LE_LONG_TERM_KEY_REQUEST_REPLY = _octet_bit(28, 1)
    LE_LONG_TERM_KEY_REQUEST_NEGATIVE_REPLY = _octet_bit(28, 2)
    LE_READ_SUPPORTED_STATES = _octet_bit(28, 3)
    READ_LOCAL_SUPPORTED_CODECS = _octet_bit(29, 5)
    WRITE_SECURE_CONNECTIONS_HOST_SUPPORT = _octet_bit(32, 3)
    LE_REMOTE_CONNECTION_PARAMETER_REQUEST_REPLY = _octet_bit(33, 4)
    LE_REMOTE_CONNECTION_PARAMETER_REQUEST_NEGATIVE_REPLY = _octet_bit(33, 5)
    LE_SET_DATA_LENGTH = _octet_bit(33, 6)
    LE_READ_SUGGESTED_DEFAULT_DATA_LENGTH = _octet_bit(33, 7)
    LE_WRITE_SUGGESTED_DEFAULT_DATA_LENGTH = _octet_bit(34, 0)
    LE_READ_LOCAL_P256_PUBLIC_KEY = _octet_bit(34, 1)
    LE_GENERATE_DHKEY = _octet_bit(34, 2)
    LE_ADD_DEVICE_TO_RESOLVING_LIST = _octet_bit(34, 3)
    LE_REMOVE_DEVICE_FROM_RESOLVING_LIST = _octet_bit(34, 4)
    LE_CLEAR_RESOLVING_LIST = _octet_bit(34, 5)
    LE_READ_RESOLVING_LIST_SIZE = _octet_bit(34, 6)
    LE_READ_PEER_RESOLVABLE_ADDRESS = _octet_bit(34, 7)
    LE_READ_LOCAL_RESOLVABLE_ADDRESS = _octet_bit(35, 0)
    LE_SET_ADDRESS_RESOLUTION_ENABLE = _octet_bit(35, 1)
    LE_SET_RESOLVABLE_PRIVATE_ADDRESS_TIMEOUT = _octet_bit(35, 2)
    LE_READ_MAXIMUM_DATA_LENGTH = _octet_bit(35, 3)
    LE_READ_PHY = _octet_bit(35, 4)
    LE_SET_DEFAULT_PHY = _octet_bit(35, 5)
    LE_SET_PHY = _octet_bit(35, 6)
    LE_SET_ADVERTISING_SET_RANDOM_ADDRESS = _octet_bit(36, 1)
    LE_SET_EXTENDED_ADVERTISING_PARAMETERS = _octet_bit(36, 2)
    LE_SET_EXTENDED_ADVERTISING_DATA = _octet_bit(36, 3)
    LE_SET_EXTENDED_SCAN_RESPONSE_DATA = _octet_bit(36, 4)
    LE_SET_EXTENDED_ADVERTISING_ENABLE = _octet_bit(36, 5)
    LE_READ_MAXIMUM_ADVERTISING_DATA_LENGTH = _octet_bit(36, 6)
    LE_READ_NUMBER_OF_SUPPORTED_ADVERTISING_SETS = _octet_bit(36, 7)
    LE_REMOVE_ADVERTISING_SET = _octet_bit(37, 0)
    LE_CLEAR_ADVERTISING_SETS = _octet_bit(37, 1)
    LE_SET_PERIODIC_ADVERTISING_PARAMETERS = _octet_bit(37, 2)
    LE_SET_PERIODIC_ADVERTISING_DATA = _octet_bit(37, 3)
    LE_SET_PERIODIC_ADVERTISING_ENABLE = _octet_bit(37, 4)
    LE_SET_EXTENDED_SCAN_PARAMETERS = _octet_bit(37, 5)
    LE_SET_EXTENDED_SCAN_ENABLE = _octet_bit(37, 6)
    LE_EXTENDED_CREATE_CONNECTION = _octet_bit(37, 7)
    LE_READ_PERIODIC_ADVERTISER_LIST_SIZE = _octet_bit(38, 6)
    LE_READ_TRANSMIT_POWER = _octet_bit(38, 7)
    LE_SET_PRIVACY_MODE = _octet_bit(39, 2)
    LE_READ_BUFFER_SIZE_V2 = _octet_bit(41, 5)
    LE_SET_HOST_FEATURE = _octet_bit(44, 1)
    LE_SET_EXTENDED_ADVERTISING_PARAMETERS_V2 = _octet_bit(46, 2)
    LE_EXTENDED_CREATE_CONNECTION_V2 = _octet_bit(47, 0)

    @property
    def octet(self) -> int:
        return self.value >> 3

    @property
    def bit(self) -> int:
        return self.value & 7

    def is_set(self, supported_commands: bytes) -> bool:
        """Whether this command is marked supported in a Supported_Commands bitmap."""
        return supports_command(supported_commands, self.octet, self.bit)


class ZephyrSupportedCommand(IntEnum):
    """Bits of the Zephyr vendor Read Supported Commands bitmap (Zephyr hci_vs.h, BT_VS_CMD_BIT_*).

    Bit n is octet n // 8, bit n % 8, as Zephyr's BT_LE_FEAT_TEST reads it: Read
    Static Addresses (bit 8) is octet 1 bit 0.
    """

    READ_VERSION_INFORMATION = 0
    READ_SUPPORTED_COMMANDS = 1
    READ_SUPPORTED_FEATURES = 2
    SET_EVENT_MASK = 3
    RESET = 4
    WRITE_BD_ADDR = 5
    SET_TRACE_ENABLE = 6
    READ_BUILD_INFORMATION = 7
    READ_STATIC_ADDRESSES = 8
    READ_KEY_HIERARCHY_ROOTS = 9
    READ_CHIP_TEMPERATURE = 10
    READ_HOST_STACK_COMMANDS = 11
    SET_SCAN_REQUEST_REPORTS = 12
    WRITE_TX_POWER_LEVEL = 13
    READ_TX_POWER_LEVEL = 14

    def is_set(self, vendor_supported_commands: bytes) -> bool:
        return supports_command(vendor_supported_commands, self.value >> 3, self.value & 7)


# Company identifiers (Bluetooth SIG Assigned Numbers, section 7), the ones a
# controller is likely to report as its manufacturer.
COMPANY_NAMES: dict[int, str] = {
    0x0000: "Ericsson Technology Licensing",
    0x0001: "Nokia Mobile Phones",
    0x0002: "Intel Corp.",
    0x0003: "IBM Corp.",
    0x0004: "Toshiba Corp.",
    0x0005: "3Com",
    0x0006: "Microsoft",
    0x0007: "Lucent",
    0x0008: "Motorola",
    0x0009: "Infineon Technologies AG",
    0x000A: "Qualcomm Technologies International (formerly CSR)",
    0x000B: "Silicon Wave",
    0x000C: "Digianswer A/S",
    0x000D: "Texas Instruments Inc.",
    0x000E: "Parthus Technologies Inc.",
    0x000F: "Broadcom Corporation",
    0x0010: "Mitel Semiconductor",
    0x0011: "Widcomm, Inc.",
    0x0012: "Zeevo, Inc.",
    0x0013: "Atmel Corporation",
    0x0014: "Mitsubishi Electric Corporation",
    0x0015: "RTX Telecom A/S",
    0x0016: "KC Technology Inc.",
    0x0017: "Newlogic",
    0x0018: "Transilica, Inc.",
    0x0019: "Rohde & Schwarz GmbH & Co. KG",
    0x001A: "TTPCom Limited",
    0x001B: "Signia Technologies, Inc.",
    0x001C: "Conexant Systems Inc.",
    0x001D: "Qualcomm",
    0x001E: "Inventel",
    0x001F: "AVM Berlin",
    0x0020: "BandSpeed, Inc.",
    0x0021: "Mansella Ltd",
    0x0022: "NEC Corporation",
    0x0023: "WavePlus Technology Co., Ltd.",
    0x0024: "Alcatel",
    0x0025: "NXP Semiconductors (formerly Philips Semiconductors)",
    0x0029: "Hitachi Ltd",
    0x0030: "ST Microelectronics",
    0x0031: "Synopsys, Inc.",
    0x003F: "Bluetooth SIG, Inc.",
    0x0046: "MediaTek, Inc.",
    0x0048: "Marvell Technology Group Ltd.",
    0x004C: "Apple, Inc.",
    0x0059: "Nordic Semiconductor ASA",
    0x005D: "Realtek Semiconductor Corporation",
    0x0060: "RivieraWaves S.A.S",
    0x0075: "Samsung Electronics Co. Ltd.",
    0x0087: "Garmin International, Inc.",
    0x00D2: "Dialog Semiconductor B.V.",
    0x00E0: "Google",
    0x0131: "Cypress Semiconductor",
    0x0171: "Amazon.com Services, Inc.",
    0x0211: "Telink Semiconductor Co. Ltd",
    0x02E5: "Espressif Systems (Shanghai) Co., Ltd.",
    0x02FF: "Silicon Laboratories",
    0x05F1: "The Linux Foundation (Zephyr Project)",
}


def manufacturer_name(company_id: int) -> str:
    """A company identifier as a name, or 'Unknown (0x....)'."""
    name = COMPANY_NAMES.get(company_id)
    return name if name is not None else f"Unknown (0x{company_id:04x})"


# HCI_Version / LMP_Version / Link Layer version numbers (Assigned Numbers, 2.1).
HCI_VERSION_NAMES: dict[int, str] = {
    0x00: "Bluetooth Core 1.0b",
    0x01: "Bluetooth Core 1.1",
    0x02: "Bluetooth Core 1.2",
    0x03: "Bluetooth Core 2.0+EDR",
    0x04: "Bluetooth Core 2.1+EDR",
    0x05: "Bluetooth Core 3.0+HS",
    0x06: "Bluetooth Core 4.0",
    0x07: "Bluetooth Core 4.1",
    0x08: "Bluetooth Core 4.2",
    0x09: "Bluetooth Core 5.0",
    0x0A: "Bluetooth Core 5.1",
    0x0B: "Bluetooth Core 5.2",
    0x0C: "Bluetooth Core 5.3",
    0x0D: "Bluetooth Core 5.4",
    0x0E: "Bluetooth Core 6.0",
    0x0F: "Bluetooth Core 6.1",
}


def version_name(version: int) -> str:
    """An HCI or LMP version number as the Core release it stands for."""
    name = HCI_VERSION_NAMES.get(version)
    return name if name is not None else f"Unknown version (0x{version:02x})"
