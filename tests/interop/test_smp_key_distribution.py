"""A Bumble peer that sends its keys in plaintext, before the link is encrypted (Core Vol 3 Part H,
3.6.1: keys are distributed only after encryption).

Bumble's SMP session is subclassed (its ``session_proxy`` hook) so that, right after phase 2,
it sends a forged Identity Information and Identity Address Information (the ID key both sides
negotiated) before encryption starts: as responder after its DHKey Check, as initiator before LE
Enable Encryption. We refuse them with Pairing Failed Key Rejected (0x0F) and store no bond, in
both roles (before the fix, as central we completed the pairing with the forged identity).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from bumble.hci import Address as BumbleAddress
from bumble.smp import (
    Session,
    SMP_Identity_Address_Information_Command,
    SMP_Identity_Information_Command,
)

from aioble_hci.address import Address
from aioble_hci.host.connection import Connection
from aioble_hci.host.smp import PairingFailedError, PairingResult
from aioble_hci.smp.pdus import PairingFailedReason
from tests.interop.bumble_link import BumblePeer
from tests.interop.bumble_smp import Screen, configure_bumble_pairing
from tests.interop.helpers import WAIT, run
from tests.interop.stack import OurStack
from tests.interop.test_smp import JUST_WORKS, ROLES, connect

MakeStack = Callable[..., Awaitable[OurStack]]
FORGED_ADDRESS = "de:ad:be:ef:00:01"


class PlaintextKeysSession(Session):
    """A Bumble SMP session that sends forged keys after phase 2, before the link is encrypted."""

    def _send_forged_keys(self) -> None:
        self.send_command(SMP_Identity_Information_Command(identity_resolving_key=bytes([0xA5]) * 16))
        self.send_command(SMP_Identity_Address_Information_Command(
            addr_type=BumbleAddress.PUBLIC_DEVICE_ADDRESS,
            bd_addr=BumbleAddress(FORGED_ADDRESS, BumbleAddress.PUBLIC_DEVICE_ADDRESS)))

    def send_pairing_dhkey_check_command(self) -> None:
        super().send_pairing_dhkey_check_command()
        if self.is_responder:
            self._send_forged_keys()

    def start_encryption(self, key: bytes) -> None:
        self._send_forged_keys()
        super().start_encryption(key)


@pytest.mark.parametrize("role", ROLES)
async def test_plaintext_keys_from_bumble_before_encryption_are_refused(make_ours: MakeStack, peer: BumblePeer,
                                                                        role: str) -> None:
    peer.device.smp_manager.session_proxy = PlaintextKeysSession
    configure_bumble_pairing(peer.device, Screen(), sc=True, mitm=False, io_capability=JUST_WORKS.bumble)
    ours = await make_ours()
    finished: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    def on_finished(_conn: Connection, result: PairingResult | None, error: Exception | None) -> None:
        if not finished.done():
            finished.set_result(error or result)

    ours.smp.on_pairing_finished(on_finished)
    conn, bumble_conn = await connect(role, ours, peer)
    if role == "we_are_central":
        attempt: asyncio.Future[Any] = asyncio.ensure_future(ours.smp.pair(conn))
    else:
        attempt = asyncio.ensure_future(bumble_conn.pair())

    outcome = await run(finished)
    await asyncio.wait([attempt], timeout=WAIT)

    assert isinstance(outcome, PairingFailedError), outcome
    assert (outcome.reason, outcome.remote) == (PairingFailedReason.KEY_REJECTED, False)
    assert ours.smp.bonds.get(Address.parse(f"{FORGED_ADDRESS}/public")) is None
    assert not list(ours.smp.bonds.bonds())
