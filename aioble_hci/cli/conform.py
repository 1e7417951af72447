"""`aioble-hci conform`: run SIG-style conformance cases against a device under test (the IUT).

    aioble-hci conform --list [--json]
    aioble-hci conform -t SPEC ADDRESS [--case PATTERN ...] [--ixit FILE] [--json] [--junit FILE] [--report DIR]
    aioble-hci conform -t SPEC --iut-central [--case PATTERN ...] ...

Our host is the lower tester: it connects to the peripheral IUT at ADDRESS (or, with
--iut-central, advertises and waits for the IUT to connect) and runs each applicable case on
a fresh link, with one btsnoop capture per case in DIR/captures when --report is given.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

VERDICT_MARKS = {"pass": "PASS", "fail": "FAIL", "inconclusive": "INCO", "not applicable": "N/A "}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "conform", help="run conformance test cases (SIG test IDs) against a device",
        description="Act as the lower tester: run conformance cases named with Bluetooth SIG test IDs "
        "against the device at ADDRESS (the IUT), each with a verdict, its rule and a capture.")
    parser.add_argument("address", metavar="ADDRESS", nargs="?", default=None,
                        help="the peripheral IUT, e.g. aa:bb:cc:dd:ee:ff/public or .../random")
    parser.add_argument("-t", "--transport", metavar="SPEC", default=None,
                        help="the tester's controller (default: $AIOBLE_HCI_TRANSPORT)")
    parser.add_argument("--list", action="store_true", help="list the cases (ID, title, roles, rule, needs)")
    parser.add_argument("--case", metavar="PATTERN", action="append", default=None,
                        help="run only cases whose ID matches this glob (repeatable), e.g. 'GATT/SR/GAR/*'")
    parser.add_argument("--iut-central", action="store_true",
                        help="run the cases where the IUT is central: we advertise and the IUT connects")
    parser.add_argument("--ixit", metavar="FILE", default=None, help="IUT specifics (TOML): passkey, SPSM, handles")
    parser.add_argument("--json", action="store_true", help="print the list or the results as JSON")
    parser.add_argument("--junit", metavar="FILE", default=None, help="write JUnit XML results to FILE")
    parser.add_argument("--report", metavar="DIR", default=None,
                        help="write DIR/index.html (verdict matrix, exchanges), results.json, junit.xml "
                        "and DIR/captures/<case>.btsnoop")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per case (default 30)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from aioble_hci.conform.catalog import CATALOG

    role = "central" if args.iut_central else "peripheral"
    if args.list:
        cases = CATALOG.select(args.case)
        if args.json:
            print(json.dumps([c.to_dict() for c in cases], indent=2))
        else:
            for c in cases:
                needs = f"  needs: {', '.join(c.requires)}" if c.requires else ""
                print(f"{c.id:28} {c.title}\n{'':28} {c.roles}; {c.rule}{needs}")
            print(f"{len(cases)} cases")
        return 0
    if args.address is None and not args.iut_central:
        raise ValueError("give the IUT's ADDRESS (e.g. aa:bb:cc:dd:ee:ff/random), or --iut-central, or --list")
    cases = CATALOG.select(args.case, role)
    if not cases:
        raise ValueError(f"no {role} case matches {args.case}: see `aioble-hci conform --list`")
    results, iut = _run_cases(args, cases)
    report_dir = Path(args.report) if args.report else None
    from aioble_hci.conform import report

    if report_dir is not None:
        written = report.write_all(results, report_dir, iut)
        print(f"report: {written['html']}", file=sys.stderr)
    if args.junit:
        report.write_junit(results, Path(args.junit))
    if args.json:
        print(report.to_json(results, iut))
    else:
        for r in results:
            print(f"{VERDICT_MARKS[str(r.verdict)]} {r.case.id:28} {r.reason}")
        print(" ".join(f"{k}: {v}" for k, v in report.summary(results).items()))
    return 1 if any(str(r.verdict) in ("fail", "inconclusive") for r in results) else 0


def _run_cases(args: argparse.Namespace, cases: list[Any]) -> tuple[list[Any], str]:
    from aioble_hci.cli.peer import resolve_peer
    from aioble_hci.conform import Ixit, LowerTester, Runner
    from aioble_hci.host.api import open_host
    from aioble_hci.host.gap import attach_gap

    ixit = Ixit.load(args.ixit)
    captures = Path(args.report) / "captures" if args.report else None
    resolved: list[Any] = []

    async def go(host: Any) -> list[Any]:
        gap = await attach_gap(host)
        # the command line's one rule for a peer's address type (cli/peer.py)
        address = await resolve_peer(gap, args.address) if args.address else None
        resolved.append(address)
        tester = LowerTester(host, ixit.timing.timeout)
        # An IUT central must find us: keep one address and say which (a peripheral IUT meets a
        # fresh stranger per case instead, see LowerTester.new_address).
        runner = Runner(tester, address, ixit, captures=captures, case_timeout=args.timeout,
                        fresh_address=not args.iut_central)
        if args.iut_central:
            print(f"advertising as {host.gap.address}: make the IUT connect to it for each case", file=sys.stderr)
        return await runner.run(cases)

    with open_host(args.transport) as handle:
        results = handle.run(go(handle.host), timeout=None)
    address = resolved[0] if resolved else None
    return results, str(address) if address else "IUT central"
