"""active(), config() and irq() of bluetooth.BLE."""

from __future__ import annotations

import errno

import pytest

import bluetooth
from bluetooth.ble import BLE
from tests.bluetooth_ble.conftest import Made


def test_importing_bluetooth_does_not_load_the_host() -> None:
    import subprocess
    import sys

    code = "import bluetooth, sys; print('aioble_hci.host.host' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
    assert bluetooth.BLE is BLE


def test_ble_is_one_object_per_runtime(made: Made) -> None:
    ble, runtime, _ = made()
    assert BLE(_runtime=runtime) is ble


def test_active_turns_the_radio_on_and_off(made: Made) -> None:
    ble, _, _ = made()
    assert ble.active() is False
    assert ble.active(True) is True
    assert ble.active() is True
    assert ble.active(False) is False
    assert ble.active(1) is True


def test_mac_is_the_random_static_address_msb_first_and_stable_across_reactivation(made: Made) -> None:
    ble, _, _ = made()
    ble.active(True)
    addr_type, addr = ble.config("mac")
    assert addr_type == 1 and isinstance(addr, bytes) and len(addr) == 6
    assert addr[0] & 0xC0 == 0xC0  # static random: the two most significant bits set
    assert eval(repr(ble.config("mac"))) == (addr_type, addr)
    ble.active(False)
    ble.active(True)
    assert ble.config("mac") == (addr_type, addr)


def test_mac_while_inactive_is_an_oserror(made: Made) -> None:
    ble, _, _ = made()
    with pytest.raises(OSError):
        ble.config("mac")


def test_config_defaults_and_settings(made: Made) -> None:
    ble, _, _ = made()
    assert ble.config("mtu") == 256
    ble.config(mitm=True, le_secure=True, bond=False)  # allowed while inactive
    with pytest.raises(ValueError, match="unknown config param"):
        ble.config("bond")  # settable, not queryable (as in MicroPython)
    ble.config(gap_name="name")
    assert ble.config("gap_name") == b"name"
    ble.config(mtu=100)
    assert ble.config("mtu") == 100
    ble.config(rxbuf=2000)
    assert ble.config("rxbuf") == 2000


def test_config_errors_have_micropython_messages(made: Made) -> None:
    ble, _, _ = made()
    with pytest.raises(TypeError, match="can't specify pos and kw args"):
        ble.config("mtu", mtu=50)
    with pytest.raises(TypeError, match="must query one param"):
        ble.config("mtu", "gap_name")
    with pytest.raises(TypeError, match="must query one param"):
        ble.config()  # modbluetooth.c: no kwargs and not exactly one name
    with pytest.raises(ValueError, match="unknown config param"):
        ble.config("nope")
    with pytest.raises(ValueError, match="unknown config param"):
        ble.config(nope=1)
    with pytest.raises(TypeError):
        ble.config(mtu="x")
    with pytest.raises(ValueError):
        ble.config(rxbuf=8)
    with pytest.raises(ValueError, match="invalid handler"):
        ble.irq(42)


def test_gap_calls_while_inactive_raise_oserror(made: Made) -> None:
    ble, _, _ = made()
    with pytest.raises(OSError):
        ble.gap_advertise(100_000)
    # The NimBLE binding's mp_bluetooth_gap_disconnect: ENODEV while inactive (only ENOTCONN is False).
    with pytest.raises(OSError) as raised:
        ble.gap_disconnect(0)
    assert raised.value.errno == errno.ENODEV


def test_hci_cmd_reads_the_bd_addr_and_reports_unknown_commands(made: Made) -> None:
    ble, _, _ = made()
    ble.active(True)
    resp = bytearray(b"\xff" * 6)
    assert ble.hci_cmd(0x04, 0x0009, b"", resp) == 0  # Read BD_ADDR
    assert resp == bytes(6)  # copied back: the virtual controller has no public address (config("mac") is static)
    assert ble.hci_cmd(0x3E, 0x03FF, b"", bytearray(4)) == 0x01  # Unknown HCI Command


def test_register_services_checks_the_definition_like_micropython(made: Made) -> None:
    ble, _, _ = made()
    ble.active(True)
    with pytest.raises(ValueError, match="invalid service UUID"):
        ble.gatts_register_services(((0x180F, ()),))
    with pytest.raises(ValueError, match="invalid characteristic tuple"):
        ble.gatts_register_services(((bluetooth.UUID(0x180F), ((bluetooth.UUID(0x2A19),),)),))
    with pytest.raises(ValueError, match="invalid characteristic UUID"):
        ble.gatts_register_services(((bluetooth.UUID(0x180F), ((0x2A19, 2),)),))
    assert ble.gatts_register_services([]) == ()
