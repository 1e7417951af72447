"""Shared scenario helpers: bring up a connection through the real IRQ paths."""

from __future__ import annotations

import asyncio
from typing import Any

from .conftest import Env

IRQ_CENTRAL_CONNECT = 1
IRQ_CENTRAL_DISCONNECT = 2
IRQ_GATTS_WRITE = 3
IRQ_GATTS_READ_REQUEST = 4
IRQ_SCAN_RESULT = 5
IRQ_SCAN_DONE = 6
IRQ_PERIPHERAL_CONNECT = 7
IRQ_PERIPHERAL_DISCONNECT = 8
IRQ_GATTC_SERVICE_RESULT = 9
IRQ_GATTC_SERVICE_DONE = 10
IRQ_GATTC_CHARACTERISTIC_RESULT = 11
IRQ_GATTC_CHARACTERISTIC_DONE = 12
IRQ_GATTC_DESCRIPTOR_RESULT = 13
IRQ_GATTC_DESCRIPTOR_DONE = 14
IRQ_GATTC_READ_RESULT = 15
IRQ_GATTC_READ_DONE = 16
IRQ_GATTC_WRITE_DONE = 17
IRQ_GATTC_NOTIFY = 18
IRQ_GATTC_INDICATE = 19
IRQ_GATTS_INDICATE_DONE = 20
IRQ_MTU_EXCHANGED = 21
IRQ_L2CAP_ACCEPT = 22
IRQ_L2CAP_CONNECT = 23
IRQ_L2CAP_DISCONNECT = 24
IRQ_L2CAP_RECV = 25
IRQ_L2CAP_SEND_READY = 26
IRQ_ENCRYPTION_UPDATE = 28
IRQ_GET_SECRET = 29
IRQ_SET_SECRET = 30

PEER = bytes.fromhex("aabbccddeeff")


def current_cancelling() -> int:
    """How many cancellation requests the running task still has pending."""
    task = asyncio.current_task()
    assert task is not None
    return task.cancelling()


async def until(predicate: Any) -> None:
    """Let the loop run until ``predicate()`` holds (bounded by the test timeout, not asserted on)."""
    while not predicate():
        await asyncio.sleep(0.001)


async def incoming_connection(env: Env, conn_handle: int = 64, addr: bytes = PEER) -> Any:
    """advertise() and a central connecting to us: returns the DeviceConnection."""
    task = asyncio.ensure_future(env.aioble.advertise(100000, adv_data=b"\x02\x01\x06"))
    await until(lambda: env.fake.called("gap_advertise"))
    env.fake.inject(IRQ_CENTRAL_CONNECT, (conn_handle, 0, addr))
    return await task


async def outgoing_connection(env: Env, conn_handle: int = 65, addr: bytes = PEER) -> Any:
    """Device.connect() completed by the LL's connect event: returns the DeviceConnection."""
    device = env.aioble.Device(0, addr)
    task = asyncio.ensure_future(device.connect())
    await until(lambda: env.fake.called("gap_connect"))
    env.fake.inject(IRQ_PERIPHERAL_CONNECT, (conn_handle, 0, memoryview(bytearray(addr))))
    return await task
