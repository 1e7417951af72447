"""The static identity address survives restarts (Core Vol 6 Part B, 1.3.2.1).

A controller with BD_ADDR 00:00:00:00:00:00 and no Zephyr static address leaves the host to make
a random static address. 1.3.2.1: a static address "shall not change" while the device runs and
a new one makes a new identity; bonded peers know us by the identity address we distributed
(Vol 3 Part H, 3.6.5), so it must persist beside the IRK, as the bonds do. Each test keeps the
user's data directory (XDG_DATA_HOME) in tmp_path and uses the defaults there.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from aioble_hci.address import Address
from aioble_hci.controller.air import Air
from aioble_hci.controller.transport import VirtualTransport
from aioble_hci.hci.commands import Disconnect, LeCreateConnection
from aioble_hci.hci.constants import StatusCode
from aioble_hci.hci.packets import PacketType
from aioble_hci.host.gap import Gap, attach_gap
from aioble_hci.host.host import Host
from aioble_hci.host.smp import Smp, SmpHostConfig, attach_smp
from tests.smp_host.world import advertise, until

PEER_ADDRESS = Address.parse("22:22:22:22:22:22/public")
ZEPHYR_READ_STATIC_ADDRESSES = b"\x09\xfc"


class NoStaticAddressTransport(VirtualTransport):
    """A controller with no public address whose Zephyr Read Static Addresses is unknown (a
    build without the vendor extension): the host has no identity address from the controller."""

    def send(self, packet_type: PacketType, payload: bytes) -> None:
        if packet_type == PacketType.COMMAND and payload[:2] == ZEPHYR_READ_STATIC_ADDRESSES:
            unknown = bytes([0x0E, 0x04, 0x01, *ZEPHYR_READ_STATIC_ADDRESSES, StatusCode.UNKNOWN_HCI_COMMAND])
            asyncio.get_running_loop().call_soon(self._deliver, PacketType.EVENT, unknown)
            return
        super().send(packet_type, payload)


class Ours:
    """Our device, started with the default data directory, as an application would."""

    def __init__(self, host: Host, gap: Gap, smp: Smp) -> None:
        self.host, self.gap, self.smp = host, gap, smp

    @classmethod
    async def start(cls, air: Air) -> Ours:
        host = Host(NoStaticAddressTransport(air=air))
        await host.start()
        gap = await attach_gap(host)
        smp = await attach_smp(host)
        return cls(host, gap, smp)

    async def stop(self) -> None:
        self.gap.close()
        await self.host.close()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "ours"))
    return tmp_path / "ours" / "aioble-hci"


@pytest.fixture
async def air() -> Air:
    return Air(loop=asyncio.get_running_loop(), fast=True)


async def test_two_starts_give_one_static_identity(air: Air, data_dir: Path) -> None:
    """Vol 6 Part B 1.3.2.1: without a public or vendor static address, the generated static
    address is the same at the next start, and it is the identity SMP distributes."""
    first = await Ours.start(air)
    assert first.host.controller_info.address is None  # nothing from the controller
    identity = first.gap.identity_address
    assert identity is not None and identity.is_static
    local = first.smp.local_identity
    assert local is not None and local.address == identity
    await first.stop()

    second = await Ours.start(air)
    try:
        assert second.gap.identity_address == identity
        assert second.gap.address == identity
        second_local = second.smp.local_identity
        assert second_local is not None and second_local == local  # same IRK, same address
        assert (data_dir / "static_address.json").exists() and (data_dir / "local_irk.json").exists()
    finally:
        await second.stop()


async def test_bonded_peer_reconnects_and_reencrypts_after_our_restart(air: Air, data_dir: Path,
                                                                      tmp_path: Path) -> None:
    """Vol 6 Part B 1.3.2.1 with Vol 3 Part H 2.4.1: a peer bonded with our identity finds us
    again after we restart, connects to that identity address and re-encrypts with the stored
    LTK, with no new pairing."""
    peer_host = Host(VirtualTransport(air=air, address=PEER_ADDRESS))
    await peer_host.start()
    peer = await attach_smp(peer_host, SmpHostConfig(bond_path=tmp_path / "peer-bonds.json",
                                                     irk_path=tmp_path / "peer-irk.json"))
    pairings: list[object] = []
    peer.on_pairing_finished(lambda conn, result, error: pairings.append(error or result))
    ours = await Ours.start(air)
    try:
        identity = ours.gap.identity_address
        assert identity is not None
        await advertise(ours.host, own_address_type=1)
        await peer_host.send_command(LeCreateConnection(peer_address=identity, own_address_type=0))
        await until(lambda: bool(peer_host.connections and ours.host.connections))
        (conn,) = peer_host.connections.values()
        result = await peer.pair(conn, bond=True)
        assert result.security.bonded
        bond = peer.bond_for(conn)
        assert bond is not None and bond.peer == identity
        await peer_host.send_command(Disconnect(connection_handle=conn.handle,
                                                reason=StatusCode.REMOTE_USER_TERMINATED_CONNECTION))
        await until(lambda: not peer_host.connections and not ours.host.connections)
        await ours.stop()

        ours = await Ours.start(air)
        await advertise(ours.host, own_address_type=1)
        await peer_host.send_command(LeCreateConnection(peer_address=bond.peer, own_address_type=0))
        await until(lambda: bool(peer_host.connections and ours.host.connections))
        (conn,) = peer_host.connections.values()
        (our_conn,) = ours.host.connections.values()
        await until(lambda: peer.security(conn).encrypted and ours.smp.security(our_conn).encrypted)

        assert peer.security(conn).bonded and ours.smp.security(our_conn).bonded
        assert len(pairings) == 1  # re-encrypted with the stored key, not paired again
    finally:
        await ours.stop()
        await peer_host.close()
