"""Controller setup and information commands (Vol 4 Part E, 7.3 and 7.4, and LE ones in 7.8).

The host's init sequence uses these: reset, what the controller is, what it
supports, how big its buffers are, which events it may send.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from aioble_hci.hci.commands.base import Command, ReturnParameters
from aioble_hci.hci.constants import OpCode, manufacturer_name, version_name
from aioble_hci.hci.fields import (
    U8,
    U16,
    U64,
    Bytes64,
    CountedList,
    HciStruct,
    PublicAddress,
    Status,
)
from aioble_hci.records import dataclass

__all__ = [
    "BdAddr",
    "BufferSize",
    "DEFAULT_EVENT_MASK",
    "DEFAULT_LE_EVENT_MASK",
    "HostBufferSize",
    "HostCompletedPackets",
    "HostNumberOfCompletedPackets",
    "LeBufferSize",
    "LeBufferSizeV2",
    "LeHostSupportReturn",
    "LeLocalSupportedFeatures",
    "LeReadBufferSize",
    "LeReadBufferSizeV2",
    "LeReadLocalSupportedFeatures",
    "LeReadSupportedStates",
    "LeSetEventMask",
    "LeSupportedStates",
    "LocalSupportedCommands",
    "LocalSupportedFeatures",
    "LocalVersionInformation",
    "ReadBdAddr",
    "ReadBufferSize",
    "ReadLeHostSupport",
    "ReadLocalSupportedCommands",
    "ReadLocalSupportedFeatures",
    "ReadLocalVersionInformation",
    "Reset",
    "SetControllerToHostFlowControl",
    "SetEventMask",
    "SetEventMaskPage2",
    "WriteLeHostSupport",
]

DEFAULT_EVENT_MASK = 0x00001FFFFFFFFFFF
"""Set_Event_Mask's value after reset (Vol 4 Part E, 7.3.1)."""

DEFAULT_LE_EVENT_MASK = 0x000000000000001F
"""LE_Set_Event_Mask's value after reset (Vol 4 Part E, 7.8.1)."""


@dataclass(frozen=True, slots=True)
class Reset(Command):
    """HCI_Reset (Vol 4 Part E, 7.3.2)."""

    OPCODE: ClassVar[int] = OpCode.RESET


@dataclass(frozen=True, slots=True)
class SetEventMask(Command):
    """HCI_Set_Event_Mask (Vol 4 Part E, 7.3.1): bit n enables event code n+1."""

    OPCODE: ClassVar[int] = OpCode.SET_EVENT_MASK
    event_mask: U64 = DEFAULT_EVENT_MASK


@dataclass(frozen=True, slots=True)
class SetEventMaskPage2(Command):
    """HCI_Set_Event_Mask_Page_2 (Vol 4 Part E, 7.3.69)."""

    OPCODE: ClassVar[int] = OpCode.SET_EVENT_MASK_PAGE_2
    event_mask_page_2: U64 = 0


@dataclass(frozen=True, slots=True)
class LeSetEventMask(Command):
    """HCI_LE_Set_Event_Mask (Vol 4 Part E, 7.8.1): bit n enables LE sub-event n+1."""

    OPCODE: ClassVar[int] = OpCode.LE_SET_EVENT_MASK
    le_event_mask: U64 = DEFAULT_LE_EVENT_MASK


@dataclass(frozen=True, slots=True)
class SetControllerToHostFlowControl(Command):
    """HCI_Set_Controller_To_Host_Flow_Control (Vol 4 Part E, 7.3.38)."""

    OPCODE: ClassVar[int] = OpCode.SET_CONTROLLER_TO_HOST_FLOW_CONTROL
    flow_control_enable: U8 = 0


@dataclass(frozen=True, slots=True)
class HostBufferSize(Command):
    """HCI_Host_Buffer_Size (Vol 4 Part E, 7.3.39)."""

    OPCODE: ClassVar[int] = OpCode.HOST_BUFFER_SIZE
    host_acl_data_packet_length: U16
    host_synchronous_data_packet_length: U8
    host_total_num_acl_data_packets: U16
    host_total_num_synchronous_data_packets: U16


