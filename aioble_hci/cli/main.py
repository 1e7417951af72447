"""The `aioble-hci` command line: one module per subcommand in this package.

Each subcommand module defines `register(subparsers)`, which adds its parser and
sets `func` (taking the parsed arguments, returning an exit code). A module that
is missing or fails to import is skipped, so one layer's CLI never breaks another's.

`main()` is the one error boundary: an expected failure (see cli/errors.py) is one line on
stderr and exit status 1; `-v` adds the traceback. The logging options (-v, --log-level) are
accepted before or after the subcommand.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from typing import Any

SUBCOMMANDS = ("info", "scan", "gatt", "pair", "bonds", "devices", "air", "capture", "run", "multitest", "emulate", "conform")
LOG_LEVELS = ("debug", "info", "warning", "error")
EXIT_FAILURE = 1
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("aioble-hci")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown (not installed)"


class _VersionAction(argparse.Action):
    """--version, reading the installed version only when asked (importlib.metadata is slow to load)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: Any = argparse.SUPPRESS, help: str | None = None) -> None:  # noqa: A002
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        print(f"aioble-hci {package_version()}")  # stdout, as argparse's own version action
        parser.exit()


def add_logging_options(parser: argparse.ArgumentParser, top: bool) -> None:
    """-v and --log-level; on subcommands their defaults are suppressed so the top level's stand.

    A subcommand that gives -v a meaning of its own (multitest: show output) keeps it.
    """
    taken = set(parser._option_string_actions)
    if not {"-v", "--verbose"} & taken:
        parser.add_argument("-v", "--verbose", action="count", default=0 if top else argparse.SUPPRESS,
                            help="more logging (-vv for debug); tracebacks with errors")
    if "--log-level" not in taken:
        parser.add_argument("--log-level", choices=LOG_LEVELS, default=None if top else argparse.SUPPRESS,
                            help="logging level (overrides -v)")


def _add_to_every_subparser(parser: argparse.ArgumentParser) -> None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in set(action.choices.values()):
                add_logging_options(sub, top=False)
                _add_to_every_subparser(sub)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aioble-hci", description="A Bluetooth LE host in Python.")
    parser.add_argument("--version", action=_VersionAction, help="show the installed version and exit")
    add_logging_options(parser, top=True)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(f"aioble_hci.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"aioble_hci.cli.{name}":
                raise
            continue
        module.register(subparsers)
    _add_to_every_subparser(parser)
    return parser


def _log_level(args: argparse.Namespace) -> int:
    if args.log_level:
        return int(getattr(logging, args.log_level.upper()))
    return {0: logging.WARNING, 1: logging.INFO}.get(args.verbose or 0, logging.DEBUG)


def _configure_logging(args: argparse.Namespace) -> tuple[logging.Handler, Any]:
    """Log to stderr; without -v, warnings and errors wait for the end (see DeferredErrors)."""
    from aioble_hci.cli.errors import DeferredErrors

    root = logging.getLogger()
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    deferred = None
    if not args.verbose and not args.log_level:
        deferred = DeferredErrors()
        console.addFilter(lambda record: record.levelno < logging.WARNING)
        root.addHandler(deferred)
    root.addHandler(console)
    root.setLevel(_log_level(args))
    return console, deferred


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    console, deferred = _configure_logging(args)
    reported: str | None = None
    try:
        from aioble_hci.cli.common import check_capture_target

        check_capture_target(args)
        return int(func(args) or 0)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _quiet_stdout()  # `aioble-hci ... | head`: the reader has what it wanted
        return 0
    except Exception as exc:
        from aioble_hci.cli.errors import explain

        spec = _spec_of(args)
        reported = explain(exc, spec)
        if args.verbose or args.log_level == "debug":
            traceback.print_exc()
        if reported is None:
            reported = (f"unexpected {type(exc).__name__}: {exc} (a bug in aioble-hci: "
                        "run again with -v for the traceback and report it)")
        _flush_stdout()
        print(f"aioble-hci: error: {reported}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        if deferred is not None:
            deferred.flush_to(sys.stderr, failed=reported is not None)
            logging.getLogger().removeHandler(deferred)
        logging.getLogger().removeHandler(console)
        _flush_stdout()


def _spec_of(args: argparse.Namespace) -> str | None:
    spec = getattr(args, "transport", None)
    if spec:
        return str(spec)
    return os.environ.get("AIOBLE_HCI_TRANSPORT") or None


def _flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()
    except (OSError, ValueError):
        pass


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


if __name__ == "__main__":
    raise SystemExit(main())
