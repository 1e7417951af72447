"""Filter Accept List and resolving list basics (Vol 4 Part E, 7.8.14-7.8.17, 7.8.38-7.8.45, 7.8.77).

With address resolution enabled, an advertiser's resolvable private address
that matches a peer IRK on the list is reported as its identity address
(type 0x02/0x03), as Vol 6 Part B, 6.4 describes.

Each resolving list entry has a privacy mode (Vol 6 Part B, 4.7; Vol 4 Part E, 7.8.77),
Network Privacy Mode when added. In Network Privacy Mode a packet that carries the
identity address of a peer whose entry has a non-zero peer IRK is dropped: that peer
promised to use private addresses, so its identity address on air is someone else. In
Device Privacy Mode the identity address is accepted as well. This is what makes a host
that forgets LE Set Privacy Mode lose bonded peers that advertise with their identity.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from aioble_hci.controller import commands as c
from aioble_hci.controller.commands import OK
from aioble_hci.controller.constants import Op, Status

if TYPE_CHECKING:
    from aioble_hci.controller.controller import VirtualController

ACCEPT_LIST_SIZE = 16
RESOLVING_LIST_SIZE = 16
NETWORK_PRIVACY_MODE = 0x00
DEVICE_PRIVACY_MODE = 0x01


def aes_128(key: bytes, block: bytes) -> bytes:
    """The security function e (Vol 3 Part H, 2.2.1), most significant octet first."""
    # imported here: a controller that never resolves an address starts without loading AES
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return encryptor.update(block) + encryptor.finalize()


def rpa_matches(irk_le: bytes, address_le: bytes) -> bool:
    """Does the RPA resolve with this IRK: hash == ah(IRK, prand) (Vol 3 Part H, 2.2.2)."""
    prand_be = address_le[3:6][::-1]
    hash_be = address_le[0:3][::-1]
    return aes_128(irk_le[::-1], bytes(13) + prand_be)[-3:] == hash_be


@dataclass(frozen=True, slots=True)
class ResolvingEntry:
    """One resolving list entry: a peer's identity address and IRK, and ours (Vol 4 Part E, 7.8.38)."""

    peer_address_type: int
    peer_address: bytes
    peer_irk: bytes
    local_irk: bytes
    privacy_mode: int = NETWORK_PRIVACY_MODE  # the mode an entry gets when added (7.8.77)


class Privacy:
    """A controller's filter accept list and resolving list."""

    def __init__(self, ctl: VirtualController) -> None:
        self.ctl = ctl
        self.reset()

    def reset(self) -> None:
        self.accept_list: set[tuple[int, bytes]] = set()
        self.resolving_list: list[ResolvingEntry] = []
        self.resolution_enabled = False
        self.rpa_timeout = 900

    def in_accept_list(self, address_type: int, address: bytes) -> bool:
        if (address_type & 1, address) in self.accept_list:
            return True
        resolved = self.resolve(address_type, address)
        return (resolved[0] & 1, resolved[1]) in self.accept_list

    def accepts_peer(self, address_type: int, address: bytes) -> bool:
        """Whether a packet from this address passes the privacy-mode filter (Vol 6 Part B, 4.7).

        False only for the identity address (public, or random static) of a resolving list entry
        with a non-zero peer IRK in Network Privacy Mode, while address resolution is enabled.
        """
        if not self.resolution_enabled or address_type not in (0, 1):
            return True
        if address_type == 1 and address[5] >> 6 != 0b11:
            return True  # a private address is never an identity address
        for entry in self.resolving_list:
            if (entry.peer_address_type, entry.peer_address) == (address_type, address):
                return entry.peer_irk == bytes(16) or entry.privacy_mode == DEVICE_PRIVACY_MODE
        return True

    def resolve(self, address_type: int, address: bytes) -> tuple[int, bytes]:
        """The identity behind a resolvable private address, typed 0x02/0x03; else unchanged."""
        if not self.resolution_enabled or address_type != 1 or address[5] >> 6 != 0b01:
            return address_type, address
        for entry in self.resolving_list:
            if entry.peer_irk != bytes(16) and rpa_matches(entry.peer_irk, address):
                return entry.peer_address_type | 0x02, entry.peer_address
        return address_type, address


def le_read_filter_accept_list_size(ctl: VirtualController, p: bytes) -> bytes:
    return OK + bytes((ACCEPT_LIST_SIZE,))


def le_clear_filter_accept_list(ctl: VirtualController, p: bytes) -> bytes:
    ctl.privacy.accept_list.clear()
    return OK


def le_add_device_to_filter_accept_list(ctl: VirtualController, p: bytes) -> bytes:
    c.check(p[0] <= 1 or p[0] == 0xFF)
    c.check(len(ctl.privacy.accept_list) < ACCEPT_LIST_SIZE, Status.MEMORY_CAPACITY_EXCEEDED)
    ctl.privacy.accept_list.add((p[0], bytes(p[1:7])))
    return OK


