"""The `machine` shim module: what has a meaning on a PC works, hardware is refused clearly."""

from __future__ import annotations

import pytest

from aioble_hci.mpy.shims import machine


def test_idle_returns() -> None:
    assert machine.idle() is None


def test_unique_id_is_six_stable_bytes() -> None:
    first = machine.unique_id()
    assert isinstance(first, bytes) and len(first) == 6
    assert machine.unique_id() == first


def test_fresh_process_reports_power_on_reset(monkeypatch) -> None:
    monkeypatch.delenv("AIOBLE_HCI_MPY_RESET_CAUSE", raising=False)
    assert machine.reset_cause() == machine.PWRON_RESET


@pytest.mark.parametrize("cls", [machine.Pin, machine.UART, machine.I2C, machine.SPI, machine.ADC,
                                 machine.PWM, machine.Timer, machine.RTC, machine.WDT])
def test_hardware_classes_raise_not_implemented_naming_the_class(cls) -> None:
    with pytest.raises(NotImplementedError, match=f"machine.{cls.__name__} needs hardware"):
        cls(0)


def test_deepsleep_is_refused() -> None:
    with pytest.raises(NotImplementedError):
        machine.deepsleep(10)


def test_disable_irq_and_enable_irq_nest() -> None:
    outer = machine.disable_irq()
    inner = machine.disable_irq()
    machine.enable_irq(inner)
    machine.enable_irq(outer)
    assert machine._irq_lock.acquire(blocking=False)
    machine._irq_lock.release()
