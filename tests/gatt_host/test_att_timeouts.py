"""The ATT 30-second transaction rule on loop timers (shortened here), against a silent peer."""

from __future__ import annotations

import asyncio

import pytest

from aioble_hci.att import client as client_module
from aioble_hci.att import server as server_module
from aioble_hci.att.errors import AttTimeoutError, BearerClosedError
from aioble_hci.att.events import TransactionTimedOut
from aioble_hci.host.gatt import Gatt
from aioble_hci.host.l2cap import L2capBearer
from tests.gatt_host.gattdb import make_db
from tests.gatt_host.pair import WAIT, connect


@pytest.fixture
async def gatt_and_silent_peer(hosts):
    """Our Gatt on the central; the peripheral has L2CAP but no ATT at all (never answers)."""
    central, peripheral = hosts
    gatt = Gatt(central, L2capBearer(central).attach()).attach()
    L2capBearer(peripheral).attach()
    c_conn, _ = await connect(central, peripheral)
    return gatt, c_conn


async def test_unanswered_request_fails_with_att_timeout_and_kills_the_bearer(gatt_and_silent_peer, monkeypatch):
    monkeypatch.setattr(client_module, "TRANSACTION_TIMEOUT", 0.05)
    gatt, conn = gatt_and_silent_peer
    client = gatt.client(conn)
    timed_out = asyncio.ensure_future(gatt.events.wait_for(TransactionTimedOut))
    first = asyncio.ensure_future(client.read(0x0001))
    queued = asyncio.ensure_future(client.read(0x0002))
    with pytest.raises(AttTimeoutError):
        await asyncio.wait_for(first, WAIT)
    with pytest.raises(BearerClosedError):
        await asyncio.wait_for(queued, WAIT)
    assert (await asyncio.wait_for(timed_out, WAIT)).connection is conn
    with pytest.raises(BearerClosedError):
        await client.read(0x0001)


async def test_unconfirmed_indication_fails_with_att_timeout(gatt_and_silent_peer, monkeypatch):
    monkeypatch.setattr(server_module, "TRANSACTION_TIMEOUT", 0.05)
    gatt, conn = gatt_and_silent_peer
    db = make_db()
    gatt.server.register_services(db.services)
    with pytest.raises(AttTimeoutError):
        await asyncio.wait_for(gatt.server.indicate(conn, db.sensor.value_handle, b"\x01"), WAIT)
