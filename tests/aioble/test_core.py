"""aioble.core: import-time behaviour, logging, config, stop, IRQ dispatch and ThreadSafeFlag."""

from __future__ import annotations

import asyncio
import threading

from .conftest import Env


def test_import_installs_one_irq_handler_and_does_not_power_the_radio(env: Env) -> None:
    assert env.fake.handler is env.aioble.core.ble_irq
    assert env.fake.called("active") == []
    assert env.aioble.core.ble is env.fake


def test_top_level_namespace_has_exactly_the_public_names(env: Env) -> None:
    public = {n for n in dir(env.aioble) if not n.startswith("_")}
    expected = {
        "Device", "DeviceDisconnectedError", "GattError", "config", "stop", "log_info", "log_warn",
        "log_error", "advertise", "scan", "Service", "Characteristic", "BufferedCharacteristic",
        "Descriptor", "register_services", "ADDR_PUBLIC", "ADDR_RANDOM", "const",
    }
    assert expected <= public
    # Submodules become attributes once imported; nothing else is public.
    assert public - expected <= {"core", "device", "peripheral", "central", "server"}
    assert (env.aioble.ADDR_PUBLIC, env.aioble.ADDR_RANDOM) == (0, 1)


def test_client_l2cap_security_are_not_imported_by_init(env: Env) -> None:
    import sys

    for name in ("aioble.client", "aioble.l2cap", "aioble.security"):
        assert name not in sys.modules


def test_default_log_level_prints_only_errors(env: Env, capsys) -> None:
    core = env.aioble.core
    core.log_info("info")
    core.log_warn("warn")
    core.log_error("bad", 1)
    assert capsys.readouterr().out == "[aioble] E: bad 1\n"
    core.log_level = 3
    core.log_info("x")
    core.log_warn("y")
    assert capsys.readouterr().out == "[aioble] I: x\n[aioble] W: y\n"


def test_dispatched_events_print_nothing_at_default_level(env: Env, capsys) -> None:
    env.fake.inject(27, (1, 40, 0, 500, 0))
    assert capsys.readouterr().out == ""


def test_gatt_error_keeps_status(env: Env) -> None:
    err = env.aioble.GattError(0x105)
    assert err._status == 0x105
    assert err.args == (0x105,)


def test_config_activates_radio_and_passes_through(env: Env) -> None:
    assert env.aioble.config("mtu") == 256
    assert env.fake.active()
    env.aioble.config(mtu=100, gap_name="x")
    assert env.fake.settings["mtu"] == 100


def test_ensure_active_loads_secrets_once(env: Env, tmp_path) -> None:
    (tmp_path / "ble_secrets.json").write_text('[[1, "AQI=\\n", "AwQ=\\n"]]')
    env.aioble.config("mtu")
    security = env.mod("security")
    assert security._secrets == {(1, b"\x01\x02"): b"\x03\x04"}
    security._secrets.clear()
    env.aioble.config("mtu")  # already active: no reload
    assert security._secrets == {}


def test_stop_powers_off_then_calls_shutdown_handlers(env: Env) -> None:
    env.aioble.config("mtu")
    order = []
    env.aioble.core.register_irq_handler(None, lambda: order.append(env.fake.active()))
    env.aioble.stop()
    assert order == [False]


def test_stop_works_with_no_event_loop_and_leaves_no_threads(env: Env) -> None:
    before = {t for t in threading.enumerate() if not t.daemon}
    env.aioble.config("mtu")
    env.aioble.stop()
    env.aioble.stop()
    assert {t for t in threading.enumerate() if not t.daemon} == before


def test_stop_after_asyncio_run_returned(env: Env) -> None:
    aioble = env.aioble

    async def main() -> None:
        aioble.register_services(aioble.Service(__import__("bluetooth").UUID(0x180F)))
        aioble.stop()
        aioble.config("mtu")

    asyncio.run(main())
    aioble.stop()
    assert not env.fake.active()


def test_dispatch_returns_first_non_none_answer(env: Env) -> None:
    core = env.aioble.core
    core.register_irq_handler(lambda e, d: None if e != 99 else 7, None)
    core.register_irq_handler(lambda e, d: 8, None)
    assert env.fake.inject(99, ()) == 7
    assert env.fake.inject(98, ()) == 8


async def test_flag_set_before_wait_returns_at_once(env: Env) -> None:
    flag = env.aioble.core.ThreadSafeFlag()
    flag.set()
    await flag.wait()
    assert not flag.is_set()


async def test_flag_set_from_another_thread_wakes_waiter(env: Env) -> None:
    flag = env.aioble.core.ThreadSafeFlag()
    waiter = asyncio.ensure_future(flag.wait())
    await asyncio.sleep(0)
    env.fake.on_host(flag.set).result()
    await waiter
    assert not flag.is_set()


async def test_flag_sets_coalesce(env: Env) -> None:
    flag = env.aioble.core.ThreadSafeFlag()
    for _ in range(3):
        env.fake.on_host(flag.set).result()
    await flag.wait()
    waiter = asyncio.ensure_future(flag.wait())
    await asyncio.sleep(0.01)
    assert not waiter.done()
    waiter.cancel()


async def test_flag_second_waiter_is_an_assertion(env: Env) -> None:
    flag = env.aioble.core.ThreadSafeFlag()
    first = asyncio.ensure_future(flag.wait())
    await asyncio.sleep(0)
    try:
        await flag.wait()
    except AssertionError:
        pass
    else:
        raise AssertionError("second waiter accepted")
    first.cancel()


def test_flag_set_after_its_loop_closed_is_harmless(env: Env) -> None:
    flag = env.aioble.core.ThreadSafeFlag()

    async def wait_briefly() -> None:
        task = asyncio.ensure_future(flag.wait())
        await asyncio.sleep(0)
        task.cancel()

    asyncio.run(wait_briefly())
    flag.set()
    assert flag.is_set()
