"""A credit-based channel changes state only along the table of Vol 3 Part A, 6.1.

Table-driven: every (from, to) pair of `ChannelState` is tried on a fresh channel; the pairs
the spec's state machine links succeed, every other one raises `IllegalChannelTransition`.
"""

from __future__ import annotations

import itertools

import pytest

from aioble_hci.l2cap.coc import (
    ChannelState,
    CreditBasedChannel,
    IllegalChannelTransition,
)

S = ChannelState

ALLOWED = {
    # 6.1.1: a connect response (or our acceptance) opens a pending channel; a refusal, a
    # timeout or the ACL link going away ends it.
    (S.WAIT_CONNECT_RSP, S.OPEN),
    (S.WAIT_CONNECT_RSP, S.CLOSED),
    # 6.1.1 OPEN: we send a Disconnection Request, or the peer's request ends it at once.
    (S.OPEN, S.WAIT_DISCONNECT),
    (S.OPEN, S.CLOSED),
    # 6.1.1 WAIT_DISCONNECT: the response (or RTX expiry) ends it.
    (S.WAIT_DISCONNECT, S.CLOSED),
}


def channel_in(state: ChannelState) -> CreditBasedChannel:
    """A channel driven through its public methods into `state`."""
    channel = CreditBasedChannel(0x0040, 0x0080, 100, 50, 4)
    if state is S.WAIT_CONNECT_RSP:
        return channel
    if state is S.CLOSED:
        channel.close()
        return channel
    channel.open(0x0041, 100, 50, 4)
    if state is S.WAIT_DISCONNECT:
        channel.start_disconnect()
    return channel


def move(channel: CreditBasedChannel, target: ChannelState) -> None:
    """Ask for `target` through the method that leads there."""
    if target is S.OPEN:
        channel.open(0x0041, 100, 50, 4)
    elif target is S.WAIT_DISCONNECT:
        channel.start_disconnect()
    elif target is S.CLOSED:
        channel.close()
    else:
        channel._set_state(target)


@pytest.mark.parametrize(("source", "target"), sorted(ALLOWED, key=str))
def test_allowed_transition_changes_state(source: ChannelState, target: ChannelState) -> None:
    channel = channel_in(source)
    move(channel, target)
    assert channel.state is target


ILLEGAL = sorted(set(itertools.product(S, S)) - ALLOWED, key=str)


@pytest.mark.parametrize(("source", "target"), ILLEGAL)
def test_illegal_transition_raises(source: ChannelState, target: ChannelState) -> None:
    channel = channel_in(source)
    with pytest.raises(IllegalChannelTransition):
        move(channel, target)
    assert channel.state is source


def test_open_twice_raises() -> None:
    """A channel opens once: a second `open` (a duplicate response) is refused (6.1.1)."""
    channel = channel_in(S.OPEN)
    with pytest.raises(IllegalChannelTransition):
        channel.open(0x0042, 200, 60, 9)
    assert channel.peer_cid == 0x0041


def test_state_cannot_be_assigned_from_outside() -> None:
    """Only the channel's own methods change its state."""
    channel = channel_in(S.OPEN)
    with pytest.raises(AttributeError):
        channel.state = S.CLOSED  # type: ignore[misc]
