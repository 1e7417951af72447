"""The command package loads its modules on first use; its name index must match the modules."""

from __future__ import annotations

import importlib
import subprocess
import sys

from aioble_hci.hci import commands


def test_every_command_modules_public_name_is_indexed_in_the_package() -> None:
    for module, names in commands._MODULES.items():
        loaded = importlib.import_module(f"aioble_hci.hci.commands.{module}")
        assert sorted(names) == sorted(loaded.__all__), module


def test_a_name_loads_only_its_own_module() -> None:
    code = ("import sys; from aioble_hci.hci.commands import Reset; "
            "print(sorted(m.rsplit('.', 1)[1] for m in sys.modules if m.startswith('aioble_hci.hci.commands.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["['base',", "'controller']"]


def test_the_opcode_registry_is_complete_however_little_was_loaded() -> None:
    code = ("from aioble_hci.hci.commands.base import command_class; "
            "print(command_class(0x2029).__name__)")  # LE Clear Resolving List, in address_lists
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "LeClearResolvingList"
