"""Two real Hosts (aioble_hci.host) on one virtual air: advertise, connect, L2CAP both ways, disconnect."""

from __future__ import annotations

import asyncio

from aioble_hci.address import Address
from aioble_hci.controller.air import Air
from aioble_hci.controller.transport import VirtualTransport
from aioble_hci.hci.commands import (
    Disconnect,
    LeCreateConnection,
    LeSetAdvertisingData,
    LeSetAdvertisingEnable,
    LeSetAdvertisingParameters,
)
from aioble_hci.hci.events import DisconnectionComplete
from aioble_hci.host.host import Host

PERIPHERAL = Address.parse("22:22:22:22:22:22/public")


async def test_two_hosts_connect_exchange_l2cap_and_see_disconnect_reasons():
    air = Air(loop=asyncio.get_running_loop(), fast=True)
    central = Host(VirtualTransport("virtual", air=air, address=Address.parse("11:11:11:11:11:11/public")))
    peripheral = Host(VirtualTransport("virtual", air=air, address=PERIPHERAL))
    await central.start()
    await peripheral.start()
    try:
        received: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
        central.register_fixed_channel(0x0004, lambda conn, pdu: received.put_nowait(("central", pdu)))
        peripheral.register_fixed_channel(0x0004, lambda conn, pdu: received.put_nowait(("peripheral", pdu)))

        await peripheral.send_command(LeSetAdvertisingParameters(advertising_interval_min=0x20, advertising_interval_max=0x20))
        await peripheral.send_command(LeSetAdvertisingData(advertising_data=b"\x02\x01\x06"))
        await peripheral.send_command(LeSetAdvertisingEnable(advertising_enable=1))
        await central.send_command(LeCreateConnection(peer_address=PERIPHERAL))
        while not (central.connections and peripheral.connections):
            await asyncio.sleep(0.01)
        (ch,) = central.connections
        (ph,) = peripheral.connections

        long_pdu = bytes(range(256)) * 2  # fragmented to the 251-byte ACL buffers and reassembled
        central.send_l2cap(ch, 0x0004, long_pdu)
        assert await asyncio.wait_for(received.get(), 5) == ("peripheral", long_pdu)
        peripheral.send_l2cap(ph, 0x0004, b"\x0b\x01")
        assert await asyncio.wait_for(received.get(), 5) == ("central", b"\x0b\x01")

        gone = asyncio.ensure_future(peripheral.wait_for_event(DisconnectionComplete, timeout=5))
        await central.send_command(Disconnect(connection_handle=ch, reason=0x13))
        assert (await gone).reason == 0x13
    finally:
        await central.close()
        await peripheral.close()
