"""Property tests: arbitrary peer bytes never raise; segmentation round-trips."""

from __future__ import annotations

import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from aioble_hci.l2cap.coc import SduReassembler, segment_sdu
from aioble_hci.l2cap.events import ChannelClosed, ChannelOpened, FixedChannelData, SduReceived
from aioble_hci.l2cap.manager import L2capChannelManager, Role
from aioble_hci.l2cap.pdus import SignalingCode, decode_basic_frame, encode_basic_frame

from .helpers import iut, open_from_tester

cids = st.sampled_from([0x0004, 0x0005, 0x0006, 0x0007, 0x0040, 0x0041, 0x007F, 0xFFFF])
codes = st.sampled_from([int(c) for c in SignalingCode] + [0x00, 0x02, 0x0A, 0x1B, 0xFF])


@st.composite
def signalling_frames(draw: st.DrawFn) -> bytes:
    """Mostly well-framed C-frames with arbitrary data, to reach the decoders."""
    data = draw(st.binary(max_size=30))
    header = struct.pack("<BBH", draw(codes), draw(st.integers(0, 255)), len(data))
    return encode_basic_frame(0x0005, header + data)


@st.composite
def kframes(draw: st.DrawFn) -> bytes:
    return encode_basic_frame(draw(st.sampled_from([0x0040, 0x0041])), draw(st.binary(max_size=80)))


any_frame = st.one_of(
    st.binary(max_size=40),
    st.builds(encode_basic_frame, cids, st.binary(max_size=40)),
    signalling_frames(),
    kframes(),
)


def check_output(manager: L2capChannelManager) -> None:
    for frame in manager.data_to_send():
        decode_basic_frame(frame)  # everything we send is a well-formed basic frame


@settings(max_examples=300, deadline=None)
@given(st.lists(any_frame, max_size=12), st.sampled_from([Role.CENTRAL, Role.PERIPHERAL]))
def test_arbitrary_frames_never_raise(frames: list[bytes], role: Role) -> None:
    manager = iut(role)
    for frame in frames:
        for event in manager.receive(frame, now=0.0):
            assert isinstance(event, object)
        check_output(manager)


@settings(max_examples=300, deadline=None)
@given(st.lists(any_frame, max_size=12))
def test_arbitrary_frames_on_an_open_channel_never_raise(frames: list[bytes]) -> None:
    """With a channel open, K-frames reach the reassembler; only SDUs or a disconnect result."""
    manager = iut()
    cid = open_from_tester(manager)
    for frame in frames:
        for event in manager.receive(frame, now=0.0):
            if isinstance(event, SduReceived):
                assert event.cid == cid and len(event.sdu) <= 100
            elif isinstance(event, ChannelClosed):
                assert event.cid == cid
            else:
                assert not isinstance(event, FixedChannelData) or event.cid in (4, 6)
        check_output(manager)


@settings(max_examples=300, deadline=None)
@given(st.data(), st.integers(3, 300))
def test_segmentation_round_trips(data: st.DataObject, mps: int) -> None:
    mtu = data.draw(st.integers(0, 2000))
    sdu = data.draw(st.binary(max_size=mtu))
    frames = segment_sdu(sdu, mps)
    assert all(len(f) <= mps for f in frames)
    reassembler = SduReassembler(mtu, mps)
    results = [reassembler.feed(f) for f in frames]
    assert results[:-1] == [None] * (len(frames) - 1)
    assert results[-1] == sdu
    assert not reassembler.in_progress


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.binary(max_size=700), min_size=1, max_size=4),
    st.integers(23, 700),
    st.integers(23, 120),
    st.integers(1, 4),
)
def test_sdus_round_trip_between_two_managers(
    sdus: list[bytes], mtu: int, mps: int, credits: int
) -> None:
    from aioble_hci.l2cap.spsm import CocServer

    from .helpers import SPSM, make_link, of_type

    link = make_link(CocServer(SPSM, mtu=max(mtu, 700), mps=mps, initial_credits=credits))
    cid = link.central.connect_coc(SPSM, mtu=mtu, mps=mps, initial_credits=credits, now=link.now)
    link.pump()
    _, peripheral_events = link.take()
    (peer,) = [e.cid for e in of_type(peripheral_events, ChannelOpened)]
    for sdu in sdus:
        link.central.send_sdu(cid, sdu)
        link.peripheral.send_sdu(peer, sdu[:mtu])
    link.pump()
    central_events, peripheral_events = link.take()
    assert [e.sdu for e in of_type(peripheral_events, SduReceived)] == sdus
    assert [e.sdu for e in of_type(central_events, SduReceived)] == [s[:mtu] for s in sdus]
