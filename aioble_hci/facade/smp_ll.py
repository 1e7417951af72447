"""Pairing for the low-level API: gap_pair, gap_passkey and IRQs 28-31, over the host's SMP bearer.

Settings come from ``config(bond=, mitm=, le_secure=, io=)``. As on NimBLE (``sm_mitm``),
``mitm`` asks for protection without demanding it: it becomes the SMP core's
``SecurityConfig.mitm_requested`` (the MITM flag in our AuthReq), never ``mitm`` (the
requirement), for every IO capability, so pairing falls back to Just Works, unauthenticated,
when the two sides' IO capabilities cannot give MITM protection. These settings are also the
policy when the peer starts pairing. As NimBLE's repeat-pairing handling in MicroPython (the
old bond is deleted and pairing retried), a peer that lost its bond can pair again: a new
pairing replaces the stored bond (``allow_bond_overwrite``, ``allow_security_downgrade``:
whatever its method, as MicroPython's handler retries unconditionally), and when our automatic
re-encryption of a bonded peer is refused with PIN or Key Missing we pair again
(``repair_on_lost_bond``). Our IRK is the stack's (loaded from the
application's secrets at activation, GET_SECRET 10 b"irk"), so the ID key we distribute
resolves our RPAs. Bonds live in the
bearer's store in a private directory of this process; after a bonding pairing the
bond is also handed to the application as SET_SECRET (sec_type 2, key = address
type + little-endian address, value = the bond as JSON); the first time keys are
needed (gap_pair, an LTK request) after activation, every stored peer secret the
application returns from GET_SECRET is loaded back (so no GET_SECRET otherwise).
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from aioble_hci.address import Address
from aioble_hci.facade.irq import Irq
from aioble_hci.facade.stack import LowLevelStack
from aioble_hci.hci import events as ev
from aioble_hci.host.connection import Connection
from aioble_hci.host.smp.bearer import Smp
from aioble_hci.host.smp.config import SmpHostConfig
from aioble_hci.host.smp.prompts import CallbackPrompts, PasskeyAction
from aioble_hci.security import LinkSecurity
from aioble_hci.smp.bonds import Bond
from aioble_hci.smp.pdus import IoCapability

log = logging.getLogger(__name__)

SEC_TYPE_PEER = 2
MAX_SECRETS = 64


class Pairing:
    """The SMP side of one `LowLevelStack`."""

    def __init__(self, stack: LowLevelStack) -> None:
        self.stack = stack
        self.smp: Smp | None = None
        self.prompts = CallbackPrompts(self._on_action)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._loaded = False
        # Connections whose latest Encryption Change (or Key Refresh) has not been reported yet:
        # NimBLE raises one ENCRYPTION_UPDATE per such event (BLE_GAP_EVENT_ENC_CHANGE).
        self._unreported: set[int] = set()
        stack.on_activate.append(self._activated)
        stack.on_deactivate.append(self._deactivated)
        # Before the SMP bearer answers an LTK request or re-encrypts a bonded peer it connected to,
        # make sure the application's bonds are loaded, the new peer's looked up by its address.
        stack.on_event_hooks.append((ev.LeLongTermKeyRequest, self._on_ltk_request))
        for opened in (ev.LeConnectionComplete, ev.LeEnhancedConnectionComplete):
            stack.on_event_hooks.append((opened, self._on_connection))
        # Subscribed before the SMP bearer (which attaches at activation), so the mark is set
        # before the bearer reports the change.
        for event_class in (ev.EncryptionChange, ev.EncryptionChangeV2, ev.EncryptionKeyRefreshComplete):
            stack.on_event_hooks.append((event_class, self._on_encryption_event))
        stack.security_of = self.security
        stack.peer_bonded = self.peer_bonded
        stack.on_link_down.append(lambda link, reason: self._unreported.discard(link.handle))

    def _activated(self) -> None:
        host = self.stack.runtime.host
        assert host is not None
        if self.smp is None:
            self._dir = tempfile.TemporaryDirectory(prefix="aioble-hci-ble-")
            path = Path(self._dir.name)
            config = SmpHostConfig(bond_path=path / "bonds.json", irk_path=path / "local_irk.json",
                                   resolving_list=False, allow_bond_overwrite=True, allow_security_downgrade=True,
                                   repair_on_lost_bond=True)
            self.smp = Smp(host, config, self.prompts)
            self.smp.attach()
            self.smp.on_security_changed(self._on_security)
            self.smp.on_pairing_finished(self._on_pairing)
        # One IRK for our RPAs and the ID key we distribute: the stack's, from the application's secrets.
        self.smp.local_irk = self.stack.our_irk()
        self.smp.config.identity_address = self.stack.identity_address
        self.apply_settings()

    def apply_settings(self) -> None:
        """Make config(bond=, mitm=, le_secure=, io=) the policy for pairings the peer starts too."""
        if self.smp is None:
            return
        settings = self.stack.settings
        self.smp.config.security = replace(
            self.smp.config.security, io_capability=IoCapability(settings.io), bonding=settings.bond,
            mitm=False, mitm_requested=settings.mitm, secure_connections=settings.le_secure, sc_only=False)

    def _deactivated(self) -> None:
        """The application's secrets are the bond store (as MicroPython's NimBLE store): forget our
        copy, so the next activation holds exactly what GET_SECRET returns (a peer secret the
        application deleted is a lost bond)."""
        self._loaded = False
        if self.smp is not None:
            for bond in self.smp.bonds.bonds():
                self.smp.bonds.delete(bond.peer)

    def _load_secrets(self) -> None:
        """Ask the application (GET_SECRET) for its stored peer keys, once per activation, when first needed."""
        if self._loaded or self.smp is None or not self.stack.active:
            return
        self._loaded = True
        for index in range(MAX_SECRETS):
            value = self.stack.irq(Irq.GET_SECRET, (SEC_TYPE_PEER, index, None))
            if value is None:
                return
            try:
                self.smp.bonds.put(Bond.from_json(json.loads(bytes(value))))
            except Exception as exc:  # a secret written by another stack: not ours to read
                log.debug("ignoring peer secret %d: %s", index, exc)

    def _on_connection(self, event: Any) -> None:
        """As central, a link to a bonded peer is encrypted with the stored key at once: load the
        bonds, and the new peer's by its address, before the SMP bearer looks."""
        if event.status == 0 and event.role == 0:
            self._load_peer_secret(event.peer_address, self._connection(event.connection_handle))

    def _on_ltk_request(self, event: Any) -> None:
        """As peripheral, the bonds are needed when the central asks to encrypt."""
        connection = self._connection(event.connection_handle)
        if connection is not None:
            self._load_peer_secret(connection.peer_address, connection)
        else:
            self._load_secrets()

    def _connection(self, handle: int) -> Connection | None:
        host = self.stack.runtime.host
        return None if host is None else host.connections.get(handle)

    def _load_peer_secret(self, peer: Address, connection: Connection | None) -> None:
        """Every stored bond (by index, once per activation), then this peer's by its address, as
        NimBLE's store asks (GET_SECRET index 0, key = address type + address): an application
        may answer keyed look-ups only."""
        if self.smp is None or not self.stack.active:
            return
        self._load_secrets()
        if not any(bond.peer.value == peer.value for bond in self.smp.bonds.bonds()):
            key = bytes((int(peer.type) & 1,)) + peer.value
            value = self.stack.irq(Irq.GET_SECRET, (SEC_TYPE_PEER, 0, key))
            if value is None:
                return
            try:
                self.smp.bonds.put(Bond.from_json(json.loads(bytes(value))))
            except Exception as exc:  # a secret written by another stack: not ours to read
                log.debug("ignoring the peer secret of %s: %s", peer, exc)
                return
        if connection is not None:  # the link may have looked for a bond before it was loaded
            self.smp.refresh_identity(connection)

    def security(self, connection: Connection) -> LinkSecurity:
        return self.smp.security(connection) if self.smp is not None else LinkSecurity()

    def peer_bonded(self, connection: Connection) -> bool:
        """Whether a bond (an LTK) is known for the peer of this link (Vol 3 Part C 10.3.1)."""
        return self.smp is not None and self.smp.bond_for(connection) is not None

    # --- calls ------------------------------------------------------------------------------

    def pair(self, conn: int) -> None:
        connection = self.stack.connection(conn)
        if self.smp is None:
            raise OSError(errno.ENOTCONN, "not connected")
        self._load_secrets()
        settings = self.stack.settings
        coro = self.smp.pair(connection, bond=settings.bond, mitm=False, mitm_requested=settings.mitm,
                             sc=settings.le_secure, io=settings.io)
        task = asyncio.get_running_loop().create_task(coro, name=f"gap_pair {conn}")
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.info("pairing failed: %s", task.exception())

    def passkey(self, conn: int, action: int, passkey: int) -> None:
        connection = self.stack.connection(conn)
        value: int | bool = bool(passkey) if action == PasskeyAction.NUMERIC_COMPARISON else passkey
        if not self.prompts.answer(connection, action, value):
            raise OSError(errno.EINVAL, "no passkey action pending")

    # --- events ---------------------------------------------------------------------------------

    def _on_action(self, connection: Connection, action: PasskeyAction, value: int) -> None:
        self.stack.irq(Irq.PASSKEY_ACTION, (connection.handle, int(action), value))

    def _on_encryption_event(self, event: Any) -> None:
        self._unreported.add(int(event.connection_handle))

    def _on_security(self, connection: Connection, state: LinkSecurity) -> None:
        """One ENCRYPTION_UPDATE per Encryption Change or Key Refresh, as NimBLE: during a pairing
        it waits for the end of key distribution; the bearer's other security reports (the
        pairing's completion right after the Encryption Change when no keys are distributed)
        raise nothing more."""
        if self.smp is not None and self.smp.pairing_in_progress(connection):
            return
        if connection.handle not in self._unreported:
            return
        self._unreported.discard(connection.handle)
        self.stack.irq(Irq.ENCRYPTION_UPDATE, (connection.handle, int(state.encrypted), int(state.authenticated),
                                               int(state.bonded), state.key_size))

    def _on_pairing(self, connection: Connection, result: Any, error: Any) -> None:
        if error is not None or self.smp is None:
            return
        bond = self.smp.bond_for(connection)
        if bond is None:
            return
        key = bytes((int(bond.peer.type) & 1,)) + bond.peer.value
        value = json.dumps(bond.to_json()).encode()
        self.stack.irq(Irq.SET_SECRET, (SEC_TYPE_PEER, key, value))
