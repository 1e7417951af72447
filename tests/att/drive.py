"""Driving the ATT cores by hand in tests, through their contract: `receive(pdu, now)`, then
`data_to_send()` and `take_events()`; `handle_timer(now)` for the clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aioble_hci.att.client import AttClient
from aioble_hci.att.database import OPEN_LINK, SecurityState
from aioble_hci.att.server import AttServer


@dataclass
class Exchange:
    """What one PDU made the server do: its response (None if it sent none) and its events."""

    response: bytes | None = None
    events: list[Any] = field(default_factory=list)


def serve(server: AttServer, pdu: bytes, now: float, security: SecurityState = OPEN_LINK) -> Exchange:
    """Feed the server one PDU; a request gets at most one response (Vol 3 Part F 3.3.2)."""
    server.receive(pdu, now, security)
    out = server.data_to_send()
    assert len(out) <= 1, f"one PDU answered with {len(out)}"
    return Exchange(out[0] if out else None, server.take_events())


def hear(client: AttClient, pdu: bytes, now: float) -> list[Any]:
    """Feed the client one PDU from the server; its events."""
    client.receive(pdu, now)
    return list(client.take_events())


def tick(core: AttServer | AttClient, now: float) -> list[Any]:
    """Let the clock reach `now`; the events the core's timer caused."""
    core.handle_timer(now)
    return list(core.take_events())


def sent(core: AttServer | AttClient) -> bytes:
    """The one PDU a command queued."""
    (pdu,) = core.data_to_send()
    return pdu
