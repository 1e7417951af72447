"""The `micropython` shim module."""

from __future__ import annotations

import threading

import pytest

from aioble_hci.mpy.shims import micropython


def test_const_is_the_value_itself() -> None:
    assert micropython.const(0x1234) == 0x1234


def test_native_and_viper_leave_the_function_unchanged() -> None:
    def f(x: int) -> int:
        return x + 1

    assert micropython.native(f) is f
    assert micropython.viper(f) is f


def test_inline_assembler_is_refused_clearly() -> None:
    with pytest.raises(NotImplementedError, match="asm_thumb"):
        micropython.asm_thumb(lambda: None)


def test_opt_level_remembers_the_level() -> None:
    previous = micropython.opt_level()
    micropython.opt_level(2)
    assert micropython.opt_level() == 2
    micropython.opt_level(previous)


def test_heap_lock_counts_depth() -> None:
    micropython.heap_lock()
    micropython.heap_lock()
    assert micropython.heap_locked() == 2
    assert micropython.heap_unlock() == 1
    assert micropython.heap_unlock() == 0


def test_schedule_runs_the_callback_with_its_argument_off_the_caller() -> None:
    ran = threading.Event()
    seen: list[object] = []

    def callback(arg: object) -> None:
        seen.append((arg, threading.current_thread() is threading.main_thread()))
        ran.set()

    micropython.schedule(callback, "payload")
    assert ran.wait(5)
    assert seen == [("payload", False)]


def test_scheduled_callbacks_run_in_order() -> None:
    done = threading.Event()
    order: list[int] = []

    def callback(n: int) -> None:
        order.append(n)
        if n == 3:
            done.set()

    for n in (1, 2, 3):
        micropython.schedule(callback, n)
    assert done.wait(5)
    assert order == [1, 2, 3]


def test_mem_info_prints_a_report(capsys) -> None:
    micropython.mem_info()
    assert "mem:" in capsys.readouterr().out


def test_alloc_emergency_exception_buf_is_accepted() -> None:
    assert micropython.alloc_emergency_exception_buf(100) is None
