"""A second LE Connection Complete for a handle the host believes is live (catalog case H4)."""

from __future__ import annotations

from aioble_hci.hci import events as ev
from tests.faults.helpers import connect, until
from tests.scripted.controller import le_connection_complete

OTHER_PEER = bytes.fromhex("0102030405c6")


async def test_a_reused_handle_ends_the_stale_connection_before_the_new_one_is_announced(scripted_host) -> None:
    host, controller = await scripted_host()
    await connect(host, controller)
    stale = host.connections[0x0040]
    seen: list[tuple[str, int]] = []
    host.on_event(ev.DisconnectionComplete, lambda e: seen.append(("ended", e.reason)))
    host.on_event(ev.LeConnectionComplete, lambda e: seen.append(("connected", e.connection_handle)))
    controller.send_raw(le_connection_complete(0x0040, OTHER_PEER))
    await until(lambda: host.connections.get(0x0040) is not stale and 0x0040 in host.connections)
    assert stale.closed.is_set()
    assert host.connections[0x0040].peer_address.value == OTHER_PEER
    # Bearers clean up the stale link (a synthetic Disconnection Complete) before the new one starts.
    assert seen == [("ended", 0x03), ("connected", 0x0040)]
