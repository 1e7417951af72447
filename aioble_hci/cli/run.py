"""`aioble-hci run [-t SPEC] (SCRIPT.py | -c CODE) [ARGS...]`: run a MicroPython-style program.

The program sees MicroPython's extra modules and functions (`micropython`, `machine`,
`time.ticks_ms`, `asyncio.sleep_ms`, ...; see aioble_hci.mpy) for this run only, and its
`aioble`/`bluetooth` calls use the controller named by `-t` (else $AIOBLE_HCI_TRANSPORT).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

DESCRIPTION = (
    "Run a MicroPython-style script on CPython, with micropython, machine, time.ticks_*, "
    "time.sleep_ms/us, asyncio.sleep_ms and asyncio.ThreadSafeFlag available for this run only."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-t", "--transport", metavar="SPEC", default=None,
        help="controller for the script's aioble/bluetooth calls, e.g. serial:/dev/ttyACM0, usb, "
        "virtual, air:PATH (sets AIOBLE_HCI_TRANSPORT; default: the environment's)",
    )
    parser.add_argument("-c", dest="code", metavar="CODE", default=None,
                        help="run CODE instead of a script file, like python -c")
    parser.add_argument("script", nargs="?", metavar="SCRIPT.py", help="the program to run")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="arguments given to the program in sys.argv")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("run", help="run a MicroPython-style script on CPython",
                                   description=DESCRIPTION)
    add_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from aioble_hci.mpy.runner import run_code, run_script

    if args.code is not None:
        program_args = ([args.script] if args.script is not None else []) + list(args.args)
        return run_code(args.code, program_args, transport=args.transport)
    if args.script is None:
        print("aioble-hci run: error: give a SCRIPT.py or -c CODE", file=sys.stderr)
        return 2
    return run_script(args.script, list(args.args), transport=args.transport)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m aioble_hci.mpy`, the same as `aioble-hci run`."""
    parser = argparse.ArgumentParser(prog="python -m aioble_hci.mpy", description=DESCRIPTION)
    add_arguments(parser)
    return run(parser.parse_args(argv))
