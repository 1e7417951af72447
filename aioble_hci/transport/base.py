"""The transport contract: whole HCI packets between the host's event loop and a controller.

Every transport is opened, fed and closed on the host's event loop. Transports
that read on another thread (serial, USB) hand packets to the loop with
`call_soon_threadsafe`; `_deliver` and `_lost` are always called on the loop.
"""

from __future__ import annotations

import abc
from collections.abc import Callable

from aioble_hci.errors import UsageError
from aioble_hci.hci.packets import PacketType

PacketSink = Callable[[PacketType, bytes], None]
LostCallback = Callable[[BaseException | None], None]
DesyncCallback = Callable[[BaseException], None]


class TransportError(UsageError):
    """A transport could not be opened or failed; the message says how to fix it."""


class Transport(abc.ABC):
    """An open-able pipe of HCI packets. Subclasses implement open, send and close."""

    reorders_events_and_acl = False
    """True when ACL data can reach the host ahead of an event the controller sent first (events
    and ACL data on separate pipes, as USB's interrupt and bulk endpoints); SMP then holds key
    PDUs that overtake the Encryption Change event (Vol 3 Part H, 3.6.1)."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        self._sink: PacketSink | None = None
        self._on_lost: LostCallback | None = None
        self._on_desync: DesyncCallback | None = None

    def attach(self, sink: PacketSink, on_lost: LostCallback, on_desync: DesyncCallback | None = None) -> None:
        """Say where received packets, loss of the controller and a desynchronised
        byte stream (an `H4DesyncError`, for byte-stream transports) are reported."""
        self._sink = sink
        self._on_lost = on_lost
        self._on_desync = on_desync

    @abc.abstractmethod
    async def open(self) -> None:
        """Open the link to the controller; raise TransportError with a fix on failure."""

    @abc.abstractmethod
    def send(self, packet_type: PacketType, payload: bytes) -> None:
        """Queue one HCI packet (without H4 indicator) for the controller; never blocks."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Release the link; idempotent."""

    def _deliver(self, packet_type: PacketType, payload: bytes) -> None:
        if self._sink is not None:
            self._sink(packet_type, payload)

    def _lost(self, exc: BaseException | None) -> None:
        if self._on_lost is not None:
            self._on_lost(exc)

    def _desync(self, exc: BaseException) -> None:
        if self._on_desync is not None:
            self._on_desync(exc)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.spec}>"
