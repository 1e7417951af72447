"""A misbehaving IUT: a transport wrapper between our IUT's Host and its controller that breaks
one rule by rewriting one L2CAP PDU the IUT sends (egress) or receives (ingress).

A rule is `(direction, cid, match, action)`: `match(payload)` picks the PDU, `action(payload)`
returns the replacement payload, or None to drop it. A dropped outgoing PDU is sent to the
unused fixed CID 0x0003 instead, so the Host's ACL credit count stays right.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aioble_hci.hci.packets import PacketType

Match = Callable[[bytes], bool]
Action = Callable[[bytes], bytes | None]
DROPPED_CID = 0x0003


@dataclass
class Rule:
    direction: str  # "egress" (the IUT sends) or "ingress" (the IUT receives)
    cid: int
    match: Match
    action: Action
    hits: int = 0


def prefix(data: bytes) -> Match:
    return lambda payload: payload.startswith(data)


def _split(packet: bytes) -> tuple[int, int, bytes] | None:
    """(handle word, cid, payload) of an ACL packet holding one whole L2CAP basic frame."""
    if len(packet) < 8:
        return None
    handle_word, acl_length = struct.unpack_from("<HH", packet)
    if handle_word >> 12 & 0x3 not in (0x0, 0x2):  # first fragments only
        return None
    length, cid = struct.unpack_from("<HH", packet, 4)
    if acl_length != len(packet) - 4 or length != acl_length - 4:
        return None
    return handle_word, cid, packet[8:]


def _join(handle_word: int, cid: int, payload: bytes) -> bytes:
    return struct.pack("<HHHH", handle_word, len(payload) + 4, len(payload), cid) + payload


class FaultyTransport:
    """Wraps a Transport; `rules` may change between cases (one fault at a time)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.rules: list[Rule] = []

    def _apply(self, direction: str, packet: bytes) -> bytes | None:
        parts = _split(packet)
        if parts is None:
            return packet
        handle_word, cid, payload = parts
        for rule in self.rules:
            if rule.direction == direction and rule.cid == cid and rule.match(payload):
                rule.hits += 1
                replaced = rule.action(payload)
                if replaced is None:
                    return None if direction == "ingress" else _join(handle_word, DROPPED_CID, payload)
                return _join(handle_word, cid, replaced)
        return packet

    def attach(self, sink: Callable[[PacketType, bytes], None], on_lost: Any, on_desync: Any = None) -> None:
        def faulty_sink(ptype: PacketType, payload: bytes) -> None:
            if ptype == PacketType.ACL and self.rules:
                payload = self._apply("ingress", payload)  # type: ignore[assignment]
                if payload is None:
                    return
            sink(ptype, payload)

        self.inner.attach(faulty_sink, on_lost, on_desync)

    def send(self, ptype: PacketType, payload: bytes) -> None:
        if ptype == PacketType.ACL and self.rules:
            payload = self._apply("egress", payload) or payload
        self.inner.send(ptype, payload)

    async def open(self) -> None:
        await self.inner.open()

    async def close(self) -> None:
        await self.inner.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
