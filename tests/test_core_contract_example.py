"""The example of docs/architecture.md, "The core contract": an L2CAP core driven by hand.

Two sans-I/O L2CAP cores, a central and a peripheral, with the test as their ACL link and their
clock, the way aioquic's tests drive a connection: no loop, no host, no controller. What it
checks comes from Vol 3 Part A: an LE credit-based connection request is answered with a
response that opens the channel (4.22, 4.23), an SDU crosses as K-frames (3.4.3), a
disconnection request closes it on both sides (4.6, 4.7), and a request the peer never answers
fails when its RTX timer expires (6.2.1; RTX_TIMEOUT is 30 s here).

The body is the documented example line for line, except that this branch's L2CAP core still
names its timer `next_timeout()`/`handle_timeout(now)`; the contract names are
`get_timer()`/`handle_timer(now)` (issue 18), as docs/architecture.md shows.
"""

from __future__ import annotations

from aioble_hci.l2cap.events import (
    ChannelClosed,
    ChannelOpened,
    ChannelOpenFailed,
    L2capEvent,
    SduReceived,
    SignalingTimeout,
)
from aioble_hci.l2cap.manager import L2capChannelManager, Role
from aioble_hci.l2cap.spsm import CocServer


# -- the example, as docs/architecture.md shows it ------------------------------------------------
def deliver(sender: L2capChannelManager, receiver: L2capChannelManager, now: float) -> list[L2capEvent]:
    """Carry every frame `sender` has ready to `receiver`, as the ACL link would; its events."""
    return [event for frame in sender.data_to_send() for event in receiver.receive(frame, now=now)]


def test_drive_two_l2cap_cores_by_hand() -> None:
    central, peripheral = L2capChannelManager(Role.CENTRAL), L2capChannelManager(Role.PERIPHERAL)
    peripheral.register_server(CocServer(spsm=0x0080))

    cid = central.connect_coc(0x0080, now=0.0)  # queues an LE Credit Based Connection Request
    assert central.next_timeout() == 30.0  # its RTX timer runs
    [accepted] = deliver(central, peripheral, now=0.1)
    [opened] = deliver(peripheral, central, now=0.2)
    assert isinstance(accepted, ChannelOpened) and isinstance(opened, ChannelOpened) and opened.cid == cid
    assert central.next_timeout() is None  # answered: no timer left

    central.send_sdu(cid, b"hello")
    assert deliver(central, peripheral, now=0.3) == [SduReceived(accepted.cid, b"hello")]

    central.disconnect(cid, now=0.4)
    assert central.take_events() == [ChannelClosed(cid, "closed locally", by_peer=False)]
    [closed] = deliver(central, peripheral, now=0.5)
    assert isinstance(closed, ChannelClosed) and closed.cid == accepted.cid and closed.by_peer
    assert deliver(peripheral, central, now=0.6) == [] and central.next_timeout() is None

    lost = central.connect_coc(0x0080, now=1.0)
    central.data_to_send()  # the request is lost on the way: the peer never answers
    assert central.handle_timeout(now=30.9) == []
    timeout, failed = central.handle_timeout(now=31.0)
    assert isinstance(timeout, SignalingTimeout) and isinstance(failed, ChannelOpenFailed) and failed.cid == lost
