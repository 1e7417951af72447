"""HCI packet types as carried by the UART transport (Core Vol 4 Part A, 2)."""

from __future__ import annotations

from enum import IntEnum


class PacketType(IntEnum):
    """The H4 packet indicator that precedes every HCI packet on a UART."""

    COMMAND = 0x01
    ACL = 0x02
    SCO = 0x03
    EVENT = 0x04
    ISO = 0x05


class Direction(IntEnum):
    """Which way a packet travelled, as capture formats record it."""

    HOST_TO_CONTROLLER = 0
    CONTROLLER_TO_HOST = 1
