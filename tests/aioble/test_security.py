"""aioble.security: secrets file, GET/SET_SECRET, encryption updates and pair()."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest

from .conftest import Env
from .helpers import (
    IRQ_ENCRYPTION_UPDATE,
    IRQ_GET_SECRET,
    IRQ_SET_SECRET,
    outgoing_connection,
    until,
)


def wait_for_saves() -> None:
    for thread in threading.enumerate():
        if thread.name == "aioble-save-secrets":
            thread.join(10)


def test_set_secret_saves_file_with_base64_and_newline(env: Env, tmp_path) -> None:
    security = env.mod("security")
    env.aioble.config("mtu")
    assert env.fake.inject(IRQ_SET_SECRET, (1, memoryview(b"\x00key"), b"value")) is True
    wait_for_saves()
    entries = json.loads((tmp_path / "ble_secrets.json").read_text())
    assert entries == [[1, "AGtleQ==\n", "dmFsdWU=\n"]]
    assert not security._modified


def test_secrets_round_trip_through_file(env: Env, tmp_path) -> None:
    security = env.mod("security")
    env.aioble.config("mtu")
    env.fake.inject(IRQ_SET_SECRET, (2, b"peer-a", b"ltk-a"))
    env.fake.inject(IRQ_SET_SECRET, (10, b"irk", b"our-irk"))
    wait_for_saves()
    security.load_secrets()
    assert security._secrets == {(2, b"peer-a"): b"ltk-a", (10, b"irk"): b"our-irk"}


def test_get_secret_by_key_and_by_index(env: Env) -> None:
    env.aioble.config("mtu")
    env.fake.inject(IRQ_SET_SECRET, (2, b"a", b"A"))
    env.fake.inject(IRQ_SET_SECRET, (2, b"b", b"B"))
    env.fake.inject(IRQ_SET_SECRET, (1, b"c", b"C"))
    assert env.fake.inject(IRQ_GET_SECRET, (2, 0, b"b")) == b"B"
    assert env.fake.inject(IRQ_GET_SECRET, (2, 0, b"zz")) is None
    assert env.fake.inject(IRQ_GET_SECRET, (2, 1, None)) == b"B"
    assert env.fake.inject(IRQ_GET_SECRET, (2, 2, None)) is None
    assert env.fake.inject(IRQ_GET_SECRET, (1, 0, None)) == b"C"


def test_set_secret_with_empty_value_deletes(env: Env, tmp_path) -> None:
    env.aioble.config("mtu")
    env.fake.inject(IRQ_SET_SECRET, (2, b"a", b"A"))
    assert env.fake.inject(IRQ_SET_SECRET, (2, b"a", None)) is True
    assert env.fake.inject(IRQ_SET_SECRET, (2, b"a", b"")) is False
    wait_for_saves()
    assert json.loads((tmp_path / "ble_secrets.json").read_text()) == []


def test_load_secrets_custom_path_forgotten_by_stop(env: Env, tmp_path) -> None:
    security = env.mod("security")
    custom = tmp_path / "custom.json"
    custom.write_text('[[2, "YQ==\\n", "QQ==\\n"]]')
    security.load_secrets(str(custom))
    assert security._secrets == {(2, b"a"): b"A"}
    env.aioble.config("mtu")  # activation reloads from the same custom path
    assert security._secrets == {(2, b"a"): b"A"}
    env.aioble.stop()
    assert security._path is None and security._secrets == {}


def test_missing_or_corrupt_file_gives_empty_store(env: Env, tmp_path, capsys) -> None:
    security = env.mod("security")
    security.load_secrets()
    assert security._secrets == {}
    (tmp_path / "ble_secrets.json").write_text("{not json")
    security.load_secrets()
    assert security._secrets == {}
    assert capsys.readouterr().out == ""


def test_stop_flushes_unsaved_secrets(env: Env, tmp_path) -> None:
    security = env.mod("security")
    env.aioble.config("mtu")
    with security.core.lock:  # hold saves back: stop() must write the file itself
        security._save_pending = True  # type: ignore[attr-defined]
        env.fake.inject_later(IRQ_SET_SECRET, (1, b"k", b"v"))
    env.fake.on_host(lambda: None).result()
    env.aioble.stop()
    assert json.loads((tmp_path / "ble_secrets.json").read_text()) == [[1, "aw==\n", "dg==\n"]]


async def test_encryption_update_sets_connection_state(env: Env) -> None:
    env.mod("security")
    conn = await outgoing_connection(env, conn_handle=65)
    env.fake.inject(IRQ_ENCRYPTION_UPDATE, (65, 1, 0, 1, 16))
    assert (conn.encrypted, conn.authenticated, conn.bonded, conn.key_size) == (1, 0, 1, 16)


async def test_pair_configures_and_waits_for_encryption(env: Env) -> None:
    conn = await outgoing_connection(env, conn_handle=65)
    task = asyncio.ensure_future(conn.pair(bond=False, timeout_ms=5000))
    await until(lambda: env.fake.called("gap_pair"))
    assert ("config", (("bond", False), ("io", 3), ("le_secure", True), ("mitm", False))) in env.fake.calls
    env.fake.inject(IRQ_ENCRYPTION_UPDATE, (65, 0, 0, 0, 0))
    await asyncio.sleep(0.01)
    assert not task.done()
    env.fake.inject(IRQ_ENCRYPTION_UPDATE, (65, 1, 0, 0, 16))
    assert await task is None
    assert conn.encrypted == 1


async def test_pair_timeout(env: Env) -> None:
    conn = await outgoing_connection(env)
    with pytest.raises(asyncio.TimeoutError):
        await conn.pair(timeout_ms=10)


def test_secrets_file_loaded_automatically_on_activation(env: Env, tmp_path) -> None:
    (tmp_path / "ble_secrets.json").write_text(json.dumps([[1, "eA==\n", "eQ==\n"]]))
    env.aioble.config("mtu")
    assert env.fake.inject(IRQ_GET_SECRET, (1, 0, b"x")) == b"y"
