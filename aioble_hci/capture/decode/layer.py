"""The decoded view of a packet: a list of layers, each with a one-line summary and fields."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from aioble_hci.address import Address
from aioble_hci.capture.records import CaptureRecord
from aioble_hci.hci.packets import Direction


class Deferred:
    """A field value worked out only when shown: the text view leaves some fields out, and a
    capture has tens of thousands of packets."""

    __slots__ = ("_make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make

    def value(self) -> Any:
        return self._make()


@dataclass
class Layer:
    """One protocol layer of a packet: name is hci, acl, l2cap, att, smp, signalling, coc, adv, vendor, note or error."""

    name: str
    summary: str
    fields: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"layer": self.name, "summary": self.summary, "fields": jsonable(self.fields)}


@dataclass
class DecodedPacket:
    """A capture record with every layer the decoder understood, in order from HCI upwards."""

    frame: int  # 1-based record number, as Wireshark counts frames
    record: CaptureRecord
    layers: list[Layer] = field(default_factory=list)
    handle: int | None = None

    def has_layer(self, name: str) -> bool:
        return any(layer.name == name for layer in self.layers)

    def layer(self, name: str) -> Layer | None:
        return next((layer for layer in self.layers if layer.name == name), None)

    def to_json(self) -> dict[str, Any]:
        r = self.record
        return {
            "frame": self.frame,
            "timestamp": r.timestamp,
            "direction": r.direction.name if r.direction is not None else None,
            "packet_type": r.packet_type.name if r.packet_type is not None else None,
            "kind": r.kind.value,
            "index": r.index,
            "handle": self.handle,
            "raw": r.payload.hex(),
            "layers": [layer.to_json() for layer in self.layers],
        }

    def render(self) -> str:
        """btmon-like text: a header line, then one indented line per upper layer."""
        r = self.record
        arrow = {None: "=", Direction.HOST_TO_CONTROLLER: "<", Direction.CONTROLLER_TO_HOST: ">"}[
            r.direction
        ]
        ts = f"{r.timestamp:.6f}" if r.timestamp is not None else "-"
        lines = []
        for i, layer in enumerate(self.layers):
            text = layer.summary
            details = _details(layer.fields)
            if details:
                text = f"{text} {details}"
            if i == 0:
                lines.append(f"#{self.frame} {ts} {arrow} {text}")
            else:
                lines.append(f"    {layer.name}: {text}")
        if not lines:
            lines.append(f"#{self.frame} {ts} {arrow} (empty)")
        return "\n".join(lines)


def _details(fields: dict[str, Any]) -> str:
    parts = []
    for key, value in fields.items():
        if value is None or key == "payload" or key == "description":  # description: JSON only
            continue
        if type(value) not in _SCALARS:  # most values were made plain when decoded
            value = jsonable(value)
        parts.append(f"{key}={value}")  # lists and dicts print as str() would
    return " ".join(parts)


_SCALARS = frozenset({int, float, str, bool, type(None)})
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def jsonable(value: Any) -> Any:
    """Make a value JSON-safe: addresses as text, bytes as hex, enums by name, dataclasses as dicts.

    Dispatches on the exact type first: a capture renders hundreds of thousands of values.
    """
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is bytes:
        return value.hex()
    if kind is Deferred:
        return jsonable(value.value())
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if kind is Address:
        return str(value)
    if kind is dict:
        return {str(k): jsonable(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [jsonable(v) for v in value]
    names = _FIELD_NAMES.get(kind)
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(value))
    if names is not None:
        return {name: jsonable(getattr(value, name)) for name in names}
    if isinstance(value, Address):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (int, float, str, bool)):
        return value
    return str(value)


def error_layer(where: str, exc: BaseException | str, raw: bytes) -> Layer:
    """A layer for bytes a decoder could not make sense of: the raw bytes and why."""
    return Layer("error", f"{where}: {exc}", {"raw": raw.hex()})
