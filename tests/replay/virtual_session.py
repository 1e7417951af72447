"""The application code of the recorded two-host session in captures/virtual_session.btsnoop.

A peripheral serves a small GATT database; the central connects, exchanges the MTU, discovers,
reads, writes, subscribes to notifications and indications, fails to read an encrypted
characteristic, pairs with bonding (LE Secure Connections Just Works in
captures/virtual_session.btsnoop, LE legacy Just Works in captures/virtual_session_legacy.btsnoop),
reads it again and disconnects. `central_session` is the code under test:
captures/record_virtual_session.py runs it on the virtual air, tests/replay runs it against the
recording with no controller at all.

LE Secure Connections replays because each host's P-256 key pair and random source are fixed
(``SmpHostConfig.key_pair``/``random``): the central checks the peer's confirm value against its
own public key and the peer's DHKey check against its own nonce, so both must be what was
recorded. Legacy Just Works needs no such fixing (its checks use only recorded peer values).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aioble_hci.address import Address
from aioble_hci.att.database import AttPermissions
from aioble_hci.att.errors import AttError
from aioble_hci.att.gatt import Characteristic, Service
from aioble_hci.att.gatt import CharacteristicProperties as P
from aioble_hci.controller.air import Air
from aioble_hci.controller.transport import VirtualTransport
from aioble_hci.hci import commands as cmd
from aioble_hci.hci import events as ev
from aioble_hci.hci.constants import StatusCode
from aioble_hci.host.connection import Connection
from aioble_hci.host.gatt import attach_gatt
from aioble_hci.host.host import Host, HostConfig
from aioble_hci.host.smp import SmpHostConfig, attach_smp
from aioble_hci.smp.config import SecurityConfig
from aioble_hci.smp.entropy import SeededRandom
from aioble_hci.smp.toolbox import P256KeyPair
from aioble_hci.uuid import UUID

WAIT = 10.0  # a guard against hangs, never a timing assertion

CENTRAL_ADDRESS = Address.parse("c0:de:00:00:00:01/public")
PERIPHERAL_ADDRESS = Address.parse("c0:de:00:00:00:02/public")
# Fixed local IRKs: the key the central distributes is masked anyway, but a fixed one keeps the
# recording byte-for-byte reproducible.
CENTRAL_IRK = bytes(range(16))
PERIPHERAL_IRK = bytes(range(16, 32))
# Fixed P-256 private keys (not the debug key, which peers refuse by default) and random seeds.
CENTRAL_PRIVATE_KEY = int.from_bytes(bytes(range(1, 33)), "big")
PERIPHERAL_PRIVATE_KEY = int.from_bytes(bytes(range(33, 65)), "big")

SERVICE = UUID("8f1c0000-5d3a-4c1e-9a77-6c6f67676564")
PLAIN = UUID(0xBB01)
ENCRYPTED = UUID(0xBB02)
SENSOR = UUID(0x2A37)
WRITTEN = b"written by the central"
NOTIFIED = b"\x00\x48"
INDICATED = b"\x00\x49"


def make_services() -> tuple[list[Service], Characteristic]:
    """The peripheral's database; the sensor characteristic is returned for notifying."""
    sensor = Characteristic(SENSOR, P.READ | P.NOTIFY | P.INDICATE, value=b"\x00\x47")
    service = Service(SERVICE, [
        Characteristic(PLAIN, P.READ | P.WRITE, value=b"hello"),
        Characteristic(ENCRYPTED, P.READ, AttPermissions.READ_ENCRYPTED, value=b"secret"),
        sensor,
    ])
    return [service], sensor


@dataclass
class SessionResult:
    """What the central learnt: compared between the live run and the replay."""

    mtu: int = 0
    services: list[str] = field(default_factory=list)
    characteristics: list[tuple[str, int]] = field(default_factory=list)
    first_read: bytes = b""
    read_after_write: bytes = b""
    values: list[tuple[bytes, bool]] = field(default_factory=list)
    encrypted_error: int | None = None
    pairing_method: str = ""
    security_level: int = 0
    secure_connections: bool = False
    encrypted_read: bytes = b""
    disconnect_reason: int | None = None


def smp_config(data_dir: Path, irk: bytes, private_key: int, secure_connections: bool) -> SmpHostConfig:
    """Just Works with bonding (SC or legacy), fixed key pair and random source; files under `data_dir`."""
    data_dir.mkdir(parents=True, exist_ok=True)
    irk_path = data_dir / "irk.json"
    irk_path.write_text(json.dumps({"irk": irk.hex()}), encoding="utf-8")
    return SmpHostConfig(security=SecurityConfig(secure_connections=secure_connections, bonding=True),
                         bond_path=data_dir / "bonds.json", irk_path=irk_path, resolving_list=False,
                         key_pair=P256KeyPair.from_private_value(private_key),
                         random=SeededRandom(irk))


