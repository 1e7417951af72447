"""Reads, writes and notifications of a hand-made capture, served by `recorded_device` and read back
by a GATT client over the air."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from aioble_hci.att.errors import AttError
from aioble_hci.capture import open_writer
from aioble_hci.controller.transport import VirtualTransport
from aioble_hci.host.api import start_host
from aioble_hci.host.gap import attach_gap
from aioble_hci.host.gatt import attach_gatt
from aioble_hci.host.gatt.client import GattClient
from aioble_hci.host.host import HostConfig
from tests.emulate import records as r

VALUE, CCCD, CONTROL, STATUS, STATUS_CCCD = 0x0012, 0x0013, 0x0015, 0x0017, 0x0018
WAIT = 10.0  # a guard against hangs, never a timing assertion


def write_capture(path: Path) -> Path:
    """A session: discovery, two reads of VALUE, a refused and an accepted write to CONTROL, the
    subscription, a write followed by two notifications, 0.2 s apart; the subscription to indications
    of STATUS, followed by an indication."""
    recs = [
        r.le_connection_complete(0.0),
        r.att(0.1, r.primary_services_req(), True),
        r.att(0.2, r.primary_services_rsp((0x10, 0x18, 0x180D)), False),
        r.att(0.3, r.characteristics_req(0x10, 0x18), True),
        r.att(0.4, r.characteristics_rsp((0x11, 0x12, VALUE, 0x2A37), (0x14, 0x08, CONTROL, 0x2A39),
                                          (0x16, 0x20, STATUS, 0x2A05)), False),
        r.att(0.5, r.find_information_req(0x13, 0x13), True),
        r.att(0.6, r.find_information_rsp((CCCD, 0x2902)), False),
        r.att(0.7, r.find_information_req(STATUS_CCCD, STATUS_CCCD), True),
        r.att(0.8, r.find_information_rsp((STATUS_CCCD, 0x2902)), False),
        r.att(1.0, r.read_req(VALUE), True), r.att(1.1, r.read_rsp(b"first"), False),
        r.att(1.2, r.read_req(VALUE), True), r.att(1.3, r.read_rsp(b"second"), False),
        r.att(2.0, r.write_req(CONTROL, b"\x09"), True), r.att(2.1, r.error_rsp(0x12, CONTROL, 0x80), False),
        r.att(3.0, r.write_req(CCCD, b"\x01\x00"), True), r.att(3.1, r.WRITE_RSP, False),
        r.att(4.0, r.write_req(CONTROL, b"\x01"), True), r.att(4.1, r.WRITE_RSP, False),
        r.att(4.2, r.notification(VALUE, b"n1"), False),
        r.att(4.4, r.notification(VALUE, b"n2"), False),
        r.att(5.0, r.write_req(STATUS_CCCD, b"\x02\x00"), True), r.att(5.1, r.WRITE_RSP, False),
        r.att(5.2, b"\x1d" + r.u16(STATUS) + b"ind", False), r.att(5.3, b"\x1e", True),
    ]
    writer = open_writer(path)
    for rec in recs:
        writer.write(rec)
    writer.close()
    return path


@pytest.fixture
async def client(tmp_path: Path, recorded_device) -> AsyncIterator[GattClient]:
    address = recorded_device(write_capture(tmp_path / "session.btsnoop"), speed=4)
    host = await start_host(VirtualTransport("virtual", air=recorded_device.air), HostConfig())
    try:
        gap = await attach_gap(host)
        connection = await gap.connect(address, timeout=WAIT)
        yield attach_gatt(host).client(connection)
    finally:
        await host.close()


async def test_reads_return_the_recorded_values_in_order_then_the_last(client: GattClient) -> None:
    """Vol 3 Part G 4.8.1: each Read Request gets the value the device returned at that point."""
    assert [await asyncio.wait_for(client.read(VALUE), WAIT) for _ in range(3)] == [b"first", b"second", b"second"]


async def test_a_write_gets_the_error_the_device_answered(client: GattClient) -> None:
    """Vol 3 Part F 3.4.1.1: the recorded Error Response code (0x80, application error) comes back."""
    with pytest.raises(AttError) as refused:
        await asyncio.wait_for(client.write(CONTROL, b"\x09"), WAIT)
    assert refused.value.code == 0x80
    await asyncio.wait_for(client.write(CONTROL, b"\x01"), WAIT)  # the other recorded write was accepted


async def test_after_the_recorded_write_a_subscribed_client_gets_the_recorded_notifications(
        client: GattClient) -> None:
    """Vol 3 Part G 4.10.1 and 3.3.3.3: notifications follow the write, while the CCCD enables them."""
    [service] = await client.discover_services()
    [characteristic, _, _] = await client.discover_characteristics(service)
    values = client.values(VALUE)
    await client.write(CONTROL, b"\x01")
    await asyncio.sleep(0.5)  # twice the recorded 0.4 s / speed 4: nothing may come unsubscribed
    assert values.empty()
    await client.subscribe(characteristic)
    await client.write(CONTROL, b"\x01")
    got = [await asyncio.wait_for(values.get(), WAIT) for _ in range(2)]
    assert got == [(b"n1", False), (b"n2", False)]


async def test_a_subscription_to_indications_gets_the_recorded_indication(client: GattClient) -> None:
    """Vol 3 Part G 4.11.1: the device indicated STATUS after the client enabled indications (0x0002)."""
    [service] = await client.discover_services()
    status = (await client.discover_characteristics(service))[2]
    values = client.values(STATUS)
    await client.subscribe(status, notify=False, indicate=True)
    assert await asyncio.wait_for(values.get(), WAIT) == (b"ind", True)
