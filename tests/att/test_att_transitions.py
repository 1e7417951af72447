"""Checked transitions of the ATT state machines (att/states.py), table-driven, h11-style: every
pair of states the table does not list raises, every listed pair is taken, and the cores refuse
what the specification forbids through them."""

from __future__ import annotations

import enum
from collections.abc import Mapping

import pytest

from aioble_hci.att.bearer import AttBearer
from aioble_hci.att.client import AttClient
from aioble_hci.att.errors import BearerClosedError, IllegalTransitionError, IndicationPendingError
from aioble_hci.att.procedures import Read
from aioble_hci.att.server import AttServer
from aioble_hci.att.states import (
    BEARER_TRANSITIONS,
    CACHING_TRANSITIONS,
    CLIENT_TRANSITIONS,
    INDICATION_TRANSITIONS,
    PREPARE_QUEUE_TRANSITIONS,
    BearerState,
    CachingState,
    ClientState,
    IndicationState,
    PrepareQueueState,
    StateMachine,
)
from tests.att.conftest import make_test_db
from tests.att.drive import serve

TABLES: list[tuple[str, type[enum.Enum], Mapping[enum.Enum, frozenset[enum.Enum]]]] = [
    ("client transaction", ClientState, CLIENT_TRANSITIONS),  # type: ignore[list-item]
    ("indication", IndicationState, INDICATION_TRANSITIONS),  # type: ignore[list-item]
    ("prepare queue", PrepareQueueState, PREPARE_QUEUE_TRANSITIONS),  # type: ignore[list-item]
    ("bearer", BearerState, BEARER_TRANSITIONS),  # type: ignore[list-item]
    ("database awareness", CachingState, CACHING_TRANSITIONS),  # type: ignore[list-item]
]
PAIRS = [(name, table, old, new) for name, states, table in TABLES for old in states for new in states]


@pytest.mark.parametrize(("name", "table", "old", "new"), PAIRS,
                         ids=[f"{n}:{o.name}->{w.name}" for n, _, o, w in PAIRS])
def test_a_transition_is_taken_if_and_only_if_its_table_lists_it(
    name: str, table: Mapping[enum.Enum, frozenset[enum.Enum]], old: enum.Enum, new: enum.Enum
) -> None:
    machine = StateMachine(name, old, table)
    if new in table.get(old, frozenset()):
        machine.set_state(new)
        assert machine.state is new
    else:
        with pytest.raises(IllegalTransitionError, match=f"{old.name} -> {new.name}"):
            machine.set_state(new)
        assert machine.state is old


def test_closed_states_are_final() -> None:
    """Vol 3 Part F 3.3.3: a timed-out bearer sends nothing more; it never reopens."""
    assert CLIENT_TRANSITIONS[ClientState.CLOSED] == frozenset()
    assert INDICATION_TRANSITIONS[IndicationState.CLOSED] == frozenset()
    assert BEARER_TRANSITIONS[BearerState.CLOSED] == frozenset()


def test_a_second_indication_awaits_the_first_confirmation() -> None:
    """Vol 3 Part F 3.4.7.2: no indication while one is unconfirmed (the table has no
    AWAITING_CONFIRMATION -> AWAITING_CONFIRMATION, and the server refuses before trying)."""
    assert IndicationState.AWAITING_CONFIRMATION not in INDICATION_TRANSITIONS[IndicationState.AWAITING_CONFIRMATION]
    server = AttServer(make_test_db().db)
    server.indicate(0x1E, b"a", 0.0)
    with pytest.raises(IndicationPendingError):
        server.indicate(0x1E, b"b", 1.0)
    assert server.indication_state is IndicationState.AWAITING_CONFIRMATION
    serve(server, b"\x1e", 2.0)  # Handle Value Confirmation
    assert server.indication_state is IndicationState.IDLE


def test_the_client_transaction_follows_its_request() -> None:
    """Vol 3 Part F 3.3.2: idle, awaiting the response to one request, idle again."""
    client = AttClient()
    assert client.state is ClientState.IDLE
    client.submit(Read(3), 0.0)
    assert client.state is ClientState.AWAITING_RESPONSE
    client.receive(b"\x0bok", 1.0)
    assert client.state is ClientState.IDLE
    client.close()
    assert client.state is ClientState.CLOSED
    with pytest.raises(BearerClosedError):
        client.submit(Read(3), 2.0)


def test_the_prepare_queue_empties_on_execute() -> None:
    """Vol 3 Part F 3.4.6: prepared writes wait in the queue until an Execute Write Request."""
    server = AttServer(make_test_db().db)
    assert server.prepare_queue_state is PrepareQueueState.EMPTY
    serve(server, bytes.fromhex("16 1000 0000 41".replace(" ", "")), 0.0)
    assert server.prepare_queue_state is PrepareQueueState.QUEUED
    serve(server, bytes.fromhex("18 00"), 0.0)  # cancel
    assert server.prepare_queue_state is PrepareQueueState.EMPTY


def test_a_closed_bearer_stays_closed() -> None:
    bearer = AttBearer(AttServer(make_test_db().db))
    bearer.close()
    bearer.close()  # closing twice is no transition
    assert bearer.closed and bearer.server.closed and bearer.client.closed
    bearer.receive(bytes.fromhex("0a0300"), 0.0)
    assert bearer.data_to_send() == []
