"""Arbitrary bytes on the SMP channel never raise out of the session (DEVELOPERS.md: bad input
gets a clear error and never crashes the host thread)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aioble_hci.smp.pdus import SmpCode, SmpDecodeError, parse_pdu
from aioble_hci.smp.session import SmpSession
from tests.smp.link import CENTRAL_ADDRESS, PERIPHERAL_ADDRESS, run

GOOD_REQUEST = bytes([0x01, 0x03, 0x00, 0x09, 0x10, 0x07, 0x07])
GOOD_RESPONSE = bytes([0x02, 0x03, 0x00, 0x09, 0x10, 0x07, 0x07])

# PDUs that look like SMP: a known code followed by random bytes of a plausible length.
smp_like = st.builds(
    lambda code, body: bytes([code]) + body,
    st.sampled_from([int(code) for code in SmpCode] + [0x00, 0x0F, 0xFF]),
    st.binary(max_size=70),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(smp_like, max_size=6))
def test_peripheral_survives_any_pdu_sequence(pdus: list[bytes]) -> None:
    session = SmpSession(
        central=False, local_address=PERIPHERAL_ADDRESS, peer_address=CENTRAL_ADDRESS
    )
    now = 0.0
    for pdu in [GOOD_REQUEST, *pdus]:
        now += 1.0
        out = run(session.receive, pdu, now)
        for sent in out.pdus:
            parse_pdu(sent)  # everything we send is well formed


@settings(max_examples=150, deadline=None)
@given(st.lists(smp_like, max_size=6))
def test_central_survives_any_pdu_sequence(pdus: list[bytes]) -> None:
    session = SmpSession(
        central=True, local_address=CENTRAL_ADDRESS, peer_address=PERIPHERAL_ADDRESS
    )
    session.pair(0.0)
    now = 0.0
    for pdu in [GOOD_RESPONSE, *pdus]:
        now += 1.0
        for sent in run(session.receive, pdu, now).pdus:
            parse_pdu(sent)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=80))
def test_parser_raises_only_decode_errors(data: bytes) -> None:
    try:
        parse_pdu(data)
    except SmpDecodeError:
        pass
