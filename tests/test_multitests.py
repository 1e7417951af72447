"""The project's own two-instance tests (tests/multitests/) run by `aioble-hci multitest`'s runner.

Each test runs on a private virtual air, once per instance order (each role played by each
instance, as `--swap` does), and must match its TEST.py.exp exactly; a failure shows the runner's
output and unified diff. Tests of logic run on the air in fast mode; tests whose output depends on
how long the link takes (as a board's does) run on the default, realistic air.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from aioble_hci.multitest import suite
from aioble_hci.multitest.script import instance_count
from aioble_hci.multitest.session import RunOptions
from aioble_hci.multitest.specs import InstanceSpec

MULTITESTS = Path(__file__).parent / "multitests"
TESTS = sorted(MULTITESTS.glob("*.py"))
# A fast air delivers advertising and connection events at once: the tests synchronise with
# broadcast/wait and never depend on radio timing.
FAST_AIR = [sys.executable, "-m", "aioble_hci", "air", "--socket", "{socket}", "--fast"]
# These print what a board prints only when the link takes a radio's time (connection events).
REALISTIC_AIR_TESTS = frozenset({"ble_write_pace"})


def hub_command(path: Path) -> list[str] | None:
    """The air a test runs on: fast, unless its output depends on link timing (None: the default air)."""
    return None if path.stem in REALISTIC_AIR_TESTS else FAST_AIR


def report(result: suite.TestResult) -> str:
    outcome = result.outcome
    return (f"{result.path.name} on {result.instances_label}: {result.verdict}"
            f"{' (' + outcome.error + ')' if outcome.error else ''}\n"
            f"--- output ---\n{outcome.output_text()}--- diff ---\n{result.diff()}")


def test_every_multitest_has_an_exp_file() -> None:
    assert TESTS, "no multitests found"
    missing = [path.name for path in TESTS if not path.with_name(path.name + ".exp").is_file()]
    assert missing == []


@pytest.mark.parametrize("path", TESTS, ids=[path.stem for path in TESTS])
def test_multitest_passes_with_each_instance_in_each_role(path: Path) -> None:
    count = instance_count(path.read_text())
    # Two fresh controllers on the test's private air, told apart by their labels (`air`, `auto`)
    # so the report shows which order ran; every order of them is run.
    specs = [InstanceSpec.parse("air" if index == 0 else "auto") for index in range(count)]
    results = suite.run_files([path], specs, RunOptions(hub_command=hub_command(path)), permutations=count)
    assert len(results) == count
    for result in results:
        assert not result.outcome.skipped, f"{path.name} skipped itself"
        assert result.verdict == "pass", report(result)
