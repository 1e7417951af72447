"""A Bumble host on our virtual controllers: its init sequence, and the hub run as the real
`python -m aioble_hci air --socket PATH` command with Bumble and our host as its clients."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from bumble.device import Peer
from bumble.gatt import GATT_DEVICE_NAME_CHARACTERISTIC

from aioble_hci.controller.constants import ZEPHYR_COMPANY_ID
from aioble_hci.transport import open_transport
from tests.interop.bumble_link import BumblePeer
from tests.interop.conftest import PEER_ADDRESS
from tests.interop.helpers import WAIT, connect_to_bumble, run
from tests.interop.medium import OurAirMedium
from tests.interop.stack import close_stack, make_stack

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
async def air() -> AsyncIterator[OurAirMedium]:
    medium = await OurAirMedium().start()
    yield medium
    await medium.close()


async def test_bumbles_init_sequence_completes_on_our_controller_and_learns_what_ours_does(air: OurAirMedium,
                                                                                          tmp_path: Path):
    peer = await air.bumble_peer(PEER_ADDRESS)
    ours = await make_stack(air.our_transport("ours"), tmp_path)
    try:
        version = peer.device.host.local_version
        assert version is not None
        info = ours.host.controller_info
        assert (version.hci_version, version.company_identifier) == (info.hci_version, info.manufacturer)
        assert info.manufacturer == ZEPHYR_COMPANY_ID
        assert int(peer.device.host.local_le_features) == info.le_features
        assert peer.device.host.local_supported_commands == int.from_bytes(info.supported_commands, "little")
    finally:
        await close_stack(ours)
        await peer.close()


@pytest.fixture
async def hub_process() -> AsyncIterator[Path]:
    """`python -m aioble_hci air --socket PATH --fast` in a subprocess; yields PATH."""
    directory = Path(tempfile.mkdtemp(prefix="aioble-interop-hub-"))
    path = directory / "air.sock"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aioble_hci", "air", "--socket", str(path), "--fast", env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        async with asyncio.timeout(WAIT * 2):
            while not path.exists():
                assert process.returncode is None, "the hub exited at start"
                await asyncio.sleep(0.05)
        yield path
    finally:
        if process.returncode is None:
            process.terminate()
            with contextlib.suppress(ProcessLookupError):
                await asyncio.wait_for(process.wait(), WAIT)
        shutil.rmtree(directory, ignore_errors=True)


async def test_bumble_and_our_host_meet_on_the_hub_command_and_talk_gatt(hub_process: Path, tmp_path: Path):
    from bumble.device import Device
    from bumble.hci import Address as BumbleAddress
    from bumble.transport import open_transport as open_bumble_transport

    bumble_transport = await open_bumble_transport(f"unix:{hub_process}")
    device = Device.with_hci("bumble-peer", BumbleAddress(PEER_ADDRESS, BumbleAddress.RANDOM_DEVICE_ADDRESS),
                             bumble_transport.source, bumble_transport.sink)
    device.name = "bumble-peer"
    await run(device.power_on())
    peer = BumblePeer(device, transport=bumble_transport)
    ours = await make_stack(open_transport(f"air:{hub_process}"), tmp_path)
    try:
        conn, bumble_conn = await connect_to_bumble(ours, peer)
        client = ours.gatt.client(conn)
        from aioble_hci.att.gatt import DEVICE_NAME

        ((_, name),) = await run(client.read_by_uuid(DEVICE_NAME))
        assert name == b"bumble-peer"
        # and Bumble's client reads ours over the same link
        (our_name,) = await run(Peer(bumble_conn).read_characteristics_by_uuid(GATT_DEVICE_NAME_CHARACTERISTIC))
        assert our_name == b"aioble-hci"
        await ours.gap.disconnect(conn, timeout=WAIT)
    finally:
        await close_stack(ours)
        await peer.close()
