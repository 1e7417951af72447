"""Run a MicroPython-style program (a script file or a `-c` string) on CPython with the shims."""

from __future__ import annotations

import os
import runpy
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from aioble_hci.mpy.install import install

ENV_TRANSPORT = "AIOBLE_HCI_TRANSPORT"


def prepare(transport: str | None) -> None:
    """Shims in, stdout line-buffered, whole-line print, and the controller for the program's BLE calls."""
    if transport is not None:
        os.environ[ENV_TRANSPORT] = transport
    install(line_buffered_stdout=True, whole_line_print=True)


def run_script(path: str, args: Sequence[str] = (), transport: str | None = None) -> int:
    """Run the file at `path` as `__main__`, like `python path args...`; returns an exit code."""
    script = Path(path)
    if not script.is_file():
        raise FileNotFoundError(f"no such script: {path}")
    prepare(transport)
    sys.argv = [str(script), *args]
    sys.path.insert(1, str(script.resolve().parent))  # after the shims, as python puts the script's dir
    return _guarded(lambda: runpy.run_path(str(script), run_name="__main__"))


def run_code(code: str, args: Sequence[str] = (), transport: str | None = None) -> int:
    """Run `code` as `__main__`, like `python -c code args...` ('' on sys.path); returns an exit code."""
    prepare(transport)
    sys.argv = ["-c", *args]
    sys.path.insert(1, "")
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    return _guarded(lambda: exec(compile(code, "<string>", "exec"), namespace))


def _guarded(body: object) -> int:
    """Run the program; its exceptions print a traceback (without our frames) and give status 1."""
    try:
        body()  # type: ignore[operator]
    except SystemExit as exc:
        return _exit_status(exc.code)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        tb = exc.__traceback__
        if tb is not None:
            tb = tb.tb_next  # drop _guarded's own frame
        while tb is not None and _is_runner_frame(tb.tb_frame.f_code.co_filename):
            tb = tb.tb_next
        traceback.print_exception(type(exc), exc, tb)
        return 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (AttributeError, ValueError):
                pass
    return 0


def _is_runner_frame(filename: str) -> bool:
    return filename in (__file__, runpy.__file__) or filename.endswith("<frozen runpy>")


def _exit_status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
