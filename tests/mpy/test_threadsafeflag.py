"""asyncio.ThreadSafeFlag on CPython: set from any thread, one waiter, cleared by wait()."""

from __future__ import annotations

import asyncio
import threading

import pytest

from aioble_hci.mpy.threadsafeflag import ThreadSafeFlag


async def test_set_from_another_thread_wakes_the_waiter() -> None:
    flag = ThreadSafeFlag()
    waiting = asyncio.create_task(flag.wait())
    await asyncio.sleep(0)  # the task is now parked in wait()
    setter = threading.Thread(target=flag.set)
    setter.start()
    await asyncio.wait_for(waiting, timeout=5)
    setter.join()
    assert not flag.is_set()


async def test_set_before_wait_returns_at_once_and_clears() -> None:
    flag = ThreadSafeFlag()
    flag.set()
    await asyncio.wait_for(flag.wait(), timeout=5)
    assert not flag.is_set()


async def test_flag_created_before_any_loop_binds_lazily() -> None:
    flag = await asyncio.to_thread(ThreadSafeFlag)
    threading.Thread(target=flag.set).start()
    await asyncio.wait_for(flag.wait(), timeout=5)


async def test_clear_forgets_an_earlier_set() -> None:
    flag = ThreadSafeFlag()
    flag.set()
    flag.clear()
    waiting = asyncio.create_task(flag.wait())
    await asyncio.sleep(0)
    assert not waiting.done()
    flag.set()
    await asyncio.wait_for(waiting, timeout=5)


async def test_a_second_waiter_is_refused() -> None:
    flag = ThreadSafeFlag()
    first = asyncio.create_task(flag.wait())
    await asyncio.sleep(0)
    with pytest.raises(AssertionError):
        await flag.wait()
    flag.set()
    await asyncio.wait_for(first, timeout=5)


async def test_cancelled_wait_leaves_the_flag_usable() -> None:
    flag = ThreadSafeFlag()
    waiting = asyncio.create_task(flag.wait())
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    flag.set()
    await asyncio.wait_for(flag.wait(), timeout=5)


def test_set_after_the_waiters_loop_closed_does_not_raise() -> None:
    flag = ThreadSafeFlag()

    async def wait_briefly() -> None:
        try:
            await asyncio.wait_for(flag.wait(), timeout=0.01)
        except TimeoutError:
            pass

    asyncio.run(wait_briefly())
    flag.set()
    assert flag.is_set()
