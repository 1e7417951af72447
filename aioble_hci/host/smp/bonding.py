"""Bonded peers on the host side: who the peer is, forgetting a bond, what a bond keeps besides keys.

A peer's identity comes from the controller's resolution (address types 0x02/0x03) or from our
bonds' IRKs (Vol 3 Part C, 10.8.2.3). A bond also keeps the peer's CCCD values (Vol 3 Part G,
3.3.3.3) and the data signing counters (Vol 3 Part H, 2.4.5); deleting it also removes the peer
from the controller's resolving list.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from aioble_hci.address import Address, AddressType
from aioble_hci.host.connection import Connection
from aioble_hci.host.smp.errors import NoBondError
from aioble_hci.host.smp.link import IDENTITY_KEY, SECURITY_KEY, SmpLink, without_resolution
from aioble_hci.host.smp.links import SmpLinks
from aioble_hci.smp.bonds import Bond

log = logging.getLogger(__name__)


class SmpBonding(SmpLinks):
    """Bonds of connected peers: identity, deletion, CCCDs and signing counters."""

    # -- who the peer is -----------------------------------------------------------------------
    def identity_address(self, conn: Connection) -> Address | None:
        link = self._links.get(conn.handle)
        return link.identity if link is not None else None

    def bond_for(self, conn: Connection) -> Bond | None:
        link = self._links.get(conn.handle)
        return link.bond if link is not None else None

    def refresh_identity(self, conn: Connection) -> None:
        """A bond was added from outside (an application's own secrets store, as the `bluetooth`
        facade has): look a link that found none up again, before it answers an LTK request."""
        link = self._links.get(conn.handle)
        if link is not None and link.conn is conn and link.bond is None:
            self._identify(link)

    def _identify(self, link: SmpLink) -> None:
        """Who the peer is: the controller's resolution (types 0x02/0x03) or our IRKs (Vol 3 Part C, 10.8.2.3)."""
        address = link.conn.peer_address
        plain = without_resolution(address)
        if address.type in (AddressType.PUBLIC_IDENTITY, AddressType.RANDOM_IDENTITY):
            link.bond = self.bonds.get(plain)
            link.identity = plain
        else:
            link.bond = self.bonds.resolve(plain)
            link.identity = link.bond.peer if link.bond is not None else (None if plain.is_resolvable else plain)
        link.conn.data[IDENTITY_KEY] = link.identity
        link.conn.data[SECURITY_KEY] = link.security
        if link.bond is not None:
            log.info("%r is bonded peer %s", link.conn, link.bond.peer)

    async def delete_bond(self, address: Address) -> bool:
        """Forget a bond (identity or resolvable address) and its resolving-list entry."""
        bond = self.bonds.resolve(address)
        if bond is None:
            return False
        self.bonds.delete(bond.peer)
        for link in self._links.values():
            if link.bond is not None and link.bond.peer == bond.peer:
                link.bond = None
        if self.config.resolving_list and bond.peer_irk is not None:
            await self.resolving_list.remove(bond.peer)
        return True

    # -- GATT server state of bonded peers (Vol 3 Part G, 3.3.3.3) -----------------------------
    def stored_cccds(self, conn: Connection) -> dict[int, int] | None:
        """The CCCD values ({CCCD handle: value}) kept for this bonded peer, None if not bonded."""
        bond = self._link(conn).bond
        return dict(bond.cccd) if bond is not None else None

    def store_cccds(self, conn: Connection, values: dict[int, int], gatt: dict[str, str] | None = None) -> None:
        """Keep a bonded peer's CCCD values in its bond (nothing is kept for unbonded peers), and
        with ``gatt`` the GATT server's other state of the peer (``Bond.gatt``)."""
        link = self._links.get(conn.handle)
        bond = link.bond if link is not None else None
        kept = {handle: value for handle, value in values.items() if value}
        record = dict(bond.gatt) if gatt is None and bond is not None else dict(gatt or {})
        if link is None or bond is None or (dict(bond.cccd) == kept and dict(bond.gatt) == record):
            return
        link.bond = replace(bond, cccd=kept, gatt=record)
        self.bonds.put(link.bond)

    # -- data signing (Vol 3 Part H, 2.4.5) ----------------------------------------------------
    def peer_signing_key(self, conn: Connection) -> tuple[bytes, int, bool] | None:
        """The bonded peer's CSRK, the last SignCounter accepted from it and whether the CSRK came
        from an authenticated pairing; None without a CSRK from this peer."""
        bond = self.bond_for(conn)
        if bond is None or bond.peer_csrk is None:
            return None
        return bond.peer_csrk, bond.peer_sign_counter, bond.authenticated

    def peer_signed(self, conn: Connection, sign_counter: int) -> None:
        """Store the SignCounter of a signed write accepted from the bonded peer."""
        link = self._links.get(conn.handle)
        bond = link.bond if link is not None else None
        if link is None or bond is None or sign_counter <= bond.peer_sign_counter:
            return
        link.bond = replace(bond, peer_sign_counter=sign_counter)
        self.bonds.put(link.bond)

    def next_signature(self, conn: Connection) -> tuple[bytes, int]:
        """Our CSRK for this bonded peer and the SignCounter to sign the next write with; the
        stored counter is advanced first, so a counter is never used twice."""
        link = self._link(conn)
        bond = link.bond
        if bond is None or bond.local_csrk is None:
            raise NoBondError(f"no CSRK distributed to {link.identity or conn.peer_address}: "
                              "pair with bonding and signing keys first")
        counter = bond.local_sign_counter
        link.bond = replace(bond, local_sign_counter=counter + 1)
        self.bonds.put(link.bond)
        return bond.local_csrk, counter
