"""Two ``bluetooth.BLE`` objects, each on its own runtime, on a private virtual air."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from aioble_hci.controller.air import Air
from aioble_hci.controller.transport import VirtualTransport
from aioble_hci.facade.runtime import Runtime
from bluetooth.ble import BLE

WAIT = 10.0  # generous bound for an event that must come; never a timing assertion


class Recorder:
    """An IRQ handler that records (event, data) and lets the test wait for a given event."""

    def __init__(self) -> None:
        self.events: queue.Queue[tuple[int, tuple[Any, ...]]] = queue.Queue()
        self.seen: list[tuple[int, tuple[Any, ...]]] = []
        self.threads: set[str] = set()
        self.answers: dict[int, Callable[[tuple[Any, ...]], Any]] = {}
        self.lock = threading.Lock()

    def __call__(self, event: int, data: tuple[Any, ...]) -> Any:
        self.threads.add(threading.current_thread().name)
        answer = self.answers.get(event)
        try:
            return answer(data) if answer is not None else None
        finally:  # recorded once the handler's work is done, so a waiting test sees its effects
            self.events.put((event, data))

    def wait(self, event: int, predicate: Callable[[tuple[Any, ...]], bool] | None = None) -> tuple[Any, ...]:
        while True:
            got, data = self.events.get(timeout=WAIT)
            self.seen.append((got, data))
            if got == event and (predicate is None or predicate(data)):
                return data

    def drain(self) -> list[tuple[int, tuple[Any, ...]]]:
        out = []
        while True:
            try:
                out.append(self.events.get_nowait())
            except queue.Empty:
                return out


@pytest.fixture
def air() -> Iterator[Air]:
    medium = Air(fast=True)
    yield medium
    medium.close()


def make_ble(air: Air) -> tuple[BLE, Runtime, Recorder]:
    runtime = Runtime(lambda: VirtualTransport("virtual", air=air))
    ble = BLE(_runtime=runtime)
    recorder = Recorder()
    ble.irq(recorder)
    return ble, runtime, recorder


Made = Callable[[], tuple[BLE, Runtime, Recorder]]


@pytest.fixture
def made(air: Air) -> Iterator[Made]:
    """Makes inactive BLEs on the private air (handler already set) and closes them afterwards."""
    made: list[tuple[BLE, Runtime]] = []

    def make() -> tuple[BLE, Runtime, Recorder]:
        ble, runtime, recorder = make_ble(air)
        made.append((ble, runtime))
        return ble, runtime, recorder

    yield make
    for ble, runtime in made:
        ble.active(False)
        runtime.close()
        BLE._instances.pop(id(runtime), None)


@pytest.fixture
def pair(made: Made) -> tuple[tuple[BLE, Recorder], tuple[BLE, Recorder]]:
    """(peripheral, recorder), (central, recorder), both active."""
    p, _, prec = made()
    c, _, crec = made()
    p.active(True)
    c.active(True)
    return (p, prec), (c, crec)
