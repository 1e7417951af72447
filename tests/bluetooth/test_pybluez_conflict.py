"""PyBluez installs a top-level `bluetooth` too; when it comes first, `import aioble` must say so.

Rule (issue 16): a clear ImportError naming the conflict and the fix, not an AttributeError later.
The "other" module is a stand-in package with PyBluez's name put first on sys.path, in a fresh
interpreter so this process's modules are untouched.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run_python(code: str, path_first: Path | None, user_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = dict(user_env)
    paths = ([str(path_first)] if path_first else []) + [str(REPO)]
    env["PYTHONPATH"] = ":".join(paths)
    return subprocess.run([sys.executable, "-c", code], cwd=path_first or REPO, env=env, capture_output=True, text=True,
                          timeout=60)


def test_import_aioble_with_pybluez_first_names_the_conflict(tmp_path: Path, user_env) -> None:
    other = tmp_path / "site" / "bluetooth"
    other.mkdir(parents=True)
    (other / "__init__.py").write_text("# PyBluez's package: Bluetooth Classic sockets\nRFCOMM = 3\n")
    result = run_python("import aioble", tmp_path / "site", user_env)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: the 'bluetooth' module imported from ")
    assert str(other / "__init__.py") in last and "PyBluez" in last and "pip uninstall pybluez" in last


def test_import_aioble_with_our_bluetooth_works(user_env) -> None:
    result = run_python("import aioble, bluetooth; print(bluetooth.__aioble_hci__)", None, user_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
