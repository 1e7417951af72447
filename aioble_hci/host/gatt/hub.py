"""Event delivery on the host loop: synchronous callbacks by event class, and awaitables."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)

E = TypeVar("E")


class EventHub:
    """Callbacks run synchronously in emission order (for the `bluetooth` IRQ layer);
    `wait_for` gives the next matching event to a coroutine."""

    def __init__(self) -> None:
        self._callbacks: dict[type, list[Callable[[Any], None]]] = {}

    def on(self, event_class: type[E], callback: Callable[[E], None]) -> Callable[[], None]:
        """Call `callback(event)` for every event of `event_class`; returns an unsubscribe function."""
        callbacks = self._callbacks.setdefault(event_class, [])
        callbacks.append(callback)

        def unsubscribe() -> None:
            if callback in callbacks:
                callbacks.remove(callback)

        return unsubscribe

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

    def emit(self, event: Any) -> None:
        for cls in type(event).__mro__:
            for callback in list(self._callbacks.get(cls, ())):
                try:
                    callback(event)
                except Exception:
                    log.exception("callback %r failed on %s", callback, type(event).__name__)
