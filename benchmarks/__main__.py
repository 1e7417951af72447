"""`python -m benchmarks [--quick] [--runs N] [--only KEY ...] [--no-curves] [--json PATH]`.

Runs the table's workloads and the scaling curves, prints both, writes bench.json and draws the
curves as a PNG beside it (bench_curves.png). Quick mode (`--quick` or BENCH_QUICK=1) shrinks
N and runs for development; the default is the full set.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from benchmarks.cases import all_cases
from benchmarks.core import Settings, run_case
from benchmarks.curves import all_curves
from benchmarks.curves.model import summary_lines
from benchmarks.curves.plot import draw
from benchmarks.report import machine, table, write_json


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", default=os.environ.get("BENCH_QUICK") == "1")
    parser.add_argument("--runs", type=int, default=None, help="runs per figure (default 5, quick 2)")
    parser.add_argument("--only", nargs="*", default=None, help="case keys (prefix match)")
    parser.add_argument("--json", type=Path, default=Path("bench.json"))
    parser.add_argument("--no-curves", action="store_true", help="only the table, no scaling curves")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.CRITICAL)  # the stacks' own logs would time the logger
    settings = Settings(runs=args.runs or (2 if args.quick else 5), quick=args.quick)
    cases = all_cases()
    if args.only:
        cases = [c for c in cases if any(c.key.startswith(k) for k in args.only)]
    started = time.perf_counter()
    progress = (lambda s: print("    " + s, file=sys.stderr, flush=True)) if args.verbose else (lambda s: None)
    results = []
    for case in cases:
        print(f"... {case.title}", file=sys.stderr, flush=True)
        results.append(run_case(case, settings, progress))
    curves = [] if args.no_curves else all_curves(settings)
    if args.only:
        curves = [c for c in curves if any(c.key.startswith(k) for k in args.only)]
    for curve in curves:
        print(f"... curve: {curve.title}", file=sys.stderr, flush=True)
        curve.run(settings, progress)
    seconds = time.perf_counter() - started
    doc = write_json(args.json, results, settings, seconds, [c.to_json() for c in curves])
    m = machine()
    print(f"aioble-hci benchmarks {doc['date']} on {m['machine']}, {m['nproc']} CPUs, Python {m['python']}"
          f" ({settings.runs} runs each{', quick' if settings.quick else ''}; {seconds:.0f} s)")
    print(table(results))
    for curve in curves:
        for line in summary_lines(curve):
            print(line)
    print(f"wrote {args.json}")
    if curves:
        picture = args.json.with_name(args.json.stem + "_curves.png")
        why_not = draw(doc["curves"], picture)
        print(f"drew {picture}" if why_not is None else f"no picture of the curves: {why_not}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
