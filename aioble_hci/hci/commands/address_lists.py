"""Random address, Filter Accept List, resolving list and privacy commands (Vol 4 Part E, 7.8)."""

from __future__ import annotations

from typing import ClassVar

from aioble_hci.hci.commands.base import Command, ReturnParameters
from aioble_hci.hci.constants import OpCode
from aioble_hci.hci.fields import U8, U16, Bytes16, RandomAddress, Status, TypedAddress
from aioble_hci.records import dataclass

__all__ = [
    "FilterAcceptListSize",
    "LeAddDeviceToFilterAcceptList",
    "LeAddDeviceToResolvingList",
    "LeClearFilterAcceptList",
    "LeClearResolvingList",
    "LeReadFilterAcceptListSize",
    "LeReadLocalResolvableAddress",
    "LeReadPeerResolvableAddress",
    "LeReadResolvingListSize",
    "LeRemoveDeviceFromFilterAcceptList",
    "LeRemoveDeviceFromResolvingList",
    "LeSetAddressResolutionEnable",
    "LeSetPrivacyMode",
    "LeSetRandomAddress",
    "LeSetResolvablePrivateAddressTimeout",
    "ResolvableAddressReturn",
    "ResolvingListSize",
]


@dataclass(frozen=True, slots=True)
class LeSetRandomAddress(Command):
    """HCI_LE_Set_Random_Address (Vol 4 Part E, 7.8.4)."""

    OPCODE: ClassVar[int] = OpCode.LE_SET_RANDOM_ADDRESS
    random_address: RandomAddress


@dataclass(frozen=True, slots=True)
class FilterAcceptListSize(ReturnParameters):
    """Return parameters of HCI_LE_Read_Filter_Accept_List_Size (Vol 4 Part E, 7.8.14)."""

    status: Status
    filter_accept_list_size: U8


@dataclass(frozen=True, slots=True)
class LeReadFilterAcceptListSize(Command):
    """HCI_LE_Read_Filter_Accept_List_Size (Vol 4 Part E, 7.8.14)."""

    OPCODE: ClassVar[int] = OpCode.LE_READ_FILTER_ACCEPT_LIST_SIZE
    RETURN = FilterAcceptListSize


@dataclass(frozen=True, slots=True)
class LeClearFilterAcceptList(Command):
    """HCI_LE_Clear_Filter_Accept_List (Vol 4 Part E, 7.8.15)."""

    OPCODE: ClassVar[int] = OpCode.LE_CLEAR_FILTER_ACCEPT_LIST


@dataclass(frozen=True, slots=True)
class LeAddDeviceToFilterAcceptList(Command):
    """HCI_LE_Add_Device_To_Filter_Accept_List (Vol 4 Part E, 7.8.16)."""

    OPCODE: ClassVar[int] = OpCode.LE_ADD_DEVICE_TO_FILTER_ACCEPT_LIST
    address: TypedAddress


@dataclass(frozen=True, slots=True)
class LeRemoveDeviceFromFilterAcceptList(Command):
    """HCI_LE_Remove_Device_From_Filter_Accept_List (Vol 4 Part E, 7.8.17)."""

    OPCODE: ClassVar[int] = OpCode.LE_REMOVE_DEVICE_FROM_FILTER_ACCEPT_LIST
    address: TypedAddress


@dataclass(frozen=True, slots=True)
class LeAddDeviceToResolvingList(Command):
    """HCI_LE_Add_Device_To_Resolving_List (Vol 4 Part E, 7.8.38); IRKs in LE octet order."""

    OPCODE: ClassVar[int] = OpCode.LE_ADD_DEVICE_TO_RESOLVING_LIST
    peer_identity_address: TypedAddress
    peer_irk: Bytes16
    local_irk: Bytes16


@dataclass(frozen=True, slots=True)
class LeRemoveDeviceFromResolvingList(Command):
    """HCI_LE_Remove_Device_From_Resolving_List (Vol 4 Part E, 7.8.39)."""

    OPCODE: ClassVar[int] = OpCode.LE_REMOVE_DEVICE_FROM_RESOLVING_LIST
    peer_identity_address: TypedAddress


@dataclass(frozen=True, slots=True)
class LeClearResolvingList(Command):
    """HCI_LE_Clear_Resolving_List (Vol 4 Part E, 7.8.40)."""

    OPCODE: ClassVar[int] = OpCode.LE_CLEAR_RESOLVING_LIST


@dataclass(frozen=True, slots=True)
class ResolvingListSize(ReturnParameters):
    """Return parameters of HCI_LE_Read_Resolving_List_Size (Vol 4 Part E, 7.8.41)."""

    status: Status
    resolving_list_size: U8


@dataclass(frozen=True, slots=True)
class LeReadResolvingListSize(Command):
    """HCI_LE_Read_Resolving_List_Size (Vol 4 Part E, 7.8.41)."""

    OPCODE: ClassVar[int] = OpCode.LE_READ_RESOLVING_LIST_SIZE
    RETURN = ResolvingListSize


@dataclass(frozen=True, slots=True)
class LeSetAddressResolutionEnable(Command):
    """HCI_LE_Set_Address_Resolution_Enable (Vol 4 Part E, 7.8.44)."""

    OPCODE: ClassVar[int] = OpCode.LE_SET_ADDRESS_RESOLUTION_ENABLE
    address_resolution_enable: U8


@dataclass(frozen=True, slots=True)
class LeSetResolvablePrivateAddressTimeout(Command):
    """HCI_LE_Set_Resolvable_Private_Address_Timeout (Vol 4 Part E, 7.8.45), seconds (default 900)."""

    OPCODE: ClassVar[int] = OpCode.LE_SET_RESOLVABLE_PRIVATE_ADDRESS_TIMEOUT
    rpa_timeout: U16 = 900


@dataclass(frozen=True, slots=True)
class LeSetPrivacyMode(Command):
    """HCI_LE_Set_Privacy_Mode (Vol 4 Part E, 7.8.77): 0 network privacy, 1 device privacy."""

    OPCODE: ClassVar[int] = OpCode.LE_SET_PRIVACY_MODE
    peer_identity_address: TypedAddress
    privacy_mode: U8 = 0


@dataclass(frozen=True, slots=True)
class ResolvableAddressReturn(ReturnParameters):
    """Return parameters of HCI_LE_Read_Peer_Resolvable_Address and
    HCI_LE_Read_Local_Resolvable_Address (Vol 4 Part E, 7.8.42 and 7.8.43)."""

    status: Status
    resolvable_address: RandomAddress


@dataclass(frozen=True, slots=True)
class LeReadPeerResolvableAddress(Command):
    """HCI_LE_Read_Peer_Resolvable_Address (Vol 4 Part E, 7.8.42)."""

    OPCODE: ClassVar[int] = OpCode.LE_READ_PEER_RESOLVABLE_ADDRESS
    RETURN = ResolvableAddressReturn
    peer_identity_address: TypedAddress


@dataclass(frozen=True, slots=True)
class LeReadLocalResolvableAddress(Command):
    """HCI_LE_Read_Local_Resolvable_Address (Vol 4 Part E, 7.8.43)."""

    OPCODE: ClassVar[int] = OpCode.LE_READ_LOCAL_RESOLVABLE_ADDRESS
    RETURN = ResolvableAddressReturn
    peer_identity_address: TypedAddress
