"""A discovered, subscribed GATT link on each stack, shared by workloads 1, 2 and 5."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aioble_hci.uuid import UUID
from benchmarks import ours, theirs

VALUE = bytes(i % 256 for i in range(244))  # a full 2M/DLE notification: ATT_MTU 247


@dataclass
class OursGatt:
    link: ours.Link
    client: Any
    notify_handle: int
    write_handle: int


async def ours_gatt(on_value: Callable[[bytes, bool], None]) -> OursGatt:
    """Central discovers the service through its GattClient, subscribes, and routes values to `on_value`."""
    link = await ours.connected_pair()
    client = link.central_gatt.client(link.central_conn)
    service = (await client.discover_services(UUID(str(ours.SERVICE))))[0]
    chars = {c.uuid: c for c in await client.discover_characteristics(service)}
    notify, write = chars[ours.NOTIFY_CHAR], chars[ours.WRITE_CHAR]
    await client.subscribe(notify, notify=True)
    client.on_value(notify.value_handle, on_value)
    return OursGatt(link, client, notify.value_handle, write.value_handle)


async def theirs_gatt(on_value: Callable[[bytes], None]) -> theirs.Link:
    """Bumble's central discovers, subscribes with a subscriber callback."""
    link = await theirs.connected_pair()
    await link.peer.subscribe(link.remote_notify, on_value)
    return link
