"""How the virtual controller's modules depend on each other (issue 18, "one vocabulary").

`commands` is the helper kit every procedure module imports, `dispatch` the registry that imports
the procedures; neither reaches the other through a function-level import. The controller checks
our HCI codecs by being written separately, so it loads nothing of aioble_hci.host and of
aioble_hci.hci only the packet-type numbers (Vol 4 Part A, 2: the H4 indicators).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import aioble_hci.controller

PACKAGE_DIR = Path(aioble_hci.controller.__file__).parent
MODULES = sorted(f"aioble_hci.controller.{p.stem}" for p in PACKAGE_DIR.glob("*.py") if p.stem != "__init__")
PROCEDURE_MODULES = {
    "aioble_hci.controller.advertising",
    "aioble_hci.controller.advertising_commands",
    "aioble_hci.controller.connections",
    "aioble_hci.controller.controller",
    "aioble_hci.controller.dispatch",
    "aioble_hci.controller.encryption",
    "aioble_hci.controller.info",
    "aioble_hci.controller.privacy",
    "aioble_hci.controller.procedures",
    "aioble_hci.controller.scanning",
}


def _loaded_after_import(module: str) -> set[str]:
    """The aioble_hci modules a fresh interpreter holds after importing `module` alone."""
    code = (f"import sys, {module}\n"
            "print('\\n'.join(m for m in sys.modules if m.startswith('aioble_hci')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, f"import {module} alone failed:\n{result.stderr}"
    return set(result.stdout.split())


@pytest.mark.parametrize("module", MODULES)
def test_each_controller_module_imports_alone_in_a_fresh_interpreter(module: str) -> None:
    assert module in _loaded_after_import(module)


def test_the_helper_kit_imports_no_procedure_module() -> None:
    loaded = _loaded_after_import("aioble_hci.controller.commands")
    assert loaded & PROCEDURE_MODULES == set()


def test_the_dispatcher_and_controller_load_nothing_of_the_host_or_the_hci_codecs() -> None:
    loaded = _loaded_after_import("aioble_hci.controller.dispatch")
    loaded |= _loaded_after_import("aioble_hci.controller.controller")
    assert {m for m in loaded if m.startswith("aioble_hci.host")} == set()
    assert {m for m in loaded if m.startswith("aioble_hci.hci.")} <= {"aioble_hci.hci.packets"}


def _function_level_controller_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith("aioble_hci.controller"):
                found.append(f"{path.name}:{inner.lineno} from {inner.module}")
            elif isinstance(inner, ast.Import):
                found += [f"{path.name}:{inner.lineno} import {a.name}" for a in inner.names
                          if a.name.startswith("aioble_hci.controller")]
    return found


def test_no_controller_module_imports_a_sibling_inside_a_function() -> None:
    found = [hit for path in sorted(PACKAGE_DIR.glob("*.py")) for hit in _function_level_controller_imports(path)]
    assert found == []


def test_every_handled_opcode_comes_from_one_procedure_module() -> None:
    from aioble_hci.controller import dispatch

    declared = [spec.opcode for module in dispatch.PROCEDURE_MODULES for spec in module.COMMANDS]
    assert len(declared) == len(set(declared)) == len(dispatch.TABLE)
