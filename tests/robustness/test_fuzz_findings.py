"""Regression tests for bugs the fuzz harnesses found in other layers' code.

Each test names the harness and the minimal input that found it. A test here fails until the
owning layer fixes the bug; the smoke test (tests/fuzz/test_smoke.py) ignores exactly these
findings (tests/fuzz/known.py) so that each open bug fails one test, not two.
"""

from __future__ import annotations

from aioble_hci.l2cap.manager import L2capChannelManager, Role
from aioble_hci.l2cap.pdus import (
    LeCreditBasedConnectionReq,
    decode_basic_frame,
    encode_basic_frame,
    encode_command,
    split_command,
)
from aioble_hci.l2cap.spsm import CocServer


def _identifiers_sent(manager: L2capChannelManager) -> list[int]:
    ids = []
    for frame in manager.data_to_send():
        cid, payload = decode_basic_frame(frame)
        if cid == 0x0005:
            ids.append(split_command(payload).identifier)
    return ids


def test_l2cap_unknown_command_with_identifier_zero_is_not_answered_with_identifier_zero() -> None:
    """Found by the l2cap_signaling harness, input 05 00 1f 01 00 00 (fixed in l2cap/signaling.py).

    Vol 3 Part A, 4: identifier 0x00 is illegal and "shall never be used in any command";
    the manager answers such a command with a Command Reject carrying identifier 0. Zephyr
    (l2cap.c, "Invalid ident value") and BlueZ ("corrupted command") drop it silently.
    """
    manager = L2capChannelManager(Role.CENTRAL)
    manager.receive(encode_basic_frame(0x0005, b"\x00\x00\x00\x00"))  # code 0x00, identifier 0
    assert 0 not in _identifiers_sent(manager)


def test_l2cap_connection_request_with_identifier_zero_opens_nothing_and_sends_no_identifier_zero() -> None:
    """Guard for the same class (passes today): a well-formed LE Credit Based Connection
    Request with identifier 0 is dropped, no channel opens and nothing carries identifier 0."""
    manager = L2capChannelManager(Role.PERIPHERAL)
    manager.register_server(CocServer(0x0080))
    request = encode_command(0, LeCreditBasedConnectionReq(0x0080, 0x0040, 100, 50, 5))
    manager.receive(encode_basic_frame(0x0005, request))
    assert 0 not in _identifiers_sent(manager)
    assert not manager.channels
