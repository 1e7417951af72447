"""Connection commands: create, cancel, update, disconnect, data length, PHY, remote info.

Vol 4 Part E, 7.1 (Disconnect, Read Remote Version Information), 7.5 (Read RSSI)
and 7.8 (LE). Commands answered by Command Status have `RETURN = None`; their
outcome arrives later as its own event.
"""

from __future__ import annotations

import struct
from dataclasses import field
from typing import ClassVar

from aioble_hci.hci.commands.base import Command, ReturnParameters, StatusHandleReturn
from aioble_hci.hci.constants import OpCode, StatusCode
from aioble_hci.hci.errors import HciDecodeError
from aioble_hci.hci.fields import S8, U8, U16, HciStruct, Status, TypedAddress, TypedAddressCodec
from aioble_hci.records import dataclass

__all__ = [
    "Disconnect",
    "InitiatingPhyParameters",
    "LeConnectionUpdate",
    "LeCreateConnection",
    "LeCreateConnectionCancel",
    "LeExtendedCreateConnection",
    "LeReadMaximumDataLength",
    "LeReadPhy",
    "LeReadRemoteFeatures",
    "LeReadSuggestedDefaultDataLength",
    "LeRemoteConnectionParameterRequestNegativeReply",
    "LeRemoteConnectionParameterRequestReply",
    "LeSetDataLength",
    "LeSetDefaultPhy",
    "LeSetPhy",
    "LeWriteSuggestedDefaultDataLength",
    "MaximumDataLength",
    "PhyReturn",
    "ReadRemoteVersionInformation",
    "ReadRssi",
    "RssiReturn",
    "SuggestedDefaultDataLength",
]


@dataclass(frozen=True, slots=True)
class Disconnect(Command):
    """HCI_Disconnect (Vol 4 Part E, 7.1.6)."""

    OPCODE: ClassVar[int] = OpCode.DISCONNECT
    RETURN: ClassVar[None] = None
    connection_handle: U16
    reason: Status = StatusCode.REMOTE_USER_TERMINATED_CONNECTION


@dataclass(frozen=True, slots=True)
class ReadRemoteVersionInformation(Command):
    """HCI_Read_Remote_Version_Information (Vol 4 Part E, 7.1.23)."""

    OPCODE: ClassVar[int] = OpCode.READ_REMOTE_VERSION_INFORMATION
    RETURN: ClassVar[None] = None
    connection_handle: U16


@dataclass(frozen=True, slots=True)
class RssiReturn(ReturnParameters):
    """Return parameters of HCI_Read_RSSI (Vol 4 Part E, 7.5.4)."""

    status: Status
    connection_handle: U16
    rssi: S8


@dataclass(frozen=True, slots=True)
class ReadRssi(Command):
    """HCI_Read_RSSI (Vol 4 Part E, 7.5.4)."""

    OPCODE: ClassVar[int] = OpCode.READ_RSSI
    RETURN = RssiReturn
    connection_handle: U16


@dataclass(frozen=True, slots=True, kw_only=True)
class LeCreateConnection(Command):
    """HCI_LE_Create_Connection (Vol 4 Part E, 7.8.12). Times in spec units (0.625 ms, 1.25 ms, 10 ms)."""

    OPCODE: ClassVar[int] = OpCode.LE_CREATE_CONNECTION
    RETURN: ClassVar[None] = None
    le_scan_interval: U16 = 0x0060
    le_scan_window: U16 = 0x0060
    initiator_filter_policy: U8 = 0
    peer_address: TypedAddress
    own_address_type: U8 = 0
    connection_interval_min: U16 = 0x0018
    connection_interval_max: U16 = 0x0028
    max_latency: U16 = 0
    supervision_timeout: U16 = 0x01F4
    min_ce_length: U16 = 0
    max_ce_length: U16 = 0


@dataclass(frozen=True, slots=True)
class InitiatingPhyParameters(HciStruct):
    """One initiating PHY's block in LE Extended Create Connection."""

    scan_interval: U16 = 0x0060
    scan_window: U16 = 0x0060
    connection_interval_min: U16 = 0x0018
    connection_interval_max: U16 = 0x0028
    max_latency: U16 = 0
    supervision_timeout: U16 = 0x01F4
    min_ce_length: U16 = 0
    max_ce_length: U16 = 0


_PHY_BLOCK = struct.Struct("<8H")


