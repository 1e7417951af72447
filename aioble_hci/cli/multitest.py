"""`aioble-hci multitest TEST.py... [-i SPEC]...`: run MicroPython multitests on CPython instances.

Each instance is its own process in its own temporary working directory; by default instances of a
test that imports aioble/bluetooth get fresh controllers on a private virtual air (see
aioble_hci.multitest.specs for the SPEC forms, docs/multitest.md for the whole story).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from aioble_hci.multitest.specs import SILENCE_TIMEOUT_S


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "multitest", help="run MicroPython multitests (instanceN() tests) on CPython instances",
        description="Run tests in MicroPython's multitest format, one CPython process per instance, "
        "comparing with TEST.py.exp. Exit status 1 if any test failed.",
    )
    parser.add_argument("tests", nargs="+", metavar="TEST.py", type=Path, help="multitest files")
    parser.add_argument(
        "-i", "--instance", dest="instances", action="append", default=[], metavar="SPEC",
        help="instance N's spec, repeated in instance order: auto (default: private virtual air if the "
        "test imports aioble/bluetooth, else no controller), air, none, exec:PROGRAM, or a transport "
        "spec such as serial:/dev/ttyACM0",
    )
    order = parser.add_mutually_exclusive_group()
    order.add_argument("-p", "--permutations", type=int, default=1, metavar="N",
                       help="run again over the first N orders of the instances")
    order.add_argument("--swap", action="store_const", dest="permutations", const=2,
                       help="also run with the first two instances swapped (same as -p 2)")
    parser.add_argument("-v", "--verbose", dest="show", action="count", default=0,
                        help="show each test's output (-vv: also trace every line as it arrives)")
    parser.add_argument("--silence-timeout", type=float, default=SILENCE_TIMEOUT_S, metavar="SECONDS",
                        help=f"fail an instance silent this long (default {SILENCE_TIMEOUT_S:g}, "
                        "as MicroPython's harness)")
    parser.add_argument("--fast", action="store_true",
                        help="run the private virtual air in fast mode (packets delivered at once, not "
                        "at connection-event timing): quicker, but timing-sensitive tests may differ "
                        "from a real radio")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from aioble_hci.multitest import InstanceSpec, Reporter, RunOptions, run_files

    for path in args.tests:
        if not path.is_file():
            raise FileNotFoundError(f"no such test file: {path}")
    if args.silence_timeout <= 0:
        raise ValueError("--silence-timeout must be positive")
    specs = [InstanceSpec.parse(text) for text in args.instances]
    reporter = Reporter(sys.stdout, show_output=args.show >= 1, trace=args.show >= 2)
    hub_command = None
    if args.fast:
        from aioble_hci.multitest.air import default_hub_command

        hub_command = [*default_hub_command("{socket}"), "--fast"]
    options = RunOptions(silence_timeout=args.silence_timeout, trace=reporter.trace, hub_command=hub_command)
    results = run_files(args.tests, specs, options, permutations=args.permutations,
                        on_start=reporter.start, on_result=reporter.result)
    reporter.summary(results)
    return 1 if any(result.verdict == "FAIL" for result in results) else 0
