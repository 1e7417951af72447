"""The helper kit every command procedure module uses: how a command is declared and rejected.

A leaf: it imports no procedure module (the table that joins them is `dispatch`). A procedure
declares its commands with `complete(...)` or `status(...)`, reads parameters with `u8`/`u16`,
and rejects a command by raising `ControllerCommandError(status)` (directly or through `check`), which
the dispatcher turns into a failing Command Complete or Command Status (Vol 4 Part E, 4.5).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aioble_hci.controller.constants import Status
from aioble_hci.errors import RemoteProtocolError

if TYPE_CHECKING:
    from aioble_hci.controller.controller import VirtualController

Handler = Callable[["VirtualController", bytes], bytes | None]
LengthCheck = Callable[[bytes], bool]

OK = bytes((Status.SUCCESS,))  # the return parameters of a command that returns only a success Status


class ControllerCommandError(RemoteProtocolError):
    """The virtual controller refuses a host's command with `status`; `extra` follows the status.

    The controller's own failure, raised inside its procedures: the host (its remote side) sent a
    command the current state or the parameters do not allow.
    """

    def __init__(self, status: int, extra: bytes = b"") -> None:
        super().__init__(f"status 0x{status:02x}")
        self.status = status
        self.extra = extra


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """How one command is checked and answered."""

    opcode: int
    handler: Handler
    length: int | LengthCheck
    status_only: bool = False  # answered by Command Status, then later events
    return_length: int = 1  # Command Complete return parameters, status included
    bit: tuple[int, int] | None = None  # (octet, bit) in Supported_Commands

    def length_ok(self, params: bytes) -> bool:
        if isinstance(self.length, int):
            return len(params) == self.length
        return self.length(params)


def complete(
    opcode: int, handler: Handler, length: int | LengthCheck, return_length: int = 1, bit: tuple[int, int] | None = None
) -> CommandSpec:
    return CommandSpec(opcode, handler, length, False, return_length, bit)


def status(opcode: int, handler: Handler, length: int | LengthCheck, bit: tuple[int, int] | None = None) -> CommandSpec:
    return CommandSpec(opcode, handler, length, True, 1, bit)


def u8(params: bytes, offset: int) -> int:
    return params[offset]


def u16(params: bytes, offset: int) -> int:
    return int(struct.unpack_from("<H", params, offset)[0])


def check(condition: bool, code: int = Status.INVALID_HCI_COMMAND_PARAMETERS) -> None:
    """Raise ControllerCommandError(code) unless `condition` holds."""
    if not condition:
        raise ControllerCommandError(code)
