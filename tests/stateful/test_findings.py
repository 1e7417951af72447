"""Bugs the stateful fuzzer found in other layers, each as a regression test (failing until fixed).

Every test reproduces one finding with the fewest steps; its docstring gives the fuzzer's
invariant that broke, the diagnosis and the owner. `known.py` lists the same findings so the
fuzzer keeps looking past them (each open bug fails one test here, not the fuzzer too).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from typing import Any

import pytest

from aioble_hci.host.connection import Connection
from aioble_hci.host.smp import LinkLostError, PairingFailedError
from aioble_hci.smp.pdus import IoCapability
from tests.stateful.world import SPSM, World

GUARD = 3.0  # a guard against hangs, never a timing assertion


async def connect(world: World) -> Connection:
    address = world.b.gap.address
    assert address is not None
    return await world.a.gap.connect(address, timeout=GUARD)


async def closed_connection(world: World) -> Connection:
    """A connection A made to B and then closed (B advertises again at once)."""
    conn = await connect(world)
    await world.a.gap.disconnect(conn, timeout=GUARD)
    await world.peer_advertise()
    return conn


async def settle(attempt: asyncio.Future[Any]) -> None:
    """Cancel an attempt left running and wait for it (its outcome is not what the test checks)."""
    attempt.cancel()
    with contextlib.suppress(BaseException):
        await attempt


async def test_l2cap_connect_on_a_closed_connection_fails_at_once_and_keeps_no_link(world: World) -> None:
    """FIXED in 7e666ba (host/l2cap.py, L2capBearer._link), fuzzer invariant "L2CAP link kept for".

    `L2capBearer.connect(conn, ...)` on a Connection that has closed makes a new `_Link` for it
    (`_link()` never checks `connection.connected`) and keeps it in `_links` for good; the
    request is never sent (`_pump` skips closed connections), so the caller waits for the
    RTX (30 s by default) and gets L2capChannelError("no response within RTX") instead of an
    immediate L2capDisconnectedError.
    """
    conn = await closed_connection(world)
    with pytest.raises(ConnectionError):
        await asyncio.wait_for(world.a.l2cap.connect(conn, SPSM), GUARD)
    kept = [link for link in world.a.l2cap._links.values() if not link.connection.connected]
    assert not kept, f"{len(kept)} L2CAP links kept for closed connections"


async def test_l2cap_connect_on_a_stale_connection_leaves_the_live_link_of_the_same_handle_alone(
        world: World) -> None:
    """FIXED in 7e666ba (host/l2cap.py, L2capBearer._link), same root cause, worse effect.

    The controller reuses connection handles. `_link(stale)` sees that the stored link belongs
    to another Connection object and replaces it: the live connection's manager, with its open
    channels and signalling state, is dropped, so its channels stop receiving.
    """
    stale = await closed_connection(world)
    live = await connect(world)
    assert live.handle == stale.handle
    channel = await asyncio.wait_for(world.a.l2cap.connect(live, SPSM), GUARD)
    attempt = asyncio.ensure_future(world.a.l2cap.connect(stale, SPSM))
    await asyncio.sleep(0)
    link = world.a.l2cap._links[live.handle]
    kept = link.connection is live and channel.cid in link.channels
    await settle(attempt)
    assert kept, "the stale connection's new link replaced the live connection's link"


async def test_smp_pair_on_a_closed_connection_fails_at_once_and_keeps_no_link(world: World) -> None:
    """FIXED in 7e666ba (host/smp/bearer.py, Smp._link / Smp.pair), fuzzer invariant "SMP link kept for"
    and a hang: `Smp.pair(conn)` on a closed Connection makes an SmpLink for it (`_link()` never
    checks `conn.connected`), its Pairing Request cannot be sent (`host.send_l2cap` raises
    ValueError for the gone handle, logged at debug by `_apply`), `_arm_timer` arms no SMP timer
    for a closed connection, and no Disconnection Complete will come for that link: the future
    is never settled and `pair(conn)` (timeout=None) waits forever. Expected: LinkLostError at
    once, no link kept.
    """
    conn = await closed_connection(world)
    with pytest.raises(LinkLostError):
        await asyncio.wait_for(world.a.smp.pair(conn), GUARD)
    kept = [link for link in world.a.smp._links.values() if not link.conn.connected]
    assert not kept, f"{len(kept)} SMP links kept for closed connections"


async def test_smp_pair_on_a_stale_connection_leaves_the_live_link_of_the_same_handle_alone(world: World) -> None:
    """FIXED in 7e666ba (host/smp/bearer.py, Smp._link), same root cause: a stale Connection with the
    handle of a live one replaces the live connection's SmpLink (its session, security state,
    bond and waiting futures); the stale session's Pairing Request then goes out on the live
    connection's handle (`_apply` sends on `link.conn.handle`), built with the stale
    connection's addresses."""
    stale = await closed_connection(world)
    live = await connect(world)
    assert live.handle == stale.handle
    await asyncio.wait_for(world.a.smp.pair(live), GUARD)
    before = world.a.smp._links[live.handle]
    attempt = asyncio.ensure_future(world.a.smp.pair(stale))
    await asyncio.sleep(0)
    kept = world.a.smp._links[live.handle] is before and world.a.smp.security(live).encrypted
    await settle(attempt)
    assert kept, "the stale connection's new SmpLink replaced the live connection's link"


