"""Hypothesis strategies for raw PDUs injected on a live link: ATT (CID 4), LE signalling
(CID 5), SMP (CID 6) and K-frames on dynamic CIDs.

Each is a well-formed PDU built from the spec's field layout (ATT Vol 3 Part F 3.4, L2CAP
signalling Vol 3 Part A 4, SMP Vol 3 Part H 3.5-3.6, K-frames Vol 3 Part A 3.4), then mutated
(truncated, extended, one byte replaced), or plain random bytes. Field values favour the
boundaries: 0, 1, the handles of the shared database, the maxima.
"""

from __future__ import annotations

import struct

from hypothesis import strategies as st

U8 = st.one_of(st.sampled_from([0, 1, 2, 0x7F, 0x80, 0xFF]), st.integers(0, 0xFF))
U16 = st.one_of(st.sampled_from([0, 1, 2, 3, 5, 7, 8, 0x17, 0x40, 0x80, 0x1F4, 0xFFFE, 0xFFFF]),
                st.integers(0, 0xFFFF))
HANDLE = st.one_of(st.integers(0, 0x20), st.sampled_from([0xFFFE, 0xFFFF]))
UUID16 = st.sampled_from([0x2800, 0x2801, 0x2802, 0x2803, 0x2902, 0x2A00, 0x2A05, 0x1234]).map(
    lambda u: struct.pack("<H", u))
UUID = st.one_of(UUID16, st.binary(min_size=16, max_size=16))
VALUE = st.binary(max_size=40)


