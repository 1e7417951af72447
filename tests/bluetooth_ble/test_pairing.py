"""gap_pair, ENCRYPTION_UPDATE, SET_SECRET and encrypted characteristics through bluetooth.BLE."""

from __future__ import annotations

from typing import Any

import pytest

import bluetooth
from bluetooth import UUID
from tests.bluetooth_ble.conftest import Recorder

Pair = tuple[tuple[Any, Recorder], tuple[Any, Recorder]]
SERVICE = UUID(0x180F)
CHAR = UUID(0x2A19)


def _connect(pair: Pair) -> tuple[int, int, int]:
    (p, prec), (c, crec) = pair
    ((char,),) = p.gatts_register_services(
        ((SERVICE, ((CHAR, bluetooth.FLAG_READ | bluetooth.FLAG_READ_ENCRYPTED),)),))
    p.gatts_write(char, b"battery")
    p.gap_advertise(20_000, b"")
    c.gap_connect(*p.config("mac"))
    return prec.wait(1)[0], crec.wait(7)[0], char


def test_just_works_pairing_without_bonding_reports_1_0_0_on_both_sides(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    c.config(mitm=True, le_secure=True, bond=False)
    conn_p, conn_c, _ = _connect(pair)
    c.gap_pair(conn_c)
    assert crec.wait(28)[:4] == (conn_c, 1, 0, 0)
    assert prec.wait(28)[:4] == (conn_p, 1, 0, 0)


def test_gap_pair_without_config_bond_does_not_bond_and_stores_no_peer_keys(pair: Pair) -> None:
    """MicroPython's NimBLE builds with BLE_SM_BONDING 0: a plain gap_pair gives bonded=0 and no
    SET_SECRET of peer keys (sec_type 2) on either side, unless config(bond=True) was set."""
    (p, prec), (c, crec) = pair
    conn_p, conn_c, _ = _connect(pair)
    c.gap_pair(conn_c)
    assert crec.wait(28)[:4] == (conn_c, 1, 0, 0)
    assert prec.wait(28)[:4] == (conn_p, 1, 0, 0)
    c.gap_disconnect(conn_c)
    prec.wait(2)
    for recorder in (prec, crec):
        events = recorder.seen + recorder.drain()
        assert [data[0] for event, data in events if event == 30 and data[0] == 2] == []


def test_pairing_raises_one_encryption_update_per_side(pair: Pair) -> None:
    """A board raises ENCRYPTION_UPDATE once per Encryption Change (NimBLE's ENC_CHANGE event):
    pairing without bonding gives exactly one on each side, not one more at pairing completion."""
    (p, prec), (c, crec) = pair
    p.config(bond=False)
    c.config(bond=False)
    conn_p, conn_c, char = _connect(pair)
    c.gap_pair(conn_c)
    crec.wait(28)
    prec.wait(28)
    c.gattc_read(conn_c, char)  # one more round trip: any late duplicate has arrived by its answer
    assert crec.wait(15) == (conn_c, char, b"battery")
    for recorder in (crec, prec):
        assert [event for event, _ in recorder.seen + recorder.drain()].count(28) == 1


def test_encrypted_characteristic_needs_pairing(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    _, conn_c, char = _connect(pair)
    c.gattc_read(conn_c, char)
    assert crec.wait(16) == (conn_c, char, 0x105)  # no LTK yet: Insufficient Authentication (Vol 3 Part C 10.3.1)
    c.gap_pair(conn_c)
    crec.wait(28)
    c.gattc_read(conn_c, char)
    assert crec.wait(15) == (conn_c, char, b"battery")


def test_bonding_hands_the_peer_keys_to_set_secret(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    secrets: list[tuple[Any, ...]] = []

    def store(data: tuple[Any, ...]) -> bool:
        secrets.append(data)
        return True

    crec.answers[30] = store
    # Bonding needs both sides to ask for it (Vol 3 Part H, 3.5.1 Bonding_Flags); MicroPython
    # does not bond unless config(bond=True) (NimBLE's BLE_SM_BONDING 0).
    p.config(bond=True)
    c.config(bond=True)
    _, conn_c, _ = _connect(pair)
    c.gap_pair(conn_c)
    assert crec.wait(28)[1:4] == (1, 0, 1)
    crec.wait(30)
    assert [e for e, _ in crec.seen].count(28) == 1
    sec_type, key, value = secrets[0]
    assert sec_type == 2 and key[1:] == bytes(reversed(p.config("mac")[1]))
    assert isinstance(value, bytes) and value


def test_a_new_link_asks_for_the_peers_secret_by_its_address(pair: Pair) -> None:
    """NimBLE's store reads a peer's keys by the peer's address (ble_store_read_peer_sec with
    key.peer_addr; MicroPython hands it over as _IRQ_GET_SECRET (2, 0, address type + address)):
    an application that answers keyed look-ups only still has its bond found after a restart, so
    a bonded peer is re-encrypted instead of paired again (tests/multitests/ll_bond_reconnect.py)."""
    (p, prec), (c, crec) = pair
    _connect(pair)
    keyed = crec.wait(29, lambda data: data[0] == 2 and data[2] is not None)
    assert keyed[1] == 0 and bytes(keyed[2])[1:] == bytes(reversed(p.config("mac")[1]))
    assert (29, (2, 0, None)) in crec.seen  # first the bonds it lists by index, once per activation


def test_mitm_with_display_yes_no_on_both_sides_is_numeric_comparison_answered_by_gap_passkey(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    c.config(mitm=True, io=1)  # DisplayYesNo
    p.config(io=1)  # the responder's settings apply to pairings the peer starts
    conn_p, conn_c, _ = _connect(pair)
    c.gap_pair(conn_c)
    conn, action, value_c = crec.wait(31)
    assert (conn, action) == (conn_c, 4) and 0 <= value_c <= 999_999
    assert prec.wait(31) == (conn_p, 4, value_c)  # both sides show the same number
    c.gap_passkey(conn_c, 4, 1)
    p.gap_passkey(conn_p, 4, 1)
    assert crec.wait(28)[:3] == (conn_c, 1, 1)  # encrypted and authenticated
    assert prec.wait(28)[:3] == (conn_p, 1, 1)


def test_mitm_with_no_input_no_output_still_pairs_unauthenticated(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    c.config(mitm=True, io=3)
    _, conn_c, _ = _connect(pair)
    c.gap_pair(conn_c)
    assert crec.wait(28)[1:3] == (1, 0)
    assert 31 not in [event for event, _ in crec.seen]


@pytest.mark.parametrize("io", [0, 1, 2, 3, 4], ids=["DisplayOnly", "DisplayYesNo", "KeyboardOnly",
                                                   "NoInputNoOutput", "KeyboardDisplay"])
def test_central_mitm_against_a_no_input_no_output_peer_pairs_just_works_for_every_io_capability(
    pair: Pair, io: int
) -> None:
    """As NimBLE: config(mitm=True) sets the MITM flag but does not require it (1 0 0 with no IO)."""
    (p, prec), (c, crec) = pair
    c.config(mitm=True, io=io, bond=False)
    p.config(io=3)
    conn_p, conn_c, _ = _connect(pair)
    c.gap_pair(conn_c)
    assert crec.wait(28)[:4] == (conn_c, 1, 0, 0)
    assert prec.wait(28)[:4] == (conn_p, 1, 0, 0)
    assert 31 not in [event for event, _ in crec.seen + prec.seen]


def test_peripheral_mitm_with_display_yes_no_accepts_just_works_from_a_no_io_central(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    p.config(mitm=True, io=1, bond=False)
    c.config(io=3, bond=False)
    conn_p, conn_c, _ = _connect(pair)
    c.gap_pair(conn_c)
    assert prec.wait(28)[:4] == (conn_p, 1, 0, 0)
    assert crec.wait(28)[:4] == (conn_c, 1, 0, 0)
