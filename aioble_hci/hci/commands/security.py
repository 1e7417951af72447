"""LE encryption and the controller's crypto helpers (Vol 4 Part E, 7.8.22-7.8.26)."""

from __future__ import annotations

from typing import ClassVar

from aioble_hci.hci.commands.base import Command, ReturnParameters, StatusHandleReturn
from aioble_hci.hci.constants import OpCode
from aioble_hci.hci.fields import U16, Bytes8, Bytes16, Status
from aioble_hci.records import dataclass

__all__ = [
    "EncryptReturn",
    "LeEnableEncryption",
    "LeEncrypt",
    "LeLongTermKeyRequestNegativeReply",
    "LeLongTermKeyRequestReply",
    "LeRand",
    "RandReturn",
]


@dataclass(frozen=True, slots=True)
class LeEnableEncryption(Command):
    """HCI_LE_Enable_Encryption (Vol 4 Part E, 7.8.24), "LE Start Encryption"; ends in Encryption Change."""

    OPCODE: ClassVar[int] = OpCode.LE_ENABLE_ENCRYPTION
    RETURN: ClassVar[None] = None
    connection_handle: U16
    random_number: Bytes8
    encrypted_diversifier: U16
    long_term_key: Bytes16


@dataclass(frozen=True, slots=True)
class LeLongTermKeyRequestReply(Command):
    """HCI_LE_Long_Term_Key_Request_Reply (Vol 4 Part E, 7.8.25)."""

    OPCODE: ClassVar[int] = OpCode.LE_LONG_TERM_KEY_REQUEST_REPLY
    RETURN = StatusHandleReturn
    connection_handle: U16
    long_term_key: Bytes16


@dataclass(frozen=True, slots=True)
class LeLongTermKeyRequestNegativeReply(Command):
    """HCI_LE_Long_Term_Key_Request_Negative_Reply (Vol 4 Part E, 7.8.26)."""

    OPCODE: ClassVar[int] = OpCode.LE_LONG_TERM_KEY_REQUEST_NEGATIVE_REPLY
    RETURN = StatusHandleReturn
    connection_handle: U16


@dataclass(frozen=True, slots=True)
class RandReturn(ReturnParameters):
    """Return parameters of HCI_LE_Rand (Vol 4 Part E, 7.8.23): 8 random octets from the controller."""

    status: Status
    random_number: Bytes8


@dataclass(frozen=True, slots=True)
class LeRand(Command):
    """HCI_LE_Rand (Vol 4 Part E, 7.8.23): 8 random octets from the controller."""

    OPCODE: ClassVar[int] = OpCode.LE_RAND
    RETURN = RandReturn


@dataclass(frozen=True, slots=True)
class EncryptReturn(ReturnParameters):
    """Return parameters of HCI_LE_Encrypt (Vol 4 Part E, 7.8.22): AES-128; key and data most significant octet last (LE order)."""

    status: Status
    encrypted_data: Bytes16


@dataclass(frozen=True, slots=True)
class LeEncrypt(Command):
    """HCI_LE_Encrypt (Vol 4 Part E, 7.8.22): AES-128; key and data most significant octet last (LE order)."""

    OPCODE: ClassVar[int] = OpCode.LE_ENCRYPT
    RETURN = EncryptReturn
    key: Bytes16
    plaintext_data: Bytes16
