"""A controller reset ends GATT and L2CAP per-connection state through the synthetic Disconnection Complete.

After a Hardware Error (Core Vol 4 Part E, 7.7.16) the host resets and re-initialises the
controller; connections do not survive HCI_Reset (7.3.2), so the host reports each one ended with
Hardware Failure (0x03). The GATT and L2CAP bearers need no re-initialisation hook of their own:
this checks that the Disconnection Complete alone fails their pending work and closes channels,
and that a new connection afterwards starts clean.
"""

from __future__ import annotations

import asyncio

import pytest

from aioble_hci.att.errors import BearerClosedError
from aioble_hci.controller.transport import VirtualTransport
from aioble_hci.hci.constants import StatusCode
from aioble_hci.host.host import Host
from aioble_hci.host.l2cap import L2capDisconnectedError
from tests.gatt_host.gattdb import SampleDb, make_db
from tests.gatt_host.pair import WAIT, Stack, connect, connected_stacks

HARDWARE_ERROR = 0x10


def run(coro):
    return asyncio.wait_for(coro, WAIT)


@pytest.fixture
async def linked(hosts) -> tuple[Stack, Stack, SampleDb]:
    central, peripheral = await connected_stacks(*hosts)
    db = make_db()
    peripheral.gatt.server.register_services(db.services)
    return central, peripheral, db


async def reset_by_hardware_error(host: Host) -> None:
    done: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def finished(why: str) -> None:
        if not done.done():
            done.set_result(why)

    host.on_reinitialised(finished)
    transport = host.transport
    assert isinstance(transport, VirtualTransport) and transport.controller is not None
    transport.controller.send_event(HARDWARE_ERROR, bytes([0x01]))
    await run(done)


async def test_reset_fails_a_pending_gatt_procedure_with_bearer_closed(linked):
    central, _, db = linked
    client = central.gatt.client(central.connection)
    pending = asyncio.ensure_future(client.read(db.long.value_handle, long=True))
    await asyncio.sleep(0)

    await reset_by_hardware_error(central.host)

    with pytest.raises(BearerClosedError):
        await run(pending)
    assert central.connection.disconnect_reason == StatusCode.HARDWARE_FAILURE


async def test_reset_closes_credit_based_channels_with_hardware_failure(linked):
    central, peripheral, _ = linked
    listener = peripheral.l2cap.listen(0x81)
    accepted = asyncio.ensure_future(listener.accept())
    channel = await run(central.l2cap.connect(central.connection, 0x81))
    await run(accepted)

    await reset_by_hardware_error(central.host)

    assert await run(channel.closed()) == StatusCode.HARDWARE_FAILURE
    with pytest.raises(L2capDisconnectedError):
        await channel.send(b"after the reset")


async def test_new_connection_after_a_reset_serves_gatt_from_a_clean_state(linked):
    central, peripheral, db = linked
    old = central.gatt.client(central.connection)
    assert await run(old.exchange_mtu()) == 256
    await reset_by_hardware_error(central.host)
    await run(peripheral.connection.closed.wait())

    conn, _ = await connect(central.host, peripheral.host)

    client = central.gatt.client(conn)
    assert client is not old and client.mtu == 23  # the old link's exchanged MTU is gone
    assert await run(client.read(db.long.value_handle, long=True)) == db.long.value
