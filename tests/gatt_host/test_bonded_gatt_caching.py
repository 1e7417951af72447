"""A bonded client across a change of our database while it was away (Vol 3 Part G 2.5.2, 7.1): the
bond keeps the Database Hash of the database its CCCDs refer to; on reconnection they are restored
only when that hash is still ours, otherwise cleared, and Service Changed is indicated once the
link is encrypted again. And a bonded peer on a link not yet encrypted is told to encrypt
(Insufficient Encryption, Vol 3 Part C 10.3.1), not to pair."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from aioble_hci.att.database import AttPermissions
from aioble_hci.att.errors import AttError
from aioble_hci.att.gatt import SERVICE_CHANGED, Characteristic, Service, gatt_service
from aioble_hci.att.gatt import CharacteristicProperties as P
from aioble_hci.att.pdus import ErrorCode
from aioble_hci.hci import commands as cmd
from aioble_hci.host.connection import Connection
from aioble_hci.host.gatt import Gatt, attach_gatt
from aioble_hci.host.host import Host
from aioble_hci.host.smp import Smp, SmpHostConfig, attach_smp
from aioble_hci.host.smp.bond_file import FileBondStore
from aioble_hci.uuid import UUID
from tests.gatt_host.pair import WAIT, connect

SENSOR = UUID(0x2A37)
OTHER = UUID(0xD0D0)


def run(coro):
    return asyncio.wait_for(coro, WAIT)


def sensor_service() -> Service:
    return Service(UUID(0xEE00), [Characteristic(SENSOR, P.READ | P.NOTIFY, value=b"\x00"),
                                  Characteristic(UUID(0xEE02), P.READ, AttPermissions.READ_ENCRYPTED,
                                                 value=b"secret")])


def other_service() -> Service:
    return Service(UUID(0xDD00), [Characteristic(OTHER, P.READ | P.NOTIFY, value=b"\x01")])


class Bonded:
    """Two Hosts with SMP (no automatic re-encryption, so the test decides when) and GATT."""

    def __init__(self, central: Host, peripheral: Host, tmp_path: Path) -> None:
        self.central, self.peripheral, self.tmp_path = central, peripheral, tmp_path

    async def start(self) -> Bonded:
        smps = [await attach_smp(host, SmpHostConfig(bond_path=self.tmp_path / f"{name}-bonds.json",
                                                     irk_path=self.tmp_path / f"{name}.irk", auto_encrypt=False))
                for name, host in (("c", self.central), ("p", self.peripheral))]
        self.c_smp: Smp = smps[0]
        self.c_gatt: Gatt = attach_gatt(self.central)
        self.p_gatt: Gatt = attach_gatt(self.peripheral)
        self.sensor = sensor_service()
        self.p_gatt.server.register_services([self.sensor])
        return self

    async def connect(self) -> tuple[Connection, Connection]:
        return await connect(self.central, self.peripheral)

    async def disconnect(self, conn: Connection) -> None:
        await self.central.send_command(cmd.Disconnect(conn.handle))
        await run(conn.closed.wait())

    async def bond_and_subscribe(self) -> tuple[int, int]:
        """Pair with bonding, subscribe to Service Changed and the sensor, disconnect:
        (Service Changed value handle, sensor CCCD handle) as the client knows them."""
        c_conn, _ = await self.connect()
        await run(self.c_smp.pair(c_conn))
        client = self.c_gatt.client(c_conn)
        sc_handle = 0
        for service in await run(client.discover_services()):
            for char in await run(client.discover_characteristics(service)):
                if char.uuid in (SERVICE_CHANGED, SENSOR):
                    cccd = await run(client.find_cccd(char))
                    await run(client.write(cccd, b"\x02\x00" if char.uuid == SERVICE_CHANGED else b"\x01\x00"))
                    sc_handle = char.value_handle if char.uuid == SERVICE_CHANGED else sc_handle
        await self.disconnect(c_conn)
        return sc_handle, self.sensor.characteristics[0].cccd_handle

    def stored_hash(self) -> str | None:
        assert self.peripheral.smp.bonds.flush(WAIT)  # saved off the host loop: wait for the file
        (bond,) = FileBondStore(self.tmp_path / "p-bonds.json").bonds()
        return dict(bond.gatt).get("database_hash")


@pytest.fixture
async def bonded(hosts, tmp_path: Path) -> Bonded:
    return await Bonded(hosts[0], hosts[1], tmp_path).start()


async def test_bond_keeps_the_database_hash_its_cccds_refer_to(bonded: Bonded) -> None:
    await bonded.bond_and_subscribe()

    assert bonded.stored_hash() == bonded.p_gatt.server.database_hash.hex()


async def test_bonded_cccds_are_restored_when_the_database_hash_matches(bonded: Bonded) -> None:
    await bonded.bond_and_subscribe()

    _, p_conn = await bonded.connect()

    assert bonded.p_gatt.server.subscription(p_conn, bonded.sensor.characteristics[0].value_handle) == 0x01


async def test_bonded_cccds_are_not_restored_onto_a_changed_database(bonded: Bonded) -> None:
    """Vol 3 Part G 2.5.2: the stored CCCD handle now names another characteristic; restoring it
    by handle would notify a value the client never subscribed to."""
    _, sensor_cccd = await bonded.bond_and_subscribe()
    other = other_service()
    bonded.p_gatt.server.register_services([other, sensor_service()])
    assert other.characteristics[0].cccd_handle == sensor_cccd  # the old handle, another characteristic

    c_conn, p_conn = await bonded.connect()

    server = bonded.p_gatt.server
    assert server.subscription(p_conn, other.characteristics[0].value_handle) == 0
    values = bonded.c_gatt.client(c_conn).values(other.characteristics[0].value_handle)
    server.write(other.characteristics[0].value_handle, b"\x02", send_update=True)
    await run(bonded.c_gatt.client(c_conn).read(1))
    assert values.empty()


async def test_bonded_client_away_during_a_change_gets_service_changed_after_re_encryption(bonded: Bonded) -> None:
    """Vol 3 Part G 2.5.2 and 7.1: a bonded client that enabled Service Changed and was not
    connected when the database changed gets the indication when it comes back, once the link is
    encrypted; confirming it makes the bond record the new Database Hash."""
    sc_handle, _ = await bonded.bond_and_subscribe()
    old_hash = bonded.stored_hash()
    bonded.p_gatt.server.register_services([other_service(), sensor_service()])

    c_conn, _ = await bonded.connect()
    client = bonded.c_gatt.client(c_conn)
    values = client.values(sc_handle)
    await run(client.read(1))
    assert values.empty()  # not before encryption

    await run(bonded.c_smp.encrypt(c_conn))

    value, indication = await run(values.get())
    assert indication and value == bytes.fromhex("0100ffff")
    await run(client.read(1))  # the confirmation has reached the server
    assert bonded.stored_hash() == bonded.p_gatt.server.database_hash.hex() != old_hash


async def test_bonded_peer_on_unencrypted_link_gets_insufficient_encryption(bonded: Bonded) -> None:
    """Vol 3 Part C 10.3.1: when an LTK exists for the peer, an attribute that needs encryption
    answers Insufficient Encryption (0x0F), so the client encrypts instead of pairing again."""
    await bonded.bond_and_subscribe()
    c_conn, _ = await bonded.connect()

    with pytest.raises(AttError) as error:
        await run(bonded.c_gatt.client(c_conn).read(bonded.sensor.characteristics[1].value_handle))

    assert error.value.code == ErrorCode.INSUFFICIENT_ENCRYPTION


async def test_bonded_robust_caching_client_away_during_a_change_is_change_unaware_on_return(
    bonded: Bonded,
) -> None:
    """Vol 3 Part G 2.5.2.1 and 7.2: a bonded client's Client Supported Features and change-aware
    state persist across connections; after a change while it was away its first request gets
    Database Out Of Sync (0x12), and the next one is served."""
    caching = gatt_service(database_hash=True, client_supported_features=True)
    bonded.p_gatt.server.register_services([sensor_service()], gatt=caching)
    c_conn, _ = await bonded.connect()
    await run(bonded.c_smp.pair(c_conn))
    client = bonded.c_gatt.client(c_conn)
    ((csf, _),) = await run(client.read_by_uuid(UUID(0x2B29)))
    await run(client.write(csf, b"\x01"))
    await bonded.disconnect(c_conn)
    bonded.p_gatt.server.register_services(
        [other_service(), sensor_service()], gatt=gatt_service(database_hash=True, client_supported_features=True))

    c_conn, _ = await bonded.connect()
    await run(bonded.c_smp.encrypt(c_conn))
    client = bonded.c_gatt.client(c_conn)

    with pytest.raises(AttError) as error:
        await run(client.read(1))
    assert error.value.code == ErrorCode.DATABASE_OUT_OF_SYNC
    assert await run(client.read(1)) != b""
