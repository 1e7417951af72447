"""The `aioble-hci` command line: one module per subcommand in this package.

Each subcommand module defines `register(subparsers)`, which adds its parser and
sets `func` (taking the parsed arguments, returning an exit code). A module that
is missing or fails to import is skipped, so one layer's CLI never breaks another's.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

SUBCOMMANDS = ("info", "scan", "gatt", "pair", "bonds", "air", "capture", "run", "multitest", "conform")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aioble-hci", description="A Bluetooth LE host in Python.")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv for debug)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(f"aioble_hci.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"aioble_hci.cli.{name}":
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = {0: logging.WARNING, 1: logging.INFO}.get(args.verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        return int(func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a clear one-line error, not a traceback, for user mistakes
        from aioble_hci.transport.base import TransportError

        if isinstance(exc, (TransportError, ValueError, FileNotFoundError, PermissionError)):
            print(f"aioble-hci: error: {exc}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    raise SystemExit(main())
