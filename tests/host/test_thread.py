"""The host thread and the thread-safe handle: usable from plain threads and from other event loops."""

from __future__ import annotations

import asyncio
import threading

import pytest

from aioble_hci.hci import commands as cmd
from aioble_hci.host.api import open_host, open_host_async, resolve_spec
from aioble_hci.host.thread import HostThread
from aioble_hci.transport import TransportError
from tests.scripted.controller import open_pty_controller


async def _where() -> str:
    return threading.current_thread().name


def test_run_executes_on_the_host_thread_and_returns_a_future() -> None:
    with HostThread(name="test host") as thread:
        assert thread.run(_where()).result(5) == "test host"


async def test_call_awaits_host_work_from_another_loop() -> None:
    thread = HostThread(name="test host").start()
    try:
        assert await thread.call(_where()) == "test host"
    finally:
        thread.stop()


def test_stop_cancels_pending_work_and_ends_the_thread() -> None:
    thread = HostThread().start()
    forever = thread.run(asyncio.sleep(3600))
    thread.stop()
    assert not thread.running
    assert forever.cancelled()
    with pytest.raises(RuntimeError, match="not running"):
        thread.run(_where())


def test_open_host_from_a_plain_thread_runs_commands_while_the_caller_blocks() -> None:
    controller, path = open_pty_controller()
    handle = open_host(f"serial:{path}")
    try:
        assert str(handle.controller_info.address) == "c0:ff:ee:12:34:56"
        ret = handle.send_command(cmd.ReadLocalVersionInformation())
        assert ret.company_identifier == 0x05F1
    finally:
        handle.close()
        controller.close()
    assert not handle.thread.running


async def test_open_host_async_does_not_block_the_calling_loop() -> None:
    controller, path = open_pty_controller()
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    handle = await open_host_async(f"serial:{path}")
    try:
        ret = await handle.send_command_async(cmd.ReadBdAddr())
        assert ret.bd_addr.value == bytes(6)
        assert ticks > 0
    finally:
        task.cancel()
        await handle.aclose()
        controller.close()


def test_open_host_reads_the_spec_from_the_environment(monkeypatch) -> None:
    controller, path = open_pty_controller()
    monkeypatch.setenv("AIOBLE_HCI_TRANSPORT", f"serial:{path}")
    with open_host() as handle:
        assert handle.controller_info.manufacturer == 0x05F1
    controller.close()


def test_no_spec_and_no_environment_means_the_shared_air(monkeypatch) -> None:
    monkeypatch.delenv("AIOBLE_HCI_TRANSPORT", raising=False)
    assert resolve_spec(None) == "air"


def test_environment_spec_wins_over_the_default(monkeypatch) -> None:
    monkeypatch.setenv("AIOBLE_HCI_TRANSPORT", "serial:/dev/ttyACM7")
    assert resolve_spec(None) == "serial:/dev/ttyACM7"


def test_open_host_failure_stops_its_thread() -> None:
    def host_threads() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name == "aioble-hci host"]

    before = host_threads()
    with pytest.raises(TransportError, match="does not exist"):
        open_host("serial:/dev/no-such-tty-aioble")
    assert host_threads() == before