def _att(opcode: int, *fields: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    return st.tuples(*fields).map(lambda parts: bytes([opcode]) + b"".join(parts))


def _u16(strategy: st.SearchStrategy[int] = U16) -> st.SearchStrategy[bytes]:
    return strategy.map(lambda v: struct.pack("<H", v))


def _u8(strategy: st.SearchStrategy[int] = U8) -> st.SearchStrategy[bytes]:
    return strategy.map(lambda v: bytes([v]))


H = _u16(HANDLE)
ATT = st.one_of(
    _att(0x01, _u8(), H, _u8()),                      # Error Response
    _att(0x02, _u16()), _att(0x03, _u16()),           # Exchange MTU Request / Response
    _att(0x04, H, H), _att(0x05, _u8(st.sampled_from([1, 2, 0, 3])), VALUE),
    _att(0x06, H, H, UUID16, VALUE), _att(0x07, VALUE),
    _att(0x08, H, H, UUID), _att(0x09, _u8(), VALUE),
    _att(0x0A, H), _att(0x0B, VALUE),
    _att(0x0C, H, _u16()), _att(0x0D, VALUE),
    _att(0x0E, st.lists(H, max_size=6).map(b"".join)), _att(0x0F, VALUE),
    _att(0x10, H, H, UUID), _att(0x11, _u8(), VALUE),
    _att(0x12, H, VALUE), _att(0x13),
    _att(0x16, H, _u16(), VALUE), _att(0x17, H, _u16(), VALUE),
    _att(0x18, _u8(st.sampled_from([0, 1, 2]))), _att(0x19),
    _att(0x1B, H, VALUE), _att(0x1D, H, VALUE), _att(0x1E),
    _att(0x20, st.lists(H, max_size=6).map(b"".join)), _att(0x21, VALUE),
    _att(0x23, H, VALUE), _att(0x52, H, VALUE), _att(0xD2, H, VALUE, st.binary(min_size=12, max_size=12)),
    _u8().map(lambda b: b + b"\x00\x00"),            # any opcode
)


def _signal(code: int, *fields: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    def build(parts: tuple[bytes, ...]) -> bytes:
        identifier, data = parts[0], b"".join(parts[1:])
        return bytes([code]) + identifier + struct.pack("<H", len(data)) + data
    return st.tuples(_u8(st.integers(0, 0xFF)), *fields).map(build)


SCIDS = st.lists(_u16(st.integers(0x0040, 0x0080)), min_size=0, max_size=6).map(b"".join)
SIGNALING = st.one_of(
    _signal(0x01, _u16(st.integers(0, 3)), VALUE),                      # Command Reject
    _signal(0x06, _u16(), _u16()), _signal(0x07, _u16(), _u16()),       # Disconnection Request / Response
    _signal(0x12, _u16(), _u16(), _u16(), _u16()), _signal(0x13, _u16(st.integers(0, 2))),
    _signal(0x14, _u16(st.sampled_from([0x80, 0x81, 0x25, 0, 0xFF])), _u16(), _u16(), _u16(), _u16()),
    _signal(0x15, _u16(), _u16(), _u16(), _u16(), _u16(st.integers(0, 0x0C))),
    _signal(0x16, _u16(st.integers(0x0040, 0x0080)), _u16()),          # Flow Control Credit
    _signal(0x17, _u16(st.sampled_from([0x80, 0x81, 0])), _u16(), _u16(), _u16(), SCIDS),
    _signal(0x18, _u16(), _u16(), _u16(), _u16(st.integers(0, 0x0C)), SCIDS),
    _signal(0x19, _u16(), _u16(), SCIDS), _signal(0x1A, _u16(st.integers(0, 4))),
    st.tuples(_u8(), _u8(), VALUE).map(lambda p: p[0] + p[1] + struct.pack("<H", len(p[2])) + p[2]),
)


def _smp(code: int, *fields: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    return st.tuples(*fields).map(lambda parts: bytes([code]) + b"".join(parts))


KEY16 = st.binary(min_size=16, max_size=16)
PAIRING = st.tuples(_u8(st.integers(0, 5)), _u8(st.integers(0, 2)), _u8(), _u8(st.integers(0, 17)),
                    _u8(st.integers(0, 15)), _u8(st.integers(0, 15))).map(b"".join)
SMP = st.one_of(
    _smp(0x01, PAIRING), _smp(0x02, PAIRING), _smp(0x03, KEY16), _smp(0x04, KEY16),
    _smp(0x05, _u8(st.integers(0, 0x10))), _smp(0x06, KEY16), _smp(0x07, _u16(), st.binary(min_size=8, max_size=8)),
    _smp(0x08, KEY16), _smp(0x09, _u8(st.integers(0, 2)), st.binary(min_size=6, max_size=6)),
    _smp(0x0A, KEY16), _smp(0x0B, _u8()), _smp(0x0C, st.binary(min_size=64, max_size=64)),
    _smp(0x0D, KEY16), _smp(0x0E, _u8(st.integers(0, 5))),
)

K_FRAME = st.one_of(
    st.tuples(_u16(), st.binary(max_size=60)).map(b"".join),                  # SDU length, then data
    st.binary(max_size=60).map(lambda d: struct.pack("<H", len(d)) + d),     # a consistent single-frame SDU
)


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[bytes]) -> bytes:
    """A PDU from `base`, often as is, else truncated, extended or with one byte replaced."""
    pdu = draw(base)
    how = draw(st.sampled_from(["as-is", "as-is", "truncate", "extend", "replace"]))
    if how == "truncate" and pdu:
        return pdu[: draw(st.integers(0, len(pdu) - 1))]
    if how == "extend":
        return pdu + draw(st.binary(min_size=1, max_size=20))
    if how == "replace" and pdu:
        at = draw(st.integers(0, len(pdu) - 1))
        return pdu[:at] + bytes([draw(st.integers(0, 255))]) + pdu[at + 1:]
    return pdu


def payload_for(cid_kind: str) -> st.SearchStrategy[bytes]:
    """A raw payload for a CID kind: "att", "signaling", "smp", "dynamic" or "random"."""
    base = {"att": ATT, "signaling": SIGNALING, "smp": SMP, "dynamic": K_FRAME}.get(cid_kind)
    if base is None:
        return st.binary(max_size=80)
    return st.one_of(mutated(base), st.binary(max_size=30))
