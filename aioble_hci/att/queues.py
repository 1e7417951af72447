"""The output queues of the ATT cores: `data_to_send()` and `take_events()` empty them in place,
because a bearer (att/bearer.py) has its server and client queue into its own lists, so that the
output of both sides keeps the order it was made in."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

T = TypeVar("T")
E = TypeVar("E")


def drain(queue: list[T]) -> list[T]:
    """Empty `queue` in place and return what it held, oldest first."""
    if not queue:
        return []
    out = queue.copy()
    queue.clear()
    return out


class Outbox(Generic[E]):
    """The output half of the core contract for the server and the client: the core's __init__
    makes `_outgoing` and `_events`; a bearer may swap in its shared lists (`join_bearer`)."""

    _outgoing: list[bytes]
    _events: list[E]

    def data_to_send(self) -> list[bytes]:
        """PDUs queued for transmission, oldest first."""
        return drain(self._outgoing)

    def take_events(self) -> list[E]:
        """Events produced since the last call, in order."""
        return drain(self._events)

    def join_bearer(self, outgoing: list[bytes], events: list[Any]) -> None:
        """Queue output in a bearer's lists (att/bearer.py), so both sides' output keeps its order."""
        outgoing.extend(self._outgoing)
        events.extend(self._events)
        self._outgoing, self._events = outgoing, events
