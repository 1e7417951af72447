"""The SMP bearer: glues the sans-I/O :class:`~aioble_hci.smp.session.SmpSession` to a Host.

One ``Smp`` per Host (:func:`attach_smp`), one :class:`SmpLink` per connection. SMP PDUs arrive on
the fixed channel 0x0006 (Core Vol 3 Part A, 2.1); the session's PDUs are sent first, then its
events are handled (HCI LE Enable Encryption, LTK Request replies, prompts, bonds). HCI Encryption
Change (v1/v2) and Encryption Key Refresh Complete update each link's :class:`SecurityState`,
reported to :meth:`Smp.on_security_changed` subscribers (GATT permissions, L2CAP link security,
MicroPython's ``_IRQ_ENCRYPTION_UPDATE``).

``Smp`` is put together from one class per procedure, as NimBLE's ble_sm*.c files:

- :mod:`.links`: per-link state, the session's output, the SMP timer, the end of a link;
- :mod:`.pairing`: pairing in both roles, OOB data, prompts, the end of a pairing;
- :mod:`.encryption`: encryption with a stored key (central), the LTK request (peripheral),
  Encryption Change and Key Refresh;
- :mod:`.bonding`: who the peer is, forgetting bonds, bonded peers' CCCDs and signing counters;
- this module: life cycle (HCI subscriptions, resolving list after a controller reset) and
  :func:`attach_smp` / :func:`get_smp`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from aioble_hci.hci import events as ev
from aioble_hci.host.events import subscribe
from aioble_hci.host.host import Host
from aioble_hci.host.smp.bonding import SmpBonding
from aioble_hci.host.smp.config import SmpHostConfig
from aioble_hci.host.smp.encryption import SmpEncryption
from aioble_hci.host.smp.errors import LinkLostError
from aioble_hci.host.smp.link import IDENTITY_KEY, LOCAL_ADDRESS_KEY, SECURITY_KEY
from aioble_hci.host.smp.links import SMP_CID, PairingCallback, SecurityCallback
from aioble_hci.host.smp.pairing import SmpPairing
from aioble_hci.host.smp.prompts import Prompts

__all__ = [
    "IDENTITY_KEY",
    "LOCAL_ADDRESS_KEY",
    "SECURITY_KEY",
    "SMP_CID",
    "PairingCallback",
    "SecurityCallback",
    "Smp",
    "attach_smp",
    "get_smp",
]

log = logging.getLogger(__name__)


class Smp(SmpPairing, SmpEncryption, SmpBonding):
    """Pairing, bonding, encryption and privacy for every connection of one Host."""

    # -- life cycle ----------------------------------------------------------------------------
    def attach(self) -> None:
        """Subscribe to the host's HCI events and the SMP fixed channel."""
        host = self.host
        host.register_fixed_channel(SMP_CID, self.receive_pdu)
        subscriptions: list[tuple[type, Callable[[Any], None]]] = [
            (ev.LeConnectionComplete, self._on_connected),
            (ev.LeEnhancedConnectionComplete, self._on_connected),
            (ev.DisconnectionComplete, self._on_disconnected),
            (ev.EncryptionChange, self._on_encryption_change),
            (ev.EncryptionKeyRefreshComplete, self._on_key_refresh),
            (ev.LeLongTermKeyRequest, self._on_ltk_request),
        ]
        for event_class, callback in subscriptions:
            self._unsubscribe.append(host.on_event(event_class, callback))
        self._unsubscribe.append(host.on_reinitialised(self._on_reinitialised))
        for conn in host.connections.values():
            self._link(conn)

    async def start(self) -> None:
        """Load bonded peers' IRKs into the controller's resolving list (where it has one)."""
        if self.config.resolving_list:
            await self.resolving_list.load(self.bonds.bonds())

    def detach(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        for task in list(self._tasks):
            task.cancel()
        for link in list(self._links.values()):
            self._drop(link, LinkLostError(None))

    def _on_reinitialised(self, reason: str) -> None:
        """The host reset and re-initialised the controller: load the resolving list again.

        HCI_Reset empties the controller's resolving list and turns address resolution off
        (Vol 4 Part E, 7.3.2); links were already ended by the host's synthetic Disconnection
        Complete events, so only controller state is re-applied here.
        """
        log.info("controller re-initialised (%s): re-loading the resolving list", reason)
        self.resolving_list.forget()
        task = asyncio.get_running_loop().create_task(self.start())
        self._tasks.add(task)
        task.add_done_callback(self._reload_done)

    def _reload_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("re-loading the resolving list after a controller reset failed: %s", task.exception())

    # -- subscriptions -------------------------------------------------------------------------
    def on_security_changed(self, callback: SecurityCallback) -> Callable[[], None]:
        """``callback(conn, state)`` on the host loop whenever a link's security changes."""
        return subscribe(self._security_listeners, callback)

    def on_pairing_finished(self, callback: PairingCallback) -> Callable[[], None]:
        """``callback(conn, result, error)`` when a pairing in either role ends (not re-encryptions)."""
        return subscribe(self._pairing_listeners, callback)


def get_smp(host: Host) -> Smp | None:
    """The Smp bearer attached to this host, if any."""
    return host.smp


async def attach_smp(host: Host, config: SmpHostConfig | None = None, prompts: Prompts | None = None) -> Smp:
    """Create the host's Smp bearer (once; later calls return it) as ``host.smp``, subscribe it, feed
    its security changes to ``host.gatt`` if attached, and sync the controller's resolving list."""
    existing = get_smp(host)
    if existing is not None:
        return existing
    smp = Smp(host, config, prompts)
    smp.attach()
    host.smp = smp
    if host.gatt is not None:  # attached before us: attach_gatt wires itself only to an existing host.smp
        from aioble_hci.host.gatt.layer import use_smp

        use_smp(host.gatt, smp)
    await smp.start()
    return smp
