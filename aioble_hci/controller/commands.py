"""Command dispatch: opcode -> parameter check -> procedure -> Command Complete/Status.

Each procedure module lists its commands as `COMMANDS`; the table here joins
them and derives the Supported_Commands bitmask from what is really handled
(Vol 4 Part E, 6.27). An unknown opcode gets Unknown HCI Command (0x01) and a
parameter block of the wrong length Invalid HCI Command Parameters (0x12),
as Vol 4 Part E, 4.5 and 7 ask.
"""

from __future__ import annotations

import functools
import logging
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aioble_hci.controller.constants import Status

if TYPE_CHECKING:
    from aioble_hci.controller.controller import VirtualController

log = logging.getLogger(__name__)

Handler = Callable[["VirtualController", bytes], bytes | None]
LengthCheck = Callable[[bytes], bool]

OK = bytes((Status.SUCCESS,))  # the return parameters of a command that returns only a success Status


class HciError(Exception):
    """A command failed with `status`; `extra` follows the status in Command Complete."""

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


@functools.cache
def table() -> dict[int, CommandSpec]:
    from aioble_hci.controller import (
        advertising_commands,
        connections,
        encryption,
        info,
        privacy,
        procedures,
        scanning,
    )

    specs: dict[int, CommandSpec] = {}
    for module in (info, advertising_commands, scanning, connections, procedures, encryption, privacy):
        for spec in module.COMMANDS:
            specs[spec.opcode] = spec
    return specs


@functools.cache
def supported_commands() -> bytes:
    """The 64-octet Supported_Commands bitmask of exactly the commands in the table."""
    mask = bytearray(64)
    for spec in table().values():
        if spec.bit is not None:
            octet, bit = spec.bit
            mask[octet] |= 1 << bit
    return bytes(mask)


def dispatch(ctl: VirtualController, packet: bytes) -> None:
    """Answer one command packet (opcode, length, parameters)."""
    if len(packet) < 3:
        log.warning("controller: command packet too short (%d bytes), ignored", len(packet))
        return
    opcode, declared = struct.unpack_from("<HB", packet)
    params = packet[3:]
    spec = table().get(opcode)
    if spec is None:
        log.info("controller: unknown command opcode 0x%04x", opcode)
        ctl.command_status(Status.UNKNOWN_HCI_COMMAND, opcode)
        return
    if declared != len(params) or not spec.length_ok(params):
        log.info("controller: command 0x%04x with a bad parameter length %d", opcode, len(params))
        _fail(ctl, spec, HciError(Status.INVALID_HCI_COMMAND_PARAMETERS))
        return
    try:
        result = spec.handler(ctl, params)
    except HciError as exc:
        _fail(ctl, spec, exc)
        return
    if spec.status_only:
        ctl.command_status(Status.SUCCESS, opcode)
    else:
        ctl.command_complete(opcode, result if result is not None else OK)


def _fail(ctl: VirtualController, spec: CommandSpec, exc: HciError) -> None:
    if spec.status_only:
        ctl.command_status(exc.status, spec.opcode)
        return
    body = bytes((exc.status,)) + exc.extra
    body += bytes(max(0, spec.return_length - len(body)))
    ctl.command_complete(spec.opcode, body)


def u8(params: bytes, offset: int) -> int:
    return params[offset]


def u16(params: bytes, offset: int) -> int:
    return int(struct.unpack_from("<H", params, offset)[0])


def check(condition: bool, code: int = Status.INVALID_HCI_COMMAND_PARAMETERS) -> None:
    """Raise HciError(code) unless `condition` holds."""
    if not condition:
        raise HciError(code)
