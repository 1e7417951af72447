"""The ATT cores keep the contract every protocol core keeps (docs/architecture.md): no I/O,
`receive(pdu, now)` and commands with a required clock, output through `data_to_send()` and
`take_events()`, deadlines through `get_timer()` / `handle_timer(now)`."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import aioble_hci.att
from aioble_hci.att.bearer import AttBearer
from aioble_hci.att.client import AttClient
from aioble_hci.att.server import AttServer

ATT_DIR = Path(aioble_hci.att.__file__).parent
IO_MODULES = {"asyncio", "os", "time", "threading"}
"""What a sans-I/O core never imports: its driver owns the loop, the files, the clock, threads."""


def imported_modules(source: str) -> set[str]:
    """Top-level names of every module a source imports, at any depth of the code."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_the_import_scan_sees_imports_inside_functions() -> None:
    """The check below can fail: a function-level import of the clock is found."""
    assert imported_modules("def f():\n    import time\n    from os import path\n") >= {"time", "os"}


@pytest.mark.parametrize("path", sorted(ATT_DIR.rglob("*.py")), ids=lambda p: p.name)
def test_att_core_modules_import_no_io(path: Path) -> None:
    """No asyncio, os, time or threading in att/: time comes in as `now`, I/O is the driver's."""
    assert imported_modules(path.read_text()) & IO_MODULES == set()


CORES = [AttServer, AttClient, AttBearer]


@pytest.mark.parametrize("core", CORES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("method", ["receive", "data_to_send", "take_events", "get_timer", "handle_timer"])
def test_each_core_offers_the_contract(core: type, method: str) -> None:
    assert callable(getattr(core, method, None)), f"{core.__name__} lacks {method}()"


TIMED: list[tuple[type, str]] = [
    (AttServer, "receive"), (AttServer, "handle_timer"), (AttServer, "notify"), (AttServer, "indicate"),
    (AttServer, "notify_multiple"), (AttServer, "update"), (AttServer, "service_changed"),
    (AttServer, "send_owed_service_changed"),
    (AttClient, "receive"), (AttClient, "handle_timer"), (AttClient, "submit"), (AttClient, "exchange_mtu"),
    (AttClient, "write_command"), (AttClient, "signed_write_command"),
    (AttBearer, "receive"), (AttBearer, "handle_timer"),
]


@pytest.mark.parametrize(("core", "method"), TIMED, ids=lambda x: getattr(x, "__name__", x))
def test_now_is_required(core: type, method: str) -> None:
    """A core never guesses the time: `now` has no default, so a caller cannot forget it."""
    parameter = inspect.signature(getattr(core, method)).parameters.get("now")
    assert parameter is not None, f"{core.__name__}.{method} takes no `now`"
    assert parameter.default is inspect.Parameter.empty, f"{core.__name__}.{method} defaults `now`"


def _server() -> AttServer:
    from tests.att.conftest import make_test_db

    server = AttServer(make_test_db().db, connection="c")
    server.receive(bytes.fromhex("121f000300"), 0.0)  # notifications and indications on 0x1E
    server.data_to_send()
    server.take_events()
    return server


SENDS: list[tuple[str, Callable[[AttServer], Any]]] = [
    ("notify", lambda s: s.notify(0x1E, b"n", 1.0)),
    ("indicate", lambda s: s.indicate(0x1E, b"i", 1.0)),
    ("update", lambda s: s.update(0x1E, b"u", 1.0)),
    ("notify_multiple", lambda s: s.notify_multiple([(0x1E, b"m")], 1.0)),
]


@pytest.mark.parametrize(("name", "send"), SENDS, ids=[name for name, _ in SENDS])
def test_server_commands_put_their_pdu_in_data_to_send_not_in_a_return_value(
    name: str, send: Callable[[AttServer], Any]
) -> None:
    server = _server()
    result = send(server)
    assert not isinstance(result, bytes | bytearray)
    out = server.data_to_send()
    assert len(out) == 1 and out[0][0] in (0x1B, 0x1D, 0x23)
    assert server.data_to_send() == []
