"""The fuzzer's invariant checks catch what they claim to (so a green run means something)."""

from __future__ import annotations

import asyncio
import logging

from aioble_hci.att.states import BearerState
from tests.stateful.invariants import Recorder, Tracked, connection_state_problems, leftovers
from tests.stateful.world import World


def test_recorder_reports_an_exception_that_escapes_to_the_loop() -> None:
    loop = asyncio.new_event_loop()
    recorder = Recorder()
    recorder.install(loop)
    try:
        def boom() -> None:
            raise RuntimeError("escaped")

        loop.call_soon(boom)
        loop.run_until_complete(asyncio.sleep(0))
    finally:
        recorder.remove()
        loop.close()
    assert any("escaped" in problem for problem in recorder.problems)


def test_recorder_reports_an_exception_a_last_resort_guard_logged() -> None:
    loop = asyncio.new_event_loop()
    recorder = Recorder()
    recorder.install(loop)
    try:
        try:
            raise KeyError("lost")
        except KeyError:
            logging.getLogger("aioble_hci.host.host").exception("error handling packet; dropped")
    finally:
        recorder.remove()
        loop.close()
    assert any("error handling packet" in problem for problem in recorder.problems)


async def test_leftovers_name_a_task_left_running_and_a_timer_left_armed() -> None:
    loop = asyncio.get_running_loop()
    task = loop.create_task(asyncio.sleep(60))
    timer = loop.call_later(60, lambda: None)
    try:
        problems = leftovers(loop)
    finally:
        task.cancel()
        timer.cancel()
    assert any("task left running" in p for p in problems)
    assert any("timer left armed" in p for p in problems)


async def test_state_kept_for_a_closed_connection_is_reported(world: World) -> None:
    address = world.b.gap.address
    assert address is not None
    conn = await world.a.gap.connect(address, timeout=3.0)
    tracked = Tracked()
    tracked.collect(world.a)
    bearer = world.a.gatt.bearer(conn)
    await world.a.gap.disconnect(conn, timeout=3.0)
    assert connection_state_problems(world.a) == [] and tracked.problems() == []
    world.a.gatt._bearers[conn.handle] = bearer  # what a bearer that forgot to drop it would keep
    bearer.core._state.state = BearerState.OPEN  # forced past the checked transition: the bug simulated
    problems = connection_state_problems(world.a) + tracked.problems()
    del world.a.gatt._bearers[conn.handle]
    assert any("ATT bearer kept for" in p for p in problems)
    assert any("not closed" in p for p in problems)
