"""Fuzzing engines: hypothesis-driven random search (always available) and atheris.

Both return a `RunResult`: executions, time, and the distinct findings (exception type and the
line it came from), each with the smallest input found, saved under the artifacts directory.
"""

from __future__ import annotations

import hashlib
import logging
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from .harness import Harness

DEFAULT_ARTIFACTS = Path(tempfile.gettempdir()) / "aioble-hci-fuzz"


@dataclass
class Finding:
    """One distinct failure: where it was raised, the message, and a minimal input."""

    signature: str
    message: str
    data: bytes
    traceback: str = ""
    path: Path | None = None


@dataclass
class RunResult:
    harness: str
    engine: str
    seconds: float = 0.0
    executions: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.executions / self.seconds if self.seconds else 0.0


def _signature(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    here = Path(__file__).resolve().parents[2]
    if not frames:
        return type(exc).__name__
    chosen = frames[-1]
    for frame in reversed(frames):
        if "/aioble_hci/" in frame.filename:  # the target's own line beats the harness's assert
            chosen = frame
            break
    return f"{type(exc).__name__} at {os.path.relpath(chosen.filename, here)}:{chosen.lineno}"


def _save(finding: Finding, harness: str, artifacts: Path) -> None:
    directory = artifacts / harness
    directory.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha1(finding.data).hexdigest()[:12]
    finding.path = directory / f"crash-{digest}"
    finding.path.write_bytes(finding.data)
    (directory / f"crash-{digest}.txt").write_text(f"{finding.signature}\n{finding.traceback}")


def mutate(seed: bytes, edits: list[tuple[int, int, int]], other: bytes) -> bytes:
    """Apply byte-level edits: 0 overwrite, 1 insert, 2 delete, 3 flip a bit, 4 splice `other`."""
    data = bytearray(seed)
    for op, pos, value in edits:
        at = pos % (len(data) + 1)
        if op == 0 and data:
            data[at % len(data)] = value
        elif op == 1:
            data.insert(at, value)
        elif op == 2 and data:
            del data[at % len(data)]
        elif op == 3 and data:
            data[at % len(data)] ^= 1 << (value % 8)
        elif op == 4:
            cut = value % (len(other) + 1)
            data[at:] = other[cut:] if pos & 1 else data[at:] + other[:cut]
    return bytes(data[:4096])


def run_hypothesis(
    harness: Harness,
    seconds: float | None = None,
    max_examples: int | None = None,
    artifacts: Path | None = DEFAULT_ARTIFACTS,
    batch: int = 200,
    fan_out: int = 1,
) -> RunResult:
    """Replay the corpus, then search with hypothesis: fresh binaries and mutated corpus inputs.

    Runs for `seconds` (in batches of `batch` examples) or until `max_examples` more inputs ran
    (a batch that stops at a failure is followed by another).
    With `fan_out` > 1 each example also runs `fan_out - 1` random mutants of itself, drawn
    from a seed hypothesis chooses (hypothesis's own overhead is ~1 ms an example; this keeps
    the executions rate up while failures stay reproducible and shrinkable).
    """
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    result = RunResult(harness.name, "hypothesis")
    found: dict[str, Finding] = {}
    corpus = harness.corpus()
    started = time.monotonic()
    last_failure: list[tuple[bytes, BaseException]] = []

    def execute(data: bytes) -> None:
        result.executions += 1
        try:
            harness.test_one_input(data)
        except Exception as exc:
            last_failure[:] = [(data, exc)]
            raise

    def record(data: bytes, exc: BaseException) -> None:
        sig = _signature(exc)
        if sig not in found or len(data) < len(found[sig].data):
            tb = "".join(traceback.format_exception(exc))
            found[sig] = Finding(sig, f"{type(exc).__name__}: {exc}"[:300], data, tb)

    logging.disable(logging.CRITICAL)
    try:
        for data in corpus:
            try:
                execute(data)
            except Exception as exc:
                record(data, exc)
        edits = st.lists(st.tuples(st.integers(0, 4), st.integers(0, 0xFFFF), st.integers(0, 255)), max_size=8)
        inputs = st.one_of(
            st.builds(mutate, st.sampled_from(corpus), edits, st.sampled_from(corpus)),
            st.binary(max_size=512),
        )
        target = None if max_examples is None else result.executions + max_examples
        for _round in range(10_000_000 if target is None else 50):
            n = batch if target is None else min(batch, target - result.executions)
            if n <= 0 or (seconds is not None and time.monotonic() - started >= seconds):
                break

            @settings(max_examples=n, deadline=None, database=None, derandomize=False,
                      phases=[Phase.generate, Phase.shrink],
                      suppress_health_check=list(HealthCheck))
            @given(inputs, st.integers(0, 2**32 - 1))
            def search(data: bytes, seed: int) -> None:
                execute(data)
                rng = random.Random(seed)
                for _ in range(fan_out - 1):
                    edits = [(rng.randrange(5), rng.randrange(0x10000), rng.randrange(256))
                             for _ in range(rng.randrange(1, 9))]
                    execute(mutate(data, edits, rng.choice(corpus)))

            last_failure.clear()
            try:
                search()
            except Exception as exc:  # hypothesis re-raises the shrunk failure
                if last_failure:
                    record(*last_failure[0])
                else:
                    record(b"", exc)
    finally:
        logging.disable(logging.NOTSET)
    result.seconds = time.monotonic() - started
    result.findings = list(found.values())
    if artifacts is not None:
        for finding in result.findings:
            _save(finding, harness.name, artifacts)
    return result


def atheris_available() -> bool:
    try:
        import atheris  # noqa: F401
    except ImportError:
        return False
    return True


def run_atheris(harness: Harness, seconds: float, artifacts: Path = DEFAULT_ARTIFACTS) -> RunResult:
    """Coverage-guided fuzzing in a child process (libFuzzer exits the process when done).

    The committed corpus is read-only seed input; new inputs go to a work directory under
    `artifacts`; libFuzzer stops at the first crash and leaves it as crash-<sha1>.
    """
    work = artifacts / harness.name / "corpus"
    work.mkdir(parents=True, exist_ok=True)
    out_dir = artifacts / harness.name
    before = set(out_dir.glob("crash-*")) | set(out_dir.glob("timeout-*")) | set(out_dir.glob("oom-*"))
    seeds = artifacts / harness.name / "seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    for i, data in enumerate(harness.corpus()):
        (seeds / f"seed-{i:03d}").write_bytes(data)
    args = [
        sys.executable, "-m", "tests.fuzz.atheris_worker", harness.name,
        f"-max_total_time={int(seconds)}", "-print_final_stats=1", "-timeout=10",
        "-rss_limit_mb=2048", f"-artifact_prefix={out_dir}/", str(work), str(seeds),
    ]
    started = time.monotonic()
    proc = subprocess.run(args, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2])
    result = RunResult(harness.name, "atheris", time.monotonic() - started)
    match = re.search(r"stat::number_of_executed_units:\s*(\d+)", proc.stderr)
    if match:
        result.executions = int(match.group(1))
    else:
        done = re.findall(r"#(\d+)\s", proc.stderr)
        result.executions = int(done[-1]) if done else 0
    after = set(out_dir.glob("crash-*")) | set(out_dir.glob("timeout-*")) | set(out_dir.glob("oom-*"))
    for path in sorted(after - before):
        if path.suffix == ".txt":
            continue
        tail = proc.stderr[-3000:]
        result.findings.append(Finding(f"libFuzzer {path.name.split('-')[0]}", tail.strip().splitlines()[-1] if tail.strip() else "", path.read_bytes(), tail, path))
    if proc.returncode != 0 and not result.findings:
        result.findings.append(Finding("atheris worker failed", f"exit status {proc.returncode}", b"", proc.stderr[-3000:]))
    return result