@dataclass(frozen=True, slots=True, kw_only=True)
class LeExtendedCreateConnection(Command):
    """HCI_LE_Extended_Create_Connection [v1] (Vol 4 Part E, 7.8.66).

    One `InitiatingPhyParameters` per bit set in `initiating_phys`
    (bit 0 LE 1M, bit 1 LE 2M, bit 2 LE Coded), lowest bit first.
    """

    OPCODE: ClassVar[int] = OpCode.LE_EXTENDED_CREATE_CONNECTION
    RETURN: ClassVar[None] = None
    initiator_filter_policy: U8 = 0
    own_address_type: U8 = 0
    peer_address: TypedAddress
    initiating_phys: U8 = 0x01
    phy_parameters: tuple[InitiatingPhyParameters, ...] = field(default=(InitiatingPhyParameters(),))

    def parameters(self) -> bytes:
        if len(self.phy_parameters) != bin(self.initiating_phys).count("1"):
            raise ValueError("one InitiatingPhyParameters per bit set in initiating_phys")
        head = bytes((self.initiator_filter_policy, self.own_address_type))
        head += TypedAddressCodec().encode(self.peer_address) + bytes((self.initiating_phys,))
        return head + b"".join(p.encode_fields() for p in self.phy_parameters)

    @classmethod
    def from_parameters(cls, params: bytes) -> LeExtendedCreateConnection:
        name = "HCI command LE Extended Create Connection"
        if len(params) < 10:
            raise HciDecodeError(f"{name}: {len(params)} bytes is shorter than its 10-byte fixed part")
        try:
            peer, _ = TypedAddressCodec().decode(params, 2)
        except HciDecodeError as e:
            raise HciDecodeError(f"{name}: {e}") from None
        phys = params[9]
        count = bin(phys).count("1")
        if len(params) != 10 + 16 * count:
            raise HciDecodeError(f"{name}: {count} PHY block(s) need {10 + 16 * count} bytes, got {len(params)}")
        blocks = tuple(InitiatingPhyParameters(*_PHY_BLOCK.unpack_from(params, 10 + 16 * i)) for i in range(count))
        return cls(
            initiator_filter_policy=params[0],
            own_address_type=params[1],
            peer_address=peer,
            initiating_phys=phys,
            phy_parameters=blocks,
        )


@dataclass(frozen=True, slots=True)
class LeCreateConnectionCancel(Command):
    """HCI_LE_Create_Connection_Cancel (Vol 4 Part E, 7.8.13)."""

    OPCODE: ClassVar[int] = OpCode.LE_CREATE_CONNECTION_CANCEL


@dataclass(frozen=True, slots=True)
class LeConnectionUpdate(Command):
    """HCI_LE_Connection_Update (Vol 4 Part E, 7.8.18)."""

    OPCODE: ClassVar[int] = OpCode.LE_CONNECTION_UPDATE
    RETURN: ClassVar[None] = None
    connection_handle: U16
    connection_interval_min: U16
    connection_interval_max: U16
    max_latency: U16
    supervision_timeout: U16
    min_ce_length: U16 = 0
    max_ce_length: U16 = 0


@dataclass(frozen=True, slots=True)
class LeRemoteConnectionParameterRequestReply(Command):
    """HCI_LE_Remote_Connection_Parameter_Request_Reply (Vol 4 Part E, 7.8.31)."""

    OPCODE: ClassVar[int] = OpCode.LE_REMOTE_CONNECTION_PARAMETER_REQUEST_REPLY
    RETURN = StatusHandleReturn
    connection_handle: U16
    interval_min: U16
    interval_max: U16
    max_latency: U16
    timeout: U16
    min_ce_length: U16 = 0
    max_ce_length: U16 = 0


@dataclass(frozen=True, slots=True)
class LeRemoteConnectionParameterRequestNegativeReply(Command):
    """HCI_LE_Remote_Connection_Parameter_Request_Negative_Reply (Vol 4 Part E, 7.8.32)."""

    OPCODE: ClassVar[int] = OpCode.LE_REMOTE_CONNECTION_PARAMETER_REQUEST_NEGATIVE_REPLY
    RETURN = StatusHandleReturn
    connection_handle: U16
    reason: Status = StatusCode.UNACCEPTABLE_CONNECTION_PARAMETERS


