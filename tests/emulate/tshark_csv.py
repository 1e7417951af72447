"""The treadmill as TShark saw it: expected values for the tests, parsed from the TShark CSV by hand.

This reads the raw ATT bytes of the CSV with struct and the PDU layouts of Core Vol 3 Part F 3.4,
without the project's ATT codec or the emulation's model builder, so the tests compare the
emulation with an independent reading of the capture.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

HOST_TO_CONTROLLER = "0x00"


def uuid_text(raw: bytes) -> str:
    """A UUID in the 16-bit form when it is 2 octets, else the 128-bit form (wire order is LE)."""
    if len(raw) == 2:
        return f"{int.from_bytes(raw, 'little'):04x}"
    return raw[::-1].hex()


@dataclass
class Expected:
    services: list[tuple[int, int, str]] = field(default_factory=list)
    characteristics: list[tuple[int, int, int, str]] = field(default_factory=list)
    """(declaration handle, properties, value handle, uuid)"""
    attribute_types: dict[int, str] = field(default_factory=dict)
    """Find Information results: handle -> uuid."""
    steps: list[tuple[int, bytes, list[tuple[int, bytes]]]] = field(default_factory=list)
    """Each Write Request: (handle, value, notifications until the next write)."""

    def types_by_handle(self) -> dict[int, str]:
        """Every handle's type as the capture shows it: declarations, values, Find Information results."""
        types = {s: "2800" for s, _, _ in self.services}
        for decl, _, value, uuid in self.characteristics:
            types[decl], types[value] = "2803", uuid
        return {**types, **self.attribute_types}

    def descriptors_of(self, value_handle: int) -> list[tuple[int, str]]:
        """Find Information results after a characteristic's value, up to the next declaration or service end."""
        decl_handles = sorted(d for d, _, _, _ in self.characteristics)
        ends = [e for s, e, _ in self.services if s <= value_handle <= e]
        stop = min([d for d in decl_handles if d > value_handle] + [ends[0] + 1]) - 1
        return [(h, u) for h, u in sorted(self.attribute_types.items()) if value_handle < h <= stop]


def read_treadmill_csv(path: Path) -> Expected:
    out = Expected()
    last_request = b""
    for row in csv.DictReader(path.open()):
        pdu = bytes.fromhex(row["btl2cap.payload"])
        from_host = row["hci_h4.direction"] == HOST_TO_CONTROLLER
        op = pdu[0]
        if from_host:
            if op == 0x12:  # ATT_WRITE_REQ: handle, value
                out.steps.append((int.from_bytes(pdu[1:3], "little"), pdu[3:], []))
            last_request = pdu
            continue
        if op == 0x11:  # ATT_READ_BY_GROUP_TYPE_RSP: length, (start, end, uuid)*
            size = pdu[1]
            for i in range(2, len(pdu), size):
                e = pdu[i : i + size]
                out.services.append((int.from_bytes(e[0:2], "little"), int.from_bytes(e[2:4], "little"),
                                     uuid_text(e[4:])))
        elif op == 0x09 and last_request[0] == 0x08 and last_request[5:7] == b"\x03\x28":
            size = pdu[1]  # ATT_READ_BY_TYPE_RSP of characteristic declarations (0x2803)
            for i in range(2, len(pdu), size):
                e = pdu[i : i + size]
                out.characteristics.append((int.from_bytes(e[0:2], "little"), e[2],
                                            int.from_bytes(e[3:5], "little"), uuid_text(e[5:])))
        elif op == 0x05:  # ATT_FIND_INFORMATION_RSP: format 1 (16-bit) or 2 (128-bit)
            size = 4 if pdu[1] == 1 else 18
            for i in range(2, len(pdu), size):
                e = pdu[i : i + size]
                out.attribute_types[int.from_bytes(e[0:2], "little")] = uuid_text(e[2:])
        elif op == 0x1B and out.steps:  # ATT_HANDLE_VALUE_NTF
            out.steps[-1][2].append((int.from_bytes(pdu[1:3], "little"), pdu[3:]))
    return out
