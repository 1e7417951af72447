"""Recompute what went over the air with Bumble's independent crypto (little-endian API).

Back-to-back tests would pass with a byte-order bug made the same way on both sides; this
checks each confirm, check value and key against another implementation, from wire bytes only.
"""

from __future__ import annotations

from dataclasses import replace

from bumble import crypto as bumble

from aioble_hci.address import Address
from aioble_hci.smp.config import SecurityConfig
from aioble_hci.smp.events import StartEncryption
from aioble_hci.smp.pdus import IoCapability, SmpCode
from aioble_hci.smp.toolbox import P256KeyPair
from tests.smp.link import (
    CENTRAL_ADDRESS,
    CENTRAL_IDENTITY,
    PERIPHERAL_ADDRESS,
    PERIPHERAL_IDENTITY,
    Link,
    Side,
)

CENTRAL = SecurityConfig(identity=CENTRAL_IDENTITY)
PERIPHERAL = SecurityConfig(identity=PERIPHERAL_IDENTITY)


def sent(side: Side, code: SmpCode) -> list[bytes]:
    return [pdu[1:] for pdu in side.sent if pdu[0] == code]


def a_le(address: Address) -> bytes:
    """Bumble's little-endian 56-bit address value: address LSB-first, then the type."""
    return address.value + bytes([1 if address.is_random else 0])


def test_legacy_just_works_confirms_and_stk_match_bumble() -> None:
    link = Link(
        replace(CENTRAL, secure_connections=False), replace(PERIPHERAL, secure_connections=False)
    ).pair()
    c, p = link.central, link.peripheral
    preq, pres = c.sent[0], p.sent[0]
    mrand, srand = sent(c, SmpCode.PAIRING_RANDOM)[0], sent(p, SmpCode.PAIRING_RANDOM)[0]
    tk = bytes(16)

    def confirm(r: bytes) -> bytes:
        return bumble.c1(tk, r, preq, pres, 1, 0, CENTRAL_ADDRESS.value, PERIPHERAL_ADDRESS.value)

    assert sent(c, SmpCode.PAIRING_CONFIRM)[0] == confirm(mrand)
    assert sent(p, SmpCode.PAIRING_CONFIRM)[0] == confirm(srand)
    assert c.of(StartEncryption)[0].ltk == bumble.s1(tk, srand, mrand)


def sc_link(**kwargs: object) -> tuple[Link, P256KeyPair, P256KeyPair]:
    a, b = P256KeyPair.generate(), P256KeyPair.generate()
    central = kwargs.pop("central", CENTRAL)
    peripheral = kwargs.pop("peripheral", PERIPHERAL)
    link = Link(
        central,  # type: ignore[arg-type]
        peripheral,  # type: ignore[arg-type]
        central_kwargs={"key_pair": a},
        peripheral_kwargs={"key_pair": b},
    ).pair()
    return link, a, b


def check_stage_2(link: Link, a: P256KeyPair, r_a: bytes, r_b: bytes) -> None:
    c, p = link.central, link.peripheral
    pkb = sent(p, SmpCode.PAIRING_PUBLIC_KEY)[0]
    w = bytes(reversed(a.dh_key(bytes(reversed(pkb[:32])), bytes(reversed(pkb[32:])))))
    na, nb = sent(c, SmpCode.PAIRING_RANDOM)[-1], sent(p, SmpCode.PAIRING_RANDOM)[-1]
    a1, a2 = a_le(CENTRAL_ADDRESS), a_le(PERIPHERAL_ADDRESS)
    mac_key, ltk = bumble.f5(w, na, nb, a1, a2)
    preq, pres = c.sent[0], p.sent[0]
    io_a = bytes([preq[1], preq[2], preq[3]])  # IO, OOB, AuthReq: little-endian IOcapA
    io_b = bytes([pres[1], pres[2], pres[3]])
    assert sent(c, SmpCode.PAIRING_DHKEY_CHECK)[0] == bumble.f6(mac_key, na, nb, r_b, io_a, a1, a2)
    assert sent(p, SmpCode.PAIRING_DHKEY_CHECK)[0] == bumble.f6(mac_key, nb, na, r_a, io_b, a2, a1)
    assert c.of(StartEncryption)[0].ltk == ltk


