"""Running multitest files: instance permutations, the verdict against TEST.py.exp or a truth run,
and the report (pass/FAIL/skip per test, a diff on failure, metrics apart)."""

from __future__ import annotations

import difflib
import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from aioble_hci.multitest.script import instance_count
from aioble_hci.multitest.session import Outcome, RunOptions, run_test
from aioble_hci.multitest.specs import AUTO, InstanceSpec


@dataclass
class TestResult:
    path: Path
    specs: list[InstanceSpec]
    outcome: Outcome
    expected: str | None  # None when skipped

    @property
    def verdict(self) -> str:
        if self.outcome.skipped:
            return "skip"
        return "pass" if self.outcome.output_text() == self.expected else "FAIL"

    @property
    def instances_label(self) -> str:
        return "|".join(str(spec) for spec in self.specs)

    def diff(self) -> str:
        """A unified diff from the expected output to the actual one."""
        return "".join(difflib.unified_diff(
            (self.expected or "").splitlines(keepends=True),
            self.outcome.output_text().splitlines(keepends=True),
            fromfile=f"{self.path.name} (expected)", tofile=f"{self.path.name} (output)"))


def instance_orders(specs: Sequence[InstanceSpec], count: int, permutations: int) -> list[list[InstanceSpec]]:
    """The first `permutations` orders of the instance list, padded with `auto` to `count`."""
    padded = list(specs) + [AUTO] * (count - len(specs))
    return [list(order) for order in itertools.islice(itertools.permutations(padded), max(permutations, 1))]


def expected_output(path: Path, count: int, options: RunOptions) -> str:
    """TEST.py.exp when present, else the output of a run on plain `auto` instances (the truth)."""
    exp = path.with_name(path.name + ".exp")
    if exp.is_file():
        return exp.read_text()
    return run_test(path, [AUTO] * count, options).output_text()


def run_files(paths: Sequence[Path], specs: Sequence[InstanceSpec], options: RunOptions,
              permutations: int = 1, on_start: Callable[[Path, list[InstanceSpec]], None] | None = None,
              on_result: Callable[[TestResult], None] | None = None) -> list[TestResult]:
    """Run every test file on every requested instance order; results in run order."""
    tests = [(path, instance_count(path.read_text())) for path in sorted(paths)]
    most = max((count for _, count in tests), default=0)
    if len(specs) > most:
        most = len(specs)
    results = []
    for order in instance_orders(specs, most, permutations):
        for path, count in tests:
            if count == 0:
                raise ValueError(f"{path}: no `def instanceN():` found; is it a multitest?")
            chosen = order[:count]
            if on_start is not None:
                on_start(path, chosen)
            outcome = run_test(path, chosen, options)
            expected = None if outcome.skipped else expected_output(path, count, options)
            result = TestResult(path, chosen, outcome, expected)
            results.append(result)
            if on_result is not None:
                on_result(result)
    return results


class Reporter:
    """Prints progress and verdicts the way run-multitests.py does, and the summary."""

    def __init__(self, out: TextIO, show_output: bool = False, trace: bool = False) -> None:
        self.out = out
        self.show_output = show_output
        self.trace_enabled = trace
        self._t0 = time.monotonic()

    def trace(self, index: int, line: str) -> None:
        if self.trace_enabled:
            elapsed_ms = round((time.monotonic() - self._t0) * 1000)
            print(f"{elapsed_ms:6} i{index} : {line}", file=self.out, flush=True)

    def start(self, path: Path, specs: list[InstanceSpec]) -> None:
        self._t0 = time.monotonic()
        label = "|".join(str(spec) for spec in specs)
        end = "\n" if self.show_output or self.trace_enabled else ""
        print(f"{path} on {label}: ", end=end, file=self.out, flush=True)

    def result(self, result: TestResult) -> None:
        out = self.out
        failed = result.verdict == "FAIL"
        if self.show_output:
            self._outputs(result)
        print(result.verdict, file=out)
        if failed and not self.show_output:
            self._outputs(result)
        if failed:
            print("### DIFF ###", file=out)
            print(result.diff(), end="", file=out)
        if result.outcome.error:
            print(f"error: {result.outcome.error}", file=out)
        for metric in result.outcome.metrics:
            print(f"{result.path}: {metric}", file=out)
        out.flush()

    def _outputs(self, result: TestResult) -> None:
        print("### TEST ###", file=self.out)
        print(result.outcome.output_text(), end="", file=self.out)
        if result.expected is not None:
            print("### TRUTH ###", file=self.out)
            print(result.expected, end="", file=self.out)

    def summary(self, results: Sequence[TestResult]) -> None:
        passed = [r for r in results if r.verdict == "pass"]
        skipped = [r for r in results if r.verdict == "skip"]
        failed = [r for r in results if r.verdict == "FAIL"]
        print(f"{len(results)} tests performed", file=self.out)
        print(f"{len(passed)} tests passed", file=self.out)
        if skipped:
            print(f"{len(skipped)} tests skipped: {' '.join(str(r.path) for r in skipped)}", file=self.out)
        if failed:
            print(f"{len(failed)} tests failed: {' '.join(str(r.path) for r in failed)}", file=self.out)
