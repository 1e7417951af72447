"""An asyncio event loop on a virtual clock: when nothing is ready, time jumps to the next timer.

The air and its controllers run on their loop's clock (`loop.time()`, `call_at`), so on this loop
a scenario of seconds of air time runs in milliseconds, and what it measures (when a packet left,
when its answer came) is exact, whatever the machine's load. Only for tests whose controllers and
hosts all run on this one loop: a wait with no timer pending is a real wait.
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

T = TypeVar("T")


class _SkippingSelector(selectors.BaseSelector):
    """A selector that, with nothing ready, moves the clock forward by the timeout instead of waiting."""

    def __init__(self, clock: VirtualClockLoop) -> None:
        self._clock = clock
        self._real = selectors.DefaultSelector()

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._real.register(fileobj, events, data)

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        return self._real.unregister(fileobj)

    def modify(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._real.modify(fileobj, events, data)

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = self._real.select(0)
        if ready or timeout == 0:
            return ready
        if timeout is None:  # no timer at all: only another thread can wake the loop
            return self._real.select(None)
        self._clock.advance(timeout)
        return []

    def get_map(self) -> Mapping[Any, selectors.SelectorKey]:
        return self._real.get_map()

    def close(self) -> None:
        self._real.close()


class VirtualClockLoop(asyncio.SelectorEventLoop):
    """A selector event loop whose `time()` only moves when the loop would otherwise sleep."""

    def __init__(self) -> None:
        self._now = 0.0
        super().__init__(_SkippingSelector(self))

    def time(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += max(0.0, seconds)


def run_on_virtual_clock(scenario: Callable[[VirtualClockLoop], Awaitable[T]]) -> T:
    """Run `scenario(loop)` to completion on a fresh `VirtualClockLoop`."""
    loop = VirtualClockLoop()
    try:
        return loop.run_until_complete(_as_coroutine(scenario(loop)))
    finally:
        loop.close()


async def _as_coroutine(awaitable: Awaitable[T]) -> T:
    return await awaitable
