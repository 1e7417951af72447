"""Event delivery on the host loop: synchronous callbacks by event class, and awaitables.

One mechanism for the Host's HCI events and the bearers' own events (GATT, ...).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)

E = TypeVar("E")


def subscribe(callbacks: list[Any], callback: Any) -> Callable[[], None]:
    """Add `callback` to `callbacks`; return the function that removes it (idempotent)."""
    callbacks.append(callback)

    def unsubscribe() -> None:
        if callback in callbacks:
            callbacks.remove(callback)

    return unsubscribe


class EventHub:
    """Callbacks run synchronously in emission order (for the `bluetooth` IRQ layer);
    `wait_for` gives the next matching event to a coroutine."""

    def __init__(self) -> None:
        self._callbacks: dict[type, list[Callable[[Any], None]]] = {}
        # Per event class, the callback lists along its MRO (rebuilt when a class gets its first
        # callback): emit runs for every notification, most of them with nobody listening here.
        self._routes: dict[type, tuple[list[Callable[[Any], None]], ...]] = {}

    def on(self, event_class: type[E], callback: Callable[[E], None]) -> Callable[[], None]:
        """Call `callback(event)` for every event of `event_class`; returns an unsubscribe function."""
        callbacks = self._callbacks.get(event_class)
        if callbacks is None:
            callbacks = self._callbacks[event_class] = []
            self._routes.clear()
        return subscribe(callbacks, callback)

    async def wait_for(
        self, event_class: type[E], predicate: Callable[[E], bool] | None = None
    ) -> E:
        """The next event of `event_class` for which `predicate` holds."""
        future: asyncio.Future[E] = asyncio.get_running_loop().create_future()

        def check(event: E) -> None:
            if not future.done() and (predicate is None or predicate(event)):
                future.set_result(event)

        unsubscribe = self.on(event_class, check)
        try:
            return await future
        finally:
            unsubscribe()

    def subscriptions(self) -> int:
        """How many callbacks are subscribed (soak tests check it stays flat)."""
        return sum(len(callbacks) for callbacks in self._callbacks.values())

    def emit(self, event: Any) -> None:
        """Call every callback subscribed to the event's class or one of its bases, in order."""
        kind = type(event)
        routes = self._routes.get(kind)
        if routes is None:
            known = self._callbacks
            routes = self._routes[kind] = tuple(known[c] for c in kind.__mro__ if c in known)
        for callbacks in routes:
            for callback in tuple(callbacks):  # a callback may unsubscribe
                try:
                    callback(event)
                except Exception:
                    log.exception("callback %r failed on %s", callback, kind.__name__)
