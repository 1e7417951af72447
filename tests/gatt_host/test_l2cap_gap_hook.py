"""With the GAP bearer present, attach_l2cap lets it decide and run parameter updates."""

from __future__ import annotations

import asyncio

from aioble_hci.hci import events as ev
from aioble_hci.host.gap import attach_gap
from aioble_hci.host.l2cap import attach_l2cap
from tests.gatt_host.pair import WAIT, connect


async def test_parameter_update_request_goes_through_the_gap_bearer(hosts):
    central, peripheral = hosts
    await attach_gap(central)
    c_l2, p_l2 = attach_l2cap(central), attach_l2cap(peripheral)
    assert attach_l2cap(central) is c_l2
    _, p_conn = await connect(central, peripheral)
    updated = asyncio.ensure_future(central.wait_for_event(ev.LeConnectionUpdateComplete, timeout=WAIT))
    assert await asyncio.wait_for(p_l2.request_connection_parameter_update(p_conn, 24, 40, 0, 400), WAIT)
    event = await updated
    assert 24 <= event.connection_interval <= 40 and event.supervision_timeout == 400
