"""Legacy and extended advertising commands (Vol 4 Part E, 7.8.5-7.8.9, 7.8.52-7.8.61)."""

from __future__ import annotations

from typing import Annotated, ClassVar

from aioble_hci.address import ANY_ADDRESS
from aioble_hci.hci.commands.base import Command, ReturnParameters
from aioble_hci.hci.constants import OpCode
from aioble_hci.hci.fields import (
    S8,
    U8,
    U16,
    U24,
    AdvData31,
    CountedList,
    HciStruct,
    RandomAddress,
    Status,
    TypedAddress,
    VarBytes,
)
from aioble_hci.records import dataclass

__all__ = [
    "AdvertisingSet",
    "LeClearAdvertisingSets",
    "LeReadAdvertisingPhysicalChannelTxPower",
    "LeReadMaximumAdvertisingDataLength",
    "LeReadNumberOfSupportedAdvertisingSets",
    "LeRemoveAdvertisingSet",
    "LeSetAdvertisingData",
    "LeSetAdvertisingEnable",
    "LeSetAdvertisingParameters",
    "LeSetAdvertisingSetRandomAddress",
    "LeSetExtendedAdvertisingData",
    "LeSetExtendedAdvertisingEnable",
    "LeSetExtendedAdvertisingParameters",
    "LeSetExtendedScanResponseData",
    "LeSetScanResponseData",
    "MAX_EXTENDED_DATA_FRAGMENT",
    "MaximumAdvertisingDataLength",
    "NumberOfSupportedAdvertisingSets",
    "OPERATION_COMPLETE",
    "OPERATION_FIRST",
    "OPERATION_INTERMEDIATE",
    "OPERATION_LAST",
    "OPERATION_UNCHANGED",
    "SelectedTxPower",
    "TxPowerLevel",
]

# Operation values of LE Set Extended Advertising/Scan Response Data (Vol 4 Part E, 7.8.54)
OPERATION_INTERMEDIATE = 0x00
OPERATION_FIRST = 0x01
OPERATION_LAST = 0x02
OPERATION_COMPLETE = 0x03
OPERATION_UNCHANGED = 0x04

MAX_EXTENDED_DATA_FRAGMENT = 251
"""Largest data fragment one extended data command can carry (255 - 4 header octets)."""


@dataclass(frozen=True, slots=True)
class LeSetAdvertisingParameters(Command):
    """HCI_LE_Set_Advertising_Parameters (Vol 4 Part E, 7.8.5): intervals in 0.625 ms units."""

    OPCODE: ClassVar[int] = OpCode.LE_SET_ADVERTISING_PARAMETERS
    advertising_interval_min: U16 = 0x0800
    advertising_interval_max: U16 = 0x0800
    advertising_type: U8 = 0
    own_address_type: U8 = 0
    peer_address: TypedAddress = ANY_ADDRESS
    advertising_channel_map: U8 = 0x07
    advertising_filter_policy: U8 = 0


@dataclass(frozen=True, slots=True)
class TxPowerLevel(ReturnParameters):
    """Return parameters of HCI_LE_Read_Advertising_Physical_Channel_Tx_Power (Vol 4 Part E, 7.8.6), dBm."""

    status: Status
    tx_power_level: S8


@dataclass(frozen=True, slots=True)
class LeReadAdvertisingPhysicalChannelTxPower(Command):
    """HCI_LE_Read_Advertising_Physical_Channel_Tx_Power (Vol 4 Part E, 7.8.6), dBm."""

    OPCODE: ClassVar[int] = OpCode.LE_READ_ADVERTISING_PHYSICAL_CHANNEL_TX_POWER
    RETURN = TxPowerLevel


@dataclass(frozen=True, slots=True)
class LeSetAdvertisingData(Command):
    """HCI_LE_Set_Advertising_Data (Vol 4 Part E, 7.8.7): up to 31 octets, padded on the wire."""

    OPCODE: ClassVar[int] = OpCode.LE_SET_ADVERTISING_DATA
    advertising_data: AdvData31 = b""


