"""Privacy on the host side: our RPAs from the local IRK, and the controller's resolving list.

Resolving peers' RPAs is done twice: in the host (``BondStore.resolve`` with the bonded IRKs, on
every connection) and, where the controller has a resolving list (Supported_Commands octet 34
bit 3), by the controller, which then reports the identity address with type 0x02/0x03
(Vol 6 Part B, 6.4; Vol 4 Part E, 7.8.38-7.8.44). Each entry is put in Device Privacy Mode
(LE Set Privacy Mode, 7.8.77, where Supported_Commands octet 39 bit 2 has it): an entry is
added in Network Privacy Mode, in which the controller drops every packet carrying the peer's
identity address (Vol 6 Part B, 4.7), so a bonded peer that does not use private addresses
(public-address peripherals, phones and PCs with privacy off) would never be seen or
connected again (Vol 3 Part C, 10.7). The GAP bearer rotates our own address: give it
``Smp.local_irk`` (``GapConfig(address_mode="rpa", irk=...)``); :func:`set_private_address` is for
hosts without it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from aioble_hci.address import Address
from aioble_hci.gap.privacy import generate_rpa
from aioble_hci.hci import commands as cmd
from aioble_hci.host.errors import HciError
from aioble_hci.host.host import Host
from aioble_hci.host.smp.link import without_resolution
from aioble_hci.smp.bonds import Bond

log = logging.getLogger(__name__)

ADD_DEVICE_TO_RESOLVING_LIST = (34, 3)
SET_ADDRESS_RESOLUTION_ENABLE = (35, 1)
SET_PRIVACY_MODE = (39, 2)
DEVICE_PRIVACY_MODE = 0x01


def identity_for_list(address: Address) -> Address:
    """Peer_Identity_Address_Type takes 0x00 public / 0x01 random (Vol 4 Part E, 7.8.38)."""
    return without_resolution(address)


class ResolvingList:
    """Keeps the controller's resolving list in step with the bonds that carry an IRK."""

    def __init__(self, host: Host, local_irk: Callable[[], bytes]) -> None:
        self.host = host
        self._local_irk = local_irk
        self.entries: set[Address] = set()
        self.enabled = False

    @property
    def supported(self) -> bool:
        info = self.host.controller_info
        return info.supports(*ADD_DEVICE_TO_RESOLVING_LIST) and info.supports(*SET_ADDRESS_RESOLUTION_ENABLE)

    def forget(self) -> None:
        """The controller was reset: its resolving list is empty and resolution off (Vol 4 Part E, 7.3.2)."""
        self.entries.clear()
        self.enabled = False

    async def load(self, bonds: Iterable[Bond]) -> None:
        if not self.supported:
            log.info("controller has no resolving list: peers' RPAs are resolved in the host only")
            return
        for bond in bonds:
            await self.add(bond)

    async def add(self, bond: Bond) -> bool:
        """Add (or replace) a bonded peer's entry and make sure resolution is on; False on refusal."""
        if not self.supported or bond.peer_irk is None:
            return False
        peer = identity_for_list(bond.peer)
        try:
            if peer in self.entries:
                await self.host.send_command(cmd.LeRemoveDeviceFromResolvingList(peer_identity_address=peer))
                self.entries.discard(peer)
            await self.host.send_command(cmd.LeAddDeviceToResolvingList(
                peer_identity_address=peer, peer_irk=bond.peer_irk, local_irk=self._local_irk()))
            self.entries.add(peer)
            await self._device_privacy(peer)
            if not self.enabled:
                await self.host.send_command(cmd.LeSetAddressResolutionEnable(address_resolution_enable=1))
                self.enabled = True
        except HciError as error:
            # e.g. Command Disallowed while advertising, scanning or initiating (7.8.38)
            log.warning("resolving list: cannot add %s (%s); resolving in the host instead", peer, error)
            return False
        return True

    async def _device_privacy(self, peer: Address) -> None:
        """Put the entry in Device Privacy Mode (7.8.77) where the controller has the command; a
        refusal only costs the peer's identity-address packets, so resolution still goes on."""
        if not self.host.controller_info.supports(*SET_PRIVACY_MODE):
            log.info("controller has no LE Set Privacy Mode: %s is only seen with private addresses", peer)
            return
        try:
            await self.host.send_command(cmd.LeSetPrivacyMode(peer_identity_address=peer,
                                                              privacy_mode=DEVICE_PRIVACY_MODE))
        except HciError as error:
            log.warning("resolving list: cannot put %s in Device Privacy Mode (%s): its identity address "
                        "will be ignored by the controller", peer, error)

    async def remove(self, address: Address) -> None:
        peer = identity_for_list(address)
        if peer not in self.entries:
            return
        try:
            await self.host.send_command(cmd.LeRemoveDeviceFromResolvingList(peer_identity_address=peer))
            self.entries.discard(peer)
        except HciError as error:
            log.warning("resolving list: cannot remove %s (%s)", peer, error)


async def set_private_address(host: Host, irk: bytes) -> Address:
    """Make a fresh RPA from ``irk`` and set it with LE Set Random Address (Vol 4 Part E, 7.8.4).

    For hosts without the GAP bearer's rotation; use own address type random (0x01) afterwards.
    """
    address = generate_rpa(irk)
    await host.send_command(cmd.LeSetRandomAddress(random_address=address))
    return address
