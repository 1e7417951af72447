"""Our IRK through the secrets IRQs, and private addresses (addr_mode 2 RPA, 3 NRPA) that rotate."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from aioble_hci.address import Address, AddressType
from aioble_hci.gap import privacy
from bluetooth.ble import BLE
from tests.bluetooth_ble.conftest import WAIT

IRK = bytes(range(1, 17))
ADDR_MODE_RPA, ADDR_MODE_NRPA = 2, 3
GET_SECRET, SET_SECRET = 29, 30


def _address(ble: BLE) -> Address:
    addr_type, addr = ble.config("mac")
    assert addr_type == 1
    return Address(bytes(reversed(addr)), AddressType.RANDOM)


def _wait_for(predicate: Callable[[], Any]) -> Any:
    """Poll until `predicate()` is truthy; fails only if it never becomes so within a generous bound."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError("condition never became true")


def test_activation_asks_secrets_for_our_irk_and_stores_a_new_one_when_there_is_none(made: Any) -> None:
    ble, _, rec = made()
    ble.active(True)
    assert rec.wait(GET_SECRET) == (10, 0, b"irk")
    sec_type, key, irk = rec.wait(SET_SECRET)
    assert (sec_type, key) == (10, b"irk") and isinstance(irk, bytes) and len(irk) == 16


def test_a_stored_irk_is_loaded_back_used_for_rpas_and_distributed_by_smp(made: Any) -> None:
    ble, _, rec = made()
    rec.answers[GET_SECRET] = lambda data: IRK if data == (10, 0, b"irk") else None
    ble.config(addr_mode=ADDR_MODE_RPA)
    ble.active(True)
    address = _address(ble)
    assert address.is_resolvable and privacy.rpa_matches(address, IRK)
    assert ble._pairing.smp is not None and ble._pairing.smp.local_irk == IRK
    assert SET_SECRET not in [event for event, _ in rec.drain()]  # nothing new to store


def test_the_irk_made_in_one_activation_is_reused_by_the_next_through_the_secrets(made: Any) -> None:
    first, _, first_rec = made()
    store: dict[tuple[int, bytes], bytes] = {}
    first_rec.answers[SET_SECRET] = lambda data: store.__setitem__((data[0], data[1]), data[2])
    first.active(True)
    first_rec.wait(SET_SECRET)
    second, _, second_rec = made()
    second_rec.answers[GET_SECRET] = lambda data: store.get((data[0], data[2]))
    second.config(addr_mode=ADDR_MODE_RPA)
    second.active(True)
    assert privacy.rpa_matches(_address(second), store[(10, b"irk")])


def test_rpa_mode_changes_the_address_every_rpa_timeout_always_from_our_irk(made: Any) -> None:
    ble, _, rec = made()
    rec.answers[GET_SECRET] = lambda data: IRK
    ble._stack.settings.rpa_timeout = 0.05
    ble.config(addr_mode=ADDR_MODE_RPA)
    ble.active(True)
    seen = [_address(ble)]
    for _ in range(2):
        seen.append(_wait_for(lambda: (a := _address(ble)) != seen[-1] and a))
    assert len(set(seen)) == 3
    assert all(privacy.rpa_matches(address, IRK) for address in seen)


def test_nrpa_mode_changes_to_fresh_non_resolvable_addresses(made: Any) -> None:
    ble, _, _ = made()
    ble._stack.settings.rpa_timeout = 0.05
    ble.config(addr_mode=ADDR_MODE_NRPA)
    ble.active(True)
    first = _address(ble)
    second = _wait_for(lambda: (a := _address(ble)) != first and a)
    assert first.is_non_resolvable and second.is_non_resolvable


def test_a_rotation_while_advertising_keeps_advertising_under_the_new_address(made: Any) -> None:
    peripheral, p_runtime, p_rec = made()
    central, _, c_rec = made()
    peripheral.config(addr_mode=ADDR_MODE_RPA)
    peripheral.active(True)
    central.active(True)
    old = peripheral.config("mac")[1]
    peripheral.gap_advertise(20_000, b"\x02\x01\x06")
    new = p_runtime.run(peripheral._stack.rotate_address())
    assert new is not None and bytes(reversed(new.value)) == peripheral.config("mac")[1] != old
    central.gap_scan(0, 30_000, 30_000)
    c_rec.wait(5, lambda data: data[1] == bytes(reversed(new.value)))
    central.gap_scan(None)
    central.gap_connect(*peripheral.config("mac"))
    assert c_rec.wait(7)[2] == bytes(reversed(new.value))
    p_rec.wait(1)


def test_pairing_works_with_a_peripheral_on_a_resolvable_private_address(made: Any) -> None:
    peripheral, _, p_rec = made()
    central, _, c_rec = made()
    peripheral.config(addr_mode=ADDR_MODE_RPA, bond=True)  # MicroPython bonds only when asked (both sides)
    central.config(bond=True)
    peripheral.active(True)
    central.active(True)
    peripheral.gap_advertise(20_000, b"")
    central.gap_connect(*peripheral.config("mac"))
    conn = c_rec.wait(7)[0]
    p_rec.wait(1)
    central.gap_pair(conn)
    assert c_rec.wait(28)[:4] == (conn, 1, 0, 1)
