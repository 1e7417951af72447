"""Pairing, bonding and the secrets file (aioble-api.md section 12).

The LL asks for and hands over keys with the GET_SECRET / SET_SECRET IRQs; they live in memory and
in ``ble_secrets.json`` (a JSON list of ``[sec_type, key_b64, value_b64]``, base64 with its trailing
newline, as MicroPython writes it). Saves happen promptly, off the IRQ thread, by atomic replace.
"""

from __future__ import annotations

import binascii
import json
import os
import tempfile
import threading
from typing import Any

from . import core
from .core import ThreadSafeFlag, ble, log_info, log_warn, register_irq_handler
from .device import DeviceConnection

_IRQ_ENCRYPTION_UPDATE = 28
_IRQ_GET_SECRET = 29
_IRQ_SET_SECRET = 30
_IRQ_PASSKEY_ACTION = 31

_IO_CAPABILITY_DISPLAY_ONLY = 0
_IO_CAPABILITY_DISPLAY_YESNO = 1
_IO_CAPABILITY_KEYBOARD_ONLY = 2
_IO_CAPABILITY_NO_INPUT_OUTPUT = 3
_IO_CAPABILITY_KEYBOARD_DISPLAY = 4

_PASSKEY_ACTION_INPUT = 2
_PASSKEY_ACTION_DISP = 3
_PASSKEY_ACTION_NUMCMP = 4

_DEFAULT_PATH = "ble_secrets.json"

_secrets: dict[tuple[int, bytes], bytes] = {}
_modified = False
_path: str | None = None
_save_pending = False
# Held while writing the file, so saves happen one at a time and in order.
_file_lock = threading.Lock()


def load_secrets(path: str | None = None) -> None:
    """Read the secrets file (``path``, else the previous one, else ``ble_secrets.json``)."""
    global _path, _secrets, _modified
    _path = path or _path or _DEFAULT_PATH
    loaded: dict[tuple[int, bytes], bytes] = {}
    try:
        with open(_path) as f:
            for sec_type, key, value in json.load(f):
                loaded[int(sec_type), binascii.a2b_base64(key)] = binascii.a2b_base64(value)
    except Exception:
        log_warn("No secrets available")
        loaded = {}
    with core.lock:
        _secrets = loaded
        _modified = False


def _save_secrets(arg: Any = None) -> None:
    """Write the whole store to the file now (atomically: temporary file, then rename)."""
    global _modified
    with _file_lock:
        with core.lock:
            entries = [
                [sec_type, binascii.b2a_base64(key).decode(), binascii.b2a_base64(value).decode()]
                for (sec_type, key), value in _secrets.items()
            ]
            _modified = False
            path = _path or _DEFAULT_PATH
        directory = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(prefix=".ble_secrets.", dir=directory)
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(entries, f)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise


def _save_worker() -> None:
    global _save_pending
    with core.lock:
        _save_pending = False
        modified = _modified
    if modified:
        try:
            _save_secrets()
        except OSError as e:
            log_warn("Could not save secrets", e)


def _schedule_save() -> None:
    """Save soon on a short-lived thread: the IRQ thread must never wait on the file system.

    The thread is not a daemon, so a bond made just before exit still reaches the file.
    """
    global _save_pending
    with core.lock:
        if _save_pending:
            return
        _save_pending = True
    threading.Thread(target=_save_worker, name="aioble-save-secrets").start()


def _security_irq(event: int, data: Any) -> Any:
    global _modified
    if event == _IRQ_ENCRYPTION_UPDATE:
        conn_handle, encrypted, authenticated, bonded, key_size = data
        connection = DeviceConnection._connected.get(conn_handle)
        if connection is not None:
            connection.encrypted = encrypted
            connection.authenticated = authenticated
            connection.bonded = bonded
            connection.key_size = key_size
            if encrypted and connection._pair_event is not None:
                connection._pair_event.set()
    elif event == _IRQ_GET_SECRET:
        sec_type, index, key = data
        with core.lock:
            if key is None:
                values = [v for (t, _k), v in _secrets.items() if t == sec_type]
                return values[index] if 0 <= index < len(values) else None
            return _secrets.get((sec_type, bytes(key)))
    elif event == _IRQ_SET_SECRET:
        sec_type, key, value = data
        entry = (sec_type, bytes(key))
        with core.lock:
            if not value:
                if entry not in _secrets:
                    return False
                del _secrets[entry]
            else:
                _secrets[entry] = bytes(value)
            _modified = True
        _schedule_save()
        return True
    elif event == _IRQ_PASSKEY_ACTION:
        conn_handle, action, passkey = data
        log_info("passkey action", conn_handle, action, passkey)
    return None


def _security_shutdown() -> None:
    """Flush unsaved secrets, then forget the store and any custom path."""
    global _secrets, _modified, _path
    with core.lock:
        modified = _modified
    if modified:
        try:
            _save_secrets()
        except OSError as e:
            log_warn("Could not save secrets", e)
    with core.lock:
        _secrets = {}
        _modified = False
        _path = None


register_irq_handler(_security_irq, _security_shutdown)


async def pair(
    connection: DeviceConnection,
    bond: bool = True,
    le_secure: bool = True,
    mitm: bool = False,
    io: int = _IO_CAPABILITY_NO_INPUT_OUTPUT,
    timeout_ms: int | None = 20000,
) -> None:
    """Set the (global) pairing options, start pairing, wait until the link is encrypted."""
    ble.config(bond=bond, le_secure=le_secure, mitm=mitm, io=io)
    with connection.timeout(timeout_ms):
        connection._pair_event = ThreadSafeFlag()
        ble.gap_pair(connection._conn_handle)
        await connection._pair_event.wait()
