"""`GattServer.write(send_update=True)` to an indicate-subscribed client (Vol 3 Part F 3.4.7.2: one
indication outstanding per client): an update made while an indication is unconfirmed is not
lost; it goes once the confirmation arrives, carrying the latest value, as NimBLE does."""

from __future__ import annotations

import asyncio

from aioble_hci.att.gatt import Characteristic, Service
from aioble_hci.att.gatt import CharacteristicProperties as P
from aioble_hci.uuid import UUID
from tests.gatt_host.pair import WAIT, connected_stacks


def run(coro):
    return asyncio.wait_for(coro, WAIT)


async def test_update_made_while_an_indication_is_unconfirmed_is_sent_after_the_confirmation(hosts) -> None:
    central, peripheral = await connected_stacks(*hosts)
    level = Characteristic(UUID(0xF001), P.READ | P.INDICATE, value=b"\x00")
    peripheral.gatt.server.register_services([Service(UUID(0xF000), [level])])
    client = central.gatt.client(central.connection)
    await run(client.write(level.cccd_handle, b"\x02\x00"))
    values = client.values(level.value_handle)
    server = peripheral.gatt.server
    att_server = peripheral.gatt.bearer(peripheral.connection).server

    server.write(level.value_handle, b"\x01", send_update=True)
    for _ in range(100):  # until the first indication is on its way (not a timing assertion)
        if att_server.indication_pending:
            break
        await asyncio.sleep(0)
    assert att_server.indication_pending
    server.write(level.value_handle, b"\x02", send_update=True)
    server.write(level.value_handle, b"\x03", send_update=True)

    assert await run(values.get()) == (b"\x01", True)
    assert await run(values.get()) == (b"\x03", True)  # the latest value, once
    await run(client.read(1))
    await run(client.read(1))  # two round trips: a third indication would be here by now
    assert values.empty()


async def test_update_to_one_client_still_reaches_the_others_when_one_fails(hosts) -> None:
    """The loop over connections never stops part-way: a client whose update cannot be built
    (here its bearer is closed under it) does not keep the next client from its notification."""
    central, peripheral = await connected_stacks(*hosts)
    level = Characteristic(UUID(0xF001), P.READ | P.NOTIFY, value=b"\x00")
    peripheral.gatt.server.register_services([Service(UUID(0xF000), [level])])
    client = central.gatt.client(central.connection)
    await run(client.write(level.cccd_handle, b"\x01\x00"))
    values = client.values(level.value_handle)
    gatt = peripheral.gatt

    class Broken:
        connection = peripheral.connection
        closed = False

        @property
        def server(self):
            raise RuntimeError("this client's state is broken")

    real = gatt.bearers
    gatt.bearers = lambda: [Broken(), *real()]  # type: ignore[method-assign,list-item]

    gatt.server.write(level.value_handle, b"\x07", send_update=True)

    assert await run(values.get()) == (b"\x07", False)
