"""Keys that overtake the Encryption Change event on a transport that can reorder (Core Vol 3
Part H, 3.6.1; Vol 4 Part B, 2.1: USB carries events on the interrupt endpoint and ACL data on
the bulk endpoint, so the peer's first encrypted key PDU can reach the host first).

The transport below delivers the peer's next ACL packet ahead of our Encryption Change event.
Declared as reordering (``reorders_events_and_acl``, as the USB transport is), the SMP bearer
holds that key PDU until the link is encrypted and the pairing completes with the peer's keys;
declared as ordered (H4 over UART), a key before Encryption Change can only have been sent in
plaintext, and is refused with Key Rejected.
"""

from __future__ import annotations

import asyncio

import pytest

from aioble_hci.controller.transport import VirtualTransport
from aioble_hci.hci.packets import PacketType
from aioble_hci.host.smp import PairingFailedError
from aioble_hci.smp.pdus import PairingFailedReason
from tests.smp_host.world import CENTRAL_ADDRESS, PERIPHERAL_ADDRESS, World, connect, until

ENCRYPTION_CHANGE_EVENTS = (0x08, 0x59)  # v1 and v2 (Vol 4 Part E, 7.7.8)
RELEASE_WITHOUT_ACL = 0.5  # seconds: when no ACL data follows, the event is delivered anyway


class ReorderingTransport(VirtualTransport):
    """Holds an Encryption Change event until the next ACL packet has been delivered."""

    reorders_events_and_acl = True

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._held: bytes | None = None
        self.overtaken = 0

    def _deliver(self, packet_type: PacketType, payload: bytes) -> None:
        if packet_type == PacketType.EVENT and payload[0] in ENCRYPTION_CHANGE_EVENTS and self._held is None:
            self._held = payload
            asyncio.get_running_loop().call_later(RELEASE_WITHOUT_ACL, self._release)
            return
        super()._deliver(packet_type, payload)
        if packet_type == PacketType.ACL and self._held is not None:
            self.overtaken += 1
            self._release()

    def _release(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            super()._deliver(PacketType.EVENT, held)


class DeclaredOrderedTransport(ReorderingTransport):
    """The same reordering, on a transport that says it keeps events and data in order."""

    reorders_events_and_acl = False


async def test_keys_overtaking_encryption_change_are_held_on_a_reordering_transport(world: World) -> None:
    central = await world.station("central", CENTRAL_ADDRESS, transport=ReorderingTransport)
    peripheral = await world.station("peripheral", PERIPHERAL_ADDRESS)
    cconn, _ = await connect(central, peripheral)

    result = await central.smp.pair(cconn)

    transport = central.host.transport
    assert isinstance(transport, ReorderingTransport) and transport.overtaken == 1
    assert result.security.encrypted and result.security.bonded
    bond = central.smp.bonds.get(PERIPHERAL_ADDRESS)
    assert bond is not None and bond.peer_irk == peripheral.smp.local_irk
    await until(lambda: bool(peripheral.pairings) and peripheral.pairings[0][1] is None)


async def test_keys_before_encryption_change_are_refused_on_an_ordered_transport(world: World) -> None:
    central = await world.station("central", CENTRAL_ADDRESS, transport=DeclaredOrderedTransport)
    peripheral = await world.station("peripheral", PERIPHERAL_ADDRESS)
    cconn, _ = await connect(central, peripheral)

    with pytest.raises(PairingFailedError) as failed:
        await central.smp.pair(cconn)

    assert (failed.value.reason, failed.value.remote) == (PairingFailedReason.KEY_REJECTED, False)
    assert central.smp.bonds.get(PERIPHERAL_ADDRESS) is None
