"""The SMP bearer's security reaches ATT permissions through `attach_gatt` (use_smp)."""

from __future__ import annotations

import asyncio

import pytest

from aioble_hci.att.errors import AttError
from aioble_hci.att.pdus import ErrorCode
from aioble_hci.host.gatt import attach_gatt
from aioble_hci.host.smp import SmpHostConfig, attach_smp
from tests.gatt_host.gattdb import make_db
from tests.gatt_host.pair import WAIT, connect


async def test_encrypted_characteristic_becomes_readable_after_pairing(hosts, tmp_path):
    central, peripheral = hosts
    for name, host in (("c", central), ("p", peripheral)):
        await attach_smp(host, SmpHostConfig(bond_path=tmp_path / f"{name}-bonds.json", irk_path=tmp_path / f"{name}.irk"))
    c_gatt, p_gatt = attach_gatt(central), attach_gatt(peripheral)
    db = make_db()
    p_gatt.server.register_services(db.services)
    c_conn, p_conn = await connect(central, peripheral)
    client = c_gatt.client(c_conn)
    with pytest.raises(AttError) as info:
        await asyncio.wait_for(client.read(db.encrypted.value_handle), WAIT)
    assert info.value.code == ErrorCode.INSUFFICIENT_AUTHENTICATION
    await asyncio.wait_for(central.smp.pair(c_conn), WAIT)
    assert await asyncio.wait_for(client.read(db.encrypted.value_handle), WAIT) == b"secret"
    assert p_gatt.server.security(p_conn).encrypted