@dataclass(frozen=True, slots=True)
class HostCompletedPackets(HciStruct):
    """One handle's count in Host Number Of Completed Packets."""

    connection_handle: U16
    host_num_of_completed_packets: U16


@dataclass(frozen=True, slots=True)
class HostNumberOfCompletedPackets(Command):
    """HCI_Host_Number_Of_Completed_Packets (Vol 4 Part E, 7.3.40); no event answers it."""

    OPCODE: ClassVar[int] = OpCode.HOST_NUMBER_OF_COMPLETED_PACKETS
    RETURN: ClassVar[None] = None
    handles: Annotated[tuple[HostCompletedPackets, ...], CountedList(HostCompletedPackets)]


@dataclass(frozen=True, slots=True)
class LeHostSupportReturn(ReturnParameters):
    """Return parameters of HCI_Read_LE_Host_Support (Vol 4 Part E, 7.3.78)."""

    status: Status
    le_supported_host: U8
    unused: U8


@dataclass(frozen=True, slots=True)
class ReadLeHostSupport(Command):
    """HCI_Read_LE_Host_Support (Vol 4 Part E, 7.3.78)."""

    OPCODE: ClassVar[int] = OpCode.READ_LE_HOST_SUPPORT
    RETURN = LeHostSupportReturn


@dataclass(frozen=True, slots=True)
class WriteLeHostSupport(Command):
    """HCI_Write_LE_Host_Support (Vol 4 Part E, 7.3.79), for dual-mode controllers."""

    OPCODE: ClassVar[int] = OpCode.WRITE_LE_HOST_SUPPORT
    le_supported_host: U8 = 1
    unused: U8 = 0


@dataclass(frozen=True, slots=True)
class LocalVersionInformation(ReturnParameters):
    """Return parameters of HCI_Read_Local_Version_Information (Vol 4 Part E, 7.4.1)."""

    status: Status
    hci_version: U8
    hci_subversion: U16
    lmp_version: U8
    company_identifier: U16
    lmp_subversion: U16

    @property
    def manufacturer_name(self) -> str:
        return manufacturer_name(self.company_identifier)

    @property
    def hci_version_name(self) -> str:
        return version_name(self.hci_version)


@dataclass(frozen=True, slots=True)
class ReadLocalVersionInformation(Command):
    """HCI_Read_Local_Version_Information (Vol 4 Part E, 7.4.1)."""

    OPCODE: ClassVar[int] = OpCode.READ_LOCAL_VERSION_INFORMATION
    RETURN = LocalVersionInformation


@dataclass(frozen=True, slots=True)
class LocalSupportedCommands(ReturnParameters):
    """Return parameters of HCI_Read_Local_Supported_Commands (Vol 4 Part E, 7.4.2)."""

    status: Status
    supported_commands: Bytes64

    def supports(self, octet: int, bit: int) -> bool:
        """Whether octet/bit of the Supported_Commands table (Vol 4 Part E, 6.27) is set."""
        return bool(self.supported_commands[octet] >> bit & 1)


@dataclass(frozen=True, slots=True)
class ReadLocalSupportedCommands(Command):
    """HCI_Read_Local_Supported_Commands (Vol 4 Part E, 7.4.2)."""

    OPCODE: ClassVar[int] = OpCode.READ_LOCAL_SUPPORTED_COMMANDS
    RETURN = LocalSupportedCommands


@dataclass(frozen=True, slots=True)
class LocalSupportedFeatures(ReturnParameters):
    """Return parameters of HCI_Read_Local_Supported_Features (Vol 4 Part E, 7.4.3); LMP features, bit 38 = LE supported."""

    status: Status
    lmp_features: U64


@dataclass(frozen=True, slots=True)
class ReadLocalSupportedFeatures(Command):
    """HCI_Read_Local_Supported_Features (Vol 4 Part E, 7.4.3); LMP features, bit 38 = LE supported."""

    OPCODE: ClassVar[int] = OpCode.READ_LOCAL_SUPPORTED_FEATURES
    RETURN = LocalSupportedFeatures


