"""Two managers back to back: credit-based channels open, carry SDUs, and close."""

from __future__ import annotations

import random

from aioble_hci.l2cap.events import (
    ChannelClosed,
    ChannelOpened,
    ChannelOpenFailed,
    ChannelReconfigured,
    CreditsAvailable,
    SduReceived,
)
from aioble_hci.l2cap.manager import Role
from aioble_hci.l2cap.pdus import (
    FlowControlCreditInd,
    LeCreditBasedConnectionReq,
    LeCreditBasedConnectionResult,
)
from aioble_hci.l2cap.spsm import CocServer

from .helpers import SPSM, Link, c_frame, iut, kframe, make_link, of_type, signaling_out


def open_channel(link: Link, mtu: int = 512, mps: int = 247, credits: int = 8) -> tuple[int, int]:
    """Central opens a channel to the peripheral's server; returns (central cid, peripheral cid)."""
    cid = link.central.connect_coc(SPSM, mtu=mtu, mps=mps, initial_credits=credits, now=link.now)
    link.pump()
    central_events, peripheral_events = link.take()
    (opened,) = of_type(central_events, ChannelOpened)
    (accepted,) = of_type(peripheral_events, ChannelOpened)
    assert opened.cid == cid and opened.peer_cid == accepted.cid
    return cid, accepted.cid


def sdus_of(events: list, cid: int) -> list[bytes]:
    return [e.sdu for e in of_type(events, SduReceived) if e.cid == cid]


def test_central_opens_a_channel_with_negotiated_mtu_mps_and_credits() -> None:
    link = make_link(CocServer(SPSM, mtu=300, mps=100, initial_credits=4))
    cid = link.central.connect_coc(SPSM, mtu=200, mps=50, initial_credits=3, now=link.now)
    link.pump()
    central_events, peripheral_events = link.take()
    (opened,) = of_type(central_events, ChannelOpened)
    assert (opened.cid, opened.mtu, opened.mps, opened.peer_mtu, opened.peer_mps) == (
        cid,
        200,
        50,
        300,
        100,
    )
    assert opened.peer_credits == 4 and opened.initiator
    (accepted,) = of_type(peripheral_events, ChannelOpened)
    assert (accepted.peer_mtu, accepted.peer_mps, accepted.peer_credits) == (200, 50, 3)
    assert not accepted.initiator


def test_sdus_of_many_sizes_arrive_intact_both_ways() -> None:
    link = make_link(CocServer(SPSM, mtu=1000, mps=23, initial_credits=2))
    central_cid, peripheral_cid = open_channel(link, mtu=1000, mps=30, credits=3)
    rng = random.Random(1)
    sizes = [0, 1, 2, 20, 21, 22, 23, 24, 27, 28, 29, 57, 58, 100, 999, 1000]
    sent = [rng.randbytes(n) for n in sizes]
    for sdu in sent:
        link.central.send_sdu(central_cid, sdu)
        link.peripheral.send_sdu(peripheral_cid, sdu[::-1])
    link.pump()
    central_events, peripheral_events = link.take()
    assert sdus_of(peripheral_events, peripheral_cid) == sent
    assert sdus_of(central_events, central_cid) == [s[::-1] for s in sent]


def test_one_megabyte_each_way_with_mps_23_and_few_credits() -> None:
    """Issue 5 "done means": 1 MB each way intact with small MPS and few credits."""
    link = make_link(CocServer(SPSM, mtu=2048, mps=23, initial_credits=1))
    central_cid, peripheral_cid = open_channel(link, mtu=2048, mps=23, credits=3)
    rng = random.Random(5)
    up = rng.randbytes(1 << 20)
    down = rng.randbytes(1 << 20)
    for offset in range(0, len(up), 2000):
        link.central.send_sdu(central_cid, up[offset : offset + 2000])
        link.peripheral.send_sdu(peripheral_cid, down[offset : offset + 2000])
    link.pump()
    central_events, peripheral_events = link.take()
    assert b"".join(sdus_of(peripheral_events, peripheral_cid)) == up
    assert b"".join(sdus_of(central_events, central_cid)) == down


def test_ecfc_opens_five_channels_that_each_carry_their_own_sdus() -> None:
    link = make_link(CocServer(SPSM, mtu=256, mps=64, initial_credits=2))
    cids = link.central.connect_ecfc(SPSM, 5, mtu=300, mps=64, initial_credits=2, now=link.now)
    link.pump()
    central_events, peripheral_events = link.take()
    opened = of_type(central_events, ChannelOpened)
    assert [e.cid for e in opened] == cids and all(e.enhanced for e in opened)
    peers = {e.cid: e.peer_cid for e in opened}
    assert len(of_type(peripheral_events, ChannelOpened)) == 5
    for index, cid in enumerate(cids):
        link.central.send_sdu(cid, bytes([index]) * (50 * index + 10))
    link.pump()
    _, peripheral_events = link.take()
    for index, cid in enumerate(cids):
        assert sdus_of(peripheral_events, peers[cid]) == [bytes([index]) * (50 * index + 10)]


