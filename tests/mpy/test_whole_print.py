"""Under `aioble-hci run`, each print call reaches stdout whole, from any thread.

On a board an IRQ handler runs between the main program's bytecodes, never inside a print, so
lines never mix; here handlers print from the host thread while the program prints from its own
(issue seen: ``_IRQ_GATTC_READ_DONEgattc_write``).
"""

from __future__ import annotations

import subprocess
import sys

from aioble_hci import mpy

LINES = 3000
PROGRAM = f"""
import sys, threading
sys.setswitchinterval(1e-6)  # switch threads as often as possible: mixing shows at once

def talk(name):
    for index in range(LINES):
        print(name, index, "x" * 40, sep="|")

LINES = {LINES}
threads = [threading.Thread(target=talk, args=(name,)) for name in ("irq", "app")]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
"""


def _whole(line: str) -> bool:
    parts = line.split("|")
    return (len(parts) == 3 and parts[0] in ("irq", "app") and parts[1].isdigit()
            and parts[2] == "x" * 40)


def test_two_threads_printing_many_lines_never_mix_under_the_run_shim() -> None:
    result = subprocess.run([sys.executable, "-m", "aioble_hci.mpy", "-c", PROGRAM], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2 * LINES
    assert [line for line in lines if not _whole(line)] == []


def test_the_whole_line_print_formats_as_the_builtin(capsys) -> None:
    with mpy.installed():
        from aioble_hci.mpy.whole_print import make_print

        whole = make_print(print)
        whole("a", 1, b"x", sep="-", end="!\n")
        whole()
        whole("to stderr", file=sys.stderr, flush=True)
    captured = capsys.readouterr()
    assert captured.out == "a-1-b'x'!\n\n"
    assert captured.err == "to stderr\n"
