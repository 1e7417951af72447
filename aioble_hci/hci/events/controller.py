"""Controller and link events: command flow, packet credits, disconnection, encryption (Vol 4 Part E, 7.7)."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any, ClassVar

from aioble_hci.hci.commands.base import command_class, command_name
from aioble_hci.hci.constants import EventCode, StatusCode, manufacturer_name
from aioble_hci.hci.errors import HciDecodeError
from aioble_hci.hci.events.base import Event
from aioble_hci.hci.fields import U8, U16, Rest, Status
from aioble_hci.records import dataclass

_ONE_HANDLE = struct.Struct("<HH")  # one Connection_Handle, Num_Completed_Packets pair


@dataclass(frozen=True, slots=True)
class CommandComplete(Event):
    """HCI_Command_Complete (Vol 4 Part E, 7.7.14).

    `return_parameters` stays raw; `parsed` decodes them with the command's
    `parse_return` (raw bytes for an opcode with no codec). Opcode 0x0000 only
    grants command credits.
    """

    EVENT_CODE: ClassVar[int] = EventCode.COMMAND_COMPLETE
    num_hci_command_packets: U8
    command_opcode: U16
    return_parameters: Rest = b""

    @property
    def status(self) -> StatusCode | None:
        """The first return parameter, which is the status for every command; None if absent."""
        return StatusCode(self.return_parameters[0]) if self.return_parameters else None

    @property
    def parsed(self) -> Any:
        """The return parameters decoded for the command (HciDecodeError if malformed)."""
        cls = command_class(self.command_opcode)
        if cls is None:
            return self.return_parameters
        return cls.parse_return(self.return_parameters)

    def describe(self) -> str:
        head = f"Command Complete {command_name(self.command_opcode)} (0x{self.command_opcode:04x}) ncmd={self.num_hci_command_packets}"
        try:
            parsed = self.parsed
        except HciDecodeError as e:
            return f"{head} malformed return parameters {self.return_parameters.hex()} ({e})"
        if isinstance(parsed, bytes):
            return f"{head} {parsed.hex()}".rstrip()
        return f"{head} {parsed.__class__.__name__} " + " ".join(f"{k}={_fmt(v)}" for k, v in parsed.field_items())


def _fmt(value: Any) -> str:
    from aioble_hci.hci.fields import format_value

    return format_value(value)


@dataclass(frozen=True, slots=True)
class CommandStatus(Event):
    """HCI_Command_Status (Vol 4 Part E, 7.7.15): the command was accepted (or not); its event comes later."""

    EVENT_CODE: ClassVar[int] = EventCode.COMMAND_STATUS
    status: Status
    num_hci_command_packets: U8
    command_opcode: U16

    def describe(self) -> str:
        return (
            f"Command Status {command_name(self.command_opcode)} (0x{self.command_opcode:04x}) "
            f"status={self.status.name}(0x{self.status.value:02x}) ncmd={self.num_hci_command_packets}"
        )


@dataclass(frozen=True, slots=True)
class NumberOfCompletedPackets(Event):
    """HCI_Number_Of_Completed_Packets (Vol 4 Part E, 7.7.19): ACL buffer credits returned per handle.

    Hot path, hand-written. The two tuples are parallel: `num_completed_packets[i]`
    packets completed on `connection_handles[i]`; `pairs()` zips them.
    """

    EVENT_CODE: ClassVar[int] = EventCode.NUMBER_OF_COMPLETED_PACKETS
    connection_handles: tuple[int, ...]
    num_completed_packets: tuple[int, ...]

    def pairs(self) -> Iterator[tuple[int, int]]:
        return zip(self.connection_handles, self.num_completed_packets, strict=True)

    def parameters(self) -> bytes:
        n = len(self.connection_handles)
        if n != len(self.num_completed_packets):
            raise ValueError("connection_handles and num_completed_packets differ in length")
        flat = [v for pair in self.pairs() for v in pair]
        return struct.pack(f"<B{2 * n}H", n, *flat)

    @classmethod
    def from_parameters(cls, params: bytes) -> NumberOfCompletedPackets:
        if not params:
            raise HciDecodeError("Number Of Completed Packets: no Num_Handles")
        n = params[0]
        if len(params) != 1 + 4 * n:
            raise HciDecodeError(f"Number Of Completed Packets: {n} handle(s) need {1 + 4 * n} bytes, got {len(params)}")
        if n == 1:  # what controllers send almost always: one handle (no format string to build)
            handle, count = _ONE_HANDLE.unpack_from(params, 1)
            return cls((handle,), (count,))
        values = struct.unpack_from(f"<{2 * n}H", params, 1)
        return cls(values[0::2], values[1::2])


@dataclass(frozen=True, slots=True)
class DisconnectionComplete(Event):
    """HCI_Disconnection_Complete (Vol 4 Part E, 7.7.5)."""

    EVENT_CODE: ClassVar[int] = EventCode.DISCONNECTION_COMPLETE
    status: Status
    connection_handle: U16
    reason: Status


@dataclass(frozen=True, slots=True)
class EncryptionChange(Event):
    """HCI_Encryption_Change [v1] (Vol 4 Part E, 7.7.8); `EncryptionChangeV2` adds the key size."""

    EVENT_CODE: ClassVar[int] = EventCode.ENCRYPTION_CHANGE_V1
    status: Status
    connection_handle: U16
    encryption_enabled: U8


@dataclass(frozen=True, slots=True)
class EncryptionChangeV2(EncryptionChange):
    """HCI_Encryption_Change [v2] (Vol 4 Part E, 7.7.8)."""

    EVENT_CODE: ClassVar[int] = EventCode.ENCRYPTION_CHANGE_V2
    encryption_key_size: U8


@dataclass(frozen=True, slots=True)
class EncryptionKeyRefreshComplete(Event):
    """HCI_Encryption_Key_Refresh_Complete (Vol 4 Part E, 7.7.39)."""

    EVENT_CODE: ClassVar[int] = EventCode.ENCRYPTION_KEY_REFRESH_COMPLETE
    status: Status
    connection_handle: U16


@dataclass(frozen=True, slots=True)
class HardwareError(Event):
    """HCI_Hardware_Error (Vol 4 Part E, 7.7.16)."""

    EVENT_CODE: ClassVar[int] = EventCode.HARDWARE_ERROR
    hardware_code: U8


@dataclass(frozen=True, slots=True)
class DataBufferOverflow(Event):
    """HCI_Data_Buffer_Overflow (Vol 4 Part E, 7.7.26): link type 0x01 is ACL."""

    EVENT_CODE: ClassVar[int] = EventCode.DATA_BUFFER_OVERFLOW
    link_type: U8


@dataclass(frozen=True, slots=True)
class ReadRemoteVersionInformationComplete(Event):
    """HCI_Read_Remote_Version_Information_Complete (Vol 4 Part E, 7.7.12)."""

    EVENT_CODE: ClassVar[int] = EventCode.READ_REMOTE_VERSION_INFORMATION_COMPLETE
    status: Status
    connection_handle: U16
    version: U8
    company_identifier: U16
    subversion: U16

    @property
    def manufacturer_name(self) -> str:
        return manufacturer_name(self.company_identifier)


@dataclass(frozen=True, slots=True)
class AuthenticatedPayloadTimeoutExpired(Event):
    """HCI_Authenticated_Payload_Timeout_Expired (Vol 4 Part E, 7.7.75)."""

    EVENT_CODE: ClassVar[int] = EventCode.AUTHENTICATED_PAYLOAD_TIMEOUT_EXPIRED
    connection_handle: U16