def test_sc_just_works_values_match_bumble() -> None:
    link, a, b = sc_link()
    c, p = link.central, link.peripheral
    pka, pkb = sent(c, SmpCode.PAIRING_PUBLIC_KEY)[0], sent(p, SmpCode.PAIRING_PUBLIC_KEY)[0]
    assert pka[:32] == bytes(reversed(a.x)) and pkb[32:] == bytes(reversed(b.y))
    nb = sent(p, SmpCode.PAIRING_RANDOM)[0]
    assert sent(p, SmpCode.PAIRING_CONFIRM)[0] == bumble.f4(pkb[:32], pka[:32], nb, bytes([0]))
    check_stage_2(link, a, bytes(16), bytes(16))


def test_sc_numeric_comparison_value_matches_bumble() -> None:
    link, a, b = sc_link(
        central=replace(CENTRAL, io_capability=IoCapability.DISPLAY_YES_NO, mitm=True),
        peripheral=replace(PERIPHERAL, io_capability=IoCapability.DISPLAY_YES_NO, mitm=True),
    )
    c, p = link.central, link.peripheral
    pka, pkb = sent(c, SmpCode.PAIRING_PUBLIC_KEY)[0], sent(p, SmpCode.PAIRING_PUBLIC_KEY)[0]
    na, nb = sent(c, SmpCode.PAIRING_RANDOM)[0], sent(p, SmpCode.PAIRING_RANDOM)[0]
    from aioble_hci.smp.events import NumericComparison

    shown = c.of(NumericComparison)[0].value
    assert shown == bumble.g2(pka[:32], pkb[:32], na, nb) % 1_000_000
    check_stage_2(link, a, bytes(16), bytes(16))


def test_sc_passkey_entry_rounds_and_checks_match_bumble() -> None:
    link, a, b = sc_link(
        central=replace(CENTRAL, io_capability=IoCapability.KEYBOARD_ONLY, mitm=True),
        peripheral=replace(PERIPHERAL, io_capability=IoCapability.DISPLAY_ONLY, mitm=True),
    )
    c, p = link.central, link.peripheral
    passkey = p.displayed
    assert passkey is not None
    pka, pkb = sent(c, SmpCode.PAIRING_PUBLIC_KEY)[0], sent(p, SmpCode.PAIRING_PUBLIC_KEY)[0]
    cas, nas = sent(c, SmpCode.PAIRING_CONFIRM), sent(c, SmpCode.PAIRING_RANDOM)
    cbs, nbs = sent(p, SmpCode.PAIRING_CONFIRM), sent(p, SmpCode.PAIRING_RANDOM)
    assert len(cas) == len(cbs) == 20
    for i in range(20):
        z = bytes([0x80 | ((passkey >> i) & 1)])
        assert cas[i] == bumble.f4(pka[:32], pkb[:32], nas[i], z)
        assert cbs[i] == bumble.f4(pkb[:32], pka[:32], nbs[i], z)
    r = passkey.to_bytes(16, "little")
    check_stage_2(link, a, r, r)


def test_sc_oob_check_values_match_bumble() -> None:
    from aioble_hci.smp.secure_connections import LocalOob

    a, b = P256KeyPair.generate(), P256KeyPair.generate()
    oob_a, oob_b = LocalOob.generate(a), LocalOob.generate(b)
    pka_le, ra_le = bytes(reversed(a.x)), bytes(reversed(oob_a.data.r))
    assert oob_a.data.c == bytes(reversed(bumble.f4(pka_le, pka_le, ra_le, bytes([0]))))
    link = Link(
        CENTRAL,
        PERIPHERAL,
        central_kwargs={"local_oob": oob_a, "peer_oob": oob_b.data},
        peripheral_kwargs={"local_oob": oob_b, "peer_oob": oob_a.data},
    ).pair()
    check_stage_2(link, a, bytes(reversed(oob_a.data.r)), bytes(reversed(oob_b.data.r)))


def test_legacy_passkey_confirm_matches_bumble() -> None:
    link = Link(
        replace(
            CENTRAL, secure_connections=False, io_capability=IoCapability.KEYBOARD_ONLY, mitm=True
        ),
        replace(
            PERIPHERAL, secure_connections=False, io_capability=IoCapability.DISPLAY_ONLY, mitm=True
        ),
    ).pair()
    c, p = link.central, link.peripheral
    assert p.displayed is not None
    tk = p.displayed.to_bytes(16, "little")
    mrand = sent(c, SmpCode.PAIRING_RANDOM)[0]
    expected = bumble.c1(
        tk, mrand, c.sent[0], p.sent[0], 1, 0, CENTRAL_ADDRESS.value, PERIPHERAL_ADDRESS.value
    )
    assert sent(c, SmpCode.PAIRING_CONFIRM)[0] == expected
