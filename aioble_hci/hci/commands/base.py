"""What every HCI command shares: framing, the opcode registry and names.

A command packet is Opcode (2 octets), Parameter_Total_Length (1 octet) and
the parameters (Vol 4 Part E, 5.4.1). Its answer is a Command Complete event
carrying return parameters (status first), or a Command Status event for
commands that finish later with their own event.
"""

from __future__ import annotations

import functools
import importlib
import struct
from typing import Any, ClassVar, TypeVar

from aioble_hci.hci.constants import OGF_VENDOR, OpCode, StatusCode, spec_name
from aioble_hci.hci.errors import HciDecodeError
from aioble_hci.hci.fields import U16, HciStruct, Status
from aioble_hci.records import dataclass

C = TypeVar("C", bound="Command")

_HEADER = struct.Struct("<HB")

COMMANDS: dict[int, type[Command]] = {}
"""Command class by opcode, filled as command modules are imported (see `command_class`)."""


class ReturnParameters(HciStruct):
    """Base of Command Complete return parameters; `status` is always first."""

    __slots__ = ()
    status: StatusCode


@dataclass(frozen=True, slots=True)
class StatusReturn(ReturnParameters):
    """Return parameters that are only a status."""

    status: Status


@dataclass(frozen=True, slots=True)
class StatusHandleReturn(ReturnParameters):
    """Return parameters that are a status and the connection handle acted on."""

    status: Status
    connection_handle: U16


class Command(HciStruct):
    """Base of command dataclasses.

    `RETURN` is the return-parameters class for Command Complete; None for
    commands answered with Command Status (their `parse_return` gives the raw bytes).
    """

    __slots__ = ()
    OPCODE: ClassVar[int]
    RETURN: ClassVar[type[ReturnParameters] | None] = StatusReturn

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "OPCODE" in cls.__dict__:
            COMMANDS[cls.OPCODE] = cls

    @property
    def name(self) -> str:
        return command_name(self.OPCODE)

    def parameters(self) -> bytes:
        """The command parameters (without opcode and length)."""
        return self.encode_fields()

    def to_bytes(self) -> bytes:
        """The whole command packet: opcode, length, parameters (no H4 indicator)."""
        params = self.parameters()
        if len(params) > 255:
            raise ValueError(f"{type(self).__name__}: parameters are {len(params)} bytes, HCI allows 255")
        return _HEADER.pack(self.OPCODE, len(params)) + params

    @classmethod
    def from_parameters(cls: type[C], params: bytes) -> C:
        """Decode the command's parameters; HciDecodeError if they do not fit."""
        try:
            return cls.decode_fields(params)
        except HciDecodeError as e:
            raise HciDecodeError(f"HCI command {command_name(cls.OPCODE)}: {e}") from None

    @classmethod
    def parse_return(cls, params: bytes) -> Any:
        """Decode Command Complete return parameters for this command.

        A failed command may return only its status (Zephyr does, and the
        spec allows the other return parameters to be invalid, Vol 4 Part E
        4.5); such returns decode to `StatusReturn` so the status is never lost.
        """
        if cls.RETURN is None:
            return bytes(params)
        try:
            return cls.RETURN.decode_fields(params)
        except HciDecodeError as e:
            if params and params[0] != StatusCode.SUCCESS:
                return StatusReturn(StatusCode(params[0]))
            raise HciDecodeError(f"return parameters of {command_name(cls.OPCODE)}: {e}") from None

    def describe(self) -> str:
        """One line for logs: name, opcode and fields."""
        return f"{command_name(self.OPCODE)} (0x{self.OPCODE:04x}) {self.describe_fields()}".rstrip()


@dataclass(frozen=True, slots=True)
class UnknownCommand:
    """A command this library has no codec for, kept raw."""

    opcode: int
    parameters: bytes

    def to_bytes(self) -> bytes:
        return _HEADER.pack(self.opcode, len(self.parameters)) + self.parameters

    def describe(self) -> str:
        return f"{command_name(self.opcode)} (0x{self.opcode:04x}) {self.parameters.hex()}".rstrip()


def command_name(opcode: int) -> str:
    """The spec name of a command, e.g. 'LE Set Scan Enable'; 'Vendor 0xfcNN' or 'Unknown 0xNNNN' otherwise."""
    try:
        return spec_name(OpCode(opcode).name)
    except ValueError:
        if opcode >> 10 == OGF_VENDOR:
            return f"Vendor 0x{opcode:04x}"
        return f"Unknown 0x{opcode:04x}"


def command_class(opcode: int) -> type[Command] | None:
    """The command class for an opcode, loading every command module on a miss; None if unknown."""
    cls = COMMANDS.get(opcode)
    if cls is None:
        _load_all_commands()
        cls = COMMANDS.get(opcode)
    return cls


@functools.cache
def _load_all_commands() -> None:
    """Once: import every command module (a capture of vendor commands misses on each one)."""
    importlib.import_module("aioble_hci.hci.commands").load_all()


def parse_command(packet: bytes) -> Command | UnknownCommand:
    """Decode a whole command packet (opcode, length, parameters).

    Unknown opcodes give `UnknownCommand`; a length that disagrees with the
    packet raises HciDecodeError.
    """
    if len(packet) < 3:
        raise HciDecodeError(f"HCI command: {len(packet)} bytes is shorter than the 3-byte header")
    opcode, length = _HEADER.unpack_from(packet)
    params = packet[3:]
    if len(params) != length:
        raise HciDecodeError(f"HCI command {command_name(opcode)}: header says {length} parameter bytes, got {len(params)}")
    cls = command_class(opcode)
    if cls is None:
        return UnknownCommand(opcode, bytes(params))
    return cls.from_parameters(bytes(params))
