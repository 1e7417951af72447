"""One run of one test on its instances: MicroPython's multitest run protocol.

Startup: instances start in index order, each read until it prints NEXT (SET lines become globals
for the instances started later; SKIP skips the test). Main phase: every instance's lines are read;
BROADCAST lines go to the other instances' stdin, OUTPUT_METRIC lines become metrics, the rest is
output. An instance silent for `silence_timeout` seconds gets TIMEOUT and ends the run
(shared/reference/multitest-protocol.md, section 1.3).
"""

from __future__ import annotations

import logging
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aioble_hci.multitest.air import PrivateAir
from aioble_hci.multitest.process import EOF, InstanceProcess, instance_argv, instance_env
from aioble_hci.multitest.script import build_script, host_ip, uses_bluetooth
from aioble_hci.multitest.specs import SILENCE_TIMEOUT_S, InstanceSpec, Kind

log = logging.getLogger(__name__)

# Lines some controllers' stacks print that tests cannot control (as the MicroPython harness drops).
IGNORE_OUTPUT_MATCHES = (
    "libusb: error ",
    "hci_transport_h2_libusb.c",
    "USB Path: ",
    "hci_number_completed_packet",
    "lld_pdu_get_tx_flush_nb HCI packet count mismatch (",
)

Tracer = Callable[[int, str], None]


@dataclass
class RunOptions:
    silence_timeout: float = SILENCE_TIMEOUT_S
    hub_command: Sequence[str] | None = None  # "{socket}" is replaced by the socket path
    trace: Tracer | None = None


@dataclass
class Outcome:
    """What one run produced: per-instance output lines, metrics, and whether it erred or skipped."""

    outputs: list[list[str]]
    metrics: list[str] = field(default_factory=list)
    error: str | None = None
    skipped: bool = False

    def output_text(self) -> str:
        """The text compared with TEST.py.exp: a `--- instanceN ---` header and lines per instance."""
        return "".join(f"--- instance{i} ---\n" + "\n".join(lines) + "\n"
                       for i, lines in enumerate(self.outputs))


def run_test(path: Path, specs: Sequence[InstanceSpec], options: RunOptions) -> Outcome:
    """Run the test at `path` with specs[i] as instance i; always stops every process it started."""
    source = path.read_text()
    needs_air = any(spec.wants_private_air(uses_bluetooth(source)) for spec in specs)
    air = PrivateAir(options.hub_command) if needs_air else None
    workdirs = [tempfile.mkdtemp(prefix=f"multitest-{path.stem}-i{i}-") for i in range(len(specs))]
    try:
        if air is not None:
            air.start()
        return _Session(path, source, specs, options, air, workdirs).run()
    finally:
        if air is not None:
            air.stop()
        for workdir in workdirs:
            shutil.rmtree(workdir, ignore_errors=True)


class _Session:
    def __init__(self, path: Path, source: str, specs: Sequence[InstanceSpec], options: RunOptions,
                 air: PrivateAir | None, workdirs: list[str]) -> None:
        self.path = path
        self.source = source
        self.specs = list(specs)
        self.options = options
        self.air = air
        self.workdirs = workdirs
        self.outcome = Outcome(outputs=[[] for _ in specs])
        self.activity = threading.Event()
        self.instances: list[InstanceProcess] = []
        self.injected_globals = ""
        if "get_network_ip" in source:
            self.injected_globals += f"HOST_IP = {host_ip()!r}\n"

    def run(self) -> Outcome:
        try:
            for index in range(len(self.specs)):
                if not self._start_instance(index):
                    return self.outcome
            self._main_phase()
            return self.outcome
        finally:
            for instance in self.instances:
                instance.stop()

    def _transport(self, spec: InstanceSpec) -> str | None:
        if spec.kind is Kind.TRANSPORT:
            return spec.value
        if self.air is not None and spec.wants_private_air(True):
            return self.air.spec
        return None

    def _trace(self, index: int, line: str) -> None:
        if self.options.trace is not None:
            self.options.trace(index, line)

    def _timeout(self, index: int) -> None:
        self.outcome.outputs[index].append("TIMEOUT")
        self.outcome.error = (f"instance{index} printed nothing for "
                              f"{self.options.silence_timeout:g} s")

    def _start_instance(self, index: int) -> bool:
        """Start instance `index` and read it up to NEXT; False if the run must end (error, skip)."""
        spec = self.specs[index]
        script = build_script(self.source, index, self.injected_globals, str(self.path.parent))
        instance = InstanceProcess(instance_argv(spec, script), instance_env(spec, self._transport(spec)),
                                   self.workdirs[index], self.activity)
        self.instances.append(instance)
        while True:
            try:
                line = instance.lines.get(timeout=self.options.silence_timeout)
            except queue.Empty:
                self._timeout(index)
                return False
            if line is EOF:
                instance.finished = True
                return True
            if _ignored(line):
                continue
            self._trace(index, line)
            if line.startswith("SET "):
                self.injected_globals += line[4:] + "\n"
            elif line == "SKIP":
                self.outcome.skipped = True
                return False
            elif line == "NEXT":
                return True
            else:
                self.outcome.outputs[index].append(line)

    def _main_phase(self) -> None:
        last_line_at = [time.monotonic()] * len(self.instances)
        while True:
            self.activity.clear()
            running = [i for i, instance in enumerate(self.instances) if not instance.finished]
            if not running:
                return
            got_output = False
            for index in running:
                if self._drain(index):
                    got_output = True
                    last_line_at[index] = time.monotonic()
                elif (not self.instances[index].finished
                      and time.monotonic() - last_line_at[index] > self.options.silence_timeout):
                    self._timeout(index)
                    return
            if not got_output:
                self.activity.wait(0.05)

    def _drain(self, index: int) -> bool:
        """Handle every line instance `index` has printed so far; True if there was any."""
        instance = self.instances[index]
        got = False
        while not instance.lines.empty():
            line = instance.lines.get_nowait()
            got = True
            if line is EOF:
                instance.finished = True
                return got
            if _ignored(line):
                continue
            self._trace(index, line)
            if line.startswith("BROADCAST "):
                for other in self.instances:
                    if other is not instance:
                        other.write_line(line)
            elif line.startswith("OUTPUT_METRIC "):
                self.outcome.metrics.append(line[len("OUTPUT_METRIC "):])
            else:
                self.outcome.outputs[index].append(line)
        return got


def _ignored(line: str) -> bool:
    return any(match in line for match in IGNORE_OUTPUT_MATCHES)
