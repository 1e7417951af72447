"""MicroPython's ticks arithmetic and sleeps, as patched onto CPython's time."""

from __future__ import annotations

import pytest

from aioble_hci.mpy import ticks
from aioble_hci.mpy.ticks import TICKS_MAX, TICKS_PERIOD, ticks_add, ticks_diff


def test_ticks_diff_across_wraparound_is_the_short_way_round() -> None:
    before_wrap = TICKS_MAX - 5
    after_wrap = 10
    assert ticks_diff(after_wrap, before_wrap) == 16
    assert ticks_diff(before_wrap, after_wrap) == -16


def test_ticks_diff_of_half_a_period_is_negative() -> None:
    assert ticks_diff(TICKS_PERIOD // 2, 0) == -(TICKS_PERIOD // 2)
    assert ticks_diff(TICKS_PERIOD // 2 - 1, 0) == TICKS_PERIOD // 2 - 1


def test_ticks_add_wraps_past_the_period() -> None:
    assert ticks_add(TICKS_MAX, 1) == 0
    assert ticks_add(3, -5) == TICKS_MAX - 1


def test_ticks_add_then_diff_round_trips_a_deadline() -> None:
    start = TICKS_MAX - 100
    deadline = ticks_add(start, 1000)
    assert ticks_diff(deadline, start) == 1000


def test_ticks_add_rejects_a_delta_of_half_a_period() -> None:
    with pytest.raises(OverflowError):
        ticks_add(0, TICKS_PERIOD // 2)
    with pytest.raises(OverflowError):
        ticks_add(0, -TICKS_PERIOD // 2 - 1)


@pytest.mark.parametrize("counter", [ticks.ticks_ms, ticks.ticks_us, ticks.ticks_cpu])
def test_ticks_counters_stay_within_the_period(counter) -> None:
    value = counter()
    assert isinstance(value, int)
    assert 0 <= value <= TICKS_MAX


def test_ticks_ms_does_not_go_backwards_over_a_sleep() -> None:
    start = ticks.ticks_ms()
    ticks.sleep_ms(2)
    assert ticks_diff(ticks.ticks_ms(), start) >= 2


def test_sleep_ms_sleeps_for_the_given_milliseconds(monkeypatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(ticks.time, "sleep", slept.append)
    ticks.sleep_ms(250)
    ticks.sleep_us(1500)
    assert slept == [0.25, 0.0015]


def test_negative_sleep_ms_returns_at_once_like_micropython(monkeypatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(ticks.time, "sleep", slept.append)
    ticks.sleep_ms(-5)
    ticks.sleep_us(-1)
    assert slept == []