def le_remove_device_from_filter_accept_list(ctl: VirtualController, p: bytes) -> bytes:
    ctl.privacy.accept_list.discard((p[0], bytes(p[1:7])))
    return OK


def le_add_device_to_resolving_list(ctl: VirtualController, p: bytes) -> bytes:
    peer_type, peer, peer_irk, local_irk = struct.unpack("<B6s16s16s", p)
    c.check(peer_type <= 1)
    entries = ctl.privacy.resolving_list
    c.check(len(entries) < RESOLVING_LIST_SIZE, Status.MEMORY_CAPACITY_EXCEEDED)
    entries[:] = [e for e in entries if (e.peer_address_type, e.peer_address) != (peer_type, peer)]
    entries.append(ResolvingEntry(peer_type, peer, peer_irk, local_irk))
    return OK


def le_remove_device_from_resolving_list(ctl: VirtualController, p: bytes) -> bytes:
    entries = ctl.privacy.resolving_list
    before = len(entries)
    entries[:] = [e for e in entries if (e.peer_address_type, e.peer_address) != (p[0], bytes(p[1:7]))]
    c.check(len(entries) < before, Status.UNKNOWN_CONNECTION_IDENTIFIER)
    return OK


def le_clear_resolving_list(ctl: VirtualController, p: bytes) -> bytes:
    ctl.privacy.resolving_list.clear()
    return OK


def le_read_resolving_list_size(ctl: VirtualController, p: bytes) -> bytes:
    return OK + bytes((RESOLVING_LIST_SIZE,))


def le_set_address_resolution_enable(ctl: VirtualController, p: bytes) -> bytes:
    c.check(p[0] <= 1)
    ctl.privacy.resolution_enabled = bool(p[0])
    return OK


def le_set_resolvable_private_address_timeout(ctl: VirtualController, p: bytes) -> bytes:
    timeout = c.u16(p, 0)
    c.check(1 <= timeout <= 0x0E10)
    ctl.privacy.rpa_timeout = timeout
    return OK


def le_set_privacy_mode(ctl: VirtualController, p: bytes) -> bytes:
    """Vol 4 Part E, 7.8.77: the entry's mode; Unknown Connection Identifier (0x02) for a peer not
    on the resolving list; Command Disallowed while address resolution is enabled and advertising,
    scanning or initiating is on (any time while resolution is disabled)."""
    peer_type, peer, mode = struct.unpack("<B6sB", p)
    c.check(peer_type <= 1 and mode <= 1)
    busy = (ctl.advertising.legacy_enabled or any(s.enabled for s in ctl.advertising.sets.values())
            or ctl.scanner.enabled or ctl.initiator.pending is not None)
    c.check(not (ctl.privacy.resolution_enabled and busy), Status.COMMAND_DISALLOWED)
    entries = ctl.privacy.resolving_list
    for index, entry in enumerate(entries):
        if (entry.peer_address_type, entry.peer_address) == (peer_type, peer):
            entries[index] = replace(entry, privacy_mode=mode)
            return OK
    raise c.ControllerCommandError(Status.UNKNOWN_CONNECTION_IDENTIFIER)


COMMANDS = [
    c.complete(Op.LE_READ_FILTER_ACCEPT_LIST_SIZE, le_read_filter_accept_list_size, 0, 2, bit=(26, 6)),
    c.complete(Op.LE_CLEAR_FILTER_ACCEPT_LIST, le_clear_filter_accept_list, 0, bit=(26, 7)),
    c.complete(Op.LE_ADD_DEVICE_TO_FILTER_ACCEPT_LIST, le_add_device_to_filter_accept_list, 7, bit=(27, 0)),
    c.complete(Op.LE_REMOVE_DEVICE_FROM_FILTER_ACCEPT_LIST, le_remove_device_from_filter_accept_list, 7, bit=(27, 1)),
    c.complete(Op.LE_ADD_DEVICE_TO_RESOLVING_LIST, le_add_device_to_resolving_list, 39, bit=(34, 3)),
    c.complete(Op.LE_REMOVE_DEVICE_FROM_RESOLVING_LIST, le_remove_device_from_resolving_list, 7, bit=(34, 4)),
    c.complete(Op.LE_CLEAR_RESOLVING_LIST, le_clear_resolving_list, 0, bit=(34, 5)),
    c.complete(Op.LE_READ_RESOLVING_LIST_SIZE, le_read_resolving_list_size, 0, 2, bit=(34, 6)),
    c.complete(Op.LE_SET_ADDRESS_RESOLUTION_ENABLE, le_set_address_resolution_enable, 1, bit=(35, 1)),
    c.complete(Op.LE_SET_RESOLVABLE_PRIVATE_ADDRESS_TIMEOUT, le_set_resolvable_private_address_timeout, 2, bit=(35, 2)),
    c.complete(Op.LE_SET_PRIVACY_MODE, le_set_privacy_mode, 8, bit=(39, 2)),
]