def test_sender_waits_for_credits_and_resumes_after_credit_indication() -> None:
    """Back-pressure: with auto credits off on the receiver, frames wait for given credits."""
    link = make_link(CocServer(SPSM, mtu=100, mps=23, initial_credits=2))
    central_cid, peripheral_cid = open_channel(link)
    link.peripheral.channels[peripheral_cid].auto_credits = False
    link.central.send_sdu(central_cid, bytes(100))  # 5 K-frames at MPS 23
    link.pump()
    _, peripheral_events = link.take()
    assert sdus_of(peripheral_events, peripheral_cid) == []
    assert link.central.channels[central_cid].queued_frames == 3
    link.peripheral.give_credits(peripheral_cid, 3, now=link.now)
    link.pump()
    central_events, peripheral_events = link.take()
    assert CreditsAvailable(central_cid, 3) in central_events
    assert sdus_of(peripheral_events, peripheral_cid) == [bytes(100)]


def test_central_disconnects_and_both_sides_report_closed() -> None:
    link = make_link()
    central_cid, peripheral_cid = open_channel(link)
    link.central.disconnect(central_cid, now=link.now)
    link.pump()
    central_events, peripheral_events = link.take()
    assert central_events == [ChannelClosed(central_cid, "closed locally", False)]
    assert peripheral_events == [ChannelClosed(peripheral_cid, "peer disconnected", True)]
    assert link.central.channels == {} and link.peripheral.channels == {}


def test_peripheral_disconnects_and_both_sides_report_closed() -> None:
    link = make_link()
    central_cid, peripheral_cid = open_channel(link)
    link.peripheral.disconnect(peripheral_cid, now=link.now)
    link.pump()
    central_events, peripheral_events = link.take()
    assert of_type(central_events, ChannelClosed)[0].by_peer
    assert of_type(peripheral_events, ChannelClosed)[0].cid == peripheral_cid
    assert link.central.channels == {} and link.peripheral.channels == {}


def test_peripheral_can_open_a_channel_to_a_server_on_the_central() -> None:
    link = make_link(on=Role.CENTRAL)
    cid = link.peripheral.connect_coc(SPSM, now=link.now)
    link.pump()
    _, peripheral_events = link.take()
    assert of_type(peripheral_events, ChannelOpened)[0].cid == cid


def test_acceptor_refusal_is_reported_to_the_initiator() -> None:
    server = CocServer(
        SPSM, acceptor=lambda info: LeCreditBasedConnectionResult.NO_RESOURCES_AVAILABLE
    )
    link = make_link(server)
    cid = link.central.connect_coc(SPSM, now=link.now)
    link.pump()
    central_events, _ = link.take()
    assert central_events == [
        ChannelOpenFailed(
            cid, SPSM, LeCreditBasedConnectionResult.NO_RESOURCES_AVAILABLE, "refused by peer"
        )
    ]
    assert link.central.channels == {}


def test_reconfigure_grows_mtu_on_both_ends() -> None:
    link = make_link(CocServer(SPSM, mtu=256, mps=64))
    (cid,) = link.central.connect_ecfc(SPSM, 1, mtu=100, mps=64, now=link.now)
    link.pump()
    link.take()
    link.central.reconfigure([cid], mtu=400, mps=64, now=link.now)
    link.pump()
    central_events, peripheral_events = link.take()
    assert of_type(central_events, ChannelReconfigured)[0].mtu == 400
    assert of_type(peripheral_events, ChannelReconfigured)[0].peer_mtu == 400
    peer_cid = of_type(peripheral_events, ChannelReconfigured)[0].cid
    link.peripheral.send_sdu(peer_cid, bytes(400))
    link.pump()
    central_events, _ = link.take()
    assert sdus_of(central_events, cid) == [bytes(400)]


def test_closing_the_acl_closes_every_channel() -> None:
    link = make_link()
    central_cid, _ = open_channel(link)
    events = link.central.close()
    assert events == [ChannelClosed(central_cid, "ACL connection closed", False)]


def test_credits_go_back_when_the_peer_is_down_to_half_of_them() -> None:
    """Vol 3 Part A 10.1: the receiver returns credits with L2CAP_FLOW_CONTROL_CREDIT_IND (4.24)
    so the sender can go on. Our receiver tops the peer up once it is down to half of the
    credits it granted: with 10 granted, the 5th K-frame brings one indication of 5 (the
    sender never runs dry waiting for a round trip), and the first four bring none."""
    manager = iut(server=CocServer(SPSM, mtu=100, mps=50, initial_credits=10))
    manager.receive(c_frame(1, LeCreditBasedConnectionReq(SPSM, 0x0040, 100, 50, 10)), now=0.0)
    ((_, rsp),) = signaling_out(manager.data_to_send())
    our_cid = rsp.destination_cid
    indications: list[tuple[int, int]] = []
    for index in range(10):
        manager.receive(kframe(our_cid, b"\x01\x00" + bytes((index,))), now=0.0)  # one whole 1-octet SDU
        for _, command in signaling_out(manager.data_to_send()):
            if isinstance(command, FlowControlCreditInd):
                indications.append((index + 1, command.credits))
                assert command.cid == our_cid
    assert indications == [(5, 5), (10, 5)]