@dataclass(frozen=True, slots=True)
class LeReadRemoteFeatures(Command):
    """HCI_LE_Read_Remote_Features (Vol 4 Part E, 7.8.21)."""

    OPCODE: ClassVar[int] = OpCode.LE_READ_REMOTE_FEATURES
    RETURN: ClassVar[None] = None
    connection_handle: U16


@dataclass(frozen=True, slots=True)
class LeSetDataLength(Command):
    """HCI_LE_Set_Data_Length (Vol 4 Part E, 7.8.33)."""

    OPCODE: ClassVar[int] = OpCode.LE_SET_DATA_LENGTH
    RETURN = StatusHandleReturn
    connection_handle: U16
    tx_octets: U16 = 251
    tx_time: U16 = 2120


@dataclass(frozen=True, slots=True)
class SuggestedDefaultDataLength(ReturnParameters):
    """Return parameters of HCI_LE_Read_Suggested_Default_Data_Length (Vol 4 Part E, 7.8.34)."""

    status: Status
    suggested_max_tx_octets: U16
    suggested_max_tx_time: U16


@dataclass(frozen=True, slots=True)
class LeReadSuggestedDefaultDataLength(Command):
    """HCI_LE_Read_Suggested_Default_Data_Length (Vol 4 Part E, 7.8.34)."""

    OPCODE: ClassVar[int] = OpCode.LE_READ_SUGGESTED_DEFAULT_DATA_LENGTH
    RETURN = SuggestedDefaultDataLength


@dataclass(frozen=True, slots=True)
class LeWriteSuggestedDefaultDataLength(Command):
    """HCI_LE_Write_Suggested_Default_Data_Length (Vol 4 Part E, 7.8.35)."""

    OPCODE: ClassVar[int] = OpCode.LE_WRITE_SUGGESTED_DEFAULT_DATA_LENGTH
    suggested_max_tx_octets: U16 = 251
    suggested_max_tx_time: U16 = 2120


@dataclass(frozen=True, slots=True)
class MaximumDataLength(ReturnParameters):
    """Return parameters of HCI_LE_Read_Maximum_Data_Length (Vol 4 Part E, 7.8.46)."""

    status: Status
    supported_max_tx_octets: U16
    supported_max_tx_time: U16
    supported_max_rx_octets: U16
    supported_max_rx_time: U16


@dataclass(frozen=True, slots=True)
class LeReadMaximumDataLength(Command):
    """HCI_LE_Read_Maximum_Data_Length (Vol 4 Part E, 7.8.46)."""

    OPCODE: ClassVar[int] = OpCode.LE_READ_MAXIMUM_DATA_LENGTH
    RETURN = MaximumDataLength


@dataclass(frozen=True, slots=True)
class PhyReturn(ReturnParameters):
    """Return parameters of HCI_LE_Read_PHY (Vol 4 Part E, 7.8.47): PHY 1 = LE 1M, 2 = LE 2M, 3 = LE Coded."""

    status: Status
    connection_handle: U16
    tx_phy: U8
    rx_phy: U8


@dataclass(frozen=True, slots=True)
class LeReadPhy(Command):
    """HCI_LE_Read_PHY (Vol 4 Part E, 7.8.47): PHY 1 = LE 1M, 2 = LE 2M, 3 = LE Coded."""

    OPCODE: ClassVar[int] = OpCode.LE_READ_PHY
    RETURN = PhyReturn
    connection_handle: U16


@dataclass(frozen=True, slots=True)
class LeSetDefaultPhy(Command):
    """HCI_LE_Set_Default_PHY (Vol 4 Part E, 7.8.48): PHY bitmasks, bit 0 1M, bit 1 2M, bit 2 Coded."""

    OPCODE: ClassVar[int] = OpCode.LE_SET_DEFAULT_PHY
    all_phys: U8 = 0
    tx_phys: U8 = 0x03
    rx_phys: U8 = 0x03


@dataclass(frozen=True, slots=True)
class LeSetPhy(Command):
    """HCI_LE_Set_PHY (Vol 4 Part E, 7.8.49)."""

    OPCODE: ClassVar[int] = OpCode.LE_SET_PHY
    RETURN: ClassVar[None] = None
    connection_handle: U16
    all_phys: U8 = 0
    tx_phys: U8 = 0x02
    rx_phys: U8 = 0x02
    phy_options: U16 = 0

