"""The air in its realistic mode: advertising and connection events follow the intervals asked for.

No timing assertions: these check that things happen when the air keeps real time.
"""

from __future__ import annotations

import asyncio
import struct

from aioble_hci.controller.air import Air
from aioble_hci.controller.controller import VirtualController
from tests.controller.rawhost import RawHost


async def real_time_pair(**air_options) -> tuple[Air, RawHost, RawHost]:
    air = Air(loop=asyncio.get_running_loop(), fast=False, **air_options)
    hosts = []
    for address in ("111111111111", "222222222222"):
        host = RawHost(VirtualController(air))
        await host.init()
        await host.ok(0xFC06, bytes.fromhex(address))
        hosts.append(host)
    return air, hosts[0], hosts[1]


async def test_real_time_air_delivers_advertising_at_the_advertising_interval(make_host):
    _, scanner, advertiser = await real_time_pair()
    await advertiser.advertise(adv_type=3)  # 0x20 x 0.625 ms = 20 ms
    await scanner.scan()
    assert (await scanner.le_event(0x02))[3:9] == bytes.fromhex("222222222222")


async def test_real_time_air_connects_and_carries_data_on_connection_events():
    _, central, peripheral = await real_time_pair()
    await peripheral.advertise(adv_type=0)
    await central.command(0x200D, central.create_connection_params((0, bytes.fromhex("222222222222")), interval=6,
                                                                   timeout=10))
    handle = struct.unpack_from("<H", await central.le_event(0x0A), 1)[0]
    await peripheral.accepted()
    central.send_acl(handle, b"\x01\x00\x04\x00\x0a")
    assert (await peripheral.receive_acl())[2] == b"\x01\x00\x04\x00\x0a"


async def test_real_time_supervision_timeout_after_peer_vanishes():
    _, central, peripheral = await real_time_pair(connection_interval_ms=5.0)
    await peripheral.advertise(adv_type=0)
    await central.command(0x200D, central.create_connection_params((0, bytes.fromhex("222222222222")), interval=6,
                                                                   timeout=10))  # 100 ms
    handle = struct.unpack_from("<H", await central.le_event(0x0A), 1)[0]
    peripheral.controller.power_off()
    assert await central.event(0x05) == struct.pack("<BHB", 0, handle, 0x08)
