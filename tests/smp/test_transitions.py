"""An SMP session changes state only along its table (Vol 3 Part H, 2.1 phases and 3.4 timeout).

Table-driven: every (from, to) pair of `SmpState` is tried; the pairs the pairing phases link
succeed, every other one raises `IllegalSmpTransition` and leaves the state as it was. The
states that used to hide in flags (link encrypted, our keys sent) are states of their own, and
a real pairing walks through them in the spec's order.
"""

from __future__ import annotations

import itertools

import pytest

from aioble_hci.smp.session import IllegalSmpTransition, SmpSession, SmpState
from tests.smp.link import CENTRAL_ADDRESS, PERIPHERAL_ADDRESS, Link

S = SmpState

IN_PROGRESS = (
    S.WAIT_PAIRING_RESPONSE,
    S.PHASE2,
    S.WAIT_ENCRYPTION,
    S.KEY_DISTRIBUTION,
    S.LOCAL_KEYS_SENT,
)
ALLOWED = {
    # 2.1 phase 1: our Pairing Request (initiator) or the peer's (responder) starts a pairing.
    (S.IDLE, S.WAIT_PAIRING_RESPONSE),
    (S.IDLE, S.PHASE2),
    # Phase 1 -> phase 2 -> encryption -> phase 3 (responder's keys first, 3.6.1).
    (S.WAIT_PAIRING_RESPONSE, S.PHASE2),
    (S.PHASE2, S.WAIT_ENCRYPTION),
    (S.WAIT_ENCRYPTION, S.KEY_DISTRIBUTION),
    (S.KEY_DISTRIBUTION, S.LOCAL_KEYS_SENT),
    # Any pairing in progress may fail (3.5.5) or time out (3.4); completion also ends in IDLE.
    *((state, S.IDLE) for state in IN_PROGRESS),
    *((state, S.TIMED_OUT) for state in IN_PROGRESS),
}


def session_in(state: SmpState) -> SmpSession:
    session = SmpSession(
        central=True, local_address=CENTRAL_ADDRESS, peer_address=PERIPHERAL_ADDRESS
    )
    session._state = state  # arrange only: the transition under test goes through _set_state
    return session


@pytest.mark.parametrize(("source", "target"), sorted(ALLOWED, key=str))
def test_allowed_transition_changes_state(source: SmpState, target: SmpState) -> None:
    session = session_in(source)
    session._set_state(target)
    assert session.state is target


@pytest.mark.parametrize(("source", "target"), sorted(set(itertools.product(S, S)) - ALLOWED, key=str))
def test_illegal_transition_raises(source: SmpState, target: SmpState) -> None:
    session = session_in(source)
    with pytest.raises(IllegalSmpTransition):
        session._set_state(target)
    assert session.state is source


def test_no_way_out_of_timed_out() -> None:
    """3.4: after an SMP timeout no further SMP procedure runs on the link, not even a new one."""
    session = session_in(S.TIMED_OUT)
    for target in S:
        with pytest.raises(IllegalSmpTransition):
            session._set_state(target)


def test_state_cannot_be_assigned_from_outside() -> None:
    session = session_in(S.IDLE)
    with pytest.raises(AttributeError):
        session.state = S.PHASE2  # type: ignore[misc]


def test_bonding_pairing_walks_the_phases_in_order() -> None:
    """Vol 3 Part H, 2.1 and 3.6.1: each side goes phase 1, 2, encryption, then key distribution;
    the responder sends its keys first, so the initiator is still in KEY_DISTRIBUTION (waiting
    for them) when the responder is already in LOCAL_KEYS_SENT."""
    seen: dict[str, list[SmpState]] = {"central": [], "peripheral": []}
    link = Link()
    for side in (link.central, link.peripheral):
        original = side.session._set_state

        def spy(new: SmpState, original=original, name=side.name) -> None:  # type: ignore[no-untyped-def]
            original(new)
            seen[name].append(new)

        side.session._set_state = spy  # type: ignore[method-assign]
    link.pair()
    assert link.central.complete is not None and link.peripheral.complete is not None
    assert seen["central"] == [
        S.WAIT_PAIRING_RESPONSE,
        S.PHASE2,
        S.WAIT_ENCRYPTION,
        S.KEY_DISTRIBUTION,
        S.LOCAL_KEYS_SENT,
        S.IDLE,
    ]
    assert seen["peripheral"] == [
        S.PHASE2,
        S.WAIT_ENCRYPTION,
        S.KEY_DISTRIBUTION,
        S.LOCAL_KEYS_SENT,
        S.IDLE,
    ]
