"""`aioble-hci gatt` against a peripheral on a private air."""

from __future__ import annotations

import asyncio
import re

import pytest

from aioble_hci.cli import gatt as gatt_cli
from aioble_hci.cli.main import main
from aioble_hci.controller.air import Air
from aioble_hci.controller.transport import VirtualTransport
from aioble_hci.host.gatt import attach_gatt
from tests.gatt_host.gattdb import make_db
from tests.gatt_host.pair import advertise, start_host


@pytest.fixture
async def peripheral_on_private_air():
    air = Air(fast=True)  # its own thread: the CLI's host thread and this test's loop both reach it
    host = await start_host(air)
    gatt = attach_gatt(host)
    gatt.server.register_services(make_db().services, device_name="cli-periph", appearance=0x0340)
    address = await advertise(host)
    yield air, address
    await host.close()


async def test_gatt_cli_prints_the_remote_database_as_a_tree_with_names_and_values(peripheral_on_private_air):
    air, address = peripheral_on_private_air
    text = await asyncio.wait_for(
        asyncio.to_thread(gatt_cli.explore, VirtualTransport("virtual", air=air), address), 30
    )
    lines = text.splitlines()
    assert re.fullmatch(rf"Connected to {re.escape(str(address))} \(handle 0x[0-9A-F]{{3}}\)", lines[0])
    assert "ATT MTU 256" in lines
    assert "Service 0x1800 (Generic Access) [0x0001-0x0005]" in lines
    assert any(line.startswith("  Characteristic 0x2A00 (Device Name)") and line.endswith('"cli-periph"') for line in lines)
    assert any("0x2A37 (Heart Rate Measurement)" in line and "(read, notify, indicate) = 00 48" in line for line in lines)
    assert "    Descriptor 0x2902 (Client Characteristic Configuration)" in "\n".join(lines)
    assert any("0xAA03" in line and "(write)" in line and "=" not in line for line in lines)
    assert any("0xAA04" in line and "<insufficient authentication>" in line for line in lines)
    assert any(line.startswith("  Include 0xFEE0") for line in lines)


def test_gatt_cli_rejects_a_malformed_address(capsys):
    assert main(["gatt", "-t", "virtual", "not-an-address"]) == 1
    assert "invalid Bluetooth address" in capsys.readouterr().err
