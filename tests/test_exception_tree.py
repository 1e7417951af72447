"""One root exception, split by who broke the rule, as h11 does (issue 18, "one vocabulary").

Every exception class aioble_hci defines derives from `AiobleHciError` and from exactly one of
`UsageError` (local misuse) and `RemoteProtocolError` (the peer or controller broke a rule), and
keeps the builtin base its callers catch it by: a decode error stays a ValueError.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import aioble_hci
import aioble_hci.errors
from aioble_hci.errors import AiobleHciError, RemoteProtocolError, UsageError

ROOTS = {AiobleHciError, UsageError, RemoteProtocolError}


def _exception_classes() -> list[type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(aioble_hci.__path__, "aioble_hci."):
        if info.name.endswith("__main__"):  # runs the command line when imported
            continue
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            # obj.__module__ == info.name also skips the MicroPython shims (aioble_hci.mpy.shims.ure is re)
            if inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == info.name:
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [found[name] for name in sorted(found)]


EXCEPTIONS = _exception_classes()


def test_the_walk_finds_the_errors_of_every_layer() -> None:
    modules = {cls.__module__.split(".")[1] for cls in EXCEPTIONS}
    assert {"hci", "l2cap", "att", "smp", "gap", "host", "controller", "transport", "capture", "cli", "conform"} <= modules


@pytest.mark.parametrize("cls", [c for c in EXCEPTIONS if c not in ROOTS], ids=lambda c: c.__qualname__)
def test_every_exception_derives_from_the_root_and_exactly_one_branch(cls: type[BaseException]) -> None:
    assert issubclass(cls, AiobleHciError)
    assert issubclass(cls, UsageError) != issubclass(cls, RemoteProtocolError)


def test_no_two_exception_classes_share_a_name() -> None:
    names = [cls.__qualname__ for cls in EXCEPTIONS]
    assert sorted(n for n in names if names.count(n) > 1) == []


def test_the_root_module_imports_nothing_so_the_virtual_controller_may_use_it() -> None:
    tree = ast.parse(Path(aioble_hci.errors.__file__).read_text())
    assert [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)] == []


def test_a_truncated_hci_event_is_a_remote_error_and_still_a_value_error() -> None:
    """Vol 4 Part E 5.4.4: Parameter_Total_Length says how many octets follow; here fewer do."""
    from aioble_hci.hci.events import parse_event

    with pytest.raises(ValueError) as raised:
        parse_event(bytes((0x0E, 4, 1)))
    assert isinstance(raised.value, RemoteProtocolError)


def test_a_short_att_request_is_a_remote_error_and_still_a_value_error() -> None:
    """Vol 3 Part F 3.4.4.3: a Read Request carries a 2-octet Attribute Handle."""
    from aioble_hci.att.pdus import decode

    with pytest.raises(ValueError) as raised:
        decode(bytes((0x0A,)))
    assert isinstance(raised.value, RemoteProtocolError)


def test_advertising_data_past_its_limit_is_a_usage_error_and_still_a_value_error() -> None:
    """Vol 6 Part B 2.3.1.1: legacy AdvData and ScanRspData hold at most 31 octets each."""
    from aioble_hci.gap.ad import AdvertisingData, AdvertisingDataTooLong

    fields = AdvertisingData.from_fields([(0xFF, bytes(40))])
    with pytest.raises(AdvertisingDataTooLong) as raised:
        fields.split(31)
    assert isinstance(raised.value, UsageError) and isinstance(raised.value, ValueError)


def _cls(path: str) -> type[BaseException]:
    module, _, name = path.rpartition(".")
    found = getattr(importlib.import_module(module), name)
    assert isinstance(found, type) and issubclass(found, BaseException)
    return found


# Builtin bases callers catch today (`except ValueError` around decoders, `except TimeoutError`,
# `except ConnectionError` in the command line and the facades): re-parenting must keep them.
KEPT_BASES = [
    ("aioble_hci.hci.errors.HciDecodeError", ValueError),
    ("aioble_hci.hci.h4.H4DesyncError", ValueError),
    ("aioble_hci.l2cap.pdus.L2capDecodeError", ValueError),
    ("aioble_hci.att.pdus.AttDecodeError", ValueError),
    ("aioble_hci.att.pdus.UnknownOpcodeError", ValueError),
    ("aioble_hci.att.procedures.GattProtocolError", ValueError),
    ("aioble_hci.smp.toolbox.InvalidPublicKeyError", ValueError),
    ("aioble_hci.smp.bonds.BondExistsError", ValueError),
    ("aioble_hci.gap.ad.AdvertisingDataTooLong", ValueError),
    ("aioble_hci.capture.records.CaptureFormatError", ValueError),
    ("aioble_hci.emulate.summary.NothingToEmulate", ValueError),
    ("aioble_hci.att.errors.AttTimeoutError", TimeoutError),
    ("aioble_hci.host.errors.HciTimeoutError", TimeoutError),
    ("aioble_hci.host.errors.ControllerLostError", ConnectionError),
    ("aioble_hci.host.gap.connections.ConnectionCancelled", ConnectionError),
    ("aioble_hci.host.l2cap.channel.L2capDisconnectedError", ConnectionError),
    ("aioble_hci.att.errors.BearerClosedError", RuntimeError),
    ("aioble_hci.att.errors.IndicationPendingError", RuntimeError),
    ("aioble_hci.l2cap.channel_table.L2capUsageError", RuntimeError),
    ("aioble_hci.l2cap.signaling.SignalingError", RuntimeError),
    ("aioble_hci.capture.replay.ReplayMismatchError", AssertionError),
]


@pytest.mark.parametrize(("path", "builtin"), KEPT_BASES, ids=[p.rpartition(".")[2] for p, _ in KEPT_BASES])
def test_reparented_errors_keep_the_builtin_base_callers_catch(path: str, builtin: type[BaseException]) -> None:
    assert issubclass(_cls(path), builtin)