@dataclass(frozen=True, slots=True)
class BufferSize(ReturnParameters):
    """Return parameters of HCI_Read_Buffer_Size (Vol 4 Part E, 7.4.5): the BR/EDR (shared) ACL buffers."""

    status: Status
    acl_data_packet_length: U16
    synchronous_data_packet_length: U8
    total_num_acl_data_packets: U16
    total_num_synchronous_data_packets: U16


@dataclass(frozen=True, slots=True)
class ReadBufferSize(Command):
    """HCI_Read_Buffer_Size (Vol 4 Part E, 7.4.5): the BR/EDR (shared) ACL buffers."""

    OPCODE: ClassVar[int] = OpCode.READ_BUFFER_SIZE
    RETURN = BufferSize


@dataclass(frozen=True, slots=True)
class BdAddr(ReturnParameters):
    """Return parameters of HCI_Read_BD_ADDR (Vol 4 Part E, 7.4.6); all zero on controllers without a public address."""

    status: Status
    bd_addr: PublicAddress


@dataclass(frozen=True, slots=True)
class ReadBdAddr(Command):
    """HCI_Read_BD_ADDR (Vol 4 Part E, 7.4.6); all zero on controllers without a public address."""

    OPCODE: ClassVar[int] = OpCode.READ_BD_ADDR
    RETURN = BdAddr


@dataclass(frozen=True, slots=True)
class LeBufferSize(ReturnParameters):
    """LE ACL buffers; a length of 0 means LE shares the Read_Buffer_Size buffers."""

    status: Status
    le_acl_data_packet_length: U16
    total_num_le_acl_data_packets: U8


@dataclass(frozen=True, slots=True)
class LeReadBufferSize(Command):
    """HCI_LE_Read_Buffer_Size [v1] (Vol 4 Part E, 7.8.2)."""

    OPCODE: ClassVar[int] = OpCode.LE_READ_BUFFER_SIZE
    RETURN = LeBufferSize


@dataclass(frozen=True, slots=True)
class LeBufferSizeV2(ReturnParameters):
    """Return parameters of HCI_LE_Read_Buffer_Size [v2] (Vol 4 Part E, 7.8.2), adds the ISO buffers."""

    status: Status
    le_acl_data_packet_length: U16
    total_num_le_acl_data_packets: U8
    iso_data_packet_length: U16
    total_num_iso_data_packets: U8


@dataclass(frozen=True, slots=True)
class LeReadBufferSizeV2(Command):
    """HCI_LE_Read_Buffer_Size [v2] (Vol 4 Part E, 7.8.2), adds the ISO buffers."""

    OPCODE: ClassVar[int] = OpCode.LE_READ_BUFFER_SIZE_V2
    RETURN = LeBufferSizeV2


@dataclass(frozen=True, slots=True)
class LeLocalSupportedFeatures(ReturnParameters):
    """Return parameters of HCI_LE_Read_Local_Supported_Features (Vol 4 Part E, 7.8.3); bits per `LeFeature`."""

    status: Status
    le_features: U64


@dataclass(frozen=True, slots=True)
class LeReadLocalSupportedFeatures(Command):
    """HCI_LE_Read_Local_Supported_Features (Vol 4 Part E, 7.8.3); bits per `LeFeature`."""

    OPCODE: ClassVar[int] = OpCode.LE_READ_LOCAL_SUPPORTED_FEATURES
    RETURN = LeLocalSupportedFeatures


@dataclass(frozen=True, slots=True)
class LeSupportedStates(ReturnParameters):
    """Return parameters of HCI_LE_Read_Supported_States (Vol 4 Part E, 7.8.27)."""

    status: Status
    le_states: U64


@dataclass(frozen=True, slots=True)
class LeReadSupportedStates(Command):
    """HCI_LE_Read_Supported_States (Vol 4 Part E, 7.8.27)."""

    OPCODE: ClassVar[int] = OpCode.LE_READ_SUPPORTED_STATES
    RETURN = LeSupportedStates
