"""Signed Write Without Response between bonded Hosts through real HCI bytes (Vol 3 Part G 4.9.2;
signing with the CSRK distributed in pairing, Vol 3 Part H 2.4.5): accepted on an unencrypted link,
replays refused, SignCounters kept in the bond store across reconnections."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from aioble_hci.att.events import Written
from aioble_hci.att.gatt import Characteristic, Service
from aioble_hci.att.gatt import CharacteristicProperties as P
from aioble_hci.hci import commands as cmd
from aioble_hci.host.connection import Connection
from aioble_hci.host.gatt import Gatt, attach_gatt
from aioble_hci.host.host import Host
from aioble_hci.host.smp import SmpHostConfig, attach_smp
from aioble_hci.host.smp.bond_file import FileBondStore
from aioble_hci.host.smp.errors import NoBondError
from aioble_hci.uuid import UUID
from tests.gatt_host.pair import WAIT, connect

SIGNED = UUID(0xDD01)
PLAIN = UUID(0xDD02)


def run(coro):
    return asyncio.wait_for(coro, WAIT)


class Pair:
    """Two hosts with SMP (no automatic re-encryption) and GATT; the peripheral serves two values."""

    def __init__(self, central: Host, peripheral: Host, tmp_path: Path) -> None:
        self.central, self.peripheral, self.tmp_path = central, peripheral, tmp_path
        self.written: list[tuple[int, bytes]] = []

    async def start(self) -> Pair:
        self.c_smp, self.p_smp = [
            await attach_smp(host, SmpHostConfig(bond_path=self.tmp_path / f"{name}-bonds.json",
                                                 irk_path=self.tmp_path / f"{name}.irk", auto_encrypt=False))
            for name, host in (("c", self.central), ("p", self.peripheral))]
        self.c_gatt, self.p_gatt = attach_gatt(self.central), attach_gatt(self.peripheral)
        self.signed = Characteristic(SIGNED, P.READ | P.AUTHENTICATED_SIGNED_WRITES)
        self.plain = Characteristic(PLAIN, P.READ | P.WRITE)
        self.p_gatt.server.register_services([Service(UUID(0xDD00), [self.signed, self.plain])])
        self.p_gatt.events.on(Written, lambda e: self.written.append((e.handle, e.value)))
        return self

    async def connect(self) -> Connection:
        c_conn, _ = await connect(self.central, self.peripheral)
        return c_conn

    async def disconnect(self, conn: Connection) -> None:
        await self.central.send_command(cmd.Disconnect(conn.handle))
        await run(conn.closed.wait())

    async def barrier(self, conn: Connection) -> None:
        """A Write Request after the commands: its response means the server saw them all."""
        await run(self.c_gatt.client(conn).write(self.plain.value_handle, b"barrier"))

    def signed_values(self) -> list[bytes]:
        return [value for handle, value in self.written if handle == self.signed.value_handle]


@pytest.fixture
async def pair(hosts, tmp_path: Path) -> Pair:
    central, peripheral = hosts
    return await Pair(central, peripheral, tmp_path).start()


async def bonded(pair: Pair) -> Connection:
    """Pair with bonding (the central distributes its CSRK), then reconnect unencrypted."""
    conn = await pair.connect()
    await run(pair.c_smp.pair(conn))
    await pair.disconnect(conn)
    return await pair.connect()


async def test_signed_write_on_an_unencrypted_link_reaches_the_server(pair: Pair) -> None:
    conn = await bonded(pair)
    assert not pair.c_gatt.bearer(conn).security.encrypted

    await run(pair.c_gatt.client(conn).write_signed(pair.signed.value_handle, b"signed!"))
    await pair.barrier(conn)

    assert pair.signed_values() == [b"signed!"]


async def test_sign_counters_are_kept_in_both_bond_stores(pair: Pair) -> None:
    conn = await bonded(pair)
    client = pair.c_gatt.client(conn)
    for value in (b"one", b"two"):
        await run(client.write_signed(pair.signed.value_handle, value))
    await pair.barrier(conn)

    assert pair.c_smp.bonds.flush(WAIT) and pair.p_smp.bonds.flush(WAIT)  # saved off the loop
    (central_bond,) = FileBondStore(pair.tmp_path / "c-bonds.json").bonds()
    (peripheral_bond,) = FileBondStore(pair.tmp_path / "p-bonds.json").bonds()
    assert central_bond.local_sign_counter == 2 and peripheral_bond.peer_sign_counter == 1
    assert pair.signed_values() == [b"one", b"two"]


async def test_a_replayed_signed_write_is_dropped_even_after_reconnecting(pair: Pair) -> None:
    conn = await bonded(pair)
    bearer = pair.c_gatt.bearer(conn)
    csrk, counter = pair.c_smp.next_signature(conn)
    bearer.client.signed_write_command(pair.signed.value_handle, b"once", csrk, counter, bearer.now())
    (pdu,) = bearer.core.data_to_send()  # taken from the core, to be sent (and replayed) by hand
    bearer.send_command(pdu)
    bearer.send_command(pdu)  # replayed on the same link
    await pair.barrier(conn)
    await pair.disconnect(conn)
    conn = await pair.connect()
    pair.c_gatt.bearer(conn).send_command(pdu)  # replayed on a new link: a fresh ATT server
    await pair.barrier(conn)

    assert pair.signed_values() == [b"once"]


async def test_a_signed_write_with_a_wrong_key_is_dropped(pair: Pair) -> None:
    conn = await bonded(pair)
    bearer = pair.c_gatt.bearer(conn)
    bearer.signed_write_command(pair.signed.value_handle, b"forged", bytes(16), 7)
    await pair.barrier(conn)
    assert pair.signed_values() == []


async def test_on_an_encrypted_link_a_plain_write_command_is_sent_instead(pair: Pair) -> None:
    conn = await pair.connect()
    await run(pair.c_smp.pair(conn))
    assert pair.c_gatt.bearer(conn).security.encrypted

    await run(pair.c_gatt.client(conn).write_signed(pair.signed.value_handle, b"plain"))
    await pair.barrier(conn)

    assert pair.signed_values() == [b"plain"]
    assert pair.c_smp.bonds.flush(WAIT)
    (central_bond,) = FileBondStore(pair.tmp_path / "c-bonds.json").bonds()
    assert central_bond.local_sign_counter == 0  # nothing was signed


async def test_signed_write_without_a_bond_says_to_pair_first(pair: Pair) -> None:
    conn = await pair.connect()
    with pytest.raises(NoBondError, match="pair with bonding"):
        await run(pair.c_gatt.client(conn).write_signed(pair.signed.value_handle, b"x"))


async def test_signed_write_without_the_smp_bearer_is_refused(hosts) -> None:
    central, peripheral = hosts
    gatt = attach_gatt(central)
    assert isinstance(gatt, Gatt)
    attach_gatt(peripheral)
    c_conn, _ = await connect(central, peripheral)
    with pytest.raises(RuntimeError, match="attach_smp"):
        await run(gatt.client(c_conn).write_signed(0x0003, b"x"))
