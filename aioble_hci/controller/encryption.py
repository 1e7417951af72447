"""LE encryption start, LE Rand and LE Encrypt (Vol 4 Part E, 7.8.22-7.8.26; Vol 6 Part B, 5.1.3).

The central's host gives the LTK in LE Enable Encryption; the peripheral's host
answers the LTK Request. Equal keys: Encryption Change (or Key Refresh Complete
when already encrypted) on both sides. Different keys: the first encrypted PDU
fails its MIC and both sides disconnect with 0x3D. A negative reply: the central
gets Encryption Change with PIN or Key Missing (0x06).
"""

from __future__ import annotations

import os
import struct
from typing import TYPE_CHECKING

from aioble_hci.controller import commands as c
from aioble_hci.controller import events as ev
from aioble_hci.controller.commands import OK
from aioble_hci.controller.connections import connection
from aioble_hci.controller.constants import Ev, LeSub, Op, Role, Status
from aioble_hci.controller.privacy import aes_128

if TYPE_CHECKING:
    from aioble_hci.controller.controller import VirtualController
    from aioble_hci.controller.link import Connection

KEY_SIZE = 16


def le_encrypt(ctl: VirtualController, p: bytes) -> bytes:
    """AES-128 of the plaintext; HCI carries key and data least significant octet first."""
    key, plaintext = p[:16], p[16:32]
    return OK + aes_128(key[::-1], plaintext[::-1])[::-1]


def le_rand(ctl: VirtualController, p: bytes) -> bytes:
    return OK + os.urandom(8)


def le_enable_encryption(ctl: VirtualController, p: bytes) -> None:
    handle, rand, ediv, ltk = struct.unpack("<H8sH16s", p)
    conn = connection(ctl, handle)
    c.check(conn.role == Role.CENTRAL, Status.COMMAND_DISALLOWED)
    c.check(conn.pending_ltk is None, Status.COMMAND_DISALLOWED)
    conn.pending_ltk = ltk
    assert conn.link is not None
    conn.link.control(lambda: _request_ltk(conn.peer, rand, ediv))


def _request_ltk(peripheral: Connection, rand: bytes, ediv: int) -> None:
    peripheral.awaiting_ltk = True
    ctl = peripheral.controller
    if not ctl.le_event_enabled(LeSub.LONG_TERM_KEY_REQUEST):
        _finish(peripheral, None)  # the host cannot answer: the controller replies negatively
        return
    ctl.send_le_event(LeSub.LONG_TERM_KEY_REQUEST, ev.le_long_term_key_request(peripheral.handle, rand, ediv))


def _awaiting(ctl: VirtualController, handle: int) -> Connection:
    conn = connection(ctl, handle)
    if not conn.awaiting_ltk:
        raise c.ControllerCommandError(Status.COMMAND_DISALLOWED, struct.pack("<H", handle))
    return conn


def le_long_term_key_request_reply(ctl: VirtualController, p: bytes) -> bytes:
    handle, ltk = struct.unpack("<H16s", p)
    conn = _awaiting(ctl, handle)
    conn.awaiting_ltk = False
    assert conn.link is not None
    conn.link.control(lambda: _finish(conn, ltk))
    return OK + struct.pack("<H", handle)


def le_long_term_key_request_negative_reply(ctl: VirtualController, p: bytes) -> bytes:
    handle = c.u16(p, 0)
    conn = _awaiting(ctl, handle)
    conn.awaiting_ltk = False
    assert conn.link is not None
    conn.link.control(lambda: _finish(conn, None))
    return OK + struct.pack("<H", handle)


def _finish(peripheral: Connection, ltk: bytes | None) -> None:
    """The peripheral's key is known (None: rejected): settle encryption on both ends."""
    peripheral.awaiting_ltk = False
    central = peripheral.peer
    wanted, central.pending_ltk = central.pending_ltk, None
    if ltk is None:
        send_encryption_change(central, Status.PIN_OR_KEY_MISSING, enabled=False)
        return
    if ltk != wanted:
        assert peripheral.link is not None
        peripheral.link.fail(Status.CONNECTION_TERMINATED_DUE_TO_MIC_FAILURE)
        return
    refresh = central.encrypted
    for end in (central, peripheral):
        end.encrypted, end.ltk = True, ltk
        if refresh:
            end.controller.send_event(
                Ev.ENCRYPTION_KEY_REFRESH_COMPLETE, ev.encryption_key_refresh_complete(Status.SUCCESS, end.handle)
            )
        else:
            send_encryption_change(end, Status.SUCCESS, enabled=True)


def send_encryption_change(conn: Connection, status: int, enabled: bool) -> None:
    """Encryption Change v2 when the host unmasked it (page 2 bit 25), else v1 (7.7.8)."""
    ctl = conn.controller
    flag = 0x01 if enabled else 0x00
    if ctl.event_mask_page_2 >> 25 & 1:
        ctl.send_event(
            Ev.ENCRYPTION_CHANGE_V2, ev.encryption_change_v2(status, conn.handle, flag, KEY_SIZE if enabled else 0)
        )
    else:
        ctl.send_event(Ev.ENCRYPTION_CHANGE, ev.encryption_change(status, conn.handle, flag))


COMMANDS = [
    c.complete(Op.LE_ENCRYPT, le_encrypt, 32, 17, bit=(27, 6)),
    c.complete(Op.LE_RAND, le_rand, 0, 9, bit=(27, 7)),
    c.status(Op.LE_ENABLE_ENCRYPTION, le_enable_encryption, 28, bit=(28, 0)),
    c.complete(Op.LE_LONG_TERM_KEY_REQUEST_REPLY, le_long_term_key_request_reply, 18, 3, bit=(28, 1)),
    c.complete(Op.LE_LONG_TERM_KEY_REQUEST_NEGATIVE_REPLY, le_long_term_key_request_negative_reply, 2, 3, bit=(28, 2)),
]