async def connect(host: Host, peer: Address) -> Connection:
    """LE Create Connection from our public address (Core Vol 4 Part E, 7.8.12)."""
    done = asyncio.ensure_future(host.wait_for_event(
        ev.LeMetaEvent, lambda e: isinstance(e, (ev.LeConnectionComplete, ev.LeEnhancedConnectionComplete)),
        timeout=WAIT))
    await asyncio.sleep(0)
    await host.send_command(cmd.LeCreateConnection(peer_address=peer, own_address_type=0))
    event: Any = await done
    assert event.status == StatusCode.SUCCESS, event
    return host.connections[event.connection_handle]


async def central_session(host: Host, peer: Address, data_dir: Path, written: bytes = WRITTEN,
                          secure_connections: bool = True,
                          private_key: int = CENTRAL_PRIVATE_KEY) -> SessionResult:
    """The central's application: everything it learns goes into the result."""
    result = SessionResult()
    smp = await attach_smp(host, smp_config(data_dir, CENTRAL_IRK, private_key, secure_connections))
    gatt = attach_gatt(host)
    conn = await connect(host, peer)
    client = gatt.client(conn)
    result.mtu = await asyncio.wait_for(client.exchange_mtu(), WAIT)
    services = await asyncio.wait_for(client.discover_services(), WAIT)
    result.services = [str(s.uuid) for s in services]
    service = next(s for s in services if s.uuid == SERVICE)
    chars = {c.uuid: c for c in await asyncio.wait_for(client.discover_characteristics(service), WAIT)}
    result.characteristics = [(str(c.uuid), c.value_handle) for c in chars.values()]
    plain, encrypted, sensor = chars[PLAIN], chars[ENCRYPTED], chars[SENSOR]
    result.first_read = await asyncio.wait_for(client.read(plain.value_handle), WAIT)
    await asyncio.wait_for(client.write(plain.value_handle, written), WAIT)
    result.read_after_write = await asyncio.wait_for(client.read(plain.value_handle), WAIT)
    values = client.values(sensor.value_handle)
    await asyncio.wait_for(client.subscribe(sensor, notify=True, indicate=True), WAIT)
    for _ in range(2):
        result.values.append(await asyncio.wait_for(values.get(), WAIT))
    try:
        await asyncio.wait_for(client.read(encrypted.value_handle), WAIT)
    except AttError as error:
        result.encrypted_error = int(error.code)
    pairing = await asyncio.wait_for(smp.pair(conn), WAIT)
    result.pairing_method = "stored key" if pairing.method is None else pairing.method.value
    result.security_level = pairing.security.level
    result.secure_connections = pairing.security.sc
    result.encrypted_read = await asyncio.wait_for(client.read(encrypted.value_handle), WAIT)
    await host.send_command(cmd.Disconnect(connection_handle=conn.handle,
                                           reason=StatusCode.REMOTE_USER_TERMINATED_CONNECTION))
    await asyncio.wait_for(conn.closed.wait(), WAIT)
    result.disconnect_reason = conn.disconnect_reason
    return result


async def peripheral_session(host: Host, data_dir: Path, secure_connections: bool = True) -> None:
    """Serve the database, advertise, notify and indicate once the central subscribes; until disconnected."""
    await attach_smp(host, smp_config(data_dir, PERIPHERAL_IRK, PERIPHERAL_PRIVATE_KEY, secure_connections))
    gatt = attach_gatt(host)
    services, sensor = make_services()
    gatt.server.register_services(services)
    await host.send_command(cmd.LeSetAdvertisingParameters(0x20, 0x20, 0, 0))
    await host.send_command(cmd.LeSetAdvertisingData(b"\x02\x01\x06\x08\x09replay!"))
    connected = asyncio.ensure_future(host.wait_for_event(
        ev.LeMetaEvent, lambda e: isinstance(e, (ev.LeConnectionComplete, ev.LeEnhancedConnectionComplete)),
        timeout=WAIT))
    await asyncio.sleep(0)
    await host.send_command(cmd.LeSetAdvertisingEnable(1))
    event: Any = await connected
    conn = host.connections[event.connection_handle]
    while gatt.server.subscription(conn, sensor.value_handle) != 3:  # notify and indicate (CCCD)
        await asyncio.sleep(0.01)
    gatt.server.notify(conn, sensor.value_handle, NOTIFIED)
    await asyncio.wait_for(gatt.server.indicate(conn, sensor.value_handle, INDICATED), WAIT)
    await asyncio.wait_for(conn.closed.wait(), WAIT)


async def record(capture: Path, data_dir: Path, secure_connections: bool = True) -> SessionResult:
    """Run both hosts on a private fast air, the central recording through its capture hook."""
    air = Air(loop=asyncio.get_running_loop(), fast=True)
    central = Host(VirtualTransport("virtual", air=air, address=CENTRAL_ADDRESS),
                   HostConfig(capture_path=str(capture)))
    peripheral = Host(VirtualTransport("virtual", air=air, address=PERIPHERAL_ADDRESS))
    try:
        await central.start()
        await peripheral.start()
        serving = asyncio.ensure_future(
            peripheral_session(peripheral, data_dir / "peripheral", secure_connections))
        result = await central_session(central, PERIPHERAL_ADDRESS, data_dir / "central",
                                       secure_connections=secure_connections)
        await asyncio.wait_for(serving, WAIT)
    finally:
        await central.close()
        await peripheral.close()
    return result