async def test_smp_pair_cancelled_by_its_caller_then_failing_leaves_no_unretrieved_exception(world: World) -> None:
    """FIXED in 7e666ba (host/smp/bearer.py, Smp.pair / Smp._finish_pairing), fuzzer invariant "loop
    exception handler: Future exception was never retrieved: PairingFailedError".

    `pair()` awaits `asyncio.shield(link.pairing)`; when its caller cancels it (a timeout, an
    application giving up) the shielded future stays. When the pairing later fails,
    `_finish_pairing` sets the exception on a future nobody awaits any more, and asyncio
    reports "Future exception was never retrieved" through the loop's exception handler
    (`_drop` marks its futures retrieved; `_finish_pairing` does not). Reproduction: A pairs
    with DisplayOnly, MITM, legacy, cancelled at once; B (NoInputNoOutput) makes it Just Works,
    so A sends Pairing Failed (Authentication Requirements).
    """
    conn = await connect(world)
    reported: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    finished: asyncio.Future[object] = loop.create_future()

    def on_finished(_conn: Connection, _result: object, error: object) -> None:
        if not finished.done():
            finished.set_result(error)

    world.a.smp.on_pairing_finished(on_finished)
    try:
        attempt = asyncio.ensure_future(world.a.smp.pair(conn, io=IoCapability.DISPLAY_ONLY, mitm=True, sc=False))
        await asyncio.sleep(0)
        await settle(attempt)
        error = await asyncio.wait_for(finished, GUARD)
        assert isinstance(error, PairingFailedError)
        gc.collect()
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(None)
    messages = [str(context.get("message")) for context in reported]
    assert not messages, messages


async def test_peripheral_pair_fails_when_the_centrals_answer_with_a_stale_bond_fails(world: World) -> None:
    """Fixed in host/smp/encryption.py (`_expect_pairing_after_missing_key`); found by the long run
    (seed 21): "B.smp.pair: did not finish or time out".

    A and B bond; B deletes its bond (A keeps its own). On the next connection B, the
    peripheral, calls `pair()`: it sends a Security Request and waits on `link.pairing`. A has a
    bond that satisfies the request, so it answers with LE Enable Encryption using the stored
    LTK (`_answer_security_request` -> `encrypt`); B has no key and sends the LTK Negative Reply
    (`_on_ltk_request`), A's encryption fails with PIN or Key Missing, and nothing ever settles
    B's pairing future: `_encryption_result` resolves `link.pairing` only on success, the LTK
    negative reply does not touch it, and a Security Request alone arms no SMP timer (Vol 3
    Part H, 3.4). `pair()` (timeout=None) waits forever. Expected: it fails (PairingFailedError,
    EncryptionError or NoBondError-like) once the encryption it asked for fails.
    """
    address = world.b.gap.address
    identity = world.a.gap.identity_address
    assert address is not None and identity is not None
    conn = await world.a.gap.connect(address, timeout=GUARD)
    await asyncio.wait_for(world.a.smp.pair(conn, bond=True), GUARD)
    await world.a.gap.disconnect(conn, timeout=GUARD)
    await world.peer_advertise()
    assert await world.b.smp.delete_bond(identity)
    conn = await world.a.gap.connect(address, timeout=GUARD)
    peer_conn = world.b.live[0]
    attempt = asyncio.ensure_future(world.b.smp.pair(peer_conn))
    done, _ = await asyncio.wait({attempt}, timeout=GUARD)
    await settle(attempt)
    assert done, "the peripheral's pair() never finished after the central's encryption failed"
