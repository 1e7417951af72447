"""aioble's scan, connect, GATT client and server, L2CAP and security paths over the real
``bluetooth`` facade (aioble-api.md sections 6-12), against a low-level peer on a virtual air.

Each test checks what aioble hands the application (addresses, names, values, channel MTUs,
security state) against what the peer really did, so a facade that delivers an IRQ tuple in
another order than MicroPython's (docs/library/bluetooth.rst, "Event Handling") fails here.
"""

from __future__ import annotations

import asyncio
from typing import Any

import bluetooth
from tests.aioble_real.conftest import ADV_NAME, World

SERVICE = bluetooth.UUID("7e2c0300-1b9b-4d4e-9a43-2f1d5b8b0a01")
CHAR = bluetooth.UUID("7e2c0301-1b9b-4d4e-9a43-2f1d5b8b0a01")
BATTERY = bluetooth.UUID(0x180F)
FLAG_READ_ENCRYPTED = 0x0200
PSM = 0x0081
TIMEOUT_MS = 3000

# Flags (LE General Discoverable, no BR/EDR), Complete Local Name, Complete 16-bit Service UUIDs.
ADV = b"\x02\x01\x06" + bytes((len(ADV_NAME) + 1, 0x09)) + ADV_NAME.encode() + b"\x03\x03\x0f\x18"


def _peer_server(world: World, flags: int) -> int:
    """The peer serves one characteristic (value b"peer value") and advertises; its value handle."""
    ((handle,),) = world.peer.gatts_register_services(((SERVICE, ((CHAR, flags),)),))
    world.peer.gatts_write(handle, b"peer value")
    world.peer.gap_advertise(20_000, ADV)
    return handle


def test_scan_reports_the_peers_address_type_name_services_and_connectability(world: World) -> None:
    """_IRQ_SCAN_RESULT is (addr_type, addr, adv_type, rssi, adv_data): aioble's ScanResult
    shows each in its place."""
    world.peer.gap_advertise(20_000, ADV)
    addr_type, addr = world.peer_mac

    async def scan() -> Any:
        async with world.aioble.scan(2000, interval_us=30_000, window_us=30_000) as scanner:
            async for result in scanner:
                if result.name() == ADV_NAME:
                    return result
        return None

    result = asyncio.run(scan())
    assert result is not None, "the peer's advertising was not seen"
    assert (result.device.addr_type, bytes(result.device.addr)) == (addr_type, addr)
    assert result.connectable is True  # ADV_IND
    assert list(result.services()) == [BATTERY]
    assert isinstance(result.rssi, int) and -127 <= result.rssi < 0
    assert bytes(result.adv_data) == ADV


def test_central_discovers_reads_writes_and_is_notified(world: World) -> None:
    handle = _peer_server(world, bluetooth.FLAG_READ | bluetooth.FLAG_WRITE | bluetooth.FLAG_NOTIFY)

    async def client() -> list[Any]:
        seen: list[Any] = []
        connection = await world.aioble.Device(*world.peer_mac).connect(timeout_ms=TIMEOUT_MS)
        seen.append(connection.device.addr_hex())
        service = await connection.service(SERVICE)
        characteristic = await service.characteristic(CHAR)
        seen.append(characteristic._value_handle == handle)
        seen.append(await characteristic.read(timeout_ms=TIMEOUT_MS))
        await characteristic.write(b"from aioble", response=True, timeout_ms=TIMEOUT_MS)
        seen.append(world.peer.gatts_read(handle))
        await characteristic.subscribe(notify=True)
        conn_p = world.peer_irqs.wait(1)[0]
        world.peer.gatts_notify(conn_p, handle, b"notified")
        seen.append(await characteristic.notified(timeout_ms=TIMEOUT_MS))
        await connection.disconnect(timeout_ms=TIMEOUT_MS)
        return seen

    seen = asyncio.run(client())
    mac_hex = ":".join(f"{octet:02x}" for octet in world.peer_mac[1])
    assert seen == [mac_hex, True, b"peer value", b"from aioble", b"notified"]
    world.peer_irqs.wait(2)  # the peer saw the central go


def test_peripheral_serves_reads_takes_writes_and_notifies_a_low_level_central(world: World) -> None:
    aioble = world.aioble
    service = aioble.Service(SERVICE)
    characteristic = aioble.Characteristic(service, CHAR, read=True, write=True, notify=True)
    aioble.register_services(service)
    characteristic.write(b"served")
    peer = world.peer
    peer_irqs = world.peer_irqs

    async def server() -> list[Any]:
        seen: list[Any] = []
        advertising = asyncio.create_task(aioble.advertise(20_000, name="aioble-srv", timeout_ms=TIMEOUT_MS))
        await asyncio.sleep(0.05)
        peer.gap_connect(*world.aioble_mac())
        connection = await advertising
        seen.append(bytes(connection.device.addr) == world.peer_mac[1])
        conn = peer_irqs.wait(7)[0]
        peer.gattc_discover_characteristics(conn, 1, 0xFFFF, CHAR)
        value_handle = peer_irqs.wait(11)[2]
        peer_irqs.wait(12)
        peer.gattc_read(conn, value_handle)
        seen.append(bytes(peer_irqs.wait(15)[2]))
        peer.gattc_write(conn, value_handle, b"written", 1)
        seen.append((await characteristic.written(timeout_ms=TIMEOUT_MS)) is connection)
        seen.append(characteristic.read())
        characteristic.notify(connection, b"ping")
        seen.append(bytes(peer_irqs.wait(18)[2]))
        peer.gap_disconnect(conn)
        await connection.disconnected(timeout_ms=TIMEOUT_MS)
        return seen

    assert asyncio.run(server()) == [True, b"served", True, b"written", b"ping"]


