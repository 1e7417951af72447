"""Connections through the GAP bearer: connect, cancel, disconnect reasons, updates, many links."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from aioble_hci.address import Address
from aioble_hci.hci import events as ev
from aioble_hci.hci.constants import StatusCode
from aioble_hci.host.connection import Connection, Role
from aioble_hci.host.gap import (
    AdvertisingParameters,
    ConnectionCancelled,
    ConnectionParameters,
    Gap,
    GapConfig,
    ParameterLimits,
)
from aioble_hci.host.host import Host
from tests.gap_host.conftest import WAIT, MakeGap

LEGACY = GapConfig(force_legacy=True)
TEST_CID = 0x0030


def echo(host: Host) -> Callable[[Connection, bytes], None]:
    """A fixed-channel handler sending every PDU back, tagged."""

    def handler(conn: Connection, pdu: bytes) -> None:
        host.send_l2cap(conn.handle, TEST_CID, b"echo:" + pdu)

    return handler


async def connected_pair(make_gap: MakeGap, central_config: GapConfig | None = None,
                         peripheral_config: GapConfig | None = None) -> tuple[Gap, Connection, Gap, Connection]:
    central, peripheral = await make_gap(central_config), await make_gap(peripheral_config)
    aset = await peripheral.advertise(b"")
    assert peripheral.address is not None
    conn = await central.connect(peripheral.address, timeout=WAIT)
    peer = await aset.wait_connection(WAIT)
    return central, conn, peripheral, peer


@pytest.mark.parametrize("config", [LEGACY, GapConfig()], ids=["legacy-commands", "extended-commands"])
async def test_central_connects_with_default_parameters_and_advertising_stops(make_gap: MakeGap, config: GapConfig) -> None:
    central, peripheral = await make_gap(config), await make_gap(config)
    seen: list[tuple[str, Connection]] = []
    central.on_connected(lambda c: seen.append(("central", c)))
    peripheral.on_connected(lambda c: seen.append(("peripheral", c)))
    aset = await peripheral.advertise(b"")
    assert peripheral.address is not None and central.address is not None
    conn = await central.connect(peripheral.address, timeout=WAIT)
    peer = await aset.wait_connection(WAIT)
    assert not aset.active and aset.status == StatusCode.SUCCESS
    assert conn.role == Role.CENTRAL and peer.role == Role.PERIPHERAL
    assert conn.peer_address == peripheral.address and peer.peer_address == central.address
    assert 24 <= conn.interval <= 40 and conn.latency == 0 and conn.supervision_timeout == 400
    assert (peer.interval, peer.latency, peer.supervision_timeout) == (conn.interval, 0, 400)
    assert sorted(role for role, _ in seen) == ["central", "peripheral"]


async def test_connect_timeout_cancels_and_a_second_connect_succeeds(make_gap: MakeGap) -> None:
    central, peripheral = await make_gap(), await make_gap()
    assert peripheral.address is not None
    with pytest.raises(ConnectionCancelled):
        await central.connect(peripheral.address, timeout=0.01)  # nobody advertises yet
    assert not central.connections.connecting
    aset = await peripheral.advertise(b"")
    conn = await central.connect(peripheral.address, timeout=WAIT)
    assert conn.connected and (await aset.wait_connection(WAIT)).connected


async def test_explicit_cancel_ends_a_pending_connect(make_gap: MakeGap) -> None:
    central = await make_gap(LEGACY)
    attempt = asyncio.ensure_future(central.connect(Address.parse("c1:22:33:44:55:66/random"), timeout=None))
    while not central.connections.connecting:
        await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert await central.cancel_connect()
    with pytest.raises(ConnectionCancelled):
        await asyncio.wait_for(attempt, WAIT)


@pytest.mark.parametrize("reason", [StatusCode.REMOTE_USER_TERMINATED_CONNECTION,
                                    StatusCode.REMOTE_DEVICE_TERMINATED_CONNECTION_DUE_TO_POWER_OFF])
async def test_disconnect_reason_at_both_ends(make_gap: MakeGap, reason: StatusCode) -> None:
    central, conn, peripheral, peer = await connected_pair(make_gap)
    reasons: dict[str, int] = {}
    central.on_disconnected(lambda c, r: reasons.__setitem__("central", r))
    peripheral.on_disconnected(lambda c, r: reasons.__setitem__("peripheral", r))
    local = await central.disconnect(conn, reason)
    assert local == StatusCode.CONNECTION_TERMINATED_BY_LOCAL_HOST
    assert await peripheral.wait_for_disconnection(peer, WAIT) == reason
    assert reasons == {"central": StatusCode.CONNECTION_TERMINATED_BY_LOCAL_HOST, "peripheral": reason}
    assert not conn.connected and not peer.connected and conn.handle not in central.host.connections


async def test_peripheral_can_disconnect_too(make_gap: MakeGap) -> None:
    central, conn, peripheral, peer = await connected_pair(make_gap)
    await peripheral.disconnect(peer)
    assert await central.wait_for_disconnection(conn, WAIT) == StatusCode.REMOTE_USER_TERMINATED_CONNECTION


async def test_sixteen_connections_from_one_central_exchange_data_and_disconnect(make_gap: MakeGap) -> None:
    central = await make_gap()
    peripherals = [await make_gap(LEGACY) for _ in range(16)]
    received: dict[int, list[bytes]] = {}
    arrived = asyncio.Event()

    def on_central_pdu(conn: Connection, pdu: bytes) -> None:
        received.setdefault(conn.handle, []).append(pdu)
        arrived.set()

    central.host.register_fixed_channel(TEST_CID, on_central_pdu)
    links: list[tuple[Connection, Gap, Connection]] = []
    for peripheral in peripherals:
        peripheral.host.register_fixed_channel(TEST_CID, echo(peripheral.host))
        aset = await peripheral.advertise(bytes((2, 0x01, 0x06)))
        assert peripheral.address is not None
        conn = await central.connect(peripheral.address, timeout=WAIT)
        links.append((conn, peripheral, await aset.wait_connection(WAIT)))
    assert len(central.host.connections) == 16
    for index, (conn, _, _) in enumerate(links):
        central.host.send_l2cap(conn.handle, TEST_CID, bytes([index]) * 300)  # several ACL fragments each

    async def all_echoed() -> None:
        while len(received) < 16:
            arrived.clear()
            await arrived.wait()

    await asyncio.wait_for(all_echoed(), WAIT)
    for index, (conn, _, _) in enumerate(links):
        assert received[conn.handle] == [b"echo:" + bytes([index]) * 300]
    for conn, peripheral, peer in links:
        await central.disconnect(conn)
        assert await peripheral.wait_for_disconnection(peer, WAIT) == StatusCode.REMOTE_USER_TERMINATED_CONNECTION
    assert not central.host.connections


async def test_one_peripheral_accepts_connections_from_two_centrals_on_two_sets(make_gap: MakeGap) -> None:
    peripheral, first, second = await make_gap(), await make_gap(), await make_gap()
    set_a = await peripheral.advertise(b"", params=AdvertisingParameters(sid=1))
    assert peripheral.address is not None
    conn_a = await first.connect(peripheral.address, timeout=WAIT)
    set_b = await peripheral.advertise(b"", params=AdvertisingParameters(sid=2))
    conn_b = await second.connect(peripheral.address, timeout=WAIT)
    peer_a, peer_b = await set_a.wait_connection(WAIT), await set_b.wait_connection(WAIT)
    assert {peer_a.role, peer_b.role} == {Role.PERIPHERAL} and peer_a.handle != peer_b.handle
    assert conn_a.connected and conn_b.connected and len(peripheral.host.connections) == 2


async def test_central_updates_connection_parameters(make_gap: MakeGap) -> None:
    central, conn, peripheral, peer = await connected_pair(make_gap)
    peer_updated = asyncio.ensure_future(peripheral.host.wait_for_event(ev.LeConnectionUpdateComplete, timeout=WAIT))
    await central.update_connection(conn, ConnectionParameters(80, 80, 2, 600))
    await peer_updated
    assert (conn.interval, conn.latency, conn.supervision_timeout) == (80, 2, 600)
    assert (peer.interval, peer.latency, peer.supervision_timeout) == (80, 2, 600)


async def test_peripheral_request_accepted_within_central_limits(make_gap: MakeGap) -> None:
    central, conn, peripheral, peer = await connected_pair(make_gap)
    await peripheral.update_connection(peer, ConnectionParameters(100, 120, 1, 800))
    assert (peer.interval, peer.latency, peer.supervision_timeout) == (100, 1, 800)


async def test_peripheral_request_outside_central_limits_is_rejected(make_gap: MakeGap) -> None:
    strict = GapConfig(accept_parameters=ParameterLimits(max_latency=0))
    central, conn, peripheral, peer = await connected_pair(make_gap, central_config=strict)
    before = peer.interval
    with pytest.raises(ConnectionError, match="UNACCEPTABLE_CONNECTION_PARAMETERS"):
        await peripheral.update_connection(peer, ConnectionParameters(100, 120, 4, 800))
    assert peer.interval == before and peer.latency == 0


async def test_l2cap_parameter_request_hook_narrows_acceptable_and_refuses_invalid(make_gap: MakeGap) -> None:
    """Vol 3 Part A 4.20: the central decides; the hook gives the values to apply (within its limits)
    and sends nothing itself, so the L2CAP bearer runs the one LE Connection Update."""
    narrow = GapConfig(accept_parameters=ParameterLimits(interval_min=30, interval_max=50))
    central, conn, peripheral, peer = await connected_pair(make_gap, central_config=narrow)
    assert central.accept_l2cap_parameter_request(conn, 40, 20, 0, 400) is None  # min above max
    assert peripheral.accept_l2cap_parameter_request(peer, 40, 60, 0, 400) is None  # only a central answers
    assert central.accept_l2cap_parameter_request(conn, 60, 80, 0, 400) is None  # no overlap with 30-50
    assert central.accept_l2cap_parameter_request(conn, 40, 60, 1, 400) == ConnectionParameters(40, 50, 1, 400)


async def test_data_length_update_reaches_both_ends(make_gap: MakeGap) -> None:
    central, conn, peripheral, peer = await connected_pair(make_gap)
    peer_changed = asyncio.ensure_future(peripheral.host.wait_for_event(ev.LeDataLengthChange, timeout=WAIT))
    own_changed = asyncio.ensure_future(central.host.wait_for_event(ev.LeDataLengthChange, timeout=WAIT))
    await central.set_data_length(conn, 251, 2120)
    await peer_changed, await own_changed
    assert central.link(conn).max_tx_octets == 251 and peripheral.link(peer).max_rx_octets == 251


async def test_phy_update_to_2m_reaches_both_ends(make_gap: MakeGap) -> None:
    central, conn, peripheral, peer = await connected_pair(make_gap)
    peer_changed = asyncio.ensure_future(peripheral.host.wait_for_event(ev.LePhyUpdateComplete, timeout=WAIT))
    assert await central.set_phy(conn, 0x02, 0x02) == (2, 2)
    await peer_changed
    assert (central.link(conn).tx_phy, peripheral.link(peer).rx_phy) == (2, 2)


async def test_coded_phy_update_refused_when_the_controller_lacks_it(make_gap: MakeGap) -> None:
    central, conn, _, _ = await connected_pair(make_gap)
    with pytest.raises(ValueError, match="LE Coded"):
        await central.set_phy(conn, 0x04, 0x04)
