"""Separate processes on the shared air: the hub, a peer process, and this test as a client."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from aioble_hci.controller.hub import ensure_hub, hub_answers
from aioble_hci.controller.transport import AirTransport
from aioble_hci.hci.packets import PacketType
from tests.controller.rawhost import RawHost

REPO = Path(__file__).resolve().parents[2]
GUARD = 20.0  # seconds before a process that never comes up fails the test


class TransportAdapter:
    """Lets RawHost drive a Transport as if it were a controller."""

    def __init__(self, transport: AirTransport) -> None:
        self.transport = transport
        self.lost: list[BaseException | None] = []

    def attach(self, sink) -> None:  # type: ignore[no-untyped-def]
        self.transport.attach(sink, self.lost.append)

    def receive(self, packet_type: PacketType, payload: bytes) -> None:
        self.transport.send(packet_type, payload)


def wait_until(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + GUARD
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen")
        time.sleep(0.05)


@pytest.fixture
def socket_dir():
    path = Path(tempfile.mkdtemp(prefix="air-", dir="/tmp"))  # short: Unix socket paths are limited
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def hub(socket_dir):
    path = socket_dir / "air.sock"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    process = subprocess.Popen([sys.executable, "-m", "aioble_hci", "air", "--socket", str(path), "--fast"],
                               cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_until(lambda: hub_answers(path) or process.poll() is not None, "hub start")
    assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
    yield path
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=GUARD)


def start_peer(path: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    peer = subprocess.Popen([sys.executable, "-m", "tests.controller.air_peer", str(path)], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, text=True)
    assert peer.stdout is not None
    assert peer.stdout.readline().strip() == "advertising"
    return peer


async def client(path: Path) -> RawHost:
    transport = AirTransport(f"air:{path}", path, start_hub=False)
    await transport.open()
    host = RawHost(TransportAdapter(transport))  # type: ignore[arg-type]
    await host.init()
    await host.ok(0xFC06, bytes.fromhex("111111111111"))
    return host


async def test_two_processes_scan_connect_and_exchange_acl_over_the_hub(hub):
    peer = await asyncio.to_thread(start_peer, hub)
    try:
        host = await client(hub)
        await host.scan()
        report = await host.le_event(0x02)
        assert report[3:9] == bytes.fromhex("222222222222")
        await host.ok(0x200C, b"\x00\x00")
        handle = await host.connect((0, bytes.fromhex("222222222222")))
        host.send_acl(handle, b"\x05\x00\x04\x00hello")
        assert await host.receive_acl() == (handle, 0b10, b"\x05\x00\x04\x00hello")
        await host.controller.transport.close()  # type: ignore[attr-defined]
    finally:
        peer.kill()
        peer.wait()


async def test_killed_peer_process_shows_as_supervision_timeout(hub):
    peer = await asyncio.to_thread(start_peer, hub)
    try:
        host = await client(hub)
        handle = await host.connect((0, bytes.fromhex("222222222222")))
        peer.kill()
        assert await host.event(0x05) == struct.pack("<BHB", 0, handle, 0x08)
        await host.controller.transport.close()  # type: ignore[attr-defined]
    finally:
        peer.kill()
        peer.wait()


async def test_bad_hci_from_a_client_never_brings_the_hub_down(hub):
    host = await client(hub)
    host.send_raw(PacketType.COMMAND, struct.pack("<HB", 0x3FFF, 0))
    answer = await host.command_answer(0xFFFF, b"")
    assert answer.params[0] == 0x01
    transport = host.controller.transport  # type: ignore[attr-defined]
    transport._writer.write(b"\x07\x08\x09")  # not H4 indicators at all
    assert (await host.command(0x0C01, b"\x00"))[0] == 0x12
    assert await host.ok(0x1001)
    await transport.close()
    assert hub_answers(hub)


def test_concurrent_ensure_hub_starts_exactly_one_hub_that_exits_when_idle(socket_dir):
    path = socket_dir / "air.sock"
    errors: list[BaseException] = []

    def start() -> None:
        try:
            ensure_hub(path, fast=True, idle_timeout=0.5)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    log = Path(str(path) + ".log").read_text()
    assert log.count("serving virtual controllers") == 1
    wait_until(lambda: not path.exists(), "idle hub exit")  # probing would count as a client
    assert not hub_answers(path)


async def test_air_transport_starts_a_hub_on_demand_and_gets_a_controller(socket_dir):
    path = socket_dir / "air.sock"
    transport = AirTransport(f"air:{path}", path)  # no hub yet: open() starts one in the background
    await transport.open()
    host = RawHost(TransportAdapter(transport))  # type: ignore[arg-type]
    await host.init()
    version = await host.ok(0x1001)
    assert struct.unpack_from("<H", version, 4)[0] == 0x05F1
    await transport.close()
    wait_until(lambda: "serving virtual controllers" in Path(str(path) + ".log").read_text(), "hub log")