def test_l2cap_channel_opens_with_both_mtus_carries_data_both_ways_and_closes(world: World) -> None:
    peer = world.peer
    peer_irqs = world.peer_irqs
    peer.gap_advertise(20_000, ADV)
    peer.l2cap_listen(PSM, 256)
    # Who raised L2CAP_DISCONNECT first, across the two stacks (each appends on its host thread).
    closes: list[str] = []
    peer_irqs.answers[24] = lambda data: closes.append("peer")
    core = world.mod("core")

    def aioble_irq(event: int, data: Any) -> Any:
        if event == 24:
            closes.append("aioble")
        return core.ble_irq(event, data)

    world.ble.irq(aioble_irq)

    async def central() -> list[Any]:
        seen: list[Any] = []
        connection = await world.aioble.Device(*world.peer_mac).connect(timeout_ms=TIMEOUT_MS)
        channel = await connection.l2cap_connect(PSM, 128, timeout_ms=TIMEOUT_MS)
        seen.append((channel.our_mtu, channel.peer_mtu))
        conn, cid = peer_irqs.wait(23)[:2]
        await channel.send(b"hello l2cap")
        await channel.flush(timeout_ms=TIMEOUT_MS)
        peer_irqs.wait(25)
        buf = bytearray(64)
        count = peer.l2cap_recvinto(conn, cid, buf)
        seen.append(bytes(buf[:count]))
        peer.l2cap_send(conn, cid, b"reply")
        count = await channel.recvinto(buf, timeout_ms=TIMEOUT_MS)
        seen.append(bytes(buf[:count]))
        await channel.disconnect(timeout_ms=TIMEOUT_MS)
        # Orderly close (Vol 3 Part A, 4.6-4.7): disconnect() returns once the peer answered, so
        # the peer's L2CAP_DISCONNECT (cid, psm, status 0) is already there, not still to come.
        seen.append([data[1:] for event, data in peer_irqs.drain() if event == 24])
        seen.append(list(closes))
        await connection.disconnect(timeout_ms=TIMEOUT_MS)
        return seen

    seen = asyncio.run(central())
    assert seen[:3] == [(128, 256), b"hello l2cap", b"reply"]
    assert [closed[1:] for closed in seen[3]] == [(PSM, 0)]
    assert seen[4] == ["peer", "aioble"]  # the initiator hears of the close after the peer answered


def test_pairing_encrypts_the_link_and_opens_an_encrypted_characteristic(world: World) -> None:
    handle = _peer_server(world, bluetooth.FLAG_READ | FLAG_READ_ENCRYPTED)
    aioble = world.aioble

    async def central() -> list[Any]:
        seen: list[Any] = []
        connection = await aioble.Device(*world.peer_mac).connect(timeout_ms=TIMEOUT_MS)
        characteristic = await (await connection.service(SERVICE)).characteristic(CHAR)
        try:
            await characteristic.read(timeout_ms=TIMEOUT_MS)
        except aioble.GattError as exc:
            seen.append(hex(exc._status))
        await connection.pair(bond=False, timeout_ms=TIMEOUT_MS)
        seen.append((connection.encrypted, connection.authenticated, connection.bonded, connection.key_size))
        seen.append(await characteristic.read(timeout_ms=TIMEOUT_MS))
        await connection.disconnect(timeout_ms=TIMEOUT_MS)
        return seen

    assert asyncio.run(central()) == ["0x105", (True, False, False, 16), b"peer value"]
    assert world.peer_irqs.wait(28)[1:4] == (1, 0, 0)
    assert world.peer.gatts_read(handle) == b"peer value"


def test_pair_with_bond_true_bonds_when_the_peer_bonds_too_and_stores_the_secret(world: World) -> None:
    """aioble's pair(bond=True) sets config(bond=True) (MicroPython's default is no bonding);
    with the peer bonding too, both sides report bonded=1 and aioble stores the peer's keys."""
    _peer_server(world, bluetooth.FLAG_READ)
    world.peer.config(bond=True)
    aioble = world.aioble
    security = world.mod("security")

    async def central() -> Any:
        connection = await aioble.Device(*world.peer_mac).connect(timeout_ms=TIMEOUT_MS)
        await connection.pair(bond=True, timeout_ms=TIMEOUT_MS)
        state = (connection.encrypted, connection.bonded)
        await connection.disconnect(timeout_ms=TIMEOUT_MS)
        return state

    assert asyncio.run(central()) == (True, True)
    assert world.peer_irqs.wait(28)[1:4] == (1, 0, 1)
    assert any(sec_type == 2 for sec_type, _ in security._secrets)
