"""What every capture reader yields and every writer takes: one CaptureRecord per record."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from aioble_hci.errors import RemoteProtocolError
from aioble_hci.hci.packets import Direction, PacketType


class RecordKind(StrEnum):
    """What a record holds: an HCI packet, or something a capture tool added around them."""

    HCI = "hci"
    NOTE = "note"  # free text written by the capturing tool or the user
    SYSTEM = "system"  # adapter added/removed/opened, power changes, tool information
    OTHER = "other"  # a record type the reader does not know; payload kept raw


@dataclass(frozen=True)
class CaptureRecord:
    """One record of a capture file.

    timestamp is Unix seconds (None when the format has none), direction is None for
    records that did not cross the HCI, packet_type is None for non-HCI records.
    """

    timestamp: float | None
    direction: Direction | None
    packet_type: PacketType | None
    payload: bytes
    kind: RecordKind = RecordKind.HCI
    index: int | None = None  # adapter index (Linux monitor) when the format carries one
    text: str | None = None  # note text, or a name for system/other records
    source_type: int | None = None  # the format's own record type or opcode, for non-HCI records

    @property
    def is_hci(self) -> bool:
        return self.kind is RecordKind.HCI and self.packet_type is not None


class CaptureFormatError(RemoteProtocolError, ValueError):
    """A capture file is damaged or not in the expected format; names the byte offset."""

    def __init__(self, message: str, offset: int, path: str | None = None) -> None:
        where = f"{path}: " if path else ""
        super().__init__(f"{where}{message} at byte offset {offset}")
        self.offset = offset
        self.path = path


def default_direction(packet_type: PacketType) -> Direction:
    """The direction implied by a packet type when a format does not say (commands go out, events come in)."""
    if packet_type == PacketType.EVENT:
        return Direction.CONTROLLER_TO_HOST
    return Direction.HOST_TO_CONTROLLER
