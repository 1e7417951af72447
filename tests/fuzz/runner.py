"""`python -m tests.fuzz`: run every harness (or some) for a while and print what was found.

    python -m tests.fuzz [--seconds-per-harness N] [--harness NAME ...] [--engine atheris|hypothesis]
                         [--write-doc] [--write-corpus] [--list]

atheris (coverage-guided) is used when importable, else hypothesis. `--write-doc` replaces the
fuzz table in docs/robustness.md with this run's; `--write-corpus` writes the catalog seeds of
each harness to tests/fuzz/corpus/<harness>/.
"""

from __future__ import annotations

import argparse
import datetime
import platform
import re
import subprocess
import sys
from pathlib import Path

from .engines import DEFAULT_ARTIFACTS, RunResult, atheris_available, run_atheris, run_hypothesis
from .harness import Harness
from .registry import HARNESSES

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "robustness.md"
BEGIN = "<!-- fuzz-table:begin -->"
END = "<!-- fuzz-table:end -->"
DEFAULT_SECONDS = 180
FAN_OUT = 32


def write_corpus(harnesses: list[Harness]) -> int:
    written = 0
    for harness in harnesses:
        harness.corpus_dir.mkdir(parents=True, exist_ok=True)
        for name, data in harness.seeds.items():
            path = harness.corpus_dir / name
            if not path.exists() or path.read_bytes() != data:
                path.write_bytes(data)
                written += 1
    return written


HEADER = (
    "| Harness | Target | Engine | Run | Seconds | Executions | Exec/s | Findings |\n"
    "|---|---|---|---|---:|---:|---:|---|"
)


def row(r: RunResult, run: str) -> str:
    findings = "; ".join(f"`{f.signature}`" for f in r.findings) or "none"
    target = HARNESSES[r.harness].target
    return (
        f"| {r.harness} | `{target}` | {r.engine} | {run} | {r.seconds:.0f} | {r.executions:,} | "
        f"{r.rate:,.0f} | {findings} |"
    )


def table(results: list[RunResult], run: str = "") -> str:
    return "\n".join([HEADER, *(row(r, run) for r in results)])


def _commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def _rows(block: str) -> dict[str, str]:
    """Existing table rows of the fuzz block by harness name (rows without a Run column get
    the block's "Last run" line)."""
    match = re.search(r"Last run: ([^,]+), commit (\w+)", block)
    fallback = f"{match.group(1)} {match.group(2)}" if match else "?"
    rows = {}
    for line in block.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("| ") or cells[0] in ("Harness", "---") or cells[0] not in HARNESSES:
            continue
        if len(cells) == 7:
            cells.insert(3, fallback)
        rows[cells[0]] = "| " + " | ".join(cells) + " |"
    return rows


def write_doc(results: list[RunResult], doc: Path = DOC) -> None:
    """Put this run's rows into the fuzz table of docs/robustness.md (between the markers),
    keeping the rows of harnesses this run did not include."""
    run = f"{datetime.date.today().isoformat()} {_commit()}"
    text = doc.read_text() if doc.exists() else f"# Robustness\n\n## Fuzzing runs\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        text += f"\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    old, tail = rest.split(END, 1)
    rows = _rows(old)
    for r in results:
        rows[r.harness] = row(r, run)
    ordered = [rows[name] for name in HARNESSES if name in rows]
    block = (
        f"{BEGIN}\nPython {platform.python_version()}; Run = date and commit of the run that "
        f"produced the row.\n\n{HEADER}\n" + "\n".join(ordered) + f"\n{END}"
    )
    doc.write_text(head + block + tail)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds-per-harness", type=float, default=DEFAULT_SECONDS)
    parser.add_argument("--harness", action="append", choices=sorted(HARNESSES), help="repeatable; default all")
    parser.add_argument("--engine", choices=("atheris", "hypothesis"), default=None)
    parser.add_argument("--artifacts", type=Path, default=DEFAULT_ARTIFACTS, help="where findings are saved")
    parser.add_argument("--write-doc", action="store_true", help="record the table in docs/robustness.md")
    parser.add_argument("--write-corpus", action="store_true", help="write catalog seeds to tests/fuzz/corpus and exit")
    parser.add_argument("--list", action="store_true", help="list harnesses and exit")
    args = parser.parse_args(argv)
    harnesses = [HARNESSES[n] for n in (args.harness or HARNESSES)]
    if args.list:
        for h in harnesses:
            print(f"{h.name:18} {h.target}  (may raise: {h.escapes}; {len(h.seeds)} seeds)")
        return 0
    if args.write_corpus:
        print(f"wrote {write_corpus(harnesses)} seed file(s)")
        return 0
    engine = args.engine or ("atheris" if atheris_available() else "hypothesis")
    if engine == "atheris" and not atheris_available():
        parser.error("atheris is not installed (pip install atheris); use --engine hypothesis")
    results = []
    for harness in harnesses:
        print(f"fuzzing {harness.name} with {engine} for {args.seconds_per_harness:.0f} s ...", flush=True)
        if engine == "atheris":
            result = run_atheris(harness, args.seconds_per_harness, args.artifacts)
        else:
            result = run_hypothesis(harness, seconds=args.seconds_per_harness, artifacts=args.artifacts, fan_out=FAN_OUT)
        results.append(result)
        print(f"  {result.executions:,} executions, {len(result.findings)} finding(s)", flush=True)
        for finding in result.findings:
            print(f"  FINDING {finding.signature}: {finding.message}\n    input {finding.data.hex()}\n    saved {finding.path}")
    print()
    print(table(results, f"{datetime.date.today().isoformat()} {_commit()}"))
    if args.write_doc:
        write_doc(results)
        print(f"\nwrote the table to {DOC.relative_to(ROOT)}")
    return 1 if any(r.findings for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
