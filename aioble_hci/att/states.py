"""Checked state transitions for the ATT cores, in h11's manner.

Each state machine names its states with an enum and lists the transitions the specification
allows; the one way to change state is `set_state`, and a transition missing from the table is a
bug in the core (never peer input, which the cores check before acting), so it raises
`IllegalTransitionError` rather than leaving the core in a state nobody planned for.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Generic, TypeVar

from aioble_hci.att.errors import IllegalTransitionError

S = TypeVar("S", bound=enum.Enum)


class StateMachine(Generic[S]):
    """The state of one ATT state machine and its table of allowed transitions."""

    __slots__ = ("name", "state", "_allowed")

    def __init__(self, name: str, initial: S, allowed: Mapping[S, frozenset[S]]) -> None:
        self.name = name
        self.state: S = initial
        self._allowed = allowed

    def set_state(self, new: S) -> None:
        """Move to `new`; raises IllegalTransitionError if the table does not allow it."""
        if new not in self._allowed.get(self.state, frozenset()):
            raise IllegalTransitionError(f"{self.name}: {self.state.name} -> {new.name} is not allowed")
        self.state = new


class ClientState(enum.Enum):
    """The client's transaction (Vol 3 Part F 3.3.2): one request outstanding at a time."""

    IDLE = enum.auto()
    AWAITING_RESPONSE = enum.auto()
    CLOSED = enum.auto()
    """Transaction timeout or disconnection: nothing more is sent (Vol 3 Part F 3.3.3)."""


CLIENT_TRANSITIONS: Mapping[ClientState, frozenset[ClientState]] = {
    ClientState.IDLE: frozenset({ClientState.AWAITING_RESPONSE, ClientState.CLOSED}),
    # a multi-request procedure sends its next request as the response arrives
    ClientState.AWAITING_RESPONSE: frozenset(
        {ClientState.AWAITING_RESPONSE, ClientState.IDLE, ClientState.CLOSED}
    ),
    ClientState.CLOSED: frozenset(),
}


class IndicationState(enum.Enum):
    """The server's indication (Vol 3 Part F 3.4.7.2): one unconfirmed at a time."""

    IDLE = enum.auto()
    AWAITING_CONFIRMATION = enum.auto()
    CLOSED = enum.auto()
    """Transaction timeout or disconnection: nothing more is answered or sent."""


INDICATION_TRANSITIONS: Mapping[IndicationState, frozenset[IndicationState]] = {
    IndicationState.IDLE: frozenset({IndicationState.AWAITING_CONFIRMATION, IndicationState.CLOSED}),
    IndicationState.AWAITING_CONFIRMATION: frozenset({IndicationState.IDLE, IndicationState.CLOSED}),
    IndicationState.CLOSED: frozenset(),
}


class PrepareQueueState(enum.Enum):
    """The server's prepare queue for this client (Vol 3 Part F 3.4.6)."""

    EMPTY = enum.auto()
    QUEUED = enum.auto()
    """Prepared writes wait for an Execute Write Request."""


PREPARE_QUEUE_TRANSITIONS: Mapping[PrepareQueueState, frozenset[PrepareQueueState]] = {
    PrepareQueueState.EMPTY: frozenset({PrepareQueueState.QUEUED}),
    PrepareQueueState.QUEUED: frozenset({PrepareQueueState.QUEUED, PrepareQueueState.EMPTY}),
}


class CachingState(enum.Enum):
    """A client's view of the server's database (Vol 3 Part G 2.5.2.1, Robust Caching)."""

    CHANGE_AWARE = enum.auto()
    CHANGE_UNAWARE = enum.auto()
    """The database changed since the client last synchronised: requests are refused."""
    OUT_OF_SYNC_SENT = enum.auto()
    """Still change-unaware, and told so once with Database Out Of Sync: a further request is
    taken as the client having seen that error, so it becomes change-aware (2.5.2.1)."""


CACHING_TRANSITIONS: Mapping[CachingState, frozenset[CachingState]] = {
    CachingState.CHANGE_AWARE: frozenset({CachingState.CHANGE_AWARE, CachingState.CHANGE_UNAWARE}),
    CachingState.CHANGE_UNAWARE: frozenset(
        {CachingState.CHANGE_UNAWARE, CachingState.OUT_OF_SYNC_SENT, CachingState.CHANGE_AWARE}
    ),
    CachingState.OUT_OF_SYNC_SENT: frozenset({CachingState.CHANGE_UNAWARE, CachingState.CHANGE_AWARE}),
}


class BearerState(enum.Enum):
    """One ATT bearer: open until the link goes or a transaction times out (Vol 3 Part F 3.3.3)."""

    OPEN = enum.auto()
    CLOSED = enum.auto()


BEARER_TRANSITIONS: Mapping[BearerState, frozenset[BearerState]] = {
    BearerState.OPEN: frozenset({BearerState.CLOSED}),
    BearerState.CLOSED: frozenset(),
}