@dataclass(frozen=True, slots=True)
class LeSetScanResponseData(Command):
    """HCI_LE_Set_Scan_Response_Data (Vol 4 Part E, 7.8.8): up to 31 octets, padded on the wire."""

    OPCODE: ClassVar[int] = OpCode.LE_SET_SCAN_RESPONSE_DATA
    scan_response_data: AdvData31 = b""


@dataclass(frozen=True, slots=True)
class LeSetAdvertisingEnable(Command):
    """HCI_LE_Set_Advertising_Enable (Vol 4 Part E, 7.8.9)."""

    OPCODE: ClassVar[int] = OpCode.LE_SET_ADVERTISING_ENABLE
    advertising_enable: U8


@dataclass(frozen=True, slots=True)
class LeSetAdvertisingSetRandomAddress(Command):
    """HCI_LE_Set_Advertising_Set_Random_Address (Vol 4 Part E, 7.8.52)."""

    OPCODE: ClassVar[int] = OpCode.LE_SET_ADVERTISING_SET_RANDOM_ADDRESS
    advertising_handle: U8
    random_address: RandomAddress


@dataclass(frozen=True, slots=True)
class SelectedTxPower(ReturnParameters):
    """Return parameters of HCI_LE_Set_Extended_Advertising_Parameters (Vol 4 Part E, 7.8.53):
    the TX power the controller selected, dBm."""

    status: Status
    selected_tx_power: S8


@dataclass(frozen=True, slots=True)
class LeSetExtendedAdvertisingParameters(Command):
    """HCI_LE_Set_Extended_Advertising_Parameters [v1] (Vol 4 Part E, 7.8.53).

    Event properties bit 4 (0x0010) selects legacy PDUs; intervals are 24-bit,
    0.625 ms units; PHY 1 = LE 1M, 3 = LE Coded; tx power 0x7F = no preference.
    """

    OPCODE: ClassVar[int] = OpCode.LE_SET_EXTENDED_ADVERTISING_PARAMETERS
    RETURN = SelectedTxPower
    advertising_handle: U8 = 0
    advertising_event_properties: U16 = 0x0013
    primary_advertising_interval_min: U24 = 0x000800
    primary_advertising_interval_max: U24 = 0x000800
    primary_advertising_channel_map: U8 = 0x07
    own_address_type: U8 = 0
    peer_address: TypedAddress = ANY_ADDRESS
    advertising_filter_policy: U8 = 0
    advertising_tx_power: S8 = 0x7F
    primary_advertising_phy: U8 = 1
    secondary_advertising_max_skip: U8 = 0
    secondary_advertising_phy: U8 = 1
    advertising_sid: U8 = 0
    scan_request_notification_enable: U8 = 0


def _fragments(data: bytes, max_fragment: int) -> list[tuple[int, bytes]]:
    """(operation, fragment) pairs covering `data` (Vol 4 Part E, 7.8.54)."""
    if len(data) <= max_fragment:
        return [(OPERATION_COMPLETE, data)]
    chunks = [data[i : i + max_fragment] for i in range(0, len(data), max_fragment)]
    ops = [OPERATION_FIRST] + [OPERATION_INTERMEDIATE] * (len(chunks) - 2) + [OPERATION_LAST]
    return list(zip(ops, chunks, strict=True))


@dataclass(frozen=True, slots=True)
class LeSetExtendedAdvertisingData(Command):
    """HCI_LE_Set_Extended_Advertising_Data (Vol 4 Part E, 7.8.54).

    Data longer than one command carries goes in fragments (first,
    intermediate..., last); `fragment()` builds the sequence.
    """

    OPCODE: ClassVar[int] = OpCode.LE_SET_EXTENDED_ADVERTISING_DATA
    advertising_handle: U8
    operation: U8
    fragment_preference: U8
    advertising_data: VarBytes

    @classmethod
    def fragment(
        cls, advertising_handle: int, data: bytes, fragment_preference: int = 1, max_fragment: int = MAX_EXTENDED_DATA_FRAGMENT
    ) -> list[LeSetExtendedAdvertisingData]:
        return [cls(advertising_handle, op, fragment_preference, chunk) for op, chunk in _fragments(data, max_fragment)]


