"""Regression tests for bugs the fuzz harnesses found in other layers' code.

Each test names the harness and the input that found it. While a bug is open its test fails
and tests/fuzz/known.py lists the finding, so the smoke test (tests/fuzz/test_smoke.py) does
not fail for it a second time; once fixed, the test guards against its return.
"""

from __future__ import annotations

import pytest

from aioble_hci.att.server import AttServer
from aioble_hci.l2cap.manager import L2capChannelManager, L2capUsageError, Role
from aioble_hci.l2cap.pdus import (
    CreditBasedConnectionReq,
    LeCreditBasedConnectionReq,
    decode_basic_frame,
    encode_basic_frame,
    encode_command,
    split_command,
)
from aioble_hci.l2cap.spsm import CocServer
from aioble_hci.uuid import UUID
from tests.att.drive import serve
from tests.fuzz.att import make_database


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
    the manager answered such a command with a Command Reject carrying identifier 0. Zephyr
    (l2cap.c, "Invalid ident value") and BlueZ ("corrupted command") drop it silently.
    """
    manager = L2capChannelManager(Role.CENTRAL)
    manager.receive(encode_basic_frame(0x0005, b"\x00\x00\x00\x00"), now=0.0)  # code 0x00, identifier 0
    assert 0 not in _identifiers_sent(manager)


def test_l2cap_connection_request_with_identifier_zero_opens_nothing_and_sends_no_identifier_zero() -> None:
    """Guard for the same class (passes today): a well-formed LE Credit Based Connection
    Request with identifier 0 is dropped, no channel opens and nothing carries identifier 0."""
    manager = L2capChannelManager(Role.PERIPHERAL)
    manager.register_server(CocServer(0x0080))
    request = encode_command(0, LeCreditBasedConnectionReq(0x0080, 0x0040, 100, 50, 5))
    manager.receive(encode_basic_frame(0x0005, request), now=0.0)
    assert 0 not in _identifiers_sent(manager)
    assert not manager.channels


def test_l2cap_reconfigure_with_an_mtu_over_65535_is_a_usage_error_and_sends_nothing() -> None:
    """Found by the l2cap_coc harness, input 00 0c 1e 35 00 ff ff (fixed in l2cap/manager.py).

    `L2capChannelManager.reconfigure(cids, mtu=0x10000, mps)` raises struct.error from the PDU
    encoder instead of L2capUsageError (connect_coc/connect_ecfc check MTU <= 0xFFFF), and the
    request is registered as pending before encoding fails: 30 s later the manager reports a
    SignalingTimeout and ReconfigureFailed for a request the peer never received.
    """
    manager = L2capChannelManager(Role.PERIPHERAL)
    manager.register_server(CocServer(0x0080))
    manager.receive(encode_basic_frame(0x0005, encode_command(1, CreditBasedConnectionReq(0x0080, 100, 64, 2, (0x0041,)))), now=0.0)
    manager.take_events()
    manager.data_to_send()
    (cid,) = manager.channels
    with pytest.raises(L2capUsageError):
        manager.reconfigure([cid], 0x10000, 64, now=0.0)
    assert manager.get_timer() is None
    assert manager.handle_timer(31.0) == []


def test_att_prepare_write_longer_than_att_mtu_is_never_echoed_past_att_mtu() -> None:
    """Found by the att_server harness (fixed in att/server.py: PDUs over ATT_MTU are refused).

    At ATT_MTU 23 a client sends a 35-octet Prepare Write Request (a PDU longer than ATT_MTU,
    Vol 3 Part F 3.2.8/3.4.6.1); the server echoes it in a 35-octet Prepare Write Response, so
    the server itself sends a PDU longer than ATT_MTU. Expected: an answer of at most ATT_MTU
    octets (e.g. Error Response Invalid PDU) and nothing queued.
    """
    server = AttServer(make_database())
    handle = next(a.handle for a in server.db.range(1, 0xFFFF) if a.type == UUID(0xAA01))
    request = b"\x16" + handle.to_bytes(2, "little") + b"\x00\x00" + bytes(30)
    response = serve(server, request, 0.0).response
    assert response is not None
    assert len(response) <= server.mtu, f"{len(response)}-octet response at ATT_MTU {server.mtu}"
