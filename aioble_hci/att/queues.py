"""The output queues of the ATT cores: `data_to_send()` and `take_events()` empty them in place,
because a bearer (att/bearer.py) has its server and client queue into its own lists, so that the
output of both sides keeps the order it was made in."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


def drain(queue: list[T]) -> list[T]:
    """Empty `queue` in place and return what it held, oldest first."""
    if not queue:
        return []
    out = queue.copy()
    queue.clear()
    return out
