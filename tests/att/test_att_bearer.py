"""The ATT bearer core (att/bearer.py) driven by hand: routing (Vol 3 Part F 3.3), one ATT_MTU
for both sides (3.4.2), the link's security, and both transaction deadlines (3.3.3)."""

from __future__ import annotations

import pytest

from aioble_hci.att import pdus
from aioble_hci.att.bearer import AttBearer
from aioble_hci.att.database import SecurityState
from aioble_hci.att.events import (
    IndicationReceived,
    MtuChanged,
    NotificationReceived,
    ProcedureFinished,
    Role,
    TransactionTimedOut,
    Written,
    role_of,
)
from aioble_hci.att.pdus import ErrorCode
from aioble_hci.att.procedures import ExchangeMtu, Read
from aioble_hci.att.server import AttServer
from tests.att.conftest import make_test_db


@pytest.fixture
def bearer() -> AttBearer:
    return AttBearer(AttServer(make_test_db().db, connection="conn", rx_mtu=100), rx_mtu=100)


def test_a_request_goes_to_the_server_and_its_response_comes_out(bearer: AttBearer) -> None:
    """Vol 3 Part F 3.3: requests are the server's."""
    bearer.receive(bytes.fromhex("0a1600"), 0.0)  # Read Request of the read-only value 'r'
    assert bearer.data_to_send() == [b"\x0br"]


def test_a_notification_goes_to_the_client(bearer: AttBearer) -> None:
    """Vol 3 Part F 3.3: notifications are the client's; no answer goes out."""
    bearer.receive(bytes.fromhex("1b2000") + b"hi", 0.0)
    assert bearer.take_events() == [NotificationReceived(0x20, b"hi")]
    assert bearer.data_to_send() == []


def test_an_indication_goes_to_the_client_which_confirms_it(bearer: AttBearer) -> None:
    """Vol 3 Part F 3.4.7.3: the client confirms an indication."""
    bearer.receive(bytes.fromhex("1d2000") + b"x", 0.0)
    assert bearer.take_events() == [IndicationReceived(0x20, b"x")]
    assert bearer.data_to_send() == [b"\x1e"]


def test_a_write_command_goes_to_the_server_unanswered(bearer: AttBearer) -> None:
    bearer.receive(bytes.fromhex("521000") + b"w", 0.0)
    assert bearer.data_to_send() == []
    assert bearer.take_events() == [Written("conn", 0x10, b"w")]


@pytest.mark.parametrize("opcode", [0x3F, 0x1F, 0x26])
def test_an_unknown_request_opcode_is_request_not_supported(bearer: AttBearer, opcode: int) -> None:
    """Vol 3 Part F 3.4.1.1: a request the server does not support gets Request Not Supported,
    whatever its opcode looks like."""
    bearer.receive(bytes((opcode, 0, 0)), 0.0)
    assert bearer.data_to_send() == [pdus.ErrorRsp(opcode, 0, ErrorCode.REQUEST_NOT_SUPPORTED).encode()]


def test_an_unknown_command_opcode_is_ignored(bearer: AttBearer) -> None:
    """Vol 3 Part F 3.3: a command (bit 6 set) the server does not know is ignored."""
    bearer.receive(bytes((0x7F, 0, 0)), 0.0)
    assert bearer.data_to_send() == [] and bearer.take_events() == []


def test_the_peers_exchange_sets_the_mtu_of_both_sides(bearer: AttBearer) -> None:
    """Vol 3 Part F 3.4.2: one ATT_MTU per bearer, whichever side exchanged it."""
    bearer.receive(pdus.ExchangeMtuReq(64).encode(), 0.0)
    assert bearer.data_to_send() == [pdus.ExchangeMtuRsp(100).encode()]
    assert bearer.take_events() == [MtuChanged("conn", 64, Role.SERVER)]
    assert bearer.mtu == bearer.client.mtu == bearer.server.mtu == 64


def test_our_exchange_sets_the_mtu_of_both_sides(bearer: AttBearer) -> None:
    proc = bearer.client.submit(ExchangeMtu(100), 0.0)
    assert bearer.data_to_send() == [pdus.ExchangeMtuReq(100).encode()]
    bearer.receive(pdus.ExchangeMtuRsp(80).encode(), 1.0)
    events = bearer.take_events()
    assert MtuChanged("conn", 80, Role.CLIENT) in events and ProcedureFinished(proc) in events
    assert bearer.server.mtu == bearer.client.mtu == 80


def test_the_server_checks_the_bearers_link_security(bearer: AttBearer) -> None:
    """Vol 3 Part C 10.3: the encrypted value needs an encrypted link."""
    read_encrypted = bytes.fromhex("0a1800")
    bearer.receive(read_encrypted, 0.0)
    (refused,) = bearer.data_to_send()
    assert refused[0] == pdus.Opcode.ERROR_RSP and refused[4] == ErrorCode.INSUFFICIENT_AUTHENTICATION
    bearer.security = SecurityState(encrypted=True, key_size=16)
    bearer.receive(read_encrypted, 1.0)
    assert bearer.data_to_send() == [b"\x0benc"]


def test_the_timer_is_the_earlier_of_both_deadlines(bearer: AttBearer) -> None:
    """Vol 3 Part F 3.3.3: each side's transaction has its own 30 s."""
    assert bearer.get_timer() is None
    bearer.client.submit(Read(3), 10.0)
    assert bearer.get_timer() == 40.0
    bearer.server.receive(bytes.fromhex("121f000200"), 11.0)  # the peer enables indications
    bearer.server.indicate(0x1E, b"i", 5.0)
    assert bearer.get_timer() == 35.0
    bearer.receive(b"\x1e", 12.0)  # confirmed
    assert bearer.get_timer() == 40.0
    bearer.data_to_send()
    bearer.take_events()
    bearer.handle_timer(40.0)
    events = bearer.take_events()
    assert TransactionTimedOut("conn", 0, Role.CLIENT) in events
    assert bearer.get_timer() is None


def test_events_say_which_side_they_come_from(bearer: AttBearer) -> None:
    bearer.receive(bytes.fromhex("521000") + b"w", 0.0)
    bearer.receive(bytes.fromhex("1b2000") + b"n", 0.0)
    assert [role_of(event) for event in bearer.take_events()] == [Role.SERVER, Role.CLIENT]
