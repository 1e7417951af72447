"""aioble-api.md §12 [LL]: pairing again with a peer that lost its bond replaces the old bond.

Each side keeps its secrets the way a MicroPython application does (IRQ 29 GET_SECRET / 30
SET_SECRET); "losing the bond" is deleting the peer secrets while the stack is inactive.
"""

from __future__ import annotations

from typing import Any

from tests.bluetooth_ble.conftest import Recorder

Pair = tuple[tuple[Any, Recorder], tuple[Any, Recorder]]
SEC_TYPE_PEER = 2
ENCRYPTION_UPDATE, GET_SECRET, SET_SECRET = 28, 29, 30


class Secrets:
    """An application's secret store: (sec_type, key) -> value, as ble_secrets.json holds them."""

    def __init__(self, recorder: Recorder) -> None:
        self.values: dict[tuple[int, bytes], bytes] = {}
        recorder.answers[GET_SECRET] = self.get
        recorder.answers[SET_SECRET] = self.set

    def get(self, data: tuple[Any, ...]) -> bytes | None:
        sec_type, index, key = data
        if key is None:
            matches = [value for (kind, _), value in self.values.items() if kind == sec_type]
            return matches[index] if index < len(matches) else None
        return self.values.get((sec_type, bytes(key)))

    def set(self, data: tuple[Any, ...]) -> bool:
        sec_type, key, value = data
        if value is None:
            self.values.pop((sec_type, bytes(key)), None)
        else:
            self.values[(sec_type, bytes(key))] = bytes(value)
        return True

    def peers(self) -> dict[bytes, bytes]:
        return {key: value for (kind, key), value in self.values.items() if kind == SEC_TYPE_PEER}

    def forget_peers(self) -> None:
        for kind, key in list(self.values):
            if kind == SEC_TYPE_PEER:
                del self.values[(kind, key)]


def _connect(pair: Pair) -> tuple[int, int]:
    (p, prec), (c, crec) = pair
    p.gap_advertise(20_000, b"")
    c.gap_connect(*p.config("mac"))
    return prec.wait(1)[0], crec.wait(7)[0]


def _disconnect(pair: Pair, conn_c: int) -> None:
    (p, prec), (c, crec) = pair
    c.gap_disconnect(conn_c)
    crec.wait(8)
    prec.wait(2)


def _encrypted_and_bonded(data: tuple[Any, ...]) -> bool:
    return data[1] == 1 and data[3] == 1


def _bond_both(pair: Pair) -> tuple[Secrets, Secrets]:
    """Pair with bonding, then disconnect: each side holds one peer secret."""
    (p, prec), (c, crec) = pair
    psecrets, csecrets = Secrets(prec), Secrets(crec)
    p.config(bond=True)
    c.config(bond=True)
    conn_p, conn_c = _connect(pair)
    c.gap_pair(conn_c)
    crec.wait(ENCRYPTION_UPDATE, _encrypted_and_bonded)
    prec.wait(ENCRYPTION_UPDATE, _encrypted_and_bonded)
    crec.wait(SET_SECRET, lambda data: data[0] == SEC_TYPE_PEER)
    prec.wait(SET_SECRET, lambda data: data[0] == SEC_TYPE_PEER)
    assert len(psecrets.peers()) == 1 and len(csecrets.peers()) == 1
    _disconnect(pair, conn_c)
    return psecrets, csecrets


def _lose_bond(ble: Any, secrets: Secrets) -> None:
    ble.active(False)
    secrets.forget_peers()
    ble.active(True)


def test_central_pairs_again_with_a_peripheral_that_lost_the_bond_and_replaces_its_old_bond(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    psecrets, csecrets = _bond_both(pair)
    old = csecrets.peers()
    _lose_bond(p, psecrets)

    _connect(pair)  # the central encrypts with its stored key; the peripheral has none: pair again

    assert crec.wait(ENCRYPTION_UPDATE, _encrypted_and_bonded)[1:4] == (1, 0, 1)
    prec.wait(ENCRYPTION_UPDATE, _encrypted_and_bonded)
    crec.wait(SET_SECRET, lambda data: data[0] == SEC_TYPE_PEER)
    new = csecrets.peers()
    assert new.keys() == old.keys() and new != old  # the same peer, new keys
    assert len(psecrets.peers()) == 1


def test_peripheral_accepts_a_new_pairing_from_a_central_that_lost_the_bond_and_replaces_its_old_bond(
    pair: Pair,
) -> None:
    (p, prec), (c, crec) = pair
    psecrets, csecrets = _bond_both(pair)
    old = psecrets.peers()
    _lose_bond(c, csecrets)
    conn_p, conn_c = _connect(pair)

    c.gap_pair(conn_c)

    assert crec.wait(ENCRYPTION_UPDATE, _encrypted_and_bonded)[1:4] == (1, 0, 1)
    assert prec.wait(ENCRYPTION_UPDATE, _encrypted_and_bonded)[0] == conn_p
    prec.wait(SET_SECRET, lambda data: data[0] == SEC_TYPE_PEER)
    new = psecrets.peers()
    assert new.keys() == old.keys() and new != old
    assert len(csecrets.peers()) == 1
