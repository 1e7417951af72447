"""Command dispatch: opcode -> parameter check -> procedure -> Command Complete/Status.

Each procedure module lists its commands as `COMMANDS`; `TABLE` here joins them and
`SUPPORTED_COMMANDS` is derived from what is really handled (Vol 4 Part E, 6.27). An unknown
opcode gets Unknown HCI Command (0x01) and a parameter block of the wrong length Invalid HCI
Command Parameters (0x12), as Vol 4 Part E, 4.5 and 7 ask. The procedure modules import only
the helper kit (`commands`), never this module, so the imports form no cycle.
"""

from __future__ import annotations

import logging
import struct
from typing import TYPE_CHECKING

from aioble_hci.controller import (
    advertising_commands,
    connections,
    encryption,
    info,
    privacy,
    procedures,
    scanning,
)
from aioble_hci.controller.commands import OK, CommandSpec, ControllerCommandError
from aioble_hci.controller.constants import Status

if TYPE_CHECKING:
    from aioble_hci.controller.controller import VirtualController

log = logging.getLogger(__name__)

PROCEDURE_MODULES = (info, advertising_commands, scanning, connections, procedures, encryption, privacy)


def _table() -> dict[int, CommandSpec]:
    specs: dict[int, CommandSpec] = {}
    for module in PROCEDURE_MODULES:
        for spec in module.COMMANDS:
            specs[spec.opcode] = spec
    return specs


def _supported_commands(specs: dict[int, CommandSpec]) -> bytes:
    mask = bytearray(64)
    for spec in specs.values():
        if spec.bit is not None:
            octet, bit = spec.bit
            mask[octet] |= 1 << bit
    return bytes(mask)


TABLE: dict[int, CommandSpec] = _table()
SUPPORTED_COMMANDS: bytes = _supported_commands(TABLE)
"""The 64-octet Supported_Commands bitmask of exactly the commands in TABLE."""


def dispatch(ctl: VirtualController, packet: bytes) -> None:
    """Answer one command packet (opcode, length, parameters)."""
    if len(packet) < 3:
        log.warning("controller: command packet too short (%d bytes), ignored", len(packet))
        return
    opcode, declared = struct.unpack_from("<HB", packet)
    params = packet[3:]
    spec = TABLE.get(opcode)
    if spec is None:
        log.info("controller: unknown command opcode 0x%04x", opcode)
        ctl.command_status(Status.UNKNOWN_HCI_COMMAND, opcode)
        return
    if declared != len(params) or not spec.length_ok(params):
        log.info("controller: command 0x%04x with a bad parameter length %d", opcode, len(params))
        _fail(ctl, spec, ControllerCommandError(Status.INVALID_HCI_COMMAND_PARAMETERS))
        return
    try:
        result = spec.handler(ctl, params)
    except ControllerCommandError as exc:
        _fail(ctl, spec, exc)
        return
    if spec.status_only:
        ctl.command_status(Status.SUCCESS, opcode)
    else:
        ctl.command_complete(opcode, result if result is not None else OK)


def _fail(ctl: VirtualController, spec: CommandSpec, exc: ControllerCommandError) -> None:
    if spec.status_only:
        ctl.command_status(exc.status, spec.opcode)
        return
    body = bytes((exc.status,)) + exc.extra
    body += bytes(max(0, spec.return_length - len(body)))
    ctl.command_complete(spec.opcode, body)
