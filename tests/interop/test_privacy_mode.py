"""A bonded Bumble peer that keeps using its identity address is found again (Core Vol 3 Part C,
10.7; Vol 6 Part B, 4.7; Vol 4 Part E, 7.8.77).

Bumble distributes a non-zero IRK but advertises and connects with its random static identity
address, as phones and PCs with privacy off do. Our resolving list then holds its IRK; in the
Network Privacy Mode an entry is added in, a controller drops every packet from that identity
address, so we must put the entry in Device Privacy Mode. On our air (our virtual controller,
which filters as the spec says) the scenario fails if the host forgets LE Set Privacy Mode.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from tests.interop.bumble_link import BumblePeer
from tests.interop.bumble_smp import Screen, configure_bumble_pairing
from tests.interop.helpers import WAIT, next_event, run
from tests.interop.stack import OurStack
from tests.interop.test_smp import JUST_WORKS, ROLES, connect, pair

MakeStack = Callable[..., Awaitable[OurStack]]
BUMBLE_IRK = bytes(range(1, 17))


@pytest.mark.parametrize("role", ROLES)
async def test_bonded_bumble_peer_using_its_identity_address_reconnects_and_reencrypts(
        make_ours: MakeStack, peer: BumblePeer, role: str) -> None:
    peer.device.irk = BUMBLE_IRK
    configure_bumble_pairing(peer.device, Screen(), sc=True, mitm=False, io_capability=JUST_WORKS.bumble)
    ours = await make_ours()
    first = await pair(role, ours, peer)
    bond = ours.smp.bonds.get(peer.address)
    assert bond is not None and bond.peer_irk is not None and any(bond.peer_irk)  # its IRK is on our list
    await ours.gap.disconnect(first.conn, timeout=WAIT)

    conn, bumble_conn = await connect(role, ours, peer)  # Bumble uses its identity address on air
    encrypted = next_event(bumble_conn, "connection_encryption_change")
    if role == "we_are_central":
        state = await run(ours.smp.encrypt(conn))
    else:
        await run(bumble_conn.encrypt())
        state = ours.smp.security(conn)
    await run(encrypted) if not bumble_conn.is_encrypted else None

    assert (state.encrypted, state.bonded) == (True, True)
    assert bumble_conn.is_encrypted
