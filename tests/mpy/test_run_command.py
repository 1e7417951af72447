"""`aioble-hci run` runs a MicroPython-style script with the shims, for that run only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys, time, os
import asyncio
import machine
from micropython import const

PERIOD = const(20)

start = time.ticks_ms()
time.sleep_ms(PERIOD)
print("elapsed at least", time.ticks_diff(time.ticks_ms(), start) >= PERIOD)
asyncio.run(asyncio.sleep_ms(1))
machine.idle()
print("args", sys.argv[1:])
print("transport", os.environ.get("AIOBLE_HCI_TRANSPORT"))
print("main", __name__)
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aioble_hci", "run", *args], capture_output=True,
                          text=True, timeout=60, cwd=cwd)


def test_run_gives_a_script_const_ticks_and_sleep_ms(tmp_path: Path) -> None:
    script = tmp_path / "blink.py"
    script.write_text(SCRIPT)
    result = run("-t", "virtual", str(script), "one", "-v", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "elapsed at least True",
        "args ['one', '-v']",
        "transport virtual",
        "main __main__",
    ]


def test_run_imports_modules_beside_the_script(tmp_path: Path) -> None:
    (tmp_path / "helper.py").write_text("VALUE = 42\n")
    script = tmp_path / "main.py"
    script.write_text("import helper\nprint(helper.VALUE)\n")
    result = run(str(script), cwd=Path("/"))
    assert result.stdout == "42\n", result.stderr


def test_run_reports_the_scripts_exception_and_fails(tmp_path: Path) -> None:
    script = tmp_path / "broken.py"
    script.write_text("raise ValueError('bad value')\n")
    result = run(str(script), cwd=tmp_path)
    assert result.returncode == 1
    assert "ValueError: bad value" in result.stderr
    assert 'broken.py", line 1' in result.stderr
    assert "runpy" not in result.stderr


def test_run_passes_on_the_scripts_exit_status(tmp_path: Path) -> None:
    script = tmp_path / "exits.py"
    script.write_text("import sys\nsys.exit(3)\n")
    assert run(str(script), cwd=tmp_path).returncode == 3


def test_run_c_code_has_an_empty_path_entry_like_python_c(tmp_path: Path) -> None:
    result = run("-c", "import sys; sys.path.remove(''); from micropython import const; print(const(1), sys.argv)",
                 "x", cwd=tmp_path)
    assert result.stdout == "1 ['-c', 'x']\n", result.stderr


def test_run_of_a_missing_script_says_so(tmp_path: Path) -> None:
    result = run(str(tmp_path / "absent.py"), cwd=tmp_path)
    assert result.returncode == 1
    assert "no such script" in result.stderr