@dataclass(frozen=True, slots=True)
class LeSetExtendedScanResponseData(Command):
    """HCI_LE_Set_Extended_Scan_Response_Data (Vol 4 Part E, 7.8.55), fragmented like advertising data."""

    OPCODE: ClassVar[int] = OpCode.LE_SET_EXTENDED_SCAN_RESPONSE_DATA
    advertising_handle: U8
    operation: U8
    fragment_preference: U8
    scan_response_data: VarBytes

    @classmethod
    def fragment(
        cls, advertising_handle: int, data: bytes, fragment_preference: int = 1, max_fragment: int = MAX_EXTENDED_DATA_FRAGMENT
    ) -> list[LeSetExtendedScanResponseData]:
        return [cls(advertising_handle, op, fragment_preference, chunk) for op, chunk in _fragments(data, max_fragment)]


@dataclass(frozen=True, slots=True)
class AdvertisingSet(HciStruct):
    """One set in LE Set Extended Advertising Enable: duration in 10 ms (0 = until disabled)."""

    advertising_handle: U8
    duration: U16 = 0
    max_extended_advertising_events: U8 = 0


@dataclass(frozen=True, slots=True)
class LeSetExtendedAdvertisingEnable(Command):
    """HCI_LE_Set_Extended_Advertising_Enable (Vol 4 Part E, 7.8.56); no sets + disable = all sets."""

    OPCODE: ClassVar[int] = OpCode.LE_SET_EXTENDED_ADVERTISING_ENABLE
    enable: U8
    sets: Annotated[tuple[AdvertisingSet, ...], CountedList(AdvertisingSet)] = ()


@dataclass(frozen=True, slots=True)
class MaximumAdvertisingDataLength(ReturnParameters):
    """Return parameters of HCI_LE_Read_Maximum_Advertising_Data_Length (Vol 4 Part E, 7.8.57)."""

    status: Status
    maximum_advertising_data_length: U16


@dataclass(frozen=True, slots=True)
class LeReadMaximumAdvertisingDataLength(Command):
    """HCI_LE_Read_Maximum_Advertising_Data_Length (Vol 4 Part E, 7.8.57)."""

    OPCODE: ClassVar[int] = OpCode.LE_READ_MAXIMUM_ADVERTISING_DATA_LENGTH
    RETURN = MaximumAdvertisingDataLength


@dataclass(frozen=True, slots=True)
class NumberOfSupportedAdvertisingSets(ReturnParameters):
    """Return parameters of HCI_LE_Read_Number_of_Supported_Advertising_Sets (Vol 4 Part E, 7.8.58)."""

    status: Status
    num_supported_advertising_sets: U8


@dataclass(frozen=True, slots=True)
class LeReadNumberOfSupportedAdvertisingSets(Command):
    """HCI_LE_Read_Number_of_Supported_Advertising_Sets (Vol 4 Part E, 7.8.58)."""

    OPCODE: ClassVar[int] = OpCode.LE_READ_NUMBER_OF_SUPPORTED_ADVERTISING_SETS
    RETURN = NumberOfSupportedAdvertisingSets


@dataclass(frozen=True, slots=True)
class LeRemoveAdvertisingSet(Command):
    """HCI_LE_Remove_Advertising_Set (Vol 4 Part E, 7.8.59)."""

    OPCODE: ClassVar[int] = OpCode.LE_REMOVE_ADVERTISING_SET
    advertising_handle: U8


@dataclass(frozen=True, slots=True)
class LeClearAdvertisingSets(Command):
    """HCI_LE_Clear_Advertising_Sets (Vol 4 Part E, 7.8.60)."""

    OPCODE: ClassVar[int] = OpCode.LE_CLEAR_ADVERTISING_SETS
