"""A bonded peer's CCCDs persist across connections (Core Vol 3 Part G, 3.3.3.3): kept in its bond
by the SMP bearer (use_smp), restored into the new connection's ATT server; never for unbonded peers."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aioble_hci.att.gatt import Characteristic, Service
from aioble_hci.att.gatt import CharacteristicProperties as P
from aioble_hci.hci import commands as cmd
from aioble_hci.host.connection import Connection
from aioble_hci.host.gatt import Gatt, attach_gatt
from aioble_hci.host.host import Host
from aioble_hci.host.smp import Smp, SmpHostConfig, attach_smp
from aioble_hci.host.smp.bond_file import FileBondStore
from aioble_hci.uuid import UUID
from tests.gatt_host.pair import WAIT, connect

SENSOR = UUID(0x2A37)


def run(coro):
    return asyncio.wait_for(coro, WAIT)


async def stacks(central: Host, peripheral: Host, tmp_path: Path) -> tuple[Smp, Gatt, Gatt, Characteristic]:
    smps = [await attach_smp(host, SmpHostConfig(bond_path=tmp_path / f"{name}-bonds.json",
                                                 irk_path=tmp_path / f"{name}.irk"))
            for name, host in (("c", central), ("p", peripheral))]
    c_gatt, p_gatt = attach_gatt(central), attach_gatt(peripheral)
    sensor = Characteristic(SENSOR, P.READ | P.NOTIFY | P.INDICATE, value=b"\x00")
    p_gatt.server.register_services([Service(UUID(0xEE00), [sensor])])
    return smps[0], c_gatt, p_gatt, sensor


async def subscribe(c_gatt: Gatt, conn: Connection, sensor: Characteristic) -> None:
    client = c_gatt.client(conn)
    (char,) = [c for s in await run(client.discover_services()) if s.uuid == UUID(0xEE00)
               for c in await run(client.discover_characteristics(s))]
    await run(client.subscribe(char, notify=True, indicate=False))


async def disconnect(central: Host, conn: Connection) -> None:
    await central.send_command(cmd.Disconnect(conn.handle))
    await run(conn.closed.wait())


async def test_bonded_peers_subscription_is_restored_on_reconnection(hosts, tmp_path: Path) -> None:
    central, peripheral = hosts
    c_smp, c_gatt, p_gatt, sensor = await stacks(central, peripheral, tmp_path)
    c_conn, p_conn = await connect(central, peripheral)
    await run(c_smp.pair(c_conn))
    await subscribe(c_gatt, c_conn, sensor)
    assert p_gatt.server.subscription(p_conn, sensor.value_handle) == 1
    await disconnect(central, c_conn)
    assert peripheral.smp.bonds.flush(WAIT)  # saved off the host loop: wait for the file
    (bond,) = FileBondStore(tmp_path / "p-bonds.json").bonds()
    assert dict(bond.cccd) == {sensor.cccd_handle: 1}

    c_conn, p_conn = await connect(central, peripheral)

    assert p_gatt.server.subscription(p_conn, sensor.value_handle) == 1  # without writing the CCCD again
    values = c_gatt.client(c_conn).values(sensor.value_handle)
    p_gatt.server.write(sensor.value_handle, b"\x2a", send_update=True)
    assert await run(values.get()) == (b"\x2a", False)


async def test_subscription_made_before_bonding_is_kept_once_bonded(hosts, tmp_path: Path) -> None:
    central, peripheral = hosts
    c_smp, c_gatt, p_gatt, sensor = await stacks(central, peripheral, tmp_path)
    c_conn, _ = await connect(central, peripheral)
    await subscribe(c_gatt, c_conn, sensor)

    await run(c_smp.pair(c_conn))

    assert peripheral.smp.bonds.flush(WAIT)
    (bond,) = FileBondStore(tmp_path / "p-bonds.json").bonds()
    assert dict(bond.cccd) == {sensor.cccd_handle: 1}


async def test_unbonded_peers_subscription_ends_with_the_connection(hosts, tmp_path: Path) -> None:
    central, peripheral = hosts
    _, c_gatt, p_gatt, sensor = await stacks(central, peripheral, tmp_path)
    c_conn, _ = await connect(central, peripheral)
    await subscribe(c_gatt, c_conn, sensor)
    await disconnect(central, c_conn)

    _, p_conn = await connect(central, peripheral)

    assert p_gatt.server.subscription(p_conn, sensor.value_handle) == 0
    assert peripheral.smp.bonds.flush(WAIT)
    assert FileBondStore(tmp_path / "p-bonds.json").bonds() == []
