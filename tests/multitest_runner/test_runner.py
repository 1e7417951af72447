"""The multitest runner on tests that need no Bluetooth (tests/multitest_runner/cases/)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from aioble_hci.cli.main import main
from aioble_hci.multitest import InstanceSpec, RunOptions, run_files

CASES = Path(__file__).resolve().parent / "cases"
FAKE_HUB = [sys.executable, str(Path(__file__).resolve().parent / "fake_hub.py"), "{socket}"]
NONE = [InstanceSpec.parse("none")] * 2


def run_case(name: str, specs=NONE, **options):
    results = run_files([CASES / name], specs, RunOptions(**options))
    assert len(results) == 1
    return results[0]


def test_two_instances_exchange_globals_and_broadcasts_and_pass() -> None:
    result = run_case("exchange.py")
    assert result.verdict == "pass", result.diff()
    assert result.outcome.error is None


def test_output_differing_from_the_exp_file_fails_with_a_diff() -> None:
    result = run_case("mismatch.py")
    assert result.verdict == "FAIL"
    diff = result.diff()
    assert "-expected line\n" in diff and "+actual line\n" in diff
    assert " same line\n" in diff


def test_skip_before_next_skips_the_test() -> None:
    result = run_case("skipped.py")
    assert result.verdict == "skip"
    assert result.outcome.outputs[1] == []  # instance1 was never started


def test_a_silent_instance_gets_timeout_and_fails() -> None:
    result = run_case("silent.py", silence_timeout=3)
    assert result.verdict == "FAIL"
    assert result.outcome.outputs == [["finished promptly"], ["about to go quiet", "TIMEOUT"]]
    assert result.outcome.error == "instance1 printed nothing for 3 s"


def test_metrics_are_collected_apart_from_the_output() -> None:
    result = run_case("metrics.py")
    assert result.verdict == "pass", result.diff()
    assert result.outcome.metrics == ["throughput 123 B/s"]


def test_without_an_exp_file_a_truth_run_gives_the_expected_output() -> None:
    result = run_case("no_exp.py")
    assert result.expected == "--- instance0 ---\ndeterministic 45\n--- instance1 ---\nalso deterministic\n"
    assert result.verdict == "pass"


def test_an_exception_in_an_instance_appears_in_its_output(tmp_path: Path) -> None:
    test = tmp_path / "raises.py"
    test.write_text("def instance0():\n    multitest.next()\n    raise KeyError('missing')\n")
    (tmp_path / "raises.py.exp").write_text("--- instance0 ---\n\n")
    result = run_files([test], NONE[:1], RunOptions())[0]
    assert result.verdict == "FAIL"
    assert "KeyError: 'missing'" in result.outcome.outputs[0]


def test_modules_beside_the_test_are_importable_from_the_instance_workdir(tmp_path: Path) -> None:
    (tmp_path / "helper.py").write_text("VALUE = 'from helper'\n")
    test = tmp_path / "imports.py"
    test.write_text("import sys\nsys.path.append('')\nimport helper\n\n"
                    "def instance0():\n    multitest.next()\n    print(helper.VALUE)\n")
    (tmp_path / "imports.py.exp").write_text("--- instance0 ---\nfrom helper\n")
    assert run_files([test], NONE[:1], RunOptions())[0].verdict == "pass"


def test_swap_runs_each_test_with_the_instances_in_both_orders() -> None:
    specs = [InstanceSpec.parse("none"), InstanceSpec.parse("auto")]
    results = run_files([CASES / "exchange.py"], specs, RunOptions(), permutations=2)
    assert [result.instances_label for result in results] == ["none|auto", "auto|none"]
    assert all(result.verdict == "pass" for result in results)


def test_air_instances_share_a_private_air_and_have_their_own_workdirs() -> None:
    specs = [InstanceSpec.parse("air")] * 2
    result = run_case("transport_env.py", specs, hub_command=FAKE_HUB)
    assert result.verdict == "pass", result.diff()


def test_auto_instances_start_no_hub_for_a_test_without_bluetooth() -> None:
    failing_hub = [sys.executable, "-c", "raise SystemExit(3)"]
    result = run_case("exchange.py", [InstanceSpec.parse("auto")] * 2, hub_command=failing_hub)
    assert result.verdict == "pass"


def test_a_hub_that_fails_to_start_is_reported_with_its_status() -> None:
    failing_hub = [sys.executable, "-c", "import sys; print('no air today'); sys.exit(3)"]
    with pytest.raises(RuntimeError, match="exited with status 3: no air today"):
        run_case("transport_env.py", [InstanceSpec.parse("air")] * 2, hub_command=failing_hub)


def test_exec_instances_run_any_program_taking_dash_c() -> None:
    specs = [InstanceSpec.parse(f"exec:{sys.executable}")] * 2
    assert run_case("metrics.py", specs).verdict == "pass"


def test_command_line_passes_and_prints_metrics_separately(capsys) -> None:
    status = main(["multitest", "-i", "none", "-i", "none", str(CASES / "metrics.py")])
    out = capsys.readouterr().out
    assert status == 0
    assert f"{CASES / 'metrics.py'} on none|none: pass\n" in out
    assert f"{CASES / 'metrics.py'}: throughput 123 B/s\n" in out
    assert "1 tests passed" in out


def test_command_line_fails_with_status_one_and_shows_the_diff(capsys) -> None:
    status = main(["multitest", "-i", "none", "-i", "none", str(CASES / "mismatch.py"),
                   str(CASES / "skipped.py")])
    out = capsys.readouterr().out
    assert status == 1
    assert "FAIL\n### TEST ###" in out and "### DIFF ###" in out and "+actual line" in out
    assert f"1 tests skipped: {CASES / 'skipped.py'}" in out
    assert f"1 tests failed: {CASES / 'mismatch.py'}" in out


def test_command_line_refuses_a_missing_test_file(tmp_path: Path, capsys) -> None:
    assert main(["multitest", str(tmp_path / "absent.py")]) == 1
    assert "no such test file" in capsys.readouterr().err


def test_default_private_air_is_an_aioble_hci_air_hub() -> None:
    result = run_case("transport_env.py", [InstanceSpec.parse("air")] * 2)
    assert result.verdict == "pass", result.diff()


def test_exec_instance_of_aioble_hci_mpy_gets_the_shims_as_the_docs_wrapper_does() -> None:
    specs = [InstanceSpec.parse(f"exec:{sys.executable} -m aioble_hci.mpy")] * 2
    assert run_case("exchange.py", specs).verdict == "pass"


def test_very_verbose_traces_each_line_with_its_instance(capsys) -> None:
    assert main(["multitest", "-vv", "-i", "none", "-i", "none", str(CASES / "metrics.py")]) == 0
    out = capsys.readouterr().out
    assert " i0 : OUTPUT_METRIC throughput 123 B/s" in out
    assert " i1 : measured too" in out
    assert "### TEST ###" in out


def test_fast_option_starts_the_private_air_hub_in_fast_mode(monkeypatch) -> None:
    import aioble_hci.multitest as multitest_package

    seen: list[object] = []

    def fake_run_files(paths, specs, options, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(options.hub_command)
        return []

    monkeypatch.setattr(multitest_package, "run_files", fake_run_files)
    assert main(["multitest", "--fast", str(CASES / "metrics.py")]) == 0
    (command,) = seen
    assert isinstance(command, list) and command[-1] == "--fast" and "{socket}" in command
    assert main(["multitest", str(CASES / "metrics.py")]) == 0
    assert seen[-1] is None
