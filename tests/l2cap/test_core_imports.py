"""The sans-I/O cores do no I/O and keep no clock of their own (DEVELOPERS.md, Architecture;
issue 18: "no core imports asyncio, os, time or threading").

Every module of `hci/`, `l2cap/` and `smp/` is parsed, function-level imports included; time
enters only through the `now` arguments, files and threads live in `host/`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import aioble_hci

FORBIDDEN = {"asyncio", "os", "time", "threading"}
CORES = ("hci", "l2cap", "smp")


def forbidden_imports(path: Path) -> list[str]:
    """`module:line name` for each import of a forbidden module in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            if name.split(".")[0] in FORBIDDEN:
                found.append(f"{path}:{node.lineno} {name}")
    return found


def core_modules() -> list[Path]:
    root = Path(aioble_hci.__file__).parent
    return sorted(p for core in CORES for p in (root / core).rglob("*.py"))


def test_every_core_package_is_scanned() -> None:
    modules = core_modules()
    for core in CORES:
        assert any(f"/{core}/" in str(p) for p in modules), core


def test_cores_import_no_asyncio_os_time_or_threading() -> None:
    offenders = [hit for path in core_modules() for hit in forbidden_imports(path)]
    assert offenders == []


def test_the_scan_sees_function_level_and_from_imports(tmp_path: Path) -> None:
    """The check itself: each spelling of a forbidden import is found."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os.path\nfrom time import monotonic\n"
        "def f():\n    import threading\n    from asyncio import sleep\n"
        "from . import time\nimport timeit\n"
    )
    assert [hit.split()[-1] for hit in forbidden_imports(sample)] == [
        "os.path",
        "time",
        "threading",
        "asyncio",
    ]
